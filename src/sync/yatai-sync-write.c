/* yatai-sync-write.c: the writer uploads the log, marks its epoch, takes snapshots, trims old
 * objects and applies the inbox */
#define G_LOG_DOMAIN "yatai-sync"

#include "config.h"

#include <glib/gi18n.h>

#include "yatai-sync-engine-private.h"

/* The writer */

/* Commands this device queued for the writer while it followed, now that it writes itself: run them
 * here. One already applied (it reached the old writer) answers as it did then. */
gboolean
sync_engine_run_outgoing (YataiSyncEngine *self)
{
  g_autoptr(GPtrArray) outgoing = sync_engine_load_outgoing (self);
  g_autoptr(GError) error = NULL;

  if (outgoing->len == 0)
    return FALSE;

  gboolean busy = FALSE;

  while (outgoing->len > 0 && !busy)
    {
      const char *json = g_ptr_array_index (outgoing, 0);
      g_autoptr(YataiCommand) command = yatai_command_new_from_json (json, -1, NULL);

      if (command != NULL)
        {
          g_autoptr(GError) refusal = NULL;
          g_autoptr(JsonNode) result = yatai_store_execute (self->store, command, &refusal);

          /* Neither applied nor refused (the store busy, the disk full): kept for the next try. */
          if (result == NULL && (g_error_matches (refusal, YATAI_STORE_ERROR, YATAI_STORE_ERROR_BUSY) ||
                                 g_error_matches (refusal, YATAI_STORE_ERROR, YATAI_STORE_ERROR_IO)))
            {
              busy = TRUE;
              continue;
            }
          g_hash_table_remove (self->awaiting, yatai_command_get_id (command));
          g_signal_emit (self, sync_engine_signals[COMMAND_FINISHED], 0, yatai_command_get_id (command),
                         refusal ? refusal->message : NULL);
        }
      g_ptr_array_remove_index (outgoing, 0);
    }

  if (!sync_engine_save_outgoing (self, outgoing, &error))
    g_debug ("Outgoing commands not saved: %s", error->message);
  sync_engine_notify_pending (self);
  sync_engine_schedule (self, busy ? 500 : 0);
  return TRUE;
}

/* The shortest time between two segments' uploads while orders keep coming (see upload_landed). */
#define UPLOAD_GAP_MS 100

/* A segment's upload is hedged as a log read is (yatai-sync-history.c): when it has not answered
 * after HEDGE_MS, the same create-only upload is sent again beside it, and the first answer wins. A
 * create with ifGenerationMatch=0 applies at most once, so two in flight cannot both land: if the
 * first one did (its answer stalled), the second meets 412 and the writer reads the object back
 * (upload_cb). A stalled upload then holds back the orders behind it by about HEDGE_MS, not by the
 * stall or the client's try timeout. */
typedef struct
{
  GTask       *task;
  YataiBucket *bucket;
  char        *name;
  GBytes      *bytes;
  guint        timer;
  guint        in_flight;
  gboolean     answered;
} UploadHedge;

static void
upload_hedge_unref (UploadHedge *hedge)
{
  if (hedge->in_flight > 0 || hedge->timer != 0)
    return;
  g_clear_object (&hedge->task);
  g_clear_object (&hedge->bucket);
  g_free (hedge->name);
  g_bytes_unref (hedge->bytes);
  g_free (hedge);
}

static void upload_hedge_cb (GObject *source, GAsyncResult *result, gpointer user_data);
static void upload_cb (GObject *source, GAsyncResult *result, gpointer user_data);

static void
upload_hedge_send (UploadHedge *hedge)
{
  hedge->in_flight++;
  yatai_bucket_create_async (hedge->bucket, hedge->name, hedge->bytes, 0, g_task_get_cancellable (hedge->task),
                             upload_hedge_cb, hedge);
}

static gboolean
upload_hedge_timeout_cb (gpointer data)
{
  UploadHedge *hedge = data;

  hedge->timer = 0;
  if (!hedge->answered && !g_cancellable_is_cancelled (g_task_get_cancellable (hedge->task)))
    {
      g_debug ("%s: no answer after %d ms, sent again beside it", hedge->name, HEDGE_MS);
      upload_hedge_send (hedge);
    }
  else
    upload_hedge_unref (hedge);
  return G_SOURCE_REMOVE;
}

