/*
 * probe.c - one probe run: target, DNS (MX, then addresses and TLSA of every
 * MX host, all at once), the concurrent SMTP sessions, then the checks,
 * verdicts and exit code. Prints nothing; the result is data.
 */
#include "smtptls/probe.h"

#include <arpa/inet.h>
#include <pthread.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ldns/ldns.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>

#include "clock.h"
#include "jobs.h"
#include "mtasts_check.h"
#include "probe_internal.h"
#include "scan.h"
#include "session.h"
#include "st_limits.h"
#include "tls_client.h"
#include "verdict.h"

#include "banned.h"

static const char *const level_names[LEVEL__COUNT] = {
	"opportunistic", "encrypt", "verify", "dane", "mta-sts", "secure",
};

const char *
probe_level_name(enum probe_level l)
{
	return (int)l >= 0 && l < LEVEL__COUNT ? level_names[l] : "?";
}

int
probe_level_parse(const char *name)
{
	for (int i = 0; i < LEVEL__COUNT; i++)
		if (strcmp(level_names[i], name) == 0)
			return i;
	return -1;
}

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static enum st_err global_err = ST_OK;
static char global_msg[200];

static void
global_init_once(void)
{
	global_err = mtasts_fetch_global_init(global_msg, sizeof(global_msg));
}

enum st_err
probe_global_init(char *errmsg, size_t errlen)
{
	/* curl_global_init() is not thread-safe: run it exactly once, also
	 * when batch mode starts several probes at once. */
	pthread_once(&global_once, global_init_once);
	if (global_err != ST_OK)
		snprintf(errmsg, errlen, "%s", global_msg);
	return global_err;
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
}

const char *
probe_addr_family_name(int family)
{
	return family == AF_INET6 ? "ipv6" : "ipv4";
}

/* normalize_domain - lowercase, drop one trailing dot, check LDH syntax */
static char *
normalize_domain(const char *in, char *errmsg, size_t errlen)
{
	size_t len = strlen(in), i, label = 0;
	char *d;

	if (len > 0 && in[len - 1] == '.')
		len--;
	if (len == 0 || len > 253) {
		snprintf(errmsg, errlen, "invalid domain '%.100s'", in);
		return NULL;
	}
	if ((d = malloc(len + 1)) == NULL)
		return NULL;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)in[i];

		if (c == '.') {
			if (label == 0)
				goto bad;
			label = 0;
		} else if (isalnum(c) || c == '-' || c == '_') {
			if (++label > 63)
				goto bad;
		} else
			goto bad;
		d[i] = (char)tolower(c);
	}
	if (label == 0)
		goto bad;
	d[len] = '\0';
	return d;
bad:
	snprintf(errmsg, errlen, "invalid domain '%.100s'", in);
	free(d);
	return NULL;
}

/* parse_host - "name", "name:port", "[addr]", "[addr]:port", "addr" */
static enum st_err
parse_host(struct probe_result *r, const char *spec, char *errmsg, size_t errlen)
{
	char host[300];
	const char *p;
	unsigned char tmp[16];

	if (spec[0] == '[') {
		p = strchr(spec, ']');
		if (p == NULL || (size_t)(p - spec - 1) >= sizeof(host))
			goto bad;
		memcpy(host, spec + 1, (size_t)(p - spec - 1));
		host[p - spec - 1] = '\0';
		p++;
	} else {
		const char *colon = strrchr(spec, ':');

		if (colon != NULL && strchr(spec, ':') != colon)
			colon = NULL; /* bare IPv6 literal */
		p = colon != NULL ? colon : spec + strlen(spec);
		if ((size_t)(p - spec) >= sizeof(host))
			goto bad;
		memcpy(host, spec, (size_t)(p - spec));
		host[p - spec] = '\0';
	}
	if (*p == ':') {
		char *end;
		unsigned long port = strtoul(p + 1, &end, 10);

		if (*end != '\0' || port == 0 || port > 65535 || p[1] == '\0')
			goto bad;
		r->opt.port = (uint16_t)port;
	} else if (*p != '\0')
		goto bad;
	if (inet_pton(AF_INET, host, tmp) == 1 ||
	    inet_pton(AF_INET6, host, tmp) == 1) {
		if ((r->host = strdup(host)) == NULL)
			return ST_ERR_NOMEM;
		return ST_OK;
	}
	if ((r->host = normalize_domain(host, errmsg, errlen)) == NULL)
		return errmsg[0] ? ST_ERR_INVAL : ST_ERR_NOMEM;
	return ST_OK;
bad:
	snprintf(errmsg, errlen, "invalid --host value '%.100s'", spec);
	return ST_ERR_INVAL;
}

