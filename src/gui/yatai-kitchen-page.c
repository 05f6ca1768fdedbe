/* yatai-kitchen-page.c: the kitchen display
 *
 * A card per active order (pending or processing), oldest first, from a live order list on the store
 * the whole app shares: an order confirmed in another window shows here in the same main-loop turn.
 * Ages tick once a second from the store's clock, so tests can move time. Every move is a business
 * operation ("order.status", "order.cancel", "order.line-done") recorded with this device's name.
 */
#define G_LOG_DOMAIN "yatai-kitchen-page"

#include "config.h"

#include <glib/gi18n.h>

#include "yatai-chime.h"
#include "yatai-kitchen-page.h"
#include "yatai-order-card.h"
#include "yatai-pending-view.h"
#include "yatai-text.h"
#include "yatai-window.h"

#define RECALL_WINDOW_US ((gint64) YATAI_RECALL_SECONDS * G_USEC_PER_SEC)
#define FLASH_MS         4000

struct _YataiKitchenPage
{
  AdwBin            parent_instance;

  YataiApplication *application;
  YataiOrderList   *active;
  YataiOrderList   *completed;      /* the last 30 minutes, for recall */
  YataiPendingCommands *pending;    /* the application's: changes on their way to the writer */
  char             *recall_sent;    /* the recall on its way while the recall list stays open */
  gint64            newest_seen;    /* the highest order id shown so far: a higher one is new */
  guint             tick_id;
  YataiChime       *chime;

  GtkLabel         *count_label;
  GtkToggleButton  *all_day_button;
  GtkToggleButton  *mute_button;
  GtkMenuButton    *recall_button;
  GtkStack         *recall_stack;
  GtkListBox       *recall_list;
  GtkStack         *cards_stack;
  GtkGridView      *cards_view;
  GHashTable       *cards;          /* the cards the grid shows now (it makes only those on screen) */
  GHashTable       *flashing;       /* order id → when its flash ends (monotonic µs) */
  GtkListBox       *all_day_list;
};

G_DEFINE_FINAL_TYPE (YataiKitchenPage, yatai_kitchen_page, ADW_TYPE_BIN)

static gint64
now (YataiKitchenPage *self)
{
  return yatai_store_now (yatai_application_get_store (self->application));
}

static void
show_toast (YataiKitchenPage *self,
            const char       *message)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  if (YATAI_IS_WINDOW (root))
    yatai_window_show_toast (YATAI_WINDOW (root), message);
}

/* Runs the change, or sends it to the writer (then *@sent is TRUE, and the card shows it as on its
 * way until the answer comes back). */
static gboolean
run (YataiKitchenPage *self,
     const char       *kind,
     JsonObject       *args,
     gboolean         *sent)
{
  g_autoptr(JsonNode) result = NULL;
  g_autoptr(GError) error = NULL;

  result = yatai_application_run (self->application, kind, args, sent, &error);
  if (result == NULL)
    {
      show_toast (self, error->message);
      return FALSE;
    }
  return TRUE;
}

/* A move of the order @id is already on its way to the writer: a second tap would contradict it. */
static gboolean
move_on_its_way (YataiKitchenPage *self,
                 gint64            id)
{
  return yatai_pending_commands_find_move (self->pending, id) != NULL;
}

static gboolean
set_status (YataiKitchenPage *self,
            gint64            id,
            YataiOrderStatus  status,
            gboolean         *sent)
{
  g_autoptr(JsonObject) args = json_object_new ();

  if (move_on_its_way (self, id))
    return FALSE;
  json_object_set_int_member (args, "id", id);
  json_object_set_string_member (args, "status", yatai_order_status_to_string (status));
  return run (self, "order.status", args, sent);
}

/* Sound */

static void
play_new_order_sound (YataiKitchenPage *self)
{
  GSettings *settings = yatai_application_get_settings (self->application);

  if (g_settings_get_boolean (settings, "kitchen-sound"))
    yatai_chime_play (self->chime);
}

/* Cards
 *
 * The cards are a GtkGridView over the live list of active orders: only the cards on screen exist, so an
 * order arriving with 300 waiting costs one card, not a layout and a drawing of 300. What must happen for
 * every new order whether its card is on screen or not (the sound, remembering that it flashes) is done
 * when the list announces it; a card flashes for what is left of its four seconds when it is shown.
 */

