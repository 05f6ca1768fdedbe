/* yatai-reception-page.c: take an order and the cash in seconds
 *
 * Left, the menu: tiles in a grid over the live product list, filtered by what is typed and by the tag
 * chips; a tile that cannot be added (sold out, or all that is left already in the cart) is greyed and
 * not activatable. Right, the order: the cart, customer and note with characters left, the total, the
 * amount handed over and the change, and Confirm, which is one business operation ("order.confirm").
 * After Confirm the call number stays large until the next order starts.
 */
#define G_LOG_DOMAIN "yatai-reception-page"

#include "config.h"

#include <glib/gi18n.h>

#include "yatai-cart-row.h"
#include "yatai-order-list.h"
#include "yatai-pending-view.h"
#include "yatai-product-tile.h"
#include "yatai-reading.h"
#include "yatai-reception-page.h"
#include "yatai-store-orders.h"
#include "yatai-text.h"
#include "yatai-ticket.h"
#include "yatai-window.h"

#define N_LATEST 8

struct _YataiReceptionPage
{
  AdwBin              parent_instance;

  YataiApplication   *application;
  YataiCart          *cart;
  YataiOrderList     *latest;
  GtkFilterListModel *filtered;
  GtkCustomFilter    *filter;
  GPtrArray          *bound_items;   /* the grid's list items showing a tile now */
  GPtrArray          *chosen_tags;   /* tag names all of which a product must carry */
  char               *search;        /* folded by yatai_reading_search_fold, or NULL */
  YataiOrder         *last_order;    /* confirmed here, shown until the next order starts */
  char               *sending;       /* the order.confirm on its way to the writer, or NULL */
  gint64              paid;
  gboolean            paid_valid;

  GtkSearchEntry     *reception_search;
  GtkFlowBox         *tag_box;
  GtkStack           *menu_stack;
  GtkGridView        *grid_view;
  GtkBox             *latest_box;
  GtkStack           *cart_stack;
  GtkListView        *cart_view;
  GtkLabel           *call_number_label;
  GtkLabel           *call_detail_label;
  GtkEntry           *customer_entry;
  GtkLabel           *customer_left_label;
  GtkEntry           *note_entry;
  GtkLabel           *note_left_label;
  GtkLabel           *total_label;
  GtkEntry           *paid_entry;
  GtkWidget          *cash_buttons[YATAI_CASH_AMOUNTS_MAX];
  guint               select_paid_id;
  GtkLabel           *change_caption;
  GtkLabel           *change_label;
  GtkLabel           *message_label;
  GtkWidget          *confirm_button;
  GtkWidget          *sending_box;
  GtkSpinner         *sending_spinner;
  GtkWidget          *quick_box;
};

G_DEFINE_FINAL_TYPE (YataiReceptionPage, yatai_reception_page, ADW_TYPE_BIN)

static void
show_message (YataiReceptionPage *self,
              const char         *message)
{
  gtk_label_set_label (self->message_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->message_label), message != NULL);
}

/* Filtering the menu */

static gboolean
product_matches (gpointer item,
                 gpointer user_data)
{
  YataiReceptionPage *self = user_data;
  YataiProduct *product = item;

  for (guint i = 0; i < self->chosen_tags->len; i++)
    if (!yatai_product_has_tag (product, self->chosen_tags->pdata[i]))
      return FALSE;

  /* The name or the reading, in kana or in romaji: "yaki" finds 焼きそば by やきそば. */
  if (self->search != NULL)
    {
      g_autofree char *name = yatai_reading_fold (yatai_product_get_name (product));
      const char *reading = yatai_product_get_reading (product);
      g_autofree char *folded_reading = reading != NULL ? yatai_reading_fold (reading) : NULL;

      if (!yatai_reading_matches_folded (name, self->search) &&
          (folded_reading == NULL || !yatai_reading_matches_folded (folded_reading, self->search)))
        return FALSE;
    }
  return TRUE;
}

static void
update_menu_view (YataiReceptionPage *self)
{
  const char *name = "tiles";

  if (g_list_model_get_n_items (G_LIST_MODEL (yatai_application_get_products (self->application))) == 0)
    name = "empty";
  else if (g_list_model_get_n_items (G_LIST_MODEL (self->filtered)) == 0)
    name = "no-results";
  gtk_stack_set_visible_child_name (self->menu_stack, name);
}

static void
refilter (YataiReceptionPage *self)
{
  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
  update_menu_view (self);
}

static void
search_changed_cb (YataiReceptionPage *self)
{
  g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->reception_search))));

  g_clear_pointer (&self->search, g_free);
  if (*text != '\0')
    self->search = yatai_reading_search_fold (text);
  refilter (self);
}

