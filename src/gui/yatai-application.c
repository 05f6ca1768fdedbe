/* yatai-application.c: one process, one store, any number of windows
 *
 * The application opens the store once and owns the live models, so every window (the counter's and
 * the kitchen's, on two monitors of one PC) shows the same data and sees every change at once.
 */
#define G_LOG_DOMAIN "yatai-application"

#include "config.h"

#include <glib-unix.h>

#include <glib/gi18n.h>

#include "yatai-a11y.h"
#include "yatai-application.h"
#include "yatai-call-board.h"
#include "yatai-gcs-bucket.h"
#include "yatai-preferences-window.h"
#include "yatai-resources.h"
#include "yatai-window.h"

struct _YataiApplication
{
  AdwApplication    parent_instance;

  char             *store_path;
  gboolean          demo_if_empty;
  YataiStore       *store;
  YataiProductList *products;
  YataiTagList     *tags;
  GSettings        *settings;
  YataiSyncEngine  *sync_engine;
  YataiPendingCommands *pending;      /* commands sent to the writer, until its answer comes back */
  guint             sync_apply_id;
  char             *sync_signature;   /* the settings the running engine was made from */
  char             *override_bucket;  /* --bucket and friends: this instance only */
  char             *override_endpoint;
  char             *override_prefix;
  char             *override_device;
  char             *override_link;     /* --link: the writer's address on the local network */
  char             *override_link_listen;
  gboolean          link_overridden;   /* set_link_overrides(): NULL listen means no link served */
  guint             unix_signal_ids[3];
  guint             logout_cookie;     /* the session waits while the last upload and the release run */
};

G_DEFINE_FINAL_TYPE (YataiApplication, yatai_application, ADW_TYPE_APPLICATION)

