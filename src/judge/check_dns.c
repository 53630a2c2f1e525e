/*
 * check_dns.c - DNS findings (checks.md 2): the resolver's validation, the
 * MX lookup and its DNSSEC status, the null MX, and per MX host the name's
 * syntax, aliasing, addresses and their DNSSEC status and routability.
 */
#include "judge.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include <ldns/ldns.h>

#include "check_data.h"
#include "ipaddr.h"

#include "banned.h"

static const char *
subject_domain(const struct probe_result *r)
{
	return r->domain ? r->domain : r->host;
}

static void
check_resolver(struct probe_result *r)
{
	struct check_data *d = check_data_new(&r->checks, CD_DNS_RESOLVER);

	if (d != NULL) {
		d->u.resolver.local = r->dnscfg.source == DNS_SRC_LOCAL;
		snprintf(d->u.resolver.resolver, sizeof(d->u.resolver.resolver),
		    "%s:%u",
		    r->dnscfg.nservers ? r->dnscfg.servers[0].addr : "",
		    r->dnscfg.nservers ? (unsigned)r->dnscfg.servers[0].port
		                       : 0);
		d->u.resolver.state = r->validation;
	}
	if (!r->validating) {
		/* A resolver that drops RRSIGs is not a bogus answer: nothing
		 * at all can be validated through it (checks.md 2). */
		check_add(&r->checks, CK_DNS_RESOLVER_DNSSEC, CHECK_ERROR,
		    subject_domain(r), NULL, NULL, 0, d,
		    "no DNSSEC validation: %s%s%s",
		    r->validation == DNS_VALIDATION_NO_RRSIG
		        ? "the resolver strips RRSIGs (no DO support)"
		    : r->dnscfg.source == DNS_SRC_LOCAL
		        ? "local validation from the trust anchor fails"
		        : "the resolver never set the AD bit",
		    r->validating_detail[0] ? "; " : "", r->validating_detail);
		return;
	}
	if (r->dnscfg.source == DNS_SRC_LOCAL) {
		check_add(&r->checks, CK_DNS_RESOLVER_DNSSEC, CHECK_PASS,
		    subject_domain(r), NULL, NULL, 0, d,
		    "validated locally with the trust anchor");
		return;
	}
	{
		unsigned char a[16];
		const char *s = r->dnscfg.servers[0].addr;
		bool loop = false;

		if (inet_pton(AF_INET, s, a) == 1)
			loop = a[0] == 127;
		else if (inet_pton(AF_INET6, s, a) == 1)
			loop = memcmp(a, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\1",
			           16) == 0;
		check_add(&r->checks, CK_DNS_RESOLVER_DNSSEC,
		    loop ? CHECK_PASS : CHECK_WARN, subject_domain(r), NULL,
		    NULL, 0, d,
		    loop
		        ? "the resolver validates and sets the AD bit on loopback"
		        : "the resolver sets the AD bit but is not on loopback: the AD bit "
		          "crosses an unprotected path; use a local validating resolver or "
		          "--trust-anchor");
	}
}

/* dnssec_status - the DNSSEC status a check may trust */
static enum dns_dnssec
dnssec_of(const struct probe_result *r, const struct dns_answer *a)
{
	if (!r->validating)
		return DNSSEC_UNCHECKED;
	return a->dnssec;
}

static bool
has_addresses(const struct probe_result *r)
{
	for (size_t i = 0; i < r->nmx; i++)
		if (r->mx[i].naddrs > 0)
			return true;
	return false;
}

