/* yatai-sync-follow.c: the sync engine restores the stall, follows the log and sends commands */
#define G_LOG_DOMAIN "yatai-sync"

#include "config.h"

#include <glib/gi18n.h>

#include "yatai-sync-engine-private.h"

/* Joining: restore from the newest snapshot */

static void restore_list_cb (GObject *source, GAsyncResult *result, gpointer user_data);
static void restore_read_cb (GObject *source, GAsyncResult *result, gpointer user_data);

void
sync_engine_start_restore (YataiSyncEngine *self)
{
  g_autofree char *prefix = sync_engine_object_name (self, "snapshot/");
  gint64 now = g_get_monotonic_time ();

  /* A restore that keeps failing (a damaged history, a full disk) is tried again slower and slower,
   * never at once. */
  if (now < self->restore_not_before)
    {
      sync_engine_schedule (self, (guint) ((self->restore_not_before - now) / 1000) + 1);
      return;
    }
  self->restore_not_before = now + (gint64) MIN ((guint64) RETRY_MIN_MS << MIN (self->restore_failures, 10),
                                                 RETRY_MAX_MS) * 1000;
  self->restore_failures++;

  sync_engine_lane_start (self, LANE_READ);
  yatai_bucket_list_async (self->bucket, prefix, self->cancellable, restore_list_cb, self);
}

static int
compare_names_newest_first (gconstpointer a,
                            gconstpointer b)
{
  return -strcmp (*(const char **) a, *(const char **) b);
}

/* The next snapshot to try, newest first; FALSE when none is left. */
static gboolean
restore_try_next (YataiSyncEngine *self)
{
  if (self->restore_candidates->len == 0)
    return FALSE;
  sync_engine_lane_start (self, LANE_READ);
  sync_engine_read_bounded (self, g_ptr_array_index (self->restore_candidates, 0),
                            YATAI_SEGMENT_MAX_OBJECT (YATAI_SEGMENT_SNAPSHOT_MAX_RAW), restore_read_cb);
  return TRUE;
}

/* No snapshot in the bucket could be used: say why, and try again later. */
static void
restore_failed (YataiSyncEngine *self,
                const char      *message)
{
  sync_engine_set_error (self, message);
  sync_engine_go (self, PHASE_RESTORE);
}

static void
restore_list_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  YataiSyncEngine *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) names = yatai_bucket_list_finish (YATAI_BUCKET (source), result, &error);

  if (sync_engine_cancelled (error))
    return;
  self->lanes[LANE_READ].busy = FALSE;
  if (names == NULL)
    {
      sync_engine_retry_later (self, LANE_READ, error);
      return;
    }
  sync_engine_contact (self);

  g_ptr_array_set_size (self->restore_candidates, 0);
  for (guint i = 0; i < names->len; i++)
    {
      YataiSegmentKind kind;
      gint64 seq;

      if (yatai_segment_parse_name (g_ptr_array_index (names, i), &kind, &seq) && kind == YATAI_SEGMENT_SNAPSHOT)
        g_ptr_array_add (self->restore_candidates, g_strdup (g_ptr_array_index (names, i)));
    }
  /* Names hold the seq with 20 digits: the newest is the last in name order. */
  g_ptr_array_sort (self->restore_candidates, compare_names_newest_first);

  if (self->restore_candidates->len == 0)
    {
      if (self->phase == PHASE_JOIN)
        {
          /* No stall here yet: the first device to take the lease founds it. */
          sync_engine_go (self, PHASE_LEASE);
          return;
        }
      restore_failed (self, _("The bucket has no saved copy of the stall to restore from."));
      return;
    }

  restore_try_next (self);
}

/* The snapshot being tried cannot be used: say which and why, and try the next older one. */
static void
restore_skip (YataiSyncEngine *self,
              const char      *message)
{
  g_autofree char *name = g_strdup (g_ptr_array_index (self->restore_candidates, 0));

  sync_engine_set_problem (self, name, message);
  g_ptr_array_remove_index (self->restore_candidates, 0);
  if (!restore_try_next (self))
    restore_failed (self, _("No saved copy of the stall in the bucket could be used."));
}

/* Takes @snapshot (checked already) as this device's copy of the stall, whichever way it came (the
 * bucket's snapshot/, or the writer on the link in a stall without a bucket). Work this device did
 * that never reached the shared history becomes commands for the writer, in the same transaction as
 * the restore, so none of it is lost whatever happens next. */
