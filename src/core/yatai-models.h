#pragma once

#include "yatai-store.h"
#include "yatai-product.h"

G_BEGIN_DECLS

/* Every product of the store, in id order, kept current after each committed change: only the
 * products a change names are read again. Sort and filter with GtkSortListModel/GtkFilterListModel. */
#define YATAI_TYPE_PRODUCT_LIST (yatai_product_list_get_type ())
G_DECLARE_FINAL_TYPE (YataiProductList, yatai_product_list, YATAI, PRODUCT_LIST, GObject)

YataiProductList *yatai_product_list_new          (YataiStore       *store);
YataiStore       *yatai_product_list_get_store    (YataiProductList *self);
YataiProduct     *yatai_product_list_find         (YataiProductList *self,
                                                   gint64            id);
guint             yatai_product_list_get_n_in_stock (YataiProductList *self);
guint             yatai_product_list_get_n_low    (YataiProductList *self);
guint             yatai_product_list_get_n_out    (YataiProductList *self);

/* Every tag, by name, with how many products carry it. */
#define YATAI_TYPE_TAG_LIST (yatai_tag_list_get_type ())
G_DECLARE_FINAL_TYPE (YataiTagList, yatai_tag_list, YATAI, TAG_LIST, GObject)

YataiTagList     *yatai_tag_list_new              (YataiStore   *store);

G_END_DECLS
