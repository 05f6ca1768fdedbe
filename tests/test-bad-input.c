/* test-bad-input.c: hostile input everywhere, and the message a person gets for each
 *
 * Each case gives Yatai one piece of bad input where it enters (a form field, a CSV row, an object in
 * the bucket, a key file, a command-line argument), checks the exact English message, checks that the
 * same message reaches a Japanese user in Japanese, and checks that nothing was lost or changed.
 * `test-bad-input --markdown` prints the list as tests/BAD-INPUT.md has it.
 */
#include "config.h"

#include <string.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "gcs/test-server.h"
#include "test-language.h"
#include "yatai-command.h"
#include "yatai-csv.h"
#include "yatai-gcs-auth.h"
#include "yatai-gcs-bucket.h"
#include "yatai-lease.h"
#include "zstd-bomb.h"
#include "yatai-order.h"
#include "yatai-pair.h"
#include "yatai-product.h"
#include "yatai-refusal.h"
#include "yatai-segment.h"
#include "yatai-store-journal.h"
#include "yatai-store-orders.h"
#include "yatai-store-private.h"
#include "yatai-store-products.h"
#include "yatai-text.h"

typedef char *(*CaseFunc) (void);

typedef struct
{
  const char *kind;       /* where it enters */
  const char *input;      /* what a person (or a broken device) gives */
  CaseFunc    run;        /* returns the message a person gets, or NULL when it was accepted */
  const char *message;    /* in English */
  const char *kept;       /* what stays as it was */
  gboolean    accepted;   /* taken as it is, made harmless (run checks how, returns NULL); no message */
} Case;

static char *dir;
static YataiStore *store;
static gint64 yakisoba;

/* Helpers */

static char *
take_message (GError *error)
{
  char *message;

  if (error == NULL)
    return NULL;
  message = g_strdup (error->message);
  g_error_free (error);
  return message;
}

static char *
fifty_one (const char *unit)
{
  GString *s = g_string_new (NULL);

  for (int i = 0; i < 51; i++)
    g_string_append (s, unit);
  return g_string_free (s, FALSE);
}

/* The store runs @kind with @args; the canonical dump must be the same afterwards. */
static char *
refused_by_store (const char *kind,
                  JsonObject *args)
{
  g_autoptr(JsonObject) owned = args;
  g_autofree char *before = yatai_store_dump_canonical (store, NULL);
  g_autofree char *after = NULL;
  g_autoptr(YataiCommand) command = yatai_command_new (kind, args);
  g_autoptr(JsonNode) result = NULL;
  GError *error = NULL;

  result = yatai_store_execute (store, command, &error);
  g_assert_null (result);
  after = yatai_store_dump_canonical (store, NULL);
  g_assert_cmpstr (before, ==, after);
  return take_message (error);
}

static char *
csv_import (const char *text,
            gssize      length)
{
  GError *error = NULL;
  g_autoptr(JsonObject) args = yatai_products_import_args (text, length, &error);

  if (args != NULL)
    return refused_by_store ("products.import", json_object_ref (args));
  return take_message (error);
}

static GBytes *
good_segment (void)
{
  g_autoptr(YataiSegment) segment = yatai_segment_new (YATAI_SEGMENT_SNAPSHOT);
  g_autoptr(GError) error = NULL;
  GBytes *bytes;

  segment->epoch = 3;
  segment->seq = 7;
  segment->device = g_strdup ("device-a");
  segment->device_name = g_strdup ("Counter PC");
  segment->time = g_get_real_time ();
  segment->snapshot = yatai_store_snapshot (store, &error);
  g_assert_no_error (error);
  bytes = yatai_segment_encode (segment, yatai_segment_genesis_chain (), &error);
  g_assert_no_error (error);
  return bytes;
}

/* @bytes (taken) with @from replaced by @to in its header line. */
static GBytes *
replace (GBytes     *bytes,
         const char *from,
         const char *to)
{
  gsize size;
  const char *data = g_bytes_get_data (bytes, &size);
  const char *newline = memchr (data, '\n', size);
  g_autofree char *header = g_strndup (data, newline - data);
  const char *at = strstr (header, from);
  GString *out = g_string_new_len (data, size);

  g_assert_nonnull (at);
  g_string_erase (out, at - header, strlen (from));
  g_string_insert_len (out, at - header, to, strlen (to));
  g_bytes_unref (bytes);
  return g_string_free_to_bytes (out);
}

static char *
decode (GBytes *bytes)
{
  GError *error = NULL;
  g_autoptr(YataiSegment) segment = yatai_segment_decode (bytes, 7, yatai_segment_genesis_chain (), &error);

  g_bytes_unref (bytes);
  g_assert_null (segment);
  return take_message (error);
}

/* A snapshot restored into the store: refused, and the store as it was. */
static char *
restore (GBytes *snapshot)
{
  g_autofree char *before = yatai_store_dump_canonical (store, NULL);
  g_autofree char *after = NULL;
  GError *error = NULL;

  g_assert_false (yatai_store_restore (store, snapshot, NULL, &error));
  g_bytes_unref (snapshot);
  after = yatai_store_dump_canonical (store, NULL);
  g_assert_cmpstr (before, ==, after);
  return take_message (error);
}

static char *
key_file (const char *contents)
{
  g_autofree char *path = g_build_filename (dir, "key.json", NULL);
  GError *error = NULL;
  g_autoptr(YataiGcsAuth) auth = NULL;

  if (contents != NULL)
    g_assert_true (g_file_set_contents_full (path, contents, -1, G_FILE_SET_CONTENTS_NONE, 0600, NULL));
  else
    g_remove (path);
  auth = yatai_gcs_auth_new_from_key_file (path, &error);
  g_assert_null (auth);
  return take_message (error);
}

