/* test-sales.c: a day's figures, closing the day, and the CSV files out and in (no display) */
#include "config.h"

#include <glib/gstdio.h>

#include "yatai-csv.h"
#include "yatai-sales.h"
#include "yatai-store-journal.h"
#include "yatai-store-orders.h"
#include "yatai-store-products.h"

typedef struct
{
  char       *dir;
  YataiStore *store;
  gint64      now;
} Fixture;

#define MORNING G_GINT64_CONSTANT (1795482000000000)  /* 2026-11-24 10:00 in Tokyo */
#define MINUTE  (G_GINT64_CONSTANT (60) * G_USEC_PER_SEC)

static gint64
test_clock (gpointer data)
{
  return ((Fixture *) data)->now;
}

static YataiStore *
open_store (Fixture    *f,
            const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (f->dir, name, NULL);
  YataiStore *store = yatai_store_open (path, &error);

  g_assert_no_error (error);
  yatai_store_set_clock (store, test_clock, f);
  return store;
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->dir = g_dir_make_tmp ("yatai-sales-XXXXXX", NULL);
  f->now = MORNING;
  f->store = open_store (f, "store.sqlite3");
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  g_clear_object (&f->store);
  dir = g_dir_open (f->dir, 0, NULL);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (f->dir, name, NULL);

      g_unlink (path);
    }
  g_rmdir (f->dir);
  g_free (f->dir);
}

static JsonNode *
run (YataiStore  *store,
     const char  *kind,
     JsonObject  *args,
     GError     **error)
{
  g_autoptr(YataiCommand) command = yatai_command_new (kind, args);

  return yatai_store_execute (store, command, error);
}

static gint64
add_product (YataiStore *store,
             const char *name,
             gint64      price,
             const char *tag)
{
  const char *tags[] = { tag, NULL };
  g_autoptr(JsonObject) args = yatai_product_save_args (0, name, price, 100000, FALSE, tag ? tags : NULL, NULL, FALSE);
  g_autoptr(JsonNode) result = run (store, "product.save", args, NULL);

  g_assert_nonnull (result);
  return json_object_get_int_member (json_node_get_object (result), "id");
}

typedef struct
{
  gint64 n_orders, sales, open, cancelled;
  gint64 quantity[3], amount[3];
  gint64 by_hour[24];
} Expected;

/* A day of 120 orders from 10:00, one every 5 minutes; every 6th cancelled, the last 10 still open. */
static void
generate_day (Fixture  *f,
              gint64   *ids,
              Expected *expected)
{
  const gint64 prices[] = { 500, 450, 200 };
  GRand *rand = g_rand_new_with_seed (42);

  memset (expected, 0, sizeof *expected);
  for (guint i = 0; i < 120; i++)
    {
      guint a = i % 3, b = (i + 1) % 3;
      gint64 qa = g_rand_int_range (rand, 1, 4), qb = g_rand_int_range (rand, 1, 3);
      YataiCartLine lines[] = { { ids[a], qa }, { ids[b], qb } };
      g_autoptr(JsonObject) args = yatai_order_confirm_args (lines, 2, "客", "", 100000, FALSE, 5);
      g_autoptr(JsonNode) result = NULL;
      g_autoptr(GDateTime) at = NULL;
      gint64 id, total = prices[a] * qa + prices[b] * qb;

      f->now = MORNING + i * 5 * MINUTE;
      result = run (f->store, "order.confirm", args, NULL);
      g_assert_nonnull (result);
      id = json_object_get_int_member (json_node_get_object (result), "id");
      g_assert_cmpint (json_object_get_int_member (json_node_get_object (result), "total"), ==, total);

      if (i % 6 == 0)
        {
          g_autoptr(JsonObject) cancel = json_object_new ();
          g_autoptr(JsonNode) cancelled = NULL;

          json_object_set_int_member (cancel, "id", id);
          cancelled = run (f->store, "order.cancel", cancel, NULL);
          g_assert_nonnull (cancelled);
          expected->cancelled++;
          continue;
        }
      if (i < 110)
        {
          g_autoptr(JsonObject) done = json_object_new ();
          g_autoptr(JsonNode) moved = NULL;

          json_object_set_int_member (done, "id", id);
          json_object_set_string_member (done, "status", "completed");
          moved = run (f->store, "order.status", done, NULL);
          g_assert_nonnull (moved);
        }
      else
        expected->open++;
      expected->n_orders++;
      expected->sales += total;
      expected->quantity[a] += qa;
      expected->amount[a] += prices[a] * qa;
      expected->quantity[b] += qb;
      expected->amount[b] += prices[b] * qb;
      at = g_date_time_new_from_unix_local (f->now / G_USEC_PER_SEC);
      expected->by_hour[g_date_time_get_hour (at)]++;
    }
  g_rand_free (rand);
}

