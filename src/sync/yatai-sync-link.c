/* yatai-sync-link.c: the venue link as one of the engine's transports (yatai-sync-transport.h)
 *
 * The writer serves the link while it writes (PHASE_WRITE): every segment it seals is pushed there
 * the moment it exists (yatai-sync-write.c), and a follower's command is run at once, its segment
 * pushed, then its result answered. A follower that knows the writer's address keeps one connection to
 * it while it follows: segments from the link are checked exactly as the bucket's (the same decoding,
 * the same chain) and applied when they are next; its commands go over the link and fall back to the
 * inbox when the link is down or the writer asks for an earlier command first. The link never decides
 * who writes: only PHASE_WRITE, reached through the lease and the create-only log, serves it.
 */
#define G_LOG_DOMAIN "yatai-sync"

#include "config.h"

#include <glib/gi18n.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>

#include "yatai-link-client.h"
#include "yatai-link-discovery.h"
#include "yatai-link-key.h"
#include "yatai-link-protocol.h"
#include "yatai-link-server.h"
#include "yatai-sync-engine-private.h"

#define LINK_RETRY_MS   1000
#define LINK_BYPASS_MS  2000
#define LINK_AHEAD_MAX  4096

typedef struct
{
  SyncTransport    parent;

  char            *listen;          /* where the writer serves it; NULL: it does not */
  char            *address;         /* the writer's address for a follower; NULL: none */
  YataiLinkServer *server;
  YataiLinkClient *client;
  GHashTable      *ahead;           /* seq → GBytes pushed before the segments before them came */
  gint64           retry_at;        /* monotonic µs */
  gint64           bypass_until;    /* monotonic µs: commands go through the bucket until then */
  YataiLinkDiscovery *discovery;    /* DNS-SD: published while writing, browsed while not */
  gint64           last_heard;      /* monotonic µs: the writer last heard on the link (while connected: now) */
  guint            attempt;         /* how many connections were tried: the next address to try */
  gboolean         bucket_only;     /* a follower that never connects to the link */
  JsonNode        *granted;         /* the writer handed the orders to this device: taken at the next step */
} SyncLink;

#define HANDOVER_KIND        "link.hand-over"   /* a follower asks a writer without a bucket for the orders */
#define HANDOVER_RETRY_MS    1000
#define HANDOVER_REFUSED_MS  10000

static SyncLink *
engine_link (YataiSyncEngine *self)
{
  return (SyncLink *) self->transports[TRANSPORT_LINK];
}

static gboolean link_connected (SyncLink *link);

/* The writer */

static JsonNode *
run_link_command (YataiCommand  *command,
                  gpointer       user_data,
                  GError       **error)
{
  YataiSyncEngine *self = user_data;
  const char *device = yatai_command_get_device (command);
  gint64 counter = yatai_command_get_counter (command);
  g_autoptr(GError) run_error = NULL;
  JsonNode *outcome;

  /* Without a bucket, the writer hands the orders over here (yatai-sync-linkonly.c); a writer that
   * handed them over answers the same device again until it sees the new writer. */
  if (g_strcmp0 (yatai_command_get_kind (command), HANDOVER_KIND) == 0)
    return sync_engine_hand_over_on_link (self, command, error);
  if (self->phase != PHASE_WRITE)
    {
      g_set_error_literal (error, YATAI_LINK_ERROR, YATAI_LINK_ERROR_UNAVAILABLE,
                           _("The writer is not taking commands at the moment."));
      return NULL;
    }
  /* One device's commands apply in the order it made them: an earlier one still in the inbox goes
   * first, and this one then comes through the inbox too. */
  if (counter > 0 && device != NULL && counter > yatai_store_get_command_counter (self->store, device) + 1)
    {
      g_set_error_literal (error, YATAI_LINK_ERROR, YATAI_LINK_ERROR_UNAVAILABLE,
                           _("The writer is not taking commands at the moment."));
      return NULL;
    }

  outcome = yatai_store_execute (self->store, command, &run_error);
  /* Neither applied nor refused (the store busy, the disk full): not taken, so the follower sends it
   * through the inbox, where it stays until the writer can apply it. Answered as done, the follower
   * would drop it and wait for ever. Its staff are told why (sync_engine_trouble_from). */
  if (outcome == NULL && (g_error_matches (run_error, YATAI_STORE_ERROR, YATAI_STORE_ERROR_BUSY) ||
                          g_error_matches (run_error, YATAI_STORE_ERROR, YATAI_STORE_ERROR_IO)))
    {
      sync_engine_trouble_from (self, run_error);
      g_set_error_literal (error, YATAI_LINK_ERROR, YATAI_LINK_ERROR_UNAVAILABLE, run_error->message);
      return NULL;
    }
  sync_engine_store_ok (self);
  /* The change (or the recorded refusal) reaches the follower before the answer does. */
  sync_engine_seal (self);
  sync_engine_schedule (self, 0);
  if (outcome == NULL)
    g_propagate_error (error, g_steal_pointer (&run_error));
  return outcome;
}

