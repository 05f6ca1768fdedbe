/* yatai-pair-server.c: the counter's end of pairing a device by a code */
#define G_LOG_DOMAIN "yatai-pair-server"

#include "config.h"

#include <ifaddrs.h>
#include <netinet/in.h>
#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "yatai-pair-server.h"
#include "yatai-segment.h"

G_DEFINE_ENUM_TYPE (YataiPairState, yatai_pair_state,
                    G_DEFINE_ENUM_VALUE (YATAI_PAIR_STATE_IDLE, "idle"),
                    G_DEFINE_ENUM_VALUE (YATAI_PAIR_STATE_WAITING, "waiting"),
                    G_DEFINE_ENUM_VALUE (YATAI_PAIR_STATE_SENDING, "sending"),
                    G_DEFINE_ENUM_VALUE (YATAI_PAIR_STATE_PAIRED, "paired"),
                    G_DEFINE_ENUM_VALUE (YATAI_PAIR_STATE_FAILED, "failed"))

struct _YataiPairServer
{
  GObject             parent_instance;

  GSocketService     *service;
  guint16             port;
  YataiPairStallFunc  func;
  gpointer            func_data;
  GDestroyNotify      func_destroy;
  GCancellable       *cancellable;

  YataiPairState      state;
  char               *code;
  char               *message;
  char               *device_name;
  gint64              expires_at;      /* monotonic µs */
  guint               lifetime_s;
  guint               attempts;        /* wrong codes typed for this code */
  guint               expiry_id;
  gboolean            busy;            /* a device is connected */
};

enum {
  PROP_0,
  PROP_STATE,
  PROP_MESSAGE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (YataiPairServer, yatai_pair_server, G_TYPE_OBJECT)

typedef struct
{
  YataiPairServer   *server;     /* a reference */
  GSocketConnection *connection;
  char              *greeting;
  char              *code;
  YataiPairChannel  *channel;
  char              *device_name;
  GBytes            *header;
  GBytes            *snapshot;
} Exchange;

static void
exchange_free (Exchange *exchange)
{
  g_clear_object (&exchange->server);
  g_clear_object (&exchange->connection);
  g_free (exchange->greeting);
  if (exchange->code != NULL)
    memset (exchange->code, 0, strlen (exchange->code));
  g_free (exchange->code);
  g_clear_pointer (&exchange->channel, yatai_pair_channel_free);
  g_free (exchange->device_name);
  g_clear_pointer (&exchange->header, g_bytes_unref);
  g_clear_pointer (&exchange->snapshot, g_bytes_unref);
  g_free (exchange);
}

static void
set_state (YataiPairServer *self,
           YataiPairState   state,
           const char      *message)
{
  if (g_strcmp0 (self->message, message) != 0)
    {
      g_free (self->message);
      self->message = g_strdup (message);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MESSAGE]);
    }
  if (self->state != state)
    {
      self->state = state;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
    }
}

/* The code stops working: it is forgotten, and the state says why. */
static void
void_code (YataiPairServer *self,
           YataiPairState   state,
           const char      *message)
{
  if (self->code != NULL)
    memset (self->code, 0, strlen (self->code));
  g_clear_pointer (&self->code, g_free);
  g_clear_handle_id (&self->expiry_id, g_source_remove);
  set_state (self, state, message);
}

static gboolean
expired_cb (gpointer data)
{
  YataiPairServer *self = data;

  self->expiry_id = 0;
  if (self->state == YATAI_PAIR_STATE_WAITING)
    void_code (self, YATAI_PAIR_STATE_FAILED,
               _("The code is no longer valid: it was shown for five minutes. Make a new one to add a device."));
  return G_SOURCE_REMOVE;
}

