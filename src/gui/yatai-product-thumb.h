#pragma once

#include <adwaita.h>

#include "yatai-product.h"

G_BEGIN_DECLS

/* A product's picture, or a coloured square with the first character of its name when it has none. */
#define YATAI_TYPE_PRODUCT_THUMB (yatai_product_thumb_get_type ())
G_DECLARE_FINAL_TYPE (YataiProductThumb, yatai_product_thumb, YATAI, PRODUCT_THUMB, AdwBin)

GtkWidget    *yatai_product_thumb_new         (int                size);
void          yatai_product_thumb_set_product (YataiProductThumb *self,
                                               YataiProduct      *product);
YataiProduct *yatai_product_thumb_get_product (YataiProductThumb *self);
GdkTexture   *yatai_product_thumb_texture     (YataiProduct      *product);
char         *yatai_product_thumb_initial     (const char        *name);

G_END_DECLS
