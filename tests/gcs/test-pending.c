/* test-pending.c: a tap on a device that follows shows at once that it is on its way to the writer,
 * sends nothing more while it is, and the writer's answer replaces it: the new state, or the refusal
 * in words. The counter (writer) and the kitchen (follower) sync through yatai-test-bucket, each with
 * its own store and window (Xvfb), as in test-two-devices. */
#include "config.h"

#include <sqlite3.h>

#include "gui-test-util.h"
#include "test-server.h"
#include "yatai-kitchen-page.h"
#include "yatai-order-card.h"
#include "yatai-orders-page.h"
#include "yatai-reception-page.h"
#include "yatai-store-orders.h"
#include "yatai-window.h"

/* One stall for every test: starting it (a server, a founding, a restore) is the slow part. */
static struct
{
  GSubprocess      *server;
  char             *dir_a, *dir_b;
  YataiApplication *counter;
  YataiApplication *kitchen;
  YataiWindow      *kitchen_window;
  char             *refusal;      /* the last refusal the kitchen's pending commands heard of */
} stall;

static gboolean
nothing_on_its_way (gpointer data)
{
  return g_list_model_get_n_items (G_LIST_MODEL (yatai_application_get_pending (stall.kitchen))) == 0;
}

static guint
n_on_its_way (void)
{
  return g_list_model_get_n_items (G_LIST_MODEL (yatai_application_get_pending (stall.kitchen)));
}

static void
refused_cb (YataiPendingCommands *pending,
            YataiPendingCommand  *command,
            gpointer              data)
{
  if (yatai_pending_command_get_state (command) == YATAI_PENDING_REFUSED)
    {
      g_free (stall.refusal);
      stall.refusal = g_strdup (yatai_pending_command_get_refusal (command));
    }
}

static YataiProduct *
product_named (YataiApplication *app,
               const char       *name)
{
  GListModel *products = G_LIST_MODEL (yatai_application_get_products (app));

  for (guint i = 0; i < g_list_model_get_n_items (products); i++)
    {
      g_autoptr(YataiProduct) product = g_list_model_get_item (products, i);

      if (g_str_equal (yatai_product_get_name (product), name))
        return g_steal_pointer (&product);
    }
  g_assert_not_reached ();
}

/* An order for one 焼きそば taken at the counter; its id once the kitchen has it. */
static gint64 order_waited_for;

static gboolean
kitchen_has_order (gpointer data)
{
  g_autoptr(YataiOrder) order = yatai_store_get_order (yatai_application_get_store (stall.kitchen),
                                                       order_waited_for, NULL);

  return order != NULL;
}

static gint64
counter_takes_order (void)
{
  g_autoptr(YataiProduct) product = product_named (stall.counter, "焼きそば");
  YataiCartLine line = { yatai_product_get_id (product), 1 };
  g_autoptr(JsonObject) args = yatai_order_confirm_args (&line, 1, "", "", 1000, FALSE, 5);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) result = yatai_application_run (stall.counter, "order.confirm", args, NULL, &error);

  g_assert_no_error (error);
  order_waited_for = json_object_get_int_member (json_node_get_object (result), "id");
  gui_test_run_until (kitchen_has_order, NULL);
  gui_test_settle ();
  return order_waited_for;
}

static YataiOrderStatus
status_at (YataiApplication *app,
           gint64            id)
{
  g_autoptr(YataiOrder) order = yatai_store_get_order (yatai_application_get_store (app), id, NULL);

  g_assert_nonnull (order);
  return yatai_order_get_status (order);
}

/* How many status moves the writer recorded for the order @id (its creation is not one). */
static int
count_moves (gint64 id)
{
  sqlite3 *db = yatai_store_get_db (yatai_application_get_store (stall.counter));
  sqlite3_stmt *stmt = NULL;
  int n;

  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT COUNT(*) FROM status_changes WHERE order_id = ? AND from_status IS NOT NULL", -1, &stmt, NULL),
                   ==, SQLITE_OK);
  sqlite3_bind_int64 (stmt, 1, id);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  n = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);
  return n;
}

static GtkWidget *
kitchen_page (void)
{
  yatai_window_set_page (stall.kitchen_window, "kitchen");
  gui_test_settle ();
  return yatai_window_get_page (stall.kitchen_window, "kitchen");
}

/* A tap, without the main-loop turns gui_test_click() gives: what shows must show before any answer
 * could come back. */
static void
tap (GtkWidget  *root,
     const char *id)
{
  GtkWidget *button = gui_test_find (root, id);

  g_assert_true (gtk_widget_is_sensitive (button));
  g_signal_emit_by_name (button, "clicked");
}

static void
advance (GtkWidget *page,
         gint64     id)
{
  gtk_widget_activate_action_variant (page, "kitchen.advance", g_variant_new_int64 (id));
}

