#pragma once

#include "yatai-sync-engine.h"

G_BEGIN_DECLS

#define YATAI_STALE_AFTER_SECONDS 10

/* Where this device stands, in words a stall's staff understand: the header bar's short summary and
 * the details one click away. @engine NULL means sync is not set up (local only). @now is monotonic. */
char     *yatai_sync_status_summary   (YataiSyncEngine *engine,
                                       gint64           now);
char     *yatai_sync_status_details   (YataiSyncEngine *engine,
                                       gint64           now);

/* A follower that has heard nothing for YATAI_STALE_AFTER_SECONDS, or cannot reach the bucket, may be
 * showing old orders: pages say so. @since (monotonic) is when it last heard from the bucket. */
gboolean  yatai_sync_status_is_stale  (YataiSyncEngine *engine,
                                       gint64           now,
                                       gint64          *since);

char     *yatai_format_duration       (gint64           seconds);

G_END_DECLS
