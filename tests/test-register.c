/* test-register.c: the Register page as a person uses it, under Xvfb */
#include "config.h"

#include "gui-test-util.h"
#include "yatai-preferences-window.h"
#include "yatai-product-editor.h"
#include "yatai-product-thumb.h"
#include "yatai-register-page.h"
#include "yatai-store-products.h"
#include "yatai-window.h"

typedef struct
{
  YataiApplication  *app;
  char              *dir;
  YataiWindow       *window;
  YataiRegisterPage *page;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->app = gui_test_app_new (GPOINTER_TO_INT (data), &f->dir);
  f->window = yatai_window_new (f->app);
  gtk_window_present (GTK_WINDOW (f->window));
  /* A new store opens on the welcome; a person starting their own menu picks the empty one. */
  if (!GPOINTER_TO_INT (data))
    {
      gui_test_settle ();
      gui_test_click (GTK_WIDGET (f->window), "start_empty_button");
    }
  f->page = YATAI_REGISTER_PAGE (yatai_window_get_page (f->window, "register"));
  g_assert_nonnull (f->page);
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

static GtkWidget *
open_editor (Fixture *f)
{
  GtkWindow *editor;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->page), "register.add", NULL));
  gui_test_settle ();
  editor = yatai_register_page_get_editor (f->page);
  g_assert_true (YATAI_IS_PRODUCT_EDITOR (editor));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (editor)));
  return GTK_WIDGET (editor);
}

static gboolean
save_is_on (GtkWidget *editor)
{
  return gtk_widget_is_sensitive (gui_test_find (editor, "save_button"));
}

static gboolean
list_shows (Fixture    *f,
            const char *name)
{
  GListModel *visible = yatai_register_page_get_visible (f->page);

  for (guint i = 0; i < g_list_model_get_n_items (visible); i++)
    {
      g_autoptr(YataiProduct) product = g_list_model_get_item (visible, i);

      if (g_str_equal (yatai_product_get_name (product), name))
        return TRUE;
    }
  return FALSE;
}

/* A field's message as a person sees it: the label and the row under the field that holds it are
 * both shown, with the text; NULL when there is none. (The row alone shown was an empty row once.) */
static const char *
message_shown (GtkWidget  *editor,
               const char *label_id)
{
  GtkWidget *label = gui_test_find (editor, label_id);
  GtkWidget *row = gtk_widget_get_parent (label);

  if (!gtk_widget_get_visible (row) || !gtk_widget_get_visible (label) ||
      *gtk_label_get_text (GTK_LABEL (label)) == '\0')
    return NULL;
  return gtk_label_get_text (GTK_LABEL (label));
}

/* The message is in a row of its own under its field, drawn as wide as the field, not squeezed beside
 * what was typed; and the field carries it as its accessible description. */
static void
assert_message_under (GtkWidget  *editor,
                      const char *label_id,
                      const char *field_id)
{
  GtkWidget *label = gui_test_find (editor, label_id);
  GtkWidget *field = gui_test_find (editor, field_id);
  GtkWidget *row = gtk_widget_get_parent (label);
  g_autofree char *problem = NULL;

  g_assert_nonnull (message_shown (editor, label_id));
  g_assert_false (gtk_widget_is_ancestor (label, field));
  g_assert_true (gtk_widget_get_parent (row) == gtk_widget_get_parent (field));
  g_assert_true (gtk_widget_get_next_sibling (field) == row);
  for (int i = 0; i < 200 && !(gtk_widget_get_mapped (label) && gtk_widget_get_width (label) > 0); i++)
    gui_test_settle ();
  g_assert_true (gtk_widget_get_mapped (label));
  g_assert_cmpint (gtk_widget_get_width (label), >=, gtk_widget_get_width (field) * 8 / 10);
  problem = gtk_test_accessible_check_property (GTK_ACCESSIBLE (field), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                                gtk_label_get_text (GTK_LABEL (label)));
  g_assert_null (problem);
}

