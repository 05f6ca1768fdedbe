/* yatai-test-bucket: a server that answers like Google Cloud Storage's JSON API, for tests and rehearsals
 *
 *   yatai-test-bucket [--host ADDR] [--port N] [--dir PATH] [--bucket NAME]... [--latency-ms N] [--fail-rate F] [--seed N]
 *                     [--rate-limit] [--token-public-key PEM] [--token-lifetime S] [--verbose]
 *
 * Listens on 127.0.0.1, or the IPv4 address --host names (a test's network namespaces reach it there),
 * port 0 picking a free one, and prints "listening on http://ADDR:PORT" when ready. As on GCS, a bucket exists only once it is made: `--bucket NAME` (as many as needed), or
 * POST /storage/v1/b?project=P with {"name": NAME}; any request on an object of another bucket is a 404
 * "Bucket NAME does not exist." (the conformance server's words). It keeps GCS's generations and
 * metagenerations, answers the preconditions with 412 and 304, refuses an upload whose declared CRC32C
 * or MD5 (multipart metadata, or the x-goog-hash header) does not match the bytes with 400, gives MD5
 * and CRC32C (x-goog-hash), lists in name order with pages, takes Google's fault instructions
 * (POST /retry_test and the x-retry-test-id header, see test-bucket-retry.h), and on demand adds
 * latency, fails a share of requests (429, 503, dropped connections), enforces one write a second per
 * object name, and runs faults a test scripts:
 *   POST /_test/faults    {"method": "GET", "path_contains": "log/", "status": 503, "times": 1}
 *                         or "action": "drop" | "apply-drop" | "corrupt" | "bad-crc32c" | "chunked", or
 *                         "delay_ms": 2000; every
 *                         member optional, "times" 1 by default, -1 for ever. "path_contains" also
 *                         matches an upload's object name and a listing's prefix; "apply-drop" carries the request out, then
 *                         drops the connection before the answer (a write whose answer was lost).
 *                         "corrupt" flips a byte of a download (its hashes those of the real bytes) or
 *                         of an upload as it arrives (its declared hashes then refuse it);
 *                         "bad-crc32c" gives a download the right MD5 and a wrong CRC32C; "chunked"
 *                         sends a download without a Content-Length.
 *                         Answers 204.
 *   DELETE /_test/faults  clears them (204).
 *   GET /_test/stats      {"requests": {"GET": 12, "POST": 3}, "faults": 2, "objects": 5}; with ?prefix=P also
 *                         "created": how many objects were created at names starting with P (deleted or not)
 * With --token-public-key, POST /token takes a service account's RS256 JWT, checks its signature with
 * that key, and hands out tokens the storage requests then require. With --refresh-token TOKEN it also
 * takes grant_type=refresh_token with that refresh token (a person's gcloud sign-in), the same way.
 */
#define G_LOG_DOMAIN "yatai-test-bucket"

#include <stdio.h>
#include <string.h>

#include <sys/socket.h>

#include "test-bucket.h"

static void
fault_free (gpointer data)
{
  Fault *fault = data;

  g_free (fault->method);
  g_free (fault->path_contains);
  g_free (fault->action);
  g_free (fault);
}

/* Faults */

