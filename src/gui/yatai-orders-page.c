/* yatai-orders-page.c: the history of orders
 *
 * A GtkColumnView over YataiOrderHistory, which holds only the ids of the orders that match the filter
 * and reads the rows the view shows, so scrolling 100,000 orders costs what the visible rows cost.
 */
#define G_LOG_DOMAIN "yatai-orders-page"

#include "config.h"

#include <glib/gi18n.h>

#include "yatai-a11y.h"
#include "yatai-order-editor.h"
#include "yatai-order-history.h"
#include "yatai-orders-page.h"
#include "yatai-pending-view.h"
#include "yatai-text.h"

struct _YataiOrdersPage
{
  AdwBin             parent_instance;

  YataiApplication  *application;
  YataiOrderHistory *history;
  YataiPendingCommands *pending;  /* the application's: changes on their way to the writer */
  GHashTable        *status_cells; /* the Status column's labels on screen → their order */
  GtkStringList     *days;        /* "" for every day, then the days */
  gboolean           updating_days;

  GtkDropDown       *day_dropdown;
  GtkDropDown       *status_dropdown;
  GtkSearchEntry    *orders_search;
  GtkLabel          *count_label;
  GtkStack          *view_stack;
  GtkColumnView     *column_view;
};

G_DEFINE_FINAL_TYPE (YataiOrdersPage, yatai_orders_page, ADW_TYPE_BIN)

typedef enum
{
  COLUMN_NUMBER,
  COLUMN_DAY,
  COLUMN_TIME,
  COLUMN_CUSTOMER,
  COLUMN_LINES,
  COLUMN_TOTAL,
  COLUMN_STATUS,
} Column;

static void
update_count (YataiOrdersPage *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->history));
  g_autofree char *number = yatai_text_format_number (n);
  g_autofree char *text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s order", "%s orders", n), number);

  gtk_label_set_label (self->count_label, text);
  gtk_stack_set_visible_child_name (self->view_stack, n > 0 ? "list" : "empty");
}

static void
filter_changed_cb (YataiOrdersPage *self)
{
  guint day = gtk_drop_down_get_selected (self->day_dropdown);
  guint status = gtk_drop_down_get_selected (self->status_dropdown);
  g_autofree char *search = NULL;

  if (self->history == NULL || self->updating_days)
    return;
  search = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->orders_search))));
  yatai_order_history_set_filter (self->history,
                                  day > 0 && day != GTK_INVALID_LIST_POSITION
                                    ? gtk_string_list_get_string (self->days, day) : NULL,
                                  status > 0 && status != GTK_INVALID_LIST_POSITION ? (int) status - 1 : -1,
                                  search);
  update_count (self);
}

/* The day list grows when a new business day's first order arrives. */
static void
refresh_days (YataiOrdersPage *self)
{
  g_auto(GStrv) days = yatai_store_list_business_days (yatai_application_get_store (self->application), NULL);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->days));
  guint selected = gtk_drop_down_get_selected (self->day_dropdown);
  g_autofree char *chosen = NULL;
  gboolean same = days != NULL && g_strv_length (days) + 1 == n;

  for (guint i = 0; same && days[i] != NULL; i++)
    same = g_str_equal (days[i], gtk_string_list_get_string (self->days, i + 1));
  if (same || days == NULL)
    return;

  if (selected > 0 && selected < n)
    chosen = g_strdup (gtk_string_list_get_string (self->days, selected));
  self->updating_days = TRUE;
  gtk_string_list_splice (self->days, 1, n - 1, (const char * const *) days);
  selected = 0;
  for (guint i = 0; chosen != NULL && days[i] != NULL; i++)
    if (g_str_equal (days[i], chosen))
      selected = i + 1;
  gtk_drop_down_set_selected (self->day_dropdown, selected);
  self->updating_days = FALSE;
}

static void
store_changed_cb (YataiOrdersPage *self)
{
  /* A hidden page catches up when it is shown (map_cb): at rush hour the kitchen and the counter are
   * what is on screen, and each order should cost them, not the history of 100,000. */
  if (!gtk_widget_get_mapped (GTK_WIDGET (self)))
    return;
  refresh_days (self);
  update_count (self);
}

static void
map_cb (YataiOrdersPage *self)
{
  if (self->history == NULL)
    return;
  yatai_order_history_set_paused (self->history, FALSE);
  refresh_days (self);
  update_count (self);
}

