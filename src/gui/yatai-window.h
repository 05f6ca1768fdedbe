#pragma once

#include <adwaita.h>

#include "yatai-application.h"

G_BEGIN_DECLS

#define YATAI_TYPE_WINDOW (yatai_window_get_type ())
G_DECLARE_FINAL_TYPE (YataiWindow, yatai_window, YATAI, WINDOW, AdwApplicationWindow)

YataiWindow *yatai_window_new          (YataiApplication *application);
void         yatai_window_show_toast   (YataiWindow      *self,
                                        const char       *message);
void         yatai_window_show_lasting_toast (YataiWindow *self,
                                              const char  *message);
GtkWidget   *yatai_window_get_page   (YataiWindow      *self,
                                      const char       *name);
void         yatai_window_set_page     (YataiWindow      *self,
                                        const char       *name);

G_END_DECLS
