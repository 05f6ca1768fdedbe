/* test-refusal.c: a refused command reads in the language of the device that sent it
 *
 * The writer is yatai-ctl in English, in a process of its own; the follower is this process, in
 * Japanese, following it over the venue link or through the bucket (yatai-test-bucket); a yatai-ctl
 * follower in Japanese too. A sold-out order is refused by the writer in its words and said in the
 * follower's. The refusal as it is recorded: a name and values, said from the one table of messages;
 * a name this version does not know, or a record from before names were kept, says the writer's text.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <sys/prctl.h>

#include "test-language.h"
#include "test-server.h"
#include "yatai-gcs-bucket.h"
#include "yatai-refusal.h"
#include "yatai-store-products.h"
#include "yatai-sync-engine.h"

#define PREFIX   "yatai/refusal"
#define WAIT_MS  30000

#define SOLD_OUT_EN "“焼きそば” is sold out. Remove it from the order."
#define SOLD_OUT_JA "「焼きそば」は売り切れです。注文から外してください。"

static char *dir;
static char *url;
static GSubprocess *server;
static GSubprocess *writer;
static GOutputStream *writer_input;
static char *writer_output;
static char *link_address;

typedef gboolean (*Condition) (gpointer data);

static void
run_until (Condition condition,
           gpointer  data)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) WAIT_MS * 1000;

  while (!condition (data))
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("Timed out waiting");
      g_main_context_iteration (NULL, FALSE);
      g_usleep (2000);
    }
}

/* The table */

static void
test_render (void)
{
  g_autoptr(JsonObject) values = json_object_new ();
  g_autofree char *english = NULL;
  g_autofree char *japanese = NULL;
  g_autofree char *stock_ja = NULL;
  g_autofree char *move_en = NULL;

  json_object_set_string_member (values, "name", "焼きそば");
  json_object_set_int_member (values, "left", 1200);
  json_object_set_string_member (values, "from", "cancelled");
  json_object_set_string_member (values, "to", "processing");

  test_language_use ("en");
  english = yatai_refusal_render ("sold-out", values);
  move_en = yatai_refusal_render ("status-move", values);
  test_language_use ("ja");
  japanese = yatai_refusal_render ("sold-out", values);
  /* The translation puts the values in another order (%2$s, %1$s). */
  stock_ja = yatai_refusal_render ("not-enough-stock", values);
  test_language_use ("en");

  g_assert_cmpstr (english, ==, SOLD_OUT_EN);
  g_assert_cmpstr (japanese, ==, SOLD_OUT_JA);
  g_assert_cmpstr (stock_ja, ==, "「焼きそば」の残りは 1,200 個です。数量を減らしてください。");
  g_assert_cmpstr (move_en, ==, "An order cannot go from “Cancelled” to “Cooking”.");

  /* Values that do not fit, or a name this version does not know: nothing of its own to say. */
  json_object_set_int_member (values, "name", 3);
  g_assert_null (yatai_refusal_render ("sold-out", values));
  g_assert_null (yatai_refusal_render ("sold-out", NULL));
  g_assert_null (yatai_refusal_render ("from-a-newer-yatai", values));
  g_assert_null (yatai_refusal_render (NULL, values));
}

/* The store refuses here with the sentence the table says for here: one table, not two copies. */
static void
test_store_says_the_table (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (dir, "local.sqlite3", NULL);
  g_autoptr(YataiStore) store = NULL;
  g_autoptr(JsonObject) save = yatai_product_save_args (0, "焼きそば", 500, 5, TRUE, NULL, NULL, FALSE);
  g_autoptr(JsonNode) saved = NULL;
  g_autoptr(JsonNode) confirmed = NULL;
  g_autoptr(JsonNode) confirm = json_from_string ("{\"lines\": [{\"product_id\": 1, \"quantity\": 1}], \"paid\": 500}", NULL);
  g_autofree char *said = NULL;

  store = yatai_store_open (path, &error);
  g_assert_no_error (error);
  saved = yatai_store_run (store, "product.save", save, &error);
  g_assert_no_error (error);

  test_language_use ("ja");
  confirmed = yatai_store_run (store, "order.confirm", json_node_get_object (confirm), &error);
  said = yatai_refusal_render (yatai_refusal_get_reason (error), yatai_refusal_get_values (error));
  test_language_use ("en");
  g_assert_null (confirmed);
  g_assert_error (error, YATAI_STORE_ERROR, YATAI_STORE_ERROR_OUT_OF_STOCK);
  g_assert_cmpstr (error->message, ==, SOLD_OUT_JA);
  g_assert_cmpstr (yatai_refusal_get_reason (error), ==, "sold-out");
  g_assert_cmpstr (said, ==, error->message);
  g_clear_object (&store);
  g_unlink (path);
}

