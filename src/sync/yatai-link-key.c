/* yatai-link-key.c: the stall's key for the venue link
 *
 * Made with GnuTLS (gnutls_x509_privkey_*, gnutls_x509_crt_*): an ECDSA P-256 key and a certificate
 * that signs itself, usable by a TLS server and a TLS client alike, since every device of the stall
 * presents the same one. It never expires: the stall's devices trust it because it is the one in their
 * store, not because of dates or an authority. GIO's TLS (glib-networking, whose backend is GnuTLS)
 * uses it as a GTlsCertificate.
 */
#define G_LOG_DOMAIN "yatai-link"

#include "config.h"

#include <glib/gi18n.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "yatai-command.h"
#include "yatai-link-key.h"

G_DEFINE_QUARK (yatai-link-error-quark, yatai_link_error)

static gboolean
key_failed (int      rc,
            GError **error)
{
  g_warning ("Making the stall's key failed: %s", gnutls_strerror (rc));
  g_set_error_literal (error, YATAI_LINK_ERROR, YATAI_LINK_ERROR_NO_KEY,
                       _("This device could not make the stall’s key for the local network."));
  return FALSE;
}

static char *
export_pem (gnutls_datum_t *datum)
{
  char *text = g_strndup ((const char *) datum->data, datum->size);

  gnutls_free (datum->data);
  datum->data = NULL;
  return text;
}

gboolean
yatai_link_key_generate (const char  *stall_name,
                         char       **certificate_pem,
                         char       **private_key_pem,
                         GError     **error)
{
  gnutls_x509_privkey_t key = NULL;
  gnutls_x509_crt_t crt = NULL;
  gnutls_datum_t datum = { NULL, 0 };
  unsigned char serial[16];
  g_autofree char *name = g_strdup_printf ("Yatai stall %s", stall_name ? stall_name : "");
  gboolean ok = FALSE;
  int rc;

  g_return_val_if_fail (certificate_pem != NULL && private_key_pem != NULL, FALSE);

  if ((rc = gnutls_x509_privkey_init (&key)) < 0 ||
      (rc = gnutls_x509_privkey_generate (key, GNUTLS_PK_ECDSA,
                                          GNUTLS_CURVE_TO_BITS (GNUTLS_ECC_CURVE_SECP256R1), 0)) < 0 ||
      (rc = gnutls_x509_crt_init (&crt)) < 0 ||
      (rc = gnutls_rnd (GNUTLS_RND_NONCE, serial, sizeof serial)) < 0)
    goto out;
  serial[0] &= 0x7f;  /* a positive serial number */

  if ((rc = gnutls_x509_crt_set_version (crt, 3)) < 0 ||
      (rc = gnutls_x509_crt_set_serial (crt, serial, sizeof serial)) < 0 ||
      (rc = gnutls_x509_crt_set_activation_time (crt, g_get_real_time () / G_USEC_PER_SEC - 24 * 3600)) < 0 ||
      (rc = gnutls_x509_crt_set_expiration_time (crt, GNUTLS_X509_NO_WELL_DEFINED_EXPIRATION)) < 0 ||
      (rc = gnutls_x509_crt_set_dn_by_oid (crt, GNUTLS_OID_X520_COMMON_NAME, 0, name, strlen (name))) < 0 ||
      (rc = gnutls_x509_crt_set_key (crt, key)) < 0 ||
      (rc = gnutls_x509_crt_set_basic_constraints (crt, 1, -1)) < 0 ||
      (rc = gnutls_x509_crt_set_key_usage (crt, GNUTLS_KEY_DIGITAL_SIGNATURE | GNUTLS_KEY_KEY_CERT_SIGN)) < 0 ||
      (rc = gnutls_x509_crt_set_key_purpose_oid (crt, GNUTLS_KP_TLS_WWW_SERVER, 0)) < 0 ||
      (rc = gnutls_x509_crt_set_key_purpose_oid (crt, GNUTLS_KP_TLS_WWW_CLIENT, 0)) < 0 ||
      (rc = gnutls_x509_crt_sign2 (crt, crt, key, GNUTLS_DIG_SHA256, 0)) < 0)
    goto out;

  if ((rc = gnutls_x509_crt_export2 (crt, GNUTLS_X509_FMT_PEM, &datum)) < 0)
    goto out;
  *certificate_pem = export_pem (&datum);
  if ((rc = gnutls_x509_privkey_export2 (key, GNUTLS_X509_FMT_PEM, &datum)) < 0)
    {
      g_clear_pointer (certificate_pem, g_free);
      goto out;
    }
  *private_key_pem = export_pem (&datum);
  ok = TRUE;

out:
  if (crt != NULL)
    gnutls_x509_crt_deinit (crt);
  if (key != NULL)
    gnutls_x509_privkey_deinit (key);
  return ok ? TRUE : key_failed (rc, error);
}

/**
 * yatai_link_key_ensure:
 * @made: (out) (optional): whether a key was made now
 *
 * Gives the stall a key if it has none, as the business operation `stall.set-key`, so on the writer it
 * is journaled and reaches every other device through the log. Only the writer calls it.
 */
gboolean
yatai_link_key_ensure (YataiStore  *store,
                       gboolean    *made,
                       GError     **error)
{
  g_autofree char *certificate = NULL;
  g_autofree char *private_key = NULL;
  g_autoptr(JsonObject) args = NULL;
  g_autoptr(JsonNode) result = NULL;

  g_return_val_if_fail (YATAI_IS_STORE (store), FALSE);

  if (made != NULL)
    *made = FALSE;
  if (yatai_store_get_stall_key (store, NULL, NULL))
    return TRUE;
  if (!yatai_link_key_generate (yatai_store_get_device_id (store), &certificate, &private_key, error))
    return FALSE;

  args = json_object_new ();
  json_object_set_string_member (args, "certificate", certificate);
  json_object_set_string_member (args, "private_key", private_key);
  result = yatai_store_run (store, "stall.set-key", args, error);
  if (result == NULL)
    return FALSE;
  if (made != NULL)
    *made = TRUE;
  return TRUE;
}

GTlsCertificate *
yatai_link_key_load (YataiStore  *store,
                     GError     **error)
{
  g_autofree char *certificate = NULL;
  g_autofree char *private_key = NULL;
  g_autofree char *pem = NULL;
  g_autoptr(GError) tls_error = NULL;
  GTlsCertificate *tls;

  g_return_val_if_fail (YATAI_IS_STORE (store), NULL);

  if (!yatai_store_get_stall_key (store, &certificate, &private_key))
    {
      g_set_error_literal (error, YATAI_LINK_ERROR, YATAI_LINK_ERROR_NO_KEY,
                           _("This device has no key for the stall’s local network yet. It gets it from the "
                             "writer through the bucket."));
      return NULL;
    }

  pem = g_strconcat (certificate, "\n", private_key, NULL);
  tls = g_tls_certificate_new_from_pem (pem, -1, &tls_error);
  if (tls == NULL)
    {
      g_warning ("The stall's key does not load: %s", tls_error->message);
      g_set_error_literal (error, YATAI_LINK_ERROR, YATAI_LINK_ERROR_NO_KEY,
                           _("The stall’s key for the local network is damaged."));
    }
  return tls;
}

/* Whether @peer is the stall's own certificate: the only one either end of the link accepts. TLS has
 * already checked that the peer holds its private key. */
gboolean
yatai_link_key_is_stall (GTlsCertificate *stall,
                         GTlsCertificate *peer)
{
  g_return_val_if_fail (G_IS_TLS_CERTIFICATE (stall), FALSE);

  return peer != NULL && g_tls_certificate_is_same (stall, peer);
}
