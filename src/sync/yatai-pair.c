/* yatai-pair.c: the code, the pairing's contents and the TLS-SRP channel both ends of a pairing use */
#define G_LOG_DOMAIN "yatai-pair"

#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <gnutls/crypto.h>
#include <json-glib/json-glib.h>

#include "yatai-pair.h"
#include "yatai-segment.h"
#include "yatai-store-journal.h"

#define PAIR_FORMAT   1
/* SRP only, over TLS 1.2 (TLS 1.3 has no SRP): the keys come from the code and nothing else. */
#define PAIR_PRIORITY "NORMAL:-VERS-ALL:+VERS-TLS1.2:-KX-ALL:+SRP"
#define PAIR_SRP_BITS 3072

G_DEFINE_QUARK (yatai-pair-error-quark, yatai_pair_error)

YataiPairing *
yatai_pairing_new (void)
{
  return g_new0 (YataiPairing, 1);
}

void
yatai_pairing_free (YataiPairing *pairing)
{
  if (pairing == NULL)
    return;
  g_free (pairing->counter_name);
  g_free (pairing->counter_id);
  g_free (pairing->prefix);
  g_clear_pointer (&pairing->snapshot, g_bytes_unref);
  g_free (pairing->bucket);
  g_free (pairing->endpoint);
  g_free (pairing->link);
  if (pairing->credentials != NULL)
    {
      memset (pairing->credentials, 0, strlen (pairing->credentials));
      g_free (pairing->credentials);
    }
  g_free (pairing);
}

/* Six digits from GnuTLS's random generator for keys, each digit without bias. */
char *
yatai_pair_code_new (void)
{
  char code[YATAI_PAIR_CODE_DIGITS + 1];

  for (guint i = 0; i < YATAI_PAIR_CODE_DIGITS; i++)
    {
      guint8 byte;

      do
        gnutls_rnd (GNUTLS_RND_KEY, &byte, 1);
      while (byte >= 250);
      code[i] = '0' + byte % 10;
    }
  code[YATAI_PAIR_CODE_DIGITS] = '\0';
  return g_strdup (code);
}

/* What a person typed: digits, perhaps with spaces or dashes between them, full-width digits too
 * (a Japanese input method gives "１２３"). */
char *
yatai_pair_code_normalize (const char  *typed,
                           GError     **error)
{
  g_autoptr(GString) code = g_string_new (NULL);

  for (const char *p = typed ? typed : ""; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char_validated (p, -1);
      int digit = g_unichar_digit_value (c);

      if (c == ' ' || c == '-' || c == 0x3000 /* ideographic space */ || c == 0xFF0D)
        continue;
      if (digit < 0 || code->len >= YATAI_PAIR_CODE_DIGITS)
        {
          code->len = 0;
          break;
        }
      g_string_append_c (code, '0' + digit);
    }
  if (code->len != YATAI_PAIR_CODE_DIGITS)
    {
      g_set_error (error, YATAI_PAIR_ERROR, YATAI_PAIR_ERROR_INVALID,
                   _("The code is the %d digits shown on the counter under Preferences → Sync → Add a Device."),
                   YATAI_PAIR_CODE_DIGITS);
      return NULL;
    }
  return g_string_free (g_steal_pointer (&code), FALSE);
}

/* "123 456": easier to read out across a stall. */
char *
yatai_pair_code_format (const char *code)
{
  gsize half = strlen (code) / 2;

  return g_strdup_printf ("%.*s %s", (int) half, code, code + half);
}

