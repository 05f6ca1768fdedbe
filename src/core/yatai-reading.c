/* yatai-reading.c: a product's reading, and finding it by kana or romaji
 *
 * The search walks the folded text and what was typed side by side, trying at each kana every way it
 * is written in romaji (the table below, and a few rules for what depends on the kana around it: a
 * small ゃゅょ after a kana in -i, a small っ before a consonant, ん before b/m/p, a long vowel). Where
 * the ways part, each is tried (a depth-first search); a place in the text and in the search that led
 * nowhere once is remembered, so the work is at most the text's length times the search's.
 *
 * No library in Debian does this for C; the table is Hepburn's with the spellings Japanese keyboards'
 * romaji input accepts (kunrei and nihon-shiki: si, ti, tu, hu, zi, di, du).
 */
#define G_LOG_DOMAIN "yatai-reading"

#include "config.h"

#include <string.h>

#include "yatai-reading.h"

#define SMALL_TSU  0x3063   /* っ */
#define N_KANA     0x3093   /* ん */
#define LONG_MARK  0x30FC   /* ー */
#define MIDDLE_DOT 0x30FB   /* ・ */

/* Each kana with its romaji, the usual spelling first. Two kana: the sounds written with a small
 * vowel (ふぁ). The y-sounds (きゃ, しゅ, ちょ) come from the -i kana by a rule, see add_options(). */
static const struct
{
  const char *kana;
  const char *romaji;
} romaji_table[] = {
  { "あ", "a" }, { "い", "i" }, { "う", "u wu" }, { "え", "e" }, { "お", "o" },
  { "か", "ka ca" }, { "き", "ki" }, { "く", "ku cu" }, { "け", "ke" }, { "こ", "ko co" },
  { "が", "ga" }, { "ぎ", "gi" }, { "ぐ", "gu" }, { "げ", "ge" }, { "ご", "go" },
  { "さ", "sa" }, { "し", "shi si" }, { "す", "su" }, { "せ", "se" }, { "そ", "so" },
  { "ざ", "za" }, { "じ", "ji zi" }, { "ず", "zu" }, { "ぜ", "ze" }, { "ぞ", "zo" },
  { "た", "ta" }, { "ち", "chi ti" }, { "つ", "tsu tu" }, { "て", "te" }, { "と", "to" },
  { "だ", "da" }, { "ぢ", "ji di zi" }, { "づ", "zu du dzu" }, { "で", "de" }, { "ど", "do" },
  { "な", "na" }, { "に", "ni" }, { "ぬ", "nu" }, { "ね", "ne" }, { "の", "no" },
  { "は", "ha" }, { "ひ", "hi" }, { "ふ", "fu hu" }, { "へ", "he" }, { "ほ", "ho" },
  { "ば", "ba" }, { "び", "bi" }, { "ぶ", "bu" }, { "べ", "be" }, { "ぼ", "bo" },
  { "ぱ", "pa" }, { "ぴ", "pi" }, { "ぷ", "pu" }, { "ぺ", "pe" }, { "ぽ", "po" },
  { "ま", "ma" }, { "み", "mi" }, { "む", "mu" }, { "め", "me" }, { "も", "mo" },
  { "や", "ya" }, { "ゆ", "yu" }, { "よ", "yo" },
  { "ら", "ra la" }, { "り", "ri li" }, { "る", "ru lu" }, { "れ", "re le" }, { "ろ", "ro lo" },
  { "わ", "wa" }, { "ゐ", "i wi" }, { "ゑ", "e we" }, { "を", "o wo" }, { "ゔ", "vu" },
  { "ぁ", "a xa la" }, { "ぃ", "i xi li" }, { "ぅ", "u xu lu" }, { "ぇ", "e xe le" }, { "ぉ", "o xo lo" },
  { "ゃ", "ya xya lya" }, { "ゅ", "yu xyu lyu" }, { "ょ", "yo xyo lyo" }, { "ゎ", "wa xwa lwa" },
  { "ゕ", "ka xka" }, { "ゖ", "ke xke" },
  { "ふぁ", "fa" }, { "ふぃ", "fi" }, { "ふぇ", "fe" }, { "ふぉ", "fo" },
  { "ゔぁ", "va" }, { "ゔぃ", "vi" }, { "ゔぇ", "ve" }, { "ゔぉ", "vo" },
  { "てぃ", "ti" }, { "でぃ", "di" }, { "とぅ", "tu" }, { "どぅ", "du" },
  { "しぇ", "she" }, { "じぇ", "je" }, { "ちぇ", "che" }, { "いぇ", "ye" },
  { "うぃ", "wi" }, { "うぇ", "we" }, { "うぉ", "wo" }, { "つぁ", "tsa" }, { "くぁ", "kwa" },
};