enum {
  PROP_0,
  PROP_SYNC_ENGINE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static gboolean apply_sync_settings      (gpointer          data);
static void     sync_settings_changed_cb (YataiApplication *self,
                                          const char       *key);

static void
apply_style (YataiApplication *self)
{
  AdwStyleManager *manager = adw_style_manager_get_default ();
  g_autofree char *style = g_settings_get_string (self->settings, "style");

  if (g_str_equal (style, "light"))
    adw_style_manager_set_color_scheme (manager, ADW_COLOR_SCHEME_FORCE_LIGHT);
  else if (g_str_equal (style, "dark"))
    adw_style_manager_set_color_scheme (manager, ADW_COLOR_SCHEME_FORCE_DARK);
  else
    adw_style_manager_set_color_scheme (manager, ADW_COLOR_SCHEME_DEFAULT);
}

static void
show_fatal_error (YataiApplication *self,
                  const char       *heading,
                  const char       *body)
{
  GtkWidget *dialog;

  dialog = adw_message_dialog_new (NULL, heading, body);
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  gtk_window_set_application (GTK_WINDOW (dialog), GTK_APPLICATION (self));
  gtk_window_present (GTK_WINDOW (dialog));
}

/**
 * yatai_application_open_store:
 * @path: (nullable): the store file, or %NULL for the default one
 * @demo_if_empty: load the demo menu into a store with nothing in it
 *
 * Opens this device's store and makes the live models every window shows. Done once, before the first
 * window; tests call it directly.
 */
gboolean
yatai_application_open_store (YataiApplication  *self,
                              const char        *path,
                              gboolean           demo_if_empty,
                              GError           **error)
{
  g_autoptr(GError) demo_error = NULL;
  g_autofree char *default_path = NULL;
  g_autofree char *device_name = NULL;

  g_return_val_if_fail (YATAI_IS_APPLICATION (self), FALSE);
  g_return_val_if_fail (self->store == NULL, FALSE);
  g_return_val_if_fail (self->settings != NULL, FALSE);

  if (path == NULL)
    path = default_path = yatai_store_default_path ();

  self->store = yatai_store_open (path, error);
  if (self->store == NULL)
    return FALSE;

  device_name = g_settings_get_string (self->settings, "device-name");
  yatai_store_set_device_name (self->store, *device_name ? device_name : g_get_host_name ());

  if (demo_if_empty && yatai_store_is_empty (self->store) &&
      !yatai_store_load_demo (self->store, &demo_error))
    g_warning ("The demo menu could not be loaded: %s", demo_error->message);

  self->products = yatai_product_list_new (self->store);
  self->tags = yatai_tag_list_new (self->store);
  if (self->override_device != NULL)
    yatai_store_set_device_name (self->store, self->override_device);
  g_signal_connect_swapped (self->settings, "changed", G_CALLBACK (sync_settings_changed_cb), self);
  apply_sync_settings (self);
  return TRUE;
}

static gboolean
open_store (YataiApplication *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *default_path = NULL;
  const char *path = self->store_path;

  if (path == NULL)
    path = default_path = yatai_store_default_path ();

  if (!yatai_application_open_store (self, path, self->demo_if_empty, &error))
    {
      g_autofree char *body = g_strdup_printf (_("%s\n\nThe file is %s"), error->message, path);

      /* Also said on the terminal it was started from (and to a script that starts it). */
      g_printerr ("yatai: %s\n", error->message);
      if (g_error_matches (error, YATAI_STORE_ERROR, YATAI_STORE_ERROR_IN_USE))
        show_fatal_error (self, _("This Store Is Already Open"), body);
      else
        show_fatal_error (self, _("The Store Could Not Be Opened"), body);
      return FALSE;
    }
  return TRUE;
}

static void
yatai_application_activate (GApplication *app)
{
  YataiApplication *self = YATAI_APPLICATION (app);
  GtkWindow *window;

  if (self->store == NULL && !open_store (self))
    return;

  window = gtk_application_get_active_window (GTK_APPLICATION (app));
  if (window == NULL || !YATAI_IS_WINDOW (window))
    window = GTK_WINDOW (yatai_window_new (self));
  gtk_window_present (window);
}

static int
yatai_application_handle_local_options (GApplication *app,
                                        GVariantDict *options)
{
  YataiApplication *self = YATAI_APPLICATION (app);
  const char *path = NULL;

  if (g_variant_dict_lookup (options, "version", "b", NULL))
    {
      g_print ("yatai %s\n", PACKAGE_VERSION);
      return 0;
    }

  if (g_variant_dict_lookup (options, "store", "^&ay", &path))
    {
      g_autoptr(GFile) file = g_file_new_for_commandline_arg (path);

      self->store_path = g_file_get_path (file);
      /* Each store file is its own application instance, so two stores can run side by side. */
      g_application_set_flags (app, g_application_get_flags (app) | G_APPLICATION_NON_UNIQUE);
    }
  self->demo_if_empty = g_variant_dict_contains (options, "demo-if-empty");
  g_variant_dict_lookup (options, "bucket", "s", &self->override_bucket);
  g_variant_dict_lookup (options, "endpoint", "s", &self->override_endpoint);
  g_variant_dict_lookup (options, "prefix", "s", &self->override_prefix);
  g_variant_dict_lookup (options, "device-name", "s", &self->override_device);
  g_variant_dict_lookup (options, "link", "s", &self->override_link);
  g_variant_dict_lookup (options, "link-listen", "s", &self->override_link_listen);

  return -1;
}

/* A new device name shows on the other devices from the next change on, without a restart. */
static void
device_name_changed_cb (YataiApplication *self)
{
  g_autofree char *name = g_settings_get_string (self->settings, "device-name");

  if (self->store != NULL)
    yatai_store_set_device_name (self->store, *name != '\0' ? name : g_get_host_name ());
}

/* Sync */

static char *
sync_setting (YataiApplication *self,
              const char       *key,
              const char       *override)
{
  return override != NULL ? g_strdup (override) : g_settings_get_string (self->settings, key);
}

/**
 * yatai_application_dup_sync_setting:
 * @key: "sync-bucket", "sync-prefix" or "sync-endpoint"
 *
 * The sync setting this instance uses: what --bucket and friends say, or else the saved one.
 */
char *
yatai_application_dup_sync_setting (YataiApplication *self,
                                    const char       *key)
{
  g_return_val_if_fail (YATAI_IS_APPLICATION (self), NULL);

  if (g_str_equal (key, "sync-bucket"))
    return sync_setting (self, key, self->override_bucket);
  if (g_str_equal (key, "sync-prefix"))
    return sync_setting (self, key, self->override_prefix);
  if (g_str_equal (key, "sync-endpoint"))
    return sync_setting (self, key, self->override_endpoint);
  return g_settings_get_string (self->settings, key);
}

/* The writer's answer to a change this device sent came back through the log: the pages showing it as
 * on its way show the answer instead. A refusal (the stock ran out meanwhile, the order was cancelled
 * at the counter) is said in the writer's words in every window, in a toast that stays until it is closed, so the
 * person who made the change learns why even when they looked away. */
static void
command_finished_cb (YataiSyncEngine  *engine,
                     const char       *id,
                     const char       *refusal,
                     YataiApplication *self)
{
  g_autoptr(JsonNode) result = NULL;
  g_autofree char *message = NULL;

  if (refusal == NULL)
    yatai_store_lookup_command (self->store, id, &result, NULL);
  if (!yatai_pending_commands_finish (self->pending, id, result, refusal) || refusal == NULL)
    return;
  /* TRANSLATORS: a toast on a device that follows; the reason is the writer's sentence */
  message = g_strdup_printf (_("The writer refused a change: %s"), refusal);
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l != NULL; l = l->next)
    if (YATAI_IS_WINDOW (l->data))
      yatai_window_show_lasting_toast (l->data, message);
}

