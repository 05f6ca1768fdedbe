/* test-bucket-store.c: the objects of yatai-test-bucket, with GCS's generations and hashes
 *
 * With a folder, each object is two files written atomically (g_file_set_contents): the bytes, and a
 * JSON file with its generation, metageneration, content type, hashes, times and custom metadata. Names
 * are escaped into file names, so "yatai/stall-1/log/00000000000000000001" is one file. A bucket is a
 * folder: it exists once made (an insert request or --bucket), and a folder found at start is one.
 */
#define G_LOG_DOMAIN "yatai-test-bucket"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "test-bucket-store.h"

struct _TestBucketStore
{
  char       *dir;
  GHashTable *objects;        /* "bucket\nname" → TestBucketObject */
  GHashTable *buckets;        /* the buckets made, by name */
  gint64      last_generation;
};

static void
object_free (gpointer data)
{
  TestBucketObject *object = data;

  g_free (object->bucket);
  g_free (object->name);
  g_bytes_unref (object->data);
  g_free (object->content_type);
  g_free (object->md5);
  g_free (object->crc32c);
  g_clear_pointer (&object->metadata, g_hash_table_unref);
  g_free (object);
}

static char *
key_of (const char *bucket,
        const char *name)
{
  return g_strconcat (bucket, "\n", name, NULL);
}

/* CRC32C (Castagnoli, reflected polynomial 0x82f63b78), as GCS computes it; base64 of the
 * big-endian value. Written here rather than shared with Yatai's client, so that the server is an
 * independent check of it. */
static guint32 crc32c_table[256];

static void
crc32c_init (void)
{
  for (guint32 i = 0; i < 256; i++)
    {
      guint32 c = i;

      for (int k = 0; k < 8; k++)
        c = (c & 1) ? (c >> 1) ^ 0x82f63b78u : c >> 1;
      crc32c_table[i] = c;
    }
}

guint32
test_bucket_crc32c (const guint8 *data,
                    gsize         size)
{
  static gsize initialized = 0;
  guint32 crc = 0xffffffffu;

  if (g_once_init_enter (&initialized))
    {
      crc32c_init ();
      g_once_init_leave (&initialized, 1);
    }
  for (gsize i = 0; i < size; i++)
    crc = crc32c_table[(crc ^ data[i]) & 0xff] ^ (crc >> 8);
  return crc ^ 0xffffffffu;
}

char *
test_bucket_crc32c_base64 (GBytes *data)
{
  gsize size;
  const guint8 *p = g_bytes_get_data (data, &size);
  guint32 crc = test_bucket_crc32c (p, size);
  guint8 be[4] = { crc >> 24, (crc >> 16) & 0xff, (crc >> 8) & 0xff, crc & 0xff };

  return g_base64_encode (be, sizeof be);
}

char *
test_bucket_md5_base64 (GBytes *data)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_MD5);
  guint8 digest[16];
  gsize digest_length = sizeof digest;
  gsize size;
  const guint8 *p = g_bytes_get_data (data, &size);

  if (size > 0)
    g_checksum_update (checksum, p, size);
  g_checksum_get_digest (checksum, digest, &digest_length);
  return g_base64_encode (digest, digest_length);
}

static char *
file_base (TestBucketStore *self,
           const char      *bucket,
           const char      *name)
{
  g_autofree char *escaped_bucket = g_uri_escape_string (bucket, NULL, FALSE);
  g_autofree char *escaped = g_uri_escape_string (name, NULL, FALSE);
  g_autofree char *folder = g_build_filename (self->dir, escaped_bucket, NULL);

  g_mkdir_with_parents (folder, 0700);
  return g_build_filename (folder, escaped, NULL);
}