GBytes *
yatai_pairing_encode_header (YataiPairing *pairing)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  char *text;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "format");
  json_builder_add_int_value (builder, PAIR_FORMAT);
  json_builder_set_member_name (builder, "counter");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, pairing->counter_id ? pairing->counter_id : "");
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, pairing->counter_name ? pairing->counter_name : "");
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "prefix");
  json_builder_add_string_value (builder, pairing->prefix ? pairing->prefix : "");
  if (pairing->link_only)
    {
      /* No bucket: the new device follows the counter on the local network. */
      json_builder_set_member_name (builder, "link");
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "address");
      json_builder_add_string_value (builder, pairing->link ? pairing->link : "");
      json_builder_end_object (builder);
    }
  if (pairing->has_settings)
    {
      json_builder_set_member_name (builder, "settings");
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "bucket");
      json_builder_add_string_value (builder, pairing->bucket ? pairing->bucket : "");
      json_builder_set_member_name (builder, "endpoint");
      json_builder_add_string_value (builder, pairing->endpoint ? pairing->endpoint : "");
      if (pairing->credentials != NULL)
        {
          json_builder_set_member_name (builder, "credentials");
          json_builder_add_string_value (builder, pairing->credentials);
        }
      json_builder_end_object (builder);
    }
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  text = json_to_string (root, FALSE);
  return g_bytes_new_take (text, strlen (text));
}

static char *
member_string (JsonObject *object,
               const char *name)
{
  JsonNode *node = object ? json_object_get_member (object, name) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return g_strdup (json_node_get_string (node));
}

YataiPairing *
yatai_pairing_decode_header (GBytes  *header,
                             GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(YataiPairing) pairing = yatai_pairing_new ();
  gsize size;
  const char *data = g_bytes_get_data (header, &size);
  JsonNode *root;
  JsonObject *object, *counter, *settings = NULL;

  if (!json_parser_load_from_data (parser, data, size, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (root = json_parser_get_root (parser)) ||
      json_object_get_int_member_with_default (object = json_node_get_object (root), "format", 0) != PAIR_FORMAT ||
      !json_object_has_member (object, "counter") ||
      !JSON_NODE_HOLDS_OBJECT (json_object_get_member (object, "counter")))
    {
      g_set_error (error, YATAI_PAIR_ERROR, YATAI_PAIR_ERROR_PROTOCOL,
                   _("The counter sent something this version of Yatai cannot read. Update Yatai on both devices."));
      return NULL;
    }
  counter = json_object_get_object_member (object, "counter");
  pairing->counter_id = member_string (counter, "id");
  pairing->counter_name = member_string (counter, "name");
  pairing->prefix = member_string (object, "prefix");
  if (json_object_has_member (object, "link") && JSON_NODE_HOLDS_OBJECT (json_object_get_member (object, "link")))
    {
      pairing->link_only = TRUE;
      pairing->link = member_string (json_object_get_object_member (object, "link"), "address");
      if (pairing->link != NULL && *pairing->link == '\0')
        g_clear_pointer (&pairing->link, g_free);
    }
  if (json_object_has_member (object, "settings") &&
      JSON_NODE_HOLDS_OBJECT (json_object_get_member (object, "settings")))
    settings = json_object_get_object_member (object, "settings");
  if (settings != NULL)
    {
      pairing->has_settings = TRUE;
      pairing->bucket = member_string (settings, "bucket");
      pairing->endpoint = member_string (settings, "endpoint");
      pairing->credentials = member_string (settings, "credentials");
    }
  return g_steal_pointer (&pairing);
}

/* The new device takes the stall: the snapshot replaces every synced table (the stall key with them),
 * and the device's position in the history becomes the snapshot's, so its engine follows from there.
 * The device keeps its own id and name. */
gboolean
yatai_pairing_apply (YataiPairing  *pairing,
                     YataiStore    *store,
                     GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(YataiSegment) snapshot = NULL;
  g_autofree char *seq = NULL;
  g_autofree char *epoch = NULL;

  g_return_val_if_fail (pairing != NULL, FALSE);
  g_return_val_if_fail (YATAI_IS_STORE (store), FALSE);

  if (pairing->snapshot != NULL)
    snapshot = yatai_segment_decode (pairing->snapshot, -1, NULL, &local_error);
  if (snapshot == NULL || snapshot->kind != YATAI_SEGMENT_SNAPSHOT)
    {
      g_set_error (error, YATAI_PAIR_ERROR, YATAI_PAIR_ERROR_PROTOCOL,
                   _("The copy of the stall the counter sent is damaged. Try pairing again."));
      return FALSE;
    }
  seq = g_strdup_printf ("%" G_GINT64_FORMAT, snapshot->seq);
  epoch = g_strdup_printf ("%" G_GINT64_FORMAT, snapshot->epoch);
  {
    const char *pairs[] = {
      "sync_joined", pairing->prefix ? pairing->prefix : "",
      "sync_seq", seq,
      "sync_chain", snapshot->chain,
      "sync_epoch", epoch,
      "sync_outgoing", "[]",
      "welcomed", "1",
      /* A stall without a bucket: this device follows the counter on the link, and never writes
       * until the writer hands it the orders (yatai-sync-linkonly.c). */
      "sync_link_stall", pairing->link_only && pairing->prefix ? pairing->prefix : "",
      "sync_link_writer", "",
      "sync_link_grant", "",
      "sync_link_writer_name", pairing->link_only && pairing->counter_name ? pairing->counter_name : "",
      "sync_link_address", pairing->link_only && pairing->link ? pairing->link : "",
      NULL
    };

    return yatai_store_restore (store, snapshot->snapshot, pairs, error);
  }
}

/* The channel: GnuTLS over a GSocket that blocks with a timeout, on a worker thread. */

static ssize_t
push_cb (gnutls_transport_ptr_t ptr,
         const void            *data,
         size_t                 size)
{
  YataiPairChannel *channel = ptr;
  g_autoptr(GError) error = NULL;
  gssize n = g_socket_send (channel->socket, data, size, NULL, &error);

  if (n < 0)
    {
      gnutls_transport_set_errno (channel->session,
                                  g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT) ? ETIMEDOUT : EPIPE);
      return -1;
    }
  return n;
}

