/* bench-stall.c: the devices, orders, bucket server and venue network the stall benches share
 *
 * split-brain, hostile-runs and three-devices each run a stall of devices taking orders and then count
 * what a restore holds; bench-link and three-devices also sync through yatai-test-bucket and put a
 * network's delay on the venue link; bench-sync, bench-link and three-devices time each order from the
 * writer's commit to a follower's store. See bench-stall.h.
 */
#include "config.h"

#include <libsoup/soup.h>

#include "bench-stall.h"
#include "yatai-gcs-bucket.h"
#include "yatai-store-journal.h"
#include "yatai-store-orders.h"
#include "yatai-store-products.h"

/* Orders */

BenchOrders *
bench_orders_new (void)
{
  BenchOrders *orders = g_new0 (BenchOrders, 1);

  orders->confirmed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  return orders;
}

/* Every confirmed order in @store once: how many distinct orders it holds, how many confirmed ones
 * it lacks, how many it holds twice. */
void
bench_orders_count (BenchOrders *orders,
                    YataiStore  *store,
                    guint       *in_stall,
                    guint       *missing,
                    guint       *doubled)
{
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  sqlite3_stmt *stmt = NULL;
  GHashTableIter iter;
  gpointer key;

  *doubled = 0;
  sqlite3_prepare_v2 (yatai_store_get_db (store), "SELECT customer FROM orders", -1, &stmt, NULL);
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
  g_hash_table_iter_init (&iter, orders->confirmed);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (!g_hash_table_contains (seen, key))
      (*missing)++;
  *in_stall = g_hash_table_size (seen);
}

/* Devices */

static void
finished_cb (YataiSyncEngine *engine,
             const char      *id,
             const char      *refusal,
             BenchDevice     *device)
{
  const char *tag = g_hash_table_lookup (device->waiting, id);

  if (tag == NULL)
    return;
  if (refusal == NULL)
    {
      device->orders->answered++;
      g_hash_table_insert (device->orders->confirmed, g_strdup (tag), (gpointer) device->name);
    }
  else
    {
      device->orders->refused++;
      g_hash_table_remove (device->orders->confirmed, tag);
    }
  g_hash_table_remove (device->waiting, id);
}

/* A device with its store open (named @name) and no engine yet. */
BenchDevice *
bench_device_new (const char  *dir,
                  const char  *name,
                  BenchOrders *orders)
{
  BenchDevice *device = g_new0 (BenchDevice, 1);

  device->name = name;
  device->path = g_strdup_printf ("%s/%s.sqlite3", dir, name);
  device->orders = orders;
  device->waiting = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  bench_device_open (device);
  return device;
}

void
bench_device_open (BenchDevice *device)
{
  g_autoptr(GError) error = NULL;

  device->store = yatai_store_open (device->path, &error);
  if (device->store == NULL)
    g_error ("%s", error->message);
  yatai_store_set_device_name (device->store, device->name);
}

/* Takes @engine; its answers to this device's commands count the orders. */
void
bench_device_set_engine (BenchDevice     *device,
                         YataiSyncEngine *engine)
{
  g_clear_object (&device->engine);
  device->engine = engine;
  g_signal_connect (engine, "command-finished", G_CALLBACK (finished_cb), device);
}

/* An engine syncing through the test bucket server at @url (its bucket "stall"), at the app's pace
 * while visible, serving the link at @listen while it writes and following @writer's while it
 * follows (yatai_sync_engine_set_link). */
void
bench_device_connect (BenchDevice *device,
                      const char  *url,
                      const char  *prefix,
                      const char  *listen,
                      const char  *writer)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(YataiGcsBucket) bucket = yatai_gcs_bucket_connect ("stall", url, NULL, &error);
  YataiSyncEngine *engine;

  if (bucket == NULL)
    g_error ("%s", error->message);
  engine = yatai_sync_engine_new (device->store, YATAI_BUCKET (bucket), prefix);
  yatai_sync_engine_set_poll_interval (engine, 250);
  yatai_sync_engine_set_link (engine, listen, writer);
  bench_device_set_engine (device, engine);
}

/* Switched off: its commands still on their way are answered through the log once it is back. */
void
bench_device_close (BenchDevice *device)
{
  g_clear_object (&device->engine);
  g_clear_object (&device->store);
}

/* Confirms an order of one @product_id, its customer a tag unique in the run. TRUE when the device
 * took it: then either @answer is the writer's result (this device writes: its id, call number...) or
 * @sent_id the id of the command that went to the writer (the order counts as confirmed once it comes
 * back accepted). */
