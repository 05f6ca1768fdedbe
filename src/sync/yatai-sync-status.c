/* yatai-sync-status.c: where this device stands, in words */
#define G_LOG_DOMAIN "yatai-sync-status"

#include "config.h"

#include <glib/gi18n.h>

#include "yatai-sync-status.h"

/* "4 s", "3 min", "2 h" */
char *
yatai_format_duration (gint64 seconds)
{
  int n = (int) CLAMP (seconds, 0, G_MAXINT);

  if (n < 60)
    /* Translators: a duration in seconds */
    return g_strdup_printf (_("%d s"), n);
  if (n < 3600)
    /* Translators: a duration in minutes */
    return g_strdup_printf (_("%d min"), n / 60);
  /* Translators: a duration in hours */
  return g_strdup_printf (_("%d h"), n / 3600);
}

static gint64
seconds_since (gint64 then,
               gint64 now)
{
  return then > 0 ? (now - then) / G_USEC_PER_SEC : -1;
}

/* Silence counts on both paths: a follower that hears the writer on the local network is not behind,
 * whatever the internet does, and one that hears neither is behind from the later of the two. */
gboolean
yatai_sync_status_is_stale (YataiSyncEngine *engine,
                            gint64           now,
                            gint64          *since)
{
  gint64 bucket, link;
  gboolean bucket_silent, link_silent;

  if (since != NULL)
    *since = 0;
  if (engine == NULL || yatai_sync_engine_get_role (engine) == YATAI_SYNC_WRITER ||
      yatai_sync_engine_get_role (engine) == YATAI_SYNC_STOPPED)
    return FALSE;
  if (yatai_sync_engine_get_link_writer (engine) != NULL)
    return FALSE;

  bucket = yatai_sync_engine_get_last_contact (engine);
  link = yatai_sync_engine_get_last_link_contact (engine);
  if (since != NULL)
    *since = MAX (bucket, link);
  if (bucket == 0 && link == 0)
    return yatai_sync_engine_get_role (engine) == YATAI_SYNC_FOLLOWER;
  bucket_silent = bucket == 0 || !yatai_sync_engine_get_online (engine) ||
                  seconds_since (bucket, now) >= YATAI_STALE_AFTER_SECONDS;
  link_silent = link == 0 || seconds_since (link, now) >= YATAI_STALE_AFTER_SECONDS;
  return bucket_silent && link_silent;
}

/* A stall without a bucket: there is no internet to speak of, only the writer on the local network. */
static char *
link_only_summary (YataiSyncEngine *engine,
                   gint64           pending)
{
  const char *holder = yatai_sync_engine_get_holder_name (engine);

  switch (yatai_sync_engine_get_role (engine))
    {
    case YATAI_SYNC_WRITER:
      return g_strdup (_("Takes the orders, no bucket"));
    case YATAI_SYNC_FOLLOWER:
      if (holder == NULL || *holder == '\0')
        holder = _("The writer");
      if (pending > 0)
        /* Translators: %s is the writer's name, which this device cannot reach on the local network */
        return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "“%s” cannot be reached, %d change waiting",
                                             "“%s” cannot be reached, %d changes waiting", pending),
                                holder, (int) pending);
      /* Translators: %s is the writer's name, which this device cannot reach on the local network */
      return g_strdup_printf (_("“%s” cannot be reached on the local network"), holder);
    case YATAI_SYNC_STOPPED:
      return g_strdup (_("Sync stopped"));
    case YATAI_SYNC_STARTING:
    default:
      return g_strdup (_("Connecting…"));
    }
}

/* The writer this device follows cannot apply what it sends (a full disk): said on every follower,
 * since its staff would else see "sending…" and nothing more. @details: the whole sentence. */
