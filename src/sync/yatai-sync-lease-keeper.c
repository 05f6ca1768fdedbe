/* yatai-sync-lease-keeper.c: the sync engine reads, renews and takes the lease (SYNC.md, "The lease") */
#define G_LOG_DOMAIN "yatai-sync"

#include "config.h"

#include <glib/gi18n.h>

#include "yatai-sync-engine-private.h"

/* The lease */

static void lease_read_cb (GObject *source, GAsyncResult *result, gpointer user_data);
static void lease_write_cb (GObject *source, GAsyncResult *result, gpointer user_data);
static void renewal_read_back (YataiSyncEngine *self, GBytes *bytes, gint64 generation);
static void renewal_succeeded (YataiSyncEngine *self, gint64 generation, YataiLease *written);
static void ask_handover (YataiSyncEngine *self);

void
sync_engine_read_lease (YataiSyncEngine *self)
{
  g_autofree char *name = sync_engine_object_name (self, "lease");
  gint64 now = g_get_monotonic_time ();
  /* Asked the writer for the lease: claim it the moment it is released. */
  gboolean asked = self->handover_asked_at != 0 && now < self->handover_asked_at + HANDOVER_WAIT_MS * 1000;

  sync_engine_lane_start (self, LANE_LEASE);
  self->next_lease_check = now + (gint64) (asked ? HANDOVER_POLL_MS : MIN (LEASE_CHECK_MS, self->ttl_ms / 3)) * 1000;
  sync_engine_read_bounded (self, name, YATAI_LEASE_MAX_BYTES, lease_read_cb);
}

static void
update_holder (YataiSyncEngine *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), sync_engine_properties[PROP_HOLDER_NAME]);
}

void
sync_engine_lost_lease (YataiSyncEngine *self)
{
  g_debug ("This device is no longer the writer");
  sync_engine_set_role (self, YATAI_SYNC_FOLLOWER);
  self->last_lease_write = 0;
  self->confirming_renewal = FALSE;
  if (self->stop_task != NULL)
    {
      /* Stopping, and nothing is this device's to release any more. */
      sync_engine_finish_stop (self);
      return;
    }

  /* Anything not uploaded was never shared: restore, and send it as commands. */
  if (yatai_store_outbox_count (self->store) > 0)
    sync_engine_go (self, PHASE_RESTORE);
  else
    sync_engine_go (self, PHASE_LEASE);
}

