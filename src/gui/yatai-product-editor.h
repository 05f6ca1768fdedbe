#pragma once

#include <adwaita.h>

#include "yatai-application.h"

G_BEGIN_DECLS

/* The window that creates a product or edits one: checks each field as a person types, and saves
 * through the "product.save" business operation. */
#define YATAI_TYPE_PRODUCT_EDITOR (yatai_product_editor_get_type ())
G_DECLARE_FINAL_TYPE (YataiProductEditor, yatai_product_editor, YATAI, PRODUCT_EDITOR, AdwWindow)

YataiProductEditor *yatai_product_editor_new         (YataiApplication   *application,
                                                      YataiProduct       *product);
void                yatai_product_editor_load_picture (YataiProductEditor *self,
                                                       GFile              *file);
void                yatai_product_editor_set_picture (YataiProductEditor *self,
                                                      GBytes             *prepared);

G_END_DECLS
