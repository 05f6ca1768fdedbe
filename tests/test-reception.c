/* test-reception.c: taking an order at the counter, as a cashier does, under Xvfb */
#include "config.h"

#include <glib/gstdio.h>

#include "gui-test-util.h"
#include "yatai-preferences-window.h"
#include "yatai-product-tile.h"
#include "yatai-reception-page.h"
#include "yatai-store-orders.h"
#include "yatai-ticket.h"
#include "yatai-window.h"

typedef struct
{
  YataiApplication   *app;
  char               *dir;
  YataiWindow        *window;
  YataiReceptionPage *page;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->app = gui_test_app_new (TRUE, &f->dir);
  f->window = yatai_window_new (f->app);
  gtk_window_set_default_size (GTK_WINDOW (f->window), 1200, 800);
  yatai_window_set_page (f->window, "reception");
  gtk_window_present (GTK_WINDOW (f->window));
  f->page = YATAI_RECEPTION_PAGE (yatai_window_get_page (f->window, "reception"));
  gui_test_settle ();
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  gtk_window_destroy (GTK_WINDOW (f->window));
  gui_test_settle ();
  g_application_quit (G_APPLICATION (f->app));
  g_object_unref (f->app);
  gui_test_remove_dir (f->dir);
  g_free (f->dir);
}

