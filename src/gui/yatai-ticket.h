#pragma once

#include <gtk/gtk.h>

#include "yatai-order.h"

G_BEGIN_DECLS

/* The customer's ticket: call number, lines, total, paid, change, time. */
typedef enum
{
  YATAI_TICKET_ASK,        /* the print dialog */
  YATAI_TICKET_DIRECT,     /* straight to the printer used last (automatic tickets) */
} YataiTicketMode;

gboolean yatai_ticket_print  (YataiOrder      *order,
                              GtkWindow       *parent,
                              YataiTicketMode  mode,
                              GError         **error);
gboolean yatai_ticket_export (YataiOrder      *order,
                              const char      *pdf_path,
                              GError         **error);

G_END_DECLS