static void
discovery_changed_cb (YataiLinkDiscovery *discovery,
                      YataiSyncEngine    *self)
{
  /* A writer appeared or went: try it now rather than after the pause between tries. */
  engine_link (self)->retry_at = 0;
  sync_engine_schedule (self, 0);
}

static void
ensure_discovery (SyncLink        *link,
                  GTlsCertificate *certificate)
{
  YataiSyncEngine *self = link->parent.engine;
  g_autofree char *stall_id = NULL;

  if (link->discovery != NULL || (stall_id = yatai_link_discovery_stall_id (certificate)) == NULL)
    return;
  link->discovery = yatai_link_discovery_new (stall_id, yatai_store_get_device_id (self->store));
  g_signal_connect (link->discovery, "changed", G_CALLBACK (discovery_changed_cb), self);
}

/* Without a bucket, a follower the kept segments do not reach gets the stall as a snapshot. */
static GBytes *
link_snapshot (gint64    from,
               gint64   *seq,
               gpointer  user_data)
{
  YataiSyncEngine *self = user_data;
  g_autoptr(GError) error = NULL;
  GBytes *bytes;

  /* With a bucket, only a follower without one asks (from 0): the others read the bucket. */
  if (self->phase != PHASE_WRITE || (self->bucket != NULL && from != 0))
    return NULL;
  sync_engine_seal (self);
  if (from == self->seq + 1 || !g_queue_is_empty (&self->sealed))
    return NULL;
  *seq = self->seq;
  bytes = yatai_sync_engine_export_stall (self, &error);
  if (bytes == NULL)
    g_debug ("No snapshot for a follower from %" G_GINT64_FORMAT ": %s", from, error->message);
  return bytes;
}

static void
serve (SyncLink *link)
{
  YataiSyncEngine *self = link->parent.engine;
  g_autoptr(GError) error = NULL;
  g_autoptr(GTlsCertificate) certificate = NULL;

  if (link->listen == NULL || link->server != NULL)
    return;
  if (!yatai_link_key_ensure (self->store, NULL, &error) ||
      (certificate = yatai_link_key_load (self->store, &error)) == NULL)
    {
      g_warning ("The local network link is not served: %s", error->message);
      return;
    }
  link->server = yatai_link_server_new (certificate, yatai_store_get_device_id (self->store),
                                       yatai_store_get_device_name (self->store));
  if (!yatai_link_server_listen (link->server, *link->listen ? link->listen : NULL, &error))
    {
      g_warning ("%s", error->message);
      g_clear_object (&link->server);
      return;
    }
  yatai_link_server_set_command_func (link->server, run_link_command, self);
  yatai_link_server_set_trouble (link->server, self->trouble);
  yatai_link_server_set_snapshot_func (link->server, link_snapshot, self);
  if (self->grant != NULL)
    yatai_link_server_set_only_device (link->server, self->grant->device);
  g_debug ("Serving the link on port %u", yatai_link_server_get_port (link->server));
  ensure_discovery (link, certificate);
  if (link->discovery != NULL)
    yatai_link_discovery_publish (link->discovery, yatai_link_server_get_port (link->server));
  /* The lease says where the link is from the next renewal on: make that one now, not in 10 s. */
  self->renew_now = TRUE;
  sync_engine_schedule (self, 0);
}

static gboolean
is_any_host (const char *host)
{
  return host == NULL || *host == '\0' || strcmp (host, "0.0.0.0") == 0 || strcmp (host, "::") == 0;
}

/* Where followers may reach this writer, for the lease: the address it listens at, or, listening on
 * every address, each of this computer's (the network's first, this computer's own last). */
