/*
 * verdict_rule.c - the rules of checks.md 12 for one address: the facts
 * (12.1), the DANE state of its host (12.2), and each level's rule and
 * variant (12.3-12.5), read from the check results through the index
 * verdict.c built (check_idx.h) and the few values measured beside them.
 * verdict.c builds the sets, the domain outcome and the policy.* checks
 * from these outcomes.
 */
#include "verdict_int.h"

#include <string.h>

#include <openssl/ssl.h>

#include "mtasts_check.h"
#include "judge.h"

#include "banned.h"

enum fact { F_FALSE = 0, F_TRUE, F_UNKNOWN };

/* reason: the check that decided; CK_NONE when none did */
struct fact_r {
	enum fact f;
	enum check_id reason;
};

/* st_of - the status of check id for an address. A missing result reads
 * as error, which makes the fact unknown and never a silent skip; after
 * verdict_inputs() it cannot happen for the results the rules read. */
static enum check_status
st_of(const struct check_idx *x, const struct probe_addr *pa, enum check_id id)
{
	const struct check_result *c = check_get(x, id, pa);

	return c != NULL ? c->status : CHECK_ERROR;
}

/* need - a fact that holds when check id has one of the wanted statuses;
 * unknown when it is error, or skip behind the error upstream (checks.md
 * 12.1), and then the reason is the check with the error (12.3) */
static struct fact_r
need(const struct check_idx *x, const struct probe_addr *pa, enum check_id id,
    bool allow_warn, enum check_id upstream)
{
	enum check_status s = st_of(x, pa, id);
	struct fact_r out = { F_FALSE, id };

	if (s == CHECK_PASS || (allow_warn && s == CHECK_WARN))
		out.f = F_TRUE;
	else if (s == CHECK_ERROR)
		out.f = F_UNKNOWN;
	else if (s == CHECK_SKIP && upstream != CK_NONE)
		out = (struct fact_r){ F_UNKNOWN, upstream };
	return out;
}

/* first_error - the first step of the dialogue that ended in error;
 * CK_NONE when none did */
static enum check_id
first_error(const struct check_idx *x, const struct probe_addr *pa)
{
	static const enum check_id chain[] = {
		CK_SMTP_CONNECT,
		CK_SMTP_BANNER,
		CK_SMTP_EHLO,
		CK_SMTP_STARTTLS_OFFERED,
		CK_SMTP_STARTTLS_RESPONSE,
		CK_TLS_HANDSHAKE,
		CK_SMTP_EHLO_AFTER_TLS,
	};

	for (size_t i = 0; i < sizeof(chain) / sizeof(chain[0]); i++)
		if (st_of(x, pa, chain[i]) == CHECK_ERROR)
			return chain[i];
	return CK_NONE;
}

static void
set(struct verdict_addr *v, enum vout o, const char *tr, const char *auth,
    enum check_id reason)
{
	v->outcome = o;
	v->transport = o == V_DELIVER ? tr : NULL;
	v->auth = o == V_DELIVER ? auth : NULL;
	v->reason =
	    o == V_DELIVER || reason == CK_NONE ? NULL : check_id_name(reason);
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
fact_reach(const struct check_idx *x, const struct probe_addr *pa,
    enum check_id err)
{
	struct fact_r f;

	/* No local route: every fact of the address is unknown. */
	f = need(x, pa, CK_SMTP_CONNECT, false, CK_NONE);
	if (f.f != F_TRUE) {
		if (st_of(x, pa, CK_SMTP_CONNECT) == CHECK_SKIP)
			f.f = F_UNKNOWN;
		return f;
	}
	f = need(x, pa, CK_SMTP_BANNER, true, err);
	if (f.f != F_TRUE)
		return f;
	return need(x, pa, CK_SMTP_EHLO, true, err);
}

static struct fact_r
fact_tls(const struct check_idx *x, const struct probe_addr *pa,
    enum check_id err)
{
	static const enum check_id ids[] = {
		CK_SMTP_STARTTLS_OFFERED,
		CK_SMTP_STARTTLS_RESPONSE,
		CK_TLS_HANDSHAKE,
		CK_SMTP_EHLO_AFTER_TLS,
	};
	struct fact_r f = { F_TRUE, CK_NONE };

	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		f = need(x, pa, ids[i], false, err);
		if (f.f != F_TRUE)
			return f;
	}
	return f;
}

/* fact_pkix - a trusted chain with every certificate on the path inside
 * its validity (checks.md 12.1 pkix) */