static void
handle_test (Server            *server,
             SoupServerMessage *msg,
             const char        *method,
             const char        *path)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  if (g_str_equal (path, "/_test/faults") && g_str_equal (method, "POST"))
    {
      SoupMessageBody *body = soup_server_message_get_request_body (msg);
      g_autoptr(GBytes) bytes = soup_message_body_flatten (body);
      g_autoptr(JsonParser) parser = json_parser_new ();
      JsonObject *spec;
      Fault *fault;

      if (!json_parser_load_from_data (parser, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), NULL) ||
          !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
        {
          reply_error (msg, SOUP_STATUS_BAD_REQUEST, "parseError", "A fault is a JSON object.");
          return;
        }
      spec = json_node_get_object (json_parser_get_root (parser));
      fault = g_new0 (Fault, 1);
      fault->method = g_strdup (json_object_get_string_member_with_default (spec, "method", NULL));
      fault->path_contains = g_strdup (json_object_get_string_member_with_default (spec, "path_contains", NULL));
      fault->status = json_object_get_int_member_with_default (spec, "status", 0);
      fault->action = g_strdup (json_object_get_string_member_with_default (spec, "action", NULL));
      fault->delay_ms = json_object_get_int_member_with_default (spec, "delay_ms", 0);
      fault->times = json_object_get_int_member_with_default (spec, "times", 1);
      g_ptr_array_add (server->faults, fault);
      soup_server_message_set_status (msg, SOUP_STATUS_NO_CONTENT, NULL);
      return;
    }
  if (g_str_equal (path, "/_test/faults") && g_str_equal (method, "DELETE"))
    {
      g_ptr_array_set_size (server->faults, 0);
      soup_server_message_set_status (msg, SOUP_STATUS_NO_CONTENT, NULL);
      return;
    }
  if (g_str_equal (path, "/_test/stats"))
    {
      GHashTableIter iter;
      gpointer key, value;

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "requests");
      json_builder_begin_object (b);
      g_hash_table_iter_init (&iter, server->counts);
      while (g_hash_table_iter_next (&iter, &key, &value))
        {
          json_builder_set_member_name (b, key);
          json_builder_add_int_value (b, GPOINTER_TO_UINT (value));
        }
      json_builder_end_object (b);
      json_builder_set_member_name (b, "faults");
      json_builder_add_int_value (b, server->n_faults);
      json_builder_set_member_name (b, "objects");
      json_builder_add_int_value (b, test_bucket_store_count (server->store));
      {
        g_autoptr(GHashTable) query = NULL;
        const char *raw = g_uri_get_query (soup_server_message_get_uri (msg));
        const char *prefix = NULL;
        guint n = 0;

        if (raw != NULL)
          query = soup_form_decode (raw);
        if (query != NULL && (prefix = g_hash_table_lookup (query, "prefix")) != NULL)
          {
            for (guint i = 0; i < server->created->len; i++)
              if (g_str_has_prefix (server->created->pdata[i], prefix))
                n++;
            json_builder_set_member_name (b, "created");
            json_builder_add_int_value (b, n);
          }
      }
      json_builder_end_object (b);
      root = json_builder_get_root (b);
      reply_json (msg, SOUP_STATUS_OK, root);
      return;
    }
  reply_error (msg, SOUP_STATUS_NOT_FOUND, "notFound", "No such test endpoint.");
}

/* The scripted fault that applies to this request, used up by one. */
static Fault *
take_fault (Server     *server,
            const char *method,
            const char *path,
            const char *name,
            const char *prefix)
{
  for (guint i = 0; i < server->faults->len; i++)
    {
      Fault *fault = server->faults->pdata[i];

      if ((fault->method == NULL || g_str_equal (fault->method, method)) &&
          (fault->path_contains == NULL || strstr (path, fault->path_contains) != NULL ||
           (name != NULL && strstr (name, fault->path_contains) != NULL) ||
           (prefix != NULL && strstr (prefix, fault->path_contains) != NULL)))
        {
          Fault *copy = g_new0 (Fault, 1);

          copy->status = fault->status;
          copy->action = g_strdup (fault->action);
          copy->delay_ms = fault->delay_ms;
          if (fault->times > 0 && --fault->times == 0)
            g_ptr_array_remove_index (server->faults, i);
          server->n_faults++;
          return copy;
        }
    }
  return NULL;
}

static void
drop_connection (SoupServerMessage *msg)
{
  GIOStream *stream = soup_server_message_steal_connection (msg);

  if (stream != NULL)
    {
      g_io_stream_close (stream, NULL, NULL);
      g_object_unref (stream);
    }
}

static gboolean
unpause_cb (gpointer data)
{
  soup_server_message_unpause (data);
  g_object_unref (data);
  return G_SOURCE_REMOVE;
}

/* Routing */

/* The JSON API method a request is, as the retry_test instructions name them; NULL for others. */
static const char *
api_method (const char *method,
            const char *path)
{
  gboolean upload = g_str_has_prefix (path, "/upload/");
  const char *rest = path + (upload ? strlen ("/upload") : g_str_has_prefix (path, "/download/") ? strlen ("/download") : 0);
  const char *slash;

  if (g_str_has_prefix (rest, "/storage/v1/"))
    rest += strlen ("/storage/v1");
  if (g_str_equal (rest, "/b") || g_str_equal (rest, "/b/"))
    return g_str_equal (method, "POST") ? "storage.buckets.insert" : NULL;
  if (!g_str_has_prefix (rest, "/b/"))
    return NULL;
  slash = strchr (rest + strlen ("/b/"), '/');
  if (slash == NULL)
    return g_str_equal (method, "GET") ? "storage.buckets.get" : NULL;
  if (!g_str_has_prefix (slash, "/o"))
    return NULL;
  if (slash[2] == '\0' || g_str_equal (slash, "/o/"))
    return upload && g_str_equal (method, "POST") ? "storage.objects.insert" :
           g_str_equal (method, "GET") ? "storage.objects.list" : NULL;
  if (g_str_equal (method, "GET"))
    return "storage.objects.get";
  if (g_str_equal (method, "DELETE"))
    return "storage.objects.delete";
  if (g_str_equal (method, "PATCH"))
    return "storage.objects.patch";
  return NULL;
}

