/*
 * probe_alias.c - MX hosts that are aliases (RFC 7672 2.2.2): whether a
 * CNAME chain is secure link by link, and the one extra round of lookups
 * such hosts need once the first ones are in (probe_dns.c): the final
 * target's TLSA records, or the MX host name's own CNAME. Never prints.
 */
#include "probe_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

#include "jobs.h"

#include "banned.h"

/* One lookup of the alias round. */
struct alias_job {
	const struct dns_config *cfg;
	char name[300];
	uint16_t type;
	struct dns_answer *ans;
};

static void
alias_job_fn(void *arg)
{
	struct alias_job *j = arg;

	(void)dns_lookup(j->cfg, j->name, j->type, j->ans);
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
 * probe_alias_round - RFC 7672 2.2.2 for MX hosts that are aliases, one more
 * parallel round of lookups, only for such hosts: for a secure chain, the
 * TLSA records of the final target (they come first; the MX host name's
 * own, already looked up, only when the target has none); for a chain
 * whose address records are insecure, the CNAME of the MX host name, whose
 * status says whether DANE applies at the MX host name at all.
 */
enum st_err
probe_alias_round(struct probe_result *r)
{
	struct alias_job *lj = calloc(r->nmx + 1, sizeof(*lj));
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
			lj[n] = (struct alias_job){ .cfg = &r->dnscfg,
				.type = LDNS_RR_TYPE_TLSA,
				.ans = &ans[n] };
			snprintf(lj[n].name, sizeof(lj[n].name), "_%u._tcp.%s",
			    (unsigned)r->opt.port, target);
		} else if (alias_unproven(r, m)) {
			lj[n] = (struct alias_job){ .cfg = &r->dnscfg,
				.type = LDNS_RR_TYPE_CNAME,
				.ans = &ans[n] };
			snprintf(lj[n].name, sizeof(lj[n].name), "%s", m->name);
		} else
			continue;
		jobs[n] = (struct job){ alias_job_fn, &lj[n] };
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
