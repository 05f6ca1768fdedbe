#pragma once

#include <adwaita.h>

#include "yatai-application.h"

G_BEGIN_DECLS

/* The Orders page: every order of every day, filtered by day and status, searched by call number or
 * customer; a row opens the order to edit, cancel or delete it. */
#define YATAI_TYPE_ORDERS_PAGE (yatai_orders_page_get_type ())
G_DECLARE_FINAL_TYPE (YataiOrdersPage, yatai_orders_page, YATAI, ORDERS_PAGE, AdwBin)

void        yatai_orders_page_setup       (YataiOrdersPage  *self,
                                           YataiApplication *application);
GListModel *yatai_orders_page_get_visible (YataiOrdersPage  *self);
GtkWindow  *yatai_orders_page_open_order  (YataiOrdersPage  *self,
                                           guint             position);

G_END_DECLS
