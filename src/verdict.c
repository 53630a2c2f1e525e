/*
 * verdict.c - the policy levels of checks.md 12, computed only from check
 * results already in the list: facts per address (12.1), rules per address
 * (12.3), variants (12.4), the domain outcome (12.6) and the policy.*
 * checks (12.7).
 *
 * Every result a rule reads must be in the list: verdict_inputs() checks
 * that before anything is judged, so a result that was never recorded is
 * an error, not a skip.
 */
#include "verdict.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mtasts_check.h"
#include "probe_internal.h"

#include "banned.h"

static const char *const vout_names[] = {
	"deliver", "defer", "unknown", "partial", "no-mail",
};

const char *
verdict_outcome_name(enum vout v)
{
	return vout_names[v];
}

enum fact { F_FALSE = 0, F_TRUE, F_UNKNOWN };

struct fact_r {
	enum fact f;
	const char *reason;
};

/* st_of - the status of check id for an address. A missing result reads
 * as error, which makes the fact unknown and never a silent skip; after
 * verdict_inputs() it cannot happen for the results the rules read. */
static enum check_status
st_of(const struct probe_result *r, const struct probe_addr *pa, const char *id)
{
	const struct check_result *c = check_find(&r->checks, id, pa->mx->name,
	    pa->address);

	return c != NULL ? c->status : CHECK_ERROR;
}

/* need - a fact that holds when check id has one of the wanted statuses;
 * unknown when it is error, or skip behind the error upstream (checks.md
 * 12.1), and then the reason is the check with the error (12.3) */
static struct fact_r
need(const struct probe_result *r, const struct probe_addr *pa, const char *id,
    bool allow_warn, const char *upstream)
{
	enum check_status s = st_of(r, pa, id);
	struct fact_r out = {F_FALSE, id};

	if (s == CHECK_PASS || (allow_warn && s == CHECK_WARN))
		out.f = F_TRUE;
	else if (s == CHECK_ERROR)
		out.f = F_UNKNOWN;
	else if (s == CHECK_SKIP && upstream != NULL)
		out = (struct fact_r){F_UNKNOWN, upstream};
	return out;
}

/* first_error - the first step of the dialogue that ended in error */
static const char *
first_error(const struct probe_result *r, const struct probe_addr *pa)
{
	static const char *const chain[] = {
		"smtp.connect", "smtp.banner", "smtp.ehlo", "smtp.starttls.offered",
		"smtp.starttls.response", "tls.handshake", "smtp.ehlo.after_tls",
	};

	for (size_t i = 0; i < sizeof(chain) / sizeof(chain[0]); i++)
		if (st_of(r, pa, chain[i]) == CHECK_ERROR)
			return chain[i];
	return NULL;
}

static void
set(struct verdict_addr *v, enum vout o, const char *tr, const char *auth,
    const char *reason)
{
	v->outcome = o;
	v->transport = o == V_DELIVER ? tr : NULL;
	v->auth = o == V_DELIVER ? auth : NULL;
	v->reason = o == V_DELIVER ? NULL : reason;
}

/* decide - the first fact that does not hold decides (checks.md 12.3) */
static bool
decide(struct verdict_addr *v, struct fact_r f)
{
	if (f.f == F_TRUE)
		return true;
	set(v, f.f == F_UNKNOWN ? V_UNKNOWN : V_DEFER, NULL, NULL, f.reason);
	return false;
}

static struct fact_r
fact_reach(const struct probe_result *r, const struct probe_addr *pa, const char *err)
{
	struct fact_r f;

	/* No local route: every fact of the address is unknown. */
	f = need(r, pa, "smtp.connect", false, NULL);
	if (f.f != F_TRUE) {
		if (st_of(r, pa, "smtp.connect") == CHECK_SKIP)
			f.f = F_UNKNOWN;
		return f;
	}
	f = need(r, pa, "smtp.banner", true, err);
	if (f.f != F_TRUE)
		return f;
	return need(r, pa, "smtp.ehlo", true, err);
}

static struct fact_r
fact_tls(const struct probe_result *r, const struct probe_addr *pa, const char *err)
{
	static const char *const ids[] = {
		"smtp.starttls.offered", "smtp.starttls.response", "tls.handshake",
		"smtp.ehlo.after_tls",
	};
	struct fact_r f = {F_TRUE, NULL};

	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		f = need(r, pa, ids[i], false, err);
		if (f.f != F_TRUE)
			return f;
	}
	return f;
}

