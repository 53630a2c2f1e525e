/*
 * probe_dns.c - the probe's DNS (see probe_dns_run in probe_internal.h):
 * every lookup starts as soon as its question is known: the MX, MTA-STS
 * and TLS-RPT records and the validation probe at once, the A, AAAA and
 * TLSA lookups of all MX hosts the moment the MX answer is in, the policy
 * fetch (through a hook) the moment its record and addresses are. Each
 * dependency level costs one round trip, however many hosts; nothing
 * waits for a lookup it does not need.
 *
 * Each lookup's first question leaves from the probe's own thread, which
 * polls all their sockets at once (dns_pending.h); one answer ends most.
 * The rest (a retry, TCP, local validation...), the validation probe and
 * the TLS set-up run as jobs on pool threads (jobs.h), heard by the same
 * poll: a job per lookup cost a batch ~35 futex calls per domain.
 */
#include "probe_internal.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>
#include <openssl/ssl.h>

#include "clock.h"
#include "dns_cache.h"
#include "dns_pending.h"
#include "jobs.h"
#include "probe_share.h"
#include "st_limits.h"
#include "tls_client.h"

#include "banned.h"

/* Lookups out at once: the first ones and three per MX host. */
#define DNS_RUN_OUT_MAX (5 + 3 * DNS_MX_MAX)

/* What a finished lookup unlocks (see dns_run_collect). */
enum lookup_role { ROLE_OTHER = 0, ROLE_MX, ROLE_STS };

struct lookup_job {
	const struct dns_config *cfg;
	struct dns_cache *cache; /* the batch's shared answers, or NULL */
	char name[300];
	uint16_t type;
	struct dns_answer *ans;
	enum lookup_role role;
	bool first;     /* one of dns_run's first lookups */
	bool answered;  /* from the cache: the job has nothing to do */
	struct job job; /* runs lookup_job_fn on this */
	/* its first question, out from the probe's thread (dns_run_wait) */
	struct dns_pending *pending;
};

/* lookup_settle - answered: the pending question goes, the cache is offered */
static void
lookup_settle(struct lookup_job *j)
{
	dns_pending_free(j->pending);
	j->pending = NULL;
	dns_cache_offer(j->cache, j->cfg, j->name, j->type, j->ans);
}

/* lookup_job_fn - on a pool thread: the rest of a lookup whose first
 * answer needs more, or one whose question could not go out */
static void
lookup_job_fn(void *arg)
{
	struct lookup_job *j = arg;

	if (j->answered)
		return;
	if (j->pending != NULL)
		(void)dns_pending_finish(j->pending, j->ans);
	else
		(void)dns_lookup(j->cfg, j->name, j->type, j->ans);
	lookup_settle(j);
}

unsigned
probe_remaining_ms(const struct probe_result *r, unsigned step_ms)
{
	long long start = r->t0.tv_sec * 1000LL + r->t0.tv_nsec / 1000000;
	long long left = start + r->opt.deadline_ms - clock_ms();

	if (left < 1)
		left = 1;
	return left < (long long)step_ms ? (unsigned)left : step_ms;
}

void
tls_init_job_fn(void *arg)
{
	struct tls_init_job *j = arg;

	j->err = ST_OK;
	if ((j->store = cert_store_load(j->ca_file, j->ca_path, j->errmsg,
	         sizeof(j->errmsg))) == NULL) {
		j->err = ST_ERR_INVAL;
		return;
	}
	if ((j->ctx = tls_client_ctx_new(j->errmsg, sizeof(j->errmsg))) == NULL)
		j->err = ST_ERR_TLS;
}

/* domain_jobs - the lookups that hang on the domain alone: TLS-RPT, and
 * (unless --no-mta-sts) the MTA-STS record and the policy host's addresses,
 * into pj (room for four); returns how many */
