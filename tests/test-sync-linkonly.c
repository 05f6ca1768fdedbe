/* test-sync-linkonly.c: a stall without a bucket, its devices on the venue link alone
 *
 * Devices on 127.0.0.1, each engine made without a bucket: the device that founds the stall writes,
 * a device paired to it (the pairing's restore, without its TLS channel) follows over the link, its
 * commands are answered by the writer, queued while the link is down and applied once when it is
 * back. The orders move only by the writer handing them over, and a follower refuses an older epoch.
 */
#include "config.h"

#include <glib/gstdio.h>

#include "memory-bucket.h"
#include "sync-test-util.h"
#include "yatai-order.h"
#include "yatai-pair.h"
#include "yatai-store-journal.h"
#include "yatai-store-orders.h"
#include "yatai-store-products.h"
#include "yatai-sync-engine.h"
#include "yatai-sync-status.h"

#define PREFIX "yatai/stall-1"

static char *dir;

static guint16
free_port (void)
{
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(GError) error = NULL;
  guint16 port = g_socket_listener_add_any_inet_port (listener, NULL, &error);

  g_assert_no_error (error);
  g_socket_listener_close (listener);
  return port;
}

/* An engine without a bucket, serving the link at @listen while it writes, following @writer. */
static void
start_engine (SyncTestDevice *device,
              const char     *listen,
              const char     *writer)
{
  g_autofree char *prefix = yatai_sync_link_stall_get (device->store);

  g_assert_cmpstr (prefix, ==, PREFIX);
  sync_test_device_attach (device, NULL, prefix);
  yatai_sync_engine_set_link (device->engine, listen, writer);
  yatai_sync_engine_start (device->engine);
}

static void
stop_engine (SyncTestDevice *device)
{
  g_clear_object (&device->engine);
  g_clear_object (&device->bucket);
}

/* The counter founds the stall (Add a Device without a bucket). */
static SyncTestDevice *
found (const char *name,
       const char *listen)
{
  g_autoptr(GError) error = NULL;
  SyncTestDevice *device = sync_test_device_open (dir, name);

  g_assert_false (yatai_sync_link_stall_is_writer (device->store));
  g_assert_true (yatai_sync_link_stall_found (device->store, PREFIX, &error));
  g_assert_no_error (error);
  g_assert_true (yatai_sync_link_stall_is_writer (device->store));
  start_engine (device, listen, NULL);
  return device;
}

/* A device paired to @counter: the stall as the pairing gives it, then its engine. */
static SyncTestDevice *
pair (SyncTestDevice *counter,
      const char     *name,
      const char     *listen,
      const char     *writer)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(YataiPairing) pairing = yatai_pairing_new ();
  g_autoptr(YataiPairing) received = NULL;
  g_autoptr(GBytes) header = NULL;
  SyncTestDevice *device = sync_test_device_open (dir, name);

  pairing->counter_name = g_strdup (yatai_store_get_device_name (counter->store));
  pairing->counter_id = g_strdup (yatai_store_get_device_id (counter->store));
  pairing->prefix = g_strdup (PREFIX);
  pairing->link_only = TRUE;
  pairing->link = g_strdup (writer);
  header = yatai_pairing_encode_header (pairing);
  received = yatai_pairing_decode_header (header, &error);
  g_assert_no_error (error);
  g_assert_true (received->link_only);
  received->snapshot = yatai_sync_engine_export_stall (counter->engine, &error);
  g_assert_no_error (error);
  g_assert_true (yatai_pairing_apply (received, device->store, &error));
  g_assert_no_error (error);
  g_assert_false (yatai_sync_link_stall_is_writer (device->store));
  start_engine (device, listen, NULL);
  return device;
}

static gboolean
follows_counter (gpointer data)
{
  return g_strcmp0 (yatai_sync_engine_get_link_writer (((SyncTestDevice *) data)->engine), "Counter PC") == 0;
}

static gboolean
link_down (gpointer data)
{
  return yatai_sync_engine_get_link_writer (((SyncTestDevice *) data)->engine) == NULL;
}

static gboolean
nothing_waiting (gpointer data)
{
  return yatai_sync_engine_get_pending (((SyncTestDevice *) data)->engine) == 0;
}

