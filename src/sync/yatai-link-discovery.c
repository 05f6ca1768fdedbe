/* yatai-link-discovery.c: DNS-SD for the venue link and for pairing, over avahi-client on GLib's main loop
 *
 * avahi-client runs on any main loop given as an AvahiPoll. Avahi's own adapter for GLib (avahi-glib)
 * is not in the Flatpak's GNOME runtime, which has avahi-client only (tests/flatpak-manifest-check.py),
 * so the few lines of that adapter are here: a watch is a GLib fd source, a timeout a GLib timeout. */
#define G_LOG_DOMAIN "yatai-link"

#include "config.h"

#include <avahi-client/client.h>
#include <avahi-client/lookup.h>
#include <avahi-client/publish.h>
#include <avahi-common/alternative.h>
#include <avahi-common/error.h>
#include <avahi-common/malloc.h>
#include <avahi-common/timeval.h>
#include <glib-unix.h>
#include <glib/gi18n.h>

#include "yatai-link-discovery.h"
#include "yatai-text.h"

#define STALL_ID_CHARS  16
#define MAX_FOUND       32

typedef struct
{
  char   *key;         /* interface, protocol and name: what the browser says is gone */
  char   *device;
  char   *address;     /* HOST:PORT */
} Found;

struct _YataiLinkDiscovery
{
  GObject              parent_instance;

  char                *stall_id;       /* NULL: pairing's service, any counter's */
  char                *device_id;      /* pairing: this counter's device name */
  const char          *service_type;
  AvahiPoll            poll;
  AvahiClient         *client;
  AvahiEntryGroup     *group;
  AvahiServiceBrowser *browser;
  char                *service_name;
  guint16              port;           /* published, or to be once the daemon is there; 0: none */
  gboolean             browsing;
  GPtrArray           *found;          /* Found* */
};

G_DEFINE_FINAL_TYPE (YataiLinkDiscovery, yatai_link_discovery, G_TYPE_OBJECT)

enum { CHANGED, N_SIGNALS };
static guint signals[N_SIGNALS];

static void
found_free (Found *found)
{
  g_free (found->key);
  g_free (found->device);
  g_free (found->address);
  g_free (found);
}

/* The stall's id in the TXT record: the start of the SHA-256 of its certificate, which every device of
 * the stall holds and any peer sees in the TLS handshake anyway. */
char *
yatai_link_discovery_stall_id (GTlsCertificate *stall)
{
  g_autoptr(GByteArray) der = NULL;
  g_autofree char *digest = NULL;

  g_return_val_if_fail (G_IS_TLS_CERTIFICATE (stall), NULL);
  g_object_get (stall, "certificate", &der, NULL);
  if (der == NULL)
    return NULL;
  digest = g_compute_checksum_for_data (G_CHECKSUM_SHA256, der->data, der->len);
  return g_strndup (digest, STALL_ID_CHARS);
}

/* Avahi's main loop on GLib's */

struct AvahiWatch
{
  int                 fd;
  AvahiWatchEvent     wanted;
  AvahiWatchEvent     happened;
  GSource            *source;
  AvahiWatchCallback  callback;
  void               *user_data;
};

struct AvahiTimeout
{
  guint                id;
  AvahiTimeoutCallback callback;
  void                *user_data;
};

static GIOCondition
to_condition (AvahiWatchEvent event)
{
  return (event & AVAHI_WATCH_IN ? G_IO_IN : 0) | (event & AVAHI_WATCH_OUT ? G_IO_OUT : 0) |
         (event & AVAHI_WATCH_ERR ? G_IO_ERR : 0) | (event & AVAHI_WATCH_HUP ? G_IO_HUP : 0);
}

static gboolean
watch_cb (int          fd,
          GIOCondition condition,
          gpointer     user_data)
{
  AvahiWatch *watch = user_data;

  watch->happened = (condition & G_IO_IN ? AVAHI_WATCH_IN : 0) | (condition & G_IO_OUT ? AVAHI_WATCH_OUT : 0) |
                    (condition & G_IO_ERR ? AVAHI_WATCH_ERR : 0) | (condition & G_IO_HUP ? AVAHI_WATCH_HUP : 0);
  /* May free or update the watch: nothing of it is touched after. */
  watch->callback (watch, fd, watch->happened, watch->user_data);
  return G_SOURCE_CONTINUE;
}

