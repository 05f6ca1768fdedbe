/* test-bucket-objects.c: yatai-test-bucket's objects and buckets: media, listings, uploads, metadata,
 * bucket inserts */
#define G_LOG_DOMAIN "yatai-test-bucket"

#include <string.h>

#include "test-bucket.h"

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

void
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

void
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
  g_ptr_array_add (server->created, g_strdup (object_name));
  reply_resource (msg, object);
}

void
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

void
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
void
reply_no_bucket (SoupServerMessage *msg,
                 const char        *bucket)
{
  g_autofree char *message = g_strdup_printf ("Bucket %s does not exist.", bucket);

  reply_error (msg, SOUP_STATUS_NOT_FOUND, "notFound", message);
}

/* POST /storage/v1/b?project=P {"name": NAME}: 409 when it exists already, as GCS. */
void
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
