/* yatai-gcs-client.c: the Google Cloud Storage JSON API over libsoup
 *
 * One request is one Call: built into a SoupMessage (with a token when there is an auth), sent, and its
 * answer turned into a result or a YATAI_GCS_ERROR. A Call that may be repeated (a read, or a write with
 * a generation precondition, which GCS applies at most once) is retried on 408, 429, 5xx, resets and
 * timeouts, after a delay that doubles from the first one (1 s by default) with full jitter, until the
 * total time runs out. A write without a precondition is never repeated: it might apply twice.
 */
#define G_LOG_DOMAIN "yatai-gcs"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "yatai-command.h"
#include "yatai-crc32c.h"
#include "yatai-gcs-client.h"

#define DEFAULT_ENDPOINT "https://storage.googleapis.com"

G_DEFINE_QUARK (yatai-gcs-error-quark, yatai_gcs_error)
G_DEFINE_BOXED_TYPE (YataiGcsObject, yatai_gcs_object, yatai_gcs_object_copy, yatai_gcs_object_free)

struct _YataiGcsClient
{
  GObject       parent_instance;

  SoupSession  *session;
  YataiGcsAuth *auth;
  char         *endpoint;     /* without a trailing slash */
  guint         first_delay_ms;
  guint         total_ms;
  guint         n_retries;
  guint         n_requests;
  gboolean      no_silent_restarts;
};

