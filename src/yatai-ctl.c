/* yatai-ctl: the stall's devices from a terminal, on the same store and sync code as the app
 *
 *   yatai-ctl [--store PATH] [--bucket NAME] [--prefix FOLDER] [--endpoint URL] [--key-file FILE]
 *             [--device-name NAME] [--link HOST:PORT] [--link-listen HOST:PORT] COMMAND
 *
 *   status          who holds the lease, its epoch, the log's head, and where this store stands
 *   restore         the stall from the bucket into --store (a new file): the newest snapshot that
 *                   checks out and the log after it, to its end
 *   follow          a headless follower (a backup PC): prints a line at every change, until Ctrl+C
 *   run             a headless device: reads commands as JSON lines on stdin
 *                   ({"kind": "order.confirm", "args": {...}}) and prints each result as a JSON line
 *   lease release   this device stops writing now, so another can take over at once
 *   lease take      this device becomes the writer (after the lease's silence) and keeps writing
 *   export [DAY]    the order lines of a business day (or all) as the Sales page's CSV, on stdout
 *   pair [HOST:PORT] CODE  the stall from a counter showing Add a Device's code, into --store (a new file);
 *                   without HOST:PORT, the one counter found on the network by DNS-SD
 *
 * Without --bucket, the settings the app uses are read (GSettings).
 */
#define G_LOG_DOMAIN "yatai-ctl"

#include "config.h"

#include <glib-unix.h>
#include <glib/gi18n.h>
#include <locale.h>
#include <stdio.h>

#include "yatai-csv.h"
#include "yatai-ctl-status.h"
#include "yatai-ctl-store.h"
#include "yatai-gcs-bucket.h"
#include "yatai-link-discovery.h"
#include "yatai-pair.h"
#include "yatai-refusal.h"
#include "yatai-store-journal.h"
#include "yatai-sync-engine.h"
#include "yatai-text.h"

typedef struct
{
  GMainLoop       *loop;
  YataiStore      *store;
  YataiSyncEngine *engine;
  const char      *command;
  int              status;
  gint64           last_seq;
  GIOChannel      *input;
  gboolean         reading;
  gboolean         stopping;
  GHashTable      *awaiting;   /* ids of commands sent to the writer whose outcome has not come back */
  char            *last_error; /* restore: the last problem printed */
  const char      *target;     /* the store asked for (a restore writes another file until it is whole) */
  gboolean         restored;   /* restore: the stall is all there (Ctrl+C before leaves no store) */
} Ctl;

#define STATUS_SECONDS 5
#define START_SECONDS  10     /* how long a device may take to learn its part before yatai-ctl says so */

static gboolean input_cb (GIOChannel   *channel,
                          GIOCondition  condition,
                          gpointer      data);

static char *opt_store, *opt_bucket, *opt_prefix, *opt_endpoint, *opt_key_file, *opt_device;
static char *opt_link, *opt_link_listen;
static gboolean opt_takes_orders;

static const GOptionEntry entries[] = {
  { "store", 's', 0, G_OPTION_ARG_FILENAME, &opt_store, N_("The store file (the app's by default)"), N_("PATH") },
  { "bucket", 0, 0, G_OPTION_ARG_STRING, &opt_bucket, N_("The stall's bucket"), N_("NAME") },
  { "prefix", 0, 0, G_OPTION_ARG_STRING, &opt_prefix, N_("The stall's folder in the bucket"), N_("FOLDER") },
  { "endpoint", 0, 0, G_OPTION_ARG_STRING, &opt_endpoint, N_("The storage service's address (a test server)"), N_("URL") },
  { "key-file", 0, 0, G_OPTION_ARG_FILENAME, &opt_key_file, N_("A credentials file: a service account's key, or a gcloud sign-in"), N_("FILE") },
  { "device-name", 0, 0, G_OPTION_ARG_STRING, &opt_device, N_("This device's name for the others"), N_("NAME") },
  { "link", 0, 0, G_OPTION_ARG_STRING, &opt_link, N_("The writer's address on the local network, where it is not found by itself"), N_("HOST:PORT") },
  { "takes-orders", 0, 0, G_OPTION_ARG_NONE, &opt_takes_orders, N_("This device takes the orders: the writer hands them over to it when it starts"), NULL },
  { "link-listen", 0, 0, G_OPTION_ARG_STRING, &opt_link_listen, N_("Where this device serves the local network link while it writes (every address, port 47122 when it is free, by default)"), N_("HOST:PORT") },
  { NULL }
};

