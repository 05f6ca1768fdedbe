/* yatai-link-client.c: a follower reads the log and sends commands over the local network
 *
 * One SoupSession WebSocket to wss://HOST:PORT/yatai/link. The session's TLS accepts the writer only
 * when it presents the stall's certificate (accept-certificate compares it with the one in this store;
 * no authority is asked), and presents that same certificate so the writer lets this device in. Which
 * end lacked the key is said in words on both ends.
 */
#define G_LOG_DOMAIN "yatai-link"

#include "config.h"

#include <glib/gi18n.h>
#include <libsoup/soup.h>

#include "yatai-link-client.h"
#include "yatai-link-key.h"
#include "yatai-link-protocol.h"
#include "yatai-refusal.h"
#include "yatai-store.h"

#define CONNECT_TIMEOUT_S 3

struct _YataiLinkClient
{
  GObject                  parent_instance;

  GTlsCertificate         *stall;
  char                    *device_id;
  char                    *device_name;
  SoupSession             *session;
  GCancellable            *cancellable;

  char                    *address;
  gint64                   from;
  SoupWebsocketConnection *connection;
  gboolean                 connecting;
  gboolean                 welcomed;
  gboolean                 impostor;     /* the other end showed a certificate that is not the stall's */
  char                    *writer_name;
  char                    *writer_device;
  char                   **writer_peers; /* the other devices following the writer, as it said */
  char                    *writer_trouble; /* why it cannot apply commands now ("disk-full"); NULL: it can */
  gint64                   writer_head;
  gint64                   snapshot_seq; /* the next binary frame is a snapshot at this seq; -1: not */
  gboolean                 restoring;    /* ask the writer for the whole stall (hello from 0) */
  gint64                   last_message; /* monotonic */
  guint                    watch_id;
  GError                  *error;

  GHashTable              *pending;      /* command id → GTask */
};

G_DEFINE_FINAL_TYPE (YataiLinkClient, yatai_link_client, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_CONNECTED,
  PROP_ERROR,
  PROP_WRITER_TROUBLE,
  N_PROPS
};

enum {
  SEGMENT,
  SNAPSHOT,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void drop_connection (YataiLinkClient *self,
                             GError          *error);

static void
yatai_link_client_dispose (GObject *object)
{
  YataiLinkClient *self = YATAI_LINK_CLIENT (object);

  g_cancellable_cancel (self->cancellable);
  if (self->connection != NULL || self->pending != NULL)
    drop_connection (self, NULL);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->session);
  g_clear_object (&self->stall);
  g_clear_pointer (&self->pending, g_hash_table_unref);

  G_OBJECT_CLASS (yatai_link_client_parent_class)->dispose (object);
}

static void
yatai_link_client_finalize (GObject *object)
{
  YataiLinkClient *self = YATAI_LINK_CLIENT (object);

  g_free (self->device_id);
  g_free (self->device_name);
  g_free (self->address);
  g_free (self->writer_name);
  g_free (self->writer_device);
  g_strfreev (self->writer_peers);
  g_free (self->writer_trouble);
  g_clear_error (&self->error);

  G_OBJECT_CLASS (yatai_link_client_parent_class)->finalize (object);
}

