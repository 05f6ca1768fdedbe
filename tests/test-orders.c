/* test-orders.c: taking orders and moving them through the kitchen, in the store (no display) */
#include "config.h"

#include <glib/gstdio.h>

#include "yatai-order-list.h"
#include "yatai-store-journal.h"
#include "yatai-store-orders.h"
#include "yatai-store-products.h"

typedef struct
{
  char       *dir;
  char       *path;
  YataiStore *store;
  gint64      now;   /* the store's clock, µs */
} Fixture;

static gint64
test_clock (gpointer data)
{
  return ((Fixture *) data)->now;
}

/* 2026-11-24 10:00 in Tokyo (the tests run with TZ=Asia/Tokyo). */
#define MORNING G_GINT64_CONSTANT (1795482000000000)
#define MINUTE  (G_GINT64_CONSTANT (60) * G_USEC_PER_SEC)
#define HOUR    (60 * MINUTE)

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("yatai-orders-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "store.sqlite3", NULL);
  f->store = yatai_store_open (f->path, &error);
  g_assert_no_error (error);
  f->now = MORNING;
  yatai_store_set_clock (f->store, test_clock, f);
  yatai_store_set_device_name (f->store, "Counter PC");
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  g_clear_object (&f->store);
  dir = g_dir_open (f->dir, 0, NULL);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (f->dir, name, NULL);

      g_unlink (path);
    }
  g_rmdir (f->dir);
  g_free (f->path);
  g_free (f->dir);
}

static JsonNode *
run (YataiStore  *store,
     const char  *kind,
     JsonObject  *args,
     GError     **error)
{
  g_autoptr(YataiCommand) command = yatai_command_new (kind, args);

  return yatai_store_execute (store, command, error);
}

static gint64
add_product (Fixture    *f,
             const char *name,
             gint64      price,
             gint64      stock)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) args = yatai_product_save_args (0, name, price, stock, FALSE, NULL, NULL, FALSE);
  g_autoptr(JsonNode) result = run (f->store, "product.save", args, &error);

  g_assert_no_error (error);
  return json_object_get_int_member (json_node_get_object (result), "id");
}

static JsonNode *
confirm (YataiStore  *store,
         gint64       product_id,
         gint64       quantity,
         gint64       paid,
         GError     **error)
{
  YataiCartLine line = { product_id, quantity };
  g_autoptr(JsonObject) args = yatai_order_confirm_args (&line, 1, "", "", paid, FALSE, 5);

  return run (store, "order.confirm", args, error);
}

static gint64
member (JsonNode   *node,
        const char *name)
{
  return json_object_get_int_member (json_node_get_object (node), name);
}

static gint64
stock_of (Fixture *f,
          gint64   id)
{
  g_autoptr(YataiProduct) product = yatai_store_get_product (f->store, id, NULL);

  return yatai_product_get_stock (product);
}

/* Call numbers run 1, 2, 3 and start again at 1 when the business day changes at 05:00. */
static void
test_call_numbers (Fixture       *f,
                   gconstpointer  data)
{
  gint64 yakisoba = add_product (f, "焼きそば", 500, 1000);
  gint64 expected[] = { 1, 2, 3 };

  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) result = confirm (f->store, yakisoba, 1, 500, &error);

      g_assert_no_error (error);
      g_assert_cmpint (member (result, "call_number"), ==, expected[i]);
      g_assert_cmpstr (json_object_get_string_member (json_node_get_object (result), "business_day"), ==, "2026-11-24");
      f->now += 10 * MINUTE;
    }

  /* 04:59 the next morning still belongs to the 24th. */
  f->now = MORNING + 18 * HOUR + 59 * MINUTE;
  {
    g_autoptr(JsonNode) result = confirm (f->store, yakisoba, 1, 500, NULL);

    g_assert_cmpint (member (result, "call_number"), ==, 4);
    g_assert_cmpstr (json_object_get_string_member (json_node_get_object (result), "business_day"), ==, "2026-11-24");
  }

  /* 05:00: a new business day. */
  f->now = MORNING + 19 * HOUR;
  {
    g_autoptr(JsonNode) result = confirm (f->store, yakisoba, 1, 500, NULL);

    g_assert_cmpint (member (result, "call_number"), ==, 1);
    g_assert_cmpstr (json_object_get_string_member (json_node_get_object (result), "business_day"), ==, "2026-11-25");
  }
  {
    g_autoptr(JsonNode) result = confirm (f->store, yakisoba, 1, 500, NULL);

    g_assert_cmpint (member (result, "call_number"), ==, 2);
  }
}

