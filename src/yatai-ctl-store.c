/* yatai-ctl-store.c: which store yatai-ctl opens, and how
 *
 * One store is used by one program at a time (yatai-store-lock.c). `run`, `follow` and the lease
 * commands take it and are refused, with the name of the program that has it, when another does.
 * `status` and `export` only read: they open the store read-only, beside the program that has it, or
 * in a file or folder this user may not write. `restore` makes the new store under a name of its own and gives it the name
 * asked for only when it is whole, so a restore killed half way leaves no store behind, and the next
 * one sees its unfinished file and starts again. `pair` (the stall from a counter by its code) makes its
 * new store the same way.
 */
#define G_LOG_DOMAIN "yatai-ctl"

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <stdio.h>

#include "yatai-ctl-store.h"
#include "yatai-store-journal.h"

/* The file a restore into @path writes until it is whole. */
static char *
restoring_path (const char *path)
{
  return g_strconcat (path, ".restoring", NULL);
}

static void
remove_store_files (const char *path)
{
  const char *suffixes[] = { "", "-wal", "-shm", "-journal", ".lock" };

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *name = g_strconcat (path, suffixes[i], NULL);

      g_remove (name);
    }
}

static YataiStore *
open_for_restore (YataiCtlStore  *self,
                  GError        **error)
{
  g_autofree char *partial = restoring_path (self->path);
  YataiStore *store;

  if (g_file_test (self->path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, YATAI_STORE_ERROR, YATAI_STORE_ERROR_REFUSED,
                   _("%s already exists; restore makes a new store. Give another --store."), self->path);
      return NULL;
    }

  /* The store's own name is held for the whole restore: nothing else opens it meanwhile, and a second
   * restore into it is refused with the first one's name. */
  if (!yatai_store_lock_acquire (self->path, error))
    return NULL;
  self->holds_target = TRUE;

  if (g_file_test (partial, G_FILE_TEST_EXISTS))
    {
      g_printerr (_("yatai-ctl: an unfinished restore into %s was found (it was stopped half way); "
                    "starting it again.\n"),
                  self->path);
      remove_store_files (partial);
    }

  store = yatai_store_open (partial, error);
  if (store != NULL)
    self->restoring = g_steal_pointer (&partial);
  return store;
}

/**
 * yatai_ctl_store_open:
 * @command: the yatai-ctl command ("run", "status", …)
 *
 * Opens the store at @self->path as @command needs it. "status" and "export" only read: a store that
 * exists is opened read-only, beside a program that has it (@self->holder then names it) or in a file
 * this user may not write.
 */
YataiStore *
yatai_ctl_store_open (YataiCtlStore  *self,
                      const char     *command,
                      GError        **error)
{
  g_autofree char *program = g_strdup_printf ("yatai-ctl %s", command);
  YataiStore *store;

  yatai_store_set_program_name (program);
  if (g_str_equal (command, "export"))
    return yatai_store_open_read_only (self->path, error);
  if (g_str_equal (command, "restore") || g_str_equal (command, "pair"))
    return open_for_restore (self, error);
  if (!g_str_equal (command, "status") || !g_file_test (self->path, G_FILE_TEST_EXISTS))
    return yatai_store_open (self->path, error);

  store = yatai_store_open_read_only (self->path, error);
  if (store != NULL)
    self->holder = yatai_store_lock_holder (self->path);
  return store;
}

/* status beside the program that has the store: it is read as that program last saved it. */
void
yatai_ctl_store_print_holder (YataiCtlStore *self)
{
  printf (_("This store is open in %s: shown read-only, as it was last saved, without syncing.\n"), self->holder);
  fflush (stdout);
}

/**
 * yatai_ctl_store_finish:
 * @store: (transfer full): the store yatai_ctl_store_open() gave
 * @succeeded: whether the command did what it was asked
 *
 * Closes @store. After a restore that succeeded, the new store takes the name it was asked for; after
 * one that did not, its unfinished file goes. Returns %FALSE with @error set when the name could not
 * be given.
 */
gboolean
yatai_ctl_store_finish (YataiCtlStore  *self,
                        YataiStore     *store,
                        gboolean        succeeded,
                        GError        **error)
{
  gboolean ok = TRUE;

  g_clear_object (&store);
  if (self->restoring != NULL)
    {
      if (succeeded && g_rename (self->restoring, self->path) != 0)
        {
          int saved_errno = errno;

          g_set_error (error, YATAI_STORE_ERROR, YATAI_STORE_ERROR_IO, _("The restored store could not be named %s: %s"),
                       self->path, g_strerror (saved_errno));
          ok = FALSE;
        }
      if (!succeeded || !ok)
        remove_store_files (self->restoring);
      else
        {
          g_autofree char *lock = g_strconcat (self->restoring, ".lock", NULL);

          g_remove (lock);
        }
    }
  if (self->holds_target)
    yatai_store_lock_release (self->path);
  self->holds_target = FALSE;
  g_clear_pointer (&self->restoring, g_free);
  g_clear_pointer (&self->holder, g_free);
  return ok;
}
