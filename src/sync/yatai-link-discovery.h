#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Finding the writer on the local network without being told: DNS-SD over Avahi's daemon (its D-Bus
 * name org.freedesktop.Avahi). The writer publishes the service YATAI_LINK_SERVICE_TYPE while it serves
 * the link, with its stall's id and its device id in the TXT record; a follower browses for it and
 * keeps the addresses of the services of its own stall. The id names the stall (a digest of its public
 * certificate) and gives away nothing else: what the link carries is still behind TLS with the stall's
 * key. Without an Avahi daemon nothing is published or found, said once in a debug message, and the
 * link goes on through the other ways of finding the writer. Runs on the main context.
 *
 * Pairing has its own service (yatai_link_discovery_new_for_pairing): a new device has no stall id yet,
 * so it lists every counter that has Add a Device open, by the counter's name. */

#define YATAI_LINK_SERVICE_TYPE "_yatai._tcp"
/* Pairing's: published by a counter only while its Add a Device is open, TXT "name=" its device name. */
#define YATAI_PAIR_SERVICE_TYPE "_yatai-pair._tcp"

typedef struct
{
  char *device;    /* the link's: the device id; pairing's: the counter's name */
  char *address;   /* HOST:PORT */
} YataiDiscovered;

void                yatai_discovered_free           (YataiDiscovered    *item);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (YataiDiscovered, yatai_discovered_free)

#define YATAI_TYPE_LINK_DISCOVERY (yatai_link_discovery_get_type ())
G_DECLARE_FINAL_TYPE (YataiLinkDiscovery, yatai_link_discovery, YATAI, LINK_DISCOVERY, GObject)

char               *yatai_link_discovery_stall_id   (GTlsCertificate    *stall);

YataiLinkDiscovery *yatai_link_discovery_new        (const char         *stall_id,
                                                     const char         *device_id);
gboolean            yatai_link_discovery_available  (YataiLinkDiscovery *self);
void                yatai_link_discovery_publish    (YataiLinkDiscovery *self,
                                                     guint16             port);
void                yatai_link_discovery_withdraw   (YataiLinkDiscovery *self);
gboolean            yatai_link_discovery_get_published (YataiLinkDiscovery *self);
void                yatai_link_discovery_browse     (YataiLinkDiscovery *self);
GPtrArray          *yatai_link_discovery_get_found  (YataiLinkDiscovery *self,
                                                     const char         *device_id);

YataiLinkDiscovery *yatai_link_discovery_new_for_pairing (const char    *device_name);
GPtrArray          *yatai_link_discovery_list       (YataiLinkDiscovery *self);
YataiDiscovered    *yatai_link_discovery_dup_only   (YataiLinkDiscovery *self,
                                                     GError            **error);
void                yatai_link_discovery_take_found (YataiLinkDiscovery *self,
                                                     const char         *key,
                                                     const char         *device,
                                                     const char         *address);
void                yatai_link_discovery_forget_found (YataiLinkDiscovery *self,
                                                     const char         *key);

G_END_DECLS
