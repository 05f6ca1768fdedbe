/* csv-sample.c: writes the order-lines and products CSV of a store with the demo menu and a few
 * orders, for the LibreOffice check (libreoffice-check.sh). Usage: csv-sample DIR */
#include "config.h"

#include <glib/gstdio.h>
#include <locale.h>

#include "yatai-csv.h"
#include "yatai-store-orders.h"
#include "yatai-store-products.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *lines_path = NULL;
  g_autofree char *products_path = NULL;
  g_autofree char *lines = NULL;
  g_autofree char *products = NULL;
  g_autoptr(YataiStore) store = NULL;
  g_autoptr(GPtrArray) menu = NULL;

  setlocale (LC_ALL, "");
  if (argc != 2)
    {
      g_printerr ("Usage: csv-sample DIR\n");
      return 2;
    }
  path = g_build_filename (argv[1], "sample.sqlite3", NULL);
  store = yatai_store_open (path, &error);
  if (store == NULL || !yatai_store_load_demo (store, &error))
    g_error ("%s", error->message);
  menu = yatai_store_list_products (store, NULL);
  for (guint i = 0; i < 3; i++)
    {
      YataiCartLine line = { yatai_product_get_id (menu->pdata[i]), i + 1 };
      g_autoptr(JsonObject) args = yatai_order_confirm_args (&line, 1, "たなか", "", 10000, FALSE, 5);
      g_autoptr(JsonNode) result = yatai_store_run (store, "order.confirm", args, &error);

      if (result == NULL)
        g_error ("%s", error->message);
    }
  lines = yatai_store_export_order_lines (store, NULL, &error);
  products = yatai_store_export_products (store, &error);
  lines_path = g_build_filename (argv[1], "order-lines.csv", NULL);
  products_path = g_build_filename (argv[1], "products.csv", NULL);
  if (lines == NULL || products == NULL ||
      !g_file_set_contents (lines_path, lines, -1, &error) ||
      !g_file_set_contents (products_path, products, -1, &error))
    g_error ("%s", error ? error->message : "export failed");
  /* The names the check looks for in what LibreOffice read. */
  for (guint i = 0; i < menu->len; i++)
    g_print ("%s\n", yatai_product_get_name (menu->pdata[i]));
  return 0;
}