static void
upload_hedge_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  UploadHedge *hedge = user_data;
  g_autoptr(GError) error = NULL;
  gboolean created = yatai_bucket_create_finish (YATAI_BUCKET (source), result, NULL, &error);

  hedge->in_flight--;
  if (hedge->answered)
    {
      upload_hedge_unref (hedge);
      return;
    }
  /* A failure of the moment waits for the other try if it is out; the hedge is for a stall, a
   * failure goes to the lane's own backoff at once. */
  if (!created && !g_error_matches (error, YATAI_BUCKET_ERROR, YATAI_BUCKET_ERROR_PRECONDITION) &&
      !sync_engine_cancelled (error) && hedge->in_flight > 0)
    {
      upload_hedge_unref (hedge);
      return;
    }
  hedge->answered = TRUE;
  g_clear_handle_id (&hedge->timer, g_source_remove);
  if (created)
    g_task_return_boolean (hedge->task, TRUE);
  else
    g_task_return_error (hedge->task, g_steal_pointer (&error));
  upload_hedge_unref (hedge);
}

static void
upload_hedged (YataiSyncEngine *self,
               const char      *name,
               GBytes          *bytes)
{
  UploadHedge *hedge = g_new0 (UploadHedge, 1);

  hedge->task = g_task_new (self->bucket, self->cancellable, upload_cb, self);
  hedge->bucket = g_object_ref (self->bucket);
  hedge->name = g_strdup (name);
  hedge->bytes = g_bytes_ref (bytes);
  hedge->timer = g_timeout_add (HEDGE_MS, upload_hedge_timeout_cb, hedge);
  upload_hedge_send (hedge);
}

static void mark_cb (GObject *source, GAsyncResult *result, gpointer user_data);
static void upload_cb (GObject *source, GAsyncResult *result, gpointer user_data);

GBytes *
sync_engine_encode_log (YataiSyncEngine  *self,
                        gint64            seq,
                        const char       *previous_chain,
                        GPtrArray        *changesets,
                        char            **chain,
                        GError          **error)
{
  g_autoptr(YataiSegment) segment = yatai_segment_new (YATAI_SEGMENT_LOG);
  GBytes *bytes;

  segment->epoch = self->writer_epoch;
  segment->seq = seq;
  segment->device = g_strdup (yatai_store_get_device_id (self->store));
  segment->device_name = g_strdup (yatai_store_get_device_name (self->store));
  segment->time = g_get_real_time ();
  for (guint i = 0; changesets != NULL && i < changesets->len; i++)
    g_ptr_array_add (segment->changesets, g_bytes_ref (g_ptr_array_index (changesets, i)));

  bytes = yatai_segment_encode (segment, previous_chain, error);
  if (bytes != NULL)
    *chain = g_steal_pointer (&segment->chain);
  return bytes;
}

/* The first writer of a new stall: its whole store becomes snapshot 0, the base every follower
 * restores from. Created only, so two founders cannot both succeed. */
static void found_cb (GObject *source, GAsyncResult *result, gpointer user_data);
static void link_base_cb (GObject *source, GAsyncResult *result, gpointer user_data);
static GBytes *encode_snapshot (YataiSyncEngine *self, gint64 epoch, gint64 seq, const char *chain, GError **error);

