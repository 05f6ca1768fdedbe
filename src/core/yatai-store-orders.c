/* yatai-store-orders.c: taking orders and moving them through the kitchen
 *
 * "order.confirm" is the counter's one transaction: every product still there with the stock, the stock
 * taken, the lines' names and prices copied, the total from the current prices, the next call number of
 * the business day. Stock is taken with a guarded UPDATE (stock >= quantity), so two devices or two
 * windows confirming at once can never sell below zero: the store's write lock orders them and the
 * second one sees what the first left.
 */
#define G_LOG_DOMAIN "yatai-store-orders"

#include "config.h"

#include <glib/gi18n.h>

#include "yatai-product.h"
#include "yatai-refusal.h"
#include "yatai-store-orders.h"
#include "yatai-store-private.h"
#include "yatai-text.h"

#define ORDER_COLUMNS "o.id, o.call_number, o.business_day, o.customer, o.note, o.total, o.paid, " \
                      "o.status, o.created, o.updated"

/* Checks */

static char *
check_length (const char  *text,
              guint        max,
              GError     **error)
{
  g_autofree char *clean = NULL;
  guint n;

  if (text == NULL)
    return g_strdup ("");
  if (!g_utf8_validate (text, -1, NULL))
    {
      g_set_error_literal (error, YATAI_STORE_ERROR, YATAI_STORE_ERROR_INVALID,
                           _("The text is not valid. Type it again."));
      return NULL;
    }
  clean = yatai_text_clean (text);
  if (!yatai_text_check_hidden (clean, error))
    return NULL;
  n = yatai_text_count_chars (clean);
  if (n > max)
    {
      g_set_error (error, YATAI_STORE_ERROR, YATAI_STORE_ERROR_INVALID,
                   g_dngettext (GETTEXT_PACKAGE, "At most %u characters (now %u).",
                                "At most %u characters (now %u).", max),
                   max, n);
      return NULL;
    }
  return g_steal_pointer (&clean);
}

char *
yatai_order_check_customer (const char  *text,
                            GError     **error)
{
  return check_length (text, YATAI_CUSTOMER_MAX, error);
}

char *
yatai_order_check_note (const char  *text,
                        GError     **error)
{
  return check_length (text, YATAI_NOTE_MAX, error);
}

JsonObject *
yatai_order_confirm_args (const YataiCartLine *lines,
                          guint                n_lines,
                          const char          *customer,
                          const char          *note,
                          gint64               paid,
                          gboolean             pay_later,
                          int                  day_start_hour)
{
  JsonObject *args = json_object_new ();
  JsonArray *array = json_array_new ();

  for (guint i = 0; i < n_lines; i++)
    {
      JsonObject *line = json_object_new ();

      json_object_set_int_member (line, "product_id", lines[i].product_id);
      json_object_set_int_member (line, "quantity", lines[i].quantity);
      json_array_add_object_element (array, line);
    }
  json_object_set_array_member (args, "lines", array);
  json_object_set_string_member (args, "customer", customer != NULL ? customer : "");
  json_object_set_string_member (args, "note", note != NULL ? note : "");
  json_object_set_int_member (args, "paid", paid);
  json_object_set_boolean_member (args, "pay_later", pay_later);
  json_object_set_int_member (args, "day_start_hour", day_start_hour);
  return args;
}

/* Reads */

static YataiOrder *
order_from_row (sqlite3_stmt *stmt)
{
  YataiOrderStatus status = YATAI_ORDER_PENDING;

  yatai_order_status_from_string ((const char *) sqlite3_column_text (stmt, 7), &status);
  return yatai_order_new (sqlite3_column_int64 (stmt, 0),
                          sqlite3_column_int64 (stmt, 1),
                          (const char *) sqlite3_column_text (stmt, 2),
                          (const char *) sqlite3_column_text (stmt, 3),
                          (const char *) sqlite3_column_text (stmt, 4),
                          sqlite3_column_int64 (stmt, 5),
                          sqlite3_column_int64 (stmt, 6),
                          status,
                          sqlite3_column_int64 (stmt, 8),
                          sqlite3_column_int64 (stmt, 9));
}

