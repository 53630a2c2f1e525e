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
st_of(const struct probe_result *r, const struct probe_addr *pa, const char *id,
    bool *found)
{
	const struct check_result *c = check_find(&r->checks, id, pa->mx->name, pa->address);

	*found = c != NULL;
	return c ? c->status : CHECK_ERROR;
}

/* need - a fact that holds when check id has one of the wanted statuses;
 * unknown when it is error, or skip behind an error (checks.md 12.1) */
static struct fact_r
need(const struct probe_result *r, const struct probe_addr *pa, const char *id,
    bool allow_warn, bool upstream_error)
{
	bool found;
	enum check_status s = st_of(r, pa, id, &found);
	struct fact_r out = {F_FALSE, id};

	if (s == CHECK_PASS || (allow_warn && s == CHECK_WARN))
		out.f = F_TRUE;
	else if (s == CHECK_ERROR || (s == CHECK_SKIP && upstream_error))
		out.f = F_UNKNOWN;
	return out;
}

/* chain_error - whether some step before id ended in error */
static const char *
first_error(const struct probe_result *r, const struct probe_addr *pa)
{
	static const char *const chain[] = {
		"smtp.connect", "smtp.banner", "smtp.ehlo", "smtp.starttls.offered",
		"smtp.starttls.response", "tls.handshake", "smtp.ehlo.after_tls",
	};
	bool found;

	for (size_t i = 0; i < sizeof(chain) / sizeof(chain[0]); i++)
		if (st_of(r, pa, chain[i], &found) == CHECK_ERROR)
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
	f = need(r, pa, "smtp.connect", false, false);
	if (f.f != F_TRUE) {
		bool found;

		if (st_of(r, pa, "smtp.connect", &found) == CHECK_SKIP)
			f.f = F_UNKNOWN;
		return f;
	}
	f = need(r, pa, "smtp.banner", true, err != NULL);
	if (f.f != F_TRUE)
		return f;
	return need(r, pa, "smtp.ehlo", true, err != NULL);
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
		f = need(r, pa, ids[i], false, err != NULL);
		if (f.f != F_TRUE)
			return f;
	}
	return f;
}

