/*
 * probe_dns.c - the probe's DNS phases: first the MX, MTA-STS, TLS-RPT and
 * validation lookups together (with the TLS set-up beside them), then the
 * A, AAAA and TLSA lookups of every MX host together, then the address
 * list the sessions use. Each phase is one round trip, however many hosts.
 */
#include "probe_internal.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>
#include <openssl/ssl.h>

#include "jobs.h"
#include "st_limits.h"
#include "tls_client.h"

#include "banned.h"

struct lookup_job {
	const struct dns_config *cfg;
	char name[300];
	uint16_t type;
	struct dns_answer *ans;
};

static void
lookup_job_fn(void *arg)
{
	struct lookup_job *j = arg;

	dns_lookup(j->cfg, j->name, j->type, j->ans);
}

static enum st_err
mx_add(struct probe_result *r, const char *name, int pref, const char *source,
    bool literal)
{
	struct probe_mx *m;

	m = &r->mx[r->nmx];
	memset(m, 0, sizeof(*m));
	if ((m->name = strdup(name)) == NULL)
		return ST_ERR_NOMEM;
	m->preference = pref;
	m->source = source;
	m->literal = literal;
	m->order = (unsigned)r->nmx;
	r->nmx++;
	return ST_OK;
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

/* dns_phase_mx - the MX lookup and the resolver's validation, together
 * (and the TLS set-up job tj beside them) */
/* domain_jobs - the lookups that hang on the domain alone: TLS-RPT, and
 * (unless --no-mta-sts) the MTA-STS record and the policy host's addresses;
 * appended to jobs; pj has room for four */
static void
domain_jobs(struct probe_result *r, struct lookup_job *pj, struct job *jobs,
    size_t *njobs)
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

	pj[0] = (struct lookup_job){ &r->dnscfg, "", LDNS_RR_TYPE_TXT,
		&r->rpt_txt };
	snprintf(pj[0].name, sizeof(pj[0].name), "_smtp._tls.%s", r->domain);
	jobs[(*njobs)++] = (struct job){ lookup_job_fn, &pj[0] };
	r->have_rpt_dns = true;
	if (r->opt.no_mta_sts)
		return;
	for (size_t i = 0; i < 3; i++) {
		pj[i + 1] = (struct lookup_job){ &r->dnscfg, "", sts[i].type,
			sts_ans[i] };
		snprintf(pj[i + 1].name, sizeof(pj[i + 1].name), "%s%s",
		    sts[i].prefix, r->domain);
		jobs[(*njobs)++] = (struct job){ lookup_job_fn, &pj[i + 1] };
	}
	r->have_sts_dns = true;
}

/* mx_hosts - the MX hosts of the answer (or the --host, or the implicit
 * MX of RFC 5321 5.1) into r->mx */
static enum st_err
mx_hosts(struct probe_result *r)
{
	if (r->kind == TARGET_HOST) {
		unsigned char tmp[16];
		bool lit = inet_pton(AF_INET, r->host, tmp) == 1 ||
		           inet_pton(AF_INET6, r->host, tmp) == 1;

		if ((r->mx = calloc(1, sizeof(*r->mx))) == NULL)
			return ST_ERR_NOMEM;
		return mx_add(r, r->host, -1, "host", lit);
	}
	r->have_mxans = true;
	/* A secure MX answer is the same proof (see ancestor_names in
	 * probe_dnssec.c); with local validation AD says nothing. */
	if (!r->validating && r->dnscfg.source == DNS_SRC_RESOLVER_AD &&
	    r->mxans.err == ST_OK && r->mxans.ad) {
		r->validating = true;
		r->validation = DNS_VALIDATION_OK;
	}
	if (r->mxans.err != ST_OK || r->mxans.rcode != LDNS_RCODE_NOERROR ||
	    r->mxans.dnssec == DNSSEC_BOGUS)
		return ST_OK;
	if (r->mxans.nmx == 1 && r->mxans.mx[0].exchange[0] == '\0') {
		r->null_mx = true;
		return ST_OK;
	}
	r->mx = calloc(r->mxans.nmx ? r->mxans.nmx : 1, sizeof(*r->mx));
	if (r->mx == NULL)
		return ST_ERR_NOMEM;
	if (r->mxans.nmx == 0) {
		r->implicit = true;
		return mx_add(r, r->domain, 0, "implicit", false);
	}
	for (size_t i = 0; i < r->mxans.nmx; i++) {
		/* A "." among other records (RFC 7505 3) is no host. */
		if (r->mxans.mx[i].exchange[0] == '\0')
			continue;
		if (mx_add(r, r->mxans.mx[i].exchange,
		        r->mxans.mx[i].preference, "mx", false) != ST_OK)
			return ST_ERR_NOMEM;
	}
	return ST_OK;
}

