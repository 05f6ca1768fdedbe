/* yatai-pair-window.c: Add a Device (the counter shows a code) and Join a Stall (the new device types it) */
#define G_LOG_DOMAIN "yatai-pair-window"

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "yatai-link-discovery.h"
#include "yatai-pair-server.h"
#include "yatai-pair-window.h"
#include "yatai-sync-engine.h"

#define MAX_CREDENTIALS (64 * 1024)

struct _YataiPairWindow
{
  AdwWindow         parent_instance;

  YataiApplication *application;
  YataiPairServer  *server;        /* Add a Device */
  YataiLinkDiscovery *discovery;   /* Add a Device: published while open; Join a Stall: browsed */
  GCancellable     *cancellable;   /* Join a Stall */
  guint             tick_id;

  GtkStack         *pages;
  GtkLabel         *code_label;
  GtkLabel         *address_label;
  GtkLabel         *expiry_label;
  AdwActionRow     *settings_row;
  GtkSwitch        *settings_switch;
  GtkLabel         *add_status_label;
  GtkButton        *new_code_button;
  GtkListBox       *counters_list;
  GtkLabel         *counters_status_label;
  AdwEntryRow      *address_row;
  AdwEntryRow      *code_row;
  GtkLabel         *join_status_label;
  GtkSpinner       *join_spinner;
  GtkButton        *join_button;
};

enum {
  JOINED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (YataiPairWindow, yatai_pair_window, ADW_TYPE_WINDOW)

static void
set_status (GtkLabel   *label,
            const char *message,
            gboolean    is_error)
{
  gtk_label_set_label (label, message ? message : "");
  if (is_error)
    gtk_widget_add_css_class (GTK_WIDGET (label), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (label), "error");
}

/* Add a Device */

/* What the new device receives, once it has typed the code. */
static YataiPairing *
stall_cb (gpointer   user_data,
          GError   **error)
{
  YataiPairWindow *self = user_data;
  YataiSyncEngine *engine = yatai_application_get_sync_engine (self->application);
  YataiStore *store = yatai_application_get_store (self->application);
  g_autoptr(YataiPairing) pairing = yatai_pairing_new ();
  g_autofree char *prefix = yatai_application_dup_sync_setting (self->application, "sync-prefix");

  if (engine == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED,
                           _("This device is not in a stall’s sync, so the new device could not follow it."));
      return NULL;
    }
  pairing->snapshot = yatai_sync_engine_export_stall (engine, error);
  if (pairing->snapshot == NULL)
    return NULL;
  pairing->counter_id = g_strdup (yatai_store_get_device_id (store));
  pairing->counter_name = g_strdup (yatai_store_get_device_name (store));
  pairing->prefix = *prefix != '\0' ? g_steal_pointer (&prefix) : g_strdup ("yatai/stall-1");
  if (yatai_sync_engine_get_link_only (engine))
    {
      /* No bucket: the new device follows this one on the local network, found by DNS-SD or at the
       * first address it serves the link at. */
      g_auto(GStrv) addresses = yatai_sync_engine_dup_link_addresses (engine);
      g_autofree char *stall = yatai_sync_link_stall_get (store);

      pairing->link_only = TRUE;
      pairing->link = addresses != NULL && addresses[0] != NULL ? g_strdup (addresses[0]) : NULL;
      g_free (pairing->prefix);
      pairing->prefix = g_steal_pointer (&stall);
    }
  if (gtk_switch_get_active (self->settings_switch))
    {
      g_autofree char *key_file = g_settings_get_string (yatai_application_get_settings (self->application),
                                                          "sync-key-file");
      gsize size = 0;

      pairing->has_settings = TRUE;
      pairing->bucket = yatai_application_dup_sync_setting (self->application, "sync-bucket");
      pairing->endpoint = yatai_application_dup_sync_setting (self->application, "sync-endpoint");
      if (*key_file != '\0' &&
          (!g_file_get_contents (key_file, &pairing->credentials, &size, NULL) || size > MAX_CREDENTIALS))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                       _("The credentials file “%s” could not be read. Choose it again under Preferences → Sync, or turn off giving the sync settings."),
                       key_file);
          return NULL;
        }
    }
  return g_steal_pointer (&pairing);
}

static void
show_expiry (YataiPairWindow *self)
{
  guint left = yatai_pair_server_get_seconds_left (self->server);
  g_autofree char *text = NULL;

  if (yatai_pair_server_get_state (self->server) == YATAI_PAIR_STATE_WAITING)
    text = g_strdup_printf (_("Valid for %u:%02u more, for one device"), left / 60, left % 60);
  gtk_label_set_label (self->expiry_label, text ? text : "");
}

static gboolean
tick_cb (gpointer data)
{
  show_expiry (data);
  return G_SOURCE_CONTINUE;
}