static bool
no_starttls(const struct probe_result *r, const struct probe_addr *pa)
{
	bool found;

	if (st_of(r, pa, "smtp.starttls.offered", &found) == CHECK_FAIL)
		return true;
	return st_of(r, pa, "smtp.starttls.response", &found) == CHECK_FAIL &&
	    pa->sc.starttls.code != 0;
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
static void judge_mtasts(const struct probe_result *r,
    const struct probe_addr *pa, bool as_enforce, struct verdict_addr *v);
static void judge_secure(const struct probe_result *r,
    const struct probe_addr *pa, bool sender, struct verdict_addr *v);

/* judge_dane - the dane strict rule and its opportunistic variant */
static void
judge_dane(const struct probe_result *r, const struct probe_addr *pa,
    enum rule rule, struct verdict_addr *v)
{
	const char *why;
	enum dane_state ds = host_dane_state(r, pa->mx, &why);

	if (ds == DANE_UNKNOWN) {
		v->pa = pa;
		v->rule = "dane";
		set(v, V_UNKNOWN, NULL, NULL, why);
		return;
	}
	if (rule == R_DANE_OPP && ds != DANE_AUTH && ds != DANE_BROKEN) {
		judge(r, pa, ds == DANE_UNUSABLE ? R_ENCRYPT : R_OPPORTUNISTIC, v);
		return;
	}
	judge(r, pa, R_ENCRYPT, v);
	v->rule = "dane";
	if (v->outcome != V_DELIVER)
		return;
	if (ds != DANE_AUTH) {
		set(v, V_DEFER, NULL, NULL, why);
		return;
	}
	if (!decide(v, need(r, pa, "dane.tlsa.match", false, false)))
		return;
	set(v, V_DELIVER, "tls", "dane", NULL);
}

static void
judge(const struct probe_result *r, const struct probe_addr *pa, enum rule rule,
    struct verdict_addr *v)
{
	const char *err = first_error(r, pa);
	struct fact_r f;
	bool found;

	if (rule == R_DANE || rule == R_DANE_OPP) {
		judge_dane(r, pa, rule, v);
		return;
	}
	if (rule == R_MTASTS || rule == R_MTASTS_AS_ENFORCE) {
		judge_mtasts(r, pa, rule == R_MTASTS_AS_ENFORCE, v);
		return;
	}
	if (rule == R_MTASTS_SENDER) {
		if (mtasts_mode_of(r) == MTASTS_MODE_ENFORCE)
			judge_mtasts(r, pa, false, v);
		else
			judge(r, pa, R_OPPORTUNISTIC, v);
		return;
	}
	if (rule == R_SECURE || rule == R_SECURE_SENDER) {
		judge_secure(r, pa, rule == R_SECURE_SENDER, v);
		return;
	}
	v->pa = pa;
	v->rule = rule_names[rule];
	if (!decide(v, fact_reach(r, pa, err)))
		return;
	f = fact_tls(r, pa, err);
	if (rule == R_OPPORTUNISTIC || rule == R_CLEARTEXT_RETRY) {
		if (f.f == F_TRUE)
			set(v, V_DELIVER, "tls", "none", NULL);
		else if (no_starttls(r, pa))
			set(v, V_DELIVER, "cleartext", "none", NULL);
		else if (rule == R_CLEARTEXT_RETRY && f.f == F_FALSE &&
		    strcmp(f.reason, "tls.handshake") == 0)
			set(v, V_DELIVER, "cleartext", "none", NULL);
		else
			decide(v, f);
		return;
	}
	if (!decide(v, f))
		return;
	/* floor: the negotiated version against --min-tls */
	if (pa->tls.version_num < r->opt.min_tls) {
		set(v, V_DEFER, NULL, NULL, "tls.version");
		return;
	}
	if (rule == R_ENCRYPT) {
		set(v, V_DELIVER, "tls", "none", NULL);
		return;
	}
	f = need(r, pa, "cert.chain.trusted", false, false);
	if (f.f == F_TRUE && !pa->tls.chain.path_in_validity)
		f = (struct fact_r){F_FALSE, "cert.expiry"};
	if (!decide(v, f))
		return;
	if (rule == R_VERIFY) {
		(void)st_of(r, pa, "cert.name.match", &found);
		if (pa->tls.chain.name_mx.via == CERT_NAME_NONE) {
			set(v, V_DEFER, NULL, NULL, "cert.name.match");
			return;
		}
	} else if (rule == R_VERIFY_DOMAIN) {
		if (!decide(v, need(r, pa, "cert.name.nexthop", false, false)))
			return;
	}
	set(v, V_DELIVER, "tls", "pkix", NULL);
}

/* sts_reason - the check that tells why no enforced policy applies */
static const char *
sts_reason(const struct probe_result *r)
{
	static const char *const ids[] = {
		"mtasts.txt", "mtasts.policy.fetch", "mtasts.policy.cert",
		"mtasts.policy.syntax", "mtasts.policy.mode",
	};
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		const struct check_result *c = check_find(&r->checks, ids[i], NULL, NULL);

		if (c == NULL || (c->status != CHECK_PASS && c->status != CHECK_WARN))
			return ids[i];
	}
	return "mtasts.policy.mode";
}

/* judge_mtasts - the MTA-STS strict rule (checks.md 12.3); as_enforce
 * reads a testing policy as if it were enforced (would_fail) */
