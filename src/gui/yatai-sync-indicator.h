#pragma once

#include <adwaita.h>

#include "yatai-sync-engine.h"

G_BEGIN_DECLS

#define YATAI_TYPE_SYNC_INDICATOR (yatai_sync_indicator_get_type ())
G_DECLARE_FINAL_TYPE (YataiSyncIndicator, yatai_sync_indicator, YATAI, SYNC_INDICATOR, GtkWidget)

void             yatai_sync_indicator_set_engine (YataiSyncIndicator *self,
                                                  YataiSyncEngine    *engine);
YataiSyncEngine *yatai_sync_indicator_get_engine (YataiSyncIndicator *self);
gboolean         yatai_sync_indicator_get_stale  (YataiSyncIndicator *self);
const char      *yatai_sync_indicator_get_stale_text (YataiSyncIndicator *self);

G_END_DECLS
