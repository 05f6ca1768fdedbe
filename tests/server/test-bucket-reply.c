/* test-bucket-reply.c: yatai-test-bucket's answers: errors and object resources as GCS writes them,
 * and the preconditions */
#define G_LOG_DOMAIN "yatai-test-bucket"

#include <string.h>

#include "test-bucket.h"

/* Answers */

void
reply_json (SoupServerMessage *msg,
            guint              status,
            JsonNode          *node)
{
  g_autofree char *body = json_to_string (node, FALSE);

  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json; charset=UTF-8", SOUP_MEMORY_COPY, body, strlen (body));
}

/* GCS's error body: {"error": {"code": N, "message": "...", "errors": [{"reason": "...", ...}]}} */
void
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

void
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
void
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

void
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

gboolean
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
gboolean
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
