/* yatai-preferences-window.c: the settings of this device */
#define G_LOG_DOMAIN "yatai-preferences-window"

#include "config.h"

#include <glib/gi18n.h>

#include "yatai-gcs-bucket.h"
#include "yatai-link-protocol.h"
#include "yatai-pair-window.h"
#include "yatai-preferences-window.h"
#include "yatai-text.h"

struct _YataiPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  GSettings            *settings;

  AdwEntryRow          *device_name_row;
  AdwComboRow          *style_row;
  GtkSpinButton        *day_start_spin;
  GtkSwitch            *pay_later_switch;
  GtkSwitch            *auto_ticket_switch;
  GtkSpinButton        *warning_spin;
  GtkSpinButton        *late_spin;
  GtkSwitch            *sound_switch;
  AdwEntryRow          *bucket_row;
  AdwEntryRow          *prefix_row;
  AdwActionRow         *key_file_row;
  AdwActionRow         *credentials_row;
  AdwEntryRow          *endpoint_row;
  AdwEntryRow          *link_row;
  GtkSwitch            *takeover_switch;
  GtkSwitch            *takes_orders_switch;
  AdwActionRow         *add_device_row;
  YataiApplication     *application;
  GtkFileChooserNative *chooser;
};

G_DEFINE_FINAL_TYPE (YataiPreferencesWindow, yatai_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

static const char *styles[] = { "follow", "light", "dark" };

/* The name is checked like a product name (1-50 characters) and saved on Enter or the apply button. */
static void
device_name_apply_cb (YataiPreferencesWindow *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->device_name_row));
  g_autofree char *clean = yatai_text_clean (text);
  guint n = yatai_text_count_chars (clean);
  g_autoptr(GError) error = NULL;

  if (n > 50)
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->device_name_row), "error");
      adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self),
                                        adw_toast_new (_("A device name has at most 50 characters.")));
      return;
    }
  /* The name travels to the other devices ("following “Counter PC”"): no text that reads as another. */
  if (!yatai_text_check_hidden (clean, &error))
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->device_name_row), "error");
      adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self), adw_toast_new (error->message));
      return;
    }
  gtk_widget_remove_css_class (GTK_WIDGET (self->device_name_row), "error");
  g_settings_set_string (self->settings, "device-name", clean);
}

static void
style_selected_cb (YataiPreferencesWindow *self)
{
  guint selected = adw_combo_row_get_selected (self->style_row);

  if (selected < G_N_ELEMENTS (styles))
    g_settings_set_string (self->settings, "style", styles[selected]);
}

static void
style_changed_cb (YataiPreferencesWindow *self)
{
  g_autofree char *style = g_settings_get_string (self->settings, "style");

  for (guint i = 0; i < G_N_ELEMENTS (styles); i++)
    if (g_str_equal (style, styles[i]))
      adw_combo_row_set_selected (self->style_row, i);
}

/* Sync: written on apply (Enter or the check button), so typing does not restart sync letter by letter. */
static void
sync_apply_cb (YataiPreferencesWindow *self)
{
  g_autofree char *bucket = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->bucket_row))));
  g_autofree char *prefix = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->prefix_row))));
  g_autofree char *endpoint = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->endpoint_row))));

  g_autoptr(GError) error = NULL;

  gtk_widget_remove_css_class (GTK_WIDGET (self->bucket_row), "error");
  gtk_widget_remove_css_class (GTK_WIDGET (self->endpoint_row), "error");
  /* An empty bucket is this device on its own; anything else must be a bucket name and an address. */
  if (*bucket != '\0' && !yatai_gcs_bucket_check_address (bucket, endpoint, &error))
    {
      gboolean bad_endpoint = yatai_gcs_bucket_check_address (bucket, NULL, NULL);

      gtk_widget_add_css_class (GTK_WIDGET (bad_endpoint ? self->endpoint_row : self->bucket_row), "error");
      adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self), adw_toast_new (error->message));
      return;
    }
  g_settings_set_string (self->settings, "sync-bucket", bucket);
  g_settings_set_string (self->settings, "sync-prefix", *prefix != '\0' ? prefix : "yatai/stall-1");
  g_settings_set_string (self->settings, "sync-endpoint", endpoint);
}

/* The writer's address by hand, for a network where the devices do not find each other (no DNS-SD). */
static void
link_apply_cb (YataiPreferencesWindow *self)
{
  g_autofree char *link = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->link_row))));
  g_autoptr(GSocketConnectable) parsed = NULL;

  gtk_widget_remove_css_class (GTK_WIDGET (self->link_row), "error");
  if (*link != '\0' &&
      ((parsed = yatai_link_parse_address (link, NULL)) == NULL ||
       g_network_address_get_port (G_NETWORK_ADDRESS (parsed)) == 0))
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->link_row), "error");
      adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self),
                                        adw_toast_new (_("Write the writer’s address as host:port, for example 192.168.1.20:8765.")));
      return;
    }
  g_settings_set_string (self->settings, "sync-link", link);
}

