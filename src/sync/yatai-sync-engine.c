/* yatai-sync-engine.c: one device's part in a stall's sync
 *
 * The engine is a loop of one bucket request at a time, on the main context: each answer decides the
 * next step (see step()). One request at a time keeps the order of things obvious (a segment is applied
 * before the next is asked for; the lease is renewed between uploads) and is fast enough: a request on
 * loopback or to GCS takes milliseconds to tens of milliseconds, and the writer batches what committed
 * while an upload was in flight into the next segment.
 *
 * This device's position in the shared history (seq, chain, epoch) is kept in local_meta and saved in
 * the same transaction as the data it describes (yatai-store-journal.h).
 */
#define G_LOG_DOMAIN "yatai-sync"

#include "config.h"

#include <glib/gi18n.h>

#include "yatai-lease.h"
#include "yatai-segment.h"
#include "yatai-store-journal.h"
#include "yatai-sync-engine.h"

#define MAX_SEGMENT_ENTRIES   500
#define SNAPSHOT_EVERY        200               /* segments, by default */
#define SNAPSHOT_MINUTES      10
#define LEASE_CHECK_MS        5000
#define INBOX_MS              1000
#define RETRY_MIN_MS          500
#define RETRY_MAX_MS          30000
#define STOP_SECONDS          5
#define RETENTION_MS          (60 * 60 * 1000)  /* keep the log of the last hour, at least */
#define RETENTION_CHECK_MS    (10 * 60 * 1000)

typedef enum
{
  PHASE_JOIN,          /* this store has not followed this prefix yet: find a snapshot */
  PHASE_LEASE,         /* read the lease and decide */
  PHASE_FOLLOW,        /* apply the log, send commands, watch the lease */
  PHASE_CLAIM,         /* write the lease to become the writer */
  PHASE_CATCH_UP,      /* the new writer applies the rest of the log */
  PHASE_MARK,          /* the new writer creates its epoch marker */
  PHASE_WRITE,         /* upload, renew, apply the inbox */
  PHASE_RESTORE,       /* the replica cannot be trusted: restore from the newest snapshot */
  PHASE_STOPPED,
} Phase;

struct _YataiSyncEngine
{
  GObject          parent_instance;

  YataiStore      *store;
  YataiBucket     *bucket;
  char            *prefix;
  GCancellable    *cancellable;
  gulong           changed_id;

  Phase            phase;
  YataiSyncRole    role;
  gboolean         online;
  char            *error;
  gboolean         busy;
  guint            timeout_id;
  guint            retry_ms;

  /* The shared history as this device has it. */
  gint64           seq;
  char            *chain;
  gint64           epoch;               /* of the last segment applied or written */
  gint64           writer_epoch;        /* the epoch this device holds the lease at */

  /* The lease. */
  YataiLeaseView   lease;
  gint64           last_lease_write;    /* monotonic, when the last successful write was sent */
  gint64           lease_write_sent;
  gboolean         takeover_requested;
  gboolean         takeover_available;
  gboolean         auto_takeover;
  gboolean         follow_only;
  gboolean         renewal_paused;
  guint            ttl_ms;
  guint            renew_ms;

  /* Timers, monotonic microseconds. */
  gint64           next_lease_check;
  gint64           next_inbox;
  gint64           last_contact;
  gint64           last_upload;          /* real time */
  gint64           last_snapshot;        /* monotonic */
  gint64           snapshot_seq;
  guint            snapshot_every;
  guint            poll_ms;

  /* Inbox work of the writer. */
  GPtrArray       *inbox;                /* names still to apply */
  GHashTable      *awaiting;             /* command ids sent, not yet seen in the log */

  GTask           *stop_task;
  gint64           stop_deadline;

  /* Retention: the snapshots this writer uploaded (seq, monotonic time), and what is left to delete. */
  GArray          *own_snapshots;
  GPtrArray       *to_delete;
  gint64           next_retention;
  guint            retention_ms;
};

typedef struct
{
  gint64 seq;
  gint64 uploaded;
} OwnSnapshot;

G_DEFINE_FINAL_TYPE (YataiSyncEngine, yatai_sync_engine, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ROLE,
  PROP_ONLINE,
  PROP_HOLDER_NAME,
  PROP_SEQ,
  PROP_PENDING,
  PROP_ERROR,
  PROP_TAKEOVER_AVAILABLE,
  PROP_LAST_CONTACT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  COMMAND_FINISHED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void step (YataiSyncEngine *self);
static void schedule (YataiSyncEngine *self, guint delay_ms);
static void finish_stop (YataiSyncEngine *self);

/* Small helpers */

static char *
object_name (YataiSyncEngine *self,
             const char      *name)
{
  return g_strconcat (self->prefix, "/", name, NULL);
}

static void
set_role (YataiSyncEngine *self,
          YataiSyncRole    role)
{
  if (self->role == role)
    return;
  self->role = role;
  g_debug ("%s: now %s", yatai_store_get_device_name (self->store),
           role == YATAI_SYNC_WRITER ? "writer" : role == YATAI_SYNC_FOLLOWER ? "follower" :
           role == YATAI_SYNC_STOPPED ? "stopped" : "starting");
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ROLE]);
}

static void
set_error (YataiSyncEngine *self,
           const char      *message)
{
  if (g_strcmp0 (self->error, message) == 0)
    return;
  if (message != NULL)
    g_debug ("%s: %s", yatai_store_get_device_name (self->store), message);
  g_free (self->error);
  self->error = g_strdup (message);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR]);
}

static void
set_takeover_available (YataiSyncEngine *self,
                        gboolean         available)
{
  if (self->takeover_available == available)
    return;
  self->takeover_available = available;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TAKEOVER_AVAILABLE]);
}

static void
notify_pending (YataiSyncEngine *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PENDING]);
}

/* A request answered: the bucket is reachable. */
static void
contact (YataiSyncEngine *self)
{
  self->last_contact = g_get_monotonic_time ();
  self->retry_ms = 0;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_CONTACT]);
  if (!self->online)
    {
      self->online = TRUE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ONLINE]);
    }
  set_error (self, NULL);
}