/* The app's settings, when the schema is installed, for what the command line leaves out. */
static void
read_settings (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = source ? g_settings_schema_source_lookup (source, APP_ID, TRUE) : NULL;
  g_autoptr(GSettings) settings = NULL;

  if (schema == NULL)
    return;
  settings = g_settings_new (APP_ID);
  if (opt_bucket == NULL)
    opt_bucket = g_settings_get_string (settings, "sync-bucket");
  if (opt_prefix == NULL)
    opt_prefix = g_settings_get_string (settings, "sync-prefix");
  if (opt_endpoint == NULL)
    opt_endpoint = g_settings_get_string (settings, "sync-endpoint");
  if (opt_key_file == NULL)
    opt_key_file = g_settings_get_string (settings, "sync-key-file");
  if (opt_device == NULL)
    opt_device = g_settings_get_string (settings, "device-name");
  if (opt_link == NULL && g_settings_schema_has_key (schema, "sync-link"))
    opt_link = g_settings_get_string (settings, "sync-link");
  if (!opt_takes_orders && g_settings_schema_has_key (schema, "sync-takes-orders"))
    opt_takes_orders = g_settings_get_boolean (settings, "sync-takes-orders");
}

static const char *
role_name (YataiSyncRole role)
{
  switch (role)
    {
    case YATAI_SYNC_WRITER:
      return "writer";
    case YATAI_SYNC_FOLLOWER:
      return "follower";
    case YATAI_SYNC_STOPPED:
      return "stopped";
    default:
      return "starting";
    }
}

static void
stopped_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Ctl *ctl = user_data;

  yatai_sync_engine_stop_finish (YATAI_SYNC_ENGINE (source), result, NULL);
  if (g_str_equal (ctl->command, "lease release") && ctl->status == 0)
    {
      if (yatai_sync_engine_get_released (ctl->engine))
        {
          g_autofree char *epoch = g_strdup_printf ("%" G_GINT64_FORMAT, yatai_sync_engine_get_epoch (ctl->engine));

          /* TRANSLATORS: %s is the lease's epoch, a number. */
          printf (_("Released the lease (epoch %s): another device can take it at once.\n"), epoch);
        }
      else
        {
          printf ("%s\n", _("The lease could not be released: the bucket did not take it in time. "
                             "Another device can take over once the lease runs out."));
          ctl->status = 1;
        }
      fflush (stdout);
    }
  g_main_loop_quit (ctl->loop);
}

static void
stop (Ctl *ctl,
      int  status)
{
  if (ctl->stopping)
    return;
  ctl->stopping = TRUE;
  ctl->status = status;
  yatai_sync_engine_stop_async (ctl->engine, NULL, stopped_cb, ctl);
}

/* run, at the end of its input: stop once the engine knows its part, everything is in the bucket and
 * every command sent to the writer has its answer (Ctrl+C stops sooner). */
static gboolean
drain_cb (gpointer data)
{
  Ctl *ctl = data;

  if (yatai_sync_engine_get_role (ctl->engine) == YATAI_SYNC_STARTING ||
      yatai_sync_engine_get_pending (ctl->engine) > 0 || yatai_store_outbox_count (ctl->store) > 0 ||
      g_hash_table_size (ctl->awaiting) > 0)
    return G_SOURCE_CONTINUE;
  stop (ctl, 0);
  return G_SOURCE_REMOVE;
}

/* A device that has not learnt its part after START_SECONDS says why, and stops. */
static gboolean
start_watchdog_cb (gpointer data)
{
  Ctl *ctl = data;
  const char *error = yatai_sync_engine_get_error (ctl->engine);

  if (ctl->stopping || yatai_sync_engine_get_role (ctl->engine) != YATAI_SYNC_STARTING)
    return G_SOURCE_REMOVE;
  if (error != NULL)
    g_printerr (_("yatai-ctl: The bucket could not be used within %d seconds: %s\n"), START_SECONDS, error);
  else
    g_printerr (_("yatai-ctl: The bucket did not answer within %d seconds. Check the network and the "
                  "bucket’s address.\n"), START_SECONDS);
  stop (ctl, 1);
  return G_SOURCE_REMOVE;
}

