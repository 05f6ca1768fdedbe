/* yatai-sync-indicator.c: where this device stands, always in the header bar
 *
 * A menu button with a short summary ("Following “Counter PC”"); its popover has the details and, when
 * the writer has gone silent past its lease, the button that makes this device the writer (after asking).
 * It also says whether the data on screen may be old, which the window shows as a banner: a kitchen
 * screen that silently shows old orders is the worst bug a kitchen display can have.
 */
#define G_LOG_DOMAIN "yatai-sync-indicator"

#include "config.h"

#include <glib/gi18n.h>

#include "yatai-gcs-bucket.h"
#include "yatai-sync-indicator.h"
#include "yatai-sync-status.h"

struct _YataiSyncIndicator
{
  GtkWidget        parent_instance;

  GtkMenuButton   *button;
  GtkImage        *icon;
  GtkLabel        *summary;
  GtkLabel        *details;
  GtkButton       *take_over_button;

  YataiSyncEngine *engine;
  guint            tick_id;
  gboolean         stale;
  char            *stale_text;
};

G_DEFINE_FINAL_TYPE (YataiSyncIndicator, yatai_sync_indicator, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_ENGINE,
  PROP_STALE,
  PROP_STALE_TEXT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const char *
icon_for (YataiSyncEngine *engine,
          gboolean         stale)
{
  if (engine == NULL)
    return "computer-symbolic";
  if (yatai_sync_engine_get_error (engine) != NULL && !yatai_sync_engine_get_online (engine))
    return "dialog-warning-symbolic";
  if (!yatai_sync_engine_get_online (engine) || stale)
    return "network-offline-symbolic";
  if (yatai_sync_engine_get_role (engine) == YATAI_SYNC_WRITER)
    return "document-save-symbolic";
  return "emblem-synchronizing-symbolic";
}

static void
update (YataiSyncIndicator *self)
{
  gint64 now = g_get_monotonic_time ();
  g_autofree char *summary = yatai_sync_status_summary (self->engine, now);
  g_autofree char *details = yatai_sync_status_details (self->engine, now);
  gint64 since = 0;
  gboolean stale = yatai_sync_status_is_stale (self->engine, now, &since);
  g_autofree char *stale_text = NULL;

  gtk_label_set_label (self->summary, summary);
  /* A credentials file others may read: said here too, not only on the console. */
  if (self->engine != NULL && YATAI_IS_GCS_BUCKET (yatai_sync_engine_get_bucket (self->engine)))
    {
      YataiGcsClient *client = yatai_gcs_bucket_get_client (YATAI_GCS_BUCKET (yatai_sync_engine_get_bucket (self->engine)));
      YataiGcsAuth *auth = yatai_gcs_client_get_auth (client);

      if (auth != NULL && yatai_gcs_auth_get_warning (auth) != NULL)
        {
          char *with_warning = g_strconcat (details, "\n\n", yatai_gcs_auth_get_warning (auth), NULL);

          g_free (details);
          details = with_warning;
        }
    }
  gtk_label_set_label (self->details, details);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->button), summary);
  gtk_image_set_from_icon_name (self->icon, icon_for (self->engine, stale));
  gtk_widget_set_visible (GTK_WIDGET (self->take_over_button),
                          self->engine != NULL && yatai_sync_engine_get_takeover_available (self->engine));

  if (stale)
    {
      if (since > 0)
        {
          g_autofree char *ago = yatai_format_duration ((now - since) / G_USEC_PER_SEC);
          /* Translators: %s is a duration such as "25 s" */
          stale_text = g_strdup_printf (_("No news from the other devices for %s: what is shown may be out of date."),
                                        ago);
        }
      else
        stale_text = g_strdup (_("Not connected to the other devices yet: what is shown may be out of date."));
    }

  if (g_strcmp0 (stale_text, self->stale_text) != 0)
    {
      g_free (self->stale_text);
      self->stale_text = g_steal_pointer (&stale_text);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STALE_TEXT]);
    }
  if (stale != self->stale)
    {
      self->stale = stale;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STALE]);
    }
}

static gboolean
tick_cb (gpointer user_data)
{
  update (user_data);
  return G_SOURCE_CONTINUE;
}

static void
take_over_response_cb (AdwMessageDialog   *dialog,
                       const char         *response,
                       YataiSyncIndicator *self)
{
  if (g_str_equal (response, "take-over") && self->engine != NULL)
    yatai_sync_engine_take_over (self->engine);
}