/* A request failed for a reason of the moment (network, the bucket busy): try again later, slower. */
static void
retry_later (YataiSyncEngine *self,
             const GError    *error)
{
  g_debug ("Will retry: %s", error->message);
  if (self->online)
    {
      self->online = FALSE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ONLINE]);
    }
  if (g_error_matches (error, YATAI_BUCKET_ERROR, YATAI_BUCKET_ERROR_DENIED))
    set_error (self, _("The bucket refused this device’s credentials."));
  else if (!g_error_matches (error, YATAI_BUCKET_ERROR, YATAI_BUCKET_ERROR_UNAVAILABLE))
    set_error (self, error->message);
  self->retry_ms = CLAMP (self->retry_ms * 2, RETRY_MIN_MS, RETRY_MAX_MS);
  schedule (self, self->retry_ms);
}

static gboolean
cancelled (const GError *error)
{
  return g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

/* Position */

static void
load_position (YataiSyncEngine *self)
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

static gboolean
is_joined (YataiSyncEngine *self)
{
  g_autofree char *joined = yatai_store_get_local (self->store, "sync_joined");

  return g_strcmp0 (joined, self->prefix) == 0;
}

/* Outgoing commands (a follower's, waiting for the inbox) are kept in local_meta, so a crash before
 * they reach the bucket loses none of them. */
static GPtrArray *
load_outgoing (YataiSyncEngine *self)
{
  g_autofree char *text = yatai_store_get_local (self->store, "sync_outgoing");
  g_autoptr(JsonNode) node = text ? json_from_string (text, NULL) : NULL;
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);

  if (node != NULL && JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        g_ptr_array_add (out, g_strdup (json_array_get_string_element (array, i)));
    }
  return out;
}

static char *
outgoing_to_json (GPtrArray *commands)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_ARRAY);
  JsonArray *array = json_array_new ();

  for (guint i = 0; i < commands->len; i++)
    json_array_add_string_element (array, g_ptr_array_index (commands, i));
  json_node_take_array (node, array);
  return json_to_string (node, FALSE);
}

static gboolean
save_outgoing (YataiSyncEngine  *self,
               GPtrArray        *commands,
               GError          **error)
{
  g_autofree char *text = outgoing_to_json (commands);

  return yatai_store_set_local (self->store, "sync_outgoing", text, error);
}

/* Scheduling */

static gboolean
timeout_cb (gpointer user_data)
{
  YataiSyncEngine *self = user_data;

  self->timeout_id = 0;
  step (self);
  return G_SOURCE_REMOVE;
}

static void
schedule (YataiSyncEngine *self,
          guint            delay_ms)
{
  if (self->phase == PHASE_STOPPED)
    return;
  g_clear_handle_id (&self->timeout_id, g_source_remove);
  if (delay_ms == 0)
    self->timeout_id = g_idle_add (timeout_cb, self);
  else
    self->timeout_id = g_timeout_add (delay_ms, timeout_cb, self);
}

static void
go (YataiSyncEngine *self,
    Phase            phase)
{
  self->phase = phase;
  schedule (self, 0);
}

static void
store_changed_cb (YataiSyncEngine *self,
                  YataiChanges    *changes)
{
  /* A commit on the writer: upload at once. */
  if (self->phase == PHASE_WRITE && !self->busy)
    schedule (self, 0);
}

/* The follower learns what became of its commands when they come back through the log. */
static void
check_awaiting (YataiSyncEngine *self)
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
      g_signal_emit (self, signals[COMMAND_FINISHED], 0, key, error ? error->message : NULL);
      g_hash_table_iter_remove (&iter);
    }
}

/* Joining: restore from the newest snapshot */

static void restore_list_cb (GObject *source, GAsyncResult *result, gpointer user_data);
static void restore_read_cb (GObject *source, GAsyncResult *result, gpointer user_data);

static void
start_restore (YataiSyncEngine *self)
{
  g_autofree char *prefix = object_name (self, "snapshot/");

  self->busy = TRUE;
  yatai_bucket_list_async (self->bucket, prefix, self->cancellable, restore_list_cb, self);
}

static void
restore_list_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  YataiSyncEngine *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) names = yatai_bucket_list_finish (YATAI_BUCKET (source), result, &error);
  const char *newest = NULL;
  gint64 newest_seq = -1;

  if (cancelled (error))
    return;
  self->busy = FALSE;
  if (names == NULL)
    {
      retry_later (self, error);
      return;
    }
  contact (self);

  for (guint i = 0; i < names->len; i++)
    {
      YataiSegmentKind kind;
      gint64 seq;

      if (yatai_segment_parse_name (g_ptr_array_index (names, i), &kind, &seq) &&
          kind == YATAI_SEGMENT_SNAPSHOT && seq > newest_seq)
        {
          newest = g_ptr_array_index (names, i);
          newest_seq = seq;
        }
    }

  if (newest == NULL)
    {
      if (self->phase == PHASE_JOIN)
        {
          /* No stall here yet: the first device to take the lease founds it. */
          go (self, PHASE_LEASE);
          return;
        }
      set_error (self, _("The bucket has no saved copy of the stall to restore from."));
      schedule (self, 2000);
      return;
    }

  self->busy = TRUE;
  yatai_bucket_read_async (self->bucket, newest, self->cancellable, restore_read_cb, self);
}