static void
watch_update (AvahiWatch      *watch,
              AvahiWatchEvent  event)
{
  if (watch->source != NULL)
    {
      g_source_destroy (watch->source);
      g_clear_pointer (&watch->source, g_source_unref);
    }
  watch->wanted = event;
  watch->source = g_unix_fd_source_new (watch->fd, to_condition (event));
  g_source_set_callback (watch->source, G_SOURCE_FUNC (watch_cb), watch, NULL);
  g_source_attach (watch->source, NULL);
}

static AvahiWatch *
watch_new (const AvahiPoll    *api,
           int                 fd,
           AvahiWatchEvent     event,
           AvahiWatchCallback  callback,
           void               *user_data)
{
  AvahiWatch *watch = g_new0 (AvahiWatch, 1);

  watch->fd = fd;
  watch->callback = callback;
  watch->user_data = user_data;
  watch_update (watch, event);
  return watch;
}

static AvahiWatchEvent
watch_get_events (AvahiWatch *watch)
{
  return watch->happened;
}

static void
watch_free (AvahiWatch *watch)
{
  g_source_destroy (watch->source);
  g_source_unref (watch->source);
  g_free (watch);
}

static gboolean
timeout_cb (gpointer user_data)
{
  AvahiTimeout *timeout = user_data;

  timeout->id = 0;
  /* May free or update the timeout. */
  timeout->callback (timeout, timeout->user_data);
  return G_SOURCE_REMOVE;
}

/* @tv is a wall-clock time to fire at, NULL for never. */
static void
timeout_update (AvahiTimeout         *timeout,
                const struct timeval *tv)
{
  g_clear_handle_id (&timeout->id, g_source_remove);
  if (tv != NULL)
    {
      AvahiUsec age = avahi_age (tv);

      timeout->id = g_timeout_add (age >= 0 ? 0 : (guint) ((-age + 999) / 1000), timeout_cb, timeout);
    }
}

static AvahiTimeout *
timeout_new (const AvahiPoll      *api,
             const struct timeval *tv,
             AvahiTimeoutCallback  callback,
             void                 *user_data)
{
  AvahiTimeout *timeout = g_new0 (AvahiTimeout, 1);

  timeout->callback = callback;
  timeout->user_data = user_data;
  timeout_update (timeout, tv);
  return timeout;
}

static void
timeout_free (AvahiTimeout *timeout)
{
  g_clear_handle_id (&timeout->id, g_source_remove);
  g_free (timeout);
}

/* Publishing */

/* A DNS-SD name is at most 63 bytes: the device's name, cut at a character's end. */
static char *
pair_service_name (const char *device_name)
{
  const char *end = device_name;

  while (*end != '\0')
    {
      const char *next = g_utf8_next_char (end);

      if (next - device_name > 63)
        break;
      end = next;
    }
  return end > device_name ? g_strndup (device_name, end - device_name) : g_strdup ("Yatai");
}

static void publish_now (YataiLinkDiscovery *self);

/* Another service has the name (two writers of one stall a moment apart, or a stranger's): the next
 * of Avahi's alternative names. */
static void
next_service_name (YataiLinkDiscovery *self)
{
  char *alternative = avahi_alternative_service_name (self->service_name);

  g_free (self->service_name);
  self->service_name = g_strdup (alternative);
  avahi_free (alternative);
}

static void
group_cb (AvahiEntryGroup      *group,
          AvahiEntryGroupState  state,
          void                 *user_data)
{
  YataiLinkDiscovery *self = user_data;

  if (state == AVAHI_ENTRY_GROUP_COLLISION)
    {
      next_service_name (self);
      avahi_entry_group_reset (group);
      publish_now (self);
    }
  else if (state == AVAHI_ENTRY_GROUP_ESTABLISHED)
    g_debug ("Published %s “%s” on port %u", self->service_type, self->service_name, self->port);
  else if (state == AVAHI_ENTRY_GROUP_FAILURE)
    g_debug ("The link could not be published: %s",
             avahi_strerror (avahi_client_errno (avahi_entry_group_get_client (group))));
}

