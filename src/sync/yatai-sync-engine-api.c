/* yatai-sync-engine-api.c: what the sync engine tells the application, and how it is set up
 *
 * The getters the status and the pages read, and the settings the application, yatai-ctl and the
 * tests give the engine (the preferred writer, takeover, timing, the poll interval). The loop itself is
 * in yatai-sync-engine.c.
 */
#define G_LOG_DOMAIN "yatai-sync"

#include "config.h"

#include "yatai-sync-engine-private.h"

/**
 * yatai_sync_engine_set_preferred:
 *
 * "This device takes the orders": when another device writes as this one starts, it asks that device
 * to hand the lease over (it finishes its uploads and releases; this one claims at once). A writer
 * that has this setting keeps the lease when another such device asks.
 */
void
yatai_sync_engine_set_preferred (YataiSyncEngine *self,
                                 gboolean         preferred)
{
  g_return_if_fail (YATAI_IS_SYNC_ENGINE (self));
  self->preferred = preferred;
  sync_engine_schedule (self, 0);
}

/* A person confirmed: make this device the writer once the lease is expired. */
void
yatai_sync_engine_take_over (YataiSyncEngine *self)
{
  g_return_if_fail (YATAI_IS_SYNC_ENGINE (self));
  self->takeover_requested = TRUE;
  sync_engine_schedule (self, 0);
}

YataiSyncRole
yatai_sync_engine_get_role (YataiSyncEngine *self)
{
  g_return_val_if_fail (YATAI_IS_SYNC_ENGINE (self), YATAI_SYNC_STOPPED);
  return self->role;
}

gboolean
yatai_sync_engine_get_online (YataiSyncEngine *self)
{
  g_return_val_if_fail (YATAI_IS_SYNC_ENGINE (self), FALSE);
  return self->online;
}

/* The bucket it syncs through (the sync details ask it about its credentials). */
YataiBucket *
yatai_sync_engine_get_bucket (YataiSyncEngine *self)
{
  g_return_val_if_fail (YATAI_IS_SYNC_ENGINE (self), NULL);
  return self->bucket;
}

/* The writer's name: the lease's holder, or without a bucket the writer followed on the link (the
 * last one heard while it cannot be reached), or this device while it writes. */
const char *
yatai_sync_engine_get_holder_name (YataiSyncEngine *self)
{
  g_return_val_if_fail (YATAI_IS_SYNC_ENGINE (self), NULL);
  if (self->bucket == NULL)
    {
      if (self->role == YATAI_SYNC_WRITER)
        return yatai_store_get_device_name (self->store);
      if (yatai_sync_engine_get_link_writer (self) != NULL)
        return yatai_sync_engine_get_link_writer (self);
      g_object_set_data_full (G_OBJECT (self), "holder-name",
                              yatai_store_get_local (self->store, "sync_link_writer_name"), g_free);
      return g_object_get_data (G_OBJECT (self), "holder-name");
    }
  return self->lease.lease ? self->lease.lease->device_name : NULL;
}

/**
 * yatai_sync_engine_get_writer_trouble:
 *
 * Why the writer this device follows cannot apply commands now, as it says on the link or in the
 * lease: "disk-full", "cannot-save" (or a name of a newer Yatai, said as "cannot-save").
 *
 * Returns: (nullable): the trouble's name, or %NULL when the writer can apply them, or this device
 *   does not follow
 */
const char *
yatai_sync_engine_get_writer_trouble (YataiSyncEngine *self)
{
  gboolean on_link = FALSE;
  const char *trouble;

  g_return_val_if_fail (YATAI_IS_SYNC_ENGINE (self), NULL);
  if (self->role != YATAI_SYNC_FOLLOWER)
    return NULL;
  trouble = sync_engine_link_writer_trouble (self, &on_link);
  if (on_link)
    return trouble;
  if (self->lease.lease == NULL || self->lease.lease->released ||
      g_strcmp0 (self->lease.lease->device, yatai_store_get_device_id (self->store)) == 0)
    return NULL;
  return self->lease.lease->trouble;
}

/* Whether the stall has no bucket: the venue link is the only path, and only handing over moves who
 * writes (yatai-sync-linkonly.c). */
gboolean
yatai_sync_engine_get_link_only (YataiSyncEngine *self)
{
  g_return_val_if_fail (YATAI_IS_SYNC_ENGINE (self), FALSE);
  return self->bucket == NULL;
}

gint64
yatai_sync_engine_get_seq (YataiSyncEngine *self)
{
  g_return_val_if_fail (YATAI_IS_SYNC_ENGINE (self), 0);
  return self->seq;
}

gint64
yatai_sync_engine_get_epoch (YataiSyncEngine *self)
{
  g_return_val_if_fail (YATAI_IS_SYNC_ENGINE (self), 0);
  return self->epoch;
}

/* What this device holds that the stall has not got yet: unsent segments and commands. */
gint64
yatai_sync_engine_get_pending (YataiSyncEngine *self)
{
  g_autoptr(GPtrArray) outgoing = NULL;

  g_return_val_if_fail (YATAI_IS_SYNC_ENGINE (self), 0);
  if (self->store == NULL)
    return 0;
  outgoing = sync_engine_load_outgoing (self);
  return yatai_store_outbox_count (self->store) + outgoing->len;
}

