/*
 * mtasts_check.c - MTA-STS in a probe (checks.md 7): start the policy
 * fetch so that it overlaps the SMTP sessions, then judge the TXT record,
 * the fetch, the certificate, the policy and each MX host and address.
 */
#include "mtasts_check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>
#include <openssl/ssl.h>

#include "check_data.h"
#include "judge.h"
#include "text.h"

#include "banned.h"

static bool
lookup_failed(const struct dns_answer *a)
{
	return a->err != ST_OK || (a->rcode != LDNS_RCODE_NOERROR &&
	                              a->rcode != LDNS_RCODE_NXDOMAIN);
}

static void *
fetch_thread(void *arg)
{
	struct mtasts_state *s = arg;

	/* The result records every failure; the code adds nothing. */
	if (mtasts_fetch(&s->params, &s->fetch) != ST_OK)
		s->fetch_failed = true;
	return NULL;
}

struct mtasts_state *
mtasts_start(struct probe_result *r, X509_STORE *store)
{
	struct mtasts_state *s = calloc(1, sizeof(*s));
	size_t n = 0, i;

	if (s == NULL)
		return NULL;
	mtasts_txt_init(&s->txt);
	mtasts_policy_init(&s->policy);
	s->txt_error = lookup_failed(&r->sts_txt);
	/* the records' octets: the escaped text would turn a tab into "\009" */
	if (!s->txt_error &&
	    mtasts_txt_parse(&s->txt, (const char *const *)r->sts_txt.txt,
	        r->sts_txt.txt_len, r->sts_txt.ntext) != ST_OK)
		s->txt_error = true;
	s->host_error = lookup_failed(&r->sts_a) && lookup_failed(&r->sts_aaaa);
	for (i = 0; i < r->sts_a.ntext && n < 8 && r->opt.ipv4; i++)
		s->addrs[n++] = r->sts_a.text[i];
	for (i = 0; i < r->sts_aaaa.ntext && n < 8 && r->opt.ipv6; i++)
		s->addrs[n++] = r->sts_aaaa.text[i];
	s->host_resolves = n > 0;
	if (n == 0)
		return s;
	s->params = (struct mtasts_fetch_params){
		.domain = r->domain,
		.addrs = s->addrs,
		.naddrs = n,
		/* the store of the SMTP sessions (trust_store.h), not
		 * libcurl's own default */
		.ca_file = r->trust.file[0] ? r->trust.file : NULL,
		.ca_path = r->trust.dir[0] ? r->trust.dir : NULL,
		.store = store,
		/* the step limit, capped by the run deadline from now: the
		 * fetch starts while other lookups are still out */
		.timeout_ms = probe_remaining_ms(r, r->opt.timeout_ms),
	};
	if (pthread_create(&s->thread, NULL, fetch_thread, s) == 0)
		s->fetch_started = true;
	else
		fetch_thread(s);
	s->fetch_done = true;
	return s;
}

enum st_err
mtasts_finish(struct probe_result *r)
{
	struct mtasts_state *s = r->sts;
	const struct mtasts_fetch_result *f;
	enum st_err err;

	if (s == NULL)
		return ST_OK;
	if (s->fetch_started) {
		pthread_join(s->thread, NULL);
		s->fetch_started = false;
	}
	f = &s->fetch;
	if (!s->fetch_done)
		return ST_OK;
	s->ctype_ok =
	    f->has_content_type &&
	    mtasts_fetch_content_type_ok(f->content_type, f->content_type_len);
	/* A policy that cannot be stored is our failure, not the
	 * domain's: it must not read as an invalid policy. */
	if (f->body != NULL && f->authenticated) {
		if ((err = mtasts_policy_parse(&s->policy, f->body,
		         f->bytes)) != ST_OK)
			return err;
		s->policy_parsed = true;
	}
	/* checks.md 1.1: a valid policy needs the record, an authenticated
	 * 200 text/plain response and a policy that parses. */
	s->valid = (s->txt.status == MTASTS_TXT_VALID) && f->err == ST_OK &&
	           f->http_status == 200 && s->ctype_ok && f->authenticated &&
	           s->policy_parsed && s->policy.valid;
	return ST_OK;
}

