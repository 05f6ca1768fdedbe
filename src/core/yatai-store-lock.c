/* yatai-store-lock.c: one program at a time on a store file, and where the file lives
 *
 * Two programs writing one store both act as its device: two writers of one device id, or a follower
 * resetting the store under the app's feet (issue 16). A store is therefore opened for writing by one
 * program at a time. The lock is a BSD lock (flock) on a file beside the store, "<store>.lock": the
 * kernel drops it when the holder's process ends, however it ends, so a crash never blocks the next
 * start; and it is not SQLite's own file locking, which is POSIX (fcntl) and undone whenever any
 * descriptor of the file is closed in the process. The file holds the holder's program name and
 * process id, only to be named in the message the next program gets; it is never deleted (a program
 * deleting it while another opens it would let two hold "the" lock). Inside one process, every
 * YataiStore on the same file shares the one lock (two windows, a test's second connection).
 *
 * Where the file lives (its "home") is this machine's id and the file's inode number, recorded beside
 * the device id. A store copied (cp, `sqlite3 .backup`, a restored backup) is another file: another
 * inode, or another machine. The store sees that on opening and becomes a new device before anything
 * syncs, so a copy never claims to be the device, and the writer, it was copied from. A file moved
 * or renamed on its file system keeps its inode and stays the same device. The device number of the
 * file system is left out on purpose: on btrfs it is given anew at every mount.
 *
 * A backup put back over the store's own name keeps the inode (cp onto an existing file, sqlite3's
 * .restore). For that, the store and its lock file share a mark, a random word made anew at every
 * open and every close: a file put back from a copy holds the mark of when the copy was taken, which
 * the lock file has left behind. A new mark is written to the lock file as "next" first, then to the
 * store, then made "current": a crash in between leaves the store's mark as one of the two. What this
 * cannot see: a copy taken while the store was open, put back after that same session crashed, before
 * any other open (the mark had no chance to change).
 */
#define G_LOG_DOMAIN "yatai-store"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "yatai-store-journal.h"
#include "yatai-store-private.h"

typedef struct
{
  int   fd;
  guint refs;
  char *holder;   /* "program\npid" */
  char *mark;     /* the store's mark (see above), or NULL */
  char *next;     /* the mark being written, or NULL */
} HeldLock;

static void
held_lock_free (gpointer data)
{
  HeldLock *lock = data;

  g_free (lock->holder);
  g_free (lock->mark);
  g_free (lock->next);
  g_free (lock);
}

static GMutex held_mutex;
static GHashTable *held;      /* lock file path → HeldLock */
static char *program_name;

/**
 * yatai_store_set_program_name:
 * @name: how this program is named to another that finds the store in use ("yatai-ctl run")
 *
 * By default the program's name (g_get_prgname()); "yatai" is shown as "Yatai".
 */
void
yatai_store_set_program_name (const char *name)
{
  g_mutex_lock (&held_mutex);
  g_free (program_name);
  program_name = g_strdup (name);
  g_mutex_unlock (&held_mutex);
}

/* The lock file of the store at @path: beside it, its directory's real path (so two names of one
 * folder give one lock). */
char *
yatai_store_lock_path (const char *path)
{
  g_autofree char *absolute = g_canonicalize_filename (path, NULL);
  g_autofree char *dir = g_path_get_dirname (absolute);
  g_autofree char *base = g_path_get_basename (absolute);
  g_autofree char *lock_name = g_strconcat (base, ".lock", NULL);
  char *real = realpath (dir, NULL);
  char *lock = g_build_filename (real != NULL ? real : dir, lock_name, NULL);

  free (real);
  return lock;
}

