/* test-sync-hostile.c: what a stall meets that its own devices never write
 *
 * A device that was off longer than the log's retention, objects in the bucket that are junk, far too
 * large, a zstd bomb or a lease that breaks the rules: in each case every order confirmed stays, the
 * writer keeps writing, and the device says in words what is wrong and where. Over the bucket in memory,
 * with a lease of 600 ms.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <sys/mount.h>

#include "memory-bucket.h"
#include "sync-test-util.h"
#include "yatai-lease.h"
#include "yatai-segment.h"
#include "yatai-store-journal.h"
#include "yatai-store-products.h"
#include "yatai-sync-engine.h"
#include "zstd-bomb.h"

#define PREFIX "yatai/stall-1"
#define TTL_MS 600

typedef struct
{
  char              *dir;
  YataiMemoryBucket *bucket;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->dir = g_dir_make_tmp ("yatai-hostile-XXXXXX", NULL);
  f->bucket = yatai_memory_bucket_new ();
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GDir) d = g_dir_open (f->dir, 0, NULL);
  const char *name;

  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (f->dir, name, NULL);
      g_unlink (path);
    }
  g_rmdir (f->dir);
  g_free (f->dir);
  g_clear_object (&f->bucket);
}

/* A device on the store file @name (opened again if it exists: a device switched back on). */
static SyncTestDevice *
device_open (Fixture    *f,
             const char *name)
{
  return sync_test_device_new (f->dir, name, YATAI_BUCKET (f->bucket), PREFIX);
}

static void
save_n (SyncTestDevice *device,
        const char     *prefix,
        int             n)
{
  for (int i = 0; i < n; i++)
    {
      g_autofree char *name = g_strdup_printf ("%s %d", prefix, i);

      sync_test_save_product (device, name, 10);
      sync_test_run_until_ms (sync_test_outbox_empty, device, 5000);
    }
}

static char *
log_name (gint64 seq)
{
  return yatai_segment_object_name (PREFIX, YATAI_SEGMENT_LOG, seq);
}

static gboolean
error_mentions (SyncTestDevice *device,
                const char     *text)
{
  const char *error = yatai_sync_engine_get_error (device->engine);

  return error != NULL && strstr (error, text) != NULL;
}

typedef struct
{
  Fixture *f;
  gint64   seq;
} Trim;

static gboolean
log_trimmed_to (gpointer data)
{
  Trim *trim = data;
  g_autofree char *name = log_name (trim->seq);
  g_autoptr(GBytes) first = yatai_memory_bucket_get (trim->f->bucket, name);

  return first == NULL;
}

/* A kitchen switched off at seq S while the counter goes on and retention deletes the log past S: back
 * on, it must not take the missing log/<S + 1> for the end. Then it becomes the writer, and writes
 * after the stall's head, never at a position the stall already used. */