static void
lease_read_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  YataiSyncEngine *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *name = NULL;
  YataiLease *lease = NULL;
  gint64 generation = 0;
  gint64 now = g_get_monotonic_time ();
  YataiLeaseVerdict verdict;

  bytes = sync_engine_read_finish (result, &generation, &error);
  if (sync_engine_cancelled (error))
    return;

  if (bytes == NULL && !sync_engine_read_is_final (error))
    {
      sync_engine_retry_later (self, LANE_LEASE, error);
      return;
    }
  sync_engine_contact (self);
  name = sync_engine_object_name (self, "lease");

  if (self->confirming_renewal)
    {
      renewal_read_back (self, bytes, generation);
      return;
    }
  self->lanes[LANE_LEASE].busy = FALSE;

  if (bytes != NULL)
    {
      lease = yatai_lease_parse (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), &error);
      if (lease != NULL &&
          !yatai_lease_check_rules (lease, self->ttl_ms, MAX (self->lease.max_epoch, self->epoch), &error))
        {
          /* Whoever takes over counts on from the highest epoch anyone claimed. */
          self->lease.max_epoch = MAX (self->lease.max_epoch, lease->epoch);
          g_clear_pointer (&lease, yatai_lease_free);
        }
      if (lease == NULL && g_error_matches (error, YATAI_SEGMENT_ERROR, YATAI_SEGMENT_ERROR_VERSION))
        {
          sync_engine_set_error (self, error->message);
          sync_engine_lane_done (self, LANE_LEASE, 5000);
          return;
        }
    }

  if (lease == NULL && error != NULL && !g_error_matches (error, YATAI_BUCKET_ERROR, YATAI_BUCKET_ERROR_NOT_FOUND))
    {
      /* Damaged, far too large, or it breaks the rules: nobody's lease. Shown, and after Yatai's own
       * TTL of silence it can be taken over like any other. */
      sync_engine_set_problem (self, name,
                               g_error_matches (error, YATAI_BUCKET_ERROR, YATAI_BUCKET_ERROR_TOO_LARGE)
                               ? _("The bucket’s lease is damaged or is not Yatai’s.") : error->message);
      yatai_lease_view_update_damaged (&self->lease, generation, now);
    }
  else
    {
      g_autofree char *trouble = self->lease.lease ? g_strdup (self->lease.lease->trouble) : NULL;

      sync_engine_clear_problem (self, name);
      if (lease != NULL && lease->head > self->bucket_head)
        self->bucket_head = lease->head;
      yatai_lease_view_update (&self->lease, lease, generation, now);
      if (g_strcmp0 (trouble, self->lease.lease ? self->lease.lease->trouble : NULL) != 0)
        g_object_notify_by_pspec (G_OBJECT (self), sync_engine_properties[PROP_WRITER_TROUBLE]);
    }
  update_holder (self);

  verdict = yatai_lease_view_verdict (&self->lease, yatai_store_get_device_id (self->store), self->ttl_ms, now);
  sync_engine_set_takeover_available (self, verdict == YATAI_LEASE_EXPIRED && !sync_engine_link_stall_follower (self));

  /* A stall without a bucket that got one (yatai-sync-linkonly.c): its writer starts the bucket, a
   * follower never does, and joins it once another device holds it. */
  if (sync_engine_link_stall_follower (self))
    {
      if (verdict == YATAI_LEASE_HELD)
        {
          sync_engine_clear_problem (self, self->prefix);
          sync_engine_link_stall_leave (self);
        }
      else if (verdict != YATAI_LEASE_MINE)
        {
          sync_engine_set_problem (self, self->prefix,
                                   _("Set the bucket on the device that takes the orders first: this device "
                                     "follows it and does not start the bucket."));
          verdict = YATAI_LEASE_HELD;
        }
    }
  else if (sync_engine_link_stall_writer (self) && verdict == YATAI_LEASE_HELD)
    {
      /* Another stall writes in this folder: its history is not this stall's. */
      sync_engine_set_problem (self, self->prefix,
                               _("This folder of the bucket holds another stall. Choose another folder under "
                                 "Preferences → Sync."));
      sync_engine_lane_done (self, LANE_LEASE, SETTINGS_RETRY_MS);
      return;
    }

  switch (verdict)
    {
    case YATAI_LEASE_CREATE:
    case YATAI_LEASE_CLAIM:
      /* Handed over: the device that asked claims it first. */
      if (!self->follow_only && now >= self->handover_hold_until)
        {
          sync_engine_go (self, PHASE_CLAIM);
          return;
        }
      break;

    case YATAI_LEASE_MINE:
      if (self->phase == PHASE_WRITE)
        {
          sync_engine_lane_done (self, LANE_LEASE, 0);
          return;
        }
      /* This device held it before it stopped: carry on, once sure nothing was written since. */
      self->writer_epoch = self->lease.lease->epoch;
      sync_engine_go (self, PHASE_CATCH_UP);
      return;

    case YATAI_LEASE_EXPIRED:
      if (!self->follow_only && (self->auto_takeover || self->takeover_requested))
        {
          sync_engine_go (self, PHASE_CLAIM);
          return;
        }
      break;

    case YATAI_LEASE_HELD:
    default:
      break;
    }

  /* Someone else writes, or nobody does and this device only follows. */
  if (self->phase == PHASE_WRITE || self->role == YATAI_SYNC_WRITER)
    {
      sync_engine_lost_lease (self);
      return;
    }

  /* Not yet part of this stall, or changes made here that the stall never saw (taken while starting,
   * before this device knew another one writes): restore, and send them as commands. */
  sync_engine_set_role (self, YATAI_SYNC_FOLLOWER);
  if (verdict == YATAI_LEASE_HELD && self->preferred && !self->follow_only && self->handover_asked_at == 0)
    ask_handover (self);
  if (!sync_engine_is_joined (self) || yatai_store_outbox_count (self->store) > 0)
    sync_engine_go (self, PHASE_RESTORE);
  else if (self->phase != PHASE_FOLLOW)
    sync_engine_go (self, PHASE_FOLLOW);
  else
    sync_engine_schedule (self, 0);
}

