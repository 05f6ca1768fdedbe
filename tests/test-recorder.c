/* test-recorder.c: the journal's recorder gives what an SQLite session gives, change for change
 *
 * The recorder (src/core/yatai-recorder.c) replaces the session extension on the writer's hot path, so it
 * is held to a real session: twin databases run the same statements, one recorded by the recorder and
 * the other by sqlite3session, and each transaction's two changesets must hold the same changes (the
 * same tables, operations, indirect flags, primary-key bytes, old and new fields, undefined ones among
 * them). The statements are drawn at random from those that make a recorder go wrong: failed statements
 * whose rows were already written (a foreign key checked at the statement's end, a CHECK on the third
 * row), savepoints rolled back, REPLACE, keys that change, cascades and triggers, no-op updates, a
 * WITHOUT ROWID table, a key in another order than the columns, a table without a key, text in Japanese
 * and emoji, blobs large and small. Every changeset is also applied to a third database, which must end
 * up the same as the one recorded. Then the store: twin stores run every kind of command, and the
 * journal's changesets are compared with a session's on the other.
 */
#include "config.h"

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>

#include "yatai-picture.h"
#include "yatai-recorder.h"
#include "yatai-store-journal.h"
#include "yatai-store-orders.h"
#include "yatai-store-private.h"
#include "yatai-store-products.h"

static const char schema[] =
  "PRAGMA foreign_keys = ON;"
  "CREATE TABLE p (id INTEGER PRIMARY KEY, name TEXT UNIQUE, price REAL, pic BLOB,"
  "  n INTEGER NOT NULL DEFAULT 0 CHECK (n >= 0));"
  "CREATE TABLE c (p_id INTEGER NOT NULL REFERENCES p (id) ON DELETE CASCADE, k INTEGER NOT NULL, v TEXT,"
  "  PRIMARY KEY (p_id, k));"
  "CREATE TABLE w (key TEXT PRIMARY KEY, val) WITHOUT ROWID;"
  "CREATE TABLE q (a TEXT NOT NULL, b INTEGER NOT NULL, note, PRIMARY KEY (b, a));"
  "CREATE TABLE r (p_id INTEGER REFERENCES p (id) ON DELETE SET NULL, x);"
  "CREATE TABLE s (id INTEGER PRIMARY KEY, p_id INTEGER REFERENCES p (id) ON DELETE SET NULL, x);"
  "CREATE TABLE local (id INTEGER PRIMARY KEY, x);"
  "CREATE TRIGGER p_log AFTER UPDATE OF n ON p BEGIN"
  "  INSERT OR REPLACE INTO w (key, val) VALUES ('n' || new.id, new.n);"
  "END;";

/* What both record; r has no primary key (neither records it), local is not asked for. */
static const char * const tables[] = { "p", "c", "w", "q", "r", "s", NULL };

static void
exec_ok (sqlite3    *db,
         const char *sql)
{
  char *message = NULL;

  if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
    g_error ("%s: %s", sql, message);
}

static sqlite3 *
open_memory (void)
{
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (":memory:", &db), ==, SQLITE_OK);
  exec_ok (db, schema);
  return db;
}

static void
append_value (GString       *out,
              sqlite3_value *value)
{
  if (value == NULL)
    {
      g_string_append (out, " undefined");
      return;
    }
  switch (sqlite3_value_type (value))
    {
    case SQLITE_INTEGER:
      g_string_append_printf (out, " int:%" G_GINT64_FORMAT, (gint64) sqlite3_value_int64 (value));
      break;
    case SQLITE_FLOAT:
      {
        double real = sqlite3_value_double (value);
        guint64 bits;

        memcpy (&bits, &real, sizeof bits);
        g_string_append_printf (out, " real:%016" G_GINT64_MODIFIER "x", bits);
      }
      break;
    case SQLITE_TEXT:
    case SQLITE_BLOB:
      {
        g_autofree char *sum = g_compute_checksum_for_data (G_CHECKSUM_SHA256, sqlite3_value_blob (value),
                                                            (gsize) sqlite3_value_bytes (value));

        g_string_append_printf (out, " %s:%d:%.16s", sqlite3_value_type (value) == SQLITE_TEXT ? "text" : "blob",
                                sqlite3_value_bytes (value), sum);
      }
      break;
    default:
      g_string_append (out, " null");
      break;
    }
}

