/* bench-link.c: the venue link beside the bucket, in one run
 *
 * Usage: bench-link [ORDERS] [COMMANDS]   (500 orders at 10 a second; 200 commands from each follower,
 *                                          4 a second)
 *
 * A writer ("Counter PC", this process) and two followers, each in a process of its own as on their
 * own machines, on one yatai-test-bucket with 20 ms added to every request: "Kitchen" follows over the
 * venue link, through a relay that holds each direction's bytes 2 ms; "Till" has no link and follows
 * through the bucket. Prints, as a table, for each path: the writer's commit → the follower's store
 * (p50, p99), and a follower's command → its result back on the follower (p50, p99), beside the goals
 * (link: 30 ms and 50 ms at p99). Times are CLOCK_MONOTONIC, the same in every process.
 *
 * A follower process (bench-link --follower NAME URL DIR [LINK]) says on its standard output "ready"
 * once it follows, "arrived ID TIME" for each order that reaches its store, "trip MS" for each command
 * answered and "answered" after the last; it reads "status ID..." (send these order.status commands,
 * 4 a second) on its standard input, and ends when that closes.
 */
#include "config.h"

#include <gio/gunixinputstream.h>
#include <stdio.h>

#include "bench-stall.h"
#include "tcp-relay.h"
#include "yatai-store-journal.h"
#include "yatai-store-orders.h"

#define PREFIX     "bench/link"
#define LINK_MS    2
#define BUCKET_MS  20
#define TAP_MS     250

/* The follower process */

typedef struct
{
  BenchDevice *device;
  GHashTable  *sent_at;   /* command id → gint64* monotonic µs */
  gint64      *ids;       /* the orders to move on, 0-terminated */
  guint        next;
  gboolean     quit;
} Follower;

static void
arrived_cb (YataiStore   *store,
            YataiChanges *changes,
            Follower     *follower)
{
  gint64 now = g_get_monotonic_time ();

  for (guint i = 0; changes->order_ids != NULL && i < changes->order_ids->len; i++)
    printf ("arrived %" G_GINT64_FORMAT " %" G_GINT64_FORMAT "\n", g_array_index (changes->order_ids, gint64, i), now);
  fflush (stdout);
}

static void
answered_cb (YataiSyncEngine *engine,
             const char      *id,
             const char      *refusal,
             Follower        *follower)
{
  gint64 *at = g_hash_table_lookup (follower->sent_at, id);

  if (at == NULL)
    return;
  if (refusal != NULL)
    g_error ("A command was refused: %s", refusal);
  printf ("trip %.3f\n", (g_get_monotonic_time () - *at) / 1000.0);
  g_hash_table_remove (follower->sent_at, id);
  if (g_hash_table_size (follower->sent_at) == 0 && follower->ids[follower->next] == 0)
    printf ("answered\n");
  fflush (stdout);
}

/* A kitchen's tap: the next order moves on to "processing". */
static gboolean
tap_cb (gpointer data)
{
  Follower *follower = data;
  g_autoptr(JsonObject) args = json_object_new ();
  g_autoptr(YataiCommand) command = NULL;
  g_autoptr(JsonNode) result = NULL;
  g_autoptr(GError) error = NULL;
  gboolean sent = FALSE;

  if (follower->ids[follower->next] == 0)
    return G_SOURCE_REMOVE;
  json_object_set_int_member (args, "id", follower->ids[follower->next++]);
  json_object_set_string_member (args, "status", "processing");
  command = yatai_command_new ("order.status", args);
  g_hash_table_insert (follower->sent_at, g_strdup (yatai_command_get_id (command)),
                       g_memdup2 ((gint64[]) { g_get_monotonic_time () }, sizeof (gint64)));
  result = yatai_sync_engine_execute (follower->device->engine, command, &sent, &error);
  if (result == NULL || !sent)
    g_error ("%s did not send its command", follower->device->name);
  return G_SOURCE_CONTINUE;
}

