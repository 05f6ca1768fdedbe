/* test-sync-engine.c: a writer and followers over a bucket in memory
 *
 * Built a second time with OVER_HTTP (test-sync-engine-http), the takeover and the clean release run
 * through the GCS client against yatai-test-bucket. Here they are fast and exact. Timings are shortened (a lease of 600 ms) so takeovers happen within the test.
 */
#include "config.h"

#include <glib/gstdio.h>

#include "memory-bucket.h"
#include "sync-test-util.h"
#ifdef OVER_HTTP
#include "gcs/test-server.h"
#include "yatai-gcs-bucket.h"
#endif
#include "yatai-lease.h"
#include "yatai-segment.h"
#include "yatai-store-journal.h"
#include "yatai-store-orders.h"
#include "yatai-store-products.h"
#include "yatai-sync-engine.h"

#define PREFIX "yatai/stall-1"

typedef struct
{
  char              *dir;
  YataiMemoryBucket *bucket;
  GSubprocess       *server;   /* built with OVER_HTTP: yatai-test-bucket, and each device its client */
  char              *url;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->dir = g_dir_make_tmp ("yatai-sync-XXXXXX", NULL);
  f->bucket = yatai_memory_bucket_new ();
#ifdef OVER_HTTP
  f->server = test_server_start (NULL, &f->url);
#endif
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
  if (f->server != NULL)
    {
      g_subprocess_force_exit (f->server);
      g_subprocess_wait (f->server, NULL, NULL);
      g_clear_object (&f->server);
    }
  g_free (f->url);
}

static SyncTestDevice *
device_new (Fixture    *f,
            const char *name)
{
#ifdef OVER_HTTP
  g_autoptr(GError) error = NULL;
  g_autoptr(YataiGcsBucket) gcs = yatai_gcs_bucket_connect ("stall", f->url, NULL, &error);

  g_assert_no_error (error);
  yatai_gcs_client_set_retry (yatai_gcs_bucket_get_client (gcs), 10, 2000);
  return sync_test_device_new (f->dir, name, YATAI_BUCKET (gcs), PREFIX);
#else
  return sync_test_device_new (f->dir, name, YATAI_BUCKET (f->bucket), PREFIX);
#endif
}

/* The upload was made but its answer lost: the engine is waiting to retry. */
static gboolean
is_offline_or_done (gpointer data)
{
  return !yatai_sync_engine_get_online (((SyncTestDevice *) data)->engine);
}

static void
test_found_and_follow (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  SyncTestDevice *a = device_new (f, "Counter PC");
  SyncTestDevice *b = device_new (f, "Kitchen");
  SyncTestPair pair = { a, b };

  /* The counter has a menu before the stall syncs: it founds the stall with it. */
  g_assert_true (yatai_store_load_demo (a->store, &error));
  yatai_sync_engine_start (a->engine);
  sync_test_run_until_ms (sync_test_is_writer, a, 5000);
  g_assert_cmpuint (yatai_memory_bucket_count_prefix (f->bucket, PREFIX "/snapshot/"), ==, 1);
  g_assert_cmpuint (yatai_memory_bucket_count_prefix (f->bucket, PREFIX "/log/"), ==, 1);

  /* A new device with an empty store restores the whole stall on its first start. */
  yatai_sync_engine_start (b->engine);
  sync_test_run_until_ms (sync_test_is_follower, b, 5000);
  sync_test_run_until_ms (sync_test_same_content, &pair, 5000);

  /* The writer's changes reach the follower. */
  g_assert_cmpint (sync_test_save_product (a, "新メニュー", 12), >, 0);
  sync_test_run_until_ms (sync_test_same_content, &pair, 5000);
  g_assert_cmpuint (yatai_memory_bucket_count_prefix (f->bucket, PREFIX "/log/"), ==, 2);

  /* The follower's action goes to the writer as a command, and comes back. */
  g_assert_cmpint (sync_test_save_product (b, "厨房から", 3), ==, 0);
  g_assert_cmpint (yatai_sync_engine_get_pending (b->engine), ==, 1);
  sync_test_run_until_ms (sync_test_has_finished, b, 5000);
  g_assert_true (g_str_has_suffix (g_ptr_array_index (b->finished, 0), ":"));
  sync_test_run_until_ms (sync_test_same_content, &pair, 5000);
  g_assert_true (yatai_store_product_name_taken (b->store, "厨房から", 0));
  g_assert_cmpuint (yatai_memory_bucket_count_prefix (f->bucket, PREFIX "/inbox/"), ==, 0);

  /* A refusal comes back in words. */
  g_ptr_array_set_size (b->finished, 0);
  sync_test_save_product (b, "焼きそば", 3);
  sync_test_run_until_ms (sync_test_has_finished, b, 5000);
  g_assert_true (g_str_has_suffix (g_ptr_array_index (b->finished, 0), ":A product with this name already exists."));

  sync_test_device_free (a);
  sync_test_device_free (b);
}

static gboolean
two_finished (gpointer data)
{
  return ((SyncTestDevice *) data)->finished->len >= 2;
}

