#pragma once

#include <gtk/gtk.h>

#include "yatai-order.h"
#include "yatai-pending.h"

G_BEGIN_DECLS

/* One active order on the Kitchen page: call number, ticking age, lines, note, customer, and the
 * buttons that move it on or back or cancel it. Its colour follows its age. */
#define YATAI_TYPE_ORDER_CARD (yatai_order_card_get_type ())
G_DECLARE_FINAL_TYPE (YataiOrderCard, yatai_order_card, YATAI, ORDER_CARD, GtkBox)

typedef enum
{
  YATAI_CARD_NORMAL,
  YATAI_CARD_WARNING,
  YATAI_CARD_LATE,
} YataiCardUrgency;

GtkWidget        *yatai_order_card_new         (YataiOrder     *order);
YataiOrder       *yatai_order_card_get_order   (YataiOrderCard *self);
void              yatai_order_card_set_order   (YataiOrderCard *self,
                                                YataiOrder     *order);
void              yatai_order_card_set_pending (YataiOrderCard *self,
                                                YataiPendingCommands *pending);
YataiCardUrgency  yatai_order_card_tick        (YataiOrderCard *self,
                                                gint64          now,
                                                gint64          warning_us,
                                                gint64          late_us);
void              yatai_order_card_flash       (YataiOrderCard *self,
                                                guint           ms);
char             *yatai_format_age             (gint64          age_us);

G_END_DECLS
