/* yatai-cart-row.c: one line of the cart, following its item's properties */
#define G_LOG_DOMAIN "yatai-cart-row"

#include "config.h"

#include <glib/gi18n.h>

#include "yatai-a11y.h"
#include "yatai-cart-row.h"
#include "yatai-text.h"

struct _YataiCartRow
{
  GtkBox         parent_instance;

  YataiCartItem *item;

  GtkLabel      *name_label;
  GtkLabel      *unit_label;
  GtkLabel      *quantity_label;
  GtkLabel      *line_total_label;
  GtkWidget     *decrease_button;
  GtkWidget     *increase_button;
  GtkWidget     *remove_button;
};

G_DEFINE_FINAL_TYPE (YataiCartRow, yatai_cart_row, GTK_TYPE_BOX)

static void
update (YataiCartRow *self)
{
  g_autofree char *unit = NULL;
  g_autofree char *quantity = NULL;
  g_autofree char *total = NULL;
  g_autofree char *line = NULL;
  const char *name;

  if (self->item == NULL)
    return;

  name = yatai_cart_item_get_name (self->item);
  gtk_label_set_label (self->name_label, name);
  if (yatai_cart_item_get_available (self->item))
    {
      unit = yatai_text_format_yen (yatai_cart_item_get_unit_price (self->item));
      gtk_widget_remove_css_class (GTK_WIDGET (self), "unavailable");
    }
  else
    {
      unit = g_strdup (_("No longer on sale: remove it"));
      gtk_widget_add_css_class (GTK_WIDGET (self), "unavailable");
    }
  gtk_label_set_label (self->unit_label, unit);
  quantity = yatai_text_format_number (yatai_cart_item_get_quantity (self->item));
  gtk_label_set_label (self->quantity_label, quantity);
  total = yatai_text_format_yen (yatai_cart_item_get_line_total (self->item));
  gtk_label_set_label (self->line_total_label, total);
  gtk_widget_set_sensitive (self->increase_button,
                            yatai_cart_item_get_available (self->item) &&
                            yatai_cart_item_get_quantity (self->item) < yatai_cart_item_get_left (self->item));
  /* TRANSLATORS: a line of the order, for screen readers: "焼きそば ×2, ¥1,000" */
  line = g_strdup_printf (_("%s ×%s, %s"), name, quantity, total);
  yatai_a11y_label_cell (GTK_WIDGET (self), line, unit);
}

static void
yatai_cart_row_dispose (GObject *object)
{
  yatai_cart_row_bind (YATAI_CART_ROW (object), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (object), YATAI_TYPE_CART_ROW);
  G_OBJECT_CLASS (yatai_cart_row_parent_class)->dispose (object);
}

static void
yatai_cart_row_class_init (YataiCartRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = yatai_cart_row_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/yatai/Yatai/yatai-cart-row.ui");
  gtk_widget_class_bind_template_child (widget_class, YataiCartRow, name_label);
  gtk_widget_class_bind_template_child (widget_class, YataiCartRow, unit_label);
  gtk_widget_class_bind_template_child (widget_class, YataiCartRow, quantity_label);
  gtk_widget_class_bind_template_child (widget_class, YataiCartRow, line_total_label);
  gtk_widget_class_bind_template_child (widget_class, YataiCartRow, decrease_button);
  gtk_widget_class_bind_template_child (widget_class, YataiCartRow, increase_button);
  gtk_widget_class_bind_template_child (widget_class, YataiCartRow, remove_button);
}

static void
yatai_cart_row_init (YataiCartRow *self)
{
  GVariant *none = g_variant_ref_sink (g_variant_new_int64 (0));

  gtk_widget_init_template (GTK_WIDGET (self));
  /* The buttons' target (the product id) is set at bind; the actions need a target of its type first. */
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (self->decrease_button), none);
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (self->increase_button), none);
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (self->remove_button), none);
  g_variant_unref (none);
}

GtkWidget *
yatai_cart_row_new (void)
{
  return g_object_new (YATAI_TYPE_CART_ROW, NULL);
}

void
yatai_cart_row_bind (YataiCartRow  *self,
                     YataiCartItem *item)
{
  g_return_if_fail (YATAI_IS_CART_ROW (self));

  if (self->item != NULL)
    g_signal_handlers_disconnect_by_data (self->item, self);
  g_set_object (&self->item, item);
  if (item == NULL)
    return;

  {
    GVariant *target = g_variant_ref_sink (g_variant_new_int64 (yatai_cart_item_get_product_id (item)));
    const char *name = yatai_cart_item_get_name (item);
    g_autofree char *less = g_strdup_printf (_("One less “%s”"), name);
    g_autofree char *more = g_strdup_printf (_("One more “%s”"), name);
    g_autofree char *remove = g_strdup_printf (_("Remove “%s” from the order"), name);

    gtk_actionable_set_action_target_value (GTK_ACTIONABLE (self->decrease_button), target);
    gtk_actionable_set_action_target_value (GTK_ACTIONABLE (self->increase_button), target);
    gtk_actionable_set_action_target_value (GTK_ACTIONABLE (self->remove_button), target);
    gtk_accessible_update_property (GTK_ACCESSIBLE (self->decrease_button), GTK_ACCESSIBLE_PROPERTY_LABEL, less, -1);
    gtk_accessible_update_property (GTK_ACCESSIBLE (self->increase_button), GTK_ACCESSIBLE_PROPERTY_LABEL, more, -1);
    gtk_accessible_update_property (GTK_ACCESSIBLE (self->remove_button), GTK_ACCESSIBLE_PROPERTY_LABEL, remove, -1);
    g_variant_unref (target);
  }
  g_signal_connect_swapped (item, "notify", G_CALLBACK (update), self);
  update (self);
}
