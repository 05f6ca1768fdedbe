/* yatai-sync-engine-private.h: what the parts of the sync engine share
 *
 * The engine is one object whose work is split by responsibility: yatai-sync-engine.c (the loop, the
 * helpers, the GObject), yatai-sync-lease-keeper.c (reading, renewing and taking the lease),
 * yatai-sync-follow.c (restoring and following the log, sending commands) and yatai-sync-write.c
 * (uploading, the epoch marker, snapshots, retention and the inbox). Where segments and commands travel
 * is behind one table (yatai-sync-transport.h), which the bucket (yatai-sync-bucket.c) and the venue
 * link (yatai-sync-link.c) fill in. Nothing here is public.
 */
#pragma once

#include "yatai-lease.h"
#include "yatai-segment.h"
#include "yatai-store-journal.h"
#include "yatai-sync-engine.h"
#include "yatai-sync-transport.h"

G_BEGIN_DECLS


#define MAX_SEGMENT_ENTRIES   500
#define SNAPSHOT_EVERY        200               /* segments, by default */
#define SNAPSHOT_MINUTES      10
#define LEASE_CHECK_MS        5000
#define HEDGE_MS              500               /* a log read not answered by then is sent again */
#define INBOX_MS              1000
#define INBOX_FAST_MS         100               /* while followers send commands */
#define INBOX_ACTIVE_MS       (5 * 60 * 1000)   /* ...that is, one came within the last 5 minutes */
#define AWAITING_POLL_MS      50                /* a follower waiting for its commands' answer */
#define INBOX_GAP_MS          5000              /* how long a missing command is waited for */
#define BUSY_TROUBLE_MS       2000              /* a store busy this long is told to the followers */
#define INBOX_COUNTER_DIGITS  20
#define RETRY_MIN_MS          500
#define RETRY_MAX_MS          30000
#define SETTINGS_RETRY_MS     30000             /* after a setting to fix: no bucket, credentials, a role */
#define STOP_SECONDS          5
#define RETENTION_MS          (60 * 60 * 1000)  /* keep the log of the last hour, at least */
#define RETENTION_CHECK_MS    (10 * 60 * 1000)
#define HANDOVER_CHECK_MS     1000              /* the writer reads the handover request this often */
#define HANDOVER_POLL_MS      200               /* a device that asked for the lease reads it this often... */
#define HANDOVER_WAIT_MS      30000             /* ...for this long */
#define HANDOVER_HOLD_MS      10000             /* a writer that handed over leaves the lease to the asker */

/* The engine's requests go in three lanes, each with at most one request in flight, so a stalled
 * request holds back only its own lane: the lease (renewals, checks), uploads (the writer's segments,
 * snapshots and deletes; a follower's commands to the inbox) and reads (a follower's log; the writer's
 * inbox). Phases other than FOLLOW and WRITE run one request at a time, once every lane is idle. */
typedef enum
{
  LANE_LEASE,
  LANE_UPLOAD,
  LANE_READ,
  N_LANES
} Lane;

typedef struct
{
  gboolean busy;
  gint64   not_before;     /* monotonic µs: no request in this lane before (backoff, the poll interval) */
  guint    retry_ms;
} LaneState;

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

/* What a writer without a bucket hands over: the device it gave the orders to, the position of the
 * history it stopped at and the epoch the new writer writes at. */
