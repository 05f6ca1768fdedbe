#pragma once

/* The changeset of one transaction at a time, from SQLite's pre-update hook (yatai-recorder.c). */

#include <glib.h>
#include <sqlite3.h>

G_BEGIN_DECLS

typedef struct _YataiRecorder YataiRecorder;

YataiRecorder *yatai_recorder_new       (sqlite3            *db,
                                         const char * const *tables);
void           yatai_recorder_free      (YataiRecorder      *self);
int            yatai_recorder_begin     (YataiRecorder      *self);
int            yatai_recorder_changeset (YataiRecorder      *self,
                                         GBytes            **out_changeset);
void           yatai_recorder_cancel    (YataiRecorder      *self);
gboolean       yatai_recorder_is_recording (YataiRecorder   *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (YataiRecorder, yatai_recorder_free)

G_END_DECLS
