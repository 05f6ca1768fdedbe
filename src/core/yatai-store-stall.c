/* yatai-store-stall.c: what belongs to the stall as a whole rather than to its menu or orders
 *
 * The stall's key: the certificate and private key its devices prove themselves with on the venue link
 * (src/sync/yatai-link-key.c makes them with GnuTLS; the store only keeps them). The row is in a synced
 * table, so a device that restored the stall from the bucket or over the link holds the key too. The
 * first key a stall gets is its key for good: setting it again keeps the one there, so two devices that
 * both made one while starting cannot leave the stall with two.
 */
#define G_LOG_DOMAIN "yatai-stall"

#include "config.h"

#include <glib/gi18n.h>

#include "yatai-store-private.h"

#define PEM_MAX 16384

static gboolean
check_pem (const char  *text,
           const char  *begin,
           GError     **error)
{
  if (strlen (text) > PEM_MAX || !g_str_has_prefix (text, begin) || !g_utf8_validate (text, -1, NULL))
    {
      g_set_error_literal (error, YATAI_STORE_ERROR, YATAI_STORE_ERROR_INVALID,
                           _("The stall’s key is damaged and was not saved."));
      return FALSE;
    }
  return TRUE;
}

static gboolean
op_stall_set_key (YataiStore  *self,
                  JsonObject  *args,
                  JsonObject  *result,
                  GError     **error)
{
  const char *certificate = NULL, *private_key = NULL;
  sqlite3_stmt *stmt;

  if (!yatai_args_get_string (args, "certificate", TRUE, &certificate, error) ||
      !yatai_args_get_string (args, "private_key", TRUE, &private_key, error) ||
      !check_pem (certificate, "-----BEGIN CERTIFICATE-----", error) ||
      !check_pem (private_key, "-----BEGIN ", error))
    return FALSE;

  stmt = yatai_store_prepare (self,
                              "INSERT INTO stall_keys (id, certificate, private_key, created) VALUES (1, ?, ?, ?) "
                              "ON CONFLICT (id) DO NOTHING",
                              error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, certificate, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, private_key, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 3, yatai_store_now (self));
  if (!yatai_store_step_done (self, stmt, error))
    return FALSE;
  json_object_set_boolean_member (result, "kept", sqlite3_changes (yatai_store_get_db (self)) == 0);
  return TRUE;
}

/**
 * yatai_store_get_stall_key:
 * @certificate: (out): the stall's certificate, PEM
 * @private_key: (out): its private key, PEM
 *
 * Returns: FALSE when the stall has no key yet (a stall founded before the link, until its writer
 * makes one).
 */
gboolean
yatai_store_get_stall_key (YataiStore  *self,
                           char       **certificate,
                           char       **private_key)
{
  sqlite3_stmt *stmt;
  gboolean found = FALSE;

  g_return_val_if_fail (YATAI_IS_STORE (self), FALSE);

  stmt = yatai_store_prepare (self, "SELECT certificate, private_key FROM stall_keys WHERE id = 1", NULL);
  if (stmt == NULL)
    return FALSE;
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      found = TRUE;
      if (certificate != NULL)
        *certificate = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      if (private_key != NULL)
        *private_key = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
    }
  sqlite3_reset (stmt);
  return found;
}

const YataiOp yatai_stall_ops[] = {
  { "stall.set-key", op_stall_set_key },
  { NULL, NULL },
};