static gint64
product_id (SyncTestDevice *device,
            const char     *name)
{
  g_autoptr(GPtrArray) products = yatai_store_list_products (device->store, NULL);

  for (guint i = 0; products != NULL && i < products->len; i++)
    if (g_str_equal (yatai_product_get_name (g_ptr_array_index (products, i)), name))
      return yatai_product_get_id (g_ptr_array_index (products, i));
  return 0;
}

/* order.confirm of one @product_name, run through the engine (sent to the writer on a follower). */
static YataiCommand *
confirm (SyncTestDevice *device,
         const char     *product_name,
         gboolean       *sent)
{
  YataiCartLine line = { .product_id = product_id (device, product_name), .quantity = 1 };
  g_autoptr(JsonObject) args = yatai_order_confirm_args (&line, 1, "たなか", "", 10000, FALSE, 5);
  YataiCommand *command = yatai_command_new ("order.confirm", args);

  g_assert_cmpint (line.product_id, >, 0);
  g_autoptr(JsonNode) result = sync_test_execute (device, command, sent);
  return command;
}

static gint64
count_orders (SyncTestDevice *device)
{
  g_autoptr(GPtrArray) orders = yatai_store_list_orders (device->store, YATAI_ORDER_QUERY_LATEST, 100000, NULL);

  return orders != NULL ? (gint64) orders->len : -1;
}

typedef struct
{
  SyncTestDevice *device;
  gint64          n;
} Count;

static gboolean
has_orders (gpointer data)
{
  Count *count = data;

  return count_orders (count->device) >= count->n;
}

/* The call number the writer gave a follower's order.confirm, read where the answer was recorded. */
static gint64
call_number (SyncTestDevice *device,
             YataiCommand   *command)
{
  g_autoptr(JsonNode) result = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (yatai_store_lookup_command (device->store, yatai_command_get_id (command), &result, &error));
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (result));
  return json_object_get_int_member_with_default (json_node_get_object (result), "call_number", 0);
}

static void
test_follow (void)
{
  g_autofree char *listen = g_strdup_printf ("127.0.0.1:%u", free_port ());
  SyncTestDevice *counter = found ("Counter PC", listen);
  SyncTestDevice *kitchen = NULL;
  g_autoptr(YataiCommand) order = NULL;
  g_autofree char *summary = NULL;
  g_autofree char *details = NULL;
  gboolean sent = FALSE;

  /* Nothing waits on a network: the founder writes at once. */
  g_assert_cmpint (yatai_sync_engine_get_role (counter->engine), ==, YATAI_SYNC_WRITER);
  g_assert_true (yatai_sync_engine_get_link_only (counter->engine));
  sync_test_save_product (counter, "焼きそば", 1000);
  sync_test_run_until (sync_test_outbox_empty, counter);

  kitchen = pair (counter, "Kitchen", NULL, listen);
  g_assert_true (yatai_store_product_name_taken (kitchen->store, "焼きそば", 0));
  sync_test_run_until (follows_counter, kitchen);
  g_assert_cmpint (yatai_sync_engine_get_role (kitchen->engine), ==, YATAI_SYNC_FOLLOWER);

  /* Where it stands: following the counter on the local network, no bucket, no internet alarm. */
  summary = yatai_sync_status_summary (kitchen->engine, g_get_monotonic_time ());
  g_assert_cmpstr (summary, ==, "Following “Counter PC” on the local network");
  details = yatai_sync_status_details (kitchen->engine, g_get_monotonic_time ());
  g_assert_nonnull (strstr (details, "This stall has no bucket"));
  g_assert_null (strstr (details, "internet"));
  g_assert_false (yatai_sync_status_is_stale (kitchen->engine, g_get_monotonic_time (), NULL));

  /* An order taken on the counter reaches the kitchen, one taken in the kitchen gets its call number. */
  sync_test_save_product (counter, "ラムネ", 1000);
  sync_test_wait_for_product (kitchen, "ラムネ");
  g_clear_object (&order);
  order = confirm (counter, "焼きそば", &sent);
  g_assert_false (sent);
  {
    Count count = { kitchen, 1 };

    sync_test_run_until (has_orders, &count);
  }
  g_clear_object (&order);
  order = confirm (kitchen, "ラムネ", &sent);
  g_assert_true (sent);
  sync_test_run_until (sync_test_has_finished, kitchen);
  g_assert_cmpint (call_number (kitchen, order), ==, 2);
  g_assert_cmpint (count_orders (counter), ==, 2);
  g_assert_cmpint (count_orders (kitchen), ==, 2);

  stop_engine (kitchen);
  stop_engine (counter);
  sync_test_device_remove (kitchen);
  sync_test_device_remove (counter);
}