/* kana (one or two, as UTF-8) → its spellings */
static GHashTable *
spellings (void)
{
  static GHashTable *table;
  static gsize built;

  if (g_once_init_enter (&built))
    {
      table = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) g_strfreev);
      for (guint i = 0; i < G_N_ELEMENTS (romaji_table); i++)
        g_hash_table_insert (table, (gpointer) romaji_table[i].kana, g_strsplit (romaji_table[i].romaji, " ", -1));
      g_once_init_leave (&built, 1);
    }
  return table;
}

static const char * const *
lookup (const gunichar *text,
        glong           length)
{
  char key[16];
  int n = 0;

  for (glong i = 0; i < length; i++)
    n += g_unichar_to_utf8 (text[i], key + n);
  key[n] = '\0';
  return g_hash_table_lookup (spellings (), key);
}

/* Folding */

static void
append_folded (GString  *out,
               gunichar  c)
{
  /* Katakana to hiragana (ヴ is ゔ; ヷ-ヺ have none and stay); the iteration marks too. */
  if ((c >= 0x30A1 && c <= 0x30F6) || c == 0x30FD || c == 0x30FE)
    c -= 0x60;

  switch (c)
    {
    case 0x0101: case 0x00E2: g_string_append (out, "aa"); return;   /* ā â */
    case 0x012B: case 0x00EE: g_string_append (out, "ii"); return;   /* ī î */
    case 0x016B: case 0x00FB: g_string_append (out, "uu"); return;   /* ū û */
    case 0x0113: case 0x00EA: g_string_append (out, "ee"); return;   /* ē ê */
    case 0x014D: case 0x00F4: g_string_append (out, "oo"); return;   /* ō ô */
    default: g_string_append_unichar (out, c); return;
    }
}

char *
yatai_reading_fold (const char *text)
{
  g_autofree char *normalized = NULL;
  g_autofree char *folded = NULL;
  GString *out;

  g_return_val_if_fail (text != NULL, NULL);

  normalized = g_utf8_normalize (text, -1, G_NORMALIZE_ALL_COMPOSE);
  if (normalized == NULL)
    return g_strdup ("");
  folded = g_utf8_casefold (normalized, -1);
  out = g_string_sized_new (strlen (folded));
  for (const char *p = folded; *p != '\0'; p = g_utf8_next_char (p))
    append_folded (out, g_utf8_get_char (p));
  return g_string_free (out, FALSE);
}

char *
yatai_reading_search_fold (const char *search)
{
  g_autofree char *folded = NULL;
  GString *out;

  g_return_val_if_fail (search != NULL, NULL);

  folded = yatai_reading_fold (search);
  out = g_string_sized_new (strlen (folded));
  for (const char *p = folded; *p != '\0'; p = g_utf8_next_char (p))
    if (!g_unichar_isspace (g_utf8_get_char (p)))
      g_string_append_unichar (out, g_utf8_get_char (p));
  return g_string_free (out, FALSE);
}

static gboolean
is_kana (gunichar c)
{
  return (c >= 0x3041 && c <= 0x3096) || (c >= 0x309D && c <= 0x309F) || (c >= 0x30A1 && c <= 0x30FA) ||
         c == LONG_MARK || c == 0x30FD || c == 0x30FE;
}

char *
yatai_reading_from_name (const char *name)
{
  g_autofree char *normalized = NULL;
  g_autoptr(GString) out = NULL;
  gboolean any = FALSE;

  g_return_val_if_fail (name != NULL, NULL);

  normalized = g_utf8_normalize (name, -1, G_NORMALIZE_ALL_COMPOSE);
  if (normalized == NULL)
    return NULL;
  out = g_string_new (NULL);
  for (const char *p = normalized; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (is_kana (c))
        any = TRUE;
      else if (!g_unichar_isspace (c) && c != MIDDLE_DOT)
        return NULL;
      append_folded (out, c);
    }
  if (!any)
    return NULL;
  return g_strstrip (g_string_free (g_steal_pointer (&out), FALSE));
}

/* Matching */

typedef struct
{
  char   romaji[12];
  glong  kana;          /* how many characters of the text it stands for */
} Option;

typedef struct
{
  const gunichar *text;
  glong           length;
  const char     *search;
  gsize           search_length;
  guint8         *failed;   /* (text position, search position) pairs that led nowhere */
} Walk;

#define MAX_OPTIONS 32

