/* yatai-gcs-bucket.c: YataiBucket over the GCS client
 *
 * Names pass through as the engine gives them (its prefix included). The client's errors become the
 * bucket's: what the engine acts on (someone else was first, not there, try later, refused, damaged).
 */
#define G_LOG_DOMAIN "yatai-gcs"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "yatai-gcs-bucket.h"

struct _YataiGcsBucket
{
  GObject         parent_instance;

  YataiGcsClient *client;
  char           *bucket;
};

static void yatai_gcs_bucket_iface_init (YataiBucketInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (YataiGcsBucket, yatai_gcs_bucket, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (YATAI_TYPE_BUCKET, yatai_gcs_bucket_iface_init))

static GError *
bucket_error (GError *error)
{
  YataiBucketError code = YATAI_BUCKET_ERROR_FAILED;
  GError *mapped;

  if (error->domain == YATAI_GCS_ERROR)
    switch (error->code)
      {
      case YATAI_GCS_ERROR_NOT_FOUND:
        code = YATAI_BUCKET_ERROR_NOT_FOUND;
        break;
      case YATAI_GCS_ERROR_PRECONDITION_FAILED:
        code = YATAI_BUCKET_ERROR_PRECONDITION;
        break;
      case YATAI_GCS_ERROR_RATE_LIMITED:
      case YATAI_GCS_ERROR_NETWORK:
      case YATAI_GCS_ERROR_SERVER:
        code = YATAI_BUCKET_ERROR_UNAVAILABLE;
        break;
      case YATAI_GCS_ERROR_UNAUTHORIZED:
        code = YATAI_BUCKET_ERROR_DENIED;
        break;
      case YATAI_GCS_ERROR_CORRUPT:
      case YATAI_GCS_ERROR_CHECKSUM_REFUSED:
        code = YATAI_BUCKET_ERROR_CORRUPT;
        break;
      case YATAI_GCS_ERROR_BUCKET_MISSING:
        code = YATAI_BUCKET_ERROR_NO_BUCKET;
        break;
      case YATAI_GCS_ERROR_FORBIDDEN:
        code = YATAI_BUCKET_ERROR_FORBIDDEN;
        break;
      case YATAI_GCS_ERROR_TOO_LARGE:
        code = YATAI_BUCKET_ERROR_TOO_LARGE;
        break;
      default:
        break;
      }
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return error;

  mapped = g_error_new_literal (YATAI_BUCKET_ERROR, code, error->message);
  g_error_free (error);
  return mapped;
}

/* Each request: a GTask of this bucket whose callback carries the client's answer over. */

static void
created_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  g_autoptr(YataiGcsObject) object = yatai_gcs_client_create_finish (YATAI_GCS_CLIENT (source), result, &error);

  if (object == NULL)
    g_task_return_error (task, bucket_error (error));
  else
    {
      g_task_set_task_data (task, g_memdup2 (&object->generation, sizeof (gint64)), g_free);
      g_task_return_boolean (task, TRUE);
    }
}

static void
gb_create_async (YataiBucket         *bucket,
                 const char          *name,
                 GBytes              *bytes,
                 gint64               if_generation_match,
                 GCancellable        *cancellable,
                 GAsyncReadyCallback  callback,
                 gpointer             user_data)
{
  YataiGcsBucket *self = YATAI_GCS_BUCKET (bucket);
  YataiGcsConditions conditions = YATAI_GCS_CONDITIONS_NONE;
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  conditions.if_generation_match = if_generation_match;
  yatai_gcs_client_create_async (self->client, self->bucket, name, bytes, NULL, &conditions, cancellable,
                                 created_cb, task);
}

static gboolean
gb_create_finish (YataiBucket   *bucket,
                  GAsyncResult  *result,
                  gint64        *generation,
                  GError       **error)
{
  gint64 *stored = g_task_get_task_data (G_TASK (result));

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return FALSE;
  if (generation != NULL)
    *generation = stored != NULL ? *stored : 0;
  return TRUE;
}