/* The link cut (the counter switched off) and back (restarted): what the kitchen did meanwhile waits
 * as commands and is applied once; the counter is still the writer after its restart, and a kitchen
 * that was away while the restarted counter wrote catches up from a snapshot on the link. */
static void
test_link_cut (void)
{
  g_autofree char *listen = g_strdup_printf ("127.0.0.1:%u", free_port ());
  SyncTestDevice *counter = found ("Counter PC", listen);
  SyncTestDevice *kitchen = NULL;
  g_autoptr(GPtrArray) orders = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree char *summary = NULL;
  g_autoptr(GHashTable) numbers = g_hash_table_new (g_int64_hash, g_int64_equal);
  gint64 numbers_seen[5];
  gboolean sent;

  sync_test_save_product (counter, "焼きそば", 1000);
  kitchen = pair (counter, "Kitchen", NULL, listen);
  sync_test_run_until (follows_counter, kitchen);

  sync_test_run_for (1500);
  stop_engine (counter);
  sync_test_run_until (link_down, kitchen);
  sync_test_run_for (200);
  /* The silence counts from when the link went, not from when it came. */
  g_assert_cmpint (g_get_monotonic_time () - yatai_sync_engine_get_last_link_contact (kitchen->engine), <,
                   1000 * 1000);
  for (guint i = 0; i < 5; i++)
    g_ptr_array_add (orders, confirm (kitchen, "焼きそば", &sent));
  g_assert_cmpint (yatai_sync_engine_get_pending (kitchen->engine), ==, 5);
  summary = yatai_sync_status_summary (kitchen->engine, g_get_monotonic_time ());
  g_assert_cmpstr (summary, ==, "“Counter PC” cannot be reached, 5 changes waiting");
  /* It never becomes the writer by itself, however long the writer is gone. */
  sync_test_run_for (1500);
  g_assert_cmpint (yatai_sync_engine_get_role (kitchen->engine), ==, YATAI_SYNC_FOLLOWER);
  g_assert_cmpint (count_orders (kitchen), ==, 0);

  /* The counter restarts: still the writer, at once, and the queued orders are applied once. */
  start_engine (counter, listen, NULL);
  g_assert_cmpint (yatai_sync_engine_get_role (counter->engine), ==, YATAI_SYNC_WRITER);
  sync_test_run_until (nothing_waiting, kitchen);
  {
    Count count = { kitchen, 5 };

    sync_test_run_until (has_orders, &count);
  }
  sync_test_run_for (500);
  g_assert_cmpint (count_orders (counter), ==, 5);
  g_assert_cmpint (count_orders (kitchen), ==, 5);
  for (guint i = 0; i < orders->len; i++)
    {
      numbers_seen[i] = call_number (kitchen, g_ptr_array_index (orders, i));
      g_assert_false (g_hash_table_contains (numbers, &numbers_seen[i]));
      g_hash_table_add (numbers, &numbers_seen[i]);
    }
  g_assert_cmpint (g_hash_table_size (numbers), ==, 5);

  /* The kitchen away, the counter writes and restarts (what it kept for followers is gone): the
   * kitchen comes back and gets the stall from a snapshot on the link. */
  stop_engine (kitchen);
  sync_test_save_product (counter, "ラムネ", 10);
  stop_engine (counter);
  start_engine (counter, listen, NULL);
  sync_test_save_product (counter, "かき氷", 10);
  start_engine (kitchen, NULL, NULL);
  sync_test_wait_for_product (kitchen, "かき氷");
  g_assert_true (yatai_store_product_name_taken (kitchen->store, "ラムネ", 0));
  g_assert_cmpint (yatai_sync_engine_get_seq (kitchen->engine), ==, yatai_sync_engine_get_seq (counter->engine));

  stop_engine (kitchen);
  stop_engine (counter);
  sync_test_device_remove (kitchen);
  sync_test_device_remove (counter);
}

static gboolean
has_error (gpointer data)
{
  return yatai_sync_engine_get_error (((SyncTestDevice *) data)->engine) != NULL;
}

