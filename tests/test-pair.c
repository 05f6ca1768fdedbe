/* test-pair.c: pairing a device by the code the counter shows (TLS-SRP, yatai-pair.h)
 *
 * The counter writes (a bucket in memory, the venue link on 127.0.0.1) and offers a code; the new
 * device reaches it through a TCP relay that keeps every byte, types the code and receives the stall:
 * menu, orders and the stall's key, at a position it then follows over the link. A wrong code is
 * refused in words on both ends and counted; three of them end the code; nothing in the captured bytes
 * shows a customer's name, a product, the code or the stall's key. Without an address, the new device
 * takes the one counter pairing's discovery found (fed by hand: no Avahi daemon in a test), or is told
 * in words why it cannot.
 */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "memory-bucket.h"
#include "sync-test-util.h"
#include "tcp-relay.h"
#include "yatai-link-discovery.h"
#include "yatai-link-key.h"
#include "yatai-order.h"
#include "yatai-pair-server.h"
#include "yatai-store-journal.h"
#include "yatai-store-orders.h"
#include "yatai-store-products.h"
#include "yatai-sync-engine.h"

#define PREFIX  "yatai/stall-1"

typedef struct
{
  YataiMemoryBucket *bucket;
  SyncTestDevice    *counter;
  YataiPairServer   *server;
  Relay             *relay;
  char              *through;       /* the relay's address */
  gint64             order_id;
} Fixture;

static char *dir;

/* The counter, or a new device: its engine on the bucket, serving the link on @listen or following
 * the writer at @writer. */
static void
device_start (SyncTestDevice    *device,
              YataiMemoryBucket *bucket,
              const char        *listen,
              const char        *writer)
{
  sync_test_device_attach (device, YATAI_BUCKET (bucket), PREFIX);
  yatai_sync_engine_set_link (device->engine, listen, writer);
  yatai_sync_engine_start (device->engine);
}

static gboolean
follows_over_link (gpointer data)
{
  return g_strcmp0 (yatai_sync_engine_get_link_writer (((SyncTestDevice *) data)->engine), "Counter PC") == 0;
}

static gboolean
not_sending (gpointer data)
{
  return yatai_pair_server_get_state (data) != YATAI_PAIR_STATE_SENDING;
}

static YataiPairing *
counter_stall_cb (gpointer   user_data,
                  GError   **error)
{
  Fixture *f = user_data;
  g_autoptr(YataiPairing) pairing = yatai_pairing_new ();

  pairing->snapshot = yatai_sync_engine_export_stall (f->counter->engine, error);
  if (pairing->snapshot == NULL)
    return NULL;
  pairing->counter_name = g_strdup ("Counter PC");
  pairing->counter_id = g_strdup (yatai_store_get_device_id (f->counter->store));
  pairing->prefix = g_strdup (PREFIX);
  pairing->has_settings = TRUE;
  pairing->bucket = g_strdup ("festival-stall");
  pairing->endpoint = g_strdup ("");
  pairing->credentials = g_strdup ("{\"type\": \"service_account\", \"private_key_id\": \"k-0451\"}");
  return g_steal_pointer (&pairing);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *listen = NULL;
  YataiCartLine line = { 0, 2 };
  g_autoptr(JsonObject) args = NULL;
  g_autoptr(YataiCommand) confirm = NULL;
  g_autoptr(JsonNode) result = NULL;
  gboolean sent;

  f->bucket = yatai_memory_bucket_new ();
  f->counter = sync_test_device_open (dir, "Counter PC");
  device_start (f->counter, f->bucket, "127.0.0.1:0", NULL);
  sync_test_run_until (sync_test_is_writer, f->counter);

  line.product_id = sync_test_save_product (f->counter, "焼きそば", 5);
  args = yatai_order_confirm_args (&line, 1, "Tanaka Hanako", "", 1000, FALSE, 5);
  confirm = yatai_command_new ("order.confirm", args);
  result = sync_test_execute (f->counter, confirm, &sent);
  f->order_id = json_object_get_int_member (json_node_get_object (result), "id");

  f->server = yatai_pair_server_new (counter_stall_cb, f, NULL);
  yatai_pair_server_listen (f->server, "127.0.0.1:0", &error);
  g_assert_no_error (error);
  listen = g_strdup_printf ("127.0.0.1:%u", yatai_pair_server_get_port (f->server));
  f->relay = relay_new (listen);
  f->through = g_strdup_printf ("127.0.0.1:%u", relay_get_port (f->relay));
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  relay_free (f->relay);
  g_free (f->through);
  g_clear_object (&f->server);
  sync_test_device_remove (f->counter);
  g_clear_object (&f->bucket);
}

