#pragma once

#include <gio/gio.h>

/* yatai-test-bucket for a test: started on a free port, killed with the test even when it aborts. */
GSubprocess *test_server_start (const char * const *extra,
                                char              **url);
