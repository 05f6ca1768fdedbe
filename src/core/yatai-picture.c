/* yatai-picture.c: a product's picture, scaled down once and kept in the store
 *
 * A person may pick a PNG, JPEG, WebP or GIF of up to 10 MB. It is decoded with gdk-pixbuf (no GTK),
 * scaled so its longer side is at most YATAI_PICTURE_SIZE pixels, and stored as PNG, so tiles and lists
 * never decode a camera-sized file. Decoding runs in a worker thread.
 */
#define G_LOG_DOMAIN "yatai-picture"

#include "config.h"

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <glib/gi18n.h>

#include "yatai-picture.h"
#include "yatai-store.h"

static const char * const accepted_formats[] = { "png", "jpeg", "webp", "gif", NULL };

static void
size_prepared_cb (GdkPixbufLoader *loader,
                  int              width,
                  int              height,
                  gpointer         user_data)
{
  double scale;

  if (width <= YATAI_PICTURE_SIZE && height <= YATAI_PICTURE_SIZE)
    return;
  scale = (double) YATAI_PICTURE_SIZE / MAX (width, height);
  gdk_pixbuf_loader_set_size (loader, MAX (1, (int) (width * scale + 0.5)), MAX (1, (int) (height * scale + 0.5)));
}

/* Returns the picture to store, as PNG bytes, or NULL with a sentence a person understands. */
GBytes *
yatai_picture_prepare (GBytes  *data,
                       GError **error)
{
  g_autoptr(GdkPixbufLoader) loader = NULL;
  g_autoptr(GError) local_error = NULL;
  GdkPixbufFormat *format;
  g_autofree char *format_name = NULL;
  GdkPixbuf *pixbuf;
  char *buffer = NULL;
  gsize length = 0;

  g_return_val_if_fail (data != NULL, NULL);

  if (g_bytes_get_size (data) > YATAI_PICTURE_MAX_BYTES)
    {
      g_set_error (error, YATAI_STORE_ERROR, YATAI_STORE_ERROR_INVALID,
                   _("The picture is larger than 10 MB. Pick a smaller one."));
      return NULL;
    }

  loader = gdk_pixbuf_loader_new ();
  g_signal_connect (loader, "size-prepared", G_CALLBACK (size_prepared_cb), NULL);

  if (!gdk_pixbuf_loader_write_bytes (loader, data, &local_error) ||
      !gdk_pixbuf_loader_close (loader, &local_error))
    {
      g_debug ("Picture not decoded: %s", local_error->message);
      g_set_error (error, YATAI_STORE_ERROR, YATAI_STORE_ERROR_INVALID,
                   _("This file is not a picture Yatai can read. Use a PNG, JPEG, WebP or GIF file."));
      return NULL;
    }

  format = gdk_pixbuf_loader_get_format (loader);
  format_name = format ? gdk_pixbuf_format_get_name (format) : NULL;
  if (format_name == NULL || !g_strv_contains (accepted_formats, format_name))
    {
      g_set_error (error, YATAI_STORE_ERROR, YATAI_STORE_ERROR_INVALID,
                   _("This kind of picture is not supported. Use a PNG, JPEG, WebP or GIF file."));
      return NULL;
    }

  pixbuf = gdk_pixbuf_loader_get_pixbuf (loader);
  if (pixbuf == NULL)
    {
      g_set_error (error, YATAI_STORE_ERROR, YATAI_STORE_ERROR_INVALID,
                   _("This file is not a picture Yatai can read. Use a PNG, JPEG, WebP or GIF file."));
      return NULL;
    }

  if (!gdk_pixbuf_save_to_buffer (pixbuf, &buffer, &length, "png", &local_error, NULL))
    {
      g_debug ("Picture not encoded: %s", local_error->message);
      g_set_error (error, YATAI_STORE_ERROR, YATAI_STORE_ERROR_INVALID,
                   _("The picture could not be prepared. Try another file."));
      return NULL;
    }

  return g_bytes_new_take (buffer, length);
}

static void
prepare_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  GFile *file = task_data;
  g_autoptr(GFileInfo) info = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  GBytes *prepared;

  info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_SIZE, G_FILE_QUERY_INFO_NONE,
                            cancellable, &error);
  if (info != NULL && g_file_info_get_size (info) > YATAI_PICTURE_MAX_BYTES)
    {
      g_task_return_new_error (task, YATAI_STORE_ERROR, YATAI_STORE_ERROR_INVALID,
                               _("The picture is larger than 10 MB. Pick a smaller one."));
      return;
    }

  bytes = g_file_load_bytes (file, cancellable, NULL, &error);
  if (bytes == NULL)
    {
      g_task_return_new_error (task, YATAI_STORE_ERROR, YATAI_STORE_ERROR_IO,
                               _("The file could not be read: %s"), error->message);
      return;
    }

  prepared = yatai_picture_prepare (bytes, &error);
  if (prepared == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, prepared, (GDestroyNotify) g_bytes_unref);
}

void
yatai_picture_prepare_async (GFile               *file,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (G_IS_FILE (file));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, yatai_picture_prepare_async);
  g_task_set_task_data (task, g_object_ref (file), g_object_unref);
  g_task_run_in_thread (task, prepare_thread);
}

GBytes *
yatai_picture_prepare_finish (GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* What the store accepts as a stored picture from a command: a PNG or JPEG of reasonable size. */
gboolean
yatai_picture_check_stored (GBytes  *data,
                            GError **error)
{
  static const guint8 png[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
  static const guint8 jpeg[] = { 0xff, 0xd8, 0xff };
  gsize size;
  const guint8 *bytes = g_bytes_get_data (data, &size);

  if (size > YATAI_PICTURE_STORED_MAX ||
      !((size >= sizeof png && memcmp (bytes, png, sizeof png) == 0) ||
        (size >= sizeof jpeg && memcmp (bytes, jpeg, sizeof jpeg) == 0)))
    {
      g_set_error (error, YATAI_STORE_ERROR, YATAI_STORE_ERROR_INVALID,
                   _("The product’s picture is not in a form Yatai stores. Pick the picture again."));
      return FALSE;
    }
  return TRUE;
}