void
sync_engine_write_lease (YataiSyncEngine *self,
                         gint64           epoch,
                         gboolean         released)
{
  g_autoptr(YataiLease) lease = yatai_lease_new (yatai_store_get_device_id (self->store),
                                                 yatai_store_get_device_name (self->store),
                                                 epoch);
  g_autofree char *json = NULL;
  g_autofree char *name = sync_engine_object_name (self, "lease");
  g_autoptr(GBytes) bytes = NULL;

  lease->ttl_ms = self->ttl_ms;
  lease->released = released;
  lease->renewed = g_get_real_time ();
  /* The log's head as far as this device knows: a stale device reading the lease learns that its next
   * segment is gone rather than not written yet. Never lower than a head already in the lease. */
  lease->head = MAX (self->seq, self->bucket_head);
  self->renew_now = FALSE;
  /* Where followers may reach this writer directly (the venue link), while it writes. */
  if (!released && self->phase == PHASE_WRITE)
    {
      lease->link = sync_engine_transport_addresses (self);
      /* Why the followers' commands wait, for those that do not hear it on the link. */
      lease->trouble = g_strdup (self->trouble);
    }
  json = yatai_lease_to_json (lease);
  bytes = g_bytes_new (json, strlen (json));

  sync_engine_lane_start (self, LANE_LEASE);
  self->lease_write_sent = g_get_monotonic_time ();
  yatai_bucket_create_async (self->bucket, name, bytes, self->lease.generation,
                             self->cancellable, lease_write_cb, self);
  g_object_set_data_full (G_OBJECT (self), "lease-written", g_steal_pointer (&lease),
                          (GDestroyNotify) yatai_lease_free);
  g_object_set_data_full (G_OBJECT (self), "lease-written-bytes", g_steal_pointer (&bytes),
                          (GDestroyNotify) g_bytes_unref);
}

/* Between taking the lease and its first upload as the writer, a device catches up with the log and
 * creates its epoch marker, which takes as long as the log it has to read (a whole log after a
 * restore). The lease is renewed meanwhile like a writer's: else, with the catch-up longer than the
 * TTL, another device found it silent and took it over, and the catch-up was for nothing (in the
 * split-brain run, most rounds ended so, with no writer for a while). */
void
sync_engine_renew_while_catching_up (YataiSyncEngine *self,
                                     gint64           now)
{
  gint64 renew_at = self->last_lease_write + (gint64) self->renew_ms * 1000;

  if (self->renewal_paused || self->follow_only || self->writer_epoch == 0 || self->lease.lease == NULL ||
      self->lease.lease->released || self->lease.lease->epoch != self->writer_epoch ||
      g_strcmp0 (self->lease.lease->device, yatai_store_get_device_id (self->store)) != 0)
    return;
  if (self->last_lease_write != 0 && now < renew_at)
    {
      sync_engine_schedule (self, (guint) ((renew_at - now + 999) / 1000));
      return;
    }
  if (sync_engine_lane_ready (self, LANE_LEASE, now))
    sync_engine_write_lease (self, self->writer_epoch, FALSE);
}

/* A renewal (or the release) was answered 412. When a first try reached the bucket but its answer was
 * lost, the client's retry meets its own write: the lease then holds exactly the bytes this device sent
 * (same device, same epoch, same time of renewal), and it is still this device's. Anything else means
 * another device wrote it. */
static void
renewal_read_back (YataiSyncEngine *self,
                   GBytes          *bytes,
                   gint64           generation)
{
  GBytes *sent = g_object_get_data (G_OBJECT (self), "lease-written-bytes");
  YataiLease *written = g_object_get_data (G_OBJECT (self), "lease-written");

  self->confirming_renewal = FALSE;
  self->lanes[LANE_LEASE].busy = FALSE;
  if (bytes != NULL && sent != NULL && g_bytes_equal (bytes, sent))
    {
      g_debug ("The lease holds this device's own write, whose answer was lost: still the writer");
      renewal_succeeded (self, generation, yatai_lease_copy (written));
      return;
    }
  if (self->phase == PHASE_STOPPED)
    {
      /* Releasing, and another device holds it now: nothing is left to release. */
      sync_engine_finish_stop (self);
      return;
    }
  sync_engine_lost_lease (self);
}

