/* test-kitchen.c: the kitchen display and the call board, as the kitchen and the queue see them */
#include "config.h"

#include "gui-test-util.h"
#include "yatai-call-board.h"
#include "yatai-kitchen-page.h"
#include "yatai-order-card.h"
#include "yatai-store-orders.h"
#include "yatai-store-products.h"
#include "yatai-window.h"

typedef struct
{
  YataiApplication *app;
  char             *dir;
  YataiWindow      *counter;   /* one window on Reception */
  YataiWindow      *kitchen;   /* another on Kitchen, as on a second monitor */
  YataiKitchenPage *page;
  gint64            now;
} Fixture;

static gint64
test_clock (gpointer data)
{
  return ((Fixture *) data)->now;
}

#define MINUTE (G_GINT64_CONSTANT (60) * G_USEC_PER_SEC)

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->app = gui_test_app_new (TRUE, &f->dir);
  f->now = G_GINT64_CONSTANT (1795482000000000);
  yatai_store_set_clock (yatai_application_get_store (f->app), test_clock, f);
  f->counter = yatai_window_new (f->app);
  yatai_window_set_page (f->counter, "reception");
  gtk_window_present (GTK_WINDOW (f->counter));
  f->kitchen = yatai_window_new (f->app);
  yatai_window_set_page (f->kitchen, "kitchen");
  gtk_window_present (GTK_WINDOW (f->kitchen));
  f->page = YATAI_KITCHEN_PAGE (yatai_window_get_page (f->kitchen, "kitchen"));
  gui_test_settle ();
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  gtk_window_destroy (GTK_WINDOW (f->counter));
  gtk_window_destroy (GTK_WINDOW (f->kitchen));
  gui_test_settle ();
  g_application_quit (G_APPLICATION (f->app));
  g_object_unref (f->app);
  gui_test_remove_dir (f->dir);
  g_free (f->dir);
}

static gint64
product (Fixture    *f,
         const char *name)
{
  GListModel *products = G_LIST_MODEL (yatai_application_get_products (f->app));

  for (guint i = 0; i < g_list_model_get_n_items (products); i++)
    {
      g_autoptr(YataiProduct) p = g_list_model_get_item (products, i);

      if (g_str_equal (yatai_product_get_name (p), name))
        return yatai_product_get_id (p);
    }
  g_assert_not_reached ();
}

static gint64
stock (Fixture    *f,
       const char *name)
{
  YataiProduct *p = yatai_product_list_find (yatai_application_get_products (f->app), product (f, name));

  return yatai_product_get_stock (p);
}

/* The counter confirms an order through its Reception page. */
static gint64
confirm_at_counter (Fixture    *f,
                    const char *name,
                    gint64      quantity)
{
  GtkWidget *reception = yatai_window_get_page (f->counter, "reception");
  YataiCartLine line = { product (f, name), quantity };
  g_autoptr(JsonObject) args = yatai_order_confirm_args (&line, 1, "", "", 10000, FALSE, 5);
  g_autoptr(JsonNode) result = yatai_application_run (f->app, "order.confirm", args, NULL, NULL);

  g_assert_nonnull (reception);
  g_assert_nonnull (result);
  return json_object_get_int_member (json_node_get_object (result), "id");
}

/* The cards on screen (the grid makes only those; the tests' few orders all fit). */
static guint
n_cards (Fixture *f)
{
  return yatai_kitchen_page_get_n_cards (f->page);
}

static YataiOrderCard *
card_for (Fixture *f,
          gint64   id)
{
  return yatai_kitchen_page_find_card (f->page, id);
}

static YataiOrderStatus
status_of (Fixture *f,
           gint64   id)
{
  g_autoptr(YataiOrder) order = yatai_store_get_order (yatai_application_get_store (f->app), id, NULL);

  return yatai_order_get_status (order);
}

static void
tap_card (Fixture    *f,
          gint64      id,
          const char *action)
{
  gtk_widget_activate_action_variant (GTK_WIDGET (card_for (f, id)), action, g_variant_new_int64 (id));
  gui_test_settle ();
}

