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
#include "yatai-gcs-private.h"

#define DEFAULT_ENDPOINT "https://storage.googleapis.com"
#define ANSWER_LIMIT     (64 * 1024 * 1024)   /* JSON answers, error bodies, and reads by default */
#define READ_CHUNK       (64 * 1024)

/* How long one try of a request may take before it is taken for stalled (GCS's advice on slow
 * requests: abandon a stalled try and send it again, when it may be repeated). A small request (a log
 * segment, a command, the lease: a few KB) answers in well under a second when the service is well,
 * so it gets SMALL_TRY_MS plus the time its bytes take on a slow uplink (SLOW_LINK_BYTES_PER_S), and
 * twice that at each next try, so that a link that is only slow still gets through; a large one (a
 * snapshot) gets what its bytes need, never more than the client's try timeout. */
#define SMALL_TRY_MS          1000
#define SLOW_LINK_BYTES_PER_S (128 * 1024)

G_DEFINE_QUARK (yatai-gcs-error-quark, yatai_gcs_error)

struct _YataiGcsClient
{
  GObject       parent_instance;

  SoupSession  *session;
  YataiGcsAuth *auth;
  char         *endpoint;     /* without a trailing slash */
  guint         first_delay_ms;
  guint         total_ms;
  guint         attempt_timeout_ms;
  GHashTable   *headers;      /* sent with every request: name → value */
  guint         n_retries;
  guint         n_requests;
  gboolean      no_silent_restarts;
};

G_DEFINE_FINAL_TYPE (YataiGcsClient, yatai_gcs_client, G_TYPE_OBJECT)

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
  char               *goog_hash;    /* the upload's x-goog-hash header, or NULL */
  gboolean            repeatable;
  guint               attempt;
  gint64              deadline;     /* monotonic µs: the whole request, every attempt and wait included */
  gsize               max_size;     /* of a successful answer's body */
  gsize               size_hint;    /* the bytes the request is known to move (an upload's body, a small
                                     * read's bound); 0: unknown, the client's try timeout */
  guint               try_ms;       /* the try under way may take this long */
  guint               page_size;
  char               *page_token;
  GPtrArray          *listed;       /* CALL_LIST: YataiGcsObject, all pages */
  char               *name;         /* for messages */
  char               *bucket;
  guint               timer;        /* the next try */
  GError             *last_error;   /* of the last try answered with a status worth retrying */

  /* The try under way: its own cancellable (the caller's cancels it too, so does the timer). */
  SoupMessage        *msg;
  GInputStream       *stream;
  GByteArray         *received;
  gsize               limit;        /* of this answer's body */
  GCancellable       *caller;
  GCancellable       *attempt_cancellable;
  gulong              caller_id;
  guint               attempt_timer;
  gboolean            timed_out;
} Call;

/* The try under way is over: drop what it held. */
static void
attempt_end (Call *call)
{
  g_clear_handle_id (&call->attempt_timer, g_source_remove);
  if (call->caller_id != 0)
    g_cancellable_disconnect (call->caller, call->caller_id);
  call->caller_id = 0;
  if (call->stream != NULL && !g_input_stream_is_closed (call->stream))
    {
      /* Closed with a cancelled cancellable, so that libsoup drops the connection instead of reading
       * (and throwing away) the rest of an answer nobody wants. */
      g_cancellable_cancel (call->attempt_cancellable);
      g_input_stream_close_async (call->stream, G_PRIORITY_DEFAULT, call->attempt_cancellable, NULL, NULL);
    }
  g_clear_object (&call->stream);
  g_clear_object (&call->msg);
  g_clear_object (&call->attempt_cancellable);
  g_clear_pointer (&call->received, g_byte_array_unref);
}

