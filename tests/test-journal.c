/* test-journal.c: changesets in the outbox, applied on another store; snapshots and restoring */
#define _GNU_SOURCE
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <sqlite3.h>

#include "snapshot-image.h"
#include "yatai-models.h"
#include "yatai-picture.h"
#include "yatai-store-journal.h"
#include "yatai-store-orders.h"
#include "yatai-store-private.h"
#include "yatai-store-products.h"

typedef struct
{
  char       *dir;
  YataiStore *writer;
  YataiStore *follower;
} Fixture;

static YataiStore *
open_store (Fixture    *f,
            const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (f->dir, name, NULL);
  YataiStore *store = yatai_store_open (path, &error);

  g_assert_no_error (error);
  return store;
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->dir = g_dir_make_tmp ("yatai-journal-XXXXXX", NULL);
  f->writer = open_store (f, "writer.sqlite3");
  f->follower = open_store (f, "follower.sqlite3");
  yatai_store_set_journal_enabled (f->writer, TRUE);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GDir) d = NULL;
  const char *name;

  g_clear_object (&f->writer);
  g_clear_object (&f->follower);
  d = g_dir_open (f->dir, 0, NULL);
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (f->dir, name, NULL);
      g_unlink (path);
    }
  g_rmdir (f->dir);
  g_free (f->dir);
}

static gint64
save (YataiStore *store,
      gint64      id,
      const char *name,
      gint64      stock,
      const char *tag)
{
  const char *tags[] = { tag, NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) args = yatai_product_save_args (id, name, 100, stock, FALSE, tags, NULL, TRUE);
  g_autoptr(JsonNode) result = yatai_store_run (store, "product.save", args, &error);

  g_assert_no_error (error);
  return json_object_get_int_member (json_node_get_object (result), "id");
}

static void
delete (YataiStore *store,
        gint64      id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) args = json_object_new ();
  g_autoptr(JsonNode) result = NULL;

  json_object_set_int_member (args, "id", id);
  result = yatai_store_run (store, "product.delete", args, &error);
  g_assert_no_error (error);
}

/* Applies everything in the writer's outbox to the follower, and empties the outbox. */
static void
ship (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) entries = yatai_store_outbox_peek (f->writer, 1000, &error);
  g_autoptr(GPtrArray) changesets = g_ptr_array_new ();

  g_assert_no_error (error);
  for (guint i = 0; i < entries->len; i++)
    g_ptr_array_add (changesets, ((YataiOutboxEntry *) g_ptr_array_index (entries, i))->changeset);
  g_assert_true (yatai_store_apply_changesets (f->follower, changesets, NULL, &error));
  g_assert_no_error (error);
  if (entries->len > 0)
    {
      YataiOutboxEntry *last = g_ptr_array_index (entries, entries->len - 1);
      g_assert_true (yatai_store_outbox_remove_through (f->writer, last->id, NULL, &error));
    }
  g_assert_cmpint (yatai_store_outbox_count (f->writer), ==, 0);
}

static void
assert_same (YataiStore *a,
             YataiStore *b)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dump_a = yatai_store_dump_canonical (a, &error);
  g_autofree char *dump_b = yatai_store_dump_canonical (b, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (dump_a, ==, dump_b);
}