static void
set_engine (YataiApplication *self,
            YataiSyncEngine  *engine)
{
  if (self->sync_engine == engine)
    return;
  if (self->sync_engine != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->sync_engine, self);
      /* The old engine finishes its uploads and releases the lease on its own, then goes. */
      yatai_sync_engine_stop_async (self->sync_engine, NULL, NULL, NULL);
      g_clear_object (&self->sync_engine);
    }
  if (engine != NULL)
    {
      self->sync_engine = g_object_ref (engine);
      g_signal_connect (engine, "command-finished", G_CALLBACK (command_finished_cb), self);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SYNC_ENGINE]);
}

static void
start_engine (YataiApplication *self,
              YataiSyncEngine  *engine,
              const char       *link)
{
  yatai_sync_engine_set_auto_takeover (engine, g_settings_get_boolean (self->settings, "sync-auto-takeover"));
  yatai_sync_engine_set_preferred (engine, g_settings_get_boolean (self->settings, "sync-takes-orders"));
  /* The venue link: served on every address (port 47122 when free) while this device writes, unless
   * --link-listen says where; the writer found by DNS-SD and the lease, or at the address given. */
  yatai_sync_engine_set_link (engine, self->link_overridden || self->override_link_listen
                                       ? self->override_link_listen : "", link);
  set_engine (self, engine);
  yatai_sync_engine_start (engine);
}

/* The bucket, folder, endpoint and key file as they are now: a new engine when they changed, none when
 * the bucket is empty and the store is in no stall without a bucket. Takes effect without a restart. */
static gboolean
apply_sync_settings (gpointer data)
{
  YataiApplication *self = data;
  g_autofree char *bucket = sync_setting (self, "sync-bucket", self->override_bucket);
  g_autofree char *prefix = sync_setting (self, "sync-prefix", self->override_prefix);
  g_autofree char *endpoint = sync_setting (self, "sync-endpoint", self->override_endpoint);
  g_autofree char *key_file = g_settings_get_string (self->settings, "sync-key-file");
  g_autofree char *link = sync_setting (self, "sync-link", self->override_link);
  g_autofree char *signature = NULL;
  g_autoptr(YataiGcsBucket) gcs = NULL;
  g_autoptr(YataiSyncEngine) engine = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *link_stall = NULL;

  self->sync_apply_id = 0;
  if (self->store == NULL)
    return G_SOURCE_REMOVE;
  g_strstrip (link);
  /* A stall without a bucket (Add a Device without one, or paired to such a stall). */
  link_stall = yatai_sync_link_stall_get (self->store);
  signature = g_strjoin ("\n", bucket, prefix, endpoint, key_file, link, link_stall ? link_stall : "", NULL);
  if (self->sync_engine != NULL)
    {
      yatai_sync_engine_set_auto_takeover (self->sync_engine,
                                           g_settings_get_boolean (self->settings, "sync-auto-takeover"));
      yatai_sync_engine_set_preferred (self->sync_engine,
                                       g_settings_get_boolean (self->settings, "sync-takes-orders"));
    }
  if (g_strcmp0 (signature, self->sync_signature) == 0)
    return G_SOURCE_REMOVE;
  g_free (self->sync_signature);
  self->sync_signature = g_steal_pointer (&signature);

  g_strstrip (bucket);
  if (*bucket == '\0' && link_stall != NULL)
    {
      /* No bucket: the link is the stall's only path, and the store says who writes. */
      engine = yatai_sync_engine_new (self->store, NULL, link_stall);
      start_engine (self, engine, link);
      return G_SOURCE_REMOVE;
    }
  if (*bucket == '\0')
    {
      set_engine (self, NULL);
      return G_SOURCE_REMOVE;
    }
  gcs = yatai_gcs_bucket_connect (bucket, endpoint, key_file, &error);
  if (gcs == NULL)
    {
      GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

      g_message ("Sync not started: %s", error->message);
      set_engine (self, NULL);
      if (window != NULL)
        {
          GtkWidget *dialog = adw_message_dialog_new (window, _("Sync Could Not Start"), error->message);

          adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
          gtk_window_present (GTK_WINDOW (dialog));
        }
      return G_SOURCE_REMOVE;
    }
  /* A stall without a bucket gets one under its own folder: its history goes on there. */
  engine = yatai_sync_engine_new (self->store, YATAI_BUCKET (gcs),
                                  link_stall != NULL ? link_stall : *prefix != '\0' ? prefix : "yatai/stall-1");
  start_engine (self, engine, link);
  return G_SOURCE_REMOVE;
}