typedef struct
{
  YataiPairing *pairing;
  GError       *error;
  gboolean      done;
} Joined;

static void
joined_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Joined *joined = user_data;

  joined->pairing = yatai_pair_join_finish (result, &joined->error);
  joined->done = TRUE;
}

static gboolean
is_done (gpointer data)
{
  return ((Joined *) data)->done;
}

static YataiPairing *
join (Fixture     *f,
      const char  *code,
      GError     **error)
{
  Joined joined = { NULL, NULL, FALSE };

  yatai_pair_join_async (f->through, code, "Kitchen", NULL, joined_cb, &joined);
  sync_test_run_until (is_done, &joined);
  if (joined.error != NULL)
    g_propagate_error (error, joined.error);
  return joined.pairing;
}

static char *
wrong_code (const char *code)
{
  char *wrong = g_strdup (code);

  wrong[0] = wrong[0] == '9' ? '0' : wrong[0] + 1;
  return wrong;
}

static void
assert_capture_holds_no_secret (Fixture    *f,
                                const char *code)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GTlsCertificate) key = yatai_link_key_load (f->counter->store, &error);
  g_autofree char *private_pem = NULL;
  g_autofree char *certificate_pem = NULL;
  g_autoptr(GByteArray) der = NULL;
  const char *body;

  g_assert_no_error (error);
  g_object_get (key, "private-key-pem", &private_pem, "certificate-pem", &certificate_pem, "certificate", &der, NULL);
  g_assert_cmpuint (relay_get_captured_size (f->relay), >, 500);
  g_assert_false (relay_captured_holds (f->relay, "Tanaka"));
  g_assert_false (relay_captured_holds (f->relay, "焼きそば"));
  g_assert_false (relay_captured_holds (f->relay, "k-0451"));
  g_assert_false (relay_captured_holds (f->relay, "festival-stall"));
  g_assert_false (relay_captured_holds (f->relay, code));
  /* Neither the private key nor the certificate, as text or as DER. */
  body = strchr (private_pem, '\n') + 1;
  g_assert_false (relay_captured_holds_bytes (f->relay, (const guint8 *) body, 32));
  body = strchr (certificate_pem, '\n') + 1;
  g_assert_false (relay_captured_holds_bytes (f->relay, (const guint8 *) body, 32));
  g_assert_false (relay_captured_holds_bytes (f->relay, der->data + der->len / 2, 32));
}

