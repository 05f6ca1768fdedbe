/* test-sync-faults.c: the sync engine when one request stalls or loses its answer (issue 13)
 *
 * Through the GCS client and yatai-test-bucket, with the client's own retry settings (those the app
 * uses), faults aimed at one kind of request with the server's /_test/faults:
 *   - a stalled read does not hold back the upload of a new order, nor a stalled upload the reading of
 *     the log (the engine's lanes);
 *   - a stop ends within 10 s with the server stalled, and what was not uploaded stays in the outbox;
 *   - a lease renewal applied by the server whose answer was lost leaves the device the writer.
 */
#include "config.h"

#include <glib/gstdio.h>

#include "test-server.h"
#include "yatai-gcs-bucket.h"
#include "yatai-store-journal.h"
#include "yatai-store-products.h"
#include "yatai-sync-engine.h"

#define PREFIX "yatai/stall-1"

typedef struct
{
  GSubprocess *server;
  char        *url;
  char        *dir;
} Fixture;

typedef struct
{
  YataiStore      *store;
  YataiSyncEngine *engine;
  YataiGcsBucket  *bucket;
  guint            roles_seen;   /* how many times the role changed */
} Device;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->dir = g_dir_make_tmp ("yatai-sync-faults-XXXXXX", NULL);
  f->server = test_server_start (NULL, &f->url);
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

static void
role_cb (Device *device)
{
  device->roles_seen++;
}

static Device *
device_new (Fixture    *f,
            const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *file = g_strdup_printf ("%s.sqlite3", name);
  g_autofree char *path = g_build_filename (f->dir, file, NULL);
  Device *device = g_new0 (Device, 1);

  device->store = yatai_store_open (path, &error);
  g_assert_no_error (error);
  yatai_store_set_device_name (device->store, name);
  device->bucket = yatai_gcs_bucket_connect ("stall", f->url, NULL, &error);
  g_assert_no_error (error);
  device->engine = yatai_sync_engine_new (device->store, YATAI_BUCKET (device->bucket), PREFIX);
  yatai_sync_engine_set_poll_interval (device->engine, 50);
  g_signal_connect_swapped (device->engine, "notify::role", G_CALLBACK (role_cb), device);
  return device;
}

static void
device_free (Device *device)
{
  g_clear_object (&device->engine);
  g_clear_object (&device->bucket);
  g_clear_object (&device->store);
  g_free (device);
}

typedef gboolean (*Condition) (gpointer data);

/* Runs the main context until @condition holds; FALSE if @timeout_ms passed first. */
static gboolean
run_until (Condition condition,
           gpointer  data,
           guint     timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  while (!condition (data))
    {
      if (g_get_monotonic_time () > deadline)
        return FALSE;
      g_main_context_iteration (NULL, FALSE);
      g_usleep (500);
    }
  return TRUE;
}

static void
run_for (guint ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) ms * 1000;

  while (g_get_monotonic_time () < end)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (500);
    }
}

static gboolean
is_writer (gpointer data)
{
  return yatai_sync_engine_get_role (((Device *) data)->engine) == YATAI_SYNC_WRITER;
}

static gboolean
is_follower (gpointer data)
{
  return yatai_sync_engine_get_role (((Device *) data)->engine) == YATAI_SYNC_FOLLOWER;
}

static gboolean
outbox_empty (gpointer data)
{
  return yatai_store_outbox_count (((Device *) data)->store) == 0;
}

static gboolean
nothing_pending (gpointer data)
{
  return yatai_sync_engine_get_pending (((Device *) data)->engine) == 0;
}

static void
post_fault (Fixture    *f,
            const char *json)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *url = g_strconcat (f->url, "/_test/faults", NULL);
  g_autoptr(SoupMessage) msg = soup_message_new ("POST", url);
  g_autoptr(GBytes) body = g_bytes_new (json, strlen (json));
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(GError) error = NULL;

  soup_message_set_request_body_from_bytes (msg, "application/json", body);
  answer = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 204);
}

static gint64
faults_used (Fixture *f)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *url = g_strconcat (f->url, "/_test/stats", NULL);
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
  g_autoptr(GBytes) body = soup_session_send_and_read (session, msg, NULL, NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();

  g_assert_true (json_parser_load_from_data (parser, g_bytes_get_data (body, NULL), g_bytes_get_size (body), NULL));
  return json_object_get_int_member (json_node_get_object (json_parser_get_root (parser)), "faults");
}

static void
save (Device     *device,
      const char *name)
{
  g_autoptr(JsonObject) args = yatai_product_save_args (0, name, 300, 10, FALSE, NULL, NULL, TRUE);
  g_autoptr(YataiCommand) command = yatai_command_new ("product.save", args);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) result = NULL;
  gboolean sent;

  result = yatai_sync_engine_execute (device->engine, command, &sent, &error);
  g_assert_no_error (error);
  g_assert_nonnull (result);
}