gint64
yatai_sync_engine_get_last_contact (YataiSyncEngine *self)
{
  g_return_val_if_fail (YATAI_IS_SYNC_ENGINE (self), 0);
  return self->last_contact;
}

gint64
yatai_sync_engine_get_last_upload (YataiSyncEngine *self)
{
  g_return_val_if_fail (YATAI_IS_SYNC_ENGINE (self), 0);
  return self->last_upload;
}

/* Whether the lease as last read or written is released by its holder. */
gboolean
yatai_sync_engine_get_lease_released (YataiSyncEngine *self)
{
  g_return_val_if_fail (YATAI_IS_SYNC_ENGINE (self), FALSE);
  return self->lease.lease != NULL && self->lease.lease->released;
}

/* Whether the stop released the lease: this device held it and the bucket took the release. */
gboolean
yatai_sync_engine_get_released (YataiSyncEngine *self)
{
  g_return_val_if_fail (YATAI_IS_SYNC_ENGINE (self), FALSE);
  return self->released;
}

gboolean
yatai_sync_engine_get_takeover_available (YataiSyncEngine *self)
{
  g_return_val_if_fail (YATAI_IS_SYNC_ENGINE (self), FALSE);
  return self->takeover_available;
}

/* What is wrong, in words: the last request's failure, or else a problem that stays (a damaged object
 * in the bucket, named; a full disk) until it is resolved. */
const char *
yatai_sync_engine_get_error (YataiSyncEngine *self)
{
  g_return_val_if_fail (YATAI_IS_SYNC_ENGINE (self), NULL);
  return self->error ? self->error : self->problem;
}

/* Whether the error is a setting to fix (yatai_bucket_error_is_setting()): no bucket of that name,
 * credentials refused, a role missing. Set before the error is notified. */
gboolean
yatai_sync_engine_get_needs_settings (YataiSyncEngine *self)
{
  g_return_val_if_fail (YATAI_IS_SYNC_ENGINE (self), FALSE);
  return self->needs_settings;
}

void
yatai_sync_engine_set_auto_takeover (YataiSyncEngine *self,
                                     gboolean         auto_takeover)
{
  g_return_if_fail (YATAI_IS_SYNC_ENGINE (self));
  self->auto_takeover = !!auto_takeover;
}

/* How often a follower asks for the next segment: about 250 ms while visible, slower when idle. */
void
yatai_sync_engine_set_poll_interval (YataiSyncEngine *self,
                                     guint            milliseconds)
{
  g_return_if_fail (YATAI_IS_SYNC_ENGINE (self));
  self->poll_ms = MAX (milliseconds, 10);
}

/* For tests and rehearsals: a shorter lease. */
void
yatai_sync_engine_set_timing (YataiSyncEngine *self,
                              guint            lease_ttl_ms,
                              guint            renew_ms)
{
  g_return_if_fail (YATAI_IS_SYNC_ENGINE (self));
  g_return_if_fail (renew_ms < lease_ttl_ms);
  self->ttl_ms = lease_ttl_ms;
  self->renew_ms = renew_ms;
}

/* A device that never becomes the writer, whatever the lease says: a backup PC, `yatai-ctl follow`. */
void
yatai_sync_engine_set_follow_only (YataiSyncEngine *self,
                                   gboolean         follow_only)
{
  g_return_if_fail (YATAI_IS_SYNC_ENGINE (self));
  self->follow_only = !!follow_only;
}

/* A snapshot every @segments log segments (and every 10 minutes). */
void
yatai_sync_engine_set_snapshot_every (YataiSyncEngine *self,
                                      guint            segments)
{
  g_return_if_fail (YATAI_IS_SYNC_ENGINE (self));
  self->snapshot_every = MAX (segments, 1);
}

/* For tests: how old a snapshot of this writer must be before the log up to it may be deleted. */
void
yatai_sync_engine_set_retention (YataiSyncEngine *self,
                                 guint            milliseconds)
{
  g_return_if_fail (YATAI_IS_SYNC_ENGINE (self));
  self->retention_ms = milliseconds;
  self->next_retention = 0;
}

/* For tests: a writer whose renewals stop, as if asleep or cut off. */
void
yatai_sync_engine_pause_renewal (YataiSyncEngine *self,
                                 gboolean         paused)
{
  g_return_if_fail (YATAI_IS_SYNC_ENGINE (self));
  self->renewal_paused = !!paused;
  sync_engine_schedule (self, 0);
}

/* Returns: (transfer full) (nullable): where followers may reach this device on the local network
 * while it writes ("HOST:PORT"), as the lease says them. */
char **
yatai_sync_engine_dup_link_addresses (YataiSyncEngine *self)
{
  g_return_val_if_fail (YATAI_IS_SYNC_ENGINE (self), NULL);
  return self->role == YATAI_SYNC_WRITER ? sync_engine_transport_addresses (self) : NULL;
}
