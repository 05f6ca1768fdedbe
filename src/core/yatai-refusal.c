/* yatai-refusal.c: the store's refusals as a name and values beside their sentence, and the one table
 * that turns them into words in this device's language */
#define G_LOG_DOMAIN "yatai-store"

#include "config.h"

#include <glib/gi18n.h>

#include "yatai-order.h"
#include "yatai-refusal.h"
#include "yatai-store.h"
#include "yatai-text.h"

/* YATAI_STORE_ERROR carries the refusal's name and values (an extended error domain, GLib 2.68), so
 * whoever records or sends the error on has them without the message being parsed. */
typedef struct
{
  char       *reason;
  JsonObject *values;
} YataiStoreErrorPrivate;

static void
yatai_store_error_private_init (YataiStoreErrorPrivate *priv)
{
}

static void
yatai_store_error_private_copy (const YataiStoreErrorPrivate *src,
                                YataiStoreErrorPrivate       *dest)
{
  dest->reason = g_strdup (src->reason);
  dest->values = src->values ? json_object_ref (src->values) : NULL;
}

static void
yatai_store_error_private_clear (YataiStoreErrorPrivate *priv)
{
  g_clear_pointer (&priv->reason, g_free);
  g_clear_pointer (&priv->values, json_object_unref);
}

G_DEFINE_EXTENDED_ERROR (YataiStoreError, yatai_store_error)

/* How a value is said: a text as it is, a number grouped ("1,200"), a number as the sentence's %d
 * has it ("20"), yen ("¥1,200"), an order's status by its label ("Cooking"). */
typedef enum
{
  VALUE_TEXT,
  VALUE_NUMBER,
  VALUE_INT,
  VALUE_YEN,
  VALUE_STATUS,
} ValueKind;

#define MAX_VALUES 2

typedef struct
{
  const char *name;
  ValueKind   kind;
} Value;

typedef struct
{
  const char *reason;    /* stable: it is recorded in the stall's history and sent on the link */
  int         code;      /* YataiStoreError */
  const char *message;
  Value       values[MAX_VALUES];
} Entry;

