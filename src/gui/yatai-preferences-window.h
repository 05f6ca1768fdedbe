#pragma once

#include <adwaita.h>

#include "yatai-application.h"

G_BEGIN_DECLS

/* Preferences: every setting the pages read, bound to GSettings, so a change takes effect at once. */
#define YATAI_TYPE_PREFERENCES_WINDOW (yatai_preferences_window_get_type ())
G_DECLARE_FINAL_TYPE (YataiPreferencesWindow, yatai_preferences_window, YATAI, PREFERENCES_WINDOW, AdwPreferencesWindow)

YataiPreferencesWindow *yatai_preferences_window_new (YataiApplication *application);

G_END_DECLS
