/* test-sync-link.c: the sync engine over the venue link, beside a bucket in memory
 *
 * Two devices on 127.0.0.1: the writer serves the link, the follower is given its address. With the
 * bucket cut off after the follower joined, the stall still works end to end over the link, and the
 * bucket gets everything once it is back.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <sys/mount.h>

#include "memory-bucket.h"
#include "sync-test-util.h"
#include "test-language.h"
#include "yatai-store-journal.h"
#include "yatai-store-products.h"
#include "yatai-sync-engine.h"
#include "yatai-sync-status.h"

#define PREFIX "yatai/stall-1"
#define WAIT_MS 20000
#define HANDOVER_CHECK_S 1     /* how often the writer reads the handover request */

static char *dir;
static YataiMemoryBucket *bucket;

static SyncTestDevice *
device_new (const char *name,
            const char *listen,
            const char *writer)
{
  SyncTestDevice *device = sync_test_device_new (dir, name, YATAI_BUCKET (bucket), PREFIX);

  yatai_sync_engine_set_link (device->engine, listen, writer);
  return device;
}

static gboolean
follows_over_link (gpointer data)
{
  return g_strcmp0 (yatai_sync_engine_get_link_writer (((SyncTestDevice *) data)->engine), "Counter PC") == 0;
}

static void
test_bucket_down (void)
{
  SyncTestDevice *counter = device_new ("Counter PC", "127.0.0.1:0", NULL);
  SyncTestDevice *kitchen = NULL;
  SyncTestDevice *spare = NULL;
  g_autofree char *address = NULL;
  guint writes;

  yatai_sync_engine_start (counter->engine);
  sync_test_run_until (sync_test_is_writer, counter);
  g_assert_cmpuint (yatai_sync_engine_get_link_port (counter->engine), >, 0);
  address = g_strdup_printf ("127.0.0.1:%u", yatai_sync_engine_get_link_port (counter->engine));

  /* The kitchen joins through the bucket (the stall's key comes with the log), then follows the
   * counter over the link. */
  kitchen = device_new ("Kitchen", NULL, address);
  yatai_sync_engine_start (kitchen->engine);
  sync_test_run_until (follows_over_link, kitchen);
  g_assert_cmpstr (yatai_sync_engine_get_link_writer (kitchen->engine), ==, "Counter PC");

  /* The internet goes: nothing reaches the bucket, and the stall goes on over the link. */
  yatai_memory_bucket_set_offline (bucket, TRUE);
  writes = yatai_memory_bucket_get_writes (bucket);
  sync_test_save_product (counter, "焼きそば", 5);
  sync_test_wait_for_product (kitchen, "焼きそば");

  /* The kitchen's own action is a command over the link, answered at once. */
  sync_test_save_product (kitchen, "厨房から", 5);
  sync_test_run_until (sync_test_has_finished, kitchen);
  g_assert_cmpstr (strchr (g_ptr_array_index (kitchen->finished, 0), ':'), ==, ":");
  g_assert_true (yatai_store_product_name_taken (counter->store, "厨房から", 0));
  g_assert_true (yatai_store_product_name_taken (kitchen->store, "厨房から", 0));
  g_assert_cmpuint (yatai_memory_bucket_get_writes (bucket), ==, writes);
  g_assert_cmpint (yatai_store_outbox_count (counter->store), >, 0);

  /* The internet comes back: the counter uploads the backlog, and a device restoring from the bucket
   * alone gets every change. */
  yatai_memory_bucket_set_offline (bucket, FALSE);
  sync_test_run_until (sync_test_outbox_empty, counter);
  spare = device_new ("Spare", NULL, NULL);
  yatai_sync_engine_set_follow_only (spare->engine, TRUE);
  yatai_sync_engine_start (spare->engine);
  sync_test_wait_for_product (spare, "焼きそば");
  sync_test_wait_for_product (spare, "厨房から");
  /* Told no address, the spare finds the counter's in the lease the counter renews, and follows it
   * over the link. */
  sync_test_run_until (follows_over_link, spare);

  sync_test_device_remove (spare);
  sync_test_device_remove (kitchen);
  sync_test_device_remove (counter);
}

/* "This device takes the orders" (the preferred writer). */

static gboolean
no_pending (gpointer data)
{
  return yatai_sync_engine_get_pending (((SyncTestDevice *) data)->engine) == 0;
}

static gboolean
handover_asked (gpointer data)
{
  g_autoptr(GBytes) request = yatai_memory_bucket_get (bucket, PREFIX "/handover");

  return request != NULL;
}

static gboolean
handover_gone (gpointer data)
{
  g_autoptr(GBytes) request = yatai_memory_bucket_get (bucket, PREFIX "/handover");

  return request == NULL;
}

/* A long TTL that a takeover would have to wait out, and no automatic takeover: only a handover makes
 * the second device the writer. */
