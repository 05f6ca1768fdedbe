/* yatai-store.c: the stall's data in one SQLite file
 *
 * A YataiStore owns one connection. Every change is a command run by yatai_store_execute() in one
 * IMMEDIATE transaction: the operation checks and writes, the command id is recorded, and only after the
 * commit does "changed" say what was touched, so the live models update themselves from any window.
 */
#define G_LOG_DOMAIN "yatai-store"

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "yatai-refusal.h"
#include "yatai-store-journal.h"
#include "yatai-store-private.h"

#define YATAI_APPLICATION_ID 0x59544149 /* "YTAI" in PRAGMA application_id */
#define BUSY_TIMEOUT_MS 5000

struct _YataiStore
{
  GObject         parent_instance;

  char           *path;
  sqlite3        *db;
  GHashTable     *statements;   /* const char *sql → sqlite3_stmt * */
  char           *device_id;
  char           *device_name;
  char           *former_device_id;  /* the copied file's device id, when this open made a new one */
  gboolean        locked;            /* holds the store's lock (yatai-store-lock.c) */
  gboolean        marked;            /* opened whole for writing: a new mark on closing */
  gboolean        read_only;

  YataiClockFunc  clock_func;
  gpointer        clock_data;

  YataiChanges   *pending;      /* what the transaction under way touched */
  YataiCommand   *command;      /* the command under way, while it runs */
  gboolean        in_transaction;
  gboolean        journal_enabled;
  YataiRecorder  *recorder;     /* the journal's, made at its first command */
};

G_DEFINE_FINAL_TYPE (YataiStore, yatai_store, G_TYPE_OBJECT)
/* yatai_store_error_quark () is in yatai-refusal.c: the domain carries a refusal's name and values. */
G_DEFINE_BOXED_TYPE (YataiChanges, yatai_changes, yatai_changes_copy, yatai_changes_free)

enum {
  CHANGED,
  N_SIGNALS
};

/* Another connection (a second window's process, yatai-ctl) holds the write lock: try again every
 * millisecond for up to BUSY_TIMEOUT_MS. SQLite's own busy timeout sleeps longer and longer, so a busy
 * writer could starve the other one; short even waits keep two counters taking turns. */
static int
busy_cb (gpointer user_data,
         int      n_tries)
{
  if (n_tries >= BUSY_TIMEOUT_MS)
    return 0;
  g_usleep (1000);
  return 1;
}

static guint signals[N_SIGNALS];

static const YataiOp *op_tables[] = {
  yatai_product_ops,
  yatai_order_ops,
  yatai_sales_ops,
  yatai_stall_ops,
};

/* Changes */

static YataiChanges *
yatai_changes_new (void)
{
  YataiChanges *changes = g_new0 (YataiChanges, 1);

  changes->product_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  changes->order_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  return changes;
}

YataiChanges *
yatai_changes_copy (const YataiChanges *changes)
{
  YataiChanges *copy = yatai_changes_new ();

  copy->flags = changes->flags;
  g_array_append_vals (copy->product_ids, changes->product_ids->data, changes->product_ids->len);
  g_array_append_vals (copy->order_ids, changes->order_ids->data, changes->order_ids->len);
  return copy;
}

void
yatai_changes_free (YataiChanges *changes)
{
  if (changes == NULL)
    return;
  g_array_unref (changes->product_ids);
  g_array_unref (changes->order_ids);
  g_free (changes);
}

static gboolean
array_has (GArray *array,
           gint64  id)
{
  for (guint i = 0; i < array->len; i++)
    if (g_array_index (array, gint64, i) == id)
      return TRUE;
  return FALSE;
}

gboolean
yatai_changes_has_product (const YataiChanges *changes,
                           gint64              id)
{
  return array_has (changes->product_ids, id);
}

gboolean
yatai_changes_has_order (const YataiChanges *changes,
                         gint64              id)
{
  return array_has (changes->order_ids, id);
}

void
yatai_store_note_product (YataiStore *self,
                          gint64      id)
{
  g_assert (self->pending != NULL);
  self->pending->flags |= YATAI_CHANGE_PRODUCTS;
  if (!array_has (self->pending->product_ids, id))
    g_array_append_val (self->pending->product_ids, id);
}

void
yatai_store_note_order (YataiStore *self,
                        gint64      id)
{
  g_assert (self->pending != NULL);
  self->pending->flags |= YATAI_CHANGE_ORDERS;
  if (!array_has (self->pending->order_ids, id))
    g_array_append_val (self->pending->order_ids, id);
}

