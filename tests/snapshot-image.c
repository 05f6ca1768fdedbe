/* snapshot-image.c: a snapshot's database image, changed or read on a copy (snapshot-image.h) */
#include "config.h"

#include <sqlite3.h>
#include <string.h>

#include "snapshot-image.h"

static sqlite3 *
open_copy (GBytes *snapshot)
{
  sqlite3 *db = NULL;
  gsize size = g_bytes_get_size (snapshot);
  unsigned char *image = sqlite3_malloc64 (size);

  memcpy (image, g_bytes_get_data (snapshot, NULL), size);
  g_assert_cmpint (sqlite3_open (":memory:", &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_deserialize (db, "main", image, size, size,
                                        SQLITE_DESERIALIZE_FREEONCLOSE | SQLITE_DESERIALIZE_RESIZEABLE), ==, SQLITE_OK);
  return db;
}

/* @snapshot changed by @sql, run on a copy with the schema writable and constraints unchecked. */
GBytes *
snapshot_image_tamper (GBytes     *snapshot,
                       const char *sql)
{
  sqlite3 *db = open_copy (snapshot);
  sqlite3_int64 out_size = 0;
  unsigned char *out;
  GBytes *result;

  g_assert_cmpint (sqlite3_exec (db, "PRAGMA writable_schema = ON; PRAGMA ignore_check_constraints = ON;",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  out = sqlite3_serialize (db, "main", &out_size, 0);
  sqlite3_close (db);
  result = g_bytes_new (out, out_size);
  sqlite3_free (out);
  return result;
}

/* The first column of the first row @sql answers on a copy of @snapshot, as text (NULL: no row). */
char *
snapshot_image_query (GBytes     *snapshot,
                      const char *sql)
{
  sqlite3 *db = open_copy (snapshot);
  sqlite3_stmt *stmt = NULL;
  char *text = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    text = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return text;
}
