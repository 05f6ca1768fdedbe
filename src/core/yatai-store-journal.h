#pragma once

#include "yatai-store.h"

G_BEGIN_DECLS

/* What sync needs of the store (SYNC.md), with no knowledge of the bucket:
 *
 * - on the writer, every committed command's row changes as an SQLite changeset, written to a local
 *   outbox in the same transaction (so a crash can never commit an order and lose its changeset);
 * - on a follower, applying such a changeset in one transaction, all of it or nothing;
 * - the whole stall as one snapshot, and restoring from one, keeping this device's own rows;
 * - a canonical dump, to compare two stores. */

typedef struct
{
  gint64  id;          /* dense, in commit order */
  char   *command_id;
  char   *command;     /* the command as JSON, to re-submit it if this device loses the lease */
  GBytes *changeset;
  gint64  created;
} YataiOutboxEntry;

void              yatai_outbox_entry_free          (YataiOutboxEntry *entry);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (YataiOutboxEntry, yatai_outbox_entry_free)

void              yatai_store_set_journal_enabled  (YataiStore  *self,
                                                    gboolean     enabled);
gboolean          yatai_store_get_journal_enabled  (YataiStore  *self);

GPtrArray        *yatai_store_outbox_peek          (YataiStore  *self,
                                                    guint        max_entries,
                                                    GError     **error);
GPtrArray        *yatai_store_outbox_peek_after    (YataiStore  *self,
                                                    gint64       after_id,
                                                    guint        max_entries,
                                                    GError     **error);
gboolean          yatai_store_outbox_remove_through (YataiStore         *self,
                                                     gint64              id,
                                                     const char * const *local_pairs,
                                                     GError            **error);
gint64            yatai_store_outbox_count         (YataiStore  *self);

gboolean          yatai_store_apply_changesets     (YataiStore         *self,
                                                    GPtrArray          *changesets,
                                                    const char * const *local_pairs,
                                                    GError            **error);

GBytes           *yatai_store_snapshot             (YataiStore  *self,
                                                    GError     **error);
gboolean          yatai_store_restore              (YataiStore         *self,
                                                    GBytes             *snapshot,
                                                    const char * const *local_pairs,
                                                    GError            **error);

char             *yatai_store_dump_canonical       (YataiStore  *self,
                                                    GError     **error);

char             *yatai_store_get_local           (YataiStore  *self,
                                                   const char  *key);
gboolean          yatai_store_set_local           (YataiStore  *self,
                                                   const char  *key,
                                                   const char  *value,
                                                   GError     **error);
gboolean          yatai_store_set_locals          (YataiStore          *self,
                                                   const char * const  *pairs,
                                                   GError             **error);

gint64            yatai_store_get_command_counter (YataiStore  *self,
                                                   const char  *device);

G_END_DECLS
