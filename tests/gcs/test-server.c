/* test-server.c: starting yatai-test-bucket from a test */
#include "config.h"

#include <signal.h>
#include <sys/prctl.h>

#include "test-server.h"

/* The server dies with the test, so a failed assertion never leaves it holding the test's output open. */
static void
child_setup (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

GSubprocess *
test_server_start (const char * const *extra,
                   char              **url)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                                       G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) argv = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autofree char *line = NULL;
  GSubprocess *server;

  g_strv_builder_add (builder, g_getenv ("YATAI_TEST_BUCKET"));
  g_strv_builder_add (builder, "--port");
  g_strv_builder_add (builder, "0");
  /* The tests' bucket. As on GCS, the server has only the buckets it was told to make. */
  g_strv_builder_add (builder, "--bucket");
  g_strv_builder_add (builder, "stall");
  for (guint i = 0; extra != NULL && extra[i] != NULL; i++)
    g_strv_builder_add (builder, extra[i]);
  argv = g_strv_builder_end (builder);
  g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL, NULL);
  server = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv, &error);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (server));
  line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (line, "listening on "));
  *url = g_strdup (line + strlen ("listening on "));
  return server;
}
