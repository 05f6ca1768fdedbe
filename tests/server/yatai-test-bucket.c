/* yatai-test-bucket: a server that answers like Google Cloud Storage's JSON API, for tests and rehearsals
 *
 *   yatai-test-bucket [--port N] [--dir PATH] [--bucket NAME]... [--latency-ms N] [--fail-rate F] [--seed N]
 *                     [--rate-limit] [--token-public-key PEM] [--token-lifetime S] [--verbose]
 *
 * Listens on 127.0.0.1 (port 0 picks a free one) and prints "listening on http://127.0.0.1:PORT" when
 * ready. As on GCS, a bucket exists only once it is made: `--bucket NAME` (as many as needed), or
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
 *   GET /_test/stats      {"requests": {"GET": 12, "POST": 3}, "faults": 2, "objects": 5}
 * With --token-public-key, POST /token takes a service account's RS256 JWT, checks its signature with
 * that key, and hands out tokens the storage requests then require. With --refresh-token TOKEN it also
 * takes grant_type=refresh_token with that refresh token (a person's gcloud sign-in), the same way.
 */
#define G_LOG_DOMAIN "yatai-test-bucket"

#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <stdio.h>
#include <string.h>

#include <sys/socket.h>

#include "test-bucket-retry.h"
#include "test-bucket-store.h"

typedef struct
{
  char   *method;         /* NULL: any */
  char   *path_contains;  /* NULL: any */
  guint   status;         /* answer with this status */
  char   *action;         /* "drop", "apply-drop", "corrupt", "bad-crc32c", "chunked", or NULL */
  guint   delay_ms;
  int     times;          /* how many requests it still applies to; -1 forever */
} Fault;

typedef struct
{
  TestBucketStore    *store;
  guint               latency_ms;
  double              fail_rate;
  GRand              *rand;
  gboolean            rate_limit;
  gboolean            verbose;
  GHashTable         *last_write;   /* "bucket\nname" → gint64* µs of the last mutation */
  GPtrArray          *faults;
  GHashTable         *counts;       /* method → guint */
  guint               n_faults;
  gnutls_pubkey_t     token_key;
  guint               token_lifetime;
  GHashTable         *tokens;       /* token → gint64* expiry (monotonic µs) */
  guint               n_tokens;
  char               *refresh_token;  /* --refresh-token: the sign-in a grant_type=refresh_token must carry */
  TestRetryTests     *retry_tests;
  gboolean            close_connections;
} Server;

static void
fault_free (gpointer data)
{
  Fault *fault = data;

  g_free (fault->method);
  g_free (fault->path_contains);
  g_free (fault->action);
  g_free (fault);
}

/* Answers */

static void
reply_json (SoupServerMessage *msg,
            guint              status,
            JsonNode          *node)
{
  g_autofree char *body = json_to_string (node, FALSE);

  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json; charset=UTF-8", SOUP_MEMORY_COPY, body, strlen (body));
}

/* GCS's error body: {"error": {"code": N, "message": "...", "errors": [{"reason": "...", ...}]}} */
static void
reply_error (SoupServerMessage *msg,
             guint              status,
             const char        *reason,
             const char        *message)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "error");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "code");
  json_builder_add_int_value (b, status);
  json_builder_set_member_name (b, "message");
  json_builder_add_string_value (b, message);
  json_builder_set_member_name (b, "errors");
  json_builder_begin_array (b);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "domain");
  json_builder_add_string_value (b, "global");
  json_builder_set_member_name (b, "reason");
  json_builder_add_string_value (b, reason);
  json_builder_set_member_name (b, "message");
  json_builder_add_string_value (b, message);
  json_builder_end_object (b);
  json_builder_end_array (b);
  json_builder_end_object (b);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  reply_json (msg, status, root);
}

static char *
rfc3339 (gint64 time_us)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (time_us / G_USEC_PER_SEC);
  g_autofree char *base = g_date_time_format (utc, "%Y-%m-%dT%H:%M:%S");

  return g_strdup_printf ("%s.%03dZ", base, (int) (time_us % G_USEC_PER_SEC / 1000));
}

static void
add_string (JsonBuilder *b,
            const char  *name,
            const char  *value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_string_value (b, value);
}

static void
add_number_string (JsonBuilder *b,
                   const char  *name,
                   gint64       value)
{
  g_autofree char *text = g_strdup_printf ("%" G_GINT64_FORMAT, value);

  add_string (b, name, text);
}