/* The new device gets the whole stall, with the settings, and follows the counter from there. */
static void
test_pair_gives_the_stall (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *code = g_strdup (yatai_pair_server_offer (f->server));
  g_autofree char *typed = g_strdup_printf ("%.3s %s", code, code + 3);
  g_autofree char *link = g_strdup_printf ("127.0.0.1:%u", yatai_sync_engine_get_link_port (f->counter->engine));
  g_autoptr(YataiPairing) pairing = NULL;
  g_autoptr(YataiPairing) again = NULL;
  g_autoptr(YataiOrder) order = NULL;
  g_autoptr(GTlsCertificate) counter_key = NULL;
  g_autoptr(GTlsCertificate) kitchen_key = NULL;
  SyncTestDevice *kitchen = sync_test_device_open (dir, "Kitchen");

  g_assert_cmpuint (strlen (code), ==, YATAI_PAIR_CODE_DIGITS);
  g_assert_cmpint (yatai_pair_server_get_state (f->server), ==, YATAI_PAIR_STATE_WAITING);
  g_assert_cmpuint (yatai_pair_server_get_seconds_left (f->server), >, YATAI_PAIR_CODE_SECONDS - 10);

  pairing = join (f, typed, &error);
  g_assert_no_error (error);
  sync_test_run_until (not_sending, f->server);
  g_assert_cmpint (yatai_pair_server_get_state (f->server), ==, YATAI_PAIR_STATE_PAIRED);
  g_assert_cmpstr (yatai_pair_server_get_device_name (f->server), ==, "Kitchen");
  g_assert_cmpstr (pairing->counter_name, ==, "Counter PC");
  g_assert_cmpstr (pairing->prefix, ==, PREFIX);
  g_assert_true (pairing->has_settings);
  g_assert_cmpstr (pairing->bucket, ==, "festival-stall");
  g_assert_nonnull (strstr (pairing->credentials, "k-0451"));
  assert_capture_holds_no_secret (f, code);

  /* The code is used up. */
  again = join (f, code, &error);
  g_assert_error (error, YATAI_PAIR_ERROR, YATAI_PAIR_ERROR_NO_CODE);
  g_assert_null (again);
  g_clear_error (&error);

  /* Menu, order with its customer, and the stall's key. */
  yatai_pairing_apply (pairing, kitchen->store, &error);
  g_assert_no_error (error);
  g_assert_true (yatai_store_product_name_taken (kitchen->store, "焼きそば", 0));
  order = yatai_store_get_order (kitchen->store, f->order_id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (yatai_order_get_customer (order), ==, "Tanaka Hanako");
  counter_key = yatai_link_key_load (f->counter->store, &error);
  g_assert_no_error (error);
  kitchen_key = yatai_link_key_load (kitchen->store, &error);
  g_assert_no_error (error);
  g_assert_true (g_tls_certificate_is_same (counter_key, kitchen_key));
  g_assert_cmpstr (yatai_store_get_device_name (kitchen->store), ==, "Kitchen");
  g_assert_cmpstr (yatai_store_get_device_id (kitchen->store), !=, yatai_store_get_device_id (f->counter->store));

  /* It follows: with the stall's key it gets in on the link, and the counter's next change comes. */
  device_start (kitchen, f->bucket, NULL, link);
  sync_test_run_until (follows_over_link, kitchen);
  sync_test_save_product (f->counter, "たこ焼き", 5);
  sync_test_wait_for_product (kitchen, "たこ焼き");
  g_assert_cmpint (yatai_sync_engine_get_role (kitchen->engine), ==, YATAI_SYNC_FOLLOWER);

  sync_test_device_remove (kitchen);
}

static guint expected_left;

static gboolean
attempts_counted (gpointer data)
{
  return yatai_pair_server_get_attempts_left (data) == expected_left;
}

/* A wrong code is refused on both ends, counted, and the third ends the code for good. */
static void
test_wrong_code (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *code = g_strdup (yatai_pair_server_offer (f->server));
  g_autofree char *wrong = wrong_code (code);

  for (guint i = 1; i <= YATAI_PAIR_MAX_ATTEMPTS; i++)
    {
      g_autoptr(YataiPairing) pairing = join (f, wrong, &error);

      g_assert_null (pairing);
      g_assert_error (error, YATAI_PAIR_ERROR, YATAI_PAIR_ERROR_WRONG_CODE);
      g_assert_cmpstr (error->message, ==, "The code is not the one shown on the counter.");
      g_clear_error (&error);
      /* The counter's side counts it once its worker thread is back (the new device may hear first). */
      expected_left = YATAI_PAIR_MAX_ATTEMPTS - i;
      sync_test_run_until (attempts_counted, f->server);
      if (i < YATAI_PAIR_MAX_ATTEMPTS)
        {
          g_assert_cmpint (yatai_pair_server_get_state (f->server), ==, YATAI_PAIR_STATE_WAITING);
          g_assert_nonnull (strstr (yatai_pair_server_get_message (f->server), "wrong code"));
        }
    }
  g_assert_cmpint (yatai_pair_server_get_state (f->server), ==, YATAI_PAIR_STATE_FAILED);
  g_assert_cmpstr (yatai_pair_server_get_message (f->server), ==,
                   "A wrong code was typed three times, so this code no longer works. Make a new one to add a device.");
  g_assert_null (yatai_pair_server_get_code (f->server));

  /* Even the right code does not work any more. */
  g_assert_null (join (f, code, &error));
  g_assert_error (error, YATAI_PAIR_ERROR, YATAI_PAIR_ERROR_NO_CODE);
  g_clear_error (&error);

  assert_capture_holds_no_secret (f, code);
}

/* A code stops working at the end of its lifetime. */
static void
test_code_expires (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *code = NULL;

  yatai_pair_server_set_lifetime (f->server, 1);
  code = g_strdup (yatai_pair_server_offer (f->server));
  while (yatai_pair_server_get_state (f->server) == YATAI_PAIR_STATE_WAITING)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (yatai_pair_server_get_state (f->server), ==, YATAI_PAIR_STATE_FAILED);
  g_assert_null (join (f, code, &error));
  g_assert_error (error, YATAI_PAIR_ERROR, YATAI_PAIR_ERROR_NO_CODE);
}

static void
test_code_text (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *code = yatai_pair_code_new ();
  g_autofree char *full_width = yatai_pair_code_normalize ("１２３ ４５６", &error);
  g_autofree char *spaced = yatai_pair_code_normalize (" 123-456 ", &error);
  g_autofree char *formatted = yatai_pair_code_format ("123456");

  g_assert_no_error (error);
  g_assert_cmpuint (strlen (code), ==, 6);
  g_assert_true (g_str_is_ascii (code) && strspn (code, "0123456789") == 6);
  g_assert_cmpstr (full_width, ==, "123456");
  g_assert_cmpstr (spaced, ==, "123456");
  g_assert_cmpstr (formatted, ==, "123 456");
  g_assert_null (yatai_pair_code_normalize ("12345", &error));
  g_assert_error (error, YATAI_PAIR_ERROR, YATAI_PAIR_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_null (yatai_pair_code_normalize ("1234567", &error));
  g_assert_error (error, YATAI_PAIR_ERROR, YATAI_PAIR_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_null (yatai_pair_code_normalize ("12a456", &error));
  g_assert_error (error, YATAI_PAIR_ERROR, YATAI_PAIR_ERROR_INVALID);
}

/* yatai-ctl pair CODE: the one counter found, else why not, naming those found. */
static void
test_only_counter (void)
{
  g_autoptr(YataiLinkDiscovery) discovery = yatai_link_discovery_new_for_pairing ("Kitchen");
  g_autoptr(YataiDiscovered) only = NULL;
  g_autoptr(GPtrArray) listed = NULL;
  g_autoptr(GError) error = NULL;
  guint changes = 0;

  g_signal_connect_swapped (discovery, "changed", G_CALLBACK (g_atomic_int_inc), &changes);
  g_assert_null (yatai_link_discovery_dup_only (discovery, &error));
  if (yatai_link_discovery_available (discovery))
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  else
    {
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
      g_assert_cmpstr (error->message, ==, "Counters cannot be found automatically on this device (no network service "
                                           "discovery). Give the address the counter shows: pair HOST:PORT CODE.");
    }
  g_clear_error (&error);

  yatai_link_discovery_take_found (discovery, "1/0/Counter PC", "Counter PC", "192.0.2.1:4000");
  /* The same service again (an address that changed) replaces it. */
  yatai_link_discovery_take_found (discovery, "1/0/Counter PC", "Counter PC", "192.0.2.1:4001");
  g_assert_cmpuint (changes, ==, 2);
  only = yatai_link_discovery_dup_only (discovery, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (only->device, ==, "Counter PC");
  g_assert_cmpstr (only->address, ==, "192.0.2.1:4001");
  g_clear_pointer (&only, yatai_discovered_free);

  yatai_link_discovery_take_found (discovery, "1/1/Till 2", "Till 2", "[2001:db8::2]:4000");
  listed = yatai_link_discovery_list (discovery);
  g_assert_cmpuint (listed->len, ==, 2);
  g_assert_cmpstr (((YataiDiscovered *) listed->pdata[1])->device, ==, "Till 2");
  g_assert_null (yatai_link_discovery_dup_only (discovery, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS);
  g_assert_cmpstr (error->message, ==, "More than one counter shows Add a Device: “Counter PC” (192.0.2.1:4001), "
                                       "“Till 2” ([2001:db8::2]:4000). Give the address of the one to join: pair HOST:PORT CODE.");
  g_clear_error (&error);

  /* A stranger's names that would read as something else are not listed. */
  yatai_link_discovery_take_found (discovery, "1/0/a", "Counter\u202EPC", "192.0.2.66:4000");
  yatai_link_discovery_take_found (discovery, "1/0/b", "Counter PC\nTill 3", "192.0.2.66:4000");
  yatai_link_discovery_take_found (discovery, "1/0/c", "Counter \xff", "192.0.2.66:4000");
  g_clear_pointer (&listed, g_ptr_array_unref);
  listed = yatai_link_discovery_list (discovery);
  g_assert_cmpuint (listed->len, ==, 2);

  /* One closes its Add a Device: the other is the one. */
  yatai_link_discovery_forget_found (discovery, "1/0/Counter PC");
  only = yatai_link_discovery_dup_only (discovery, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (only->device, ==, "Till 2");
}

/* A stall without a bucket: the counter founds it as it offers the code, the new device receives the
 * stall with no settings and follows the counter on the local network alone; its order gets a call
 * number from the counter. */
static YataiPairing *
link_stall_cb (gpointer   user_data,
               GError   **error)
{
  SyncTestDevice *counter = user_data;
  g_autoptr(YataiPairing) pairing = yatai_pairing_new ();
  g_auto(GStrv) addresses = yatai_sync_engine_dup_link_addresses (counter->engine);

  pairing->snapshot = yatai_sync_engine_export_stall (counter->engine, error);
  if (pairing->snapshot == NULL)
    return NULL;
  pairing->counter_name = g_strdup ("Counter PC");
  pairing->counter_id = g_strdup (yatai_store_get_device_id (counter->store));
  pairing->prefix = g_strdup (PREFIX);
  pairing->link_only = TRUE;
  pairing->link = g_strdup (addresses[0]);
  return g_steal_pointer (&pairing);
}

static void
test_no_bucket (void)
{
  g_autoptr(GError) error = NULL;
  SyncTestDevice *counter = sync_test_device_open (dir, "Counter PC");
  SyncTestDevice *kitchen = sync_test_device_open (dir, "Kitchen");
  g_autoptr(YataiPairServer) server = NULL;
  g_autofree char *address = NULL;
  g_autofree char *prefix = NULL;
  g_autoptr(YataiPairing) pairing = NULL;
  g_autoptr(YataiCommand) confirm = NULL;
  g_autoptr(JsonNode) result = NULL;
  g_autoptr(JsonObject) args = NULL;
  YataiCartLine line = { 0, 1 };
  Joined joined = { NULL, NULL, FALSE };
  gboolean sent;

  /* Owned all along, as the application's loop owns it (see test-sync-linkonly.c). */
  g_main_context_acquire (NULL);
  g_assert_true (yatai_sync_link_stall_found (counter->store, PREFIX, &error));
  g_assert_no_error (error);
  sync_test_device_attach (counter, NULL, PREFIX);
  yatai_sync_engine_set_link (counter->engine, "127.0.0.1:0", NULL);
  yatai_sync_engine_start (counter->engine);
  g_assert_cmpint (yatai_sync_engine_get_role (counter->engine), ==, YATAI_SYNC_WRITER);
  line.product_id = sync_test_save_product (counter, "焼きそば", 5);

  server = yatai_pair_server_new (link_stall_cb, counter, NULL);
  yatai_pair_server_listen (server, "127.0.0.1:0", &error);
  g_assert_no_error (error);
  address = g_strdup_printf ("127.0.0.1:%u", yatai_pair_server_get_port (server));
  yatai_pair_join_async (address, yatai_pair_server_offer (server), "Kitchen", NULL, joined_cb, &joined);
  sync_test_run_until (is_done, &joined);
  g_assert_no_error (joined.error);
  pairing = joined.pairing;
  g_assert_true (pairing->link_only);
  g_assert_false (pairing->has_settings);
  g_assert_nonnull (pairing->link);
  yatai_pairing_apply (pairing, kitchen->store, &error);
  g_assert_no_error (error);
  prefix = yatai_sync_link_stall_get (kitchen->store);
  g_assert_cmpstr (prefix, ==, PREFIX);
  g_assert_false (yatai_sync_link_stall_is_writer (kitchen->store));
  g_assert_true (yatai_store_product_name_taken (kitchen->store, "焼きそば", 0));

  /* Nothing set by hand: the address came with the stall. */
  sync_test_device_attach (kitchen, NULL, prefix);
  yatai_sync_engine_start (kitchen->engine);
  sync_test_run_until (follows_over_link, kitchen);
  args = yatai_order_confirm_args (&line, 1, "Tanaka Hanako", "", 1000, FALSE, 5);
  confirm = yatai_command_new ("order.confirm", args);
  result = sync_test_execute (kitchen, confirm, &sent);
  g_assert_true (sent);
  sync_test_run_until (sync_test_has_finished, kitchen);
  g_clear_pointer (&result, json_node_unref);
  g_assert_true (yatai_store_lookup_command (kitchen->store, yatai_command_get_id (confirm), &result, &error));
  g_assert_no_error (error);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (result), "call_number"), ==, 1);

  sync_test_device_remove (kitchen);
  sync_test_device_remove (counter);
  g_main_context_release (NULL);
}

int
main (int    argc,
      char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  /* The main thread owns the main context all along, as the application's main loop does: else, between
   * two iterations of a wait, glib-networking's handshake thread may acquire it and run the devices'
   * callbacks there (see test-sync-linkonly.c). */
  g_main_context_acquire (NULL);
  dir = g_dir_make_tmp ("yatai-pair-XXXXXX", NULL);

  g_test_add_func ("/pair/code-text", test_code_text);
  g_test_add_func ("/pair/only-counter", test_only_counter);
  g_test_add_func ("/pair/no-bucket", test_no_bucket);
  g_test_add ("/pair/gives-the-stall", Fixture, NULL, fixture_set_up, test_pair_gives_the_stall, fixture_tear_down);
  g_test_add ("/pair/wrong-code", Fixture, NULL, fixture_set_up, test_wrong_code, fixture_tear_down);
  g_test_add ("/pair/code-expires", Fixture, NULL, fixture_set_up, test_code_expires, fixture_tear_down);
  status = g_test_run ();

  g_rmdir (dir);
  g_free (dir);
  return status;
}
