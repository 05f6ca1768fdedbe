/* fuzz-seeds.c: writes the seed corpora that come from Yatai's own code
 *
 *   fuzz-seeds DIR     (DIR is tests/fuzz/corpus)
 *
 * snapshot/: the database image of a snapshot segment (the demo menu; the menu with orders in every
 * status), made by yatai_store_snapshot() as the writer makes it. csv/: the Sales page's products export
 * and order lines export, and a products file with every quoting case. command/: the commands the pages
 * build, as JSON. log/: the payloads of log segments (changesets). The bucket's answers (gcs/) and leases are written by hand from GCS-FACTS.md.
 */
#include "config.h"

#include <glib/gstdio.h>

#include "yatai-csv.h"
#include "yatai-store-journal.h"
#include "yatai-store-orders.h"
#include "yatai-store-products.h"

#include "fuzz-demo.h"

static void
write_file (const char *dir,
            const char *kind,
            const char *name,
            const void *data,
            gsize       size)
{
  g_autofree char *folder = g_build_filename (dir, kind, NULL);
  g_autofree char *path = g_build_filename (folder, name, NULL);
  g_autoptr(GError) error = NULL;

  g_mkdir_with_parents (folder, 0755);
  if (!g_file_set_contents (path, data, size, &error))
    g_error ("%s", error->message);
  g_print ("%s (%" G_GSIZE_FORMAT " bytes)\n", path, size);
}

static void
write_snapshot (YataiStore *store,
                const char *dir,
                const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) image = yatai_store_snapshot (store, &error);

  g_assert_no_error (error);
  write_file (dir, "snapshot", name, g_bytes_get_data (image, NULL), g_bytes_get_size (image));
}

static JsonNode *
run (YataiStore *store,
     const char *dir,
     const char *seed,
     const char *kind,
     JsonObject *args)
{
  g_autoptr(YataiCommand) command = yatai_command_new (kind, args);
  g_autoptr(GError) error = NULL;
  JsonNode *result;

  if (seed != NULL)
    {
      g_autofree char *json = yatai_command_to_json (command);

      write_file (dir, "command", seed, json, strlen (json));
    }
  result = yatai_store_execute (store, command, &error);
  g_assert_no_error (error);
  return result;
}

static gint64
confirm (YataiStore *store,
         const char *dir,
         const char *seed,
         gint64      a,
         gint64      b)
{
  YataiCartLine lines[] = { { a, 2 }, { b, 1 } };
  g_autoptr(JsonObject) args = yatai_order_confirm_args (lines, 2, "山田", "ねぎ抜き, \"大盛り\"", 5000, FALSE, 5);
  g_autoptr(JsonNode) result = run (store, dir, seed, "order.confirm", args);

  return json_object_get_int_member (json_node_get_object (result), "id");
}

