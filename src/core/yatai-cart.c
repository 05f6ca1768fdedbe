/* yatai-cart.c: the order being taken, before it is confirmed
 *
 * The cart never holds more of a product than is left (stock minus what the cart already holds is what a
 * tile may still add), never more than 20 different products, and follows the product list: a new
 * price shows at once, a product that runs out or disappears is marked, so the cashier sees the problem
 * before Confirm (and the store refuses it with the product's name if they confirm anyway).
 */
#define G_LOG_DOMAIN "yatai-cart"

#include "config.h"

#include <glib/gi18n.h>

#include "yatai-cart.h"
#include "yatai-text.h"

struct _YataiCartItem
{
  GObject   parent_instance;

  gint64    product_id;
  char     *name;
  gint64    unit_price;
  gint64    quantity;
  gint64    left;        /* the product's stock now */
  gboolean  available;   /* still on the menu and not sold out */
};

G_DEFINE_FINAL_TYPE (YataiCartItem, yatai_cart_item, G_TYPE_OBJECT)

enum {
  ITEM_PROP_0,
  ITEM_PROP_NAME,
  ITEM_PROP_UNIT_PRICE,
  ITEM_PROP_QUANTITY,
  ITEM_PROP_LINE_TOTAL,
  ITEM_PROP_AVAILABLE,
  ITEM_PROP_LEFT,
  ITEM_N_PROPS
};

static GParamSpec *item_properties[ITEM_N_PROPS];

static void
yatai_cart_item_finalize (GObject *object)
{
  g_free (YATAI_CART_ITEM (object)->name);
  G_OBJECT_CLASS (yatai_cart_item_parent_class)->finalize (object);
}

