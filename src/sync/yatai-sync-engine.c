/* yatai-sync-engine.c: one device's part in a stall's sync
 *
 * The engine is a loop on the main context: step() starts what may start, each answer decides what
 * comes next. While it follows or writes, its requests go in three lanes (the lease; uploads; reads),
 * each with one request at a time, so a stalled read cannot hold back the upload of a new order nor the
 * other way round, and within a lane the order of things stays obvious (a segment is applied before
 * the next is asked for; segment N is uploaded before N + 1). The writer batches what committed while
 * an upload was in flight into the next segment. Joining, claiming and catching up take one request at
 * a time, once no lane has one in flight.
 *
 * This device's position in the shared history (seq, chain, epoch) is kept in local_meta and saved in
 * the same transaction as the data it describes (yatai-store-journal.h).
 */
#define G_LOG_DOMAIN "yatai-sync"

#include "config.h"

#include <glib/gi18n.h>

#include "yatai-sync-engine-private.h"

G_DEFINE_FINAL_TYPE (YataiSyncEngine, yatai_sync_engine, G_TYPE_OBJECT)

GParamSpec *sync_engine_properties[N_PROPS];
guint sync_engine_signals[N_SIGNALS];

static void step (YataiSyncEngine *self);

/* Small helpers */

char *
sync_engine_object_name (YataiSyncEngine *self,
                         const char      *name)
{
  return g_strconcat (self->prefix, "/", name, NULL);
}

void
sync_engine_set_role (YataiSyncEngine *self,
                      YataiSyncRole    role)
{
  if (self->role == role)
    return;
  self->role = role;
  g_debug ("%s: now %s", yatai_store_get_device_name (self->store),
           role == YATAI_SYNC_WRITER ? "writer" : role == YATAI_SYNC_FOLLOWER ? "follower" :
           role == YATAI_SYNC_STOPPED ? "stopped" : "starting");
  g_object_notify_by_pspec (G_OBJECT (self), sync_engine_properties[PROP_ROLE]);
}

void
sync_engine_set_error (YataiSyncEngine *self,
                       const char      *message)
{
  if (g_strcmp0 (self->error, message) == 0)
    return;
  if (message != NULL)
    g_debug ("%s: %s", yatai_store_get_device_name (self->store), message);
  g_free (self->error);
  self->error = g_strdup (message);
  g_object_notify_by_pspec (G_OBJECT (self), sync_engine_properties[PROP_ERROR]);
}

void
sync_engine_set_takeover_available (YataiSyncEngine *self,
                                    gboolean         available)
{
  if (self->takeover_available == available)
    return;
  self->takeover_available = available;
  g_object_notify_by_pspec (G_OBJECT (self), sync_engine_properties[PROP_TAKEOVER_AVAILABLE]);
}

void
sync_engine_notify_pending (YataiSyncEngine *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), sync_engine_properties[PROP_PENDING]);
}

/* This device's place in the shared history moved to @seq, whose running checksum is @chain. */
void
sync_engine_advance (YataiSyncEngine *self,
                     gint64           seq,
                     const char      *chain)
{
  char *old = self->chain;

  self->seq = seq;
  self->chain = g_strdup (chain);
  g_free (old);
  g_object_notify_by_pspec (G_OBJECT (self), sync_engine_properties[PROP_SEQ]);
}

/* A request answered: the bucket is reachable. */
void
sync_engine_contact (YataiSyncEngine *self)
{
  self->last_contact = g_get_monotonic_time ();
  for (guint i = 0; i < N_LANES; i++)
    self->lanes[i].retry_ms = 0;
  self->needs_settings = FALSE;
  g_object_notify_by_pspec (G_OBJECT (self), sync_engine_properties[PROP_LAST_CONTACT]);
  if (!self->online)
    {
      self->online = TRUE;
      g_object_notify_by_pspec (G_OBJECT (self), sync_engine_properties[PROP_ONLINE]);
    }
  sync_engine_set_error (self, NULL);
}

/* Lanes */

void
sync_engine_lane_start (YataiSyncEngine *self,
                        Lane             lane)
{
  g_assert (!self->lanes[lane].busy);
  self->lanes[lane].busy = TRUE;
}