static void
save (TestBucketStore  *self,
      TestBucketObject *object)
{
  g_autofree char *base = NULL;
  g_autofree char *data_path = NULL;
  g_autofree char *meta_path = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *json = NULL;
  gsize size;
  const char *bytes = g_bytes_get_data (object->data, &size);

  if (self->dir == NULL)
    return;
  base = file_base (self, object->bucket, object->name);
  data_path = g_strconcat (base, ".data", NULL);
  meta_path = g_strconcat (base, ".json", NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "bucket");
  json_builder_add_string_value (builder, object->bucket);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, object->name);
  json_builder_set_member_name (builder, "generation");
  json_builder_add_int_value (builder, object->generation);
  json_builder_set_member_name (builder, "metageneration");
  json_builder_add_int_value (builder, object->metageneration);
  json_builder_set_member_name (builder, "contentType");
  json_builder_add_string_value (builder, object->content_type);
  json_builder_set_member_name (builder, "created");
  json_builder_add_int_value (builder, object->created);
  json_builder_set_member_name (builder, "updated");
  json_builder_add_int_value (builder, object->updated);
  if (object->metadata != NULL)
    {
      GHashTableIter iter;
      gpointer key, value;

      json_builder_set_member_name (builder, "metadata");
      json_builder_begin_object (builder);
      g_hash_table_iter_init (&iter, object->metadata);
      while (g_hash_table_iter_next (&iter, &key, &value))
        {
          json_builder_set_member_name (builder, key);
          json_builder_add_string_value (builder, value);
        }
      json_builder_end_object (builder);
    }
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  json = json_to_string (root, FALSE);

  /* The bytes first: a crash between the two leaves the old description, which the load refuses
   * because the hashes differ, rather than a description of bytes never written. */
  if (!g_file_set_contents (data_path, bytes != NULL ? bytes : "", size, NULL) ||
      !g_file_set_contents (meta_path, json, -1, NULL))
    g_printerr ("yatai-test-bucket: could not write %s\n", base);
}

static void
load (TestBucketStore *self)
{
  g_autoptr(GDir) buckets = g_dir_open (self->dir, 0, NULL);
  const char *bucket_dir;

  while (buckets != NULL && (bucket_dir = g_dir_read_name (buckets)) != NULL)
    {
      g_autofree char *folder = g_build_filename (self->dir, bucket_dir, NULL);
      g_autoptr(GDir) files = g_dir_open (folder, 0, NULL);
      g_autofree char *bucket = g_uri_unescape_string (bucket_dir, NULL);
      const char *file;

      if (files != NULL && bucket != NULL)
        g_hash_table_add (self->buckets, g_strdup (bucket));

      while (files != NULL && (file = g_dir_read_name (files)) != NULL)
        {
          g_autofree char *meta_path = NULL;
          g_autofree char *data_path = NULL;
          g_autofree char *base = NULL;
          g_autoptr(JsonParser) parser = json_parser_new ();
          g_autofree char *contents = NULL;
          gsize length;
          JsonObject *meta;
          TestBucketObject *object;

          if (!g_str_has_suffix (file, ".json"))
            continue;
          base = g_strndup (file, strlen (file) - 5);
          meta_path = g_build_filename (folder, file, NULL);
          data_path = g_strconcat (folder, G_DIR_SEPARATOR_S, base, ".data", NULL);
          if (!json_parser_load_from_file (parser, meta_path, NULL) ||
              !g_file_get_contents (data_path, &contents, &length, NULL))
            continue;
          meta = json_node_get_object (json_parser_get_root (parser));
          object = g_new0 (TestBucketObject, 1);
          object->bucket = g_strdup (json_object_get_string_member (meta, "bucket"));
          object->name = g_strdup (json_object_get_string_member (meta, "name"));
          object->data = g_bytes_new_take (g_steal_pointer (&contents), length);
          object->generation = json_object_get_int_member (meta, "generation");
          object->metageneration = json_object_get_int_member (meta, "metageneration");
          object->content_type = g_strdup (json_object_get_string_member (meta, "contentType"));
          object->created = json_object_get_int_member (meta, "created");
          object->updated = json_object_get_int_member (meta, "updated");
          object->md5 = test_bucket_md5_base64 (object->data);
          object->crc32c = test_bucket_crc32c_base64 (object->data);
          if (json_object_has_member (meta, "metadata"))
            {
              JsonObject *m = json_object_get_object_member (meta, "metadata");
              GList *members = json_object_get_members (m);

              object->metadata = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
              for (GList *l = members; l != NULL; l = l->next)
                g_hash_table_insert (object->metadata, g_strdup (l->data),
                                     g_strdup (json_object_get_string_member (m, l->data)));
              g_list_free (members);
            }
          self->last_generation = MAX (self->last_generation, object->generation);
          g_hash_table_insert (self->objects, key_of (object->bucket, object->name), object);
        }
    }
}

TestBucketStore *
test_bucket_store_new (const char *dir)
{
  TestBucketStore *self = g_new0 (TestBucketStore, 1);

  self->objects = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, object_free);
  self->buckets = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  if (dir != NULL)
    {
      self->dir = g_strdup (dir);
      g_mkdir_with_parents (dir, 0700);
      load (self);
    }
  return self;
}