static void
renewal_succeeded (YataiSyncEngine *self,
                   gint64           generation,
                   YataiLease      *written)
{
  yatai_lease_view_update (&self->lease, written, generation, g_get_monotonic_time ());
  self->last_lease_write = self->lease_write_sent;
  self->lease_head_written = written->head;
  update_holder (self);

  if (self->phase == PHASE_STOPPED)
    {
      /* Released on a clean stop. */
      self->released = written->released;
      sync_engine_finish_stop (self);
      return;
    }

  if (self->phase == PHASE_CLAIM)
    {
      self->takeover_requested = FALSE;
      self->handover_asked_at = 0;
      sync_engine_set_takeover_available (self, FALSE);
      self->writer_epoch = written->epoch;
      sync_engine_go (self, PHASE_CATCH_UP);
      return;
    }

  sync_engine_schedule (self, 0);
}

static void
lease_write_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  YataiSyncEngine *self = user_data;
  g_autoptr(GError) error = NULL;
  gint64 generation = 0;

  if (!yatai_bucket_create_finish (YATAI_BUCKET (source), result, &generation, &error))
    {
      if (sync_engine_cancelled (error))
        return;
      if (g_error_matches (error, YATAI_BUCKET_ERROR, YATAI_BUCKET_ERROR_PRECONDITION))
        {
          g_autofree char *name = sync_engine_object_name (self, "lease");

          sync_engine_contact (self);
          if (self->phase == PHASE_WRITE || self->phase == PHASE_STOPPED)
            {
              /* This device's renewal or release: read the lease back to see whose write it holds
               * (the lane stays busy). */
              self->confirming_renewal = TRUE;
              sync_engine_read_bounded (self, name, YATAI_LEASE_MAX_BYTES, lease_read_cb);
              return;
            }
          /* Someone else was faster, or took over: read again and decide again. */
          self->lanes[LANE_LEASE].busy = FALSE;
          sync_engine_go (self, PHASE_LEASE);
          return;
        }
      if (self->phase == PHASE_STOPPED)
        {
          /* The release did not get through: the lease runs out after its TTL. */
          sync_engine_finish_stop (self);
          return;
        }
      sync_engine_retry_later (self, LANE_LEASE, error);
      return;
    }

  self->lanes[LANE_LEASE].busy = FALSE;
  sync_engine_contact (self);
  renewal_succeeded (self, generation,
                     yatai_lease_copy (g_object_get_data (G_OBJECT (self), "lease-written")));
}

/* Handing over (ARCHITECTURE.md, "This device takes the orders"). A device with the setting that finds
 * another writing creates `handover` (create-only) naming itself. The writer reads it every second
 * (bounded, like the lease), deletes it, and unless it has the setting itself (the first one keeps the
 * lease) it hands over: new work becomes commands for the next writer, what it committed is uploaded,
 * then it releases the lease, and for HANDOVER_HOLD_MS it leaves a released lease to the device that
 * asked, which reads the lease every HANDOVER_POLL_MS and claims it the moment it is released. The
 * request decides nothing: only the release and the claim's create-only write move the lease. */

static void
handover_asked_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  YataiSyncEngine *self = user_data;
  g_autoptr(GError) error = NULL;

  if (!yatai_bucket_create_finish (YATAI_BUCKET (source), result, NULL, &error) &&
      sync_engine_cancelled (error))
    return;
  /* A request already there (another device's, or this one's before a restart) is as good. */
  if (error != NULL && !g_error_matches (error, YATAI_BUCKET_ERROR, YATAI_BUCKET_ERROR_PRECONDITION))
    {
      self->handover_asked_at = 0;
      sync_engine_retry_later (self, LANE_LEASE, error);
      return;
    }
  self->lanes[LANE_LEASE].busy = FALSE;
  sync_engine_contact (self);
  self->handover_asked_at = g_get_monotonic_time ();
  self->next_lease_check = self->handover_asked_at + HANDOVER_POLL_MS * 1000;
  sync_engine_lane_done (self, LANE_LEASE, 0);
}