static void
tag_toggled_cb (GtkToggleButton    *button,
                YataiReceptionPage *self)
{
  const char *tag = gtk_button_get_label (GTK_BUTTON (button));
  guint index;

  if (gtk_toggle_button_get_active (button))
    g_ptr_array_add (self->chosen_tags, g_strdup (tag));
  else if (g_ptr_array_find_with_equal_func (self->chosen_tags, tag, g_str_equal, &index))
    g_ptr_array_remove_index (self->chosen_tags, index);
  refilter (self);
}

/* The chips follow the tag list; a chosen tag that disappears is no longer a filter. */
static void
rebuild_tags (YataiReceptionPage *self)
{
  GListModel *tags = G_LIST_MODEL (yatai_application_get_tags (self->application));
  g_autoptr(GPtrArray) still = g_ptr_array_new_with_free_func (g_free);
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->tag_box))) != NULL)
    gtk_flow_box_remove (self->tag_box, child);

  for (guint i = 0; i < g_list_model_get_n_items (tags); i++)
    {
      g_autoptr(YataiTag) tag = g_list_model_get_item (tags, i);
      const char *name = yatai_tag_get_name (tag);
      GtkWidget *button = gtk_toggle_button_new_with_label (name);
      g_autofree char *tooltip = g_strdup_printf (_("Only products tagged “%s”"), name);
      gboolean chosen = g_ptr_array_find_with_equal_func (self->chosen_tags, name, g_str_equal, NULL);

      gtk_widget_set_tooltip_text (button, tooltip);
      gtk_widget_add_css_class (button, "tag-chip");
      gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (button), chosen);
      if (chosen)
        g_ptr_array_add (still, g_strdup (name));
      g_signal_connect (button, "toggled", G_CALLBACK (tag_toggled_cb), self);
      gtk_flow_box_append (self->tag_box, button);
      /* The chip is the control; the flow box's child around it is no second stop for the focus. */
      gtk_widget_set_focusable (gtk_widget_get_parent (button), FALSE);
    }
  if (still->len != self->chosen_tags->len)
    {
      g_ptr_array_set_size (self->chosen_tags, 0);
      for (guint i = 0; i < still->len; i++)
        g_ptr_array_add (self->chosen_tags, g_strdup (still->pdata[i]));
      refilter (self);
    }
}

/* Tiles */

static void
update_tile (GtkListItem *item)
{
  GtkWidget *tile = gtk_list_item_get_child (item);

  gtk_list_item_set_activatable (item, yatai_product_tile_update (YATAI_PRODUCT_TILE (tile)));
}

static void
update_tiles (YataiReceptionPage *self)
{
  for (guint i = 0; i < self->bound_items->len; i++)
    update_tile (self->bound_items->pdata[i]);
}

/* A click on the tile (or a screen reader's "click") activates its cell, as Enter on the cell does. */
static void
tile_clicked_cb (GtkListItem *item)
{
  gtk_widget_activate_action (gtk_list_item_get_child (item), "list.activate-item", "u",
                              gtk_list_item_get_position (item));
}

static void
setup_tile_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               YataiReceptionPage       *self)
{
  GtkWidget *tile = yatai_product_tile_new ();

  g_signal_connect_swapped (tile, "clicked", G_CALLBACK (tile_clicked_cb), item);
  gtk_list_item_set_child (item, tile);
}

static void
bind_tile_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              YataiReceptionPage       *self)
{
  yatai_product_tile_bind (YATAI_PRODUCT_TILE (gtk_list_item_get_child (item)),
                           gtk_list_item_get_item (item), self->cart);
  g_ptr_array_add (self->bound_items, item);
  update_tile (item);
}

static void
unbind_tile_cb (GtkSignalListItemFactory *factory,
                GtkListItem              *item,
                YataiReceptionPage       *self)
{
  g_ptr_array_remove_fast (self->bound_items, item);
  yatai_product_tile_bind (YATAI_PRODUCT_TILE (gtk_list_item_get_child (item)), NULL, NULL);
}

gboolean
yatai_reception_page_add_product (YataiReceptionPage *self,
                                  YataiProduct       *product)
{
  g_autoptr(GError) error = NULL;

  g_return_val_if_fail (YATAI_IS_RECEPTION_PAGE (self), FALSE);
  g_return_val_if_fail (YATAI_IS_PRODUCT (product), FALSE);

  /* The order on its way to the writer stays as it was sent until the answer comes. */
  if (self->sending != NULL)
    return FALSE;
  if (!yatai_cart_add (self->cart, product, &error))
    {
      show_message (self, error->message);
      return FALSE;
    }
  show_message (self, NULL);
  return TRUE;
}

static void
tile_activated_cb (YataiReceptionPage *self,
                   guint               position)
{
  g_autoptr(YataiProduct) product = g_list_model_get_item (G_LIST_MODEL (self->filtered), position);

  if (product != NULL)
    yatai_reception_page_add_product (self, product);
}

