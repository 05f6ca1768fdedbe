#pragma once

#include <gtk/gtk.h>

#include "yatai-cart.h"

G_BEGIN_DECLS

/* A product on the Reception page: picture or initial, name, price, how many are left. Greyed when it
 * cannot be added (sold out, or the cart already holds all that is left). */
#define YATAI_TYPE_PRODUCT_TILE (yatai_product_tile_get_type ())
G_DECLARE_FINAL_TYPE (YataiProductTile, yatai_product_tile, YATAI, PRODUCT_TILE, GtkButton)

GtkWidget    *yatai_product_tile_new         (void);
void          yatai_product_tile_bind        (YataiProductTile *self,
                                              YataiProduct     *product,
                                              YataiCart        *cart);
gboolean      yatai_product_tile_update      (YataiProductTile *self);
YataiProduct *yatai_product_tile_get_product (YataiProductTile *self);

G_END_DECLS