static ssize_t
pull_cb (gnutls_transport_ptr_t ptr,
         void                  *data,
         size_t                 size)
{
  YataiPairChannel *channel = ptr;
  g_autoptr(GError) error = NULL;
  gssize n = g_socket_receive (channel->socket, data, size, NULL, &error);

  if (n < 0)
    {
      gnutls_transport_set_errno (channel->session,
                                  g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT) ? ETIMEDOUT : ECONNRESET);
      return -1;
    }
  return n;
}

static int
pull_timeout_cb (gnutls_transport_ptr_t ptr,
                 unsigned int           ms)
{
  YataiPairChannel *channel = ptr;

  return g_socket_condition_timed_wait (channel->socket, G_IO_IN,
                                        ms == GNUTLS_INDEFINITE_TIMEOUT ? YATAI_PAIR_TIMEOUT_S * G_USEC_PER_SEC
                                                                        : (gint64) ms * 1000,
                                        NULL, NULL) ? 1 : 0;
}

/* The counter's side of SRP: a verifier made from the code, with a salt of this connection's. */
static int
server_credentials_cb (gnutls_session_t  session,
                       const char       *username,
                       gnutls_datum_t   *salt,
                       gnutls_datum_t   *verifier,
                       gnutls_datum_t   *generator,
                       gnutls_datum_t   *prime)
{
  YataiPairChannel *channel = gnutls_session_get_ptr (session);
  const gnutls_datum_t *g = &gnutls_srp_3072_group_generator;
  const gnutls_datum_t *n = &gnutls_srp_3072_group_prime;

  if (gnutls_srp_verifier (YATAI_PAIR_SRP_USER, channel->code, &channel->salt, g, n, verifier) < 0)
    return -1;
  salt->data = gnutls_malloc (channel->salt.size);
  memcpy (salt->data, channel->salt.data, channel->salt.size);
  salt->size = channel->salt.size;
  generator->data = gnutls_malloc (g->size);
  memcpy (generator->data, g->data, g->size);
  generator->size = g->size;
  prime->data = gnutls_malloc (n->size);
  memcpy (prime->data, n->data, n->size);
  prime->size = n->size;
  return 0;
}

