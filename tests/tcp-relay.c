/* tcp-relay.c: a TCP relay on 127.0.0.1 for the link's tests and the benches (tcp-relay.h)
 *
 * Each accepted connection is joined to a new one to the target; for each direction a read loop
 * keeps what arrives and queues it with the time it may leave, and a write loop sends the queue's
 * head once that time has come. A frozen relay reads on and drops what it reads.
 */
#include "config.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>

#include "tcp-relay.h"

struct _Relay
{
  char           *target;
  guint           delay_ms;
  GMainContext   *context;       /* where its connections run */
  GSocketService *service;
  guint16         port;
  gint            frozen;        /* atomic */
  GMutex          lock;          /* captured, connections and port: the relay's thread may be another */
  GCond           ready;
  GByteArray     *captured;
  guint           connections;
};

typedef struct _Pair Pair;

typedef struct
{
  Pair          *pair;
  GInputStream  *in;
  GOutputStream *out;
  GSocket       *out_socket;
  GQueue         chunks;     /* Chunk */
  gboolean       writing;
  gboolean       eof;
  gboolean       shut;
  GSource       *timer;
} Pipe;

struct _Pair
{
  Relay             *relay;
  GSocketConnection *a, *b;
  Pipe               pipes[2];
  int                refs;
  gboolean           closed;
};

typedef struct
{
  gint64  due;   /* monotonic µs */
  GBytes *bytes;
} Chunk;

#define CHUNK_SIZE 65536

static void pump (Pipe *pipe);
static void read_next (Pipe *pipe);
static void relay_clear (Relay *relay);

static Pair *
pair_ref (Pair *pair)
{
  pair->refs++;
  return pair;
}

static void
chunk_free (Chunk *chunk)
{
  g_bytes_unref (chunk->bytes);
  g_free (chunk);
}

static void
pair_close (Pair *pair)
{
  if (pair->closed)
    return;
  pair->closed = TRUE;
  for (int i = 0; i < 2; i++)
    if (pair->pipes[i].timer != NULL)
      {
        g_source_destroy (pair->pipes[i].timer);
        g_clear_pointer (&pair->pipes[i].timer, g_source_unref);
      }
  g_io_stream_close (G_IO_STREAM (pair->a), NULL, NULL);
  g_io_stream_close (G_IO_STREAM (pair->b), NULL, NULL);
}

/* The pairs still running hold the relay until their connections close. */
static void
pair_unref (Pair *pair)
{
  if (--pair->refs > 0)
    return;
  pair_close (pair);
  for (int i = 0; i < 2; i++)
    g_queue_clear_full (&pair->pipes[i].chunks, (GDestroyNotify) chunk_free);
  g_object_unref (pair->a);
  g_object_unref (pair->b);
  g_atomic_rc_box_release_full (pair->relay, (GDestroyNotify) relay_clear);
  g_free (pair);
}

static void
read_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Pipe *pipe = user_data;
  Pair *pair = pipe->pair;
  Relay *relay = pair->relay;
  g_autoptr(GBytes) bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result, NULL);

  if (!pair->closed)
    {
      if (bytes == NULL || g_bytes_get_size (bytes) == 0)
        {
          pipe->eof = TRUE;
          pump (pipe);
        }
      else if (g_atomic_int_get (&relay->frozen))
        read_next (pipe);
      else
        {
          Chunk *chunk = g_new0 (Chunk, 1);
          gsize size;
          const guint8 *data = g_bytes_get_data (bytes, &size);

          g_mutex_lock (&relay->lock);
          g_byte_array_append (relay->captured, data, size);
          g_mutex_unlock (&relay->lock);
          chunk->due = g_get_monotonic_time () + (gint64) relay->delay_ms * 1000;
          chunk->bytes = g_steal_pointer (&bytes);
          g_queue_push_tail (&pipe->chunks, chunk);
          pump (pipe);
          read_next (pipe);
        }
    }
  pair_unref (pair);
}