static const Entry entries[YATAI_N_REFUSALS] = {
  [YATAI_REFUSAL_ARGUMENT] = { "argument", YATAI_STORE_ERROR_INVALID,
    N_("The operation is missing its “%s” or has it in the wrong form."), { { "argument", VALUE_TEXT } } },
  [YATAI_REFUSAL_UNKNOWN_OPERATION] = { "unknown-operation", YATAI_STORE_ERROR_UNKNOWN_COMMAND,
    N_("This version of Yatai does not know the operation “%s”. Update Yatai on this device."),
    { { "kind", VALUE_TEXT } } },
  /* Another device's command this writer does not know: a newer Yatai sent it (an operation is never
   * taken out of Yatai, so only a newer version can know one this one does not). Said on that device. */
  [YATAI_REFUSAL_OLDER_WRITER] = { "older-writer", YATAI_STORE_ERROR_UNKNOWN_COMMAND,
    N_("The Yatai on “%s” is older than this device’s and cannot do this yet. Update Yatai on that device, "
       "then try again."),
    { { "writer", VALUE_TEXT }, { "kind", VALUE_TEXT } } },
  [YATAI_REFUSAL_DISK_FULL] = { "disk-full", YATAI_STORE_ERROR_IO,
    N_("The disk is full. Free some space, then try again.") },
  [YATAI_REFUSAL_ORDER_EMPTY] = { "order-empty", YATAI_STORE_ERROR_INVALID, N_("The order has nothing in it.") },
  [YATAI_REFUSAL_ORDER_TOO_MANY_LINES] = { "order-too-many-lines", YATAI_STORE_ERROR_LIMIT,
    N_("An order can hold at most %d different products."), { { "max", VALUE_INT } } },
  [YATAI_REFUSAL_QUANTITY_RANGE] = { "quantity-range", YATAI_STORE_ERROR_INVALID,
    N_("A quantity must be from 1 to %d."), { { "max", VALUE_INT } } },
  [YATAI_REFUSAL_PRODUCT_OFF_MENU] = { "product-off-menu", YATAI_STORE_ERROR_NOT_FOUND,
    N_("“%s” is no longer on the menu. Remove it from the order."), { { "name", VALUE_TEXT } } },
  [YATAI_REFUSAL_LINE_OFF_MENU] = { "line-off-menu", YATAI_STORE_ERROR_NOT_FOUND,
    N_("A product of the order is no longer on the menu. Remove it from the order.") },
  [YATAI_REFUSAL_SOLD_OUT] = { "sold-out", YATAI_STORE_ERROR_OUT_OF_STOCK,
    N_("“%s” is sold out. Remove it from the order."), { { "name", VALUE_TEXT } } },
  [YATAI_REFUSAL_NOT_ENOUGH_STOCK] = { "not-enough-stock", YATAI_STORE_ERROR_OUT_OF_STOCK,
    N_("Only %s of “%s” left. Lower the quantity."), { { "left", VALUE_NUMBER }, { "name", VALUE_TEXT } } },
  [YATAI_REFUSAL_PAID_RANGE] = { "paid-range", YATAI_STORE_ERROR_INVALID,
    N_("The amount paid must be a whole number of yen from 0 to 1,000,000,000.") },
  [YATAI_REFUSAL_DAY_START_RANGE] = { "day-start-range", YATAI_STORE_ERROR_INVALID,
    N_("The business day must start at an hour from 0 to 23.") },
  [YATAI_REFUSAL_PAID_TOO_LITTLE] = { "paid-too-little", YATAI_STORE_ERROR_REFUSED,
    N_("The amount paid (%s) is less than the total (%s)."), { { "paid", VALUE_YEN }, { "total", VALUE_YEN } } },
  [YATAI_REFUSAL_ORDER_GONE] = { "order-gone", YATAI_STORE_ERROR_NOT_FOUND, N_("The order was deleted meanwhile.") },
  [YATAI_REFUSAL_ORDER_WAS_CANCELLED] = { "order-was-cancelled", YATAI_STORE_ERROR_REFUSED,
    N_("The order was cancelled. Take a new order instead.") },
  [YATAI_REFUSAL_STATUS_MOVE] = { "status-move", YATAI_STORE_ERROR_REFUSED,
    N_("An order cannot go from “%s” to “%s”."), { { "from", VALUE_STATUS }, { "to", VALUE_STATUS } } },
  [YATAI_REFUSAL_RECALL_TOO_LATE] = { "recall-too-late", YATAI_STORE_ERROR_REFUSED,
    N_("The order was completed more than 30 minutes ago and cannot be brought back.") },
  [YATAI_REFUSAL_ALREADY_CANCELLED] = { "already-cancelled", YATAI_STORE_ERROR_REFUSED,
    N_("The order is already cancelled; its stock was put back then.") },
  [YATAI_REFUSAL_ORDER_ALREADY_DELETED] = { "order-already-deleted", YATAI_STORE_ERROR_NOT_FOUND,
    N_("The order was already deleted.") },
  [YATAI_REFUSAL_TOO_MANY_TAGS] = { "too-many-tags", YATAI_STORE_ERROR_LIMIT,
    N_("A product can have at most %d tags."), { { "max", VALUE_INT } } },
  [YATAI_REFUSAL_PICTURE_FORM] = { "picture-form", YATAI_STORE_ERROR_INVALID,
    N_("The product’s picture is not in a form Yatai stores. Pick the picture again.") },
  [YATAI_REFUSAL_TAGS_FULL] = { "tags-full", YATAI_STORE_ERROR_LIMIT,
    N_("The store already has %d tags, the most it can hold. Remove tags no longer needed first."),
    { { "max", VALUE_INT } } },
  [YATAI_REFUSAL_PRICE_RANGE] = { "price-range", YATAI_STORE_ERROR_INVALID,
    N_("The price must be a whole number of yen from 0 to 1,000,000,000.") },
  [YATAI_REFUSAL_STOCK_RANGE] = { "stock-range", YATAI_STORE_ERROR_INVALID,
    N_("The stock must be a whole number from 0 to 1,000,000,000.") },
  [YATAI_REFUSAL_PRODUCT_GONE] = { "product-gone", YATAI_STORE_ERROR_NOT_FOUND,
    N_("“%s” was deleted meanwhile. Create it again if it is still needed."), { { "name", VALUE_TEXT } } },
  [YATAI_REFUSAL_NAME_TAKEN] = { "name-taken", YATAI_STORE_ERROR_DUPLICATE,
    N_("A product with this name already exists.") },
  [YATAI_REFUSAL_MENU_FULL] = { "menu-full", YATAI_STORE_ERROR_LIMIT,
    N_("The menu already has %d products, the most it can hold. Delete one first."), { { "max", VALUE_INT } } },
  [YATAI_REFUSAL_PRODUCT_ALREADY_DELETED] = { "product-already-deleted", YATAI_STORE_ERROR_NOT_FOUND,
    N_("The product was already deleted.") },
};