static void
route (Server            *server,
       SoupServerMessage *msg,
       const char        *method,
       const char        *path,
       GHashTable        *query,
       const char        *action)
{
  gboolean upload = g_str_has_prefix (path, "/upload/");
  gboolean download = g_str_has_prefix (path, "/download/");
  const char *rest = path + (upload ? strlen ("/upload") : download ? strlen ("/download") : 0);
  const char *slash;
  g_autofree char *bucket = NULL;
  const char *name = NULL;

  /* [/upload|/download][/storage/v1]/b/{bucket}/o[/{name}], the path as libsoup decoded it: the name
   * is all that follows "/o/", slashes included. Google's clients leave "/storage/v1" out when they
   * talk to a custom endpoint. */
  if (g_str_has_prefix (rest, "/storage/v1/"))
    rest += strlen ("/storage/v1");
  if ((g_str_equal (rest, "/b") || g_str_equal (rest, "/b/")) && g_str_equal (method, "POST") && !upload)
    {
      handle_bucket_insert (server, msg, query);
      return;
    }
  if (!g_str_has_prefix (rest, "/b/"))
    {
      reply_error (msg, SOUP_STATUS_NOT_FOUND, "notFound", "Not Found");
      return;
    }
  rest += strlen ("/b/");
  slash = strchr (rest, '/');
  if (slash == NULL && *rest != '\0' && g_str_equal (method, "GET"))
    {
      if (test_bucket_store_has_bucket (server->store, rest))
        reply_bucket (msg, rest);
      else
        reply_no_bucket (msg, rest);
      return;
    }
  if (slash == NULL || !g_str_has_prefix (slash, "/o") || (slash[2] != '\0' && slash[2] != '/'))
    {
      reply_error (msg, SOUP_STATUS_NOT_FOUND, "notFound", "Not Found");
      return;
    }
  bucket = g_strndup (rest, slash - rest);
  if (slash[2] == '/' && slash[3] != '\0')
    name = slash + 3;
  if (!test_bucket_store_has_bucket (server->store, bucket))
    {
      reply_no_bucket (msg, bucket);
      return;
    }

  if (upload && g_str_equal (method, "POST") && name == NULL)
    handle_upload (server, msg, bucket, query, g_strcmp0 (action, "corrupt") == 0);
  else if (name == NULL && g_str_equal (method, "GET"))
    handle_list (server, msg, bucket, query);
  else if (name != NULL)
    handle_object (server, msg, method, bucket, name, query, download, action);
  else
    reply_error (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "methodNotAllowed", "Not supported here.");
}

/* The conformance server's "return-reset-connection": the connection closed with a reset (RST), not
 * the orderly close of a dropped one. */
static void
reset_connection (SoupServerMessage *msg)
{
  GSocket *socket = soup_server_message_get_socket (msg);
  struct linger linger = { 1, 0 };

  if (socket != NULL)
    setsockopt (g_socket_get_fd (socket), SOL_SOCKET, SO_LINGER, &linger, sizeof linger);
  drop_connection (msg);
}

/* FALSE when a retry_test instruction answered the request already (or dropped it). */
static gboolean
apply_retry_instruction (Server            *server,
                         SoupServerMessage *msg,
                         const char        *method,
                         const char        *path)
{
  const char *id = soup_message_headers_get_one (soup_server_message_get_request_headers (msg), "x-retry-test-id");
  g_autofree char *instruction = NULL;
  gboolean unknown = FALSE;

  if (id == NULL)
    return TRUE;
  instruction = test_retry_tests_take (server->retry_tests, id, api_method (method, path), &unknown);
  if (unknown)
    {
      g_autofree char *message = g_strdup_printf ("Retry Test %s does not exist.", id);

      reply_error (msg, SOUP_STATUS_NOT_FOUND, "notFound", message);
      return FALSE;
    }
  if (instruction == NULL)
    return TRUE;
  server->n_faults++;
  if (g_str_equal (instruction, "return-reset-connection"))
    reset_connection (msg);
  else
    {
      guint status = (guint) g_ascii_strtoull (instruction + strlen ("return-"), NULL, 10);
      g_autofree char *message = g_strdup_printf ("Retry Test: Caused a %u", status);

      reply_error (msg, status, status == 401 ? "required" : status == 403 ? "forbidden" : "backendError", message);
    }
  return FALSE;
}