/* The day's figures match sums computed here, order by order. */
static void
test_day_figures (Fixture       *f,
                  gconstpointer  data)
{
  const char *names[] = { "焼きそば", "たこ焼き", "ラムネ" };
  gint64 ids[3] = { add_product (f->store, names[0], 500, "フード"), add_product (f->store, names[1], 450, NULL),
                    add_product (f->store, names[2], 200, "ドリンク") };
  Expected expected;
  g_autoptr(YataiDaySummary) summary = NULL;

  generate_day (f, ids, &expected);
  summary = yatai_store_day_summary (f->store, "2026-11-24", NULL);
  g_assert_nonnull (summary);
  g_assert_cmpint (summary->n_orders, ==, expected.n_orders);
  g_assert_cmpint (summary->sales, ==, expected.sales);
  g_assert_cmpint (summary->n_open, ==, expected.open);
  g_assert_cmpint (summary->n_cancelled, ==, expected.cancelled);
  g_assert_cmpint (summary->average, ==, (expected.sales + expected.n_orders / 2) / expected.n_orders);
  for (guint h = 0; h < 24; h++)
    g_assert_cmpint (summary->by_hour[h], ==, expected.by_hour[h]);
  g_assert_cmpuint (summary->by_product->len, ==, 3);
  for (guint i = 0; i < summary->by_product->len; i++)
    {
      YataiProductSales *row = &g_array_index (summary->by_product, YataiProductSales, i);
      guint p = g_str_equal (row->name, names[0]) ? 0 : g_str_equal (row->name, names[1]) ? 1 : 2;

      g_assert_cmpint (row->quantity, ==, expected.quantity[p]);
      g_assert_cmpint (row->amount, ==, expected.amount[p]);
      if (i > 0)
        g_assert_cmpint (row->amount, <=, g_array_index (summary->by_product, YataiProductSales, i - 1).amount);
    }

  /* Another day has nothing. */
  {
    g_autoptr(YataiDaySummary) empty = yatai_store_day_summary (f->store, "2026-11-23", NULL);

    g_assert_cmpint (empty->n_orders, ==, 0);
    g_assert_cmpint (empty->average, ==, 0);
  }
}

/* The test's own CSV reader, independent of the app's: quotes, doubled quotes, CRLF. */
static GPtrArray *
read_csv (const char *text)
{
  GPtrArray *rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  GPtrArray *row = g_ptr_array_new_with_free_func (g_free);
  GString *cell = g_string_new (NULL);
  gboolean quoted = FALSE;

  for (const char *p = text; *p != '\0'; p++)
    {
      if (quoted)
        {
          if (*p == '"' && p[1] == '"')
            g_string_append_c (cell, *p++);
          else if (*p == '"')
            quoted = FALSE;
          else
            g_string_append_c (cell, *p);
        }
      else if (*p == '"')
        quoted = TRUE;
      else if (*p == ',')
        {
          g_ptr_array_add (row, g_string_free (cell, FALSE));
          cell = g_string_new (NULL);
        }
      else if (*p == '\r' && p[1] == '\n')
        {
          p++;
          g_ptr_array_add (row, g_string_free (cell, FALSE));
          cell = g_string_new (NULL);
          g_ptr_array_add (rows, row);
          row = g_ptr_array_new_with_free_func (g_free);
        }
      else
        g_string_append_c (cell, *p);
    }
  g_assert_cmpuint (cell->len, ==, 0);
  g_assert_cmpuint (row->len, ==, 0);
  g_string_free (cell, TRUE);
  g_ptr_array_unref (row);
  return rows;
}