typedef struct
{
  char   *device;
  gint64  seq;
  char   *chain;
  gint64  epoch;
  char  **link;          /* where the new writer said it serves the link, for this device to follow it */
} YataiLinkGrant;

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
  gboolean         needs_settings;      /* the last failure was a setting to fix */
  LaneState        lanes[N_LANES];
  guint            timeout_id;
  gint64           timeout_at;          /* monotonic µs the pending timeout fires at */

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
  gboolean         renew_now;            /* what the lease says changed (the link's addresses): renew at once */
  gboolean         confirming_renewal;
  gboolean         released;             /* the clean stop wrote released: true */
  /* The preferred writer (yatai-sync-lease-keeper.c, "Handing over"). */
  gboolean         preferred;            /* "This device takes the orders" */
  gint64           handover_asked_at;    /* monotonic µs this device asked the writer for the lease; 0: not */
  gboolean         handing_over;         /* this writer finishes its uploads, then releases for the asker */
  gint64           handover_hold_until;  /* monotonic µs: a released lease is left to the asker until then */
  gint64           next_handover_check;  /* monotonic µs */  /* a 412 on a renewal: reading the lease back */
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
  GPtrArray       *inbox;                /* names still to apply, in order */
  gint64           inbox_last_seen;      /* monotonic µs, when a listing last held a command */
  GHashTable      *inbox_gaps;           /* device id → Gap: a command waited for */
  GHashTable      *inbox_skipped;        /* device id → gint64*: the counter of an unreadable object */
  GHashTable      *awaiting;             /* command ids sent, not yet seen in the log */

  GTask           *stop_task;
  gint64           stop_deadline;
  guint            stop_timeout_id;

  /* Retention: the snapshots this writer uploaded (seq, monotonic time), and what is left to delete. */
  GArray          *own_snapshots;
  GPtrArray       *to_delete;
  gint64           next_retention;
  guint            retention_ms;

  /* What the bucket's history has passed, and the objects in it that are damaged
   * (yatai-sync-history.c). */
  gint64           bucket_head;          /* the highest head a lease that followed the rules said, or a segment showed */
  gint64           lease_head_written;   /* the head in this writer's last successful lease write */
  gboolean         end_checked;          /* a listing confirmed the end of the log since the start or restore */
  gint64           gap_restored_at;      /* the position a restore was made for: a 404 there after it is the end */
  gint64           last_log_read;        /* monotonic, the last answered read of the log */
  GArray          *evidence;             /* gint64: later log positions to read to tell a gap from the end */
  GArray          *damaged;              /* gint64: log positions holding objects that are not segments */
  GPtrArray       *restore_candidates;   /* snapshot names still to try, newest first */
  guint            restore_failures;
  gint64           restore_not_before;   /* monotonic */
  guint            store_failures;       /* the store could not be written (a full disk) */
  gint64           store_busy_since;     /* monotonic: a command met a busy store since then; 0: it did not */
  char            *trouble;              /* the writer cannot apply commands: "disk-full", "cannot-save"; NULL */
  gboolean         caught_up;            /* reached the end of the log once since the start */
  char            *problem;              /* a damaged object or a full disk, in words with its name */
  char            *problem_where;
  gint64           pending_note_position; /* uploaded, not yet noted in the store (a full disk) */
  gint64           pending_note_through;
  char            *pending_note_chain;

  /* Segments the writer sealed (seq given, bytes made, pushed on the link) that the bucket does not
   * have yet, oldest first (yatai-sync-write.c). */
  GQueue           sealed;               /* Sealed* */
  gint64           sealed_seq;
  char            *sealed_chain;
  gint64           sealed_through;       /* the last outbox id in a sealed segment */

  /* Where segments come from and go to, and where commands go, asked in this order: the venue link,
   * then the bucket (yatai-sync-transport.h). */
  SyncTransport   *transports[N_TRANSPORTS];   /* the bucket's is NULL in a stall without a bucket */
  gint64           reading_seq;          /* the log seq the read lane asked the bucket for */

  /* A stall without a bucket (yatai-sync-linkonly.c): the writer's role is kept in the store, and the
   * lease moves only by the writer handing it over on the link. */
  YataiLinkGrant  *grant;                /* this device handed over and has not seen the new epoch yet */
  gboolean         asking_handover;      /* a follower asked the writer on the link; no answer yet */
  gboolean         restore_from_link;    /* the copy cannot be trusted: ask the writer for the whole stall */
  gint64           handover_not_before;  /* monotonic µs: when it may ask again */
};


typedef struct
{
  gint64  seq;
  GBytes *bytes;
  char   *chain;
  gint64  through;
  guint   n_entries;   /* how many commits it holds */
} Sealed;

