#pragma once

#include <adwaita.h>

#include "yatai-application.h"
#include "yatai-order.h"

G_BEGIN_DECLS

/* Edit an order of the history: customer, note and status; cancel it (stock back) or delete it. */
#define YATAI_TYPE_ORDER_EDITOR (yatai_order_editor_get_type ())
G_DECLARE_FINAL_TYPE (YataiOrderEditor, yatai_order_editor, YATAI, ORDER_EDITOR, AdwWindow)

YataiOrderEditor *yatai_order_editor_new (YataiApplication *application,
                                          YataiOrder       *order);

G_END_DECLS
