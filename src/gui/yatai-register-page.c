/* yatai-register-page.c: the menu of the stall (products, prices, stock, tags, pictures)
 *
 * The page shows the application's live product list through a filter (the search) and a sort (the
 * column headers); it never copies products around. Every change goes through a business operation
 * (yatai_application_run), and the list updates itself when the store says what changed.
 */
#define G_LOG_DOMAIN "yatai-register-page"

#include "config.h"

#include <glib/gi18n.h>

#include "yatai-a11y.h"
#include "yatai-product-editor.h"
#include "yatai-product-thumb.h"
#include "yatai-reading.h"
#include "yatai-register-page.h"
#include "yatai-store-products.h"
#include "yatai-text.h"
#include "yatai-window.h"

struct _YataiRegisterPage
{
  AdwBin              parent_instance;

  YataiApplication   *application;
  YataiProductList   *products;
  GtkFilterListModel *filtered;
  GtkCustomFilter    *filter;
  GtkSortListModel   *sorted;
  char               *search;     /* casefolded and normalized, or NULL */
  char               *reading_search;  /* the same for names and readings (yatai_reading_search_fold) */
  GtkWindow          *editor;     /* weak */

  GtkLabel           *n_products_label;
  GtkLabel           *n_in_stock_label;
  GtkLabel           *n_low_label;
  GtkLabel           *n_out_label;
  GtkWidget          *add_button;
  GtkSearchEntry     *register_search;
  GtkStack           *view_stack;
  GtkColumnView      *column_view;
};

G_DEFINE_FINAL_TYPE (YataiRegisterPage, yatai_register_page, ADW_TYPE_BIN)

static char *
fold (const char *text)
{
  g_autofree char *normalized = g_utf8_normalize (text, -1, G_NORMALIZE_ALL_COMPOSE);

  return g_utf8_casefold (normalized != NULL ? normalized : "", -1);
}

/* A product matches when its name or its reading holds the search (in kana or romaji, see
 * yatai-reading.h), or one of its tags does, ignoring case and width. */
static gboolean
product_matches (gpointer item,
                 gpointer user_data)
{
  YataiRegisterPage *self = user_data;
  YataiProduct *product = item;
  const char * const *tags;
  g_autofree char *name = NULL;

  if (self->search == NULL)
    return TRUE;

  name = yatai_reading_fold (yatai_product_get_name (product));
  if (yatai_reading_matches_folded (name, self->reading_search))
    return TRUE;
  if (yatai_product_get_reading (product) != NULL)
    {
      g_autofree char *reading = yatai_reading_fold (yatai_product_get_reading (product));

      if (yatai_reading_matches_folded (reading, self->reading_search))
        return TRUE;
    }

  for (tags = yatai_product_get_tags (product); tags != NULL && *tags != NULL; tags++)
    {
      g_autofree char *tag = fold (*tags);

      if (strstr (tag, self->search) != NULL)
        return TRUE;
    }
  return FALSE;
}

static void
update_view (YataiRegisterPage *self)
{
  const char *name = "list";

  if (self->products == NULL || g_list_model_get_n_items (G_LIST_MODEL (self->products)) == 0)
    name = "empty";
  else if (g_list_model_get_n_items (G_LIST_MODEL (self->filtered)) == 0)
    name = "no-results";
  gtk_stack_set_visible_child_name (self->view_stack, name);
}

static void
set_number (GtkLabel *label,
            guint     value)
{
  g_autofree char *text = yatai_text_format_number (value);

  gtk_label_set_label (label, text);
}

static void
update_summary (YataiRegisterPage *self)
{
  guint n_items = g_list_model_get_n_items (G_LIST_MODEL (self->products));

  set_number (self->n_products_label, n_items);
  set_number (self->n_in_stock_label, yatai_product_list_get_n_in_stock (self->products));
  set_number (self->n_low_label, yatai_product_list_get_n_low (self->products));
  set_number (self->n_out_label, yatai_product_list_get_n_out (self->products));

  gtk_widget_set_sensitive (self->add_button, n_items < YATAI_PRODUCTS_MAX);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "register.add", n_items < YATAI_PRODUCTS_MAX);
  if (n_items >= YATAI_PRODUCTS_MAX)
    gtk_widget_set_tooltip_text (self->add_button, _("The menu is full: a store holds at most 1,000 products"));
  else
    gtk_widget_set_tooltip_text (self->add_button, _("Add a product to the menu (Ctrl+Shift+N)"));
  update_view (self);
}

