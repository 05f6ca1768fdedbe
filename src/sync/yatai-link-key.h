#pragma once

#include <gio/gio.h>

#include "yatai-store.h"

G_BEGIN_DECLS

/* The stall's key: what lets a device in on the venue link (ARCHITECTURE.md, "The venue link").
 *
 * One ECDSA P-256 key pair and a self-signed certificate per stall, made with GnuTLS when the stall is
 * founded (or by the writer of a stall founded before the link) and kept in the store's synced
 * stall_keys table, so it travels with the snapshot and the log to every device of the stall. On the
 * link both ends present this certificate and accept only a peer presenting the same one: TLS then
 * proves the peer holds the private key, encrypts the traffic and refuses replays. */

#define YATAI_LINK_ERROR (yatai_link_error_quark ())

typedef enum
{
  YATAI_LINK_ERROR_NO_KEY,        /* this store has no stall key yet */
  YATAI_LINK_ERROR_NOT_OF_STALL,  /* the other end does not hold this stall's key */
  YATAI_LINK_ERROR_REFUSED,       /* the writer refused this device: it does not hold the key */
  YATAI_LINK_ERROR_UNAVAILABLE,   /* no answer, connection lost */
  YATAI_LINK_ERROR_PROTOCOL,      /* a message this version cannot read */
} YataiLinkError;

GQuark           yatai_link_error_quark     (void);

gboolean         yatai_link_key_generate    (const char       *stall_name,
                                             char            **certificate_pem,
                                             char            **private_key_pem,
                                             GError          **error);
gboolean         yatai_link_key_ensure      (YataiStore       *store,
                                             gboolean         *made,
                                             GError          **error);
GTlsCertificate *yatai_link_key_load        (YataiStore       *store,
                                             GError          **error);
gboolean         yatai_link_key_is_stall    (GTlsCertificate  *stall,
                                             GTlsCertificate  *peer);

G_END_DECLS