static void
unmap_cb (YataiOrdersPage *self)
{
  if (self->history != NULL)
    yatai_order_history_set_paused (self->history, TRUE);
}

/* What the day dropdown shows: "All days" or the day itself. */
static char *
day_label (GtkStringObject *item)
{
  const char *day = gtk_string_object_get_string (item);

  return g_strdup (*day == '\0' ? _("All days") : day);
}

static void
setup_cell_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               gpointer                  user_data)
{
  Column column = GPOINTER_TO_INT (user_data);
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), column == COLUMN_TOTAL || column == COLUMN_NUMBER ? 1.0 : 0.0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  if (column == COLUMN_TOTAL || column == COLUMN_NUMBER || column == COLUMN_TIME)
    gtk_widget_add_css_class (label, "numeric");
  if (column == COLUMN_NUMBER)
    gtk_widget_add_css_class (label, "heading");
  gtk_list_item_set_child (item, label);
}

/* The row, for a screen reader: "Order 12, Completed", and what it holds. */
static void
label_row (GtkLabel   *label,
           YataiOrder *order)
{
  g_autofree char *number = g_strdup_printf ("%" G_GINT64_FORMAT, yatai_order_get_call_number (order));
  g_autofree char *name = g_strdup_printf (_("Order %s, %s"), number,
                                           yatai_order_status_label (yatai_order_get_status (order)));
  g_autofree char *total = yatai_text_format_yen (yatai_order_get_total (order));
  g_autoptr(GString) description = g_string_new (NULL);

  for (guint i = 0; i < yatai_order_get_n_lines (order); i++)
    {
      const YataiOrderLine *line = yatai_order_get_line (order, i);

      g_string_append_printf (description, "%s ×%" G_GINT64_FORMAT ", ", line->name, line->quantity);
    }
  g_string_append (description, total);
  if (*yatai_order_get_customer (order) != '\0')
    g_string_append_printf (description, ", %s", yatai_order_get_customer (order));
  yatai_a11y_label_cell (GTK_WIDGET (label), name, description->str);
}

static const char *status_classes[] = { "order-pending", "order-processing", "order-completed", "order-cancelled" };

/* The Status cell: the order's status, or, while a change this device sent is on its way to the
 * writer, the status it is going to with "sending…". */
static void
show_status (YataiOrdersPage *self,
             GtkLabel        *label,
             YataiOrder      *order)
{
  YataiPendingCommand *move = self->pending != NULL
                              ? yatai_pending_commands_find_move (self->pending, yatai_order_get_id (order)) : NULL;
  g_autofree char *sending = move != NULL ? yatai_pending_describe_move (move, yatai_order_get_status (order)) : NULL;

  for (guint i = 0; i < G_N_ELEMENTS (status_classes); i++)
    gtk_widget_remove_css_class (GTK_WIDGET (label), status_classes[i]);
  gtk_widget_add_css_class (GTK_WIDGET (label), status_classes[yatai_order_get_status (order)]);
  if (move != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (label), "sending");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (label), "sending");
  gtk_label_set_label (label, sending != NULL ? sending : yatai_order_status_label (yatai_order_get_status (order)));
  gtk_widget_set_tooltip_text (GTK_WIDGET (label), move != NULL ? yatai_pending_sending_tooltip () : NULL);
}

static void
bind_status_cb (GtkSignalListItemFactory *factory,
                GtkListItem              *item,
                YataiOrdersPage          *self)
{
  GtkLabel *label = GTK_LABEL (gtk_list_item_get_child (item));
  YataiOrder *order = gtk_list_item_get_item (item);

  show_status (self, label, order);
  g_hash_table_insert (self->status_cells, label, g_object_ref (order));
}

static void
unbind_status_cb (GtkSignalListItemFactory *factory,
                  GtkListItem              *item,
                  YataiOrdersPage          *self)
{
  if (self->status_cells != NULL)
    g_hash_table_remove (self->status_cells, gtk_list_item_get_child (item));
}

static void
pending_changed_cb (YataiOrdersPage *self)
{
  GHashTableIter iter;
  gpointer label, order;

  g_hash_table_iter_init (&iter, self->status_cells);
  while (g_hash_table_iter_next (&iter, &label, &order))
    show_status (self, label, order);
}