/* A confirm in one window adds a card in the other before the next frame, with sound and flash. */
static void
test_confirm_shows_at_once (Fixture       *f,
                            gconstpointer  data)
{
  YataiChime *chime = yatai_kitchen_page_get_chime (f->page);
  guint sounds = yatai_chime_get_n_started (chime);
  GtkMediaStream *stream;
  g_autofree char *uri = NULL;
  gint64 id;

  g_assert_cmpuint (n_cards (f), ==, 0);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (gui_test_find (GTK_WIDGET (f->page), "cards_stack"))),
                   ==, "empty");
  id = confirm_at_counter (f, "焼きそば", 2);
  /* No main-loop turn in between: the store's "changed" reached the kitchen's list synchronously. */
  g_assert_cmpuint (n_cards (f), ==, 1);
  g_assert_nonnull (card_for (f, id));
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (card_for (f, id)), "flash"));
  /* The chime's media stream, for the sound in the resources, was started. */
  g_assert_cmpuint (yatai_chime_get_n_started (chime), ==, sounds + 1);
  stream = yatai_chime_get_stream (chime);
  g_assert_true (GTK_IS_MEDIA_FILE (stream));
  g_assert_true (gtk_media_stream_get_playing (stream));
  uri = g_file_get_uri (gtk_media_file_get_file (GTK_MEDIA_FILE (stream)));
  g_assert_cmpstr (uri, ==, "resource://" YATAI_CHIME_RESOURCE);
  g_assert_nonnull (gui_test_find_label (GTK_WIDGET (card_for (f, id)), "焼きそば ×2"));
  gui_test_settle ();
  g_assert_cmpstr (gui_test_label (GTK_WIDGET (f->page), "count_label"), ==, "1 order to make");

  /* Muted, the next one is silent. */
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (gui_test_find (GTK_WIDGET (f->page), "mute_button")), TRUE);
  confirm_at_counter (f, "ラムネ", 1);
  g_assert_cmpuint (yatai_chime_get_n_started (chime), ==, sounds + 1);
  g_assert_cmpuint (n_cards (f), ==, 2);
}

/* A card turns to the warning colour at 5 minutes and to the late one at 8. */
static void
test_card_colours (Fixture       *f,
                   gconstpointer  data)
{
  gint64 id = confirm_at_counter (f, "焼きそば", 1);
  gint64 start = f->now;
  GtkWidget *card;

  f->now = start + 5 * MINUTE - 1;
  yatai_kitchen_page_tick (f->page);
  card = GTK_WIDGET (card_for (f, id));
  g_assert_false (gtk_widget_has_css_class (card, "warning"));
  g_assert_false (gtk_widget_has_css_class (card, "late"));
  g_assert_cmpstr (gui_test_label (card, "age_label"), ==, "04:59");

  f->now = start + 5 * MINUTE;
  yatai_kitchen_page_tick (f->page);
  g_assert_true (gtk_widget_has_css_class (card, "warning"));
  g_assert_cmpstr (gui_test_label (card, "age_label"), ==, "05:00");

  f->now = start + 8 * MINUTE;
  yatai_kitchen_page_tick (f->page);
  g_assert_false (gtk_widget_has_css_class (card, "warning"));
  g_assert_true (gtk_widget_has_css_class (card, "late"));

  /* The thresholds come from the preferences. */
  g_settings_set_int (yatai_application_get_settings (f->app), "kitchen-late-minutes", 10);
  yatai_kitchen_page_tick (f->page);
  g_assert_true (gtk_widget_has_css_class (card, "warning"));
}