static void
handler_cb (G_GNUC_UNUSED SoupServer *soup_server,
            SoupServerMessage        *msg,
            const char               *decoded_path,
            GHashTable               *query,
            gpointer                  user_data)
{
  Server *server = user_data;
  const char *method = soup_server_message_get_method (msg);
  /* libsoup has decoded the path: "o/a%2Fb" arrives as "o/a/b", and the name is all after "/o/". */
  const char *path = decoded_path;
  g_autoptr(GHashTable) own_query = NULL;
  const char *raw_query = g_uri_get_query (soup_server_message_get_uri (msg));
  g_autofree Fault *fault = NULL;
  g_autofree char *action = NULL;
  gboolean apply_drop = FALSE;
  guint delay = server->latency_ms;

  if (query == NULL && raw_query != NULL)
    query = own_query = soup_form_decode (raw_query);
  g_hash_table_insert (server->counts, g_strdup (method),
                       GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (server->counts, method)) + 1));
  if (server->verbose)
    g_printerr ("%s %s%s%s\n", method, path, raw_query ? "?" : "", raw_query ? raw_query : "");
  /* libsoup before 3.3 never closes a kept-alive connection that the client closed while it waited
   * for the next request (libsoup commit d20c6601): one descriptor left in CLOSE_WAIT per connection,
   * until the server can accept no more. There every answer closes its connection instead. */
  if (server->close_connections)
    soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Connection", "close");

  if (test_retry_tests_handle (server->retry_tests, msg, method, path))
    return;
  if (g_str_has_prefix (path, "/_test/"))
    {
      handle_test (server, msg, method, path);
      return;
    }
  if (g_str_equal (path, "/token") && g_str_equal (method, "POST"))
    {
      handle_token (server, msg);
      return;
    }

  if (!apply_retry_instruction (server, msg, method, path))
    goto answered;
  fault = take_fault (server, method, path, query ? g_hash_table_lookup (query, "name") : NULL,
                      query ? g_hash_table_lookup (query, "prefix") : NULL);
  if (fault == NULL && server->fail_rate > 0 && g_rand_double (server->rand) < server->fail_rate)
    {
      static const guint kinds[] = { 429, 503, 0 };

      fault = g_new0 (Fault, 1);
      fault->status = kinds[g_rand_int_range (server->rand, 0, 3)];
      if (fault->status == 0)
        fault->action = g_strdup ("drop");
      server->n_faults++;
    }
  if (fault != NULL)
    {
      delay += fault->delay_ms;
      if (g_strcmp0 (fault->action, "drop") == 0)
        {
          g_free (fault->action);
          drop_connection (msg);
          return;
        }
      if (g_strcmp0 (fault->action, "corrupt") == 0 || g_strcmp0 (fault->action, "bad-crc32c") == 0 ||
          g_strcmp0 (fault->action, "chunked") == 0)
        action = g_strdup (fault->action);
      apply_drop = g_strcmp0 (fault->action, "apply-drop") == 0;
      g_free (fault->action);
      fault->action = NULL;
      if (fault->status != 0)
        {
          reply_error (msg, fault->status,
                       fault->status == 429 ? "rateLimitExceeded" : fault->status == 401 ? "required" :
                       fault->status == 403 ? "forbidden" : "backendError",
                       fault->status == 429 ? "Rate limit exceeded (a fault on demand)." :
                       fault->status == 403 ? "The caller does not have storage.objects access to the bucket (a fault on demand)." :
                       "A fault on demand.");
          goto answered;
        }
    }

  if (!authorized (server, msg))
    {
      reply_error (msg, SOUP_STATUS_UNAUTHORIZED, "required", "Login Required.");
      goto answered;
    }
  route (server, msg, method, path, query, action);
  if (apply_drop)
    {
      /* Done, and the answer never arrives. */
      drop_connection (msg);
      return;
    }

