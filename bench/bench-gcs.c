/* bench-gcs.c: small creates and reads through Yatai's GCS client against yatai-test-bucket on loopback,
 * beside curl doing the same requests in the same run. Prints a table.
 * Usage: bench-gcs [N] (500 requests of each kind; the server and curl are found next to this program
 * and on PATH) */
#include "config.h"

#include <glib/gstdio.h>
#include <stdio.h>

#include "yatai-gcs-client.h"

typedef struct
{
  GAsyncResult *result;
} Wait;

static void
done_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      data)
{
  ((Wait *) data)->result = g_object_ref (result);
}

static void
wait_for (Wait *w)
{
  while (w->result == NULL)
    g_main_context_iteration (NULL, TRUE);
}

static int
compare (gconstpointer a,
         gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

static double
percentile (GArray *ms,
            double  p)
{
  g_array_sort (ms, compare);
  return g_array_index (ms, double, (guint) (p * (ms->len - 1) + 0.5));
}

static void
row (const char *what,
     GArray     *ms,
     double      seconds)
{
  guint n = ms->len;
  double p50 = percentile (ms, 0.5), p99 = percentile (ms, 0.99);

  printf ("| %-34s | %7u | %9.0f | %8.2f | %8.2f |\n", what, n, n / seconds, p50, p99);
}

/* curl, one process, keeping its connection: the same requests from a config file. */
static GArray *
run_curl (const char *url,
          const char *kind,
          guint       n,
          const char *payload,
          double     *seconds)
{
  g_autofree char *config_path = NULL;
  g_autoptr(GString) config = g_string_new (NULL);
  g_autofree char *out = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) lines = NULL;
  GArray *ms = g_array_new (FALSE, FALSE, sizeof (double));
  int fd = g_file_open_tmp ("bench-gcs-XXXXXX.curl", &config_path, NULL);
  const char *argv[] = { "curl", "-s", "-K", config_path, NULL };
  gint64 start;

  for (guint i = 0; i < n; i++)
    {
      if (g_str_equal (kind, "create"))
        g_string_append_printf (config, "url = \"%s/upload/storage/v1/b/bench/o?uploadType=media&name=curl%%2F%u&ifGenerationMatch=0\"\n"
                                        "request = \"POST\"\nheader = \"Content-Type: application/octet-stream\"\n"
                                        "data-binary = \"@%s\"\n", url, i, payload);
      else
        g_string_append_printf (config, "url = \"%s/storage/v1/b/bench/o/curl%%2F%u?alt=media\"\n", url, i);
      g_string_append (config, "output = \"/dev/null\"\nwrite-out = \"%{time_total}\\n\"\n");
      if (i + 1 < n)
        g_string_append (config, "next\n");
    }
  close (fd);
  g_file_set_contents (config_path, config->str, -1, NULL);
  start = g_get_monotonic_time ();
  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, NULL, NULL, &error))
    g_error ("curl: %s", error->message);
  *seconds = (g_get_monotonic_time () - start) / 1e6;
  g_unlink (config_path);
  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (*lines[i] != '\0')
      {
        double t = g_ascii_strtod (lines[i], NULL) * 1000.0;

        g_array_append_val (ms, t);
      }
  return ms;
}

int
main (int   argc,
      char *argv[])
{
  guint n = argc > 1 ? (guint) g_ascii_strtoull (argv[1], NULL, 10) : 500;
  g_autofree char *dir = g_path_get_dirname (argv[0]);
  g_autofree char *server_path = g_build_filename (dir, "..", "tests", "server", "yatai-test-bucket", NULL);
  const char *server_argv[] = { server_path, "--port", "0", "--bucket", "bench", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) server = g_subprocess_newv (server_argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
  g_autoptr(GDataInputStream) out = NULL;
  g_autofree char *line = NULL;
  g_autofree char *payload_path = NULL;
  g_autoptr(YataiGcsClient) client = NULL;
  g_autoptr(GBytes) payload = NULL;
  GArray *create_ms = g_array_new (FALSE, FALSE, sizeof (double));
  GArray *read_ms = g_array_new (FALSE, FALSE, sizeof (double));
  GArray *curl_create, *curl_read;
  double create_s, read_s, curl_create_s, curl_read_s;
  const char *url;
  gint64 start;
  char data[512];

  if (server == NULL)
    g_error ("%s", error->message);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (server));
  line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);
  url = line + strlen ("listening on ");
  memset (data, 'y', sizeof data);
  payload = g_bytes_new (data, sizeof data);
  {
    int fd = g_file_open_tmp ("bench-gcs-XXXXXX.bin", &payload_path, NULL);

    close (fd);
    g_file_set_contents (payload_path, data, sizeof data, NULL);
  }

  client = yatai_gcs_client_new (url, NULL);
  start = g_get_monotonic_time ();
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *name = g_strdup_printf ("yatai/%u", i);
      YataiGcsConditions c = YATAI_GCS_CONDITIONS_NONE;
      Wait w = { 0 };
      gint64 t0 = g_get_monotonic_time ();
      g_autoptr(YataiGcsObject) object = NULL;
      double ms;

      c.if_generation_match = 0;
      yatai_gcs_client_create_async (client, "bench", name, payload, NULL, &c, NULL, done_cb, &w);
      wait_for (&w);
      object = yatai_gcs_client_create_finish (client, w.result, &error);
      g_object_unref (w.result);
      if (object == NULL)
        g_error ("%s", error->message);
      ms = (g_get_monotonic_time () - t0) / 1000.0;
      g_array_append_val (create_ms, ms);
    }
  create_s = (g_get_monotonic_time () - start) / 1e6;
  start = g_get_monotonic_time ();
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *name = g_strdup_printf ("yatai/%u", i);
      Wait w = { 0 };
      gint64 t0 = g_get_monotonic_time ();
      g_autoptr(GBytes) bytes = NULL;
      double ms;

      yatai_gcs_client_read_async (client, "bench", name, NULL, NULL, done_cb, &w);
      wait_for (&w);
      bytes = yatai_gcs_client_read_finish (client, w.result, NULL, &error);
      g_object_unref (w.result);
      if (bytes == NULL)
        g_error ("%s", error->message);
      ms = (g_get_monotonic_time () - t0) / 1000.0;
      g_array_append_val (read_ms, ms);
    }
  read_s = (g_get_monotonic_time () - start) / 1e6;

  curl_create = run_curl (url, "create", n, payload_path, &curl_create_s);
  curl_read = run_curl (url, "read", n, NULL, &curl_read_s);

  printf ("GCS requests on loopback against yatai-test-bucket, %u of each, 512-byte objects, one at a time\n\n", n);
  printf ("| %-34s | %7s | %9s | %8s | %8s |\n", "what", "n", "req/s", "p50 ms", "p99 ms");
  printf ("| ---------------------------------- | ------: | --------: | -------: | -------: |\n");
  row ("Yatai client: create-only", create_ms, create_s);
  row ("curl: create-only", curl_create, curl_create_s);
  row ("Yatai client: read (MD5 checked)", read_ms, read_s);
  row ("curl: read", curl_read, curl_read_s);
  printf ("\nratio (Yatai / curl), req/s: create %.2f, read %.2f\n",
          (n / create_s) / (curl_create->len / curl_create_s), (n / read_s) / (curl_read->len / curl_read_s));

  g_unlink (payload_path);
  g_subprocess_force_exit (server);
  g_subprocess_wait (server, NULL, NULL);
  return 0;
}
