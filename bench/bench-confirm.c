/* bench-confirm.c: how long the counter waits for "order.confirm", beside plain SQLite doing the same rows
 *
 * Usage: bench-confirm [N_ORDERS] [DIR] [ROUNDS]   (10,000 orders of each kind; DIR should be on the disk
 * the stall uses; 20 rounds)
 * Every run uses the same file settings (WAL, synchronous=FULL) and writes the same rows per order: the
 * order, two lines, two stock updates and the status change, in one transaction. Four kinds, each on a
 * store of its own: order.confirm, order.confirm with the journal on (what a syncing writer pays), the
 * rows by hand, and the rows by hand with the journal's work by hand too (an SQLite session on the same
 * tables, its changeset and the command in an outbox row), timed step by step: the floor of what the
 * journal can cost. The kinds take turns in rounds (their order turning each round), so a machine that
 * gets busier or quieter during the run weighs on each alike; the load average is printed beside them.
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

typedef struct
{
  YataiStore *store;
  gint64      ids[2];
  gboolean    journal;
  guint       done;
} YataiRun;

static void
yatai_open (YataiRun   *run,
            const char *path,
            gboolean    journal)
{
  g_autoptr(GError) error = NULL;

  remove_store (path);
  run->store = yatai_store_open (path, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(JsonObject) args = yatai_product_save_args (0, i == 0 ? "焼きそば" : "ラムネ", 500 - 300 * i,
                                                            1000000000, FALSE, NULL, NULL, FALSE);
      g_autoptr(YataiCommand) command = yatai_command_new ("product.save", args);
      g_autoptr(JsonNode) result = yatai_store_execute (run->store, command, &error);

      g_assert_no_error (error);
      run->ids[i] = json_object_get_int_member (json_node_get_object (result), "id");
    }
  run->journal = journal;
  yatai_store_set_journal_enabled (run->store, journal);
}

/* @n confirms. With the journal, as on a syncing writer: each confirm also records its changeset (the
 * session extension) and the command in the outbox, in the same transaction; an uploader empties the
 * outbox every ten orders, outside the timed confirms, as the engine does between its uploads. */
static void
yatai_round (YataiRun *run,
             guint     n,
             GArray   *samples)
{
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < n; i++)
    {
      YataiCartLine lines[] = { { run->ids[0], 2 }, { run->ids[1], 1 } };
      g_autoptr(JsonObject) args = yatai_order_confirm_args (lines, 2, "たなか", "", 2000, FALSE, 5);
      g_autoptr(YataiCommand) command = yatai_command_new ("order.confirm", args);
      gint64 start = g_get_monotonic_time ();
      g_autoptr(JsonNode) result = yatai_store_execute (run->store, command, &error);
      gint64 elapsed = g_get_monotonic_time () - start;

      g_assert_no_error (error);
      g_array_append_val (samples, elapsed);
      if (run->journal && ++run->done % 10 == 0 && !yatai_store_outbox_remove_through (run->store, G_MAXINT64, NULL, &error))
        g_error ("%s", error->message);
    }
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

/* The same rows with hand-written statements: the floor a store could reach on this disk. With
 * @journal, the journal's work by hand as well: a session on the same tables for the transaction, its
 * changeset and a command's JSON in an outbox row, emptied every ten orders outside the timing. */
enum { STEP_BEGIN, STEP_ROWS, STEP_CHANGESET, STEP_OUTBOX, STEP_COMMIT, N_STEPS };

typedef struct
{
  sqlite3      *db;
  sqlite3_stmt *insert_order, *insert_line, *update_stock, *insert_status, *next_number, *insert_outbox;
  gboolean      journal;
  guint         done;
  GArray       *steps[N_STEPS];   /* µs per order, each step */
} PlainRun;

