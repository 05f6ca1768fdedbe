/* yatai-csv.c: the CSV files of the Sales page, out and in
 *
 * Exports are made in one read transaction so a file never mixes two moments. The parser is written
 * here because it is small and must name the line of anything wrong; GLib has none.
 */
#define G_LOG_DOMAIN "yatai-csv"

#include "config.h"

#include <glib/gi18n.h>

#include "yatai-csv.h"
#include "yatai-order.h"
#include "yatai-store-private.h"
#include "yatai-store-products.h"

static void
append_quoted (GString    *out,
               const char *prefix,
               const char *field,
               gboolean    force,
               gboolean    last)
{
  if (field == NULL)
    field = "";
  if (force || strpbrk (field, ",\"\r\n") != NULL)
    {
      g_string_append_c (out, '"');
      g_string_append (out, prefix);
      for (const char *p = field; *p != '\0'; p++)
        {
          if (*p == '"')
            g_string_append_c (out, '"');
          g_string_append_c (out, *p);
        }
      g_string_append_c (out, '"');
    }
  else
    g_string_append (out, field);
  g_string_append (out, last ? "\r\n" : ",");
}

void
yatai_csv_append_field (GString    *out,
                        const char *field,
                        gboolean    last)
{
  append_quoted (out, "", field, FALSE, last);
}

/* What a spreadsheet may take for the start of a formula (OWASP, "CSV Injection"), and the quote that
 * neutralises it: a text that really begins with a quote gets one too, so that the import takes off
 * exactly the one the export put on. */
static gboolean
needs_guard (const char *text)
{
  return text != NULL && text[0] != '\0' && strchr ("=+-@\t\r'", text[0]) != NULL;
}

void
yatai_csv_append_text (GString    *out,
                       const char *text,
                       gboolean    last)
{
  if (needs_guard (text))
    append_quoted (out, "'", text, TRUE, last);
  else
    append_quoted (out, "", text, FALSE, last);
}

const char *
yatai_csv_cell_text (const char *cell)
{
  if (cell != NULL && cell[0] == '\'' && needs_guard (cell + 1))
    return cell + 1;
  return cell;
}

GPtrArray *
yatai_csv_parse (const char  *text,
                 gssize       length,
                 GArray     **line_numbers,
                 GError     **error)
{
  g_autoptr(GPtrArray) records = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  g_autoptr(GArray) lines = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(GPtrArray) fields = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) field = g_string_new (NULL);
  const char *p, *end;
  guint line = 1, record_line = 1;
  gboolean quoted = FALSE, was_quoted = FALSE, in_record = FALSE;

  g_return_val_if_fail (text != NULL || length == 0, NULL);

  /* An empty GBytes (an empty file) has no data at all; the loop below steps past its end. */
  if (text == NULL)
    text = "";
  if (length < 0)
    length = strlen (text);
  if (!g_utf8_validate (text, length, NULL))
    {
      g_set_error_literal (error, YATAI_STORE_ERROR, YATAI_STORE_ERROR_INVALID,
                           _("The file is not UTF-8 text. Save it as “CSV UTF-8” and try again."));
      return NULL;
    }
  p = text;
  end = text + length;
  if (length >= 3 && memcmp (p, YATAI_CSV_BOM, 3) == 0)
    p += 3;

  for (; p <= end; p++)
    {
      char c = p < end ? *p : '\n';
      gboolean at_end = p == end;

      if (quoted)
        {
          if (at_end)
            {
              g_set_error (error, YATAI_STORE_ERROR, YATAI_STORE_ERROR_INVALID,
                           _("Line %u: a quoted field is not closed."), record_line);
              return NULL;
            }
          if (c == '"')
            {
              if (p + 1 < end && p[1] == '"')
                {
                  g_string_append_c (field, '"');
                  p++;
                }
              else
                quoted = FALSE;
            }
          else
            {
              if (c == '\n')
                line++;
              g_string_append_c (field, c);
            }
          continue;
        }

      if (c == '"' && field->len == 0 && !was_quoted)
        {
          quoted = was_quoted = in_record = TRUE;
          continue;
        }
      if (c == ',')
        {
          g_ptr_array_add (fields, g_string_free (g_steal_pointer (&field), FALSE));
          field = g_string_new (NULL);
          was_quoted = FALSE;
          in_record = TRUE;
          continue;
        }
      if (c == '\r' && p + 1 < end && p[1] == '\n')
        continue;
      if (c == '\n' || c == '\r')
        {
          if (in_record || field->len > 0 || fields->len > 0)
            {
              g_ptr_array_add (fields, g_string_free (g_steal_pointer (&field), FALSE));
              field = g_string_new (NULL);
              g_ptr_array_add (fields, NULL);
              g_ptr_array_add (records, g_ptr_array_steal (fields, NULL));
              g_array_append_val (lines, record_line);
              g_ptr_array_unref (fields);
              fields = g_ptr_array_new_with_free_func (g_free);
            }
          was_quoted = in_record = FALSE;
          line++;
          record_line = line;
          continue;
        }
      if (was_quoted)
        {
          g_set_error (error, YATAI_STORE_ERROR, YATAI_STORE_ERROR_INVALID,
                       _("Line %u: text after a closing quote."), line);
          return NULL;
        }
      in_record = TRUE;
      g_string_append_c (field, c);
    }

  if (line_numbers != NULL)
    *line_numbers = g_steal_pointer (&lines);
  return g_steal_pointer (&records);
}