#define CELL(row, i) ((const char *) g_ptr_array_index ((GPtrArray *) (row), (i)))

/* The order-lines CSV parses back to the same lines: BOM, offset timestamps, a deleted product's empty id. */
static void
test_order_lines_csv (Fixture       *f,
                      gconstpointer  data)
{
  gint64 ids[3] = { add_product (f->store, "焼きそば", 500, NULL), add_product (f->store, "たこ焼き, 8個", 450, NULL),
                    add_product (f->store, "ラムネ \"冷\"", 200, NULL) };
  Expected expected;
  g_autofree char *csv = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(JsonObject) del = json_object_new ();
  g_autoptr(JsonNode) deleted = NULL;
  gint64 total_lines = 0, sum = 0;

  generate_day (f, ids, &expected);
  json_object_set_int_member (del, "id", ids[2]);
  deleted = run (f->store, "product.delete", del, NULL);
  g_assert_nonnull (deleted);

  csv = yatai_store_export_order_lines (f->store, "2026-11-24", NULL);
  g_assert_true (g_str_has_prefix (csv, "\xef\xbb\xbf" "order_id,call_number,business_day,created,"));
  rows = read_csv (csv + 3);
  g_assert_cmpuint (rows->len, ==, 1 + 240);
  for (guint r = 1; r < rows->len; r++)
    {
      GPtrArray *row = rows->pdata[r];
      g_autoptr(GDateTime) created = NULL;

      g_assert_cmpuint (row->len, ==, 14);
      g_assert_cmpstr (CELL (row, 2), ==, "2026-11-24");
      g_assert_true (g_str_has_suffix (CELL (row, 3), "+09:00"));
      created = g_date_time_new_from_iso8601 (CELL (row, 3), NULL);
      g_assert_nonnull (created);
      g_assert_cmpint (g_ascii_strtoll (CELL (row, 13), NULL, 10), ==,
                       g_ascii_strtoll (CELL (row, 11), NULL, 10) * g_ascii_strtoll (CELL (row, 12), NULL, 10));
      if (g_str_equal (CELL (row, 10), "ラムネ \"冷\""))
        g_assert_cmpstr (CELL (row, 9), ==, "");   /* deleted since */
      else
        g_assert_cmpstr (CELL (row, 9), !=, "");
      if (!g_str_equal (CELL (row, 5), "cancelled"))
        sum += g_ascii_strtoll (CELL (row, 13), NULL, 10);
      total_lines++;
    }
  g_assert_cmpint (total_lines, ==, 240);
  g_assert_cmpint (sum, ==, expected.sales);

  /* The file name says what and when. */
  {
    g_autoptr(GDateTime) when = g_date_time_new_local (2026, 11, 24, 18, 30, 5);
    g_autofree char *name = yatai_csv_file_name ("order-lines", when);

    g_assert_cmpstr (name, ==, "order-lines-2026-11-24-18-30-05.csv");
  }
}