static void
plain_open (PlainRun   *run,
            const char *path,
            gboolean    journal)
{
  remove_store (path);
  g_assert_cmpint (sqlite3_open (path, &run->db), ==, SQLITE_OK);
  exec_or_die (run->db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
                        "PRAGMA wal_autocheckpoint=4000;"
                        "CREATE TABLE products (id INTEGER PRIMARY KEY, name TEXT, price INTEGER, stock INTEGER);"
                        "CREATE TABLE orders (id INTEGER PRIMARY KEY, call_number INTEGER, business_day TEXT, "
                        "  customer TEXT, note TEXT, total INTEGER, paid INTEGER, status TEXT, created INTEGER, updated INTEGER);"
                        "CREATE INDEX orders_day ON orders (business_day, call_number);"
                        "CREATE TABLE order_lines (order_id INTEGER REFERENCES orders (id), line_no INTEGER, "
                        "  product_id INTEGER REFERENCES products (id), name TEXT, unit_price INTEGER, quantity INTEGER, "
                        "  PRIMARY KEY (order_id, line_no));"
                        "CREATE TABLE status_changes (id INTEGER PRIMARY KEY, order_id INTEGER, to_status TEXT, device TEXT, at INTEGER);"
                        "CREATE TABLE outbox (id INTEGER PRIMARY KEY, command_id TEXT NOT NULL, command TEXT NOT NULL, "
                        "  changeset BLOB NOT NULL, created INTEGER NOT NULL);"
                        "INSERT INTO products VALUES (1, '焼きそば', 500, 1000000000), (2, 'ラムネ', 200, 1000000000);");
  run->next_number = prepare (run->db, "SELECT COALESCE(MAX(call_number), 0) + 1 FROM orders WHERE business_day = ?");
  run->insert_order = prepare (run->db, "INSERT INTO orders (call_number, business_day, customer, note, total, paid, status, "
                                        "created, updated) VALUES (?, '2026-11-24', 'たなか', '', 1200, 2000, 'pending', ?, ?)");
  run->insert_line = prepare (run->db, "INSERT INTO order_lines VALUES (?, ?, ?, ?, ?, ?)");
  run->update_stock = prepare (run->db, "UPDATE products SET stock = stock - ?1 WHERE id = ?2 AND stock >= ?1");
  run->insert_status = prepare (run->db, "INSERT INTO status_changes (order_id, to_status, device, at) VALUES (?, 'pending', 'bench', ?)");
  run->insert_outbox = prepare (run->db, "INSERT INTO outbox (command_id, command, changeset, created) VALUES (?, ?, ?, ?)");
  run->journal = journal;
  for (guint i = 0; i < N_STEPS; i++)
    run->steps[i] = g_array_new (FALSE, FALSE, sizeof (gint64));
}

static void
plain_close (PlainRun *run)
{
  sqlite3_finalize (run->next_number);
  sqlite3_finalize (run->insert_order);
  sqlite3_finalize (run->insert_line);
  sqlite3_finalize (run->update_stock);
  sqlite3_finalize (run->insert_status);
  sqlite3_finalize (run->insert_outbox);
  sqlite3_close (run->db);
  for (guint i = 0; i < N_STEPS; i++)
    g_array_unref (run->steps[i]);
}

static void
plain_step (PlainRun *run,
            guint     step,
            gint64   *mark)
{
  gint64 now = g_get_monotonic_time ();
  gint64 spent = now - *mark;

  g_array_append_val (run->steps[step], spent);
  *mark = now;
}