/* The object's resource, as GCS writes it (numbers as strings). */
static void
build_resource (JsonBuilder      *b,
                TestBucketObject *object)
{
  g_autofree char *created = rfc3339 (object->created);
  g_autofree char *updated = rfc3339 (object->updated);
  g_autofree char *id = g_strdup_printf ("%s/%s/%" G_GINT64_FORMAT, object->bucket, object->name, object->generation);
  g_autofree char *escaped = g_uri_escape_string (object->name, NULL, FALSE);
  g_autofree char *self_link = g_strdup_printf ("/storage/v1/b/%s/o/%s", object->bucket, escaped);
  g_autofree char *media_link = g_strdup_printf ("/download/storage/v1/b/%s/o/%s?generation=%" G_GINT64_FORMAT "&alt=media",
                                                 object->bucket, escaped, object->generation);
  g_autofree char *etag = g_strdup_printf ("CK%" G_GINT64_FORMAT "=", object->generation);

  json_builder_begin_object (b);
  add_string (b, "kind", "storage#object");
  add_string (b, "id", id);
  add_string (b, "selfLink", self_link);
  add_string (b, "mediaLink", media_link);
  add_string (b, "name", object->name);
  add_string (b, "bucket", object->bucket);
  add_number_string (b, "generation", object->generation);
  add_number_string (b, "metageneration", object->metageneration);
  add_string (b, "contentType", object->content_type);
  add_string (b, "storageClass", "STANDARD");
  add_number_string (b, "size", g_bytes_get_size (object->data));
  add_string (b, "md5Hash", object->md5);
  add_string (b, "crc32c", object->crc32c);
  add_string (b, "etag", etag);
  add_string (b, "timeCreated", created);
  add_string (b, "updated", updated);
  add_string (b, "timeStorageClassUpdated", created);
  if (object->metadata != NULL)
    {
      GHashTableIter iter;
      gpointer key, value;

      json_builder_set_member_name (b, "metadata");
      json_builder_begin_object (b);
      g_hash_table_iter_init (&iter, object->metadata);
      while (g_hash_table_iter_next (&iter, &key, &value))
        add_string (b, key, value);
      json_builder_end_object (b);
    }
  json_builder_end_object (b);
}

static void
reply_resource (SoupServerMessage *msg,
                TestBucketObject  *object)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  build_resource (b, object);
  root = json_builder_get_root (b);
  reply_json (msg, SOUP_STATUS_OK, root);
}

/* Preconditions */

static gboolean
query_int (GHashTable *query,
           const char *name,
           gint64     *out)
{
  const char *text = query != NULL ? g_hash_table_lookup (query, name) : NULL;
  char *end = NULL;

  if (text == NULL)
    return FALSE;
  *out = g_ascii_strtoll (text, &end, 10);
  return end != text && *end == '\0';
}

/* FALSE (and the answer sent) when a precondition fails: 412, or 304 for a read's NotMatch. */
static gboolean
check_preconditions (SoupServerMessage *msg,
                     GHashTable        *query,
                     TestBucketObject  *object,
                     gboolean           is_read)
{
  gint64 value;

  if (query_int (query, "ifGenerationMatch", &value))
    {
      gboolean ok = value == 0 ? object == NULL : (object != NULL && object->generation == value);

      if (!ok)
        {
          reply_error (msg, SOUP_STATUS_PRECONDITION_FAILED, "conditionNotMet",
                       "At least one of the pre-conditions you specified did not hold.");
          return FALSE;
        }
    }
  if (query_int (query, "ifMetagenerationMatch", &value) && (object == NULL || object->metageneration != value))
    {
      reply_error (msg, SOUP_STATUS_PRECONDITION_FAILED, "conditionNotMet",
                   "At least one of the pre-conditions you specified did not hold.");
      return FALSE;
    }
  if (query_int (query, "ifGenerationNotMatch", &value) && object != NULL && object->generation == value)
    {
      if (is_read)
        soup_server_message_set_status (msg, SOUP_STATUS_NOT_MODIFIED, NULL);
      else
        reply_error (msg, SOUP_STATUS_PRECONDITION_FAILED, "conditionNotMet",
                     "At least one of the pre-conditions you specified did not hold.");
      return FALSE;
    }
  if (query_int (query, "ifMetagenerationNotMatch", &value) && object != NULL && object->metageneration == value)
    {
      if (is_read)
        soup_server_message_set_status (msg, SOUP_STATUS_NOT_MODIFIED, NULL);
      else
        reply_error (msg, SOUP_STATUS_PRECONDITION_FAILED, "conditionNotMet",
                     "At least one of the pre-conditions you specified did not hold.");
      return FALSE;
    }
  return TRUE;
}

