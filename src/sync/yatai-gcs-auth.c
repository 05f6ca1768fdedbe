/* yatai-gcs-auth.c: access tokens for the bucket
 *
 * Credentials are found the way Google's client libraries find them (Application Default
 * Credentials): the file named by GOOGLE_APPLICATION_CREDENTIALS, else the one `gcloud auth
 * application-default login` writes (~/.config/gcloud/application_default_credentials.json, or under
 * $CLOUDSDK_CONFIG). A file's "type" says what it is: "service_account" (a key: a JWT signed RS256 with
 * GnuTLS, exchanged at its token URI) or "authorized_user" (a person's sign-in: its refresh token
 * exchanged at its token URI, Google's by default). The token is kept until a few minutes before it
 * expires; requests that ask for one while an exchange is under way wait for that exchange instead of
 * starting another. No token, refresh token, secret or key is ever put in a message or the log.
 */
#define G_LOG_DOMAIN "yatai-gcs"

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>
#include <json-glib/json-glib.h>

#include "yatai-command.h"
#include "yatai-gcs-auth.h"
#include "yatai-gcs-client.h"
#include "yatai-gcs-private.h"

#define SCOPE "https://www.googleapis.com/auth/devstorage.read_write"
#define DEFAULT_TOKEN_URI "https://oauth2.googleapis.com/token"

struct _YataiGcsAuth
{
  GObject            parent_instance;

  YataiGcsAuthKind   kind;
  char              *path;           /* the credentials file, or NULL */
  char              *warning;        /* the file can be read by others, or NULL */
  char              *client_email;   /* the account: a service account's email, or a user's if known */
  char              *client_id;      /* authorized_user */
  char              *client_secret;
  char              *refresh_token;
  char              *token_uri;
  gnutls_privkey_t   key;
  char              *token;
  gint64             expires;        /* monotonic µs; G_MAXINT64 for a token given as is */
  guint              refresh_margin; /* seconds */
  GPtrArray         *waiting;        /* GTasks waiting for the exchange under way */
  guint              n_exchanges;
};

G_DEFINE_FINAL_TYPE (YataiGcsAuth, yatai_gcs_auth, G_TYPE_OBJECT)

/* A secret's memory wiped before it is freed. */
static void
yatai_gcs_auth_forget (char **secret)
{
  if (*secret != NULL)
    memset (*secret, 0, strlen (*secret));
  g_clear_pointer (secret, g_free);
}

static void
yatai_gcs_auth_finalize (GObject *object)
{
  YataiGcsAuth *self = YATAI_GCS_AUTH (object);

  g_free (self->path);
  g_free (self->warning);
  g_free (self->client_email);
  g_free (self->client_id);
  yatai_gcs_auth_forget (&self->client_secret);
  yatai_gcs_auth_forget (&self->refresh_token);
  g_free (self->token_uri);
  if (self->key != NULL)
    gnutls_privkey_deinit (self->key);
  yatai_gcs_auth_forget (&self->token);
  g_ptr_array_unref (self->waiting);
  G_OBJECT_CLASS (yatai_gcs_auth_parent_class)->finalize (object);
}

static void
yatai_gcs_auth_class_init (YataiGcsAuthClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = yatai_gcs_auth_finalize;
}

static void
yatai_gcs_auth_init (YataiGcsAuth *self)
{
  self->refresh_margin = 300;
  self->waiting = g_ptr_array_new_with_free_func (g_object_unref);
}

static gboolean
bad_key_file (const char  *path,
              const char  *why,
              GError     **error)
{
  g_set_error (error, YATAI_GCS_ERROR, YATAI_GCS_ERROR_UNAUTHORIZED,
               _("The key file “%s” is not a service account key (%s). Download a JSON key for the service "
                 "account from the Google Cloud console."), path, why);
  return FALSE;
}

static gboolean
bad_user_file (const char  *path,
               GError     **error)
{
  g_set_error (error, YATAI_GCS_ERROR, YATAI_GCS_ERROR_UNAUTHORIZED,
               _("The credentials file “%s” has no client_id, client_secret or refresh_token. Sign in again "
                 "with: gcloud auth application-default login"), path);
  return FALSE;
}