static void
move (YataiStore *store,
      const char *dir,
      const char *seed,
      const char *kind,
      gint64      id,
      const char *status)
{
  g_autoptr(JsonObject) args = json_object_new ();
  g_autoptr(JsonNode) result = NULL;

  json_object_set_int_member (args, "id", id);
  if (status != NULL)
    json_object_set_string_member (args, "status", status);
  result = run (store, dir, seed, kind, args);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *tmp = g_dir_make_tmp ("yatai-seeds-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (tmp, "store.sqlite3", NULL);
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (path, "-shm", NULL);
  g_autoptr(YataiStore) store = NULL;
  g_autoptr(GPtrArray) products = NULL;
  g_autofree char *csv = NULL;
  const char *dir;
  gint64 first, second, third;

  if (argc != 2)
    {
      g_printerr ("usage: fuzz-seeds tests/fuzz/corpus\n");
      return 2;
    }
  dir = argv[1];
  g_setenv ("TZ", "Asia/Tokyo", TRUE);

  store = yatai_store_open (path, NULL);
  g_assert (store != NULL);
  g_assert (yatai_store_load_demo (store, NULL));
  write_snapshot (store, dir, "demo.db");
  csv = yatai_store_export_products (store, NULL);
  write_file (dir, "csv", "products-demo.csv", csv, strlen (csv));

  products = yatai_store_list_products (store, NULL);
  g_assert (products->len >= 3);
  first = confirm (store, dir, "order-confirm.json",
                   yatai_product_get_id (products->pdata[0]), yatai_product_get_id (products->pdata[1]));
  second = confirm (store, dir, NULL,
                    yatai_product_get_id (products->pdata[1]), yatai_product_get_id (products->pdata[2]));
  third = confirm (store, dir, NULL,
                   yatai_product_get_id (products->pdata[0]), yatai_product_get_id (products->pdata[2]));
  move (store, dir, "order-status.json", "order.status", first, "processing");
  move (store, dir, NULL, "order.status", first, "completed");
  move (store, dir, NULL, "order.status", second, "processing");
  move (store, dir, "order-cancel.json", "order.cancel", third, NULL);
  write_snapshot (store, dir, "orders.db");

  g_clear_pointer (&csv, g_free);
  csv = yatai_store_export_order_lines (store, NULL, NULL);
  write_file (dir, "csv", "order-lines.csv", csv, strlen (csv));

  {
    const char *quoted =
      YATAI_CSV_BOM
      "name,price,stock,sold_out,tags\r\n"
      "\"カンマ, と \"\"引用符\"\"\",123,7,yes,記号|なし\r\n"
      "\"二行\r\nの名前\",0,0,0,\r\n"
      "焼きそば,600,20,n,\" 麺 | 定番 \"\n"
      "ラムネ,200,,,\r";

    write_file (dir, "csv", "products-quoted.csv", quoted, strlen (quoted));
  }

  g_clear_object (&store);
  g_unlink (path);
  g_unlink (wal);
  g_unlink (shm);

  /* log/: the payloads a writer uploads, from a store with the demo menu and the journal on (the fuzz
   * target applies them to a store with the demo menu): one with every change of a few orders, and
   * one a change. */
  store = yatai_store_open (path, NULL);
  g_assert (store != NULL);
  g_assert (yatai_store_load_demo (store, NULL));
  fuzz_demo_pin_time (store);
  yatai_store_set_journal_enabled (store, TRUE);
  g_clear_pointer (&products, g_ptr_array_unref);
  products = yatai_store_list_products (store, NULL);
  first = confirm (store, dir, NULL,
                   yatai_product_get_id (products->pdata[0]), yatai_product_get_id (products->pdata[1]));
  second = confirm (store, dir, NULL,
                    yatai_product_get_id (products->pdata[2]), yatai_product_get_id (products->pdata[1]));
  move (store, dir, NULL, "order.status", first, "processing");
  move (store, dir, NULL, "order.cancel", second, NULL);
  {
    g_autoptr(GPtrArray) entries = yatai_store_outbox_peek (store, G_MAXINT, NULL);
    g_autoptr(GByteArray) all = g_byte_array_new ();

    g_assert (entries != NULL && entries->len > 0);
    for (guint i = 0; i < entries->len; i++)
      {
        YataiOutboxEntry *entry = g_ptr_array_index (entries, i);
        g_autoptr(GByteArray) one = g_byte_array_new ();
        g_autofree char *name = g_strdup_printf ("change-%u.payload", i + 1);
        gsize size;
        const guint8 *changeset = g_bytes_get_data (entry->changeset, &size);
        guint32 size_be = GUINT32_TO_BE ((guint32) size);

        g_byte_array_append (one, (const guint8 *) &size_be, 4);
        g_byte_array_append (one, changeset, size);
        write_file (dir, "log", name, one->data, one->len);
        g_byte_array_append (all, one->data, one->len);
      }
    write_file (dir, "log", "orders.payload", all->data, all->len);
  }

  g_clear_object (&store);
  g_unlink (path);
  g_unlink (wal);
  g_unlink (shm);
  g_rmdir (tmp);
  return 0;
}