static gboolean
takeover_done (gpointer data)
{
  SyncTestPair *pair = data;

  return sync_test_is_writer (pair->b) && sync_test_is_follower (pair->a);
}

/* A writer that stops renewing is taken over; its next upload is refused; it turns follower, and what
 * it had not uploaded reaches the new writer exactly once. */
static void
test_takeover (Fixture       *f,
               gconstpointer  data)
{
  SyncTestDevice *a = device_new (f, "Counter PC");
  SyncTestDevice *b = device_new (f, "Kitchen");
  SyncTestPair pair = { a, b };

  yatai_sync_engine_start (a->engine);
  sync_test_run_until_ms (sync_test_is_writer, a, 5000);
  yatai_sync_engine_set_auto_takeover (b->engine, TRUE);
  yatai_sync_engine_start (b->engine);
  sync_test_run_until_ms (sync_test_is_follower, b, 5000);
  sync_test_save_product (a, "焼きそば", 10);
  sync_test_run_until_ms (sync_test_same_content, &pair, 5000);

  /* The counter falls asleep: no renewals, and its new orders stay in its outbox. */
  yatai_sync_engine_pause_renewal (a->engine, TRUE);
  g_usleep (700 * 1000);
  sync_test_save_product (a, "offline 1", 1);
  sync_test_save_product (a, "offline 2", 2);
  g_assert_cmpint (yatai_store_outbox_count (a->store), ==, 2);

  sync_test_run_until_ms (sync_test_is_writer, b, 10000);
  sync_test_save_product (b, "kitchen as writer", 5);

  /* The counter wakes up: its renewal is refused, it follows, and re-sends its work. */
  yatai_sync_engine_pause_renewal (a->engine, FALSE);
  sync_test_run_until_ms (takeover_done, &pair, 10000);
  sync_test_run_until_ms (two_finished, a, 10000);
  g_assert_cmpstr (strchr (g_ptr_array_index (a->finished, 0), ':'), ==, ":");
  g_assert_cmpstr (strchr (g_ptr_array_index (a->finished, 1), ':'), ==, ":");
  pair.a = b;
  pair.b = a;
  sync_test_run_until_ms (sync_test_same_content, &pair, 10000);

  g_assert_true (yatai_store_product_name_taken (b->store, "offline 1", 0));
  g_assert_true (yatai_store_product_name_taken (b->store, "offline 2", 0));
  g_assert_cmpuint (yatai_store_count_products (b->store), ==, 4);
  g_assert_true (yatai_store_product_name_taken (a->store, "kitchen as writer", 0));
  g_assert_cmpint (yatai_sync_engine_get_epoch (b->engine), ==, 2);

  sync_test_device_free (a);
  sync_test_device_free (b);
}

static void
stopped_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  gboolean *done = user_data;

  g_assert_true (yatai_sync_engine_stop_finish (YATAI_SYNC_ENGINE (source), result, NULL));
  *done = TRUE;
}

static gboolean
is_true (gpointer data)
{
  return *(gboolean *) data;
}

/* A clean stop releases the lease, and the other device takes it at once, without waiting a TTL. */
static void
test_clean_release (Fixture       *f,
                    gconstpointer  data)
{
  SyncTestDevice *a = device_new (f, "Counter PC");
  SyncTestDevice *b = device_new (f, "Kitchen");
  SyncTestDevice *c = device_new (f, "Backup PC");
  gboolean stopped = FALSE;
  gint64 start;

  /* Every device of a stall has the same TTL (Yatai's): a lease with another is damaged. */
  yatai_sync_engine_set_timing (a->engine, 60000, 20000);
  yatai_sync_engine_set_timing (b->engine, 60000, 20000);
  yatai_sync_engine_set_timing (c->engine, 60000, 20000);
  yatai_sync_engine_start (a->engine);
  sync_test_run_until_ms (sync_test_is_writer, a, 5000);
  /* A backup PC only follows: it starts first after the release, and still never writes. */
  yatai_sync_engine_set_follow_only (c->engine, TRUE);
  yatai_sync_engine_start (c->engine);
  sync_test_run_until_ms (sync_test_is_follower, c, 5000);
  yatai_sync_engine_start (b->engine);
  sync_test_run_until_ms (sync_test_is_follower, b, 5000);
  sync_test_save_product (a, "焼きそば", 10);

  yatai_sync_engine_stop_async (a->engine, NULL, stopped_cb, &stopped);
  sync_test_run_until_ms (is_true, &stopped, 5000);

  start = g_get_monotonic_time ();
  sync_test_run_until_ms (sync_test_is_writer, b, 10000);
  /* Far sooner than a 60 s lease would allow. */
  g_assert_cmpint (g_get_monotonic_time () - start, <, 8 * G_USEC_PER_SEC);
  g_assert_true (yatai_store_product_name_taken (b->store, "焼きそば", 0));
  g_assert_cmpint (yatai_sync_engine_get_role (c->engine), ==, YATAI_SYNC_FOLLOWER);

  sync_test_device_free (a);
  sync_test_device_free (b);
  sync_test_device_free (c);
}

