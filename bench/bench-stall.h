#pragma once

#include "yatai-store.h"
#include "yatai-sync-engine.h"

G_BEGIN_DECLS

/* What the benches that run a whole stall share: its devices and the orders they take (counted so that
 * a restore can be checked for every confirmed order, once), the test bucket server they may sync
 * through (tests/tcp-relay.h puts a venue network's delay between two devices). */

/* The orders a run confirmed: customer tag → the name of the device that took it. A follower's order
 * counts once its command comes back accepted, or, with @sent_confirms, as soon as it is sent ("sent"
 * is already a promise to the person) and until the writer refuses it. */
typedef struct
{
  GHashTable *confirmed;
  gboolean    sent_confirms;
  guint       answered;  /* a follower's order accepted by the writer */
  guint       refused;   /* answered by the writer with a refusal */
  guint       failed;    /* not taken at all on the device */
  guint       next;
} BenchOrders;

typedef struct
{
  const char      *name;
  char            *path;
  YataiStore      *store;
  YataiSyncEngine *engine;
  BenchOrders     *orders;
  GHashTable      *waiting;   /* command id → customer tag */
  guint            taken;
} BenchDevice;

BenchOrders *bench_orders_new          (void);
void         bench_orders_count        (BenchOrders  *orders,
                                        YataiStore   *store,
                                        guint        *in_stall,
                                        guint        *missing,
                                        guint        *doubled);

BenchDevice *bench_device_new          (const char   *dir,
                                        const char   *name,
                                        BenchOrders  *orders);
void         bench_device_open         (BenchDevice  *device);
void         bench_device_set_engine   (BenchDevice  *device,
                                        YataiSyncEngine *engine);
void         bench_device_connect      (BenchDevice  *device,
                                        const char   *url,
                                        const char   *prefix,
                                        const char   *listen,
                                        const char   *writer);
void         bench_device_close        (BenchDevice  *device);
gboolean     bench_device_take_order   (BenchDevice  *device,
                                        gint64        product_id,
                                        char        **sent_id,
                                        JsonObject  **answer);
gboolean     bench_devices_quiet       (BenchDevice **devices,
                                        guint         n);
gboolean     bench_devices_wait_quiet  (BenchDevice **devices,
                                        guint         n,
                                        guint         seconds);
gint64       bench_add_product         (YataiStore   *store,
                                        const char   *name);

/* One follower's arrivals: when each order the writer committed (@commits, from bench_commits_new(),
 * shared by the followers) first reached its store, as ms since the commit, in the lags of the run's
 * @phase at that moment (0 unless the run sets another: three-devices' bucket up, bucket cut). */
typedef struct
{
  GHashTable *commits;
  GHashTable *seen;      /* order ids that reached the follower */
  GArray     *lags[2];   /* ms */
  guint       phase;
} BenchArrivals;

GHashTable    *bench_commits_new       (void);
void           bench_commits_add       (GHashTable    *commits,
                                        gint64         id,
                                        gint64         at);
void           bench_commits_watch     (GHashTable    *commits,
                                        YataiStore    *store);
BenchArrivals *bench_arrivals_new      (GHashTable    *commits);
void           bench_arrivals_note     (BenchArrivals *arrivals,
                                        gint64         id,
                                        gint64         at);
void           bench_arrivals_watch    (BenchArrivals *arrivals,
                                        YataiStore    *store);
gboolean       bench_arrivals_all_in   (gpointer       arrivals);

void         bench_spin                (guint         ms);
gboolean     bench_run_until           (gboolean    (*done) (gpointer data),
                                        gpointer      data,
                                        guint         seconds);
double       bench_percentile          (GArray       *ms,
                                        double        share);

/* yatai-test-bucket, started beside the bench program (ARGV ends with NULL); its URL in @url. */
GSubprocess *bench_server_start        (const char   *bench_path,
                                        const char  **args,
                                        char        **url);
void         bench_server_request      (const char   *url,
                                        const char   *method,
                                        const char   *path,
                                        const char   *json);
JsonObject  *bench_server_stats        (const char   *url,
                                        const char   *prefix);

G_END_DECLS
