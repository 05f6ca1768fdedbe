#pragma once

#include "yatai-store.h"

G_BEGIN_DECLS

/* How yatai-ctl opens its store (yatai-ctl-store.c). */
typedef struct
{
  const char *path;        /* the store asked for (--store) */
  char       *restoring;   /* restore: the file written until it is whole */
  char       *holder;      /* status, read-only: who has the store, in words */
  gboolean    holds_target;
} YataiCtlStore;

YataiStore *yatai_ctl_store_open               (YataiCtlStore  *self,
                                                const char     *command,
                                                GError        **error);
void        yatai_ctl_store_print_holder       (YataiCtlStore  *self);
gboolean    yatai_ctl_store_finish             (YataiCtlStore  *self,
                                                YataiStore     *store,
                                                gboolean        succeeded,
                                                GError        **error);

G_END_DECLS
