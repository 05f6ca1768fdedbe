/* hostile-runs.c: a device away longer than the log's retention, and a bucket that others write into
 *
 * Usage: hostile-runs absence [ROUNDS]   (10)
 *        hostile-runs hostile [SECONDS]  (60)
 *
 * Two devices on one bucket (in memory, exact and fast; leases of 600 ms), taking orders.
 *
 * absence: each round the follower is switched off while the writer sells on, with a retention of
 * 200 ms and a snapshot every 4 segments, until the log past the follower's position is deleted; it is
 * switched back on, must catch up, and then becomes the writer (the other one's renewals stop), so the
 * next round the roles are swapped.
 *
 * hostile: both devices take orders all the time while, every 100 ms, something is put at one of the
 * names Yatai reads: junk or a 40 MB object at the next log positions, a zstd bomb (8.5 KB declaring
 * 256 MB) as the newest snapshot, junk in the inbox; and every 2 s or so a lease with a 24-hour TTL or
 * that is not JSON (HOSTILE_NO_LEASE=1 leaves the lease alone).
 *
 * Both print a table; at the end a new device restores the stall, and every order either device
 * confirmed to the person (a call number at once, or "sent" on a follower) must be in it once, unless
 * the writer refused it and the follower said so.
 */
#include "config.h"

#include <stdio.h>
#include <sys/resource.h>

#include "bench-stall.h"
#include "memory-bucket.h"
#include "yatai-segment.h"
#include "zstd-bomb.h"

#define PREFIX "hostile/stall"

static BenchOrders *orders;
static YataiMemoryBucket *bucket;
static char *dir;

static void
device_on (BenchDevice *d)
{
  YataiSyncEngine *engine;

  if (d->store == NULL)
    bench_device_open (d);
  engine = yatai_sync_engine_new (d->store, YATAI_BUCKET (bucket), PREFIX);
  yatai_sync_engine_set_timing (engine, 600, 150);
  yatai_sync_engine_set_poll_interval (engine, 20);
  yatai_sync_engine_set_auto_takeover (engine, TRUE);
  yatai_sync_engine_set_snapshot_every (engine, 4);
  bench_device_set_engine (d, engine);
  yatai_sync_engine_start (engine);
}

static BenchDevice *
device_new (const char *name)
{
  BenchDevice *d = bench_device_new (dir, name, orders);

  device_on (d);
  return d;
}

static void
take_order (BenchDevice *d,
            gint64       product_id)
{
  bench_device_take_order (d, product_id, NULL, NULL);
}

static BenchDevice *
writer_of (BenchDevice *a,
           BenchDevice *b)
{
  if (a->engine != NULL && yatai_sync_engine_get_role (a->engine) == YATAI_SYNC_WRITER)
    return a;
  if (b->engine != NULL && yatai_sync_engine_get_role (b->engine) == YATAI_SYNC_WRITER)
    return b;
  return NULL;
}

static gboolean
log_has (gint64 seq)
{
  g_autofree char *name = yatai_segment_object_name (PREFIX, YATAI_SEGMENT_LOG, seq);
  g_autoptr(GBytes) bytes = yatai_memory_bucket_get (bucket, name);

  return bytes != NULL;
}

static gboolean
wait_quiet (BenchDevice *a,
            BenchDevice *b,
            guint        seconds)
{
  return bench_devices_wait_quiet ((BenchDevice *[]) { a, b }, 2, seconds);
}

static void
set_true (gboolean *flag)
{
  *flag = TRUE;
}

/* A new device restores the stall: every confirmed order in it, once. */
static void
count_restored (guint *in_stall,
                guint *missing,
                guint *doubled)
{
  BenchDevice *c = device_new ("Restored");
  gboolean caught_up = FALSE;
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  yatai_sync_engine_set_follow_only (c->engine, TRUE);
  g_signal_connect_swapped (c->engine, "caught-up", G_CALLBACK (set_true), &caught_up);
  while (!caught_up && g_get_monotonic_time () < deadline)
    bench_spin (20);

  bench_orders_count (orders, c->store, in_stall, missing, doubled);
  bench_device_close (c);
}

static glong
max_rss_mb (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_maxrss / 1024;
}