/* Enter in the search adds the first product found that can be added, and starts the next search. */
static void
search_activate_cb (YataiReceptionPage *self)
{
  GListModel *visible = G_LIST_MODEL (self->filtered);

  for (guint i = 0; i < g_list_model_get_n_items (visible); i++)
    {
      g_autoptr(YataiProduct) product = g_list_model_get_item (visible, i);

      if (yatai_cart_can_add (self->cart, product) > 0)
        {
          yatai_reception_page_add_product (self, product);
          gtk_editable_set_text (GTK_EDITABLE (self->reception_search), "");
          return;
        }
    }
  gtk_widget_error_bell (GTK_WIDGET (self));
}

/* The order */

static void
setup_row_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              gpointer                  user_data)
{
  gtk_list_item_set_child (item, yatai_cart_row_new ());
  gtk_list_item_set_activatable (item, FALSE);
}

static void
bind_row_cb (GtkSignalListItemFactory *factory,
             GtkListItem              *item,
             gpointer                  user_data)
{
  yatai_cart_row_bind (YATAI_CART_ROW (gtk_list_item_get_child (item)), gtk_list_item_get_item (item));
}

static void
unbind_row_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               gpointer                  user_data)
{
  yatai_cart_row_bind (YATAI_CART_ROW (gtk_list_item_get_child (item)), NULL);
}

static void
set_left_label (GtkLabel *label,
                GtkEntry *entry,
                guint     max)
{
  guint n = yatai_text_count_chars (gtk_editable_get_text (GTK_EDITABLE (entry)));
  g_autofree char *text = g_strdup_printf ("%d", (int) max - (int) n);
  g_autofree char *description = NULL;

  gtk_label_set_label (label, text);
  if (n > max)
    {
      gtk_widget_add_css_class (GTK_WIDGET (label), "error");
      gtk_widget_add_css_class (GTK_WIDGET (entry), "error");
    }
  else
    {
      gtk_widget_remove_css_class (GTK_WIDGET (label), "error");
      gtk_widget_remove_css_class (GTK_WIDGET (entry), "error");
    }
  description = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d character left", "%d characters left",
                                              ABS ((int) max - (int) n)),
                                 (int) max - (int) n);
  gtk_widget_set_tooltip_text (GTK_WIDGET (label), description);
}

static gboolean
details_valid (YataiReceptionPage *self)
{
  return yatai_text_count_chars (gtk_editable_get_text (GTK_EDITABLE (self->customer_entry))) <= YATAI_CUSTOMER_MAX &&
         yatai_text_count_chars (gtk_editable_get_text (GTK_EDITABLE (self->note_entry))) <= YATAI_NOTE_MAX;
}

static gboolean
pay_later (YataiReceptionPage *self)
{
  return g_settings_get_boolean (yatai_application_get_settings (self->application), "pay-later");
}

/* The quick amounts beside Exact follow the total: what a customer is likely to hand over for it. */
static void
update_cash_buttons (YataiReceptionPage *self,
                     gint64              total)
{
  gint64 amounts[YATAI_CASH_AMOUNTS_MAX];
  guint n = yatai_cart_cash_amounts (total, amounts);

  for (guint i = 0; i < YATAI_CASH_AMOUNTS_MAX; i++)
    {
      GtkWidget *button = self->cash_buttons[i];

      gtk_widget_set_visible (button, i < n);
      if (i < n)
        {
          g_autofree char *label = yatai_text_format_yen (amounts[i]);

          gtk_button_set_label (GTK_BUTTON (button), label);
          gtk_actionable_set_action_target_value (GTK_ACTIONABLE (button), g_variant_new_int64 (amounts[i]));
        }
    }
}

/* Total, change and whether Confirm is on: the cart is ready, the details fit, and the money covers the
 * total (unless paying later is allowed). */
static void
update_payment (YataiReceptionPage *self)
{
  gint64 total = yatai_cart_get_total (self->cart);
  g_autofree char *total_text = yatai_text_format_yen (total);
  gboolean covered = self->paid_valid && self->paid >= total;
  gboolean can_confirm;

  gtk_label_set_label (self->total_label, total_text);

  if (self->paid_valid && self->paid >= total)
    {
      g_autofree char *change = yatai_text_format_yen (self->paid - total);

      gtk_label_set_label (self->change_caption, _("Change"));
      gtk_label_set_label (self->change_label, change);
      gtk_widget_remove_css_class (GTK_WIDGET (self->change_label), "short");
    }
  else if (self->paid_valid)
    {
      g_autofree char *missing = yatai_text_format_yen (total - self->paid);

      gtk_label_set_label (self->change_caption, pay_later (self) ? _("To pay later") : _("Still to pay"));
      gtk_label_set_label (self->change_label, missing);
      gtk_widget_add_css_class (GTK_WIDGET (self->change_label), "short");
    }

  can_confirm = yatai_cart_is_ready (self->cart) && details_valid (self) && self->paid_valid &&
                (covered || pay_later (self)) && self->sending == NULL;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "reception.confirm", can_confirm);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "reception.exact",
                                 yatai_cart_get_n_units (self->cart) > 0 && self->sending == NULL);
  update_cash_buttons (self, total);
}