static void
check_mx_lookup(struct probe_result *r)
{
	const struct dns_answer *a = &r->mxans;
	const char *rc = dns_rcode_name(a->rcode);
	struct check_data *d = check_data_new(&r->checks, CD_DNS_MX_LOOKUP);
	enum check_status st;
	char detail[300];

	if (d != NULL) {
		d->u.mx_lookup.rcode = rc;
		d->u.mx_lookup.dnssec = dnssec_of(r, a);
		d->u.mx_lookup.count = a->nmx;
		d->u.mx_lookup.implicit = r->implicit;
		d->u.mx_lookup.chain = a;
	}

	if (a->err != ST_OK && a->dnssec != DNSSEC_BOGUS) {
		st = CHECK_ERROR;
		snprintf(detail, sizeof(detail), "MX lookup failed: %s",
		    a->errmsg);
	} else if (a->dnssec == DNSSEC_BOGUS) {
		st = CHECK_FAIL;
		snprintf(detail, sizeof(detail),
		    "the MX answer is DNSSEC-bogus: "
		    "senders behind validating resolvers get SERVFAIL and defer");
	} else if (a->rcode == LDNS_RCODE_NXDOMAIN) {
		st = CHECK_FAIL;
		snprintf(detail, sizeof(detail), "%s does not exist (NXDOMAIN)",
		    r->domain);
	} else if (a->rcode != LDNS_RCODE_NOERROR) {
		st = CHECK_ERROR;
		snprintf(detail, sizeof(detail), "MX lookup answered %s",
		    rc ? rc : "nothing");
	} else if (r->implicit) {
		if (has_addresses(r)) {
			st = CHECK_INFO;
			snprintf(detail, sizeof(detail),
			    "no MX records: the domain's own "
			    "address records are used (implicit MX, RFC 5321 5.1); publish "
			    "an MX, or a null MX if the domain takes no mail");
		} else {
			st = CHECK_FAIL;
			snprintf(detail, sizeof(detail),
			    "no MX records and no address records");
		}
	} else {
		st = CHECK_PASS;
		snprintf(detail, sizeof(detail), "%zu MX record%s", a->nmx,
		    a->nmx == 1 ? "" : "s");
	}
	check_add(&r->checks, CK_DNS_MX_LOOKUP, st, r->domain, NULL, NULL, 0, d,
	    "%s", detail);
}

static void
check_mx_dnssec(struct probe_result *r)
{
	enum dns_dnssec s = dnssec_of(r, &r->mxans);
	static const enum check_status map[DNSSEC__COUNT] = {
		[DNSSEC_UNCHECKED] = CHECK_ERROR,
		[DNSSEC_SECURE] = CHECK_PASS,
		[DNSSEC_INSECURE] = CHECK_WARN,
		[DNSSEC_BOGUS] = CHECK_FAIL,
		[DNSSEC_INDETERMINATE] = CHECK_ERROR,
	};

	check_add(&r->checks, CK_DNS_MX_DNSSEC, map[s], r->domain, NULL, NULL,
	    0, NULL,
	    s == DNSSEC_SECURE ? "the MX answer is DNSSEC-signed and validates"
	    : s == DNSSEC_INSECURE
	        ? "the MX answer is not signed: an on-path attacker "
	          "can replace the MX hosts (DANE on the hosts' own zones and MTA-STS can "
	          "still protect them)"
	    : s == DNSSEC_BOGUS ? "the MX answer fails DNSSEC validation"
	                        : "DNSSEC status of the MX answer unknown");
}

static void
check_mx_null(struct probe_result *r)
{
	const struct dns_answer *a = &r->mxans;
	size_t i, dots = 0;

	for (i = 0; i < a->nmx; i++)
		if (a->mx[i].exchange[0] == '\0')
			dots++;
	if (dots == 0)
		check_add(&r->checks, CK_DNS_MX_NULL, CHECK_PASS, r->domain,
		    NULL, NULL, 0, NULL, "no null MX record");
	else if (dots == a->nmx && a->nmx == 1 && a->mx[0].preference == 0)
		check_add(&r->checks, CK_DNS_MX_NULL, CHECK_INFO, r->domain,
		    NULL, NULL, 0, NULL,
		    "null MX (RFC 7505): this domain accepts no mail");
	else if (dots == a->nmx && a->nmx == 1)
		check_add(&r->checks, CK_DNS_MX_NULL, CHECK_WARN, r->domain,
		    NULL, NULL, 0, NULL,
		    "null MX with preference %u instead of 0: this domain "
		    "accepts no mail",
		    (unsigned)a->mx[0].preference);
	else
		check_add(&r->checks, CK_DNS_MX_NULL, CHECK_FAIL, r->domain,
		    NULL, NULL, 0, NULL,
		    "a null MX record mixed with other MX records (RFC 7505 3 "
		    "forbids it)");
}

