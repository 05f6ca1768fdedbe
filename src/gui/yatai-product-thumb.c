/* yatai-product-thumb.c: a product's picture, or its initial on a colour of its own
 *
 * Products are immutable values, so the decoded texture is kept on the product itself: a list that
 * binds the same product again does not decode the PNG again, and an edit (a new product object)
 * brings the new picture.
 */
#define G_LOG_DOMAIN "yatai-product-thumb"

#include "config.h"

#include "yatai-product-thumb.h"

#define N_COLORS 8

struct _YataiProductThumb
{
  AdwBin        parent_instance;

  int           size;
  YataiProduct *product;
  GtkWidget    *picture;
  GtkWidget    *initial;
};

G_DEFINE_FINAL_TYPE (YataiProductThumb, yatai_product_thumb, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_PRODUCT,
  PROP_SIZE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/**
 * yatai_product_thumb_texture:
 *
 * Returns: (transfer none) (nullable): the product's picture, decoded once per product object
 */
GdkTexture *
yatai_product_thumb_texture (YataiProduct *product)
{
  GdkTexture *texture;
  GBytes *bytes;
  g_autoptr(GError) error = NULL;

  g_return_val_if_fail (YATAI_IS_PRODUCT (product), NULL);

  bytes = yatai_product_get_picture (product);
  if (bytes == NULL)
    return NULL;

  texture = g_object_get_data (G_OBJECT (product), "yatai-texture");
  if (texture != NULL)
    return texture;

  texture = gdk_texture_new_from_bytes (bytes, &error);
  if (texture == NULL)
    {
      /* The store only keeps pictures it could decode; one that fails now shows the initial. */
      g_debug ("Picture of product %" G_GINT64_FORMAT " not shown: %s",
               yatai_product_get_id (product), error->message);
      return NULL;
    }
  g_object_set_data_full (G_OBJECT (product), "yatai-texture", texture, g_object_unref);
  return texture;
}

/* The first character a person sees (a whole grapheme, so "👨‍👩‍👧" stays one). */
char *
yatai_product_thumb_initial (const char *name)
{
  g_autofree PangoLogAttr *attrs = NULL;
  const char *end;
  int n_chars;
  int i;

  if (name == NULL || *name == '\0')
    return g_strdup ("");

  n_chars = g_utf8_strlen (name, -1);
  attrs = g_new0 (PangoLogAttr, n_chars + 1);
  pango_get_log_attrs (name, -1, -1, NULL, attrs, n_chars + 1);
  for (i = 1; i < n_chars && !attrs[i].is_cursor_position; i++)
    ;
  end = g_utf8_offset_to_pointer (name, i);
  return g_utf8_strup (name, end - name);
}

static void
update (YataiProductThumb *self)
{
  GdkTexture *texture = NULL;
  int i;

  if (self->product != NULL)
    {
      texture = yatai_product_thumb_texture (self->product);
      gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      yatai_product_get_name (self->product), -1);
    }

  if (texture != NULL)
    {
      gtk_picture_set_paintable (GTK_PICTURE (self->picture), GDK_PAINTABLE (texture));
      adw_bin_set_child (ADW_BIN (self), self->picture);
      return;
    }

  for (i = 0; i < N_COLORS; i++)
    {
      char class_name[32];

      g_snprintf (class_name, sizeof class_name, "thumb-color-%d", i);
      gtk_widget_remove_css_class (self->initial, class_name);
    }

  if (self->product != NULL)
    {
      const char *name = yatai_product_get_name (self->product);
      g_autofree char *initial = yatai_product_thumb_initial (name);
      char class_name[32];

      g_snprintf (class_name, sizeof class_name, "thumb-color-%u", g_str_hash (name) % N_COLORS);
      gtk_widget_add_css_class (self->initial, class_name);
      gtk_label_set_label (GTK_LABEL (self->initial), initial);
    }
  else
    gtk_label_set_label (GTK_LABEL (self->initial), "");

  adw_bin_set_child (ADW_BIN (self), self->initial);
}

static void
yatai_product_thumb_dispose (GObject *object)
{
  YataiProductThumb *self = YATAI_PRODUCT_THUMB (object);

  g_clear_object (&self->product);
  g_clear_object (&self->picture);
  g_clear_object (&self->initial);
  G_OBJECT_CLASS (yatai_product_thumb_parent_class)->dispose (object);
}

static void
yatai_product_thumb_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  YataiProductThumb *self = YATAI_PRODUCT_THUMB (object);

  switch (prop_id)
    {
    case PROP_PRODUCT:
      g_value_set_object (value, self->product);
      break;
    case PROP_SIZE:
      g_value_set_int (value, self->size);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
set_size (YataiProductThumb *self,
          int                size)
{
  PangoAttrList *attrs = pango_attr_list_new ();

  self->size = size;
  gtk_widget_set_size_request (GTK_WIDGET (self), size, size);
  pango_attr_list_insert (attrs, pango_attr_size_new_absolute (size * PANGO_SCALE / 2));
  gtk_label_set_attributes (GTK_LABEL (self->initial), attrs);
  pango_attr_list_unref (attrs);
}

static void
yatai_product_thumb_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  YataiProductThumb *self = YATAI_PRODUCT_THUMB (object);

  switch (prop_id)
    {
    case PROP_PRODUCT:
      yatai_product_thumb_set_product (self, g_value_get_object (value));
      break;
    case PROP_SIZE:
      set_size (self, g_value_get_int (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
yatai_product_thumb_class_init (YataiProductThumbClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = yatai_product_thumb_dispose;
  object_class->get_property = yatai_product_thumb_get_property;
  object_class->set_property = yatai_product_thumb_set_property;

  properties[PROP_PRODUCT] = g_param_spec_object ("product", NULL, NULL, YATAI_TYPE_PRODUCT,
                                                  G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SIZE] = g_param_spec_int ("size", NULL, NULL, 16, 1024, 40,
                                            G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "yatai-thumb");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
yatai_product_thumb_init (YataiProductThumb *self)
{
  self->picture = g_object_ref_sink (gtk_picture_new ());
  gtk_picture_set_can_shrink (GTK_PICTURE (self->picture), TRUE);
  gtk_picture_set_content_fit (GTK_PICTURE (self->picture), GTK_CONTENT_FIT_COVER);
  gtk_widget_add_css_class (self->picture, "thumb-picture");

  self->initial = g_object_ref_sink (gtk_label_new (NULL));
  gtk_widget_add_css_class (self->initial, "thumb-initial");

  gtk_widget_set_overflow (GTK_WIDGET (self), GTK_OVERFLOW_HIDDEN);
  gtk_widget_set_halign (GTK_WIDGET (self), GTK_ALIGN_CENTER);
  gtk_widget_set_valign (GTK_WIDGET (self), GTK_ALIGN_CENTER);
  update (self);
}

GtkWidget *
yatai_product_thumb_new (int size)
{
  return g_object_new (YATAI_TYPE_PRODUCT_THUMB, "size", size, NULL);
}

void
yatai_product_thumb_set_product (YataiProductThumb *self,
                                 YataiProduct      *product)
{
  g_return_if_fail (YATAI_IS_PRODUCT_THUMB (self));
  g_return_if_fail (product == NULL || YATAI_IS_PRODUCT (product));

  if (!g_set_object (&self->product, product))
    return;
  update (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PRODUCT]);
}

YataiProduct *
yatai_product_thumb_get_product (YataiProductThumb *self)
{
  g_return_val_if_fail (YATAI_IS_PRODUCT_THUMB (self), NULL);
  return self->product;
}
