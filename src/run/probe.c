/*
 * probe.c - one probe run: target (probe_target.c), DNS (probe_dns.c), the
 * concurrent SMTP sessions, the MTA-STS fetch beside them, then the checks,
 * verdicts and exit code. Prints nothing; the result is data.
 */
#include "smtptls/probe.h"

#include <arpa/inet.h>
#include <pthread.h>
#include <ctype.h>
#include <stdio.h>
#include <assert.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ldns/ldns.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>

#include "clock.h"
#include "conn_gate.h"
#include "jobs.h"
#include "mtasts_check.h"
#include "probe_share.h"
#include "judge.h"
#include "profile.h"
#include "scan.h"
#include "session.h"
#include "session_target.h"
#include "st_limits.h"
#include "tls_client.h"
#include "verdict.h"

#include "banned.h"

static pthread_once_t pool_once = PTHREAD_ONCE_INIT;
static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static enum st_err curl_err = ST_OK;
static char curl_msg[200];

static void
pool_init_once(void)
{
	/* The lookups' pool threads use OpenSSL (DNSSEC validation, the TLS
	 * set-up job): each frees its OpenSSL thread state as it ends, also
	 * when probe_global_end() ends it just before the process. */
	jobs_pool_on_thread_end(OPENSSL_thread_stop);
}

static void
curl_init_once(void)
{
	curl_err = mtasts_fetch_global_init(curl_msg, sizeof(curl_msg));
}

/* curl_ready - libcurl opened and checked (once, from whichever thread
 * asks first; its own open is once-only too), or why not */
static enum st_err
curl_ready(char *errmsg, size_t errlen)
{
	pthread_once(&curl_once, curl_init_once);
	if (curl_err != ST_OK)
		snprintf(errmsg, errlen, "%s", curl_msg);
	return curl_err;
}

/* curl_open_early - probe_dns_run's hook once the first lookups are out:
 * a lone probe opens libcurl and its 25 dependencies (~10 ms of CPU) while
 * it waits for their answers instead of before it asks (bench/probe.sh at
 * 20 ms RTT, three runs of 15 beside the build that opened it first: 228,
 * 226 and 227 ms against 236, 242 and 238). A failure is reported after
 * the lookups (probe_measure), with the error it had before. */
static void
curl_open_early(void *arg)
{
	(void)arg;
	pthread_once(&curl_once, curl_init_once);
}

enum st_err
probe_global_init(char *errmsg, size_t errlen)
{
	/* Once, also when batch mode starts several probes at once: the
	 * pool's thread-end hook is set before the first job. */
	pthread_once(&pool_once, pool_init_once);
	return curl_ready(errmsg, errlen);
}

void
probe_global_end(void)
{
	jobs_pool_stop();
}

void
probe_options_init(struct probe_options *o)
{
	memset(o, 0, sizeof(*o));
	o->timeout_ms = 10000;
	o->deadline_ms = 60000;
	o->ipv4 = o->ipv6 = true;
	o->port = 25;
	o->mail_from = "";
	o->warn_days = 14;
	o->min_tls = TLS1_2_VERSION;
	o->per_address = CONN_GATE_PER_ADDR_DEFAULT;
}

/* probe_addr_cut - an address past PROBE_SESSIONS_MAX: never contacted,
 * and reported as such */
static void
probe_addr_cut(struct probe_addr *pa)
{
	pa->state = ADDR_CUT;
	for (int t = 0; t < T__COUNT; t++)
		pa->t[t] = -1;
	pa->tls.unsolicited = -1;
	snprintf(pa->conn_error, sizeof(pa->conn_error), "limit");
	snprintf(pa->conn_errmsg, sizeof(pa->conn_errmsg),
	    "not probed: a probe contacts at most %d addresses",
	    PROBE_SESSIONS_MAX);
}

/* catchall_mailbox - checks.md rcpt.catchall: "smtptls-" and 16 random
 * hex digits at the tested mailbox's domain */
