/* yatai-segment.c: log segments and snapshots as bytes, with their checksums
 *
 * Everything here is parsed from the bucket, which another device (or a person, or a fault) may have
 * written: sizes are checked before anything is allocated, zstd frames are decompressed only to the size
 * the header declares, and nothing of a segment is returned unless all of it checks out.
 */
#define G_LOG_DOMAIN "yatai-segment"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <zstd.h>

#include "yatai-command.h"
#include "yatai-segment.h"

#define ZSTD_LEVEL 3

G_DEFINE_QUARK (yatai-segment-error-quark, yatai_segment_error)

/* The chain value before the first segment. */
const char *
yatai_segment_genesis_chain (void)
{
  return "0000000000000000000000000000000000000000000000000000000000000000";
}

YataiSegment *
yatai_segment_new (YataiSegmentKind kind)
{
  YataiSegment *segment = g_new0 (YataiSegment, 1);

  segment->kind = kind;
  segment->changesets = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  return segment;
}

void
yatai_segment_free (YataiSegment *segment)
{
  if (segment == NULL)
    return;
  g_free (segment->device);
  g_free (segment->device_name);
  g_free (segment->chain);
  g_ptr_array_unref (segment->changesets);
  g_clear_pointer (&segment->snapshot, g_bytes_unref);
  g_free (segment);
}

static const char *
kind_name (YataiSegmentKind kind)
{
  return kind == YATAI_SEGMENT_SNAPSHOT ? "snapshot" : "log";
}

/* "yatai/stall-1/log/00000000000000000042" */
char *
yatai_segment_object_name (const char       *prefix,
                           YataiSegmentKind  kind,
                           gint64            seq)
{
  g_return_val_if_fail (seq >= 0, NULL);

  if (prefix == NULL || *prefix == '\0')
    return g_strdup_printf ("%s/%020" G_GINT64_FORMAT, kind_name (kind), seq);
  return g_strdup_printf ("%s%s%s/%020" G_GINT64_FORMAT, prefix,
                          g_str_has_suffix (prefix, "/") ? "" : "/", kind_name (kind), seq);
}

/* Reads the kind and seq back from an object name (with or without the prefix). */
gboolean
yatai_segment_parse_name (const char       *name,
                          YataiSegmentKind *out_kind,
                          gint64           *out_seq)
{
  const char *slash, *digits;
  gsize dir_len;
  guint64 seq;

  g_return_val_if_fail (name != NULL, FALSE);

  slash = strrchr (name, '/');
  if (slash == NULL)
    return FALSE;
  digits = slash + 1;
  if (strlen (digits) != 20)
    return FALSE;
  for (const char *p = digits; *p; p++)
    if (!g_ascii_isdigit (*p))
      return FALSE;

  dir_len = slash - name;
  if (dir_len >= 3 && strncmp (slash - 3, "log", 3) == 0 && (dir_len == 3 || slash[-4] == '/'))
    *out_kind = YATAI_SEGMENT_LOG;
  else if (dir_len >= 8 && strncmp (slash - 8, "snapshot", 8) == 0 && (dir_len == 8 || slash[-9] == '/'))
    *out_kind = YATAI_SEGMENT_SNAPSHOT;
  else
    return FALSE;

  if (!g_ascii_string_to_unsigned (digits, 10, 0, G_MAXINT64, &seq, NULL))
    return FALSE;
  *out_seq = seq;
  return TRUE;
}

static char *
sha256_hex (gconstpointer data,
            gsize         size)
{
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, data, size);
}

static char *
next_chain (const char *previous_chain,
            const char *payload_sum)
{
  g_autofree char *joined = g_strconcat (previous_chain, payload_sum, NULL);

  return sha256_hex (joined, strlen (joined));
}

static GBytes *
build_payload (YataiSegment *segment)
{
  GByteArray *raw;

  if (segment->kind == YATAI_SEGMENT_SNAPSHOT)
    return segment->snapshot ? g_bytes_ref (segment->snapshot) : g_bytes_new (NULL, 0);

  raw = g_byte_array_new ();
  for (guint i = 0; i < segment->changesets->len; i++)
    {
      GBytes *changeset = g_ptr_array_index (segment->changesets, i);
      guint32 size_be = GUINT32_TO_BE ((guint32) g_bytes_get_size (changeset));

      g_byte_array_append (raw, (const guint8 *) &size_be, sizeof size_be);
      g_byte_array_append (raw, g_bytes_get_data (changeset, NULL), g_bytes_get_size (changeset));
    }
  return g_byte_array_free_to_bytes (raw);
}

/**
 * yatai_segment_encode:
 * @previous_chain: the chain of the segment before (yatai_segment_genesis_chain() before the first);
 *   for a snapshot, the chain of the log segment at its seq
 *
 * Sets @segment's chain and returns the object's bytes.
 */
