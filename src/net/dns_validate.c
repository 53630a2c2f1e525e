/*
 * dns_validate.c - local DNSSEC validation against a trust anchor (RFC 4035
 * 5), for lookups with dnssec_source DNS_SRC_LOCAL.
 *
 * The chain is built from the data down to the anchor and checked from the
 * anchor down: an RRset names its zone in its RRSIG signer; a zone's keys
 * are its DNSKEY RRset, self-signed by a key that matches the anchor (at
 * the anchor's zone) or a DS RRset that is itself a secure RRset of the
 * parent. A signed NSEC/NSEC3 proof that a delegation has no DS makes the
 * zone below insecure (RFC 4035 5.2). Unsigned data gets its zone from an
 * SOA (authority section, else an SOA query) and is insecure only if that
 * zone is proven insecure; a signer must be the owner or an ancestor (a
 * proper ancestor for DS), so every step moves up and the walk ends.
 *
 * All queries go through dns_query() with CD set and spend the lookup's
 * deadline; validated DNSKEY RRsets are cached in the dns_ctx for the rest
 * of the lookup. Crypto and time checks are ldns_verify()'s. Limits are
 * listed in dns.h. Never prints. This file walks the key chain; the
 * NSEC/NSEC3 proofs are in dns_validate_nsec.c, the helpers both use in
 * dns_validate_util.c.
 */
#include "dns_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns_validate_int.h"

#include "banned.h"
#include "st_limits.h"

static enum dns_dnssec zone_status(struct dns_ctx *c, const ldns_rdf *zone,
    int depth, const ldns_rr_list **keys);

static const ldns_rdf *
anchor_zone(const struct dns_ctx *c)
{
	return ldns_rr_owner(ldns_rr_list_rr(c->cfg->anchor, 0));
}

/* keys_present - the DNSKEY RRset DK of ZN can be checked at all: BOGUS
 * when empty; INDETERMINATE when the anchor zone's keys came without any
 * RRSIG (SIGS): the resolver drops DNSSEC records (no DO support), which is
 * no answer that fails validation but a path on which nothing can be
 * validated; else SECURE (meaning: go on). */
static enum dns_dnssec
keys_present(struct dns_ctx *c, const ldns_rr_list *dk,
    const ldns_rr_list *sigs, const ldns_rr_list *trusted, const char *zn)
{
	if (ldns_rr_list_rr_count(dk) == 0) {
		dnsv_why(c, "no dnskey records for '%s'", zn);
		return DNSSEC_BOGUS;
	}
	if (ldns_rr_list_rr_count(sigs) > 0 || trusted != c->cfg->anchor)
		return DNSSEC_SECURE;
	dnsv_why(c,
	    "no rrsig with the dnskey rrset of '%s': the resolver strips "
	    "dnssec records (no do support)",
	    zn);
	c->no_rrsig = true;
	return DNSSEC_INDETERMINATE;
}

/* dnskey_status - ZONE's DNSKEY RRset, signed by a key matching TRUSTED
 * (DS records, or DNSKEY records of the anchor). */
static enum dns_dnssec
dnskey_status(struct dns_ctx *c, const ldns_rdf *zone,
    const ldns_rr_list *trusted, ldns_rr_list **keys)
{
	ldns_rr_list *dk = NULL, *sigs = NULL, *sk = NULL;
	ldns_pkt *p = NULL;
	enum dns_dnssec st = DNSSEC_INDETERMINATE;
	char em[160], zn[80];
	ldns_status s;
	size_t i, j;

	*keys = NULL;
	dnsv_dname(zone, zn, sizeof(zn));
	if (dns_query(c, zone, LDNS_RR_TYPE_DNSKEY, true, &p, em, sizeof(em)) !=
	    ST_OK) {
		dnsv_why(c, "dnskey query for '%s': %s", zn, em);
		goto out;
	}
	dk = dns_rr_select(ldns_pkt_answer(p), zone, LDNS_RR_TYPE_DNSKEY, 0);
	sigs = dns_rr_select(ldns_pkt_answer(p), zone, LDNS_RR_TYPE_RRSIG,
	    LDNS_RR_TYPE_DNSKEY);
	sk = ldns_rr_list_new();
	if (dk == NULL || sigs == NULL || sk == NULL)
		goto out;
	if ((st = keys_present(c, dk, sigs, trusted, zn)) != DNSSEC_SECURE)
		goto out;
	st = DNSSEC_BOGUS;
	for (i = 0; i < ldns_rr_list_rr_count(dk); i++)
		for (j = 0; j < ldns_rr_list_rr_count(trusted); j++)
			if (ldns_rr_compare_ds(ldns_rr_list_rr(trusted, j),
			        ldns_rr_list_rr(dk, i))) {
				if (!ldns_rr_list_push_rr(sk,
				        ldns_rr_list_rr(dk, i)))
					goto out;
				break;
			}
	if (ldns_rr_list_rr_count(sk) == 0) {
		dnsv_why(c, "no dnskey of '%s' matches its ds or trust anchor",
		    zn);
		goto out;
	}
	if ((s = ldns_verify(dk, sigs, sk, NULL)) != LDNS_STATUS_OK) {
		dnsv_why(c, "dnskey rrset of '%s': %s", zn,
		    ldns_get_errorstr_by_id(s));
		goto out;
	}
	if ((*keys = ldns_rr_list_clone(dk)) == NULL)
		st = DNSSEC_INDETERMINATE;
	else
		st = DNSSEC_SECURE;
out:
	ldns_rr_list_free(sk);
	ldns_rr_list_free(sigs);
	ldns_rr_list_free(dk);
	ldns_pkt_free(p);
	return st;
}