/**
 * yatai_application_found_link_stall:
 *
 * Add a Device on a device without a bucket: it founds a stall without a bucket and writes it (its
 * devices follow it on the local network), at once.
 */
gboolean
yatai_application_found_link_stall (YataiApplication  *self,
                                    GError           **error)
{
  g_autofree char *prefix = NULL;

  g_return_val_if_fail (YATAI_IS_APPLICATION (self), FALSE);
  prefix = sync_setting (self, "sync-prefix", self->override_prefix);
  g_strstrip (prefix);
  if (!yatai_sync_link_stall_found (self->store, *prefix != '\0' ? prefix : "yatai/stall-1", error))
    return FALSE;
  yatai_application_reload_sync (self);
  return TRUE;
}

/* The store's part in a stall changed (founded, paired): its engine is made again now. */
void
yatai_application_reload_sync (YataiApplication *self)
{
  g_return_if_fail (YATAI_IS_APPLICATION (self));
  g_clear_handle_id (&self->sync_apply_id, g_source_remove);
  apply_sync_settings (self);
}

static void
sync_settings_changed_cb (YataiApplication *self,
                          const char       *key)
{
  if (!g_str_has_prefix (key, "sync-"))
    return;
  /* Typing a bucket name does not restart sync at each letter. */
  g_clear_handle_id (&self->sync_apply_id, g_source_remove);
  self->sync_apply_id = g_timeout_add (300, apply_sync_settings, self);
}

static void
engine_stopped_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  gboolean *done = user_data;

  yatai_sync_engine_stop_finish (YATAI_SYNC_ENGINE (source), result, NULL);
  *done = TRUE;
}

