#pragma once

#include "yatai-store.h"

G_BEGIN_DECLS

/* A business day's figures, as the Sales page and the closing summary show them. Cancelled orders
 * never count as sales. */
typedef struct
{
  char   *name;
  gint64  quantity;
  gint64  amount;
} YataiProductSales;

typedef struct
{
  char   *business_day;
  gint64  n_orders;        /* not cancelled */
  gint64  sales;           /* total of those */
  gint64  average;         /* sales / n_orders, rounded */
  gint64  n_open;          /* still pending or processing */
  gint64  n_cancelled;
  gint64  cancelled_amount;
  GArray *by_product;      /* YataiProductSales, largest amount first */
  gint64  by_hour[24];     /* orders (not cancelled) by the local hour they were taken */
} YataiDaySummary;

YataiDaySummary *yatai_store_day_summary  (YataiStore      *self,
                                           const char      *business_day,
                                           GError         **error);
void             yatai_day_summary_free   (YataiDaySummary *summary);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (YataiDaySummary, yatai_day_summary_free)

/* "day.close" business_day: the day's call numbers start again at 1. Nothing is deleted.
 * "products.import" rows [{line, name, price, stock, sold_out, tags}]: all or nothing. */

G_END_DECLS