static void
test_outbox_in_same_transaction (Fixture       *f,
                                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(JsonObject) args = yatai_product_save_args (0, "", 1, 1, FALSE, NULL, NULL, TRUE);
  g_autoptr(JsonNode) refused = NULL;
  g_autoptr(YataiCommand) command = NULL;
  YataiOutboxEntry *entry;

  save (f->writer, 0, "焼きそば", 10, "フード");
  g_assert_cmpint (yatai_store_outbox_count (f->writer), ==, 1);

  /* A refused command leaves no changeset behind. */
  refused = yatai_store_run (f->writer, "product.save", args, &error);
  g_assert_null (refused);
  g_clear_error (&error);
  g_assert_cmpint (yatai_store_outbox_count (f->writer), ==, 1);

  /* The entry keeps the command itself, to re-submit it if this device loses the lease. */
  entries = yatai_store_outbox_peek (f->writer, 10, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (entries->len, ==, 1);
  entry = g_ptr_array_index (entries, 0);
  command = yatai_command_new_from_json (entry->command, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (yatai_command_get_kind (command), ==, "product.save");
  g_assert_cmpstr (yatai_command_get_id (command), ==, entry->command_id);
  g_assert_cmpuint (g_bytes_get_size (entry->changeset), >, 0);

  /* Without the journal, nothing goes to the outbox. */
  yatai_store_set_journal_enabled (f->writer, FALSE);
  save (f->writer, 0, "ラムネ", 10, NULL);
  g_assert_cmpint (yatai_store_outbox_count (f->writer), ==, 1);
}

static void
test_follower_converges (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(YataiProductList) list = yatai_product_list_new (f->follower);
  gint64 a, b;

  a = save (f->writer, 0, "焼きそば", 10, "フード");
  b = save (f->writer, 0, "ラムネ", 48, "ドリンク");
  ship (f);
  assert_same (f->writer, f->follower);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 2);

  save (f->writer, a, "焼きそば 大盛り", 9, "ドリンク");
  delete (f->writer, b);
  ship (f);
  assert_same (f->writer, f->follower);

  /* The follower's live model followed, and the unused tag is gone there too. */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 1);
  g_assert_cmpstr (yatai_product_get_name (yatai_product_list_find (list, a)), ==, "焼きそば 大盛り");
}

/* A product's reading goes with the changeset and the snapshot, like the product's other columns. */
static void
test_reading_travels (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) args = yatai_product_save_args (0, "唐揚げ", 400, 4, FALSE, NULL, NULL, TRUE);
  g_autoptr(JsonNode) result = NULL;
  g_autoptr(YataiProduct) product = NULL;
  g_autoptr(GBytes) snapshot = NULL;
  g_autoptr(YataiStore) restored = open_store (f, "restored.sqlite3");
  gint64 id;

  yatai_product_args_set_reading (args, "からあげ");
  result = yatai_store_run (f->writer, "product.save", args, &error);
  g_assert_no_error (error);
  id = json_object_get_int_member (json_node_get_object (result), "id");
  ship (f);
  assert_same (f->writer, f->follower);
  product = yatai_store_get_product (f->follower, id, &error);
  g_assert_cmpstr (yatai_product_get_reading (product), ==, "からあげ");
  g_clear_object (&product);

  /* An edit that does not name it keeps it on both. */
  save (f->writer, id, "唐揚げ 5個", 3, NULL);
  ship (f);
  assert_same (f->writer, f->follower);
  product = yatai_store_get_product (f->follower, id, &error);
  g_assert_cmpstr (yatai_product_get_reading (product), ==, "からあげ");

  snapshot = yatai_store_snapshot (f->writer, &error);
  g_assert_no_error (error);
  g_assert_true (yatai_store_restore (restored, snapshot, NULL, &error));
  g_assert_no_error (error);
  assert_same (f->writer, restored);
}

/* The writer's cascades (a deleted product's lines lose their product id) travel in the changeset. */
static void
test_cascades_travel (Fixture       *f,
                      gconstpointer  data)
{
  const char *order_sql =
    "INSERT INTO orders (id, call_number, business_day, customer, note, total, paid, status, created, updated) "
    "VALUES (1, 1, '2026-11-24', '', '', 900, 1000, 'completed', 0, 0);"
    "INSERT INTO order_lines VALUES (1, 1, 1, 'たこ焼き', 450, 2, 0);";
  gint64 id;

  id = save (f->writer, 0, "たこ焼き", 10, "フード");
  g_assert_cmpint (id, ==, 1);
  ship (f);
  g_assert_true (yatai_store_exec (f->writer, order_sql, NULL));
  g_assert_true (yatai_store_exec (f->follower, order_sql, NULL));

  delete (f->writer, id);
  ship (f);
  assert_same (f->writer, f->follower);
}

