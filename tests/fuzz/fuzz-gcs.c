/* fuzz-gcs.c: the bucket's JSON answers (an object's resource, a page of a listing) */
#include "config.h"

#include "yatai-gcs-client.h"

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
  /* As the client gets it: an empty body has no data at all. */
  g_autoptr(GBytes) body = g_bytes_new (data, size);
  gsize length;
  const char *json = g_bytes_get_data (body, &length);
  g_autoptr(GError) error = NULL;
  g_autoptr(YataiGcsObject) object = yatai_gcs_object_parse (json, length, &error);
  g_autoptr(GPtrArray) listed = g_ptr_array_new_with_free_func ((GDestroyNotify) yatai_gcs_object_free);
  g_autofree char *token = NULL;
  gboolean page;

  g_assert ((object == NULL) == (error != NULL));
  if (object != NULL)
    {
      g_autoptr(YataiGcsObject) copy = yatai_gcs_object_copy (object);

      g_assert (g_utf8_validate (copy->name, -1, NULL));
    }
  g_clear_error (&error);

  page = yatai_gcs_list_page_parse (json, length, listed, &token, &error);
  g_assert (page == (error == NULL));
  g_assert (page || (listed->len == 0 && token == NULL));
  for (guint i = 0; i < listed->len; i++)
    {
      YataiGcsObject *item = g_ptr_array_index (listed, i);

      g_assert (item->name != NULL);
    }
  return 0;
}
