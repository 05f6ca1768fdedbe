/* yatai-chime.c: the kitchen's new-order chime
 *
 * A GtkMediaFile over the sound in the resources. GTK plays it through its GStreamer backend, which
 * reaches the sound server (PulseAudio, or PipeWire's PulseAudio service) like any other app; inside
 * the Flatpak that is the GNOME runtime's GStreamer and the --socket=pulseaudio permission.
 *
 * The chime is a courtesy: the card flashes whether it sounds or not. Without a media backend GTK
 * gives a GtkMediaFile that is in error from the start, and GStreamer reports a failed sound server or
 * decoder as the stream's error; either way the kitchen stays silent, with one debug message for the
 * life of the chime and never a warning. A stream in error is dropped and the next order tries a new
 * one, so the chime comes back when the sound server does.
 */
#define G_LOG_DOMAIN "yatai-chime"

#include "config.h"

#include "yatai-chime.h"

struct _YataiChime
{
  GObject         parent_instance;

  GtkMediaStream *stream;     /* made at the first order, so a window that never rings loads no backend */
  guint           n_started;
  gboolean        told;       /* the one debug message about silence was given */
};

G_DEFINE_FINAL_TYPE (YataiChime, yatai_chime, G_TYPE_OBJECT)

static void
tell_silence (YataiChime     *self,
              GtkMediaStream *stream)
{
  const GError *error = gtk_media_stream_get_error (stream);

  if (error == NULL || self->told)
    return;
  self->told = TRUE;
  g_debug ("The new-order chime is silent: %s", error->message);
}

static void
stream_error_cb (YataiChime     *self,
                 GParamSpec     *pspec,
                 GtkMediaStream *stream)
{
  tell_silence (self, stream);
}

/* Rings the chime from its start, also when it is still ringing for the order before. */
void
yatai_chime_play (YataiChime *self)
{
  g_return_if_fail (YATAI_IS_CHIME (self));

  if (self->stream != NULL && gtk_media_stream_get_error (self->stream) != NULL)
    g_clear_object (&self->stream);
  if (self->stream == NULL)
    {
      self->stream = gtk_media_file_new_for_resource (YATAI_CHIME_RESOURCE);
      g_signal_connect_object (self->stream, "notify::error", G_CALLBACK (stream_error_cb), self,
                               G_CONNECT_SWAPPED);
      tell_silence (self, self->stream);
    }

  if (gtk_media_stream_get_playing (self->stream))
    gtk_media_stream_seek (self->stream, 0);
  else
    gtk_media_stream_play (self->stream);
  if (gtk_media_stream_get_playing (self->stream))
    self->n_started++;
}

/* The stream of the last ring (NULL before the first), for tests. */
GtkMediaStream *
yatai_chime_get_stream (YataiChime *self)
{
  g_return_val_if_fail (YATAI_IS_CHIME (self), NULL);
  return self->stream;
}

/* How many times playback was started (a ring while the stream was in error does not count). */
guint
yatai_chime_get_n_started (YataiChime *self)
{
  g_return_val_if_fail (YATAI_IS_CHIME (self), 0);
  return self->n_started;
}

static void
yatai_chime_dispose (GObject *object)
{
  YataiChime *self = YATAI_CHIME (object);

  if (self->stream != NULL)
    gtk_media_stream_pause (self->stream);
  g_clear_object (&self->stream);
  G_OBJECT_CLASS (yatai_chime_parent_class)->dispose (object);
}

static void
yatai_chime_class_init (YataiChimeClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = yatai_chime_dispose;
}

static void
yatai_chime_init (YataiChime *self)
{
}

YataiChime *
yatai_chime_new (void)
{
  return g_object_new (YATAI_TYPE_CHIME, NULL);
}