static void
order_read_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      data)
{
  Follower *follower = data;
  g_autofree char *line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source), result, NULL, NULL);
  g_auto(GStrv) words = NULL;
  guint n;

  if (line == NULL)
    {
      follower->quit = TRUE;
      return;
    }
  words = g_strsplit (line, " ", -1);
  n = g_strv_length (words);
  if (n > 1 && g_str_equal (words[0], "status"))
    {
      g_free (follower->ids);
      follower->ids = g_new0 (gint64, n);
      for (guint i = 1; i < n; i++)
        follower->ids[i - 1] = g_ascii_strtoll (words[i], NULL, 10);
      follower->next = 0;
      g_timeout_add (TAP_MS, tap_cb, follower);
    }
  g_data_input_stream_read_line_async (G_DATA_INPUT_STREAM (source), G_PRIORITY_DEFAULT, NULL, order_read_cb, follower);
}

static gboolean
joined (gpointer data)
{
  Follower *follower = data;
  YataiSyncEngine *engine = follower->device->engine;

  return yatai_sync_engine_get_role (engine) == YATAI_SYNC_FOLLOWER &&
         (g_object_get_data (G_OBJECT (engine), "link") == NULL || yatai_sync_engine_get_link_writer (engine) != NULL);
}

static int
run_follower (const char *name,
              const char *url,
              const char *dir,
              const char *link)
{
  g_autoptr(GInputStream) in = g_unix_input_stream_new (0, FALSE);
  g_autoptr(GDataInputStream) orders = g_data_input_stream_new (in);
  Follower follower = { 0 };

  follower.device = bench_device_new (dir, name, bench_orders_new ());
  follower.sent_at = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  follower.ids = g_new0 (gint64, 1);
  bench_device_connect (follower.device, url, PREFIX, NULL, link);
  /* Without an address of its own, a follower finds the writer through the lease and DNS-SD: the
   * bucket's follower must not. */
  yatai_sync_engine_set_link_follow (follower.device->engine, link != NULL);
  if (link != NULL)
    g_object_set_data (G_OBJECT (follower.device->engine), "link", (gpointer) link);
  g_signal_connect (follower.device->store, "changed", G_CALLBACK (arrived_cb), &follower);
  g_signal_connect (follower.device->engine, "command-finished", G_CALLBACK (answered_cb), &follower);
  yatai_sync_engine_start (follower.device->engine);
  if (!bench_run_until (joined, &follower, 60))
    g_error ("%s did not join the stall", name);
  printf ("ready %s\n", yatai_store_get_device_id (follower.device->store));
  fflush (stdout);

  g_data_input_stream_read_line_async (orders, G_PRIORITY_DEFAULT, NULL, order_read_cb, &follower);
  while (!follower.quit)
    g_main_context_iteration (NULL, TRUE);
  bench_device_close (follower.device);
  return 0;
}

/* The writer's process */

typedef struct
{
  const char       *name;
  GSubprocess      *process;
  GDataInputStream *out;
  gboolean          ready;
  char             *device_id;
  gboolean          answered;
  gboolean          exited;
  BenchArrivals    *arrivals; /* commit → its store */
  GArray           *trips;    /* ms, command → result */
} Child;

static GHashTable *committed;   /* order id → gint64* commit time on the writer (monotonic µs) */

static void
child_line_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      data)
{
  Child *child = data;
  g_autofree char *line = g_data_input_stream_read_line_finish_utf8 (child->out, result, NULL, NULL);
  g_auto(GStrv) words = NULL;

  if (line == NULL)
    return;
  words = g_strsplit (line, " ", -1);
  if (g_str_equal (words[0], "ready") && words[1] != NULL)
    {
      child->device_id = g_strdup (words[1]);
      child->ready = TRUE;
    }
  else if (g_str_equal (words[0], "answered"))
    child->answered = TRUE;
  else if (g_str_equal (words[0], "trip") && words[1] != NULL)
    {
      double ms = g_ascii_strtod (words[1], NULL);

      g_array_append_val (child->trips, ms);
    }
  else if (g_str_equal (words[0], "arrived") && words[1] != NULL && words[2] != NULL)
    bench_arrivals_note (child->arrivals, g_ascii_strtoll (words[1], NULL, 10), g_ascii_strtoll (words[2], NULL, 10));
  g_data_input_stream_read_line_async (child->out, G_PRIORITY_DEFAULT, NULL, child_line_cb, child);
}

