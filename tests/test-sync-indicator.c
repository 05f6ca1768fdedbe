/* test-sync-indicator.c: what the header bar says, and the banner when data may be old */
#include "config.h"

#include <glib/gstdio.h>
#include <gtk/gtk.h>

#include "memory-bucket.h"
#include "yatai-resources.h"
#include "yatai-sync-indicator.h"

static void
settle (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static const char *
summary_text (YataiSyncIndicator *indicator)
{
  GtkWidget *button = gtk_widget_get_first_child (GTK_WIDGET (indicator));
  GtkWidget *box = gtk_menu_button_get_child (GTK_MENU_BUTTON (button));
  GtkWidget *label = gtk_widget_get_last_child (box);

  return gtk_label_get_label (GTK_LABEL (label));
}

static gboolean
has_role (gpointer data)
{
  return yatai_sync_engine_get_role (data) != YATAI_SYNC_STARTING;
}

static gboolean
is_offline (gpointer data)
{
  return !yatai_sync_engine_get_online (data);
}

static void
run_until (gboolean (*condition) (gpointer),
           gpointer data)
{
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  while (!condition (data))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

static void
test_indicator (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("yatai-indicator-XXXXXX", NULL);
  g_autofree char *path_a = g_build_filename (dir, "a.sqlite3", NULL);
  g_autofree char *path_b = g_build_filename (dir, "b.sqlite3", NULL);
  g_autoptr(YataiMemoryBucket) bucket = yatai_memory_bucket_new ();
  g_autoptr(YataiStore) a = yatai_store_open (path_a, &error);
  g_autoptr(YataiStore) b = yatai_store_open (path_b, &error);
  g_autoptr(YataiSyncEngine) writer = NULL;
  g_autoptr(YataiSyncEngine) follower = NULL;
  GtkWidget *window = gtk_window_new ();
  YataiSyncIndicator *indicator = g_object_new (YATAI_TYPE_SYNC_INDICATOR, NULL);

  g_assert_no_error (error);
  yatai_store_set_device_name (a, "Counter PC");
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (indicator));
  gtk_window_present (GTK_WINDOW (window));
  settle ();

  /* No bucket: the device is on its own, and nothing is stale. */
  g_assert_cmpstr (summary_text (indicator), ==, "Local only");
  g_assert_false (yatai_sync_indicator_get_stale (indicator));

  writer = yatai_sync_engine_new (a, YATAI_BUCKET (bucket), "s");
  follower = yatai_sync_engine_new (b, YATAI_BUCKET (bucket), "s");
  yatai_sync_engine_start (writer);
  run_until (has_role, writer);
  yatai_sync_engine_start (follower);
  run_until (has_role, follower);

  yatai_sync_indicator_set_engine (indicator, follower);
  settle ();
  g_assert_cmpstr (summary_text (indicator), ==, "Following “Counter PC” through the bucket");
  g_assert_false (yatai_sync_indicator_get_stale (indicator));

  /* The network goes: the bar says so, and the data on screen is marked as maybe old. */
  yatai_memory_bucket_set_offline (bucket, TRUE);
  run_until (is_offline, follower);
  settle ();
  g_assert_cmpstr (summary_text (indicator), ==, "Offline");
  g_assert_true (yatai_sync_indicator_get_stale (indicator));
  g_assert_nonnull (strstr (yatai_sync_indicator_get_stale_text (indicator), "out of date"));

  gtk_window_destroy (GTK_WINDOW (window));
  g_clear_object (&writer);
  g_clear_object (&follower);
  g_clear_object (&a);
  g_clear_object (&b);
  {
    g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
    const char *name;

    while ((name = g_dir_read_name (d)) != NULL)
      {
        g_autofree char *path = g_build_filename (dir, name, NULL);
        g_unlink (path);
      }
    g_rmdir (dir);
  }
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  yatai_register_resource ();

  g_test_add_func ("/sync-indicator/words-and-banner", test_indicator);

  return g_test_run ();
}
