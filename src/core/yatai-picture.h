#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define YATAI_PICTURE_MAX_BYTES   (10 * 1024 * 1024)  /* what a person may pick */
#define YATAI_PICTURE_SIZE        320                 /* the stored picture's longer side, pixels */
#define YATAI_PICTURE_STORED_MAX  (1024 * 1024)       /* what the store accepts from a command */

GBytes   *yatai_picture_prepare       (GBytes        *data,
                                       GError       **error);
void      yatai_picture_prepare_async (GFile         *file,
                                       GCancellable  *cancellable,
                                       GAsyncReadyCallback callback,
                                       gpointer       user_data);
GBytes   *yatai_picture_prepare_finish (GAsyncResult *result,
                                        GError      **error);
gboolean  yatai_picture_check_stored  (GBytes        *data,
                                       GError       **error);

G_END_DECLS
