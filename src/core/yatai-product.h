#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define YATAI_NAME_MAX            50
#define YATAI_READING_MAX         50
#define YATAI_TAG_NAME_MAX        30
#define YATAI_PRICE_MAX           1000000000
#define YATAI_STOCK_MAX           1000000000
#define YATAI_TAGS_PER_PRODUCT    20
#define YATAI_PRODUCTS_MAX        1000
#define YATAI_TAGS_MAX            1000
#define YATAI_LOW_STOCK           5       /* 1 to 5 left is "low" */

typedef enum
{
  YATAI_STOCK_STATUS_IN_STOCK,
  YATAI_STOCK_STATUS_LOW,
  YATAI_STOCK_STATUS_OUT,
} YataiStockStatus;

/* One product as it was when read: an immutable value. A change to the product gives a new object. A
 * product read from the store reads its picture's bytes the first time they are asked for. */
#define YATAI_TYPE_PRODUCT (yatai_product_get_type ())
G_DECLARE_FINAL_TYPE (YataiProduct, yatai_product, YATAI, PRODUCT, GObject)

YataiProduct      *yatai_product_new           (gint64              id,
                                                const char         *name,
                                                const char         *reading,
                                                gint64              price,
                                                gint64              stock,
                                                gboolean            sold_out,
                                                const char * const *tags,
                                                GBytes             *picture,
                                                gint64              updated);
gint64             yatai_product_get_id        (YataiProduct *self);
const char        *yatai_product_get_name      (YataiProduct *self);
const char        *yatai_product_get_reading   (YataiProduct *self);
gint64             yatai_product_get_price     (YataiProduct *self);
gint64             yatai_product_get_stock     (YataiProduct *self);
gboolean           yatai_product_get_sold_out  (YataiProduct *self);
const char * const *yatai_product_get_tags     (YataiProduct *self);
gboolean           yatai_product_has_tag       (YataiProduct *self,
                                                const char   *tag);
GBytes            *yatai_product_get_picture   (YataiProduct *self);
gint64             yatai_product_get_updated   (YataiProduct *self);
YataiStockStatus   yatai_product_get_stock_status (YataiProduct *self);
gboolean           yatai_product_is_available  (YataiProduct *self);

/* A tag and how many products carry it. */
#define YATAI_TYPE_TAG (yatai_tag_get_type ())
G_DECLARE_FINAL_TYPE (YataiTag, yatai_tag, YATAI, TAG, GObject)

YataiTag          *yatai_tag_new               (gint64      id,
                                                const char *name,
                                                guint       n_products);
gint64             yatai_tag_get_id            (YataiTag *self);
const char        *yatai_tag_get_name          (YataiTag *self);
guint              yatai_tag_get_n_products    (YataiTag *self);

/* The checks the Register form runs as a person types, and the store runs again on save. Each returns
 * the cleaned value (see yatai_text_clean()) or NULL with a sentence in @error. */
char              *yatai_product_check_name    (const char  *name,
                                                GError     **error);
/* A reading may be left empty: "" then, which is stored as none. */
char              *yatai_product_check_reading (const char  *reading,
                                                GError     **error);
char              *yatai_product_check_tag     (const char  *tag,
                                                GError     **error);
gboolean           yatai_product_check_price   (const char  *text,
                                                gint64      *out,
                                                GError     **error);
gboolean           yatai_product_check_stock   (const char  *text,
                                                gint64      *out,
                                                GError     **error);

G_END_DECLS