static YataiProductTile *
find_tile (GtkWidget  *root,
           const char *name)
{
  GtkWidget *child;

  if (YATAI_IS_PRODUCT_TILE (root) && yatai_product_tile_get_product (YATAI_PRODUCT_TILE (root)) != NULL &&
      g_str_equal (yatai_product_get_name (yatai_product_tile_get_product (YATAI_PRODUCT_TILE (root))), name))
    return YATAI_PRODUCT_TILE (root);
  for (child = gtk_widget_get_first_child (root); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      YataiProductTile *found = find_tile (child, name);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* A tap on the tile: the tile is a button (what a screen reader presses too), and a click on it
 * activates its cell, as GTK's list item does; a greyed tile is insensitive and takes no tap. */
static void
tap (Fixture    *f,
     const char *name)
{
  YataiProductTile *tile = find_tile (GTK_WIDGET (f->page), name);

  g_assert_nonnull (tile);
  g_assert_true (GTK_IS_BUTTON (tile));
  if (gtk_widget_is_sensitive (GTK_WIDGET (tile)))
    g_signal_emit_by_name (tile, "clicked");
  gui_test_settle ();
}

static gboolean
greyed (Fixture    *f,
        const char *name)
{
  return gtk_widget_has_css_class (GTK_WIDGET (find_tile (GTK_WIDGET (f->page), name)), "unavailable");
}

static gboolean
confirm_is_on (Fixture *f)
{
  return gtk_widget_is_sensitive (gui_test_find (GTK_WIDGET (f->page), "confirm_button"));
}

/* The labels of the quick amounts on screen, after Exact: "Exact ¥2,000 ¥5,000 ¥10,000". */
static char *
quick_amounts (Fixture *f)
{
  GtkWidget *box = gui_test_find (GTK_WIDGET (f->page), "quick_box");
  GString *shown = g_string_new (NULL);

  for (GtkWidget *b = gtk_widget_get_first_child (box); b != NULL; b = gtk_widget_get_next_sibling (b))
    if (gtk_widget_get_visible (b))
      {
        g_autofree char *label = g_strdup (gtk_button_get_label (GTK_BUTTON (b)));

        g_strdelimit (label, "_", ' ');
        g_string_append_printf (shown, "%s%s", shown->len > 0 ? " " : "", g_strstrip (label));
      }
  return g_string_free (shown, FALSE);
}

/* The names of the products the menu shows now, in order: "焼きそば, たこ焼き (8個)". */
static char *
visible_names (Fixture *f)
{
  GListModel *visible = yatai_reception_page_get_visible (f->page);
  GString *names = g_string_new (NULL);

  for (guint i = 0; i < g_list_model_get_n_items (visible); i++)
    {
      g_autoptr(YataiProduct) product = g_list_model_get_item (visible, i);

      g_string_append_printf (names, "%s%s", names->len > 0 ? ", " : "", yatai_product_get_name (product));
    }
  return g_string_free (names, FALSE);
}

static char *
search_for (Fixture    *f,
            const char *text)
{
  GtkWidget *entry = gui_test_find (GTK_WIDGET (f->page), "reception_search");

  gui_test_type (GTK_WIDGET (f->page), "reception_search", text);
  /* What the search entry emits once typing pauses (150 ms), at once. */
  g_signal_emit_by_name (entry, "search-changed");
  gui_test_settle ();
  return visible_names (f);
}

/* An ASCII keyboard without an input method finds 焼きそば by its reading, やきそば, typed in romaji;
 * kana find katakana names, and what matches nothing shows the empty result. */
static void
test_reading_search (Fixture       *f,
                     gconstpointer  data)
{
  GtkWidget *page = GTK_WIDGET (f->page);
  GtkStack *menu = GTK_STACK (gui_test_find (page, "menu_stack"));
  YataiCart *cart = yatai_reception_page_get_cart (f->page);
  struct { const char *typed; const char *shown; } cases[] = {
    { "yaki", "焼きそば, たこ焼き (8個)" },     /* やきそば and たこやき */
    { "yakis", "焼きそば" },                    /* inside the "so" of そ */
    { "YAKISOBA", "焼きそば" },
    { "karāge", "唐揚げ" },
    { "karaage", "唐揚げ" },
    { "ryokutya", "緑茶" },
    { "kōhī", "ホットコーヒー" },
    { "ramu", "ラムネ" },                       /* a katakana name by romaji, without a reading */
    { "らむね", "ラムネ" },
    { "ヤキ", "焼きそば, たこ焼き (8個)" },     /* katakana finds a hiragana reading */
    { "焼き", "焼きそば, たこ焼き (8個)" },     /* the name itself, as before */
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *shown = search_for (f, cases[i].typed);

      if (g_strcmp0 (shown, cases[i].shown) != 0)
        g_error ("“%s” showed “%s”, not “%s”", cases[i].typed, shown, cases[i].shown);
      g_assert_cmpstr (gtk_stack_get_visible_child_name (menu), ==, "tiles");
    }

  /* The tiles on screen are the ones found. */
  g_free (search_for (f, "yakis"));
  g_assert_nonnull (find_tile (page, "焼きそば"));

  /* Enter adds the first found to the order. */
  g_free (search_for (f, "yaki"));
  g_signal_emit_by_name (gui_test_find (page, "reception_search"), "activate");
  gui_test_settle ();
  g_assert_cmpint (yatai_cart_get_n_units (cart), ==, 1);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (gui_test_find (page, "reception_search"))), ==, "");

  {
    g_autofree char *shown = search_for (f, "zzz");

    g_assert_cmpstr (shown, ==, "");
    g_assert_cmpstr (gtk_stack_get_visible_child_name (menu), ==, "no-results");
  }
}

/* The quick amounts are what a customer hands over for this total: the exact amount and the next
 * ¥1,000, ¥5,000 and ¥10,000 above it, each once; one tap sets the amount and the change. */
static void
test_quick_amounts (Fixture       *f,
                    gconstpointer  data)
{
  GtkWidget *page = GTK_WIDGET (f->page);
  g_autofree char *for_1650 = NULL;
  g_autofree char *for_4500 = NULL;

  /* ¥450 × 3 + ¥300 = ¥1,650 */
  tap (f, "たこ焼き (8個)");
  tap (f, "たこ焼き (8個)");
  tap (f, "たこ焼き (8個)");
  tap (f, "フランクフルト");
  g_assert_cmpstr (gui_test_label (page, "total_label"), ==, "¥1,650");
  for_1650 = quick_amounts (f);
  g_assert_cmpstr (for_1650, ==, "Exact ¥2,000 ¥5,000 ¥10,000");

  gui_test_click (page, "cash_button_1");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (gui_test_find (page, "paid_entry"))), ==, "2000");
  g_assert_cmpstr (gui_test_label (page, "change_label"), ==, "¥350");
  g_assert_true (confirm_is_on (f));

  /* ¥4,500: the next ¥1,000 and the next ¥5,000 are the same note, shown once. */
  yatai_cart_clear (yatai_reception_page_get_cart (f->page));
  for (int i = 0; i < 9; i++)
    tap (f, "焼きそば");
  g_assert_cmpstr (gui_test_label (page, "total_label"), ==, "¥4,500");
  for_4500 = quick_amounts (f);
  g_assert_cmpstr (for_4500, ==, "Exact ¥5,000 ¥10,000");
}

