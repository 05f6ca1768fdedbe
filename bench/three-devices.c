/* three-devices.c: a stall of three devices selling through an internet cut
 *
 * Usage: three-devices [ORDERS] [fail|stall]   (1,000; fail)
 *
 * "Counter PC" writes and serves the venue link, "Kitchen" and "Till 2" follow it over the link
 * (through a relay that holds each direction 2 ms), all three on one yatai-test-bucket with 20 ms on
 * every request, at the app's timing. ORDERS orders at 10 a second, on the counter and on the second
 * till in turn; for the middle third of them the internet is cut: every bucket request fails (fail:
 * 503 at once) or hangs for 30 s and then fails (stall). The link stays up throughout.
 *
 * Prints a table: the second till's confirm → call number (p50, p99; the call number is the writer's,
 * over the link), how many of its orders waited for the bucket (went through the inbox, or took longer
 * than a second), the kitchen's commit → its screen, and at the end, once the bucket is back and has
 * everything, a fresh device restored from the bucket alone: every confirmed order in it once, no call
 * number given twice, and the same stall as the counter's.
 */
#include "config.h"

#include <stdio.h>

#include "bench-stall.h"
#include "tcp-relay.h"
#include "yatai-store-journal.h"

#define PREFIX       "bench/three"
#define PACE_MS      100
#define LATE_MS      1000

/* The second till's orders */
static GHashTable *sent_at;     /* command id → gint64* monotonic µs */
static GArray *call_times;      /* ms, confirm → call number */
static guint late, unanswered_refusals;

/* The till shows the call number the writer gave: it is in its store once the command is answered. */
static void
till_finished_cb (YataiSyncEngine *engine,
                  const char      *id,
                  const char      *refusal,
                  BenchDevice     *till)
{
  gint64 *at = g_hash_table_lookup (sent_at, id);
  g_autoptr(JsonNode) result = NULL;
  g_autoptr(GError) error = NULL;
  double ms;

  if (at == NULL)
    return;
  ms = (g_get_monotonic_time () - *at) / 1000.0;
  g_hash_table_remove (sent_at, id);
  if (refusal != NULL || !yatai_store_lookup_command (till->store, id, &result, &error) || result == NULL ||
      json_object_get_int_member_with_default (json_node_get_object (result), "call_number", 0) == 0)
    {
      unanswered_refusals++;
      return;
    }
  g_array_append_val (call_times, ms);
  if (ms > LATE_MS)
    late++;
}

static gboolean
is_writer (gpointer data)
{
  return yatai_sync_engine_get_role (((BenchDevice *) data)->engine) == YATAI_SYNC_WRITER;
}

static gboolean
follows_over_link (gpointer data)
{
  return yatai_sync_engine_get_link_writer (((BenchDevice *) data)->engine) != NULL;
}

static gboolean
caught_up (gpointer data)
{
  return *(gboolean *) data;
}

static void
set_true (gboolean *flag)
{
  *flag = TRUE;
}

static guint
doubled_call_numbers (YataiStore *store)
{
  sqlite3_stmt *stmt = NULL;
  guint n = 0;

  sqlite3_prepare_v2 (yatai_store_get_db (store),
                      "SELECT count(*) - 1 FROM orders GROUP BY business_day, day_round, call_number HAVING count(*) > 1",
                      -1, &stmt, NULL);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    n += sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);
  return n;
}

static gint64
stat_int (const char *url,
          const char *prefix,
          const char *member)
{
  g_autoptr(JsonObject) stats = bench_server_stats (url, prefix);

  return json_object_get_int_member_with_default (stats, member, 0);
}

static char *
load (void)
{
  g_autofree char *text = NULL;

  if (!g_file_get_contents ("/proc/loadavg", &text, NULL, NULL))
    return g_strdup ("unknown");
  return g_strndup (text, 14);
}

