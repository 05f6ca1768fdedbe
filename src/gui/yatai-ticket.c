/* yatai-ticket.c: printing the customer's ticket with GtkPrintOperation
 *
 * The ticket is laid out for a receipt roll (80 mm wide) with Pango, so Japanese names print with the
 * system's fonts; on A4 it takes the top left corner. The print settings of the last ticket are kept
 * for the next one, so automatic tickets go to the printer the cashier picked.
 */
#define G_LOG_DOMAIN "yatai-ticket"

#include "config.h"

#include <glib/gi18n.h>

#include "yatai-text.h"
#include "yatai-ticket.h"

#define TICKET_WIDTH_MM   80.0
#define TICKET_HEIGHT_MM  160.0
#define MARGIN_MM         4.0

static GtkPrintSettings *last_settings;

static PangoLayout *
add_text (cairo_t    *cr,
          double      width,
          double     *y,
          const char *text,
          const char *font,
          PangoAlignment alignment)
{
  PangoLayout *layout = pango_cairo_create_layout (cr);
  PangoFontDescription *description = pango_font_description_from_string (font);
  int height;

  pango_layout_set_font_description (layout, description);
  pango_font_description_free (description);
  pango_layout_set_width (layout, (int) (width * PANGO_SCALE));
  pango_layout_set_wrap (layout, PANGO_WRAP_WORD_CHAR);
  pango_layout_set_alignment (layout, alignment);
  pango_layout_set_text (layout, text, -1);
  cairo_move_to (cr, 0, *y);
  pango_cairo_show_layout (cr, layout);
  pango_layout_get_size (layout, NULL, &height);
  *y += (double) height / PANGO_SCALE;
  return layout;
}

static void
add_row (cairo_t    *cr,
         double      width,
         double     *y,
         const char *left,
         const char *right,
         const char *font)
{
  double start = *y, after_left;

  g_object_unref (add_text (cr, width * 0.68, y, left, font, PANGO_ALIGN_LEFT));
  after_left = *y;
  *y = start;
  g_object_unref (add_text (cr, width, y, right, font, PANGO_ALIGN_RIGHT));
  *y = MAX (*y, after_left);
}

static void
draw_page_cb (GtkPrintOperation *operation,
              GtkPrintContext   *context,
              int                page_nr,
              YataiOrder        *order)
{
  cairo_t *cr = gtk_print_context_get_cairo_context (context);
  double width = MIN (gtk_print_context_get_width (context), TICKET_WIDTH_MM / 25.4 * 72.0 - 2 * MARGIN_MM / 25.4 * 72.0);
  double y = 0;
  g_autoptr(GDateTime) created = g_date_time_new_from_unix_local (yatai_order_get_created (order) / G_USEC_PER_SEC);
  g_autofree char *when = g_date_time_format (created, "%Y-%m-%d %H:%M");
  g_autofree char *number = g_strdup_printf ("%" G_GINT64_FORMAT, yatai_order_get_call_number (order));
  g_autofree char *total = yatai_text_format_yen (yatai_order_get_total (order));
  g_autofree char *paid = yatai_text_format_yen (yatai_order_get_paid (order));
  g_autofree char *change = yatai_text_format_yen (yatai_order_get_change (order));

  cairo_set_source_rgb (cr, 0, 0, 0);
  g_object_unref (add_text (cr, width, &y, _("Yatai"), "Sans Bold 10", PANGO_ALIGN_CENTER));
  g_object_unref (add_text (cr, width, &y, _("Call number"), "Sans 9", PANGO_ALIGN_CENTER));
  g_object_unref (add_text (cr, width, &y, number, "Sans Bold 44", PANGO_ALIGN_CENTER));
  g_object_unref (add_text (cr, width, &y, when, "Sans 8", PANGO_ALIGN_CENTER));
  if (*yatai_order_get_customer (order) != '\0')
    g_object_unref (add_text (cr, width, &y, yatai_order_get_customer (order), "Sans 9", PANGO_ALIGN_CENTER));
  y += 6;
  cairo_rectangle (cr, 0, y, width, 0.5);
  cairo_fill (cr);
  y += 4;

  for (guint i = 0; i < yatai_order_get_n_lines (order); i++)
    {
      const YataiOrderLine *line = yatai_order_get_line (order, i);
      g_autofree char *left = g_strdup_printf ("%s ×%" G_GINT64_FORMAT, line->name, line->quantity);
      g_autofree char *right = yatai_text_format_yen (line->unit_price * line->quantity);

      add_row (cr, width, &y, left, right, "Sans 9");
    }
  y += 4;
  cairo_rectangle (cr, 0, y, width, 0.5);
  cairo_fill (cr);
  y += 4;
  add_row (cr, width, &y, _("Total"), total, "Sans Bold 10");
  add_row (cr, width, &y, _("Paid"), paid, "Sans 9");
  add_row (cr, width, &y, _("Change"), change, "Sans 9");
  y += 8;
  g_object_unref (add_text (cr, width, &y, _("Please wait until your number is called."), "Sans 8",
                            PANGO_ALIGN_CENTER));
}

