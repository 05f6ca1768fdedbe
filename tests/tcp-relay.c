/* tcp-relay.c: a TCP relay on 127.0.0.1 for the link's and pairing's tests */
#include "config.h"

#include <string.h>

#include "tcp-relay.h"

typedef struct
{
  Relay         *relay;
  GIOStream     *from;
  GIOStream     *to;
  guint8         buffer[16384];
} Pump;

static void pump_read (Pump *pump);
static void relay_clear (Relay *relay);

static void
pump_read_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Pump *pump = user_data;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, NULL);

  if (n <= 0)
    {
      g_io_stream_close (pump->to, NULL, NULL);
      g_object_unref (pump->from);
      g_object_unref (pump->to);
      g_rc_box_release_full (pump->relay, (GDestroyNotify) relay_clear);
      g_free (pump);
      return;
    }
  if (!pump->relay->frozen)
    {
      g_byte_array_append (pump->relay->captured, pump->buffer, n);
      g_output_stream_write_all (g_io_stream_get_output_stream (pump->to), pump->buffer, n, NULL, NULL, NULL);
    }
  pump_read (pump);
}

static void
pump_read (Pump *pump)
{
  g_input_stream_read_async (g_io_stream_get_input_stream (pump->from), pump->buffer, sizeof pump->buffer,
                             G_PRIORITY_DEFAULT, NULL, pump_read_cb, pump);
}

static void
pump_start (Relay     *relay,
            GIOStream *from,
            GIOStream *to)
{
  Pump *pump = g_new0 (Pump, 1);

  pump->relay = g_rc_box_acquire (relay);
  pump->from = g_object_ref (from);
  pump->to = g_object_ref (to);
  pump_read (pump);
}

static gboolean
relay_incoming_cb (GSocketService    *service,
                   GSocketConnection *connection,
                   GObject           *source,
                   gpointer           user_data)
{
  Relay *relay = user_data;
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) onward = g_socket_client_connect_to_host (client, relay->target, 0, NULL, NULL);

  if (onward == NULL)
    return FALSE;
  pump_start (relay, G_IO_STREAM (connection), G_IO_STREAM (onward));
  pump_start (relay, G_IO_STREAM (onward), G_IO_STREAM (connection));
  return TRUE;
}

Relay *
relay_new (const char *target)
{
  Relay *relay = g_rc_box_new0 (Relay);
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  relay->target = g_strdup (target);
  relay->captured = g_byte_array_new ();
  relay->service = g_socket_service_new ();
  g_socket_listener_add_address (G_SOCKET_LISTENER (relay->service), address, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_TCP, NULL, &bound, &error);
  g_assert_no_error (error);
  relay->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  g_signal_connect (relay->service, "incoming", G_CALLBACK (relay_incoming_cb), relay);
  g_socket_service_start (relay->service);
  return relay;
}

static void
relay_clear (Relay *relay)
{
  g_byte_array_unref (relay->captured);
  g_free (relay->target);
}

/* The pumps still running hold the relay until their connections close. */
void
relay_free (Relay *relay)
{
  g_socket_service_stop (relay->service);
  g_socket_listener_close (G_SOCKET_LISTENER (relay->service));
  g_clear_object (&relay->service);
  g_rc_box_release_full (relay, (GDestroyNotify) relay_clear);
}

gboolean
relay_captured_holds_bytes (Relay        *relay,
                            const guint8 *data,
                            gsize         size)
{
  for (gsize i = 0; i + size <= relay->captured->len; i++)
    if (memcmp (relay->captured->data + i, data, size) == 0)
      return TRUE;
  return FALSE;
}

gboolean
relay_captured_holds (Relay      *relay,
                      const char *text)
{
  return relay_captured_holds_bytes (relay, (const guint8 *) text, strlen (text));
}

