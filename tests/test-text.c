/* test-text.c: characters as a person counts them, yen, numbers as typed */
#include "config.h"

#include "yatai-command.h"
#include "yatai-store.h"
#include "yatai-text.h"

static void
test_count_graphemes (void)
{
  g_assert_cmpuint (yatai_text_count_chars (""), ==, 0);
  g_assert_cmpuint (yatai_text_count_chars (NULL), ==, 0);
  g_assert_cmpuint (yatai_text_count_chars ("abc"), ==, 3);
  g_assert_cmpuint (yatai_text_count_chars ("焼きそば"), ==, 4);
  /* A family is one character; so is が, composed or written as か + combining dakuten. */
  g_assert_cmpuint (yatai_text_count_chars ("👨‍👩‍👧"), ==, 1);
  g_assert_cmpuint (yatai_text_count_chars ("が"), ==, 1);
  g_assert_cmpuint (yatai_text_count_chars ("か\u3099"), ==, 1);
  g_assert_cmpuint (yatai_text_count_chars ("👍🏽"), ==, 1);
  g_assert_cmpuint (yatai_text_count_chars ("🇯🇵🇯🇵"), ==, 2);
}

static void
test_clean (void)
{
  g_autofree char *a = yatai_text_clean ("  焼きそば \n");
  g_autofree char *b = yatai_text_clean ("か\u3099");
  g_autofree char *c = yatai_text_clean ("a\tb\x01" "c");
  g_autofree char *d = yatai_text_clean ("\xff\xfe");
  g_autofree char *e = yatai_text_clean ("👨‍👩‍👧");
  g_autofree char *f = yatai_text_clean ("\u3000 たこ焼き\u3000大\u3000");
  g_autofree char *g = yatai_text_clean ("\u3000\u00a0 ");

  g_assert_cmpstr (a, ==, "焼きそば");
  g_assert_cmpstr (b, ==, "が");
  g_assert_cmpstr (c, ==, "a bc");
  g_assert_null (d);
  g_assert_cmpstr (e, ==, "👨‍👩‍👧");
  /* A Japanese keyboard's ideographic space counts as white space at the ends, and stays inside. */
  g_assert_cmpstr (f, ==, "たこ焼き\u3000大");
  g_assert_cmpstr (g, ==, "");
}

