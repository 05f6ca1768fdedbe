#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A snapshot's database image, changed or read on a copy of its own (test-journal, test-fuzz-regressions). */
GBytes *snapshot_image_tamper (GBytes     *snapshot,
                               const char *sql);
char   *snapshot_image_query  (GBytes     *snapshot,
                               const char *sql);

G_END_DECLS