static void
read_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  gint64 generation = 0;
  GBytes *bytes = yatai_gcs_client_read_finish (YATAI_GCS_CLIENT (source), result, &generation, &error);

  if (bytes == NULL)
    g_task_return_error (task, bucket_error (error));
  else
    {
      g_task_set_task_data (task, g_memdup2 (&generation, sizeof generation), g_free);
      g_task_return_pointer (task, bytes, (GDestroyNotify) g_bytes_unref);
    }
}

static void
gb_read_async (YataiBucket         *bucket,
               const char          *name,
               GCancellable        *cancellable,
               GAsyncReadyCallback  callback,
               gpointer             user_data)
{
  YataiGcsBucket *self = YATAI_GCS_BUCKET (bucket);
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  yatai_gcs_client_read_async (self->client, self->bucket, name, NULL, cancellable, read_cb, task);
}

static void
gb_read_max_async (YataiBucket         *bucket,
                   const char          *name,
                   gsize                max_size,
                   GCancellable        *cancellable,
                   GAsyncReadyCallback  callback,
                   gpointer             user_data)
{
  YataiGcsBucket *self = YATAI_GCS_BUCKET (bucket);
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  yatai_gcs_client_read_max_async (self->client, self->bucket, name, NULL, max_size, cancellable, read_cb, task);
}

static GBytes *
gb_read_finish (YataiBucket   *bucket,
                GAsyncResult  *result,
                gint64        *generation,
                GError       **error)
{
  gint64 *stored = g_task_get_task_data (G_TASK (result));
  GBytes *bytes = g_task_propagate_pointer (G_TASK (result), error);

  if (bytes != NULL && generation != NULL)
    *generation = stored != NULL ? *stored : 0;
  return bytes;
}

static void
list_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  g_autoptr(GPtrArray) objects = yatai_gcs_client_list_finish (YATAI_GCS_CLIENT (source), result, &error);
  GPtrArray *names;

  if (objects == NULL)
    {
      g_task_return_error (task, bucket_error (error));
      return;
    }
  names = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < objects->len; i++)
    g_ptr_array_add (names, g_strdup (((YataiGcsObject *) objects->pdata[i])->name));
  g_task_return_pointer (task, names, (GDestroyNotify) g_ptr_array_unref);
}

static void
gb_list_async (YataiBucket         *bucket,
               const char          *prefix,
               GCancellable        *cancellable,
               GAsyncReadyCallback  callback,
               gpointer             user_data)
{
  YataiGcsBucket *self = YATAI_GCS_BUCKET (bucket);
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  yatai_gcs_client_list_async (self->client, self->bucket, prefix, 0, cancellable, list_cb, task);
}

