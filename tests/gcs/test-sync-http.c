/* test-sync-http.c: a writer and a follower syncing through yatai-test-bucket over HTTP
 *
 * The same engine as test-sync-engine.c, on the GCS client and the test server instead of a bucket in
 * memory: mixed operations on both devices converge to the same content (a canonical dump), with and
 * without a fifth of the requests failing; the follower's commands apply exactly once; a damaged
 * segment is refused and the follower recovers from a snapshot.
 */
#include "config.h"

#include <glib/gstdio.h>

#include "sync-test-util.h"
#include "test-server.h"
#include "yatai-gcs-bucket.h"
#include "yatai-store-journal.h"
#include "yatai-store-orders.h"
#include "yatai-store-products.h"
#include "yatai-sync-engine.h"

#define PREFIX "yatai/stall-1"

typedef struct
{
  GSubprocess *server;
  char        *url;
  char        *dir;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  const char *fail = data;
  const char *extra[] = { "--seed", "7", "--fail-rate", fail != NULL ? fail : "0", NULL };

  f->dir = g_dir_make_tmp ("yatai-sync-http-XXXXXX", NULL);
  f->server = test_server_start (extra, &f->url);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GDir) d = g_dir_open (f->dir, 0, NULL);
  const char *name;

  g_subprocess_force_exit (f->server);
  g_subprocess_wait (f->server, NULL, NULL);
  g_clear_object (&f->server);
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (f->dir, name, NULL);

      g_unlink (path);
    }
  g_rmdir (f->dir);
  g_free (f->dir);
  g_free (f->url);
}

/* A device on the GCS client with a short retry, a lease of 2 s (the test server answers slower than
 * memory), a poll every 20 ms. */
static SyncTestDevice *
device_new (Fixture    *f,
            const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(YataiGcsBucket) bucket = yatai_gcs_bucket_connect ("stall", f->url, NULL, &error);
  SyncTestDevice *device;

  g_assert_no_error (error);
  yatai_gcs_client_set_retry (yatai_gcs_bucket_get_client (bucket), 10, 3000);
  device = sync_test_device_new (f->dir, name, YATAI_BUCKET (bucket), PREFIX);
  yatai_sync_engine_set_timing (device->engine, 2000, 400);
  return device;
}

typedef struct
{
  guint sent;
  guint finished;
  guint refused;
} Commands;

static void
finished_cb (YataiSyncEngine *engine,
             const char      *id,
             const char      *refusal,
             Commands        *commands)
{
  commands->finished++;
  if (refusal != NULL)
    commands->refused++;
}

static gboolean
all_finished (gpointer data)
{
  Commands *commands = data;

  return commands->finished >= commands->sent;
}

static JsonNode *
execute (SyncTestDevice *device,
         const char     *kind,
         JsonObject     *args,
         gboolean       *sent)
{
  g_autoptr(YataiCommand) command = yatai_command_new (kind, args);
  g_autoptr(GError) error = NULL;
  JsonNode *result = yatai_sync_engine_execute (device->engine, command, sent, &error);

  g_assert_no_error (error);
  return result;
}

static gint64
count_orders (SyncTestDevice *device)
{
  sqlite3_stmt *stmt = NULL;
  gint64 n;

  sqlite3_prepare_v2 (yatai_store_get_db (device->store), "SELECT count(*) FROM orders", -1, &stmt, NULL);
  sqlite3_step (stmt);
  n = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return n;
}

