/* test-store.c: the store refuses what it must, keeps what it must, and never loses a write */
#include "config.h"

#include <glib/gstdio.h>

#include "yatai-store-journal.h"
#include "yatai-store-private.h"
#include "yatai-store-orders.h"
#include "yatai-store-products.h"
#include "yatai-picture.h"

#include <gdk-pixbuf/gdk-pixbuf.h>

typedef struct
{
  char       *dir;
  char       *path;
  YataiStore *store;
  guint       n_changed;
} Fixture;

static void
changed_cb (YataiStore   *store,
            YataiChanges *changes,
            Fixture      *f)
{
  f->n_changed++;
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("yatai-test-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "store.sqlite3", NULL);
  f->store = yatai_store_open (f->path, &error);
  g_assert_no_error (error);
  g_signal_connect (f->store, "changed", G_CALLBACK (changed_cb), f);
}

static void
remove_dir (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_unlink (path);
    }
  g_rmdir (dir);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_object (&f->store);
  remove_dir (f->dir);
  g_free (f->path);
  g_free (f->dir);
}

static gint64
save_product (YataiStore         *store,
              gint64              id,
              const char         *name,
              gint64              price,
              gint64              stock,
              const char * const *tags,
              GError            **error)
{
  g_autoptr(JsonObject) args = yatai_product_save_args (id, name, price, stock, FALSE, tags, NULL, TRUE);
  g_autoptr(JsonNode) result = yatai_store_run (store, "product.save", args, error);

  if (result == NULL)
    return 0;
  return json_object_get_int_member (json_node_get_object (result), "id");
}

