/* yatai-product-editor.c: create or edit one product
 *
 * Each field is checked as it changes, with the same functions the store runs on save, and its message
 * shows in a row of its own under it, as wide as the form; Save is off while any field is wrong. The
 * reading follows a name written in kana (ラムネ gives らむね) until the person types one of their own. A save the store refuses (a name taken on
 * another device meanwhile, the menu full) keeps the window and everything typed, with the reason on top.
 */
#define G_LOG_DOMAIN "yatai-product-editor"

#include "config.h"

#include <glib/gi18n.h>

#include "yatai-picture.h"
#include "yatai-product-editor.h"
#include "yatai-reading.h"
#include "yatai-product-thumb.h"
#include "yatai-store-products.h"
#include "yatai-window.h"

struct _YataiProductEditor
{
  AdwWindow           parent_instance;

  YataiApplication   *application;
  gint64              id;           /* 0 for a new product */
  GtkStringList      *chosen;       /* the product's tags */
  GtkCustomFilter    *other_filter;
  GBytes             *picture;      /* prepared, when picked or kept */
  gboolean            picture_changed;
  GCancellable       *cancellable;
  GtkFileChooserNative *chooser;
  guint               dirty;        /* fields a person has touched, so a blank form is not all red */
  gboolean            reading_typed; /* the person wrote the reading: the name no longer fills it */
  gboolean            filling_reading;

  AdwWindowTitle     *window_title;
  GtkWidget          *save_button;
  GtkRevealer        *error_revealer;
  GtkLabel           *error_label;
  YataiProductThumb  *thumb;
  GtkLabel           *picture_label;
  AdwEntryRow        *name_row;
  GtkLabel           *name_error;
  AdwEntryRow        *reading_row;
  GtkLabel           *reading_error;
  AdwEntryRow        *price_row;
  GtkLabel           *price_error;
  AdwEntryRow        *stock_row;
  GtkLabel           *stock_error;
  GtkSwitch          *sold_out_switch;
  AdwEntryRow        *tag_row;
  GtkLabel           *tag_error;
  GtkFlowBox         *chosen_tags;
  GtkWidget          *existing_tags_label;
  GtkFlowBox         *existing_tags;
};

G_DEFINE_FINAL_TYPE (YataiProductEditor, yatai_product_editor, ADW_TYPE_WINDOW)

enum {
  FIELD_NAME  = 1 << 0,
  FIELD_PRICE = 1 << 1,
  FIELD_STOCK = 1 << 2,
};

/* The message goes in the row under the field (the label's parent), shown only while there is one;
 * the field carries it as its accessible description, on the row and on the text inside it where a
 * screen reader's focus lands. With @hint, the row says that while nothing is wrong. */
static gboolean
show_check (AdwEntryRow *row,
            GtkLabel    *label,
            gboolean     shown,
            GError      *error,
            const char  *hint)
{
  GtkAccessible *text = GTK_ACCESSIBLE (gtk_editable_get_delegate (GTK_EDITABLE (row)));
  gboolean wrong = error != NULL && shown;

  if (wrong)
    {
      gtk_label_set_label (label, error->message);
      gtk_widget_add_css_class (GTK_WIDGET (row), "error");
      gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                      error->message, -1);
      if (text != NULL)
        gtk_accessible_update_property (text, GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, error->message, -1);
    }
  else
    {
      gtk_label_set_label (label, hint != NULL ? hint : "");
      gtk_widget_remove_css_class (GTK_WIDGET (row), "error");
      gtk_accessible_reset_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION);
      if (text != NULL)
        gtk_accessible_reset_property (text, GTK_ACCESSIBLE_PROPERTY_DESCRIPTION);
    }
  if (wrong || hint == NULL)
    gtk_widget_remove_css_class (GTK_WIDGET (label), "hint");
  else
    gtk_widget_add_css_class (GTK_WIDGET (label), "hint");
  gtk_widget_set_visible (gtk_widget_get_parent (GTK_WIDGET (label)), wrong || hint != NULL);
  return error == NULL;
}