typedef int (*FieldFunc) (sqlite3_changeset_iter *iter, int column, sqlite3_value **value);

/* A change's old or new fields (an undefined one has no value). */
static void
append_record (GString                *line,
               const char             *label,
               sqlite3_changeset_iter *iter,
               int                     n_columns,
               FieldFunc               get)
{
  g_string_append (line, label);
  for (int i = 0; i < n_columns; i++)
    {
      sqlite3_value *value = NULL;

      g_assert_cmpint (get (iter, i, &value), ==, SQLITE_OK);
      append_value (line, value);
    }
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(char * const *) a, *(char * const *) b);
}

/* Every change of @changeset, a line each, sorted: a session lists a table's rows in its hash's order. */
static char *
describe (const void *data,
          int         size)
{
  g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
  sqlite3_changeset_iter *iter = NULL;
  GString *all = g_string_new (NULL);
  int rc;

  g_assert_cmpint (sqlite3changeset_start (&iter, size, (void *) data), ==, SQLITE_OK);
  while ((rc = sqlite3changeset_next (iter)) == SQLITE_ROW)
    {
      GString *line = g_string_new (NULL);
      const char *table = NULL;
      unsigned char *pk = NULL;
      int n_columns = 0, op = 0, indirect = 0, n_pk = 0;

      g_assert_cmpint (sqlite3changeset_op (iter, &table, &n_columns, &op, &indirect), ==, SQLITE_OK);
      g_assert_cmpint (sqlite3changeset_pk (iter, &pk, &n_pk), ==, SQLITE_OK);
      g_string_append_printf (line, "%s %s%s pk", table,
                              op == SQLITE_INSERT ? "INSERT" : op == SQLITE_UPDATE ? "UPDATE" : "DELETE",
                              indirect ? " indirect" : "");
      for (int i = 0; i < n_pk; i++)
        g_string_append_printf (line, "%d", pk[i]);
      if (op != SQLITE_INSERT)
        append_record (line, " old", iter, n_columns, sqlite3changeset_old);
      if (op != SQLITE_DELETE)
        append_record (line, " new", iter, n_columns, sqlite3changeset_new);
      g_ptr_array_add (lines, g_string_free (line, FALSE));
    }
  g_assert_cmpint (rc, ==, SQLITE_DONE);
  g_assert_cmpint (sqlite3changeset_finalize (iter), ==, SQLITE_OK);

  g_ptr_array_sort (lines, compare_strings);
  for (guint i = 0; i < lines->len; i++)
    g_string_append_printf (all, "%s\n", (const char *) g_ptr_array_index (lines, i));
  return g_string_free (all, FALSE);
}

/* Every row of every table, in key order. */
static char *
dump (sqlite3 *db)
{
  static const char *queries[] = {
    "SELECT * FROM p ORDER BY id", "SELECT * FROM c ORDER BY p_id, k", "SELECT * FROM w ORDER BY key",
    "SELECT * FROM q ORDER BY b, a", "SELECT * FROM s ORDER BY id",
  };
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (queries); i++)
    {
      sqlite3_stmt *stmt = NULL;

      g_assert_cmpint (sqlite3_prepare_v2 (db, queries[i], -1, &stmt, NULL), ==, SQLITE_OK);
      g_string_append_printf (out, "%s\n", queries[i]);
      while (sqlite3_step (stmt) == SQLITE_ROW)
        {
          for (int c = 0; c < sqlite3_column_count (stmt); c++)
            append_value (out, sqlite3_column_value (stmt, c));
          g_string_append_c (out, '\n');
        }
      sqlite3_finalize (stmt);
    }
  return g_string_free (out, FALSE);
}

