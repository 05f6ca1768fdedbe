/* test-sync-status.c: the header bar's words for where a device stands */
#include "config.h"

#include <glib/gstdio.h>

#include "memory-bucket.h"
#include "yatai-store-products.h"
#include "yatai-sync-status.h"

typedef gboolean (*Condition) (gpointer data);

static void
run_until (Condition condition,
           gpointer  data)
{
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;   /* a TLS handshake under ASan on a busy machine */

  while (!condition (data))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

static void
remove_dir (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_unlink (path);
    }
  g_rmdir (dir);
}

static gboolean
has_role (gpointer data)
{
  return yatai_sync_engine_get_role (data) != YATAI_SYNC_STARTING;
}

static gboolean
is_offline (gpointer data)
{
  return !yatai_sync_engine_get_online (data);
}

static YataiStore *
open_store (const char *dir,
            const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (dir, name, NULL);
  YataiStore *store = yatai_store_open (path, &error);

  g_assert_no_error (error);
  yatai_store_set_device_name (store, name);
  return store;
}

static void
test_words (void)
{
  g_autofree char *dir = g_dir_make_tmp ("yatai-status-XXXXXX", NULL);
  g_autoptr(YataiMemoryBucket) bucket = yatai_memory_bucket_new ();
  g_autoptr(YataiStore) counter = open_store (dir, "Counter PC");
  g_autoptr(YataiStore) kitchen = open_store (dir, "Kitchen");
  g_autoptr(YataiSyncEngine) writer = yatai_sync_engine_new (counter, YATAI_BUCKET (bucket), "s");
  g_autoptr(YataiSyncEngine) follower = yatai_sync_engine_new (kitchen, YATAI_BUCKET (bucket), "s");
  g_autofree char *local = yatai_sync_status_summary (NULL, 0);
  g_autofree char *w = NULL;
  g_autofree char *f = NULL;
  g_autofree char *behind = NULL;
  g_autofree char *offline = NULL;
  g_autofree char *details = NULL;
  g_autoptr(JsonObject) args = yatai_product_save_args (0, "ラムネ", 200, 1, FALSE, NULL, NULL, TRUE);
  g_autoptr(YataiCommand) command = yatai_command_new ("product.save", args);
  g_autoptr(JsonNode) result = NULL;
  g_autoptr(GError) error = NULL;
  gint64 since, now;
  gboolean sent;

  g_assert_cmpstr (local, ==, "Local only");
  g_assert_false (yatai_sync_status_is_stale (NULL, 0, NULL));

  yatai_sync_engine_set_poll_interval (follower, 20);
  yatai_sync_engine_start (writer);
  run_until (has_role, writer);
  yatai_sync_engine_start (follower);
  run_until (has_role, follower);

  w = yatai_sync_status_summary (writer, g_get_monotonic_time ());
  g_assert_cmpstr (w, ==, "Writer");
  now = g_get_monotonic_time ();
  f = yatai_sync_status_summary (follower, now);
  g_assert_cmpstr (f, ==, "Following “Counter PC” through the bucket");
  g_assert_false (yatai_sync_status_is_stale (follower, now, NULL));
  g_assert_false (yatai_sync_status_is_stale (writer, now, NULL));

  /* Twelve seconds of silence: the follower may show old orders, and says so. */
  behind = yatai_sync_status_summary (follower, now + 12 * G_USEC_PER_SEC);
  g_assert_cmpstr (behind, ==, "Following “Counter PC”, behind by 12 s");
  g_assert_true (yatai_sync_status_is_stale (follower, now + 12 * G_USEC_PER_SEC, &since));
  g_assert_cmpint (since, >, 0);
  g_assert_cmpint (since, <=, now);

  /* The network goes: a follower's action waits, and the bar counts it. */
  yatai_memory_bucket_set_offline (bucket, TRUE);
  result = yatai_sync_engine_execute (follower, command, &sent, &error);
  g_assert_no_error (error);
  g_assert_true (sent);
  run_until (is_offline, follower);
  offline = yatai_sync_status_summary (follower, g_get_monotonic_time ());
  g_assert_cmpstr (offline, ==, "Offline, 1 change waiting");
  g_assert_true (yatai_sync_status_is_stale (follower, g_get_monotonic_time (), NULL));

  details = yatai_sync_status_details (follower, g_get_monotonic_time ());
  g_assert_nonnull (strstr (details, "Waiting to be sent: 1"));

  g_clear_object (&writer);
  g_clear_object (&follower);
  g_clear_object (&counter);
  g_clear_object (&kitchen);
  remove_dir (dir);
}

