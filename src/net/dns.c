/*
 * dns.c - DNS lookups with DNSSEC status (see dns.h): the lookup driver
 * (CNAME chain, AD and CD logic), the validation probe and the names of
 * rcodes, types and statuses. Configuration is in dns_config.c.
 *
 * Owns the dns_config and dns_answer contents it fills; every ldns object
 * it makes is freed before it returns. Never prints, keeps no globals: one
 * lookup is one dns_ctx on the caller's stack, so lookups may run in
 * several threads over one read-only dns_config.
 */
#include "dns.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dns_int.h"
#include "clock.h"
#include "st_limits.h"

#include "banned.h"

static const char *const dnssec_names[] = {
	[DNSSEC_UNCHECKED] = "unchecked",
	[DNSSEC_SECURE] = "secure",
	[DNSSEC_INSECURE] = "insecure",
	[DNSSEC_BOGUS] = "bogus",
	[DNSSEC_INDETERMINATE] = "indeterminate",
};
static_assert(sizeof(dnssec_names) / sizeof(dnssec_names[0]) == DNSSEC__COUNT,
    "dnssec_names must name every enum dns_dnssec value");

const char *
dns_dnssec_name(enum dns_dnssec s)
{
	if ((int)s < 0 || s >= DNSSEC__COUNT)
		return "unchecked";
	return dnssec_names[s];
}

const char *
dns_rcode_name(int rcode)
{
	static const char *const names[] = {
		"NOERROR",
		"FORMERR",
		"SERVFAIL",
		"NXDOMAIN",
		"NOTIMP",
		"REFUSED",
		"YXDOMAIN",
		"YXRRSET",
		"NXRRSET",
		"NOTAUTH",
		"NOTZONE",
	};

	if (rcode < 0)
		return NULL;
	if ((size_t)rcode < sizeof(names) / sizeof(names[0]))
		return names[rcode];
	return "RCODE";
}

const char *
dns_type_name(uint16_t type)
{
	const ldns_rr_descriptor *d = ldns_rr_descript(type);

	/* ldns knows the names of all types it can parse; its table is
	 * static, so the pointer stays valid. */
	if (d != NULL && d->_name != NULL)
		return d->_name;
	return "TYPE";
}

void
dns_ctx_init(struct dns_ctx *c, const struct dns_config *cfg)
{
	long ms = cfg->timeout_ms;

	memset(c, 0, sizeof(*c));
	c->cfg = cfg;
	c->deadline = clock_ms() + ms;
}

void
dns_ctx_release(struct dns_ctx *c)
{
	size_t i;

	for (i = 0; i < c->nzones; i++) {
		ldns_rdf_deep_free(c->zones[i].zone);
		ldns_rr_list_deep_free(c->zones[i].keys);
	}
	c->nzones = 0;
	ldns_pkt_free(c->primed);
	c->primed = NULL;
}

/*
 * ask - one question of the lookup: *p gets the response to use and
 * *rcode the rcode to report, *st the status for resolver-AD mode
 * (DNSSEC_UNCHECKED in local mode: the caller validates).
 */
static enum st_err
ask(struct dns_ctx *c, const ldns_rdf *name, ldns_rr_type type, ldns_pkt **p,
    int *rcode, enum dns_dnssec *st, char *errmsg, size_t errlen)
{
	bool local = c->cfg->source == DNS_SRC_LOCAL;
	ldns_pkt *cdp = NULL;
	enum st_err err;
	int rc;

	*st = DNSSEC_INDETERMINATE;
	if ((err = dns_query(c, name, type, local, p, errmsg, errlen)) != ST_OK)
		return err;
	*rcode = rc = ldns_pkt_get_rcode(*p);
	if (local) {
		*st = DNSSEC_UNCHECKED;
		return ST_OK;
	}
	if (rc == LDNS_RCODE_NOERROR || rc == LDNS_RCODE_NXDOMAIN) {
		*st = ldns_pkt_ad(*p) ? DNSSEC_SECURE : DNSSEC_INSECURE;
		return ST_OK;
	}
	if (rc != LDNS_RCODE_SERVFAIL)
		return ST_OK;
	/* RFC 4035 3.2.2: with CD the resolver hands out data it failed to
	 * validate; an answer then means the data is bogus, not missing. */
	if (dns_query(c, name, type, true, &cdp, errmsg, errlen) != ST_OK) {
		errmsg[0] = '\0';
		return ST_OK;
	}
	rc = ldns_pkt_get_rcode(cdp);
	if (rc == LDNS_RCODE_NOERROR || rc == LDNS_RCODE_NXDOMAIN) {
		ldns_pkt_free(*p);
		*p = cdp;
		*st = DNSSEC_BOGUS;
	} else
		ldns_pkt_free(cdp);
	return ST_OK;
}

