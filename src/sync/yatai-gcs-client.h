#pragma once

#include <gio/gio.h>
#include <libsoup/soup.h>

#include "yatai-gcs-auth.h"

G_BEGIN_DECLS

/* A client for the Google Cloud Storage JSON API (GCS-FACTS.md) over one SoupSession, on the caller's
 * main context.
 *
 * - Requests run side by side: each is its own SoupMessage on the shared session (up to 8 connections),
 *   so a stalled one holds back no other. Start as many as needed; nothing is queued here.
 * - Each request has a deadline (set_retry's @total_ms, 60 s by default), every try and wait included,
 *   and each try a timeout (set_attempt_timeout, 30 s): a stalled try is abandoned and tried again when
 *   the request may be repeated (GCS's advice on slow requests). Cancel a request to end it sooner.
 * - Reads, and writes with a generation precondition, are retried on 408, 429, 5xx, resets and
 *   timeouts, with exponential backoff and full jitter; a write without one never is.
 * - Uploads carry their CRC32C and MD5 (the bucket refuses a damaged one); downloads are checked
 *   against every hash in x-goog-hash, and bounded (read_max_async).
 * - A missing bucket, 401 and 403 are errors of their own (settings to fix), never retried. */

#define YATAI_GCS_ERROR (yatai_gcs_error_quark ())

typedef enum
{
  YATAI_GCS_ERROR_NOT_FOUND,
  YATAI_GCS_ERROR_PRECONDITION_FAILED,   /* 412 */
  YATAI_GCS_ERROR_NOT_MODIFIED,          /* 304 */
  YATAI_GCS_ERROR_RATE_LIMITED,          /* 429, after the retries */
  YATAI_GCS_ERROR_UNAUTHORIZED,          /* 401, or the sign-in service refused: the credentials */
  YATAI_GCS_ERROR_NETWORK,               /* no answer: unreachable, reset, timed out */
  YATAI_GCS_ERROR_SERVER,                /* 5xx, after the retries */
  YATAI_GCS_ERROR_CORRUPT,               /* bytes that do not match their hash, or an answer that is not GCS's */
  YATAI_GCS_ERROR_FAILED,                /* anything else (400 and the like) */
  YATAI_GCS_ERROR_BUCKET_MISSING,        /* 404 naming the bucket: there is no such bucket */
  YATAI_GCS_ERROR_FORBIDDEN,             /* 403: the account lacks a role on the bucket */
  YATAI_GCS_ERROR_CHECKSUM_REFUSED,      /* 400: the bucket found the upload's CRC32C or MD5 wrong */
  YATAI_GCS_ERROR_TOO_LARGE,             /* a download larger than the caller allows */
} YataiGcsError;

GQuark yatai_gcs_error_quark (void);

#define YATAI_GCS_ANY (-1)

/* Preconditions of a request; YATAI_GCS_ANY leaves one out. */
typedef struct
{
  gint64 if_generation_match;        /* 0: only if the object does not exist */
  gint64 if_generation_not_match;
  gint64 if_metageneration_match;
} YataiGcsConditions;

#define YATAI_GCS_CONDITIONS_NONE { YATAI_GCS_ANY, YATAI_GCS_ANY, YATAI_GCS_ANY }

/* An object's resource, as the JSON API describes it. */
typedef struct
{
  char       *name;
  gint64      generation;
  gint64      metageneration;
  gint64      size;
  char       *md5;          /* base64 */
  GHashTable *metadata;     /* custom metadata, string → string; may be NULL */
} YataiGcsObject;

GType           yatai_gcs_object_get_type (void);
YataiGcsObject *yatai_gcs_object_copy     (const YataiGcsObject *object);
void            yatai_gcs_object_free     (YataiGcsObject       *object);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (YataiGcsObject, yatai_gcs_object_free)

/* The service's JSON answers, as the client reads them: an object's resource (to an upload or a stat),
 * and one page of a listing (its objects added to @objects, the next page's token or NULL). */
YataiGcsObject *yatai_gcs_object_parse    (const char  *json,
                                           gssize       length,
                                           GError     **error);
gboolean        yatai_gcs_list_page_parse (const char  *json,
                                           gssize       length,
                                           GPtrArray   *objects,
                                           char       **next_page_token,
                                           GError     **error);

char *yatai_gcs_crc32c_base64 (const guint8 *data,
                               gsize         size);
char *yatai_gcs_md5_base64    (const guint8 *data,
                               gsize         size);

