/* yatai-sync-link.c: the sync engine on the venue link
 *
 * The writer serves the link while it writes (PHASE_WRITE): every segment it seals is pushed there
 * the moment it exists (yatai-sync-write.c), and a follower's command is run at once, its segment
 * pushed, then its result answered. A follower that knows the writer's address keeps one connection to
 * it while it follows: segments from the link are checked exactly as the bucket's (the same decoding,
 * the same chain) and applied when they are next; its commands go over the link and fall back to the
 * inbox when the link is down or the writer asks for an earlier command first. The link never decides
 * who writes: only PHASE_WRITE, reached through the lease and the create-only log, serves it.
 */
#define G_LOG_DOMAIN "yatai-sync"

#include "config.h"

#include <glib/gi18n.h>

#include "yatai-link-client.h"
#include "yatai-link-key.h"
#include "yatai-link-server.h"
#include "yatai-sync-engine-private.h"

#define LINK_RETRY_MS   1000
#define LINK_BYPASS_MS  2000
#define LINK_AHEAD_MAX  4096

/* The writer */

static JsonNode *
run_link_command (YataiCommand  *command,
                  gpointer       user_data,
                  GError       **error)
{
  YataiSyncEngine *self = user_data;
  const char *device = yatai_command_get_device (command);
  gint64 counter = yatai_command_get_counter (command);
  g_autoptr(GError) run_error = NULL;
  JsonNode *outcome;

  if (self->phase != PHASE_WRITE)
    {
      g_set_error_literal (error, YATAI_LINK_ERROR, YATAI_LINK_ERROR_UNAVAILABLE,
                           _("The writer is not taking commands at the moment."));
      return NULL;
    }
  /* One device's commands apply in the order it made them: an earlier one still in the inbox goes
   * first, and this one then comes through the inbox too. */
  if (counter > 0 && device != NULL && counter > yatai_store_get_command_counter (self->store, device) + 1)
    {
      g_set_error_literal (error, YATAI_LINK_ERROR, YATAI_LINK_ERROR_UNAVAILABLE,
                           _("The writer is not taking commands at the moment."));
      return NULL;
    }

  outcome = yatai_store_execute (self->store, command, &run_error);
  if (outcome == NULL && g_error_matches (run_error, YATAI_STORE_ERROR, YATAI_STORE_ERROR_BUSY))
    {
      g_set_error_literal (error, YATAI_LINK_ERROR, YATAI_LINK_ERROR_UNAVAILABLE, run_error->message);
      return NULL;
    }
  /* The change (or the recorded refusal) reaches the follower before the answer does. */
  sync_engine_seal (self);
  sync_engine_schedule (self, 0);
  if (outcome == NULL)
    g_propagate_error (error, g_steal_pointer (&run_error));
  return outcome;
}

static void
serve (YataiSyncEngine *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GTlsCertificate) certificate = NULL;

  if (self->link_listen == NULL || self->link_server != NULL)
    return;
  if (!yatai_link_key_ensure (self->store, NULL, &error) ||
      (certificate = yatai_link_key_load (self->store, &error)) == NULL)
    {
      g_warning ("The local network link is not served: %s", error->message);
      return;
    }
  self->link_server = yatai_link_server_new (certificate, yatai_store_get_device_id (self->store),
                                             yatai_store_get_device_name (self->store));
  if (!yatai_link_server_listen (self->link_server, *self->link_listen ? self->link_listen : NULL, &error))
    {
      g_warning ("%s", error->message);
      g_clear_object (&self->link_server);
      return;
    }
  yatai_link_server_set_command_func (self->link_server, run_link_command, self);
  g_debug ("Serving the link on port %u", yatai_link_server_get_port (self->link_server));
}

void
sync_engine_link_publish (YataiSyncEngine *self,
                          gint64           seq,
                          GBytes          *bytes)
{
  if (self->link_server != NULL && bytes != NULL)
    yatai_link_server_push (self->link_server, seq, bytes);
}

/* The follower */