static void
test_conflict_refused (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GBytes) garbage = g_bytes_new_static ("\x12\x34garbage", 9);
  g_autoptr(GPtrArray) one = g_ptr_array_new ();
  const char *position1[] = { "sync_seq", "1", NULL };
  const char *position2[] = { "sync_seq", "2", NULL };
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *position = NULL;
  YataiOutboxEntry *entry;

  save (f->writer, 0, "焼きそば", 10, "フード");
  entries = yatai_store_outbox_peek (f->writer, 10, &error);
  entry = g_ptr_array_index (entries, 0);

  g_ptr_array_add (one, entry->changeset);
  g_assert_true (yatai_store_apply_changesets (f->follower, one, position1, &error));
  g_assert_no_error (error);
  before = yatai_store_dump_canonical (f->follower, NULL);

  /* The same changeset again does not fit: refused whole, nothing changed, the position neither. */
  g_assert_false (yatai_store_apply_changesets (f->follower, one, position2, &error));
  g_assert_error (error, YATAI_STORE_ERROR, YATAI_STORE_ERROR_CORRUPT);
  g_clear_error (&error);

  /* A good changeset followed by garbage: none of it is applied. */
  save (f->writer, 0, "ラムネ", 10, NULL);
  g_clear_pointer (&entries, g_ptr_array_unref);
  entries = yatai_store_outbox_peek (f->writer, 10, &error);
  g_ptr_array_set_size (one, 0);
  g_ptr_array_add (one, ((YataiOutboxEntry *) g_ptr_array_index (entries, 1))->changeset);
  g_ptr_array_add (one, garbage);
  g_assert_false (yatai_store_apply_changesets (f->follower, one, position2, &error));
  g_assert_error (error, YATAI_STORE_ERROR, YATAI_STORE_ERROR_CORRUPT);

  position = yatai_store_get_local (f->follower, "sync_seq");
  g_assert_cmpstr (position, ==, "1");

  after = yatai_store_dump_canonical (f->follower, NULL);
  g_assert_cmpstr (before, ==, after);
}

static void
test_snapshot_restore (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) snapshot = NULL;
  g_autoptr(YataiProductList) list = yatai_product_list_new (f->follower);
  g_autofree char *device = g_strdup (yatai_store_get_device_id (f->follower));

  for (int i = 0; i < 50; i++)
    {
      g_autofree char *name = g_strdup_printf ("商品 %d", i);
      save (f->writer, 0, name, i, i % 2 ? "奇数" : "偶数");
    }
  save (f->follower, 0, "this disappears", 1, NULL);

  snapshot = yatai_store_snapshot (f->writer, &error);
  g_assert_no_error (error);
  g_assert_true (yatai_store_restore (f->follower, snapshot, NULL, &error));
  g_assert_no_error (error);

  assert_same (f->writer, f->follower);
  g_assert_cmpstr (yatai_store_get_device_id (f->follower), ==, device);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 50);

  /* The snapshot carries neither the writer's identity nor its outbox. */
  g_assert_cmpint (yatai_store_outbox_count (f->follower), ==, 0);

  /* And the restored store goes on following. */
  save (f->writer, 0, "new after snapshot", 1, NULL);
  {
    g_autoptr(GPtrArray) entries = yatai_store_outbox_peek (f->writer, 100, &error);
    g_autoptr(GPtrArray) last = g_ptr_array_new ();

    g_ptr_array_add (last, ((YataiOutboxEntry *) g_ptr_array_index (entries, entries->len - 1))->changeset);
    g_assert_true (yatai_store_apply_changesets (f->follower, last, NULL, &error));
    g_assert_no_error (error);
  }
  assert_same (f->writer, f->follower);
}