static gboolean
interrupted_cb (gpointer data)
{
  stop (data, 0);
  return G_SOURCE_REMOVE;
}

static void
role_changed_cb (Ctl *ctl)
{
  YataiSyncRole role = yatai_sync_engine_get_role (ctl->engine);

  if (ctl->stopping)
    return;
  if (ctl->input != NULL && !ctl->reading && (role == YATAI_SYNC_WRITER || role == YATAI_SYNC_FOLLOWER))
    {
      ctl->reading = TRUE;
      g_io_add_watch (ctl->input, G_IO_IN | G_IO_HUP, input_cb, ctl);
    }
  if (g_str_equal (ctl->command, "restore") && role == YATAI_SYNC_FOLLOWER)
    {
      if (yatai_sync_engine_get_holder_name (ctl->engine) == NULL && yatai_store_is_empty (ctl->store))
        {
          printf ("%s\n", _("The bucket has no stall in that folder yet: nothing to restore."));
          stop (ctl, 1);
          return;
        }
      /* Restored from the newest snapshot that checks out: now the log after it (caught_up_cb). */
    }
  else if (g_str_equal (ctl->command, "lease release"))
    {
      /* The writer's stop uploads what is left and releases; stopped_cb says how it went. */
      if (role == YATAI_SYNC_WRITER)
        stop (ctl, 0);
      else if (role == YATAI_SYNC_FOLLOWER)
        {
          const char *holder = yatai_sync_engine_get_holder_name (ctl->engine);

          if (holder == NULL || yatai_sync_engine_get_lease_released (ctl->engine))
            printf ("%s\n", _("This device does not hold the lease: nobody holds it (it is released)."));
          else
            printf (_("This device does not hold the lease: %s does.\n"), holder);
          stop (ctl, 1);
        }
    }
  else if (g_str_equal (ctl->command, "lease take") && role == YATAI_SYNC_WRITER)
    printf ("this device writes now (epoch %" G_GINT64_FORMAT "); Ctrl+C releases the lease\n",
            yatai_sync_engine_get_epoch (ctl->engine));
  else if (role != YATAI_SYNC_STARTING)
    printf ("%s\n", role_name (role));
  fflush (stdout);
}

/* A setting to fix (no such bucket, credentials refused, a role missing) does not fix itself while
 * yatai-ctl runs: say what to fix and stop, whatever the command. */
static void
error_changed_cb (Ctl *ctl)
{
  if (ctl->stopping || !yatai_sync_engine_get_needs_settings (ctl->engine))
    return;
  g_printerr ("yatai-ctl: %s\n", yatai_sync_engine_get_error (ctl->engine));
  stop (ctl, 1);
}

/* restore: the new store holds the stall through the end of the log, not only its newest snapshot. */
static void
caught_up_cb (Ctl *ctl)
{
  if (ctl->stopping || !g_str_equal (ctl->command, "restore"))
    return;
  printf ("restored the stall at log position %" G_GINT64_FORMAT " into %s\n",
          yatai_sync_engine_get_seq (ctl->engine), ctl->target);
  fflush (stdout);
  ctl->restored = TRUE;
  stop (ctl, 0);
}

/* restore: what was refused on the way (a damaged snapshot, skipped for an older one), in words. */
static void
restore_error_cb (Ctl *ctl)
{
  const char *error = yatai_sync_engine_get_error (ctl->engine);

  if (ctl->stopping || !g_str_equal (ctl->command, "restore") || error == NULL ||
      g_strcmp0 (error, ctl->last_error) == 0)
    return;
  g_free (ctl->last_error);
  ctl->last_error = g_strdup (error);
  g_printerr ("yatai-ctl: %s\n", error);
}

static void
seq_changed_cb (Ctl *ctl)
{
  gint64 seq = yatai_sync_engine_get_seq (ctl->engine);

  if (g_str_equal (ctl->command, "follow") && seq != ctl->last_seq)
    {
      g_autoptr(GDateTime) now = g_date_time_new_now_local ();
      g_autofree char *when = g_date_time_format (now, "%H:%M:%S");

      printf ("%s log position %" G_GINT64_FORMAT " (%s)\n", when, seq,
              yatai_sync_engine_get_holder_name (ctl->engine) ? yatai_sync_engine_get_holder_name (ctl->engine) : "-");
      fflush (stdout);
    }
  ctl->last_seq = seq;
}

