#pragma once

#include "yatai-bucket.h"
#include "yatai-store.h"

G_BEGIN_DECLS

int ctl_print_status (YataiBucket *bucket,
                      const char  *prefix,
                      YataiStore  *store,
                      const char  *link,
                      guint        seconds);

G_END_DECLS
