/* test-journal.c: changesets in the outbox, applied on another store; snapshots and restoring */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <sqlite3.h>

#include "snapshot-image.h"
#include "yatai-models.h"
#include "yatai-store-journal.h"
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
#undef ADD

  return g_test_run ();
}