GBytes *
yatai_segment_encode (YataiSegment  *segment,
                      const char    *previous_chain,
                      GError       **error)
{
  g_autoptr(GBytes) payload = build_payload (segment);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *header = NULL;
  g_autofree char *sum = NULL;
  gsize raw_size = g_bytes_get_size (payload);
  gsize bound = ZSTD_compressBound (raw_size);
  GByteArray *out;
  gsize header_len, compressed;

  g_return_val_if_fail (segment != NULL, NULL);
  g_return_val_if_fail (previous_chain != NULL, NULL);

  if (raw_size > YATAI_SEGMENT_MAX_PAYLOAD)
    {
      g_set_error (error, YATAI_SEGMENT_ERROR, YATAI_SEGMENT_ERROR_MALFORMED,
                   _("The changes to upload are too large for one segment."));
      return NULL;
    }

  out = g_byte_array_sized_new (bound + 512);
  g_byte_array_set_size (out, bound);
  compressed = ZSTD_compress (out->data, bound, g_bytes_get_data (payload, NULL), raw_size, ZSTD_LEVEL);
  if (ZSTD_isError (compressed))
    {
      g_byte_array_unref (out);
      g_set_error (error, YATAI_SEGMENT_ERROR, YATAI_SEGMENT_ERROR_MALFORMED,
                   _("The changes could not be compressed."));
      return NULL;
    }
  g_byte_array_set_size (out, compressed);

  sum = sha256_hex (out->data, compressed);
  if (segment->kind == YATAI_SEGMENT_LOG)
    {
      g_free (segment->chain);
      segment->chain = next_chain (previous_chain, sum);
    }
  else
    {
      g_free (segment->chain);
      segment->chain = g_strdup (previous_chain);
    }

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "format");
  json_builder_add_int_value (builder, YATAI_SEGMENT_FORMAT);
  json_builder_set_member_name (builder, "kind");
  json_builder_add_string_value (builder, kind_name (segment->kind));
  json_builder_set_member_name (builder, "epoch");
  json_builder_add_int_value (builder, segment->epoch);
  json_builder_set_member_name (builder, "seq");
  json_builder_add_int_value (builder, segment->seq);
  json_builder_set_member_name (builder, "device");
  json_builder_add_string_value (builder, segment->device ? segment->device : "");
  json_builder_set_member_name (builder, "device_name");
  json_builder_add_string_value (builder, segment->device_name ? segment->device_name : "");
  json_builder_set_member_name (builder, "time");
  json_builder_add_int_value (builder, segment->time);
  json_builder_set_member_name (builder, "count");
  json_builder_add_int_value (builder, segment->changesets->len);
  json_builder_set_member_name (builder, "raw_size");
  json_builder_add_int_value (builder, raw_size);
  json_builder_set_member_name (builder, "size");
  json_builder_add_int_value (builder, compressed);
  json_builder_set_member_name (builder, "sha256");
  json_builder_add_string_value (builder, sum);
  json_builder_set_member_name (builder, "chain");
  json_builder_add_string_value (builder, segment->chain);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  header = json_to_string (root, FALSE);
  header_len = strlen (header);

  /* The header goes in front of the payload. */
  g_byte_array_prepend (out, (const guint8 *) "\n", 1);
  g_byte_array_prepend (out, (const guint8 *) header, header_len);
  return g_byte_array_free_to_bytes (out);
}

static gboolean
malformed (GError    **error,
           const char *why)
{
  g_debug ("Segment refused: %s", why);
  g_set_error (error, YATAI_SEGMENT_ERROR, YATAI_SEGMENT_ERROR_MALFORMED,
               _("A saved change in the bucket is damaged or is not Yatai’s."));
  return FALSE;
}

static gboolean
get_int (JsonObject *object,
         const char *name,
         gint64     *out)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    return FALSE;
  *out = json_node_get_int (node);
  return TRUE;
}