static enum st_err
parse_target(struct probe_result *r, char *errmsg, size_t errlen)
{
	const struct probe_options *o = &r->opt;
	const char *at;

	errmsg[0] = '\0';
	if (o->host != NULL) {
		r->kind = TARGET_HOST;
		if ((r->input = strdup(o->host)) == NULL)
			return ST_ERR_NOMEM;
		return parse_host(r, o->host, errmsg, errlen);
	}
	if (o->target == NULL) {
		snprintf(errmsg, errlen, "no target given");
		return ST_ERR_INVAL;
	}
	if ((r->input = strdup(o->target)) == NULL)
		return ST_ERR_NOMEM;
	at = strrchr(o->target, '@');
	if (at != NULL) {
		r->kind = TARGET_ADDRESS;
		if (at == o->target) {
			snprintf(errmsg, errlen, "invalid address '%.100s'", o->target);
			return ST_ERR_INVAL;
		}
		if ((r->mailbox = strdup(o->target)) == NULL)
			return ST_ERR_NOMEM;
		r->domain = normalize_domain(at + 1, errmsg, errlen);
	} else {
		r->kind = TARGET_DOMAIN;
		r->domain = normalize_domain(o->target, errmsg, errlen);
	}
	if (r->domain == NULL)
		return errmsg[0] ? ST_ERR_INVAL : ST_ERR_NOMEM;
	if (r->mailbox == NULL && o->rcpt != NULL &&
	    (r->mailbox = strdup(o->rcpt)) == NULL)
		return ST_ERR_NOMEM;
	return ST_OK;
}

/*
 * pick_ehlo - --ehlo, else the host name when it is fully qualified, else
 * "localhost". No resolver is asked: getaddrinfo() for a canonical name may
 * send the machine's name to the system's DNS, and a probe talks only to
 * the resolvers it was given.
 */
static void
pick_ehlo(struct probe_result *r)
{
	char host[256];

	if (r->opt.ehlo != NULL) {
		snprintf(r->ehlo, sizeof(r->ehlo), "%s", r->opt.ehlo);
		return;
	}
	snprintf(r->ehlo, sizeof(r->ehlo), "localhost");
	if (gethostname(host, sizeof(host)) != 0)
		return;
	host[sizeof(host) - 1] = '\0';
	if (strchr(host, '.') != NULL && strchr(host, ' ') == NULL)
		snprintf(r->ehlo, sizeof(r->ehlo), "%s", host);
}

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

struct validation_job {
	const struct dns_config *cfg;
	bool ok;
	bool answered;        /* the resolver answered at all */
	char msg[200];
};

static void
validation_job_fn(void *arg)
{
	struct validation_job *j = arg;

	j->msg[0] = '\0';
	j->answered = dns_probe_validation(j->cfg, &j->ok, j->msg,
	    sizeof(j->msg)) == ST_OK;
}

/* Ancestors of the domain whose SOA may show the AD bit (see below). */
#define VALIDATION_ANCESTORS 3

