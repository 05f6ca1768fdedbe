/* pair-announce.c: what a counter's open Add a Device publishes, for link-netns-check.sh
 *
 *   pair-announce NAME PORT: publishes pairing's DNS-SD service (yatai_link_discovery_new_for_pairing)
 *   as the counter NAME on PORT, prints "published" once the Avahi daemon confirms it, and withdraws it
 *   when stdin closes, printing "withdrawn". */
#include "config.h"

#include <glib-unix.h>

#include "yatai-link-discovery.h"

static gboolean
check_published (gpointer data)
{
  static gboolean said;

  if (!said && yatai_link_discovery_get_published (data))
    {
      said = TRUE;
      g_print ("published\n");
    }
  return G_SOURCE_CONTINUE;
}

static gboolean
stdin_closed (int          fd,
              GIOCondition condition,
              gpointer     data)
{
  char byte;

  if (condition & G_IO_IN && read (fd, &byte, 1) > 0)
    return G_SOURCE_CONTINUE;
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(YataiLinkDiscovery) discovery = NULL;
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  guint64 port = 0;

  if (argc != 3 || !g_ascii_string_to_unsigned (argv[2], 10, 1, G_MAXUINT16, &port, NULL))
    {
      g_printerr ("Usage: pair-announce NAME PORT\n");
      return 2;
    }
  discovery = yatai_link_discovery_new_for_pairing (argv[1]);
  if (!yatai_link_discovery_available (discovery))
    {
      g_printerr ("No Avahi daemon\n");
      return 1;
    }
  yatai_link_discovery_publish (discovery, (guint16) port);
  g_timeout_add (50, check_published, discovery);
  g_unix_fd_add (0, G_IO_IN | G_IO_HUP | G_IO_ERR, stdin_closed, loop);
  g_main_loop_run (loop);
  yatai_link_discovery_withdraw (discovery);
  g_print ("withdrawn\n");
  return 0;
}
