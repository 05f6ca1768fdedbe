#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Shared by the GCS client's files; nothing outside them includes it. */

/* The message of GCS's error body, {"error": {"code": N, "message": "…"}}, or NULL. */
char *yatai_gcs_error_message (GBytes *body);

/* A member's string, or NULL when it is absent, anything but a string, or not UTF-8. */
const char *yatai_gcs_string_member (JsonObject *object,
                                     const char *name);

G_END_DECLS
