/* yatai-gcs-object.c: what the JSON API answers, as the client reads it
 *
 * An object's resource, a page of a listing, an error's message, and the hashes GCS writes (base64 of
 * the big-endian digest). The answers come from outside: every member is checked for its type and for
 * UTF-8 before it is used.
 */
#define G_LOG_DOMAIN "yatai-gcs"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "yatai-command.h"
#include "yatai-crc32c.h"
#include "yatai-gcs-client.h"
#include "yatai-gcs-private.h"

G_DEFINE_BOXED_TYPE (YataiGcsObject, yatai_gcs_object, yatai_gcs_object_copy, yatai_gcs_object_free)

/* Objects */

YataiGcsObject *
yatai_gcs_object_copy (const YataiGcsObject *object)
{
  YataiGcsObject *copy = g_new0 (YataiGcsObject, 1);

  copy->name = g_strdup (object->name);
  copy->generation = object->generation;
  copy->metageneration = object->metageneration;
  copy->size = object->size;
  copy->md5 = g_strdup (object->md5);
  if (object->metadata != NULL)
    copy->metadata = g_hash_table_ref (object->metadata);
  return copy;
}

void
yatai_gcs_object_free (YataiGcsObject *object)
{
  if (object == NULL)
    return;
  g_free (object->name);
  g_free (object->md5);
  g_clear_pointer (&object->metadata, g_hash_table_unref);
  g_free (object);
}

static gint64
number_member (JsonObject *object,
               const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return -1;
  if (json_node_get_value_type (node) == G_TYPE_STRING)
    return g_ascii_strtoll (json_node_get_string (node), NULL, 10);
  if (json_node_get_value_type (node) == G_TYPE_INT64)
    return json_node_get_int (node);
  return -1;
}

/* A member's string, or NULL when it is absent, anything but a string, or not UTF-8 (json-glib 1.6 lets
 * a bad escape such as "\2" through as raw bytes): the answer comes from outside, and json-glib's typed
 * getters are for JSON whose shape is known. */
const char *
yatai_gcs_string_member (JsonObject *object,
                         const char *name)
{
  JsonNode *node = json_object_get_member (object, name);
  const char *value;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  value = json_node_get_string (node);
  return value != NULL && g_utf8_validate (value, -1, NULL) ? value : NULL;
}

static YataiGcsObject *
object_from_json (JsonObject *json)
{
  YataiGcsObject *object;
  JsonNode *metadata;

  if (json == NULL || yatai_gcs_string_member (json, "name") == NULL)
    return NULL;
  object = g_new0 (YataiGcsObject, 1);
  object->name = g_strdup (yatai_gcs_string_member (json, "name"));
  object->generation = number_member (json, "generation");
  object->metageneration = number_member (json, "metageneration");
  object->size = number_member (json, "size");
  object->md5 = g_strdup (yatai_gcs_string_member (json, "md5Hash"));
  metadata = json_object_get_member (json, "metadata");
  if (metadata != NULL && JSON_NODE_HOLDS_OBJECT (metadata))
    {
      JsonObject *m = json_node_get_object (metadata);
      GList *members = json_object_get_members (m);

      object->metadata = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      for (GList *l = members; l != NULL; l = l->next)
        {
          const char *value = yatai_gcs_string_member (m, l->data);

          if (!g_utf8_validate (l->data, -1, NULL))
            continue;
          g_hash_table_insert (object->metadata, g_strdup (l->data), g_strdup (value != NULL ? value : ""));
        }
      g_list_free (members);
    }
  return object;
}

/* Hashes, as GCS writes them: base64 of the big-endian digest. */
char *
yatai_gcs_crc32c_base64 (const guint8 *data,
                         gsize         size)
{
  return yatai_crc32c_base64 (yatai_crc32c_update (0, data, size));
}

char *
yatai_gcs_md5_base64 (const guint8 *data,
                      gsize         size)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_MD5);
  guint8 digest[16];
  gsize length = sizeof digest;

  g_checksum_update (checksum, data, size);
  g_checksum_get_digest (checksum, digest, &length);
  return g_base64_encode (digest, length);
}

static JsonObject *
parse_object (const char *json,
              gssize      length,
              JsonParser *parser)
{
  /* Not json_parser_load_from_data(): a body of white space parses to no root at all, and one of
   * several values leaks. */
  JsonNode *root = yatai_json_parse_one (parser, json, length);

  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return NULL;
  return json_node_get_object (root);
}

/**
 * yatai_gcs_object_parse:
 *
 * An object's resource from the JSON the service answered (to an upload or a stat); NULL with
 * YATAI_GCS_ERROR_CORRUPT when it is not one.
 */
YataiGcsObject *
yatai_gcs_object_parse (const char  *json,
                        gssize       length,
                        GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  YataiGcsObject *object;

  g_return_val_if_fail (json != NULL || length == 0, NULL);

  object = object_from_json (parse_object (json, length, parser));
  if (object == NULL)
    g_set_error_literal (error, YATAI_GCS_ERROR, YATAI_GCS_ERROR_CORRUPT,
                         _("The storage service answered something that is not an object's description."));
  return object;
}

/**
 * yatai_gcs_list_page_parse:
 *
 * One page of a listing: its objects are added to @objects (of YataiGcsObject), and @next_page_token
 * gets the token of the next page, or NULL on the last one. FALSE with YATAI_GCS_ERROR_CORRUPT when the
 * JSON is not a listing.
 */
gboolean
yatai_gcs_list_page_parse (const char  *json,
                           gssize       length,
                           GPtrArray   *objects,
                           char       **next_page_token,
                           GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *page;
  JsonNode *items;

  g_return_val_if_fail (json != NULL || length == 0, FALSE);
  g_return_val_if_fail (objects != NULL, FALSE);
  g_return_val_if_fail (next_page_token != NULL, FALSE);

  *next_page_token = NULL;
  page = parse_object (json, length, parser);
  if (page == NULL)
    {
      g_set_error_literal (error, YATAI_GCS_ERROR, YATAI_GCS_ERROR_CORRUPT,
                           _("The storage service answered something that is not a listing."));
      return FALSE;
    }
  items = json_object_get_member (page, "items");
  if (items != NULL && JSON_NODE_HOLDS_ARRAY (items))
    {
      JsonArray *array = json_node_get_array (items);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *item = json_array_get_element (array, i);
          YataiGcsObject *object = JSON_NODE_HOLDS_OBJECT (item) ? object_from_json (json_node_get_object (item)) : NULL;

          if (object != NULL)
            g_ptr_array_add (objects, object);
        }
    }
  *next_page_token = g_strdup (yatai_gcs_string_member (page, "nextPageToken"));
  return TRUE;
}

/* The message of GCS's error body, {"error": {"code": N, "message": "…"}}, or NULL. */
char *
yatai_gcs_error_message (GBytes *body)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root, *error;
  gsize size;
  const char *data;

  if (body == NULL)
    return NULL;
  data = g_bytes_get_data (body, &size);
  root = yatai_json_parse_one (parser, data, size);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return NULL;
  error = json_object_get_member (json_node_get_object (root), "error");
  if (error == NULL || !JSON_NODE_HOLDS_OBJECT (error))
    return NULL;
  return g_strdup (yatai_gcs_string_member (json_node_get_object (error), "message"));
}