/* unsigned_zone - the zone that NAME's unsigned data claims to be in:
 * an SOA in P's authority section, else the answer to an SOA query. */
static ldns_rdf *
unsigned_zone(struct dns_ctx *c, const ldns_pkt *p, const ldns_rdf *name)
{
	const ldns_rr_list *sec;
	ldns_pkt *q = NULL;
	ldns_rdf *zone = NULL;
	const ldns_rr *rr;
	char em[160], nn[80];
	size_t i, pass;

	for (pass = 0; pass < 3 && zone == NULL; pass++) {
		if (pass == 0)
			sec = ldns_pkt_authority(p);
		else if (pass == 1) {
			if (dns_query(c, name, LDNS_RR_TYPE_SOA, true, &q, em,
			        sizeof(em)) != ST_OK) {
				dnsv_why(c, "soa query for '%s': %s",
				    dnsv_dname(name, nn, sizeof(nn)), em);
				break;
			}
			sec = ldns_pkt_answer(q);
		} else
			sec = ldns_pkt_authority(q);
		for (i = 0; i < ldns_rr_list_rr_count(sec); i++) {
			rr = ldns_rr_list_rr(sec, i);
			if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_SOA &&
			    dnsv_under(name, ldns_rr_owner(rr), false)) {
				zone = ldns_rdf_clone(ldns_rr_owner(rr));
				break;
			}
		}
	}
	if (zone == NULL)
		dnsv_why(c, "cannot find the zone of '%s'",
		    dnsv_dname(name, nn, sizeof(nn)));
	ldns_pkt_free(q);
	return zone;
}

/* unsigned_status - data at NAME came without signatures: insecure only
 * when its zone is proven insecure. */
static enum dns_dnssec
unsigned_status(struct dns_ctx *c, const ldns_pkt *p, const ldns_rdf *name,
    bool in_parent, int depth, const char *what)
{
	ldns_rdf *zone, *n = NULL;
	const ldns_rr_list *keys;
	enum dns_dnssec st;
	char zn[80];

	if (in_parent && (name = n = ldns_dname_left_chop(name)) == NULL)
		return DNSSEC_INDETERMINATE;
	zone = unsigned_zone(c, p, name);
	ldns_rdf_deep_free(n);
	if (zone == NULL)
		return DNSSEC_INDETERMINATE;
	st = zone_status(c, zone, depth, &keys);
	if (st == DNSSEC_SECURE) {
		dnsv_why(c, "%s is not signed in the signed zone '%s'", what,
		    dnsv_dname(zone, zn, sizeof(zn)));
		st = DNSSEC_BOGUS;
	}
	ldns_rdf_deep_free(zone);
	return st;
}

/* rrset_status - the RRset OWNER/TYPE in P's answer section. */
static enum dns_dnssec
rrset_status(struct dns_ctx *c, const ldns_pkt *p, const ldns_rdf *owner,
    ldns_rr_type type, int depth)
{
	ldns_rr_list *rrs = NULL, *sigs = NULL, *mine = NULL;
	const ldns_rr_list *keys;
	const ldns_rdf *signer;
	enum dns_dnssec st = DNSSEC_INDETERMINATE;
	bool ds = type == LDNS_RR_TYPE_DS;
	char on[80], what[120];
	ldns_status s;

	snprintf(what, sizeof(what), "'%s' %s",
	    dnsv_dname(owner, on, sizeof(on)),
	    ldns_rr_descript(type) ? ldns_rr_descript(type)->_name : "?");
	rrs = dns_rr_select(ldns_pkt_answer(p), owner, type, 0);
	sigs =
	    dns_rr_select(ldns_pkt_answer(p), owner, LDNS_RR_TYPE_RRSIG, type);
	if (rrs == NULL || sigs == NULL)
		goto out;
	if (ldns_rr_list_rr_count(sigs) == 0) {
		st = unsigned_status(c, p, owner, ds, depth, what);
		goto out;
	}
	signer = ldns_rr_rrsig_signame(ldns_rr_list_rr(sigs, 0));
	if (signer == NULL || !dnsv_under(owner, signer, ds)) {
		dnsv_why(c, "%s is signed by a zone that cannot hold it", what);
		st = DNSSEC_BOGUS;
		goto out;
	}
	if ((st = zone_status(c, signer, depth, &keys)) != DNSSEC_SECURE)
		goto out;
	if ((mine = dnsv_signed_by(sigs, signer)) == NULL) {
		st = DNSSEC_INDETERMINATE;
		goto out;
	}
	if ((s = ldns_verify(rrs, mine, keys, NULL)) != LDNS_STATUS_OK) {
		dnsv_why(c, "%s: %s", what, ldns_get_errorstr_by_id(s));
		st = DNSSEC_BOGUS;
	}
out:
	ldns_rr_list_free(mine);
	ldns_rr_list_free(sigs);
	ldns_rr_list_free(rrs);
	return st;
}