static void
publish_now (YataiLinkDiscovery *self)
{
  g_autofree char *stall = NULL;
  g_autofree char *device = NULL;
  int ret;

  if (self->client == NULL || self->port == 0 ||
      avahi_client_get_state (self->client) != AVAHI_CLIENT_S_RUNNING)
    return;
  if (self->group == NULL)
    self->group = avahi_entry_group_new (self->client, group_cb, self);
  if (self->group == NULL || !avahi_entry_group_is_empty (self->group))
    return;
  if (self->service_name == NULL && self->stall_id != NULL)
    self->service_name = g_strdup_printf ("Yatai %s", self->stall_id);
  else if (self->service_name == NULL)
    self->service_name = pair_service_name (self->device_id);

  if (self->stall_id != NULL)
    {
      stall = g_strconcat ("stall=", self->stall_id, NULL);
      device = g_strconcat ("device=", self->device_id, NULL);
    }
  else
    {
      /* Pairing: the counter's name for a person to choose it by, and nothing secret. */
      stall = g_strdup ("v=1");
      device = g_strconcat ("name=", self->device_id, NULL);
    }
  ret = avahi_entry_group_add_service (self->group, AVAHI_IF_UNSPEC, AVAHI_PROTO_UNSPEC, 0,
                                       self->service_name, self->service_type, NULL, NULL, self->port,
                                       stall, device, self->stall_id != NULL ? "v=1" : NULL, NULL);
  if (ret == AVAHI_ERR_COLLISION)
    {
      next_service_name (self);
      publish_now (self);
      return;
    }
  if (ret < 0 || (ret = avahi_entry_group_commit (self->group)) < 0)
    g_debug ("The link could not be published: %s", avahi_strerror (ret));
}

void
yatai_link_discovery_publish (YataiLinkDiscovery *self,
                              guint16             port)
{
  g_return_if_fail (YATAI_IS_LINK_DISCOVERY (self));
  g_return_if_fail (port > 0);

  if (self->port != port && self->group != NULL)
    avahi_entry_group_reset (self->group);
  self->port = port;
  publish_now (self);
}

void
yatai_link_discovery_withdraw (YataiLinkDiscovery *self)
{
  g_return_if_fail (YATAI_IS_LINK_DISCOVERY (self));

  self->port = 0;
  g_clear_pointer (&self->group, avahi_entry_group_free);
}

/* Whether the service is published (the daemon confirmed it). */
gboolean
yatai_link_discovery_get_published (YataiLinkDiscovery *self)
{
  g_return_val_if_fail (YATAI_IS_LINK_DISCOVERY (self), FALSE);
  return self->group != NULL && avahi_entry_group_get_state (self->group) == AVAHI_ENTRY_GROUP_ESTABLISHED;
}

/* Browsing */

static char *
found_key (AvahiIfIndex   interface,
           AvahiProtocol  protocol,
           const char    *name)
{
  return g_strdup_printf ("%d/%d/%s", interface, protocol, name);
}

static void
remove_found (YataiLinkDiscovery *self,
              const char         *key)
{
  for (guint i = 0; i < self->found->len; i++)
    if (g_strcmp0 (((Found *) g_ptr_array_index (self->found, i))->key, key) == 0)
      {
        g_ptr_array_remove_index (self->found, i);
        g_signal_emit (self, signals[CHANGED], 0);
        return;
      }
}

static char *
txt_value (AvahiStringList *txt,
           const char      *name)
{
  AvahiStringList *entry = avahi_string_list_find (txt, name);
  char *key = NULL;
  char *value = NULL;
  char *copy;

  if (entry == NULL || avahi_string_list_get_pair (entry, &key, &value, NULL) < 0)
    return NULL;
  copy = g_strdup (value);
  avahi_free (key);
  avahi_free (value);
  return copy;
}

