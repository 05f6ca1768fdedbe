#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* The sound in the resources that the kitchen plays for a new order. */
#define YATAI_CHIME_RESOURCE "/io/github/yatai/Yatai/sounds/new-order.wav"

/* The kitchen's new-order chime, played with GTK's own media API (GtkMediaFile). */
#define YATAI_TYPE_CHIME (yatai_chime_get_type ())
G_DECLARE_FINAL_TYPE (YataiChime, yatai_chime, YATAI, CHIME, GObject)

YataiChime     *yatai_chime_new           (void);
void            yatai_chime_play          (YataiChime *self);
GtkMediaStream *yatai_chime_get_stream    (YataiChime *self);
guint           yatai_chime_get_n_started (YataiChime *self);

G_END_DECLS
