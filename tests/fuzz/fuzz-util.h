/* fuzz-util.h: what the fuzz targets share */
#pragma once

#include <glib.h>
#include <glib/gstdio.h>
#include <stdlib.h>

#include "yatai-store.h"

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

/* A critical or a warning is a bug found, as in the tests (G_DEBUG=fatal-warnings): it aborts, which
 * libFuzzer reports as a crash and saves the input of (GLib's own fatal logs trap, which it does not). */
G_GNUC_UNUSED static GLogWriterOutput
fuzz_util_writer (GLogLevelFlags   level,
                  const GLogField *fields,
                  gsize            n_fields,
                  gpointer         user_data)
{
  GLogWriterOutput out = g_log_writer_default (level, fields, n_fields, user_data);

  if (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING))
    abort ();
  return out;
}

static inline void
fuzz_util_init (void)
{
  g_log_set_writer_func (fuzz_util_writer, NULL, NULL);
}

/* A store of its own, on tmpfs when there is one (its commits wait for no disk), removed at exit. */
static char *fuzz_util_store_dir;

G_GNUC_UNUSED static void
fuzz_util_remove_store (void)
{
  g_autoptr(GDir) dir = g_dir_open (fuzz_util_store_dir, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (fuzz_util_store_dir, name, NULL);
      g_unlink (path);
    }
  g_rmdir (fuzz_util_store_dir);
}

static inline YataiStore *
fuzz_util_store_new (gboolean demo)
{
  g_autofree char *template = NULL;
  g_autofree char *path = NULL;
  YataiStore *store;

  /* run.sh gives a folder of its own, removed after the run even when a crash skipped atexit(). */
  if (g_getenv ("YATAI_FUZZ_TMPDIR") != NULL)
    template = g_build_filename (g_getenv ("YATAI_FUZZ_TMPDIR"), "yatai-fuzz-XXXXXX", NULL);
  else if (g_file_test ("/dev/shm", G_FILE_TEST_IS_DIR) && g_access ("/dev/shm", W_OK) == 0)
    template = g_strdup ("/dev/shm/yatai-fuzz-XXXXXX");
  else
    template = g_build_filename (g_get_tmp_dir (), "yatai-fuzz-XXXXXX", NULL);
  fuzz_util_store_dir = g_mkdtemp (g_steal_pointer (&template));
  g_assert (fuzz_util_store_dir != NULL);
  atexit (fuzz_util_remove_store);
  path = g_build_filename (fuzz_util_store_dir, "store.sqlite3", NULL);
  store = yatai_store_open (path, NULL);
  g_assert (store != NULL);
  if (demo)
    g_assert (yatai_store_load_demo (store, NULL));
  return store;
}
