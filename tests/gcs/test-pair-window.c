/* test-pair-window.c: Add a Device on the counter and Join a Stall on a new device, as a person uses them
 * (Xvfb, GTK's test accessibility backend). The counter writes through yatai-test-bucket; the new device
 * has no settings at all. It lists the counters its discovery finds (fed by hand here: a test has no
 * Avahi daemon), says in words when none can be found, fills the address from the counter chosen, takes
 * a wrong code (refused in words on both screens), then the right one, and leaves the welcome with the
 * stall, the sync settings, and a follower's part. */
#include "config.h"

#include "gui-test-util.h"
#include "test-server.h"
#include "yatai-pair-window.h"
#include "yatai-preferences-window.h"
#include "yatai-sync-status.h"
#include "yatai-window.h"

static gboolean
status_says_something (gpointer window)
{
  const char *text = gui_test_label (window, "join_status_label");

  return !g_str_equal (text, "") && !g_str_equal (text, "Asking the counter for the stall…");
}

static gboolean
counter_says (gpointer data)
{
  GtkWidget *window = ((gpointer *) data)[0];

  return g_str_equal (gui_test_label (window, "add_status_label"), ((gpointer *) data)[1]);
}

static gboolean
welcome_left (gpointer window)
{
  return g_str_equal (gtk_stack_get_visible_child_name (GTK_STACK (gui_test_find (window, "main_stack"))), "pages");
}

typedef struct
{
  char    *out;
  char    *err;
  gboolean done;
} Ran;

static void
ran_cb (GObject      *source,
        GAsyncResult *result,
        gpointer      user_data)
{
  Ran *ran = user_data;
  g_autoptr(GError) error = NULL;

  g_subprocess_communicate_utf8_finish (G_SUBPROCESS (source), result, &ran->out, &ran->err, &error);
  g_assert_no_error (error);
  ran->done = TRUE;
}

static gboolean
has_run (gpointer data)
{
  return ((Ran *) data)->done;
}

static GtkWidget *
find_pair_window (const char *page)
{
  g_autoptr(GList) toplevels = gtk_window_list_toplevels ();

  for (GList *l = toplevels; l != NULL; l = l->next)
    if (YATAI_IS_PAIR_WINDOW (l->data) &&
        g_str_equal (gtk_stack_get_visible_child_name (GTK_STACK (gui_test_find (l->data, "pages"))), page))
      return l->data;
  return NULL;
}

static void
join (GtkWidget  *window,
      const char *address,
      const char *code)
{
  if (address != NULL)
    gtk_editable_set_text (GTK_EDITABLE (gui_test_find (window, "address_row")), address);
  gtk_editable_set_text (GTK_EDITABLE (gui_test_find (window, "code_row")), code);
  g_assert_true (gtk_widget_get_sensitive (gui_test_find (window, "join_button")));
  gui_test_click (window, "join_button");
}