void
yatai_store_note (YataiStore      *self,
                  YataiChangeFlags flags)
{
  g_assert (self->pending != NULL);
  self->pending->flags |= flags;
}

/* Starts collecting what a transaction touches... */
void
yatai_store_begin_notes (YataiStore *self)
{
  g_assert (self->pending == NULL);
  self->pending = yatai_changes_new ();
}

/* ... and, once it committed, tells the models. */
void
yatai_store_end_notes (YataiStore *self,
                       gboolean    emit)
{
  g_autoptr(YataiChanges) changes = g_steal_pointer (&self->pending);

  if (emit && changes != NULL && changes->flags != 0)
    g_signal_emit (self, signals[CHANGED], 0, changes);
}

/* Tells every model that anything may have changed (after a restore, or writes from elsewhere). */
void
yatai_store_emit_reset (YataiStore *self)
{
  g_autoptr(YataiChanges) changes = yatai_changes_new ();

  g_return_if_fail (YATAI_IS_STORE (self));
  changes->flags = YATAI_CHANGE_ALL;
  g_signal_emit (self, signals[CHANGED], 0, changes);
}

/* The object */

static void
yatai_store_finalize (GObject *object)
{
  YataiStore *self = (YataiStore *) object;

  if (self->marked)
    yatai_store_remark (self);
  g_clear_pointer (&self->recorder, yatai_recorder_free);
  g_clear_pointer (&self->statements, g_hash_table_unref);
  if (self->db != NULL)
    sqlite3_close_v2 (self->db);
  if (self->locked)
    yatai_store_lock_release (self->path);
  g_clear_pointer (&self->pending, yatai_changes_free);
  g_free (self->former_device_id);
  g_free (self->path);
  g_free (self->device_id);
  g_free (self->device_name);

  G_OBJECT_CLASS (yatai_store_parent_class)->finalize (object);
}

static void
yatai_store_class_init (YataiStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = yatai_store_finalize;

  /* SQLite counts every allocation under a global mutex unless told not to, for sqlite3_memory_used()
   * and a soft heap limit, neither of which Yatai uses. The journal's session extension allocates a
   * thousand times a confirm: without the count a confirm with the journal on runs a sixth fewer
   * instructions (bench/bench-confirm.c). It can only be said before SQLite starts; when something
   * else in the process started it first, it keeps counting, which only costs time. */
  sqlite3_config (SQLITE_CONFIG_MEMSTATUS, 0);

  /**
   * YataiStore::changed:
   * @changes: a #YataiChanges: what the committed transaction touched
   *
   * Emitted after every committed change, on the thread that made it.
   */
  signals[CHANGED] = g_signal_new ("changed",
                                   G_TYPE_FROM_CLASS (klass),
                                   G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL,
                                   G_TYPE_NONE, 1,
                                   YATAI_TYPE_CHANGES | G_SIGNAL_TYPE_STATIC_SCOPE);
}

static void
finalize_statement (gpointer stmt)
{
  sqlite3_finalize (stmt);
}

static void
yatai_store_init (YataiStore *self)
{
  self->statements = g_hash_table_new_full (NULL, NULL, NULL, finalize_statement);
}

/* Errors */

void
yatai_store_set_sqlite_error (YataiStore *self,
                              int         rc,
                              GError    **error)
{
  const char *detail = self && self->db ? sqlite3_errmsg (self->db) : sqlite3_errstr (rc);

  g_debug ("SQLite: %s (%d)", detail, rc);

  switch (rc & 0xff)
    {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      g_set_error (error, YATAI_STORE_ERROR, YATAI_STORE_ERROR_BUSY,
                   _("Another program kept the store busy. Try again."));
      break;
    case SQLITE_FULL:
      yatai_refusal_set_error (error, YATAI_REFUSAL_DISK_FULL);
      break;
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR:
      g_set_error (error, YATAI_STORE_ERROR, YATAI_STORE_ERROR_IO,
                   _("The store’s file could not be written. Check the disk and its permissions."));
      break;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      g_set_error (error, YATAI_STORE_ERROR, YATAI_STORE_ERROR_CORRUPT,
                   _("The store’s file is damaged or is not a Yatai store."));
      break;
    case SQLITE_CONSTRAINT:
      g_set_error (error, YATAI_STORE_ERROR, YATAI_STORE_ERROR_INVALID,
                   _("The change does not fit the data already there."));
      break;
    default:
      g_set_error (error, YATAI_STORE_ERROR, YATAI_STORE_ERROR_IO,
                   _("The store could not save the change."));
      break;
    }
}

/* Statements */

/* A cached statement, reset and unbound, for SQL that is a string constant: the cache is keyed by the
 * string's address, so a lookup does not hash the SQL (a confirm looks up twenty statements). */
