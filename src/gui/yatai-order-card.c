/* yatai-order-card.c: one order as the kitchen sees it */
#define G_LOG_DOMAIN "yatai-order-card"

#include "config.h"

#include <glib/gi18n.h>

#include "yatai-a11y.h"
#include "yatai-order-card.h"
#include "yatai-pending-view.h"

struct _YataiOrderCard
{
  GtkBox      parent_instance;

  YataiOrder *order;
  YataiPendingCommands *pending;   /* what this device sent the writer, when it follows one */
  guint       flash_id;

  GtkLabel   *number_label;
  GtkLabel   *age_label;
  GtkLabel   *status_label;
  GtkSpinner *sending_spinner;
  GtkLabel   *customer_label;
  GtkLabel   *note_label;
  GtkBox     *lines_box;
  GtkWidget  *back_button;
  GtkWidget  *cancel_button;
  GtkWidget  *advance_button;
};

G_DEFINE_FINAL_TYPE (YataiOrderCard, yatai_order_card, GTK_TYPE_BOX)

/* "mm:ss" under an hour, "h:mm:ss" after. */
char *
yatai_format_age (gint64 age_us)
{
  gint64 seconds = MAX (age_us, 0) / G_USEC_PER_SEC;

  if (seconds >= 3600)
    return g_strdup_printf ("%d:%02d:%02d", (int) (seconds / 3600), (int) (seconds / 60 % 60), (int) (seconds % 60));
  return g_strdup_printf ("%02d:%02d", (int) (seconds / 60), (int) (seconds % 60));
}

/* What a screen reader reads after the card's name: its lines (those made say so), customer, note. */
static char *
describe (YataiOrder *order,
          const char *sending)
{
  GString *text = g_string_new (NULL);

  if (sending != NULL)
    /* TRANSLATORS: first in a kitchen card's description for screen readers: "Sending…: Cooking · sending…; 焼きそば ×1" */
    g_string_append_printf (text, _("%s: %s; "), yatai_pending_sending_label (), sending);

  for (guint i = 0; i < yatai_order_get_n_lines (order); i++)
    {
      const YataiOrderLine *line = yatai_order_get_line (order, i);

      g_string_append_printf (text, "%s%s ×%" G_GINT64_FORMAT, i > 0 ? ", " : "", line->name, line->quantity);
      if (line->done)
        /* TRANSLATORS: after a line of a kitchen card that is made, for screen readers */
        g_string_append_printf (text, " (%s)", _("made"));
    }
  if (*yatai_order_get_customer (order) != '\0')
    g_string_append_printf (text, "; %s", yatai_order_get_customer (order));
  if (*yatai_order_get_note (order) != '\0')
    g_string_append_printf (text, "; %s", yatai_order_get_note (order));
  return g_string_free (text, FALSE);
}

