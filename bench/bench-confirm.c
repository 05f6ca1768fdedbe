/* bench-confirm.c: how long the counter waits for "order.confirm", beside plain SQLite doing the same rows
 *
 * Usage: bench-confirm [N_ORDERS] [DIR]   (10,000 orders; DIR should be on the disk the stall uses)
 * Both runs use the same file settings (WAL, synchronous=FULL) and write the same rows per order: the
 * order, two lines, two stock updates and the status change, in one transaction. Prints a table.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <stdio.h>

#include "yatai-store-journal.h"
#include "yatai-store-orders.h"
#include "yatai-store-products.h"

static int
compare_gint64 (gconstpointer a,
                gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return (x > y) - (x < y);
}

static gint64
percentile (GArray *samples,
            double  p)
{
  guint index = (guint) (p * (samples->len - 1) + 0.5);

  return g_array_index (samples, gint64, index);
}

static void
remove_store (const char *path)
{
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (path, "-shm", NULL);

  g_unlink (path);
  g_unlink (wal);
  g_unlink (shm);
}

/* With @journal, as on a syncing writer: each confirm also records its changeset (the session
 * extension) and the command in the outbox, in the same transaction; an uploader empties the outbox
 * every ten orders, outside the timed confirms, as the engine does between its uploads. */
static GArray *
run_yatai (const char *path,
           guint       n,
           gboolean    journal)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(YataiStore) store = NULL;
  GArray *samples = g_array_sized_new (FALSE, FALSE, sizeof (gint64), n);
  gint64 ids[2];

  remove_store (path);
  store = yatai_store_open (path, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(JsonObject) args = yatai_product_save_args (0, i == 0 ? "焼きそば" : "ラムネ", 500 - 300 * i,
                                                            1000000000, FALSE, NULL, NULL, FALSE);
      g_autoptr(YataiCommand) command = yatai_command_new ("product.save", args);
      g_autoptr(JsonNode) result = yatai_store_execute (store, command, &error);

      g_assert_no_error (error);
      ids[i] = json_object_get_int_member (json_node_get_object (result), "id");
    }
  yatai_store_set_journal_enabled (store, journal);

  for (guint i = 0; i < n; i++)
    {
      YataiCartLine lines[] = { { ids[0], 2 }, { ids[1], 1 } };
      g_autoptr(JsonObject) args = yatai_order_confirm_args (lines, 2, "たなか", "", 2000, FALSE, 5);
      g_autoptr(YataiCommand) command = yatai_command_new ("order.confirm", args);
      gint64 start = g_get_monotonic_time ();
      g_autoptr(JsonNode) result = yatai_store_execute (store, command, &error);
      gint64 elapsed = g_get_monotonic_time () - start;

      g_assert_no_error (error);
      g_array_append_val (samples, elapsed);
      if (journal && i % 10 == 9 && !yatai_store_outbox_remove_through (store, G_MAXINT64, NULL, &error))
        g_error ("%s", error->message);
    }
  return samples;
}

static void
exec_or_die (sqlite3    *db,
             const char *sql)
{
  char *message = NULL;

  if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
    g_error ("%s: %s", sql, message);
}

static sqlite3_stmt *
prepare (sqlite3    *db,
         const char *sql)
{
  sqlite3_stmt *stmt = NULL;

  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) != SQLITE_OK)
    g_error ("%s: %s", sql, sqlite3_errmsg (db));
  return stmt;
}

static void
step_done (sqlite3_stmt *stmt)
{
  if (sqlite3_step (stmt) != SQLITE_DONE)
    g_error ("step: %s", sqlite3_errmsg (sqlite3_db_handle (stmt)));
  sqlite3_reset (stmt);
}