/* A product typed into the form appears in the list and in the summary. */
static void
test_typed_product_appears (Fixture       *f,
                            gconstpointer  data)
{
  GtkWidget *page = GTK_WIDGET (f->page);
  GtkWidget *editor;

  g_assert_cmpstr (gui_test_label (page, "n_products_label"), ==, "0");
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (gui_test_find (page, "view_stack"))), ==, "empty");

  editor = open_editor (f);
  g_assert_false (save_is_on (editor));
  /* A blank form is not shouted at before anything was typed. */
  g_assert_null (message_shown (editor, "name_error"));

  gui_test_type (editor, "name_row", "焼きそば");
  gui_test_type (editor, "price_row", "500");
  g_assert_false (save_is_on (editor));
  gui_test_type (editor, "stock_row", "3");
  /* A tag's message is under its field too. */
  gui_test_type (editor, "tag_row", "food|drink");
  g_assert_cmpstr (message_shown (editor, "tag_error"), ==, "A tag cannot contain “|”.");
  g_assert_true (gtk_widget_get_next_sibling (gui_test_find (editor, "tag_row")) ==
                 gtk_widget_get_parent (gui_test_find (editor, "tag_error")));
  gui_test_type (editor, "tag_row", "フード");
  g_assert_null (message_shown (editor, "tag_error"));
  g_signal_emit_by_name (gui_test_find (editor, "tag_row"), "apply");
  gui_test_settle ();
  g_assert_nonnull (gui_test_find_label (editor, "フード"));
  g_assert_true (save_is_on (editor));

  gui_test_click (editor, "save_button");
  gui_test_settle ();

  /* The editor closed, and the product is in the list and counted as low on stock (3 left). */
  g_assert_null (yatai_register_page_get_editor (f->page));
  g_assert_true (list_shows (f, "焼きそば"));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (gui_test_find (page, "view_stack"))), ==, "list");
  g_assert_cmpstr (gui_test_label (page, "n_products_label"), ==, "1");
  g_assert_cmpstr (gui_test_label (page, "n_low_label"), ==, "1");
  g_assert_cmpstr (gui_test_label (page, "n_in_stock_label"), ==, "0");
  g_assert_nonnull (gui_test_find_label (page, "焼きそば"));
  g_assert_nonnull (gui_test_find_label (page, "¥500"));
}

/* An invalid price shows its message under the field and Save is off. */
static void
test_invalid_price (Fixture       *f,
                    gconstpointer  data)
{
  GtkWidget *editor = open_editor (f);
  GtkWidget *price_error = gui_test_find (editor, "price_error");
  GtkWidget *price_row = gui_test_find (editor, "price_row");
  const char *bad[] = { "abc", "-5", "12.5", "1000000001", "99999999999999999999999" };

  gui_test_type (editor, "name_row", "ラムネ");
  gui_test_type (editor, "stock_row", "10");
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      gui_test_type (editor, "price_row", bad[i]);
      g_assert_cmpstr (message_shown (editor, "price_error"), ==, gtk_label_get_text (GTK_LABEL (price_error)));
      g_assert_true (gtk_widget_has_css_class (price_row, "error"));
      g_assert_false (save_is_on (editor));
      assert_message_under (editor, "price_error", "price_row");
    }

  gui_test_type (editor, "price_row", "１５０");  /* full-width digits, as a Japanese IME types them */
  g_assert_null (message_shown (editor, "price_error"));
  g_assert_true (save_is_on (editor));
  gui_test_type (editor, "price_row", "1000000000");
  g_assert_true (save_is_on (editor));
}

/* Names: required, at most 50 characters as a person counts them, unique. */
static void
test_name_checks (Fixture       *f,
                  gconstpointer  data)
{
  GtkWidget *editor = open_editor (f);
  GtkWidget *name_error = gui_test_find (editor, "name_error");
  g_autoptr(GString) long_name = g_string_new (NULL);

  gui_test_type (editor, "price_row", "100");
  gui_test_type (editor, "stock_row", "10");

  for (int i = 0; i < 50; i++)
    g_string_append (long_name, "🍡");
  gui_test_type (editor, "name_row", long_name->str);
  g_assert_null (message_shown (editor, "name_error"));
  g_assert_true (save_is_on (editor));

  g_string_append (long_name, "🍡");
  gui_test_type (editor, "name_row", long_name->str);
  g_assert_cmpstr (message_shown (editor, "name_error"), ==, "At most 50 characters (now 51).");
  assert_message_under (editor, "name_error", "name_row");
  g_assert_false (save_is_on (editor));

  gui_test_type (editor, "name_row", "   ");
  g_assert_cmpstr (message_shown (editor, "name_error"), ==, "Enter a name.");
  g_assert_false (save_is_on (editor));

  /* The demo menu has 焼きそば. */
  gui_test_type (editor, "name_row", "焼きそば");
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (name_error)), ==, "A product with this name already exists.");
  g_assert_false (save_is_on (editor));
}

