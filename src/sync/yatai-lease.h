#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The `lease` object (SYNC.md): who may write. Rewritten only with ifGenerationMatch, never deleted, so
 * its epoch keeps counting up. This file is its JSON form and the rules that decide what a device may do
 * when it reads it; the requests themselves belong to the sync engine. */

#define YATAI_LEASE_FORMAT      1
#define YATAI_LEASE_TTL_MS      30000
#define YATAI_LEASE_RENEW_MS    10000
#define YATAI_LEASE_MAX_BYTES   4096
#define YATAI_LEASE_MAX_LINK    8       /* addresses of the venue link in a lease, at most */
#define YATAI_LEASE_MAX_LINK_CHARS 64
#define YATAI_LEASE_MAX_EPOCH   (G_GINT64_CONSTANT (1) << 52)   /* far beyond any stall; no overflow at + 1 */

typedef struct
{
  char     *device;
  char     *device_name;
  gint64    epoch;
  gint64    ttl_ms;
  gboolean  released;
  gint64    renewed;       /* the holder's wall clock, microseconds; shown to people, never compared */
  gint64    head;          /* the log's head when it was written; -1 when it does not say (an older Yatai) */
  char    **link;          /* where the holder serves the venue link ("HOST:PORT"); NULL: nowhere said */
  char     *trouble;       /* why the holder cannot apply commands now ("disk-full", "cannot-save"); NULL: it can */
} YataiLease;

YataiLease *yatai_lease_new     (const char  *device,
                                 const char  *device_name,
                                 gint64       epoch);
void        yatai_lease_free    (YataiLease  *lease);
YataiLease *yatai_lease_copy    (const YataiLease *lease);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (YataiLease, yatai_lease_free)

char       *yatai_lease_to_json (const YataiLease *lease);
YataiLease *yatai_lease_parse   (const char  *data,
                                 gsize        length,
                                 GError     **error);
gboolean    yatai_lease_check_rules (const YataiLease *lease,
                                     gint64            ttl_ms,
                                     gint64            min_epoch,
                                     GError          **error);

/* What a device may do about the lease it just read. */
typedef enum
{
  YATAI_LEASE_CREATE,        /* no lease yet: create it with epoch 1, ifGenerationMatch=0 */
  YATAI_LEASE_CLAIM,         /* released by its holder: rewrite with epoch + 1 */
  YATAI_LEASE_MINE,          /* this device holds it: renew */
  YATAI_LEASE_HELD,          /* another device holds it and renewed within its TTL */
  YATAI_LEASE_EXPIRED,       /* another device holds it but has been silent longer than its TTL */
} YataiLeaseVerdict;

/* A device's view of the lease object over time. The age of the lease is measured on this device's
 * monotonic clock from when it first saw the current generation, never from the holder's clock, and
 * against Yatai's own TTL, never the one the lease states: a lease that breaks the rules (garbled, a TTL
 * of its own, an epoch going backwards) is a damaged object, and it can be taken over after the same
 * silence as a holder that stopped renewing. */
typedef struct
{
  YataiLease *lease;          /* NULL when the object does not exist */
  gint64      generation;     /* 0 when the object does not exist */
  gint64      seen_since;     /* g_get_monotonic_time () when this generation was first seen */
  gboolean    damaged;        /* an object is there (at generation) but it is not a lease to follow */
  gint64      max_epoch;      /* the highest epoch of any lease seen that followed the rules */
} YataiLeaseView;

void              yatai_lease_view_clear   (YataiLeaseView *view);
void              yatai_lease_view_update  (YataiLeaseView *view,
                                            YataiLease     *lease,
                                            gint64          generation,
                                            gint64          now_monotonic);
void              yatai_lease_view_update_damaged (YataiLeaseView *view,
                                                   gint64          generation,
                                                   gint64          now_monotonic);
YataiLeaseVerdict yatai_lease_view_verdict (const YataiLeaseView *view,
                                            const char           *device,
                                            gint64                ttl_ms,
                                            gint64                now_monotonic);
gint64            yatai_lease_view_silent_ms (const YataiLeaseView *view,
                                              gint64                now_monotonic);

G_END_DECLS