static void
search_changed_cb (YataiRegisterPage *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->register_search));
  g_autofree char *stripped = g_strstrip (g_strdup (text));

  g_clear_pointer (&self->search, g_free);
  g_clear_pointer (&self->reading_search, g_free);
  if (*stripped != '\0')
    {
      self->search = fold (stripped);
      self->reading_search = yatai_reading_search_fold (stripped);
    }
  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
  update_view (self);
}

/* Columns */

static void
setup_thumb_cb (GtkSignalListItemFactory *factory,
                GtkListItem              *item,
                gpointer                  user_data)
{
  gtk_list_item_set_child (item, yatai_product_thumb_new (40));
}

static void
bind_thumb_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               gpointer                  user_data)
{
  yatai_product_thumb_set_product (YATAI_PRODUCT_THUMB (gtk_list_item_get_child (item)),
                                   gtk_list_item_get_item (item));
}

static void
unbind_thumb_cb (GtkSignalListItemFactory *factory,
                 GtkListItem              *item,
                 gpointer                  user_data)
{
  yatai_product_thumb_set_product (YATAI_PRODUCT_THUMB (gtk_list_item_get_child (item)), NULL);
}

typedef enum
{
  COLUMN_NAME,
  COLUMN_TAGS,
  COLUMN_PRICE,
  COLUMN_STOCK,
  COLUMN_STATUS,
} Column;

static void
setup_label_cb (GtkSignalListItemFactory *factory,
                GtkListItem              *item,
                gpointer                  user_data)
{
  Column column = GPOINTER_TO_INT (user_data);
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), column == COLUMN_PRICE || column == COLUMN_STOCK ? 1.0 : 0.0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  if (column == COLUMN_PRICE || column == COLUMN_STOCK)
    gtk_widget_add_css_class (label, "numeric");
  if (column == COLUMN_TAGS)
    gtk_widget_add_css_class (label, "dim-label");
  gtk_list_item_set_child (item, label);
}

static const char *status_classes[] = { "status-in-stock", "status-low", "status-out", "status-sold-out" };

static void
bind_label_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               gpointer                  user_data)
{
  Column column = GPOINTER_TO_INT (user_data);
  GtkLabel *label = GTK_LABEL (gtk_list_item_get_child (item));
  YataiProduct *product = gtk_list_item_get_item (item);
  g_autofree char *text = NULL;
  guint i;

  switch (column)
    {
    case COLUMN_NAME:
      gtk_label_set_label (label, yatai_product_get_name (product));
      {
        g_autofree char *price = yatai_text_format_yen (yatai_product_get_price (product));
        g_autofree char *stock = yatai_text_format_number (yatai_product_get_stock (product));
        /* TRANSLATORS: a product's row on the Register page, for screen readers: "¥500, 80 in stock" */
        g_autofree char *description = g_strdup_printf (_("%s, %s in stock"), price, stock);

        yatai_a11y_label_cell (GTK_WIDGET (label), yatai_product_get_name (product), description);
      }
      break;
    case COLUMN_TAGS:
      text = g_strjoinv (", ", (char **) yatai_product_get_tags (product));
      gtk_label_set_label (label, text);
      break;
    case COLUMN_PRICE:
      text = yatai_text_format_yen (yatai_product_get_price (product));
      gtk_label_set_label (label, text);
      break;
    case COLUMN_STOCK:
      text = yatai_text_format_number (yatai_product_get_stock (product));
      gtk_label_set_label (label, text);
      break;
    case COLUMN_STATUS:
      for (i = 0; i < G_N_ELEMENTS (status_classes); i++)
        gtk_widget_remove_css_class (GTK_WIDGET (label), status_classes[i]);
      if (yatai_product_get_sold_out (product))
        {
          gtk_label_set_label (label, _("Sold out"));
          gtk_widget_add_css_class (GTK_WIDGET (label), status_classes[3]);
        }
      else
        {
          YataiStockStatus status = yatai_product_get_stock_status (product);

          gtk_label_set_label (label, status == YATAI_STOCK_STATUS_IN_STOCK ? _("In stock") :
                                      status == YATAI_STOCK_STATUS_LOW ? _("Low") : _("Out"));
          gtk_widget_add_css_class (GTK_WIDGET (label), status_classes[status]);
        }
      break;
    default:
      g_assert_not_reached ();
    }
}

