/*
 * verdict.c - the policy levels of checks.md 12, computed only from check
 * results already in the list: which levels and variants a run judges,
 * each address judged by the rules of verdict_rule.c (12.1-12.5), the
 * domain outcome (12.6) and the policy.* checks (12.7).
 *
 * Every result a rule reads must be in the list: verdict_inputs() checks
 * that before anything is judged, so a result that was never recorded is
 * an error, not a skip. The rules read results through an index by id and
 * subject (check_idx.h), built once when the check modules are done.
 */
#include "verdict.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mtasts_check.h"
#include "judge.h"
#include "verdict_int.h"

#include "banned.h"

static const char *const vout_names[] = {
	"deliver",
	"defer",
	"unknown",
	"partial",
	"no-mail",
};

const char *
verdict_outcome_name(enum vout v)
{
	return vout_names[v];
}

/* domain_outcome - checks.md 12.6, from the counts of a judged set */
static enum vout
domain_outcome(const struct check_idx *x, const struct verdict_set *s)
{
	const struct probe_result *r = x->r;
	const struct check_result *c;
	bool err;

	if (r->null_mx)
		return V_NOMAIL;
	if (r->have_mxans && r->mxans.dnssec == DNSSEC_BOGUS)
		return V_DEFER;
	if (s->deliver)
		return s->defer ? V_PARTIAL : V_DELIVER;
	if (s->unknown)
		return V_UNKNOWN;
	if (s->n > 0)
		return V_DEFER;
	/* No address to count: unknown when a lookup that would have
	 * named one failed. */
	c = check_get_any(x, CK_DNS_MX_LOOKUP);
	err = c != NULL && c->status == CHECK_ERROR;
	for (size_t i = 0; i < r->nmx && !err; i++) {
		c = check_get_mx(x, CK_DNS_MX_TARGET_RESOLVES, &r->mx[i]);
		err = c != NULL && c->status == CHECK_ERROR;
	}
	return err ? V_UNKNOWN : V_DEFER;
}

static enum st_err
build_set(const struct check_idx *x, enum verdict_rule rule, const char *name,
    struct verdict_set *s)
{
	const struct probe_result *r = x->r;
	bool testing = (rule == R_MTASTS_SENDER || rule == R_SECURE_SENDER) &&
	               mtasts_mode_of(r) == MTASTS_MODE_TESTING;
	size_t n = 0, i, k;

	s->name = name;
	for (i = 0; i < r->nmx; i++)
		n += r->mx[i].naddrs;
	if ((s->addrs = calloc(n ? n : 1, sizeof(*s->addrs))) == NULL)
		return ST_ERR_NOMEM;
	for (i = 0; i < r->nmx; i++)
		for (k = 0; k < r->mx[i].naddrs; k++) {
			struct verdict_addr *v = &s->addrs[s->n++];

			verdict_judge(x, &r->mx[i].addrs[k], rule, v);
			if (testing) {
				struct verdict_addr as = { 0 };

				verdict_judge(x, &r->mx[i].addrs[k],
				    R_MTASTS_AS_ENFORCE, &as);
				v->has_would_fail = true;
				v->would_fail = as.outcome == V_DEFER;
			}
			if (v->outcome == V_DELIVER)
				s->deliver++;
			else if (v->outcome == V_DEFER)
				s->defer++;
			else
				s->unknown++;
		}
	s->outcome = domain_outcome(x, s);
	return ST_OK;
}

/* dane_published - some host's TLSA lookup is pass or fail (12.7) */
static bool
dane_published(const struct probe_result *r)
{
	for (size_t i = 0; i < r->checks.n; i++)
		if (r->checks.v[i].id == CK_DANE_TLSA_LOOKUP &&
		    (r->checks.v[i].status == CHECK_PASS ||
		        r->checks.v[i].status == CHECK_FAIL))
			return true;
	return false;
}

static bool
some_would_fail(const struct verdict_set *s)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->addrs[i].would_fail)
			return true;
	return false;
}

enum grading { G_REQUIRED, G_GRADED, G_TESTING, G_INFO };