static int
run_absence (BenchDevice *a,
             BenchDevice *b,
             gint64  product,
             guint   rounds)
{
  guint trimmed_rounds = 0, caught_up = 0, swapped = 0, missing, doubled, in_stall;
  gint64 longest = 0;

  for (guint round = 0; round < rounds; round++)
    {
      BenchDevice *writer = writer_of (a, b);
      BenchDevice *away;
      gint64 away_at, start, deadline;

      if (writer == NULL)
        {
          bench_spin (200);
          continue;
        }
      away = writer == a ? b : a;
      wait_quiet (a, b, 10);
      away_at = yatai_sync_engine_get_seq (away->engine);
      bench_device_close (away);

      /* Away: the writer sells on and trims the log past the absent device's position. */
      yatai_sync_engine_set_retention (writer->engine, 200);
      deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
      while ((log_has (away_at + 1) || yatai_sync_engine_get_seq (writer->engine) < away_at + 8) &&
             g_get_monotonic_time () < deadline)
        {
          take_order (writer, product);
          bench_spin (15);
        }
      if (!log_has (away_at + 1) && yatai_sync_engine_get_seq (writer->engine) > away_at)
        trimmed_rounds++;

      /* Back on: it must catch up with the stall, not stop at the gap. */
      device_on (away);
      start = g_get_monotonic_time ();
      if (wait_quiet (a, b, 20))
        {
          caught_up++;
          longest = MAX (longest, g_get_monotonic_time () - start);
        }

      /* Then it becomes the writer and sells. */
      yatai_sync_engine_pause_renewal (writer->engine, TRUE);
      deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
      while (yatai_sync_engine_get_role (away->engine) != YATAI_SYNC_WRITER && g_get_monotonic_time () < deadline)
        bench_spin (20);
      if (yatai_sync_engine_get_role (away->engine) == YATAI_SYNC_WRITER)
        swapped++;
      yatai_sync_engine_pause_renewal (writer->engine, FALSE);
      deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
      while (yatai_sync_engine_get_role (writer->engine) == YATAI_SYNC_WRITER && g_get_monotonic_time () < deadline)
        bench_spin (20);
      for (int i = 0; i < 20; i++)
        {
          take_order (away, product);
          take_order (writer, product);
          bench_spin (15);
        }
    }
  wait_quiet (a, b, 30);
  count_restored (&in_stall, &missing, &doubled);

  printf ("The long-absence run: %u rounds; each round the follower is off while the writer trims the log "
          "past it, then back on, then made the writer\n\n", rounds);
  printf ("| what | count |\n| --- | ---: |\n");
  printf ("| rounds whose absence outlasted the log (log/<seq + 1> deleted) | %u |\n", trimmed_rounds);
  printf ("| devices back on that caught up / slowest | %u / %.1f s |\n", caught_up, longest / 1e6);
  printf ("| devices back on that then became the writer | %u |\n", swapped);
  printf ("| orders confirmed (a call number at once, or \"sent\" on a follower) | %u |\n",
          g_hash_table_size (orders->confirmed) + orders->refused);
  printf ("| of the followers' orders: accepted / refused / no answer at the end | %u / %u / %u |\n",
          orders->answered, orders->refused, g_hash_table_size (a->waiting) + g_hash_table_size (b->waiting));
  printf ("| orders not taken (the device gave an error) | %u |\n", orders->failed);
  printf ("| orders in a new device's restore | %u |\n", in_stall);
  printf ("| confirmed but lost / doubled | %u / %u |\n", missing, doubled);
  return missing == 0 && doubled == 0 && trimmed_rounds == rounds && caught_up == rounds && swapped == rounds ? 0 : 1;
}