static void
apply_ahead (YataiSyncEngine *self)
{
  GBytes *bytes;
  gint64 next;

  for (;;)
    {
      next = sync_engine_next_position (self);
      if (self->phase != PHASE_FOLLOW || (bytes = g_hash_table_lookup (self->link_ahead, &next)) == NULL)
        return;
      {
        g_autoptr(GError) error = NULL;
        g_autoptr(YataiSegment) segment = yatai_segment_decode (bytes, next, self->chain, &error);

        g_hash_table_remove (self->link_ahead, &next);
        if (segment == NULL || segment->kind != YATAI_SEGMENT_LOG)
          {
            /* Sealed by a writer that then lost its seq to another, or damaged: the bucket decides. */
            g_debug ("Segment %" G_GINT64_FORMAT " from the link refused: %s", next,
                     error ? error->message : "kind");
            g_hash_table_remove_all (self->link_ahead);
            sync_engine_set_error (self, _("The shared history could not be read; restoring this device’s copy of the stall."));
            sync_engine_go (self, PHASE_RESTORE);
            return;
          }
        if (!sync_engine_apply_log_segment (self, segment))
          return;
      }
    }
}

static void
segment_cb (YataiLinkClient *client,
            gint64           seq,
            GBytes          *bytes,
            YataiSyncEngine *self)
{
  if (self->phase != PHASE_FOLLOW || seq <= self->seq)
    return;
  if (g_hash_table_size (self->link_ahead) >= LINK_AHEAD_MAX)
    return;   /* far ahead: the bucket brings the gap, the link what follows it */
  g_hash_table_insert (self->link_ahead, g_memdup2 (&seq, sizeof seq), g_bytes_ref (bytes));
  apply_ahead (self);
}

static void
connected_cb (YataiLinkClient *client,
              GParamSpec      *pspec,
              YataiSyncEngine *self)
{
  if (yatai_link_client_get_connected (client))
    g_debug ("Following “%s” over the link", yatai_link_client_get_writer_name (client));
  else
    {
      /* Down: the bucket at once, and the link again in a moment. */
      self->link_retry_at = g_get_monotonic_time () + LINK_RETRY_MS * 1000;
      g_hash_table_remove_all (self->link_ahead);
      sync_engine_schedule (self, 0);
    }
}

static void
error_cb (YataiLinkClient *client,
          GParamSpec      *pspec,
          YataiSyncEngine *self)
{
  const GError *error = yatai_link_client_get_last_error (client);

  if (error != NULL && !g_error_matches (error, YATAI_LINK_ERROR, YATAI_LINK_ERROR_UNAVAILABLE))
    g_message ("%s", error->message);
  if (error != NULL)
    self->link_retry_at = g_get_monotonic_time () + LINK_RETRY_MS * 1000;
}

void
sync_engine_link_follow (YataiSyncEngine *self,
                         gint64           now)
{
  g_autoptr(GError) error = NULL;

  if (self->link_address == NULL)
    return;
  if (self->link_client == NULL)
    {
      g_autoptr(GTlsCertificate) certificate = yatai_link_key_load (self->store, &error);

      if (certificate == NULL)
        return;   /* the key comes with the log: try again when it has */
      self->link_client = yatai_link_client_new (certificate, yatai_store_get_device_id (self->store),
                                                 yatai_store_get_device_name (self->store));
      g_signal_connect (self->link_client, "segment", G_CALLBACK (segment_cb), self);
      g_signal_connect (self->link_client, "notify::connected", G_CALLBACK (connected_cb), self);
      g_signal_connect (self->link_client, "notify::error", G_CALLBACK (error_cb), self);
    }
  if (yatai_link_client_get_connected (self->link_client) || yatai_link_client_get_connecting (self->link_client))
    return;
  if (now < self->link_retry_at)
    {
      sync_engine_schedule (self, (self->link_retry_at - now) / 1000 + 1);
      return;
    }
  self->link_retry_at = now + LINK_RETRY_MS * 1000;
  yatai_link_client_connect (self->link_client, self->link_address, self->seq + 1);
}

gboolean
sync_engine_link_connected (YataiSyncEngine *self)
{
  return self->link_client != NULL && yatai_link_client_get_connected (self->link_client);
}

