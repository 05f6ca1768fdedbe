/* yatai-sync-linkonly.c: a stall without a bucket (ARCHITECTURE.md, "A stall without a bucket")
 *
 * The engine runs with the venue link as its only transport. Nothing in the bucket can say who
 * writes, so the store does: the device that founded the stall (Add a Device on a device without a
 * bucket) keeps "sync_link_writer" (the epoch it writes at) in local_meta, and only a writer can give
 * that role away, by handing over on the link to a follower that asked ("This device takes the
 * orders"). The writer first stops writing for good (the role gone from its store, the grant kept
 * there), then answers; the follower takes the grant in one transaction (the role and the epoch
 * marker) and writes from the very position it was handed. An answer lost halfway leaves nobody
 * writing, never two: the old writer keeps answering that same device with the same grant until it
 * sees the new epoch. Followers refuse segments of an epoch older than one they have seen.
 *
 * Without a bucket a sealed segment is the shared history at once: it lands in the store as soon as
 * it is sealed (sync_engine_land_sealed), as the bucket's answer lands it otherwise.
 */
#define G_LOG_DOMAIN "yatai-sync"

#include "config.h"

#include <glib/gi18n.h>

#include "yatai-link-key.h"
#include "yatai-sync-engine-private.h"

#define KEY_STALL  "sync_link_stall"    /* the stall's folder: this store is in a stall without a bucket */
#define KEY_WRITER "sync_link_writer"   /* the epoch this device writes at; empty: it does not write */
#define KEY_GRANT  "sync_link_grant"    /* what this device handed over, until it sees the new epoch */
#define KEY_WRITER_DEVICE "sync_link_writer_device"  /* the device id the role was given to */

static gint64
local_int (YataiStore *store,
           const char *key)
{
  g_autofree char *text = yatai_store_get_local (store, key);

  return text != NULL && *text != '\0' ? g_ascii_strtoll (text, NULL, 10) : 0;
}

/* The epoch this device writes at, or 0. The role is the device's, not the file's: a copy of the
 * writer's store (a backup put back, the file carried to another PC) has a new device id
 * (yatai_store_take_identity()) and so does not write, since without a bucket nothing else would
 * stop two devices writing the same history. */
static gint64
writer_epoch (YataiStore *store)
{
  gint64 epoch = local_int (store, KEY_WRITER);
  g_autofree char *device = NULL;

  if (epoch <= 0)
    return 0;
  device = yatai_store_get_local (store, KEY_WRITER_DEVICE);
  if (g_strcmp0 (device, yatai_store_get_device_id (store)) != 0)
    {
      g_debug ("This store took the orders as another device (%s): it is a copy, so it follows",
                 device ? device : "-");
      return 0;
    }
  return epoch;
}

/* Public: founding, and what a store says of it */

/**
 * yatai_sync_link_stall_found:
 * @prefix: the stall's folder (the history's name, kept if a bucket is added later)
 *
 * Makes this store the writer of a stall without a bucket, at the position of the history it holds
 * (0 for a store that never synced) and the epoch after the last it saw; the stall's key for the link
 * is made as at founding. A store already in such a stall is left as it is.
 */
gboolean
yatai_sync_link_stall_found (YataiStore  *store,
                             const char  *prefix,
                             GError     **error)
{
  g_autofree char *existing = NULL;
  g_autofree char *epoch = NULL;
  g_autofree char *seq = NULL;
  g_autofree char *chain = NULL;

  g_return_val_if_fail (YATAI_IS_STORE (store), FALSE);
  g_return_val_if_fail (prefix != NULL && *prefix != '\0', FALSE);

  if ((existing = yatai_sync_link_stall_get (store)) != NULL)
    return TRUE;
  if (!yatai_link_key_ensure (store, NULL, error))
    return FALSE;
  epoch = g_strdup_printf ("%" G_GINT64_FORMAT, local_int (store, "sync_epoch") + 1);
  seq = g_strdup_printf ("%" G_GINT64_FORMAT, local_int (store, "sync_seq"));
  chain = yatai_store_get_local (store, "sync_chain");
  {
    const char *pairs[] = {
      KEY_STALL, prefix,
      KEY_WRITER, epoch,
      KEY_WRITER_DEVICE, yatai_store_get_device_id (store),
      KEY_GRANT, "",
      "sync_joined", prefix,
      "sync_seq", seq,
      "sync_chain", chain != NULL ? chain : yatai_segment_genesis_chain (),
      "sync_epoch", epoch,
      NULL
    };

    /* Everything up to now is the stall's base: a device paired later receives it as a snapshot. */
    return yatai_store_outbox_remove_through (store, G_MAXINT64, pairs, error);
  }
}

