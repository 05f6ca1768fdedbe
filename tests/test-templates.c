/* test-templates.c: every .ui of the app builds on GTK 4.8 / libadwaita 1.2, and what a person acts on
 * has a name
 *
 * The version macros do not see .ui files: a class or property that Debian 12's libraries lack only
 * shows when the template is built. So every .ui in the resources is built here, found by listing the
 * resources rather than by a list kept by hand.
 */
#include "config.h"

#include "gui-test-util.h"
#include "yatai-call-board.h"
#include "yatai-cart-row.h"
#include "yatai-kitchen-page.h"
#include "yatai-order-card.h"
#include "yatai-order-editor.h"
#include "yatai-orders-page.h"
#include "yatai-product-editor.h"
#include "yatai-product-tile.h"
#include "yatai-reception-page.h"
#include "yatai-sales-page.h"
#include "yatai-preferences-window.h"
#include "yatai-register-page.h"
#include "yatai-sync-indicator.h"
#include "yatai-window.h"

#define RESOURCES "/io/github/yatai/Yatai/"

static char *
template_class (const char *path)
{
  g_autoptr(GBytes) bytes = g_resources_lookup_data (path, 0, NULL);
  const char *text = g_bytes_get_data (bytes, NULL);
  const char *start = strstr (text, "<template class=\"");
  const char *end;

  if (start == NULL)
    return NULL;
  start += strlen ("<template class=\"");
  end = strchr (start, '"');
  return g_strndup (start, end - start);
}

static void
collect_ui (const char *dir,
            GPtrArray  *paths)
{
  g_auto(GStrv) children = g_resources_enumerate_children (dir, 0, NULL);

  for (guint i = 0; children != NULL && children[i] != NULL; i++)
    {
      g_autofree char *path = g_strconcat (dir, children[i], NULL);

      if (g_str_has_suffix (children[i], "/"))
        collect_ui (path, paths);
      else if (g_str_has_suffix (children[i], ".ui"))
        g_ptr_array_add (paths, g_steal_pointer (&path));
    }
}

