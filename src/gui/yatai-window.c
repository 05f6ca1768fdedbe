/* yatai-window.c: the main window, a view stack of the pages staff live in */
#define G_LOG_DOMAIN "yatai-window"

#include "config.h"

#include <glib/gi18n.h>

#include "yatai-kitchen-page.h"
#include "yatai-orders-page.h"
#include "yatai-pair-window.h"
#include "yatai-preferences-window.h"
#include "yatai-reception-page.h"
#include "yatai-register-page.h"
#include "yatai-sales-page.h"
#include "yatai-sync-indicator.h"
#include "yatai-store-journal.h"
#include "yatai-window.h"

struct _YataiWindow
{
  AdwApplicationWindow  parent_instance;

  AdwToastOverlay      *toast_overlay;
  AdwViewStack         *stack;
  GtkStack             *main_stack;
  YataiApplication     *application;
  YataiSyncIndicator   *sync_indicator;
  YataiReceptionPage   *reception_page;
  YataiKitchenPage     *kitchen_page;
  YataiOrdersPage      *orders_page;
  YataiSalesPage       *sales_page;
  YataiRegisterPage    *register_page;
};

G_DEFINE_FINAL_TYPE (YataiWindow, yatai_window, ADW_TYPE_APPLICATION_WINDOW)

static void
menu_arrived_cb (YataiWindow *self)
{
  if (g_str_equal (gtk_stack_get_visible_child_name (self->main_stack), "welcome") &&
      g_list_model_get_n_items (G_LIST_MODEL (yatai_application_get_products (self->application))) > 0)
    gtk_stack_set_visible_child_name (self->main_stack, "pages");
}

/* Connects the pages to the application's store and models; runs once the window has its application. */
static void
yatai_window_setup (YataiWindow      *self,
                    YataiApplication *app)
{
  GSettings *settings = yatai_application_get_settings (app);

  yatai_reception_page_setup (self->reception_page, app);
  yatai_kitchen_page_setup (self->kitchen_page, app);
  yatai_orders_page_setup (self->orders_page, app);
  yatai_sales_page_setup (self->sales_page, app);
  yatai_register_page_setup (self->register_page, app);
  self->application = app;
  /* A new, empty store on a device on its own: the welcome. A device that syncs gets the stall's menu
   * from the bucket instead, and a menu arriving (a restore) ends the welcome too. */
  if (yatai_store_is_empty (yatai_application_get_store (app)) && yatai_application_get_sync_engine (app) == NULL)
    {
      g_autofree char *welcomed = yatai_store_get_local (yatai_application_get_store (app), "welcomed");

      if (welcomed == NULL)
        gtk_stack_set_visible_child_name (self->main_stack, "welcome");
    }
  g_signal_connect_object (yatai_application_get_products (app), "items-changed",
                           G_CALLBACK (menu_arrived_cb), self, G_CONNECT_SWAPPED);
  g_object_bind_property (app, "sync-engine", self->sync_indicator, "engine", G_BINDING_SYNC_CREATE);

  /* Each window remembers its page for the next start, but the counter's window switching page must not
   * switch the kitchen's: the setting is read once, then only written. */
  g_settings_bind (settings, "last-page", self->stack, "visible-child-name",
                   G_SETTINGS_BIND_DEFAULT | G_SETTINGS_BIND_GET_NO_CHANGES);
}

static void
yatai_window_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), YATAI_TYPE_WINDOW);
  G_OBJECT_CLASS (yatai_window_parent_class)->dispose (object);
}

static void
show_page_action_cb (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  yatai_window_set_page (YATAI_WINDOW (widget), g_variant_get_string (parameter, NULL));
}

/* First run: an empty menu, or the demo one; either way the welcome does not come back. */
static void
leave_welcome (YataiWindow *self,
               const char  *page)
{
  YataiStore *store = yatai_application_get_store (self->application);
  g_autoptr(GError) error = NULL;

  if (!yatai_store_set_local (store, "welcomed", "1", &error))
    g_debug ("The welcome could not be marked as seen: %s", error->message);
  gtk_stack_set_visible_child_name (self->main_stack, "pages");
  yatai_window_set_page (self, page);
}

static void
start_empty_action_cb (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  leave_welcome (YATAI_WINDOW (widget), "register");
}

static void
load_demo_action_cb (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  YataiWindow *self = YATAI_WINDOW (widget);
  g_autoptr(GError) error = NULL;

  if (!yatai_store_load_demo (yatai_application_get_store (self->application), &error))
    {
      yatai_window_show_toast (self, error->message);
      return;
    }
  leave_welcome (self, "reception");
}

/* A device joining a stall another device runs: the bucket is set in the Sync preferences, then the
 * engine restores the stall, and the menu arriving ends the welcome (menu_arrived_cb). */