/* denial_status - P denies QNAME/QTYPE; for DS, *deleg as in dnsv_proof(). */
static enum dns_dnssec
denial_status(struct dns_ctx *c, const ldns_pkt *p, const ldns_rdf *qname,
    ldns_rr_type qtype, int depth, bool *deleg)
{
	const ldns_rr_list *auth = ldns_pkt_authority(p);
	ldns_rr_list *nsecs = NULL, *sigs = NULL, *all = NULL;
	const ldns_rr_list *keys;
	const ldns_rdf *signer;
	ldns_rr_type nt = LDNS_RR_TYPE_NSEC;
	enum dns_dnssec st = DNSSEC_INDETERMINATE;
	bool ds = qtype == LDNS_RR_TYPE_DS;
	char qn[80], what[120];
	ldns_status s;

	*deleg = false;
	snprintf(what, sizeof(what), "the denial of '%s' %s",
	    dnsv_dname(qname, qn, sizeof(qn)),
	    ldns_rr_descript(qtype) ? ldns_rr_descript(qtype)->_name : "?");
	if ((nsecs = dns_rr_select(auth, NULL, nt, 0)) != NULL &&
	    ldns_rr_list_rr_count(nsecs) == 0) {
		ldns_rr_list_free(nsecs);
		nt = LDNS_RR_TYPE_NSEC3;
		nsecs = dns_rr_select(auth, NULL, nt, 0);
	}
	all = dns_rr_select(auth, NULL, LDNS_RR_TYPE_RRSIG, nt);
	if (nsecs == NULL || all == NULL)
		goto out;
	if (ldns_rr_list_rr_count(nsecs) == 0 ||
	    ldns_rr_list_rr_count(all) == 0) {
		st = unsigned_status(c, p, qname, ds, depth, what);
		goto out;
	}
	signer = ldns_rr_rrsig_signame(ldns_rr_list_rr(all, 0));
	if (signer == NULL || !dnsv_under(qname, signer, ds)) {
		dnsv_why(c, "%s is signed by a zone that cannot hold it", what);
		st = DNSSEC_BOGUS;
		goto out;
	}
	if ((st = zone_status(c, signer, depth, &keys)) != DNSSEC_SECURE)
		goto out;
	if ((sigs = dnsv_signed_by(all, signer)) == NULL) {
		st = DNSSEC_INDETERMINATE;
		goto out;
	}
	if (nt == LDNS_RR_TYPE_NSEC3 &&
	    ldns_nsec3_iterations(ldns_rr_list_rr(nsecs, 0)) >
	        DNS_NSEC3_ITER_MAX) {
		dnsv_why(c, "%s uses more than %d nsec3 iterations", what,
		    DNS_NSEC3_ITER_MAX);
		st = DNSSEC_INDETERMINATE;
		goto out;
	}
	st = DNSSEC_BOGUS;
	if (!dnsv_nsec_sigs_ok(c, nsecs, sigs, signer, keys))
		goto out;
	if ((s = dnsv_proof(p, nsecs, sigs, qname, qtype, signer, deleg)) !=
	    LDNS_STATUS_OK) {
		dnsv_why(c, "%s: %s", what, ldns_get_errorstr_by_id(s));
		goto out;
	}
	st = DNSSEC_SECURE;
out:
	ldns_rr_list_free(sigs);
	ldns_rr_list_free(all);
	ldns_rr_list_free(nsecs);
	return st;
}