/* "Yatai (process 1234)" for the message, from what the holder wrote in the lock file. */
static char *
describe_holder (int fd)
{
  char buffer[256] = { 0 };
  ssize_t n = pread (fd, buffer, sizeof buffer - 1, 0);
  g_auto(GStrv) lines = NULL;
  gint64 pid;

  if (n <= 0)
    return NULL;
  lines = g_strsplit (buffer, "\n", 3);
  if (g_strv_length (lines) < 2 || *lines[0] == '\0' || !g_utf8_validate (lines[0], -1, NULL))
    return NULL;
  pid = g_ascii_strtoll (lines[1], NULL, 10);
  if (pid <= 0 || pid > G_MAXINT)
    return NULL;
  /* Translators: who holds a store: a program's name and its process id, "Yatai (process 1234)" */
  return g_strdup_printf (_("%s (process %d)"), g_str_equal (lines[0], "yatai") ? _("Yatai") : lines[0], (int) pid);
}

static void
set_in_use_error (GError    **error,
                  const char *holder)
{
  if (holder != NULL)
    g_set_error (error, YATAI_STORE_ERROR, YATAI_STORE_ERROR_IN_USE,
                 _("This store is open in %s. One store is used by one program at a time: close it there, "
                   "or use another store."),
                 holder);
  else
    g_set_error_literal (error, YATAI_STORE_ERROR, YATAI_STORE_ERROR_IN_USE,
                         _("This store is open in another program. One store is used by one program at a "
                           "time: close it there, or use another store."));
}

/* The lock file's lines: the holder's program and process id (empty when nobody holds it), the store's
 * mark, and the mark being written. */
static gboolean
write_lock_file (HeldLock *lock)
{
  g_autofree char *contents = g_strdup_printf ("%s\n%s\n%s\n", lock->holder != NULL ? lock->holder : "\n",
                                               lock->mark != NULL ? lock->mark : "",
                                               lock->next != NULL ? lock->next : "");
  gsize length = strlen (contents);

  return ftruncate (lock->fd, 0) == 0 && pwrite (lock->fd, contents, length, 0) == (ssize_t) length &&
         fdatasync (lock->fd) == 0;
}

static void
read_marks (HeldLock *lock)
{
  char buffer[512] = { 0 };
  ssize_t n = pread (lock->fd, buffer, sizeof buffer - 1, 0);
  g_auto(GStrv) lines = NULL;

  if (n <= 0)
    return;
  lines = g_strsplit (buffer, "\n", 5);
  if (g_strv_length (lines) >= 3 && *lines[2] != '\0')
    lock->mark = g_strdup (lines[2]);
  if (g_strv_length (lines) >= 4 && *lines[3] != '\0')
    lock->next = g_strdup (lines[3]);
}

/**
 * yatai_store_lock_acquire:
 *
 * Takes the store at @path for this process, or says which program has it
 * (%YATAI_STORE_ERROR_IN_USE). Each success is undone by one yatai_store_lock_release().
 */
gboolean
yatai_store_lock_acquire (const char  *path,
                          GError     **error)
{
  g_autofree char *lock_path = yatai_store_lock_path (path);
  HeldLock *lock;
  int fd;

  g_mutex_lock (&held_mutex);
  if (held == NULL)
    held = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, held_lock_free);
  lock = g_hash_table_lookup (held, lock_path);
  if (lock != NULL)
    {
      lock->refs++;
      g_mutex_unlock (&held_mutex);
      return TRUE;
    }

  fd = g_open (lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      int saved_errno = errno;

      g_mutex_unlock (&held_mutex);
      g_set_error (error, YATAI_STORE_ERROR, YATAI_STORE_ERROR_IO,
                   _("The store’s lock file “%s” could not be made: %s"), lock_path, g_strerror (saved_errno));
      return FALSE;
    }
  if (flock (fd, LOCK_EX | LOCK_NB) != 0)
    {
      int saved_errno = errno;
      g_autofree char *holder = NULL;

      g_mutex_unlock (&held_mutex);
      if (saved_errno == EWOULDBLOCK)
        {
          holder = describe_holder (fd);
          set_in_use_error (error, holder);
        }
      else
        g_set_error (error, YATAI_STORE_ERROR, YATAI_STORE_ERROR_IO,
                     _("The store’s lock file “%s” could not be made: %s"), lock_path, g_strerror (saved_errno));
      close (fd);
      return FALSE;
    }

  lock = g_new0 (HeldLock, 1);
  lock->fd = fd;
  lock->refs = 1;
  read_marks (lock);
  lock->holder = g_strdup_printf ("%s\n%ld", program_name != NULL ? program_name
                                             : g_get_prgname () != NULL ? g_get_prgname () : "yatai",
                                  (long) getpid ());
  if (!write_lock_file (lock))
    g_debug ("The lock file %s could not say who holds it: %s", lock_path, g_strerror (errno));
  g_hash_table_insert (held, g_steal_pointer (&lock_path), lock);
  g_mutex_unlock (&held_mutex);
  return TRUE;
}

