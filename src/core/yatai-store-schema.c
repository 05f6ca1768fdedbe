/* yatai-store-schema.c: the tables, and the steps that bring an older file up to date
 *
 * The version is SQLite's user_version. Each step runs in the transaction of the open, so a file is
 * either at the old version or at the new one, never in between. Every table that sync carries has a
 * declared primary key (the session extension needs one); local_meta stays on this device.
 */
#define G_LOG_DOMAIN "yatai-schema"

#include "config.h"

#include <glib/gi18n.h>

#include "yatai-store-private.h"

/* Version 1: the menu and the orders. */
static const char schema_v1[] =
  "CREATE TABLE products ("
  "  id INTEGER PRIMARY KEY,"
  "  name TEXT NOT NULL UNIQUE,"
  "  price INTEGER NOT NULL CHECK (price BETWEEN 0 AND 1000000000),"
  "  stock INTEGER NOT NULL CHECK (stock BETWEEN 0 AND 1000000000),"
  "  sold_out INTEGER NOT NULL DEFAULT 0 CHECK (sold_out IN (0, 1)),"
  "  picture BLOB,"
  "  created INTEGER NOT NULL"
  ");"
  "CREATE TABLE tags ("
  "  id INTEGER PRIMARY KEY,"
  "  name TEXT NOT NULL UNIQUE"
  ");"
  "CREATE TABLE product_tags ("
  "  product_id INTEGER NOT NULL REFERENCES products (id) ON DELETE CASCADE,"
  "  tag_id INTEGER NOT NULL REFERENCES tags (id) ON DELETE CASCADE,"
  "  PRIMARY KEY (product_id, tag_id)"
  ");"
  "CREATE INDEX product_tags_tag ON product_tags (tag_id);"
  "CREATE TABLE orders ("
  "  id INTEGER PRIMARY KEY,"
  "  call_number INTEGER NOT NULL,"
  "  business_day TEXT NOT NULL,"
  "  customer TEXT NOT NULL DEFAULT '',"
  "  note TEXT NOT NULL DEFAULT '',"
  "  total INTEGER NOT NULL,"
  "  paid INTEGER NOT NULL DEFAULT 0,"
  "  status TEXT NOT NULL CHECK (status IN ('pending', 'processing', 'completed', 'cancelled')),"
  "  created INTEGER NOT NULL,"
  "  updated INTEGER NOT NULL"
  ");"
  "CREATE INDEX orders_day ON orders (business_day, call_number);"
  "CREATE TABLE order_lines ("
  "  order_id INTEGER NOT NULL REFERENCES orders (id) ON DELETE CASCADE,"
  "  line_no INTEGER NOT NULL,"
  "  product_id INTEGER REFERENCES products (id) ON DELETE SET NULL,"
  "  name TEXT NOT NULL,"
  "  unit_price INTEGER NOT NULL,"
  "  quantity INTEGER NOT NULL CHECK (quantity > 0),"
  "  done INTEGER NOT NULL DEFAULT 0 CHECK (done IN (0, 1)),"
  "  PRIMARY KEY (order_id, line_no)"
  ");"
  "CREATE INDEX order_lines_product ON order_lines (product_id);";

/* Version 2: what sync and the kitchen need. The status history, the commands already applied (so
 * one sent twice does nothing), the closed business days, a per-device table sync never carries, and
 * when a product last changed. */
static const char schema_v2[] =
  "ALTER TABLE products ADD COLUMN updated INTEGER NOT NULL DEFAULT 0;"
  "UPDATE products SET updated = created;"
  "CREATE TABLE status_changes ("
  "  id INTEGER PRIMARY KEY,"
  "  order_id INTEGER NOT NULL REFERENCES orders (id) ON DELETE CASCADE,"
  "  from_status TEXT,"
  "  to_status TEXT NOT NULL,"
  "  device TEXT NOT NULL,"
  "  at INTEGER NOT NULL"
  ");"
  "CREATE INDEX status_changes_order ON status_changes (order_id);"
  "CREATE INDEX orders_status ON orders (status);"
  "CREATE TABLE applied_commands ("
  "  id TEXT PRIMARY KEY,"
  "  device TEXT,"
  "  kind TEXT NOT NULL,"
  "  applied INTEGER NOT NULL,"
  "  result TEXT"
  ");"
  "CREATE TABLE day_closings ("
  "  id INTEGER PRIMARY KEY,"
  "  business_day TEXT NOT NULL,"
  "  closed INTEGER NOT NULL,"
  "  last_call_number INTEGER NOT NULL"
  ");"
  "CREATE TABLE local_meta ("
  "  key TEXT PRIMARY KEY,"
  "  value TEXT NOT NULL"
  ");";

/* Version 3: the outbox of changesets not yet in the bucket. Local to this device, like local_meta. */
static const char schema_v3[] =
  "CREATE TABLE outbox ("
  "  id INTEGER PRIMARY KEY,"
  "  command_id TEXT NOT NULL,"
  "  command TEXT NOT NULL,"
  "  changeset BLOB NOT NULL,"
  "  created INTEGER NOT NULL"
  ");";

/* Version 4: applied commands keyed by their id alone (WITHOUT ROWID), so recording one writes one
 * b-tree instead of a table and its index: a page less in every commit (bench/bench-confirm.c). */