/* GCS allows one mutation a second per object name. */
static gboolean
rate_limited (Server     *server,
              const char *bucket,
              const char *name)
{
  g_autofree char *key = g_strconcat (bucket, "\n", name, NULL);
  gint64 now = g_get_monotonic_time ();
  gint64 *last;

  if (!server->rate_limit)
    return FALSE;
  last = g_hash_table_lookup (server->last_write, key);
  if (last != NULL && now - *last < G_USEC_PER_SEC)
    return TRUE;
  if (last == NULL)
    {
      last = g_new (gint64, 1);
      g_hash_table_insert (server->last_write, g_strdup (key), last);
    }
  *last = now;
  return FALSE;
}

/* Storage requests */

static void
handle_media (SoupServerMessage *msg,
              TestBucketObject  *object,
              const char        *action)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  g_autofree char *hash = g_strdup_printf ("crc32c=%s,md5=%s",
                                           g_strcmp0 (action, "bad-crc32c") == 0 ? "AAAAAA==" : object->crc32c,
                                           object->md5);
  g_autofree char *generation = g_strdup_printf ("%" G_GINT64_FORMAT, object->generation);
  g_autofree char *metageneration = g_strdup_printf ("%" G_GINT64_FORMAT, object->metageneration);
  g_autofree char *stored_length = g_strdup_printf ("%" G_GSIZE_FORMAT, g_bytes_get_size (object->data));
  gsize size;
  const guint8 *data = g_bytes_get_data (object->data, &size);
  g_autofree guint8 *copy = g_memdup2 (data, size);

  /* A fault a test asked for: one byte flipped, the headers still those of the real bytes. */
  if (g_strcmp0 (action, "corrupt") == 0 && size > 0)
    copy[size / 2] ^= 0x5a;
  soup_message_headers_append (headers, "x-goog-hash", hash);
  soup_message_headers_append (headers, "x-goog-generation", generation);
  soup_message_headers_append (headers, "x-goog-metageneration", metageneration);
  /* As GCS: Google's clients check x-goog-hash only when the stored bytes were not transcoded. */
  soup_message_headers_append (headers, "x-goog-stored-content-encoding", "identity");
  soup_message_headers_append (headers, "x-goog-stored-content-length", stored_length);
  soup_message_headers_append (headers, "x-goog-storage-class", "STANDARD");
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  if (g_strcmp0 (action, "chunked") == 0)
    {
      SoupMessageBody *body = soup_server_message_get_response_body (msg);

      /* No Content-Length: the size shows only as the bytes arrive. */
      soup_message_headers_set_encoding (headers, SOUP_ENCODING_CHUNKED);
      soup_message_headers_set_content_type (headers, object->content_type, NULL);
      for (gsize at = 0; at < size; at += 16384)
        soup_message_body_append (body, SOUP_MEMORY_COPY, copy + at, MIN (16384, size - at));
      soup_message_body_complete (body);
      return;
    }
  soup_server_message_set_response (msg, object->content_type, SOUP_MEMORY_COPY, (const char *) copy, size);
}