/* What a follower reads in applied_commands, as this version and older ones wrote it. */
static void
test_recorded_forms (void)
{
  static const struct
  {
    const char *refused;
    const char *said;
  } cases[] = {
    /* This version's record: said here. */
    { "{\"code\": 3, \"message\": \"" SOLD_OUT_EN "\", \"reason\": \"sold-out\", \"values\": {\"name\": \"焼きそば\"}}", SOLD_OUT_JA },
    /* A record from before names were kept: the writer's text. */
    { "{\"code\": 3, \"message\": \"" SOLD_OUT_EN "\"}", SOLD_OUT_EN },
    /* A newer writer's refusal this version does not know: the writer's text. */
    { "{\"code\": 5, \"message\": \"The stall is closed for the day.\", \"reason\": \"stall-closed\", \"values\": {}}",
      "The stall is closed for the day." },
    /* A known name with values of the wrong form (another device wrote it): the writer's text. */
    { "{\"code\": 3, \"message\": \"" SOLD_OUT_EN "\", \"reason\": \"sold-out\", \"values\": {\"name\": 7}}", SOLD_OUT_EN },
    { "{\"code\": 3, \"message\": \"" SOLD_OUT_EN "\", \"reason\": 12, \"values\": []}", SOLD_OUT_EN },
  };
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (dir, "records.sqlite3", NULL);
  g_autoptr(YataiStore) store = yatai_store_open (path, &error);

  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *id = g_strdup_printf ("command-%u", i);
      g_autofree char *result = g_strdup_printf ("{\"refused\": %s}", cases[i].refused);
      g_autoptr(GError) refusal = NULL;
      g_autoptr(JsonNode) applied = NULL;
      sqlite3_stmt *stmt;

      g_assert_cmpint (sqlite3_prepare_v2 (yatai_store_get_db (store),
                                           "INSERT INTO applied_commands (id, device, kind, applied, result) "
                                           "VALUES (?, 'writer', 'order.confirm', 0, ?)", -1, &stmt, NULL), ==, SQLITE_OK);
      sqlite3_bind_text (stmt, 1, id, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 2, result, -1, SQLITE_STATIC);
      g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
      sqlite3_finalize (stmt);

      test_language_use ("ja");
      g_assert_true (yatai_store_lookup_command (store, id, &applied, &refusal));
      test_language_use ("en");
      g_assert_null (applied);
      g_assert_nonnull (refusal);
      g_assert_cmpstr (refusal->message, ==, cases[i].said);
    }
  g_clear_object (&store);
  g_unlink (path);
}

/* The stall: yatai-ctl as the writer, in English */

static void
child_setup (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static GSubprocessLauncher *
ctl_launcher (const char *language,
              const char *output)
{
  GSubprocessLauncher *launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE);

  g_subprocess_launcher_setenv (launcher, "LANGUAGE", language, TRUE);
  g_subprocess_launcher_set_stdout_file_path (launcher, output);
  g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL, NULL);
  return launcher;
}

static char *
read_output (const char *path)
{
  char *text = NULL;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return g_strdup ("");
  return text;
}

static gboolean
output_holds (gpointer data)
{
  const char * const *what = data;
  g_autofree char *text = read_output (what[0]);

  return strstr (text, what[1]) != NULL;
}

