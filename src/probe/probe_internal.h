/*
 * probe_internal.h - the probe's measurement layer (src/probe/): target
 * parsing, the DNS phases, the TLS context job, enum names. The judging
 * layer above it (src/judge/judge.h) reads what these fill.
 */
#ifndef SMTPTLS_PROBE_INTERNAL_H
#define SMTPTLS_PROBE_INTERNAL_H

#include "probe_result.h"

#include <openssl/ssl.h>

#include "jobs.h"

/* The trust store and TLS context are built while the first DNS answers
 * are on their way (loading a CA bundle and OpenSSL's configuration takes
 * milliseconds that need not be waited for in turn). */
struct tls_init_job {
	const char *ca_file, *ca_path;
	X509_STORE *store;
	SSL_CTX *ctx;
	enum st_err err;
	char errmsg[300];
};
void tls_init_job_fn(void *arg);

/* probe_target.c: r->domain, r->mailbox, r->host from the options */
enum st_err probe_parse_target(struct probe_result *r, char *errmsg,
    size_t errlen) __attribute__((warn_unused_result));
void probe_pick_ehlo(struct probe_result *r);

/* What the layer above starts while the DNS is still running. sts_ready
 * is called (on the caller's thread, once) when the MTA-STS record and
 * the policy host's addresses are in and the trust store is built; store
 * may be NULL when building it failed. It returns ST_OK or ST_ERR_NOMEM. */
struct probe_dns_hooks {
	enum st_err (
	    *sts_ready)(struct probe_result *r, X509_STORE *store, void *arg);
	/* called once, on the probe's thread, when the first lookups are out
	 * and before any answer is read (NULL: nothing to do then) */
	void (*started)(void *arg);
	void *arg;
};

/*
 * probe_dns.c: all DNS of a probe, each lookup started as soon as what it
 * depends on has arrived: the MX, MTA-STS and TLS-RPT records, the
 * resolver's validation and the TLS set-up tj at once; the A, AAAA and
 * TLSA lookups of the MX hosts when the MX answer is in (however many
 * hosts, one round trip); a CNAME round only for hosts that are aliases.
 * hooks may be NULL. Returns when every lookup has ended.
 */
enum st_err probe_dns_run(struct probe_result *r, struct tls_init_job *tj,
    const struct probe_dns_hooks *hooks) __attribute__((warn_unused_result));
/* A step limit that never runs past the run deadline (ms, >= 1). */
unsigned probe_remaining_ms(const struct probe_result *r, unsigned step_ms);
/* The MX hosts of the MX answer, the implicit MX or --host into r->mx
 * (probe_mx.c). */
enum st_err probe_mx_hosts(struct probe_result *r)
    __attribute__((warn_unused_result));
/* probe_addrs.c: the address list the sessions use */
enum st_err probe_build_addrs(struct probe_result *r)
    __attribute__((warn_unused_result));
/* Whether the MX host name is an alias whose own CNAME record is
 * DNSSEC-secure (RFC 7672 2.2.2: then DANE applies at the MX host name even
 * when the address records at the end of the chain are insecure). */
bool probe_mx_secure_cname(const struct probe_mx *m);
/* probe_alias.c: the extra round of lookups for MX hosts that are aliases
 * (the target's TLSA, or the alias's own CNAME), once the hosts' address
 * and TLSA answers are in. ST_ERR_NOMEM. */
enum st_err probe_alias_round(struct probe_result *r)
    __attribute__((warn_unused_result));

/* probe_dnssec.c: who validates (--dnssec) and whether it works. The
 * validation probe and the SOA lookups of the domain's ancestors (see
 * ancestor_names there) run as jobs beside the MX lookup. */
#define PROBE_VALIDATION_ANCESTORS 3
#define PROBE_VALIDATION_JOBS (1 + PROBE_VALIDATION_ANCESTORS)
struct probe_soa_job {
	const struct dns_config *cfg;
	struct dns_cache *cache; /* the batch's shared answers, or NULL */
	const char *name;
	struct dns_answer *ans;
};
struct probe_validation {
	const struct dns_config *cfg;
	struct dns_cache *cache; /* the batch's shared answers, or NULL */
	bool used;               /* its jobs were handed out */
	bool answered;           /* the resolver answered at all */
	enum dns_validation state;
	char msg[200];
	char names[PROBE_VALIDATION_ANCESTORS][300];
	struct probe_soa_job aj[PROBE_VALIDATION_ANCESTORS];
	struct dns_answer anc[PROBE_VALIDATION_ANCESTORS];
	size_t nanc;
};
/* Before probe_dns_run: the path of --dnssec resolver and local, with
 * r->dnssec_reason. With --dnssec auto the resolver's path for now:
 * probe_dns_run asks whether the resolver validates beside the first
 * lookups and settles with probe_dnssec_settle. */
enum st_err probe_dnssec_decide(struct probe_result *r)
    __attribute__((warn_unused_result));
/* --dnssec auto, once the jobs of v (probe_dnssec_jobs on the resolver's
 * path) ran: finish them, set r->dnssec_reason, and switch
 * r->dnscfg.source to local when the resolver answers but does not
 * validate. Returns true then: the lookups made on the resolver's path
 * must be made again. */
bool probe_dnssec_settle(struct probe_result *r, struct probe_validation *v);
/*
 * --dnssec auto, while the jobs of v are still coming back: whether those
 * back so far (root_done: the validation probe, jobs[0] of
 * probe_dnssec_jobs; anc_done[i]: the SOA lookup of ancestor i, jobs[1 + i])
 * already prove that the resolver validates, whatever the others answer.
 * Then the path is settled without waiting for the slowest of them
 * (probe_dnssec_settle_validating); probe_dnssec_finish still runs when
 * all are back and concludes the same.
 */
bool probe_dnssec_validates(const struct probe_validation *v, bool root_done,
    const bool *anc_done);
/* The resolver validates: r->dnssec_reason as probe_dnssec_settle sets it
 * then; r->dnscfg.source stays the resolver's. */
void probe_dnssec_settle_validating(struct probe_result *r);
/* Append the validation jobs to jobs (room for PROBE_VALIDATION_JOBS);
 * how many, 0 when probe_dnssec_decide already knows the answer. */
size_t probe_dnssec_jobs(struct probe_result *r, struct probe_validation *v,
    struct job *jobs);
/* Whether job j of those has its answer in the run's shared cache (then
 * it does not block, and runs best on the caller's thread). */
bool probe_dnssec_job_at_hand(const struct probe_validation *v,
    const struct job *j);
/* After the jobs ran: r->validating, validation, validating_detail. */
void probe_dnssec_finish(struct probe_result *r, struct probe_validation *v);
/* The line of report.md dns.resolver.dnssec_reason: which path validates
 * (source) under which mode, and for auto why not the resolver
 * (not_validating: "" when it validates; with source RESOLVER_AD, the
 * resolver did not answer at all);
 * cut to len (a long anchor path shortens the line, never overflows). */
void probe_dnssec_reason(char *out, size_t len, enum probe_dnssec mode,
    enum dns_source source, const char *resolver, const char *anchor,
    const char *not_validating);

/* "ipv4" / "ipv6" (report.md 5.3 family); probe_names.c */
const char *probe_addr_family_name(int family);

#endif