static void
yatai_link_client_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  YataiLinkClient *self = YATAI_LINK_CLIENT (object);

  switch (prop_id)
    {
    case PROP_CONNECTED:
      g_value_set_boolean (value, yatai_link_client_get_connected (self));
      break;
    case PROP_ERROR:
      g_value_set_string (value, yatai_link_client_get_error (self));
      break;
    case PROP_WRITER_TROUBLE:
      g_value_set_string (value, yatai_link_client_get_writer_trouble (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
yatai_link_client_class_init (YataiLinkClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = yatai_link_client_dispose;
  object_class->finalize = yatai_link_client_finalize;
  object_class->get_property = yatai_link_client_get_property;

  properties[PROP_CONNECTED] = g_param_spec_boolean ("connected", NULL, NULL, FALSE,
                                                     G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ERROR] = g_param_spec_string ("error", NULL, NULL, NULL,
                                                G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_WRITER_TROUBLE] = g_param_spec_string ("writer-trouble", NULL, NULL, NULL,
                                                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY |
                                                         G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* A segment the writer pushed: its seq and the bytes of log/<seq>. */
  signals[SEGMENT] = g_signal_new ("segment", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                   NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_INT64, G_TYPE_BYTES);
  /* The stall as the writer holds it (a writer without a bucket, for a follower its kept segments do
   * not reach): a snapshot segment at its seq, not yet checked. */
  signals[SNAPSHOT] = g_signal_new ("snapshot", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                    NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_INT64, G_TYPE_BYTES);
}

static void
yatai_link_client_init (YataiLinkClient *self)
{
  self->snapshot_seq = -1;
  self->cancellable = g_cancellable_new ();
  self->pending = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  /* No proxy: the link is on the local network. */
  self->session = soup_session_new_with_options ("proxy-resolver", NULL,
                                                 "timeout", CONNECT_TIMEOUT_S,
                                                 "user-agent", "Yatai",
                                                 NULL);
}

YataiLinkClient *
yatai_link_client_new (GTlsCertificate *stall,
                       const char      *device_id,
                       const char      *device_name)
{
  YataiLinkClient *self;

  g_return_val_if_fail (G_IS_TLS_CERTIFICATE (stall), NULL);

  self = g_object_new (YATAI_TYPE_LINK_CLIENT, NULL);
  self->stall = g_object_ref (stall);
  self->device_id = g_strdup (device_id);
  self->device_name = g_strdup (device_name ? device_name : "");
  return self;
}

/* Losing the connection */

static void
set_error (YataiLinkClient *self,
           GError          *error)
{
  if (error == NULL && self->error == NULL)
    return;
  g_clear_error (&self->error);
  self->error = error;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR]);
}

/* Why the writer cannot apply commands, as it said ("" or NULL: it can); only a short name is kept. */
static void
set_writer_trouble (YataiLinkClient *self,
                    const char      *trouble)
{
  if (trouble != NULL && (*trouble == '\0' || strlen (trouble) > 64 || !g_utf8_validate (trouble, -1, NULL)))
    trouble = NULL;
  if (g_strcmp0 (trouble, self->writer_trouble) == 0)
    return;
  g_free (self->writer_trouble);
  self->writer_trouble = g_strdup (trouble);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WRITER_TROUBLE]);
}

/* Takes @error (NULL: a stop asked for here). Every command still on its way fails: the engine sends
 * it again through the bucket, and the writer, which records every command it applied, does it once. */
static void
drop_connection (YataiLinkClient *self,
                 GError          *error)
{
  /* Welcomed is what "connected" said, whatever state the connection is in by now (closed by the
   * writer's end: "connected" reads FALSE already, and its change is told here). */
  gboolean was_connected = self->connection != NULL && self->welcomed;
  g_autoptr(GList) tasks = NULL;

  g_clear_handle_id (&self->watch_id, g_source_remove);
  if (self->connection != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->connection, self);
      if (soup_websocket_connection_get_state (self->connection) == SOUP_WEBSOCKET_STATE_OPEN)
        soup_websocket_connection_close (self->connection, SOUP_WEBSOCKET_CLOSE_GOING_AWAY, NULL);
      g_clear_object (&self->connection);
    }
  self->welcomed = FALSE;
  set_writer_trouble (self, NULL);

  tasks = g_hash_table_get_values (self->pending);
  for (GList *l = tasks; l != NULL; l = l->next)
    g_object_ref (l->data);
  g_hash_table_remove_all (self->pending);
  for (GList *l = tasks; l != NULL; l = l->next)
    {
      g_task_return_new_error (l->data, YATAI_LINK_ERROR, YATAI_LINK_ERROR_UNAVAILABLE,
                               _("The link to the writer was lost before it answered."));
      g_object_unref (l->data);
    }

  if (error != NULL)
    g_debug ("Link to %s down: %s", self->address, error->message);
  set_error (self, error);
  if (was_connected)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONNECTED]);
}