/*
 * ancestor_names - the names above the domain, top first ("test",
 * "lab.test" for good.lab.test), at most VALIDATION_ANCESTORS.
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
	while (ndots > 0 && n < VALIDATION_ANCESTORS)
		snprintf(out[n++], 300, "%.299s", dots[--ndots] + 1);
	return n;
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

static void
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
static enum st_err
dns_phase_mx(struct probe_result *r, struct tls_init_job *tj)
{
	struct lookup_job lj = {.cfg = &r->dnscfg, .type = LDNS_RR_TYPE_MX, .ans = &r->mxans};
	struct validation_job vj = {.cfg = &r->dnscfg};
	struct lookup_job pj[4], aj[VALIDATION_ANCESTORS];
	struct dns_answer anc[VALIDATION_ANCESTORS];
	char names[VALIDATION_ANCESTORS][300];
	struct job jobs[7 + VALIDATION_ANCESTORS] = {{validation_job_fn, &vj},
	    {lookup_job_fn, &lj}};
	size_t njobs = 1, i, nanc = 0;

	/* The MX, the MTA-STS and TLS-RPT records and the policy host's
	 * addresses are independent: ask for all of them at once. */
	if (r->kind != TARGET_HOST) {
		snprintf(lj.name, sizeof(lj.name), "%s", r->domain);
		njobs = 2;
		pj[0] = (struct lookup_job){&r->dnscfg, "", LDNS_RR_TYPE_TXT, &r->rpt_txt};
		snprintf(pj[0].name, sizeof(pj[0].name), "_smtp._tls.%s", r->domain);
		jobs[njobs++] = (struct job){lookup_job_fn, &pj[0]};
		r->have_rpt_dns = true;
		if (!r->opt.no_mta_sts) {
			pj[1] = (struct lookup_job){&r->dnscfg, "", LDNS_RR_TYPE_TXT, &r->sts_txt};
			snprintf(pj[1].name, sizeof(pj[1].name), "_mta-sts.%s", r->domain);
			pj[2] = (struct lookup_job){&r->dnscfg, "", LDNS_RR_TYPE_A, &r->sts_a};
			snprintf(pj[2].name, sizeof(pj[2].name), "mta-sts.%s", r->domain);
			pj[3] = (struct lookup_job){&r->dnscfg, "", LDNS_RR_TYPE_AAAA, &r->sts_aaaa};
			snprintf(pj[3].name, sizeof(pj[3].name), "mta-sts.%s", r->domain);
			for (i = 1; i < 4; i++)
				jobs[njobs++] = (struct job){lookup_job_fn, &pj[i]};
			r->have_sts_dns = true;
		}
	}
	if (r->dnscfg.source == DNS_SRC_RESOLVER_AD && r->kind != TARGET_HOST) {
		nanc = ancestor_names(r->domain, names);
		for (i = 0; i < nanc; i++) {
			aj[i] = (struct lookup_job){&r->dnscfg, "", LDNS_RR_TYPE_SOA, &anc[i]};
			snprintf(aj[i].name, sizeof(aj[i].name), "%.299s", names[i]);
			jobs[njobs++] = (struct job){lookup_job_fn, &aj[i]};
		}
	}
	/* Every job but the TLS set-up is one DNS query. */
	r->dns_queries += (unsigned)njobs;
	jobs[njobs++] = (struct job){tls_init_job_fn, tj};
	jobs_run(jobs, njobs, njobs);
	r->validating = vj.ok;
	for (i = 0; i < nanc; i++) {
		if (!r->validating && vj.answered && anc[i].err == ST_OK && anc[i].ad)
			r->validating = true;
		dns_answer_release(&anc[i]);
	}
	snprintf(r->validating_detail, sizeof(r->validating_detail), "%s",
	    r->validating ? "" : vj.msg);
	if (r->kind == TARGET_HOST) {
		unsigned char tmp[16];
		bool lit = inet_pton(AF_INET, r->host, tmp) == 1 ||
		    inet_pton(AF_INET6, r->host, tmp) == 1;

		if ((r->mx = calloc(1, sizeof(*r->mx))) == NULL)
			return ST_ERR_NOMEM;
		return mx_add(r, r->host, -1, "host", lit);
	}
	r->have_mxans = true;
	/* A secure MX answer is the same proof (see ancestor_names). */
	if (!r->validating && r->mxans.err == ST_OK && r->mxans.ad)
		r->validating = true;
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
	for (i = 0; i < r->mxans.nmx; i++) {
		/* A "." among other records (RFC 7505 3) is no host. */
		if (r->mxans.mx[i].exchange[0] == '\0')
			continue;
		if (mx_add(r, r->mxans.mx[i].exchange, r->mxans.mx[i].preference,
		    "mx", false) != ST_OK)
			return ST_ERR_NOMEM;
	}
	return ST_OK;
}

/* secure_alias - the final name of an MX host reached over a CNAME chain
 * that is DNSSEC-secure link by link, or NULL */
