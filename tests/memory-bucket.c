/* memory-bucket.c: a bucket in memory, for the sync engine's unit tests */
#include "config.h"

#include <string.h>

#include "memory-bucket.h"

typedef struct
{
  GBytes *bytes;
  gint64  generation;
} Object;

struct _YataiMemoryBucket
{
  GObject     parent_instance;
  GHashTable *objects;     /* name → Object */
  gint64      next_generation;
  gboolean    offline;
  guint       writes;
  guint       lose_answers;
  GHashTable *reads;       /* name → how many times it was read */
  char       *hold;        /* reads of names containing it wait until released */
  GPtrArray  *held;        /* of Held */
};

typedef struct
{
  GTask *task;
  char  *name;
  gsize  max_size;
} Held;

static void yatai_memory_bucket_iface_init (YataiBucketInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (YataiMemoryBucket, yatai_memory_bucket, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (YATAI_TYPE_BUCKET, yatai_memory_bucket_iface_init))

static void
object_free (gpointer data)
{
  Object *object = data;

  g_bytes_unref (object->bytes);
  g_free (object);
}

static GTask *
new_task (gpointer             self,
          GCancellable        *cancellable,
          GAsyncReadyCallback  callback,
          gpointer             user_data)
{
  return g_task_new (self, cancellable, callback, user_data);
}

static gboolean
offline (YataiMemoryBucket *self,
         GTask             *task)
{
  if (!self->offline)
    return FALSE;
  g_task_return_new_error (task, YATAI_BUCKET_ERROR, YATAI_BUCKET_ERROR_UNAVAILABLE, "offline");
  return TRUE;
}

static void
mb_create_async (YataiBucket         *bucket,
                 const char          *name,
                 GBytes              *bytes,
                 gint64               if_generation_match,
                 GCancellable        *cancellable,
                 GAsyncReadyCallback  callback,
                 gpointer             user_data)
{
  YataiMemoryBucket *self = YATAI_MEMORY_BUCKET (bucket);
  g_autoptr(GTask) task = new_task (self, cancellable, callback, user_data);
  Object *current = g_hash_table_lookup (self->objects, name);
  Object *object;

  if (offline (self, task))
    return;

  if (if_generation_match >= 0 &&
      ((if_generation_match == 0 && current != NULL) ||
       (if_generation_match > 0 && (current == NULL || current->generation != if_generation_match))))
    {
      g_task_return_new_error (task, YATAI_BUCKET_ERROR, YATAI_BUCKET_ERROR_PRECONDITION, "412");
      return;
    }

  object = g_new0 (Object, 1);
  object->bytes = g_bytes_ref (bytes);
  object->generation = ++self->next_generation;
  g_hash_table_replace (self->objects, g_strdup (name), object);
  self->writes++;
  if (self->lose_answers > 0 && strstr (name, "/log/") != NULL)
    {
      /* Written, but the answer never arrives: the connection dropped on the way back. */
      self->lose_answers--;
      g_task_return_new_error (task, YATAI_BUCKET_ERROR, YATAI_BUCKET_ERROR_UNAVAILABLE, "connection lost");
      return;
    }
  g_task_return_int (task, object->generation);
}

static gboolean
mb_create_finish (YataiBucket   *bucket,
                  GAsyncResult  *result,
                  gint64        *generation,
                  GError       **error)
{
  gssize value = g_task_propagate_int (G_TASK (result), error);

  if (value < 0)
    return FALSE;
  if (generation != NULL)
    *generation = value;
  return TRUE;
}

static void
answer_read (YataiMemoryBucket *self,
             GTask             *task,
             const char        *name,
             gsize              max_size)
{
  Object *object = g_hash_table_lookup (self->objects, name);

  g_hash_table_replace (self->reads, g_strdup (name),
                        GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (self->reads, name)) + 1));
  if (object == NULL)
    {
      g_task_return_new_error (task, YATAI_BUCKET_ERROR, YATAI_BUCKET_ERROR_NOT_FOUND, "404");
      return;
    }
  if (max_size > 0 && g_bytes_get_size (object->bytes) > max_size)
    {
      g_task_return_new_error (task, YATAI_BUCKET_ERROR, YATAI_BUCKET_ERROR_TOO_LARGE, "too large");
      return;
    }
  g_task_set_task_data (task, g_memdup2 (&object->generation, sizeof (gint64)), g_free);
  g_task_return_pointer (task, g_bytes_ref (object->bytes), (GDestroyNotify) g_bytes_unref);
}

