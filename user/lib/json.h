/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Tiny streaming JSON writer.  Emits compact JSON to a FILE; commas are
 * tracked per nesting level.  Inside objects every value takes a key; inside
 * arrays (and for the top-level value) pass key = NULL.
 */
#ifndef TLSDEV_JSON_H
#define TLSDEV_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 16

struct json {
	FILE *f;
	int depth;
	bool need_comma[JSON_MAX_DEPTH];
	bool error; /* nesting too deep or unbalanced */
};

void json_init(struct json *j, FILE *f);
void json_obj_begin(struct json *j, const char *key);
void json_obj_end(struct json *j);
void json_arr_begin(struct json *j, const char *key);
void json_arr_end(struct json *j);
void json_str(struct json *j, const char *key, const char *val); /* NULL -> null */
void json_u64(struct json *j, const char *key, uint64_t val);
void json_i64(struct json *j, const char *key, int64_t val);
/* Non-finite values are written as null. */
void json_double(struct json *j, const char *key, double val, int decimals);
void json_bool(struct json *j, const char *key, bool val);
void json_null(struct json *j, const char *key);
/* Finish the document: newline + flush.  Returns 0 if it was well formed. */
int json_finish(struct json *j);

/* Write @s as a quoted, escaped JSON string. */
void json_write_string(FILE *f, const char *s);

#endif