static void
server_changed_cb (YataiPairWindow *self)
{
  YataiPairState state = yatai_pair_server_get_state (self->server);
  const char *code = yatai_pair_server_get_code (self->server);

  if (code != NULL)
    {
      g_autofree char *shown = yatai_pair_code_format (code);
      g_autoptr(GString) spoken = g_string_new (NULL);
      g_autofree char *label = NULL;

      /* Read digit by digit, not as a number in the hundreds of thousands. */
      for (const char *p = code; *p != '\0'; p++)
        g_string_append_printf (spoken, p == code ? "%c" : " %c", *p);
      label = g_strdup_printf (_("Pairing code: %s"), spoken->str);
      gtk_label_set_label (self->code_label, shown);
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->code_label), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
    }
  else
    {
      gtk_label_set_label (self->code_label, "––– –––");
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->code_label), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      _("No pairing code"), -1);
    }
  gtk_widget_set_sensitive (GTK_WIDGET (self->settings_row), state == YATAI_PAIR_STATE_WAITING &&
                            gtk_widget_get_sensitive (GTK_WIDGET (self->settings_switch)));
  set_status (self->add_status_label, yatai_pair_server_get_message (self->server),
              state == YATAI_PAIR_STATE_FAILED);
  show_expiry (self);
}

static void
new_code_cb (YataiPairWindow *self)
{
  yatai_pair_server_offer (self->server);
}

static void
start_offering (YataiPairWindow *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *bucket = yatai_application_dup_sync_setting (self->application, "sync-bucket");
  g_auto(GStrv) addresses = NULL;
  g_autoptr(GString) where = g_string_new (NULL);

  gtk_window_set_title (GTK_WINDOW (self), _("Add a Device"));
  gtk_stack_set_visible_child_name (self->pages, "add");
  g_strstrip (bucket);
  gtk_widget_set_sensitive (GTK_WIDGET (self->settings_switch), *bucket != '\0');
  if (*bucket == '\0')
    adw_action_row_set_subtitle (self->settings_row, _("This device has no bucket set"));

  self->server = yatai_pair_server_new (stall_cb, self, NULL);
  g_signal_connect_swapped (self->server, "notify::state", G_CALLBACK (server_changed_cb), self);
  g_signal_connect_swapped (self->server, "notify::message", G_CALLBACK (server_changed_cb), self);
  if (!yatai_pair_server_listen (self->server, NULL, &error))
    {
      g_autofree char *message = g_strdup_printf (_("This device cannot wait for a new device on the network: %s"),
                                                  error->message);

      gtk_label_set_label (self->address_label, "");
      gtk_widget_set_sensitive (GTK_WIDGET (self->new_code_button), FALSE);
      server_changed_cb (self);
      set_status (self->add_status_label, message, TRUE);
      return;
    }
  addresses = yatai_pair_local_addresses ();
  for (guint i = 0; addresses[i] != NULL && i < 3; i++)
    g_string_append_printf (where, i == 0 ? "%s%s:%u" : "\n%s%s:%u",
                            strchr (addresses[i], ':') ? "[" : "", addresses[i],
                            yatai_pair_server_get_port (self->server));
  if (where->len == 0)
    g_string_append (where, _("This device is on no network."));
  gtk_label_set_label (self->address_label, where->str);
  /* Found by the new device's Join a Stall while this window is open, and only then. */
  self->discovery = yatai_link_discovery_new_for_pairing (
      yatai_store_get_device_name (yatai_application_get_store (self->application)));
  yatai_link_discovery_publish (self->discovery, yatai_pair_server_get_port (self->server));
  yatai_pair_server_offer (self->server);
  server_changed_cb (self);
  self->tick_id = g_timeout_add_seconds (1, tick_cb, self);
}

/* Join a Stall */

/* The counters found, by name, for a person to tap; in words when none is, and why. */
static void
counters_changed_cb (YataiPairWindow *self)
{
  g_autoptr(GPtrArray) found = yatai_link_discovery_list (self->discovery);
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->counters_list))) != NULL)
    gtk_list_box_remove (self->counters_list, child);
  for (guint i = 0; i < found->len; i++)
    {
      YataiDiscovered *counter = g_ptr_array_index (found, i);
      GtkWidget *row = adw_action_row_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), counter->device);
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), counter->address);
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
      g_object_set_data_full (G_OBJECT (row), "address", g_strdup (counter->address), g_free);
      gtk_list_box_append (self->counters_list, row);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->counters_list), found->len > 0);
  if (found->len > 0)
    gtk_label_set_label (self->counters_status_label, _("Choose the counter, then type its code."));
  else if (!yatai_link_discovery_available (self->discovery))
    gtk_label_set_label (self->counters_status_label,
                         _("Counters cannot be found automatically on this device (no network service discovery). Type the counter’s address below."));
  else
    gtk_label_set_label (self->counters_status_label,
                         _("Looking for counters showing Add a Device… If none appears, type the counter’s address below."));
}