typedef struct
{
  Device     *device;
  const char *name;
} Has;

static gboolean
has_product (gpointer data)
{
  Has *has = data;

  return yatai_store_product_name_taken (has->device->store, has->name, 0);
}

/* The writer's inbox listing hangs for 8 s: a new order is uploaded meanwhile all the same. And a
 * follower whose command upload hangs still reads the log. */
static void
test_stalled_request (Fixture       *f,
                      gconstpointer  data)
{
  Device *a = device_new (f, "Counter PC");
  Device *b = device_new (f, "Kitchen");
  Has has = { b, "ストール中の注文" };

  yatai_sync_engine_start (a->engine);
  g_assert_true (run_until (is_writer, a, 20000));
  yatai_sync_engine_start (b->engine);
  g_assert_true (run_until (is_follower, b, 20000));

  /* A read stalled: the writer's next inbox listing. */
  post_fault (f, "{\"method\": \"GET\", \"path_contains\": \"/inbox/\", \"delay_ms\": 8000, \"times\": 1}");
  run_for (1500);   /* the writer lists its inbox about once a second: that listing hangs now */
  save (a, "ストール中の注文");
  g_assert_true (run_until (outbox_empty, a, 4000));
  g_assert_true (run_until (has_product, &has, 4000));

  /* An upload stalled: the follower's command to the inbox. The log still reaches it. */
  post_fault (f, "{\"method\": \"POST\", \"path_contains\": \"/inbox/\", \"delay_ms\": 8000, \"times\": 1}");
  save (b, "厨房から");
  run_for (300);
  g_assert_cmpint (yatai_sync_engine_get_pending (b->engine), ==, 1);
  has.name = "その間のカウンター";
  save (a, "その間のカウンター");
  g_assert_true (run_until (has_product, &has, 4000));
  g_assert_cmpint (yatai_sync_engine_get_pending (b->engine), ==, 1);

  /* And the stalled command arrives in the end. */
  has.name = "厨房から";
  g_assert_true (run_until (has_product, &has, 30000));
  g_assert_true (run_until (nothing_pending, b, 5000));

  device_free (b);
  device_free (a);
}

static void
stopped_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  gboolean *done = user_data;

  yatai_sync_engine_stop_finish (YATAI_SYNC_ENGINE (source), result, NULL);
  *done = TRUE;
}

static gboolean
is_true (gpointer data)
{
  return *(gboolean *) data;
}

/* Quit with the server stalled (every request hangs for a minute): the stop ends within 10 s, and the
 * order not uploaded is still in the outbox for the next start, which uploads it. */
static void
test_quit_with_server_stalled (Fixture       *f,
                               gconstpointer  data)
{
  Device *a = device_new (f, "Counter PC");
  g_autofree char *path = g_strdup (yatai_store_get_path (a->store));
  gboolean stopped = FALSE;
  gint64 start;

  yatai_sync_engine_start (a->engine);
  g_assert_true (run_until (is_writer, a, 20000));
  post_fault (f, "{\"delay_ms\": 60000, \"times\": -1}");
  save (a, "止まったサーバー");
  run_for (200);
  g_assert_cmpint (yatai_store_outbox_count (a->store), ==, 1);

  start = g_get_monotonic_time ();
  yatai_sync_engine_stop_async (a->engine, NULL, stopped_cb, &stopped);
  g_assert_true (run_until (is_true, &stopped, 10000));
  g_test_message ("stopped in %.1f s", (g_get_monotonic_time () - start) / 1e6);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 10 * G_USEC_PER_SEC);
  g_assert_cmpint (yatai_store_outbox_count (a->store), ==, 1);
  device_free (a);

  /* The server answers again: the next start uploads what was left. */
  {
    g_autoptr(SoupSession) session = soup_session_new ();
    g_autofree char *url = g_strconcat (f->url, "/_test/faults", NULL);
    g_autoptr(SoupMessage) msg = soup_message_new ("DELETE", url);
    g_autoptr(GBytes) answer = soup_session_send_and_read (session, msg, NULL, NULL);
  }
  a = device_new (f, "Counter PC");
  g_assert_cmpstr (yatai_store_get_path (a->store), ==, path);
  yatai_sync_engine_start (a->engine);
  g_assert_true (run_until (is_writer, a, 30000));
  g_assert_true (run_until (outbox_empty, a, 30000));
  device_free (a);
}

static gboolean
fault_used (gpointer data)
{
  return faults_used (data) > 0;
}

/* The server applies a renewal and drops the connection before answering; the client's retry gets
 * 412. The lease holds this device's own write: it stays the writer and keeps uploading. */
