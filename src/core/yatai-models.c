/* yatai-models.c: live list models of the menu
 *
 * YataiProductList keeps products in id order. On "changed" it reads again only the products the
 * change names and emits the smallest items-changed it can: one position for an edit, an insertion at
 * the end for a new product (ids only grow), a removal for a delete. A reset reloads everything.
 * The stock summary (in stock, low, out) is kept in properties, so the Register page binds to it.
 */
#define G_LOG_DOMAIN "yatai-models"

#include "config.h"

#include "yatai-models.h"
#include "yatai-store-products.h"

struct _YataiProductList
{
  GObject     parent_instance;
  YataiStore *store;
  GPtrArray  *items;
  guint       n_in_stock;
  guint       n_low;
  guint       n_out;
  gulong      changed_id;
};

static void yatai_product_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (YataiProductList, yatai_product_list, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, yatai_product_list_model_init))

enum {
  PROP_0,
  PROP_N_ITEMS,
  PROP_N_IN_STOCK,
  PROP_N_LOW,
  PROP_N_OUT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static GType
product_list_get_item_type (GListModel *model)
{
  return YATAI_TYPE_PRODUCT;
}

static guint
product_list_get_n_items (GListModel *model)
{
  return YATAI_PRODUCT_LIST (model)->items->len;
}

static gpointer
product_list_get_item (GListModel *model,
                       guint       position)
{
  YataiProductList *self = YATAI_PRODUCT_LIST (model);

  if (position >= self->items->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->items, position));
}

static void
yatai_product_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = product_list_get_item_type;
  iface->get_n_items = product_list_get_n_items;
  iface->get_item = product_list_get_item;
}

static void
update_counts (YataiProductList *self)
{
  guint counts[3] = { 0, 0, 0 };
  guint old[3] = { self->n_in_stock, self->n_low, self->n_out };

  for (guint i = 0; i < self->items->len; i++)
    counts[yatai_product_get_stock_status (g_ptr_array_index (self->items, i))]++;

  self->n_in_stock = counts[YATAI_STOCK_STATUS_IN_STOCK];
  self->n_low = counts[YATAI_STOCK_STATUS_LOW];
  self->n_out = counts[YATAI_STOCK_STATUS_OUT];

  if (old[0] != self->n_in_stock)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_IN_STOCK]);
  if (old[1] != self->n_low)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_LOW]);
  if (old[2] != self->n_out)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_OUT]);
}

/* Binary search by id; returns whether found and where it is or would go. */
static gboolean
find_position (YataiProductList *self,
               gint64            id,
               guint            *position)
{
  guint low = 0, high = self->items->len;

  while (low < high)
    {
      guint mid = low + (high - low) / 2;
      gint64 mid_id = yatai_product_get_id (g_ptr_array_index (self->items, mid));

      if (mid_id == id)
        {
          *position = mid;
          return TRUE;
        }
      if (mid_id < id)
        low = mid + 1;
      else
        high = mid;
    }
  *position = low;
  return FALSE;
}

static void
reload (YataiProductList *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) fresh = yatai_store_list_products (self->store, &error);
  guint removed = self->items->len;

  if (fresh == NULL)
    {
      g_warning ("Products could not be read: %s", error->message);
      return;
    }

  g_ptr_array_unref (self->items);
  self->items = g_steal_pointer (&fresh);
  g_list_model_items_changed (G_LIST_MODEL (self), 0, removed, self->items->len);
  if (removed != self->items->len)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
  update_counts (self);
}

static void
refresh_product (YataiProductList *self,
                 gint64            id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(YataiProduct) product = yatai_store_get_product (self->store, id, &error);
  guint position;
  gboolean present = find_position (self, id, &position);

  if (error != NULL)
    {
      g_warning ("Product %" G_GINT64_FORMAT " could not be read: %s", id, error->message);
      return;
    }

  if (present && product != NULL)
    {
      YataiProduct *old = g_ptr_array_index (self->items, position);

      g_ptr_array_index (self->items, position) = g_object_ref (product);
      g_object_unref (old);
      g_list_model_items_changed (G_LIST_MODEL (self), position, 1, 1);
    }
  else if (present)
    {
      g_ptr_array_remove_index (self->items, position);
      g_list_model_items_changed (G_LIST_MODEL (self), position, 1, 0);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
    }
  else if (product != NULL)
    {
      g_ptr_array_insert (self->items, position, g_object_ref (product));
      g_list_model_items_changed (G_LIST_MODEL (self), position, 0, 1);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
    }
}