typedef struct
{
  gint64 seq;
  gint64 uploaded;
} OwnSnapshot;

typedef struct
{
  gint64 expected;       /* the counter missing */
  gint64 since;          /* monotonic µs, when first missed */
} Gap;

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
  PROP_LINK_WRITER,
  PROP_WRITER_TROUBLE,
  N_PROPS
};

enum {
  COMMAND_FINISHED,
  CAUGHT_UP,
  N_SIGNALS
};

G_GNUC_INTERNAL extern GParamSpec *sync_engine_properties[N_PROPS];
G_GNUC_INTERNAL extern guint sync_engine_signals[N_SIGNALS];

G_GNUC_INTERNAL
void
sync_engine_advance (YataiSyncEngine *self,
                     gint64           seq,
                     const char      *chain);

G_GNUC_INTERNAL
gboolean
sync_engine_cancelled (const GError *error);

G_GNUC_INTERNAL
void
sync_engine_check_awaiting (YataiSyncEngine *self);

G_GNUC_INTERNAL
void
sync_engine_contact (YataiSyncEngine *self);

G_GNUC_INTERNAL
void
sync_engine_finish_stop (YataiSyncEngine *self);

G_GNUC_INTERNAL
void
sync_engine_go (YataiSyncEngine *self,
                Phase            phase);

G_GNUC_INTERNAL
gboolean
sync_engine_is_joined (YataiSyncEngine *self);

G_GNUC_INTERNAL
GPtrArray *
sync_engine_load_outgoing (YataiSyncEngine *self);

G_GNUC_INTERNAL
void
sync_engine_load_position (YataiSyncEngine *self);

G_GNUC_INTERNAL
void
sync_engine_notify_pending (YataiSyncEngine *self);

G_GNUC_INTERNAL
char *
sync_engine_object_name (YataiSyncEngine *self,
                         const char      *name);

G_GNUC_INTERNAL
char *
sync_engine_outgoing_to_json (GPtrArray *commands);

G_GNUC_INTERNAL
void
sync_engine_request_failed (YataiSyncEngine *self,
                            Lane             lane,
                            const GError    *error);

G_GNUC_INTERNAL
void
sync_engine_retry_later (YataiSyncEngine *self,
                         Lane             lane,
                         const GError    *error);

G_GNUC_INTERNAL
void
sync_engine_lane_start (YataiSyncEngine *self,
                        Lane             lane);

G_GNUC_INTERNAL
void
sync_engine_lane_done (YataiSyncEngine *self,
                       Lane             lane,
                       guint            delay_ms);

G_GNUC_INTERNAL
gboolean
sync_engine_lane_ready (YataiSyncEngine *self,
                        Lane             lane,
                        gint64           now);

G_GNUC_INTERNAL
gboolean
sync_engine_queue_commands (YataiSyncEngine  *self,
                            GPtrArray        *outgoing,
                            YataiCommand    **commands,
                            guint             n_commands,
                            GError          **error);

G_GNUC_INTERNAL
gboolean
sync_engine_save_outgoing (YataiSyncEngine  *self,
                           GPtrArray        *commands,
                           GError          **error);

G_GNUC_INTERNAL
void
sync_engine_schedule (YataiSyncEngine *self,
                      guint            delay_ms);

G_GNUC_INTERNAL
void
sync_engine_set_error (YataiSyncEngine *self,
                       const char      *message);

G_GNUC_INTERNAL
void
sync_engine_set_role (YataiSyncEngine *self,
                      YataiSyncRole    role);

G_GNUC_INTERNAL
void
sync_engine_set_takeover_available (YataiSyncEngine *self,
                                    gboolean         available);

G_GNUC_INTERNAL
void
sync_engine_read_next_segment (YataiSyncEngine *self);

G_GNUC_INTERNAL
gboolean
sync_engine_send_outgoing (YataiSyncEngine *self);