static gboolean
read_lines (YataiStore  *self,
            YataiOrder  *order,
            GError     **error)
{
  sqlite3_stmt *stmt;
  int rc;

  stmt = yatai_store_prepare (self,
                              "SELECT line_no, product_id, name, unit_price, quantity, done "
                              "FROM order_lines WHERE order_id = ? ORDER BY line_no",
                              error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, yatai_order_get_id (order));
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      YataiOrderLine line = {
        .line_no = sqlite3_column_int (stmt, 0),
        .product_id = sqlite3_column_int64 (stmt, 1),
        .name = (char *) sqlite3_column_text (stmt, 2),
        .unit_price = sqlite3_column_int64 (stmt, 3),
        .quantity = sqlite3_column_int64 (stmt, 4),
        .done = sqlite3_column_int (stmt, 5),
      };

      yatai_order_add_line (order, &line);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      yatai_store_set_sqlite_error (self, rc, error);
      return FALSE;
    }
  return TRUE;
}

YataiOrder *
yatai_store_get_order (YataiStore  *self,
                       gint64       id,
                       GError     **error)
{
  g_autoptr(YataiOrder) order = NULL;
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (YATAI_IS_STORE (self), NULL);

  stmt = yatai_store_prepare (self, "SELECT " ORDER_COLUMNS " FROM orders o WHERE o.id = ?", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    order = order_from_row (stmt);
  else if (rc != SQLITE_DONE)
    yatai_store_set_sqlite_error (self, rc, error);
  sqlite3_reset (stmt);

  if (order != NULL && !read_lines (self, order, error))
    return NULL;
  return g_steal_pointer (&order);
}

/**
 * yatai_store_list_orders:
 * @param: the limit for %YATAI_ORDER_QUERY_LATEST, the moment (µs) for %YATAI_ORDER_QUERY_COMPLETED
 *
 * Returns: (transfer container) (element-type YataiOrder): the orders, with their lines
 */
GPtrArray *
yatai_store_list_orders (YataiStore       *self,
                         YataiOrderQuery   query,
                         gint64            param,
                         GError          **error)
{
  g_autoptr(GPtrArray) orders = g_ptr_array_new_with_free_func (g_object_unref);
  const char *sql = NULL;
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (YATAI_IS_STORE (self), NULL);

  switch (query)
    {
    case YATAI_ORDER_QUERY_ACTIVE:
      sql = "SELECT " ORDER_COLUMNS " FROM orders o WHERE o.status IN ('pending', 'processing') "
            "ORDER BY o.created, o.id";
      break;
    case YATAI_ORDER_QUERY_LATEST:
      sql = "SELECT " ORDER_COLUMNS " FROM orders o ORDER BY o.id DESC LIMIT ?1";
      break;
    case YATAI_ORDER_QUERY_COMPLETED:
      sql = "SELECT " ORDER_COLUMNS " FROM orders o WHERE o.status = 'completed' AND o.updated >= ?1 "
            "ORDER BY o.updated DESC, o.id DESC";
      break;
    default:
      g_return_val_if_reached (NULL);
    }

  stmt = yatai_store_prepare (self, sql, error);
  if (stmt == NULL)
    return NULL;
  if (query != YATAI_ORDER_QUERY_ACTIVE)
    sqlite3_bind_int64 (stmt, 1, param);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (orders, order_from_row (stmt));
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      yatai_store_set_sqlite_error (self, rc, error);
      return NULL;
    }

  for (guint i = 0; i < orders->len; i++)
    if (!read_lines (self, orders->pdata[i], error))
      return NULL;
  return g_steal_pointer (&orders);
}

