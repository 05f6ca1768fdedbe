/* yatai-sync-history.c: the sync engine tells the end of the log from a part of it that is gone
 *
 * A 404 on log/<seq + 1> means "nothing new yet" only if the bucket's history has not passed seq. A
 * device that was off for longer than the log's retention finds its next segment deleted, and must not
 * take that for the end: it would follow an old copy of the stall, and as the writer it would create
 * segments at positions the stall already used (create-only succeeds on a deleted name). The bucket says
 * which it is in two ways: the lease carries the log's head as its writer last renewed it, and a listing
 * shows log objects after the missing one or a snapshot at or past it. Either means "gone": the device
 * restores from the newest snapshot that checks out and follows the log from there.
 *
 * Objects at later names that are not Yatai segments (junk, a bomb, a wrong header) are not evidence: a
 * listed log object counts only once it is read and decodes as a segment at its own position. After a
 * restore made for a position, a 404 at that same position is the end whatever else the bucket holds:
 * what the newest good snapshot and the log after it say is the stall's history.
 */
#define G_LOG_DOMAIN "yatai-sync"

#include "config.h"

#include <glib/gi18n.h>

#include "yatai-refusal.h"
#include "yatai-sync-engine-private.h"

/* After this long without an answered read of the log (asleep, offline), the end is checked again. */
#define LOG_QUIET_RECHECK_US  (60 * G_USEC_PER_SEC)
/* How many later log objects are read, lowest first, to find one that is a real segment. */
#define MAX_EVIDENCE_READS    4

static void history_list_cb (GObject *source, GAsyncResult *result, gpointer user_data);
static void evidence_read_cb (GObject *source, GAsyncResult *result, gpointer user_data);

/* log/<seq + 1> is gone: restore, once for this position. */
static void
history_gone (YataiSyncEngine *self,
              gint64           position)
{
  g_autofree char *name = yatai_segment_object_name (self->prefix, YATAI_SEGMENT_LOG, position);

  g_debug ("%s is gone: restoring", name);
  self->gap_restored_at = position;
  self->end_checked = FALSE;
  sync_engine_set_error (self, _("This device was away longer than the bucket keeps the shared history; "
                                 "restoring the stall from the newest saved copy."));
  sync_engine_go (self, PHASE_RESTORE);
}

static void
history_end (YataiSyncEngine *self)
{
  self->end_checked = TRUE;
  sync_engine_log_end (self);
}

/* log/<seq + 1> answered 404. */
void
sync_engine_log_missing (YataiSyncEngine *self)
{
  gint64 position = sync_engine_next_position (self);
  gint64 now = g_get_monotonic_time ();
  gboolean quiet = self->last_log_read != 0 && now - self->last_log_read > LOG_QUIET_RECHECK_US;
  g_autofree char *prefix = NULL;

  self->last_log_read = now;

  if (self->gap_restored_at == position)
    {
      /* Restored for this very position and got no further: the good history ends here. A head
       * beyond it was not the log's, so this device's own lease stops repeating it. */
      if (self->bucket_head >= position)
        {
          g_autofree char *name = sync_engine_object_name (self, "lease");

          sync_engine_set_problem (self, name, _("The lease says the shared history goes further than any "
                                                 "saved copy in the bucket; its word was not taken."));
        }
      self->bucket_head = MIN (self->bucket_head, self->seq);
      history_end (self);
      return;
    }

  if (self->bucket_head >= position)
    {
      history_gone (self, position);
      return;
    }

  if (self->phase != PHASE_CATCH_UP && self->end_checked && !quiet)
    {
      sync_engine_log_end (self);
      return;
    }

  prefix = sync_engine_object_name (self, "");
  sync_engine_lane_start (self, LANE_READ);
  yatai_bucket_list_async (self->bucket, prefix, self->cancellable, history_list_cb, self);
}

