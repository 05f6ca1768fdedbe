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

gboolean
yatai_sync_status_is_stale (YataiSyncEngine *engine,
                            gint64           now,
                            gint64          *since)
{
  gint64 last;

  if (since != NULL)
    *since = 0;
  if (engine == NULL || yatai_sync_engine_get_role (engine) == YATAI_SYNC_WRITER ||
      yatai_sync_engine_get_role (engine) == YATAI_SYNC_STOPPED)
    return FALSE;

  last = yatai_sync_engine_get_last_contact (engine);
  if (since != NULL)
    *since = last;
  if (last == 0)
    return yatai_sync_engine_get_role (engine) == YATAI_SYNC_FOLLOWER;
  return !yatai_sync_engine_get_online (engine) ||
         seconds_since (last, now) >= YATAI_STALE_AFTER_SECONDS;
}

char *
yatai_sync_status_summary (YataiSyncEngine *engine,
                           gint64           now)
{
  gint64 pending;

  if (engine == NULL)
    return g_strdup (_("Local only"));

  pending = yatai_sync_engine_get_pending (engine);

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
          return g_strdup_printf (_("Following “%s”"), holder);
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
      break;
    default:
      g_string_append (out, _("This device is connecting to the bucket."));
      break;
    }

  g_string_append_c (out, '\n');
  g_string_append_printf (out, _("Changes in the shared history: %d"), (int) yatai_sync_engine_get_seq (engine));
  g_string_append_c (out, '\n');
  g_string_append_printf (out, _("Waiting to be sent: %d"), (int) yatai_sync_engine_get_pending (engine));

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