static void
yatai_cart_item_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  YataiCartItem *self = YATAI_CART_ITEM (object);

  switch (prop_id)
    {
    case ITEM_PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case ITEM_PROP_UNIT_PRICE:
      g_value_set_int64 (value, self->unit_price);
      break;
    case ITEM_PROP_QUANTITY:
      g_value_set_int64 (value, self->quantity);
      break;
    case ITEM_PROP_LINE_TOTAL:
      g_value_set_int64 (value, yatai_cart_item_get_line_total (self));
      break;
    case ITEM_PROP_AVAILABLE:
      g_value_set_boolean (value, self->available);
      break;
    case ITEM_PROP_LEFT:
      g_value_set_int64 (value, self->left);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
yatai_cart_item_class_init (YataiCartItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = yatai_cart_item_finalize;
  object_class->get_property = yatai_cart_item_get_property;

  item_properties[ITEM_PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL,
                                                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  item_properties[ITEM_PROP_UNIT_PRICE] = g_param_spec_int64 ("unit-price", NULL, NULL, 0, G_MAXINT64, 0,
                                                              G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  item_properties[ITEM_PROP_QUANTITY] = g_param_spec_int64 ("quantity", NULL, NULL, 0, G_MAXINT64, 0,
                                                            G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  item_properties[ITEM_PROP_LINE_TOTAL] = g_param_spec_int64 ("line-total", NULL, NULL, 0, G_MAXINT64, 0,
                                                              G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  item_properties[ITEM_PROP_AVAILABLE] = g_param_spec_boolean ("available", NULL, NULL, TRUE,
                                                               G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  item_properties[ITEM_PROP_LEFT] = g_param_spec_int64 ("left", NULL, NULL, 0, G_MAXINT64, 0,
                                                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, ITEM_N_PROPS, item_properties);
}

static void
yatai_cart_item_init (YataiCartItem *self)
{
  self->available = TRUE;
}

gint64 yatai_cart_item_get_product_id (YataiCartItem *self) { g_return_val_if_fail (YATAI_IS_CART_ITEM (self), 0); return self->product_id; }
const char *yatai_cart_item_get_name (YataiCartItem *self) { g_return_val_if_fail (YATAI_IS_CART_ITEM (self), NULL); return self->name; }
gint64 yatai_cart_item_get_unit_price (YataiCartItem *self) { g_return_val_if_fail (YATAI_IS_CART_ITEM (self), 0); return self->unit_price; }
gint64 yatai_cart_item_get_quantity (YataiCartItem *self) { g_return_val_if_fail (YATAI_IS_CART_ITEM (self), 0); return self->quantity; }
gint64 yatai_cart_item_get_left (YataiCartItem *self) { g_return_val_if_fail (YATAI_IS_CART_ITEM (self), 0); return self->left; }
gboolean yatai_cart_item_get_available (YataiCartItem *self) { g_return_val_if_fail (YATAI_IS_CART_ITEM (self), FALSE); return self->available; }

gint64
yatai_cart_item_get_line_total (YataiCartItem *self)
{
  g_return_val_if_fail (YATAI_IS_CART_ITEM (self), 0);
  return self->unit_price * self->quantity;
}

/* Takes what the product is now; returns whether anything a person sees changed. */
static gboolean
item_update (YataiCartItem *self,
             YataiProduct  *product)
{
  gboolean changed = FALSE;
  gboolean available = product != NULL && yatai_product_is_available (product);
  gint64 left = product != NULL ? yatai_product_get_stock (product) : 0;

  if (product != NULL && g_strcmp0 (self->name, yatai_product_get_name (product)) != 0)
    {
      g_free (self->name);
      self->name = g_strdup (yatai_product_get_name (product));
      g_object_notify_by_pspec (G_OBJECT (self), item_properties[ITEM_PROP_NAME]);
      changed = TRUE;
    }
  if (product != NULL && self->unit_price != yatai_product_get_price (product))
    {
      self->unit_price = yatai_product_get_price (product);
      g_object_notify_by_pspec (G_OBJECT (self), item_properties[ITEM_PROP_UNIT_PRICE]);
      g_object_notify_by_pspec (G_OBJECT (self), item_properties[ITEM_PROP_LINE_TOTAL]);
      changed = TRUE;
    }
  if (self->available != available)
    {
      self->available = available;
      g_object_notify_by_pspec (G_OBJECT (self), item_properties[ITEM_PROP_AVAILABLE]);
      changed = TRUE;
    }
  if (self->left != left)
    {
      self->left = left;
      g_object_notify_by_pspec (G_OBJECT (self), item_properties[ITEM_PROP_LEFT]);
      changed = TRUE;
    }
  return changed;
}

static void
item_set_quantity (YataiCartItem *self,
                   gint64         quantity)
{
  if (self->quantity == quantity)
    return;
  self->quantity = quantity;
  g_object_notify_by_pspec (G_OBJECT (self), item_properties[ITEM_PROP_QUANTITY]);
  g_object_notify_by_pspec (G_OBJECT (self), item_properties[ITEM_PROP_LINE_TOTAL]);
}

/* The cart */

struct _YataiCart
{
  GObject           parent_instance;

  YataiProductList *products;
  GPtrArray        *items;
  gint64            total;
  gint64            n_units;
};

static void yatai_cart_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (YataiCart, yatai_cart, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, yatai_cart_model_init))

enum {
  PROP_0,
  PROP_TOTAL,
  PROP_N_UNITS,
  PROP_N_ITEMS,
  PROP_READY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static GType
cart_get_item_type (GListModel *model)
{
  return YATAI_TYPE_CART_ITEM;
}

static guint
cart_get_n_items (GListModel *model)
{
  return YATAI_CART (model)->items->len;
}

static gpointer
cart_get_item (GListModel *model,
               guint       position)
{
  YataiCart *self = YATAI_CART (model);

  return position < self->items->len ? g_object_ref (self->items->pdata[position]) : NULL;
}

static void
yatai_cart_model_init (GListModelInterface *iface)
{
  iface->get_item_type = cart_get_item_type;
  iface->get_n_items = cart_get_n_items;
  iface->get_item = cart_get_item;
}

/* Totals and readiness, notified when they change. The products' "changed" also lands here, since
 * a tile's "can add" depends on the stock. */
static void
update_totals (YataiCart *self)
{
  gint64 total = 0, n_units = 0;
  gboolean was_ready = yatai_cart_is_ready (self);

  for (guint i = 0; i < self->items->len; i++)
    {
      YataiCartItem *item = self->items->pdata[i];

      total += yatai_cart_item_get_line_total (item);
      n_units += item->quantity;
    }
  if (total != self->total)
    {
      self->total = total;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TOTAL]);
    }
  if (n_units != self->n_units)
    {
      self->n_units = n_units;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_UNITS]);
    }
  if (was_ready != yatai_cart_is_ready (self))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_READY]);
}

