/* yatai-order-list.c: a live list of orders
 *
 * The list is read once with the query's SQL; after that, each change the store announces names the
 * orders it touched, and only those are read again and moved, inserted or dropped where the query's
 * order puts them. A change the store cannot describe (a restore from the bucket) reads it all again.
 */
#define G_LOG_DOMAIN "yatai-order-list"

#include "config.h"

#include "yatai-order-list.h"

struct _YataiOrderList
{
  GObject          parent_instance;

  YataiStore      *store;
  YataiOrderQuery  query;
  gint64           param;
  GPtrArray       *items;
};

static void yatai_order_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (YataiOrderList, yatai_order_list, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, yatai_order_list_model_init))

enum {
  PROP_0,
  PROP_N_ITEMS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static GType
get_item_type (GListModel *model)
{
  return YATAI_TYPE_ORDER;
}

static guint
get_n_items (GListModel *model)
{
  return YATAI_ORDER_LIST (model)->items->len;
}

static gpointer
get_item (GListModel *model,
          guint       position)
{
  YataiOrderList *self = YATAI_ORDER_LIST (model);

  if (position >= self->items->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->items, position));
}

static void
yatai_order_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = get_item_type;
  iface->get_n_items = get_n_items;
  iface->get_item = get_item;
}

static void
reload (YataiOrderList *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) fresh = yatai_store_list_orders (self->store, self->query, self->param, &error);
  guint removed = self->items->len;

  if (fresh == NULL)
    {
      g_warning ("Orders could not be read: %s", error->message);
      return;
    }
  g_ptr_array_unref (self->items);
  self->items = g_steal_pointer (&fresh);
  g_list_model_items_changed (G_LIST_MODEL (self), 0, removed, self->items->len);
  if (removed != self->items->len)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
}

static gint
find_index (YataiOrderList *self,
            gint64          id)
{
  for (guint i = 0; i < self->items->len; i++)
    if (yatai_order_get_id (g_ptr_array_index (self->items, i)) == id)
      return i;
  return -1;
}

static guint
insertion_point (YataiOrderList *self,
                 YataiOrder     *order)
{
  guint low = 0, high = self->items->len;

  while (low < high)
    {
      guint mid = low + (high - low) / 2;

      if (yatai_order_query_compare (self->query, g_ptr_array_index (self->items, mid), order) < 0)
        low = mid + 1;
      else
        high = mid;
    }
  return low;
}

/* Returns FALSE when the list must be read again (a "latest" list lost an order it cannot refill). */
static gboolean
refresh_order (YataiOrderList *self,
               gint64          id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(YataiOrder) order = yatai_store_get_order (self->store, id, &error);
  gint index = find_index (self, id);
  gboolean wanted;

  if (error != NULL)
    {
      g_warning ("Order %" G_GINT64_FORMAT " could not be read: %s", id, error->message);
      return TRUE;
    }
  wanted = order != NULL && yatai_order_query_matches (self->query, self->param, order);

  if (index >= 0)
    {
      YataiOrder *old = g_ptr_array_index (self->items, index);

      if (wanted && yatai_order_query_compare (self->query, old, order) == 0)
        {
          /* Same place: swap the value in. */
          g_ptr_array_index (self->items, index) = g_object_ref (order);
          g_object_unref (old);
          g_list_model_items_changed (G_LIST_MODEL (self), index, 1, 1);
          return TRUE;
        }
      g_ptr_array_remove_index (self->items, index);
      g_list_model_items_changed (G_LIST_MODEL (self), index, 1, 0);
      if (!wanted && self->query == YATAI_ORDER_QUERY_LATEST)
        return FALSE;
    }

  if (wanted)
    {
      guint position = insertion_point (self, order);

      if (self->query == YATAI_ORDER_QUERY_LATEST && position >= (guint) self->param)
        return TRUE;
      g_ptr_array_insert (self->items, position, g_object_ref (order));
      g_list_model_items_changed (G_LIST_MODEL (self), position, 0, 1);
      if (self->query == YATAI_ORDER_QUERY_LATEST && self->items->len > (guint) self->param)
        {
          guint last = self->items->len - 1;

          g_ptr_array_remove_index (self->items, last);
          g_list_model_items_changed (G_LIST_MODEL (self), last, 1, 0);
        }
    }
  return TRUE;
}

static void
store_changed_cb (YataiOrderList *self,
                  YataiChanges   *changes)
{
  guint before = self->items->len;

  if (changes->flags == YATAI_CHANGE_ALL)
    {
      reload (self);
      return;
    }
  for (guint i = 0; i < changes->order_ids->len; i++)
    if (!refresh_order (self, g_array_index (changes->order_ids, gint64, i)))
      {
        reload (self);
        return;
      }
  if (before != self->items->len)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
}

static void
yatai_order_list_dispose (GObject *object)
{
  YataiOrderList *self = YATAI_ORDER_LIST (object);

  if (self->store != NULL)
    g_signal_handlers_disconnect_by_data (self->store, self);
  g_clear_object (&self->store);
  G_OBJECT_CLASS (yatai_order_list_parent_class)->dispose (object);
}

static void
yatai_order_list_finalize (GObject *object)
{
  YataiOrderList *self = YATAI_ORDER_LIST (object);

  g_ptr_array_unref (self->items);
  G_OBJECT_CLASS (yatai_order_list_parent_class)->finalize (object);
}

static void
yatai_order_list_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  switch (prop_id)
    {
    case PROP_N_ITEMS:
      g_value_set_uint (value, YATAI_ORDER_LIST (object)->items->len);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
yatai_order_list_class_init (YataiOrderListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = yatai_order_list_dispose;
  object_class->finalize = yatai_order_list_finalize;
  object_class->get_property = yatai_order_list_get_property;

  properties[PROP_N_ITEMS] = g_param_spec_uint ("n-items", NULL, NULL, 0, G_MAXUINT, 0,
                                                G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
yatai_order_list_init (YataiOrderList *self)
{
  self->items = g_ptr_array_new_with_free_func (g_object_unref);
}

YataiOrderList *
yatai_order_list_new (YataiStore      *store,
                      YataiOrderQuery  query,
                      gint64           param)
{
  YataiOrderList *self;

  g_return_val_if_fail (YATAI_IS_STORE (store), NULL);

  self = g_object_new (YATAI_TYPE_ORDER_LIST, NULL);
  self->store = g_object_ref (store);
  self->query = query;
  self->param = param;
  g_signal_connect_swapped (store, "changed", G_CALLBACK (store_changed_cb), self);
  reload (self);
  return self;
}

/* A new limit or moment: read the list again. */
void
yatai_order_list_set_param (YataiOrderList *self,
                            gint64          param)
{
  g_return_if_fail (YATAI_IS_ORDER_LIST (self));
  if (self->param == param)
    return;
  self->param = param;
  reload (self);
}

/* Transfer none: the order with @id if the list holds it. */
YataiOrder *
yatai_order_list_find (YataiOrderList *self,
                       gint64          id)
{
  gint index;

  g_return_val_if_fail (YATAI_IS_ORDER_LIST (self), NULL);
  index = find_index (self, id);
  return index >= 0 ? g_ptr_array_index (self->items, index) : NULL;
}