G_DEFINE_FINAL_TYPE (YataiGcsClient, yatai_gcs_client, G_TYPE_OBJECT)

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
static const char *
string_member (JsonObject *object,
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

  if (json == NULL || string_member (json, "name") == NULL)
    return NULL;
  object = g_new0 (YataiGcsObject, 1);
  object->name = g_strdup (string_member (json, "name"));
  object->generation = number_member (json, "generation");
  object->metageneration = number_member (json, "metageneration");
  object->size = number_member (json, "size");
  object->md5 = g_strdup (string_member (json, "md5Hash"));
  metadata = json_object_get_member (json, "metadata");
  if (metadata != NULL && JSON_NODE_HOLDS_OBJECT (metadata))
    {
      JsonObject *m = json_node_get_object (metadata);
      GList *members = json_object_get_members (m);

      object->metadata = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      for (GList *l = members; l != NULL; l = l->next)
        {
          const char *value = string_member (m, l->data);

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

/* Calls */

typedef enum
{
  CALL_CREATE,
  CALL_READ,
  CALL_STAT,
  CALL_LIST,
  CALL_DELETE,
} CallKind;

typedef struct
{
  CallKind            kind;
  char               *method;
  char               *url;          /* without the page token */
  char               *content_type;
  GBytes             *body;
  gboolean            repeatable;
  guint               attempt;
  gint64              deadline;     /* monotonic µs */
  guint               page_size;
  char               *page_token;
  GPtrArray          *listed;       /* CALL_LIST: YataiGcsObject, all pages */
  char               *name;         /* for messages */
  char               *bucket;
  guint               timer;
} Call;

static void
call_free (gpointer data)
{
  Call *call = data;

  g_clear_handle_id (&call->timer, g_source_remove);
  g_free (call->method);
  g_free (call->url);
  g_free (call->content_type);
  g_clear_pointer (&call->body, g_bytes_unref);
  g_free (call->page_token);
  g_clear_pointer (&call->listed, g_ptr_array_unref);
  g_free (call->name);
  g_free (call->bucket);
  g_free (call);
}

static void send_call (GTask *task);

static char *
escape (const char *text)
{
  return g_uri_escape_string (text, NULL, FALSE);
}

static void
append_conditions (GString                  *url,
                   const YataiGcsConditions *conditions)
{
  if (conditions == NULL)
    return;
  if (conditions->if_generation_match >= 0)
    g_string_append_printf (url, "%cifGenerationMatch=%" G_GINT64_FORMAT,
                            strchr (url->str, '?') ? '&' : '?', conditions->if_generation_match);
  if (conditions->if_generation_not_match >= 0)
    g_string_append_printf (url, "%cifGenerationNotMatch=%" G_GINT64_FORMAT,
                            strchr (url->str, '?') ? '&' : '?', conditions->if_generation_not_match);
  if (conditions->if_metageneration_match >= 0)
    g_string_append_printf (url, "%cifMetagenerationMatch=%" G_GINT64_FORMAT,
                            strchr (url->str, '?') ? '&' : '?', conditions->if_metageneration_match);
}

static GTask *
start_call (YataiGcsClient           *self,
            CallKind                  kind,
            const char               *method,
            GString                  *url,
            const char               *bucket,
            const char               *name,
            const YataiGcsConditions *conditions,
            GCancellable             *cancellable,
            GAsyncReadyCallback       callback,
            gpointer                  user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  Call *call = g_new0 (Call, 1);

  append_conditions (url, conditions);
  call->kind = kind;
  call->method = g_strdup (method);
  call->url = g_string_free (url, FALSE);
  call->name = g_strdup (name);
  call->bucket = g_strdup (bucket);
  call->deadline = g_get_monotonic_time () + (gint64) self->total_ms * 1000;
  /* Reads repeat safely; a write only when a generation precondition makes it apply at most once. */
  call->repeatable = kind == CALL_READ || kind == CALL_STAT || kind == CALL_LIST ||
                     (conditions != NULL && conditions->if_generation_match >= 0);
  g_task_set_task_data (task, call, call_free);
  return task;
}

/* The message of GCS's error body, {"error": {"code": N, "message": "…"}}, or NULL. */
static char *
error_message_of (GBytes *body)
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
  return g_strdup (string_member (json_node_get_object (error), "message"));
}

/* A 404 that is about the bucket, not the object: GCS says "The specified bucket does not exist.",
 * Google's conformance server "Bucket NAME does not exist.". */
static gboolean
is_missing_bucket (Call       *call,
                   const char *message)
{
  g_autofree char *conformance = g_strdup_printf ("Bucket %s does not exist.", call->bucket != NULL ? call->bucket : "");

  return message != NULL && (strstr (message, "The specified bucket does not exist") != NULL ||
                             g_str_equal (message, conformance));
}

static GError *
error_for_status (YataiGcsClient *self,
                  Call           *call,
                  guint           status,
                  GBytes         *body)
{
  const char *name = call->name != NULL ? call->name : "";
  const char *bucket = call->bucket != NULL ? call->bucket : "";
  g_autofree char *message = error_message_of (body);

  switch (status)
    {
    case SOUP_STATUS_NOT_FOUND:
      if (is_missing_bucket (call, message))
        return g_error_new (YATAI_GCS_ERROR, YATAI_GCS_ERROR_BUCKET_MISSING,
                            _("There is no bucket “%s”. Check the bucket’s name in Preferences → Sync."), bucket);
      return g_error_new (YATAI_GCS_ERROR, YATAI_GCS_ERROR_NOT_FOUND, _("“%s” is not in the bucket."), name);
    case SOUP_STATUS_PRECONDITION_FAILED:
      return g_error_new (YATAI_GCS_ERROR, YATAI_GCS_ERROR_PRECONDITION_FAILED,
                          _("“%s” was changed by another device first."), name);
    case SOUP_STATUS_NOT_MODIFIED:
      return g_error_new (YATAI_GCS_ERROR, YATAI_GCS_ERROR_NOT_MODIFIED, _("“%s” has not changed."), name);
    case 429:
      return g_error_new_literal (YATAI_GCS_ERROR, YATAI_GCS_ERROR_RATE_LIMITED,
                                  _("The bucket asks Yatai to slow down."));
    case SOUP_STATUS_UNAUTHORIZED:
      return g_error_new_literal (YATAI_GCS_ERROR, YATAI_GCS_ERROR_UNAUTHORIZED,
                                  _("The bucket did not accept this device’s credentials. Check the credentials in "
                                    "Preferences → Sync."));
    case SOUP_STATUS_FORBIDDEN:
      {
        const char *account = self->auth != NULL ? yatai_gcs_auth_get_account (self->auth) : NULL;

        if (account != NULL)
          return g_error_new (YATAI_GCS_ERROR, YATAI_GCS_ERROR_FORBIDDEN,
                              _("The account “%s” may not use the bucket “%s”. In the Google Cloud console, give it "
                                "the role Storage Object User (roles/storage.objectUser) on the bucket."),
                              account, bucket);
        return g_error_new (YATAI_GCS_ERROR, YATAI_GCS_ERROR_FORBIDDEN,
                            _("This device’s account may not use the bucket “%s”. In the Google Cloud console, give "
                              "it the role Storage Object User (roles/storage.objectUser) on the bucket."),
                            bucket);
      }
    case SOUP_STATUS_BAD_REQUEST:
      if (call->kind == CALL_CREATE && message != NULL && strstr (message, "doesn't match calculated") != NULL)
        return g_error_new (YATAI_GCS_ERROR, YATAI_GCS_ERROR_CHECKSUM_REFUSED,
                            _("The bucket refused “%s”: it arrived damaged. Yatai will send it again."), name);
      G_GNUC_FALLTHROUGH;
    default:
      if (status >= 500)
        return g_error_new (YATAI_GCS_ERROR, YATAI_GCS_ERROR_SERVER,
                            _("The storage service had a problem (%u). Yatai will try again."), status);
      return g_error_new (YATAI_GCS_ERROR, YATAI_GCS_ERROR_FAILED,
                          _("The storage service refused the request (%u)."), status);
    }
}

static gboolean
retry_cb (gpointer data)
{
  GTask *task = data;
  Call *call = g_task_get_task_data (task);

  call->timer = 0;
  send_call (g_object_ref (task));
  return G_SOURCE_REMOVE;
}

/* Another try later when the call may be repeated and there is time; FALSE to give up now. */
static gboolean
retry_later (GTask *task)
{
  YataiGcsClient *self = g_task_get_source_object (task);
  Call *call = g_task_get_task_data (task);
  guint64 ceiling, delay;

  if (!call->repeatable || g_cancellable_is_cancelled (g_task_get_cancellable (task)))
    return FALSE;
  ceiling = (guint64) self->first_delay_ms << MIN (call->attempt, 6);
  delay = g_random_double () * ceiling;         /* full jitter */
  if (g_get_monotonic_time () + (gint64) delay * 1000 > call->deadline)
    return FALSE;
  call->attempt++;
  self->n_retries++;
  call->timer = g_timeout_add_full (G_PRIORITY_DEFAULT, MAX (delay, 1), retry_cb, g_object_ref (task), g_object_unref);
  return TRUE;
}

static gboolean
check_hash (SoupMessage  *msg,
            GBytes       *body)
{
  const char *header = soup_message_headers_get_one (soup_message_get_response_headers (msg), "x-goog-hash");
  g_auto(GStrv) parts = NULL;
  gsize size;
  const guint8 *data = g_bytes_get_data (body, &size);

  if (header == NULL)
    return TRUE;
  parts = g_strsplit (header, ",", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      const char *part = g_strstrip (parts[i]);

      if (g_str_has_prefix (part, "md5="))
        {
          g_autofree char *md5 = yatai_gcs_md5_base64 (data, size);

          return g_str_equal (md5, part + 4);
        }
    }
  for (guint i = 0; parts[i] != NULL; i++)
    if (g_str_has_prefix (parts[i], "crc32c="))
      {
        g_autofree char *crc = yatai_gcs_crc32c_base64 (data, size);

        return g_str_equal (crc, parts[i] + 7);
      }
  return TRUE;
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
  *next_page_token = g_strdup (string_member (page, "nextPageToken"));
  return TRUE;
}

static void
answered_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  YataiGcsClient *self = g_task_get_source_object (task);
  Call *call = g_task_get_task_data (task);
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  guint status;

  if (body == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      /* No answer: a reset, a timeout, an unreachable host. */
      if (retry_later (task))
        return;
      g_task_return_new_error (task, YATAI_GCS_ERROR, YATAI_GCS_ERROR_NETWORK,
                               _("The storage service could not be reached: %s"), error->message);
      return;
    }

  status = soup_message_get_status (msg);
  if (status == 408 || status == 429 || status >= 500)
    {
      if (retry_later (task))
        return;
      g_task_return_error (task, error_for_status (self, call, status, body));
      return;
    }
  if (status != SOUP_STATUS_OK && status != SOUP_STATUS_NO_CONTENT &&
      !(call->kind == CALL_DELETE && status == SOUP_STATUS_OK))
    {
      g_task_return_error (task, error_for_status (self, call, status, body));
      return;
    }

  switch (call->kind)
    {
    case CALL_DELETE:
      g_task_return_boolean (task, TRUE);
      break;
    case CALL_READ:
      if (!check_hash (msg, body))
        {
          g_task_return_new_error (task, YATAI_GCS_ERROR, YATAI_GCS_ERROR_CORRUPT,
                                   _("“%s” arrived damaged: its bytes do not match their checksum."), call->name);
          break;
        }
      {
        const char *generation = soup_message_headers_get_one (soup_message_get_response_headers (msg),
                                                               "x-goog-generation");

        g_object_set_data (G_OBJECT (task), "generation",
                           GSIZE_TO_POINTER ((gsize) (generation ? g_ascii_strtoll (generation, NULL, 10) : 0)));
      }
      g_task_return_pointer (task, g_bytes_ref (body), (GDestroyNotify) g_bytes_unref);
      break;
    case CALL_CREATE:
    case CALL_STAT:
      {
        gsize size;
        const char *json = g_bytes_get_data (body, &size);
        YataiGcsObject *object = yatai_gcs_object_parse (json, size, &error);

        if (object == NULL)
          g_task_return_error (task, g_steal_pointer (&error));
        else
          g_task_return_pointer (task, object, (GDestroyNotify) yatai_gcs_object_free);
      }
      break;
    case CALL_LIST:
      {
        gsize size;
        const char *json = g_bytes_get_data (body, &size);

        g_clear_pointer (&call->page_token, g_free);
        if (!yatai_gcs_list_page_parse (json, size, call->listed, &call->page_token, &error))
          {
            g_task_return_error (task, g_steal_pointer (&error));
            break;
          }
        if (call->page_token != NULL && *call->page_token != '\0')
          {
            call->attempt = 0;
            call->deadline = g_get_monotonic_time () + (gint64) self->total_ms * 1000;
            send_call (g_steal_pointer (&task));
            break;
          }
        g_task_return_pointer (task, g_ptr_array_ref (call->listed), (GDestroyNotify) g_ptr_array_unref);
      }
      break;
    default:
      g_assert_not_reached ();
    }
}

static void
send_with_token (GTask      *task,
                 const char *token)
{
  YataiGcsClient *self = g_task_get_source_object (task);
  Call *call = g_task_get_task_data (task);
  g_autofree char *url = NULL;
  g_autoptr(SoupMessage) msg = NULL;

  if (call->kind == CALL_LIST && call->page_token != NULL)
    {
      g_autofree char *escaped = escape (call->page_token);

      url = g_strdup_printf ("%s&pageToken=%s", call->url, escaped);
    }
  else
    url = g_strdup (call->url);
  msg = soup_message_new (call->method, url);
  if (msg == NULL)
    {
      g_task_return_new_error (task, YATAI_GCS_ERROR, YATAI_GCS_ERROR_FAILED,
                               _("The bucket's address is not a web address."));
      g_object_unref (task);
      return;
    }
  if (token != NULL)
    {
      g_autofree char *header = g_strconcat ("Bearer ", token, NULL);

      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", header);
    }
  if (call->body != NULL)
    soup_message_set_request_body_from_bytes (msg, call->content_type, call->body);
  if (self->no_silent_restarts && !g_str_equal (call->method, "POST") && !g_str_equal (call->method, "PATCH"))
    soup_message_add_flags (msg, SOUP_MESSAGE_NEW_CONNECTION);
  self->n_requests++;
  soup_session_send_and_read_async (self->session, msg, G_PRIORITY_DEFAULT, g_task_get_cancellable (task),
                                    answered_cb, task);
}

static void
token_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  GTask *task = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *token = yatai_gcs_auth_get_token_finish (YATAI_GCS_AUTH (source), result, &error);

  if (token == NULL)
    {
      /* The sign-in service unreachable is worth another try; a refused key is not. */
      if (g_error_matches (error, YATAI_GCS_ERROR, YATAI_GCS_ERROR_NETWORK) && retry_later (task))
        {
          g_object_unref (task);
          return;
        }
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }
  send_with_token (task, token);
}