/* The same rows with hand-written statements: the floor a store could reach on this disk. */
static GArray *
run_plain (const char *path,
           guint       n)
{
  GArray *samples = g_array_sized_new (FALSE, FALSE, sizeof (gint64), n);
  sqlite3 *db = NULL;
  sqlite3_stmt *insert_order, *insert_line, *update_stock, *insert_status, *next_number;

  remove_store (path);
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  exec_or_die (db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
                   "CREATE TABLE products (id INTEGER PRIMARY KEY, name TEXT, price INTEGER, stock INTEGER);"
                   "CREATE TABLE orders (id INTEGER PRIMARY KEY, call_number INTEGER, business_day TEXT, "
                   "  customer TEXT, note TEXT, total INTEGER, paid INTEGER, status TEXT, created INTEGER, updated INTEGER);"
                   "CREATE INDEX orders_day ON orders (business_day, call_number);"
                   "CREATE TABLE order_lines (order_id INTEGER REFERENCES orders (id), line_no INTEGER, "
                   "  product_id INTEGER REFERENCES products (id), name TEXT, unit_price INTEGER, quantity INTEGER, "
                   "  PRIMARY KEY (order_id, line_no));"
                   "CREATE TABLE status_changes (id INTEGER PRIMARY KEY, order_id INTEGER, to_status TEXT, device TEXT, at INTEGER);"
                   "INSERT INTO products VALUES (1, '焼きそば', 500, 1000000000), (2, 'ラムネ', 200, 1000000000);");
  next_number = prepare (db, "SELECT COALESCE(MAX(call_number), 0) + 1 FROM orders WHERE business_day = ?");
  insert_order = prepare (db, "INSERT INTO orders (call_number, business_day, customer, note, total, paid, status, "
                              "created, updated) VALUES (?, '2026-11-24', 'たなか', '', 1200, 2000, 'pending', ?, ?)");
  insert_line = prepare (db, "INSERT INTO order_lines VALUES (?, ?, ?, ?, ?, ?)");
  update_stock = prepare (db, "UPDATE products SET stock = stock - ?1 WHERE id = ?2 AND stock >= ?1");
  insert_status = prepare (db, "INSERT INTO status_changes (order_id, to_status, device, at) VALUES (?, 'pending', 'bench', ?)");

  for (guint i = 0; i < n; i++)
    {
      gint64 start = g_get_monotonic_time ();
      gint64 number, order_id, elapsed;

      exec_or_die (db, "BEGIN IMMEDIATE");
      sqlite3_bind_text (next_number, 1, "2026-11-24", -1, SQLITE_STATIC);
      sqlite3_step (next_number);
      number = sqlite3_column_int64 (next_number, 0);
      sqlite3_reset (next_number);
      sqlite3_bind_int64 (insert_order, 1, number);
      sqlite3_bind_int64 (insert_order, 2, start);
      sqlite3_bind_int64 (insert_order, 3, start);
      step_done (insert_order);
      order_id = sqlite3_last_insert_rowid (db);
      for (int line = 1; line <= 2; line++)
        {
          sqlite3_bind_int64 (update_stock, 1, 3 - line);
          sqlite3_bind_int64 (update_stock, 2, line);
          step_done (update_stock);
          sqlite3_bind_int64 (insert_line, 1, order_id);
          sqlite3_bind_int (insert_line, 2, line);
          sqlite3_bind_int (insert_line, 3, line);
          sqlite3_bind_text (insert_line, 4, line == 1 ? "焼きそば" : "ラムネ", -1, SQLITE_STATIC);
          sqlite3_bind_int (insert_line, 5, line == 1 ? 500 : 200);
          sqlite3_bind_int (insert_line, 6, 3 - line);
          step_done (insert_line);
        }
      sqlite3_bind_int64 (insert_status, 1, order_id);
      sqlite3_bind_int64 (insert_status, 2, start);
      step_done (insert_status);
      exec_or_die (db, "COMMIT");
      elapsed = g_get_monotonic_time () - start;
      g_array_append_val (samples, elapsed);
    }

  sqlite3_finalize (next_number);
  sqlite3_finalize (insert_order);
  sqlite3_finalize (insert_line);
  sqlite3_finalize (update_stock);
  sqlite3_finalize (insert_status);
  sqlite3_close (db);
  return samples;
}

int
main (int   argc,
      char *argv[])
{
  guint n = argc > 1 ? (guint) g_ascii_strtoull (argv[1], NULL, 10) : 10000;
  const char *dir = argc > 2 ? argv[2] : g_get_tmp_dir ();
  g_autofree char *yatai_path = g_build_filename (dir, "bench-confirm-yatai.sqlite3", NULL);
  g_autofree char *plain_path = g_build_filename (dir, "bench-confirm-plain.sqlite3", NULL);
  g_autoptr(GArray) yatai = NULL;
  g_autoptr(GArray) journaled = NULL;
  g_autoptr(GArray) plain = NULL;
  gint64 y50, y99, j50, j99, p50, p99;

  yatai = run_yatai (yatai_path, n, FALSE);
  journaled = run_yatai (yatai_path, n, TRUE);
  plain = run_plain (plain_path, n);
  g_array_sort (yatai, compare_gint64);
  g_array_sort (journaled, compare_gint64);
  g_array_sort (plain, compare_gint64);
  y50 = percentile (yatai, 0.50);
  y99 = percentile (yatai, 0.99);
  j50 = percentile (journaled, 0.50);
  j99 = percentile (journaled, 0.99);
  p50 = percentile (plain, 0.50);
  p99 = percentile (plain, 0.99);

  printf ("Confirm-order latency, %u orders of 2 lines, WAL + synchronous=FULL, in %s\n\n", n, dir);
  printf ("| what                         |    p50 (µs) |    p99 (µs) |\n");
  printf ("| ---------------------------- | ----------: | ----------: |\n");
  printf ("| order.confirm (Yatai store)  | %11" G_GINT64_FORMAT " | %11" G_GINT64_FORMAT " |\n", y50, y99);
  printf ("| order.confirm, journal on    | %11" G_GINT64_FORMAT " | %11" G_GINT64_FORMAT " |\n", j50, j99);
  printf ("| same rows, plain SQLite      | %11" G_GINT64_FORMAT " | %11" G_GINT64_FORMAT " |\n", p50, p99);
  printf ("| ratio                        | %11.2f | %11.2f |\n", (double) y50 / p50, (double) y99 / p99);
  printf ("| ratio, journal on            | %11.2f | %11.2f |\n", (double) j50 / p50, (double) j99 / p99);
  printf ("\nGoal: p99 ratio at most 1.50: %s; with the journal on: %s\n", (double) y99 / p99 <= 1.5 ? "met" : "NOT met",
          (double) j99 / p99 <= 1.5 ? "met" : "NOT met");

  remove_store (yatai_path);
  remove_store (plain_path);
  return 0;
}