static int
conflict_cb (void                   *user_data,
             int                     conflict,
             sqlite3_changeset_iter *iter)
{
  (*(int *) user_data)++;
  return SQLITE_CHANGESET_ABORT;
}

/* A random statement's values */

static const char *
pick_text (GRand *rand)
{
  static const char *texts[] = {
    "a", "b", "焼きそば", "たこ焼き", "🍜🍢", "", "ａｂｃ", "x'y",
    "123456789012345678901234567890123456789012345678901",
  };

  return texts[g_rand_int_range (rand, 0, G_N_ELEMENTS (texts))];
}

static char *
pick_value (GRand *rand)
{
  switch (g_rand_int_range (rand, 0, 9))
    {
    case 0:
      return g_strdup ("NULL");
    case 1:
      return g_strdup_printf ("%d", g_rand_int_range (rand, -3, 1000));
    case 2:
      return g_strdup ("-0.0");
    case 3:
      return g_strdup_printf ("%.3f", g_rand_double_range (rand, -100, 100));
    case 4:
      return g_strdup ("1e300");
    case 5:
      return g_strdup_printf ("zeroblob (%d)", g_rand_int_range (rand, 0, 3) == 0 ? 200000 : 10);
    case 6:
      {
        GString *hex = g_string_new ("X'");

        for (int i = g_rand_int_range (rand, 0, 40); i > 0; i--)
          g_string_append_printf (hex, "%02x", g_rand_int_range (rand, 0, 256));
        g_string_append_c (hex, '\'');
        return g_string_free (hex, FALSE);
      }
    default:
      {
        char *quoted = sqlite3_mprintf ("%Q", pick_text (rand));
        char *copy = g_strdup (quoted);

        sqlite3_free (quoted);
        return copy;
      }
    }
}

static char *
random_statement (GRand *rand)
{
  int id = g_rand_int_range (rand, 1, 25), other = g_rand_int_range (rand, 1, 25);
  g_autofree char *value = pick_value (rand);
  g_autofree char *value2 = pick_value (rand);
  char *quoted = sqlite3_mprintf ("%Q", pick_text (rand));
  char *quoted2 = sqlite3_mprintf ("%Q", pick_text (rand));
  char *sql;

  switch (g_rand_int_range (rand, 0, 24))
    {
    case 0:
    case 1:
      sql = g_strdup_printf ("INSERT INTO p (id, name, price, pic, n) VALUES (%d, %s, %s, %s, %d)",
                             id, quoted, value, value2, g_rand_int_range (rand, 0, 20));
      break;
    case 2:
      sql = g_strdup_printf ("INSERT OR REPLACE INTO p (id, name, price, n) VALUES (%d, %s, %s, 3)", id, quoted, value);
      break;
    case 3:
      sql = g_strdup_printf ("UPDATE p SET n = n + %d WHERE id %% 3 = %d", g_rand_int_range (rand, 0, 3), id % 3);
      break;
    case 4:
      /* Fails on the first row whose n would go below 0, after the rows before it were written. */
      sql = g_strdup_printf ("UPDATE p SET n = n - %d", g_rand_int_range (rand, 1, 6));
      break;
    case 5:
      sql = g_strdup_printf ("UPDATE p SET price = %s, name = %s WHERE id = %d", value, quoted, id);
      break;
    case 6:
      sql = g_strdup_printf ("UPDATE p SET n = n, price = price WHERE id <= %d", id);
      break;
    case 7:
      /* A new key: refused when the row has children (a foreign key checked at the statement's end). */
      sql = g_strdup_printf ("UPDATE p SET id = %d WHERE id = %d", other + 100, id);
      break;
    case 8:
    case 9:
      sql = g_strdup_printf ("DELETE FROM p WHERE id = %d", id);
      break;
    case 10:
    case 11:
      /* A parent that may not be there: the row is written, then the statement fails. */
      sql = g_strdup_printf ("INSERT INTO c (p_id, k, v) VALUES (%d, %d, %s)", id, other % 4, quoted);
      break;
    case 12:
      sql = g_strdup_printf ("INSERT INTO c (p_id, k, v) SELECT id, %d, name FROM p ORDER BY id", other % 3);
      break;
    case 13:
      sql = g_strdup_printf ("UPDATE c SET v = %s WHERE k = %d", value, other % 4);
      break;
    case 14:
      sql = g_strdup_printf ("DELETE FROM c WHERE p_id = %d", id);
      break;
    case 15:
      sql = g_strdup_printf ("INSERT OR REPLACE INTO w (key, val) VALUES (%s, %s)", quoted, value);
      break;
    case 16:
      sql = g_strdup_printf ("UPDATE w SET key = %s WHERE key = %s", quoted, quoted2);
      break;
    case 17:
      sql = g_strdup_printf ("DELETE FROM w WHERE key = %s", quoted);
      break;
    case 18:
      sql = g_strdup_printf ("INSERT OR IGNORE INTO q (a, b, note) VALUES (%s, %d, %s)", quoted, other % 5, value);
      break;
    case 19:
      sql = g_strdup_printf ("UPDATE q SET a = %s, note = %s WHERE b = %d", quoted, value, other % 5);
      break;
    case 20:
      sql = g_strdup_printf ("INSERT INTO r (p_id, x) VALUES (%d, %s); INSERT INTO s (p_id, x) VALUES (%d, %s)",
                             id, value, other, value2);
      break;
    case 21:
      sql = g_strdup_printf ("UPDATE s SET x = %s WHERE id %% 2 = %d; INSERT INTO local (x) VALUES (%s)",
                             value, id % 2, value2);
      break;
    case 22:
      sql = g_strdup_printf ("DELETE FROM s WHERE id = %d; DELETE FROM q WHERE b = %d", id, other % 5);
      break;
    default:
      sql = g_strdup_printf ("UPDATE p SET pic = %s, price = %s WHERE id = %d", value, value2, id);
      break;
    }
  sqlite3_free (quoted);
  sqlite3_free (quoted2);
  return sql;
}