static void
update_cart_view (YataiReceptionPage *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->cart));

  if (n > 0 && self->last_order != NULL)
    {
      /* The next order has started: the last call number steps aside. */
      g_clear_object (&self->last_order);
      gtk_widget_action_set_enabled (GTK_WIDGET (self), "reception.print", FALSE);
    }
  if (n > 0)
    gtk_stack_set_visible_child_name (self->cart_stack, "cart");
  else if (self->last_order != NULL)
    gtk_stack_set_visible_child_name (self->cart_stack, "called");
  else
    gtk_stack_set_visible_child_name (self->cart_stack, "empty");
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "reception.clear", n > 0 && self->sending == NULL);
}

static void
cart_changed_cb (YataiReceptionPage *self)
{
  update_cart_view (self);
  update_payment (self);
  update_tiles (self);
}

static void
details_changed_cb (YataiReceptionPage *self)
{
  set_left_label (self->customer_left_label, self->customer_entry, YATAI_CUSTOMER_MAX);
  set_left_label (self->note_left_label, self->note_entry, YATAI_NOTE_MAX);
  update_payment (self);
}

static void
paid_changed_cb (YataiReceptionPage *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->paid_entry));
  g_autoptr(GError) error = NULL;
  g_autofree char *stripped = g_strstrip (g_strdup (text));

  /* "¥1,000", "1000", "１０００" all mean a thousand yen. */
  if (*stripped == '\0')
    {
      self->paid = 0;
      self->paid_valid = TRUE;
    }
  else
    {
      const char *digits = g_str_has_prefix (stripped, "¥") ? stripped + strlen ("¥") : stripped;
      g_autofree char *plain = NULL;
      g_auto(GStrv) parts = g_strsplit (digits, ",", -1);

      plain = g_strjoinv ("", parts);
      self->paid_valid = yatai_text_parse_amount (plain, 0, YATAI_PAID_MAX, &self->paid, &error);
    }

  if (self->paid_valid)
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self->paid_entry), "error");
      show_message (self, NULL);
    }
  else
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->paid_entry), "error");
      gtk_label_set_label (self->change_caption, _("Change"));
      gtk_label_set_label (self->change_label, "—");
      show_message (self, error->message);
    }
  update_payment (self);
}

static gboolean
select_paid_cb (gpointer data)
{
  YataiReceptionPage *self = data;
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self->paid_entry));
  GtkWidget *focus = root != NULL ? gtk_root_get_focus (root) : NULL;

  self->select_paid_id = 0;
  if (focus != NULL && gtk_widget_is_ancestor (focus, GTK_WIDGET (self->paid_entry)))
    gtk_editable_select_region (GTK_EDITABLE (self->paid_entry), 0, -1);
  return G_SOURCE_REMOVE;
}

/* A tap into the amount selects what is there, so typing 2000 over "1000" gives 2000. The tap's own
 * press puts the cursor after the focus arrives, so the selection is made once that is done. */
static void
paid_focus_cb (YataiReceptionPage *self)
{
  if (self->select_paid_id == 0)
    self->select_paid_id = g_idle_add (select_paid_cb, self);
}

static void
paid_activate_cb (YataiReceptionPage *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "reception.confirm", NULL);
}

static void
set_paid (YataiReceptionPage *self,
          gint64              amount)
{
  g_autofree char *text = g_strdup_printf ("%" G_GINT64_FORMAT, amount);

  gtk_editable_set_text (GTK_EDITABLE (self->paid_entry), text);
}

/* The latest orders, newest first, with their status: "is mine ready?" */
static void
rebuild_latest (YataiReceptionPage *self)
{
  GListModel *latest = G_LIST_MODEL (self->latest);
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->latest_box))) != NULL)
    gtk_box_remove (self->latest_box, child);
  if (g_list_model_get_n_items (latest) == 0)
    {
      GtkWidget *none = gtk_label_new (_("No orders yet"));

      gtk_widget_add_css_class (none, "dim-label");
      gtk_box_append (self->latest_box, none);
    }

  for (guint i = 0; i < g_list_model_get_n_items (latest); i++)
    {
      g_autoptr(YataiOrder) order = g_list_model_get_item (latest, i);
      YataiOrderStatus status = yatai_order_get_status (order);
      g_autofree char *text = g_strdup_printf ("%" G_GINT64_FORMAT " %s", yatai_order_get_call_number (order),
                                               yatai_order_status_label (status));
      GtkWidget *label = gtk_label_new (text);
      g_autofree char *css = g_strdup_printf ("order-%s", yatai_order_status_to_string (status));

      gtk_widget_add_css_class (label, "latest-order");
      gtk_widget_add_css_class (label, css);
      gtk_box_append (self->latest_box, label);
    }
}

/* Actions */

