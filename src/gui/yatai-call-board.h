#pragma once

#include <adwaita.h>

#include "yatai-application.h"

G_BEGIN_DECLS

/* A window for a monitor facing the queue: the call numbers being prepared and those ready. */
#define YATAI_TYPE_CALL_BOARD (yatai_call_board_get_type ())
G_DECLARE_FINAL_TYPE (YataiCallBoard, yatai_call_board, YATAI, CALL_BOARD, AdwApplicationWindow)

#define YATAI_READY_SHOWN_SECONDS (3 * 60)

YataiCallBoard *yatai_call_board_new            (YataiApplication *application);
void            yatai_call_board_tick           (YataiCallBoard   *self);
GListModel     *yatai_call_board_get_preparing  (YataiCallBoard   *self);
GListModel     *yatai_call_board_get_ready      (YataiCallBoard   *self);

G_END_DECLS