/* yatai-ctl with @argv: its exit status must be @status, and what it says on stderr (without its
 * name) is the message. */
static char *
ctl (const char * const *args,
     int                 status)
{
  const char *program = g_getenv ("YATAI_CTL");
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  int wait_status = 0;
  char *message;

  g_assert_nonnull (program);
  g_ptr_array_add (argv, (gpointer) program);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  g_assert_true (g_spawn_sync (dir, (char **) argv->pdata, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL,
                               &err, &wait_status, &error));
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (wait_status));
  g_assert_cmpint (WEXITSTATUS (wait_status), ==, status);
  g_strchomp (err);
  message = g_strdup (g_str_has_prefix (err, "yatai-ctl: ") ? err + strlen ("yatai-ctl: ") : err);
  return message;
}

/* Form fields: the checks the pages run as a person types; the store runs them again on save */

static char *
product_name_51 (void)
{
  g_autofree char *name = fifty_one ("あ");
  GError *error = NULL;
  g_autofree char *clean = yatai_product_check_name (name, &error);

  return take_message (error);
}

static char *
product_reading_51 (void)
{
  g_autofree char *reading = fifty_one ("や");
  GError *error = NULL;
  g_autofree char *clean = yatai_product_check_reading (reading, &error);

  return take_message (error);
}

static char *
product_reading_rlo (void)
{
  GError *error = NULL;
  g_autofree char *clean = yatai_product_check_reading ("\u202Eばそきや", &error);

  return take_message (error);
}

static char *
product_name_51_emoji (void)
{
  /* 51 family emoji, each of 7 code points: a person sees 51 characters. */
  g_autofree char *name = fifty_one ("👨‍👩‍👧‍👦");
  GError *error = NULL;
  g_autofree char *clean = yatai_product_check_name (name, &error);

  return take_message (error);
}

static char *
product_name_blank (void)
{
  GError *error = NULL;
  g_autofree char *clean = yatai_product_check_name (" \t\u3000 ", &error);

  return take_message (error);
}

static char *
product_name_not_utf8 (void)
{
  GError *error = NULL;
  g_autofree char *clean = yatai_product_check_name ("\xff\xfe焼", &error);

  return take_message (error);
}

static char *
price_check (const char *text)
{
  GError *error = NULL;
  gint64 value = -1;

  g_assert_false (yatai_product_check_price (text, &value, &error));
  return take_message (error);
}

static char *price_letters (void) { return price_check ("abc"); }
static char *price_negative (void) { return price_check ("-5"); }
static char *price_fraction (void) { return price_check ("1.5"); }
static char *price_too_big (void) { return price_check ("1000000001"); }

static char *
stock_letters (void)
{
  GError *error = NULL;
  gint64 value = -1;

  g_assert_false (yatai_product_check_stock ("ten", &value, &error));
  return take_message (error);
}

static char *
tag_with_bar (void)
{
  GError *error = NULL;
  g_autofree char *clean = yatai_product_check_tag ("food|drink", &error);

  return take_message (error);
}

static char *
customer_51 (void)
{
  g_autofree char *name = fifty_one ("a");
  GError *error = NULL;
  g_autofree char *clean = yatai_order_check_customer (name, &error);

  return take_message (error);
}

static char *
note_251 (void)
{
  g_autofree char *fifty = fifty_one ("x");
  g_autofree char *note = g_strconcat (fifty, fifty, fifty, fifty, fifty, NULL);   /* 255 */
  GError *error = NULL;
  g_autofree char *clean = yatai_order_check_note (note, &error);

  return take_message (error);
}

static char *
cash_negative (void)
{
  GError *error = NULL;
  gint64 value = 0;

  g_assert_false (yatai_text_parse_amount ("¥-5", 0, 1000000000, &value, &error));
  return take_message (error);
}

static char *
duplicate_product (void)
{
  return refused_by_store ("product.save", yatai_product_save_args (0, "焼きそば", 300, 5, FALSE, NULL, NULL, FALSE));
}

static char *
order_over_stock (void)
{
  YataiCartLine line = { yakisoba, 4 };

  return refused_by_store ("order.confirm", yatai_order_confirm_args (&line, 1, "", "", 10000, FALSE, 5));
}

static char *
order_underpaid (void)
{
  YataiCartLine line = { yakisoba, 2 };

  return refused_by_store ("order.confirm", yatai_order_confirm_args (&line, 1, "", "", 500, FALSE, 5));
}

static char *
product_name_rlo (void)
{
  GError *error = NULL;
  g_autofree char *clean = yatai_product_check_name ("\u202Egnp.exe", &error);

  return take_message (error);
}

static char *
customer_isolate (void)
{
  GError *error = NULL;
  g_autofree char *clean = yatai_order_check_customer ("Aki \u2067(VIP)\u2069", &error);

  return take_message (error);
}

/* CSV rows, imported on the Sales page: one bad row refuses the file and changes nothing */

#define CSV_HEADER "id,name,price,stock,sold_out,tags\r\n"

static char *csv_empty (void) { return csv_import ("", 0); }
static char *csv_not_utf8 (void) { return csv_import (CSV_HEADER ",\xff\x83\x5c,100,1,0,\r\n", -1); }
static char *csv_no_price_column (void) { return csv_import ("id,name,stock,sold_out,tags\r\n,たこ焼き,1,0,\r\n", -1); }
static char *csv_price_letters (void) { return csv_import (CSV_HEADER ",たこ焼き,abc,10,0,\r\n", -1); }
static char *csv_open_quote (void) { return csv_import (CSV_HEADER ",\"たこ焼き,500,10,0,\r\n", -1); }
static char *csv_sold_out_maybe (void) { return csv_import (CSV_HEADER ",たこ焼き,500,10,maybe,\r\n", -1); }

