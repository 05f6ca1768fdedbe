/* yatai-link-server.c: the writer serves the stall's log and takes commands over the local network
 *
 * A SoupServer over GIO's TLS with the stall's certificate, asking every client for a certificate too
 * (G_TLS_AUTHENTICATION_REQUIRED). The TLS layer accepts whatever certificate a client presents, since
 * the stall's is self-signed and no authority vouches for it; the early handler, before any request is
 * read further or a WebSocket is opened, lets in only a client whose certificate is the stall's. TLS has
 * made the client prove it holds the private key, so only the stall's devices pass.
 *
 * The segments the writer sealed lately are kept (at most RING_SEGMENTS or RING_BYTES), so a follower
 * that connects or comes back catches up from where it stands; what is older it reads from the bucket.
 */
#define G_LOG_DOMAIN "yatai-link"

#include "config.h"

#include <glib/gi18n.h>
#include <libsoup/soup.h>

#include "yatai-link-key.h"
#include "yatai-link-protocol.h"
#include "yatai-link-server.h"
#include "yatai-refusal.h"

#define RING_SEGMENTS 4096
#define RING_BYTES    (32 * 1024 * 1024)

typedef struct
{
  YataiLinkServer         *server;
  SoupWebsocketConnection *connection;
  char                    *device;
  char                    *name;
  char                    *address;
  gint64                   next;      /* the seq it gets next; 0 until its hello */
} Peer;

struct _YataiLinkServer
{
  GObject               parent_instance;

  SoupServer           *soup;
  GTlsCertificate      *stall;
  char                 *device_id;
  char                 *device_name;
  YataiLinkCommandFunc  command_func;
  gpointer              command_data;
  YataiLinkSnapshotFunc snapshot_func;
  gpointer              snapshot_data;
  char                 *only_device;  /* while handing over: the only device let in */
  char                 *trouble;      /* why commands cannot be applied now ("disk-full"); NULL: they can */

  GQueue                ring;         /* GBytes frames, oldest first */
  gint64                oldest;       /* seq of the ring's head; 0 when empty */
  gint64                head;         /* the newest seq pushed */
  gsize                 ring_bytes;

  GPtrArray            *peers;
  guint                 n_refused;
  guint                 beat_id;
};

G_DEFINE_FINAL_TYPE (YataiLinkServer, yatai_link_server, G_TYPE_OBJECT)