static char **
addresses_at (SyncLink *link,
              guint16   port)
{
  g_autoptr(GStrvBuilder) builder = NULL;
  g_autoptr(GPtrArray) loopback = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GSocketConnectable) parsed = NULL;
  struct ifaddrs *interfaces = NULL;
  guint n = 0;

  if (port == 0)
    return NULL;
  builder = g_strv_builder_new ();
  if (link->listen != NULL && *link->listen != '\0' &&
      (parsed = yatai_link_parse_address (link->listen, NULL)) != NULL &&
      !is_any_host (g_network_address_get_hostname (G_NETWORK_ADDRESS (parsed))))
    {
      g_autofree char *address = g_strdup_printf ("%s:%u", g_network_address_get_hostname (G_NETWORK_ADDRESS (parsed)), port);

      g_strv_builder_add (builder, address);
      return g_strv_builder_end (builder);
    }
  if (getifaddrs (&interfaces) != 0)
    return NULL;
  for (struct ifaddrs *i = interfaces; i != NULL && n < YATAI_LEASE_MAX_LINK; i = i->ifa_next)
    {
      g_autoptr(GSocketAddress) socket_address = NULL;
      g_autofree char *host = NULL;
      g_autofree char *address = NULL;
      GInetAddress *inet;

      if (i->ifa_addr == NULL || !(i->ifa_flags & IFF_UP) ||
          (i->ifa_addr->sa_family != AF_INET && i->ifa_addr->sa_family != AF_INET6))
        continue;
      socket_address = g_socket_address_new_from_native (i->ifa_addr, i->ifa_addr->sa_family == AF_INET
                                                                     ? sizeof (struct sockaddr_in)
                                                                     : sizeof (struct sockaddr_in6));
      if (socket_address == NULL)
        continue;
      inet = g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (socket_address));
      /* A link-local IPv6 address needs its interface, which the other computer's is not. */
      if (g_inet_address_get_is_link_local (inet) && g_inet_address_get_family (inet) == G_SOCKET_FAMILY_IPV6)
        continue;
      host = g_inet_address_to_string (inet);
      address = g_inet_address_get_family (inet) == G_SOCKET_FAMILY_IPV6 ? g_strdup_printf ("[%s]:%u", host, port)
                                                                          : g_strdup_printf ("%s:%u", host, port);
      if (g_inet_address_get_is_loopback (inet))
        g_ptr_array_add (loopback, g_steal_pointer (&address));
      else
        {
          g_strv_builder_add (builder, address);
          n++;
        }
    }
  freeifaddrs (interfaces);
  for (guint i = 0; i < loopback->len && n < YATAI_LEASE_MAX_LINK; i++, n++)
    g_strv_builder_add (builder, g_ptr_array_index (loopback, i));
  return g_strv_builder_end (builder);
}

static char **
link_addresses (SyncTransport *transport)
{
  SyncLink *link = (SyncLink *) transport;

  return link->server != NULL ? addresses_at (link, yatai_link_server_get_port (link->server)) : NULL;
}

/* Where this device will serve the link once it writes, when its port is set (for the writer that
 * hands it the orders, to follow it): NULL for a free port, which only DNS-SD finds. */
static char **
planned_addresses (SyncLink *link)
{
  g_autoptr(GSocketConnectable) parsed = NULL;

  if (link->listen == NULL || *link->listen == '\0' ||
      (parsed = yatai_link_parse_address (link->listen, NULL)) == NULL)
    return NULL;
  return addresses_at (link, g_network_address_get_port (G_NETWORK_ADDRESS (parsed)));
}

static void
link_publish (SyncTransport *transport,
              gint64         seq,
              GBytes        *bytes)
{
  SyncLink *link = (SyncLink *) transport;

  if (link->server != NULL)
    yatai_link_server_push (link->server, seq, bytes);
}

/* The follower */

static void
apply_ahead (YataiSyncEngine *self)
{
  SyncLink *link = engine_link (self);
  GBytes *bytes;
  gint64 next;

  for (;;)
    {
      next = sync_engine_next_position (self);
      if (self->phase != PHASE_FOLLOW || (bytes = g_hash_table_lookup (link->ahead, &next)) == NULL)
        return;
      {
        g_autoptr(GError) error = NULL;
        g_autoptr(YataiSegment) segment = yatai_segment_decode (bytes, next, self->chain, &error);

        g_hash_table_remove (link->ahead, &next);
        if (segment != NULL && sync_engine_epoch_refused (self, segment->epoch))
          {
            /* A device that no longer writes: two writers are never both followed. Another
             * address is tried next. */
            g_debug ("Segment %" G_GINT64_FORMAT " from the link refused: epoch %" G_GINT64_FORMAT
                     " is older than %" G_GINT64_FORMAT, next, segment->epoch, self->epoch);
            g_hash_table_remove_all (link->ahead);
            sync_engine_set_error (self, _("A device that no longer takes the orders sent changes on the local network; they were refused."));
            yatai_link_client_disconnect (link->client);
            return;
          }
        if (segment == NULL || segment->kind != YATAI_SEGMENT_LOG)
          {
            /* Sealed by a writer that then lost its seq to another, or damaged: the bucket decides. */
            g_debug ("Segment %" G_GINT64_FORMAT " from the link refused: %s", next,
                     error ? error->message : "kind");
            g_hash_table_remove_all (link->ahead);
            sync_engine_set_error (self, _("The shared history could not be read; restoring this device’s copy of the stall."));
            sync_engine_go (self, PHASE_RESTORE);
            return;
          }
        if (!sync_engine_apply_log_segment (self, segment, N_LANES))
          return;
      }
    }
}