static void
test_bad_snapshot_refused (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) snapshot = NULL;
  g_autoptr(GBytes) truncated = NULL;
  g_autoptr(GBytes) garbage = g_bytes_new_static ("SQLite format 3\0 and then nothing much", 38);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;

  save (f->writer, 0, "焼きそば", 10, NULL);
  save (f->follower, 0, "kept", 1, NULL);
  before = yatai_store_dump_canonical (f->follower, NULL);

  snapshot = yatai_store_snapshot (f->writer, &error);
  g_assert_no_error (error);
  truncated = g_bytes_new_from_bytes (snapshot, 0, g_bytes_get_size (snapshot) / 2);

  g_assert_false (yatai_store_restore (f->follower, truncated, NULL, &error));
  g_assert_error (error, YATAI_STORE_ERROR, YATAI_STORE_ERROR_CORRUPT);
  g_clear_error (&error);
  g_assert_false (yatai_store_restore (f->follower, garbage, NULL, &error));
  g_assert_error (error, YATAI_STORE_ERROR, YATAI_STORE_ERROR_CORRUPT);

  after = yatai_store_dump_canonical (f->follower, NULL);
  g_assert_cmpstr (before, ==, after);
}

/* A snapshot whose rows break the schema's rules, or whose index says other than its table, is refused
 * before anything of it is copied: the restore copies b-trees as they are once they are checked. */
static void
test_inconsistent_snapshot_refused (Fixture       *f,
                                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) snapshot = NULL;
  g_autoptr(GBytes) negative = NULL;
  g_autoptr(GBytes) lying_index = NULL;
  g_autofree char *before = NULL;

  for (int i = 0; i < 20; i++)
    {
      g_autofree char *name = g_strdup_printf ("商品 %d", i);
      save (f->writer, 0, name, 100 + i, i % 2 ? "奇数" : "偶数");
    }
  save (f->follower, 0, "kept", 1, NULL);
  before = yatai_store_dump_canonical (f->follower, NULL);
  snapshot = yatai_store_snapshot (f->writer, &error);
  g_assert_no_error (error);

  /* A price below zero, which the schema's CHECK forbids. */
  negative = snapshot_image_tamper (snapshot, "UPDATE products SET price = -1 WHERE rowid = 3");
  g_assert_false (yatai_store_restore (f->follower, negative, NULL, &error));
  g_assert_error (error, YATAI_STORE_ERROR, YATAI_STORE_ERROR_CORRUPT);
  g_clear_error (&error);

  /* The tag index declared over another column than the one its entries were made from. */
  lying_index = snapshot_image_tamper (snapshot, "UPDATE sqlite_schema SET sql = replace (sql, '(tag_id)', '(product_id)') "
                                                 "WHERE name = 'product_tags_tag'");
  g_assert_false (yatai_store_restore (f->follower, lying_index, NULL, &error));
  g_assert_error (error, YATAI_STORE_ERROR, YATAI_STORE_ERROR_CORRUPT);

  {
    g_autofree char *after = yatai_store_dump_canonical (f->follower, NULL);
    g_assert_cmpstr (before, ==, after);
  }

  /* The snapshot as it was restores. */
  g_clear_error (&error);
  g_assert_true (yatai_store_restore (f->follower, snapshot, NULL, &error));
  g_assert_no_error (error);
  assert_same (f->writer, f->follower);
}

/* A command from another device that the writer refuses is recorded, travels back through the log, and
 * is never tried twice; the sender learns why in words. */