static void
plain_round (PlainRun *run,
             guint     n,
             GArray   *samples)
{
  static const char *tables[] = { "products", "orders", "order_lines", "status_changes", NULL };

  for (guint i = 0; i < n; i++)
    {
      gint64 start = g_get_monotonic_time ();
      gint64 mark = start;
      gint64 number, order_id, elapsed;
      sqlite3_session *session = NULL;

      exec_or_die (run->db, "BEGIN IMMEDIATE");
      if (run->journal)
        {
          g_assert_cmpint (sqlite3session_create (run->db, "main", &session), ==, SQLITE_OK);
          for (guint t = 0; tables[t] != NULL; t++)
            g_assert_cmpint (sqlite3session_attach (session, tables[t]), ==, SQLITE_OK);
        }
      plain_step (run, STEP_BEGIN, &mark);
      sqlite3_bind_text (run->next_number, 1, "2026-11-24", -1, SQLITE_STATIC);
      sqlite3_step (run->next_number);
      number = sqlite3_column_int64 (run->next_number, 0);
      sqlite3_reset (run->next_number);
      sqlite3_bind_int64 (run->insert_order, 1, number);
      sqlite3_bind_int64 (run->insert_order, 2, start);
      sqlite3_bind_int64 (run->insert_order, 3, start);
      step_done (run->insert_order);
      order_id = sqlite3_last_insert_rowid (run->db);
      for (int line = 1; line <= 2; line++)
        {
          sqlite3_bind_int64 (run->update_stock, 1, 3 - line);
          sqlite3_bind_int64 (run->update_stock, 2, line);
          step_done (run->update_stock);
          sqlite3_bind_int64 (run->insert_line, 1, order_id);
          sqlite3_bind_int (run->insert_line, 2, line);
          sqlite3_bind_int (run->insert_line, 3, line);
          sqlite3_bind_text (run->insert_line, 4, line == 1 ? "焼きそば" : "ラムネ", -1, SQLITE_STATIC);
          sqlite3_bind_int (run->insert_line, 5, line == 1 ? 500 : 200);
          sqlite3_bind_int (run->insert_line, 6, 3 - line);
          step_done (run->insert_line);
        }
      sqlite3_bind_int64 (run->insert_status, 1, order_id);
      sqlite3_bind_int64 (run->insert_status, 2, start);
      step_done (run->insert_status);
      plain_step (run, STEP_ROWS, &mark);
      if (run->journal)
        {
          void *data = NULL;
          int size = 0;
          g_autofree char *id = g_uuid_string_random ();
          g_autofree char *command = g_strdup_printf ("{\"id\": \"%s\", \"kind\": \"order.confirm\", \"args\": "
                                                      "{\"lines\": [{\"product_id\": 1, \"quantity\": 2}, "
                                                      "{\"product_id\": 2, \"quantity\": 1}], \"customer\": \"たなか\", "
                                                      "\"paid\": 2000}}", id);

          g_assert_cmpint (sqlite3session_changeset (session, &size, &data), ==, SQLITE_OK);
          sqlite3session_delete (session);
          plain_step (run, STEP_CHANGESET, &mark);
          sqlite3_bind_text (run->insert_outbox, 1, id, -1, SQLITE_STATIC);
          sqlite3_bind_text (run->insert_outbox, 2, command, -1, SQLITE_STATIC);
          sqlite3_bind_blob (run->insert_outbox, 3, data, size, sqlite3_free);
          sqlite3_bind_int64 (run->insert_outbox, 4, start);
          step_done (run->insert_outbox);
          sqlite3_clear_bindings (run->insert_outbox);
          plain_step (run, STEP_OUTBOX, &mark);
        }
      exec_or_die (run->db, "COMMIT");
      plain_step (run, STEP_COMMIT, &mark);
      elapsed = g_get_monotonic_time () - start;
      g_array_append_val (samples, elapsed);
      if (run->journal && ++run->done % 10 == 0)
        exec_or_die (run->db, "DELETE FROM outbox");
    }
}

static double
load_average (void)
{
  g_autofree char *text = NULL;

  if (!g_file_get_contents ("/proc/loadavg", &text, NULL, NULL))
    return -1;
  return g_ascii_strtod (text, NULL);
}

enum { KIND_YATAI, KIND_JOURNAL, KIND_PLAIN, KIND_PLAIN_JOURNAL, N_KINDS };

