/*
 * test_report_print.c - report_json_print, which prints a document into a
 * buffer that a batch keeps from one report to the next: the text must be
 * cJSON_PrintUnformatted's to the byte, whatever the buffer held and
 * however often the room had to grow, and a limit stops it cleanly.
 */
#include "report_json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

#include "unit.h"

#include "banned.h"

/* doc_of - an object of n members, each a string of len octets that needs
 * escaping, a number and a nested array: the shapes of the report */
static cJSON *
doc_of(size_t n, size_t len)
{
	cJSON *d = cJSON_CreateObject();
	char *s = malloc(len + 1);

	for (size_t i = 0; i < len; i++)
		s[i] = "ab\"\\\n\x01 "[i % 7];
	s[len] = '\0';
	for (size_t i = 0; i < n; i++) {
		char key[32];
		cJSON *a;

		snprintf(key, sizeof(key), "member-%zu", i);
		a = cJSON_AddArrayToObject(d, key);
		cJSON_AddItemToArray(a, cJSON_CreateString(s));
		cJSON_AddItemToArray(a, cJSON_CreateNumber(0.1 * (double)i));
		cJSON_AddItemToArray(a, cJSON_CreateNull());
	}
	free(s);
	return d;
}

struct row {
	const char *name;
	size_t members, len; /* the document */
	const char *before;  /* what the buffer holds already */
	size_t max;          /* the buffer's limit; 0: none to speak of */
	enum st_err err;
};

static const struct row rows[] = {
	{ "print/empty-object", 0, 0, "", 0, ST_OK },
	{ "print/small", 3, 10, "", 0, ST_OK },
	/* past the first room: the retry path, twice over */
	{ "print/grows-past-first-room", 400, 300, "", 0, ST_OK },
	/* appended after what was there, which stays */
	{ "print/appends", 20, 50, "line one\n", 0, ST_OK },
	{ "print/appends-and-grows", 400, 300, "line one\n", 0, ST_OK },
	/* a limit below the document: an error, and the buffer as before */
	{ "print/limit", 400, 300, "kept", 4096, ST_ERR_LIMIT },
};

static void
run(const struct row *row, struct buf *b)
{
	cJSON *d = doc_of(row->members, row->len);
	char *want = cJSON_PrintUnformatted(d), *full;
	char name[128];
	enum st_err err;

	buf_reset(b);
	if (buf_addstr(b, row->before) != ST_OK) {
		unit_report(0, row->name, "set-up", "buf_addstr failed");
		goto out;
	}
	err = report_json_print(d, b);
	snprintf(name, sizeof(name), "%s/status", row->name);
	unit_eq_str(name, st_strerror(row->err), st_strerror(err));
	snprintf(name, sizeof(name), "%s/text", row->name);
	if (row->err != ST_OK) {
		unit_eq_str(name, row->before, b->data);
		goto out;
	}
	full = malloc(strlen(row->before) + strlen(want) + 1);
	snprintf(full, strlen(row->before) + strlen(want) + 1, "%s%s",
	    row->before, want);
	unit_eq_str(name, full, b->data);
	snprintf(name, sizeof(name), "%s/len", row->name);
	unit_eq_long(name, (long)strlen(full), (long)b->len);
	free(full);
out:
	free(want);
	cJSON_Delete(d);
}

int
main(void)
{
	struct buf kept;

	/* each row with a fresh buffer, then all with one kept buffer, as a
	 * batch worker keeps it (room left over from a bigger document) */
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct buf b;

		buf_init(&b, rows[i].max ? rows[i].max : 64L << 20);
		run(&rows[i], &b);
		buf_release(&b);
	}
	buf_init(&kept, 64L << 20);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct row r = rows[i];
		char name[64];

		if (r.max != 0)
			continue;
		snprintf(name, sizeof(name), "kept-%s", r.name);
		r.name = name;
		run(&r, &kept);
	}
	buf_release(&kept);
	return unit_exit();
}
