/*
 * report_diff.h - what changed that matters between two probe reports of
 * the same target (report.md 4 documents, OLD then NEW): MX hosts and
 * addresses added or removed, a certificate key change and whether DANE
 * still matches, an expiry crossing the warning window, the MTA-STS id or
 * mode, a policy level's outcome. A pure function over two parsed
 * documents; the rules are one table in report_diff.c. "smtptls diff"
 * (cmd/diff.c) reads the files and prints the result.
 */
#ifndef SMTPTLS_REPORT_DIFF_H
#define SMTPTLS_REPORT_DIFF_H

#include <stdbool.h>
#include <stddef.h>

#include "smtptls/err.h"

struct cJSON;

enum diff_dir {
	DIFF_CHANGED = 0, /* neither better nor worse (an id, a new key) */
	DIFF_WORSE,
	DIFF_BETTER,
	DIFF__COUNT
};
/* "changed", "worse", "better" */
const char *diff_dir_name(enum diff_dir d);

/* One change. Strings are owned by the list; NULL when absent. */
struct diff_change {
	const char *rule; /* static: "mx.added", "level", ... */
	enum diff_dir dir;
	char *mx, *address, *level; /* the subject, as far as it applies */
	char *old_value, *new_value;
	char *detail; /* one sentence for people */
};

/* Changes with a sticky error, as check_list (check.h). */
struct diff_list {
	struct diff_change *v;
	size_t n, cap;
	enum st_err err;
	bool level_worse; /* a level's outcome got worse: exit 1 */
};

void diff_list_init(struct diff_list *l);
void diff_list_release(struct diff_list *l);

/*
 * Compare old with new into l (initialised by the caller). Returns ST_OK;
 * ST_ERR_PARSE when either document is not a probe report of schema 1.x
 * or they are reports of different targets (why says which, one line);
 * ST_ERR_NOMEM when a change could not be recorded.
 */
enum st_err report_diff(const struct cJSON *old, const struct cJSON *new,
    struct diff_list *l, char *why, size_t whylen)
    __attribute__((warn_unused_result));

/* The diff document ("type": "diff", tests/schema/diff.schema.json), or
 * NULL when out of memory; the caller frees it with cJSON_Delete. */
struct cJSON *report_diff_json(const struct diff_list *l,
    const struct cJSON *old, const struct cJSON *new, int exit_code);
/* The changes as text, one line each (NUL-terminated, caller frees);
 * NULL when out of memory. */
char *report_diff_text(const struct diff_list *l, const struct cJSON *old,
    const struct cJSON *new);

#endif