/* Reads the form. Returns TRUE when every field is right, with the cleaned values. */
static gboolean
check_form (YataiProductEditor *self,
            char              **out_name,
            char              **out_reading,
            gint64             *out_price,
            gint64             *out_stock)
{
  g_autoptr(GError) name_error = NULL;
  g_autoptr(GError) reading_error = NULL;
  g_autofree char *reading = NULL;
  g_autoptr(GError) price_error = NULL;
  g_autoptr(GError) stock_error = NULL;
  g_autofree char *name = NULL;
  gint64 price = 0, stock = 0;
  gboolean ok = TRUE;

  name = yatai_product_check_name (gtk_editable_get_text (GTK_EDITABLE (self->name_row)), &name_error);
  if (name != NULL &&
      yatai_store_product_name_taken (yatai_application_get_store (self->application), name, self->id))
    {
      g_clear_pointer (&name, g_free);
      g_set_error_literal (&name_error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                           _("A product with this name already exists."));
    }
  ok &= show_check (self->name_row, self->name_error, self->dirty & FIELD_NAME, name_error, NULL);

  reading = yatai_product_check_reading (gtk_editable_get_text (GTK_EDITABLE (self->reading_row)), &reading_error);
  ok &= show_check (self->reading_row, self->reading_error, TRUE, reading_error,
                    _("In hiragana or katakana. Reception finds the product by it, typed in kana or in romaji."));

  yatai_product_check_price (gtk_editable_get_text (GTK_EDITABLE (self->price_row)), &price, &price_error);
  ok &= show_check (self->price_row, self->price_error, self->dirty & FIELD_PRICE, price_error, NULL);

  yatai_product_check_stock (gtk_editable_get_text (GTK_EDITABLE (self->stock_row)), &stock, &stock_error);
  ok &= show_check (self->stock_row, self->stock_error, self->dirty & FIELD_STOCK, stock_error, NULL);

  if (out_name != NULL)
    *out_name = g_steal_pointer (&name);
  if (out_reading != NULL)
    *out_reading = g_steal_pointer (&reading);
  if (out_price != NULL)
    *out_price = price;
  if (out_stock != NULL)
    *out_stock = stock;
  return ok;
}

static void
update_preview (YataiProductEditor *self)
{
  g_autoptr(YataiProduct) preview = NULL;
  const char *name = gtk_editable_get_text (GTK_EDITABLE (self->name_row));

  preview = yatai_product_new (self->id, name, NULL, 0, 0, FALSE, NULL, self->picture, 0);
  yatai_product_thumb_set_product (self->thumb, preview);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "editor.remove-picture", self->picture != NULL);
}

static void
revalidate (YataiProductEditor *self)
{
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "editor.save", check_form (self, NULL, NULL, NULL, NULL));
}

/* Until the person writes a reading of their own, a name in kana gives it (in hiragana), and any
 * other name leaves it empty for them to type. */
static void
fill_reading (YataiProductEditor *self)
{
  g_autofree char *reading = NULL;

  if (self->reading_typed)
    return;
  reading = yatai_reading_from_name (gtk_editable_get_text (GTK_EDITABLE (self->name_row)));
  self->filling_reading = TRUE;
  gtk_editable_set_text (GTK_EDITABLE (self->reading_row), reading != NULL ? reading : "");
  self->filling_reading = FALSE;
}

static void
reading_changed_cb (YataiProductEditor *self)
{
  if (!self->filling_reading)
    self->reading_typed = TRUE;
  revalidate (self);
}

static void
field_changed_cb (YataiProductEditor *self,
                  GtkEditable        *editable)
{
  if (editable == GTK_EDITABLE (self->name_row))
    {
      self->dirty |= FIELD_NAME;
      update_preview (self);
      fill_reading (self);
    }
  else if (editable == GTK_EDITABLE (self->price_row))
    self->dirty |= FIELD_PRICE;
  else if (editable == GTK_EDITABLE (self->stock_row))
    self->dirty |= FIELD_STOCK;
  revalidate (self);
}

/* Enter in a field saves when the form is right, as a dialog's default button would. */
static void
entry_activated_cb (YataiProductEditor *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "editor.save", NULL);
}

/* Tags */

static gboolean
is_chosen (YataiProductEditor *self,
           const char         *tag,
           guint              *position)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->chosen));

  for (guint i = 0; i < n; i++)
    if (g_str_equal (gtk_string_list_get_string (self->chosen, i), tag))
      {
        if (position != NULL)
          *position = i;
        return TRUE;
      }
  return FALSE;
}

static void
set_tag_message (YataiProductEditor *self,
                 const char         *message)
{
  gtk_label_set_label (self->tag_error, message != NULL ? message : "");
  gtk_widget_set_visible (gtk_widget_get_parent (GTK_WIDGET (self->tag_error)), message != NULL);
  if (message != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (self->tag_row), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->tag_row), "error");
}