static void
restore_read_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  YataiSyncEngine *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = yatai_bucket_read_finish (YATAI_BUCKET (source), result, NULL, &error);
  g_autoptr(YataiSegment) snapshot = NULL;
  g_autoptr(GPtrArray) outgoing = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autofree char *seq_text = NULL;
  g_autofree char *epoch_text = NULL;
  g_autofree char *outgoing_text = NULL;

  if (cancelled (error))
    return;
  self->busy = FALSE;
  if (bytes == NULL)
    {
      retry_later (self, error);
      return;
    }
  contact (self);

  snapshot = yatai_segment_decode (bytes, -1, NULL, &error);
  if (snapshot == NULL || snapshot->kind != YATAI_SEGMENT_SNAPSHOT)
    {
      set_error (self, error ? error->message : _("The saved copy of the stall is damaged and was not used."));
      schedule (self, 5000);
      return;
    }

  /* Work this device did that never reached the shared history becomes commands for the writer, in the
   * same transaction as the restore, so none of it is lost whatever happens next. */
  outgoing = load_outgoing (self);
  entries = yatai_store_outbox_peek (self->store, G_MAXINT, NULL);
  for (guint i = 0; entries != NULL && i < entries->len; i++)
    {
      YataiOutboxEntry *entry = g_ptr_array_index (entries, i);

      g_ptr_array_add (outgoing, g_strdup (entry->command));
      g_hash_table_add (self->awaiting, g_strdup (entry->command_id));
    }
  outgoing_text = outgoing_to_json (outgoing);

  seq_text = g_strdup_printf ("%" G_GINT64_FORMAT, snapshot->seq);
  epoch_text = g_strdup_printf ("%" G_GINT64_FORMAT, snapshot->epoch);
  {
    const char *pairs[] = {
      "sync_joined", self->prefix,
      "sync_seq", seq_text,
      "sync_chain", snapshot->chain,
      "sync_epoch", epoch_text,
      "sync_outgoing", outgoing_text,
      NULL
    };

    if (!yatai_store_restore (self->store, snapshot->snapshot, pairs, &error))
      {
        set_error (self, error->message);
        schedule (self, 5000);
        return;
      }
  }

  g_debug ("Restored the stall at seq %" G_GINT64_FORMAT, snapshot->seq);
  yatai_store_set_journal_enabled (self->store, TRUE);
  load_position (self);
  notify_pending (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SEQ]);
  go (self, PHASE_LEASE);
}

/* The lease */

static void lease_read_cb (GObject *source, GAsyncResult *result, gpointer user_data);
static void lease_write_cb (GObject *source, GAsyncResult *result, gpointer user_data);

static void
read_lease (YataiSyncEngine *self)
{
  g_autofree char *name = object_name (self, "lease");

  self->busy = TRUE;
  self->next_lease_check = g_get_monotonic_time () + (gint64) MIN (LEASE_CHECK_MS, self->ttl_ms / 3) * 1000;
  yatai_bucket_read_async (self->bucket, name, self->cancellable, lease_read_cb, self);
}

static void
update_holder (YataiSyncEngine *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HOLDER_NAME]);
}

static void
lost_lease (YataiSyncEngine *self)
{
  g_debug ("This device is no longer the writer");
  set_role (self, YATAI_SYNC_FOLLOWER);
  self->last_lease_write = 0;

  /* Anything not uploaded was never shared: restore, and send it as commands. */
  if (yatai_store_outbox_count (self->store) > 0)
    go (self, PHASE_RESTORE);
  else
    go (self, PHASE_LEASE);
}

static void
lease_read_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  YataiSyncEngine *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  YataiLease *lease = NULL;
  gint64 generation = 0;
  gint64 now = g_get_monotonic_time ();
  YataiLeaseVerdict verdict;

  bytes = yatai_bucket_read_finish (YATAI_BUCKET (source), result, &generation, &error);
  if (cancelled (error))
    return;
  self->busy = FALSE;

  if (bytes == NULL && !g_error_matches (error, YATAI_BUCKET_ERROR, YATAI_BUCKET_ERROR_NOT_FOUND))
    {
      retry_later (self, error);
      return;
    }
  contact (self);
  g_clear_error (&error);

  if (bytes != NULL)
    {
      lease = yatai_lease_parse (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), &error);
      if (lease == NULL)
        {
          set_error (self, error->message);
          schedule (self, 5000);
          return;
        }
    }
  yatai_lease_view_update (&self->lease, lease, generation, now);
  update_holder (self);

  verdict = yatai_lease_view_verdict (&self->lease, yatai_store_get_device_id (self->store), now);
  set_takeover_available (self, verdict == YATAI_LEASE_EXPIRED);

  switch (verdict)
    {
    case YATAI_LEASE_CREATE:
    case YATAI_LEASE_CLAIM:
      if (!self->follow_only)
        {
          go (self, PHASE_CLAIM);
          return;
        }
      break;

    case YATAI_LEASE_MINE:
      if (self->phase == PHASE_WRITE)
        {
          schedule (self, 0);
          return;
        }
      /* This device held it before it stopped: carry on, once sure nothing was written since. */
      self->writer_epoch = self->lease.lease->epoch;
      go (self, PHASE_CATCH_UP);
      return;

    case YATAI_LEASE_EXPIRED:
      if (!self->follow_only && (self->auto_takeover || self->takeover_requested))
        {
          go (self, PHASE_CLAIM);
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
      lost_lease (self);
      return;
    }

  /* Not yet part of this stall, or changes made here that the stall never saw (taken while starting,
   * before this device knew another one writes): restore, and send them as commands. */
  set_role (self, YATAI_SYNC_FOLLOWER);
  if (!is_joined (self) || yatai_store_outbox_count (self->store) > 0)
    go (self, PHASE_RESTORE);
  else
    go (self, PHASE_FOLLOW);
}

static void
write_lease (YataiSyncEngine *self,
             gint64           epoch,
             gboolean         released)
{
  g_autoptr(YataiLease) lease = yatai_lease_new (yatai_store_get_device_id (self->store),
                                                 yatai_store_get_device_name (self->store),
                                                 epoch);
  g_autofree char *json = NULL;
  g_autofree char *name = object_name (self, "lease");
  g_autoptr(GBytes) bytes = NULL;

  lease->ttl_ms = self->ttl_ms;
  lease->released = released;
  lease->renewed = g_get_real_time ();
  json = yatai_lease_to_json (lease);
  bytes = g_bytes_new (json, strlen (json));

  self->busy = TRUE;
  self->lease_write_sent = g_get_monotonic_time ();
  yatai_bucket_create_async (self->bucket, name, bytes,
                             self->lease.lease ? self->lease.generation : 0,
                             self->cancellable, lease_write_cb, self);
  g_object_set_data_full (G_OBJECT (self), "lease-written", g_steal_pointer (&lease),
                          (GDestroyNotify) yatai_lease_free);
}