#ifndef OVER_HTTP
static YataiLease *
bucket_lease (Fixture *f)
{
  g_autoptr(GBytes) bytes = yatai_memory_bucket_get (f->bucket, PREFIX "/lease");

  g_assert_nonnull (bytes);
  return yatai_lease_parse (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), NULL);
}

static gboolean
has_held_read (gpointer data)
{
  return yatai_memory_bucket_count_held (data) > 0;
}

/* A stop (a shutdown's SIGTERM) that comes while this device has won the lease but is still catching
 * up on the log releases the lease it won: nobody else waits out the TTL for a device that is gone. */
static void
test_stop_while_catching_up (Fixture       *f,
                             gconstpointer  data)
{
  SyncTestDevice *a = device_new (f, "Counter PC");
  SyncTestDevice *b = device_new (f, "Kitchen");
  gboolean stopped = FALSE;
  g_autoptr(YataiLease) lease = NULL;

  yatai_sync_engine_set_timing (a->engine, 60000, 20000);
  yatai_sync_engine_set_timing (b->engine, 60000, 20000);
  yatai_sync_engine_start (a->engine);
  sync_test_run_until_ms (sync_test_is_writer, a, 5000);
  sync_test_save_product (a, "焼きそば", 10);
  yatai_sync_engine_stop_async (a->engine, NULL, stopped_cb, &stopped);
  sync_test_run_until_ms (is_true, &stopped, 5000);

  /* The kitchen claims the released lease, then its reads of the log stall. */
  yatai_memory_bucket_hold_reads (f->bucket, "/log/");
  yatai_sync_engine_start (b->engine);
  sync_test_run_until_ms (has_held_read, f->bucket, 5000);
  lease = bucket_lease (f);
  g_assert_cmpstr (lease->device_name, ==, "Kitchen");
  g_assert_false (lease->released);
  g_clear_pointer (&lease, yatai_lease_free);

  stopped = FALSE;
  yatai_sync_engine_stop_async (b->engine, NULL, stopped_cb, &stopped);
  sync_test_run_until_ms (is_true, &stopped, 5000);
  lease = bucket_lease (f);
  g_assert_cmpstr (lease->device_name, ==, "Kitchen");
  g_assert_true (lease->released);
  g_assert_true (yatai_sync_engine_get_released (b->engine));

  yatai_memory_bucket_hold_reads (f->bucket, NULL);
  sync_test_device_free (a);
  sync_test_device_free (b);
}
#endif

/* A damaged segment is refused, and the follower recovers from the next snapshot. */
static void
test_corrupt_segment (Fixture       *f,
                      gconstpointer  data)
{
  SyncTestDevice *a = device_new (f, "Counter PC");
  SyncTestDevice *b = device_new (f, "Kitchen");
  SyncTestPair pair = { a, b };
  g_autoptr(GBytes) garbage = g_bytes_new_static ("{\"format\":1}\nnot zstd at all", 28);

  yatai_sync_engine_set_snapshot_every (a->engine, 3);
  yatai_sync_engine_start (a->engine);
  sync_test_run_until_ms (sync_test_is_writer, a, 5000);

  /* log/2 is damaged in the bucket before the follower first reads it. */
  sync_test_save_product (a, "one", 1);
  sync_test_run_until_ms (sync_test_outbox_empty, a, 5000);
  yatai_memory_bucket_put (f->bucket, PREFIX "/log/00000000000000000002", garbage);

  yatai_sync_engine_start (b->engine);
  sync_test_save_product (a, "two", 2);
  sync_test_save_product (a, "three", 3);
  sync_test_save_product (a, "four", 4);
  sync_test_run_until_ms (sync_test_same_content, &pair, 10000);
  g_assert_true (yatai_store_product_name_taken (b->store, "four", 0));

  sync_test_device_free (a);
  sync_test_device_free (b);
}

static gboolean
log_trimmed (gpointer data)
{
  Fixture *f = data;
  g_autoptr(GBytes) first = yatai_memory_bucket_get (f->bucket, PREFIX "/log/00000000000000000001");

  return first == NULL;
}

/* Old segments and snapshots go once a newer snapshot of this writer is old enough; a new device
 * still restores the whole stall from what is left. */
static void
test_retention (Fixture       *f,
                gconstpointer  data)
{
  SyncTestDevice *a = device_new (f, "Counter PC");
  SyncTestDevice *b = device_new (f, "Backup");
  SyncTestPair pair = { a, b };
  guint logs_before;

  yatai_sync_engine_set_snapshot_every (a->engine, 4);
  yatai_sync_engine_set_retention (a->engine, 300);
  yatai_sync_engine_start (a->engine);
  sync_test_run_until_ms (sync_test_is_writer, a, 5000);
  for (int i = 0; i < 10; i++)
    {
      g_autofree char *name = g_strdup_printf ("品 %d", i);
      sync_test_save_product (a, name, i);
      sync_test_run_until_ms (sync_test_outbox_empty, a, 5000);
    }
  logs_before = yatai_memory_bucket_count_prefix (f->bucket, PREFIX "/log/");
  g_assert_cmpuint (logs_before, ==, 11);

  sync_test_run_until_ms (log_trimmed, f, 10000);
  g_assert_cmpuint (yatai_memory_bucket_count_prefix (f->bucket, PREFIX "/log/"), <, logs_before);
  /* The newest snapshot is kept, with every segment after it. */
  g_assert_cmpuint (yatai_memory_bucket_count_prefix (f->bucket, PREFIX "/snapshot/"), >=, 1);

  yatai_sync_engine_start (b->engine);
  sync_test_run_until_ms (sync_test_same_content, &pair, 5000);

  sync_test_device_free (a);
  sync_test_device_free (b);
}

