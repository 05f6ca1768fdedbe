/* yatai-sales.c: a business day's figures, closing the day, importing the menu */
#define G_LOG_DOMAIN "yatai-sales"

#include "config.h"

#include <glib/gi18n.h>

#include "yatai-order.h"
#include "yatai-product.h"
#include "yatai-sales.h"
#include "yatai-store-private.h"
#include "yatai-store-products.h"

static void
product_sales_clear (gpointer data)
{
  g_free (((YataiProductSales *) data)->name);
}

void
yatai_day_summary_free (YataiDaySummary *summary)
{
  if (summary == NULL)
    return;
  g_free (summary->business_day);
  g_array_unref (summary->by_product);
  g_free (summary);
}

YataiDaySummary *
yatai_store_day_summary (YataiStore  *self,
                         const char  *business_day,
                         GError     **error)
{
  g_autoptr(YataiDaySummary) summary = g_new0 (YataiDaySummary, 1);
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (YATAI_IS_STORE (self), NULL);
  g_return_val_if_fail (business_day != NULL, NULL);

  summary->business_day = g_strdup (business_day);
  summary->by_product = g_array_new (FALSE, TRUE, sizeof (YataiProductSales));
  g_array_set_clear_func (summary->by_product, product_sales_clear);

  if (!yatai_store_exec (self, "BEGIN", error))
    return NULL;

  /* Orders by status and when they were taken. */
  stmt = yatai_store_prepare (self, "SELECT status, total, created FROM orders WHERE business_day = ?", error);
  if (stmt == NULL)
    goto failed;
  sqlite3_bind_text (stmt, 1, business_day, -1, SQLITE_STATIC);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      YataiOrderStatus status = YATAI_ORDER_PENDING;
      gint64 total = sqlite3_column_int64 (stmt, 1);

      yatai_order_status_from_string ((const char *) sqlite3_column_text (stmt, 0), &status);
      if (status == YATAI_ORDER_CANCELLED)
        {
          summary->n_cancelled++;
          summary->cancelled_amount += total;
          continue;
        }
      summary->n_orders++;
      summary->sales += total;
      if (status == YATAI_ORDER_PENDING || status == YATAI_ORDER_PROCESSING)
        summary->n_open++;
      {
        g_autoptr(GDateTime) taken = g_date_time_new_from_unix_local (sqlite3_column_int64 (stmt, 2) / G_USEC_PER_SEC);

        summary->by_hour[g_date_time_get_hour (taken)]++;
      }
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      yatai_store_set_sqlite_error (self, rc, error);
      goto failed;
    }

  stmt = yatai_store_prepare (self,
                              "SELECT l.name, SUM(l.quantity), SUM(l.quantity * l.unit_price) AS amount "
                              "FROM order_lines l JOIN orders o ON o.id = l.order_id "
                              "WHERE o.business_day = ? AND o.status != 'cancelled' "
                              "GROUP BY l.name ORDER BY amount DESC, l.name",
                              error);
  if (stmt == NULL)
    goto failed;
  sqlite3_bind_text (stmt, 1, business_day, -1, SQLITE_STATIC);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      YataiProductSales row = {
        .name = g_strdup ((const char *) sqlite3_column_text (stmt, 0)),
        .quantity = sqlite3_column_int64 (stmt, 1),
        .amount = sqlite3_column_int64 (stmt, 2),
      };

      g_array_append_val (summary->by_product, row);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      yatai_store_set_sqlite_error (self, rc, error);
      goto failed;
    }

  yatai_store_exec (self, "COMMIT", NULL);
  summary->average = summary->n_orders > 0 ? (summary->sales + summary->n_orders / 2) / summary->n_orders : 0;
  return g_steal_pointer (&summary);

failed:
  yatai_store_exec (self, "ROLLBACK", NULL);
  return NULL;
}

/* Operations */

