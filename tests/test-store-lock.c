/* test-store-lock.c: one program at a time on a store, and a copied store is a new device (no display)
 *
 * The other program is this test itself, started again as "hold PATH": it opens the store, says
 * "held" and keeps it until its input ends (or it is killed).
 */
#include "config.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "yatai-store-journal.h"
#include "yatai-store-private.h"
#include "yatai-store-products.h"

static const char *self_program;

typedef struct
{
  char       *dir;
  char       *path;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->dir = g_dir_make_tmp ("yatai-lock-XXXXXX", NULL);
  f->path = g_build_filename (f->dir, "store.sqlite3", NULL);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GDir) dir = g_dir_open (f->dir, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (f->dir, name, NULL);

      g_unlink (path);
    }
  g_rmdir (f->dir);
  g_free (f->path);
  g_free (f->dir);
}

typedef struct
{
  GPid pid;
  int  in;     /* its standard input: closing it lets the store go */
} Holder;

/* Starts the other program on @path and waits until it holds the store. */
static Holder
start_holder (const char *path)
{
  const char *argv[] = { self_program, "hold", path, NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(GIOChannel) out = NULL;
  g_autofree char *line = NULL;
  Holder holder = { 0 };
  int out_fd;

  g_assert_true (g_spawn_async_with_pipes (NULL, (char **) argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL,
                                           &holder.pid, &holder.in, &out_fd, NULL, &error));
  g_assert_no_error (error);
  out = g_io_channel_unix_new (out_fd);
  g_io_channel_set_close_on_unref (out, TRUE);
  g_assert_cmpint (g_io_channel_read_line (out, &line, NULL, NULL, &error), ==, G_IO_STATUS_NORMAL);
  g_assert_cmpstr (line, ==, "held\n");
  return holder;
}

static void
stop_holder (Holder   *holder,
             gboolean  kill_it)
{
  int status = 0;

  if (kill_it)
    kill (holder->pid, SIGKILL);
  close (holder->in);
  g_assert_cmpint (waitpid (holder->pid, &status, 0), ==, holder->pid);
  g_spawn_close_pid (holder->pid);
}

static int
hold (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(YataiStore) store = NULL;
  char buffer[64];

  yatai_store_set_program_name ("test holder");
  store = yatai_store_open (path, &error);
  if (store == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  printf ("held\n");
  fflush (stdout);
  while (read (0, buffer, sizeof buffer) > 0)
    ;
  return 0;
}

/* A second program is refused the store, in words that name the first; once the first has closed it,
 * the second gets it. */
static void
test_second_program_refused (Fixture       *f,
                             gconstpointer  data)
{
  Holder holder = start_holder (f->path);
  g_autoptr(GError) error = NULL;
  g_autoptr(YataiStore) store = yatai_store_open (f->path, &error);
  g_autofree char *expected = g_strdup_printf ("This store is open in test holder (process %d). One store is used "
                                               "by one program at a time: close it there, or use another store.",
                                               (int) holder.pid);
  g_autofree char *holder_name = yatai_store_lock_holder (f->path);
  g_autofree char *expected_name = g_strdup_printf ("test holder (process %d)", (int) holder.pid);

  g_assert_null (store);
  g_assert_error (error, YATAI_STORE_ERROR, YATAI_STORE_ERROR_IN_USE);
  g_assert_cmpstr (error->message, ==, expected);
  g_assert_cmpstr (holder_name, ==, expected_name);

  stop_holder (&holder, FALSE);
  g_clear_error (&error);
  store = yatai_store_open (f->path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (store);
  g_clear_pointer (&holder_name, g_free);
  holder_name = yatai_store_lock_holder (f->path);
  g_assert_null (holder_name);   /* this process holds it: no *other* program */
}

/* A program killed while it holds the store (a crash, a power cut of the process) does not block the
 * next one. */
static void
test_crashed_holder_does_not_block (Fixture       *f,
                                    gconstpointer  data)
{
  Holder holder = start_holder (f->path);
  g_autoptr(GError) error = NULL;
  g_autoptr(YataiStore) store = NULL;

  stop_holder (&holder, TRUE);
  store = yatai_store_open (f->path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (store);
}

/* This process may open one store twice (two windows, a second connection): one lock for both, and the
 * store stays held until the last one closes. Another program meanwhile is refused. */
static void
test_same_process_shares (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  YataiStore *a = yatai_store_open (f->path, &error);
  YataiStore *b = yatai_store_open (f->path, &error);
  const char *argv[] = { self_program, "hold", f->path, NULL };
  g_autofree char *err = NULL;
  int status = 0;

  g_assert_no_error (error);
  g_assert_nonnull (a);
  g_assert_nonnull (b);
  g_object_unref (a);

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, &err,
                               &status, &error));
  g_assert_no_error (error);
  g_assert_false (g_spawn_check_wait_status (status, NULL));
  g_assert_true (g_str_has_prefix (err, "This store is open in "));
  g_object_unref (b);
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

/* Beside the program that has it, the store can be read (status, export), never written. */
static void
test_read_only_beside (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(YataiStore) reader = NULL;
  g_autoptr(JsonNode) result = NULL;
  Holder holder;

  {
    g_autoptr(YataiStore) store = yatai_store_open (f->path, &error);
    g_autoptr(JsonObject) args = yatai_product_save_args (0, "焼きそば", 500, 10, FALSE, NULL, NULL, FALSE);
    g_autoptr(JsonNode) saved = yatai_store_run (store, "product.save", args, &error);

    g_assert_no_error (error);
  }
  holder = start_holder (f->path);

  reader = yatai_store_open_read_only (f->path, &error);
  g_assert_no_error (error);
  g_assert_true (yatai_store_is_read_only (reader));
  g_assert_cmpint (count (reader, "SELECT count(*) FROM products"), ==, 1);
  {
    g_autoptr(JsonObject) args = yatai_product_save_args (0, "ラムネ", 200, 10, FALSE, NULL, NULL, FALSE);

    result = yatai_store_run (reader, "product.save", args, &error);
    g_assert_null (result);
    g_assert_error (error, YATAI_STORE_ERROR, YATAI_STORE_ERROR_IO);
  }
  stop_holder (&holder, FALSE);
}

static char *
device_of (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(YataiStore) store = yatai_store_open (path, &error);

  g_assert_no_error (error);
  return g_strdup (yatai_store_get_device_id (store));
}

/* A copy of a store (cp, SQLite's online backup as `sqlite3 .backup` makes it) is a new device the
 * first time it is opened, and stays that device; the original keeps its id, and so does a store that
 * was only renamed. */
static void
test_copied_store_is_new_device (Fixture       *f,
                                 gconstpointer  data)
{
  g_autofree char *original = device_of (f->path);
  g_autofree char *copy_path = g_build_filename (f->dir, "copy.sqlite3", NULL);
  g_autofree char *backup_path = g_build_filename (f->dir, "backup.sqlite3", NULL);
  g_autofree char *moved_path = g_build_filename (f->dir, "moved.sqlite3", NULL);
  g_autoptr(GFile) from = g_file_new_for_path (f->path);
  g_autoptr(GFile) to = g_file_new_for_path (copy_path);
  g_autoptr(GError) error = NULL;

  /* cp */
  g_assert_true (g_file_copy (from, to, G_FILE_COPY_NONE, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  {
    g_autoptr(YataiStore) copy = yatai_store_open (copy_path, &error);
    g_autofree char *again = NULL;

    g_assert_no_error (error);
    g_assert_cmpstr (yatai_store_get_device_id (copy), !=, original);
    g_assert_cmpstr (yatai_store_get_former_device_id (copy), ==, original);
    g_clear_object (&copy);
    again = device_of (copy_path);
    g_assert_cmpstr (again, !=, original);
    {
      g_autoptr(YataiStore) reopened = yatai_store_open (copy_path, &error);

      g_assert_cmpstr (yatai_store_get_device_id (reopened), ==, again);
      g_assert_null (yatai_store_get_former_device_id (reopened));
    }
  }

  /* sqlite3 .backup, while the original is open */
  {
    g_autoptr(YataiStore) store = yatai_store_open (f->path, &error);
    sqlite3 *target = NULL;
    sqlite3_backup *backup;
    g_autofree char *backed_up = NULL;

    g_assert_cmpint (sqlite3_open (backup_path, &target), ==, SQLITE_OK);
    backup = sqlite3_backup_init (target, "main", yatai_store_get_db (store), "main");
    g_assert_nonnull (backup);
    g_assert_cmpint (sqlite3_backup_step (backup, -1), ==, SQLITE_DONE);
    sqlite3_backup_finish (backup);
    sqlite3_close (target);
    g_clear_object (&store);

    backed_up = device_of (backup_path);
    g_assert_cmpstr (backed_up, !=, original);
  }

  /* The original, and the original renamed: the same device. */
  {
    g_autofree char *still = device_of (f->path);
    g_autofree char *moved = NULL;

    g_assert_cmpstr (still, ==, original);
    g_assert_cmpint (g_rename (f->path, moved_path), ==, 0);
    moved = device_of (moved_path);
    g_assert_cmpstr (moved, ==, original);
  }
}

static void
add_product (YataiStore *store)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *name = g_strdup_printf ("焼きそば %" G_GINT64_FORMAT, count (store, "SELECT count(*) FROM products") + 1);
  g_autoptr(JsonObject) args = yatai_product_save_args (0, name, 500, 10, FALSE, NULL, NULL, TRUE);
  g_autoptr(JsonNode) result = yatai_store_run (store, "product.save", args, &error);

  g_assert_no_error (error);
  g_assert_nonnull (result);
}

static void
copy_bytes (const char *from,
            const char *to)
{
  g_autofree char *contents = NULL;
  gsize length;
  int fd;

  g_assert_true (g_file_get_contents (from, &contents, &length, NULL));
  /* Written into the file that is there (as cp onto an existing file does): its inode stays. */
  fd = g_open (to, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (write (fd, contents, length), ==, (gssize) length);
  close (fd);
}

/* A backup put back over the store's own name (the same inode), taken while the store was open as
 * `sqlite3 .backup` would, is a new device too. */
static void
test_put_back_is_new_device (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *backup = g_build_filename (f->dir, "backup.sqlite3", NULL);
  g_autofree char *sql = g_strdup_printf ("VACUUM INTO '%s'", backup);
  g_autoptr(YataiStore) store = yatai_store_open (f->path, &error);
  g_autofree char *id = NULL;
  GStatBuf before, after;

  g_assert_no_error (error);
  id = g_strdup (yatai_store_get_device_id (store));
  add_product (store);
  g_assert_cmpint (sqlite3_exec (yatai_store_get_db (store), sql, NULL, NULL, NULL), ==, SQLITE_OK);
  add_product (store);
  g_clear_object (&store);

  g_assert_cmpint (g_stat (f->path, &before), ==, 0);
  copy_bytes (backup, f->path);
  g_assert_cmpint (g_stat (f->path, &after), ==, 0);
  g_assert_cmpuint (before.st_ino, ==, after.st_ino);

  store = yatai_store_open (f->path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (count (store, "SELECT count(*) FROM products"), ==, 1);
  g_assert_cmpstr (yatai_store_get_device_id (store), !=, id);
  g_assert_cmpstr (yatai_store_get_former_device_id (store), ==, id);
  g_clear_object (&store);

  /* Closed and opened again as it is, it is the same (new) device: no false alarms. */
  store = yatai_store_open (f->path, &error);
  g_assert_no_error (error);
  g_assert_null (yatai_store_get_former_device_id (store));
}

int
main (int   argc,
      char *argv[])
{
  if (argc == 3 && g_str_equal (argv[1], "hold"))
    return hold (argv[2]);

  self_program = argv[0];
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/store-lock/second-program-refused", test_second_program_refused);
  ADD ("/store-lock/crashed-holder-does-not-block", test_crashed_holder_does_not_block);
  ADD ("/store-lock/same-process-shares", test_same_process_shares);
  ADD ("/store-lock/read-only-beside", test_read_only_beside);
  ADD ("/store-lock/copied-store-is-new-device", test_copied_store_is_new_device);
  ADD ("/store-lock/put-back-is-new-device", test_put_back_is_new_device);
#undef ADD
  return g_test_run ();
}
