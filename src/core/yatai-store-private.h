#pragma once

/* What the parts of the store share: the operation table, prepared statements, change notes. Only
 * src/core includes this. */

#include "yatai-recorder.h"
#include "yatai-store.h"

G_BEGIN_DECLS

/* A business operation. Runs inside a transaction the store opened; returns FALSE with @error set to
 * roll it all back. What it adds to @result is handed back to the caller (the new id, a call number). */
typedef gboolean (*YataiOpFunc) (YataiStore  *self,
                                 JsonObject  *args,
                                 JsonObject  *result,
                                 GError     **error);

typedef struct
{
  const char  *kind;
  YataiOpFunc  func;
} YataiOp;

/* One table a file of operations; each ends with { NULL, NULL }. */
extern const YataiOp yatai_product_ops[];
extern const YataiOp yatai_order_ops[];
extern const YataiOp yatai_sales_ops[];
extern const YataiOp yatai_stall_ops[];

gboolean yatai_store_op_product_save (YataiStore  *self,
                                      JsonObject  *args,
                                      JsonObject  *result,
                                      GError     **error);

/* The schema (yatai-store-schema.c). */
#define YATAI_SCHEMA_VERSION 9
const char *yatai_schema_migration_sql (int to_version);
gboolean    yatai_schema_migrate       (sqlite3 *db,
                                        GError **error);

/* The lock file and the file's home (yatai-store-lock.c). */
char         *yatai_store_lock_path    (const char  *path);
char         *yatai_store_file_home    (const char  *path);
void          yatai_store_lock_confirm_mark (const char *path,
                                             const char *mark);
gboolean      yatai_store_take_identity (YataiStore  *self,
                                         char       **device_id,
                                         char       **former_device_id,
                                         char       **mark,
                                         GError     **error);
void          yatai_store_remark       (YataiStore  *self);

sqlite3_stmt *yatai_store_prepare     (YataiStore  *self,
                                       const char  *sql,
                                       GError     **error);
gboolean      yatai_store_exec        (YataiStore  *self,
                                       const char  *sql,
                                       GError     **error);
gboolean      yatai_store_step_done   (YataiStore   *self,
                                       sqlite3_stmt *stmt,
                                       GError      **error);
void          yatai_store_set_sqlite_error (YataiStore *self,
                                            int         rc,
                                            GError    **error);

const char   *yatai_store_acting_device (YataiStore *self);

void          yatai_store_note_product (YataiStore *self,
                                        gint64      id);
void          yatai_store_note_order   (YataiStore *self,
                                        gint64      id);
void          yatai_store_note         (YataiStore      *self,
                                        YataiChangeFlags flags);
void          yatai_store_begin_notes  (YataiStore      *self);
void          yatai_store_end_notes    (YataiStore      *self,
                                        gboolean         emit);

/* The journal (yatai-store-journal.c): the synced tables, and the recording around a command: begin
 * after BEGIN, record before COMMIT, end in every case (it forgets a recording that was not taken). */
const char * const *yatai_store_synced_tables (void);
YataiRecorder *yatai_store_get_recorder  (YataiStore       *self);
gboolean      yatai_store_journal_begin  (YataiStore       *self,
                                          GError          **error);
gboolean      yatai_store_journal_record (YataiStore       *self,
                                          YataiCommand     *command,
                                          GError          **error);
void          yatai_store_journal_end    (YataiStore       *self);

/* Arguments of a command, read with a clear error when missing or of the wrong type. */
gboolean      yatai_args_get_int      (JsonObject  *args,
                                       const char  *name,
                                       gboolean     required,
                                       gint64      *out,
                                       GError     **error);
/* A product's "reading" (yatai-store-products.c): absent (@set FALSE), none (@out NULL) or checked. */
gboolean      yatai_args_get_reading  (JsonObject  *args,
                                       gboolean    *set,
                                       char       **out,
                                       GError     **error);
gboolean      yatai_args_get_string   (JsonObject  *args,
                                       const char  *name,
                                       gboolean     required,
                                       const char **out,
                                       GError     **error);
gboolean      yatai_args_get_bool     (JsonObject  *args,
                                       const char  *name,
                                       gboolean    *out,
                                       GError     **error);

G_END_DECLS
