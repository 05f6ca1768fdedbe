#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* A bar chart drawn with GtkSnapshot: one bar a row (horizontal, labels on the left) or a column
 * (vertical, labels under), each with its value written on it. Colours come from the theme. */
#define YATAI_TYPE_BAR_CHART (yatai_bar_chart_get_type ())
G_DECLARE_FINAL_TYPE (YataiBarChart, yatai_bar_chart, YATAI, BAR_CHART, GtkWidget)

GtkWidget *yatai_bar_chart_new        (GtkOrientation  orientation);
void       yatai_bar_chart_clear      (YataiBarChart  *self);
void       yatai_bar_chart_add        (YataiBarChart  *self,
                                       const char     *label,
                                       gint64          value,
                                       const char     *value_text);
guint      yatai_bar_chart_get_n_bars (YataiBarChart  *self);

G_END_DECLS