void
test_bucket_store_free (TestBucketStore *self)
{
  g_hash_table_unref (self->objects);
  g_hash_table_unref (self->buckets);
  g_free (self->dir);
  g_free (self);
}

TestBucketObject *
test_bucket_store_get (TestBucketStore *self,
                       const char      *bucket,
                       const char      *name)
{
  g_autofree char *key = key_of (bucket, name);

  return g_hash_table_lookup (self->objects, key);
}

/* A new generation, like GCS's: a microsecond timestamp, never the same twice. */
static gint64
next_generation (TestBucketStore *self)
{
  gint64 now = g_get_real_time ();

  self->last_generation = MAX (now, self->last_generation + 1);
  return self->last_generation;
}

TestBucketObject *
test_bucket_store_put (TestBucketStore *self,
                       const char      *bucket,
                       const char      *name,
                       GBytes          *data,
                       const char      *content_type,
                       GHashTable      *metadata)
{
  TestBucketObject *object = g_new0 (TestBucketObject, 1);

  object->bucket = g_strdup (bucket);
  object->name = g_strdup (name);
  object->data = g_bytes_ref (data);
  object->generation = next_generation (self);
  object->metageneration = 1;
  object->content_type = g_strdup (content_type != NULL ? content_type : "application/octet-stream");
  object->md5 = test_bucket_md5_base64 (data);
  object->crc32c = test_bucket_crc32c_base64 (data);
  object->updated = g_get_real_time ();
  object->created = object->updated;
  if (metadata != NULL)
    object->metadata = g_hash_table_ref (metadata);
  g_hash_table_insert (self->objects, key_of (bucket, name), object);
  save (self, object);
  return object;
}

gboolean
test_bucket_store_delete (TestBucketStore *self,
                          const char      *bucket,
                          const char      *name)
{
  g_autofree char *key = key_of (bucket, name);

  if (!g_hash_table_remove (self->objects, key))
    return FALSE;
  if (self->dir != NULL)
    {
      g_autofree char *base = file_base (self, bucket, name);
      g_autofree char *data_path = g_strconcat (base, ".data", NULL);
      g_autofree char *meta_path = g_strconcat (base, ".json", NULL);

      g_remove (meta_path);
      g_remove (data_path);
    }
  return TRUE;
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  const TestBucketObject *x = *(TestBucketObject **) a, *y = *(TestBucketObject **) b;

  return strcmp (x->name, y->name);
}

/* Transfer container: the bucket's objects whose names start with @prefix, by name. */
GPtrArray *
test_bucket_store_list (TestBucketStore *self,
                        const char      *bucket,
                        const char      *prefix)
{
  GPtrArray *found = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->objects);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      TestBucketObject *object = value;

      if (g_str_equal (object->bucket, bucket) && g_str_has_prefix (object->name, prefix != NULL ? prefix : ""))
        g_ptr_array_add (found, object);
    }
  g_ptr_array_sort (found, compare_names);
  return found;
}

/* Keeps a metadata change (PATCH): a new metageneration, the same generation and bytes. */
void
test_bucket_store_update_metadata (TestBucketStore  *self,
                                   TestBucketObject *object,
                                   GHashTable       *metadata)
{
  if (metadata != NULL)
    {
      g_clear_pointer (&object->metadata, g_hash_table_unref);
      object->metadata = g_hash_table_ref (metadata);
    }
  object->metageneration++;
  object->updated = g_get_real_time ();
  save (self, object);
}

guint
test_bucket_store_count (TestBucketStore *self)
{
  return g_hash_table_size (self->objects);
}

/* FALSE when the bucket was made already. */
gboolean
test_bucket_store_add_bucket (TestBucketStore *self,
                              const char      *bucket)
{
  if (g_hash_table_contains (self->buckets, bucket))
    return FALSE;
  g_hash_table_add (self->buckets, g_strdup (bucket));
  if (self->dir != NULL)
    {
      g_autofree char *escaped = g_uri_escape_string (bucket, NULL, FALSE);
      g_autofree char *folder = g_build_filename (self->dir, escaped, NULL);

      g_mkdir_with_parents (folder, 0700);
    }
  return TRUE;
}

gboolean
test_bucket_store_has_bucket (TestBucketStore *self,
                              const char      *bucket)
{
  return g_hash_table_contains (self->buckets, bucket);
}