static void
active_items_changed_cb (YataiKitchenPage *self,
                         guint             position,
                         guint             removed,
                         guint             added)
{
  gint64 until = g_get_monotonic_time () + (gint64) FLASH_MS * 1000;
  gboolean arrived = FALSE;

  for (guint i = position; i < position + added; i++)
    {
      g_autoptr(YataiOrder) order = g_list_model_get_item (G_LIST_MODEL (self->active), i);
      gint64 id = yatai_order_get_id (order);

      if (id > self->newest_seen)
        {
          self->newest_seen = id;
          g_hash_table_insert (self->flashing, g_memdup2 (&id, sizeof id), g_memdup2 (&until, sizeof until));
          arrived = TRUE;
        }
    }
  if (arrived)
    play_new_order_sound (self);
}

static void
tick_card (YataiKitchenPage *self,
           YataiOrderCard   *card,
           gint64            at)
{
  GSettings *settings = yatai_application_get_settings (self->application);

  yatai_order_card_tick (card, at,
                         (gint64) g_settings_get_int (settings, "kitchen-warning-minutes") * 60 * G_USEC_PER_SEC,
                         (gint64) g_settings_get_int (settings, "kitchen-late-minutes") * 60 * G_USEC_PER_SEC);
}

static void
setup_card_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               YataiKitchenPage         *self)
{
  GtkWidget *card = yatai_order_card_new (NULL);

  gtk_list_item_set_activatable (item, FALSE);
  gtk_list_item_set_selectable (item, FALSE);
  yatai_order_card_set_pending (YATAI_ORDER_CARD (card), self->pending);
  gtk_list_item_set_child (item, card);
}

static void
bind_card_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              YataiKitchenPage         *self)
{
  YataiOrderCard *card = YATAI_ORDER_CARD (gtk_list_item_get_child (item));
  YataiOrder *order = gtk_list_item_get_item (item);
  gint64 id = yatai_order_get_id (order);
  gint64 *until = g_hash_table_lookup (self->flashing, &id);
  gint64 left;

  yatai_order_card_set_order (card, order);
  tick_card (self, card, now (self));
  if (until != NULL)
    {
      left = *until - g_get_monotonic_time ();
      if (left > 0)
        yatai_order_card_flash (card, (guint) (left / 1000));
      else
        g_hash_table_remove (self->flashing, &id);
    }
  g_hash_table_add (self->cards, card);
}

static void
unbind_card_cb (GtkSignalListItemFactory *factory,
                GtkListItem              *item,
                YataiKitchenPage         *self)
{
  g_hash_table_remove (self->cards, gtk_list_item_get_child (item));
}

/**
 * yatai_kitchen_page_find_card:
 * @id: an order id
 *
 * Returns: (transfer none) (nullable): the card on screen for the order @id
 */
YataiOrderCard *
yatai_kitchen_page_find_card (YataiKitchenPage *self,
                              gint64            id)
{
  GHashTableIter iter;
  gpointer card;

  g_return_val_if_fail (YATAI_IS_KITCHEN_PAGE (self), NULL);

  g_hash_table_iter_init (&iter, self->cards);
  while (g_hash_table_iter_next (&iter, &card, NULL))
    if (yatai_order_get_id (yatai_order_card_get_order (card)) == id)
      return card;
  return NULL;
}

/* How many cards are on screen. */
guint
yatai_kitchen_page_get_n_cards (YataiKitchenPage *self)
{
  g_return_val_if_fail (YATAI_IS_KITCHEN_PAGE (self), 0);
  return g_hash_table_size (self->cards);
}