answered:
  if (delay > 0)
    {
      soup_server_message_pause (msg);
      g_timeout_add (delay, unpause_cb, g_object_ref (msg));
    }
}
int
main (int   argc,
      char *argv[])
{
  int port = 0, latency = 0, lifetime = 3600, seed = 0;
  double fail_rate = 0;
  gboolean rate_limit = FALSE, verbose = FALSE;
  g_autofree char *dir = NULL;
  g_autofree char *host = NULL;
  g_autofree char *key_path = NULL;
  g_auto(GStrv) buckets = NULL;
  g_autofree char *refresh_token = NULL;
  GOptionEntry entries[] = {
    { "host", 0, 0, G_OPTION_ARG_STRING, &host, "Listen on this IPv4 address (127.0.0.1)", "ADDR" },
    { "port", 0, 0, G_OPTION_ARG_INT, &port, "Port on 127.0.0.1 (0 picks a free one)", "N" },
    { "dir", 0, 0, G_OPTION_ARG_FILENAME, &dir, "Keep the objects in this folder", "PATH" },
    { "bucket", 0, 0, G_OPTION_ARG_STRING_ARRAY, &buckets, "Make this bucket (again for more)", "NAME" },
    { "latency-ms", 0, 0, G_OPTION_ARG_INT, &latency, "Add this many milliseconds to every answer", "N" },
    { "fail-rate", 0, 0, G_OPTION_ARG_DOUBLE, &fail_rate, "Fail this share of requests (429, 503, dropped)", "F" },
    { "seed", 0, 0, G_OPTION_ARG_INT, &seed, "Seed of the random failures", "N" },
    { "rate-limit", 0, 0, G_OPTION_ARG_NONE, &rate_limit, "One write a second per object name, as GCS", NULL },
    { "token-public-key", 0, 0, G_OPTION_ARG_FILENAME, &key_path, "Check JWTs at /token with this RSA key", "PEM" },
    { "token-lifetime", 0, 0, G_OPTION_ARG_INT, &lifetime, "Seconds a token lasts (3600)", "S" },
    { "refresh-token", 0, 0, G_OPTION_ARG_STRING, &refresh_token, "Give tokens at /token for this refresh token", "TOKEN" },
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &verbose, "Print each request on stderr", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("- a test server that answers like Google Cloud Storage");
  g_autoptr(GError) error = NULL;
  g_autoptr(SoupServer) soup_server = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  GSList *uris;
  Server server = { 0 };

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("yatai-test-bucket: %s\n", error->message);
      return 2;
    }
  if (fail_rate < 0 || fail_rate > 1)
    {
      g_printerr ("yatai-test-bucket: --fail-rate is a share from 0 to 1\n");
      return 2;
    }

  server.store = test_bucket_store_new (dir);
  server.latency_ms = MAX (latency, 0);
  server.fail_rate = fail_rate;
  server.rand = seed != 0 ? g_rand_new_with_seed (seed) : g_rand_new ();
  server.rate_limit = rate_limit;
  server.verbose = verbose;
  server.last_write = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  server.faults = g_ptr_array_new_with_free_func (fault_free);
  server.counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  server.created = g_ptr_array_new_with_free_func (g_free);
  server.tokens = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  server.token_lifetime = MAX (lifetime, 1);
  server.retry_tests = test_retry_tests_new ();
  server.refresh_token = refresh_token;
  server.close_connections = soup_get_major_version () == 3 && soup_get_minor_version () < 3;
  for (guint i = 0; buckets != NULL && buckets[i] != NULL; i++)
    test_bucket_store_add_bucket (server.store, buckets[i]);
  if (key_path != NULL && (server.token_key = load_public_key (key_path)) == NULL)
    {
      g_printerr ("yatai-test-bucket: %s is not an RSA public key in PEM\n", key_path);
      return 2;
    }

  soup_server = soup_server_new ("server-header", "yatai-test-bucket ", NULL);
  soup_server_add_handler (soup_server, NULL, handler_cb, &server, NULL);
  {
    g_autoptr(GInetAddress) inet = g_inet_address_new_from_string (host ? host : "127.0.0.1");
    g_autoptr(GSocketAddress) address = NULL;

    if (inet == NULL || g_inet_address_get_family (inet) != G_SOCKET_FAMILY_IPV4)
      {
        g_printerr ("yatai-test-bucket: %s is not an IPv4 address\n", host);
        return 2;
      }
    address = g_inet_socket_address_new (inet, port);
    if (!soup_server_listen (soup_server, address, 0, &error))
      {
        g_printerr ("yatai-test-bucket: cannot listen on port %d: %s\n", port, error->message);
        return 1;
      }
  }
  uris = soup_server_get_uris (soup_server);
  printf ("listening on http://%s:%d\n", host ? host : "127.0.0.1", g_uri_get_port (uris->data));
  fflush (stdout);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  loop = g_main_loop_new (NULL, FALSE);
  g_main_loop_run (loop);
  return 0;
}
