#pragma once

#include "yatai-order.h"
#include "yatai-store.h"

G_BEGIN_DECLS

/* The orders' business operations (run them with yatai_store_execute):
 *   "order.confirm"  lines [{product_id, quantity}], customer, note, paid, pay_later, day_start_hour
 *                    → id, call_number, business_day, total, paid, change
 *   "order.status"   id, status ("pending", "processing", "completed"): one step on or back
 *   "order.cancel"   id: cancelled, the stock back (once)
 *   "order.edit"     id, customer, note
 *   "order.line-done" id, line_no, done
 *   "order.delete"   id
 * and the reads of the pages. */

typedef struct
{
  gint64 product_id;
  gint64 quantity;
} YataiCartLine;

JsonObject *yatai_order_confirm_args  (const YataiCartLine *lines,
                                       guint                n_lines,
                                       const char          *customer,
                                       const char          *note,
                                       gint64               paid,
                                       gboolean             pay_later,
                                       int                  day_start_hour);

/* Checks the cashier's form runs as a person types; the store runs them again. */
char       *yatai_order_check_customer (const char  *text,
                                        GError     **error);
char       *yatai_order_check_note     (const char  *text,
                                        GError     **error);

YataiOrder *yatai_store_get_order      (YataiStore  *self,
                                        gint64       id,
                                        GError     **error);

typedef enum
{
  YATAI_ORDER_QUERY_ACTIVE,      /* pending and processing, oldest first */
  YATAI_ORDER_QUERY_LATEST,      /* the newest orders of any status, newest first, at most a limit */
  YATAI_ORDER_QUERY_COMPLETED,   /* completed since a moment, most recently completed first */
} YataiOrderQuery;

GPtrArray  *yatai_store_list_orders    (YataiStore      *self,
                                        YataiOrderQuery  query,
                                        gint64           param,
                                        GError         **error);
gboolean    yatai_order_query_matches  (YataiOrderQuery  query,
                                        gint64           param,
                                        YataiOrder      *order);
int         yatai_order_query_compare  (YataiOrderQuery  query,
                                        YataiOrder      *a,
                                        YataiOrder      *b);

/* The kitchen's all-day view: for each product name, how many are still to make across the active
 * orders (lines not struck through), most first. */
typedef struct
{
  char   *name;
  gint64  quantity;
} YataiStillToMake;

GArray     *yatai_store_list_still_to_make (YataiStore  *self,
                                            GError     **error);

/* The call number the next order of @business_day gets, and (@out_round, may be NULL) how many times
 * that day has been closed: the round the order belongs to. */
gint64      yatai_store_next_call_number (YataiStore *self,
                                          const char *business_day,
                                          gint64     *out_round,
                                          GError    **error);

G_END_DECLS