static guint n_failed, n_rolled_back;

/* Runs @sql on both twins; they must agree on whether it failed. */
static void
exec_twins (sqlite3    *a,
            sqlite3    *b,
            const char *sql)
{
  int rc_a = sqlite3_exec (a, sql, NULL, NULL, NULL);
  int rc_b = sqlite3_exec (b, sql, NULL, NULL, NULL);

  if (rc_a != rc_b)
    g_error ("%s: %d against %d", sql, rc_a, rc_b);
  if (rc_a != SQLITE_OK)
    n_failed++;
  else if (strcmp (sql, "ROLLBACK TO sp") == 0)
    n_rolled_back++;
}

static void
test_random (gconstpointer data)
{
  guint32 seed = GPOINTER_TO_UINT (data);
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  sqlite3 *recorded = open_memory (), *session_db = open_memory (), *applied = open_memory ();
  g_autoptr(YataiRecorder) recorder = yatai_recorder_new (recorded, tables);
  guint n_changes = 0, n_empty = 0;

  n_failed = n_rolled_back = 0;
  /* As a follower applies them: the changesets hold what cascades and triggers did. */
  exec_ok (applied, "PRAGMA foreign_keys = OFF; DROP TRIGGER p_log");
  for (guint t = 0; t < 150; t++)
    {
      g_autoptr(GBytes) ours = NULL;
      g_autofree char *ours_text = NULL, *theirs_text = NULL;
      sqlite3_session *session = NULL;
      gboolean rollback = g_rand_int_range (rand, 0, 10) == 0;
      void *theirs = NULL;
      int size = 0, n_conflicts = 0;

      exec_twins (recorded, session_db, "BEGIN");
      g_assert_cmpint (yatai_recorder_begin (recorder), ==, SQLITE_OK);
      g_assert_cmpint (sqlite3session_create (session_db, "main", &session), ==, SQLITE_OK);
      for (guint i = 0; tables[i] != NULL; i++)
        g_assert_cmpint (sqlite3session_attach (session, tables[i]), ==, SQLITE_OK);

      for (int s = g_rand_int_range (rand, 1, 9); s > 0; s--)
        {
          g_autofree char *sql = random_statement (rand);

          if (g_rand_int_range (rand, 0, 6) == 0)
            {
              g_autofree char *inner = random_statement (rand);

              /* A savepoint rolled back, or kept. */
              exec_twins (recorded, session_db, "SAVEPOINT sp");
              exec_twins (recorded, session_db, sql);
              exec_twins (recorded, session_db, inner);
              if (g_rand_boolean (rand))
                exec_twins (recorded, session_db, "ROLLBACK TO sp");
              exec_twins (recorded, session_db, "RELEASE sp");
            }
          else
            exec_twins (recorded, session_db, sql);
        }

      g_assert_cmpint (yatai_recorder_changeset (recorder, &ours), ==, SQLITE_OK);
      g_assert_cmpint (sqlite3session_changeset (session, &size, &theirs), ==, SQLITE_OK);
      sqlite3session_delete (session);

      ours_text = describe (g_bytes_get_data (ours, NULL), (int) g_bytes_get_size (ours));
      theirs_text = describe (theirs, size);
      g_assert_cmpstr (ours_text, ==, theirs_text);
      g_assert_cmpint (g_bytes_get_size (ours) == 0, ==, size == 0);
      sqlite3_free (theirs);

      if (rollback)
        {
          exec_twins (recorded, session_db, "ROLLBACK");
          continue;
        }
      exec_twins (recorded, session_db, "COMMIT");
      if (g_bytes_get_size (ours) == 0)
        {
          n_empty++;
          continue;
        }
      n_changes++;
      g_assert_cmpint (sqlite3changeset_apply (applied, (int) g_bytes_get_size (ours), (void *) g_bytes_get_data (ours, NULL),
                                               NULL, conflict_cb, &n_conflicts), ==, SQLITE_OK);
      g_assert_cmpint (n_conflicts, ==, 0);
    }

  {
    g_autofree char *a = dump (recorded), *b = dump (session_db), *c = dump (applied);

    g_assert_cmpstr (a, ==, b);
    g_assert_cmpstr (a, ==, c);
  }
  /* The run did what it is for: most transactions changed rows, statements failed half-way, savepoints
   * were rolled back. */
  g_test_message ("seed %u: %u changesets, %u empty, %u statements failed, %u savepoints rolled back",
                  seed, n_changes, n_empty, n_failed, n_rolled_back);
  g_assert_cmpuint (n_changes, >, 60);
  g_assert_cmpuint (n_failed, >, 20);
  g_assert_cmpuint (n_rolled_back, >, 5);
  g_clear_pointer (&recorder, yatai_recorder_free);
  sqlite3_close (recorded);
  sqlite3_close (session_db);
  sqlite3_close (applied);
}

