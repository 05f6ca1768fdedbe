/* yatai-sales-page.c: what the stall's lead looks at after the rush
 *
 * The figures come from yatai_store_day_summary() for the chosen business day and are read again
 * (once per main-loop turn at most) after any change in the store, so the page is live during the day.
 */
#define G_LOG_DOMAIN "yatai-sales-page"

#include "config.h"

#include <glib/gi18n.h>

#include "yatai-bar-chart.h"
#include "yatai-csv.h"
#include "yatai-order.h"
#include "yatai-order-history.h"
#include "yatai-sales-page.h"
#include "yatai-sales.h"
#include "yatai-text.h"
#include "yatai-window.h"

struct _YataiSalesPage
{
  AdwBin                parent_instance;

  YataiApplication     *application;
  GtkStringList        *days;
  char                 *day;
  guint                 refresh_id;
  gboolean              updating_days;
  gboolean              stale;         /* the store changed while the page was hidden */
  GtkFileChooserNative *chooser;
  GtkWidget            *table_rows[64];
  guint                 n_table_rows;

  GtkDropDown          *day_dropdown;
  GtkLabel             *orders_label;
  GtkLabel             *sales_label;
  GtkLabel             *average_label;
  GtkLabel             *open_label;
  GtkLabel             *cancelled_label;
  AdwBin               *product_chart_bin;
  AdwBin               *hour_chart_bin;
  AdwPreferencesGroup  *table_group;
  YataiBarChart        *product_chart;
  YataiBarChart        *hour_chart;
};

G_DEFINE_FINAL_TYPE (YataiSalesPage, yatai_sales_page, ADW_TYPE_BIN)

static void
show_toast (YataiSalesPage *self,
            const char     *message)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  if (YATAI_IS_WINDOW (root))
    yatai_window_show_toast (YATAI_WINDOW (root), message);
}

static char *
today (YataiSalesPage *self)
{
  YataiStore *store = yatai_application_get_store (self->application);
  GSettings *settings = yatai_application_get_settings (self->application);

  return yatai_business_day (yatai_store_now (store), g_settings_get_int (settings, "day-start-hour"));
}

static void
set_label_number (GtkLabel *label,
                  gint64    value,
                  gboolean  yen)
{
  g_autofree char *text = yen ? yatai_text_format_yen (value) : yatai_text_format_number (value);

  gtk_label_set_label (label, text);
}

static void
refresh (YataiSalesPage *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(YataiDaySummary) summary = NULL;
  g_autofree char *cancelled = NULL;
  g_autofree char *cancelled_amount = NULL;
  int start_hour;

  if (self->application == NULL || self->day == NULL)
    return;
  summary = yatai_store_day_summary (yatai_application_get_store (self->application), self->day, &error);
  if (summary == NULL)
    {
      show_toast (self, error->message);
      return;
    }

  set_label_number (self->orders_label, summary->n_orders, FALSE);
  set_label_number (self->sales_label, summary->sales, TRUE);
  set_label_number (self->average_label, summary->average, TRUE);
  set_label_number (self->open_label, summary->n_open, FALSE);
  cancelled_amount = yatai_text_format_yen (summary->cancelled_amount);
  cancelled = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d order cancelled (%s), not counted in the sales",
                                            "%d orders cancelled (%s), not counted in the sales",
                                            summary->n_cancelled),
                               (int) summary->n_cancelled, cancelled_amount);
  gtk_label_set_label (self->cancelled_label, cancelled);

  /* Charts and the table: the same numbers. */
  yatai_bar_chart_clear (self->product_chart);
  for (guint i = 0; i < self->n_table_rows; i++)
    adw_preferences_group_remove (self->table_group, self->table_rows[i]);
  self->n_table_rows = 0;
  for (guint i = 0; i < summary->by_product->len; i++)
    {
      YataiProductSales *row = &g_array_index (summary->by_product, YataiProductSales, i);
      g_autofree char *amount = yatai_text_format_yen (row->amount);
      g_autofree char *quantity = yatai_text_format_number (row->quantity);
      g_autofree char *detail = g_strdup_printf ("×%s   %s", quantity, amount);

      yatai_bar_chart_add (self->product_chart, row->name, row->amount, amount);
      if (self->n_table_rows < G_N_ELEMENTS (self->table_rows))
        {
          GtkWidget *table_row = adw_action_row_new ();
          GtkWidget *label = gtk_label_new (detail);

          gtk_widget_add_css_class (label, "numeric");
          adw_preferences_row_set_title (ADW_PREFERENCES_ROW (table_row), row->name);
          adw_action_row_add_suffix (ADW_ACTION_ROW (table_row), label);
          adw_preferences_group_add (self->table_group, table_row);
          self->table_rows[self->n_table_rows++] = table_row;
        }
    }
  gtk_widget_set_visible (GTK_WIDGET (self->table_group), summary->by_product->len > 0);

  yatai_bar_chart_clear (self->hour_chart);
  start_hour = g_settings_get_int (yatai_application_get_settings (self->application), "day-start-hour");
  {
    /* The stall's hours, in the business day's order: from the first hour with an order to the last. */
    int first = -1, last = -1;

    for (int i = 0; i < 24; i++)
      if (summary->by_hour[(start_hour + i) % 24] > 0)
        {
          if (first < 0)
            first = i;
          last = i;
        }
    for (int i = first; first >= 0 && i <= last; i++)
      {
        int hour = (start_hour + i) % 24;
        g_autofree char *label = g_strdup_printf ("%d", hour);
        g_autofree char *value = g_strdup_printf ("%" G_GINT64_FORMAT, summary->by_hour[hour]);

        yatai_bar_chart_add (self->hour_chart, label, summary->by_hour[hour], value);
      }
  }
}