/* Mixed operations on both devices, then the same content on both, each order once. */
static void
test_converge (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  SyncTestDevice *a = device_new (f, "Counter PC");
  SyncTestDevice *b = device_new (f, "Kitchen");
  SyncTestPair pair = { a, b };
  g_autoptr(GPtrArray) products = NULL;
  GRand *rand = g_rand_new_with_seed (3);
  guint n_ops = 1000, confirmed = 0, sent_commands = 0;
  Commands commands = { 0 };

  g_assert_true (yatai_store_load_demo (a->store, &error));
  g_signal_connect (b->engine, "command-finished", G_CALLBACK (finished_cb), &commands);
  yatai_sync_engine_start (a->engine);
  sync_test_run_until_ms (sync_test_is_writer, a, 20000);
  yatai_sync_engine_start (b->engine);          /* an empty store: restores the whole stall */
  sync_test_run_until_ms (sync_test_is_follower, b, 20000);
  sync_test_run_until_ms (sync_test_same_content, &pair, 30000);

  /* Everything on sale, plenty of it, so no order is refused for stock here. */
  products = yatai_store_list_products (a->store, NULL);
  for (guint i = 0; i < products->len; i++)
    {
      YataiProduct *p = products->pdata[i];
      g_autoptr(JsonObject) args = yatai_product_save_args (yatai_product_get_id (p), yatai_product_get_name (p),
                                                            yatai_product_get_price (p), 100000, FALSE,
                                                            NULL, NULL, TRUE);
      gboolean sent;
      g_autoptr(JsonNode) result = execute (a, "product.save", args, &sent);
    }
  for (guint i = 0; i < n_ops; i++)
    {
      YataiProduct *product = products->pdata[g_rand_int_range (rand, 0, 7)];
      guint what = g_rand_int_range (rand, 0, 10);
      gboolean sent = FALSE;

      if (what < 6)
        {
          /* An order, at the counter (the writer) or sent from the kitchen (the follower). */
          SyncTestDevice *device = what < 4 ? a : b;
          YataiCartLine line = { yatai_product_get_id (product), 1 };
          g_autoptr(JsonObject) args = yatai_order_confirm_args (&line, 1, "", "", 1000, FALSE, 5);
          g_autoptr(JsonNode) result = NULL;

          result = execute (device, "order.confirm", args, &sent);
          confirmed++;
          sent_commands += sent;
          commands.sent += sent;
        }
      else if (what < 9)
        {
          /* A kitchen move on the newest order, from the follower. */
          g_autoptr(GPtrArray) active = yatai_store_list_orders (b->store, YATAI_ORDER_QUERY_ACTIVE, 0, NULL);
          g_autoptr(JsonObject) args = json_object_new ();
          g_autoptr(JsonNode) result = NULL;

          if (active->len == 0)
            continue;
          json_object_set_int_member (args, "id", yatai_order_get_id (active->pdata[active->len - 1]));
          json_object_set_string_member (args, "status", "processing");
          result = execute (b, "order.status", args, &sent);
          commands.sent += sent;
        }
      else
        {
          /* A restock at the counter. */
          g_autoptr(JsonObject) args = yatai_product_save_args (yatai_product_get_id (product),
                                                                yatai_product_get_name (product),
                                                                yatai_product_get_price (product),
                                                                100000, FALSE, NULL, NULL, TRUE);
          g_autoptr(JsonNode) result = execute (a, "product.save", args, &sent);
        }
      if (i % 10 == 0)
        sync_test_run_for (20);
    }
  g_rand_free (rand);

  /* Every command the kitchen sent came back answered, then both stores hold the same. */
  sync_test_run_until_ms (all_finished, &commands, 120000);
  sync_test_run_until_ms (sync_test_same_content, &pair, 120000);
  g_assert_cmpuint (commands.refused, ==, 0);
  g_test_message ("%u orders confirmed, %u of them sent by the follower; %" G_GINT64_FORMAT " in each store",
                  confirmed, sent_commands, count_orders (a));
  g_assert_cmpint (count_orders (a), ==, confirmed);
  g_assert_cmpint (count_orders (b), ==, confirmed);
  g_assert_cmpuint (sent_commands, >, 0);

  sync_test_device_free (b);
  sync_test_device_free (a);
}

/* A damaged segment is refused; the follower restores from a snapshot and catches up. */
static void
test_corrupt_segment (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  SyncTestDevice *a = device_new (f, "Counter PC");
  SyncTestDevice *b = device_new (f, "Kitchen");
  SyncTestPair pair = { a, b };
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *faults = g_strconcat (f->url, "/_test/faults", NULL);
  g_autoptr(SoupMessage) msg = soup_message_new ("POST", faults);
  const char *fault = "{\"method\": \"GET\", \"path_contains\": \"/log/\", \"action\": \"corrupt\", \"times\": 1}";
  g_autoptr(GBytes) body = g_bytes_new_static (fault, strlen (fault));
  g_autoptr(GBytes) answer = NULL;

  g_assert_true (yatai_store_load_demo (a->store, &error));
  yatai_sync_engine_start (a->engine);
  sync_test_run_until_ms (sync_test_is_writer, a, 20000);
  yatai_sync_engine_start (b->engine);
  sync_test_run_until_ms (sync_test_is_follower, b, 20000);
  sync_test_run_until_ms (sync_test_same_content, &pair, 30000);

  soup_message_set_request_body_from_bytes (msg, "application/json", body);
  answer = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  {
    g_autoptr(JsonObject) args = yatai_product_save_args (0, "傷ついたセグメントの後", 100, 5, FALSE, NULL, NULL, TRUE);
    gboolean sent;
    g_autoptr(JsonNode) result = execute (a, "product.save", args, &sent);
  }
  sync_test_run_until_ms (sync_test_same_content, &pair, 60000);
  sync_test_device_free (b);
  sync_test_device_free (a);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/sync-http/converge", Fixture, NULL, fixture_setup, test_converge, fixture_teardown);
  g_test_add ("/sync-http/converge-with-faults", Fixture, "0.2", fixture_setup, test_converge, fixture_teardown);
  g_test_add ("/sync-http/corrupt-segment", Fixture, NULL, fixture_setup, test_corrupt_segment, fixture_teardown);
  return g_test_run ();
}