static GtkPrintOperation *
make_operation (YataiOrder *order)
{
  GtkPrintOperation *operation = gtk_print_operation_new ();
  g_autoptr(GtkPageSetup) setup = gtk_page_setup_new ();
  g_autoptr(GtkPaperSize) paper = NULL;
  g_autofree char *number = g_strdup_printf ("%" G_GINT64_FORMAT, yatai_order_get_call_number (order));
  /* TRANSLATORS: the print job's name, with the call number */
  g_autofree char *job = g_strdup_printf (_("Ticket %s"), number);

  paper = gtk_paper_size_new_custom ("yatai-ticket", _("Ticket"), TICKET_WIDTH_MM, TICKET_HEIGHT_MM, GTK_UNIT_MM);
  gtk_page_setup_set_paper_size (setup, paper);
  gtk_page_setup_set_top_margin (setup, MARGIN_MM, GTK_UNIT_MM);
  gtk_page_setup_set_bottom_margin (setup, MARGIN_MM, GTK_UNIT_MM);
  gtk_page_setup_set_left_margin (setup, MARGIN_MM, GTK_UNIT_MM);
  gtk_page_setup_set_right_margin (setup, MARGIN_MM, GTK_UNIT_MM);
  gtk_print_operation_set_default_page_setup (operation, setup);
  gtk_print_operation_set_n_pages (operation, 1);
  gtk_print_operation_set_job_name (operation, job);
  gtk_print_operation_set_unit (operation, GTK_UNIT_POINTS);
  if (last_settings != NULL)
    gtk_print_operation_set_print_settings (operation, last_settings);
  g_signal_connect_object (operation, "draw-page", G_CALLBACK (draw_page_cb), order, 0);
  return operation;
}

static gboolean
finish (GtkPrintOperation       *operation,
        GtkPrintOperationResult  result,
        GError                  *run_error,
        GError                 **error)
{
  if (result == GTK_PRINT_OPERATION_RESULT_ERROR)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("The ticket could not be printed: %s"),
                   run_error != NULL ? run_error->message : _("the printer refused it"));
      return FALSE;
    }
  if (result == GTK_PRINT_OPERATION_RESULT_APPLY)
    g_set_object (&last_settings, gtk_print_operation_get_print_settings (operation));
  return TRUE;
}

gboolean
yatai_ticket_print (YataiOrder       *order,
                    GtkWindow        *parent,
                    YataiTicketMode   mode,
                    GError          **error)
{
  g_autoptr(GtkPrintOperation) operation = NULL;
  g_autoptr(GError) run_error = NULL;
  GtkPrintOperationResult result;

  g_return_val_if_fail (YATAI_IS_ORDER (order), FALSE);

  operation = make_operation (order);
  result = gtk_print_operation_run (operation,
                                    mode == YATAI_TICKET_DIRECT && last_settings != NULL
                                      ? GTK_PRINT_OPERATION_ACTION_PRINT
                                      : GTK_PRINT_OPERATION_ACTION_PRINT_DIALOG,
                                    parent, &run_error);
  return finish (operation, result, run_error, error);
}

/* The same ticket as a PDF file (for tests, and for a stall without a printer). */
gboolean
yatai_ticket_export (YataiOrder  *order,
                     const char  *pdf_path,
                     GError     **error)
{
  g_autoptr(GtkPrintOperation) operation = NULL;
  g_autoptr(GError) run_error = NULL;
  GtkPrintOperationResult result;

  g_return_val_if_fail (YATAI_IS_ORDER (order), FALSE);
  g_return_val_if_fail (pdf_path != NULL, FALSE);

  operation = make_operation (order);
  gtk_print_operation_set_export_filename (operation, pdf_path);
  result = gtk_print_operation_run (operation, GTK_PRINT_OPERATION_ACTION_EXPORT, NULL, &run_error);
  return finish (operation, result, run_error, error);
}