static void
resolve_cb (AvahiServiceResolver   *resolver,
            AvahiIfIndex            interface,
            AvahiProtocol           protocol,
            AvahiResolverEvent      event,
            const char             *name,
            const char             *type,
            const char             *domain,
            const char             *host_name,
            const AvahiAddress     *address,
            uint16_t                port,
            AvahiStringList        *txt,
            AvahiLookupResultFlags  flags,
            void                   *user_data)
{
  YataiLinkDiscovery *self = user_data;
  g_autofree char *stall = NULL;
  g_autofree char *key = NULL;
  g_autofree char *device = NULL;
  g_autofree char *where = NULL;
  char text[AVAHI_ADDRESS_STR_MAX];

  if (event != AVAHI_RESOLVER_FOUND)
    {
      avahi_service_resolver_free (resolver);
      return;
    }
  stall = txt_value (txt, "stall");
  avahi_address_snprint (text, sizeof text, address);
  /* Another stall's, or an IPv6 link-local address, which needs its interface to be reached. Pairing
   * takes any counter's: the new device has no stall yet. */
  if ((self->stall_id != NULL && g_strcmp0 (stall, self->stall_id) != 0) || port == 0 ||
      (address->proto == AVAHI_PROTO_INET6 && g_str_has_prefix (text, "fe80:")))
    {
      avahi_service_resolver_free (resolver);
      return;
    }
  key = found_key (interface, protocol, name);
  device = txt_value (txt, self->stall_id != NULL ? "device" : "name");
  where = address->proto == AVAHI_PROTO_INET6 ? g_strdup_printf ("[%s]:%u", text, port)
                                              : g_strdup_printf ("%s:%u", text, port);
  avahi_service_resolver_free (resolver);
  yatai_link_discovery_take_found (self, key, device != NULL ? device : name, where);
}

/**
 * yatai_link_discovery_take_found:
 * @key: what names the service (a later one with the same key replaces it)
 * @device: the device id (the link's) or the counter's name (pairing's)
 * @address: HOST:PORT
 *
 * A service found: what a resolved DNS-SD answer gives, or a test by hand.
 */
void
yatai_link_discovery_take_found (YataiLinkDiscovery *self,
                                 const char         *key,
                                 const char         *device,
                                 const char         *address)
{
  Found *found;

  g_return_if_fail (YATAI_IS_LINK_DISCOVERY (self));
  g_return_if_fail (key != NULL && address != NULL);

  /* Anyone on the network may publish: a name that is not text, has a line break or a control, or
   * changes the direction of writing is not listed (it would read as another counter). */
  if (device == NULL || !g_utf8_validate (device, -1, NULL) || !yatai_text_check_hidden (device, NULL))
    return;
  for (const char *p = device; *p != '\0'; p = g_utf8_next_char (p))
    if (g_unichar_iscntrl (g_utf8_get_char (p)))
      return;
  for (guint i = 0; i < self->found->len; i++)
    if (g_strcmp0 (((Found *) g_ptr_array_index (self->found, i))->key, key) == 0)
      {
        g_ptr_array_remove_index (self->found, i);
        break;
      }
  if (self->found->len >= MAX_FOUND)
    return;
  found = g_new0 (Found, 1);
  found->key = g_strdup (key);
  found->device = g_strdup (device);
  found->address = g_strdup (address);
  if (self->stall_id != NULL)
    g_debug ("Found the stall's writer at %s", found->address);
  else
    g_debug ("Found a counter pairing at %s", found->address);
  g_ptr_array_add (self->found, found);
  g_signal_emit (self, signals[CHANGED], 0);
}

/* A service gone: what the browser says, or a test by hand. */
void
yatai_link_discovery_forget_found (YataiLinkDiscovery *self,
                                   const char         *key)
{
  g_return_if_fail (YATAI_IS_LINK_DISCOVERY (self));
  remove_found (self, key);
}

static void
browse_cb (AvahiServiceBrowser    *browser,
           AvahiIfIndex            interface,
           AvahiProtocol           protocol,
           AvahiBrowserEvent       event,
           const char             *name,
           const char             *type,
           const char             *domain,
           AvahiLookupResultFlags  flags,
           void                   *user_data)
{
  YataiLinkDiscovery *self = user_data;

  if (event == AVAHI_BROWSER_NEW)
    {
      /* A resolver frees itself in its callback; one that cannot be made is a service not resolved. */
      if (avahi_service_resolver_new (self->client, interface, protocol, name, type, domain,
                                      protocol, 0, resolve_cb, self) == NULL)
        g_debug ("“%s” could not be resolved: %s", name, avahi_strerror (avahi_client_errno (self->client)));
    }
  else if (event == AVAHI_BROWSER_REMOVE)
    {
      g_autofree char *key = found_key (interface, protocol, name);

      remove_found (self, key);
    }
}

