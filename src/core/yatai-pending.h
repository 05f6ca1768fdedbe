#pragma once

#include "yatai-command.h"

G_BEGIN_DECLS

/* Commands this device sent to the writer whose answer has not come back yet (SYNC.md: the follower
 * shows the action as "sending" until the change comes back through the log, or the writer's refusal
 * in words). The pages bind to it: a card, a row or the cart shows that its change is on its way and
 * does not send a second one while it is, and each answer replaces it. Nothing here knows how the
 * command travels; the application adds what the sync engine sent and finishes what it answered. */

typedef enum
{
  YATAI_PENDING_SENDING,
  YATAI_PENDING_APPLIED,
  YATAI_PENDING_REFUSED,
} YataiPendingState;

#define YATAI_TYPE_PENDING_COMMAND (yatai_pending_command_get_type ())
G_DECLARE_FINAL_TYPE (YataiPendingCommand, yatai_pending_command, YATAI, PENDING_COMMAND, GObject)

const char        *yatai_pending_command_get_id       (YataiPendingCommand *self);
const char        *yatai_pending_command_get_kind     (YataiPendingCommand *self);
YataiCommand      *yatai_pending_command_get_command  (YataiPendingCommand *self);
gint64             yatai_pending_command_get_order_id (YataiPendingCommand *self);
gint64             yatai_pending_command_get_line_no  (YataiPendingCommand *self);
const char        *yatai_pending_command_get_status   (YataiPendingCommand *self);
YataiPendingState  yatai_pending_command_get_state    (YataiPendingCommand *self);
const char        *yatai_pending_command_get_refusal  (YataiPendingCommand *self);
JsonNode          *yatai_pending_command_get_result   (YataiPendingCommand *self);

#define YATAI_TYPE_PENDING_COMMANDS (yatai_pending_commands_get_type ())
G_DECLARE_FINAL_TYPE (YataiPendingCommands, yatai_pending_commands, YATAI, PENDING_COMMANDS, GObject)

YataiPendingCommands *yatai_pending_commands_new        (void);
YataiPendingCommand  *yatai_pending_commands_add        (YataiPendingCommands *self,
                                                         YataiCommand         *command);
gboolean              yatai_pending_commands_finish     (YataiPendingCommands *self,
                                                         const char           *id,
                                                         JsonNode             *result,
                                                         const char           *refusal);
YataiPendingCommand  *yatai_pending_commands_find       (YataiPendingCommands *self,
                                                         const char           *id);
YataiPendingCommand  *yatai_pending_commands_find_move  (YataiPendingCommands *self,
                                                         gint64                order_id);
YataiPendingCommand  *yatai_pending_commands_find_line  (YataiPendingCommands *self,
                                                         gint64                order_id,
                                                         gint64                line_no);

G_END_DECLS