typedef struct
{
  const char *path;
  gint64      product_id;
  guint       sold;
  guint       refused;
} Seller;

/* Both counters open their store, then start selling together. */
static GMutex gate_mutex;
static GCond gate_cond;
static guint gate_waiting;

static void
wait_at_gate (void)
{
  g_mutex_lock (&gate_mutex);
  gate_waiting++;
  g_cond_broadcast (&gate_cond);
  while (gate_waiting < 2)
    g_cond_wait (&gate_cond, &gate_mutex);
  g_mutex_unlock (&gate_mutex);
}

static gpointer
sell_until_refused (gpointer data)
{
  Seller *seller = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(YataiStore) store = yatai_store_open (seller->path, &error);

  g_assert_no_error (error);
  wait_at_gate ();
  for (;;)
    {
      g_autoptr(GError) refusal = NULL;
      g_autoptr(JsonNode) result = confirm (store, seller->product_id, 1, 500, &refusal);

      if (result != NULL)
        {
          seller->sold++;
          continue;
        }
      g_assert_error (refusal, YATAI_STORE_ERROR, YATAI_STORE_ERROR_OUT_OF_STOCK);
      seller->refused++;
      if (seller->refused == 3)
        return NULL;
    }
}

/* Two connections confirming at once against a stock of 600 sell exactly 600, then refuse. */
static void
test_concurrent_stock (Fixture       *f,
                       gconstpointer  data)
{
  gint64 id = add_product (f, "たこ焼き", 500, 600);
  Seller a = { f->path, id, 0, 0 };
  Seller b = { f->path, id, 0, 0 };
  GThread *ta = g_thread_new ("counter-a", sell_until_refused, &a);
  GThread *tb = g_thread_new ("counter-b", sell_until_refused, &b);
  g_autoptr(GPtrArray) orders = NULL;

  g_thread_join (ta);
  g_thread_join (tb);
  g_test_message ("a sold %u, b sold %u", a.sold, b.sold);
  g_assert_cmpuint (a.sold + b.sold, ==, 600);
  g_assert_cmpuint (a.sold, >, 0);
  g_assert_cmpuint (b.sold, >, 0);
  g_assert_cmpint (stock_of (f, id), ==, 0);

  orders = yatai_store_list_orders (f->store, YATAI_ORDER_QUERY_ACTIVE, 0, NULL);
  g_assert_cmpuint (orders->len, ==, 600);
  /* Every call number 1..600 once. */
  {
    g_autofree gboolean *seen = g_new0 (gboolean, 601);

    for (guint i = 0; i < orders->len; i++)
      {
        gint64 n = yatai_order_get_call_number (orders->pdata[i]);

        g_assert_cmpint (n, >=, 1);
        g_assert_cmpint (n, <=, 600);
        g_assert_false (seen[n]);
        seen[n] = TRUE;
      }
  }
}

