#pragma once

#include <glib.h>

#include "yatai-sync-engine.h"

G_BEGIN_DECLS

/* What the sync tests share (test-sync-link, test-pair, test-sync-hostile, test-sync-engine and
 * test-sync-http, among others): a device (a store, and its sync engine on a bucket), waiting on the
 * main loop, and a store's files gone. */
typedef gboolean (*SyncTestCondition) (gpointer data);

typedef struct
{
  YataiStore      *store;
  YataiSyncEngine *engine;      /* NULL until sync_test_device_attach() */
  YataiBucket     *bucket;
  char            *path;
  GPtrArray       *finished;    /* "id:refusal" of each command-finished */
  gboolean         caught_up;   /* the engine said caught-up */
} SyncTestDevice;

/* Two devices that should end with the same stall. */
typedef struct
{
  SyncTestDevice *a, *b;
} SyncTestPair;

SyncTestDevice *sync_test_device_open   (const char     *dir,
                                         const char     *name);
void            sync_test_device_attach (SyncTestDevice *device,
                                         YataiBucket    *bucket,
                                         const char     *prefix);
SyncTestDevice *sync_test_device_new    (const char     *dir,
                                         const char     *name,
                                         YataiBucket    *bucket,
                                         const char     *prefix);
void            sync_test_device_free   (SyncTestDevice *device);
void            sync_test_device_remove (SyncTestDevice *device);

gboolean  sync_test_is_writer     (gpointer device);
gboolean  sync_test_is_follower   (gpointer device);
gboolean  sync_test_outbox_empty  (gpointer device);
gboolean  sync_test_has_finished  (gpointer device);
gboolean  sync_test_same_content  (gpointer pair);

JsonNode *sync_test_execute       (SyncTestDevice *device,
                                   YataiCommand   *command,
                                   gboolean       *sent);
gint64    sync_test_save_product  (SyncTestDevice *device,
                                   const char     *name,
                                   gint64          stock);
void      sync_test_wait_for_product (SyncTestDevice *device,
                                      const char     *name);

void sync_test_run_until          (SyncTestCondition  condition,
                                   gpointer           data);
void sync_test_run_until_ms       (SyncTestCondition  condition,
                                   gpointer           data,
                                   guint              timeout_ms);
void sync_test_run_for            (guint              milliseconds);
void sync_test_remove_store_files (const char        *path);
char *sync_test_fill_disk          (const char        *dir);

G_END_DECLS