static void
test_refusal_travels (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) args = yatai_product_save_args (0, "焼きそば", 1, 1, FALSE, NULL, NULL, TRUE);
  g_autoptr(YataiCommand) command = yatai_command_new ("product.save", args);
  g_autoptr(JsonNode) result = NULL;
  g_autoptr(JsonNode) looked_up = NULL;

  save (f->writer, 0, "焼きそば", 10, NULL);
  yatai_command_set_device (command, yatai_store_get_device_id (f->follower));

  g_assert_false (yatai_store_lookup_command (f->follower, yatai_command_get_id (command), NULL, &error));
  g_assert_no_error (error);

  result = yatai_store_execute (f->writer, command, &error);
  g_assert_null (result);
  g_assert_error (error, YATAI_STORE_ERROR, YATAI_STORE_ERROR_DUPLICATE);
  g_clear_error (&error);

  /* Sent again: the same answer, without a second try. */
  g_assert_null (yatai_store_execute (f->writer, command, &error));
  g_assert_error (error, YATAI_STORE_ERROR, YATAI_STORE_ERROR_DUPLICATE);
  g_assert_cmpstr (error->message, ==, "A product with this name already exists.");
  g_clear_error (&error);

  ship (f);
  g_assert_true (yatai_store_lookup_command (f->follower, yatai_command_get_id (command), &looked_up, &error));
  g_assert_error (error, YATAI_STORE_ERROR, YATAI_STORE_ERROR_DUPLICATE);
  g_assert_null (looked_up);
  g_clear_error (&error);

  /* This device's own mistakes are not recorded: the form shows them, and a retry may succeed. */
  g_assert_cmpint (yatai_store_outbox_count (f->writer), ==, 0);
  {
    g_autoptr(JsonObject) bad = yatai_product_save_args (0, "", 1, 1, FALSE, NULL, NULL, TRUE);
    g_autoptr(JsonNode) none = yatai_store_run (f->writer, "product.save", bad, &error);

    g_assert_null (none);
    g_clear_error (&error);
    g_assert_cmpint (yatai_store_outbox_count (f->writer), ==, 0);
  }
}

/* A picture as the store keeps it: PNG's signature, then 150 KB (a photo's size) that compress badly. */
static GBytes *
make_picture (guint32 seed)
{
  static const guint8 png[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
  gsize size = 150 * 1024;
  guint8 *data = g_malloc (size);
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);

  memcpy (data, png, sizeof png);
  for (gsize i = sizeof png; i < size; i++)
    data[i] = g_rand_int (rand) & 0xff;
  return g_bytes_new_take (data, size);
}

static gint64
save_picture (YataiStore *store,
              gint64      id,
              const char *name,
              GBytes     *picture,
              gboolean    keep)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) args = yatai_product_save_args (id, name, 500, 80, FALSE, NULL, picture, keep);
  g_autoptr(JsonNode) result = yatai_store_run (store, "product.save", args, &error);

  g_assert_no_error (error);
  return json_object_get_int_member (json_node_get_object (result), "id");
}

