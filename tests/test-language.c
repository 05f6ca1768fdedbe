/* test-language.c: Yatai's messages in a language a test chooses */
#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "test-language.h"

void
test_language_use (const char *language)
{
  g_setenv ("LANGUAGE", language, TRUE);
  /* gettext keeps what it translated; a new text domain call makes it look again. */
  textdomain (GETTEXT_PACKAGE);
}

void
test_language_init (void)
{
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, g_getenv ("YATAI_LOCALEDIR"));
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  /* GLib decides once, at its first translation, whether to translate at all (not when the locale is
   * English): make that decision under Japanese, then switch per case. */
  test_language_use ("ja");
  (void) g_dgettext (GETTEXT_PACKAGE, "Enter a name.");
  test_language_use ("en");
}
