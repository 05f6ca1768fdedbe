/* yatai-store-journal.c: row changes as changesets, snapshots, and restoring
 *
 * The writer records the changeset of every command it runs while journaling is on (yatai-recorder.c:
 * what an SQLite session would record, in its format, without describing the tables again for each
 * command) and puts it in `outbox` inside the same transaction. A
 * follower applies changesets with foreign keys off: the changeset already holds every row the writer's
 * cascades touched, so letting the follower's cascades run again would only make conflicts. Any conflict
 * means the replica differs from the writer's history, and the whole changeset is refused.
 */
#define G_LOG_DOMAIN "yatai-journal"

#include "config.h"

#include <glib/gi18n.h>

#include "yatai-store-journal.h"
#include "yatai-store-private.h"

/* The tables sync carries, parents before children. local_meta and outbox stay on this device. */
static const char * const synced_tables[] = {
  "products",
  "product_pictures",
  "tags",
  "product_tags",
  "orders",
  "order_lines",
  "status_changes",
  "applied_commands",
  "day_closings",
  "command_counters",
  "stall_keys",
  NULL
};

const char * const *
yatai_store_synced_tables (void)
{
  return synced_tables;
}

void
yatai_outbox_entry_free (YataiOutboxEntry *entry)
{
  if (entry == NULL)
    return;
  g_free (entry->command_id);
  g_free (entry->command);
  g_clear_pointer (&entry->changeset, g_bytes_unref);
  g_free (entry);
}

/* Writer */

gboolean
yatai_store_journal_begin (YataiStore  *self,
                           GError     **error)
{
  int rc = yatai_recorder_begin (yatai_store_get_recorder (self));

  if (rc != SQLITE_OK)
    {
      yatai_store_set_sqlite_error (self, rc, error);
      return FALSE;
    }
  return TRUE;
}

/* Forgets a recording that was not taken (the command failed before its changeset). */
void
yatai_store_journal_end (YataiStore *self)
{
  yatai_recorder_cancel (yatai_store_get_recorder (self));
}

/* Takes the changeset of the transaction under way and adds it to the outbox. */
gboolean
yatai_store_journal_record (YataiStore    *self,
                            YataiCommand  *command,
                            GError       **error)
{
  g_autoptr(GBytes) changeset = NULL;
  g_autofree char *json = NULL;
  sqlite3_stmt *stmt;
  int rc;
  gboolean ok;

  rc = yatai_recorder_changeset (yatai_store_get_recorder (self), &changeset);
  if (rc != SQLITE_OK)
    {
      yatai_store_set_sqlite_error (self, rc, error);
      return FALSE;
    }
  if (g_bytes_get_size (changeset) == 0)
    return TRUE;

  json = yatai_command_to_json (command);
  stmt = yatai_store_prepare (self,
                              "INSERT INTO outbox (command_id, command, changeset, created) VALUES (?, ?, ?, ?)",
                              error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, yatai_command_get_id (command), -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, json, -1, SQLITE_STATIC);
  sqlite3_bind_blob (stmt, 3, g_bytes_get_data (changeset, NULL), (int) g_bytes_get_size (changeset), SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 4, yatai_store_now (self));
  ok = yatai_store_step_done (self, stmt, error);
  sqlite3_clear_bindings (stmt);
  return ok;
}

GPtrArray *
yatai_store_outbox_peek (YataiStore  *self,
                         guint        max_entries,
                         GError     **error)
{
  return yatai_store_outbox_peek_after (self, G_MININT64, max_entries, error);
}

/* The outbox entries after @after_id, oldest first: what the writer has not sealed into a segment yet
 * while earlier ones wait for the bucket. */
