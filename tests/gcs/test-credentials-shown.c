/* test-credentials-shown.c: which credentials this device signs in with, as a person sees it (Xvfb)
 *
 * Preferences → Sync names the credentials in use (their kind, file and account, never a secret), and a
 * credentials file that other users of the computer may read is shown as a warning there and in the
 * sync details (the header bar's popover), not only on the console.
 */
#include "config.h"

#include <glib/gstdio.h>

#include "gui-test-util.h"
#include "yatai-gcs-bucket.h"
#include "yatai-preferences-window.h"
#include "yatai-sync-indicator.h"

static char *
write_sign_in (const char *dir,
               int         mode)
{
  const char *json = "{\"type\": \"authorized_user\", \"client_id\": \"1234.apps.googleusercontent.com\", "
                     "\"client_secret\": \"d-FL95Q19q7MQmFpd7hHD0Ty\", \"refresh_token\": \"1//0e-refresh-secret\", "
                     "\"account\": \"tenshu@example.com\"}";
  char *path = g_build_filename (dir, "adc.json", NULL);

  g_assert_true (g_file_set_contents (path, json, -1, NULL));
  g_chmod (path, mode);
  return path;
}

static void
test_preferences_and_details (void)
{
  g_autofree char *dir = NULL;
  g_autoptr(YataiApplication) app = gui_test_app_new (FALSE, &dir);
  GSettings *settings = yatai_application_get_settings (app);
  g_autofree char *path = write_sign_in (dir, 0644);
  g_autoptr(GError) error = NULL;
  YataiPreferencesWindow *preferences;
  GtkWidget *row;
  const char *subtitle;

  g_settings_set_string (settings, "sync-endpoint", "");
  g_settings_set_string (settings, "sync-key-file", path);
  preferences = yatai_preferences_window_new (app);
  gtk_window_present (GTK_WINDOW (preferences));
  gui_test_settle ();

  row = gui_test_find (GTK_WIDGET (preferences), "credentials_row");
  subtitle = adw_action_row_get_subtitle (ADW_ACTION_ROW (row));
  g_assert_nonnull (strstr (subtitle, "Google sign-in of tenshu@example.com"));
  g_assert_nonnull (strstr (subtitle, path));
  g_assert_nonnull (strstr (subtitle, "can be read by other users of this computer. Make it private: chmod 600"));
  g_assert_null (strstr (subtitle, "secret"));
  g_assert_true (gtk_widget_has_css_class (row, "warning"));

  /* Made private: the warning goes. */
  g_chmod (path, 0600);
  g_settings_set_string (settings, "sync-key-file", "");
  g_settings_set_string (settings, "sync-key-file", path);
  gui_test_settle ();
  subtitle = adw_action_row_get_subtitle (ADW_ACTION_ROW (row));
  g_assert_nonnull (strstr (subtitle, "Google sign-in of tenshu@example.com"));
  g_assert_null (strstr (subtitle, "chmod"));
  g_assert_false (gtk_widget_has_css_class (row, "warning"));
  gtk_window_destroy (GTK_WINDOW (preferences));

  /* The sync details of an engine on a file others may read. */
  g_chmod (path, 0640);
  {
    g_autoptr(YataiGcsBucket) bucket = yatai_gcs_bucket_connect ("stall", "http://127.0.0.1:9", path, &error);
    g_autoptr(YataiSyncEngine) engine = NULL;
    GtkWidget *window = gtk_window_new ();
    YataiSyncIndicator *indicator = g_object_new (YATAI_TYPE_SYNC_INDICATOR, NULL);

    g_assert_no_error (error);
    engine = yatai_sync_engine_new (yatai_application_get_store (app), YATAI_BUCKET (bucket), "s");
    gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (indicator));
    gtk_window_present (GTK_WINDOW (window));
    yatai_sync_indicator_set_engine (indicator, engine);
    gui_test_settle ();
    g_assert_nonnull (strstr (gui_test_label (GTK_WIDGET (indicator), "details"),
                              "can be read by other users of this computer. Make it private: chmod 600"));
    yatai_sync_indicator_set_engine (indicator, NULL);
    gtk_window_destroy (GTK_WINDOW (window));
  }
  g_settings_set_string (settings, "sync-key-file", "");
  gui_test_remove_dir (dir);
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  g_test_add_func ("/credentials/preferences-and-details", test_preferences_and_details);
  return g_test_run ();
}