static void
counter_chosen_cb (YataiPairWindow *self,
                   GtkListBoxRow   *row)
{
  const char *address = g_object_get_data (G_OBJECT (row), "address");

  if (address == NULL)
    return;
  gtk_editable_set_text (GTK_EDITABLE (self->address_row), address);
  gtk_window_set_focus (GTK_WINDOW (self), GTK_WIDGET (self->code_row));
}

static void
join_changed_cb (YataiPairWindow *self)
{
  const char *address = gtk_editable_get_text (GTK_EDITABLE (self->address_row));
  const char *code = gtk_editable_get_text (GTK_EDITABLE (self->code_row));

  gtk_widget_set_sensitive (GTK_WIDGET (self->join_button),
                            self->cancellable == NULL && *address != '\0' && *code != '\0');
}

/* The settings the counter gave: the credentials in a file of this user's only. */
static gboolean
take_settings (YataiPairWindow  *self,
               YataiPairing     *pairing,
               GError          **error)
{
  GSettings *settings = yatai_application_get_settings (self->application);

  if (pairing->credentials != NULL)
    {
      g_autofree char *folder = g_build_filename (g_get_user_config_dir (), "yatai", NULL);
      g_autofree char *path = g_build_filename (folder, "paired-credentials.json", NULL);

      if (g_mkdir_with_parents (folder, 0700) != 0 ||
          !g_file_set_contents_full (path, pairing->credentials, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, error))
        return FALSE;
      g_settings_set_string (settings, "sync-key-file", path);
    }
  g_settings_set_string (settings, "sync-endpoint", pairing->endpoint ? pairing->endpoint : "");
  g_settings_set_string (settings, "sync-prefix", pairing->prefix ? pairing->prefix : "");
  g_settings_set_string (settings, "sync-bucket", pairing->bucket ? pairing->bucket : "");
  return TRUE;
}

/* The engine is made again once the window has shown the pages, as a change of the sync settings
 * makes it (after 300 ms). */
static gboolean
reload_sync_cb (gpointer data)
{
  yatai_application_reload_sync (data);
  return G_SOURCE_REMOVE;
}

static void
joined_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(YataiPairWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(YataiPairing) pairing = yatai_pair_join_finish (result, &error);
  g_autofree char *message = NULL;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_clear_object (&self->cancellable);
  gtk_spinner_stop (self->join_spinner);
  join_changed_cb (self);
  if (pairing != NULL && yatai_application_get_sync_engine (self->application) != NULL)
    g_set_error_literal (&error, YATAI_PAIR_ERROR, YATAI_PAIR_ERROR_NOT_READY,
                         yatai_sync_engine_get_link_only (yatai_application_get_sync_engine (self->application))
                         ? _("This device is already in a stall on the local network. Pairing is for a new device.")
                         : _("This device already follows a stall through its bucket. Pairing is for a new device."));
  if (error != NULL || pairing == NULL ||
      !yatai_pairing_apply (pairing, yatai_application_get_store (self->application), &error) ||
      (pairing->has_settings && !take_settings (self, pairing, &error)))
    {
      set_status (self->join_status_label, error->message, TRUE);
      return;
    }
  if (pairing->link_only)
    {
      /* A stall without a bucket: follow the counter on the local network now. */
      message = g_strdup_printf (_("This device has the stall of “%s” and follows it on the local network."),
                                 pairing->counter_name);
      g_timeout_add_full (G_PRIORITY_DEFAULT, 300, reload_sync_cb, g_object_ref (self->application), g_object_unref);
    }
  else if (pairing->has_settings && pairing->bucket != NULL && *pairing->bucket != '\0')
    message = g_strdup_printf (_("This device has the stall of “%s” and follows it."), pairing->counter_name);
  else
    message = g_strdup_printf (_("This device has the stall of “%s”. To follow it, set the bucket under Preferences → Sync."),
                               pairing->counter_name);
  set_status (self->join_status_label, message, FALSE);
  g_signal_emit (self, signals[JOINED], 0, message);
}

static void
join_cb (YataiPairWindow *self)
{
  YataiStore *store = yatai_application_get_store (self->application);

  if (!gtk_widget_get_sensitive (GTK_WIDGET (self->join_button)))
    return;
  self->cancellable = g_cancellable_new ();
  join_changed_cb (self);
  gtk_spinner_start (self->join_spinner);
  set_status (self->join_status_label, _("Asking the counter for the stall…"), FALSE);
  yatai_pair_join_async (gtk_editable_get_text (GTK_EDITABLE (self->address_row)),
                         gtk_editable_get_text (GTK_EDITABLE (self->code_row)),
                         yatai_store_get_device_name (store), self->cancellable, joined_cb, g_object_ref (self));
}