sqlite3_stmt *
yatai_store_prepare (YataiStore  *self,
                     const char  *sql,
                     GError     **error)
{
  sqlite3_stmt *stmt = g_hash_table_lookup (self->statements, sql);
  int rc;

  if (stmt != NULL)
    {
      sqlite3_reset (stmt);
      sqlite3_clear_bindings (stmt);
      return stmt;
    }

  rc = sqlite3_prepare_v3 (self->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL);
  if (rc != SQLITE_OK)
    {
      g_critical ("Could not prepare “%s”: %s", sql, sqlite3_errmsg (self->db));
      yatai_store_set_sqlite_error (self, rc, error);
      return NULL;
    }

  g_hash_table_insert (self->statements, (gpointer) sql, stmt);
  return stmt;
}

/* What every command runs: parsed once rather than by sqlite3_exec() each time. */
static const char * const transaction_statements[] = { "BEGIN IMMEDIATE", "COMMIT", NULL };

gboolean
yatai_store_exec (YataiStore  *self,
                  const char  *sql,
                  GError     **error)
{
  int rc;

  for (guint i = 0; transaction_statements[i] != NULL; i++)
    if (strcmp (sql, transaction_statements[i]) == 0)
      {
        sqlite3_stmt *stmt = yatai_store_prepare (self, transaction_statements[i], error);

        return stmt != NULL && yatai_store_step_done (self, stmt, error);
      }

  rc = sqlite3_exec (self->db, sql, NULL, NULL, NULL);

  if (rc != SQLITE_OK)
    {
      yatai_store_set_sqlite_error (self, rc, error);
      return FALSE;
    }
  return TRUE;
}

/* Steps a statement that returns no rows and resets it. */
gboolean
yatai_store_step_done (YataiStore   *self,
                       sqlite3_stmt *stmt,
                       GError      **error)
{
  int rc = sqlite3_step (stmt);

  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      yatai_store_set_sqlite_error (self, rc, error);
      return FALSE;
    }
  return TRUE;
}

/* Opening */

char *
yatai_store_default_path (void)
{
  return g_build_filename (g_get_user_data_dir (), "yatai", "yatai.sqlite3", NULL);
}

/* This device's own values (local_meta): never carried by sync. */
char *
yatai_store_get_local (YataiStore *self,
                       const char *key)
{
  sqlite3_stmt *stmt = yatai_store_prepare (self, "SELECT value FROM local_meta WHERE key = ?", NULL);
  char *value = NULL;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_reset (stmt);
  return value;
}

gboolean
yatai_store_set_local (YataiStore  *self,
                       const char  *key,
                       const char  *value,
                       GError     **error)
{
  sqlite3_stmt *stmt = yatai_store_prepare (self,
                                            "INSERT INTO local_meta (key, value) VALUES (?, ?) "
                                            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, value, -1, SQLITE_STATIC);
  return yatai_store_step_done (self, stmt, error);
}

