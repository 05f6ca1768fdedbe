/* yatai-product-tile.c: one product of the Reception grid
 *
 * A button, so that a screen reader finds one element named "焼きそば, ¥500, 80 left" that it can press
 * (AT-SPI's "click"), rather than a box of three labels. The focus stays on the grid's cell (named the
 * same): the grid moves it with the arrow keys and activates the cell with Enter, and a click on the
 * button activates the same cell, so the Reception page has one way in.
 */
#define G_LOG_DOMAIN "yatai-product-tile"

#include "config.h"

#include <glib/gi18n.h>

#include "yatai-a11y.h"
#include "yatai-product-thumb.h"
#include "yatai-product-tile.h"
#include "yatai-text.h"

struct _YataiProductTile
{
  GtkButton          parent_instance;

  YataiProduct      *product;
  YataiCart         *cart;

  YataiProductThumb *thumb;
  GtkLabel          *name_label;
  GtkLabel          *price_label;
  GtkLabel          *left_label;
};

G_DEFINE_FINAL_TYPE (YataiProductTile, yatai_product_tile, GTK_TYPE_BUTTON)

static void
yatai_product_tile_dispose (GObject *object)
{
  YataiProductTile *self = YATAI_PRODUCT_TILE (object);

  g_clear_object (&self->product);
  g_clear_object (&self->cart);
  gtk_widget_dispose_template (GTK_WIDGET (self), YATAI_TYPE_PRODUCT_TILE);
  G_OBJECT_CLASS (yatai_product_tile_parent_class)->dispose (object);
}

static void
yatai_product_tile_class_init (YataiProductTileClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = yatai_product_tile_dispose;

  g_type_ensure (YATAI_TYPE_PRODUCT_THUMB);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/yatai/Yatai/yatai-product-tile.ui");
  gtk_widget_class_bind_template_child (widget_class, YataiProductTile, thumb);
  gtk_widget_class_bind_template_child (widget_class, YataiProductTile, name_label);
  gtk_widget_class_bind_template_child (widget_class, YataiProductTile, price_label);
  gtk_widget_class_bind_template_child (widget_class, YataiProductTile, left_label);
}

static void
yatai_product_tile_init (YataiProductTile *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_widget_set_focusable (GTK_WIDGET (self), FALSE);
}

GtkWidget *
yatai_product_tile_new (void)
{
  return g_object_new (YATAI_TYPE_PRODUCT_TILE, NULL);
}

/* Shows @product (NULL to unbind). */
void
yatai_product_tile_bind (YataiProductTile *self,
                         YataiProduct     *product,
                         YataiCart        *cart)
{
  g_return_if_fail (YATAI_IS_PRODUCT_TILE (self));

  g_set_object (&self->product, product);
  g_set_object (&self->cart, cart);
  yatai_product_thumb_set_product (self->thumb, product);
  if (product == NULL)
    return;

  gtk_label_set_label (self->name_label, yatai_product_get_name (product));
  {
    g_autofree char *price = yatai_text_format_yen (yatai_product_get_price (product));

    gtk_label_set_label (self->price_label, price);
  }
  yatai_product_tile_update (self);
}

/* Follows the stock and the cart; returns whether the product can be added now. */
gboolean
yatai_product_tile_update (YataiProductTile *self)
{
  g_autofree char *left = NULL;
  g_autofree char *number = NULL;
  g_autofree char *name = NULL;
  g_autofree char *description = NULL;
  gboolean can_add;

  g_return_val_if_fail (YATAI_IS_PRODUCT_TILE (self), FALSE);
  if (self->product == NULL || self->cart == NULL)
    return FALSE;

  can_add = yatai_cart_can_add (self->cart, self->product) > 0;
  if (yatai_product_get_sold_out (self->product) || yatai_product_get_stock (self->product) == 0)
    left = g_strdup (_("Sold out"));
  else
    {
      gint64 remaining = yatai_product_get_stock (self->product) -
                         yatai_cart_get_quantity (self->cart, yatai_product_get_id (self->product));

      number = yatai_text_format_number (remaining);
      /* TRANSLATORS: how many of a product are left, on its tile: "残り 12" */
      left = g_strdup_printf (_("%s left"), number);
    }
  gtk_label_set_label (self->left_label, left);

  if (can_add)
    gtk_widget_remove_css_class (GTK_WIDGET (self), "unavailable");
  else
    gtk_widget_add_css_class (GTK_WIDGET (self), "unavailable");
  gtk_widget_set_sensitive (GTK_WIDGET (self), can_add);

  name = g_strdup_printf ("%s, %s, %s", yatai_product_get_name (self->product),
                          gtk_label_get_label (self->price_label), left);
  description = can_add ? g_strdup (_("Adds one to the order"))
                        : g_strdup (_("Nothing more of it can be added"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, name,
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description, -1);
  yatai_a11y_label_cell (GTK_WIDGET (self), name, description);
  return can_add;
}

YataiProduct *
yatai_product_tile_get_product (YataiProductTile *self)
{
  g_return_val_if_fail (YATAI_IS_PRODUCT_TILE (self), NULL);
  return self->product;
}