static void
read_next (Pipe *pipe)
{
  g_input_stream_read_bytes_async (pipe->in, CHUNK_SIZE, G_PRIORITY_DEFAULT, NULL, read_cb, pipe);
  pair_ref (pipe->pair);
}

static void
write_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  Pipe *pipe = user_data;
  Pair *pair = pipe->pair;
  gboolean ok = g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, NULL);

  pipe->writing = FALSE;
  chunk_free (g_queue_pop_head (&pipe->chunks));
  if (!ok)
    pair_close (pair);
  else if (!pair->closed)
    pump (pipe);
  pair_unref (pair);
}

static gboolean
due_cb (gpointer user_data)
{
  Pipe *pipe = user_data;

  g_clear_pointer (&pipe->timer, g_source_unref);
  pump (pipe);
  return G_SOURCE_REMOVE;
}

/* Sends the head of the queue once it is due; at the end of a direction, shuts that side. */
static void
pump (Pipe *pipe)
{
  Pair *pair = pipe->pair;
  Chunk *chunk;
  gint64 now;

  if (pipe->writing || pipe->timer != NULL || pair->closed)
    return;
  chunk = g_queue_peek_head (&pipe->chunks);
  if (chunk == NULL)
    {
      if (pipe->eof && !pipe->shut)
        {
          pipe->shut = TRUE;
          g_socket_shutdown (pipe->out_socket, FALSE, TRUE, NULL);
          if (pair->pipes[0].shut && pair->pipes[1].shut)
            pair_close (pair);
        }
      return;
    }
  now = g_get_monotonic_time ();
  if (chunk->due > now)
    {
      pipe->timer = g_timeout_source_new ((guint) ((chunk->due - now + 999) / 1000));
      g_source_set_callback (pipe->timer, due_cb, pipe, NULL);
      g_source_attach (pipe->timer, pair->relay->context);
      return;
    }
  pipe->writing = TRUE;
  g_output_stream_write_all_async (pipe->out, g_bytes_get_data (chunk->bytes, NULL), g_bytes_get_size (chunk->bytes),
                                   G_PRIORITY_DEFAULT, NULL, write_cb, pipe);
  pair_ref (pair);
}

static gboolean
incoming_cb (GSocketService    *service,
             GSocketConnection *connection,
             GObject           *source,
             gpointer           user_data)
{
  Relay *relay = user_data;
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GError) error = NULL;
  GSocketConnection *target = g_socket_client_connect_to_host (client, relay->target, 0, NULL, &error);
  Pair *pair;

  if (target == NULL)
    {
      g_message ("The relay cannot reach %s: %s", relay->target, error->message);
      return FALSE;
    }
  g_socket_set_option (g_socket_connection_get_socket (connection), IPPROTO_TCP, TCP_NODELAY, 1, NULL);
  g_socket_set_option (g_socket_connection_get_socket (target), IPPROTO_TCP, TCP_NODELAY, 1, NULL);
  pair = g_new0 (Pair, 1);
  pair->relay = g_atomic_rc_box_acquire (relay);
  pair->a = g_object_ref (connection);
  pair->b = target;
  pair->refs = 1;
  for (int i = 0; i < 2; i++)
    {
      GSocketConnection *from = i == 0 ? pair->a : pair->b, *to = i == 0 ? pair->b : pair->a;

      pair->pipes[i].pair = pair;
      pair->pipes[i].in = g_io_stream_get_input_stream (G_IO_STREAM (from));
      pair->pipes[i].out = g_io_stream_get_output_stream (G_IO_STREAM (to));
      pair->pipes[i].out_socket = g_socket_connection_get_socket (to);
      g_queue_init (&pair->pipes[i].chunks);
      read_next (&pair->pipes[i]);
    }
  pair_unref (pair);   /* the reads hold it now */
  g_mutex_lock (&relay->lock);
  relay->connections++;
  g_mutex_unlock (&relay->lock);
  return TRUE;
}