static void
call_free (gpointer data)
{
  Call *call = data;

  attempt_end (call);
  g_clear_handle_id (&call->timer, g_source_remove);
  g_clear_object (&call->caller);
  g_clear_error (&call->last_error);
  g_free (call->method);
  g_free (call->url);
  g_free (call->content_type);
  g_clear_pointer (&call->body, g_bytes_unref);
  g_free (call->goog_hash);
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
  call->max_size = ANSWER_LIMIT;
  if (cancellable != NULL)
    call->caller = g_object_ref (cancellable);
  /* Reads repeat safely; a write only when a generation precondition makes it apply at most once. */
  call->repeatable = kind == CALL_READ || kind == CALL_STAT || kind == CALL_LIST ||
                     (conditions != NULL && conditions->if_generation_match >= 0);
  g_task_set_task_data (task, call, call_free);
  return task;
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
  g_autofree char *message = yatai_gcs_error_message (body);

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
  if (g_get_monotonic_time () + (gint64) delay * 1000 >= call->deadline)
    return FALSE;
  call->attempt++;
  self->n_retries++;
  call->timer = g_timeout_add_full (G_PRIORITY_DEFAULT, MAX (delay, 1), retry_cb, g_object_ref (task), g_object_unref);
  return TRUE;
}

/* The download against every hash x-goog-hash gives (GCS gives crc32c and, for objects not composed,
 * md5): FALSE when one does not match. */
static gboolean
check_hash (SoupMessage  *msg,
            GBytes       *body)
{
  const char *header = soup_message_headers_get_list (soup_message_get_response_headers (msg), "x-goog-hash");
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

          if (!g_str_equal (md5, part + 4))
            return FALSE;
        }
      else if (g_str_has_prefix (part, "crc32c="))
        {
          g_autofree char *crc = yatai_gcs_crc32c_base64 (data, size);

          if (!g_str_equal (crc, part + 7))
            return FALSE;
        }
    }
  return TRUE;
}

/* The try failed without an answer: a reset, an unreachable host, or no answer in time. Takes the
 * try's reference on @task. */
static void
attempt_failed (GTask  *task,
                GError *error)
{
  g_autoptr(GTask) owned = task;
  YataiGcsClient *self = g_task_get_source_object (task);
  Call *call = g_task_get_task_data (task);
  gboolean timed_out = call->timed_out;

  attempt_end (call);
  if (g_cancellable_is_cancelled (g_task_get_cancellable (task)))
    {
      g_task_return_error (task, error);
      return;
    }
  if (retry_later (task))
    {
      g_error_free (error);
      return;
    }
  if (timed_out && g_get_monotonic_time () >= call->deadline && call->last_error != NULL)
    g_task_return_error (task, g_steal_pointer (&call->last_error));   /* what the tries before said */
  else if (timed_out)
    g_task_return_new_error (task, YATAI_GCS_ERROR, YATAI_GCS_ERROR_NETWORK,
                             _("The storage service did not answer in time (%u s)."),
                             (guint) ((MIN (call->try_ms, self->total_ms) + 999) / 1000));
  else
    g_task_return_new_error (task, YATAI_GCS_ERROR, YATAI_GCS_ERROR_NETWORK,
                             _("The storage service could not be reached: %s"), error->message);
  g_error_free (error);
}

/* The whole answer is here. Takes the try's reference on @task. */
static void
answered (GTask  *task,
          GBytes *body)
{
  g_autoptr(GTask) owned = task;
  YataiGcsClient *self = g_task_get_source_object (task);
  Call *call = g_task_get_task_data (task);
  g_autoptr(SoupMessage) msg = g_object_ref (call->msg);
  g_autoptr(GError) error = NULL;
  guint status = soup_message_get_status (msg);

  attempt_end (call);
  if (status == 408 || status == 429 || status >= 500)
    {
      g_clear_error (&call->last_error);
      call->last_error = error_for_status (self, call, status, body);
      if (retry_later (task))
        return;
      g_task_return_error (task, g_steal_pointer (&call->last_error));
      return;
    }
  if (status != SOUP_STATUS_OK && status != SOUP_STATUS_NO_CONTENT)
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
            send_call (g_steal_pointer (&owned));
            break;
          }
        g_task_return_pointer (task, g_ptr_array_ref (call->listed), (GDestroyNotify) g_ptr_array_unref);
      }
      break;
    default:
      g_assert_not_reached ();
    }
}