static char *
csv_name_51 (void)
{
  g_autofree char *name = fifty_one ("た");
  g_autofree char *text = g_strconcat (CSV_HEADER ",", name, ",500,10,0,\r\n", NULL);

  return csv_import (text, -1);
}

static char *csv_reading_isolate (void) { return csv_import ("name,price,stock,reading\r\nたこ焼き,500,10,たこ\u2066やき\r\n", -1); }
static char *csv_name_rlo (void) { return csv_import (CSV_HEADER ",\u202Egnp.exe,500,10,0,\r\n", -1); }

/* A product named like a formula is exported with a "'" before it, quoted, and imported back as it was. */
static char *
csv_formula_name (void)
{
  const char *name = "=HYPERLINK(\"http://x.example/\",\"ok\")";
  g_autofree char *path = g_build_filename (dir, "formula.sqlite3", NULL);
  g_autoptr(YataiStore) scratch = NULL;
  g_autofree char *csv = NULL;
  g_autofree char *again = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) args = yatai_product_save_args (0, name, 100, 1, FALSE, NULL, NULL, FALSE);
  g_autoptr(JsonNode) saved = NULL;
  g_autoptr(JsonObject) import = NULL;
  g_autoptr(JsonNode) imported = NULL;

  g_remove (path);
  scratch = yatai_store_open (path, &error);
  g_assert_no_error (error);
  saved = yatai_store_run (scratch, "product.save", args, &error);
  g_assert_no_error (error);
  csv = yatai_store_export_products (scratch, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (csv, ",\"'=HYPERLINK(\"\"http://x.example/\"\",\"\"ok\"\")\","));
  import = yatai_products_import_args (csv, -1, &error);
  g_assert_no_error (error);
  imported = yatai_store_run (scratch, "products.import", import, &error);
  g_assert_no_error (error);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (imported), "updated"), ==, 1);
  again = yatai_store_export_products (scratch, &error);
  g_assert_cmpstr (again, ==, csv);
  return NULL;
}

/* Objects in the bucket, written by a broken or older or newer device */

static char *segment_garbage (void) { return decode (g_bytes_new_static ("hello\nworld", 11)); }
static char *segment_newer (void) { return decode (replace (good_segment (), "\"format\":" G_STRINGIFY (YATAI_SEGMENT_FORMAT), "\"format\":9")); }
static char *segment_misplaced (void) { return decode (replace (good_segment (), "\"seq\":7", "\"seq\":8")); }

static char *
segment_flipped (void)
{
  g_autoptr(GBytes) good = good_segment ();
  gsize size;
  const guint8 *data = g_bytes_get_data (good, &size);
  guint8 *copy = g_memdup2 (data, size);

  copy[size - 3] ^= 0x40;
  return decode (g_bytes_new_take (copy, size));
}

static char *
lease_text (const char *text)
{
  GError *error = NULL;
  g_autoptr(YataiLease) lease = yatai_lease_parse (text, strlen (text), &error);

  g_assert_null (lease);
  return take_message (error);
}

static char *
lease_rules (const char *text,
             gint64      min_epoch)
{
  GError *error = NULL;
  g_autoptr(YataiLease) lease = yatai_lease_parse (text, strlen (text), &error);

  g_assert_no_error (error);
  g_assert_false (yatai_lease_check_rules (lease, YATAI_LEASE_TTL_MS, min_epoch, &error));
  return take_message (error);
}

static char *lease_long_ttl (void) { return lease_rules ("{\"format\":1,\"device\":\"a\",\"epoch\":4,\"ttl_ms\":86400000,\"released\":false}", 3); }
static char *lease_backwards (void) { return lease_rules ("{\"format\":1,\"device\":\"a\",\"epoch\":1,\"ttl_ms\":30000,\"released\":false}", 3); }
static char *snapshot_bomb (void) { return decode (zstd_bomb_snapshot (YATAI_SEGMENT_SNAPSHOT_MAX_RAW, 7)); }

static char *lease_not_json (void) { return lease_text ("<html>Service Unavailable</html>"); }
static char *lease_newer (void) { return lease_text ("{\"format\":2,\"device\":\"a\",\"epoch\":1,\"ttl_ms\":30000,\"released\":false}"); }

static char *
command_text (const char *text)
{
  GError *error = NULL;
  g_autoptr(YataiCommand) command = yatai_command_new_from_json (text, -1, &error);

  g_assert_null (command);
  return take_message (error);
}

static char *command_not_json (void) { return command_text ("{\"kind\": \"order.confirm\", "); }
static char *command_bad_counter (void) { return command_text ("{\"id\": \"c1\", \"kind\": \"order.status\", \"counter\": -3}"); }

static char *
command_nul (void)
{
  return command_text ("{\"id\": \"c1\", \"device\": \"kitchen\", \"kind\": \"order.edit\", "
                       "\"args\": {\"id\": 1, \"customer\": \"ab\\u0000cd\", \"note\": \"\"}}");
}

static char *
command_reading_nul (void)
{
  return command_text ("{\"id\": \"c2\", \"device\": \"kitchen\", \"kind\": \"product.save\", "
                       "\"args\": {\"name\": \"焼きうどん\", \"reading\": \"やき\\u0000うどん\", \"price\": 500, \"stock\": 1}}");
}

