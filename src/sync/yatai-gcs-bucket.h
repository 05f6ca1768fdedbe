#pragma once

#include "yatai-bucket.h"
#include "yatai-gcs-client.h"

G_BEGIN_DECLS

/* The sync engine's YataiBucket on a Google Cloud Storage bucket (or the test server). */
#define YATAI_TYPE_GCS_BUCKET (yatai_gcs_bucket_get_type ())
G_DECLARE_FINAL_TYPE (YataiGcsBucket, yatai_gcs_bucket, YATAI, GCS_BUCKET, GObject)

YataiGcsBucket *yatai_gcs_bucket_new        (YataiGcsClient *client,
                                             const char     *bucket);
YataiGcsClient *yatai_gcs_bucket_get_client (YataiGcsBucket *self);
gboolean        yatai_gcs_bucket_check_address (const char  *bucket,
                                                const char  *endpoint,
                                                GError     **error);
YataiGcsAuth   *yatai_gcs_bucket_find_credentials (const char *endpoint,
                                                   const char *key_file,
                                                   GError    **error);
char           *yatai_gcs_bucket_describe_credentials (const char  *endpoint,
                                                       const char  *key_file,
                                                       char       **warning);
YataiGcsBucket *yatai_gcs_bucket_connect    (const char     *bucket,
                                             const char     *endpoint,
                                             const char     *key_file,
                                             GError        **error);

G_END_DECLS