/* @lane's request is over; its next one may start in @delay_ms. */
void
sync_engine_lane_done (YataiSyncEngine *self,
                       Lane             lane,
                       guint            delay_ms)
{
  self->lanes[lane].busy = FALSE;
  self->lanes[lane].not_before = g_get_monotonic_time () + (gint64) delay_ms * 1000;
  sync_engine_schedule (self, delay_ms);
}

gboolean
sync_engine_lane_ready (YataiSyncEngine *self,
                        Lane             lane,
                        gint64           now)
{
  return !self->lanes[lane].busy && now >= self->lanes[lane].not_before;
}

static gboolean
any_lane_busy (YataiSyncEngine *self)
{
  for (guint i = 0; i < N_LANES; i++)
    if (self->lanes[i].busy)
      return TRUE;
  return FALSE;
}

/* A request failed for a reason of the moment (network, the bucket busy): try its lane again later,
 * slower. */
void
sync_engine_retry_later (YataiSyncEngine *self,
                         Lane             lane,
                         const GError    *error)
{
  LaneState *state = &self->lanes[lane];

  g_debug ("Will retry: %s", error->message);
  if (self->online)
    {
      self->online = FALSE;
      g_object_notify_by_pspec (G_OBJECT (self), sync_engine_properties[PROP_ONLINE]);
    }
  if (yatai_bucket_error_is_setting (error))
    {
      /* No such bucket, credentials refused, a role missing: asking again at once cannot help. Say what
       * to fix and look again only slowly (new settings make a new engine at once). */
      self->needs_settings = TRUE;
      sync_engine_set_error (self, error->message);
      for (guint i = 0; i < N_LANES; i++)
        self->lanes[i].not_before = g_get_monotonic_time () + (gint64) SETTINGS_RETRY_MS * 1000;
      state->retry_ms = SETTINGS_RETRY_MS;
      sync_engine_lane_done (self, lane, SETTINGS_RETRY_MS);
      return;
    }
  self->needs_settings = FALSE;
  if (!g_error_matches (error, YATAI_BUCKET_ERROR, YATAI_BUCKET_ERROR_UNAVAILABLE))
    sync_engine_set_error (self, error->message);
  state->retry_ms = CLAMP (state->retry_ms * 2, RETRY_MIN_MS, RETRY_MAX_MS);
  sync_engine_lane_done (self, lane, state->retry_ms);
}

/* A request failed: try again later, unless it was cancelled, which means the engine is gone and
 * @self may not be touched. */
void
sync_engine_request_failed (YataiSyncEngine *self,
                            Lane             lane,
                            const GError    *error)
{
  if (sync_engine_cancelled (error))
    return;
  sync_engine_retry_later (self, lane, error);
}

gboolean
sync_engine_cancelled (const GError *error)
{
  return g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

/* Position */

void
sync_engine_load_position (YataiSyncEngine *self)
{
  g_autofree char *seq = yatai_store_get_local (self->store, "sync_seq");
  g_autofree char *epoch = yatai_store_get_local (self->store, "sync_epoch");

  g_free (self->chain);
  self->chain = yatai_store_get_local (self->store, "sync_chain");
  if (self->chain == NULL)
    self->chain = g_strdup (yatai_segment_genesis_chain ());
  self->seq = seq ? g_ascii_strtoll (seq, NULL, 10) : 0;
  self->epoch = epoch ? g_ascii_strtoll (epoch, NULL, 10) : 0;
}

gboolean
sync_engine_is_joined (YataiSyncEngine *self)
{
  g_autofree char *joined = yatai_store_get_local (self->store, "sync_joined");

  return g_strcmp0 (joined, self->prefix) == 0;
}

/* Outgoing commands (a follower's, waiting for the inbox) are kept in local_meta, so a crash before
 * they reach the bucket loses none of them. */
GPtrArray *
sync_engine_load_outgoing (YataiSyncEngine *self)
{
  g_autofree char *text = yatai_store_get_local (self->store, "sync_outgoing");
  g_autoptr(JsonNode) node = text ? json_from_string (text, NULL) : NULL;
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);

  if (node != NULL && JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *element = json_array_get_element (array, i);

          if (JSON_NODE_HOLDS_VALUE (element) && json_node_get_value_type (element) == G_TYPE_STRING)
            g_ptr_array_add (out, g_strdup (json_node_get_string (element)));
        }
    }
  return out;
}