/* The products export imported into an empty store gives the same products. */
static void
test_products_round_trip (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(YataiStore) empty = open_store (f, "empty.sqlite3");
  g_autofree char *exported = NULL;
  g_autofree char *again = NULL;
  g_autoptr(JsonObject) args = NULL;
  g_autoptr(JsonNode) result = NULL;

  g_assert_true (yatai_store_load_demo (f->store, &error));
  {
    const char *tags[] = { "記号", "なし", NULL };
    g_autoptr(JsonObject) save = yatai_product_save_args (0, "カンマ, と \"引用符\"", 123, 7, TRUE, tags, NULL, FALSE);
    g_autoptr(JsonNode) saved = run (f->store, "product.save", save, NULL);

    g_assert_nonnull (saved);
  }
  exported = yatai_store_export_products (f->store, NULL);
  args = yatai_products_import_args (exported, -1, &error);
  g_assert_no_error (error);
  result = run (empty, "products.import", args, &error);
  g_assert_no_error (error);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (result), "added"), ==, 11);

  /* Same names, prices, stock, sold out, tags and readings (ids are the new store's own). */
  again = yatai_store_export_products (empty, NULL);
  {
    g_autoptr(GPtrArray) a = read_csv (exported + 3);
    g_autoptr(GPtrArray) b = read_csv (again + 3);

    g_assert_cmpstr (CELL (a->pdata[0], 6), ==, "reading");
    g_assert_cmpstr (CELL (a->pdata[1], 1), ==, "焼きそば");
    g_assert_cmpstr (CELL (a->pdata[1], 6), ==, "やきそば");
    g_assert_cmpuint (a->len, ==, b->len);
    for (guint r = 1; r < a->len; r++)
      for (guint c = 1; c < 7; c++)
        g_assert_cmpstr (CELL (a->pdata[r], c), ==, CELL (b->pdata[r], c));
  }

  /* Importing again updates, it does not double. */
  {
    g_autoptr(JsonNode) twice = run (empty, "products.import", args, &error);

    g_assert_no_error (error);
    g_assert_cmpint (json_object_get_int_member (json_node_get_object (twice), "updated"), ==, 11);
    g_assert_cmpuint (yatai_store_count_products (empty), ==, 11);
  }
}