/* link_add - record the CNAME from -> to with its status. */
static enum st_err
link_add(struct dns_answer *ans, const ldns_rdf *from, const ldns_rdf *to,
    enum dns_dnssec st)
{
	struct dns_cname_link *l;

	if (ans->cname == NULL &&
	    (ans->cname = calloc(DNS_CNAME_MAX, sizeof(*l))) == NULL)
		return ST_ERR_NOMEM;
	l = &ans->cname[ans->ncname];
	l->dnssec = st;
	if ((l->from = dns_dname_str(from)) == NULL ||
	    (l->to = dns_dname_str(to)) == NULL) {
		free(l->from);
		l->from = NULL;
		return ST_ERR_NOMEM;
	}
	ans->ncname++;
	return ST_OK;
}

/* seen_name - whether NAME is the query name or a link source so far. */
static bool
seen_name(const struct dns_answer *ans, const ldns_rdf *name)
{
	char *s = dns_dname_str(name);
	bool seen = false;
	size_t i;

	if (s == NULL)
		return false;
	seen = strcmp(s, ans->name) == 0;
	for (i = 0; i < ans->ncname && !seen; i++)
		seen = strcmp(s, ans->cname[i].from) == 0;
	free(s);
	return seen;
}

/*
 * follow - walk the CNAMEs of P starting at *cur, leaving *cur at the last
 * target (a fresh rdf). Sets *progress when a link was added.
 */
static enum st_err
follow(struct dns_ctx *c, struct dns_answer *ans, const ldns_pkt *p,
    enum dns_dnssec st, ldns_rdf **cur, bool *progress)
{
	const ldns_rr_list *an = ldns_pkt_answer(p);
	ldns_rr_list *cn;
	ldns_rdf *to;
	enum st_err err;

	*progress = false;
	for (;;) {
		if ((cn = dns_rr_select(an, *cur, LDNS_RR_TYPE_CNAME, 0)) ==
		    NULL)
			return ST_ERR_NOMEM;
		if (ldns_rr_list_rr_count(cn) == 0) {
			ldns_rr_list_free(cn);
			return ST_OK;
		}
		to = ldns_rr_rdf(ldns_rr_list_rr(cn, 0), 0);
		ldns_rr_list_free(cn);
		if (to == NULL)
			return ST_ERR_PROTO;
		if (ans->ncname >= DNS_CNAME_MAX) {
			snprintf(ans->errmsg, sizeof(ans->errmsg),
			    "more than "
			    "%d cname links from '%s'",
			    DNS_CNAME_MAX, ans->name);
			return ST_ERR_DNS;
		}
		if (seen_name(ans, to)) {
			snprintf(ans->errmsg, sizeof(ans->errmsg),
			    "cname loop from '%s'", ans->name);
			return ST_ERR_DNS;
		}
		if (c->cfg->source == DNS_SRC_LOCAL)
			st = dns_validate_rrset(c, p, *cur, LDNS_RR_TYPE_CNAME);
		if ((err = link_add(ans, *cur, to, st)) != ST_OK)
			return err;
		ldns_rdf_deep_free(*cur);
		if ((*cur = ldns_rdf_clone(to)) == NULL)
			return ST_ERR_NOMEM;
		*progress = true;
	}
}