static gboolean
refresh_idle_cb (gpointer data)
{
  YataiSalesPage *self = data;

  self->refresh_id = 0;
  refresh (self);
  return G_SOURCE_REMOVE;
}

static void
queue_refresh (YataiSalesPage *self)
{
  if (self->refresh_id == 0)
    self->refresh_id = g_idle_add (refresh_idle_cb, self);
}

/* The days with orders, and today even before its first order; newest first. */
static void
refresh_days (YataiSalesPage *self)
{
  g_auto(GStrv) days = yatai_store_list_business_days (yatai_application_get_store (self->application), NULL);
  g_autofree char *now = today (self);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) wanted = NULL;
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->days));
  guint selected = 0;
  gboolean same;

  if (days == NULL || days[0] == NULL || g_strcmp0 (days[0], now) < 0)
    g_strv_builder_add (builder, now);
  for (guint i = 0; days != NULL && days[i] != NULL; i++)
    g_strv_builder_add (builder, days[i]);
  wanted = g_strv_builder_end (builder);

  same = g_strv_length (wanted) == n;
  for (guint i = 0; same && wanted[i] != NULL; i++)
    same = g_str_equal (wanted[i], gtk_string_list_get_string (self->days, i));
  if (same)
    return;

  for (guint i = 0; wanted[i] != NULL; i++)
    if (g_strcmp0 (wanted[i], self->day) == 0)
      selected = i;
  self->updating_days = TRUE;
  gtk_string_list_splice (self->days, 0, n, (const char * const *) wanted);
  gtk_drop_down_set_selected (self->day_dropdown, selected);
  self->updating_days = FALSE;
  if (self->day == NULL)
    self->day = g_strdup (wanted[selected]);
}

static void
day_changed_cb (YataiSalesPage *self)
{
  guint selected = gtk_drop_down_get_selected (self->day_dropdown);

  if (self->updating_days || selected == GTK_INVALID_LIST_POSITION)
    return;
  g_free (self->day);
  self->day = g_strdup (gtk_string_list_get_string (self->days, selected));
  refresh (self);
}

static void
store_changed_cb (YataiSalesPage *self)
{
  /* Hidden, the page catches up when it is shown (map_cb): at rush hour an order should cost the
   * Reception and Kitchen pages on screen, not the day's figures nobody is looking at. */
  if (!gtk_widget_get_mapped (GTK_WIDGET (self)))
    {
      self->stale = TRUE;
      return;
    }
  refresh_days (self);
  queue_refresh (self);
}

static void
map_cb (YataiSalesPage *self)
{
  if (self->application == NULL || !self->stale)
    return;
  self->stale = FALSE;
  refresh_days (self);
  refresh (self);
}

gboolean
yatai_sales_page_select_day (YataiSalesPage *self,
                             const char     *business_day)
{
  guint n;

  g_return_val_if_fail (YATAI_IS_SALES_PAGE (self), FALSE);

  refresh_days (self);
  n = g_list_model_get_n_items (G_LIST_MODEL (self->days));
  for (guint i = 0; i < n; i++)
    if (g_str_equal (gtk_string_list_get_string (self->days, i), business_day))
      {
        gtk_drop_down_set_selected (self->day_dropdown, i);
        day_changed_cb (self);
        return TRUE;
      }
  return FALSE;
}