/* Takes the caller's reference on @task. */
static void
send_call (GTask *task)
{
  YataiGcsClient *self = g_task_get_source_object (task);

  if (g_task_return_error_if_cancelled (task))
    {
      g_object_unref (task);
      return;
    }
  if (self->auth != NULL)
    yatai_gcs_auth_get_token_async (self->auth, self->session, g_task_get_cancellable (task), token_cb, task);
  else
    send_with_token (task, NULL);
}

/* The client */

static void
yatai_gcs_client_finalize (GObject *object)
{
  YataiGcsClient *self = YATAI_GCS_CLIENT (object);

  g_clear_object (&self->session);
  g_clear_object (&self->auth);
  g_free (self->endpoint);
  G_OBJECT_CLASS (yatai_gcs_client_parent_class)->finalize (object);
}

static void
yatai_gcs_client_class_init (YataiGcsClientClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = yatai_gcs_client_finalize;
}

static void
yatai_gcs_client_init (YataiGcsClient *self)
{
  self->session = soup_session_new_with_options ("user-agent", "Yatai/" PACKAGE_VERSION " ",
                                                 "timeout", 30,
                                                 "max-conns-per-host", 4,
                                                 NULL);
  self->first_delay_ms = 1000;
  self->total_ms = 60000;
  /* libsoup before 3.5 silently restarts a GET or DELETE whose reused connection the server had
   * closed, and when that restart races the first attempt's answer it frees the request while the
   * restart still runs: a crash (libsoup commit 2a592b11, seen here under a dropped-connection fault).
   * There such requests get a connection of their own, which libsoup never restarts; a dropped one
   * fails, and this client's own retry with backoff sends it again. */
  self->no_silent_restarts = soup_get_major_version () == 3 && soup_get_minor_version () < 5;
}

