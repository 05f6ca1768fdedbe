#pragma once

#include <glib.h>

G_BEGIN_DECLS

guint  yatai_text_count_chars  (const char *text);
char  *yatai_text_clean        (const char *text);
gboolean yatai_text_check_hidden (const char *text,
                                  GError    **error);
char  *yatai_text_format_yen   (gint64      amount);
char  *yatai_text_format_number (gint64     amount);
gboolean yatai_text_parse_amount (const char *text,
                                  gint64      min,
                                  gint64      max,
                                  gint64     *out_value,
                                  GError    **error);

G_END_DECLS