/* A tap into the amount selects what is in it, so typing 2000 over "1000" gives 2000, not 20001000. */
static void
test_paid_selects_on_focus (Fixture       *f,
                            gconstpointer  data)
{
  GtkWidget *page = GTK_WIDGET (f->page);
  GtkEditable *paid = GTK_EDITABLE (gui_test_find (page, "paid_entry"));
  int start = -1, end = -1;

  tap (f, "焼きそば");
  gui_test_type (page, "paid_entry", "1000");
  gtk_widget_grab_focus (gui_test_find (page, "customer_entry"));
  gui_test_settle ();
  gtk_editable_set_position (paid, 2);

  gtk_widget_grab_focus (GTK_WIDGET (paid));
  gui_test_settle ();
  g_assert_true (gtk_editable_get_selection_bounds (paid, &start, &end));
  g_assert_cmpint (start, ==, 0);
  g_assert_cmpint (end, ==, 4);

  /* What typing does in a GtkText: the selection goes, the keys go in where it was. */
  gtk_editable_delete_selection (paid);
  {
    int position = gtk_editable_get_position (paid);

    gtk_editable_insert_text (paid, "2000", -1, &position);
  }
  gui_test_settle ();
  g_assert_cmpstr (gtk_editable_get_text (paid), ==, "2000");
  g_assert_cmpstr (gui_test_label (page, "change_label"), ==, "¥1,500");
}

/* Tapping tiles fills the cart and the total. */
static void
test_tiles_fill_cart (Fixture       *f,
                      gconstpointer  data)
{
  GtkWidget *page = GTK_WIDGET (f->page);

  g_assert_cmpstr (gui_test_label (page, "total_label"), ==, "¥0");
  tap (f, "焼きそば");
  tap (f, "焼きそば");
  tap (f, "ラムネ");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (yatai_reception_page_get_cart (f->page))), ==, 2);
  g_assert_cmpstr (gui_test_label (page, "total_label"), ==, "¥1,200");
  /* The cart's lines say it too: the quantity and the line total. */
  g_assert_nonnull (gui_test_find_label (page, "¥1,000"));
  g_assert_nonnull (gui_test_find_label (page, "2"));
  /* The tile counts what is left after the cart. */
  g_assert_nonnull (gui_test_find_label (GTK_WIDGET (find_tile (page, "焼きそば")), "78 left"));
}

/* The last unit greys the tile, and a grey tile adds nothing. */
static void
test_last_unit_greys_tile (Fixture       *f,
                           gconstpointer  data)
{
  YataiCart *cart = yatai_reception_page_get_cart (f->page);

  /* The demo's 唐揚げ has 4 left. */
  for (int i = 0; i < 3; i++)
    tap (f, "唐揚げ");
  g_assert_false (greyed (f, "唐揚げ"));
  tap (f, "唐揚げ");
  g_assert_true (greyed (f, "唐揚げ"));
  tap (f, "唐揚げ");
  g_assert_cmpint (yatai_cart_get_n_units (cart), ==, 4);

  /* A sold-out product is grey from the start. */
  g_assert_true (greyed (f, "ホットコーヒー"));
  tap (f, "ホットコーヒー");
  g_assert_cmpint (yatai_cart_get_n_units (cart), ==, 4);

  /* Taking one back out makes it available again. */
  gtk_widget_activate_action_variant (GTK_WIDGET (f->page), "reception.decrease",
                                      g_variant_new_int64 (yatai_product_get_id (yatai_product_tile_get_product (
                                        find_tile (GTK_WIDGET (f->page), "唐揚げ")))));
  gui_test_settle ();
  g_assert_false (greyed (f, "唐揚げ"));
}