static void
test_long_absence (Fixture       *f,
                   gconstpointer  data)
{
  SyncTestDevice *a = device_open (f, "Counter PC");
  SyncTestDevice *b = device_open (f, "Kitchen");
  SyncTestDevice *c = NULL;
  SyncTestPair pair = { a, b };
  Trim trim = { f, 0 };
  gint64 away_at, head;

  yatai_sync_engine_set_snapshot_every (a->engine, 4);
  yatai_sync_engine_start (a->engine);
  sync_test_run_until_ms (sync_test_is_writer, a, 5000);
  yatai_sync_engine_start (b->engine);
  sync_test_run_until_ms (sync_test_is_follower, b, 5000);
  save_n (a, "before", 3);
  sync_test_run_until_ms (sync_test_same_content, &pair, 5000);
  away_at = yatai_sync_engine_get_seq (b->engine);
  sync_test_device_free (b);

  /* Away: the counter sells on; snapshots, and the log up to them is deleted. */
  yatai_sync_engine_set_retention (a->engine, 200);
  save_n (a, "away", 12);
  trim.seq = away_at + 1;
  sync_test_run_until_ms (log_trimmed_to, &trim, 10000);
  head = yatai_sync_engine_get_seq (a->engine);
  g_assert_cmpint (head, >, away_at + 4);

  /* Back on: it restores instead of following a stale copy. */
  b = device_open (f, "Kitchen");
  pair.b = b;
  yatai_sync_engine_start (b->engine);
  sync_test_run_until_ms (sync_test_same_content, &pair, 10000);
  g_assert_true (yatai_store_product_name_taken (b->store, "away 11", 0));
  g_assert_cmpint (yatai_sync_engine_get_seq (b->engine), ==, head);

  /* The counter stops for good; the kitchen takes over and sells. */
  yatai_sync_engine_pause_renewal (a->engine, TRUE);
  yatai_sync_engine_set_auto_takeover (b->engine, TRUE);
  sync_test_run_until_ms (sync_test_is_writer, b, 10000);
  g_assert_cmpint (yatai_sync_engine_get_seq (b->engine), >, head);
  save_n (b, "kitchen", 3);
  sync_test_device_free (a);

  /* A new PC restores the whole stall: nothing the kitchen wrote was at a used position. */
  c = device_open (f, "Backup");
  pair.a = b;
  pair.b = c;
  yatai_sync_engine_set_follow_only (c->engine, TRUE);
  yatai_sync_engine_start (c->engine);
  sync_test_run_until_ms (sync_test_same_content, &pair, 10000);
  g_assert_true (yatai_store_product_name_taken (c->store, "kitchen 2", 0));
  g_assert_true (yatai_store_product_name_taken (c->store, "away 11", 0));
  g_assert_true (yatai_store_product_name_taken (c->store, "before 0", 0));
  g_assert_cmpuint (yatai_store_count_products (c->store), ==, 18);

  sync_test_device_free (b);
  sync_test_device_free (c);
}

/* The same, with the kitchen switched back on as the writer straight away (it held the lease before
 * and the counter is off): its catch-up must see the head before it writes its epoch marker. */
static void
test_stale_writer_catches_up (Fixture       *f,
                              gconstpointer  data)
{
  SyncTestDevice *a = device_open (f, "Counter PC");
  SyncTestDevice *b = device_open (f, "Kitchen");
  SyncTestDevice *c = NULL;
  SyncTestPair pair = { a, b };
  Trim trim = { f, 0 };
  gint64 away_at, head;

  yatai_sync_engine_set_snapshot_every (a->engine, 4);
  yatai_sync_engine_start (a->engine);
  sync_test_run_until_ms (sync_test_is_writer, a, 5000);
  yatai_sync_engine_start (b->engine);
  sync_test_run_until_ms (sync_test_is_follower, b, 5000);
  save_n (a, "before", 2);
  sync_test_run_until_ms (sync_test_same_content, &pair, 5000);
  away_at = yatai_sync_engine_get_seq (b->engine);
  sync_test_device_free (b);

  yatai_sync_engine_set_retention (a->engine, 200);
  save_n (a, "away", 10);
  trim.seq = away_at + 1;
  sync_test_run_until_ms (log_trimmed_to, &trim, 10000);
  head = yatai_sync_engine_get_seq (a->engine);
  /* The counter is switched off without a clean stop. */
  sync_test_device_free (a);

  b = device_open (f, "Kitchen");
  yatai_sync_engine_set_auto_takeover (b->engine, TRUE);
  yatai_sync_engine_start (b->engine);
  sync_test_run_until_ms (sync_test_is_writer, b, 10000);
  g_assert_cmpint (yatai_sync_engine_get_seq (b->engine), >, head);
  g_assert_true (yatai_store_product_name_taken (b->store, "away 9", 0));
  save_n (b, "kitchen", 2);

  c = device_open (f, "Backup");
  pair.a = b;
  pair.b = c;
  yatai_sync_engine_set_follow_only (c->engine, TRUE);
  yatai_sync_engine_start (c->engine);
  sync_test_run_until_ms (sync_test_same_content, &pair, 10000);
  g_assert_cmpuint (yatai_store_count_products (c->store), ==, 14);

  sync_test_device_free (b);
  sync_test_device_free (c);
}

static gboolean
kitchen_product_reached (gpointer data)
{
  return yatai_store_product_name_taken (((SyncTestDevice *) data)->store, "from the kitchen", 0);
}

/* Junk created at a future log position: when the log reaches it the writer gets 412 there, reads a
 * thing that is no segment, skips the position and keeps writing; the follower skips it too. */