/* Ages and colours, once a second (and at once when a test moves the clock). */
void
yatai_kitchen_page_tick (YataiKitchenPage *self)
{
  GHashTableIter iter;
  gpointer card;
  gint64 at;

  g_return_if_fail (YATAI_IS_KITCHEN_PAGE (self));
  if (self->application == NULL)
    return;

  /* Only the cards on screen: the others get their age when they are shown. */
  at = now (self);
  g_hash_table_iter_init (&iter, self->cards);
  while (g_hash_table_iter_next (&iter, &card, NULL))
    tick_card (self, card, at);

  /* Flashes that ended while their card was off screen are forgotten. */
  {
    gint64 mono = g_get_monotonic_time ();
    GHashTableIter flashes;
    gpointer until;

    g_hash_table_iter_init (&flashes, self->flashing);
    while (g_hash_table_iter_next (&flashes, NULL, &until))
      if (*(gint64 *) until <= mono)
        g_hash_table_iter_remove (&flashes);
  }

  /* The recall list forgets orders as they pass 30 minutes. */
  yatai_order_list_set_param (self->completed, (at - RECALL_WINDOW_US) / (60 * G_USEC_PER_SEC) * (60 * G_USEC_PER_SEC));
}

static gboolean
tick_cb (gpointer data)
{
  yatai_kitchen_page_tick (data);
  return G_SOURCE_CONTINUE;
}

/* gtk_list_box_remove_all() is newer than GTK 4.8. */
static void
clear_list_box (GtkListBox *box)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (box))) != NULL)
    gtk_list_box_remove (box, child);
}

/* All day: for each product, how many are still to make across the active orders. */
static void
rebuild_all_day (YataiKitchenPage *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->active));
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) rows = yatai_store_list_still_to_make (yatai_application_get_store (self->application), &error);
  g_autofree char *count = NULL;

  clear_list_box (self->all_day_list);
  if (rows == NULL)
    g_warning ("The all-day counts could not be read: %s", error->message);
  for (guint i = 0; rows != NULL && i < rows->len; i++)
    {
      YataiStillToMake *row = &g_array_index (rows, YataiStillToMake, i);
      g_autofree char *quantity = g_strdup_printf ("×%" G_GINT64_FORMAT, row->quantity);
      GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
      GtkWidget *name = gtk_label_new (row->name);
      GtkWidget *number = gtk_label_new (quantity);

      gtk_widget_set_hexpand (name, TRUE);
      gtk_label_set_xalign (GTK_LABEL (name), 0);
      gtk_label_set_wrap (GTK_LABEL (name), TRUE);
      gtk_widget_add_css_class (number, "all-day-count");
      gtk_box_append (GTK_BOX (box), name);
      gtk_box_append (GTK_BOX (box), number);
      gtk_widget_add_css_class (box, "all-day-row");
      gtk_list_box_append (self->all_day_list, box);
      {
        /* TRANSLATORS: a row of the Kitchen's all-day counts, for screen readers: "焼きそば, 3 to make" */
        g_autofree char *how_many = yatai_text_format_number (row->quantity);
        g_autofree char *label = g_strdup_printf (_("%s, %s to make"), row->name, how_many);

        gtk_accessible_update_property (GTK_ACCESSIBLE (gtk_widget_get_parent (box)), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                        label, -1);
      }
    }

  count = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u order to make", "%u orders to make", n), n);
  gtk_label_set_label (self->count_label, count);
  gtk_stack_set_visible_child_name (self->cards_stack, n > 0 ? "cards" : "empty");
}

/* A recall this device sent the writer: its row says so, and sends nothing more, until the answer. */
static void
show_recall_pending (YataiKitchenPage *self,
                     GtkWidget        *button)
{
  gint64 id = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (button), "order-id"));
  GtkLabel *label = g_object_get_data (G_OBJECT (button), "action-label");
  gboolean sending = self->pending != NULL && yatai_pending_commands_find_move (self->pending, id) != NULL;

  gtk_label_set_label (label, sending ? yatai_pending_sending_label () : _("Bring Back"));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), sending ? NULL : "kitchen.recall");
  gtk_widget_set_sensitive (button, !sending);
  gtk_widget_set_tooltip_text (button, sending ? yatai_pending_sending_tooltip () : NULL);
}

/* A row of the recall list: one button as wide as the list, the call number large and its lines
 * beside it, that brings the order back with one tap (and closes the list). The list box is bound to
 * the live list of recently completed orders, so a change adds or removes one row, not the whole list. */