/* run: one JSON line in, one JSON line out. */
static void
command_finished_cb (YataiSyncEngine *engine,
                     const char      *id,
                     const char      *refusal,
                     Ctl             *ctl)
{
  g_autoptr(JsonNode) result = NULL;
  g_autofree char *text = NULL;

  /* The writer's result (an order's call number) as the store recorded it: over the link it is here
   * the moment the answer comes. */
  if (refusal != NULL)
    {
      g_autoptr(GError) recorded = NULL;
      g_autoptr(JsonNode) message = json_node_init_string (json_node_alloc (), refusal);
      g_autofree char *quoted = json_to_string (message, FALSE);
      const char *reason = NULL;

      /* The reason in this device's language, and by its name for scripts (the same in every one). */
      if (yatai_store_lookup_command (ctl->store, id, NULL, &recorded))
        reason = yatai_refusal_get_reason (recorded);
      if (reason != NULL)
        printf ("{\"id\": \"%s\", \"refused\": true, \"reason\": \"%s\", \"message\": %s}\n", id, reason, quoted);
      else
        printf ("{\"id\": \"%s\", \"refused\": true, \"message\": %s}\n", id, quoted);
    }
  else if (yatai_store_lookup_command (ctl->store, id, &result, NULL) && result != NULL &&
           (text = json_to_string (result, FALSE)) != NULL)
    printf ("{\"id\": \"%s\", \"applied\": true, \"result\": %s}\n", id, text);
  else
    printf ("{\"id\": \"%s\", \"applied\": true}\n", id);
  fflush (stdout);
  g_hash_table_remove (ctl->awaiting, id);
}

/* A line of input is {"kind": "…", "args": {…}}; "args" may be left out. */
static gboolean
command_line_is_valid (JsonNode *root)
{
  JsonObject *object;
  JsonNode *kind, *args;

  if (!JSON_NODE_HOLDS_OBJECT (root))
    return FALSE;
  object = json_node_get_object (root);
  kind = json_object_get_member (object, "kind");
  args = json_object_get_member (object, "args");
  return kind != NULL && JSON_NODE_HOLDS_VALUE (kind) && json_node_get_value_type (kind) == G_TYPE_STRING &&
         (args == NULL || JSON_NODE_HOLDS_OBJECT (args));
}

static gboolean
input_cb (GIOChannel   *channel,
          GIOCondition  condition,
          gpointer      data)
{
  Ctl *ctl = data;
  g_autofree char *line = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(YataiCommand) command = NULL;
  g_autoptr(JsonNode) result = NULL;
  g_autoptr(JsonNode) out = yatai_json_node_new_object ();
  JsonObject *object;
  gboolean sent = FALSE, holds_nul;
  gsize length;

  if (g_io_channel_read_line (channel, &line, &length, NULL, &error) != G_IO_STATUS_NORMAL)
    {
      /* End of input: finish the uploads, then stop. */
      g_timeout_add (50, drain_cb, ctl);
      return G_SOURCE_REMOVE;
    }
  holds_nul = yatai_json_holds_nul (line, length);   /* before the line is read as a C string */
  g_strstrip (line);
  if (*line == '\0' && !holds_nul)
    return G_SOURCE_CONTINUE;
  if (holds_nul)
    {
      json_object_set_string_member (json_node_get_object (out), "error",
                                     _("A text in the command holds a NUL character (\\u0000), which would cut it short."));
    }
  else if (yatai_json_parse_one (parser, line, -1) == NULL || !command_line_is_valid (json_parser_get_root (parser)))
    {
      json_object_set_string_member (json_node_get_object (out), "error",
                                     _("A command is a JSON object with a “kind” and its “args”."));
    }
  else
    {
      object = json_node_get_object (json_parser_get_root (parser));
      command = yatai_command_new (json_object_get_string_member (object, "kind"),
                                   json_object_has_member (object, "args") ? json_object_get_object_member (object, "args")
                                                                         : NULL);
      result = yatai_sync_engine_execute (ctl->engine, command, &sent, &error);
      json_object_set_string_member (json_node_get_object (out), "id", yatai_command_get_id (command));
      if (result == NULL)
        json_object_set_string_member (json_node_get_object (out), "error", error->message);
      else if (sent)
        {
          json_object_set_boolean_member (json_node_get_object (out), "sent", TRUE);
          g_hash_table_add (ctl->awaiting, g_strdup (yatai_command_get_id (command)));
        }
      else
        json_object_set_member (json_node_get_object (out), "result", json_node_copy (result));
    }
  json_generator_set_root (generator, out);
  {
    g_autofree char *text = json_generator_to_data (generator, NULL);

    printf ("%s\n", text);
    fflush (stdout);
  }
  return G_SOURCE_CONTINUE;
}