G_GNUC_INTERNAL
void
sync_engine_start_restore (YataiSyncEngine *self);

G_GNUC_INTERNAL
void
sync_engine_lost_lease (YataiSyncEngine *self);

G_GNUC_INTERNAL
void
sync_engine_read_lease (YataiSyncEngine *self);

G_GNUC_INTERNAL
void
sync_engine_renew_while_catching_up (YataiSyncEngine *self,
                                     gint64           now);

G_GNUC_INTERNAL
void
sync_engine_write_lease (YataiSyncEngine *self,
                         gint64           epoch,
                         gboolean         released);

G_GNUC_INTERNAL
gint64
sync_engine_check_handover (YataiSyncEngine *self,
                            gint64           now);

G_GNUC_INTERNAL
void
sync_engine_hand_over (YataiSyncEngine *self);

G_GNUC_INTERNAL
void
sync_engine_apply_next_inbox (YataiSyncEngine *self);

G_GNUC_INTERNAL
void
sync_engine_delete_next_old (YataiSyncEngine *self);

G_GNUC_INTERNAL
gboolean
sync_engine_fence_ok (YataiSyncEngine *self);

G_GNUC_INTERNAL
void
sync_engine_list_inbox (YataiSyncEngine *self);

G_GNUC_INTERNAL
gboolean
sync_engine_parse_inbox_name (YataiSyncEngine  *self,
                              const char       *name,
                              char            **device,
                              gint64           *counter);

G_GNUC_INTERNAL
void
sync_engine_mark_epoch (YataiSyncEngine *self);

G_GNUC_INTERNAL
gint64
sync_engine_retention_cut (YataiSyncEngine *self,
                           gint64           now);

G_GNUC_INTERNAL
gboolean
sync_engine_run_outgoing (YataiSyncEngine *self);

G_GNUC_INTERNAL
gboolean
sync_engine_snapshot_due (YataiSyncEngine *self);

G_GNUC_INTERNAL
void
sync_engine_start_retention (YataiSyncEngine *self);

G_GNUC_INTERNAL
gboolean
sync_engine_upload (YataiSyncEngine *self);

G_GNUC_INTERNAL
void
sync_engine_seal (YataiSyncEngine *self);

G_GNUC_INTERNAL
void
sync_engine_reset_sealed (YataiSyncEngine *self);

G_GNUC_INTERNAL
GBytes *
sync_engine_encode_log (YataiSyncEngine  *self,
                        gint64            seq,
                        const char       *previous_chain,
                        GPtrArray        *changesets,
                        char            **chain,
                        GError          **error);

G_GNUC_INTERNAL
gboolean
sync_engine_restore_snapshot (YataiSyncEngine  *self,
                              YataiSegment     *snapshot,
                              GError          **error);

G_GNUC_INTERNAL
gboolean
sync_engine_apply_log_segment (YataiSyncEngine *self,
                               YataiSegment    *segment,
                               Lane             lane);

/* Transports (yatai-sync-transport.c) */
G_GNUC_INTERNAL
void
sync_engine_clear_transports (YataiSyncEngine *self);

G_GNUC_INTERNAL
void
sync_engine_publish (YataiSyncEngine *self,
                     gint64           seq,
                     GBytes          *bytes);

G_GNUC_INTERNAL
gboolean
sync_engine_segments_pushed (YataiSyncEngine *self);

G_GNUC_INTERNAL
void
sync_engine_command_delivered (YataiSyncEngine *self);

G_GNUC_INTERNAL
void
sync_engine_trouble_from (YataiSyncEngine *self,
                          const GError    *error);

G_GNUC_INTERNAL
void
sync_engine_link_set_trouble (YataiSyncEngine *self,
                              const char      *trouble);

G_GNUC_INTERNAL
const char *
sync_engine_link_writer_trouble (YataiSyncEngine *self,
                                 gboolean        *connected);

G_GNUC_INTERNAL
void
sync_engine_command_refused (YataiSyncEngine *self,
                             const char      *id,
                             const GError    *refusal,
                             const char      *writer);