static void
test_add_and_join (void)
{
  g_autofree char *url = NULL;
  g_autoptr(GSubprocess) server = test_server_start (NULL, &url);
  g_autofree char *dir_a = NULL;
  g_autofree char *dir_b = NULL;
  g_autoptr(YataiApplication) counter = gui_test_app_new (TRUE, &dir_a);
  g_autoptr(YataiApplication) kitchen = gui_test_app_new (FALSE, &dir_b);
  GSettings *settings = yatai_application_get_settings (kitchen);
  YataiPreferencesWindow *preferences;
  YataiWindow *kitchen_window;
  GtkWidget *add, *joining;
  YataiPairServer *pair;
  g_autofree char *code = NULL;
  g_autofree char *wrong = NULL;
  g_autofree char *address = NULL;
  g_autofree char *shown = NULL;
  g_autofree char *bucket = NULL;
  YataiLinkDiscovery *discovery;
  GtkListBox *list;
  GtkListBoxRow *row;

  yatai_application_set_sync_overrides (counter, "stall", url, "pair/stall", "Counter PC");
  gui_test_run_until (gui_test_is_writer, counter);
  yatai_store_set_device_name (yatai_application_get_store (kitchen), "Kitchen");

  /* The counter: Preferences → Sync → Add a Device shows a code, where to type it, and its time. */
  preferences = yatai_preferences_window_new (counter);
  gtk_window_present (GTK_WINDOW (preferences));
  gui_test_settle ();
  gtk_widget_activate_action (GTK_WIDGET (preferences), "prefs.add-device", NULL);
  gui_test_settle ();
  add = find_pair_window ("add");
  g_assert_nonnull (add);
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (add)), ==, "Add a Device");
  pair = yatai_pair_window_get_server (YATAI_PAIR_WINDOW (add));
  code = g_strdup (yatai_pair_server_get_code (pair));
  shown = yatai_pair_code_format (code);
  g_assert_cmpstr (gui_test_label (add, "code_label"), ==, shown);
  {
    g_autofree char *spoken = g_strdup_printf ("Pairing code: %c %c %c %c %c %c",
                                               code[0], code[1], code[2], code[3], code[4], code[5]);

    gtk_test_accessible_assert_property (GTK_ACCESSIBLE (gui_test_find (add, "code_label")),
                                         GTK_ACCESSIBLE_PROPERTY_LABEL, spoken);
  }
  g_assert_true (g_str_has_prefix (gui_test_label (add, "expiry_label"), "Valid for 4:") ||
                 g_str_has_prefix (gui_test_label (add, "expiry_label"), "Valid for 5:00"));
  g_assert_true (gtk_widget_get_sensitive (gui_test_find (add, "settings_switch")));
  gtk_switch_set_active (GTK_SWITCH (gui_test_find (add, "settings_switch")), TRUE);

  /* The new device: its welcome offers Join a Stall on This Network. */
  kitchen_window = yatai_window_new (kitchen);
  gtk_window_present (GTK_WINDOW (kitchen_window));
  gui_test_settle ();
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (gui_test_find (GTK_WIDGET (kitchen_window),
                                                                                "main_stack"))), ==, "welcome");
  gtk_widget_activate_action (GTK_WIDGET (kitchen_window), "win.join-stall", NULL);
  gui_test_settle ();
  joining = find_pair_window ("join");
  g_assert_nonnull (joining);
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (joining)), ==, "Join a Stall");
  g_assert_false (gtk_widget_get_sensitive (gui_test_find (joining, "join_button")));

  /* The counters on the network: none found yet, said in words, and why when none can be. */
  address = g_strdup_printf ("127.0.0.1:%u", yatai_pair_server_get_port (pair));
  discovery = yatai_pair_window_get_discovery (YATAI_PAIR_WINDOW (joining));
  list = GTK_LIST_BOX (gui_test_find (joining, "counters_list"));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (list)));
  g_assert_cmpstr (gui_test_label (joining, "counters_status_label"), ==,
                   yatai_link_discovery_available (discovery)
                     ? "Looking for counters showing Add a Device… If none appears, type the counter’s address below."
                     : "Counters cannot be found automatically on this device (no network service discovery). Type the counter’s address below.");

  /* Two counters found (as DNS-SD's answers would give them), listed by name; one goes away. */
  yatai_link_discovery_take_found (discovery, "till", "Till 2", "192.0.2.7:4100");
  yatai_link_discovery_take_found (discovery, "counter", "Counter PC", address);
  yatai_link_discovery_take_found (discovery, "gone", "Old Laptop", "192.0.2.9:4100");
  yatai_link_discovery_forget_found (discovery, "gone");
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (list)));
  g_assert_cmpstr (gui_test_label (joining, "counters_status_label"), ==, "Choose the counter, then type its code.");
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (gtk_list_box_get_row_at_index (list, 0))), ==,
                   "Till 2");
  row = gtk_list_box_get_row_at_index (list, 1);
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), ==, "Counter PC");
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), ==, address);
  g_assert_null (gtk_list_box_get_row_at_index (list, 2));

  /* Tapping “Counter PC” fills its address: only the code is left to type. */
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (gui_test_find (joining, "address_row"))), ==, "");
  g_signal_emit_by_name (list, "row-activated", row);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (gui_test_find (joining, "address_row"))), ==, address);

  /* A wrong code: said on both screens, and counted on the counter. */
  wrong = g_strdup (code);
  wrong[5] = wrong[5] == '9' ? '0' : wrong[5] + 1;
  join (joining, NULL, wrong);
  gui_test_run_until (status_says_something, joining);
  g_assert_cmpstr (gui_test_label (joining, "join_status_label"), ==, "The code is not the one shown on the counter.");
  g_assert_true (gtk_widget_has_css_class (gui_test_find (joining, "join_status_label"), "error"));
  {
    gpointer data[] = { add, (gpointer) "A device typed a wrong code. 2 more tries are allowed." };

    gui_test_run_until (counter_says, data);
  }

  /* The right code, typed with a space: the stall, its settings, and a follower's part. */
  {
    g_autofree char *typed = g_strdup_printf ("%.3s %s", code, code + 3);
    gpointer data[] = { add, (gpointer) "“Kitchen” has the stall now and follows it." };

    join (joining, NULL, typed);
    gui_test_run_until (welcome_left, kitchen_window);
    gui_test_run_until (counter_says, data);
  }
  g_assert_null (find_pair_window ("join"));
  g_assert_cmpstr (gui_test_label (add, "code_label"), ==, "––– –––");
  g_assert_nonnull (gui_test_find_label (GTK_WIDGET (kitchen_window),
                                         "This device has the stall of “Counter PC” and follows it."));
  bucket = g_settings_get_string (settings, "sync-bucket");
  g_assert_cmpstr (bucket, ==, "stall");
  gui_test_run_until (gui_test_follows_with_menu, kitchen);

  /* A headless device pairs the same way, with a new code: yatai-ctl pair HOST:PORT CODE. */
  gui_test_click (add, "new_code_button");
  {
    g_autofree char *store = g_build_filename (dir_b, "headless.sqlite3", NULL);
    g_autofree char *expected = g_strdup_printf ("This store has the stall of “Counter PC” (folder “pair/stall”).\n"
                                                 "The counter gave its sync settings: --bucket stall --endpoint %s "
                                                 "--prefix pair/stall\n", url);
    g_autoptr(GSubprocess) ctl = NULL;
    g_autoptr(GError) error = NULL;
    Ran ran = { NULL, NULL, FALSE };

    ctl = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error,
                            g_getenv ("YATAI_CTL"), "--store", store, "--device-name", "Backup", "pair", address,
                            yatai_pair_server_get_code (pair), NULL);
    g_assert_no_error (error);
    g_subprocess_communicate_utf8_async (ctl, NULL, NULL, ran_cb, &ran);
    gui_test_run_until (has_run, &ran);
    g_assert_cmpstr (ran.err, ==, "");
    g_assert_cmpstr (ran.out, ==, expected);
    g_assert_cmpint (g_subprocess_get_exit_status (ctl), ==, 0);
    g_assert_true (g_file_test (store, G_FILE_TEST_IS_REGULAR));
    g_free (ran.out);
    g_free (ran.err);
  }

  /* Without an address, yatai-ctl pair looks for the one counter on the network and says why it
   * cannot go on when it does not find exactly one. */
  {
    g_autofree char *store = g_build_filename (dir_b, "found.sqlite3", NULL);
    g_autoptr(YataiLinkDiscovery) here = yatai_link_discovery_new_for_pairing ("Test");
    g_autoptr(GSubprocess) ctl = NULL;
    g_autoptr(GError) error = NULL;
    Ran ran = { NULL, NULL, FALSE };

    if (!yatai_link_discovery_available (here))
      {
        ctl = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error,
                                g_getenv ("YATAI_CTL"), "--store", store, "pair", "123456",
                                NULL);
        g_assert_no_error (error);
        g_subprocess_communicate_utf8_async (ctl, NULL, NULL, ran_cb, &ran);
        gui_test_run_until (has_run, &ran);
        g_assert_cmpstr (ran.err, ==, "yatai-ctl: Counters cannot be found automatically on this device (no network "
                                      "service discovery). Give the address the counter shows: pair HOST:PORT CODE.\n");
        g_assert_cmpint (g_subprocess_get_exit_status (ctl), ==, 1);
        g_assert_false (g_file_test (store, G_FILE_TEST_EXISTS));
        g_free (ran.out);
        g_free (ran.err);
      }
  }

  gtk_window_destroy (GTK_WINDOW (add));
  gtk_window_destroy (GTK_WINDOW (preferences));
  gtk_window_destroy (GTK_WINDOW (kitchen_window));
  gui_test_settle ();
  g_settings_reset (settings, "sync-bucket");
  g_settings_reset (settings, "sync-endpoint");
  g_settings_reset (settings, "sync-prefix");
  g_application_quit (G_APPLICATION (kitchen));
  g_application_quit (G_APPLICATION (counter));
  gui_test_remove_dir (dir_a);
  gui_test_remove_dir (dir_b);
}

