/* bench-sync.c: sync through yatai-test-bucket with 20 ms added to every request
 *
 * Usage: bench-sync [ORDERS] [RESTORE_ORDERS]   (1,000 orders at 10 a second; a 100,000-order restore)
 *        bench-sync faults [ORDERS]               the fault run: 2,000 orders at 50 a second, a fifth of the
 *                                                 requests failing (429, 503, dropped) and 2 s stalls
 * Prints, as tables: replication lag from the writer's commit to the follower's store (p50, p99); bytes
 * uploaded per order beside the WAL bytes the same commits wrote; bucket writes per order; lease writes
 * per hour; the time to restore a stall of RESTORE_ORDERS orders beside downloading the same bytes.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <stdio.h>

#include "bench-stall.h"
#include "yatai-gcs-bucket.h"
#include "yatai-store-journal.h"
#include "yatai-store-orders.h"
#include "yatai-store-products.h"
#include "yatai-sync-engine.h"

#define PREFIX "bench/stall"

static char *server_url;
static GHashTable *committed;   /* order id → gint64* commit time (µs), on the writer */
static BenchArrivals *arrivals; /* the follower's */
static gint64 wal_pages;

static gboolean fault_run;

static GSubprocess *
start_server (const char *path)
{
  const char *argv[] = { path, "--port", "0", "--bucket", "stall", "--bucket", "restore", "--latency-ms", "20", fault_run ? "--fail-rate" : NULL, "0.2",
                         "--seed", "11", NULL };
  g_autoptr(GError) error = NULL;
  GSubprocess *server = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
  g_autoptr(GDataInputStream) out = NULL;
  g_autofree char *line = NULL;

  if (server == NULL)
    g_error ("%s", error->message);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (server));
  line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, NULL);
  server_url = g_strdup (line + strlen ("listening on "));
  return server;
}

static YataiSyncEngine *
device (YataiStore *store,
        const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(YataiGcsBucket) bucket = yatai_gcs_bucket_connect ("stall", server_url, NULL, &error);
  YataiSyncEngine *engine;

  yatai_store_set_device_name (store, name);
  engine = yatai_sync_engine_new (store, YATAI_BUCKET (bucket), PREFIX);
  yatai_sync_engine_set_poll_interval (engine, 250);  /* the app's pace while visible */
  if (fault_run)
    yatai_gcs_client_set_retry (yatai_gcs_bucket_get_client (bucket), 100, 30000);
  g_object_set_data_full (G_OBJECT (engine), "bucket", g_object_ref (bucket), g_object_unref);
  return engine;
}

static YataiStore *
open_store (const char *dir,
            const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (dir, name, NULL);
  YataiStore *store = yatai_store_open (path, &error);

  if (store == NULL)
    g_error ("%s", error->message);
  return store;
}

static int
wal_hook_cb (gpointer    data,
             sqlite3    *db,
             const char *name,
             int         n_pages)
{
  static int last;

  /* The log's page count since its last reset: count what each commit added. */
  wal_pages += n_pages >= last ? n_pages - last : n_pages;
  last = n_pages;
  return SQLITE_OK;
}

static void
run_until (gboolean (*done) (gpointer),
           gpointer data,
           guint    seconds)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) seconds * G_USEC_PER_SEC;

  while (!done (data))
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("timed out");
      g_main_context_iteration (NULL, TRUE);
    }
}

static gboolean
is_writer (gpointer engine)
{
  return yatai_sync_engine_get_role (engine) == YATAI_SYNC_WRITER;
}

static gboolean
is_follower (gpointer engine)
{
  return yatai_sync_engine_get_role (engine) == YATAI_SYNC_FOLLOWER;
}

static void
pause_ms (guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, FALSE), g_usleep (1000);
}

typedef struct
{
  GAsyncResult *result;
} Wait;

static void
done_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      data)
{
  ((Wait *) data)->result = g_object_ref (result);
}

/* Objects under the stall's folder: how many, and how many bytes, by kind. */
static void
count_objects (const char *kind,
               guint      *n,
               gint64     *bytes)
{
  g_autoptr(YataiGcsClient) client = yatai_gcs_client_new (server_url, NULL);
  g_autofree char *prefix = g_strdup_printf ("%s/%s", PREFIX, kind);
  g_autoptr(GPtrArray) objects = NULL;
  Wait w = { 0 };

  yatai_gcs_client_list_async (client, "stall", prefix, 0, NULL, done_cb, &w);
  while (w.result == NULL)
    g_main_context_iteration (NULL, TRUE);
  objects = yatai_gcs_client_list_finish (client, w.result, NULL);
  g_object_unref (w.result);
  *n = objects->len;
  *bytes = 0;
  for (guint i = 0; i < objects->len; i++)
    *bytes += ((YataiGcsObject *) objects->pdata[i])->size;
}