static void
command_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(YataiSyncEngine) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = yatai_link_client_command_finish (YATAI_LINK_CLIENT (source), result, &error);
  g_autoptr(GPtrArray) outgoing = NULL;

  if (self->phase == PHASE_STOPPED || !self->lanes[LANE_UPLOAD].busy)
    return;
  if (node == NULL && g_error_matches (error, YATAI_LINK_ERROR, YATAI_LINK_ERROR_UNAVAILABLE))
    {
      /* Not taken: through the inbox, which the writer reads in order. */
      self->link_bypass_until = g_get_monotonic_time () + LINK_BYPASS_MS * 1000;
      sync_engine_lane_done (self, LANE_UPLOAD, 0);
      return;
    }

  /* Applied or refused by the writer: either way it is done, and the segment that records it came
   * before this answer. */
  sync_engine_contact (self);
  outgoing = sync_engine_load_outgoing (self);
  if (outgoing->len > 0)
    g_ptr_array_remove_index (outgoing, 0);
  if (!sync_engine_save_outgoing (self, outgoing, &error))
    g_debug ("Outgoing commands not saved: %s", error->message);
  sync_engine_notify_pending (self);
  sync_engine_check_awaiting (self);
  sync_engine_lane_done (self, LANE_UPLOAD, 0);
}

gboolean
sync_engine_link_send (YataiSyncEngine *self,
                       YataiCommand    *command)
{
  if (!sync_engine_link_connected (self) || g_get_monotonic_time () < self->link_bypass_until)
    return FALSE;

  sync_engine_lane_start (self, LANE_UPLOAD);
  yatai_link_client_command_async (self->link_client, command, self->cancellable, command_cb, g_object_ref (self));
  return TRUE;
}

/* Both */

void
sync_engine_link_phase_changed (YataiSyncEngine *self,
                                Phase            from)
{
  if (self->phase == PHASE_WRITE)
    {
      if (self->link_client != NULL)
        {
          g_signal_handlers_disconnect_by_data (self->link_client, self);
          g_clear_object (&self->link_client);
        }
      serve (self);
    }
  else if (from == PHASE_WRITE)
    g_clear_object (&self->link_server);
}

void
sync_engine_link_clear (YataiSyncEngine *self)
{
  if (self->link_client != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->link_client, self);
      yatai_link_client_disconnect (self->link_client);
      g_clear_object (&self->link_client);
    }
  if (self->link_server != NULL)
    yatai_link_server_set_command_func (self->link_server, NULL, NULL);
  g_clear_object (&self->link_server);
  if (self->link_ahead != NULL)
    g_hash_table_remove_all (self->link_ahead);
}

/* Public */

/**
 * yatai_sync_engine_set_link:
 * @listen: (nullable): where to serve the link while this device writes: "HOST:PORT", "" for every
 *   address and a free port, NULL for not at all
 * @writer: (nullable): the writer's "HOST:PORT", followed over the link while this device follows
 *
 * Call before yatai_sync_engine_start().
 */
void
yatai_sync_engine_set_link (YataiSyncEngine *self,
                            const char      *listen,
                            const char      *writer)
{
  g_return_if_fail (YATAI_IS_SYNC_ENGINE (self));

  g_free (self->link_listen);
  self->link_listen = g_strdup (listen);
  g_free (self->link_address);
  self->link_address = writer && *writer ? g_strdup (writer) : NULL;
}

/* The port the link is served on while this device writes, or 0. */
guint16
yatai_sync_engine_get_link_port (YataiSyncEngine *self)
{
  g_return_val_if_fail (YATAI_IS_SYNC_ENGINE (self), 0);
  return self->link_server ? yatai_link_server_get_port (self->link_server) : 0;
}

/* The writer's name while this device follows it over the link, or NULL. */
const char *
yatai_sync_engine_get_link_writer (YataiSyncEngine *self)
{
  g_return_val_if_fail (YATAI_IS_SYNC_ENGINE (self), NULL);
  return sync_engine_link_connected (self) ? yatai_link_client_get_writer_name (self->link_client) : NULL;
}

/* Returns: (transfer container): the devices following this one over the link. */
GPtrArray *
yatai_sync_engine_get_link_peers (YataiSyncEngine *self)
{
  g_return_val_if_fail (YATAI_IS_SYNC_ENGINE (self), NULL);
  if (self->link_server == NULL)
    return g_ptr_array_new_with_free_func (g_free);
  return yatai_link_server_get_peers (self->link_server);
}