static YataiProduct *
find_product (Fixture    *f,
              const char *name)
{
  GListModel *products = G_LIST_MODEL (yatai_application_get_products (f->app));

  for (guint i = 0; i < g_list_model_get_n_items (products); i++)
    {
      g_autoptr(YataiProduct) product = g_list_model_get_item (products, i);

      if (g_str_equal (yatai_product_get_name (product), name))
        return product;
    }
  return NULL;
}

/* Delete asks first; cancelling keeps the product, confirming removes it. */
static void
test_delete_asks_first (Fixture       *f,
                        gconstpointer  data)
{
  YataiProduct *product = find_product (f, "ラムネ");
  GVariant *id;
  AdwMessageDialog *dialog;

  g_assert_nonnull (product);
  g_assert_cmpstr (gui_test_label (GTK_WIDGET (f->page), "n_products_label"), ==, "10");
  id = g_variant_new_int64 (yatai_product_get_id (product));

  g_assert_true (gtk_widget_activate_action_variant (GTK_WIDGET (f->page), "register.delete", id));
  gui_test_settle ();
  dialog = ADW_MESSAGE_DIALOG (gui_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG));
  g_assert_nonnull (dialog);
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Delete “ラムネ”?");
  g_assert_true (list_shows (f, "ラムネ"));

  adw_message_dialog_response (dialog, "cancel");
  gui_test_settle ();
  g_assert_true (list_shows (f, "ラムネ"));

  id = g_variant_new_int64 (yatai_product_get_id (find_product (f, "ラムネ")));
  g_assert_true (gtk_widget_activate_action_variant (GTK_WIDGET (f->page), "register.delete", id));
  gui_test_settle ();
  dialog = ADW_MESSAGE_DIALOG (gui_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG));
  adw_message_dialog_response (dialog, "delete");
  gui_test_settle ();
  g_assert_false (list_shows (f, "ラムネ"));
  g_assert_cmpstr (gui_test_label (GTK_WIDGET (f->page), "n_products_label"), ==, "9");
}

/* The reading follows a name written in kana (in hiragana) until the person types one; a name in
 * kanji leaves it for them; what they typed is never overwritten, and is saved. */
static void
test_reading_from_name (Fixture       *f,
                        gconstpointer  data)
{
  GtkWidget *editor = open_editor (f);
  GtkEditable *reading = GTK_EDITABLE (gui_test_find (editor, "reading_row"));
  YataiProduct *saved;
  g_autoptr(GString) long_reading = g_string_new (NULL);

  gui_test_type (editor, "price_row", "250");
  gui_test_type (editor, "stock_row", "30");

  gui_test_type (editor, "name_row", "チョコ");
  g_assert_cmpstr (gtk_editable_get_text (reading), ==, "ちょこ");
  gui_test_type (editor, "name_row", "ﾁｮｺﾊﾞﾅﾅ");            /* half-width katakana */
  g_assert_cmpstr (gtk_editable_get_text (reading), ==, "ちょこばなな");
  gui_test_type (editor, "name_row", "チョコ大福");          /* kanji: left for the person */
  g_assert_cmpstr (gtk_editable_get_text (reading), ==, "");
  gui_test_type (editor, "name_row", "チョコバナナ");
  g_assert_cmpstr (gtk_editable_get_text (reading), ==, "ちょこばなな");

  /* Too long a reading is refused like a name, under its field. */
  for (int i = 0; i < 51; i++)
    g_string_append (long_reading, "ち");
  gui_test_type (editor, "reading_row", long_reading->str);
  g_assert_cmpstr (message_shown (editor, "reading_error"), ==, "At most 50 characters (now 51).");
  g_assert_false (save_is_on (editor));

  /* The person's own reading stays whatever the name becomes. */
  gui_test_type (editor, "reading_row", "ちょこれーとばなな");
  g_assert_true (save_is_on (editor));
  gui_test_type (editor, "name_row", "チョコバナナ 大");
  gui_test_type (editor, "name_row", "チョコバナナ");
  g_assert_cmpstr (gtk_editable_get_text (reading), ==, "ちょこれーとばなな");

  gui_test_click (editor, "save_button");
  gui_test_settle ();
  saved = find_product (f, "チョコバナナ");
  g_assert_nonnull (saved);
  g_assert_cmpstr (yatai_product_get_reading (saved), ==, "ちょこれーとばなな");

  /* Opened again, a reading someone typed is not taken back by the name. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->page), "register.edit", "x", yatai_product_get_id (saved)));
  gui_test_settle ();
  editor = GTK_WIDGET (yatai_register_page_get_editor (f->page));
  reading = GTK_EDITABLE (gui_test_find (editor, "reading_row"));
  g_assert_cmpstr (gtk_editable_get_text (reading), ==, "ちょこれーとばなな");
  gui_test_type (editor, "name_row", "バナナ");
  g_assert_cmpstr (gtk_editable_get_text (reading), ==, "ちょこれーとばなな");
}

/* The search finds names and tags, ignoring width and case; nothing found says so. */
static void
test_search (Fixture       *f,
             gconstpointer  data)
{
  GtkWidget *page = GTK_WIDGET (f->page);
  GListModel *visible = yatai_register_page_get_visible (f->page);

  gui_test_type (page, "register_search", "ドリンク");
  g_usleep (300000);  /* the search entry waits for typing to pause */
  gui_test_settle ();
  g_assert_cmpuint (g_list_model_get_n_items (visible), ==, 3);

  gui_test_type (page, "register_search", "焼き");
  g_usleep (300000);
  gui_test_settle ();
  g_assert_cmpuint (g_list_model_get_n_items (visible), ==, 2);

  /* Names and readings in romaji or kana: やきそば, たこやき. */
  gui_test_type (page, "register_search", "yaki");
  g_usleep (300000);
  gui_test_settle ();
  g_assert_cmpuint (g_list_model_get_n_items (visible), ==, 2);
  g_assert_true (list_shows (f, "焼きそば"));

  gui_test_type (page, "register_search", "no such dish");
  g_usleep (300000);
  gui_test_settle ();
  g_assert_cmpuint (g_list_model_get_n_items (visible), ==, 0);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (gui_test_find (page, "view_stack"))), ==, "no-results");
}