static size_t
domain_jobs(struct probe_result *r, struct lookup_job *pj)
{
	static const struct {
		const char *prefix;
		uint16_t type;
	} sts[] = {
		{ "_mta-sts.", LDNS_RR_TYPE_TXT },
		{ "mta-sts.", LDNS_RR_TYPE_A },
		{ "mta-sts.", LDNS_RR_TYPE_AAAA },
	};
	struct dns_answer *const sts_ans[] = { &r->sts_txt, &r->sts_a,
		&r->sts_aaaa };

	pj[0] = (struct lookup_job){ .cfg = &r->dnscfg,
		.type = LDNS_RR_TYPE_TXT,
		.ans = &r->rpt_txt };
	snprintf(pj[0].name, sizeof(pj[0].name), "_smtp._tls.%s", r->domain);
	r->have_rpt_dns = true;
	if (r->opt.no_mta_sts)
		return 1;
	for (size_t i = 0; i < 3; i++) {
		pj[i + 1] = (struct lookup_job){ .cfg = &r->dnscfg,
			.type = sts[i].type,
			.ans = sts_ans[i],
			.role = ROLE_STS };
		snprintf(pj[i + 1].name, sizeof(pj[i + 1].name), "%s%s",
		    sts[i].prefix, r->domain);
	}
	r->have_sts_dns = true;
	return 4;
}

/* host_jobs - A, AAAA and TLSA of every MX host into lj (room for three
 * per host), with cfg; returns how many */
static size_t
host_jobs(struct probe_result *r, const struct dns_config *cfg,
    struct lookup_job *lj)
{
	size_t n = 0;

	for (size_t i = 0; i < r->nmx; i++) {
		struct probe_mx *m = &r->mx[i];

		if (m->literal)
			continue;
		if (r->opt.ipv4) {
			lj[n] = (struct lookup_job){ .cfg = cfg,
				.type = LDNS_RR_TYPE_A,
				.ans = &m->a };
			snprintf(lj[n++].name, sizeof(lj[0].name), "%s",
			    m->name);
			m->have_a = true;
		}
		if (r->opt.ipv6) {
			lj[n] = (struct lookup_job){ .cfg = cfg,
				.type = LDNS_RR_TYPE_AAAA,
				.ans = &m->aaaa };
			snprintf(lj[n++].name, sizeof(lj[0].name), "%s",
			    m->name);
			m->have_aaaa = true;
		}
		if (!r->opt.no_dane) {
			lj[n] = (struct lookup_job){ .cfg = cfg,
				.type = LDNS_RR_TYPE_TLSA,
				.ans = &m->tlsa };
			snprintf(lj[n++].name, sizeof(lj[0].name),
			    "_%u._tcp.%s", (unsigned)r->opt.port, m->name);
			m->have_tlsa = true;
		}
	}
	return n;
}

/* Where --dnssec auto stands: the path is known (SETTLED); the resolver's
 * validation probe is out beside the first lookups (SETTLING: what depends
 * on an answer waits); the resolver does not validate, and the first
 * lookups, made on its path, are to be made again locally once they are
 * all back (REDO). */
enum dns_path { PATH_SETTLED = 0, PATH_SETTLING, PATH_REDO };

/* The DNS of one probe while it runs: every lookup started as soon as
 * what it depends on has arrived. */
struct dns_run {
	struct probe_result *r;
	struct jobset *set;
	/* lookups whose first question is out from this thread */
	struct lookup_job *out[DNS_RUN_OUT_MAX];
	size_t nout;
	struct lookup_job first[5]; /* MX, the domain's TXT and policy host */
	struct lookup_job *hosts;   /* A, AAAA, TLSA */
	struct probe_validation v;  /* probe_dnssec.c's jobs */
	struct job vjobs[PROBE_VALIDATION_JOBS];
	bool vdone[PROBE_VALIDATION_JOBS]; /* which of vjobs are back */
	struct tls_init_job *tj;
	struct job tjob;
	struct dns_config hostcfg; /* r->dnscfg with its own time limit */
	unsigned sts_left;         /* MTA-STS lookups still out */
	size_t vleft;              /* validation jobs still out */
	size_t first_left;         /* lookups of first[] still out */
	enum dns_path path;
	bool mx_in; /* the MX answer is in (its hosts may wait) */
	bool tls_left;
	const struct probe_dns_hooks *hooks;
	enum st_err err;
};