/* Start on the kitchen: the card says at once where the order is going and that it is on its way
 * (in words and to a screen reader), its buttons send nothing more, and the writer's answer replaces
 * it. */
static void
test_kitchen_sending (void)
{
  gint64 id = counter_takes_order ();
  GtkWidget *page = kitchen_page ();
  YataiOrderCard *card = yatai_kitchen_page_find_card (YATAI_KITCHEN_PAGE (page), id);
  g_autofree char *description = NULL;
  GtkWidget *advance_button;

  g_assert_nonnull (card);
  advance_button = gui_test_find (GTK_WIDGET (card), "advance_button");
  g_assert_cmpstr (gui_test_label (GTK_WIDGET (card), "status_label"), ==, "Waiting");
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (advance_button)), ==, "Start");

  advance (page, id);
  /* At once: no main-loop turn, no answer yet. */
  g_assert_cmpuint (n_on_its_way (), ==, 1);
  g_assert_cmpstr (gui_test_label (GTK_WIDGET (card), "status_label"), ==, "Cooking · sending…");
  g_assert_true (gtk_widget_get_visible (gui_test_find (GTK_WIDGET (card), "sending_spinner")));
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (advance_button)), ==, "Sending…");
  g_assert_false (gtk_widget_get_sensitive (advance_button));
  g_assert_false (gtk_widget_get_sensitive (gui_test_find (GTK_WIDGET (card), "cancel_button")));
  g_assert_cmpstr (gtk_widget_get_tooltip_text (advance_button), ==,
                   "On its way to the writer; this changes when the writer answers");
  description = gtk_test_accessible_check_property (GTK_ACCESSIBLE (card), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                                    "Sending…: Cooking · sending…; 焼きそば ×1");
  g_assert_null (description);

  /* A second tap (the staff did not see it change) sends nothing: not another Start, not a Ready. */
  advance (page, id);
  gtk_widget_activate_action_variant (page, "kitchen.cancel", g_variant_new_int64 (id));
  g_assert_cmpuint (n_on_its_way (), ==, 1);
  g_assert_null (gui_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG));

  /* The writer's answer comes back through the log and replaces it. */
  gui_test_run_until (nothing_on_its_way, NULL);
  gui_test_settle ();
  card = yatai_kitchen_page_find_card (YATAI_KITCHEN_PAGE (page), id);
  g_assert_cmpstr (gui_test_label (GTK_WIDGET (card), "status_label"), ==, "Cooking");
  advance_button = gui_test_find (GTK_WIDGET (card), "advance_button");
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (advance_button)), ==, "Ready");
  g_assert_true (gtk_widget_get_sensitive (advance_button));
  g_assert_false (gtk_widget_get_visible (gui_test_find (GTK_WIDGET (card), "sending_spinner")));
  g_assert_cmpint (status_at (stall.counter, id), ==, YATAI_ORDER_PROCESSING);
  g_assert_cmpint (status_at (stall.kitchen, id), ==, YATAI_ORDER_PROCESSING);
  /* One move: the second tap never reached the writer. */
  g_assert_cmpint (count_moves (id), ==, 1);
}

/* The counter cancels an order the kitchen has not heard of yet; the kitchen's Ready is refused, and
 * the kitchen is told why in the writer's words. */
static void
test_kitchen_refused (void)
{
  gint64 id = counter_takes_order ();
  GtkWidget *page = kitchen_page ();
  YataiOrderCard *card = yatai_kitchen_page_find_card (YATAI_KITCHEN_PAGE (page), id);
  g_autoptr(JsonObject) args = json_object_new ();
  g_autoptr(JsonNode) result = NULL;
  g_autofree char *toast = NULL;

  g_assert_nonnull (card);
  json_object_set_int_member (args, "id", id);
  result = yatai_application_run (stall.counter, "order.cancel", args, NULL, NULL);
  g_assert_nonnull (result);

  g_clear_pointer (&stall.refusal, g_free);
  advance (page, id);
  g_assert_cmpstr (gui_test_label (GTK_WIDGET (card), "status_label"), ==, "Cooking · sending…");

  gui_test_run_until (nothing_on_its_way, NULL);
  gui_test_settle ();
  g_assert_cmpstr (stall.refusal, ==, "The order was cancelled. Take a new order instead.");
  toast = g_strdup_printf ("The writer refused a change: %s", stall.refusal);
  g_assert_nonnull (gui_test_find_label (GTK_WIDGET (stall.kitchen_window), toast));
  g_assert_cmpint (status_at (stall.kitchen, id), ==, YATAI_ORDER_CANCELLED);
  g_assert_null (yatai_kitchen_page_find_card (YATAI_KITCHEN_PAGE (page), id));
}

/* A till that follows: the cart shows it is sending, Confirm sends one order whatever is tapped, and
 * the call number the writer gave it replaces the message. */