/* fact_pkix - a trusted chain with every certificate on the path inside
 * its validity (checks.md 12.1 pkix) */
static struct fact_r
fact_pkix(const struct probe_result *r, const struct probe_addr *pa)
{
	struct fact_r f = need(r, pa, "cert.chain.trusted", false, NULL);

	if (f.f == F_TRUE && !pa->tls.chain.path_in_validity)
		f = (struct fact_r){F_FALSE, "cert.expiry"};
	return f;
}

static bool
no_starttls(const struct probe_result *r, const struct probe_addr *pa)
{
	if (st_of(r, pa, "smtp.starttls.offered") == CHECK_FAIL)
		return true;
	return st_of(r, pa, "smtp.starttls.response") == CHECK_FAIL &&
	    pa->sc.starttls.code != 0;
}

/*
 * fact_sts - checks.md 12.1 sts with mode enforce (or testing, read as
 * enforce for would_fail). Without a valid policy the first MTA-STS check
 * that did not pass is the reason; one with status error makes the fact
 * unknown, and a skip defers to a later check that failed or erred.
 */
static struct fact_r
fact_sts(const struct probe_result *r, bool testing_as_enforce)
{
	static const char *const ids[] = {
		"mtasts.txt", "mtasts.policy.fetch", "mtasts.policy.cert",
		"mtasts.policy.syntax",
	};
	enum mtasts_mode mode = mtasts_mode_of(r);
	const char *skipped = NULL;

	if (mode == MTASTS_MODE_ENFORCE ||
	    (testing_as_enforce && mode == MTASTS_MODE_TESTING))
		return (struct fact_r){F_TRUE, NULL};
	if (mode != MTASTS_MODE_UNSET)
		return (struct fact_r){F_FALSE, "mtasts.policy.mode"};
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		const struct check_result *c = check_find(&r->checks, ids[i], NULL, NULL);
		enum check_status s = c != NULL ? c->status : CHECK_ERROR;

		if (s == CHECK_ERROR)
			return (struct fact_r){F_UNKNOWN, ids[i]};
		if (s == CHECK_SKIP && skipped == NULL)
			skipped = ids[i];
		else if (s != CHECK_PASS && s != CHECK_WARN && s != CHECK_SKIP)
			return (struct fact_r){F_FALSE, ids[i]};
	}
	return (struct fact_r){F_FALSE, skipped ? skipped : "mtasts.policy.syntax"};
}

enum rule {
	R_OPPORTUNISTIC, R_CLEARTEXT_RETRY, R_ENCRYPT, R_VERIFY, R_VERIFY_CHAIN,
	R_VERIFY_DOMAIN, R_DANE, R_DANE_OPP, R_MTASTS, R_MTASTS_SENDER,
	R_SECURE, R_SECURE_SENDER, R_MTASTS_AS_ENFORCE,
};

static const char *const rule_names[] = {
	"opportunistic", "opportunistic.cleartext_retry", "encrypt", "verify",
	"verify.chain", "verify.domain", "dane", "dane", "mta-sts", "mta-sts",
	"secure", "secure", "mta-sts",
};

enum dane_state {
	DANE_AUTH, DANE_UNUSABLE, DANE_BROKEN, NO_DANE, DANE_UNKNOWN,
};

static const char *const dane_state_names[] = {
	"dane-auth", "dane-unusable", "dane-broken", "no-dane", "dane-unknown",
};

/* host_dane_state - checks.md 12.2; *why gets the deciding check id. A
 * missing result leaves the state unknown. */
