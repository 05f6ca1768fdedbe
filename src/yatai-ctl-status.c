/* yatai-ctl-status.c: `yatai-ctl status`, the stall as the bucket has it beside this store's place
 *
 * Reads the lease and lists the log and the snapshots itself, without starting a sync engine: a status
 * changes nothing in the store (a new store is not restored by asking), and it prints what the bucket
 * says, not what this store last saw. Every request has a few seconds; past them it says so in words.
 */
#define G_LOG_DOMAIN "yatai-ctl"

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "yatai-ctl-status.h"
#include "yatai-lease.h"
#include "yatai-link-client.h"
#include "yatai-link-key.h"
#include "yatai-segment.h"
#include "yatai-store-journal.h"

typedef struct
{
  GAsyncResult *result;
} Wait;

static void
done_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      data)
{
  ((Wait *) data)->result = g_object_ref (result);
}

static GAsyncResult *
wait_for (Wait *wait)
{
  while (wait->result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return wait->result;
}

/* The highest seq of @kind among @names, -1 for none. */
static gint64
highest (GPtrArray        *names,
         YataiSegmentKind  kind)
{
  gint64 head = -1;

  for (guint i = 0; i < names->len; i++)
    {
      YataiSegmentKind k;
      gint64 seq;

      if (yatai_segment_parse_name (g_ptr_array_index (names, i), &k, &seq) && k == kind)
        head = MAX (head, seq);
    }
  return head;
}

static void
print_failure (const GError *error,
               guint         seconds)
{
  if (yatai_bucket_error_is_setting (error))
    g_printerr ("yatai-ctl: %s\n", error->message);
  else
    /* TRANSLATORS: %u is a number of seconds, %s the reason as the network gave it. */
    g_printerr (_("yatai-ctl: The bucket did not answer within %u seconds (%s). Check the network and the "
                  "bucket’s address.\n"), seconds, error->message);
}

/* The writer on the venue link: asked at the address set by hand, then at those in the lease, for its
 * name and the devices following it. Each address has @seconds. */
static void
print_link (YataiStore       *store,
            const YataiLease *lease,
            const char       *link,
            guint             seconds)
{
  g_autoptr(GPtrArray) addresses = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autoptr(YataiLinkClient) client = NULL;
  g_autofree char *seq = yatai_store_get_local (store, "sync_seq");
  g_autofree char *written = NULL;

  if (lease != NULL && lease->link != NULL && !lease->released)
    written = g_strjoinv (", ", lease->link);
  printf ("link addresses: %s\n", written ? written : "-");
  if (link != NULL && *link != '\0')
    g_ptr_array_add (addresses, g_strdup (link));
  for (guint i = 0; written != NULL && lease->link[i] != NULL; i++)
    g_ptr_array_add (addresses, g_strdup (lease->link[i]));
  if (addresses->len == 0 || (certificate = yatai_link_key_load (store, NULL)) == NULL)
    {
      printf ("link: -\n");
      return;
    }

  client = yatai_link_client_new (certificate, yatai_store_get_device_id (store), yatai_store_get_device_name (store));
  for (guint i = 0; i < addresses->len; i++)
    {
      gint64 deadline = g_get_monotonic_time () + (gint64) seconds * G_USEC_PER_SEC;
      const char *address = g_ptr_array_index (addresses, i);
      const char * const *peers;
      g_autofree char *names = NULL;

      yatai_link_client_connect (client, address, (seq ? g_ascii_strtoll (seq, NULL, 10) : 0) + 1);
      /* Until the writer's welcome, a refusal, or the time is up. */
      while ((yatai_link_client_get_connecting (client) ||
              (yatai_link_client_get_connected (client) && yatai_link_client_get_writer_name (client) == NULL)) &&
             g_get_monotonic_time () < deadline)
        {
          if (!g_main_context_iteration (NULL, FALSE))
            g_usleep (1000);
        }
      if (yatai_link_client_get_writer_name (client) == NULL)
        {
          yatai_link_client_disconnect (client);
          continue;
        }
      peers = yatai_link_client_get_writer_peers (client);
      names = peers != NULL && peers[0] != NULL ? g_strjoinv (", ", (char **) peers) : NULL;
      printf ("link: %s at %s\nlink peers: %s\n", yatai_link_client_get_writer_name (client), address,
              names ? names : "-");
      yatai_link_client_disconnect (client);
      return;
    }
  printf ("link: not reachable on the local network (%s)\n",
          yatai_link_client_get_error (client) ? yatai_link_client_get_error (client) : "-");
}

/* Prints the lease (holder, epoch, whether released), the log's head and the newest snapshot as the
 * bucket has them, then this store's position. Returns the exit status. */
int
ctl_print_status (YataiBucket *bucket,
                  const char  *prefix,
                  YataiStore  *store,
                  const char  *link,
                  guint        seconds)
{
  g_autofree char *lease_name = g_strconcat (prefix, "/lease", NULL);
  g_autofree char *log_prefix = g_strconcat (prefix, "/log/", NULL);
  g_autofree char *snapshot_prefix = g_strconcat (prefix, "/snapshot/", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(YataiLease) lease = NULL;
  g_autoptr(GPtrArray) logs = NULL;
  g_autoptr(GPtrArray) snapshots = NULL;
  g_autofree char *seq = yatai_store_get_local (store, "sync_seq");
  g_autofree char *epoch = yatai_store_get_local (store, "sync_epoch");
  g_autofree char *joined = yatai_store_get_local (store, "sync_joined");
  g_autofree char *outgoing = yatai_store_get_local (store, "sync_outgoing");
  g_autoptr(JsonNode) queued = outgoing ? json_from_string (outgoing, NULL) : NULL;
  gint64 log_head, snapshot_head, waiting;
  Wait w = { 0 };

  yatai_bucket_read_async (bucket, lease_name, NULL, done_cb, &w);
  bytes = yatai_bucket_read_finish (bucket, wait_for (&w), NULL, &error);
  g_clear_object (&w.result);
  if (bytes == NULL && !g_error_matches (error, YATAI_BUCKET_ERROR, YATAI_BUCKET_ERROR_NOT_FOUND))
    {
      print_failure (error, seconds);
      return 1;
    }
  g_clear_error (&error);
  if (bytes != NULL)
    {
      lease = yatai_lease_parse (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), &error);
      if (lease == NULL)
        {
          g_printerr ("yatai-ctl: %s\n", error->message);
          return 1;
        }
    }

  yatai_bucket_list_async (bucket, log_prefix, NULL, done_cb, &w);
  logs = yatai_bucket_list_finish (bucket, wait_for (&w), &error);
  g_clear_object (&w.result);
  if (logs != NULL)
    {
      yatai_bucket_list_async (bucket, snapshot_prefix, NULL, done_cb, &w);
      snapshots = yatai_bucket_list_finish (bucket, wait_for (&w), &error);
      g_clear_object (&w.result);
    }
  if (logs == NULL || snapshots == NULL)
    {
      print_failure (error, seconds);
      return 1;
    }
  log_head = highest (logs, YATAI_SEGMENT_LOG);
  snapshot_head = highest (snapshots, YATAI_SEGMENT_SNAPSHOT);
  waiting = yatai_store_outbox_count (store) +
            (queued != NULL && JSON_NODE_HOLDS_ARRAY (queued) ? json_array_get_length (json_node_get_array (queued)) : 0);

  /* The bucket's view, then this store's: the lines are for people and for scripts (key: value). */
  if (lease == NULL)
    printf ("lease holder: -\nlease epoch: -\nlease: none yet (no device has written this stall)\n");
  else
    printf ("lease holder: %s\nlease epoch: %" G_GINT64_FORMAT "\nlease: %s\n",
            lease->device_name ? lease->device_name : lease->device, lease->epoch,
            lease->released ? "released" : g_strcmp0 (lease->device, yatai_store_get_device_id (store)) == 0
                                             ? "held by this device" : "held");
  if (log_head < 0)
    printf ("log head: -\n");
  else
    printf ("log head: %" G_GINT64_FORMAT "\n", log_head);
  if (snapshot_head < 0)
    printf ("newest snapshot: -\n");
  else
    printf ("newest snapshot: %" G_GINT64_FORMAT "\n", snapshot_head);
  if (g_strcmp0 (joined, prefix) == 0)
    printf ("this store: log position %s, epoch %s\n", seq ? seq : "0", epoch ? epoch : "0");
  else
    printf ("this store: not part of this stall yet\n");
  printf ("waiting to be sent: %" G_GINT64_FORMAT "\nonline: yes\n", waiting);
  print_link (store, lease, link, MIN (seconds, 3));
  fflush (stdout);
  return 0;
}
