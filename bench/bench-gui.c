/* bench-gui.c: how long the kitchen screen and the order history take to show a change, timed with
 * GDK's frame clock. Needs a display: `xvfb-run -a _build/bench/bench-gui` (see README, "Speed").
 *
 * 1. The Kitchen page with 300 active orders: one order arrives (confirmed through the same business
 *    operation as at Reception) and each is completed before the next, so the page always holds 300.
 *    "commit + frame" is the work: the call (commit, live lists, the new card) plus the frame that
 *    follows, from its before-paint to its after-paint (layout and drawing). "until painted" adds the
 *    wait for that frame's turn, which the frame clock paces to the display (up to one frame). Once
 *    with the page showing the oldest orders, as a kitchen does (the new card is below them), once
 *    scrolled to the new order in the same frame, so its card is made and drawn.
 * 2. The Orders page over 100,000 orders, scrolled by a fixed distance every frame: the time each frame
 *    spends from before-paint to after-paint (updating, layout and drawing: what must fit in one 60 Hz
 *    frame).
 */
#include "config.h"

#include <sqlite3.h>

#include "gui-test-util.h"
#include "yatai-order.h"
#include "yatai-store-orders.h"
#include "yatai-window.h"

#define ACTIVE         300
#define ARRIVALS       200
#define SCROLL_FRAMES  600
#define FRAME_BUDGET   (1000.0 / 60.0)

typedef struct
{
  gint64  frame_start;    /* before-paint of the frame being drawn */
  gint64  painted_at;     /* after-paint of the last frame */
  guint   painted;        /* frames painted so far */
  GArray *frame_ms;       /* the work of each frame, when recording */
  gboolean recording;
} Clock;

static void
before_paint_cb (GdkFrameClock *clock,
                 Clock         *c)
{
  c->frame_start = g_get_monotonic_time ();
}

static void
after_paint_cb (GdkFrameClock *clock,
                Clock         *c)
{
  c->painted_at = g_get_monotonic_time ();
  c->painted++;
  if (c->recording && c->frame_start > 0)
    {
      double ms = (c->painted_at - c->frame_start) / 1000.0;

      g_array_append_val (c->frame_ms, ms);
    }
}

static void
watch_clock (GtkWidget *widget,
             Clock     *c)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (widget);

  g_assert (clock != NULL);
  g_signal_connect (clock, "before-paint", G_CALLBACK (before_paint_cb), c);
  g_signal_connect_after (clock, "after-paint", G_CALLBACK (after_paint_cb), c);
}