/* A follower that has seen epoch 2 refuses what a writer at epoch 1 sends: two writers are never both
 * followed. */
static void
test_old_epoch (void)
{
  g_autofree char *listen = g_strdup_printf ("127.0.0.1:%u", free_port ());
  SyncTestDevice *counter = found ("Counter PC", listen);
  SyncTestDevice *kitchen = NULL;
  g_autoptr(GError) error = NULL;

  sync_test_save_product (counter, "焼きそば", 10);
  kitchen = pair (counter, "Kitchen", NULL, listen);
  stop_engine (kitchen);
  /* As if the kitchen had followed a newer writer since. */
  g_assert_true (yatai_store_set_local (kitchen->store, "sync_epoch", "2", &error));
  g_assert_no_error (error);
  start_engine (kitchen, NULL, NULL);
  sync_test_run_for (300);
  sync_test_save_product (counter, "ラムネ", 10);
  sync_test_run_until (has_error, kitchen);
  sync_test_run_for (500);
  g_assert_false (yatai_store_product_name_taken (kitchen->store, "ラムネ", 0));
  g_assert_cmpint (yatai_sync_engine_get_epoch (kitchen->engine), ==, 2);

  stop_engine (kitchen);
  stop_engine (counter);
  sync_test_device_remove (kitchen);
  sync_test_device_remove (counter);
}

/* The handover: orders from both devices all along, the kitchen asks for the orders ("This device
 * takes the orders"), the counter hands them over. At no moment are both writers; nothing is lost
 * and nothing doubled. */
typedef struct
{
  SyncTestDevice *devices[2];
  guint           writers_max;
  guint           confirmed;
  guint           tick;
  guint           timer;
} Run;

static void
role_cb (YataiSyncEngine *engine,
         GParamSpec      *pspec,
         Run             *run)
{
  guint writers = 0;

  for (guint i = 0; i < 2; i++)
    if (run->devices[i]->engine != NULL &&
        yatai_sync_engine_get_role (run->devices[i]->engine) == YATAI_SYNC_WRITER)
      writers++;
  run->writers_max = MAX (run->writers_max, writers);
}

static gboolean
order_cb (gpointer data)
{
  Run *run = data;
  SyncTestDevice *device = run->devices[run->tick++ % 2];
  g_autoptr(YataiCommand) command = NULL;
  gboolean sent;

  command = confirm (device, "焼きそば", &sent);
  run->confirmed++;
  return run->confirmed < 60 ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

static gboolean
run_done (gpointer data)
{
  return ((Run *) data)->confirmed >= 60;
}

static gboolean
kitchen_writes (gpointer data)
{
  Run *run = data;

  return yatai_sync_engine_get_role (run->devices[1]->engine) == YATAI_SYNC_WRITER &&
         yatai_sync_engine_get_role (run->devices[0]->engine) == YATAI_SYNC_FOLLOWER &&
         yatai_sync_engine_get_link_writer (run->devices[0]->engine) != NULL;
}

static gboolean
all_in (gpointer data)
{
  Run *run = data;

  return nothing_waiting (run->devices[0]) && nothing_waiting (run->devices[1]) &&
         count_orders (run->devices[0]) == 60 && count_orders (run->devices[1]) == 60;
}

static void
test_handover (void)
{
  g_autofree char *counter_listen = g_strdup_printf ("127.0.0.1:%u", free_port ());
  g_autofree char *kitchen_listen = g_strdup_printf ("127.0.0.1:%u", free_port ());
  Run run = { 0 };
  g_autoptr(GPtrArray) orders = NULL;
  g_autoptr(GHashTable) numbers = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);

  run.devices[0] = found ("Counter PC", counter_listen);
  sync_test_save_product (run.devices[0], "焼きそば", 1000);
  run.devices[1] = pair (run.devices[0], "Kitchen", kitchen_listen, counter_listen);
  for (guint i = 0; i < 2; i++)
    g_signal_connect (run.devices[i]->engine, "notify::role", G_CALLBACK (role_cb), &run);
  sync_test_run_until (follows_counter, run.devices[1]);

  run.timer = g_timeout_add (20, order_cb, &run);
  sync_test_run_for (300);
  /* The kitchen takes the orders from now on. */
  yatai_sync_engine_set_preferred (run.devices[1]->engine, TRUE);
  sync_test_run_until (kitchen_writes, &run);
  g_assert_cmpint (yatai_sync_engine_get_epoch (run.devices[1]->engine), ==, 2);
  g_assert_true (yatai_sync_link_stall_is_writer (run.devices[1]->store));
  g_assert_false (yatai_sync_link_stall_is_writer (run.devices[0]->store));
  sync_test_run_until (run_done, &run);
  sync_test_run_until (all_in, &run);
  g_assert_cmpuint (run.writers_max, ==, 1);

  /* 0 lost, 0 doubled: 60 orders, 60 call numbers. */
  orders = yatai_store_list_orders (run.devices[1]->store, YATAI_ORDER_QUERY_LATEST, 100000, NULL);
  g_assert_cmpuint (orders->len, ==, 60);
  for (guint i = 0; i < orders->len; i++)
    {
      gint64 *number = g_new (gint64, 1);

      *number = yatai_order_get_call_number (g_ptr_array_index (orders, i));
      g_assert_false (g_hash_table_contains (numbers, number));
      g_hash_table_add (numbers, number);
    }

  /* The kitchen restarted is still the writer; the old counter never writes again by itself. */
  stop_engine (run.devices[1]);
  start_engine (run.devices[1], kitchen_listen, NULL);
  g_assert_cmpint (yatai_sync_engine_get_role (run.devices[1]->engine), ==, YATAI_SYNC_WRITER);
  stop_engine (run.devices[0]);
  start_engine (run.devices[0], counter_listen, kitchen_listen);
  g_assert_cmpint (yatai_sync_engine_get_role (run.devices[0]->engine), ==, YATAI_SYNC_FOLLOWER);

  stop_engine (run.devices[0]);
  stop_engine (run.devices[1]);
  sync_test_device_remove (run.devices[0]);
  sync_test_device_remove (run.devices[1]);
}

