/* yatai-recorder.c: the changeset of one transaction at a time, from SQLite's pre-update hook
 *
 * This is what an SQLite session (the session extension) records for one transaction, in the same
 * changeset format, so that followers apply it with sqlite3changeset_apply_v2 as before. It exists for
 * speed alone: a 3.40 session cannot be emptied and kept, so each transaction needs a new one, and a new
 * session describes every table it meets with PRAGMA table_info (which SQLite compiles again at each
 * run: twice when the table first changes, twice more for the changeset) and compiles a SELECT per
 * table for the changeset. That was nine tenths of the journal's cost on a confirm. A recorder lives
 * as long as the store's connection: it describes each table once and keeps its SELECT prepared.
 *
 * The method is the session's. The pre-update hook notes each row a transaction touches, the first time
 * it is touched: its primary key, whether it existed, and if so all its values as they were. When the
 * changeset is asked for, each noted row is read back as it is now, by its key, and compared with what
 * it was: it was made (INSERT with every value), it went (DELETE with every old value), or it changed
 * (UPDATE: the key and the old values of the columns that differ, the new values of those columns, every
 * other field undefined); a row back as it was is left out. Reading the rows back, rather than trusting
 * the values the hook saw, keeps the changeset right when a statement fails half-way or a savepoint is
 * rolled back. A change is indirect (made by a trigger or a foreign key's action) unless some change to
 * the row was made directly. Tables come in the order they were first changed, rows in the order they
 * were first touched. Only tables that have a primary key are recorded, as with a session.
 *
 * The format (sqlite3session.c): per table a header, 'T', the number of columns as a varint, one byte
 * per column (its place in the primary key, 0 for none), the name and a nul; then the changes, each an
 * operation byte (SQLITE_INSERT, SQLITE_UPDATE, SQLITE_DELETE), the indirect flag, and records of one
 * field per column: a type byte (0 undefined, 1 integer, 2 real, 3 text, 4 blob, 5 null), then 8 bytes
 * big-endian for a number, or a varint length and the bytes for text and blobs.
 *
 * tests/test-recorder.c holds it to a real session, change for change, on the same statements.
 */
#define G_LOG_DOMAIN "yatai-recorder"

#include "config.h"

#include <string.h>

#include "yatai-recorder.h"

typedef struct
{
  char          *name;
  int            n_columns;
  guint8        *pk;       /* per column: its place in the primary key (1, 2, ...), or 0 */
  int            n_pk;
  sqlite3_stmt  *select;   /* the row as it is now, by its key */
  guint          rank;     /* 1 + the order in which the recording first changed it; 0: not changed */
} Table;

typedef struct
{
  Table          *table;
  gboolean        existed;
  gboolean        indirect;
  sqlite3_value **key;     /* n_pk values, in column order */
  sqlite3_value **old;     /* n_columns values as they were, when it existed */
} Entry;

struct _YataiRecorder
{
  sqlite3    *db;
  Table      *tables;
  guint       n_tables;
  guint       n_ranked;
  gboolean    recording;
  int         rc;          /* the first error met while recording */
  GHashTable *entries;     /* GBytes (table, serialized key) → Entry *, owned by order */
  GPtrArray  *order;       /* Entry *, in the order first touched */
  GByteArray *scratch;
};

/* Serializing */

static void
put_varint (GByteArray *buffer,
            guint64     value)
{
  guint8 bytes[10];
  int n = 0;

  if (value & (G_GUINT64_CONSTANT (0xff000000) << 32))
    {
      /* Nine bytes: eight of seven bits, the last of eight. */
      bytes[8] = (guint8) value;
      value >>= 8;
      for (int i = 7; i >= 0; i--)
        {
          bytes[i] = (guint8) ((value & 0x7f) | 0x80);
          value >>= 7;
        }
      g_byte_array_append (buffer, bytes, 9);
      return;
    }
  do
    {
      bytes[n++] = (guint8) ((value & 0x7f) | 0x80);
      value >>= 7;
    }
  while (value != 0);
  bytes[0] &= 0x7f;
  for (int i = n - 1; i >= 0; i--)
    g_byte_array_append (buffer, &bytes[i], 1);
}

static void
put_u64 (GByteArray *buffer,
         guint64     value)
{
  guint64 big = GUINT64_TO_BE (value);

  g_byte_array_append (buffer, (const guint8 *) &big, 8);
}

