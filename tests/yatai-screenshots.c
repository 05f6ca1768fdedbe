/* yatai-screenshots.c: the pictures of the README and the metainfo, made from a clean build
 *
 * Usage: yatai-screenshots OUTDIR   (under Xvfb; LANGUAGE picks the language, YATAI_STYLE=dark the style)
 * Each scene is the real window on a store with the demo menu, rendered to OUTDIR/<scene>.png.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "gui-test-util.h"
#include "yatai-reception-page.h"
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

  window = yatai_window_new (app);
  gtk_window_set_default_size (GTK_WINDOW (window), 1200, 760);
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

  /* Register: the menu. */
  yatai_window_set_page (window, "register");
  wait_a_moment (300);
  save_png (GTK_WIDGET (window), out, "register");

  /* Register: editing a product, with a price a person mistyped. */
  page = yatai_window_get_page (window, "register");
  gtk_widget_activate_action (page, "register.add", NULL);
  wait_a_moment (300);
  editor = yatai_register_page_get_editor (YATAI_REGISTER_PAGE (page));
  gui_test_type (GTK_WIDGET (editor), "name_row", "お好み焼き");
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
