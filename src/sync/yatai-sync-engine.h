#pragma once

#include "yatai-bucket.h"
#include "yatai-store.h"

G_BEGIN_DECLS

/* One device's part in a stall's sync (SYNC.md): the writer, uploading its outbox as log segments and
 * applying the followers' commands, or a follower, applying the log and sending its commands to the
 * writer's inbox. Runs on the main context it was started on; nothing in it blocks. */

typedef enum
{
  YATAI_SYNC_STARTING,      /* reading the lease, restoring */
  YATAI_SYNC_WRITER,
  YATAI_SYNC_FOLLOWER,
  YATAI_SYNC_STOPPED,
} YataiSyncRole;

#define YATAI_TYPE_SYNC_ENGINE (yatai_sync_engine_get_type ())
G_DECLARE_FINAL_TYPE (YataiSyncEngine, yatai_sync_engine, YATAI, SYNC_ENGINE, GObject)

YataiSyncEngine *yatai_sync_engine_new            (YataiStore       *store,
                                                   YataiBucket      *bucket,
                                                   const char       *prefix);
void             yatai_sync_engine_start          (YataiSyncEngine  *self);
gboolean         yatai_sync_engine_get_link_only  (YataiSyncEngine  *self);

/* A stall without a bucket (ARCHITECTURE.md, "A stall without a bucket"): the device that adds the
 * first other device founds it and writes; the others follow it on the local network. */
gboolean         yatai_sync_link_stall_found      (YataiStore       *store,
                                                   const char       *prefix,
                                                   GError          **error);
char            *yatai_sync_link_stall_get        (YataiStore       *store);
gboolean         yatai_sync_link_stall_is_writer  (YataiStore       *store);
void             yatai_sync_engine_stop_async     (YataiSyncEngine  *self,
                                                   GCancellable     *cancellable,
                                                   GAsyncReadyCallback callback,
                                                   gpointer          user_data);
gboolean         yatai_sync_engine_stop_finish    (YataiSyncEngine  *self,
                                                   GAsyncResult     *result,
                                                   GError          **error);

JsonNode        *yatai_sync_engine_execute        (YataiSyncEngine  *self,
                                                   YataiCommand     *command,
                                                   gboolean         *sent,
                                                   GError          **error);
void             yatai_sync_engine_take_over      (YataiSyncEngine  *self);

YataiSyncRole    yatai_sync_engine_get_role       (YataiSyncEngine  *self);
gboolean         yatai_sync_engine_get_online     (YataiSyncEngine  *self);
const char      *yatai_sync_engine_get_holder_name (YataiSyncEngine *self);
YataiBucket     *yatai_sync_engine_get_bucket     (YataiSyncEngine  *self);
gint64           yatai_sync_engine_get_seq        (YataiSyncEngine  *self);
gint64           yatai_sync_engine_get_epoch      (YataiSyncEngine  *self);
gint64           yatai_sync_engine_get_pending    (YataiSyncEngine  *self);
gint64           yatai_sync_engine_get_last_contact (YataiSyncEngine *self);
gint64           yatai_sync_engine_get_last_upload (YataiSyncEngine *self);
gboolean         yatai_sync_engine_get_takeover_available (YataiSyncEngine *self);
gboolean         yatai_sync_engine_get_released   (YataiSyncEngine  *self);
gboolean         yatai_sync_engine_get_lease_released (YataiSyncEngine *self);
const char      *yatai_sync_engine_get_error      (YataiSyncEngine  *self);
gboolean         yatai_sync_engine_get_needs_settings (YataiSyncEngine *self);

void             yatai_sync_engine_set_auto_takeover (YataiSyncEngine *self,
                                                      gboolean         auto_takeover);
void             yatai_sync_engine_set_preferred  (YataiSyncEngine *self,
                                                   gboolean         preferred);
void             yatai_sync_engine_set_poll_interval (YataiSyncEngine *self,
                                                      guint            milliseconds);
void             yatai_sync_engine_set_timing     (YataiSyncEngine  *self,
                                                   guint            lease_ttl_ms,
                                                   guint            renew_ms);
void             yatai_sync_engine_set_follow_only (YataiSyncEngine *self,
                                                    gboolean         follow_only);
void             yatai_sync_engine_set_snapshot_every (YataiSyncEngine *self,
                                                       guint            segments);
void             yatai_sync_engine_set_retention  (YataiSyncEngine  *self,
                                                   guint             milliseconds);
void             yatai_sync_engine_pause_renewal  (YataiSyncEngine  *self,
                                                   gboolean          paused);

GBytes          *yatai_sync_engine_export_stall   (YataiSyncEngine  *self,
                                                   GError          **error);

void             yatai_sync_engine_set_link       (YataiSyncEngine  *self,
                                                   const char       *listen,
                                                   const char       *writer);
void             yatai_sync_engine_set_link_follow (YataiSyncEngine *self,
                                                    gboolean         follow);
guint16          yatai_sync_engine_get_link_port  (YataiSyncEngine  *self);
char           **yatai_sync_engine_dup_link_addresses (YataiSyncEngine *self);
const char      *yatai_sync_engine_get_link_writer (YataiSyncEngine *self);
const char      *yatai_sync_engine_get_writer_trouble (YataiSyncEngine *self);
gint64           yatai_sync_engine_get_last_link_contact (YataiSyncEngine *self);
GPtrArray       *yatai_sync_engine_get_link_peers (YataiSyncEngine  *self);

G_END_DECLS