static void
segment_cb (YataiLinkClient *client,
            gint64           seq,
            GBytes          *bytes,
            YataiSyncEngine *self)
{
  SyncLink *link = engine_link (self);

  if (self->phase != PHASE_FOLLOW || seq <= self->seq)
    return;
  if (g_hash_table_size (link->ahead) >= LINK_AHEAD_MAX)
    return;   /* far ahead: the bucket brings the gap, the link what follows it */
  g_hash_table_insert (link->ahead, g_memdup2 (&seq, sizeof seq), g_bytes_ref (bytes));
  apply_ahead (self);
  if (self->bucket == NULL && self->phase == PHASE_FOLLOW && g_hash_table_size (link->ahead) > 0 &&
      !g_hash_table_contains (link->ahead, &(gint64) { self->seq + 1 }))
    {
      /* Without a bucket nothing else brings the gap: the writer gives the whole stall. */
      g_debug ("Segments from %" G_GINT64_FORMAT " are missing on the link: asking for the stall", self->seq + 1);
      g_hash_table_remove_all (link->ahead);
      self->restore_from_link = TRUE;
      sync_engine_schedule (self, 0);
    }
}

/* Without a bucket: the writer gave the whole stall (this device restores, or is too far behind for
 * the segments it keeps). Taken as a restore from the bucket's snapshot/ would be. */
static void
snapshot_cb (YataiLinkClient *client,
             gint64           seq,
             GBytes          *bytes,
             YataiSyncEngine *self)
{
  SyncLink *link = engine_link (self);
  g_autoptr(GError) error = NULL;
  g_autoptr(YataiSegment) snapshot = NULL;

  if (self->phase != PHASE_FOLLOW || self->bucket != NULL)
    return;
  snapshot = yatai_segment_decode (bytes, -1, NULL, &error);
  if (snapshot == NULL || snapshot->kind != YATAI_SEGMENT_SNAPSHOT || snapshot->seq != seq ||
      sync_engine_epoch_refused (self, snapshot->epoch))
    {
      g_debug ("The stall from the link refused: %s", error ? error->message : "kind, seq or epoch");
      yatai_link_client_disconnect (client);
      return;
    }
  if (!sync_engine_restore_snapshot (self, snapshot, &error))
    {
      sync_engine_set_error (self, error->message);
      yatai_link_client_disconnect (client);
      return;
    }
  g_debug ("Restored the stall at seq %" G_GINT64_FORMAT " from the link", snapshot->seq);
  g_hash_table_remove_all (link->ahead);
  self->restore_from_link = FALSE;
  yatai_link_client_set_restoring (client, FALSE);
  sync_engine_load_position (self);
  sync_engine_set_error (self, NULL);
  sync_engine_notify_pending (self);
  sync_engine_check_awaiting (self);
  g_object_notify_by_pspec (G_OBJECT (self), sync_engine_properties[PROP_SEQ]);
  sync_engine_saw_epoch (self, snapshot->epoch);
}

static void
writer_trouble_cb (YataiSyncEngine *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), sync_engine_properties[PROP_WRITER_TROUBLE]);
}

