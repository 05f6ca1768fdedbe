/* yatai-screenshots.c: the pictures of the README and the metainfo, made from a clean build
 *
 * Usage: yatai-screenshots OUTDIR   (under Xvfb; LANGUAGE picks the language, YATAI_STYLE=dark the style,
 *                                   YATAI_SIZE the window's size: 1280x800, or the kitchen screen's 1024x768)
 * Each scene is the real window on a store with the demo menu, rendered to OUTDIR/<scene>.png.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "gui-test-util.h"
#include "yatai-call-board.h"
#include "yatai-kitchen-page.h"
#include "yatai-reception-page.h"
#include "yatai-sales-page.h"
#include "yatai-store-orders.h"
#include "yatai-register-page.h"
#include "yatai-window.h"

static void
save_png (GtkWidget  *widget,
          const char *dir,
          const char *scene)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *path = g_strdup_printf ("%s/%s.png", dir, scene);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  graphene_rect_t bounds;

  gui_test_settle ();
  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  graphene_rect_init (&bounds, 0, 0, width, height);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (widget)), node, &bounds);
  if (!gdk_texture_save_to_png (texture, path))
    g_error ("Could not write %s", path);
  g_print ("%s (%d×%d)\n", path, width, height);
}

/* The store's clock, moved back while the busy morning is made up, so orders have ages. */
static gint64 clock_offset;
static gint64 clock_fixed;   /* when set, the store's time is this moment */

static gint64
shifted_clock (gpointer data)
{
  return clock_fixed != 0 ? clock_fixed : g_get_real_time () + clock_offset;
}

static gint64
product_id (YataiApplication *app,
            const char       *name)
{
  GListModel *products = G_LIST_MODEL (yatai_application_get_products (app));

  for (guint i = 0; i < g_list_model_get_n_items (products); i++)
    {
      g_autoptr(YataiProduct) product = g_list_model_get_item (products, i);

      if (g_str_equal (yatai_product_get_name (product), name))
        return yatai_product_get_id (product);
    }
  g_error ("No product %s in the demo menu", name);
}

static gint64
take_order (YataiApplication *app,
            gint64            minutes_ago,
            const char       *customer,
            const char       *note,
            const char       *first,
            gint64            first_quantity,
            const char       *second,
            gint64            second_quantity)
{
  YataiCartLine lines[2] = { { product_id (app, first), first_quantity }, { 0, 0 } };
  g_autoptr(JsonObject) args = NULL;
  g_autoptr(JsonNode) result = NULL;
  g_autoptr(GError) error = NULL;

  if (second != NULL)
    lines[1] = (YataiCartLine) { product_id (app, second), second_quantity };
  clock_offset = -minutes_ago * 60 * G_USEC_PER_SEC - 17 * G_USEC_PER_SEC;
  args = yatai_order_confirm_args (lines, second != NULL ? 2 : 1, customer, note, 10000, FALSE, 5);
  result = yatai_application_run (app, "order.confirm", args, NULL, &error);
  clock_offset = 0;
  if (result == NULL)
    g_error ("%s", error->message);
  return json_object_get_int_member (json_node_get_object (result), "id");
}

static void
move (YataiApplication *app,
      gint64            id,
      const char       *kind,
      const char       *member,
      const char       *value)
{
  g_autoptr(JsonObject) args = json_object_new ();
  g_autoptr(JsonNode) result = NULL;

  json_object_set_int_member (args, "id", id);
  if (member != NULL && g_str_equal (member, "line_no"))
    {
      json_object_set_int_member (args, "line_no", 1);
      json_object_set_boolean_member (args, "done", TRUE);
    }
  else if (member != NULL)
    json_object_set_string_member (args, member, value);
  result = yatai_application_run (app, kind, args, NULL, NULL);
  g_assert (result != NULL);
}