static GtkWidget *
create_recall_row (gpointer item,
                   gpointer data)
{
  YataiOrder *order = item;
  g_autofree char *number = g_strdup_printf ("%" G_GINT64_FORMAT, yatai_order_get_call_number (order));
  /* TRANSLATORS: a button of the Kitchen's recall list, for screen readers: "Bring Back Order 12" */
  g_autofree char *name = g_strdup_printf (_("Bring Back Order %s"), number);
  g_autoptr(GString) lines = g_string_new (NULL);
  GtkWidget *button = gtk_button_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *number_label = gtk_label_new (number);
  GtkWidget *lines_label;
  GtkWidget *bring_back = gtk_label_new (_("Bring Back"));
  GtkWidget *row;

  for (guint l = 0; l < yatai_order_get_n_lines (order); l++)
    {
      const YataiOrderLine *line = yatai_order_get_line (order, l);

      g_string_append_printf (lines, "%s%s ×%" G_GINT64_FORMAT, l > 0 ? ", " : "", line->name, line->quantity);
    }
  lines_label = gtk_label_new (lines->str);
  gtk_widget_add_css_class (number_label, "recall-number");
  gtk_label_set_width_chars (GTK_LABEL (number_label), 3);
  gtk_label_set_xalign (GTK_LABEL (number_label), 0);
  gtk_widget_set_hexpand (lines_label, TRUE);
  gtk_label_set_xalign (GTK_LABEL (lines_label), 0);
  gtk_label_set_wrap (GTK_LABEL (lines_label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (lines_label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_lines (GTK_LABEL (lines_label), 2);
  gtk_label_set_ellipsize (GTK_LABEL (lines_label), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (bring_back, "recall-action");
  gtk_box_append (GTK_BOX (box), number_label);
  gtk_box_append (GTK_BOX (box), lines_label);
  gtk_box_append (GTK_BOX (box), bring_back);
  gtk_button_set_child (GTK_BUTTON (button), box);
  gtk_widget_add_css_class (button, "recall-row");
  gtk_widget_add_css_class (button, "flat");
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, name,
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, lines->str, -1);
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (button), g_variant_new_int64 (yatai_order_get_id (order)));
  g_object_set_data (G_OBJECT (button), "order-id", GSIZE_TO_POINTER (yatai_order_get_id (order)));
  g_object_set_data (G_OBJECT (button), "action-label", bring_back);
  show_recall_pending (data, button);
  /* The row only holds the button: one stop for the focus, not two. */
  row = gtk_list_box_row_new ();
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), button);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
  gtk_widget_set_focusable (row, FALSE);
  return row;
}

/* The commands on their way changed: the cards on screen and the recall rows show it. */
static void
pending_changed_cb (YataiKitchenPage *self)
{
  GHashTableIter iter;
  gpointer card;

  g_hash_table_iter_init (&iter, self->cards);
  while (g_hash_table_iter_next (&iter, &card, NULL))
    yatai_order_card_set_pending (card, self->pending);
  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (self->recall_list)); row != NULL;
       row = gtk_widget_get_next_sibling (row))
    if (GTK_IS_LIST_BOX_ROW (row) && gtk_list_box_row_get_child (GTK_LIST_BOX_ROW (row)) != NULL)
      show_recall_pending (self, gtk_list_box_row_get_child (GTK_LIST_BOX_ROW (row)));
}

/* The recall list stayed open while its recall was on its way: the answer closes it. */
static void
pending_finished_cb (YataiKitchenPage    *self,
                     YataiPendingCommand *command)
{
  if (g_strcmp0 (self->recall_sent, yatai_pending_command_get_id (command)) != 0)
    return;
  g_clear_pointer (&self->recall_sent, g_free);
  if (yatai_pending_command_get_state (command) == YATAI_PENDING_APPLIED)
    gtk_menu_button_popdown (self->recall_button);
}

static void
update_recall_stack (YataiKitchenPage *self)
{
  gtk_stack_set_visible_child_name (self->recall_stack,
                                    g_list_model_get_n_items (G_LIST_MODEL (self->completed)) > 0 ? "list" : "empty");
}

/* Actions */

