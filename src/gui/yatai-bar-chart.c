/* yatai-bar-chart.c: the Sales page's charts
 *
 * Bars are laid out for the size the widget gets, so the chart fills the window at any size; text is
 * Pango layouts in the widget's own colour, bars in the accent colour, so both styles read well.
 */
#define G_LOG_DOMAIN "yatai-bar-chart"

#include "config.h"

#include <adwaita.h>

#include "yatai-bar-chart.h"

typedef struct
{
  char   *label;
  gint64  value;
  char   *value_text;
} Bar;

struct _YataiBarChart
{
  GtkWidget       parent_instance;

  GtkOrientation  orientation;
  GArray         *bars;
};

G_DEFINE_FINAL_TYPE (YataiBarChart, yatai_bar_chart, GTK_TYPE_WIDGET)

#define PADDING 6.0
#define BAR_GAP 6.0

static void
bar_clear (gpointer data)
{
  Bar *bar = data;

  g_free (bar->label);
  g_free (bar->value_text);
}

static gint64
max_value (YataiBarChart *self)
{
  gint64 max = 0;

  for (guint i = 0; i < self->bars->len; i++)
    max = MAX (max, g_array_index (self->bars, Bar, i).value);
  return max;
}

static void
accent (GtkWidget *widget,
        GdkRGBA   *color)
{
  AdwStyleManager *manager = adw_style_manager_get_default ();

  /* libadwaita 1.2 has no accent getter: its blue, lighter in the dark style. */
  gdk_rgba_parse (color, adw_style_manager_get_dark (manager) ? "#78aeed" : "#3584e4");
}

static PangoLayout *
make_layout (YataiBarChart *self,
             const char    *text,
             gboolean       bold)
{
  PangoLayout *layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), text);

  if (bold)
    {
      PangoAttrList *attrs = pango_attr_list_new ();

      pango_attr_list_insert (attrs, pango_attr_weight_new (PANGO_WEIGHT_BOLD));
      pango_layout_set_attributes (layout, attrs);
      pango_attr_list_unref (attrs);
    }
  return layout;
}

static void
draw_text (GtkSnapshot   *snapshot,
           PangoLayout   *layout,
           float          x,
           float          y,
           const GdkRGBA *color)
{
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (x, y));
  gtk_snapshot_append_layout (snapshot, layout, color);
  gtk_snapshot_restore (snapshot);
}

static void
yatai_bar_chart_snapshot (GtkWidget   *widget,
                          GtkSnapshot *snapshot)
{
  YataiBarChart *self = YATAI_BAR_CHART (widget);
  float width = gtk_widget_get_width (widget), height = gtk_widget_get_height (widget);
  gint64 max = max_value (self);
  guint n = self->bars->len;
  GdkRGBA fg, bar_color, on_bar = { 1, 1, 1, 1 };

  if (n == 0)
    return;
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &fg);
  accent (widget, &bar_color);

  if (self->orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      float label_width = 0, row = (height - PADDING * 2) / n, bar_height = MAX (row - BAR_GAP, 4);

      for (guint i = 0; i < n; i++)
        {
          g_autoptr(PangoLayout) layout = make_layout (self, g_array_index (self->bars, Bar, i).label, FALSE);
          int w;

          pango_layout_get_pixel_size (layout, &w, NULL);
          label_width = MAX (label_width, w);
        }
      label_width = MIN (label_width + PADDING * 2, width / 3);

      for (guint i = 0; i < n; i++)
        {
          Bar *bar = &g_array_index (self->bars, Bar, i);
          float y = PADDING + i * row;
          float space = width - label_width - PADDING;
          float length = max > 0 ? space * bar->value / max : 0;
          g_autoptr(PangoLayout) label = make_layout (self, bar->label, FALSE);
          g_autoptr(PangoLayout) value = make_layout (self, bar->value_text, TRUE);
          int lw, lh, vw, vh;

          pango_layout_set_width (label, (int) ((label_width - PADDING) * PANGO_SCALE));
          pango_layout_set_ellipsize (label, PANGO_ELLIPSIZE_END);
          pango_layout_get_pixel_size (label, &lw, &lh);
          pango_layout_get_pixel_size (value, &vw, &vh);
          draw_text (snapshot, label, 0, y + (bar_height - lh) / 2, &fg);
          gtk_snapshot_append_color (snapshot, &bar_color,
                                     &GRAPHENE_RECT_INIT (label_width, y, MAX (length, 2), bar_height));
          /* The value inside the bar when it fits, after it otherwise. */
          if (vw + PADDING * 2 <= length)
            draw_text (snapshot, value, label_width + length - vw - PADDING, y + (bar_height - vh) / 2, &on_bar);
          else
            draw_text (snapshot, value, label_width + length + PADDING, y + (bar_height - vh) / 2, &fg);
        }
    }
  else
    {
      float column = (width - PADDING * 2) / n, bar_width = MAX (column - BAR_GAP, 2);
      int label_height = 0, value_height = 0;

      {
        g_autoptr(PangoLayout) probe = make_layout (self, "0", TRUE);

        pango_layout_get_pixel_size (probe, NULL, &label_height);
        value_height = label_height;
      }
      for (guint i = 0; i < n; i++)
        {
          Bar *bar = &g_array_index (self->bars, Bar, i);
          float x = PADDING + i * column;
          float space = height - label_height - value_height - PADDING * 2;
          float length = max > 0 ? space * bar->value / max : 0;
          g_autoptr(PangoLayout) label = make_layout (self, bar->label, FALSE);
          g_autoptr(PangoLayout) value = make_layout (self, bar->value_text, TRUE);
          int lw, vw;

          pango_layout_get_pixel_size (label, &lw, NULL);
          pango_layout_get_pixel_size (value, &vw, NULL);
          gtk_snapshot_append_color (snapshot, &bar_color,
                                     &GRAPHENE_RECT_INIT (x, height - label_height - PADDING - length, bar_width, length));
          draw_text (snapshot, label, x + (bar_width - lw) / 2, height - label_height, &fg);
          if (bar->value > 0)
            draw_text (snapshot, value, x + (bar_width - vw) / 2,
                       height - label_height - PADDING - length - value_height, &fg);
        }
    }
}