static bool
catchall_mailbox(struct probe_result *r)
{
	unsigned char rnd[8];
	const char *at = strrchr(r->mailbox, '@');

	if (at == NULL || RAND_bytes(rnd, sizeof(rnd)) != 1)
		return false;
	snprintf(r->catchall_rcpt, sizeof(r->catchall_rcpt),
	    "smtptls-%02x%02x%02x%02x%02x%02x%02x%02x%.250s", rnd[0], rnd[1],
	    rnd[2], rnd[3], rnd[4], rnd[5], rnd[6], rnd[7], at);
	return true;
}

/*
 * cleartext_phase - checks.md rcpt.cleartext: an extra connection to each
 * address that ran the address test, without STARTTLS. It runs after the
 * standard sessions, as a sender without TLS would come.
 */
static enum st_err
cleartext_phase(struct probe_addr **addrs, size_t n,
    const struct session_params *base)
{
	struct session_params sp = *base;
	struct probe_addr **c;
	int *cw;
	size_t m = 0;
	enum st_err err = ST_ERR_NOMEM;

	sp.no_starttls = true;
	sp.rcpt2 = NULL;
	sp.hooks = NULL;
	sp.targets = NULL; /* no TLS: nothing to tell */
	c = calloc(n + 1, sizeof(*c));
	cw = calloc(n + 1, sizeof(*cw));
	if (c == NULL || cw == NULL)
		goto out;
	for (size_t i = 0; i < n; i++) {
		struct probe_addr *pa = addrs[i], *x;

		if (!pa->sc.address_test || !pa->connected)
			continue;
		if ((x = calloc(1, sizeof(*x))) == NULL)
			goto out;
		snprintf(x->address, sizeof(x->address), "%s", pa->address);
		x->family = pa->family;
		x->mx = pa->mx;
		x->order = pa->order;
		pa->clear = x;
		cw[m] = (int)m; /* each its own group: every one runs */
		c[m++] = x;
	}
	err = session_run_all(c, cw, m, &sp);
out:
	free(c);
	free(cw);
	return err;
}

/* scan_phase - the deep scan, with the profiles' probes when --profile */
static enum st_err
scan_phase(struct probe_result *r, struct probe_addr **addrs, size_t n,
    const struct session_params *sp)
{
	long long t0 = clock_ms();
	enum st_err err;

	err = scan_run_all(addrs, n, sp, r->opt.nprofiles > 0 ? SCAN_EXTRA : 0);
	r->scan_ms = (long)(clock_ms() - t0);
	return err;
}

static enum st_err
smtp_phase(struct probe_result *r, SSL_CTX *ctx, X509_STORE *store)
{
	struct probe_addr **addrs;
	struct session_target *targets = NULL;
	int *group;
	size_t n = 0, i, k;
	enum st_err err;
	struct session_params sp = {
		.ctx = ctx,
		.store = store,
		.ehlo = r->ehlo,
		.mail_from = r->opt.mail_from,
		.rcpt = r->mailbox,
		.domain = r->opt.tls_domain ? r->opt.tls_domain : r->domain,
		.exact_domain = r->opt.tls_domain != NULL,
		.port = r->opt.port,
		.timeout_ms = r->opt.timeout_ms,
		.now = time(NULL),
		.share = r->opt.share,
	};
	long long t0 = clock_ms();

	sp.deadline = (r->t0.tv_sec * 1000LL + r->t0.tv_nsec / 1000000) +
	              r->opt.deadline_ms;
	for (i = 0; i < r->nmx; i++)
		n += r->mx[i].naddrs;
	if (n > PROBE_SESSIONS_MAX)
		n = PROBE_SESSIONS_MAX;
	addrs = calloc(n + 1, sizeof(*addrs));
	group = calloc(n + 1, sizeof(*group));
	if (addrs == NULL || group == NULL) {
		free(addrs);
		free(group);
		return ST_ERR_NOMEM;
	}
	n = 0;
	for (i = 0; i < r->nmx; i++)
		for (k = 0; k < r->mx[i].naddrs; k++) {
			struct probe_addr *pa = &r->mx[i].addrs[k];

			if (n == PROBE_SESSIONS_MAX) {
				probe_addr_cut(pa);
				continue;
			}
			/* checks.md 9: one address test for the domain, or
			 * one per MX host with --rcpt-all */
			group[n] = r->mailbox == NULL ? -1
			           : r->opt.rcpt_all  ? (int)i
			                              : 0;
			addrs[n++] = pa;
		}
	if (r->opt.catchall && r->mailbox != NULL && catchall_mailbox(r))
		sp.rcpt2 = r->catchall_rcpt;
	/* What each session is told is decided here, not in the loop. */
	if ((targets = session_targets_new(addrs, n)) == NULL) {
		err = ST_ERR_NOMEM;
		goto out;
	}
	sp.targets = targets;
	err = session_run_all(addrs, group, n, &sp);
	session_chains_check(addrs, targets, n, &sp);
	r->smtp_ms = n ? (long)(clock_ms() - t0) : 0;
	if (err == ST_OK && r->opt.cleartext && r->mailbox != NULL)
		err = cleartext_phase(addrs, n, &sp);
	/* checks.md 1.9: --scan runs after the standard sessions ended. */
	if (err == ST_OK && r->opt.scan)
		err = scan_phase(r, addrs, n, &sp);
out:
	free(targets);
	free(addrs);
	free(group);
	return err;
}