static gint64
count_rows (YataiStore *store,
            const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  gint64 n = -1;

  g_assert_cmpint (sqlite3_prepare_v2 (yatai_store_get_db (store), sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    n = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return n;
}

static void
assert_picture (YataiStore *store,
                gint64      id,
                GBytes     *expected)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(YataiProduct) product = yatai_store_get_product (store, id, &error);

  g_assert_no_error (error);
  g_assert_nonnull (product);
  if (expected == NULL)
    g_assert_null (yatai_product_get_picture (product));
  else
    {
      g_assert_nonnull (yatai_product_get_picture (product));
      g_assert_true (g_bytes_equal (yatai_product_get_picture (product), expected));
    }
}

/* The tables a changeset changes, each named once per change, in order ("products,order_lines,…"). */
static char *
changeset_tables (GBytes *changeset)
{
  GString *tables = g_string_new (NULL);
  sqlite3_changeset_iter *iter = NULL;
  gsize size;
  gconstpointer data = g_bytes_get_data (changeset, &size);

  g_assert_cmpint (sqlite3changeset_start (&iter, size, (void *) data), ==, SQLITE_OK);
  while (sqlite3changeset_next (iter) == SQLITE_ROW)
    {
      const char *table;
      int n_columns, op, indirect;

      g_assert_cmpint (sqlite3changeset_op (iter, &table, &n_columns, &op, &indirect), ==, SQLITE_OK);
      g_string_append_printf (tables, "%s%s", tables->len > 0 ? "," : "", table);
    }
  g_assert_cmpint (sqlite3changeset_finalize (iter), ==, SQLITE_OK);
  return g_string_free (tables, FALSE);
}

static gboolean
bytes_contain (GBytes *haystack,
               GBytes *needle)
{
  gsize size, needle_size;
  gconstpointer data = g_bytes_get_data (haystack, &size);
  gconstpointer part = g_bytes_get_data (needle, &needle_size);

  /* 4 KB from the middle of the picture: any copy of it has them. */
  return memmem (data, size, (const guint8 *) part + needle_size / 2, 4096) != NULL;
}

/* A confirm updates the product's stock: its changeset holds the products row, not the picture. */
static void
test_confirm_leaves_picture (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) picture = make_picture (1);
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(JsonObject) args = NULL;
  g_autoptr(JsonNode) result = NULL;
  g_autofree char *tables = NULL;
  YataiOutboxEntry *saved, *confirmed;
  YataiCartLine line;

  line.product_id = save_picture (f->writer, 0, "焼きそば", picture, FALSE);
  line.quantity = 2;
  args = yatai_order_confirm_args (&line, 1, "", "", 1000, FALSE, 5);
  result = yatai_store_run (f->writer, "order.confirm", args, &error);
  g_assert_no_error (error);

  entries = yatai_store_outbox_peek (f->writer, 10, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (entries->len, ==, 2);
  saved = g_ptr_array_index (entries, 0);
  confirmed = g_ptr_array_index (entries, 1);

  /* The save carries the picture once; the confirm does not carry it at all. */
  g_assert_true (bytes_contain (saved->changeset, picture));
  g_assert_false (bytes_contain (confirmed->changeset, picture));
  g_assert_cmpuint (g_bytes_get_size (confirmed->changeset), <, 4096);
  tables = changeset_tables (confirmed->changeset);
  g_test_message ("confirm's changeset: %" G_GSIZE_FORMAT " bytes, %s", g_bytes_get_size (confirmed->changeset), tables);
  g_assert_null (strstr (tables, "product_pictures"));
  g_assert_nonnull (strstr (tables, "products"));

  ship (f);
  assert_same (f->writer, f->follower);
  assert_picture (f->follower, line.product_id, picture);
}

/* The pages a commit writes (SQLite's count for this connection) while @kind runs with @args. */
static int
pages_written (YataiStore *store,
               const char *kind,
               JsonObject *args)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) result = NULL;
  int before = 0, after = 0, high = 0;

  g_assert_cmpint (sqlite3_db_status (yatai_store_get_db (store), SQLITE_DBSTATUS_CACHE_WRITE, &before, &high, 0), ==, SQLITE_OK);
  result = yatai_store_run (store, kind, args, &error);
  g_assert_no_error (error);
  g_assert_cmpint (sqlite3_db_status (yatai_store_get_db (store), SQLITE_DBSTATUS_CACHE_WRITE, &after, &high, 0), ==, SQLITE_OK);
  return after - before;
}

/* Confirming a product with a photo writes no more pages than one without: the stock and the time it
 * changes are no longer on the picture's last overflow page (schema 9; two more pages a confirm
 * before: 40 more in 20 confirms). Two stores, journaled, run the same commands but for the picture;
 * the commands' random ids split applied_commands' pages at different times, a few pages either way. */
static void
test_confirm_pages (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GBytes) picture = make_picture (6);
  g_autoptr(YataiStore) plain = open_store (f, "plain.sqlite3");
  YataiCartLine line = { 0, 1 };
  int pages_with = 0, pages_without = 0;

  yatai_store_set_journal_enabled (plain, TRUE);
  line.product_id = save_picture (f->writer, 0, "焼きそば", picture, FALSE);
  g_assert_cmpint (save_picture (plain, 0, "焼きそば", NULL, TRUE), ==, line.product_id);
  for (int i = 0; i < 20; i++)
    {
      g_autoptr(JsonObject) args = yatai_order_confirm_args (&line, 1, "", "", 500, FALSE, 5);

      pages_with += pages_written (f->writer, "order.confirm", args);
      pages_without += pages_written (plain, "order.confirm", args);
    }
  g_test_message ("pages written by 20 confirms: %d with a picture, %d without", pages_with, pages_without);
  g_assert_cmpint (pages_without, >, 0);
  g_assert_cmpint (pages_with, <, pages_without + 10);
}