/* Bump on, back, line done, recall. */
static void
test_bump_back_recall (Fixture       *f,
                       gconstpointer  data)
{
  gint64 id = confirm_at_counter (f, "焼きそば", 1);
  GtkWidget *recall_list = gui_test_find (GTK_WIDGET (f->page), "recall_list");

  /* A waiting order cannot go back, also on a kitchen window opened after it came. */
  g_assert_false (gtk_widget_get_sensitive (gui_test_find (GTK_WIDGET (card_for (f, id)), "back_button")));
  {
    YataiWindow *later;
    YataiKitchenPage *page;

    /* As at a start on the Kitchen page: the window opens on it. */
    g_settings_set_string (yatai_application_get_settings (f->app), "last-page", "kitchen");
    later = yatai_window_new (f->app);
    gtk_window_present (GTK_WINDOW (later));
    gui_test_settle ();
    page = YATAI_KITCHEN_PAGE (yatai_window_get_page (later, "kitchen"));
    g_assert_nonnull (yatai_kitchen_page_find_card (page, id));
    g_assert_false (gtk_widget_get_sensitive (gui_test_find (GTK_WIDGET (yatai_kitchen_page_find_card (page, id)),
                                                             "back_button")));
    gtk_window_destroy (GTK_WINDOW (later));
    gui_test_settle ();
  }

  tap_card (f, id, "kitchen.advance");
  g_assert_cmpint (status_of (f, id), ==, YATAI_ORDER_PROCESSING);
  g_assert_nonnull (gui_test_find_label (GTK_WIDGET (card_for (f, id)), "Cooking"));
  /* The bump shows back at the counter, in its latest orders. */
  g_assert_nonnull (gui_test_find_label (gui_test_find (yatai_window_get_page (f->counter, "reception"), "latest_box"),
                                         "1 Cooking"));

  tap_card (f, id, "kitchen.back");
  g_assert_cmpint (status_of (f, id), ==, YATAI_ORDER_PENDING);

  gtk_widget_activate_action_variant (GTK_WIDGET (card_for (f, id)), "kitchen.line-done",
                                      g_variant_new ("(xxb)", id, (gint64) 1, TRUE));
  gui_test_settle ();
  {
    g_autoptr(YataiOrder) order = yatai_store_get_order (yatai_application_get_store (f->app), id, NULL);

    g_assert_true (yatai_order_get_line (order, 0)->done);
  }

  tap_card (f, id, "kitchen.advance");
  tap_card (f, id, "kitchen.advance");
  g_assert_cmpint (status_of (f, id), ==, YATAI_ORDER_COMPLETED);
  g_assert_null (card_for (f, id));
  g_assert_nonnull (gtk_widget_get_first_child (recall_list));

  f->now += 10 * MINUTE;
  gtk_widget_activate_action_variant (GTK_WIDGET (f->page), "kitchen.recall", g_variant_new_int64 (id));
  gui_test_settle ();
  g_assert_cmpint (status_of (f, id), ==, YATAI_ORDER_PROCESSING);
  g_assert_nonnull (card_for (f, id));
}

static gboolean
has_width (gpointer widget)
{
  return gtk_widget_get_width (widget) > 0;
}

/* The recall list reads at a glance: a row per completed order, its number and lines on one button as
 * wide as the list; one tap brings the order back, closes the list and takes the row away. */
static void
test_recall_list (Fixture       *f,
                  gconstpointer  data)
{
  gint64 id = confirm_at_counter (f, "焼きそば", 2);
  GtkWidget *page = GTK_WIDGET (f->page);
  GtkWidget *recall_list = gui_test_find (page, "recall_list");
  GtkMenuButton *recall_button = GTK_MENU_BUTTON (gui_test_find (page, "recall_button"));
  GtkWidget *popover = GTK_WIDGET (gtk_menu_button_get_popover (recall_button));
  GtkWidget *row, *button;
  int width;

  tap_card (f, id, "kitchen.advance");
  tap_card (f, id, "kitchen.advance");
  g_assert_cmpint (status_of (f, id), ==, YATAI_ORDER_COMPLETED);

  gtk_menu_button_popup (recall_button);
  gui_test_settle ();
  g_assert_true (gtk_widget_get_visible (popover));
  row = gtk_widget_get_first_child (recall_list);
  g_assert_nonnull (row);
  g_assert_null (gtk_widget_get_next_sibling (row));
  button = gtk_list_box_row_get_child (GTK_LIST_BOX_ROW (row));
  g_assert_true (GTK_IS_BUTTON (button));
  /* Number, lines and what the tap does, all on the one button. */
  g_assert_nonnull (gui_test_find_label (button, "1"));
  g_assert_nonnull (gui_test_find_label (button, "焼きそば ×2"));
  g_assert_nonnull (gui_test_find_label (button, "Bring Back"));
  /* Wide enough that the lines do not wrap after a few characters, and tall enough for a finger. The
   * popover is laid out at its first frame, which a slow machine (ASan under load) reaches late. */
  gui_test_run_until (has_width, button);
  width = gtk_widget_get_width (button);
  g_assert_cmpint (width, >=, 400);
  g_assert_cmpint (gtk_widget_get_height (button), >=, 48);

  g_signal_emit_by_name (button, "clicked");
  gui_test_settle ();
  g_assert_cmpint (status_of (f, id), ==, YATAI_ORDER_PROCESSING);
  g_assert_false (gtk_widget_get_visible (popover));
  g_assert_null (gtk_widget_get_first_child (recall_list));
  g_assert_nonnull (card_for (f, id));
}

