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
 * listed in dns.h. Never prints.
 */
#include "dns_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"
#include "st_limits.h"

static enum dns_dnssec zone_status(struct dns_ctx *c, const ldns_rdf *zone,
    int depth, const ldns_rr_list **keys);

__attribute__((format(printf, 2, 3))) static void
why(struct dns_ctx *c, const char *fmt, ...)
{
	va_list ap;

	if (c->why[0] != '\0')
		return;
	va_start(ap, fmt);
	vsnprintf(c->why, sizeof(c->why), fmt, ap);
	va_end(ap);
}

/* dname - a name for messages ("" becomes "."); never NULL. */
static const char *
dname(const ldns_rdf *d, char *out, size_t len)
{
	char *s = dns_dname_str(d);

	snprintf(out, len, "%s", s == NULL ? "?" : s[0] ? s : ".");
	free(s);
	return out;
}

/* under - NAME is ANC or below it (strictly below when proper). */
static bool
under(const ldns_rdf *name, const ldns_rdf *anc, bool proper)
{
	if (ldns_dname_compare(name, anc) == 0)
		return !proper;
	return ldns_dname_label_count(name) > ldns_dname_label_count(anc) &&
	       ldns_dname_is_subdomain(name, anc);
}

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
		why(c, "no dnskey records for '%s'", zn);
		return DNSSEC_BOGUS;
	}
	if (ldns_rr_list_rr_count(sigs) > 0 || trusted != c->cfg->anchor)
		return DNSSEC_SECURE;
	why(c,
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
	dname(zone, zn, sizeof(zn));
	if (dns_query(c, zone, LDNS_RR_TYPE_DNSKEY, true, &p, em, sizeof(em)) !=
	    ST_OK) {
		why(c, "dnskey query for '%s': %s", zn, em);
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
		why(c, "no dnskey of '%s' matches its ds or trust anchor", zn);
		goto out;
	}
	if ((s = ldns_verify(dk, sigs, sk, NULL)) != LDNS_STATUS_OK) {
		why(c, "dnskey rrset of '%s': %s", zn,
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
				why(c, "soa query for '%s': %s",
				    dname(name, nn, sizeof(nn)), em);
				break;
			}
			sec = ldns_pkt_answer(q);
		} else
			sec = ldns_pkt_authority(q);
		for (i = 0; i < ldns_rr_list_rr_count(sec); i++) {
			rr = ldns_rr_list_rr(sec, i);
			if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_SOA &&
			    under(name, ldns_rr_owner(rr), false)) {
				zone = ldns_rdf_clone(ldns_rr_owner(rr));
				break;
			}
		}
	}
	if (zone == NULL)
		why(c, "cannot find the zone of '%s'",
		    dname(name, nn, sizeof(nn)));
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
		why(c, "%s is not signed in the signed zone '%s'", what,
		    dname(zone, zn, sizeof(zn)));
		st = DNSSEC_BOGUS;
	}
	ldns_rdf_deep_free(zone);
	return st;
}

