/* yatai-call-board.c: the numbers customers watch
 *
 * "Preparing" shows every active order's call number, oldest first; "Ready" the orders completed in
 * the last three minutes, newest first. Both are live order lists on the app's store, so a tap in the
 * kitchen moves a number at once; a tick every few seconds lets ready numbers leave.
 */
#define G_LOG_DOMAIN "yatai-call-board"

#include "config.h"

#include <glib/gi18n.h>

#include "yatai-call-board.h"
#include "yatai-order-list.h"

struct _YataiCallBoard
{
  AdwApplicationWindow  parent_instance;

  YataiApplication     *application;
  YataiOrderList       *preparing;
  YataiOrderList       *ready;
  guint                 tick_id;

  GtkFlowBox           *preparing_box;
  GtkFlowBox           *ready_box;
};

G_DEFINE_FINAL_TYPE (YataiCallBoard, yatai_call_board, ADW_TYPE_APPLICATION_WINDOW)

static GtkWidget *
create_number (gpointer item,
               gpointer user_data)
{
  g_autofree char *text = g_strdup_printf ("%" G_GINT64_FORMAT, yatai_order_get_call_number (item));
  GtkWidget *label = gtk_label_new (text);
  GtkWidget *child = gtk_flow_box_child_new ();

  gtk_widget_add_css_class (label, "board-number");
  /* A number to read, nothing to act on: the focus passes it by, a screen reader reads the label. */
  gtk_flow_box_child_set_child (GTK_FLOW_BOX_CHILD (child), label);
  gtk_widget_set_focusable (child, FALSE);
  return child;
}

static gint64
ready_since (YataiCallBoard *self)
{
  YataiStore *store = yatai_application_get_store (self->application);

  return yatai_store_now (store) - (gint64) YATAI_READY_SHOWN_SECONDS * G_USEC_PER_SEC;
}

/* Ready numbers leave once they have been up for three minutes. */
void
yatai_call_board_tick (YataiCallBoard *self)
{
  g_return_if_fail (YATAI_IS_CALL_BOARD (self));
  yatai_order_list_set_param (self->ready, ready_since (self));
}

static gboolean
tick_cb (gpointer data)
{
  yatai_call_board_tick (data);
  return G_SOURCE_CONTINUE;
}

static void
fullscreen_action_cb (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  if (gtk_window_is_fullscreen (GTK_WINDOW (widget)))
    gtk_window_unfullscreen (GTK_WINDOW (widget));
  else
    gtk_window_fullscreen (GTK_WINDOW (widget));
}

static void
yatai_call_board_dispose (GObject *object)
{
  YataiCallBoard *self = YATAI_CALL_BOARD (object);

  g_clear_handle_id (&self->tick_id, g_source_remove);
  gtk_widget_dispose_template (GTK_WIDGET (self), YATAI_TYPE_CALL_BOARD);
  g_clear_object (&self->preparing);
  g_clear_object (&self->ready);
  g_clear_object (&self->application);
  G_OBJECT_CLASS (yatai_call_board_parent_class)->dispose (object);
}

static void
yatai_call_board_class_init (YataiCallBoardClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = yatai_call_board_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/yatai/Yatai/yatai-call-board.ui");
  gtk_widget_class_bind_template_child (widget_class, YataiCallBoard, preparing_box);
  gtk_widget_class_bind_template_child (widget_class, YataiCallBoard, ready_box);
  gtk_widget_class_install_action (widget_class, "board.fullscreen", NULL, fullscreen_action_cb);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F11, 0, "board.fullscreen", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "board.fullscreen", NULL);
}

static void
yatai_call_board_init (YataiCallBoard *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

YataiCallBoard *
yatai_call_board_new (YataiApplication *application)
{
  YataiCallBoard *self;
  YataiStore *store;

  g_return_val_if_fail (YATAI_IS_APPLICATION (application), NULL);

  self = g_object_new (YATAI_TYPE_CALL_BOARD, "application", application, NULL);
  self->application = g_object_ref (application);
  store = yatai_application_get_store (application);
  self->preparing = yatai_order_list_new (store, YATAI_ORDER_QUERY_ACTIVE, 0);
  self->ready = yatai_order_list_new (store, YATAI_ORDER_QUERY_COMPLETED, ready_since (self));
  gtk_flow_box_bind_model (self->preparing_box, G_LIST_MODEL (self->preparing), create_number, NULL, NULL);
  gtk_flow_box_bind_model (self->ready_box, G_LIST_MODEL (self->ready), create_number, NULL, NULL);
  self->tick_id = g_timeout_add_seconds (5, tick_cb, self);
  return self;
}

GListModel *
yatai_call_board_get_preparing (YataiCallBoard *self)
{
  g_return_val_if_fail (YATAI_IS_CALL_BOARD (self), NULL);
  return G_LIST_MODEL (self->preparing);
}

GListModel *
yatai_call_board_get_ready (YataiCallBoard *self)
{
  g_return_val_if_fail (YATAI_IS_CALL_BOARD (self), NULL);
  return G_LIST_MODEL (self->ready);
}