/**
 * yatai_gcs_client_new:
 * @endpoint: (nullable): the service's address; %NULL for Google's, or $STORAGE_EMULATOR_HOST when set
 *   (with or without "http://")
 * @auth: (nullable): where tokens come from; %NULL sends none (a test server)
 */
YataiGcsClient *
yatai_gcs_client_new (const char   *endpoint,
                      YataiGcsAuth *auth)
{
  YataiGcsClient *self = g_object_new (YATAI_TYPE_GCS_CLIENT, NULL);
  const char *emulator = g_getenv ("STORAGE_EMULATOR_HOST");

  if (endpoint == NULL || *endpoint == '\0')
    endpoint = emulator != NULL && *emulator != '\0' ? emulator : DEFAULT_ENDPOINT;
  /* STORAGE_EMULATOR_HOST is set both as "host:port" and "http://host:port" (Google's Go client takes
   * either, googleapis/google-cloud-go#4616): without a scheme it is plain HTTP. */
  if (strstr (endpoint, "://") == NULL)
    self->endpoint = g_strconcat ("http://", endpoint, NULL);
  else
    self->endpoint = g_strdup (endpoint);
  while (g_str_has_suffix (self->endpoint, "/"))
    self->endpoint[strlen (self->endpoint) - 1] = '\0';
  if (auth != NULL)
    self->auth = g_object_ref (auth);
  return self;
}

