/* fuzz-segment.c: log segments and snapshots as they may arrive from the bucket */
#include "config.h"

#include "yatai-segment.h"

#include "fuzz-util.h"

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  fuzz_util_init ();
  return 0;
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(GBytes) bytes = g_bytes_new (data, size);
  g_autoptr(YataiSegment) any = yatai_segment_decode (bytes, -1, NULL, NULL);
  g_autoptr(YataiSegment) checked = yatai_segment_decode (bytes, 1, yatai_segment_genesis_chain (), NULL);

  /* A segment that passes the chain check passes without it too. */
  g_assert (checked == NULL || any != NULL);

  /* Whatever decodes must encode again. */
  if (any != NULL)
    {
      g_autoptr(GBytes) again = yatai_segment_encode (any, yatai_segment_genesis_chain (), NULL);
      g_assert (again != NULL);
    }
  return 0;
}