static void
show_key_file (YataiPreferencesWindow *self)
{
  g_autofree char *path = g_settings_get_string (self->settings, "sync-key-file");

  g_autofree char *endpoint = g_settings_get_string (self->settings, "sync-endpoint");
  g_autofree char *warning = NULL;
  g_autofree char *in_use = NULL;

  adw_action_row_set_subtitle (self->key_file_row, *path != '\0' ? path : _("None: Google’s application default credentials"));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "prefs.clear-key-file", *path != '\0');
  /* What this device signs in with (found as Google's libraries find it), and a file others may read. */
  in_use = yatai_gcs_bucket_describe_credentials (endpoint, path, &warning);
  if (warning != NULL)
    {
      char *both = g_strconcat (in_use, "\n", warning, NULL);

      g_free (in_use);
      in_use = both;
      gtk_widget_add_css_class (GTK_WIDGET (self->credentials_row), "warning");
    }
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->credentials_row), "warning");
  adw_action_row_set_subtitle (self->credentials_row, in_use);
}

static void
key_chosen_cb (GtkNativeDialog        *chooser,
               int                     response,
               YataiPreferencesWindow *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      g_autofree char *path = g_file_get_path (file);

      if (path != NULL)
        g_settings_set_string (self->settings, "sync-key-file", path);
    }
  g_clear_object (&self->chooser);
}

static void
choose_key_file_action_cb (GtkWidget  *widget,
                           const char *action_name,
                           GVariant   *parameter)
{
  YataiPreferencesWindow *self = YATAI_PREFERENCES_WINDOW (widget);
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

  gtk_file_filter_set_name (filter, _("JSON key files"));
  gtk_file_filter_add_mime_type (filter, "application/json");
  gtk_file_filter_add_pattern (filter, "*.json");
  g_clear_object (&self->chooser);
  self->chooser = gtk_file_chooser_native_new (_("Choose the Service Account Key"), GTK_WINDOW (self),
                                               GTK_FILE_CHOOSER_ACTION_OPEN, _("_Choose"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), filter);
  g_signal_connect (self->chooser, "response", G_CALLBACK (key_chosen_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
clear_key_file_action_cb (GtkWidget  *widget,
                          const char *action_name,
                          GVariant   *parameter)
{
  g_settings_set_string (YATAI_PREFERENCES_WINDOW (widget)->settings, "sync-key-file", "");
}

/* Pairing gives the stall at a position of its history: this device in the stall's sync, or on its
 * own (no bucket), when it founds a stall without a bucket that the new device follows on the local
 * network. A device that follows a stall without a bucket pairs nobody: its writer does. */
static void
show_add_device (YataiPreferencesWindow *self)
{
  YataiSyncEngine *engine = yatai_application_get_sync_engine (self->application);
  gboolean link_follower = engine != NULL && yatai_sync_engine_get_link_only (engine) &&
                           yatai_sync_engine_get_role (engine) != YATAI_SYNC_WRITER;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "prefs.add-device", !link_follower);
  if (link_follower)
    adw_action_row_set_subtitle (self->add_device_row,
                                 _("Add devices on the device that takes the orders"));
  else if (engine == NULL || yatai_sync_engine_get_link_only (engine))
    adw_action_row_set_subtitle (self->add_device_row,
                                 _("A new device joins by a code shown here and follows this device on the local network, without a bucket"));
  else
    adw_action_row_set_subtitle (self->add_device_row,
                                 _("A new device joins this stall by a code shown here: no key file to copy"));
}

static void
add_device_action_cb (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  YataiPreferencesWindow *self = YATAI_PREFERENCES_WINDOW (widget);
  YataiPairWindow *window;
  g_autoptr(GError) error = NULL;

  /* Without a bucket, this device founds a stall that the new device follows on the local network. */
  if (yatai_application_get_sync_engine (self->application) == NULL &&
      !yatai_application_found_link_stall (self->application, &error))
    {
      GtkWidget *dialog = adw_message_dialog_new (GTK_WINDOW (self), _("A Device Cannot Be Added"), error->message);

      adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
      gtk_window_present (GTK_WINDOW (dialog));
      return;
    }
  window = yatai_pair_window_new_add (self->application);

  gtk_window_set_transient_for (GTK_WINDOW (window), GTK_WINDOW (self));
  gtk_window_present (GTK_WINDOW (window));
}

static void
yatai_preferences_window_dispose (GObject *object)
{
  YataiPreferencesWindow *self = YATAI_PREFERENCES_WINDOW (object);

  if (self->application != NULL)
    g_signal_handlers_disconnect_by_data (self->application, self);
  g_clear_object (&self->application);

  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);

  if (self->settings != NULL)
    g_signal_handlers_disconnect_by_data (self->settings, self);
  g_clear_object (&self->settings);
  gtk_widget_dispose_template (GTK_WIDGET (self), YATAI_TYPE_PREFERENCES_WINDOW);
  G_OBJECT_CLASS (yatai_preferences_window_parent_class)->dispose (object);
}

static void
yatai_preferences_window_class_init (YataiPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = yatai_preferences_window_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/yatai/Yatai/yatai-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, YataiPreferencesWindow, device_name_row);
  gtk_widget_class_bind_template_child (widget_class, YataiPreferencesWindow, style_row);
  gtk_widget_class_bind_template_child (widget_class, YataiPreferencesWindow, day_start_spin);
  gtk_widget_class_bind_template_child (widget_class, YataiPreferencesWindow, pay_later_switch);
  gtk_widget_class_bind_template_child (widget_class, YataiPreferencesWindow, auto_ticket_switch);
  gtk_widget_class_bind_template_child (widget_class, YataiPreferencesWindow, warning_spin);
  gtk_widget_class_bind_template_child (widget_class, YataiPreferencesWindow, late_spin);
  gtk_widget_class_bind_template_child (widget_class, YataiPreferencesWindow, sound_switch);
  gtk_widget_class_bind_template_child (widget_class, YataiPreferencesWindow, bucket_row);
  gtk_widget_class_bind_template_child (widget_class, YataiPreferencesWindow, prefix_row);
  gtk_widget_class_bind_template_child (widget_class, YataiPreferencesWindow, key_file_row);
  gtk_widget_class_bind_template_child (widget_class, YataiPreferencesWindow, credentials_row);
  gtk_widget_class_bind_template_child (widget_class, YataiPreferencesWindow, endpoint_row);
  gtk_widget_class_bind_template_child (widget_class, YataiPreferencesWindow, link_row);
  gtk_widget_class_bind_template_child (widget_class, YataiPreferencesWindow, takeover_switch);
  gtk_widget_class_bind_template_child (widget_class, YataiPreferencesWindow, takes_orders_switch);
  gtk_widget_class_bind_template_child (widget_class, YataiPreferencesWindow, add_device_row);
  gtk_widget_class_bind_template_callback (widget_class, device_name_apply_cb);
  gtk_widget_class_bind_template_callback (widget_class, sync_apply_cb);
  gtk_widget_class_bind_template_callback (widget_class, link_apply_cb);
  gtk_widget_class_install_action (widget_class, "prefs.choose-key-file", NULL, choose_key_file_action_cb);
  gtk_widget_class_install_action (widget_class, "prefs.clear-key-file", NULL, clear_key_file_action_cb);
  gtk_widget_class_install_action (widget_class, "prefs.add-device", NULL, add_device_action_cb);
}