const char *
yatai_gcs_client_get_endpoint (YataiGcsClient *self)
{
  g_return_val_if_fail (YATAI_IS_GCS_CLIENT (self), NULL);
  return self->endpoint;
}

/* The first retry waits up to @first_delay_ms, each next one up to twice as long; none starts after
 * @total_ms from the request. */
void
yatai_gcs_client_set_retry (YataiGcsClient *self,
                            guint           first_delay_ms,
                            guint           total_ms)
{
  g_return_if_fail (YATAI_IS_GCS_CLIENT (self));
  self->first_delay_ms = MAX (first_delay_ms, 1);
  self->total_ms = total_ms;
}

/* Seconds without an answer before a request counts as lost (and is retried when it may be). */
void
yatai_gcs_client_set_timeout (YataiGcsClient *self,
                              guint           seconds)
{
  g_return_if_fail (YATAI_IS_GCS_CLIENT (self));
  g_object_set (self->session, "timeout", seconds, NULL);
}

guint
yatai_gcs_client_get_n_retries (YataiGcsClient *self)
{
  g_return_val_if_fail (YATAI_IS_GCS_CLIENT (self), 0);
  return self->n_retries;
}

guint
yatai_gcs_client_get_n_requests (YataiGcsClient *self)
{
  g_return_val_if_fail (YATAI_IS_GCS_CLIENT (self), 0);
  return self->n_requests;
}

