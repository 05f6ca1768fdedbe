/* test-segment.c: segments round-trip, and everything damaged is refused */
#include "config.h"

#include "yatai-segment.h"
#include "zstd-bomb.h"

static YataiSegment *
make_log (gint64 seq,
          guint  n)
{
  YataiSegment *segment = yatai_segment_new (YATAI_SEGMENT_LOG);

  segment->epoch = 3;
  segment->seq = seq;
  segment->device = g_strdup ("3f8c-device");
  segment->device_name = g_strdup ("Counter PC");
  segment->time = 1764000000000000;
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *text = g_strdup_printf ("changeset %u: 焼きそば ×%u", i, i);
      g_ptr_array_add (segment->changesets, g_bytes_new (text, strlen (text)));
    }
  return segment;
}

static void
test_round_trip (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(YataiSegment) first = make_log (1, 3);
  g_autoptr(YataiSegment) second = make_log (2, 0);
  g_autoptr(GBytes) bytes1 = yatai_segment_encode (first, yatai_segment_genesis_chain (), &error);
  g_autoptr(GBytes) bytes2 = NULL;
  g_autoptr(YataiSegment) back1 = NULL;
  g_autoptr(YataiSegment) back2 = NULL;

  g_assert_no_error (error);
  bytes2 = yatai_segment_encode (second, first->chain, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (first->chain, !=, second->chain);

  back1 = yatai_segment_decode (bytes1, 1, yatai_segment_genesis_chain (), &error);
  g_assert_no_error (error);
  g_assert_cmpint (back1->kind, ==, YATAI_SEGMENT_LOG);
  g_assert_cmpint (back1->epoch, ==, 3);
  g_assert_cmpint (back1->seq, ==, 1);
  g_assert_cmpstr (back1->device, ==, "3f8c-device");
  g_assert_cmpstr (back1->device_name, ==, "Counter PC");
  g_assert_cmpint (back1->time, ==, first->time);
  g_assert_cmpuint (back1->changesets->len, ==, 3);
  for (guint i = 0; i < 3; i++)
    g_assert_true (g_bytes_equal (g_ptr_array_index (back1->changesets, i),
                                  g_ptr_array_index (first->changesets, i)));
  g_assert_cmpstr (back1->chain, ==, first->chain);

  /* An epoch marker: no changesets at all. */
  back2 = yatai_segment_decode (bytes2, 2, back1->chain, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (back2->changesets->len, ==, 0);
}

/* The first 100 bytes of an SQLite database of @size bytes in pages of 4,096. */
static void
sqlite_header (guint8 *image,
               gsize   size)
{
  guint32 pages = GUINT32_TO_BE (size / 4096), counter = GUINT32_TO_BE (7);

  memset (image, 0, 100);
  memcpy (image, "SQLite format 3", 16);
  image[16] = 0x10;
  image[17] = 0x00;
  memcpy (image + 24, &counter, 4);
  memcpy (image + 28, &pages, 4);
  memcpy (image + 92, &counter, 4);
}

static void
test_snapshot (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(YataiSegment) snap = yatai_segment_new (YATAI_SEGMENT_SNAPSHOT);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(YataiSegment) back = NULL;
  g_autofree guint8 *image = g_malloc (204800);
  const char *chain = "ab00000000000000000000000000000000000000000000000000000000000000";

  for (guint i = 0; i < 204800; i++)
    image[i] = i % 7;
  sqlite_header (image, 204800);
  snap->epoch = 1;
  snap->seq = 42;
  snap->device = g_strdup ("d");
  snap->device_name = g_strdup ("d");
  snap->snapshot = g_bytes_new (image, 204800);

  bytes = yatai_segment_encode (snap, chain, &error);
  g_assert_no_error (error);
  /* Compressed: far smaller than the image. */
  g_assert_cmpuint (g_bytes_get_size (bytes), <, 20000);

  back = yatai_segment_decode (bytes, 42, chain, &error);
  g_assert_no_error (error);
  g_assert_cmpint (back->kind, ==, YATAI_SEGMENT_SNAPSHOT);
  g_assert_true (g_bytes_equal (back->snapshot, snap->snapshot));
  g_assert_cmpstr (back->chain, ==, chain);
}

/* 256 MB of zeros in a few KB, as the newest snapshot: refused after its first bytes, not allocated. */
static void
test_zstd_bomb (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bomb = zstd_bomb_snapshot (YATAI_SEGMENT_SNAPSHOT_MAX_RAW, 9);
  g_autoptr(GBytes) too_big = zstd_bomb_snapshot (YATAI_SEGMENT_SNAPSHOT_MAX_RAW + 1024 * 1024, 9);
  g_autoptr(YataiSegment) back = NULL;

  g_test_message ("bomb: %" G_GSIZE_FORMAT " bytes declaring %d", g_bytes_get_size (bomb),
                  YATAI_SEGMENT_SNAPSHOT_MAX_RAW);
  g_assert_cmpuint (g_bytes_get_size (bomb), <, 64 * 1024);
  back = yatai_segment_decode (bomb, -1, NULL, &error);
  g_assert_null (back);
  g_assert_error (error, YATAI_SEGMENT_ERROR, YATAI_SEGMENT_ERROR_MALFORMED);
  g_assert_cmpstr (error->message, ==, "This saved copy of the stall is not the database its header declares "
                                       "(damaged, or made to fill the memory); it was not used.");
  g_clear_error (&error);

  /* Beyond what a snapshot can hold: refused on its header. */
  back = yatai_segment_decode (too_big, -1, NULL, &error);
  g_assert_null (back);
  g_assert_error (error, YATAI_SEGMENT_ERROR, YATAI_SEGMENT_ERROR_MALFORMED);
}

static GBytes *
replace (GBytes     *bytes,
         const char *from,
         const char *to)
{
  gsize size;
  const char *data = g_bytes_get_data (bytes, &size);
  g_autofree char *copy = g_strndup (data, size);
  char *at = strstr (copy, from);
  GString *out = g_string_new_len (data, size);

  g_assert_nonnull (at);
  g_string_erase (out, at - copy, strlen (from));
  g_string_insert_len (out, at - copy, to, strlen (to));
  return g_string_free_to_bytes (out);
}

static void
test_damaged_refused (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(YataiSegment) segment = make_log (7, 2);
  g_autoptr(GBytes) good = yatai_segment_encode (segment, yatai_segment_genesis_chain (), &error);
  gsize size;
  const guint8 *data = g_bytes_get_data (good, &size);
  const guint8 *payload = (const guint8 *) memchr (data, '\n', size) + 1;
  struct {
    const char *what;
    GBytes     *bytes;
    int         code;
  } cases[] = {
    { "empty", g_bytes_new (NULL, 0), YATAI_SEGMENT_ERROR_MALFORMED },
    { "no header line", g_bytes_new ("{\"format\":1}", 12), YATAI_SEGMENT_ERROR_MALFORMED },
    { "not json", g_bytes_new ("hello\nworld", 11), YATAI_SEGMENT_ERROR_MALFORMED },
    { "truncated", g_bytes_new (data, size - 3), YATAI_SEGMENT_ERROR_MALFORMED },
    { "newer format", replace (good, "\"format\":" G_STRINGIFY (YATAI_SEGMENT_FORMAT), "\"format\":9"), YATAI_SEGMENT_ERROR_VERSION },
    { "other seq", replace (good, "\"seq\":7", "\"seq\":8"), YATAI_SEGMENT_ERROR_SEQUENCE },
    { "epoch 0", replace (good, "\"epoch\":3", "\"epoch\":0"), YATAI_SEGMENT_ERROR_MALFORMED },
    { "unknown kind", replace (good, "\"kind\":\"log\"", "\"kind\":\"lol\""), YATAI_SEGMENT_ERROR_MALFORMED },
    { "huge raw size", replace (good, "\"raw_size\":", "\"raw_size\":9999999999"), YATAI_SEGMENT_ERROR_MALFORMED },
  };

  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(YataiSegment) back = NULL;

      g_test_message ("case: %s", cases[i].what);
      back = yatai_segment_decode (cases[i].bytes, 7, yatai_segment_genesis_chain (), &error);
      g_assert_null (back);
      g_assert_error (error, YATAI_SEGMENT_ERROR, cases[i].code);
      g_clear_error (&error);
      g_bytes_unref (cases[i].bytes);
    }

  /* A flipped payload byte fails the checksum. */
  {
    g_autofree guint8 *copy = g_memdup2 (data, size);
    g_autoptr(GBytes) flipped = NULL;
    g_autoptr(YataiSegment) back = NULL;

    copy[(payload - data) + 5] ^= 0x40;
    flipped = g_bytes_new (copy, size);
    back = yatai_segment_decode (flipped, 7, NULL, &error);
    g_assert_null (back);
    g_assert_error (error, YATAI_SEGMENT_ERROR, YATAI_SEGMENT_ERROR_CHECKSUM);
    g_clear_error (&error);
  }

  /* A segment that does not continue this device's history. */
  {
    g_autoptr(YataiSegment) back = yatai_segment_decode (good, 7, segment->chain, &error);

    g_assert_null (back);
    g_assert_error (error, YATAI_SEGMENT_ERROR, YATAI_SEGMENT_ERROR_CHAIN);
  }
}

static void
test_names (void)
{
  g_autofree char *a = yatai_segment_object_name ("yatai/stall-1", YATAI_SEGMENT_LOG, 42);
  g_autofree char *b = yatai_segment_object_name ("yatai/stall-1/", YATAI_SEGMENT_SNAPSHOT, 7);
  YataiSegmentKind kind;
  gint64 seq;

  g_assert_cmpstr (a, ==, "yatai/stall-1/log/00000000000000000042");
  g_assert_cmpstr (b, ==, "yatai/stall-1/snapshot/00000000000000000007");

  g_assert_true (yatai_segment_parse_name (a, &kind, &seq));
  g_assert_cmpint (kind, ==, YATAI_SEGMENT_LOG);
  g_assert_cmpint (seq, ==, 42);
  g_assert_true (yatai_segment_parse_name (b, &kind, &seq));
  g_assert_cmpint (kind, ==, YATAI_SEGMENT_SNAPSHOT);
  g_assert_cmpint (seq, ==, 7);

  g_assert_false (yatai_segment_parse_name ("yatai/stall-1/log/42", &kind, &seq));
  g_assert_false (yatai_segment_parse_name ("yatai/stall-1/blog/00000000000000000042", &kind, &seq));
  g_assert_false (yatai_segment_parse_name ("yatai/stall-1/log/0000000000000000004x", &kind, &seq));
  g_assert_false (yatai_segment_parse_name ("lease", &kind, &seq));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/segment/round-trip", test_round_trip);
  g_test_add_func ("/segment/snapshot", test_snapshot);
  g_test_add_func ("/segment/zstd-bomb", test_zstd_bomb);
  g_test_add_func ("/segment/damaged-refused", test_damaged_refused);
  g_test_add_func ("/segment/names", test_names);

  return g_test_run ();
}