const char *
yatai_sales_page_get_day (YataiSalesPage *self)
{
  g_return_val_if_fail (YATAI_IS_SALES_PAGE (self), NULL);
  return self->day;
}

/* CSV */

static void
written_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(YataiSalesPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  g_autofree char *name = g_file_get_basename (G_FILE (source));

  if (!g_file_replace_contents_finish (G_FILE (source), result, NULL, &error))
    message = g_strdup_printf (_("The file could not be saved: %s"), error->message);
  else
    message = g_strdup_printf (_("Saved “%s”"), name);
  show_toast (self, message);
}

static void
export_response_cb (GtkNativeDialog *chooser,
                    int              response,
                    YataiSalesPage  *self)
{
  char *contents = g_object_steal_data (G_OBJECT (chooser), "contents");

  if (response == GTK_RESPONSE_ACCEPT && contents != NULL)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      g_autoptr(GBytes) bytes = g_bytes_new_take (contents, strlen (contents));

      contents = NULL;
      g_file_replace_contents_bytes_async (file, bytes, NULL, FALSE, G_FILE_CREATE_REPLACE_DESTINATION, NULL,
                                           written_cb, g_object_ref (self));
    }
  g_free (contents);
  g_clear_object (&self->chooser);
}

static void
export (YataiSalesPage *self,
        const char     *kind,
        char           *contents)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *name = yatai_csv_file_name (kind, now);

  g_clear_object (&self->chooser);
  self->chooser = gtk_file_chooser_native_new (_("Export CSV"), GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                               GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (self->chooser), name);
  g_object_set_data_full (G_OBJECT (self->chooser), "contents", contents, g_free);
  g_signal_connect (self->chooser, "response", G_CALLBACK (export_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
export_lines (YataiSalesPage *self,
              const char     *day)
{
  g_autoptr(GError) error = NULL;
  char *contents = yatai_store_export_order_lines (yatai_application_get_store (self->application), day, &error);

  if (contents == NULL)
    show_toast (self, error->message);
  else
    export (self, "order-lines", contents);
}

static void
export_lines_action_cb (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  export_lines (YATAI_SALES_PAGE (widget), YATAI_SALES_PAGE (widget)->day);
}

static void
export_all_lines_action_cb (GtkWidget  *widget,
                            const char *action_name,
                            GVariant   *parameter)
{
  export_lines (YATAI_SALES_PAGE (widget), NULL);
}

static void
export_products_action_cb (GtkWidget  *widget,
                           const char *action_name,
                           GVariant   *parameter)
{
  YataiSalesPage *self = YATAI_SALES_PAGE (widget);
  g_autoptr(GError) error = NULL;
  char *contents = yatai_store_export_products (yatai_application_get_store (self->application), &error);

  if (contents == NULL)
    show_toast (self, error->message);
  else
    export (self, "products", contents);
}

static void
show_refusal (YataiSalesPage *self,
              const char     *heading,
              const char     *body)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, heading, body);

  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Imports a products CSV: every row or none. The refusal names each refused line. */
gboolean
yatai_sales_page_import (YataiSalesPage  *self,
                         GBytes          *contents,
                         GError         **error)
{
  g_autoptr(JsonObject) args = NULL;
  g_autoptr(JsonNode) result = NULL;
  g_autofree char *message = NULL;
  gsize size;
  const char *data;

  g_return_val_if_fail (YATAI_IS_SALES_PAGE (self), FALSE);

  data = g_bytes_get_data (contents, &size);
  args = yatai_products_import_args (data, size, error);
  if (args == NULL)
    return FALSE;
  result = yatai_application_run (self->application, "products.import", args, NULL, error);
  if (result == NULL)
    return FALSE;
  message = g_strdup_printf (_("Menu imported: %d added, %d updated"),
                             (int) json_object_get_int_member_with_default (json_node_get_object (result), "added", 0),
                             (int) json_object_get_int_member_with_default (json_node_get_object (result), "updated", 0));
  show_toast (self, message);
  return TRUE;
}

static void
loaded_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(YataiSalesPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) contents = g_file_load_bytes_finish (G_FILE (source), result, NULL, &error);

  if (contents != NULL)
    yatai_sales_page_import (self, contents, &error);
  if (error != NULL)
    show_refusal (self, _("Nothing Was Imported"), error->message);
}