/* An upload that reached the bucket but whose answer was lost is recognised on the retry: no duplicate,
 * no lost lease. And a writer restarted with such an upload in its outbox carries on the same way. */
static void
test_lost_answer (Fixture       *f,
                  gconstpointer  data)
{
  SyncTestDevice *a = device_new (f, "Counter PC");
  SyncTestDevice *b = device_new (f, "Kitchen");
  SyncTestPair pair = { a, b };
  g_autofree char *path = g_strdup (yatai_store_get_path (a->store));

  yatai_sync_engine_start (a->engine);
  sync_test_run_until_ms (sync_test_is_writer, a, 5000);
  yatai_sync_engine_start (b->engine);
  sync_test_run_until_ms (sync_test_is_follower, b, 5000);

  yatai_memory_bucket_lose_answers (f->bucket, 1);
  sync_test_save_product (a, "焼きそば", 10);
  sync_test_run_until_ms (sync_test_same_content, &pair, 5000);
  g_assert_true (sync_test_is_writer (a));
  g_assert_cmpuint (yatai_store_count_products (b->store), ==, 1);

  /* Killed right after an upload: the next start finds its own segment and goes on as the writer. */
  yatai_memory_bucket_lose_answers (f->bucket, 1);
  sync_test_save_product (a, "たこ焼き", 10);
  sync_test_run_until_ms (is_offline_or_done, a, 5000);
  sync_test_device_free (a);
  {
    g_autoptr(GError) error = NULL;

    a = g_new0 (SyncTestDevice, 1);
    a->store = yatai_store_open (path, &error);
    g_assert_no_error (error);
    a->engine = yatai_sync_engine_new (a->store, YATAI_BUCKET (f->bucket), PREFIX);
    yatai_sync_engine_set_timing (a->engine, 600, 150);
    a->finished = g_ptr_array_new_with_free_func (g_free);
  }
  g_assert_cmpint (yatai_store_outbox_count (a->store), ==, 1);
  yatai_sync_engine_start (a->engine);
  sync_test_run_until_ms (sync_test_is_writer, a, 5000);
  pair.a = a;
  sync_test_run_until_ms (sync_test_same_content, &pair, 5000);
  g_assert_cmpuint (yatai_store_count_products (b->store), ==, 2);

  sync_test_device_free (a);
  sync_test_device_free (b);
}

/* An order of one of the first product, for @customer; @sent says whether it went to the writer. */
static JsonNode *
order (SyncTestDevice *device,
       const char     *customer,
       gboolean       *sent)
{
  g_autoptr(GPtrArray) products = yatai_store_list_products (device->store, NULL);
  YataiCartLine line = { yatai_product_get_id (products->pdata[0]), 1 };
  g_autoptr(JsonObject) args = yatai_order_confirm_args (&line, 1, customer, "", 1000, FALSE, 5);
  g_autoptr(YataiCommand) command = yatai_command_new ("order.confirm", args);
  g_autoptr(GError) error = NULL;
  JsonNode *result;

  result = yatai_sync_engine_execute (device->engine, command, sent, &error);
  g_assert_no_error (error);
  return result;
}

static gint64
confirm (SyncTestDevice *device)
{
  gboolean sent;
  g_autoptr(JsonNode) result = order (device, "", &sent);

  g_assert_false (sent);
  return json_object_get_int_member (json_node_get_object (result), "id");
}

static void
move (SyncTestDevice   *device,
      gint64            id,
      YataiOrderStatus  to)
{
  g_autoptr(JsonObject) args = json_object_new ();
  g_autoptr(YataiCommand) command = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) result = NULL;
  gboolean sent;

  json_object_set_int_member (args, "id", id);
  json_object_set_string_member (args, "status", yatai_order_status_to_string (to));
  command = yatai_command_new ("order.status", args);
  result = yatai_sync_engine_execute (device->engine, command, &sent, &error);
  g_assert_no_error (error);
  g_assert_true (sent);
}

static YataiOrderStatus
status_of (SyncTestDevice *device,
           gint64  id)
{
  g_autoptr(YataiOrder) order = yatai_store_get_order (device->store, id, NULL);

  g_assert_nonnull (order);
  return yatai_order_get_status (order);
}

typedef struct
{
  SyncTestDevice *device;
  guint           n;
} Count;

static gboolean
finished_n (gpointer data)
{
  Count *count = data;

  return count->device->finished->len >= count->n;
}

typedef struct
{
  SyncTestDevice   *device;
  gint64           *ids;
  YataiOrderStatus *statuses;
  guint             n;
} Finals;

static gboolean
finals_match (gpointer data)
{
  Finals *finals = data;

  for (guint i = 0; i < finals->n; i++)
    if (status_of (finals->device, finals->ids[i]) != finals->statuses[i])
      return FALSE;
  return TRUE;
}