static GString *
object_url (YataiGcsClient *self,
            const char     *bucket,
            const char     *name)
{
  g_autofree char *b = escape (bucket);
  g_autofree char *n = escape (name);
  GString *url = g_string_new (self->endpoint);

  g_string_append_printf (url, "/storage/v1/b/%s/o/%s", b, n);
  return url;
}

void
yatai_gcs_client_create_async (YataiGcsClient           *self,
                               const char               *bucket,
                               const char               *name,
                               GBytes                   *data,
                               GHashTable               *metadata,
                               const YataiGcsConditions *conditions,
                               GCancellable             *cancellable,
                               GAsyncReadyCallback       callback,
                               gpointer                  user_data)
{
  g_autofree char *b = escape (bucket);
  g_autofree char *n = escape (name);
  GString *url = g_string_new (self->endpoint);
  GTask *task;
  Call *call;

  g_return_if_fail (YATAI_IS_GCS_CLIENT (self));

  if (metadata == NULL)
    g_string_append_printf (url, "/upload/storage/v1/b/%s/o?uploadType=media&name=%s", b, n);
  else
    g_string_append_printf (url, "/upload/storage/v1/b/%s/o?uploadType=multipart", b);
  task = start_call (self, CALL_CREATE, SOUP_METHOD_POST, url, bucket, name, conditions, cancellable, callback, user_data);
  g_task_set_source_tag (task, yatai_gcs_client_create_async);
  call = g_task_get_task_data (task);

  if (metadata == NULL)
    {
      call->content_type = g_strdup ("application/octet-stream");
      call->body = g_bytes_ref (data);
    }
  else
    {
      /* multipart/related: the resource (name, custom metadata, the MD5 GCS checks), then the bytes. */
      g_autoptr(SoupMultipart) multipart = soup_multipart_new ("multipart/related");
      g_autoptr(JsonBuilder) b2 = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;
      g_autofree char *json = NULL;
      g_autofree char *md5 = yatai_gcs_md5_base64 (g_bytes_get_data (data, NULL), g_bytes_get_size (data));
      g_autoptr(GBytes) json_bytes = NULL;
      g_autoptr(SoupMessageHeaders) headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_MULTIPART);
      g_autoptr(GBytes) body = NULL;
      GHashTableIter iter;
      gpointer key, value;

      json_builder_begin_object (b2);
      json_builder_set_member_name (b2, "name");
      json_builder_add_string_value (b2, name);
      json_builder_set_member_name (b2, "md5Hash");
      json_builder_add_string_value (b2, md5);
      json_builder_set_member_name (b2, "metadata");
      json_builder_begin_object (b2);
      g_hash_table_iter_init (&iter, metadata);
      while (g_hash_table_iter_next (&iter, &key, &value))
        {
          json_builder_set_member_name (b2, key);
          json_builder_add_string_value (b2, value);
        }
      json_builder_end_object (b2);
      json_builder_end_object (b2);
      root = json_builder_get_root (b2);
      json = json_to_string (root, FALSE);
      json_bytes = g_bytes_new (json, strlen (json));
      soup_multipart_append_form_file (multipart, "metadata", NULL, "application/json; charset=UTF-8", json_bytes);
      soup_multipart_append_form_file (multipart, "file", NULL, "application/octet-stream", data);
      soup_multipart_to_message (multipart, headers, &body);
      call->content_type = g_strdup (soup_message_headers_get_one (headers, "Content-Type"));
      call->body = g_steal_pointer (&body);
    }
  send_call (task);
}