/* Returns: (nullable): the folder of the stall without a bucket this store is in, or NULL. */
char *
yatai_sync_link_stall_get (YataiStore *store)
{
  char *prefix;

  g_return_val_if_fail (YATAI_IS_STORE (store), NULL);
  prefix = yatai_store_get_local (store, KEY_STALL);
  if (prefix != NULL && *prefix == '\0')
    g_clear_pointer (&prefix, g_free);
  return prefix;
}

/* Whether this store writes its stall without a bucket (it founded it, or was handed the orders). */
gboolean
yatai_sync_link_stall_is_writer (YataiStore *store)
{
  g_return_val_if_fail (YATAI_IS_STORE (store), FALSE);
  return writer_epoch (store) > 0;
}

/* A bucket added later (Preferences → Sync): the writer starts the bucket at its own position and
 * epoch (yatai-sync-write.c, the snapshot before its epoch marker), and the stall is a stall with a
 * bucket from then on; a follower never starts it (it never claims the lease while the store is in a
 * stall without a bucket) and joins it once another device holds the lease. */
gboolean
sync_engine_link_stall_follower (YataiSyncEngine *self)
{
  g_autofree char *stall = yatai_sync_link_stall_get (self->store);

  return stall != NULL && writer_epoch (self->store) == 0;
}

gboolean
sync_engine_link_stall_writer (YataiSyncEngine *self)
{
  g_autofree char *stall = yatai_sync_link_stall_get (self->store);

  return stall != NULL && writer_epoch (self->store) > 0;
}

/* Before the bucket starts at this writer's position, what was done here since the engine with the
 * bucket began (taken while it claimed the lease) becomes history as a stall without a bucket makes
 * it, segments landed at once, so the snapshot holds exactly the history up to its seq. Followers on
 * the link find the gap and ask for the stall again. */
gboolean
sync_engine_link_stall_land_outbox (YataiSyncEngine  *self,
                                    GError          **error)
{
  for (;;)
    {
      g_autoptr(GPtrArray) entries = yatai_store_outbox_peek (self->store, MAX_SEGMENT_ENTRIES, error);
      g_autoptr(GPtrArray) changesets = g_ptr_array_new ();
      g_autoptr(GBytes) bytes = NULL;
      g_autofree char *chain = NULL;
      g_autofree char *seq_text = NULL;
      gint64 through;

      if (entries == NULL)
        return FALSE;
      if (entries->len == 0)
        return TRUE;
      for (guint i = 0; i < entries->len; i++)
        g_ptr_array_add (changesets, ((YataiOutboxEntry *) g_ptr_array_index (entries, i))->changeset);
      through = ((YataiOutboxEntry *) g_ptr_array_index (entries, entries->len - 1))->id;
      bytes = sync_engine_encode_log (self, self->seq + 1, self->chain, changesets, &chain, error);
      if (bytes == NULL)
        return FALSE;
      seq_text = g_strdup_printf ("%" G_GINT64_FORMAT, self->seq + 1);
      {
        const char *pairs[] = { "sync_seq", seq_text, "sync_chain", chain, NULL };

        if (!yatai_store_outbox_remove_through (self->store, through, pairs, error))
          return FALSE;
      }
      sync_engine_advance (self, self->seq + 1, chain);
    }
}

/* The stall has a bucket now: the roles are the lease's. */
void
sync_engine_link_stall_leave (YataiSyncEngine *self)
{
  g_autoptr(GError) error = NULL;
  const char *pairs[] = { KEY_STALL, "", KEY_WRITER, "", KEY_WRITER_DEVICE, "", KEY_GRANT, "", NULL };

  if (!yatai_store_set_locals (self->store, pairs, &error))
    g_debug ("The stall without a bucket is not left yet: %s", error->message);
  else
    g_debug ("The stall has a bucket now");
}