static void
browse_now (YataiLinkDiscovery *self)
{
  if (!self->browsing || self->browser != NULL || self->client == NULL ||
      avahi_client_get_state (self->client) != AVAHI_CLIENT_S_RUNNING)
    return;
  self->browser = avahi_service_browser_new (self->client, AVAHI_IF_UNSPEC, AVAHI_PROTO_UNSPEC,
                                             self->service_type, NULL, 0, browse_cb, self);
}

void
yatai_link_discovery_browse (YataiLinkDiscovery *self)
{
  g_return_if_fail (YATAI_IS_LINK_DISCOVERY (self));
  self->browsing = TRUE;
  browse_now (self);
}

/**
 * yatai_link_discovery_get_found:
 * @device_id: (nullable): only the services this device published
 *
 * Returns: (transfer container): the addresses ("HOST:PORT") of this stall's services found so far
 */
GPtrArray *
yatai_link_discovery_get_found (YataiLinkDiscovery *self,
                                const char         *device_id)
{
  GPtrArray *addresses = g_ptr_array_new_with_free_func (g_free);

  g_return_val_if_fail (YATAI_IS_LINK_DISCOVERY (self), addresses);
  for (guint i = 0; i < self->found->len; i++)
    {
      Found *found = g_ptr_array_index (self->found, i);

      if (device_id == NULL || g_strcmp0 (found->device, device_id) == 0)
        g_ptr_array_add (addresses, g_strdup (found->address));
    }
  return addresses;
}

/**
 * yatai_link_discovery_list:
 *
 * Returns: (transfer full) (element-type YataiDiscovered): every service found so far, in the order
 *   found: for pairing, the counters by name
 */
GPtrArray *
yatai_link_discovery_list (YataiLinkDiscovery *self)
{
  GPtrArray *list = g_ptr_array_new_with_free_func ((GDestroyNotify) yatai_discovered_free);

  g_return_val_if_fail (YATAI_IS_LINK_DISCOVERY (self), list);
  for (guint i = 0; i < self->found->len; i++)
    {
      Found *found = g_ptr_array_index (self->found, i);
      YataiDiscovered *item = g_new0 (YataiDiscovered, 1);

      item->device = g_strdup (found->device);
      item->address = g_strdup (found->address);
      g_ptr_array_add (list, item);
    }
  return list;
}

/**
 * yatai_link_discovery_dup_only:
 *
 * For a device that pairs without being given an address: the one counter found, or why there is not
 * one in words (none can be found here, none was found, or more than one and which).
 *
 * Returns: (transfer full) (nullable): the counter, or %NULL with @error set
 */
YataiDiscovered *
yatai_link_discovery_dup_only (YataiLinkDiscovery  *self,
                               GError             **error)
{
  g_autoptr(GPtrArray) found = NULL;
  g_autoptr(GString) names = NULL;

  g_return_val_if_fail (YATAI_IS_LINK_DISCOVERY (self), NULL);

  found = yatai_link_discovery_list (self);
  if (found->len == 1)
    return g_steal_pointer (&found->pdata[0]);
  if (found->len == 0 && !yatai_link_discovery_available (self))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                           _("Counters cannot be found automatically on this device (no network service discovery). Give the address the counter shows: pair HOST:PORT CODE."));
      return NULL;
    }
  if (found->len == 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                           _("No counter showing Add a Device was found on this network. Give the address it shows: pair HOST:PORT CODE."));
      return NULL;
    }
  names = g_string_new (NULL);
  for (guint i = 0; i < found->len; i++)
    {
      YataiDiscovered *item = g_ptr_array_index (found, i);

      g_string_append_printf (names, i == 0 ? "“%s” (%s)" : ", “%s” (%s)", item->device, item->address);
    }
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
               _("More than one counter shows Add a Device: %s. Give the address of the one to join: pair HOST:PORT CODE."),
               names->str);
  return NULL;
}

void
yatai_discovered_free (YataiDiscovered *item)
{
  if (item == NULL)
    return;
  g_free (item->device);
  g_free (item->address);
  g_free (item);
}

/* The daemon */

static void
client_cb (AvahiClient      *client,
           AvahiClientState  state,
           void             *user_data)
{
  YataiLinkDiscovery *self = user_data;

  /* Called from avahi_client_new() already, before it returns. */
  self->client = client;
  switch (state)
    {
    case AVAHI_CLIENT_S_RUNNING:
      publish_now (self);
      browse_now (self);
      break;
    case AVAHI_CLIENT_S_COLLISION:
    case AVAHI_CLIENT_S_REGISTERING:
      if (self->group != NULL)
        avahi_entry_group_reset (self->group);
      break;
    case AVAHI_CLIENT_FAILURE:
      g_debug ("DNS-SD stopped: %s", avahi_strerror (avahi_client_errno (client)));
      break;
    case AVAHI_CLIENT_CONNECTING:
    default:
      break;
    }
}