static char *
command_reading_not_text (void)
{
  g_autoptr(JsonObject) args = yatai_product_save_args (0, "焼きうどん", 500, 1, FALSE, NULL, NULL, TRUE);

  json_object_set_int_member (args, "reading", 42);
  return refused_by_store ("product.save", g_steal_pointer (&args));
}

static char *
command_rlo (void)
{
  YataiCartLine line = { yakisoba, 1 };

  return refused_by_store ("order.confirm", yatai_order_confirm_args (&line, 1, "\u202Egnp.exe", "", 1000, FALSE, 5));
}

static char *
command_unknown (void)
{
  return refused_by_store ("order.teleport", json_object_new ());
}

/* Another device's command of a kind this writer does not know (sent by a newer Yatai): refused in
 * words that name the writer, and recorded, so its sender is answered and its next command goes on. */
static char *
command_unknown_from_newer (void)
{
  g_autoptr(JsonNode) args = json_from_string ("{\"id\": 1}", NULL);
  g_autoptr(YataiCommand) command = yatai_command_new ("order.teleport", json_node_get_object (args));
  g_autoptr(JsonNode) result = NULL;
  g_autoptr(GError) recorded = NULL;
  GError *error = NULL;
  gint64 counter = yatai_store_get_command_counter (store, "kitchen") + 1;

  yatai_command_set_device (command, "kitchen");
  yatai_command_set_counter (command, counter);
  yatai_store_set_device_name (store, "Counter PC");
  result = yatai_store_execute (store, command, &error);
  g_assert_null (result);
  g_assert_true (yatai_store_lookup_command (store, yatai_command_get_id (command), NULL, &recorded));
  g_assert_cmpstr (recorded->message, ==, error->message);
  g_assert_cmpint (yatai_store_get_command_counter (store, "kitchen"), ==, counter);
  return take_message (error);
}

static char *
command_missing_args (void)
{
  return refused_by_store ("order.status", json_object_new ());
}

/* A writer's refusal as it comes back through the log or the link, naming a product whose name is a
 * printf format: said in this device's language from its own table, the name put in as text. */
static char *
refusal_format_name (void)
{
  g_autoptr(JsonNode) refused = json_from_string ("{\"code\": 3, \"message\": \"“%s%n” is sold out. Remove it from "
                                                  "the order.\", \"reason\": \"sold-out\", \"values\": {\"name\": \"%s%n\"}}",
                                                  NULL);

  return take_message (yatai_refusal_from_json (json_node_get_object (refused)));
}

/* Pairing by a code (yatai-pair.c): what the new device is typed or sent. */
static char *
pair_code_letters (void)
{
  GError *error = NULL;

  g_free (yatai_pair_code_normalize ("12a456", &error));
  return take_message (error);
}

static char *
pair_header_not_json (void)
{
  GError *error = NULL;
  g_autoptr(GBytes) header = g_bytes_new_static ("<html>Wi-Fi login</html>", 25);

  yatai_pairing_free (yatai_pairing_decode_header (header, &error));
  return take_message (error);
}

static char *
pair_stall_damaged (void)
{
  GError *error = NULL;
  g_autoptr(YataiPairing) pairing = yatai_pairing_new ();

  pairing->prefix = g_strdup ("yatai/stall-1");
  pairing->snapshot = g_bytes_new_static ("hello\nworld", 11);
  yatai_pairing_apply (pairing, store, &error);
  return take_message (error);
}

static char *snapshot_garbage (void) { return restore (g_bytes_new_static ("SQLite format 3\0 and little else", 32)); }

static char *
snapshot_newer (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) image = yatai_store_snapshot (store, &error);
  gsize size;
  guint8 *copy = g_bytes_unref_to_data (g_steal_pointer (&image), &size);

  /* The user_version (schema version) is at offset 60, big-endian. */
  copy[60] = 0; copy[61] = 0; copy[62] = 0; copy[63] = 99;
  return restore (g_bytes_new_take (copy, size));
}

/* A writer of schema 8 (pictures still in products): its rows do not fit this schema. */
static char *
snapshot_older (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) image = yatai_store_snapshot (store, &error);
  gsize size;
  guint8 *copy = g_bytes_unref_to_data (g_steal_pointer (&image), &size);

  copy[60] = 0; copy[61] = 0; copy[62] = 0; copy[63] = 8;
  return restore (g_bytes_new_take (copy, size));
}

/* Key files chosen in the Sync preferences */

static char *key_missing (void) { return key_file (NULL); }
static char *key_not_json (void) { return key_file ("-----BEGIN RSA PRIVATE KEY-----\n"); }
static char *key_no_private_key (void) { return key_file ("{\"type\":\"service_account\",\"client_email\":\"a@b.c\"}"); }

static char *
key_bad_pem (void)
{
  return key_file ("{\"type\":\"service_account\",\"client_email\":\"a@b.c\","
                   "\"private_key\":\"-----BEGIN PRIVATE KEY-----\\nnot a key\\n-----END PRIVATE KEY-----\\n\","
                   "\"token_uri\":\"https://oauth2.googleapis.com/token\"}");
}

/* Settings the bucket refuses, and an upload damaged on the way: against yatai-test-bucket */