static void
connected_cb (YataiLinkClient *client,
              GParamSpec      *pspec,
              YataiSyncEngine *self)
{
  SyncLink *link = engine_link (self);

  link->last_heard = g_get_monotonic_time ();
  g_object_notify (G_OBJECT (self), "link-writer");
  if (yatai_link_client_get_connected (client))
    {
      g_debug ("Following “%s” over the link at %s", yatai_link_client_get_writer_name (client),
               yatai_link_client_get_address (client));
      /* Without a bucket the status names the writer even while it cannot be reached. */
      if (self->bucket == NULL)
        {
          const char *pairs[] = { "sync_link_writer_name", yatai_link_client_get_writer_name (client),
                                  "sync_link_address", yatai_link_client_get_address (client), NULL };

          yatai_store_set_locals (self->store, pairs, NULL);
        }
    }
  else
    {
      /* Down: the bucket at once, and the link again in a moment. */
      link->retry_at = g_get_monotonic_time () + LINK_RETRY_MS * 1000;
      g_hash_table_remove_all (link->ahead);
      sync_engine_schedule (self, 0);
    }
}

static void
error_cb (YataiLinkClient *client,
          GParamSpec      *pspec,
          YataiSyncEngine *self)
{
  const GError *error = yatai_link_client_get_last_error (client);

  if (error != NULL && !g_error_matches (error, YATAI_LINK_ERROR, YATAI_LINK_ERROR_UNAVAILABLE))
    g_message ("%s", error->message);
  if (error != NULL)
    engine_link (self)->retry_at = g_get_monotonic_time () + LINK_RETRY_MS * 1000;
}

/* Where the writer may be: the address set by hand, then what DNS-SD found of the lease's holder, then
 * the addresses the holder wrote in the lease, then what DNS-SD found of any other device of the stall. */
static GPtrArray *
candidates (SyncLink *link)
{
  YataiSyncEngine *self = link->parent.engine;
  const YataiLease *lease = self->lease.lease;
  const char *holder = lease != NULL && !lease->released &&
                       g_strcmp0 (lease->device, yatai_store_get_device_id (self->store)) != 0
                       ? lease->device : NULL;
  GPtrArray *addresses = g_ptr_array_new_with_free_func (g_free);

  if (link->address != NULL)
    g_ptr_array_add (addresses, g_strdup (link->address));
  if (self->bucket == NULL || sync_engine_link_stall_follower (self))
    {
      /* Without a bucket (or before its writer started the one just set): where the device this one
       * handed over to serves, then the last writer followed (or the counter it was paired with). */
      g_autofree char *last = yatai_store_get_local (self->store, "sync_link_address");

      for (guint i = 0; self->grant != NULL && self->grant->link != NULL && self->grant->link[i] != NULL; i++)
        g_ptr_array_add (addresses, g_strdup (self->grant->link[i]));
      if (last != NULL && *last != '\0' &&
          !g_ptr_array_find_with_equal_func (addresses, last, g_str_equal, NULL))
        g_ptr_array_add (addresses, g_steal_pointer (&last));
    }
  if (link->discovery != NULL && holder != NULL)
    g_ptr_array_extend_and_steal (addresses, yatai_link_discovery_get_found (link->discovery, holder));
  for (guint i = 0; holder != NULL && lease->link != NULL && lease->link[i] != NULL; i++)
    if (!g_ptr_array_find_with_equal_func (addresses, lease->link[i], g_str_equal, NULL))
      g_ptr_array_add (addresses, g_strdup (lease->link[i]));
  if (link->discovery != NULL)
    {
      g_autoptr(GPtrArray) found = yatai_link_discovery_get_found (link->discovery, NULL);

      for (guint i = 0; i < found->len; i++)
        if (!g_ptr_array_find_with_equal_func (addresses, g_ptr_array_index (found, i), g_str_equal, NULL))
          g_ptr_array_add (addresses, g_strdup (g_ptr_array_index (found, i)));
    }
  return addresses;
}

static void
handover_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(YataiSyncEngine) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = yatai_link_client_command_finish (YATAI_LINK_CLIENT (source), result, &error);
  SyncLink *link;

  if (self->phase == PHASE_STOPPED || self->transports[TRANSPORT_LINK] == NULL)
    return;
  link = engine_link (self);
  self->asking_handover = FALSE;
  if (node == NULL)
    {
      /* Refused (the writer takes the orders itself) or not now: ask again later. */
      g_debug ("The writer did not hand the orders over: %s", error->message);
      self->handover_not_before = g_get_monotonic_time () +
                                  (g_error_matches (error, YATAI_LINK_ERROR, YATAI_LINK_ERROR_REFUSED)
                                   ? HANDOVER_REFUSED_MS : HANDOVER_RETRY_MS) * 1000;
      sync_engine_schedule (self, 0);
      return;
    }
  /* Taken at the next step, not inside the client's answer (taking it drops the client). */
  g_clear_pointer (&link->granted, json_node_unref);
  link->granted = g_steal_pointer (&node);
  sync_engine_schedule (self, 0);
}

