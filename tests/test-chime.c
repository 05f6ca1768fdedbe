/* test-chime.c: the kitchen's new-order chime rings through GTK's media API, and is silent without one */
#include "config.h"

#include "yatai-chime.h"
#include "yatai-resources.h"

static guint n_chime_debug;   /* debug messages of the chime's log domain */

static GLogWriterOutput
count_writer (GLogLevelFlags   level,
              const GLogField *fields,
              gsize            n_fields,
              gpointer         data)
{
  if (level & G_LOG_LEVEL_DEBUG)
    for (gsize i = 0; i < n_fields; i++)
      if (g_str_equal (fields[i].key, "GLIB_DOMAIN") && fields[i].length < 0 &&
          g_strcmp0 (fields[i].value, "yatai-chime") == 0)
        n_chime_debug++;
  return g_log_writer_default (level, fields, n_fields, data);
}

/* Waits until the stream stops playing (its end, or its error), for up to a minute of a loaded
 * machine; returns as soon as it has. */
static void
wait_until_stopped (GtkMediaStream *stream)
{
  gint64 until = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

  while (gtk_media_stream_get_playing (stream) && g_get_monotonic_time () < until)
    g_main_context_iteration (NULL, TRUE);
}

/* With GTK's media backend (GStreamer), ringing starts playback of the sound in the resources, a
 * second ring while it rings starts it again, and it rings again after it ended. The tests have no
 * sound server: G_DEBUG=fatal-warnings turns any warning about that into a crash. */
static void
test_chime_rings (void)
{
  g_autoptr(YataiChime) chime = yatai_chime_new ();
  GtkMediaStream *stream;
  g_autofree char *uri = NULL;

  g_assert_null (yatai_chime_get_stream (chime));
  yatai_chime_play (chime);
  stream = yatai_chime_get_stream (chime);
  g_assert_true (GTK_IS_MEDIA_FILE (stream));
  g_assert_null (gtk_media_stream_get_error (stream));
  g_assert_true (gtk_media_stream_get_playing (stream));
  g_assert_cmpuint (yatai_chime_get_n_started (chime), ==, 1);
  uri = g_file_get_uri (gtk_media_file_get_file (GTK_MEDIA_FILE (stream)));
  g_assert_cmpstr (uri, ==, "resource://" YATAI_CHIME_RESOURCE);

  yatai_chime_play (chime);
  g_assert_cmpuint (yatai_chime_get_n_started (chime), ==, 2);
  g_assert_true (gtk_media_stream_get_playing (yatai_chime_get_stream (chime)));

  wait_until_stopped (stream);
  g_assert_false (gtk_media_stream_get_playing (stream));
  g_assert_true (gtk_media_stream_get_ended (stream) || gtk_media_stream_get_error (stream) != NULL);
  if (gtk_media_stream_get_error (stream) == NULL)
    g_assert_true (gtk_media_stream_has_audio (stream));

  /* After its end (or its error: then on a new stream) the next order rings again. */
  yatai_chime_play (chime);
  g_assert_cmpuint (yatai_chime_get_n_started (chime), ==, 3);
  g_assert_true (gtk_media_stream_get_playing (yatai_chime_get_stream (chime)));
  g_assert_null (gtk_media_stream_get_error (yatai_chime_get_stream (chime)));
}

/* Without a media backend (GTK_MEDIA=none picks GTK's stand-in that has none) every ring is silent,
 * with one debug message in all and no warning. */
static void
test_chime_without_backend (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(YataiChime) chime = NULL;

      g_setenv ("GTK_MEDIA", "none", TRUE);
      chime = yatai_chime_new ();
      for (int i = 0; i < 3; i++)
        yatai_chime_play (chime);
      g_assert_nonnull (yatai_chime_get_stream (chime));
      g_assert_nonnull (gtk_media_stream_get_error (yatai_chime_get_stream (chime)));
      g_assert_false (gtk_media_stream_get_playing (yatai_chime_get_stream (chime)));
      g_assert_cmpuint (yatai_chime_get_n_started (chime), ==, 0);
      g_print ("chime debug messages: %u\n", n_chime_debug);
      return;
    }
  g_test_trap_subprocess (NULL, 60 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stdout ("*chime debug messages: 1\n*");
  g_test_trap_assert_stderr_unmatched ("*WARNING*");
}

int
main (int   argc,
      char *argv[])
{
  g_log_set_writer_func (count_writer, NULL, NULL);
  gtk_test_init (&argc, &argv, NULL);
  yatai_register_resource ();

  g_test_add_func ("/chime/rings", test_chime_rings);
  g_test_add_func ("/chime/without-backend", test_chime_without_backend);

  return g_test_run ();
}