static SyncTestDevice *
device_with_ttl (const char *name,
                 gboolean    preferred)
{
  SyncTestDevice *device = device_new (name, NULL, NULL);

  yatai_sync_engine_set_timing (device->engine, 60000, 20000);
  yatai_sync_engine_set_preferred (device->engine, preferred);
  return device;
}

/* A stall of its own: no lease left by the test before to wait out. */
static void
new_stall (void)
{
  g_clear_object (&bucket);
  bucket = yatai_memory_bucket_new ();
}

static void
test_handover (void)
{
  SyncTestDevice *kitchen, *counter;
  g_autoptr(GPtrArray) saved = g_ptr_array_new_with_free_func (g_free);
  gint64 started;

  new_stall ();
  kitchen = device_with_ttl ("Kitchen", FALSE);
  counter = device_with_ttl ("Counter", TRUE);

  yatai_sync_engine_start (kitchen->engine);
  sync_test_run_until (sync_test_is_writer, kitchen);
  for (guint i = 0; i < 5; i++)
    {
      g_ptr_array_add (saved, g_strdup_printf ("before %u", i));
      sync_test_save_product (kitchen, g_ptr_array_index (saved, saved->len - 1), 5);
    }

  /* The counter starts while the kitchen writes and keeps taking orders through the handover. */
  started = g_get_monotonic_time ();
  yatai_sync_engine_start (counter->engine);
  while (!sync_test_is_writer (counter))
    {
      gint64 next = g_get_monotonic_time () + 30 * 1000;

      g_assert_cmpint (g_get_monotonic_time () - started, <, WAIT_MS * 1000);
      g_ptr_array_add (saved, g_strdup_printf ("during %u", saved->len));
      sync_test_save_product (kitchen, g_ptr_array_index (saved, saved->len - 1), 5);
      while (g_get_monotonic_time () < next)
        g_main_context_iteration (NULL, FALSE);
    }
  g_test_message ("The counter writes %.2f s after it started (the TTL is 60 s); %u saves on the kitchen",
                  (g_get_monotonic_time () - started) / 1e6, saved->len);
  sync_test_run_until (sync_test_is_follower, kitchen);

  /* Nothing was lost: every save on the kitchen is in the counter's store and back in the kitchen's. */
  sync_test_run_until (no_pending, kitchen);
  sync_test_run_until (sync_test_outbox_empty, counter);
  for (guint i = 0; i < saved->len; i++)
    {
      sync_test_wait_for_product (counter, g_ptr_array_index (saved, i));
      sync_test_wait_for_product (kitchen, g_ptr_array_index (saved, i));
    }
  sync_test_run_until (handover_gone, NULL);
  g_assert_true (sync_test_is_follower (kitchen));
  g_assert_true (sync_test_is_writer (counter));

  sync_test_device_remove (counter);
  sync_test_device_remove (kitchen);
}

/* Two devices that take the orders: the first one keeps them. */
static void
test_handover_first_keeps (void)
{
  SyncTestDevice *first, *second;
  gint64 until;

  new_stall ();
  first = device_with_ttl ("Counter", TRUE);
  second = device_with_ttl ("Second till", TRUE);

  yatai_sync_engine_start (first->engine);
  sync_test_run_until (sync_test_is_writer, first);
  yatai_sync_engine_start (second->engine);
  sync_test_run_until (sync_test_is_follower, second);
  sync_test_run_until (handover_asked, NULL);
  /* The writer reads the request, and deletes it without handing over. */
  sync_test_run_until (handover_gone, NULL);
  until = g_get_monotonic_time () + 3 * HANDOVER_CHECK_S * G_USEC_PER_SEC;
  while (g_get_monotonic_time () < until)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  g_assert_true (sync_test_is_writer (first));
  g_assert_true (sync_test_is_follower (second));
  sync_test_save_product (first, "still the first", 5);
  sync_test_wait_for_product (second, "still the first");

  sync_test_device_remove (second);
  sync_test_device_remove (first);
}

static gboolean
writer_disk_full (gpointer data)
{
  return g_strcmp0 (yatai_sync_engine_get_writer_trouble (((SyncTestDevice *) data)->engine), "disk-full") == 0;
}

static gboolean
writer_can_save (gpointer data)
{
  return yatai_sync_engine_get_writer_trouble (((SyncTestDevice *) data)->engine) == NULL;
}

/* What the header bar says on a follower of a writer whose disk is full, in English and Japanese. */
static void
assert_says_disk_full (SyncTestDevice *device)
{
  g_autofree char *summary = yatai_sync_status_summary (device->engine, g_get_monotonic_time ());
  g_autofree char *details = yatai_sync_status_details (device->engine, g_get_monotonic_time ());
  g_autofree char *summary_ja = NULL;

  test_language_use ("ja");
  summary_ja = yatai_sync_status_summary (device->engine, g_get_monotonic_time ());
  test_language_use ("en");
  g_assert_cmpstr (summary_ja, ==, "「Counter PC」はディスクがいっぱいで保存できません");
  g_assert_cmpstr (summary, ==, "“Counter PC” cannot save: its disk is full");
  g_assert_nonnull (strstr (details, "“Counter PC” cannot save: its disk is full. What is done here is kept and "
                                     "sent once it has space again."));
}