YataiPairChannel *
yatai_pair_channel_new (GSocketConnection *connection,
                        gboolean           server,
                        const char        *code,
                        GError           **error)
{
  g_autoptr(YataiPairChannel) channel = g_new0 (YataiPairChannel, 1);
  int ret;

  channel->connection = g_object_ref (connection);
  channel->socket = g_object_ref (g_socket_connection_get_socket (connection));
  g_socket_set_blocking (channel->socket, TRUE);
  g_socket_set_timeout (channel->socket, YATAI_PAIR_TIMEOUT_S);
  channel->code = g_strdup (code);

  ret = gnutls_init (&channel->session, server ? GNUTLS_SERVER : GNUTLS_CLIENT);
  if (ret >= 0)
    ret = gnutls_priority_set_direct (channel->session, PAIR_PRIORITY, NULL);
  if (ret >= 0 && server)
    {
      channel->salt.size = 16;
      channel->salt.data = gnutls_malloc (channel->salt.size);
      gnutls_rnd (GNUTLS_RND_NONCE, channel->salt.data, channel->salt.size);
      ret = gnutls_srp_allocate_server_credentials (&channel->server_credentials);
      if (ret >= 0)
        {
          gnutls_srp_set_server_credentials_function (channel->server_credentials, server_credentials_cb);
          ret = gnutls_credentials_set (channel->session, GNUTLS_CRD_SRP, channel->server_credentials);
        }
    }
  else if (ret >= 0)
    {
      ret = gnutls_srp_allocate_client_credentials (&channel->client_credentials);
      if (ret >= 0)
        ret = gnutls_srp_set_client_credentials (channel->client_credentials, YATAI_PAIR_SRP_USER, code);
      if (ret >= 0)
        ret = gnutls_credentials_set (channel->session, GNUTLS_CRD_SRP, channel->client_credentials);
      if (ret >= 0)
        gnutls_srp_set_prime_bits (channel->session, PAIR_SRP_BITS);
    }
  if (ret < 0)
    {
      g_set_error (error, YATAI_PAIR_ERROR, YATAI_PAIR_ERROR_UNAVAILABLE,
                   _("Pairing could not start on this device (%s)."), gnutls_strerror (ret));
      return NULL;
    }
  gnutls_session_set_ptr (channel->session, channel);
  gnutls_transport_set_ptr (channel->session, channel);
  gnutls_transport_set_push_function (channel->session, push_cb);
  gnutls_transport_set_pull_function (channel->session, pull_cb);
  gnutls_transport_set_pull_timeout_function (channel->session, pull_timeout_cb);
  gnutls_handshake_set_timeout (channel->session, YATAI_PAIR_TIMEOUT_S * 1000);
  return g_steal_pointer (&channel);
}

void
yatai_pair_channel_free (YataiPairChannel *channel)
{
  if (channel == NULL)
    return;
  if (channel->session != NULL)
    gnutls_deinit (channel->session);
  if (channel->server_credentials != NULL)
    gnutls_srp_free_server_credentials (channel->server_credentials);
  if (channel->client_credentials != NULL)
    gnutls_srp_free_client_credentials (channel->client_credentials);
  gnutls_free (channel->salt.data);
  if (channel->code != NULL)
    memset (channel->code, 0, strlen (channel->code));
  g_free (channel->code);
  g_clear_object (&channel->socket);
  if (channel->connection != NULL)
    g_io_stream_close (G_IO_STREAM (channel->connection), NULL, NULL);
  g_clear_object (&channel->connection);
  g_free (channel);
}