enum {
  PEERS_CHANGED,
  REFUSED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
peer_free (Peer *peer)
{
  g_signal_handlers_disconnect_by_data (peer->connection, peer);
  if (soup_websocket_connection_get_state (peer->connection) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_close (peer->connection, SOUP_WEBSOCKET_CLOSE_GOING_AWAY, NULL);
  g_object_unref (peer->connection);
  g_free (peer->device);
  g_free (peer->name);
  g_free (peer->address);
  g_free (peer);
}

static void
yatai_link_server_dispose (GObject *object)
{
  YataiLinkServer *self = YATAI_LINK_SERVER (object);

  g_clear_handle_id (&self->beat_id, g_source_remove);
  g_clear_pointer (&self->peers, g_ptr_array_unref);
  if (self->soup != NULL)
    soup_server_disconnect (self->soup);
  g_clear_object (&self->soup);
  g_clear_object (&self->stall);
  g_queue_clear_full (&self->ring, (GDestroyNotify) g_bytes_unref);

  G_OBJECT_CLASS (yatai_link_server_parent_class)->dispose (object);
}

static void
yatai_link_server_finalize (GObject *object)
{
  YataiLinkServer *self = YATAI_LINK_SERVER (object);

  g_free (self->device_id);
  g_free (self->device_name);
  g_free (self->only_device);
  g_free (self->trouble);

  G_OBJECT_CLASS (yatai_link_server_parent_class)->finalize (object);
}

static void
yatai_link_server_class_init (YataiLinkServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = yatai_link_server_dispose;
  object_class->finalize = yatai_link_server_finalize;

  signals[PEERS_CHANGED] = g_signal_new ("peers-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                         0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  /* A device at this address tried to connect without the stall's key. */
  signals[REFUSED] = g_signal_new ("refused", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
yatai_link_server_init (YataiLinkServer *self)
{
  g_queue_init (&self->ring);
  self->peers = g_ptr_array_new_with_free_func ((GDestroyNotify) peer_free);
}

/* Sending */

static void
send_message (Peer       *peer,
              const char *name,
              JsonNode   *body)
{
  g_autoptr(JsonNode) message = yatai_link_message_new (name, body);
  g_autofree char *text = NULL;

  /* A follower whose connection is closing is dropped when it has closed; nothing more goes to it. */
  if (soup_websocket_connection_get_state (peer->connection) != SOUP_WEBSOCKET_STATE_OPEN)
    return;
  text = yatai_link_message_write (message);
  soup_websocket_connection_send_text (peer->connection, text);
}

static void
send_frames_from (YataiLinkServer *self,
                  Peer            *peer)
{
  if (self->oldest == 0 || peer->next > self->head)
    return;
  if (peer->next < self->oldest)
    peer->next = self->oldest;   /* what is older it reads from the bucket */

  for (GList *l = g_queue_peek_nth_link (&self->ring, peer->next - self->oldest); l != NULL; l = l->next)
    {
      soup_websocket_connection_send_message (peer->connection, SOUP_WEBSOCKET_DATA_BINARY, l->data);
      peer->next++;
    }
}

/* A follower the kept segments do not reach (or restoring: from 0) gets the stall as a snapshot at
 * the writer's position, announced by {"snapshot": seq} just before its frame, then what follows it. */
static void
send_snapshot_if_needed (YataiLinkServer *self,
                         Peer            *peer,
                         gboolean         restoring)
{
  g_autoptr(GBytes) snapshot = NULL;
  g_autoptr(GBytes) frame = NULL;
  gint64 seq = 0;

  if (self->snapshot_func == NULL ||
      (!restoring && self->oldest != 0 && peer->next >= self->oldest && peer->next <= self->head + 1))
    return;
  snapshot = self->snapshot_func (restoring ? 0 : peer->next, &seq, self->snapshot_data);
  if (snapshot == NULL || seq < 0)
    return;
  send_message (peer, "snapshot", json_node_init_int (json_node_alloc (), seq));
  frame = yatai_link_frame_segment (seq, snapshot);
  soup_websocket_connection_send_message (peer->connection, SOUP_WEBSOCKET_DATA_BINARY, frame);
  peer->next = seq + 1;
}

static gboolean
beat_cb (gpointer user_data)
{
  YataiLinkServer *self = user_data;

  for (guint i = 0; i < self->peers->len; i++)
    {
      Peer *peer = g_ptr_array_index (self->peers, i);

      if (peer->next > 0)
        send_message (peer, "beat", json_node_init_int (json_node_alloc (), self->head));
    }
  return G_SOURCE_CONTINUE;
}

/* Receiving */

static void
answer_command (Peer     *peer,
                JsonNode *body)
{
  YataiLinkServer *self = peer->server;
  g_autoptr(GError) error = NULL;
  g_autoptr(YataiCommand) command = NULL;
  g_autoptr(JsonNode) result = NULL;
  g_autofree char *json = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  const char *id = NULL;

  if (JSON_NODE_HOLDS_OBJECT (body))
    {
      json = json_to_string (body, FALSE);
      command = yatai_command_new_from_json (json, -1, &error);
      /* One this version cannot read (a newer Yatai's) is still answered by its id when it has one:
       * the follower waits for that answer, with every later command behind it. */
      if (command == NULL)
        id = json_object_get_string_member_with_default (json_node_get_object (body), "id", NULL);
    }
  else
    g_set_error_literal (&error, YATAI_LINK_ERROR, YATAI_LINK_ERROR_PROTOCOL,
                         _("The writer could not read a command this device sent."));
  if (command != NULL)
    {
      id = yatai_command_get_id (command);
      if (self->command_func == NULL)
        g_set_error_literal (&error, YATAI_LINK_ERROR, YATAI_LINK_ERROR_UNAVAILABLE,
                             _("The writer is not taking commands at the moment."));
      else
        result = self->command_func (command, self->command_data, &error);
    }

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, id ? id : "");
  if (result != NULL)
    {
      json_builder_set_member_name (builder, "result");
      json_builder_add_value (builder, g_steal_pointer (&result));
    }
  else
    {
      /* A store's refusal with its name and values, so the follower says it in its own language. */
      JsonNode *refused = yatai_refusal_to_json (error);

      json_object_set_string_member (json_node_get_object (refused), "domain", g_quark_to_string (error->domain));
      json_builder_set_member_name (builder, "refused");
      json_builder_add_value (builder, refused);
    }
  json_builder_end_object (builder);
  send_message (peer, "result", json_builder_get_root (builder));
}

static void
hello (Peer     *peer,
       JsonNode *body)
{
  YataiLinkServer *self = peer->server;
  JsonObject *object = JSON_NODE_HOLDS_OBJECT (body) ? json_node_get_object (body) : NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  gint64 from = object ? json_object_get_int_member_with_default (object, "from", 0) : 0;
  const char *name = object ? json_object_get_string_member_with_default (object, "name", NULL) : NULL;
  const char *device = object ? json_object_get_string_member_with_default (object, "device", NULL) : NULL;

  if ((from <= 0 && self->snapshot_func == NULL) || device == NULL || name == NULL ||
      (self->only_device != NULL && g_strcmp0 (device, self->only_device) != 0))
    {
      soup_websocket_connection_close (peer->connection, SOUP_WEBSOCKET_CLOSE_PROTOCOL_ERROR, NULL);
      return;
    }
  g_free (peer->device);
  peer->device = g_strdup (device);
  g_free (peer->name);
  peer->name = g_utf8_make_valid (name, MIN (strlen (name), 200));
  peer->next = MAX (from, 1);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "device");
  json_builder_add_string_value (builder, self->device_id);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, self->device_name);
  json_builder_set_member_name (builder, "head");
  json_builder_add_int_value (builder, self->head);
  json_builder_set_member_name (builder, "oldest");
  json_builder_add_int_value (builder, self->oldest);
  json_builder_set_member_name (builder, "peers");
  json_builder_begin_array (builder);
  for (guint i = 0; i < self->peers->len; i++)
    {
      Peer *other = g_ptr_array_index (self->peers, i);

      if (other != peer && other->next > 0)
        {
          g_autofree char *text = g_strdup_printf ("%s (%s)", other->name, other->address);

          json_builder_add_string_value (builder, text);
        }
    }
  json_builder_end_array (builder);
  if (self->trouble != NULL)
    {
      json_builder_set_member_name (builder, "trouble");
      json_builder_add_string_value (builder, self->trouble);
    }
  json_builder_end_object (builder);
  send_message (peer, "welcome", json_builder_get_root (builder));

  g_debug ("“%s” (%s) follows over the link from %" G_GINT64_FORMAT, peer->name, peer->address, from);
  send_snapshot_if_needed (self, peer, from <= 0);
  send_frames_from (self, peer);
  g_signal_emit (self, signals[PEERS_CHANGED], 0);
}

static void
peer_message_cb (SoupWebsocketConnection *connection,
                 gint                     type,
                 GBytes                  *message,
                 gpointer                 user_data)
{
  Peer *peer = user_data;
  g_autoptr(JsonNode) node = NULL;
  const char *name = NULL;

  if (type == SOUP_WEBSOCKET_DATA_TEXT)
    node = yatai_link_message_read (message, &name);
  if (node == NULL)
    {
      g_debug ("“%s” sent a message the link does not know", peer->address);
      soup_websocket_connection_close (connection, SOUP_WEBSOCKET_CLOSE_PROTOCOL_ERROR, NULL);
      return;
    }
  if (g_str_equal (name, "hello"))
    hello (peer, json_object_get_member (json_node_get_object (node), name));
  else if (g_str_equal (name, "command") && peer->next > 0)
    answer_command (peer, json_object_get_member (json_node_get_object (node), name));
}

static void
peer_closed_cb (SoupWebsocketConnection *connection,
                gpointer                 user_data)
{
  Peer *peer = user_data;
  YataiLinkServer *self = peer->server;

  g_debug ("“%s” (%s) left the link", peer->name ? peer->name : "?", peer->address);
  g_ptr_array_remove (self->peers, peer);
  g_signal_emit (self, signals[PEERS_CHANGED], 0);
}

static void
websocket_cb (SoupServer              *soup,
              SoupServerMessage       *msg,
              const char              *path,
              SoupWebsocketConnection *connection,
              gpointer                 user_data)
{
  YataiLinkServer *self = user_data;
  Peer *peer = g_new0 (Peer, 1);
  GSocketAddress *remote = soup_server_message_get_remote_address (msg);

  peer->server = self;
  peer->connection = g_object_ref (connection);
  peer->address = remote ? g_socket_connectable_to_string (G_SOCKET_CONNECTABLE (remote)) : g_strdup ("?");
  yatai_link_socket_send_at_once (soup_server_message_get_socket (msg));
  soup_websocket_connection_set_max_incoming_payload_size (connection, YATAI_LINK_MAX_MESSAGE);
  g_signal_connect (connection, "message", G_CALLBACK (peer_message_cb), peer);
  g_signal_connect (connection, "closed", G_CALLBACK (peer_closed_cb), peer);
  g_ptr_array_add (self->peers, peer);
}

/* Letting in */

static gboolean
accept_any_cb (SoupServerMessage    *msg,
               GTlsCertificate      *peer,
               GTlsCertificateFlags  errors,
               gpointer              user_data)
{
  /* No authority signs the stall's certificate; the early handler compares it with the stall's. */
  return TRUE;
}

static void
request_started_cb (SoupServer        *soup,
                    SoupServerMessage *msg,
                    gpointer           user_data)
{
  g_signal_connect (msg, "accept-certificate", G_CALLBACK (accept_any_cb), NULL);
}

static void
early_cb (SoupServer        *soup,
          SoupServerMessage *msg,
          const char        *path,
          GHashTable        *query,
          gpointer           user_data)
{
  YataiLinkServer *self = user_data;
  GTlsCertificate *peer = soup_server_message_get_tls_peer_certificate (msg);

  if (yatai_link_key_is_stall (self->stall, peer))
    return;

  {
    GSocketAddress *remote = soup_server_message_get_remote_address (msg);
    g_autofree char *address = remote ? g_socket_connectable_to_string (G_SOCKET_CONNECTABLE (remote))
                                      : g_strdup ("?");

    g_message (_("The device at %s is not a device of this stall: it does not hold the stall’s key, and was refused."),
               address);
    self->n_refused++;
    g_signal_emit (self, signals[REFUSED], 0, address);
  }
  soup_server_message_set_status (msg, SOUP_STATUS_FORBIDDEN, NULL);
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "X-Yatai-Refused", "stall-key");
}

static void
other_cb (SoupServer        *soup,
          SoupServerMessage *msg,
          const char        *path,
          GHashTable        *query,
          gpointer           user_data)
{
  soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
}

YataiLinkServer *
yatai_link_server_new (GTlsCertificate *stall,
                       const char      *device_id,
                       const char      *device_name)
{
  YataiLinkServer *self;

  g_return_val_if_fail (G_IS_TLS_CERTIFICATE (stall), NULL);

  self = g_object_new (YATAI_TYPE_LINK_SERVER, NULL);
  self->stall = g_object_ref (stall);
  self->device_id = g_strdup (device_id);
  self->device_name = g_strdup (device_name ? device_name : "");
  self->soup = soup_server_new ("tls-certificate", stall,
                                "tls-auth-mode", G_TLS_AUTHENTICATION_REQUIRED,
                                "server-header", "Yatai",
                                NULL);
  g_signal_connect (self->soup, "request-started", G_CALLBACK (request_started_cb), self);
  soup_server_add_early_handler (self->soup, NULL, early_cb, self, NULL);
  soup_server_add_early_handler (self->soup, YATAI_LINK_PATH, early_cb, self, NULL);
  soup_server_add_handler (self->soup, NULL, other_cb, self, NULL);
  soup_server_add_websocket_handler (self->soup, YATAI_LINK_PATH, NULL, NULL, websocket_cb, self, NULL);
  return self;
}

/**
 * yatai_link_server_listen:
 * @address: (nullable): "HOST:PORT" to listen on; NULL for every address, port 47122 when it is free (YATAI_LINK_DEFAULT_PORT), else a free one
 */
gboolean
yatai_link_server_listen (YataiLinkServer  *self,
                          const char       *address,
                          GError          **error)
{
  g_autoptr(GError) listen_error = NULL;
  gboolean ok;

  g_return_val_if_fail (YATAI_IS_LINK_SERVER (self), FALSE);

  if (address == NULL || *address == '\0')
    {
      /* The same port at every start where it is free, so a follower without DNS-SD finds the writer
       * again where it last was (after a restart, too); else any free port. */
      ok = soup_server_listen_all (self->soup, YATAI_LINK_DEFAULT_PORT, SOUP_SERVER_LISTEN_HTTPS, NULL);
      if (!ok)
        {
          soup_server_disconnect (self->soup);
          ok = soup_server_listen_all (self->soup, 0, SOUP_SERVER_LISTEN_HTTPS, &listen_error);
        }
    }
  else
    {
      g_autoptr(GSocketConnectable) parsed = yatai_link_parse_address (address, error);
      g_autoptr(GInetAddress) inet = NULL;
      g_autoptr(GSocketAddress) socket_address = NULL;

      if (parsed == NULL)
        return FALSE;
      inet = g_inet_address_new_from_string (g_network_address_get_hostname (G_NETWORK_ADDRESS (parsed)));
      if (inet == NULL)
        {
          g_set_error (error, YATAI_LINK_ERROR, YATAI_LINK_ERROR_PROTOCOL,
                       _("“%s” is not an address of this device. Give its numeric address, for example 0.0.0.0:8765."),
                       address);
          return FALSE;
        }
      socket_address = g_inet_socket_address_new (inet, g_network_address_get_port (G_NETWORK_ADDRESS (parsed)));
      ok = soup_server_listen (self->soup, socket_address, SOUP_SERVER_LISTEN_HTTPS, &listen_error);
    }
  if (!ok)
    {
      g_debug ("Listening on %s: %s", address ? address : "*", listen_error->message);
      g_set_error (error, YATAI_LINK_ERROR, YATAI_LINK_ERROR_UNAVAILABLE,
                   _("The local network link could not listen on %s. Another program may be using that port."),
                   address ? address : "*");
      return FALSE;
    }
  if (self->beat_id == 0)
    self->beat_id = g_timeout_add (YATAI_LINK_BEAT_MS, beat_cb, self);
  return TRUE;
}

guint16
yatai_link_server_get_port (YataiLinkServer *self)
{
  g_autoslist(GUri) uris = NULL;

  g_return_val_if_fail (YATAI_IS_LINK_SERVER (self), 0);

  uris = soup_server_get_uris (self->soup);
  return uris != NULL ? g_uri_get_port (uris->data) : 0;
}

void
yatai_link_server_set_snapshot_func (YataiLinkServer       *self,
                                     YataiLinkSnapshotFunc  func,
                                     gpointer               user_data)
{
  g_return_if_fail (YATAI_IS_LINK_SERVER (self));
  self->snapshot_func = func;
  self->snapshot_data = user_data;
}

/* While a writer without a bucket hands over: only @device (the one it handed over to, asking again
 * for the answer it may have lost) is let in; every other follower is sent away to find the new
 * writer. NULL lets everyone in again. */
void
yatai_link_server_set_only_device (YataiLinkServer *self,
                                   const char      *device)
{
  g_return_if_fail (YATAI_IS_LINK_SERVER (self));
  g_free (self->only_device);
  self->only_device = g_strdup (device);
  for (guint i = 0; device != NULL && i < self->peers->len; i++)
    {
      Peer *peer = g_ptr_array_index (self->peers, i);

      if (g_strcmp0 (peer->device, device) != 0 &&
          soup_websocket_connection_get_state (peer->connection) == SOUP_WEBSOCKET_STATE_OPEN)
        soup_websocket_connection_close (peer->connection, SOUP_WEBSOCKET_CLOSE_GOING_AWAY, NULL);
    }
}

/**
 * yatai_link_server_set_trouble:
 * @trouble: (nullable): why the writer cannot apply commands now ("disk-full", "cannot-save"), or
 *   %NULL once it can again
 *
 * Tells every follower at once, and each one that comes later in its welcome, so its staff read why
 * what they send waits. A follower of a version without it ignores the message.
 */
void
yatai_link_server_set_trouble (YataiLinkServer *self,
                               const char      *trouble)
{
  g_return_if_fail (YATAI_IS_LINK_SERVER (self));

  if (g_strcmp0 (trouble, self->trouble) == 0)
    return;
  g_free (self->trouble);
  self->trouble = g_strdup (trouble);
  for (guint i = 0; i < self->peers->len; i++)
    {
      Peer *peer = g_ptr_array_index (self->peers, i);

      if (peer->next > 0)
        send_message (peer, "trouble", json_node_init_string (json_node_alloc (), trouble ? trouble : ""));
    }
}

void
yatai_link_server_set_command_func (YataiLinkServer      *self,
                                    YataiLinkCommandFunc  func,
                                    gpointer              user_data)
{
  g_return_if_fail (YATAI_IS_LINK_SERVER (self));
  self->command_func = func;
  self->command_data = user_data;
}

/**
 * yatai_link_server_push:
 *
 * The writer sealed log/@seq: keep it for followers that catch up, and send it at once to every follower
 * that has everything before it. A seq that does not follow the last one (the writer restored, or a new
 * epoch began elsewhere) starts the kept history anew.
 */
void
yatai_link_server_push (YataiLinkServer *self,
                        gint64           seq,
                        GBytes          *segment)
{
  g_autoptr(GBytes) frame = NULL;

  g_return_if_fail (YATAI_IS_LINK_SERVER (self));
  g_return_if_fail (seq > 0 && segment != NULL);

  if (seq <= self->head && self->oldest != 0 && seq >= self->oldest)
    return;   /* already kept */
  if (self->oldest == 0 || seq != self->head + 1)
    {
      g_queue_clear_full (&self->ring, (GDestroyNotify) g_bytes_unref);
      self->ring_bytes = 0;
      self->oldest = seq;
      for (guint i = 0; i < self->peers->len; i++)
        {
          Peer *peer = g_ptr_array_index (self->peers, i);

          if (peer->next > seq)
            peer->next = seq;
        }
    }

  frame = yatai_link_frame_segment (seq, segment);
  self->ring_bytes += g_bytes_get_size (frame);
  g_queue_push_tail (&self->ring, g_bytes_ref (frame));
  self->head = seq;
  while (self->ring.length > RING_SEGMENTS || (self->ring_bytes > RING_BYTES && self->ring.length > 1))
    {
      GBytes *old = g_queue_pop_head (&self->ring);

      self->ring_bytes -= g_bytes_get_size (old);
      g_bytes_unref (old);
      self->oldest++;
    }

  for (guint i = 0; i < self->peers->len; i++)
    {
      Peer *peer = g_ptr_array_index (self->peers, i);

      if (peer->next > 0)
        send_frames_from (self, peer);
    }
}

gint64
yatai_link_server_get_head (YataiLinkServer *self)
{
  g_return_val_if_fail (YATAI_IS_LINK_SERVER (self), 0);
  return self->head;
}

/* Returns: (transfer container): the names of the devices following over the link. */
GPtrArray *
yatai_link_server_get_peers (YataiLinkServer *self)
{
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);

  g_return_val_if_fail (YATAI_IS_LINK_SERVER (self), names);
  for (guint i = 0; i < self->peers->len; i++)
    {
      Peer *peer = g_ptr_array_index (self->peers, i);

      if (peer->next > 0)
        g_ptr_array_add (names, g_strdup_printf ("%s (%s)", peer->name, peer->address));
    }
  return names;
}

guint
yatai_link_server_get_n_refused (YataiLinkServer *self)
{
  g_return_val_if_fail (YATAI_IS_LINK_SERVER (self), 0);
  return self->n_refused;
}