static gboolean
watch_cb (gpointer user_data)
{
  YataiLinkClient *self = user_data;

  if (g_get_monotonic_time () - self->last_message > YATAI_LINK_SILENCE_MS * 1000)
    {
      self->watch_id = 0;
      drop_connection (self, g_error_new (YATAI_LINK_ERROR, YATAI_LINK_ERROR_UNAVAILABLE,
                                          _("The writer at %s stopped answering on the local network."),
                                          self->address));
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

/* Messages */

static void
welcome (YataiLinkClient *self,
         JsonObject      *body)
{
  JsonArray *peers = json_object_has_member (body, "peers") &&
                     JSON_NODE_HOLDS_ARRAY (json_object_get_member (body, "peers"))
                     ? json_object_get_array_member (body, "peers") : NULL;
  g_autoptr(GStrvBuilder) names = g_strv_builder_new ();

  for (guint i = 0; peers != NULL && i < json_array_get_length (peers) && i < 64; i++)
    {
      JsonNode *element = json_array_get_element (peers, i);

      if (JSON_NODE_HOLDS_VALUE (element) && json_node_get_value_type (element) == G_TYPE_STRING)
        {
          g_autofree char *valid = g_utf8_make_valid (json_node_get_string (element), -1);

          g_strv_builder_add (names, valid);
        }
    }
  g_strfreev (self->writer_peers);
  self->writer_peers = g_strv_builder_end (names);
  g_free (self->writer_name);
  self->writer_name = g_strdup (json_object_get_string_member_with_default (body, "name", ""));
  g_free (self->writer_device);
  self->writer_device = g_strdup (json_object_get_string_member_with_default (body, "device", ""));
  self->writer_head = json_object_get_int_member_with_default (body, "head", 0);
  self->welcomed = TRUE;
  {
    JsonNode *trouble = json_object_get_member (body, "trouble");

    set_writer_trouble (self, trouble != NULL && JSON_NODE_HOLDS_VALUE (trouble) &&
                              json_node_get_value_type (trouble) == G_TYPE_STRING
                                ? json_node_get_string (trouble) : NULL);
  }
  set_error (self, NULL);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONNECTED]);
}

static void
result (YataiLinkClient *self,
        JsonObject      *body)
{
  const char *id = json_object_get_string_member_with_default (body, "id", "");
  g_autofree char *key = NULL;
  g_autoptr(GTask) task = NULL;
  JsonNode *refused;

  if (!g_hash_table_steal_extended (self->pending, id, (gpointer *) &key, (gpointer *) &task))
    return;

  refused = json_object_get_member (body, "refused");
  if (refused != NULL && JSON_NODE_HOLDS_OBJECT (refused))
    {
      JsonObject *object = json_node_get_object (refused);
      const char *domain_name = json_object_get_string_member_with_default (object, "domain", "");
      GQuark domain = g_quark_try_string (domain_name);
      const char *message = json_object_get_string_member_with_default (object, "message", "");

      /* The store's refusal, said in this device's language (an older writer names the domain
       * "yatai-store-error-quark"). By its name: the domain's quark may not exist yet here, when
       * this process has made no error of the store. */
      if (g_str_equal (domain_name, g_quark_to_string (YATAI_STORE_ERROR)) ||
          g_str_equal (domain_name, "yatai-store-error-quark"))
        g_task_return_error (task, yatai_refusal_from_json (object));
      else
        g_task_return_new_error (task, domain ? domain : YATAI_LINK_ERROR,
                                 domain ? json_object_get_int_member_with_default (object, "code", 0)
                                        : YATAI_LINK_ERROR_PROTOCOL,
                                 "%s", message);
    }
  else if (json_object_get_member (body, "result") != NULL)
    g_task_return_pointer (task, json_node_copy (json_object_get_member (body, "result")),
                           (GDestroyNotify) json_node_unref);
  else
    g_task_return_new_error (task, YATAI_LINK_ERROR, YATAI_LINK_ERROR_PROTOCOL,
                             _("The writer’s answer could not be read."));
}