static SyncTestDevice *
device_reopen (Fixture        *f,
               SyncTestDevice *old,
               const char     *name)
{
  sync_test_device_free (old);
  return device_new (f, name);
}

/* A kitchen that follows sends 200 moves, each one step from the state its previous move left, in
 * bursts, while both devices restart: the writer applies them in the order they were made, so every
 * order ends where the kitchen left it and none is refused. */
static void
test_ordered_commands (Fixture       *f,
                       gconstpointer  data)
{
  SyncTestDevice *a = device_new (f, "Counter PC");
  SyncTestDevice *b = device_new (f, "Kitchen");
  GRand *rand = g_rand_new_with_seed (13);
  gint64 ids[10];
  YataiOrderStatus sent[10];
  guint n_sent = 0;

  yatai_sync_engine_start (a->engine);
  sync_test_run_until_ms (sync_test_is_writer, a, 5000);
  sync_test_save_product (a, "焼きそば", 100000);
  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    {
      ids[i] = confirm (a);
      sent[i] = YATAI_ORDER_PENDING;
    }
  yatai_sync_engine_start (b->engine);
  sync_test_run_until_ms (sync_test_is_follower, b, 5000);
  {
    SyncTestPair pair = { a, b };
    sync_test_run_until_ms (sync_test_same_content, &pair, 5000);
  }

  for (guint burst = 0; burst < 20; burst++)
    {
      /* Ten taps at once, on a few orders, each a move a kitchen can make from where it left it. */
      for (guint k = 0; k < 10; k++)
        {
          guint i = g_rand_int_range (rand, 0, 3) + (burst % 4) * 2;
          YataiOrderStatus to;

          switch (sent[i])
            {
            case YATAI_ORDER_PENDING:
              to = g_rand_boolean (rand) ? YATAI_ORDER_PROCESSING : YATAI_ORDER_COMPLETED;
              break;
            case YATAI_ORDER_PROCESSING:
              to = g_rand_boolean (rand) ? YATAI_ORDER_COMPLETED : YATAI_ORDER_PENDING;
              break;
            default:
              to = YATAI_ORDER_PROCESSING;
              break;
            }
          move (b, ids[i], to);
          sent[i] = to;
          n_sent++;
        }
      for (int spin = 0; spin < 5; spin++)
        g_main_context_iteration (NULL, FALSE);

      /* Either device restarts now and then, with commands on their way. */
      if (burst == 6)
        {
          /* Its unsent commands are in its store; it sends them once it knows it follows. */
          b = device_reopen (f, b, "Kitchen");
          yatai_sync_engine_start (b->engine);
          sync_test_run_until_ms (sync_test_is_follower, b, 5000);
        }
      if (burst == 12)
        {
          a = device_reopen (f, a, "Counter PC");
          yatai_sync_engine_start (a->engine);
        }
    }
  g_assert_cmpuint (n_sent, ==, 200);

  sync_test_run_until_ms (sync_test_is_writer, a, 5000);
  sync_test_run_until_ms (sync_test_is_follower, b, 5000);
  {
    SyncTestPair pair = { a, b };
    Finals finals = { b, ids, sent, G_N_ELEMENTS (ids) };

    /* Every order on the kitchen where it left it, through the writer: misapplied, one never would be. */
    sync_test_run_until_ms (finals_match, &finals, 30000);
    sync_test_run_until_ms (sync_test_same_content, &pair, 10000);
  }
  /* None refused: each move was applied from the state the one before it left. */
  {
    sqlite3_stmt *stmt = NULL;

    sqlite3_prepare_v2 (yatai_store_get_db (a->store),
                        "SELECT count(*) FROM applied_commands WHERE kind = 'order.status' AND result LIKE '%refused%'",
                        -1, &stmt, NULL);
    g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
    g_assert_cmpint (sqlite3_column_int (stmt, 0), ==, 0);
    sqlite3_finalize (stmt);
  }
  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    {
      g_assert_cmpint (status_of (a, ids[i]), ==, sent[i]);
      g_assert_cmpint (status_of (b, ids[i]), ==, sent[i]);
    }
  g_rand_free (rand);
  sync_test_device_free (a);
  sync_test_device_free (b);
}

/* The status history names the device that made each move, not the writer that applied it. */
static void
test_status_device (Fixture       *f,
                    gconstpointer  data)
{
  SyncTestDevice *a = device_new (f, "Counter PC");
  SyncTestDevice *b = device_new (f, "Kitchen");
  Count count = { b, 1 };
  sqlite3_stmt *stmt = NULL;
  gint64 id;

  yatai_sync_engine_start (a->engine);
  sync_test_run_until_ms (sync_test_is_writer, a, 5000);
  sync_test_save_product (a, "焼きそば", 10);
  id = confirm (a);
  yatai_sync_engine_start (b->engine);
  sync_test_run_until_ms (sync_test_is_follower, b, 5000);
  {
    SyncTestPair pair = { a, b };
    sync_test_run_until_ms (sync_test_same_content, &pair, 5000);
  }
  move (b, id, YATAI_ORDER_PROCESSING);
  sync_test_run_until_ms (finished_n, &count, 5000);

  sqlite3_prepare_v2 (yatai_store_get_db (a->store),
                      "SELECT to_status, device FROM status_changes WHERE order_id = ? ORDER BY id", -1, &stmt, NULL);
  sqlite3_bind_int64 (stmt, 1, id);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==, "pending");
  g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 1), ==, "Counter PC");
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==, "processing");
  g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 1), ==, "Kitchen");
  sqlite3_finalize (stmt);
  sync_test_device_free (a);
  sync_test_device_free (b);
}