/* A copy of the writer's store (a backup put back, the file taken to another PC) is a new device,
 * and without a bucket nothing else would stop it writing beside the writer: it follows. The writer's
 * own store, opened again, still writes. */
static void
test_copied_writer (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *original = NULL;
  g_autofree char *copy_path = g_build_filename (dir, "Copy.sqlite3", NULL);
  g_autoptr(GFile) from = NULL;
  g_autoptr(GFile) to = g_file_new_for_path (copy_path);
  g_autofree char *writer_id = NULL;
  SyncTestDevice *counter = found ("Counter PC", "127.0.0.1:0");
  SyncTestDevice *copy;

  sync_test_run_until (sync_test_is_writer, counter);
  writer_id = g_strdup (yatai_store_get_device_id (counter->store));
  original = g_strdup (counter->path);
  sync_test_device_free (counter);

  from = g_file_new_for_path (original);
  g_assert_true (g_file_copy (from, to, G_FILE_COPY_NONE, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  copy = sync_test_device_open (dir, "Copy");
  g_assert_cmpstr (yatai_store_get_device_id (copy->store), !=, writer_id);
  g_assert_false (yatai_sync_link_stall_is_writer (copy->store));
  start_engine (copy, "127.0.0.1:0", NULL);
  sync_test_run_for (500);
  g_assert_cmpint (yatai_sync_engine_get_role (copy->engine), ==, YATAI_SYNC_FOLLOWER);
  sync_test_device_remove (copy);

  counter = sync_test_device_open (dir, "Counter PC");
  g_assert_cmpstr (yatai_store_get_device_id (counter->store), ==, writer_id);
  g_assert_true (yatai_sync_link_stall_is_writer (counter->store));
  sync_test_device_remove (counter);
}

static gboolean
leaves_link_stall (gpointer data)
{
  g_autofree char *stall = yatai_sync_link_stall_get (((SyncTestDevice *) data)->store);

  return stall == NULL;
}

/* A bucket added to the stall later (Preferences → Sync): set first on a follower, it starts nothing
 * there; set on the writer, the bucket starts at the writer's own position and epoch (its snapshot,
 * then the epoch marker), the follower joins it, a device new to the stall restores from the bucket
 * alone, and the follower left on the link alone goes on following. No fork: one history. */
static void
test_add_bucket (void)
{
  g_autofree char *listen = g_strdup_printf ("127.0.0.1:%u", free_port ());
  g_autoptr(YataiMemoryBucket) bucket = yatai_memory_bucket_new ();
  SyncTestDevice *counter = found ("Counter PC", listen);
  SyncTestDevice *kitchen = NULL;
  SyncTestDevice *till = NULL;
  SyncTestDevice *spare = NULL;
  g_autofree char *base = NULL;
  g_autoptr(GBytes) base_bytes = NULL;
  gboolean sent;
  gint64 position;

  sync_test_save_product (counter, "焼きそば", 100);
  kitchen = pair (counter, "Kitchen", NULL, listen);
  till = pair (counter, "Till", NULL, listen);
  sync_test_run_until (follows_counter, kitchen);
  g_object_unref (confirm (kitchen, "焼きそば", &sent));
  sync_test_run_until (nothing_waiting, kitchen);

  /* The bucket set on the kitchen first: it never starts it, and says why. */
  stop_engine (kitchen);
  sync_test_device_attach (kitchen, YATAI_BUCKET (bucket), PREFIX);
  yatai_sync_engine_set_auto_takeover (kitchen->engine, TRUE);
  yatai_sync_engine_start (kitchen->engine);
  sync_test_run_for (1500);
  g_assert_cmpint (yatai_sync_engine_get_role (kitchen->engine), !=, YATAI_SYNC_WRITER);
  g_assert_null (yatai_memory_bucket_get (bucket, PREFIX "/lease"));
  g_assert_cmpstr (yatai_sync_engine_get_error (kitchen->engine), ==,
                   "“" PREFIX "”: Set the bucket on the device that takes the orders first: this device follows it and does not "
                   "start the bucket.");

  /* Then on the counter: the bucket starts where the stall is. */
  position = yatai_sync_engine_get_seq (counter->engine);
  stop_engine (counter);
  sync_test_device_attach (counter, YATAI_BUCKET (bucket), PREFIX);
  yatai_sync_engine_set_link (counter->engine, listen, NULL);
  yatai_sync_engine_start (counter->engine);
  sync_test_run_until (sync_test_is_writer, counter);
  sync_test_run_until (leaves_link_stall, counter);
  base = g_strdup_printf (PREFIX "/snapshot/%020" G_GINT64_FORMAT, position);
  base_bytes = yatai_memory_bucket_get (bucket, base);
  g_assert_nonnull (base_bytes);
  g_assert_cmpint (yatai_sync_engine_get_epoch (counter->engine), ==, 2);

  /* The kitchen joins the bucket's stall; the till, on the link alone, follows on. */
  sync_test_run_until (leaves_link_stall, kitchen);
  sync_test_save_product (counter, "ラムネ", 10);
  sync_test_wait_for_product (kitchen, "ラムネ");
  sync_test_wait_for_product (till, "ラムネ");
  g_assert_cmpint (count_orders (till), ==, 1);
  g_object_unref (confirm (till, "ラムネ", &sent));
  g_assert_true (sent);
  {
    Count count = { kitchen, 2 };

    sync_test_run_until (has_orders, &count);
  }

  /* A device new to the stall restores from the bucket alone: the same stall. */
  spare = sync_test_device_new (dir, "Spare", YATAI_BUCKET (bucket), PREFIX);
  yatai_sync_engine_set_follow_only (spare->engine, TRUE);
  yatai_sync_engine_set_link_follow (spare->engine, FALSE);
  yatai_sync_engine_start (spare->engine);
  sync_test_wait_for_product (spare, "ラムネ");
  {
    Count count = { spare, 2 };

    sync_test_run_until (has_orders, &count);
  }
  g_assert_true (yatai_store_product_name_taken (spare->store, "焼きそば", 0));

  stop_engine (spare);
  stop_engine (till);
  stop_engine (kitchen);
  stop_engine (counter);
  sync_test_device_remove (spare);
  sync_test_device_remove (till);
  sync_test_device_remove (kitchen);
  sync_test_device_remove (counter);
}

/* A handover whose answer is lost: the kitchen is switched off the moment the counter stops writing,
 * before the answer leaves. Nobody writes then (never two); the kitchen started again asks again, the
 * counter answers it the same, and the kitchen writes at the next epoch from where the counter
 * stopped. */
typedef struct
{
  SyncTestDevice *counter;
  SyncTestDevice *kitchen;
  gboolean        cut;
} Lost;

static void
counter_role_cb (YataiSyncEngine *engine,
                 GParamSpec      *pspec,
                 Lost            *lost)
{
  if (!lost->cut && yatai_sync_engine_get_role (engine) == YATAI_SYNC_FOLLOWER)
    {
      /* The counter has given the role up; its answer has not been sent yet. */
      lost->cut = TRUE;
      g_assert_cmpint (yatai_sync_engine_get_role (lost->kitchen->engine), ==, YATAI_SYNC_FOLLOWER);
      stop_engine (lost->kitchen);
    }
}

static gboolean
cut (gpointer data)
{
  return ((Lost *) data)->cut;
}

static void
test_handover_answer_lost (void)
{
  g_autofree char *counter_listen = g_strdup_printf ("127.0.0.1:%u", free_port ());
  g_autofree char *kitchen_listen = g_strdup_printf ("127.0.0.1:%u", free_port ());
  Lost lost = { 0 };
  gboolean sent;

  lost.counter = found ("Counter PC", counter_listen);
  sync_test_save_product (lost.counter, "焼きそば", 100);
  g_object_unref (confirm (lost.counter, "焼きそば", &sent));
  lost.kitchen = pair (lost.counter, "Kitchen", kitchen_listen, counter_listen);
  sync_test_run_until (follows_counter, lost.kitchen);
  g_signal_connect (lost.counter->engine, "notify::role", G_CALLBACK (counter_role_cb), &lost);
  yatai_sync_engine_set_preferred (lost.kitchen->engine, TRUE);
  sync_test_run_until (cut, &lost);

  /* Nobody writes, for as long as the kitchen is away: the counter does not take the role back. */
  sync_test_run_for (1500);
  g_assert_cmpint (yatai_sync_engine_get_role (lost.counter->engine), ==, YATAI_SYNC_FOLLOWER);
  g_assert_false (yatai_sync_link_stall_is_writer (lost.counter->store));
  g_assert_false (yatai_sync_link_stall_is_writer (lost.kitchen->store));
  /* What the counter's staff do meanwhile waits as a command. */
  g_object_unref (confirm (lost.counter, "焼きそば", &sent));
  g_assert_true (sent);

  /* The kitchen back: it asks again, gets the same grant and writes at epoch 2. */
  start_engine (lost.kitchen, kitchen_listen, counter_listen);
  yatai_sync_engine_set_preferred (lost.kitchen->engine, TRUE);
  sync_test_run_until (sync_test_is_writer, lost.kitchen);
  g_assert_cmpint (yatai_sync_engine_get_epoch (lost.kitchen->engine), ==, 2);
  g_assert_cmpint (yatai_sync_engine_get_role (lost.counter->engine), ==, YATAI_SYNC_FOLLOWER);
  /* The counter follows it, and its order is applied there once. */
  sync_test_run_until (nothing_waiting, lost.counter);
  {
    Count count = { lost.counter, 2 };

    sync_test_run_until (has_orders, &count);
  }
  sync_test_run_for (300);
  g_assert_cmpint (count_orders (lost.kitchen), ==, 2);
  g_assert_cmpint (count_orders (lost.counter), ==, 2);

  stop_engine (lost.kitchen);
  stop_engine (lost.counter);
  sync_test_device_remove (lost.kitchen);
  sync_test_device_remove (lost.counter);
}

int
main (int    argc,
      char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  /* The main thread owns the main context all along, as the application's main loop does: else,
   * between two iterations of a wait, glib-networking's handshake thread may acquire it and run the
   * engines' callbacks there while the test uses a store on this thread. */
  g_main_context_acquire (NULL);
  dir = g_dir_make_tmp ("yatai-linkonly-XXXXXX", NULL);
  g_test_add_func ("/sync/linkonly/follow", test_follow);
  g_test_add_func ("/sync/linkonly/link-cut", test_link_cut);
  g_test_add_func ("/sync/linkonly/old-epoch", test_old_epoch);
  g_test_add_func ("/sync/linkonly/handover", test_handover);
  g_test_add_func ("/sync/linkonly/handover-answer-lost", test_handover_answer_lost);
  g_test_add_func ("/sync/linkonly/add-bucket", test_add_bucket);
  g_test_add_func ("/sync/linkonly/copied-writer", test_copied_writer);
  status = g_test_run ();
  g_main_context_release (NULL);
  g_rmdir (dir);
  g_free (dir);
  return status;
}