static void
message_cb (SoupWebsocketConnection *connection,
            gint                     type,
            GBytes                  *message,
            gpointer                 user_data)
{
  YataiLinkClient *self = user_data;

  self->last_message = g_get_monotonic_time ();
  if (type == SOUP_WEBSOCKET_DATA_BINARY)
    {
      gint64 seq = 0;
      g_autoptr(GBytes) segment = yatai_link_unframe_segment (message, &seq);

      if (segment == NULL || !self->welcomed)
        goto protocol;
      if (seq == self->snapshot_seq)
        {
          self->snapshot_seq = -1;
          g_signal_emit (self, signals[SNAPSHOT], 0, seq, segment);
          return;
        }
      if (seq > self->writer_head)
        self->writer_head = seq;
      g_signal_emit (self, signals[SEGMENT], 0, seq, segment);
      return;
    }
  else
    {
      const char *name = NULL;
      g_autoptr(JsonNode) node = yatai_link_message_read (message, &name);
      JsonNode *body;

      if (node == NULL)
        goto protocol;
      body = json_object_get_member (json_node_get_object (node), name);
      if (g_str_equal (name, "welcome") && JSON_NODE_HOLDS_OBJECT (body))
        welcome (self, json_node_get_object (body));
      else if (g_str_equal (name, "result") && JSON_NODE_HOLDS_OBJECT (body))
        result (self, json_node_get_object (body));
      else if (g_str_equal (name, "snapshot") && JSON_NODE_HOLDS_VALUE (body))
        self->snapshot_seq = json_node_get_int (body);
      else if (g_str_equal (name, "beat") && JSON_NODE_HOLDS_VALUE (body))
        self->writer_head = MAX (self->writer_head, json_node_get_int (body));
      else if (g_str_equal (name, "trouble") && JSON_NODE_HOLDS_VALUE (body) &&
               json_node_get_value_type (body) == G_TYPE_STRING && self->welcomed)
        set_writer_trouble (self, json_node_get_string (body));
      return;
    }

protocol:
  drop_connection (self, g_error_new_literal (YATAI_LINK_ERROR, YATAI_LINK_ERROR_PROTOCOL,
                                              _("The writer sent something this version of Yatai cannot read.")));
}

static void
closed_cb (SoupWebsocketConnection *connection,
           gpointer                 user_data)
{
  YataiLinkClient *self = user_data;

  drop_connection (self, g_error_new (YATAI_LINK_ERROR, YATAI_LINK_ERROR_UNAVAILABLE,
                                      _("The writer at %s closed the local network link."), self->address));
}

/* Connecting */

static gboolean
accept_certificate_cb (SoupMessage          *msg,
                       GTlsCertificate      *peer,
                       GTlsCertificateFlags  errors,
                       gpointer              user_data)
{
  YataiLinkClient *self = user_data;

  /* The client was disposed while the handshake went on (yatai-ctl restore ending as its link was
   * still being made): nothing is trusted any more. */
  if (self->stall == NULL)
    return FALSE;
  /* Names and authorities mean nothing here: the stall's certificate is the only one trusted. The
   * handshake still completes with another, so that a writer that holds the key can tell a device that
   * does not why it is refused; nothing is sent to a writer that is not the stall's (connected_cb). */
  self->impostor = !yatai_link_key_is_stall (self->stall, peer);
  return TRUE;
}

static GError *
impostor_error (YataiLinkClient *self)
{
  return g_error_new (YATAI_LINK_ERROR, YATAI_LINK_ERROR_NOT_OF_STALL,
                      _("The device at %s is not a device of this stall: it does not hold the stall’s key."),
                      self->address);
}

static GError *
connect_error (YataiLinkClient *self,
               SoupMessage     *msg,
               const GError    *error)
{
  if (g_error_matches (error, G_TLS_ERROR, G_TLS_ERROR_CERTIFICATE_REQUIRED) ||
      (soup_message_get_status (msg) == SOUP_STATUS_FORBIDDEN &&
       soup_message_headers_get_one (soup_message_get_response_headers (msg), "X-Yatai-Refused") != NULL))
    return g_error_new (YATAI_LINK_ERROR, YATAI_LINK_ERROR_REFUSED,
                        _("The writer at %s refused this device: it does not hold this stall’s key."),
                        self->address);
  if (self->impostor)
    return impostor_error (self);
  g_debug ("Link to %s: %s", self->address, error->message);
  return g_error_new (YATAI_LINK_ERROR, YATAI_LINK_ERROR_UNAVAILABLE,
                      _("The writer cannot be reached at %s on the local network."), self->address);
}