static void
mb_read_max_async (YataiBucket         *bucket,
                   const char          *name,
                   gsize                max_size,
                   GCancellable        *cancellable,
                   GAsyncReadyCallback  callback,
                   gpointer             user_data)
{
  YataiMemoryBucket *self = YATAI_MEMORY_BUCKET (bucket);
  g_autoptr(GTask) task = new_task (self, cancellable, callback, user_data);

  if (offline (self, task))
    return;
  if (self->hold != NULL && strstr (name, self->hold) != NULL)
    {
      Held *held = g_new0 (Held, 1);

      held->task = g_steal_pointer (&task);
      held->name = g_strdup (name);
      held->max_size = max_size;
      g_ptr_array_add (self->held, held);
      return;
    }
  answer_read (self, task, name, max_size);
}

static void
mb_read_async (YataiBucket         *bucket,
               const char          *name,
               GCancellable        *cancellable,
               GAsyncReadyCallback  callback,
               gpointer             user_data)
{
  mb_read_max_async (bucket, name, 0, cancellable, callback, user_data);
}

static GBytes *
mb_read_finish (YataiBucket   *bucket,
                GAsyncResult  *result,
                gint64        *generation,
                GError       **error)
{
  GBytes *bytes = g_task_propagate_pointer (G_TASK (result), error);

  if (bytes != NULL && generation != NULL)
    *generation = *(gint64 *) g_task_get_task_data (G_TASK (result));
  return bytes;
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char **) a, *(const char **) b);
}

static void
mb_list_async (YataiBucket         *bucket,
               const char          *prefix,
               GCancellable        *cancellable,
               GAsyncReadyCallback  callback,
               gpointer             user_data)
{
  YataiMemoryBucket *self = YATAI_MEMORY_BUCKET (bucket);
  g_autoptr(GTask) task = new_task (self, cancellable, callback, user_data);
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  GHashTableIter iter;
  gpointer key;

  if (offline (self, task))
    {
      g_ptr_array_unref (names);
      return;
    }
  g_hash_table_iter_init (&iter, self->objects);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (g_str_has_prefix (key, prefix))
      g_ptr_array_add (names, g_strdup (key));
  g_ptr_array_sort (names, compare_names);
  g_task_return_pointer (task, names, (GDestroyNotify) g_ptr_array_unref);
}