char *
sync_engine_outgoing_to_json (GPtrArray *commands)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_ARRAY);
  JsonArray *array = json_array_new ();

  for (guint i = 0; i < commands->len; i++)
    json_array_add_string_element (array, g_ptr_array_index (commands, i));
  json_node_take_array (node, array);
  return json_to_string (node, FALSE);
}

gboolean
sync_engine_save_outgoing (YataiSyncEngine  *self,
                           GPtrArray        *commands,
                           GError          **error)
{
  g_autofree char *text = sync_engine_outgoing_to_json (commands);

  return yatai_store_set_local (self->store, "sync_outgoing", text, error);
}

/* A follower's commands, in the order they were made: each gets this device's id and name and the
 * next of its counters, and @outgoing with them is saved with the counter in one transaction, so a
 * crash can neither lose a command nor give two the same counter. */
gboolean
sync_engine_queue_commands (YataiSyncEngine  *self,
                            GPtrArray        *outgoing,
                            YataiCommand    **commands,
                            guint             n_commands,
                            GError          **error)
{
  g_autofree char *text = yatai_store_get_local (self->store, "sync_command_counter");
  gint64 counter = text ? g_ascii_strtoll (text, NULL, 10) : 0;
  g_autofree char *counter_text = NULL;
  g_autofree char *outgoing_text = NULL;

  for (guint i = 0; i < n_commands; i++)
    {
      yatai_command_set_device (commands[i], yatai_store_get_device_id (self->store));
      yatai_command_set_device_name (commands[i], yatai_store_get_device_name (self->store));
      yatai_command_set_counter (commands[i], ++counter);
      g_ptr_array_add (outgoing, yatai_command_to_json (commands[i]));
    }
  counter_text = g_strdup_printf ("%" G_GINT64_FORMAT, counter);
  outgoing_text = sync_engine_outgoing_to_json (outgoing);
  {
    const char *pairs[] = { "sync_outgoing", outgoing_text, "sync_command_counter", counter_text, NULL };

    return yatai_store_set_locals (self->store, pairs, error);
  }
}

/* Scheduling: the loop runs step() when something may start, no later than asked. */

static gboolean
timeout_cb (gpointer user_data)
{
  YataiSyncEngine *self = user_data;

  self->timeout_id = 0;
  step (self);
  return G_SOURCE_REMOVE;
}

void
sync_engine_schedule (YataiSyncEngine *self,
                      guint            delay_ms)
{
  gint64 at = g_get_monotonic_time () + (gint64) delay_ms * 1000;

  if (self->phase == PHASE_STOPPED)
    return;
  if (self->timeout_id != 0 && self->timeout_at <= at)
    return;
  g_clear_handle_id (&self->timeout_id, g_source_remove);
  self->timeout_at = at;
  /* At once is at the default priority, not an idle's: a commit's segment goes out on the link before
   * the next redraw or any other idle work (bench-link: up to 8 ms saved at p99). */
  if (delay_ms == 0)
    self->timeout_id = g_idle_add_full (G_PRIORITY_DEFAULT, timeout_cb, self, NULL);
  else
    self->timeout_id = g_timeout_add (delay_ms, timeout_cb, self);
}

void
sync_engine_go (YataiSyncEngine *self,
                Phase            phase)
{
  Phase from = self->phase;

  self->phase = phase;
  if ((from == PHASE_WRITE) != (phase == PHASE_WRITE))
    {
      /* Sealed segments belong to one stretch of writing, and so does what kept its commands waiting. */
      sync_engine_reset_sealed (self);
      g_clear_pointer (&self->trouble, g_free);
      self->store_busy_since = 0;
      for (guint i = 0; i < N_TRANSPORTS; i++)
        if (self->transports[i] != NULL && self->transports[i]->klass->writing_changed != NULL)
          self->transports[i]->klass->writing_changed (self->transports[i], phase == PHASE_WRITE);
    }
  sync_engine_schedule (self, 0);
}

static void
store_changed_cb (YataiSyncEngine *self,
                  YataiChanges    *changes)
{
  /* A commit on the writer: upload at once. */
  if (self->phase == PHASE_WRITE)
    sync_engine_schedule (self, 0);
}

/* The follower learns what became of its commands when they come back through the log. */
void
sync_engine_check_awaiting (YataiSyncEngine *self)
{
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, self->awaiting);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) result = NULL;

      if (!yatai_store_lookup_command (self->store, key, &result, &error))
        continue;
      g_signal_emit (self, sync_engine_signals[COMMAND_FINISHED], 0, key, error ? error->message : NULL);
      g_hash_table_iter_remove (&iter);
    }
}