static void
set_transport_error (GError **error,
                     int      ret)
{
  if (ret == GNUTLS_E_PUSH_ERROR || ret == GNUTLS_E_PULL_ERROR || ret == GNUTLS_E_TIMEDOUT ||
      ret == GNUTLS_E_PREMATURE_TERMINATION || ret == GNUTLS_E_UNEXPECTED_PACKET_LENGTH)
    g_set_error_literal (error, YATAI_PAIR_ERROR, YATAI_PAIR_ERROR_UNAVAILABLE,
                         _("The connection to the other device was lost. Check that both are on the same network and try again."));
  else
    g_set_error (error, YATAI_PAIR_ERROR, YATAI_PAIR_ERROR_PROTOCOL,
                 _("The other device does not pair the way this one does (%s)."), gnutls_strerror (ret));
}

/* A wrong code shows as a Finished message that does not decrypt: the counter finds it in the new
 * device's Finished and says so with an alert, which is what the new device sees. */
gboolean
yatai_pair_channel_handshake (YataiPairChannel  *channel,
                              GError           **error)
{
  int ret;

  do
    ret = gnutls_handshake (channel->session);
  while (ret < 0 && !gnutls_error_is_fatal (ret));
  if (ret >= 0)
    return TRUE;

  if (ret == GNUTLS_E_DECRYPTION_FAILED || ret == GNUTLS_E_SRP_PWD_ERROR ||
      (ret == GNUTLS_E_FATAL_ALERT_RECEIVED &&
       (gnutls_alert_get (channel->session) == GNUTLS_A_BAD_RECORD_MAC ||
        gnutls_alert_get (channel->session) == GNUTLS_A_DECRYPT_ERROR ||
        gnutls_alert_get (channel->session) == GNUTLS_A_UNKNOWN_PSK_IDENTITY)))
    {
      if (channel->server_credentials != NULL)
        gnutls_alert_send_appropriate (channel->session, ret);
      g_set_error_literal (error, YATAI_PAIR_ERROR, YATAI_PAIR_ERROR_WRONG_CODE,
                           _("The code is not the one shown on the counter."));
      return FALSE;
    }
  if (gnutls_error_is_fatal (ret) && ret != GNUTLS_E_FATAL_ALERT_RECEIVED)
    gnutls_alert_send_appropriate (channel->session, ret);
  set_transport_error (error, ret);
  return FALSE;
}

static gboolean
send_all (YataiPairChannel  *channel,
          const guint8      *data,
          gsize              size,
          GError           **error)
{
  while (size > 0)
    {
      ssize_t n = gnutls_record_send (channel->session, data, MIN (size, 16384));

      if (n == GNUTLS_E_AGAIN || n == GNUTLS_E_INTERRUPTED)
        continue;
      if (n < 0)
        {
          set_transport_error (error, n);
          return FALSE;
        }
      data += n;
      size -= n;
    }
  return TRUE;
}

static gboolean
receive_all (YataiPairChannel  *channel,
             guint8            *data,
             gsize              size,
             GError           **error)
{
  while (size > 0)
    {
      ssize_t n = gnutls_record_recv (channel->session, data, size);

      if (n == GNUTLS_E_AGAIN || n == GNUTLS_E_INTERRUPTED)
        continue;
      if (n <= 0)
        {
          set_transport_error (error, n == 0 ? GNUTLS_E_PREMATURE_TERMINATION : n);
          return FALSE;
        }
      data += n;
      size -= n;
    }
  return TRUE;
}

/* One message: its size (8 bytes, big-endian), then its bytes. */
gboolean
yatai_pair_channel_send (YataiPairChannel  *channel,
                         GBytes            *bytes,
                         GError           **error)
{
  gsize size;
  const guint8 *data = g_bytes_get_data (bytes, &size);
  guint64 be = GUINT64_TO_BE ((guint64) size);

  return send_all (channel, (const guint8 *) &be, sizeof be, error) &&
         send_all (channel, data, size, error);
}

