/* yatai-sync-transport.c: the engine asks its transports (yatai-sync-transport.h) in turn
 *
 * Where a sealed segment goes (every transport), whether segments come without asking, where the
 * writer may be reached, and where a follower's command goes (the first transport that takes it) and
 * how its delivery ends, whichever transport took it. The phases that ask the transports to follow,
 * write and drain are in yatai-sync-engine.c.
 */
#define G_LOG_DOMAIN "yatai-sync"

#include "config.h"

#include "yatai-refusal.h"
#include "yatai-sync-engine-private.h"

/* The writer sealed a segment: every transport carries the same bytes. */
void
sync_engine_publish (YataiSyncEngine *self,
                     gint64           seq,
                     GBytes          *bytes)
{
  for (guint i = 0; i < N_TRANSPORTS && bytes != NULL; i++)
    if (self->transports[i] != NULL && self->transports[i]->klass->publish != NULL)
      self->transports[i]->klass->publish (self->transports[i], seq, bytes);
}

/* Whether some transport brings new segments without being asked, so the others need be asked only
 * now and then. */
gboolean
sync_engine_segments_pushed (YataiSyncEngine *self)
{
  for (guint i = 0; i < N_TRANSPORTS; i++)
    if (self->transports[i] != NULL && self->transports[i]->klass->pushes != NULL &&
        self->transports[i]->klass->pushes (self->transports[i]))
      return TRUE;
  return FALSE;
}

/* Where followers may reach this writer, for the lease. */
char **
sync_engine_transport_addresses (YataiSyncEngine *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; i < N_TRANSPORTS; i++)
    if (self->transports[i] != NULL && self->transports[i]->klass->addresses != NULL)
      {
        g_auto(GStrv) addresses = self->transports[i]->klass->addresses (self->transports[i]);

        if (addresses != NULL)
          g_strv_builder_addv (builder, (const char **) addresses);
      }
  return g_strv_builder_end (builder);
}

/* Connections let go of, and what was received: a stop, the engine's dispose. */
void
sync_engine_clear_transports (YataiSyncEngine *self)
{
  for (guint i = 0; i < N_TRANSPORTS; i++)
    if (self->transports[i] != NULL && self->transports[i]->klass->clear != NULL)
      self->transports[i]->klass->clear (self->transports[i]);
}

/* A follower's first outgoing command goes to the first transport that takes it. */
gboolean
sync_engine_send_outgoing (YataiSyncEngine *self)
{
  g_autoptr(GPtrArray) outgoing = sync_engine_load_outgoing (self);
  g_autoptr(YataiCommand) command = NULL;
  const char *json;

  if (outgoing->len == 0)
    return FALSE;

  json = g_ptr_array_index (outgoing, 0);
  command = yatai_command_new_from_json (json, -1, NULL);
  if (command == NULL)
    {
      /* Not ours to fix: drop what cannot be read rather than block every later command. */
      g_ptr_array_remove_index (outgoing, 0);
      sync_engine_save_outgoing (self, outgoing, NULL);
      sync_engine_schedule (self, 0);
      return TRUE;
    }

  for (guint i = 0; i < N_TRANSPORTS; i++)
    if (self->transports[i] != NULL && self->transports[i]->klass->send_command != NULL &&
        self->transports[i]->klass->send_command (self->transports[i], command, json))
      return TRUE;
  return FALSE;
}

/* The writer answered the command @id with @refusal over the link. Its segment came first, so the
 * refusal is normally told from the record (sync_engine_check_awaiting); a writer older than the
 * recording of unknown operations answers one without recording it, so the answer is all there is:
 * said here, naming the writer (its "unknown-operation" says "this device" for itself). */
void
sync_engine_command_refused (YataiSyncEngine *self,
                             const char      *id,
                             const GError    *refusal,
                             const char      *writer)
{
  g_autofree char *said = NULL;

  sync_engine_check_awaiting (self);
  if (!g_hash_table_contains (self->awaiting, id))
    return;
  if (g_strcmp0 (yatai_refusal_get_reason (refusal), "unknown-operation") == 0 && writer != NULL)
    {
      g_autoptr(JsonObject) values = json_object_new ();
      JsonObject *given = yatai_refusal_get_values (refusal);

      json_object_set_string_member (values, "writer", writer);
      json_object_set_string_member (values, "kind",
                                     given ? json_object_get_string_member_with_default (given, "kind", "") : "");
      said = yatai_refusal_render ("older-writer", values);
    }
  g_signal_emit (self, sync_engine_signals[COMMAND_FINISHED], 0, id, said ? said : refusal->message);
  g_hash_table_remove (self->awaiting, id);
}

/* The first outgoing command reached the writer (the inbox has it, or the writer answered it over the
 * link): it is no longer this device's to send. Ends the upload lane's request.
 * Over the link the segment that records the command was applied before its answer came, so its
 * result is told first: the staff's screen does not wait for this device's own write (an fsync) of
 * what is left to send. Were the device to stop before that write, the command would be sent again at
 * the next start and the writer would know it by its counter. */
void
sync_engine_command_delivered (YataiSyncEngine *self)
{
  g_autoptr(GPtrArray) outgoing = NULL;
  g_autoptr(GError) error = NULL;

  sync_engine_check_awaiting (self);
  outgoing = sync_engine_load_outgoing (self);
  if (outgoing->len > 0)
    g_ptr_array_remove_index (outgoing, 0);
  if (!sync_engine_save_outgoing (self, outgoing, &error))
    g_debug ("Outgoing commands not saved: %s", error->message);
  sync_engine_notify_pending (self);
  sync_engine_lane_done (self, LANE_UPLOAD, 0);
}