static void
dns_run_lookup(struct dns_run *d, struct lookup_job *lj)
{
	lj->job = (struct job){ lookup_job_fn, lj };
	lj->answered = false;
	d->r->dns_queries++;
	/* An answer the batch already has is copied here; it comes back
	 * through the set like any other. */
	if (dns_cache_get(lj->cache, lj->cfg, lj->name, lj->type, lj->ans)) {
		lj->answered = true;
		jobset_run_here(d->set, &lj->job);
		return;
	}
	if (d->nout < DNS_RUN_OUT_MAX && dns_pending_start(lj->cfg, lj->name,
	                                     lj->type, &lj->pending) == ST_OK) {
		d->out[d->nout++] = lj;
		return;
	}
	/* No socket, or no memory: dns_lookup says why, on a thread. */
	jobset_start(d->set, &lj->job);
}

/* dns_run_hosts - the MX hosts are known: ask for their addresses and
 * TLSA records, all at once, within a time limit of their own */
static void
dns_run_hosts(struct dns_run *d)
{
	struct probe_result *r = d->r;
	size_t n;

	if ((d->err = probe_mx_hosts(r)) != ST_OK || r->nmx == 0)
		return;
	if ((d->hosts = calloc(r->nmx * 3, sizeof(*d->hosts))) == NULL) {
		d->err = ST_ERR_NOMEM;
		return;
	}
	d->hostcfg = r->dnscfg;
	d->hostcfg.timeout_ms = probe_remaining_ms(r, r->opt.timeout_ms);
	n = host_jobs(r, &d->hostcfg, d->hosts);
	for (size_t i = 0; i < n; i++) {
		d->hosts[i].cache = probe_share_dns(r->opt.share);
		dns_run_lookup(d, &d->hosts[i]);
	}
}

/* dns_run_sts - the policy fetch needs the MTA-STS record, the policy
 * host's addresses and the trust store: start it once all are there */
static void
dns_run_sts(struct dns_run *d)
{
	if (d->sts_left > 0 || d->tls_left || d->path != PATH_SETTLED ||
	    !d->r->have_sts_dns || d->hooks == NULL ||
	    d->hooks->sts_ready == NULL)
		return;
	d->sts_left = 1; /* once */
	if (d->err == ST_OK && d->tj->err == ST_OK &&
	    d->hooks->sts_ready(d->r, d->tj->store, d->hooks->arg) != ST_OK)
		d->err = ST_ERR_NOMEM;
}

/* dns_run_start - the lookups that need nothing but the domain and the
 * validation jobs (with --dnssec auto the resolver's probe, which settles
 * the path), all at once; on the first call the TLS set-up too */
static void
dns_run_start(struct dns_run *d)
{
	struct probe_result *r = d->r;
	size_t n = 0, nv = probe_dnssec_jobs(r, &d->v, d->vjobs);

	r->dns_queries += (unsigned)nv;
	d->vleft = nv;
	memset(d->vdone, 0, sizeof(d->vdone));
	for (size_t i = 0; i < nv; i++)
		if (probe_dnssec_job_at_hand(&d->v, &d->vjobs[i]))
			jobset_run_here(d->set, &d->vjobs[i]);
		else
			jobset_start(d->set, &d->vjobs[i]);
	if (r->kind != TARGET_HOST) {
		d->first[n] = (struct lookup_job){ .cfg = &r->dnscfg,
			.type = LDNS_RR_TYPE_MX,
			.ans = &r->mxans,
			.role = ROLE_MX };
		snprintf(d->first[n++].name, sizeof(d->first[0].name), "%s",
		    r->domain);
		n += domain_jobs(r, &d->first[n]);
	}
	d->sts_left = r->have_sts_dns ? 3 : 0;
	d->first_left = n;
	for (size_t i = 0; i < n; i++) {
		d->first[i].first = true;
		dns_run_lookup(d, &d->first[i]);
	}
	/* Once per run (a second start re-asks the first lookups only); a
	 * store and context given (a batch's, built once) need no job. */
	if (d->tjob.fn == NULL) {
		d->tls_left = d->tj->store == NULL;
		d->tjob = (struct job){ tls_init_job_fn, d->tj };
		if (d->tls_left)
			jobset_start(d->set, &d->tjob);
	}
	/* --host: the one host is known from the start. */
	if (r->kind == TARGET_HOST && d->path == PATH_SETTLED)
		dns_run_hosts(d);
}