static enum dane_state
host_dane_state(const struct probe_result *r, const struct probe_mx *m,
    const char **why)
{
	const struct check_result *ad, *lk, *us;

	ad = check_find(&r->checks, "dns.mx.addr.dnssec", m->name, NULL);
	lk = check_find(&r->checks, "dane.tlsa.lookup", m->name, NULL);
	us = check_find(&r->checks, "dane.tlsa.usable", m->name, NULL);
	*why = "dns.mx.addr.dnssec";
	if (ad != NULL && ad->status == CHECK_FAIL)
		return DANE_BROKEN;
	if (ad == NULL || ad->status == CHECK_ERROR)
		return DANE_UNKNOWN;
	if (ad->status == CHECK_WARN)
		return NO_DANE;
	*why = "dane.tlsa.lookup";
	if (lk == NULL || lk->status == CHECK_ERROR)
		return DANE_UNKNOWN;
	if (lk->status == CHECK_FAIL)
		return DANE_BROKEN;
	if (lk->status != CHECK_PASS)
		return NO_DANE;
	*why = "dane.tlsa.usable";
	if (us == NULL)
		return DANE_UNKNOWN;
	return us->status == CHECK_FAIL ? DANE_UNUSABLE : DANE_AUTH;
}

const char *
verdict_dane_state_name(const struct probe_result *r, const struct probe_mx *m)
{
	const char *why;

	return dane_state_names[host_dane_state(r, m, &why)];
}

static void judge(const struct probe_result *r, const struct probe_addr *pa,
    enum rule rule, struct verdict_addr *v);

/* judge_transport - the encrypt rule's conditions: reach, tls and the
 * version floor; false when one of them decided v */
static bool
judge_transport(const struct probe_result *r, const struct probe_addr *pa,
    int floor, struct verdict_addr *v)
{
	const char *err = first_error(r, pa);

	if (!decide(v, fact_reach(r, pa, err)) || !decide(v, fact_tls(r, pa, err)))
		return false;
	if (pa->tls.version_num < floor) {
		set(v, V_DEFER, NULL, NULL, "tls.version");
		return false;
	}
	return true;
}

/* judge_opportunistic - checks.md 12.3 opportunistic, and 12.4
 * cleartext_retry: a failed handshake is followed by a cleartext session */
static void
judge_opportunistic(const struct probe_result *r, const struct probe_addr *pa,
    bool retry, struct verdict_addr *v)
{
	const char *err = first_error(r, pa);
	struct fact_r f;

	if (!decide(v, fact_reach(r, pa, err)))
		return;
	f = fact_tls(r, pa, err);
	if (f.f == F_TRUE)
		set(v, V_DELIVER, "tls", "none", NULL);
	else if (no_starttls(r, pa))
		set(v, V_DELIVER, "cleartext", "none", NULL);
	else if (retry && f.f == F_FALSE && strcmp(f.reason, "tls.handshake") == 0)
		set(v, V_DELIVER, "cleartext", "none", NULL);
	else
		decide(v, f);
}

/* judge_verify - encrypt, then PKIX, then the names of the rule */
static void
judge_verify(const struct probe_result *r, const struct probe_addr *pa,
    enum rule rule, struct verdict_addr *v)
{
	if (!judge_transport(r, pa, r->opt.min_tls, v) ||
	    !decide(v, fact_pkix(r, pa)))
		return;
	if (rule == R_VERIFY && pa->tls.chain.name_mx.via == CERT_NAME_NONE) {
		set(v, V_DEFER, NULL, NULL, "cert.name.match");
		return;
	}
	if (rule == R_VERIFY_DOMAIN &&
	    !decide(v, need(r, pa, "cert.name.nexthop", false, NULL)))
		return;
	set(v, V_DELIVER, "tls", "pkix", NULL);
}

/* judge_dane - the dane strict rule and its opportunistic variant. The
 * host's DANE state is the strict rule's first condition: a host without
 * usable TLSA records defers whatever its addresses do (12.3). */
static void
judge_dane(const struct probe_result *r, const struct probe_addr *pa,
    enum rule rule, struct verdict_addr *v)
{
	const char *why;
	enum dane_state ds = host_dane_state(r, pa->mx, &why);

	if (rule == R_DANE_OPP && (ds == DANE_UNUSABLE || ds == NO_DANE)) {
		judge(r, pa, ds == DANE_UNUSABLE ? R_ENCRYPT : R_OPPORTUNISTIC, v);
		return;
	}
	v->rule = "dane";
	if (ds != DANE_AUTH) {
		set(v, ds == DANE_UNKNOWN ? V_UNKNOWN : V_DEFER, NULL, NULL, why);
		return;
	}
	if (!judge_transport(r, pa, r->opt.min_tls, v) ||
	    !decide(v, need(r, pa, "dane.tlsa.match", false, NULL)))
		return;
	set(v, V_DELIVER, "tls", "dane", NULL);
}