static void
handle_list (Server            *server,
             SoupServerMessage *msg,
             const char        *bucket,
             GHashTable        *query)
{
  const char *prefix = query ? g_hash_table_lookup (query, "prefix") : NULL;
  const char *delimiter = query ? g_hash_table_lookup (query, "delimiter") : NULL;
  const char *token = query ? g_hash_table_lookup (query, "pageToken") : NULL;
  gint64 max_results = 1000;
  g_autoptr(GPtrArray) objects = test_bucket_store_list (server->store, bucket, prefix);
  g_autoptr(GPtrArray) prefixes = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  guint start = 0, emitted = 0, i;

  query_int (query, "maxResults", &max_results);
  max_results = CLAMP (max_results, 1, 1000);
  /* The page token is the first name the previous page did not cover. */
  if (token != NULL)
    while (start < objects->len && strcmp (((TestBucketObject *) objects->pdata[start])->name, token) < 0)
      start++;

  json_builder_begin_object (b);
  add_string (b, "kind", "storage#objects");
  json_builder_set_member_name (b, "items");
  json_builder_begin_array (b);
  /* As GCS, maxResults counts items and prefixes together; a prefix stands for all the names under it. */
  for (i = start; i < objects->len && emitted < max_results; )
    {
      TestBucketObject *object = objects->pdata[i];
      const char *rest = object->name + (prefix != NULL ? strlen (prefix) : 0);
      const char *cut = delimiter != NULL && *delimiter != '\0' ? strstr (rest, delimiter) : NULL;

      if (cut != NULL)
        {
          char *folder = g_strndup (object->name, cut - object->name + strlen (delimiter));

          g_ptr_array_add (prefixes, folder);
          while (i < objects->len && g_str_has_prefix (((TestBucketObject *) objects->pdata[i])->name, folder))
            i++;
        }
      else
        {
          build_resource (b, object);
          i++;
        }
      emitted++;
    }
  json_builder_end_array (b);
  if (prefixes->len > 0)
    {
      json_builder_set_member_name (b, "prefixes");
      json_builder_begin_array (b);
      for (guint p = 0; p < prefixes->len; p++)
        json_builder_add_string_value (b, prefixes->pdata[p]);
      json_builder_end_array (b);
    }
  if (i < objects->len)
    add_string (b, "nextPageToken", ((TestBucketObject *) objects->pdata[i])->name);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  reply_json (msg, SOUP_STATUS_OK, root);
}

static GHashTable *
metadata_from (JsonObject *resource)
{
  GHashTable *metadata;
  JsonObject *m;
  GList *members;

  if (resource == NULL || !json_object_has_member (resource, "metadata"))
    return NULL;
  m = json_object_get_object_member (resource, "metadata");
  if (m == NULL)
    return NULL;
  metadata = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  members = json_object_get_members (m);
  for (GList *l = members; l != NULL; l = l->next)
    {
      JsonNode *value = json_object_get_member (m, l->data);

      if (JSON_NODE_HOLDS_VALUE (value))
        g_hash_table_insert (metadata, g_strdup (l->data), g_strdup (json_node_get_string (value)));
    }
  g_list_free (members);
  return metadata;
}

