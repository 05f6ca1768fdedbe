/* bench-relay.c: a TCP relay that delays each direction, for the benches (bench-relay.h)
 *
 * Each accepted connection is joined to a new one to the target; for each direction a read loop
 * queues what arrives with the time it may leave, and a write loop sends the queue's head once that
 * time has come. The TLS the devices speak passes through untouched.
 */
#include "config.h"

#include <netinet/in.h>
#include <netinet/tcp.h>

#include "bench-relay.h"

struct _BenchRelay
{
  guint16       target;
  guint         delay_ms;
  guint16       port;
  GMainContext *context;
  GMutex        lock;
  GCond         ready;
  guint         connections;
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
  BenchRelay        *relay;
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
  g_free (pair);
}

static void
read_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Pipe *pipe = user_data;
  Pair *pair = pipe->pair;
  g_autoptr(GBytes) bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result, NULL);

  if (!pair->closed)
    {
      if (bytes == NULL || g_bytes_get_size (bytes) == 0)
        {
          pipe->eof = TRUE;
          pump (pipe);
        }
      else
        {
          Chunk *chunk = g_new0 (Chunk, 1);

          chunk->due = g_get_monotonic_time () + (gint64) pair->relay->delay_ms * 1000;
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
  BenchRelay *relay = user_data;
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GError) error = NULL;
  GSocketConnection *target = g_socket_client_connect_to_host (client, "127.0.0.1", relay->target, NULL, &error);
  Pair *pair;

  if (target == NULL)
    {
      g_warning ("The relay cannot reach port %u: %s", relay->target, error->message);
      return TRUE;
    }
  g_socket_set_option (g_socket_connection_get_socket (connection), IPPROTO_TCP, TCP_NODELAY, 1, NULL);
  g_socket_set_option (g_socket_connection_get_socket (target), IPPROTO_TCP, TCP_NODELAY, 1, NULL);
  pair = g_new0 (Pair, 1);
  pair->relay = relay;
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

static gpointer
relay_thread (gpointer data)
{
  BenchRelay *relay = data;
  g_autoptr(GError) error = NULL;
  GSocketService *service;
  guint16 port;

  g_main_context_push_thread_default (relay->context);
  service = g_socket_service_new ();
  port = g_socket_listener_add_any_inet_port (G_SOCKET_LISTENER (service), NULL, &error);
  if (port == 0)
    g_error ("The relay cannot listen: %s", error->message);
  g_signal_connect (service, "incoming", G_CALLBACK (incoming_cb), relay);
  g_socket_service_start (service);

  g_mutex_lock (&relay->lock);
  relay->port = port;
  g_cond_signal (&relay->ready);
  g_mutex_unlock (&relay->lock);

  for (;;)
    g_main_context_iteration (relay->context, TRUE);
  return NULL;
}

BenchRelay *
bench_relay_new (guint16 port,
                 guint   delay_ms)
{
  BenchRelay *relay = g_new0 (BenchRelay, 1);

  relay->target = port;
  relay->delay_ms = delay_ms;
  relay->context = g_main_context_new ();
  g_mutex_init (&relay->lock);
  g_cond_init (&relay->ready);
  g_mutex_lock (&relay->lock);
  g_thread_unref (g_thread_new ("bench-relay", relay_thread, relay));
  while (relay->port == 0)
    g_cond_wait (&relay->ready, &relay->lock);
  g_mutex_unlock (&relay->lock);
  return relay;
}

/* The port the relay listens on (every address; the devices use 127.0.0.1). */
guint16
bench_relay_get_port (BenchRelay *relay)
{
  return relay->port;
}

/* How many connections it has relayed. */
guint
bench_relay_get_connections (BenchRelay *relay)
{
  guint n;

  g_mutex_lock (&relay->lock);
  n = relay->connections;
  g_mutex_unlock (&relay->lock);
  return n;
}