/* A copy of the writer's store (sqlite3 .backup while it runs) opened on another PC is a new device:
 * it follows, and never writes as the writer it was copied from. */
static void
test_copied_store (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *copy_path = g_build_filename (f->dir, "Copy.sqlite3", NULL);
  g_autofree char *sql = g_strdup_printf ("VACUUM INTO '%s'", copy_path);
  SyncTestDevice *a = device_new (f, "Counter PC");
  SyncTestDevice *copy;
  SyncTestPair pair;
  gint64 epoch, deadline;

  yatai_sync_engine_start (a->engine);
  sync_test_run_until_ms (sync_test_is_writer, a, 5000);
  sync_test_save_product (a, "焼きそば", 10);
  sync_test_run_until_ms (sync_test_outbox_empty, a, 5000);
  epoch = yatai_sync_engine_get_epoch (a->engine);
  g_assert_cmpint (sqlite3_exec (yatai_store_get_db (a->store), sql, NULL, NULL, NULL), ==, SQLITE_OK);

  copy = device_new (f, "Copy");
  g_assert_cmpstr (yatai_store_get_device_id (copy->store), !=, yatai_store_get_device_id (a->store));
  g_assert_cmpstr (yatai_store_get_former_device_id (copy->store), ==, yatai_store_get_device_id (a->store));
  yatai_sync_engine_start (copy->engine);
  sync_test_run_until_ms (sync_test_is_follower, copy, 5000);

  /* For several lease renewals, the writer stays the writer and the copy follows it. */
  deadline = g_get_monotonic_time () + 1500 * 1000;
  while (g_get_monotonic_time () < deadline)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
      g_assert_true (sync_test_is_follower (copy));
      g_assert_true (sync_test_is_writer (a));
    }
  g_assert_cmpint (yatai_sync_engine_get_epoch (a->engine), ==, epoch);
  sync_test_save_product (a, "たこ焼き", 10);
  pair.a = a;
  pair.b = copy;
  sync_test_run_until_ms (sync_test_same_content, &pair, 5000);

  sync_test_device_free (copy);
  sync_test_device_free (a);
}

/* An order a follower sent ("sending" on its screen), as a command in the inbox. */
static void
send_order (SyncTestDevice *device,
            const char     *customer)
{
  gboolean sent;
  g_autoptr(JsonNode) result = order (device, customer, &sent);

  g_assert_true (sent);
}

/* The counter writes with a product on its menu, the kitchen follows it to the end of the log. */
static void
start_counter_and_kitchen (SyncTestDevice *a,
                           SyncTestDevice *b)
{
  SyncTestPair pair = { a, b };

  yatai_sync_engine_start (a->engine);
  sync_test_run_until_ms (sync_test_is_writer, a, 5000);
  sync_test_save_product (a, "焼きそば", 100);
  yatai_sync_engine_start (b->engine);
  sync_test_run_until_ms (sync_test_is_follower, b, 5000);
  sync_test_run_until_ms (sync_test_same_content, &pair, 5000);
}

static gboolean
nothing_pending (gpointer data)
{
  return yatai_sync_engine_get_pending (((SyncTestDevice *) data)->engine) == 0;
}

static void
count_gap_passed (const char     *domain,
                  GLogLevelFlags  level,
                  const char     *message,
                  gpointer        data)
{
  if (strstr (message, "never came") != NULL)
    (*(guint *) data)++;
}

static gboolean
has_customer (SyncTestDevice *device,
              const char     *customer)
{
  sqlite3_stmt *stmt = NULL;
  gboolean found;

  sqlite3_prepare_v2 (yatai_store_get_db (device->store), "SELECT 1 FROM orders WHERE customer = ?", -1, &stmt,
                      NULL);
  sqlite3_bind_text (stmt, 1, customer, -1, SQLITE_STATIC);
  found = sqlite3_step (stmt) == SQLITE_ROW;
  sqlite3_finalize (stmt);
  return found;
}

/* A follower's orders wait in the inbox while no writer is there; the follower takes over and applies
 * them itself. Each comes back to its screen as accepted, the stall records that device's counter as it
 * does for any follower's, and the next writer takes that device's next order at once, waiting for no
 * command the stall already has. Before, the writer's own inbox orders stayed "sending" for ever and
 * every later writer waited for them again (the hostile-bucket run, with a takeover every 2 s, had
 * hundreds of orders stuck so in the inbox at its end). */