static void
test_format_yen (void)
{
  const struct { gint64 value; const char *text; } cases[] = {
    { 0, "¥0" }, { 5, "¥5" }, { 999, "¥999" }, { 1000, "¥1,000" }, { 1200, "¥1,200" },
    { 123456, "¥123,456" }, { 1000000000, "¥1,000,000,000" }, { -1500, "-¥1,500" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = yatai_text_format_yen (cases[i].value);
      g_assert_cmpstr (text, ==, cases[i].text);
    }
}

static void
test_parse_amount (void)
{
  const struct { const char *text; gboolean ok; gint64 value; } cases[] = {
    { "1200", TRUE, 1200 }, { "1,200", TRUE, 1200 }, { "¥1,200", TRUE, 1200 },
    { "１２００", TRUE, 1200 }, { " 0 ", TRUE, 0 }, { "1000000000", TRUE, 1000000000 },
    { "1000000001", FALSE, 0 }, { "-1", FALSE, 0 }, { "12.5", FALSE, 0 }, { "abc", FALSE, 0 },
    { "", FALSE, 0 }, { "99999999999999999999999", FALSE, 0 }, { "١٢", FALSE, 0 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      gint64 value = -1;
      gboolean ok = yatai_text_parse_amount (cases[i].text, 0, 1000000000, &value, &error);

      g_test_message ("parsing “%s”", cases[i].text);
      g_assert_cmpint (ok, ==, cases[i].ok);
      if (ok)
        {
          g_assert_no_error (error);
          g_assert_cmpint (value, ==, cases[i].value);
        }
      else
        {
          g_assert_error (error, YATAI_STORE_ERROR, YATAI_STORE_ERROR_INVALID);
          g_assert_cmpint (value, ==, -1);
        }
    }
}

static void
test_range_message (void)
{
  g_autoptr(GError) error = NULL;
  gint64 value;

  g_assert_false (yatai_text_parse_amount ("2000000000", 0, 1000000000, &value, &error));
  g_assert_cmpstr (error->message, ==, "Enter a number from 0 to 1,000,000,000.");
}

/* The direction overrides and isolates are refused, the marks that only hint a direction are not. */
static void
test_direction_controls (void)
{
  const gunichar refused[] = { 0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069 };
  const gunichar kept[] = { 0x200E, 0x200F, 0x061C, 0x200D, 0xFE0F, 0x2065, 0x2029 };

  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autoptr(GError) error = NULL;
      char buffer[8] = { 0 };
      g_autofree char *text = NULL;

      g_unichar_to_utf8 (refused[i], buffer);
      text = g_strconcat ("焼き", buffer, "そば", NULL);
      g_assert_false (yatai_text_check_hidden (text, &error));
      g_assert_error (error, YATAI_STORE_ERROR, YATAI_STORE_ERROR_INVALID);
    }
  for (guint i = 0; i < G_N_ELEMENTS (kept); i++)
    {
      char buffer[8] = { 0 };
      g_autofree char *text = NULL;

      g_unichar_to_utf8 (kept[i], buffer);
      text = g_strconcat ("焼き", buffer, "そば", NULL);
      g_assert_true (yatai_text_check_hidden (text, NULL));
    }
  g_assert_true (yatai_text_check_hidden ("", NULL));
  g_assert_true (yatai_text_check_hidden ("👨‍👩‍👧", NULL));
}

/* json-glib 1.6 hands "ab\u0000cd" back as "ab" and keeps no length: Yatai looks at the text first. */
static void
test_json_nul (void)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  const char cut[] = "{\"a\": \"ab\\u0000cd\"}";
  const char raw[] = "{\"a\": \"ab\0cd\"}";

  g_assert_true (json_parser_load_from_data (parser, cut, -1, NULL));
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (json_parser_get_root (parser)), "a"), ==, "ab");

  g_assert_true (yatai_json_holds_nul (cut, strlen (cut)));
  g_assert_true (yatai_json_holds_nul (raw, sizeof raw - 1));
  g_assert_true (yatai_json_holds_nul ("{\"a\\u0000b\": 1}", strlen ("{\"a\\u0000b\": 1}")));
  g_assert_true (yatai_json_holds_nul ("[\"\\\"\\u0000\"]", strlen ("[\"\\\"\\u0000\"]")));
  g_assert_false (yatai_json_holds_nul ("{\"a\": \"ab\\\\u0000cd\"}", strlen ("{\"a\": \"ab\\\\u0000cd\"}")));   /* a backslash, then "u0000" */
  g_assert_false (yatai_json_holds_nul ("{\"a\": \"\\u0100\"}", strlen ("{\"a\": \"\\u0100\"}")));
  g_assert_false (yatai_json_holds_nul ("{\"a\": \"\\u0001\\u2000\"}", strlen ("{\"a\": \"\\u0001\\u2000\"}")));
  g_assert_false (yatai_json_holds_nul ("{\"a\": 0}", strlen ("{\"a\": 0}")));

  g_assert_null (yatai_json_parse_one (parser, cut, -1));
  g_assert_null (yatai_json_parse_one (parser, raw, sizeof raw - 1));
  g_assert_nonnull (yatai_json_parse_one (parser, "{\"a\": \"ab\\\\u0000cd\"}", -1));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/text/count-graphemes", test_count_graphemes);
  g_test_add_func ("/text/clean", test_clean);
  g_test_add_func ("/text/direction-controls", test_direction_controls);
  g_test_add_func ("/text/json-nul", test_json_nul);
  g_test_add_func ("/text/format-yen", test_format_yen);
  g_test_add_func ("/text/parse-amount", test_parse_amount);
  g_test_add_func ("/text/range-message", test_range_message);

  return g_test_run ();
}
