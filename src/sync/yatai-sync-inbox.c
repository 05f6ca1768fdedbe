/* yatai-sync-inbox.c: the writer applies the followers' commands from the bucket's inbox
 *
 * List inbox/, put each device's commands in the order it made them (waiting a while for a gap), then
 * for each one read it, apply it as the same business operation the pages use, record it and delete
 * it. The commands that come over the venue link are run in yatai-sync-link.c.
 */
#define G_LOG_DOMAIN "yatai-sync"

#include "config.h"

#include <glib/gi18n.h>

#include "yatai-sync-engine-private.h"

/* The inbox: list, then for each command read, apply, delete. */
static void inbox_list_cb (GObject *source, GAsyncResult *result, gpointer user_data);
static void inbox_read_cb (GObject *source, GAsyncResult *result, gpointer user_data);
static void inbox_delete_cb (GObject *source, GAsyncResult *result, gpointer user_data);

/* inbox/<device>/<counter, 20 digits>-<command id>: the device and its counter (0 for a name without
 * one, as older followers sent). FALSE for a name that is not a command's. */
gboolean
sync_engine_parse_inbox_name (YataiSyncEngine  *self,
                              const char       *name,
                              char            **device,
                              gint64           *counter)
{
  g_autofree char *prefix = sync_engine_object_name (self, "inbox/");
  const char *rest, *slash;

  if (!g_str_has_prefix (name, prefix))
    return FALSE;
  rest = name + strlen (prefix);
  slash = strchr (rest, '/');
  if (slash == NULL || slash == rest || slash[1] == '\0' || strchr (slash + 1, '/') != NULL)
    return FALSE;
  *device = g_strndup (rest, slash - rest);
  *counter = 0;
  if (strlen (slash + 1) > INBOX_COUNTER_DIGITS && slash[1 + INBOX_COUNTER_DIGITS] == '-')
    {
      g_autofree char *digits = g_strndup (slash + 1, INBOX_COUNTER_DIGITS);
      guint64 value;

      if (g_ascii_string_to_unsigned (digits, 10, 1, G_MAXINT64, &value, NULL))
        *counter = (gint64) value;
    }
  return TRUE;
}

/* The listing is in name order, so each device's commands come together, in the order it made them.
 * The writer applies them in that order and never past a gap: when counter N + 1 is there and N is not
 * (nor applied), it waits. A device creates its commands one after the other and a listing is
 * strongly consistent, so a gap that stays means that command is not coming (deleted by hand, an
 * object that could not be read): after INBOX_GAP_MS the writer goes on, so one lost command cannot
 * stop the device's later ones for ever. */
static void
order_inbox (YataiSyncEngine *self,
             GPtrArray       *names)
{
  g_autofree char *blocked = NULL;
  g_autofree char *current = NULL;
  gint64 expected = 0;
  gint64 now = g_get_monotonic_time ();

  for (guint i = 0; i < names->len; i++)
    {
      const char *name = g_ptr_array_index (names, i);
      g_autofree char *device = NULL;
      gint64 counter;
      Gap *gap;

      if (!sync_engine_parse_inbox_name (self, name, &device, &counter))
        continue;
      if (counter == 0)
        {
          g_ptr_array_add (self->inbox, g_strdup (name));
          continue;
        }
      if (g_strcmp0 (device, blocked) == 0)
        continue;
      if (g_strcmp0 (device, current) != 0)
        {
          gint64 *skipped = g_hash_table_lookup (self->inbox_skipped, device);

          g_free (current);
          current = g_strdup (device);
          expected = MAX (yatai_store_get_command_counter (self->store, device), skipped ? *skipped : 0) + 1;
        }
      if (counter < expected)
        {
          /* Applied before (its object not yet deleted), or sent again: applying answers as the first
           * time did, by its id. */
          g_ptr_array_add (self->inbox, g_strdup (name));
          continue;
        }
      gap = g_hash_table_lookup (self->inbox_gaps, device);
      if (counter > expected)
        {
          if (gap == NULL || gap->expected != expected)
            {
              gap = g_new (Gap, 1);
              gap->expected = expected;
              gap->since = now;
              g_hash_table_insert (self->inbox_gaps, g_strdup (device), gap);
            }
          if (now - gap->since < (gint64) INBOX_GAP_MS * 1000)
            {
              g_debug ("Inbox: %s's command %" G_GINT64_FORMAT " is not there yet; waiting", device, expected);
              g_free (blocked);
              blocked = g_strdup (device);
              self->next_inbox = MIN (self->next_inbox, now + INBOX_FAST_MS * 1000);
              continue;
            }
          g_message ("Inbox: %s's commands %" G_GINT64_FORMAT " to %" G_GINT64_FORMAT " never came; going on",
                     device, expected, counter - 1);
        }
      g_hash_table_remove (self->inbox_gaps, device);
      g_ptr_array_add (self->inbox, g_strdup (name));
      expected = counter + 1;
    }
}