static gboolean
join_says (gpointer data)
{
  return g_str_equal (gui_test_label (((gpointer *) data)[0], "join_status_label"), ((gpointer *) data)[1]);
}

static gboolean
kitchen_follows_counter (gpointer app)
{
  YataiSyncEngine *engine = yatai_application_get_sync_engine (app);

  return engine != NULL && g_strcmp0 (yatai_sync_engine_get_link_writer (engine), "Counter PC") == 0;
}

/* A stall without a bucket: Add a Device on a counter with no bucket founds the stall, and the new
 * device follows it on the local network alone. */
static void
test_no_bucket (void)
{
  g_autofree char *dir_a = NULL;
  g_autofree char *dir_b = NULL;
  g_autoptr(YataiApplication) counter = gui_test_app_new (TRUE, &dir_a);
  g_autoptr(YataiApplication) kitchen = gui_test_app_new (FALSE, &dir_b);
  YataiPreferencesWindow *preferences;
  GtkWidget *add, *joining;
  YataiPairServer *pair;
  YataiSyncEngine *engine;
  g_autofree char *address = NULL;
  g_autofree char *summary = NULL;

  yatai_store_set_device_name (yatai_application_get_store (counter), "Counter PC");
  yatai_store_set_device_name (yatai_application_get_store (kitchen), "Kitchen");
  g_assert_null (yatai_application_get_sync_engine (counter));

  preferences = yatai_preferences_window_new (counter);
  gtk_window_present (GTK_WINDOW (preferences));
  gui_test_settle ();
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (gui_test_find (GTK_WIDGET (preferences), "add_device_row"))),
                   ==, "A new device joins by a code shown here and follows this device on the local network, without a bucket");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (preferences), "prefs.add-device", NULL));
  gui_test_settle ();
  /* The counter writes its stall now, without a bucket, and nothing waited for a network. */
  engine = yatai_application_get_sync_engine (counter);
  g_assert_nonnull (engine);
  g_assert_true (yatai_sync_engine_get_link_only (engine));
  g_assert_cmpint (yatai_sync_engine_get_role (engine), ==, YATAI_SYNC_WRITER);
  add = find_pair_window ("add");
  g_assert_nonnull (add);
  g_assert_false (gtk_widget_get_sensitive (gui_test_find (add, "settings_switch")));
  pair = yatai_pair_window_get_server (YATAI_PAIR_WINDOW (add));
  address = g_strdup_printf ("127.0.0.1:%u", yatai_pair_server_get_port (pair));

  /* The new device's Join a Stall (its main window, with the banner of a device not connected yet,
   * is left out: the pairing window is what this checks). */
  joining = GTK_WIDGET (yatai_pair_window_new_join (kitchen));
  gtk_window_present (GTK_WINDOW (joining));
  gui_test_settle ();
  join (joining, address, yatai_pair_server_get_code (pair));
  {
    gpointer data[] = { joining, (gpointer) "This device has the stall of “Counter PC” and follows it on the local network." };

    gui_test_run_until (join_says, data);
  }
  gui_test_run_until (kitchen_follows_counter, kitchen);
  engine = yatai_application_get_sync_engine (kitchen);
  g_assert_true (yatai_sync_engine_get_link_only (engine));
  g_assert_cmpint (yatai_sync_engine_get_role (engine), ==, YATAI_SYNC_FOLLOWER);
  summary = yatai_sync_status_summary (engine, g_get_monotonic_time ());
  g_assert_cmpstr (summary, ==, "Following “Counter PC” on the local network");

  gtk_window_destroy (GTK_WINDOW (add));
  gtk_window_destroy (GTK_WINDOW (preferences));
  gtk_window_destroy (GTK_WINDOW (joining));
  gui_test_settle ();
  g_application_quit (G_APPLICATION (kitchen));
  g_application_quit (G_APPLICATION (counter));
  gui_test_remove_dir (dir_a);
  gui_test_remove_dir (dir_b);
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  /* The main thread owns the main context all along, as the application's main loop does: else, between
   * two iterations of a wait, glib-networking's handshake thread may acquire it and run the devices'
   * callbacks there (see test-sync-linkonly.c). */
  g_main_context_acquire (NULL);
  g_test_add_func ("/pair-window/add-and-join", test_add_and_join);
  g_test_add_func ("/pair-window/no-bucket", test_no_bucket);
  return g_test_run ();
}