void
sync_engine_mark_epoch (YataiSyncEngine *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *chain = NULL;
  g_autofree char *name = NULL;
  g_autoptr(GBytes) bytes = NULL;

  if (!sync_engine_is_joined (self))
    {
      g_autoptr(GBytes) image = yatai_store_snapshot (self->store, &error);
      g_autoptr(YataiSegment) snapshot = yatai_segment_new (YATAI_SEGMENT_SNAPSHOT);

      if (image == NULL)
        {
          sync_engine_set_error (self, error->message);
          sync_engine_lane_done (self, LANE_UPLOAD, 5000);
          return;
        }
      snapshot->epoch = self->writer_epoch;
      snapshot->seq = 0;
      snapshot->device = g_strdup (yatai_store_get_device_id (self->store));
      snapshot->device_name = g_strdup (yatai_store_get_device_name (self->store));
      snapshot->time = g_get_real_time ();
      snapshot->snapshot = g_steal_pointer (&image);
      bytes = yatai_segment_encode (snapshot, yatai_segment_genesis_chain (), &error);
      name = yatai_segment_object_name (self->prefix, YATAI_SEGMENT_SNAPSHOT, 0);
      sync_engine_lane_start (self, LANE_UPLOAD);
      yatai_bucket_create_async (self->bucket, name, bytes, 0, self->cancellable, found_cb, self);
      return;
    }

  if (!sync_engine_fence_ok (self))
    {
      /* The marker is an upload like any other: only within a TTL of the last lease write (the
       * renewal made in this phase comes first). */
      sync_engine_schedule (self, 50);
      return;
    }
  if (sync_engine_link_stall_writer (self))
    {
      /* A stall without a bucket that got one: the bucket starts at this device's position, with the
       * stall as it holds it, so the history goes on there without a fork. */
      if (!sync_engine_link_stall_land_outbox (self, &error))
        {
          sync_engine_set_error (self, error->message);
          sync_engine_lane_done (self, LANE_UPLOAD, 5000);
          return;
        }
      bytes = encode_snapshot (self, self->writer_epoch, self->seq, self->chain, &error);
      if (bytes == NULL)
        {
          sync_engine_set_error (self, error->message);
          sync_engine_lane_done (self, LANE_UPLOAD, 5000);
          return;
        }
      name = yatai_segment_object_name (self->prefix, YATAI_SEGMENT_SNAPSHOT, self->seq);
      sync_engine_lane_start (self, LANE_UPLOAD);
      yatai_bucket_create_async (self->bucket, name, bytes, 0, self->cancellable, link_base_cb, self);
      return;
    }
  if (!sync_engine_may_write_at (self, sync_engine_next_position (self)))
    {
      /* The bucket's history is past this device: catch up (or restore) first. */
      sync_engine_go (self, PHASE_CATCH_UP);
      return;
    }
  bytes = sync_engine_encode_log (self, sync_engine_next_position (self), self->chain, NULL, &chain, &error);
  name = yatai_segment_object_name (self->prefix, YATAI_SEGMENT_LOG, sync_engine_next_position (self));
  sync_engine_lane_start (self, LANE_UPLOAD);
  g_object_set_data_full (G_OBJECT (self), "chain", g_steal_pointer (&chain), g_free);
  g_object_set_data_full (G_OBJECT (self), "marker", g_bytes_ref (bytes), (GDestroyNotify) g_bytes_unref);
  g_object_set_data (G_OBJECT (self), "outbox-through", GINT_TO_POINTER (0));
  yatai_bucket_create_async (self->bucket, name, bytes, 0, self->cancellable, mark_cb, self);
}

/* The base of a stall without a bucket is in the bucket (or was already, from a try whose answer was
 * lost): the stall has a bucket now, and the epoch marker follows. */
static void
link_base_cb (GObject      *source,
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
  self->lanes[LANE_UPLOAD].busy = FALSE;
  sync_engine_contact (self);
  sync_engine_link_stall_leave (self);
  self->last_snapshot = g_get_monotonic_time ();
  self->snapshot_seq = self->seq;
  sync_engine_go (self, PHASE_MARK);
}

static void
found_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  YataiSyncEngine *self = user_data;
  g_autoptr(GError) error = NULL;
  const char *pairs[] = { "sync_joined", NULL, "sync_seq", "0", "sync_chain", NULL, NULL };

  if (!yatai_bucket_create_finish (YATAI_BUCKET (source), result, NULL, &error))
    {
      if (sync_engine_cancelled (error))
        return;
      self->lanes[LANE_UPLOAD].busy = FALSE;
      if (g_error_matches (error, YATAI_BUCKET_ERROR, YATAI_BUCKET_ERROR_PRECONDITION))
        {
          /* Another device founded this stall first: follow it. */
          sync_engine_contact (self);
          sync_engine_set_role (self, YATAI_SYNC_FOLLOWER);
          sync_engine_go (self, PHASE_RESTORE);
          return;
        }
      sync_engine_retry_later (self, LANE_UPLOAD, error);
      return;
    }
  self->lanes[LANE_UPLOAD].busy = FALSE;
  sync_engine_contact (self);

  pairs[1] = self->prefix;
  pairs[5] = yatai_segment_genesis_chain ();
  /* Everything up to now is in the snapshot: the outbox is not needed for it. */
  if (!yatai_store_outbox_remove_through (self->store, G_MAXINT64, pairs, &error))
    {
      sync_engine_set_error (self, error->message);
      sync_engine_lane_done (self, LANE_UPLOAD, 5000);
      return;
    }
  sync_engine_load_position (self);
  self->last_snapshot = g_get_monotonic_time ();
  self->snapshot_seq = 0;
  sync_engine_go (self, PHASE_MARK);
}

