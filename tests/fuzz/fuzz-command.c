/* fuzz-command.c: commands from other devices' inboxes, parsed and run against a store */
#include "config.h"

#include "yatai-store.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

static YataiStore *store;

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(YataiCommand) command = NULL;
  g_autoptr(JsonNode) result = NULL;

  if (store == NULL)
    {
      g_autofree char *dir = g_dir_make_tmp ("yatai-fuzz-XXXXXX", NULL);
      g_autofree char *path = g_build_filename (dir, "store.sqlite3", NULL);

      store = yatai_store_open (path, NULL);
      g_assert (store != NULL);
      g_assert (yatai_store_load_demo (store, NULL));
    }

  command = yatai_command_new_from_json ((const char *) data, size, NULL);
  if (command != NULL)
    {
      /* Any command either applies or is refused with an error; the store stays whole. */
      g_autoptr(GError) error = NULL;

      result = yatai_store_execute (store, command, &error);
      g_assert ((result == NULL) == (error != NULL));
    }
  return 0;
}