static gint
find (YataiCart *self,
      gint64     product_id)
{
  for (guint i = 0; i < self->items->len; i++)
    if (YATAI_CART_ITEM (self->items->pdata[i])->product_id == product_id)
      return i;
  return -1;
}

static void
products_changed_cb (GListModel *products,
                     guint       position,
                     guint       removed,
                     guint       added,
                     YataiCart  *self)
{
  gboolean changed = FALSE;
  gboolean was_ready = yatai_cart_is_ready (self);

  for (guint i = 0; i < self->items->len; i++)
    {
      YataiCartItem *item = self->items->pdata[i];
      YataiProduct *product = yatai_product_list_find (self->products, item->product_id);

      if (item_update (item, product))
        {
          changed = TRUE;
          /* Never more than is left: the quantity follows a lower stock down (not below 1). */
          if (product != NULL && item->quantity > item->left && item->left > 0)
            item_set_quantity (item, item->left);
        }
    }
  if (changed)
    update_totals (self);
  if (was_ready != yatai_cart_is_ready (self))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_READY]);
}

static void
yatai_cart_dispose (GObject *object)
{
  YataiCart *self = YATAI_CART (object);

  if (self->products != NULL)
    g_signal_handlers_disconnect_by_data (self->products, self);
  g_clear_object (&self->products);
  G_OBJECT_CLASS (yatai_cart_parent_class)->dispose (object);
}

static void
yatai_cart_finalize (GObject *object)
{
  g_ptr_array_unref (YATAI_CART (object)->items);
  G_OBJECT_CLASS (yatai_cart_parent_class)->finalize (object);
}