void
yatai_store_lock_release (const char *path)
{
  g_autofree char *lock_path = yatai_store_lock_path (path);
  HeldLock *lock;

  g_mutex_lock (&held_mutex);
  lock = held != NULL ? g_hash_table_lookup (held, lock_path) : NULL;
  if (lock != NULL && --lock->refs == 0)
    {
      /* The holder goes first, so that nobody reads a stale one; the mark stays; closing drops the lock. */
      g_clear_pointer (&lock->holder, g_free);
      if (!write_lock_file (lock))
        g_debug ("The lock file %s was not emptied: %s", lock_path, g_strerror (errno));
      close (lock->fd);
      g_hash_table_remove (held, lock_path);
    }
  g_mutex_unlock (&held_mutex);
}

/**
 * yatai_store_lock_holder:
 *
 * Who holds the store at @path now, in words ("Yatai (process 1234)"), or %NULL when no other process
 * does. Does not take it.
 */
char *
yatai_store_lock_holder (const char *path)
{
  g_autofree char *lock_path = yatai_store_lock_path (path);
  char *holder = NULL;
  int fd = g_open (lock_path, O_RDONLY | O_CLOEXEC, 0);

  if (fd < 0)
    return NULL;
  g_mutex_lock (&held_mutex);
  if (held == NULL || g_hash_table_lookup (held, lock_path) == NULL)
    {
      /* A shared lock is refused only while someone holds the exclusive one. */
      if (flock (fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK)
        {
          holder = describe_holder (fd);
          if (holder == NULL)
            holder = g_strdup (_("another program"));
        }
    }
  g_mutex_unlock (&held_mutex);
  close (fd);
  return holder;
}

/* This machine, as systemd (and D-Bus before it) names it; the host name where neither is there. */
static char *
machine_id (void)
{
  const char *files[] = { "/etc/machine-id", "/var/lib/dbus/machine-id" };

  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *contents = NULL;

      if (g_file_get_contents (files[i], &contents, NULL, NULL) && *g_strstrip (contents) != '\0')
        return g_steal_pointer (&contents);
    }
  return g_strdup (g_get_host_name ());
}

/* Where the store file at @path lives: "<machine id>:<inode>", or NULL when it cannot be told. */
char *
yatai_store_file_home (const char *path)
{
  g_autofree char *machine = machine_id ();
  GStatBuf info;

  if (g_stat (path, &info) != 0)
    return NULL;
  return g_strdup_printf ("%s:%" G_GUINT64_FORMAT, machine, (guint64) info.st_ino);
}

static HeldLock *
held_lock (const char *lock_path)
{
  return held != NULL ? g_hash_table_lookup (held, lock_path) : NULL;
}

/* The first half of a new mark: written to the lock file as the one coming; returns it. */
static char *
propose_mark (const char *path)
{
  g_autofree char *lock_path = yatai_store_lock_path (path);
  char *mark = g_uuid_string_random ();
  HeldLock *lock;

  g_mutex_lock (&held_mutex);
  lock = held_lock (lock_path);
  if (lock != NULL)
    {
      g_free (lock->next);
      lock->next = g_strdup (mark);
      if (!write_lock_file (lock))
        g_debug ("The lock file %s did not take the new mark: %s", lock_path, g_strerror (errno));
    }
  g_mutex_unlock (&held_mutex);
  return mark;
}

/**
 * yatai_store_lock_confirm_mark:
 *
 * Once the store holds @mark (committed), the lock file makes it the current one.
 */