/* Runs the main loop until a frame has been painted after this call. */
static void
wait_for_paint (Clock *c)
{
  guint painted = c->painted;
  gint64 give_up = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  while (c->painted == painted && g_get_monotonic_time () < give_up)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (c->painted, >, painted);
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

static double
percentile (GArray *sorted,
            double  p)
{
  guint i = (guint) (p * (sorted->len - 1) + 0.5);

  return g_array_index (sorted, double, MIN (i, sorted->len - 1));
}

static void
print_row (const char *what,
           GArray     *ms)
{
  if (ms->len == 0)
    return;
  g_array_sort (ms, compare_doubles);
  g_print ("| %-66s | %5u | %6.2f | %6.2f | %6.2f | %s |\n", what, ms->len, percentile (ms, 0.5),
           percentile (ms, 0.99), g_array_index (ms, double, ms->len - 1),
           percentile (ms, 0.99) <= FRAME_BUDGET ? "yes" : "no");
}

static void
exec_sql (YataiStore *store,
          const char *sql)
{
  char *message = NULL;

  if (sqlite3_exec (yatai_store_get_db (store), sql, NULL, NULL, &message) != SQLITE_OK)
    g_error ("%s: %s", sql, message);
}

static JsonNode *
run (YataiApplication *app,
     const char       *kind,
     JsonObject       *args)
{
  g_autoptr(GError) error = NULL;
  JsonNode *result = yatai_application_run (app, kind, args, NULL, &error);

  g_assert_no_error (error);
  return result;
}

static gint64
confirm (YataiApplication *app,
         gint64            product_id,
         guint             i)
{
  YataiCartLine lines[] = { { product_id, 1 + i % 3 } };
  g_autofree char *customer = g_strdup_printf ("客%u", i);
  g_autoptr(JsonObject) args = yatai_order_confirm_args (lines, 1, customer, i % 5 == 0 ? "ソース少なめ" : "",
                                                         0, TRUE, 5);
  g_autoptr(JsonNode) result = run (app, "order.confirm", args);

  return json_object_get_int_member (json_node_get_object (result), "id");
}

static void
complete (YataiApplication *app,
          gint64            id)
{
  const char *steps[] = { "processing", "completed" };

  for (guint s = 0; s < G_N_ELEMENTS (steps); s++)
    {
      g_autoptr(JsonObject) args = json_object_new ();
      g_autoptr(JsonNode) result = NULL;

      json_object_set_int_member (args, "id", id);
      json_object_set_string_member (args, "status", steps[s]);
      result = run (app, "order.status", args);
    }
}

typedef struct
{
  GArray *work;       /* the commit, the new card and the frame that shows it */
  GArray *painted;    /* from the call until that frame is painted, waiting for the frame's turn included */
} Arrivals;

/* 300 orders waiting, then ARRIVALS more, one at a time; each is completed before the next comes. With
 * @scroll the grid is scrolled to the new order in the same frame, so its card is made and drawn;
 * without, the page shows the oldest orders (as a kitchen does) and the new card is below them. */
static Arrivals
bench_kitchen (YataiApplication *app,
               gboolean          scroll)
{
  GListModel *products = G_LIST_MODEL (yatai_application_get_products (app));
  g_autoptr(YataiProduct) first = g_list_model_get_item (products, 0);
  gint64 product_id = yatai_product_get_id (first);
  YataiWindow *window;
  GtkWidget *view;
  Arrivals out = { g_array_new (FALSE, FALSE, sizeof (double)), g_array_new (FALSE, FALSE, sizeof (double)) };
  Clock c = { 0 };

  window = yatai_window_new (app);
  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);
  yatai_window_set_page (window, "kitchen");
  gtk_window_present (GTK_WINDOW (window));
  gui_test_settle ();
  view = gui_test_find (yatai_window_get_page (window, "kitchen"), "cards_view");
  watch_clock (GTK_WIDGET (window), &c);
  wait_for_paint (&c);

  for (guint i = 0; i < ARRIVALS; i++)
    {
      gint64 start = g_get_monotonic_time (), id;
      double call, work, painted;

      id = confirm (app, product_id, ACTIVE + i);
      if (scroll)
        gtk_widget_activate_action (view, "list.scroll-to-item", "u", ACTIVE);
      call = (g_get_monotonic_time () - start) / 1000.0;
      wait_for_paint (&c);
      work = call + (c.painted_at - c.frame_start) / 1000.0;
      painted = (c.painted_at - start) / 1000.0;
      g_array_append_val (out.work, work);
      g_array_append_val (out.painted, painted);

      complete (app, id);
      gui_test_settle ();
      wait_for_paint (&c);
    }

  gtk_window_destroy (GTK_WINDOW (window));
  gui_test_settle ();
  return out;
}

static void
fill_active (YataiApplication *app)
{
  YataiStore *store = yatai_application_get_store (app);
  GListModel *products = G_LIST_MODEL (yatai_application_get_products (app));
  g_autoptr(YataiProduct) first = g_list_model_get_item (products, 0);

  /* Enough stock for the whole run, then 300 orders waiting. */
  exec_sql (store, "UPDATE products SET stock = 1000000");
  yatai_store_emit_reset (store);
  for (guint i = 0; i < ACTIVE; i++)
    confirm (app, yatai_product_get_id (first), i);
}

typedef struct
{
  GtkAdjustment *adjustment;
  double         step;
  guint          frames;
  Clock         *clock;
} Scroll;

static gboolean
scroll_tick_cb (GtkWidget     *widget,
                GdkFrameClock *frame_clock,
                gpointer       data)
{
  Scroll *s = data;
  double value = gtk_adjustment_get_value (s->adjustment) + s->step;
  double end = gtk_adjustment_get_upper (s->adjustment) - gtk_adjustment_get_page_size (s->adjustment);

  if (s->frames == 0)
    return G_SOURCE_REMOVE;
  s->frames--;
  gtk_adjustment_set_value (s->adjustment, value > end ? 0 : value);
  return G_SOURCE_CONTINUE;
}