/* A refused order changes nothing at all. */
static void
test_refused_changes_nothing (Fixture       *f,
                              gconstpointer  data)
{
  gint64 karaage = add_product (f, "唐揚げ", 400, 2);
  gint64 ramune = add_product (f, "ラムネ", 200, 10);
  YataiCartLine lines[] = { { ramune, 3 }, { karaage, 3 } };
  g_autoptr(JsonObject) args = yatai_order_confirm_args (lines, 2, "山田", "", 2000, FALSE, 5);
  g_autofree char *before = yatai_store_dump_canonical (f->store, NULL);
  g_autofree char *after = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) result = run (f->store, "order.confirm", args, &error);

  g_assert_null (result);
  g_assert_error (error, YATAI_STORE_ERROR, YATAI_STORE_ERROR_OUT_OF_STOCK);
  g_assert_nonnull (strstr (error->message, "唐揚げ"));
  after = yatai_store_dump_canonical (f->store, NULL);
  g_assert_cmpstr (before, ==, after);

  /* Not enough money is refused the same way, and so is too long a name. */
  {
    YataiCartLine one = { ramune, 1 };
    g_autoptr(JsonObject) short_args = yatai_order_confirm_args (&one, 1, "", "", 100, FALSE, 5);
    g_autoptr(GError) short_error = NULL;
    g_autoptr(JsonNode) short_result = run (f->store, "order.confirm", short_args, &short_error);
    g_autoptr(GString) name = g_string_new (NULL);
    g_autoptr(JsonObject) name_args = NULL;
    g_autoptr(GError) name_error = NULL;
    g_autoptr(JsonNode) name_result = NULL;
    g_autofree char *still = NULL;

    g_assert_error (short_error, YATAI_STORE_ERROR, YATAI_STORE_ERROR_REFUSED);
    for (int i = 0; i < 51; i++)
      g_string_append (name, "が");
    name_args = yatai_order_confirm_args (&one, 1, name->str, "", 200, FALSE, 5);
    name_result = run (f->store, "order.confirm", name_args, &name_error);
    g_assert_error (name_error, YATAI_STORE_ERROR, YATAI_STORE_ERROR_INVALID);
    still = yatai_store_dump_canonical (f->store, NULL);
    g_assert_cmpstr (before, ==, still);
  }
}

/* The total comes from the prices in the store, whatever the command says. */
static void
test_total_from_current_prices (Fixture       *f,
                                gconstpointer  data)
{
  gint64 yakisoba = add_product (f, "焼きそば", 500, 100);
  YataiCartLine line = { yakisoba, 2 };
  g_autoptr(JsonObject) args = yatai_order_confirm_args (&line, 1, "", "", 5000, FALSE, 5);
  g_autoptr(JsonNode) result = NULL;
  g_autoptr(YataiOrder) order = NULL;
  JsonObject *first;

  /* A forged price and total in the arguments are ignored. */
  first = json_array_get_object_element (json_object_get_array_member (args, "lines"), 0);
  json_object_set_int_member (first, "unit_price", 1);
  json_object_set_int_member (args, "total", 2);

  /* The price changes between adding to the cart and confirming. */
  {
    g_autoptr(JsonObject) save = yatai_product_save_args (yakisoba, "焼きそば", 600, 100, FALSE, NULL, NULL, TRUE);
    g_autoptr(JsonNode) saved = run (f->store, "product.save", save, NULL);

    g_assert_nonnull (saved);
  }
  result = run (f->store, "order.confirm", args, NULL);
  g_assert_cmpint (member (result, "total"), ==, 1200);
  g_assert_cmpint (member (result, "change"), ==, 3800);

  order = yatai_store_get_order (f->store, member (result, "id"), NULL);
  g_assert_cmpint (yatai_order_get_total (order), ==, 1200);
  g_assert_cmpint (yatai_order_get_line (order, 0)->unit_price, ==, 600);
  g_assert_cmpstr (yatai_order_get_line (order, 0)->name, ==, "焼きそば");
  g_assert_cmpint (stock_of (f, yakisoba), ==, 98);
}