static void
setup_actions_cb (GtkSignalListItemFactory *factory,
                  GtkListItem              *item,
                  gpointer                  user_data)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *edit = gtk_button_new_from_icon_name ("document-edit-symbolic");
  GtkWidget *delete = gtk_button_new_from_icon_name ("user-trash-symbolic");

  gtk_widget_set_tooltip_text (edit, _("Edit"));
  gtk_widget_set_tooltip_text (delete, _("Delete"));
  /* The product's id comes at bind; the action needs a target of its type before that. */
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (edit), g_variant_new_int64 (0));
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (delete), g_variant_new_int64 (0));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (edit), "register.edit");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (delete), "register.delete");
  gtk_widget_add_css_class (edit, "flat");
  gtk_widget_add_css_class (delete, "flat");
  gtk_box_append (GTK_BOX (box), edit);
  gtk_box_append (GTK_BOX (box), delete);
  gtk_widget_set_halign (box, GTK_ALIGN_END);
  gtk_list_item_set_child (item, box);
}

static void
bind_actions_cb (GtkSignalListItemFactory *factory,
                 GtkListItem              *item,
                 gpointer                  user_data)
{
  GtkWidget *box = gtk_list_item_get_child (item);
  YataiProduct *product = gtk_list_item_get_item (item);
  GVariant *target = g_variant_new_int64 (yatai_product_get_id (product));
  GtkWidget *child;

  g_variant_ref_sink (target);
  for (child = gtk_widget_get_first_child (box); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      g_autofree char *name = NULL;

      gtk_actionable_set_action_target_value (GTK_ACTIONABLE (child), target);
      /* Screen readers say which product the icon button acts on. */
      name = g_strdup_printf ("%s: %s", gtk_widget_get_tooltip_text (child), yatai_product_get_name (product));
      gtk_accessible_update_property (GTK_ACCESSIBLE (child), GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);
    }
  g_variant_unref (target);
}

static int
compare_status (gconstpointer a,
                gconstpointer b,
                gpointer      user_data)
{
  YataiProduct *pa = (YataiProduct *) a;
  YataiProduct *pb = (YataiProduct *) b;
  int ra = yatai_product_get_sold_out (pa) ? 3 : (int) yatai_product_get_stock_status (pa);
  int rb = yatai_product_get_sold_out (pb) ? 3 : (int) yatai_product_get_stock_status (pb);

  return (ra > rb) - (ra < rb);
}

static int
compare_tags (gconstpointer a,
              gconstpointer b,
              gpointer      user_data)
{
  g_autofree char *ta = g_strjoinv (", ", (char **) yatai_product_get_tags ((YataiProduct *) a));
  g_autofree char *tb = g_strjoinv (", ", (char **) yatai_product_get_tags ((YataiProduct *) b));

  return g_utf8_collate (ta, tb);
}

static GtkColumnViewColumn *
add_column (YataiRegisterPage *self,
            const char        *title,
            Column             column,
            GtkSorter         *sorter,
            gboolean           expand)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  GtkColumnViewColumn *view_column;

  g_signal_connect (factory, "setup", G_CALLBACK (setup_label_cb), GINT_TO_POINTER (column));
  g_signal_connect (factory, "bind", G_CALLBACK (bind_label_cb), GINT_TO_POINTER (column));
  view_column = gtk_column_view_column_new (title, factory);
  gtk_column_view_column_set_sorter (view_column, sorter);
  gtk_column_view_column_set_expand (view_column, expand);
  gtk_column_view_column_set_resizable (view_column, TRUE);
  gtk_column_view_append_column (self->column_view, view_column);
  g_object_unref (view_column);
  g_clear_object (&sorter);
  return view_column;
}

static GtkSorter *
property_sorter (const char *property,
                 GType       value_type)
{
  GtkExpression *expression = gtk_property_expression_new (YATAI_TYPE_PRODUCT, NULL, property);

  if (value_type == G_TYPE_STRING)
    return GTK_SORTER (gtk_string_sorter_new (expression));
  return GTK_SORTER (gtk_numeric_sorter_new (expression));
}

static void
build_columns (YataiRegisterPage *self)
{
  GtkListItemFactory *factory;
  GtkColumnViewColumn *column;
  GtkColumnViewColumn *name_column;

  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (setup_thumb_cb), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_thumb_cb), NULL);
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_thumb_cb), NULL);
  column = gtk_column_view_column_new (_("Picture"), factory);
  gtk_column_view_append_column (self->column_view, column);
  g_object_unref (column);

  name_column = add_column (self, _("Name"), COLUMN_NAME, property_sorter ("name", G_TYPE_STRING), TRUE);
  add_column (self, _("Tags"), COLUMN_TAGS, GTK_SORTER (gtk_custom_sorter_new (compare_tags, NULL, NULL)), TRUE);
  add_column (self, _("Price"), COLUMN_PRICE, property_sorter ("price", G_TYPE_INT64), FALSE);
  add_column (self, _("Stock"), COLUMN_STOCK, property_sorter ("stock", G_TYPE_INT64), FALSE);
  add_column (self, _("Status"), COLUMN_STATUS, GTK_SORTER (gtk_custom_sorter_new (compare_status, NULL, NULL)), FALSE);

  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (setup_actions_cb), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_actions_cb), NULL);
  column = gtk_column_view_column_new (NULL, factory);
  gtk_column_view_append_column (self->column_view, column);
  g_object_unref (column);

  gtk_column_view_sort_by_column (self->column_view, name_column, GTK_SORT_ASCENDING);
}