/* Confirm is off below the total and on at it; after it the call number shows and the stock dropped. */
static void
test_confirm (Fixture       *f,
              gconstpointer  data)
{
  GtkWidget *page = GTK_WIDGET (f->page);
  GtkWidget *stack = gui_test_find (page, "cart_stack");

  g_assert_false (confirm_is_on (f));
  tap (f, "焼きそば");
  tap (f, "ラムネ");
  g_assert_cmpstr (gui_test_label (page, "total_label"), ==, "¥700");

  gui_test_type (page, "paid_entry", "699");
  g_assert_false (confirm_is_on (f));
  g_assert_cmpstr (gui_test_label (page, "change_label"), ==, "¥1");
  gui_test_type (page, "paid_entry", "700");
  g_assert_true (confirm_is_on (f));
  g_assert_cmpstr (gui_test_label (page, "change_label"), ==, "¥0");
  gui_test_type (page, "paid_entry", "abc");
  g_assert_false (confirm_is_on (f));
  g_assert_true (gtk_widget_get_visible (gui_test_find (page, "message_label")));
  gui_test_click (page, "exact_button");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (gui_test_find (page, "paid_entry"))), ==, "700");
  gui_test_type (page, "paid_entry", "¥1,000");
  g_assert_cmpstr (gui_test_label (page, "change_label"), ==, "¥300");

  gui_test_type (page, "customer_entry", "たなか");
  g_assert_cmpstr (gui_test_label (page, "customer_left_label"), ==, "47");

  gui_test_click (page, "confirm_button");
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (stack)), ==, "called");
  g_assert_cmpstr (gui_test_label (page, "call_number_label"), ==, "1");
  g_assert_nonnull (gui_test_find_label (GTK_WIDGET (find_tile (page, "焼きそば")), "79 left"));
  g_assert_cmpstr (gui_test_label (page, "total_label"), ==, "¥0");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (gui_test_find (page, "customer_entry"))), ==, "");

  /* The latest orders show it, waiting. */
  g_assert_nonnull (gui_test_find_label (gui_test_find (page, "latest_box"), "1 Waiting"));

  /* The next order starts: the number steps aside. */
  tap (f, "緑茶");
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (stack)), ==, "cart");
  g_assert_null (yatai_reception_page_get_last_order (f->page));
}

/* A name longer than 50 characters keeps Confirm off and says so. */
static void
test_details_limits (Fixture       *f,
                     gconstpointer  data)
{
  GtkWidget *page = GTK_WIDGET (f->page);
  g_autoptr(GString) name = g_string_new (NULL);

  tap (f, "焼きそば");
  gui_test_type (page, "paid_entry", "500");
  for (int i = 0; i < 51; i++)
    g_string_append (name, "👨‍👩‍👧");
  gui_test_type (page, "customer_entry", name->str);
  g_assert_cmpstr (gui_test_label (page, "customer_left_label"), ==, "-1");
  g_assert_true (gtk_widget_has_css_class (gui_test_find (page, "customer_left_label"), "error"));
  g_assert_false (confirm_is_on (f));
  g_string_truncate (name, name->len - strlen ("👨‍👩‍👧"));
  gui_test_type (page, "customer_entry", name->str);
  g_assert_true (confirm_is_on (f));
}

/* A refused confirm keeps the cart and says which product. */
static void
test_refused_keeps_cart (Fixture       *f,
                         gconstpointer  data)
{
  GtkWidget *page = GTK_WIDGET (f->page);
  gint64 id;
  g_autoptr(JsonObject) args = json_object_new ();
  g_autoptr(JsonNode) result = NULL;

  tap (f, "唐揚げ");
  tap (f, "唐揚げ");
  gui_test_type (page, "paid_entry", "1000");

  /* Another window sells three meanwhile. */
  id = yatai_product_get_id (yatai_product_tile_get_product (find_tile (page, "唐揚げ")));
  {
    YataiCartLine line = { id, 3 };
    g_autoptr(JsonObject) other = yatai_order_confirm_args (&line, 1, "", "", 2000, FALSE, 5);

    result = yatai_application_run (f->app, "order.confirm", other, NULL, NULL);
    g_assert_nonnull (result);
  }
  gui_test_settle ();

  /* The cart followed the stock down to the one left; Confirm takes that one. */
  g_assert_cmpint (yatai_cart_get_n_units (yatai_reception_page_get_cart (f->page)), ==, 1);
  g_assert_true (greyed (f, "唐揚げ"));

  /* Now the product is deleted before Confirm: refused with its name, and the cart stays. */
  json_object_set_int_member (args, "id", id);
  g_clear_pointer (&result, json_node_unref);
  result = yatai_application_run (f->app, "product.delete", args, NULL, NULL);
  g_assert_nonnull (result);
  gui_test_settle ();
  g_assert_false (confirm_is_on (f));
  gtk_widget_activate_action (page, "reception.confirm", NULL);
  gui_test_settle ();
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (yatai_reception_page_get_cart (f->page))), ==, 1);
}

