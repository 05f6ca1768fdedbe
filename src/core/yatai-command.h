#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* The largest command's JSON (a product with its picture fits well within it). */
#define YATAI_COMMAND_MAX_BYTES (16 * 1024 * 1024)

/* A business operation as data: a kind ("product.save", "order.confirm", ...) and its arguments.
 * Pages build commands and hand them to yatai_store_execute(); the sync engine sends the same commands
 * from a follower to the writer as JSON. */
#define YATAI_TYPE_COMMAND (yatai_command_get_type ())
G_DECLARE_FINAL_TYPE (YataiCommand, yatai_command, YATAI, COMMAND, GObject)

YataiCommand *yatai_command_new            (const char   *kind,
                                            JsonObject   *args);
YataiCommand *yatai_command_new_from_json  (const char   *json,
                                            gssize        length,
                                            GError      **error);
char         *yatai_command_to_json        (YataiCommand *self);
const char   *yatai_command_get_id         (YataiCommand *self);
const char   *yatai_command_get_kind       (YataiCommand *self);
const char   *yatai_command_get_device     (YataiCommand *self);
void          yatai_command_set_device     (YataiCommand *self,
                                            const char   *device);
const char   *yatai_command_get_device_name (YataiCommand *self);
void          yatai_command_set_device_name (YataiCommand *self,
                                             const char   *name);
gint64        yatai_command_get_counter    (YataiCommand *self);
void          yatai_command_set_counter    (YataiCommand *self,
                                            gint64        counter);
gint64        yatai_command_get_created    (YataiCommand *self);
JsonObject   *yatai_command_get_args       (YataiCommand *self);

/* Whether @data holds a NUL character: a NUL byte, or the escape \u0000 in a string. json-glib 1.6
 * decodes the escape into a NUL byte and hands the string back cut there ("ab\u0000cd" reads "ab"),
 * and a JSON node does not keep the length, so the text is looked at before it is parsed. */
gboolean      yatai_json_holds_nul         (const char   *data,
                                            gsize         length);

/* The one JSON value of @data (root owned by @parser), or NULL when @data is not JSON, is empty, holds
 * several values one after another, or holds a NUL character (yatai_json_holds_nul()). Text from outside goes through this rather than straight to
 * json_parser_load_from_data(): json-glib 1.6 (Debian 12) reads a document of several values and never
 * frees any but the last, so each such answer would leak. */
JsonNode     *yatai_json_parse_one         (JsonParser   *parser,
                                            const char   *data,
                                            gssize        length);

/* A node holding a new empty object, owned by the node (json_node_init_object() would add a reference). */
JsonNode     *yatai_json_node_new_object   (void);

G_END_DECLS
