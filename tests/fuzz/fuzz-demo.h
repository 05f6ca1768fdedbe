/* fuzz-demo.h: the demo menu at a fixed time, for the writer of the log seeds and the follower that
 * applies them
 *
 * The demo's products carry the time they were made (created, updated), and a writer's change to a
 * product carries the old updated time: a follower whose demo menu was made at another moment refuses
 * it as a conflict. fuzz-seeds writes the log seeds from a store pinned to this time, and fuzz-log (and
 * test-fuzz-regressions) apply them to one pinned the same way, so a seed gets past the first product.
 */
#pragma once

#include <glib.h>
#include <sqlite3.h>

#include "yatai-store.h"

static inline void
fuzz_demo_pin_time (YataiStore *store)
{
  int rc = sqlite3_exec (yatai_store_get_db (store),
                         "UPDATE products SET created = 1764000000000000, updated = 1764000000000000",
                         NULL, NULL, NULL);

  g_assert (rc == SQLITE_OK);
}
