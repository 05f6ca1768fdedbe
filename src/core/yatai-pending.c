/* yatai-pending.c: the commands on their way to the writer
 *
 * A GListModel of YataiPendingCommand, oldest first. A command is added when the sync engine sends it
 * and removed when its answer comes back; "finished" is emitted just before, with the command in its
 * final state (applied, with the writer's result; or refused, with the writer's reason), so a page can
 * show the call number it was waiting for or the reason in words.
 */
#define G_LOG_DOMAIN "yatai-pending"

#include "config.h"

#include <gio/gio.h>

#include "yatai-pending.h"

struct _YataiPendingCommand
{
  GObject            parent_instance;

  YataiCommand      *command;
  gint64             order_id;   /* the order it changes; 0 for none (a new order, a product…) */
  gint64             line_no;    /* order.line-done's line; -1 otherwise */
  char              *status;     /* order.status's target; NULL otherwise */
  YataiPendingState  state;
  char              *refusal;
  JsonNode          *result;
};

G_DEFINE_FINAL_TYPE (YataiPendingCommand, yatai_pending_command, G_TYPE_OBJECT)

static void
yatai_pending_command_finalize (GObject *object)
{
  YataiPendingCommand *self = YATAI_PENDING_COMMAND (object);

  g_clear_object (&self->command);
  g_free (self->status);
  g_free (self->refusal);
  g_clear_pointer (&self->result, json_node_unref);
  G_OBJECT_CLASS (yatai_pending_command_parent_class)->finalize (object);
}

static void
yatai_pending_command_class_init (YataiPendingCommandClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = yatai_pending_command_finalize;
}

static void
yatai_pending_command_init (YataiPendingCommand *self)
{
  self->line_no = -1;
}

/* The order a command of one of the order.* kinds names ("id"); order.confirm makes a new one. */
static YataiPendingCommand *
pending_command_new (YataiCommand *command)
{
  YataiPendingCommand *self = g_object_new (YATAI_TYPE_PENDING_COMMAND, NULL);
  const char *kind = yatai_command_get_kind (command);
  JsonObject *args = yatai_command_get_args (command);

  self->command = g_object_ref (command);
  if (g_str_has_prefix (kind, "order.") && !g_str_equal (kind, "order.confirm") && args != NULL)
    {
      self->order_id = json_object_get_int_member_with_default (args, "id", 0);
      if (g_str_equal (kind, "order.line-done"))
        self->line_no = json_object_get_int_member_with_default (args, "line_no", -1);
      if (g_str_equal (kind, "order.status"))
        self->status = g_strdup (json_object_get_string_member_with_default (args, "status", NULL));
    }
  return self;
}

const char *
yatai_pending_command_get_id (YataiPendingCommand *self)
{
  g_return_val_if_fail (YATAI_IS_PENDING_COMMAND (self), NULL);
  return yatai_command_get_id (self->command);
}

const char *
yatai_pending_command_get_kind (YataiPendingCommand *self)
{
  g_return_val_if_fail (YATAI_IS_PENDING_COMMAND (self), NULL);
  return yatai_command_get_kind (self->command);
}

YataiCommand *
yatai_pending_command_get_command (YataiPendingCommand *self)
{
  g_return_val_if_fail (YATAI_IS_PENDING_COMMAND (self), NULL);
  return self->command;
}

gint64
yatai_pending_command_get_order_id (YataiPendingCommand *self)
{
  g_return_val_if_fail (YATAI_IS_PENDING_COMMAND (self), 0);
  return self->order_id;
}

gint64
yatai_pending_command_get_line_no (YataiPendingCommand *self)
{
  g_return_val_if_fail (YATAI_IS_PENDING_COMMAND (self), -1);
  return self->line_no;
}

/* order.status's target ("processing", "completed"…), or NULL for another kind. */
const char *
yatai_pending_command_get_status (YataiPendingCommand *self)
{
  g_return_val_if_fail (YATAI_IS_PENDING_COMMAND (self), NULL);
  return self->status;
}

YataiPendingState
yatai_pending_command_get_state (YataiPendingCommand *self)
{
  g_return_val_if_fail (YATAI_IS_PENDING_COMMAND (self), YATAI_PENDING_SENDING);
  return self->state;
}

/* The writer's reason, in words, once it refused the command. */
const char *
yatai_pending_command_get_refusal (YataiPendingCommand *self)
{
  g_return_val_if_fail (YATAI_IS_PENDING_COMMAND (self), NULL);
  return self->refusal;
}

/* The writer's result once it applied the command (order.confirm's holds the call number), or NULL. */
JsonNode *
yatai_pending_command_get_result (YataiPendingCommand *self)
{
  g_return_val_if_fail (YATAI_IS_PENDING_COMMAND (self), NULL);
  return self->result;
}

/* The list */

struct _YataiPendingCommands
{
  GObject    parent_instance;

  GPtrArray *items;   /* YataiPendingCommand, in the order they were sent */
};

static void yatai_pending_commands_list_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (YataiPendingCommands, yatai_pending_commands, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, yatai_pending_commands_list_init))