static void
mark_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  YataiSyncEngine *self = user_data;
  g_autoptr(GError) error = NULL;

  if (!yatai_bucket_create_finish (YATAI_BUCKET (source), result, NULL, &error))
    {
      if (sync_engine_cancelled (error))
        return;
      self->lanes[LANE_UPLOAD].busy = FALSE;
      if (g_error_matches (error, YATAI_BUCKET_ERROR, YATAI_BUCKET_ERROR_PRECONDITION))
        {
          sync_engine_contact (self);
          sync_engine_lost_lease (self);
          return;
        }
      sync_engine_retry_later (self, LANE_UPLOAD, error);
      return;
    }

  self->lanes[LANE_UPLOAD].busy = FALSE;
  sync_engine_contact (self);
  {
    g_autofree char *seq_text = g_strdup_printf ("%" G_GINT64_FORMAT, sync_engine_next_position (self));
    g_autofree char *epoch_text = g_strdup_printf ("%" G_GINT64_FORMAT, self->writer_epoch);
    const char *chain = g_object_get_data (G_OBJECT (self), "chain");
    const char *pairs[] = { "sync_seq", seq_text, "sync_chain", chain, "sync_epoch", epoch_text, NULL };

    if (!yatai_store_outbox_remove_through (self->store, 0, pairs, &error))
      {
        /* The marker is in the bucket; the catch-up finds it as this device's own. */
        sync_engine_store_failed (self, LANE_UPLOAD, error);
        return;
      }
  }
  sync_engine_load_position (self);
  g_object_notify_by_pspec (G_OBJECT (self), sync_engine_properties[PROP_SEQ]);

  /* Only now does this device take local writes as the writer. */
  yatai_store_set_journal_enabled (self->store, TRUE);
  /* The phase first: whoever hears of the new role (a stop, say) finds the writer's. */
  sync_engine_go (self, PHASE_WRITE);
  sync_engine_set_role (self, YATAI_SYNC_WRITER);
  sync_engine_publish (self, self->seq, g_object_get_data (G_OBJECT (self), "marker"));
}

gboolean
sync_engine_fence_ok (YataiSyncEngine *self)
{
  /* Upload only while the last successful lease write is younger than the TTL, timed from when it
   * was sent; otherwise renew first. Without a bucket nothing is uploaded, and the role in the store
   * is the fence (yatai-sync-linkonly.c). */
  if (self->bucket == NULL)
    return self->writer_epoch > 0;
  return self->last_lease_write != 0 &&
         g_get_monotonic_time () - self->last_lease_write < (gint64) self->ttl_ms * 1000;
}

/* Sealing: the outbox becomes segments at once, each given the next seq and chained to the one before,
 * and pushed to the followers on the link; the bucket receives the very same bytes in order as its
 * requests go through. A segment only becomes the shared history once the bucket has it: if another
 * device wrote that seq first, this one lost the lease, and a follower that took the sealed segment
 * from the link finds the bucket's next segment does not continue its chain and restores. */

static void
sealed_free (Sealed *sealed)
{
  g_bytes_unref (sealed->bytes);
  g_free (sealed->chain);
  g_free (sealed);
}

void
sync_engine_reset_sealed (YataiSyncEngine *self)
{
  g_queue_clear_full (&self->sealed, (GDestroyNotify) sealed_free);
  self->sealed_seq = self->seq;
  g_free (self->sealed_chain);
  self->sealed_chain = g_strdup (self->chain);
  self->sealed_through = G_MININT64;
}

