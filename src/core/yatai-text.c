/* yatai-text.c: what a person sees as text: characters, names, yen
 *
 * Lengths in Yatai count grapheme clusters, what a person sees as one character ("👨‍👩‍👧" is one,
 * "が" is one, whether composed or not). Pango's implementation of Unicode text segmentation (UAX #29)
 * gives the boundaries; Pango has no GTK dependency, so the core may use it.
 */
#define G_LOG_DOMAIN "yatai-text"

#include "config.h"

#include <glib/gi18n.h>
#include <pango/pango.h>

#include "yatai-store.h"
#include "yatai-text.h"

guint
yatai_text_count_chars (const char *text)
{
  g_autofree PangoLogAttr *attrs = NULL;
  glong n_chars;
  guint count = 0;

  if (text == NULL || *text == '\0')
    return 0;

  n_chars = g_utf8_strlen (text, -1);
  attrs = g_new0 (PangoLogAttr, n_chars + 1);
  pango_get_log_attrs (text, -1, -1, pango_language_from_string ("ja"), attrs, n_chars + 1);

  for (glong i = 1; i <= n_chars; i++)
    if (attrs[i].is_cursor_position)
      count++;

  return count;
}

/* A name as it is stored: valid UTF-8, composed (NFC), no control characters, no white space at
 * either end. Returns NULL when @text is not valid UTF-8. */
char *
yatai_text_clean (const char *text)
{
  g_autofree char *nfc = NULL;
  GString *out;

  if (text == NULL || !g_utf8_validate (text, -1, NULL))
    return NULL;

  nfc = g_utf8_normalize (text, -1, G_NORMALIZE_NFC);
  if (nfc == NULL)
    return NULL;

  out = g_string_sized_new (strlen (nfc));
  for (const char *p = nfc; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      /* Line breaks and tabs become spaces; other control characters go. Zero-width joiners and
       * variation selectors are format characters, not controls, and stay: emoji need them. */
      if (c == '\n' || c == '\r' || c == '\t')
        g_string_append_c (out, ' ');
      else if (g_unichar_type (c) != G_UNICODE_CONTROL)
        g_string_append_unichar (out, c);
    }

  /* White space at either end, the ideographic space a Japanese keyboard types included. */
  while (out->len > 0)
    {
      const char *last = g_utf8_find_prev_char (out->str, out->str + out->len);

      if (!g_unichar_isspace (g_utf8_get_char (last)))
        break;
      g_string_truncate (out, last - out->str);
    }
  {
    gsize start = 0;

    while (start < out->len && g_unichar_isspace (g_utf8_get_char (out->str + start)))
      start = g_utf8_next_char (out->str + start) - out->str;
    g_string_erase (out, 0, start);
  }
  return g_string_free (out, FALSE);
}

/* The controls that override or isolate the direction of writing (Unicode's bidirectional algorithm):
 * invisible, and they make text read as something else ("\u202Egnp.exe" shows as "exe.png"). The
 * marks that only hint a direction (U+200E, U+200F, U+061C) cannot reorder what follows them and
 * stay. */
static gboolean
is_direction_control (gunichar c)
{
  return (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069);
}

/**
 * yatai_text_check_hidden:
 *
 * Whether @text (valid UTF-8) is free of the characters Yatai refuses in every text a person types or
 * another device sends, those that override the direction of writing. Every check of a name, a tag,
 * a customer or a note runs it.
 */
gboolean
yatai_text_check_hidden (const char  *text,
                         GError     **error)
{
  for (const char *p = text; p != NULL && *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (is_direction_control (c))
        {
          /* Translators: %04X is the character's code, for example "U+202E" */
          g_set_error (error, YATAI_STORE_ERROR, YATAI_STORE_ERROR_INVALID,
                       _("The text holds a hidden character that changes the direction of writing (U+%04X), so it "
                         "would read as something else. Type it again without it."),
                       c);
          return FALSE;
        }
    }
  return TRUE;
}

static char *
format_grouped (gint64      amount,
                const char *currency)
{
  char digits[32];
  GString *out = g_string_new (NULL);
  int len, lead;

  if (amount < 0)
    {
      g_string_append_c (out, '-');
      amount = -amount;
    }
  g_string_append (out, currency);

  len = g_snprintf (digits, sizeof digits, "%" G_GINT64_FORMAT, amount);
  lead = len % 3 == 0 ? 3 : len % 3;
  g_string_append_len (out, digits, lead);
  for (int i = lead; i < len; i += 3)
    {
      g_string_append_c (out, ',');
      g_string_append_len (out, digits + i, 3);
    }

  return g_string_free (out, FALSE);
}

/* ¥1,200 — money in Yatai is whole yen. */
char *
yatai_text_format_yen (gint64 amount)
{
  return format_grouped (amount, "¥");
}

/* 1,200 */
char *
yatai_text_format_number (gint64 amount)
{
  return format_grouped (amount, "");
}

/* Reads a whole number of yen or units as a person types it: "1200", "1,200", "¥1,200", full-width
 * digits ("１２００"). Anything else is refused with a sentence saying what is accepted. */
gboolean
yatai_text_parse_amount (const char *text,
                         gint64      min,
                         gint64      max,
                         gint64     *out_value,
                         GError    **error)
{
  gint64 value = 0;
  gboolean any = FALSE;

  g_return_val_if_fail (out_value != NULL, FALSE);

  if (text == NULL || !g_utf8_validate (text, -1, NULL))
    {
      g_set_error (error, YATAI_STORE_ERROR, YATAI_STORE_ERROR_INVALID, _("Enter a whole number."));
      return FALSE;
    }

  for (const char *p = text; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      int digit = g_unichar_digit_value (c);

      if (digit >= 0 && (c < 0x80 || (c >= 0xFF10 && c <= 0xFF19)))
        {
          any = TRUE;
          if (value > (G_MAXINT64 - digit) / 10)
            value = G_MAXINT64;
          else
            value = value * 10 + digit;
        }
      else if (c == ',' || c == 0xFF0C || c == ' ' || c == 0x3000 || c == 0xA5 || c == 0xFFE5)
        continue;
      else if (c == '-' || c == 0xFF0D || c == 0x2212)
        {
          g_set_error (error, YATAI_STORE_ERROR, YATAI_STORE_ERROR_INVALID,
                       _("Enter a number of 0 or more."));
          return FALSE;
        }
      else
        {
          g_set_error (error, YATAI_STORE_ERROR, YATAI_STORE_ERROR_INVALID,
                       _("Enter a whole number, digits only."));
          return FALSE;
        }
    }

  if (!any)
    {
      g_set_error (error, YATAI_STORE_ERROR, YATAI_STORE_ERROR_INVALID, _("Enter a number."));
      return FALSE;
    }

  if (value < min || value > max)
    {
      g_autofree char *low = yatai_text_format_number (min);
      g_autofree char *high = yatai_text_format_number (max);
      /* Translators: the range of a number a person may type, for example "from 0 to 1,000,000,000" */
      g_set_error (error, YATAI_STORE_ERROR, YATAI_STORE_ERROR_INVALID,
                   _("Enter a number from %s to %s."), low, high);
      return FALSE;
    }

  *out_value = value;
  return TRUE;
}