int
main (int   argc,
      char *argv[])
{
  guint n = argc > 1 ? (guint) g_ascii_strtoull (argv[1], NULL, 10) : 1000;
  gboolean stall = argc > 2 && g_str_equal (argv[2], "stall");
  const char *server_args[] = { "--bucket", "stall", "--latency-ms", "20", NULL };
  const char *fault = stall ? "{\"delay_ms\": 30000, \"status\": 503, \"times\": -1}" : "{\"status\": 503, \"times\": -1}";
  g_autofree char *dir = g_dir_make_tmp ("three-devices-XXXXXX", NULL);
  g_autofree char *url = NULL;
  g_autofree char *link = NULL;
  g_autofree char *relayed = NULL;
  g_autofree char *inbox = NULL;
  g_autofree char *load_before = load ();
  g_autofree char *load_after = NULL;
  g_autoptr(GSubprocess) server = bench_server_start (argv[0], server_args, &url);
  BenchOrders *orders = bench_orders_new ();
  BenchDevice *counter = bench_device_new (dir, "Counter PC", orders);
  GHashTable *commits = bench_commits_new ();
  BenchArrivals *arrived = bench_arrivals_new (commits);   /* the kitchen's; phase 0: bucket up, 1: cut */
  BenchDevice *kitchen, *till, *fresh;
  Relay *relay;
  gint64 product, cut_at = 0, back_at = 0, settled_at = 0, last_at = 0, faults_before = 0, faults_cut = 0;
  guint taken[2] = { 0, 0 }, in_stall, missing, doubled, calls_twice, through_inbox;
  gboolean settled, same, restored = FALSE;
  g_autofree char *counter_dump = NULL;
  g_autofree char *fresh_dump = NULL;

  /* Strict: the second till's orders count from the moment they are sent. */
  orders->sent_confirms = TRUE;
  sent_at = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  call_times = g_array_new (FALSE, FALSE, sizeof (double));

  product = bench_add_product (counter->store, "焼きそば");
  bench_device_connect (counter, url, PREFIX, "127.0.0.1:0", NULL);
  bench_commits_watch (commits, counter->store);
  yatai_sync_engine_start (counter->engine);
  if (!bench_run_until (is_writer, counter, 30))
    g_error ("The counter did not become the writer");
  link = g_strdup_printf ("127.0.0.1:%u", yatai_sync_engine_get_link_port (counter->engine));
  relay = relay_new_in_thread (link, 2);
  relayed = g_strdup_printf ("127.0.0.1:%u", relay_get_port (relay));

  kitchen = bench_device_new (dir, "Kitchen", orders);
  till = bench_device_new (dir, "Till 2", orders);
  bench_device_connect (kitchen, url, PREFIX, NULL, relayed);
  bench_device_connect (till, url, PREFIX, NULL, relayed);
  bench_arrivals_watch (arrived, kitchen->store);
  g_signal_connect (till->engine, "command-finished", G_CALLBACK (till_finished_cb), till);
  yatai_sync_engine_start (kitchen->engine);
  yatai_sync_engine_start (till->engine);
  if (!bench_run_until (follows_over_link, kitchen, 60) || !bench_run_until (follows_over_link, till, 60))
    g_error ("The followers did not join over the link");
  inbox = g_strdup_printf (PREFIX "/inbox/%s/", yatai_store_get_device_id (till->store));
  bench_spin (1000);

  for (guint i = 0; i < n; i++)
    {
      BenchDevice *device = i % 2 == 0 ? counter : till;
      g_autofree char *sent_id = NULL;
      gint64 now = g_get_monotonic_time ();

      if (i == n / 3)
        {
          faults_before = stat_int (url, NULL, "faults");
          bench_server_request (url, "POST", "/_test/faults", fault);
          arrived->phase = 1;
          cut_at = now;
        }
      else if (i == 2 * n / 3)
        {
          bench_server_request (url, "DELETE", "/_test/faults", NULL);
          faults_cut = stat_int (url, NULL, "faults") - faults_before;
          arrived->phase = 0;
          back_at = now;
        }
      if (!bench_device_take_order (device, product, &sent_id, NULL))
        g_error ("%s did not take an order", device->name);
      taken[device == till]++;
      if (sent_id != NULL)
        g_hash_table_insert (sent_at, g_steal_pointer (&sent_id), g_memdup2 (&now, sizeof now));
      bench_spin (PACE_MS);
    }

  /* The bucket is back: everything reaches it. */
  last_at = g_get_monotonic_time ();
  settled = bench_devices_wait_quiet ((BenchDevice *[]) { counter, kitchen, till }, 3, 300);
  settled_at = g_get_monotonic_time ();
  load_after = load ();

  fresh = bench_device_new (dir, "Fresh", orders);
  bench_device_connect (fresh, url, PREFIX, NULL, NULL);
  yatai_sync_engine_set_follow_only (fresh->engine, TRUE);
  g_signal_connect_swapped (fresh->engine, "caught-up", G_CALLBACK (set_true), &restored);
  yatai_sync_engine_start (fresh->engine);
  bench_run_until (caught_up, &restored, 120);
  bench_orders_count (orders, fresh->store, &in_stall, &missing, &doubled);
  calls_twice = doubled_call_numbers (fresh->store);
  counter_dump = yatai_store_dump_canonical (counter->store, NULL);
  fresh_dump = yatai_store_dump_canonical (fresh->store, NULL);
  same = restored && g_strcmp0 (counter_dump, fresh_dump) == 0;
  through_inbox = stat_int (url, inbox, "created");

  printf ("Three devices, %u orders at 10 a second on the counter and the second till in turn, the internet cut "
          "(%s) for the middle third, the link up throughout (2 ms each way), 20 ms on every bucket request; "
          "load average %s before, %s after\n\n",
          n, stall ? "every request hangs 30 s, then fails" : "every request fails at once", load_before, load_after);
  printf ("| what | value |\n| --- | ---: |\n");
  printf ("| orders taken on the counter / on the second till | %u / %u |\n", taken[0], taken[1]);
  printf ("| internet cut for | %.1f s (%" G_GINT64_FORMAT " bucket requests refused) |\n", (back_at - cut_at) / 1e6, faults_cut);
  printf ("| second till: confirm → call number p50 / p99 | %.0f / %.0f ms |\n", bench_percentile (call_times, 0.5),
          bench_percentile (call_times, 0.99));
  printf ("| second till: call numbers later than %d ms / orders sent through the bucket's inbox | %u / %u |\n",
          LATE_MS, late, through_inbox);
  printf ("| second till: orders without a call number (refused, or never answered) | %u |\n",
          unanswered_refusals + g_hash_table_size (sent_at));
  printf ("| kitchen: commit → screen p50 / p99, bucket up | %.0f / %.0f ms |\n", bench_percentile (arrived->lags[0], 0.5),
          bench_percentile (arrived->lags[0], 0.99));
  printf ("| kitchen: commit → screen p50 / p99, bucket cut | %.0f / %.0f ms |\n", bench_percentile (arrived->lags[1], 0.5),
          bench_percentile (arrived->lags[1], 0.99));
  printf ("| orders on the kitchen's screen | %u |\n", g_hash_table_size (arrived->seen));
  printf ("| everything uploaded, every device the same | %s, %.1f s after the last order |\n",
          settled ? "yes" : "NO", (settled_at - last_at) / 1e6);
  printf ("| orders confirmed (at once, or their call number came back) | %u |\n", g_hash_table_size (orders->confirmed));
  printf ("| orders in a fresh device restored from the bucket alone | %u |\n", in_stall);
  printf ("| confirmed but lost / doubled / call numbers given twice | %u / %u / %u |\n", missing, doubled, calls_twice);
  printf ("| the restored stall the same as the counter's | %s |\n", same ? "yes" : "NO");

  bench_device_close (fresh);
  bench_device_close (till);
  bench_device_close (kitchen);
  bench_device_close (counter);
  g_subprocess_force_exit (server);
  g_subprocess_wait (server, NULL, NULL);
  return missing == 0 && doubled == 0 && calls_twice == 0 && same && settled && late == 0 && through_inbox == 0 &&
         unanswered_refusals + g_hash_table_size (sent_at) == 0 ? 0 : 1;
}