static GArray *
bench_orders (YataiApplication *app,
              double            step)
{
  YataiWindow *window;
  GtkWidget *page, *view;
  Clock c = { 0 };
  Scroll s;

  window = yatai_window_new (app);
  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);
  yatai_window_set_page (window, "orders");
  gtk_window_present (GTK_WINDOW (window));
  gui_test_settle ();
  page = yatai_window_get_page (window, "orders");
  view = gui_test_find (page, "column_view");
  watch_clock (GTK_WIDGET (window), &c);
  wait_for_paint (&c);

  c.frame_ms = g_array_new (FALSE, FALSE, sizeof (double));
  s.adjustment = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (view));
  s.step = step;
  s.frames = SCROLL_FRAMES;
  s.clock = &c;
  g_assert_cmpfloat (gtk_adjustment_get_upper (s.adjustment), >, 100000.0);
  gtk_widget_add_tick_callback (view, scroll_tick_cb, &s, NULL);
  c.recording = TRUE;
  while (s.frames > 0)
    g_main_context_iteration (NULL, TRUE);
  wait_for_paint (&c);
  c.recording = FALSE;

  gtk_window_destroy (GTK_WINDOW (window));
  gui_test_settle ();
  return c.frame_ms;
}

static void
free_arrivals (Arrivals *a)
{
  g_array_unref (a->work);
  g_array_unref (a->painted);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *dir = NULL;
  YataiApplication *app;
  Arrivals offscreen = { 0 }, onscreen = { 0 };
  GArray *row, *slow, *fast;
  const char *only;
  guint orders;

  g_setenv ("GSETTINGS_BACKEND", "memory", FALSE);
  gtk_init ();
  app = gui_test_app_new (TRUE, &dir);

  /* `bench-gui kitchen` or `bench-gui orders` runs one half (for a profiler). */
  only = argc > 1 ? argv[1] : "";
  row = g_array_new (FALSE, FALSE, sizeof (double));
  slow = g_array_new (FALSE, FALSE, sizeof (double));
  fast = g_array_new (FALSE, FALSE, sizeof (double));
  if (!g_str_equal (only, "orders"))
    {
      fill_active (app);
      offscreen = bench_kitchen (app, FALSE);
      onscreen = bench_kitchen (app, TRUE);
    }
  gui_test_fill_history (yatai_application_get_store (app), 100000);
  orders = 100000 + (g_str_equal (only, "orders") ? 0 : ACTIVE + 2 * ARRIVALS);
  if (!g_str_equal (only, "kitchen"))
    {
      g_array_unref (row);
      g_array_unref (slow);
      g_array_unref (fast);
      row = bench_orders (app, 36.0);
      slow = bench_orders (app, 120.0);
      fast = bench_orders (app, 1200.0);
    }

  g_print ("GSK renderer: %s; window 1280x800; budget: one 60 Hz frame, %.1f ms\n\n",
           g_getenv ("GSK_RENDERER") ? g_getenv ("GSK_RENDERER") : "GTK's choice", FRAME_BUDGET);
  g_print ("| %-66s | %5s | %6s | %6s | %6s | %s |\n", "what", "n", "p50 ms", "p99 ms", "max ms", "p99 in budget");
  g_print ("| %-66s | ----: | -----: | -----: | -----: | --- |\n", "---");
  if (offscreen.work != NULL)
    {
      print_row ("Kitchen, 300 active: an order arrives (commit + frame)", offscreen.work);
      print_row ("  the same, until painted (with the wait for the frame's turn)", offscreen.painted);
      print_row ("Kitchen, scrolled to the new card: it arrives (commit + frame)", onscreen.work);
      print_row ("  the same, until painted (with the wait for the frame's turn)", onscreen.painted);
      free_arrivals (&offscreen);
      free_arrivals (&onscreen);
    }
  {
    const char *how[] = { "a row (36 px) a frame", "120 px a frame, a fast flick", "1,200 px a frame, the scrollbar dragged" };
    GArray *runs[] = { row, slow, fast };

    for (guint i = 0; i < G_N_ELEMENTS (runs); i++)
      {
        g_autofree char *what = g_strdup_printf ("Orders, %u orders, scrolling %s: a frame", orders, how[i]);

        print_row (what, runs[i]);
      }
  }

  g_array_unref (row);
  g_array_unref (slow);
  g_array_unref (fast);
  g_application_quit (G_APPLICATION (app));
  g_object_unref (app);
  gui_test_remove_dir (dir);
  return 0;
}