/* The order @id was confirmed (here, or by the writer it was sent to): its call number in large type,
 * and the cart empties for the next one. */
static void
show_confirmed (YataiReceptionPage *self,
                gint64              id)
{
  GSettings *settings = yatai_application_get_settings (self->application);
  YataiStore *store = yatai_application_get_store (self->application);

  g_set_object (&self->last_order, NULL);
  self->last_order = id > 0 ? yatai_store_get_order (store, id, NULL) : NULL;
  if (self->last_order != NULL)
    {
      g_autofree char *number = g_strdup_printf ("%" G_GINT64_FORMAT, yatai_order_get_call_number (self->last_order));
      g_autofree char *total = yatai_text_format_yen (yatai_order_get_total (self->last_order));
      g_autofree char *change = yatai_text_format_yen (yatai_order_get_change (self->last_order));
      /* TRANSLATORS: under the call number after an order: "合計 ¥1,200 · おつり ¥300" */
      g_autofree char *detail = g_strdup_printf (_("Total %s · Change %s"), total, change);

      gtk_label_set_label (self->call_number_label, number);
      gtk_label_set_label (self->call_detail_label, detail);
    }

  /* The cart empties without dropping the call number: clear it first, then show the number. */
  {
    YataiOrder *keep = self->last_order != NULL ? g_object_ref (self->last_order) : NULL;

    yatai_cart_clear (self->cart);
    g_set_object (&self->last_order, keep);
    g_clear_object (&keep);
  }
  gtk_editable_set_text (GTK_EDITABLE (self->customer_entry), "");
  gtk_editable_set_text (GTK_EDITABLE (self->note_entry), "");
  gtk_editable_set_text (GTK_EDITABLE (self->paid_entry), "");
  update_cart_view (self);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "reception.print", self->last_order != NULL);
  gtk_widget_grab_focus (GTK_WIDGET (self->reception_search));

  if (self->last_order != NULL && g_settings_get_boolean (settings, "auto-print-ticket"))
    gtk_widget_activate_action (GTK_WIDGET (self), "reception.print-direct", NULL);
}

/* While the order is on its way to the writer, the cart stays as it was sent (nothing in it can be
 * changed, Confirm sends nothing more) and says so; the writer's answer ends it. */
static void
set_sending (YataiReceptionPage *self,
             const char         *id)
{
  GtkWidget *content = gtk_button_get_child (GTK_BUTTON (self->confirm_button));
  gboolean sending = id != NULL;

  g_free (self->sending);
  self->sending = g_strdup (id);
  gtk_widget_set_visible (self->sending_box, sending);
  gtk_spinner_set_spinning (self->sending_spinner, sending);
  if (ADW_IS_BUTTON_CONTENT (content))
    adw_button_content_set_label (ADW_BUTTON_CONTENT (content),
                                  sending ? yatai_pending_sending_label () : _("_Confirm Order"));
  gtk_widget_set_tooltip_text (self->confirm_button,
                               sending ? yatai_pending_sending_tooltip () : _("Confirm the order (Ctrl+Return)"));
  gtk_widget_set_sensitive (GTK_WIDGET (self->cart_stack), !sending);
  gtk_widget_set_sensitive (GTK_WIDGET (self->customer_entry), !sending);
  gtk_widget_set_sensitive (GTK_WIDGET (self->note_entry), !sending);
  gtk_widget_set_sensitive (GTK_WIDGET (self->paid_entry), !sending);
  gtk_widget_set_sensitive (self->quick_box, !sending);
  gtk_widget_set_sensitive (GTK_WIDGET (self->grid_view), !sending);
  update_cart_view (self);
  update_payment (self);
}

/* The writer answered the order this till sent: its call number, or its reason in words (the cart
 * stays, to be fixed and sent again). */
static void
pending_finished_cb (YataiReceptionPage  *self,
                     YataiPendingCommand *command)
{
  JsonNode *result = yatai_pending_command_get_result (command);

  if (g_strcmp0 (self->sending, yatai_pending_command_get_id (command)) != 0)
    return;
  set_sending (self, NULL);
  if (yatai_pending_command_get_state (command) == YATAI_PENDING_REFUSED)
    {
      show_message (self, yatai_pending_command_get_refusal (command));
      gtk_widget_error_bell (GTK_WIDGET (self));
      return;
    }
  show_confirmed (self, result != NULL && JSON_NODE_HOLDS_OBJECT (result)
                        ? json_object_get_int_member_with_default (json_node_get_object (result), "id", 0) : 0);
}