/* Actions */

static void
editor_destroyed_cb (YataiRegisterPage *self,
                     GtkWindow         *editor)
{
  if (self->editor == editor)
    g_clear_weak_pointer (&self->editor);
}

static void
open_editor (YataiRegisterPage *self,
             YataiProduct      *product)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWindow *editor;

  if (self->application == NULL)
    return;

  editor = GTK_WINDOW (yatai_product_editor_new (self->application, product));
  if (GTK_IS_WINDOW (root))
    gtk_window_set_transient_for (editor, GTK_WINDOW (root));
  g_set_weak_pointer (&self->editor, editor);
  g_signal_connect_object (editor, "destroy", G_CALLBACK (editor_destroyed_cb), self, G_CONNECT_SWAPPED);
  gtk_window_present (editor);
}

static void
add_action_cb (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  open_editor (YATAI_REGISTER_PAGE (widget), NULL);
}

static void
edit_action_cb (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  YataiRegisterPage *self = YATAI_REGISTER_PAGE (widget);
  YataiProduct *product;

  if (self->products == NULL)
    return;
  product = yatai_product_list_find (self->products, g_variant_get_int64 (parameter));
  if (product != NULL)
    open_editor (self, product);
}

static void
row_activated_cb (YataiRegisterPage *self,
                  guint              position)
{
  g_autoptr(YataiProduct) product = g_list_model_get_item (G_LIST_MODEL (self->sorted), position);

  if (product != NULL)
    open_editor (self, product);
}

static void
show_toast (YataiRegisterPage *self,
            const char        *message)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  if (YATAI_IS_WINDOW (root))
    yatai_window_show_toast (YATAI_WINDOW (root), message);
}

static void
delete_response_cb (AdwMessageDialog  *dialog,
                    const char        *response,
                    YataiRegisterPage *self)
{
  gint64 id = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (dialog), "product-id"));
  const char *name = g_object_get_data (G_OBJECT (dialog), "product-name");
  g_autoptr(JsonObject) args = NULL;
  g_autoptr(JsonNode) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  gboolean sent = FALSE;

  if (!g_str_equal (response, "delete") || self->application == NULL)
    return;

  args = json_object_new ();
  json_object_set_int_member (args, "id", id);
  result = yatai_application_run (self->application, "product.delete", args, &sent, &error);
  if (result == NULL)
    message = g_strdup (error->message);
  else if (sent)
    message = g_strdup_printf (_("Deleting “%s”: sent to the writer"), name);
  else
    message = g_strdup_printf (_("“%s” deleted"), name);
  show_toast (self, message);
}

