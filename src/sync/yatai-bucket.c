/* yatai-bucket.c: the interface between the sync engine and a bucket */
#define G_LOG_DOMAIN "yatai-bucket"

#include "config.h"

#include "yatai-bucket.h"

G_DEFINE_QUARK (yatai-bucket-error-quark, yatai_bucket_error)
G_DEFINE_INTERFACE (YataiBucket, yatai_bucket, G_TYPE_OBJECT)

gboolean
yatai_bucket_error_is_setting (const GError *error)
{
  return g_error_matches (error, YATAI_BUCKET_ERROR, YATAI_BUCKET_ERROR_NO_BUCKET) ||
         g_error_matches (error, YATAI_BUCKET_ERROR, YATAI_BUCKET_ERROR_DENIED) ||
         g_error_matches (error, YATAI_BUCKET_ERROR, YATAI_BUCKET_ERROR_FORBIDDEN);
}

static void
yatai_bucket_default_init (YataiBucketInterface *iface)
{
}

void
yatai_bucket_create_async (YataiBucket         *self,
                           const char          *name,
                           GBytes              *bytes,
                           gint64               if_generation_match,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_return_if_fail (YATAI_IS_BUCKET (self));
  YATAI_BUCKET_GET_IFACE (self)->create_async (self, name, bytes, if_generation_match, cancellable,
                                               callback, user_data);
}

gboolean
yatai_bucket_create_finish (YataiBucket   *self,
                            GAsyncResult  *result,
                            gint64        *generation,
                            GError       **error)
{
  g_return_val_if_fail (YATAI_IS_BUCKET (self), FALSE);
  return YATAI_BUCKET_GET_IFACE (self)->create_finish (self, result, generation, error);
}

void
yatai_bucket_read_async (YataiBucket         *self,
                         const char          *name,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_return_if_fail (YATAI_IS_BUCKET (self));
  YATAI_BUCKET_GET_IFACE (self)->read_async (self, name, cancellable, callback, user_data);
}

void
yatai_bucket_read_max_async (YataiBucket         *self,
                             const char          *name,
                             gsize                max_size,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_return_if_fail (YATAI_IS_BUCKET (self));
  g_return_if_fail (YATAI_BUCKET_GET_IFACE (self)->read_max_async != NULL);
  YATAI_BUCKET_GET_IFACE (self)->read_max_async (self, name, max_size, cancellable, callback, user_data);
}

GBytes *
yatai_bucket_read_finish (YataiBucket   *self,
                          GAsyncResult  *result,
                          gint64        *generation,
                          GError       **error)
{
  g_return_val_if_fail (YATAI_IS_BUCKET (self), NULL);
  return YATAI_BUCKET_GET_IFACE (self)->read_finish (self, result, generation, error);
}

void
yatai_bucket_list_async (YataiBucket         *self,
                         const char          *prefix,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_return_if_fail (YATAI_IS_BUCKET (self));
  YATAI_BUCKET_GET_IFACE (self)->list_async (self, prefix, cancellable, callback, user_data);
}

GPtrArray *
yatai_bucket_list_finish (YataiBucket   *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (YATAI_IS_BUCKET (self), NULL);
  return YATAI_BUCKET_GET_IFACE (self)->list_finish (self, result, error);
}

void
yatai_bucket_delete_async (YataiBucket         *self,
                           const char          *name,
                           gint64               if_generation_match,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_return_if_fail (YATAI_IS_BUCKET (self));
  YATAI_BUCKET_GET_IFACE (self)->delete_async (self, name, if_generation_match, cancellable,
                                               callback, user_data);
}

gboolean
yatai_bucket_delete_finish (YataiBucket   *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (YATAI_IS_BUCKET (self), FALSE);
  return YATAI_BUCKET_GET_IFACE (self)->delete_finish (self, result, error);
}