void
sync_engine_seal (YataiSyncEngine *self)
{
  /* An uploaded segment not yet noted (a full disk) is still in the outbox: nothing is sealed until
   * the note is made. */
  if (self->phase != PHASE_WRITE || sync_engine_note_pending (self))
    return;
  /* Nothing sealed is waiting: everything in the outbox is new (and an emptied outbox gives its next
   * entry a lower id again). */
  if (g_queue_is_empty (&self->sealed))
    sync_engine_reset_sealed (self);

  for (;;)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) entries = yatai_store_outbox_peek_after (self->store, self->sealed_through,
                                                                     MAX_SEGMENT_ENTRIES, &error);
      g_autoptr(GPtrArray) changesets = NULL;
      gsize raw = 0;
      Sealed *sealed;

      if (entries == NULL || entries->len == 0)
        return;

      /* A segment stays within what every reader accepts (YATAI_SEGMENT_LOG_MAX_RAW): the rest waits
       * for the next one. The first entry always goes, and one entry is far below that limit. */
      changesets = g_ptr_array_new ();
      for (guint i = 0; i < entries->len; i++)
        {
          GBytes *changeset = ((YataiOutboxEntry *) g_ptr_array_index (entries, i))->changeset;

          raw += g_bytes_get_size (changeset) + 4;
          if (i > 0 && raw > YATAI_SEGMENT_LOG_TARGET_RAW)
            {
              g_ptr_array_set_size (entries, i);
              break;
            }
          g_ptr_array_add (changesets, changeset);
        }

      sealed = g_new0 (Sealed, 1);
      sealed->seq = self->sealed_seq + 1;
      while (sync_engine_is_damaged (self, sealed->seq))
        sealed->seq++;
      sealed->bytes = sync_engine_encode_log (self, sealed->seq, self->sealed_chain, changesets, &sealed->chain, &error);
      if (sealed->bytes == NULL)
        {
          g_free (sealed);
          sync_engine_set_error (self, error->message);
          return;
        }
      sealed->through = ((YataiOutboxEntry *) g_ptr_array_index (entries, entries->len - 1))->id;
      sealed->n_entries = entries->len;
      g_queue_push_tail (&self->sealed, sealed);
      self->sealed_seq = sealed->seq;
      g_free (self->sealed_chain);
      self->sealed_chain = g_strdup (sealed->chain);
      self->sealed_through = sealed->through;
      sync_engine_publish (self, sealed->seq, sealed->bytes);
      /* Without a bucket a sealed segment is the history at once. */
      if (self->bucket == NULL)
        sync_engine_land_sealed (self);
    }
}

gboolean
sync_engine_upload (YataiSyncEngine *self)
{
  g_autofree char *name = NULL;
  Sealed *sealed;

  if (sync_engine_note_pending (self) && sync_engine_retry_note (self))
    return TRUE;
  sync_engine_seal (self);
  sealed = g_queue_peek_head (&self->sealed);
  if (sealed == NULL)
    return FALSE;
  if (sealed->seq != sync_engine_next_position (self))
    {
      /* The history moved under the sealed segments (a note made late): seal them again. */
      sync_engine_reset_sealed (self);
      sync_engine_seal (self);
      sealed = g_queue_peek_head (&self->sealed);
      if (sealed == NULL)
        return FALSE;
    }
  if (!sync_engine_may_write_at (self, sealed->seq))
    {
      sync_engine_go (self, PHASE_CATCH_UP);
      return TRUE;
    }

  name = yatai_segment_object_name (self->prefix, YATAI_SEGMENT_LOG, sealed->seq);
  sync_engine_lane_start (self, LANE_UPLOAD);
  upload_hedged (self, name, sealed->bytes);
  return TRUE;
}

/* A snapshot, or the deletes of retention, waiting for the upload lane. */
static gboolean
housekeeping_due (YataiSyncEngine *self)
{
  gint64 now = g_get_monotonic_time ();

  return sync_engine_snapshot_due (self) || self->to_delete->len > 0 ||
         (now >= self->next_retention && sync_engine_retention_cut (self, now) > 0);
}