gboolean
sync_engine_restore_snapshot (YataiSyncEngine  *self,
                              YataiSegment     *snapshot,
                              GError          **error)
{
  g_autoptr(GPtrArray) outgoing = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autofree char *seq_text = NULL;
  g_autofree char *epoch_text = NULL;
  g_autofree char *outgoing_text = NULL;
  g_autofree char *counter_text = NULL;
  gint64 counter;

  outgoing = sync_engine_load_outgoing (self);
  entries = yatai_store_outbox_peek (self->store, G_MAXINT, NULL);
  counter_text = yatai_store_get_local (self->store, "sync_command_counter");
  counter = counter_text ? g_ascii_strtoll (counter_text, NULL, 10) : 0;
  for (guint i = 0; entries != NULL && i < entries->len; i++)
    {
      YataiOutboxEntry *entry = g_ptr_array_index (entries, i);
      g_autoptr(YataiCommand) command = yatai_command_new_from_json (entry->command, -1, NULL);

      if (command == NULL)
        continue;
      /* After the commands already queued, in the order they were made. */
      yatai_command_set_device (command, yatai_store_get_device_id (self->store));
      yatai_command_set_device_name (command, yatai_store_get_device_name (self->store));
      yatai_command_set_counter (command, ++counter);
      g_ptr_array_add (outgoing, yatai_command_to_json (command));
      g_hash_table_add (self->awaiting, g_strdup (entry->command_id));
    }
  outgoing_text = sync_engine_outgoing_to_json (outgoing);
  g_free (counter_text);
  counter_text = g_strdup_printf ("%" G_GINT64_FORMAT, counter);

  seq_text = g_strdup_printf ("%" G_GINT64_FORMAT, snapshot->seq);
  epoch_text = g_strdup_printf ("%" G_GINT64_FORMAT, snapshot->epoch);
  {
    const char *pairs[] = {
      "sync_joined", self->prefix,
      "sync_seq", seq_text,
      "sync_chain", snapshot->chain,
      "sync_epoch", epoch_text,
      "sync_outgoing", outgoing_text,
      "sync_command_counter", counter_text,
      NULL
    };

    return yatai_store_restore (self->store, snapshot->snapshot, pairs, error);
  }
}

static void
restore_read_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  YataiSyncEngine *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = sync_engine_read_finish (result, NULL, &error);
  g_autoptr(YataiSegment) snapshot = NULL;

  if (sync_engine_cancelled (error))
    return;
  self->lanes[LANE_READ].busy = FALSE;
  if (bytes == NULL && !sync_engine_read_is_final (error))
    {
      sync_engine_retry_later (self, LANE_READ, error);
      return;
    }
  sync_engine_contact (self);
  if (bytes == NULL)
    {
      restore_skip (self, error->message);
      return;
    }

  snapshot = yatai_segment_decode (bytes, -1, NULL, &error);
  if (snapshot == NULL || snapshot->kind != YATAI_SEGMENT_SNAPSHOT)
    {
      restore_skip (self, error ? error->message : _("The saved copy of the stall is damaged and was not used."));
      return;
    }
  g_clear_pointer (&bytes, g_bytes_unref);

  if (!sync_engine_restore_snapshot (self, snapshot, &error))
    {
      if (g_error_matches (error, YATAI_STORE_ERROR, YATAI_STORE_ERROR_CORRUPT))
        restore_skip (self, error->message);
      else
        {
          /* This device's fault (a full disk): the same snapshot, later. */
          sync_engine_store_failed (self, LANE_READ, error);
          restore_failed (self, error->message);
        }
      return;
    }
  sync_engine_store_ok (self);

  g_debug ("Restored the stall at seq %" G_GINT64_FORMAT " from %s", snapshot->seq,
           (const char *) g_ptr_array_index (self->restore_candidates, 0));
  g_ptr_array_set_size (self->restore_candidates, 0);
  g_array_set_size (self->damaged, 0);
  self->end_checked = FALSE;
  yatai_store_set_journal_enabled (self->store, TRUE);
  sync_engine_load_position (self);
  sync_engine_notify_pending (self);
  g_object_notify_by_pspec (G_OBJECT (self), sync_engine_properties[PROP_SEQ]);
  sync_engine_go (self, PHASE_LEASE);
}


/* Following: read log/<seq + 1> until it is not there */