static void
add_option (Option     *options,
            guint      *n,
            const char *romaji,
            glong       kana)
{
  if (*n >= MAX_OPTIONS || strlen (romaji) >= sizeof options[0].romaji)
    return;
  g_strlcpy (options[*n].romaji, romaji, sizeof options[0].romaji);
  options[*n].kana = kana;
  (*n)++;
}

static gboolean
is_small_y (gunichar c)
{
  return c == 0x3083 || c == 0x3085 || c == 0x3087;   /* ゃ ゅ ょ */
}

/* The vowel a character of the text ends with, or 0. */
static char
vowel_at (const Walk *w,
          glong       i)
{
  const char * const *spelled;
  char last;

  if (i < 0)
    return 0;
  if (w->text[i] == LONG_MARK)
    return vowel_at (w, i - 1);
  if (w->text[i] < 0x80)
    return strchr ("aeiou", (char) w->text[i]) != NULL ? (char) w->text[i] : 0;
  spelled = lookup (w->text + i, 1);
  if (spelled == NULL)
    return 0;
  last = spelled[0][strlen (spelled[0]) - 1];
  return strchr ("aeiou", last) != NULL ? last : 0;
}

static void add_options (const Walk *w, glong i, Option *options, guint *n);

/* っ: the next kana's consonant doubled ("kk", "pp"; "tch" and "cch" before ち). */
static void
add_small_tsu (const Walk *w,
               glong       i,
               Option     *options,
               guint      *n)
{
  add_option (options, n, "xtsu", 1);
  add_option (options, n, "ltsu", 1);
  if (i + 1 < w->length && w->text[i + 1] != SMALL_TSU)
    {
      Option next[MAX_OPTIONS];
      guint n_next = 0;

      add_options (w, i + 1, next, &n_next);
      for (guint k = 0; k < n_next; k++)
        {
          const char *r = next[k].romaji;
          g_autofree char *doubled = NULL;

          if (r[0] == '\0' || strchr ("aeiouyn'-", r[0]) != NULL)
            continue;
          doubled = g_strdup_printf ("%c%s", r[0], r);
          add_option (options, n, doubled, 1 + next[k].kana);
          if (g_str_has_prefix (r, "ch"))
            {
              g_autofree char *tch = g_strdup_printf ("t%s", r);
              add_option (options, n, tch, 1 + next[k].kana);
            }
        }
    }
}

/* Every way the text from @i on may be written, with how much of it each covers. */
static void
add_options (const Walk *w,
             glong       i,
             Option     *options,
             guint      *n)
{
  gunichar c = w->text[i];
  const char * const *spelled;
  char vowel, before = vowel_at (w, i - 1);

  if (c == LONG_MARK)
    {
      char same[2] = { before, '\0' };

      if (before != 0)
        add_option (options, n, same, 1);
      if (before == 'o')
        add_option (options, n, "u", 1);
      add_option (options, n, "-", 1);
      add_option (options, n, "", 1);
      return;
    }
  if (c == SMALL_TSU)
    {
      add_small_tsu (w, i, options, n);
      return;
    }
  if (c == N_KANA)
    {
      Option next[MAX_OPTIONS];
      guint n_next = 0;

      add_option (options, n, "nn", 1);
      add_option (options, n, "n'", 1);
      add_option (options, n, "n", 1);
      if (i + 1 < w->length && w->text[i + 1] != N_KANA)
        add_options (w, i + 1, next, &n_next);
      for (guint k = 0; k < n_next; k++)
        if (next[k].romaji[0] != '\0' && strchr ("bmp", next[k].romaji[0]) != NULL)
          {
            add_option (options, n, "m", 1);   /* Hepburn's "shimbun" */
            break;
          }
      return;
    }

  spelled = lookup (w->text + i, 1);
  if (spelled == NULL)
    return;

  /* Two kana that are one sound: きゃ kya, しゃ sha/sya, じゃ ja/zya/jya; ふぁ fa. */
  if (i + 1 < w->length && is_small_y (w->text[i + 1]))
    {
      const char *y = lookup (w->text + i + 1, 1)[0];   /* "ya" */

      for (guint k = 0; spelled[k] != NULL; k++)
        {
          gsize len = strlen (spelled[k]);
          g_autofree char *stem = g_strndup (spelled[k], len - 1);

          if (len < 2 || spelled[k][len - 1] != 'i')
            continue;
          if (g_str_equal (spelled[k], "shi") || g_str_equal (spelled[k], "chi") || g_str_equal (spelled[k], "ji"))
            {
              g_autofree char *plain = g_strconcat (stem, y + 1, NULL);   /* sha, cha, ja */
              add_option (options, n, plain, 2);
            }
          if (!g_str_equal (spelled[k], "shi") && !g_str_equal (spelled[k], "chi"))
            {
              g_autofree char *with_y = g_strconcat (stem, y, NULL);      /* kya, sya, tya, jya */
              add_option (options, n, with_y, 2);
            }
        }
    }
  if (i + 1 < w->length)
    {
      const char * const *pair = lookup (w->text + i, 2);

      for (guint k = 0; pair != NULL && pair[k] != NULL; k++)
        add_option (options, n, pair[k], 2);
    }

  /* A long vowel: "おお", "おう", "えい", "ああ" written twice, with its own vowel, or once. */
  vowel = strchr ("aiueo", spelled[0][0]) != NULL && spelled[0][1] == '\0' ? spelled[0][0] : 0;
  if (vowel != 0 && before != 0 &&
      (vowel == before || (vowel == 'u' && (before == 'o' || before == 'u')) || (vowel == 'i' && before == 'e')))
    {
      char same[2] = { before, '\0' };

      if (vowel != before)
        add_option (options, n, same, 1);
      add_option (options, n, "", 1);
    }

  for (guint k = 0; spelled[k] != NULL; k++)
    add_option (options, n, spelled[k], 1);
}

