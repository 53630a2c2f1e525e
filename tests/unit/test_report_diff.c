/*
 * test_report_diff.c - the rules of report_diff(), one row per case: a
 * base probe document with a few fields set per side, and the changes
 * expected as "rule/direction" in order, plus whether a level got worse.
 */
#include "report_diff.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "unit.h"

#include "banned.h"

/* The fields a case sets on one side; NULL/-1 keep the base value. */
struct side {
	const char *mx2;      /* a second MX host with address 192.0.2.2 */
	const char *address;  /* the first MX host's address */
	const char *spki;     /* its leaf's SPKI hash */
	int verified;         /* its dane.verified: 1, 0, -1 (null) */
	const char *not_after;
	const char *dane;     /* outcome of the dane level, "-" absent */
	const char *sts_id, *sts_mode;
	const char *target;
};

struct diff_case {
	const char *name;
	struct side old, new;
	const char *want; /* "rule/direction ..." */
	int worse;
};

#define BASE { NULL, NULL, NULL, -2, NULL, NULL, NULL, NULL, NULL }
#define K1 "aaaa"
#define K2 "bbbb"

static const struct diff_case cases[] = {
	{ "same", BASE, BASE, "", 0 },
	{ "level deliver to defer",
	    BASE, { NULL, NULL, NULL, -2, NULL, "defer", NULL, NULL, NULL },
	    "level/worse", 1 },
	{ "level defer to deliver",
	    { NULL, NULL, NULL, -2, NULL, "defer", NULL, NULL, NULL }, BASE,
	    "level/better", 0 },
	{ "level deliver to partial",
	    BASE, { NULL, NULL, NULL, -2, NULL, "partial", NULL, NULL, NULL },
	    "level/worse", 1 },
	{ "level gone", BASE,
	    { NULL, NULL, NULL, -2, NULL, "-", NULL, NULL, NULL },
	    "level/changed", 0 },
	{ "mx added", BASE,
	    { "mx2.example", NULL, NULL, -2, NULL, NULL, NULL, NULL, NULL },
	    "mx.added/changed", 0 },
	{ "mx removed",
	    { "mx2.example", NULL, NULL, -2, NULL, NULL, NULL, NULL, NULL },
	    BASE, "mx.removed/changed", 0 },
	{ "address changed", BASE,
	    { NULL, "192.0.2.9", NULL, -2, NULL, NULL, NULL, NULL, NULL },
	    "address.added/changed address.removed/changed", 0 },
	{ "key change, TLSA still matches", BASE,
	    { NULL, NULL, K2, -2, NULL, NULL, NULL, NULL, NULL },
	    "cert.key/changed", 0 },
	{ "key change, TLSA no longer matches", BASE,
	    { NULL, NULL, K2, 0, NULL, "defer", NULL, NULL, NULL },
	    "level/worse cert.key/worse dane.match/worse", 1 },
	{ "TLSA fixed", { NULL, NULL, NULL, 0, NULL, NULL, NULL, NULL, NULL },
	    BASE, "dane.match/better", 0 },
	{ "TLSA gone", BASE,
	    { NULL, NULL, NULL, -1, NULL, NULL, NULL, NULL, NULL },
	    "dane.match/changed", 0 },
	{ "expiry into the window", BASE,
	    { NULL, NULL, NULL, -2, "2027-01-10T00:00:00Z", NULL, NULL, NULL,
	        NULL },
	    "cert.expiry/worse", 0 },
	{ "expired", BASE,
	    { NULL, NULL, NULL, -2, "2026-12-31T00:00:00Z", NULL, NULL, NULL,
	        NULL },
	    "cert.expiry/worse", 0 },
	{ "renewed",
	    { NULL, NULL, NULL, -2, "2027-01-02T00:00:00Z", NULL, NULL, NULL,
	        NULL },
	    BASE, "cert.expiry/better", 0 },
	{ "expiry moves, same state", BASE,
	    { NULL, NULL, NULL, -2, "2028-06-01T00:00:00Z", NULL, NULL, NULL,
	        NULL },
	    "", 0 },
	{ "sts id", BASE,
	    { NULL, NULL, NULL, -2, NULL, NULL, "2", NULL, NULL },
	    "mta_sts.id/changed", 0 },
	{ "sts enforce to testing", BASE,
	    { NULL, NULL, NULL, -2, NULL, NULL, NULL, "testing", NULL },
	    "mta_sts.mode/worse", 0 },
	{ "sts testing to enforce",
	    { NULL, NULL, NULL, -2, NULL, NULL, NULL, "testing", NULL }, BASE,
	    "mta_sts.mode/better", 0 },
};

/* doc - the base document: one MX host, one address, DANE matched, a
 * certificate valid until 2027-06-01, MTA-STS enforce with id 1, every
 * level delivering; made on 2027-01-01 with a 14-day window */