static int
compare_seq (gconstpointer a,
             gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

static void
read_evidence (YataiSyncEngine *self)
{
  gint64 seq = g_array_index (self->evidence, gint64, 0);
  g_autofree char *name = yatai_segment_object_name (self->prefix, YATAI_SEGMENT_LOG, seq);

  sync_engine_lane_start (self, LANE_READ);
  sync_engine_read_bounded (self, name, YATAI_SEGMENT_MAX_OBJECT (YATAI_SEGMENT_LOG_MAX_RAW), evidence_read_cb);
}

static void
history_list_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  YataiSyncEngine *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) names = yatai_bucket_list_finish (YATAI_BUCKET (source), result, &error);
  gint64 position;
  gboolean snapshot_past = FALSE;

  if (sync_engine_cancelled (error))
    return;
  self->lanes[LANE_READ].busy = FALSE;
  if (names == NULL)
    {
      sync_engine_retry_later (self, LANE_READ, error);
      return;
    }
  sync_engine_contact (self);

  position = sync_engine_next_position (self);
  g_array_set_size (self->evidence, 0);
  for (guint i = 0; i < names->len; i++)
    {
      const char *name = g_ptr_array_index (names, i);
      YataiSegmentKind kind;
      gint64 seq;

      if (!g_str_has_prefix (name, self->prefix) || name[strlen (self->prefix)] != '/' ||
          !yatai_segment_parse_name (name, &kind, &seq))
        continue;
      if (kind == YATAI_SEGMENT_SNAPSHOT && seq >= position)
        snapshot_past = TRUE;
      else if (kind == YATAI_SEGMENT_LOG && seq == position)
        {
          /* Created meanwhile: read it the ordinary way. */
          sync_engine_lane_done (self, LANE_READ, 0);
          return;
        }
      else if (kind == YATAI_SEGMENT_LOG && seq > position && !sync_engine_is_damaged (self, seq))
        g_array_append_val (self->evidence, seq);
    }

  if (snapshot_past)
    {
      /* The restore reads it, and falls back to an older one if it does not check out. */
      history_gone (self, position);
      return;
    }
  if (self->evidence->len == 0)
    {
      history_end (self);
      return;
    }
  g_array_sort (self->evidence, compare_seq);
  g_array_set_size (self->evidence, MIN (self->evidence->len, MAX_EVIDENCE_READS));
  read_evidence (self);
}

static void
evidence_read_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  YataiSyncEngine *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = sync_engine_read_finish (result, NULL, &error);
  g_autoptr(YataiSegment) segment = NULL;
  gint64 seq;

  if (sync_engine_cancelled (error))
    return;
  self->lanes[LANE_READ].busy = FALSE;
  if (bytes == NULL && !sync_engine_read_is_final (error))
    {
      sync_engine_retry_later (self, LANE_READ, error);
      return;
    }
  sync_engine_contact (self);

  seq = g_array_index (self->evidence, gint64, 0);
  g_array_remove_index (self->evidence, 0);
  if (bytes != NULL)
    segment = yatai_segment_decode (bytes, seq, NULL, NULL);
  if (segment != NULL && segment->kind == YATAI_SEGMENT_LOG)
    {
      /* A real segment after the missing one: the history passed this device. */
      self->bucket_head = MAX (self->bucket_head, seq);
      history_gone (self, sync_engine_next_position (self));
      return;
    }
  if (self->evidence->len > 0)
    {
      read_evidence (self);
      return;
    }
  history_end (self);
}

/* Whether this writer may create log/<position>: never at or below what the bucket has passed. */
gboolean
sync_engine_may_write_at (YataiSyncEngine *self,
                          gint64           position)
{
  if (position > self->bucket_head)
    return TRUE;
  g_debug ("Not writing at %" G_GINT64_FORMAT ": the bucket's history reached %" G_GINT64_FORMAT,
           position, self->bucket_head);
  return FALSE;
}

/* Damaged positions: a log object that is not a Yatai segment at all (junk, too large, a header that
 * does not say its own seq, a payload that does not match its checksum) carries nothing. Every reader
 * skips it, and the writer writes the next segment after it, chained to the last good one: the chain
 * proves that nothing was skipped that mattered (a real segment skipped breaks the chain of the next,
 * and the reader restores). */

gboolean
sync_engine_segment_is_junk (const GError *error)
{
  return g_error_matches (error, YATAI_SEGMENT_ERROR, YATAI_SEGMENT_ERROR_MALFORMED) ||
         g_error_matches (error, YATAI_SEGMENT_ERROR, YATAI_SEGMENT_ERROR_CHECKSUM) ||
         g_error_matches (error, YATAI_SEGMENT_ERROR, YATAI_SEGMENT_ERROR_SEQUENCE) ||
         g_error_matches (error, YATAI_BUCKET_ERROR, YATAI_BUCKET_ERROR_TOO_LARGE);
}