/* Whether @order belongs in a list made by @query: what a live list checks for a changed order. */
gboolean
yatai_order_query_matches (YataiOrderQuery  query,
                           gint64           param,
                           YataiOrder      *order)
{
  switch (query)
    {
    case YATAI_ORDER_QUERY_ACTIVE:
      return yatai_order_is_active (order);
    case YATAI_ORDER_QUERY_LATEST:
      return TRUE;
    case YATAI_ORDER_QUERY_COMPLETED:
      return yatai_order_get_status (order) == YATAI_ORDER_COMPLETED && yatai_order_get_updated (order) >= param;
    default:
      g_return_val_if_reached (FALSE);
    }
}

#define CMP(a, b) (((a) > (b)) - ((a) < (b)))

/* The order of a list made by @query, as its SQL sorts. */
int
yatai_order_query_compare (YataiOrderQuery  query,
                           YataiOrder      *a,
                           YataiOrder      *b)
{
  switch (query)
    {
    case YATAI_ORDER_QUERY_ACTIVE:
      if (yatai_order_get_created (a) != yatai_order_get_created (b))
        return CMP (yatai_order_get_created (a), yatai_order_get_created (b));
      return CMP (yatai_order_get_id (a), yatai_order_get_id (b));
    case YATAI_ORDER_QUERY_LATEST:
      return CMP (yatai_order_get_id (b), yatai_order_get_id (a));
    case YATAI_ORDER_QUERY_COMPLETED:
      if (yatai_order_get_updated (a) != yatai_order_get_updated (b))
        return CMP (yatai_order_get_updated (b), yatai_order_get_updated (a));
      return CMP (yatai_order_get_id (b), yatai_order_get_id (a));
    default:
      g_return_val_if_reached (0);
    }
}

static void
still_to_make_clear (gpointer data)
{
  g_free (((YataiStillToMake *) data)->name);
}

/**
 * yatai_store_list_still_to_make:
 *
 * Returns: (transfer full) (element-type YataiStillToMake): the counts, most first, then by name
 */
GArray *
yatai_store_list_still_to_make (YataiStore  *self,
                                GError     **error)
{
  g_autoptr(GArray) rows = g_array_new (FALSE, TRUE, sizeof (YataiStillToMake));
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (YATAI_IS_STORE (self), NULL);
  g_array_set_clear_func (rows, still_to_make_clear);

  stmt = yatai_store_prepare (self,
                              "SELECT l.name, SUM(l.quantity) AS n FROM order_lines l JOIN orders o ON o.id = l.order_id "
                              "WHERE o.status IN ('pending', 'processing') AND l.done = 0 "
                              "GROUP BY l.name ORDER BY n DESC, l.name",
                              error);
  if (stmt == NULL)
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      YataiStillToMake row = {
        .name = g_strdup ((const char *) sqlite3_column_text (stmt, 0)),
        .quantity = sqlite3_column_int64 (stmt, 1),
      };

      g_array_append_val (rows, row);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      yatai_store_set_sqlite_error (self, rc, error);
      return NULL;
    }
  return g_steal_pointer (&rows);
}

gint64
yatai_store_next_call_number (YataiStore  *self,
                              const char  *business_day,
                              gint64      *out_round,
                              GError     **error)
{
  sqlite3_stmt *stmt;
  gint64 next = 0;
  int rc;

  /* Numbers restart at 1 each business day, and again after each closing of it. The round is how
   * many closings of the day the store holds: closings come to every device through the log, in
   * order, so no clock is compared (an order taken on a device whose clock is behind the one that
   * closed the day is still after the closing). */
  /* MAX in a subquery of its own, so that SQLite reads the last entry of orders_day (business_day,
   * day_round, call_number) instead of every order of the day: as a join it went through them all, a
   * cost that grew with the day (5 ms a confirm at 20,000 orders; bench-confirm). */
  stmt = yatai_store_prepare (self,
                              "SELECT COALESCE ((SELECT MAX (o.call_number) FROM orders o "
                              "                  WHERE o.business_day = ?1 AND o.day_round = r.n), 0) + 1, r.n "
                              "FROM (SELECT count(*) AS n FROM day_closings WHERE business_day = ?1) r",
                              error);
  if (stmt == NULL)
    return 0;
  sqlite3_bind_text (stmt, 1, business_day, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      next = sqlite3_column_int64 (stmt, 0);
      if (out_round != NULL)
        *out_round = sqlite3_column_int64 (stmt, 1);
    }
  else
    yatai_store_set_sqlite_error (self, rc, error);
  sqlite3_reset (stmt);
  return next;
}