static void
test_junk_at_future_position (Fixture       *f,
                              gconstpointer  data)
{
  SyncTestDevice *a = device_open (f, "Counter PC");
  SyncTestDevice *b = device_open (f, "Kitchen");
  SyncTestPair pair = { a, b };
  g_autoptr(GBytes) junk = g_bytes_new_static ("not a segment at all", 20);
  g_autofree char *junk_name = NULL;
  gint64 at;

  yatai_sync_engine_start (a->engine);
  sync_test_run_until_ms (sync_test_is_writer, a, 5000);
  yatai_sync_engine_start (b->engine);
  sync_test_run_until_ms (sync_test_is_follower, b, 5000);
  save_n (a, "one", 1);
  sync_test_run_until_ms (sync_test_same_content, &pair, 5000);

  at = yatai_sync_engine_get_seq (a->engine) + 2;
  junk_name = log_name (at);
  yatai_memory_bucket_put (f->bucket, junk_name, junk);
  save_n (a, "two", 5);
  g_assert_true (sync_test_is_writer (a));
  g_assert_cmpint (yatai_sync_engine_get_seq (a->engine), >, at);
  sync_test_run_until_ms (sync_test_same_content, &pair, 5000);
  g_assert_true (yatai_store_product_name_taken (b->store, "two 4", 0));
  g_assert_true (error_mentions (a, junk_name));

  /* A follower also sends commands through: the writer takes orders past the junk. */
  sync_test_save_product (b, "from the kitchen", 10);
  sync_test_run_until_ms (kitchen_product_reached, a, 5000);
  sync_test_run_until_ms (sync_test_same_content, &pair, 5000);

  sync_test_device_free (a);
  sync_test_device_free (b);
}

/* A 40 MB object at the next log position is more than any segment can be: refused by its size,
 * skipped, and not downloaded again at every poll. */
static void
test_oversized_at_next_position (Fixture       *f,
                                 gconstpointer  data)
{
  SyncTestDevice *a = device_open (f, "Counter PC");
  SyncTestDevice *b = device_open (f, "Kitchen");
  SyncTestPair pair = { a, b };
  gsize size = 40 * 1024 * 1024;
  g_autoptr(GBytes) huge = g_bytes_new_take (g_malloc0 (size), size);
  g_autofree char *name = NULL;
  guint reads;

  yatai_sync_engine_start (a->engine);
  sync_test_run_until_ms (sync_test_is_writer, a, 5000);
  yatai_sync_engine_start (b->engine);
  sync_test_run_until_ms (sync_test_is_follower, b, 5000);
  sync_test_run_until_ms (sync_test_same_content, &pair, 5000);

  name = log_name (yatai_sync_engine_get_seq (a->engine) + 1);
  yatai_memory_bucket_put (f->bucket, name, huge);
  g_clear_pointer (&huge, g_bytes_unref);
  sync_test_run_for (300);
  reads = yatai_memory_bucket_count_reads (f->bucket, name);
  g_assert_cmpuint (reads, >=, 1);
  sync_test_run_for (500);
  /* The follower polls every 20 ms: it asked for the object once, not 25 more times. */
  g_assert_cmpuint (yatai_memory_bucket_count_reads (f->bucket, name), <=, reads + 1);
  g_assert_true (error_mentions (b, name));
  g_assert_true (error_mentions (b, "larger than any object of its kind"));

  save_n (a, "after", 2);
  g_assert_true (sync_test_is_writer (a));
  sync_test_run_until_ms (sync_test_same_content, &pair, 5000);
  g_assert_true (yatai_store_product_name_taken (b->store, "after 1", 0));

  sync_test_device_free (a);
  sync_test_device_free (b);
}

static void
stopped_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  *(gboolean *) user_data = yatai_sync_engine_stop_finish (YATAI_SYNC_ENGINE (source), result, NULL);
}

static gboolean
is_true (gpointer data)
{
  return *(gboolean *) data;
}

static void
put_text (Fixture    *f,
          const char *name,
          const char *text)
{
  g_autoptr(GBytes) bytes = g_bytes_new (text, strlen (text));

  yatai_memory_bucket_put (f->bucket, name, bytes);
}

/* A lease with a TTL of 24 hours (or an epoch that goes backwards, or garbage) is a damaged object:
 * shown as such, and the other device takes over after Yatai's own TTL of silence, not 24 hours. */