/* Step 1, on a worker thread: the greeting, then the handshake, which succeeds only with the code. */
static void
handshake_thread (GTask        *task,
                  gpointer      source,
                  gpointer      data,
                  GCancellable *cancellable)
{
  Exchange *exchange = data;
  GSocket *socket = g_socket_connection_get_socket (exchange->connection);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) hello = NULL;

  g_socket_set_blocking (socket, TRUE);
  g_socket_set_timeout (socket, YATAI_PAIR_TIMEOUT_S);
  if (!yatai_pair_write_line (socket, exchange->greeting, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (exchange->code == NULL)
    {
      g_task_return_boolean (task, FALSE);
      return;
    }
  exchange->channel = yatai_pair_channel_new (exchange->connection, TRUE, exchange->code, &error);
  if (exchange->channel == NULL ||
      !yatai_pair_channel_handshake (exchange->channel, &error) ||
      (hello = yatai_pair_channel_receive (exchange->channel, 4096, &error)) == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  {
    g_autoptr(JsonParser) parser = json_parser_new ();
    gsize size;
    const char *text = g_bytes_get_data (hello, &size);

    if (json_parser_load_from_data (parser, text, size, NULL) &&
        JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
      exchange->device_name = g_strdup (json_object_get_string_member_with_default (
        json_node_get_object (json_parser_get_root (parser)), "name", NULL));
  }
  g_task_return_boolean (task, TRUE);
}

/* Step 2, on a worker thread: the stall, then the device's "OK". */
static void
send_thread (GTask        *task,
             gpointer      source,
             gpointer      data,
             GCancellable *cancellable)
{
  Exchange *exchange = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) answer = NULL;

  if (!yatai_pair_channel_send (exchange->channel, exchange->header, &error) ||
      !yatai_pair_channel_send (exchange->channel, exchange->snapshot, &error) ||
      (answer = yatai_pair_channel_receive (exchange->channel, 64, &error)) == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  yatai_pair_channel_close (exchange->channel);
  g_task_return_boolean (task, TRUE);
}

static void
sent_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Exchange *exchange = user_data;
  YataiPairServer *self = exchange->server;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;

  self->busy = FALSE;
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          message = g_strdup_printf (_("The stall could not be sent to the new device: %s Make a new code to try again."),
                                     error->message);
          set_state (self, YATAI_PAIR_STATE_FAILED, message);
        }
      exchange_free (exchange);
      return;
    }
  g_free (self->device_name);
  self->device_name = g_strdup (exchange->device_name);
  message = g_strdup_printf (_("“%s” has the stall now and follows it."),
                             exchange->device_name && *exchange->device_name ? exchange->device_name : _("The new device"));
  set_state (self, YATAI_PAIR_STATE_PAIRED, message);
  exchange_free (exchange);
}

static void
handshake_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Exchange *exchange = user_data;
  YataiPairServer *self = exchange->server;
  g_autoptr(GError) error = NULL;
  g_autoptr(YataiPairing) pairing = NULL;
  g_autoptr(GTask) task = NULL;

  /* The code this device tried may have been withdrawn or replaced meanwhile (the window closed, New
   * Code): then it counts for nothing and gets nothing. */
  gboolean current = self->state == YATAI_PAIR_STATE_WAITING && g_strcmp0 (exchange->code, self->code) == 0;

  if (!g_task_propagate_boolean (G_TASK (result), &error) || !current)
    {
      self->busy = FALSE;
      if (g_error_matches (error, YATAI_PAIR_ERROR, YATAI_PAIR_ERROR_WRONG_CODE) && current)
        {
          g_autofree char *message = NULL;

          self->attempts++;
          if (self->attempts >= YATAI_PAIR_MAX_ATTEMPTS)
            void_code (self, YATAI_PAIR_STATE_FAILED,
                       _("A wrong code was typed three times, so this code no longer works. Make a new one to add a device."));
          else
            {
              message = g_strdup_printf (ngettext ("A device typed a wrong code. %u more try is allowed.",
                                                   "A device typed a wrong code. %u more tries are allowed.",
                                                   YATAI_PAIR_MAX_ATTEMPTS - self->attempts),
                                         YATAI_PAIR_MAX_ATTEMPTS - self->attempts);
              set_state (self, YATAI_PAIR_STATE_WAITING, message);
            }
        }
      else if (error != NULL)
        g_debug ("A pairing connection ended: %s", error->message);
      exchange_free (exchange);
      return;
    }

  /* The device knows the code: it is used up now, whatever happens next. */
  void_code (self, YATAI_PAIR_STATE_SENDING, _("Sending the stall to the new device…"));
  pairing = self->func (self->func_data, &error);
  if (pairing == NULL)
    {
      self->busy = FALSE;
      set_state (self, YATAI_PAIR_STATE_FAILED, error->message);
      exchange_free (exchange);
      return;
    }
  exchange->header = yatai_pairing_encode_header (pairing);
  exchange->snapshot = g_bytes_ref (pairing->snapshot);
  task = g_task_new (NULL, self->cancellable, sent_cb, exchange);
  g_task_set_task_data (task, exchange, NULL);
  g_task_run_in_thread (task, send_thread);
}

static gboolean
incoming_cb (GSocketService    *service,
             GSocketConnection *connection,
             GObject           *source_object,
             gpointer           user_data)
{
  YataiPairServer *self = user_data;
  Exchange *exchange = g_new0 (Exchange, 1);
  g_autoptr(GTask) task = NULL;

  exchange->server = g_object_ref (self);
  exchange->connection = g_object_ref (connection);
  if (self->busy)
    exchange->greeting = g_strdup ("YATAI-PAIR 1 BUSY");
  else if (self->state != YATAI_PAIR_STATE_WAITING || self->code == NULL)
    exchange->greeting = g_strdup ("YATAI-PAIR 1 NONE");
  else
    {
      /* One device at a time: guesses cannot be made side by side. */
      exchange->greeting = g_strdup ("YATAI-PAIR 1 READY");
      exchange->code = g_strdup (self->code);
      self->busy = TRUE;
    }
  task = g_task_new (NULL, self->cancellable, exchange->code ? handshake_cb : NULL, exchange->code ? exchange : NULL);
  g_task_set_task_data (task, exchange, exchange->code ? NULL : (GDestroyNotify) exchange_free);
  g_task_run_in_thread (task, handshake_thread);
  return TRUE;
}

