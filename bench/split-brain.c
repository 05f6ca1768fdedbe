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

#include "memory-bucket.h"
#include "yatai-segment.h"
#include "yatai-store-journal.h"
#include "yatai-store-orders.h"
#include "yatai-store-products.h"
#include "yatai-sync-engine.h"

#define PREFIX "split/stall"

typedef struct
{
  const char      *name;
  YataiStore      *store;
  YataiSyncEngine *engine;
  GHashTable      *waiting;   /* command id → customer tag */
} Device;

static GHashTable *confirmed;   /* customer tag → device name */
static guint refused;

static void
finished_cb (YataiSyncEngine *engine,
             const char      *id,
             const char      *refusal,
             Device          *device)
{
  const char *tag = g_hash_table_lookup (device->waiting, id);

  if (tag == NULL)
    return;
  if (refusal == NULL)
    g_hash_table_insert (confirmed, g_strdup (tag), (gpointer) device->name);
  else
    refused++;
  g_hash_table_remove (device->waiting, id);
}

static Device *
device_new (const char        *dir,
            const char        *name,
            YataiMemoryBucket *bucket)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_strdup_printf ("%s/%s.sqlite3", dir, name);
  Device *d = g_new0 (Device, 1);

  d->name = name;
  d->store = yatai_store_open (path, &error);
  if (d->store == NULL)
    g_error ("%s", error->message);
  yatai_store_set_device_name (d->store, name);
  d->engine = yatai_sync_engine_new (d->store, YATAI_BUCKET (bucket), PREFIX);
  yatai_sync_engine_set_timing (d->engine, 600, 150);
  yatai_sync_engine_set_poll_interval (d->engine, 20);
  yatai_sync_engine_set_auto_takeover (d->engine, TRUE);
  d->waiting = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_signal_connect (d->engine, "command-finished", G_CALLBACK (finished_cb), d);
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

  if (yatai_sync_engine_get_role (d->engine) == YATAI_SYNC_STARTING)
    return;
  result = yatai_sync_engine_execute (d->engine, command, &sent, &error);
  if (result == NULL)
    return;
  if (sent)
    g_hash_table_insert (d->waiting, g_strdup (yatai_command_get_id (command)), g_steal_pointer (&tag));
  else
    g_hash_table_insert (confirmed, g_steal_pointer (&tag), (gpointer) d->name);
}

static Device *
writer_of (Device *a,
           Device *b)
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
  g_autoptr(GError) error = NULL;
  Device *a, *b;
  gint64 product;
  GRand *rand = g_rand_new_with_seed (5);
  guint takeovers = 0, per_device[2] = { 0, 0 }, positions = 0, two_writers = 0, missing = 0, doubled = 0;
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  confirmed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  a = device_new (dir, "A", bucket);
  b = device_new (dir, "B", bucket);
  {
    g_autoptr(JsonObject) args = yatai_product_save_args (0, "焼きそば", 500, 1000000, FALSE, NULL, NULL, TRUE);
    g_autoptr(JsonNode) result = yatai_store_run (a->store, "product.save", args, &error);

    product = json_object_get_int_member (json_node_get_object (result), "id");
  }
  yatai_sync_engine_start (a->engine);
  spin (300);
  yatai_sync_engine_start (b->engine);
  spin (500);

  for (guint round = 0; round < rounds; round++)
    {
      Device *writer = writer_of (a, b);
      guint sleep_ms = g_rand_int_range (rand, 700, 1200);
      gint64 until;

      if (writer != NULL)
        yatai_sync_engine_pause_renewal (writer->engine, TRUE);
      until = g_get_monotonic_time () + (gint64) sleep_ms * 1000;
      while (g_get_monotonic_time () < until)
        {
          take_order (g_rand_boolean (rand) ? a : b, product);
          spin (15);
        }
      if (writer != NULL)
        {
          yatai_sync_engine_pause_renewal (writer->engine, FALSE);
          spin (400);
          if (writer_of (a, b) != writer)
            takeovers++;
        }
    }
  g_rand_free (rand);

  /* Quiet: every sent command answered, both stores the same. */
  {
    gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

    while (g_get_monotonic_time () < deadline)
      {
        g_autofree char *da = NULL;
        g_autofree char *db = NULL;

        spin (100);
        if (g_hash_table_size (a->waiting) + g_hash_table_size (b->waiting) > 0 ||
            yatai_store_outbox_count (a->store) + yatai_store_outbox_count (b->store) > 0)
          continue;
        da = yatai_store_dump_canonical (a->store, NULL);
        db = yatai_store_dump_canonical (b->store, NULL);
        if (g_strcmp0 (da, db) == 0)
          break;
      }
  }

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
  {
    sqlite3_stmt *stmt = NULL;
    GHashTableIter iter;
    gpointer key;

    sqlite3_prepare_v2 (yatai_store_get_db (a->store), "SELECT customer FROM orders", -1, &stmt, NULL);
    while (sqlite3_step (stmt) == SQLITE_ROW)
      {
        const char *tag = (const char *) sqlite3_column_text (stmt, 0);

        if (g_hash_table_contains (seen, tag))
          doubled++;
        else
          g_hash_table_add (seen, g_strdup (tag));
      }
    sqlite3_finalize (stmt);
    g_hash_table_iter_init (&iter, confirmed);
    while (g_hash_table_iter_next (&iter, &key, NULL))
      if (!g_hash_table_contains (seen, key))
        missing++;
  }

  printf ("The split-brain run: %u rounds, renewals paused for 700-1,200 ms against a 600 ms lease\n\n", rounds);
  printf ("| what | count |\n| --- | ---: |\n");
  printf ("| takeovers | %u |\n", takeovers);
  printf ("| log segments written by A / by B | %u / %u |\n", per_device[0], per_device[1]);
  printf ("| log positions with another or a second writer | %u |\n", two_writers);
  printf ("| orders confirmed (at once, or their command accepted) | %u |\n", g_hash_table_size (confirmed));
  printf ("| commands refused by the writer | %u |\n", refused);
  printf ("| orders in the stall | %u |\n", g_hash_table_size (seen));
  printf ("| confirmed but missing | %u |\n", missing);
  printf ("| doubled | %u |\n", doubled);
  return two_writers == 0 && missing == 0 && doubled == 0 ? 0 : 1;
}
