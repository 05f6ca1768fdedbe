#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Tests that read Yatai's messages in English and in Japanese (test-bad-input, test-refusal): the
 * build's translations (YATAI_LOCALEDIR), and the language switched within the test. */
void test_language_init (void);
void test_language_use  (const char *language);

G_END_DECLS