/* has_soa - the authority section names the zone of a denial. */
static bool
has_soa(const ldns_pkt *p)
{
	ldns_rr_list *l =
	    dns_rr_select(ldns_pkt_authority(p), NULL, LDNS_RR_TYPE_SOA, 0);
	bool found = l != NULL && ldns_rr_list_rr_count(l) > 0;

	ldns_rr_list_free(l);
	return found;
}

/* finish - fill ans from the final response P for *cur. */
static enum st_err
finish(struct dns_ctx *c, struct dns_answer *ans, const ldns_pkt *p,
    const ldns_rdf *cur, enum dns_dnssec st)
{
	bool local = c->cfg->source == DNS_SRC_LOCAL;
	bool denial = ans->rcode == LDNS_RCODE_NOERROR ||
	              ans->rcode == LDNS_RCODE_NXDOMAIN;
	ldns_rr_list *rrs;
	enum st_err err;

	ans->ad = ldns_pkt_ad(p);
	if ((rrs = dns_rr_select(ldns_pkt_answer(p), cur, ans->type, 0)) ==
	    NULL)
		return ST_ERR_NOMEM;
	if (ldns_rr_list_rr_count(rrs) > 0) {
		if (local)
			st = dns_validate_rrset(c, p, cur, ans->type);
		err = dns_rr_fill(ans, rrs);
	} else {
		if (local && denial)
			st = dns_validate_denial(c, p, cur, ans->type);
		ans->ttl = dns_rr_negative_ttl(p);
		err = ST_OK;
	}
	ldns_rr_list_free(rrs);
	ans->dnssec = st;
	if (err == ST_ERR_PROTO)
		snprintf(ans->errmsg, sizeof(ans->errmsg),
		    "malformed %s record for '%s'", dns_type_name(ans->type),
		    ans->name);
	return err;
}

/* lookup_run - the body of dns_lookup once ans->name is set. */
static enum st_err
lookup_run(struct dns_ctx *c, struct dns_answer *ans, const ldns_rdf *qname)
{
	ldns_rdf *cur = NULL;
	ldns_pkt *p = NULL;
	enum dns_dnssec st;
	enum st_err err;
	bool progress;

	if ((cur = ldns_rdf_clone(qname)) == NULL)
		return ST_ERR_NOMEM;
	for (;;) {
		ldns_pkt_free(p);
		p = NULL;
		err = ask(c, cur, ans->type, &p, &ans->rcode, &st, ans->errmsg,
		    sizeof(ans->errmsg));
		if (err != ST_OK)
			break;
		if (ans->type == LDNS_RR_TYPE_CNAME)
			progress = false;
		else if ((err = follow(c, ans, p, st, &cur, &progress)) !=
		         ST_OK)
			break;
		/* A chain ending in a CNAME with neither the target's data
		 * nor a denial for it: ask for the target ourselves. */
		if (progress && ans->rcode == LDNS_RCODE_NOERROR &&
		    !has_soa(p)) {
			ldns_rr_list *rrs = dns_rr_select(ldns_pkt_answer(p),
			    cur, ans->type, 0);
			size_t n = rrs != NULL ? ldns_rr_list_rr_count(rrs) : 1;

			ldns_rr_list_free(rrs);
			if (n == 0)
				continue;
		}
		err = finish(c, ans, p, cur, st);
		break;
	}
	ldns_pkt_free(p);
	ldns_rdf_deep_free(cur);
	return err;
}

/* rcode_check - rcodes other than NOERROR and NXDOMAIN are errors, except
 * a SERVFAIL that the CD retry showed to be bogus data. */
static enum st_err
rcode_check(struct dns_answer *ans)
{
	if (ans->rcode == LDNS_RCODE_NOERROR ||
	    ans->rcode == LDNS_RCODE_NXDOMAIN || ans->dnssec == DNSSEC_BOGUS)
		return ST_OK;
	ans->dnssec = DNSSEC_INDETERMINATE;
	snprintf(ans->errmsg, sizeof(ans->errmsg),
	    "resolver answered %s for '%s' %s", dns_rcode_name(ans->rcode),
	    ans->name, dns_type_name(ans->type));
	return ST_ERR_DNS;
}

