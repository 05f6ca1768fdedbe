#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* What the sync engine needs of a bucket: five requests on object names under one bucket, with
 * generation preconditions (GCS-FACTS.md). The GCS client implements it; so could another store. */

#define YATAI_BUCKET_ERROR (yatai_bucket_error_quark ())

typedef enum
{
  YATAI_BUCKET_ERROR_NOT_FOUND,
  YATAI_BUCKET_ERROR_PRECONDITION,   /* 412: another device was faster */
  YATAI_BUCKET_ERROR_UNAVAILABLE,    /* network, timeouts, 429 and 5xx after retries */
  YATAI_BUCKET_ERROR_DENIED,         /* credentials refused (401, or the sign-in refused them) */
  YATAI_BUCKET_ERROR_CORRUPT,        /* a download that does not match its hash */
  YATAI_BUCKET_ERROR_FAILED,         /* anything else */
  YATAI_BUCKET_ERROR_NO_BUCKET,      /* the bucket itself does not exist */
  YATAI_BUCKET_ERROR_FORBIDDEN,      /* the account may not use the bucket (a role is missing) */
  YATAI_BUCKET_ERROR_TOO_LARGE,      /* an object larger than the read allows: not downloaded */
} YataiBucketError;

#define YATAI_BUCKET_NO_PRECONDITION (-1)

#define YATAI_TYPE_BUCKET (yatai_bucket_get_type ())
G_DECLARE_INTERFACE (YataiBucket, yatai_bucket, YATAI, BUCKET, GObject)

struct _YataiBucketInterface
{
  GTypeInterface parent_iface;

  void       (*create_async)  (YataiBucket         *self,
                               const char          *name,
                               GBytes              *bytes,
                               gint64               if_generation_match,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data);
  gboolean   (*create_finish) (YataiBucket         *self,
                               GAsyncResult        *result,
                               gint64              *generation,
                               GError             **error);
  void       (*read_async)    (YataiBucket         *self,
                               const char          *name,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data);
  void       (*read_max_async) (YataiBucket        *self,
                               const char          *name,
                               gsize                max_size,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data);
  GBytes    *(*read_finish)   (YataiBucket         *self,
                               GAsyncResult        *result,
                               gint64              *generation,
                               GError             **error);
  void       (*list_async)    (YataiBucket         *self,
                               const char          *prefix,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data);
  GPtrArray *(*list_finish)   (YataiBucket         *self,
                               GAsyncResult        *result,
                               GError             **error);
  void       (*delete_async)  (YataiBucket         *self,
                               const char          *name,
                               gint64               if_generation_match,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data);
  gboolean   (*delete_finish) (YataiBucket         *self,
                               GAsyncResult        *result,
                               GError             **error);
};

GQuark     yatai_bucket_error_quark  (void);

/* Whether @error is a setting to fix (no such bucket, credentials refused, a role missing) rather than
 * a failure of the moment: asking again at once cannot help. Its message says what to fix. */
gboolean   yatai_bucket_error_is_setting (const GError *error);

void       yatai_bucket_create_async  (YataiBucket         *self,
                                       const char          *name,
                                       GBytes              *bytes,
                                       gint64               if_generation_match,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data);
gboolean   yatai_bucket_create_finish (YataiBucket         *self,
                                       GAsyncResult        *result,
                                       gint64              *generation,
                                       GError             **error);
void       yatai_bucket_read_async    (YataiBucket         *self,
                                       const char          *name,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data);
/* A read of at most @max_size bytes (0: no bound of the caller's): a larger object fails with
 * YATAI_BUCKET_ERROR_TOO_LARGE as soon as its size shows, without the rest being read. Finish with
 * yatai_bucket_read_finish(). */
void       yatai_bucket_read_max_async (YataiBucket        *self,
                                        const char          *name,
                                        gsize                max_size,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data);
GBytes    *yatai_bucket_read_finish   (YataiBucket         *self,
                                       GAsyncResult        *result,
                                       gint64              *generation,
                                       GError             **error);
void       yatai_bucket_list_async    (YataiBucket         *self,
                                       const char          *prefix,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data);
GPtrArray *yatai_bucket_list_finish   (YataiBucket         *self,
                                       GAsyncResult        *result,
                                       GError             **error);
void       yatai_bucket_delete_async  (YataiBucket         *self,
                                       const char          *name,
                                       gint64               if_generation_match,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data);
gboolean   yatai_bucket_delete_finish (YataiBucket         *self,
                                       GAsyncResult        *result,
                                       GError             **error);

G_END_DECLS
