#pragma once

#include "yatai-store-orders.h"

G_BEGIN_DECLS

/* Every order of every day, newest first, as a list model that stays light at 100,000 orders: it holds
 * only the ids that match the filter and reads an order when a row asks for it (with a small cache).
 * Changes in the store move only the rows they touch. */
#define YATAI_TYPE_ORDER_HISTORY (yatai_order_history_get_type ())
G_DECLARE_FINAL_TYPE (YataiOrderHistory, yatai_order_history, YATAI, ORDER_HISTORY, GObject)

YataiOrderHistory *yatai_order_history_new        (YataiStore        *store);
void               yatai_order_history_set_filter (YataiOrderHistory *self,
                                                   const char        *business_day,
                                                   int                status,
                                                   const char        *search);
void               yatai_order_history_set_paused (YataiOrderHistory *self,
                                                   gboolean           paused);
GStrv              yatai_store_list_business_days (YataiStore        *store,
                                                   GError           **error);

G_END_DECLS