static void
wait_for_output (const char *path,
                 const char *text)
{
  const char *what[] = { path, text };

  run_until (output_holds, what);
}

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

static void
write_line (GOutputStream *input,
            const char    *line)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (g_output_stream_write_all (input, line, strlen (line), NULL, NULL, &error));
  g_assert_true (g_output_stream_write_all (input, "\n", 1, NULL, NULL, &error));
  g_assert_no_error (error);
}

/* The counter writes, in English, and sells 焼きそば, marked sold out. */
static void
stall_start (void)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *store = NULL;
  g_autofree char *listen = NULL;

  if (writer != NULL)
    return;
  server = test_server_start (NULL, &url);
  store = g_build_filename (dir, "counter.sqlite3", NULL);
  writer_output = g_build_filename (dir, "counter.out", NULL);
  link_address = g_strdup_printf ("127.0.0.1:%u", free_port ());
  launcher = ctl_launcher ("en", writer_output);
  writer = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("YATAI_CTL"), "--store", store, "--bucket", "stall",
                                        "--endpoint", url, "--prefix", PREFIX, "--device-name", "Counter PC",
                                        "--link-listen", link_address, "run", NULL);
  g_assert_no_error (error);
  writer_input = g_object_ref (g_subprocess_get_stdin_pipe (writer));
  wait_for_output (writer_output, "writer\n");
  write_line (writer_input, "{\"kind\": \"product.save\", \"args\": {\"name\": \"焼きそば\", \"price\": 500, \"stock\": 5, "
                            "\"sold_out\": true, \"tags\": []}}");
  wait_for_output (writer_output, "\"result\"");
}

static void
stall_stop (void)
{
  g_autoptr(GError) error = NULL;

  if (writer != NULL)
    {
      /* The end of its input: the writer uploads what is left, releases the lease and ends. */
      g_output_stream_close (writer_input, NULL, NULL);
      g_clear_object (&writer_input);
      if (!g_subprocess_wait_check (writer, NULL, &error))
        g_printerr ("the writer did not stop cleanly: %s\n", error->message);
      g_clear_object (&writer);
    }
  if (server != NULL)
    {
      g_subprocess_force_exit (server);
      g_subprocess_wait (server, NULL, NULL);
      g_clear_object (&server);
    }
}

/* The follower: this process, in Japanese */

typedef struct
{
  YataiStore      *store;
  YataiSyncEngine *engine;
  char            *path;
  char            *refusal;
  gboolean         finished;
} Follower;

static void
finished_cb (YataiSyncEngine *engine,
             const char      *id,
             const char      *refusal,
             Follower        *follower)
{
  follower->finished = TRUE;
  follower->refusal = g_strdup (refusal);
}

static gboolean
has_the_menu (gpointer data)
{
  Follower *follower = data;

  return yatai_sync_engine_get_role (follower->engine) == YATAI_SYNC_FOLLOWER &&
         yatai_store_product_name_taken (follower->store, "焼きそば", 0);
}

static gboolean
hears_the_writer_on_the_link (gpointer data)
{
  return g_strcmp0 (yatai_sync_engine_get_link_writer (((Follower *) data)->engine), "Counter PC") == 0;
}

static gboolean
has_finished (gpointer data)
{
  return ((Follower *) data)->finished;
}