static void
connected_cb (GObject      *source,
              GAsyncResult *res,
              gpointer      user_data)
{
  g_autoptr(SoupMessage) msg = user_data;
  g_autoptr(GError) error = NULL;
  SoupWebsocketConnection *connection;
  YataiLinkClient *self;
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonNode) hello = NULL;
  g_autofree char *text = NULL;

  connection = soup_session_websocket_connect_finish (SOUP_SESSION (source), res, &error);
  if (connection == NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = g_object_get_data (G_OBJECT (msg), "yatai-link-client");
  self->connecting = FALSE;
  if (connection == NULL)
    {
      drop_connection (self, connect_error (self, msg, error));
      return;
    }
  if (self->impostor)
    {
      soup_websocket_connection_close (connection, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION, NULL);
      g_object_unref (connection);
      drop_connection (self, impostor_error (self));
      return;
    }

  self->connection = connection;
  soup_websocket_connection_set_max_incoming_payload_size (connection, YATAI_LINK_MAX_MESSAGE);
  g_signal_connect (connection, "message", G_CALLBACK (message_cb), self);
  g_signal_connect (connection, "closed", G_CALLBACK (closed_cb), self);
  self->last_message = g_get_monotonic_time ();
  self->watch_id = g_timeout_add (YATAI_LINK_BEAT_MS, watch_cb, self);

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "device");
  json_builder_add_string_value (builder, self->device_id);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, self->device_name);
  json_builder_set_member_name (builder, "from");
  json_builder_add_int_value (builder, self->restoring ? 0 : self->from);
  json_builder_end_object (builder);
  self->snapshot_seq = -1;
  hello = yatai_link_message_new ("hello", json_builder_get_root (builder));
  text = yatai_link_message_write (hello);
  soup_websocket_connection_send_text (connection, text);
}

/**
 * yatai_link_client_connect:
 * @address: the writer's "HOST:PORT"
 * @from: the first seq this device wants
 *
 * Connects (dropping any connection there was). "connected" turns TRUE once the writer has welcomed
 * this device; a failure sets "error" with the reason in words.
 */

static void
network_event_cb (SoupMessage        *msg,
                  GSocketClientEvent  event,
                  GIOStream          *connection,
                  gpointer            user_data)
{
  if (event == G_SOCKET_CLIENT_CONNECTED && G_IS_SOCKET_CONNECTION (connection))
    yatai_link_socket_send_at_once (g_socket_connection_get_socket (G_SOCKET_CONNECTION (connection)));
}

void
yatai_link_client_connect (YataiLinkClient *self,
                           const char      *address,
                           gint64           from)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketConnectable) parsed = NULL;
  g_autofree char *uri = NULL;
  SoupMessage *msg;

  g_return_if_fail (YATAI_IS_LINK_CLIENT (self));
  g_return_if_fail (address != NULL && from > 0);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  drop_connection (self, NULL);
  g_free (self->address);
  self->address = g_strdup (address);
  self->from = from;
  self->impostor = FALSE;

  parsed = yatai_link_parse_address (address, &error);
  if (parsed == NULL || g_network_address_get_port (G_NETWORK_ADDRESS (parsed)) == 0)
    {
      if (error == NULL)
        g_set_error (&error, YATAI_LINK_ERROR, YATAI_LINK_ERROR_PROTOCOL,
                     _("“%s” has no port. Write it as host:port, for example 192.168.1.20:8765."), address);
      set_error (self, g_steal_pointer (&error));
      return;
    }

  {
    const char *host = g_network_address_get_hostname (G_NETWORK_ADDRESS (parsed));
    gboolean v6 = strchr (host, ':') != NULL;

    uri = g_strdup_printf ("wss://%s%s%s:%u" YATAI_LINK_PATH, v6 ? "[" : "", host, v6 ? "]" : "",
                           g_network_address_get_port (G_NETWORK_ADDRESS (parsed)));
  }
  msg = soup_message_new ("GET", uri);
  if (msg == NULL)
    {
      set_error (self, g_error_new (YATAI_LINK_ERROR, YATAI_LINK_ERROR_PROTOCOL,
                                    _("“%s” is not an address on the network. Write it as host:port, for example 192.168.1.20:8765."),
                                    address));
      return;
    }
  soup_message_set_tls_client_certificate (msg, self->stall);
  g_signal_connect_object (msg, "accept-certificate", G_CALLBACK (accept_certificate_cb), self, 0);
  g_signal_connect (msg, "network-event", G_CALLBACK (network_event_cb), NULL);
  g_object_set_data (G_OBJECT (msg), "yatai-link-client", self);
  self->connecting = TRUE;
  soup_session_websocket_connect_async (self->session, msg, NULL, NULL, G_PRIORITY_DEFAULT,
                                        self->cancellable, connected_cb, msg);
}