/* judge_mtasts - the MTA-STS strict rule (checks.md 12.3); testing_as_enforce
 * reads a testing policy as if it were enforced (would_fail) */
static void
judge_mtasts(const struct probe_result *r, const struct probe_addr *pa,
    bool testing_as_enforce, struct verdict_addr *v)
{
	v->rule = "mta-sts";
	if (!decide(v, fact_sts(r, testing_as_enforce)))
		return;
	if (mtasts_match(r, pa->mx->name) == NULL) {
		set(v, V_DEFER, NULL, NULL, "mtasts.mx.match");
		return;
	}
	/* checks.md 12.3: MTA-STS senders need TLS 1.2 or later (RFC
	 * 8461), whatever --min-tls says. */
	if (!judge_transport(r, pa, TLS1_2_VERSION, v) ||
	    !decide(v, fact_pkix(r, pa)))
		return;
	if (pa->tls.chain.name_mx.via != CERT_NAME_SAN) {
		set(v, V_DEFER, NULL, NULL, "cert.name.match");
		return;
	}
	set(v, V_DELIVER, "tls", "pkix", NULL);
}

/* judge_sts_sender - an MTA-STS sender (12.4 mta-sts sender, 12.5 steps
 * 3-5): the strict rule under an enforced policy, else the fallback rule;
 * a policy that could not be read decides nothing but unknown */
static void
judge_sts_sender(const struct probe_result *r, const struct probe_addr *pa,
    enum rule fallback, struct verdict_addr *v)
{
	struct fact_r f = fact_sts(r, false);

	if (f.f == F_UNKNOWN) {
		v->rule = "mta-sts";
		decide(v, f);
	} else if (f.f == F_TRUE)
		judge_mtasts(r, pa, false, v);
	else
		judge(r, pa, fallback, v);
}

/* judge_secure - the secure level and its sender variant (12.3, 12.5) */
static void
judge_secure(const struct probe_result *r, const struct probe_addr *pa,
    bool sender, struct verdict_addr *v)
{
	const char *why;
	enum dane_state ds = host_dane_state(r, pa->mx, &why);

	if (ds == DANE_UNKNOWN || ds == DANE_BROKEN) {
		v->rule = "dane";
		set(v, ds == DANE_UNKNOWN ? V_UNKNOWN : V_DEFER, NULL, NULL, why);
	} else if (ds == DANE_AUTH)
		judge_dane(r, pa, R_DANE, v);
	else if (!sender)
		judge_mtasts(r, pa, false, v);
	else
		judge_sts_sender(r, pa, ds == DANE_UNUSABLE ? R_ENCRYPT :
		    R_OPPORTUNISTIC, v);
}

/* judge - the outcome of one address under one rule */
static void
judge(const struct probe_result *r, const struct probe_addr *pa, enum rule rule,
    struct verdict_addr *v)
{
	v->pa = pa;
	v->rule = rule_names[rule];
	switch (rule) {
	case R_OPPORTUNISTIC:
	case R_CLEARTEXT_RETRY:
		judge_opportunistic(r, pa, rule == R_CLEARTEXT_RETRY, v);
		break;
	case R_ENCRYPT:
		if (judge_transport(r, pa, r->opt.min_tls, v))
			set(v, V_DELIVER, "tls", "none", NULL);
		break;
	case R_VERIFY:
	case R_VERIFY_CHAIN:
	case R_VERIFY_DOMAIN:
		judge_verify(r, pa, rule, v);
		break;
	case R_DANE:
	case R_DANE_OPP:
		judge_dane(r, pa, rule, v);
		break;
	case R_MTASTS:
	case R_MTASTS_AS_ENFORCE:
		judge_mtasts(r, pa, rule == R_MTASTS_AS_ENFORCE, v);
		break;
	case R_MTASTS_SENDER:
		judge_sts_sender(r, pa, R_OPPORTUNISTIC, v);
		break;
	case R_SECURE:
	case R_SECURE_SENDER:
		judge_secure(r, pa, rule == R_SECURE_SENDER, v);
		break;
	}
}