static gint64
server_posts (void)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *url = g_strconcat (server_url, "/_test/stats", NULL);
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
  g_autoptr(GBytes) body = soup_session_send_and_read (session, msg, NULL, NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();

  json_parser_load_from_data (parser, g_bytes_get_data (body, NULL), g_bytes_get_size (body), NULL);
  return json_object_get_int_member_with_default (
    json_object_get_object_member (json_node_get_object (json_parser_get_root (parser)), "requests"), "POST", 0);
}

static void
fill_orders (YataiStore *store,
             guint       n)
{
  sqlite3 *db = yatai_store_get_db (store);
  sqlite3_stmt *order = NULL, *line = NULL;

  sqlite3_exec (db, "BEGIN", NULL, NULL, NULL);
  sqlite3_prepare_v2 (db, "INSERT INTO orders (call_number, business_day, customer, note, total, paid, status, created, "
                          "updated) VALUES (?, '2026-11-23', 'お客', '', 800, 1000, 'completed', ?, ?)", -1, &order, NULL);
  sqlite3_prepare_v2 (db, "INSERT INTO order_lines (order_id, line_no, product_id, name, unit_price, quantity) "
                          "VALUES (?, ?, NULL, ?, 400, 1)", -1, &line, NULL);
  for (guint i = 0; i < n; i++)
    {
      gint64 id;

      sqlite3_bind_int (order, 1, i % 500 + 1);
      sqlite3_bind_int64 (order, 2, G_GINT64_CONSTANT (1795400000000000) + i);
      sqlite3_bind_int64 (order, 3, G_GINT64_CONSTANT (1795400000000000) + i);
      sqlite3_step (order);
      sqlite3_reset (order);
      id = sqlite3_last_insert_rowid (db);
      for (int l = 1; l <= 2; l++)
        {
          sqlite3_bind_int64 (line, 1, id);
          sqlite3_bind_int (line, 2, l);
          sqlite3_bind_text (line, 3, l == 1 ? "焼きそば" : "ラムネ", -1, SQLITE_STATIC);
          sqlite3_step (line);
          sqlite3_reset (line);
        }
    }
  sqlite3_finalize (order);
  sqlite3_finalize (line);
  sqlite3_exec (db, "COMMIT", NULL, NULL, NULL);
}

static void
post_stall (void)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *url = g_strconcat (server_url, "/_test/faults", NULL);
  g_autoptr(SoupMessage) msg = soup_message_new ("POST", url);
  const char *stall = "{\"delay_ms\": 2000, \"times\": 3}";
  g_autoptr(GBytes) body = g_bytes_new_static (stall, strlen (stall));
  g_autoptr(GBytes) answer = NULL;

  soup_message_set_request_body_from_bytes (msg, "application/json", body);
  answer = soup_session_send_and_read (session, msg, NULL, NULL);
}

static guint
retries_of (YataiSyncEngine *engine)
{
  return yatai_gcs_client_get_n_retries (yatai_gcs_bucket_get_client (g_object_get_data (G_OBJECT (engine), "bucket")));
}

static guint
requests_of (YataiSyncEngine *engine)
{
  return yatai_gcs_client_get_n_requests (yatai_gcs_bucket_get_client (g_object_get_data (G_OBJECT (engine), "bucket")));
}

/* A follower's command → its result back on the follower (the writer lists its inbox, applies it, the
 * log brings it back). */
static GHashTable *sent_at;     /* command id → gint64* monotonic µs */
static GArray *round_trips;     /* ms */

static void
command_finished_cb (YataiSyncEngine *engine,
                     const char      *id,
                     const char      *refusal,
                     gpointer         data)
{
  gint64 *at = g_hash_table_lookup (sent_at, id);

  if (at == NULL)
    return;
  {
    double ms = (g_get_monotonic_time () - *at) / 1000.0;

    g_array_append_val (round_trips, ms);
  }
  g_hash_table_remove (sent_at, id);
}

static gboolean
all_answered (gpointer data)
{
  return g_hash_table_size (sent_at) == 0;
}