void
mtasts_state_free(struct mtasts_state *s)
{
	if (s == NULL)
		return;
	if (s->fetch_started)
		pthread_join(s->thread, NULL);
	mtasts_txt_release(&s->txt);
	mtasts_policy_release(&s->policy);
	mtasts_fetch_result_release(&s->fetch);
	free(s);
}

enum mtasts_mode
mtasts_mode_of(const struct probe_result *r)
{
	if (r->sts == NULL || !r->sts->valid)
		return MTASTS_MODE_UNSET;
	return r->sts->policy.mode;
}

const char *
mtasts_match(const struct probe_result *r, const char *host)
{
	if (r->sts == NULL || !r->sts->valid)
		return NULL;
	return mtasts_policy_match(&r->sts->policy, host, strlen(host));
}

static void
dom(struct probe_result *r, enum check_id id, enum check_status st,
    struct check_data *d, const char *detail)
{
	check_add(&r->checks, id, st, r->domain, NULL, NULL, 0, d, "%s",
	    detail);
}

/* none_detail - no candidate: nothing published, or only records that
 * senders discard (RFC 8461 3.1) */
static void
none_detail(size_t discarded, char *buf, size_t len)
{
	if (discarded == 0)
		snprintf(buf, len,
		    "no MTA-STS record: the domain does not "
		    "publish MTA-STS");
	else
		snprintf(buf, len,
		    "no MTA-STS record that senders keep: %zu "
		    "record%s resembling one discarded (only records beginning "
		    "'v=STSv1;' count)",
		    discarded, discarded == 1 ? "" : "s");
}

/* txt_verdict - the TXT check's status, its detail in detail; rec is the
 * record as text when there is one candidate */
static enum check_status
txt_verdict(const struct mtasts_state *s, const char *rec, char *detail,
    size_t n)
{
	switch (s->txt.status) {
	case MTASTS_TXT_NONE:
		none_detail(s->txt.discarded, detail, n);
		return CHECK_INFO;
	case MTASTS_TXT_VALID:
		snprintf(detail, n, "%s%s", rec,
		    s->txt.ws_before_semicolon
		        ? " (whitespace before the first ';': some senders discard it)"
		        : "");
		return s->txt.ws_before_semicolon ? CHECK_WARN : CHECK_PASS;
	case MTASTS_TXT_MULTIPLE:
		snprintf(detail, n,
		    "%zu v=STSv1 records: senders act as if "
		    "there were none",
		    s->txt.candidates);
		return CHECK_FAIL;
	default:
		snprintf(detail, n, "invalid record (%s): %s",
		    s->txt.nproblems
		        ? mtasts_txt_prob_name(s->txt.problems[0].code)
		        : "malformed",
		    rec);
		return CHECK_FAIL;
	}
}

static void
check_txt(struct probe_result *r, struct mtasts_state *s)
{
	char rec[400], detail[500];
	struct check_data *d;

	if (s->txt_error) {
		snprintf(detail, sizeof(detail), "TXT lookup for %s failed: %s",
		    r->sts_txt.name ? r->sts_txt.name : "",
		    r->sts_txt.errmsg[0] ? r->sts_txt.errmsg : "no answer");
		dom(r, CK_MTASTS_TXT, CHECK_ERROR, NULL, detail);
		return;
	}
	if ((d = check_data_new(&r->checks, CD_MTASTS_TXT)) != NULL) {
		d->u.sts_txt.txt = &r->sts_txt;
		d->u.sts_txt.id = s->txt.has_id ? s->txt.id : NULL;
	}
	rec[0] = '\0';
	if (s->txt.candidates == 1)
		text_escape(r->sts_txt.text[s->txt.record],
		    strlen(r->sts_txt.text[s->txt.record]), rec, sizeof(rec));
	dom(r, CK_MTASTS_TXT, txt_verdict(s, rec, detail, sizeof(detail)), d,
	    detail);
}

/* fetched - the transfer f as data; reason static or NULL */
static struct check_data *
fetched(struct probe_result *r, const struct mtasts_fetch_result *f,
    const char *reason)
{
	struct check_data *d = check_data_new(&r->checks, CD_MTASTS_FETCH);

	if (d != NULL) {
		d->u.fetch.f = f;
		d->u.fetch.reason = reason;
	}
	return d;
}

/* fetch_failure - why a transfer gave no policy to read: the reason the
 * report names (static), its detail in detail */