enum st_err
probe_dns_mx(struct probe_result *r, struct tls_init_job *tj)
{
	struct lookup_job lj = { .cfg = &r->dnscfg,
		.type = LDNS_RR_TYPE_MX,
		.ans = &r->mxans };
	struct probe_validation v;
	struct lookup_job pj[4];
	struct job jobs[6 + PROBE_VALIDATION_JOBS];
	size_t njobs;

	/* The validation (unless --dnssec auto settled it already), the MX,
	 * the MTA-STS and TLS-RPT records and the policy host's addresses
	 * are independent: ask for all of them at once. */
	njobs = probe_dnssec_jobs(r, &v, jobs);
	if (r->kind != TARGET_HOST) {
		snprintf(lj.name, sizeof(lj.name), "%s", r->domain);
		jobs[njobs++] = (struct job){ lookup_job_fn, &lj };
		domain_jobs(r, pj, jobs, &njobs);
	}
	/* Every job but the TLS set-up is one DNS query. */
	r->dns_queries += (unsigned)njobs;
	jobs[njobs++] = (struct job){ tls_init_job_fn, tj };
	jobs_run(jobs, njobs, njobs);
	probe_dnssec_finish(r, &v);
	return mx_hosts(r);
}

/* first_addr_answer - the address lookup that speaks for the host's name
 * (both families follow the same CNAME chain), or NULL */
static const struct dns_answer *
first_addr_answer(const struct probe_mx *m)
{
	return m->have_a ? &m->a : m->have_aaaa ? &m->aaaa : NULL;
}

/* secure_alias - the final name of an MX host reached over a CNAME chain
 * that is DNSSEC-secure link by link, or NULL */
static const char *
secure_alias(const struct probe_mx *m)
{
	const struct dns_answer *a = first_addr_answer(m);

	if (a == NULL || a->ncname == 0 || a->dnssec != DNSSEC_SECURE)
		return NULL;
	for (size_t i = 0; i < a->ncname; i++)
		if (a->cname[i].dnssec != DNSSEC_SECURE)
			return NULL;
	return a->cname[a->ncname - 1].to;
}

bool
probe_mx_secure_cname(const struct probe_mx *m)
{
	const struct dns_answer *a = first_addr_answer(m);

	return a != NULL && a->err == ST_OK && a->ncname > 0 &&
	       a->cname[0].dnssec == DNSSEC_SECURE;
}

/* alias_unproven - an alias whose address records are insecure and whose
 * first link is not known to be secure. Through a resolver's AD bit every
 * link of one response shares the response's status, so only a query for
 * the CNAME itself tells a signed alias into an unsigned zone (RFC 7672
 * 2.2.2, "Insecure CNAME") from an unsigned one. */
static bool
alias_unproven(const struct probe_result *r, const struct probe_mx *m)
{
	const struct dns_answer *a = first_addr_answer(m);

	return r->validating && a != NULL && a->err == ST_OK && a->ncname > 0 &&
	       a->dnssec == DNSSEC_INSECURE &&
	       a->cname[0].dnssec != DNSSEC_SECURE;
}

/* alias_note - keep the CNAME answer; when it is secure, so is the first
 * link of the address lookups (what the report's cname_chain shows and the
 * DANE checks read through probe_mx_secure_cname) */
static void
alias_note(struct probe_mx *m, struct dns_answer *ans)
{
	struct dns_answer *as[2] = { m->have_a ? &m->a : NULL,
		m->have_aaaa ? &m->aaaa : NULL };

	m->alias = *ans;
	m->have_alias = true;
	if (ans->err != ST_OK || ans->dnssec != DNSSEC_SECURE ||
	    ans->ntext == 0)
		return;
	for (int i = 0; i < 2; i++)
		if (as[i] != NULL && as[i]->ncname > 0)
			as[i]->cname[0].dnssec = DNSSEC_SECURE;
}