/* The loop */

/* Wake again when the first lane that is waiting may go, or when @at (monotonic µs) comes, and at
 * least once a second. */
static void
schedule_next (YataiSyncEngine *self,
               gint64           now,
               gint64           at)
{
  gint64 next = MIN (at, now + G_USEC_PER_SEC);

  for (guint i = 0; i < N_LANES; i++)
    if (!self->lanes[i].busy && self->lanes[i].not_before > now)
      next = MIN (next, self->lanes[i].not_before);
  sync_engine_schedule (self, (guint) ((MAX (next, now) - now + 999) / 1000));
}

/* A phase that takes one request at a time, in @lane, once no lane has one in flight. */
static gboolean
one_at_a_time (YataiSyncEngine *self,
               Lane             lane,
               gint64           now)
{
  if (any_lane_busy (self))
    return FALSE;
  if (!sync_engine_lane_ready (self, lane, now))
    {
      schedule_next (self, now, G_MAXINT64);
      return FALSE;
    }
  return TRUE;
}

/* The writer's clean stop: no new reads; what is left uploaded, a snapshot if the log grew, then the
 * release, once nothing else is in flight. */
static void
step_stop (YataiSyncEngine *self,
           gint64           now)
{
  gboolean left = FALSE;

  if (!sync_engine_fence_ok (self))
    {
      if (sync_engine_lane_ready (self, LANE_LEASE, now))
        sync_engine_write_lease (self, self->writer_epoch, FALSE);
      schedule_next (self, now, G_MAXINT64);
      return;
    }
  if (self->bucket == NULL)
    {
      /* Without a bucket, what is sealed is the history already, and there is no lease to release:
       * the role stays in the store for the next start. */
      sync_engine_seal (self);
      sync_engine_finish_stop (self);
      return;
    }
  for (guint i = 0; i < N_TRANSPORTS; i++)
    if (self->transports[i] != NULL && self->transports[i]->klass->drain != NULL &&
        self->transports[i]->klass->drain (self->transports[i], now))
      left = TRUE;
  if (left || any_lane_busy (self))
    {
      schedule_next (self, now, G_MAXINT64);
      return;
    }
  if (self->stop_task == NULL)
    {
      sync_engine_hand_over (self);
      return;
    }
  sync_engine_go (self, PHASE_STOPPED);
  sync_engine_write_lease (self, self->writer_epoch, TRUE);
}

static void
step_follow (YataiSyncEngine *self,
             gint64           now)
{
  if (sync_engine_lane_ready (self, LANE_UPLOAD, now))
    sync_engine_send_outgoing (self);
  /* Without a bucket there is no lease to watch: the writer hands over on the link, or nobody. */
  if (self->bucket != NULL && sync_engine_lane_ready (self, LANE_LEASE, now) &&
      (now >= self->next_lease_check || self->takeover_requested))
    sync_engine_read_lease (self);
  for (guint i = 0; i < N_TRANSPORTS && self->phase == PHASE_FOLLOW; i++)
    if (self->transports[i] != NULL && self->transports[i]->klass->follow != NULL)
      self->transports[i]->klass->follow (self->transports[i], now);
  schedule_next (self, now, self->bucket != NULL ? self->next_lease_check : G_MAXINT64);
}

static gboolean
link_has_followers (YataiSyncEngine *self)
{
  g_autoptr(GPtrArray) peers = yatai_sync_engine_get_link_peers (self);

  return peers->len > 0;
}