static const char *
fetch_failure(const struct mtasts_fetch_result *f, char *detail, size_t n)
{
	if (f->too_large) {
		snprintf(detail, n, "the policy is larger than 65536 octets");
		return "too-large";
	}
	if (f->http_status >= 300 && f->http_status < 400) {
		snprintf(detail, n, "HTTP %ld redirect (not followed)",
		    f->http_status);
		return "redirect";
	}
	if (f->http_status && f->http_status != 200) {
		snprintf(detail, n, "HTTP %ld instead of 200", f->http_status);
		return "status";
	}
	if (f->http_status == 200) {
		snprintf(detail, n,
		    "media type is not text/plain: "
		    "senders that check it ignore the policy");
		return "content-type";
	}
	snprintf(detail, n, "%s", f->errmsg[0] ? f->errmsg : "no response");
	return f->tls_checked ? "tls" : "connect";
}

/* check_fetch - the policy fetch: the policy host's address, then its
 * transfer (the certificate is check_cert's) */
static void
check_fetch(struct probe_result *r, struct mtasts_state *s)
{
	const struct mtasts_fetch_result *f = &s->fetch;
	bool txt = s->txt.candidates > 0;
	struct check_result *cr = NULL;
	const char *reason;
	char detail[500];

	if (!s->host_resolves) {
		if (s->host_error)
			dom(r, CK_MTASTS_POLICY_FETCH, CHECK_ERROR, NULL,
			    "the policy host's address lookup failed");
		else if (txt)
			cr = check_add(&r->checks, CK_MTASTS_POLICY_FETCH,
			    CHECK_FAIL, r->domain, NULL, NULL, 0, NULL,
			    "mta-sts.%s does not resolve", r->domain);
		else
			dom(r, CK_MTASTS_POLICY_FETCH, CHECK_SKIP, NULL,
			    "not evaluated: no MTA-STS record and no policy host");
		if (cr)
			cr->tlsrpt = "sts-policy-fetch-error";
		return;
	}
	if (f->tls_checked && !f->authenticated) {
		/* XXX: checks.md judges the fetch on an unauthenticated repeat;
		 * this version does not repeat it (see smtptls(1)). */
		dom(r, CK_MTASTS_POLICY_FETCH, CHECK_SKIP, fetched(r, f, "tls"),
		    "not evaluated: the policy host's certificate did not validate "
		    "(mtasts.policy.cert)");
		return;
	}
	if (f->err == ST_ERR_TIMEOUT) {
		dom(r, CK_MTASTS_POLICY_FETCH, CHECK_ERROR, fetched(r, f, NULL),
		    f->errmsg);
		return;
	}
	if (f->err == ST_OK && f->http_status == 200 && s->ctype_ok) {
		snprintf(detail, sizeof(detail),
		    "HTTP 200, text/plain, %zu octets in %u ms", f->bytes,
		    f->ms);
		dom(r, CK_MTASTS_POLICY_FETCH, txt ? CHECK_PASS : CHECK_INFO,
		    fetched(r, f, NULL),
		    txt ? detail
		        : "a policy is served but there is no MTA-STS record: senders never read it");
		return;
	}
	if (!txt && f->http_status == 0) {
		dom(r, CK_MTASTS_POLICY_FETCH, CHECK_SKIP,
		    fetched(r, f, "connect"),
		    "not evaluated: no MTA-STS record and nothing served");
		return;
	}
	reason = fetch_failure(f, detail, sizeof(detail));
	cr = check_add(&r->checks, CK_MTASTS_POLICY_FETCH,
	    txt ? CHECK_FAIL : CHECK_INFO, r->domain, NULL, NULL, 0,
	    fetched(r, f, reason), "%s", detail);
	if (cr && txt)
		cr->tlsrpt = "sts-policy-fetch-error";
}

static void
check_cert(struct probe_result *r, struct mtasts_state *s)
{
	const struct mtasts_fetch_result *f = &s->fetch;
	struct check_result *cr;

	if (!s->host_resolves || !f->tls_checked) {
		dom(r, CK_MTASTS_POLICY_CERT, CHECK_SKIP, NULL,
		    "not evaluated: no TLS session with the policy host");
		return;
	}
	if (f->authenticated) {
		check_add(&r->checks, CK_MTASTS_POLICY_CERT, CHECK_PASS,
		    r->domain, NULL, NULL, 0, NULL,
		    "certificate for mta-sts.%s chains to the trust store",
		    r->domain);
		return;
	}
	cr = check_add(&r->checks, CK_MTASTS_POLICY_CERT, CHECK_FAIL, r->domain,
	    NULL, NULL, 0, NULL,
	    "the policy host's certificate does not validate: %s",
	    f->verify_error[0] ? f->verify_error : f->errmsg);
	if (cr)
		cr->tlsrpt = "sts-webpki-invalid";
}

