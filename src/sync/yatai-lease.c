/* yatai-lease.c: the lease object and the rules of taking it */
#define G_LOG_DOMAIN "yatai-lease"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "yatai-command.h"
#include "yatai-lease.h"
#include "yatai-segment.h"

YataiLease *
yatai_lease_new (const char *device,
                 const char *device_name,
                 gint64      epoch)
{
  YataiLease *lease = g_new0 (YataiLease, 1);

  lease->device = g_strdup (device);
  lease->device_name = g_strdup (device_name);
  lease->epoch = epoch;
  lease->ttl_ms = YATAI_LEASE_TTL_MS;
  lease->head = -1;
  return lease;
}

void
yatai_lease_free (YataiLease *lease)
{
  if (lease == NULL)
    return;
  g_free (lease->device);
  g_free (lease->device_name);
  g_strfreev (lease->link);
  g_free (lease->trouble);
  g_free (lease);
}

YataiLease *
yatai_lease_copy (const YataiLease *lease)
{
  YataiLease *copy;

  g_return_val_if_fail (lease != NULL, NULL);

  copy = yatai_lease_new (lease->device, lease->device_name, lease->epoch);
  copy->ttl_ms = lease->ttl_ms;
  copy->released = lease->released;
  copy->renewed = lease->renewed;
  copy->head = lease->head;
  copy->link = g_strdupv (lease->link);
  copy->trouble = g_strdup (lease->trouble);
  return copy;
}

char *
yatai_lease_to_json (const YataiLease *lease)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  g_return_val_if_fail (lease != NULL, NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "format");
  json_builder_add_int_value (builder, YATAI_LEASE_FORMAT);
  json_builder_set_member_name (builder, "device");
  json_builder_add_string_value (builder, lease->device);
  json_builder_set_member_name (builder, "device_name");
  json_builder_add_string_value (builder, lease->device_name ? lease->device_name : "");
  json_builder_set_member_name (builder, "epoch");
  json_builder_add_int_value (builder, lease->epoch);
  json_builder_set_member_name (builder, "ttl_ms");
  json_builder_add_int_value (builder, lease->ttl_ms);
  json_builder_set_member_name (builder, "released");
  json_builder_add_boolean_value (builder, lease->released);
  json_builder_set_member_name (builder, "renewed");
  json_builder_add_int_value (builder, lease->renewed);
  if (lease->head >= 0)
    {
      json_builder_set_member_name (builder, "head");
      json_builder_add_int_value (builder, lease->head);
    }
  if (lease->link != NULL && lease->link[0] != NULL)
    {
      json_builder_set_member_name (builder, "link");
      json_builder_begin_array (builder);
      for (guint i = 0; lease->link[i] != NULL && i < YATAI_LEASE_MAX_LINK; i++)
        json_builder_add_string_value (builder, lease->link[i]);
      json_builder_end_array (builder);
    }
  if (lease->trouble != NULL)
    {
      json_builder_set_member_name (builder, "trouble");
      json_builder_add_string_value (builder, lease->trouble);
    }
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  return json_to_string (root, FALSE);
}

static YataiLease *
refuse (GError **error)
{
  g_set_error (error, YATAI_SEGMENT_ERROR, YATAI_SEGMENT_ERROR_MALFORMED,
               _("The bucket’s lease is damaged or is not Yatai’s."));
  return NULL;
}

YataiLease *
yatai_lease_parse (const char  *data,
                   gsize        length,
                   GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(YataiLease) lease = NULL;
  JsonObject *object;
  JsonNode *node;
  gint64 format;

  if (data == NULL || length == 0 || length > YATAI_LEASE_MAX_BYTES)
    return refuse (error);

  node = yatai_json_parse_one (parser, data, length);
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return refuse (error);
  object = json_node_get_object (node);

#define HAS(name, type) (json_object_has_member (object, name) && \
                         JSON_NODE_HOLDS_VALUE (json_object_get_member (object, name)) && \
                         json_node_get_value_type (json_object_get_member (object, name)) == type)

  if (!HAS ("format", G_TYPE_INT64) || !HAS ("device", G_TYPE_STRING) || !HAS ("epoch", G_TYPE_INT64) ||
      !HAS ("ttl_ms", G_TYPE_INT64) || !HAS ("released", G_TYPE_BOOLEAN))
    return refuse (error);

  format = json_object_get_int_member (object, "format");
  if (format > YATAI_LEASE_FORMAT)
    {
      g_set_error (error, YATAI_SEGMENT_ERROR, YATAI_SEGMENT_ERROR_VERSION,
                   _("Another device uses a newer version of Yatai. Update Yatai on this device."));
      return NULL;
    }

  lease = yatai_lease_new (json_object_get_string_member (object, "device"),
                           HAS ("device_name", G_TYPE_STRING)
                           ? json_object_get_string_member (object, "device_name") : "",
                           json_object_get_int_member (object, "epoch"));
  lease->ttl_ms = json_object_get_int_member (object, "ttl_ms");
  lease->released = json_object_get_boolean_member (object, "released");
  if (HAS ("renewed", G_TYPE_INT64))
    lease->renewed = json_object_get_int_member (object, "renewed");
  /* A lease written by an older Yatai does not say where the log is: it still works. */
  if (json_object_has_member (object, "head"))
    {
      if (!HAS ("head", G_TYPE_INT64))
        return refuse (error);
      lease->head = json_object_get_int_member (object, "head");
    }
  /* Where the holder serves the venue link: only a hint (what the link carries is checked with the
   * stall's key), so what does not look like an address is left out rather than refused. */
  if (json_object_has_member (object, "link") && JSON_NODE_HOLDS_ARRAY (json_object_get_member (object, "link")))
    {
      JsonArray *array = json_object_get_array_member (object, "link");
      g_autoptr(GStrvBuilder) addresses = g_strv_builder_new ();

      for (guint i = 0; i < json_array_get_length (array) && i < YATAI_LEASE_MAX_LINK; i++)
        {
          JsonNode *element = json_array_get_element (array, i);
          const char *text;

          if (!JSON_NODE_HOLDS_VALUE (element) || json_node_get_value_type (element) != G_TYPE_STRING)
            continue;
          text = json_node_get_string (element);
          if (*text != '\0' && strlen (text) <= YATAI_LEASE_MAX_LINK_CHARS && g_utf8_validate (text, -1, NULL) &&
              strpbrk (text, " /\\?#@") == NULL)
            g_strv_builder_add (addresses, text);
        }
      lease->link = g_strv_builder_end (addresses);
    }
  /* Why the holder cannot apply commands (a full disk): only said to the followers' staff, so a name
   * this version does not know reads as the plain "cannot save", and what is not one is left out. */
  if (HAS ("trouble", G_TYPE_STRING))
    {
      const char *trouble = json_object_get_string_member (object, "trouble");

      if (*trouble != '\0' && strlen (trouble) <= 64 && g_utf8_validate (trouble, -1, NULL))
        lease->trouble = g_strdup (trouble);
    }
