#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Shared by the GCS client's files; nothing outside them includes it. */

/* The message of GCS's error body, {"error": {"code": N, "message": "…"}}, or NULL. */
char *yatai_gcs_error_message (GBytes *body);

G_END_DECLS
