#pragma once

#include <adwaita.h>

#include "yatai-application.h"
#include "yatai-cart.h"

G_BEGIN_DECLS

/* The Reception page: the counter takes an order and the cash. */
#define YATAI_TYPE_RECEPTION_PAGE (yatai_reception_page_get_type ())
G_DECLARE_FINAL_TYPE (YataiReceptionPage, yatai_reception_page, YATAI, RECEPTION_PAGE, AdwBin)

void        yatai_reception_page_setup        (YataiReceptionPage *self,
                                               YataiApplication   *application);
YataiCart  *yatai_reception_page_get_cart     (YataiReceptionPage *self);
GListModel *yatai_reception_page_get_visible  (YataiReceptionPage *self);
YataiOrder *yatai_reception_page_get_last_order (YataiReceptionPage *self);
gboolean    yatai_reception_page_add_product  (YataiReceptionPage *self,
                                               YataiProduct       *product);

G_END_DECLS
