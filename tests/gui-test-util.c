/* gui-test-util.c: helpers of the widget tests */
#include "config.h"

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "gui-test-util.h"

YataiApplication *
gui_test_app_new (gboolean   demo,
                  char     **out_dir)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("yatai-gui-XXXXXX", &error);
  g_autofree char *path = NULL;
  YataiApplication *app;

  g_assert_no_error (error);
  path = g_build_filename (dir, "store.sqlite3", NULL);

  /* Revealers and stacks finish their transitions at once, so what a test checks is what is shown. */
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);

  app = yatai_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);
  g_assert_true (yatai_application_open_store (app, path, demo, &error));
  g_assert_no_error (error);

  if (out_dir != NULL)
    *out_dir = g_steal_pointer (&dir);
  return app;
}

void
gui_test_settle (void)
{
  for (int i = 0; i < 3; i++)
    {
      while (g_main_context_iteration (NULL, FALSE))
        ;
      g_usleep (2000);
    }
}

GtkWidget *
gui_test_find (GtkWidget  *root,
               const char *id)
{
  GtkWidget *child;

  if (GTK_IS_BUILDABLE (root) && g_strcmp0 (gtk_buildable_get_buildable_id (GTK_BUILDABLE (root)), id) == 0)
    return root;
  for (child = gtk_widget_get_first_child (root); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = gui_test_find (child, id);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The first visible label that says @text. */
GtkWidget *
gui_test_find_label (GtkWidget  *root,
                     const char *text)
{
  GtkWidget *child;

  if (GTK_IS_LABEL (root) && gtk_widget_get_mapped (root) &&
      g_strcmp0 (gtk_label_get_text (GTK_LABEL (root)), text) == 0)
    return root;
  for (child = gtk_widget_get_first_child (root); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = gui_test_find_label (child, text);

      if (found != NULL)
        return found;
    }
  return NULL;
}

GtkWindow *
gui_test_find_toplevel (GType type)
{
  GListModel *toplevels = gtk_window_get_toplevels ();  /* transfer none */
  guint n = g_list_model_get_n_items (toplevels);

  /* The newest first: a dialog that answered may still be on its way out. */
  for (guint i = n; i-- > 0;)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (window, type) && gtk_widget_get_visible (GTK_WIDGET (window)))
        return GTK_WINDOW (window);
    }
  return NULL;
}

void
gui_test_type (GtkWidget  *root,
               const char *id,
               const char *text)
{
  GtkWidget *widget = gui_test_find (root, id);

  g_assert_nonnull (widget);
  gtk_editable_set_text (GTK_EDITABLE (widget), text);
  gui_test_settle ();
}

const char *
gui_test_label (GtkWidget  *root,
                const char *id)
{
  GtkWidget *widget = gui_test_find (root, id);

  g_assert_true (GTK_IS_LABEL (widget));
  return gtk_label_get_text (GTK_LABEL (widget));
}

void
gui_test_remove_dir (const char *dir)
{
  g_autoptr(GDir) handle = g_dir_open (dir, 0, NULL);
  const char *name;

  while (handle != NULL && (name = g_dir_read_name (handle)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      g_unlink (path);
    }
  g_rmdir (dir);
}

/* A click on the button with that id, which must be one a person can click. */
void
gui_test_click (GtkWidget  *root,
                const char *id)
{
  GtkWidget *button = gui_test_find (root, id);

  g_assert_true (GTK_IS_BUTTON (button));
  g_assert_true (gtk_widget_is_sensitive (button));
  g_assert_true (gtk_widget_get_mapped (button));
  g_signal_emit_by_name (button, "clicked");
  gui_test_settle ();
}

/* Writes @n orders of two days straight into the store, as a long festival would leave them (for the
 * Orders page's test and bench-gui). */
void
gui_test_fill_history (YataiStore *store,
                       guint       n)
{
  sqlite3 *db = yatai_store_get_db (store);
  sqlite3_stmt *order = NULL, *line = NULL;

  g_assert_cmpint (sqlite3_exec (db, "BEGIN", NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "INSERT INTO orders (call_number, business_day, customer, note, total, paid, "
                                           "status, created, updated) VALUES (?, ?, ?, '', 500, 500, ?, ?, ?)",
                                       -1, &order, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "INSERT INTO order_lines (order_id, line_no, product_id, name, unit_price, quantity) "
                                           "VALUES (?, 1, NULL, '焼きそば', 500, 1)", -1, &line, NULL), ==, SQLITE_OK);
  for (guint i = 0; i < n; i++)
    {
      const char *statuses[] = { "completed", "completed", "completed", "cancelled" };
      g_autofree char *customer = g_strdup_printf ("客%u", i);
      gint64 at = G_GINT64_CONSTANT (1795400000000000) + (gint64) i * G_USEC_PER_SEC;

      sqlite3_bind_int (order, 1, i % 50000 + 1);
      sqlite3_bind_text (order, 2, i < n / 2 ? "2026-11-22" : "2026-11-23", -1, SQLITE_STATIC);
      sqlite3_bind_text (order, 3, customer, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (order, 4, statuses[i % 4], -1, SQLITE_STATIC);
      sqlite3_bind_int64 (order, 5, at);
      sqlite3_bind_int64 (order, 6, at);
      g_assert_cmpint (sqlite3_step (order), ==, SQLITE_DONE);
      sqlite3_reset (order);
      sqlite3_bind_int64 (line, 1, sqlite3_last_insert_rowid (db));
      g_assert_cmpint (sqlite3_step (line), ==, SQLITE_DONE);
      sqlite3_reset (line);
    }
  sqlite3_finalize (order);
  sqlite3_finalize (line);
  g_assert_cmpint (sqlite3_exec (db, "COMMIT", NULL, NULL, NULL), ==, SQLITE_OK);
  yatai_store_emit_reset (store);
}

gint64
gui_test_run_until (GuiTestCondition condition,
                    gpointer         data)
{
  gint64 start = g_get_monotonic_time ();

  while (!condition (data))
    {
      if (g_get_monotonic_time () - start > 30 * G_USEC_PER_SEC)
        g_error ("Timed out waiting");
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  return (g_get_monotonic_time () - start) / 1000;
}

gboolean
gui_test_is_writer (gpointer app)
{
  YataiSyncEngine *engine = yatai_application_get_sync_engine (app);

  return engine != NULL && yatai_sync_engine_get_role (engine) == YATAI_SYNC_WRITER;
}

gboolean
gui_test_follows_with_menu (gpointer app)
{
  YataiSyncEngine *engine = yatai_application_get_sync_engine (app);

  return engine != NULL && yatai_sync_engine_get_role (engine) == YATAI_SYNC_FOLLOWER &&
         g_list_model_get_n_items (G_LIST_MODEL (yatai_application_get_products (app))) == 10;
}
