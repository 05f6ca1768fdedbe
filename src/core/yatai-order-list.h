#pragma once

#include "yatai-store-orders.h"

G_BEGIN_DECLS

/* The orders a query selects (the kitchen's active orders, the counter's latest ones, those completed
 * lately), kept current after each committed change: only the orders a change names are read again. */
#define YATAI_TYPE_ORDER_LIST (yatai_order_list_get_type ())
G_DECLARE_FINAL_TYPE (YataiOrderList, yatai_order_list, YATAI, ORDER_LIST, GObject)

YataiOrderList *yatai_order_list_new       (YataiStore      *store,
                                            YataiOrderQuery  query,
                                            gint64           param);
void            yatai_order_list_set_param (YataiOrderList  *self,
                                            gint64           param);
YataiOrder     *yatai_order_list_find      (YataiOrderList  *self,
                                            gint64           id);

G_END_DECLS