/* host_syntax - 0 host name, 1 tolerated (underscore), 2 not a host name */
static int
host_syntax(const char *name)
{
	size_t len = strlen(name), label = 0, i;
	unsigned char tmp[16];
	int worst = 0;

	if (inet_pton(AF_INET, name, tmp) == 1 || name[0] == '[' ||
	    inet_pton(AF_INET6, name, tmp) == 1 || len == 0 || len > 253)
		return 2;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];

		if (c == '.') {
			if (label == 0 || name[i - 1] == '-')
				return 2;
			label = 0;
			continue;
		}
		if (++label > 63)
			return 2;
		if (c == '-' && label == 1)
			return 2;
		if (c == '_')
			worst = 1;
		else if (!isalnum(c) && c != '-')
			return 2;
	}
	return label == 0 ? 2 : worst;
}

static const char *
family_status_text(const struct dns_answer *a)
{
	if (a->err != ST_OK)
		return a->errmsg;
	if (a->rcode == LDNS_RCODE_NXDOMAIN)
		return "NXDOMAIN";
	if (a->rcode != LDNS_RCODE_NOERROR)
		return dns_rcode_name(a->rcode) ? dns_rcode_name(a->rcode)
		                                : "no answer";
	return a->ntext ? "ok" : "no records";
}

static bool
lookup_failed(const struct dns_answer *a)
{
	return a->err != ST_OK || (a->rcode != LDNS_RCODE_NOERROR &&
	                              a->rcode != LDNS_RCODE_NXDOMAIN);
}

static void
check_host_resolves(struct probe_result *r, struct probe_mx *m)
{
	struct check_data *d = check_data_new(&r->checks, CD_DNS_ADDRS);
	size_t n4 = m->have_a ? m->a.ntext : 0,
	       n6 = m->have_aaaa ? m->aaaa.ntext : 0;
	bool err4 = m->have_a && lookup_failed(&m->a);
	bool err6 = m->have_aaaa && lookup_failed(&m->aaaa);
	bool bogus = (m->have_a && m->a.dnssec == DNSSEC_BOGUS) ||
	             (m->have_aaaa && m->aaaa.dnssec == DNSSEC_BOGUS);
	enum check_status st;

	if (d != NULL) {
		d->u.addrs.a = m->a.text;
		d->u.addrs.na = n4;
		d->u.addrs.aaaa = m->aaaa.text;
		d->u.addrs.naaaa = n6;
	}
	if (bogus)
		st = CHECK_FAIL;
	else if (n4 + n6 > 0)
		st = (err4 || err6) ? CHECK_WARN : CHECK_PASS;
	else if (err4 || err6)
		st = CHECK_ERROR;
	else
		st = CHECK_FAIL;
	check_add(&r->checks, CK_DNS_MX_TARGET_RESOLVES, st, NULL, m->name,
	    NULL, m->order, d,
	    "%zu IPv4 and %zu IPv6 address%s%s; A: %s; AAAA: %s", n4, n6,
	    n4 + n6 == 1 ? "" : "es", bogus ? " (bogus answer)" : "",
	    m->have_a ? family_status_text(&m->a) : "not queried",
	    m->have_aaaa ? family_status_text(&m->aaaa) : "not queried");
}

static void
check_host_addr_dnssec(struct probe_result *r, struct probe_mx *m)
{
	enum dns_dnssec w = DNSSEC_SECURE;
	const struct dns_answer *as[2] = { m->have_a ? &m->a : NULL,
		m->have_aaaa ? &m->aaaa : NULL };
	enum check_status st;

	/* The worse of both families: bogus, then unknown, then insecure. */
	for (int i = 0; i < 2; i++) {
		enum dns_dnssec s;

		if (as[i] == NULL || as[i]->err == ST_ERR_TIMEOUT)
			continue;
		s = dnssec_of(r, as[i]);
		if (s == DNSSEC_BOGUS || w == DNSSEC_BOGUS)
			w = DNSSEC_BOGUS;
		else if (s == DNSSEC_UNCHECKED || s == DNSSEC_INDETERMINATE)
			w = s;
		else if (s == DNSSEC_INSECURE && w == DNSSEC_SECURE)
			w = DNSSEC_INSECURE;
	}
	st = w == DNSSEC_SECURE     ? CHECK_PASS
	     : w == DNSSEC_INSECURE ? CHECK_WARN
	     : w == DNSSEC_BOGUS    ? CHECK_FAIL
	                            : CHECK_ERROR;
	check_add(&r->checks, CK_DNS_MX_ADDR_DNSSEC, st, NULL, m->name, NULL,
	    m->order, NULL, "address records of %s are %s%s", m->name,
	    dns_dnssec_name(w),
	    w != DNSSEC_INSECURE ? ""
	    : probe_mx_secure_cname(m)
	        ? ": an attacker "
	          "can redirect connections, but the CNAME is secure, so DANE still "
	          "applies at the MX host name (RFC 7672 2.2.2)"
	        : ": DANE cannot apply to this host");
}