static void
test_rule_breaking_lease (Fixture       *f,
                          gconstpointer  data)
{
  /* A TTL of 24 hours; an epoch going backwards; not a lease at all. EPOCH is the stall's next
   * epoch, BACK the one before its current one. */
  const char *bad[] = {
    "{\"format\":1,\"device\":\"intruder\",\"device_name\":\"Intruder\",\"epoch\":EPOCH,\"ttl_ms\":86400000,"
    "\"released\":false}",
    "{\"format\":1,\"device\":\"intruder\",\"device_name\":\"Intruder\",\"epoch\":BACK,\"ttl_ms\":600,"
    "\"released\":false}",
    "<html>Service Unavailable</html>",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      SyncTestDevice *a = device_open (f, "Counter PC");
      SyncTestDevice *b = device_open (f, "Kitchen");
      SyncTestPair pair = { a, b };
      gboolean stopped = FALSE;
      g_autofree char *text = NULL;
      g_autofree char *next = NULL;
      g_autofree char *back = NULL;
      g_autoptr(GString) lease = g_string_new (bad[i]);
      gint64 epoch;

      g_test_message ("lease: %s", bad[i]);
      yatai_sync_engine_start (a->engine);
      sync_test_run_until_ms (sync_test_is_writer, a, 5000);
      /* The counter stops cleanly and starts again: epoch 2, so that an epoch can go backwards. */
      yatai_sync_engine_stop_async (a->engine, NULL, stopped_cb, &stopped);
      sync_test_run_until_ms (is_true, &stopped, 5000);
      sync_test_device_free (a);
      a = device_open (f, "Counter PC");
      pair.a = a;
      yatai_sync_engine_start (a->engine);
      sync_test_run_until_ms (sync_test_is_writer, a, 5000);
      yatai_sync_engine_set_auto_takeover (b->engine, TRUE);
      yatai_sync_engine_start (b->engine);
      sync_test_run_until_ms (sync_test_is_follower, b, 5000);
      save_n (a, "menu", 2);
      sync_test_run_until_ms (sync_test_same_content, &pair, 5000);
      epoch = yatai_sync_engine_get_epoch (a->engine);
      g_assert_cmpint (epoch, ==, 2);

      next = g_strdup_printf ("%" G_GINT64_FORMAT, epoch + 1);
      back = g_strdup_printf ("%" G_GINT64_FORMAT, epoch - 1);
      g_string_replace (lease, "EPOCH", next, 0);
      g_string_replace (lease, "BACK", back, 0);
      text = g_string_free (g_steal_pointer (&lease), FALSE);
      put_text (f, PREFIX "/lease", text);

      /* The counter's next renewal is refused (the lease changed); the lease is damaged, so after
       * Yatai's TTL of silence the kitchen takes over, at an epoch above any claimed. */
      sync_test_run_until_ms (sync_test_is_writer, b, TTL_MS * 10);
      g_assert_cmpint (yatai_sync_engine_get_epoch (b->engine), >, i == 0 ? epoch + 1 : epoch);
      sync_test_run_until_ms (sync_test_is_follower, a, 5000);
      g_assert_true (error_mentions (b, PREFIX "/lease"));
      save_n (b, "after", 1);
      pair.a = b;
      pair.b = a;
      sync_test_run_until_ms (sync_test_same_content, &pair, 10000);
      g_assert_true (yatai_store_product_name_taken (a->store, "after 0", 0));

      sync_test_device_free (a);
      sync_test_device_free (b);
      g_clear_object (&f->bucket);
      f->bucket = yatai_memory_bucket_new ();
      {
        g_autoptr(GDir) d = g_dir_open (f->dir, 0, NULL);
        const char *name;

        while ((name = g_dir_read_name (d)) != NULL)
          {
            g_autofree char *path = g_build_filename (f->dir, name, NULL);
            g_unlink (path);
          }
      }
    }
}

/* A zstd bomb (8.5 KB declaring 256 MB) as the newest snapshot: a new device restores from the newest
 * snapshot that checks out, follows the log after it, and says which snapshot was refused and why. */