static void
handle_upload (Server            *server,
               SoupServerMessage *msg,
               const char        *bucket,
               GHashTable        *query,
               gboolean           corrupt)
{
  const char *type = query ? g_hash_table_lookup (query, "uploadType") : NULL;
  const char *name = query ? g_hash_table_lookup (query, "name") : NULL;
  SoupMessageHeaders *request_headers = soup_server_message_get_request_headers (msg);
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  g_autoptr(GBytes) bytes = soup_message_body_flatten (body);
  g_autoptr(GBytes) data = NULL;
  g_autoptr(GHashTable) metadata = NULL;
  g_autofree char *content_type = NULL;
  g_autofree char *declared_md5 = NULL;
  g_autofree char *declared_crc32c = NULL;
  g_autofree char *object_name = g_strdup (name);
  TestBucketObject *object;

  if (g_strcmp0 (type, "multipart") == 0)
    {
      g_autoptr(GBytes) complete = NULL;
      g_autoptr(SoupMultipart) multipart = NULL;
      gsize size;
      const char *raw = g_bytes_get_data (bytes, &size);

      /* The close delimiter may end the body without a line break (Google's Node client sends it so);
       * libsoup's parser wants one. */
      if (size >= 2 && raw[size - 2] == '-' && raw[size - 1] == '-')
        {
          GByteArray *copy = g_byte_array_sized_new (size + 2);

          g_byte_array_append (copy, (const guint8 *) raw, size);
          g_byte_array_append (copy, (const guint8 *) "\r\n", 2);
          complete = g_byte_array_free_to_bytes (copy);
        }
      else
        complete = g_bytes_ref (bytes);
      multipart = soup_multipart_new_from_message (request_headers, complete);
      SoupMessageHeaders *part_headers;
      GBytes *part;
      g_autoptr(JsonParser) parser = json_parser_new ();
      JsonObject *resource = NULL;

      if (multipart == NULL || soup_multipart_get_length (multipart) != 2 ||
          !soup_multipart_get_part (multipart, 0, &part_headers, &part) ||
          !json_parser_load_from_data (parser, g_bytes_get_data (part, NULL), g_bytes_get_size (part), NULL) ||
          !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
        {
          if (server->verbose)
            g_printerr ("multipart refused: %s, %" G_GSIZE_FORMAT " bytes: %.*s\n",
                        soup_message_headers_get_one (request_headers, "Content-Type"), g_bytes_get_size (bytes),
                        (int) MIN (g_bytes_get_size (bytes), 400), (const char *) g_bytes_get_data (bytes, NULL));
          reply_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid", "The multipart body is not metadata and media.");
          return;
        }
      resource = json_node_get_object (json_parser_get_root (parser));
      if (json_object_has_member (resource, "name"))
        {
          g_free (object_name);
          object_name = g_strdup (json_object_get_string_member (resource, "name"));
        }
      if (json_object_has_member (resource, "contentType"))
        content_type = g_strdup (json_object_get_string_member (resource, "contentType"));
      if (json_object_has_member (resource, "md5Hash"))
        declared_md5 = g_strdup (json_object_get_string_member (resource, "md5Hash"));
      if (json_object_has_member (resource, "crc32c"))
        declared_crc32c = g_strdup (json_object_get_string_member (resource, "crc32c"));
      metadata = metadata_from (resource);
      soup_multipart_get_part (multipart, 1, &part_headers, &part);
      data = g_bytes_ref (part);
      if (content_type == NULL)
        content_type = g_strdup (soup_message_headers_get_content_type (part_headers, NULL));
    }
  else if (g_strcmp0 (type, "media") == 0)
    {
      /* A media upload declares its hashes in a header: x-goog-hash: crc32c=…,md5=… */
      const char *hashes = soup_message_headers_get_list (request_headers, "x-goog-hash");
      g_auto(GStrv) parts = hashes != NULL ? g_strsplit (hashes, ",", -1) : NULL;

      for (guint i = 0; parts != NULL && parts[i] != NULL; i++)
        {
          const char *part = g_strstrip (parts[i]);

          if (g_str_has_prefix (part, "crc32c="))
            {
              g_free (declared_crc32c);
              declared_crc32c = g_strdup (part + strlen ("crc32c="));
            }
          else if (g_str_has_prefix (part, "md5="))
            {
              g_free (declared_md5);
              declared_md5 = g_strdup (part + strlen ("md5="));
            }
        }
      data = g_bytes_ref (bytes);
      content_type = g_strdup (soup_message_headers_get_content_type (request_headers, NULL));
    }
  else
    {
      reply_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid", "Only media and multipart uploads are supported here.");
      return;
    }

  /* A fault a test asked for: the bytes damaged on the way, after the client computed their hashes. */
  if (corrupt && g_bytes_get_size (data) > 0)
    {
      gsize size;
      guint8 *damaged = g_bytes_unref_to_data (g_steal_pointer (&data), &size);

      damaged[size / 2] ^= 0x5a;
      data = g_bytes_new_take (damaged, size);
    }
  if (object_name == NULL || *object_name == '\0')
    {
      reply_error (msg, SOUP_STATUS_BAD_REQUEST, "required", "Required parameter: name");
      return;
    }
  object = test_bucket_store_get (server->store, bucket, object_name);
  if (!check_preconditions (msg, query, object, FALSE))
    return;
  /* As GCS: a declared hash that does not match what arrived refuses the write (400, GCS's words). */
  if (declared_crc32c != NULL)
    {
      g_autofree char *actual = test_bucket_crc32c_base64 (data);

      if (!g_str_equal (actual, declared_crc32c))
        {
          g_autofree char *message = g_strdup_printf ("Provided CRC32C \"%s\" doesn't match calculated CRC32C \"%s\".",
                                                      declared_crc32c, actual);

          reply_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid", message);
          return;
        }
    }
  if (declared_md5 != NULL)
    {
      g_autofree char *actual = test_bucket_md5_base64 (data);

      if (!g_str_equal (actual, declared_md5))
        {
          g_autofree char *message = g_strdup_printf ("Provided MD5 hash \"%s\" doesn't match calculated MD5 hash \"%s\".",
                                                      declared_md5, actual);

          reply_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid", message);
          return;
        }
    }
  if (rate_limited (server, bucket, object_name))
    {
      reply_error (msg, 429, "rateLimitExceeded",
                   "The object exceeded the rate limit for object mutation operations (create, update, and delete).");
      return;
    }
  object = test_bucket_store_put (server->store, bucket, object_name, data, content_type, metadata);
  reply_resource (msg, object);
}

static void
handle_object (Server            *server,
               SoupServerMessage *msg,
               const char        *method,
               const char        *bucket,
               const char        *name,
               GHashTable        *query,
               gboolean           media,
               const char        *action)
{
  TestBucketObject *object = test_bucket_store_get (server->store, bucket, name);

  if (g_str_equal (method, "GET"))
    {
      const char *alt = query ? g_hash_table_lookup (query, "alt") : NULL;

      if (object == NULL)
        {
          g_autofree char *message = g_strdup_printf ("No such object: %s/%s", bucket, name);

          reply_error (msg, SOUP_STATUS_NOT_FOUND, "notFound", message);
          return;
        }
      if (!check_preconditions (msg, query, object, TRUE))
        return;
      if (media || g_strcmp0 (alt, "media") == 0)
        handle_media (msg, object, action);
      else
        reply_resource (msg, object);
    }
  else if (g_str_equal (method, "DELETE"))
    {
      if (object == NULL)
        {
          g_autofree char *message = g_strdup_printf ("No such object: %s/%s", bucket, name);

          reply_error (msg, SOUP_STATUS_NOT_FOUND, "notFound", message);
          return;
        }
      if (!check_preconditions (msg, query, object, FALSE))
        return;
      if (rate_limited (server, bucket, name))
        {
          reply_error (msg, 429, "rateLimitExceeded", "The object exceeded the rate limit for object mutation operations.");
          return;
        }
      test_bucket_store_delete (server->store, bucket, name);
      soup_server_message_set_status (msg, SOUP_STATUS_NO_CONTENT, NULL);
    }
  else if (g_str_equal (method, "PATCH"))
    {
      SoupMessageBody *body = soup_server_message_get_request_body (msg);
      g_autoptr(GBytes) bytes = soup_message_body_flatten (body);
      g_autoptr(JsonParser) parser = json_parser_new ();

      if (object == NULL)
        {
          reply_error (msg, SOUP_STATUS_NOT_FOUND, "notFound", "No such object.");
          return;
        }
      if (!check_preconditions (msg, query, object, FALSE))
        return;
      if (!json_parser_load_from_data (parser, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), NULL) ||
          !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
        {
          reply_error (msg, SOUP_STATUS_BAD_REQUEST, "parseError", "The body is not a JSON object.");
          return;
        }
      {
        g_autoptr(GHashTable) metadata = metadata_from (json_node_get_object (json_parser_get_root (parser)));

        if (rate_limited (server, bucket, name))
          {
            reply_error (msg, 429, "rateLimitExceeded",
                         "The object exceeded the rate limit for object mutation operations.");
            return;
          }
        test_bucket_store_update_metadata (server->store, object, metadata);
      }
      reply_resource (msg, object);
    }
  else
    reply_error (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "methodNotAllowed", "Not supported here.");
}

/* Token endpoint */

static GBytes *
base64url_decode (const char *text,
                  gsize       length)
{
  g_autoptr(GString) standard = g_string_new_len (text, length);
  gsize out_length = 0;
  guchar *decoded;

  for (gsize i = 0; i < standard->len; i++)
    {
      if (standard->str[i] == '-')
        standard->str[i] = '+';
      else if (standard->str[i] == '_')
        standard->str[i] = '/';
    }
  while (standard->len % 4 != 0)
    g_string_append_c (standard, '=');
  decoded = g_base64_decode (standard->str, &out_length);
  return g_bytes_new_take (decoded, out_length);
}

static void
handle_token (Server            *server,
              SoupServerMessage *msg)
{
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  g_autoptr(GBytes) bytes = soup_message_body_flatten (body);
  g_autofree char *text = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  g_autoptr(GHashTable) form = soup_form_decode (text);
  const char *grant = g_hash_table_lookup (form, "grant_type");
  const char *assertion = g_hash_table_lookup (form, "assertion");
  g_auto(GStrv) parts = NULL;
  g_autoptr(GBytes) claims_bytes = NULL;
  g_autoptr(GBytes) signature = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *token = NULL;
  g_autofree char *announced_aud = NULL;
  g_autofree char *host_aud = NULL;
  const char *host, *aud;
  const char *why;
  JsonObject *claims;
  gnutls_datum_t signed_data, sig;
  gint64 *expiry;
  GUri *uri = soup_server_message_get_uri (msg);

  /* A person's sign-in (authorized_user credentials): its refresh token for an access token. */
  if (g_strcmp0 (grant, "refresh_token") == 0)
    {
      why = "Bad Request";
      if (server->refresh_token == NULL ||
          g_strcmp0 (g_hash_table_lookup (form, "refresh_token"), server->refresh_token) != 0 ||
          g_strcmp0 (g_hash_table_lookup (form, "client_id"), "") <= 0 ||
          g_strcmp0 (g_hash_table_lookup (form, "client_secret"), "") <= 0)
        goto refused;
      goto grant;
    }
  why = "The server was started without --token-public-key.";
  if (server->token_key == NULL)
    goto refused;
  why = "grant_type is not urn:ietf:params:oauth:grant-type:jwt-bearer, or there is no assertion.";
  if (g_strcmp0 (grant, "urn:ietf:params:oauth:grant-type:jwt-bearer") != 0 || assertion == NULL)
    goto refused;
  why = "The assertion is not a JWT.";
  parts = g_strsplit (assertion, ".", -1);
  if (g_strv_length (parts) != 3)
    goto refused;

  why = "Invalid JWT Signature.";
  signed_data.data = (unsigned char *) assertion;
  signed_data.size = strlen (parts[0]) + 1 + strlen (parts[1]);
  signature = base64url_decode (parts[2], strlen (parts[2]));
  sig.data = (unsigned char *) g_bytes_get_data (signature, NULL);
  sig.size = g_bytes_get_size (signature);
  if (gnutls_pubkey_verify_data2 (server->token_key, GNUTLS_SIGN_RSA_SHA256, 0, &signed_data, &sig) < 0)
    goto refused;

  why = "The JWT's claims are not a JSON object.";
  claims_bytes = base64url_decode (parts[1], strlen (parts[1]));
  if (!json_parser_load_from_data (parser, g_bytes_get_data (claims_bytes, NULL), g_bytes_get_size (claims_bytes), NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    goto refused;
  claims = json_node_get_object (json_parser_get_root (parser));
  /* The token URI, as the client reached it (Host header) or as the server announced it. */
  host = soup_message_headers_get_one (soup_server_message_get_request_headers (msg), "Host");
  announced_aud = g_strdup_printf ("http://127.0.0.1:%d/token", g_uri_get_port (uri));
  host_aud = g_strdup_printf ("http://%s/token", host != NULL ? host : "");
  aud = json_object_get_string_member_with_default (claims, "aud", "");
  why = "Invalid JWT: the audience (aud) is not this token URI.";
  if (!g_str_equal (aud, announced_aud) && !g_str_equal (aud, host_aud))
    goto refused;
  why = "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe.";
  if (json_object_get_int_member_with_default (claims, "exp", 0) < g_get_real_time () / G_USEC_PER_SEC)
    goto refused;
  why = "Invalid JWT: no issuer (iss).";
  if (*json_object_get_string_member_with_default (claims, "iss", "") == '\0')
    goto refused;

grant:
  token = g_strdup_printf ("tok-%u", ++server->n_tokens);
  expiry = g_new (gint64, 1);
  *expiry = g_get_monotonic_time () + (gint64) server->token_lifetime * G_USEC_PER_SEC;
  g_hash_table_insert (server->tokens, g_strdup (token), expiry);
  json_builder_begin_object (b);
  add_string (b, "access_token", token);
  json_builder_set_member_name (b, "expires_in");
  json_builder_add_int_value (b, server->token_lifetime);
  add_string (b, "token_type", "Bearer");
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  reply_json (msg, SOUP_STATUS_OK, root);
  return;

refused:
  json_builder_begin_object (b);
  add_string (b, "error", "invalid_grant");
  add_string (b, "error_description", why);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  reply_json (msg, SOUP_STATUS_BAD_REQUEST, root);
}

static gboolean
authorized (Server            *server,
            SoupServerMessage *msg)
{
  const char *header;
  gint64 *expiry;

  if (server->token_key == NULL && server->refresh_token == NULL)
    return TRUE;
  header = soup_message_headers_get_one (soup_server_message_get_request_headers (msg), "Authorization");
  if (header == NULL || !g_str_has_prefix (header, "Bearer "))
    return FALSE;
  expiry = g_hash_table_lookup (server->tokens, header + strlen ("Bearer "));
  return expiry != NULL && *expiry > g_get_monotonic_time ();
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

/* Buckets */

static void
build_bucket (JsonBuilder *b,
              const char  *name)
{
  json_builder_begin_object (b);
  add_string (b, "kind", "storage#bucket");
  add_string (b, "id", name);
  add_string (b, "name", name);
  add_string (b, "projectNumber", "123456789");
  add_string (b, "metageneration", "1");
  add_string (b, "location", "US");
  add_string (b, "storageClass", "STANDARD");
  add_string (b, "etag", "CAE=");
  json_builder_end_object (b);
}

static void
reply_bucket (SoupServerMessage *msg,
              const char        *name)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  build_bucket (b, name);
  root = json_builder_get_root (b);
  reply_json (msg, SOUP_STATUS_OK, root);
}

/* The conformance server's answer for a bucket nobody made (GCS says "The specified bucket does not exist."). */
static void
reply_no_bucket (SoupServerMessage *msg,
                 const char        *bucket)
{
  g_autofree char *message = g_strdup_printf ("Bucket %s does not exist.", bucket);

  reply_error (msg, SOUP_STATUS_NOT_FOUND, "notFound", message);
}

/* POST /storage/v1/b?project=P {"name": NAME}: 409 when it exists already, as GCS. */
static void
handle_bucket_insert (Server            *server,
                      SoupServerMessage *msg,
                      GHashTable        *query)
{
  g_autoptr(GBytes) bytes = soup_message_body_flatten (soup_server_message_get_request_body (msg));
  g_autoptr(JsonParser) parser = json_parser_new ();
  const char *name = NULL;

  if (json_parser_load_from_data (parser, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), NULL) &&
      JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    name = json_object_get_string_member_with_default (json_node_get_object (json_parser_get_root (parser)), "name", NULL);
  if (query == NULL || g_hash_table_lookup (query, "project") == NULL)
    {
      reply_error (msg, SOUP_STATUS_BAD_REQUEST, "required", "Required parameter: project");
      return;
    }
  if (name == NULL || *name == '\0' || strchr (name, '/') != NULL)
    {
      reply_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid", "Invalid bucket name.");
      return;
    }
  if (!test_bucket_store_add_bucket (server->store, name))
    {
      reply_error (msg, SOUP_STATUS_CONFLICT, "conflict",
                   "Your previous request to create the named bucket succeeded and you already own it.");
      return;
    }
  reply_bucket (msg, name);
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

static gnutls_pubkey_t
load_public_key (const char *path)
{
  g_autofree char *pem = NULL;
  gsize length;
  gnutls_pubkey_t key;
  gnutls_datum_t datum;

  if (!g_file_get_contents (path, &pem, &length, NULL))
    return NULL;
  gnutls_pubkey_init (&key);
  datum.data = (unsigned char *) pem;
  datum.size = length;
  if (gnutls_pubkey_import (key, &datum, GNUTLS_X509_FMT_PEM) < 0)
    {
      gnutls_pubkey_deinit (key);
      return NULL;
    }
  return key;
}

int
main (int   argc,
      char *argv[])
{
  int port = 0, latency = 0, lifetime = 3600, seed = 0;
  double fail_rate = 0;
  gboolean rate_limit = FALSE, verbose = FALSE;
  g_autofree char *dir = NULL;
  g_autofree char *key_path = NULL;
  g_auto(GStrv) buckets = NULL;
  g_autofree char *refresh_token = NULL;
  GOptionEntry entries[] = {
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
  if (!soup_server_listen_local (soup_server, port, SOUP_SERVER_LISTEN_IPV4_ONLY, &error))
    {
      g_printerr ("yatai-test-bucket: cannot listen on port %d: %s\n", port, error->message);
      return 1;
    }
  uris = soup_server_get_uris (soup_server);
  printf ("listening on http://127.0.0.1:%d\n", g_uri_get_port (uris->data));
  fflush (stdout);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  loop = g_main_loop_new (NULL, FALSE);
  g_main_loop_run (loop);
  return 0;
}
