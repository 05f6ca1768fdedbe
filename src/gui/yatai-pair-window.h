#pragma once

#include <adwaita.h>

#include "yatai-application.h"
#include "yatai-link-discovery.h"
#include "yatai-pair-server.h"

G_BEGIN_DECLS

#define YATAI_TYPE_PAIR_WINDOW (yatai_pair_window_get_type ())
G_DECLARE_FINAL_TYPE (YataiPairWindow, yatai_pair_window, YATAI, PAIR_WINDOW, AdwWindow)

YataiPairWindow *yatai_pair_window_new_add    (YataiApplication *application);
YataiPairWindow *yatai_pair_window_new_join   (YataiApplication *application);
YataiPairServer *yatai_pair_window_get_server (YataiPairWindow  *self);
YataiLinkDiscovery *yatai_pair_window_get_discovery (YataiPairWindow *self);

G_END_DECLS
