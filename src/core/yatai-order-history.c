/* yatai-order-history.c: all the orders, light enough for 100,000 of them
 *
 * The model keeps the matching ids (8 bytes an order) and reads an order only when a visible row asks
 * for it; the last few hundred read are cached. After a change, the id query runs again (an index scan,
 * a few milliseconds at 100,000 orders) and the old and new id lists are compared from both ends, so a
 * new order is one inserted row at the top and a status change is one changed row: the view keeps its
 * scroll position and its selection.
 */
#define G_LOG_DOMAIN "yatai-order-history"

#include "config.h"

#include "yatai-order-history.h"
#include "yatai-store-private.h"

#define CACHE_SIZE 512

struct _YataiOrderHistory
{
  GObject     parent_instance;

  YataiStore *store;
  GArray     *ids;          /* gint64, newest first */
  GHashTable *cache;        /* id → YataiOrder */
  GQueue      cache_order;  /* ids, oldest read first */
  char       *day;
  int         status;       /* -1 for any */
  char       *search;
  gboolean    paused;       /* nobody looks: changes only mark the list stale */
  gboolean    stale;
};

static void yatai_order_history_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (YataiOrderHistory, yatai_order_history, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, yatai_order_history_model_init))

static GType
get_item_type (GListModel *model)
{
  return YATAI_TYPE_ORDER;
}

static guint
get_n_items (GListModel *model)
{
  return YATAI_ORDER_HISTORY (model)->ids->len;
}

static void
cache_drop (YataiOrderHistory *self,
            gint64             id)
{
  g_hash_table_remove (self->cache, &id);
}

static gpointer
get_item (GListModel *model,
          guint       position)
{
  YataiOrderHistory *self = YATAI_ORDER_HISTORY (model);
  g_autoptr(GError) error = NULL;
  YataiOrder *order;
  gint64 id;

  if (position >= self->ids->len)
    return NULL;
  id = g_array_index (self->ids, gint64, position);
  order = g_hash_table_lookup (self->cache, &id);
  if (order != NULL)
    return g_object_ref (order);

  order = yatai_store_get_order (self->store, id, &error);
  if (order == NULL)
    {
      /* Deleted between the id query and now: a placeholder until the change arrives. */
      if (error != NULL)
        g_warning ("Order %" G_GINT64_FORMAT " could not be read: %s", id, error->message);
      return yatai_order_new (id, 0, "", "", "", 0, 0, YATAI_ORDER_CANCELLED, 0, 0);
    }

  g_hash_table_insert (self->cache, g_memdup2 (&id, sizeof id), g_object_ref (order));
  g_queue_push_tail (&self->cache_order, GSIZE_TO_POINTER ((gsize) id));
  while (g_queue_get_length (&self->cache_order) > CACHE_SIZE)
    {
      gint64 oldest = (gint64) GPOINTER_TO_SIZE (g_queue_pop_head (&self->cache_order));

      cache_drop (self, oldest);
    }
  return order;
}

static void
yatai_order_history_model_init (GListModelInterface *iface)
{
  iface->get_item_type = get_item_type;
  iface->get_n_items = get_n_items;
  iface->get_item = get_item;
}

static GArray *
query_ids (YataiOrderHistory *self)
{
  g_autoptr(GError) error = NULL;
  GArray *ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autofree char *like = NULL;
  gint64 number = 0;
  sqlite3_stmt *stmt;
  int rc;

  stmt = yatai_store_prepare (self->store,
                              "SELECT id FROM orders WHERE (?1 IS NULL OR business_day = ?1) "
                              "AND (?2 IS NULL OR status = ?2) "
                              "AND (?3 IS NULL OR call_number = ?4 OR customer LIKE ?3 ESCAPE '\\') "
                              "ORDER BY id DESC",
                              &error);
  if (stmt == NULL)
    {
      g_warning ("Orders could not be listed: %s", error->message);
      return ids;
    }
  if (self->day != NULL)
    sqlite3_bind_text (stmt, 1, self->day, -1, SQLITE_STATIC);
  if (self->status >= 0)
    sqlite3_bind_text (stmt, 2, yatai_order_status_to_string (self->status), -1, SQLITE_STATIC);
  if (self->search != NULL)
    {
      g_autoptr(GString) escaped = g_string_new ("%");

      for (const char *p = self->search; *p != '\0'; p++)
        {
          if (*p == '%' || *p == '_' || *p == '\\')
            g_string_append_c (escaped, '\\');
          g_string_append_c (escaped, *p);
        }
      g_string_append_c (escaped, '%');
      like = g_string_free (g_steal_pointer (&escaped), FALSE);
      number = g_ascii_strtoll (self->search, NULL, 10);
      sqlite3_bind_text (stmt, 3, like, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 4, number);
    }
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);

      g_array_append_val (ids, id);
    }
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
  if (rc != SQLITE_DONE)
    g_warning ("Orders could not be listed: %s", sqlite3_errstr (rc));
  return ids;
}

/* Swaps in @fresh, announcing only the range between the common head and the common tail. */
static void
replace_ids (YataiOrderHistory *self,
             GArray            *fresh)
{
  GArray *old = self->ids;
  guint head = 0, tail = 0;

  while (head < old->len && head < fresh->len &&
         g_array_index (old, gint64, head) == g_array_index (fresh, gint64, head))
    head++;
  while (tail < old->len - head && tail < fresh->len - head &&
         g_array_index (old, gint64, old->len - 1 - tail) == g_array_index (fresh, gint64, fresh->len - 1 - tail))
    tail++;

  self->ids = fresh;
  if (old->len - head - tail > 0 || fresh->len - head - tail > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), head, old->len - head - tail, fresh->len - head - tail);
  g_array_unref (old);
}