enum
{
  FINISHED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static GType
list_get_item_type (GListModel *list)
{
  return YATAI_TYPE_PENDING_COMMAND;
}

static guint
list_get_n_items (GListModel *list)
{
  return YATAI_PENDING_COMMANDS (list)->items->len;
}

static gpointer
list_get_item (GListModel *list,
               guint       position)
{
  YataiPendingCommands *self = YATAI_PENDING_COMMANDS (list);

  return position < self->items->len ? g_object_ref (self->items->pdata[position]) : NULL;
}

static void
yatai_pending_commands_list_init (GListModelInterface *iface)
{
  iface->get_item_type = list_get_item_type;
  iface->get_n_items = list_get_n_items;
  iface->get_item = list_get_item;
}

static void
yatai_pending_commands_finalize (GObject *object)
{
  g_ptr_array_unref (YATAI_PENDING_COMMANDS (object)->items);
  G_OBJECT_CLASS (yatai_pending_commands_parent_class)->finalize (object);
}

static void
yatai_pending_commands_class_init (YataiPendingCommandsClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = yatai_pending_commands_finalize;

  /**
   * YataiPendingCommands::finished:
   * @command: the command, applied or refused
   *
   * The writer's answer to @command came back; it leaves the list right after.
   */
  signals[FINISHED] = g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                    G_TYPE_NONE, 1, YATAI_TYPE_PENDING_COMMAND);
}

static void
yatai_pending_commands_init (YataiPendingCommands *self)
{
  self->items = g_ptr_array_new_with_free_func (g_object_unref);
}

YataiPendingCommands *
yatai_pending_commands_new (void)
{
  return g_object_new (YATAI_TYPE_PENDING_COMMANDS, NULL);
}

/**
 * yatai_pending_commands_add:
 * @command: a command just sent to the writer
 *
 * Returns: (transfer none): its entry, on its way until yatai_pending_commands_finish()
 */
YataiPendingCommand *
yatai_pending_commands_add (YataiPendingCommands *self,
                            YataiCommand         *command)
{
  YataiPendingCommand *pending;

  g_return_val_if_fail (YATAI_IS_PENDING_COMMANDS (self), NULL);
  g_return_val_if_fail (YATAI_IS_COMMAND (command), NULL);

  pending = yatai_pending_commands_find (self, yatai_command_get_id (command));
  if (pending != NULL)
    return pending;
  pending = pending_command_new (command);
  g_ptr_array_add (self->items, pending);
  g_list_model_items_changed (G_LIST_MODEL (self), self->items->len - 1, 0, 1);
  return pending;
}

/**
 * yatai_pending_commands_finish:
 * @result: (nullable): what the writer answered when it applied the command
 * @refusal: (nullable): the writer's reason, when it refused it
 *
 * The answer to the command @id came back: "finished", then it leaves the list.
 *
 * Returns: %FALSE when no command @id was on its way (sent by another program on this store, or
 *   answered already)
 */
gboolean
yatai_pending_commands_finish (YataiPendingCommands *self,
                               const char           *id,
                               JsonNode             *result,
                               const char           *refusal)
{
  g_autoptr(YataiPendingCommand) pending = NULL;
  guint position;

  g_return_val_if_fail (YATAI_IS_PENDING_COMMANDS (self), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);

  for (position = 0; position < self->items->len; position++)
    if (g_str_equal (yatai_pending_command_get_id (self->items->pdata[position]), id))
      break;
  if (position == self->items->len)
    return FALSE;

  pending = g_object_ref (self->items->pdata[position]);
  pending->state = refusal != NULL ? YATAI_PENDING_REFUSED : YATAI_PENDING_APPLIED;
  pending->refusal = g_strdup (refusal);
  if (result != NULL && refusal == NULL)
    pending->result = json_node_ref (result);
  g_signal_emit (self, signals[FINISHED], 0, pending);
  g_ptr_array_remove_index (self->items, position);
  g_list_model_items_changed (G_LIST_MODEL (self), position, 1, 0);
  return TRUE;
}

/* Returns: (transfer none) (nullable): the command @id, while it is on its way */
YataiPendingCommand *
yatai_pending_commands_find (YataiPendingCommands *self,
                             const char           *id)
{
  g_return_val_if_fail (YATAI_IS_PENDING_COMMANDS (self), NULL);

  for (guint i = 0; i < self->items->len; i++)
    if (g_str_equal (yatai_pending_command_get_id (self->items->pdata[i]), id))
      return self->items->pdata[i];
  return NULL;
}

/**
 * yatai_pending_commands_find_move:
 *
 * Returns: (transfer none) (nullable): the latest command on its way that moves, cancels, edits or
 *   deletes the order @order_id (anything but striking a line through): while it is, another such
 *   command would contradict it
 */
YataiPendingCommand *
yatai_pending_commands_find_move (YataiPendingCommands *self,
                                  gint64                order_id)
{
  g_return_val_if_fail (YATAI_IS_PENDING_COMMANDS (self), NULL);

  for (guint i = self->items->len; order_id > 0 && i > 0; i--)
    {
      YataiPendingCommand *pending = self->items->pdata[i - 1];

      if (pending->order_id == order_id && pending->line_no < 0)
        return pending;
    }
  return NULL;
}

/* Returns: (transfer none) (nullable): the latest command on its way that strikes line @line_no of
 * the order @order_id through, or back */
YataiPendingCommand *
yatai_pending_commands_find_line (YataiPendingCommands *self,
                                  gint64                order_id,
                                  gint64                line_no)
{
  g_return_val_if_fail (YATAI_IS_PENDING_COMMANDS (self), NULL);

  for (guint i = self->items->len; order_id > 0 && i > 0; i--)
    {
      YataiPendingCommand *pending = self->items->pdata[i - 1];

      if (pending->order_id == order_id && pending->line_no == line_no && line_no >= 0)
        return pending;
    }
  return NULL;
}
