#pragma once

#include <gio/gio.h>
#include <sqlite3.h>

#include "yatai-command.h"

G_BEGIN_DECLS

#define YATAI_STORE_ERROR (yatai_store_error_quark ())

typedef enum
{
  YATAI_STORE_ERROR_INVALID,          /* a value out of range or malformed; the message says which */
  YATAI_STORE_ERROR_DUPLICATE,        /* a name that must be unique is taken */
  YATAI_STORE_ERROR_NOT_FOUND,        /* the product, tag or order is gone */
  YATAI_STORE_ERROR_OUT_OF_STOCK,     /* not enough left; the message names the product */
  YATAI_STORE_ERROR_LIMIT,            /* 1,000 products, 1,000 tags, 20 tags a product... */
  YATAI_STORE_ERROR_REFUSED,          /* an operation not allowed in this state */
  YATAI_STORE_ERROR_UNKNOWN_COMMAND,  /* a kind this version does not know */
  YATAI_STORE_ERROR_BUSY,             /* another program held the file too long */
  YATAI_STORE_ERROR_CORRUPT,          /* the file is not a Yatai store, or is damaged */
  YATAI_STORE_ERROR_IO,               /* the disk refused (full, read-only, missing) */
  YATAI_STORE_ERROR_IN_USE,           /* another program has the store open; the message names it */
} YataiStoreError;

/* What a committed transaction touched, handed to the "changed" signal. */
typedef enum
{
  YATAI_CHANGE_PRODUCTS = 1 << 0,
  YATAI_CHANGE_TAGS     = 1 << 1,
  YATAI_CHANGE_ORDERS   = 1 << 2,
  YATAI_CHANGE_DAY      = 1 << 3,     /* a business day was closed */
  YATAI_CHANGE_ALL      = 0xff,       /* anything may have changed: reload */
} YataiChangeFlags;

typedef struct
{
  YataiChangeFlags flags;
  GArray          *product_ids;       /* gint64, each once */
  GArray          *order_ids;         /* gint64, each once */
} YataiChanges;

#define YATAI_TYPE_CHANGES (yatai_changes_get_type ())
GType           yatai_changes_get_type   (void) G_GNUC_CONST;
YataiChanges   *yatai_changes_copy       (const YataiChanges *changes);
void            yatai_changes_free       (YataiChanges       *changes);
gboolean        yatai_changes_has_product (const YataiChanges *changes,
                                           gint64              id);
gboolean        yatai_changes_has_order   (const YataiChanges *changes,
                                           gint64              id);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (YataiChanges, yatai_changes_free)

/* Microseconds since the Unix epoch; tests give the store a clock they control. */
typedef gint64 (*YataiClockFunc) (gpointer user_data);

#define YATAI_TYPE_STORE (yatai_store_get_type ())
G_DECLARE_FINAL_TYPE (YataiStore, yatai_store, YATAI, STORE, GObject)

GQuark      yatai_store_error_quark   (void);

YataiStore *yatai_store_open          (const char      *path,
                                       GError         **error);
YataiStore *yatai_store_open_read_only (const char     *path,
                                        GError        **error);
gboolean    yatai_store_is_read_only  (YataiStore      *self);
const char *yatai_store_get_former_device_id (YataiStore *self);

/* One program at a time on a store (yatai-store-lock.c). */
void        yatai_store_set_program_name (const char   *name);
gboolean    yatai_store_lock_acquire  (const char      *path,
                                       GError         **error);
void        yatai_store_lock_release  (const char      *path);
char       *yatai_store_lock_holder   (const char      *path);
char       *yatai_store_default_path  (void);
const char *yatai_store_get_path      (YataiStore      *self);
sqlite3    *yatai_store_get_db        (YataiStore      *self);
int         yatai_store_get_schema_version (YataiStore *self);

const char *yatai_store_get_device_id (YataiStore      *self);
const char *yatai_store_get_device_name (YataiStore    *self);
void        yatai_store_set_device_name (YataiStore    *self,
                                         const char    *name);

void        yatai_store_set_clock     (YataiStore      *self,
                                       YataiClockFunc   func,
                                       gpointer         user_data);
gint64      yatai_store_now           (YataiStore      *self);

JsonNode   *yatai_store_execute       (YataiStore      *self,
                                       YataiCommand    *command,
                                       GError         **error);
JsonNode   *yatai_store_run           (YataiStore      *self,
                                       const char      *kind,
                                       JsonObject      *args,
                                       GError         **error);
gboolean    yatai_store_knows_kind    (const char      *kind);
gboolean    yatai_store_lookup_command (YataiStore     *self,
                                        const char     *command_id,
                                        JsonNode      **result,
                                        GError        **error);

gboolean    yatai_store_get_stall_key (YataiStore      *self,
                                       char           **certificate,
                                       char           **private_key);

gboolean    yatai_store_is_empty      (YataiStore      *self);
gboolean    yatai_store_load_demo     (YataiStore      *self,
                                       GError         **error);

void        yatai_store_emit_reset    (YataiStore      *self);

G_END_DECLS