/* A fault (a /_test/faults JSON) the test server at @url applies from now on. */
static void
post_fault (const char *url,
            const char *fault)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *faults = g_strconcat (url, "/_test/faults", NULL);
  g_autoptr(SoupMessage) msg = soup_message_new ("POST", faults);
  g_autoptr(GBytes) body = g_bytes_new (fault, strlen (fault));
  g_autoptr(GBytes) answer = NULL;

  soup_message_set_request_body_from_bytes (msg, "application/json", body);
  answer = soup_session_send_and_read (session, msg, NULL, NULL);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 204);
}

/* yatai-ctl status against a test server that answers every request with @fault, or none; its message. */
static char *
ctl_refused (const char *bucket,
             const char *fault)
{
  g_autofree char *url = NULL;
  g_autoptr(GSubprocess) server = test_server_start (NULL, &url);
  char *message;

  if (fault != NULL)
    post_fault (url, fault);
  message = ctl ((const char *[]) { "--store", "settings.sqlite3", "--bucket", bucket, "--endpoint", url, "status", NULL }, 1);
  g_subprocess_force_exit (server);
  g_subprocess_wait (server, NULL, NULL);
  return message;
}

static char *ctl_missing_bucket (void) { return ctl_refused ("stal", NULL); }
static char *ctl_unauthenticated (void) { return ctl_refused ("stall", "{\"status\": 401, \"times\": -1}"); }
static char *ctl_forbidden (void) { return ctl_refused ("stall", "{\"status\": 403, \"times\": -1}"); }

static void
upload_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      data)
{
  *(GAsyncResult **) data = g_object_ref (result);
}