gboolean
sync_engine_is_damaged (YataiSyncEngine *self,
                        gint64           position)
{
  for (guint i = 0; i < self->damaged->len; i++)
    if (g_array_index (self->damaged, gint64, i) == position)
      return TRUE;
  return FALSE;
}

/* Where the next segment is read or written: after seq, past the damaged positions. */
gint64
sync_engine_next_position (YataiSyncEngine *self)
{
  gint64 position = self->seq + 1;

  while (sync_engine_is_damaged (self, position))
    position++;
  return position;
}

void
sync_engine_skip_damaged (YataiSyncEngine *self,
                          gint64           position,
                          const char      *why)
{
  g_autofree char *name = yatai_segment_object_name (self->prefix, YATAI_SEGMENT_LOG, position);
  g_autofree char *message = g_strdup_printf (_("%s It is skipped; the history goes on after it."), why);

  g_debug ("Skipping %s: %s", name, why);
  g_array_append_val (self->damaged, position);
  sync_engine_set_problem (self, name, message);
}

/* Reads are bounded by the size the kind of object can have (YATAI_SEGMENT_MAX_OBJECT, the lease's
 * and a command's limits), so a huge object at a name Yatai reads is refused, and not asked for again. The callback gets no
 * source object: read the answer with sync_engine_read_finish(). */
typedef struct
{
  GBytes  *bytes;
  gint64   generation;
  gboolean too_large;
} ReadAnswer;

static void
read_answer_free (ReadAnswer *answer)
{
  g_clear_pointer (&answer->bytes, g_bytes_unref);
  g_free (answer);
}

/* A read of the log is hedged (GCS's advice on slow requests): when it has not answered after
 * HEDGE_MS, the same read is sent again beside it, and the first answer wins. A stalled read then holds
 * the follower back by HEDGE_MS, not by the stall; a read has no effect, so the loser is just dropped.
 * Snapshots, large and read rarely, are not hedged. */
typedef struct
{
  GTask       *task;
  YataiBucket *bucket;
  char        *name;
  gsize        max_size;
  guint        timer;
  guint        in_flight;
  gboolean     answered;
} Hedge;

static void
hedge_unref (Hedge *hedge)
{
  if (hedge->in_flight > 0 || hedge->timer != 0)
    return;
  g_clear_object (&hedge->task);
  g_clear_object (&hedge->bucket);
  g_free (hedge->name);
  g_free (hedge);
}

static void bounded_read_cb (GObject *source, GAsyncResult *result, gpointer user_data);

static void
hedge_send (Hedge *hedge)
{
  hedge->in_flight++;
  yatai_bucket_read_max_async (hedge->bucket, hedge->name, hedge->max_size, g_task_get_cancellable (hedge->task),
                               bounded_read_cb, hedge);
}

static gboolean
hedge_timeout_cb (gpointer data)
{
  Hedge *hedge = data;

  hedge->timer = 0;
  if (!hedge->answered && !g_cancellable_is_cancelled (g_task_get_cancellable (hedge->task)))
    {
      g_debug ("%s: no answer after %d ms, asked again", hedge->name, HEDGE_MS);
      hedge_send (hedge);
    }
  else
    hedge_unref (hedge);
  return G_SOURCE_REMOVE;
}