static gboolean
has_text (GtkWidget *widget)
{
  GtkWidget *child;

  if (GTK_IS_LABEL (widget) && *gtk_label_get_text (GTK_LABEL (widget)) != '\0')
    return TRUE;
  if (ADW_IS_BUTTON_CONTENT (widget) && adw_button_content_get_label (ADW_BUTTON_CONTENT (widget)) != NULL)
    return TRUE;
  for (child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    if (has_text (child))
      return TRUE;
  return FALSE;
}

/* A button a person can act on says what it does: a label, or a tooltip on an icon button. */
static void
check_names (GtkWidget *widget,
             GString   *missing)
{
  GtkWidget *child;

  GtkWidget *parent = gtk_widget_get_parent (widget);

  /* GTK names the window controls itself; a menu button's inner toggle is named by the menu button. */
  if (GTK_IS_WINDOW_CONTROLS (parent) || GTK_IS_MENU_BUTTON (parent))
    return;

  if ((GTK_IS_BUTTON (widget) || GTK_IS_MENU_BUTTON (widget)) && gtk_widget_get_can_target (widget))
    {
      const char *label = GTK_IS_BUTTON (widget) ? gtk_button_get_label (GTK_BUTTON (widget))
                                                 : gtk_menu_button_get_label (GTK_MENU_BUTTON (widget));
      const char *tooltip = gtk_widget_get_tooltip_text (widget);
      /* A label or AdwButtonContent inside names the button too. */
      gboolean named = (label != NULL && *label != '\0') || (tooltip != NULL && *tooltip != '\0') ||
                       has_text (widget);

      if (!named)
        g_string_append_printf (missing, "%s#%s in %s; ", G_OBJECT_TYPE_NAME (widget),
                                gtk_buildable_get_buildable_id (GTK_BUILDABLE (widget)),
                                G_OBJECT_TYPE_NAME (gtk_widget_get_parent (widget)));
    }
  for (child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    check_names (child, missing);
}

static void
test_every_template_builds (void)
{
  g_autofree char *dir = NULL;
  g_autoptr(YataiApplication) app = gui_test_app_new (TRUE, &dir);
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  guint n_templates = 0;

  collect_ui (RESOURCES, paths);
  g_assert_cmpuint (paths->len, >=, 5);

  for (guint i = 0; i < paths->len; i++)
    {
      const char *path = paths->pdata[i];
      g_autofree char *class_name = template_class (path);

      g_test_message ("building %s", path);
      if (class_name == NULL)
        {
          g_autoptr(GtkBuilder) builder = gtk_builder_new_from_resource (path);

          g_assert_nonnull (builder);
          continue;
        }

      /* The classes register when the application's types are ensured. */
      if (g_type_from_name (class_name) == 0)
        g_error ("%s has a template for %s, a class the app does not know", path, class_name);
      {
        GType type = g_type_from_name (class_name);
        GObject *object = g_object_new (type, NULL);

        g_assert_true (GTK_IS_WIDGET (object));
        if (GTK_IS_WINDOW (object))
          gtk_window_destroy (GTK_WINDOW (object));
        else
          g_object_unref (g_object_ref_sink (object));
        n_templates++;
      }
    }
  g_assert_cmpuint (n_templates, >=, 4);
  g_application_quit (G_APPLICATION (app));
  gui_test_remove_dir (dir);
}

/* The window with its pages and the product editor, as a person sees them: every button is named. */
static void
test_buttons_have_names (void)
{
  g_autofree char *dir = NULL;
  g_autoptr(YataiApplication) app = gui_test_app_new (TRUE, &dir);
  g_autoptr(GString) missing = g_string_new (NULL);
  YataiWindow *window = yatai_window_new (app);
  YataiProductEditor *editor;
  g_autoptr(YataiProduct) product = NULL;

  gtk_window_present (GTK_WINDOW (window));
  gui_test_settle ();
  check_names (GTK_WIDGET (window), missing);

  product = g_list_model_get_item (G_LIST_MODEL (yatai_application_get_products (app)), 0);
  editor = yatai_product_editor_new (app, product);
  gtk_window_present (GTK_WINDOW (editor));
  gui_test_settle ();
  check_names (GTK_WIDGET (editor), missing);

  g_assert_cmpstr (missing->str, ==, "");
  gtk_window_destroy (GTK_WINDOW (editor));
  gtk_window_destroy (GTK_WINDOW (window));
  gui_test_settle ();
  g_application_quit (G_APPLICATION (app));
  gui_test_remove_dir (dir);
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  /* Every widget class of the app; a template whose class is not here fails below. */
  g_type_ensure (YATAI_TYPE_WINDOW);
  g_type_ensure (YATAI_TYPE_PRODUCT_EDITOR);
  g_type_ensure (YATAI_TYPE_REGISTER_PAGE);
  g_type_ensure (YATAI_TYPE_SYNC_INDICATOR);
  g_type_ensure (YATAI_TYPE_RECEPTION_PAGE);
  g_type_ensure (YATAI_TYPE_KITCHEN_PAGE);
  g_type_ensure (YATAI_TYPE_ORDER_CARD);
  g_type_ensure (YATAI_TYPE_CALL_BOARD);
  g_type_ensure (YATAI_TYPE_ORDERS_PAGE);
  g_type_ensure (YATAI_TYPE_SALES_PAGE);
  g_type_ensure (YATAI_TYPE_PREFERENCES_WINDOW);
  g_type_ensure (YATAI_TYPE_ORDER_EDITOR);
  g_type_ensure (YATAI_TYPE_CART_ROW);
  g_type_ensure (YATAI_TYPE_PRODUCT_TILE);

  g_test_add_func ("/templates/every-template-builds", test_every_template_builds);
  g_test_add_func ("/templates/buttons-have-names", test_buttons_have_names);
  return g_test_run ();
}
