#pragma once

#include <adwaita.h>

#include "yatai-application.h"
#include "yatai-chime.h"
#include "yatai-order-card.h"
#include "yatai-order-list.h"

G_BEGIN_DECLS

/* The Kitchen page: what to cook, oldest first, moved on with one tap. */
#define YATAI_TYPE_KITCHEN_PAGE (yatai_kitchen_page_get_type ())
G_DECLARE_FINAL_TYPE (YataiKitchenPage, yatai_kitchen_page, YATAI, KITCHEN_PAGE, AdwBin)

void            yatai_kitchen_page_setup      (YataiKitchenPage *self,
                                               YataiApplication *application);
void            yatai_kitchen_page_tick       (YataiKitchenPage *self);
YataiOrderList *yatai_kitchen_page_get_active (YataiKitchenPage *self);
YataiOrderCard *yatai_kitchen_page_find_card  (YataiKitchenPage *self,
                                               gint64            id);
guint           yatai_kitchen_page_get_n_cards (YataiKitchenPage *self);
YataiChime     *yatai_kitchen_page_get_chime  (YataiKitchenPage *self);

G_END_DECLS