static void
probe_mx_release(struct probe_mx *m)
{
	size_t k;

	free(m->name);
	free(m->tlsa_base);
	if (m->have_a)
		dns_answer_release(&m->a);
	if (m->have_aaaa)
		dns_answer_release(&m->aaaa);
	if (m->have_tlsa)
		dns_answer_release(&m->tlsa);
	if (m->have_alias)
		dns_answer_release(&m->alias);
	for (k = 0; k < m->naddrs; k++) {
		struct probe_addr *x = m->addrs[k].clear;

		if (x != NULL && x->sc_ready)
			smtp_client_release(&x->sc);
		if (x != NULL && x->tls.have_chain)
			cert_chain_result_release(&x->tls.chain);
		if (x != NULL)
			session_chain_drop(x);
		free(x);
		session_chain_drop(&m->addrs[k]);
		if (m->addrs[k].sc_ready)
			smtp_client_release(&m->addrs[k].sc);
		if (m->addrs[k].tls.have_chain)
			cert_chain_result_release(&m->addrs[k].tls.chain);
		scan_facts_free(m->addrs[k].scan);
	}
	free(m->addrs);
}

void
probe_result_free(struct probe_result *r)
{
	size_t i;

	if (r == NULL)
		return;
	/* First: a probe that failed after the policy fetch started still
	 * has its thread reading the policy host's addresses (sts_a). */
	mtasts_state_free(r->sts);
	for (i = 0; i < r->nmx; i++)
		probe_mx_release(&r->mx[i]);
	free(r->mx);
	if (r->have_mxans)
		dns_answer_release(&r->mxans);
	if (r->have_rpt_dns)
		dns_answer_release(&r->rpt_txt);
	if (r->have_sts_dns) {
		dns_answer_release(&r->sts_txt);
		dns_answer_release(&r->sts_a);
		dns_answer_release(&r->sts_aaaa);
	}
	dns_config_release(&r->dnscfg);
	check_list_release(&r->checks);
	verdict_release(r->levels);
	profile_runs_free(r->profiles, r->nprofiles);
	free(r->input);
	free(r->domain);
	free(r->mailbox);
	free(r->host);
	free(r);
}

int
probe_result_exit_code(const struct probe_result *r)
{
	return r->exit_code;
}

/* probe_anchor - the trust anchor to read: none when the resolver alone
 * validates (--dnssec resolver), else --trust-anchor or the root's */
static const char *
probe_anchor(const struct probe_options *o)
{
	if (o->dnssec == PROBE_DNSSEC_RESOLVER)
		return NULL;
	return o->trust_anchor ? o->trust_anchor : PROBE_ROOT_ANCHOR;
}

/* probe_setup_files - resolvers, trust anchor, trust store: what the
 * run reads from files before it sends a packet */
