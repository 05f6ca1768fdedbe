/* test-bucket.h: what the parts of yatai-test-bucket share: the server, its answers, its routes
 *
 * yatai-test-bucket.c routes requests and runs the faults; test-bucket-reply.c builds GCS's answers and
 * checks preconditions; test-bucket-objects.c serves objects and buckets; test-bucket-auth.c hands out
 * and checks tokens. None of it is shared with Yatai's own GCS client. */
#pragma once

#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "test-bucket-retry.h"
#include "test-bucket-store.h"

G_BEGIN_DECLS

typedef struct
{
  char   *method;         /* NULL: any */
  char   *path_contains;  /* NULL: any */
  guint   status;         /* answer with this status */
  char   *action;         /* "drop", "apply-drop", "corrupt", "bad-crc32c", "chunked", or NULL */
  guint   delay_ms;
  int     times;          /* how many requests it still applies to; -1 forever */
} Fault;

typedef struct
{
  TestBucketStore    *store;
  guint               latency_ms;
  double              fail_rate;
  GRand              *rand;
  gboolean            rate_limit;
  gboolean            verbose;
  GHashTable         *last_write;   /* "bucket\nname" → gint64* µs of the last mutation */
  GPtrArray          *faults;
  GHashTable         *counts;       /* method → guint */
  GPtrArray          *created;      /* the name of every object created, in order */
  guint               n_faults;
  gnutls_pubkey_t     token_key;
  guint               token_lifetime;
  GHashTable         *tokens;       /* token → gint64* expiry (monotonic µs) */
  guint               n_tokens;
  char               *refresh_token;  /* --refresh-token: the sign-in a grant_type=refresh_token must carry */
  TestRetryTests     *retry_tests;
  gboolean            close_connections;
} Server;


/* test-bucket-reply.c */
void
reply_json (SoupServerMessage *msg,
            guint              status,
            JsonNode          *node);
void
reply_error (SoupServerMessage *msg,
             guint              status,
             const char        *reason,
             const char        *message);
void
add_string (JsonBuilder *b,
            const char  *name,
            const char  *value);
void
build_resource (JsonBuilder      *b,
                TestBucketObject *object);
void
reply_resource (SoupServerMessage *msg,
                TestBucketObject  *object);
gboolean
query_int (GHashTable *query,
           const char *name,
           gint64     *out);
gboolean
check_preconditions (SoupServerMessage *msg,
                     GHashTable        *query,
                     TestBucketObject  *object,
                     gboolean           is_read);

/* test-bucket-objects.c */
void
handle_list (Server            *server,
             SoupServerMessage *msg,
             const char        *bucket,
             GHashTable        *query);
void
handle_upload (Server            *server,
               SoupServerMessage *msg,
               const char        *bucket,
               GHashTable        *query,
               gboolean           corrupt);
void
handle_object (Server            *server,
               SoupServerMessage *msg,
               const char        *method,
               const char        *bucket,
               const char        *name,
               GHashTable        *query,
               gboolean           media,
               const char        *action);
void
reply_bucket (SoupServerMessage *msg,
              const char        *name);
void
reply_no_bucket (SoupServerMessage *msg,
                 const char        *bucket);
void
handle_bucket_insert (Server            *server,
                      SoupServerMessage *msg,
                      GHashTable        *query);

/* test-bucket-auth.c */
void
handle_token (Server            *server,
              SoupServerMessage *msg);
gboolean
authorized (Server            *server,
            SoupServerMessage *msg);
gnutls_pubkey_t
load_public_key (const char *path);

G_END_DECLS
