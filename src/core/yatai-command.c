/* yatai-command.c: a business operation as data
 *
 * The JSON form is {"id", "device", "kind", "args", "created"} (SYNC.md); created is microseconds since
 * the Unix epoch. A follower's command also carries "device_name" (who made it, for the status history)
 * and "counter" (its place among that device's commands, 1, 2, 3..., so the writer applies them in the
 * order they were made). Parsing is strict: anything else is refused with YATAI_STORE_ERROR_INVALID, since
 * commands arrive from other devices through the bucket.
 */
#define G_LOG_DOMAIN "yatai-command"

#include "config.h"

#include <glib/gi18n.h>

#include "yatai-command.h"
#include "yatai-refusal.h"
#include "yatai-store-private.h"
#include "yatai-store.h"


struct _YataiCommand
{
  GObject     parent_instance;
  char       *id;
  char       *device;
  char       *kind;
  JsonObject *args;
  gint64      created;
  char       *device_name;
  gint64      counter;
};

G_DEFINE_FINAL_TYPE (YataiCommand, yatai_command, G_TYPE_OBJECT)

static void
yatai_command_finalize (GObject *object)
{
  YataiCommand *self = (YataiCommand *) object;

  g_free (self->id);
  g_free (self->device);
  g_free (self->kind);
  g_free (self->device_name);
  g_clear_pointer (&self->args, json_object_unref);

  G_OBJECT_CLASS (yatai_command_parent_class)->finalize (object);
}

static void
yatai_command_class_init (YataiCommandClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = yatai_command_finalize;
}

static void
yatai_command_init (YataiCommand *self)
{
}

/* Takes a reference on @args (NULL for none). */
YataiCommand *
yatai_command_new (const char *kind,
                   JsonObject *args)
{
  YataiCommand *self;

  g_return_val_if_fail (kind != NULL, NULL);

  self = g_object_new (YATAI_TYPE_COMMAND, NULL);
  self->id = g_uuid_string_random ();
  self->kind = g_strdup (kind);
  self->args = args ? json_object_ref (args) : json_object_new ();
  self->created = g_get_real_time ();
  return self;
}

static gboolean
refuse (GError    **error,
        const char *what)
{
  g_set_error (error, YATAI_STORE_ERROR, YATAI_STORE_ERROR_INVALID,
               _("A command from another device could not be read (%s)."), what);
  return FALSE;
}

static const char *
member_string (JsonObject *object,
               const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

YataiCommand *
yatai_command_new_from_json (const char *json,
                             gssize      length,
                             GError    **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(YataiCommand) self = NULL;
  JsonObject *root;
  JsonNode *node;
  const char *id, *kind, *device, *device_name;

  g_return_val_if_fail (json != NULL, NULL);

  if (length < 0)
    length = strlen (json);
  if (length > YATAI_COMMAND_MAX_BYTES)
    return refuse (error, _("it is too large")), NULL;
  if (yatai_json_holds_nul (json, length))
    return refuse (error, _("a text in it holds a NUL character")), NULL;
  node = yatai_json_parse_one (parser, json, length);
  if (node == NULL)
    return refuse (error, _("it is not JSON")), NULL;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return refuse (error, _("it is not a JSON object")), NULL;
  root = json_node_get_object (node);

  id = member_string (root, "id");
  kind = member_string (root, "kind");
  device = member_string (root, "device");
  if (id == NULL || *id == '\0' || strlen (id) > 64)
    return refuse (error, _("its “id” is missing or wrong")), NULL;
  if (kind == NULL || *kind == '\0' || strlen (kind) > 64)
    return refuse (error, _("its “kind” is missing or wrong")), NULL;

  node = json_object_get_member (root, "args");
  if (node != NULL && !JSON_NODE_HOLDS_OBJECT (node))
    return refuse (error, _("its “args” are not a JSON object")), NULL;

  self = g_object_new (YATAI_TYPE_COMMAND, NULL);
  self->id = g_strdup (id);
  self->kind = g_strdup (kind);
  self->device = g_strdup (device);
  self->args = node ? json_object_ref (json_node_get_object (node)) : json_object_new ();

  node = json_object_get_member (root, "created");
  if (node != NULL && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_INT64)
    self->created = json_node_get_int (node);

  /* Who made it: only a name of a sensible length is kept. */
  device_name = member_string (root, "device_name");
  if (device_name != NULL && *device_name != '\0' && strlen (device_name) <= 200)
    self->device_name = g_strdup (device_name);
  node = json_object_get_member (root, "counter");
  if (node != NULL)
    {
      if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64 ||
          json_node_get_int (node) < 1)
        return refuse (error, _("its “counter” is not a positive whole number")), NULL;
      self->counter = json_node_get_int (node);
    }

  return g_steal_pointer (&self);
}