#define YATAI_TYPE_GCS_CLIENT (yatai_gcs_client_get_type ())
G_DECLARE_FINAL_TYPE (YataiGcsClient, yatai_gcs_client, YATAI, GCS_CLIENT, GObject)

YataiGcsClient *yatai_gcs_client_new            (const char          *endpoint,
                                                 YataiGcsAuth        *auth);
const char     *yatai_gcs_client_get_endpoint   (YataiGcsClient      *self);
YataiGcsAuth   *yatai_gcs_client_get_auth       (YataiGcsClient      *self);
void            yatai_gcs_client_set_retry      (YataiGcsClient      *self,
                                                 guint                first_delay_ms,
                                                 guint                total_ms);
void            yatai_gcs_client_set_timeout    (YataiGcsClient      *self,
                                                 guint                seconds);
void            yatai_gcs_client_set_attempt_timeout (YataiGcsClient *self,
                                                 guint                milliseconds);
void            yatai_gcs_client_set_header     (YataiGcsClient      *self,
                                                 const char          *name,
                                                 const char          *value);
guint           yatai_gcs_client_get_n_retries  (YataiGcsClient      *self);
guint           yatai_gcs_client_get_n_requests (YataiGcsClient      *self);

/* Create or replace @name with @data. With @metadata (custom metadata) a multipart upload, else a
 * media upload; either way with the CRC32C and MD5 of @data. Retried only with a generation
 * precondition. */
void            yatai_gcs_client_create_async   (YataiGcsClient            *self,
                                                 const char                *bucket,
                                                 const char                *name,
                                                 GBytes                    *data,
                                                 GHashTable                *metadata,
                                                 const YataiGcsConditions  *conditions,
                                                 GCancellable              *cancellable,
                                                 GAsyncReadyCallback        callback,
                                                 gpointer                   user_data);
YataiGcsObject *yatai_gcs_client_create_finish  (YataiGcsClient            *self,
                                                 GAsyncResult              *result,
                                                 GError                   **error);

/* The bytes, checked against the CRC32C and MD5 the server gives. */
void            yatai_gcs_client_read_async     (YataiGcsClient            *self,
                                                 const char                *bucket,
                                                 const char                *name,
                                                 const YataiGcsConditions  *conditions,
                                                 GCancellable              *cancellable,
                                                 GAsyncReadyCallback        callback,
                                                 gpointer                   user_data);
void            yatai_gcs_client_read_max_async (YataiGcsClient            *self,
                                                 const char                *bucket,
                                                 const char                *name,
                                                 const YataiGcsConditions  *conditions,
                                                 gsize                      max_size,
                                                 GCancellable              *cancellable,
                                                 GAsyncReadyCallback        callback,
                                                 gpointer                   user_data);
GBytes         *yatai_gcs_client_read_finish    (YataiGcsClient            *self,
                                                 GAsyncResult              *result,
                                                 gint64                    *generation,
                                                 GError                   **error);

/* The resource. */
void            yatai_gcs_client_stat_async     (YataiGcsClient            *self,
                                                 const char                *bucket,
                                                 const char                *name,
                                                 const YataiGcsConditions  *conditions,
                                                 GCancellable              *cancellable,
                                                 GAsyncReadyCallback        callback,
                                                 gpointer                   user_data);
YataiGcsObject *yatai_gcs_client_stat_finish    (YataiGcsClient            *self,
                                                 GAsyncResult              *result,
                                                 GError                   **error);

/* Every object whose name starts with @prefix, following the pages (@page_size a page, 0 for 1,000). */
void            yatai_gcs_client_list_async     (YataiGcsClient            *self,
                                                 const char                *bucket,
                                                 const char                *prefix,
                                                 guint                      page_size,
                                                 GCancellable              *cancellable,
                                                 GAsyncReadyCallback        callback,
                                                 gpointer                   user_data);
GPtrArray      *yatai_gcs_client_list_finish    (YataiGcsClient            *self,
                                                 GAsyncResult              *result,
                                                 GError                   **error);

void            yatai_gcs_client_delete_async   (YataiGcsClient            *self,
                                                 const char                *bucket,
                                                 const char                *name,
                                                 const YataiGcsConditions  *conditions,
                                                 GCancellable              *cancellable,
                                                 GAsyncReadyCallback        callback,
                                                 gpointer                   user_data);
gboolean        yatai_gcs_client_delete_finish  (YataiGcsClient            *self,
                                                 GAsyncResult              *result,
                                                 GError                   **error);

G_END_DECLS