static void
advance_action_cb (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  YataiKitchenPage *self = YATAI_KITCHEN_PAGE (widget);
  YataiOrder *order = yatai_order_list_find (self->active, g_variant_get_int64 (parameter));

  if (order == NULL)
    return;
  set_status (self, yatai_order_get_id (order),
              yatai_order_get_status (order) == YATAI_ORDER_PENDING ? YATAI_ORDER_PROCESSING : YATAI_ORDER_COMPLETED,
              NULL);
}

static void
back_action_cb (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  YataiKitchenPage *self = YATAI_KITCHEN_PAGE (widget);
  YataiOrder *order = yatai_order_list_find (self->active, g_variant_get_int64 (parameter));

  if (order != NULL && yatai_order_get_status (order) == YATAI_ORDER_PROCESSING)
    set_status (self, yatai_order_get_id (order), YATAI_ORDER_PENDING, NULL);
}

static void
recall_action_cb (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  YataiKitchenPage *self = YATAI_KITCHEN_PAGE (widget);
  gboolean sent = FALSE;

  /* One tap: the order goes back to the cards, and the list gets out of the way. On a device that
   * follows, the list stays until the writer answers, its row saying the order is on its way back. */
  if (!set_status (self, g_variant_get_int64 (parameter), YATAI_ORDER_PROCESSING, &sent))
    return;
  if (sent)
    {
      YataiPendingCommand *recall = yatai_pending_commands_find_move (self->pending, g_variant_get_int64 (parameter));

      g_free (self->recall_sent);
      self->recall_sent = recall != NULL ? g_strdup (yatai_pending_command_get_id (recall)) : NULL;
    }
  else
    gtk_menu_button_popdown (self->recall_button);
}

static void
line_done_action_cb (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  g_autoptr(JsonObject) args = json_object_new ();
  gint64 id, line_no;
  gboolean done;

  g_variant_get (parameter, "(xxb)", &id, &line_no, &done);
  if (yatai_pending_commands_find_line (YATAI_KITCHEN_PAGE (widget)->pending, id, line_no) != NULL)
    return;
  json_object_set_int_member (args, "id", id);
  json_object_set_int_member (args, "line_no", line_no);
  json_object_set_boolean_member (args, "done", done);
  run (YATAI_KITCHEN_PAGE (widget), "order.line-done", args, NULL);
}

static void
cancel_confirmed_cb (AdwMessageDialog *dialog,
                     const char       *response,
                     YataiKitchenPage *self)
{
  g_autoptr(JsonObject) args = NULL;
  gint64 id = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (dialog), "order-id"));

  if (!g_str_equal (response, "cancel-order") || move_on_its_way (self, id))
    return;
  args = json_object_new ();
  json_object_set_int_member (args, "id", id);
  run (self, "order.cancel", args, NULL);
}

static AdwMessageDialog *
cancel_dialog (YataiKitchenPage *self,
               YataiOrder       *order,
               const char       *heading,
               const char       *body,
               const char       *confirm)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  AdwMessageDialog *dialog;

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, heading, body));
  adw_message_dialog_add_responses (dialog, "keep", _("_Keep Order"), "cancel-order", confirm, NULL);
  adw_message_dialog_set_response_appearance (dialog, "cancel-order", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "keep");
  adw_message_dialog_set_close_response (dialog, "keep");
  g_object_set_data (G_OBJECT (dialog), "order-id", GSIZE_TO_POINTER (yatai_order_get_id (order)));
  g_object_set_data_full (G_OBJECT (dialog), "order", g_object_ref (order), g_object_unref);
  return dialog;
}

static void
cancel_first_cb (AdwMessageDialog *first,
                 const char       *response,
                 YataiKitchenPage *self)
{
  YataiOrder *order = g_object_get_data (G_OBJECT (first), "order");
  AdwMessageDialog *second;
  g_autofree char *number = NULL;
  g_autofree char *heading = NULL;

  if (!g_str_equal (response, "cancel-order"))
    return;
  /* Asked twice: a wet finger must not cancel a paid order by accident. */
  number = g_strdup_printf ("%" G_GINT64_FORMAT, yatai_order_get_call_number (order));
  heading = g_strdup_printf (_("Really Cancel Order %s?"), number);
  second = cancel_dialog (self, order, heading,
                          _("It leaves the kitchen and Reception shows it cancelled. Give the customer their money back."),
                          _("_Yes, Cancel It"));
  g_signal_connect_object (second, "response", G_CALLBACK (cancel_confirmed_cb), self, 0);
  gtk_window_present (GTK_WINDOW (second));
}