static GPtrArray *
gb_list_finish (YataiBucket   *bucket,
                GAsyncResult  *result,
                GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
deleted_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!yatai_gcs_client_delete_finish (YATAI_GCS_CLIENT (source), result, &error))
    g_task_return_error (task, bucket_error (error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
gb_delete_async (YataiBucket         *bucket,
                 const char          *name,
                 gint64               if_generation_match,
                 GCancellable        *cancellable,
                 GAsyncReadyCallback  callback,
                 gpointer             user_data)
{
  YataiGcsBucket *self = YATAI_GCS_BUCKET (bucket);
  YataiGcsConditions conditions = YATAI_GCS_CONDITIONS_NONE;
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  conditions.if_generation_match = if_generation_match;
  yatai_gcs_client_delete_async (self->client, self->bucket, name, &conditions, cancellable, deleted_cb, task);
}

static gboolean
gb_delete_finish (YataiBucket   *bucket,
                  GAsyncResult  *result,
                  GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
yatai_gcs_bucket_iface_init (YataiBucketInterface *iface)
{
  iface->create_async = gb_create_async;
  iface->create_finish = gb_create_finish;
  iface->read_async = gb_read_async;
  iface->read_max_async = gb_read_max_async;
  iface->read_finish = gb_read_finish;
  iface->list_async = gb_list_async;
  iface->list_finish = gb_list_finish;
  iface->delete_async = gb_delete_async;
  iface->delete_finish = gb_delete_finish;
}

static void
yatai_gcs_bucket_finalize (GObject *object)
{
  YataiGcsBucket *self = YATAI_GCS_BUCKET (object);

  g_clear_object (&self->client);
  g_free (self->bucket);
  G_OBJECT_CLASS (yatai_gcs_bucket_parent_class)->finalize (object);
}

static void
yatai_gcs_bucket_class_init (YataiGcsBucketClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = yatai_gcs_bucket_finalize;
}

static void
yatai_gcs_bucket_init (YataiGcsBucket *self)
{
}

YataiGcsBucket *
yatai_gcs_bucket_new (YataiGcsClient *client,
                      const char     *bucket)
{
  YataiGcsBucket *self;

  g_return_val_if_fail (YATAI_IS_GCS_CLIENT (client), NULL);
  g_return_val_if_fail (bucket != NULL && *bucket != '\0', NULL);

  self = g_object_new (YATAI_TYPE_GCS_BUCKET, NULL);
  self->client = g_object_ref (client);
  self->bucket = g_strdup (bucket);
  return self;
}

YataiGcsClient *
yatai_gcs_bucket_get_client (YataiGcsBucket *self)
{
  g_return_val_if_fail (YATAI_IS_GCS_BUCKET (self), NULL);
  return self->client;
}

static gboolean
is_local (const char *endpoint)
{
  return endpoint != NULL &&
         (g_str_has_prefix (endpoint, "http://127.0.0.1") || g_str_has_prefix (endpoint, "http://localhost") ||
          g_str_has_prefix (endpoint, "http://[::1]"));
}

/* GCS's rules for a bucket name (the common case: no dots longer than 63 characters). */
static gboolean
is_bucket_name (const char *name)
{
  gsize length = strlen (name);

  if (length < 3 || length > 63 || !g_ascii_isalnum (name[0]) || !g_ascii_isalnum (name[length - 1]))
    return FALSE;
  for (const char *c = name; *c != '\0'; c++)
    if (!(g_ascii_islower (*c) || g_ascii_isdigit (*c) || *c == '-' || *c == '_' || *c == '.'))
      return FALSE;
  return TRUE;
}

static gboolean
is_web_address (const char *address)
{
  g_autoptr(GUri) uri = g_uri_parse (address, G_URI_FLAGS_NONE, NULL);

  return uri != NULL && g_uri_get_host (uri) != NULL && *g_uri_get_host (uri) != '\0' &&
         (g_str_equal (g_uri_get_scheme (uri), "http") || g_str_equal (g_uri_get_scheme (uri), "https"));
}

/**
 * yatai_gcs_bucket_check_address:
 * @endpoint: (nullable): a test server's address, or %NULL or "" for Google's
 *
 * Whether @bucket and @endpoint, as a person typed them, can name a bucket: refused here, in words,
 * rather than tried against the service and retried for ever.
 */
gboolean
yatai_gcs_bucket_check_address (const char  *bucket,
                                const char  *endpoint,
                                GError     **error)
{
  if (!is_bucket_name (bucket))
    {
      g_set_error (error, YATAI_GCS_ERROR, YATAI_GCS_ERROR_FAILED,
                   _("“%s” is not a bucket name. A bucket name has 3 to 63 lowercase letters, digits, dashes, "
                     "underscores or dots, and starts and ends with a letter or a digit."), bucket);
      return FALSE;
    }
  if (endpoint != NULL && *endpoint != '\0' && !is_web_address (endpoint))
    {
      g_set_error (error, YATAI_GCS_ERROR, YATAI_GCS_ERROR_FAILED,
                   _("The storage address “%s” is not a web address. It starts with http:// or https://, "
                     "as in http://127.0.0.1:4443."), endpoint);
      return FALSE;
    }
  return TRUE;
}

/**
 * yatai_gcs_bucket_find_credentials:
 * @endpoint: (nullable): a test server's address, or %NULL for Google's ($STORAGE_EMULATOR_HOST wins)
 * @key_file: (nullable): a credentials file chosen in the settings
 *
 * The credentials a bucket with these settings uses: the chosen file when there is one (a service
 * account's key or a gcloud sign-in); else a token from the environment; else Application Default
 * Credentials (GOOGLE_APPLICATION_CREDENTIALS, then gcloud's file). None for a test server on this
 * computer or $STORAGE_EMULATOR_HOST. %NULL without an error when none is found (Google's service then
 * refuses, and the sync status says so).
 */
YataiGcsAuth *
yatai_gcs_bucket_find_credentials (const char  *endpoint,
                                   const char  *key_file,
                                   GError     **error)
{
  const char *emulator = g_getenv ("STORAGE_EMULATOR_HOST");
  YataiGcsAuth *auth;

  if (endpoint != NULL && *endpoint == '\0')
    endpoint = NULL;
  if (key_file != NULL && *key_file != '\0')
    return yatai_gcs_auth_new_from_file (key_file, error);
  if (is_local (endpoint) || (endpoint == NULL && emulator != NULL && *emulator != '\0'))
    return NULL;
  auth = yatai_gcs_auth_new_from_environment ();
  if (auth != NULL)
    return auth;
  return yatai_gcs_auth_new_default (error);
}

/* Which credentials these settings use, in words (never a secret), for Preferences. */
char *
yatai_gcs_bucket_describe_credentials (const char  *endpoint,
                                       const char  *key_file,
                                       char       **warning)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(YataiGcsAuth) auth = yatai_gcs_bucket_find_credentials (endpoint, key_file, &error);
  const char *emulator = g_getenv ("STORAGE_EMULATOR_HOST");

  if (warning != NULL)
    *warning = auth != NULL ? g_strdup (yatai_gcs_auth_get_warning (auth)) : NULL;
  if (error != NULL)
    return g_strdup (error->message);
  if (auth != NULL)
    return yatai_gcs_auth_describe (auth);
  if ((endpoint != NULL && *endpoint != '\0') || (emulator != NULL && *emulator != '\0'))
    return g_strdup (_("None: a test server needs none"));
  return g_strdup (_("None found. Choose a key file, or sign in on this computer with: gcloud auth "
                     "application-default login"));
}

/**
 * yatai_gcs_bucket_connect:
 * @endpoint: (nullable): a test server's address, or %NULL for Google's ($STORAGE_EMULATOR_HOST wins)
 * @key_file: (nullable): a credentials file (a service account's key, or a gcloud sign-in)
 *
 * The bucket as the settings describe it, with the credentials yatai_gcs_bucket_find_credentials() finds.
 */
YataiGcsBucket *
yatai_gcs_bucket_connect (const char  *bucket,
                          const char  *endpoint,
                          const char  *key_file,
                          GError     **error)
{
  g_autoptr(YataiGcsAuth) auth = NULL;
  g_autoptr(YataiGcsClient) client = NULL;
  GError *found_error = NULL;

  g_return_val_if_fail (bucket != NULL && *bucket != '\0', NULL);

  if (endpoint != NULL && *endpoint == '\0')
    endpoint = NULL;
  if (!yatai_gcs_bucket_check_address (bucket, endpoint, error))
    return NULL;
  auth = yatai_gcs_bucket_find_credentials (endpoint, key_file, &found_error);
  if (found_error != NULL)
    {
      g_propagate_error (error, found_error);
      return NULL;
    }
  client = yatai_gcs_client_new (endpoint, auth);
  return yatai_gcs_bucket_new (client, bucket);
}