/* A follower without a bucket that takes the orders asks the writer it follows to hand them over,
 * saying where it will serve the link so the old writer can follow it. */
static void
ask_handover (SyncLink *link,
              gint64    now)
{
  YataiSyncEngine *self = link->parent.engine;
  g_autoptr(JsonObject) args = json_object_new ();
  g_autoptr(JsonArray) array = json_array_new ();
  g_autoptr(YataiCommand) request = NULL;
  g_auto(GStrv) planned = planned_addresses (link);

  if (self->bucket != NULL || !self->preferred || self->follow_only || self->asking_handover ||
      now < self->handover_not_before || !link_connected (link))
    return;
  for (guint i = 0; planned != NULL && planned[i] != NULL; i++)
    json_array_add_string_element (array, planned[i]);
  json_object_set_array_member (args, "link", g_steal_pointer (&array));
  request = yatai_command_new (HANDOVER_KIND, args);
  yatai_command_set_device (request, yatai_store_get_device_id (self->store));
  yatai_command_set_device_name (request, yatai_store_get_device_name (self->store));
  g_debug ("This device takes the orders: asking “%s” on the link", yatai_link_client_get_writer_name (link->client));
  self->asking_handover = TRUE;
  yatai_link_client_command_async (link->client, request, self->cancellable, handover_cb, g_object_ref (self));
}

/* Without a bucket: the orders were handed to this device (take them), or this device handed them
 * over and serves the link only for the device it handed them to, until it sees the new epoch. */
static void
follow_handover (SyncLink *link,
                 gint64    now)
{
  YataiSyncEngine *self = link->parent.engine;

  if (self->bucket != NULL)
    return;
  if (link->granted != NULL)
    {
      g_autoptr(JsonNode) granted = g_steal_pointer (&link->granted);
      g_autoptr(GError) error = NULL;

      if (!sync_engine_take_over_from_link (self, granted, &error))
        {
          g_debug ("The orders handed over were not taken yet: %s", error->message);
          self->handover_not_before = now + (gint64) HANDOVER_POLL_MS * 1000;
          sync_engine_schedule (self, HANDOVER_POLL_MS);
        }
      return;
    }
  if (self->grant != NULL && link->server == NULL)
    serve (link);
  else if (self->grant == NULL && link->server != NULL)
    {
      /* The new writer is followed: nothing is served here any more. */
      yatai_link_server_set_command_func (link->server, NULL, NULL);
      g_clear_object (&link->server);
      if (link->discovery != NULL)
        yatai_link_discovery_withdraw (link->discovery);
    }
}

static void
link_follow (SyncTransport *transport,
             gint64         now)
{
  SyncLink *link = (SyncLink *) transport;
  YataiSyncEngine *self = transport->engine;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) addresses = NULL;

  if (link->bucket_only)
    return;
  follow_handover (link, now);
  if (self->phase != PHASE_FOLLOW)
    return;
  if (link->client == NULL)
    {
      g_autoptr(GTlsCertificate) certificate = yatai_link_key_load (self->store, &error);

      if (certificate == NULL)
        return;   /* the key comes with the log: try again when it has */
      ensure_discovery (link, certificate);
      if (link->discovery != NULL)
        yatai_link_discovery_browse (link->discovery);
      link->client = yatai_link_client_new (certificate, yatai_store_get_device_id (self->store),
                                            yatai_store_get_device_name (self->store));
      g_signal_connect (link->client, "segment", G_CALLBACK (segment_cb), self);
      g_signal_connect (link->client, "snapshot", G_CALLBACK (snapshot_cb), self);
      g_signal_connect (link->client, "notify::connected", G_CALLBACK (connected_cb), self);
      g_signal_connect (link->client, "notify::error", G_CALLBACK (error_cb), self);
      g_signal_connect_swapped (link->client, "notify::writer-trouble", G_CALLBACK (writer_trouble_cb), self);
    }
  if (self->restore_from_link && !yatai_link_client_get_connecting (link->client))
    {
      /* The copy cannot be trusted: connect again and ask for the whole stall. */
      self->restore_from_link = FALSE;
      yatai_link_client_set_restoring (link->client, TRUE);
      yatai_link_client_disconnect (link->client);
      link->retry_at = 0;
    }
  if (yatai_link_client_get_connected (link->client))
    ask_handover (link, now);
  if (yatai_link_client_get_connected (link->client) || yatai_link_client_get_connecting (link->client))
    return;
  if (now < link->retry_at)
    {
      sync_engine_schedule (self, (link->retry_at - now) / 1000 + 1);
      return;
    }
  addresses = candidates (link);
  if (addresses->len == 0)
    return;
  link->retry_at = now + LINK_RETRY_MS * 1000;
  yatai_link_client_connect (link->client, g_ptr_array_index (addresses, link->attempt++ % addresses->len),
                             self->seq + 1);
}