static Child *
child_new (const char *self_path,
           const char *name,
           const char *url,
           const char *dir,
           const char *link)
{
  const char *argv[] = { self_path, "--follower", name, url, dir, link, NULL };
  g_autoptr(GError) error = NULL;
  Child *child = g_new0 (Child, 1);

  child->name = name;
  child->process = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
  if (child->process == NULL)
    g_error ("%s", error->message);
  child->out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (child->process));
  child->arrivals = bench_arrivals_new (committed);
  child->trips = g_array_new (FALSE, FALSE, sizeof (double));
  g_data_input_stream_read_line_async (child->out, G_PRIORITY_DEFAULT, NULL, child_line_cb, child);
  return child;
}

static void
child_say (Child      *child,
           const char *line)
{
  g_autoptr(GError) error = NULL;

  if (!g_output_stream_write_all (g_subprocess_get_stdin_pipe (child->process), line, strlen (line), NULL, NULL, &error))
    g_error ("%s: %s", child->name, error->message);
}

static void
exited_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      data)
{
  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  *(gboolean *) data = TRUE;
}

static gboolean
has_exited (gpointer data)
{
  return ((Child *) data)->exited;
}

static gboolean
is_writer (gpointer data)
{
  return yatai_sync_engine_get_role (((BenchDevice *) data)->engine) == YATAI_SYNC_WRITER;
}

static gboolean
both_ready (gpointer data)
{
  Child **children = data;

  return children[0]->ready && children[1]->ready;
}

static gboolean
all_arrived (gpointer data)
{
  Child **children = data;

  return bench_arrivals_all_in (children[0]->arrivals) && bench_arrivals_all_in (children[1]->arrivals);
}

static gboolean
both_answered (gpointer data)
{
  Child **children = data;

  return children[0]->answered && children[1]->answered;
}

/* The load average of the last 1, 5 and 15 minutes. */
static char *
load (void)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) fields = NULL;

  if (!g_file_get_contents ("/proc/loadavg", &text, NULL, NULL))
    return g_strdup ("unknown");
  fields = g_strsplit (text, " ", 4);
  return g_strdup_printf ("%s %s %s", fields[0], fields[1] ? fields[1] : "", fields[1] && fields[2] ? fields[2] : "");
}