/* A picture reaches a follower, an edit that keeps it (or sends it again) does not carry it, a new one
 * replaces it, and removing it or deleting the product (a cascade) removes the follower's row too. */
static void
test_picture_travels (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) first = make_picture (2);
  g_autoptr(GBytes) second = make_picture (3);
  g_autoptr(GPtrArray) entries = NULL;
  gint64 id, other;

  id = save_picture (f->writer, 0, "たこ焼き", first, FALSE);
  other = save_picture (f->writer, 0, "ラムネ", NULL, TRUE);
  ship (f);
  assert_same (f->writer, f->follower);
  assert_picture (f->follower, id, first);
  assert_picture (f->follower, other, NULL);
  g_assert_cmpint (count_rows (f->follower, "SELECT count(*) FROM product_pictures"), ==, 1);

  /* Kept, or the same bytes again (what an older editor sends): the changeset has no picture. */
  save_picture (f->writer, id, "たこ焼き (8個)", NULL, TRUE);
  save_picture (f->writer, id, "たこ焼き (8個)", first, FALSE);
  entries = yatai_store_outbox_peek (f->writer, 10, &error);
  g_assert_cmpuint (entries->len, ==, 2);
  for (guint i = 0; i < entries->len; i++)
    {
      GBytes *changeset = ((YataiOutboxEntry *) g_ptr_array_index (entries, i))->changeset;
      g_autofree char *tables = changeset_tables (changeset);

      g_assert_false (bytes_contain (changeset, first));
      g_assert_null (strstr (tables, "product_pictures"));
    }
  g_clear_pointer (&entries, g_ptr_array_unref);
  ship (f);
  assert_same (f->writer, f->follower);
  assert_picture (f->follower, id, first);

  save_picture (f->writer, id, "たこ焼き (8個)", second, FALSE);
  ship (f);
  assert_same (f->writer, f->follower);
  assert_picture (f->follower, id, second);

  save_picture (f->writer, id, "たこ焼き (8個)", NULL, FALSE);
  ship (f);
  assert_same (f->writer, f->follower);
  assert_picture (f->follower, id, NULL);
  g_assert_cmpint (count_rows (f->follower, "SELECT count(*) FROM product_pictures"), ==, 0);

  /* Deleting a product with a picture: the writer's cascade is in the changeset (the follower applies
   * with foreign keys off), so the follower keeps no orphan picture. */
  save_picture (f->writer, other, "ラムネ", first, FALSE);
  ship (f);
  g_assert_cmpint (count_rows (f->follower, "SELECT count(*) FROM product_pictures"), ==, 1);
  delete (f->writer, other);
  entries = yatai_store_outbox_peek (f->writer, 10, &error);
  {
    g_autofree char *tables = changeset_tables (((YataiOutboxEntry *) g_ptr_array_index (entries, 0))->changeset);
    g_assert_nonnull (strstr (tables, "product_pictures"));
  }
  ship (f);
  assert_same (f->writer, f->follower);
  g_assert_cmpint (count_rows (f->follower, "SELECT count(*) FROM product_pictures"), ==, 0);
  g_assert_cmpint (count_rows (f->follower, "SELECT count(*) FROM pragma_foreign_key_check"), ==, 0);
}

/* A restore brings the pictures, and a product that had none stays without one. */
static void
test_restore_pictures (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) first = make_picture (4);
  g_autoptr(GBytes) second = make_picture (5);
  g_autoptr(GBytes) snapshot = NULL;
  gint64 a, b, c;

  a = save_picture (f->writer, 0, "焼きそば", first, FALSE);
  b = save_picture (f->writer, 0, "ラムネ", NULL, TRUE);
  c = save_picture (f->writer, 0, "りんご飴", second, FALSE);
  save_picture (f->follower, 0, "this disappears", second, FALSE);

  snapshot = yatai_store_snapshot (f->writer, &error);
  g_assert_no_error (error);
  g_assert_true (yatai_store_restore (f->follower, snapshot, NULL, &error));
  g_assert_no_error (error);

  assert_same (f->writer, f->follower);
  assert_picture (f->follower, a, first);
  assert_picture (f->follower, b, NULL);
  assert_picture (f->follower, c, second);
  g_assert_cmpint (count_rows (f->follower, "SELECT count(*) FROM product_pictures"), ==, 2);
}