static struct fact_r
fact_pkix(const struct check_idx *x, const struct probe_addr *pa)
{
	struct fact_r f = need(x, pa, CK_CERT_CHAIN_TRUSTED, false, CK_NONE);

	if (f.f == F_TRUE && !pa->tls.chain.path_in_validity)
		f = (struct fact_r){ F_FALSE, CK_CERT_EXPIRY };
	return f;
}

static bool
no_starttls(const struct check_idx *x, const struct probe_addr *pa)
{
	if (st_of(x, pa, CK_SMTP_STARTTLS_OFFERED) == CHECK_FAIL)
		return true;
	return st_of(x, pa, CK_SMTP_STARTTLS_RESPONSE) == CHECK_FAIL &&
	       pa->sc.starttls.code != 0;
}

/*
 * fact_sts - checks.md 12.1 sts with mode enforce (or testing, read as
 * enforce for would_fail). Without a valid policy the first MTA-STS check
 * that did not pass is the reason; one with status error makes the fact
 * unknown, and a skip defers to a later check that failed or erred.
 */
static struct fact_r
fact_sts(const struct check_idx *x, bool testing_as_enforce)
{
	static const enum check_id ids[] = {
		CK_MTASTS_TXT,
		CK_MTASTS_POLICY_FETCH,
		CK_MTASTS_POLICY_CERT,
		CK_MTASTS_POLICY_SYNTAX,
	};
	enum mtasts_mode mode = mtasts_mode_of(x->r);
	enum check_id skipped = CK_NONE;

	if (mode == MTASTS_MODE_ENFORCE ||
	    (testing_as_enforce && mode == MTASTS_MODE_TESTING))
		return (struct fact_r){ F_TRUE, CK_NONE };
	if (mode != MTASTS_MODE_UNSET)
		return (struct fact_r){ F_FALSE, CK_MTASTS_POLICY_MODE };
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		const struct check_result *c = check_get_any(x, ids[i]);
		enum check_status s = c != NULL ? c->status : CHECK_ERROR;

		if (s == CHECK_ERROR)
			return (struct fact_r){ F_UNKNOWN, ids[i] };
		if (s == CHECK_SKIP && skipped == CK_NONE)
			skipped = ids[i];
		else if (s != CHECK_PASS && s != CHECK_WARN && s != CHECK_SKIP)
			return (struct fact_r){ F_FALSE, ids[i] };
	}
	return (struct fact_r){ F_FALSE,
		skipped != CK_NONE ? skipped : CK_MTASTS_POLICY_SYNTAX };
}

static const char *const rule_names[] = {
	"opportunistic",
	"opportunistic.cleartext_retry",
	"encrypt",
	"verify",
	"verify.chain",
	"verify.domain",
	"dane",
	"dane",
	"mta-sts",
	"mta-sts",
	"secure",
	"secure",
	"mta-sts",
};

enum dane_state {
	DANE_AUTH,
	DANE_UNUSABLE,
	DANE_BROKEN,
	NO_DANE,
	DANE_UNKNOWN,
};

static const char *const dane_state_names[] = {
	"dane-auth",
	"dane-unusable",
	"dane-broken",
	"no-dane",
	"dane-unknown",
};

/* host_dane_state - checks.md 12.2 from the host's dns.mx.addr.dnssec,
 * dane.tlsa.lookup and dane.tlsa.usable results; *why gets the deciding
 * check id. A missing result leaves the state unknown. */
static enum dane_state
host_dane_state(const struct check_result *ad, const struct check_result *lk,
    const struct check_result *us, enum check_id *why)
{
	*why = CK_DNS_MX_ADDR_DNSSEC;
	if (ad != NULL && ad->status == CHECK_FAIL)
		return DANE_BROKEN;
	if (ad == NULL || ad->status == CHECK_ERROR)
		return DANE_UNKNOWN;
	/* Insecure address records close DANE unless the TLSA lookup still
	 * counted: the MX host name is a secure alias (RFC 7672 2.2.2). */
	if (ad->status == CHECK_WARN &&
	    (lk == NULL || lk->status == CHECK_SKIP))
		return NO_DANE;
	*why = CK_DANE_TLSA_LOOKUP;
	if (lk == NULL || lk->status == CHECK_ERROR)
		return DANE_UNKNOWN;
	if (lk->status == CHECK_FAIL)
		return DANE_BROKEN;
	if (lk->status != CHECK_PASS)
		return NO_DANE;
	*why = CK_DANE_TLSA_USABLE;
	if (us == NULL)
		return DANE_UNKNOWN;
	return us->status == CHECK_FAIL ? DANE_UNUSABLE : DANE_AUTH;
}

