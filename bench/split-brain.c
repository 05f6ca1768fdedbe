/* split-brain.c: two writers fighting for the lease
 *
 * Usage: split-brain [ROUNDS]   (100)
 * Two devices share a bucket (in memory, exact and fast; leases of 600 ms) and take orders all the time.
 * Each round, the writer's renewals are paused for longer than its lease, so the other takes over while
 * the first still believes it writes; then it wakes up. Afterwards: how many segments each device wrote,
 * that no log position has two writers, and that every order either device reported confirmed (at once,
 * or later when its command came back accepted) is in the stall exactly once.
 */
#include "config.h"

#include <stdio.h>

#include "bench-stall.h"
#include "memory-bucket.h"
#include "yatai-segment.h"

#define PREFIX "split/stall"

static BenchDevice *
device_new (const char        *dir,
            const char        *name,
            BenchOrders       *orders,
            YataiMemoryBucket *bucket)
{
  BenchDevice *d = bench_device_new (dir, name, orders);
  YataiSyncEngine *engine = yatai_sync_engine_new (d->store, YATAI_BUCKET (bucket), PREFIX);

  yatai_sync_engine_set_timing (engine, 600, 150);
  yatai_sync_engine_set_poll_interval (engine, 20);
  yatai_sync_engine_set_auto_takeover (engine, TRUE);
  bench_device_set_engine (d, engine);
  return d;
}

static BenchDevice *
writer_of (BenchDevice *a,
           BenchDevice *b)
{
  if (yatai_sync_engine_get_role (a->engine) == YATAI_SYNC_WRITER)
    return a;
  if (yatai_sync_engine_get_role (b->engine) == YATAI_SYNC_WRITER)
    return b;
  return NULL;
}

int
main (int   argc,
      char *argv[])
{
  guint rounds = argc > 1 ? (guint) g_ascii_strtoull (argv[1], NULL, 10) : 100;
  g_autofree char *dir = g_dir_make_tmp ("split-brain-XXXXXX", NULL);
  g_autoptr(YataiMemoryBucket) bucket = yatai_memory_bucket_new ();
  BenchOrders *orders = bench_orders_new ();
  BenchDevice *a, *b;
  gint64 product;
  GRand *rand = g_rand_new_with_seed (5);
  guint takeovers = 0, per_device[2] = { 0, 0 }, positions = 0, two_writers = 0, missing = 0, doubled = 0;
  guint in_stall = 0;

  a = device_new (dir, "A", orders, bucket);
  b = device_new (dir, "B", orders, bucket);
  product = bench_add_product (a->store, "焼きそば");
  yatai_sync_engine_start (a->engine);
  bench_spin (300);
  yatai_sync_engine_start (b->engine);
  bench_spin (500);

  for (guint round = 0; round < rounds; round++)
    {
      BenchDevice *writer = writer_of (a, b);
      guint sleep_ms = g_rand_int_range (rand, 700, 1200);
      gint64 until;

      if (writer != NULL)
        yatai_sync_engine_pause_renewal (writer->engine, TRUE);
      until = g_get_monotonic_time () + (gint64) sleep_ms * 1000;
      while (g_get_monotonic_time () < until)
        {
          bench_device_take_order (g_rand_boolean (rand) ? a : b, product, NULL, NULL);
          bench_spin (15);
        }
      if (writer != NULL)
        {
          yatai_sync_engine_pause_renewal (writer->engine, FALSE);
          bench_spin (400);
          if (writer_of (a, b) != writer)
            takeovers++;
        }
    }
  g_rand_free (rand);

  /* Quiet: every sent command answered, both stores the same. */
  bench_devices_wait_quiet ((BenchDevice *[]) { a, b }, 2, 30);

  /* Who wrote each log position: one object a position (create-only), so one writer. */
  for (gint64 seq = 1;; seq++)
    {
      g_autofree char *name = yatai_segment_object_name (PREFIX, YATAI_SEGMENT_LOG, seq);
      g_autoptr(GBytes) bytes = yatai_memory_bucket_get (bucket, name);
      g_autoptr(YataiSegment) segment = NULL;

      if (bytes == NULL)
        {
          if (yatai_memory_bucket_count_prefix (bucket, PREFIX "/log/") <= positions)
            break;
          continue;   /* trimmed by retention */
        }
      positions++;
      segment = yatai_segment_decode (bytes, seq, NULL, NULL);
      if (segment == NULL)
        continue;
      if (g_str_equal (segment->device, yatai_store_get_device_id (a->store)))
        per_device[0]++;
      else if (g_str_equal (segment->device, yatai_store_get_device_id (b->store)))
        per_device[1]++;
      else
        two_writers++;
    }

  /* Every confirmed order once in the stall. */
  bench_orders_count (orders, a->store, &in_stall, &missing, &doubled);

  printf ("The split-brain run: %u rounds, renewals paused for 700-1,200 ms against a 600 ms lease\n\n", rounds);
  printf ("| what | count |\n| --- | ---: |\n");
  printf ("| takeovers | %u |\n", takeovers);
  printf ("| log segments written by A / by B | %u / %u |\n", per_device[0], per_device[1]);
  printf ("| log positions with another or a second writer | %u |\n", two_writers);
  printf ("| orders confirmed (at once, or their command accepted) | %u |\n", g_hash_table_size (orders->confirmed));
  printf ("| commands refused by the writer | %u |\n", orders->refused);
  printf ("| orders in the stall | %u |\n", in_stall);
  printf ("| confirmed but missing | %u |\n", missing);
  printf ("| doubled | %u |\n", doubled);
  return two_writers == 0 && missing == 0 && doubled == 0 ? 0 : 1;
}
