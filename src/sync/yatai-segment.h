#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The bytes of `log/<seq>` and `snapshot/<seq>` objects (SYNC.md).
 *
 * An object is one line of JSON (the header), a newline, then the payload compressed with zstd. The
 * header says: format, kind ("log" or "snapshot"), epoch, seq, device id and name, time, the payload's
 * size before and after compression, the SHA-256 of the compressed payload, and the running checksum of
 * the history ("chain"): SHA-256 of the previous segment's chain and this payload's checksum. A snapshot's
 * chain is the chain of the log segment it was taken at.
 *
 * A log payload is a sequence of changesets, each preceded by its length (4 bytes, big-endian). An epoch
 * marker, the first segment a new writer creates, has none. */

/* Format 2 (schema 9): the same layout, changesets and snapshots of the schema where pictures have a
 * table of their own. A Yatai of schema 8 reads format 1 only, so it refuses them as a newer Yatai's
 * instead of putting schema 9's products columns into its own at the same places. */
#define YATAI_SEGMENT_FORMAT      2
#define YATAI_SEGMENT_MAX_HEADER  4096
#define YATAI_SEGMENT_MAX_PAYLOAD (256 * 1024 * 1024)

/* What each kind of object can hold, before compression. A log segment holds at most
 * MAX_SEGMENT_ENTRIES changesets and the writer closes it at YATAI_SEGMENT_LOG_TARGET_RAW (the largest
 * single changeset, a product saved with two pictures of YATAI_PICTURE_STORED_MAX, is far below it); a
 * snapshot is the whole store (1,000 products with their pictures and the orders). Readers refuse
 * anything larger, and objects larger than these can hold once compressed are not even downloaded. */
#define YATAI_SEGMENT_LOG_TARGET_RAW    (4 * 1024 * 1024)
#define YATAI_SEGMENT_LOG_MAX_RAW       (32 * 1024 * 1024)
#define YATAI_SEGMENT_SNAPSHOT_MAX_RAW  YATAI_SEGMENT_MAX_PAYLOAD
/* The largest object of a kind that holds @raw bytes: the header line and zstd's worst case. */
#define YATAI_SEGMENT_MAX_OBJECT(raw)   ((gsize) YATAI_SEGMENT_MAX_HEADER + 1 + (raw) + (raw) / 128 + 65536)

#define YATAI_SEGMENT_ERROR (yatai_segment_error_quark ())

typedef enum
{
  YATAI_SEGMENT_ERROR_MALFORMED,   /* not a Yatai segment, truncated, or a header it cannot read */
  YATAI_SEGMENT_ERROR_VERSION,     /* written by a newer Yatai */
  YATAI_SEGMENT_ERROR_CHECKSUM,    /* the payload does not match its checksum */
  YATAI_SEGMENT_ERROR_CHAIN,       /* does not continue the history this device has */
  YATAI_SEGMENT_ERROR_SEQUENCE,    /* not the segment that was asked for */
} YataiSegmentError;

typedef enum
{
  YATAI_SEGMENT_LOG,
  YATAI_SEGMENT_SNAPSHOT,
} YataiSegmentKind;

typedef struct
{
  YataiSegmentKind kind;
  gint64           epoch;
  gint64           seq;
  char            *device;
  char            *device_name;
  gint64           time;        /* microseconds since the Unix epoch, the writer's clock */
  char            *chain;       /* hex SHA-256 */
  GPtrArray       *changesets;  /* GBytes, for a log segment */
  GBytes          *snapshot;    /* the database image, for a snapshot */
} YataiSegment;

GQuark        yatai_segment_error_quark (void);
YataiSegment *yatai_segment_new        (YataiSegmentKind  kind);
void          yatai_segment_free       (YataiSegment     *segment);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (YataiSegment, yatai_segment_free)

const char   *yatai_segment_genesis_chain (void);
char         *yatai_segment_object_name   (const char *prefix,
                                           YataiSegmentKind kind,
                                           gint64      seq);
gboolean      yatai_segment_parse_name    (const char *name,
                                           YataiSegmentKind *out_kind,
                                           gint64     *out_seq);

GBytes       *yatai_segment_encode     (YataiSegment     *segment,
                                        const char       *previous_chain,
                                        GError          **error);
YataiSegment *yatai_segment_decode     (GBytes           *bytes,
                                        gint64            expected_seq,
                                        const char       *previous_chain,
                                        GError          **error);

G_END_DECLS