static void
bounded_read_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Hedge *hedge = user_data;
  g_autoptr(GError) error = NULL;
  ReadAnswer *answer = g_new0 (ReadAnswer, 1);

  hedge->in_flight--;
  answer->bytes = yatai_bucket_read_finish (YATAI_BUCKET (source), result, &answer->generation, &error);
  if (hedge->answered || (answer->bytes == NULL && hedge->in_flight > 0 && !sync_engine_cancelled (error)))
    {
      /* The other read answered first, or may still answer. */
      read_answer_free (answer);
      hedge_unref (hedge);
      return;
    }
  hedge->answered = TRUE;
  g_clear_handle_id (&hedge->timer, g_source_remove);
  if (answer->bytes == NULL && g_error_matches (error, YATAI_BUCKET_ERROR, YATAI_BUCKET_ERROR_TOO_LARGE))
    {
      /* Said in the engine's words, with the object's name where it is shown. */
      answer->too_large = TRUE;
      g_task_return_pointer (hedge->task, answer, (GDestroyNotify) read_answer_free);
    }
  else if (answer->bytes == NULL)
    {
      read_answer_free (answer);
      g_task_return_error (hedge->task, g_steal_pointer (&error));
    }
  else
    {
      if (g_bytes_get_size (answer->bytes) > hedge->max_size)
        {
          /* A bucket that does not bound reads itself: refused here; its generation is still told. */
          g_clear_pointer (&answer->bytes, g_bytes_unref);
          answer->too_large = TRUE;
        }
      g_task_return_pointer (hedge->task, answer, (GDestroyNotify) read_answer_free);
    }
  hedge_unref (hedge);
}

void
sync_engine_read_bounded (YataiSyncEngine     *self,
                          const char          *name,
                          gsize                max_size,
                          GAsyncReadyCallback  callback)
{
  Hedge *hedge = g_new0 (Hedge, 1);

  /* No source object: the task must not keep the engine alive once it is disposed (cancelled). */
  hedge->task = g_task_new (NULL, self->cancellable, callback, self);
  hedge->bucket = g_object_ref (self->bucket);
  hedge->name = g_strdup (name);
  hedge->max_size = max_size;
  /* The bucket refuses a larger object as soon as its size shows, without downloading the rest. */
  hedge_send (hedge);
  if (max_size <= YATAI_SEGMENT_MAX_OBJECT (YATAI_SEGMENT_LOG_MAX_RAW))
    hedge->timer = g_timeout_add (HEDGE_MS, hedge_timeout_cb, hedge);
}

GBytes *
sync_engine_read_finish (GAsyncResult  *result,
                         gint64        *generation,
                         GError       **error)
{
  ReadAnswer *answer = g_task_propagate_pointer (G_TASK (result), error);
  GBytes *bytes;

  if (answer == NULL)
    return NULL;
  bytes = g_steal_pointer (&answer->bytes);
  if (generation != NULL)
    *generation = answer->generation;
  if (answer->too_large)
    g_set_error (error, YATAI_BUCKET_ERROR, YATAI_BUCKET_ERROR_TOO_LARGE,
                 _("It is larger than any object of its kind can be."));
  read_answer_free (answer);
  return bytes;
}

/* A read that failed for the object's own sake (gone, too large): trying again changes nothing. */
gboolean
sync_engine_read_is_final (const GError *error)
{
  return g_error_matches (error, YATAI_BUCKET_ERROR, YATAI_BUCKET_ERROR_NOT_FOUND) ||
         g_error_matches (error, YATAI_BUCKET_ERROR, YATAI_BUCKET_ERROR_TOO_LARGE);
}

/* Problems stay shown (in the status and the header bar's details) until the same @where is fine
 * again, unlike a request's error, which the next answer clears. */
void
sync_engine_set_problem (YataiSyncEngine *self,
                         const char      *where,
                         const char      *message)
{
  g_autofree char *text = NULL;

  /* Translators: the first %s is the name of an object in the bucket or of a file, the second what
   * is wrong with it */
  text = g_strdup_printf (_("“%s”: %s"), where, message);
  if (g_strcmp0 (text, self->problem) == 0)
    return;
  g_message ("%s", text);
  g_free (self->problem);
  self->problem = g_steal_pointer (&text);
  g_free (self->problem_where);
  self->problem_where = g_strdup (where);
  g_object_notify_by_pspec (G_OBJECT (self), sync_engine_properties[PROP_ERROR]);
}

void
sync_engine_clear_problem (YataiSyncEngine *self,
                           const char      *where)
{
  if (self->problem == NULL || g_strcmp0 (self->problem_where, where) != 0)
    return;
  g_clear_pointer (&self->problem, g_free);
  g_clear_pointer (&self->problem_where, g_free);
  g_object_notify_by_pspec (G_OBJECT (self), sync_engine_properties[PROP_ERROR]);
}

