#pragma once

#include <adwaita.h>

#include "yatai-application.h"

G_BEGIN_DECLS

/* The Register page: the stall's menu, its stock summary, and the product editor. */
#define YATAI_TYPE_REGISTER_PAGE (yatai_register_page_get_type ())
G_DECLARE_FINAL_TYPE (YataiRegisterPage, yatai_register_page, YATAI, REGISTER_PAGE, AdwBin)

void        yatai_register_page_setup       (YataiRegisterPage *self,
                                             YataiApplication  *application);
GListModel *yatai_register_page_get_visible (YataiRegisterPage *self);
GtkWindow  *yatai_register_page_get_editor  (YataiRegisterPage *self);

G_END_DECLS
