/* test-bucket-server.c: yatai-test-bucket itself, over raw connections
 *
 * Each request here is a connection of its own that the client closes once it has the answer, the way
 * a client with a pool of kept-alive connections lets one go. The server must close its side too:
 * libsoup before 3.3 kept every such connection open (one descriptor left in CLOSE_WAIT each). It runs
 * with a limit of 256 descriptors, so a leak shows within a few hundred requests, and it must answer
 * more than 20,000.
 */
#include <errno.h>
#include <gio/gio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#define FD_LIMIT 256

static void
child_setup (gpointer data)
{
  struct rlimit limit = { FD_LIMIT, FD_LIMIT };

  prctl (PR_SET_PDEATHSIG, SIGKILL);
  setrlimit (RLIMIT_NOFILE, &limit);
}

static GSubprocess *
start_server (guint16 *port)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                                       G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  const char *argv[] = { g_getenv ("YATAI_TEST_BUCKET"), "--port", "0", "--bucket", "stall", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autofree char *line = NULL;
  GSubprocess *server;

  g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL, NULL);
  server = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (server));
  line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (line, "listening on http://127.0.0.1:"));
  *port = (guint16) atoi (strrchr (line, ':') + 1);
  return server;
}

static guint
open_descriptors (GSubprocess *server)
{
  g_autofree char *path = g_strdup_printf ("/proc/%s/fd", g_subprocess_get_identifier (server));
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  guint n = 0;

  g_assert_nonnull (dir);
  while (g_dir_read_name (dir) != NULL)
    n++;
  return n;
}

/* One GET on a connection of its own, answered in full (by its Content-Length, or until the server
 * closes), then closed by this side. */
static void
request (GSocketClient *client,
         guint16        port,
         const char    *path,
         guint          expected_status)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketConnection) connection = g_socket_client_connect_to_host (client, "127.0.0.1", port, NULL, &error);
  g_autofree char *text = NULL;
  g_autoptr(GString) answer = g_string_new (NULL);
  GInputStream *in;
  const char *end, *length;
  char buffer[4096];
  gssize n;
  gsize wanted = G_MAXSIZE;

  g_assert_no_error (error);
  text = g_strdup_printf ("GET %s HTTP/1.1\r\nHost: 127.0.0.1:%u\r\n\r\n", path, port);
  g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (connection)), text, strlen (text), NULL,
                             NULL, &error);
  g_assert_no_error (error);
  in = g_io_stream_get_input_stream (G_IO_STREAM (connection));
  while (answer->len < wanted && (n = g_input_stream_read (in, buffer, sizeof buffer, NULL, &error)) > 0)
    {
      g_string_append_len (answer, buffer, n);
      end = strstr (answer->str, "\r\n\r\n");
      length = g_strstr_len (answer->str, end != NULL ? end - answer->str : -1, "Content-Length: ");
      if (end != NULL && length != NULL)
        wanted = (end - answer->str) + 4 + g_ascii_strtoull (length + strlen ("Content-Length: "), NULL, 10);
    }
  g_assert_no_error (error);
  {
    g_autofree char *status = g_strdup_printf ("HTTP/1.1 %u ", expected_status);

    g_assert_true (g_str_has_prefix (answer->str, status));
  }
  g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
}

/* Descriptors settle once the server has seen each close (it may take a moment on a busy machine). */
static guint
settled_descriptors (GSubprocess *server,
                     guint        at_most)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  guint n;

  while ((n = open_descriptors (server)) > at_most && g_get_monotonic_time () < deadline)
    g_usleep (20000);
  return n;
}

static void
test_no_descriptor_leak (void)
{
  guint16 port;
  g_autoptr(GSubprocess) server = start_server (&port);
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  guint before, after;

  g_socket_client_set_timeout (client, 10);   /* a server out of descriptors answers nothing */
  request (client, port, "/storage/v1/b/stall/o/nothing", 404);
  before = settled_descriptors (server, 16);
  for (guint i = 0; i < 300; i++)
    request (client, port, "/storage/v1/b/stall/o/nothing", 404);
  after = settled_descriptors (server, before);
  g_test_message ("descriptors of the server: %u before, %u after 300 connections", before, after);
  g_assert_cmpuint (after, <=, before);
  g_subprocess_force_exit (server);
  g_subprocess_wait (server, NULL, NULL);
}

static void
test_many_requests (void)
{
  guint16 port;
  g_autoptr(GSubprocess) server = start_server (&port);
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  gint64 start = g_get_monotonic_time ();

  g_socket_client_set_timeout (client, 10);
  for (guint i = 0; i < 20500; i++)
    request (client, port, i % 2 ? "/storage/v1/b/stall/o/nothing" : "/storage/v1/b/other/o/x", 404);
  g_test_message ("20,500 requests in %.1f s", (g_get_monotonic_time () - start) / 1e6);
  g_assert_cmpuint (settled_descriptors (server, 16), <=, 16);
  g_subprocess_force_exit (server);
  g_subprocess_wait (server, NULL, NULL);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/test-bucket/no-descriptor-leak", test_no_descriptor_leak);
  g_test_add_func ("/test-bucket/many-requests", test_many_requests);
  return g_test_run ();
}
