/* link-counter.c: a counter of a stall without a bucket with Add a Device open, for link-netns-check.sh
 *
 *   link-counter STORE NAME: founds a stall without a bucket on STORE (as Add a Device does on a
 *   device with no bucket), writes it, serving the link on every address, and offers a pairing code
 *   on every address at port 47121 as the counter's Add a Device does (the stall as a snapshot, its
 *   link address, no settings). Prints "writer", "code NNNNNN", "paired" once a device has the
 *   stall, and the name of each product it saves ("saved NAME", one a line from stdin); stops when
 *   stdin closes. */
#include "config.h"

#include <stdio.h>

#include "yatai-command.h"
#include "yatai-pair-server.h"
#include "yatai-store-products.h"
#include "yatai-sync-engine.h"

#define PREFIX "yatai/stall-1"

typedef struct
{
  YataiStore      *store;
  YataiSyncEngine *engine;
  GMainLoop       *loop;
  GIOChannel      *input;
} Counter;

static YataiPairing *
stall_cb (gpointer   user_data,
          GError   **error)
{
  Counter *counter = user_data;
  g_autoptr(YataiPairing) pairing = yatai_pairing_new ();
  g_auto(GStrv) addresses = yatai_sync_engine_dup_link_addresses (counter->engine);

  pairing->snapshot = yatai_sync_engine_export_stall (counter->engine, error);
  if (pairing->snapshot == NULL)
    return NULL;
  pairing->counter_name = g_strdup (yatai_store_get_device_name (counter->store));
  pairing->counter_id = g_strdup (yatai_store_get_device_id (counter->store));
  pairing->prefix = g_strdup (PREFIX);
  pairing->link_only = TRUE;
  pairing->link = addresses != NULL && addresses[0] != NULL ? g_strdup (addresses[0]) : NULL;
  return g_steal_pointer (&pairing);
}

static void
state_cb (YataiPairServer *server,
          GParamSpec      *pspec,
          gpointer         data)
{
  if (yatai_pair_server_get_state (server) == YATAI_PAIR_STATE_PAIRED)
    g_print ("paired\n");
}

static gboolean
line_cb (GIOChannel   *channel,
         GIOCondition  condition,
         gpointer      data)
{
  Counter *counter = data;
  g_autofree char *line = NULL;
  g_autoptr(GError) error = NULL;

  if (g_io_channel_read_line (channel, &line, NULL, NULL, NULL) != G_IO_STATUS_NORMAL)
    {
      g_main_loop_quit (counter->loop);
      return G_SOURCE_REMOVE;
    }
  g_strstrip (line);
  if (*line != '\0')
    {
      g_autoptr(JsonObject) args = yatai_product_save_args (0, line, 500, 100, FALSE, NULL, NULL, TRUE);
      g_autoptr(YataiCommand) command = yatai_command_new ("product.save", args);
      g_autoptr(JsonNode) result = NULL;
      gboolean sent;

      result = yatai_sync_engine_execute (counter->engine, command, &sent, &error);
      if (result == NULL)
        g_print ("refused %s\n", error->message);
      else
        g_print ("saved %s\n", line);
    }
  return G_SOURCE_CONTINUE;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(YataiPairServer) server = NULL;
  Counter counter = { 0 };

  setvbuf (stdout, NULL, _IOLBF, 0);
  if (argc != 3)
    {
      g_printerr ("Usage: link-counter STORE NAME\n");
      return 2;
    }
  counter.store = yatai_store_open (argv[1], &error);
  if (counter.store == NULL || !yatai_sync_link_stall_found (counter.store, PREFIX, &error))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  yatai_store_set_device_name (counter.store, argv[2]);
  counter.engine = yatai_sync_engine_new (counter.store, NULL, PREFIX);
  yatai_sync_engine_set_link (counter.engine, "", NULL);
  yatai_sync_engine_start (counter.engine);
  if (yatai_sync_engine_get_role (counter.engine) == YATAI_SYNC_WRITER)
    g_print ("writer\n");

  server = yatai_pair_server_new (stall_cb, &counter, NULL);
  g_signal_connect (server, "notify::state", G_CALLBACK (state_cb), NULL);
  if (!yatai_pair_server_listen (server, NULL, &error))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  g_print ("code %s\n", yatai_pair_server_offer (server));

  counter.loop = g_main_loop_new (NULL, FALSE);
  counter.input = g_io_channel_unix_new (0);
  g_io_add_watch (counter.input, G_IO_IN | G_IO_HUP | G_IO_ERR, line_cb, &counter);
  g_main_loop_run (counter.loop);

  g_io_channel_unref (counter.input);
  g_main_loop_unref (counter.loop);
  g_clear_object (&server);
  g_clear_object (&counter.engine);
  g_clear_object (&counter.store);
  return 0;
}