static const char *
get_string (JsonObject *object,
            const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static gboolean
is_hex64 (const char *text)
{
  if (text == NULL || strlen (text) != 64)
    return FALSE;
  for (const char *p = text; *p; p++)
    if (!g_ascii_isxdigit (*p))
      return FALSE;
  return TRUE;
}

static gboolean
split_changesets (YataiSegment  *segment,
                  const guint8  *data,
                  gsize          size,
                  gint64         count,
                  GError       **error)
{
  gsize offset = 0;

  while (offset < size)
    {
      guint32 length;

      if (size - offset < 4)
        return malformed (error, "changeset length truncated");
      memcpy (&length, data + offset, 4);
      length = GUINT32_FROM_BE (length);
      offset += 4;
      if (length > size - offset)
        return malformed (error, "changeset truncated");
      g_ptr_array_add (segment->changesets, g_bytes_new (data + offset, length));
      offset += length;
    }

  if ((gint64) segment->changesets->len != count)
    return malformed (error, "changeset count");
  return TRUE;
}

/* Whether the first bytes of a snapshot are an SQLite database of exactly @raw_size bytes: what a
 * snapshot must be, checked before the rest is decompressed. */
static gboolean
snapshot_start_ok (const guint8 *start,
                   gsize         raw_size)
{
  guint32 page_size, pages, change_counter, valid_for;

  if (memcmp (start, "SQLite format 3", 16) != 0)
    return FALSE;
  page_size = ((guint32) start[16] << 8) | start[17];
  if (page_size == 1)
    page_size = 65536;
  if (page_size < 512 || (page_size & (page_size - 1)) != 0 || raw_size % page_size != 0)
    return FALSE;
  change_counter = GUINT32_FROM_BE (*(guint32 *) (start + 24));
  pages = GUINT32_FROM_BE (*(guint32 *) (start + 28));
  valid_for = GUINT32_FROM_BE (*(guint32 *) (start + 92));
  /* The page count is valid when the change counter matches; sqlite3_serialize writes it so. */
  return change_counter != valid_for || (gsize) pages * page_size == raw_size;
}

/* Decompresses @payload into a buffer that grows as the output comes, never past @raw_size (which the
 * header declared and decode already bounded by the kind), so a small object that declares a huge
 * size (a zstd bomb) costs only what it really holds until it is refused. A snapshot's first page is
 * checked as soon as it is out. */
static guint8 *
decompress_bounded (YataiSegmentKind   kind,
                    const guint8      *payload,
                    gsize              payload_size,
                    gint64             raw_size,
                    GError           **error)
{
  g_autoptr(GByteArray) out = g_byte_array_sized_new (MIN (raw_size, 1024 * 1024) + 1);
  ZSTD_DStream *stream = ZSTD_createDStream ();
  ZSTD_inBuffer in = { payload, payload_size, 0 };
  gboolean start_checked = kind != YATAI_SEGMENT_SNAPSHOT;
  size_t rc = 1;

  ZSTD_initDStream (stream);
  while (in.pos < in.size || rc != 0)
    {
      gsize have = out->len;
      gsize room = MIN ((gsize) raw_size + 1 - have, MAX (have, 64 * 1024));
      ZSTD_outBuffer o;

      if (room == 0)
        break;
      g_byte_array_set_size (out, have + room);
      o = (ZSTD_outBuffer) { out->data + have, room, 0 };
      rc = ZSTD_decompressStream (stream, &o, &in);
      g_byte_array_set_size (out, have + o.pos);
      if (ZSTD_isError (rc) || out->len > (gsize) raw_size || (o.pos == 0 && in.pos == in.size && rc != 0))
        break;
      if (!start_checked && out->len >= 100)
        {
          if (!snapshot_start_ok (out->data, raw_size))
            break;
          start_checked = TRUE;
        }
      if (rc == 0 && in.pos == in.size)
        break;
    }
  ZSTD_freeDStream (stream);

  if (ZSTD_isError (rc) || rc != 0 || in.pos != in.size || out->len != (gsize) raw_size ||
      (!start_checked && raw_size > 0))
    {
      g_debug ("Segment refused: the payload is not the %" G_GINT64_FORMAT " bytes it declares", raw_size);
      g_set_error (error, YATAI_SEGMENT_ERROR, YATAI_SEGMENT_ERROR_MALFORMED,
                   kind == YATAI_SEGMENT_SNAPSHOT
                   ? _("This saved copy of the stall is not the database its header declares (damaged, or made "
                       "to fill the memory); it was not used.")
                   : _("A saved change in the bucket is damaged or is not Yatai’s."));
      return NULL;
    }
  if (out->len == 0)
    g_byte_array_set_size (out, 1);
  return g_byte_array_free (g_steal_pointer (&out), FALSE);
}

/**
 * yatai_segment_decode:
 * @expected_seq: the seq the object's name says, or -1 not to check
 * @previous_chain: for a log segment, the chain this device has (NULL not to check the chain)
 *
 * Returns: the segment, only if every check passed
 */
YataiSegment *
yatai_segment_decode (GBytes      *bytes,
                      gint64       expected_seq,
                      const char  *previous_chain,
                      GError     **error)
{
  g_autoptr(YataiSegment) segment = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *sum = NULL;
  g_autofree guint8 *raw = NULL;
  const guint8 *data;
  const guint8 *newline;
  const char *kind, *device, *device_name, *declared_sum, *chain;
  gsize size, header_len, payload_size;
  gint64 format, raw_size, declared_size, count;
  JsonNode *node;
  JsonObject *header;
  unsigned long long frame_size;

  g_return_val_if_fail (bytes != NULL, NULL);

  data = g_bytes_get_data (bytes, &size);
  if (size == 0 || data == NULL)
    return malformed (error, "empty"), NULL;

  newline = memchr (data, '\n', MIN (size, YATAI_SEGMENT_MAX_HEADER));
  if (newline == NULL)
    return malformed (error, "no header line"), NULL;
  header_len = newline - data;

  node = yatai_json_parse_one (parser, (const char *) data, header_len);
  if (node == NULL)
    return malformed (error, "header not JSON"), NULL;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return malformed (error, "header not an object"), NULL;
  header = json_node_get_object (node);

  if (!get_int (header, "format", &format))
    return malformed (error, "format"), NULL;
  if (format > YATAI_SEGMENT_FORMAT)
    {
      g_set_error (error, YATAI_SEGMENT_ERROR, YATAI_SEGMENT_ERROR_VERSION,
                   _("Another device saved changes with a newer version of Yatai. Update Yatai on this device."));
      return NULL;
    }
  if (format < 1)
    return malformed (error, "format"), NULL;

  segment = yatai_segment_new (YATAI_SEGMENT_LOG);
  kind = get_string (header, "kind");
  device = get_string (header, "device");
  device_name = get_string (header, "device_name");
  declared_sum = get_string (header, "sha256");
  chain = get_string (header, "chain");

  if (g_strcmp0 (kind, "log") == 0)
    segment->kind = YATAI_SEGMENT_LOG;
  else if (g_strcmp0 (kind, "snapshot") == 0)
    segment->kind = YATAI_SEGMENT_SNAPSHOT;
  else
    return malformed (error, "kind"), NULL;

  if (!get_int (header, "epoch", &segment->epoch) || segment->epoch < 1 ||
      !get_int (header, "seq", &segment->seq) || segment->seq < 0 ||
      !get_int (header, "time", &segment->time) ||
      !get_int (header, "count", &count) || count < 0 ||
      !get_int (header, "raw_size", &raw_size) || raw_size < 0 ||
      raw_size > (segment->kind == YATAI_SEGMENT_SNAPSHOT ? YATAI_SEGMENT_SNAPSHOT_MAX_RAW : YATAI_SEGMENT_LOG_MAX_RAW) ||
      !get_int (header, "size", &declared_size) ||
      device == NULL || device_name == NULL || !is_hex64 (declared_sum) || !is_hex64 (chain))
    return malformed (error, "header fields"), NULL;

  if (expected_seq >= 0 && segment->seq != expected_seq)
    {
      g_set_error (error, YATAI_SEGMENT_ERROR, YATAI_SEGMENT_ERROR_SEQUENCE,
                   _("A saved change in the bucket is not where it belongs."));
      return NULL;
    }

  payload_size = size - header_len - 1;
  if (declared_size != (gint64) payload_size)
    return malformed (error, "payload size"), NULL;

  sum = sha256_hex (newline + 1, payload_size);
  if (g_ascii_strcasecmp (sum, declared_sum) != 0)
    {
      g_set_error (error, YATAI_SEGMENT_ERROR, YATAI_SEGMENT_ERROR_CHECKSUM,
                   _("A saved change in the bucket does not match its checksum."));
      return NULL;
    }

  if (previous_chain != NULL)
    {
      g_autofree char *expected_chain = segment->kind == YATAI_SEGMENT_LOG
                                        ? next_chain (previous_chain, sum)
                                        : g_strdup (previous_chain);

      if (g_ascii_strcasecmp (expected_chain, chain) != 0)
        {
          g_set_error (error, YATAI_SEGMENT_ERROR, YATAI_SEGMENT_ERROR_CHAIN,
                       _("A saved change in the bucket does not continue the history this device has."));
          return NULL;
        }
    }

  frame_size = ZSTD_getFrameContentSize (newline + 1, payload_size);
  if (frame_size == ZSTD_CONTENTSIZE_ERROR || frame_size == ZSTD_CONTENTSIZE_UNKNOWN ||
      frame_size != (unsigned long long) raw_size)
    return malformed (error, "zstd frame size"), NULL;

  raw = decompress_bounded (segment->kind, newline + 1, payload_size, raw_size, error);
  if (raw == NULL)
    return NULL;
  segment->device = g_strdup (device);
  segment->device_name = g_strdup (device_name);
  segment->chain = g_ascii_strdown (chain, -1);

  if (segment->kind == YATAI_SEGMENT_SNAPSHOT)
    segment->snapshot = g_bytes_new_take (g_steal_pointer (&raw), raw_size);
  else if (!split_changesets (segment, raw, raw_size, count, error))
    return NULL;

  return g_steal_pointer (&segment);
}