static void
follower_commands (YataiSyncEngine *follower,
                   YataiStore      *store,
                   guint            n,
                   double          *p50,
                   double          *p99)
{
  g_autoptr(GPtrArray) active = yatai_store_list_orders (store, YATAI_ORDER_QUERY_ACTIVE, 0, NULL);

  sent_at = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  round_trips = g_array_new (FALSE, FALSE, sizeof (double));
  g_signal_connect (follower, "command-finished", G_CALLBACK (command_finished_cb), NULL);
  for (guint i = 0; i < n && i < active->len; i++)
    {
      g_autoptr(JsonObject) args = json_object_new ();
      g_autoptr(YataiCommand) command = NULL;
      g_autoptr(JsonNode) result = NULL;
      gboolean sent = FALSE;

      json_object_set_int_member (args, "id", yatai_order_get_id (active->pdata[i]));
      json_object_set_string_member (args, "status", "processing");
      command = yatai_command_new ("order.status", args);
      g_hash_table_insert (sent_at, g_strdup (yatai_command_get_id (command)),
                           g_memdup2 ((gint64[]) { g_get_monotonic_time () }, sizeof (gint64)));
      result = yatai_sync_engine_execute (follower, command, &sent, NULL);
      if (!sent)
        g_error ("the follower did not send its command");
      pause_ms (250);   /* a kitchen's taps: four a second */
    }
  run_until (all_answered, NULL, 60);
  *p50 = bench_percentile (round_trips, 0.5);
  *p99 = bench_percentile (round_trips, 0.99);
}

static gint64
count_orders (YataiStore *store)
{
  sqlite3_stmt *stmt = NULL;
  gint64 n;

  sqlite3_prepare_v2 (yatai_store_get_db (store), "SELECT count(*) FROM orders", -1, &stmt, NULL);
  sqlite3_step (stmt);
  n = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return n;
}