static void
take_over_clicked_cb (YataiSyncIndicator *self)
{
  GtkWidget *dialog;
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  const char *holder;
  g_autofree char *body = NULL;

  if (self->engine == NULL)
    return;

  gtk_menu_button_popdown (self->button);
  holder = yatai_sync_engine_get_holder_name (self->engine);
  body = g_strdup_printf (_("“%s” has not been heard from for longer than its lease. If it is switched off or "
                            "broken, this device can write the stall’s data instead. Anything it did not send "
                            "will be sent as soon as it is back."),
                          holder ? holder : "");
  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                   _("Make This Device the Writer?"), body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "take-over", _("_Make Writer"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "take-over",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect (dialog, "response", G_CALLBACK (take_over_response_cb), self);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
engine_notify_cb (YataiSyncIndicator *self)
{
  update (self);
}

void
yatai_sync_indicator_set_engine (YataiSyncIndicator *self,
                                 YataiSyncEngine    *engine)
{
  g_return_if_fail (YATAI_IS_SYNC_INDICATOR (self));
  g_return_if_fail (engine == NULL || YATAI_IS_SYNC_ENGINE (engine));

  if (self->engine == engine)
    return;

  if (self->engine != NULL)
    g_signal_handlers_disconnect_by_data (self->engine, self);
  g_set_object (&self->engine, engine);
  if (engine != NULL)
    g_signal_connect_swapped (engine, "notify", G_CALLBACK (engine_notify_cb), self);

  update (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ENGINE]);
}

YataiSyncEngine *
yatai_sync_indicator_get_engine (YataiSyncIndicator *self)
{
  g_return_val_if_fail (YATAI_IS_SYNC_INDICATOR (self), NULL);
  return self->engine;
}

gboolean
yatai_sync_indicator_get_stale (YataiSyncIndicator *self)
{
  g_return_val_if_fail (YATAI_IS_SYNC_INDICATOR (self), FALSE);
  return self->stale;
}

const char *
yatai_sync_indicator_get_stale_text (YataiSyncIndicator *self)
{
  g_return_val_if_fail (YATAI_IS_SYNC_INDICATOR (self), NULL);
  return self->stale_text;
}

static void
yatai_sync_indicator_dispose (GObject *object)
{
  YataiSyncIndicator *self = YATAI_SYNC_INDICATOR (object);

  g_clear_handle_id (&self->tick_id, g_source_remove);
  if (self->engine != NULL)
    g_signal_handlers_disconnect_by_data (self->engine, self);
  g_clear_object (&self->engine);
  gtk_widget_dispose_template (GTK_WIDGET (self), YATAI_TYPE_SYNC_INDICATOR);

  G_OBJECT_CLASS (yatai_sync_indicator_parent_class)->dispose (object);
}

static void
yatai_sync_indicator_finalize (GObject *object)
{
  g_free (YATAI_SYNC_INDICATOR (object)->stale_text);
  G_OBJECT_CLASS (yatai_sync_indicator_parent_class)->finalize (object);
}

static void
yatai_sync_indicator_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  YataiSyncIndicator *self = YATAI_SYNC_INDICATOR (object);

  switch (prop_id)
    {
    case PROP_ENGINE:
      g_value_set_object (value, self->engine);
      break;
    case PROP_STALE:
      g_value_set_boolean (value, self->stale);
      break;
    case PROP_STALE_TEXT:
      g_value_set_string (value, self->stale_text);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
yatai_sync_indicator_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  switch (prop_id)
    {
    case PROP_ENGINE:
      yatai_sync_indicator_set_engine (YATAI_SYNC_INDICATOR (object), g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
yatai_sync_indicator_class_init (YataiSyncIndicatorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = yatai_sync_indicator_dispose;
  object_class->finalize = yatai_sync_indicator_finalize;
  object_class->get_property = yatai_sync_indicator_get_property;
  object_class->set_property = yatai_sync_indicator_set_property;

  properties[PROP_ENGINE] = g_param_spec_object ("engine", NULL, NULL, YATAI_TYPE_SYNC_ENGINE,
                                                 G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STALE] = g_param_spec_boolean ("stale", NULL, NULL, FALSE,
                                                 G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STALE_TEXT] = g_param_spec_string ("stale-text", NULL, NULL, NULL,
                                                     G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/yatai/Yatai/yatai-sync-indicator.ui");
  gtk_widget_class_bind_template_child (widget_class, YataiSyncIndicator, button);
  gtk_widget_class_bind_template_child (widget_class, YataiSyncIndicator, icon);
  gtk_widget_class_bind_template_child (widget_class, YataiSyncIndicator, summary);
  gtk_widget_class_bind_template_child (widget_class, YataiSyncIndicator, details);
  gtk_widget_class_bind_template_child (widget_class, YataiSyncIndicator, take_over_button);
  gtk_widget_class_bind_template_callback (widget_class, take_over_clicked_cb);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
yatai_sync_indicator_init (YataiSyncIndicator *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  update (self);
  self->tick_id = g_timeout_add_seconds (1, tick_cb, self);
}
