/* test-lease.c: the lease object, and who may write when */
#include "config.h"

#include "yatai-lease.h"
#include "yatai-segment.h"

static void
test_round_trip (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(YataiLease) lease = yatai_lease_new ("dev-a", "受付 PC", 4);
  g_autofree char *json = NULL;
  g_autoptr(YataiLease) back = NULL;

  lease->released = TRUE;
  lease->renewed = 1764000000000000;
  json = yatai_lease_to_json (lease);
  back = yatai_lease_parse (json, strlen (json), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (back->device, ==, "dev-a");
  g_assert_cmpstr (back->device_name, ==, "受付 PC");
  g_assert_cmpint (back->epoch, ==, 4);
  g_assert_cmpint (back->ttl_ms, ==, YATAI_LEASE_TTL_MS);
  g_assert_true (back->released);
  g_assert_cmpint (back->renewed, ==, lease->renewed);
}

static void
test_bad_refused (void)
{
  const char *bad[] = {
    "", "{", "[]", "{}", "null",
    "{\"format\":1,\"device\":\"a\",\"epoch\":0,\"ttl_ms\":30000,\"released\":false}",
    "{\"format\":1,\"device\":\"\",\"epoch\":1,\"ttl_ms\":30000,\"released\":false}",
    "{\"format\":1,\"device\":\"a\",\"epoch\":1,\"ttl_ms\":30000,\"released\":false,\"head\":-1}",
    "{\"format\":1,\"device\":\"a\",\"epoch\":1,\"ttl_ms\":30000,\"released\":false,\"head\":\"9\"}",
    "{\"format\":1,\"device\":\"a\",\"epoch\":9007199254740993,\"ttl_ms\":30000,\"released\":false}",
    "{\"format\":1,\"device\":\"a\",\"epoch\":\"1\",\"ttl_ms\":30000,\"released\":false}",
    "{\"format\":1,\"device\":\"a\",\"epoch\":1,\"ttl_ms\":30000,\"released\":\"no\"}",
  };
  g_autoptr(GError) error = NULL;
  const char *newer = "{\"format\":2,\"device\":\"a\",\"epoch\":1,\"ttl_ms\":30000,\"released\":false}";

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(YataiLease) lease = yatai_lease_parse (bad[i], strlen (bad[i]), &error);

      g_test_message ("lease %s", bad[i]);
      g_assert_null (lease);
      g_assert_error (error, YATAI_SEGMENT_ERROR, YATAI_SEGMENT_ERROR_MALFORMED);
      g_clear_error (&error);
    }

  g_assert_null (yatai_lease_parse (newer, strlen (newer), &error));
  g_assert_error (error, YATAI_SEGMENT_ERROR, YATAI_SEGMENT_ERROR_VERSION);
}

/* The log's head travels in the lease; a lease of an older Yatai, without it, still reads. */
static void
test_head (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(YataiLease) lease = yatai_lease_new ("dev-a", "受付 PC", 4);
  g_autofree char *json = NULL;
  g_autoptr(YataiLease) back = NULL;
  g_autoptr(YataiLease) old = NULL;
  const char *older = "{\"format\":1,\"device\":\"a\",\"epoch\":3,\"ttl_ms\":30000,\"released\":false}";

  lease->head = 436;
  json = yatai_lease_to_json (lease);
  back = yatai_lease_parse (json, strlen (json), &error);
  g_assert_no_error (error);
  g_assert_cmpint (back->head, ==, 436);

  old = yatai_lease_parse (older, strlen (older), &error);
  g_assert_no_error (error);
  g_assert_cmpint (old->head, ==, -1);
  g_assert_cmpint (old->epoch, ==, 3);
}