static const Entry *
find_entry (const char *reason)
{
  if (reason == NULL)
    return NULL;
  for (guint i = 0; i < G_N_ELEMENTS (entries); i++)
    if (g_strcmp0 (entries[i].reason, reason) == 0)
      return &entries[i];
  return NULL;
}

/* One value as the sentence says it; NULL when @values lacks it or holds it in another form (the
 * values come from another device). */
static char *
say_value (const Value *value,
           JsonObject  *values)
{
  JsonNode *node = values ? json_object_get_member (values, value->name) : NULL;
  GType type = node != NULL && JSON_NODE_HOLDS_VALUE (node) ? json_node_get_value_type (node) : G_TYPE_INVALID;
  YataiOrderStatus status;

  switch (value->kind)
    {
    case VALUE_TEXT:
      return type == G_TYPE_STRING ? g_strdup (json_node_get_string (node)) : NULL;
    case VALUE_STATUS:
      if (type != G_TYPE_STRING || !yatai_order_status_from_string (json_node_get_string (node), &status))
        return NULL;
      return g_strdup (yatai_order_status_label (status));
    case VALUE_NUMBER:
      return type == G_TYPE_INT64 ? yatai_text_format_number (json_node_get_int (node)) : NULL;
    case VALUE_INT:
      return type == G_TYPE_INT64 ? g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node)) : NULL;
    case VALUE_YEN:
      return type == G_TYPE_INT64 ? yatai_text_format_yen (json_node_get_int (node)) : NULL;
    default:
      g_assert_not_reached ();
    }
}

/* The translated sentence with its values put in: %s, %d and %u take the next value, %1$s and the like
 * the one they name (a translation may reorder them), %% is a percent sign. Anything else, or a value
 * it does not have, gives NULL. */