void
sync_engine_list_inbox (YataiSyncEngine *self)
{
  g_autofree char *prefix = sync_engine_object_name (self, "inbox/");

  sync_engine_lane_start (self, LANE_READ);
  /* Often while followers send commands (one came within INBOX_ACTIVE_MS), about once a second else. */
  self->next_inbox = g_get_monotonic_time () +
                     (self->inbox_last_seen != 0 &&
                      g_get_monotonic_time () - self->inbox_last_seen < (gint64) INBOX_ACTIVE_MS * 1000
                        ? INBOX_FAST_MS : INBOX_MS) * 1000;
  yatai_bucket_list_async (self->bucket, prefix, self->cancellable, inbox_list_cb, self);
}

static void
inbox_list_cb (GObject      *source,
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
  if (names->len > 0)
    self->inbox_last_seen = g_get_monotonic_time ();
  order_inbox (self, names);
  sync_engine_lane_done (self, LANE_READ, 0);
}

void
sync_engine_apply_next_inbox (YataiSyncEngine *self)
{
  const char *name = g_ptr_array_index (self->inbox, 0);

  sync_engine_lane_start (self, LANE_READ);
  sync_engine_read_bounded (self, name, YATAI_COMMAND_MAX_BYTES, inbox_read_cb);
}

static void
inbox_read_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  YataiSyncEngine *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(YataiCommand) command = NULL;
  g_autoptr(JsonNode) outcome = NULL;
  g_autofree char *name = NULL;
  gint64 generation = 0;

  bytes = sync_engine_read_finish (result, &generation, &error);
  if (sync_engine_cancelled (error))
    return;
  self->lanes[LANE_READ].busy = FALSE;

  name = g_strdup (g_ptr_array_index (self->inbox, 0));
  if (bytes == NULL)
    {
      if (g_error_matches (error, YATAI_BUCKET_ERROR, YATAI_BUCKET_ERROR_NOT_FOUND))
        {
          g_ptr_array_remove_index (self->inbox, 0);
          sync_engine_lane_done (self, LANE_READ, 0);
          return;
        }
      if (!g_error_matches (error, YATAI_BUCKET_ERROR, YATAI_BUCKET_ERROR_TOO_LARGE))
        {
          sync_engine_retry_later (self, LANE_READ, error);
          return;
        }
    }
  sync_engine_contact (self);

  if (bytes != NULL)
    command = yatai_command_new_from_json (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), &error);
  if (command != NULL)
    {
      /* The same operation the writer's own pages use, checks included; applied once whatever
       * happens to the inbox object (its id is recorded in the same transaction). */
      g_clear_error (&error);
      outcome = yatai_store_execute (self->store, command, &error);
      if (outcome == NULL && g_error_matches (error, YATAI_STORE_ERROR, YATAI_STORE_ERROR_BUSY))
        {
          /* Kept; busy for long, the followers are told (sync_engine_trouble_from). */
          sync_engine_trouble_from (self, error);
          sync_engine_lane_done (self, LANE_READ, 500);
          return;
        }
      if (outcome == NULL && g_error_matches (error, YATAI_STORE_ERROR, YATAI_STORE_ERROR_IO))
        {
          /* Neither applied nor refused (a full disk): the command stays in the inbox for later. */
          sync_engine_store_failed (self, LANE_READ, error);
          return;
        }
      sync_engine_store_ok (self);
      if (outcome == NULL)
        g_debug ("Command %s refused: %s", yatai_command_get_id (command), error->message);
      /* One this device sent while it followed, and now applies itself: its answer is known here. */
      if (g_hash_table_remove (self->awaiting, yatai_command_get_id (command)))
        {
          g_signal_emit (self, sync_engine_signals[COMMAND_FINISHED], 0, yatai_command_get_id (command),
                         outcome == NULL ? error->message : NULL);
          sync_engine_notify_pending (self);
        }
    }
  else
    {
      g_autofree char *device = NULL;
      gint64 counter = 0;

      /* Not a command (or far too large to be one): said, and deleted, so it blocks nothing. Its
       * place is taken all the same, so the device's next command does not wait for it. */
      g_debug ("Inbox object %s is not a command: %s", name, error->message);
      sync_engine_set_problem (self, name, _("This is not a command of a Yatai device; it was deleted."));
      if (sync_engine_parse_inbox_name (self, name, &device, &counter) && counter > 0)
        g_hash_table_insert (self->inbox_skipped, g_steal_pointer (&device), g_memdup2 (&counter, sizeof counter));
    }

  sync_engine_lane_start (self, LANE_READ);
  yatai_bucket_delete_async (self->bucket, name, generation, self->cancellable, inbox_delete_cb, self);
}

static void
inbox_delete_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  YataiSyncEngine *self = user_data;
  g_autoptr(GError) error = NULL;

  if (!yatai_bucket_delete_finish (YATAI_BUCKET (source), result, &error) &&
      !g_error_matches (error, YATAI_BUCKET_ERROR, YATAI_BUCKET_ERROR_NOT_FOUND) &&
      !g_error_matches (error, YATAI_BUCKET_ERROR, YATAI_BUCKET_ERROR_PRECONDITION))
    {
      sync_engine_request_failed (self, LANE_READ, error);
      return;
    }
  self->lanes[LANE_READ].busy = FALSE;
  sync_engine_contact (self);
  if (self->inbox->len > 0)
    g_ptr_array_remove_index (self->inbox, 0);
  sync_engine_lane_done (self, LANE_READ, 0);
}