static void
yatai_cart_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  YataiCart *self = YATAI_CART (object);

  switch (prop_id)
    {
    case PROP_TOTAL:
      g_value_set_int64 (value, self->total);
      break;
    case PROP_N_UNITS:
      g_value_set_int64 (value, self->n_units);
      break;
    case PROP_N_ITEMS:
      g_value_set_uint (value, self->items->len);
      break;
    case PROP_READY:
      g_value_set_boolean (value, yatai_cart_is_ready (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
yatai_cart_class_init (YataiCartClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = yatai_cart_dispose;
  object_class->finalize = yatai_cart_finalize;
  object_class->get_property = yatai_cart_get_property;

  properties[PROP_TOTAL] = g_param_spec_int64 ("total", NULL, NULL, 0, G_MAXINT64, 0,
                                               G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_UNITS] = g_param_spec_int64 ("n-units", NULL, NULL, 0, G_MAXINT64, 0,
                                                 G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_ITEMS] = g_param_spec_uint ("n-items", NULL, NULL, 0, G_MAXUINT, 0,
                                                G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_READY] = g_param_spec_boolean ("ready", NULL, NULL, FALSE,
                                                 G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
yatai_cart_init (YataiCart *self)
{
  self->items = g_ptr_array_new_with_free_func (g_object_unref);
}

YataiCart *
yatai_cart_new (YataiProductList *products)
{
  YataiCart *self;

  g_return_val_if_fail (YATAI_IS_PRODUCT_LIST (products), NULL);

  self = g_object_new (YATAI_TYPE_CART, NULL);
  self->products = g_object_ref (products);
  g_signal_connect (products, "items-changed", G_CALLBACK (products_changed_cb), self);
  return self;
}

/* How many more of @product the cart may take now: what is left minus what the cart holds, 0 when it
 * is sold out or the cart is full of other products. */
gint64
yatai_cart_can_add (YataiCart    *self,
                    YataiProduct *product)
{
  gint64 in_cart;

  g_return_val_if_fail (YATAI_IS_CART (self), 0);
  g_return_val_if_fail (YATAI_IS_PRODUCT (product), 0);

  if (!yatai_product_is_available (product))
    return 0;
  in_cart = yatai_cart_get_quantity (self, yatai_product_get_id (product));
  if (in_cart == 0 && self->items->len >= YATAI_LINES_MAX)
    return 0;
  return MAX (MIN (yatai_product_get_stock (product), YATAI_QUANTITY_MAX) - in_cart, 0);
}

gboolean
yatai_cart_add (YataiCart     *self,
                YataiProduct  *product,
                GError       **error)
{
  gint64 id;
  gint index;

  g_return_val_if_fail (YATAI_IS_CART (self), FALSE);
  g_return_val_if_fail (YATAI_IS_PRODUCT (product), FALSE);

  if (yatai_cart_can_add (self, product) == 0)
    {
      if (!yatai_product_is_available (product))
        g_set_error (error, YATAI_STORE_ERROR, YATAI_STORE_ERROR_OUT_OF_STOCK,
                     _("“%s” is sold out."), yatai_product_get_name (product));
      else if (yatai_cart_get_quantity (self, yatai_product_get_id (product)) == 0)
        g_set_error (error, YATAI_STORE_ERROR, YATAI_STORE_ERROR_LIMIT,
                     _("An order can hold at most %d different products."), YATAI_LINES_MAX);
      else
        g_set_error (error, YATAI_STORE_ERROR, YATAI_STORE_ERROR_OUT_OF_STOCK,
                     _("The order already has all that is left of “%s”."), yatai_product_get_name (product));
      return FALSE;
    }

  id = yatai_product_get_id (product);
  index = find (self, id);
  if (index >= 0)
    {
      YataiCartItem *item = self->items->pdata[index];

      item_set_quantity (item, item->quantity + 1);
    }
  else
    {
      YataiCartItem *item = g_object_new (YATAI_TYPE_CART_ITEM, NULL);

      item->product_id = id;
      item_update (item, product);
      item->quantity = 1;
      g_ptr_array_add (self->items, item);
      g_list_model_items_changed (G_LIST_MODEL (self), self->items->len - 1, 0, 1);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
    }
  update_totals (self);
  return TRUE;
}

/* A quantity of 0 removes the line; more than is left is refused with a sentence. */
gboolean
yatai_cart_set_quantity (YataiCart  *self,
                         gint64      product_id,
                         gint64      quantity,
                         GError    **error)
{
  YataiCartItem *item;
  gint index;

  g_return_val_if_fail (YATAI_IS_CART (self), FALSE);

  index = find (self, product_id);
  if (index < 0)
    return TRUE;
  item = self->items->pdata[index];
  if (quantity <= 0)
    {
      yatai_cart_remove (self, product_id);
      return TRUE;
    }
  if (quantity > item->quantity && quantity > MIN (item->left, YATAI_QUANTITY_MAX))
    {
      g_autofree char *left = yatai_text_format_number (item->left);

      g_set_error (error, YATAI_STORE_ERROR, YATAI_STORE_ERROR_OUT_OF_STOCK,
                   _("Only %s of “%s” left."), left, item->name);
      return FALSE;
    }
  item_set_quantity (item, quantity);
  update_totals (self);
  return TRUE;
}

void
yatai_cart_remove (YataiCart *self,
                   gint64     product_id)
{
  gint index;

  g_return_if_fail (YATAI_IS_CART (self));

  index = find (self, product_id);
  if (index < 0)
    return;
  g_ptr_array_remove_index (self->items, index);
  g_list_model_items_changed (G_LIST_MODEL (self), index, 1, 0);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
  update_totals (self);
}

void
yatai_cart_clear (YataiCart *self)
{
  guint n;

  g_return_if_fail (YATAI_IS_CART (self));

  n = self->items->len;
  if (n == 0)
    return;
  g_ptr_array_set_size (self->items, 0);
  g_list_model_items_changed (G_LIST_MODEL (self), 0, n, 0);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
  update_totals (self);
}

gint64
yatai_cart_get_total (YataiCart *self)
{
  g_return_val_if_fail (YATAI_IS_CART (self), 0);
  return self->total;
}

gint64
yatai_cart_get_n_units (YataiCart *self)
{
  g_return_val_if_fail (YATAI_IS_CART (self), 0);
  return self->n_units;
}

gint64
yatai_cart_get_quantity (YataiCart *self,
                         gint64     product_id)
{
  gint index;

  g_return_val_if_fail (YATAI_IS_CART (self), 0);
  index = find (self, product_id);
  return index >= 0 ? YATAI_CART_ITEM (self->items->pdata[index])->quantity : 0;
}

/* Something in it, and everything in it still on sale. */
gboolean
yatai_cart_is_ready (YataiCart *self)
{
  g_return_val_if_fail (YATAI_IS_CART (self), FALSE);
  if (self->items->len == 0)
    return FALSE;
  for (guint i = 0; i < self->items->len; i++)
    if (!YATAI_CART_ITEM (self->items->pdata[i])->available)
      return FALSE;
  return TRUE;
}

JsonObject *
yatai_cart_confirm_args (YataiCart  *self,
                         const char *customer,
                         const char *note,
                         gint64      paid,
                         gboolean    pay_later,
                         int         day_start_hour)
{
  g_autoptr(GArray) lines = g_array_new (FALSE, FALSE, sizeof (YataiCartLine));
  JsonObject *args;
  JsonArray *array;

  g_return_val_if_fail (YATAI_IS_CART (self), NULL);

  for (guint i = 0; i < self->items->len; i++)
    {
      YataiCartItem *item = self->items->pdata[i];
      YataiCartLine line = { item->product_id, item->quantity };

      g_array_append_val (lines, line);
    }
  args = yatai_order_confirm_args ((YataiCartLine *) lines->data, lines->len, customer, note, paid,
                                   pay_later, day_start_hour);
  /* The names the cashier saw, for a refusal that names a product deleted meanwhile. */
  array = json_object_get_array_member (args, "lines");
  for (guint i = 0; i < self->items->len; i++)
    json_object_set_string_member (json_array_get_object_element (array, i), "name",
                                   YATAI_CART_ITEM (self->items->pdata[i])->name);
  return args;
}

/* What a customer is likely to hand over for @total, besides the exact amount: the next round
 * amount above it of each note, ¥1,000, ¥5,000 and ¥10,000, each once (¥1,650: ¥2,000, ¥5,000,
 * ¥10,000; ¥4,200: ¥5,000, ¥10,000). Fills @amounts in rising order and returns how many. */
guint
yatai_cart_cash_amounts (gint64 total,
                         gint64 amounts[YATAI_CASH_AMOUNTS_MAX])
{
  static const gint64 notes[YATAI_CASH_AMOUNTS_MAX] = { 1000, 5000, 10000 };
  guint n = 0;

  g_return_val_if_fail (total >= 0, 0);

  for (guint i = 0; i < G_N_ELEMENTS (notes); i++)
    {
      gint64 above = (total / notes[i] + 1) * notes[i];

      if (n == 0 || amounts[n - 1] != above)
        amounts[n++] = above;
    }
  return n;
}