static gboolean
op_day_close (YataiStore  *self,
              JsonObject  *args,
              JsonObject  *result,
              GError     **error)
{
  const char *day = NULL;
  gint64 last = 0;
  sqlite3_stmt *stmt;

  if (!yatai_args_get_string (args, "business_day", TRUE, &day, error))
    return FALSE;
  if (strlen (day) != 10 || day[4] != '-' || day[7] != '-')
    {
      g_set_error (error, YATAI_STORE_ERROR, YATAI_STORE_ERROR_INVALID,
                   _("The operation is missing its “%s” or has it in the wrong form."), "business_day");
      return FALSE;
    }

  /* The last number of this round: the orders since the previous closing (yatai_store_next_call_number). */
  stmt = yatai_store_prepare (self,
                              "SELECT COALESCE(MAX(call_number), 0) FROM orders WHERE business_day = ?1 AND "
                              "  day_round = (SELECT count(*) FROM day_closings WHERE business_day = ?1)",
                              error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, day, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    last = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);

  stmt = yatai_store_prepare (self,
                              "INSERT INTO day_closings (business_day, closed, last_call_number) VALUES (?, ?, ?)",
                              error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, day, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, yatai_store_now (self));
  sqlite3_bind_int64 (stmt, 3, last);
  if (!yatai_store_step_done (self, stmt, error))
    return FALSE;

  yatai_store_note (self, YATAI_CHANGE_DAY);
  json_object_set_string_member (result, "business_day", day);
  json_object_set_int_member (result, "last_call_number", last);
  return TRUE;
}