static const char *
secure_alias(const struct probe_mx *m)
{
	const struct dns_answer *a = m->have_a ? &m->a : m->have_aaaa ? &m->aaaa : NULL;

	if (a == NULL || a->ncname == 0 || a->dnssec != DNSSEC_SECURE)
		return NULL;
	for (size_t i = 0; i < a->ncname; i++)
		if (a->cname[i].dnssec != DNSSEC_SECURE)
			return NULL;
	return a->cname[a->ncname - 1].to;
}

/*
 * tlsa_cname_round - RFC 7672 2.2.2: for an MX host that is a secure alias,
 * the TLSA records of the final target come first; only when it has none
 * do the MX host name's records (already looked up) apply. One more
 * parallel round of lookups, only for such hosts.
 */
static enum st_err
tlsa_cname_round(struct probe_result *r)
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
		const char *target = secure_alias(&r->mx[i]);

		if (target == NULL || !r->mx[i].have_tlsa)
			continue;
		lj[n] = (struct lookup_job){&r->dnscfg, "", LDNS_RR_TYPE_TLSA, &ans[n]};
		snprintf(lj[n].name, sizeof(lj[n].name), "_%u._tcp.%s",
		    (unsigned)r->opt.port, target);
		jobs[n] = (struct job){lookup_job_fn, &lj[n]};
		host[n++] = i;
	}
	jobs_run(jobs, n, 32);
	r->dns_queries += (unsigned)n;
	for (i = 0; i < n; i++) {
		struct probe_mx *m = &r->mx[host[i]];
		const char *target = secure_alias(m);

		/* The target's answer decides unless it proves there is
		 * nothing there; a failed lookup decides too (DANE senders
		 * defer on it, RFC 7672 2.1.1). */
		if (ans[i].err == ST_OK && ans[i].ntlsa == 0 &&
		    (ans[i].rcode == LDNS_RCODE_NOERROR ||
		    ans[i].rcode == LDNS_RCODE_NXDOMAIN)) {
			dns_answer_release(&ans[i]);
			continue;
		}
		if ((m->tlsa_base = strdup(target)) == NULL) {
			for (; i < n; i++)
				dns_answer_release(&ans[i]);
			goto out;
		}
		dns_answer_release(&m->tlsa);
		m->tlsa = ans[i];
	}
	err = ST_OK;
out:
	free(lj);
	free(ans);
	free(jobs);
	free(host);
	return err;
}