/* A segment whose bytes a fault damages as they arrive: the CRC32C and MD5 sent with it refuse it. */
static char *
upload_damaged (void)
{
  g_autofree char *url = NULL;
  g_autoptr(GSubprocess) server = test_server_start (NULL, &url);
  g_autoptr(YataiGcsClient) client = yatai_gcs_client_new (url, NULL);
  g_autoptr(GBytes) data = g_bytes_new_static ("a segment of the log", 20);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(YataiGcsObject) object = NULL;
  g_autoptr(GError) error = NULL;
  YataiGcsConditions create_only = YATAI_GCS_CONDITIONS_NONE;

  post_fault (url, "{\"method\": \"POST\", \"action\": \"corrupt\", \"times\": 1}");
  create_only.if_generation_match = 0;
  yatai_gcs_client_create_async (client, "stall", "log/1", data, NULL, &create_only, NULL, upload_done_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  object = yatai_gcs_client_create_finish (client, result, &error);
  g_assert_null (object);
  g_subprocess_force_exit (server);
  g_subprocess_wait (server, NULL, NULL);
  return g_strdup (error->message);
}

/* Command-line arguments and store files */

static char *
ctl_bucket_name (void)
{
  return ctl ((const char *[]) { "--store", "ctl.sqlite3", "--bucket", "My Stall!", "status", NULL }, 1);
}

static char *
ctl_endpoint (void)
{
  return ctl ((const char *[]) { "--store", "ctl.sqlite3", "--bucket", "stall", "--endpoint", "localhost:4443",
                                 "status", NULL }, 1);
}

static char *
ctl_store_folder (void)
{
  return ctl ((const char *[]) { "--store", "/proc/no-such-folder/yatai.sqlite3", "status", NULL }, 1);
}

static char *
ctl_not_a_store (void)
{
  g_autofree char *path = g_build_filename (dir, "recipe.sqlite3", NULL);
  const char *text = "焼きそば: 麺 1 玉、キャベツ、ソース\n";
  g_autofree char *after = NULL;
  char *message;

  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  message = ctl ((const char *[]) { "--store", path, "status", NULL }, 1);
  g_assert_true (g_file_get_contents (path, &after, NULL, NULL));
  g_assert_cmpstr (after, ==, text);
  return message;
}

static char *
ctl_restore_over_store (void)
{
  return ctl ((const char *[]) { "--store", yatai_store_get_path (store), "--bucket", "stall",
                                 "--endpoint", "http://127.0.0.1:9", "restore", NULL }, 1);
}

/* The fixture's store is open in this process, named "yatai" (setup): a follower there is refused. */
static char *
ctl_store_in_use (void)
{
  return ctl ((const char *[]) { "--store", yatai_store_get_path (store), "--bucket", "stall",
                                 "--endpoint", "http://127.0.0.1:9", "follow", NULL }, 1);
}

static char *
ctl_device_name_rlo (void)
{
  return ctl ((const char *[]) { "--store", "ctl.sqlite3", "--device-name", "\u202ECP retnuoC", "status", NULL }, 2);
}

static char *
store_newer_schema (void)
{
  g_autofree char *path = g_build_filename (dir, "newer.sqlite3", NULL);
  GError *error = NULL;
  YataiStore *newer;

  g_remove (path);
  newer = yatai_store_open (path, &error);
  sqlite3 *db;

  g_assert_no_error (error);
  g_assert_nonnull (newer);
  db = yatai_store_get_db (newer);
  g_assert_cmpint (sqlite3_exec (db, "PRAGMA user_version = 99", NULL, NULL, NULL), ==, SQLITE_OK);
  g_object_unref (newer);
  g_assert_null (yatai_store_open (path, &error));
  return take_message (error);
}

static const Case cases[] = {
  { "form: product name", "51 characters (あ × 51)", product_name_51, "At most 50 characters (now 51).", "the product as it was; Save stays off" },
  { "form: product name", "51 emoji, each a family of 7 code points", product_name_51_emoji, "At most 50 characters (now 51).", "the product as it was" },
  { "form: product name", "only spaces, a tab and an ideographic space", product_name_blank, "Enter a name.", "the product as it was" },
  { "form: product name", "bytes that are not UTF-8 (a paste from a broken source)", product_name_not_utf8, "The text is not valid. Type it again.", "the product as it was" },
  { "form: price", "abc", price_letters, "Enter a whole number, digits only.", "the price as it was" },
  { "form: price", "-5", price_negative, "Enter a number of 0 or more.", "the price as it was" },
  { "form: price", "1.5", price_fraction, "Enter a whole number, digits only.", "the price as it was" },
  { "form: price", "1000000001", price_too_big, "Enter a number from 0 to 1,000,000,000.", "the price as it was" },
  { "form: stock", "ten", stock_letters, "Enter a whole number, digits only.", "the stock as it was" },
  { "form: tag", "food|drink", tag_with_bar, "A tag cannot contain “|”.", "the product's tags" },
  { "form: customer name", "51 characters", customer_51, "At most 50 characters (now 51).", "the cart; Confirm stays off" },
  { "form: note", "255 characters", note_251, "At most 250 characters (now 255).", "the cart" },
  { "form: product name", "U+202E (right-to-left override), then gnp.exe: it reads “exe.png”", product_name_rlo, "The text holds a hidden character that changes the direction of writing (U+202E), so it would read as something else. Type it again without it.", "the product as it was; Save stays off" },
  { "form: customer name", "Aki, then (VIP) inside U+2067 … U+2069 (a right-to-left isolate)", customer_isolate, "The text holds a hidden character that changes the direction of writing (U+2067), so it would read as something else. Type it again without it.", "the cart; Confirm stays off" },
  { "form: cash handed over", "¥-5", cash_negative, "Enter a number of 0 or more.", "the cart" },
  { "form: product", "a second 焼きそば", duplicate_product, "A product with this name already exists.", "the menu (store unchanged)" },
  { "form: order", "4 × 焼きそば with 3 left", order_over_stock, "Only 3 of “焼きそば” left. Lower the quantity.", "the cart and the stock (store unchanged)" },
  { "form: order", "¥500 handed over for ¥1,000", order_underpaid, "The amount paid (¥500) is less than the total (¥1,000).", "the cart (store unchanged)" },
  { "CSV import", "an empty file", csv_empty, "The file is empty.", "every product (store unchanged)" },
  { "CSV import", "a Shift_JIS file", csv_not_utf8, "The file is not UTF-8 text. Save it as “CSV UTF-8” and try again.", "every product" },
  { "CSV import", "a header without “price”", csv_no_price_column, "Line 1: the header has no “price” column. The first line must name the columns: id,name,price,stock,sold_out,tags,reading.", "every product" },
  { "CSV import", "price abc on line 2", csv_price_letters, "Line 2: Enter a whole number, digits only.", "every product" },
  { "CSV import", "a quote opened and never closed", csv_open_quote, "Line 2: a quoted field is not closed.", "every product" },
  { "CSV import", "sold_out “maybe”", csv_sold_out_maybe, "Line 2: “sold_out” must be 1 or 0.", "every product" },
  { "CSV import", "a 51-character name", csv_name_51, "Line 2: At most 50 characters (now 51).", "every product" },
  { "CSV import", "a name that begins with U+202E", csv_name_rlo, "Line 2: The text holds a hidden character that changes the direction of writing (U+202E), so it would read as something else. Type it again without it.", "every product" },
  { "CSV export", "a product named =HYPERLINK(\"http://x.example/\",\"ok\") (a formula)", csv_formula_name, NULL, "exported as \"'=HYPERLINK(…)\", quoted, so a spreadsheet shows it as text; imported back, the same name", TRUE },
  { "bucket: log segment", "text that is not a segment", segment_garbage, "A saved change in the bucket is damaged or is not Yatai’s.", "this device's store; it restores from a snapshot" },
  { "bucket: log segment", "a byte flipped in the payload", segment_flipped, "A saved change in the bucket does not match its checksum.", "this device's store" },
  { "bucket: log segment", "a segment whose header names another position", segment_misplaced, "A saved change in the bucket is not where it belongs.", "this device's store" },
  { "bucket: log segment", "a segment of a newer format", segment_newer, "Another device saved changes with a newer version of Yatai. Update Yatai on this device.", "this device's store" },
  { "bucket: lease", "an HTML error page instead of JSON", lease_not_json, "The bucket’s lease is damaged or is not Yatai’s.", "the lease is not taken over on its word" },
  { "bucket: lease", "a lease with a TTL of 24 hours (Yatai's is 30 s)", lease_long_ttl, "The bucket’s lease gives its holder 86400000 ms instead of Yatai’s 30000 ms.", "the lease is a damaged object: another device takes over after Yatai's 30 s of silence" },
  { "bucket: lease", "a lease of epoch 1 after epoch 3", lease_backwards, "The bucket’s lease counts writers backwards (epoch 1 after 3).", "the lease is a damaged object: another device takes over after Yatai's 30 s of silence" },
  { "bucket: lease", "a lease of a newer format", lease_newer, "Another device uses a newer version of Yatai. Update Yatai on this device.", "the lease" },
  { "bucket: command", "a command cut off halfway", command_not_json, "A command from another device could not be read (it is not JSON).", "the store; the command is answered with this" },
  { "bucket: command", "a customer \"ab\\u0000cd\" (a NUL inside a JSON string)", command_nul, "A command from another device could not be read (a text in it holds a NUL character).", "the store; the text is not cut to “ab”" },
  { "bucket: command", "order.confirm with a customer beginning with U+202E", command_rlo, "The text holds a hidden character that changes the direction of writing (U+202E), so it would read as something else. Type it again without it.", "the store; the refusal goes back to the device" },
  { "bucket: command", "a command whose counter is -3", command_bad_counter, "A command from another device could not be read (its “counter” is not a positive whole number).", "the store; the inbox object is deleted" },
  { "bucket: command", "the kind order.teleport, from this device itself", command_unknown, "This version of Yatai does not know the operation “order.teleport”. Update Yatai on this device.", "the store" },
  { "bucket: command", "order.status without its arguments", command_missing_args, "The operation is missing its “id” or has it in the wrong form.", "the store" },
  { "bucket: snapshot", "a truncated database image", snapshot_garbage, "The saved copy of the stall is damaged and was not used.", "this device's store" },
  { "bucket: snapshot", "a zstd bomb: 8.5 KB declaring 256 MB of zeros", snapshot_bomb, "This saved copy of the stall is not the database its header declares (damaged, or made to fill the memory); it was not used.", "this device's store; refused after its first bytes, the next older snapshot is used" },
  { "bucket: snapshot", "a snapshot of schema version 99", snapshot_newer, "The stall’s data was saved by a newer version of Yatai. Update Yatai on this device.", "this device's store" },
  { "bucket: snapshot", "a snapshot of schema version 8 (a writer of an older Yatai)", snapshot_older, "The stall’s data was saved by an older version of Yatai. Update Yatai on the writer.", "this device's store" },
  { "key file", "a path that does not exist", key_missing, NULL, "the sync settings as they were" },
  { "key file", "a PEM file instead of the JSON key", key_not_json, NULL, "the sync settings" },
  { "key file", "JSON without private_key", key_no_private_key, NULL, "the sync settings" },
  { "key file", "a private key that is not one", key_bad_pem, NULL, "the sync settings" },
  { "command line", "yatai-ctl --bucket 'My Stall!'", ctl_bucket_name, "“My Stall!” is not a bucket name. A bucket name has 3 to 63 lowercase letters, digits, dashes, underscores or dots, and starts and ends with a letter or a digit.", "the store" },
  { "command line", "yatai-ctl --endpoint localhost:4443", ctl_endpoint, "The storage address “localhost:4443” is not a web address. It starts with http:// or https://, as in http://127.0.0.1:4443.", "the store" },
  { "command line", "yatai-ctl --store in a folder that cannot exist", ctl_store_folder, "The folder “/proc/no-such-folder” could not be made: No such file or directory", "nothing written" },
  { "command line", "yatai-ctl --store on a text file", ctl_not_a_store, "The store’s file is damaged or is not a Yatai store.", "the file, byte for byte" },
  { "command line", "yatai-ctl restore onto a store that exists", ctl_restore_over_store, NULL, "the existing store" },
  { "command line", "yatai-ctl follow on a store that Yatai has open", ctl_store_in_use, NULL, "the store and the program that has it" },
  { "command line", "yatai-ctl --device-name with U+202E", ctl_device_name_rlo, "The text holds a hidden character that changes the direction of writing (U+202E), so it would read as something else. Type it again without it.", "the store; nothing is sent" },
  { "bucket: settings", "a bucket name that does not exist (stal, for stall)", ctl_missing_bucket, "There is no bucket “stal”. Check the bucket’s name in Preferences → Sync.", "the store; asked again only every 30 s" },
  { "bucket: settings", "credentials the bucket does not accept (401)", ctl_unauthenticated, "The bucket did not accept this device’s credentials. Check the credentials in Preferences → Sync.", "the store; asked again only every 30 s" },
  { "bucket: settings", "an account without a role on the bucket (403)", ctl_forbidden, "This device’s account may not use the bucket “stall”. In the Google Cloud console, give it the role Storage Object User (roles/storage.objectUser) on the bucket.", "the store; asked again only every 30 s" },
  { "bucket: upload", "a segment damaged on the way (its CRC32C and MD5 no longer match)", upload_damaged, "The bucket refused “log/1”: it arrived damaged. Yatai will send it again.", "the bucket (nothing stored); the outbox keeps it" },
  { "store file", "a store written by a newer Yatai (schema 99)", store_newer_schema, "This store was written by a newer version of Yatai. Update Yatai to open it.", "the file; it is not migrated" },
  { "form: product reading", "51 characters (や × 51)", product_reading_51, "At most 50 characters (now 51).", "the product's reading as it was; Save stays off" },
  { "form: product reading", "U+202E, then ばそきや: it reads “やきそば”", product_reading_rlo, "The text holds a hidden character that changes the direction of writing (U+202E), so it would read as something else. Type it again without it.", "the product's reading as it was; Save stays off" },
  { "CSV import", "a reading with U+2066 (a left-to-right isolate) inside", csv_reading_isolate, "Line 2: The text holds a hidden character that changes the direction of writing (U+2066), so it would read as something else. Type it again without it.", "every product" },
  { "bucket: command", "product.save with a reading \"やき\\u0000うどん\" (a NUL inside a JSON string)", command_reading_nul, "A command from another device could not be read (a text in it holds a NUL character).", "the store; no product with a reading cut to “やき”" },
  { "bucket: command", "product.save with the reading 42 (a number)", command_reading_not_text, "The operation is missing its “reading” or has it in the wrong form.", "the store" },
  { "pairing: code", "12a456 typed as the counter's code", pair_code_letters, "The code is the 6 digits shown on the counter under Preferences → Sync → Add a Device.", "this device's store; nothing is sent" },
  { "pairing: from the counter", "an HTML page (a Wi-Fi login) instead of the pairing", pair_header_not_json, "The counter sent something this version of Yatai cannot read. Update Yatai on both devices.", "this device's store" },
  { "pairing: from the counter", "a stall that is not a snapshot", pair_stall_damaged, "The copy of the stall the counter sent is damaged. Try pairing again.", "this device's store" },
  { "sync: the writer's refusal", "“sold out” naming a product called %s%n (a printf format)", refusal_format_name, "“%s%n” is sold out. Remove it from the order.", "the store; said in this device's language, the name put in as text, never read as a format" },
  { "sync: a newer device's command", "another device's command of the kind order.teleport (a newer Yatai's)", command_unknown_from_newer, "The Yatai on “Counter PC” is older than this device’s and cannot do this yet. Update Yatai on that device, then try again.", "the store's data; the refusal is recorded for the sender, whose next command goes on" },
};

/* Messages with a path in them are checked by their start. */
static const char *
expected_start (const Case *c)
{
  if (c->run == key_missing)
    return "The key file “";
  if (c->run == key_not_json || c->run == key_no_private_key || c->run == key_bad_pem)
    return "The key file “";
  if (c->run == ctl_restore_over_store)
    return yatai_store_get_path (store);
  if (c->run == ctl_store_in_use)
    return "This store is open in Yatai (process ";
  return NULL;
}

static const char *
expected_end (const Case *c)
{
  if (c->run == key_missing)
    return "” does not exist.";
  if (c->run == key_not_json)
    return "” is not a service account key (it is not JSON). Download a JSON key for the service account "
           "from the Google Cloud console.";
  if (c->run == key_no_private_key)
    return "” is not a service account key (it has no client_email or private_key). Download a JSON key for "
           "the service account from the Google Cloud console.";
  if (c->run == key_bad_pem)
    return "” is not a service account key (its private key cannot be read). Download a JSON key for the "
           "service account from the Google Cloud console.";
  if (c->run == ctl_restore_over_store)
    return " already exists; restore makes a new store. Give another --store.";
  if (c->run == ctl_store_in_use)
    return "). One store is used by one program at a time: close it there, or use another store.";
  return NULL;
}

/* Fixture: a store with 焼きそば (¥500, 3 left). */

static void
setup (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autoptr(JsonNode) saved = NULL;
  g_autoptr(JsonObject) args = yatai_product_save_args (0, "焼きそば", 500, 3, FALSE, NULL, NULL, FALSE);

  dir = g_dir_make_tmp ("yatai-bad-input-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (dir, "store.sqlite3", NULL);
  yatai_store_set_program_name ("yatai");
  store = yatai_store_open (path, &error);
  g_assert_no_error (error);
  saved = yatai_store_run (store, "product.save", args, &error);
  g_assert_no_error (error);
  yakisoba = json_object_get_int_member (json_node_get_object (saved), "id");
}

static gboolean
is_japanese (const char *text)
{
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      GUnicodeScript script = g_unichar_get_script (g_utf8_get_char (p));

      if (script == G_UNICODE_SCRIPT_HIRAGANA || script == G_UNICODE_SCRIPT_KATAKANA)
        return TRUE;
    }
  return FALSE;
}

static void
test_case (gconstpointer data)
{
  const Case *c = data;
  g_autofree char *english = NULL;
  g_autofree char *japanese = NULL;

  test_language_use ("en");
  english = c->run ();
  if (c->accepted)
    {
      /* Nothing to say: run checked what was made of it. */
      g_assert_null (english);
      return;
    }
  g_assert_nonnull (english);
  if (c->message != NULL)
    g_assert_cmpstr (english, ==, c->message);
  else
    {
      g_assert_true (g_str_has_prefix (english, expected_start (c)));
      g_assert_true (g_str_has_suffix (english, expected_end (c)));
    }

  /* The same input in Japanese: the message is translated, and says something else than English. */
  test_language_use ("ja");
  japanese = c->run ();
  test_language_use ("en");
  g_assert_nonnull (japanese);
  g_assert_cmpstr (japanese, !=, english);
  g_assert_true (is_japanese (japanese));
}

/* A table cell: a "|" would end it. */
static char *
cell (const char *text)
{
  g_auto(GStrv) parts = g_strsplit (text, "|", -1);

  return g_strjoinv ("\\|", parts);
}

static void
print_markdown (void)
{
  g_print ("| # | where it enters | input | message (English) | message (Japanese) | what is kept |\n");
  g_print ("| ---: | --- | --- | --- | --- | --- |\n");
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *english = NULL;
      g_autofree char *japanese = NULL;
      g_autofree char *input = cell (cases[i].input);
      g_autofree char *english_cell = NULL;
      g_autofree char *japanese_cell = NULL;

      test_language_use ("en");
      english = cases[i].run ();
      test_language_use ("ja");
      japanese = cases[i].run ();
      english_cell = cell (cases[i].accepted ? "(accepted, no message)" : english);
      japanese_cell = cell (cases[i].accepted ? "（受け付ける。メッセージなし）" : japanese);
      g_print ("| %u | %s | %s | %s | %s | %s |\n", i + 1, cases[i].kind, input, english_cell, japanese_cell,
               cases[i].kept);
    }
}

int
main (int   argc,
      char *argv[])
{
  int status;

  test_language_init ();

  if (argc > 1 && g_str_equal (argv[1], "--markdown"))
    {
      g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL);
      setup ();
      print_markdown ();
      return 0;
    }

  g_test_init (&argc, &argv, NULL);
  setup ();
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/bad-input/%02u", i + 1);

      g_test_add_data_func (path, &cases[i], test_case);
    }
  status = g_test_run ();
  g_object_unref (store);
  return status;
}