typedef struct
{
  YataiPairing *pairing;
  gboolean      done;
} Paired;

static void
paired_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Paired *paired = user_data;
  g_autoptr(GError) error = NULL;

  paired->pairing = yatai_pair_join_finish (result, &error);
  if (paired->pairing == NULL)
    g_printerr ("yatai-ctl: %s\n", error->message);
  paired->done = TRUE;
}

#define LOOK_FOR_COUNTERS_SECONDS 3

static gboolean
looked_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/* The counter to pair with when no address is given: the only one DNS-SD finds in a few seconds. */
static char *
find_counter (YataiStore  *store,
              GError     **error)
{
  g_autoptr(YataiLinkDiscovery) discovery = yatai_link_discovery_new_for_pairing (yatai_store_get_device_name (store));
  g_autoptr(YataiDiscovered) counter = NULL;
  gboolean looked = FALSE;
  guint id;

  yatai_link_discovery_browse (discovery);
  id = g_timeout_add_seconds (LOOK_FOR_COUNTERS_SECONDS, looked_cb, &looked);
  while (!looked && yatai_link_discovery_available (discovery))
    g_main_context_iteration (NULL, TRUE);
  if (!looked)
    g_source_remove (id);
  counter = yatai_link_discovery_dup_only (discovery, error);
  if (counter == NULL)
    return NULL;
  g_print (_("Found the counter “%s” at %s.\n"), counter->device, counter->address);
  return g_strdup (counter->address);
}

/* pair: the stall from the counter into a new store, and the sync settings it gave, in words; the
 * credentials beside the store, readable by this user only. */
static int
pair (YataiCtlStore *opened,
      YataiStore    *store,
      const char    *address,
      const char    *code)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(YataiPairing) pairing = NULL;
  g_autofree char *found = NULL;
  Paired paired = { NULL, FALSE };

  if (opt_device != NULL && *opt_device != '\0')
    yatai_store_set_device_name (store, opt_device);
  if (address == NULL && (address = found = find_counter (store, &error)) == NULL)
    {
      g_printerr ("yatai-ctl: %s\n", error->message);
      yatai_ctl_store_finish (opened, store, FALSE, NULL);
      return 1;
    }
  yatai_pair_join_async (address, code, yatai_store_get_device_name (store), NULL, paired_cb, &paired);
  while (!paired.done)
    g_main_context_iteration (NULL, TRUE);
  pairing = paired.pairing;
  if (pairing == NULL || !yatai_pairing_apply (pairing, store, &error))
    {
      if (error != NULL)
        g_printerr ("yatai-ctl: %s\n", error->message);
      yatai_ctl_store_finish (opened, store, FALSE, NULL);
      return 1;
    }
  g_print (_("This store has the stall of “%s” (folder “%s”).\n"), pairing->counter_name, pairing->prefix);
  if (pairing->has_settings)
    {
      g_autofree char *credentials = g_strconcat (opened->path, ".credentials.json", NULL);

      if (pairing->credentials != NULL &&
          !g_file_set_contents_full (credentials, pairing->credentials, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600,
                                     &error))
        {
          g_printerr ("yatai-ctl: %s\n", error->message);
          yatai_ctl_store_finish (opened, store, FALSE, NULL);
          return 1;
        }
      g_print (_("The counter gave its sync settings: --bucket %s%s%s --prefix %s%s%s\n"), pairing->bucket,
               pairing->endpoint && *pairing->endpoint ? " --endpoint " : "",
               pairing->endpoint ? pairing->endpoint : "", pairing->prefix,
               pairing->credentials ? " --key-file " : "", pairing->credentials ? credentials : "");
    }
  if (!yatai_ctl_store_finish (opened, store, TRUE, &error))
    {
      g_printerr ("yatai-ctl: %s\n", error->message);
      return 1;
    }
  return 0;
}