/* The head of the sealed segments is in the bucket: note it, and go on with the next. */
static void
upload_landed (YataiSyncEngine *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *seq_text = NULL;
  Sealed *sealed;
  gboolean lone;

  self->lanes[LANE_UPLOAD].busy = FALSE;
  sync_engine_contact (self);

  sealed = g_queue_peek_head (&self->sealed);
  if (sealed == NULL || sealed->seq != sync_engine_next_position (self))
    {
      /* The writing stretch ended while the request ran (a stop, a lost lease): nothing to note. */
      sync_engine_lane_done (self, LANE_UPLOAD, 0);
      return;
    }
  g_queue_pop_head (&self->sealed);
  seq_text = g_strdup_printf ("%" G_GINT64_FORMAT, sealed->seq);
  {
    const char *pairs[] = { "sync_seq", seq_text, "sync_chain", sealed->chain, NULL };

    if (!yatai_store_outbox_remove_through (self->store, sealed->through, pairs, &error))
      {
        /* The segment is in the bucket but this device could not note it (a full disk): the
         * note is tried again before anything else is uploaded (and a restart's catch-up finds
         * the segment as its own). */
        sync_engine_defer_note (self, sealed->seq, sealed->through, sealed->chain);
        sealed_free (sealed);
        sync_engine_store_failed (self, LANE_UPLOAD, error);
        return;
      }
  }
  sync_engine_store_ok (self);

  self->last_upload = g_get_real_time ();
  lone = sealed->n_entries <= 1;
  sync_engine_advance (self, sealed->seq, sealed->chain);
  sealed_free (sealed);
  sync_engine_notify_pending (self);
  /* What commits in the next moment goes in the next segment with what committed meanwhile: a busy
   * counter makes a segment every UPLOAD_GAP_MS at most, which a follower reading the bucket one
   * segment at a time keeps up with even on a loaded PC; a lone order still goes at once: after a
   * segment of one commit there is no gap (at 10 orders a second the gap made every order wait for the
   * bucket, 45 ms more at p50 in bench-link). Segments already sealed for the link go one after
   * another. A snapshot or retention's deletes that are due need a moment with nothing to upload (a
   * snapshot holds exactly the history up to its seq): they get it at once, else orders coming faster
   * than the gap kept the outbox full and no snapshot was ever made, nor any old segment deleted. */
  sync_engine_lane_done (self, LANE_UPLOAD,
                         g_queue_is_empty (&self->sealed) && !housekeeping_due (self) && !lone ? UPLOAD_GAP_MS : 0);
}

/* The position was taken: by this device's own upload whose answer was lost or came too late (the
 * client sent it again, after a dropped connection or a stalled try), or by another device, and then
 * this one is no longer the writer. */
static void
upload_taken (YataiSyncEngine *self)
{
  self->lanes[LANE_UPLOAD].busy = FALSE;
  sync_engine_contact (self);
  if (self->phase == PHASE_WRITE)
    sync_engine_go (self, PHASE_CATCH_UP);
  else
    sync_engine_schedule (self, 0);
}

/* What the bucket holds at the position this device's upload met 412: the very bytes it sent mean the
 * first try landed, and the writer goes on at once; anything else, or no answer, is for the catch-up
 * to sort out (it reads the log from there, and steps down if another device wrote). */
static void
upload_read_back_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  YataiSyncEngine *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = yatai_bucket_read_finish (YATAI_BUCKET (source), result, NULL, &error);
  Sealed *sealed;

  if (sync_engine_cancelled (error))
    return;
  sealed = g_queue_peek_head (&self->sealed);
  if (bytes != NULL && sealed != NULL && self->phase == PHASE_WRITE &&
      sealed->seq == sync_engine_next_position (self) && g_bytes_equal (bytes, sealed->bytes))
    {
      g_debug ("log/%" G_GINT64_FORMAT " holds this device's own upload: its first try landed", sealed->seq);
      upload_landed (self);
      return;
    }
  upload_taken (self);
}

static void
upload_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  YataiSyncEngine *self = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      Sealed *sealed = g_queue_peek_head (&self->sealed);

      if (sync_engine_cancelled (error))
        return;
      if (g_error_matches (error, YATAI_BUCKET_ERROR, YATAI_BUCKET_ERROR_PRECONDITION))
        {
          if (sealed != NULL && self->phase == PHASE_WRITE && sealed->seq == sync_engine_next_position (self))
            {
              g_autofree char *name = yatai_segment_object_name (self->prefix, YATAI_SEGMENT_LOG, sealed->seq);

              /* Still the upload lane's: nothing else is uploaded before this is known. */
              yatai_bucket_read_max_async (self->bucket, name, g_bytes_get_size (sealed->bytes),
                                           self->cancellable, upload_read_back_cb, self);
              return;
            }
          upload_taken (self);
          return;
        }
      self->lanes[LANE_UPLOAD].busy = FALSE;
      sync_engine_retry_later (self, LANE_UPLOAD, error);
      return;
    }
  upload_landed (self);
}

/* Snapshots, every SNAPSHOT_EVERY segments or SNAPSHOT_MINUTES, and on a clean stop. */
static void snapshot_cb (GObject *source, GAsyncResult *result, gpointer user_data);