int
main (int   argc,
      char *argv[])
{
  guint n, restore_n;
  guint pace_ms = 100;
  g_autofree char *here = g_path_get_dirname (argv[0]);
  g_autofree char *server_path = g_build_filename (here, "..", "tests", "server", "yatai-test-bucket", NULL);
  g_autofree char *dir = g_dir_make_tmp ("bench-sync-XXXXXX", NULL);
  g_autoptr(GSubprocess) server = NULL;
  g_autoptr(GError) error = NULL;
  YataiStore *writer_store = open_store (dir, "writer.sqlite3");
  YataiStore *follower_store = open_store (dir, "follower.sqlite3");
  YataiSyncEngine *writer, *follower;
  g_autoptr(GPtrArray) products = NULL;
  gint64 start, posts_before, elapsed;
  guint n_logs, n_snapshots, n_inbox, n_logs_before, n_snapshots_before;
  gint64 log_bytes, snapshot_bytes, inbox_bytes, log_bytes_before, snapshot_bytes_before;
  double p50, p99;

  fault_run = argc > 1 && g_str_equal (argv[1], "faults");
  if (fault_run)
    {
      argv++;
      argc--;
      pace_ms = 20;
    }
  n = argc > 1 ? (guint) g_ascii_strtoull (argv[1], NULL, 10) : fault_run ? 2000 : 1000;
  restore_n = argc > 2 ? (guint) g_ascii_strtoull (argv[2], NULL, 10) : 100000;
  g_free (server_path);
  server_path = g_build_filename (here, "..", "tests", "server", "yatai-test-bucket", NULL);
  g_clear_object (&server);
  server = start_server (server_path);
  committed = bench_commits_new ();
  arrivals = bench_arrivals_new (committed);

  if (!yatai_store_load_demo (writer_store, &error))
    g_error ("%s", error->message);
  writer = device (writer_store, "Counter PC");
  follower = device (follower_store, "Kitchen");
  yatai_sync_engine_start (writer);
  run_until (is_writer, writer, 30);
  yatai_sync_engine_start (follower);
  run_until (is_follower, follower, 30);
  bench_arrivals_watch (arrivals, follower_store);
  sqlite3_wal_hook (yatai_store_get_db (writer_store), wal_hook_cb, NULL);
  products = yatai_store_list_products (writer_store, NULL);
  pause_ms (1000);

  /* What the founding and joining wrote is not part of the measured window. */
  count_objects ("log/", &n_logs_before, &log_bytes_before);
  count_objects ("snapshot/", &n_snapshots_before, &snapshot_bytes_before);
  posts_before = server_posts ();
  start = g_get_monotonic_time ();
  for (guint i = 0; i < n; i++)
    {
      YataiProduct *product = products->pdata[i % 3];
      YataiCartLine line = { yatai_product_get_id (product), 1 };
      g_autoptr(JsonObject) args = yatai_order_confirm_args (&line, 1, "", "", 1000, FALSE, 5);
      g_autoptr(YataiCommand) command = yatai_command_new ("order.confirm", args);
      g_autoptr(JsonNode) result = NULL;
      gboolean sent;
      gint64 id;

      /* Plenty of stock, so nothing is refused. */
      if (i % 40 == 0)
        {
          g_autoptr(JsonObject) restock = yatai_product_save_args (yatai_product_get_id (product),
                                                                   yatai_product_get_name (product),
                                                                   yatai_product_get_price (product),
                                                                   100000, FALSE, NULL, NULL, TRUE);
          g_autoptr(YataiCommand) save = yatai_command_new ("product.save", restock);
          g_autoptr(JsonNode) saved = yatai_sync_engine_execute (writer, save, &sent, NULL);
        }
      result = yatai_sync_engine_execute (writer, command, &sent, &error);
      if (result == NULL)
        g_error ("%s", error->message);
      id = json_object_get_int_member (json_node_get_object (result), "id");
      bench_commits_add (committed, id, g_get_monotonic_time ());
      pause_ms (pace_ms);     /* 10 orders a second (50 in the fault run): busier than any counter */
      if (fault_run && i % 200 == 100)
        post_stall ();
    }
  run_until (bench_arrivals_all_in, arrivals, fault_run ? 600 : 60);
  elapsed = g_get_monotonic_time () - start;

  p50 = bench_percentile (arrivals->lags[0], 0.5);
  p99 = bench_percentile (arrivals->lags[0], 0.99);

  if (fault_run)
    {
      gint64 writer_orders = count_orders (writer_store), follower_orders = count_orders (follower_store);
      gboolean counted = writer_orders == n && follower_orders == n && arrivals->lags[0]->len == n;

      printf ("The fault run: %u orders at 50 a second through yatai-test-bucket, 20 ms on every request, a fifth "
              "of the requests failing (429, 503, dropped), 2 s stalls every 200 orders\n\n", n);
      printf ("| what | value |\n| --- | ---: |\n");
      printf ("| orders confirmed by the writer | %u |\n", n);
      printf ("| requests (writer + follower) | %u |\n", requests_of (writer) + requests_of (follower));
      printf ("| retries (writer + follower) | %u |\n", retries_of (writer) + retries_of (follower));
      printf ("| orders in the writer's store / the follower's | %" G_GINT64_FORMAT " / %" G_GINT64_FORMAT " |\n",
              writer_orders, follower_orders);
      printf ("| replication lag p50 / p99 | %.0f / %.0f ms |\n", p50, p99);
      if (counted)
        printf ("| lost | 0 |\n");
      else
        printf ("| lost | NOT COUNTED: %" G_GINT64_FORMAT " missing |\n", (gint64) n - MIN (writer_orders, follower_orders));
      g_object_unref (follower);
      g_object_unref (writer);
      g_subprocess_force_exit (server);
      g_subprocess_wait (server, NULL, NULL);
      return counted ? 0 : 1;
    }
  count_objects ("log/", &n_logs, &log_bytes);
  count_objects ("snapshot/", &n_snapshots, &snapshot_bytes);
  count_objects ("inbox/", &n_inbox, &inbox_bytes);
  n_logs -= n_logs_before;
  log_bytes -= log_bytes_before;

  printf ("Sync through yatai-test-bucket, 20 ms added to every request; %u orders at 10 a second\n\n", n);
  printf ("| what                                   |      value |\n");
  printf ("| -------------------------------------- | ---------: |\n");
  printf ("| replication lag p50 (commit → follower) | %7.0f ms |\n", p50);
  printf ("| replication lag p99                    | %7.0f ms |\n", p99);
  printf ("| bytes uploaded per order (log)         | %10.0f |\n", (double) log_bytes / n);
  printf ("| WAL bytes written per order            | %10.0f |\n", (double) wal_pages * 4096 / n);
  printf ("| ratio WAL / uploaded                   | %9.1fx |\n", ((double) wal_pages * 4096) / MAX (log_bytes, 1));
  printf ("| bucket writes per order                | %10.2f |\n", (double) (server_posts () - posts_before) / n);
  printf ("| log segments written / snapshots      | %5u / %2u |\n", n_logs, n_snapshots);
  printf ("| lease writes per hour (renewals)       | %10.0f |\n",
          (double) (server_posts () - posts_before - n_logs - (n_snapshots - n_snapshots_before)) * 3600e6 /
          elapsed);
  {
    double c50, c99;

    follower_commands (follower, follower_store, 200, &c50, &c99);
    printf ("| follower command → result p50 / p99    | %4.0f / %4.0f ms |\n", c50, c99);
  }

  /* Restore: a stall of restore_n orders, founded by a writer, restored by a new device. */
  {
    g_autofree char *bigger_prefix = NULL;
    YataiStore *big = open_store (dir, "big.sqlite3");
    YataiStore *fresh = open_store (dir, "fresh.sqlite3");
    g_autoptr(GError) e = NULL;
    g_autoptr(YataiGcsBucket) b1 = NULL;
    g_autoptr(YataiGcsBucket) b2 = NULL;
    YataiSyncEngine *founder, *restorer;
    gint64 t0, restore_us, download_us;
    guint n_snap;
    gint64 snap_bytes;

    yatai_store_load_demo (big, NULL);
    fill_orders (big, restore_n);
    b1 = yatai_gcs_bucket_connect ("restore", server_url, NULL, &e);
    founder = yatai_sync_engine_new (big, YATAI_BUCKET (b1), "big");
    yatai_sync_engine_start (founder);
    run_until (is_writer, founder, 120);
    pause_ms (500);

    b2 = yatai_gcs_bucket_connect ("restore", server_url, NULL, &e);
    restorer = yatai_sync_engine_new (fresh, YATAI_BUCKET (b2), "big");
    yatai_sync_engine_set_follow_only (restorer, TRUE);
    t0 = g_get_monotonic_time ();
    yatai_sync_engine_start (restorer);
    run_until (is_follower, restorer, 300);
    restore_us = g_get_monotonic_time () - t0;

    /* The same bytes, downloaded and nothing else. */
    {
      g_autoptr(YataiGcsClient) client = yatai_gcs_client_new (server_url, NULL);
      g_autoptr(GPtrArray) objects = NULL;
      Wait w = { 0 };

      yatai_gcs_client_list_async (client, "restore", "big/", 0, NULL, done_cb, &w);
      while (w.result == NULL)
        g_main_context_iteration (NULL, TRUE);
      objects = yatai_gcs_client_list_finish (client, w.result, NULL);
      g_clear_object (&w.result);
      n_snap = 0;
      snap_bytes = 0;
      t0 = g_get_monotonic_time ();
      for (guint i = 0; i < objects->len; i++)
        {
          YataiGcsObject *o = objects->pdata[i];
          g_autoptr(GBytes) bytes = NULL;

          if (strstr (o->name, "/snapshot/") == NULL && strstr (o->name, "/log/") == NULL)
            continue;
          yatai_gcs_client_read_async (client, "restore", o->name, NULL, NULL, done_cb, &w);
          while (w.result == NULL)
            g_main_context_iteration (NULL, TRUE);
          bytes = yatai_gcs_client_read_finish (client, w.result, NULL, NULL);
          g_clear_object (&w.result);
          n_snap++;
          snap_bytes += g_bytes_get_size (bytes);
        }
      download_us = g_get_monotonic_time () - t0;
    }
    printf ("\nRestoring a stall of %u orders (%u objects, %.1f MB in the bucket)\n\n", restore_n, n_snap, snap_bytes / 1e6);
    printf ("| what                          |      time |\n");
    printf ("| ----------------------------- | --------: |\n");
    printf ("| restore (a new, empty store)  | %6.0f ms |\n", restore_us / 1000.0);
    printf ("| download the same objects     | %6.0f ms |\n", download_us / 1000.0);
    printf ("| ratio                         | %8.2fx |\n", (double) restore_us / MAX (download_us, 1));
    g_object_unref (restorer);
    g_object_unref (founder);
    g_object_unref (fresh);
    g_object_unref (big);
  }

  g_object_unref (follower);
  g_object_unref (writer);
  g_object_unref (follower_store);
  g_object_unref (writer_store);
  g_subprocess_force_exit (server);
  g_subprocess_wait (server, NULL, NULL);
  return 0;
}