static void
fill (YataiOrderCard *self)
{
  YataiOrder *order = self->order;
  YataiOrderStatus status = yatai_order_get_status (order);
  GVariant *target = g_variant_ref_sink (g_variant_new_int64 (yatai_order_get_id (order)));
  g_autofree char *number = g_strdup_printf ("%" G_GINT64_FORMAT, yatai_order_get_call_number (order));
  g_autofree char *name = NULL;
  g_autofree char *description = NULL;
  g_autofree char *sending = NULL;
  YataiPendingCommand *move = NULL;
  GtkWidget *child;

  /* A change this device sent the writer shows at once, as on its way, until the answer replaces it;
   * meanwhile the buttons send nothing that could contradict it. */
  if (self->pending != NULL)
    move = yatai_pending_commands_find_move (self->pending, yatai_order_get_id (order));
  if (move != NULL)
    sending = yatai_pending_describe_move (move, status);
  gtk_label_set_label (self->number_label, number);
  gtk_label_set_label (self->status_label, sending != NULL ? sending : yatai_order_status_label (status));
  gtk_widget_set_visible (GTK_WIDGET (self->sending_spinner), move != NULL);
  gtk_spinner_set_spinning (self->sending_spinner, move != NULL);
  if (move != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (self), "sending");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self), "sending");
  gtk_label_set_label (self->customer_label, yatai_order_get_customer (order));
  gtk_widget_set_visible (GTK_WIDGET (self->customer_label), *yatai_order_get_customer (order) != '\0');
  gtk_label_set_label (self->note_label, yatai_order_get_note (order));
  gtk_widget_set_visible (GTK_WIDGET (self->note_label), *yatai_order_get_note (order) != '\0');

  gtk_button_set_label (GTK_BUTTON (self->advance_button),
                        move != NULL ? yatai_pending_sending_label ()
                        : status == YATAI_ORDER_PENDING ? _("Start") : _("Ready"));
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (self->advance_button), target);
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (self->back_button), target);
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (self->cancel_button), target);
  /* Back from "waiting" has nowhere to go. Without an action, as well as insensitive: the button's
   * action helper makes it sensitive again whenever it finds the action enabled (when the card is put
   * into a window after it was filled, say). */
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->back_button),
                                  status == YATAI_ORDER_PROCESSING && move == NULL ? "kitchen.back" : NULL);
  gtk_widget_set_sensitive (self->back_button, status == YATAI_ORDER_PROCESSING && move == NULL);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->advance_button), move == NULL ? "kitchen.advance" : NULL);
  gtk_widget_set_sensitive (self->advance_button, move == NULL);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->cancel_button), move == NULL ? "kitchen.cancel" : NULL);
  gtk_widget_set_sensitive (self->cancel_button, move == NULL);
  gtk_widget_set_tooltip_text (self->advance_button, move != NULL ? yatai_pending_sending_tooltip () : NULL);
  gtk_widget_set_tooltip_text (self->back_button, move != NULL ? yatai_pending_sending_tooltip () : _("Back One Step"));
  gtk_widget_set_tooltip_text (self->cancel_button, move != NULL ? yatai_pending_sending_tooltip () : _("Cancel Order"));

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->lines_box))) != NULL)
    gtk_box_remove (self->lines_box, child);
  for (guint i = 0; i < yatai_order_get_n_lines (order); i++)
    {
      const YataiOrderLine *line = yatai_order_get_line (order, i);
      g_autofree char *text = g_strdup_printf ("%s ×%" G_GINT64_FORMAT, line->name, line->quantity);
      GtkWidget *button = gtk_button_new_with_label (text);
      GtkWidget *label = gtk_button_get_child (GTK_BUTTON (button));
      YataiPendingCommand *strike = self->pending != NULL
                                    ? yatai_pending_commands_find_line (self->pending, yatai_order_get_id (order), line->line_no)
                                    : NULL;
      gboolean done = line->done;

      /* A line struck through (or back) on its way shows as it will be, and waits for the answer. */
      if (strike != NULL)
        done = json_object_get_boolean_member_with_default (yatai_command_get_args (yatai_pending_command_get_command (strike)),
                                                            "done", !done);

      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_widget_add_css_class (button, "card-line");
      gtk_widget_add_css_class (button, "flat");
      if (done)
        {
          g_autofree char *made = g_strdup_printf ("%s (%s)", text, _("made"));

          gtk_widget_add_css_class (button, "done");
          gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, made, -1);
        }
      gtk_widget_set_tooltip_text (button, strike != NULL ? yatai_pending_sending_tooltip ()
                                           : done ? _("Done; tap to undo") : _("Tap when this is made"));
      gtk_actionable_set_action_target_value (GTK_ACTIONABLE (button),
                                              g_variant_new ("(xxb)", yatai_order_get_id (order),
                                                             (gint64) line->line_no, !done));
      if (strike != NULL)
        {
          gtk_widget_add_css_class (button, "sending");
          gtk_widget_set_sensitive (button, FALSE);
        }
      else
        gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "kitchen.line-done");
      gtk_box_append (self->lines_box, button);
    }

  /* TRANSLATORS: a kitchen card, for screen readers: "Order 12, Waiting" */
  name = g_strdup_printf (_("Order %s, %s"), number, yatai_order_status_label (status));
  description = describe (order, sending);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, name,
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description, -1);
  yatai_a11y_label_cell (GTK_WIDGET (self), name, description);
  g_variant_unref (target);
}

static void
yatai_order_card_dispose (GObject *object)
{
  YataiOrderCard *self = YATAI_ORDER_CARD (object);

  g_clear_handle_id (&self->flash_id, g_source_remove);
  g_clear_object (&self->order);
  g_clear_object (&self->pending);
  gtk_widget_dispose_template (GTK_WIDGET (self), YATAI_TYPE_ORDER_CARD);
  G_OBJECT_CLASS (yatai_order_card_parent_class)->dispose (object);
}