/* ds_status - ZONE (below the anchor) through its DS at the parent. */
static enum dns_dnssec
ds_status(struct dns_ctx *c, const ldns_rdf *zone, int depth,
    ldns_rr_list **keys)
{
	ldns_rr_list *ds = NULL;
	ldns_pkt *p = NULL;
	enum dns_dnssec st = DNSSEC_INDETERMINATE;
	char em[160], zn[80];
	bool deleg;
	int rc;

	*keys = NULL;
	dnsv_dname(zone, zn, sizeof(zn));
	if (dns_query(c, zone, LDNS_RR_TYPE_DS, true, &p, em, sizeof(em)) !=
	    ST_OK) {
		dnsv_why(c, "ds query for '%s': %s", zn, em);
		goto out;
	}
	rc = ldns_pkt_get_rcode(p);
	if (rc != LDNS_RCODE_NOERROR && rc != LDNS_RCODE_NXDOMAIN) {
		dnsv_why(c, "ds query for '%s' answered rcode %d", zn, rc);
		goto out;
	}
	if ((ds = dns_rr_select(ldns_pkt_answer(p), zone, LDNS_RR_TYPE_DS,
	         0)) == NULL)
		goto out;
	if (ldns_rr_list_rr_count(ds) > 0) {
		st = rrset_status(c, p, zone, LDNS_RR_TYPE_DS, depth + 1);
		if (st == DNSSEC_SECURE)
			st = dnskey_status(c, zone, ds, keys);
		goto out;
	}
	st = denial_status(c, p, zone, LDNS_RR_TYPE_DS, depth + 1, &deleg);
	if (st == DNSSEC_SECURE && deleg)
		st = DNSSEC_INSECURE;
	else if (st == DNSSEC_SECURE) {
		dnsv_why(c, "'%s' signs data but is not a delegation", zn);
		st = DNSSEC_BOGUS;
	}
out:
	ldns_rr_list_free(ds);
	ldns_pkt_free(p);
	return st;
}

/* zone_status - status and, when secure, validated keys of ZONE. */
static enum dns_dnssec
zone_status(struct dns_ctx *c, const ldns_rdf *zone, int depth,
    const ldns_rr_list **keys)
{
	struct dns_val_zone *z;
	ldns_rr_list *k = NULL;
	enum dns_dnssec st;
	char zn[80];
	size_t i;

	*keys = NULL;
	for (i = 0; i < c->nzones; i++)
		if (ldns_dname_compare(c->zones[i].zone, zone) == 0) {
			*keys = c->zones[i].keys;
			return c->zones[i].status;
		}
	if (!dnsv_under(zone, anchor_zone(c), false)) {
		dnsv_why(c, "no trust anchor covers '%s'",
		    dnsv_dname(zone, zn, sizeof(zn)));
		return DNSSEC_INDETERMINATE;
	}
	if (depth > VAL_DEPTH_MAX || c->nzones >= DNS_VAL_ZONES_MAX) {
		dnsv_why(c, "more than %d zones to validate",
		    DNS_VAL_ZONES_MAX);
		return DNSSEC_INDETERMINATE;
	}
	if (ldns_dname_compare(zone, anchor_zone(c)) == 0)
		st = dnskey_status(c, zone, c->cfg->anchor, &k);
	else
		st = ds_status(c, zone, depth, &k);
	/* The recursion may have filled the cache meanwhile. */
	z = c->nzones < DNS_VAL_ZONES_MAX ? &c->zones[c->nzones] : NULL;
	if (z == NULL || (z->zone = ldns_rdf_clone(zone)) == NULL) {
		ldns_rr_list_deep_free(k);
		dnsv_why(c, "more than %d zones to validate",
		    DNS_VAL_ZONES_MAX);
		return DNSSEC_INDETERMINATE;
	}
	z->keys = k;
	z->status = st;
	c->nzones++;
	*keys = k;
	return st;
}

enum dns_dnssec
dns_validate_zone(struct dns_ctx *c, const ldns_rdf *zone)
{
	const ldns_rr_list *keys;

	return zone_status(c, zone, 0, &keys);
}

enum dns_dnssec
dns_validate_rrset(struct dns_ctx *c, const ldns_pkt *p, const ldns_rdf *owner,
    ldns_rr_type type)
{
	char on[80];

	if (!dnsv_under(owner, anchor_zone(c), false)) {
		dnsv_why(c, "no trust anchor covers '%s'",
		    dnsv_dname(owner, on, sizeof(on)));
		return DNSSEC_INDETERMINATE;
	}
	return rrset_status(c, p, owner, type, 0);
}

enum dns_dnssec
dns_validate_denial(struct dns_ctx *c, const ldns_pkt *p, const ldns_rdf *qname,
    ldns_rr_type qtype)
{
	char on[80];
	bool deleg;

	if (!dnsv_under(qname, anchor_zone(c), false)) {
		dnsv_why(c, "no trust anchor covers '%s'",
		    dnsv_dname(qname, on, sizeof(on)));
		return DNSSEC_INDETERMINATE;
	}
	return denial_status(c, p, qname, qtype, 0, &deleg);
}