YataiPairServer *
yatai_pair_server_new (YataiPairStallFunc func,
                       gpointer           user_data,
                       GDestroyNotify     destroy)
{
  YataiPairServer *self = g_object_new (YATAI_TYPE_PAIR_SERVER, NULL);

  self->func = func;
  self->func_data = user_data;
  self->func_destroy = destroy;
  return self;
}

/* @address: "HOST:PORT" with a numeric host, or NULL for every address at YATAI_PAIR_DEFAULT_PORT
 * (another free port when that one is taken). */
gboolean
yatai_pair_server_listen (YataiPairServer  *self,
                          const char       *address,
                          GError          **error)
{
  GSocketListener *listener;

  g_return_val_if_fail (YATAI_IS_PAIR_SERVER (self), FALSE);
  g_return_val_if_fail (self->port == 0, FALSE);

  listener = G_SOCKET_LISTENER (self->service);
  if (address != NULL)
    {
      g_autoptr(GSocketConnectable) parsed = g_network_address_parse (address, YATAI_PAIR_DEFAULT_PORT, error);
      g_autoptr(GInetAddress) inet = NULL;
      g_autoptr(GSocketAddress) socket_address = NULL;
      g_autoptr(GSocketAddress) effective = NULL;

      if (parsed == NULL)
        return FALSE;
      inet = g_inet_address_new_from_string (g_network_address_get_hostname (G_NETWORK_ADDRESS (parsed)));
      if (inet == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       _("“%s” is not an address of this device."), address);
          return FALSE;
        }
      socket_address = g_inet_socket_address_new (inet, g_network_address_get_port (G_NETWORK_ADDRESS (parsed)));
      if (!g_socket_listener_add_address (listener, socket_address, G_SOCKET_TYPE_STREAM,
                                          G_SOCKET_PROTOCOL_TCP, NULL, &effective, error))
        return FALSE;
      self->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
    }
  else if (g_socket_listener_add_inet_port (listener, YATAI_PAIR_DEFAULT_PORT, NULL, NULL))
    self->port = YATAI_PAIR_DEFAULT_PORT;
  else if ((self->port = g_socket_listener_add_any_inet_port (listener, NULL, error)) == 0)
    return FALSE;
  g_socket_service_start (self->service);
  return TRUE;
}

guint16
yatai_pair_server_get_port (YataiPairServer *self)
{
  g_return_val_if_fail (YATAI_IS_PAIR_SERVER (self), 0);
  return self->port;
}

/* A new code, valid for the lifetime from now, with all its tries; the one before stops working. */
const char *
yatai_pair_server_offer (YataiPairServer *self)
{
  g_return_val_if_fail (YATAI_IS_PAIR_SERVER (self), NULL);

  void_code (self, self->state, self->message);
  self->code = yatai_pair_code_new ();
  self->attempts = 0;
  self->expires_at = g_get_monotonic_time () + (gint64) self->lifetime_s * G_USEC_PER_SEC;
  self->expiry_id = g_timeout_add_seconds (self->lifetime_s, expired_cb, self);
  g_clear_pointer (&self->device_name, g_free);
  set_state (self, YATAI_PAIR_STATE_WAITING, NULL);
  return self->code;
}

void
yatai_pair_server_withdraw (YataiPairServer *self)
{
  g_return_if_fail (YATAI_IS_PAIR_SERVER (self));
  void_code (self, YATAI_PAIR_STATE_IDLE, NULL);
}

void
yatai_pair_server_set_lifetime (YataiPairServer *self,
                                guint            seconds)
{
  g_return_if_fail (YATAI_IS_PAIR_SERVER (self));
  self->lifetime_s = MAX (seconds, 1);
}

YataiPairState
yatai_pair_server_get_state (YataiPairServer *self)
{
  g_return_val_if_fail (YATAI_IS_PAIR_SERVER (self), YATAI_PAIR_STATE_IDLE);
  return self->state;
}

const char *
yatai_pair_server_get_code (YataiPairServer *self)
{
  g_return_val_if_fail (YATAI_IS_PAIR_SERVER (self), NULL);
  return self->code;
}

const char *
yatai_pair_server_get_message (YataiPairServer *self)
{
  g_return_val_if_fail (YATAI_IS_PAIR_SERVER (self), NULL);
  return self->message;
}