static void
check_policy(struct probe_result *r, struct mtasts_state *s)
{
	const struct mtasts_policy *p = &s->policy;
	struct check_result *cr;
	struct check_data *d;
	enum check_status st;

	if (!s->policy_parsed) {
		dom(r, CK_MTASTS_POLICY_SYNTAX, CHECK_SKIP, NULL,
		    "not evaluated: no authenticated policy body");
		dom(r, CK_MTASTS_POLICY_MODE, CHECK_SKIP, NULL,
		    "not evaluated: no valid policy");
		dom(r, CK_MTASTS_POLICY_MAX_AGE, CHECK_SKIP, NULL,
		    "not evaluated: no valid policy");
		return;
	}
	if ((d = check_data_new(&r->checks, CD_MTASTS_POLICY)) != NULL)
		d->u.policy = p;
	st = !p->valid ? CHECK_FAIL : p->warn ? CHECK_WARN : CHECK_PASS;
	if (st == CHECK_PASS)
		cr = check_add(&r->checks, CK_MTASTS_POLICY_SYNTAX, st,
		    r->domain, NULL, NULL, 0, d,
		    "valid policy: mode %s, %zu mx pattern%s, max_age %llu",
		    mtasts_mode_name(p->mode), p->nmx, p->nmx == 1 ? "" : "s",
		    (unsigned long long)p->max_age);
	else
		cr = check_add(&r->checks, CK_MTASTS_POLICY_SYNTAX, st,
		    r->domain, NULL, NULL, 0, d,
		    "policy problem: %s (mode %s, %zu mx patterns)",
		    p->nproblems ? mtasts_policy_prob_name(p->problems[0].code)
		                 : "invalid",
		    mtasts_mode_name(p->mode), p->nmx);
	if (cr && st == CHECK_FAIL)
		cr->tlsrpt = "sts-policy-invalid";
	if (!s->valid) {
		dom(r, CK_MTASTS_POLICY_MODE, CHECK_SKIP, NULL,
		    "not evaluated: no valid policy");
		dom(r, CK_MTASTS_POLICY_MAX_AGE, CHECK_SKIP, NULL,
		    "not evaluated: no valid policy");
		return;
	}
	dom(r, CK_MTASTS_POLICY_MODE,
	    p->mode == MTASTS_MODE_ENFORCE ? CHECK_PASS : CHECK_INFO, NULL,
	    p->mode == MTASTS_MODE_ENFORCE ? "enforce"
	    : p->mode == MTASTS_MODE_TESTING
	        ? "testing: failures are reported, delivery "
	          "is not affected"
	        : "none: the policy is withdrawn");
	if (p->mode == MTASTS_MODE_NONE)
		st = CHECK_INFO;
	else
		st = p->max_age_short || p->max_age_long ? CHECK_WARN
		                                         : CHECK_PASS;
	check_add(&r->checks, CK_MTASTS_POLICY_MAX_AGE, st, r->domain, NULL,
	    NULL, 0, NULL, "%llu s%s", (unsigned long long)p->max_age,
	    p->max_age_short
	        ? " (under a day: an attacker can wait for cached policies to expire)"
	    : p->max_age_long ? " (over the maximum of 31557600)"
	                      : "");
}

/* mx_cert_failure - the first condition an enforcing sender rejects */
static const char *
mx_cert_failure(const struct probe_addr *pa, const char **tlsrpt)
{
	const struct tls_facts *t = &pa->tls;

	*tlsrpt = "validation-failure";
	if (!pa->sc.starttls_offered) {
		*tlsrpt = "starttls-not-supported";
		return "STARTTLS not offered";
	}
	if (!t->established)
		return "no TLS session";
	if (t->version_num < TLS1_2_VERSION)
		return "TLS older than 1.2";
	if (!t->have_chain)
		return "no certificate";
	if (!t->chain.path_trusted) {
		*tlsrpt = "certificate-not-trusted";
		return "the chain is not trusted";
	}
	if (!t->chain.path_in_validity) {
		*tlsrpt = "certificate-expired";
		return "a certificate is outside its validity";
	}
	if (t->chain.name_mx.via != CERT_NAME_SAN) {
		*tlsrpt = "certificate-host-mismatch";
		return "no subjectAltName matches the MX host";
	}
	return NULL;
}

