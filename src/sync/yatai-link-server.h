#pragma once

#include <gio/gio.h>

#include "yatai-command.h"

G_BEGIN_DECLS

/* The writer's end of the venue link: serves the log to the stall's other devices, pushing each segment
 * the moment the writer seals it, and runs their commands, answering in the same exchange. Only a device
 * presenting the stall's certificate gets in (yatai-link-key.h). Runs on the main context. */

/* Runs a follower's command on the writer. Returns the result, or NULL with @error (the refusal). */
typedef JsonNode *(*YataiLinkCommandFunc) (YataiCommand  *command,
                                           gpointer       user_data,
                                           GError       **error);

#define YATAI_TYPE_LINK_SERVER (yatai_link_server_get_type ())
G_DECLARE_FINAL_TYPE (YataiLinkServer, yatai_link_server, YATAI, LINK_SERVER, GObject)

YataiLinkServer *yatai_link_server_new           (GTlsCertificate      *stall,
                                                  const char           *device_id,
                                                  const char           *device_name);
gboolean         yatai_link_server_listen        (YataiLinkServer      *self,
                                                  const char           *address,
                                                  GError              **error);
guint16          yatai_link_server_get_port      (YataiLinkServer      *self);
/* The stall as the writer holds it, for a follower that asks from @from, which the kept segments do not
 * reach (a restart of the writer, a follower long away, a new writer after a handover; @from 0: a
 * follower restoring): a snapshot segment at the writer's position, which it gives in @seq. NULL when
 * @from is just past that position and nothing is missing. */
typedef GBytes   *(*YataiLinkSnapshotFunc) (gint64    from,
                                            gint64   *seq,
                                            gpointer  user_data);

void             yatai_link_server_set_snapshot_func (YataiLinkServer   *self,
                                                      YataiLinkSnapshotFunc func,
                                                      gpointer           user_data);
void             yatai_link_server_set_only_device (YataiLinkServer   *self,
                                                    const char        *device);
void             yatai_link_server_set_trouble      (YataiLinkServer   *self,
                                                     const char        *trouble);
void             yatai_link_server_set_command_func (YataiLinkServer   *self,
                                                     YataiLinkCommandFunc func,
                                                     gpointer           user_data);
void             yatai_link_server_push          (YataiLinkServer      *self,
                                                  gint64                seq,
                                                  GBytes               *segment);
gint64           yatai_link_server_get_head      (YataiLinkServer      *self);
GPtrArray       *yatai_link_server_get_peers     (YataiLinkServer      *self);
guint            yatai_link_server_get_n_refused (YataiLinkServer      *self);

G_END_DECLS
