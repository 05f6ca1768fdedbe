/* yatai-store-products.c: the menu's operations and reads
 *
 * "product.save" creates or edits a product with its tags and picture; "product.delete" removes one
 * (orders keep their copied name and price; the line's product id becomes NULL). A tag no product uses
 * any more is removed in the same transaction.
 */
#define G_LOG_DOMAIN "yatai-store"

#include "config.h"

#include <glib/gi18n.h>

#include "yatai-picture.h"
#include "yatai-refusal.h"
#include "yatai-store-private.h"
#include "yatai-store-products.h"
#include "yatai-text.h"

#define TAG_SEPARATOR "\x1f"

#define PRODUCT_COLUMNS \
  "p.id, p.name, p.price, p.stock, p.sold_out, " \
  "EXISTS (SELECT 1 FROM product_pictures pp WHERE pp.product_id = p.id), p.updated, " \
  "(SELECT group_concat (name, char (31)) FROM " \
  "  (SELECT t.name FROM product_tags pt JOIN tags t ON t.id = pt.tag_id " \
  "   WHERE pt.product_id = p.id ORDER BY t.name)), p.reading"

/* A product's picture is in product_pictures (schema 9), a row only for a product that has one; the
 * row read here says only whether there is one, and the bytes are read when they are asked for. */
static YataiProduct *
product_from_row (YataiStore   *self,
                  sqlite3_stmt *stmt)
{
  g_auto(GStrv) tags = NULL;
  const char *tag_text = (const char *) sqlite3_column_text (stmt, 7);
  YataiProduct *product;

  tags = tag_text ? g_strsplit (tag_text, TAG_SEPARATOR, -1) : g_new0 (char *, 1);

  product = yatai_product_new (sqlite3_column_int64 (stmt, 0),
                               (const char *) sqlite3_column_text (stmt, 1),
                               (const char *) sqlite3_column_text (stmt, 8),
                               sqlite3_column_int64 (stmt, 2),
                               sqlite3_column_int64 (stmt, 3),
                               sqlite3_column_int (stmt, 4),
                               (const char * const *) tags,
                               NULL,
                               sqlite3_column_int64 (stmt, 6));
  if (sqlite3_column_int (stmt, 5))
    yatai_product_set_picture_unread (product, self);
  return product;
}