G_GNUC_INTERNAL
char **
sync_engine_transport_addresses (YataiSyncEngine *self);

G_GNUC_INTERNAL
void
sync_engine_upload_snapshot (YataiSyncEngine *self);

/* A stall without a bucket (yatai-sync-linkonly.c) */

G_GNUC_INTERNAL
void
sync_engine_link_only_begin (YataiSyncEngine *self);

G_GNUC_INTERNAL
void
sync_engine_land_sealed (YataiSyncEngine *self);

G_GNUC_INTERNAL
JsonNode *
sync_engine_hand_over_on_link (YataiSyncEngine  *self,
                               YataiCommand     *request,
                               GError          **error);

G_GNUC_INTERNAL
gboolean
sync_engine_take_over_from_link (YataiSyncEngine  *self,
                                 JsonNode         *grant,
                                 GError          **error);

G_GNUC_INTERNAL
gboolean
sync_engine_link_stall_follower (YataiSyncEngine *self);

G_GNUC_INTERNAL
gboolean
sync_engine_link_stall_writer (YataiSyncEngine *self);

G_GNUC_INTERNAL
void
sync_engine_link_stall_leave (YataiSyncEngine *self);

G_GNUC_INTERNAL
gboolean
sync_engine_link_stall_land_outbox (YataiSyncEngine  *self,
                                    GError          **error);

G_GNUC_INTERNAL
gboolean
sync_engine_epoch_refused (YataiSyncEngine *self,
                           gint64           epoch);

G_GNUC_INTERNAL
void
sync_engine_saw_epoch (YataiSyncEngine *self,
                       gint64           epoch);

G_GNUC_INTERNAL
void
yatai_link_grant_free (YataiLinkGrant *grant);

/* yatai-sync-history.c */

G_GNUC_INTERNAL
void
sync_engine_log_missing (YataiSyncEngine *self);

G_GNUC_INTERNAL
void
sync_engine_log_end (YataiSyncEngine *self);

G_GNUC_INTERNAL
gboolean
sync_engine_may_write_at (YataiSyncEngine *self,
                          gint64           position);

G_GNUC_INTERNAL
gint64
sync_engine_next_position (YataiSyncEngine *self);

G_GNUC_INTERNAL
gboolean
sync_engine_is_damaged (YataiSyncEngine *self,
                        gint64           position);

G_GNUC_INTERNAL
gboolean
sync_engine_segment_is_junk (const GError *error);

G_GNUC_INTERNAL
void
sync_engine_skip_damaged (YataiSyncEngine *self,
                          gint64           position,
                          const char      *why);

G_GNUC_INTERNAL
void
sync_engine_read_bounded (YataiSyncEngine     *self,
                          const char          *name,
                          gsize                max_size,
                          GAsyncReadyCallback  callback);

G_GNUC_INTERNAL
GBytes *
sync_engine_read_finish (GAsyncResult  *result,
                         gint64        *generation,
                         GError       **error);

G_GNUC_INTERNAL
gboolean
sync_engine_read_is_final (const GError *error);

G_GNUC_INTERNAL
void
sync_engine_set_problem (YataiSyncEngine *self,
                         const char      *where,
                         const char      *message);

G_GNUC_INTERNAL
void
sync_engine_clear_problem (YataiSyncEngine *self,
                           const char      *where);

G_GNUC_INTERNAL
void
sync_engine_store_failed (YataiSyncEngine *self,
                          Lane             lane,
                          const GError    *error);

G_GNUC_INTERNAL
void
sync_engine_store_ok (YataiSyncEngine *self);

G_GNUC_INTERNAL
void
sync_engine_defer_note (YataiSyncEngine *self,
                        gint64           position,
                        gint64           through,
                        const char      *chain);

G_GNUC_INTERNAL
gboolean
sync_engine_note_pending (YataiSyncEngine *self);

G_GNUC_INTERNAL
gboolean
sync_engine_retry_note (YataiSyncEngine *self);

G_END_DECLS
