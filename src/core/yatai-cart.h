#pragma once

#include "yatai-models.h"
#include "yatai-store-orders.h"

G_BEGIN_DECLS

/* One line of the cart: a product, how many, at the price it has now. */
#define YATAI_TYPE_CART_ITEM (yatai_cart_item_get_type ())
G_DECLARE_FINAL_TYPE (YataiCartItem, yatai_cart_item, YATAI, CART_ITEM, GObject)

gint64        yatai_cart_item_get_product_id (YataiCartItem *self);
const char   *yatai_cart_item_get_name       (YataiCartItem *self);
gint64        yatai_cart_item_get_unit_price (YataiCartItem *self);
gint64        yatai_cart_item_get_quantity   (YataiCartItem *self);
gint64        yatai_cart_item_get_line_total (YataiCartItem *self);
gint64        yatai_cart_item_get_left       (YataiCartItem *self);
gboolean      yatai_cart_item_get_available  (YataiCartItem *self);

/* The order being taken at the counter, before it is confirmed: a list of cart items that follows the
 * live product list (a new price, less stock, a product gone) so what the cashier sees is what the
 * store will accept. */
#define YATAI_TYPE_CART (yatai_cart_get_type ())
G_DECLARE_FINAL_TYPE (YataiCart, yatai_cart, YATAI, CART, GObject)

YataiCart  *yatai_cart_new            (YataiProductList *products);
gboolean    yatai_cart_add            (YataiCart        *self,
                                       YataiProduct     *product,
                                       GError          **error);
gboolean    yatai_cart_set_quantity   (YataiCart        *self,
                                       gint64            product_id,
                                       gint64            quantity,
                                       GError          **error);
void        yatai_cart_remove         (YataiCart        *self,
                                       gint64            product_id);
void        yatai_cart_clear          (YataiCart        *self);
gint64      yatai_cart_get_total      (YataiCart        *self);
gint64      yatai_cart_get_n_units    (YataiCart        *self);
gint64      yatai_cart_get_quantity   (YataiCart        *self,
                                       gint64            product_id);
gint64      yatai_cart_can_add        (YataiCart        *self,
                                       YataiProduct     *product);
gboolean    yatai_cart_is_ready       (YataiCart        *self);

#define YATAI_CASH_AMOUNTS_MAX 3
guint       yatai_cart_cash_amounts   (gint64            total,
                                       gint64            amounts[YATAI_CASH_AMOUNTS_MAX]);
JsonObject *yatai_cart_confirm_args   (YataiCart        *self,
                                       const char       *customer,
                                       const char       *note,
                                       gint64            paid,
                                       gboolean          pay_later,
                                       int               day_start_hour);

G_END_DECLS