gboolean
bench_device_take_order (BenchDevice *device,
                         gint64       product_id,
                         char       **sent_id,
                         JsonObject **answer)
{
  g_autofree char *tag = g_strdup_printf ("%s-%u", device->name, ++device->orders->next);
  YataiCartLine line = { product_id, 1 };
  g_autoptr(JsonObject) args = yatai_order_confirm_args (&line, 1, tag, "", 1000, FALSE, 5);
  g_autoptr(YataiCommand) command = yatai_command_new ("order.confirm", args);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) result = NULL;
  gboolean sent = FALSE;

  if (sent_id != NULL)
    *sent_id = NULL;
  if (answer != NULL)
    *answer = NULL;
  if (device->engine == NULL || yatai_sync_engine_get_role (device->engine) == YATAI_SYNC_STARTING)
    return FALSE;
  result = yatai_sync_engine_execute (device->engine, command, &sent, &error);
  if (result == NULL)
    {
      device->orders->failed++;
      return FALSE;
    }
  device->taken++;
  if (sent)
    {
      if (device->orders->sent_confirms)
        g_hash_table_insert (device->orders->confirmed, g_strdup (tag), (gpointer) device->name);
      g_hash_table_insert (device->waiting, g_strdup (yatai_command_get_id (command)), g_steal_pointer (&tag));
      if (sent_id != NULL)
        *sent_id = g_strdup (yatai_command_get_id (command));
    }
  else
    {
      g_hash_table_insert (device->orders->confirmed, g_steal_pointer (&tag), (gpointer) device->name);
      if (answer != NULL)
        *answer = json_object_ref (json_node_get_object (result));
    }
  return TRUE;
}

/* Every command answered, nothing left to upload, every store the same. */
gboolean
bench_devices_quiet (BenchDevice **devices,
                     guint         n)
{
  g_autofree char *first = NULL;

  for (guint i = 0; i < n; i++)
    if (g_hash_table_size (devices[i]->waiting) > 0 || yatai_store_outbox_count (devices[i]->store) > 0)
      return FALSE;
  first = yatai_store_dump_canonical (devices[0]->store, NULL);
  for (guint i = 1; i < n; i++)
    {
      g_autofree char *other = yatai_store_dump_canonical (devices[i]->store, NULL);

      if (g_strcmp0 (first, other) != 0)
        return FALSE;
    }
  return TRUE;
}

gboolean
bench_devices_wait_quiet (BenchDevice **devices,
                          guint         n,
                          guint         seconds)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) seconds * G_USEC_PER_SEC;

  while (g_get_monotonic_time () < deadline)
    {
      bench_spin (50);
      if (bench_devices_quiet (devices, n))
        return TRUE;
    }
  return FALSE;
}

/* A product with stock enough for any run; its id. */
gint64
bench_add_product (YataiStore *store,
                   const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) args = yatai_product_save_args (0, name, 500, 1000000, FALSE, NULL, NULL, TRUE);
  g_autoptr(JsonNode) result = yatai_store_run (store, "product.save", args, &error);

  if (result == NULL)
    g_error ("%s", error->message);
  return json_object_get_int_member (json_node_get_object (result), "id");
}

/* Orders reaching a follower */

/* The orders the writer committed: order id → gint64* the commit (monotonic µs). */
GHashTable *
bench_commits_new (void)
{
  return g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
}

/* Order @id committed at @at, unless it was before. */
void
bench_commits_add (GHashTable *commits,
                   gint64      id,
                   gint64      at)
{
  if (!g_hash_table_contains (commits, &id))
    g_hash_table_insert (commits, g_memdup2 (&id, sizeof id), g_memdup2 (&at, sizeof at));
}

static void
writer_changed_cb (YataiStore   *store,
                   YataiChanges *changes,
                   GHashTable   *commits)
{
  gint64 now = g_get_monotonic_time ();

  for (guint i = 0; changes->order_ids != NULL && i < changes->order_ids->len; i++)
    bench_commits_add (commits, g_array_index (changes->order_ids, gint64, i), now);
}

/* Each order the writer's @store commits, when it does (its own and those its followers sent). */
void
bench_commits_watch (GHashTable *commits,
                     YataiStore *store)
{
  g_signal_connect (store, "changed", G_CALLBACK (writer_changed_cb), commits);
}

BenchArrivals *
bench_arrivals_new (GHashTable *commits)
{
  BenchArrivals *arrivals = g_new0 (BenchArrivals, 1);

  arrivals->commits = commits;
  arrivals->seen = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (arrivals->lags); i++)
    arrivals->lags[i] = g_array_new (FALSE, FALSE, sizeof (double));
  return arrivals;
}

/* Order @id in the follower's store at @at (monotonic µs): its first arrival counts, in the lags of
 * the run's phase then. */