YataiGcsObject *
yatai_gcs_client_create_finish (YataiGcsClient  *self,
                                GAsyncResult    *result,
                                GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
yatai_gcs_client_read_async (YataiGcsClient           *self,
                             const char               *bucket,
                             const char               *name,
                             const YataiGcsConditions *conditions,
                             GCancellable             *cancellable,
                             GAsyncReadyCallback       callback,
                             gpointer                  user_data)
{
  GString *url;
  GTask *task;

  g_return_if_fail (YATAI_IS_GCS_CLIENT (self));

  url = object_url (self, bucket, name);
  g_string_append (url, "?alt=media");
  task = start_call (self, CALL_READ, SOUP_METHOD_GET, url, bucket, name, conditions, cancellable, callback, user_data);
  g_task_set_source_tag (task, yatai_gcs_client_read_async);
  send_call (task);
}

GBytes *
yatai_gcs_client_read_finish (YataiGcsClient  *self,
                              GAsyncResult    *result,
                              gint64          *generation,
                              GError         **error)
{
  GBytes *bytes;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  bytes = g_task_propagate_pointer (G_TASK (result), error);
  if (bytes != NULL && generation != NULL)
    *generation = (gint64) GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (result), "generation"));
  return bytes;
}

void
yatai_gcs_client_stat_async (YataiGcsClient           *self,
                             const char               *bucket,
                             const char               *name,
                             const YataiGcsConditions *conditions,
                             GCancellable             *cancellable,
                             GAsyncReadyCallback       callback,
                             gpointer                  user_data)
{
  GTask *task;

  g_return_if_fail (YATAI_IS_GCS_CLIENT (self));

  task = start_call (self, CALL_STAT, SOUP_METHOD_GET, object_url (self, bucket, name), bucket, name, conditions,
                     cancellable, callback, user_data);
  g_task_set_source_tag (task, yatai_gcs_client_stat_async);
  send_call (task);
}

YataiGcsObject *
yatai_gcs_client_stat_finish (YataiGcsClient  *self,
                              GAsyncResult    *result,
                              GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
yatai_gcs_client_list_async (YataiGcsClient      *self,
                             const char          *bucket,
                             const char          *prefix,
                             guint                page_size,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autofree char *b = escape (bucket);
  g_autofree char *p = escape (prefix != NULL ? prefix : "");
  GString *url = g_string_new (self->endpoint);
  GTask *task;
  Call *call;

  g_return_if_fail (YATAI_IS_GCS_CLIENT (self));

  g_string_append_printf (url, "/storage/v1/b/%s/o?prefix=%s&maxResults=%u&fields=items(name,generation,metageneration,size,md5Hash),nextPageToken",
                          b, p, page_size > 0 ? page_size : 1000);
  task = start_call (self, CALL_LIST, SOUP_METHOD_GET, url, bucket, prefix, NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, yatai_gcs_client_list_async);
  call = g_task_get_task_data (task);
  call->listed = g_ptr_array_new_with_free_func ((GDestroyNotify) yatai_gcs_object_free);
  send_call (task);
}

/**
 * yatai_gcs_client_list_finish:
 *
 * Returns: (transfer container) (element-type YataiGcsObject): the objects, by name
 */
GPtrArray *
yatai_gcs_client_list_finish (YataiGcsClient  *self,
                              GAsyncResult    *result,
                              GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
yatai_gcs_client_delete_async (YataiGcsClient           *self,
                               const char               *bucket,
                               const char               *name,
                               const YataiGcsConditions *conditions,
                               GCancellable             *cancellable,
                               GAsyncReadyCallback       callback,
                               gpointer                  user_data)
{
  GTask *task;

  g_return_if_fail (YATAI_IS_GCS_CLIENT (self));

  task = start_call (self, CALL_DELETE, SOUP_METHOD_DELETE, object_url (self, bucket, name), bucket, name, conditions,
                     cancellable, callback, user_data);
  g_task_set_source_tag (task, yatai_gcs_client_delete_async);
  send_call (task);
}

gboolean
yatai_gcs_client_delete_finish (YataiGcsClient  *self,
                                GAsyncResult    *result,
                                GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
