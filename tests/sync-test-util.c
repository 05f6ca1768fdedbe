/* sync-test-util.c: waiting on the main loop, and a store's files gone, for the link's sync tests */
#include "config.h"

#include <glib/gstdio.h>

#include "sync-test-util.h"

#define WAIT_MS 30000   /* generous: the machine may be loaded; the wait ends as soon as it holds */

void
sync_test_run_until (SyncTestCondition condition,
                     gpointer          data)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_MS * 1000;

  while (!condition (data))
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("Timed out waiting");
      g_main_context_iteration (NULL, FALSE);
      g_usleep (500);
    }
}

void
sync_test_remove_store_files (const char *path)
{
  const char *suffixes[] = { "", "-wal", "-shm", ".lock" };

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *name = g_strconcat (path, suffixes[i], NULL);

      g_unlink (name);
    }
}