/* On quit: the last uploads, a snapshot and the lease released, for up to 10 seconds. */
static void
stop_sync_for_quit (YataiApplication *self)
{
  gboolean done = FALSE;
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  if (self->sync_engine == NULL)
    return;
  yatai_sync_engine_stop_async (self->sync_engine, NULL, engine_stopped_cb, &done);
  while (!done && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
}

/* SIGTERM (a shutdown from the power button), SIGINT (Ctrl+C in a terminal), SIGHUP (the terminal
 * closed): the same stop as Ctrl+Q, so the last orders are uploaded and the lease released. */
static gboolean
unix_signal_cb (gpointer data)
{
  GApplication *app = data;

  g_debug ("Stopping on a signal, as Quit does");
  if (gtk_application_get_windows (GTK_APPLICATION (app)) != NULL)
    g_action_group_activate_action (G_ACTION_GROUP (app), "quit", NULL);
  else
    g_application_quit (app);
  return G_SOURCE_CONTINUE;
}

static void
inhibit_logout (YataiApplication *self)
{
  if (self->logout_cookie == 0 && self->sync_engine != NULL)
    self->logout_cookie = gtk_application_inhibit (GTK_APPLICATION (self), NULL, GTK_APPLICATION_INHIBIT_LOGOUT,
                                                   _("Yatai is saving the last orders to the bucket."));
}

/* The login session ends: hold it for the last upload and the release, and stop as Quit does. */
static void
query_end_cb (YataiApplication *self)
{
  inhibit_logout (self);
  unix_signal_cb (self);
}

static void
yatai_application_startup (GApplication *app)
{
  YataiApplication *self = YATAI_APPLICATION (app);
  g_autoptr(GAction) style_action = NULL;

  G_APPLICATION_CLASS (yatai_application_parent_class)->startup (app);
  yatai_a11y_install ();

  self->settings = g_settings_new (APP_ID);
  style_action = g_settings_create_action (self->settings, "style");
  g_action_map_add_action (G_ACTION_MAP (self), style_action);
  g_signal_connect_swapped (self->settings, "changed::style", G_CALLBACK (apply_style), self);
  g_signal_connect_swapped (self->settings, "changed::device-name", G_CALLBACK (device_name_changed_cb), self);
  apply_style (self);

  self->unix_signal_ids[0] = g_unix_signal_add (SIGTERM, unix_signal_cb, self);
  self->unix_signal_ids[1] = g_unix_signal_add (SIGINT, unix_signal_cb, self);
  self->unix_signal_ids[2] = g_unix_signal_add (SIGHUP, unix_signal_cb, self);
  g_signal_connect (self, "query-end", G_CALLBACK (query_end_cb), NULL);
}

static void
yatai_application_shutdown (GApplication *app)
{
  YataiApplication *self = YATAI_APPLICATION (app);

  g_clear_handle_id (&self->sync_apply_id, g_source_remove);
  for (guint i = 0; i < G_N_ELEMENTS (self->unix_signal_ids); i++)
    g_clear_handle_id (&self->unix_signal_ids[i], g_source_remove);
  inhibit_logout (self);
  stop_sync_for_quit (self);
  if (self->logout_cookie != 0)
    gtk_application_uninhibit (GTK_APPLICATION (self), self->logout_cookie);
  self->logout_cookie = 0;
  g_clear_object (&self->sync_engine);
  g_clear_object (&self->tags);
  g_clear_object (&self->products);
  g_clear_object (&self->store);

  G_APPLICATION_CLASS (yatai_application_parent_class)->shutdown (app);
}

static void
yatai_application_finalize (GObject *object)
{
  YataiApplication *self = YATAI_APPLICATION (object);

  g_free (self->store_path);
  g_free (self->sync_signature);
  g_free (self->override_bucket);
  g_free (self->override_endpoint);
  g_free (self->override_prefix);
  g_free (self->override_device);
  g_free (self->override_link);
  g_free (self->override_link_listen);
  g_clear_object (&self->settings);
  g_clear_object (&self->pending);

  G_OBJECT_CLASS (yatai_application_parent_class)->finalize (object);
}

static void
yatai_application_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  YataiApplication *self = YATAI_APPLICATION (object);

  switch (prop_id)
    {
    case PROP_SYNC_ENGINE:
      g_value_set_object (value, self->sync_engine);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
yatai_application_class_init (YataiApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  yatai_register_resource ();

  object_class->finalize = yatai_application_finalize;
  object_class->get_property = yatai_application_get_property;

  /**
   * YataiApplication:sync-engine: (nullable)
   *
   * This device's part in the stall's sync, or %NULL when no bucket is set (local only).
   */
  properties[PROP_SYNC_ENGINE] = g_param_spec_object ("sync-engine", NULL, NULL, YATAI_TYPE_SYNC_ENGINE,
                                                      G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
  app_class->activate = yatai_application_activate;
  app_class->startup = yatai_application_startup;
  app_class->shutdown = yatai_application_shutdown;
  app_class->handle_local_options = yatai_application_handle_local_options;
}

static void
about_action_cb (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  YataiApplication *self = user_data;
  static const char *developers[] = { "The Yatai developers", NULL };
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));

  adw_show_about_window (parent,
                         "application-name", _("Yatai"),
                         "application-icon", APP_ID,
                         "developer-name", _("The Yatai developers"),
                         "version", PACKAGE_VERSION,
                         "comments", _("Take orders, cook them and hand them out at a food stall"),
                         "website", "https://github.com/yatai/yatai",
                         "license-type", GTK_LICENSE_GPL_3_0,
                         "developers", developers,
                         "translator-credits", _("translator-credits"),
                         NULL);
}

static void
quit_action_cb (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  GList *windows = gtk_application_get_windows (GTK_APPLICATION (user_data));

  /* Closing each window lets pages save what they hold, as closing it by hand would. */
  while (windows != NULL)
    {
      GList *next = windows->next;

      gtk_window_close (GTK_WINDOW (windows->data));
      windows = next;
    }
}

static void
new_window_action_cb (GSimpleAction *action,
                      GVariant      *parameter,
                      gpointer       user_data)
{
  YataiApplication *self = user_data;

  if (self->store == NULL)
    return;
  gtk_window_present (GTK_WINDOW (yatai_window_new (self)));
}

static void
call_board_action_cb (GSimpleAction *action,
                      GVariant      *parameter,
                      gpointer       user_data)
{
  YataiApplication *self = user_data;

  if (self->store == NULL)
    return;
  gtk_window_present (GTK_WINDOW (yatai_call_board_new (self)));
}

static void
preferences_action_cb (GSimpleAction *action,
                       GVariant      *parameter,
                       gpointer       user_data)
{
  YataiApplication *self = user_data;
  /* The window it was asked from, before the new one joins the application (and becomes the active one). */
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  YataiPreferencesWindow *window = yatai_preferences_window_new (self);

  if (parent != GTK_WINDOW (window))
    gtk_window_set_transient_for (GTK_WINDOW (window), parent);
  gtk_window_present (GTK_WINDOW (window));
}

static const GActionEntry app_actions[] = {
  { "preferences", preferences_action_cb },
  { "call-board", call_board_action_cb },
  { "about", about_action_cb },
  { "quit", quit_action_cb },
  { "new-window", new_window_action_cb },
};

static void
yatai_application_init (YataiApplication *self)
{
  static const GOptionEntry options[] = {
    { "store", 's', 0, G_OPTION_ARG_FILENAME, NULL, N_("Use the store at PATH instead of the default"), N_("PATH") },
    { "demo-if-empty", 0, 0, G_OPTION_ARG_NONE, NULL, N_("Load the demo menu into an empty store"), NULL },
    { "version", 0, 0, G_OPTION_ARG_NONE, NULL, N_("Print the version and exit"), NULL },
    { "bucket", 0, 0, G_OPTION_ARG_STRING, NULL, N_("Sync through this bucket (this window only, not saved)"), N_("NAME") },
    { "endpoint", 0, 0, G_OPTION_ARG_STRING, NULL, N_("The storage service at URL, such as yatai-test-bucket (not saved)"), N_("URL") },
    { "prefix", 0, 0, G_OPTION_ARG_STRING, NULL, N_("The stall's folder in the bucket (not saved)"), N_("FOLDER") },
    { "device-name", 0, 0, G_OPTION_ARG_STRING, NULL, N_("This device's name for the others (not saved)"), N_("NAME") },
    { "link", 0, 0, G_OPTION_ARG_STRING, NULL, N_("The writer's address on the local network, where it is not found by itself (not saved)"), N_("HOST:PORT") },
    { "link-listen", 0, 0, G_OPTION_ARG_STRING, NULL, N_("Where this device serves the local network link while it writes (every address, port 47122 when it is free, by default)"), N_("HOST:PORT") },
    { NULL }
  };
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *new_window_accels[] = { "<Control>n", NULL };
  static const char *call_board_accels[] = { "<Control><Shift>b", NULL };
  static const char *preferences_accels[] = { "<Control>comma", NULL };

  self->pending = yatai_pending_commands_new ();
  g_application_add_main_option_entries (G_APPLICATION (self), options);
  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions, G_N_ELEMENTS (app_actions), self);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.new-window", new_window_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.call-board", call_board_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.preferences", preferences_accels);
}

