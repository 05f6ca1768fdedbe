#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define YATAI_CUSTOMER_MAX        50
#define YATAI_NOTE_MAX            250
#define YATAI_LINES_MAX           20       /* distinct products in one order */
#define YATAI_QUANTITY_MAX        1000     /* of one product in one order */
#define YATAI_PAID_MAX            1000000000
#define YATAI_RECALL_SECONDS      (30 * 60)
#define YATAI_DAY_START_DEFAULT   5

typedef enum
{
  YATAI_ORDER_PENDING,
  YATAI_ORDER_PROCESSING,
  YATAI_ORDER_COMPLETED,
  YATAI_ORDER_CANCELLED,
} YataiOrderStatus;

const char       *yatai_order_status_to_string   (YataiOrderStatus  status);
gboolean          yatai_order_status_from_string (const char       *text,
                                                  YataiOrderStatus *out);
const char       *yatai_order_status_label       (YataiOrderStatus  status);

typedef struct
{
  guint     line_no;
  gint64    product_id;   /* 0 when the product was deleted */
  char     *name;         /* copied when the order was confirmed */
  gint64    unit_price;   /* copied when the order was confirmed */
  gint64    quantity;
  gboolean  done;
} YataiOrderLine;

/* One order as it was when read, with its lines: an immutable value. */
#define YATAI_TYPE_ORDER (yatai_order_get_type ())
G_DECLARE_FINAL_TYPE (YataiOrder, yatai_order, YATAI, ORDER, GObject)

YataiOrder           *yatai_order_new              (gint64            id,
                                                    gint64            call_number,
                                                    const char       *business_day,
                                                    const char       *customer,
                                                    const char       *note,
                                                    gint64            total,
                                                    gint64            paid,
                                                    YataiOrderStatus  status,
                                                    gint64            created,
                                                    gint64            updated);
void                  yatai_order_add_line         (YataiOrder       *self,
                                                    const YataiOrderLine *line);
gint64                yatai_order_get_id           (YataiOrder *self);
gint64                yatai_order_get_call_number  (YataiOrder *self);
const char           *yatai_order_get_business_day (YataiOrder *self);
const char           *yatai_order_get_customer     (YataiOrder *self);
const char           *yatai_order_get_note         (YataiOrder *self);
gint64                yatai_order_get_total        (YataiOrder *self);
gint64                yatai_order_get_paid         (YataiOrder *self);
gint64                yatai_order_get_change       (YataiOrder *self);
YataiOrderStatus      yatai_order_get_status       (YataiOrder *self);
gint64                yatai_order_get_created      (YataiOrder *self);
gint64                yatai_order_get_updated      (YataiOrder *self);
guint                 yatai_order_get_n_lines      (YataiOrder *self);
const YataiOrderLine *yatai_order_get_line         (YataiOrder *self,
                                                    guint       index);
gint64                yatai_order_get_n_items      (YataiOrder *self);
gboolean              yatai_order_is_active        (YataiOrder *self);

/* The business day (YYYY-MM-DD) a moment belongs to: the calendar day in local time, where a day
 * starts at @day_start_hour (05:00 by default), so an order at 01:30 still counts for the evening. */
char                 *yatai_business_day           (gint64      time_us,
                                                    int         day_start_hour);

G_END_DECLS