static int
usage (GOptionContext *context)
{
  g_autofree char *help = g_option_context_get_help (context, TRUE, NULL);

  g_printerr ("%s", help);
  return 2;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = g_option_context_new ("status | restore | follow | run | lease release | lease take | export [DAY] | pair [HOST:PORT] CODE");
  g_autoptr(GError) error = NULL;
  g_autoptr(YataiGcsBucket) bucket = NULL;
  g_autofree char *command = NULL;
  g_autofree char *prefix = NULL;
  g_autofree char *link_stall = NULL;
  YataiCtlStore opened = { 0 };
  Ctl ctl = { 0 };

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, g_getenv ("YATAI_LOCALEDIR") ? g_getenv ("YATAI_LOCALEDIR") : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_summary (context, _("The stall's devices from a terminal: sync status, restore, a headless "
                                           "follower or device, the lease, the CSV of the Sales page."));
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("yatai-ctl: %s\n", error->message);
      return 2;
    }
  if (argc < 2)
    return usage (context);
  command = argc >= 3 && g_str_equal (argv[1], "lease") ? g_strdup_printf ("lease %s", argv[2]) : g_strdup (argv[1]);
  if (!g_strv_contains ((const char *[]) { "status", "restore", "follow", "run", "lease release", "lease take",
                                           "export", "pair", NULL }, command) ||
      (g_str_equal (command, "pair") && argc != 3 && argc != 4))
    return usage (context);
  ctl.command = command;

  if (opt_device != NULL && !yatai_text_check_hidden (opt_device, &error))
    {
      g_printerr ("yatai-ctl: %s\n", error->message);
      return 2;
    }
  if (opt_store == NULL)
    opt_store = yatai_store_default_path ();
  opened.path = ctl.target = opt_store;
  ctl.store = yatai_ctl_store_open (&opened, command, &error);
  if (ctl.store == NULL)
    {
      g_printerr ("yatai-ctl: %s\n", error->message);
      return 1;
    }
  if (opened.holder != NULL)
    yatai_ctl_store_print_holder (&opened);

  if (g_str_equal (command, "pair"))
    return pair (&opened, g_steal_pointer (&ctl.store), argc == 4 ? argv[2] : NULL, argv[argc - 1]);
  if (g_str_equal (command, "export"))
    {
      g_autofree char *csv = yatai_store_export_order_lines (ctl.store, argc > 2 ? argv[2] : NULL, &error);

      yatai_ctl_store_finish (&opened, g_steal_pointer (&ctl.store), TRUE, NULL);
      if (csv == NULL)
        {
          g_printerr ("yatai-ctl: %s\n", error->message);
          return 1;
        }
      fputs (csv, stdout);
      return 0;
    }

  read_settings ();
  link_stall = yatai_sync_link_stall_get (ctl.store);
  if ((opt_bucket == NULL || *opt_bucket == '\0') && link_stall != NULL &&
      (g_str_equal (command, "run") || g_str_equal (command, "follow")))
    {
      /* A stall without a bucket: run and follow go over the local network alone. */
      if (opt_device != NULL && *opt_device != '\0')
        yatai_store_set_device_name (ctl.store, opt_device);
      prefix = g_strdup (link_stall);
    }
  else if (opt_bucket == NULL || *opt_bucket == '\0')
    {
      g_printerr (_("yatai-ctl: no bucket: give --bucket, or set one in Yatai's preferences.\n"));
      yatai_ctl_store_finish (&opened, g_steal_pointer (&ctl.store), FALSE, NULL);
      return 2;
    }
  if (prefix == NULL)
    {
      if (opt_device != NULL && *opt_device != '\0')
        yatai_store_set_device_name (ctl.store, opt_device);
      bucket = yatai_gcs_bucket_connect (opt_bucket, opt_endpoint, opt_key_file, &error);
      if (bucket == NULL)
        {
          g_printerr ("yatai-ctl: %s\n", error->message);
          yatai_ctl_store_finish (&opened, g_steal_pointer (&ctl.store), FALSE, NULL);
          return 1;
        }
      prefix = g_strdup (opt_prefix != NULL && *opt_prefix != '\0' ? opt_prefix : "yatai/stall-1");
      while (g_str_has_suffix (prefix, "/"))
        prefix[strlen (prefix) - 1] = '\0';
    }
  if (g_str_equal (command, "status") && bucket != NULL)
    {
      int status;

      /* A few seconds for each request, so an unreachable bucket is answered in words. */
      yatai_gcs_client_set_retry (yatai_gcs_bucket_get_client (bucket), 250, STATUS_SECONDS * 1000);
      yatai_gcs_client_set_timeout (yatai_gcs_bucket_get_client (bucket), STATUS_SECONDS);
      status = ctl_print_status (YATAI_BUCKET (bucket), prefix, ctl.store, opt_link, STATUS_SECONDS);
      g_clear_object (&bucket);
      yatai_ctl_store_finish (&opened, g_steal_pointer (&ctl.store), TRUE, NULL);
      return status;
    }
  ctl.engine = yatai_sync_engine_new (ctl.store, bucket != NULL ? YATAI_BUCKET (bucket) : NULL, prefix);
  yatai_sync_engine_set_link (ctl.engine, opt_link_listen ? opt_link_listen : "", opt_link);
  yatai_sync_engine_set_preferred (ctl.engine, opt_takes_orders);
  /* Only run and lease take may claim the lease. lease release goes on as the writer only when the
   * lease is already this device's, to upload what is left and release it. */
  yatai_sync_engine_set_follow_only (ctl.engine, g_str_equal (command, "restore") || g_str_equal (command, "follow") ||
                                                 g_str_equal (command, "lease release"));
  yatai_sync_engine_set_auto_takeover (ctl.engine, g_str_equal (command, "lease take"));
  g_signal_connect_swapped (ctl.engine, "notify::role", G_CALLBACK (role_changed_cb), &ctl);
  g_signal_connect_swapped (ctl.engine, "notify::seq", G_CALLBACK (seq_changed_cb), &ctl);
  g_signal_connect_swapped (ctl.engine, "notify::error", G_CALLBACK (error_changed_cb), &ctl);
  g_signal_connect_swapped (ctl.engine, "notify::error", G_CALLBACK (restore_error_cb), &ctl);
  g_signal_connect_swapped (ctl.engine, "caught-up", G_CALLBACK (caught_up_cb), &ctl);
  if (g_str_equal (command, "run"))
    {
      /* Input is read once the device knows whether it writes or follows (role_changed_cb). Before,
       * a command would run on what the store held when it stopped last (nothing, on a new device):
       * an order refused for a product the stall has, a bump refused for an order it has not seen. */
      g_signal_connect (ctl.engine, "command-finished", G_CALLBACK (command_finished_cb), &ctl);
      ctl.input = g_io_channel_unix_new (0);
      ctl.awaiting = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
    }

  ctl.loop = g_main_loop_new (NULL, FALSE);
  /* Ctrl+C, a shutdown (SIGTERM), a closed terminal (SIGHUP): the same clean stop. */
  g_unix_signal_add (SIGINT, interrupted_cb, &ctl);
  g_unix_signal_add (SIGTERM, interrupted_cb, &ctl);
  g_unix_signal_add (SIGHUP, interrupted_cb, &ctl);
  g_timeout_add_seconds (START_SECONDS, start_watchdog_cb, &ctl);
  yatai_sync_engine_start (ctl.engine);
  g_main_loop_run (ctl.loop);

  g_clear_pointer (&ctl.input, g_io_channel_unref);
  g_clear_pointer (&ctl.awaiting, g_hash_table_unref);
  g_free (ctl.last_error);
  g_clear_object (&ctl.engine);
  g_clear_pointer (&error, g_error_free);
  if (!yatai_ctl_store_finish (&opened, g_steal_pointer (&ctl.store), ctl.status == 0 && (ctl.restored || !g_str_equal (command, "restore")), &error))
    {
      g_printerr ("yatai-ctl: %s\n", error->message);
      ctl.status = 1;
    }
  g_main_loop_unref (ctl.loop);
  return ctl.status;
}