static gboolean
choose_tag (YataiProductEditor *self,
            const char         *text)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *tag = yatai_product_check_tag (text, &error);

  if (tag == NULL)
    {
      set_tag_message (self, error->message);
      return FALSE;
    }
  if (is_chosen (self, tag, NULL))
    {
      set_tag_message (self, _("The product already has this tag."));
      return FALSE;
    }
  if (g_list_model_get_n_items (G_LIST_MODEL (self->chosen)) >= YATAI_TAGS_PER_PRODUCT)
    {
      g_autofree char *message = g_strdup_printf (_("A product can have at most %d tags."),
                                                  YATAI_TAGS_PER_PRODUCT);
      set_tag_message (self, message);
      return FALSE;
    }
  set_tag_message (self, NULL);
  gtk_string_list_append (self->chosen, tag);
  gtk_filter_changed (GTK_FILTER (self->other_filter), GTK_FILTER_CHANGE_MORE_STRICT);
  return TRUE;
}

static void
add_tag_cb (YataiProductEditor *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->tag_row));

  if (*text == '\0')
    return;
  if (choose_tag (self, text))
    gtk_editable_set_text (GTK_EDITABLE (self->tag_row), "");
}

static void
tag_changed_cb (YataiProductEditor *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->tag_row));
  g_autoptr(GError) error = NULL;
  g_autofree char *tag = NULL;

  if (*text == '\0')
    {
      set_tag_message (self, NULL);
      return;
    }
  tag = yatai_product_check_tag (text, &error);
  set_tag_message (self, tag == NULL ? error->message : NULL);
}

static void
remove_tag_clicked_cb (GtkButton          *button,
                       YataiProductEditor *self)
{
  const char *tag = g_object_get_data (G_OBJECT (button), "tag");
  guint position;

  if (is_chosen (self, tag, &position))
    {
      gtk_string_list_remove (self->chosen, position);
      gtk_filter_changed (GTK_FILTER (self->other_filter), GTK_FILTER_CHANGE_LESS_STRICT);
      set_tag_message (self, NULL);
    }
}

/* A chip is a button; the flow box's own child around it would be a second, nameless stop for the
 * focus and for a screen reader. */
static GtkWidget *
chip_child (GtkWidget *button)
{
  GtkWidget *child = gtk_flow_box_child_new ();

  gtk_flow_box_child_set_child (GTK_FLOW_BOX_CHILD (child), button);
  gtk_widget_set_focusable (child, FALSE);
  return child;
}

static GtkWidget *
create_chosen_chip (gpointer item,
                    gpointer user_data)
{
  YataiProductEditor *self = user_data;
  const char *tag = gtk_string_object_get_string (item);
  GtkWidget *button = gtk_button_new ();
  GtkWidget *content = adw_button_content_new ();
  g_autofree char *tooltip = g_strdup_printf (_("Remove the tag “%s”"), tag);

  adw_button_content_set_label (ADW_BUTTON_CONTENT (content), tag);
  adw_button_content_set_icon_name (ADW_BUTTON_CONTENT (content), "window-close-symbolic");
  gtk_button_set_child (GTK_BUTTON (button), content);
  gtk_widget_set_tooltip_text (button, tooltip);
  gtk_widget_add_css_class (button, "tag-chip");
  gtk_widget_add_css_class (button, "chosen");
  g_object_set_data_full (G_OBJECT (button), "tag", g_strdup (tag), g_free);
  g_signal_connect (button, "clicked", G_CALLBACK (remove_tag_clicked_cb), self);
  return chip_child (button);
}

static void
add_existing_clicked_cb (GtkButton          *button,
                         YataiProductEditor *self)
{
  choose_tag (self, gtk_button_get_label (button));
}

static GtkWidget *
create_existing_chip (gpointer item,
                      gpointer user_data)
{
  YataiProductEditor *self = user_data;
  GtkWidget *button = gtk_button_new_with_label (yatai_tag_get_name (item));
  g_autofree char *tooltip = g_strdup_printf (_("Add the tag “%s”"), yatai_tag_get_name (item));

  gtk_widget_set_tooltip_text (button, tooltip);
  gtk_widget_add_css_class (button, "tag-chip");
  g_signal_connect (button, "clicked", G_CALLBACK (add_existing_clicked_cb), self);
  return chip_child (button);
}

