/* fuzz-lease.c: the lease object as it may arrive from the bucket */
#include "config.h"

#include "yatai-lease.h"

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
  g_autoptr(YataiLease) lease = yatai_lease_parse ((const char *) data, size, NULL);

  if (lease != NULL)
    {
      g_autofree char *json = yatai_lease_to_json (lease);
      g_autoptr(YataiLease) again = yatai_lease_parse (json, strlen (json), NULL);

      g_assert (again != NULL);
      g_assert (again->epoch == lease->epoch);
    }
  return 0;
}