/* A member's string, or NULL when it is absent, not a string, or empty. */
static const char *
text_member (JsonObject *object,
             const char *name)
{
  const char *value = yatai_gcs_string_member (object, name);

  return value != NULL && *value != '\0' ? value : NULL;
}

static gboolean
load_service_account (YataiGcsAuth  *self,
                      JsonObject    *key,
                      const char    *path,
                      GError       **error)
{
  const char *pem = text_member (key, "private_key");
  gnutls_datum_t datum;

  if (text_member (key, "client_email") == NULL || pem == NULL)
    return bad_key_file (path, _("it has no client_email or private_key"), error);
  self->kind = YATAI_GCS_AUTH_SERVICE_ACCOUNT;
  self->client_email = g_strdup (text_member (key, "client_email"));
  gnutls_privkey_init (&self->key);
  datum.data = (unsigned char *) pem;
  datum.size = strlen (pem);
  if (gnutls_privkey_import_x509_raw (self->key, &datum, GNUTLS_X509_FMT_PEM, NULL, 0) < 0)
    return bad_key_file (path, _("its private key cannot be read"), error);
  return TRUE;
}

static gboolean
load_authorized_user (YataiGcsAuth  *self,
                      JsonObject    *file,
                      const char    *path,
                      GError       **error)
{
  if (text_member (file, "client_id") == NULL || text_member (file, "client_secret") == NULL ||
      text_member (file, "refresh_token") == NULL)
    return bad_user_file (path, error);
  self->kind = YATAI_GCS_AUTH_AUTHORIZED_USER;
  self->client_id = g_strdup (text_member (file, "client_id"));
  self->client_secret = g_strdup (text_member (file, "client_secret"));
  self->refresh_token = g_strdup (text_member (file, "refresh_token"));
  /* gcloud writes the account's address in some versions; shown when there. */
  self->client_email = g_strdup (text_member (file, "account"));
  return TRUE;
}

/**
 * yatai_gcs_auth_new_from_file:
 *
 * Credentials from a JSON file as Google's tools write them: a service account's key
 * ("type": "service_account", or no type) or a person's sign-in from `gcloud auth application-default
 * login` ("authorized_user"). Its "token_uri" is used when it has one (Google's otherwise). A file that
 * other users of the computer can read works, with a warning (yatai_gcs_auth_get_warning()).
 */
YataiGcsAuth *
yatai_gcs_auth_new_from_file (const char  *path,
                              GError     **error)
{
  g_autoptr(YataiGcsAuth) self = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) read_error = NULL;
  JsonObject *file;
  const char *type;
  GStatBuf st;

  g_return_val_if_fail (path != NULL, NULL);

  if (!json_parser_load_from_file (parser, path, &read_error))
    {
      if (g_error_matches (read_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        g_set_error (error, YATAI_GCS_ERROR, YATAI_GCS_ERROR_UNAUTHORIZED,
                     _("The key file “%s” does not exist."), path);
      else
        bad_key_file (path, _("it is not JSON"), error);
      return NULL;
    }
  if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      bad_key_file (path, _("it is not a JSON object"), error);
      return NULL;
    }
  file = json_node_get_object (json_parser_get_root (parser));
  type = text_member (file, "type");

  self = g_object_new (YATAI_TYPE_GCS_AUTH, NULL);
  self->path = g_strdup (path);
  self->token_uri = g_strdup (text_member (file, "token_uri") != NULL ? text_member (file, "token_uri")
                                                                      : DEFAULT_TOKEN_URI);
  if (g_strcmp0 (type, "authorized_user") == 0)
    {
      if (!load_authorized_user (self, file, path, error))
        return NULL;
    }
  else if (type == NULL || g_str_equal (type, "service_account"))
    {
      if (!load_service_account (self, file, path, error))
        return NULL;
    }
  else
    {
      g_set_error (error, YATAI_GCS_ERROR, YATAI_GCS_ERROR_UNAUTHORIZED,
                   _("The credentials file “%s” is of a kind Yatai cannot use (“%s”). Use a service account "
                     "key, or sign in with: gcloud auth application-default login"), path, type);
      return NULL;
    }

  if (g_stat (path, &st) == 0 && (st.st_mode & 077) != 0)
    {
      self->warning = g_strdup_printf (_("The credentials file %s can be read by other users of this computer. "
                                         "Make it private: chmod 600 %s"), path, path);
      g_message ("%s", self->warning);
    }
  return g_steal_pointer (&self);
}