int
main (int   argc,
      char *argv[])
{
  static const char *labels[N_KINDS] = {
    "order.confirm (Yatai store)  ",
    "order.confirm, journal on    ",
    "same rows, plain SQLite      ",
    "plain SQLite + journal by hand",
  };
  guint n = argc > 1 ? (guint) g_ascii_strtoull (argv[1], NULL, 10) : 10000;
  const char *dir = argc > 2 ? argv[2] : g_get_tmp_dir ();
  guint rounds = argc > 3 ? MAX ((guint) g_ascii_strtoull (argv[3], NULL, 10), 1) : 20;
  g_autofree char *paths[N_KINDS] = { NULL };
  GArray *samples[N_KINDS];
  gint64 p50[N_KINDS], p99[N_KINDS];
  YataiRun yatai = { 0 }, journaled = { 0 };
  PlainRun plain = { 0 }, plain_journal = { 0 };
  double load_min = G_MAXDOUBLE, load_max = 0, load_sum = 0;
  static const char *step_names[N_STEPS] = { "begin (+ session)", "the rows", "changeset", "outbox row", "commit (fsync)" };

  for (guint k = 0; k < N_KINDS; k++)
    {
      g_autofree char *file = g_strdup_printf ("bench-confirm-%u.sqlite3", k);

      paths[k] = g_build_filename (dir, file, NULL);
      samples[k] = g_array_sized_new (FALSE, FALSE, sizeof (gint64), n);
    }
  yatai_open (&yatai, paths[KIND_YATAI], FALSE);
  yatai_open (&journaled, paths[KIND_JOURNAL], TRUE);
  plain_open (&plain, paths[KIND_PLAIN], FALSE);
  plain_open (&plain_journal, paths[KIND_PLAIN_JOURNAL], TRUE);

  /* The kinds take turns, a round of each at a time, and the one that goes first turns too. */
  for (guint r = 0; r < rounds; r++)
    {
      guint in_round = n / rounds + (r < n % rounds ? 1 : 0);
      double load = load_average ();

      load_min = MIN (load_min, load);
      load_max = MAX (load_max, load);
      load_sum += load;
      for (guint j = 0; j < N_KINDS; j++)
        switch ((r + j) % N_KINDS)
          {
          case KIND_YATAI: yatai_round (&yatai, in_round, samples[KIND_YATAI]); break;
          case KIND_JOURNAL: yatai_round (&journaled, in_round, samples[KIND_JOURNAL]); break;
          case KIND_PLAIN: plain_round (&plain, in_round, samples[KIND_PLAIN]); break;
          default: plain_round (&plain_journal, in_round, samples[KIND_PLAIN_JOURNAL]); break;
          }
    }

  for (guint k = 0; k < N_KINDS; k++)
    {
      g_array_sort (samples[k], compare_gint64);
      p50[k] = percentile (samples[k], 0.50);
      p99[k] = percentile (samples[k], 0.99);
    }

  printf ("Confirm-order latency, %u orders of 2 lines of each kind, WAL + synchronous=FULL, in %s, %u rounds taking turns\n",
          n, dir, rounds);
  printf ("Load average (1 min) at the start of each round: %.1f to %.1f, mean %.1f, on %u CPUs\n\n",
          load_min, load_max, load_sum / rounds, g_get_num_processors ());
  printf ("| what                           |    p50 (µs) |    p99 (µs) |\n");
  printf ("| ------------------------------ | ----------: | ----------: |\n");
  for (guint k = 0; k < N_KINDS; k++)
    printf ("| %-30s | %11" G_GINT64_FORMAT " | %11" G_GINT64_FORMAT " |\n", labels[k], p50[k], p99[k]);
  printf ("| ratio (Yatai / plain)          | %11.2f | %11.2f |\n",
          (double) p50[KIND_YATAI] / p50[KIND_PLAIN], (double) p99[KIND_YATAI] / p99[KIND_PLAIN]);
  printf ("| ratio, journal on / plain      | %11.2f | %11.2f |\n",
          (double) p50[KIND_JOURNAL] / p50[KIND_PLAIN], (double) p99[KIND_JOURNAL] / p99[KIND_PLAIN]);
  printf ("| ratio, journal on / by hand    | %11.2f | %11.2f |\n",
          (double) p50[KIND_JOURNAL] / p50[KIND_PLAIN_JOURNAL], (double) p99[KIND_JOURNAL] / p99[KIND_PLAIN_JOURNAL]);

  printf ("\nWhere the time of the rows by hand goes, step by step (µs):\n\n");
  printf ("| step              | plain p50 | plain p99 | + journal p50 | + journal p99 |\n");
  printf ("| ----------------- | --------: | --------: | ------------: | ------------: |\n");
  for (guint i = 0; i < N_STEPS; i++)
    {
      gint64 a50 = 0, a99 = 0;

      g_array_sort (plain.steps[i], compare_gint64);
      g_array_sort (plain_journal.steps[i], compare_gint64);
      if (plain.steps[i]->len > 0)
        {
          a50 = percentile (plain.steps[i], 0.50);
          a99 = percentile (plain.steps[i], 0.99);
        }
      printf ("| %-17s | %9" G_GINT64_FORMAT " | %9" G_GINT64_FORMAT " | %13" G_GINT64_FORMAT " | %13" G_GINT64_FORMAT " |\n",
              step_names[i], a50, a99, percentile (plain_journal.steps[i], 0.50), percentile (plain_journal.steps[i], 0.99));
    }

  printf ("\nGoal: p99 ratio at most 1.50: %s; with the journal on: %s\n",
          (double) p99[KIND_YATAI] / p99[KIND_PLAIN] <= 1.5 ? "met" : "NOT met",
          (double) p99[KIND_JOURNAL] / p99[KIND_PLAIN] <= 1.5 ? "met" : "NOT met");

  g_clear_object (&yatai.store);
  g_clear_object (&journaled.store);
  plain_close (&plain);
  plain_close (&plain_journal);
  for (guint k = 0; k < N_KINDS; k++)
    {
      remove_store (paths[k]);
      g_array_unref (samples[k]);
    }
  return 0;
}