/* A follower in Japanese, of the writer over the link or through the bucket alone. */
static void
follower_start (Follower   *follower,
                const char *name,
                gboolean    over_link)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(YataiGcsBucket) bucket = NULL;

  stall_start ();
  follower->path = g_build_filename (dir, name, NULL);
  follower->store = yatai_store_open (follower->path, &error);
  g_assert_no_error (error);
  yatai_store_set_device_name (follower->store, "Kitchen");
  bucket = yatai_gcs_bucket_connect ("stall", url, NULL, &error);
  g_assert_no_error (error);
  follower->engine = yatai_sync_engine_new (follower->store, YATAI_BUCKET (bucket), PREFIX);
  yatai_sync_engine_set_follow_only (follower->engine, TRUE);
  yatai_sync_engine_set_link (follower->engine, NULL, over_link ? link_address : NULL);
  /* Through the bucket: never on the writer's link, whatever the lease says of it. */
  yatai_sync_engine_set_link_follow (follower->engine, over_link);
  g_signal_connect (follower->engine, "command-finished", G_CALLBACK (finished_cb), follower);

  test_language_use ("ja");
  yatai_sync_engine_start (follower->engine);
  run_until (has_the_menu, follower);
  if (over_link)
    run_until (hears_the_writer_on_the_link, follower);
}

static void
follower_stop (Follower *follower)
{
  test_language_use ("en");
  g_clear_object (&follower->engine);
  g_clear_object (&follower->store);
  g_clear_pointer (&follower->refusal, g_free);
  g_unlink (follower->path);
  g_clear_pointer (&follower->path, g_free);
}

/* Sends @kind with @args_json and waits for the writer's answer. Returns the command's id. */
static char *
follower_send (Follower   *follower,
               const char *kind,
               const char *args_json)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) args = json_from_string (args_json, NULL);
  g_autoptr(YataiCommand) command = yatai_command_new (kind, json_node_get_object (args));
  g_autoptr(JsonNode) queued = NULL;
  gboolean sent = FALSE;

  follower->finished = FALSE;
  g_clear_pointer (&follower->refusal, g_free);
  queued = yatai_sync_engine_execute (follower->engine, command, &sent, &error);
  g_assert_no_error (error);
  g_assert_true (sent);
  run_until (has_finished, follower);
  return g_strdup (yatai_command_get_id (command));
}

static void
follow_and_order (gboolean over_link)
{
  Follower follower = { NULL, };

  follower_start (&follower, over_link ? "kitchen-link.sqlite3" : "kitchen-bucket.sqlite3", over_link);
  g_free (follower_send (&follower, "order.confirm", "{\"lines\": [{\"product_id\": 1, \"quantity\": 1}], \"paid\": 500}"));
  if (!over_link)
    g_assert_null (yatai_sync_engine_get_link_writer (follower.engine));

  /* The writer refused in its language; the kitchen says it in its own. */
  g_assert_cmpstr (follower.refusal, ==, SOLD_OUT_JA);
  {
    g_autofree char *text = read_output (writer_output);

    g_assert_nonnull (strstr (text, "\"result\""));
  }
  follower_stop (&follower);
}

/* A newer Yatai's operation, which this writer does not know */

#define OLDER_WRITER_JA "「Counter PC」の Yatai はこの端末のものより古く、まだこの操作ができません。その端末の " \
                        "Yatai を更新してから、もう一度試してください。"

static gboolean
refusal_recorded (gpointer data)
{
  const gpointer *what = data;
  g_autoptr(GError) refusal = NULL;

  return yatai_store_lookup_command (what[0], what[1], NULL, &refusal) && refusal != NULL;
}

/* A follower running a newer Yatai sends an operation the writer's does not know (a kind no version
 * has, here): the writer records a refusal, the follower says it in Japanese naming the writer, and
 * the same device's next command is applied. */
static void
newer_operation (gboolean over_link)
{
  Follower follower = { NULL, };
  g_autofree char *id = NULL;
  g_autofree char *dish = g_strdup_printf ("厨房の新作 %s", over_link ? "link" : "bucket");
  g_autofree char *save = NULL;
  g_autoptr(GError) refusal = NULL;
  gpointer what[2];

  follower_start (&follower, over_link ? "newer-link.sqlite3" : "newer-bucket.sqlite3", over_link);
  id = follower_send (&follower, "order.split", "{\"order_id\": 1, \"parts\": 2}");
  g_assert_cmpstr (follower.refusal, ==, OLDER_WRITER_JA);

  /* Recorded in the stall's history, so it is answered once and the same words come from the record. */
  what[0] = follower.store;
  what[1] = id;
  run_until (refusal_recorded, what);
  g_assert_true (yatai_store_lookup_command (follower.store, id, NULL, &refusal));
  g_assert_cmpstr (refusal->message, ==, OLDER_WRITER_JA);

  /* The device's next command goes on. */
  save = g_strdup_printf ("{\"name\": \"%s\", \"price\": 300, \"stock\": 5, \"sold_out\": false, \"tags\": []}", dish);
  g_free (follower_send (&follower, "product.save", save));
  g_assert_null (follower.refusal);
  g_assert_true (yatai_store_product_name_taken (follower.store, dish, 0));
  follower_stop (&follower);
}

