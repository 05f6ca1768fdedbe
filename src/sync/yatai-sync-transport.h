/* yatai-sync-transport.h: where the engine's segments come from and go to, and where its commands go
 *
 * The engine knows the paths between a stall's devices only through this table, which the bucket
 * (yatai-sync-bucket.c, over the requests in yatai-sync-follow.c and yatai-sync-write.c) and the venue
 * link (yatai-sync-link.c) each fill in. The engine asks them in turn, the link first: a follower's
 * command goes to the first that takes it, every sealed segment is given to all of them, and a follower
 * reads from all of them and checks every segment against the same chain whichever brought it.
 *
 * What decides who writes is not a transport: the lease and the create-only log in the bucket
 * (yatai-sync-lease-keeper.c and the phases that lead to PHASE_WRITE) stay with the engine. Any entry
 * may be NULL where a transport has nothing to do. Nothing here is public.
 */
#pragma once

#include <glib.h>

#include "yatai-sync-engine.h"

G_BEGIN_DECLS

typedef struct _SyncTransport SyncTransport;

typedef enum
{
  TRANSPORT_LINK,      /* asked first: the local network, when the writer can be reached on it */
  TRANSPORT_BUCKET,    /* always there: the authority, and the path when nothing else is */
  N_TRANSPORTS
} TransportId;

typedef struct
{
  const char *name;

  /* The engine began (@writing) or ended a stretch of writing (PHASE_WRITE). */
  void     (*writing_changed) (SyncTransport *transport,
                               gboolean       writing);

  /* A follower: bring the segments after this device's position, as far as the lanes allow. */
  void     (*follow)        (SyncTransport *transport,
                             gint64         now);

  /* A follower: whether new segments come from here without being asked for. */
  gboolean (*pushes)        (SyncTransport *transport);

  /* A follower: send @command, the first of the outgoing ones (@json as it was queued). FALSE when this
   * transport cannot take it now, and the next one is asked; once it has, the transport's answer ends
   * with sync_engine_command_delivered() or sync_engine_command_not_taken(). */
  gboolean (*send_command)  (SyncTransport *transport,
                             YataiCommand  *command,
                             const char    *json);

  /* The writer: a segment was sealed; @bytes are the very bytes every transport carries. */
  void     (*publish)       (SyncTransport *transport,
                             gint64         seq,
                             GBytes        *bytes);

  /* The writer: where followers may reach it on this transport ("HOST:PORT"), written in the lease
   * with each renewal; NULL for nowhere. */
  char   **(*addresses)     (SyncTransport *transport);

  /* The writer: carry what is sealed and take commands, as far as the lanes allow. Returns the
   * monotonic time to be asked again by at the latest (G_MAXINT64: no need). */
  gint64   (*write)         (SyncTransport *transport,
                             gint64         now);

  /* The writer's clean stop: carry what is left. TRUE while this transport still has something to
   * carry, so the lease is not released yet. */
  gboolean (*drain)         (SyncTransport *transport,
                             gint64         now);

  /* Let go of connections and what was received (a stop, the engine's dispose). */
  void     (*clear)         (SyncTransport *transport);

  void     (*free)          (SyncTransport *transport);
} SyncTransportClass;

struct _SyncTransport
{
  const SyncTransportClass *klass;
  YataiSyncEngine          *engine;     /* not a reference: the engine owns its transports */
};

G_GNUC_INTERNAL
SyncTransport *
sync_transport_bucket_new (YataiSyncEngine *engine);

G_GNUC_INTERNAL
SyncTransport *
sync_transport_link_new (YataiSyncEngine *engine);

G_END_DECLS