/* A table the recorder was asked for that is not there: its begin says so, and nothing is recorded. */
static void
test_missing_table (void)
{
  static const char * const wrong[] = { "p", "nothere", NULL };
  sqlite3 *db = open_memory ();
  g_autoptr(YataiRecorder) recorder = yatai_recorder_new (db, wrong);

  exec_ok (db, "BEGIN");
  g_assert_cmpint (yatai_recorder_begin (recorder), !=, SQLITE_OK);
  g_assert_false (yatai_recorder_is_recording (recorder));
  exec_ok (db, "ROLLBACK");
  g_clear_pointer (&recorder, yatai_recorder_free);
  sqlite3_close (db);
}

/* A table changed after the recorder described it (a column added): the changeset is refused, not
 * written with fields in the wrong places. */
static void
test_schema_changed (void)
{
  sqlite3 *db = open_memory ();
  g_autoptr(YataiRecorder) recorder = yatai_recorder_new (db, tables);
  g_autoptr(GBytes) changeset = NULL;

  exec_ok (db, "BEGIN");
  g_assert_cmpint (yatai_recorder_begin (recorder), ==, SQLITE_OK);
  g_assert_cmpint (yatai_recorder_changeset (recorder, &changeset), ==, SQLITE_OK);
  exec_ok (db, "COMMIT");
  g_clear_pointer (&changeset, g_bytes_unref);

  exec_ok (db, "ALTER TABLE p ADD COLUMN extra TEXT");
  exec_ok (db, "BEGIN");
  g_assert_cmpint (yatai_recorder_begin (recorder), ==, SQLITE_OK);
  exec_ok (db, "INSERT INTO p (id, name) VALUES (1, 'a')");
  g_assert_cmpint (yatai_recorder_changeset (recorder, &changeset), ==, SQLITE_SCHEMA);
  g_assert_null (changeset);
  exec_ok (db, "ROLLBACK");

  /* The next transaction describes the table again. */
  exec_ok (db, "BEGIN");
  g_assert_cmpint (yatai_recorder_begin (recorder), ==, SQLITE_OK);
  exec_ok (db, "INSERT INTO p (id, name, extra) VALUES (1, 'a', 'b')");
  g_assert_cmpint (yatai_recorder_changeset (recorder, &changeset), ==, SQLITE_OK);
  {
    g_autofree char *text = describe (g_bytes_get_data (changeset, NULL), (int) g_bytes_get_size (changeset));

    g_assert_cmpstr (text, ==, "p INSERT pk100000 new int:1 text:1:ca978112ca1bbdca null null int:0 text:1:3e23e8160039594a\n");
  }
  exec_ok (db, "COMMIT");
  g_clear_pointer (&recorder, yatai_recorder_free);
  sqlite3_close (db);
}

