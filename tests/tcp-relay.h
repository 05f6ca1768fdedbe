#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* A TCP relay between the two ends: keeps every byte that passed, and can stop passing any (a cable
 * pulled, a Wi-Fi gone) without closing anything. */
typedef struct
{
  GSocketService *service;
  char           *target;
  GByteArray     *captured;
  gboolean        frozen;
  guint16         port;
} Relay;

Relay    *relay_new             (const char *target);
void      relay_free            (Relay      *relay);
gboolean  relay_captured_holds  (Relay      *relay,
                                 const char *text);
gboolean  relay_captured_holds_bytes (Relay        *relay,
                                      const guint8 *data,
                                      gsize         size);

G_END_DECLS