static const char schema_v4[] =
  "CREATE TABLE applied_commands_v4 ("
  "  id TEXT PRIMARY KEY,"
  "  device TEXT,"
  "  kind TEXT NOT NULL,"
  "  applied INTEGER NOT NULL,"
  "  result TEXT"
  ") WITHOUT ROWID;"
  "INSERT INTO applied_commands_v4 (id, device, kind, applied, result) "
  "  SELECT id, device, kind, applied, result FROM applied_commands;"
  "DROP TABLE applied_commands;"
  "ALTER TABLE applied_commands_v4 RENAME TO applied_commands;";

/* Version 5: each order remembers how many times its business day had been closed when it was taken
 * (its round), so call numbers restart after a closing by the closings themselves, which sync carries
 * in order, and not by comparing the closing's time with the order's: two devices' clocks need not
 * agree, nor one clock never step back. Orders of older files get their round from those times once. */
static const char schema_v5[] =
  "ALTER TABLE orders ADD COLUMN day_round INTEGER NOT NULL DEFAULT 0;"
  "UPDATE orders SET day_round = (SELECT count(*) FROM day_closings c "
  "  WHERE c.business_day = orders.business_day AND c.closed < orders.created);"
  "DROP INDEX orders_day;"
  "CREATE INDEX orders_day ON orders (business_day, day_round, call_number);";

/* Version 6: the last command the writer applied of each other device, by that device's counter, so
 * the next writer goes on applying them in the order they were made (SYNC.md, the inbox). */
static const char schema_v6[] =
  "CREATE TABLE command_counters ("
  "  device TEXT PRIMARY KEY,"
  "  last INTEGER NOT NULL"
  ") WITHOUT ROWID;";

/* Version 7: the stall's key for the venue link (src/sync/yatai-link-key.c): one certificate and its
 * private key, synced like the menu, so every device that restored the stall holds them. */
static const char schema_v7[] =
  "CREATE TABLE stall_keys ("
  "  id INTEGER PRIMARY KEY CHECK (id = 1),"
  "  certificate TEXT NOT NULL CHECK (length (certificate) BETWEEN 1 AND 16384),"
  "  private_key TEXT NOT NULL CHECK (length (private_key) BETWEEN 1 AND 16384),"
  "  created INTEGER NOT NULL"
  ");";

/* Version 8: a product's reading (furigana, "やきそば" for 焼きそば), which the menu's search also
 * finds, in kana or in romaji (yatai-reading.c). NULL when the product has none. */
static const char schema_v8[] =
  "ALTER TABLE products ADD COLUMN reading TEXT;";

/* Version 9: pictures in a table of their own, one row for a product that has one. Every confirm
 * updates its products' stock, and the journal's session copied the whole row, a photo's 150 KB with
 * it, and read it back for the changeset; the columns after the picture lay on its last overflow page,
 * two more pages written each time. DROP COLUMN rewrites products without the pictures' bytes. */
static const char schema_v9[] =
  "CREATE TABLE product_pictures ("
  "  product_id INTEGER PRIMARY KEY REFERENCES products (id) ON DELETE CASCADE,"
  "  picture BLOB NOT NULL"
  ");"
  "INSERT INTO product_pictures (product_id, picture) "
  "  SELECT id, picture FROM products WHERE picture IS NOT NULL;"
  "ALTER TABLE products DROP COLUMN picture;";

const char *
yatai_schema_migration_sql (int to_version)
{
  switch (to_version)
    {
    case 1:
      return schema_v1;
    case 2:
      return schema_v2;
    case 3:
      return schema_v3;
    case 4:
      return schema_v4;
    case 5:
      return schema_v5;
    case 6:
      return schema_v6;
    case 7:
      return schema_v7;
    case 8:
      return schema_v8;
    case 9:
      return schema_v9;
    default:
      return NULL;
    }
}

gboolean
yatai_schema_migrate (sqlite3  *db,
                      GError  **error)
{
  sqlite3_stmt *stmt = NULL;
  int version = 0;
  int rc;

  rc = sqlite3_prepare_v2 (db, "PRAGMA user_version", -1, &stmt, NULL);
  if (rc == SQLITE_OK && sqlite3_step (stmt) == SQLITE_ROW)
    version = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);
  if (rc != SQLITE_OK)
    goto failed;

  if (version > YATAI_SCHEMA_VERSION)
    {
      g_set_error (error, YATAI_STORE_ERROR, YATAI_STORE_ERROR_CORRUPT,
                   _("This store was written by a newer version of Yatai. Update Yatai to open it."));
      return FALSE;
    }

  for (int v = version + 1; v <= YATAI_SCHEMA_VERSION; v++)
    {
      g_autofree char *pragma = g_strdup_printf ("PRAGMA user_version = %d", v);

      g_debug ("Migrating the store to schema version %d", v);
      rc = sqlite3_exec (db, yatai_schema_migration_sql (v), NULL, NULL, NULL);
      if (rc == SQLITE_OK)
        rc = sqlite3_exec (db, pragma, NULL, NULL, NULL);
      if (rc != SQLITE_OK)
        goto failed;
    }

  return TRUE;

failed:
  g_warning ("Schema migration failed: %s", sqlite3_errmsg (db));
  g_set_error (error, YATAI_STORE_ERROR, YATAI_STORE_ERROR_CORRUPT,
               _("The store could not be brought up to date. It may be damaged."));
  return FALSE;
}
