#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* What the two ends of the venue link say to each other (ARCHITECTURE.md, "The venue link").
 *
 * One WebSocket, wss://HOST:PORT/yatai/link, over TLS where both ends present the stall's certificate.
 * Text messages are JSON objects with one member naming them:
 *   follower → writer  {"hello": {"device", "name", "from"}}     the first seq it wants (0: the whole stall)
 *                      {"command": {id, device, kind, args, created}}
 *                      (kind "link.hand-over", args {"link": [...]}: asks a writer without a bucket for the
 *                      orders; answered with the grant {device, seq, chain, epoch, link})
 *   writer → follower  {"welcome": {"device", "name", "head", "oldest", "peers"}}
 *                      {"result": {"id", "result"}} or {"result": {"id", "refused": {"domain", "code", "message"}}}
 *                      a store's refusal also has "reason" and "values" (yatai-refusal.h), which the
 *                      follower says in its own language; without them (an older writer), "message"
 *                      is said as it came
 *                      {"beat": head}                       every YATAI_LINK_BEAT_MS, so silence is noticed
 *                      {"snapshot": seq}                     a writer without a bucket: the next binary
 *                                                            message is the stall as a snapshot segment
 *                      {"trouble": "disk-full"}             the writer cannot apply commands now ("disk-full",
 *                                                           "cannot-save"; "" once it can): also in the
 *                                                           welcome's "trouble"; a follower keeps its commands
 *                                                           and says why. A message of a name a follower does
 *                                                           not know is ignored, as older ones do with this
 * Binary messages (writer → follower) are one log segment each: its seq (8 bytes, big-endian), then the
 * bytes of log/<seq> exactly as the bucket has (or will have) them, in seq order. */

#define YATAI_LINK_PATH        "/yatai/link"
#define YATAI_LINK_SERVICE     "_yatai._tcp"
#define YATAI_LINK_DEFAULT_PORT 47122   /* served here when it is free and no address is set */
#define YATAI_LINK_BEAT_MS     200
#define YATAI_LINK_SILENCE_MS  600      /* no message for this long (three beats): the link is down */
#define YATAI_LINK_MAX_MESSAGE (64 * 1024 * 1024)

JsonNode *yatai_link_message_new   (const char   *name,
                                    JsonNode     *body);
char     *yatai_link_message_write (JsonNode     *message);
JsonNode *yatai_link_message_read  (GBytes       *text,
                                    const char  **name);

GBytes   *yatai_link_frame_segment (gint64        seq,
                                    GBytes       *segment);
GBytes   *yatai_link_unframe_segment (GBytes     *frame,
                                      gint64     *seq);

GSocketConnectable *yatai_link_parse_address (const char  *host_port,
                                              GError     **error);

void      yatai_link_socket_send_at_once (GSocket    *socket);

G_END_DECLS