/* One field, from a protected value (the hook's, or a copy) or, with @value NULL, a statement's column. */
static void
put_field (GByteArray    *buffer,
           sqlite3_value *value,
           sqlite3_stmt  *stmt,
           int            column)
{
  int type = value != NULL ? sqlite3_value_type (value) : sqlite3_column_type (stmt, column);
  guint8 type_byte;

  switch (type)
    {
    case SQLITE_INTEGER:
      type_byte = 1;
      g_byte_array_append (buffer, &type_byte, 1);
      put_u64 (buffer, (guint64) (value != NULL ? sqlite3_value_int64 (value) : sqlite3_column_int64 (stmt, column)));
      break;
    case SQLITE_FLOAT:
      {
        double real = value != NULL ? sqlite3_value_double (value) : sqlite3_column_double (stmt, column);
        guint64 bits;

        memcpy (&bits, &real, sizeof bits);
        type_byte = 2;
        g_byte_array_append (buffer, &type_byte, 1);
        put_u64 (buffer, bits);
      }
      break;
    case SQLITE_TEXT:
    case SQLITE_BLOB:
      {
        const void *data;
        int size;

        if (type == SQLITE_TEXT)
          data = value != NULL ? (const void *) sqlite3_value_text (value) : (const void *) sqlite3_column_text (stmt, column);
        else
          data = value != NULL ? sqlite3_value_blob (value) : sqlite3_column_blob (stmt, column);
        size = value != NULL ? sqlite3_value_bytes (value) : sqlite3_column_bytes (stmt, column);
        type_byte = type == SQLITE_TEXT ? 3 : 4;
        g_byte_array_append (buffer, &type_byte, 1);
        put_varint (buffer, (guint64) size);
        if (size > 0)
          g_byte_array_append (buffer, data, (guint) size);
      }
      break;
    default:
      type_byte = 5;
      g_byte_array_append (buffer, &type_byte, 1);
      break;
    }
}

static void
put_undefined (GByteArray *buffer)
{
  static const guint8 undefined = 0;

  g_byte_array_append (buffer, &undefined, 1);
}

/* Whether a value as it was is the statement's column now: the same type and the same bytes, as the
 * session compares them. */
static gboolean
same_value (sqlite3_value *was,
            sqlite3_stmt  *stmt,
            int            column)
{
  int type = sqlite3_value_type (was);

  if (type != sqlite3_column_type (stmt, column))
    return FALSE;
  switch (type)
    {
    case SQLITE_INTEGER:
      return sqlite3_value_int64 (was) == sqlite3_column_int64 (stmt, column);
    case SQLITE_FLOAT:
      {
        double a = sqlite3_value_double (was), b = sqlite3_column_double (stmt, column);

        return memcmp (&a, &b, sizeof a) == 0;
      }
    case SQLITE_TEXT:
      {
        const unsigned char *a = sqlite3_value_text (was), *b = sqlite3_column_text (stmt, column);
        int size = sqlite3_value_bytes (was);

        return size == sqlite3_column_bytes (stmt, column) && (size == 0 || memcmp (a, b, (size_t) size) == 0);
      }
    case SQLITE_BLOB:
      {
        const void *a = sqlite3_value_blob (was), *b = sqlite3_column_blob (stmt, column);
        int size = sqlite3_value_bytes (was);

        return size == sqlite3_column_bytes (stmt, column) && (size == 0 || memcmp (a, b, (size_t) size) == 0);
      }
    default:
      return TRUE;
    }
}

/* Tables */

static void
table_clear (Table *table)
{
  g_clear_pointer (&table->pk, g_free);
  g_clear_pointer (&table->select, sqlite3_finalize);
  table->n_columns = 0;
  table->n_pk = 0;
}

/* Describes @table once: its columns, its primary key, and the statement that reads a row by its key.
 * A table without a primary key is described with n_pk 0 and never recorded. A described table has
 * its pk. */