static gint64
product_id_by_name (YataiStore *self,
                    const char *name)
{
  sqlite3_stmt *stmt = yatai_store_prepare (self, "SELECT id FROM products WHERE name = ?", NULL);
  gint64 id = 0;

  if (stmt == NULL)
    return 0;
  sqlite3_bind_text (stmt, 1, name, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    id = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  return id;
}

/* Every row is checked before anything is written, and every refused row is named with its line; a
 * row whose name is already on the menu updates that product, the others are added. */
static gboolean
op_products_import (YataiStore  *self,
                    JsonObject  *args,
                    JsonObject  *result,
                    GError     **error)
{
  JsonNode *node = json_object_get_member (args, "rows");
  g_autoptr(GString) problems = g_string_new (NULL);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  JsonArray *rows;
  guint n, added = 0, updated = 0;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    {
      g_set_error (error, YATAI_STORE_ERROR, YATAI_STORE_ERROR_INVALID,
                   _("The operation is missing its “%s” or has it in the wrong form."), "rows");
      return FALSE;
    }
  rows = json_node_get_array (node);
  n = json_array_get_length (rows);

  for (guint i = 0; i < n; i++)
    {
      JsonNode *element = json_array_get_element (rows, i);
      JsonObject *row = JSON_NODE_HOLDS_OBJECT (element) ? json_node_get_object (element) : NULL;
      g_autoptr(GError) row_error = NULL;
      g_autofree char *name = NULL;
      const char *raw = NULL;
      gint64 line = i + 2, price = -1, stock = -1;
      gboolean sold_out = FALSE;

      /* The rows may come from another device: anything but an object is a refused row, not a skipped one. */
      if (row == NULL)
        {
          g_autofree char *why = g_strdup_printf (_("The operation is missing its “%s” or has it in the wrong form."),
                                                  "rows");

          g_string_append_printf (problems, _("Line %u: %s\n"), (guint) line, why);
          continue;
        }
      yatai_args_get_int (row, "line", FALSE, &line, NULL);
      if (!yatai_args_get_string (row, "name", TRUE, &raw, &row_error) ||
          (name = yatai_product_check_name (raw, &row_error)) == NULL)
        {
          g_string_append_printf (problems, _("Line %u: %s\n"), (guint) line, row_error->message);
          continue;
        }
      if (g_hash_table_contains (seen, name))
        g_string_append_printf (problems, _("Line %u: “%s” is already on an earlier line.\n"), (guint) line, name);
      g_hash_table_add (seen, g_strdup (name));
      if (!yatai_args_get_int (row, "price", TRUE, &price, NULL) || price < 0 || price > YATAI_PRICE_MAX)
        g_string_append_printf (problems, _("Line %u: %s\n"), (guint) line,
                                _("The price must be a whole number of yen from 0 to 1,000,000,000."));
      if (!yatai_args_get_int (row, "stock", TRUE, &stock, NULL) || stock < 0 || stock > YATAI_STOCK_MAX)
        g_string_append_printf (problems, _("Line %u: %s\n"), (guint) line,
                                _("The stock must be a whole number from 0 to 1,000,000,000."));
      if (!yatai_args_get_bool (row, "sold_out", &sold_out, &row_error))
        g_string_append_printf (problems, _("Line %u: %s\n"), (guint) line, row_error->message);
      g_clear_error (&row_error);
      {
        g_autofree char *reading = NULL;
        gboolean has_reading;

        if (!yatai_args_get_reading (row, &has_reading, &reading, &row_error))
          g_string_append_printf (problems, _("Line %u: %s\n"), (guint) line, row_error->message);
      }
      {
        JsonNode *tags = json_object_get_member (row, "tags");
        JsonArray *array = tags != NULL && JSON_NODE_HOLDS_ARRAY (tags) ? json_node_get_array (tags) : NULL;

        if (array != NULL && json_array_get_length (array) > YATAI_TAGS_PER_PRODUCT)
          g_string_append_printf (problems, _("Line %u: %s\n"), (guint) line, _("A product can have at most 20 tags."));
        for (guint t = 0; array != NULL && t < json_array_get_length (array); t++)
          {
            g_autoptr(GError) tag_error = NULL;
            JsonNode *element = json_array_get_element (array, t);
            g_autofree char *tag = NULL;

            /* The arguments may come from another device: a tag that is not a string is refused. */
            if (!JSON_NODE_HOLDS_VALUE (element) || json_node_get_value_type (element) != G_TYPE_STRING)
              {
                g_string_append_printf (problems, _("Line %u: %s\n"), (guint) line,
                                        _("A tag needs a name."));
                continue;
              }
            tag = yatai_product_check_tag (json_node_get_string (element), &tag_error);
            if (tag == NULL)
              g_string_append_printf (problems, _("Line %u: %s\n"), (guint) line, tag_error->message);
          }
      }
    }

  if (problems->len == 0)
    for (guint i = 0; i < n; i++)
      {
        JsonObject *row = json_node_get_object (json_array_get_element (rows, i));
        g_autoptr(JsonObject) save = NULL;
        g_autoptr(JsonObject) saved = json_object_new ();
        g_autoptr(GError) row_error = NULL;
        g_autofree char *name = yatai_product_check_name (json_object_get_string_member (row, "name"), NULL);
        gint64 id = product_id_by_name (self, name);
        gint64 line = i + 2;
        gboolean sold_out = FALSE;
        JsonNode *tags = json_object_get_member (row, "tags");
        g_autoptr(GPtrArray) tag_list = g_ptr_array_new ();

        yatai_args_get_int (row, "line", FALSE, &line, NULL);
        yatai_args_get_bool (row, "sold_out", &sold_out, NULL);
        for (guint t = 0; tags != NULL && JSON_NODE_HOLDS_ARRAY (tags) && t < json_array_get_length (json_node_get_array (tags)); t++)
          g_ptr_array_add (tag_list, (gpointer) json_array_get_string_element (json_node_get_array (tags), t));
        g_ptr_array_add (tag_list, NULL);
        save = yatai_product_save_args (id, name, json_object_get_int_member (row, "price"),
                                        json_object_get_int_member (row, "stock"),
                                        sold_out,
                                        (const char * const *) tag_list->pdata, NULL, TRUE);
        /* A file without the column keeps the product's reading. */
        if (json_object_has_member (row, "reading"))
          json_object_set_member (save, "reading", json_node_copy (json_object_get_member (row, "reading")));
        if (!yatai_store_op_product_save (self, save, saved, &row_error))
          {
            /* A limit of the whole store (1,000 products or tags): the transaction is rolled back. */
            g_string_append_printf (problems, _("Line %u: %s\n"), (guint) line, row_error->message);
            break;
          }
        if (id == 0)
          added++;
        else
          updated++;
      }

  if (problems->len > 0)
    {
      g_string_truncate (problems, problems->len - 1);
      g_set_error_literal (error, YATAI_STORE_ERROR, YATAI_STORE_ERROR_INVALID, problems->str);
      return FALSE;
    }
  json_object_set_int_member (result, "added", added);
  json_object_set_int_member (result, "updated", updated);
  return TRUE;
}

const YataiOp yatai_sales_ops[] = {
  { "day.close", op_day_close },
  { "products.import", op_products_import },
  { NULL, NULL },
};