/* A product deleted while it was in the cart is refused with its name. */
static void
test_deleted_product_named (Fixture       *f,
                            gconstpointer  data)
{
  gint64 yakisoba = add_product (f, "焼きそば", 500, 100);
  YataiCartLine line = { yakisoba, 1 };
  g_autoptr(JsonObject) args = yatai_order_confirm_args (&line, 1, "", "", 500, FALSE, 5);
  g_autoptr(JsonObject) del = json_object_new ();
  g_autoptr(JsonNode) deleted = NULL;
  g_autoptr(JsonNode) result = NULL;
  g_autoptr(GError) error = NULL;

  /* The cart knows the name the cashier saw. */
  json_object_set_string_member (json_array_get_object_element (json_object_get_array_member (args, "lines"), 0),
                                 "name", "焼きそば");
  json_object_set_int_member (del, "id", yakisoba);
  deleted = run (f->store, "product.delete", del, NULL);
  g_assert_nonnull (deleted);

  result = run (f->store, "order.confirm", args, &error);
  g_assert_null (result);
  g_assert_error (error, YATAI_STORE_ERROR, YATAI_STORE_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "焼きそば"));
}

static GError *
set_status (Fixture    *f,
            gint64      id,
            const char *status)
{
  g_autoptr(JsonObject) args = json_object_new ();
  g_autoptr(JsonNode) result = NULL;
  GError *error = NULL;

  json_object_set_int_member (args, "id", id);
  json_object_set_string_member (args, "status", status);
  result = run (f->store, "order.status", args, &error);
  return error;
}

static GError *
cancel (Fixture *f,
        gint64   id)
{
  g_autoptr(JsonObject) args = json_object_new ();
  g_autoptr(JsonNode) result = NULL;
  GError *error = NULL;

  json_object_set_int_member (args, "id", id);
  result = run (f->store, "order.cancel", args, &error);
  return error;
}

/* Every allowed and refused status move, and each move recorded with its time and device. */
static void
test_status_moves (Fixture       *f,
                   gconstpointer  data)
{
  gint64 yakisoba = add_product (f, "焼きそば", 500, 100);
  g_autoptr(JsonNode) result = confirm (f->store, yakisoba, 1, 500, NULL);
  gint64 id = member (result, "id");
  GError *error;
  sqlite3_stmt *stmt;

  g_assert_no_error (set_status (f, id, "processing"));
  g_assert_no_error (set_status (f, id, "pending"));     /* back */
  g_assert_no_error (set_status (f, id, "processing"));
  g_assert_no_error (set_status (f, id, "processing"));  /* the same again: nothing to do */
  g_assert_no_error (set_status (f, id, "completed"));
  g_assert_no_error (set_status (f, id, "processing"));  /* recall */
  g_assert_no_error (set_status (f, id, "completed"));

  error = set_status (f, id, "pending");                  /* two steps back */
  g_assert_error (error, YATAI_STORE_ERROR, YATAI_STORE_ERROR_REFUSED);
  g_clear_error (&error);
  error = set_status (f, id, "cancelled");                /* cancelling is its own operation */
  g_assert_error (error, YATAI_STORE_ERROR, YATAI_STORE_ERROR_INVALID);
  g_clear_error (&error);
  error = set_status (f, 999, "processing");
  g_assert_error (error, YATAI_STORE_ERROR, YATAI_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_no_error (cancel (f, id));
  error = set_status (f, id, "processing");
  g_assert_error (error, YATAI_STORE_ERROR, YATAI_STORE_ERROR_REFUSED);
  g_clear_error (&error);

  /* NULL→pending, 6 moves, the cancel: 8 changes, each with the device and the time. */
  stmt = NULL;
  g_assert_cmpint (sqlite3_prepare_v2 (yatai_store_get_db (f->store),
                                       "SELECT count(*), min(device), max(device), min(at) FROM status_changes WHERE order_id = ?",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_int64 (stmt, 1, id);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpint (sqlite3_column_int (stmt, 0), ==, 8);
  g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 1), ==, "Counter PC");
  g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 2), ==, "Counter PC");
  g_assert_cmpint (sqlite3_column_int64 (stmt, 3), ==, MORNING);
  sqlite3_finalize (stmt);
}