static void
cancel_action_cb (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  YataiKitchenPage *self = YATAI_KITCHEN_PAGE (widget);
  YataiOrder *order = yatai_order_list_find (self->active, g_variant_get_int64 (parameter));
  AdwMessageDialog *first;
  g_autofree char *number = NULL;
  g_autofree char *heading = NULL;

  if (order == NULL || move_on_its_way (self, yatai_order_get_id (order)))
    return;
  number = g_strdup_printf ("%" G_GINT64_FORMAT, yatai_order_get_call_number (order));
  heading = g_strdup_printf (_("Cancel Order %s?"), number);
  first = cancel_dialog (self, order, heading, _("Its stock goes back to the menu."), _("_Cancel Order"));
  g_signal_connect_object (first, "response", G_CALLBACK (cancel_first_cb), self, 0);
  gtk_window_present (GTK_WINDOW (first));
}

static void
update_mute_icon (YataiKitchenPage *self)
{
  gboolean muted = gtk_toggle_button_get_active (self->mute_button);

  gtk_button_set_icon_name (GTK_BUTTON (self->mute_button),
                            muted ? "audio-volume-muted-symbolic" : "audio-volume-high-symbolic");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->mute_button),
                               muted ? _("The new-order sound is off; tap to turn it on")
                                     : _("Mute the new-order sound"));
}

/* Life cycle */

static void
yatai_kitchen_page_dispose (GObject *object)
{
  YataiKitchenPage *self = YATAI_KITCHEN_PAGE (object);

  g_clear_handle_id (&self->tick_id, g_source_remove);
  if (self->active != NULL)
    g_signal_handlers_disconnect_by_data (self->active, self);
  if (self->completed != NULL)
    g_signal_handlers_disconnect_by_data (self->completed, self);
  if (self->pending != NULL)
    g_signal_handlers_disconnect_by_data (self->pending, self);
  g_clear_object (&self->pending);
  g_clear_pointer (&self->recall_sent, g_free);
  gtk_widget_dispose_template (GTK_WIDGET (self), YATAI_TYPE_KITCHEN_PAGE);
  g_clear_object (&self->active);
  g_clear_object (&self->completed);
  g_clear_object (&self->chime);
  g_clear_object (&self->application);
  g_clear_pointer (&self->cards, g_hash_table_unref);
  g_clear_pointer (&self->flashing, g_hash_table_unref);
  G_OBJECT_CLASS (yatai_kitchen_page_parent_class)->dispose (object);
}

static void
yatai_kitchen_page_class_init (YataiKitchenPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = yatai_kitchen_page_dispose;

  g_type_ensure (YATAI_TYPE_ORDER_CARD);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/yatai/Yatai/yatai-kitchen-page.ui");
  gtk_widget_class_bind_template_child (widget_class, YataiKitchenPage, count_label);
  gtk_widget_class_bind_template_child (widget_class, YataiKitchenPage, all_day_button);
  gtk_widget_class_bind_template_child (widget_class, YataiKitchenPage, mute_button);
  gtk_widget_class_bind_template_child (widget_class, YataiKitchenPage, recall_button);
  gtk_widget_class_bind_template_child (widget_class, YataiKitchenPage, recall_stack);
  gtk_widget_class_bind_template_child (widget_class, YataiKitchenPage, recall_list);
  gtk_widget_class_bind_template_child (widget_class, YataiKitchenPage, cards_stack);
  gtk_widget_class_bind_template_child (widget_class, YataiKitchenPage, cards_view);
  gtk_widget_class_bind_template_child (widget_class, YataiKitchenPage, all_day_list);

  gtk_widget_class_install_action (widget_class, "kitchen.advance", "x", advance_action_cb);
  gtk_widget_class_install_action (widget_class, "kitchen.back", "x", back_action_cb);
  gtk_widget_class_install_action (widget_class, "kitchen.cancel", "x", cancel_action_cb);
  gtk_widget_class_install_action (widget_class, "kitchen.recall", "x", recall_action_cb);
  gtk_widget_class_install_action (widget_class, "kitchen.line-done", "(xxb)", line_done_action_cb);
}