static gboolean
link_connected (SyncLink *link)
{
  return link->client != NULL && yatai_link_client_get_connected (link->client);
}

static gboolean
link_pushes (SyncTransport *transport)
{
  return link_connected ((SyncLink *) transport);
}

/* A command on its way over the link: which one, for its answer. */
typedef struct
{
  YataiSyncEngine *engine;
  char            *id;
} CommandSent;

static void
command_sent_free (CommandSent *sent)
{
  g_object_unref (sent->engine);
  g_free (sent->id);
  g_free (sent);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CommandSent, command_sent_free)

static void
command_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(CommandSent) sent = user_data;
  YataiSyncEngine *self = sent->engine;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = yatai_link_client_command_finish (YATAI_LINK_CLIENT (source), result, &error);

  if (self->phase == PHASE_STOPPED || !self->lanes[LANE_UPLOAD].busy)
    return;
  if (node == NULL && g_error_matches (error, YATAI_LINK_ERROR, YATAI_LINK_ERROR_UNAVAILABLE))
    {
      /* Not taken: through the inbox, which the writer reads in order. */
      engine_link (self)->bypass_until = g_get_monotonic_time () + LINK_BYPASS_MS * 1000;
      sync_engine_lane_done (self, LANE_UPLOAD, 0);
      return;
    }

  /* Applied or refused by the writer: either way it is done, and the segment that records it came
   * before this answer (a refusal the writer did not record is said from the answer). (The writer
   * answered, not the bucket: the internet's state is not changed.) */
  engine_link (self)->last_heard = g_get_monotonic_time ();
  if (node == NULL)
    sync_engine_command_refused (self, sent->id, error,
                                 yatai_link_client_get_writer_name (YATAI_LINK_CLIENT (source)));
  sync_engine_command_delivered (self);
}

static gboolean
link_send_command (SyncTransport *transport,
                   YataiCommand  *command,
                   const char    *json)
{
  SyncLink *link = (SyncLink *) transport;
  YataiSyncEngine *self = transport->engine;
  CommandSent *sent;

  if (!link_connected (link) || g_get_monotonic_time () < link->bypass_until)
    return FALSE;

  sent = g_new0 (CommandSent, 1);
  sent->engine = g_object_ref (self);
  sent->id = g_strdup (yatai_command_get_id (command));
  sync_engine_lane_start (self, LANE_UPLOAD);
  yatai_link_client_command_async (link->client, command, self->cancellable, command_cb, sent);
  return TRUE;
}

/* Both */

static void
link_writing_changed (SyncTransport *transport,
                      gboolean       writing)
{
  SyncLink *link = (SyncLink *) transport;

  if (writing)
    {
      if (link->client != NULL)
        {
          g_signal_handlers_disconnect_by_data (link->client, transport->engine);
          g_clear_object (&link->client);
        }
      serve (link);
    }
  else if (transport->engine->grant != NULL && link->server != NULL)
    /* Handed over without a bucket: served on for the device it was handed to only (its answer may be
     * lost), until the new writer is followed (follow_handover). */
    yatai_link_server_set_only_device (link->server, transport->engine->grant->device);
  else
    {
      g_clear_object (&link->server);
      if (link->discovery != NULL)
        yatai_link_discovery_withdraw (link->discovery);
    }
}

static void
link_clear (SyncTransport *transport)
{
  SyncLink *link = (SyncLink *) transport;

  if (link->client != NULL)
    {
      g_signal_handlers_disconnect_by_data (link->client, transport->engine);
      yatai_link_client_disconnect (link->client);
      g_clear_object (&link->client);
    }
  if (link->server != NULL)
    yatai_link_server_set_command_func (link->server, NULL, NULL);
  g_clear_object (&link->server);
  g_hash_table_remove_all (link->ahead);
  g_clear_pointer (&link->granted, json_node_unref);
  if (link->discovery != NULL)
    {
      g_signal_handlers_disconnect_by_data (link->discovery, transport->engine);
      g_clear_object (&link->discovery);
    }
}