static gint64
count_rows (YataiStore *store,
            const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  gint64 n = -1;

  g_assert_cmpint (sqlite3_prepare_v2 (yatai_store_get_db (store), sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    n = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return n;
}

/* A file from before readings (no "reading" column) still imports, and keeps the readings the menu
 * has; one with the column sets them, an empty cell to none; a bad reading is refused with its line. */
static void
test_products_reading_column (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) too_long = g_string_new ("name,price,stock,reading\n焼きそば,500,10,");
  const char *old = "name,price,stock,sold_out,tags\n焼きそば,550,70,0,フード\nお好み焼き,600,20,0,\n";
  const char *with_column = "\xef\xbb\xbfname,reading,price,stock\n焼きそば,,500,10\nお好み焼き,おこのみやき,600,20\n";

  g_assert_true (yatai_store_load_demo (f->store, &error));
  {
    g_autoptr(JsonObject) args = yatai_products_import_args (old, -1, &error);
    g_autoptr(JsonNode) result = NULL;

    g_assert_no_error (error);
    result = run (f->store, "products.import", args, &error);
    g_assert_no_error (error);
  }
  g_assert_cmpint (count_rows (f->store, "SELECT count(*) FROM products WHERE name = '焼きそば' AND price = 550 AND reading = 'やきそば'"), ==, 1);
  g_assert_cmpint (count_rows (f->store, "SELECT count(*) FROM products WHERE name = 'お好み焼き' AND reading IS NULL"), ==, 1);

  {
    g_autoptr(JsonObject) args = yatai_products_import_args (with_column, -1, &error);
    g_autoptr(JsonNode) result = NULL;

    g_assert_no_error (error);
    result = run (f->store, "products.import", args, &error);
    g_assert_no_error (error);
  }
  g_assert_cmpint (count_rows (f->store, "SELECT count(*) FROM products WHERE name = '焼きそば' AND reading IS NULL"), ==, 1);
  g_assert_cmpint (count_rows (f->store, "SELECT count(*) FROM products WHERE name = 'お好み焼き' AND reading = 'おこのみやき'"), ==, 1);

  for (int i = 0; i < YATAI_READING_MAX + 1; i++)
    g_string_append (too_long, "や");
  g_string_append (too_long, "\n");
  {
    g_autoptr(JsonObject) args = yatai_products_import_args (too_long->str, -1, &error);
    g_autoptr(JsonNode) result = NULL;

    g_assert_no_error (error);
    result = run (f->store, "products.import", args, &error);
    g_assert_null (result);
    g_assert_error (error, YATAI_STORE_ERROR, YATAI_STORE_ERROR_INVALID);
    g_assert_true (g_str_has_prefix (error->message, "Line 2: At most 50 characters (now 51)."));
  }
  g_assert_cmpint (count_rows (f->store, "SELECT count(*) FROM products WHERE name = '焼きそば' AND reading IS NULL"), ==, 1);
}

/* Text a spreadsheet would run as a formula is exported with a "'" before it, quoted (OWASP's CSV
 * injection guidance), and a products file read back holds exactly the names and tags it had, those
 * that really begin with "=", "+", "-", "@" or "'" included. */
static void
test_formula_cells (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(YataiStore) empty = open_store (f, "empty.sqlite3");
  const char *names[] = { "=HYPERLINK(\"http://x.example/\",\"ok\")", "+81 焼きそば", "-1 たこ焼き", "@SUM(A1)",
                          "'quoted", "'=already", "'", "ラムネ" };
  const char *cells[] = { "'=HYPERLINK(\"http://x.example/\",\"ok\")", "'+81 焼きそば", "'-1 たこ焼き", "'@SUM(A1)",
                          "''quoted", "''=already", "''", "ラムネ" };
  g_autofree char *exported = NULL;
  g_autofree char *again = NULL;
  g_autofree char *lines_csv = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(JsonObject) args = NULL;
  g_autoptr(JsonNode) result = NULL;
  sqlite3 *db = yatai_store_get_db (f->store);

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      const char *tags[] = { i == 0 ? "=cmd|x" : "-x", NULL };
      const char *one_tag[] = { "=tag", "+tag", NULL };
      g_autoptr(JsonObject) save = yatai_product_save_args (0, names[i], 100, 5, FALSE, i == 0 ? one_tag : tags + 1,
                                                            NULL, FALSE);
      g_autoptr(JsonNode) saved = run (f->store, "product.save", save, &error);

      g_assert_no_error (error);
    }

  /* Out: each name's cell as a spreadsheet reads it, and no cell of the file begins with a formula. */
  exported = yatai_store_export_products (f->store, NULL);
  g_assert_nonnull (strstr (exported, ",\"'=HYPERLINK(\"\"http://x.example/\"\",\"\"ok\"\")\","));
  g_assert_nonnull (strstr (exported, ",\"'+tag|=tag\",\r\n"));
  rows = read_csv (exported + 3);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      gboolean found = FALSE;

      for (guint r = 1; r < rows->len; r++)
        found |= g_str_equal (CELL (rows->pdata[r], 1), cells[i]);
      g_assert_true (found);
    }
  for (guint r = 0; r < rows->len; r++)
    for (guint c = 0; c < ((GPtrArray *) rows->pdata[r])->len; c++)
      g_assert_null (strchr ("=+-@\t\r", CELL (rows->pdata[r], c)[0] ? CELL (rows->pdata[r], c)[0] : 'x'));

  /* In: exactly the names and tags there were. */
  args = yatai_products_import_args (exported, -1, &error);
  g_assert_no_error (error);
  result = run (empty, "products.import", args, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autoptr(GPtrArray) products = yatai_store_list_products (empty, NULL);
      YataiProduct *product = NULL;

      for (guint p = 0; p < products->len; p++)
        if (g_str_equal (yatai_product_get_name (products->pdata[p]), names[i]))
          product = products->pdata[p];
      g_assert_nonnull (product);
      if (i == 0)
        {
          g_assert_cmpstr (yatai_product_get_tags (product)[0], ==, "+tag");
          g_assert_cmpstr (yatai_product_get_tags (product)[1], ==, "=tag");
        }
    }
  again = yatai_store_export_products (empty, NULL);
  {
    g_autoptr(GPtrArray) b = read_csv (again + 3);

    g_assert_cmpuint (rows->len, ==, b->len);
    for (guint r = 1; r < rows->len; r++)
      for (guint c = 1; c < 6; c++)
        g_assert_cmpstr (CELL (rows->pdata[r], c), ==, CELL (b->pdata[r], c));
  }

  /* The order lines: the customer and the product's name, a tab or carriage return first included
   * (an older store may hold one). */
  {
    gint64 id = add_product (f->store, "@焼きそば", 500, NULL);
    YataiCartLine line = { id, 1 };
    g_autoptr(JsonObject) confirm = yatai_order_confirm_args (&line, 1, "=1+1", "", 500, FALSE, 5);
    g_autoptr(JsonNode) confirmed = run (f->store, "order.confirm", confirm, &error);
    g_autoptr(GPtrArray) order_rows = NULL;

    g_assert_no_error (error);
    g_assert_cmpint (sqlite3_exec (db, "INSERT INTO orders (call_number, business_day, customer, total, status, created, updated) "
                                       "VALUES (9, '2026-11-24', '\tcmd', 0, 'pending', 1, 1);"
                                       "INSERT INTO order_lines (order_id, line_no, name, unit_price, quantity) "
                                       "VALUES (last_insert_rowid (), 1, '\rcmd', 0, 1);", NULL, NULL, NULL), ==, SQLITE_OK);
    lines_csv = yatai_store_export_order_lines (f->store, "2026-11-24", &error);
    g_assert_no_error (error);
    g_assert_nonnull (strstr (lines_csv, ",\"'=1+1\","));
    order_rows = read_csv (lines_csv + 3);
    g_assert_cmpuint (order_rows->len, ==, 3);
    g_assert_cmpstr (CELL (order_rows->pdata[1], 6), ==, "'=1+1");
    g_assert_cmpstr (CELL (order_rows->pdata[1], 10), ==, "'@焼きそば");
    g_assert_cmpstr (CELL (order_rows->pdata[2], 6), ==, "'\tcmd");
    g_assert_cmpstr (CELL (order_rows->pdata[2], 10), ==, "'\rcmd");
  }
}