enum st_err
dns_lookup_ctx(struct dns_ctx *c, const char *name, uint16_t type,
    struct dns_answer *ans, long long t0)
{
	ldns_rdf *qname = NULL;
	enum st_err err;

	memset(ans, 0, sizeof(*ans));
	ans->type = type;
	ans->rcode = -1;
	ans->ttl = -1;
	ans->dnssec = DNSSEC_INDETERMINATE;
	err = ST_ERR_NOMEM;
	if ((ans->name = strdup(name)) == NULL)
		goto out;
	if (ldns_str2rdf_dname(&qname, name) != LDNS_STATUS_OK ||
	    qname == NULL) {
		err = ST_ERR_INVAL;
		snprintf(ans->errmsg, sizeof(ans->errmsg),
		    "invalid domain name '%s'", name);
		goto out;
	}
	free(ans->name);
	if ((ans->name = dns_dname_str(qname)) == NULL)
		goto out;
	if (ans->name[0] == '\0') {
		/* The root keeps its one-character name. */
		free(ans->name);
		if ((ans->name = strdup(".")) == NULL)
			goto out;
	}
	err = lookup_run(c, ans, qname);
	/* What a validating sender sees of bogus data: SERVFAIL, as the
	 * resolver path reports it (the answers stay, for the report). */
	if (err == ST_OK && c->cfg->source == DNS_SRC_LOCAL &&
	    ans->dnssec == DNSSEC_BOGUS)
		ans->rcode = LDNS_RCODE_SERVFAIL;
	if (err == ST_OK)
		err = rcode_check(ans);
	if (c->why[0] != '\0' && (ans->dnssec == DNSSEC_BOGUS ||
	                             ans->dnssec == DNSSEC_INDETERMINATE))
		snprintf(ans->dnssec_why, sizeof(ans->dnssec_why), "%s",
		    c->why);
	else if (ans->dnssec == DNSSEC_BOGUS)
		snprintf(ans->dnssec_why, sizeof(ans->dnssec_why),
		    "the resolver answered SERVFAIL and gave data with cd set");
out:
	if (err == ST_ERR_NOMEM && ans->errmsg[0] == '\0')
		snprintf(ans->errmsg, sizeof(ans->errmsg), "out of memory");
	if (err != ST_OK && ans->rcode == -1)
		ans->dnssec = DNSSEC_INDETERMINATE;
	ans->err = err;
	ans->queries = c->nqueries;
	ldns_rdf_deep_free(qname);
	ans->ms = (unsigned)(clock_ms() - t0);
	return err;
}

enum st_err
dns_lookup(const struct dns_config *cfg, const char *name, uint16_t type,
    struct dns_answer *ans)
{
	long long t0 = clock_ms();
	struct dns_ctx c;
	enum st_err err;

	dns_ctx_init(&c, cfg);
	err = dns_lookup_ctx(&c, name, type, ans, t0);
	dns_ctx_release(&c);
	return err;
}

static const char *const validation_names[] = {
	[DNS_VALIDATION_OK] = "ok",
	[DNS_VALIDATION_NO_AD] = "no-ad",
	[DNS_VALIDATION_NO_RRSIG] = "no-rrsig",
	[DNS_VALIDATION_FAILED] = "failed",
};
static_assert(sizeof(validation_names) / sizeof(validation_names[0]) ==
                  DNS_VALIDATION__COUNT,
    "validation_names must name every enum dns_validation value");

const char *
dns_validation_name(enum dns_validation v)
{
	if ((int)v < 0 || v >= DNS_VALIDATION__COUNT)
		return "failed";
	return validation_names[v];
}