static gboolean walk_from (Walk *w, glong i, gsize j);

static gboolean
try_romaji (Walk       *w,
            glong       i,
            gsize       j,
            const Option *option)
{
  gsize len = strlen (option->romaji);
  gsize rest = w->search_length - j;

  /* The search may end inside a kana's romaji: "yakis" has the "s" of "so". */
  if (rest <= len)
    return rest > 0 && memcmp (w->search + j, option->romaji, rest) == 0;
  if (memcmp (w->search + j, option->romaji, len) != 0)
    return FALSE;
  return walk_from (w, i + option->kana, j + len);
}

static gboolean
walk_step (Walk  *w,
           glong  i,
           gsize  j)
{
  gunichar c = w->text[i];
  const char *typed = w->search + j;
  gunichar t = g_utf8_get_char (typed);

  /* A space or ・ in the text may be typed or not. */
  if ((g_unichar_isspace (c) || c == MIDDLE_DOT) && walk_from (w, i + 1, j))
    return TRUE;
  if (t == c && walk_from (w, i + 1, g_utf8_next_char (typed) - w->search))
    return TRUE;
  if ((t >= 'a' && t <= 'z') || t == '-' || t == '\'')
    {
      Option options[MAX_OPTIONS];
      guint n = 0;

      add_options (w, i, options, &n);
      for (guint k = 0; k < n; k++)
        if (try_romaji (w, i, j, &options[k]))
          return TRUE;
    }
  return FALSE;
}

static gboolean
walk_from (Walk  *w,
           glong  i,
           gsize  j)
{
  gsize cell;

  if (j >= w->search_length)
    return TRUE;
  if (i >= w->length)
    return FALSE;
  cell = (gsize) i * (w->search_length + 1) + j;
  if (w->failed[cell])
    return FALSE;
  if (walk_step (w, i, j))
    return TRUE;
  w->failed[cell] = 1;
  return FALSE;
}

gboolean
yatai_reading_matches_folded (const char *folded_text,
                              const char *folded_search)
{
  g_autofree gunichar *text = NULL;
  g_autofree guint8 *failed = NULL;
  Walk w;
  glong length;

  g_return_val_if_fail (folded_text != NULL, FALSE);
  g_return_val_if_fail (folded_search != NULL, FALSE);

  if (*folded_search == '\0')
    return TRUE;
  text = g_utf8_to_ucs4_fast (folded_text, -1, &length);
  w.text = text;
  w.length = length;
  w.search = folded_search;
  w.search_length = strlen (folded_search);
  failed = g_malloc0 ((length + 1) * (w.search_length + 1));
  w.failed = failed;
  for (glong i = 0; i < length; i++)
    if (walk_from (&w, i, 0))
      return TRUE;
  return FALSE;
}

gboolean
yatai_reading_matches (const char *text,
                       const char *search)
{
  g_autofree char *folded_text = NULL;
  g_autofree char *folded_search = NULL;

  g_return_val_if_fail (text != NULL, FALSE);
  g_return_val_if_fail (search != NULL, FALSE);

  folded_text = yatai_reading_fold (text);
  folded_search = yatai_reading_search_fold (search);
  return yatai_reading_matches_folded (folded_text, folded_search);
}