/* An edit in one window shows in another window of the same app at once. */
static void
test_edit_shows_in_other_window (Fixture       *f,
                                 gconstpointer  data)
{
  YataiWindow *other = yatai_window_new (f->app);
  GtkWidget *other_page;
  YataiProduct *product = find_product (f, "緑茶");
  GtkWidget *editor;

  gtk_window_present (GTK_WINDOW (other));
  gui_test_settle ();
  other_page = yatai_window_get_page (other, "register");

  g_assert_true (gtk_widget_activate_action_variant (GTK_WIDGET (f->page), "register.edit",
                                                     g_variant_new_int64 (yatai_product_get_id (product))));
  gui_test_settle ();
  editor = GTK_WIDGET (yatai_register_page_get_editor (f->page));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (gui_test_find (editor, "price_row"))), ==, "150");
  gui_test_type (editor, "stock_row", "0");
  gui_test_click (editor, "save_button");
  gui_test_settle ();

  g_assert_cmpint (yatai_product_get_stock (find_product (f, "緑茶")), ==, 0);
  g_assert_cmpstr (gui_test_label (other_page, "n_out_label"), ==, "2");
  gtk_window_destroy (GTK_WINDOW (other));
}

static void
wait_for_picture (GtkWidget *editor)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (!gtk_widget_is_sensitive (gui_test_find (editor, "choose_picture_button")))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  gui_test_settle ();
}

/* A broken file gets a message and keeps the picture there was; a real one is shown, scaled and saved. */
static void
test_picture (Fixture       *f,
              gconstpointer  data)
{
  GtkWidget *editor = open_editor (f);
  GtkWidget *picture_label = gui_test_find (editor, "picture_label");
  YataiProductThumb *thumb = YATAI_PRODUCT_THUMB (gui_test_find (editor, "thumb"));
  g_autofree char *broken_path = g_build_filename (f->dir, "broken.png", NULL);
  g_autofree char *good_path = g_build_filename (f->dir, "good.png", NULL);
  g_autoptr(GFile) broken = g_file_new_for_path (broken_path);
  g_autoptr(GFile) good = g_file_new_for_path (good_path);
  g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, 1200, 800);
  g_autoptr(GError) error = NULL;
  YataiProduct *saved;
  GdkTexture *texture;

  g_assert_true (g_file_set_contents (broken_path, "\x89PNG this is not a picture", -1, NULL));
  gdk_pixbuf_fill (pixbuf, 0xe01b24ff);
  g_assert_true (gdk_pixbuf_save (pixbuf, good_path, "png", &error, NULL));

  gui_test_type (editor, "name_row", "お好み焼き");
  gui_test_type (editor, "price_row", "600");
  gui_test_type (editor, "stock_row", "20");

  yatai_product_editor_load_picture (YATAI_PRODUCT_EDITOR (editor), broken);
  wait_for_picture (editor);
  g_assert_true (gtk_widget_has_css_class (picture_label, "error"));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (picture_label)), ==,
                   "This file is not a picture Yatai can read. Use a PNG, JPEG, WebP or GIF file.");
  g_assert_null (yatai_product_get_picture (yatai_product_thumb_get_product (thumb)));
  g_assert_true (save_is_on (editor));  /* the rest of the form is still good */

  yatai_product_editor_load_picture (YATAI_PRODUCT_EDITOR (editor), good);
  wait_for_picture (editor);
  g_assert_false (gtk_widget_has_css_class (picture_label, "error"));
  g_assert_nonnull (yatai_product_get_picture (yatai_product_thumb_get_product (thumb)));

  gui_test_click (editor, "save_button");
  saved = find_product (f, "お好み焼き");
  g_assert_nonnull (saved);
  texture = yatai_product_thumb_texture (saved);
  g_assert_nonnull (texture);
  g_assert_cmpint (gdk_texture_get_width (texture), ==, 320);
  g_assert_cmpint (gdk_texture_get_height (texture), ==, 213);
}