static void
test_own_commands_as_writer (Fixture       *f,
                             gconstpointer  data)
{
  SyncTestDevice *a = device_new (f, "Counter PC");
  SyncTestDevice *b = device_new (f, "Kitchen");
  Count count = { b, 3 };
  guint gaps_passed = 0;
  guint handler = g_log_set_handler ("yatai-sync", G_LOG_LEVEL_MESSAGE, count_gap_passed, &gaps_passed);
  g_autofree char *b_id = NULL;

  start_counter_and_kitchen (a, b);
  b_id = g_strdup (yatai_store_get_device_id (b->store));

  /* The counter goes away without a word; the kitchen's three orders wait in the inbox. */
  sync_test_device_free (a);
  send_order (b, "kitchen 1");
  send_order (b, "kitchen 2");
  send_order (b, "kitchen 3");
  sync_test_run_until_ms (nothing_pending, b, 10000);
  g_assert_cmpuint (b->finished->len, ==, 0);

  /* The kitchen is made the writer: it applies its own orders, and says so. */
  yatai_sync_engine_take_over (b->engine);
  sync_test_run_until_ms (sync_test_is_writer, b, 10000);
  sync_test_run_until_ms (finished_n, &count, 10000);
  for (guint i = 0; i < 3; i++)
    g_assert_cmpstr (strchr (g_ptr_array_index (b->finished, i), ':'), ==, ":");
  g_assert_true (has_customer (b, "kitchen 1"));
  g_assert_true (has_customer (b, "kitchen 3"));
  g_assert_cmpint (yatai_store_get_command_counter (b->store, b_id), ==, 3);
  sync_test_run_until_ms (sync_test_outbox_empty, b, 5000);

  /* The counter comes back and takes over; the kitchen follows again and sends its next order. */
  a = device_new (f, "Counter PC");
  yatai_sync_engine_set_auto_takeover (a->engine, TRUE);
  yatai_sync_engine_start (a->engine);
  sync_test_run_until_ms (sync_test_is_follower, a, 5000);
  yatai_sync_engine_pause_renewal (b->engine, TRUE);
  sync_test_run_until_ms (sync_test_is_writer, a, 10000);
  yatai_sync_engine_pause_renewal (b->engine, FALSE);
  sync_test_run_until_ms (sync_test_is_follower, b, 10000);
  g_assert_cmpint (yatai_store_get_command_counter (a->store, b_id), ==, 3);
  send_order (b, "kitchen 4");
  count.n = 4;
  sync_test_run_until_ms (finished_n, &count, 15000);
  g_assert_cmpstr (strchr (g_ptr_array_index (b->finished, 3), ':'), ==, ":");
  g_assert_true (has_customer (a, "kitchen 4"));
  /* Applied in its place, with nothing before it waited for. */
  g_assert_cmpuint (gaps_passed, ==, 0);
  g_assert_cmpint (yatai_store_get_command_counter (a->store, b_id), ==, 4);

  g_log_remove_handler ("yatai-sync", handler);
  sync_test_device_free (a);
  sync_test_device_free (b);
}

#ifndef OVER_HTTP
/* Whose the lease object is now, as the bucket has it. */
static char *
lease_holder (Fixture *f)
{
  g_autoptr(GBytes) bytes = yatai_memory_bucket_get (f->bucket, PREFIX "/lease");
  g_autoptr(JsonParser) parser = json_parser_new ();

  if (bytes == NULL ||
      !json_parser_load_from_data (parser, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), NULL))
    return NULL;
  return g_strdup (json_object_get_string_member (json_node_get_object (json_parser_get_root (parser)), "device"));
}

typedef struct
{
  Fixture    *f;
  const char *device;
} Holder;

static gboolean
lease_held_by (gpointer data)
{
  Holder *holder = data;
  g_autofree char *device = lease_holder (holder->f);

  return g_strcmp0 (device, holder->device) == 0;
}

/* A device that takes the lease and then has a long catch-up (a whole log to read, the bucket slow to
 * answer) keeps renewing it meanwhile: another device that could take over sees a lease renewed, not
 * one silent for longer than its TTL, and the catch-up is not for nothing. Before, the lease was
 * renewed only once the device wrote, and the other took it over in the middle. */