/* The answer is larger than the caller allows: refused at once, the rest never read. */
static void
too_large (GTask *task)
{
  g_autoptr(GTask) owned = task;
  Call *call = g_task_get_task_data (task);
  guint status = soup_message_get_status (call->msg);
  g_autofree char *limit = g_format_size (call->limit);

  attempt_end (call);
  if (call->kind == CALL_READ && status == SOUP_STATUS_OK)
    g_task_return_new_error (task, YATAI_GCS_ERROR, YATAI_GCS_ERROR_TOO_LARGE,
                             _("“%s” is larger than it can be (more than %s): Yatai did not download it."),
                             call->name, limit);
  else
    g_task_return_new_error (task, YATAI_GCS_ERROR, YATAI_GCS_ERROR_CORRUPT,
                             _("The storage service answered more than Yatai expects (more than %s)."), limit);
}

static void
read_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  GTask *task = user_data;
  Call *call = g_task_get_task_data (task);
  GError *error = NULL;
  g_autoptr(GBytes) chunk = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result, &error);

  if (chunk == NULL)
    {
      attempt_failed (task, error);
      return;
    }
  if (g_bytes_get_size (chunk) == 0)
    {
      g_autoptr(GBytes) body = NULL;

      /* At the end: closing reads nothing more, and leaves the connection for the next request. */
      g_input_stream_close (call->stream, NULL, NULL);
      body = g_byte_array_free_to_bytes (g_steal_pointer (&call->received));

      answered (task, body);
      return;
    }
  if (call->received->len + g_bytes_get_size (chunk) > call->limit)
    {
      too_large (task);
      return;
    }
  g_byte_array_append (call->received, g_bytes_get_data (chunk, NULL), g_bytes_get_size (chunk));
  g_input_stream_read_bytes_async (call->stream, READ_CHUNK, G_PRIORITY_DEFAULT, call->attempt_cancellable,
                                   read_cb, task);
}

static void
sent_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  GTask *task = user_data;
  Call *call = g_task_get_task_data (task);
  GError *error = NULL;
  GInputStream *stream = soup_session_send_finish (SOUP_SESSION (source), result, &error);
  SoupMessageHeaders *headers;
  guint status;

  if (stream == NULL)
    {
      attempt_failed (task, error);
      return;
    }
  call->stream = stream;
  status = soup_message_get_status (call->msg);
  /* A read's bytes up to what the caller allows; anything else (JSON, an error's body) up to what a
   * listing's page can be. */
  call->limit = call->kind == CALL_READ && status == SOUP_STATUS_OK ? call->max_size : ANSWER_LIMIT;
  headers = soup_message_get_response_headers (call->msg);
  if (soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH &&
      (guint64) soup_message_headers_get_content_length (headers) > call->limit)
    {
      too_large (task);
      return;
    }
  call->received = g_byte_array_new ();
  g_input_stream_read_bytes_async (stream, READ_CHUNK, G_PRIORITY_DEFAULT, call->attempt_cancellable, read_cb, task);
}

/* How long this try of @call may take before it is abandoned (SMALL_TRY_MS above). */
static guint
try_timeout_ms (YataiGcsClient *self,
                Call           *call)
{
  guint64 ms;

  if (!call->repeatable || call->size_hint == 0)
    return self->attempt_timeout_ms;
  ms = SMALL_TRY_MS + (guint64) call->size_hint * 1000 / SLOW_LINK_BYTES_PER_S;
  ms <<= MIN (call->attempt, 5);
  return (guint) MIN (ms, (guint64) self->attempt_timeout_ms);
}

static gboolean
attempt_timeout_cb (gpointer data)
{
  Call *call = data;

  call->attempt_timer = 0;
  call->timed_out = TRUE;
  g_cancellable_cancel (call->attempt_cancellable);
  return G_SOURCE_REMOVE;
}

static void
caller_cancelled_cb (GCancellable *caller,
                     gpointer      data)
{
  g_cancellable_cancel (data);
}

