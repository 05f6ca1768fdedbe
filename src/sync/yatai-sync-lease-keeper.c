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

void
sync_engine_read_lease (YataiSyncEngine *self)
{
  g_autofree char *name = sync_engine_object_name (self, "lease");

  sync_engine_lane_start (self, LANE_LEASE);
  self->next_lease_check = g_get_monotonic_time () + (gint64) MIN (LEASE_CHECK_MS, self->ttl_ms / 3) * 1000;
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
      sync_engine_clear_problem (self, name);
      if (lease != NULL && lease->head > self->bucket_head)
        self->bucket_head = lease->head;
      yatai_lease_view_update (&self->lease, lease, generation, now);
    }
  update_holder (self);

  verdict = yatai_lease_view_verdict (&self->lease, yatai_store_get_device_id (self->store), self->ttl_ms, now);
  sync_engine_set_takeover_available (self, verdict == YATAI_LEASE_EXPIRED);

  switch (verdict)
    {
    case YATAI_LEASE_CREATE:
    case YATAI_LEASE_CLAIM:
      if (!self->follow_only)
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
  /* Where followers may reach this writer directly (the venue link), while it writes. */
  if (!released && self->phase == PHASE_WRITE)
    lease->link = sync_engine_transport_addresses (self);
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