static void
test_catch_up_keeps_lease (Fixture       *f,
                           gconstpointer  data)
{
  SyncTestDevice *a = device_new (f, "Counter PC");
  SyncTestDevice *b = device_new (f, "Kitchen");
  SyncTestDevice *c = device_new (f, "Backup PC");
  g_autofree char *held = NULL;
  g_autofree char *b_id = NULL;
  gboolean stopped = FALSE;
  Holder holder = { f, NULL };
  SyncTestPair pair = { a, NULL };
  gint64 end;

  start_counter_and_kitchen (a, b);
  b_id = g_strdup (yatai_store_get_device_id (b->store));

  /* The kitchen is off while the counter sells on; a backup PC follows to the end of the log. */
  held = yatai_segment_object_name (PREFIX, YATAI_SEGMENT_LOG, yatai_sync_engine_get_seq (b->engine) + 1);
  sync_test_device_free (b);
  sync_test_save_product (a, "たこ焼き", 10);
  sync_test_save_product (a, "ラムネ", 10);
  yatai_sync_engine_set_follow_only (c->engine, TRUE);
  yatai_sync_engine_start (c->engine);
  sync_test_run_until_ms (sync_test_is_follower, c, 5000);
  pair.b = c;
  sync_test_run_until_ms (sync_test_same_content, &pair, 5000);

  /* The counter closes and releases the lease. The kitchen comes back on and takes it at once, but
   * the bucket holds back the first segment of its catch-up. */
  yatai_sync_engine_stop_async (a->engine, NULL, stopped_cb, &stopped);
  sync_test_run_until_ms (is_true, &stopped, 5000);
  yatai_memory_bucket_hold_reads (f->bucket, held);
  b = device_new (f, "Kitchen");
  yatai_sync_engine_set_auto_takeover (b->engine, TRUE);
  yatai_sync_engine_start (b->engine);
  holder.device = b_id;
  sync_test_run_until_ms (lease_held_by, &holder, 5000);

  /* The backup PC may now take over a lease that goes silent. For several of the lease's TTLs, the
   * kitchen's lease stays renewed and the backup PC follows. */
  yatai_sync_engine_set_follow_only (c->engine, FALSE);
  yatai_sync_engine_set_auto_takeover (c->engine, TRUE);
  end = g_get_monotonic_time () + 4 * 600 * 1000;
  while (g_get_monotonic_time () < end)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
      g_assert_true (lease_held_by (&holder));
      g_assert_false (sync_test_is_writer (c));
    }
  g_assert_cmpuint (yatai_memory_bucket_count_held (f->bucket), >, 0);

  /* The bucket answers: the kitchen catches up and writes; the backup PC follows it. */
  yatai_memory_bucket_hold_reads (f->bucket, NULL);
  sync_test_run_until_ms (sync_test_is_writer, b, 5000);
  g_assert_true (sync_test_is_follower (c));
  sync_test_save_product (b, "かき氷", 10);
  pair.a = b;
  pair.b = c;
  sync_test_run_until_ms (sync_test_same_content, &pair, 5000);
  g_assert_true (yatai_store_product_name_taken (c->store, "かき氷", 0));

  sync_test_device_free (a);
  sync_test_device_free (b);
  sync_test_device_free (c);
}
#endif

#ifndef OVER_HTTP
/* A counter that takes orders faster than it uploads them one segment at a time (the writer leaves a
 * moment between two uploads so that orders go together) still takes its snapshots: a snapshot needs
 * a moment with nothing to upload, and before, a busy counter never had one, so no snapshot was made
 * and no old segment deleted (the long-absence run's log was never trimmed). */
static void
test_snapshot_while_busy (Fixture       *f,
                          gconstpointer  data)
{
  SyncTestDevice *a = device_new (f, "Counter PC");
  gint64 deadline;

  yatai_sync_engine_set_snapshot_every (a->engine, 4);
  yatai_sync_engine_start (a->engine);
  sync_test_run_until_ms (sync_test_is_writer, a, 5000);
  sync_test_save_product (a, "焼きそば", 100000);
  sync_test_run_until_ms (sync_test_outbox_empty, a, 5000);
  g_assert_cmpuint (yatai_memory_bucket_count_prefix (f->bucket, PREFIX "/snapshot/"), ==, 1);

  /* An order every 10 ms, and no pause, until a new snapshot is there or 10 s have gone by. */
  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (yatai_memory_bucket_count_prefix (f->bucket, PREFIX "/snapshot/") < 2 &&
         g_get_monotonic_time () < deadline)
    {
      gint64 next = g_get_monotonic_time () + 10 * 1000;

      confirm (a);
      while (g_get_monotonic_time () < next)
        {
          g_main_context_iteration (NULL, FALSE);
          g_usleep (500);
        }
    }
  g_assert_cmpuint (yatai_memory_bucket_count_prefix (f->bucket, PREFIX "/snapshot/"), >=, 2);
  g_assert_cmpint (yatai_sync_engine_get_seq (a->engine), >=, 4);
  sync_test_device_free (a);
}
#endif

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  /* Over HTTP, the scenarios that need no look inside the bucket. */
  ADD ("/sync-engine/takeover", test_takeover);
  ADD ("/sync-engine/clean-release", test_clean_release);
  ADD ("/sync-engine/ordered-commands", test_ordered_commands);
  ADD ("/sync-engine/status-device", test_status_device);
  ADD ("/sync-engine/copied-store", test_copied_store);
  ADD ("/sync-engine/own-commands-as-writer", test_own_commands_as_writer);
#ifndef OVER_HTTP
  ADD ("/sync-engine/found-and-follow", test_found_and_follow);
  ADD ("/sync-engine/corrupt-segment", test_corrupt_segment);
  ADD ("/sync-engine/retention", test_retention);
  ADD ("/sync-engine/lost-answer", test_lost_answer);
  ADD ("/sync-engine/catch-up-keeps-lease", test_catch_up_keeps_lease);
  ADD ("/sync-engine/snapshot-while-busy", test_snapshot_while_busy);
  ADD ("/sync-engine/stop-while-catching-up", test_stop_while_catching_up);
#endif
#undef ADD

  return g_test_run ();
}