static void
import_response_cb (GtkNativeDialog *chooser,
                    int              response,
                    YataiSalesPage  *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));

      g_file_load_bytes_async (file, NULL, loaded_cb, g_object_ref (self));
    }
  g_clear_object (&self->chooser);
}

static void
import_products_action_cb (GtkWidget  *widget,
                           const char *action_name,
                           GVariant   *parameter)
{
  YataiSalesPage *self = YATAI_SALES_PAGE (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

  gtk_file_filter_set_name (filter, _("CSV files"));
  gtk_file_filter_add_mime_type (filter, "text/csv");
  gtk_file_filter_add_pattern (filter, "*.csv");
  g_clear_object (&self->chooser);
  self->chooser = gtk_file_chooser_native_new (_("Import Products"), GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                               GTK_FILE_CHOOSER_ACTION_OPEN, _("_Import"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), filter);
  g_signal_connect (self->chooser, "response", G_CALLBACK (import_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

/* Closing the day */

static char *
summary_text (YataiDaySummary *summary)
{
  GString *text = g_string_new (NULL);
  g_autofree char *sales = yatai_text_format_yen (summary->sales);
  g_autofree char *average = yatai_text_format_yen (summary->average);
  g_autofree char *cancelled = yatai_text_format_yen (summary->cancelled_amount);

  g_string_append_printf (text, _("Orders: %d\nSales: %s\nPer order: %s\nCancelled: %d (%s)\n"),
                          (int) summary->n_orders, sales, average, (int) summary->n_cancelled, cancelled);
  for (guint i = 0; i < summary->by_product->len; i++)
    {
      YataiProductSales *row = &g_array_index (summary->by_product, YataiProductSales, i);
      g_autofree char *amount = yatai_text_format_yen (row->amount);

      g_string_append_printf (text, "\n%s ×%" G_GINT64_FORMAT "  %s", row->name, row->quantity, amount);
    }
  return g_string_free (text, FALSE);
}

static void
draw_summary_cb (GtkPrintOperation *operation,
                 GtkPrintContext   *context,
                 int                page_nr,
                 const char        *text)
{
  cairo_t *cr = gtk_print_context_get_cairo_context (context);
  PangoLayout *layout = gtk_print_context_create_pango_layout (context);
  PangoFontDescription *font = pango_font_description_from_string ("Sans 11");

  pango_layout_set_font_description (layout, font);
  pango_layout_set_width (layout, (int) (gtk_print_context_get_width (context) * PANGO_SCALE));
  pango_layout_set_text (layout, text, -1);
  cairo_move_to (cr, 0, 0);
  pango_cairo_show_layout (cr, layout);
  pango_font_description_free (font);
  g_object_unref (layout);
}

static void
print_summary (YataiSalesPage *self,
               const char     *text)
{
  g_autoptr(GtkPrintOperation) operation = gtk_print_operation_new ();
  g_autoptr(GError) error = NULL;
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  gtk_print_operation_set_n_pages (operation, 1);
  gtk_print_operation_set_job_name (operation, _("Day summary"));
  g_signal_connect (operation, "draw-page", G_CALLBACK (draw_summary_cb), (gpointer) text);
  if (gtk_print_operation_run (operation, GTK_PRINT_OPERATION_ACTION_PRINT_DIALOG,
                               GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, &error) == GTK_PRINT_OPERATION_RESULT_ERROR)
    show_toast (self, error->message);
}

static void
close_day_response_cb (AdwMessageDialog *dialog,
                       const char       *response,
                       YataiSalesPage   *self)
{
  const char *day = g_object_get_data (G_OBJECT (dialog), "day");
  const char *text = g_object_get_data (G_OBJECT (dialog), "text");
  g_autoptr(JsonObject) args = NULL;
  g_autoptr(JsonNode) result = NULL;
  g_autoptr(GError) error = NULL;

  if (g_str_equal (response, "print"))
    {
      print_summary (self, text);
      return;
    }
  if (!g_str_equal (response, "close-day"))
    return;
  args = json_object_new ();
  json_object_set_string_member (args, "business_day", day);
  result = yatai_application_run (self->application, "day.close", args, NULL, &error);
  show_toast (self, result != NULL ? _("The day is closed: the next order gets call number 1") : error->message);
}

static void
close_day_action_cb (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  YataiSalesPage *self = YATAI_SALES_PAGE (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  g_autoptr(GError) error = NULL;
  g_autoptr(YataiDaySummary) summary = yatai_store_day_summary (yatai_application_get_store (self->application),
                                                                self->day, &error);
  g_autofree char *heading = NULL;
  char *text;
  GtkWidget *dialog;

  if (summary == NULL)
    {
      show_toast (self, error->message);
      return;
    }
  text = summary_text (summary);
  heading = g_strdup_printf (_("Close %s?"), self->day);
  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, heading, text);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "print", _("_Print Summary"),
                                    "close-day", _("C_lose the Day"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "close-day", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "day", g_strdup (self->day), g_free);
  g_object_set_data_full (G_OBJECT (dialog), "text", text, g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (close_day_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Life cycle */

static void
yatai_sales_page_dispose (GObject *object)
{
  YataiSalesPage *self = YATAI_SALES_PAGE (object);

  g_clear_handle_id (&self->refresh_id, g_source_remove);
  if (self->application != NULL)
    g_signal_handlers_disconnect_by_data (yatai_application_get_store (self->application), self);
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  gtk_widget_dispose_template (GTK_WIDGET (self), YATAI_TYPE_SALES_PAGE);
  g_clear_object (&self->days);
  g_clear_object (&self->application);
  G_OBJECT_CLASS (yatai_sales_page_parent_class)->dispose (object);
}

static void
yatai_sales_page_finalize (GObject *object)
{
  g_free (YATAI_SALES_PAGE (object)->day);
  G_OBJECT_CLASS (yatai_sales_page_parent_class)->finalize (object);
}

static void
yatai_sales_page_class_init (YataiSalesPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = yatai_sales_page_dispose;
  object_class->finalize = yatai_sales_page_finalize;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/yatai/Yatai/yatai-sales-page.ui");
  gtk_widget_class_bind_template_child (widget_class, YataiSalesPage, day_dropdown);
  gtk_widget_class_bind_template_child (widget_class, YataiSalesPage, orders_label);
  gtk_widget_class_bind_template_child (widget_class, YataiSalesPage, sales_label);
  gtk_widget_class_bind_template_child (widget_class, YataiSalesPage, average_label);
  gtk_widget_class_bind_template_child (widget_class, YataiSalesPage, open_label);
  gtk_widget_class_bind_template_child (widget_class, YataiSalesPage, cancelled_label);
  gtk_widget_class_bind_template_child (widget_class, YataiSalesPage, product_chart_bin);
  gtk_widget_class_bind_template_child (widget_class, YataiSalesPage, hour_chart_bin);
  gtk_widget_class_bind_template_child (widget_class, YataiSalesPage, table_group);
  gtk_widget_class_bind_template_callback (widget_class, day_changed_cb);

  gtk_widget_class_install_action (widget_class, "sales.export-lines", NULL, export_lines_action_cb);
  gtk_widget_class_install_action (widget_class, "sales.export-all-lines", NULL, export_all_lines_action_cb);
  gtk_widget_class_install_action (widget_class, "sales.export-products", NULL, export_products_action_cb);
  gtk_widget_class_install_action (widget_class, "sales.import-products", NULL, import_products_action_cb);
  gtk_widget_class_install_action (widget_class, "sales.close-day", NULL, close_day_action_cb);
}

static void
yatai_sales_page_init (YataiSalesPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->days = gtk_string_list_new (NULL);
  gtk_drop_down_set_model (self->day_dropdown, G_LIST_MODEL (self->days));
  self->product_chart = YATAI_BAR_CHART (yatai_bar_chart_new (GTK_ORIENTATION_HORIZONTAL));
  self->hour_chart = YATAI_BAR_CHART (yatai_bar_chart_new (GTK_ORIENTATION_VERTICAL));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->product_chart), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Sales by product (the table below has the same numbers)"), -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->hour_chart), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Orders per hour"), -1);
  adw_bin_set_child (self->product_chart_bin, GTK_WIDGET (self->product_chart));
  adw_bin_set_child (self->hour_chart_bin, GTK_WIDGET (self->hour_chart));
}

void
yatai_sales_page_setup (YataiSalesPage   *self,
                        YataiApplication *application)
{
  g_return_if_fail (YATAI_IS_SALES_PAGE (self));
  g_return_if_fail (self->application == NULL);

  self->application = g_object_ref (application);
  g_signal_connect_swapped (yatai_application_get_store (application), "changed",
                            G_CALLBACK (store_changed_cb), self);
  g_signal_connect (self, "map", G_CALLBACK (map_cb), NULL);
  refresh_days (self);
  refresh (self);
}