/*
 * policy_row - checks.md 12.7: the row of the table that gives the
 * level's status. It names the set it reads (the strict rule or a
 * variant) and the expectation; the status of an unknown or no-mail
 * outcome of that set comes before the row's own grading.
 */
static enum grading
policy_row(const struct probe_result *r, enum probe_level lv,
    struct verdict_level *L, const struct verdict_set **row)
{
	enum mtasts_mode mode = mtasts_mode_of(r);
	bool dane = dane_published(r), enforce = mode == MTASTS_MODE_ENFORCE;

	*row = &L->strict;
	L->expectation = "published";
	if ((r->opt.require >> lv) & 1) {
		L->expectation = "required";
		return G_REQUIRED;
	}
	if (lv == LEVEL_OPPORTUNISTIC) {
		L->expectation = "always";
		return G_GRADED;
	}
	if (lv == LEVEL_DANE && dane) {
		*row = &L->variants[0]; /* opportunistic */
		return G_GRADED;
	}
	if (lv == LEVEL_MTASTS && enforce)
		return G_GRADED;
	if (lv == LEVEL_MTASTS && mode == MTASTS_MODE_TESTING) {
		*row = &L->variants[0]; /* sender */
		return G_TESTING;
	}
	if (lv == LEVEL_SECURE && (dane || enforce)) {
		*row = &L->variants[0]; /* sender */
		return G_GRADED;
	}
	L->expectation = NULL;
	return G_INFO;
}

static void
policy_check(struct probe_result *r, enum probe_level lv,
    struct verdict_level *L)
{
	static const enum check_id ids[LEVEL__COUNT] = {
		CK_POLICY_OPPORTUNISTIC,
		CK_POLICY_ENCRYPT,
		CK_POLICY_VERIFY,
		CK_POLICY_DANE,
		CK_POLICY_MTASTS,
		CK_POLICY_SECURE,
	};
	const struct verdict_set *row;
	enum grading g = policy_row(r, lv, L, &row);
	enum vout o = row->outcome;
	enum check_status st;

	L->judged_on = row->name ? row->name : "strict";
	if (o == V_UNKNOWN)
		st = CHECK_ERROR;
	else if (o == V_NOMAIL)
		st = CHECK_INFO;
	else if (g == G_REQUIRED)
		st = o == V_DELIVER ? CHECK_PASS : CHECK_FAIL;
	else if (g == G_GRADED)
		st = o == V_DELIVER   ? CHECK_PASS
		     : o == V_PARTIAL ? CHECK_WARN
		                      : CHECK_FAIL;
	else if (g == G_TESTING)
		st = some_would_fail(row) ? CHECK_WARN : CHECK_PASS;
	else
		st = o == V_DELIVER ? CHECK_PASS : CHECK_INFO;
	L->status = st;
	/* A failure is recorded in the list (check_list_error). */
	check_add(&r->checks, ids[lv], st, r->domain ? r->domain : r->host,
	    NULL, NULL, 0, NULL,
	    "%s: %zu address%s deliver%s, %zu defer, %zu unknown",
	    verdict_outcome_name(o), row->deliver,
	    row->deliver == 1 ? "" : "es", row->deliver == 1 ? "s" : "",
	    row->defer, row->unknown);
}

void
verdict_release(struct verdict_level *levels)
{
	if (levels == NULL)
		return;
	for (int i = 0; i < LEVEL__COUNT; i++) {
		free(levels[i].strict.addrs);
		for (size_t k = 0; k < levels[i].nvariants; k++)
			free(levels[i].variants[k].addrs);
	}
	free(levels);
}

/* Results the rules read for every address (checks.md 12.1). */
static const enum check_id addr_inputs[] = {
	CK_SMTP_CONNECT,
	CK_SMTP_BANNER,
	CK_SMTP_EHLO,
	CK_SMTP_STARTTLS_OFFERED,
	CK_SMTP_STARTTLS_RESPONSE,
	CK_TLS_HANDSHAKE,
	CK_SMTP_EHLO_AFTER_TLS,
	CK_CERT_CHAIN_TRUSTED,
	CK_CERT_NAME_MATCH,
};

