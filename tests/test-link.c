/* test-link.c: the stall's key, the secure channel and the venue link's protocol, on one machine
 *
 * The server and the client run on this process's main context over 127.0.0.1, with real TLS (GIO's
 * GnuTLS backend). A TCP relay between them keeps every byte that passed, so the test can look for
 * what must not be readable on the network.
 */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>
#include <libsoup/soup.h>

#include "tcp-relay.h"
#include "yatai-link-client.h"
#include "yatai-link-key.h"
#include "yatai-link-server.h"
#include "yatai-store-journal.h"

#define WAIT_S 20

typedef struct
{
  GTlsCertificate *stall;
  GTlsCertificate *other;
  YataiLinkServer *server;
  YataiLinkClient *client;
  GPtrArray       *segments;   /* GBytes received, in order */
  GArray          *seqs;
  char            *address;
} Fixture;

static GTlsCertificate *
make_certificate (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *certificate = NULL;
  g_autofree char *key = NULL;
  g_autofree char *pem = NULL;
  GTlsCertificate *tls;

  g_assert_true (yatai_link_key_generate ("test", &certificate, &key, &error));
  g_assert_no_error (error);
  pem = g_strconcat (certificate, key, NULL);
  tls = g_tls_certificate_new_from_pem (pem, -1, &error);
  g_assert_no_error (error);
  return tls;
}

