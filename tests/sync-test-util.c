/* sync-test-util.c: a device on a bucket, waiting on the main loop, and a store's files gone, for the
 * sync tests */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <unistd.h>

#include "sync-test-util.h"
#include "yatai-store-journal.h"
#include "yatai-store-products.h"

#define WAIT_MS 30000   /* generous: the machine may be loaded; the wait ends as soon as it holds */

/* A device on the store file DIR/NAME.sqlite3 (opened again if it exists: a device switched back on),
 * named @name; no engine yet. */
SyncTestDevice *
sync_test_device_open (const char *dir,
                       const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *file = g_strdup_printf ("%s.sqlite3", name);
  SyncTestDevice *device = g_new0 (SyncTestDevice, 1);

  device->path = g_build_filename (dir, file, NULL);
  device->store = yatai_store_open (device->path, &error);
  g_assert_no_error (error);
  yatai_store_set_device_name (device->store, name);
  device->finished = g_ptr_array_new_with_free_func (g_free);
  return device;
}

static void
finished_cb (YataiSyncEngine *engine,
             const char      *id,
             const char      *refusal,
             SyncTestDevice  *device)
{
  g_ptr_array_add (device->finished, g_strdup_printf ("%s:%s", id, refusal ? refusal : ""));
}

static void
caught_up_cb (YataiSyncEngine *engine,
              SyncTestDevice  *device)
{
  device->caught_up = TRUE;
}

/* Its sync engine on @bucket, with the tests' short timings (a lease of 600 ms, a poll every 20 ms);
 * not started. */
void
sync_test_device_attach (SyncTestDevice *device,
                         YataiBucket    *bucket,
                         const char     *prefix)
{
  device->bucket = bucket != NULL ? g_object_ref (bucket) : NULL;   /* NULL: a stall without a bucket */
  device->engine = yatai_sync_engine_new (device->store, bucket, prefix);
  yatai_sync_engine_set_timing (device->engine, 600, 150);
  yatai_sync_engine_set_poll_interval (device->engine, 20);
  g_signal_connect (device->engine, "command-finished", G_CALLBACK (finished_cb), device);
  g_signal_connect (device->engine, "caught-up", G_CALLBACK (caught_up_cb), device);
}

SyncTestDevice *
sync_test_device_new (const char  *dir,
                      const char  *name,
                      YataiBucket *bucket,
                      const char  *prefix)
{
  SyncTestDevice *device = sync_test_device_open (dir, name);

  sync_test_device_attach (device, bucket, prefix);
  return device;
}

static void
device_close (SyncTestDevice *device)
{
  g_clear_object (&device->engine);
  g_clear_object (&device->bucket);
  g_clear_object (&device->store);
  g_clear_pointer (&device->finished, g_ptr_array_unref);
}

/* Switched off: the process is gone, its store stays. */
void
sync_test_device_free (SyncTestDevice *device)
{
  device_close (device);
  g_free (device->path);
  g_free (device);
}

/* Gone for good: its store files too. */
void
sync_test_device_remove (SyncTestDevice *device)
{
  device_close (device);
  sync_test_remove_store_files (device->path);
  g_free (device->path);
  g_free (device);
}

gboolean
sync_test_is_writer (gpointer device)
{
  return yatai_sync_engine_get_role (((SyncTestDevice *) device)->engine) == YATAI_SYNC_WRITER;
}

gboolean
sync_test_is_follower (gpointer device)
{
  return yatai_sync_engine_get_role (((SyncTestDevice *) device)->engine) == YATAI_SYNC_FOLLOWER;
}

gboolean
sync_test_outbox_empty (gpointer device)
{
  return yatai_store_outbox_count (((SyncTestDevice *) device)->store) == 0;
}

gboolean
sync_test_has_finished (gpointer device)
{
  return ((SyncTestDevice *) device)->finished->len > 0;
}

/* Both stores hold the same, the first has uploaded all and the second waits on nothing it sent. */
gboolean
sync_test_same_content (gpointer data)
{
  SyncTestPair *pair = data;
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;

  /* The dumps only once nothing is on its way: a large stall's take a while. */
  if (yatai_store_outbox_count (pair->a->store) != 0 || yatai_sync_engine_get_pending (pair->b->engine) != 0)
    return FALSE;
  a = yatai_store_dump_canonical (pair->a->store, NULL);
  b = yatai_store_dump_canonical (pair->b->store, NULL);
  return g_strcmp0 (a, b) == 0;
}

/* @command run on @device (or sent to the writer: *@sent), which must not fail. */
JsonNode *
sync_test_execute (SyncTestDevice *device,
                   YataiCommand   *command,
                   gboolean       *sent)
{
  g_autoptr(GError) error = NULL;
  JsonNode *result = yatai_sync_engine_execute (device->engine, command, sent, &error);

  g_assert_no_error (error);
  g_assert_nonnull (result);
  return result;
}

/* A product saved on @device; its id, or 0 where the command was sent to the writer. */
gint64
sync_test_save_product (SyncTestDevice *device,
                        const char     *name,
                        gint64          stock)
{
  g_autoptr(JsonObject) args = yatai_product_save_args (0, name, 300, stock, FALSE, NULL, NULL, TRUE);
  g_autoptr(YataiCommand) command = yatai_command_new ("product.save", args);
  gboolean sent;
  g_autoptr(JsonNode) result = sync_test_execute (device, command, &sent);

  return sent ? 0 : json_object_get_int_member (json_node_get_object (result), "id");
}

typedef struct
{
  SyncTestDevice *device;
  const char     *name;
} ProductWanted;

static gboolean
has_product (gpointer data)
{
  ProductWanted *wanted = data;

  return yatai_store_product_name_taken (wanted->device->store, wanted->name, 0);
}

void
sync_test_wait_for_product (SyncTestDevice *device,
                            const char     *name)
{
  ProductWanted wanted = { device, name };

  sync_test_run_until (has_product, &wanted);
}

void
sync_test_run_until_ms (SyncTestCondition condition,
                        gpointer          data,
                        guint             timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + timeout_ms * 1000;

  while (!condition (data))
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("Timed out waiting");
      g_main_context_iteration (NULL, FALSE);
      g_usleep (500);
    }
}

void
sync_test_run_until (SyncTestCondition condition,
                     gpointer          data)
{
  sync_test_run_until_ms (condition, data, WAIT_MS);
}

/* The main loop turned for @milliseconds, whatever happens. */
void
sync_test_run_for (guint milliseconds)
{
  gint64 end = g_get_monotonic_time () + milliseconds * 1000;

  while (g_get_monotonic_time () < end)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

void
sync_test_remove_store_files (const char *path)
{
  const char *suffixes[] = { "", "-wal", "-shm", ".lock" };

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *name = g_strconcat (path, suffixes[i], NULL);

      g_unlink (name);
    }
}

/* Fills the file system @dir is on (a small one of the test's own) to its last byte: the file that
 * does it, to be removed when there is to be space again. */
char *
sync_test_fill_disk (const char *dir)
{
  char *path = g_build_filename (dir, "filler", NULL);
  int fd = open (path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  static char block[4096];

  g_assert_cmpint (fd, >=, 0);
  while (write (fd, block, sizeof block) > 0)
    ;
  g_assert_cmpint (errno, ==, ENOSPC);
  /* And the last few bytes. */
  while (write (fd, block, 1) > 0)
    ;
  close (fd);
  return path;
}