static gint64
count (YataiStore *store,
       const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  gint64 n;

  g_assert_cmpint (sqlite3_prepare_v2 (yatai_store_get_db (store), sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  n = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return n;
}

static void
test_open_settings (Fixture       *f,
                    gconstpointer  data)
{
  g_assert_cmpint (count (f->store, "SELECT count(*) FROM pragma_journal_mode WHERE journal_mode = 'wal'"), ==, 1);
  g_assert_cmpint (count (f->store, "SELECT foreign_keys FROM pragma_foreign_keys"), ==, 1);
  g_assert_cmpint (yatai_store_get_schema_version (f->store), ==, YATAI_SCHEMA_VERSION);
  g_assert_nonnull (yatai_store_get_device_id (f->store));
  g_assert_true (yatai_store_is_empty (f->store));

  /* Every table has a declared primary key, as the session extension needs. */
  g_assert_cmpint (count (f->store,
                          "SELECT count(*) FROM sqlite_schema s WHERE s.type = 'table' AND NOT EXISTS "
                          "(SELECT 1 FROM pragma_table_info (s.name) WHERE pk > 0)"), ==, 0);
}

static void
test_reopen_keeps_device (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *id = g_strdup (yatai_store_get_device_id (f->store));
  g_autoptr(YataiStore) again = NULL;

  g_clear_object (&f->store);
  again = yatai_store_open (f->path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (yatai_store_get_device_id (again), ==, id);
}

static void
test_not_a_store (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("yatai-test-XXXXXX", NULL);
  g_autofree char *text = g_build_filename (dir, "notes.txt", NULL);
  g_autofree char *other = g_build_filename (dir, "other.sqlite3", NULL);
  g_autoptr(YataiStore) store = NULL;
  sqlite3 *db;

  g_assert_true (g_file_set_contents (text, "this is not a database, just some words ...........", -1, NULL));
  store = yatai_store_open (text, &error);
  g_assert_null (store);
  g_assert_error (error, YATAI_STORE_ERROR, YATAI_STORE_ERROR_CORRUPT);
  g_clear_error (&error);

  /* Another program's SQLite file is left alone. */
  g_assert_cmpint (sqlite3_open (other, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "CREATE TABLE t (x)", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
  store = yatai_store_open (other, &error);
  g_assert_null (store);
  g_assert_error (error, YATAI_STORE_ERROR, YATAI_STORE_ERROR_CORRUPT);
  g_assert_nonnull (strstr (error->message, "not a Yatai store"));

  remove_dir (dir);
}

static void
test_save_and_edit (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  const char *tags[] = { "フード", "温かい", NULL };
  const char *tags2[] = { "フード", NULL };
  g_autoptr(YataiProduct) product = NULL;
  gint64 id;

  id = save_product (f->store, 0, "  焼きそば ", 500, 80, tags, &error);
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  g_assert_cmpuint (f->n_changed, ==, 1);

  product = yatai_store_get_product (f->store, id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (yatai_product_get_name (product), ==, "焼きそば");
  g_assert_cmpint (yatai_product_get_price (product), ==, 500);
  g_assert_cmpint (yatai_product_get_stock (product), ==, 80);
  g_assert_cmpstrv (yatai_product_get_tags (product), tags);
  g_clear_object (&product);

  g_assert_cmpint (save_product (f->store, id, "焼きそば 大盛り", 600, 10, tags2, &error), ==, id);
  g_assert_no_error (error);
  product = yatai_store_get_product (f->store, id, &error);
  g_assert_cmpstr (yatai_product_get_name (product), ==, "焼きそば 大盛り");
  g_assert_cmpint (yatai_product_get_price (product), ==, 600);
  g_assert_cmpstrv (yatai_product_get_tags (product), tags2);

  /* The tag no product uses any more is gone. */
  g_assert_cmpint (count (f->store, "SELECT count(*) FROM tags"), ==, 1);
}

static void
assert_refused (Fixture    *f,
                const char *name,
                gint64      price,
                gint64      stock,
                int         code)
{
  g_autoptr(GError) error = NULL;
  gint64 products = count (f->store, "SELECT count(*) FROM products");
  guint changed = f->n_changed;

  g_assert_cmpint (save_product (f->store, 0, name, price, stock, NULL, &error), ==, 0);
  g_assert_error (error, YATAI_STORE_ERROR, code);
  g_assert_nonnull (error->message);
  g_assert_cmpint (count (f->store, "SELECT count(*) FROM products"), ==, products);
  g_assert_cmpuint (f->n_changed, ==, changed);
}

static void
test_checks (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  GString *emoji = g_string_new (NULL);
  GString *kana = g_string_new (NULL);

  for (int i = 0; i < 50; i++)
    {
      g_string_append (emoji, "👨‍👩‍👧");
      g_string_append (kana, "か\u3099");   /* が, written decomposed */
    }

  /* 50 emoji and 50 kana are accepted... */
  g_assert_cmpint (save_product (f->store, 0, emoji->str, 100, 1, NULL, &error), >, 0);
  g_assert_no_error (error);
  g_assert_cmpint (save_product (f->store, 0, kana->str, 100, 1, NULL, &error), >, 0);
  g_assert_no_error (error);

  /* ... and 51 are refused. */
  g_string_append (emoji, "👨‍👩‍👧");
  g_string_append (kana, "が");
  assert_refused (f, emoji->str, 100, 1, YATAI_STORE_ERROR_INVALID);
  assert_refused (f, kana->str, 100, 1, YATAI_STORE_ERROR_INVALID);

  assert_refused (f, "", 100, 1, YATAI_STORE_ERROR_INVALID);
  assert_refused (f, "   ", 100, 1, YATAI_STORE_ERROR_INVALID);
  assert_refused (f, "ラムネ", -1, 1, YATAI_STORE_ERROR_INVALID);
  assert_refused (f, "ラムネ", 1000000001, 1, YATAI_STORE_ERROR_INVALID);
  assert_refused (f, "ラムネ", 100, -1, YATAI_STORE_ERROR_INVALID);
  assert_refused (f, "ラムネ", 100, 1000000001, YATAI_STORE_ERROR_INVALID);
  g_assert_cmpint (save_product (f->store, 0, "ラムネ", 1000000000, 1000000000, NULL, &error), >, 0);
  g_assert_no_error (error);

  /* Names are unique exactly as written. */
  assert_refused (f, "ラムネ", 200, 1, YATAI_STORE_ERROR_DUPLICATE);
  g_assert_cmpint (save_product (f->store, 0, "Ramune", 200, 1, NULL, &error), >, 0);
  g_assert_cmpint (save_product (f->store, 0, "ramune", 200, 1, NULL, &error), >, 0);
  g_assert_no_error (error);
  assert_refused (f, "Ramune", 200, 1, YATAI_STORE_ERROR_DUPLICATE);

  g_string_free (emoji, TRUE);
  g_string_free (kana, TRUE);
}

static void
test_duplicate_message (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  save_product (f->store, 0, "ラムネ", 200, 1, NULL, &error);
  g_assert_no_error (error);
  save_product (f->store, 0, "ラムネ", 200, 1, NULL, &error);
  g_assert_error (error, YATAI_STORE_ERROR, YATAI_STORE_ERROR_DUPLICATE);
  g_assert_cmpstr (error->message, ==, "A product with this name already exists.");
}

static void
test_bad_arguments (Fixture       *f,
                    gconstpointer  data)
{
  const char *bad[] = {
    "{}",
    "{\"name\": 5, \"price\": 1, \"stock\": 1}",
    "{\"name\": \"x\", \"price\": \"1\", \"stock\": 1}",
    "{\"name\": \"x\", \"price\": 1.5, \"stock\": 1}",
    "{\"name\": \"x\", \"price\": 1, \"stock\": 1, \"tags\": \"a\"}",
    "{\"name\": \"x\", \"price\": 1, \"stock\": 1, \"tags\": [1]}",
    "{\"name\": \"x\", \"price\": 1, \"stock\": 1, \"tags\": [\"\"]}",
    "{\"name\": \"x\", \"price\": 1, \"stock\": 1, \"picture\": \"bm90IGEgcGljdHVyZQ==\"}",
    "{\"name\": \"x\", \"price\": 1, \"stock\": 1, \"sold_out\": \"yes\"}",
    "{\"id\": 999, \"name\": \"x\", \"price\": 1, \"stock\": 1}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) args = json_from_string (bad[i], NULL);
      g_autoptr(JsonNode) result = NULL;

      g_test_message ("args %s", bad[i]);
      result = yatai_store_run (f->store, "product.save", json_node_get_object (args), &error);
      g_assert_null (result);
      g_assert_nonnull (error);
      g_assert_cmpint (count (f->store, "SELECT count(*) FROM products"), ==, 0);
    }
}

static void
test_unknown_command (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) result = yatai_store_run (f->store, "product.explode", NULL, &error);

  g_assert_null (result);
  g_assert_error (error, YATAI_STORE_ERROR, YATAI_STORE_ERROR_UNKNOWN_COMMAND);
}

static void
test_tag_limits (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) twenty_one = NULL;
  g_auto(GStrv) twenty = NULL;

  for (int i = 0; i < 20; i++)
    {
      g_autofree char *tag = g_strdup_printf ("tag %d", i);
      g_strv_builder_add (builder, tag);
    }
  /* The same tag twice counts once: twenty distinct tags are fine. */
  g_strv_builder_add (builder, "tag 0");
  twenty = g_strv_builder_end (builder);
  g_strv_builder_addv (builder, (const char **) twenty);
  g_strv_builder_add (builder, "tag 20");
  twenty_one = g_strv_builder_end (builder);

  g_assert_cmpint (save_product (f->store, 0, "many", 1, 1, (const char * const *) twenty_one, &error), ==, 0);
  g_assert_error (error, YATAI_STORE_ERROR, YATAI_STORE_ERROR_LIMIT);
  g_clear_error (&error);
  g_assert_cmpint (count (f->store, "SELECT count(*) FROM tags"), ==, 0);

  g_assert_cmpint (save_product (f->store, 0, "many", 1, 1, (const char * const *) twenty, &error), >, 0);
  g_assert_no_error (error);
  g_assert_cmpint (count (f->store, "SELECT count(*) FROM product_tags"), ==, 20);
}

static void
test_product_limit (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (yatai_store_exec (f->store, "BEGIN", NULL));
  for (int i = 0; i < YATAI_PRODUCTS_MAX; i++)
    {
      g_autofree char *sql = g_strdup_printf ("INSERT INTO products (name, price, stock, created, updated) "
                                              "VALUES ('p%d', 1, 1, 0, 0)", i);
      g_assert_true (yatai_store_exec (f->store, sql, NULL));
    }
  g_assert_true (yatai_store_exec (f->store, "COMMIT", NULL));

  assert_refused (f, "one too many", 1, 1, YATAI_STORE_ERROR_LIMIT);

  /* Editing one of the thousand is still fine. */
  g_assert_cmpint (save_product (f->store, 1, "p0 renamed", 2, 2, NULL, &error), ==, 1);
  g_assert_no_error (error);
}

static void
test_store_tag_limit (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  const char *one[] = { "one more", NULL };
  gint64 id;

  id = save_product (f->store, 0, "holder", 1, 1, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (yatai_store_exec (f->store, "BEGIN", NULL));
  for (int i = 0; i < YATAI_TAGS_MAX; i++)
    {
      g_autofree char *sql = g_strdup_printf ("INSERT INTO tags (id, name) VALUES (%d, 't%d');"
                                              "INSERT INTO product_tags VALUES (%" G_GINT64_FORMAT ", %d)",
                                              i + 1, i, id, i + 1);
      g_assert_true (yatai_store_exec (f->store, sql, NULL));
    }
  g_assert_true (yatai_store_exec (f->store, "COMMIT", NULL));

  g_assert_cmpint (save_product (f->store, 0, "new", 1, 1, one, &error), ==, 0);
  g_assert_error (error, YATAI_STORE_ERROR, YATAI_STORE_ERROR_LIMIT);
  g_assert_cmpint (count (f->store, "SELECT count(*) FROM products"), ==, 1);
}

static void
test_delete_keeps_orders (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) args = json_object_new ();
  g_autoptr(JsonNode) result = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 id;

  id = save_product (f->store, 0, "たこ焼き", 450, 10, NULL, &error);
  g_assert_no_error (error);

  g_assert_true (yatai_store_exec (f->store,
                                   "INSERT INTO orders (id, call_number, business_day, total, paid, status, created, updated) "
                                   "VALUES (1, 1, '2026-11-24', 900, 1000, 'completed', 0, 0)", NULL));
  g_assert_cmpint (sqlite3_prepare_v2 (yatai_store_get_db (f->store),
                                       "INSERT INTO order_lines VALUES (1, 1, ?, 'たこ焼き', 450, 2, 0)",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_int64 (stmt, 1, id);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
  sqlite3_finalize (stmt);

  json_object_set_int_member (args, "id", id);
  result = yatai_store_run (f->store, "product.delete", args, &error);
  g_assert_no_error (error);
  g_assert_nonnull (result);

  g_assert_cmpint (count (f->store, "SELECT count(*) FROM products"), ==, 0);
  g_assert_cmpint (count (f->store, "SELECT count(*) FROM orders"), ==, 1);
  g_assert_cmpint (count (f->store,
                          "SELECT count(*) FROM order_lines WHERE product_id IS NULL "
                          "AND name = 'たこ焼き' AND unit_price = 450 AND quantity = 2"), ==, 1);

  /* Deleting it again says it is gone. */
  g_clear_pointer (&result, json_node_unref);
  result = yatai_store_run (f->store, "product.delete", args, &error);
  g_assert_null (result);
  g_assert_error (error, YATAI_STORE_ERROR, YATAI_STORE_ERROR_NOT_FOUND);
}

static void
test_command_once (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) args = yatai_product_save_args (0, "ラムネ", 200, 10, FALSE, NULL, NULL, TRUE);
  g_autoptr(YataiCommand) command = yatai_command_new ("product.save", args);
  g_autofree char *json = yatai_command_to_json (command);
  g_autoptr(YataiCommand) again = yatai_command_new_from_json (json, -1, &error);
  g_autoptr(JsonNode) first = NULL;
  g_autoptr(JsonNode) second = NULL;

  g_assert_no_error (error);
  g_assert_cmpstr (yatai_command_get_id (again), ==, yatai_command_get_id (command));

  first = yatai_store_execute (f->store, command, &error);
  g_assert_no_error (error);
  second = yatai_store_execute (f->store, again, &error);
  g_assert_no_error (error);

  g_assert_cmpint (count (f->store, "SELECT count(*) FROM products"), ==, 1);
  g_assert_true (json_node_equal (first, second));
}

static void
test_command_parse_refuses (void)
{
  const char *bad[] = {
    "", "null", "[]", "{\"kind\": \"x\"}", "{\"id\": \"a\"}", "{\"id\": 5, \"kind\": \"x\"}",
    "{\"id\": \"a\", \"kind\": \"x\", \"args\": []}", "{\"id\": \"a\", \"kind\": \"\"}", "{",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(YataiCommand) command = yatai_command_new_from_json (bad[i], -1, &error);

      g_assert_null (command);
      g_assert_error (error, YATAI_STORE_ERROR, YATAI_STORE_ERROR_INVALID);
    }
}

/* Text that would read as something else is refused with a message wherever it enters: a direction
 * override (U+202E before "gnp.exe" shows "exe.png" on screen) or isolate in a product's name or tag, a
 * customer or a note, typed here or sent by another device; a NUL inside a JSON string ("ab\u0000cd",
 * which json-glib would hand back as "ab") in a command from another device. Nothing is stored. */
static void
test_hidden_text_refused (Fixture       *f,
                          gconstpointer  data)
{
  const char *controls[] = { "\u202A", "\u202B", "\u202C", "\u202D", "\u202E", "\u2066", "\u2067", "\u2068", "\u2069" };
  const char *dump_before = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  gint64 id = save_product (f->store, 0, "ラムネ", 200, 10, NULL, NULL);

  before = yatai_store_dump_canonical (f->store, NULL);
  dump_before = before;
  for (guint i = 0; i < G_N_ELEMENTS (controls); i++)
    {
      g_autofree char *name = g_strconcat (controls[i], "gnp.exe", NULL);
      const char *tags[] = { name, NULL };
      YataiCartLine line = { id, 1 };
      g_autoptr(JsonObject) customer = yatai_order_confirm_args (&line, 1, name, "", 200, FALSE, 5);
      g_autoptr(JsonObject) note = yatai_order_confirm_args (&line, 1, "", name, 200, FALSE, 5);
      g_autoptr(GError) name_error = NULL;
      g_autoptr(GError) tag_error = NULL;
      g_autoptr(GError) customer_error = NULL;
      g_autoptr(GError) note_error = NULL;
      g_autoptr(JsonNode) customer_result = NULL;
      g_autoptr(JsonNode) note_result = NULL;

      g_assert_cmpint (save_product (f->store, 0, name, 100, 1, NULL, &name_error), ==, 0);
      g_assert_error (name_error, YATAI_STORE_ERROR, YATAI_STORE_ERROR_INVALID);
      g_assert_nonnull (strstr (name_error->message, "direction of writing"));
      g_assert_cmpint (save_product (f->store, 0, "焼きそば", 100, 1, tags, &tag_error), ==, 0);
      g_assert_error (tag_error, YATAI_STORE_ERROR, YATAI_STORE_ERROR_INVALID);
      g_assert_nonnull (strstr (tag_error->message, "direction of writing"));
      customer_result = yatai_store_run (f->store, "order.confirm", customer, &customer_error);
      g_assert_null (customer_result);
      g_assert_error (customer_error, YATAI_STORE_ERROR, YATAI_STORE_ERROR_INVALID);
      g_assert_nonnull (strstr (customer_error->message, "direction of writing"));
      note_result = yatai_store_run (f->store, "order.confirm", note, &note_error);
      g_assert_null (note_result);
      g_assert_error (note_error, YATAI_STORE_ERROR, YATAI_STORE_ERROR_INVALID);
    }

  /* From another device, through the inbox: the same checks, and a NUL is not cut away. */
  {
    const char *sent[] = {
      "{\"id\": \"c1\", \"device\": \"other\", \"kind\": \"order.confirm\", \"args\": {\"lines\": "
      "[{\"product_id\": 1, \"quantity\": 1}], \"paid\": 200, \"customer\": \"ab\\u0000cd\"}}",
      "{\"id\": \"c2\", \"device\": \"other\", \"kind\": \"order.confirm\", \"args\": {\"lines\": "
      "[{\"product_id\": 1, \"quantity\": 1}], \"paid\": 200, \"customer\": \"\\u202egnp.exe\"}}",
      "{\"id\": \"c3\", \"device\": \"other\", \"kind\": \"product.save\", \"args\": {\"name\": \"x\\u2066y\", "
      "\"price\": 1, \"stock\": 1}}",
    };

    for (guint i = 0; i < G_N_ELEMENTS (sent); i++)
      {
        g_autoptr(GError) error = NULL;
        g_autoptr(YataiCommand) command = yatai_command_new_from_json (sent[i], -1, &error);
        g_autoptr(JsonNode) result = NULL;

        if (command == NULL)
          {
            g_assert_error (error, YATAI_STORE_ERROR, YATAI_STORE_ERROR_INVALID);
            g_assert_nonnull (strstr (error->message, "NUL"));
            continue;
          }
        g_assert_cmpuint (i, !=, 0);
        result = yatai_store_execute (f->store, command, &error);
        g_assert_null (result);
        g_assert_error (error, YATAI_STORE_ERROR, YATAI_STORE_ERROR_INVALID);
        g_assert_nonnull (strstr (error->message, "direction of writing"));
      }
  }

  /* What the refusals of another device's commands recorded aside, the store is as it was. */
  g_assert_cmpint (count (f->store, "SELECT count(*) FROM orders"), ==, 0);
  g_assert_cmpint (count (f->store, "SELECT count(*) FROM products"), ==, 1);
  g_assert_cmpint (count (f->store, "SELECT count(*) FROM tags"), ==, 0);
  yatai_store_exec (f->store, "DELETE FROM applied_commands WHERE device = 'other'", NULL);
  after = yatai_store_dump_canonical (f->store, NULL);
  g_assert_cmpstr (after, ==, dump_before);
}

static void
test_picture (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkPixbuf) big = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, 1600, 900);
  g_autoptr(GBytes) jpeg = NULL;
  g_autoptr(GBytes) prepared = NULL;
  g_autoptr(GBytes) junk = g_bytes_new_static ("GIF89a but not really", 21);
  g_autoptr(GBytes) huge = NULL;
  g_autoptr(GdkPixbuf) back = NULL;
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(JsonObject) args = NULL;
  g_autoptr(JsonNode) result = NULL;
  g_autoptr(YataiProduct) product = NULL;
  char *buffer;
  gsize length;

  gdk_pixbuf_fill (big, 0xff8800ff);
  g_assert_true (gdk_pixbuf_save_to_buffer (big, &buffer, &length, "jpeg", &error, NULL));
  jpeg = g_bytes_new_take (buffer, length);

  prepared = yatai_picture_prepare (jpeg, &error);
  g_assert_no_error (error);
  stream = g_memory_input_stream_new_from_bytes (prepared);
  back = gdk_pixbuf_new_from_stream (stream, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gdk_pixbuf_get_width (back), ==, YATAI_PICTURE_SIZE);
  g_assert_cmpint (gdk_pixbuf_get_height (back), ==, 180);

  g_assert_null (yatai_picture_prepare (junk, &error));
  g_assert_error (error, YATAI_STORE_ERROR, YATAI_STORE_ERROR_INVALID);
  g_clear_error (&error);

  huge = g_bytes_new_take (g_malloc0 (YATAI_PICTURE_MAX_BYTES + 1), YATAI_PICTURE_MAX_BYTES + 1);
  g_assert_null (yatai_picture_prepare (huge, &error));
  g_assert_error (error, YATAI_STORE_ERROR, YATAI_STORE_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "10 MB"));
  g_clear_error (&error);

  args = yatai_product_save_args (0, "picture", 1, 1, FALSE, NULL, prepared, FALSE);
  result = yatai_store_run (f->store, "product.save", args, &error);
  g_assert_no_error (error);
  product = yatai_store_get_product (f->store, 1, &error);
  g_assert_true (g_bytes_equal (yatai_product_get_picture (product), prepared));
  g_assert_cmpint (count (f->store, "SELECT count(*) FROM product_pictures WHERE product_id = 1"), ==, 1);
}

static YataiProduct *
save_and_get (YataiStore *store,
              gint64      id,
              const char *name,
              GBytes     *picture,
              gboolean    keep_picture)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) args = yatai_product_save_args (id, name, 300, 5, FALSE, NULL, picture, keep_picture);
  g_autoptr(JsonNode) result = yatai_store_run (store, "product.save", args, &error);
  YataiProduct *product;

  g_assert_no_error (error);
  product = yatai_store_get_product (store, json_object_get_int_member (json_node_get_object (result), "id"), &error);
  g_assert_no_error (error);
  return product;
}