YataiApplication *
yatai_application_new (void)
{
  return g_object_new (YATAI_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_DEFAULT_FLAGS,
                       "resource-base-path", "/io/github/yatai/Yatai",
                       /* query-end when the login session ends */
                       "register-session", TRUE,
                       NULL);
}

YataiStore *
yatai_application_get_store (YataiApplication *self)
{
  g_return_val_if_fail (YATAI_IS_APPLICATION (self), NULL);
  return self->store;
}

YataiProductList *
yatai_application_get_products (YataiApplication *self)
{
  g_return_val_if_fail (YATAI_IS_APPLICATION (self), NULL);
  return self->products;
}

YataiTagList *
yatai_application_get_tags (YataiApplication *self)
{
  g_return_val_if_fail (YATAI_IS_APPLICATION (self), NULL);
  return self->tags;
}

/**
 * yatai_application_run_command:
 * @command: the change, made by yatai_command_new()
 * @sent: (out) (optional): %TRUE when the command went to the writer (this device follows another),
 *   so its result is not known yet: it is in yatai_application_get_pending() until the answer comes
 *
 * What every page calls to change the stall: the writer, or a device on its own, runs the command on
 * its store at once; a follower sends it to the writer.
 *
 * Returns: (transfer full): the result, or %NULL with @error set
 */
