/* main.c: Yatai, the order system of a food stall */
#define G_LOG_DOMAIN "yatai"

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "yatai-application.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(YataiApplication) app = NULL;

  setlocale (LC_ALL, "");
  /* YATAI_LOCALEDIR lets a build tree run with its own translations (tools/dev run). */
  bindtextdomain (GETTEXT_PACKAGE, g_getenv ("YATAI_LOCALEDIR") ? g_getenv ("YATAI_LOCALEDIR") : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  app = yatai_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
