/* test-bucket-retry.c: the "retry_test" resource of yatai-test-bucket, as Google's conformance server has it
 *
 * Instructions are kept per test and per method, in the order given; each request of that method that
 * names the test takes the first one left. The test is "completed" when none is left. Only the
 * instructions this server can carry out are accepted (return-NNN, return-reset-connection); others are
 * refused with 400 as the conformance server refuses what it does not know.
 */
#define G_LOG_DOMAIN "yatai-test-bucket"

#include <json-glib/json-glib.h>
#include <string.h>

#include "test-bucket.h"

/* The methods this server routes (the JSON API's names). */
static const char * const methods[] = {
  "storage.buckets.get", "storage.buckets.insert", "storage.objects.delete", "storage.objects.get",
  "storage.objects.insert", "storage.objects.list", "storage.objects.patch", NULL
};

typedef struct
{
  char       *id;
  GPtrArray  *methods;        /* the methods named, in the order given */
  GHashTable *instructions;   /* method → GQueue of char* */
} RetryTest;

struct _TestRetryTests
{
  GHashTable *tests;          /* id → RetryTest */
  GPtrArray  *order;          /* ids, oldest first */
};

static void
queue_free (gpointer data)
{
  g_queue_free_full (data, g_free);
}

static void
retry_test_free (gpointer data)
{
  RetryTest *test = data;

  g_free (test->id);
  g_ptr_array_unref (test->methods);
  g_hash_table_unref (test->instructions);
  g_free (test);
}

static gboolean
retry_test_completed (RetryTest *test)
{
  GHashTableIter iter;
  gpointer queue;

  g_hash_table_iter_init (&iter, test->instructions);
  while (g_hash_table_iter_next (&iter, NULL, &queue))
    if (!g_queue_is_empty (queue))
      return FALSE;
  return TRUE;
}

TestRetryTests *
test_retry_tests_new (void)
{
  TestRetryTests *self = g_new0 (TestRetryTests, 1);

  self->tests = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, retry_test_free);
  self->order = g_ptr_array_new_with_free_func (g_free);
  return self;
}

void
test_retry_tests_free (TestRetryTests *self)
{
  g_hash_table_unref (self->tests);
  g_ptr_array_unref (self->order);
  g_free (self);
}

static void
build_test (JsonBuilder *b,
            RetryTest   *test)
{
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id");
  json_builder_add_string_value (b, test->id);
  json_builder_set_member_name (b, "instructions");
  json_builder_begin_object (b);
  for (guint i = 0; i < test->methods->len; i++)
    {
      GQueue *queue = g_hash_table_lookup (test->instructions, test->methods->pdata[i]);

      json_builder_set_member_name (b, test->methods->pdata[i]);
      json_builder_begin_array (b);
      for (GList *l = queue->head; l != NULL; l = l->next)
        json_builder_add_string_value (b, l->data);
      json_builder_end_array (b);
    }
  json_builder_end_object (b);
  json_builder_set_member_name (b, "completed");
  json_builder_add_boolean_value (b, retry_test_completed (test));
  json_builder_set_member_name (b, "transport");
  json_builder_add_string_value (b, "HTTP");
  json_builder_end_object (b);
}

static void
reply_test (SoupServerMessage *msg,
            RetryTest         *test)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  build_test (b, test);
  root = json_builder_get_root (b);
  reply_json (msg, SOUP_STATUS_OK, root);
}

static gboolean
instruction_is_known (const char *instruction)
{
  gsize length = strlen (instruction);

  if (g_str_equal (instruction, "return-reset-connection"))
    return TRUE;
  /* return-NNN */
  return length == 10 && g_str_has_prefix (instruction, "return-") && g_ascii_isdigit (instruction[7]) &&
         g_ascii_isdigit (instruction[8]) && g_ascii_isdigit (instruction[9]);
}