static gboolean
is_other_tag (gpointer item,
              gpointer user_data)
{
  return !is_chosen (user_data, yatai_tag_get_name (item), NULL);
}

static void
others_changed_cb (GListModel         *others,
                   guint               position,
                   guint               removed,
                   guint               added,
                   YataiProductEditor *self)
{
  gtk_widget_set_visible (self->existing_tags_label, g_list_model_get_n_items (others) > 0);
}

/* Picture */

void
yatai_product_editor_set_picture (YataiProductEditor *self,
                                  GBytes             *prepared)
{
  g_return_if_fail (YATAI_IS_PRODUCT_EDITOR (self));

  g_clear_pointer (&self->picture, g_bytes_unref);
  if (prepared != NULL)
    self->picture = g_bytes_ref (prepared);
  self->picture_changed = TRUE;
  gtk_widget_remove_css_class (GTK_WIDGET (self->picture_label), "error");
  gtk_label_set_label (self->picture_label, _("PNG, JPEG, WebP or GIF, up to 10 MB"));
  update_preview (self);
}

static void
picture_prepared_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = yatai_picture_prepare_finish (result, &error);
  YataiProductEditor *self;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = YATAI_PRODUCT_EDITOR (user_data);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "editor.choose-picture", TRUE);

  if (bytes == NULL)
    {
      /* The old picture stays; the message says why the new one was not taken. */
      gtk_label_set_label (self->picture_label, error->message);
      gtk_widget_add_css_class (GTK_WIDGET (self->picture_label), "error");
      return;
    }
  yatai_product_editor_set_picture (self, bytes);
}

/**
 * yatai_product_editor_load_picture:
 *
 * Reads and scales down the picture in @file in a worker thread; the preview shows it when it is
 * ready, or the message under the buttons says why it was not taken (the old picture stays).
 */
void
yatai_product_editor_load_picture (YataiProductEditor *self,
                                   GFile              *file)
{
  g_return_if_fail (YATAI_IS_PRODUCT_EDITOR (self));
  g_return_if_fail (G_IS_FILE (file));

  gtk_label_set_label (self->picture_label, _("Preparing the picture…"));
  gtk_widget_remove_css_class (GTK_WIDGET (self->picture_label), "error");
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "editor.choose-picture", FALSE);
  yatai_picture_prepare_async (file, self->cancellable, picture_prepared_cb, self);
}

static void
chooser_response_cb (GtkNativeDialog    *chooser,
                     int                 response,
                     YataiProductEditor *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));

      yatai_product_editor_load_picture (self, file);
    }
  g_clear_object (&self->chooser);
}