static void
judge_mtasts(const struct probe_result *r, const struct probe_addr *pa,
    bool as_enforce, struct verdict_addr *v)
{
	enum mtasts_mode mode = mtasts_mode_of(r);

	v->pa = pa;
	v->rule = "mta-sts";
	if (!(mode == MTASTS_MODE_ENFORCE || (as_enforce && mode == MTASTS_MODE_TESTING))) {
		const struct check_result *c = check_find(&r->checks, "mtasts.txt", NULL, NULL);

		set(v, c != NULL && c->status == CHECK_ERROR ? V_UNKNOWN : V_DEFER,
		    NULL, NULL, sts_reason(r));
		return;
	}
	if (mtasts_match(r, pa->mx->name) == NULL) {
		set(v, V_DEFER, NULL, NULL, "mtasts.mx.match");
		return;
	}
	judge(r, pa, R_ENCRYPT, v);
	v->rule = "mta-sts";
	if (v->outcome != V_DELIVER)
		return;
	if (pa->tls.version_num < TLS1_2_VERSION) {
		set(v, V_DEFER, NULL, NULL, "tls.version");
		return;
	}
	if (!pa->tls.have_chain || !pa->tls.chain.trusted) {
		set(v, V_DEFER, NULL, NULL, "cert.chain.trusted");
		return;
	}
	if (!pa->tls.chain.path_in_validity) {
		set(v, V_DEFER, NULL, NULL, "cert.expiry");
		return;
	}
	if (pa->tls.chain.name_mx.via != CERT_NAME_SAN) {
		set(v, V_DEFER, NULL, NULL, "cert.name.match");
		return;
	}
	set(v, V_DELIVER, "tls", "pkix", NULL);
}

/* judge_secure - the secure level and its sender variant (12.3, 12.5) */
static void
judge_secure(const struct probe_result *r, const struct probe_addr *pa,
    bool sender, struct verdict_addr *v)
{
	const char *why;
	enum dane_state ds = host_dane_state(r, pa->mx, &why);
	enum mtasts_mode mode = mtasts_mode_of(r);

	v->pa = pa;
	if (ds == DANE_UNKNOWN || ds == DANE_BROKEN) {
		v->rule = "dane";
		set(v, ds == DANE_UNKNOWN ? V_UNKNOWN : V_DEFER, NULL, NULL, why);
		return;
	}
	if (ds == DANE_AUTH) {
		judge(r, pa, R_DANE, v);
		return;
	}
	if (!sender || mode == MTASTS_MODE_ENFORCE) {
		judge_mtasts(r, pa, false, v);
		return;
	}
	judge(r, pa, ds == DANE_UNUSABLE ? R_ENCRYPT : R_OPPORTUNISTIC, v);
}

static bool
bogus_mx(const struct probe_result *r)
{
	return r->have_mxans && r->mxans.dnssec == DNSSEC_BOGUS;
}

static bool
build_set(const struct probe_result *r, enum rule rule, const char *name,
    struct verdict_set *s)
{
	size_t n = 0, i, k;

