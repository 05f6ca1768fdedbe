/* test-retry-conformance.c: Yatai's GCS client held to Google's own retry table
 *
 * ../shared/gcs/retry_tests.json (googleapis/conformance-tests, read as it is at test time) lists, for
 * each scenario, fault instructions, the methods they apply to, whether the request carries a
 * precondition, and whether a conforming client ends in success. For every case of every scenario
 * that names a method Yatai's client uses (objects.get, objects.list, objects.insert and
 * objects.delete, each with the precondition the scenario says), this test registers the instructions
 * with yatai-test-bucket's retry_test resource, sends the request with x-retry-test-id, and checks
 * the outcome: success where the table expects it (with every instruction used up), failure where it
 * does not.
 */
#include "config.h"

#include <json-glib/json-glib.h>

#include "test-server.h"
#include "yatai-gcs-client.h"

typedef struct
{
  GSubprocess *server;
  char        *url;
  SoupSession *session;
  guint        n_cases;
  guint        n_succeeded;
} Fixture;

static JsonNode *
server_json (Fixture    *f,
             const char *method,
             const char *path,
             const char *body)
{
  g_autofree char *url = g_strconcat (f->url, path, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new (method, url);
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();

  if (body != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));

      soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
    }
  answer = soup_session_send_and_read (f->session, msg, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
  g_assert_true (json_parser_load_from_data (parser, g_bytes_get_data (answer, NULL), g_bytes_get_size (answer), NULL));
  return json_node_copy (json_parser_get_root (parser));
}

typedef struct
{
  GAsyncResult *result;
} Wait;

static void
done_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      data)
{
  ((Wait *) data)->result = g_object_ref (result);
}

static GAsyncResult *
wait_for (Wait *w)
{
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

  while (w->result == NULL)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
  return w->result;
}

/* An object to read, list or delete, made without any instruction. */
static gint64
make_object (YataiGcsClient *client,
             const char     *name)
{
  g_autoptr(GBytes) data = g_bytes_new_static ("conformance", 11);
  g_autoptr(GError) error = NULL;
  g_autoptr(YataiGcsObject) object = NULL;
  Wait w = { 0 };

  yatai_gcs_client_create_async (client, "stall", name, data, NULL, NULL, NULL, done_cb, &w);
  object = yatai_gcs_client_create_finish (client, wait_for (&w), &error);
  g_object_unref (w.result);
  g_assert_no_error (error);
  return object->generation;
}

/* The method as Yatai's client sends it; TRUE when it succeeded. */
static gboolean
run_method (YataiGcsClient *client,
            const char     *method,
            gboolean        precondition,
            const char     *name,
            gint64          generation,
            GError        **error)
{
  YataiGcsConditions conditions = YATAI_GCS_CONDITIONS_NONE;
  Wait w = { 0 };
  gboolean ok;

  if (g_str_equal (method, "storage.objects.get"))
    {
      g_autoptr(GBytes) bytes = NULL;

      yatai_gcs_client_read_async (client, "stall", name, NULL, NULL, done_cb, &w);
      bytes = yatai_gcs_client_read_finish (client, wait_for (&w), NULL, error);
      ok = bytes != NULL;
    }
  else if (g_str_equal (method, "storage.objects.list"))
    {
      g_autoptr(GPtrArray) listed = NULL;

      yatai_gcs_client_list_async (client, "stall", "conformance/", 0, NULL, done_cb, &w);
      listed = yatai_gcs_client_list_finish (client, wait_for (&w), error);
      ok = listed != NULL;
    }
  else if (g_str_equal (method, "storage.objects.insert"))
    {
      g_autoptr(GBytes) data = g_bytes_new_static ("inserted", 8);
      g_autoptr(YataiGcsObject) object = NULL;
      g_autofree char *fresh = g_strconcat (name, "-new", NULL);

      if (precondition)
        conditions.if_generation_match = 0;    /* create-only, as the engine writes the log */
      yatai_gcs_client_create_async (client, "stall", fresh, data, NULL, &conditions, NULL, done_cb, &w);
      object = yatai_gcs_client_create_finish (client, wait_for (&w), error);
      ok = object != NULL;
    }
  else if (g_str_equal (method, "storage.objects.delete"))
    {
      if (precondition)
        conditions.if_generation_match = generation;
      yatai_gcs_client_delete_async (client, "stall", name, &conditions, NULL, done_cb, &w);
      ok = yatai_gcs_client_delete_finish (client, wait_for (&w), error);
    }
  else
    g_assert_not_reached ();
  g_object_unref (w.result);
  return ok;
}