static char *
writer_trouble (YataiSyncEngine *engine,
                gboolean         details)
{
  const char *trouble = yatai_sync_engine_get_writer_trouble (engine);
  const char *holder = yatai_sync_engine_get_holder_name (engine);

  if (holder == NULL || *holder == '\0')
    holder = _("The writer");
  if (g_strcmp0 (trouble, "disk-full") == 0)
    return details
      /* Translators: %s is the writer's name */
      ? g_strdup_printf (_("“%s” cannot save: its disk is full. What is done here is kept and sent once it "
                           "has space again."), holder)
      /* Translators: %s is the writer's name */
      : g_strdup_printf (_("“%s” cannot save: its disk is full"), holder);
  return details
    /* Translators: %s is the writer's name */
    ? g_strdup_printf (_("“%s” cannot save at the moment. What is done here is kept and sent once it can."),
                       holder)
    /* Translators: %s is the writer's name */
    : g_strdup_printf (_("“%s” cannot save at the moment"), holder);
}

char *
yatai_sync_status_summary (YataiSyncEngine *engine,
                           gint64           now)
{
  gint64 pending;

  if (engine == NULL)
    return g_strdup (_("Local only"));

  pending = yatai_sync_engine_get_pending (engine);

  if (yatai_sync_engine_get_writer_trouble (engine) != NULL)
    return writer_trouble (engine, FALSE);

  if (yatai_sync_engine_get_link_writer (engine) != NULL)
    {
      if (!yatai_sync_engine_get_online (engine) && yatai_sync_engine_get_last_contact (engine) != 0)
        /* Translators: %s is the writer's name; the stall goes on without the internet */
        return g_strdup_printf (_("Following “%s” on the local network, no internet"),
                                yatai_sync_engine_get_link_writer (engine));
      /* Translators: %s is the writer's name */
      return g_strdup_printf (_("Following “%s” on the local network"), yatai_sync_engine_get_link_writer (engine));
    }

  if (yatai_sync_engine_get_link_only (engine))
    return link_only_summary (engine, pending);

  if (yatai_sync_engine_get_error (engine) != NULL && !yatai_sync_engine_get_online (engine))
    return g_strdup (_("Sync problem"));

  if (!yatai_sync_engine_get_online (engine) && yatai_sync_engine_get_last_contact (engine) != 0)
    {
      if (pending > 0)
        return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Offline, %d change waiting",
                                             "Offline, %d changes waiting", pending),
                                (int) pending);
      return g_strdup (_("Offline"));
    }

  switch (yatai_sync_engine_get_role (engine))
    {
    case YATAI_SYNC_WRITER:
      {
        gint64 upload = yatai_sync_engine_get_last_upload (engine);

        if (upload == 0)
          return g_strdup (_("Writer"));
        {
          g_autofree char *ago = yatai_format_duration ((g_get_real_time () - upload) / G_USEC_PER_SEC);
          /* Translators: %s is a duration such as "4 s" */
          return g_strdup_printf (_("Writer, last upload %s ago"), ago);
        }
      }

    case YATAI_SYNC_FOLLOWER:
      {
        const char *holder = yatai_sync_engine_get_holder_name (engine);
        gint64 quiet = seconds_since (yatai_sync_engine_get_last_contact (engine), now);

        if (yatai_sync_engine_get_takeover_available (engine))
          /* Translators: %s is the other device's name */
          return g_strdup_printf (_("“%s” stopped writing"), holder ? holder : _("The writer"));
        if (quiet >= YATAI_STALE_AFTER_SECONDS)
          {
            g_autofree char *behind = yatai_format_duration (quiet);
            /* Translators: first %s is the other device's name, second a duration such as "12 s" */
            return g_strdup_printf (_("Following “%s”, behind by %s"), holder ? holder : "", behind);
          }
        if (holder != NULL && *holder != '\0')
          /* Translators: %s is the writer's name, which cannot be reached on the local network */
          return g_strdup_printf (_("Following “%s” through the bucket"), holder);
        return g_strdup (_("Following"));
      }

    case YATAI_SYNC_STOPPED:
      return g_strdup (_("Sync stopped"));

    case YATAI_SYNC_STARTING:
    default:
      return g_strdup (_("Connecting…"));
    }
}

