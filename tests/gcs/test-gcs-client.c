/* test-gcs-client.c: the GCS client against yatai-test-bucket (no display, loopback only) */
#include "config.h"

#include <glib/gstdio.h>
#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <json-glib/json-glib.h>

#include "test-server.h"
#include "yatai-crc32c.h"
#include "yatai-gcs-bucket.h"
#include "yatai-gcs-client.h"
#include "yatai-sync-engine.h"

typedef struct
{
  GSubprocess *server;
  char        *url;
  char        *dir;
} Server;

static void
server_start (Server             *s,
              const char * const *extra)
{
  s->server = test_server_start (extra, &s->url);
}

static void
server_stop (Server *s)
{
  g_subprocess_force_exit (s->server);
  g_subprocess_wait (s->server, NULL, NULL);
  g_clear_object (&s->server);
  g_free (s->url);
  if (s->dir != NULL)
    {
      g_autoptr(GDir) d = g_dir_open (s->dir, 0, NULL);
      const char *name;

      while (d != NULL && (name = g_dir_read_name (d)) != NULL)
        {
          g_autofree char *p = g_build_filename (s->dir, name, NULL);

          g_unlink (p);
        }
      g_rmdir (s->dir);
      g_free (s->dir);
    }
}

/* A request to the server's own test endpoints, synchronously (the client under test is not used). */
static void
server_post (Server     *s,
             const char *path,
             const char *method,
             const char *json)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *url = g_strconcat (s->url, path, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new (method, url);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;

  if (json != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (json, strlen (json));

      soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
    }
  body = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (msg), <, 300);
}

static gint64
server_count (Server     *s,
              const char *method)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *url = g_strconcat (s->url, "/_test/stats", NULL);
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
  g_autoptr(GBytes) body = soup_session_send_and_read (session, msg, NULL, NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *requests;

  g_assert_true (json_parser_load_from_data (parser, g_bytes_get_data (body, NULL), g_bytes_get_size (body), NULL));
  requests = json_object_get_object_member (json_node_get_object (json_parser_get_root (parser)), "requests");
  return json_object_get_int_member_with_default (requests, method, 0);
}

/* Running an async call to its end on the default context. */

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
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  while (w->result == NULL)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
  return w->result;
}

static YataiGcsObject *
create (YataiGcsClient *client,
        const char     *name,
        const char     *text,
        gint64          if_generation_match,
        GHashTable     *metadata,
        GError        **error)
{
  Wait w = { 0 };
  YataiGcsConditions c = YATAI_GCS_CONDITIONS_NONE;
  g_autoptr(GBytes) data = g_bytes_new (text, strlen (text));
  YataiGcsObject *object;

  c.if_generation_match = if_generation_match;
  yatai_gcs_client_create_async (client, "stall", name, data, metadata, &c, NULL, done_cb, &w);
  object = yatai_gcs_client_create_finish (client, wait_for (&w), error);
  g_object_unref (w.result);
  return object;
}

static GBytes *
read_object (YataiGcsClient *client,
             const char     *name,
             gint64          if_generation_not_match,
             gint64         *generation,
             GError        **error)
{
  Wait w = { 0 };
  YataiGcsConditions c = YATAI_GCS_CONDITIONS_NONE;
  GBytes *bytes;

  c.if_generation_not_match = if_generation_not_match;
  yatai_gcs_client_read_async (client, "stall", name, &c, NULL, done_cb, &w);
  bytes = yatai_gcs_client_read_finish (client, wait_for (&w), generation, error);
  g_object_unref (w.result);
  return bytes;
}

static gboolean
delete_object (YataiGcsClient *client,
               const char     *name,
               gint64          if_generation_match,
               GError        **error)
{
  Wait w = { 0 };
  YataiGcsConditions c = YATAI_GCS_CONDITIONS_NONE;
  gboolean ok;

  c.if_generation_match = if_generation_match;
  yatai_gcs_client_delete_async (client, "stall", name, &c, NULL, done_cb, &w);
  ok = yatai_gcs_client_delete_finish (client, wait_for (&w), error);
  g_object_unref (w.result);
  return ok;
}

static YataiGcsClient *
quick_client (Server *s)
{
  YataiGcsClient *client = yatai_gcs_client_new (s->url, NULL);

  yatai_gcs_client_set_retry (client, 20, 5000);
  return client;
}