static void
test_lost_renewal_answer (Fixture       *f,
                          gconstpointer  data)
{
  Device *a = device_new (f, "Counter PC");
  guint roles;

  yatai_sync_engine_set_timing (a->engine, 3000, 500);
  yatai_sync_engine_start (a->engine);
  g_assert_true (run_until (is_writer, a, 20000));
  roles = a->roles_seen;

  post_fault (f, "{\"method\": \"POST\", \"path_contains\": \"/lease\", \"action\": \"apply-drop\", \"times\": 1}");
  g_assert_true (run_until (fault_used, f, 5000));
  run_for (1500);   /* the retry, its 412, the read back, and more renewals */
  g_assert_cmpuint (a->roles_seen, ==, roles);
  g_assert_true (is_writer (a));

  save (a, "更新の後");
  g_assert_true (run_until (outbox_empty, a, 5000));
  g_assert_true (is_writer (a));
  device_free (a);
}

static guint n_own_upload_found;
static guint n_uploads_hedged;

static void
debug_cb (const char     *domain,
          GLogLevelFlags  level,
          const char     *message,
          gpointer        data)
{
  if (strstr (message, "its first try landed") != NULL)
    n_own_upload_found++;
  if (strstr (message, "/log/") != NULL && strstr (message, "sent again beside it") != NULL)
    n_uploads_hedged++;
}

/* A segment's upload whose answer stalls (the server stored it, then waits 10 s) is sent again beside
 * it after half a second; the second meets 412, the object is read back and found to be this
 * device's, and the order is uploaded long before the stall ends. */
static void
test_stalled_upload_hedged (Fixture       *f,
                            gconstpointer  data)
{
  Device *a = device_new (f, "Counter PC");
  guint roles, handler;
  gint64 start;

  yatai_sync_engine_start (a->engine);
  g_assert_true (run_until (is_writer, a, 20000));
  g_assert_true (run_until (outbox_empty, a, 20000));
  roles = a->roles_seen;
  handler = g_log_set_handler ("yatai-sync", G_LOG_LEVEL_DEBUG, debug_cb, NULL);
  n_uploads_hedged = n_own_upload_found = 0;

  post_fault (f, "{\"method\": \"POST\", \"path_contains\": \"/log/\", \"delay_ms\": 10000, \"times\": 1}");
  start = g_get_monotonic_time ();
  save (a, "止まった注文");
  g_assert_true (run_until (outbox_empty, a, 8000));
  g_test_message ("uploaded %" G_GINT64_FORMAT " ms after the commit, the first answer stalled for 10 s",
                  (g_get_monotonic_time () - start) / 1000);
  g_assert_cmpuint (n_uploads_hedged, >=, 1);
  g_assert_cmpuint (n_own_upload_found, ==, 1);
  g_assert_cmpuint (a->roles_seen, ==, roles);
  g_assert_true (is_writer (a));
  g_log_remove_handler ("yatai-sync", handler);
  device_free (a);
}

/* The server stores a log segment and drops the connection before answering (a stalled or lost
 * answer); the client's retry gets 412. The engine reads the object back, finds the very bytes it
 * sent, and goes on as the writer without catching up on its own history. */
static void
test_lost_upload_answer (Fixture       *f,
                         gconstpointer  data)
{
  Device *a = device_new (f, "Counter PC");
  guint roles, handler;

  yatai_sync_engine_start (a->engine);
  g_assert_true (run_until (is_writer, a, 20000));
  g_assert_true (run_until (outbox_empty, a, 20000));
  roles = a->roles_seen;
  handler = g_log_set_handler ("yatai-sync", G_LOG_LEVEL_DEBUG, debug_cb, NULL);
  n_own_upload_found = 0;

  post_fault (f, "{\"method\": \"POST\", \"path_contains\": \"/log/\", \"action\": \"apply-drop\", \"times\": 1}");
  save (a, "答えの消えた注文");
  g_assert_true (run_until (fault_used, f, 5000));
  g_assert_true (run_until (outbox_empty, a, 10000));
  g_assert_cmpuint (n_own_upload_found, ==, 1);
  save (a, "その次");
  g_assert_true (run_until (outbox_empty, a, 5000));
  g_assert_cmpuint (a->roles_seen, ==, roles);
  g_assert_true (is_writer (a));
  g_log_remove_handler ("yatai-sync", handler);
  device_free (a);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/sync-faults/stalled-request", Fixture, NULL, fixture_setup, test_stalled_request, fixture_teardown);
  g_test_add ("/sync-faults/quit-with-server-stalled", Fixture, NULL, fixture_setup, test_quit_with_server_stalled,
              fixture_teardown);
  g_test_add ("/sync-faults/stalled-upload-hedged", Fixture, NULL, fixture_setup, test_stalled_upload_hedged,
              fixture_teardown);
  g_test_add ("/sync-faults/lost-upload-answer", Fixture, NULL, fixture_setup, test_lost_upload_answer,
              fixture_teardown);
  g_test_add ("/sync-faults/lost-renewal-answer", Fixture, NULL, fixture_setup, test_lost_renewal_answer,
              fixture_teardown);
  return g_test_run ();
}