static char *
iso_time (gint64 time_us)
{
  g_autoptr(GDateTime) local = g_date_time_new_from_unix_local (time_us / G_USEC_PER_SEC);

  return g_date_time_format (local, "%Y-%m-%dT%H:%M:%S%:z");
}

static char *
number (gint64 value)
{
  return g_strdup_printf ("%" G_GINT64_FORMAT, value);
}

char *
yatai_store_export_order_lines (YataiStore  *self,
                                const char  *business_day,
                                GError     **error)
{
  g_autoptr(GString) out = g_string_new (YATAI_CSV_BOM);
  const char *header[] = { "order_id", "call_number", "business_day", "created", "updated", "status",
                           "customer", "order_total", "line_number", "product_id", "product_name",
                           "unit_price", "quantity", "line_total" };
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (YATAI_IS_STORE (self), NULL);

  for (guint i = 0; i < G_N_ELEMENTS (header); i++)
    yatai_csv_append_field (out, header[i], i == G_N_ELEMENTS (header) - 1);

  if (!yatai_store_exec (self, "BEGIN", error))
    return NULL;
  stmt = yatai_store_prepare (self,
                              "SELECT o.id, o.call_number, o.business_day, o.created, o.updated, o.status, o.customer, "
                              "o.total, l.line_no, l.product_id, l.name, l.unit_price, l.quantity "
                              "FROM orders o JOIN order_lines l ON l.order_id = o.id "
                              "WHERE ?1 IS NULL OR o.business_day = ?1 ORDER BY o.id, l.line_no",
                              error);
  if (stmt == NULL)
    {
      yatai_store_exec (self, "ROLLBACK", NULL);
      return NULL;
    }
  if (business_day != NULL)
    sqlite3_bind_text (stmt, 1, business_day, -1, SQLITE_STATIC);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      g_autofree char *id = number (sqlite3_column_int64 (stmt, 0));
      g_autofree char *call = number (sqlite3_column_int64 (stmt, 1));
      g_autofree char *created = iso_time (sqlite3_column_int64 (stmt, 3));
      g_autofree char *updated = iso_time (sqlite3_column_int64 (stmt, 4));
      g_autofree char *total = number (sqlite3_column_int64 (stmt, 7));
      g_autofree char *line_no = number (sqlite3_column_int64 (stmt, 8));
      g_autofree char *product = sqlite3_column_type (stmt, 9) == SQLITE_NULL ? g_strdup ("")
                                                                              : number (sqlite3_column_int64 (stmt, 9));
      g_autofree char *price = number (sqlite3_column_int64 (stmt, 11));
      g_autofree char *quantity = number (sqlite3_column_int64 (stmt, 12));
      g_autofree char *line_total = number (sqlite3_column_int64 (stmt, 11) * sqlite3_column_int64 (stmt, 12));

      yatai_csv_append_field (out, id, FALSE);
      yatai_csv_append_field (out, call, FALSE);
      yatai_csv_append_text (out, (const char *) sqlite3_column_text (stmt, 2), FALSE);
      yatai_csv_append_field (out, created, FALSE);
      yatai_csv_append_field (out, updated, FALSE);
      yatai_csv_append_text (out, (const char *) sqlite3_column_text (stmt, 5), FALSE);
      yatai_csv_append_text (out, (const char *) sqlite3_column_text (stmt, 6), FALSE);
      yatai_csv_append_field (out, total, FALSE);
      yatai_csv_append_field (out, line_no, FALSE);
      yatai_csv_append_field (out, product, FALSE);
      yatai_csv_append_text (out, (const char *) sqlite3_column_text (stmt, 10), FALSE);
      yatai_csv_append_field (out, price, FALSE);
      yatai_csv_append_field (out, quantity, FALSE);
      yatai_csv_append_field (out, line_total, TRUE);
    }
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
  yatai_store_exec (self, "COMMIT", NULL);
  if (rc != SQLITE_DONE)
    {
      yatai_store_set_sqlite_error (self, rc, error);
      return NULL;
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

char *
yatai_store_export_products (YataiStore  *self,
                             GError     **error)
{
  g_autoptr(GString) out = g_string_new (YATAI_CSV_BOM);
  g_autoptr(GPtrArray) products = NULL;
  const char *header[] = { "id", "name", "price", "stock", "sold_out", "tags", "reading" };

  g_return_val_if_fail (YATAI_IS_STORE (self), NULL);

  products = yatai_store_list_products (self, error);
  if (products == NULL)
    return NULL;
  for (guint i = 0; i < G_N_ELEMENTS (header); i++)
    yatai_csv_append_field (out, header[i], i == G_N_ELEMENTS (header) - 1);
  for (guint i = 0; i < products->len; i++)
    {
      YataiProduct *product = products->pdata[i];
      g_autofree char *id = number (yatai_product_get_id (product));
      g_autofree char *price = number (yatai_product_get_price (product));
      g_autofree char *stock = number (yatai_product_get_stock (product));
      g_autofree char *tags = g_strjoinv ("|", (char **) yatai_product_get_tags (product));

      yatai_csv_append_field (out, id, FALSE);
      yatai_csv_append_text (out, yatai_product_get_name (product), FALSE);
      yatai_csv_append_field (out, price, FALSE);
      yatai_csv_append_field (out, stock, FALSE);
      yatai_csv_append_field (out, yatai_product_get_sold_out (product) ? "1" : "0", FALSE);
      yatai_csv_append_text (out, tags, FALSE);
      yatai_csv_append_text (out, yatai_product_get_reading (product) != NULL ? yatai_product_get_reading (product) : "",
                             TRUE);
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* "order-lines-2026-11-24-18-30-05.csv" */
char *
yatai_csv_file_name (const char *kind,
                     GDateTime  *when)
{
  g_autofree char *stamp = g_date_time_format (when, "%Y-%m-%d-%H-%M-%S");

  return g_strdup_printf ("%s-%s.csv", kind, stamp);
}

static gboolean
parse_flag (const char *text,
            gboolean   *out)
{
  g_autofree char *lower = g_ascii_strdown (text, -1);

  g_strstrip (lower);
  if (g_strv_contains ((const char * const[]) { "1", "true", "yes", "y", NULL }, lower))
    *out = TRUE;
  else if (g_strv_contains ((const char * const[]) { "0", "false", "no", "n", "", NULL }, lower))
    *out = FALSE;
  else
    return FALSE;
  return TRUE;
}

/* Reads the file into rows for "products.import": each row keeps its line number for the store's
 * refusals. Problems of form (a missing column, a word where a number goes) are found here, all of them. */
JsonObject *
yatai_products_import_args (const char  *text,
                            gssize       length,
                            GError     **error)
{
  g_autoptr(GArray) lines = NULL;
  g_autoptr(GPtrArray) records = yatai_csv_parse (text, length, &lines, error);
  g_autoptr(GString) problems = g_string_new (NULL);
  g_autoptr(JsonObject) args = NULL;
  JsonArray *rows;
  int columns[7];
  const char *names[] = { "id", "name", "price", "stock", "sold_out", "tags", "reading" };

  if (records == NULL)
    return NULL;
  if (records->len == 0)
    {
      g_set_error_literal (error, YATAI_STORE_ERROR, YATAI_STORE_ERROR_INVALID, _("The file is empty."));
      return NULL;
    }

  /* The header names the columns, in any order; id, sold_out, tags and reading may be left out (a file
   * from before readings has none: its rows keep the readings the menu has). */
  for (guint c = 0; c < G_N_ELEMENTS (names); c++)
    {
      char **header = records->pdata[0];

      columns[c] = -1;
      for (int i = 0; header[i] != NULL; i++)
        {
          g_autofree char *trimmed = g_strstrip (g_strdup (header[i]));
          g_autofree char *cell = g_ascii_strdown (trimmed, -1);

          if (g_str_equal (cell, names[c]))
            columns[c] = i;
        }
      if (columns[c] < 0 && c != 0 && c != 4 && c != 5 && c != 6)
        {
          g_set_error (error, YATAI_STORE_ERROR, YATAI_STORE_ERROR_INVALID,
                       _("Line 1: the header has no “%s” column. The first line must name the columns: %s."),
                       names[c], "id,name,price,stock,sold_out,tags,reading");
          return NULL;
        }
    }

  args = json_object_new ();
  rows = json_array_new ();
  json_object_set_array_member (args, "rows", rows);
  for (guint r = 1; r < records->len; r++)
    {
      char **record = records->pdata[r];
      guint line = g_array_index (lines, guint, r);
      guint n = g_strv_length (record);
      JsonObject *row = json_object_new ();
      JsonArray *tags = json_array_new ();
      gint64 price = 0, stock = 0;
      gboolean sold_out = FALSE;
      g_autoptr(GError) price_error = NULL;
      g_autoptr(GError) stock_error = NULL;

      json_object_set_int_member (row, "line", line);
      json_object_set_string_member (row, "name", (guint) columns[1] < n ? yatai_csv_cell_text (record[columns[1]]) : "");
      if (!yatai_product_check_price ((guint) columns[2] < n ? record[columns[2]] : "", &price, &price_error))
        g_string_append_printf (problems, _("Line %u: %s\n"), line, price_error->message);
      if (!yatai_product_check_stock ((guint) columns[3] < n ? record[columns[3]] : "", &stock, &stock_error))
        g_string_append_printf (problems, _("Line %u: %s\n"), line, stock_error->message);
      if (columns[4] >= 0 && (guint) columns[4] < n && !parse_flag (record[columns[4]], &sold_out))
        g_string_append_printf (problems, _("Line %u: “sold_out” must be 1 or 0.\n"), line);
      if (columns[5] >= 0 && (guint) columns[5] < n && *g_strstrip (record[columns[5]]) != '\0')
        {
          g_auto(GStrv) split = g_strsplit (yatai_csv_cell_text (record[columns[5]]), "|", -1);

          for (guint t = 0; split[t] != NULL; t++)
            json_array_add_string_element (tags, g_strstrip (split[t]));
        }
      if (columns[6] >= 0)
        json_object_set_string_member (row, "reading",
                                       (guint) columns[6] < n ? yatai_csv_cell_text (record[columns[6]]) : "");
      json_object_set_int_member (row, "price", price);
      json_object_set_int_member (row, "stock", stock);
      json_object_set_boolean_member (row, "sold_out", sold_out);
      json_object_set_array_member (row, "tags", tags);
      json_array_add_object_element (rows, row);
    }

  if (problems->len > 0)
    {
      g_string_truncate (problems, problems->len - 1);
      g_set_error_literal (error, YATAI_STORE_ERROR, YATAI_STORE_ERROR_INVALID, problems->str);
      return NULL;
    }
  return g_steal_pointer (&args);
}