/* Cancel asks twice, and the stock comes back once. */
static void
test_cancel_asks_twice (Fixture       *f,
                        gconstpointer  data)
{
  gint64 before = stock (f, "焼きそば");
  gint64 id = confirm_at_counter (f, "焼きそば", 3);
  AdwMessageDialog *dialog;

  g_assert_cmpint (stock (f, "焼きそば"), ==, before - 3);
  tap_card (f, id, "kitchen.cancel");
  dialog = ADW_MESSAGE_DIALOG (gui_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG));
  g_assert_nonnull (dialog);
  adw_message_dialog_response (dialog, "cancel-order");
  gui_test_settle ();
  g_assert_cmpint (status_of (f, id), ==, YATAI_ORDER_PENDING);  /* one answer is not enough */

  dialog = ADW_MESSAGE_DIALOG (gui_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG));
  g_assert_nonnull (dialog);
  g_assert_true (g_str_has_prefix (adw_message_dialog_get_heading (dialog), "Really"));
  adw_message_dialog_response (dialog, "cancel-order");
  gui_test_settle ();
  g_assert_cmpint (status_of (f, id), ==, YATAI_ORDER_CANCELLED);
  g_assert_null (card_for (f, id));
  g_assert_cmpint (stock (f, "焼きそば"), ==, before);

  /* "Keep" on the first question changes nothing. */
  id = confirm_at_counter (f, "ラムネ", 1);
  tap_card (f, id, "kitchen.cancel");
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (gui_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG)), "keep");
  gui_test_settle ();
  g_assert_cmpint (status_of (f, id), ==, YATAI_ORDER_PENDING);
}

/* All day counts what is still to make across the active orders. */
static void
test_all_day (Fixture       *f,
              gconstpointer  data)
{
  GtkWidget *list = gui_test_find (GTK_WIDGET (f->page), "all_day_list");
  gint64 a = confirm_at_counter (f, "焼きそば", 2);

  confirm_at_counter (f, "焼きそば", 3);
  confirm_at_counter (f, "ラムネ", 1);
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (gui_test_find (GTK_WIDGET (f->page), "all_day_button")), TRUE);
  gui_test_settle ();
  g_assert_true (gtk_revealer_get_reveal_child (GTK_REVEALER (gui_test_find (GTK_WIDGET (f->page), "all_day_revealer"))));
  g_assert_true (gtk_widget_get_mapped (list));
  g_assert_nonnull (gui_test_find_label (list, "×5"));
  g_assert_nonnull (gui_test_find_label (list, "×1"));

  tap_card (f, a, "kitchen.advance");
  tap_card (f, a, "kitchen.advance");
  g_assert_nonnull (gui_test_find_label (list, "×3"));
  g_assert_null (gui_test_find_label (list, "×5"));
}

/* The call board moves a number to Ready when the kitchen completes it, and lets it go later. */
static void
test_call_board (Fixture       *f,
                 gconstpointer  data)
{
  YataiCallBoard *board = yatai_call_board_new (f->app);
  gint64 id = confirm_at_counter (f, "焼きそば", 1);
  GtkWidget *ready_box;
  GtkWidget *preparing_box;

  gtk_window_present (GTK_WINDOW (board));
  gui_test_settle ();
  ready_box = gui_test_find (GTK_WIDGET (board), "ready_box");
  preparing_box = gui_test_find (GTK_WIDGET (board), "preparing_box");
  g_assert_nonnull (gui_test_find_label (preparing_box, "1"));
  g_assert_null (gui_test_find_label (ready_box, "1"));

  tap_card (f, id, "kitchen.advance");
  g_assert_nonnull (gui_test_find_label (preparing_box, "1"));
  tap_card (f, id, "kitchen.advance");
  g_assert_null (gui_test_find_label (preparing_box, "1"));
  g_assert_nonnull (gui_test_find_label (ready_box, "1"));

  f->now += YATAI_READY_SHOWN_SECONDS * G_USEC_PER_SEC + 1;
  yatai_call_board_tick (board);
  gui_test_settle ();
  g_assert_null (gui_test_find_label (ready_box, "1"));
  gtk_window_destroy (GTK_WINDOW (board));
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/kitchen/confirm-shows-at-once", test_confirm_shows_at_once);
  ADD ("/kitchen/card-colours", test_card_colours);
  ADD ("/kitchen/bump-back-recall", test_bump_back_recall);
  ADD ("/kitchen/recall-list", test_recall_list);
  ADD ("/kitchen/cancel-asks-twice", test_cancel_asks_twice);
  ADD ("/kitchen/all-day", test_all_day);
  ADD ("/kitchen/call-board", test_call_board);
#undef ADD
  return g_test_run ();
}