static void
step_write (YataiSyncEngine *self,
            gint64           now)
{
  gint64 renew_at = self->last_lease_write + (gint64) self->renew_ms * 1000;
  /* Without a bucket there is no lease to renew. */
  gint64 wake = self->renewal_paused || self->bucket == NULL ? G_MAXINT64 : renew_at;

  if (self->bucket != NULL && !self->renewal_paused && sync_engine_lane_ready (self, LANE_LEASE, now) &&
      (self->last_lease_write == 0 || now >= renew_at || self->renew_now))
    sync_engine_write_lease (self, self->writer_epoch, FALSE);
  /* Sealing needs no request: the link carries new segments even while the bucket cannot be reached.
   * With nobody following on the link, the upload seals what it sends (sync_engine_upload), so what
   * committed while the previous upload was in flight goes as one segment: one commit a segment at
   * 50 orders a second made more segments than a follower reading the bucket one by one could keep
   * up with, and it never caught up after a stall. */
  if (link_has_followers (self) || self->bucket == NULL)
    sync_engine_seal (self);
  if (!sync_engine_fence_ok (self))
    {
      /* Cannot renew (paused, or the network is down): upload nothing until a renewal succeeds. */
      schedule_next (self, now, now + 100 * 1000);
      return;
    }

  /* Commands this device queued while it followed run here first (no request). */
  sync_engine_run_outgoing (self);

  /* A device that takes the orders asked for the lease (without a bucket it asks on the link). */
  if (self->bucket != NULL)
    wake = MIN (wake, sync_engine_check_handover (self, now));
  if (self->handing_over)
    {
      sync_engine_schedule (self, 0);
      return;
    }

  /* Segments go to every transport, and commands come from each. */
  for (guint i = 0; i < N_TRANSPORTS && self->phase == PHASE_WRITE; i++)
    if (self->transports[i] != NULL && self->transports[i]->klass->write != NULL)
      wake = MIN (wake, self->transports[i]->klass->write (self->transports[i], now));

  schedule_next (self, now, wake);
}

/* A stop asked for while this device is becoming the writer. A claim on its way is waited for (the
 * stop's deadline still bounds it); a lease already won (catching up, marking its epoch) is released at
 * once, so that another device need not wait out the TTL; anything else just stops. */
static void
step_stop_unwritten (YataiSyncEngine *self,
                     gint64           now)
{
  gboolean claimed = self->phase == PHASE_CATCH_UP || self->phase == PHASE_MARK;

  if (self->lanes[LANE_LEASE].busy && (claimed || self->phase == PHASE_CLAIM))
    {
      schedule_next (self, now, G_MAXINT64);
      return;
    }
  if (!claimed)
    {
      sync_engine_finish_stop (self);
      return;
    }
  sync_engine_go (self, PHASE_STOPPED);
  sync_engine_write_lease (self, self->writer_epoch, TRUE);
}

static void
step (YataiSyncEngine *self)
{
  gint64 now = g_get_monotonic_time ();

  if (self->stop_task != NULL && self->phase != PHASE_WRITE && self->phase != PHASE_STOPPED)
    {
      step_stop_unwritten (self, now);
      return;
    }

  if (self->bucket == NULL && (self->phase == PHASE_JOIN || self->phase == PHASE_LEASE))
    {
      sync_engine_link_only_begin (self);
      return;
    }

  switch (self->phase)
    {
    case PHASE_JOIN:
      if (!one_at_a_time (self, LANE_READ, now))
        return;
      if (sync_engine_is_joined (self))
        sync_engine_go (self, PHASE_LEASE);
      else
        sync_engine_start_restore (self);
      return;

    case PHASE_RESTORE:
      if (self->bucket == NULL)
        {
          /* Without a bucket the writer gives the whole stall on the link (yatai-sync-link.c). */
          self->restore_from_link = TRUE;
          sync_engine_go (self, PHASE_FOLLOW);
        }
      else if (one_at_a_time (self, LANE_READ, now))
        sync_engine_start_restore (self);
      return;

    case PHASE_LEASE:
      if (one_at_a_time (self, LANE_LEASE, now))
        sync_engine_read_lease (self);
      return;

    case PHASE_CLAIM:
      if (one_at_a_time (self, LANE_LEASE, now))
        sync_engine_write_lease (self, MAX (self->lease.max_epoch, self->epoch) + 1, FALSE);
      return;

    case PHASE_CATCH_UP:
      sync_engine_renew_while_catching_up (self, now);
      if (self->phase == PHASE_CATCH_UP && one_at_a_time (self, LANE_READ, now))
        sync_engine_read_next_segment (self);
      return;

    case PHASE_MARK:
      sync_engine_renew_while_catching_up (self, now);
      if (self->phase == PHASE_MARK && one_at_a_time (self, LANE_UPLOAD, now))
        sync_engine_mark_epoch (self);
      return;

    case PHASE_FOLLOW:
      step_follow (self, now);
      return;

    case PHASE_WRITE:
      if (self->stop_task != NULL || self->handing_over)
        step_stop (self, now);
      else
        step_write (self, now);
      return;

    case PHASE_STOPPED:
    default:
      return;
    }
}