/* GObject */

static void
yatai_pair_window_dispose (GObject *object)
{
  YataiPairWindow *self = YATAI_PAIR_WINDOW (object);

  g_clear_handle_id (&self->tick_id, g_source_remove);
  if (self->server != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->server, self);
      yatai_pair_server_withdraw (self->server);
    }
  g_clear_object (&self->server);
  if (self->discovery != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->discovery, self);
      yatai_link_discovery_withdraw (self->discovery);
    }
  g_clear_object (&self->discovery);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->application);
  gtk_widget_dispose_template (GTK_WIDGET (self), YATAI_TYPE_PAIR_WINDOW);
  G_OBJECT_CLASS (yatai_pair_window_parent_class)->dispose (object);
}

static void
yatai_pair_window_class_init (YataiPairWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = yatai_pair_window_dispose;

  /**
   * YataiPairWindow::joined:
   * @message: what this device has now, in words
   *
   * The new device received the stall and holds it.
   */
  signals[JOINED] = g_signal_new ("joined", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                  G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/yatai/Yatai/yatai-pair-window.ui");
  gtk_widget_class_bind_template_child (widget_class, YataiPairWindow, pages);
  gtk_widget_class_bind_template_child (widget_class, YataiPairWindow, code_label);
  gtk_widget_class_bind_template_child (widget_class, YataiPairWindow, address_label);
  gtk_widget_class_bind_template_child (widget_class, YataiPairWindow, expiry_label);
  gtk_widget_class_bind_template_child (widget_class, YataiPairWindow, settings_row);
  gtk_widget_class_bind_template_child (widget_class, YataiPairWindow, settings_switch);
  gtk_widget_class_bind_template_child (widget_class, YataiPairWindow, add_status_label);
  gtk_widget_class_bind_template_child (widget_class, YataiPairWindow, new_code_button);
  gtk_widget_class_bind_template_child (widget_class, YataiPairWindow, counters_list);
  gtk_widget_class_bind_template_child (widget_class, YataiPairWindow, counters_status_label);
  gtk_widget_class_bind_template_child (widget_class, YataiPairWindow, address_row);
  gtk_widget_class_bind_template_child (widget_class, YataiPairWindow, code_row);
  gtk_widget_class_bind_template_child (widget_class, YataiPairWindow, join_status_label);
  gtk_widget_class_bind_template_child (widget_class, YataiPairWindow, join_spinner);
  gtk_widget_class_bind_template_child (widget_class, YataiPairWindow, join_button);
  gtk_widget_class_bind_template_callback (widget_class, new_code_cb);
  gtk_widget_class_bind_template_callback (widget_class, join_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, join_cb);
  gtk_widget_class_bind_template_callback (widget_class, counter_chosen_cb);
}

static void
yatai_pair_window_init (YataiPairWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/**
 * yatai_pair_window_new_add:
 *
 * The counter's "Add a Device": listens on the network and shows a code, with where to type it.
 */
YataiPairWindow *
yatai_pair_window_new_add (YataiApplication *application)
{
  YataiPairWindow *self = g_object_new (YATAI_TYPE_PAIR_WINDOW, "application", application, NULL);

  self->application = g_object_ref (application);
  start_offering (self);
  return self;
}

/**
 * yatai_pair_window_new_join:
 *
 * The new device's "Join a Stall on This Network": the counters found on the network to choose from,
 * or the address typed, and the code; then the stall.
 */
YataiPairWindow *
yatai_pair_window_new_join (YataiApplication *application)
{
  YataiPairWindow *self = g_object_new (YATAI_TYPE_PAIR_WINDOW, "application", application, NULL);

  self->application = g_object_ref (application);
  gtk_window_set_title (GTK_WINDOW (self), _("Join a Stall"));
  gtk_stack_set_visible_child_name (self->pages, "join");
  gtk_window_set_focus (GTK_WINDOW (self), GTK_WIDGET (self->address_row));
  self->discovery = yatai_link_discovery_new_for_pairing (
      yatai_store_get_device_name (yatai_application_get_store (application)));
  g_signal_connect_swapped (self->discovery, "changed", G_CALLBACK (counters_changed_cb), self);
  yatai_link_discovery_browse (self->discovery);
  counters_changed_cb (self);
  return self;
}

/* Add a Device's service published, or Join a Stall's browsing: for tests. */
YataiLinkDiscovery *
yatai_pair_window_get_discovery (YataiPairWindow *self)
{
  g_return_val_if_fail (YATAI_IS_PAIR_WINDOW (self), NULL);
  return self->discovery;
}

YataiPairServer *
yatai_pair_window_get_server (YataiPairWindow *self)
{
  g_return_val_if_fail (YATAI_IS_PAIR_WINDOW (self), NULL);
  return self->server;
}
