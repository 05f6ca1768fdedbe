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
#include "yatai-pair-window.h"
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

/* What a screen reader reads as a widget's name, as GTK 4.8 computes it: its "label" property and
 * the names of what it is "labelled by", one after the other. A tooltip is only a description. */
static gboolean
shows_text (GtkWidget *widget)
{
  if (GTK_IS_LABEL (widget) && *gtk_label_get_text (GTK_LABEL (widget)) != '\0')
    return TRUE;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    if (shows_text (child))
      return TRUE;
  return FALSE;
}

static gboolean
has_name (GtkWidget *widget)
{
  gboolean property = gtk_test_accessible_has_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_LABEL);

  /* An icon button is "labelled by" its image, which has no name: only the property names it. */
  if ((GTK_IS_BUTTON (widget) || GTK_IS_MENU_BUTTON (widget)) && !shows_text (widget))
    return property;
  return property || gtk_test_accessible_has_relation (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_RELATION_LABELLED_BY);
}

/* The name read twice: a mnemonic button whose "label" is its raw text beside the label it shows
 * ("_Save Save"), or a field named both by a "label" and by the label that points to it. */
static gboolean
named_twice (GtkWidget *widget)
{
  GtkAccessible *accessible = GTK_ACCESSIBLE (widget);

  if (GTK_IS_BUTTON (widget))
    {
      const char *label = gtk_button_get_label (GTK_BUTTON (widget));
      g_autofree char *raw = NULL;

      if (!gtk_button_get_use_underline (GTK_BUTTON (widget)) || label == NULL || strchr (label, '_') == NULL)
        return FALSE;
      raw = gtk_test_accessible_check_property (accessible, GTK_ACCESSIBLE_PROPERTY_LABEL, label);
      return raw == NULL;  /* NULL: the property holds the raw text */
    }
  return gtk_test_accessible_has_property (accessible, GTK_ACCESSIBLE_PROPERTY_LABEL) &&
         gtk_test_accessible_has_relation (accessible, GTK_ACCESSIBLE_RELATION_LABELLED_BY);
}

/* A control a person can act on has a name a screen reader reads, read once. */
static void
check_names (GtkWidget *widget,
             GString   *missing)
{
  GtkWidget *child;
  GtkWidget *parent = gtk_widget_get_parent (widget);

  /* GTK names the window controls itself; what is hidden (a closed popover) is not on screen. */
  if (GTK_IS_WINDOW_CONTROLS (parent) || !gtk_widget_get_visible (widget))
    return;
  /* The toggle inside a menu button or a drop-down is labelled by it (yatai-a11y.c). */
  if ((GTK_IS_MENU_BUTTON (parent) || GTK_IS_DROP_DOWN (parent)) && GTK_IS_TOGGLE_BUTTON (widget))
    {
      g_autofree char *wrong = gtk_test_accessible_check_relation (GTK_ACCESSIBLE (widget),
                                                                   GTK_ACCESSIBLE_RELATION_LABELLED_BY,
                                                                   parent, NULL);

      if (wrong != NULL)
        g_string_append_printf (missing, "the toggle of %s#%s: not labelled by it; ", G_OBJECT_TYPE_NAME (parent),
                                gtk_buildable_get_buildable_id (GTK_BUILDABLE (parent)));
      return;
    }

  if ((GTK_IS_BUTTON (widget) || GTK_IS_MENU_BUTTON (widget) || GTK_IS_DROP_DOWN (widget) ||
       (GTK_IS_EDITABLE (widget) && !GTK_IS_TEXT (widget))) &&
      gtk_widget_get_can_target (widget))
    {
      const char *problem = !has_name (widget) ? "no name" : named_twice (widget) ? "named twice" : NULL;

      if (problem != NULL)
        g_string_append_printf (missing, "%s#%s in %s: %s; ", G_OBJECT_TYPE_NAME (widget),
                                gtk_buildable_get_buildable_id (GTK_BUILDABLE (widget)),
                                G_OBJECT_TYPE_NAME (parent), problem);
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

/* The window with its pages and the product editor, as a screen reader sees them (GTK's test
 * accessibility backend, GTK_A11Y=test): every button, drop-down and field is named, once. The AT-SPI
 * test (a11y-check.py) checks the same from outside, in the running program. */
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
  g_type_ensure (YATAI_TYPE_PAIR_WINDOW);

  g_test_add_func ("/templates/every-template-builds", test_every_template_builds);
  g_test_add_func ("/templates/buttons-have-names", test_buttons_have_names);
  return g_test_run ();
}