GBytes *
yatai_store_read_picture (YataiStore  *self,
                          gint64       product_id,
                          GError     **error)
{
  GBytes *picture = NULL;
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (YATAI_IS_STORE (self), NULL);

  stmt = yatai_store_prepare (self, "SELECT picture FROM product_pictures WHERE product_id = ?", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, product_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    picture = g_bytes_new (sqlite3_column_blob (stmt, 0), sqlite3_column_bytes (stmt, 0));
  else if (rc != SQLITE_DONE)
    yatai_store_set_sqlite_error (self, rc, error);
  sqlite3_reset (stmt);
  return picture;
}

GPtrArray *
yatai_store_list_products (YataiStore  *self,
                           GError     **error)
{
  g_autoptr(GPtrArray) products = g_ptr_array_new_with_free_func (g_object_unref);
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (YATAI_IS_STORE (self), NULL);

  stmt = yatai_store_prepare (self, "SELECT " PRODUCT_COLUMNS " FROM products p ORDER BY p.id", error);
  if (stmt == NULL)
    return NULL;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (products, product_from_row (self, stmt));
  sqlite3_reset (stmt);

  if (rc != SQLITE_DONE)
    {
      yatai_store_set_sqlite_error (self, rc, error);
      return NULL;
    }
  return g_steal_pointer (&products);
}

/* Returns NULL without an error when there is no such product. */
YataiProduct *
yatai_store_get_product (YataiStore  *self,
                         gint64       id,
                         GError     **error)
{
  YataiProduct *product = NULL;
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (YATAI_IS_STORE (self), NULL);

  stmt = yatai_store_prepare (self, "SELECT " PRODUCT_COLUMNS " FROM products p WHERE p.id = ?", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    product = product_from_row (self, stmt);
  else if (rc != SQLITE_DONE)
    yatai_store_set_sqlite_error (self, rc, error);
  sqlite3_reset (stmt);
  return product;
}

GPtrArray *
yatai_store_list_tags (YataiStore  *self,
                       GError     **error)
{
  g_autoptr(GPtrArray) tags = g_ptr_array_new_with_free_func (g_object_unref);
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (YATAI_IS_STORE (self), NULL);

  stmt = yatai_store_prepare (self,
                              "SELECT t.id, t.name, (SELECT count(*) FROM product_tags pt WHERE pt.tag_id = t.id) "
                              "FROM tags t ORDER BY t.name",
                              error);
  if (stmt == NULL)
    return NULL;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (tags, yatai_tag_new (sqlite3_column_int64 (stmt, 0),
                                          (const char *) sqlite3_column_text (stmt, 1),
                                          sqlite3_column_int (stmt, 2)));
  sqlite3_reset (stmt);

  if (rc != SQLITE_DONE)
    {
      yatai_store_set_sqlite_error (self, rc, error);
      return NULL;
    }
  return g_steal_pointer (&tags);
}

/* Names are unique as written: "Ramune" and "ramune" are two products. */
gboolean
yatai_store_product_name_taken (YataiStore *self,
                                const char *name,
                                gint64      except_id)
{
  sqlite3_stmt *stmt;
  gboolean taken = FALSE;

  g_return_val_if_fail (YATAI_IS_STORE (self), FALSE);

  stmt = yatai_store_prepare (self, "SELECT 1 FROM products WHERE name = ? AND id != ?", NULL);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, name, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, except_id);
  taken = sqlite3_step (stmt) == SQLITE_ROW;
  sqlite3_reset (stmt);
  return taken;
}

static gint64
count_rows (YataiStore *self,
            const char *sql)
{
  sqlite3_stmt *stmt = yatai_store_prepare (self, sql, NULL);
  gint64 n = 0;

  if (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
    n = sqlite3_column_int64 (stmt, 0);
  if (stmt != NULL)
    sqlite3_reset (stmt);
  return n;
}

guint
yatai_store_count_products (YataiStore *self)
{
  g_return_val_if_fail (YATAI_IS_STORE (self), 0);
  return count_rows (self, "SELECT count(*) FROM products");
}

JsonObject *
yatai_product_save_args (gint64              id,
                         const char         *name,
                         gint64              price,
                         gint64              stock,
                         gboolean            sold_out,
                         const char * const *tags,
                         GBytes             *picture,
                         gboolean            keep_picture)
{
  JsonObject *args = json_object_new ();
  JsonArray *tag_array = json_array_new ();

  if (id > 0)
    json_object_set_int_member (args, "id", id);
  json_object_set_string_member (args, "name", name);
  json_object_set_int_member (args, "price", price);
  json_object_set_int_member (args, "stock", stock);
  json_object_set_boolean_member (args, "sold_out", sold_out);
  for (guint i = 0; tags != NULL && tags[i] != NULL; i++)
    json_array_add_string_element (tag_array, tags[i]);
  json_object_set_array_member (args, "tags", tag_array);

  if (picture != NULL)
    {
      gsize size;
      const guint8 *data = g_bytes_get_data (picture, &size);
      g_autofree char *encoded = g_base64_encode (data, size);

      json_object_set_string_member (args, "picture", encoded);
    }
  else if (!keep_picture)
    json_object_set_null_member (args, "picture");

  return args;
}

void
yatai_product_args_set_reading (JsonObject *args,
                                const char *reading)
{
  g_return_if_fail (args != NULL);

  if (reading != NULL && *reading != '\0')
    json_object_set_string_member (args, "reading", reading);
  else
    json_object_set_null_member (args, "reading");
}

/* Operations */

/* "reading": absent keeps what the product has (@set FALSE), null or "" is none (@out NULL), else the
 * checked text. Also what "products.import" checks each row's reading with. */
gboolean
yatai_args_get_reading (JsonObject  *args,
                        gboolean    *set,
                        char       **out,
                        GError     **error)
{
  JsonNode *node = json_object_get_member (args, "reading");
  g_autofree char *reading = NULL;

  *set = node != NULL;
  *out = NULL;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    {
      yatai_refusal_set_error (error, YATAI_REFUSAL_ARGUMENT, "reading");
      return FALSE;
    }
  reading = yatai_product_check_reading (json_node_get_string (node), error);
  if (reading == NULL)
    return FALSE;
  if (*reading != '\0')
    *out = g_steal_pointer (&reading);
  return TRUE;
}

static gboolean
read_tags (JsonObject  *args,
           GPtrArray   *out,
           GError     **error)
{
  JsonNode *node = json_object_get_member (args, "tags");
  JsonArray *array;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      yatai_refusal_set_error (error, YATAI_REFUSAL_ARGUMENT, "tags");
      return FALSE;
    }

  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      g_autofree char *tag = NULL;

      if (!JSON_NODE_HOLDS_VALUE (element) || json_node_get_value_type (element) != G_TYPE_STRING)
        {
          yatai_refusal_set_error (error, YATAI_REFUSAL_ARGUMENT, "tags");
          return FALSE;
        }

      tag = yatai_product_check_tag (json_node_get_string (element), error);
      if (tag == NULL)
        return FALSE;

      if (!g_ptr_array_find_with_equal_func (out, tag, g_str_equal, NULL))
        g_ptr_array_add (out, g_steal_pointer (&tag));
    }

  if (out->len > YATAI_TAGS_PER_PRODUCT)
    {
      yatai_refusal_set_error (error, YATAI_REFUSAL_TOO_MANY_TAGS, (gint64) YATAI_TAGS_PER_PRODUCT);
      return FALSE;
    }
  return TRUE;
}