void
yatai_store_lock_confirm_mark (const char *path,
                               const char *mark)
{
  g_autofree char *lock_path = yatai_store_lock_path (path);
  HeldLock *lock;

  g_mutex_lock (&held_mutex);
  lock = held_lock (lock_path);
  if (lock != NULL && g_strcmp0 (lock->next, mark) == 0)
    {
      g_free (lock->mark);
      lock->mark = g_steal_pointer (&lock->next);
      if (!write_lock_file (lock))
        g_debug ("The lock file %s did not take the new mark: %s", lock_path, g_strerror (errno));
    }
  g_mutex_unlock (&held_mutex);
}

/* Whether the store's @mark is the one its lock file left: TRUE when the lock file has none (made
 * anew, or from before marks). */
static gboolean
mark_matches (const char *path,
              const char *mark)
{
  g_autofree char *lock_path = yatai_store_lock_path (path);
  HeldLock *lock;
  gboolean matches;

  g_mutex_lock (&held_mutex);
  lock = held_lock (lock_path);
  matches = lock == NULL || (lock->mark == NULL && lock->next == NULL) ||
            (mark != NULL && (g_strcmp0 (mark, lock->mark) == 0 || g_strcmp0 (mark, lock->next) == 0));
  g_mutex_unlock (&held_mutex);
  return matches;
}

/**
 * yatai_store_take_identity:
 * @device_id: (out): this device's id
 * @former_device_id: (out): the id the file had when it turns out to be a copy, else %NULL
 * @mark: (out): the store's new mark, for yatai_store_lock_confirm_mark() after the commit
 *
 * In the open's transaction, with the lock held: this device's id, made on the first open, and made
 * anew when the file was copied or put back from a backup (see the top of this file), so that a copy
 * never speaks for the device, nor claims the lease of the writer, it was copied from.
 */
gboolean
yatai_store_take_identity (YataiStore  *self,
                           char       **device_id,
                           char       **former_device_id,
                           char       **mark,
                           GError     **error)
{
  const char *path = yatai_store_get_path (self);
  g_autofree char *home = yatai_store_file_home (path);
  g_autofree char *recorded = yatai_store_get_local (self, "device_home");
  g_autofree char *old_mark = yatai_store_get_local (self, "device_mark");
  g_autofree char *id = yatai_store_get_local (self, "device_id");
  g_autofree char *new_mark = NULL;
  gboolean moved = recorded != NULL && home != NULL && !g_str_equal (recorded, home);

  *former_device_id = NULL;
  if (id != NULL && (moved || !mark_matches (path, old_mark)))
    {
      g_message ("The store %s was copied or put back from a backup: it is a new device now, not %s",
                 path, id);
      if (!yatai_store_set_local (self, "copied_from", id, error))
        return FALSE;
      *former_device_id = g_steal_pointer (&id);
    }
  if (id == NULL)
    {
      id = g_uuid_string_random ();
      if (!yatai_store_set_local (self, "device_id", id, error))
        return FALSE;
    }
  if (home != NULL && g_strcmp0 (home, recorded) != 0 && !yatai_store_set_local (self, "device_home", home, error))
    return FALSE;
  new_mark = propose_mark (path);
  if (!yatai_store_set_local (self, "device_mark", new_mark, error))
    return FALSE;
  *device_id = g_steal_pointer (&id);
  *mark = g_steal_pointer (&new_mark);
  return TRUE;
}

/**
 * yatai_store_remark:
 *
 * On closing: a new mark, so that a copy taken while the store was open is told from it.
 */
void
yatai_store_remark (YataiStore *self)
{
  const char *path = yatai_store_get_path (self);
  g_autofree char *mark = propose_mark (path);
  g_autoptr(GError) error = NULL;

  if (!yatai_store_exec (self, "BEGIN IMMEDIATE", &error))
    {
      g_debug ("The store %s kept its mark: %s", path, error->message);
      return;
    }
  if (!yatai_store_set_local (self, "device_mark", mark, &error) || !yatai_store_exec (self, "COMMIT", &error))
    {
      g_debug ("The store %s kept its mark: %s", path, error->message);
      yatai_store_exec (self, "ROLLBACK", NULL);
      return;
    }
  yatai_store_lock_confirm_mark (path, mark);
}
