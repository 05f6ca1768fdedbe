/* yatai-order-editor.c: one order of the history, edited */
#define G_LOG_DOMAIN "yatai-order-editor"

#include "config.h"

#include <glib/gi18n.h>

#include "yatai-order-editor.h"
#include "yatai-store-orders.h"
#include "yatai-text.h"
#include "yatai-window.h"

struct _YataiOrderEditor
{
  AdwWindow          parent_instance;

  YataiApplication  *application;
  YataiOrder        *order;
  GArray            *statuses;   /* YataiOrderStatus of each row of the status combo */

  AdwWindowTitle    *window_title;
  GtkRevealer       *error_revealer;
  GtkRevealer       *sending_revealer;
  GtkSpinner        *sending_spinner;
  YataiPendingCommands *pending;
  gboolean           sent;      /* a change went to the writer: its answer shows on the page */
  GtkLabel          *error_label;
  AdwEntryRow       *customer_row;
  GtkLabel          *customer_error;
  AdwEntryRow       *note_row;
  GtkLabel          *note_error;
  AdwComboRow       *status_row;
  AdwPreferencesGroup *lines_group;
};

G_DEFINE_FINAL_TYPE (YataiOrderEditor, yatai_order_editor, ADW_TYPE_WINDOW)

static char *
call_number (YataiOrderEditor *self)
{
  return g_strdup_printf ("%" G_GINT64_FORMAT, yatai_order_get_call_number (self->order));
}

static void
show_error (YataiOrderEditor *self,
            const char       *message)
{
  gtk_label_set_label (self->error_label, message);
  gtk_revealer_set_reveal_child (self->error_revealer, TRUE);
}

static void
toast_parent (YataiOrderEditor *self,
              const char       *message)
{
  GtkWindow *parent = gtk_window_get_transient_for (GTK_WINDOW (self));

  if (YATAI_IS_WINDOW (parent))
    yatai_window_show_toast (YATAI_WINDOW (parent), message);
}

static gboolean
close_idle_cb (gpointer data)
{
  gtk_window_destroy (GTK_WINDOW (data));
  return G_SOURCE_REMOVE;
}

/* Closes the editor once the dialog that asked (transient for it) is gone. */
static void
close_soon (YataiOrderEditor *self)
{
  gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
  g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, close_idle_cb, g_object_ref (self), g_object_unref);
}

static gboolean
check_field (AdwEntryRow *row,
             GtkLabel    *label,
             char      *(*check) (const char *, GError **))
{
  g_autoptr(GError) error = NULL;
  g_autofree char *clean = check (gtk_editable_get_text (GTK_EDITABLE (row)), &error);

  gtk_label_set_label (label, error != NULL ? error->message : "");
  gtk_widget_set_visible (GTK_WIDGET (label), error != NULL);
  if (error != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (row), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (row), "error");
  return error == NULL;
}

static void
field_changed_cb (YataiOrderEditor *self)
{
  gboolean ok = check_field (self->customer_row, self->customer_error, yatai_order_check_customer);

  ok &= check_field (self->note_row, self->note_error, yatai_order_check_note);
  if (self->pending != NULL && yatai_pending_commands_find_move (self->pending, yatai_order_get_id (self->order)) != NULL)
    ok = FALSE;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "order.save", ok);
}

static gboolean
run (YataiOrderEditor *self,
     const char       *kind,
     JsonObject       *args)
{
  g_autoptr(JsonNode) result = NULL;
  g_autoptr(GError) error = NULL;
  gboolean sent = FALSE;

  result = yatai_application_run (self->application, kind, args, &sent, &error);
  if (result == NULL)
    {
      show_error (self, error->message);
      return FALSE;
    }
  self->sent |= sent;
  return TRUE;
}

/* What the page says once the change is done here, or sent to the writer (whose answer the Orders
 * page then shows in the order's row). */
static void
toast_done (YataiOrderEditor *self,
            const char       *done)
{
  g_autofree char *number = call_number (self);
  /* TRANSLATORS: a toast on a device that follows: "Order 12: sending to the writer…" */
  g_autofree char *sending = g_strdup_printf (_("Order %s: sending to the writer…"), number);

  toast_parent (self, self->sent ? sending : done);
}

/* While a change to this order is on its way to the writer, another would contradict it. */
static void
update_pending (YataiOrderEditor *self)
{
  gboolean sending = yatai_pending_commands_find_move (self->pending, yatai_order_get_id (self->order)) != NULL;

  gtk_revealer_set_reveal_child (self->sending_revealer, sending);
  gtk_spinner_set_spinning (self->sending_spinner, sending);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "order.cancel",
                                 !sending && yatai_order_get_status (self->order) != YATAI_ORDER_CANCELLED);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "order.delete", !sending);
  field_changed_cb (self);
}