/* The ticket printed to a PDF has the call number and the lines. */
static void
test_ticket_pdf (Fixture       *f,
                 gconstpointer  data)
{
  GtkWidget *page = GTK_WIDGET (f->page);
  g_autofree char *pdf = g_build_filename (f->dir, "ticket.pdf", NULL);
  g_autofree char *text = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  const char *argv[] = { "pdftotext", "-enc", "UTF-8", pdf, "-", NULL };
  int status = 0;

  tap (f, "焼きそば");
  tap (f, "焼きそば");
  tap (f, "たこ焼き (8個)");
  gui_test_click (page, "exact_button");
  gui_test_click (page, "confirm_button");
  g_assert_nonnull (yatai_reception_page_get_last_order (f->page));

  g_assert_true (yatai_ticket_export (yatai_reception_page_get_last_order (f->page), pdf, &error));
  g_assert_no_error (error);
  if (g_find_program_in_path ("pdftotext") == NULL)
    {
      g_test_skip ("pdftotext (poppler-utils) is not installed");
      return;
    }
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &text, &err, &status, &error));
  g_assert_no_error (error);
  g_test_message ("%s", text);
  g_assert_nonnull (strstr (text, "Call number"));
  g_assert_nonnull (strstr (text, "\n1\n"));
  g_assert_nonnull (strstr (text, "焼きそば ×2"));
  g_assert_nonnull (strstr (text, "たこ焼き"));
  g_assert_nonnull (strstr (text, "×1"));
  g_assert_nonnull (strstr (text, "¥1,450"));
}

/* "Allow paying later" in Preferences turns Confirm on below the total, at once. */
static void
test_pay_later (Fixture       *f,
                gconstpointer  data)
{
  GtkWidget *page = GTK_WIDGET (f->page);
  YataiPreferencesWindow *preferences = yatai_preferences_window_new (f->app);

  tap (f, "焼きそば");
  g_assert_false (confirm_is_on (f));
  gtk_window_present (GTK_WINDOW (preferences));
  gui_test_settle ();
  gtk_switch_set_active (GTK_SWITCH (gui_test_find (GTK_WIDGET (preferences), "pay_later_switch")), TRUE);
  gui_test_settle ();
  g_assert_true (confirm_is_on (f));
  g_assert_cmpstr (gui_test_label (page, "change_caption"), ==, "To pay later");
  gui_test_click (page, "confirm_button");
  g_assert_cmpstr (gui_test_label (page, "call_number_label"), ==, "1");
  gtk_window_destroy (GTK_WINDOW (preferences));
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/reception/tiles-fill-cart", test_tiles_fill_cart);
  ADD ("/reception/last-unit-greys-tile", test_last_unit_greys_tile);
  ADD ("/reception/confirm", test_confirm);
  ADD ("/reception/quick-amounts", test_quick_amounts);
  ADD ("/reception/reading-search", test_reading_search);
  ADD ("/reception/paid-selects-on-focus", test_paid_selects_on_focus);
  ADD ("/reception/details-limits", test_details_limits);
  ADD ("/reception/refused-keeps-cart", test_refused_keeps_cart);
  ADD ("/reception/ticket-pdf", test_ticket_pdf);
  ADD ("/reception/pay-later", test_pay_later);
#undef ADD
  return g_test_run ();
}