YataiGcsAuth *
yatai_gcs_auth_new_from_key_file (const char  *path,
                                  GError     **error)
{
  return yatai_gcs_auth_new_from_file (path, error);
}

/* Where `gcloud auth application-default login` writes its file, as Google's libraries look for it. */
char *
yatai_gcs_auth_default_file (void)
{
  const char *config = g_getenv ("CLOUDSDK_CONFIG");

  if (config != NULL && *config != '\0')
    return g_build_filename (config, "application_default_credentials.json", NULL);
  return g_build_filename (g_get_home_dir (), ".config", "gcloud", "application_default_credentials.json", NULL);
}

/**
 * yatai_gcs_auth_new_default:
 *
 * Application Default Credentials, in Google's order: the file GOOGLE_APPLICATION_CREDENTIALS names,
 * then gcloud's (yatai_gcs_auth_default_file()). %NULL without an error when there is neither; %NULL
 * with one when the file is there and cannot be used.
 */
YataiGcsAuth *
yatai_gcs_auth_new_default (GError **error)
{
  const char *named = g_getenv ("GOOGLE_APPLICATION_CREDENTIALS");
  g_autofree char *gcloud = NULL;

  if (named != NULL && *named != '\0')
    return yatai_gcs_auth_new_from_file (named, error);
  gcloud = yatai_gcs_auth_default_file ();
  if (g_file_test (gcloud, G_FILE_TEST_EXISTS))
    return yatai_gcs_auth_new_from_file (gcloud, error);
  return NULL;
}

YataiGcsAuth *
yatai_gcs_auth_new_from_token (const char *token)
{
  YataiGcsAuth *self;

  g_return_val_if_fail (token != NULL, NULL);

  self = g_object_new (YATAI_TYPE_GCS_AUTH, NULL);
  self->kind = YATAI_GCS_AUTH_TOKEN;
  self->token = g_strdup (token);
  self->expires = G_MAXINT64;
  return self;
}

/* A token from YATAI_GCS_TOKEN or GOOGLE_OAUTH_ACCESS_TOKEN, or NULL. */
YataiGcsAuth *
yatai_gcs_auth_new_from_environment (void)
{
  const char *token = g_getenv ("YATAI_GCS_TOKEN");

  if (token == NULL || *token == '\0')
    token = g_getenv ("GOOGLE_OAUTH_ACCESS_TOKEN");
  if (token == NULL || *token == '\0')
    return NULL;
  return yatai_gcs_auth_new_from_token (token);
}

void
yatai_gcs_auth_set_refresh_margin (YataiGcsAuth *self,
                                   guint         seconds)
{
  g_return_if_fail (YATAI_IS_GCS_AUTH (self));
  self->refresh_margin = seconds;
}

/* How many times a token was fetched at the token URI. */
guint
yatai_gcs_auth_get_n_exchanges (YataiGcsAuth *self)
{
  g_return_val_if_fail (YATAI_IS_GCS_AUTH (self), 0);
  return self->n_exchanges;
}

/* The account's email (a service account's, or a person's when the file names it), or NULL. */
const char *
yatai_gcs_auth_get_account (YataiGcsAuth *self)
{
  g_return_val_if_fail (YATAI_IS_GCS_AUTH (self), NULL);
  return self->client_email;
}

YataiGcsAuthKind
yatai_gcs_auth_get_kind (YataiGcsAuth *self)
{
  g_return_val_if_fail (YATAI_IS_GCS_AUTH (self), YATAI_GCS_AUTH_TOKEN);
  return self->kind;
}

/* The credentials file, or NULL for a token given as is. */
const char *
yatai_gcs_auth_get_path (YataiGcsAuth *self)
{
  g_return_val_if_fail (YATAI_IS_GCS_AUTH (self), NULL);
  return self->path;
}