/* product.save with a picture, without one, keeping it, replacing it and removing it: a product
 * without a picture has no row in product_pictures, and the list reads the same pictures. */
static void
test_picture_rows (Fixture       *f,
                   gconstpointer  data)
{
  static const guint8 png[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 'o', 'n', 'e' };
  static const guint8 jpeg[] = { 0xff, 0xd8, 0xff, 't', 'w', 'o' };
  g_autoptr(GBytes) one = g_bytes_new_static (png, sizeof png);
  g_autoptr(GBytes) two = g_bytes_new_static (jpeg, sizeof jpeg);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = NULL;
  YataiProduct *with, *without;
  gint64 id;

  with = save_and_get (f->store, 0, "写真あり", one, FALSE);
  without = save_and_get (f->store, 0, "写真なし", NULL, TRUE);
  id = yatai_product_get_id (with);
  g_assert_true (g_bytes_equal (yatai_product_get_picture (with), one));
  g_assert_null (yatai_product_get_picture (without));
  g_assert_cmpint (count (f->store, "SELECT count(*) FROM product_pictures"), ==, 1);

  list = yatai_store_list_products (f->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 2);
  g_assert_true (g_bytes_equal (yatai_product_get_picture (g_ptr_array_index (list, 0)), one));
  g_assert_null (yatai_product_get_picture (g_ptr_array_index (list, 1)));
  g_clear_object (&with);
  g_clear_object (&without);

  /* Kept (no "picture" member), then replaced, then removed (null). */
  with = save_and_get (f->store, id, "写真あり 2", NULL, TRUE);
  g_assert_true (g_bytes_equal (yatai_product_get_picture (with), one));
  g_clear_object (&with);
  with = save_and_get (f->store, id, "写真あり 2", two, FALSE);
  g_assert_true (g_bytes_equal (yatai_product_get_picture (with), two));
  g_assert_cmpint (count (f->store, "SELECT count(*) FROM product_pictures"), ==, 1);
  g_clear_object (&with);
  with = save_and_get (f->store, id, "写真あり 2", NULL, FALSE);
  g_assert_null (yatai_product_get_picture (with));
  g_assert_cmpint (count (f->store, "SELECT count(*) FROM product_pictures"), ==, 0);
  g_clear_object (&with);

  /* A deleted product takes its picture with it. */
  with = save_and_get (f->store, id, "写真あり 2", two, FALSE);
  g_clear_object (&with);
  {
    g_autoptr(JsonObject) args = json_object_new ();
    g_autoptr(JsonNode) result = NULL;

    json_object_set_int_member (args, "id", id);
    result = yatai_store_run (f->store, "product.delete", args, &error);
    g_assert_no_error (error);
  }
  g_assert_cmpint (count (f->store, "SELECT count(*) FROM product_pictures"), ==, 0);
}