static void
bind_cell_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              gpointer                  user_data)
{
  Column column = GPOINTER_TO_INT (user_data);
  GtkLabel *label = GTK_LABEL (gtk_list_item_get_child (item));
  YataiOrder *order = gtk_list_item_get_item (item);
  g_autofree char *text = NULL;

  switch (column)
    {
    case COLUMN_NUMBER:
      text = g_strdup_printf ("%" G_GINT64_FORMAT, yatai_order_get_call_number (order));
      break;
    case COLUMN_DAY:
      text = g_strdup (yatai_order_get_business_day (order));
      break;
    case COLUMN_TIME:
      {
        g_autoptr(GDateTime) created = g_date_time_new_from_unix_local (yatai_order_get_created (order) / G_USEC_PER_SEC);

        text = created != NULL ? g_date_time_format (created, "%H:%M") : g_strdup ("");
      }
      break;
    case COLUMN_CUSTOMER:
      text = g_strdup (yatai_order_get_customer (order));
      break;
    case COLUMN_LINES:
      {
        GString *lines = g_string_new (NULL);

        for (guint i = 0; i < yatai_order_get_n_lines (order); i++)
          {
            const YataiOrderLine *line = yatai_order_get_line (order, i);

            g_string_append_printf (lines, "%s%s ×%" G_GINT64_FORMAT, i > 0 ? ", " : "", line->name, line->quantity);
          }
        text = g_string_free (lines, FALSE);
      }
      break;
    case COLUMN_TOTAL:
      text = yatai_text_format_yen (yatai_order_get_total (order));
      break;
    default:
      g_assert_not_reached ();
    }
  gtk_label_set_label (label, text);
  if (column == COLUMN_NUMBER)
    label_row (label, order);
}

static void
add_column (YataiOrdersPage *self,
            const char      *title,
            Column           column,
            gboolean         expand)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  GtkColumnViewColumn *view_column;

  g_signal_connect (factory, "setup", G_CALLBACK (setup_cell_cb), GINT_TO_POINTER (column));
  if (column == COLUMN_STATUS)
    {
      g_signal_connect (factory, "bind", G_CALLBACK (bind_status_cb), self);
      g_signal_connect (factory, "unbind", G_CALLBACK (unbind_status_cb), self);
    }
  else
    g_signal_connect (factory, "bind", G_CALLBACK (bind_cell_cb), GINT_TO_POINTER (column));
  view_column = gtk_column_view_column_new (title, factory);
  gtk_column_view_column_set_expand (view_column, expand);
  gtk_column_view_column_set_resizable (view_column, TRUE);
  gtk_column_view_append_column (self->column_view, view_column);
  g_object_unref (view_column);
}

/* Opens the order at @position of the list in its editor. */
GtkWindow *
yatai_orders_page_open_order (YataiOrdersPage *self,
                              guint            position)
{
  g_autoptr(YataiOrder) order = NULL;
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  YataiOrderEditor *editor;

  g_return_val_if_fail (YATAI_IS_ORDERS_PAGE (self), NULL);

  order = g_list_model_get_item (G_LIST_MODEL (self->history), position);
  if (order == NULL)
    return NULL;
  editor = yatai_order_editor_new (self->application, order);
  if (GTK_IS_WINDOW (root))
    gtk_window_set_transient_for (GTK_WINDOW (editor), GTK_WINDOW (root));
  gtk_window_present (GTK_WINDOW (editor));
  return GTK_WINDOW (editor);
}

static void
row_activated_cb (YataiOrdersPage *self,
                  guint            position)
{
  yatai_orders_page_open_order (self, position);
}

static void
search_action_cb (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  gtk_widget_grab_focus (GTK_WIDGET (YATAI_ORDERS_PAGE (widget)->orders_search));
}

static void
yatai_orders_page_dispose (GObject *object)
{
  YataiOrdersPage *self = YATAI_ORDERS_PAGE (object);

  if (self->application != NULL)
    g_signal_handlers_disconnect_by_data (yatai_application_get_store (self->application), self);
  if (self->pending != NULL)
    g_signal_handlers_disconnect_by_data (self->pending, self);
  g_clear_object (&self->pending);
  gtk_widget_dispose_template (GTK_WIDGET (self), YATAI_TYPE_ORDERS_PAGE);
  g_clear_object (&self->history);
  g_clear_object (&self->days);
  g_clear_object (&self->application);
  g_clear_pointer (&self->status_cells, g_hash_table_unref);
  G_OBJECT_CLASS (yatai_orders_page_parent_class)->dispose (object);
}