static gboolean
read_picture (JsonObject  *args,
              gboolean    *set,
              GBytes     **out,
              GError     **error)
{
  JsonNode *node = json_object_get_member (args, "picture");
  const char *text;
  guchar *data;
  gsize length;

  *set = node != NULL;
  *out = NULL;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;

  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    {
      yatai_refusal_set_error (error, YATAI_REFUSAL_ARGUMENT, "picture");
      return FALSE;
    }

  text = json_node_get_string (node);
  if (strlen (text) > YATAI_PICTURE_STORED_MAX / 3 * 4 + 4)
    {
      yatai_refusal_set_error (error, YATAI_REFUSAL_PICTURE_FORM);
      return FALSE;
    }

  data = g_base64_decode (text, &length);
  *out = g_bytes_new_take (data, length);
  if (!yatai_picture_check_stored (*out, error))
    {
      g_clear_pointer (out, g_bytes_unref);
      return FALSE;
    }
  return TRUE;
}

static gint64
find_or_add_tag (YataiStore  *self,
                 const char  *name,
                 GError     **error)
{
  sqlite3_stmt *stmt;
  gint64 id = 0;

  stmt = yatai_store_prepare (self, "SELECT id FROM tags WHERE name = ?", error);
  if (stmt == NULL)
    return 0;
  sqlite3_bind_text (stmt, 1, name, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    id = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  if (id != 0)
    return id;

  if (count_rows (self, "SELECT count(*) FROM tags") >= YATAI_TAGS_MAX)
    {
      yatai_refusal_set_error (error, YATAI_REFUSAL_TAGS_FULL, (gint64) YATAI_TAGS_MAX);
      return 0;
    }

  stmt = yatai_store_prepare (self, "INSERT INTO tags (name) VALUES (?)", error);
  if (stmt == NULL)
    return 0;
  sqlite3_bind_text (stmt, 1, name, -1, SQLITE_STATIC);
  if (!yatai_store_step_done (self, stmt, error))
    return 0;

  yatai_store_note (self, YATAI_CHANGE_TAGS);
  return sqlite3_last_insert_rowid (yatai_store_get_db (self));
}

static gboolean
set_product_tags (YataiStore  *self,
                  gint64       product_id,
                  GPtrArray   *tags,
                  GError     **error)
{
  sqlite3_stmt *stmt;

  stmt = yatai_store_prepare (self, "DELETE FROM product_tags WHERE product_id = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, product_id);
  if (!yatai_store_step_done (self, stmt, error))
    return FALSE;

  for (guint i = 0; i < tags->len; i++)
    {
      gint64 tag_id = find_or_add_tag (self, g_ptr_array_index (tags, i), error);

      if (tag_id == 0)
        return FALSE;

      stmt = yatai_store_prepare (self, "INSERT INTO product_tags (product_id, tag_id) VALUES (?, ?)", error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, product_id);
      sqlite3_bind_int64 (stmt, 2, tag_id);
      if (!yatai_store_step_done (self, stmt, error))
        return FALSE;
    }

  yatai_store_note (self, YATAI_CHANGE_TAGS);
  return TRUE;
}

static gboolean
drop_unused_tags (YataiStore  *self,
                  GError     **error)
{
  sqlite3_stmt *stmt = yatai_store_prepare (self,
                                            "DELETE FROM tags WHERE NOT EXISTS "
                                            "(SELECT 1 FROM product_tags pt WHERE pt.tag_id = tags.id)",
                                            error);
  if (stmt == NULL || !yatai_store_step_done (self, stmt, error))
    return FALSE;
  if (sqlite3_changes (yatai_store_get_db (self)) > 0)
    yatai_store_note (self, YATAI_CHANGE_TAGS);
  return TRUE;
}

static gboolean
product_exists (YataiStore *self,
                gint64      id)
{
  sqlite3_stmt *stmt = yatai_store_prepare (self, "SELECT 1 FROM products WHERE id = ?", NULL);
  gboolean exists;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  exists = sqlite3_step (stmt) == SQLITE_ROW;
  sqlite3_reset (stmt);
  return exists;
}

/* @picture NULL removes the product's picture. The same bytes again write nothing, so the journal
 * carries a picture only when it changed. */
static gboolean
set_product_picture (YataiStore  *self,
                     gint64       product_id,
                     GBytes      *picture,
                     GError     **error)
{
  sqlite3_stmt *stmt;

  if (picture == NULL)
    {
      stmt = yatai_store_prepare (self, "DELETE FROM product_pictures WHERE product_id = ?", error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, product_id);
      return yatai_store_step_done (self, stmt, error);
    }

  stmt = yatai_store_prepare (self,
                              "INSERT INTO product_pictures (product_id, picture) VALUES (?, ?) "
                              "ON CONFLICT (product_id) DO UPDATE SET picture = excluded.picture "
                              "WHERE picture IS NOT excluded.picture",
                              error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, product_id);
  sqlite3_bind_blob (stmt, 2, g_bytes_get_data (picture, NULL), g_bytes_get_size (picture), SQLITE_STATIC);
  return yatai_store_step_done (self, stmt, error);
}

/* "product.save"; also what "products.import" runs for each row (yatai-store-sales.c). */
gboolean
yatai_store_op_product_save (YataiStore  *self,
                 JsonObject  *args,
                 JsonObject  *result,
                 GError     **error)
{
  g_autoptr(GPtrArray) tags = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GBytes) picture = NULL;
  g_autofree char *name = NULL;
  g_autofree char *reading = NULL;
  const char *raw_name = NULL;
  gint64 id = 0, price = 0, stock = 0;
  gboolean sold_out = FALSE, picture_set = FALSE, reading_set = FALSE;
  gint64 now = yatai_store_now (self);
  sqlite3_stmt *stmt;

  if (!yatai_args_get_int (args, "id", FALSE, &id, error) ||
      !yatai_args_get_string (args, "name", TRUE, &raw_name, error) ||
      !yatai_args_get_int (args, "price", TRUE, &price, error) ||
      !yatai_args_get_int (args, "stock", TRUE, &stock, error) ||
      !yatai_args_get_bool (args, "sold_out", &sold_out, error))
    return FALSE;

  name = yatai_product_check_name (raw_name, error);
  if (name == NULL || !yatai_args_get_reading (args, &reading_set, &reading, error))
    return FALSE;
  if (price < 0 || price > YATAI_PRICE_MAX)
    {
      yatai_refusal_set_error (error, YATAI_REFUSAL_PRICE_RANGE);
      return FALSE;
    }
  if (stock < 0 || stock > YATAI_STOCK_MAX)
    {
      yatai_refusal_set_error (error, YATAI_REFUSAL_STOCK_RANGE);
      return FALSE;
    }
  if (!read_tags (args, tags, error) ||
      !read_picture (args, &picture_set, &picture, error))
    return FALSE;

  if (id != 0 && !product_exists (self, id))
    {
      yatai_refusal_set_error (error, YATAI_REFUSAL_PRODUCT_GONE, name);
      return FALSE;
    }

  if (yatai_store_product_name_taken (self, name, id))
    {
      yatai_refusal_set_error (error, YATAI_REFUSAL_NAME_TAKEN);
      return FALSE;
    }

  if (id == 0)
    {
      if (yatai_store_count_products (self) >= YATAI_PRODUCTS_MAX)
        {
          yatai_refusal_set_error (error, YATAI_REFUSAL_MENU_FULL, (gint64) YATAI_PRODUCTS_MAX);
          return FALSE;
        }

      stmt = yatai_store_prepare (self,
                                  "INSERT INTO products (name, price, stock, sold_out, created, updated, reading) "
                                  "VALUES (?, ?, ?, ?, ?, ?, ?)",
                                  error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_text (stmt, 1, name, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 2, price);
      sqlite3_bind_int64 (stmt, 3, stock);
      sqlite3_bind_int (stmt, 4, sold_out);
      sqlite3_bind_int64 (stmt, 5, now);
      sqlite3_bind_int64 (stmt, 6, now);
      if (reading != NULL)
        sqlite3_bind_text (stmt, 7, reading, -1, SQLITE_STATIC);
      else
        sqlite3_bind_null (stmt, 7);
      if (!yatai_store_step_done (self, stmt, error))
        return FALSE;
      id = sqlite3_last_insert_rowid (yatai_store_get_db (self));
    }
  else
    {
      stmt = yatai_store_prepare (self,
                                  "UPDATE products SET name = ?, price = ?, stock = ?, sold_out = ?, updated = ?, "
                                  "reading = CASE WHEN ?7 THEN ?8 ELSE reading END "
                                  "WHERE id = ?6",
                                  error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_text (stmt, 1, name, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 2, price);
      sqlite3_bind_int64 (stmt, 3, stock);
      sqlite3_bind_int (stmt, 4, sold_out);
      sqlite3_bind_int64 (stmt, 5, now);
      sqlite3_bind_int64 (stmt, 6, id);
      sqlite3_bind_int (stmt, 7, reading_set);
      if (reading != NULL)
        sqlite3_bind_text (stmt, 8, reading, -1, SQLITE_STATIC);
      else
        sqlite3_bind_null (stmt, 8);
      if (!yatai_store_step_done (self, stmt, error))
        return FALSE;
    }

  if (picture_set && !set_product_picture (self, id, picture, error))
    return FALSE;

  if (!set_product_tags (self, id, tags, error) ||
      !drop_unused_tags (self, error))
    return FALSE;

  yatai_store_note_product (self, id);
  json_object_set_int_member (result, "id", id);
  return TRUE;
}

static gboolean
op_product_delete (YataiStore  *self,
                   JsonObject  *args,
                   JsonObject  *result,
                   GError     **error)
{
  gint64 id = 0;
  sqlite3_stmt *stmt;

  if (!yatai_args_get_int (args, "id", TRUE, &id, error))
    return FALSE;

  stmt = yatai_store_prepare (self, "DELETE FROM products WHERE id = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  if (!yatai_store_step_done (self, stmt, error))
    return FALSE;

  if (sqlite3_changes (yatai_store_get_db (self)) == 0)
    {
      yatai_refusal_set_error (error, YATAI_REFUSAL_PRODUCT_ALREADY_DELETED);
      return FALSE;
    }

  if (!drop_unused_tags (self, error))
    return FALSE;

  /* Lines of past orders now have no product id; the orders themselves did not change. */
  yatai_store_note_product (self, id);
  json_object_set_int_member (result, "id", id);
  return TRUE;
}

const YataiOp yatai_product_ops[] = {
  { "product.save", yatai_store_op_product_save },
  { "product.delete", op_product_delete },
  { NULL, NULL },
};

/* The demo menu: a school-festival stand. */

typedef struct
{
  const char *name;
  const char *reading;
  gint64      price;
  gint64      stock;
  gboolean    sold_out;
  const char *tags[3];
} DemoProduct;

static const DemoProduct demo_menu[] = {
  { "焼きそば", "やきそば", 500, 80, FALSE, { "フード", "温かい", NULL } },
  { "たこ焼き (8個)", "たこやき", 450, 60, FALSE, { "フード", "温かい", NULL } },
  { "フランクフルト", "ふらんくふると", 300, 40, FALSE, { "フード", "温かい", NULL } },
  { "唐揚げ", "からあげ", 400, 4, FALSE, { "フード", "温かい", NULL } },
  { "チョコバナナ", "ちょこばなな", 250, 30, FALSE, { "デザート", NULL } },
  { "かき氷 いちご", "かきごおり いちご", 300, 50, FALSE, { "デザート", "冷たい", NULL } },
  { "りんご飴", "りんごあめ", 350, 0, FALSE, { "デザート", NULL } },
  { "ラムネ", "らむね", 200, 48, FALSE, { "ドリンク", "冷たい", NULL } },
  { "緑茶", "りょくちゃ", 150, 24, FALSE, { "ドリンク", "冷たい", NULL } },
  { "ホットコーヒー", "ほっとこーひー", 200, 30, TRUE, { "ドリンク", "温かい", NULL } },
};

gboolean
yatai_store_load_demo (YataiStore  *self,
                       GError     **error)
{
  g_return_val_if_fail (YATAI_IS_STORE (self), FALSE);

  for (guint i = 0; i < G_N_ELEMENTS (demo_menu); i++)
    {
      const DemoProduct *p = &demo_menu[i];
      g_autoptr(JsonObject) args = NULL;
      g_autoptr(JsonNode) result = NULL;

      if (yatai_store_product_name_taken (self, p->name, 0))
        continue;

      args = yatai_product_save_args (0, p->name, p->price, p->stock, p->sold_out, p->tags, NULL, TRUE);
      yatai_product_args_set_reading (args, p->reading);
      result = yatai_store_run (self, "product.save", args, error);
      if (result == NULL)
        return FALSE;
    }
  return TRUE;
}