static void
yatai_bar_chart_measure (GtkWidget      *widget,
                         GtkOrientation  orientation,
                         int             for_size,
                         int            *minimum,
                         int            *natural,
                         int            *minimum_baseline,
                         int            *natural_baseline)
{
  YataiBarChart *self = YATAI_BAR_CHART (widget);

  if (orientation == GTK_ORIENTATION_VERTICAL && self->orientation == GTK_ORIENTATION_HORIZONTAL)
    *minimum = *natural = MAX (self->bars->len, 1) * 32 + 2 * PADDING;
  else if (orientation == GTK_ORIENTATION_VERTICAL)
    *minimum = *natural = 220;
  else
    *minimum = *natural = 240;
}

static void
yatai_bar_chart_dispose (GObject *object)
{
  g_signal_handlers_disconnect_by_data (adw_style_manager_get_default (), object);
  G_OBJECT_CLASS (yatai_bar_chart_parent_class)->dispose (object);
}

static void
yatai_bar_chart_finalize (GObject *object)
{
  g_array_unref (YATAI_BAR_CHART (object)->bars);
  G_OBJECT_CLASS (yatai_bar_chart_parent_class)->finalize (object);
}

static void
yatai_bar_chart_class_init (YataiBarChartClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = yatai_bar_chart_dispose;
  object_class->finalize = yatai_bar_chart_finalize;
  widget_class->snapshot = yatai_bar_chart_snapshot;
  widget_class->measure = yatai_bar_chart_measure;
  gtk_widget_class_set_css_name (widget_class, "yatai-bar-chart");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
yatai_bar_chart_init (YataiBarChart *self)
{
  self->bars = g_array_new (FALSE, TRUE, sizeof (Bar));
  g_array_set_clear_func (self->bars, bar_clear);
  g_signal_connect_swapped (adw_style_manager_get_default (), "notify::dark",
                            G_CALLBACK (gtk_widget_queue_draw), self);
}

GtkWidget *
yatai_bar_chart_new (GtkOrientation orientation)
{
  YataiBarChart *self = g_object_new (YATAI_TYPE_BAR_CHART, NULL);

  self->orientation = orientation;
  return GTK_WIDGET (self);
}

void
yatai_bar_chart_clear (YataiBarChart *self)
{
  g_return_if_fail (YATAI_IS_BAR_CHART (self));
  g_array_set_size (self->bars, 0);
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

void
yatai_bar_chart_add (YataiBarChart *self,
                     const char    *label,
                     gint64         value,
                     const char    *value_text)
{
  Bar bar = { g_strdup (label), value, g_strdup (value_text) };

  g_return_if_fail (YATAI_IS_BAR_CHART (self));
  g_array_append_val (self->bars, bar);
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

guint
yatai_bar_chart_get_n_bars (YataiBarChart *self)
{
  g_return_val_if_fail (YATAI_IS_BAR_CHART (self), 0);
  return self->bars->len;
}