/* Several local values (@pairs: key, value, ..., NULL) in one transaction: all or none. */
gboolean
yatai_store_set_locals (YataiStore          *self,
                        const char * const  *pairs,
                        GError             **error)
{
  g_return_val_if_fail (YATAI_IS_STORE (self), FALSE);
  g_return_val_if_fail (!self->in_transaction, FALSE);

  if (!yatai_store_exec (self, "BEGIN IMMEDIATE", error))
    return FALSE;
  for (guint i = 0; pairs[i] != NULL; i += 2)
    if (!yatai_store_set_local (self, pairs[i], pairs[i + 1], error))
      {
        sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
        return FALSE;
      }
  if (!yatai_store_exec (self, "COMMIT", error))
    {
      sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_application_id (YataiStore  *self,
                      GError     **error)
{
  sqlite3_stmt *stmt = NULL;
  int app_id = 0, n_tables = 0, version = 0;
  int rc;

  rc = sqlite3_prepare_v2 (self->db,
                           "SELECT (SELECT application_id FROM pragma_application_id), "
                           "       (SELECT count(*) FROM sqlite_schema), "
                           "       (SELECT user_version FROM pragma_user_version)",
                           -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        {
          app_id = sqlite3_column_int (stmt, 0);
          n_tables = sqlite3_column_int (stmt, 1);
          version = sqlite3_column_int (stmt, 2);
          rc = SQLITE_OK;
        }
    }
  sqlite3_finalize (stmt);

  if (rc != SQLITE_OK)
    {
      yatai_store_set_sqlite_error (self, rc, error);
      return FALSE;
    }

  /* A file of another program: refuse rather than add tables to it. Version 1 files were written
   * before the application id was set, so they are recognised by their version. */
  if (n_tables > 0 && app_id != YATAI_APPLICATION_ID && version == 0)
    {
      g_set_error (error, YATAI_STORE_ERROR, YATAI_STORE_ERROR_CORRUPT,
                   _("“%s” is not a Yatai store."), self->path);
      return FALSE;
    }

  return TRUE;
}

YataiStore *
yatai_store_open (const char  *path,
                  GError     **error)
{
  g_autoptr(YataiStore) self = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *pragma = NULL;
  g_autofree char *mark = NULL;
  int rc;

  g_return_val_if_fail (path != NULL, NULL);

  self = g_object_new (YATAI_TYPE_STORE, NULL);
  self->path = g_strdup (path);

  dir = g_path_get_dirname (path);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;
      g_set_error (error, YATAI_STORE_ERROR, YATAI_STORE_ERROR_IO,
                   _("The folder “%s” could not be made: %s"), dir, g_strerror (saved_errno));
      return NULL;
    }

  /* Before SQLite opens (and may create or recover) anything: another program may have it. */
  if (!yatai_store_lock_acquire (path, error))
    return NULL;
  self->locked = TRUE;

  rc = sqlite3_open_v2 (path, &self->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        NULL);
  if (rc != SQLITE_OK)
    {
      yatai_store_set_sqlite_error (self, rc, error);
      return NULL;
    }

  sqlite3_extended_result_codes (self->db, 1);
  sqlite3_busy_handler (self->db, busy_cb, NULL);

  /* WAL so readers never wait for the writer; FULL so a confirmed order is on disk before its call
   * number is shown; foreign keys so order lines follow their product. */
  if (!check_application_id (self, error) ||
      !yatai_store_exec (self, "PRAGMA journal_mode = WAL", error) ||
      !yatai_store_exec (self, "PRAGMA synchronous = FULL", error) ||
      !yatai_store_exec (self, "PRAGMA foreign_keys = ON", error))
    return NULL;

  /* A checkpoint runs inside the commit that crosses the threshold and waits for the database file's
   * fsync: a confirm of a quarter of a millisecond then takes a millisecond or more. 4,000 pages (16 MB
   * of log) make that one commit in several hundred rather than one in a hundred, which keeps it out of
   * the 99th percentile (bench/bench-confirm.c; ARCHITECTURE.md, "The store"). The limit trims the log
   * file back after a checkpoint. */
  if (!yatai_store_exec (self, "PRAGMA wal_autocheckpoint = 4000", error) ||
      !yatai_store_exec (self, "PRAGMA journal_size_limit = 33554432", error))
    return NULL;

  if (!yatai_store_exec (self, "BEGIN IMMEDIATE", error))
    return NULL;

  pragma = g_strdup_printf ("PRAGMA application_id = %d", YATAI_APPLICATION_ID);
  if (!yatai_schema_migrate (self->db, error) ||
      !yatai_store_exec (self, pragma, error))
    {
      sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
      return NULL;
    }

  if (!yatai_store_take_identity (self, &self->device_id, &self->former_device_id, &mark, error))
    {
      sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
      return NULL;
    }
  self->device_name = yatai_store_get_local (self, "device_name");
  if (self->device_name == NULL)
    self->device_name = g_strdup (g_get_host_name ());

  if (!yatai_store_exec (self, "COMMIT", error))
    {
      sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
      return NULL;
    }
  yatai_store_lock_confirm_mark (path, mark);
  self->marked = TRUE;

  return g_steal_pointer (&self);
}

static gboolean
open_read_only_db (YataiStore  *self,
                   const char  *options,
                   GError     **error)
{
  g_autofree char *absolute = g_canonicalize_filename (self->path, NULL);
  g_autofree char *uri = g_filename_to_uri (absolute, NULL, NULL);
  g_autofree char *full = g_strconcat (uri, options, NULL);
  int rc;

  g_clear_pointer (&self->recorder, yatai_recorder_free);
  g_clear_pointer (&self->statements, g_hash_table_unref);
  self->statements = g_hash_table_new_full (NULL, NULL, NULL, finalize_statement);
  g_clear_pointer (&self->db, sqlite3_close_v2);
  rc = sqlite3_open_v2 (full, &self->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX, NULL);
  if (rc != SQLITE_OK)
    {
      yatai_store_set_sqlite_error (self, rc, error);
      return FALSE;
    }
  sqlite3_extended_result_codes (self->db, 1);
  sqlite3_busy_handler (self->db, busy_cb, NULL);
  return check_application_id (self, error);
}

/**
 * yatai_store_open_read_only:
 *
 * Opens the store at @path only to read it (`yatai-ctl status`, `export`): beside the program that
 * has it open, or a file or folder this user may not write. Takes no lock, migrates nothing, makes no
 * device id, and every change is refused.
 */
YataiStore *
yatai_store_open_read_only (const char  *path,
                            GError     **error)
{
  g_autoptr(YataiStore) self = NULL;
  g_autoptr(GError) first_error = NULL;
  int version;

  g_return_val_if_fail (path != NULL, NULL);

  self = g_object_new (YATAI_TYPE_STORE, NULL);
  self->path = g_strdup (path);
  self->read_only = TRUE;
  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, YATAI_STORE_ERROR, YATAI_STORE_ERROR_NOT_FOUND, _("There is no store at “%s”."), path);
      return NULL;
    }

  /* A WAL store needs its -shm beside it even to be read. In a folder this user may not write, with
   * no writer (which would have made it), it is read as it stands (immutable). */
  if (!open_read_only_db (self, "?mode=ro", &first_error))
    {
      g_autofree char *wal = g_strconcat (path, "-wal", NULL);

      if (g_file_test (wal, G_FILE_TEST_EXISTS) || !open_read_only_db (self, "?immutable=1", NULL))
        {
          g_propagate_error (error, g_steal_pointer (&first_error));
          return NULL;
        }
    }

  version = yatai_store_get_schema_version (self);
  if (version > YATAI_SCHEMA_VERSION)
    {
      g_set_error (error, YATAI_STORE_ERROR, YATAI_STORE_ERROR_CORRUPT,
                   _("This store was written by a newer version of Yatai. Update Yatai to open it."));
      return NULL;
    }
  if (version < 2)
    {
      g_set_error (error, YATAI_STORE_ERROR, YATAI_STORE_ERROR_CORRUPT,
                   _("This store is from an older version of Yatai. Open it once in Yatai, then try again."));
      return NULL;
    }

  self->device_id = yatai_store_get_local (self, "device_id");
  if (self->device_id == NULL)
    self->device_id = g_strdup ("");
  self->device_name = yatai_store_get_local (self, "device_name");
  if (self->device_name == NULL)
    self->device_name = g_strdup (g_get_host_name ());
  return g_steal_pointer (&self);
}