static gint
position_of (YataiOrderHistory *self,
             gint64             id)
{
  guint low = 0, high = self->ids->len;

  /* Newest first: ids go down. */
  while (low < high)
    {
      guint mid = low + (high - low) / 2;
      gint64 here = g_array_index (self->ids, gint64, mid);

      if (here == id)
        return mid;
      if (here > id)
        low = mid + 1;
      else
        high = mid;
    }
  return -1;
}

/* Reads every id again and announces the whole list as replaced. */
static void
reload (YataiOrderHistory *self)
{
  guint removed = self->ids->len;

  g_hash_table_remove_all (self->cache);
  g_queue_clear (&self->cache_order);
  g_array_unref (self->ids);
  self->ids = query_ids (self);
  g_list_model_items_changed (G_LIST_MODEL (self), 0, removed, self->ids->len);
}

static void
store_changed_cb (YataiOrderHistory *self,
                  YataiChanges      *changes)
{
  if (self->paused)
    {
      self->stale = TRUE;
      return;
    }
  if (changes->flags == YATAI_CHANGE_ALL)
    {
      reload (self);
      return;
    }
  if (changes->order_ids->len == 0)
    return;

  {
    g_autoptr(GArray) were_there = g_array_new (FALSE, FALSE, sizeof (gint64));

    for (guint i = 0; i < changes->order_ids->len; i++)
      {
        gint64 id = g_array_index (changes->order_ids, gint64, i);

        cache_drop (self, id);
        if (position_of (self, id) >= 0)
          g_array_append_val (were_there, id);
      }
    replace_ids (self, query_ids (self));

    /* Orders that were listed and still are changed in place (a status, a name). */
    for (guint i = 0; i < were_there->len; i++)
      {
        gint position = position_of (self, g_array_index (were_there, gint64, i));

        if (position >= 0)
          g_list_model_items_changed (G_LIST_MODEL (self), position, 1, 1);
      }
  }
}

static void
yatai_order_history_dispose (GObject *object)
{
  YataiOrderHistory *self = YATAI_ORDER_HISTORY (object);

  if (self->store != NULL)
    g_signal_handlers_disconnect_by_data (self->store, self);
  g_clear_object (&self->store);
  G_OBJECT_CLASS (yatai_order_history_parent_class)->dispose (object);
}

static void
yatai_order_history_finalize (GObject *object)
{
  YataiOrderHistory *self = YATAI_ORDER_HISTORY (object);

  g_array_unref (self->ids);
  g_hash_table_unref (self->cache);
  g_queue_clear (&self->cache_order);
  g_free (self->day);
  g_free (self->search);
  G_OBJECT_CLASS (yatai_order_history_parent_class)->finalize (object);
}

static void
yatai_order_history_class_init (YataiOrderHistoryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = yatai_order_history_dispose;
  object_class->finalize = yatai_order_history_finalize;
}

static void
yatai_order_history_init (YataiOrderHistory *self)
{
  self->ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->cache = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_object_unref);
  g_queue_init (&self->cache_order);
  self->status = -1;
}

YataiOrderHistory *
yatai_order_history_new (YataiStore *store)
{
  YataiOrderHistory *self;

  g_return_val_if_fail (YATAI_IS_STORE (store), NULL);

  self = g_object_new (YATAI_TYPE_ORDER_HISTORY, NULL);
  self->store = g_object_ref (store);
  g_array_unref (self->ids);
  self->ids = query_ids (self);
  g_signal_connect_swapped (store, "changed", G_CALLBACK (store_changed_cb), self);
  return self;
}

/**
 * yatai_order_history_set_filter:
 * @business_day: (nullable): "YYYY-MM-DD", or %NULL for every day
 * @status: a #YataiOrderStatus, or -1 for any
 * @search: (nullable): a call number, or part of a customer's name
 */
void
yatai_order_history_set_filter (YataiOrderHistory *self,
                                const char        *business_day,
                                int                status,
                                const char        *search)
{
  g_return_if_fail (YATAI_IS_ORDER_HISTORY (self));

  g_free (self->day);
  self->day = business_day != NULL && *business_day != '\0' ? g_strdup (business_day) : NULL;
  self->status = status;
  g_free (self->search);
  self->search = search != NULL && *search != '\0' ? g_strdup (search) : NULL;
  replace_ids (self, query_ids (self));
}

/* The business days that have orders, newest first. */
GStrv
yatai_store_list_business_days (YataiStore  *store,
                                GError     **error)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (YATAI_IS_STORE (store), NULL);

  stmt = yatai_store_prepare (store, "SELECT DISTINCT business_day FROM orders ORDER BY business_day DESC", error);
  if (stmt == NULL)
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_strv_builder_add (builder, (const char *) sqlite3_column_text (stmt, 0));
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      yatai_store_set_sqlite_error (store, rc, error);
      return NULL;
    }
  return g_strv_builder_end (builder);
}

/**
 * yatai_order_history_set_paused:
 * @paused: whether anybody looks at the list
 *
 * While paused (its page is hidden), a change in the store costs the list nothing but a flag; when it
 * is resumed after changes, it reads the ids again and announces the whole list as replaced.
 */
void
yatai_order_history_set_paused (YataiOrderHistory *self,
                                gboolean           paused)
{
  g_return_if_fail (YATAI_IS_ORDER_HISTORY (self));

  self->paused = paused;
  if (!paused && self->stale)
    {
      self->stale = FALSE;
      reload (self);
    }
}