/* A changeset of another schema's products (schema 8 still had the picture column) is refused, not
 * applied into the columns at the same places or skipped without a word. */
static void
test_other_schema_refused (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) changesets = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autofree char *path = g_build_filename (f->dir, "v8.sqlite3", NULL);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  sqlite3 *db = NULL;
  sqlite3_session *session = NULL;
  void *data_out = NULL;
  int size = 0;

  save (f->follower, 0, "焼きそば", 10, NULL);
  before = yatai_store_dump_canonical (f->follower, NULL);

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  for (int v = 1; v <= 8; v++)
    g_assert_cmpint (sqlite3_exec (db, yatai_schema_migration_sql (v), NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "INSERT INTO products (id, name, price, stock, created, updated) "
                                     "VALUES (1, '焼きそば', 100, 10, 5, 5)", NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3session_create (db, "main", &session), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3session_attach (session, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "UPDATE products SET stock = 8, updated = 6 WHERE id = 1", NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3session_changeset (session, &size, &data_out), ==, SQLITE_OK);
  g_assert_cmpint (size, >, 0);
  g_ptr_array_add (changesets, g_bytes_new (data_out, size));
  sqlite3_free (data_out);
  sqlite3session_delete (session);
  sqlite3_close (db);

  g_assert_false (yatai_store_apply_changesets (f->follower, changesets, NULL, &error));
  g_assert_error (error, YATAI_STORE_ERROR, YATAI_STORE_ERROR_CORRUPT);
  after = yatai_store_dump_canonical (f->follower, NULL);
  g_assert_cmpstr (before, ==, after);
}

/* Every table is either carried by sync or deliberately local. */
static void
test_synced_tables_complete (Fixture       *f,
                             gconstpointer  data)
{
  const char * const *synced = yatai_store_synced_tables ();
  const char *local[] = { "local_meta", "outbox", NULL };
  sqlite3_stmt *stmt = NULL;
  guint n_tables = 0;

  g_assert_cmpint (sqlite3_prepare_v2 (yatai_store_get_db (f->writer),
                                       "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      const char *name = (const char *) sqlite3_column_text (stmt, 0);

      g_test_message ("table %s", name);
      g_assert_true (g_strv_contains (synced, name) || g_strv_contains (local, name));
      n_tables++;
    }
  sqlite3_finalize (stmt);
  g_assert_cmpuint (n_tables, ==, g_strv_length ((char **) synced) + 2);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/journal/outbox-in-same-transaction", test_outbox_in_same_transaction);
  ADD ("/journal/reading-travels", test_reading_travels);
  ADD ("/journal/follower-converges", test_follower_converges);
  ADD ("/journal/cascades-travel", test_cascades_travel);
  ADD ("/journal/conflict-refused", test_conflict_refused);
  ADD ("/journal/snapshot-restore", test_snapshot_restore);
  ADD ("/journal/bad-snapshot-refused", test_bad_snapshot_refused);
  ADD ("/journal/inconsistent-snapshot-refused", test_inconsistent_snapshot_refused);
  ADD ("/journal/synced-tables-complete", test_synced_tables_complete);
  ADD ("/journal/refusal-travels", test_refusal_travels);
  ADD ("/journal/confirm-leaves-picture", test_confirm_leaves_picture);
  ADD ("/journal/confirm-pages", test_confirm_pages);
  ADD ("/journal/picture-travels", test_picture_travels);
  ADD ("/journal/restore-pictures", test_restore_pictures);
  ADD ("/journal/other-schema-refused", test_other_schema_refused);
#undef ADD

  return g_test_run ();
}