static void
lease_write_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  YataiSyncEngine *self = user_data;
  g_autoptr(GError) error = NULL;
  gint64 generation = 0;
  YataiLease *written;

  if (!yatai_bucket_create_finish (YATAI_BUCKET (source), result, &generation, &error))
    {
      if (cancelled (error))
        return;
      self->busy = FALSE;
      if (g_error_matches (error, YATAI_BUCKET_ERROR, YATAI_BUCKET_ERROR_PRECONDITION))
        {
          /* Someone else was faster, or took over: read again and decide again. */
          contact (self);
          if (self->phase == PHASE_WRITE)
            lost_lease (self);
          else
            go (self, PHASE_LEASE);
          return;
        }
      retry_later (self, error);
      return;
    }

  self->busy = FALSE;
  contact (self);
  written = yatai_lease_copy (g_object_get_data (G_OBJECT (self), "lease-written"));
  yatai_lease_view_update (&self->lease, written, generation, g_get_monotonic_time ());
  self->last_lease_write = self->lease_write_sent;
  update_holder (self);

  if (self->phase == PHASE_STOPPED)
    {
      /* Released on a clean stop. */
      finish_stop (self);
      return;
    }

  if (self->phase == PHASE_CLAIM)
    {
      self->takeover_requested = FALSE;
      set_takeover_available (self, FALSE);
      self->writer_epoch = written->epoch;
      go (self, PHASE_CATCH_UP);
      return;
    }

  schedule (self, 0);
}

/* Following: read log/<seq + 1> until it is not there */

static void log_read_cb (GObject *source, GAsyncResult *result, gpointer user_data);

static void
read_next_segment (YataiSyncEngine *self)
{
  g_autofree char *name = yatai_segment_object_name (self->prefix, YATAI_SEGMENT_LOG, self->seq + 1);

  self->busy = TRUE;
  yatai_bucket_read_async (self->bucket, name, self->cancellable, log_read_cb, self);
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
  g_autoptr(GBytes) bytes = yatai_bucket_read_finish (YATAI_BUCKET (source), result, NULL, &error);
  g_autoptr(YataiSegment) segment = NULL;
  g_autofree char *seq_text = NULL;
  g_autofree char *epoch_text = NULL;

  if (cancelled (error))
    return;
  self->busy = FALSE;

  if (bytes == NULL)
    {
      if (!g_error_matches (error, YATAI_BUCKET_ERROR, YATAI_BUCKET_ERROR_NOT_FOUND))
        {
          retry_later (self, error);
          return;
        }
      contact (self);

      /* The end of the log. */
      if (self->phase == PHASE_CATCH_UP)
        {
          if (is_joined (self) && self->seq > 0 && self->epoch == self->writer_epoch)
            {
              /* Restarted while still the writer, and nothing was written since: carry on. */
              yatai_store_set_journal_enabled (self->store, TRUE);
              set_role (self, YATAI_SYNC_WRITER);
              go (self, PHASE_WRITE);
            }
          else
            go (self, PHASE_MARK);
          return;
        }
      schedule (self, self->poll_ms);
      return;
    }
  contact (self);

  segment = yatai_segment_decode (bytes, self->seq + 1, self->chain, &error);
  if (segment == NULL || segment->kind != YATAI_SEGMENT_LOG)
    {
      g_debug ("Segment %" G_GINT64_FORMAT " refused: %s", self->seq + 1, error ? error->message : "kind");
      set_error (self, _("The shared history could not be read; restoring this device’s copy of the stall."));
      go (self, PHASE_RESTORE);
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
                set_error (self, error->message);
                schedule (self, 1000);
                return;
              }
          }
          load_position (self);
          g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SEQ]);
          schedule (self, 0);
          return;
        }

      /* Someone else wrote after this device's last upload while it had unsent work: it must not
       * apply history on top of changes the others never saw. */
      lost_lease (self);
      return;
    }

  if (self->role == YATAI_SYNC_WRITER && segment->epoch > self->writer_epoch)
    {
      /* A newer writer exists. */
      lost_lease (self);
      return;
    }

  seq_text = g_strdup_printf ("%" G_GINT64_FORMAT, segment->seq);
  epoch_text = g_strdup_printf ("%" G_GINT64_FORMAT, segment->epoch);
  {
    const char *pairs[] = { "sync_seq", seq_text, "sync_chain", segment->chain, "sync_epoch", epoch_text, NULL };

    if (!yatai_store_apply_changesets (self->store, segment->changesets, pairs, &error))
      {
        set_error (self, _("The shared history does not fit this device’s copy; restoring it."));
        go (self, PHASE_RESTORE);
        return;
      }
  }

  self->seq = segment->seq;
  g_free (self->chain);
  self->chain = g_strdup (segment->chain);
  self->epoch = segment->epoch;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SEQ]);
  check_awaiting (self);

  /* More may be there already. */
  schedule (self, 0);
}

/* A follower's commands go to inbox/<device>/<command id>. */

static void inbox_create_cb (GObject *source, GAsyncResult *result, gpointer user_data);

static gboolean
send_outgoing (YataiSyncEngine *self)
{
  g_autoptr(GPtrArray) outgoing = load_outgoing (self);
  g_autoptr(YataiCommand) command = NULL;
  g_autofree char *name = NULL;
  g_autofree char *relative = NULL;
  g_autoptr(GBytes) bytes = NULL;
  const char *json;

  if (outgoing->len == 0)
    return FALSE;

  json = g_ptr_array_index (outgoing, 0);
  command = yatai_command_new_from_json (json, -1, NULL);
  if (command == NULL)
    {
      /* Not ours to fix: drop what cannot be read rather than block every later command. */
      g_ptr_array_remove_index (outgoing, 0);
      save_outgoing (self, outgoing, NULL);
      return TRUE;
    }

  relative = g_strdup_printf ("inbox/%s/%s", yatai_store_get_device_id (self->store),
                              yatai_command_get_id (command));
  name = object_name (self, relative);
  bytes = g_bytes_new (json, strlen (json));
  self->busy = TRUE;
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
  g_autoptr(GPtrArray) outgoing = NULL;

  if (!yatai_bucket_create_finish (YATAI_BUCKET (source), result, NULL, &error) &&
      !g_error_matches (error, YATAI_BUCKET_ERROR, YATAI_BUCKET_ERROR_PRECONDITION))
    {
      if (cancelled (error))
        return;
      self->busy = FALSE;
      retry_later (self, error);
      return;
    }

  /* Created, or already there from an earlier try: either way it is in the inbox. */
  self->busy = FALSE;
  contact (self);
  outgoing = load_outgoing (self);
  if (outgoing->len > 0)
    g_ptr_array_remove_index (outgoing, 0);
  if (!save_outgoing (self, outgoing, &error))
    g_debug ("Outgoing commands not saved: %s", error->message);
  notify_pending (self);
  schedule (self, 0);
}