char *
yatai_command_to_json (YataiCommand *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  JsonNode *args;

  g_return_val_if_fail (YATAI_IS_COMMAND (self), NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, self->id);
  if (self->device != NULL)
    {
      json_builder_set_member_name (builder, "device");
      json_builder_add_string_value (builder, self->device);
    }
  json_builder_set_member_name (builder, "kind");
  json_builder_add_string_value (builder, self->kind);
  json_builder_set_member_name (builder, "args");
  args = json_node_new (JSON_NODE_OBJECT);
  json_node_set_object (args, self->args);
  json_builder_add_value (builder, args);
  json_builder_set_member_name (builder, "created");
  json_builder_add_int_value (builder, self->created);
  if (self->device_name != NULL)
    {
      json_builder_set_member_name (builder, "device_name");
      json_builder_add_string_value (builder, self->device_name);
    }
  if (self->counter > 0)
    {
      json_builder_set_member_name (builder, "counter");
      json_builder_add_int_value (builder, self->counter);
    }
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  return json_to_string (root, FALSE);
}

const char *
yatai_command_get_id (YataiCommand *self)
{
  g_return_val_if_fail (YATAI_IS_COMMAND (self), NULL);
  return self->id;
}

const char *
yatai_command_get_kind (YataiCommand *self)
{
  g_return_val_if_fail (YATAI_IS_COMMAND (self), NULL);
  return self->kind;
}

const char *
yatai_command_get_device (YataiCommand *self)
{
  g_return_val_if_fail (YATAI_IS_COMMAND (self), NULL);
  return self->device;
}

void
yatai_command_set_device (YataiCommand *self,
                          const char   *device)
{
  g_return_if_fail (YATAI_IS_COMMAND (self));
  g_free (self->device);
  self->device = g_strdup (device);
}

gint64
yatai_command_get_created (YataiCommand *self)
{
  g_return_val_if_fail (YATAI_IS_COMMAND (self), 0);
  return self->created;
}

JsonObject *
yatai_command_get_args (YataiCommand *self)
{
  g_return_val_if_fail (YATAI_IS_COMMAND (self), NULL);
  return self->args;
}

/* Whether the backslash at @p starts one of JSON's escapes; @last is set to its last character. json-glib
 * reads others (an octal "\222", a "\u" without four hex digits) and leaks what it had read of the
 * document when it then fails (fuzz-lease, LeakSanitizer). */
static gboolean
is_escape (const char  *p,
           const char  *end,
           const char **last)
{
  if (end - p < 2 || p[1] == '\0')
    return FALSE;
  if (p[1] == 'u')
    {
      if (end - p < 6)
        return FALSE;
      for (int i = 2; i < 6; i++)
        if (!g_ascii_isxdigit (p[i]))
          return FALSE;
      *last = p + 5;
      return TRUE;
    }
  *last = p + 1;
  return strchr ("\"\\/bfnrt", p[1]) != NULL;
}

/* Whether @data is one value and white space: its structure only (strings, brackets, and what lies
 * between), json-glib judges the rest. JSON has no comments, and json-glib's reading of them is where
 * it goes wrong: a document of comments alone has no root, and a stray "/" inside brackets leaks what
 * was read before it (fuzz-lease, LeakSanitizer). A "/" outside a string is not JSON, nor is a string
 * in single quotes, which json-glib also reads (and whose escapes nothing here would check). */
static gboolean
is_one_value (const char *data,
              gsize       length)
{
  const char *p = data;
  const char *end = data + length;
  int depth = 0;

  while (p < end && g_ascii_isspace (*p))
    p++;
  if (p == end)
    return FALSE;
  do
    {
      if (*p == '"')
        {
          for (p++; p < end && *p != '"'; p++)
            if (*p == '\\' && !is_escape (p, end, &p))
              return FALSE;
          if (p == end)
            return FALSE;
          p++;
        }
      else if (*p == '{' || *p == '[')
        {
          depth++;
          p++;
        }
      else if (*p == '}' || *p == ']')
        {
          if (--depth < 0)
            return FALSE;
          p++;
        }
      else if (*p == '/' || *p == '\'')
        return FALSE;
      else if (depth == 0)
        {
          /* A number or a literal: up to white space or anything structural (NUL, "/" and "'" included). */
          while (p < end && !g_ascii_isspace (*p) && strchr ("{}[],:\"/'", *p) == NULL)
            p++;
        }
      else
        p++;
    }
  while (p < end && depth > 0);

  while (p < end && g_ascii_isspace (*p))
    p++;
  return p == end && depth == 0;
}

gboolean
yatai_json_holds_nul (const char *data,
                      gsize       length)
{
  const char *end = data + length;

  if (memchr (data, '\0', length) != NULL)
    return TRUE;
  for (const char *p = data; p < end; p++)
    {
      if (*p != '"')
        continue;
      for (p++; p < end && *p != '"'; p++)
        {
          if (*p != '\\' || p + 1 >= end)
            continue;
          p++;
          if (*p == 'u' && end - p > 4 && strncmp (p + 1, "0000", 4) == 0)
            return TRUE;
        }
    }
  return FALSE;
}

