#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* A venue network's delay for the benches: listens on 127.0.0.1 and forwards every connection to
 * 127.0.0.1:PORT, each direction's bytes held DELAY_MS before they go on (in order). It runs in a
 * thread of its own, so the devices' busy main loop does not add to the delay, and lives until the
 * program ends. */
typedef struct _BenchRelay BenchRelay;

BenchRelay *bench_relay_new      (guint16     port,
                                  guint       delay_ms);
guint16     bench_relay_get_port (BenchRelay *relay);
guint       bench_relay_get_connections (BenchRelay *relay);

G_END_DECLS