	s->name = name;
	for (i = 0; i < r->nmx; i++)
		n += r->mx[i].naddrs;
	s->addrs = calloc(n ? n : 1, sizeof(*s->addrs));
	if (s->addrs == NULL)
		return false;
	for (i = 0; i < r->nmx; i++)
		for (k = 0; k < r->mx[i].naddrs; k++) {
			struct verdict_addr *v = &s->addrs[s->n++];

			judge(r, &r->mx[i].addrs[k], rule, v);
			if ((rule == R_MTASTS_SENDER || rule == R_SECURE_SENDER) &&
			    mtasts_mode_of(r) == MTASTS_MODE_TESTING) {
				struct verdict_addr as;

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
	/* checks.md 12.6 */
	if (r->null_mx)
		s->outcome = V_NOMAIL;
	else if (bogus_mx(r))
		s->outcome = V_DEFER;
	else if (s->deliver && !s->defer)
		s->outcome = V_DELIVER;
	else if (s->deliver)
		s->outcome = V_PARTIAL;
	else if (s->unknown)
		s->outcome = V_UNKNOWN;
	else if (s->n == 0) {
		const struct check_result *c = check_find(&r->checks, "dns.mx.lookup", NULL, NULL);
		bool err = c != NULL && c->status == CHECK_ERROR;

		for (i = 0; i < r->nmx && !err; i++) {
			c = check_find(&r->checks, "dns.mx.target.resolves", r->mx[i].name, NULL);
			err = c != NULL && c->status == CHECK_ERROR;
		}
		s->outcome = err ? V_UNKNOWN : V_DEFER;
	} else
		s->outcome = V_DEFER;
	return true;
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

static void
policy_check(struct probe_result *r, enum probe_level lv, struct verdict_level *L)
{
	static const char *const ids[LEVEL__COUNT] = {
		"policy.opportunistic", "policy.encrypt", "policy.verify",
		"policy.dane", "policy.mtasts", "policy.secure",
	};
	enum vout o = L->strict.outcome;
	enum check_status st;

	L->judged_on = "strict";
	if (o == V_UNKNOWN)
		st = CHECK_ERROR;
	else if (o == V_NOMAIL)
		st = CHECK_INFO;
	else if (L->required && (r->opt.require & (1u << lv))) {
		L->expectation = "required";
		st = o == V_DELIVER ? CHECK_PASS : CHECK_FAIL;
	} else if (lv == LEVEL_OPPORTUNISTIC) {
		L->expectation = "always";
		st = o == V_DELIVER ? CHECK_PASS : o == V_PARTIAL ? CHECK_WARN : CHECK_FAIL;
	} else if (lv == LEVEL_MTASTS && mtasts_mode_of(r) == MTASTS_MODE_ENFORCE) {
		L->expectation = "published";
		st = o == V_DELIVER ? CHECK_PASS : o == V_PARTIAL ? CHECK_WARN : CHECK_FAIL;
	} else if (lv == LEVEL_MTASTS && mtasts_mode_of(r) == MTASTS_MODE_TESTING) {
		const struct verdict_set *vs = &L->variants[0];
		bool wf = false;

		for (size_t i = 0; i < vs->n; i++)
			wf = wf || vs->addrs[i].would_fail;
		L->expectation = "published";
		L->judged_on = "sender";
		o = vs->outcome;
		st = o == V_UNKNOWN ? CHECK_ERROR : wf ? CHECK_WARN : CHECK_PASS;
	} else if (lv == LEVEL_SECURE && (dane_published(r) ||
	    mtasts_mode_of(r) == MTASTS_MODE_ENFORCE)) {
		const struct verdict_set *vs = &L->variants[0];

		L->expectation = "published";
		L->judged_on = "sender";
		o = vs->outcome;
		st = o == V_UNKNOWN ? CHECK_ERROR : o == V_DELIVER ? CHECK_PASS :
		    o == V_PARTIAL ? CHECK_WARN : CHECK_FAIL;
	} else if (lv == LEVEL_DANE && dane_published(r)) {
		/* The domain meant to publish TLSA records: judge the
		 * opportunistic-DANE sender (checks.md 12.7). */
		const struct verdict_set *vs = &L->variants[0];

		L->expectation = "published";
		L->judged_on = "opportunistic";
		o = vs->outcome;
		st = o == V_UNKNOWN ? CHECK_ERROR : o == V_DELIVER ? CHECK_PASS :
		    o == V_PARTIAL ? CHECK_WARN : CHECK_FAIL;
	} else
		st = o == V_DELIVER ? CHECK_PASS : CHECK_INFO;
	L->status = st;
	/* A failure is recorded in the list (check_list_error). */
	check_add(&r->checks, ids[lv], st, r->domain ? r->domain : r->host, NULL, NULL,
	    0, NULL, "%s: %zu address%s deliver%s, %zu defer, %zu unknown",
	    verdict_outcome_name(o), L->strict.deliver, L->strict.deliver == 1 ? "" : "es",
	    L->strict.deliver == 1 ? "s" : "", L->strict.defer, L->strict.unknown);
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

enum st_err
verdict_run(struct probe_result *r, char *errmsg, size_t errlen)
{
	struct verdict_level *L;
	enum st_err err;
	bool ok = true;

	/* An incomplete list would turn a lost result into a verdict. */
	if ((err = check_list_error(&r->checks)) != ST_OK)
		return err;
	if ((L = calloc(LEVEL__COUNT, sizeof(*L))) == NULL)
		return ST_ERR_NOMEM;
	r->levels = L;
	L[LEVEL_OPPORTUNISTIC].present = true;
	L[LEVEL_OPPORTUNISTIC].required = true;
	L[LEVEL_ENCRYPT].present = true;
	L[LEVEL_ENCRYPT].required = (r->opt.require >> LEVEL_ENCRYPT) & 1;
	L[LEVEL_VERIFY].present = true;
	L[LEVEL_VERIFY].required = (r->opt.require >> LEVEL_VERIFY) & 1;
	if (!r->opt.no_dane && r->kind != TARGET_HOST) {
		L[LEVEL_DANE].present = true;
		L[LEVEL_DANE].required = (r->opt.require >> LEVEL_DANE) & 1;
	}
	if (r->have_sts_dns && r->kind != TARGET_HOST) {
		L[LEVEL_MTASTS].present = true;
		L[LEVEL_MTASTS].required = (r->opt.require >> LEVEL_MTASTS) & 1;
		if (!r->opt.no_dane) {
			L[LEVEL_SECURE].present = true;
			L[LEVEL_SECURE].required = (r->opt.require >> LEVEL_SECURE) & 1;
		}
	}
	if ((err = verdict_inputs(r, L, errmsg, errlen)) != ST_OK)
		return err;
	ok = ok && build_set(r, R_OPPORTUNISTIC, NULL, &L[LEVEL_OPPORTUNISTIC].strict);
	ok = ok && build_set(r, R_CLEARTEXT_RETRY, "cleartext_retry",
	    &L[LEVEL_OPPORTUNISTIC].variants[L[LEVEL_OPPORTUNISTIC].nvariants++]);
	ok = ok && build_set(r, R_ENCRYPT, NULL, &L[LEVEL_ENCRYPT].strict);
	ok = ok && build_set(r, R_VERIFY, NULL, &L[LEVEL_VERIFY].strict);
	ok = ok && build_set(r, R_VERIFY_CHAIN, "chain",
	    &L[LEVEL_VERIFY].variants[L[LEVEL_VERIFY].nvariants++]);
	if (r->domain != NULL || r->opt.tls_domain != NULL)
		ok = ok && build_set(r, R_VERIFY_DOMAIN, "domain",
		    &L[LEVEL_VERIFY].variants[L[LEVEL_VERIFY].nvariants++]);
	if (L[LEVEL_DANE].present) {
		ok = ok && build_set(r, R_DANE, NULL, &L[LEVEL_DANE].strict);
		ok = ok && build_set(r, R_DANE_OPP, "opportunistic",
		    &L[LEVEL_DANE].variants[L[LEVEL_DANE].nvariants++]);
	}
	if (L[LEVEL_MTASTS].present) {
		ok = ok && build_set(r, R_MTASTS, NULL, &L[LEVEL_MTASTS].strict);
		ok = ok && build_set(r, R_MTASTS_SENDER, "sender",
		    &L[LEVEL_MTASTS].variants[L[LEVEL_MTASTS].nvariants++]);
	}
	if (L[LEVEL_SECURE].present) {
		ok = ok && build_set(r, R_SECURE, NULL, &L[LEVEL_SECURE].strict);
		ok = ok && build_set(r, R_SECURE_SENDER, "sender",
		    &L[LEVEL_SECURE].variants[L[LEVEL_SECURE].nvariants++]);
	}
	if (!ok)
		return ST_ERR_NOMEM;
	for (int i = 0; i < LEVEL__COUNT; i++)
		if (L[i].present)
			policy_check(r, (enum probe_level)i, &L[i]);
	return check_list_error(&r->checks);
}
