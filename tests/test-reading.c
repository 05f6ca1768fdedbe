/* test-reading.c: a product's reading found by kana and by romaji */
#include "config.h"

#include "yatai-reading.h"

typedef struct
{
  const char *text;
  const char *search;
} Case;

static void
assert_found (const Case *cases,
              guint       n,
              gboolean    found)
{
  for (guint i = 0; i < n; i++)
    if (yatai_reading_matches (cases[i].text, cases[i].search) != found)
      g_error ("“%s” in “%s”: expected %s", cases[i].search, cases[i].text, found ? "found" : "not found");
}

/* Typed a letter at a time, every prefix finds it, ending inside a kana's romaji too. */
static void
test_prefixes (void)
{
  const char *words[] = { "yakisoba", "karaage", "ocha", "ryokucha", "kakigoori", "hottokoohii" };
  const char *readings[] = { "やきそば", "からあげ", "おちゃ", "りょくちゃ", "かきごおり", "ほっとこーひー" };

  for (guint w = 0; w < G_N_ELEMENTS (words); w++)
    for (gsize len = 1; len <= strlen (words[w]); len++)
      {
        g_autofree char *typed = g_strndup (words[w], len);

        if (!yatai_reading_matches (readings[w], typed))
          g_error ("“%s” did not find “%s”", typed, readings[w]);
      }
}

static void
test_hepburn_and_variants (void)
{
  const Case found[] = {
    { "やきそば", "yaki" },
    { "やきそば", "yakis" },
    { "やきそば", "soba" },          /* any part, as the menu's search finds a part of a name */
    { "からあげ", "karaage" },
    { "からあげ", "karāge" },        /* a macron: "ā" is "aa" */
    { "からあげ", "KARAAGE" },
    { "からあげ", "ｋａｒａａｇｅ" },   /* full-width letters, as an input method types them */
    { "おちゃ", "ocha" },
    { "おちゃ", "otya" },            /* kunrei */
    { "おちゃ", "otixya" },          /* one kana at a time, as keyboards take it */
    { "すし", "sushi" },
    { "すし", "susi" },
    { "ちくわ", "tikuwa" },
    { "つくね", "tukune" },
    { "ふらんくふると", "hurankuhuruto" },
    { "ふらんくふると", "furanku" },
    { "じゃがばたー", "jagabata" },
    { "じゃがばたー", "zyagabata" },
    { "じゃがばたー", "jyagabataa" },
    { "じゃがばたー", "jagabatā" },
    { "じゃがばたー", "jagabata-" },
    { "しゃぶしゃぶ", "syabu" },
    { "ぎゅうどん", "gyuudon" },
    { "ぎゅうどん", "gyudon" },       /* the long vowel left out */
    { "ぎゅうどん", "gyūdon" },
    { "とうきょう", "tōkyō" },        /* "ō" for おう */
    { "とうきょう", "toukyou" },
    { "とうきょう", "tokyo" },
    { "ほっとこーひー", "kōhī" },
    { "ほっとこーひー", "koohii" },
    { "ほっとこーひー", "kouhii" },
    { "ほっとこーひー", "kohi" },
    { "ほっとこーひー", "hotto" },
    { "ほっとこーひー", "hot" },       /* inside the doubled consonant */
    { "ほっとこーひー", "hoxtsuto" },
    { "まっちゃ", "maccha" },
    { "まっちゃ", "matcha" },          /* Hepburn's tch */
    { "まっちゃ", "mattya" },
    { "りんごあめ", "ringo" },
    { "りんごあめ", "rinngo" },
    { "しんぶん", "shimbun" },         /* ん before b, m, p */
    { "しんぶん", "shinbun" },
    { "かんい", "kan'i" },
    { "かき ごおり", "kakigori" },     /* a space in the reading need not be typed */
    { "かき ごおり", "kaki goori" },
    { "かきごおり", "kakigōri" },
    { "ふぁんた", "fanta" },
    { "てぃー", "tii" },
    { "ちぇっく", "chekku" },
    { "ゔぁにら", "vanira" },
  };
  const Case not_found[] = {
    { "やきそば", "zzz" },
    { "やきそば", "yakiz" },
    { "やきそば", "sobaa" },
    { "からあげ", "karaagee" },
    { "おちゃ", "occha" },
    { "ほっとこーひー", "hoto" },      /* っ is typed */
    { "まっちゃ", "macha" },
    { "しんぶん", "shimmbun" },
    { "りんごあめ", "rimgo" },          /* "m" only before b, m, p */
  };

  assert_found (found, G_N_ELEMENTS (found), TRUE);
  assert_found (not_found, G_N_ELEMENTS (not_found), FALSE);
}

/* Katakana and hiragana find each other, half-width katakana too; other text is found as it is. */
static void
test_kana_and_text (void)
{
  const Case found[] = {
    { "ラムネ", "らむね" },
    { "らむね", "ラムネ" },
    { "ﾗﾑﾈ", "らむ" },
    { "ラムネ", "ramune" },
    { "チョコバナナ", "chokobanana" },
    { "チョコバナナ", "バナナ" },
    { "焼きそば", "焼き" },
    { "たこ焼き (8個)", "tako" },
    { "たこ焼き (8個)", "8個" },
    { "Hot Coffee", "coffee" },
    { "Hot Coffee", "hot c" },
    { "焼きそば", "" },
    { "やきそば", "やきs" },            /* kana and then romaji */
  };
  const Case not_found[] = {
    { "焼きそば", "yaki" },            /* 焼 has no romaji here: that is what the reading is for */
    { "ラムネ", "らむな" },
    { "Hot Coffee", "tea" },
  };

  assert_found (found, G_N_ELEMENTS (found), TRUE);
  assert_found (not_found, G_N_ELEMENTS (not_found), FALSE);
}

static void
test_from_name (void)
{
  const struct { const char *name; const char *reading; } cases[] = {
    { "ラムネ", "らむね" },
    { "チョコバナナ", "ちょこばなな" },
    { "ﾁｮｺﾊﾞﾅﾅ", "ちょこばなな" },
    { "ホットコーヒー", "ほっとこーひー" },
    { "かき氷", NULL },
    { "焼きそば", NULL },
    { "Ramune", NULL },
    { "ラムネ 2", NULL },
    { "ふらんく ふると", "ふらんく ふると" },
    { "   ", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *reading = yatai_reading_from_name (cases[i].name);

      g_assert_cmpstr (reading, ==, cases[i].reading);
    }
}

/* A long text and a long search stay quick: each place is tried once. */
static void
test_long_text (void)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GString) search = g_string_new (NULL);

  for (int i = 0; i < 200; i++)
    g_string_append (text, "ーっんおう");
  for (int i = 0; i < 200; i++)
    g_string_append (search, "ou");
  g_string_append (search, "z");
  g_assert_false (yatai_reading_matches (text->str, search->str));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/reading/prefixes", test_prefixes);
  g_test_add_func ("/reading/hepburn-and-variants", test_hepburn_and_variants);
  g_test_add_func ("/reading/kana-and-text", test_kana_and_text);
  g_test_add_func ("/reading/from-name", test_from_name);
  g_test_add_func ("/reading/long-text", test_long_text);
  return g_test_run ();
}