static void
delete_action_cb (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  YataiRegisterPage *self = YATAI_REGISTER_PAGE (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  YataiProduct *product;
  GtkWidget *dialog;
  g_autofree char *heading = NULL;

  if (self->products == NULL)
    return;
  product = yatai_product_list_find (self->products, g_variant_get_int64 (parameter));
  if (product == NULL)
    return;

  heading = g_strdup_printf (_("Delete “%s”?"), yatai_product_get_name (product));
  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, heading,
                                   _("It leaves the menu. Orders already taken keep its name and price."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "delete", _("_Delete"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "delete", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data (G_OBJECT (dialog), "product-id", GSIZE_TO_POINTER (yatai_product_get_id (product)));
  g_object_set_data_full (G_OBJECT (dialog), "product-name", g_strdup (yatai_product_get_name (product)), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (delete_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
search_action_cb (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  gtk_widget_grab_focus (GTK_WIDGET (YATAI_REGISTER_PAGE (widget)->register_search));
}

/* Life cycle */

static void
yatai_register_page_dispose (GObject *object)
{
  YataiRegisterPage *self = YATAI_REGISTER_PAGE (object);

  if (self->products != NULL)
    g_signal_handlers_disconnect_by_data (self->products, self);
  g_clear_weak_pointer (&self->editor);
  gtk_widget_dispose_template (GTK_WIDGET (self), YATAI_TYPE_REGISTER_PAGE);
  g_clear_object (&self->sorted);
  g_clear_object (&self->filtered);
  g_clear_object (&self->products);
  g_clear_object (&self->application);
  G_OBJECT_CLASS (yatai_register_page_parent_class)->dispose (object);
}

static void
yatai_register_page_finalize (GObject *object)
{
  YataiRegisterPage *self = YATAI_REGISTER_PAGE (object);

  g_free (self->search);
  g_free (self->reading_search);
  G_OBJECT_CLASS (yatai_register_page_parent_class)->finalize (object);
}

static void
yatai_register_page_class_init (YataiRegisterPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = yatai_register_page_dispose;
  object_class->finalize = yatai_register_page_finalize;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/yatai/Yatai/yatai-register-page.ui");
  gtk_widget_class_bind_template_child (widget_class, YataiRegisterPage, n_products_label);
  gtk_widget_class_bind_template_child (widget_class, YataiRegisterPage, n_in_stock_label);
  gtk_widget_class_bind_template_child (widget_class, YataiRegisterPage, n_low_label);
  gtk_widget_class_bind_template_child (widget_class, YataiRegisterPage, n_out_label);
  gtk_widget_class_bind_template_child (widget_class, YataiRegisterPage, add_button);
  gtk_widget_class_bind_template_child (widget_class, YataiRegisterPage, register_search);
  gtk_widget_class_bind_template_child (widget_class, YataiRegisterPage, view_stack);
  gtk_widget_class_bind_template_child (widget_class, YataiRegisterPage, column_view);
  gtk_widget_class_bind_template_callback (widget_class, search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, row_activated_cb);

  gtk_widget_class_install_action (widget_class, "register.add", NULL, add_action_cb);
  gtk_widget_class_install_action (widget_class, "register.edit", "x", edit_action_cb);
  gtk_widget_class_install_action (widget_class, "register.delete", "x", delete_action_cb);
  gtk_widget_class_install_action (widget_class, "register.search", NULL, search_action_cb);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "register.add", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK, "register.search", NULL);
}

static void
yatai_register_page_init (YataiRegisterPage *self)
{
  GtkWidget *summary;

  gtk_widget_init_template (GTK_WIDGET (self));
  build_columns (self);
  /* The summary's cards only show numbers: the focus (and a screen reader's) passes them by. */
  summary = gtk_widget_get_ancestor (GTK_WIDGET (self->n_products_label), GTK_TYPE_FLOW_BOX);
  for (GtkWidget *card = gtk_widget_get_first_child (summary); card != NULL; card = gtk_widget_get_next_sibling (card))
    gtk_widget_set_focusable (card, FALSE);
  gtk_search_entry_set_key_capture_widget (self->register_search, GTK_WIDGET (self));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "register.add", FALSE);
}

/**
 * yatai_register_page_setup:
 *
 * Shows the application's products. Called once by the window that holds the page.
 */
void
yatai_register_page_setup (YataiRegisterPage *self,
                           YataiApplication  *application)
{
  GtkSingleSelection *selection;

  g_return_if_fail (YATAI_IS_REGISTER_PAGE (self));
  g_return_if_fail (YATAI_IS_APPLICATION (application));
  g_return_if_fail (self->application == NULL);

  self->application = g_object_ref (application);
  self->products = g_object_ref (yatai_application_get_products (application));

  self->filter = gtk_custom_filter_new (product_matches, self, NULL);
  self->filtered = gtk_filter_list_model_new (g_object_ref (G_LIST_MODEL (self->products)),
                                              GTK_FILTER (self->filter));
  self->sorted = gtk_sort_list_model_new (g_object_ref (G_LIST_MODEL (self->filtered)),
                                          g_object_ref (gtk_column_view_get_sorter (self->column_view)));
  selection = gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->sorted)));
  gtk_single_selection_set_autoselect (selection, FALSE);
  gtk_single_selection_set_can_unselect (selection, TRUE);
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (selection));
  g_object_unref (selection);

  g_signal_connect_swapped (self->products, "notify", G_CALLBACK (update_summary), self);
  g_signal_connect_swapped (self->filtered, "items-changed", G_CALLBACK (update_view), self);
  update_summary (self);
}

/* The products as the list shows them: searched and sorted. */
GListModel *
yatai_register_page_get_visible (YataiRegisterPage *self)
{
  g_return_val_if_fail (YATAI_IS_REGISTER_PAGE (self), NULL);
  return G_LIST_MODEL (self->sorted);
}

/* The product editor this page opened last, while it is open. */
GtkWindow *
yatai_register_page_get_editor (YataiRegisterPage *self)
{
  g_return_val_if_fail (YATAI_IS_REGISTER_PAGE (self), NULL);
  return self->editor;
}