void
yatai_link_client_disconnect (YataiLinkClient *self)
{
  g_return_if_fail (YATAI_IS_LINK_CLIENT (self));

  g_cancellable_cancel (self->cancellable);
  self->connecting = FALSE;
  drop_connection (self, NULL);
}

/* @restoring: the next connections ask the writer for the whole stall, as a snapshot ("snapshot"), not
 * for the segments after a position. */
void
yatai_link_client_set_restoring (YataiLinkClient *self,
                                 gboolean         restoring)
{
  g_return_if_fail (YATAI_IS_LINK_CLIENT (self));
  self->restoring = restoring;
}

gboolean
yatai_link_client_get_connected (YataiLinkClient *self)
{
  g_return_val_if_fail (YATAI_IS_LINK_CLIENT (self), FALSE);
  return self->connection != NULL && self->welcomed &&
         soup_websocket_connection_get_state (self->connection) == SOUP_WEBSOCKET_STATE_OPEN;
}

gboolean
yatai_link_client_get_connecting (YataiLinkClient *self)
{
  g_return_val_if_fail (YATAI_IS_LINK_CLIENT (self), FALSE);
  return self->connecting || (self->connection != NULL && !self->welcomed);
}

const char *
yatai_link_client_get_address (YataiLinkClient *self)
{
  g_return_val_if_fail (YATAI_IS_LINK_CLIENT (self), NULL);
  return self->address;
}

/* The other devices following the writer when it welcomed this one ("NAME (ADDRESS)"), or NULL. */
const char * const *
yatai_link_client_get_writer_peers (YataiLinkClient *self)
{
  g_return_val_if_fail (YATAI_IS_LINK_CLIENT (self), NULL);
  return self->welcomed ? (const char * const *) self->writer_peers : NULL;
}

/* Why the writer cannot apply commands now ("disk-full", "cannot-save"), as it said; NULL: it can. */
const char *
yatai_link_client_get_writer_trouble (YataiLinkClient *self)
{
  g_return_val_if_fail (YATAI_IS_LINK_CLIENT (self), NULL);
  return self->welcomed ? self->writer_trouble : NULL;
}

const char *
yatai_link_client_get_writer_name (YataiLinkClient *self)
{
  g_return_val_if_fail (YATAI_IS_LINK_CLIENT (self), NULL);
  return self->welcomed ? self->writer_name : NULL;
}

const char *
yatai_link_client_get_writer_device (YataiLinkClient *self)
{
  g_return_val_if_fail (YATAI_IS_LINK_CLIENT (self), NULL);
  return self->welcomed ? self->writer_device : NULL;
}

gint64
yatai_link_client_get_writer_head (YataiLinkClient *self)
{
  g_return_val_if_fail (YATAI_IS_LINK_CLIENT (self), 0);
  return self->writer_head;
}

const char *
yatai_link_client_get_error (YataiLinkClient *self)
{
  g_return_val_if_fail (YATAI_IS_LINK_CLIENT (self), NULL);
  return self->error ? self->error->message : NULL;
}

const GError *
yatai_link_client_get_last_error (YataiLinkClient *self)
{
  g_return_val_if_fail (YATAI_IS_LINK_CLIENT (self), NULL);
  return self->error;
}

/* Commands */

void
yatai_link_client_command_async (YataiLinkClient     *self,
                                 YataiCommand        *command,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *json = NULL;
  g_autofree char *text = NULL;

  g_return_if_fail (YATAI_IS_LINK_CLIENT (self));
  g_return_if_fail (YATAI_IS_COMMAND (command));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, yatai_link_client_command_async);
  if (!yatai_link_client_get_connected (self))
    {
      g_task_return_new_error (task, YATAI_LINK_ERROR, YATAI_LINK_ERROR_UNAVAILABLE,
                               _("The link to the writer is down."));
      return;
    }

  json = yatai_command_to_json (command);
  text = g_strdup_printf ("{\"command\":%s}", json);
  g_hash_table_replace (self->pending, g_strdup (yatai_command_get_id (command)), g_object_ref (task));
  soup_websocket_connection_send_text (self->connection, text);
}

JsonNode *
yatai_link_client_command_finish (YataiLinkClient  *self,
                                  GAsyncResult     *result,
                                  GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