static void
run_case (Fixture    *f,
          JsonObject *scenario,
          const char *method,
          JsonArray  *instructions)
{
  gboolean precondition = json_object_get_boolean_member (scenario, "preconditionProvided");
  gboolean expect_success = json_object_get_boolean_member (scenario, "expectSuccess");
  g_autoptr(YataiGcsClient) client = yatai_gcs_client_new (f->url, NULL);
  g_autofree char *name = g_strdup_printf ("conformance/%u", f->n_cases);
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) request = NULL;
  g_autoptr(JsonNode) test = NULL;
  g_autoptr(JsonNode) after = NULL;
  g_autofree char *body = NULL;
  g_autofree char *id = NULL;
  g_autofree char *path = NULL;
  g_autofree char *what = NULL;
  g_autoptr(GError) error = NULL;
  GString *list = g_string_new (NULL);
  gint64 generation;
  gboolean ok;

  /* Google's table allows the backoff of its own clients; these tries wait milliseconds. */
  yatai_gcs_client_set_retry (client, 10, 20000);
  generation = make_object (client, name);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "instructions");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, method);
  json_builder_begin_array (b);
  for (guint i = 0; i < json_array_get_length (instructions); i++)
    {
      json_builder_add_string_value (b, json_array_get_string_element (instructions, i));
      g_string_append_printf (list, "%s%s", i > 0 ? "," : "", json_array_get_string_element (instructions, i));
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  json_builder_end_object (b);
  request = json_builder_get_root (b);
  body = json_to_string (request, FALSE);
  test = server_json (f, "POST", "/retry_test", body);
  id = g_strdup (json_object_get_string_member (json_node_get_object (test), "id"));

  yatai_gcs_client_set_header (client, "x-retry-test-id", id);
  ok = run_method (client, method, precondition, name, generation, &error);
  yatai_gcs_client_set_header (client, "x-retry-test-id", NULL);

  what = g_strdup_printf ("scenario %" G_GINT64_FORMAT " (%s), %s%s, [%s]",
                          json_object_get_int_member (scenario, "id"),
                          json_object_get_string_member (scenario, "description"), method,
                          precondition ? " with a precondition" : "", list->str);
  g_string_free (list, TRUE);
  g_test_message ("%s: %s%s%s", what, ok ? "succeeded" : "failed", ok ? "" : ": ", ok ? "" : error->message);
  if (expect_success && !ok)
    g_error ("%s: expected success, failed: %s", what, error->message);
  if (!expect_success && ok)
    g_error ("%s: expected failure, succeeded after %u retries", what, yatai_gcs_client_get_n_retries (client));
  if (expect_success)
    {
      /* Success came after every fault, not around them. */
      path = g_strconcat ("/retry_test/", id, NULL);
      after = server_json (f, "GET", path, NULL);
      g_assert_true (json_object_get_boolean_member (json_node_get_object (after), "completed"));
      g_assert_cmpuint (yatai_gcs_client_get_n_retries (client), ==, json_array_get_length (instructions));
      f->n_succeeded++;
    }
  else
    g_assert_cmpuint (yatai_gcs_client_get_n_retries (client), ==, 0);
  f->n_cases++;
}

static void
test_retry_table (void)
{
  const char *yatai_methods[] = { "storage.objects.get", "storage.objects.list", "storage.objects.insert",
                                  "storage.objects.delete", NULL };
  const char *table = g_getenv ("YATAI_RETRY_TESTS");
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  Fixture f = { 0 };
  JsonArray *scenarios;

  g_assert_nonnull (table);
  json_parser_load_from_file (parser, table, &error);
  g_assert_no_error (error);
  scenarios = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)), "retryTests");
  g_assert_cmpuint (json_array_get_length (scenarios), >, 0);

  f.server = test_server_start (NULL, &f.url);
  f.session = soup_session_new ();
  for (guint s = 0; s < json_array_get_length (scenarios); s++)
    {
      JsonObject *scenario = json_array_get_object_element (scenarios, s);
      JsonArray *cases = json_object_get_array_member (scenario, "cases");
      JsonArray *methods = json_object_get_array_member (scenario, "methods");

      for (guint m = 0; m < json_array_get_length (methods); m++)
        {
          const char *method = json_object_get_string_member (json_array_get_object_element (methods, m), "name");

          if (!g_strv_contains (yatai_methods, method))
            continue;
          for (guint c = 0; c < json_array_get_length (cases); c++)
            {
              JsonArray *instructions = json_object_get_array_member (json_array_get_object_element (cases, c),
                                                                      "instructions");

              /* A case with no instruction (the "non_idempotent" scenario) has nothing to inject. */
              if (json_array_get_length (instructions) > 0)
                run_case (&f, scenario, method, instructions);
            }
        }
    }
  g_test_message ("%u cases of Google's table, %u expected to succeed", f.n_cases, f.n_succeeded);
  /* Today's table: get and list in scenario 1 (3 cases each), insert and delete in 2 and 3, all four in 6. */
  g_assert_cmpuint (f.n_cases, >=, 26);
  g_object_unref (f.session);
  g_subprocess_force_exit (f.server);
  g_subprocess_wait (f.server, NULL, NULL);
  g_object_unref (f.server);
  g_free (f.url);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/gcs/retry-conformance", test_retry_table);
  return g_test_run ();
}