#undef HAS

  if (format < 1 || lease->epoch < 1 || lease->epoch > YATAI_LEASE_MAX_EPOCH || *lease->device == '\0' ||
      lease->head < -1 || (lease->head == -1 && json_object_has_member (object, "head")))
    return refuse (error);

  return g_steal_pointer (&lease);
}

/**
 * yatai_lease_check_rules:
 * @ttl_ms: Yatai's TTL (the engine's; YATAI_LEASE_TTL_MS outside tests)
 * @min_epoch: the highest epoch this device has seen, in the lease or the log
 *
 * The rules a lease that parsed must also follow before a device obeys it: the TTL is Yatai's, not
 * the holder's to choose, and epochs only count up. A lease that breaks them is a damaged object.
 */
gboolean
yatai_lease_check_rules (const YataiLease  *lease,
                         gint64             ttl_ms,
                         gint64             min_epoch,
                         GError           **error)
{
  g_return_val_if_fail (lease != NULL, FALSE);

  if (lease->ttl_ms != ttl_ms)
    {
      g_set_error (error, YATAI_SEGMENT_ERROR, YATAI_SEGMENT_ERROR_MALFORMED,
                   _("The bucket’s lease gives its holder %lld ms instead of Yatai’s %lld ms."),
                   (long long) lease->ttl_ms, (long long) ttl_ms);
      return FALSE;
    }
  if (lease->epoch < min_epoch)
    {
      g_set_error (error, YATAI_SEGMENT_ERROR, YATAI_SEGMENT_ERROR_MALFORMED,
                   _("The bucket’s lease counts writers backwards (epoch %lld after %lld)."),
                   (long long) lease->epoch, (long long) min_epoch);
      return FALSE;
    }
  return TRUE;
}

void
yatai_lease_view_clear (YataiLeaseView *view)
{
  g_clear_pointer (&view->lease, yatai_lease_free);
  view->generation = 0;
  view->seen_since = 0;
  view->damaged = FALSE;
}

/* Takes @lease. The silence clock restarts only when the generation changes. */
void
yatai_lease_view_update (YataiLeaseView *view,
                         YataiLease     *lease,
                         gint64          generation,
                         gint64          now_monotonic)
{
  if (generation != view->generation || view->seen_since == 0)
    view->seen_since = now_monotonic;
  g_clear_pointer (&view->lease, yatai_lease_free);
  view->lease = lease;
  view->generation = lease ? generation : 0;
  view->damaged = FALSE;
  if (lease != NULL)
    view->max_epoch = MAX (view->max_epoch, lease->epoch);
}

/* The lease object at @generation is damaged or breaks the rules: it is nobody's, and its silence
 * counts from when this generation was first seen, like any other. */
void
yatai_lease_view_update_damaged (YataiLeaseView *view,
                                 gint64          generation,
                                 gint64          now_monotonic)
{
  if (generation != view->generation || view->seen_since == 0)
    view->seen_since = now_monotonic;
  g_clear_pointer (&view->lease, yatai_lease_free);
  view->generation = generation;
  view->damaged = TRUE;
}

gint64
yatai_lease_view_silent_ms (const YataiLeaseView *view,
                            gint64                now_monotonic)
{
  return MAX (0, (now_monotonic - view->seen_since) / 1000);
}

/* @ttl_ms is Yatai's TTL: the silence a holder may keep is not the holder's to choose. */
YataiLeaseVerdict
yatai_lease_view_verdict (const YataiLeaseView *view,
                          const char           *device,
                          gint64                ttl_ms,
                          gint64                now_monotonic)
{
  if (view->lease == NULL && !view->damaged)
    return YATAI_LEASE_CREATE;
  if (view->lease != NULL && g_strcmp0 (view->lease->device, device) == 0 && !view->lease->released)
    return YATAI_LEASE_MINE;
  if (view->lease != NULL && view->lease->released)
    return YATAI_LEASE_CLAIM;
  if (yatai_lease_view_silent_ms (view, now_monotonic) > ttl_ms)
    return YATAI_LEASE_EXPIRED;
  return YATAI_LEASE_HELD;
}
