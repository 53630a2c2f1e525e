/*
 * dns_validate_nsec.c - the NSEC/NSEC3 side of local DNSSEC validation
 * (RFC 4035 5.4, RFC 5155 8): that every denial record is signed by the
 * zone's keys, and whether the verified records prove a name or type
 * absent. The key chain that supplies the keys is in dns_validate.c.
 */
#include "dns_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns_validate_int.h"

#include "banned.h"
#include "st_limits.h"

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

/* dnsv_nsec_sigs_ok - every NSEC/NSEC3 record is signed by KEYS of SIGNER. */
bool
dnsv_nsec_sigs_ok(struct dns_ctx *c, const ldns_rr_list *nsecs,
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
		if (!dnsv_under(ldns_rr_owner(rr), signer, false)) {
			dnsv_why(c,
			    "nsec record '%s' outside its signer's zone",
			    dnsv_dname(ldns_rr_owner(rr), on, sizeof(on)));
			return false;
		}
		one = ldns_rr_list_new();
		all = dns_rr_select(sigs, ldns_rr_owner(rr), LDNS_RR_TYPE_RRSIG,
		    ldns_rr_get_type(rr));
		mine = all != NULL ? dnsv_signed_by(all, signer) : NULL;
		ldns_rr_list_free(all);
		if (one != NULL && mine != NULL &&
		    ldns_rr_list_push_rr(one, rr))
			s = ldns_verify(one, mine, keys, NULL);
		ldns_rr_list_free(one);
		ldns_rr_list_free(mine);
		if (s != LDNS_STATUS_OK) {
			dnsv_why(c, "nsec record '%s': %s",
			    dnsv_dname(ldns_rr_owner(rr), on, sizeof(on)),
			    ldns_get_errorstr_by_id(s));
			return false;
		}
	}
	return true;
}

/*
 * dnsv_proof - whether NSECS (already verified) deny QNAME/QTYPE in P; for DS,
 * *deleg says whether QNAME is a delegation (NS without SOA, or covered by
 * an NSEC3 opt-out span, RFC 5155 6).
 */
ldns_status
dnsv_proof(const ldns_pkt *p, ldns_rr_list *nsecs, ldns_rr_list *sigs,
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