static void
wait_a_moment (guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < end)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (5000);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *store_dir = NULL;
  g_autoptr(YataiApplication) app = NULL;
  const char *out = argc > 1 ? argv[1] : ".";
  const char *style = g_getenv ("YATAI_STYLE");
  int width = 1280, height = 800;
  YataiWindow *window;
  GtkWidget *page = NULL;
  GtkWindow *editor;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, g_getenv ("YATAI_LOCALEDIR") ? g_getenv ("YATAI_LOCALEDIR") : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  gtk_init ();
  adw_init ();
  g_mkdir_with_parents (out, 0755);

  app = gui_test_app_new (TRUE, &store_dir);
  if (style != NULL)
    g_settings_set_string (yatai_application_get_settings (app), "style", style);

  if (g_getenv ("YATAI_SIZE") != NULL && sscanf (g_getenv ("YATAI_SIZE"), "%dx%d", &width, &height) != 2)
    g_error ("YATAI_SIZE is WIDTHxHEIGHT, as 1024x768");
  window = yatai_window_new (app);
  gtk_window_set_default_size (GTK_WINDOW (window), width, height);
  gtk_window_present (GTK_WINDOW (window));
  wait_a_moment (500);

  /* Reception, mid-order: two yakisoba, a ramune, the customer's name, ¥2,000 handed over. */
  yatai_window_set_page (window, "reception");
  page = yatai_window_get_page (window, "reception");
  {
    GListModel *products = G_LIST_MODEL (yatai_application_get_products (app));
    const char *wanted[] = { "焼きそば", "焼きそば", "ラムネ", "唐揚げ" };

    for (guint w = 0; w < G_N_ELEMENTS (wanted); w++)
      for (guint i = 0; i < g_list_model_get_n_items (products); i++)
        {
          g_autoptr(YataiProduct) product = g_list_model_get_item (products, i);

          if (g_str_equal (yatai_product_get_name (product), wanted[w]))
            yatai_reception_page_add_product (YATAI_RECEPTION_PAGE (page), product);
        }
  }
  gui_test_type (page, "customer_entry", "たなか");
  gui_test_type (page, "paid_entry", "2000");
  wait_a_moment (300);
  save_png (GTK_WIDGET (window), out, "reception");

  gtk_widget_activate_action (page, "reception.confirm", NULL);
  wait_a_moment (300);
  save_png (GTK_WIDGET (window), out, "reception-called");

  /* Kitchen: a busy few minutes, one order late, one getting there, one being cooked. */
  yatai_store_set_clock (yatai_application_get_store (app), shifted_clock, NULL);
  {
    gint64 late = take_order (app, 9, "", "", "たこ焼き (8個)", 2, "ラムネ", 2);
    gint64 warn = take_order (app, 6, "さとう", "ソース少なめ", "焼きそば", 1, NULL, 0);
    gint64 cooking = take_order (app, 3, "", "", "フランクフルト", 3, "緑茶", 1);

    take_order (app, 1, "すずき", "", "チョコバナナ", 2, "かき氷 いちご", 1);
    take_order (app, 0, "", "アレルギー: 卵なし", "焼きそば", 2, "ラムネ", 1);
    move (app, cooking, "order.status", "status", "processing");
    move (app, cooking, "order.line-done", "line_no", NULL);
    move (app, warn, "order.status", "status", "processing");
    (void) late;
  }
  yatai_window_set_page (window, "kitchen");
  page = yatai_window_get_page (window, "kitchen");
  yatai_kitchen_page_tick (YATAI_KITCHEN_PAGE (page));
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (gui_test_find (page, "all_day_button")), TRUE);
  wait_a_moment (5000);  /* the new cards stop flashing */
  save_png (GTK_WIDGET (window), out, "kitchen");
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (gui_test_find (page, "all_day_button")), FALSE);

  /* The recall list open, with the order completed a moment ago (the window as a picture: the list
   * is a popover, drawn in a surface of its own). */
  {
    GListModel *active = G_LIST_MODEL (yatai_kitchen_page_get_active (YATAI_KITCHEN_PAGE (page)));
    g_autoptr(YataiOrder) last = g_list_model_get_item (active, g_list_model_get_n_items (active) - 1);
    GtkMenuButton *recall = GTK_MENU_BUTTON (gui_test_find (page, "recall_button"));

    move (app, yatai_order_get_id (last), "order.status", "status", "processing");
    move (app, yatai_order_get_id (last), "order.status", "status", "completed");
    gtk_menu_button_popup (recall);
    wait_a_moment (500);
    save_png (GTK_WIDGET (gtk_menu_button_get_popover (recall)), out, "kitchen-recall");
    gtk_menu_button_popdown (recall);
  }

  /* The call board, with a couple of numbers ready. */
  {
    YataiCallBoard *board = yatai_call_board_new (app);
    GListModel *active = G_LIST_MODEL (yatai_kitchen_page_get_active (YATAI_KITCHEN_PAGE (page)));
    g_autoptr(YataiOrder) first = g_list_model_get_item (active, 0);

    move (app, yatai_order_get_id (first), "order.status", "status", "completed");
    gtk_window_set_default_size (GTK_WINDOW (board), width, height);
    gtk_window_present (GTK_WINDOW (board));
    wait_a_moment (500);
    save_png (GTK_WIDGET (board), out, "call-board");
    gtk_window_destroy (GTK_WINDOW (board));
  }

  /* Orders: the history of the day. */
  yatai_window_set_page (window, "orders");
  wait_a_moment (300);
  save_png (GTK_WIDGET (window), out, "orders");

  /* Sales: a busy festival day, yesterday from 10:00 to 17:00, with a few cancellations. */
  {
    const char *menu[] = { "焼きそば", "たこ焼き (8個)", "フランクフルト", "ラムネ", "緑茶", "チョコバナナ", "かき氷 いちご" };
    g_autoptr(GDateTime) morning = g_date_time_new_local (2026, 11, 23, 10, 0, 0);
    GRand *rand = g_rand_new_with_seed (11);
    YataiStore *store = yatai_application_get_store (app);

    for (guint i = 0; i < 140; i++)
      {
        /* More orders at lunch: two peaks. */
        double t = g_rand_double (rand);
        double hour = t < 0.45 ? 1.5 + g_rand_double (rand) * 2.0 : t < 0.75 ? 5.0 + g_rand_double (rand) * 1.5
                                                                                : g_rand_double (rand) * 7.0;
        guint a = g_rand_int_range (rand, 0, G_N_ELEMENTS (menu)), b = g_rand_int_range (rand, 0, G_N_ELEMENTS (menu));
        YataiCartLine lines[2] = { { product_id (app, menu[a]), g_rand_int_range (rand, 1, 4) },
                                   { product_id (app, menu[b]), 1 } };
        g_autoptr(JsonObject) args = NULL;
        g_autoptr(JsonNode) result = NULL;

        clock_fixed = g_date_time_to_unix (morning) * G_USEC_PER_SEC + (gint64) (hour * 3600.0 * G_USEC_PER_SEC);
        args = yatai_order_confirm_args (lines, a == b ? 1 : 2, "", "", 100000, FALSE, 5);
        result = yatai_application_run (app, "order.confirm", args, NULL, NULL);
        if (result == NULL)
          continue;
        if (i % 17 == 0)
          move (app, json_object_get_int_member (json_node_get_object (result), "id"), "order.cancel", NULL, NULL);
        else
          move (app, json_object_get_int_member (json_node_get_object (result), "id"), "order.status", "status", "completed");
      }
    g_rand_free (rand);
    clock_fixed = 0;
    (void) store;
  }
  yatai_window_set_page (window, "sales");
  page = yatai_window_get_page (window, "sales");
  yatai_sales_page_select_day (YATAI_SALES_PAGE (page), "2026-11-23");
  wait_a_moment (500);
  save_png (GTK_WIDGET (window), out, "sales");

  /* Register: the menu. */
  yatai_window_set_page (window, "register");
  wait_a_moment (300);
  save_png (GTK_WIDGET (window), out, "register");

  /* Register: editing a product, with its reading and a price a person mistyped (the message under it). */
  page = yatai_window_get_page (window, "register");
  gtk_widget_activate_action (page, "register.add", NULL);
  wait_a_moment (300);
  editor = yatai_register_page_get_editor (YATAI_REGISTER_PAGE (page));
  gui_test_type (GTK_WIDGET (editor), "name_row", "お好み焼き");
  gui_test_type (GTK_WIDGET (editor), "reading_row", "おこのみやき");
  gui_test_type (GTK_WIDGET (editor), "price_row", "5OO");
  gui_test_type (GTK_WIDGET (editor), "stock_row", "40");
  gui_test_type (GTK_WIDGET (editor), "tag_row", "フード");
  g_signal_emit_by_name (gui_test_find (GTK_WIDGET (editor), "tag_row"), "apply");
  wait_a_moment (300);
  save_png (GTK_WIDGET (editor), out, "register-editor");
  gtk_window_destroy (editor);

  gtk_window_destroy (GTK_WINDOW (window));
  gui_test_settle ();
  g_application_quit (G_APPLICATION (app));
  gui_test_remove_dir (store_dir);
  return 0;
}