GPtrArray *
yatai_store_outbox_peek_after (YataiStore  *self,
                               gint64       after_id,
                               guint        max_entries,
                               GError     **error)
{
  g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func ((GDestroyNotify) yatai_outbox_entry_free);
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (YATAI_IS_STORE (self), NULL);

  stmt = yatai_store_prepare (self,
                              "SELECT id, command_id, command, changeset, created FROM outbox WHERE id > ? "
                              "ORDER BY id LIMIT ?",
                              error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, after_id);
  sqlite3_bind_int (stmt, 2, max_entries);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      YataiOutboxEntry *entry = g_new0 (YataiOutboxEntry, 1);

      entry->id = sqlite3_column_int64 (stmt, 0);
      entry->command_id = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      entry->command = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
      entry->changeset = g_bytes_new (sqlite3_column_blob (stmt, 3), sqlite3_column_bytes (stmt, 3));
      entry->created = sqlite3_column_int64 (stmt, 4);
      g_ptr_array_add (entries, entry);
    }
  sqlite3_reset (stmt);

  if (rc != SQLITE_DONE)
    {
      yatai_store_set_sqlite_error (self, rc, error);
      return NULL;
    }
  return g_steal_pointer (&entries);
}

static gboolean
set_local_pairs (YataiStore         *self,
                 const char * const *pairs,
                 GError            **error)
{
  for (guint i = 0; pairs != NULL && pairs[i] != NULL; i += 2)
    {
      g_return_val_if_fail (pairs[i + 1] != NULL, FALSE);
      if (!yatai_store_set_local (self, pairs[i], pairs[i + 1], error))
        return FALSE;
    }
  return TRUE;
}

/**
 * yatai_store_outbox_remove_through:
 * @local_pairs: (nullable): key, value, key, value, …, NULL: this device's position, saved with it
 *
 * Forgets the entries up to @id once the bucket has them, in one transaction with @local_pairs.
 */
gboolean
yatai_store_outbox_remove_through (YataiStore         *self,
                                   gint64              id,
                                   const char * const *local_pairs,
                                   GError            **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (YATAI_IS_STORE (self), FALSE);

  if (!yatai_store_exec (self, "BEGIN IMMEDIATE", error))
    return FALSE;

  stmt = yatai_store_prepare (self, "DELETE FROM outbox WHERE id <= ?", error);
  if (stmt != NULL)
    sqlite3_bind_int64 (stmt, 1, id);
  if (stmt == NULL ||
      !yatai_store_step_done (self, stmt, error) ||
      !set_local_pairs (self, local_pairs, error) ||
      !yatai_store_exec (self, "COMMIT", error))
    {
      sqlite3_exec (yatai_store_get_db (self), "ROLLBACK", NULL, NULL, NULL);
      return FALSE;
    }
  return TRUE;
}

