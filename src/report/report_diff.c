/*
 * report_diff.c - the rules of "smtptls diff" (report_diff.h): one table,
 * one function per rule, each comparing the same part of two probe
 * documents and adding what changed to the list. Only reading: the
 * documents are never changed, nothing is printed.
 */
#include "report_diff.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <cJSON.h>

#include "json_read.h"
#include "report_diff_int.h"
#include "smtptls/probe.h"

#include "banned.h"

struct diff_ctx {
	const cJSON *old, *new;
	struct diff_list *l;
};

/* same - two strings (either may be NULL) are equal */
static bool
same(const char *a, const char *b)
{
	return (a == NULL && b == NULL) ||
	       (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* find_mx - the MX host of doc named name, or NULL */
static const cJSON *
find_mx(const cJSON *doc, const char *name)
{
	const cJSON *m;

	cJSON_ArrayForEach(m, json_get(doc, "mx"))
	{
		if (same(json_str(m, "name"), name))
			return m;
	}
	return NULL;
}

/* find_addr - the address object of doc for (mx, address), or NULL */
static const cJSON *
find_addr(const cJSON *doc, const char *mx, const char *address)
{
	const cJSON *a;

	cJSON_ArrayForEach(a, json_get(find_mx(doc, mx), "addresses"))
	{
		if (same(json_str(a, "address"), address))
			return a;
	}
	return NULL;
}

/* rule_mx - MX hosts only in one of the reports */
static void
rule_mx(const struct diff_ctx *c)
{
	const cJSON *m;

	cJSON_ArrayForEach(m, json_get(c->new, "mx"))
	{
		if (find_mx(c->old, json_str(m, "name")) == NULL)
			diff_add(c->l, "mx.added", DIFF_CHANGED,
			    json_str(m, "name"), NULL, NULL, NULL,
			    json_str(m, "name"), "new MX host");
	}
	cJSON_ArrayForEach(m, json_get(c->old, "mx"))
	{
		if (find_mx(c->new, json_str(m, "name")) == NULL)
			diff_add(c->l, "mx.removed", DIFF_CHANGED,
			    json_str(m, "name"), NULL, NULL,
			    json_str(m, "name"), NULL,
			    "MX host no longer listed");
	}
}

/* addr_only - the addresses of a's MX hosts that b lacks (MX hosts that
 * b lacks altogether are rule_mx's) */
static void
addr_only(const struct diff_ctx *c, const cJSON *a, const cJSON *b, bool added)
{
	const cJSON *m, *ad;

	cJSON_ArrayForEach(m, json_get(a, "mx"))
	{
		const char *name = json_str(m, "name");

		if (find_mx(b, name) == NULL)
			continue;
		cJSON_ArrayForEach(ad, json_get(m, "addresses"))
		{
			const char *ip = json_str(ad, "address");

			if (find_addr(b, name, ip) != NULL)
				continue;
			diff_add(c->l,
			    added ? "address.added" : "address.removed",
			    DIFF_CHANGED, name, ip, NULL, added ? NULL : ip,
			    added ? ip : NULL,
			    added
			        ? "new address of the MX host"
			        : "address no longer in the MX host's records");
		}
	}
}

static void
rule_address(const struct diff_ctx *c)
{
	addr_only(c, c->new, c->old, true);
	addr_only(c, c->old, c->new, false);
}

/* leaf - the server certificate an address presented, or NULL */
static const cJSON *
leaf(const cJSON *addr)
{
	return cJSON_GetArrayItem(json_get(json_get(addr, "tls"), "chain"), 0);
}

/* dane_state - the address's DANE result: 1 matched, 0 did not, -1 not
 * checked (no usable TLSA records, --no-dane, no handshake) */
static int
dane_state(const cJSON *addr)
{
	const cJSON *v = json_get(json_get(addr, "dane"), "verified");

	return cJSON_IsTrue(v) ? 1 : cJSON_IsFalse(v) ? 0 : -1;
}

/* key_change - one address presents a certificate with a new key: the
 * DANE outage of issue 15 when the TLSA records were not updated */
static void
key_change(const struct diff_ctx *c, const char *mx, const cJSON *o,
    const cJSON *n)
{
	const char *ok = json_str(leaf(o), "spki_sha256");
	const char *nk = json_str(leaf(n), "spki_sha256");
	int od = dane_state(o), nd = dane_state(n);

	if (ok == NULL || nk == NULL || strcmp(ok, nk) == 0)
		return;
	diff_add(c->l, "cert.key",
	    od == 1 && nd == 0 ? DIFF_WORSE : DIFF_CHANGED, mx,
	    json_str(n, "address"), NULL, ok, nk,
	    "the server certificate has a new key; %s",
	    nd == 1   ? "the TLSA records still match"
	    : nd == 0 ? "the TLSA records no longer match"
	              : "no TLSA records were checked");
}

/* dane_change - DANE matched before and not now, or the other way */
static void
dane_change(const struct diff_ctx *c, const char *mx, const cJSON *o,
    const cJSON *n)
{
	static const char *const names[] = { "no-match", "match" };
	int od = dane_state(o), nd = dane_state(n);

	if (od == nd)
		return;
	diff_add(c->l, "dane.match",
	    od == 1 && nd == 0   ? DIFF_WORSE
	    : od == 0 && nd == 1 ? DIFF_BETTER
	                         : DIFF_CHANGED,
	    mx, json_str(n, "address"), NULL, od < 0 ? NULL : names[od],
	    nd < 0 ? NULL : names[nd], "%s",
	    nd == 1   ? "DANE matches the presented certificate"
	    : nd == 0 ? "DANE no longer matches the presented certificate"
	              : "DANE was not checked (no usable TLSA records or no "
	                "handshake)");
}

/* rfc3339 - seconds since the epoch of "YYYY-MM-DDTHH:MM:SS..." (UTC) */
static bool
rfc3339(const char *s, time_t *t)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	if (s == NULL ||
	    sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon,
	        &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6)
		return false;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	*t = timegm(&tm);
	return *t != (time_t)-1;
}

enum expiry { EXP_OK = 0, EXP_WARN, EXP_EXPIRED, EXP_UNKNOWN };

/* expiry - where the leaf's end of validity stood when doc was made,
 * measured against doc's own --warn-days window (checks.md cert.expiry) */
static enum expiry
expiry(const cJSON *doc, const cJSON *addr)
{
	const cJSON *wd = json_get(json_get(doc, "run"), "warn_days");
	time_t end, now;
	double left;

	if (!rfc3339(json_str(leaf(addr), "not_after"), &end) ||
	    !rfc3339(json_str(doc, "finished"), &now) || !cJSON_IsNumber(wd))
		return EXP_UNKNOWN;
	left = difftime(end, now);
	if (left < 0)
		return EXP_EXPIRED;
	return left < wd->valuedouble * 86400 ? EXP_WARN : EXP_OK;
}

static void
expiry_change(const struct diff_ctx *c, const char *mx, const cJSON *o,
    const cJSON *n)
{
	static const char *const names[] = { "valid", "expiring", "expired" };
	enum expiry oe = expiry(c->old, o), ne = expiry(c->new, n);

	if (oe == ne || oe == EXP_UNKNOWN || ne == EXP_UNKNOWN)
		return;
	diff_add(c->l, "cert.expiry", ne > oe ? DIFF_WORSE : DIFF_BETTER, mx,
	    json_str(n, "address"), NULL, names[oe], names[ne],
	    "the server certificate is %s (not after %s)", names[ne],
	    json_str(leaf(n), "not_after"));
}

/* rule_certs - certificate rules over the addresses in both reports */
static void
rule_certs(const struct diff_ctx *c)
{
	const cJSON *m, *n;

	cJSON_ArrayForEach(m, json_get(c->new, "mx"))
	{
		cJSON_ArrayForEach(n, json_get(m, "addresses"))
		{
			const char *mx = json_str(m, "name");
			const cJSON *o =
			    find_addr(c->old, mx, json_str(n, "address"));

			if (o == NULL)
				continue;
			key_change(c, mx, o, n);
			dane_change(c, mx, o, n);
			expiry_change(c, mx, o, n);
		}
	}
}

/* mode_rank - MTA-STS protection: none (or no policy) < testing <
 * enforce */
static int
mode_rank(const char *mode)
{
	if (mode == NULL || strcmp(mode, "none") == 0)
		return 0;
	return strcmp(mode, "enforce") == 0 ? 2 : 1;
}

static void
rule_mta_sts(const struct diff_ctx *c)
{
	const cJSON *os = json_get(c->old, "mta_sts"),
	            *ns = json_get(c->new, "mta_sts");
	const char *oid = json_str(json_get(os, "txt"), "id");
	const char *nid = json_str(json_get(ns, "txt"), "id");
	const char *om =
	    json_str(json_get(json_get(os, "policy"), "parsed"), "mode");
	const char *nm =
	    json_str(json_get(json_get(ns, "policy"), "parsed"), "mode");
	int orank = mode_rank(om), nrank = mode_rank(nm);

	if (!same(oid, nid))
		diff_add(c->l, "mta_sts.id", DIFF_CHANGED, NULL, NULL, NULL,
		    oid, nid, "%s",
		    nid == NULL ? "no MTA-STS record any more"
		    : oid == NULL
		        ? "MTA-STS record published"
		        : "new MTA-STS policy id: senders fetch the policy "
		          "again");
	if (!same(om, nm))
		diff_add(c->l, "mta_sts.mode",
		    nrank < orank   ? DIFF_WORSE
		    : nrank > orank ? DIFF_BETTER
		                    : DIFF_CHANGED,
		    NULL, NULL, NULL, om, nm, "MTA-STS policy mode %s",
		    nm == NULL ? "gone (no valid policy)" : "changed");
}

/* outcome_rank - how far an outcome is from delivering (checks.md 12.6):
 * deliver and no-mail are as good as it gets */
static int
outcome_rank(const char *o)
{
	static const char *const order[] = { "deliver", "partial", "unknown",
		"defer" };

	if (o == NULL || strcmp(o, "no-mail") == 0)
		return 0;
	for (int i = 0; i < 4; i++)
		if (strcmp(o, order[i]) == 0)
			return i;
	return 2; /* an outcome this version does not know: unknown */
}

/* rule_level - the domain outcome of each level (report.md 5.10) */
static void
rule_level(const struct diff_ctx *c)
{
	const cJSON *ol = json_get(json_get(c->old, "verdicts"), "levels");
	const cJSON *nl = json_get(json_get(c->new, "verdicts"), "levels");

	for (int i = 0; i < LEVEL__COUNT; i++) {
		const char *lname = probe_level_name((enum probe_level)i);
		const char *o = json_str(json_get(ol, lname), "outcome");
		const char *n = json_str(json_get(nl, lname), "outcome");
		int orank = outcome_rank(o), nrank = outcome_rank(n);

		if (same(o, n))
			continue;
		if (o == NULL || n == NULL) {
			diff_add(c->l, "level", DIFF_CHANGED, NULL, NULL, lname,
			    o, n, "%s",
			    o == NULL ? "judged now, not before"
			              : "not judged any more");
			continue;
		}
		diff_add(c->l, "level",
		    nrank > orank   ? DIFF_WORSE
		    : nrank < orank ? DIFF_BETTER
		                    : DIFF_CHANGED,
		    NULL, NULL, lname, o, n, "now %s, was %s", n, o);
	}
}

/* The rules, in the order their changes are listed. */
static const struct {
	const char *name;
	void (*fn)(const struct diff_ctx *);
} rules[] = {
	{ "level", rule_level },       /* outcome of each level */
	{ "mx", rule_mx },             /* mx.added, mx.removed */
	{ "address", rule_address },   /* address.added, .removed */
	{ "certificate", rule_certs }, /* cert.key, dane.match, expiry */
	{ "mta-sts", rule_mta_sts },   /* mta_sts.id, mta_sts.mode */
};

/* probe_doc - NULL when doc is a probe report of schema 1.x, else what
 * is wrong with it */
static const char *
probe_doc(const cJSON *doc)
{
	const char *v = json_str(doc, "schema_version");

	if (!cJSON_IsObject(doc))
		return "not a JSON object";
	if (!same(json_str(doc, "type"), "probe"))
		return "not a probe report (\"type\" is not \"probe\")";
	if (v == NULL || strncmp(v, "1.", 2) != 0)
		return "schema_version is not 1.x";
	if (json_str(json_get(doc, "target"), "input") == NULL ||
	    !cJSON_IsArray(json_get(doc, "mx")) ||
	    !cJSON_IsObject(json_get(json_get(doc, "verdicts"), "levels")))
		return "target, mx or verdicts missing";
	return NULL;
}

enum st_err
report_diff(const cJSON *old, const cJSON *new, struct diff_list *l, char *why,
    size_t whylen)
{
	struct diff_ctx c = { old, new, l };
	const char *bad;

	/* why is one line for people: a cut one still says it (void) */
	if ((bad = probe_doc(old)) != NULL || (bad = probe_doc(new)) != NULL) {
		(void)snprintf(why, whylen, "%s report: %s",
		    probe_doc(old) ? "old" : "new", bad);
		return ST_ERR_PARSE;
	}
	if (strcasecmp(json_str(json_get(old, "target"), "input"),
	        json_str(json_get(new, "target"), "input")) != 0) {
		(void)snprintf(why, whylen,
		    "the reports are of different targets");
		return ST_ERR_PARSE;
	}
	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
		rules[i].fn(&c);
	return l->err;
}