static void
test_bomb_snapshot (Fixture       *f,
                    gconstpointer  data)
{
  SyncTestDevice *a = device_open (f, "Counter PC");
  SyncTestDevice *b = NULL;
  SyncTestPair pair = { a, NULL };
  g_autofree char *name = NULL;

  yatai_sync_engine_set_snapshot_every (a->engine, 2);
  yatai_sync_engine_start (a->engine);
  sync_test_run_until_ms (sync_test_is_writer, a, 5000);
  save_n (a, "menu", 5);

  /* The bomb, at a seq past the head so that it is the newest. */
  name = yatai_segment_object_name (PREFIX, YATAI_SEGMENT_SNAPSHOT, 999);
  {
    g_autoptr(GBytes) bomb = zstd_bomb_snapshot (YATAI_SEGMENT_SNAPSHOT_MAX_RAW, 999);

    g_assert_cmpuint (g_bytes_get_size (bomb), <, 16 * 1024);
    yatai_memory_bucket_put (f->bucket, name, bomb);
  }

  b = device_open (f, "New PC");
  pair.b = b;
  yatai_sync_engine_set_follow_only (b->engine, TRUE);
  yatai_sync_engine_start (b->engine);
  sync_test_run_until_ms (sync_test_same_content, &pair, 10000);
  g_assert_true (yatai_store_product_name_taken (b->store, "menu 4", 0));
  g_assert_true (error_mentions (b, name));
  g_assert_true (error_mentions (b, "not the database its header declares"));

  sync_test_device_free (a);
  sync_test_device_free (b);
}

/* The log after the newest snapshot is part of a restore: a device that restores has every order the
 * writer confirmed, and says when it has caught up. */
static void
test_restore_through_log (Fixture       *f,
                          gconstpointer  data)
{
  SyncTestDevice *a = device_open (f, "Counter PC");
  SyncTestDevice *b = device_open (f, "Backup");
  SyncTestPair pair = { a, b };

  yatai_sync_engine_start (a->engine);
  sync_test_run_until_ms (sync_test_is_writer, a, 5000);
  save_n (a, "menu", 3);
  g_assert_cmpuint (yatai_memory_bucket_count_prefix (f->bucket, PREFIX "/snapshot/"), ==, 1);

  yatai_sync_engine_set_follow_only (b->engine, TRUE);
  yatai_sync_engine_start (b->engine);
  sync_test_run_until_ms (sync_test_is_follower, b, 5000);
  while (!b->caught_up)
    sync_test_run_for (10);
  /* Caught up means everything: no poll later. */
  g_assert_true (sync_test_same_content (&pair));
  g_assert_cmpint (yatai_sync_engine_get_seq (b->engine), ==, yatai_sync_engine_get_seq (a->engine));

  sync_test_device_free (a);
  sync_test_device_free (b);
}

/* Fills the file system of @dir; returns the filler's path, to delete when space comes back. */
static gboolean
lease_released (gpointer data)
{
  Fixture *f = data;
  g_autoptr(GBytes) bytes = yatai_memory_bucket_get (f->bucket, PREFIX "/lease");
  g_autoptr(YataiLease) lease = bytes ? yatai_lease_parse (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), NULL)
                                      : NULL;

  return lease != NULL && lease->released;
}

/* The writer's store on a small file system that fills up (a tmpfs of its own): orders are refused with
 * "The disk is full", the writer keeps renewing its lease (the kitchen never takes over), says so, goes
 * on once space is back, and a stop while the disk is full still releases the lease. Nothing confirmed
 * is lost. */