/* Whether an Avahi daemon answered. */
gboolean
yatai_link_discovery_available (YataiLinkDiscovery *self)
{
  g_return_val_if_fail (YATAI_IS_LINK_DISCOVERY (self), FALSE);
  return self->client != NULL && avahi_client_get_state (self->client) != AVAHI_CLIENT_FAILURE;
}

YataiLinkDiscovery *
yatai_link_discovery_new (const char *stall_id,
                          const char *device_id)
{
  static gboolean said;
  YataiLinkDiscovery *self;
  int error = 0;

  g_return_val_if_fail (stall_id != NULL && device_id != NULL, NULL);

  self = g_object_new (YATAI_TYPE_LINK_DISCOVERY, NULL);
  self->stall_id = g_strdup (stall_id);
  self->device_id = g_strdup (device_id);
  self->service_type = YATAI_LINK_SERVICE_TYPE;
  self->client = avahi_client_new (&self->poll, 0, client_cb, self, &error);
  if (self->client == NULL && !said)
    {
      said = TRUE;
      g_debug ("No DNS-SD on this computer (%s): the writer is found through the bucket or at the address "
               "set by hand", avahi_strerror (error));
    }
  return self;
}

/**
 * yatai_link_discovery_new_for_pairing:
 * @device_name: this counter's name, what a new device lists it by (publishing); any, for browsing
 *
 * Pairing's service, YATAI_PAIR_SERVICE_TYPE: a counter publishes it while Add a Device is open, with
 * its name in the TXT record and nothing else; a new device, which has no stall id yet, browses for
 * every counter's.
 */
YataiLinkDiscovery *
yatai_link_discovery_new_for_pairing (const char *device_name)
{
  YataiLinkDiscovery *self;
  int error = 0;

  g_return_val_if_fail (device_name != NULL, NULL);

  self = g_object_new (YATAI_TYPE_LINK_DISCOVERY, NULL);
  self->device_id = g_strdup (device_name);
  self->service_type = YATAI_PAIR_SERVICE_TYPE;
  self->client = avahi_client_new (&self->poll, 0, client_cb, self, &error);
  if (self->client == NULL)
    g_debug ("No DNS-SD on this computer (%s): counters are not found by themselves", avahi_strerror (error));
  return self;
}

static void
yatai_link_discovery_dispose (GObject *object)
{
  YataiLinkDiscovery *self = (YataiLinkDiscovery *) object;

  g_clear_pointer (&self->browser, avahi_service_browser_free);
  g_clear_pointer (&self->group, avahi_entry_group_free);
  g_clear_pointer (&self->client, avahi_client_free);

  G_OBJECT_CLASS (yatai_link_discovery_parent_class)->dispose (object);
}

static void
yatai_link_discovery_finalize (GObject *object)
{
  YataiLinkDiscovery *self = (YataiLinkDiscovery *) object;

  g_free (self->stall_id);
  g_free (self->device_id);
  g_free (self->service_name);
  g_ptr_array_unref (self->found);

  G_OBJECT_CLASS (yatai_link_discovery_parent_class)->finalize (object);
}

static void
yatai_link_discovery_class_init (YataiLinkDiscoveryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = yatai_link_discovery_dispose;
  object_class->finalize = yatai_link_discovery_finalize;

  /**
   * YataiLinkDiscovery::changed:
   *
   * A service of this stall was found or is gone.
   */
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
yatai_link_discovery_init (YataiLinkDiscovery *self)
{
  self->found = g_ptr_array_new_with_free_func ((GDestroyNotify) found_free);
  self->poll.userdata = self;
  self->poll.watch_new = watch_new;
  self->poll.watch_update = watch_update;
  self->poll.watch_get_events = watch_get_events;
  self->poll.watch_free = watch_free;
  self->poll.timeout_new = timeout_new;
  self->poll.timeout_update = timeout_update;
  self->poll.timeout_free = timeout_free;
}