/* signed_by - SIGS made by the zone SIGNER, as a shallow list. */
static ldns_rr_list *
signed_by(const ldns_rr_list *sigs, const ldns_rdf *signer)
{
	ldns_rr_list *l = ldns_rr_list_new();
	ldns_rr *rr;
	ldns_rdf *sn;
	size_t i;

	for (i = 0; l != NULL && i < ldns_rr_list_rr_count(sigs); i++) {
		rr = ldns_rr_list_rr(sigs, i);
		if ((sn = ldns_rr_rrsig_signame(rr)) != NULL &&
		    ldns_dname_compare(sn, signer) == 0 &&
		    !ldns_rr_list_push_rr(l, rr)) {
			ldns_rr_list_free(l);
			l = NULL;
		}
	}
	return l;
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

	snprintf(what, sizeof(what), "'%s' %s", dname(owner, on, sizeof(on)),
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
	if (signer == NULL || !under(owner, signer, ds)) {
		why(c, "%s is signed by a zone that cannot hold it", what);
		st = DNSSEC_BOGUS;
		goto out;
	}
	if ((st = zone_status(c, signer, depth, &keys)) != DNSSEC_SECURE)
		goto out;
	if ((mine = signed_by(sigs, signer)) == NULL) {
		st = DNSSEC_INDETERMINATE;
		goto out;
	}
	if ((s = ldns_verify(rrs, mine, keys, NULL)) != LDNS_STATUS_OK) {
		why(c, "%s: %s", what, ldns_get_errorstr_by_id(s));
		st = DNSSEC_BOGUS;
	}
out:
	ldns_rr_list_free(mine);
	ldns_rr_list_free(sigs);
	ldns_rr_list_free(rrs);
	return st;
}

/* nsec_sigs_ok - every NSEC/NSEC3 record is signed by KEYS of SIGNER. */
static bool
nsec_sigs_ok(struct dns_ctx *c, const ldns_rr_list *nsecs,
    const ldns_rr_list *sigs, const ldns_rdf *signer, const ldns_rr_list *keys)
{
	ldns_rr_list *one = NULL, *mine = NULL, *all;
	ldns_rr *rr;
	ldns_status s = LDNS_STATUS_MEM_ERR;
	char on[80];
	size_t i;

	for (i = 0; i < ldns_rr_list_rr_count(nsecs); i++) {
		rr = ldns_rr_list_rr(nsecs, i);
		s = LDNS_STATUS_MEM_ERR;
		if (!under(ldns_rr_owner(rr), signer, false)) {
			why(c, "nsec record '%s' outside its signer's zone",
			    dname(ldns_rr_owner(rr), on, sizeof(on)));
			return false;
		}
		one = ldns_rr_list_new();
		all = dns_rr_select(sigs, ldns_rr_owner(rr), LDNS_RR_TYPE_RRSIG,
		    ldns_rr_get_type(rr));
		mine = all != NULL ? signed_by(all, signer) : NULL;
		ldns_rr_list_free(all);
		if (one != NULL && mine != NULL &&
		    ldns_rr_list_push_rr(one, rr))
			s = ldns_verify(one, mine, keys, NULL);
		ldns_rr_list_free(one);
		ldns_rr_list_free(mine);
		if (s != LDNS_STATUS_OK) {
			why(c, "nsec record '%s': %s",
			    dname(ldns_rr_owner(rr), on, sizeof(on)),
			    ldns_get_errorstr_by_id(s));
			return false;
		}
	}
	return true;
}

/* nsec3_match - the NSEC3 record whose owner is the hash of NAME. */
static const ldns_rr *
nsec3_match(const ldns_rr_list *nsecs, const ldns_rdf *name,
    const ldns_rdf *zone)
{
	const ldns_rr *rr = NULL;
	ldns_rdf *h;
	size_t i;

	if ((h = ldns_nsec3_hash_name_frm_nsec3(ldns_rr_list_rr(nsecs, 0),
	         name)) == NULL)
		return NULL;
	if (ldns_dname_cat(h, zone) == LDNS_STATUS_OK)
		for (i = 0; i < ldns_rr_list_rr_count(nsecs) && rr == NULL; i++)
			if (ldns_dname_compare(h,
			        ldns_rr_owner(ldns_rr_list_rr(nsecs, i))) == 0)
				rr = ldns_rr_list_rr(nsecs, i);
	ldns_rdf_deep_free(h);
	return rr;
}

/*
 * proof - whether NSECS (already verified) deny QNAME/QTYPE in P; for DS,
 * *deleg says whether QNAME is a delegation (NS without SOA, or covered by
 * an NSEC3 opt-out span, RFC 5155 6).
 */
static ldns_status
proof(const ldns_pkt *p, ldns_rr_list *nsecs, ldns_rr_list *sigs,
    const ldns_rdf *qname, ldns_rr_type qtype, const ldns_rdf *zone,
    bool *deleg)
{
	ldns_pkt_rcode rc = ldns_pkt_get_rcode(p);
	const ldns_rr *m = NULL;
	ldns_rr *q, *mm = NULL;
	ldns_rdf *bm;
	ldns_status s;
	size_t i;
	bool n3 =
	    ldns_rr_get_type(ldns_rr_list_rr(nsecs, 0)) == LDNS_RR_TYPE_NSEC3;

	if ((q = ldns_rr_new()) == NULL)
		return LDNS_STATUS_MEM_ERR;
	ldns_rr_set_owner(q, ldns_rdf_clone(qname));
	ldns_rr_set_type(q, qtype);
	ldns_rr_set_class(q, LDNS_RR_CLASS_IN);
	if (ldns_rr_owner(q) == NULL)
		s = LDNS_STATUS_MEM_ERR;
	else if (!n3) {
		s = ldns_dnssec_verify_denial(q, nsecs, sigs);
		for (i = 0; i < ldns_rr_list_rr_count(nsecs) && m == NULL; i++)
			if (ldns_dname_compare(qname,
			        ldns_rr_owner(ldns_rr_list_rr(nsecs, i))) == 0)
				m = ldns_rr_list_rr(nsecs, i);
	} else if (rc == LDNS_RCODE_NXDOMAIN)
		s = ldns_dnssec_verify_denial_nsec3(q, nsecs, sigs, rc, qtype,
		    false);
	else if ((m = nsec3_match(nsecs, qname, zone)) != NULL) {
		/* RFC 5155 8.5/8.6, checked here: ldns's own exact-match
		 * path leaks the hashed name. */
		bm = ldns_nsec3_bitmap(m);
		s = ldns_nsec_bitmap_covers_type(bm, qtype) ||
		            ldns_nsec_bitmap_covers_type(bm, LDNS_RR_TYPE_CNAME)
		        ? LDNS_STATUS_DNSSEC_NSEC_RR_NOT_COVERED
		        : LDNS_STATUS_OK;
	} else if (qtype == LDNS_RR_TYPE_DS) {
		s = ldns_dnssec_verify_denial_nsec3_match(q, nsecs, sigs, rc,
		    qtype, true, &mm);
		/* Only an opt-out span can deny DS without an exact match. */
		*deleg = s == LDNS_STATUS_OK;
	} else
		s = LDNS_STATUS_DNSSEC_NSEC_RR_NOT_COVERED;
	if (s == LDNS_STATUS_OK && m != NULL && qtype == LDNS_RR_TYPE_DS) {
		bm = n3 ? ldns_nsec3_bitmap(m) : ldns_nsec_get_bitmap(m);
		*deleg = ldns_nsec_bitmap_covers_type(bm, LDNS_RR_TYPE_NS) &&
		         !ldns_nsec_bitmap_covers_type(bm, LDNS_RR_TYPE_SOA);
	}
	ldns_rr_free(q);
	return s;
}

/* denial_status - P denies QNAME/QTYPE; for DS, *deleg as in proof(). */
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
	    dname(qname, qn, sizeof(qn)),
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
	if (signer == NULL || !under(qname, signer, ds)) {
		why(c, "%s is signed by a zone that cannot hold it", what);
		st = DNSSEC_BOGUS;
		goto out;
	}
	if ((st = zone_status(c, signer, depth, &keys)) != DNSSEC_SECURE)
		goto out;
	if ((sigs = signed_by(all, signer)) == NULL) {
		st = DNSSEC_INDETERMINATE;
		goto out;
	}
	if (nt == LDNS_RR_TYPE_NSEC3 &&
	    ldns_nsec3_iterations(ldns_rr_list_rr(nsecs, 0)) >
	        DNS_NSEC3_ITER_MAX) {
		why(c, "%s uses more than %d nsec3 iterations", what,
		    DNS_NSEC3_ITER_MAX);
		st = DNSSEC_INDETERMINATE;
		goto out;
	}
	st = DNSSEC_BOGUS;
	if (!nsec_sigs_ok(c, nsecs, sigs, signer, keys))
		goto out;
	if ((s = proof(p, nsecs, sigs, qname, qtype, signer, deleg)) !=
	    LDNS_STATUS_OK) {
		why(c, "%s: %s", what, ldns_get_errorstr_by_id(s));
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
	dname(zone, zn, sizeof(zn));
	if (dns_query(c, zone, LDNS_RR_TYPE_DS, true, &p, em, sizeof(em)) !=
	    ST_OK) {
		why(c, "ds query for '%s': %s", zn, em);
		goto out;
	}
	rc = ldns_pkt_get_rcode(p);
	if (rc != LDNS_RCODE_NOERROR && rc != LDNS_RCODE_NXDOMAIN) {
		why(c, "ds query for '%s' answered rcode %d", zn, rc);
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
		why(c, "'%s' signs data but is not a delegation", zn);
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
	if (!under(zone, anchor_zone(c), false)) {
		why(c, "no trust anchor covers '%s'",
		    dname(zone, zn, sizeof(zn)));
		return DNSSEC_INDETERMINATE;
	}
	if (depth > VAL_DEPTH_MAX || c->nzones >= DNS_VAL_ZONES_MAX) {
		why(c, "more than %d zones to validate", DNS_VAL_ZONES_MAX);
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
		why(c, "more than %d zones to validate", DNS_VAL_ZONES_MAX);
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

	if (!under(owner, anchor_zone(c), false)) {
		why(c, "no trust anchor covers '%s'",
		    dname(owner, on, sizeof(on)));
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

	if (!under(qname, anchor_zone(c), false)) {
		why(c, "no trust anchor covers '%s'",
		    dname(qname, on, sizeof(on)));
		return DNSSEC_INDETERMINATE;
	}
	return denial_status(c, p, qname, qtype, 0, &deleg);
}