static char *
fill (const char  *format,
      char       **said,
      guint        n_said)
{
  g_autoptr(GString) out = g_string_new (NULL);
  guint next = 0;

  for (const char *p = format; *p != '\0'; p++)
    {
      guint index;

      if (*p != '%')
        {
          g_string_append_c (out, *p);
          continue;
        }
      p++;
      if (*p == '%')
        {
          g_string_append_c (out, '%');
          continue;
        }
      index = next++;
      if (g_ascii_isdigit (*p) && p[1] == '$')
        {
          index = (guint) (*p - '1');
          p += 2;
        }
      if ((*p != 's' && *p != 'd' && *p != 'u') || index >= n_said)
        return NULL;
      g_string_append (out, said[index]);
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static char *
render_entry (const Entry *entry,
              JsonObject  *values)
{
  char *said[MAX_VALUES] = { NULL, };
  guint n = 0;
  char *text = NULL;

  for (; n < MAX_VALUES && entry->values[n].name != NULL; n++)
    if ((said[n] = say_value (&entry->values[n], values)) == NULL)
      break;
  if (n == MAX_VALUES || entry->values[n].name == NULL)
    text = fill (_(entry->message), said, n);
  for (guint i = 0; i < MAX_VALUES; i++)
    g_free (said[i]);
  return text;
}

/**
 * yatai_refusal_render:
 * @reason: (nullable): a refusal's name, as yatai_refusal_get_reason() gives it
 * @values: (nullable): its values
 *
 * The refusal's sentence in this device's language: the same one the store makes when it refuses
 * here.
 *
 * Returns: (transfer full) (nullable): the sentence, or %NULL for a name this version does not know
 * or values that do not fit it (then the refusing device's own words are all there is)
 */
char *
yatai_refusal_render (const char *reason,
                      JsonObject *values)
{
  const Entry *entry = find_entry (reason);

  return entry != NULL ? render_entry (entry, values) : NULL;
}

/**
 * yatai_refusal_set_error:
 * @refusal: which refusal
 * @...: the values its sentence names (yatai-refusal.h)
 *
 * Sets @error to the refusal in %YATAI_STORE_ERROR, its sentence in this device's language, with its
 * name and values kept beside it.
 */
void
yatai_refusal_set_error (GError       **error,
                         YataiRefusal   refusal,
                         ...)
{
  const Entry *entry;
  g_autoptr(JsonObject) values = NULL;
  g_autofree char *message = NULL;
  YataiStoreErrorPrivate *priv;
  GError *made;
  va_list args;

  g_return_if_fail (refusal < YATAI_N_REFUSALS);
  if (error == NULL)
    return;

  entry = &entries[refusal];
  values = json_object_new ();
  va_start (args, refusal);
  for (guint i = 0; i < MAX_VALUES && entry->values[i].name != NULL; i++)
    {
      switch (entry->values[i].kind)
        {
        case VALUE_TEXT:
        case VALUE_STATUS:
          json_object_set_string_member (values, entry->values[i].name, va_arg (args, const char *));
          break;
        default:
          json_object_set_int_member (values, entry->values[i].name, va_arg (args, gint64));
          break;
        }
    }
  va_end (args);

  message = render_entry (entry, values);
  /* Only a translation that does not match its English sentence fails here. */
  if (message == NULL)
    message = g_strdup (entry->message);
  made = g_error_new_literal (YATAI_STORE_ERROR, entry->code, message);
  priv = yatai_store_error_get_private (made);
  priv->reason = g_strdup (entry->reason);
  priv->values = g_steal_pointer (&values);
  g_propagate_error (error, made);
}

static YataiStoreErrorPrivate *
get_private (const GError *error)
{
  if (error == NULL || error->domain != YATAI_STORE_ERROR)
    return NULL;
  return yatai_store_error_get_private (error);
}

/* The refusal's name, or NULL when @error has none (not the store's, or made without the table). */
const char *
yatai_refusal_get_reason (const GError *error)
{
  YataiStoreErrorPrivate *priv = get_private (error);

  return priv ? priv->reason : NULL;
}

/* Its values (owned by @error), or NULL. */
JsonObject *
yatai_refusal_get_values (const GError *error)
{
  YataiStoreErrorPrivate *priv = get_private (error);

  return priv ? priv->values : NULL;
}

/**
 * yatai_refusal_to_json:
 *
 * The refusal as it is recorded in `applied_commands` and sent on the link:
 * `{"code": 3, "message": "…", "reason": "sold-out", "values": {"name": "焼きそば"}}`, the message in
 * this device's words; "reason" and "values" only when @error has them. A device that does not know
 * them (an older version) reads the code and the message as before.
 *
 * Returns: (transfer full): a JSON object node
 */
JsonNode *
yatai_refusal_to_json (const GError *error)
{
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);
  JsonObject *refused = json_object_new ();
  const char *reason = yatai_refusal_get_reason (error);

  json_object_set_int_member (refused, "code", error->code);
  json_object_set_string_member (refused, "message", error->message);
  if (reason != NULL)
    {
      json_object_set_string_member (refused, "reason", reason);
      json_object_set_object_member (refused, "values", json_object_ref (yatai_refusal_get_values (error)));
    }
  json_node_take_object (node, refused);
  return node;
}

/**
 * yatai_refusal_from_json:
 * @refused: a refusal as yatai_refusal_to_json() writes it, from this device or another
 *
 * The refusal as an error of %YATAI_STORE_ERROR, said in this device's language when its name is one
 * this version knows and its values fit, else in the words of the device that refused. A member that
 * is missing or of the wrong type reads as a plain refusal.
 *
 * Returns: (transfer full): the error
 */
GError *
yatai_refusal_from_json (JsonObject *refused)
{
  JsonNode *code = json_object_get_member (refused, "code");
  JsonNode *message = json_object_get_member (refused, "message");
  JsonNode *reason = json_object_get_member (refused, "reason");
  JsonNode *values = json_object_get_member (refused, "values");
  const char *reason_text = NULL;
  JsonObject *values_object = NULL;
  g_autofree char *said = NULL;
  GError *error;

  if (reason != NULL && JSON_NODE_HOLDS_VALUE (reason) && json_node_get_value_type (reason) == G_TYPE_STRING)
    reason_text = json_node_get_string (reason);
  if (values != NULL && JSON_NODE_HOLDS_OBJECT (values))
    values_object = json_node_get_object (values);
  said = yatai_refusal_render (reason_text, values_object);
  if (said == NULL && message != NULL && JSON_NODE_HOLDS_VALUE (message) &&
      json_node_get_value_type (message) == G_TYPE_STRING)
    said = g_strdup (json_node_get_string (message));

  error = g_error_new_literal (YATAI_STORE_ERROR,
                               code != NULL && JSON_NODE_HOLDS_VALUE (code) &&
                               json_node_get_value_type (code) == G_TYPE_INT64
                                 ? (int) json_node_get_int (code) : YATAI_STORE_ERROR_REFUSED,
                               said ? said : "");
  if (reason_text != NULL && values_object != NULL && find_entry (reason_text) != NULL)
    {
      YataiStoreErrorPrivate *priv = yatai_store_error_get_private (error);

      priv->reason = g_strdup (reason_text);
      priv->values = json_object_ref (values_object);
    }
  return error;
}