static void
insert (TestRetryTests    *self,
        SoupServerMessage *msg)
{
  g_autoptr(GBytes) body = soup_message_body_flatten (soup_server_message_get_request_body (msg));
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *instructions = NULL;
  RetryTest *test;
  GList *members;

  if (json_parser_load_from_data (parser, g_bytes_get_data (body, NULL), g_bytes_get_size (body), NULL) &&
      JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    instructions = json_object_get_member (json_node_get_object (json_parser_get_root (parser)), "instructions");
  if (instructions == NULL || !JSON_NODE_HOLDS_OBJECT (instructions) ||
      json_object_get_size (json_node_get_object (instructions)) == 0)
    {
      soup_server_message_set_status (msg, SOUP_STATUS_BAD_REQUEST, NULL);
      soup_server_message_set_response (msg, "text/plain", SOUP_MEMORY_STATIC, "instructions is not defined",
                                        strlen ("instructions is not defined"));
      return;
    }

  test = g_new0 (RetryTest, 1);
  test->methods = g_ptr_array_new_with_free_func (g_free);
  test->instructions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, queue_free);
  members = json_object_get_members (json_node_get_object (instructions));
  for (GList *l = members; l != NULL; l = l->next)
    {
      JsonNode *list = json_object_get_member (json_node_get_object (instructions), l->data);
      GQueue *queue;

      if (!g_strv_contains (methods, l->data) || !JSON_NODE_HOLDS_ARRAY (list))
        {
          g_autofree char *message = g_strdup_printf ("The requested method <%s> for fault injection is not valid.",
                                                      (const char *) l->data);

          reply_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid", message);
          g_list_free (members);
          retry_test_free (test);
          return;
        }
      queue = g_queue_new ();
      g_ptr_array_add (test->methods, g_strdup (l->data));
      g_hash_table_insert (test->instructions, g_strdup (l->data), queue);
      for (guint i = 0; i < json_array_get_length (json_node_get_array (list)); i++)
        {
          JsonNode *item = json_array_get_element (json_node_get_array (list), i);
          const char *instruction = JSON_NODE_HOLDS_VALUE (item) && json_node_get_value_type (item) == G_TYPE_STRING
                                    ? json_node_get_string (item) : "";

          if (!instruction_is_known (instruction))
            {
              g_autofree char *message = g_strdup_printf ("The fault injection request <%s> is not valid.", instruction);

              reply_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid", message);
              g_list_free (members);
              retry_test_free (test);
              return;
            }
          g_queue_push_tail (queue, g_strdup (instruction));
        }
    }
  g_list_free (members);

  {
    g_autofree char *uuid = g_uuid_string_random ();
    GString *id = g_string_new (NULL);

    for (const char *c = uuid; *c != '\0'; c++)
      if (*c != '-')
        g_string_append_c (id, *c);
    test->id = g_string_free (id, FALSE);
  }
  g_hash_table_insert (self->tests, test->id, test);
  g_ptr_array_add (self->order, g_strdup (test->id));
  reply_test (msg, test);
}

gboolean
test_retry_tests_handle (TestRetryTests    *self,
                         SoupServerMessage *msg,
                         const char        *method,
                         const char        *path)
{
  const char *id;
  RetryTest *test;

  if (g_str_equal (path, "/retry_test") && g_str_equal (method, "POST"))
    {
      insert (self, msg);
      return TRUE;
    }
  if (g_str_equal (path, "/retry_tests") && g_str_equal (method, "GET"))
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "retry_test");
      json_builder_begin_array (b);
      for (guint i = 0; i < self->order->len; i++)
        build_test (b, g_hash_table_lookup (self->tests, self->order->pdata[i]));
      json_builder_end_array (b);
      json_builder_end_object (b);
      root = json_builder_get_root (b);
      reply_json (msg, SOUP_STATUS_OK, root);
      return TRUE;
    }
  if (!g_str_has_prefix (path, "/retry_test/"))
    return FALSE;

  id = path + strlen ("/retry_test/");
  test = g_hash_table_lookup (self->tests, id);
  if (test == NULL)
    {
      g_autofree char *message = g_strdup_printf ("Retry Test %s does not exist.", id);

      reply_error (msg, SOUP_STATUS_NOT_FOUND, "notFound", message);
      return TRUE;
    }
  if (g_str_equal (method, "GET"))
    reply_test (msg, test);
  else if (g_str_equal (method, "DELETE"))
    {
      g_autofree char *text = g_strdup_printf ("Deleted %s", id);

      for (guint i = 0; i < self->order->len; i++)
        if (g_str_equal (self->order->pdata[i], id))
          {
            g_ptr_array_remove_index (self->order, i);
            break;
          }
      g_hash_table_remove (self->tests, test->id);
      soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
      soup_server_message_set_response (msg, "text/plain", SOUP_MEMORY_COPY, text, strlen (text));
    }
  else
    reply_error (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "methodNotAllowed", "method is not allowed");
  return TRUE;
}

char *
test_retry_tests_take (TestRetryTests *self,
                       const char     *id,
                       const char     *api_method,
                       gboolean       *unknown)
{
  RetryTest *test = g_hash_table_lookup (self->tests, id);
  GQueue *queue;

  *unknown = test == NULL;
  if (test == NULL || api_method == NULL)
    return NULL;
  queue = g_hash_table_lookup (test->instructions, api_method);
  return queue != NULL ? g_queue_pop_head (queue) : NULL;
}
