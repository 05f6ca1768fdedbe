/* fuzz-log.c: the payload of a log segment, the changesets a follower applies
 *
 * fuzz-segment's inputs rarely get past the payload's SHA-256, so here the input is a payload (each
 * changeset preceded by its length, 4 bytes big-endian), wrapped in a real segment by the encoder,
 * decoded again (it must come back the same), and applied to a store as a follower applies it; the live
 * models then read what the changesets say changed.
 */
#include "config.h"

#include "yatai-segment.h"
#include "yatai-store-journal.h"

#include "fuzz-demo.h"
#include "fuzz-models.h"
#include "fuzz-util.h"

static YataiStore *store;
static GBytes *demo;

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  fuzz_util_init ();
  store = fuzz_util_store_new (TRUE);
  /* As the writer of the log seeds had it (fuzz-demo.h). */
  fuzz_demo_pin_time (store);
  demo = yatai_store_snapshot (store, NULL);
  g_assert (demo != NULL);
  fuzz_models_watch (store);
  return 0;
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(YataiSegment) segment = yatai_segment_new (YATAI_SEGMENT_LOG);
  g_autoptr(YataiSegment) decoded = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  const char *pairs[] = { "sync_seq", "2", NULL };
  gsize offset = 0;

  /* The changesets as the payload lays them out; what does not fit is the last one. */
  while (offset < size)
    {
      guint32 length = 0;

      if (size - offset >= 4)
        {
          memcpy (&length, data + offset, 4);
          length = GUINT32_FROM_BE (length);
          offset += 4;
        }
      if (size - offset < 4 || length > size - offset)
        length = size - offset;
      g_ptr_array_add (segment->changesets, g_bytes_new (data + offset, length));
      offset += length;
    }
  segment->epoch = 1;
  segment->seq = 2;
  segment->device = g_strdup ("fuzz");
  segment->device_name = g_strdup ("Fuzz");
  segment->time = 1764000000000000;

  bytes = yatai_segment_encode (segment, yatai_segment_genesis_chain (), &error);
  g_assert (bytes != NULL);
  decoded = yatai_segment_decode (bytes, 2, yatai_segment_genesis_chain (), &error);
  g_assert (decoded != NULL);
  g_assert (decoded->changesets->len == segment->changesets->len);
  for (guint i = 0; i < segment->changesets->len; i++)
    g_assert (g_bytes_equal (decoded->changesets->pdata[i], segment->changesets->pdata[i]));

  if (decoded->changesets->len == 0)
    return 0;
  if (!yatai_store_apply_changesets (store, decoded->changesets, pairs, &error))
    {
      g_assert (error != NULL);
      return 0;
    }
  fuzz_models_read_all ();

  /* Back to the demo menu, so every input starts from the same store. */
  g_assert (yatai_store_restore (store, demo, (const char *[]) { NULL }, NULL));
  return 0;
}
