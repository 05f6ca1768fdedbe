#pragma once

#include <gio/gio.h>
#include <libsoup/soup.h>

G_BEGIN_DECLS

/* Access tokens for the bucket: from a service account's key file (a JWT signed RS256, exchanged at its
 * token URI, cached and refreshed before it expires), or a token given as is. Tokens and keys never
 * appear in messages. */
#define YATAI_TYPE_GCS_AUTH (yatai_gcs_auth_get_type ())
G_DECLARE_FINAL_TYPE (YataiGcsAuth, yatai_gcs_auth, YATAI, GCS_AUTH, GObject)

YataiGcsAuth *yatai_gcs_auth_new_from_key_file  (const char          *path,
                                                 GError             **error);
YataiGcsAuth *yatai_gcs_auth_new_from_token     (const char          *token);
YataiGcsAuth *yatai_gcs_auth_new_from_environment (void);
void          yatai_gcs_auth_set_refresh_margin (YataiGcsAuth        *self,
                                                 guint                seconds);
guint         yatai_gcs_auth_get_n_exchanges    (YataiGcsAuth        *self);
const char   *yatai_gcs_auth_get_account        (YataiGcsAuth        *self);
void          yatai_gcs_auth_get_token_async    (YataiGcsAuth        *self,
                                                 SoupSession         *session,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
char         *yatai_gcs_auth_get_token_finish   (YataiGcsAuth        *self,
                                                 GAsyncResult        *result,
                                                 GError             **error);

G_END_DECLS
