/*
 * probe_dnssec.c - who validates DNSSEC for a probe (--dnssec) and whether
 * that works (check dns.resolver.dnssec): the validation jobs that run
 * beside the MX lookup, what --dnssec auto makes of their answers to pick
 * a path, and the one line that says which path was taken and why.
 *
 * Fills fields of struct probe_result (validating, validation,
 * validating_detail, dnssec_reason) and switches r->dnscfg.source; the
 * caller (probe_dns.c) starts nothing that depends on an answer before
 * the path is settled; never prints.
 */
#include "probe_internal.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#include <ldns/ldns.h>

#include "dns_cache.h"
#include "probe_share.h"

#include "banned.h"

static const char *const dnssec_names[] = {
	[PROBE_DNSSEC_AUTO] = "auto",
	[PROBE_DNSSEC_RESOLVER] = "resolver",
	[PROBE_DNSSEC_LOCAL] = "local",
};
static_assert(sizeof(dnssec_names) / sizeof(dnssec_names[0]) ==
                  PROBE_DNSSEC__COUNT,
    "dnssec_names must name every enum probe_dnssec value");

const char *
probe_dnssec_name(enum probe_dnssec m)
{
	return (int)m >= 0 && m < PROBE_DNSSEC__COUNT ? dnssec_names[m] : "?";
}

int
probe_dnssec_parse(const char *name)
{
	for (int i = 0; i < PROBE_DNSSEC__COUNT; i++)
		if (strcmp(dnssec_names[i], name) == 0)
			return i;
	return -1;
}

static void
validation_job_fn(void *arg)
{
	struct probe_validation *v = arg;

	v->msg[0] = '\0';
	v->answered = dns_cache_probe_validation(v->cache, v->cfg, &v->state,
	                  v->msg, sizeof(v->msg)) == ST_OK;
}

static void
soa_job_fn(void *arg)
{
	struct probe_soa_job *j = arg;

	(void)dns_cache_lookup(j->cache, j->cfg, j->name, LDNS_RR_TYPE_SOA,
	    j->ans);
}

/*
 * ancestor_names - the names above the domain, top first ("test",
 * "lab.test" for good.lab.test), at most PROBE_VALIDATION_ANCESTORS.
 *
 * checks.md asks for AD on the root SOA. A resolver that refuses the root
 * (as the lab's does, so that nothing leaves loopback) but sets AD on the
 * SOA of a signed ancestor of the domain validates just as well; those
 * lookups run beside the root's, not after it (smtptls(1), DEVIATIONS).
 */
static size_t
ancestor_names(const char *domain, char out[][300])
{
	const char *dots[128];
	size_t ndots = 0, n = 0;

	if (domain == NULL)
		return 0;
	for (const char *p = domain; *p != '\0' && ndots < 128; p++)
		if (*p == '.')
			dots[ndots++] = p;
	/* Strictly above the domain, the top-level zone first: TLDs are the
	 * zones most likely to be signed. */
	while (ndots > 0 && n < PROBE_VALIDATION_ANCESTORS)
		snprintf(out[n++], 300, "%.299s", dots[--ndots] + 1);
	return n;
}

size_t
probe_dnssec_jobs(struct probe_result *r, struct probe_validation *v,
    struct job *jobs)
{
	size_t n = 0;

	memset(v, 0, sizeof(*v));
	if (r->validation_known)
		return 0;
	v->used = true;
	v->cfg = &r->dnscfg;
	v->cache = probe_share_dns(r->opt.share);
	jobs[n++] = (struct job){ validation_job_fn, v };
	if (r->dnscfg.source != DNS_SRC_RESOLVER_AD || r->kind == TARGET_HOST)
		return n;
	v->nanc = ancestor_names(r->domain, v->names);
	for (size_t i = 0; i < v->nanc; i++) {
		v->aj[i] = (struct probe_soa_job){ &r->dnscfg, v->cache,
			v->names[i], &v->anc[i] };
		jobs[n++] = (struct job){ soa_job_fn, &v->aj[i] };
	}
	return n;
}

bool
probe_dnssec_job_at_hand(const struct probe_validation *v, const struct job *j)
{
	const struct probe_soa_job *sj;

	if (j->fn == validation_job_fn)
		return dns_cache_has_validation(v->cache, v->cfg);
	sj = j->arg;
	return dns_cache_has(sj->cache, sj->cfg, sj->name, LDNS_RR_TYPE_SOA);
}