static void
confirm_action_cb (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  YataiReceptionPage *self = YATAI_RECEPTION_PAGE (widget);
  GSettings *settings = yatai_application_get_settings (self->application);
  g_autoptr(JsonObject) args = NULL;
  g_autoptr(YataiCommand) command = NULL;
  g_autoptr(JsonNode) result = NULL;
  g_autoptr(GError) error = NULL;
  gboolean sent = FALSE;

  if (self->sending != NULL)
    return;
  args = yatai_cart_confirm_args (self->cart,
                                  gtk_editable_get_text (GTK_EDITABLE (self->customer_entry)),
                                  gtk_editable_get_text (GTK_EDITABLE (self->note_entry)),
                                  self->paid, pay_later (self),
                                  g_settings_get_int (settings, "day-start-hour"));
  command = yatai_command_new ("order.confirm", args);
  result = yatai_application_run_command (self->application, command, &sent, &error);
  if (result == NULL)
    {
      /* The cart stays as it was; the message names what to fix. */
      show_message (self, error->message);
      gtk_widget_error_bell (widget);
      return;
    }

  show_message (self, NULL);
  if (sent)
    set_sending (self, yatai_command_get_id (command));
  else
    show_confirmed (self, json_object_get_int_member (json_node_get_object (result), "id"));
}

static void
print_ticket (YataiReceptionPage *self,
              YataiTicketMode     mode)
{
  g_autoptr(GError) error = NULL;
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  if (self->last_order == NULL)
    return;
  if (!yatai_ticket_print (self->last_order, GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, mode, &error) &&
      YATAI_IS_WINDOW (root))
    yatai_window_show_toast (YATAI_WINDOW (root), error->message);
}

static void
print_action_cb (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  print_ticket (YATAI_RECEPTION_PAGE (widget), YATAI_TICKET_ASK);
}

static void
print_direct_action_cb (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  print_ticket (YATAI_RECEPTION_PAGE (widget), YATAI_TICKET_DIRECT);
}

static void
change_quantity (YataiReceptionPage *self,
                 gint64              product_id,
                 gint64              delta)
{
  g_autoptr(GError) error = NULL;
  gint64 quantity = yatai_cart_get_quantity (self->cart, product_id) + delta;

  if (self->sending != NULL)
    return;
  if (!yatai_cart_set_quantity (self->cart, product_id, quantity, &error))
    show_message (self, error->message);
  else
    show_message (self, NULL);
}

static void
increase_action_cb (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  change_quantity (YATAI_RECEPTION_PAGE (widget), g_variant_get_int64 (parameter), +1);
}

static void
decrease_action_cb (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  change_quantity (YATAI_RECEPTION_PAGE (widget), g_variant_get_int64 (parameter), -1);
}

static void
remove_action_cb (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  if (YATAI_RECEPTION_PAGE (widget)->sending == NULL)
    yatai_cart_remove (YATAI_RECEPTION_PAGE (widget)->cart, g_variant_get_int64 (parameter));
}

static void
clear_action_cb (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  YataiReceptionPage *self = YATAI_RECEPTION_PAGE (widget);

  if (self->sending != NULL)
    return;
  yatai_cart_clear (self->cart);
  gtk_editable_set_text (GTK_EDITABLE (self->customer_entry), "");
  gtk_editable_set_text (GTK_EDITABLE (self->note_entry), "");
  gtk_editable_set_text (GTK_EDITABLE (self->paid_entry), "");
  show_message (self, NULL);
}

static void
exact_action_cb (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  YataiReceptionPage *self = YATAI_RECEPTION_PAGE (widget);

  set_paid (self, yatai_cart_get_total (self->cart));
}

static void
paid_action_cb (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  set_paid (YATAI_RECEPTION_PAGE (widget), g_variant_get_int64 (parameter));
}

static void
search_action_cb (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  gtk_widget_grab_focus (GTK_WIDGET (YATAI_RECEPTION_PAGE (widget)->reception_search));
}

static void
focus_paid_action_cb (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  gtk_widget_grab_focus (GTK_WIDGET (YATAI_RECEPTION_PAGE (widget)->paid_entry));
}

/* Life cycle */

static void
yatai_reception_page_dispose (GObject *object)
{
  YataiReceptionPage *self = YATAI_RECEPTION_PAGE (object);

  g_clear_handle_id (&self->select_paid_id, g_source_remove);
  if (self->application != NULL)
    {
      g_signal_handlers_disconnect_by_data (yatai_application_get_tags (self->application), self);
      g_signal_handlers_disconnect_by_data (yatai_application_get_products (self->application), self);
      g_signal_handlers_disconnect_by_data (yatai_application_get_settings (self->application), self);
    }
  if (self->cart != NULL)
    g_signal_handlers_disconnect_by_data (self->cart, self);
  if (self->latest != NULL)
    g_signal_handlers_disconnect_by_data (self->latest, self);
  if (self->application != NULL)
    g_signal_handlers_disconnect_by_data (yatai_application_get_pending (self->application), self);
  gtk_widget_dispose_template (GTK_WIDGET (self), YATAI_TYPE_RECEPTION_PAGE);
  g_clear_object (&self->filtered);
  g_clear_object (&self->latest);
  g_clear_object (&self->cart);
  g_clear_object (&self->last_order);
  g_clear_object (&self->application);
  G_OBJECT_CLASS (yatai_reception_page_parent_class)->dispose (object);
}

