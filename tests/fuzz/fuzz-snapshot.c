/* fuzz-snapshot.c: the database image in a snapshot segment, as a follower restores it
 *
 * The segment around it is fuzz-segment's; its checksum keeps random bytes from ever getting this far,
 * so the image is fuzzed on its own. A restored store is then read the way the application reads it
 * after a reset: every live model again, the canonical dump.
 */
#include "config.h"

#include "yatai-store-journal.h"

#include "fuzz-models.h"
#include "fuzz-util.h"

static YataiStore *store;

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  fuzz_util_init ();
  store = fuzz_util_store_new (FALSE);
  fuzz_models_watch (store);
  return 0;
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(GBytes) image = g_bytes_new (data, size);
  g_autoptr(GError) error = NULL;
  const char *pairs[] = { "sync_seq", "7", "sync_chain", "0", NULL };
  g_autofree char *dump = NULL;

  if (!yatai_store_restore (store, image, pairs, &error))
    {
      g_assert (error != NULL);
      return 0;
    }

  fuzz_models_read_all ();
  dump = yatai_store_dump_canonical (store, NULL);
  g_assert (dump != NULL);
  return 0;
}
