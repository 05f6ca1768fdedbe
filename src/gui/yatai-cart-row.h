#pragma once

#include <gtk/gtk.h>

#include "yatai-cart.h"

G_BEGIN_DECLS

/* One line of the Reception cart: name and unit price, − quantity +, line total, remove. */
#define YATAI_TYPE_CART_ROW (yatai_cart_row_get_type ())
G_DECLARE_FINAL_TYPE (YataiCartRow, yatai_cart_row, YATAI, CART_ROW, GtkBox)

GtkWidget *yatai_cart_row_new  (void);
void       yatai_cart_row_bind (YataiCartRow  *self,
                                YataiCartItem *item);

G_END_DECLS