/* mx_cert_checks - each address of MX host m as an MTA-STS sender sees
 * it: judged is whether a policy is in force, pat the pattern m matched */
static void
mx_cert_checks(struct probe_result *r, const struct probe_mx *m, bool judged,
    const char *pat, enum mtasts_mode mode)
{
	for (size_t k = 0; k < m->naddrs; k++) {
		const struct probe_addr *pa = &m->addrs[k];
		const char *why, *rpt;
		struct check_result *cr;

		if (!judged || pat == NULL || !pa->connected) {
			check_add(&r->checks, CK_MTASTS_MX_CERT, CHECK_SKIP,
			    NULL, m->name, pa->address, pa->order, NULL,
			    "not evaluated: %s",
			    !judged       ? "no valid policy in force"
			    : pat == NULL ? "the host does not match the policy"
			                  : "the address was not reached");
			continue;
		}
		why = mx_cert_failure(pa, &rpt);
		if (why == NULL) {
			check_add(&r->checks, CK_MTASTS_MX_CERT, CHECK_PASS,
			    NULL, m->name, pa->address, pa->order, NULL,
			    "STARTTLS, %s, trusted chain, "
			    "SAN matches %s",
			    pa->tls.version, m->name);
			continue;
		}
		cr = check_add(&r->checks, CK_MTASTS_MX_CERT,
		    mode == MTASTS_MODE_ENFORCE ? CHECK_FAIL : CHECK_WARN, NULL,
		    m->name, pa->address, pa->order, NULL,
		    "an MTA-STS sender rejects this address: %s (TLS-RPT %s)",
		    why, rpt);
		if (cr)
			cr->tlsrpt = rpt;
	}
}

/* check_mx - each MX host against the policy's mx patterns, then its
 * addresses' certificates */
static void
check_mx(struct probe_result *r, struct mtasts_state *s)
{
	enum mtasts_mode mode = s->valid ? s->policy.mode : MTASTS_MODE_UNSET;
	bool judged = s->valid && mode != MTASTS_MODE_NONE;

	for (size_t i = 0; i < r->nmx; i++) {
		const struct probe_mx *m = &r->mx[i];
		const char *pat = judged ? mtasts_policy_match(&s->policy,
		                               m->name, strlen(m->name))
		                         : NULL;
		struct check_data *d;

		if (!judged) {
			check_add(&r->checks, CK_MTASTS_MX_MATCH, CHECK_SKIP,
			    NULL, m->name, NULL, m->order, NULL,
			    "not evaluated: %s",
			    s->valid ? "policy mode none" : "no valid policy");
		} else if (pat != NULL) {
			if ((d = check_data_new(&r->checks,
			         CD_MTASTS_PATTERN)) != NULL)
				d->u.pattern = pat;
			check_add(&r->checks, CK_MTASTS_MX_MATCH, CHECK_PASS,
			    NULL, m->name, NULL, m->order, d,
			    "matches pattern %s", pat);
		} else {
			d = check_data_new(&r->checks, CD_MTASTS_PATTERN);
			check_add(&r->checks, CK_MTASTS_MX_MATCH,
			    mode == MTASTS_MODE_ENFORCE ? CHECK_FAIL
			                                : CHECK_WARN,
			    NULL, m->name, NULL, m->order, d,
			    "%s matches no mx pattern of the policy%s", m->name,
			    mode == MTASTS_MODE_ENFORCE
			        ? ": enforcing senders will not use this host"
			        : "");
		}
		mx_cert_checks(r, m, judged, pat, mode);
	}
}

void
check_mtasts_run(struct probe_result *r)
{
	struct mtasts_state *s = r->sts;

	if (s == NULL)
		return;
	check_txt(r, s);
	check_fetch(r, s);
	check_cert(r, s);
	check_policy(r, s);
	check_mx(r, s);
}
