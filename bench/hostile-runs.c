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

#include "memory-bucket.h"
#include "yatai-segment.h"
#include "yatai-store-journal.h"
#include "yatai-store-orders.h"
#include "yatai-store-products.h"
#include "yatai-sync-engine.h"
#include "zstd-bomb.h"

#define PREFIX "hostile/stall"

typedef struct
{
  const char      *name;
  char            *path;
  YataiStore      *store;
  YataiSyncEngine *engine;
  GHashTable      *waiting;   /* command id → customer tag */
  guint            taken;
} Device;

static GHashTable *confirmed;   /* customer tag → device name: a call number given, or "sent" */
static guint refused, failed, answered;
static YataiMemoryBucket *bucket;
static char *dir;

static void
finished_cb (YataiSyncEngine *engine,
             const char      *id,
             const char      *refusal,
             Device          *device)
{
  const char *tag = g_hash_table_lookup (device->waiting, id);

  if (tag == NULL)
    return;
  /* "Sent" was already a promise to the person; a refusal is shown to them in words, so that order
   * is not expected in the stall. */
  if (refusal == NULL)
    answered++;
  else
    {
      refused++;
      g_hash_table_remove (confirmed, tag);
    }
  g_hash_table_remove (device->waiting, id);
}

static void
device_on (Device *d)
{
  g_autoptr(GError) error = NULL;

  d->store = yatai_store_open (d->path, &error);
  if (d->store == NULL)
    g_error ("%s", error->message);
  yatai_store_set_device_name (d->store, d->name);
  d->engine = yatai_sync_engine_new (d->store, YATAI_BUCKET (bucket), PREFIX);
  yatai_sync_engine_set_timing (d->engine, 600, 150);
  yatai_sync_engine_set_poll_interval (d->engine, 20);
  yatai_sync_engine_set_auto_takeover (d->engine, TRUE);
  yatai_sync_engine_set_snapshot_every (d->engine, 4);
  g_signal_connect (d->engine, "command-finished", G_CALLBACK (finished_cb), d);
  yatai_sync_engine_start (d->engine);
}

/* Switched off: its commands still on their way are answered through the log once it is back. */
static void
device_off (Device *d)
{
  g_clear_object (&d->engine);
  g_clear_object (&d->store);
}

static Device *
device_new (const char *name)
{
  Device *d = g_new0 (Device, 1);

  d->name = name;
  d->path = g_strdup_printf ("%s/%s.sqlite3", dir, name);
  d->waiting = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  device_on (d);
  return d;
}

static void
spin (guint ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) ms * 1000;

  while (g_get_monotonic_time () < end)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (500);
    }
}

static guint order_number;

static void
take_order (Device *d,
            gint64  product_id)
{
  g_autofree char *tag = g_strdup_printf ("%s-%u", d->name, ++order_number);
  YataiCartLine line = { product_id, 1 };
  g_autoptr(JsonObject) args = yatai_order_confirm_args (&line, 1, tag, "", 1000, FALSE, 5);
  g_autoptr(YataiCommand) command = yatai_command_new ("order.confirm", args);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) result = NULL;
  gboolean sent = FALSE;

  if (d->engine == NULL || yatai_sync_engine_get_role (d->engine) == YATAI_SYNC_STARTING)
    return;
  result = yatai_sync_engine_execute (d->engine, command, &sent, &error);
  if (result == NULL)
    {
      failed++;
      return;
    }
  d->taken++;
  if (sent)
    g_hash_table_insert (d->waiting, g_strdup (yatai_command_get_id (command)), g_strdup (tag));
  g_hash_table_insert (confirmed, g_steal_pointer (&tag), (gpointer) d->name);
}

static Device *
writer_of (Device *a,
           Device *b)
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
quiet (Device *a,
       Device *b)
{
  g_autofree char *da = NULL;
  g_autofree char *db = NULL;

  if (g_hash_table_size (a->waiting) + g_hash_table_size (b->waiting) > 0 ||
      yatai_store_outbox_count (a->store) + yatai_store_outbox_count (b->store) > 0)
    return FALSE;
  da = yatai_store_dump_canonical (a->store, NULL);
  db = yatai_store_dump_canonical (b->store, NULL);
  return g_strcmp0 (da, db) == 0;
}

static gboolean
wait_quiet (Device *a,
            Device *b,
            guint   seconds)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) seconds * G_USEC_PER_SEC;

  while (g_get_monotonic_time () < deadline)
    {
      spin (50);
      if (quiet (a, b))
        return TRUE;
    }
  return FALSE;
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
  Device *c = device_new ("Restored");
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  gboolean caught_up = FALSE;
  sqlite3_stmt *stmt = NULL;
  GHashTableIter iter;
  gpointer key;
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  yatai_sync_engine_set_follow_only (c->engine, TRUE);
  g_signal_connect_swapped (c->engine, "caught-up", G_CALLBACK (set_true), &caught_up);
  while (!caught_up && g_get_monotonic_time () < deadline)
    spin (20);

  *doubled = 0;
  sqlite3_prepare_v2 (yatai_store_get_db (c->store), "SELECT customer FROM orders", -1, &stmt, NULL);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      const char *tag = (const char *) sqlite3_column_text (stmt, 0);

      if (g_hash_table_contains (seen, tag))
        (*doubled)++;
      else
        g_hash_table_add (seen, g_strdup (tag));
    }
  sqlite3_finalize (stmt);
  *missing = 0;
  g_hash_table_iter_init (&iter, confirmed);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (!g_hash_table_contains (seen, key))
      (*missing)++;
  *in_stall = g_hash_table_size (seen);
  device_off (c);
}