gboolean
sync_engine_snapshot_due (YataiSyncEngine *self)
{
  if (self->seq <= self->snapshot_seq)
    return FALSE;
  return self->seq - self->snapshot_seq >= self->snapshot_every ||
         g_get_monotonic_time () - self->last_snapshot > (gint64) SNAPSHOT_MINUTES * 60 * G_USEC_PER_SEC;
}

static GBytes *
encode_snapshot (YataiSyncEngine  *self,
                 gint64            epoch,
                 gint64            seq,
                 const char       *chain,
                 GError          **error)
{
  g_autoptr(YataiSegment) snapshot = yatai_segment_new (YATAI_SEGMENT_SNAPSHOT);

  snapshot->snapshot = yatai_store_snapshot (self->store, error);
  if (snapshot->snapshot == NULL)
    return NULL;
  snapshot->epoch = epoch;
  snapshot->seq = seq;
  snapshot->device = g_strdup (yatai_store_get_device_id (self->store));
  snapshot->device_name = g_strdup (yatai_store_get_device_name (self->store));
  snapshot->time = g_get_real_time ();
  return yatai_segment_encode (snapshot, chain, error);
}

/**
 * yatai_sync_engine_export_stall:
 *
 * The stall as this device has it, as a snapshot segment at the position of the history its store
 * holds, for a device being paired (yatai-pair.h): the writer's everything it committed (sealed first,
 * so the position is the last sealed segment's), a follower's what it applied.
 *
 * Returns: the snapshot's bytes, or %NULL with @error when the device is not at a position yet
 */
GBytes *
yatai_sync_engine_export_stall (YataiSyncEngine  *self,
                                GError          **error)
{
  g_autoptr(GPtrArray) unsealed = NULL;

  g_return_val_if_fail (YATAI_IS_SYNC_ENGINE (self), NULL);

  if (self->phase == PHASE_FOLLOW)
    return encode_snapshot (self, self->epoch, self->seq, self->chain, error);
  if (self->phase == PHASE_WRITE)
    {
      sync_engine_seal (self);
      unsealed = yatai_store_outbox_peek_after (self->store, g_queue_is_empty (&self->sealed) ? G_MININT64
                                                                                             : self->sealed_through,
                                                1, NULL);
      if (unsealed != NULL && unsealed->len == 0)
        return g_queue_is_empty (&self->sealed)
               ? encode_snapshot (self, self->writer_epoch, self->seq, self->chain, error)
               : encode_snapshot (self, self->writer_epoch, self->sealed_seq, self->sealed_chain, error);
    }
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_BUSY,
                       _("This device is still joining the stall’s sync. Add the device again in a moment."));
  return NULL;
}

void
sync_engine_upload_snapshot (YataiSyncEngine *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *name = NULL;

  /* The store holds exactly the history up to self->seq: the outbox is empty when this runs. */
  bytes = encode_snapshot (self, self->writer_epoch, self->seq, self->chain, &error);
  if (bytes == NULL)
    {
      sync_engine_set_error (self, error->message);
      self->last_snapshot = g_get_monotonic_time ();
      sync_engine_lane_done (self, LANE_UPLOAD, 0);
      return;
    }
  name = yatai_segment_object_name (self->prefix, YATAI_SEGMENT_SNAPSHOT, self->seq);

  sync_engine_lane_start (self, LANE_UPLOAD);
  self->snapshot_seq = self->seq;
  yatai_bucket_create_async (self->bucket, name, bytes, 0, self->cancellable, snapshot_cb, self);
}

static void
snapshot_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  YataiSyncEngine *self = user_data;
  g_autoptr(GError) error = NULL;

  if (!yatai_bucket_create_finish (YATAI_BUCKET (source), result, NULL, &error) &&
      !g_error_matches (error, YATAI_BUCKET_ERROR, YATAI_BUCKET_ERROR_PRECONDITION))
    {
      if (sync_engine_cancelled (error))
        return;
      self->lanes[LANE_UPLOAD].busy = FALSE;
      self->snapshot_seq = 0;
      sync_engine_retry_later (self, LANE_UPLOAD, error);
      return;
    }
  self->lanes[LANE_UPLOAD].busy = FALSE;
  sync_engine_contact (self);
  self->last_snapshot = g_get_monotonic_time ();
  {
    OwnSnapshot own = { self->snapshot_seq, self->last_snapshot };
    g_array_append_val (self->own_snapshots, own);
  }
  sync_engine_lane_done (self, LANE_UPLOAD, 0);
}

