#pragma once

#include <gio/gio.h>
#include <gnutls/gnutls.h>

#include "yatai-store.h"

G_BEGIN_DECLS

/* Pairing a device by a code (ARCHITECTURE.md, "Pairing a device"): the counter shows a short code,
 * the new device connects and types it, and receives the stall.
 *
 * The exchange is TLS 1.2 with SRP key exchange (RFC 5054, GnuTLS's gnutls_srp_*): the code is the SRP
 * password, so the connection's keys come from it and only an end that knows the code completes the
 * handshake. A captured exchange does not let anyone test guesses of the code offline; each guess takes
 * one connection to the counter, which allows YATAI_PAIR_MAX_ATTEMPTS of them per code.
 *
 * On the wire, before TLS the counter says one line in the clear ("YATAI-PAIR 1 READY", "… NONE" when
 * no code is shown, "… BUSY" while another device is pairing), which holds nothing secret. After the
 * handshake it sends the pairing, and the new device answers "OK". */

#define YATAI_PAIR_ERROR (yatai_pair_error_quark ())

typedef enum
{
  YATAI_PAIR_ERROR_WRONG_CODE,     /* the code typed is not the one shown */
  YATAI_PAIR_ERROR_NO_CODE,        /* the counter shows no code (none made, expired, used, too many tries) */
  YATAI_PAIR_ERROR_BUSY,           /* another device is pairing right now */
  YATAI_PAIR_ERROR_UNAVAILABLE,    /* no answer at that address, connection lost */
  YATAI_PAIR_ERROR_PROTOCOL,       /* not a Yatai counter, or a message this version cannot read */
  YATAI_PAIR_ERROR_NOT_READY,      /* the counter cannot give the stall right now */
  YATAI_PAIR_ERROR_INVALID,        /* what was typed is not a code */
} YataiPairError;

#define YATAI_PAIR_CODE_DIGITS    6
#define YATAI_PAIR_CODE_SECONDS   300     /* a code works this long after it is shown */
#define YATAI_PAIR_MAX_ATTEMPTS   3       /* wrong codes before the code stops working */
#define YATAI_PAIR_TIMEOUT_S      20      /* silence on the connection before it is dropped */
#define YATAI_PAIR_DEFAULT_PORT   47121
#define YATAI_PAIR_SRP_USER       "yatai"
#define YATAI_PAIR_MAX_HEADER     (1024 * 1024)

/* What the new device receives: the stall as a snapshot at a position of its history, and the sync
 * settings when the counter's user agreed to give them. */
typedef struct
{
  char    *counter_name;    /* the device that gave it */
  char    *counter_id;
  char    *prefix;          /* the stall's folder in the bucket: the history's name */
  GBytes  *snapshot;        /* a snapshot segment (yatai-segment.h), seq and chain in its header */

  gboolean has_settings;
  char    *bucket;
  char    *endpoint;
  char    *credentials;     /* the key file's JSON, or NULL when the counter uses none */
  gboolean link_only;       /* the stall has no bucket: the new device follows the counter on the link */
  char    *link;            /* where the counter serves the link ("HOST:PORT"), or NULL: DNS-SD finds it */
} YataiPairing;

GQuark        yatai_pair_error_quark   (void);

YataiPairing *yatai_pairing_new        (void);
void          yatai_pairing_free       (YataiPairing *pairing);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (YataiPairing, yatai_pairing_free)

char         *yatai_pair_code_new      (void);
char         *yatai_pair_code_normalize (const char  *typed,
                                         GError     **error);
char         *yatai_pair_code_format   (const char  *code);

GBytes       *yatai_pairing_encode_header (YataiPairing  *pairing);
YataiPairing *yatai_pairing_decode_header (GBytes        *header,
                                           GError       **error);

gboolean      yatai_pairing_apply      (YataiPairing  *pairing,
                                        YataiStore    *store,
                                        GError       **error);

void          yatai_pair_join_async    (const char          *address,
                                        const char          *code,
                                        const char          *device_name,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data);
YataiPairing *yatai_pair_join_finish   (GAsyncResult        *result,
                                        GError             **error);

/* The channel both ends use (yatai-pair.c). */
typedef struct
{
  GSocketConnection *connection;
  GSocket           *socket;
  gnutls_session_t   session;
  gnutls_srp_client_credentials_t client_credentials;
  gnutls_srp_server_credentials_t server_credentials;
  char              *code;          /* the server's, for its credentials callback */
  gnutls_datum_t     salt;
} YataiPairChannel;

YataiPairChannel *yatai_pair_channel_new    (GSocketConnection *connection,
                                             gboolean           server,
                                             const char        *code,
                                             GError           **error);
void              yatai_pair_channel_free   (YataiPairChannel  *channel);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (YataiPairChannel, yatai_pair_channel_free)

gboolean          yatai_pair_channel_handshake (YataiPairChannel  *channel,
                                                GError           **error);
gboolean          yatai_pair_channel_send   (YataiPairChannel  *channel,
                                             GBytes            *bytes,
                                             GError           **error);
GBytes           *yatai_pair_channel_receive (YataiPairChannel *channel,
                                              gsize             max_size,
                                              GError          **error);
void              yatai_pair_channel_close  (YataiPairChannel  *channel);

gboolean          yatai_pair_write_line     (GSocket           *socket,
                                             const char        *line,
                                             GError           **error);
char             *yatai_pair_read_line      (GSocket           *socket,
                                             GError           **error);

G_END_DECLS