/* dns_phase_hosts - A, AAAA and TLSA of every MX host at once */
static enum st_err
dns_phase_hosts(struct probe_result *r)
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
			lj[n] = (struct lookup_job){&r->dnscfg, "", LDNS_RR_TYPE_A, &m->a};
			snprintf(lj[n].name, sizeof(lj[n].name), "%s", m->name);
			m->have_a = true;
			n++;
		}
		if (r->opt.ipv6) {
			lj[n] = (struct lookup_job){&r->dnscfg, "", LDNS_RR_TYPE_AAAA, &m->aaaa};
			snprintf(lj[n].name, sizeof(lj[n].name), "%s", m->name);
			m->have_aaaa = true;
			n++;
		}
		if (!r->opt.no_dane) {
			lj[n] = (struct lookup_job){&r->dnscfg, "", LDNS_RR_TYPE_TLSA, &m->tlsa};
			snprintf(lj[n].name, sizeof(lj[n].name), "_%u._tcp.%s",
			    (unsigned)r->opt.port, m->name);
			m->have_tlsa = true;
			n++;
		}
	}
	for (i = 0; i < n; i++)
		jobs[i] = (struct job){lookup_job_fn, &lj[i]};
	jobs_run(jobs, n, 32);
	r->dns_queries += (unsigned)n;
	free(lj);
	free(jobs);
	return r->opt.no_dane ? ST_OK : tlsa_cname_round(r);
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
static enum st_err
build_addrs(struct probe_result *r)
{
	size_t i, k;
	unsigned order = 0;

	for (i = 0; i < r->nmx; i++) {
		struct probe_mx *m = &r->mx[i];
		size_t na = m->have_a ? m->a.ntext : 0;
		size_t n6 = m->have_aaaa ? m->aaaa.ntext : 0;

		if (m->literal) {
			unsigned char tmp[16];
			int fam = inet_pton(AF_INET, m->name, tmp) == 1 ? AF_INET : AF_INET6;

			if ((fam == AF_INET && !r->opt.ipv4) || (fam == AF_INET6 && !r->opt.ipv6))
				continue;
			if ((m->addrs = calloc(1, sizeof(*m->addrs))) == NULL)
				return ST_ERR_NOMEM;
			snprintf(m->addrs[0].address, sizeof(m->addrs[0].address), "%s", m->name);
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
			snprintf(m->addrs[k].address, sizeof(m->addrs[k].address), "%s", m->a.text[k]);
			m->addrs[k].family = AF_INET;
			m->addrs[k].mx = m;
		}
		for (k = 0; k < n6; k++) {
			struct probe_addr *pa = &m->addrs[na + k];

			snprintf(pa->address, sizeof(pa->address), "%s", m->aaaa.text[k]);
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
cleartext_phase(struct probe_result *r, struct probe_addr **addrs,
    const bool *want, size_t n, const struct session_params *base)
{
	struct session_params sp = *base;
	struct probe_addr **c;
	bool *cw;
	size_t m = 0;
	enum st_err err = ST_ERR_NOMEM;

	(void)r;
	sp.no_starttls = true;
	sp.rcpt2 = NULL;
	sp.hooks = NULL;
	c = calloc(n + 1, sizeof(*c));
	cw = calloc(n + 1, sizeof(*cw));
	if (c == NULL || cw == NULL)
		goto out;
	for (size_t i = 0; i < n; i++) {
		struct probe_addr *pa = addrs[i], *x;

		if (!want[i] || !pa->connected)
			continue;
		if ((x = calloc(1, sizeof(*x))) == NULL)
			goto out;
		snprintf(x->address, sizeof(x->address), "%s", pa->address);
		x->family = pa->family;
		x->mx = pa->mx;
		x->order = pa->order;
		pa->clear = x;
		cw[m] = true;
		c[m++] = x;
	}
	err = session_run_all(c, cw, m, &sp);
out:
	free(c);
	free(cw);
	return err;
}

static enum st_err
smtp_phase(struct probe_result *r, SSL_CTX *ctx, X509_STORE *store)
{
	struct probe_addr **addrs;
	bool *want;
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
		.deadline = clock_ms() + r->opt.deadline_ms,
		.now = time(NULL),
	};
	long long t0 = clock_ms();

	sp.deadline = (r->t0.tv_sec * 1000LL + r->t0.tv_nsec / 1000000) + r->opt.deadline_ms;
	for (i = 0; i < r->nmx; i++)
		n += r->mx[i].naddrs;
	if (n > PROBE_SESSIONS_MAX)
		n = PROBE_SESSIONS_MAX;
	addrs = calloc(n + 1, sizeof(*addrs));
	want = calloc(n + 1, sizeof(*want));
	if (addrs == NULL || want == NULL) {
		free(addrs);
		free(want);
		return ST_ERR_NOMEM;
	}
	n = 0;
	for (i = 0; i < r->nmx; i++)
		for (k = 0; k < r->mx[i].naddrs && n < PROBE_SESSIONS_MAX; k++) {
			/* The address test runs on the most preferred address
			 * (checks.md 9) or, with --rcpt-all, on every one. */
			want[n] = r->mailbox != NULL && (n == 0 || r->opt.rcpt_all);
			addrs[n++] = &r->mx[i].addrs[k];
		}
	if (r->opt.catchall && r->mailbox != NULL && catchall_mailbox(r))
		sp.rcpt2 = r->catchall_rcpt;
	err = session_run_all(addrs, want, n, &sp);
	r->smtp_ms = n ? (long)(clock_ms() - t0) : -1;
	if (err == ST_OK && r->opt.cleartext && r->mailbox != NULL)
		err = cleartext_phase(r, addrs, want, n, &sp);
	/* checks.md 1.9: --scan runs after the standard sessions ended. */
	if (err == ST_OK && r->opt.scan) {
		t0 = clock_ms();
		err = scan_run_all(addrs, n, &sp);
		r->scan_ms = (long)(clock_ms() - t0);
	}
	free(addrs);
	free(want);
	return err;
}

/* remaining_ms - a step limit that never runs past the run deadline */
static unsigned
remaining_ms(const struct probe_result *r, unsigned step_ms)
{
	long long start = r->t0.tv_sec * 1000LL + r->t0.tv_nsec / 1000000;
	long long left = start + r->opt.deadline_ms - clock_ms();

	if (left < 1)
		left = 1;
	return left < (long long)step_ms ? (unsigned)left : step_ms;
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
	for (k = 0; k < m->naddrs; k++) {
		struct probe_addr *x = m->addrs[k].clear;

		if (x != NULL && x->sc_ready)
			smtp_client_release(&x->sc);
		if (x != NULL && x->tls.have_chain)
			cert_chain_result_release(&x->tls.chain);
		free(x);
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
	mtasts_state_free(r->sts);
	check_list_release(&r->checks);
	verdict_release(r->levels);
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

enum st_err
probe_run(const struct probe_options *o, struct probe_result **out,
    char *errmsg, size_t errlen)
{
	struct probe_result *r;
	SSL_CTX *ctx = NULL;
	X509_STORE *store = NULL;
	struct tls_init_job tj = {0};
	enum st_err err;
	long long t0;

	*out = NULL;
	errmsg[0] = '\0';
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return ST_ERR_NOMEM;
	r->opt = *o;
	r->scan_ms = -1;
	check_list_init(&r->checks);
	clock_gettime(CLOCK_MONOTONIC, &r->t0);
	t0 = clock_ms();
	clock_rfc3339_now(r->started, sizeof(r->started));
	if ((err = parse_target(r, errmsg, errlen)) != ST_OK)
		goto fail;
	/* libcurl's global state must exist before any thread starts. */
	if (probe_global_init(errmsg, errlen) != ST_OK) {
		err = ST_ERR_INTERNAL;
		goto fail;
	}
	pick_ehlo(r);
	if ((err = dns_config_init(&r->dnscfg, r->opt.resolvers, r->opt.nresolvers,
	    r->opt.timeout_ms, r->opt.trust_anchor, errmsg, errlen)) != ST_OK) {
		err = ST_ERR_INVAL;
		goto fail;
	}
	snprintf(r->trust_store, sizeof(r->trust_store), "%s",
	    o->ca_file ? o->ca_file : o->ca_path ? o->ca_path : X509_get_default_cert_file());
	r->dnscfg.timeout_ms = remaining_ms(r, r->opt.timeout_ms);
	tj.ca_file = o->ca_file;
	tj.ca_path = o->ca_path;
	err = dns_phase_mx(r, &tj);
	store = tj.store;
	ctx = tj.ctx;
	if (err == ST_OK && tj.err != ST_OK) {
		snprintf(errmsg, errlen, "%s", tj.errmsg);
		err = tj.err;
	}
	if (err != ST_OK)
		goto fail;
	/* The policy fetch overlaps the address lookups and SMTP sessions
	 * (issue: "concurrently with the SMTP sessions, never after"). */
	if (r->have_sts_dns &&
	    (r->sts = mtasts_start(r)) == NULL) {
		err = ST_ERR_NOMEM;
		goto fail;
	}
	/* Each DNS phase waits at most the step timeout, and never past the
	 * run deadline. */
	r->dnscfg.timeout_ms = remaining_ms(r, r->opt.timeout_ms);
	if ((err = dns_phase_hosts(r)) != ST_OK)
		goto fail;
	r->dns_ms = (long)(clock_ms() - t0);
	if ((err = build_addrs(r)) != ST_OK)
		goto fail;
	if ((err = smtp_phase(r, ctx, store)) != ST_OK)
		goto fail;
	mtasts_finish(r);
	r->mta_sts_ms = r->sts != NULL && r->sts->fetch_done ? (long)r->sts->fetch.ms : -1;
	if (clock_ms() - t0 >= (long long)r->opt.deadline_ms)
		r->deadline_hit = true;

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
	verdict_run(r);
	check_list_waive(&r->checks, r->opt.ignore, r->opt.nignore);
	check_list_sort(&r->checks);
	clock_rfc3339_now(r->finished, sizeof(r->finished));
	r->duration_ms = (long)(clock_ms() - t0);
	summary_run(r);
	SSL_CTX_free(ctx);
	X509_STORE_free(store);
	*out = r;
	return ST_OK;
fail:
	SSL_CTX_free(ctx);
	X509_STORE_free(store);
	probe_result_free(r);
	return err;
}