/* The writer's disk is full when a follower's command comes over the link: neither applied nor
 * refused, it is not answered as done (the follower would drop it and wait for ever) but goes through
 * the inbox, where it waits for space, and is applied once there is some. The followers say why it
 * waits: the kitchen on the link, the tablet (bucket only) from the lease. */
static void
test_full_disk_command (void)
{
  g_autofree char *disk = g_build_filename (dir, "disk", NULL);
  g_autofree char *filler = NULL;
  g_autofree char *address = NULL;
  SyncTestDevice *counter, *kitchen, *tablet;

  g_mkdir (disk, 0700);
  if (mount ("tmpfs", disk, "tmpfs", 0, "size=2m") != 0)
    {
      g_test_skip ("A small file system to fill cannot be mounted here (mount needs root): the full disk is not tested.");
      g_rmdir (disk);
      return;
    }
  new_stall ();
  counter = sync_test_device_new (disk, "Counter PC", YATAI_BUCKET (bucket), PREFIX);
  yatai_sync_engine_set_link (counter->engine, "127.0.0.1:0", NULL);
  yatai_sync_engine_start (counter->engine);
  sync_test_run_until (sync_test_is_writer, counter);
  address = g_strdup_printf ("127.0.0.1:%u", yatai_sync_engine_get_link_port (counter->engine));
  kitchen = device_new ("Kitchen", NULL, address);
  yatai_sync_engine_start (kitchen->engine);
  sync_test_run_until (follows_over_link, kitchen);
  tablet = device_new ("Tablet", NULL, NULL);
  yatai_sync_engine_set_link_follow (tablet->engine, FALSE);
  yatai_sync_engine_start (tablet->engine);
  sync_test_save_product (counter, "before", 5);
  sync_test_wait_for_product (kitchen, "before");
  sync_test_wait_for_product (tablet, "before");
  g_assert_null (yatai_sync_engine_get_writer_trouble (kitchen->engine));
  g_assert_null (yatai_sync_engine_get_writer_trouble (tablet->engine));

  filler = sync_test_fill_disk (disk);
  sync_test_save_product (kitchen, "while full", 5);
  sync_test_save_product (tablet, "tablet while full", 5);
  sync_test_run_until (writer_disk_full, kitchen);
  assert_says_disk_full (kitchen);
  sync_test_run_until (writer_disk_full, tablet);
  g_assert_null (yatai_sync_engine_get_link_writer (tablet->engine));
  assert_says_disk_full (tablet);
  g_assert_cmpuint (kitchen->finished->len, ==, 0);
  g_assert_cmpuint (tablet->finished->len, ==, 0);
  g_assert_false (yatai_store_product_name_taken (counter->store, "while full", 0));

  /* Space again: each command is applied once, and the followers no longer say it. */
  g_unlink (filler);
  sync_test_run_until (sync_test_has_finished, kitchen);
  sync_test_run_until (sync_test_has_finished, tablet);
  g_assert_cmpstr (strchr (g_ptr_array_index (kitchen->finished, 0), ':'), ==, ":");
  g_assert_cmpstr (strchr (g_ptr_array_index (tablet->finished, 0), ':'), ==, ":");
  sync_test_wait_for_product (kitchen, "while full");
  sync_test_wait_for_product (tablet, "tablet while full");
  g_assert_true (yatai_store_product_name_taken (counter->store, "while full", 0));
  sync_test_run_until (writer_can_save, kitchen);
  sync_test_run_until (writer_can_save, tablet);
  sync_test_run_for (1000);
  g_assert_cmpuint (kitchen->finished->len, ==, 1);
  g_assert_cmpuint (tablet->finished->len, ==, 1);

  sync_test_device_remove (tablet);
  sync_test_device_remove (kitchen);
  sync_test_device_remove (counter);
  umount (disk);
  g_rmdir (disk);
}

int
main (int    argc,
      char **argv)
{
  int status;

  test_language_init ();
  g_test_init (&argc, &argv, NULL);
  /* Held for the whole test, so that GIO's TLS handshake threads cannot take the main context (and
   * run the engines' callbacks on their own thread) while run_until() sleeps between iterations. */
  g_main_context_acquire (NULL);
  dir = g_dir_make_tmp ("yatai-sync-link-XXXXXX", NULL);
  bucket = yatai_memory_bucket_new ();

  g_test_add_func ("/sync-link/bucket-down", test_bucket_down);
  g_test_add_func ("/sync-link/handover", test_handover);
  g_test_add_func ("/sync-link/handover-first-keeps", test_handover_first_keeps);
  g_test_add_func ("/sync-link/full-disk-command", test_full_disk_command);
  status = g_test_run ();

  g_clear_object (&bucket);
  g_rmdir (dir);
  g_free (dir);
  return status;
}