int
main (int   argc,
      char *argv[])
{
  guint n, n_commands;
  const char *server_args[] = { "--bucket", "stall", "--latency-ms", G_STRINGIFY (BUCKET_MS), NULL };
  g_autofree char *dir = NULL;
  g_autofree char *url = NULL;
  g_autofree char *link = NULL;
  g_autofree char *relayed = NULL;
  g_autofree char *load_before = NULL;
  g_autofree char *load_after = NULL;
  g_autoptr(GSubprocess) server = NULL;
  BenchDevice *counter;
  Child *children[2];
  Relay *relay;
  gint64 product;
  double stats[2][4];
  gint64 through_inbox[2];
  gboolean met;

  if (argc >= 5 && g_str_equal (argv[1], "--follower"))
    return run_follower (argv[2], argv[3], argv[4], argc > 5 ? argv[5] : NULL);

  n = argc > 1 ? (guint) g_ascii_strtoull (argv[1], NULL, 10) : 500;
  n_commands = argc > 2 ? (guint) g_ascii_strtoull (argv[2], NULL, 10) : 200;
  dir = g_dir_make_tmp ("bench-link-XXXXXX", NULL);
  load_before = load ();
  server = bench_server_start (argv[0], server_args, &url);
  counter = bench_device_new (dir, "Counter PC", bench_orders_new ());
  product = bench_add_product (counter->store, "焼きそば");
  committed = bench_commits_new ();
  bench_device_connect (counter, url, PREFIX, "127.0.0.1:0", NULL);
  yatai_sync_engine_start (counter->engine);
  if (!bench_run_until (is_writer, counter, 30))
    g_error ("The counter did not become the writer");
  link = g_strdup_printf ("127.0.0.1:%u", yatai_sync_engine_get_link_port (counter->engine));
  relay = relay_new_in_thread (link, LINK_MS);
  relayed = g_strdup_printf ("127.0.0.1:%u", relay_get_port (relay));

  children[0] = child_new (argv[0], "Kitchen", url, dir, relayed);
  children[1] = child_new (argv[0], "Till", url, dir, NULL);
  if (!bench_run_until (both_ready, children, 60))
    g_error ("The followers did not join");
  bench_spin (1000);

  /* The writer's commits, 10 a second. */
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(JsonObject) answer = NULL;
      gint64 at, id;

      if (!bench_device_take_order (counter, product, NULL, &answer) || answer == NULL)
        g_error ("The writer did not take an order");
      at = g_get_monotonic_time ();
      id = json_object_get_int_member (answer, "id");
      bench_commits_add (committed, id, at);
      bench_spin (100);
    }
  if (!bench_run_until (all_arrived, children, 60))
    g_error ("Not every order reached both followers");

  /* Each follower's commands, 4 a second each, at the same time, on orders of their own. */
  {
    g_autoptr(GPtrArray) active = yatai_store_list_orders (counter->store, YATAI_ORDER_QUERY_ACTIVE, 0, NULL);
    GString *lines[2] = { g_string_new ("status"), g_string_new ("status") };

    for (guint i = 0; i < n_commands && 2 * i + 1 < active->len; i++)
      for (guint c = 0; c < 2; c++)
        g_string_append_printf (lines[c], " %" G_GINT64_FORMAT, yatai_order_get_id (active->pdata[2 * i + c]));
    for (guint c = 0; c < 2; c++)
      {
        g_string_append_c (lines[c], '\n');
        child_say (children[c], lines[c]->str);
        g_string_free (lines[c], TRUE);
      }
    if (!bench_run_until (both_answered, children, 300))
      g_error ("Not every command was answered");
  }
  load_after = load ();

  for (guint c = 0; c < 2; c++)
    {
      stats[c][0] = bench_percentile (children[c]->arrivals->lags[0], 0.5);
      stats[c][1] = bench_percentile (children[c]->arrivals->lags[0], 0.99);
      stats[c][2] = bench_percentile (children[c]->trips, 0.5);
      stats[c][3] = bench_percentile (children[c]->trips, 0.99);
    }
  for (guint c = 0; c < 2; c++)
    {
      g_autofree char *inbox = g_strdup_printf (PREFIX "/inbox/%s/", children[c]->device_id);
      g_autoptr(JsonObject) counts = bench_server_stats (url, inbox);

      through_inbox[c] = json_object_get_int_member_with_default (counts, "created", 0);
    }
  met = stats[0][1] <= 30 && stats[0][3] <= 50;

  printf ("The venue link beside the bucket: %u orders at 10 a second on the writer, then %u commands from each "
          "follower at 4 a second; %d ms added each way on the link, %d ms on every bucket request; each device "
          "a process; load average %s before, %s after\n\n",
          n, children[0]->trips->len, LINK_MS, BUCKET_MS, load_before, load_after);
  printf ("| path | commit → follower p50 | p99 | command → result p50 | p99 | commands through the inbox |\n");
  printf ("| --- | ---: | ---: | ---: | ---: | ---: |\n");
  for (guint c = 0; c < 2; c++)
    printf ("| %s (%s) | %.0f ms | %.0f ms | %.0f ms | %.0f ms | %" G_GINT64_FORMAT " |\n", c == 0 ? "the link" : "the bucket",
            children[c]->name, stats[c][0], stats[c][1], stats[c][2], stats[c][3], through_inbox[c]);
  printf ("| goal for the link | | 30 ms | | 50 ms | |\n");
  printf ("\nThe link %s its goals (%u connection%s through the relay).\n", met ? "meets" : "MISSES",
          relay_get_connections (relay), relay_get_connections (relay) == 1 ? "" : "s");

  for (guint c = 0; c < 2; c++)
    {
      g_output_stream_close (g_subprocess_get_stdin_pipe (children[c]->process), NULL, NULL);
      g_subprocess_wait_async (children[c]->process, NULL, exited_cb, &children[c]->exited);
      if (!bench_run_until (has_exited, children[c], 30))
        {
          g_subprocess_force_exit (children[c]->process);
          g_subprocess_wait (children[c]->process, NULL, NULL);
        }
    }
  bench_device_close (counter);
  g_subprocess_force_exit (server);
  g_subprocess_wait (server, NULL, NULL);
  return met ? 0 : 1;
}