static void
yatai_reception_page_finalize (GObject *object)
{
  YataiReceptionPage *self = YATAI_RECEPTION_PAGE (object);

  g_ptr_array_unref (self->bound_items);
  g_ptr_array_unref (self->chosen_tags);
  g_free (self->search);
  g_free (self->sending);
  G_OBJECT_CLASS (yatai_reception_page_parent_class)->finalize (object);
}

static void
yatai_reception_page_class_init (YataiReceptionPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = yatai_reception_page_dispose;
  object_class->finalize = yatai_reception_page_finalize;

  g_type_ensure (YATAI_TYPE_CART_ROW);
  g_type_ensure (YATAI_TYPE_PRODUCT_TILE);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/yatai/Yatai/yatai-reception-page.ui");
  gtk_widget_class_bind_template_child (widget_class, YataiReceptionPage, reception_search);
  gtk_widget_class_bind_template_child (widget_class, YataiReceptionPage, tag_box);
  gtk_widget_class_bind_template_child (widget_class, YataiReceptionPage, menu_stack);
  gtk_widget_class_bind_template_child (widget_class, YataiReceptionPage, grid_view);
  gtk_widget_class_bind_template_child (widget_class, YataiReceptionPage, latest_box);
  gtk_widget_class_bind_template_child (widget_class, YataiReceptionPage, cart_stack);
  gtk_widget_class_bind_template_child (widget_class, YataiReceptionPage, cart_view);
  gtk_widget_class_bind_template_child (widget_class, YataiReceptionPage, call_number_label);
  gtk_widget_class_bind_template_child (widget_class, YataiReceptionPage, call_detail_label);
  gtk_widget_class_bind_template_child (widget_class, YataiReceptionPage, customer_entry);
  gtk_widget_class_bind_template_child (widget_class, YataiReceptionPage, customer_left_label);
  gtk_widget_class_bind_template_child (widget_class, YataiReceptionPage, note_entry);
  gtk_widget_class_bind_template_child (widget_class, YataiReceptionPage, note_left_label);
  gtk_widget_class_bind_template_child (widget_class, YataiReceptionPage, total_label);
  gtk_widget_class_bind_template_child (widget_class, YataiReceptionPage, paid_entry);
  gtk_widget_class_bind_template_child_full (widget_class, "cash_button_1", FALSE,
                                             G_STRUCT_OFFSET (YataiReceptionPage, cash_buttons[0]));
  gtk_widget_class_bind_template_child_full (widget_class, "cash_button_2", FALSE,
                                             G_STRUCT_OFFSET (YataiReceptionPage, cash_buttons[1]));
  gtk_widget_class_bind_template_child_full (widget_class, "cash_button_3", FALSE,
                                             G_STRUCT_OFFSET (YataiReceptionPage, cash_buttons[2]));
  gtk_widget_class_bind_template_child (widget_class, YataiReceptionPage, change_caption);
  gtk_widget_class_bind_template_child (widget_class, YataiReceptionPage, change_label);
  gtk_widget_class_bind_template_child (widget_class, YataiReceptionPage, message_label);
  gtk_widget_class_bind_template_child (widget_class, YataiReceptionPage, confirm_button);
  gtk_widget_class_bind_template_child (widget_class, YataiReceptionPage, sending_box);
  gtk_widget_class_bind_template_child (widget_class, YataiReceptionPage, sending_spinner);
  gtk_widget_class_bind_template_child (widget_class, YataiReceptionPage, quick_box);
  gtk_widget_class_bind_template_callback (widget_class, search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, search_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, tile_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, details_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, paid_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, paid_activate_cb);

  gtk_widget_class_install_action (widget_class, "reception.confirm", NULL, confirm_action_cb);
  gtk_widget_class_install_action (widget_class, "reception.print", NULL, print_action_cb);
  gtk_widget_class_install_action (widget_class, "reception.print-direct", NULL, print_direct_action_cb);
  gtk_widget_class_install_action (widget_class, "reception.increase", "x", increase_action_cb);
  gtk_widget_class_install_action (widget_class, "reception.decrease", "x", decrease_action_cb);
  gtk_widget_class_install_action (widget_class, "reception.remove", "x", remove_action_cb);
  gtk_widget_class_install_action (widget_class, "reception.clear", NULL, clear_action_cb);
  gtk_widget_class_install_action (widget_class, "reception.exact", NULL, exact_action_cb);
  gtk_widget_class_install_action (widget_class, "reception.paid", "x", paid_action_cb);
  gtk_widget_class_install_action (widget_class, "reception.search", NULL, search_action_cb);
  gtk_widget_class_install_action (widget_class, "reception.focus-paid", NULL, focus_paid_action_cb);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK, "reception.confirm", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Enter, GDK_CONTROL_MASK, "reception.confirm", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_e, GDK_CONTROL_MASK, "reception.exact", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK, "reception.search", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_m, GDK_CONTROL_MASK, "reception.focus-paid", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_p, GDK_CONTROL_MASK, "reception.print", NULL);
}