static void
yatai_kitchen_page_init (YataiKitchenPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cards = g_hash_table_new (NULL, NULL);
  self->flashing = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  self->chime = yatai_chime_new ();
}

void
yatai_kitchen_page_setup (YataiKitchenPage *self,
                          YataiApplication *application)
{
  YataiStore *store;
  GListModel *active;

  g_return_if_fail (YATAI_IS_KITCHEN_PAGE (self));
  g_return_if_fail (YATAI_IS_APPLICATION (application));
  g_return_if_fail (self->application == NULL);

  self->application = g_object_ref (application);
  self->pending = g_object_ref (yatai_application_get_pending (application));
  g_signal_connect_swapped (self->pending, "items-changed", G_CALLBACK (pending_changed_cb), self);
  g_signal_connect_swapped (self->pending, "finished", G_CALLBACK (pending_finished_cb), self);
  store = yatai_application_get_store (application);
  self->active = yatai_order_list_new (store, YATAI_ORDER_QUERY_ACTIVE, 0);
  self->completed = yatai_order_list_new (store, YATAI_ORDER_QUERY_COMPLETED, yatai_store_now (store) - RECALL_WINDOW_US);
  active = G_LIST_MODEL (self->active);

  /* What is there when the page opens is not new: no sound, no flash. */
  for (guint i = 0; i < g_list_model_get_n_items (active); i++)
    {
      g_autoptr(YataiOrder) order = g_list_model_get_item (active, i);

      self->newest_seen = MAX (self->newest_seen, yatai_order_get_id (order));
    }
  {
    g_autoptr(GPtrArray) latest = yatai_store_list_orders (store, YATAI_ORDER_QUERY_LATEST, 1, NULL);

    if (latest != NULL && latest->len > 0)
      self->newest_seen = MAX (self->newest_seen, yatai_order_get_id (latest->pdata[0]));
  }

  /* Before the grid's own handler, so that a new order is known to flash when its card is made. */
  g_signal_connect_swapped (self->active, "items-changed", G_CALLBACK (active_items_changed_cb), self);
  g_signal_connect_swapped (self->active, "items-changed", G_CALLBACK (rebuild_all_day), self);
  {
    GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
    GtkNoSelection *selection = gtk_no_selection_new (g_object_ref (active));

    g_signal_connect (factory, "setup", G_CALLBACK (setup_card_cb), self);
    g_signal_connect (factory, "bind", G_CALLBACK (bind_card_cb), self);
    g_signal_connect (factory, "unbind", G_CALLBACK (unbind_card_cb), self);
    gtk_grid_view_set_factory (self->cards_view, factory);
    gtk_grid_view_set_model (self->cards_view, GTK_SELECTION_MODEL (selection));
    g_object_unref (factory);
    g_object_unref (selection);
  }
  gtk_list_box_bind_model (self->recall_list, G_LIST_MODEL (self->completed), create_recall_row, self, NULL);
  g_signal_connect_swapped (self->completed, "items-changed", G_CALLBACK (update_recall_stack), self);
  g_settings_bind (yatai_application_get_settings (application), "kitchen-sound",
                   self->mute_button, "active", G_SETTINGS_BIND_INVERT_BOOLEAN);

  g_signal_connect_swapped (self->mute_button, "notify::active", G_CALLBACK (update_mute_icon), self);
  update_mute_icon (self);

  rebuild_all_day (self);
  update_recall_stack (self);
  self->tick_id = g_timeout_add_seconds (1, tick_cb, self);
}

YataiOrderList *
yatai_kitchen_page_get_active (YataiKitchenPage *self)
{
  g_return_val_if_fail (YATAI_IS_KITCHEN_PAGE (self), NULL);
  return self->active;
}

/* The new-order chime (tests watch its stream). */
YataiChime *
yatai_kitchen_page_get_chime (YataiKitchenPage *self)
{
  g_return_val_if_fail (YATAI_IS_KITCHEN_PAGE (self), NULL);
  return self->chime;
}