/* The writer */

/* Commands this device queued for the writer while it followed, now that it writes itself: run them
 * here. One already applied (it reached the old writer) answers as it did then. */
static gboolean
run_outgoing (YataiSyncEngine *self)
{
  g_autoptr(GPtrArray) outgoing = load_outgoing (self);
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

          if (result == NULL && g_error_matches (refusal, YATAI_STORE_ERROR, YATAI_STORE_ERROR_BUSY))
            {
              busy = TRUE;
              continue;
            }
          g_hash_table_remove (self->awaiting, yatai_command_get_id (command));
          g_signal_emit (self, signals[COMMAND_FINISHED], 0, yatai_command_get_id (command),
                         refusal ? refusal->message : NULL);
        }
      g_ptr_array_remove_index (outgoing, 0);
    }

  if (!save_outgoing (self, outgoing, &error))
    g_debug ("Outgoing commands not saved: %s", error->message);
  notify_pending (self);
  schedule (self, busy ? 500 : 0);
  return TRUE;
}

static void mark_cb (GObject *source, GAsyncResult *result, gpointer user_data);
static void upload_cb (GObject *source, GAsyncResult *result, gpointer user_data);

static GBytes *
encode_log (YataiSyncEngine  *self,
            GPtrArray        *changesets,
            char            **chain,
            GError          **error)
{
  g_autoptr(YataiSegment) segment = yatai_segment_new (YATAI_SEGMENT_LOG);
  GBytes *bytes;

  segment->epoch = self->writer_epoch;
  segment->seq = self->seq + 1;
  segment->device = g_strdup (yatai_store_get_device_id (self->store));
  segment->device_name = g_strdup (yatai_store_get_device_name (self->store));
  segment->time = g_get_real_time ();
  for (guint i = 0; changesets != NULL && i < changesets->len; i++)
    g_ptr_array_add (segment->changesets, g_bytes_ref (g_ptr_array_index (changesets, i)));

  bytes = yatai_segment_encode (segment, self->chain, error);
  if (bytes != NULL)
    *chain = g_steal_pointer (&segment->chain);
  return bytes;
}

/* The first writer of a new stall: its whole store becomes snapshot 0, the base every follower
 * restores from. Created only, so two founders cannot both succeed. */
static void found_cb (GObject *source, GAsyncResult *result, gpointer user_data);

static void
mark_epoch (YataiSyncEngine *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *chain = NULL;
  g_autofree char *name = NULL;
  g_autoptr(GBytes) bytes = NULL;

  if (!is_joined (self))
    {
      g_autoptr(GBytes) image = yatai_store_snapshot (self->store, &error);
      g_autoptr(YataiSegment) snapshot = yatai_segment_new (YATAI_SEGMENT_SNAPSHOT);

      if (image == NULL)
        {
          set_error (self, error->message);
          schedule (self, 5000);
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
      self->busy = TRUE;
      yatai_bucket_create_async (self->bucket, name, bytes, 0, self->cancellable, found_cb, self);
      return;
    }

  bytes = encode_log (self, NULL, &chain, &error);
  name = yatai_segment_object_name (self->prefix, YATAI_SEGMENT_LOG, self->seq + 1);
  self->busy = TRUE;
  g_object_set_data_full (G_OBJECT (self), "chain", g_steal_pointer (&chain), g_free);
  g_object_set_data (G_OBJECT (self), "outbox-through", GINT_TO_POINTER (0));
  yatai_bucket_create_async (self->bucket, name, bytes, 0, self->cancellable, mark_cb, self);
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
      if (cancelled (error))
        return;
      self->busy = FALSE;
      if (g_error_matches (error, YATAI_BUCKET_ERROR, YATAI_BUCKET_ERROR_PRECONDITION))
        {
          /* Another device founded this stall first: follow it. */
          contact (self);
          set_role (self, YATAI_SYNC_FOLLOWER);
          go (self, PHASE_RESTORE);
          return;
        }
      retry_later (self, error);
      return;
    }
  self->busy = FALSE;
  contact (self);

  pairs[1] = self->prefix;
  pairs[5] = yatai_segment_genesis_chain ();
  /* Everything up to now is in the snapshot: the outbox is not needed for it. */
  if (!yatai_store_outbox_remove_through (self->store, G_MAXINT64, pairs, &error))
    {
      set_error (self, error->message);
      schedule (self, 5000);
      return;
    }
  load_position (self);
  self->last_snapshot = g_get_monotonic_time ();
  self->snapshot_seq = 0;
  go (self, PHASE_MARK);
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
      if (cancelled (error))
        return;
      self->busy = FALSE;
      if (g_error_matches (error, YATAI_BUCKET_ERROR, YATAI_BUCKET_ERROR_PRECONDITION))
        {
          contact (self);
          lost_lease (self);
          return;
        }
      retry_later (self, error);
      return;
    }

  self->busy = FALSE;
  contact (self);
  {
    g_autofree char *seq_text = g_strdup_printf ("%" G_GINT64_FORMAT, self->seq + 1);
    g_autofree char *epoch_text = g_strdup_printf ("%" G_GINT64_FORMAT, self->writer_epoch);
    const char *chain = g_object_get_data (G_OBJECT (self), "chain");
    const char *pairs[] = { "sync_seq", seq_text, "sync_chain", chain, "sync_epoch", epoch_text, NULL };

    if (!yatai_store_outbox_remove_through (self->store, 0, pairs, &error))
      {
        set_error (self, error->message);
        schedule (self, 5000);
        return;
      }
  }
  load_position (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SEQ]);

  /* Only now does this device take local writes as the writer. */
  yatai_store_set_journal_enabled (self->store, TRUE);
  set_role (self, YATAI_SYNC_WRITER);
  go (self, PHASE_WRITE);
}