static void
test_reception_sending (void)
{
  GtkWidget *page;
  g_autoptr(YataiProduct) product = product_named (stall.kitchen, "焼きそば");
  YataiPendingCommand *command;
  JsonNode *result;
  gint64 id;
  g_autoptr(YataiOrder) order = NULL;
  g_autofree char *number = NULL;

  yatai_window_set_page (stall.kitchen_window, "reception");
  gui_test_settle ();
  page = yatai_window_get_page (stall.kitchen_window, "reception");
  g_assert_true (yatai_reception_page_add_product (YATAI_RECEPTION_PAGE (page), product));
  gui_test_click (page, "exact_button");
  tap (page, "confirm_button");

  g_assert_cmpuint (n_on_its_way (), ==, 1);
  g_assert_true (gtk_widget_get_visible (gui_test_find (page, "sending_box")));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (gui_test_find (page, "cart_stack"))), ==, "cart");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (yatai_reception_page_get_cart (YATAI_RECEPTION_PAGE (page)))), ==, 1);
  g_assert_nonnull (gui_test_find_label (page, "Sending…"));
  g_assert_false (gtk_widget_get_sensitive (gui_test_find (page, "confirm_button")));
  /* Tapped again, or Ctrl+Return, or another product added: nothing more goes. */
  gtk_widget_activate_action (page, "reception.confirm", NULL);
  g_assert_false (yatai_reception_page_add_product (YATAI_RECEPTION_PAGE (page), product));
  g_assert_cmpuint (n_on_its_way (), ==, 1);

  command = g_list_model_get_item (G_LIST_MODEL (yatai_application_get_pending (stall.kitchen)), 0);
  gui_test_run_until (nothing_on_its_way, NULL);
  gui_test_settle ();
  g_assert_cmpint (yatai_pending_command_get_state (command), ==, YATAI_PENDING_APPLIED);
  result = yatai_pending_command_get_result (command);
  id = json_object_get_int_member (json_node_get_object (result), "id");
  /* The writer's store gave the call number: the one the till shows is the counter's. */
  order = yatai_store_get_order (yatai_application_get_store (stall.counter), id, NULL);
  g_assert_nonnull (order);
  number = g_strdup_printf ("%" G_GINT64_FORMAT, yatai_order_get_call_number (order));
  g_assert_cmpstr (gui_test_label (page, "call_number_label"), ==, number);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (gui_test_find (page, "cart_stack"))), ==, "called");
  g_assert_false (gtk_widget_get_visible (gui_test_find (page, "sending_box")));
  g_assert_nonnull (gui_test_find_label (page, "Confirm Order"));
  g_object_unref (command);
  order_waited_for = id;
  gui_test_run_until (kitchen_has_order, NULL);
}

/* The counter sells what is left of フランクフルト before the till's order reaches it: refused, the reason
 * under the cart, and the cart as it was to be fixed. */
static void
test_reception_refused (void)
{
  GtkWidget *page = yatai_window_get_page (stall.kitchen_window, "reception");
  g_autoptr(YataiProduct) product = product_named (stall.kitchen, "フランクフルト");
  g_autoptr(YataiProduct) at_counter = product_named (stall.counter, "フランクフルト");
  YataiCartLine line = { yatai_product_get_id (at_counter), yatai_product_get_stock (at_counter) };
  g_autoptr(JsonObject) args = yatai_order_confirm_args (&line, 1, "", "", 100000, FALSE, 5);
  g_autoptr(JsonNode) result = NULL;
  GtkWidget *message;

  g_assert_true (yatai_reception_page_add_product (YATAI_RECEPTION_PAGE (page), product));
  gui_test_click (page, "exact_button");
  result = yatai_application_run (stall.counter, "order.confirm", args, NULL, NULL);
  g_assert_nonnull (result);
  g_clear_pointer (&stall.refusal, g_free);
  tap (page, "confirm_button");
  g_assert_true (gtk_widget_get_visible (gui_test_find (page, "sending_box")));

  gui_test_run_until (nothing_on_its_way, NULL);
  gui_test_settle ();
  g_assert_nonnull (stall.refusal);
  message = gui_test_find (page, "message_label");
  g_assert_true (gtk_widget_get_visible (message));
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (message)), ==, stall.refusal);
  g_assert_false (gtk_widget_get_visible (gui_test_find (page, "sending_box")));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (gui_test_find (page, "cart_stack"))), !=, "called");
  gtk_widget_activate_action (page, "reception.clear", NULL);
}

/* Where the order with @id is in the Orders page's list, now. */
static guint
position_of (GListModel *visible,
             gint64      id)
{
  for (guint i = 0; i < g_list_model_get_n_items (visible); i++)
    {
      g_autoptr(YataiOrder) order = g_list_model_get_item (visible, i);

      if (yatai_order_get_id (order) == id)
        return i;
    }
  g_assert_not_reached ();
}