gint64
yatai_store_outbox_count (YataiStore *self)
{
  sqlite3_stmt *stmt;
  gint64 n = 0;

  g_return_val_if_fail (YATAI_IS_STORE (self), 0);

  stmt = yatai_store_prepare (self, "SELECT count(*) FROM outbox", NULL);
  if (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
    n = sqlite3_column_int64 (stmt, 0);
  if (stmt != NULL)
    sqlite3_reset (stmt);
  return n;
}

/* Follower */

static int
conflict_cb (void                   *user_data,
             int                     conflict,
             sqlite3_changeset_iter *iter)
{
  int *n_conflicts = user_data;

  (*n_conflicts)++;
  return SQLITE_CHANGESET_ABORT;
}

static int
filter_cb (void       *user_data,
           const char *table)
{
  return g_strv_contains (synced_tables, table);
}

/* SQLite's variable-length integer (1 to 9 bytes, big-endian, 7 bits a byte but the ninth); FALSE when
 * it runs past @end. */
static gboolean
read_varint (const guint8 **p,
             const guint8  *end,
             guint64       *value)
{
  *value = 0;
  for (int i = 0; i < 9; i++)
    {
      if (*p >= end)
        return FALSE;
      if (i == 8)
        {
          *value = (*value << 8) | *(*p)++;
          return TRUE;
        }
      *value = (*value << 7) | (**p & 0x7f);
      if ((*(*p)++ & 0x80) == 0)
        return TRUE;
    }
  return TRUE;
}

/* One record of @n_columns values. */
static gboolean
skip_record (const guint8 **p,
             const guint8  *end,
             guint64        n_columns)
{
  for (guint64 c = 0; c < n_columns; c++)
    {
      guint64 length;

      if (*p >= end)
        return FALSE;
      switch (*(*p)++)
        {
        case 0x00:   /* undefined */
        case 0x05:   /* NULL */
          break;
        case 0x01:   /* integer */
        case 0x02:   /* real */
          if (end - *p < 8)
            return FALSE;
          *p += 8;
          break;
        case 0x03:   /* text */
        case 0x04:   /* blob */
          if (!read_varint (p, end, &length) || length > (guint64) (end - *p))
            return FALSE;
          *p += length;
          break;
        default:
          return FALSE;
        }
    }
  return TRUE;
}

/* Whether @data is laid out as a changeset to its last byte (sqlite3session.c: table headers, then
 * each change's operation, flag and records), before SQLite's iterator reads it: SQLite 3.40 (Debian 12)
 * loops for ever on a table name that runs to the end of the changeset. */
static gboolean
changeset_is_well_formed (const guint8 *data,
                          gsize         size)
{
  const guint8 *p = data;
  const guint8 *end = data + size;
  guint64 n_columns = 0;

  if (size == 0 || *p != 'T')
    return FALSE;
  while (p < end)
    {
      guint8 op = *p++;

      switch (op)
        {
        case 'T':
          {
            const guint8 *name;

            if (!read_varint (&p, end, &n_columns) || n_columns == 0 || n_columns > 1000 ||
                n_columns > (guint64) (end - p))
              return FALSE;
            p += n_columns;
            name = memchr (p, '\0', end - p);
            if (name == NULL || name == p)
              return FALSE;
            p = name + 1;
          }
          break;
        case SQLITE_INSERT:
        case SQLITE_DELETE:
        case SQLITE_UPDATE:
          if (p >= end)
            return FALSE;
          p++;   /* indirect */
          if (!skip_record (&p, end, n_columns))
            return FALSE;
          if (op == SQLITE_UPDATE && !skip_record (&p, end, n_columns))
            return FALSE;
          break;
        default:
          return FALSE;
        }
    }
  return TRUE;
}

/* How many columns each synced table of this store has, by name. */
static GHashTable *
synced_table_widths (YataiStore *self)
{
  GHashTable *widths = g_hash_table_new (g_str_hash, g_str_equal);
  sqlite3_stmt *stmt = yatai_store_prepare (self, "SELECT count(*) FROM pragma_table_info (?)", NULL);

  for (guint i = 0; stmt != NULL && synced_tables[i] != NULL; i++)
    {
      sqlite3_bind_text (stmt, 1, synced_tables[i], -1, SQLITE_STATIC);
      if (sqlite3_step (stmt) == SQLITE_ROW)
        g_hash_table_insert (widths, (gpointer) synced_tables[i], GINT_TO_POINTER (sqlite3_column_int (stmt, 0)));
      sqlite3_reset (stmt);
    }
  return widths;
}

/* Whether every change of @data is whole: it can be read to its end, it is on a synced table of the
 * same columns as this store's (@widths), and the values SQLite needs are there (the whole row of an
 * insert or a delete, the primary key of an update). SQLite 3.40 (Debian 12) reads a missing primary
 * key value through a NULL pointer when it applies an update, so a damaged changeset is refused here
 * before it is applied. SQLite itself would skip, without a word, the changes of a table narrower than
 * the changeset's, and put those of a wider one into the columns at the same places: a writer of
 * another schema (products lost its picture column in schema 9) is refused instead. */
static gboolean
changeset_is_whole (gconstpointer  data,
                    gsize          size,
                    GHashTable    *widths)
{
  sqlite3_changeset_iter *iter = NULL;
  gboolean whole = TRUE;
  int rc = SQLITE_DONE;

  if (!changeset_is_well_formed (data, size) ||
      sqlite3changeset_start (&iter, size, (void *) data) != SQLITE_OK)
    return FALSE;
  while (whole && (rc = sqlite3changeset_next (iter)) == SQLITE_ROW)
    {
      const char *table;
      int n_columns, op, indirect, n_pk;
      unsigned char *pk = NULL;

      if (sqlite3changeset_op (iter, &table, &n_columns, &op, &indirect) != SQLITE_OK ||
          !g_strv_contains (synced_tables, table) ||
          GPOINTER_TO_INT (g_hash_table_lookup (widths, table)) != n_columns ||
          sqlite3changeset_pk (iter, &pk, &n_pk) != SQLITE_OK || n_pk != n_columns)
        {
          whole = FALSE;
          break;
        }
      for (int c = 0; whole && c < n_columns; c++)
        {
          sqlite3_value *old_value = NULL;
          sqlite3_value *new_value = NULL;

          switch (op)
            {
            case SQLITE_INSERT:
              whole = sqlite3changeset_new (iter, c, &new_value) == SQLITE_OK && new_value != NULL;
              break;
            case SQLITE_DELETE:
              whole = sqlite3changeset_old (iter, c, &old_value) == SQLITE_OK && old_value != NULL;
              break;
            case SQLITE_UPDATE:
              whole = !pk[c] || (sqlite3changeset_old (iter, c, &old_value) == SQLITE_OK && old_value != NULL);
              break;
            default:
              whole = FALSE;
            }
        }
    }
  if (whole && rc != SQLITE_DONE)
    whole = FALSE;
  sqlite3changeset_finalize (iter);
  return whole;
}

/* What a changeset touched, for the "changed" signal: product ids, order ids, and flags. */
static void
note_changes (YataiStore *self,
              GBytes     *changeset)
{
  sqlite3_changeset_iter *iter = NULL;
  gsize size;
  gconstpointer data = g_bytes_get_data (changeset, &size);

  if (sqlite3changeset_start (&iter, size, (void *) data) != SQLITE_OK)
    return;

  while (sqlite3changeset_next (iter) == SQLITE_ROW)
    {
      const char *table;
      int n_columns, op, indirect;
      sqlite3_value *value = NULL;
      int column = -1;
      gboolean order = FALSE;

      if (sqlite3changeset_op (iter, &table, &n_columns, &op, &indirect) != SQLITE_OK)
        break;

      if (g_str_equal (table, "products") || g_str_equal (table, "product_pictures") ||
          g_str_equal (table, "product_tags"))
        column = 0;
      else if (g_str_equal (table, "orders") || g_str_equal (table, "order_lines"))
        column = 0, order = TRUE;
      else if (g_str_equal (table, "status_changes"))
        column = 1, order = TRUE;
      else if (g_str_equal (table, "tags"))
        yatai_store_note (self, YATAI_CHANGE_TAGS);
      else if (g_str_equal (table, "day_closings"))
        yatai_store_note (self, YATAI_CHANGE_DAY);

      if (g_str_equal (table, "product_tags"))
        yatai_store_note (self, YATAI_CHANGE_TAGS);

      if (column < 0)
        continue;

      if (op == SQLITE_DELETE)
        sqlite3changeset_old (iter, column, &value);
      else
        sqlite3changeset_new (iter, column, &value);
      if (value == NULL && op == SQLITE_UPDATE)
        sqlite3changeset_old (iter, column, &value);
      if (value == NULL)
        continue;

      if (order)
        yatai_store_note_order (self, sqlite3_value_int64 (value));
      else
        yatai_store_note_product (self, sqlite3_value_int64 (value));
    }
  sqlite3changeset_finalize (iter);
}

/**
 * yatai_store_apply_changesets:
 * @changesets: (element-type GBytes): a segment's changesets, in order
 * @local_pairs: (nullable): key, value, …, NULL: this device's new position, saved with them
 *
 * Applies a segment from the writer in one transaction: all of it, or none of it. Any conflict (a row
 * missing, a row not as the writer had it, a constraint) refuses the whole segment with
 * %YATAI_STORE_ERROR_CORRUPT: the replica cannot be trusted and must be restored.
 */
gboolean
yatai_store_apply_changesets (YataiStore         *self,
                              GPtrArray          *changesets,
                              const char * const *local_pairs,
                              GError            **error)
{
  g_autoptr(GHashTable) widths = NULL;
  sqlite3 *db;
  int n_conflicts = 0;
  int rc = SQLITE_OK;

  g_return_val_if_fail (YATAI_IS_STORE (self), FALSE);
  g_return_val_if_fail (changesets != NULL, FALSE);

  db = yatai_store_get_db (self);
  widths = synced_table_widths (self);

  /* Foreign keys can only be switched outside a transaction. */
  if (!yatai_store_exec (self, "PRAGMA foreign_keys = OFF", error))
    return FALSE;
  if (!yatai_store_exec (self, "BEGIN IMMEDIATE", error))
    {
      yatai_store_exec (self, "PRAGMA foreign_keys = ON", NULL);
      return FALSE;
    }

  for (guint i = 0; rc == SQLITE_OK && n_conflicts == 0 && i < changesets->len; i++)
    {
      GBytes *changeset = g_ptr_array_index (changesets, i);
      gsize size;
      gconstpointer data = g_bytes_get_data (changeset, &size);

      if (size == 0 || size > G_MAXINT || !changeset_is_whole (data, size, widths))
        rc = SQLITE_CORRUPT;
      else
        rc = sqlite3changeset_apply_v2 (db, size, (void *) data, filter_cb, conflict_cb, &n_conflicts,
                                        NULL, NULL, SQLITE_CHANGESETAPPLY_NOSAVEPOINT);
    }

  if (rc != SQLITE_OK || n_conflicts > 0)
    {
      g_debug ("Changeset refused: rc %d, %d conflicts", rc, n_conflicts);
      sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
      yatai_store_exec (self, "PRAGMA foreign_keys = ON", NULL);
      g_set_error (error, YATAI_STORE_ERROR, YATAI_STORE_ERROR_CORRUPT,
                   _("A change from the writer does not fit this device’s copy of the data."));
      return FALSE;
    }

  yatai_store_begin_notes (self);
  for (guint i = 0; i < changesets->len; i++)
    note_changes (self, g_ptr_array_index (changesets, i));

  if (!set_local_pairs (self, local_pairs, error) ||
      !yatai_store_exec (self, "COMMIT", error))
    {
      sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
      yatai_store_exec (self, "PRAGMA foreign_keys = ON", NULL);
      yatai_store_end_notes (self, FALSE);
      return FALSE;
    }

  yatai_store_exec (self, "PRAGMA foreign_keys = ON", NULL);
  yatai_store_end_notes (self, TRUE);
  return TRUE;
}

/* Snapshots */

/* An in-memory database cannot be in WAL mode: bytes 18 and 19 of the header say which journal the file
 * uses (2 for WAL), and must say 1 (rollback) before the image is deserialized. */
static void
unmark_wal (unsigned char *image,
            gsize          size)
{
  if (size >= 100 && image[18] == 2 && image[19] == 2)
    image[18] = image[19] = 1;
}

static void
free_serialized (gpointer data)
{
  sqlite3_free (data);
}

/**
 * yatai_store_snapshot:
 *
 * The whole stall as of now: an SQLite database image of the synced tables (this device's own rows
 * removed), consistent because it is read in one transaction.
 */
GBytes *
yatai_store_snapshot (YataiStore  *self,
                      GError     **error)
{
  sqlite3 *copy = NULL;
  unsigned char *image;
  sqlite3_int64 size = 0;
  int rc;

  g_return_val_if_fail (YATAI_IS_STORE (self), NULL);

  if (!yatai_store_exec (self, "BEGIN", error))
    return NULL;
  image = sqlite3_serialize (yatai_store_get_db (self), "main", &size, 0);
  yatai_store_exec (self, "COMMIT", NULL);

  if (image == NULL)
    {
      yatai_store_set_sqlite_error (self, SQLITE_NOMEM, error);
      return NULL;
    }

  unmark_wal (image, size);
  rc = sqlite3_open_v2 (":memory:", &copy, SQLITE_OPEN_READWRITE | SQLITE_OPEN_MEMORY, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_deserialize (copy, "main", image, size, size,
                              SQLITE_DESERIALIZE_FREEONCLOSE | SQLITE_DESERIALIZE_RESIZEABLE);
  else
    sqlite3_free (image);
  if (rc == SQLITE_OK)
    rc = sqlite3_exec (copy,
                       "PRAGMA journal_mode = OFF;"
                       "DELETE FROM local_meta; DELETE FROM outbox; VACUUM;",
                       NULL, NULL, NULL);
  if (rc == SQLITE_OK)
    {
      image = sqlite3_serialize (copy, "main", &size, 0);
      if (image == NULL)
        rc = SQLITE_NOMEM;
    }
  sqlite3_close (copy);

  if (rc != SQLITE_OK)
    {
      yatai_store_set_sqlite_error (NULL, rc, error);
      return NULL;
    }

  return g_bytes_new_with_free_func (image, size, free_serialized, image);
}

/**
 * yatai_store_restore:
 *
 * Replaces every synced table with the snapshot's, in one transaction with @local_pairs (key, value,
 * …, NULL: the position the snapshot puts this device at); this device's id and name stay. A snapshot that is not a Yatai store of this schema version is refused and nothing
 * changes.
 */
gboolean
yatai_store_restore (YataiStore         *self,
                     GBytes             *snapshot,
                     const char * const *local_pairs,
                     GError            **error)
{
  sqlite3 *db;
  unsigned char *image;
  gsize size;
  sqlite3_stmt *stmt = NULL;
  int rc, version = -1;
  gboolean integrity_ok = FALSE;

  g_return_val_if_fail (YATAI_IS_STORE (self), FALSE);
  g_return_val_if_fail (snapshot != NULL, FALSE);

  db = yatai_store_get_db (self);
  size = g_bytes_get_size (snapshot);
  if (size == 0 || size > G_MAXINT32)
    goto corrupt;

  if (!yatai_store_exec (self, "ATTACH ':memory:' AS snap", error))
    return FALSE;

  image = sqlite3_malloc64 (size);
  if (image == NULL)
    {
      yatai_store_exec (self, "DETACH snap", NULL);
      yatai_store_set_sqlite_error (self, SQLITE_NOMEM, error);
      return FALSE;
    }
  memcpy (image, g_bytes_get_data (snapshot, NULL), size);
  unmark_wal (image, size);
  rc = sqlite3_deserialize (db, "snap", image, size, size,
                            SQLITE_DESERIALIZE_FREEONCLOSE | SQLITE_DESERIALIZE_RESIZEABLE);
  /* The PRAGMA statement, not the pragma_user_version table: that one reads main's version whatever
   * schema it is qualified with. */
  if (rc == SQLITE_OK)
    rc = sqlite3_prepare_v2 (db, "PRAGMA snap.user_version", -1, &stmt, NULL);
  if (rc == SQLITE_OK && sqlite3_step (stmt) == SQLITE_ROW)
    version = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);
  stmt = NULL;
  if (rc == SQLITE_OK && version == YATAI_SCHEMA_VERSION)
    rc = sqlite3_prepare_v2 (db, "SELECT integrity_check = 'ok' FROM snap.pragma_integrity_check", -1, &stmt, NULL);
  if (rc == SQLITE_OK && stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
    integrity_ok = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);

  if (rc != SQLITE_OK || !integrity_ok || version != YATAI_SCHEMA_VERSION)
    {
      yatai_store_exec (self, "DETACH snap", NULL);
      if (version > YATAI_SCHEMA_VERSION)
        {
          g_set_error (error, YATAI_STORE_ERROR, YATAI_STORE_ERROR_CORRUPT,
                       _("The stall’s data was saved by a newer version of Yatai. Update Yatai on this device."));
          return FALSE;
        }
      if (rc == SQLITE_OK && version >= 2 && version < YATAI_SCHEMA_VERSION)
        {
          /* A writer of an older Yatai: its rows do not fit this schema (products' columns moved in
           * schema 9), and its log's changesets are refused for the same reason. */
          g_set_error (error, YATAI_STORE_ERROR, YATAI_STORE_ERROR_CORRUPT,
                       _("The stall’s data was saved by an older version of Yatai. Update Yatai on the writer."));
          return FALSE;
        }
      goto corrupt;
    }

  if (!yatai_store_exec (self, "PRAGMA foreign_keys = OFF", error))
    {
      yatai_store_exec (self, "DETACH snap", NULL);
      return FALSE;
    }

  if (!yatai_store_exec (self, "BEGIN IMMEDIATE", error))
    goto failed;

  for (int i = G_N_ELEMENTS (synced_tables) - 2; i >= 0; i--)
    {
      g_autofree char *sql = g_strdup_printf ("DELETE FROM main.%s", synced_tables[i]);
      if (!yatai_store_exec (self, sql, error))
        goto rollback;
    }
  for (guint i = 0; synced_tables[i] != NULL; i++)
    {
      /* integrity_check above compared every index with its table, so SQLite may copy the snapshot's
       * b-trees as they are (its transfer optimization, into the tables just emptied). */
      g_autofree char *sql = g_strdup_printf ("INSERT INTO main.%s SELECT * FROM snap.%s",
                                              synced_tables[i], synced_tables[i]);
      if (!yatai_store_exec (self, sql, NULL))
        {
          sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
          yatai_store_exec (self, "PRAGMA foreign_keys = ON", NULL);
          yatai_store_exec (self, "DETACH snap", NULL);
          goto corrupt;
        }
    }
  if (!yatai_store_exec (self, "DELETE FROM main.outbox", error) ||
      !set_local_pairs (self, local_pairs, error) ||
      !yatai_store_exec (self, "COMMIT", error))
    goto rollback;

  yatai_store_exec (self, "PRAGMA foreign_keys = ON", NULL);
  yatai_store_exec (self, "DETACH snap", NULL);
  yatai_store_emit_reset (self);
  return TRUE;

rollback:
  sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
failed:
  yatai_store_exec (self, "PRAGMA foreign_keys = ON", NULL);
  yatai_store_exec (self, "DETACH snap", NULL);
  return FALSE;

corrupt:
  g_set_error (error, YATAI_STORE_ERROR, YATAI_STORE_ERROR_CORRUPT,
               _("The saved copy of the stall is damaged and was not used."));
  return FALSE;
}

/* A text form of every synced row, in primary-key order, to compare two stores. */
char *
yatai_store_dump_canonical (YataiStore  *self,
                            GError     **error)
{
  GString *out = g_string_new (NULL);
  sqlite3 *db;

  g_return_val_if_fail (YATAI_IS_STORE (self), NULL);

  db = yatai_store_get_db (self);
  for (guint i = 0; synced_tables[i] != NULL; i++)
    {
      g_autofree char *sql = g_strdup_printf ("SELECT * FROM %s ORDER BY 1, 2", synced_tables[i]);
      sqlite3_stmt *stmt = NULL;
      int rc = sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL);

      while (rc == SQLITE_OK && sqlite3_step (stmt) == SQLITE_ROW)
        {
          g_string_append (out, synced_tables[i]);
          for (int c = 0; c < sqlite3_column_count (stmt); c++)
            {
              g_string_append_c (out, '|');
              switch (sqlite3_column_type (stmt, c))
                {
                case SQLITE_NULL:
                  g_string_append (out, "NULL");
                  break;
                case SQLITE_BLOB:
                  {
                    g_autofree char *sum = g_compute_checksum_for_data (G_CHECKSUM_SHA256,
                                                                        sqlite3_column_blob (stmt, c),
                                                                        sqlite3_column_bytes (stmt, c));
                    g_string_append_printf (out, "blob:%s", sum);
                  }
                  break;
                default:
                  g_string_append (out, (const char *) sqlite3_column_text (stmt, c));
                  break;
                }
            }
          g_string_append_c (out, '\n');
        }
      if (rc == SQLITE_OK)
        rc = sqlite3_reset (stmt);
      sqlite3_finalize (stmt);
      if (rc != SQLITE_OK)
        {
          yatai_store_set_sqlite_error (self, rc, error);
          g_string_free (out, TRUE);
          return NULL;
        }
    }

  return g_string_free (out, FALSE);
}