/* Why this writer cannot apply its followers' commands now, for them to say (NULL: it can): in the
 * lease from the next renewal, made at once, and on the link to every follower there. */
static void
set_trouble (YataiSyncEngine *self,
             const char      *trouble)
{
  if (g_strcmp0 (trouble, self->trouble) == 0)
    return;
  g_free (self->trouble);
  self->trouble = g_strdup (trouble);
  g_debug ("Commands %s", trouble ? trouble : "can be applied again");
  sync_engine_link_set_trouble (self, trouble);
  if (self->phase == PHASE_WRITE)
    {
      self->renew_now = TRUE;
      sync_engine_schedule (self, 0);
    }
}

/* A follower's command could be neither applied nor refused for @error, the store's: a full disk (or
 * a file that cannot be written) at once, a busy store once it has stayed busy for BUSY_TROUBLE_MS. */
void
sync_engine_trouble_from (YataiSyncEngine *self,
                          const GError    *error)
{
  gint64 now = g_get_monotonic_time ();

  if (self->phase != PHASE_WRITE)
    return;
  if (g_error_matches (error, YATAI_STORE_ERROR, YATAI_STORE_ERROR_BUSY))
    {
      if (self->store_busy_since == 0)
        self->store_busy_since = now;
      if (now - self->store_busy_since >= (gint64) BUSY_TROUBLE_MS * 1000)
        set_trouble (self, "cannot-save");
      return;
    }
  set_trouble (self, g_strcmp0 (yatai_refusal_get_reason (error), "disk-full") == 0 ? "disk-full" : "cannot-save");
}

/* The store could not be written (a full disk): say so where the store is, and try the same step
 * again later, slower each time. Nothing in the bucket is touched on this device's account. */
void
sync_engine_store_failed (YataiSyncEngine *self,
                          Lane             lane,
                          const GError    *error)
{
  guint delay = MIN ((guint) RETRY_MIN_MS << MIN (self->store_failures, 6), RETRY_MAX_MS);

  self->store_failures++;
  sync_engine_set_problem (self, yatai_store_get_path (self->store), error->message);
  sync_engine_trouble_from (self, error);
  sync_engine_lane_done (self, lane, delay);
}

/* The store took a change again. */
void
sync_engine_store_ok (YataiSyncEngine *self)
{
  self->store_busy_since = 0;
  set_trouble (self, NULL);
  if (self->store_failures == 0)
    return;
  self->store_failures = 0;
  sync_engine_clear_problem (self, yatai_store_get_path (self->store));
}

/* An upload that reached the bucket but could not be noted in the store (a full disk): the note is
 * kept here and tried again, slower each time, before anything else is uploaded; the writer keeps
 * renewing meanwhile, and a clean stop may release the lease, since the bucket has everything. */
void
sync_engine_defer_note (YataiSyncEngine *self,
                        gint64           position,
                        gint64           through,
                        const char      *chain)
{
  self->pending_note_position = position;
  self->pending_note_through = through;
  g_free (self->pending_note_chain);
  self->pending_note_chain = g_strdup (chain);
}

gboolean
sync_engine_note_pending (YataiSyncEngine *self)
{
  return self->pending_note_position > 0;
}

/* Returns TRUE while the note is still pending (and the upload lane waits). */
gboolean
sync_engine_retry_note (YataiSyncEngine *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *seq_text = NULL;

  if (self->pending_note_position == 0)
    return FALSE;
  seq_text = g_strdup_printf ("%" G_GINT64_FORMAT, self->pending_note_position);
  {
    const char *pairs[] = { "sync_seq", seq_text, "sync_chain", self->pending_note_chain, NULL };

    if (!yatai_store_outbox_remove_through (self->store, self->pending_note_through, pairs, &error))
      {
        sync_engine_store_failed (self, LANE_UPLOAD, error);
        return TRUE;
      }
  }
  sync_engine_store_ok (self);
  self->last_upload = g_get_real_time ();
  sync_engine_advance (self, self->pending_note_position, self->pending_note_chain);
  self->pending_note_position = 0;
  g_clear_pointer (&self->pending_note_chain, g_free);
  sync_engine_notify_pending (self);
  return FALSE;
}