GBytes *
yatai_pair_channel_receive (YataiPairChannel  *channel,
                            gsize              max_size,
                            GError           **error)
{
  guint64 be;
  gsize size;
  g_autofree guint8 *data = NULL;

  if (!receive_all (channel, (guint8 *) &be, sizeof be, error))
    return NULL;
  size = GUINT64_FROM_BE (be);
  if (size > max_size)
    {
      g_set_error_literal (error, YATAI_PAIR_ERROR, YATAI_PAIR_ERROR_PROTOCOL,
                           _("The other device sent more than a stall can hold, and it was refused."));
      return NULL;
    }
  data = g_malloc (MAX (size, 1));
  if (!receive_all (channel, data, size, error))
    return NULL;
  return g_bytes_new_take (g_steal_pointer (&data), size);
}

void
yatai_pair_channel_close (YataiPairChannel *channel)
{
  gnutls_bye (channel->session, GNUTLS_SHUT_WR);
}

/* The greeting, in the clear: one short line, read a byte at a time so nothing of TLS is taken. */
gboolean
yatai_pair_write_line (GSocket     *socket,
                       const char  *line,
                       GError     **error)
{
  g_autofree char *text = g_strconcat (line, "\n", NULL);
  gsize left = strlen (text);
  const char *p = text;

  while (left > 0)
    {
      gssize n = g_socket_send (socket, p, left, NULL, error);

      if (n < 0)
        return FALSE;
      p += n;
      left -= n;
    }
  return TRUE;
}

char *
yatai_pair_read_line (GSocket  *socket,
                      GError  **error)
{
  g_autoptr(GString) line = g_string_new (NULL);

  while (line->len < 64)
    {
      char c;
      gssize n = g_socket_receive (socket, &c, 1, NULL, error);

      if (n < 0)
        return NULL;
      if (n == 0)
        break;
      if (c == '\n')
        return g_string_free (g_steal_pointer (&line), FALSE);
      g_string_append_c (line, c);
    }
  g_set_error_literal (error, YATAI_PAIR_ERROR, YATAI_PAIR_ERROR_PROTOCOL,
                       _("There is no Yatai counter pairing at that address."));
  return NULL;
}

/* The new device's end: connect, hear the greeting, prove the code, receive the stall. */

typedef struct
{
  char *address;
  char *code;
  char *device_name;
} Join;

static void
join_free (Join *join)
{
  g_free (join->address);
  if (join->code != NULL)
    memset (join->code, 0, strlen (join->code));
  g_free (join->code);
  g_free (join->device_name);
  g_free (join);
}

static gboolean
check_greeting (const char  *greeting,
                GError     **error)
{
  if (g_strcmp0 (greeting, "YATAI-PAIR 1 READY") == 0)
    return TRUE;
  if (g_strcmp0 (greeting, "YATAI-PAIR 1 NONE") == 0)
    g_set_error_literal (error, YATAI_PAIR_ERROR, YATAI_PAIR_ERROR_NO_CODE,
                         _("The counter shows no code right now. On the counter, open Preferences → Sync → Add a Device for a new one."));
  else if (g_strcmp0 (greeting, "YATAI-PAIR 1 BUSY") == 0)
    g_set_error_literal (error, YATAI_PAIR_ERROR, YATAI_PAIR_ERROR_BUSY,
                         _("Another device is pairing with the counter right now. Try again in a moment."));
  else if (greeting != NULL && g_str_has_prefix (greeting, "YATAI-PAIR "))
    g_set_error_literal (error, YATAI_PAIR_ERROR, YATAI_PAIR_ERROR_PROTOCOL,
                         _("The counter runs another version of Yatai. Update Yatai on both devices."));
  else
    g_set_error_literal (error, YATAI_PAIR_ERROR, YATAI_PAIR_ERROR_PROTOCOL,
                         _("There is no Yatai counter pairing at that address."));
  return FALSE;
}