/* idx_dane_state - host_dane_state of host m from the index */
static enum dane_state
idx_dane_state(const struct check_idx *x, const struct probe_mx *m,
    enum check_id *why)
{
	return host_dane_state(check_get_mx(x, CK_DNS_MX_ADDR_DNSSEC, m),
	    check_get_mx(x, CK_DANE_TLSA_LOOKUP, m),
	    check_get_mx(x, CK_DANE_TLSA_USABLE, m), why);
}

const char *
verdict_dane_state_name(const struct probe_result *r, const struct probe_mx *m)
{
	enum check_id why;

	/* The report asks once per host, without the verdicts' index. */
	return dane_state_names[host_dane_state(check_find(&r->checks,
	                                            CK_DNS_MX_ADDR_DNSSEC,
	                                            m->name, NULL),
	    check_find(&r->checks, CK_DANE_TLSA_LOOKUP, m->name, NULL),
	    check_find(&r->checks, CK_DANE_TLSA_USABLE, m->name, NULL), &why)];
}

/* judge_transport - the encrypt rule's conditions: reach, tls and the
 * version floor; false when one of them decided v */
static bool
judge_transport(const struct check_idx *x, const struct probe_addr *pa,
    int floor, struct verdict_addr *v)
{
	enum check_id err = first_error(x, pa);

	if (!decide(v, fact_reach(x, pa, err)) ||
	    !decide(v, fact_tls(x, pa, err)))
		return false;
	if (pa->tls.version_num < floor) {
		set(v, V_DEFER, NULL, NULL, CK_TLS_VERSION);
		return false;
	}
	return true;
}

/* judge_opportunistic - checks.md 12.3 opportunistic, and 12.4
 * cleartext_retry: a failed handshake is followed by a cleartext session */
static void
judge_opportunistic(const struct check_idx *x, const struct probe_addr *pa,
    bool retry, struct verdict_addr *v)
{
	enum check_id err = first_error(x, pa);
	struct fact_r f;

	if (!decide(v, fact_reach(x, pa, err)))
		return;
	f = fact_tls(x, pa, err);
	if (f.f == F_TRUE)
		set(v, V_DELIVER, "tls", "none", CK_NONE);
	else if (no_starttls(x, pa))
		set(v, V_DELIVER, "cleartext", "none", CK_NONE);
	else if (retry && f.f == F_FALSE && f.reason == CK_TLS_HANDSHAKE)
		set(v, V_DELIVER, "cleartext", "none", CK_NONE);
	else
		decide(v, f);
}

/* judge_verify - encrypt, then PKIX, then the names of the rule */
static void
judge_verify(const struct check_idx *x, const struct probe_addr *pa,
    enum verdict_rule rule, struct verdict_addr *v)
{
	if (!judge_transport(x, pa, x->r->opt.min_tls, v) ||
	    !decide(v, fact_pkix(x, pa)))
		return;
	if (rule == R_VERIFY && pa->tls.chain.name_mx.via == CERT_NAME_NONE) {
		set(v, V_DEFER, NULL, NULL, CK_CERT_NAME_MATCH);
		return;
	}
	if (rule == R_VERIFY_DOMAIN &&
	    !decide(v, need(x, pa, CK_CERT_NAME_NEXTHOP, false, CK_NONE)))
		return;
	set(v, V_DELIVER, "tls", "pkix", CK_NONE);
}

/* judge_dane - the dane strict rule and its opportunistic variant. The
 * host's DANE state is the strict rule's first condition: a host without
 * usable TLSA records defers whatever its addresses do (12.3). */
static void
judge_dane(const struct check_idx *x, const struct probe_addr *pa,
    enum verdict_rule rule, struct verdict_addr *v)
{
	enum check_id why;
	enum dane_state ds = idx_dane_state(x, pa->mx, &why);

	if (rule == R_DANE_OPP && (ds == DANE_UNUSABLE || ds == NO_DANE)) {
		verdict_judge(x, pa,
		    ds == DANE_UNUSABLE ? R_ENCRYPT : R_OPPORTUNISTIC, v);
		return;
	}
	v->rule = "dane";
	if (ds != DANE_AUTH) {
		set(v, ds == DANE_UNKNOWN ? V_UNKNOWN : V_DEFER, NULL, NULL,
		    why);
		return;
	}
	if (!judge_transport(x, pa, x->r->opt.min_tls, v) ||
	    !decide(v, need(x, pa, CK_DANE_TLSA_MATCH, false, CK_NONE)))
		return;
	set(v, V_DELIVER, "tls", "dane", CK_NONE);
}

