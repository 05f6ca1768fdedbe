/* yatai-link-protocol.c: the messages of the venue link, read and written in one place */
#define G_LOG_DOMAIN "yatai-link"

#include "config.h"

#include <glib/gi18n.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include "yatai-command.h"
#include "yatai-link-key.h"
#include "yatai-link-protocol.h"

/* Takes @body. */
JsonNode *
yatai_link_message_new (const char *name,
                        JsonNode   *body)
{
  JsonNode *node = yatai_json_node_new_object ();

  json_object_set_member (json_node_get_object (node), name, body);
  return node;
}

char *
yatai_link_message_write (JsonNode *message)
{
  return json_to_string (message, FALSE);
}

/**
 * yatai_link_message_read:
 * @name: (out): the message's name, owned by the node
 *
 * Returns: (transfer full) (nullable): the message, whose one member @name is its body, or NULL when @text is not one JSON object
 * with exactly one member.
 */
JsonNode *
yatai_link_message_read (GBytes      *text,
                         const char **name)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  GList *members;
  JsonNode *root;
  JsonObject *object;
  gsize size;
  const char *data = g_bytes_get_data (text, &size);

  *name = NULL;
  if (size > YATAI_LINK_MAX_MESSAGE || !g_utf8_validate (data, size, NULL))
    return NULL;
  root = yatai_json_parse_one (parser, data, size);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return NULL;
  object = json_node_get_object (root);
  members = json_object_get_members (object);
  if (members == NULL || members->next != NULL)
    {
      g_list_free (members);
      return NULL;
    }
  g_list_free (members);

  /* The name is owned by the object the caller gets back. */
  {
    JsonNode *copy = json_node_copy (root);
    GList *names = json_object_get_members (json_node_get_object (copy));

    *name = names->data;
    g_list_free (names);
    return copy;
  }
}

GBytes *
yatai_link_frame_segment (gint64  seq,
                          GBytes *segment)
{
  gsize size;
  const guint8 *data = g_bytes_get_data (segment, &size);
  guint8 *frame = g_malloc (8 + size);
  guint64 be = GUINT64_TO_BE ((guint64) seq);

  memcpy (frame, &be, 8);
  memcpy (frame + 8, data, size);
  return g_bytes_new_take (frame, 8 + size);
}

GBytes *
yatai_link_unframe_segment (GBytes *frame,
                            gint64 *seq)
{
  gsize size;
  const guint8 *data = g_bytes_get_data (frame, &size);
  guint64 be;

  if (size <= 8)
    return NULL;
  memcpy (&be, data, 8);
  *seq = (gint64) GUINT64_FROM_BE (be);
  if (*seq <= 0)
    return NULL;
  return g_bytes_new_from_bytes (frame, 8, size - 8);
}

/* "HOST:PORT", "[v6]:PORT" or "HOST" (port 0: the caller decides). */
GSocketConnectable *
yatai_link_parse_address (const char  *host_port,
                          GError     **error)
{
  g_autoptr(GError) parse_error = NULL;
  GSocketConnectable *address;

  address = g_network_address_parse (host_port, 0, &parse_error);
  if (address == NULL)
    g_set_error (error, YATAI_LINK_ERROR, YATAI_LINK_ERROR_PROTOCOL,
                 _("“%s” is not an address on the network. Write it as host:port, for example 192.168.1.20:8765."),
                 host_port);
  return address;
}

/* A link message is small and waited for: Nagle's algorithm would hold a message back while the one
 * before it is not acknowledged, and the peer's delayed acknowledgement makes that up to 40 ms (two
 * segments pushed a moment apart, a command's result after a beat). Both ends send at once. */
void
yatai_link_socket_send_at_once (GSocket *socket)
{
  g_autoptr(GError) error = NULL;

  if (socket != NULL && !g_socket_set_option (socket, IPPROTO_TCP, TCP_NODELAY, 1, &error))
    g_debug ("The link's socket sends with delays: %s", error->message);
}