/* dns_run_unlock - the path is settled: start what the answers in so far
 * unlock (the MX hosts' lookups, the policy fetch) */
static void
dns_run_unlock(struct dns_run *d)
{
	if (d->err == ST_OK && (d->mx_in || d->r->kind == TARGET_HOST))
		dns_run_hosts(d);
	dns_run_sts(d);
}

/* dns_run_again - the resolver does not validate and every first lookup
 * made on its path is back: drop their answers (made without CD, not
 * validated) and ask again on the local path */
static void
dns_run_again(struct dns_run *d)
{
	struct probe_result *r = d->r;

	if (r->kind != TARGET_HOST)
		dns_answer_release(&r->mxans);
	if (r->have_rpt_dns)
		dns_answer_release(&r->rpt_txt);
	if (r->have_sts_dns) {
		dns_answer_release(&r->sts_txt);
		dns_answer_release(&r->sts_a);
		dns_answer_release(&r->sts_aaaa);
	}
	r->have_rpt_dns = r->have_sts_dns = false;
	d->mx_in = false;
	d->path = PATH_SETTLED;
	dns_run_start(d);
}

/* dns_run_settle - --dnssec auto: the resolver's probe is back */
static void
dns_run_settle(struct dns_run *d)
{
	if (!probe_dnssec_settle(d->r, &d->v)) {
		d->path = PATH_SETTLED;
		dns_run_unlock(d);
		return;
	}
	d->path = PATH_REDO;
	if (d->first_left == 0)
		dns_run_again(d);
}

/* dns_run_validation_back - --dnssec auto: one validation job is back.
 * The path settles when all are, or as soon as those back prove the
 * resolver validates: the lookups that wait for the path (the MX hosts',
 * the policy fetch) need not wait for the slowest of the ancestors' SOA. */
static void
dns_run_validation_back(struct dns_run *d, const struct job *j)
{
	for (size_t i = 0; i < PROBE_VALIDATION_JOBS; i++)
		if (j == &d->vjobs[i])
			d->vdone[i] = true;
	d->vleft--;
	if (d->path != PATH_SETTLING)
		return;
	if (d->vleft == 0) {
		dns_run_settle(d);
	} else if (probe_dnssec_validates(&d->v, d->vdone[0], &d->vdone[1])) {
		probe_dnssec_settle_validating(d->r);
		d->path = PATH_SETTLED;
		dns_run_unlock(d);
	}
}

/* dns_run_collect - one finished job: start what it unlocks */
static void
dns_run_collect(struct dns_run *d, const struct job *j)
{
	const struct lookup_job *lj;

	if (j->fn == tls_init_job_fn) {
		d->tls_left = false;
		dns_run_sts(d);
		return;
	}
	if (j->fn != lookup_job_fn) { /* a validation job */
		dns_run_validation_back(d, j);
		return;
	}
	lj = j->arg;
	if (lj->first)
		d->first_left--;
	if (d->path == PATH_REDO) {
		if (d->first_left == 0)
			dns_run_again(d);
		return;
	}
	if (lj->role == ROLE_STS)
		d->sts_left--;
	if (lj->role == ROLE_MX)
		d->mx_in = true;
	if (d->path == PATH_SETTLING)
		return; /* dns_run_settle unlocks what is in by then */
	if (lj->role == ROLE_MX && d->err == ST_OK)
		dns_run_hosts(d);
	else if (lj->role == ROLE_STS)
		dns_run_sts(d);
}

/* dns_run_read - the lookups of snap readable (pfd) or past their try:
 * each answer that ends its lookup is collected, one that needs more
 * goes on on a thread */