static glong
max_rss_mb (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_maxrss / 1024;
}

static int
run_absence (Device *a,
             Device *b,
             gint64  product,
             guint   rounds)
{
  guint trimmed_rounds = 0, caught_up = 0, swapped = 0, missing, doubled, in_stall;
  gint64 longest = 0;

  for (guint round = 0; round < rounds; round++)
    {
      Device *writer = writer_of (a, b);
      Device *away;
      gint64 away_at, start, deadline;

      if (writer == NULL)
        {
          spin (200);
          continue;
        }
      away = writer == a ? b : a;
      wait_quiet (a, b, 10);
      away_at = yatai_sync_engine_get_seq (away->engine);
      device_off (away);

      /* Away: the writer sells on and trims the log past the absent device's position. */
      yatai_sync_engine_set_retention (writer->engine, 200);
      deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
      while ((log_has (away_at + 1) || yatai_sync_engine_get_seq (writer->engine) < away_at + 8) &&
             g_get_monotonic_time () < deadline)
        {
          take_order (writer, product);
          spin (15);
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
        spin (20);
      if (yatai_sync_engine_get_role (away->engine) == YATAI_SYNC_WRITER)
        swapped++;
      yatai_sync_engine_pause_renewal (writer->engine, FALSE);
      deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
      while (yatai_sync_engine_get_role (writer->engine) == YATAI_SYNC_WRITER && g_get_monotonic_time () < deadline)
        spin (20);
      for (int i = 0; i < 20; i++)
        {
          take_order (away, product);
          take_order (writer, product);
          spin (15);
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
          g_hash_table_size (confirmed) + refused);
  printf ("| of the followers' orders: accepted / refused / no answer at the end | %u / %u / %u |\n",
          answered, refused, g_hash_table_size (a->waiting) + g_hash_table_size (b->waiting));
  printf ("| orders not taken (the device gave an error) | %u |\n", failed);
  printf ("| orders in a new device's restore | %u |\n", in_stall);
  printf ("| confirmed but lost / doubled | %u / %u |\n", missing, doubled);
  return missing == 0 && doubled == 0 && trimmed_rounds == rounds && caught_up == rounds && swapped == rounds ? 0 : 1;
}

static int
run_hostile (Device *a,
             Device *b,
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
      spin (15);
      if (now >= next_plant)
        {
          /* The lease is rewritten by an intruder every 2 s or so (a takeover takes a TTL of silence
           * and a catch-up); the others go every 100 ms. */
          guint kind = g_getenv ("HOSTILE_NO_LEASE") == NULL && g_rand_int_range (rand, 0, 20) == 0 ? g_rand_int_range (rand, 4, 6) : g_rand_int_range (rand, 0, 4);
          Device *w = writer_of (a, b);
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
          g_hash_table_size (confirmed) + refused);
  printf ("| of the followers' orders: accepted / refused / no answer at the end | %u / %u / %u |\n",
          answered, refused, g_hash_table_size (a->waiting) + g_hash_table_size (b->waiting));
  printf ("| orders not taken (the device gave an error) | %u |\n", failed);
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
  Device *a, *b;
  gint64 product;
  int status;

  if (!g_str_equal (mode, "absence") && !g_str_equal (mode, "hostile"))
    {
      fprintf (stderr, "Usage: hostile-runs absence [ROUNDS] | hostile [SECONDS]\n");
      return 2;
    }
  dir = g_dir_make_tmp ("hostile-runs-XXXXXX", NULL);
  bucket = yatai_memory_bucket_new ();
  confirmed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  {
    g_autofree char *path = g_strdup_printf ("%s/A.sqlite3", dir);
    g_autoptr(YataiStore) store = yatai_store_open (path, &error);
    g_autoptr(JsonObject) args = yatai_product_save_args (0, "焼きそば", 500, 1000000, FALSE, NULL, NULL, TRUE);
    g_autoptr(JsonNode) result = yatai_store_run (store, "product.save", args, &error);

    product = json_object_get_int_member (json_node_get_object (result), "id");
  }
  a = device_new ("A");
  spin (300);
  b = device_new ("B");
  spin (500);

  if (g_str_equal (mode, "absence"))
    status = run_absence (a, b, product, n ? n : 10);
  else
    status = run_hostile (a, b, product, n ? n : 60);
  return status;
}