/* A file with bad rows changes nothing, and names each one with its line. */
static void
test_bad_rows_change_nothing (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  const char *bad_form = "name,price,stock\n焼きそば,500,10\nラムネ,二百,5\n緑茶,150,-1\n";
  g_autoptr(GString) bad_store = g_string_new ("name,price,stock,sold_out,tags\n焼きそば,500,10,0,\n");
  g_autoptr(JsonObject) args = NULL;
  g_autoptr(JsonNode) result = NULL;

  g_assert_true (yatai_store_load_demo (f->store, &error));
  before = yatai_store_dump_canonical (f->store, NULL);

  /* Problems of form are found while reading, all of them. */
  args = yatai_products_import_args (bad_form, -1, &error);
  g_assert_null (args);
  g_assert_error (error, YATAI_STORE_ERROR, YATAI_STORE_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "Line 3:"));
  g_assert_nonnull (strstr (error->message, "Line 4:"));
  g_assert_null (strstr (error->message, "Line 2:"));
  g_clear_error (&error);

  /* A name of 51 characters and a name twice: the store refuses the whole file. */
  for (int i = 0; i < 51; i++)
    g_string_append (bad_store, "あ");
  g_string_append (bad_store, ",100,1,0,\n焼きそば,600,1,0,\n");
  args = yatai_products_import_args (bad_store->str, -1, &error);
  g_assert_no_error (error);
  result = run (f->store, "products.import", args, &error);
  g_assert_null (result);
  g_assert_nonnull (strstr (error->message, "Line 3:"));
  g_assert_nonnull (strstr (error->message, "Line 4:"));
  after = yatai_store_dump_canonical (f->store, NULL);
  g_assert_cmpstr (before, ==, after);

  /* Not CSV at all. */
  g_clear_error (&error);
  g_assert_null (yatai_products_import_args ("name,price,stock\n\"unclosed,1,2\n", -1, &error));
  g_assert_nonnull (strstr (error->message, "Line 2"));
  g_clear_error (&error);
  g_assert_null (yatai_products_import_args ("\xff\xfe\x00n", 4, &error));
  g_assert_error (error, YATAI_STORE_ERROR, YATAI_STORE_ERROR_INVALID);
}

