/* test-sync-link.c: the sync engine over the venue link, beside a bucket in memory
 *
 * Two devices on 127.0.0.1: the writer serves the link, the follower is given its address. With the
 * bucket cut off after the follower joined, the stall still works end to end over the link, and the
 * bucket gets everything once it is back.
 */
#include "config.h"

#include <glib/gstdio.h>

#include "memory-bucket.h"
#include "sync-test-util.h"
#include "yatai-store-journal.h"
#include "yatai-store-products.h"
#include "yatai-sync-engine.h"

#define PREFIX "yatai/stall-1"
#define WAIT_MS 20000
#define HANDOVER_CHECK_S 1     /* how often the writer reads the handover request */

typedef struct
{
  YataiStore      *store;
  YataiSyncEngine *engine;
  GPtrArray       *finished;   /* "id:refusal" */
  char            *path;
} Device;

static char *dir;
static YataiMemoryBucket *bucket;

static void
finished_cb (YataiSyncEngine *engine,
             const char      *id,
             const char      *refusal,
             Device          *device)
{
  g_ptr_array_add (device->finished, g_strdup_printf ("%s:%s", id, refusal ? refusal : ""));
}

static Device *
device_new (const char *name,
            const char *listen,
            const char *writer)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *file = g_strdup_printf ("%s.sqlite3", name);
  Device *device = g_new0 (Device, 1);

  device->path = g_build_filename (dir, file, NULL);
  device->store = yatai_store_open (device->path, &error);
  g_assert_no_error (error);
  yatai_store_set_device_name (device->store, name);
  device->engine = yatai_sync_engine_new (device->store, YATAI_BUCKET (bucket), PREFIX);
  yatai_sync_engine_set_timing (device->engine, 600, 150);
  yatai_sync_engine_set_poll_interval (device->engine, 20);
  yatai_sync_engine_set_link (device->engine, listen, writer);
  device->finished = g_ptr_array_new_with_free_func (g_free);
  g_signal_connect (device->engine, "command-finished", G_CALLBACK (finished_cb), device);
  return device;
}

static void
device_free (Device *device)
{
  g_clear_object (&device->engine);
  g_clear_object (&device->store);
  g_ptr_array_unref (device->finished);
  sync_test_remove_store_files (device->path);
  g_free (device->path);
  g_free (device);
}


static gboolean
is_writer (gpointer data)
{
  return yatai_sync_engine_get_role (((Device *) data)->engine) == YATAI_SYNC_WRITER;
}

static gboolean
follows_over_link (gpointer data)
{
  return g_strcmp0 (yatai_sync_engine_get_link_writer (((Device *) data)->engine), "Counter PC") == 0;
}

static gboolean
has_product (gpointer data)
{
  Device *device = ((gpointer *) data)[0];
  const char *name = ((gpointer *) data)[1];

  return yatai_store_product_name_taken (device->store, name, 0);
}

static gboolean
has_finished (gpointer data)
{
  return ((Device *) data)->finished->len > 0;
}

static gboolean
outbox_empty (gpointer data)
{
  return yatai_store_outbox_count (((Device *) data)->store) == 0;
}

static void
save (Device     *device,
      const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) args = yatai_product_save_args (0, name, 300, 5, FALSE, NULL, NULL, TRUE);
  g_autoptr(YataiCommand) command = yatai_command_new ("product.save", args);
  g_autoptr(JsonNode) result = NULL;
  gboolean sent;

  result = yatai_sync_engine_execute (device->engine, command, &sent, &error);
  g_assert_no_error (error);
  g_assert_nonnull (result);
}

static void
wait_for_product (Device     *device,
                  const char *name)
{
  gpointer data[] = { device, (gpointer) name };

  sync_test_run_until (has_product, data);
}

static void
test_bucket_down (void)
{
  Device *counter = device_new ("Counter PC", "127.0.0.1:0", NULL);
  Device *kitchen = NULL;
  Device *spare = NULL;
  g_autofree char *address = NULL;
  guint writes;

  yatai_sync_engine_start (counter->engine);
  sync_test_run_until (is_writer, counter);
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
  save (counter, "焼きそば");
  wait_for_product (kitchen, "焼きそば");

  /* The kitchen's own action is a command over the link, answered at once. */
  save (kitchen, "厨房から");
  sync_test_run_until (has_finished, kitchen);
  g_assert_cmpstr (strchr (g_ptr_array_index (kitchen->finished, 0), ':'), ==, ":");
  g_assert_true (yatai_store_product_name_taken (counter->store, "厨房から", 0));
  g_assert_true (yatai_store_product_name_taken (kitchen->store, "厨房から", 0));
  g_assert_cmpuint (yatai_memory_bucket_get_writes (bucket), ==, writes);
  g_assert_cmpint (yatai_store_outbox_count (counter->store), >, 0);

  /* The internet comes back: the counter uploads the backlog, and a device restoring from the bucket
   * alone gets every change. */
  yatai_memory_bucket_set_offline (bucket, FALSE);
  sync_test_run_until (outbox_empty, counter);
  spare = device_new ("Spare", NULL, NULL);
  yatai_sync_engine_set_follow_only (spare->engine, TRUE);
  yatai_sync_engine_start (spare->engine);
  wait_for_product (spare, "焼きそば");
  wait_for_product (spare, "厨房から");
  /* Told no address, the spare finds the counter's in the lease the counter renews, and follows it
   * over the link. */
  sync_test_run_until (follows_over_link, spare);

  device_free (spare);
  device_free (kitchen);
  device_free (counter);
}