/* GObject */

static void
yatai_sync_engine_dispose (GObject *object)
{
  YataiSyncEngine *self = (YataiSyncEngine *) object;

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->timeout_id, g_source_remove);
  g_clear_handle_id (&self->stop_timeout_id, g_source_remove);
  sync_engine_clear_transports (self);
  /* An engine dropped without a stop still holds the segments it sealed. */
  sync_engine_reset_sealed (self);
  if (self->store != NULL)
    g_clear_signal_handler (&self->changed_id, self->store);
  g_clear_object (&self->store);
  g_clear_object (&self->bucket);
  g_clear_object (&self->stop_task);

  G_OBJECT_CLASS (yatai_sync_engine_parent_class)->dispose (object);
}

static void
yatai_sync_engine_finalize (GObject *object)
{
  YataiSyncEngine *self = (YataiSyncEngine *) object;

  g_clear_object (&self->cancellable);
  g_free (self->prefix);
  g_free (self->chain);
  g_free (self->error);
  yatai_lease_view_clear (&self->lease);
  g_ptr_array_unref (self->inbox);
  g_hash_table_unref (self->inbox_gaps);
  g_hash_table_unref (self->inbox_skipped);
  g_hash_table_unref (self->awaiting);
  g_array_unref (self->own_snapshots);
  g_ptr_array_unref (self->to_delete);
  g_array_unref (self->evidence);
  g_array_unref (self->damaged);
  g_ptr_array_unref (self->restore_candidates);
  g_free (self->problem);
  g_free (self->problem_where);
  g_free (self->trouble);
  g_free (self->pending_note_chain);
  g_free (self->sealed_chain);
  for (guint i = 0; i < N_TRANSPORTS; i++)
    if (self->transports[i] != NULL)
      self->transports[i]->klass->free (self->transports[i]);
  yatai_link_grant_free (self->grant);

  G_OBJECT_CLASS (yatai_sync_engine_parent_class)->finalize (object);
}