/* Closing the day starts the call numbers again at 1, and deletes nothing. */
static void
test_close_day (Fixture       *f,
                gconstpointer  data)
{
  gint64 id = add_product (f->store, "焼きそば", 500, NULL);
  YataiCartLine line = { id, 1 };
  g_autoptr(JsonObject) confirm = yatai_order_confirm_args (&line, 1, "", "", 500, FALSE, 5);
  g_autoptr(JsonObject) close = json_object_new ();
  g_autoptr(JsonNode) closed = NULL;

  for (int i = 1; i <= 3; i++)
    {
      g_autoptr(JsonNode) result = run (f->store, "order.confirm", confirm, NULL);

      g_assert_cmpint (json_object_get_int_member (json_node_get_object (result), "call_number"), ==, i);
      f->now += MINUTE;
    }
  json_object_set_string_member (close, "business_day", "2026-11-24");
  closed = run (f->store, "day.close", close, NULL);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (closed), "last_call_number"), ==, 3);
  f->now += MINUTE;
  {
    g_autoptr(JsonNode) result = run (f->store, "order.confirm", confirm, NULL);
    g_autoptr(YataiDaySummary) summary = yatai_store_day_summary (f->store, "2026-11-24", NULL);

    g_assert_cmpint (json_object_get_int_member (json_node_get_object (result), "call_number"), ==, 1);
    g_assert_cmpint (summary->n_orders, ==, 4);
  }
}

/* Call numbers after a closing do not depend on the clock: the next writer's clock is an hour behind
 * the one that closed the day (or the clock was stepped back), and its orders still get 1, 2, 3... */
static void
test_close_day_clock_behind (Fixture       *f,
                             gconstpointer  data)
{
  gint64 id = add_product (f->store, "焼きそば", 500, NULL);
  YataiCartLine line = { id, 1 };
  g_autoptr(JsonObject) confirm = yatai_order_confirm_args (&line, 1, "", "", 500, FALSE, 5);
  g_autoptr(JsonObject) close = json_object_new ();
  g_autoptr(JsonNode) closed = NULL;

  f->now += 120 * MINUTE;
  for (int i = 1; i <= 3; i++)
    {
      g_autoptr(JsonNode) result = run (f->store, "order.confirm", confirm, NULL);

      g_assert_cmpint (json_object_get_int_member (json_node_get_object (result), "call_number"), ==, i);
    }
  json_object_set_string_member (close, "business_day", "2026-11-24");
  closed = run (f->store, "day.close", close, NULL);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (closed), "last_call_number"), ==, 3);

  /* An hour behind: still the same business day, but before the moment the closing recorded. */
  f->now -= 60 * MINUTE;
  for (int i = 1; i <= 5; i++)
    {
      g_autoptr(JsonNode) result = run (f->store, "order.confirm", confirm, NULL);

      g_assert_cmpint (json_object_get_int_member (json_node_get_object (result), "call_number"), ==, i);
    }

  /* Closed again, with the clock behind both: numbers start again, and the closing counts only its round. */
  f->now -= 30 * MINUTE;
  g_clear_pointer (&closed, json_node_unref);
  closed = run (f->store, "day.close", close, NULL);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (closed), "last_call_number"), ==, 5);
  {
    g_autoptr(JsonNode) result = run (f->store, "order.confirm", confirm, NULL);

    g_assert_cmpint (json_object_get_int_member (json_node_get_object (result), "call_number"), ==, 1);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/sales/day-figures", test_day_figures);
  ADD ("/sales/order-lines-csv", test_order_lines_csv);
  ADD ("/sales/products-round-trip", test_products_round_trip);
  ADD ("/sales/products-reading-column", test_products_reading_column);
  ADD ("/sales/formula-cells", test_formula_cells);
  ADD ("/sales/bad-rows-change-nothing", test_bad_rows_change_nothing);
  ADD ("/sales/close-day", test_close_day);
  ADD ("/sales/close-day-clock-behind", test_close_day_clock_behind);
#undef ADD
  return g_test_run ();
}