static void
store_changed_cb (YataiProductList *self,
                  YataiChanges     *changes)
{
  if (changes->flags == YATAI_CHANGE_ALL)
    {
      reload (self);
      return;
    }

  if (changes->product_ids->len == 0)
    return;

  for (guint i = 0; i < changes->product_ids->len; i++)
    refresh_product (self, g_array_index (changes->product_ids, gint64, i));
  update_counts (self);
}

static void
yatai_product_list_dispose (GObject *object)
{
  YataiProductList *self = (YataiProductList *) object;

  if (self->store != NULL)
    g_clear_signal_handler (&self->changed_id, self->store);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (yatai_product_list_parent_class)->dispose (object);
}

static void
yatai_product_list_finalize (GObject *object)
{
  g_ptr_array_unref (YATAI_PRODUCT_LIST (object)->items);
  G_OBJECT_CLASS (yatai_product_list_parent_class)->finalize (object);
}

static void
yatai_product_list_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  YataiProductList *self = YATAI_PRODUCT_LIST (object);

  switch (prop_id)
    {
    case PROP_N_ITEMS:
      g_value_set_uint (value, self->items->len);
      break;
    case PROP_N_IN_STOCK:
      g_value_set_uint (value, self->n_in_stock);
      break;
    case PROP_N_LOW:
      g_value_set_uint (value, self->n_low);
      break;
    case PROP_N_OUT:
      g_value_set_uint (value, self->n_out);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
yatai_product_list_class_init (YataiProductListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = yatai_product_list_dispose;
  object_class->finalize = yatai_product_list_finalize;
  object_class->get_property = yatai_product_list_get_property;

  properties[PROP_N_ITEMS] = g_param_spec_uint ("n-items", NULL, NULL, 0, G_MAXUINT, 0,
                                                G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_IN_STOCK] = g_param_spec_uint ("n-in-stock", NULL, NULL, 0, G_MAXUINT, 0,
                                                   G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_LOW] = g_param_spec_uint ("n-low", NULL, NULL, 0, G_MAXUINT, 0,
                                              G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_OUT] = g_param_spec_uint ("n-out", NULL, NULL, 0, G_MAXUINT, 0,
                                              G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
yatai_product_list_init (YataiProductList *self)
{
  self->items = g_ptr_array_new_with_free_func (g_object_unref);
}

YataiProductList *
yatai_product_list_new (YataiStore *store)
{
  YataiProductList *self;

  g_return_val_if_fail (YATAI_IS_STORE (store), NULL);

  self = g_object_new (YATAI_TYPE_PRODUCT_LIST, NULL);
  self->store = g_object_ref (store);
  self->changed_id = g_signal_connect_swapped (store, "changed", G_CALLBACK (store_changed_cb), self);
  reload (self);
  return self;
}

YataiStore *
yatai_product_list_get_store (YataiProductList *self)
{
  g_return_val_if_fail (YATAI_IS_PRODUCT_LIST (self), NULL);
  return self->store;
}

YataiProduct *
yatai_product_list_find (YataiProductList *self,
                         gint64            id)
{
  guint position;

  g_return_val_if_fail (YATAI_IS_PRODUCT_LIST (self), NULL);
  if (!find_position (self, id, &position))
    return NULL;
  return g_ptr_array_index (self->items, position);
}

guint
yatai_product_list_get_n_in_stock (YataiProductList *self)
{
  g_return_val_if_fail (YATAI_IS_PRODUCT_LIST (self), 0);
  return self->n_in_stock;
}

guint
yatai_product_list_get_n_low (YataiProductList *self)
{
  g_return_val_if_fail (YATAI_IS_PRODUCT_LIST (self), 0);
  return self->n_low;
}

guint
yatai_product_list_get_n_out (YataiProductList *self)
{
  g_return_val_if_fail (YATAI_IS_PRODUCT_LIST (self), 0);
  return self->n_out;
}

/* Tags: few (at most 1,000) and small, so a change to tags reads them all again and the model says
 * exactly which range differs. */

struct _YataiTagList
{
  GObject     parent_instance;
  YataiStore *store;
  GPtrArray  *items;
  gulong      changed_id;
};

static void yatai_tag_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (YataiTagList, yatai_tag_list, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, yatai_tag_list_model_init))

static GType
tag_list_get_item_type (GListModel *model)
{
  return YATAI_TYPE_TAG;
}

static guint
tag_list_get_n_items (GListModel *model)
{
  return YATAI_TAG_LIST (model)->items->len;
}

static gpointer
tag_list_get_item (GListModel *model,
                   guint       position)
{
  YataiTagList *self = YATAI_TAG_LIST (model);

  if (position >= self->items->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->items, position));
}

static void
yatai_tag_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = tag_list_get_item_type;
  iface->get_n_items = tag_list_get_n_items;
  iface->get_item = tag_list_get_item;
}

