/* fuzz-command.c: commands from other devices' inboxes, parsed and run against a store */
#include "config.h"

#include "yatai-store.h"

#include "fuzz-util.h"

static YataiStore *store;

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  fuzz_util_init ();
  store = fuzz_util_store_new (TRUE);
  return 0;
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(YataiCommand) command = NULL;
  g_autoptr(JsonNode) result = NULL;

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