static Relay *
relay_alloc (const char *target,
             guint       delay_ms)
{
  Relay *relay = g_atomic_rc_box_new0 (Relay);

  relay->target = g_strdup (target);
  relay->delay_ms = delay_ms;
  relay->captured = g_byte_array_new ();
  g_mutex_init (&relay->lock);
  g_cond_init (&relay->ready);
  return relay;
}

/* Listens on 127.0.0.1, on the thread-default main context (its connections' context). */
static void
relay_listen (Relay *relay)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  relay->context = g_main_context_ref_thread_default ();
  relay->service = g_socket_service_new ();
  if (!g_socket_listener_add_address (G_SOCKET_LISTENER (relay->service), address, G_SOCKET_TYPE_STREAM,
                                      G_SOCKET_PROTOCOL_TCP, NULL, &bound, &error))
    g_error ("The relay cannot listen: %s", error->message);
  g_signal_connect (relay->service, "incoming", G_CALLBACK (incoming_cb), relay);
  g_socket_service_start (relay->service);
  g_mutex_lock (&relay->lock);
  relay->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  g_cond_signal (&relay->ready);
  g_mutex_unlock (&relay->lock);
}

Relay *
relay_new (const char *target)
{
  Relay *relay = relay_alloc (target, 0);

  relay_listen (relay);
  return relay;
}

static gpointer
relay_thread (gpointer data)
{
  Relay *relay = data;
  GMainContext *context = g_main_context_new ();

  g_main_context_push_thread_default (context);
  relay_listen (relay);
  for (;;)
    g_main_context_iteration (context, TRUE);
  return NULL;
}

Relay *
relay_new_in_thread (const char *target,
                     guint       delay_ms)
{
  Relay *relay = relay_alloc (target, delay_ms);

  g_mutex_lock (&relay->lock);
  g_thread_unref (g_thread_new ("tcp-relay", relay_thread, relay));
  while (relay->port == 0)
    g_cond_wait (&relay->ready, &relay->lock);
  g_mutex_unlock (&relay->lock);
  return relay;
}

static void
relay_clear (Relay *relay)
{
  g_byte_array_unref (relay->captured);
  g_free (relay->target);
  g_main_context_unref (relay->context);
  g_mutex_clear (&relay->lock);
  g_cond_clear (&relay->ready);
}

/* Stops listening (a relay of relay_new()); the connections still open go on until they close. */
void
relay_free (Relay *relay)
{
  g_socket_service_stop (relay->service);
  g_socket_listener_close (G_SOCKET_LISTENER (relay->service));
  g_clear_object (&relay->service);
  g_atomic_rc_box_release_full (relay, (GDestroyNotify) relay_clear);
}

/* The port it listens on, on 127.0.0.1. */
guint16
relay_get_port (Relay *relay)
{
  return relay->port;
}

/* How many connections it has relayed. */
guint
relay_get_connections (Relay *relay)
{
  guint n;

  g_mutex_lock (&relay->lock);
  n = relay->connections;
  g_mutex_unlock (&relay->lock);
  return n;
}

/* From now on nothing passes either way, and nothing is closed. */
void
relay_freeze (Relay *relay)
{
  g_atomic_int_set (&relay->frozen, TRUE);
}

/* How many bytes have passed, both ways. */
gsize
relay_get_captured_size (Relay *relay)
{
  gsize size;

  g_mutex_lock (&relay->lock);
  size = relay->captured->len;
  g_mutex_unlock (&relay->lock);
  return size;
}

gboolean
relay_captured_holds_bytes (Relay        *relay,
                            const guint8 *data,
                            gsize         size)
{
  gboolean found = FALSE;

  g_mutex_lock (&relay->lock);
  for (gsize i = 0; !found && i + size <= relay->captured->len; i++)
    found = memcmp (relay->captured->data + i, data, size) == 0;
  g_mutex_unlock (&relay->lock);
  return found;
}

gboolean
relay_captured_holds (Relay      *relay,
                      const char *text)
{
  return relay_captured_holds_bytes (relay, (const guint8 *) text, strlen (text));
}