/* The grant */

void
yatai_link_grant_free (YataiLinkGrant *grant)
{
  if (grant == NULL)
    return;
  g_free (grant->device);
  g_free (grant->chain);
  g_strfreev (grant->link);
  g_free (grant);
}

static JsonNode *
grant_to_node (YataiLinkGrant *grant)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "device");
  json_builder_add_string_value (builder, grant->device);
  json_builder_set_member_name (builder, "seq");
  json_builder_add_int_value (builder, grant->seq);
  json_builder_set_member_name (builder, "chain");
  json_builder_add_string_value (builder, grant->chain);
  json_builder_set_member_name (builder, "epoch");
  json_builder_add_int_value (builder, grant->epoch);
  json_builder_set_member_name (builder, "link");
  json_builder_begin_array (builder);
  for (guint i = 0; grant->link != NULL && grant->link[i] != NULL; i++)
    json_builder_add_string_value (builder, grant->link[i]);
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

static char **
node_strv (JsonObject *object,
           const char *member)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  JsonNode *node = object != NULL ? json_object_get_member (object, member) : NULL;

  if (node != NULL && JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array) && i < YATAI_LEASE_MAX_LINK; i++)
        {
          JsonNode *element = json_array_get_element (array, i);

          if (JSON_NODE_HOLDS_VALUE (element) && json_node_get_value_type (element) == G_TYPE_STRING)
            g_strv_builder_add (builder, json_node_get_string (element));
        }
    }
  return g_strv_builder_end (builder);
}

static YataiLinkGrant *
grant_from_node (JsonNode *node)
{
  JsonObject *object = node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
  YataiLinkGrant *grant;
  const char *device, *chain;

  if (object == NULL ||
      (device = json_object_get_string_member_with_default (object, "device", NULL)) == NULL ||
      (chain = json_object_get_string_member_with_default (object, "chain", NULL)) == NULL ||
      json_object_get_int_member_with_default (object, "epoch", 0) <= 0)
    return NULL;
  grant = g_new0 (YataiLinkGrant, 1);
  grant->device = g_strdup (device);
  grant->chain = g_strdup (chain);
  grant->seq = json_object_get_int_member_with_default (object, "seq", 0);
  grant->epoch = json_object_get_int_member_with_default (object, "epoch", 0);
  grant->link = node_strv (object, "link");
  return grant;
}

/* The engine */

/* A stall without a bucket starts where its store says: the writer writes at once at the epoch it
 * kept, anyone else follows on the link. No network is waited for either way. */
void
sync_engine_link_only_begin (YataiSyncEngine *self)
{
  g_autofree char *grant = yatai_store_get_local (self->store, KEY_GRANT);
  gint64 epoch = writer_epoch (self->store);

  g_clear_pointer (&self->grant, yatai_link_grant_free);
  if (grant != NULL && *grant != '\0')
    {
      g_autoptr(JsonNode) node = json_from_string (grant, NULL);

      self->grant = grant_from_node (node);
    }
  yatai_store_set_journal_enabled (self->store, TRUE);
  if (epoch > 0)
    {
      self->writer_epoch = epoch;
      /* The phase first: whoever hears of the new role (a stop, say) finds the writer's. */
      sync_engine_go (self, PHASE_WRITE);
      sync_engine_set_role (self, YATAI_SYNC_WRITER);
      return;
    }
  self->writer_epoch = 0;
  sync_engine_set_role (self, YATAI_SYNC_FOLLOWER);
  sync_engine_go (self, PHASE_FOLLOW);
}

static void
sealed_drop (Sealed *sealed)
{
  g_bytes_unref (sealed->bytes);
  g_free (sealed->chain);
  g_free (sealed);
}

/* Without a bucket, what the writer sealed is the shared history at once: note it in the store (its
 * outbox entries go, the position moves) right after it was pushed on the link. */