static enum st_err
probe_setup_files(struct probe_result *r, char *errmsg, size_t errlen)
{
	const struct probe_options *o = &r->opt;
	enum st_err err;

	/* An unreadable resolv.conf or trust anchor is the user's setup
	 * (ST_ERR_INVAL: exit 2, report.md 8); out of memory stays itself. */
	if ((err = dns_config_init(&r->dnscfg, o->resolvers, o->nresolvers,
	         o->resolv_conf, o->timeout_ms, probe_anchor(o), errmsg,
	         errlen)) != ST_OK) {
		/* The default anchor failed (its messages name the file):
		 * say how to get it or do without it. */
		if (err != ST_ERR_NOMEM && o->trust_anchor == NULL &&
		    probe_anchor(o) != NULL &&
		    strstr(errmsg, PROBE_ROOT_ANCHOR) != NULL)
			snprintf(errmsg, errlen,
			    "cannot read the root trust anchor '%s' (install "
			    "dns-root-data, or use --trust-anchor or --dnssec "
			    "resolver)",
			    PROBE_ROOT_ANCHOR);
		return err == ST_ERR_NOMEM ? err : ST_ERR_INVAL;
	}
	/* An empty or missing trust store is the user's setup too: it
	 * would make every certificate "untrusted" (trust_store.h). */
	return trust_store_pick(&r->trust, o->ca_file, o->ca_path,
	    o->ca_env_file, o->ca_env_dir, errmsg, errlen);
}

/* probe_setup - target, library state, EHLO name, then the files; the
 * probes of a batch (batch: its share, else NULL) read those once: they
 * depend on the batch's options alone */
static enum st_err
probe_setup(struct probe_result *r, struct probe_share *batch, char *errmsg,
    size_t errlen)
{
	enum st_err err;
	bool found = false;

	if ((err = probe_parse_target(r, errmsg, errlen)) != ST_OK)
		return err;
	/* libcurl (net/curl_lib.h) is opened on this thread once the first
	 * lookups are out (curl_open_early); on a thread of its own beside them
	 * it saved no time (README, Performance). */
	pthread_once(&pool_once, pool_init_once);
	probe_pick_ehlo(r);
	if (batch != NULL) {
		err =
		    probe_share_setup_get(batch, &r->dnscfg, &r->trust, &found);
		if (err != ST_OK || found)
			return err;
	}
	if ((err = probe_setup_files(r, errmsg, errlen)) != ST_OK)
		return err;
	if (batch != NULL)
		probe_share_setup_put(batch, &r->dnscfg, &r->trust);
	return ST_OK;
}

/* sts_ready - the MTA-STS record and the policy host's addresses are in:
 * the fetch starts now, beside the remaining lookups and the sessions
 * (issue: "concurrently with the SMTP sessions, never after") */
static enum st_err
sts_ready(struct probe_result *r, X509_STORE *store, void *arg)
{
	(void)arg; /* nothing beyond r */
	return (r->sts = mtasts_start(r, store)) == NULL ? ST_ERR_NOMEM : ST_OK;
}

/* probe_measure - DNS, the policy fetch beside it, the SMTP sessions: every
 * fact the checks judge; the TLS context and store come back in *ctx and
 * *store (owned by the caller, also on failure); batch is the share of a
 * batch run, NULL for a lone probe */