JsonNode *
yatai_application_run_command (YataiApplication  *self,
                               YataiCommand      *command,
                               gboolean          *sent,
                               GError           **error)
{
  gboolean was_sent = FALSE;
  JsonNode *result;

  g_return_val_if_fail (YATAI_IS_APPLICATION (self), NULL);
  g_return_val_if_fail (YATAI_IS_COMMAND (command), NULL);

  if (self->sync_engine != NULL)
    result = yatai_sync_engine_execute (self->sync_engine, command, &was_sent, error);
  else
    result = yatai_store_execute (self->store, command, error);
  if (result != NULL && was_sent)
    yatai_pending_commands_add (self->pending, command);

  if (sent != NULL)
    *sent = was_sent;
  return result;
}

/**
 * yatai_application_run:
 * @args: (transfer none): the command's arguments
 *
 * yatai_application_run_command() with a new command of @kind.
 *
 * Returns: (transfer full): the result, or %NULL with @error set
 */
JsonNode *
yatai_application_run (YataiApplication  *self,
                       const char        *kind,
                       JsonObject        *args,
                       gboolean          *sent,
                       GError           **error)
{
  g_autoptr(YataiCommand) command = NULL;

  g_return_val_if_fail (YATAI_IS_APPLICATION (self), NULL);
  g_return_val_if_fail (kind != NULL, NULL);

  command = yatai_command_new (kind, args);
  return yatai_application_run_command (self, command, sent, error);
}

static void
replace_str (char       **field,
             const char  *value)
{
  g_free (*field);
  *field = g_strdup (value);
}

/**
 * yatai_application_set_sync_overrides:
 *
 * What --bucket, --endpoint, --prefix and --device-name give: sync settings for this instance only,
 * not saved (two devices on one machine, tests). %NULL leaves a setting as GSettings has it.
 */
/* For tests and rehearsals: where this instance serves the venue link while it writes (NULL: it does
 * not) and the writer's address (NULL: found by itself), instead of the options and settings. Call
 * before the sync overrides. */
void
yatai_application_set_link_overrides (YataiApplication *self,
                                      const char       *listen,
                                      const char       *writer)
{
  g_return_if_fail (YATAI_IS_APPLICATION (self));

  self->link_overridden = TRUE;
  replace_str (&self->override_link_listen, listen);
  replace_str (&self->override_link, writer);
  if (self->store != NULL)
    apply_sync_settings (self);
}

void
yatai_application_set_sync_overrides (YataiApplication *self,
                                      const char       *bucket,
                                      const char       *endpoint,
                                      const char       *prefix,
                                      const char       *device_name)
{
  g_return_if_fail (YATAI_IS_APPLICATION (self));

  replace_str (&self->override_bucket, bucket);
  replace_str (&self->override_endpoint, endpoint);
  replace_str (&self->override_prefix, prefix);
  replace_str (&self->override_device, device_name);
  if (self->store != NULL && device_name != NULL)
    yatai_store_set_device_name (self->store, device_name);
  if (self->store != NULL)
    apply_sync_settings (self);
}

/* The commands this device sent to the writer whose answer has not come back: what the pages show as
 * "sending". */
YataiPendingCommands *
yatai_application_get_pending (YataiApplication *self)
{
  g_return_val_if_fail (YATAI_IS_APPLICATION (self), NULL);
  return self->pending;
}

/* Nullable: no bucket is set. */
YataiSyncEngine *
yatai_application_get_sync_engine (YataiApplication *self)
{
  g_return_val_if_fail (YATAI_IS_APPLICATION (self), NULL);
  return self->sync_engine;
}

GSettings *
yatai_application_get_settings (YataiApplication *self)
{
  g_return_val_if_fail (YATAI_IS_APPLICATION (self), NULL);
  return self->settings;
}