void
sync_engine_land_sealed (YataiSyncEngine *self)
{
  Sealed *sealed;

  while ((sealed = g_queue_peek_head (&self->sealed)) != NULL)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *seq_text = g_strdup_printf ("%" G_GINT64_FORMAT, sealed->seq);
      const char *pairs[] = { "sync_seq", seq_text, "sync_chain", sealed->chain, NULL };

      if (!yatai_store_outbox_remove_through (self->store, sealed->through, pairs, &error))
        {
          /* A full disk: the segment stays sealed (and pushed) and is noted at the next step. */
          sync_engine_set_error (self, error->message);
          sync_engine_schedule (self, 500);
          return;
        }
      g_queue_pop_head (&self->sealed);
      sync_engine_advance (self, sealed->seq, sealed->chain);
      sealed_drop (sealed);
    }
  sync_engine_notify_pending (self);
}

/* A follower refuses segments of an epoch older than the newest it has seen or handed over, so two
 * writers can never both be followed. */
gboolean
sync_engine_epoch_refused (YataiSyncEngine *self,
                           gint64           epoch)
{
  return epoch < self->epoch || (self->grant != NULL && epoch < self->grant->epoch);
}

/* A segment of @epoch was applied: once it is the epoch this device handed over, the new writer is
 * followed and the grant is done with. */
void
sync_engine_saw_epoch (YataiSyncEngine *self,
                       gint64           epoch)
{
  g_autoptr(GError) error = NULL;

  if (self->grant == NULL || epoch < self->grant->epoch)
    return;
  if (!yatai_store_set_local (self->store, KEY_GRANT, "", &error))
    {
      g_debug ("The handover is not noted as done: %s", error->message);
      return;
    }
  g_debug ("Following the device this one handed the orders to");
  g_clear_pointer (&self->grant, yatai_link_grant_free);
  sync_engine_schedule (self, 0);
}

/* The writer: @request (from the link) asks for the orders. Unless this device takes the orders
 * itself, it stops writing for good (the role gone from its store, the grant kept there: one
 * transaction) and only then answers with the grant: from this moment until the asker takes it,
 * nobody writes. The same device asking again (the answer was lost) gets the same grant. */
JsonNode *
sync_engine_hand_over_on_link (YataiSyncEngine  *self,
                               YataiCommand     *request,
                               GError          **error)
{
  const char *device = yatai_command_get_device (request);
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *text = NULL;
  YataiLinkGrant *grant;

  if (self->bucket != NULL)
    {
      g_set_error_literal (error, YATAI_LINK_ERROR, YATAI_LINK_ERROR_UNAVAILABLE,
                           _("The writer is not taking commands at the moment."));
      return NULL;
    }
  if (self->grant != NULL)
    {
      if (g_strcmp0 (self->grant->device, device) == 0)
        return grant_to_node (self->grant);
      g_set_error_literal (error, YATAI_LINK_ERROR, YATAI_LINK_ERROR_UNAVAILABLE,
                           _("The orders are being handed over to another device."));
      return NULL;
    }
  if (self->phase != PHASE_WRITE || self->stop_task != NULL || device == NULL)
    {
      g_set_error_literal (error, YATAI_LINK_ERROR, YATAI_LINK_ERROR_UNAVAILABLE,
                           _("The writer is not taking commands at the moment."));
      return NULL;
    }
  if (self->preferred)
    {
      /* Of two devices that both take the orders, the first one keeps them. */
      g_set_error (error, YATAI_LINK_ERROR, YATAI_LINK_ERROR_REFUSED,
                   _("“%s” takes the orders itself."), yatai_store_get_device_name (self->store));
      return NULL;
    }

  /* Everything committed here is sealed, pushed and landed before the position is given. */
  sync_engine_seal (self);
  if (!g_queue_is_empty (&self->sealed) || yatai_store_outbox_count (self->store) > 0)
    {
      g_set_error_literal (error, YATAI_LINK_ERROR, YATAI_LINK_ERROR_UNAVAILABLE,
                           _("The writer is not taking commands at the moment."));
      return NULL;
    }

  grant = g_new0 (YataiLinkGrant, 1);
  grant->device = g_strdup (device);
  grant->seq = self->seq;
  grant->chain = g_strdup (self->chain);
  grant->epoch = MAX (self->writer_epoch, self->epoch) + 1;
  {
    JsonObject *args = yatai_command_get_args (request);

    grant->link = node_strv (args, "link");
  }
  node = grant_to_node (grant);
  text = json_to_string (node, FALSE);
  {
    const char *pairs[] = { KEY_WRITER, "", KEY_GRANT, text, NULL };

    if (!yatai_store_set_locals (self->store, pairs, error))
      {
        yatai_link_grant_free (grant);
        return NULL;
      }
  }
  g_debug ("Handing the orders over to %s at seq %" G_GINT64_FORMAT ", epoch %" G_GINT64_FORMAT,
           device, grant->seq, grant->epoch);
  self->grant = grant;
  self->writer_epoch = 0;
  /* What is done here from now on goes to the next writer as commands. */
  sync_engine_set_role (self, YATAI_SYNC_FOLLOWER);
  sync_engine_go (self, PHASE_FOLLOW);
  return g_steal_pointer (&node);
}