static void
restore_action_cb (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  YataiWindow *self = YATAI_WINDOW (widget);
  YataiPreferencesWindow *preferences = yatai_preferences_window_new (self->application);

  adw_preferences_window_set_visible_page_name (ADW_PREFERENCES_WINDOW (preferences), "sync");
  gtk_window_set_transient_for (GTK_WINDOW (preferences), GTK_WINDOW (self));
  gtk_window_present (GTK_WINDOW (preferences));
}

static void
joined_cb (YataiWindow *self,
           const char  *message,
           GtkWindow   *pair)
{
  gtk_window_destroy (pair);
  leave_welcome (self, "reception");
  yatai_window_show_toast (self, message);
}

/* A device joining by the code its counter shows (yatai-pair-window.c): the stall comes over the
 * network, with the sync settings when the counter gives them. */
static void
join_action_cb (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  YataiWindow *self = YATAI_WINDOW (widget);
  YataiPairWindow *pair = yatai_pair_window_new_join (self->application);

  gtk_window_set_transient_for (GTK_WINDOW (pair), GTK_WINDOW (self));
  g_signal_connect_object (pair, "joined", G_CALLBACK (joined_cb), self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (pair));
}

/* F11: the kitchen screen fills the monitor; again to leave. */
static void
fullscreen_action_cb (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  if (gtk_window_is_fullscreen (GTK_WINDOW (widget)))
    gtk_window_unfullscreen (GTK_WINDOW (widget));
  else
    gtk_window_fullscreen (GTK_WINDOW (widget));
}

static void
yatai_window_class_init (YataiWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = yatai_window_dispose;

  g_type_ensure (YATAI_TYPE_RECEPTION_PAGE);
  g_type_ensure (YATAI_TYPE_KITCHEN_PAGE);
  g_type_ensure (YATAI_TYPE_ORDERS_PAGE);
  g_type_ensure (YATAI_TYPE_SALES_PAGE);
  g_type_ensure (YATAI_TYPE_REGISTER_PAGE);
  g_type_ensure (YATAI_TYPE_SYNC_INDICATOR);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/yatai/Yatai/yatai-window.ui");
  gtk_widget_class_bind_template_child (widget_class, YataiWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, YataiWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, YataiWindow, main_stack);
  gtk_widget_class_bind_template_child (widget_class, YataiWindow, sync_indicator);
  gtk_widget_class_bind_template_child (widget_class, YataiWindow, reception_page);
  gtk_widget_class_bind_template_child (widget_class, YataiWindow, kitchen_page);
  gtk_widget_class_bind_template_child (widget_class, YataiWindow, orders_page);
  gtk_widget_class_bind_template_child (widget_class, YataiWindow, sales_page);
  gtk_widget_class_bind_template_child (widget_class, YataiWindow, register_page);

  gtk_widget_class_install_action (widget_class, "win.show-page", "s", show_page_action_cb);
  gtk_widget_class_install_action (widget_class, "win.fullscreen", NULL, fullscreen_action_cb);
  gtk_widget_class_install_action (widget_class, "win.start-empty", NULL, start_empty_action_cb);
  gtk_widget_class_install_action (widget_class, "win.load-demo", NULL, load_demo_action_cb);
  gtk_widget_class_install_action (widget_class, "win.restore-from-bucket", NULL, restore_action_cb);
  gtk_widget_class_install_action (widget_class, "win.join-stall", NULL, join_action_cb);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F11, 0, "win.fullscreen", NULL);
}

static void
yatai_window_init (YataiWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

YataiWindow *
yatai_window_new (YataiApplication *application)
{
  YataiWindow *self;

  g_return_val_if_fail (YATAI_IS_APPLICATION (application), NULL);

  self = g_object_new (YATAI_TYPE_WINDOW, "application", application, NULL);
  yatai_window_setup (self, application);
  return self;
}

void
yatai_window_show_toast (YataiWindow *self,
                         const char  *message)
{
  g_return_if_fail (YATAI_IS_WINDOW (self));
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (message));
}

/* A toast that stays until it is closed (or a toast of higher priority comes): for what a person must
 * not miss while looking elsewhere, such as the writer refusing a change this device sent. */
void
yatai_window_show_lasting_toast (YataiWindow *self,
                                 const char  *message)
{
  AdwToast *toast;

  g_return_if_fail (YATAI_IS_WINDOW (self));
  toast = adw_toast_new (message);
  adw_toast_set_timeout (toast, 0);
  adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

/* The page named @name ("register"), or %NULL. */
GtkWidget *
yatai_window_get_page (YataiWindow *self,
                       const char  *name)
{
  g_return_val_if_fail (YATAI_IS_WINDOW (self), NULL);
  return adw_view_stack_get_child_by_name (self->stack, name);
}

void
yatai_window_set_page (YataiWindow *self,
                       const char  *name)
{
  g_return_if_fail (YATAI_IS_WINDOW (self));
  if (adw_view_stack_get_child_by_name (self->stack, name) != NULL)
    adw_view_stack_set_visible_child_name (self->stack, name);
}
