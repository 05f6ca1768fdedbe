/* yatai-crc32c.c: CRC32C (Castagnoli), table-driven
 *
 * The reflected polynomial 0x82f63b78 (RFC 3720, appendix B.4), one byte at a time through a table of
 * 256 entries made once. Fast enough for Yatai's objects (a segment is kilobytes, a snapshot a few
 * megabytes); the running value is kept un-inverted between calls so a download can be checked as it
 * arrives.
 */
#define G_LOG_DOMAIN "yatai-crc32c"

#include "config.h"

#include "yatai-crc32c.h"

static guint32 table[256];

static void
make_table (void)
{
  for (guint32 i = 0; i < 256; i++)
    {
      guint32 c = i;

      for (int k = 0; k < 8; k++)
        c = (c & 1) ? (c >> 1) ^ 0x82f63b78u : c >> 1;
      table[i] = c;
    }
}

guint32
yatai_crc32c_update (guint32       crc,
                     const guint8 *data,
                     gsize         size)
{
  static gsize initialized;

  g_return_val_if_fail (data != NULL || size == 0, crc);

  if (g_once_init_enter (&initialized))
    {
      make_table ();
      g_once_init_leave (&initialized, 1);
    }
  crc = ~crc;
  for (gsize i = 0; i < size; i++)
    crc = table[(crc ^ data[i]) & 0xff] ^ (crc >> 8);
  return ~crc;
}

char *
yatai_crc32c_base64 (guint32 crc)
{
  guint8 be[4] = { crc >> 24, (crc >> 16) & 0xff, (crc >> 8) & 0xff, crc & 0xff };

  return g_base64_encode (be, sizeof be);
}
