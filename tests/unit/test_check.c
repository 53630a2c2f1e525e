/*
 * test_check.c - the result list's sticky error (check.h): check_add()
 * records its first failure in the list, later failures do not replace
 * it, results are still added after it, and release clears it. The
 * failure is forced through a detail the C library cannot format (a wide
 * character outside Unicode), which takes check_add's own error path.
 * Also the catalogue behind enum check_id: every id has a name and a
 * severity, and each name leads back to its own id.
 */
#include "smtptls/check.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <wchar.h>

#include "unit.h"

#include "banned.h"

/* Not a Unicode scalar value: "%ls" fails with EILSEQ in every locale. */
static const wchar_t not_unicode[] = {0x110000, 0};

struct step {
	const char *name;
	enum { ADD_OK, ADD_BAD, SET_NOMEM, SET_PARSE, RELEASE } op;
	long n;               /* results in the list afterwards */
	enum st_err err;      /* check_list_error() afterwards */
};

/* One list, driven through the steps in order. */
static const struct step steps[] = {
	{"fresh list has no error", ADD_OK, 1, ST_OK},
	{"a detail that cannot be formatted is recorded", ADD_BAD, 1,
	    ST_ERR_INTERNAL},
	{"results are still added after a failure", ADD_OK, 2, ST_ERR_INTERNAL},
	{"the first failure stays (later NOMEM)", SET_NOMEM, 2, ST_ERR_INTERNAL},
	{"release clears the list and its error", RELEASE, 0, ST_OK},
	{"a module's own failure is recorded", SET_PARSE, 0, ST_ERR_PARSE},
	{"the first failure stays (later check_add)", ADD_BAD, 0, ST_ERR_PARSE},
	{"release again", RELEASE, 0, ST_OK},
};

/* catalogue - names and severities of every id; a name parses back to
 * its own id, so no two ids share a name */
static void
catalogue(void)
{
	char name[160];

	for (int i = CK_NONE + 1; i < CK__COUNT; i++) {
		enum check_id back = CK__COUNT;
		const char *n = check_id_name((enum check_id)i);

		snprintf(name, sizeof(name), "id %d has a name", i);
		unit_eq_long(name, 1, strcmp(n, "unknown") != 0);
		snprintf(name, sizeof(name), "%s has a severity", n);
		unit_eq_long(name, 1, check_severity((enum check_id)i) != NULL);
		snprintf(name, sizeof(name), "%s parses back", n);
		unit_eq_long(name, 1, check_id_parse(n, &back));
		unit_eq_long(name, i, back);
	}
	unit_eq_str("first id", "dns.resolver.dnssec",
	    check_id_name(CK_DNS_RESOLVER_DNSSEC));
	unit_eq_str("an address id", "tls.handshake",
	    check_id_name(CK_TLS_HANDSHAKE));
	unit_eq_str("last id", "sender.fallback.cleartext",
	    check_id_name(CK_SENDER_FALLBACK_CLEARTEXT));
	unit_eq_str("outside the enum", "unknown", check_id_name(CK__COUNT));
	unit_eq_long("severity outside the enum", 1,
	    check_severity(CK__COUNT) == NULL);
	unit_eq_long("unknown name", 0,
	    check_id_parse("smtp.nosuch", &(enum check_id){ CK__COUNT }));
}

/* unset_values - zero is "not yet" for ids and statuses; a result that
 * still holds one is refused, so it can never be reported as a finding */
static void
unset_values(void)
{
	static const struct {
		const char *name;
		enum check_id id;
		enum check_status st;
	} rows[] = {
		{ "no id", CK_NONE, CHECK_PASS },
		{ "no status", CK_SMTP_CONNECT, CHECK_NONE },
		{ "id past the enum", CK__COUNT, CHECK_PASS },
		{ "status past the enum", CK_SMTP_CONNECT, CHECK__COUNT },
	};
	char name[160];

	unit_eq_str("CK_NONE has no name", "unknown", check_id_name(CK_NONE));
	unit_eq_long("CK_NONE has no severity", 1,
	    check_severity(CK_NONE) == NULL);
	unit_eq_str("CHECK_NONE reads as an error", "error",
	    check_status_name(CHECK_NONE));
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct check_list l;

		check_list_init(&l);
		snprintf(name, sizeof(name), "%s: refused", rows[i].name);
		unit_eq_long(name, 1,
		    check_add(&l, rows[i].id, rows[i].st, NULL, NULL, NULL, 0,
		        NULL, "x") == NULL);
		snprintf(name, sizeof(name), "%s: list error", rows[i].name);
		unit_eq_str(name, st_strerror(ST_ERR_INVAL),
		    st_strerror(check_list_error(&l)));
		unit_eq_long(name, 0, (long)l.n);
		check_list_release(&l);
	}
}

int
main(void)
{
	struct check_list l;
	char name[160];

	catalogue();
	check_list_init(&l);
	unit_eq_long("init: no error", ST_OK, check_list_error(&l));
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		const struct step *s = &steps[i];
		const struct check_result *r = NULL;
		bool want_result = false;

		switch (s->op) {
		case ADD_OK:
			r = check_add(&l, CK_SMTP_CONNECT, CHECK_PASS, NULL, "mx.example",
			    "192.0.2.1", 0, NULL, "connected in %d ms", 3);
			want_result = true;
			break;
		case ADD_BAD:
			r = check_add(&l, CK_SMTP_BANNER, CHECK_PASS, NULL, "mx.example",
			    "192.0.2.1", 0, NULL, "%ls", not_unicode);
			break;
		case SET_NOMEM:
			check_list_set_error(&l, ST_ERR_NOMEM);
			break;
		case SET_PARSE:
			check_list_set_error(&l, ST_ERR_PARSE);
			break;
		case RELEASE:
			check_list_release(&l);
			break;
		}
		if (s->op == ADD_OK || s->op == ADD_BAD) {
			snprintf(name, sizeof(name), "%s: check_add result", s->name);
			unit_eq_long(name, want_result, r != NULL);
		}
		if (s->op == ADD_BAD) {
			snprintf(name, sizeof(name), "%s: not in the list", s->name);
			unit_eq_long(name, 0, check_find(&l, CK_SMTP_BANNER, NULL,
			    NULL) != NULL);
		}
		snprintf(name, sizeof(name), "%s: results", s->name);
		unit_eq_long(name, s->n, (long)l.n);
		snprintf(name, sizeof(name), "%s: error", s->name);
		unit_eq_str(name, st_strerror(s->err), st_strerror(check_list_error(&l)));
	}
	check_list_release(&l);
	unset_values();
	return unit_exit();
}
