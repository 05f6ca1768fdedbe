#pragma once

#include <gio/gio.h>

#include "yatai-pair.h"

G_BEGIN_DECLS

/* The counter's end of pairing: listens on the local network, shows one code at a time (valid
 * YATAI_PAIR_CODE_SECONDS, used once, YATAI_PAIR_MAX_ATTEMPTS wrong tries), takes one device at a time,
 * and gives the device that knows the code what the stall function makes. Runs on the main context;
 * each connection's TLS runs on a worker thread. */

typedef enum
{
  YATAI_PAIR_STATE_IDLE,       /* no code shown */
  YATAI_PAIR_STATE_WAITING,    /* a code is shown, waiting for a device */
  YATAI_PAIR_STATE_SENDING,    /* a device typed the code: the stall is on its way */
  YATAI_PAIR_STATE_PAIRED,     /* the device has the stall */
  YATAI_PAIR_STATE_FAILED,     /* the code stopped working (expired, too many wrong tries, a failure) */
} YataiPairState;

GType yatai_pair_state_get_type (void);
#define YATAI_TYPE_PAIR_STATE (yatai_pair_state_get_type ())

/* Makes what the device receives, on the main context, once it has proven it knows the code. */
typedef YataiPairing *(*YataiPairStallFunc) (gpointer   user_data,
                                             GError   **error);

#define YATAI_TYPE_PAIR_SERVER (yatai_pair_server_get_type ())
G_DECLARE_FINAL_TYPE (YataiPairServer, yatai_pair_server, YATAI, PAIR_SERVER, GObject)

YataiPairServer *yatai_pair_server_new          (YataiPairStallFunc  func,
                                                 gpointer            user_data,
                                                 GDestroyNotify      destroy);
gboolean         yatai_pair_server_listen       (YataiPairServer    *self,
                                                 const char         *address,
                                                 GError            **error);
guint16          yatai_pair_server_get_port     (YataiPairServer    *self);
const char      *yatai_pair_server_offer        (YataiPairServer    *self);
void             yatai_pair_server_withdraw     (YataiPairServer    *self);
void             yatai_pair_server_set_lifetime (YataiPairServer    *self,
                                                 guint               seconds);

YataiPairState   yatai_pair_server_get_state    (YataiPairServer    *self);
const char      *yatai_pair_server_get_code     (YataiPairServer    *self);
const char      *yatai_pair_server_get_message  (YataiPairServer    *self);
const char      *yatai_pair_server_get_device_name (YataiPairServer *self);
guint            yatai_pair_server_get_seconds_left (YataiPairServer *self);
guint            yatai_pair_server_get_attempts_left (YataiPairServer *self);

GStrv            yatai_pair_local_addresses     (void);

G_END_DECLS