void
probe_dnssec_finish(struct probe_result *r, struct probe_validation *v)
{
	if (!v->used)
		return;
	r->validation = v->state;
	r->validating = v->state == DNS_VALIDATION_OK;
	for (size_t i = 0; i < v->nanc; i++) {
		if (!r->validating && v->answered && v->anc[i].err == ST_OK &&
		    v->anc[i].ad) {
			r->validating = true;
			r->validation = DNS_VALIDATION_OK;
		}
		dns_answer_release(&v->anc[i]);
	}
	snprintf(r->validating_detail, sizeof(r->validating_detail), "%s",
	    r->validating ? "" : v->msg);
	r->validation_known = true;
}

void
probe_dnssec_reason(char *out, size_t len, enum probe_dnssec mode,
    enum dns_source source, const char *resolver, const char *anchor,
    const char *not_validating)
{
	const char *m = probe_dnssec_name(mode);

	if (source == DNS_SRC_LOCAL && mode == PROBE_DNSSEC_AUTO)
		snprintf(out, len,
		    "validated locally from %s: resolver %s does not "
		    "validate (%s) (--dnssec auto)",
		    anchor, resolver, not_validating);
	else if (source == DNS_SRC_LOCAL)
		snprintf(out, len, "validated locally from %s (--dnssec %s)",
		    anchor, m);
	else if (mode == PROBE_DNSSEC_AUTO && not_validating[0] != '\0')
		snprintf(out, len,
		    "resolver %s did not answer (%s): nothing validates "
		    "(--dnssec auto)",
		    resolver, not_validating);
	else if (mode == PROBE_DNSSEC_AUTO)
		snprintf(out, len,
		    "resolver %s validates: its AD bit is used "
		    "(--dnssec auto)",
		    resolver);
	else
		snprintf(out, len,
		    "the AD bit of resolver %s is used "
		    "(--dnssec %s)",
		    resolver, m);
}

/* dnssec_reason_set - report.md dns.resolver.dnssec_reason for the path
 * now in r->dnscfg.source; why: what auto found wrong with the resolver */
static void
dnssec_reason_set(struct probe_result *r, const char *why)
{
	const char *srv = r->dnscfg.nservers ? r->dnscfg.servers[0].addr : "";

	probe_dnssec_reason(r->dnssec_reason, sizeof(r->dnssec_reason),
	    r->opt.dnssec, r->dnscfg.source, srv,
	    r->dnscfg.trust_anchor ? r->dnscfg.trust_anchor : "", why);
}

enum st_err
probe_dnssec_decide(struct probe_result *r)
{
	/* --dnssec auto asks the resolver first (probe_dns.c runs that
	 * probe beside the first lookups, on the resolver's path, and
	 * settles with probe_dnssec_settle); the other modes know now. */
	if (r->opt.dnssec == PROBE_DNSSEC_AUTO)
		r->dnscfg.source = DNS_SRC_RESOLVER_AD;
	else
		dnssec_reason_set(r, "");
	return ST_OK;
}

bool
probe_dnssec_validates(const struct probe_validation *v, bool root_done,
    const bool *anc_done)
{
	/* What probe_dnssec_finish concludes: the probe's own state, or an
	 * ancestor's AD once the resolver answered the probe at all. A
	 * lookup still out can only add another reason to say yes. */
	if (!root_done)
		return false;
	if (v->state == DNS_VALIDATION_OK)
		return true;
	if (!v->answered)
		return false;
	for (size_t i = 0; i < v->nanc; i++)
		if (anc_done[i] && v->anc[i].err == ST_OK && v->anc[i].ad)
			return true;
	return false;
}

void
probe_dnssec_settle_validating(struct probe_result *r)
{
	dnssec_reason_set(r, "");
}

bool
probe_dnssec_settle(struct probe_result *r, struct probe_validation *v)
{
	char why[sizeof(r->validating_detail)];
	bool redo = false;

	probe_dnssec_finish(r, v);
	v->used = false; /* finished: its answers are released */
	why[0] = '\0';
	if (!r->validating)
		snprintf(why, sizeof(why), "%s",
		    r->validating_detail[0] ? r->validating_detail
		                            : "no AD bit");
	/* A resolver that does not answer at all gives local validation
	 * nothing to work with: stay, and let the MX lookup report the
	 * failure. */
	if (!r->validating && v->answered) {
		r->dnscfg.source = DNS_SRC_LOCAL;
		r->validation_known = false;
		redo = true;
	}
	dnssec_reason_set(r, why);
	return redo;
}