static gboolean
wait_until (GSourceFunc condition,
            gpointer    data)
{
  gint64 end = g_get_monotonic_time () + WAIT_S * G_USEC_PER_SEC;

  while (!condition (data))
    {
      if (g_get_monotonic_time () > end)
        return FALSE;
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  return TRUE;
}

static void
segment_cb (YataiLinkClient *client,
            gint64           seq,
            GBytes          *bytes,
            Fixture         *f)
{
  g_ptr_array_add (f->segments, g_bytes_ref (bytes));
  g_array_append_val (f->seqs, seq);
}

static void
start_server (Fixture         *f,
              GTlsCertificate *certificate)
{
  g_autoptr(GError) error = NULL;

  f->server = yatai_link_server_new (certificate, "writer-id", "Counter PC");
  g_assert_true (yatai_link_server_listen (f->server, "127.0.0.1:0", &error));
  g_assert_no_error (error);
  g_free (f->address);
  f->address = g_strdup_printf ("127.0.0.1:%u", yatai_link_server_get_port (f->server));
}

static void
start_client (Fixture         *f,
              GTlsCertificate *certificate)
{
  f->client = yatai_link_client_new (certificate, "kitchen-id", "Kitchen");
  g_signal_connect (f->client, "segment", G_CALLBACK (segment_cb), f);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->stall = make_certificate ();
  f->other = make_certificate ();
  f->segments = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  f->seqs = g_array_new (FALSE, FALSE, sizeof (gint64));
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_object (&f->client);
  g_clear_object (&f->server);
  g_clear_object (&f->stall);
  g_clear_object (&f->other);
  g_ptr_array_unref (f->segments);
  g_array_unref (f->seqs);
  g_free (f->address);
  /* Let the closed connections' sources run down. */
  for (int i = 0; i < 50; i++)
    g_main_context_iteration (NULL, FALSE);
}

static gboolean
client_connected (gpointer data)
{
  return yatai_link_client_get_connected (((Fixture *) data)->client);
}

static gboolean
client_failed (gpointer data)
{
  return yatai_link_client_get_error (((Fixture *) data)->client) != NULL;
}

static gboolean
has_peer (gpointer data)
{
  g_autoptr(GPtrArray) peers = yatai_link_server_get_peers (((Fixture *) data)->server);
  return peers->len == 1;
}

/* The key */

static void
test_key_made_once_and_synced (void)
{
  g_autofree char *dir = g_dir_make_tmp ("yatai-link-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "writer.yatai", NULL);
  g_autofree char *copy_path = g_build_filename (dir, "restored.yatai", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(YataiStore) store = yatai_store_open (path, &error);
  g_autoptr(YataiStore) copy = NULL;
  g_autoptr(GBytes) snapshot = NULL;
  g_autoptr(GPtrArray) outbox = NULL;
  g_autoptr(GTlsCertificate) tls = NULL;
  g_autoptr(GTlsCertificate) copy_tls = NULL;
  g_autofree char *certificate = NULL;
  g_autofree char *again = NULL;
  gboolean made = FALSE;

  g_assert_no_error (error);
  g_assert_null (yatai_link_key_load (store, &error));
  g_assert_error (error, YATAI_LINK_ERROR, YATAI_LINK_ERROR_NO_KEY);
  g_clear_error (&error);

  /* On a writer the key is a journaled change: it goes to the bucket like an order. */
  yatai_store_set_journal_enabled (store, TRUE);
  g_assert_true (yatai_link_key_ensure (store, &made, &error));
  g_assert_no_error (error);
  g_assert_true (made);
  outbox = yatai_store_outbox_peek (store, 10, NULL);
  g_assert_cmpuint (outbox->len, ==, 1);
  g_assert_cmpstr (((YataiOutboxEntry *) g_ptr_array_index (outbox, 0))->command, !=, NULL);
  g_assert_true (strstr (((YataiOutboxEntry *) g_ptr_array_index (outbox, 0))->command, "stall.set-key") != NULL);

  /* A second call keeps the key. */
  g_assert_true (yatai_store_get_stall_key (store, &certificate, NULL));
  g_assert_true (yatai_link_key_ensure (store, &made, &error));
  g_assert_false (made);
  g_assert_true (yatai_store_get_stall_key (store, &again, NULL));
  g_assert_cmpstr (certificate, ==, again);

  tls = yatai_link_key_load (store, &error);
  g_assert_no_error (error);
  g_assert_nonnull (tls);

  /* A device that restored the stall from a snapshot holds the same key. */
  snapshot = yatai_store_snapshot (store, &error);
  g_assert_no_error (error);
  copy = yatai_store_open (copy_path, &error);
  g_assert_no_error (error);
  g_assert_true (yatai_store_restore (copy, snapshot, NULL, &error));
  g_assert_no_error (error);
  copy_tls = yatai_link_key_load (copy, &error);
  g_assert_no_error (error);
  g_assert_true (yatai_link_key_is_stall (tls, copy_tls));

  g_clear_object (&store);
  g_clear_object (&copy);
  for (const char *suffix = ""; suffix != NULL; suffix = g_str_equal (suffix, "") ? "-wal" : g_str_equal (suffix, "-wal") ? "-shm" : NULL)
    {
      g_autofree char *a = g_strconcat (path, suffix, NULL);
      g_autofree char *b = g_strconcat (copy_path, suffix, NULL);
      g_unlink (a);
      g_unlink (b);
    }
  g_rmdir (dir);
}

static void
test_key_replayed_through_changeset (void)
{
  g_autofree char *dir = g_dir_make_tmp ("yatai-link-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "writer.yatai", NULL);
  g_autofree char *follower_path = g_build_filename (dir, "follower.yatai", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(YataiStore) store = yatai_store_open (path, &error);
  g_autoptr(YataiStore) follower = yatai_store_open (follower_path, &error);
  g_autoptr(GPtrArray) outbox = NULL;
  g_autoptr(GPtrArray) changesets = g_ptr_array_new ();
  g_autofree char *certificate = NULL;
  g_autofree char *follower_certificate = NULL;

  yatai_store_set_journal_enabled (store, TRUE);
  g_assert_true (yatai_link_key_ensure (store, NULL, &error));
  outbox = yatai_store_outbox_peek (store, 10, NULL);
  g_ptr_array_add (changesets, ((YataiOutboxEntry *) g_ptr_array_index (outbox, 0))->changeset);
  g_assert_true (yatai_store_apply_changesets (follower, changesets, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (yatai_store_get_stall_key (store, &certificate, NULL));
  g_assert_true (yatai_store_get_stall_key (follower, &follower_certificate, NULL));
  g_assert_cmpstr (certificate, ==, follower_certificate);

  g_clear_object (&store);
  g_clear_object (&follower);
  for (const char *suffix = ""; suffix != NULL; suffix = g_str_equal (suffix, "") ? "-wal" : g_str_equal (suffix, "-wal") ? "-shm" : NULL)
    {
      g_autofree char *a = g_strconcat (path, suffix, NULL);
      g_autofree char *b = g_strconcat (follower_path, suffix, NULL);
      g_unlink (a);
      g_unlink (b);
    }
  g_rmdir (dir);
}

/* The channel */

static void
test_channel_same_key (Fixture       *f,
                       gconstpointer  data)
{
  start_server (f, f->stall);
  start_client (f, f->stall);
  yatai_link_client_connect (f->client, f->address, 1);
  g_assert_true (wait_until (client_connected, f));
  g_assert_true (wait_until (has_peer, f));
  g_assert_cmpstr (yatai_link_client_get_writer_name (f->client), ==, "Counter PC");
  g_assert_null (yatai_link_client_get_error (f->client));
  g_assert_cmpuint (yatai_link_server_get_n_refused (f->server), ==, 0);
}

static void
test_channel_wrong_key_refused (Fixture       *f,
                                gconstpointer  data)
{
  g_autoptr(GPtrArray) peers = NULL;

  start_server (f, f->stall);
  start_client (f, f->other);
  g_test_expect_message ("yatai-link", G_LOG_LEVEL_MESSAGE, "*is not a device of this stall*");
  yatai_link_client_connect (f->client, f->address, 1);
  g_assert_true (wait_until (client_failed, f));
  g_test_assert_expected_messages ();
  g_assert_false (yatai_link_client_get_connected (f->client));
  g_assert_error (yatai_link_client_get_last_error (f->client), YATAI_LINK_ERROR, YATAI_LINK_ERROR_REFUSED);
  g_assert_nonnull (strstr (yatai_link_client_get_error (f->client), "refused this device: it does not hold this stall’s key"));
  g_assert_cmpuint (yatai_link_server_get_n_refused (f->server), ==, 1);
  peers = yatai_link_server_get_peers (f->server);
  g_assert_cmpuint (peers->len, ==, 0);

  /* It learned nothing: no segment reached it. */
  {
    g_autoptr(GBytes) one = g_bytes_new_static ("segment one", 11);

    yatai_link_server_push (f->server, 1, one);
  }
  for (int i = 0; i < 100; i++)
    g_main_context_iteration (NULL, FALSE);
  g_assert_cmpuint (f->segments->len, ==, 0);
}

static void
impostor_message_cb (SoupWebsocketConnection *connection,
                     gint                     type,
                     GBytes                  *message,
                     gpointer                 user_data)
{
  guint *n_heard = user_data;
  (*n_heard)++;
}

static void
impostor_websocket_cb (SoupServer              *soup,
                       SoupServerMessage       *msg,
                       const char              *path,
                       SoupWebsocketConnection *connection,
                       gpointer                 user_data)
{
  g_object_set_data_full (G_OBJECT (soup), "connection", g_object_ref (connection), g_object_unref);
  g_signal_connect (connection, "message", G_CALLBACK (impostor_message_cb), user_data);
}

static gboolean
impostor_accept_cb (SoupServerMessage    *msg,
                    GTlsCertificate      *peer,
                    GTlsCertificateFlags  errors,
                    gpointer              user_data)
{
  return TRUE;
}

static void
impostor_request_cb (SoupServer        *soup,
                     SoupServerMessage *msg,
                     gpointer           user_data)
{
  g_signal_connect (msg, "accept-certificate", G_CALLBACK (impostor_accept_cb), NULL);
}

static void
test_channel_impostor_writer (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SoupServer) impostor = NULL;
  g_autoslist(GUri) uris = NULL;
  guint n_heard = 0;

  /* A server on the festival's network that lets anyone in but does not hold the stall's key: the
   * follower will not talk to it, and says so. */
  impostor = soup_server_new ("tls-certificate", f->other, "tls-auth-mode", G_TLS_AUTHENTICATION_REQUESTED, NULL);
  g_signal_connect (impostor, "request-started", G_CALLBACK (impostor_request_cb), NULL);
  soup_server_add_websocket_handler (impostor, "/yatai/link", NULL, NULL, impostor_websocket_cb, &n_heard, NULL);
  g_assert_true (soup_server_listen_local (impostor, 0, SOUP_SERVER_LISTEN_IPV4_ONLY | SOUP_SERVER_LISTEN_HTTPS, &error));
  g_assert_no_error (error);
  uris = soup_server_get_uris (impostor);
  f->address = g_strdup_printf ("127.0.0.1:%d", g_uri_get_port (uris->data));

  start_client (f, f->stall);
  yatai_link_client_connect (f->client, f->address, 1);
  g_assert_true (wait_until (client_failed, f));
  g_assert_error (yatai_link_client_get_last_error (f->client), YATAI_LINK_ERROR, YATAI_LINK_ERROR_NOT_OF_STALL);
  g_assert_nonnull (strstr (yatai_link_client_get_error (f->client), "is not a device of this stall"));
  g_assert_false (yatai_link_client_get_connected (f->client));
  for (int i = 0; i < 100; i++)
    g_main_context_iteration (NULL, FALSE);
  g_assert_cmpuint (n_heard, ==, 0);
  soup_server_disconnect (impostor);
}

/* The protocol */

static gboolean
has_segments (gpointer data)
{
  Fixture *f = data;
  return f->segments->len >= GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (f->client), "want"));
}

static void
want (Fixture *f,
      guint    n)
{
  g_object_set_data (G_OBJECT (f->client), "want", GUINT_TO_POINTER (n));
}

static void
push_text (Fixture *f,
           gint64   seq)
{
  g_autofree char *text = g_strdup_printf ("segment %" G_GINT64_FORMAT, seq);
  g_autoptr(GBytes) bytes = g_bytes_new (text, strlen (text));

  yatai_link_server_push (f->server, seq, bytes);
}

static void
test_push_and_catch_up (Fixture       *f,
                        gconstpointer  data)
{
  start_server (f, f->stall);
  for (gint64 seq = 1; seq <= 3; seq++)
    push_text (f, seq);

  /* A follower at seq 1 catches up from 2, then gets each new segment as it is pushed. */
  start_client (f, f->stall);
  yatai_link_client_connect (f->client, f->address, 2);
  want (f, 2);
  g_assert_true (wait_until (has_segments, f));
  g_assert_cmpint (g_array_index (f->seqs, gint64, 0), ==, 2);
  g_assert_cmpint (g_array_index (f->seqs, gint64, 1), ==, 3);

  push_text (f, 4);
  want (f, 3);
  g_assert_true (wait_until (has_segments, f));
  g_assert_cmpint (g_array_index (f->seqs, gint64, 2), ==, 4);
  g_assert_cmpmem (g_bytes_get_data (g_ptr_array_index (f->segments, 2), NULL),
                   g_bytes_get_size (g_ptr_array_index (f->segments, 2)), "segment 4", 9);
  g_assert_cmpint (yatai_link_client_get_writer_head (f->client), ==, 4);
}

static JsonNode *
run_command (YataiCommand  *command,
             gpointer       user_data,
             GError       **error)
{
  JsonNode *node;

  if (g_str_equal (yatai_command_get_kind (command), "order.confirm"))
    {
      node = json_node_new (JSON_NODE_OBJECT);
      json_node_take_object (node, json_object_new ());
      json_object_set_int_member (json_node_get_object (node), "call_number", 42);
      return node;
    }
  g_set_error_literal (error, YATAI_STORE_ERROR, YATAI_STORE_ERROR_OUT_OF_STOCK, "Yakisoba is sold out.");
  return NULL;
}

static void
command_done_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GPtrArray *answers = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = yatai_link_client_command_finish (YATAI_LINK_CLIENT (source), result, &error);

  if (node != NULL)
    g_ptr_array_add (answers, g_strdup_printf ("call %" G_GINT64_FORMAT,
                                               json_object_get_int_member (json_node_get_object (node), "call_number")));
  else
    g_ptr_array_add (answers, g_strdup_printf ("%s %d %s", g_quark_to_string (error->domain), error->code,
                                               error->message));
}

static gboolean
answers_in (gpointer data)
{
  GPtrArray *answers = data;
  return answers->len >= 2;
}

/* A writer that runs commands with run_command, and a follower connected to it. */
static void
connect_to_commands (Fixture *f)
{
  start_server (f, f->stall);
  yatai_link_server_set_command_func (f->server, run_command, f);
  start_client (f, f->stall);
  yatai_link_client_connect (f->client, f->address, 1);
  g_assert_true (wait_until (client_connected, f));
}

static void
test_commands_answered (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GPtrArray) answers = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(YataiCommand) confirm = yatai_command_new ("order.confirm", NULL);
  g_autoptr(YataiCommand) save = yatai_command_new ("product.save", NULL);
  g_autofree char *expected = NULL;

  connect_to_commands (f);

  yatai_command_set_device (confirm, "kitchen-id");
  yatai_command_set_device (save, "kitchen-id");
  yatai_link_client_command_async (f->client, confirm, NULL, command_done_cb, answers);
  yatai_link_client_command_async (f->client, save, NULL, command_done_cb, answers);
  g_assert_true (wait_until (answers_in, answers));
  g_assert_cmpstr (g_ptr_array_index (answers, 0), ==, "call 42");
  expected = g_strdup_printf ("%s %d Yakisoba is sold out.", g_quark_to_string (YATAI_STORE_ERROR),
                              YATAI_STORE_ERROR_OUT_OF_STOCK);
  g_assert_cmpstr (g_ptr_array_index (answers, 1), ==, expected);
}

static gboolean
one_answer_in (gpointer data)
{
  return ((GPtrArray *) data)->len >= 1;
}

/* A command the writer cannot read (here a kind longer than this version takes, as a newer Yatai's
 * might be) is answered by its id all the same: the follower waits for that answer. */
static void
test_unreadable_command_answered (Fixture       *f,
                                  gconstpointer  data)
{
  g_autoptr(GPtrArray) answers = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *kind = g_strnfill (80, 'k');
  g_autoptr(YataiCommand) newer = yatai_command_new (kind, NULL);
  g_autofree char *expected = NULL;

  connect_to_commands (f);

  yatai_command_set_device (newer, "kitchen-id");
  yatai_link_client_command_async (f->client, newer, NULL, command_done_cb, answers);
  g_assert_true (wait_until (one_answer_in, answers));
  expected = g_strdup_printf ("%s %d A command from another device could not be read (its “kind” is missing or wrong).",
                              g_quark_to_string (YATAI_STORE_ERROR), YATAI_STORE_ERROR_INVALID);
  g_assert_cmpstr (g_ptr_array_index (answers, 0), ==, expected);
}

static void
test_channel_encrypted (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GPtrArray) answers = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(JsonObject) args = json_object_new ();
  g_autoptr(YataiCommand) confirm = NULL;
  const char *segment = "order 7 for Tanaka Hanako, no onions";
  Relay *relay;
  g_autofree char *through = NULL;

  start_server (f, f->stall);
  yatai_link_server_set_command_func (f->server, run_command, f);
  relay = relay_new (f->address);
  through = g_strdup_printf ("127.0.0.1:%u", relay_get_port (relay));

  start_client (f, f->stall);
  yatai_link_client_connect (f->client, through, 1);
  g_assert_true (wait_until (client_connected, f));

  json_object_set_string_member (args, "customer", "Suzuki Ichiro");
  confirm = yatai_command_new ("order.confirm", args);
  g_ptr_array_add (answers, g_strdup ("-"));
  yatai_link_client_command_async (f->client, confirm, NULL, command_done_cb, answers);
  {
    g_autoptr(GBytes) bytes = g_bytes_new_static (segment, strlen (segment));

    yatai_link_server_push (f->server, 1, bytes);
  }
  want (f, 1);
  g_assert_true (wait_until (has_segments, f));
  g_assert_true (wait_until (answers_in, answers));
  g_assert_cmpstr (g_ptr_array_index (answers, 1), ==, "call 42");

  /* Both names went through the relay, and neither can be read there. */
  g_assert_cmpuint (relay_get_captured_size (relay), >, 1000);
  g_assert_false (relay_captured_holds (relay, "Tanaka"));
  g_assert_false (relay_captured_holds (relay, "Suzuki"));
  g_assert_false (relay_captured_holds (relay, "order.confirm"));
  g_assert_false (relay_captured_holds (relay, "Kitchen"));
  relay_free (relay);
}

static gboolean
client_down (gpointer data)
{
  return !yatai_link_client_get_connected (((Fixture *) data)->client);
}

static void
test_silence_noticed (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GPtrArray) answers = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(YataiCommand) confirm = yatai_command_new ("order.confirm", NULL);
  gint64 start;
  Relay *relay;
  g_autofree char *through = NULL;

  start_server (f, f->stall);
  relay = relay_new (f->address);
  through = g_strdup_printf ("127.0.0.1:%u", relay_get_port (relay));
  start_client (f, f->stall);
  yatai_link_client_connect (f->client, through, 1);
  g_assert_true (wait_until (client_connected, f));

  /* The network between them goes silent (a cable pulled): the follower notices without any word
   * from the writer, and a command still on its way fails so that it can go through the bucket. */
  relay_freeze (relay);
  start = g_get_monotonic_time ();
  yatai_link_client_command_async (f->client, confirm, NULL, command_done_cb, answers);
  g_assert_true (wait_until (client_down, f));
  g_assert_nonnull (yatai_link_client_get_error (f->client));
  g_test_message ("link down noticed after %" G_GINT64_FORMAT " ms", (g_get_monotonic_time () - start) / 1000);

  g_ptr_array_add (answers, g_strdup ("-"));
  g_assert_true (wait_until (answers_in, answers));
  g_assert_nonnull (strstr (g_ptr_array_index (answers, 0), "lost before it answered"));
  relay_free (relay);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  /* The main thread owns the main context all along, as the application's main loop does: else, between
   * two iterations of a wait, glib-networking's handshake thread may acquire it and run the devices'
   * callbacks there (see test-sync-linkonly.c). */
  g_main_context_acquire (NULL);

  g_test_add_func ("/link/key/made-once-and-synced", test_key_made_once_and_synced);
  g_test_add_func ("/link/key/replayed-through-changeset", test_key_replayed_through_changeset);
  g_test_add ("/link/channel/same-key", Fixture, NULL, fixture_setup, test_channel_same_key, fixture_teardown);
  g_test_add ("/link/channel/wrong-key-refused", Fixture, NULL, fixture_setup, test_channel_wrong_key_refused, fixture_teardown);
  g_test_add ("/link/channel/impostor-writer", Fixture, NULL, fixture_setup, test_channel_impostor_writer, fixture_teardown);
  g_test_add ("/link/channel/encrypted", Fixture, NULL, fixture_setup, test_channel_encrypted, fixture_teardown);
  g_test_add ("/link/protocol/push-and-catch-up", Fixture, NULL, fixture_setup, test_push_and_catch_up, fixture_teardown);
  g_test_add ("/link/protocol/commands-answered", Fixture, NULL, fixture_setup, test_commands_answered, fixture_teardown);
  g_test_add ("/link/protocol/unreadable-command-answered", Fixture, NULL, fixture_setup,
              test_unreadable_command_answered, fixture_teardown);
  g_test_add ("/link/protocol/silence-noticed", Fixture, NULL, fixture_setup, test_silence_noticed, fixture_teardown);

  return g_test_run ();
}