static int
run_hostile (BenchDevice *a,
             BenchDevice *b,
             gint64  product,
             guint   seconds)
{
  g_autoptr(GBytes) junk = g_bytes_new_static ("<html>503 Service Unavailable</html>", 36);
  gsize huge_size = 40 * 1024 * 1024;
  g_autoptr(GBytes) huge = g_bytes_new_take (g_malloc0 (huge_size), huge_size);
  g_autoptr(GBytes) bomb = zstd_bomb_snapshot (YATAI_SEGMENT_SNAPSHOT_MAX_RAW, 0);
  guint planted[6] = { 0 };
  const char *kinds[6] = { "junk at a next log position", "a 40 MB object at a next log position",
                           "a zstd bomb as the newest snapshot", "junk in the inbox",
                           "a lease with a 24-hour TTL", "a lease that is not JSON" };
  GRand *rand = g_rand_new_with_seed (16);
  gint64 end = g_get_monotonic_time () + (gint64) seconds * G_USEC_PER_SEC;
  gint64 next_plant = 0;
  guint taken_before[2] = { 0, 0 }, stalled_seconds = 0, missing, doubled, in_stall, bomb_seq = 1000000;
  gint64 next_second = g_get_monotonic_time () + G_USEC_PER_SEC;
  glong rss_before = max_rss_mb ();
  gint64 waited;
  gboolean settled;

  while (g_get_monotonic_time () < end)
    {
      gint64 now = g_get_monotonic_time ();

      take_order (g_rand_boolean (rand) ? a : b, product);
      bench_spin (15);
      if (now >= next_plant)
        {
          /* The lease is rewritten by an intruder every 2 s or so (a takeover takes a TTL of silence
           * and a catch-up); the others go every 100 ms. */
          guint kind = g_getenv ("HOSTILE_NO_LEASE") == NULL && g_rand_int_range (rand, 0, 20) == 0 ? g_rand_int_range (rand, 4, 6) : g_rand_int_range (rand, 0, 4);
          BenchDevice *w = writer_of (a, b);
          gint64 head = w ? yatai_sync_engine_get_seq (w->engine) : yatai_sync_engine_get_seq (a->engine);
          g_autofree char *name = NULL;

          next_plant = now + 100 * 1000;
          switch (kind)
            {
            case 0:
            case 1:
              name = yatai_segment_object_name (PREFIX, YATAI_SEGMENT_LOG, head + g_rand_int_range (rand, 2, 5));
              if (!log_has (head + 2))
                yatai_memory_bucket_put (bucket, name, kind == 0 ? junk : huge);
              break;
            case 2:
              name = yatai_segment_object_name (PREFIX, YATAI_SEGMENT_SNAPSHOT, bomb_seq++);
              yatai_memory_bucket_put (bucket, name, bomb);
              break;
            case 3:
              name = g_strdup_printf (PREFIX "/inbox/%s/junk-%u", yatai_store_get_device_id (b->store), planted[3]);
              yatai_memory_bucket_put (bucket, name, g_rand_boolean (rand) ? junk : huge);
              break;
            case 4:
              {
                g_autofree char *text = g_strdup_printf ("{\"format\":1,\"device\":\"intruder\",\"device_name\":"
                                                         "\"Intruder\",\"epoch\":%" G_GINT64_FORMAT ",\"ttl_ms\":86400000,"
                                                         "\"released\":false}",
                                                         yatai_sync_engine_get_epoch (a->engine) + 1);
                g_autoptr(GBytes) bytes = g_bytes_new (text, strlen (text));

                yatai_memory_bucket_put (bucket, PREFIX "/lease", bytes);
              }
              break;
            default:
              yatai_memory_bucket_put (bucket, PREFIX "/lease", junk);
              break;
            }
          planted[kind]++;
        }
      if (now >= next_second)
        {
          /* A second in which neither device took an order is a stall that stopped. */
          if (a->taken + b->taken == taken_before[0] + taken_before[1])
            stalled_seconds++;
          taken_before[0] = a->taken;
          taken_before[1] = b->taken;
          next_second = now + G_USEC_PER_SEC;
        }
    }
  g_rand_free (rand);
  /* The last intruder's lease is taken over; what is on its way arrives. */
  waited = g_get_monotonic_time ();
  settled = wait_quiet (a, b, 60);
  waited = g_get_monotonic_time () - waited;
  count_restored (&in_stall, &missing, &doubled);

  printf ("The hostile-bucket run: %u s of orders on both devices, something hostile at a name Yatai reads "
          "every 100 ms (the lease every 2 s)\n\n", seconds);
  printf ("| what | count |\n| --- | ---: |\n");
  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    printf ("| planted: %s | %u |\n", kinds[i], planted[i]);
  printf ("| orders taken on A / on B | %u / %u |\n", a->taken, b->taken);
  printf ("| seconds in which no order was taken | %u |\n", stalled_seconds);
  printf ("| orders confirmed (a call number at once, or \"sent\" on a follower) | %u |\n",
          g_hash_table_size (orders->confirmed) + orders->refused);
  printf ("| of the followers' orders: accepted / refused / no answer at the end | %u / %u / %u |\n",
          orders->answered, orders->refused, g_hash_table_size (a->waiting) + g_hash_table_size (b->waiting));
  printf ("| orders not taken (the device gave an error) | %u |\n", orders->failed);
  printf ("| both devices the same, nothing waiting, after the run | %s, %.1f s later |\n", settled ? "yes" : "no",
          waited / 1e6);
  printf ("| orders in a new device's restore | %u |\n", in_stall);
  printf ("| confirmed but lost / doubled | %u / %u |\n", missing, doubled);
  printf ("| max RSS of the whole run (two devices, a restore, the bucket in memory with its 40 MB object) "
          "| %ld MB (%ld MB before the run) |\n", max_rss_mb (), rss_before);
  return missing == 0 && doubled == 0 ? 0 : 1;
}

int
main (int   argc,
      char *argv[])
{
  const char *mode = argc > 1 ? argv[1] : "";
  guint n = argc > 2 ? (guint) g_ascii_strtoull (argv[2], NULL, 10) : 0;
  g_autoptr(GError) error = NULL;
  BenchDevice *a, *b;
  gint64 product;
  int status;

  if (!g_str_equal (mode, "absence") && !g_str_equal (mode, "hostile"))
    {
      fprintf (stderr, "Usage: hostile-runs absence [ROUNDS] | hostile [SECONDS]\n");
      return 2;
    }
  dir = g_dir_make_tmp ("hostile-runs-XXXXXX", NULL);
  bucket = yatai_memory_bucket_new ();
  orders = bench_orders_new ();
  orders->sent_confirms = TRUE;
  {
    g_autofree char *path = g_strdup_printf ("%s/A.sqlite3", dir);
    g_autoptr(YataiStore) store = yatai_store_open (path, &error);

    if (store == NULL)
      g_error ("%s", error->message);
    product = bench_add_product (store, "焼きそば");
  }
  a = device_new ("A");
  bench_spin (300);
  b = device_new ("B");
  bench_spin (500);

  if (g_str_equal (mode, "absence"))
    status = run_absence (a, b, product, n ? n : 10);
  else
    status = run_hostile (a, b, product, n ? n : 60);
  return status;
}
