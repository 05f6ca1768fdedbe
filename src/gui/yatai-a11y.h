/* yatai-a11y.h: what a screen reader reads, where GTK 4.8 needs help */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

void                yatai_a11y_install            (void);
void                yatai_a11y_label_cell         (GtkWidget  *child,
                                                   const char *label,
                                                   const char *description);

G_END_DECLS
