#pragma once

#include <adwaita.h>

#include "yatai-application.h"

G_BEGIN_DECLS

/* What the widget tests share: an application on a store of its own, and ways to look at the widgets
 * as a person would (by the id the .ui gives them, by what they say). */
YataiApplication *gui_test_app_new        (gboolean     demo,
                                           char       **out_dir);
void              gui_test_settle         (void);
GtkWidget        *gui_test_find           (GtkWidget   *root,
                                           const char  *id);
GtkWidget        *gui_test_find_label     (GtkWidget   *root,
                                           const char  *text);
GtkWindow        *gui_test_find_toplevel  (GType        type);
void              gui_test_type           (GtkWidget   *root,
                                           const char  *id,
                                           const char  *text);
const char       *gui_test_label          (GtkWidget   *root,
                                           const char  *id);
void              gui_test_click          (GtkWidget   *root,
                                           const char  *id);
void              gui_test_remove_dir     (const char  *dir);

/* Two apps syncing (tests/gcs): wait on the main loop (up to 30 s) and return the milliseconds it took;
 * whether an app writes, and whether it follows with the demo menu restored. */
typedef gboolean (*GuiTestCondition) (gpointer data);
gint64            gui_test_run_until      (GuiTestCondition  condition,
                                           gpointer          data);
gboolean          gui_test_is_writer      (gpointer          app);
gboolean          gui_test_follows_with_menu (gpointer       app);
void              gui_test_fill_history   (YataiStore  *store,
                                           guint        n);

G_END_DECLS
