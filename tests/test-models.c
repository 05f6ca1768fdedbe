/* test-models.c: the live models follow every committed change, with the smallest update */
#include "config.h"

#include <glib/gstdio.h>

#include "yatai-cart.h"
#include "yatai-models.h"
#include "yatai-store-products.h"

typedef struct
{
  guint position, removed, added, calls;
} Signal;

static void
items_changed_cb (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  Signal     *s)
{
  s->position = position;
  s->removed = removed;
  s->added = added;
  s->calls++;
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
test_product_list (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("yatai-test-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "store.sqlite3", NULL);
  g_autoptr(YataiStore) store = yatai_store_open (path, &error);
  g_autoptr(YataiProductList) list = NULL;
  g_autoptr(YataiProduct) item = NULL;
  g_autoptr(JsonObject) del = json_object_new ();
  g_autoptr(JsonNode) result = NULL;
  Signal s = { 0 };
  gint64 a, b, c;

  g_assert_no_error (error);
  a = save (store, 0, "焼きそば", 80, NULL);
  b = save (store, 0, "ラムネ", 3, NULL);

  list = yatai_product_list_new (store);
  g_signal_connect (list, "items-changed", G_CALLBACK (items_changed_cb), &s);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 2);
  g_assert_cmpuint (yatai_product_list_get_n_in_stock (list), ==, 1);
  g_assert_cmpuint (yatai_product_list_get_n_low (list), ==, 1);
  g_assert_cmpuint (yatai_product_list_get_n_out (list), ==, 0);

  /* A new product is added at the end, alone. */
  c = save (store, 0, "緑茶", 0, NULL);
  g_assert_cmpuint (s.calls, ==, 1);
  g_assert_cmpuint (s.position, ==, 2);
  g_assert_cmpuint (s.removed, ==, 0);
  g_assert_cmpuint (s.added, ==, 1);
  g_assert_cmpuint (yatai_product_list_get_n_out (list), ==, 1);

  /* An edit replaces exactly that one item. */
  save (store, b, "ラムネ (瓶)", 30, NULL);
  g_assert_cmpuint (s.calls, ==, 2);
  g_assert_cmpuint (s.position, ==, 1);
  g_assert_cmpuint (s.removed, ==, 1);
  g_assert_cmpuint (s.added, ==, 1);
  item = g_list_model_get_item (G_LIST_MODEL (list), 1);
  g_assert_cmpstr (yatai_product_get_name (item), ==, "ラムネ (瓶)");
  g_assert_cmpuint (yatai_product_list_get_n_in_stock (list), ==, 2);
  g_assert_cmpuint (yatai_product_list_get_n_low (list), ==, 0);

  /* A delete removes it. */
  json_object_set_int_member (del, "id", a);
  result = yatai_store_run (store, "product.delete", del, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (s.calls, ==, 3);
  g_assert_cmpuint (s.position, ==, 0);
  g_assert_cmpuint (s.removed, ==, 1);
  g_assert_cmpuint (s.added, ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 2);
  g_assert_null (yatai_product_list_find (list, a));
  g_assert_nonnull (yatai_product_list_find (list, c));

  /* A refused change says nothing. */
  g_clear_pointer (&result, json_node_unref);
  result = yatai_store_run (store, "product.delete", del, &error);
  g_assert_nonnull (error);
  g_assert_cmpuint (s.calls, ==, 3);
}

static void
test_tag_list (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("yatai-test-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "store.sqlite3", NULL);
  g_autoptr(YataiStore) store = yatai_store_open (path, &error);
  g_autoptr(YataiTagList) tags = yatai_tag_list_new (store);
  g_autoptr(YataiTag) tag = NULL;
  Signal s = { 0 };
  gint64 a;

  g_signal_connect (tags, "items-changed", G_CALLBACK (items_changed_cb), &s);

  a = save (store, 0, "焼きそば", 80, "フード");
  save (store, 0, "ラムネ", 3, "ドリンク");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (tags)), ==, 2);
  tag = g_list_model_get_item (G_LIST_MODEL (tags), 0);
  g_assert_cmpstr (yatai_tag_get_name (tag), ==, "ドリンク");
  g_assert_cmpuint (yatai_tag_get_n_products (tag), ==, 1);

  /* Moving the only product of a tag to another tag makes the old one disappear. */
  save (store, a, "焼きそば", 80, "ドリンク");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (tags)), ==, 1);
  g_clear_object (&tag);
  tag = g_list_model_get_item (G_LIST_MODEL (tags), 0);
  g_assert_cmpuint (yatai_tag_get_n_products (tag), ==, 2);
}

/* What a customer likely hands over for a total, besides the exact amount. */
static void
test_cash_amounts (void)
{
  static const struct { gint64 total; guint n; gint64 amounts[3]; } cases[] = {
    { 1650, 3, { 2000, 5000, 10000 } },
    { 1200, 3, { 2000, 5000, 10000 } },
    { 4500, 2, { 5000, 10000 } },
    { 5000, 2, { 6000, 10000 } },
    { 9800, 1, { 10000 } },
    { 10000, 3, { 11000, 15000, 20000 } },
    { 12300, 3, { 13000, 15000, 20000 } },
    { 0, 3, { 1000, 5000, 10000 } },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      gint64 amounts[YATAI_CASH_AMOUNTS_MAX] = { 0 };
      guint n = yatai_cart_cash_amounts (cases[i].total, amounts);

      g_test_message ("total %" G_GINT64_FORMAT, cases[i].total);
      g_assert_cmpuint (n, ==, cases[i].n);
      for (guint k = 0; k < n; k++)
        g_assert_cmpint (amounts[k], ==, cases[i].amounts[k]);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/models/cash-amounts", test_cash_amounts);
  g_test_add_func ("/models/product-list", test_product_list);
  g_test_add_func ("/models/tag-list", test_tag_list);

  return g_test_run ();
}