/* tlsa_target_note - RFC 7672 2.2.2 "Secure CNAME": the target's TLSA
 * answer decides unless it proves there is nothing there; a failed lookup
 * decides too (DANE senders defer on it, RFC 7672 2.1.1). Takes ans. */
static enum st_err
tlsa_target_note(struct probe_mx *m, struct dns_answer *ans)
{
	if (ans->err == ST_OK && ans->ntlsa == 0 &&
	    (ans->rcode == LDNS_RCODE_NOERROR ||
	        ans->rcode == LDNS_RCODE_NXDOMAIN)) {
		dns_answer_release(ans);
		return ST_OK;
	}
	if ((m->tlsa_base = strdup(secure_alias(m))) == NULL) {
		dns_answer_release(ans);
		return ST_ERR_NOMEM;
	}
	dns_answer_release(&m->tlsa);
	m->tlsa = *ans;
	return ST_OK;
}

/*
 * alias_round - RFC 7672 2.2.2 for MX hosts that are aliases, one more
 * parallel round of lookups, only for such hosts: for a secure chain, the
 * TLSA records of the final target (they come first; the MX host name's
 * own, already looked up, only when the target has none); for a chain
 * whose address records are insecure, the CNAME of the MX host name, whose
 * status says whether DANE applies at the MX host name at all.
 */
static enum st_err
alias_round(struct probe_result *r)
{
	struct lookup_job *lj = calloc(r->nmx + 1, sizeof(*lj));
	struct dns_answer *ans = calloc(r->nmx + 1, sizeof(*ans));
	struct job *jobs = calloc(r->nmx + 1, sizeof(*jobs));
	size_t *host = calloc(r->nmx + 1, sizeof(*host));
	size_t n = 0, i;
	enum st_err err = ST_ERR_NOMEM;

	if (lj == NULL || ans == NULL || jobs == NULL || host == NULL)
		goto out;
	for (i = 0; i < r->nmx; i++) {
		struct probe_mx *m = &r->mx[i];
		const char *target = secure_alias(m);

		if (!m->have_tlsa)
			continue;
		if (target != NULL) {
			lj[n] = (struct lookup_job){ &r->dnscfg, "",
				LDNS_RR_TYPE_TLSA, &ans[n] };
			snprintf(lj[n].name, sizeof(lj[n].name), "_%u._tcp.%s",
			    (unsigned)r->opt.port, target);
		} else if (alias_unproven(r, m)) {
			lj[n] = (struct lookup_job){ &r->dnscfg, "",
				LDNS_RR_TYPE_CNAME, &ans[n] };
			snprintf(lj[n].name, sizeof(lj[n].name), "%s", m->name);
		} else
			continue;
		jobs[n] = (struct job){ lookup_job_fn, &lj[n] };
		host[n++] = i;
	}
	/* jobs_run always returns ST_OK (it runs jobs itself when it cannot
	 * start threads). */
	(void)jobs_run(jobs, n, 32);
	r->dns_queries += (unsigned)n;
	err = ST_OK;
	for (i = 0; i < n; i++) {
		struct probe_mx *m = &r->mx[host[i]];

		if (lj[i].type == LDNS_RR_TYPE_CNAME)
			alias_note(m, &ans[i]);
		else if (err != ST_OK)
			dns_answer_release(&ans[i]);
		else
			err = tlsa_target_note(m, &ans[i]);
	}
out:
	free(lj);
	free(ans);
	free(jobs);
	free(host);
	return err;
}