void
bench_arrivals_note (BenchArrivals *arrivals,
                     gint64         id,
                     gint64         at)
{
  gint64 *committed = g_hash_table_lookup (arrivals->commits, &id);
  double ms;

  if (committed == NULL || g_hash_table_contains (arrivals->seen, &id))
    return;
  ms = (at - *committed) / 1000.0;
  g_array_append_val (arrivals->lags[arrivals->phase], ms);
  g_hash_table_add (arrivals->seen, g_memdup2 (&id, sizeof id));
}

static void
follower_changed_cb (YataiStore    *store,
                     YataiChanges  *changes,
                     BenchArrivals *arrivals)
{
  gint64 now = g_get_monotonic_time ();

  for (guint i = 0; changes->order_ids != NULL && i < changes->order_ids->len; i++)
    bench_arrivals_note (arrivals, g_array_index (changes->order_ids, gint64, i), now);
}

/* Each order that reaches the follower's @store, when it does (a follower in this process). */
void
bench_arrivals_watch (BenchArrivals *arrivals,
                      YataiStore    *store)
{
  g_signal_connect (store, "changed", G_CALLBACK (follower_changed_cb), arrivals);
}

/* Every order the writer committed has reached the follower. */
gboolean
bench_arrivals_all_in (gpointer arrivals)
{
  BenchArrivals *self = arrivals;

  return g_hash_table_size (self->seen) == g_hash_table_size (self->commits);
}

/* Time */

void
bench_spin (guint ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) ms * 1000;

  while (g_get_monotonic_time () < end)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (500);
    }
}

/* Runs the main loop until @done, or @seconds went by (FALSE). */
gboolean
bench_run_until (gboolean (*done) (gpointer data),
                 gpointer data,
                 guint    seconds)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) seconds * G_USEC_PER_SEC;

  while (!done (data))
    {
      if (g_get_monotonic_time () > deadline)
        return FALSE;
      g_main_context_iteration (NULL, FALSE);
      g_usleep (200);
    }
  return TRUE;
}

static int
compare_double (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

/* The value below which @share of @ms lie (sorts @ms); 0 when there is none. */
double
bench_percentile (GArray *ms,
                  double  share)
{
  if (ms->len == 0)
    return 0;
  g_array_sort (ms, compare_double);
  return g_array_index (ms, double, MIN ((guint) (ms->len * share), ms->len - 1));
}

/* The test bucket server */

GSubprocess *
bench_server_start (const char  *bench_path,
                    const char **args,
                    char       **url)
{
  g_autofree char *here = g_path_get_dirname (bench_path);
  g_autofree char *server_path = g_build_filename (here, "..", "tests", "server", "yatai-test-bucket", NULL);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autofree char *line = NULL;
  GSubprocess *server;

  g_ptr_array_add (argv, server_path);
  g_ptr_array_add (argv, (char *) "--port");
  g_ptr_array_add (argv, (char *) "0");
  for (guint i = 0; args != NULL && args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);
  server = g_subprocess_newv ((const char *const *) argv->pdata, G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
  if (server == NULL)
    g_error ("%s", error->message);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (server));
  line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, NULL);
  if (line == NULL || !g_str_has_prefix (line, "listening on "))
    g_error ("yatai-test-bucket did not start");
  *url = g_strdup (line + strlen ("listening on "));
  return server;
}

/* A request to the server's own endpoints (/_test/faults): sent and answered before it returns. */
void
bench_server_request (const char *url,
                      const char *method,
                      const char *path,
                      const char *json)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *uri = g_strconcat (url, path, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new (method, uri);
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(GError) error = NULL;

  if (json != NULL)
    {
      g_autoptr(GBytes) body = g_bytes_new (json, strlen (json));

      soup_message_set_request_body_from_bytes (msg, "application/json", body);
    }
  answer = soup_session_send_and_read (session, msg, NULL, &error);
  if (answer == NULL || !SOUP_STATUS_IS_SUCCESSFUL (soup_message_get_status (msg)))
    g_error ("%s %s: %s", method, path, error ? error->message : soup_message_get_reason_phrase (msg));
}

/* GET /_test/stats, with the objects created under @prefix when it is not NULL. */
JsonObject *
bench_server_stats (const char *url,
                    const char *prefix)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *escaped = prefix ? g_uri_escape_string (prefix, NULL, FALSE) : NULL;
  g_autofree char *uri = g_strconcat (url, "/_test/stats", escaped ? "?prefix=" : NULL, escaped, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", uri);
  g_autoptr(GBytes) body = soup_session_send_and_read (session, msg, NULL, NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();

  if (body == NULL ||
      !json_parser_load_from_data (parser, g_bytes_get_data (body, NULL), g_bytes_get_size (body), NULL))
    g_error ("The test bucket's statistics could not be read");
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}