static void
send_with_token (GTask      *task,
                 const char *token)
{
  YataiGcsClient *self = g_task_get_source_object (task);
  Call *call = g_task_get_task_data (task);
  g_autofree char *url = NULL;
  gint64 left = call->deadline - g_get_monotonic_time ();

  if (left <= 0)
    {
      g_task_return_new_error (task, YATAI_GCS_ERROR, YATAI_GCS_ERROR_NETWORK,
                               _("The storage service did not answer in time (%u s)."),
                               (guint) ((self->total_ms + 999) / 1000));
      g_object_unref (task);
      return;
    }
  if (call->kind == CALL_LIST && call->page_token != NULL)
    {
      g_autofree char *escaped = escape (call->page_token);

      url = g_strdup_printf ("%s&pageToken=%s", call->url, escaped);
    }
  else
    url = g_strdup (call->url);
  call->msg = soup_message_new (call->method, url);
  if (call->msg == NULL)
    {
      g_task_return_new_error (task, YATAI_GCS_ERROR, YATAI_GCS_ERROR_FAILED,
                               _("The bucket's address is not a web address."));
      g_object_unref (task);
      return;
    }
  if (token != NULL)
    {
      g_autofree char *header = g_strconcat ("Bearer ", token, NULL);

      soup_message_headers_replace (soup_message_get_request_headers (call->msg), "Authorization", header);
    }
  if (self->headers != NULL)
    {
      GHashTableIter iter;
      gpointer key, value;

      g_hash_table_iter_init (&iter, self->headers);
      while (g_hash_table_iter_next (&iter, &key, &value))
        soup_message_headers_replace (soup_message_get_request_headers (call->msg), key, value);
    }
  if (call->goog_hash != NULL)
    soup_message_headers_replace (soup_message_get_request_headers (call->msg), "x-goog-hash", call->goog_hash);
  if (call->body != NULL)
    soup_message_set_request_body_from_bytes (call->msg, call->content_type, call->body);
  if (self->no_silent_restarts && !g_str_equal (call->method, "POST") && !g_str_equal (call->method, "PATCH"))
    soup_message_add_flags (call->msg, SOUP_MESSAGE_NEW_CONNECTION);

  /* This try ends at its own timeout or the request's deadline, whichever comes first: a stalled
   * request is abandoned and tried again (GCS's advice on slow requests), not waited for. */
  call->timed_out = FALSE;
  call->attempt_cancellable = g_cancellable_new ();
  if (call->caller != NULL)
    call->caller_id = g_cancellable_connect (call->caller, G_CALLBACK (caller_cancelled_cb),
                                             g_object_ref (call->attempt_cancellable), g_object_unref);
  call->try_ms = try_timeout_ms (self, call);
  call->attempt_timer = g_timeout_add (MAX (1, MIN ((gint64) call->try_ms, left / 1000)),
                                       attempt_timeout_cb, call);
  self->n_requests++;
  soup_session_send_async (self->session, call->msg, G_PRIORITY_DEFAULT, call->attempt_cancellable, sent_cb, task);
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
  g_clear_pointer (&self->headers, g_hash_table_unref);
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
  /* Requests run side by side, each its own SoupMessage: nothing here waits for another request (the
   * only thing they share is a token exchange under way). The session's I/O timeout is the backstop of
   * the token exchange; storage requests end at their own deadlines first. */
  self->session = soup_session_new_with_options ("user-agent", "Yatai/" PACKAGE_VERSION " ",
                                                 "timeout", 30,
                                                 "max-conns-per-host", 8,
                                                 NULL);
  self->first_delay_ms = 1000;
  self->total_ms = 60000;
  self->attempt_timeout_ms = 30000;
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

/* Where the tokens come from, or NULL. */
YataiGcsAuth *
yatai_gcs_client_get_auth (YataiGcsClient *self)
{
  g_return_val_if_fail (YATAI_IS_GCS_CLIENT (self), NULL);
  return self->auth;
}

const char *
yatai_gcs_client_get_endpoint (YataiGcsClient *self)
{
  g_return_val_if_fail (YATAI_IS_GCS_CLIENT (self), NULL);
  return self->endpoint;
}

/* The first retry waits up to @first_delay_ms, each next one up to twice as long. @total_ms is the
 * request's deadline, every try and wait included: a try still running then is abandoned, and the
 * request fails. (A caller that needs one request sooner cancels it.) */
void
yatai_gcs_client_set_retry (YataiGcsClient *self,
                            guint           first_delay_ms,
                            guint           total_ms)
{
  g_return_if_fail (YATAI_IS_GCS_CLIENT (self));
  self->first_delay_ms = MAX (first_delay_ms, 1);
  self->total_ms = total_ms;
}

/* Each try of a request is abandoned after @milliseconds without its whole answer, and tried again
 * when the request may be repeated and its deadline allows (30 s by default). */
void
yatai_gcs_client_set_attempt_timeout (YataiGcsClient *self,
                                      guint           milliseconds)
{
  g_return_if_fail (YATAI_IS_GCS_CLIENT (self));
  self->attempt_timeout_ms = MAX (milliseconds, 1);
}

/* The same in seconds, and the token exchange's I/O timeout. */
void
yatai_gcs_client_set_timeout (YataiGcsClient *self,
                              guint           seconds)
{
  g_return_if_fail (YATAI_IS_GCS_CLIENT (self));
  self->attempt_timeout_ms = MAX (seconds, 1) * 1000;
  g_object_set (self->session, "timeout", seconds, NULL);
}

/* A header sent with every request from now on (@value NULL stops it): Google's conformance server
 * takes its fault instructions by x-retry-test-id. */
void
yatai_gcs_client_set_header (YataiGcsClient *self,
                             const char     *name,
                             const char     *value)
{
  g_return_if_fail (YATAI_IS_GCS_CLIENT (self));
  g_return_if_fail (name != NULL);

  if (self->headers == NULL)
    self->headers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  if (value == NULL)
    g_hash_table_remove (self->headers, name);
  else
    g_hash_table_insert (self->headers, g_strdup (name), g_strdup (value));
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
  g_autofree char *crc32c = NULL;
  g_autofree char *md5 = NULL;
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
  call->size_hint = MAX (g_bytes_get_size (data), 1);

  /* Google's "Data validation": the CRC32C and MD5 of the bytes go with them, so the bucket refuses a
   * write damaged on the way (400) instead of storing it. */
  crc32c = yatai_gcs_crc32c_base64 (g_bytes_get_data (data, NULL), g_bytes_get_size (data));
  md5 = yatai_gcs_md5_base64 (g_bytes_get_data (data, NULL), g_bytes_get_size (data));
  if (metadata == NULL)
    {
      call->content_type = g_strdup ("application/octet-stream");
      call->body = g_bytes_ref (data);
      call->goog_hash = g_strdup_printf ("crc32c=%s,md5=%s", crc32c, md5);
    }
  else
    {
      /* multipart/related: the resource (name, the hashes GCS checks, custom metadata), then the bytes. */
      g_autoptr(SoupMultipart) multipart = soup_multipart_new ("multipart/related");
      g_autoptr(JsonBuilder) b2 = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;
      g_autofree char *json = NULL;
      g_autoptr(GBytes) json_bytes = NULL;
      g_autoptr(SoupMessageHeaders) headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_MULTIPART);
      g_autoptr(GBytes) body = NULL;
      GHashTableIter iter;
      gpointer key, value;

      json_builder_begin_object (b2);
      json_builder_set_member_name (b2, "name");
      json_builder_add_string_value (b2, name);
      json_builder_set_member_name (b2, "crc32c");
      json_builder_add_string_value (b2, crc32c);
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
  yatai_gcs_client_read_max_async (self, bucket, name, conditions, 0, cancellable, callback, user_data);
}

/**
 * yatai_gcs_client_read_max_async:
 * @max_size: the most bytes the object may have; 0 for the client's own bound (64 MB)
 *
 * As yatai_gcs_client_read_async(), but an object larger than @max_size fails with
 * YATAI_GCS_ERROR_TOO_LARGE as soon as its size shows (its Content-Length, or the bytes received so
 * far), and the rest is never read. Finish with yatai_gcs_client_read_finish().
 */
void
yatai_gcs_client_read_max_async (YataiGcsClient           *self,
                                 const char               *bucket,
                                 const char               *name,
                                 const YataiGcsConditions *conditions,
                                 gsize                     max_size,
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
  if (max_size > 0)
    {
      ((Call *) g_task_get_task_data (task))->max_size = max_size;
      /* A read bounded small (the lease, a command) is a small request; one bounded by megabytes
       * gets the try timeout its bound needs. */
      ((Call *) g_task_get_task_data (task))->size_hint = max_size;
    }
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