static void
yatai_reception_page_init (YataiReceptionPage *self)
{
  self->bound_items = g_ptr_array_new ();
  self->chosen_tags = g_ptr_array_new_with_free_func (g_free);
  self->paid_valid = TRUE;
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_search_entry_set_key_capture_widget (self->reception_search, GTK_WIDGET (self));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "reception.confirm", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "reception.print", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "reception.clear", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "reception.exact", FALSE);
  update_cash_buttons (self, 0);
  {
    GtkEventController *focus = gtk_event_controller_focus_new ();

    g_signal_connect_swapped (focus, "enter", G_CALLBACK (paid_focus_cb), self);
    gtk_widget_add_controller (GTK_WIDGET (self->paid_entry), focus);
  }
}

void
yatai_reception_page_setup (YataiReceptionPage *self,
                            YataiApplication   *application)
{
  GListModel *products;
  GtkListItemFactory *factory;
  GtkNoSelection *selection;

  g_return_if_fail (YATAI_IS_RECEPTION_PAGE (self));
  g_return_if_fail (YATAI_IS_APPLICATION (application));
  g_return_if_fail (self->application == NULL);

  self->application = g_object_ref (application);
  products = G_LIST_MODEL (yatai_application_get_products (application));
  self->cart = yatai_cart_new (yatai_application_get_products (application));
  self->latest = yatai_order_list_new (yatai_application_get_store (application), YATAI_ORDER_QUERY_LATEST, N_LATEST);

  self->filter = gtk_custom_filter_new (product_matches, self, NULL);
  self->filtered = gtk_filter_list_model_new (g_object_ref (products), GTK_FILTER (self->filter));

  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (setup_tile_cb), self);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_tile_cb), self);
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_tile_cb), self);
  gtk_grid_view_set_factory (self->grid_view, factory);
  g_object_unref (factory);
  selection = gtk_no_selection_new (g_object_ref (G_LIST_MODEL (self->filtered)));
  gtk_grid_view_set_model (self->grid_view, GTK_SELECTION_MODEL (selection));
  g_object_unref (selection);

  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (setup_row_cb), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_row_cb), NULL);
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_row_cb), NULL);
  gtk_list_view_set_factory (self->cart_view, factory);
  g_object_unref (factory);
  selection = gtk_no_selection_new (g_object_ref (G_LIST_MODEL (self->cart)));
  gtk_list_view_set_model (self->cart_view, GTK_SELECTION_MODEL (selection));
  g_object_unref (selection);

  g_signal_connect_swapped (self->cart, "notify::total", G_CALLBACK (cart_changed_cb), self);
  g_signal_connect_swapped (self->cart, "notify::n-units", G_CALLBACK (cart_changed_cb), self);
  g_signal_connect_swapped (self->cart, "notify::ready", G_CALLBACK (cart_changed_cb), self);
  g_signal_connect_swapped (self->cart, "items-changed", G_CALLBACK (cart_changed_cb), self);
  g_signal_connect_swapped (products, "items-changed", G_CALLBACK (update_menu_view), self);
  g_signal_connect_swapped (self->filtered, "items-changed", G_CALLBACK (update_menu_view), self);
  g_signal_connect_swapped (yatai_application_get_tags (application), "items-changed",
                            G_CALLBACK (rebuild_tags), self);
  g_signal_connect_swapped (self->latest, "items-changed", G_CALLBACK (rebuild_latest), self);
  g_signal_connect_swapped (yatai_application_get_pending (application), "finished",
                            G_CALLBACK (pending_finished_cb), self);
  g_signal_connect_swapped (yatai_application_get_settings (application), "changed::pay-later",
                            G_CALLBACK (update_payment), self);

  rebuild_tags (self);
  rebuild_latest (self);
  details_changed_cb (self);
  cart_changed_cb (self);
  update_menu_view (self);
}

YataiCart *
yatai_reception_page_get_cart (YataiReceptionPage *self)
{
  g_return_val_if_fail (YATAI_IS_RECEPTION_PAGE (self), NULL);
  return self->cart;
}

/* The products the grid shows now: searched and filtered by tag. */
GListModel *
yatai_reception_page_get_visible (YataiReceptionPage *self)
{
  g_return_val_if_fail (YATAI_IS_RECEPTION_PAGE (self), NULL);
  return G_LIST_MODEL (self->filtered);
}

/* The order confirmed here whose call number is on show, or NULL once the next order started. */
YataiOrder *
yatai_reception_page_get_last_order (YataiReceptionPage *self)
{
  g_return_val_if_fail (YATAI_IS_RECEPTION_PAGE (self), NULL);
  return self->last_order;
}