static void
join_thread (GTask        *task,
             gpointer      source,
             gpointer      data,
             GCancellable *cancellable)
{
  Join *join = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(YataiPairChannel) channel = NULL;
  g_autoptr(YataiPairing) pairing = NULL;
  g_autoptr(GBytes) header = NULL;
  g_autoptr(GBytes) snapshot = NULL;
  g_autofree char *greeting = NULL;
  g_autofree char *hello = NULL;
  g_autoptr(GBytes) hello_bytes = NULL;
  g_autoptr(GBytes) ok = g_bytes_new_static ("OK", 2);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  g_socket_client_set_timeout (client, YATAI_PAIR_TIMEOUT_S);
  connection = g_socket_client_connect_to_host (client, join->address, YATAI_PAIR_DEFAULT_PORT, cancellable, &error);
  if (connection == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_autofree char *message = g_strdup_printf (_("No counter answered at “%s”. Check the address shown on the counter and that both devices are on the same network."),
                                                      join->address);

          g_clear_error (&error);
          g_set_error_literal (&error, YATAI_PAIR_ERROR, YATAI_PAIR_ERROR_UNAVAILABLE, message);
        }
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_socket_set_blocking (g_socket_connection_get_socket (connection), TRUE);
  g_socket_set_timeout (g_socket_connection_get_socket (connection), YATAI_PAIR_TIMEOUT_S);
  greeting = yatai_pair_read_line (g_socket_connection_get_socket (connection), NULL);
  if (!check_greeting (greeting, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, join->device_name ? join->device_name : "");
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  hello = json_to_string (root, FALSE);
  hello_bytes = g_bytes_new (hello, strlen (hello));

  channel = yatai_pair_channel_new (connection, FALSE, join->code, &error);
  if (channel == NULL ||
      !yatai_pair_channel_handshake (channel, &error) ||
      !yatai_pair_channel_send (channel, hello_bytes, &error) ||
      (header = yatai_pair_channel_receive (channel, YATAI_PAIR_MAX_HEADER, &error)) == NULL ||
      (pairing = yatai_pairing_decode_header (header, &error)) == NULL ||
      (snapshot = yatai_pair_channel_receive (channel, YATAI_SEGMENT_MAX_OBJECT (YATAI_SEGMENT_SNAPSHOT_MAX_RAW),
                                              &error)) == NULL ||
      !yatai_pair_channel_send (channel, ok, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  yatai_pair_channel_close (channel);
  pairing->snapshot = g_steal_pointer (&snapshot);
  g_task_return_pointer (task, g_steal_pointer (&pairing), (GDestroyNotify) yatai_pairing_free);
}

/**
 * yatai_pair_join_async:
 * @address: the counter's "HOST:PORT" (the port may be left out)
 * @code: the code as typed (yatai_pair_code_normalize() reads it)
 * @device_name: how the counter names this device
 *
 * Asks the counter at @address for the stall. The answer, from yatai_pair_join_finish(), is given to
 * yatai_pairing_apply() by the caller, who also takes the settings it holds.
 */
void
yatai_pair_join_async (const char          *address,
                       const char          *code,
                       const char          *device_name,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  g_autoptr(GError) error = NULL;
  g_autofree char *normalized = yatai_pair_code_normalize (code, &error);
  g_autofree char *host = g_strstrip (g_strdup (address ? address : ""));
  Join *join;

  g_task_set_source_tag (task, yatai_pair_join_async);
  if (normalized == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (*host == '\0')
    {
      g_task_return_new_error (task, YATAI_PAIR_ERROR, YATAI_PAIR_ERROR_INVALID,
                               _("Type the counter’s address, as shown under Add a Device."));
      return;
    }
  join = g_new0 (Join, 1);
  join->address = g_steal_pointer (&host);
  join->code = g_steal_pointer (&normalized);
  join->device_name = g_strdup (device_name);
  g_task_set_task_data (task, join, (GDestroyNotify) join_free);
  g_task_run_in_thread (task, join_thread);
}

YataiPairing *
yatai_pair_join_finish (GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