static void log_read_cb (GObject *source, GAsyncResult *result, gpointer user_data);

void
sync_engine_read_next_segment (YataiSyncEngine *self)
{
  g_autofree char *name = yatai_segment_object_name (self->prefix, YATAI_SEGMENT_LOG,
                                                     sync_engine_next_position (self));

  self->reading_seq = sync_engine_next_position (self);
  sync_engine_lane_start (self, LANE_READ);
  sync_engine_read_bounded (self, name, YATAI_SEGMENT_MAX_OBJECT (YATAI_SEGMENT_LOG_MAX_RAW), log_read_cb);
}

/* The end of the log, as far as this device can tell (yatai-sync-history.c checked it). */
void
sync_engine_log_end (YataiSyncEngine *self)
{
  if (self->phase == PHASE_CATCH_UP)
    {
      if (sync_engine_is_joined (self) && self->seq > 0 && self->epoch == self->writer_epoch)
        {
          /* Restarted while still the writer, and nothing was written since: carry on. */
          yatai_store_set_journal_enabled (self->store, TRUE);
          /* The phase first: whoever hears of the new role (a stop, say) finds the writer's. */
          sync_engine_go (self, PHASE_WRITE);
          sync_engine_set_role (self, YATAI_SYNC_WRITER);
        }
      else
        sync_engine_go (self, PHASE_MARK);
      return;
    }
  if (!self->caught_up)
    {
      self->caught_up = TRUE;
      g_signal_emit (self, sync_engine_signals[CAUGHT_UP], 0);
    }
  /* With the link up, new segments come from it and the bucket is asked now and then (and at once
   * when the link goes down); while its own commands are on their way, the answer is looked for
   * sooner. */
  if (sync_engine_segments_pushed (self))
    sync_engine_lane_done (self, LANE_READ, MAX (self->poll_ms, 1000));
  else
    sync_engine_lane_done (self, LANE_READ,
                           g_hash_table_size (self->awaiting) > 0 ? MIN (self->poll_ms, AWAITING_POLL_MS) : self->poll_ms);
}

/* Whether @segment is this device's own upload of the head of its outbox: returns the last outbox id it
 * holds, or 0. */
static gint64
own_segment_through (YataiSyncEngine *self,
                     YataiSegment    *segment)
{
  g_autoptr(GPtrArray) entries = NULL;

  if (g_strcmp0 (segment->device, yatai_store_get_device_id (self->store)) != 0 ||
      segment->changesets->len == 0)
    return 0;

  entries = yatai_store_outbox_peek (self->store, segment->changesets->len, NULL);
  if (entries == NULL || entries->len != segment->changesets->len)
    return 0;

  for (guint i = 0; i < entries->len; i++)
    if (!g_bytes_equal (((YataiOutboxEntry *) g_ptr_array_index (entries, i))->changeset,
                        g_ptr_array_index (segment->changesets, i)))
      return 0;

  return ((YataiOutboxEntry *) g_ptr_array_index (entries, entries->len - 1))->id;
}

