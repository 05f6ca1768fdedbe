/* yatai-product.c: a product and a tag as values, and the checks of their fields */
#define G_LOG_DOMAIN "yatai-product"

#include "config.h"

#include <glib/gi18n.h>

#include "yatai-product.h"
#include "yatai-store.h"
#include "yatai-store-products.h"
#include "yatai-text.h"

struct _YataiProduct
{
  GObject   parent_instance;
  gint64    id;
  char     *name;
  char     *reading;    /* NULL when the product has none */
  gint64    price;
  gint64    stock;
  gboolean  sold_out;
  char    **tags;
  GBytes   *picture;
  GWeakRef  picture_store;  /* where the picture's bytes are read the first time they are asked for */
  gboolean  picture_unread;
  gint64    updated;
};

G_DEFINE_FINAL_TYPE (YataiProduct, yatai_product, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_NAME,
  PROP_READING,
  PROP_PRICE,
  PROP_STOCK,
  PROP_SOLD_OUT,
  PROP_AVAILABLE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
yatai_product_finalize (GObject *object)
{
  YataiProduct *self = (YataiProduct *) object;

  g_free (self->name);
  g_free (self->reading);
  g_strfreev (self->tags);
  g_clear_pointer (&self->picture, g_bytes_unref);
  g_weak_ref_clear (&self->picture_store);

  G_OBJECT_CLASS (yatai_product_parent_class)->finalize (object);
}

static void
yatai_product_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  YataiProduct *self = YATAI_PRODUCT (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_int64 (value, self->id);
      break;
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_READING:
      g_value_set_string (value, self->reading);
      break;
    case PROP_PRICE:
      g_value_set_int64 (value, self->price);
      break;
    case PROP_STOCK:
      g_value_set_int64 (value, self->stock);
      break;
    case PROP_SOLD_OUT:
      g_value_set_boolean (value, self->sold_out);
      break;
    case PROP_AVAILABLE:
      g_value_set_boolean (value, yatai_product_is_available (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
yatai_product_class_init (YataiProductClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = yatai_product_finalize;
  object_class->get_property = yatai_product_get_property;

  properties[PROP_ID] = g_param_spec_int64 ("id", NULL, NULL, 0, G_MAXINT64, 0,
                                            G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL,
                                               G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_READING] = g_param_spec_string ("reading", NULL, NULL, NULL,
                                                  G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_PRICE] = g_param_spec_int64 ("price", NULL, NULL, 0, G_MAXINT64, 0,
                                               G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_STOCK] = g_param_spec_int64 ("stock", NULL, NULL, 0, G_MAXINT64, 0,
                                               G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_SOLD_OUT] = g_param_spec_boolean ("sold-out", NULL, NULL, FALSE,
                                                    G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_AVAILABLE] = g_param_spec_boolean ("available", NULL, NULL, FALSE,
                                                     G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
yatai_product_init (YataiProduct *self)
{
  g_weak_ref_init (&self->picture_store, NULL);
}

YataiProduct *
yatai_product_new (gint64              id,
                   const char         *name,
                   const char         *reading,
                   gint64              price,
                   gint64              stock,
                   gboolean            sold_out,
                   const char * const *tags,
                   GBytes             *picture,
                   gint64              updated)
{
  YataiProduct *self = g_object_new (YATAI_TYPE_PRODUCT, NULL);

  self->id = id;
  self->name = g_strdup (name);
  self->reading = reading != NULL && *reading != '\0' ? g_strdup (reading) : NULL;
  self->price = price;
  self->stock = stock;
  self->sold_out = !!sold_out;
  self->tags = tags ? g_strdupv ((char **) tags) : g_new0 (char *, 1);
  self->picture = picture ? g_bytes_ref (picture) : NULL;
  self->updated = updated;
  return self;
}

gint64
yatai_product_get_id (YataiProduct *self)
{
  g_return_val_if_fail (YATAI_IS_PRODUCT (self), 0);
  return self->id;
}

const char *
yatai_product_get_name (YataiProduct *self)
{
  g_return_val_if_fail (YATAI_IS_PRODUCT (self), NULL);
  return self->name;
}

/* The reading (furigana) the menu's search also looks at, or NULL. */
const char *
yatai_product_get_reading (YataiProduct *self)
{
  g_return_val_if_fail (YATAI_IS_PRODUCT (self), NULL);
  return self->reading;
}

gint64
yatai_product_get_price (YataiProduct *self)
{
  g_return_val_if_fail (YATAI_IS_PRODUCT (self), 0);
  return self->price;
}

gint64
yatai_product_get_stock (YataiProduct *self)
{
  g_return_val_if_fail (YATAI_IS_PRODUCT (self), 0);
  return self->stock;
}

gboolean
yatai_product_get_sold_out (YataiProduct *self)
{
  g_return_val_if_fail (YATAI_IS_PRODUCT (self), FALSE);
  return self->sold_out;
}

const char * const *
yatai_product_get_tags (YataiProduct *self)
{
  g_return_val_if_fail (YATAI_IS_PRODUCT (self), NULL);
  return (const char * const *) self->tags;
}

gboolean
yatai_product_has_tag (YataiProduct *self,
                       const char   *tag)
{
  g_return_val_if_fail (YATAI_IS_PRODUCT (self), FALSE);
  return g_strv_contains ((const char * const *) self->tags, tag);
}

/* For the store's reads: the product has a picture in @store, read when it is first asked for, so
 * listing the menu does not read every picture's bytes (a photo is 150 KB). */
void
yatai_product_set_picture_unread (YataiProduct *self,
                                  YataiStore   *store)
{
  g_return_if_fail (YATAI_IS_PRODUCT (self));
  g_return_if_fail (self->picture == NULL);

  g_weak_ref_set (&self->picture_store, store);
  self->picture_unread = TRUE;
}

/* The picture's bytes, read from the store the first time (NULL if the product is gone by then). */
GBytes *
yatai_product_get_picture (YataiProduct *self)
{
  g_return_val_if_fail (YATAI_IS_PRODUCT (self), NULL);

  if (self->picture_unread)
    {
      g_autoptr(YataiStore) store = g_weak_ref_get (&self->picture_store);
      g_autoptr(GError) error = NULL;

      self->picture_unread = FALSE;
      g_weak_ref_set (&self->picture_store, NULL);
      if (store != NULL)
        self->picture = yatai_store_read_picture (store, self->id, &error);
      if (error != NULL)
        g_debug ("Picture of product %" G_GINT64_FORMAT " not read: %s", self->id, error->message);
    }
  return self->picture;
}

gint64
yatai_product_get_updated (YataiProduct *self)
{
  g_return_val_if_fail (YATAI_IS_PRODUCT (self), 0);
  return self->updated;
}

YataiStockStatus
yatai_product_get_stock_status (YataiProduct *self)
{
  g_return_val_if_fail (YATAI_IS_PRODUCT (self), YATAI_STOCK_STATUS_OUT);

  if (self->stock == 0)
    return YATAI_STOCK_STATUS_OUT;
  if (self->stock <= YATAI_LOW_STOCK)
    return YATAI_STOCK_STATUS_LOW;
  return YATAI_STOCK_STATUS_IN_STOCK;
}

/* Can be sold now: not marked sold out, and some left. */
gboolean
yatai_product_is_available (YataiProduct *self)
{
  g_return_val_if_fail (YATAI_IS_PRODUCT (self), FALSE);
  return !self->sold_out && self->stock > 0;
}

/* Tags */

struct _YataiTag
{
  GObject  parent_instance;
  gint64   id;
  char    *name;
  guint    n_products;
};

G_DEFINE_FINAL_TYPE (YataiTag, yatai_tag, G_TYPE_OBJECT)

enum {
  TAG_PROP_0,
  TAG_PROP_NAME,
  TAG_PROP_N_PRODUCTS,
  TAG_N_PROPS
};

static GParamSpec *tag_properties[TAG_N_PROPS];

static void
yatai_tag_finalize (GObject *object)
{
  g_free (YATAI_TAG (object)->name);
  G_OBJECT_CLASS (yatai_tag_parent_class)->finalize (object);
}

static void
yatai_tag_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  YataiTag *self = YATAI_TAG (object);

  switch (prop_id)
    {
    case TAG_PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case TAG_PROP_N_PRODUCTS:
      g_value_set_uint (value, self->n_products);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
yatai_tag_class_init (YataiTagClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = yatai_tag_finalize;
  object_class->get_property = yatai_tag_get_property;

  tag_properties[TAG_PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL,
                                                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  tag_properties[TAG_PROP_N_PRODUCTS] = g_param_spec_uint ("n-products", NULL, NULL, 0, G_MAXUINT, 0,
                                                           G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, TAG_N_PROPS, tag_properties);
}

static void
yatai_tag_init (YataiTag *self)
{
}

YataiTag *
yatai_tag_new (gint64      id,
               const char *name,
               guint       n_products)
{
  YataiTag *self = g_object_new (YATAI_TYPE_TAG, NULL);

  self->id = id;
  self->name = g_strdup (name);
  self->n_products = n_products;
  return self;
}

gint64
yatai_tag_get_id (YataiTag *self)
{
  g_return_val_if_fail (YATAI_IS_TAG (self), 0);
  return self->id;
}

const char *
yatai_tag_get_name (YataiTag *self)
{
  g_return_val_if_fail (YATAI_IS_TAG (self), NULL);
  return self->name;
}

guint
yatai_tag_get_n_products (YataiTag *self)
{
  g_return_val_if_fail (YATAI_IS_TAG (self), 0);
  return self->n_products;
}

/* Checks */

static char *
check_text (const char  *text,
            guint        max,
            const char  *empty_message,
            GError     **error)
{
  g_autofree char *clean = yatai_text_clean (text);
  guint n;

  if (clean == NULL)
    {
      g_set_error (error, YATAI_STORE_ERROR, YATAI_STORE_ERROR_INVALID,
                   _("The text is not valid. Type it again."));
      return NULL;
    }
  if (*clean == '\0' && empty_message != NULL)
    {
      g_set_error_literal (error, YATAI_STORE_ERROR, YATAI_STORE_ERROR_INVALID, empty_message);
      return NULL;
    }
  if (!yatai_text_check_hidden (clean, error))
    return NULL;

  n = yatai_text_count_chars (clean);
  if (n > max)
    {
      g_set_error (error, YATAI_STORE_ERROR, YATAI_STORE_ERROR_INVALID,
                   g_dngettext (GETTEXT_PACKAGE,
                                "At most %u characters (now %u).",
                                "At most %u characters (now %u).", max),
                   max, n);
      return NULL;
    }

  return g_steal_pointer (&clean);
}

char *
yatai_product_check_name (const char  *name,
                          GError     **error)
{
  return check_text (name, YATAI_NAME_MAX, _("Enter a name."), error);
}

char *
yatai_product_check_reading (const char  *reading,
                             GError     **error)
{
  return check_text (reading != NULL ? reading : "", YATAI_READING_MAX, NULL, error);
}

char *
yatai_product_check_tag (const char  *tag,
                         GError     **error)
{
  char *clean = check_text (tag, YATAI_TAG_NAME_MAX, _("A tag needs a name."), error);

  /* "|" joins the tags in the products CSV. */
  if (clean != NULL && strchr (clean, '|') != NULL)
    {
      g_set_error_literal (error, YATAI_STORE_ERROR, YATAI_STORE_ERROR_INVALID,
                           _("A tag cannot contain “|”."));
      g_clear_pointer (&clean, g_free);
    }
  return clean;
}

gboolean
yatai_product_check_price (const char  *text,
                           gint64      *out,
                           GError     **error)
{
  return yatai_text_parse_amount (text, 0, YATAI_PRICE_MAX, out, error);
}

gboolean
yatai_product_check_stock (const char  *text,
                           gint64      *out,
                           GError     **error)
{
  return yatai_text_parse_amount (text, 0, YATAI_STOCK_MAX, out, error);
}