/* The store */

typedef struct
{
  char            *dir;
  YataiStore      *journaled;   /* the journal on: its recorder */
  YataiStore      *twin;        /* the journal off, a session around each command */
  gint64           now;
  guint            compared;
} Twins;

static gint64
twins_clock (gpointer user_data)
{
  return ((Twins *) user_data)->now;
}

static YataiStore *
open_at (Twins      *t,
         const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (t->dir, name, NULL);
  YataiStore *store = yatai_store_open (path, &error);

  g_assert_no_error (error);
  yatai_store_set_clock (store, twins_clock, t);
  return store;
}

/* Runs the same command (the same id, the same device, the same clock) on both twins; they must answer
 * alike, and the journal's changeset must hold the session's changes. Returns the journaled store's
 * result. */
static JsonNode *
twins_run (Twins      *t,
           const char *kind,
           JsonObject *args)
{
  g_autoptr(YataiCommand) first = yatai_command_new (kind, args);
  g_autoptr(YataiCommand) second = NULL;
  g_autoptr(GError) error = NULL, twin_error = NULL, peek_error = NULL;
  g_autoptr(JsonNode) twin_result = NULL;
  g_autoptr(GPtrArray) before = NULL, after = NULL;
  g_autofree char *json = NULL;
  sqlite3_session *session = NULL;
  const char * const *tables_synced = yatai_store_synced_tables ();
  JsonNode *result;
  void *theirs = NULL;
  int size = 0;

  yatai_command_set_device (first, "device-of-the-kitchen");
  json = yatai_command_to_json (first);
  second = yatai_command_new_from_json (json, -1, &error);
  g_assert_no_error (error);

  before = yatai_store_outbox_peek (t->journaled, 100000, &error);
  g_assert_no_error (error);
  g_assert_cmpint (sqlite3session_create (yatai_store_get_db (t->twin), "main", &session), ==, SQLITE_OK);
  for (guint i = 0; tables_synced[i] != NULL; i++)
    g_assert_cmpint (sqlite3session_attach (session, tables_synced[i]), ==, SQLITE_OK);

  result = yatai_store_execute (t->journaled, first, &error);
  twin_result = yatai_store_execute (t->twin, second, &twin_error);
  g_assert_cmpint (result == NULL, ==, twin_result == NULL);
  if (result != NULL)
    {
      g_autofree char *a = json_to_string (result, FALSE), *b = json_to_string (twin_result, FALSE);

      g_assert_cmpstr (a, ==, b);
    }
  else
    g_assert_cmpstr (error->message, ==, twin_error->message);

  g_assert_cmpint (sqlite3session_changeset (session, &size, &theirs), ==, SQLITE_OK);
  sqlite3session_delete (session);
  after = yatai_store_outbox_peek (t->journaled, 100000, &peek_error);
  g_assert_no_error (peek_error);
  if (size == 0)
    g_assert_cmpuint (after->len, ==, before->len);
  else
    {
      YataiOutboxEntry *entry;
      g_autofree char *ours_text = NULL, *theirs_text = NULL;

      g_assert_cmpuint (after->len, ==, before->len + 1);
      entry = g_ptr_array_index (after, after->len - 1);
      ours_text = describe (g_bytes_get_data (entry->changeset, NULL), (int) g_bytes_get_size (entry->changeset));
      theirs_text = describe (theirs, size);
      g_assert_cmpstr (ours_text, ==, theirs_text);
      t->compared++;
    }
  sqlite3_free (theirs);
  t->now += 1000000;
  return result;
}