char *
yatai_sync_status_details (YataiSyncEngine *engine,
                           gint64           now)
{
  GString *out = g_string_new (NULL);
  const char *error;
  gint64 contact;

  if (engine == NULL)
    {
      g_string_append (out, _("This device keeps the stall’s data on its own. Set a bucket in Preferences to "
                              "share it with the other devices of the stall."));
      return g_string_free (out, FALSE);
    }

  switch (yatai_sync_engine_get_role (engine))
    {
    case YATAI_SYNC_WRITER:
      g_string_append (out, _("This device writes the stall’s data. The other devices follow it."));
      break;
    case YATAI_SYNC_FOLLOWER:
      g_string_append_printf (out, _("This device follows “%s”, which writes the stall’s data. What is done here "
                                     "is sent to it."),
                              yatai_sync_engine_get_holder_name (engine) ? yatai_sync_engine_get_holder_name (engine) : "");
      g_string_append_c (out, '\n');
      if (yatai_sync_engine_get_link_writer (engine) != NULL && yatai_sync_engine_get_link_only (engine))
        g_string_append_printf (out, _("Connected to “%s” on the local network: changes come at once."),
                                yatai_sync_engine_get_link_writer (engine));
      else if (yatai_sync_engine_get_link_writer (engine) != NULL)
        g_string_append_printf (out, _("Connected to “%s” on the local network: changes come at once, with or "
                                       "without the internet."),
                                yatai_sync_engine_get_link_writer (engine));
      else if (yatai_sync_engine_get_link_only (engine))
        g_string_append (out, _("The writer cannot be reached on the local network. What is done here waits "
                                "and is sent when it can be reached again."));
      else
        g_string_append (out, _("The writer is not reachable on the local network: changes come through the "
                                "bucket."));
      if (yatai_sync_engine_get_writer_trouble (engine) != NULL)
        {
          g_autofree char *trouble = writer_trouble (engine, TRUE);

          g_string_append_c (out, '\n');
          g_string_append (out, trouble);
        }
      break;
    default:
      g_string_append (out, _("This device is connecting to the bucket."));
      break;
    }

  if (yatai_sync_engine_get_link_only (engine))
    {
      g_string_append_c (out, '\n');
      g_string_append (out, _("This stall has no bucket: its data is kept on its devices only, and only the "
                              "device that takes the orders can hand them to another."));
    }
  g_string_append_c (out, '\n');
  g_string_append_printf (out, _("Changes in the shared history: %d"), (int) yatai_sync_engine_get_seq (engine));
  g_string_append_c (out, '\n');
  g_string_append_printf (out, _("Waiting to be sent: %d"), (int) yatai_sync_engine_get_pending (engine));
  if (yatai_sync_engine_get_role (engine) == YATAI_SYNC_WRITER)
    {
      g_autoptr(GPtrArray) peers = yatai_sync_engine_get_link_peers (engine);

      g_string_append_c (out, '\n');
      if (peers->len == 0)
        g_string_append (out, _("No device follows on the local network."));
      else
        {
          g_autoptr(GString) names = g_string_new (NULL);

          for (guint i = 0; i < peers->len; i++)
            {
              if (i > 0)
                g_string_append (names, ", ");
              g_string_append (names, g_ptr_array_index (peers, i));
            }
          /* Translators: %s is a list of device names with their addresses */
          g_string_append_printf (out, _("Following on the local network: %s"), names->str);
        }
    }
  if (yatai_sync_engine_get_online (engine) || yatai_sync_engine_get_last_contact (engine) != 0)
    {
      g_string_append_c (out, '\n');
      g_string_append (out, yatai_sync_engine_get_online (engine) ? _("The internet: the bucket answers.")
                                                                   : _("The internet: the bucket cannot be reached."));
    }

  contact = yatai_sync_engine_get_last_contact (engine);
  if (contact != 0)
    {
      g_autofree char *ago = yatai_format_duration (seconds_since (contact, now));

      g_string_append_c (out, '\n');
      g_string_append_printf (out, _("Last heard from the bucket %s ago"), ago);
    }

  error = yatai_sync_engine_get_error (engine);
  if (error != NULL)
    {
      g_string_append (out, "\n\n");
      g_string_append (out, error);
    }

  return g_string_free (out, FALSE);
}
