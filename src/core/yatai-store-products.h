#pragma once

#include "yatai-product.h"
#include "yatai-store.h"

G_BEGIN_DECLS

/* Reads of the menu. Each returns new objects; the live models in yatai-models.h keep them current. */
GPtrArray    *yatai_store_list_products    (YataiStore  *self,
                                            GError     **error);
YataiProduct *yatai_store_get_product      (YataiStore  *self,
                                            gint64       id,
                                            GError     **error);
GPtrArray    *yatai_store_list_tags        (YataiStore  *self,
                                            GError     **error);
/* A product's picture (product_pictures), NULL without an error when it has none. The products read
 * above carry only whether they have one, and read it with this when it is first asked for. */
GBytes       *yatai_store_read_picture     (YataiStore  *self,
                                            gint64       product_id,
                                            GError     **error);
void          yatai_product_set_picture_unread (YataiProduct *self,
                                                YataiStore   *store);
gboolean      yatai_store_product_name_taken (YataiStore *self,
                                              const char *name,
                                              gint64      except_id);
guint         yatai_store_count_products   (YataiStore  *self);

/* Arguments of "product.save": @id 0 creates. @picture NULL with @keep_picture keeps what is there. */
JsonObject   *yatai_product_save_args      (gint64              id,
                                            const char         *name,
                                            gint64              price,
                                            gint64              stock,
                                            gboolean            sold_out,
                                            const char * const *tags,
                                            GBytes             *picture,
                                            gboolean            keep_picture);
/* The reading to save with them: NULL or "" saves none. Without it a save keeps the product's reading
 * (a new product has none). */
void          yatai_product_args_set_reading (JsonObject         *args,
                                              const char         *reading);

G_END_DECLS