/* A follower was handed the orders (@node, the writer's answer). It takes them only at the very
 * position it was handed (every segment before the answer came first on the link) and at an epoch
 * past every one it has seen; the role, the epoch and the epoch marker go into its store in one
 * transaction, and the marker is the first thing it pushes. FALSE: not taken (asked again later). */
gboolean
sync_engine_take_over_from_link (YataiSyncEngine  *self,
                                 JsonNode         *node,
                                 GError          **error)
{
  g_autoptr(JsonNode) copy = json_node_copy (node);
  YataiLinkGrant *grant = grant_from_node (copy);
  g_autoptr(GBytes) marker = NULL;
  g_autofree char *chain = NULL;
  g_autofree char *seq_text = NULL;
  g_autofree char *epoch_text = NULL;
  gboolean ok = FALSE;

  if (grant == NULL || g_strcmp0 (grant->device, yatai_store_get_device_id (self->store)) != 0 ||
      self->phase != PHASE_FOLLOW || self->bucket != NULL)
    {
      g_set_error_literal (error, YATAI_LINK_ERROR, YATAI_LINK_ERROR_PROTOCOL,
                           _("The writer’s answer could not be read."));
      goto out;
    }
  if (grant->seq != self->seq || g_strcmp0 (grant->chain, self->chain) != 0 || grant->epoch <= self->epoch)
    {
      g_set_error_literal (error, YATAI_LINK_ERROR, YATAI_LINK_ERROR_UNAVAILABLE,
                           _("The writer is not taking commands at the moment."));
      goto out;
    }

  self->writer_epoch = grant->epoch;
  marker = sync_engine_encode_log (self, grant->seq + 1, self->chain, NULL, &chain, error);
  if (marker == NULL)
    {
      self->writer_epoch = 0;
      goto out;
    }
  seq_text = g_strdup_printf ("%" G_GINT64_FORMAT, grant->seq + 1);
  epoch_text = g_strdup_printf ("%" G_GINT64_FORMAT, grant->epoch);
  {
    const char *pairs[] = {
      KEY_WRITER, epoch_text,
      KEY_WRITER_DEVICE, yatai_store_get_device_id (self->store),
      KEY_GRANT, "",
      "sync_epoch", epoch_text,
      "sync_seq", seq_text,
      "sync_chain", chain,
      NULL
    };

    if (!yatai_store_set_locals (self->store, pairs, error))
      {
        self->writer_epoch = 0;
        goto out;
      }
  }
  g_debug ("Handed the orders at seq %" G_GINT64_FORMAT ": writing at epoch %" G_GINT64_FORMAT,
           grant->seq, grant->epoch);
  self->epoch = grant->epoch;
  self->handover_not_before = 0;
  sync_engine_advance (self, grant->seq + 1, chain);
  sync_engine_go (self, PHASE_WRITE);
  sync_engine_set_role (self, YATAI_SYNC_WRITER);
  sync_engine_publish (self, self->seq, marker);
  ok = TRUE;

out:
  yatai_link_grant_free (grant);
  return ok;
}