/* Cancelling puts the stock back once, however many times it is asked. */
static void
test_cancel_restores_once (Fixture       *f,
                           gconstpointer  data)
{
  gint64 yakisoba = add_product (f, "焼きそば", 500, 10);
  g_autoptr(JsonNode) result = confirm (f->store, yakisoba, 4, 2000, NULL);
  gint64 id = member (result, "id");
  GError *error;

  g_assert_cmpint (stock_of (f, yakisoba), ==, 6);
  g_assert_no_error (cancel (f, id));
  g_assert_cmpint (stock_of (f, yakisoba), ==, 10);
  error = cancel (f, id);
  g_assert_error (error, YATAI_STORE_ERROR, YATAI_STORE_ERROR_REFUSED);
  g_clear_error (&error);
  g_assert_cmpint (stock_of (f, yakisoba), ==, 10);
}

/* Recall brings back an order completed within 30 minutes, not one completed before. */
static void
test_recall_window (Fixture       *f,
                    gconstpointer  data)
{
  gint64 yakisoba = add_product (f, "焼きそば", 500, 10);
  g_autoptr(JsonNode) a = confirm (f->store, yakisoba, 1, 500, NULL);
  g_autoptr(JsonNode) b = confirm (f->store, yakisoba, 1, 500, NULL);
  GError *error;

  g_assert_no_error (set_status (f, member (a, "id"), "completed"));
  g_assert_no_error (set_status (f, member (b, "id"), "completed"));
  f->now += 30 * MINUTE;
  g_assert_no_error (set_status (f, member (a, "id"), "processing"));
  f->now += 1;
  error = set_status (f, member (b, "id"), "processing");
  g_assert_error (error, YATAI_STORE_ERROR, YATAI_STORE_ERROR_REFUSED);
  g_clear_error (&error);
}

/* The live lists follow every change: active orders oldest first, latest ones newest first. */
static void
test_order_lists (Fixture       *f,
                  gconstpointer  data)
{
  gint64 yakisoba = add_product (f, "焼きそば", 500, 100);
  g_autoptr(YataiOrderList) active = yatai_order_list_new (f->store, YATAI_ORDER_QUERY_ACTIVE, 0);
  g_autoptr(YataiOrderList) latest = yatai_order_list_new (f->store, YATAI_ORDER_QUERY_LATEST, 3);
  g_autoptr(YataiOrderList) done = yatai_order_list_new (f->store, YATAI_ORDER_QUERY_COMPLETED, MORNING);
  gint64 ids[5];

  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    {
      g_autoptr(JsonNode) result = confirm (f->store, yakisoba, 1, 500, NULL);

      ids[i] = member (result, "id");
      f->now += MINUTE;
    }
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (active)), ==, 5);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (latest)), ==, 3);
  {
    g_autoptr(YataiOrder) first = g_list_model_get_item (G_LIST_MODEL (latest), 0);
    g_autoptr(YataiOrder) oldest = g_list_model_get_item (G_LIST_MODEL (active), 0);

    g_assert_cmpint (yatai_order_get_id (first), ==, ids[4]);
    g_assert_cmpint (yatai_order_get_id (oldest), ==, ids[0]);
  }

  g_assert_no_error (set_status (f, ids[0], "completed"));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (active)), ==, 4);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (done)), ==, 1);
  g_assert_cmpint (yatai_order_get_status (yatai_order_list_find (latest, ids[4])), ==, YATAI_ORDER_PENDING);
  g_assert_no_error (set_status (f, ids[4], "processing"));
  g_assert_cmpint (yatai_order_get_status (yatai_order_list_find (latest, ids[4])), ==, YATAI_ORDER_PROCESSING);

  /* A deleted order leaves the latest list, and the next older one takes its place. */
  {
    g_autoptr(JsonObject) args = json_object_new ();
    g_autoptr(JsonNode) result = NULL;

    json_object_set_int_member (args, "id", ids[4]);
    result = run (f->store, "order.delete", args, NULL);
    g_assert_nonnull (result);
  }
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (latest)), ==, 3);
  g_assert_nonnull (yatai_order_list_find (latest, ids[1]));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (active)), ==, 3);
}

