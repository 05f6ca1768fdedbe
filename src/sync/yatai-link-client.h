#pragma once

#include <gio/gio.h>

#include "yatai-command.h"

G_BEGIN_DECLS

/* A follower's end of the venue link: one WebSocket to the writer over TLS, presenting the stall's
 * certificate and accepting only a writer that presents it too. Delivers the segments the writer
 * pushes ("segment", in seq order, not yet checked: the engine checks them as it checks the bucket's)
 * and sends commands whose results come back in the same exchange. Notices silence within
 * YATAI_LINK_SILENCE_MS and says so ("connected" goes FALSE, "error" says why). Runs on the main context. */

#define YATAI_TYPE_LINK_CLIENT (yatai_link_client_get_type ())
G_DECLARE_FINAL_TYPE (YataiLinkClient, yatai_link_client, YATAI, LINK_CLIENT, GObject)

YataiLinkClient *yatai_link_client_new              (GTlsCertificate  *stall,
                                                     const char       *device_id,
                                                     const char       *device_name);
void             yatai_link_client_connect          (YataiLinkClient  *self,
                                                     const char       *address,
                                                     gint64            from);
void             yatai_link_client_disconnect       (YataiLinkClient  *self);
void             yatai_link_client_set_restoring    (YataiLinkClient  *self,
                                                     gboolean          restoring);
gboolean         yatai_link_client_get_connected    (YataiLinkClient  *self);
gboolean         yatai_link_client_get_connecting   (YataiLinkClient  *self);
const char      *yatai_link_client_get_address      (YataiLinkClient  *self);
const char      *yatai_link_client_get_writer_name  (YataiLinkClient  *self);
const char      *yatai_link_client_get_writer_trouble (YataiLinkClient *self);
const char * const *yatai_link_client_get_writer_peers (YataiLinkClient *self);
const char      *yatai_link_client_get_writer_device (YataiLinkClient *self);
gint64           yatai_link_client_get_writer_head  (YataiLinkClient  *self);
const char      *yatai_link_client_get_error        (YataiLinkClient  *self);
const GError    *yatai_link_client_get_last_error   (YataiLinkClient  *self);

void             yatai_link_client_command_async    (YataiLinkClient  *self,
                                                     YataiCommand     *command,
                                                     GCancellable     *cancellable,
                                                     GAsyncReadyCallback callback,
                                                     gpointer          user_data);
JsonNode        *yatai_link_client_command_finish   (YataiLinkClient  *self,
                                                     GAsyncResult     *result,
                                                     GError          **error);

G_END_DECLS