/* dns_phase_hosts - A, AAAA and TLSA of every MX host at once */
enum st_err
probe_dns_hosts(struct probe_result *r)
{
	struct lookup_job *lj;
	struct job *jobs;
	size_t n = 0, i;

	lj = calloc(r->nmx * 3 + 1, sizeof(*lj));
	jobs = calloc(r->nmx * 3 + 1, sizeof(*jobs));
	if (lj == NULL || jobs == NULL) {
		free(lj);
		free(jobs);
		return ST_ERR_NOMEM;
	}
	for (i = 0; i < r->nmx; i++) {
		struct probe_mx *m = &r->mx[i];

		if (m->literal)
			continue;
		if (r->opt.ipv4) {
			lj[n] = (struct lookup_job){ &r->dnscfg, "",
				LDNS_RR_TYPE_A, &m->a };
			snprintf(lj[n].name, sizeof(lj[n].name), "%s", m->name);
			m->have_a = true;
			n++;
		}
		if (r->opt.ipv6) {
			lj[n] = (struct lookup_job){ &r->dnscfg, "",
				LDNS_RR_TYPE_AAAA, &m->aaaa };
			snprintf(lj[n].name, sizeof(lj[n].name), "%s", m->name);
			m->have_aaaa = true;
			n++;
		}
		if (!r->opt.no_dane) {
			lj[n] = (struct lookup_job){ &r->dnscfg, "",
				LDNS_RR_TYPE_TLSA, &m->tlsa };
			snprintf(lj[n].name, sizeof(lj[n].name), "_%u._tcp.%s",
			    (unsigned)r->opt.port, m->name);
			m->have_tlsa = true;
			n++;
		}
	}
	for (i = 0; i < n; i++)
		jobs[i] = (struct job){ lookup_job_fn, &lj[i] };
	jobs_run(jobs, n, 32);
	r->dns_queries += (unsigned)n;
	free(lj);
	free(jobs);
	return r->opt.no_dane ? ST_OK : alias_round(r);
}

static int
addr_cmp(const void *a, const void *b)
{
	const struct probe_addr *x = a, *y = b;
	unsigned char bx[16], by[16];
	size_t len = x->family == AF_INET6 ? 16 : 4;

	if (x->family != y->family)
		return x->family == AF_INET ? -1 : 1;
	inet_pton(x->family, x->address, bx);
	inet_pton(y->family, y->address, by);
	return memcmp(bx, by, len);
}

/* build_addrs - the address list of every MX host, IPv4 first, sorted */
enum st_err
probe_build_addrs(struct probe_result *r)
{
	size_t i, k;
	unsigned order = 0;

	for (i = 0; i < r->nmx; i++) {
		struct probe_mx *m = &r->mx[i];
		size_t na = m->have_a ? m->a.ntext : 0;
		size_t n6 = m->have_aaaa ? m->aaaa.ntext : 0;

		if (m->literal) {
			unsigned char tmp[16];
			int fam = inet_pton(AF_INET, m->name, tmp) == 1
			              ? AF_INET
			              : AF_INET6;

			if ((fam == AF_INET && !r->opt.ipv4) ||
			    (fam == AF_INET6 && !r->opt.ipv6))
				continue;
			if ((m->addrs = calloc(1, sizeof(*m->addrs))) == NULL)
				return ST_ERR_NOMEM;
			snprintf(m->addrs[0].address,
			    sizeof(m->addrs[0].address), "%s", m->name);
			m->addrs[0].family = fam;
			m->addrs[0].mx = m;
			m->naddrs = 1;
			continue;
		}
		/* Bogus address records are not used (a validating sender
		 * gets SERVFAIL); the caps bound hostile answers. */
		if (m->have_a && m->a.dnssec == DNSSEC_BOGUS)
			na = 0;
		if (m->have_aaaa && m->aaaa.dnssec == DNSSEC_BOGUS)
			n6 = 0;
		if (na > DNS_ADDR_MAX)
			na = DNS_ADDR_MAX;
		if (n6 > DNS_ADDR_MAX)
			n6 = DNS_ADDR_MAX;
		if (na + n6 == 0)
			continue;
		if ((m->addrs = calloc(na + n6, sizeof(*m->addrs))) == NULL)
			return ST_ERR_NOMEM;
		for (k = 0; k < na; k++) {
			snprintf(m->addrs[k].address,
			    sizeof(m->addrs[k].address), "%s", m->a.text[k]);
			m->addrs[k].family = AF_INET;
			m->addrs[k].mx = m;
		}
		for (k = 0; k < n6; k++) {
			struct probe_addr *pa = &m->addrs[na + k];

			snprintf(pa->address, sizeof(pa->address), "%s",
			    m->aaaa.text[k]);
			pa->family = AF_INET6;
			pa->mx = m;
		}
		m->naddrs = na + n6;
		qsort(m->addrs, m->naddrs, sizeof(*m->addrs), addr_cmp);
	}
	for (i = 0; i < r->nmx; i++)
		for (k = 0; k < r->mx[i].naddrs; k++)
			r->mx[i].addrs[k].order = order++;
	return ST_OK;
}