/* Two connections, each in its own thread, writing at once: every write lands, nothing breaks. */
typedef struct
{
  const char *path;
  int         worker;
  int         n;
} Writer;

static gpointer
writer_thread (gpointer data)
{
  Writer *w = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(YataiStore) store = yatai_store_open (w->path, &error);

  g_assert_no_error (error);
  for (int i = 0; i < w->n; i++)
    {
      g_autofree char *name = g_strdup_printf ("w%d-%d", w->worker, i);
      g_assert_cmpint (save_product (store, 0, name, i, i, NULL, &error), >, 0);
      g_assert_no_error (error);
    }
  return NULL;
}

static void
test_two_connections (Fixture       *f,
                      gconstpointer  data)
{
  Writer a = { f->path, 1, 200 }, b = { f->path, 2, 200 };
  GThread *ta = g_thread_new ("a", writer_thread, &a);
  GThread *tb = g_thread_new ("b", writer_thread, &b);

  g_thread_join (ta);
  g_thread_join (tb);

  g_assert_cmpint (count (f->store, "SELECT count(*) FROM products"), ==, 400);
  g_assert_cmpint (count (f->store, "SELECT count(*) FROM products WHERE name LIKE 'w1-%'"), ==, 200);
  g_assert_cmpint (count (f->store, "SELECT count(*) FROM pragma_integrity_check WHERE integrity_check = 'ok'"), ==, 1);
}

