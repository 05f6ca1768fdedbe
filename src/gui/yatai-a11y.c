/* yatai-a11y.c: what a screen reader reads, where GTK 4.8 needs help
 *
 * Three things GTK 4.8 gets wrong for AT-SPI, mended in one place for every window:
 *
 * - A button with a mnemonic ("_Save") gets the raw label as its accessible label and, from its
 *   mnemonic label, a "labelled by" relation to the text it shows; GTK joins the two, and Orca reads
 *   "_Save Save". The raw label is taken off again whenever the button's label is set, and the
 *   relation alone names it.
 * - The toggle inside a GtkDropDown or a GtkMenuButton is what takes the focus and the click, but it
 *   has no name of its own ("GtkToggleButton"): it is labelled by its drop-down or menu button.
 * - A list view's cell or row (the focusable widget a screen reader lands on) has no name, and GTK 4.8
 *   has no GtkListItem:accessible-label; yatai_a11y_label_cell() names it from the widget it holds.
 *
 * The first two run on every widget as it is mapped (an emission hook), so a dialog libadwaita builds
 * (AdwMessageDialog's response buttons) is mended like the app's own templates.
 */
#define G_LOG_DOMAIN "yatai-a11y"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "yatai-a11y.h"

#define MENDED "yatai-a11y-mended"

static void
drop_raw_label (GtkButton *button)
{
  if (gtk_button_get_use_underline (button) && gtk_button_get_label (button) != NULL)
    gtk_accessible_reset_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL);
}

static void
label_changed_cb (GtkButton  *button,
                  GParamSpec *pspec,
                  gpointer    data)
{
  drop_raw_label (button);
}

static void
label_inner_toggle (GtkWidget *widget)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (GTK_IS_TOGGLE_BUTTON (child))
      gtk_accessible_update_relation (GTK_ACCESSIBLE (child), GTK_ACCESSIBLE_RELATION_LABELLED_BY,
                                      widget, NULL, -1);
}