/* Every request and precondition answers as GCS-FACTS.md says. */
static void
test_requests (void)
{
  Server s = { 0 };
  g_autoptr(YataiGcsClient) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(YataiGcsObject) first = NULL;
  g_autoptr(YataiGcsObject) second = NULL;
  g_autoptr(GBytes) bytes = NULL;
  gint64 generation = 0;

  server_start (&s, NULL);
  client = quick_client (&s);

  first = create (client, "yatai/s/log/1", "焼きそば", 0, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (first->generation, >, 0);
  g_assert_cmpint (first->size, ==, strlen ("焼きそば"));

  g_assert_null (create (client, "yatai/s/log/1", "again", 0, NULL, &error));       /* create-only */
  g_assert_error (error, YATAI_GCS_ERROR, YATAI_GCS_ERROR_PRECONDITION_FAILED);
  g_clear_error (&error);

  second = create (client, "yatai/s/log/1", "replaced", first->generation, NULL, &error);   /* compare-and-swap */
  g_assert_no_error (error);
  g_assert_cmpint (second->generation, !=, first->generation);
  g_assert_null (create (client, "yatai/s/log/1", "stale", first->generation, NULL, &error));
  g_assert_error (error, YATAI_GCS_ERROR, YATAI_GCS_ERROR_PRECONDITION_FAILED);
  g_clear_error (&error);
  g_assert_null (create (client, "yatai/s/absent", "x", 12345, NULL, &error));          /* CAS on an absent one */
  g_assert_error (error, YATAI_GCS_ERROR, YATAI_GCS_ERROR_PRECONDITION_FAILED);
  g_clear_error (&error);

  bytes = read_object (client, "yatai/s/log/1", YATAI_GCS_ANY, &generation, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), "replaced", 8);
  g_assert_cmpint (generation, ==, second->generation);
  g_assert_null (read_object (client, "yatai/s/log/1", second->generation, NULL, &error));  /* unchanged */
  g_assert_error (error, YATAI_GCS_ERROR, YATAI_GCS_ERROR_NOT_MODIFIED);
  g_clear_error (&error);
  g_assert_null (read_object (client, "yatai/s/nothing", YATAI_GCS_ANY, NULL, &error));
  g_assert_error (error, YATAI_GCS_ERROR, YATAI_GCS_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* Multipart with custom metadata, and the resource read back. */
  {
    g_autoptr(GHashTable) metadata = g_hash_table_new (g_str_hash, g_str_equal);
    g_autoptr(YataiGcsObject) created = NULL;
    g_autoptr(YataiGcsObject) stat = NULL;
    Wait w = { 0 };

    g_hash_table_insert (metadata, "device", "counter");
    created = create (client, "yatai/s/lease", "{}", 0, metadata, &error);
    g_assert_no_error (error);
    yatai_gcs_client_stat_async (client, "stall", "yatai/s/lease", NULL, NULL, done_cb, &w);
    stat = yatai_gcs_client_stat_finish (client, wait_for (&w), &error);
    g_object_unref (w.result);
    g_assert_no_error (error);
    g_assert_cmpstr (g_hash_table_lookup (stat->metadata, "device"), ==, "counter");
    g_assert_cmpint (stat->metageneration, ==, 1);
  }

  /* A listing across pages, in name order, only under the prefix. */
  for (int i = 2; i <= 5; i++)
    {
      g_autofree char *name = g_strdup_printf ("yatai/s/log/%d", i);
      g_autoptr(YataiGcsObject) o = create (client, name, "x", 0, NULL, &error);

      g_assert_no_error (error);
    }
  {
    Wait w = { 0 };
    g_autoptr(GPtrArray) listed = NULL;

    yatai_gcs_client_list_async (client, "stall", "yatai/s/log/", 2, NULL, done_cb, &w);
    listed = yatai_gcs_client_list_finish (client, wait_for (&w), &error);
    g_object_unref (w.result);
    g_assert_no_error (error);
    g_assert_cmpuint (listed->len, ==, 5);
    for (guint i = 0; i < listed->len; i++)
      {
        g_autofree char *expected = g_strdup_printf ("yatai/s/log/%u", i + 1);

        g_assert_cmpstr (((YataiGcsObject *) listed->pdata[i])->name, ==, expected);
      }
    g_assert_cmpint (server_count (&s, "GET"), >=, 3);
  }

  g_assert_false (delete_object (client, "yatai/s/log/1", first->generation, &error));       /* stale */
  g_assert_error (error, YATAI_GCS_ERROR, YATAI_GCS_ERROR_PRECONDITION_FAILED);
  g_clear_error (&error);
  g_assert_true (delete_object (client, "yatai/s/log/1", second->generation, &error));
  g_assert_no_error (error);
  g_assert_false (delete_object (client, "yatai/s/log/1", YATAI_GCS_ANY, &error));
  g_assert_error (error, YATAI_GCS_ERROR, YATAI_GCS_ERROR_NOT_FOUND);
  server_stop (&s);
}

/* A 503 or a dropped connection on a read is retried; a 429 backs off; an unsafe write is not retried. */
static void
test_retries (void)
{
  Server s = { 0 };
  g_autoptr(YataiGcsClient) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(YataiGcsObject) object = NULL;
  g_autoptr(GBytes) bytes = NULL;
  gint64 posts;
  guint retries;

  server_start (&s, NULL);
  client = quick_client (&s);
  object = create (client, "a", "hello", 0, NULL, &error);
  g_assert_no_error (error);

  server_post (&s, "/_test/faults", "POST", "{\"method\": \"GET\", \"status\": 503, \"times\": 1}");
  bytes = read_object (client, "a", YATAI_GCS_ANY, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (yatai_gcs_client_get_n_retries (client), ==, 1);
  g_clear_pointer (&bytes, g_bytes_unref);

  /* Dropped twice: libsoup itself resends once on a kept-alive connection that closed, the client
   * retries the rest. */
  server_post (&s, "/_test/faults", "POST", "{\"method\": \"GET\", \"action\": \"drop\", \"times\": 3}");
  bytes = read_object (client, "a", YATAI_GCS_ANY, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), "hello", 5);
  g_assert_cmpuint (yatai_gcs_client_get_n_retries (client), >=, 2);
  g_clear_pointer (&bytes, g_bytes_unref);

  retries = yatai_gcs_client_get_n_retries (client);
  server_post (&s, "/_test/faults", "POST", "{\"method\": \"GET\", \"status\": 429, \"times\": 3}");
  bytes = read_object (client, "a", YATAI_GCS_ANY, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (yatai_gcs_client_get_n_retries (client), ==, retries + 3);
  g_clear_pointer (&bytes, g_bytes_unref);
  retries = yatai_gcs_client_get_n_retries (client);

  /* A create without a precondition might apply twice if repeated: one try, and the error. */
  posts = server_count (&s, "POST");
  server_post (&s, "/_test/faults", "POST", "{\"method\": \"POST\", \"path_contains\": \"/upload/\", \"status\": 503, \"times\": 1}");
  g_assert_null (create (client, "b", "once", YATAI_GCS_ANY, NULL, &error));
  g_assert_error (error, YATAI_GCS_ERROR, YATAI_GCS_ERROR_SERVER);
  g_clear_error (&error);
  g_assert_cmpint (server_count (&s, "POST"), ==, posts + 2);  /* the fault's POST, and that one */
  g_assert_cmpuint (yatai_gcs_client_get_n_retries (client), ==, retries);

  /* With a precondition, the same failure is retried and the write lands once. */
  server_post (&s, "/_test/faults", "POST", "{\"method\": \"POST\", \"path_contains\": \"/upload/\", \"status\": 503, \"times\": 1}");
  g_clear_pointer (&object, yatai_gcs_object_free);
  object = create (client, "b", "once", 0, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (yatai_gcs_client_get_n_retries (client), ==, retries + 1);

  /* Failing for longer than the request's deadline gives the last answer's error (1 s: long enough for
   * a first answer on a loaded machine). */
  yatai_gcs_client_set_retry (client, 20, 1000);
  server_post (&s, "/_test/faults", "POST", "{\"method\": \"GET\", \"status\": 503, \"times\": -1}");
  g_assert_null (read_object (client, "a", YATAI_GCS_ANY, NULL, &error));
  g_assert_error (error, YATAI_GCS_ERROR, YATAI_GCS_ERROR_SERVER);
  server_stop (&s);
}

/* A download whose bytes do not match their hash is refused as corrupt; cancel stops a request. */
static void
test_corrupt_and_cancel (void)
{
  Server s = { 0 };
  g_autoptr(YataiGcsClient) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(YataiGcsObject) object = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  Wait w = { 0 };
  gint64 start;

  server_start (&s, NULL);
  client = quick_client (&s);
  object = create (client, "segment", "a segment of the log", 0, NULL, &error);
  g_assert_no_error (error);

  server_post (&s, "/_test/faults", "POST", "{\"method\": \"GET\", \"action\": \"corrupt\", \"times\": 1}");
  g_assert_null (read_object (client, "segment", YATAI_GCS_ANY, NULL, &error));
  g_assert_error (error, YATAI_GCS_ERROR, YATAI_GCS_ERROR_CORRUPT);
  g_clear_error (&error);

  server_post (&s, "/_test/faults", "POST", "{\"method\": \"GET\", \"delay_ms\": 5000, \"times\": 1}");
  start = g_get_monotonic_time ();
  yatai_gcs_client_read_async (client, "stall", "segment", NULL, cancellable, done_cb, &w);
  g_timeout_add_once (50, (GSourceOnceFunc) g_cancellable_cancel, cancellable);
  g_assert_null (yatai_gcs_client_read_finish (client, wait_for (&w), NULL, &error));
  g_object_unref (w.result);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (g_get_monotonic_time () - start, <, G_USEC_PER_SEC);
  server_stop (&s);
}

/* A key pair made now: the service account's private key in a key file, the public one for the server. */
static void
make_keys (const char *dir,
           const char *token_uri,
           char      **key_file,
           char      **public_pem)
{
  gnutls_x509_privkey_t x509;
  gnutls_privkey_t priv;
  gnutls_pubkey_t pub;
  gnutls_datum_t pem = { NULL, 0 }, pub_pem = { NULL, 0 };
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *json = NULL;
  g_autofree char *private_text = NULL;

  g_assert_cmpint (gnutls_x509_privkey_init (&x509), ==, 0);
  g_assert_cmpint (gnutls_x509_privkey_generate (x509, GNUTLS_PK_RSA, 2048, 0), ==, 0);
  g_assert_cmpint (gnutls_x509_privkey_export2_pkcs8 (x509, GNUTLS_X509_FMT_PEM, NULL, GNUTLS_PKCS_PLAIN, &pem), ==, 0);
  gnutls_privkey_init (&priv);
  g_assert_cmpint (gnutls_privkey_import_x509 (priv, x509, 0), ==, 0);
  gnutls_pubkey_init (&pub);
  g_assert_cmpint (gnutls_pubkey_import_privkey (pub, priv, 0, 0), ==, 0);
  g_assert_cmpint (gnutls_pubkey_export2 (pub, GNUTLS_X509_FMT_PEM, &pub_pem), ==, 0);

  private_text = g_strndup ((const char *) pem.data, pem.size);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "type");
  json_builder_add_string_value (b, "service_account");
  json_builder_set_member_name (b, "client_email");
  json_builder_add_string_value (b, "yatai@stall.iam.gserviceaccount.com");
  json_builder_set_member_name (b, "private_key");
  json_builder_add_string_value (b, private_text);
  json_builder_set_member_name (b, "token_uri");
  json_builder_add_string_value (b, token_uri);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  json = json_to_string (root, TRUE);
  *key_file = g_build_filename (dir, "key.json", NULL);
  *public_pem = g_build_filename (dir, "public.pem", NULL);
  g_assert_true (g_file_set_contents (*key_file, json, -1, NULL));
  g_chmod (*key_file, 0600);
  g_assert_true (g_file_set_contents (*public_pem, (const char *) pub_pem.data, pub_pem.size, NULL));

  gnutls_free (pem.data);
  gnutls_free (pub_pem.data);
  gnutls_pubkey_deinit (pub);
  gnutls_privkey_deinit (priv);
  gnutls_x509_privkey_deinit (x509);
}

/* A token from a key file: fetched, reused, refreshed when it expires; a wrong key is refused. */
static void
test_auth (void)
{
  Server s = { 0 };
  Server other = { 0 };
  g_autofree char *dir = g_dir_make_tmp ("yatai-gcs-auth-XXXXXX", NULL);
  g_autofree char *key_file = NULL;
  g_autofree char *public_pem = NULL;
  g_autofree char *other_key = NULL;
  g_autofree char *other_pem = NULL;
  g_autofree char *token_uri = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(YataiGcsAuth) auth = NULL;
  g_autoptr(YataiGcsClient) client = NULL;
  g_autoptr(YataiGcsClient) anonymous = NULL;
  g_autoptr(YataiGcsObject) object = NULL;

  /* The key pair comes first; the server learns its port only when it starts, so the key file is
   * written again with the token address then. */
  make_keys (dir, "http://127.0.0.1:1/token", &key_file, &public_pem);
  server_start (&s, (const char *[]) { "--token-public-key", public_pem, "--token-lifetime", "2", NULL });
  token_uri = g_strconcat (s.url, "/token", NULL);
  {
    g_autoptr(JsonParser) parser = json_parser_new ();
    g_autoptr(JsonGenerator) generator = json_generator_new ();

    g_assert_true (json_parser_load_from_file (parser, key_file, NULL));
    json_object_set_string_member (json_node_get_object (json_parser_get_root (parser)), "token_uri", token_uri);
    json_generator_set_root (generator, json_parser_get_root (parser));
    g_assert_true (json_generator_to_file (generator, key_file, NULL));
  }

  auth = yatai_gcs_auth_new_from_key_file (key_file, &error);
  g_assert_no_error (error);
  /* Tokens here last 2 s: refresh only once one has expired (in use, five minutes before). */
  yatai_gcs_auth_set_refresh_margin (auth, 0);
  client = yatai_gcs_client_new (s.url, auth);
  yatai_gcs_client_set_retry (client, 20, 2000);
  object = create (client, "a", "1", 0, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (yatai_gcs_auth_get_n_exchanges (auth), ==, 1);
  g_clear_pointer (&object, yatai_gcs_object_free);
  object = create (client, "b", "2", 0, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (yatai_gcs_auth_get_n_exchanges (auth), ==, 1);     /* reused */

  /* After 2 s the next request fetches a new token. */
  g_usleep (2100 * 1000);
  g_clear_pointer (&object, yatai_gcs_object_free);
  object = create (client, "c", "3", 0, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (yatai_gcs_auth_get_n_exchanges (auth), ==, 2);

  /* Without a token the bucket refuses. */
  anonymous = yatai_gcs_client_new (s.url, NULL);
  g_assert_null (create (anonymous, "d", "4", 0, NULL, &error));
  g_assert_error (error, YATAI_GCS_ERROR, YATAI_GCS_ERROR_UNAUTHORIZED);
  g_clear_error (&error);

  /* A key the server does not know: a clear refusal, with no key or token in the message. */
  {
    g_autofree char *other_dir = g_dir_make_tmp ("yatai-gcs-other-XXXXXX", NULL);
    g_autoptr(YataiGcsAuth) wrong = NULL;
    g_autoptr(YataiGcsClient) wrong_client = NULL;

    make_keys (other_dir, token_uri, &other_key, &other_pem);
    wrong = yatai_gcs_auth_new_from_key_file (other_key, &error);
    g_assert_no_error (error);
    wrong_client = yatai_gcs_client_new (s.url, wrong);
    g_assert_null (create (wrong_client, "e", "5", 0, NULL, &error));
    g_assert_error (error, YATAI_GCS_ERROR, YATAI_GCS_ERROR_UNAUTHORIZED);
    g_assert_nonnull (strstr (error->message, "refused"));
    g_assert_null (strstr (error->message, "BEGIN"));
    g_clear_error (&error);
    g_unlink (other_key);
    g_unlink (other_pem);
    g_rmdir (other_dir);
  }

  /* Not a key file at all. */
  g_free (other_key);
  other_key = g_build_filename (dir, "notes.json", NULL);
  g_assert_true (g_file_set_contents (other_key, "{\"hello\": 1}", -1, NULL));
  g_assert_null (yatai_gcs_auth_new_from_key_file (other_key, &error));
  g_assert_error (error, YATAI_GCS_ERROR, YATAI_GCS_ERROR_UNAUTHORIZED);
  g_assert_nonnull (strstr (error->message, "not a service account key"));
  g_clear_error (&error);
  g_unlink (other_key);

  g_unlink (key_file);
  g_unlink (public_pem);
  g_rmdir (dir);
  server_stop (&s);
  (void) other;
}

/* The sync engine's bucket over the client: its errors as the engine knows them. */
static void
test_bucket_adapter (void)
{
  Server s = { 0 };
  g_autoptr(YataiGcsClient) client = NULL;
  g_autoptr(YataiGcsBucket) bucket = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = g_bytes_new_static ("lease", 5);
  gint64 generation = 0, read_generation = 0;
  Wait w = { 0 };

  server_start (&s, NULL);
  client = quick_client (&s);
  bucket = yatai_gcs_bucket_new (client, "stall");

  yatai_bucket_create_async (YATAI_BUCKET (bucket), "s/lease", bytes, 0, NULL, done_cb, &w);
  g_assert_true (yatai_bucket_create_finish (YATAI_BUCKET (bucket), wait_for (&w), &generation, &error));
  g_clear_object (&w.result);
  g_assert_cmpint (generation, >, 0);

  yatai_bucket_create_async (YATAI_BUCKET (bucket), "s/lease", bytes, 0, NULL, done_cb, &w);
  g_assert_false (yatai_bucket_create_finish (YATAI_BUCKET (bucket), wait_for (&w), NULL, &error));
  g_clear_object (&w.result);
  g_assert_error (error, YATAI_BUCKET_ERROR, YATAI_BUCKET_ERROR_PRECONDITION);
  g_clear_error (&error);

  yatai_bucket_read_async (YATAI_BUCKET (bucket), "s/lease", NULL, done_cb, &w);
  {
    g_autoptr(GBytes) back = yatai_bucket_read_finish (YATAI_BUCKET (bucket), wait_for (&w), &read_generation, &error);

    g_assert_no_error (error);
    g_assert_cmpint (read_generation, ==, generation);
  }
  g_clear_object (&w.result);

  yatai_bucket_list_async (YATAI_BUCKET (bucket), "s/", NULL, done_cb, &w);
  {
    g_autoptr(GPtrArray) names = yatai_bucket_list_finish (YATAI_BUCKET (bucket), wait_for (&w), &error);

    g_assert_no_error (error);
    g_assert_cmpuint (names->len, ==, 1);
    g_assert_cmpstr (names->pdata[0], ==, "s/lease");
  }
  g_clear_object (&w.result);

  yatai_bucket_delete_async (YATAI_BUCKET (bucket), "s/lease", generation, NULL, done_cb, &w);
  g_assert_true (yatai_bucket_delete_finish (YATAI_BUCKET (bucket), wait_for (&w), &error));
  g_clear_object (&w.result);

  yatai_bucket_read_async (YATAI_BUCKET (bucket), "s/lease", NULL, done_cb, &w);
  g_assert_null (yatai_bucket_read_finish (YATAI_BUCKET (bucket), wait_for (&w), NULL, &error));
  g_clear_object (&w.result);
  g_assert_error (error, YATAI_BUCKET_ERROR, YATAI_BUCKET_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* A server gone: unavailable, after the retries. */
  server_stop (&s);
  yatai_gcs_client_set_retry (client, 10, 100);
  yatai_bucket_read_async (YATAI_BUCKET (bucket), "s/lease", NULL, done_cb, &w);
  g_assert_null (yatai_bucket_read_finish (YATAI_BUCKET (bucket), wait_for (&w), NULL, &error));
  g_clear_object (&w.result);
  g_assert_error (error, YATAI_BUCKET_ERROR, YATAI_BUCKET_ERROR_UNAVAILABLE);
}

/* CRC32C against known values: RFC 3720's check value and its appendix B.4 vectors, and GCS's own
 * base64 of an object whose crc32c it documents. */
static void
test_crc32c (void)
{
  guint8 zeros[32] = { 0 }, ones[32], up[32];
  g_autofree char *empty = NULL;
  g_autofree char *hello = NULL;
  guint32 split;

  memset (ones, 0xff, sizeof ones);
  for (guint i = 0; i < 32; i++)
    up[i] = i;
  g_assert_cmphex (yatai_crc32c_update (0, (const guint8 *) "123456789", 9), ==, 0xe3069283);
  g_assert_cmphex (yatai_crc32c_update (0, zeros, 32), ==, 0x8a9136aa);
  g_assert_cmphex (yatai_crc32c_update (0, ones, 32), ==, 0x62a8ab43);
  g_assert_cmphex (yatai_crc32c_update (0, up, 32), ==, 0x46dd794e);
  g_assert_cmphex (yatai_crc32c_update (0, NULL, 0), ==, 0);
  /* In pieces, as a download arrives. */
  split = yatai_crc32c_update (0, (const guint8 *) "1234", 4);
  g_assert_cmphex (yatai_crc32c_update (split, (const guint8 *) "56789", 5), ==, 0xe3069283);
  /* GCS's x-goog-hash of an empty object is crc32c=AAAAAA==; of "hello", mnG7TA==. */
  empty = yatai_gcs_crc32c_base64 ((const guint8 *) "", 0);
  hello = yatai_gcs_crc32c_base64 ((const guint8 *) "hello", 5);
  g_assert_cmpstr (empty, ==, "AAAAAA==");
  g_assert_cmpstr (hello, ==, "mnG7TA==");
}

/* A bucket that does not exist, 401 and 403 are each their own error, never retried, and none is taken
 * for "object missing". */
static void
test_settings_errors (void)
{
  Server s = { 0 };
  g_autoptr(YataiGcsClient) client = NULL;
  g_autoptr(YataiGcsBucket) missing = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) data = g_bytes_new_static ("x", 1);
  YataiGcsConditions create_only = YATAI_GCS_CONDITIONS_NONE;
  Wait w = { 0 };
  gint64 gets;

  server_start (&s, NULL);
  client = quick_client (&s);
  create_only.if_generation_match = 0;

  /* No bucket "stal" (a typo of "stall"): a read, a create-only write and a listing all say so. */
  yatai_gcs_client_read_async (client, "stal", "yatai/s/lease", NULL, NULL, done_cb, &w);
  g_assert_null (yatai_gcs_client_read_finish (client, wait_for (&w), NULL, &error));
  g_clear_object (&w.result);
  g_assert_error (error, YATAI_GCS_ERROR, YATAI_GCS_ERROR_BUCKET_MISSING);
  g_assert_cmpstr (error->message, ==, "There is no bucket “stal”. Check the bucket’s name in Preferences → Sync.");
  g_clear_error (&error);
  yatai_gcs_client_create_async (client, "stal", "yatai/s/lease", data, NULL, &create_only, NULL, done_cb, &w);
  g_assert_null (yatai_gcs_client_create_finish (client, wait_for (&w), &error));
  g_clear_object (&w.result);
  g_assert_error (error, YATAI_GCS_ERROR, YATAI_GCS_ERROR_BUCKET_MISSING);
  g_clear_error (&error);
  yatai_gcs_client_list_async (client, "stal", "yatai/", 0, NULL, done_cb, &w);
  g_assert_null (yatai_gcs_client_list_finish (client, wait_for (&w), &error));
  g_clear_object (&w.result);
  g_assert_error (error, YATAI_GCS_ERROR, YATAI_GCS_ERROR_BUCKET_MISSING);
  g_clear_error (&error);
  /* An object missing from a bucket that exists stays "not found". */
  g_assert_null (read_object (client, "yatai/s/nothing", YATAI_GCS_ANY, NULL, &error));
  g_assert_error (error, YATAI_GCS_ERROR, YATAI_GCS_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* Through the engine's interface: a setting to fix. */
  missing = yatai_gcs_bucket_new (client, "stal");
  yatai_bucket_read_async (YATAI_BUCKET (missing), "yatai/s/lease", NULL, done_cb, &w);
  g_assert_null (yatai_bucket_read_finish (YATAI_BUCKET (missing), wait_for (&w), NULL, &error));
  g_clear_object (&w.result);
  g_assert_error (error, YATAI_BUCKET_ERROR, YATAI_BUCKET_ERROR_NO_BUCKET);
  g_assert_true (yatai_bucket_error_is_setting (error));
  g_clear_error (&error);

  /* 401 and 403, each once: answered as such with no retry. */
  server_post (&s, "/_test/faults", "POST", "{\"status\": 401, \"times\": 1}");
  g_assert_null (read_object (client, "yatai/s/nothing", YATAI_GCS_ANY, NULL, &error));
  g_assert_error (error, YATAI_GCS_ERROR, YATAI_GCS_ERROR_UNAUTHORIZED);
  g_clear_error (&error);
  server_post (&s, "/_test/faults", "POST", "{\"status\": 403, \"times\": 1}");
  g_assert_null (read_object (client, "yatai/s/nothing", YATAI_GCS_ANY, NULL, &error));
  g_assert_error (error, YATAI_GCS_ERROR, YATAI_GCS_ERROR_FORBIDDEN);
  g_assert_nonnull (strstr (error->message, "roles/storage.objectUser"));
  g_clear_error (&error);
  g_assert_cmpuint (yatai_gcs_client_get_n_retries (client), ==, 0);

  /* The engine on the missing bucket: the message, then no request for a long while. */
  {
    g_autofree char *dir = g_dir_make_tmp ("yatai-gcs-settings-XXXXXX", NULL);
    g_autofree char *path = g_build_filename (dir, "store.sqlite3", NULL);
    g_autoptr(YataiStore) store = yatai_store_open (path, &error);
    g_autoptr(YataiSyncEngine) engine = NULL;
    gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

    g_assert_no_error (error);
    engine = yatai_sync_engine_new (store, YATAI_BUCKET (missing), "yatai/s");
    yatai_sync_engine_start (engine);
    while (!yatai_sync_engine_get_needs_settings (engine))
      {
        g_assert_cmpint (g_get_monotonic_time (), <, deadline);
        g_main_context_iteration (NULL, TRUE);
      }
    g_assert_cmpstr (yatai_sync_engine_get_error (engine), ==,
                     "There is no bucket “stal”. Check the bucket’s name in Preferences → Sync.");
    gets = server_count (&s, "GET");
    /* Before, the engine retried after 0.5, 1 and 2 s: three more requests within these 3 s. */
    deadline = g_get_monotonic_time () + 3 * G_USEC_PER_SEC;
    while (g_get_monotonic_time () < deadline)
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (10000);
    g_assert_cmpint (server_count (&s, "GET"), ==, gets + 1);   /* + 1: the count's own request */
    g_clear_object (&engine);
    g_clear_object (&store);
    s.dir = g_steal_pointer (&dir);   /* emptied and removed with the server */
  }
  server_stop (&s);
}

/* STORAGE_EMULATOR_HOST as host:port (Google's Go client takes it so) and as http://host:port. */
static void
test_emulator_host (void)
{
  Server s = { 0 };
  g_autoptr(GError) error = NULL;
  const char *forms[2];

  server_start (&s, NULL);
  forms[0] = s.url + strlen ("http://");
  forms[1] = s.url;
  for (guint i = 0; i < G_N_ELEMENTS (forms); i++)
    {
      g_autoptr(YataiGcsClient) client = NULL;
      g_autoptr(YataiGcsObject) object = NULL;
      g_autofree char *name = g_strdup_printf ("emulator/%u", i);

      g_setenv ("STORAGE_EMULATOR_HOST", forms[i], TRUE);
      client = yatai_gcs_client_new (NULL, NULL);
      yatai_gcs_client_set_retry (client, 20, 1000);
      g_assert_cmpstr (yatai_gcs_client_get_endpoint (client), ==, s.url);
      object = create (client, name, "x", 0, NULL, &error);
      g_assert_no_error (error);
    }
  g_unsetenv ("STORAGE_EMULATOR_HOST");
  server_stop (&s);
}

/* Every upload carries its CRC32C and MD5: damaged on the way (a fault flips a byte as it arrives), it
 * is refused and not stored, media and multipart alike. A download is checked against both hashes. */
static void
test_checksums (void)
{
  Server s = { 0 };
  g_autoptr(YataiGcsClient) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) metadata = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(YataiGcsObject) good = NULL;

  server_start (&s, NULL);
  client = quick_client (&s);
  g_hash_table_insert (metadata, "device", "counter");

  server_post (&s, "/_test/faults", "POST", "{\"method\": \"POST\", \"action\": \"corrupt\", \"times\": 1}");
  g_assert_null (create (client, "media", "a segment of the log", 0, NULL, &error));
  g_assert_error (error, YATAI_GCS_ERROR, YATAI_GCS_ERROR_CHECKSUM_REFUSED);
  g_assert_cmpstr (error->message, ==, "The bucket refused “media”: it arrived damaged. Yatai will send it again.");
  g_clear_error (&error);
  g_assert_null (read_object (client, "media", YATAI_GCS_ANY, NULL, &error));
  g_assert_error (error, YATAI_GCS_ERROR, YATAI_GCS_ERROR_NOT_FOUND);
  g_clear_error (&error);

  server_post (&s, "/_test/faults", "POST", "{\"method\": \"POST\", \"action\": \"corrupt\", \"times\": 1}");
  g_assert_null (create (client, "multipart", "{\"holder\": \"counter\"}", 0, metadata, &error));
  g_assert_error (error, YATAI_GCS_ERROR, YATAI_GCS_ERROR_CHECKSUM_REFUSED);
  g_clear_error (&error);
  g_assert_null (read_object (client, "multipart", YATAI_GCS_ANY, NULL, &error));
  g_assert_error (error, YATAI_GCS_ERROR, YATAI_GCS_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* Undamaged, both kinds are stored. */
  good = create (client, "media", "a segment of the log", 0, NULL, &error);
  g_assert_no_error (error);
  g_clear_pointer (&good, yatai_gcs_object_free);
  good = create (client, "multipart", "{}", 0, metadata, &error);
  g_assert_no_error (error);

  /* A download whose MD5 matches and CRC32C does not is damaged all the same. */
  server_post (&s, "/_test/faults", "POST", "{\"method\": \"GET\", \"action\": \"bad-crc32c\", \"times\": 1}");
  g_assert_null (read_object (client, "media", YATAI_GCS_ANY, NULL, &error));
  g_assert_error (error, YATAI_GCS_ERROR, YATAI_GCS_ERROR_CORRUPT);
  server_stop (&s);
}

/* A stalled try is abandoned at its timeout and tried again; the request's deadline ends it whatever
 * the server does. */
static void
test_deadlines (void)
{
  Server s = { 0 };
  g_autoptr(YataiGcsClient) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(YataiGcsObject) object = NULL;
  g_autoptr(GBytes) bytes = NULL;
  gint64 start;

  server_start (&s, NULL);
  client = quick_client (&s);
  yatai_gcs_client_set_attempt_timeout (client, 300);
  object = create (client, "slow", "hello", 0, NULL, &error);
  g_assert_no_error (error);

  /* The first answer would take 10 s: the second try answers at once. */
  server_post (&s, "/_test/faults", "POST", "{\"method\": \"GET\", \"delay_ms\": 10000, \"times\": 1}");
  start = g_get_monotonic_time ();
  bytes = read_object (client, "slow", YATAI_GCS_ANY, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), "hello", 5);
  g_assert_cmpuint (yatai_gcs_client_get_n_retries (client), ==, 1);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_USEC_PER_SEC);

  /* A create-only write whose answer stalls is abandoned and sent again; here the server had stored the
   * first one, so the second meets its precondition (the engine reads such a write back). */
  server_post (&s, "/_test/faults", "POST", "{\"method\": \"POST\", \"delay_ms\": 10000, \"times\": 1}");
  g_clear_pointer (&object, yatai_gcs_object_free);
  g_assert_null (create (client, "slow-write", "x", 0, NULL, &error));
  g_assert_error (error, YATAI_GCS_ERROR, YATAI_GCS_ERROR_PRECONDITION_FAILED);
  g_clear_error (&error);
  g_assert_cmpuint (yatai_gcs_client_get_n_retries (client), ==, 2);
  g_clear_pointer (&bytes, g_bytes_unref);
  bytes = read_object (client, "slow-write", YATAI_GCS_ANY, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), "x", 1);

  /* With the client's try timeout at 30 s, a small request's try still ends after about a second: a
   * log segment or a command that has not answered by then is stalled, not slow, and is sent again
   * at once rather than holding back what comes after it. */
  yatai_gcs_client_set_attempt_timeout (client, 30000);
  {
    guint retries = yatai_gcs_client_get_n_retries (client);
    g_autofree char *large = g_strnfill (1024 * 1024, 'L');

    server_post (&s, "/_test/faults", "POST", "{\"method\": \"POST\", \"delay_ms\": 10000, \"times\": 1}");
    start = g_get_monotonic_time ();
    g_assert_null (create (client, "small-stalled", "segment", 0, NULL, &error));
    g_assert_error (error, YATAI_GCS_ERROR, YATAI_GCS_ERROR_PRECONDITION_FAILED);
    g_clear_error (&error);
    g_assert_cmpint (g_get_monotonic_time () - start, >=, 900000);
    g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_USEC_PER_SEC);
    g_assert_cmpuint (yatai_gcs_client_get_n_retries (client), ==, retries + 1);

    /* A megabyte is given the time its bytes take on a slow link (9 s), not one second. */
    server_post (&s, "/_test/faults", "POST", "{\"method\": \"POST\", \"delay_ms\": 2500, \"times\": 1}");
    g_clear_pointer (&object, yatai_gcs_object_free);
    object = create (client, "large-slow", large, 0, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (yatai_gcs_client_get_n_retries (client), ==, retries + 1);

    /* A write without a precondition is never sent twice, so its one try is not cut short either. */
    server_post (&s, "/_test/faults", "POST", "{\"method\": \"POST\", \"delay_ms\": 2500, \"times\": 1}");
    g_clear_pointer (&object, yatai_gcs_object_free);
    object = create (client, "unconditional-slow", "x", YATAI_GCS_ANY, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (yatai_gcs_client_get_n_retries (client), ==, retries + 1);
  }

  /* Every answer stalled: the deadline (1 s here) ends the request with the network error. */
  yatai_gcs_client_set_retry (client, 20, 1000);
  yatai_gcs_client_set_attempt_timeout (client, 30000);
  server_post (&s, "/_test/faults", "POST", "{\"method\": \"GET\", \"delay_ms\": 10000, \"times\": -1}");
  start = g_get_monotonic_time ();
  g_assert_null (read_object (client, "slow", YATAI_GCS_ANY, NULL, &error));
  g_assert_error (error, YATAI_GCS_ERROR, YATAI_GCS_ERROR_NETWORK);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_USEC_PER_SEC);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, G_USEC_PER_SEC - 50000);
  server_stop (&s);
}

typedef struct
{
  int     left;
  gint64  done_at;
} Many;

static void
many_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      data)
{
  Many *many = data;
  g_autoptr(GError) error = NULL;

  if (g_task_get_source_tag (G_TASK (result)) == yatai_gcs_client_create_async)
    {
      g_autoptr(YataiGcsObject) object = yatai_gcs_client_create_finish (YATAI_GCS_CLIENT (source), result, &error);
    }
  else
    {
      g_autoptr(GBytes) bytes = yatai_gcs_client_read_finish (YATAI_GCS_CLIENT (source), result, NULL, &error);
    }
  g_assert_no_error (error);
  if (--many->left == 0)
    many->done_at = g_get_monotonic_time ();
}

/* Requests run side by side: while one read stalls for 3 s, ten creates and reads of other objects
 * are all answered. */
static void
test_concurrent (void)
{
  Server s = { 0 };
  g_autoptr(YataiGcsClient) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(YataiGcsObject) object = NULL;
  Wait stalled = { 0 };
  Many many = { 10, 0 };
  gint64 deadline;

  server_start (&s, NULL);
  client = quick_client (&s);
  object = create (client, "stalled", "s", 0, NULL, &error);
  g_assert_no_error (error);
  for (int i = 0; i < 5; i++)
    {
      g_autofree char *name = g_strdup_printf ("other/%d", i);
      g_autoptr(YataiGcsObject) o = create (client, name, "o", 0, NULL, &error);

      g_assert_no_error (error);
    }

  server_post (&s, "/_test/faults", "POST",
               "{\"method\": \"GET\", \"path_contains\": \"stalled\", \"delay_ms\": 3000, \"times\": 1}");
  yatai_gcs_client_read_async (client, "stall", "stalled", NULL, NULL, done_cb, &stalled);
  for (int i = 0; i < 5; i++)
    {
      g_autofree char *name = g_strdup_printf ("other/%d", i);
      g_autofree char *created = g_strdup_printf ("new/%d", i);
      g_autoptr(GBytes) data = g_bytes_new_static ("n", 1);
      YataiGcsConditions c = YATAI_GCS_CONDITIONS_NONE;

      c.if_generation_match = 0;
      yatai_gcs_client_read_async (client, "stall", name, NULL, NULL, many_cb, &many);
      yatai_gcs_client_create_async (client, "stall", created, data, NULL, &c, NULL, many_cb, &many);
    }
  deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  while (stalled.result == NULL)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
  /* The ten were all answered before the stalled one. */
  g_assert_cmpint (many.left, ==, 0);
  {
    g_autoptr(GBytes) bytes = yatai_gcs_client_read_finish (client, stalled.result, NULL, &error);

    g_assert_no_error (error);
  }
  g_object_unref (stalled.result);
  server_stop (&s);
}

/* A read bounded by a size: larger is refused as soon as the size shows (Content-Length, or the bytes
 * received when there is none), smaller or equal arrives whole. */
static void
test_bounded_read (void)
{
  Server s = { 0 };
  g_autoptr(YataiGcsClient) client = NULL;
  g_autoptr(YataiGcsBucket) bucket = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(YataiGcsObject) object = NULL;
  g_autofree char *big = g_malloc (1024 * 1024 + 1);
  gsize sizes[] = { 1024 * 1024, 1000, 1024 * 1024 - 1 };
  gboolean fits[] = { TRUE, FALSE, FALSE };

  memset (big, 'x', 1024 * 1024);
  big[1024 * 1024] = '\0';
  server_start (&s, NULL);
  client = quick_client (&s);
  object = create (client, "big", big, 0, NULL, &error);
  g_assert_no_error (error);

  for (guint chunked = 0; chunked < 2; chunked++)
    for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
      {
        Wait w = { 0 };
        g_autoptr(GBytes) bytes = NULL;

        if (chunked)
          server_post (&s, "/_test/faults", "POST", "{\"method\": \"GET\", \"action\": \"chunked\", \"times\": 1}");
        yatai_gcs_client_read_max_async (client, "stall", "big", NULL, sizes[i], NULL, done_cb, &w);
        bytes = yatai_gcs_client_read_finish (client, wait_for (&w), NULL, &error);
        g_clear_object (&w.result);
        if (fits[i])
          {
            g_assert_no_error (error);
            g_assert_cmpuint (g_bytes_get_size (bytes), ==, 1024 * 1024);
          }
        else
          {
            g_autofree char *limit = g_format_size (sizes[i]);

            g_assert_error (error, YATAI_GCS_ERROR, YATAI_GCS_ERROR_TOO_LARGE);
            g_assert_nonnull (strstr (error->message, limit));
            g_clear_error (&error);
          }
      }
  g_assert_cmpuint (yatai_gcs_client_get_n_retries (client), ==, 0);

  /* Through the engine's interface. */
  bucket = yatai_gcs_bucket_new (client, "stall");
  {
    Wait w = { 0 };

    yatai_bucket_read_max_async (YATAI_BUCKET (bucket), "big", 4096, NULL, done_cb, &w);
    g_assert_null (yatai_bucket_read_finish (YATAI_BUCKET (bucket), wait_for (&w), NULL, &error));
    g_clear_object (&w.result);
    g_assert_error (error, YATAI_BUCKET_ERROR, YATAI_BUCKET_ERROR_TOO_LARGE);
  }
  server_stop (&s);
}

/* Everything the client and its auth log, at every level (debug included), to check that no secret is
 * in it. */
static GString *logged;

static GLogWriterOutput
record_log_cb (GLogLevelFlags   level,
               const GLogField *fields,
               gsize            n_fields,
               gpointer         data)
{
  for (gsize i = 0; i < n_fields; i++)
    if (g_str_equal (fields[i].key, "MESSAGE") && fields[i].length < 0)
      g_string_append_printf (logged, "%s\n", (const char *) fields[i].value);
  return g_log_writer_default (level, fields, n_fields, data);
}

static char *
write_user_file (const char *dir,
                 const char *token_uri,
                 const char *refresh_token,
                 int         mode)
{
  g_autofree char *json = g_strdup_printf ("{\"type\": \"authorized_user\", \"client_id\": \"1234.apps.googleusercontent.com\", "
                                           "\"client_secret\": \"d-FL95Q19q7MQmFpd7hHD0Ty\", "
                                           "\"refresh_token\": \"%s\", \"token_uri\": \"%s\", "
                                           "\"account\": \"tenshu@example.com\"}", refresh_token, token_uri);
  char *path = g_build_filename (dir, "application_default_credentials.json", NULL);

  g_assert_true (g_file_set_contents (path, json, -1, NULL));
  g_chmod (path, mode);
  return path;
}

/* Application Default Credentials: gcloud's file (authorized_user: its refresh token exchanged), then
 * GOOGLE_APPLICATION_CREDENTIALS before it; what is in use is described without a secret, a file others
 * may read is warned about, and no token, refresh token, secret or key is ever logged. */
static void
test_default_credentials (void)
{
  Server s = { 0 };
  g_autofree char *dir = g_dir_make_tmp ("yatai-gcs-adc-XXXXXX", NULL);
  g_autofree char *token_uri = NULL;
  g_autofree char *user_file = NULL;
  g_autofree char *key_file = NULL;
  g_autofree char *public_pem = NULL;
  g_autofree char *described = NULL;
  g_autofree char *warning = NULL;
  g_autofree char *expected_default = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(YataiGcsAuth) auth = NULL;
  g_autoptr(YataiGcsClient) client = NULL;
  g_autoptr(YataiGcsObject) object = NULL;

  /* Google's place for gcloud's file, unless CLOUDSDK_CONFIG moves it. */
  g_unsetenv ("CLOUDSDK_CONFIG");
  g_unsetenv ("GOOGLE_APPLICATION_CREDENTIALS");
  expected_default = g_build_filename (g_get_home_dir (), ".config", "gcloud", "application_default_credentials.json", NULL);
  {
    g_autofree char *found = yatai_gcs_auth_default_file ();

    g_assert_cmpstr (found, ==, expected_default);
  }

  make_keys (dir, "http://127.0.0.1:1/token", &key_file, &public_pem);
  server_start (&s, (const char *[]) { "--refresh-token", "1//0e-refresh-secret", "--token-public-key", public_pem, NULL });
  token_uri = g_strconcat (s.url, "/token", NULL);
  user_file = write_user_file (dir, token_uri, "1//0e-refresh-secret", 0600);
  g_setenv ("CLOUDSDK_CONFIG", dir, TRUE);
  g_string_truncate (logged, 0);

  auth = yatai_gcs_auth_new_default (&error);
  g_assert_no_error (error);
  g_assert_cmpint (yatai_gcs_auth_get_kind (auth), ==, YATAI_GCS_AUTH_AUTHORIZED_USER);
  g_assert_cmpstr (yatai_gcs_auth_get_path (auth), ==, user_file);
  g_assert_null (yatai_gcs_auth_get_warning (auth));
  described = yatai_gcs_auth_describe (auth);
  g_assert_nonnull (strstr (described, "tenshu@example.com"));
  g_assert_nonnull (strstr (described, user_file));
  client = yatai_gcs_client_new (s.url, auth);
  yatai_gcs_client_set_retry (client, 20, 2000);
  object = create (client, "adc", "1", 0, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (yatai_gcs_auth_get_n_exchanges (auth), ==, 1);
  g_clear_object (&client);
  g_clear_object (&auth);

  /* A refresh token the sign-in service no longer takes: said in words, with what to do. */
  g_free (user_file);
  user_file = write_user_file (dir, token_uri, "1//0e-revoked-secret", 0644);
  auth = yatai_gcs_auth_new_default (&error);
  g_assert_no_error (error);
  g_assert_nonnull (yatai_gcs_auth_get_warning (auth));              /* mode 644 */
  g_assert_nonnull (strstr (yatai_gcs_auth_get_warning (auth), "chmod 600"));
  client = yatai_gcs_client_new (s.url, auth);
  yatai_gcs_client_set_retry (client, 20, 2000);
  g_clear_pointer (&object, yatai_gcs_object_free);
  g_assert_null (create (client, "adc2", "2", 0, NULL, &error));
  g_assert_error (error, YATAI_GCS_ERROR, YATAI_GCS_ERROR_UNAUTHORIZED);
  g_assert_nonnull (strstr (error->message, "gcloud auth application-default login"));
  g_assert_null (strstr (error->message, "secret"));
  g_clear_error (&error);
  g_clear_object (&client);
  g_clear_object (&auth);

  /* The settings' description and warning, as Preferences shows them. */
  g_free (described);
  described = yatai_gcs_bucket_describe_credentials ("https://storage.example.com", NULL, &warning);
  g_assert_nonnull (strstr (described, user_file));
  g_assert_nonnull (warning);

  /* GOOGLE_APPLICATION_CREDENTIALS comes first: here a service account's key. */
  {
    g_autoptr(JsonParser) parser = json_parser_new ();
    g_autoptr(JsonGenerator) generator = json_generator_new ();

    g_assert_true (json_parser_load_from_file (parser, key_file, NULL));
    json_object_set_string_member (json_node_get_object (json_parser_get_root (parser)), "token_uri", token_uri);
    json_generator_set_root (generator, json_parser_get_root (parser));
    g_assert_true (json_generator_to_file (generator, key_file, NULL));
    g_chmod (key_file, 0600);
  }
  g_setenv ("GOOGLE_APPLICATION_CREDENTIALS", key_file, TRUE);
  auth = yatai_gcs_auth_new_default (&error);
  g_assert_no_error (error);
  g_assert_cmpint (yatai_gcs_auth_get_kind (auth), ==, YATAI_GCS_AUTH_SERVICE_ACCOUNT);
  g_assert_cmpstr (yatai_gcs_auth_get_account (auth), ==, "yatai@stall.iam.gserviceaccount.com");
  client = yatai_gcs_client_new (s.url, auth);
  yatai_gcs_client_set_retry (client, 20, 2000);
  g_clear_pointer (&object, yatai_gcs_object_free);
  object = create (client, "adc3", "3", 0, NULL, &error);
  g_assert_no_error (error);

  /* Of everything logged meanwhile, nothing is a secret. */
  g_assert_cmpuint (logged->len, >, 0);          /* the 644 file's warning, at least */
  g_assert_null (strstr (logged->str, "refresh-secret"));
  g_assert_null (strstr (logged->str, "revoked-secret"));
  g_assert_null (strstr (logged->str, "d-FL95Q19q7MQmFpd7hHD0Ty"));
  g_assert_null (strstr (logged->str, "tok-"));
  g_assert_null (strstr (logged->str, "PRIVATE KEY"));

  g_unsetenv ("GOOGLE_APPLICATION_CREDENTIALS");
  g_unsetenv ("CLOUDSDK_CONFIG");
  g_unlink (user_file);
  g_unlink (key_file);
  g_unlink (public_pem);
  s.dir = g_steal_pointer (&dir);
  server_stop (&s);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  logged = g_string_new (NULL);
  g_log_set_writer_func (record_log_cb, NULL, NULL);
  g_test_add_func ("/gcs/requests", test_requests);
  g_test_add_func ("/gcs/retries", test_retries);
  g_test_add_func ("/gcs/corrupt-and-cancel", test_corrupt_and_cancel);
  g_test_add_func ("/gcs/auth", test_auth);
  g_test_add_func ("/gcs/bucket-adapter", test_bucket_adapter);
  g_test_add_func ("/gcs/crc32c", test_crc32c);
  g_test_add_func ("/gcs/settings-errors", test_settings_errors);
  g_test_add_func ("/gcs/emulator-host", test_emulator_host);
  g_test_add_func ("/gcs/checksums", test_checksums);
  g_test_add_func ("/gcs/deadlines", test_deadlines);
  g_test_add_func ("/gcs/concurrent", test_concurrent);
  g_test_add_func ("/gcs/bounded-read", test_bounded_read);
  g_test_add_func ("/gcs/default-credentials", test_default_credentials);
  return g_test_run ();
}
