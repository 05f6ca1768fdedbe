#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A snapshot object whose payload is @declared zero bytes compressed to a few KB (a zstd bomb: 8.5 KB
 * for 256 MB), with a header that is right about everything else: sizes, checksum, chain. */
GBytes *zstd_bomb_snapshot (gsize  declared,
                            gint64 seq);

G_END_DECLS
