/* test-two-devices.c: the counter and the kitchen as two devices with their own stores, syncing through
 * yatai-test-bucket, each in its own window (Xvfb). An order confirmed at the counter shows on the
 * kitchen's page; the kitchen's tap comes back to the counter. */
#include "config.h"

#include "gui-test-util.h"
#include "test-server.h"
#include "yatai-kitchen-page.h"
#include "yatai-reception-page.h"
#include "yatai-store-orders.h"
#include "yatai-window.h"

static gboolean
kitchen_has_order (gpointer page)
{
  return g_list_model_get_n_items (G_LIST_MODEL (yatai_kitchen_page_get_active (page))) == 1;
}

static gboolean
counter_sees_cooking (gpointer page)
{
  return gui_test_find_label (gui_test_find (page, "latest_box"), "1 Cooking") != NULL;
}

static gboolean
refusal_shown (gpointer data)
{
  return g_list_model_get_n_items (G_LIST_MODEL (yatai_application_get_pending (data))) == 0;
}

static char *refusal;

static void
finished_cb (YataiPendingCommands *pending,
             YataiPendingCommand  *command,
             gpointer              data)
{
  g_free (refusal);
  refusal = g_strdup (yatai_pending_command_get_refusal (command));
}

static void
test_order_crosses (void)
{
  g_autofree char *url = NULL;
  g_autoptr(GSubprocess) server = test_server_start (NULL, &url);
  g_autofree char *dir_a = NULL;
  g_autofree char *dir_b = NULL;
  g_autoptr(YataiApplication) counter = gui_test_app_new (TRUE, &dir_a);
  g_autoptr(YataiApplication) kitchen = gui_test_app_new (FALSE, &dir_b);
  YataiWindow *counter_window, *kitchen_window;
  GtkWidget *reception, *kitchen_page;
  GListModel *products;
  gint64 ms;

  /* The counter has the menu and starts first: it founds the stall and writes. */
  yatai_application_set_sync_overrides (counter, "stall", url, "two/stall", "Counter PC");
  gui_test_run_until (gui_test_is_writer, counter);
  yatai_application_set_sync_overrides (kitchen, "stall", url, "two/stall", "Kitchen");
  ms = gui_test_run_until (gui_test_follows_with_menu, kitchen);
  g_test_message ("the kitchen restored the stall in %" G_GINT64_FORMAT " ms", ms);

  counter_window = yatai_window_new (counter);
  yatai_window_set_page (counter_window, "reception");
  gtk_window_present (GTK_WINDOW (counter_window));
  kitchen_window = yatai_window_new (kitchen);
  gtk_widget_activate_action (GTK_WIDGET (kitchen_window), "win.start-empty", NULL);
  yatai_window_set_page (kitchen_window, "kitchen");
  gtk_window_present (GTK_WINDOW (kitchen_window));
  gui_test_settle ();
  reception = yatai_window_get_page (counter_window, "reception");
  kitchen_page = yatai_window_get_page (kitchen_window, "kitchen");
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (gui_test_find (kitchen_page, "cards_stack"))),
                   ==, "empty");

  /* The cashier takes an order for yakisoba. */
  products = G_LIST_MODEL (yatai_application_get_products (counter));
  for (guint i = 0; i < g_list_model_get_n_items (products); i++)
    {
      g_autoptr(YataiProduct) product = g_list_model_get_item (products, i);

      if (g_str_equal (yatai_product_get_name (product), "焼きそば"))
        g_assert_true (yatai_reception_page_add_product (YATAI_RECEPTION_PAGE (reception), product));
    }
  gui_test_click (reception, "exact_button");
  gui_test_click (reception, "confirm_button");
  g_assert_cmpstr (gui_test_label (reception, "call_number_label"), ==, "1");

  ms = gui_test_run_until (kitchen_has_order, kitchen_page);
  g_test_message ("the order reached the kitchen's page %" G_GINT64_FORMAT " ms after Confirm", ms);
  gui_test_settle ();
  g_assert_nonnull (gui_test_find_label (kitchen_page, "焼きそば ×1"));

  /* The kitchen starts it: a command to the writer, and back at the counter. */
  {
    g_autoptr(YataiOrder) order = g_list_model_get_item (G_LIST_MODEL (yatai_kitchen_page_get_active (
                                                           YATAI_KITCHEN_PAGE (kitchen_page))), 0);

    gtk_widget_activate_action_variant (kitchen_page, "kitchen.advance",
                                        g_variant_new_int64 (yatai_order_get_id (order)));
  }
  ms = gui_test_run_until (counter_sees_cooking, reception);
  g_test_message ("the kitchen's tap showed at the counter after %" G_GINT64_FORMAT " ms", ms);

  /* An order sent from the kitchen for something sold out: the writer refuses, the kitchen is told why. */
  {
    GListModel *menu = G_LIST_MODEL (yatai_application_get_products (kitchen));
    gint64 apple = 0;
    gboolean sent = FALSE;

    for (guint i = 0; i < g_list_model_get_n_items (menu); i++)
      {
        g_autoptr(YataiProduct) product = g_list_model_get_item (menu, i);

        if (g_str_equal (yatai_product_get_name (product), "りんご飴"))
          apple = yatai_product_get_id (product);
      }
    {
      YataiCartLine line = { apple, 1 };
      g_autoptr(JsonObject) args = yatai_order_confirm_args (&line, 1, "", "", 1000, FALSE, 5);
      g_autoptr(JsonNode) result = NULL;

      g_signal_connect (yatai_application_get_pending (kitchen), "finished", G_CALLBACK (finished_cb), NULL);
      result = yatai_application_run (kitchen, "order.confirm", args, &sent, NULL);

      g_assert_nonnull (result);
      g_assert_true (sent);
    }
    ms = gui_test_run_until (refusal_shown, kitchen);
    g_test_message ("the refusal reached the kitchen after %" G_GINT64_FORMAT " ms", ms);
    g_assert_nonnull (refusal);
    g_assert_nonnull (strstr (refusal, "りんご飴"));
    gui_test_settle ();
    {
      g_autofree char *toast = g_strdup_printf ("The writer refused a change: %s", refusal);

      g_assert_nonnull (gui_test_find_label (GTK_WIDGET (kitchen_window), toast));
    }
    g_clear_pointer (&refusal, g_free);
  }

  gtk_window_destroy (GTK_WINDOW (counter_window));
  gtk_window_destroy (GTK_WINDOW (kitchen_window));
  gui_test_settle ();
  g_application_quit (G_APPLICATION (kitchen));
  g_application_quit (G_APPLICATION (counter));
  gui_test_remove_dir (dir_a);
  gui_test_remove_dir (dir_b);
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  g_test_add_func ("/two-devices/order-crosses", test_order_crosses);
  return g_test_run ();
}