static void
test_full_disk (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *disk = g_build_filename (f->dir, "disk", NULL);
  g_autofree char *filler = NULL;
  g_autofree char *store_path = NULL;
  g_autoptr(GError) error = NULL;
  SyncTestDevice *a = NULL;
  SyncTestDevice *b = NULL;
  SyncTestPair pair;
  gboolean stopped = FALSE;
  int refused = 0;

  g_mkdir (disk, 0700);
  if (mount ("tmpfs", disk, "tmpfs", 0, "size=2m") != 0)
    {
      g_test_skip ("A small file system to fill cannot be mounted here (mount needs root): the full disk is not tested.");
      g_rmdir (disk);
      return;
    }

  a = g_new0 (SyncTestDevice, 1);
  store_path = g_build_filename (disk, "counter.sqlite3", NULL);
  a->path = g_strdup (store_path);
  a->store = yatai_store_open (store_path, &error);
  g_assert_no_error (error);
  yatai_store_set_device_name (a->store, "Counter PC");
  a->engine = yatai_sync_engine_new (a->store, YATAI_BUCKET (f->bucket), PREFIX);
  yatai_sync_engine_set_timing (a->engine, TTL_MS, 150);
  b = device_open (f, "Kitchen");
  pair.a = a;
  pair.b = b;

  yatai_sync_engine_start (a->engine);
  sync_test_run_until_ms (sync_test_is_writer, a, 5000);
  yatai_sync_engine_set_auto_takeover (b->engine, TRUE);
  yatai_sync_engine_start (b->engine);
  sync_test_run_until_ms (sync_test_is_follower, b, 5000);
  save_n (a, "before", 2);
  sync_test_run_until_ms (sync_test_same_content, &pair, 5000);

  /* An order commits while the bucket cannot be reached; then the disk fills; then the bucket is back:
   * the upload goes through but cannot be noted in the store. */
  yatai_memory_bucket_set_offline (f->bucket, TRUE);
  sync_test_save_product (a, "just before", 10);
  filler = sync_test_fill_disk (disk);
  for (int i = 0; i < 5; i++)
    {
      g_autoptr(JsonObject) args = yatai_product_save_args (0, "refused", 300, 10, FALSE, NULL, NULL, TRUE);
      g_autoptr(YataiCommand) command = yatai_command_new ("product.save", args);
      g_autoptr(GError) full = NULL;
      gboolean sent;
      g_autoptr(JsonNode) result = yatai_sync_engine_execute (a->engine, command, &sent, &full);

      if (result == NULL && g_str_has_prefix (full->message, "The disk is full"))
        refused++;
    }
  g_assert_cmpint (refused, ==, 5);
  yatai_memory_bucket_set_offline (f->bucket, FALSE);

  /* Many TTLs with the disk full: the counter still writes, the kitchen follows. */
  sync_test_run_for (TTL_MS * 5);
  g_assert_true (sync_test_is_writer (a));
  g_assert_true (sync_test_is_follower (b));
  g_assert_true (yatai_store_product_name_taken (b->store, "just before", 0));
  g_assert_true (error_mentions (a, "The disk is full"));

  /* Space again: it notes what it uploaded and takes orders. */
  g_unlink (filler);
  save_n (a, "after", 2);
  sync_test_run_until_ms (sync_test_same_content, &pair, 5000);
  g_assert_true (sync_test_is_writer (a));

  /* Full again, and the counter is shut down: it releases the lease all the same. */
  g_free (filler);
  yatai_memory_bucket_set_offline (f->bucket, TRUE);
  sync_test_save_product (a, "last", 10);
  filler = sync_test_fill_disk (disk);
  yatai_memory_bucket_set_offline (f->bucket, FALSE);
  sync_test_run_for (300);
  yatai_sync_engine_stop_async (a->engine, NULL, stopped_cb, &stopped);
  sync_test_run_until_ms (is_true, &stopped, 10000);
  g_assert_true (lease_released (f));
  sync_test_run_until_ms (sync_test_is_writer, b, 5000);
  g_assert_true (yatai_store_product_name_taken (b->store, "last", 0));
  g_assert_cmpuint (yatai_store_count_products (b->store), ==, 6);

  sync_test_device_free (a);
  sync_test_device_free (b);
  g_unlink (filler);
  umount (disk);
  g_rmdir (disk);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/sync-hostile/long-absence", test_long_absence);
  ADD ("/sync-hostile/stale-writer-catches-up", test_stale_writer_catches_up);
  ADD ("/sync-hostile/junk-at-future-position", test_junk_at_future_position);
  ADD ("/sync-hostile/oversized-at-next-position", test_oversized_at_next_position);
  ADD ("/sync-hostile/rule-breaking-lease", test_rule_breaking_lease);
  ADD ("/sync-hostile/bomb-snapshot", test_bomb_snapshot);
  ADD ("/sync-hostile/restore-through-log", test_restore_through_log);
  ADD ("/sync-hostile/full-disk", test_full_disk);
#undef ADD

  return g_test_run ();
}