/* A sentence to show when the credentials file can be read by other users of the computer, or NULL. */
const char *
yatai_gcs_auth_get_warning (YataiGcsAuth *self)
{
  g_return_val_if_fail (YATAI_IS_GCS_AUTH (self), NULL);
  return self->warning;
}

/* Which credentials these are, in words: their kind and their file or account, never a secret. */
char *
yatai_gcs_auth_describe (YataiGcsAuth *self)
{
  g_return_val_if_fail (YATAI_IS_GCS_AUTH (self), NULL);

  switch (self->kind)
    {
    case YATAI_GCS_AUTH_SERVICE_ACCOUNT:
      /* Translators: first %s is an email address, second a file */
      return g_strdup_printf (_("Service account %s (key file %s)"), self->client_email, self->path);
    case YATAI_GCS_AUTH_AUTHORIZED_USER:
      if (self->client_email != NULL)
        /* Translators: first %s is an email address, second a file */
        return g_strdup_printf (_("Google sign-in of %s (gcloud application default credentials, %s)"),
                                self->client_email, self->path);
      /* Translators: %s is a file */
      return g_strdup_printf (_("Google sign-in (gcloud application default credentials, %s)"), self->path);
    case YATAI_GCS_AUTH_TOKEN:
    default:
      return g_strdup (_("An access token from the environment"));
    }
}

static char *
base64url (const guint8 *data,
           gsize         size)
{
  char *text = g_base64_encode (data, size);
  char *p;

  for (p = text; *p != '\0'; p++)
    {
      if (*p == '+')
        *p = '-';
      else if (*p == '/')
        *p = '_';
      else if (*p == '=')
        {
          *p = '\0';
          break;
        }
    }
  return text;
}

static char *
make_jwt (YataiGcsAuth  *self,
          GError       **error)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) claims = NULL;
  g_autofree char *claims_json = NULL;
  g_autofree char *header = NULL;
  g_autofree char *body = NULL;
  g_autofree char *signing_input = NULL;
  g_autofree char *signature_text = NULL;
  const char *header_json = "{\"alg\":\"RS256\",\"typ\":\"JWT\"}";
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gnutls_datum_t data, signature = { NULL, 0 };
  char *jwt;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "iss");
  json_builder_add_string_value (b, self->client_email);
  json_builder_set_member_name (b, "scope");
  json_builder_add_string_value (b, SCOPE);
  json_builder_set_member_name (b, "aud");
  json_builder_add_string_value (b, self->token_uri);
  json_builder_set_member_name (b, "iat");
  json_builder_add_int_value (b, now);
  json_builder_set_member_name (b, "exp");
  json_builder_add_int_value (b, now + 3600);
  json_builder_end_object (b);
  claims = json_builder_get_root (b);
  claims_json = json_to_string (claims, FALSE);

  header = base64url ((const guint8 *) header_json, strlen (header_json));
  body = base64url ((const guint8 *) claims_json, strlen (claims_json));
  signing_input = g_strconcat (header, ".", body, NULL);
  data.data = (unsigned char *) signing_input;
  data.size = strlen (signing_input);
  if (gnutls_privkey_sign_data (self->key, GNUTLS_DIG_SHA256, 0, &data, &signature) < 0)
    {
      g_set_error_literal (error, YATAI_GCS_ERROR, YATAI_GCS_ERROR_UNAUTHORIZED,
                           _("The service account's key could not sign a request."));
      return NULL;
    }
  signature_text = base64url (signature.data, signature.size);
  gnutls_free (signature.data);
  jwt = g_strconcat (signing_input, ".", signature_text, NULL);
  return jwt;
}

static void
finish_waiting (YataiGcsAuth *self,
                const GError *error)
{
  g_autoptr(GPtrArray) waiting = g_steal_pointer (&self->waiting);

  self->waiting = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < waiting->len; i++)
    {
      GTask *task = waiting->pdata[i];

      if (error != NULL)
        g_task_return_error (task, g_error_copy (error));
      else
        g_task_return_pointer (task, g_strdup (self->token), g_free);
    }
}