static void
test_migrate_from_v1 (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("yatai-test-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "old.sqlite3", NULL);
  g_autoptr(YataiStore) store = NULL;
  g_autoptr(YataiProduct) product = NULL;
  sqlite3 *db;

  /* A store as version 1 wrote it, with a product and an order. */
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, yatai_schema_migration_sql (1), NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db,
                                 "PRAGMA user_version = 1;"
                                 "INSERT INTO products (id, name, price, stock, created) VALUES (7, 'ラムネ', 200, 12, 1000);"
                                 "INSERT INTO orders VALUES (1, 1, '2026-11-01', 'Aki', '', 200, 200, 'completed', 1, 2);"
                                 "INSERT INTO order_lines VALUES (1, 1, 7, 'ラムネ', 200, 1, 1);",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  store = yatai_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (yatai_store_get_schema_version (store), ==, YATAI_SCHEMA_VERSION);

  product = yatai_store_get_product (store, 7, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (yatai_product_get_name (product), ==, "ラムネ");
  g_assert_cmpint (yatai_product_get_stock (product), ==, 12);
  g_assert_cmpint (yatai_product_get_updated (product), ==, 1000);
  g_assert_cmpint (count (store, "SELECT count(*) FROM orders WHERE customer = 'Aki'"), ==, 1);
  g_assert_cmpint (count (store, "SELECT count(*) FROM status_changes"), ==, 0);

  g_clear_object (&store);
  remove_dir (dir);
}

/* Version 5 gives each order its round of the day (how many closings came before it) from the times
 * older versions compared, once; from then on the next number follows the round, not the clock. */
static void
test_migrate_day_rounds (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("yatai-test-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "v4.sqlite3", NULL);
  g_autoptr(YataiStore) store = NULL;
  sqlite3 *db;

  /* Three orders, a closing at time 50, then two more orders. */
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  for (int v = 1; v <= 4; v++)
    g_assert_cmpint (sqlite3_exec (db, yatai_schema_migration_sql (v), NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db,
                                 "PRAGMA user_version = 4;"
                                 "INSERT INTO orders (call_number, business_day, total, status, created, updated) VALUES "
                                 "  (1, '2026-11-01', 0, 'completed', 10, 10), (2, '2026-11-01', 0, 'completed', 20, 20),"
                                 "  (3, '2026-11-01', 0, 'completed', 30, 30), (1, '2026-11-01', 0, 'pending', 60, 60),"
                                 "  (2, '2026-11-01', 0, 'pending', 70, 70);"
                                 "INSERT INTO day_closings (business_day, closed, last_call_number) VALUES ('2026-11-01', 50, 3);",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  store = yatai_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (count (store, "SELECT count(*) FROM orders WHERE day_round = 0"), ==, 3);
  g_assert_cmpint (count (store, "SELECT count(*) FROM orders WHERE day_round = 1"), ==, 2);
  g_assert_cmpint (yatai_store_next_call_number (store, "2026-11-01", NULL, &error), ==, 3);
  g_assert_no_error (error);

  g_clear_object (&store);
  remove_dir (dir);
}


/* A product's reading: saved, kept by a save that does not name it (a command of a device that has
 * none), cleared by null or "", refused as a name is when too long or hiding its direction. */
static void
test_reading (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(YataiProduct) product = NULL;
  g_autoptr(GString) long_reading = g_string_new (NULL);
  const char *bad[] = { NULL, "\u202Eばそきや", "やき\u2066そば" };
  gint64 id;

  {
    g_autoptr(JsonObject) args = yatai_product_save_args (0, "焼きそば", 500, 10, FALSE, NULL, NULL, TRUE);
    g_autoptr(JsonNode) result = NULL;

    yatai_product_args_set_reading (args, "  やきそば ");
    result = yatai_store_run (f->store, "product.save", args, &error);
    g_assert_no_error (error);
    id = json_object_get_int_member (json_node_get_object (result), "id");
  }
  product = yatai_store_get_product (f->store, id, &error);
  g_assert_cmpstr (yatai_product_get_reading (product), ==, "やきそば");
  g_clear_object (&product);

  /* Saved again without one: kept. */
  save_product (f->store, id, "焼きそば 大盛り", 600, 10, NULL, &error);
  g_assert_no_error (error);
  product = yatai_store_get_product (f->store, id, &error);
  g_assert_cmpstr (yatai_product_get_reading (product), ==, "やきそば");
  g_assert_cmpint (count (f->store, "SELECT count(*) FROM products WHERE reading = 'やきそば'"), ==, 1);
  g_clear_object (&product);

  for (int i = 0; i < YATAI_READING_MAX + 1; i++)
    g_string_append (long_reading, "や");
  bad[0] = long_reading->str;
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(JsonObject) args = yatai_product_save_args (id, "焼きそば 大盛り", 600, 10, FALSE, NULL, NULL, TRUE);
      g_autoptr(JsonNode) result = NULL;
      g_autoptr(GError) refused = NULL;

      yatai_product_args_set_reading (args, bad[i]);
      result = yatai_store_run (f->store, "product.save", args, &refused);
      g_assert_null (result);
      g_assert_error (refused, YATAI_STORE_ERROR, YATAI_STORE_ERROR_INVALID);
    }
  {
    g_autoptr(JsonObject) args = yatai_product_save_args (id, "焼きそば 大盛り", 600, 10, FALSE, NULL, NULL, TRUE);
    g_autoptr(JsonNode) result = NULL;
    g_autoptr(GError) refused = NULL;

    json_object_set_int_member (args, "reading", 7);
    result = yatai_store_run (f->store, "product.save", args, &refused);
    g_assert_error (refused, YATAI_STORE_ERROR, YATAI_STORE_ERROR_INVALID);
  }
  g_assert_cmpint (count (f->store, "SELECT count(*) FROM products WHERE reading = 'やきそば'"), ==, 1);

  /* "" and null are none. */
  {
    g_autoptr(JsonObject) args = yatai_product_save_args (id, "焼きそば 大盛り", 600, 10, FALSE, NULL, NULL, TRUE);
    g_autoptr(JsonNode) result = NULL;

    json_object_set_string_member (args, "reading", "   ");
    result = yatai_store_run (f->store, "product.save", args, &error);
    g_assert_no_error (error);
  }
  g_assert_cmpint (count (f->store, "SELECT count(*) FROM products WHERE reading IS NULL"), ==, 1);
}

/* Version 8 adds the reading; products of older files have none. */
static void
test_migrate_reading (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("yatai-test-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "v7.sqlite3", NULL);
  g_autoptr(YataiStore) store = NULL;
  g_autoptr(YataiProduct) product = NULL;
  sqlite3 *db;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  for (int v = 1; v <= 7; v++)
    g_assert_cmpint (sqlite3_exec (db, yatai_schema_migration_sql (v), NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db,
                                 "PRAGMA user_version = 7;"
                                 "INSERT INTO products (id, name, price, stock, created) VALUES (3, '唐揚げ', 400, 4, 1000);",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  store = yatai_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (yatai_store_get_schema_version (store), ==, YATAI_SCHEMA_VERSION);
  product = yatai_store_get_product (store, 3, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (yatai_product_get_name (product), ==, "唐揚げ");
  g_assert_null (yatai_product_get_reading (product));

  g_clear_object (&store);
  remove_dir (dir);
}

/* A schema-8 store with pictures in products: schema 9 moves them, byte for byte, to product_pictures,
 * drops the column, and a product without a picture gets no row. */
static void
test_migrate_pictures (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("yatai-test-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "v8.sqlite3", NULL);
  g_autoptr(YataiStore) store = NULL;
  g_autoptr(YataiProduct) with = NULL;
  g_autoptr(YataiProduct) without = NULL;
  g_autoptr(GBytes) picture = NULL;
  guint8 *data = g_malloc (200 * 1024);
  sqlite3_stmt *stmt = NULL;
  sqlite3 *db;

  /* Every byte value, NULs too, over several overflow pages. */
  data[0] = 0x89, data[1] = 'P', data[2] = 'N', data[3] = 'G';
  for (gsize i = 4; i < 200 * 1024; i++)
    data[i] = (i * 7 + i / 256) & 0xff;
  picture = g_bytes_new_take (data, 200 * 1024);

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  for (int v = 1; v <= 8; v++)
    g_assert_cmpint (sqlite3_exec (db, yatai_schema_migration_sql (v), NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db,
                                 "PRAGMA user_version = 8;"
                                 "INSERT INTO products (id, name, price, stock, created, updated, reading) "
                                 "  VALUES (4, '唐揚げ', 400, 4, 1000, 2000, 'からあげ');"
                                 "INSERT INTO products (id, name, price, stock, created, updated) "
                                 "  VALUES (5, 'ラムネ', 200, 48, 1000, 1000);",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "UPDATE products SET picture = ? WHERE id = 4", -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_blob (stmt, 1, g_bytes_get_data (picture, NULL), g_bytes_get_size (picture), SQLITE_STATIC);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
  sqlite3_finalize (stmt);
  sqlite3_close (db);

  store = yatai_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (yatai_store_get_schema_version (store), ==, YATAI_SCHEMA_VERSION);
  with = yatai_store_get_product (store, 4, &error);
  g_assert_no_error (error);
  without = yatai_store_get_product (store, 5, &error);
  g_assert_no_error (error);
  g_assert_nonnull (yatai_product_get_picture (with));
  g_assert_true (g_bytes_equal (yatai_product_get_picture (with), picture));
  g_assert_null (yatai_product_get_picture (without));
  g_assert_cmpstr (yatai_product_get_reading (with), ==, "からあげ");
  g_assert_cmpint (yatai_product_get_updated (with), ==, 2000);
  g_assert_cmpint (yatai_product_get_stock (with), ==, 4);

  g_assert_cmpint (count (store, "SELECT count(*) FROM product_pictures"), ==, 1);
  g_assert_cmpint (count (store, "SELECT count(*) FROM pragma_table_info ('products') WHERE name = 'picture'"), ==, 0);
  g_assert_cmpint (count (store, "SELECT count(*) FROM pragma_integrity_check WHERE integrity_check = 'ok'"), ==, 1);
  g_assert_cmpint (count (store, "SELECT count(*) FROM pragma_foreign_key_check"), ==, 0);

  g_clear_object (&store);
  remove_dir (dir);
}

static void
test_newer_version_refused (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("yatai-test-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "new.sqlite3", NULL);
  g_autoptr(YataiStore) store = NULL;
  sqlite3 *db;

  store = yatai_store_open (path, &error);
  g_assert_no_error (error);
  g_clear_object (&store);
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "PRAGMA user_version = 99", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  store = yatai_store_open (path, &error);
  g_assert_null (store);
  g_assert_error (error, YATAI_STORE_ERROR, YATAI_STORE_ERROR_CORRUPT);
  g_assert_nonnull (strstr (error->message, "newer version"));
  remove_dir (dir);
}

static void
test_demo (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (yatai_store_load_demo (f->store, &error));
  g_assert_no_error (error);
  g_assert_false (yatai_store_is_empty (f->store));
  g_assert_cmpint (count (f->store, "SELECT count(*) FROM products"), >=, 8);
  g_assert_cmpint (count (f->store, "SELECT count(*) FROM tags"), >=, 4);

  /* Loading it twice adds nothing. */
  g_assert_true (yatai_store_load_demo (f->store, &error));
  g_assert_cmpint (count (f->store, "SELECT count(*) FROM products WHERE name = '焼きそば'"), ==, 1);
  /* Its Japanese products have their readings, so romaji finds them. */
  g_assert_cmpint (count (f->store, "SELECT count(*) FROM products WHERE name = '焼きそば' AND reading = 'やきそば'"), ==, 1);
  g_assert_cmpint (count (f->store, "SELECT count(*) FROM products WHERE reading IS NULL"), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/store/open-settings", test_open_settings);
  ADD ("/store/reopen-keeps-device", test_reopen_keeps_device);
  g_test_add_func ("/store/not-a-store", test_not_a_store);
  ADD ("/store/save-and-edit", test_save_and_edit);
  ADD ("/store/checks-refuse-and-change-nothing", test_checks);
  ADD ("/store/duplicate-message", test_duplicate_message);
  ADD ("/store/bad-arguments", test_bad_arguments);
  ADD ("/store/unknown-command", test_unknown_command);
  ADD ("/store/tags-per-product-limit", test_tag_limits);
  ADD ("/store/product-limit", test_product_limit);
  ADD ("/store/store-tag-limit", test_store_tag_limit);
  ADD ("/store/delete-keeps-orders", test_delete_keeps_orders);
  ADD ("/store/command-applies-once", test_command_once);
  g_test_add_func ("/store/command-parse-refuses", test_command_parse_refuses);
  ADD ("/store/hidden-text-refused", test_hidden_text_refused);
  ADD ("/store/picture", test_picture);
  ADD ("/store/picture-rows", test_picture_rows);
  ADD ("/store/reading", test_reading);
  ADD ("/store/two-connections", test_two_connections);
  g_test_add_func ("/store/migrate-from-v1", test_migrate_from_v1);
  g_test_add_func ("/store/migrate-day-rounds", test_migrate_day_rounds);
  g_test_add_func ("/store/migrate-reading", test_migrate_reading);
  g_test_add_func ("/store/migrate-pictures", test_migrate_pictures);
  g_test_add_func ("/store/newer-version-refused", test_newer_version_refused);
  ADD ("/store/demo", test_demo);
#undef ADD

  return g_test_run ();
}
