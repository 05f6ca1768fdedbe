#pragma once

#include "yatai-bucket.h"

G_BEGIN_DECLS

/* A bucket in memory for the sync engine's unit tests: generations, create-only and compare-and-swap
 * preconditions, listing by prefix, and an "offline" switch. The engine is also tested against the test
 * bucket server over HTTP; this one makes the logic tests fast and exact. */
#define YATAI_TYPE_MEMORY_BUCKET (yatai_memory_bucket_get_type ())
G_DECLARE_FINAL_TYPE (YataiMemoryBucket, yatai_memory_bucket, YATAI, MEMORY_BUCKET, GObject)

YataiMemoryBucket *yatai_memory_bucket_new          (void);
void               yatai_memory_bucket_set_offline  (YataiMemoryBucket *self,
                                                     gboolean           offline);
GBytes            *yatai_memory_bucket_get          (YataiMemoryBucket *self,
                                                     const char        *name);
void               yatai_memory_bucket_put          (YataiMemoryBucket *self,
                                                     const char        *name,
                                                     GBytes            *bytes);
guint              yatai_memory_bucket_count_prefix (YataiMemoryBucket *self,
                                                     const char        *prefix);
void               yatai_memory_bucket_lose_answers (YataiMemoryBucket *self,
                                                     guint              n);
guint              yatai_memory_bucket_get_writes   (YataiMemoryBucket *self);
guint              yatai_memory_bucket_count_reads  (YataiMemoryBucket *self,
                                                     const char        *name);
void               yatai_memory_bucket_hold_reads   (YataiMemoryBucket *self,
                                                     const char        *contains);
guint              yatai_memory_bucket_count_held   (YataiMemoryBucket *self);

G_END_DECLS
