/* fuzz-models.h: the live models the pages read, for the targets that change a store */
#pragma once

#include "yatai-models.h"
#include "yatai-order-history.h"
#include "yatai-order-list.h"

static GListModel *fuzz_models[5];

/* Every live model a page of the application keeps on @store. */
G_GNUC_UNUSED static void
fuzz_models_watch (YataiStore *store)
{
  fuzz_models[0] = G_LIST_MODEL (yatai_product_list_new (store));
  fuzz_models[1] = G_LIST_MODEL (yatai_tag_list_new (store));
  fuzz_models[2] = G_LIST_MODEL (yatai_order_list_new (store, YATAI_ORDER_QUERY_ACTIVE, 0));
  fuzz_models[3] = G_LIST_MODEL (yatai_order_list_new (store, YATAI_ORDER_QUERY_LATEST, 50));
  fuzz_models[4] = G_LIST_MODEL (yatai_order_history_new (store));
}

/* Reads every item of every model, as the pages do after a change or a reset. */
G_GNUC_UNUSED static void
fuzz_models_read_all (void)
{
  for (guint m = 0; m < G_N_ELEMENTS (fuzz_models); m++)
    {
      guint n = g_list_model_get_n_items (fuzz_models[m]);

      for (guint i = 0; i < n; i++)
        {
          g_autoptr(GObject) item = g_list_model_get_item (fuzz_models[m], i);

          g_assert (item != NULL);
        }
    }
}
