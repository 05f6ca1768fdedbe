#pragma once

#include <gio/gio.h>

/* yatai-test-bucket for a test: started on a free port with the bucket "stall" made (more with
 * "--bucket", NAME in @extra), killed with the test even when it aborts. */
GSubprocess *test_server_start (const char * const *extra,
                                char              **url);
