#pragma once

#include <adwaita.h>

#include "yatai-application.h"

G_BEGIN_DECLS

/* The Sales page: a business day at a glance, charts, the same numbers as a table, CSV, closing. */
#define YATAI_TYPE_SALES_PAGE (yatai_sales_page_get_type ())
G_DECLARE_FINAL_TYPE (YataiSalesPage, yatai_sales_page, YATAI, SALES_PAGE, AdwBin)

void        yatai_sales_page_setup      (YataiSalesPage   *self,
                                         YataiApplication *application);
gboolean    yatai_sales_page_select_day (YataiSalesPage   *self,
                                         const char       *business_day);
const char *yatai_sales_page_get_day    (YataiSalesPage   *self);
gboolean    yatai_sales_page_import     (YataiSalesPage   *self,
                                         GBytes           *contents,
                                         GError          **error);

G_END_DECLS