/* domain_outcome - checks.md 12.6, from the counts of a judged set */
static enum vout
domain_outcome(const struct probe_result *r, const struct verdict_set *s)
{
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
	c = check_find(&r->checks, "dns.mx.lookup", NULL, NULL);
	err = c != NULL && c->status == CHECK_ERROR;
	for (size_t i = 0; i < r->nmx && !err; i++) {
		c = check_find(&r->checks, "dns.mx.target.resolves", r->mx[i].name, NULL);
		err = c != NULL && c->status == CHECK_ERROR;
	}
	return err ? V_UNKNOWN : V_DEFER;
}

static enum st_err
build_set(const struct probe_result *r, enum rule rule, const char *name,
    struct verdict_set *s)
{
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

			judge(r, &r->mx[i].addrs[k], rule, v);
			if (testing) {
				struct verdict_addr as = {0};

				judge(r, &r->mx[i].addrs[k], R_MTASTS_AS_ENFORCE, &as);
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
	s->outcome = domain_outcome(r, s);
	return ST_OK;
}

/* dane_published - some host's TLSA lookup is pass or fail (12.7) */
static bool
dane_published(const struct probe_result *r)
{
	for (size_t i = 0; i < r->checks.n; i++)
		if (strcmp(r->checks.v[i].id, "dane.tlsa.lookup") == 0 &&
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
		*row = &L->variants[0];        /* opportunistic */
		return G_GRADED;
	}
	if (lv == LEVEL_MTASTS && enforce)
		return G_GRADED;
	if (lv == LEVEL_MTASTS && mode == MTASTS_MODE_TESTING) {
		*row = &L->variants[0];        /* sender */
		return G_TESTING;
	}
	if (lv == LEVEL_SECURE && (dane || enforce)) {
		*row = &L->variants[0];        /* sender */
		return G_GRADED;
	}
	L->expectation = NULL;
	return G_INFO;
}

static void
policy_check(struct probe_result *r, enum probe_level lv, struct verdict_level *L)
{
	static const char *const ids[LEVEL__COUNT] = {
		"policy.opportunistic", "policy.encrypt", "policy.verify",
		"policy.dane", "policy.mtasts", "policy.secure",
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
		st = o == V_DELIVER ? CHECK_PASS : o == V_PARTIAL ? CHECK_WARN : CHECK_FAIL;
	else if (g == G_TESTING)
		st = some_would_fail(row) ? CHECK_WARN : CHECK_PASS;
	else
		st = o == V_DELIVER ? CHECK_PASS : CHECK_INFO;
	L->status = st;
	/* A failure is recorded in the list (check_list_error). */
	check_add(&r->checks, ids[lv], st, r->domain ? r->domain : r->host, NULL,
	    NULL, 0, NULL, "%s: %zu address%s deliver%s, %zu defer, %zu unknown",
	    verdict_outcome_name(o), row->deliver, row->deliver == 1 ? "" : "es",
	    row->deliver == 1 ? "s" : "", row->defer, row->unknown);
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
static const char *const addr_inputs[] = {
	"smtp.connect", "smtp.banner", "smtp.ehlo", "smtp.starttls.offered",
	"smtp.starttls.response", "tls.handshake", "smtp.ehlo.after_tls",
	"cert.chain.trusted", "cert.name.match",
};

/* Results of scope domain behind the fact sts (checks.md 12.1). */
static const char *const sts_inputs[] = {
	"mtasts.txt", "mtasts.policy.fetch", "mtasts.policy.cert",
	"mtasts.policy.syntax",
};

/* have - whether the check modules recorded id for the subject; if not,
 * errmsg says which */
static bool
have(const struct probe_result *r, const char *id, const char *mx,
    const char *address, char *errmsg, size_t errlen)
{
	if (check_find(&r->checks, id, mx, address) != NULL)
		return true;
	snprintf(errmsg, errlen, "verdicts: no %s result for %s%s%s%s", id,
	    mx ? mx : r->domain ? r->domain : "the target", address ? "[" : "",
	    address ? address : "", address ? "]" : "");
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
static enum st_err
verdict_inputs(const struct probe_result *r, const struct verdict_level *L,
    char *errmsg, size_t errlen)
{
	bool dane = L[LEVEL_DANE].present;
	bool nexthop = r->domain != NULL || r->opt.tls_domain != NULL;
	size_t i, k, j;

	if (r->kind != TARGET_HOST && !have(r, "dns.mx.lookup", NULL, NULL, errmsg, errlen))
		return ST_ERR_INTERNAL;
	for (j = 0; L[LEVEL_MTASTS].present && j < sizeof(sts_inputs) / sizeof(sts_inputs[0]); j++)
		if (!have(r, sts_inputs[j], NULL, NULL, errmsg, errlen))
			return ST_ERR_INTERNAL;
	for (i = 0; i < r->nmx; i++) {
		const struct probe_mx *m = &r->mx[i];

		if (!m->literal && (!have(r, "dns.mx.target.resolves", m->name, NULL, errmsg, errlen) ||
		    !have(r, "dns.mx.addr.dnssec", m->name, NULL, errmsg, errlen)))
			return ST_ERR_INTERNAL;
		if (dane && (!have(r, "dane.tlsa.lookup", m->name, NULL, errmsg, errlen) ||
		    !have(r, "dane.tlsa.usable", m->name, NULL, errmsg, errlen)))
			return ST_ERR_INTERNAL;
		for (k = 0; k < m->naddrs; k++) {
			const char *a = m->addrs[k].address;

			for (j = 0; j < sizeof(addr_inputs) / sizeof(addr_inputs[0]); j++)
				if (!have(r, addr_inputs[j], m->name, a, errmsg, errlen))
					return ST_ERR_INTERNAL;
			if ((nexthop && !have(r, "cert.name.nexthop", m->name, a, errmsg, errlen)) ||
			    (dane && !have(r, "dane.tlsa.match", m->name, a, errmsg, errlen)))
				return ST_ERR_INTERNAL;
		}
	}
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
		L[i].required = i == LEVEL_OPPORTUNISTIC || ((r->opt.require >> i) & 1);
}

/* level_sets - the strict rule and the variants of each level judged */
static enum st_err
level_sets(const struct probe_result *r, struct verdict_level *L)
{
	static const struct {
		enum probe_level lv;
		enum rule rule;
		const char *variant;    /* NULL: the strict rule */
	} plan[] = {
		{LEVEL_OPPORTUNISTIC, R_OPPORTUNISTIC, NULL},
		{LEVEL_OPPORTUNISTIC, R_CLEARTEXT_RETRY, "cleartext_retry"},
		{LEVEL_ENCRYPT, R_ENCRYPT, NULL},
		{LEVEL_VERIFY, R_VERIFY, NULL},
		{LEVEL_VERIFY, R_VERIFY_CHAIN, "chain"},
		{LEVEL_VERIFY, R_VERIFY_DOMAIN, "domain"},
		{LEVEL_DANE, R_DANE, NULL},
		{LEVEL_DANE, R_DANE_OPP, "opportunistic"},
		{LEVEL_MTASTS, R_MTASTS, NULL},
		{LEVEL_MTASTS, R_MTASTS_SENDER, "sender"},
		{LEVEL_SECURE, R_SECURE, NULL},
		{LEVEL_SECURE, R_SECURE_SENDER, "sender"},
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
		s = plan[i].variant == NULL ? &l->strict : &l->variants[l->nvariants++];
		if ((err = build_set(r, plan[i].rule, plan[i].variant, s)) != ST_OK)
			return err;
	}
	return ST_OK;
}

enum st_err
verdict_run(struct probe_result *r, char *errmsg, size_t errlen)
{
	struct verdict_level *L;
	enum st_err err;

	/* An incomplete list would turn a lost result into a verdict. */
	if ((err = check_list_error(&r->checks)) != ST_OK)
		return err;
	if ((L = calloc(LEVEL__COUNT, sizeof(*L))) == NULL)
		return ST_ERR_NOMEM;
	r->levels = L;
	levels_plan(r, L);
	if ((err = verdict_inputs(r, L, errmsg, errlen)) != ST_OK ||
	    (err = level_sets(r, L)) != ST_OK)
		return err;
	for (int i = 0; i < LEVEL__COUNT; i++)
		if (L[i].present)
			policy_check(r, (enum probe_level)i, &L[i]);
	return check_list_error(&r->checks);
}
