#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* CRC32C (Castagnoli, the checksum GCS keeps for every object and recommends checking): GLib has none,
 * and zlib's crc32 is another polynomial. Start with 0 and feed the bytes in as many pieces as they
 * come; yatai_crc32c_update (0, "123456789", 9) is 0xe3069283. */
guint32 yatai_crc32c_update (guint32       crc,
                             const guint8 *data,
                             gsize         size);

/* As GCS writes it: base64 of the 4 big-endian bytes. */
char   *yatai_crc32c_base64 (guint32       crc);

G_END_DECLS
