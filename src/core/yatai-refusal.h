#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Why the store refused an operation, as a stable name and the values its sentence needs, beside the
 * sentence itself (ARCHITECTURE.md, "Refusals travel"). The writer refuses a follower's command in its
 * own language; the follower says the same sentence in its own, from one table of messages.
 *
 * Each takes, after @error, the values its sentence names, in order: a const char * for a text or an
 * order's status ("pending"), a gint64 for a number or an amount of yen. */
typedef enum
{
  YATAI_REFUSAL_ARGUMENT,              /* const char *argument name */
  YATAI_REFUSAL_UNKNOWN_OPERATION,     /* const char *kind */
  YATAI_REFUSAL_OLDER_WRITER,          /* const char *writer's name, const char *kind */
  YATAI_REFUSAL_DISK_FULL,
  YATAI_REFUSAL_ORDER_EMPTY,
  YATAI_REFUSAL_ORDER_TOO_MANY_LINES,  /* gint64 max */
  YATAI_REFUSAL_QUANTITY_RANGE,        /* gint64 max */
  YATAI_REFUSAL_PRODUCT_OFF_MENU,      /* const char *name */
  YATAI_REFUSAL_LINE_OFF_MENU,
  YATAI_REFUSAL_SOLD_OUT,              /* const char *name */
  YATAI_REFUSAL_NOT_ENOUGH_STOCK,      /* gint64 left, const char *name */
  YATAI_REFUSAL_PAID_RANGE,
  YATAI_REFUSAL_DAY_START_RANGE,
  YATAI_REFUSAL_PAID_TOO_LITTLE,       /* gint64 paid, gint64 total (yen) */
  YATAI_REFUSAL_ORDER_GONE,
  YATAI_REFUSAL_ORDER_WAS_CANCELLED,
  YATAI_REFUSAL_STATUS_MOVE,           /* const char *from, const char *to (statuses) */
  YATAI_REFUSAL_RECALL_TOO_LATE,
  YATAI_REFUSAL_ALREADY_CANCELLED,
  YATAI_REFUSAL_ORDER_ALREADY_DELETED,
  YATAI_REFUSAL_TOO_MANY_TAGS,         /* gint64 max */
  YATAI_REFUSAL_PICTURE_FORM,
  YATAI_REFUSAL_TAGS_FULL,             /* gint64 max */
  YATAI_REFUSAL_PRICE_RANGE,
  YATAI_REFUSAL_STOCK_RANGE,
  YATAI_REFUSAL_PRODUCT_GONE,          /* const char *name */
  YATAI_REFUSAL_NAME_TAKEN,
  YATAI_REFUSAL_MENU_FULL,             /* gint64 max */
  YATAI_REFUSAL_PRODUCT_ALREADY_DELETED,
  YATAI_N_REFUSALS
} YataiRefusal;

void        yatai_refusal_set_error  (GError       **error,
                                      YataiRefusal   refusal,
                                      ...);
const char *yatai_refusal_get_reason (const GError  *error);
JsonObject *yatai_refusal_get_values (const GError  *error);

char       *yatai_refusal_render     (const char    *reason,
                                      JsonObject    *values);

JsonNode   *yatai_refusal_to_json    (const GError  *error);
GError     *yatai_refusal_from_json  (JsonObject    *refused);

G_END_DECLS