static void
choose_picture_action_cb (GtkWidget  *widget,
                          const char *action_name,
                          GVariant   *parameter)
{
  YataiProductEditor *self = YATAI_PRODUCT_EDITOR (widget);
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

  gtk_file_filter_set_name (filter, _("Pictures"));
  gtk_file_filter_add_mime_type (filter, "image/png");
  gtk_file_filter_add_mime_type (filter, "image/jpeg");
  gtk_file_filter_add_mime_type (filter, "image/webp");
  gtk_file_filter_add_mime_type (filter, "image/gif");

  g_clear_object (&self->chooser);
  self->chooser = gtk_file_chooser_native_new (_("Choose a Picture"), GTK_WINDOW (self),
                                               GTK_FILE_CHOOSER_ACTION_OPEN, _("_Open"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), filter);
  g_signal_connect (self->chooser, "response", G_CALLBACK (chooser_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
remove_picture_action_cb (GtkWidget  *widget,
                          const char *action_name,
                          GVariant   *parameter)
{
  yatai_product_editor_set_picture (YATAI_PRODUCT_EDITOR (widget), NULL);
}

/* Save */

static void
show_save_error (YataiProductEditor *self,
                 const char         *message)
{
  gtk_label_set_label (self->error_label, message);
  gtk_revealer_set_reveal_child (self->error_revealer, TRUE);
}

static void
save_action_cb (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  YataiProductEditor *self = YATAI_PRODUCT_EDITOR (widget);
  g_autofree char *name = NULL;
  g_autofree char *reading = NULL;
  g_autoptr(GPtrArray) tags = g_ptr_array_new ();
  g_autoptr(JsonObject) args = NULL;
  g_autoptr(JsonNode) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  GtkWindow *parent = gtk_window_get_transient_for (GTK_WINDOW (self));
  gint64 price, stock;
  gboolean sent = FALSE;
  guint n;

  self->dirty = FIELD_NAME | FIELD_PRICE | FIELD_STOCK;
  if (!check_form (self, &name, &reading, &price, &stock))
    {
      gtk_widget_action_set_enabled (widget, "editor.save", FALSE);
      return;
    }

  n = g_list_model_get_n_items (G_LIST_MODEL (self->chosen));
  for (guint i = 0; i < n; i++)
    g_ptr_array_add (tags, (gpointer) gtk_string_list_get_string (self->chosen, i));
  g_ptr_array_add (tags, NULL);

  args = yatai_product_save_args (self->id, name, price, stock,
                                  gtk_switch_get_active (self->sold_out_switch),
                                  (const char * const *) tags->pdata,
                                  self->picture_changed ? self->picture : NULL, !self->picture_changed);
  yatai_product_args_set_reading (args, reading);
  result = yatai_application_run (self->application, "product.save", args, &sent, &error);
  if (result == NULL)
    {
      show_save_error (self, error->message);
      return;
    }

  if (sent)
    message = g_strdup_printf (_("“%s” sent to the writer"), name);
  else if (self->id == 0)
    message = g_strdup_printf (_("“%s” added to the menu"), name);
  else
    message = g_strdup_printf (_("“%s” saved"), name);
  if (YATAI_IS_WINDOW (parent))
    yatai_window_show_toast (YATAI_WINDOW (parent), message);
  gtk_window_destroy (GTK_WINDOW (self));
}

/* Life cycle */

static void
yatai_product_editor_dispose (GObject *object)
{
  YataiProductEditor *self = YATAI_PRODUCT_EDITOR (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  gtk_widget_dispose_template (GTK_WIDGET (self), YATAI_TYPE_PRODUCT_EDITOR);
  g_clear_object (&self->chosen);
  g_clear_object (&self->application);
  G_OBJECT_CLASS (yatai_product_editor_parent_class)->dispose (object);
}

static void
yatai_product_editor_finalize (GObject *object)
{
  YataiProductEditor *self = YATAI_PRODUCT_EDITOR (object);

  g_clear_pointer (&self->picture, g_bytes_unref);
  G_OBJECT_CLASS (yatai_product_editor_parent_class)->finalize (object);
}

static void
yatai_product_editor_class_init (YataiProductEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = yatai_product_editor_dispose;
  object_class->finalize = yatai_product_editor_finalize;

  g_type_ensure (YATAI_TYPE_PRODUCT_THUMB);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/yatai/Yatai/yatai-product-editor.ui");
  gtk_widget_class_bind_template_child (widget_class, YataiProductEditor, window_title);
  gtk_widget_class_bind_template_child (widget_class, YataiProductEditor, save_button);
  gtk_widget_class_bind_template_child (widget_class, YataiProductEditor, error_revealer);
  gtk_widget_class_bind_template_child (widget_class, YataiProductEditor, error_label);
  gtk_widget_class_bind_template_child (widget_class, YataiProductEditor, thumb);
  gtk_widget_class_bind_template_child (widget_class, YataiProductEditor, picture_label);
  gtk_widget_class_bind_template_child (widget_class, YataiProductEditor, name_row);
  gtk_widget_class_bind_template_child (widget_class, YataiProductEditor, name_error);
  gtk_widget_class_bind_template_child (widget_class, YataiProductEditor, reading_row);
  gtk_widget_class_bind_template_child (widget_class, YataiProductEditor, reading_error);
  gtk_widget_class_bind_template_child (widget_class, YataiProductEditor, price_row);
  gtk_widget_class_bind_template_child (widget_class, YataiProductEditor, price_error);
  gtk_widget_class_bind_template_child (widget_class, YataiProductEditor, stock_row);
  gtk_widget_class_bind_template_child (widget_class, YataiProductEditor, stock_error);
  gtk_widget_class_bind_template_child (widget_class, YataiProductEditor, sold_out_switch);
  gtk_widget_class_bind_template_child (widget_class, YataiProductEditor, tag_row);
  gtk_widget_class_bind_template_child (widget_class, YataiProductEditor, tag_error);
  gtk_widget_class_bind_template_child (widget_class, YataiProductEditor, chosen_tags);
  gtk_widget_class_bind_template_child (widget_class, YataiProductEditor, existing_tags_label);
  gtk_widget_class_bind_template_child (widget_class, YataiProductEditor, existing_tags);
  gtk_widget_class_bind_template_callback (widget_class, field_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, reading_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, entry_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, add_tag_cb);
  gtk_widget_class_bind_template_callback (widget_class, tag_changed_cb);

  gtk_widget_class_install_action (widget_class, "editor.save", NULL, save_action_cb);
  gtk_widget_class_install_action (widget_class, "editor.choose-picture", NULL, choose_picture_action_cb);
  gtk_widget_class_install_action (widget_class, "editor.remove-picture", NULL, remove_picture_action_cb);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK, "editor.save", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
yatai_product_editor_init (YataiProductEditor *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  self->chosen = gtk_string_list_new (NULL);
}

YataiProductEditor *
yatai_product_editor_new (YataiApplication *application,
                          YataiProduct     *product)
{
  YataiProductEditor *self;
  GtkFilterListModel *others;

  g_return_val_if_fail (YATAI_IS_APPLICATION (application), NULL);
  g_return_val_if_fail (product == NULL || YATAI_IS_PRODUCT (product), NULL);

  self = g_object_new (YATAI_TYPE_PRODUCT_EDITOR, "application", application, NULL);
  self->application = g_object_ref (application);

  gtk_flow_box_bind_model (self->chosen_tags, G_LIST_MODEL (self->chosen), create_chosen_chip, self, NULL);
  self->other_filter = gtk_custom_filter_new (is_other_tag, self, NULL);
  others = gtk_filter_list_model_new (g_object_ref (G_LIST_MODEL (yatai_application_get_tags (application))),
                                      GTK_FILTER (self->other_filter));
  g_signal_connect_object (others, "items-changed", G_CALLBACK (others_changed_cb), self, 0);
  gtk_flow_box_bind_model (self->existing_tags, G_LIST_MODEL (others), create_existing_chip, self, NULL);

  if (product != NULL)
    {
      g_autofree char *price = g_strdup_printf ("%" G_GINT64_FORMAT, yatai_product_get_price (product));
      g_autofree char *stock = g_strdup_printf ("%" G_GINT64_FORMAT, yatai_product_get_stock (product));
      const char * const *tags = yatai_product_get_tags (product);

      self->id = yatai_product_get_id (product);
      adw_window_title_set_title (self->window_title, _("Edit Product"));
      adw_window_title_set_subtitle (self->window_title, yatai_product_get_name (product));
      /* The window's own title is what a screen reader and the window list read. */
      gtk_window_set_title (GTK_WINDOW (self), yatai_product_get_name (product));
      gtk_editable_set_text (GTK_EDITABLE (self->name_row), yatai_product_get_name (product));
      if (yatai_product_get_reading (product) != NULL)
        {
          g_autofree char *from_name = yatai_reading_from_name (yatai_product_get_name (product));

          /* A reading other than the name's own was typed by someone: it stays. */
          self->filling_reading = TRUE;
          gtk_editable_set_text (GTK_EDITABLE (self->reading_row), yatai_product_get_reading (product));
          self->filling_reading = FALSE;
          self->reading_typed = g_strcmp0 (from_name, yatai_product_get_reading (product)) != 0;
        }
      gtk_editable_set_text (GTK_EDITABLE (self->price_row), price);
      gtk_editable_set_text (GTK_EDITABLE (self->stock_row), stock);
      gtk_switch_set_active (self->sold_out_switch, yatai_product_get_sold_out (product));
      for (; tags != NULL && *tags != NULL; tags++)
        gtk_string_list_append (self->chosen, *tags);
      gtk_filter_changed (GTK_FILTER (self->other_filter), GTK_FILTER_CHANGE_DIFFERENT);
      if (yatai_product_get_picture (product) != NULL)
        self->picture = g_bytes_ref (yatai_product_get_picture (product));
      self->dirty = FIELD_NAME | FIELD_PRICE | FIELD_STOCK;
    }
  else
    {
      adw_window_title_set_title (self->window_title, _("New Product"));
      gtk_window_set_title (GTK_WINDOW (self), _("New Product"));
      self->dirty = 0;
    }
  others_changed_cb (G_LIST_MODEL (others), 0, 0, 0, self);
  g_object_unref (others);  /* the flow box holds it */

  update_preview (self);
  revalidate (self);
  gtk_widget_grab_focus (GTK_WIDGET (self->name_row));
  return self;
}