/* judge_mtasts - the MTA-STS strict rule (checks.md 12.3); testing_as_enforce
 * reads a testing policy as if it were enforced (would_fail) */
static void
judge_mtasts(const struct check_idx *x, const struct probe_addr *pa,
    bool testing_as_enforce, struct verdict_addr *v)
{
	v->rule = "mta-sts";
	if (!decide(v, fact_sts(x, testing_as_enforce)))
		return;
	if (mtasts_match(x->r, pa->mx->name) == NULL) {
		set(v, V_DEFER, NULL, NULL, CK_MTASTS_MX_MATCH);
		return;
	}
	/* checks.md 12.3: MTA-STS senders need TLS 1.2 or later (RFC
	 * 8461), whatever --min-tls says. */
	if (!judge_transport(x, pa, TLS1_2_VERSION, v) ||
	    !decide(v, fact_pkix(x, pa)))
		return;
	if (pa->tls.chain.name_mx.via != CERT_NAME_SAN) {
		set(v, V_DEFER, NULL, NULL, CK_CERT_NAME_MATCH);
		return;
	}
	set(v, V_DELIVER, "tls", "pkix", CK_NONE);
}

/* judge_sts_sender - an MTA-STS sender (12.4 mta-sts sender, 12.5 steps
 * 3-5): the strict rule under an enforced policy, else the fallback rule;
 * a policy that could not be read decides nothing but unknown */
static void
judge_sts_sender(const struct check_idx *x, const struct probe_addr *pa,
    enum verdict_rule fallback, struct verdict_addr *v)
{
	struct fact_r f = fact_sts(x, false);

	if (f.f == F_UNKNOWN) {
		v->rule = "mta-sts";
		decide(v, f);
	} else if (f.f == F_TRUE)
		judge_mtasts(x, pa, false, v);
	else
		verdict_judge(x, pa, fallback, v);
}

/* judge_secure - the secure level and its sender variant (12.3, 12.5) */
static void
judge_secure(const struct check_idx *x, const struct probe_addr *pa,
    bool sender, struct verdict_addr *v)
{
	enum check_id why;
	enum dane_state ds = idx_dane_state(x, pa->mx, &why);

	if (ds == DANE_UNKNOWN || ds == DANE_BROKEN) {
		v->rule = "dane";
		set(v, ds == DANE_UNKNOWN ? V_UNKNOWN : V_DEFER, NULL, NULL,
		    why);
	} else if (ds == DANE_AUTH)
		judge_dane(x, pa, R_DANE, v);
	else if (!sender)
		judge_mtasts(x, pa, false, v);
	else
		judge_sts_sender(x, pa,
		    ds == DANE_UNUSABLE ? R_ENCRYPT : R_OPPORTUNISTIC, v);
}

void
verdict_judge(const struct check_idx *x, const struct probe_addr *pa,
    enum verdict_rule rule, struct verdict_addr *v)
{
	v->pa = pa;
	v->rule = rule_names[rule];
	switch (rule) {
	case R_OPPORTUNISTIC:
	case R_CLEARTEXT_RETRY:
		judge_opportunistic(x, pa, rule == R_CLEARTEXT_RETRY, v);
		break;
	case R_ENCRYPT:
		if (judge_transport(x, pa, x->r->opt.min_tls, v))
			set(v, V_DELIVER, "tls", "none", CK_NONE);
		break;
	case R_VERIFY:
	case R_VERIFY_CHAIN:
	case R_VERIFY_DOMAIN:
		judge_verify(x, pa, rule, v);
		break;
	case R_DANE:
	case R_DANE_OPP:
		judge_dane(x, pa, rule, v);
		break;
	case R_MTASTS:
	case R_MTASTS_AS_ENFORCE:
		judge_mtasts(x, pa, rule == R_MTASTS_AS_ENFORCE, v);
		break;
	case R_MTASTS_SENDER:
		judge_sts_sender(x, pa, R_OPPORTUNISTIC, v);
		break;
	case R_SECURE:
	case R_SECURE_SENDER:
		judge_secure(x, pa, rule == R_SECURE_SENDER, v);
		break;
	}
}