static void
yatai_orders_page_class_init (YataiOrdersPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = yatai_orders_page_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/yatai/Yatai/yatai-orders-page.ui");
  gtk_widget_class_bind_template_child (widget_class, YataiOrdersPage, day_dropdown);
  gtk_widget_class_bind_template_child (widget_class, YataiOrdersPage, status_dropdown);
  gtk_widget_class_bind_template_child (widget_class, YataiOrdersPage, orders_search);
  gtk_widget_class_bind_template_child (widget_class, YataiOrdersPage, count_label);
  gtk_widget_class_bind_template_child (widget_class, YataiOrdersPage, view_stack);
  gtk_widget_class_bind_template_child (widget_class, YataiOrdersPage, column_view);
  gtk_widget_class_bind_template_callback (widget_class, filter_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, row_activated_cb);
  gtk_widget_class_install_action (widget_class, "orders.search", NULL, search_action_cb);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK, "orders.search", NULL);
}

static void
yatai_orders_page_init (YataiOrdersPage *self)
{
  const char *statuses[] = { _("Any status"), yatai_order_status_label (YATAI_ORDER_PENDING),
                             yatai_order_status_label (YATAI_ORDER_PROCESSING),
                             yatai_order_status_label (YATAI_ORDER_COMPLETED),
                             yatai_order_status_label (YATAI_ORDER_CANCELLED), NULL };
  const char *all_days[] = { "", NULL };
  g_autoptr(GtkStringList) status_model = gtk_string_list_new (statuses);
  GtkExpression *expression;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->status_cells = g_hash_table_new_full (NULL, NULL, NULL, g_object_unref);
  self->days = gtk_string_list_new (all_days);
  expression = gtk_cclosure_expression_new (G_TYPE_STRING, NULL, 0, NULL, G_CALLBACK (day_label), NULL, NULL);
  gtk_drop_down_set_expression (self->day_dropdown, expression);
  gtk_expression_unref (expression);
  gtk_drop_down_set_model (self->day_dropdown, G_LIST_MODEL (self->days));
  gtk_drop_down_set_model (self->status_dropdown, G_LIST_MODEL (status_model));

  add_column (self, _("No."), COLUMN_NUMBER, FALSE);
  add_column (self, _("Day"), COLUMN_DAY, FALSE);
  add_column (self, _("Time"), COLUMN_TIME, FALSE);
  add_column (self, _("Customer"), COLUMN_CUSTOMER, FALSE);
  add_column (self, _("Items"), COLUMN_LINES, TRUE);
  add_column (self, _("Total"), COLUMN_TOTAL, FALSE);
  add_column (self, _("Status"), COLUMN_STATUS, FALSE);
}

void
yatai_orders_page_setup (YataiOrdersPage  *self,
                         YataiApplication *application)
{
  GtkSingleSelection *selection;

  g_return_if_fail (YATAI_IS_ORDERS_PAGE (self));
  g_return_if_fail (self->application == NULL);

  self->application = g_object_ref (application);
  self->pending = g_object_ref (yatai_application_get_pending (application));
  g_signal_connect_swapped (self->pending, "items-changed", G_CALLBACK (pending_changed_cb), self);
  self->history = yatai_order_history_new (yatai_application_get_store (application));
  selection = gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->history)));
  gtk_single_selection_set_autoselect (selection, FALSE);
  gtk_single_selection_set_can_unselect (selection, TRUE);
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (selection));
  g_object_unref (selection);

  /* After the history's own handler, which was connected first. */
  g_signal_connect_swapped (yatai_application_get_store (application), "changed",
                            G_CALLBACK (store_changed_cb), self);
  g_signal_connect (self, "map", G_CALLBACK (map_cb), NULL);
  g_signal_connect (self, "unmap", G_CALLBACK (unmap_cb), NULL);
  yatai_order_history_set_paused (self->history, !gtk_widget_get_mapped (GTK_WIDGET (self)));
  refresh_days (self);
  update_count (self);
}

GListModel *
yatai_orders_page_get_visible (YataiOrdersPage *self)
{
  g_return_val_if_fail (YATAI_IS_ORDERS_PAGE (self), NULL);
  return G_LIST_MODEL (self->history);
}