static gint64
twins_save (Twins      *t,
            gint64      id,
            const char *name,
            gint64      stock,
            const char *tag,
            GBytes     *picture)
{
  const char *tags[] = { tag, NULL };
  g_autoptr(JsonObject) args = yatai_product_save_args (id, name, 300, stock, FALSE, tag != NULL ? tags : NULL, picture, TRUE);
  g_autoptr(JsonNode) result = twins_run (t, "product.save", args);

  g_assert_nonnull (result);
  return json_object_get_int_member (json_node_get_object (result), "id");
}

static gint64
twins_confirm (Twins *t,
               gint64 product,
               gint64 quantity)
{
  YataiCartLine lines[] = { { product, quantity } };
  g_autoptr(JsonObject) args = yatai_order_confirm_args (lines, 1, "たなか", "ねぎ抜き 🍜", 5000, FALSE, 5);
  g_autoptr(JsonNode) result = twins_run (t, "order.confirm", args);

  return result != NULL ? json_object_get_int_member (json_node_get_object (result), "id") : 0;
}

static void
twins_order (Twins      *t,
             const char *kind,
             gint64      id,
             const char *member,
             const char *value)
{
  g_autoptr(JsonObject) args = json_object_new ();
  g_autoptr(JsonNode) result = NULL;

  json_object_set_int_member (args, "id", id);
  if (member != NULL)
    json_object_set_string_member (args, member, value);
  result = twins_run (t, kind, args);
}

/* A picture as the editor makes one: a small PNG through Yatai's own preparation. */
static GBytes *
make_picture (guint8 shade)
{
  g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, 32, 24);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) png = NULL;
  char *buffer = NULL;
  gsize size = 0;
  GBytes *prepared;

  gdk_pixbuf_fill (pixbuf, 0x10203000u | shade);
  g_assert_true (gdk_pixbuf_save_to_buffer (pixbuf, &buffer, &size, "png", &error, NULL));
  png = g_bytes_new_take (buffer, size);
  prepared = yatai_picture_prepare (png, &error);
  g_assert_no_error (error);
  return prepared;
}