static void
yatai_sync_engine_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  YataiSyncEngine *self = YATAI_SYNC_ENGINE (object);

  switch (prop_id)
    {
    case PROP_ROLE:
      g_value_set_int (value, self->role);
      break;
    case PROP_ONLINE:
      g_value_set_boolean (value, self->online);
      break;
    case PROP_HOLDER_NAME:
      g_value_set_string (value, yatai_sync_engine_get_holder_name (self));
      break;
    case PROP_SEQ:
      g_value_set_int64 (value, self->seq);
      break;
    case PROP_PENDING:
      g_value_set_int64 (value, yatai_sync_engine_get_pending (self));
      break;
    case PROP_ERROR:
      g_value_set_string (value, yatai_sync_engine_get_error (self));
      break;
    case PROP_TAKEOVER_AVAILABLE:
      g_value_set_boolean (value, self->takeover_available);
      break;
    case PROP_LAST_CONTACT:
      g_value_set_int64 (value, self->last_contact);
      break;
    case PROP_LINK_WRITER:
      g_value_set_string (value, yatai_sync_engine_get_link_writer (self));
      break;
    case PROP_WRITER_TROUBLE:
      g_value_set_string (value, yatai_sync_engine_get_writer_trouble (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
yatai_sync_engine_class_init (YataiSyncEngineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = yatai_sync_engine_dispose;
  object_class->finalize = yatai_sync_engine_finalize;
  object_class->get_property = yatai_sync_engine_get_property;

  sync_engine_properties[PROP_ROLE] = g_param_spec_int ("role", NULL, NULL, 0, YATAI_SYNC_STOPPED, 0,
                                            G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  sync_engine_properties[PROP_ONLINE] = g_param_spec_boolean ("online", NULL, NULL, FALSE,
                                                  G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  sync_engine_properties[PROP_HOLDER_NAME] = g_param_spec_string ("holder-name", NULL, NULL, NULL,
                                                      G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  sync_engine_properties[PROP_SEQ] = g_param_spec_int64 ("seq", NULL, NULL, 0, G_MAXINT64, 0,
                                             G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  sync_engine_properties[PROP_PENDING] = g_param_spec_int64 ("pending", NULL, NULL, 0, G_MAXINT64, 0,
                                                 G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  sync_engine_properties[PROP_ERROR] = g_param_spec_string ("error", NULL, NULL, NULL,
                                                G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  sync_engine_properties[PROP_TAKEOVER_AVAILABLE] = g_param_spec_boolean ("takeover-available", NULL, NULL, FALSE,
                                                              G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  sync_engine_properties[PROP_LAST_CONTACT] = g_param_spec_int64 ("last-contact", NULL, NULL, 0, G_MAXINT64, 0,
                                                      G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* The writer's name while this device follows it on the local network (the venue link), else NULL. */
  sync_engine_properties[PROP_LINK_WRITER] = g_param_spec_string ("link-writer", NULL, NULL, NULL,
                                                      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  /* Why the writer this device follows cannot apply commands now ("disk-full", "cannot-save"), or NULL. */
  sync_engine_properties[PROP_WRITER_TROUBLE] = g_param_spec_string ("writer-trouble", NULL, NULL, NULL,
                                                      G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY |
                                                      G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, sync_engine_properties);

  /**
   * YataiSyncEngine::command-finished:
   * @id: the command's id
   * @refusal: (nullable): the writer's reason when it refused the command, in this device's language
   *   (yatai_store_lookup_command; the writer's words for a reason this version does not know)
   *
   * A command this follower sent came back through the log.
   */
  sync_engine_signals[COMMAND_FINISHED] = g_signal_new ("command-finished",
                                            G_TYPE_FROM_CLASS (klass),
                                            G_SIGNAL_RUN_LAST,
                                            0, NULL, NULL, NULL,
                                            G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);

  /**
   * YataiSyncEngine::caught-up:
   *
   * A follower reached the end of the log for the first time since it started: its store holds the
   * whole stall as the bucket has it.
   */
  sync_engine_signals[CAUGHT_UP] = g_signal_new ("caught-up",
                                     G_TYPE_FROM_CLASS (klass),
                                     G_SIGNAL_RUN_LAST,
                                     0, NULL, NULL, NULL,
                                     G_TYPE_NONE, 0);
}

static void
yatai_sync_engine_init (YataiSyncEngine *self)
{
  self->cancellable = g_cancellable_new ();
  self->inbox = g_ptr_array_new_with_free_func (g_free);
  self->inbox_gaps = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->inbox_skipped = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->to_delete = g_ptr_array_new_with_free_func (g_free);
  self->own_snapshots = g_array_new (FALSE, FALSE, sizeof (OwnSnapshot));
  self->evidence = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->damaged = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->restore_candidates = g_ptr_array_new_with_free_func (g_free);
  self->gap_restored_at = -1;
  self->retention_ms = RETENTION_MS;
  self->awaiting = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_queue_init (&self->sealed);
  self->transports[TRANSPORT_LINK] = sync_transport_link_new (self);
  self->transports[TRANSPORT_BUCKET] = sync_transport_bucket_new (self);
  self->poll_ms = 250;
  self->snapshot_every = SNAPSHOT_EVERY;
  self->ttl_ms = YATAI_LEASE_TTL_MS;
  self->renew_ms = YATAI_LEASE_RENEW_MS;
  self->role = YATAI_SYNC_STARTING;
  self->last_snapshot = g_get_monotonic_time ();
}

YataiSyncEngine *
yatai_sync_engine_new (YataiStore  *store,
                       YataiBucket *bucket,
                       const char  *prefix)
{
  YataiSyncEngine *self;

  g_return_val_if_fail (YATAI_IS_STORE (store), NULL);
  g_return_val_if_fail (bucket == NULL || YATAI_IS_BUCKET (bucket), NULL);
  g_return_val_if_fail (prefix != NULL && *prefix != '\0', NULL);

  self = g_object_new (YATAI_TYPE_SYNC_ENGINE, NULL);
  self->store = g_object_ref (store);
  if (bucket != NULL)
    self->bucket = g_object_ref (bucket);
  else
    {
      /* A stall without a bucket: the link is the only transport. */
      self->transports[TRANSPORT_BUCKET]->klass->free (self->transports[TRANSPORT_BUCKET]);
      self->transports[TRANSPORT_BUCKET] = NULL;
    }
  self->prefix = g_strdup (prefix);
  while (g_str_has_suffix (self->prefix, "/"))
    self->prefix[strlen (self->prefix) - 1] = '\0';
  return self;
}

void
yatai_sync_engine_start (YataiSyncEngine *self)
{
  g_return_if_fail (YATAI_IS_SYNC_ENGINE (self));
  g_return_if_fail (self->changed_id == 0);

  sync_engine_load_position (self);
  self->snapshot_seq = self->seq;
  /* Until it is known who writes, what is done here is journaled: if this device turns out to be the
   * writer it is uploaded, if not it is sent as commands. */
  yatai_store_set_journal_enabled (self->store, sync_engine_is_joined (self));
  self->changed_id = g_signal_connect_swapped (self->store, "changed", G_CALLBACK (store_changed_cb), self);
  /* Without a bucket the store says who writes: nothing to wait for. */
  if (self->bucket == NULL)
    sync_engine_link_only_begin (self);
  else
    sync_engine_go (self, PHASE_JOIN);
}

void
sync_engine_finish_stop (YataiSyncEngine *self)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->stop_task);

  self->phase = PHASE_STOPPED;
  sync_engine_reset_sealed (self);
  sync_engine_clear_transports (self);
  g_clear_handle_id (&self->timeout_id, g_source_remove);
  g_clear_handle_id (&self->stop_timeout_id, g_source_remove);
  /* Whatever is still in flight is given up: what was not uploaded stays in the outbox. */
  g_cancellable_cancel (self->cancellable);
  for (guint i = 0; i < N_LANES; i++)
    self->lanes[i].busy = FALSE;
  sync_engine_set_role (self, YATAI_SYNC_STOPPED);
  if (task != NULL)
    g_task_return_boolean (task, TRUE);
}

static gboolean
stop_deadline_cb (gpointer data)
{
  YataiSyncEngine *self = data;

  self->stop_timeout_id = 0;
  g_debug ("The stop's time is up; what was not uploaded stays in the outbox");
  sync_engine_finish_stop (self);
  return G_SOURCE_REMOVE;
}

/**
 * yatai_sync_engine_stop_async:
 *
 * A clean stop: the writer uploads what is left, a snapshot if the log grew since the last one, then
 * releases the lease so another device can take it at once. It gives up after a few seconds without the
 * network; what was not uploaded stays in the outbox for the next start. A follower just stops.
 */
void
yatai_sync_engine_stop_async (YataiSyncEngine     *self,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (YATAI_IS_SYNC_ENGINE (self));
  g_return_if_fail (self->stop_task == NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, yatai_sync_engine_stop_async);
  self->stop_task = g_steal_pointer (&task);
  self->stop_deadline = g_get_monotonic_time () + STOP_SECONDS * G_USEC_PER_SEC;
  /* The stop ends at its deadline whatever the network does: a request that hangs is cancelled. */
  self->stop_timeout_id = g_timeout_add_seconds (STOP_SECONDS, stop_deadline_cb, self);

  if (self->phase == PHASE_STOPPED)
    {
      sync_engine_finish_stop (self);
      return;
    }
  sync_engine_schedule (self, 0);
}

gboolean
yatai_sync_engine_stop_finish (YataiSyncEngine  *self,
                               GAsyncResult     *result,
                               GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * yatai_sync_engine_execute:
 * @sent: (out): %TRUE when the command went to the writer and its result is not known yet
 *
 * What a page calls to change the stall. The writer (or a device not yet connected) runs the command
 * on its store at once; a follower sends it to the writer, and "command-finished" says how it went.
 */
JsonNode *
yatai_sync_engine_execute (YataiSyncEngine  *self,
                           YataiCommand     *command,
                           gboolean         *sent,
                           GError          **error)
{
  g_autoptr(GPtrArray) outgoing = NULL;

  g_return_val_if_fail (YATAI_IS_SYNC_ENGINE (self), NULL);
  g_return_val_if_fail (YATAI_IS_COMMAND (command), NULL);

  *sent = FALSE;
  if (self->role != YATAI_SYNC_FOLLOWER)
    return yatai_store_execute (self->store, command, error);

  outgoing = sync_engine_load_outgoing (self);
  if (!sync_engine_queue_commands (self, outgoing, &command, 1, error))
    return NULL;

  g_hash_table_add (self->awaiting, g_strdup (yatai_command_get_id (command)));
  sync_engine_notify_pending (self);
  *sent = TRUE;
  sync_engine_schedule (self, 0);
  return yatai_json_node_new_object ();
}
