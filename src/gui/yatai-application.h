#pragma once

#include <adwaita.h>

#include "yatai-models.h"
#include "yatai-pending.h"
#include "yatai-store.h"
#include "yatai-sync-engine.h"

G_BEGIN_DECLS

#define YATAI_TYPE_APPLICATION (yatai_application_get_type ())
G_DECLARE_FINAL_TYPE (YataiApplication, yatai_application, YATAI, APPLICATION, AdwApplication)

YataiApplication *yatai_application_new               (void);
gboolean          yatai_application_open_store        (YataiApplication  *self,
                                                       const char        *path,
                                                       gboolean           demo_if_empty,
                                                       GError           **error);
void              yatai_application_set_sync_overrides (YataiApplication *self,
                                                       const char       *bucket,
                                                       const char       *endpoint,
                                                       const char       *prefix,
                                                       const char       *device_name);
void              yatai_application_set_link_overrides (YataiApplication *self,
                                                       const char       *listen,
                                                       const char       *writer);
YataiStore       *yatai_application_get_store         (YataiApplication *self);
YataiProductList *yatai_application_get_products      (YataiApplication *self);
YataiTagList     *yatai_application_get_tags          (YataiApplication *self);
GSettings        *yatai_application_get_settings      (YataiApplication *self);
YataiSyncEngine  *yatai_application_get_sync_engine   (YataiApplication *self);
gboolean          yatai_application_found_link_stall  (YataiApplication  *self,
                                                       GError           **error);
void              yatai_application_reload_sync       (YataiApplication *self);
char             *yatai_application_dup_sync_setting  (YataiApplication *self,
                                                       const char       *key);
YataiPendingCommands *yatai_application_get_pending   (YataiApplication *self);
JsonNode         *yatai_application_run_command       (YataiApplication  *self,
                                                       YataiCommand      *command,
                                                       gboolean          *sent,
                                                       GError           **error);
JsonNode         *yatai_application_run               (YataiApplication  *self,
                                                       const char        *kind,
                                                       JsonObject        *args,
                                                       gboolean          *sent,
                                                       GError           **error);

G_END_DECLS