/* "This device takes the orders" (the preferred writer). */

static gboolean
no_pending (gpointer data)
{
  return yatai_sync_engine_get_pending (((Device *) data)->engine) == 0;
}

static gboolean
is_follower (gpointer data)
{
  return yatai_sync_engine_get_role (((Device *) data)->engine) == YATAI_SYNC_FOLLOWER;
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
static Device *
device_with_ttl (const char *name,
                 gboolean    preferred)
{
  Device *device = device_new (name, NULL, NULL);

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
  Device *kitchen, *counter;
  g_autoptr(GPtrArray) saved = g_ptr_array_new_with_free_func (g_free);
  gint64 started;

  new_stall ();
  kitchen = device_with_ttl ("Kitchen", FALSE);
  counter = device_with_ttl ("Counter", TRUE);

  yatai_sync_engine_start (kitchen->engine);
  sync_test_run_until (is_writer, kitchen);
  for (guint i = 0; i < 5; i++)
    {
      g_ptr_array_add (saved, g_strdup_printf ("before %u", i));
      save (kitchen, g_ptr_array_index (saved, saved->len - 1));
    }

  /* The counter starts while the kitchen writes and keeps taking orders through the handover. */
  started = g_get_monotonic_time ();
  yatai_sync_engine_start (counter->engine);
  while (!is_writer (counter))
    {
      gint64 next = g_get_monotonic_time () + 30 * 1000;

      g_assert_cmpint (g_get_monotonic_time () - started, <, WAIT_MS * 1000);
      g_ptr_array_add (saved, g_strdup_printf ("during %u", saved->len));
      save (kitchen, g_ptr_array_index (saved, saved->len - 1));
      while (g_get_monotonic_time () < next)
        g_main_context_iteration (NULL, FALSE);
    }
  g_test_message ("The counter writes %.2f s after it started (the TTL is 60 s); %u saves on the kitchen",
                  (g_get_monotonic_time () - started) / 1e6, saved->len);
  sync_test_run_until (is_follower, kitchen);

  /* Nothing was lost: every save on the kitchen is in the counter's store and back in the kitchen's. */
  sync_test_run_until (no_pending, kitchen);
  sync_test_run_until (outbox_empty, counter);
  for (guint i = 0; i < saved->len; i++)
    {
      wait_for_product (counter, g_ptr_array_index (saved, i));
      wait_for_product (kitchen, g_ptr_array_index (saved, i));
    }
  sync_test_run_until (handover_gone, NULL);
  g_assert_true (is_follower (kitchen));
  g_assert_true (is_writer (counter));

  device_free (counter);
  device_free (kitchen);
}

/* Two devices that take the orders: the first one keeps them. */
static void
test_handover_first_keeps (void)
{
  Device *first, *second;
  gint64 until;

  new_stall ();
  first = device_with_ttl ("Counter", TRUE);
  second = device_with_ttl ("Second till", TRUE);

  yatai_sync_engine_start (first->engine);
  sync_test_run_until (is_writer, first);
  yatai_sync_engine_start (second->engine);
  sync_test_run_until (is_follower, second);
  sync_test_run_until (handover_asked, NULL);
  /* The writer reads the request, and deletes it without handing over. */
  sync_test_run_until (handover_gone, NULL);
  until = g_get_monotonic_time () + 3 * HANDOVER_CHECK_S * G_USEC_PER_SEC;
  while (g_get_monotonic_time () < until)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  g_assert_true (is_writer (first));
  g_assert_true (is_follower (second));
  save (first, "still the first");
  wait_for_product (second, "still the first");

  device_free (second);
  device_free (first);
}

int
main (int    argc,
      char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  /* Held for the whole test, so that GIO's TLS handshake threads cannot take the main context (and
   * run the engines' callbacks on their own thread) while run_until() sleeps between iterations. */
  g_main_context_acquire (NULL);
  dir = g_dir_make_tmp ("yatai-sync-link-XXXXXX", NULL);
  bucket = yatai_memory_bucket_new ();

  g_test_add_func ("/sync-link/bucket-down", test_bucket_down);
  g_test_add_func ("/sync-link/handover", test_handover);
  g_test_add_func ("/sync-link/handover-first-keeps", test_handover_first_keeps);
  status = g_test_run ();

  g_clear_object (&bucket);
  g_rmdir (dir);
  g_free (dir);
  return status;
}