/* The first start on a new store welcomes, offers an empty or the demo menu, and does not come back. */
static void
test_welcome (void)
{
  g_autofree char *dir = NULL;
  g_autoptr(YataiApplication) app = gui_test_app_new (FALSE, &dir);
  YataiWindow *window = yatai_window_new (app);
  GtkWindow *preferences;
  GtkWidget *main_stack;

  gtk_window_present (GTK_WINDOW (window));
  gui_test_settle ();
  main_stack = gui_test_find (GTK_WIDGET (window), "main_stack");
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (main_stack)), ==, "welcome");

  /* Restoring a stall starts where the bucket is set: the Sync preferences, over the welcome. */
  gui_test_click (GTK_WIDGET (window), "restore_button");
  gui_test_settle ();
  preferences = gui_test_find_toplevel (YATAI_TYPE_PREFERENCES_WINDOW);
  g_assert_nonnull (preferences);
  g_assert_cmpstr (adw_preferences_window_get_visible_page_name (ADW_PREFERENCES_WINDOW (preferences)), ==, "sync");
  g_assert_true (gtk_window_get_transient_for (preferences) == GTK_WINDOW (window));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (main_stack)), ==, "welcome");
  gtk_window_destroy (preferences);
  gui_test_settle ();

  gui_test_click (GTK_WIDGET (window), "load_demo_button");
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (main_stack)), ==, "pages");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (yatai_application_get_products (app))), ==, 10);
  gtk_window_destroy (GTK_WINDOW (window));

  /* Once welcomed, a new window opens on the pages. */
  window = yatai_window_new (app);
  gtk_window_present (GTK_WINDOW (window));
  gui_test_settle ();
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (gui_test_find (GTK_WIDGET (window), "main_stack"))),
                   ==, "pages");
  gtk_window_destroy (GTK_WINDOW (window));
  gui_test_settle ();
  g_application_quit (G_APPLICATION (app));
  gui_test_remove_dir (dir);
}

int
main (int   argc,
      char *argv[])
{
  /* GTK's test accessibility backend keeps what a screen reader would be told (the field's message as
   * its description), without a session bus. */
  g_setenv ("GTK_A11Y", "test", TRUE);
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add ("/register/typed-product-appears", Fixture, GINT_TO_POINTER (FALSE),
              fixture_set_up, test_typed_product_appears, fixture_tear_down);
  g_test_add ("/register/invalid-price", Fixture, GINT_TO_POINTER (FALSE),
              fixture_set_up, test_invalid_price, fixture_tear_down);
  g_test_add ("/register/name-checks", Fixture, GINT_TO_POINTER (TRUE),
              fixture_set_up, test_name_checks, fixture_tear_down);
  g_test_add ("/register/reading-from-name", Fixture, GINT_TO_POINTER (FALSE),
              fixture_set_up, test_reading_from_name, fixture_tear_down);
  g_test_add ("/register/delete-asks-first", Fixture, GINT_TO_POINTER (TRUE),
              fixture_set_up, test_delete_asks_first, fixture_tear_down);
  g_test_add ("/register/search", Fixture, GINT_TO_POINTER (TRUE),
              fixture_set_up, test_search, fixture_tear_down);
  g_test_add ("/register/edit-shows-in-other-window", Fixture, GINT_TO_POINTER (TRUE),
              fixture_set_up, test_edit_shows_in_other_window, fixture_tear_down);
  g_test_add ("/register/picture", Fixture, GINT_TO_POINTER (FALSE),
              fixture_set_up, test_picture, fixture_tear_down);
  g_test_add_func ("/register/welcome", test_welcome);
  return g_test_run ();
}