/* Results of scope domain behind the fact sts (checks.md 12.1). */
static const enum check_id sts_inputs[] = {
	CK_MTASTS_TXT,
	CK_MTASTS_POLICY_FETCH,
	CK_MTASTS_POLICY_CERT,
	CK_MTASTS_POLICY_SYNTAX,
};

/* have - whether the check modules recorded id for the subject (c is
 * the index's answer); if not, errmsg says which */
static bool
have(const struct probe_result *r, const struct check_result *c,
    enum check_id id, const char *mx, const char *address, char *errmsg,
    size_t errlen)
{
	if (c != NULL)
		return true;
	snprintf(errmsg, errlen, "verdicts: no %s result for %s%s%s%s",
	    check_id_name(id),
	    mx          ? mx
	    : r->domain ? r->domain
	                : "the target",
	    address ? "[" : "", address ? address : "", address ? "]" : "");
	return false;
}

/*
 * verdict_inputs - whether every result a rule reads was recorded. The
 * check modules write a result for each check of an active mode and each
 * subject, skip included, so a missing one is a bug (ST_ERR_INTERNAL),
 * never a skip. Absent by design: the DNS results of an address literal
 * (--host), dane.* without the dane level (--no-dane, --host), mtasts.*
 * without the mta-sts level (--no-mta-sts, --host), cert.name.nexthop
 * without a next-hop domain (--host without --tls-domain).
 */
/* host_inputs - verdict_inputs() for host m and its addresses */
static bool
host_inputs(const struct check_idx *x, const struct probe_mx *m, bool dane,
    bool nexthop, char *errmsg, size_t errlen)
{
	static const enum check_id dns[] = {
		CK_DNS_MX_TARGET_RESOLVES,
		CK_DNS_MX_ADDR_DNSSEC,
	};
	static const enum check_id tlsa[] = {
		CK_DANE_TLSA_LOOKUP,
		CK_DANE_TLSA_USABLE,
	};
	const struct probe_result *r = x->r;
	size_t j, k;

	for (j = 0; !m->literal && j < 2; j++)
		if (!have(r, check_get_mx(x, dns[j], m), dns[j], m->name, NULL,
		        errmsg, errlen))
			return false;
	for (j = 0; dane && j < 2; j++)
		if (!have(r, check_get_mx(x, tlsa[j], m), tlsa[j], m->name,
		        NULL, errmsg, errlen))
			return false;
	for (k = 0; k < m->naddrs; k++) {
		const struct probe_addr *pa = &m->addrs[k];

		for (j = 0; j < sizeof(addr_inputs) / sizeof(addr_inputs[0]);
		     j++)
			if (!have(r, check_get(x, addr_inputs[j], pa),
			        addr_inputs[j], m->name, pa->address, errmsg,
			        errlen))
				return false;
		if ((nexthop && !have(r, check_get(x, CK_CERT_NAME_NEXTHOP, pa),
		                    CK_CERT_NAME_NEXTHOP, m->name, pa->address,
		                    errmsg, errlen)) ||
		    (dane && !have(r, check_get(x, CK_DANE_TLSA_MATCH, pa),
		                 CK_DANE_TLSA_MATCH, m->name, pa->address,
		                 errmsg, errlen)))
			return false;
	}
	return true;
}

static enum st_err
verdict_inputs(const struct check_idx *x, const struct verdict_level *L,
    char *errmsg, size_t errlen)
{
	const struct probe_result *r = x->r;
	bool dane = L[LEVEL_DANE].present;
	bool nexthop = r->domain != NULL || r->opt.tls_domain != NULL;
	size_t i, j;

	if (r->kind != TARGET_HOST &&
	    !have(r, check_get_any(x, CK_DNS_MX_LOOKUP), CK_DNS_MX_LOOKUP, NULL,
	        NULL, errmsg, errlen))
		return ST_ERR_INTERNAL;
	for (j = 0; L[LEVEL_MTASTS].present &&
	            j < sizeof(sts_inputs) / sizeof(sts_inputs[0]);
	     j++)
		if (!have(r, check_get_any(x, sts_inputs[j]), sts_inputs[j],
		        NULL, NULL, errmsg, errlen))
			return ST_ERR_INTERNAL;
	for (i = 0; i < r->nmx; i++)
		if (!host_inputs(x, &r->mx[i], dane, nexthop, errmsg, errlen))
			return ST_ERR_INTERNAL;
	return ST_OK;
}

