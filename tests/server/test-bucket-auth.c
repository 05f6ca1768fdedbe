/* test-bucket-auth.c: yatai-test-bucket's tokens: a service account's signed JWT or a refresh token
 * in, a bearer token out */
#define G_LOG_DOMAIN "yatai-test-bucket"

#include <stdio.h>
#include <string.h>

#include "test-bucket.h"

/* Token endpoint */

static GBytes *
base64url_decode (const char *text,
                  gsize       length)
{
  g_autoptr(GString) standard = g_string_new_len (text, length);
  gsize out_length = 0;
  guchar *decoded;

  for (gsize i = 0; i < standard->len; i++)
    {
      if (standard->str[i] == '-')
        standard->str[i] = '+';
      else if (standard->str[i] == '_')
        standard->str[i] = '/';
    }
  while (standard->len % 4 != 0)
    g_string_append_c (standard, '=');
  decoded = g_base64_decode (standard->str, &out_length);
  return g_bytes_new_take (decoded, out_length);
}

void
handle_token (Server            *server,
              SoupServerMessage *msg)
{
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  g_autoptr(GBytes) bytes = soup_message_body_flatten (body);
  g_autofree char *text = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  g_autoptr(GHashTable) form = soup_form_decode (text);
  const char *grant = g_hash_table_lookup (form, "grant_type");
  const char *assertion = g_hash_table_lookup (form, "assertion");
  g_auto(GStrv) parts = NULL;
  g_autoptr(GBytes) claims_bytes = NULL;
  g_autoptr(GBytes) signature = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *token = NULL;
  g_autofree char *announced_aud = NULL;
  g_autofree char *host_aud = NULL;
  const char *host, *aud;
  const char *why;
  JsonObject *claims;
  gnutls_datum_t signed_data, sig;
  gint64 *expiry;
  GUri *uri = soup_server_message_get_uri (msg);

  /* A person's sign-in (authorized_user credentials): its refresh token for an access token. */
  if (g_strcmp0 (grant, "refresh_token") == 0)
    {
      why = "Bad Request";
      if (server->refresh_token == NULL ||
          g_strcmp0 (g_hash_table_lookup (form, "refresh_token"), server->refresh_token) != 0 ||
          g_strcmp0 (g_hash_table_lookup (form, "client_id"), "") <= 0 ||
          g_strcmp0 (g_hash_table_lookup (form, "client_secret"), "") <= 0)
        goto refused;
      goto grant;
    }
  why = "The server was started without --token-public-key.";
  if (server->token_key == NULL)
    goto refused;
  why = "grant_type is not urn:ietf:params:oauth:grant-type:jwt-bearer, or there is no assertion.";
  if (g_strcmp0 (grant, "urn:ietf:params:oauth:grant-type:jwt-bearer") != 0 || assertion == NULL)
    goto refused;
  why = "The assertion is not a JWT.";
  parts = g_strsplit (assertion, ".", -1);
  if (g_strv_length (parts) != 3)
    goto refused;

  why = "Invalid JWT Signature.";
  signed_data.data = (unsigned char *) assertion;
  signed_data.size = strlen (parts[0]) + 1 + strlen (parts[1]);
  signature = base64url_decode (parts[2], strlen (parts[2]));
  sig.data = (unsigned char *) g_bytes_get_data (signature, NULL);
  sig.size = g_bytes_get_size (signature);
  if (gnutls_pubkey_verify_data2 (server->token_key, GNUTLS_SIGN_RSA_SHA256, 0, &signed_data, &sig) < 0)
    goto refused;

  why = "The JWT's claims are not a JSON object.";
  claims_bytes = base64url_decode (parts[1], strlen (parts[1]));
  if (!json_parser_load_from_data (parser, g_bytes_get_data (claims_bytes, NULL), g_bytes_get_size (claims_bytes), NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    goto refused;
  claims = json_node_get_object (json_parser_get_root (parser));
  /* The token URI, as the client reached it (Host header) or as the server announced it. */
  host = soup_message_headers_get_one (soup_server_message_get_request_headers (msg), "Host");
  announced_aud = g_strdup_printf ("http://127.0.0.1:%d/token", g_uri_get_port (uri));
  host_aud = g_strdup_printf ("http://%s/token", host != NULL ? host : "");
  aud = json_object_get_string_member_with_default (claims, "aud", "");
  why = "Invalid JWT: the audience (aud) is not this token URI.";
  if (!g_str_equal (aud, announced_aud) && !g_str_equal (aud, host_aud))
    goto refused;
  why = "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe.";
  if (json_object_get_int_member_with_default (claims, "exp", 0) < g_get_real_time () / G_USEC_PER_SEC)
    goto refused;
  why = "Invalid JWT: no issuer (iss).";
  if (*json_object_get_string_member_with_default (claims, "iss", "") == '\0')
    goto refused;

grant:
  token = g_strdup_printf ("tok-%u", ++server->n_tokens);
  expiry = g_new (gint64, 1);
  *expiry = g_get_monotonic_time () + (gint64) server->token_lifetime * G_USEC_PER_SEC;
  g_hash_table_insert (server->tokens, g_strdup (token), expiry);
  json_builder_begin_object (b);
  add_string (b, "access_token", token);
  json_builder_set_member_name (b, "expires_in");
  json_builder_add_int_value (b, server->token_lifetime);
  add_string (b, "token_type", "Bearer");
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  reply_json (msg, SOUP_STATUS_OK, root);
  return;

refused:
  json_builder_begin_object (b);
  add_string (b, "error", "invalid_grant");
  add_string (b, "error_description", why);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  reply_json (msg, SOUP_STATUS_BAD_REQUEST, root);
}

gboolean
authorized (Server            *server,
            SoupServerMessage *msg)
{
  const char *header;
  gint64 *expiry;

  if (server->token_key == NULL && server->refresh_token == NULL)
    return TRUE;
  header = soup_message_headers_get_one (soup_server_message_get_request_headers (msg), "Authorization");
  if (header == NULL || !g_str_has_prefix (header, "Bearer "))
    return FALSE;
  expiry = g_hash_table_lookup (server->tokens, header + strlen ("Bearer "));
  return expiry != NULL && *expiry > g_get_monotonic_time ();
}


gnutls_pubkey_t
load_public_key (const char *path)
{
  g_autofree char *pem = NULL;
  gsize length;
  gnutls_pubkey_t key;
  gnutls_datum_t datum;

  if (!g_file_get_contents (path, &pem, &length, NULL))
    return NULL;
  gnutls_pubkey_init (&key);
  datum.data = (unsigned char *) pem;
  datum.size = length;
  if (gnutls_pubkey_import (key, &datum, GNUTLS_X509_FMT_PEM) < 0)
    {
      gnutls_pubkey_deinit (key);
      return NULL;
    }
  return key;
}