static void
link_free (SyncTransport *transport)
{
  SyncLink *link = (SyncLink *) transport;

  link_clear (transport);
  g_free (link->listen);
  g_free (link->address);
  g_hash_table_unref (link->ahead);
  g_free (link);
}

static const SyncTransportClass link_class = {
  .name = "link",
  .writing_changed = link_writing_changed,
  .follow = link_follow,
  .pushes = link_pushes,
  .send_command = link_send_command,
  .publish = link_publish,
  .addresses = link_addresses,
  .clear = link_clear,
  .free = link_free,
};

SyncTransport *
sync_transport_link_new (YataiSyncEngine *engine)
{
  SyncLink *link = g_new0 (SyncLink, 1);

  link->parent.klass = &link_class;
  link->parent.engine = engine;
  link->ahead = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, (GDestroyNotify) g_bytes_unref);
  return &link->parent;
}

/* Public */

/**
 * yatai_sync_engine_set_link:
 * @listen: (nullable): where to serve the link while this device writes: "HOST:PORT", "" for every
 *   address and a free port, NULL for not at all
 * @writer: (nullable): the writer's "HOST:PORT", followed over the link while this device follows
 *
 * Call before yatai_sync_engine_start().
 */
void
yatai_sync_engine_set_link (YataiSyncEngine *self,
                            const char      *listen,
                            const char      *writer)
{
  SyncLink *link;

  g_return_if_fail (YATAI_IS_SYNC_ENGINE (self));

  link = engine_link (self);
  g_free (link->listen);
  link->listen = g_strdup (listen);
  g_free (link->address);
  link->address = writer && *writer ? g_strdup (writer) : NULL;
}

/**
 * yatai_sync_engine_set_link_follow:
 * @follow: %FALSE: while this device follows, it never connects to the writer's link and follows
 *   through the bucket alone, as a device off the venue network does (bench-link compares the two
 *   paths this way); %TRUE by default
 */
void
yatai_sync_engine_set_link_follow (YataiSyncEngine *self,
                                   gboolean         follow)
{
  g_return_if_fail (YATAI_IS_SYNC_ENGINE (self));
  engine_link (self)->bucket_only = !follow;
}

/* The port the link is served on while this device writes, or 0. */
guint16
yatai_sync_engine_get_link_port (YataiSyncEngine *self)
{
  g_return_val_if_fail (YATAI_IS_SYNC_ENGINE (self), 0);
  return engine_link (self)->server ? yatai_link_server_get_port (engine_link (self)->server) : 0;
}

/* The writer's name while this device follows it over the link, or NULL. */
const char *
yatai_sync_engine_get_link_writer (YataiSyncEngine *self)
{
  g_return_val_if_fail (YATAI_IS_SYNC_ENGINE (self), NULL);
  return link_connected (engine_link (self)) ? yatai_link_client_get_writer_name (engine_link (self)->client) : NULL;
}

/* The writer's trouble as the link tells it; @connected FALSE when this device does not follow it
 * there (the lease tells it then). */
const char *
sync_engine_link_writer_trouble (YataiSyncEngine *self,
                                 gboolean        *connected)
{
  SyncLink *link = engine_link (self);

  *connected = link_connected (link);
  return *connected ? yatai_link_client_get_writer_trouble (link->client) : NULL;
}

/* This writer's trouble, to every follower on the link. */
void
sync_engine_link_set_trouble (YataiSyncEngine *self,
                              const char      *trouble)
{
  SyncLink *link = engine_link (self);

  if (link != NULL && link->server != NULL)
    yatai_link_server_set_trouble (link->server, trouble);
}

/* When this follower last heard the writer on the link (monotonic µs; while it follows it there: now),
 * or 0 for never. */
gint64
yatai_sync_engine_get_last_link_contact (YataiSyncEngine *self)
{
  SyncLink *link;

  g_return_val_if_fail (YATAI_IS_SYNC_ENGINE (self), 0);
  link = engine_link (self);
  return link_connected (link) ? g_get_monotonic_time () : link->last_heard;
}

/* Returns: (transfer container): the devices following this one over the link. */
GPtrArray *
yatai_sync_engine_get_link_peers (YataiSyncEngine *self)
{
  g_return_val_if_fail (YATAI_IS_SYNC_ENGINE (self), NULL);
  if (engine_link (self)->server == NULL)
    return g_ptr_array_new_with_free_func (g_free);
  return yatai_link_server_get_peers (engine_link (self)->server);
}