static void
ask_handover (YataiSyncEngine *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *name = sync_engine_object_name (self, "handover");
  g_autoptr(GBytes) bytes = NULL;
  char *json;

  g_debug ("This device takes the orders: asking the writer to hand over");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "device");
  json_builder_add_string_value (builder, yatai_store_get_device_id (self->store));
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, yatai_store_get_device_name (self->store));
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  json = json_to_string (root, FALSE);
  self->handover_asked_at = g_get_monotonic_time ();
  sync_engine_lane_start (self, LANE_LEASE);
  bytes = g_bytes_new_take (json, strlen (json));
  yatai_bucket_create_async (self->bucket, name, bytes, 0, self->cancellable, handover_asked_cb, self);
}

static void
handover_deleted_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  YataiSyncEngine *self = user_data;
  g_autoptr(GError) error = NULL;

  if (!yatai_bucket_delete_finish (YATAI_BUCKET (source), result, &error) && sync_engine_cancelled (error))
    return;
  /* Not deleted (gone already, or the network): read again at the next check. */
  self->lanes[LANE_LEASE].busy = FALSE;
  sync_engine_lane_done (self, LANE_LEASE, 0);
}

static void
handover_read_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  YataiSyncEngine *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *name = NULL;
  g_autoptr(GBytes) bytes = NULL;
  gint64 generation = 0;
  const char *device = NULL;

  bytes = sync_engine_read_finish (result, &generation, &error);
  /* Cancelled: the engine may be gone already, so nothing of it is touched. */
  if (sync_engine_cancelled (error))
    return;
  name = sync_engine_object_name (self, "handover");
  self->lanes[LANE_LEASE].busy = FALSE;
  if (bytes == NULL)
    {
      /* None asked (404), or it could not be read now: the next check reads it again. */
      sync_engine_lane_done (self, LANE_LEASE, 0);
      return;
    }
  sync_engine_contact (self);
  if (json_parser_load_from_data (parser, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), NULL) &&
      JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    device = json_object_get_string_member_with_default (json_node_get_object (json_parser_get_root (parser)),
                                                         "device", NULL);
  if (self->phase == PHASE_WRITE && self->stop_task == NULL && !self->preferred && device != NULL &&
      g_strcmp0 (device, yatai_store_get_device_id (self->store)) != 0)
    {
      g_debug ("Another device takes the orders: handing the lease over");
      self->handing_over = TRUE;
      /* What is done here from now on goes to the next writer as commands. */
      sync_engine_set_role (self, YATAI_SYNC_FOLLOWER);
    }
  /* Read once, answered once: a request that stays would make the next writer hand over too. */
  sync_engine_lane_start (self, LANE_LEASE);
  yatai_bucket_delete_async (self->bucket, name, generation, self->cancellable, handover_deleted_cb, self);
}

/* The writer: whether a device asked for the lease. Returns when to be asked again. */
gint64
sync_engine_check_handover (YataiSyncEngine *self,
                            gint64           now)
{
  g_autofree char *name = NULL;

  if (self->handing_over || !sync_engine_lane_ready (self, LANE_LEASE, now))
    return self->next_handover_check;
  if (now < self->next_handover_check)
    return self->next_handover_check;
  self->next_handover_check = now + HANDOVER_CHECK_MS * 1000;
  name = sync_engine_object_name (self, "handover");
  sync_engine_lane_start (self, LANE_LEASE);
  sync_engine_read_bounded (self, name, YATAI_LEASE_MAX_BYTES, handover_read_cb);
  return self->next_handover_check;
}

/* Everything committed is in the bucket: release the lease and follow, leaving the lease to the
 * device that asked for a while. */
void
sync_engine_hand_over (YataiSyncEngine *self)
{
  self->handing_over = FALSE;
  self->handover_hold_until = g_get_monotonic_time () + HANDOVER_HOLD_MS * 1000;
  sync_engine_set_role (self, YATAI_SYNC_FOLLOWER);
  sync_engine_go (self, PHASE_LEASE);
  sync_engine_write_lease (self, self->writer_epoch, TRUE);
}