static void
test_newer_operation_over_link (void)
{
  newer_operation (TRUE);
}

static void
test_newer_operation_through_bucket (void)
{
  newer_operation (FALSE);
}

static void
test_over_link (void)
{
  follow_and_order (TRUE);
}

static void
test_through_bucket (void)
{
  follow_and_order (FALSE);
}

/* yatai-ctl run on a follower in Japanese prints the refusal in Japanese, and its name. */
static void
test_ctl_follower (void)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) follower = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *store = NULL;
  g_autofree char *output = NULL;
  g_autofree char *text = NULL;
  g_autofree char *expected = NULL;
  GOutputStream *input;

  stall_start ();
  store = g_build_filename (dir, "tablet.sqlite3", NULL);
  output = g_build_filename (dir, "tablet.out", NULL);
  launcher = ctl_launcher ("ja", output);
  follower = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("YATAI_CTL"), "--store", store, "--bucket", "stall",
                                          "--endpoint", url, "--prefix", PREFIX, "--device-name", "Tablet",
                                          "--link", link_address, "run", NULL);
  g_assert_no_error (error);
  input = g_subprocess_get_stdin_pipe (follower);
  write_line (input, "{\"kind\": \"order.confirm\", \"args\": {\"lines\": [{\"product_id\": 1, \"quantity\": 1}], \"paid\": 500}}");
  g_output_stream_close (input, NULL, NULL);
  g_assert_true (g_subprocess_wait_check (follower, NULL, &error));
  g_assert_no_error (error);

  text = read_output (output);
  g_test_message ("yatai-ctl run on the follower: %s", text);
  expected = g_strdup_printf ("\"refused\": true, \"reason\": \"sold-out\", \"message\": \"%s\"}", SOLD_OUT_JA);
  if (strstr (text, expected) == NULL)
    g_error ("yatai-ctl run said: %s", text);
  g_unlink (store);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  test_language_init ();

  g_test_init (&argc, &argv, NULL);
  /* The main thread owns the main context all along, as the application's main loop does: else, between
   * two iterations of a wait, glib-networking's handshake thread may acquire it and run the devices'
   * callbacks there (see test-sync-linkonly.c). */
  g_main_context_acquire (NULL);
  dir = g_dir_make_tmp ("yatai-refusal-XXXXXX", NULL);
  g_test_add_func ("/refusal/render", test_render);
  g_test_add_func ("/refusal/store-says-the-table", test_store_says_the_table);
  g_test_add_func ("/refusal/recorded-forms", test_recorded_forms);
  g_test_add_func ("/refusal/over-link", test_over_link);
  g_test_add_func ("/refusal/through-bucket", test_through_bucket);
  g_test_add_func ("/refusal/ctl-follower", test_ctl_follower);
  g_test_add_func ("/refusal/newer-operation-over-link", test_newer_operation_over_link);
  g_test_add_func ("/refusal/newer-operation-through-bucket", test_newer_operation_through_bucket);
  status = g_test_run ();
  stall_stop ();
  {
    g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
    const char *name;

    while (d != NULL && (name = g_dir_read_name (d)) != NULL)
      {
        g_autofree char *path = g_build_filename (dir, name, NULL);

        g_unlink (path);
      }
    g_rmdir (dir);
  }
  g_free (dir);
  g_free (url);
  g_free (writer_output);
  g_free (link_address);
  return status;
}