/* The Orders page: a status changed in the editor of a follower shows in the order's row as on its way,
 * the editor opened again meanwhile offers nothing that would contradict it, and the answer replaces it. */
static void
test_orders_sending (void)
{
  gint64 id = counter_takes_order ();
  GtkWidget *page;
  GtkWindow *editor;
  GListModel *visible;
  guint position;

  yatai_window_set_page (stall.kitchen_window, "orders");
  gui_test_settle ();
  page = yatai_window_get_page (stall.kitchen_window, "orders");
  visible = yatai_orders_page_get_visible (YATAI_ORDERS_PAGE (page));
  position = position_of (visible, id);
  editor = yatai_orders_page_open_order (YATAI_ORDERS_PAGE (page), position);
  gui_test_settle ();
  /* Waiting → Cooking (the second choice), and Save. */
  adw_combo_row_set_selected (ADW_COMBO_ROW (gui_test_find (GTK_WIDGET (editor), "status_row")), 1);
  gtk_widget_activate_action (GTK_WIDGET (editor), "order.save", NULL);
  /* At once, before any main-loop turn could bring the answer. */
  g_assert_cmpuint (n_on_its_way (), ==, 1);
  g_assert_nonnull (gui_test_find_label (page, "Cooking · sending…"));

  /* The list may have moved meanwhile (the log the kitchen follows): the order's place, again. */
  editor = yatai_orders_page_open_order (YATAI_ORDERS_PAGE (page), position_of (visible, id));
  g_assert_true (gtk_revealer_get_reveal_child (GTK_REVEALER (gui_test_find (GTK_WIDGET (editor), "sending_revealer"))));
  g_assert_false (gtk_widget_get_sensitive (gui_test_find (GTK_WIDGET (editor), "save_button")));
  gtk_widget_activate_action (GTK_WIDGET (editor), "order.cancel", NULL);
  g_assert_cmpuint (n_on_its_way (), ==, 1);

  gui_test_run_until (nothing_on_its_way, NULL);
  gui_test_settle ();
  g_assert_null (gui_test_find_label (page, "Cooking · sending…"));
  g_assert_cmpint (status_at (stall.counter, id), ==, YATAI_ORDER_PROCESSING);
  g_assert_false (gtk_revealer_get_reveal_child (GTK_REVEALER (gui_test_find (GTK_WIDGET (editor), "sending_revealer"))));
  gtk_window_destroy (editor);
  gui_test_settle ();
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *url = NULL;
  int status;

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  stall.server = test_server_start (NULL, &url);
  stall.counter = gui_test_app_new (TRUE, &stall.dir_a);
  stall.kitchen = gui_test_app_new (FALSE, &stall.dir_b);
  /* Through the bucket only: over the venue link the answer comes before "sending" could be seen. */
  yatai_application_set_link_overrides (stall.counter, NULL, NULL);
  yatai_application_set_link_overrides (stall.kitchen, NULL, NULL);
  yatai_application_set_sync_overrides (stall.counter, "stall", url, "pending/stall", "Counter PC");
  gui_test_run_until (gui_test_is_writer, stall.counter);
  yatai_application_set_sync_overrides (stall.kitchen, "stall", url, "pending/stall", "Kitchen");
  gui_test_run_until (gui_test_follows_with_menu, stall.kitchen);
  g_signal_connect (yatai_application_get_pending (stall.kitchen), "finished", G_CALLBACK (refused_cb), NULL);
  stall.kitchen_window = yatai_window_new (stall.kitchen);
  gtk_widget_activate_action (GTK_WIDGET (stall.kitchen_window), "win.start-empty", NULL);
  gtk_window_present (GTK_WINDOW (stall.kitchen_window));
  gui_test_settle ();

  g_test_add_func ("/pending/kitchen/sending", test_kitchen_sending);
  g_test_add_func ("/pending/kitchen/refused", test_kitchen_refused);
  g_test_add_func ("/pending/reception/sending", test_reception_sending);
  g_test_add_func ("/pending/reception/refused", test_reception_refused);
  g_test_add_func ("/pending/orders/sending", test_orders_sending);
  status = g_test_run ();

  gtk_window_destroy (GTK_WINDOW (stall.kitchen_window));
  gui_test_settle ();
  g_application_quit (G_APPLICATION (stall.kitchen));
  g_application_quit (G_APPLICATION (stall.counter));
  g_clear_object (&stall.kitchen);
  g_clear_object (&stall.counter);
  gui_test_remove_dir (stall.dir_a);
  gui_test_remove_dir (stall.dir_b);
  g_free (stall.dir_a);
  g_free (stall.dir_b);
  g_free (stall.refusal);
  g_clear_object (&stall.server);
  return status;
}