static void
yatai_order_card_class_init (YataiOrderCardClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = yatai_order_card_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/yatai/Yatai/yatai-order-card.ui");
  gtk_widget_class_bind_template_child (widget_class, YataiOrderCard, number_label);
  gtk_widget_class_bind_template_child (widget_class, YataiOrderCard, age_label);
  gtk_widget_class_bind_template_child (widget_class, YataiOrderCard, status_label);
  gtk_widget_class_bind_template_child (widget_class, YataiOrderCard, sending_spinner);
  gtk_widget_class_bind_template_child (widget_class, YataiOrderCard, customer_label);
  gtk_widget_class_bind_template_child (widget_class, YataiOrderCard, note_label);
  gtk_widget_class_bind_template_child (widget_class, YataiOrderCard, lines_box);
  gtk_widget_class_bind_template_child (widget_class, YataiOrderCard, back_button);
  gtk_widget_class_bind_template_child (widget_class, YataiOrderCard, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, YataiOrderCard, advance_button);
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
yatai_order_card_init (YataiOrderCard *self)
{
  GVariant *none = g_variant_ref_sink (g_variant_new_int64 (0));

  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (self->advance_button), none);
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (self->back_button), none);
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (self->cancel_button), none);
  g_variant_unref (none);
}

/* @order may be %NULL: an empty card that a list view fills with yatai_order_card_set_order(). */
GtkWidget *
yatai_order_card_new (YataiOrder *order)
{
  YataiOrderCard *self;

  g_return_val_if_fail (order == NULL || YATAI_IS_ORDER (order), NULL);

  self = g_object_new (YATAI_TYPE_ORDER_CARD, NULL);
  if (order != NULL)
    yatai_order_card_set_order (self, order);
  return GTK_WIDGET (self);
}

/* Shows @order: the Kitchen page's grid gives one card one order after another as it scrolls, so a
 * flash of the order before stops here. */
void
yatai_order_card_set_order (YataiOrderCard *self,
                            YataiOrder     *order)
{
  g_return_if_fail (YATAI_IS_ORDER_CARD (self));
  g_return_if_fail (YATAI_IS_ORDER (order));

  g_clear_handle_id (&self->flash_id, g_source_remove);
  gtk_widget_remove_css_class (GTK_WIDGET (self), "flash");
  g_set_object (&self->order, order);
  fill (self);
}

/* The commands on their way to the writer (NULL: none ever are, this device writes or is alone): the
 * card shows its order's as sending. Call again when they change. */
void
yatai_order_card_set_pending (YataiOrderCard       *self,
                              YataiPendingCommands *pending)
{
  g_return_if_fail (YATAI_IS_ORDER_CARD (self));
  g_return_if_fail (pending == NULL || YATAI_IS_PENDING_COMMANDS (pending));

  g_set_object (&self->pending, pending);
  if (self->order != NULL)
    fill (self);
}

YataiOrder *
yatai_order_card_get_order (YataiOrderCard *self)
{
  g_return_val_if_fail (YATAI_IS_ORDER_CARD (self), NULL);
  return self->order;
}

/* The age shown and the colour: normal, warning from @warning_us of waiting, late from @late_us. */
YataiCardUrgency
yatai_order_card_tick (YataiOrderCard *self,
                       gint64          now,
                       gint64          warning_us,
                       gint64          late_us)
{
  gint64 age;
  g_autofree char *text = NULL;
  YataiCardUrgency urgency;

  g_return_val_if_fail (YATAI_IS_ORDER_CARD (self), YATAI_CARD_NORMAL);

  age = now - yatai_order_get_created (self->order);
  text = yatai_format_age (age);
  gtk_label_set_label (self->age_label, text);

  urgency = age >= late_us ? YATAI_CARD_LATE : age >= warning_us ? YATAI_CARD_WARNING : YATAI_CARD_NORMAL;
  if (urgency == YATAI_CARD_LATE)
    gtk_widget_add_css_class (GTK_WIDGET (self), "late");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self), "late");
  if (urgency == YATAI_CARD_WARNING)
    gtk_widget_add_css_class (GTK_WIDGET (self), "warning");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self), "warning");
  return urgency;
}

static gboolean
unflash_cb (gpointer data)
{
  YataiOrderCard *self = data;

  gtk_widget_remove_css_class (GTK_WIDGET (self), "flash");
  self->flash_id = 0;
  return G_SOURCE_REMOVE;
}

/* A new order: the card blinks for @ms milliseconds so it is seen from across the kitchen. */
void
yatai_order_card_flash (YataiOrderCard *self,
                        guint           ms)
{
  g_return_if_fail (YATAI_IS_ORDER_CARD (self));

  gtk_widget_add_css_class (GTK_WIDGET (self), "flash");
  g_clear_handle_id (&self->flash_id, g_source_remove);
  self->flash_id = g_timeout_add (ms, unflash_cb, self);
}