static cJSON *
doc(const struct side *s)
{
	char text[2048];
	cJSON *d, *lv, *a;
	int n = snprintf(text, sizeof(text),
	    "{\"schema_version\":\"1.0\",\"type\":\"probe\","
	    "\"target\":{\"input\":\"%s\"},"
	    "\"finished\":\"2027-01-01T00:00:00.000Z\",\"run\":{\"warn_days\":14},"
	    "\"mx\":[{\"name\":\"mx1.example\",\"addresses\":[{\"address\":"
	    "\"%s\",\"tls\":{\"chain\":[{\"spki_sha256\":\"%s\","
	    "\"not_after\":\"%s\"}]},\"dane\":{\"verified\":true}}]}],"
	    "\"mta_sts\":{\"txt\":{\"id\":\"%s\"},\"policy\":{\"parsed\":"
	    "{\"mode\":\"%s\"}}},\"verdicts\":{\"levels\":{"
	    "\"opportunistic\":{\"outcome\":\"deliver\"},"
	    "\"dane\":{\"outcome\":\"%s\"}}}}",
	    s->target ? s->target : "example.org",
	    s->address ? s->address : "192.0.2.1", s->spki ? s->spki : K1,
	    s->not_after ? s->not_after : "2027-06-01T00:00:00Z",
	    s->sts_id ? s->sts_id : "1", s->sts_mode ? s->sts_mode : "enforce",
	    s->dane ? s->dane : "deliver");

	if (n < 0 || (size_t)n >= sizeof(text) || (d = cJSON_Parse(text)) == NULL)
		return NULL;
	lv = cJSON_GetObjectItem(cJSON_GetObjectItem(d, "verdicts"), "levels");
	if (s->dane != NULL && strcmp(s->dane, "-") == 0)
		cJSON_DeleteItemFromObject(lv, "dane");
	a = cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetArrayItem(
	    cJSON_GetObjectItem(d, "mx"), 0), "addresses"), 0);
	if (s->verified >= -1)
		cJSON_ReplaceItemInObject(cJSON_GetObjectItem(a, "dane"),
		    "verified", s->verified < 0 ? cJSON_CreateNull()
		                                : cJSON_CreateBool(s->verified));
	if (s->mx2 != NULL) {
		cJSON *m = cJSON_Parse("{\"addresses\":[{\"address\":"
		    "\"192.0.2.2\"}]}");

		cJSON_AddStringToObject(m, "name", s->mx2);
		cJSON_AddItemToArray(cJSON_GetObjectItem(d, "mx"), m);
	}
	return d;
}

/* seen - the changes of l as "rule/direction ..." */
static void
seen(const struct diff_list *l, char *out, size_t len)
{
	size_t o = 0;

	out[0] = '\0';
	for (size_t i = 0; i < l->n && o < len; i++) {
		int n = snprintf(out + o, len - o, "%s%s/%s", i ? " " : "",
		    l->v[i].rule, diff_dir_name(l->v[i].dir));

		if (n < 0)
			break;
		o += (size_t)n;
	}
}

static void
test_rules(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct diff_case *c = &cases[i];
		cJSON *o = doc(&c->old), *n = doc(&c->new);
		struct diff_list l;
		char why[200], got[512];

		diff_list_init(&l);
		unit_eq_long(c->name, ST_OK,
		    o && n ? report_diff(o, n, &l, why, sizeof(why))
		           : ST_ERR_NOMEM);
		seen(&l, got, sizeof(got));
		unit_eq_str(c->name, c->want, got);
		unit_eq_long(c->name, c->worse, l.level_worse);
		diff_list_release(&l);
		cJSON_Delete(o);
		cJSON_Delete(n);
	}
}

/* Documents that are not two probe reports of one target. */
static void
test_invalid(void)
{
	static const char *const bad[] = { "[]", "{\"type\":\"error\"}",
		"{\"type\":\"probe\",\"schema_version\":\"2.0\"}",
		"{\"type\":\"probe\",\"schema_version\":\"1.0\"}" };
	const struct side other = { NULL, NULL, NULL, -2, NULL, NULL, NULL,
		NULL, "example.net" };
	const struct side base = BASE;
	cJSON *good = doc(&base), *o = doc(&other);
	struct diff_list l;
	char why[200];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cJSON *b = cJSON_Parse(bad[i]);

		diff_list_init(&l);
		unit_eq_long(bad[i], ST_ERR_PARSE,
		    report_diff(b, good, &l, why, sizeof(why)));
		unit_eq_long("said old", 0, strncmp(why, "old report", 10));
		unit_eq_long(bad[i], ST_ERR_PARSE,
		    report_diff(good, b, &l, why, sizeof(why)));
		unit_eq_long("said new", 0, strncmp(why, "new report", 10));
		diff_list_release(&l);
		cJSON_Delete(b);
	}
	diff_list_init(&l);
	unit_eq_long("different targets", ST_ERR_PARSE,
	    report_diff(good, o, &l, why, sizeof(why)));
	diff_list_release(&l);
	cJSON_Delete(good);
	cJSON_Delete(o);
}

int
main(void)
{
	test_rules();
	test_invalid();
	return unit_exit();
}