static gboolean
follows_on_link (gpointer data)
{
  return yatai_sync_engine_get_link_writer (data) != NULL;
}

static gboolean
not_on_link (gpointer data)
{
  return yatai_sync_engine_get_link_writer (data) == NULL;
}

/* Following on the local network: said so, never stale while the writer is heard there, the internet's
 * state beside it; the writer names who follows it. */
static void
test_link_words (void)
{
  g_autofree char *dir = g_dir_make_tmp ("yatai-status-XXXXXX", NULL);
  g_autoptr(YataiMemoryBucket) bucket = yatai_memory_bucket_new ();
  g_autoptr(YataiStore) counter = open_store (dir, "Counter PC");
  g_autoptr(YataiStore) kitchen = open_store (dir, "Kitchen");
  g_autoptr(YataiSyncEngine) writer = yatai_sync_engine_new (counter, YATAI_BUCKET (bucket), "s");
  g_autoptr(YataiSyncEngine) follower = yatai_sync_engine_new (kitchen, YATAI_BUCKET (bucket), "s");
  g_autofree char *address = NULL;
  g_autofree char *on_link = NULL;
  g_autofree char *no_internet = NULL;
  g_autofree char *details = NULL;
  g_autofree char *writer_details = NULL;
  gint64 now, since;

  yatai_sync_engine_set_link (writer, "127.0.0.1:0", NULL);
  yatai_sync_engine_set_timing (writer, 600, 150);
  yatai_sync_engine_start (writer);
  run_until (has_role, writer);
  address = g_strdup_printf ("127.0.0.1:%u", yatai_sync_engine_get_link_port (writer));
  yatai_sync_engine_set_link (follower, NULL, address);
  yatai_sync_engine_set_poll_interval (follower, 20);
  yatai_sync_engine_start (follower);
  run_until (follows_on_link, follower);

  now = g_get_monotonic_time ();
  on_link = yatai_sync_status_summary (follower, now);
  g_assert_cmpstr (on_link, ==, "Following “Counter PC” on the local network");
  g_assert_false (yatai_sync_status_is_stale (follower, now + 12 * G_USEC_PER_SEC, NULL));
  details = yatai_sync_status_details (follower, now);
  g_assert_nonnull (strstr (details, "Connected to “Counter PC” on the local network"));
  writer_details = yatai_sync_status_details (writer, now);
  g_assert_nonnull (strstr (writer_details, "Following on the local network: Kitchen (127.0.0.1:"));

  /* The internet goes: the link goes on, and the words say both. */
  yatai_memory_bucket_set_offline (bucket, TRUE);
  run_until (is_offline, follower);
  no_internet = yatai_sync_status_summary (follower, g_get_monotonic_time ());
  g_assert_cmpstr (no_internet, ==, "Following “Counter PC” on the local network, no internet");
  g_assert_false (yatai_sync_status_is_stale (follower, g_get_monotonic_time (), NULL));

  /* And the link too: silence on both paths is counted from the later one. */
  g_clear_object (&writer);
  run_until (not_on_link, follower);
  now = g_get_monotonic_time ();
  g_assert_false (yatai_sync_status_is_stale (follower, now, NULL));
  g_assert_true (yatai_sync_status_is_stale (follower, now + 12 * G_USEC_PER_SEC, &since));
  g_assert_cmpint (since, ==, MAX (yatai_sync_engine_get_last_link_contact (follower),
                                   yatai_sync_engine_get_last_contact (follower)));
  g_assert_cmpint (yatai_sync_engine_get_last_link_contact (follower), >, 0);
  g_clear_object (&follower);
  g_clear_object (&counter);
  g_clear_object (&kitchen);
  remove_dir (dir);
}

static void
test_durations (void)
{
  const struct { gint64 seconds; const char *text; } cases[] = {
    { 0, "0 s" }, { 59, "59 s" }, { 60, "1 min" }, { 3599, "59 min" }, { 7200, "2 h" }, { -5, "0 s" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = yatai_format_duration (cases[i].seconds);
      g_assert_cmpstr (text, ==, cases[i].text);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  /* Held, so GIO's TLS handshake threads cannot run the engines' callbacks while run_until() sleeps. */
  g_main_context_acquire (NULL);

  g_test_add_func ("/sync-status/words", test_words);
  g_test_add_func ("/sync-status/link-words", test_link_words);
  g_test_add_func ("/sync-status/durations", test_durations);

  return g_test_run ();
}