/* special_purpose - RFC 6890 and successors: not globally reachable */
static bool
special_purpose(const struct probe_addr *pa)
{
	unsigned char a[16];

	if (inet_pton(pa->family, pa->address, a) != 1)
		return true;
	return ipaddr_special(pa->family, a);
}

static void
check_host_routable(struct probe_result *r, struct probe_mx *m)
{
	size_t special = 0, i;
	enum check_status st;

	if (m->naddrs == 0) {
		check_add(&r->checks, CK_DNS_MX_ADDR_ROUTABLE, CHECK_SKIP, NULL,
		    m->name, NULL, m->order, NULL,
		    "not evaluated: dns.mx.target.resolves found no address");
		return;
	}
	for (i = 0; i < m->naddrs; i++)
		if (special_purpose(&m->addrs[i]))
			special++;
	st = special == 0           ? CHECK_PASS
	     : special == m->naddrs ? CHECK_FAIL
	                            : CHECK_WARN;
	if (st != CHECK_PASS && r->opt.allow_private)
		st = CHECK_INFO;
	check_add(&r->checks, CK_DNS_MX_ADDR_ROUTABLE, st, NULL, m->name, NULL,
	    m->order, NULL,
	    special == 0
	        ? "every address is globally reachable"
	        : "%zu of %zu addresses are special-purpose (RFC 6890)%s",
	    special, m->naddrs,
	    r->opt.allow_private ? "; --allow-private" : "");
}

static void
check_host(struct probe_result *r, struct probe_mx *m)
{
	int syn = host_syntax(m->name);
	struct check_data *d;

	if (m->literal)
		return;
	{
		if ((d = check_data_new(&r->checks, CD_DNS_EXCHANGE)) != NULL)
			d->u.exchange = m->name;
		check_add(&r->checks, CK_DNS_MX_TARGET_SYNTAX,
		    syn == 0   ? CHECK_PASS
		    : syn == 1 ? CHECK_WARN
		               : CHECK_FAIL,
		    NULL, m->name, NULL, m->order, d,
		    syn == 0 ? "a valid host name"
		    : syn == 1
		        ? "contains characters outside letters, digits and hyphens"
		        : "not a host name (RFC 5321 5.1 needs a name with address records)");
	}
	{
		const struct dns_answer *a = m->have_a      ? &m->a
		                             : m->have_aaaa ? &m->aaaa
		                                            : NULL;

		if (a != NULL && a->ncname > 0)
			check_add(&r->checks, CK_DNS_MX_TARGET_CNAME,
			    CHECK_WARN, NULL, m->name, NULL, m->order, NULL,
			    "%s is an alias of %s (RFC 2181 "
			    "10.3); the CNAME is %s",
			    m->name, a->cname[a->ncname - 1].to,
			    dns_dnssec_name(a->cname[0].dnssec));
		else
			check_add(&r->checks, CK_DNS_MX_TARGET_CNAME,
			    CHECK_PASS, NULL, m->name, NULL, m->order, NULL,
			    "not an alias");
	}
	check_host_resolves(r, m);
	check_host_addr_dnssec(r, m);
	check_host_routable(r, m);
}

void
check_dns_run(struct probe_result *r)
{
	size_t i;

	check_resolver(r);
	if (r->kind != TARGET_HOST) {
		check_mx_lookup(r);
		if (r->mxans.err == ST_OK || r->mxans.dnssec == DNSSEC_BOGUS)
			check_mx_dnssec(r);
		else
			check_add(&r->checks, CK_DNS_MX_DNSSEC, CHECK_ERROR,
			    r->domain, NULL, NULL, 0, NULL,
			    "MX lookup failed: %s", r->mxans.errmsg);
		check_mx_null(r);
	}
	for (i = 0; i < r->nmx; i++)
		check_host(r, &r->mx[i]);
}