static gboolean
fence_ok (YataiSyncEngine *self)
{
  /* Upload only while the last successful lease write is younger than the TTL, timed from when it
   * was sent; otherwise renew first. */
  return self->last_lease_write != 0 &&
         g_get_monotonic_time () - self->last_lease_write < (gint64) self->ttl_ms * 1000;
}

static gboolean
upload (YataiSyncEngine *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) entries = yatai_store_outbox_peek (self->store, MAX_SEGMENT_ENTRIES, &error);
  g_autoptr(GPtrArray) changesets = NULL;
  g_autofree char *chain = NULL;
  g_autofree char *name = NULL;
  g_autoptr(GBytes) bytes = NULL;
  YataiOutboxEntry *last;

  if (entries == NULL || entries->len == 0)
    return FALSE;

  changesets = g_ptr_array_new ();
  for (guint i = 0; i < entries->len; i++)
    g_ptr_array_add (changesets, ((YataiOutboxEntry *) g_ptr_array_index (entries, i))->changeset);

  bytes = encode_log (self, changesets, &chain, &error);
  if (bytes == NULL)
    {
      set_error (self, error->message);
      return FALSE;
    }

  last = g_ptr_array_index (entries, entries->len - 1);
  name = yatai_segment_object_name (self->prefix, YATAI_SEGMENT_LOG, self->seq + 1);
  g_object_set_data_full (G_OBJECT (self), "chain", g_steal_pointer (&chain), g_free);
  g_object_set_data_full (G_OBJECT (self), "outbox-through", g_memdup2 (&last->id, sizeof last->id), g_free);
  self->busy = TRUE;
  yatai_bucket_create_async (self->bucket, name, bytes, 0, self->cancellable, upload_cb, self);
  return TRUE;
}

static void
upload_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  YataiSyncEngine *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *seq_text = NULL;
  const char *chain;
  gint64 through;

  if (!yatai_bucket_create_finish (YATAI_BUCKET (source), result, NULL, &error))
    {
      if (cancelled (error))
        return;
      self->busy = FALSE;
      if (g_error_matches (error, YATAI_BUCKET_ERROR, YATAI_BUCKET_ERROR_PRECONDITION))
        {
          /* This seq exists: this device's own upload whose answer was lost (a retry after a
           * dropped connection), or another device's, and then this one is no longer the writer.
           * Reading it tells which. */
          contact (self);
          go (self, PHASE_CATCH_UP);
          return;
        }
      retry_later (self, error);
      return;
    }

  self->busy = FALSE;
  contact (self);

  chain = g_object_get_data (G_OBJECT (self), "chain");
  through = *(gint64 *) g_object_get_data (G_OBJECT (self), "outbox-through");
  seq_text = g_strdup_printf ("%" G_GINT64_FORMAT, self->seq + 1);
  {
    const char *pairs[] = { "sync_seq", seq_text, "sync_chain", chain, NULL };

    if (!yatai_store_outbox_remove_through (self->store, through, pairs, &error))
      {
        set_error (self, error->message);
        schedule (self, 1000);
        return;
      }
  }

  self->seq++;
  g_free (self->chain);
  self->chain = g_strdup (chain);
  self->last_upload = g_get_real_time ();
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SEQ]);
  notify_pending (self);
  schedule (self, 0);
}

/* Snapshots, every SNAPSHOT_EVERY segments or SNAPSHOT_MINUTES, and on a clean stop. */
static void snapshot_cb (GObject *source, GAsyncResult *result, gpointer user_data);

static gboolean
snapshot_due (YataiSyncEngine *self)
{
  if (self->seq <= self->snapshot_seq)
    return FALSE;
  return self->seq - self->snapshot_seq >= self->snapshot_every ||
         g_get_monotonic_time () - self->last_snapshot > (gint64) SNAPSHOT_MINUTES * 60 * G_USEC_PER_SEC;
}

static void
upload_snapshot (YataiSyncEngine *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) image = NULL;
  g_autoptr(YataiSegment) snapshot = yatai_segment_new (YATAI_SEGMENT_SNAPSHOT);
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *name = NULL;

  /* The store holds exactly the history up to self->seq: the outbox is empty when this runs. */
  image = yatai_store_snapshot (self->store, &error);
  if (image == NULL)
    {
      set_error (self, error->message);
      self->last_snapshot = g_get_monotonic_time ();
      schedule (self, 0);
      return;
    }
  snapshot->epoch = self->writer_epoch;
  snapshot->seq = self->seq;
  snapshot->device = g_strdup (yatai_store_get_device_id (self->store));
  snapshot->device_name = g_strdup (yatai_store_get_device_name (self->store));
  snapshot->time = g_get_real_time ();
  snapshot->snapshot = g_steal_pointer (&image);
  bytes = yatai_segment_encode (snapshot, self->chain, &error);
  name = yatai_segment_object_name (self->prefix, YATAI_SEGMENT_SNAPSHOT, self->seq);

  self->busy = TRUE;
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
      if (cancelled (error))
        return;
      self->busy = FALSE;
      self->snapshot_seq = 0;
      retry_later (self, error);
      return;
    }
  self->busy = FALSE;
  contact (self);
  self->last_snapshot = g_get_monotonic_time ();
  {
    OwnSnapshot own = { self->snapshot_seq, self->last_snapshot };
    g_array_append_val (self->own_snapshots, own);
  }
  schedule (self, 0);
}

/* Retention (SYNC.md): old log segments and snapshots go, but never a log segment of the last hour or
 * after the snapshot it is cut at. The cut is a snapshot this writer uploaded at least an hour ago by
 * its own monotonic clock: every segment up to it was created before it, so is older than an hour, and
 * no other device's clock is trusted for that. */
static void retention_list_cb (GObject *source, GAsyncResult *result, gpointer user_data);
static void retention_delete_cb (GObject *source, GAsyncResult *result, gpointer user_data);

