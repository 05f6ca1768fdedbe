#pragma once

#include <gio/gio.h>
#include <libsoup/soup.h>

G_BEGIN_DECLS

/* Access tokens for the bucket, from credentials found as Google's libraries find them (Application
 * Default Credentials): a service account's key file (a JWT signed RS256, exchanged at its token URI),
 * a person's sign-in from `gcloud auth application-default login` (its refresh token exchanged), or a
 * token given as is. Tokens are cached and refreshed before they expire. Tokens, refresh tokens, secrets
 * and keys never appear in messages or the log. */

typedef enum
{
  YATAI_GCS_AUTH_SERVICE_ACCOUNT,   /* "type": "service_account" */
  YATAI_GCS_AUTH_AUTHORIZED_USER,   /* "type": "authorized_user" */
  YATAI_GCS_AUTH_TOKEN,             /* an access token given as is */
} YataiGcsAuthKind;

#define YATAI_TYPE_GCS_AUTH (yatai_gcs_auth_get_type ())
G_DECLARE_FINAL_TYPE (YataiGcsAuth, yatai_gcs_auth, YATAI, GCS_AUTH, GObject)

YataiGcsAuth *yatai_gcs_auth_new_from_file      (const char          *path,
                                                 GError             **error);
YataiGcsAuth *yatai_gcs_auth_new_from_key_file  (const char          *path,
                                                 GError             **error);
YataiGcsAuth *yatai_gcs_auth_new_default        (GError             **error);
char         *yatai_gcs_auth_default_file       (void);
YataiGcsAuth *yatai_gcs_auth_new_from_token     (const char          *token);
YataiGcsAuth *yatai_gcs_auth_new_from_environment (void);
void          yatai_gcs_auth_set_refresh_margin (YataiGcsAuth        *self,
                                                 guint                seconds);
guint         yatai_gcs_auth_get_n_exchanges    (YataiGcsAuth        *self);
const char   *yatai_gcs_auth_get_account        (YataiGcsAuth        *self);
YataiGcsAuthKind yatai_gcs_auth_get_kind        (YataiGcsAuth        *self);
const char   *yatai_gcs_auth_get_path           (YataiGcsAuth        *self);
const char   *yatai_gcs_auth_get_warning        (YataiGcsAuth        *self);
char         *yatai_gcs_auth_describe           (YataiGcsAuth        *self);
void          yatai_gcs_auth_get_token_async    (YataiGcsAuth        *self,
                                                 SoupSession         *session,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
char         *yatai_gcs_auth_get_token_finish   (YataiGcsAuth        *self,
                                                 GAsyncResult        *result,
                                                 GError             **error);

G_END_DECLS
