#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The test bucket server's objects: in memory, or in a folder that survives a restart. */
typedef struct
{
  char       *bucket;
  char       *name;
  GBytes     *data;
  gint64      generation;
  gint64      metageneration;
  char       *content_type;
  char       *md5;           /* base64 */
  char       *crc32c;        /* base64 */
  gint64      created;       /* µs */
  gint64      updated;       /* µs */
  GHashTable *metadata;      /* string → string, or NULL */
} TestBucketObject;

typedef struct _TestBucketStore TestBucketStore;

TestBucketStore  *test_bucket_store_new             (const char       *dir);
void              test_bucket_store_free            (TestBucketStore  *self);
TestBucketObject *test_bucket_store_get             (TestBucketStore  *self,
                                                     const char       *bucket,
                                                     const char       *name);
TestBucketObject *test_bucket_store_put             (TestBucketStore  *self,
                                                     const char       *bucket,
                                                     const char       *name,
                                                     GBytes           *data,
                                                     const char       *content_type,
                                                     GHashTable       *metadata);
gboolean          test_bucket_store_delete          (TestBucketStore  *self,
                                                     const char       *bucket,
                                                     const char       *name);
GPtrArray        *test_bucket_store_list            (TestBucketStore  *self,
                                                     const char       *bucket,
                                                     const char       *prefix);
void              test_bucket_store_update_metadata (TestBucketStore  *self,
                                                     TestBucketObject *object,
                                                     GHashTable       *metadata);
guint             test_bucket_store_count           (TestBucketStore  *self);
gboolean          test_bucket_store_add_bucket      (TestBucketStore  *self,
                                                     const char       *bucket);
gboolean          test_bucket_store_has_bucket      (TestBucketStore  *self,
                                                     const char       *bucket);
guint32           test_bucket_crc32c                (const guint8     *data,
                                                     gsize             size);
char             *test_bucket_crc32c_base64         (GBytes           *data);
char             *test_bucket_md5_base64            (GBytes           *data);

G_END_DECLS