static gint64
retention_cut (YataiSyncEngine *self,
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

static void
start_retention (YataiSyncEngine *self)
{
  self->next_retention = g_get_monotonic_time () + (gint64) RETENTION_CHECK_MS * 1000;
  self->busy = TRUE;
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
  if (cancelled (error))
    return;
  cut = retention_cut (self, g_get_monotonic_time ());
  self->busy = FALSE;
  if (names == NULL)
    {
      retry_later (self, error);
      return;
    }
  contact (self);

  for (guint i = 0; cut > 0 && i < names->len; i++)
    {
      const char *name = g_ptr_array_index (names, i);
      YataiSegmentKind kind;
      gint64 seq;

      /* Only this stall's own objects, directly under its prefix. */
      if (!g_str_has_prefix (name, self->prefix) || name[strlen (self->prefix)] != '/' ||
          !yatai_segment_parse_name (name, &kind, &seq))
        continue;
      if ((kind == YATAI_SEGMENT_LOG && seq <= cut) || (kind == YATAI_SEGMENT_SNAPSHOT && seq < cut))
        g_ptr_array_add (self->to_delete, g_strdup (name));
    }
  g_debug ("Retention: %u objects to delete, up to seq %" G_GINT64_FORMAT, self->to_delete->len, cut);
  schedule (self, 0);
}

static void
delete_next_old (YataiSyncEngine *self)
{
  self->busy = TRUE;
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
      if (cancelled (error))
        return;
      self->busy = FALSE;
      retry_later (self, error);
      return;
    }
  self->busy = FALSE;
  contact (self);
  g_ptr_array_remove_index (self->to_delete, 0);
  schedule (self, 0);
}

/* The inbox: list, then for each command read, apply, delete. */
static void inbox_list_cb (GObject *source, GAsyncResult *result, gpointer user_data);
static void inbox_read_cb (GObject *source, GAsyncResult *result, gpointer user_data);
static void inbox_delete_cb (GObject *source, GAsyncResult *result, gpointer user_data);

static void
list_inbox (YataiSyncEngine *self)
{
  g_autofree char *prefix = object_name (self, "inbox/");

  self->busy = TRUE;
  self->next_inbox = g_get_monotonic_time () + INBOX_MS * 1000;
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

  if (cancelled (error))
    return;
  self->busy = FALSE;
  if (names == NULL)
    {
      retry_later (self, error);
      return;
    }
  contact (self);

  for (guint i = 0; i < names->len; i++)
    g_ptr_array_add (self->inbox, g_strdup (g_ptr_array_index (names, i)));
  schedule (self, 0);
}

static void
apply_next_inbox (YataiSyncEngine *self)
{
  const char *name = g_ptr_array_index (self->inbox, 0);

  self->busy = TRUE;
  yatai_bucket_read_async (self->bucket, name, self->cancellable, inbox_read_cb, self);
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

  bytes = yatai_bucket_read_finish (YATAI_BUCKET (source), result, &generation, &error);
  if (cancelled (error))
    return;
  self->busy = FALSE;

  name = g_strdup (g_ptr_array_index (self->inbox, 0));
  if (bytes == NULL)
    {
      if (g_error_matches (error, YATAI_BUCKET_ERROR, YATAI_BUCKET_ERROR_NOT_FOUND))
        {
          g_ptr_array_remove_index (self->inbox, 0);
          schedule (self, 0);
          return;
        }
      retry_later (self, error);
      return;
    }
  contact (self);

  command = yatai_command_new_from_json (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), &error);
  if (command != NULL)
    {
      /* The same operation the writer's own pages use, checks included; applied once whatever
       * happens to the inbox object (its id is recorded in the same transaction). */
      g_clear_error (&error);
      outcome = yatai_store_execute (self->store, command, &error);
      if (outcome == NULL && g_error_matches (error, YATAI_STORE_ERROR, YATAI_STORE_ERROR_BUSY))
        {
          schedule (self, 500);
          return;
        }
      if (outcome == NULL)
        g_debug ("Command %s refused: %s", yatai_command_get_id (command), error->message);
    }
  else
    g_debug ("Inbox object %s is not a command: %s", name, error->message);

  self->busy = TRUE;
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
      if (cancelled (error))
        return;
      self->busy = FALSE;
      retry_later (self, error);
      return;
    }
  self->busy = FALSE;
  contact (self);
  if (self->inbox->len > 0)
    g_ptr_array_remove_index (self->inbox, 0);
  schedule (self, 0);
}

/* The loop */

