#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

/* The conformance server's fault instructions (Google's storage-testbench, "Retry Test API"):
 *   POST   /retry_test       {"instructions": {"storage.objects.get": ["return-503", ...]}} → the test, with its id
 *   GET    /retry_test/ID    the test: instructions left, "completed" once all were used
 *   DELETE /retry_test/ID    forgets it
 *   GET    /retry_tests      {"retry_test": [...]}
 * A request with the header x-retry-test-id: ID takes the next instruction of its method. */
typedef struct _TestRetryTests TestRetryTests;

TestRetryTests *test_retry_tests_new    (void);
void            test_retry_tests_free   (TestRetryTests    *self);

/* TRUE when @path is the resource's (and the answer is set). */
gboolean        test_retry_tests_handle (TestRetryTests    *self,
                                         SoupServerMessage *msg,
                                         const char        *method,
                                         const char        *path);

/* The next instruction of @api_method in test @id, used up; NULL when there is none. @unknown is set
 * when there is no test @id. */
char           *test_retry_tests_take   (TestRetryTests    *self,
                                         const char        *id,
                                         const char        *api_method,
                                         gboolean          *unknown);

G_END_DECLS