static void
yatai_preferences_window_init (YataiPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

YataiPreferencesWindow *
yatai_preferences_window_new (YataiApplication *application)
{
  YataiPreferencesWindow *self;
  g_autofree char *device_name = NULL;

  g_return_val_if_fail (YATAI_IS_APPLICATION (application), NULL);

  self = g_object_new (YATAI_TYPE_PREFERENCES_WINDOW, "application", application, NULL);
  self->settings = g_object_ref (yatai_application_get_settings (application));

  device_name = g_settings_get_string (self->settings, "device-name");
  gtk_editable_set_text (GTK_EDITABLE (self->device_name_row), device_name);
  style_changed_cb (self);
  g_signal_connect_swapped (self->settings, "changed::style", G_CALLBACK (style_changed_cb), self);
  g_signal_connect_swapped (self->style_row, "notify::selected", G_CALLBACK (style_selected_cb), self);

  g_settings_bind (self->settings, "day-start-hour", self->day_start_spin, "value", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "pay-later", self->pay_later_switch, "active", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "auto-print-ticket", self->auto_ticket_switch, "active", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "kitchen-warning-minutes", self->warning_spin, "value", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "kitchen-late-minutes", self->late_spin, "value", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "kitchen-sound", self->sound_switch, "active", G_SETTINGS_BIND_DEFAULT);

  {
    g_autofree char *bucket = g_settings_get_string (self->settings, "sync-bucket");
    g_autofree char *prefix = g_settings_get_string (self->settings, "sync-prefix");
    g_autofree char *endpoint = g_settings_get_string (self->settings, "sync-endpoint");
    g_autofree char *link = g_settings_get_string (self->settings, "sync-link");

    gtk_editable_set_text (GTK_EDITABLE (self->link_row), link);
    gtk_editable_set_text (GTK_EDITABLE (self->bucket_row), bucket);
    gtk_editable_set_text (GTK_EDITABLE (self->prefix_row), prefix);
    gtk_editable_set_text (GTK_EDITABLE (self->endpoint_row), endpoint);
  }
  show_key_file (self);
  g_signal_connect_swapped (self->settings, "changed::sync-key-file", G_CALLBACK (show_key_file), self);
  g_signal_connect_swapped (self->settings, "changed::sync-endpoint", G_CALLBACK (show_key_file), self);
  g_settings_bind (self->settings, "sync-auto-takeover", self->takeover_switch, "active", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "sync-takes-orders", self->takes_orders_switch, "active", G_SETTINGS_BIND_DEFAULT);
  self->application = g_object_ref (application);
  show_add_device (self);
  g_signal_connect_swapped (application, "notify::sync-engine", G_CALLBACK (show_add_device), self);
  if (yatai_application_get_sync_engine (application) != NULL)
    g_signal_connect_object (yatai_application_get_sync_engine (application), "notify::role",
                             G_CALLBACK (show_add_device), self, G_CONNECT_SWAPPED);
  return self;
}
