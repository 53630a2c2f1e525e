/*
 * check.h - check results: the data every finding becomes.
 *
 * A check fills a result (id, status, subject, detail, optional data);
 * report modules render results, and the exit code is computed from them.
 * Ids, scopes and severities come from the catalogue in check.c, which
 * mirrors checks.md Appendix D in order.
 */
#ifndef SMTPTLS_CHECK_H
#define SMTPTLS_CHECK_H

#include <stdbool.h>
#include <stddef.h>

#include "smtptls/err.h"

struct cJSON;

enum check_status {
	CHECK_PASS = 0,
	CHECK_WARN,
	CHECK_FAIL,
	CHECK_INFO,
	CHECK_SKIP,
	CHECK_ERROR,
	CHECK__COUNT
};
/* "pass", "warn", ... */
const char *check_status_name(enum check_status s);

struct check_result {
	const char *id; /* catalogue id (static) */
	enum check_status status;
	char *domain; /* subject fields, owned, NULL when absent */
	char *mx;
	char *address;
	char *mailbox;
	char *detail;       /* one sentence, owned */
	struct cJSON *data; /* owned or NULL */
	const char *tlsrpt; /* RFC 8460 result type or NULL (static) */
	bool waived;
	unsigned order;         /* catalogue position, for sorting */
	unsigned subject_order; /* position of the subject in the report */
};

/*
 * A list of results with a sticky error: the first failure to record a
 * result (or one a check module reports with check_list_set_error) stays
 * in err, and later results are still recorded where memory allows. The
 * checks add results without testing each call; whoever judges or
 * renders the list reads check_list_error() once first, as a stdio
 * writer reads ferror() after its last fprintf. A list with an error is
 * incomplete: a result missing from it says nothing about the target.
 */
struct check_list {
	struct check_result *v;
	size_t n, cap;
	enum st_err err; /* first failure, ST_OK if none */
};

/* Severity text of a catalogue id ("critical", ...); NULL if unknown. */
const char *check_severity(const char *id);
/* Catalogue position of id (Appendix D order); -1 if unknown. */
int check_index(const char *id);

void check_list_init(struct check_list *l);
void check_list_release(struct check_list *l);

/*
 * Append a result. Subject strings are copied (may be NULL); data is taken
 * over (freed on failure too). The detail is printf-formatted. Returns the
 * new result, to set optional fields; NULL when out of memory, and then
 * ST_ERR_NOMEM is recorded in the list (check_list_error), so a caller
 * that needs no field may ignore the return value.
 */
struct check_result *check_add(struct check_list *l, const char *id,
    enum check_status st, const char *domain, const char *mx,
    const char *address, unsigned subject_order, struct cJSON *data,
    const char *fmt, ...) __attribute__((format(printf, 9, 10)));

/* The list's sticky error: ST_OK, or the first failure recorded. */
enum st_err check_list_error(const struct check_list *l)
    __attribute__((warn_unused_result));
/* Record err (not ST_OK) as the list's error unless one is recorded: for a
 * check module that could not produce its results. */
void check_list_set_error(struct check_list *l, enum st_err err);

/* Sort into report order: catalogue order, then subject order. */
void check_list_sort(struct check_list *l);

/* Mark results whose id matches a shell pattern (fnmatch) as waived. */
void check_list_waive(struct check_list *l, const char *const *patterns,
    size_t npatterns);

/* The first result with this id and subject (mx/address may be NULL). */
const struct check_result *check_find(const struct check_list *l,
    const char *id, const char *mx, const char *address);

/* Count results per status (waived included); counts has CHECK__COUNT. */
void check_list_count(const struct check_list *l, size_t *counts);

#endif
