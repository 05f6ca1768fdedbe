#pragma once

#include <glib.h>

#include "yatai-order.h"
#include "yatai-pending.h"

G_BEGIN_DECLS

/* How every page says that a change is on its way to the writer, in the same words. */
const char *yatai_pending_sending_label (void);
const char *yatai_pending_sending_tooltip (void);
char       *yatai_pending_describe_move (YataiPendingCommand *move,
                                         YataiOrderStatus     current);

G_END_DECLS
