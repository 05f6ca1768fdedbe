/* yatai-sync-bucket.c: the bucket as one of the engine's transports (yatai-sync-transport.h)
 *
 * Segments go to the bucket as log/<seq> (created only, in seq order, in the upload lane, with the
 * snapshots and the deletes of retention beside them: yatai-sync-write.c) and come from it the same way
 * (log/<seq + 1> in the read lane until it is not there: yatai-sync-follow.c). A follower's commands go
 * to inbox/<device>/<counter>-<id>, which the writer lists and applies in the read lane. The bucket is
 * also the authority (the lease, the create-only log), but that part is the engine's, not this table's.
 */
#define G_LOG_DOMAIN "yatai-sync"

#include "config.h"

#include "yatai-sync-engine-private.h"

static void
bucket_follow (SyncTransport *transport,
               gint64         now)
{
  YataiSyncEngine *self = transport->engine;

  if (self->phase == PHASE_FOLLOW && sync_engine_lane_ready (self, LANE_READ, now))
    sync_engine_read_next_segment (self);
}

static void inbox_create_cb (GObject *source, GAsyncResult *result, gpointer user_data);

/* Named so that a listing, in name order, gives this device's commands in the order it made them. */
static gboolean
bucket_send_command (SyncTransport *transport,
                     YataiCommand  *command,
                     const char    *json)
{
  YataiSyncEngine *self = transport->engine;
  g_autofree char *name = NULL;
  g_autofree char *relative = NULL;
  g_autoptr(GBytes) bytes = NULL;

  if (yatai_command_get_counter (command) > 0)
    relative = g_strdup_printf ("inbox/%s/%0*" G_GINT64_FORMAT "-%s", yatai_store_get_device_id (self->store),
                                INBOX_COUNTER_DIGITS, yatai_command_get_counter (command),
                                yatai_command_get_id (command));
  else
    relative = g_strdup_printf ("inbox/%s/%s", yatai_store_get_device_id (self->store),
                                yatai_command_get_id (command));
  name = sync_engine_object_name (self, relative);
  bytes = g_bytes_new (json, strlen (json));
  sync_engine_lane_start (self, LANE_UPLOAD);
  yatai_bucket_create_async (self->bucket, name, bytes, 0, self->cancellable, inbox_create_cb, self);
  return TRUE;
}

static void
inbox_create_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  YataiSyncEngine *self = user_data;
  g_autoptr(GError) error = NULL;

  if (!yatai_bucket_create_finish (YATAI_BUCKET (source), result, NULL, &error) &&
      !g_error_matches (error, YATAI_BUCKET_ERROR, YATAI_BUCKET_ERROR_PRECONDITION))
    {
      sync_engine_request_failed (self, LANE_UPLOAD, error);
      return;
    }

  /* Created, or already there from an earlier try: either way it is in the inbox. */
  self->lanes[LANE_UPLOAD].busy = FALSE;
  sync_engine_contact (self);
  sync_engine_command_delivered (self);
}

/* The writer: the upload lane carries the sealed segments, then a snapshot when one is due, then the
 * deletes of retention; the read lane applies the inbox. */
static gint64
bucket_write (SyncTransport *transport,
              gint64         now)
{
  YataiSyncEngine *self = transport->engine;

  if (sync_engine_lane_ready (self, LANE_UPLOAD, now))
    {
      if (sync_engine_upload (self))
        ;
      else if (sync_engine_snapshot_due (self))
        sync_engine_upload_snapshot (self);
      else if (self->to_delete->len > 0)
        sync_engine_delete_next_old (self);
      else if (now >= self->next_retention && sync_engine_retention_cut (self, now) > 0)
        sync_engine_start_retention (self);
    }

  if (self->phase == PHASE_WRITE && sync_engine_lane_ready (self, LANE_READ, now))
    {
      if (self->inbox->len > 0)
        sync_engine_apply_next_inbox (self);
      else if (now >= self->next_inbox)
        sync_engine_list_inbox (self);
    }
  return self->next_inbox;
}

/* The clean stop: the bucket must have every segment, and a snapshot if the log grew, before the
 * lease is released. With an upload that a full disk kept from being noted, the bucket has everything. */
static gboolean
bucket_drain (SyncTransport *transport,
              gint64         now)
{
  YataiSyncEngine *self = transport->engine;

  if (sync_engine_lane_ready (self, LANE_UPLOAD, now))
    {
      if (sync_engine_upload (self) && !sync_engine_note_pending (self))
        return TRUE;
      if (!sync_engine_note_pending (self) && self->seq > self->snapshot_seq && !self->lanes[LANE_READ].busy)
        {
          sync_engine_upload_snapshot (self);
          return TRUE;
        }
    }
  return !sync_engine_note_pending (self) &&
         (yatai_store_outbox_count (self->store) > 0 || self->seq > self->snapshot_seq);
}

static void
bucket_free (SyncTransport *transport)
{
  g_free (transport);
}

static const SyncTransportClass bucket_class = {
  .name = "bucket",
  .follow = bucket_follow,
  .send_command = bucket_send_command,
  .write = bucket_write,
  .drain = bucket_drain,
  .free = bucket_free,
};

SyncTransport *
sync_transport_bucket_new (YataiSyncEngine *engine)
{
  SyncTransport *transport = g_new0 (SyncTransport, 1);

  transport->klass = &bucket_class;
  transport->engine = engine;
  return transport;
}