static void
step (YataiSyncEngine *self)
{
  gint64 now = g_get_monotonic_time ();

  if (self->busy)
    return;

  switch (self->phase)
    {
    case PHASE_JOIN:
      if (is_joined (self))
        go (self, PHASE_LEASE);
      else
        start_restore (self);
      return;

    case PHASE_RESTORE:
      start_restore (self);
      return;

    case PHASE_LEASE:
      read_lease (self);
      return;

    case PHASE_CLAIM:
      write_lease (self, (self->lease.lease ? self->lease.lease->epoch : 0) + 1, FALSE);
      return;

    case PHASE_CATCH_UP:
      read_next_segment (self);
      return;

    case PHASE_MARK:
      mark_epoch (self);
      return;

    case PHASE_FOLLOW:
      if (send_outgoing (self))
        return;
      if (now >= self->next_lease_check || self->takeover_requested)
        {
          read_lease (self);
          return;
        }
      read_next_segment (self);
      return;

    case PHASE_WRITE:
      if (self->stop_task != NULL)
        {
          if (now > self->stop_deadline)
            finish_stop (self);
          else if (!fence_ok (self))
            write_lease (self, self->writer_epoch, FALSE);
          else if (upload (self))
            ;
          else if (self->seq > self->snapshot_seq)
            upload_snapshot (self);
          else
            {
              self->phase = PHASE_STOPPED;
              write_lease (self, self->writer_epoch, TRUE);
            }
          return;
        }
      if (!self->renewal_paused &&
          (self->last_lease_write == 0 || now - self->last_lease_write >= (gint64) self->renew_ms * 1000))
        {
          write_lease (self, self->writer_epoch, FALSE);
          return;
        }
      if (!fence_ok (self))
        {
          /* Cannot renew (paused, or the network is down): upload nothing until a renewal succeeds. */
          schedule (self, 1000);
          return;
        }
      if (run_outgoing (self))
        return;
      if (upload (self))
        return;
      if (self->inbox->len > 0)
        {
          apply_next_inbox (self);
          return;
        }
      if (now >= self->next_inbox)
        {
          list_inbox (self);
          return;
        }
      if (snapshot_due (self))
        {
          upload_snapshot (self);
          return;
        }
      if (self->to_delete->len > 0 && fence_ok (self))
        {
          delete_next_old (self);
          return;
        }
      if (now >= self->next_retention && retention_cut (self, now) > 0)
        {
          start_retention (self);
          return;
        }
      schedule (self, MIN (INBOX_MS, self->renew_ms));
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
  g_hash_table_unref (self->awaiting);
  g_array_unref (self->own_snapshots);
  g_ptr_array_unref (self->to_delete);

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
      g_value_set_string (value, self->error);
      break;
    case PROP_TAKEOVER_AVAILABLE:
      g_value_set_boolean (value, self->takeover_available);
      break;
    case PROP_LAST_CONTACT:
      g_value_set_int64 (value, self->last_contact);
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

  properties[PROP_ROLE] = g_param_spec_int ("role", NULL, NULL, 0, YATAI_SYNC_STOPPED, 0,
                                            G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ONLINE] = g_param_spec_boolean ("online", NULL, NULL, FALSE,
                                                  G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_HOLDER_NAME] = g_param_spec_string ("holder-name", NULL, NULL, NULL,
                                                      G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SEQ] = g_param_spec_int64 ("seq", NULL, NULL, 0, G_MAXINT64, 0,
                                             G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PENDING] = g_param_spec_int64 ("pending", NULL, NULL, 0, G_MAXINT64, 0,
                                                 G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ERROR] = g_param_spec_string ("error", NULL, NULL, NULL,
                                                G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TAKEOVER_AVAILABLE] = g_param_spec_boolean ("takeover-available", NULL, NULL, FALSE,
                                                              G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LAST_CONTACT] = g_param_spec_int64 ("last-contact", NULL, NULL, 0, G_MAXINT64, 0,
                                                      G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * YataiSyncEngine::command-finished:
   * @id: the command's id
   * @refusal: (nullable): the writer's reason, in words, when it refused the command
   *
   * A command this follower sent came back through the log.
   */
  signals[COMMAND_FINISHED] = g_signal_new ("command-finished",
                                            G_TYPE_FROM_CLASS (klass),
                                            G_SIGNAL_RUN_LAST,
                                            0, NULL, NULL, NULL,
                                            G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);
}

static void
yatai_sync_engine_init (YataiSyncEngine *self)
{
  self->cancellable = g_cancellable_new ();
  self->inbox = g_ptr_array_new_with_free_func (g_free);
  self->to_delete = g_ptr_array_new_with_free_func (g_free);
  self->own_snapshots = g_array_new (FALSE, FALSE, sizeof (OwnSnapshot));
  self->retention_ms = RETENTION_MS;
  self->awaiting = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
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
  g_return_val_if_fail (YATAI_IS_BUCKET (bucket), NULL);
  g_return_val_if_fail (prefix != NULL && *prefix != '\0', NULL);

  self = g_object_new (YATAI_TYPE_SYNC_ENGINE, NULL);
  self->store = g_object_ref (store);
  self->bucket = g_object_ref (bucket);
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

  load_position (self);
  self->snapshot_seq = self->seq;
  /* Until it is known who writes, what is done here is journaled: if this device turns out to be the
   * writer it is uploaded, if not it is sent as commands. */
  yatai_store_set_journal_enabled (self->store, is_joined (self));
  self->changed_id = g_signal_connect_swapped (self->store, "changed", G_CALLBACK (store_changed_cb), self);
  go (self, PHASE_JOIN);
}

static void
finish_stop (YataiSyncEngine *self)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->stop_task);

  self->phase = PHASE_STOPPED;
  g_clear_handle_id (&self->timeout_id, g_source_remove);
  g_cancellable_cancel (self->cancellable);
  self->busy = FALSE;
  set_role (self, YATAI_SYNC_STOPPED);
  if (task != NULL)
    g_task_return_boolean (task, TRUE);
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

  if (self->phase != PHASE_WRITE)
    {
      finish_stop (self);
      return;
    }
  if (!self->busy)
    schedule (self, 0);
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

  yatai_command_set_device (command, yatai_store_get_device_id (self->store));
  outgoing = load_outgoing (self);
  g_ptr_array_add (outgoing, yatai_command_to_json (command));
  if (!save_outgoing (self, outgoing, error))
    return NULL;

  g_hash_table_add (self->awaiting, g_strdup (yatai_command_get_id (command)));
  notify_pending (self);
  *sent = TRUE;
  if (!self->busy)
    schedule (self, 0);
  return yatai_json_node_new_object ();
}

/* A person confirmed: make this device the writer once the lease is expired. */
void
yatai_sync_engine_take_over (YataiSyncEngine *self)
{
  g_return_if_fail (YATAI_IS_SYNC_ENGINE (self));
  self->takeover_requested = TRUE;
  if (!self->busy)
    schedule (self, 0);
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

const char *
yatai_sync_engine_get_holder_name (YataiSyncEngine *self)
{
  g_return_val_if_fail (YATAI_IS_SYNC_ENGINE (self), NULL);
  return self->lease.lease ? self->lease.lease->device_name : NULL;
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
  outgoing = load_outgoing (self);
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

gboolean
yatai_sync_engine_get_takeover_available (YataiSyncEngine *self)
{
  g_return_val_if_fail (YATAI_IS_SYNC_ENGINE (self), FALSE);
  return self->takeover_available;
}

const char *
yatai_sync_engine_get_error (YataiSyncEngine *self)
{
  g_return_val_if_fail (YATAI_IS_SYNC_ENGINE (self), NULL);
  return self->error;
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
  if (!self->busy)
    schedule (self, 0);
}