/* The TTL is Yatai's, not the holder's; epochs only count up. A lease that breaks either is damaged. */
static void
test_rules (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(YataiLease) lease = yatai_lease_new ("other", "Counter PC", 5);

  g_assert_true (yatai_lease_check_rules (lease, YATAI_LEASE_TTL_MS, 5, &error));
  g_assert_no_error (error);

  lease->ttl_ms = 24 * 3600 * 1000;
  g_assert_false (yatai_lease_check_rules (lease, YATAI_LEASE_TTL_MS, 5, &error));
  g_assert_error (error, YATAI_SEGMENT_ERROR, YATAI_SEGMENT_ERROR_MALFORMED);
  g_clear_error (&error);
  lease->ttl_ms = 5;
  g_assert_false (yatai_lease_check_rules (lease, YATAI_LEASE_TTL_MS, 5, &error));
  g_clear_error (&error);

  lease->ttl_ms = YATAI_LEASE_TTL_MS;
  g_assert_false (yatai_lease_check_rules (lease, YATAI_LEASE_TTL_MS, 6, &error));
  g_assert_error (error, YATAI_SEGMENT_ERROR, YATAI_SEGMENT_ERROR_MALFORMED);
}

/* A damaged lease is nobody's: held while it is new, and taken over after Yatai's TTL of silence,
 * whatever TTL it claims. */
static void
test_damaged_verdicts (void)
{
  YataiLeaseView view = { 0 };
  YataiLease *long_ttl = yatai_lease_new ("other", "Counter PC", 2);
  gint64 t0 = 1000000000;
  gint64 second = G_USEC_PER_SEC;

  yatai_lease_view_update_damaged (&view, 90, t0);
  g_assert_cmpint (yatai_lease_view_verdict (&view, "me", YATAI_LEASE_TTL_MS, t0 + 29 * second), ==, YATAI_LEASE_HELD);
  g_assert_cmpint (yatai_lease_view_verdict (&view, "me", YATAI_LEASE_TTL_MS, t0 + 31 * second), ==, YATAI_LEASE_EXPIRED);
  g_assert_cmpint (view.generation, ==, 90);

  /* Even a lease that parsed: silence is measured against Yatai's TTL, not its own. */
  long_ttl->ttl_ms = 24 * 3600 * 1000;
  yatai_lease_view_update (&view, long_ttl, 91, t0);
  g_assert_false (view.damaged);
  g_assert_cmpint (yatai_lease_view_verdict (&view, "me", YATAI_LEASE_TTL_MS, t0 + 31 * second), ==, YATAI_LEASE_EXPIRED);
  g_assert_cmpint (view.max_epoch, ==, 2);
  yatai_lease_view_clear (&view);
}

static void
test_verdicts (void)
{
  YataiLeaseView view = { 0 };
  YataiLease *held = yatai_lease_new ("other", "Counter PC", 2);
  YataiLease *released = NULL;
  gint64 t0 = 1000000000;
  gint64 second = G_USEC_PER_SEC;

  g_assert_cmpint (yatai_lease_view_verdict (&view, "me", YATAI_LEASE_TTL_MS, t0), ==, YATAI_LEASE_CREATE);

  yatai_lease_view_update (&view, held, 77, t0);
  g_assert_cmpint (yatai_lease_view_verdict (&view, "me", YATAI_LEASE_TTL_MS, t0 + 29 * second), ==, YATAI_LEASE_HELD);
  g_assert_cmpint (yatai_lease_view_verdict (&view, "other", YATAI_LEASE_TTL_MS, t0 + 29 * second), ==, YATAI_LEASE_MINE);

  /* Reading the same generation again does not restart the silence... */
  yatai_lease_view_update (&view, yatai_lease_copy (view.lease), 77, t0 + 20 * second);
  g_assert_cmpint (yatai_lease_view_verdict (&view, "me", YATAI_LEASE_TTL_MS, t0 + 31 * second), ==, YATAI_LEASE_EXPIRED);
  g_assert_cmpint (yatai_lease_view_silent_ms (&view, t0 + 31 * second), ==, 31000);

  /* ... a renewal (a new generation) does, whatever the holder's clock says. */
  yatai_lease_view_update (&view, yatai_lease_copy (view.lease), 78, t0 + 32 * second);
  g_assert_cmpint (yatai_lease_view_verdict (&view, "me", YATAI_LEASE_TTL_MS, t0 + 33 * second), ==, YATAI_LEASE_HELD);

  released = yatai_lease_copy (view.lease);
  released->released = TRUE;
  yatai_lease_view_update (&view, released, 79, t0 + 40 * second);
  g_assert_cmpint (yatai_lease_view_verdict (&view, "me", YATAI_LEASE_TTL_MS, t0 + 40 * second), ==, YATAI_LEASE_CLAIM);
  g_assert_cmpint (yatai_lease_view_verdict (&view, "other", YATAI_LEASE_TTL_MS, t0 + 40 * second), ==, YATAI_LEASE_CLAIM);

  yatai_lease_view_clear (&view);
}

