/* yatai-pending-view.c: a change on its way to the writer, in words */
#define G_LOG_DOMAIN "yatai-pending-view"

#include "config.h"

#include <glib/gi18n.h>

#include "yatai-pending-view.h"

/* On a control whose change is on its way (the card's button, the cart's Confirm). */
const char *
yatai_pending_sending_label (void)
{
  return _("Sending…");
}

/* Why the control does nothing meanwhile. */
const char *
yatai_pending_sending_tooltip (void)
{
  return _("On its way to the writer; this changes when the writer answers");
}

/* Where the order is going while @move is on its way: "Cooking · sending…" (an order moved on),
 * "Cancelled · sending…", or the status it has now with "sending…" (an edit, a deletion). */
char *
yatai_pending_describe_move (YataiPendingCommand *move,
                             YataiOrderStatus     current)
{
  const char *kind = yatai_pending_command_get_kind (move);
  YataiOrderStatus target = current;

  if (g_str_equal (kind, "order.cancel"))
    target = YATAI_ORDER_CANCELLED;
  else if (yatai_pending_command_get_status (move) != NULL)
    yatai_order_status_from_string (yatai_pending_command_get_status (move), &target);
  /* TRANSLATORS: an order's status while the change to it is on its way to the writer: "Cooking · sending…" */
  return g_strdup_printf (_("%s · sending…"), yatai_order_status_label (target));
}