static int
table_load (YataiRecorder *self,
            Table         *table)
{
  g_autoptr(GString) sql = g_string_new ("SELECT ");
  g_autoptr(GString) where = g_string_new (NULL);
  g_autoptr(GArray) pk = g_array_new (FALSE, TRUE, sizeof (guint8));
  char *pragma = sqlite3_mprintf ("PRAGMA main.table_info(%Q)", table->name);
  sqlite3_stmt *stmt = NULL;
  char *from;
  int rc;

  table_clear (table);
  rc = pragma != NULL ? sqlite3_prepare_v2 (self->db, pragma, -1, &stmt, NULL) : SQLITE_NOMEM;
  sqlite3_free (pragma);
  while (rc == SQLITE_OK || rc == SQLITE_ROW)
    {
      char *quoted;
      guint8 place;

      if ((rc = sqlite3_step (stmt)) != SQLITE_ROW)
        break;
      quoted = sqlite3_mprintf ("\"%w\"", (const char *) sqlite3_column_text (stmt, 1));
      place = (guint8) sqlite3_column_int (stmt, 5);

      g_string_append_printf (sql, "%s%s", pk->len > 0 ? ", " : "", quoted);
      g_array_append_val (pk, place);
      if (place > 0)
        {
          table->n_pk++;
          g_string_append_printf (where, "%s%s IS ?%d", table->n_pk > 1 ? " AND " : "", quoted, table->n_pk);
        }
      sqlite3_free (quoted);
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    return rc == SQLITE_OK ? SQLITE_ERROR : rc;
  if (pk->len == 0)
    return SQLITE_SCHEMA;  /* no such table */

  table->n_columns = (int) pk->len;
  table->pk = (guint8 *) g_array_free (g_steal_pointer (&pk), FALSE);
  if (table->n_pk == 0)
    return SQLITE_OK;
  from = sqlite3_mprintf (" FROM main.\"%w\" WHERE ", table->name);
  g_string_append (sql, from);
  g_string_append (sql, where->str);
  sqlite3_free (from);
  return sqlite3_prepare_v3 (self->db, sql->str, -1, SQLITE_PREPARE_PERSISTENT, &table->select, NULL);
}

static Table *
find_table (YataiRecorder *self,
            const char    *name)
{
  for (guint i = 0; i < self->n_tables; i++)
    if (strcmp (self->tables[i].name, name) == 0)
      return &self->tables[i];
  return NULL;
}

/* Entries */

static void
free_values (sqlite3_value **values,
             int             n)
{
  if (values == NULL)
    return;
  for (int i = 0; i < n; i++)
    sqlite3_value_free (values[i]);
  g_free (values);
}

static void
entry_free (Entry *entry)
{
  free_values (entry->key, entry->table->n_pk);
  free_values (entry->old, entry->table->n_columns);
  g_free (entry);
}

typedef int (*ValueFunc) (sqlite3 *db, int column, sqlite3_value **value);

/* Notes the row whose key the hook's @get (old or new values) gives, unless it was noted already. */
static void
touch (YataiRecorder *self,
       Table         *table,
       ValueFunc      get,
       gboolean       existed,
       gboolean       indirect)
{
  sqlite3_value *value = NULL;
  g_autoptr(GBytes) key = NULL;
  guint8 index = (guint8) (table - self->tables);
  Entry *entry;

  g_byte_array_set_size (self->scratch, 0);
  g_byte_array_append (self->scratch, &index, 1);
  for (int i = 0; i < table->n_columns; i++)
    if (table->pk[i] > 0)
      {
        if (get (self->db, i, &value) != SQLITE_OK)
          {
            self->rc = SQLITE_ERROR;
            return;
          }
        put_field (self->scratch, value, NULL, 0);
      }
  key = g_bytes_new (self->scratch->data, self->scratch->len);

  entry = g_hash_table_lookup (self->entries, key);
  if (entry != NULL)
    {
      if (!indirect)
        entry->indirect = FALSE;
      return;
    }

  entry = g_new0 (Entry, 1);
  entry->table = table;
  entry->existed = existed;
  entry->indirect = indirect;
  entry->key = g_new0 (sqlite3_value *, table->n_pk);
  for (int i = 0, k = 0; i < table->n_columns; i++)
    if (table->pk[i] > 0)
      {
        get (self->db, i, &value);
        if ((entry->key[k++] = sqlite3_value_dup (value)) == NULL)
          self->rc = SQLITE_NOMEM;
      }
  if (existed)
    {
      entry->old = g_new0 (sqlite3_value *, table->n_columns);
      for (int i = 0; i < table->n_columns; i++)
        {
          if (sqlite3_preupdate_old (self->db, i, &value) != SQLITE_OK ||
              (entry->old[i] = sqlite3_value_dup (value)) == NULL)
            self->rc = SQLITE_NOMEM;
        }
    }
  g_hash_table_insert (self->entries, g_steal_pointer (&key), entry);
  g_ptr_array_add (self->order, entry);
  if (table->rank == 0)
    table->rank = ++self->n_ranked;
}

static void
preupdate_cb (void          *user_data,
              sqlite3       *db,
              int            op,
              const char    *db_name,
              const char    *table_name,
              sqlite3_int64  key1,
              sqlite3_int64  key2)
{
  YataiRecorder *self = user_data;
  gboolean indirect;
  Table *table;

  if (!self->recording || self->rc != SQLITE_OK || strcmp (db_name, "main") != 0)
    return;
  table = find_table (self, table_name);
  if (table == NULL || table->n_pk == 0)
    return;
  if (sqlite3_preupdate_count (db) != table->n_columns)
    {
      self->rc = SQLITE_SCHEMA;  /* the table changed since it was described */
      return;
    }

  indirect = sqlite3_preupdate_depth (db) > 0;
  switch (op)
    {
    case SQLITE_INSERT:
      touch (self, table, sqlite3_preupdate_new, FALSE, indirect);
      break;
    case SQLITE_DELETE:
      touch (self, table, sqlite3_preupdate_old, TRUE, indirect);
      break;
    case SQLITE_UPDATE:
      /* The row under its old key existed; under its new key, if the update changed the key, it did not. */
      touch (self, table, sqlite3_preupdate_old, TRUE, indirect);
      if (self->rc == SQLITE_OK)
        touch (self, table, sqlite3_preupdate_new, FALSE, indirect);
      break;
    default:
      break;
    }
}

/* The recorder */

/**
 * yatai_recorder_new:
 * @db: the connection whose transactions it records; it takes the connection's pre-update hook
 * @tables: the tables to record, %NULL-terminated
 */
YataiRecorder *
yatai_recorder_new (sqlite3            *db,
                    const char * const *tables)
{
  YataiRecorder *self = g_new0 (YataiRecorder, 1);

  self->db = db;
  self->n_tables = g_strv_length ((char **) tables);
  self->tables = g_new0 (Table, self->n_tables);
  for (guint i = 0; i < self->n_tables; i++)
    self->tables[i].name = g_strdup (tables[i]);
  self->entries = g_hash_table_new_full (g_bytes_hash, g_bytes_equal, (GDestroyNotify) g_bytes_unref, NULL);
  self->order = g_ptr_array_new_with_free_func ((GDestroyNotify) entry_free);
  self->scratch = g_byte_array_new ();
  sqlite3_preupdate_hook (db, preupdate_cb, self);
  return self;
}

static void
forget_changes (YataiRecorder *self)
{
  g_hash_table_remove_all (self->entries);
  g_ptr_array_set_size (self->order, 0);
  for (guint i = 0; i < self->n_tables; i++)
    self->tables[i].rank = 0;
  self->n_ranked = 0;
  self->recording = FALSE;
  self->rc = SQLITE_OK;
}

void
yatai_recorder_free (YataiRecorder *self)
{
  if (self == NULL)
    return;
  sqlite3_preupdate_hook (self->db, NULL, NULL);
  forget_changes (self);
  for (guint i = 0; i < self->n_tables; i++)
    {
      table_clear (&self->tables[i]);
      g_free (self->tables[i].name);
    }
  g_free (self->tables);
  g_hash_table_unref (self->entries);
  g_ptr_array_unref (self->order);
  g_byte_array_unref (self->scratch);
  g_free (self);
}

/**
 * yatai_recorder_begin:
 *
 * Starts recording the changes the connection makes, inside a transaction it has begun. The first time,
 * it describes the tables (and a table that is not there is an error).
 *
 * Returns: SQLITE_OK, or SQLite's error
 */
int
yatai_recorder_begin (YataiRecorder *self)
{
  g_return_val_if_fail (!self->recording, SQLITE_MISUSE);

  for (guint i = 0; i < self->n_tables; i++)
    if (self->tables[i].pk == NULL)
      {
        int rc = table_load (self, &self->tables[i]);

        if (rc != SQLITE_OK)
          {
            table_clear (&self->tables[i]);
            return rc;
          }
      }
  forget_changes (self);
  self->recording = TRUE;
  return SQLITE_OK;
}

gboolean
yatai_recorder_is_recording (YataiRecorder *self)
{
  return self->recording;
}

void
yatai_recorder_cancel (YataiRecorder *self)
{
  forget_changes (self);
}

/* The change of one noted row, if it has one, appended to @out. */
static int
append_change (YataiRecorder *self,
               Entry         *entry,
               GByteArray    *out)
{
  Table *table = entry->table;
  sqlite3_stmt *stmt = table->select;
  gboolean exists;
  guint8 head[2];
  int rc;

  for (int k = 0; k < table->n_pk; k++)
    sqlite3_bind_value (stmt, k + 1, entry->key[k]);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      sqlite3_reset (stmt);
      return rc;
    }
  exists = rc == SQLITE_ROW;
  head[1] = entry->indirect ? 1 : 0;

  if (exists && !entry->existed)
    {
      head[0] = SQLITE_INSERT;
      g_byte_array_append (out, head, 2);
      for (int i = 0; i < table->n_columns; i++)
        put_field (out, NULL, stmt, i);
    }
  else if (!exists && entry->existed)
    {
      head[0] = SQLITE_DELETE;
      g_byte_array_append (out, head, 2);
      for (int i = 0; i < table->n_columns; i++)
        put_field (out, entry->old[i], NULL, 0);
    }
  else if (exists)
    {
      gboolean *changed = g_newa (gboolean, table->n_columns);
      gboolean any = FALSE;

      for (int i = 0; i < table->n_columns; i++)
        {
          changed[i] = table->pk[i] == 0 && !same_value (entry->old[i], stmt, i);
          any = any || changed[i];
        }
      if (any)
        {
          head[0] = SQLITE_UPDATE;
          g_byte_array_append (out, head, 2);
          for (int i = 0; i < table->n_columns; i++)
            if (table->pk[i] > 0 || changed[i])
              put_field (out, entry->old[i], NULL, 0);
            else
              put_undefined (out);
          for (int i = 0; i < table->n_columns; i++)
            if (changed[i])
              put_field (out, NULL, stmt, i);
            else
              put_undefined (out);
        }
    }
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
  return SQLITE_OK;
}