gboolean
yatai_store_is_read_only (YataiStore *self)
{
  g_return_val_if_fail (YATAI_IS_STORE (self), TRUE);
  return self->read_only;
}

/* The device id the file had before this open found it copied (and made a new one), or NULL. */
const char *
yatai_store_get_former_device_id (YataiStore *self)
{
  g_return_val_if_fail (YATAI_IS_STORE (self), NULL);
  return self->former_device_id;
}

const char *
yatai_store_get_path (YataiStore *self)
{
  g_return_val_if_fail (YATAI_IS_STORE (self), NULL);
  return self->path;
}

sqlite3 *
yatai_store_get_db (YataiStore *self)
{
  g_return_val_if_fail (YATAI_IS_STORE (self), NULL);
  return self->db;
}

int
yatai_store_get_schema_version (YataiStore *self)
{
  sqlite3_stmt *stmt;
  int version = -1;

  g_return_val_if_fail (YATAI_IS_STORE (self), -1);

  stmt = yatai_store_prepare (self, "PRAGMA user_version", NULL);
  if (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
    version = sqlite3_column_int (stmt, 0);
  if (stmt != NULL)
    sqlite3_reset (stmt);
  return version;
}

const char *
yatai_store_get_device_id (YataiStore *self)
{
  g_return_val_if_fail (YATAI_IS_STORE (self), NULL);
  return self->device_id;
}

const char *
yatai_store_get_device_name (YataiStore *self)
{
  g_return_val_if_fail (YATAI_IS_STORE (self), NULL);
  return self->device_name;
}

/* Who makes the change under way: the device that made the running command (its name as it sent it,
 * else its id) when it came from another device, else this one. */
const char *
yatai_store_acting_device (YataiStore *self)
{
  if (self->command != NULL && yatai_command_get_device (self->command) != NULL &&
      g_strcmp0 (yatai_command_get_device (self->command), self->device_id) != 0)
    {
      const char *name = yatai_command_get_device_name (self->command);

      return name != NULL ? name : yatai_command_get_device (self->command);
    }
  return self->device_name != NULL ? self->device_name : self->device_id;
}

void
yatai_store_set_device_name (YataiStore *self,
                             const char *name)
{
  g_autoptr(GError) error = NULL;

  g_return_if_fail (YATAI_IS_STORE (self));
  g_return_if_fail (name != NULL);

  if (g_strcmp0 (self->device_name, name) == 0)
    return;
  g_free (self->device_name);
  self->device_name = g_strdup (name);
  if (!yatai_store_set_local (self, "device_name", name, &error))
    g_debug ("Device name not saved: %s", error->message);
}

/* Time */

void
yatai_store_set_clock (YataiStore     *self,
                       YataiClockFunc  func,
                       gpointer        user_data)
{
  g_return_if_fail (YATAI_IS_STORE (self));
  self->clock_func = func;
  self->clock_data = user_data;
}

gint64
yatai_store_now (YataiStore *self)
{
  g_return_val_if_fail (YATAI_IS_STORE (self), 0);
  if (self->clock_func != NULL)
    return self->clock_func (self->clock_data);
  return g_get_real_time ();
}

/* Commands */

static const YataiOp *
find_op (const char *kind)
{
  for (guint t = 0; t < G_N_ELEMENTS (op_tables); t++)
    for (const YataiOp *op = op_tables[t]; op->kind != NULL; op++)
      if (g_str_equal (op->kind, kind))
        return op;
  return NULL;
}

gboolean
yatai_store_knows_kind (const char *kind)
{
  g_return_val_if_fail (kind != NULL, FALSE);
  return find_op (kind) != NULL;
}

static JsonNode *
parse_result (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();

  if (text != NULL && json_parser_load_from_data (parser, text, -1, NULL) &&
      json_parser_get_root (parser) != NULL)
    return json_node_copy (json_parser_get_root (parser));
  return yatai_json_node_new_object ();
}

/* Looks the command up among those already applied; returns its result, or NULL if it is new. */
static JsonNode *
applied_result (YataiStore *self,
                const char *command_id)
{
  sqlite3_stmt *stmt = yatai_store_prepare (self, "SELECT result FROM applied_commands WHERE id = ?", NULL);
  JsonNode *node = NULL;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, command_id, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    node = parse_result ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_reset (stmt);
  return node;
}

/* A recorded refusal is {"refused": {"code": …, "message": …, "reason": …, "values": …}} (the last two
 * since Yatai says it in the reader's language; yatai-refusal.c): turns it back into the error. */
static gboolean
result_is_refusal (JsonNode  *result,
                   GError   **error)
{
  JsonObject *object, *refused;

  if (!JSON_NODE_HOLDS_OBJECT (result))
    return FALSE;
  object = json_node_get_object (result);
  if (!json_object_has_member (object, "refused") ||
      !JSON_NODE_HOLDS_OBJECT (json_object_get_member (object, "refused")))
    return FALSE;

  /* The table is synced: a member of the wrong type from another device reads as a plain refusal. */
  refused = json_object_get_object_member (object, "refused");
  g_propagate_error (error, yatai_refusal_from_json (refused));
  return TRUE;
}

/**
 * yatai_store_lookup_command:
 * @result: (out) (optional): the result the command had
 *
 * Whether the command with @command_id was applied or refused here (or, on a follower, by the writer
 * whose history this store follows). Returns %FALSE while it is unknown; %TRUE with @error set when it
 * was refused: said in this device's language (yatai_refusal_render()), or in the words of the device
 * that refused it when the refusal is one this version does not know.
 */
gboolean
yatai_store_lookup_command (YataiStore  *self,
                            const char  *command_id,
                            JsonNode   **result,
                            GError     **error)
{
  g_autoptr(JsonNode) node = NULL;

  g_return_val_if_fail (YATAI_IS_STORE (self), FALSE);
  g_return_val_if_fail (command_id != NULL, FALSE);

  node = applied_result (self, command_id);
  if (node == NULL)
    return FALSE;
  if (!result_is_refusal (node, error) && result != NULL)
    *result = g_steal_pointer (&node);
  return TRUE;
}

/* Errors about the request itself, which the same command would meet again: worth remembering, so a
 * device that sent it learns the answer. Errors of the moment (busy, disk) are not. */
static gboolean
is_refusal (const GError *error)
{
  if (error == NULL || error->domain != YATAI_STORE_ERROR)
    return FALSE;
  switch (error->code)
    {
    case YATAI_STORE_ERROR_INVALID:
    case YATAI_STORE_ERROR_DUPLICATE:
    case YATAI_STORE_ERROR_NOT_FOUND:
    case YATAI_STORE_ERROR_OUT_OF_STOCK:
    case YATAI_STORE_ERROR_LIMIT:
    case YATAI_STORE_ERROR_REFUSED:
      return TRUE;
    default:
      return FALSE;
    }
}

static gboolean
record_applied (YataiStore   *self,
                YataiCommand *command,
                JsonNode     *result,
                GError      **error)
{
  g_autofree char *text = json_to_string (result, FALSE);
  sqlite3_stmt *stmt;

  stmt = yatai_store_prepare (self,
                              "INSERT INTO applied_commands (id, device, kind, applied, result) "
                              "VALUES (?, ?, ?, ?, ?)",
                              error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, yatai_command_get_id (command), -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, yatai_command_get_device (command), -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, yatai_command_get_kind (command), -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 4, yatai_store_now (self));
  sqlite3_bind_text (stmt, 5, text, -1, SQLITE_STATIC);
  if (!yatai_store_step_done (self, stmt, error))
    return FALSE;

  /* A follower's command, in its place among that device's: the next one may follow. This device's
   * own too, sent while it followed and applied now that it writes: else the next writer would wait
   * for a command the stall already has (and every listing of this device's later ones with it). */
  if (yatai_command_get_counter (command) > 0 && yatai_command_get_device (command) != NULL)
    {
      stmt = yatai_store_prepare (self,
                                  "INSERT INTO command_counters (device, last) VALUES (?, ?) "
                                  "ON CONFLICT (device) DO UPDATE SET last = max (last, excluded.last)",
                                  error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_text (stmt, 1, yatai_command_get_device (command), -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 2, yatai_command_get_counter (command));
      return yatai_store_step_done (self, stmt, error);
    }
  return TRUE;
}

/**
 * yatai_store_get_command_counter:
 * @device: a device's id
 *
 * Returns: the counter of the last command of @device (one it sent while it followed) this stall
 * applied or refused, 0 for none
 */
gint64
yatai_store_get_command_counter (YataiStore *self,
                                 const char *device)
{
  sqlite3_stmt *stmt;
  gint64 last = 0;

  g_return_val_if_fail (YATAI_IS_STORE (self), 0);
  g_return_val_if_fail (device != NULL, 0);

  stmt = yatai_store_prepare (self, "SELECT last FROM command_counters WHERE device = ?", NULL);
  if (stmt == NULL)
    return 0;
  sqlite3_bind_text (stmt, 1, device, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    last = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
  return last;
}

/* A command from another device (or this one's, sent while it followed) was refused: the refusal is
 * recorded (and journaled, so it travels back through the log) in a transaction of its own, and the
 * same command sent again gets the same answer without being tried again. FALSE when it could not be
 * recorded (a full disk): then the command is neither applied nor refused, and is kept to try again. */
static gboolean
record_refusal (YataiStore    *self,
                YataiCommand  *command,
                const GError  *refusal,
                GError       **error)
{
  g_autoptr(JsonNode) result = yatai_json_node_new_object ();
  gboolean ok;

  json_object_set_member (json_node_get_object (result), "refused", yatai_refusal_to_json (refusal));

  if (!yatai_store_exec (self, "BEGIN IMMEDIATE", error))
    return FALSE;
  ok = !self->journal_enabled || yatai_store_journal_begin (self, error);
  ok = ok && record_applied (self, command, result, error);
  ok = ok && (!self->journal_enabled || yatai_store_journal_record (self, command, error));
  if (self->journal_enabled)
    yatai_store_journal_end (self);
  ok = ok && yatai_store_exec (self, "COMMIT", error);
  if (!ok)
    sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
  return ok;
}

/**
 * yatai_store_execute:
 * @command: the business operation
 *
 * Runs @command in one transaction: all of it is saved, or nothing. A command whose id was already
 * applied changes nothing and returns the result it had the first time. A command from another device
 * that is refused (an operation this version does not know included) is recorded as refused, so it is
 * never tried twice and its sender learns why; when the refusal cannot be recorded (a full disk), the
 * error is the store's (busy, io): neither applied nor refused, the command is to be kept and tried
 * again.
 *
 * Returns: (transfer full): the result, a JSON object, or %NULL with @error set
 */
JsonNode *
yatai_store_execute (YataiStore    *self,
                     YataiCommand  *command,
                     GError       **error)
{
  g_autoptr(JsonNode) result = NULL;
  g_autoptr(GError) local_error = NULL;
  const YataiOp *op;
  gboolean foreign;
  gboolean ok;

  g_return_val_if_fail (YATAI_IS_STORE (self), NULL);
  g_return_val_if_fail (YATAI_IS_COMMAND (command), NULL);
  g_return_val_if_fail (!self->in_transaction, NULL);

  if (yatai_command_get_device (command) == NULL)
    yatai_command_set_device (command, self->device_id);
  /* Another device's command, or this one's sent while it followed (it has a counter). */
  foreign = g_strcmp0 (yatai_command_get_device (command), self->device_id) != 0 ||
            yatai_command_get_counter (command) > 0;

  /* An operation this version does not know: this device's own is a mistake, refused as it is;
   * another device's was sent by a newer Yatai, and is refused and recorded like any refusal (below),
   * so its sender is answered in its own language and that device's next command goes on. */
  op = find_op (yatai_command_get_kind (command));
  if (op == NULL && !foreign)
    {
      yatai_refusal_set_error (error, YATAI_REFUSAL_UNKNOWN_OPERATION, yatai_command_get_kind (command));
      return NULL;
    }

  if (!yatai_store_exec (self, "BEGIN IMMEDIATE", error))
    return NULL;

  self->in_transaction = TRUE;
  self->command = command;
  yatai_store_begin_notes (self);

  result = applied_result (self, yatai_command_get_id (command));
  if (result != NULL)
    {
      self->in_transaction = FALSE;
      self->command = NULL;
      yatai_store_end_notes (self, FALSE);
      yatai_store_exec (self, "COMMIT", NULL);
      if (result_is_refusal (result, error))
        return NULL;
      return g_steal_pointer (&result);
    }

  result = yatai_json_node_new_object ();
  if (op == NULL)
    {
      yatai_refusal_set_error (&local_error, YATAI_REFUSAL_OLDER_WRITER,
                               self->device_name != NULL ? self->device_name : self->device_id,
                               yatai_command_get_kind (command));
      ok = FALSE;
    }
  else
    {
      ok = !self->journal_enabled || yatai_store_journal_begin (self, &local_error);
      ok = ok && op->func (self, yatai_command_get_args (command), json_node_get_object (result), &local_error);
      ok = ok && record_applied (self, command, result, &local_error);
      ok = ok && (!self->journal_enabled || yatai_store_journal_record (self, command, &local_error));
      if (self->journal_enabled)
        yatai_store_journal_end (self);
      ok = ok && yatai_store_exec (self, "COMMIT", &local_error);
    }

  self->in_transaction = FALSE;
  self->command = NULL;
  if (!ok)
    sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
  yatai_store_end_notes (self, ok);

  if (!ok && foreign && (op == NULL || is_refusal (local_error)))
    {
      g_autoptr(GError) record_error = NULL;

      if (!record_refusal (self, command, local_error, &record_error))
        {
          g_debug ("Refusal of %s not recorded: %s", yatai_command_get_id (command), record_error->message);
          g_clear_error (&local_error);
          local_error = g_steal_pointer (&record_error);
        }
    }

  if (!ok)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  return g_steal_pointer (&result);
}

/* With the journal on, every command's row changes go to the outbox (yatai-store-journal.h). */
void
yatai_store_set_journal_enabled (YataiStore *self,
                                 gboolean    enabled)
{
  g_return_if_fail (YATAI_IS_STORE (self));
  self->journal_enabled = !!enabled;
}

/* The journal's recorder on this connection, made the first time it is wanted. */
YataiRecorder *
yatai_store_get_recorder (YataiStore *self)
{
  if (self->recorder == NULL)
    self->recorder = yatai_recorder_new (self->db, yatai_store_synced_tables ());
  return self->recorder;
}

gboolean
yatai_store_get_journal_enabled (YataiStore *self)
{
  g_return_val_if_fail (YATAI_IS_STORE (self), FALSE);
  return self->journal_enabled;
}

/* yatai_store_execute() for a command made here and now. Takes a reference on @args. */
JsonNode *
yatai_store_run (YataiStore  *self,
                 const char  *kind,
                 JsonObject  *args,
                 GError     **error)
{
  g_autoptr(YataiCommand) command = NULL;

  g_return_val_if_fail (YATAI_IS_STORE (self), NULL);

  command = yatai_command_new (kind, args);
  return yatai_store_execute (self, command, error);
}

/* The store at first start */

gboolean
yatai_store_is_empty (YataiStore *self)
{
  sqlite3_stmt *stmt;
  gboolean empty = TRUE;

  g_return_val_if_fail (YATAI_IS_STORE (self), TRUE);

  stmt = yatai_store_prepare (self,
                              "SELECT EXISTS (SELECT 1 FROM products) OR EXISTS (SELECT 1 FROM orders)",
                              NULL);
  if (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
    empty = sqlite3_column_int (stmt, 0) == 0;
  if (stmt != NULL)
    sqlite3_reset (stmt);
  return empty;
}