static GPtrArray *
mb_list_finish (YataiBucket   *bucket,
                GAsyncResult  *result,
                GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
mb_delete_async (YataiBucket         *bucket,
                 const char          *name,
                 gint64               if_generation_match,
                 GCancellable        *cancellable,
                 GAsyncReadyCallback  callback,
                 gpointer             user_data)
{
  YataiMemoryBucket *self = YATAI_MEMORY_BUCKET (bucket);
  g_autoptr(GTask) task = new_task (self, cancellable, callback, user_data);
  Object *object = g_hash_table_lookup (self->objects, name);

  if (offline (self, task))
    return;
  if (object == NULL)
    {
      g_task_return_new_error (task, YATAI_BUCKET_ERROR, YATAI_BUCKET_ERROR_NOT_FOUND, "404");
      return;
    }
  if (if_generation_match > 0 && object->generation != if_generation_match)
    {
      g_task_return_new_error (task, YATAI_BUCKET_ERROR, YATAI_BUCKET_ERROR_PRECONDITION, "412");
      return;
    }
  g_hash_table_remove (self->objects, name);
  self->writes++;
  g_task_return_boolean (task, TRUE);
}

static gboolean
mb_delete_finish (YataiBucket   *bucket,
                  GAsyncResult  *result,
                  GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
yatai_memory_bucket_iface_init (YataiBucketInterface *iface)
{
  iface->create_async = mb_create_async;
  iface->create_finish = mb_create_finish;
  iface->read_async = mb_read_async;
  iface->read_max_async = mb_read_max_async;
  iface->read_finish = mb_read_finish;
  iface->list_async = mb_list_async;
  iface->list_finish = mb_list_finish;
  iface->delete_async = mb_delete_async;
  iface->delete_finish = mb_delete_finish;
}

static void
yatai_memory_bucket_finalize (GObject *object)
{
  g_hash_table_unref (YATAI_MEMORY_BUCKET (object)->objects);
  g_hash_table_unref (YATAI_MEMORY_BUCKET (object)->reads);
  g_ptr_array_unref (YATAI_MEMORY_BUCKET (object)->held);
  g_free (YATAI_MEMORY_BUCKET (object)->hold);
  G_OBJECT_CLASS (yatai_memory_bucket_parent_class)->finalize (object);
}

static void
yatai_memory_bucket_class_init (YataiMemoryBucketClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = yatai_memory_bucket_finalize;
}

static void
yatai_memory_bucket_init (YataiMemoryBucket *self)
{
  self->objects = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, object_free);
  self->next_generation = 1000;
  self->reads = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->held = g_ptr_array_new ();
}

YataiMemoryBucket *
yatai_memory_bucket_new (void)
{
  return g_object_new (YATAI_TYPE_MEMORY_BUCKET, NULL);
}

void
yatai_memory_bucket_set_offline (YataiMemoryBucket *self,
                                 gboolean           is_offline)
{
  self->offline = is_offline;
}

GBytes *
yatai_memory_bucket_get (YataiMemoryBucket *self,
                         const char        *name)
{
  Object *object = g_hash_table_lookup (self->objects, name);

  return object ? g_bytes_ref (object->bytes) : NULL;
}

void
yatai_memory_bucket_put (YataiMemoryBucket *self,
                         const char        *name,
                         GBytes            *bytes)
{
  Object *object = g_new0 (Object, 1);

  object->bytes = g_bytes_ref (bytes);
  object->generation = ++self->next_generation;
  g_hash_table_replace (self->objects, g_strdup (name), object);
}

guint
yatai_memory_bucket_count_prefix (YataiMemoryBucket *self,
                                  const char        *prefix)
{
  GHashTableIter iter;
  gpointer key;
  guint n = 0;

  g_hash_table_iter_init (&iter, self->objects);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (g_str_has_prefix (key, prefix))
      n++;
  return n;
}

void
yatai_memory_bucket_lose_answers (YataiMemoryBucket *self,
                                  guint              n)
{
  self->lose_answers = n;
}

guint
yatai_memory_bucket_get_writes (YataiMemoryBucket *self)
{
  return self->writes;
}

guint
yatai_memory_bucket_count_reads (YataiMemoryBucket *self,
                                 const char        *name)
{
  return GPOINTER_TO_UINT (g_hash_table_lookup (self->reads, name));
}

/* Reads of names containing CONTAINS wait, unanswered, as over a network that stalls; NULL answers
 * every read held so far (a held read keeps the bucket alive, so a test releases them before the end). */
void
yatai_memory_bucket_hold_reads (YataiMemoryBucket *self,
                                const char        *contains)
{
  g_free (self->hold);
  self->hold = g_strdup (contains);
  if (contains != NULL)
    return;
  while (self->held->len > 0)
    {
      Held *held = g_ptr_array_steal_index (self->held, 0);

      answer_read (self, held->task, held->name, held->max_size);
      g_object_unref (held->task);
      g_free (held->name);
      g_free (held);
    }
}

guint
yatai_memory_bucket_count_held (YataiMemoryBucket *self)
{
  return self->held->len;
}