/**
 * yatai_recorder_changeset:
 * @out_changeset: (out): the changeset, empty when nothing changed
 *
 * The changeset of what the connection changed since yatai_recorder_begin(), read while the transaction
 * is still open. Recording stops, whatever the result.
 *
 * Returns: SQLITE_OK, or SQLite's error (the first one met while recording)
 */
int
yatai_recorder_changeset (YataiRecorder  *self,
                          GBytes        **out_changeset)
{
  g_autoptr(GByteArray) out = g_byte_array_new ();
  int rc = self->rc;

  g_return_val_if_fail (self->recording, SQLITE_MISUSE);
  self->recording = FALSE;

  for (guint rank = 1; rc == SQLITE_OK && rank <= self->n_ranked; rank++)
    {
      Table *table = NULL;
      guint start = out->len, after_header;
      static const guint8 tee = 'T', nul = 0;

      for (guint i = 0; i < self->n_tables && table == NULL; i++)
        if (self->tables[i].rank == rank)
          table = &self->tables[i];
      g_assert (table != NULL);

      g_byte_array_append (out, &tee, 1);
      put_varint (out, (guint64) table->n_columns);
      g_byte_array_append (out, table->pk, (guint) table->n_columns);
      g_byte_array_append (out, (const guint8 *) table->name, (guint) strlen (table->name));
      g_byte_array_append (out, &nul, 1);
      after_header = out->len;

      for (guint i = 0; rc == SQLITE_OK && i < self->order->len; i++)
        {
          Entry *entry = g_ptr_array_index (self->order, i);

          if (entry->table == table)
            rc = append_change (self, entry, out);
        }
      if (out->len == after_header)
        g_byte_array_set_size (out, start);
    }

  forget_changes (self);
  /* A table changed under the recorder: the next recording describes the tables again. */
  if (rc == SQLITE_SCHEMA)
    for (guint i = 0; i < self->n_tables; i++)
      table_clear (&self->tables[i]);
  if (rc != SQLITE_OK)
    return rc;
  *out_changeset = g_byte_array_free_to_bytes (g_steal_pointer (&out));
  return SQLITE_OK;
}