static void
exchanged_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(YataiGcsAuth) self = user_data;
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *answer = NULL;

  if (body != NULL)
    {
      gsize size;
      const char *data = g_bytes_get_data (body, &size);
      JsonNode *root = yatai_json_parse_one (parser, data, size);

      if (root != NULL && JSON_NODE_HOLDS_OBJECT (root))
        answer = json_node_get_object (root);
    }

  if (error != NULL)
    {
      g_autoptr(GError) network = g_error_new (YATAI_GCS_ERROR, YATAI_GCS_ERROR_NETWORK,
                                               _("The sign-in service could not be reached: %s"), error->message);

      finish_waiting (self, network);
      return;
    }
  if (soup_message_get_status (msg) != SOUP_STATUS_OK || answer == NULL ||
      json_object_get_string_member_with_default (answer, "access_token", NULL) == NULL)
    {
      const char *why = answer != NULL ? json_object_get_string_member_with_default (answer, "error_description",
                                          json_object_get_string_member_with_default (answer, "error", "")) : "";
      g_autoptr(GError) refused = NULL;

      if (self->kind == YATAI_GCS_AUTH_AUTHORIZED_USER)
        refused = g_error_new (YATAI_GCS_ERROR, YATAI_GCS_ERROR_UNAUTHORIZED,
                               _("The sign-in service refused this device’s Google sign-in (%u %s). Sign in again "
                                 "with: gcloud auth application-default login"),
                               soup_message_get_status (msg), why);
      else
        refused = g_error_new (YATAI_GCS_ERROR, YATAI_GCS_ERROR_UNAUTHORIZED,
                               _("The sign-in service refused the service account's key (%u %s)."),
                               soup_message_get_status (msg), why);

      finish_waiting (self, refused);
      return;
    }

  g_free (self->token);
  self->token = g_strdup (json_object_get_string_member (answer, "access_token"));
  self->expires = g_get_monotonic_time () +
                  json_object_get_int_member_with_default (answer, "expires_in", 3600) * G_USEC_PER_SEC;
  self->n_exchanges++;
  finish_waiting (self, NULL);
}

void
yatai_gcs_auth_get_token_async (YataiGcsAuth        *self,
                                SoupSession         *session,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *jwt = NULL;
  g_autofree char *form = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(SoupMessage) msg = NULL;

  g_return_if_fail (YATAI_IS_GCS_AUTH (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, yatai_gcs_auth_get_token_async);

  if (self->token != NULL &&
      (self->expires == G_MAXINT64 ||
       self->expires - (gint64) self->refresh_margin * G_USEC_PER_SEC > g_get_monotonic_time ()))
    {
      g_task_return_pointer (task, g_strdup (self->token), g_free);
      return;
    }
  if (self->kind == YATAI_GCS_AUTH_TOKEN)
    {
      g_task_return_new_error (task, YATAI_GCS_ERROR, YATAI_GCS_ERROR_UNAUTHORIZED,
                               _("The access token has expired. Set a new one, or use a service account key file."));
      return;
    }

  g_ptr_array_add (self->waiting, g_steal_pointer (&task));
  if (self->waiting->len > 1)
    return;  /* an exchange is under way */

  if (self->kind == YATAI_GCS_AUTH_SERVICE_ACCOUNT)
    {
      jwt = make_jwt (self, &error);
      if (jwt == NULL)
        {
          finish_waiting (self, error);
          return;
        }
      form = soup_form_encode ("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion", jwt, NULL);
    }
  else
    form = soup_form_encode ("grant_type", "refresh_token", "client_id", self->client_id,
                             "client_secret", self->client_secret, "refresh_token", self->refresh_token, NULL);
  msg = soup_message_new (SOUP_METHOD_POST, self->token_uri);
  if (msg == NULL)
    {
      g_autoptr(GError) bad = g_error_new (YATAI_GCS_ERROR, YATAI_GCS_ERROR_UNAUTHORIZED,
                                           _("The key file's token address is not a web address."));

      yatai_gcs_auth_forget (&form);
      finish_waiting (self, bad);
      return;
    }
  {
    gsize length = strlen (form);

    body = g_bytes_new_take (g_steal_pointer (&form), length);
  }
  soup_message_set_request_body_from_bytes (msg, "application/x-www-form-urlencoded", body);
  soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT, NULL, exchanged_cb, g_object_ref (self));
}

char *
yatai_gcs_auth_get_token_finish (YataiGcsAuth  *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