static void
log_read_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  YataiSyncEngine *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = sync_engine_read_finish (result, NULL, &error);
  g_autoptr(YataiSegment) segment = NULL;
  g_autofree char *seq_text = NULL;
  gint64 position;

  if (sync_engine_cancelled (error))
    return;
  self->lanes[LANE_READ].busy = FALSE;

  if (self->seq >= self->reading_seq)
    {
      /* The link brought that segment while the bucket was asked for it. */
      sync_engine_lane_done (self, LANE_READ, 0);
      return;
    }
  if (bytes == NULL && self->phase == PHASE_FOLLOW && sync_engine_segments_pushed (self) &&
      !g_error_matches (error, YATAI_BUCKET_ERROR, YATAI_BUCKET_ERROR_NOT_FOUND))
    {
      /* The link carries the stall while the bucket cannot be reached, which the status says. */
      if (self->online)
        {
          self->online = FALSE;
          g_object_notify_by_pspec (G_OBJECT (self), sync_engine_properties[PROP_ONLINE]);
        }
      sync_engine_lane_done (self, LANE_READ, 1000);
      return;
    }
  if (bytes == NULL && g_error_matches (error, YATAI_BUCKET_ERROR, YATAI_BUCKET_ERROR_NOT_FOUND))
    {
      sync_engine_contact (self);
      sync_engine_log_missing (self);
      return;
    }
  if (bytes == NULL && !sync_engine_read_is_final (error))
    {
      sync_engine_retry_later (self, LANE_READ, error);
      return;
    }
  sync_engine_contact (self);
  self->last_log_read = g_get_monotonic_time ();

  position = sync_engine_next_position (self);
  if (bytes != NULL)
    segment = yatai_segment_decode (bytes, position, self->chain, &error);
  g_clear_pointer (&bytes, g_bytes_unref);
  if (segment == NULL && sync_engine_segment_is_junk (error))
    {
      /* Not a Yatai segment at all: a damaged position, which the writer skips too. */
      sync_engine_skip_damaged (self, position, error->message);
      sync_engine_lane_done (self, LANE_READ, 0);
      return;
    }
  if (segment == NULL || segment->kind != YATAI_SEGMENT_LOG)
    {
      g_debug ("Segment %" G_GINT64_FORMAT " refused: %s", position, error ? error->message : "kind");
      sync_engine_set_error (self, _("The shared history could not be read; restoring this device’s copy of the stall."));
      sync_engine_go (self, PHASE_RESTORE);
      return;
    }

  if (self->phase == PHASE_CATCH_UP && yatai_store_outbox_count (self->store) > 0)
    {
      gint64 through = own_segment_through (self, segment);

      if (through > 0)
        {
          /* This device's own upload, which reached the bucket before it could note so (it was
           * killed, or the answer was lost): its changes are already in this store. */
          seq_text = g_strdup_printf ("%" G_GINT64_FORMAT, segment->seq);
          {
            const char *pairs[] = { "sync_seq", seq_text, "sync_chain", segment->chain, NULL };

            if (!yatai_store_outbox_remove_through (self->store, through, pairs, &error))
              {
                sync_engine_store_failed (self, LANE_READ, error);
                return;
              }
          }
          sync_engine_store_ok (self);
          sync_engine_load_position (self);
          g_object_notify_by_pspec (G_OBJECT (self), sync_engine_properties[PROP_SEQ]);
          sync_engine_lane_done (self, LANE_READ, 0);
          return;
        }

      /* Someone else wrote after this device's last upload while it had unsent work: it must not
       * apply history on top of changes the others never saw. */
      sync_engine_lost_lease (self);
      return;
    }

  if (self->role == YATAI_SYNC_WRITER && segment->epoch > self->writer_epoch)
    {
      /* A newer writer exists. */
      sync_engine_lost_lease (self);
      return;
    }

  if (!sync_engine_apply_log_segment (self, segment, LANE_READ))
    return;
  /* More may be there already. */
  sync_engine_lane_done (self, LANE_READ, 0);
}

/* Applies a log segment, checked already (its position, its chain), whichever transport brought it.
 * FALSE when it could not be: a history that does not fit sends the device to restore; a store that
 * cannot save it (a full disk) is tried again later, in @lane when the segment came in one (N_LANES:
 * it came pushed, and the bucket's copy comes later). */
gboolean
sync_engine_apply_log_segment (YataiSyncEngine *self,
                               YataiSegment    *segment,
                               Lane             lane)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *seq_text = g_strdup_printf ("%" G_GINT64_FORMAT, segment->seq);
  g_autofree char *epoch_text = g_strdup_printf ("%" G_GINT64_FORMAT, segment->epoch);
  const char *pairs[] = { "sync_seq", seq_text, "sync_chain", segment->chain, "sync_epoch", epoch_text, NULL };

  if (!yatai_store_apply_changesets (self->store, segment->changesets, pairs, &error))
    {
      if (!g_error_matches (error, YATAI_STORE_ERROR, YATAI_STORE_ERROR_CORRUPT))
        {
          /* This device could not save it (a full disk): the same segment again, later. */
          if (lane < N_LANES)
            sync_engine_store_failed (self, lane, error);
          return FALSE;
        }
      sync_engine_set_error (self, _("The shared history does not fit this device’s copy; restoring it."));
      sync_engine_go (self, PHASE_RESTORE);
      return FALSE;
    }

  self->epoch = segment->epoch;
  self->restore_failures = 0;
  sync_engine_advance (self, segment->seq, segment->chain);
  sync_engine_check_awaiting (self);
  sync_engine_store_ok (self);
  sync_engine_saw_epoch (self, segment->epoch);
  return TRUE;
}