/* All day counts match the active orders' lines that are not done, summed here independently. */
static void
test_still_to_make (Fixture       *f,
                    gconstpointer  data)
{
  const char *names[] = { "焼きそば", "たこ焼き", "ラムネ" };
  gint64 ids[3];
  g_autoptr(GHashTable) expected = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GArray) rows = NULL;
  g_autoptr(GPtrArray) active = NULL;
  GRand *rand = g_rand_new_with_seed (7);

  for (guint i = 0; i < 3; i++)
    ids[i] = add_product (f, names[i], 100, 100000);
  for (guint i = 0; i < 60; i++)
    {
      YataiCartLine lines[2] = { { ids[i % 3], g_rand_int_range (rand, 1, 5) },
                                 { ids[(i + 1) % 3], g_rand_int_range (rand, 1, 5) } };
      g_autoptr(JsonObject) args = yatai_order_confirm_args (lines, 2, "", "", 100000, FALSE, 5);
      g_autoptr(JsonNode) result = run (f->store, "order.confirm", args, NULL);
      gint64 id = member (result, "id");
      GError *error = NULL;

      /* Some finished, some cancelled, some with a line struck through. */
      if (i % 5 == 0)
        error = set_status (f, id, "completed");
      else if (i % 7 == 0)
        error = cancel (f, id);
      else if (i % 3 == 0)
        {
          g_autoptr(JsonObject) done = json_object_new ();
          g_autoptr(JsonNode) ok = NULL;

          json_object_set_int_member (done, "id", id);
          json_object_set_int_member (done, "line_no", 2);
          json_object_set_boolean_member (done, "done", TRUE);
          ok = run (f->store, "order.line-done", done, &error);
        }
      g_assert_no_error (error);
    }
  g_rand_free (rand);

  active = yatai_store_list_orders (f->store, YATAI_ORDER_QUERY_ACTIVE, 0, NULL);
  for (guint i = 0; i < active->len; i++)
    for (guint l = 0; l < yatai_order_get_n_lines (active->pdata[i]); l++)
      {
        const YataiOrderLine *line = yatai_order_get_line (active->pdata[i], l);

        if (!line->done)
          g_hash_table_insert (expected, line->name,
                               GSIZE_TO_POINTER (GPOINTER_TO_SIZE (g_hash_table_lookup (expected, line->name)) + line->quantity));
      }

  rows = yatai_store_list_still_to_make (f->store, NULL);
  g_assert_cmpuint (rows->len, ==, g_hash_table_size (expected));
  for (guint i = 0; i < rows->len; i++)
    {
      YataiStillToMake *row = &g_array_index (rows, YataiStillToMake, i);

      g_assert_cmpint (row->quantity, ==, (gint64) GPOINTER_TO_SIZE (g_hash_table_lookup (expected, row->name)));
      if (i > 0)
        g_assert_cmpint (row->quantity, <=, g_array_index (rows, YataiStillToMake, i - 1).quantity);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/orders/call-numbers", test_call_numbers);
  ADD ("/orders/concurrent-stock", test_concurrent_stock);
  ADD ("/orders/refused-changes-nothing", test_refused_changes_nothing);
  ADD ("/orders/total-from-current-prices", test_total_from_current_prices);
  ADD ("/orders/deleted-product-named", test_deleted_product_named);
  ADD ("/orders/status-moves", test_status_moves);
  ADD ("/orders/cancel-restores-once", test_cancel_restores_once);
  ADD ("/orders/recall-window", test_recall_window);
  ADD ("/orders/order-lists", test_order_lists);
  ADD ("/orders/still-to-make", test_still_to_make);
#undef ADD
  return g_test_run ();
}