/* Retention (SYNC.md): old log segments and snapshots go, but never a log segment of the last hour or
 * after the snapshot it is cut at. The cut is a snapshot this writer uploaded at least an hour ago by
 * its own monotonic clock: every segment up to it was created before it, so is older than an hour, and
 * no other device's clock is trusted for that. */
static void retention_list_cb (GObject *source, GAsyncResult *result, gpointer user_data);
static void retention_delete_cb (GObject *source, GAsyncResult *result, gpointer user_data);

gint64
sync_engine_retention_cut (YataiSyncEngine *self,
                           gint64           now)
{
  gint64 cut = -1;

  for (guint i = 0; i < self->own_snapshots->len; i++)
    {
      OwnSnapshot *own = &g_array_index (self->own_snapshots, OwnSnapshot, i);

      if (now - own->uploaded >= (gint64) self->retention_ms * 1000)
        cut = MAX (cut, own->seq);
    }
  return cut;
}

void
sync_engine_start_retention (YataiSyncEngine *self)
{
  /* Checked again after a tenth of the retention (10 min for an hour; sooner in tests). */
  self->next_retention = g_get_monotonic_time () +
                         (gint64) MIN (RETENTION_CHECK_MS, MAX (self->retention_ms / 10, 100)) * 1000;
  sync_engine_lane_start (self, LANE_UPLOAD);
  yatai_bucket_list_async (self->bucket, self->prefix, self->cancellable, retention_list_cb, self);
}

static void
retention_list_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  YataiSyncEngine *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) names = yatai_bucket_list_finish (YATAI_BUCKET (source), result, &error);
  gint64 cut;

  /* Cancelled means the engine is gone: self may not be touched. */
  if (sync_engine_cancelled (error))
    return;
  cut = sync_engine_retention_cut (self, g_get_monotonic_time ());
  self->lanes[LANE_UPLOAD].busy = FALSE;
  if (names == NULL)
    {
      sync_engine_retry_later (self, LANE_UPLOAD, error);
      return;
    }
  sync_engine_contact (self);

  for (guint i = 0; cut > 0 && i < names->len; i++)
    {
      const char *name = g_ptr_array_index (names, i);
      YataiSegmentKind kind;
      gint64 seq;

      /* Only this stall's own objects, directly under its prefix. */
      if (!g_str_has_prefix (name, self->prefix) || name[strlen (self->prefix)] != '/' ||
          !yatai_segment_parse_name (name, &kind, &seq))
        continue;
      /* A log object goes only once the lease says the head is past it: a device that was away then
       * reads the head there and knows its next segment is gone, not yet to come. */
      if ((kind == YATAI_SEGMENT_LOG && seq <= cut && seq <= self->lease_head_written) ||
          (kind == YATAI_SEGMENT_SNAPSHOT && seq < cut))
        g_ptr_array_add (self->to_delete, g_strdup (name));
    }
  g_debug ("Retention: %u objects to delete, up to seq %" G_GINT64_FORMAT, self->to_delete->len, cut);
  sync_engine_lane_done (self, LANE_UPLOAD, 0);
}

void
sync_engine_delete_next_old (YataiSyncEngine *self)
{
  sync_engine_lane_start (self, LANE_UPLOAD);
  yatai_bucket_delete_async (self->bucket, g_ptr_array_index (self->to_delete, 0),
                             YATAI_BUCKET_NO_PRECONDITION, self->cancellable, retention_delete_cb, self);
}

static void
retention_delete_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  YataiSyncEngine *self = user_data;
  g_autoptr(GError) error = NULL;

  if (!yatai_bucket_delete_finish (YATAI_BUCKET (source), result, &error) &&
      !g_error_matches (error, YATAI_BUCKET_ERROR, YATAI_BUCKET_ERROR_NOT_FOUND))
    {
      sync_engine_request_failed (self, LANE_UPLOAD, error);
      return;
    }
  self->lanes[LANE_UPLOAD].busy = FALSE;
  sync_engine_contact (self);
  g_ptr_array_remove_index (self->to_delete, 0);
  sync_engine_lane_done (self, LANE_UPLOAD, 0);
}