/* Whether every text in @node (member names and strings) is UTF-8. json-glib 1.6 reads escapes that are
 * not JSON's, an octal "\222" as the byte 0x92 and a lone "\ud800" as ED A0 80, and hands them on as
 * they are: a lease holding one was read and then refused when written back (found by fuzz-lease). No
 * JSON of Yatai's or of the bucket's nests deeper than a few levels; past 64, it is not theirs. */
static gboolean
node_is_utf8 (JsonNode *node,
              guint     depth)
{
  if (depth > 64)
    return FALSE;
  switch (JSON_NODE_TYPE (node))
    {
    case JSON_NODE_OBJECT:
      {
        JsonObjectIter iter;
        const char *name;
        JsonNode *member;

        json_object_iter_init (&iter, json_node_get_object (node));
        while (json_object_iter_next (&iter, &name, &member))
          if (!g_utf8_validate (name, -1, NULL) || !node_is_utf8 (member, depth + 1))
            return FALSE;
        return TRUE;
      }
    case JSON_NODE_ARRAY:
      {
        JsonArray *array = json_node_get_array (node);

        for (guint i = 0; i < json_array_get_length (array); i++)
          if (!node_is_utf8 (json_array_get_element (array, i), depth + 1))
            return FALSE;
        return TRUE;
      }
    case JSON_NODE_VALUE:
      return json_node_get_value_type (node) != G_TYPE_STRING || g_utf8_validate (json_node_get_string (node), -1, NULL);
    default:
      return TRUE;
    }
}

JsonNode *
yatai_json_parse_one (JsonParser *parser,
                      const char *data,
                      gssize      length)
{
  JsonNode *root;

  g_return_val_if_fail (JSON_IS_PARSER (parser), NULL);
  g_return_val_if_fail (data != NULL || length == 0, NULL);

  if (data == NULL)
    return NULL;
  if (length < 0)
    length = strlen (data);
  if (yatai_json_holds_nul (data, length) || !is_one_value (data, length) ||
      !json_parser_load_from_data (parser, data, length, NULL))
    return NULL;
  /* A document of comments alone has no root. */
  root = json_parser_get_root (parser);
  if (root != NULL && !node_is_utf8 (root, 0))
    return NULL;
  return root;
}

JsonNode *
yatai_json_node_new_object (void)
{
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  json_node_take_object (node, json_object_new ());
  return node;
}

/* The name of the device that made the command, when it came from another device. */
const char *
yatai_command_get_device_name (YataiCommand *self)
{
  g_return_val_if_fail (YATAI_IS_COMMAND (self), NULL);
  return self->device_name;
}

void
yatai_command_set_device_name (YataiCommand *self,
                               const char   *name)
{
  g_return_if_fail (YATAI_IS_COMMAND (self));
  g_free (self->device_name);
  self->device_name = g_strdup (name);
}

/* Its place among its device's commands (1, 2, 3...), 0 for a command that has none. */
gint64
yatai_command_get_counter (YataiCommand *self)
{
  g_return_val_if_fail (YATAI_IS_COMMAND (self), 0);
  return self->counter;
}

void
yatai_command_set_counter (YataiCommand *self,
                           gint64        counter)
{
  g_return_if_fail (YATAI_IS_COMMAND (self));
  g_return_if_fail (counter >= 0);
  self->counter = counter;
}

/* Arguments: what the operations read from a command's args, each refused by its name when it is
 * missing (and required) or of the wrong type. */

static gboolean
bad_argument (const char  *name,
              GError     **error)
{
  yatai_refusal_set_error (error, YATAI_REFUSAL_ARGUMENT, name);
  return FALSE;
}

gboolean
yatai_args_get_int (JsonObject  *args,
                    const char  *name,
                    gboolean     required,
                    gint64      *out,
                    GError     **error)
{
  JsonNode *node = json_object_get_member (args, name);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return required ? bad_argument (name, error) : TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    return bad_argument (name, error);
  *out = json_node_get_int (node);
  return TRUE;
}

gboolean
yatai_args_get_string (JsonObject  *args,
                       const char  *name,
                       gboolean     required,
                       const char **out,
                       GError     **error)
{
  JsonNode *node = json_object_get_member (args, name);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return required ? bad_argument (name, error) : TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return bad_argument (name, error);
  *out = json_node_get_string (node);
  return TRUE;
}

gboolean
yatai_args_get_bool (JsonObject  *args,
                     const char  *name,
                     gboolean    *out,
                     GError     **error)
{
  JsonNode *node = json_object_get_member (args, name);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    return bad_argument (name, error);
  *out = json_node_get_boolean (node);
  return TRUE;
}