/* probe_local - the anchor zone's DNSKEY RRset validates with the anchor */
static enum st_err
probe_local(struct dns_ctx *c, enum dns_validation *state, char *errmsg,
    size_t errlen)
{
	const ldns_rdf *zone =
	    ldns_rr_owner(ldns_rr_list_rr(c->cfg->anchor, 0));
	enum dns_dnssec st;
	char *zs = dns_dname_str(zone);

	if (zs == NULL)
		return ST_ERR_NOMEM;
	st = dns_validate_zone(c, zone);
	*state = st == DNSSEC_SECURE ? DNS_VALIDATION_OK
	         : c->no_rrsig       ? DNS_VALIDATION_NO_RRSIG
	                             : DNS_VALIDATION_FAILED;
	if (*state == DNS_VALIDATION_OK)
		errmsg[0] = '\0';
	else if (*state == DNS_VALIDATION_NO_RRSIG)
		snprintf(errmsg, errlen, "%s", c->why);
	else
		snprintf(errmsg, errlen,
		    "the dnskey rrset of '%s' does "
		    "not validate with the trust anchor: %s",
		    zs[0] ? zs : ".", c->why[0] ? c->why : dns_dnssec_name(st));
	free(zs);
	return ST_OK;
}

/* probe_resolver - the resolver sets AD on the root SOA; without AD, an
 * SOA without its RRSIG shows the resolver strips DNSSEC records (the root
 * is signed, and we asked with DO) */
static enum st_err
probe_resolver(struct dns_ctx *c, enum dns_validation *state, char *errmsg,
    size_t errlen)
{
	ldns_rdf *root = ldns_dname_new_frm_str(".");
	ldns_rr_list *soa = NULL, *sig = NULL;
	ldns_pkt *p = NULL;
	enum st_err err = ST_ERR_NOMEM;
	int rc;

	if (root == NULL)
		goto out;
	if ((err = dns_query(c, root, LDNS_RR_TYPE_SOA, false, &p, errmsg,
	         errlen)) != ST_OK)
		goto out;
	rc = ldns_pkt_get_rcode(p);
	soa = dns_rr_select(ldns_pkt_answer(p), root, LDNS_RR_TYPE_SOA, 0);
	sig = dns_rr_select(ldns_pkt_answer(p), root, LDNS_RR_TYPE_RRSIG,
	    LDNS_RR_TYPE_SOA);
	if (soa == NULL || sig == NULL) {
		err = ST_ERR_NOMEM;
		snprintf(errmsg, errlen, "out of memory");
		goto out;
	}
	errmsg[0] = '\0';
	if (rc == LDNS_RCODE_NOERROR && ldns_pkt_ad(p))
		*state = DNS_VALIDATION_OK;
	else if (rc == LDNS_RCODE_NOERROR && ldns_rr_list_rr_count(soa) > 0 &&
	         ldns_rr_list_rr_count(sig) == 0) {
		*state = DNS_VALIDATION_NO_RRSIG;
		snprintf(errmsg, errlen,
		    "no rrsig with the '.' SOA: the resolver strips dnssec "
		    "records (no do support)");
	} else
		snprintf(errmsg, errlen,
		    "the resolver did not set the ad bit "
		    "for '.' SOA (rcode %s)",
		    dns_rcode_name(rc));
out:
	ldns_rr_list_free(soa);
	ldns_rr_list_free(sig);
	ldns_pkt_free(p);
	ldns_rdf_deep_free(root);
	return err;
}

enum st_err
dns_probe_validation(const struct dns_config *cfg, enum dns_validation *state,
    char *errmsg, size_t errlen)
{
	struct dns_ctx c;
	enum st_err err;

	snprintf(errmsg, errlen, "out of memory");
	dns_ctx_init(&c, cfg);
	if (cfg->source == DNS_SRC_LOCAL) {
		*state = DNS_VALIDATION_FAILED;
		err = probe_local(&c, state, errmsg, errlen);
	} else {
		*state = DNS_VALIDATION_NO_AD;
		err = probe_resolver(&c, state, errmsg, errlen);
	}
	dns_ctx_release(&c);
	return err;
}