/* Operations */

static gboolean
record_status (YataiStore       *self,
               gint64            order_id,
               const char       *from,
               YataiOrderStatus  to,
               gint64            now,
               GError          **error)
{
  const char *device = yatai_store_acting_device (self);
  sqlite3_stmt *stmt;

  stmt = yatai_store_prepare (self,
                              "INSERT INTO status_changes (order_id, from_status, to_status, device, at) "
                              "VALUES (?, ?, ?, ?, ?)",
                              error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, order_id);
  if (from != NULL)
    sqlite3_bind_text (stmt, 2, from, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (stmt, 2);
  sqlite3_bind_text (stmt, 3, yatai_order_status_to_string (to), -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, device, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 5, now);
  return yatai_store_step_done (self, stmt, error);
}

typedef struct
{
  gint64  product_id;
  gint64  quantity;
  char   *name;
  gint64  price;
} ConfirmLine;

static void
confirm_line_clear (gpointer data)
{
  g_free (((ConfirmLine *) data)->name);
}

static gboolean
read_cart (JsonObject  *args,
           GArray      *lines,
           GError     **error)
{
  JsonNode *node = json_object_get_member (args, "lines");
  JsonArray *array;
  guint n;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    goto malformed;
  array = json_node_get_array (node);
  n = json_array_get_length (array);
  if (n == 0)
    {
      yatai_refusal_set_error (error, YATAI_REFUSAL_ORDER_EMPTY);
      return FALSE;
    }
  if (n > YATAI_LINES_MAX)
    {
      yatai_refusal_set_error (error, YATAI_REFUSAL_ORDER_TOO_MANY_LINES, (gint64) YATAI_LINES_MAX);
      return FALSE;
    }

  for (guint i = 0; i < n; i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      JsonObject *object;
      ConfirmLine line = { 0 };
      const char *name = NULL;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        goto malformed;
      object = json_node_get_object (element);
      if (!yatai_args_get_int (object, "product_id", TRUE, &line.product_id, error) ||
          !yatai_args_get_int (object, "quantity", TRUE, &line.quantity, error) ||
          !yatai_args_get_string (object, "name", FALSE, &name, error))
        return FALSE;
      /* The name the cashier saw is only said back in a refusal (the line copies the product's own):
       * one that is not clean text, from another device, is not said back at all. A product named so
       * by an older version still sells. */
      if (name != NULL && (!g_utf8_validate (name, -1, NULL) || !yatai_text_check_hidden (name, NULL)))
        name = NULL;
      if (line.quantity < 1 || line.quantity > YATAI_QUANTITY_MAX)
        {
          yatai_refusal_set_error (error, YATAI_REFUSAL_QUANTITY_RANGE, (gint64) YATAI_QUANTITY_MAX);
          return FALSE;
        }
      for (guint j = 0; j < lines->len; j++)
        if (g_array_index (lines, ConfirmLine, j).product_id == line.product_id)
          goto malformed;
      line.name = g_strdup (name);
      g_array_append_val (lines, line);
    }
  return TRUE;

malformed:
  yatai_refusal_set_error (error, YATAI_REFUSAL_ARGUMENT, "lines");
  return FALSE;
}

/* Looks each product up as it is now: the name and price to copy, and whether the stock is there. */
static gboolean
price_cart (YataiStore  *self,
            GArray      *lines,
            gint64      *out_total,
            GError     **error)
{
  gint64 total = 0;

  for (guint i = 0; i < lines->len; i++)
    {
      ConfirmLine *line = &g_array_index (lines, ConfirmLine, i);
      sqlite3_stmt *stmt;
      gint64 stock = 0;
      gboolean sold_out = FALSE, found = FALSE;
      int rc;

      stmt = yatai_store_prepare (self, "SELECT name, price, stock, sold_out FROM products WHERE id = ?", error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, line->product_id);
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        {
          found = TRUE;
          g_free (line->name);
          line->name = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
          line->price = sqlite3_column_int64 (stmt, 1);
          stock = sqlite3_column_int64 (stmt, 2);
          sold_out = sqlite3_column_int (stmt, 3);
        }
      sqlite3_reset (stmt);
      if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        {
          yatai_store_set_sqlite_error (self, rc, error);
          return FALSE;
        }

      if (!found)
        {
          if (line->name != NULL)
            yatai_refusal_set_error (error, YATAI_REFUSAL_PRODUCT_OFF_MENU, line->name);
          else
            yatai_refusal_set_error (error, YATAI_REFUSAL_LINE_OFF_MENU);
          return FALSE;
        }
      if (sold_out || stock == 0)
        {
          yatai_refusal_set_error (error, YATAI_REFUSAL_SOLD_OUT, line->name);
          return FALSE;
        }
      if (stock < line->quantity)
        {
          yatai_refusal_set_error (error, YATAI_REFUSAL_NOT_ENOUGH_STOCK, (gint64) stock, line->name);
          return FALSE;
        }
      total += line->price * line->quantity;
    }
  *out_total = total;
  return TRUE;
}

static gboolean
op_order_confirm (YataiStore  *self,
                  JsonObject  *args,
                  JsonObject  *result,
                  GError     **error)
{
  g_autoptr(GArray) lines = g_array_new (FALSE, TRUE, sizeof (ConfirmLine));
  g_autofree char *customer = NULL;
  g_autofree char *note = NULL;
  g_autofree char *business_day = NULL;
  const char *raw_customer = NULL, *raw_note = NULL;
  gint64 paid = 0, total = 0, day_start = YATAI_DAY_START_DEFAULT, call_number, order_id, day_round = 0;
  gboolean pay_later = FALSE;
  gint64 now = yatai_store_now (self);
  sqlite3_stmt *stmt;

  g_array_set_clear_func (lines, confirm_line_clear);

  if (!read_cart (args, lines, error) ||
      !yatai_args_get_string (args, "customer", FALSE, &raw_customer, error) ||
      !yatai_args_get_string (args, "note", FALSE, &raw_note, error) ||
      !yatai_args_get_int (args, "paid", FALSE, &paid, error) ||
      !yatai_args_get_bool (args, "pay_later", &pay_later, error) ||
      !yatai_args_get_int (args, "day_start_hour", FALSE, &day_start, error))
    return FALSE;

  if ((customer = yatai_order_check_customer (raw_customer, error)) == NULL ||
      (note = yatai_order_check_note (raw_note, error)) == NULL)
    return FALSE;
  if (paid < 0 || paid > YATAI_PAID_MAX)
    {
      yatai_refusal_set_error (error, YATAI_REFUSAL_PAID_RANGE);
      return FALSE;
    }
  if (day_start < 0 || day_start > 23)
    {
      yatai_refusal_set_error (error, YATAI_REFUSAL_DAY_START_RANGE);
      return FALSE;
    }

  if (!price_cart (self, lines, &total, error))
    return FALSE;
  if (!pay_later && paid < total)
    {
      yatai_refusal_set_error (error, YATAI_REFUSAL_PAID_TOO_LITTLE, (gint64) paid, (gint64) total);
      return FALSE;
    }

  business_day = yatai_business_day (now, day_start);
  call_number = yatai_store_next_call_number (self, business_day, &day_round, error);
  if (call_number == 0)
    return FALSE;

  stmt = yatai_store_prepare (self,
                              "INSERT INTO orders (call_number, business_day, customer, note, total, paid, status, "
                              "created, updated, day_round) VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?)",
                              error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, call_number);
  sqlite3_bind_text (stmt, 2, business_day, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, customer, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, note, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 5, total);
  sqlite3_bind_int64 (stmt, 6, paid);
  sqlite3_bind_int64 (stmt, 7, now);
  sqlite3_bind_int64 (stmt, 8, now);
  sqlite3_bind_int64 (stmt, 9, day_round);
  if (!yatai_store_step_done (self, stmt, error))
    return FALSE;
  order_id = sqlite3_last_insert_rowid (yatai_store_get_db (self));

  for (guint i = 0; i < lines->len; i++)
    {
      ConfirmLine *line = &g_array_index (lines, ConfirmLine, i);

      stmt = yatai_store_prepare (self,
                                  "UPDATE products SET stock = stock - ?1, updated = ?2 "
                                  "WHERE id = ?3 AND stock >= ?1 AND sold_out = 0",
                                  error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, line->quantity);
      sqlite3_bind_int64 (stmt, 2, now);
      sqlite3_bind_int64 (stmt, 3, line->product_id);
      if (!yatai_store_step_done (self, stmt, error))
        return FALSE;
      g_assert (sqlite3_changes (yatai_store_get_db (self)) == 1);  /* checked above, in this transaction */

      stmt = yatai_store_prepare (self,
                                  "INSERT INTO order_lines (order_id, line_no, product_id, name, unit_price, quantity) "
                                  "VALUES (?, ?, ?, ?, ?, ?)",
                                  error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, order_id);
      sqlite3_bind_int (stmt, 2, i + 1);
      sqlite3_bind_int64 (stmt, 3, line->product_id);
      sqlite3_bind_text (stmt, 4, line->name, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 5, line->price);
      sqlite3_bind_int64 (stmt, 6, line->quantity);
      if (!yatai_store_step_done (self, stmt, error))
        return FALSE;
      yatai_store_note_product (self, line->product_id);
    }

  if (!record_status (self, order_id, NULL, YATAI_ORDER_PENDING, now, error))
    return FALSE;

  yatai_store_note_order (self, order_id);
  json_object_set_int_member (result, "id", order_id);
  json_object_set_int_member (result, "call_number", call_number);
  json_object_set_string_member (result, "business_day", business_day);
  json_object_set_int_member (result, "total", total);
  json_object_set_int_member (result, "paid", paid);
  json_object_set_int_member (result, "change", MAX (paid - total, 0));
  return TRUE;
}

/* Reads the status and last change of an order for an operation on it. */
static gboolean
current_status (YataiStore        *self,
                gint64             id,
                YataiOrderStatus  *status,
                gint64            *updated,
                GError           **error)
{
  sqlite3_stmt *stmt;
  gboolean found = FALSE;
  int rc;

  stmt = yatai_store_prepare (self, "SELECT status, updated FROM orders WHERE id = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      found = yatai_order_status_from_string ((const char *) sqlite3_column_text (stmt, 0), status);
      *updated = sqlite3_column_int64 (stmt, 1);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      yatai_store_set_sqlite_error (self, rc, error);
      return FALSE;
    }
  if (!found)
    {
      yatai_refusal_set_error (error, YATAI_REFUSAL_ORDER_GONE);
      return FALSE;
    }
  return TRUE;
}

static gboolean
set_status (YataiStore        *self,
            gint64             id,
            YataiOrderStatus   from,
            YataiOrderStatus   to,
            gint64             now,
            GError           **error)
{
  sqlite3_stmt *stmt;

  stmt = yatai_store_prepare (self, "UPDATE orders SET status = ?, updated = ? WHERE id = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, yatai_order_status_to_string (to), -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, now);
  sqlite3_bind_int64 (stmt, 3, id);
  if (!yatai_store_step_done (self, stmt, error) ||
      !record_status (self, id, yatai_order_status_to_string (from), to, now, error))
    return FALSE;
  yatai_store_note_order (self, id);
  return TRUE;
}

static gboolean
op_order_status (YataiStore  *self,
                 JsonObject  *args,
                 JsonObject  *result,
                 GError     **error)
{
  const char *text = NULL;
  YataiOrderStatus from, to;
  gint64 id = 0, updated = 0;
  gint64 now = yatai_store_now (self);
  gboolean allowed;

  if (!yatai_args_get_int (args, "id", TRUE, &id, error) ||
      !yatai_args_get_string (args, "status", TRUE, &text, error))
    return FALSE;
  if (!yatai_order_status_from_string (text, &to) || to == YATAI_ORDER_CANCELLED)
    {
      yatai_refusal_set_error (error, YATAI_REFUSAL_ARGUMENT, "status");
      return FALSE;
    }
  if (!current_status (self, id, &from, &updated, error))
    return FALSE;

  json_object_set_int_member (result, "id", id);
  if (from == to)
    return TRUE;  /* a second tap on another device already did it */

  if (from == YATAI_ORDER_CANCELLED)
    {
      yatai_refusal_set_error (error, YATAI_REFUSAL_ORDER_WAS_CANCELLED);
      return FALSE;
    }

  /* On: pending → processing → completed (or straight to completed). Back: one step. */
  allowed = (from == YATAI_ORDER_PENDING && (to == YATAI_ORDER_PROCESSING || to == YATAI_ORDER_COMPLETED)) ||
            (from == YATAI_ORDER_PROCESSING && (to == YATAI_ORDER_COMPLETED || to == YATAI_ORDER_PENDING)) ||
            (from == YATAI_ORDER_COMPLETED && to == YATAI_ORDER_PROCESSING);
  if (!allowed)
    {
      yatai_refusal_set_error (error, YATAI_REFUSAL_STATUS_MOVE,
                               yatai_order_status_to_string (from), yatai_order_status_to_string (to));
      return FALSE;
    }
  if (from == YATAI_ORDER_COMPLETED && now - updated > (gint64) YATAI_RECALL_SECONDS * G_USEC_PER_SEC)
    {
      yatai_refusal_set_error (error, YATAI_REFUSAL_RECALL_TOO_LATE);
      return FALSE;
    }
  return set_status (self, id, from, to, now, error);
}

static gboolean
op_order_cancel (YataiStore  *self,
                 JsonObject  *args,
                 JsonObject  *result,
                 GError     **error)
{
  YataiOrderStatus from;
  gint64 id = 0, updated = 0;
  gint64 now = yatai_store_now (self);
  sqlite3_stmt *stmt;
  int rc;

  if (!yatai_args_get_int (args, "id", TRUE, &id, error) ||
      !current_status (self, id, &from, &updated, error))
    return FALSE;
  if (from == YATAI_ORDER_CANCELLED)
    {
      yatai_refusal_set_error (error, YATAI_REFUSAL_ALREADY_CANCELLED);
      return FALSE;
    }

  /* The stock goes back to the products that still exist, once: a cancelled order cannot be cancelled again. */
  stmt = yatai_store_prepare (self,
                              "SELECT product_id, quantity FROM order_lines WHERE order_id = ? AND product_id IS NOT NULL",
                              error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  {
    g_autoptr(GArray) back = g_array_new (FALSE, FALSE, sizeof (gint64));

    while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
      {
        gint64 pair[2] = { sqlite3_column_int64 (stmt, 0), sqlite3_column_int64 (stmt, 1) };

        g_array_append_vals (back, pair, 2);
      }
    sqlite3_reset (stmt);
    if (rc != SQLITE_DONE)
      {
        yatai_store_set_sqlite_error (self, rc, error);
        return FALSE;
      }
    for (guint i = 0; i < back->len; i += 2)
      {
        stmt = yatai_store_prepare (self,
                                    "UPDATE products SET stock = MIN(stock + ?, 1000000000), updated = ? WHERE id = ?",
                                    error);
        if (stmt == NULL)
          return FALSE;
        sqlite3_bind_int64 (stmt, 1, g_array_index (back, gint64, i + 1));
        sqlite3_bind_int64 (stmt, 2, now);
        sqlite3_bind_int64 (stmt, 3, g_array_index (back, gint64, i));
        if (!yatai_store_step_done (self, stmt, error))
          return FALSE;
        yatai_store_note_product (self, g_array_index (back, gint64, i));
      }
  }

  json_object_set_int_member (result, "id", id);
  return set_status (self, id, from, YATAI_ORDER_CANCELLED, now, error);
}

static gboolean
op_order_edit (YataiStore  *self,
               JsonObject  *args,
               JsonObject  *result,
               GError     **error)
{
  g_autofree char *customer = NULL;
  g_autofree char *note = NULL;
  const char *raw_customer = NULL, *raw_note = NULL;
  gint64 id = 0;
  sqlite3_stmt *stmt;

  if (!yatai_args_get_int (args, "id", TRUE, &id, error) ||
      !yatai_args_get_string (args, "customer", TRUE, &raw_customer, error) ||
      !yatai_args_get_string (args, "note", TRUE, &raw_note, error))
    return FALSE;
  if ((customer = yatai_order_check_customer (raw_customer, error)) == NULL ||
      (note = yatai_order_check_note (raw_note, error)) == NULL)
    return FALSE;

  stmt = yatai_store_prepare (self, "UPDATE orders SET customer = ?, note = ?, updated = ? WHERE id = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, customer, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, note, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 3, yatai_store_now (self));
  sqlite3_bind_int64 (stmt, 4, id);
  if (!yatai_store_step_done (self, stmt, error))
    return FALSE;
  if (sqlite3_changes (yatai_store_get_db (self)) == 0)
    {
      yatai_refusal_set_error (error, YATAI_REFUSAL_ORDER_GONE);
      return FALSE;
    }
  yatai_store_note_order (self, id);
  json_object_set_int_member (result, "id", id);
  return TRUE;
}

static gboolean
op_order_line_done (YataiStore  *self,
                    JsonObject  *args,
                    JsonObject  *result,
                    GError     **error)
{
  gint64 id = 0, line_no = 0;
  gboolean done = TRUE;
  sqlite3_stmt *stmt;

  if (!yatai_args_get_int (args, "id", TRUE, &id, error) ||
      !yatai_args_get_int (args, "line_no", TRUE, &line_no, error) ||
      !yatai_args_get_bool (args, "done", &done, error))
    return FALSE;

  stmt = yatai_store_prepare (self, "UPDATE order_lines SET done = ? WHERE order_id = ? AND line_no = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int (stmt, 1, done);
  sqlite3_bind_int64 (stmt, 2, id);
  sqlite3_bind_int64 (stmt, 3, line_no);
  if (!yatai_store_step_done (self, stmt, error))
    return FALSE;
  if (sqlite3_changes (yatai_store_get_db (self)) == 0)
    {
      yatai_refusal_set_error (error, YATAI_REFUSAL_ORDER_GONE);
      return FALSE;
    }
  yatai_store_note_order (self, id);
  json_object_set_int_member (result, "id", id);
  return TRUE;
}

static gboolean
op_order_delete (YataiStore  *self,
                 JsonObject  *args,
                 JsonObject  *result,
                 GError     **error)
{
  gint64 id = 0;
  sqlite3_stmt *stmt;

  if (!yatai_args_get_int (args, "id", TRUE, &id, error))
    return FALSE;
  stmt = yatai_store_prepare (self, "DELETE FROM orders WHERE id = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  if (!yatai_store_step_done (self, stmt, error))
    return FALSE;
  if (sqlite3_changes (yatai_store_get_db (self)) == 0)
    {
      yatai_refusal_set_error (error, YATAI_REFUSAL_ORDER_ALREADY_DELETED);
      return FALSE;
    }
  yatai_store_note_order (self, id);
  json_object_set_int_member (result, "id", id);
  return TRUE;
}

const YataiOp yatai_order_ops[] = {
  { "order.confirm", op_order_confirm },
  { "order.status", op_order_status },
  { "order.cancel", op_order_cancel },
  { "order.edit", op_order_edit },
  { "order.line-done", op_order_line_done },
  { "order.delete", op_order_delete },
  { NULL, NULL },
};
