#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A product's reading (furigana, "やきそば" for 焼きそば) and the search that finds a product by it, typed
 * in kana or in romaji on a keyboard without an input method ("yaki", "yakisoba", "karāge").
 *
 * Text and search are both folded first (yatai_reading_fold()): width (NFKC), case, katakana to
 * hiragana, and vowels with a macron or circumflex written twice ("ō" is "oo"). */

char     *yatai_reading_fold       (const char *text);

/* The hiragana reading of a name written only in kana ("ラムネ" gives "らむね", "ﾁｮｺﾊﾞﾅﾅ" gives
 * "ちょこばなな"), or NULL when the name holds anything else ("焼きそば", "Ramune"). */
char     *yatai_reading_from_name  (const char *name);

/* Whether @search (as typed) is found in @text (a name or a reading), from any character on, as the
 * menu's search finds a part of a name: literally, or as Hepburn romaji for the kana of @text with the
 * usual variants (shi/si, chi/ti, tsu/tu, fu/hu, ji/zi, sha/sya, cha/tya, ja/zya/jya, n/nn/n', a
 * doubled consonant for っ, a long vowel written twice, with a macron, or left out). The end of
 * @search may stop inside a kana's romaji: "yakis" is found in "やきそば". An empty @search is found
 * everywhere. */
gboolean  yatai_reading_matches    (const char *text,
                                    const char *search);

/* The same with @search folded once by yatai_reading_search_fold() (and spaces taken out), for a
 * filter that looks at many texts. */
char     *yatai_reading_search_fold (const char *search);
gboolean  yatai_reading_matches_folded (const char *folded_text,
                                        const char *folded_search);

G_END_DECLS
