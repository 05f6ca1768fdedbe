/* zstd-bomb.c: a snapshot that declares far more than it holds, for the tests and the hostile run */
#include "config.h"

#include <zstd.h>

#include "yatai-segment.h"
#include "zstd-bomb.h"

GBytes *
zstd_bomb_snapshot (gsize  declared,
                    gint64 seq)
{
  g_autofree guint8 *zeros = g_malloc0 (1024 * 1024);
  GByteArray *payload = g_byte_array_new ();
  GByteArray *object = g_byte_array_new ();
  ZSTD_CCtx *cctx = ZSTD_createCCtx ();
  guint8 out[65536];
  g_autofree char *sum = NULL;
  g_autofree char *header = NULL;

  /* Streamed, so that making it costs no more memory than reading it should. */
  ZSTD_CCtx_setPledgedSrcSize (cctx, declared);
  for (gsize done = 0; done < declared; done += 1024 * 1024)
    {
      ZSTD_inBuffer in = { zeros, MIN (1024 * 1024, declared - done), 0 };
      gboolean last = done + in.size >= declared;
      size_t rc;

      do
        {
          ZSTD_outBuffer o = { out, sizeof out, 0 };

          rc = ZSTD_compressStream2 (cctx, &o, &in, last ? ZSTD_e_end : ZSTD_e_continue);
          g_assert (!ZSTD_isError (rc));
          g_byte_array_append (payload, out, o.pos);
        }
      while (in.pos < in.size || (last && rc != 0));
    }
  ZSTD_freeCCtx (cctx);

  sum = g_compute_checksum_for_data (G_CHECKSUM_SHA256, payload->data, payload->len);
  header = g_strdup_printf ("{\"format\":1,\"kind\":\"snapshot\",\"epoch\":1,\"seq\":%" G_GINT64_FORMAT ","
                            "\"device\":\"d\",\"device_name\":\"d\",\"time\":0,\"count\":0,"
                            "\"raw_size\":%" G_GSIZE_FORMAT ",\"size\":%u,\"sha256\":\"%s\",\"chain\":\"%s\"}\n",
                            seq, declared, payload->len, sum, yatai_segment_genesis_chain ());
  g_byte_array_append (object, (const guint8 *) header, strlen (header));
  g_byte_array_append (object, payload->data, payload->len);
  g_byte_array_unref (payload);
  return g_byte_array_free_to_bytes (object);
}