/* Every kind of command the writer runs, on twin stores: the journal's changesets are the session's. */
static void
test_store_commands (void)
{
  Twins t = { 0 };
  g_autoptr(GBytes) picture = make_picture (0x40), other_picture = make_picture (0x90);
  g_autoptr(GError) error = NULL;
  g_autofree char *first_path = NULL, *twin_path = NULL, *contents = NULL;
  gint64 yakisoba, ramune, tea, order1, order2, order3;
  gsize length = 0;

  t.dir = g_dir_make_tmp ("yatai-recorder-XXXXXX", NULL);
  t.now = 1764547200000000;  /* 2025-12-01 00:00 UTC */
  first_path = g_build_filename (t.dir, "journaled.sqlite3", NULL);
  twin_path = g_build_filename (t.dir, "twin.sqlite3", NULL);

  /* The twin is a copy of the same file. */
  t.journaled = open_at (&t, "journaled.sqlite3");
  g_clear_object (&t.journaled);
  g_assert_true (g_file_get_contents (first_path, &contents, &length, &error));
  g_assert_true (g_file_set_contents (twin_path, contents, (gssize) length, &error));
  t.journaled = open_at (&t, "journaled.sqlite3");
  t.twin = open_at (&t, "twin.sqlite3");
  yatai_store_set_journal_enabled (t.journaled, TRUE);

  yakisoba = twins_save (&t, 0, "焼きそば", 20, "主食", picture);
  ramune = twins_save (&t, 0, "ラムネ", 2, "飲み物", NULL);
  tea = twins_save (&t, 0, "緑茶", 50, "飲み物", other_picture);
  twins_save (&t, yakisoba, "焼きそば（大）", 18, "大盛り", other_picture);  /* tags and picture replaced */
  twins_save (&t, tea, "緑茶", 50, "飲み物", NULL);                          /* the picture taken off */
  twins_save (&t, tea, "緑茶", 50, "飲み物", NULL);                          /* nothing changes */

  order1 = twins_confirm (&t, yakisoba, 2);
  order2 = twins_confirm (&t, ramune, 2);
  order3 = twins_confirm (&t, tea, 1);
  g_assert_cmpint (twins_confirm (&t, ramune, 1), ==, 0);  /* sold out: refused, the refusal recorded */
  twins_order (&t, "order.status", order1, "status", "processing");
  twins_order (&t, "order.status", order1, "status", "completed");
  twins_order (&t, "order.status", order1, "status", "processing");
  twins_order (&t, "order.edit", order2, "customer", "すずき");
  twins_order (&t, "order.cancel", order2, NULL, NULL);
  twins_order (&t, "order.cancel", order2, NULL, NULL);    /* once only */
  twins_order (&t, "order.delete", order3, NULL, NULL);

  {
    g_autoptr(JsonObject) args = json_object_new ();
    g_autoptr(JsonNode) result = NULL;

    json_object_set_int_member (args, "id", yakisoba);
    result = twins_run (&t, "product.delete", args);        /* its tags, its picture, its order lines' link */
  }
  {
    g_autoptr(JsonObject) args = json_object_new ();
    g_autoptr(JsonNode) result = NULL;

    json_object_set_int_member (args, "day_start_hour", 5);
    result = twins_run (&t, "day.close", args);
  }
  twins_confirm (&t, tea, 3);

  {
    g_autofree char *a = yatai_store_dump_canonical (t.journaled, &error), *b = yatai_store_dump_canonical (t.twin, &error);

    g_assert_no_error (error);
    g_assert_cmpstr (a, ==, b);
  }
  g_assert_cmpuint (t.compared, >=, 15);

  g_clear_object (&t.journaled);
  g_clear_object (&t.twin);
  {
    g_autoptr(GDir) d = g_dir_open (t.dir, 0, NULL);
    const char *name;

    while ((name = g_dir_read_name (d)) != NULL)
      {
        g_autofree char *path = g_build_filename (t.dir, name, NULL);

        g_unlink (path);
      }
  }
  g_rmdir (t.dir);
  g_free (t.dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  for (guint seed = 1; seed <= 8; seed++)
    {
      g_autofree char *path = g_strdup_printf ("/recorder/same-as-session/%u", seed);

      g_test_add_data_func (path, GUINT_TO_POINTER (seed), test_random);
    }
  g_test_add_func ("/recorder/missing-table", test_missing_table);
  g_test_add_func ("/recorder/schema-changed", test_schema_changed);
  g_test_add_func ("/recorder/store-commands", test_store_commands);
  return g_test_run ();
}