static void
dns_run_read(struct dns_run *d, struct lookup_job *const *snap,
    const struct pollfd *pfd, size_t n)
{
	long long now = clock_ms();

	for (size_t k = 0; k < n; k++) {
		struct lookup_job *lj = snap[k];
		enum dns_pending_state st;

		if (pfd[k].revents == 0 && now < dns_pending_until(lj->pending))
			continue;
		if ((st = dns_pending_read(lj->pending, lj->ans)) ==
		    DNS_PENDING_WAIT)
			continue;
		for (size_t i = 0; i < d->nout; i++)
			if (d->out[i] == lj) {
				d->out[i] = d->out[--d->nout];
				break;
			}
		if (st == DNS_PENDING_BLOCKS) {
			jobset_start(d->set, &lj->job);
			continue;
		}
		lookup_settle(lj);
		dns_run_collect(d, &lj->job);
	}
}

/* dns_run_wait - wait until something is back (a job, an answer on a
 * socket of the lookups out, or a try's end) and collect it; false when
 * nothing is left */
static bool
dns_run_wait(struct dns_run *d)
{
	struct lookup_job *snap[DNS_RUN_OUT_MAX];
	struct pollfd pfd[DNS_RUN_OUT_MAX + 1];
	const struct job *j;
	long long until = 0;
	size_t n = d->nout;
	int efd, ms;

	if (n == 0) {
		if ((j = jobset_wait(d->set)) == NULL)
			return false;
		dns_run_collect(d, j);
		return true;
	}
	/* Resetting the eventfd is a read(2): only while jobs are out. */
	efd = jobset_running(d->set) > 0 ? jobset_fd(d->set) : -1;
	if ((j = jobset_poll(d->set)) != NULL) {
		do
			dns_run_collect(d, j);
		while ((j = jobset_poll(d->set)) != NULL);
		return true;
	}
	for (size_t k = 0; k < n; k++) {
		long long u = dns_pending_until(d->out[k]->pending);

		snap[k] = d->out[k];
		pfd[k] =
		    (struct pollfd){ .fd = dns_pending_fd(snap[k]->pending),
			    .events = POLLIN };
		if (k == 0 || u < until)
			until = u;
	}
	pfd[n] = (struct pollfd){ .fd = efd, .events = POLLIN };
	ms = (int)(until > clock_ms() ? until - clock_ms() : 0);
	/* Interrupted (EINTR), it reads what is there, and comes back. */
	(void)poll(pfd, n + (efd >= 0), ms);
	dns_run_read(d, snap, pfd, n);
	return true;
}

/* dns_run_validating - checks.md dns.resolver.dnssec: the resolver's AD
 * on the root SOA or on a signed ancestor's (probe_dnssec.c), or on the
 * MX answer; with local validation AD says nothing */
static void
dns_run_validating(struct dns_run *d)
{
	struct probe_result *r = d->r;

	probe_dnssec_finish(r, &d->v);
	if (!r->validating && r->dnscfg.source == DNS_SRC_RESOLVER_AD &&
	    r->have_mxans && r->mxans.err == ST_OK && r->mxans.ad) {
		r->validating = true;
		r->validation = DNS_VALIDATION_OK;
		r->validating_detail[0] = '\0';
	}
}

enum st_err
probe_dns_run(struct probe_result *r, struct tls_init_job *tj,
    const struct probe_dns_hooks *hooks)
{
	struct dns_run d = { .r = r, .tj = tj, .hooks = hooks };

	if ((d.set = jobset_new()) == NULL)
		return ST_ERR_NOMEM;
	/* --dnssec auto: the path is settled beside the first lookups. */
	if (r->opt.dnssec == PROBE_DNSSEC_AUTO)
		d.path = PATH_SETTLING;
	dns_run_start(&d);
	if (hooks != NULL && hooks->started != NULL)
		hooks->started(hooks->arg);
	if (d.path == PATH_SETTLING && d.vleft == 0)
		dns_run_settle(&d); /* nothing to wait for */
	while (dns_run_wait(&d))
		;
	jobset_free(d.set);
	dns_run_validating(&d);
	free(d.hosts);
	if (d.err != ST_OK)
		return d.err;
	return r->opt.no_dane ? ST_OK : probe_alias_round(r);
}