static GtkWidget *
first_label (GtkWidget *widget)
{
  if (GTK_IS_LABEL (widget))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = first_label (child);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* A column view's header row takes the focus too. */
static void
label_header (GtkWidget *column_view)
{
  for (GtkWidget *child = gtk_widget_get_first_child (column_view); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (g_str_equal (G_OBJECT_TYPE_NAME (child), "GtkListItemWidget"))
      gtk_accessible_update_property (GTK_ACCESSIBLE (child), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      /* TRANSLATORS: for screen readers, the header row of a table */
                                      _("Column Headings"), -1);
}

static void
name_cell_from_label (GtkLabel   *label,
                      GParamSpec *pspec,
                      GtkWidget  *cell)
{
  gtk_accessible_update_property (GTK_ACCESSIBLE (cell), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  gtk_label_get_text (label), -1);
}

static void
mend (GtkWidget *widget)
{
  GObject *object = G_OBJECT (widget);

  if (g_object_get_data (object, MENDED) != NULL)
    return;
  /* The choices of a drop-down or a combo row (GTK's and libadwaita's own factories): each cell is
   * named by the text it shows, and follows it as the list recycles the cell. */
  if (g_str_equal (G_OBJECT_TYPE_NAME (object), "GtkListItemWidget") &&
      gtk_widget_get_ancestor (widget, GTK_TYPE_POPOVER) != NULL)
    {
      GtkWidget *label = first_label (widget);

      if (label == NULL)
        return;
      g_object_set_data (object, MENDED, GINT_TO_POINTER (1));
      name_cell_from_label (GTK_LABEL (label), NULL, widget);
      g_signal_connect_object (label, "notify::label", G_CALLBACK (name_cell_from_label), widget, 0);
      return;
    }
  if (GTK_IS_BUTTON (object))
    {
      g_object_set_data (object, MENDED, GINT_TO_POINTER (1));
      drop_raw_label (GTK_BUTTON (object));
      g_signal_connect (object, "notify::label", G_CALLBACK (label_changed_cb), NULL);
      g_signal_connect (object, "notify::use-underline", G_CALLBACK (label_changed_cb), NULL);
    }
  else if (GTK_IS_DROP_DOWN (object) || GTK_IS_MENU_BUTTON (object))
    {
      g_object_set_data (object, MENDED, GINT_TO_POINTER (1));
      label_inner_toggle (widget);
    }
  else if (GTK_IS_COLUMN_VIEW (object))
    {
      g_object_set_data (object, MENDED, GINT_TO_POINTER (1));
      label_header (widget);
    }
}

static void
mend_tree (GtkWidget *widget)
{
  mend (widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    mend_tree (child);
}

/* The search entries and buttons of the windows GTK and libadwaita build (the shortcuts window, the
 * preferences window's search) have no name; the entry's placeholder says what it is for. */
static void
mend_toolkit_window (GtkWidget *widget)
{
  if (GTK_IS_SEARCH_ENTRY (widget))
    {
      g_autofree char *placeholder = NULL;

      g_object_get (widget, "placeholder-text", &placeholder, NULL);
      gtk_accessible_update_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      placeholder != NULL && *placeholder != '\0' ? placeholder : _("Search"), -1);
    }
  else if (GTK_IS_MENU_BUTTON (widget) && GTK_IS_SHORTCUTS_WINDOW (gtk_widget_get_root (widget)))
    /* TRANSLATORS: for screen readers, the menu of the keyboard shortcuts window's sections */
    gtk_accessible_update_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Sections"), -1);
  else if (GTK_IS_BUTTON (widget) && gtk_button_get_label (GTK_BUTTON (widget)) == NULL)
    {
      const char *icon = gtk_button_get_icon_name (GTK_BUTTON (widget));
      const char *tooltip = gtk_widget_get_tooltip_text (widget);

      GtkWidget *label = first_label (widget);

      if (tooltip != NULL)
        gtk_accessible_update_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_LABEL, tooltip, -1);
      else if (icon != NULL && g_str_has_prefix (icon, "edit-find"))
        gtk_accessible_update_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Search"), -1);
      else if (label != NULL)  /* the about window's version button, say */
        gtk_accessible_update_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                        gtk_label_get_text (GTK_LABEL (label)), -1);
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    mend_toolkit_window (child);
}

/* A window is mended whole when it is shown, hidden pages included (a screen reader's tree holds them);
 * a widget made later, when it is shown. */
static gboolean
mapped_cb (GSignalInvocationHint *hint,
           guint                  n_values,
           const GValue          *values,
           gpointer               data)
{
  GtkWidget *widget = g_value_get_object (&values[0]);

  if (GTK_IS_WINDOW (widget))
    {
      if (GTK_IS_SHORTCUTS_WINDOW (widget) || ADW_IS_PREFERENCES_WINDOW (widget) || ADW_IS_ABOUT_WINDOW (widget))
        mend_toolkit_window (widget);
      mend_tree (widget);
    }
  else
    mend (widget);
  return TRUE;
}

/* Once per process, before the first window. */
void
yatai_a11y_install (void)
{
  static gsize installed = 0;

  if (g_once_init_enter (&installed))
    {
      /* The signal exists once the class does. */
      gpointer klass = g_type_class_ref (GTK_TYPE_WIDGET);
      guint map = g_signal_lookup ("map", GTK_TYPE_WIDGET);

      g_type_class_unref (klass);

      g_signal_add_emission_hook (map, 0, mapped_cb, NULL, NULL);
      g_once_init_leave (&installed, 1);
    }
}

/* Names the cell (or, in a GtkColumnView, the row) of a list view that @child sits in, so the
 * screen reader reads @label when it lands there. Call it when the cell is bound. */
void
yatai_a11y_label_cell (GtkWidget  *child,
                       const char *label,
                       const char *description)
{
  GtkWidget *cell = NULL;

  g_return_if_fail (GTK_IS_WIDGET (child));

  /* GTK's list item widgets are private types; a column view's cells sit in its row, which is one too. */
  for (GtkWidget *w = gtk_widget_get_parent (child); w != NULL; w = gtk_widget_get_parent (w))
    {
      const char *type = G_OBJECT_TYPE_NAME (w);

      if (g_str_equal (type, "GtkListItemWidget") || g_str_equal (type, "GtkColumnViewCell"))
        cell = w;
      else if (cell != NULL)
        break;
    }
  if (cell == NULL)
    return;
  gtk_accessible_update_property (GTK_ACCESSIBLE (cell), GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description != NULL ? description : "",
                                  -1);
}