/* levels_plan - which levels and variants this run judges (checks.md
 * 1.3, 12.7: a level left out by an option has no verdict) */
static void
levels_plan(const struct probe_result *r, struct verdict_level *L)
{
	bool sts = r->have_sts_dns && r->kind != TARGET_HOST;

	L[LEVEL_OPPORTUNISTIC].present = true;
	L[LEVEL_ENCRYPT].present = true;
	L[LEVEL_VERIFY].present = true;
	L[LEVEL_DANE].present = !r->opt.no_dane && r->kind != TARGET_HOST;
	L[LEVEL_MTASTS].present = sts;
	L[LEVEL_SECURE].present = sts && !r->opt.no_dane;
	for (int i = 0; i < LEVEL__COUNT; i++)
		L[i].required =
		    i == LEVEL_OPPORTUNISTIC || ((r->opt.require >> i) & 1);
}

/* level_sets - the strict rule and the variants of each level judged */
static enum st_err
level_sets(const struct check_idx *x, struct verdict_level *L)
{
	const struct probe_result *r = x->r;
	static const struct {
		enum probe_level lv;
		enum verdict_rule rule;
		const char *variant; /* NULL: the strict rule */
	} plan[] = {
		{ LEVEL_OPPORTUNISTIC, R_OPPORTUNISTIC, NULL },
		{ LEVEL_OPPORTUNISTIC, R_CLEARTEXT_RETRY, "cleartext_retry" },
		{ LEVEL_ENCRYPT, R_ENCRYPT, NULL },
		{ LEVEL_VERIFY, R_VERIFY, NULL },
		{ LEVEL_VERIFY, R_VERIFY_CHAIN, "chain" },
		{ LEVEL_VERIFY, R_VERIFY_DOMAIN, "domain" },
		{ LEVEL_DANE, R_DANE, NULL },
		{ LEVEL_DANE, R_DANE_OPP, "opportunistic" },
		{ LEVEL_MTASTS, R_MTASTS, NULL },
		{ LEVEL_MTASTS, R_MTASTS_SENDER, "sender" },
		{ LEVEL_SECURE, R_SECURE, NULL },
		{ LEVEL_SECURE, R_SECURE_SENDER, "sender" },
	};
	enum st_err err;

	for (size_t i = 0; i < sizeof(plan) / sizeof(plan[0]); i++) {
		struct verdict_level *l = &L[plan[i].lv];
		struct verdict_set *s;

		if (!l->present)
			continue;
		/* checks.md 12.4: the domain variant needs a next-hop name. */
		if (plan[i].rule == R_VERIFY_DOMAIN && r->domain == NULL &&
		    r->opt.tls_domain == NULL)
			continue;
		s = plan[i].variant == NULL ? &l->strict
		                            : &l->variants[l->nvariants++];
		if ((err = build_set(x, plan[i].rule, plan[i].variant, s)) !=
		    ST_OK)
			return err;
	}
	return ST_OK;
}

enum st_err
verdict_run(struct probe_result *r, char *errmsg, size_t errlen)
{
	struct verdict_level *L;
	struct check_idx x;
	enum st_err err;

	/* An incomplete list would turn a lost result into a verdict. */
	if ((err = check_list_error(&r->checks)) != ST_OK)
		return err;
	if ((L = calloc(LEVEL__COUNT, sizeof(*L))) == NULL)
		return ST_ERR_NOMEM;
	r->levels = L;
	levels_plan(r, L);
	if ((err = check_idx_build(&x, r)) != ST_OK)
		return err;
	if ((err = verdict_inputs(&x, L, errmsg, errlen)) == ST_OK)
		err = level_sets(&x, L);
	/* The policy.* checks below add to r->checks, which may move the
	 * results the index points to. */
	check_idx_release(&x);
	if (err != ST_OK)
		return err;
	for (int i = 0; i < LEVEL__COUNT; i++)
		if (L[i].present)
			policy_check(r, (enum probe_level)i, &L[i]);
	return check_list_error(&r->checks);
}
