/* test-orders-page.c: the order history, with 100,000 orders, as the stall's lead uses it */
#include "config.h"

#include "gui-test-util.h"
#include "yatai-order-editor.h"
#include "yatai-orders-page.h"
#include "yatai-store-orders.h"
#include "yatai-window.h"

typedef struct
{
  YataiApplication *app;
  char             *dir;
  YataiWindow      *window;
  YataiOrdersPage  *page;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->app = gui_test_app_new (TRUE, &f->dir);
  gui_test_fill_history (yatai_application_get_store (f->app), GPOINTER_TO_UINT (data));
  f->window = yatai_window_new (f->app);
  gtk_window_set_default_size (GTK_WINDOW (f->window), 1200, 800);
  yatai_window_set_page (f->window, "orders");
  gtk_window_present (GTK_WINDOW (f->window));
  f->page = YATAI_ORDERS_PAGE (yatai_window_get_page (f->window, "orders"));
  gui_test_settle ();
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  gtk_window_destroy (GTK_WINDOW (f->window));
  gui_test_settle ();
  g_application_quit (G_APPLICATION (f->app));
  g_object_unref (f->app);
  gui_test_remove_dir (f->dir);
  g_free (f->dir);
}

typedef struct
{
  guint position, removed, added, calls;
} Change;

static void
items_changed_cb (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  Change     *change)
{
  change->position = position;
  change->removed = removed;
  change->added = added;
  change->calls++;
}

/* One of the first product, confirmed as at Reception. */
static void
confirm (Fixture    *f,
         const char *customer)
{
  GListModel *products = G_LIST_MODEL (yatai_application_get_products (f->app));
  g_autoptr(YataiProduct) product = g_list_model_get_item (products, 0);
  YataiCartLine line = { yatai_product_get_id (product), 1 };
  g_autoptr(JsonObject) args = yatai_order_confirm_args (&line, 1, customer, "", 10000, FALSE, 5);
  g_autoptr(JsonNode) result = yatai_application_run (f->app, "order.confirm", args, NULL, NULL);

  g_assert_nonnull (result);
}

/* 100,000 orders: all listed, filtered by day, status and search; a new one is one row at the top. */
static void
test_hundred_thousand (Fixture       *f,
                       gconstpointer  data)
{
  GtkWidget *page = GTK_WIDGET (f->page);
  GListModel *visible = yatai_orders_page_get_visible (f->page);
  Change change = { 0 };
  GtkDropDown *day = GTK_DROP_DOWN (gui_test_find (page, "day_dropdown"));
  GtkDropDown *status = GTK_DROP_DOWN (gui_test_find (page, "status_dropdown"));

  g_assert_cmpuint (g_list_model_get_n_items (visible), ==, 100000);
  g_assert_cmpstr (gui_test_label (page, "count_label"), ==, "100,000 orders");
  {
    g_autoptr(YataiOrder) newest = g_list_model_get_item (visible, 0);

    g_assert_cmpstr (yatai_order_get_customer (newest), ==, "客99999");
  }

  /* The newest day comes first in the day list, after "All days". */
  gtk_drop_down_set_selected (day, 1);
  gui_test_settle ();
  g_assert_cmpuint (g_list_model_get_n_items (visible), ==, 50000);
  gtk_drop_down_set_selected (status, 4);  /* cancelled */
  gui_test_settle ();
  g_assert_cmpuint (g_list_model_get_n_items (visible), ==, 12500);
  gtk_drop_down_set_selected (day, 0);
  gtk_drop_down_set_selected (status, 0);
  gui_test_type (page, "orders_search", "客12345");
  g_usleep (300000);
  gui_test_settle ();
  g_assert_cmpuint (g_list_model_get_n_items (visible), ==, 1);
  gui_test_type (page, "orders_search", "");
  g_usleep (300000);
  gui_test_settle ();
  g_assert_cmpuint (g_list_model_get_n_items (visible), ==, 100000);

  /* A new order from the counter: one row inserted at the top, nothing else announced. */
  g_signal_connect (visible, "items-changed", G_CALLBACK (items_changed_cb), &change);
  confirm (f, "新しい客");
  g_assert_cmpuint (change.calls, ==, 1);
  g_assert_cmpuint (change.position, ==, 0);
  g_assert_cmpuint (change.removed, ==, 0);
  g_assert_cmpuint (change.added, ==, 1);

  /* While the page is hidden (the window on Kitchen), orders cost it nothing; shown again, it has them. */
  yatai_window_set_page (f->window, "kitchen");
  gui_test_settle ();
  change.calls = 0;
  for (guint i = 0; i < 3; i++)
    confirm (f, "厨房の間の客");
  g_assert_cmpuint (change.calls, ==, 0);
  yatai_window_set_page (f->window, "orders");
  gui_test_settle ();
  g_assert_cmpuint (g_list_model_get_n_items (visible), ==, 100004);
  g_assert_cmpstr (gui_test_label (page, "count_label"), ==, "100,004 orders");
  {
    g_autoptr(YataiOrder) newest = g_list_model_get_item (visible, 0);

    g_assert_cmpstr (yatai_order_get_customer (newest), ==, "厨房の間の客");
  }
  g_signal_handlers_disconnect_by_data (visible, &change);
}

