/* fuzz-snapshot.c: the database image in a snapshot segment, as a follower restores it
 *
 * The segment around it is fuzz-segment's; its checksum keeps random bytes from ever getting this far,
 * so the image is fuzzed on its own. A restored store is then read the way the application reads it
 * after a reset: every live model again, the canonical dump.
 */
#include "config.h"

#include "yatai-models.h"
#include "yatai-order-history.h"
#include "yatai-order-list.h"
#include "yatai-store-journal.h"

#include "fuzz-util.h"

static YataiStore *store;
static YataiProductList *products;
static YataiTagList *tags;
static YataiOrderList *active;
static YataiOrderList *latest;
static YataiOrderHistory *history;

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  fuzz_util_init ();
  store = fuzz_util_store_new (FALSE);
  products = yatai_product_list_new (store);
  tags = yatai_tag_list_new (store);
  active = yatai_order_list_new (store, YATAI_ORDER_QUERY_ACTIVE, 0);
  latest = yatai_order_list_new (store, YATAI_ORDER_QUERY_LATEST, 50);
  history = yatai_order_history_new (store);
  return 0;
}

static void
read_all (GListModel *model)
{
  guint n = g_list_model_get_n_items (model);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (model, i);

      g_assert (item != NULL);
    }
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

  read_all (G_LIST_MODEL (products));
  read_all (G_LIST_MODEL (tags));
  read_all (G_LIST_MODEL (active));
  read_all (G_LIST_MODEL (latest));
  read_all (G_LIST_MODEL (history));
  dump = yatai_store_dump_canonical (store, NULL);
  g_assert (dump != NULL);
  return 0;
}
