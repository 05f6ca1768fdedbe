#pragma once

#include "yatai-store.h"

G_BEGIN_DECLS

/* CSV as spreadsheet programs read it: UTF-8 with a byte-order mark, CRLF line ends, fields quoted
 * when they hold a comma, a quote or a line break (RFC 4180). */

#define YATAI_CSV_BOM "\xef\xbb\xbf"

void       yatai_csv_append_field (GString     *out,
                                   const char  *field,
                                   gboolean     last);

/* A text cell (a name, a note, tags): one that a spreadsheet would read as a formula (it begins with
 * "=", "+", "-", "@", a tab or a carriage return) is written quoted with a "'" before it, as OWASP's
 * CSV injection guidance says, and so is one that begins with "'". yatai_csv_cell_text() gives back
 * the text of such a cell without that one "'", so a file read back holds exactly what was written. */
void        yatai_csv_append_text  (GString     *out,
                                    const char  *text,
                                    gboolean     last);
const char *yatai_csv_cell_text    (const char  *cell);

/* The records of @text (a leading BOM is skipped), each a GStrv; @line_numbers gets the line each
 * record starts on. NULL with a sentence naming the line when the text is not CSV. */
GPtrArray *yatai_csv_parse        (const char  *text,
                                   gssize       length,
                                   GArray     **line_numbers,
                                   GError     **error);

/* The exports of the Sales page. @business_day NULL exports every day. */
char      *yatai_store_export_order_lines (YataiStore  *self,
                                           const char  *business_day,
                                           GError     **error);
char      *yatai_store_export_products    (YataiStore  *self,
                                           GError     **error);
char      *yatai_csv_file_name            (const char  *kind,
                                           GDateTime   *when);

/* The "products.import" arguments from the text of a products CSV; NULL with every refused line
 * named in @error when the file cannot be read as one. */
JsonObject *yatai_products_import_args    (const char  *text,
                                           gssize       length,
                                           GError     **error);

G_END_DECLS