static gboolean
same_tag (YataiTag *a,
          YataiTag *b)
{
  return yatai_tag_get_id (a) == yatai_tag_get_id (b) &&
         yatai_tag_get_n_products (a) == yatai_tag_get_n_products (b) &&
         g_str_equal (yatai_tag_get_name (a), yatai_tag_get_name (b));
}

static void
tag_list_reload (YataiTagList *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) fresh = yatai_store_list_tags (self->store, &error);
  g_autoptr(GPtrArray) old = NULL;
  guint prefix = 0, suffix = 0;

  if (fresh == NULL)
    {
      g_warning ("Tags could not be read: %s", error->message);
      return;
    }

  old = g_steal_pointer (&self->items);
  self->items = g_steal_pointer (&fresh);

  while (prefix < old->len && prefix < self->items->len &&
         same_tag (g_ptr_array_index (old, prefix), g_ptr_array_index (self->items, prefix)))
    prefix++;
  while (suffix < old->len - prefix && suffix < self->items->len - prefix &&
         same_tag (g_ptr_array_index (old, old->len - 1 - suffix),
                   g_ptr_array_index (self->items, self->items->len - 1 - suffix)))
    suffix++;

  if (prefix + suffix < MAX (old->len, self->items->len))
    g_list_model_items_changed (G_LIST_MODEL (self), prefix,
                                old->len - prefix - suffix,
                                self->items->len - prefix - suffix);
}

static void
tag_store_changed_cb (YataiTagList *self,
                      YataiChanges *changes)
{
  if (changes->flags & YATAI_CHANGE_TAGS)
    tag_list_reload (self);
}

static void
yatai_tag_list_dispose (GObject *object)
{
  YataiTagList *self = (YataiTagList *) object;

  if (self->store != NULL)
    g_clear_signal_handler (&self->changed_id, self->store);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (yatai_tag_list_parent_class)->dispose (object);
}

static void
yatai_tag_list_finalize (GObject *object)
{
  g_ptr_array_unref (YATAI_TAG_LIST (object)->items);
  G_OBJECT_CLASS (yatai_tag_list_parent_class)->finalize (object);
}

static void
yatai_tag_list_class_init (YataiTagListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = yatai_tag_list_dispose;
  object_class->finalize = yatai_tag_list_finalize;
}

static void
yatai_tag_list_init (YataiTagList *self)
{
  self->items = g_ptr_array_new_with_free_func (g_object_unref);
}

YataiTagList *
yatai_tag_list_new (YataiStore *store)
{
  YataiTagList *self;

  g_return_val_if_fail (YATAI_IS_STORE (store), NULL);

  self = g_object_new (YATAI_TYPE_TAG_LIST, NULL);
  self->store = g_object_ref (store);
  self->changed_id = g_signal_connect_swapped (store, "changed", G_CALLBACK (tag_store_changed_cb), self);
  tag_list_reload (self);
  return self;
}
