#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* What the sync tests over the venue link share (test-sync-link, test-pair). */
typedef gboolean (*SyncTestCondition) (gpointer data);

void sync_test_run_until          (SyncTestCondition  condition,
                                   gpointer           data);
void sync_test_remove_store_files (const char        *path);

G_END_DECLS
