/* test-sales-page.c: the Sales page shows the chosen day's figures, under Xvfb */
#include "config.h"

#include "gui-test-util.h"
#include "yatai-sales-page.h"
#include "yatai-store-orders.h"
#include "yatai-text.h"
#include "yatai-window.h"

static gint64 now_us = G_GINT64_CONSTANT (1795482000000000);  /* 2026-11-24 10:00 in Tokyo */

static gint64
test_clock (gpointer data)
{
  return now_us;
}

static void
order (YataiApplication *app,
       guint             product,
       gint64            quantity,
       gboolean          cancel)
{
  g_autoptr(YataiProduct) p = g_list_model_get_item (G_LIST_MODEL (yatai_application_get_products (app)), product);
  YataiCartLine line = { yatai_product_get_id (p), quantity };
  g_autoptr(JsonObject) args = yatai_order_confirm_args (&line, 1, "", "", 100000, FALSE, 5);
  g_autoptr(JsonNode) result = yatai_application_run (app, "order.confirm", args, NULL, NULL);

  g_assert_nonnull (result);
  if (cancel)
    {
      g_autoptr(JsonObject) c = json_object_new ();
      g_autoptr(JsonNode) cancelled = NULL;

      json_object_set_int_member (c, "id", json_object_get_int_member (json_node_get_object (result), "id"));
      cancelled = yatai_application_run (app, "order.cancel", c, NULL, NULL);
      g_assert_nonnull (cancelled);
    }
}

static void
test_figures_of_the_day (void)
{
  g_autofree char *dir = NULL;
  g_autoptr(YataiApplication) app = gui_test_app_new (TRUE, &dir);
  YataiWindow *window;
  GtkWidget *page;

  yatai_store_set_clock (yatai_application_get_store (app), test_clock, NULL);
  /* The 23rd: two orders of the first product, and one of the second, cancelled. */
  now_us -= 24 * G_GINT64_CONSTANT (3600000000);
  order (app, 0, 2, FALSE);
  order (app, 0, 1, FALSE);
  order (app, 1, 1, TRUE);
  now_us += 24 * G_GINT64_CONSTANT (3600000000);
  order (app, 1, 4, FALSE);

  window = yatai_window_new (app);
  yatai_window_set_page (window, "sales");
  gtk_window_present (GTK_WINDOW (window));
  gui_test_settle ();
  page = yatai_window_get_page (window, "sales");

  /* Today (the 24th) is shown first: one order. */
  g_assert_cmpstr (yatai_sales_page_get_day (YATAI_SALES_PAGE (page)), ==, "2026-11-24");
  g_assert_cmpstr (gui_test_label (page, "orders_label"), ==, "1");
  {
    g_autoptr(YataiProduct) p = g_list_model_get_item (G_LIST_MODEL (yatai_application_get_products (app)), 1);
    g_autofree char *expected = yatai_text_format_yen (yatai_product_get_price (p) * 4);

    g_assert_cmpstr (gui_test_label (page, "sales_label"), ==, expected);
  }
  g_assert_cmpstr (gui_test_label (page, "open_label"), ==, "1");

  /* The day before: two orders counted, the cancelled one not. */
  g_assert_true (yatai_sales_page_select_day (YATAI_SALES_PAGE (page), "2026-11-23"));
  gui_test_settle ();
  g_assert_cmpstr (gui_test_label (page, "orders_label"), ==, "2");
  {
    g_autoptr(YataiProduct) p = g_list_model_get_item (G_LIST_MODEL (yatai_application_get_products (app)), 0);
    g_autofree char *sales = yatai_text_format_yen (yatai_product_get_price (p) * 3);
    g_autofree char *average = yatai_text_format_yen ((yatai_product_get_price (p) * 3 + 1) / 2);

    g_assert_cmpstr (gui_test_label (page, "sales_label"), ==, sales);
    g_assert_cmpstr (gui_test_label (page, "average_label"), ==, average);
    g_assert_nonnull (gui_test_find_label (page, yatai_product_get_name (p)));
  }
  g_assert_true (g_str_has_prefix (gui_test_label (page, "cancelled_label"), "1 order cancelled"));

  /* A new order today updates today's figures while the page is open. */
  yatai_sales_page_select_day (YATAI_SALES_PAGE (page), "2026-11-24");
  order (app, 2, 1, FALSE);
  gui_test_settle ();
  g_assert_cmpstr (gui_test_label (page, "orders_label"), ==, "2");

  /* Orders taken while another page is shown are counted when the page is shown again. */
  yatai_window_set_page (window, "reception");
  gui_test_settle ();
  order (app, 2, 1, FALSE);
  order (app, 2, 1, FALSE);
  gui_test_settle ();
  g_assert_cmpstr (gui_test_label (page, "orders_label"), ==, "2");
  yatai_window_set_page (window, "sales");
  gui_test_settle ();
  g_assert_cmpstr (gui_test_label (page, "orders_label"), ==, "4");
  g_assert_cmpstr (gui_test_label (page, "open_label"), ==, "4");

  gtk_window_destroy (GTK_WINDOW (window));
  gui_test_settle ();
  g_application_quit (G_APPLICATION (app));
  gui_test_remove_dir (dir);
}

/* An import with a bad row changes nothing and names the row; a good one adds the products. */
static void
test_import (void)
{
  g_autofree char *dir = NULL;
  g_autoptr(YataiApplication) app = gui_test_app_new (FALSE, &dir);
  YataiWindow *window = yatai_window_new (app);
  YataiSalesPage *page = YATAI_SALES_PAGE (yatai_window_get_page (window, "sales"));
  g_autoptr(GBytes) bad = g_bytes_new_static ("name,price,stock\nお好み焼き,600,20\n焼きそば,abc,10\n", 56);
  g_autoptr(GBytes) good = g_bytes_new_static ("\xef\xbb\xbfname,price,stock,tags\nお好み焼き,600,20,フード|温かい\n", 64);
  g_autoptr(GError) error = NULL;

  gtk_window_present (GTK_WINDOW (window));
  gui_test_settle ();
  g_assert_false (yatai_sales_page_import (page, bad, &error));
  g_assert_nonnull (strstr (error->message, "Line 3:"));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (yatai_application_get_products (app))), ==, 0);
  g_clear_error (&error);

  g_assert_true (yatai_sales_page_import (page, good, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (yatai_application_get_products (app))), ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (yatai_application_get_tags (app))), ==, 2);

  gtk_window_destroy (GTK_WINDOW (window));
  gui_test_settle ();
  g_application_quit (G_APPLICATION (app));
  gui_test_remove_dir (dir);
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  g_test_add_func ("/sales-page/figures-of-the-day", test_figures_of_the_day);
  g_test_add_func ("/sales-page/import", test_import);
  return g_test_run ();
}
