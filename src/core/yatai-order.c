/* yatai-order.c: an order and its lines, as read from the store */
#define G_LOG_DOMAIN "yatai-order"

#include "config.h"

#include <glib/gi18n.h>

#include "yatai-order.h"

struct _YataiOrder
{
  GObject           parent_instance;

  gint64            id;
  gint64            call_number;
  char             *business_day;
  char             *customer;
  char             *note;
  gint64            total;
  gint64            paid;
  YataiOrderStatus  status;
  gint64            created;
  gint64            updated;
  GArray           *lines;
};

G_DEFINE_FINAL_TYPE (YataiOrder, yatai_order, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_CALL_NUMBER,
  PROP_CREATED,
  PROP_TOTAL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const char *status_names[] = { "pending", "processing", "completed", "cancelled" };

const char *
yatai_order_status_to_string (YataiOrderStatus status)
{
  g_return_val_if_fail (status <= YATAI_ORDER_CANCELLED, NULL);
  return status_names[status];
}

gboolean
yatai_order_status_from_string (const char       *text,
                                YataiOrderStatus *out)
{
  for (guint i = 0; i < G_N_ELEMENTS (status_names); i++)
    if (g_strcmp0 (text, status_names[i]) == 0)
      {
        *out = i;
        return TRUE;
      }
  return FALSE;
}

/* The word staff see for a status. */
const char *
yatai_order_status_label (YataiOrderStatus status)
{
  switch (status)
    {
    case YATAI_ORDER_PENDING:
      return _("Waiting");
    case YATAI_ORDER_PROCESSING:
      return _("Cooking");
    case YATAI_ORDER_COMPLETED:
      return _("Ready");
    case YATAI_ORDER_CANCELLED:
      return _("Cancelled");
    default:
      g_return_val_if_reached (NULL);
    }
}

static void
clear_line (gpointer data)
{
  YataiOrderLine *line = data;

  g_free (line->name);
}

static void
yatai_order_finalize (GObject *object)
{
  YataiOrder *self = YATAI_ORDER (object);

  g_free (self->business_day);
  g_free (self->customer);
  g_free (self->note);
  g_array_unref (self->lines);
  G_OBJECT_CLASS (yatai_order_parent_class)->finalize (object);
}

static void
yatai_order_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  YataiOrder *self = YATAI_ORDER (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_int64 (value, self->id);
      break;
    case PROP_CALL_NUMBER:
      g_value_set_int64 (value, self->call_number);
      break;
    case PROP_CREATED:
      g_value_set_int64 (value, self->created);
      break;
    case PROP_TOTAL:
      g_value_set_int64 (value, self->total);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
yatai_order_class_init (YataiOrderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = yatai_order_finalize;
  object_class->get_property = yatai_order_get_property;

  /* Read-only: for sorters and expressions in lists. */
  properties[PROP_ID] = g_param_spec_int64 ("id", NULL, NULL, 0, G_MAXINT64, 0,
                                            G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_CALL_NUMBER] = g_param_spec_int64 ("call-number", NULL, NULL, 0, G_MAXINT64, 0,
                                                     G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_CREATED] = g_param_spec_int64 ("created", NULL, NULL, 0, G_MAXINT64, 0,
                                                 G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_TOTAL] = g_param_spec_int64 ("total", NULL, NULL, 0, G_MAXINT64, 0,
                                               G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
yatai_order_init (YataiOrder *self)
{
  self->lines = g_array_new (FALSE, TRUE, sizeof (YataiOrderLine));
  g_array_set_clear_func (self->lines, clear_line);
}

YataiOrder *
yatai_order_new (gint64            id,
                 gint64            call_number,
                 const char       *business_day,
                 const char       *customer,
                 const char       *note,
                 gint64            total,
                 gint64            paid,
                 YataiOrderStatus  status,
                 gint64            created,
                 gint64            updated)
{
  YataiOrder *self = g_object_new (YATAI_TYPE_ORDER, NULL);

  self->id = id;
  self->call_number = call_number;
  self->business_day = g_strdup (business_day);
  self->customer = g_strdup (customer != NULL ? customer : "");
  self->note = g_strdup (note != NULL ? note : "");
  self->total = total;
  self->paid = paid;
  self->status = status;
  self->created = created;
  self->updated = updated;
  return self;
}

/* Only while the order is being read from the store. */
void
yatai_order_add_line (YataiOrder           *self,
                      const YataiOrderLine *line)
{
  YataiOrderLine copy = *line;

  g_return_if_fail (YATAI_IS_ORDER (self));
  copy.name = g_strdup (line->name);
  g_array_append_val (self->lines, copy);
}

gint64 yatai_order_get_id (YataiOrder *self) { g_return_val_if_fail (YATAI_IS_ORDER (self), 0); return self->id; }
gint64 yatai_order_get_call_number (YataiOrder *self) { g_return_val_if_fail (YATAI_IS_ORDER (self), 0); return self->call_number; }
const char *yatai_order_get_business_day (YataiOrder *self) { g_return_val_if_fail (YATAI_IS_ORDER (self), NULL); return self->business_day; }
const char *yatai_order_get_customer (YataiOrder *self) { g_return_val_if_fail (YATAI_IS_ORDER (self), NULL); return self->customer; }
const char *yatai_order_get_note (YataiOrder *self) { g_return_val_if_fail (YATAI_IS_ORDER (self), NULL); return self->note; }
gint64 yatai_order_get_total (YataiOrder *self) { g_return_val_if_fail (YATAI_IS_ORDER (self), 0); return self->total; }
gint64 yatai_order_get_paid (YataiOrder *self) { g_return_val_if_fail (YATAI_IS_ORDER (self), 0); return self->paid; }
YataiOrderStatus yatai_order_get_status (YataiOrder *self) { g_return_val_if_fail (YATAI_IS_ORDER (self), 0); return self->status; }
gint64 yatai_order_get_created (YataiOrder *self) { g_return_val_if_fail (YATAI_IS_ORDER (self), 0); return self->created; }
gint64 yatai_order_get_updated (YataiOrder *self) { g_return_val_if_fail (YATAI_IS_ORDER (self), 0); return self->updated; }
guint yatai_order_get_n_lines (YataiOrder *self) { g_return_val_if_fail (YATAI_IS_ORDER (self), 0); return self->lines->len; }

/* What the customer gets back; 0 when the order is paid later. */
gint64
yatai_order_get_change (YataiOrder *self)
{
  g_return_val_if_fail (YATAI_IS_ORDER (self), 0);
  return MAX (self->paid - self->total, 0);
}

const YataiOrderLine *
yatai_order_get_line (YataiOrder *self,
                      guint       index)
{
  g_return_val_if_fail (YATAI_IS_ORDER (self), NULL);
  g_return_val_if_fail (index < self->lines->len, NULL);
  return &g_array_index (self->lines, YataiOrderLine, index);
}

/* How many things were ordered, all lines together. */
gint64
yatai_order_get_n_items (YataiOrder *self)
{
  gint64 n = 0;

  g_return_val_if_fail (YATAI_IS_ORDER (self), 0);
  for (guint i = 0; i < self->lines->len; i++)
    n += g_array_index (self->lines, YataiOrderLine, i).quantity;
  return n;
}

/* Still for the kitchen to make: pending or processing. */
gboolean
yatai_order_is_active (YataiOrder *self)
{
  g_return_val_if_fail (YATAI_IS_ORDER (self), FALSE);
  return self->status == YATAI_ORDER_PENDING || self->status == YATAI_ORDER_PROCESSING;
}

char *
yatai_business_day (gint64 time_us,
                    int    day_start_hour)
{
  g_autoptr(GDateTime) local = g_date_time_new_from_unix_local (time_us / G_USEC_PER_SEC);
  g_autoptr(GDateTime) shifted = NULL;

  g_return_val_if_fail (local != NULL, NULL);
  day_start_hour = CLAMP (day_start_hour, 0, 23);
  shifted = g_date_time_add_hours (local, -day_start_hour);
  return g_date_time_format (shifted, "%Y-%m-%d");
}