static void
save_action_cb (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  YataiOrderEditor *self = YATAI_ORDER_EDITOR (widget);
  const char *customer = gtk_editable_get_text (GTK_EDITABLE (self->customer_row));
  const char *note = gtk_editable_get_text (GTK_EDITABLE (self->note_row));
  guint selected = adw_combo_row_get_selected (self->status_row);
  YataiOrderStatus status = yatai_order_get_status (self->order);
  gint64 id = yatai_order_get_id (self->order);
  g_autofree char *number = call_number (self);
  g_autofree char *message = NULL;

  if (g_strcmp0 (customer, yatai_order_get_customer (self->order)) != 0 ||
      g_strcmp0 (note, yatai_order_get_note (self->order)) != 0)
    {
      g_autoptr(JsonObject) args = json_object_new ();

      json_object_set_int_member (args, "id", id);
      json_object_set_string_member (args, "customer", customer);
      json_object_set_string_member (args, "note", note);
      if (!run (self, "order.edit", args))
        return;
    }
  if (selected < self->statuses->len && g_array_index (self->statuses, YataiOrderStatus, selected) != status)
    {
      g_autoptr(JsonObject) args = json_object_new ();

      json_object_set_int_member (args, "id", id);
      json_object_set_string_member (args, "status",
                                     yatai_order_status_to_string (g_array_index (self->statuses, YataiOrderStatus, selected)));
      if (!run (self, "order.status", args))
        return;
    }
  message = g_strdup_printf (_("Order %s saved"), number);
  toast_done (self, message);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
cancel_action_cb (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  YataiOrderEditor *self = YATAI_ORDER_EDITOR (widget);
  g_autoptr(JsonObject) args = json_object_new ();
  g_autofree char *number = call_number (self);
  g_autofree char *message = NULL;

  json_object_set_int_member (args, "id", yatai_order_get_id (self->order));
  if (!run (self, "order.cancel", args))
    return;
  message = g_strdup_printf (_("Order %s cancelled; its stock is back"), number);
  toast_done (self, message);
  close_soon (self);
}

static void
delete_response_cb (AdwMessageDialog *dialog,
                    const char       *response,
                    YataiOrderEditor *self)
{
  g_autoptr(JsonObject) args = NULL;
  g_autofree char *number = call_number (self);
  g_autofree char *message = NULL;

  if (g_str_equal (response, "cancel-order"))
    {
      gtk_widget_activate_action (GTK_WIDGET (self), "order.cancel", NULL);
      return;
    }
  if (!g_str_equal (response, "delete"))
    return;
  args = json_object_new ();
  json_object_set_int_member (args, "id", yatai_order_get_id (self->order));
  if (!run (self, "order.delete", args))
    return;
  message = g_strdup_printf (_("Order %s deleted"), number);
  toast_done (self, message);
  close_soon (self);
}

static void
delete_action_cb (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  YataiOrderEditor *self = YATAI_ORDER_EDITOR (widget);
  g_autofree char *number = call_number (self);
  g_autofree char *heading = g_strdup_printf (_("Delete Order %s?"), number);
  AdwMessageDialog *dialog;
  gboolean cancellable = yatai_order_get_status (self->order) != YATAI_ORDER_CANCELLED;

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), heading,
                                                       cancellable
                                                       ? _("It disappears from the history and from the day’s sales, and its stock does not come back. Cancelling is usually what you want: the order stays on record, marked cancelled, and its stock goes back on the menu.")
                                                       : _("It disappears from the history for good.")));
  adw_message_dialog_add_response (dialog, "keep", _("_Keep"));
  if (cancellable)
    adw_message_dialog_add_response (dialog, "cancel-order", _("Cancel It _Instead"));
  adw_message_dialog_add_response (dialog, "delete", _("_Delete"));
  adw_message_dialog_set_response_appearance (dialog, "delete", ADW_RESPONSE_DESTRUCTIVE);
  if (cancellable)
    adw_message_dialog_set_response_appearance (dialog, "cancel-order", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "keep");
  adw_message_dialog_set_close_response (dialog, "keep");
  g_signal_connect_object (dialog, "response", G_CALLBACK (delete_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
yatai_order_editor_dispose (GObject *object)
{
  YataiOrderEditor *self = YATAI_ORDER_EDITOR (object);

  if (self->pending != NULL)
    g_signal_handlers_disconnect_by_data (self->pending, self);
  g_clear_object (&self->pending);
  gtk_widget_dispose_template (GTK_WIDGET (self), YATAI_TYPE_ORDER_EDITOR);
  g_clear_object (&self->order);
  g_clear_object (&self->application);
  g_clear_pointer (&self->statuses, g_array_unref);
  G_OBJECT_CLASS (yatai_order_editor_parent_class)->dispose (object);
}

static void
yatai_order_editor_class_init (YataiOrderEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = yatai_order_editor_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/yatai/Yatai/yatai-order-editor.ui");
  gtk_widget_class_bind_template_child (widget_class, YataiOrderEditor, window_title);
  gtk_widget_class_bind_template_child (widget_class, YataiOrderEditor, error_revealer);
  gtk_widget_class_bind_template_child (widget_class, YataiOrderEditor, sending_revealer);
  gtk_widget_class_bind_template_child (widget_class, YataiOrderEditor, sending_spinner);
  gtk_widget_class_bind_template_child (widget_class, YataiOrderEditor, error_label);
  gtk_widget_class_bind_template_child (widget_class, YataiOrderEditor, customer_row);
  gtk_widget_class_bind_template_child (widget_class, YataiOrderEditor, customer_error);
  gtk_widget_class_bind_template_child (widget_class, YataiOrderEditor, note_row);
  gtk_widget_class_bind_template_child (widget_class, YataiOrderEditor, note_error);
  gtk_widget_class_bind_template_child (widget_class, YataiOrderEditor, status_row);
  gtk_widget_class_bind_template_child (widget_class, YataiOrderEditor, lines_group);
  gtk_widget_class_bind_template_callback (widget_class, field_changed_cb);

  gtk_widget_class_install_action (widget_class, "order.save", NULL, save_action_cb);
  gtk_widget_class_install_action (widget_class, "order.cancel", NULL, cancel_action_cb);
  gtk_widget_class_install_action (widget_class, "order.delete", NULL, delete_action_cb);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK, "order.save", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
yatai_order_editor_init (YataiOrderEditor *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->statuses = g_array_new (FALSE, FALSE, sizeof (YataiOrderStatus));
}

YataiOrderEditor *
yatai_order_editor_new (YataiApplication *application,
                        YataiOrder       *order)
{
  YataiOrderEditor *self;
  YataiOrderStatus status;
  g_autoptr(GtkStringList) labels = gtk_string_list_new (NULL);
  g_autoptr(GDateTime) created = NULL;
  g_autofree char *number = NULL;
  g_autofree char *title = NULL;
  g_autofree char *subtitle = NULL;
  g_autofree char *when = NULL;
  YataiOrderStatus choices[4];
  guint n_choices = 0;

  g_return_val_if_fail (YATAI_IS_APPLICATION (application), NULL);
  g_return_val_if_fail (YATAI_IS_ORDER (order), NULL);

  self = g_object_new (YATAI_TYPE_ORDER_EDITOR, "application", application, NULL);
  self->application = g_object_ref (application);
  self->order = g_object_ref (order);
  status = yatai_order_get_status (order);

  number = call_number (self);
  title = g_strdup_printf (_("Order %s"), number);
  created = g_date_time_new_from_unix_local (yatai_order_get_created (order) / G_USEC_PER_SEC);
  when = g_date_time_format (created, "%Y-%m-%d %H:%M");
  subtitle = yatai_text_format_yen (yatai_order_get_total (order));
  adw_window_title_set_title (self->window_title, title);
  gtk_window_set_title (GTK_WINDOW (self), title);
  {
    g_autofree char *both = g_strdup_printf ("%s · %s", when, subtitle);

    adw_window_title_set_subtitle (self->window_title, both);
  }
  gtk_editable_set_text (GTK_EDITABLE (self->customer_row), yatai_order_get_customer (order));
  gtk_editable_set_text (GTK_EDITABLE (self->note_row), yatai_order_get_note (order));

  /* The statuses the order can move to from where it is, itself first. */
  choices[n_choices++] = status;
  switch (status)
    {
    case YATAI_ORDER_PENDING:
      choices[n_choices++] = YATAI_ORDER_PROCESSING;
      choices[n_choices++] = YATAI_ORDER_COMPLETED;
      break;
    case YATAI_ORDER_PROCESSING:
      choices[n_choices++] = YATAI_ORDER_PENDING;
      choices[n_choices++] = YATAI_ORDER_COMPLETED;
      break;
    case YATAI_ORDER_COMPLETED:
      choices[n_choices++] = YATAI_ORDER_PROCESSING;
      break;
    case YATAI_ORDER_CANCELLED:
    default:
      break;
    }
  for (guint i = 0; i < n_choices; i++)
    {
      g_array_append_val (self->statuses, choices[i]);
      gtk_string_list_append (labels, yatai_order_status_label (choices[i]));
    }
  adw_combo_row_set_model (self->status_row, G_LIST_MODEL (labels));
  gtk_widget_set_sensitive (GTK_WIDGET (self->status_row), n_choices > 1);

  for (guint i = 0; i < yatai_order_get_n_lines (order); i++)
    {
      const YataiOrderLine *line = yatai_order_get_line (order, i);
      GtkWidget *row = adw_action_row_new ();
      g_autofree char *line_title = g_strdup_printf ("%s ×%" G_GINT64_FORMAT, line->name, line->quantity);
      g_autofree char *total = yatai_text_format_yen (line->unit_price * line->quantity);
      GtkWidget *total_label = gtk_label_new (total);

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), line_title);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), total_label);
      adw_preferences_group_add (self->lines_group, row);
    }
  self->pending = g_object_ref (yatai_application_get_pending (application));
  g_signal_connect_swapped (self->pending, "items-changed", G_CALLBACK (update_pending), self);
  update_pending (self);
  return self;
}
