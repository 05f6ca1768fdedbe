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
} BucketObject;

typedef struct _BucketStore BucketStore;

BucketStore  *bucket_store_new        (const char   *dir);
void          bucket_store_free       (BucketStore  *self);
BucketObject *bucket_store_get        (BucketStore  *self,
                                       const char   *bucket,
                                       const char   *name);
BucketObject *bucket_store_put        (BucketStore  *self,
                                       const char   *bucket,
                                       const char   *name,
                                       GBytes       *data,
                                       const char   *content_type,
                                       GHashTable   *metadata);
gboolean      bucket_store_delete     (BucketStore  *self,
                                       const char   *bucket,
                                       const char   *name);
GPtrArray    *bucket_store_list       (BucketStore  *self,
                                       const char   *bucket,
                                       const char   *prefix);
guint         bucket_store_count      (BucketStore  *self);
char         *bucket_crc32c_base64    (GBytes       *data);
char         *bucket_md5_base64       (GBytes       *data);

G_END_DECLS