/* Edit a name; delete asks and offers cancelling; cancel puts the order on record as cancelled. */
static void
test_edit_cancel_delete (Fixture       *f,
                         gconstpointer  data)
{
  GListModel *visible = yatai_orders_page_get_visible (f->page);
  GtkWidget *editor;
  AdwMessageDialog *dialog;
  gint64 id;

  {
    GListModel *products = G_LIST_MODEL (yatai_application_get_products (f->app));
    g_autoptr(YataiProduct) product = g_list_model_get_item (products, 0);
    YataiCartLine line = { yatai_product_get_id (product), 2 };
    g_autoptr(JsonObject) args = yatai_order_confirm_args (&line, 1, "たなか", "", 10000, FALSE, 5);
    g_autoptr(JsonNode) result = yatai_application_run (f->app, "order.confirm", args, NULL, NULL);

    id = json_object_get_int_member (json_node_get_object (result), "id");
  }
  g_assert_cmpuint (g_list_model_get_n_items (visible), ==, 1);

  editor = GTK_WIDGET (yatai_orders_page_open_order (f->page, 0));
  gui_test_settle ();
  gui_test_type (editor, "customer_row", "たなか様");
  gui_test_click (editor, "save_button");
  {
    g_autoptr(YataiOrder) order = g_list_model_get_item (visible, 0);

    g_assert_cmpstr (yatai_order_get_customer (order), ==, "たなか様");
  }

  /* Delete asks first, and says cancelling is usually what is wanted; choosing that cancels. */
  editor = GTK_WIDGET (yatai_orders_page_open_order (f->page, 0));
  gui_test_settle ();
  gui_test_click (editor, "delete_button");
  dialog = ADW_MESSAGE_DIALOG (gui_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG));
  g_assert_nonnull (dialog);
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "Cancelling is usually what you want"));
  adw_message_dialog_response (dialog, "cancel-order");
  gui_test_settle ();
  {
    g_autoptr(YataiOrder) order = g_list_model_get_item (visible, 0);

    g_assert_cmpint (yatai_order_get_id (order), ==, id);
    g_assert_cmpint (yatai_order_get_status (order), ==, YATAI_ORDER_CANCELLED);
  }

  /* Deleted for real, it leaves the list. */
  editor = GTK_WIDGET (yatai_orders_page_open_order (f->page, 0));
  gui_test_settle ();
  gui_test_click (editor, "delete_button");
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (gui_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG)), "delete");
  gui_test_settle ();
  g_assert_cmpuint (g_list_model_get_n_items (visible), ==, 0);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (gui_test_find (GTK_WIDGET (f->page), "view_stack"))),
                   ==, "empty");
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add ("/orders-page/hundred-thousand", Fixture, GUINT_TO_POINTER (100000),
              fixture_set_up, test_hundred_thousand, fixture_tear_down);
  g_test_add ("/orders-page/edit-cancel-delete", Fixture, GUINT_TO_POINTER (0),
              fixture_set_up, test_edit_cancel_delete, fixture_tear_down);
  return g_test_run ();
}