const char *
yatai_pair_server_get_device_name (YataiPairServer *self)
{
  g_return_val_if_fail (YATAI_IS_PAIR_SERVER (self), NULL);
  return self->device_name;
}

guint
yatai_pair_server_get_seconds_left (YataiPairServer *self)
{
  gint64 left;

  g_return_val_if_fail (YATAI_IS_PAIR_SERVER (self), 0);
  if (self->code == NULL)
    return 0;
  left = self->expires_at - g_get_monotonic_time ();
  return left > 0 ? (guint) ((left + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC) : 0;
}

guint
yatai_pair_server_get_attempts_left (YataiPairServer *self)
{
  g_return_val_if_fail (YATAI_IS_PAIR_SERVER (self), 0);
  return self->code ? YATAI_PAIR_MAX_ATTEMPTS - self->attempts : 0;
}

/* This device's addresses on its networks, IPv4 first, for the counter to show. */
GStrv
yatai_pair_local_addresses (void)
{
  g_autoptr(GStrvBuilder) v4 = g_strv_builder_new ();
  g_autoptr(GStrvBuilder) v6 = g_strv_builder_new ();
  g_auto(GStrv) first = NULL;
  g_auto(GStrv) second = NULL;
  struct ifaddrs *list = NULL;

  if (getifaddrs (&list) == 0)
    {
      for (struct ifaddrs *i = list; i != NULL; i = i->ifa_next)
        {
          g_autoptr(GSocketAddress) address = NULL;
          GInetAddress *inet;

          if (i->ifa_addr == NULL || (i->ifa_addr->sa_family != AF_INET && i->ifa_addr->sa_family != AF_INET6))
            continue;
          address = g_socket_address_new_from_native (i->ifa_addr, i->ifa_addr->sa_family == AF_INET
                                                                   ? sizeof (struct sockaddr_in)
                                                                   : sizeof (struct sockaddr_in6));
          inet = address ? g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (address)) : NULL;
          if (inet == NULL || g_inet_address_get_is_loopback (inet) || g_inet_address_get_is_link_local (inet))
            continue;
          {
            g_autofree char *text = g_inet_address_to_string (inet);

            g_strv_builder_add (i->ifa_addr->sa_family == AF_INET ? v4 : v6, text);
          }
        }
      freeifaddrs (list);
    }
  first = g_strv_builder_end (v4);
  second = g_strv_builder_end (v6);
  for (guint i = 0; second[i] != NULL; i++)
    {
      g_autoptr(GStrvBuilder) all = g_strv_builder_new ();

      g_strv_builder_addv (all, (const char **) first);
      g_strv_builder_addv (all, (const char **) second);
      return g_strv_builder_end (all);
    }
  return g_steal_pointer (&first);
}

static void
yatai_pair_server_dispose (GObject *object)
{
  YataiPairServer *self = YATAI_PAIR_SERVER (object);

  g_cancellable_cancel (self->cancellable);
  if (self->service != NULL)
    {
      g_socket_service_stop (self->service);
      g_socket_listener_close (G_SOCKET_LISTENER (self->service));
      g_signal_handlers_disconnect_by_data (self->service, self);
    }
  g_clear_object (&self->service);
  g_clear_handle_id (&self->expiry_id, g_source_remove);
  if (self->func_destroy != NULL)
    g_clear_pointer (&self->func_data, self->func_destroy);
  G_OBJECT_CLASS (yatai_pair_server_parent_class)->dispose (object);
}

static void
yatai_pair_server_finalize (GObject *object)
{
  YataiPairServer *self = YATAI_PAIR_SERVER (object);

  if (self->code != NULL)
    memset (self->code, 0, strlen (self->code));
  g_free (self->code);
  g_free (self->message);
  g_free (self->device_name);
  g_clear_object (&self->cancellable);
  G_OBJECT_CLASS (yatai_pair_server_parent_class)->finalize (object);
}

static void
yatai_pair_server_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  YataiPairServer *self = YATAI_PAIR_SERVER (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_MESSAGE:
      g_value_set_string (value, self->message);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
yatai_pair_server_class_init (YataiPairServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = yatai_pair_server_dispose;
  object_class->finalize = yatai_pair_server_finalize;
  object_class->get_property = yatai_pair_server_get_property;

  properties[PROP_STATE] = g_param_spec_enum ("state", NULL, NULL, YATAI_TYPE_PAIR_STATE, YATAI_PAIR_STATE_IDLE,
                                              G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_MESSAGE] = g_param_spec_string ("message", NULL, NULL, NULL,
                                                  G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
yatai_pair_server_init (YataiPairServer *self)
{
  self->service = g_socket_service_new ();
  self->cancellable = g_cancellable_new ();
  self->lifetime_s = YATAI_PAIR_CODE_SECONDS;
  g_signal_connect (self->service, "incoming", G_CALLBACK (incoming_cb), self);
}
