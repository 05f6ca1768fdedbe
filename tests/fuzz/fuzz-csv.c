/* fuzz-csv.c: a products CSV to import, as a person may pick any file */
#include "config.h"

#include "yatai-csv.h"
#include "yatai-store-journal.h"

#include "fuzz-util.h"

static YataiStore *store;
static GBytes *demo;

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  fuzz_util_init ();
  store = fuzz_util_store_new (TRUE);
  demo = yatai_store_snapshot (store, NULL);
  g_assert (demo != NULL);
  return 0;
}

/* What the parser read, written out and read again, is the same records (a record of one empty field
 * is the one thing CSV cannot write). */
static void
check_round_trip (GPtrArray *records)
{
  g_autoptr(GString) out = g_string_new (YATAI_CSV_BOM);   /* as the export writes it */
  g_autoptr(GPtrArray) again = NULL;
  g_autoptr(GError) error = NULL;
  guint expected = 0;

  for (guint r = 0; r < records->len; r++)
    {
      char **record = records->pdata[r];

      if (record[1] == NULL && record[0][0] == '\0')
        continue;
      for (guint f = 0; record[f] != NULL; f++)
        yatai_csv_append_field (out, record[f], record[f + 1] == NULL);
      expected++;
    }
  again = yatai_csv_parse (out->str, out->len, NULL, &error);
  g_assert_no_error (error);
  g_assert (again->len == expected);
  for (guint r = 0, a = 0; r < records->len; r++)
    {
      char **record = records->pdata[r];

      if (record[1] == NULL && record[0][0] == '\0')
        continue;
      g_assert (g_strv_equal ((const char * const *) record, (const char * const *) again->pdata[a++]));
    }
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  /* As the Sales page gets a file: an empty one has no data at all. */
  g_autoptr(GBytes) contents = g_bytes_new (data, size);
  gsize length;
  const char *text = g_bytes_get_data (contents, &length);
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) lines = NULL;
  g_autoptr(GPtrArray) records = yatai_csv_parse (text, length, &lines, &error);
  g_autoptr(JsonObject) args = NULL;

  g_assert ((records == NULL) == (error != NULL));
  if (records != NULL)
    {
      g_assert (lines->len == records->len);
      check_round_trip (records);
    }
  g_clear_error (&error);

  args = yatai_products_import_args (text, length, &error);
  g_assert ((args == NULL) == (error != NULL));
  if (args != NULL)
    {
      /* The import the Sales page then runs: it applies or is refused, all of it or nothing. */
      g_autoptr(YataiCommand) command = yatai_command_new ("products.import", args);
      g_autoptr(JsonNode) result = NULL;

      g_clear_error (&error);
      result = yatai_store_execute (store, command, &error);
      g_assert ((result == NULL) == (error != NULL));

      /* Back to the demo menu, so the store does not grow run after run. */
      if (result != NULL)
        g_assert (yatai_store_restore (store, demo, (const char *[]) { NULL }, NULL));
    }
  return 0;
}