/* The writer's link addresses travel in the lease; what does not look like one is left out, and a
 * lease without them (an older Yatai) still reads. */
static void
test_link_addresses (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(YataiLease) lease = yatai_lease_new ("dev-a", "Counter PC", 2);
  g_autoptr(YataiLease) back = NULL;
  g_autoptr(YataiLease) hostile = NULL;
  g_autoptr(YataiLease) plain = NULL;
  g_autofree char *json = NULL;
  const char *text;

  lease->link = g_strsplit ("192.168.1.5:40123,[2001:db8::5]:40123", ",", -1);
  json = yatai_lease_to_json (lease);
  back = yatai_lease_parse (json, strlen (json), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (back->link), ==, 2);
  g_assert_cmpstr (back->link[0], ==, "192.168.1.5:40123");
  g_assert_cmpstr (back->link[1], ==, "[2001:db8::5]:40123");

  text = "{\"format\":1,\"device\":\"d\",\"epoch\":1,\"ttl_ms\":30000,\"released\":false,"
         "\"link\":[\"10.0.0.1:1\",7,\"http://x/y\",\"a b:1\",\"\",\"10.0.0.2:2\","
         "\"0123456789012345678901234567890123456789012345678901234567890123456789:1\"]}";
  hostile = yatai_lease_parse (text, strlen (text), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (hostile->link), ==, 2);
  g_assert_cmpstr (hostile->link[0], ==, "10.0.0.1:1");
  g_assert_cmpstr (hostile->link[1], ==, "10.0.0.2:2");

  text = "{\"format\":1,\"device\":\"d\",\"epoch\":1,\"ttl_ms\":30000,\"released\":false}";
  plain = yatai_lease_parse (text, strlen (text), &error);
  g_assert_no_error (error);
  g_assert_null (plain->link);
}

/* Why the holder cannot apply commands travels in the lease; a trouble of the wrong form is left out,
 * and a lease without it (an older Yatai, or a writer that can) says none. */
static void
test_trouble (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(YataiLease) lease = yatai_lease_new ("dev-a", "Counter PC", 2);
  g_autoptr(YataiLease) back = NULL;
  g_autoptr(YataiLease) copy = NULL;
  g_autoptr(YataiLease) wrong = NULL;
  g_autoptr(YataiLease) plain = NULL;
  g_autofree char *json = NULL;
  const char *text;

  lease->trouble = g_strdup ("disk-full");
  json = yatai_lease_to_json (lease);
  back = yatai_lease_parse (json, strlen (json), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (back->trouble, ==, "disk-full");
  copy = yatai_lease_copy (back);
  g_assert_cmpstr (copy->trouble, ==, "disk-full");

  text = "{\"format\":1,\"device\":\"d\",\"epoch\":1,\"ttl_ms\":30000,\"released\":false,\"trouble\":7}";
  wrong = yatai_lease_parse (text, strlen (text), &error);
  g_assert_no_error (error);
  g_assert_null (wrong->trouble);

  text = "{\"format\":1,\"device\":\"d\",\"epoch\":1,\"ttl_ms\":30000,\"released\":false}";
  plain = yatai_lease_parse (text, strlen (text), &error);
  g_assert_no_error (error);
  g_assert_null (plain->trouble);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/lease/round-trip", test_round_trip);
  g_test_add_func ("/lease/bad-refused", test_bad_refused);
  g_test_add_func ("/lease/verdicts", test_verdicts);
  g_test_add_func ("/lease/head", test_head);
  g_test_add_func ("/lease/rules", test_rules);
  g_test_add_func ("/lease/damaged-verdicts", test_damaged_verdicts);
  g_test_add_func ("/lease/link-addresses", test_link_addresses);
  g_test_add_func ("/lease/trouble", test_trouble);

  return g_test_run ();
}