static enum st_err
probe_measure(struct probe_result *r, struct probe_share *batch, SSL_CTX **ctx,
    X509_STORE **store, char *errmsg, size_t errlen)
{
	static const struct probe_dns_hooks hooks = {
		.sts_ready = sts_ready,
		.started = curl_open_early,
	};
	struct tls_init_job tj = { 0 };
	long long t0 = clock_ms();
	enum st_err err;

	/* Each lookup waits at most the step timeout, and never past the run
	 * deadline (the MX hosts' lookups get a limit of their own). */
	r->dnscfg.timeout_ms = probe_remaining_ms(r, r->opt.timeout_ms);
	tj.ca_file = r->trust.file[0] ? r->trust.file : NULL;
	tj.ca_path = r->trust.dir[0] ? r->trust.dir : NULL;
	if ((err = probe_dnssec_decide(r)) != ST_OK)
		return err;
	/* In a batch the store and context are the run's, built once
	 * (probe_share_tls); the DNS then has no TLS set-up to start. A
	 * lone probe builds its own beside its first lookups. */
	if (batch != NULL)
		(void)probe_share_tls(batch, tj.ca_file, tj.ca_path, &tj.store,
		    &tj.ctx);
	err = probe_dns_run(r, &tj, &hooks);
	*store = tj.store;
	*ctx = tj.ctx;
	if (err == ST_OK && tj.err != ST_OK) {
		snprintf(errmsg, errlen, "%s", tj.errmsg);
		err = tj.err;
	}
	if (err == ST_OK)
		err = curl_ready(errmsg, errlen);
	if (err != ST_OK)
		return err;
	r->dns_ms = (long)(clock_ms() - t0);
	if ((err = probe_build_addrs(r)) != ST_OK ||
	    (err = smtp_phase(r, *ctx, *store)) != ST_OK ||
	    (err = mtasts_finish(r)) != ST_OK)
		return err;
	/* report.md 4: the TXT lookup plus the HTTPS fetch (null when
	 * MTA-STS is not looked at: --no-mta-sts, --host). */
	r->mta_sts_ms =
	    !r->have_sts_dns
	        ? -1
	        : (long)r->sts_txt.ms + (r->sts != NULL && r->sts->fetch_done
	                                        ? (long)r->sts->fetch.ms
	                                        : 0);
	return ST_OK;
}

/* probe_judge - the checks, the verdicts, waivers and the exit code */
static enum st_err
probe_judge(struct probe_result *r, char *errmsg, size_t errlen)
{
	enum st_err err;

	check_dns_run(r);
	check_smtp_run(r);
	check_tls_run(r);
	if (r->opt.scan)
		check_scan_run(r);
	if (!r->opt.no_dane)
		check_dane_run(r);
	check_mtasts_run(r);
	if (r->have_rpt_dns)
		check_tlsrpt_run(r);
	if ((err = verdict_run(r, errmsg, errlen)) != ST_OK)
		return err;
	if ((err = profile_run_all(r)) != ST_OK) {
		snprintf(errmsg, errlen,
		    "cannot grade the compliance profiles");
		return err;
	}
	check_list_waive(&r->checks, r->opt.ignore, r->opt.nignore);
	check_list_sort(&r->checks);
	return ST_OK;
}

enum st_err
probe_run(const struct probe_options *o, struct probe_result **out,
    char *errmsg, size_t errlen)
{
	struct probe_result *r;
	struct probe_share *own = NULL;
	SSL_CTX *ctx = NULL;
	X509_STORE *store = NULL;
	enum st_err err;
	long long t0;

	*out = NULL;
	errmsg[0] = '\0';
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return ST_ERR_NOMEM;
	r->opt = *o;
	/* A probe on its own still obeys the politeness limits. */
	if (o->share == NULL &&
	    (r->opt.share = own = probe_share_new(o, false)) == NULL) {
		free(r);
		return ST_ERR_NOMEM;
	}
	/* a profile grades what the deep scan measures */
	if (r->opt.nprofiles > 0)
		r->opt.scan = true;
	r->scan_ms = -1;
	check_list_init(&r->checks);
	clock_gettime(CLOCK_MONOTONIC, &r->t0);
	t0 = clock_ms();
	clock_rfc3339_now(r->started, sizeof(r->started));
	if ((err = probe_setup(r, o->share, errmsg, errlen)) != ST_OK ||
	    (err = probe_measure(r, o->share, &ctx, &store, errmsg, errlen)) !=
	        ST_OK)
		goto fail;
	if (clock_ms() - t0 >= (long long)r->opt.deadline_ms)
		r->deadline_hit = true;
	if ((err = probe_judge(r, errmsg, errlen)) != ST_OK)
		goto fail;
	clock_rfc3339_now(r->finished, sizeof(r->finished));
	r->duration_ms = (long)(clock_ms() - t0);
	summary_run(r);
	SSL_CTX_free(ctx);
	X509_STORE_free(store);
	probe_share_free(own);
	r->opt.share = NULL;
	*out = r;
	return ST_OK;
fail:
	SSL_CTX_free(ctx);
	X509_STORE_free(store);
	probe_share_free(own);
	probe_result_free(r);
	return err;
}
