#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* A TCP relay on 127.0.0.1 between two ends, for the link's tests and the benches: every connection
 * to it is joined to a new one to the target (HOST:PORT), TCP_NODELAY on both, each end's shutdown
 * passed on. It keeps every byte that passed; it can stop passing any (a cable pulled, a Wi-Fi gone)
 * without closing anything; and it can hold each direction's bytes a delay before they go on, in
 * order (a venue network). The TLS the devices speak passes through untouched. */
typedef struct _Relay Relay;

/* On the thread-default main context: it relays while the test turns that loop. */
Relay    *relay_new                  (const char   *target);
/* In a thread of its own, each direction held @delay_ms, so that the devices' busy main loop does
 * not add to the delay (the benches); it lives until the program ends. */
Relay    *relay_new_in_thread        (const char   *target,
                                      guint         delay_ms);
void      relay_free                 (Relay        *relay);

guint16   relay_get_port             (Relay        *relay);
guint     relay_get_connections      (Relay        *relay);
void      relay_freeze               (Relay        *relay);
gsize     relay_get_captured_size    (Relay        *relay);
gboolean  relay_captured_holds       (Relay        *relay,
                                      const char   *text);
gboolean  relay_captured_holds_bytes (Relay        *relay,
                                      const guint8 *data,
                                      gsize         size);

G_END_DECLS
