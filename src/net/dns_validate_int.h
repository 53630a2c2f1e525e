/*
 * dns_validate_int.h - what the files of the DNSSEC validator share: the
 * helpers of dns_validate_util.c and the NSEC/NSEC3 proofs of
 * dns_validate_nsec.c, used by the key chain in dns_validate.c.
 */
#ifndef SMTPTLS_DNS_VALIDATE_INT_H
#define SMTPTLS_DNS_VALIDATE_INT_H

#include <stdbool.h>
#include <stddef.h>

#include <ldns/ldns.h>

#include "dns_int.h"

/* Keep the first reason a validation failed in c->why. */
void dnsv_why(struct dns_ctx *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* A name for messages ("" becomes "."); never NULL. */
const char *dnsv_dname(const ldns_rdf *d, char *out, size_t len);
/* NAME is ANC or below it (strictly below when proper). */
bool dnsv_under(const ldns_rdf *name, const ldns_rdf *anc, bool proper);
/* SIGS made by the zone SIGNER, as a shallow list; NULL out of memory. */
ldns_rr_list *dnsv_signed_by(const ldns_rr_list *sigs, const ldns_rdf *signer);

/* Every NSEC/NSEC3 record of nsecs is signed by KEYS of SIGNER. */
bool dnsv_nsec_sigs_ok(struct dns_ctx *c, const ldns_rr_list *nsecs,
    const ldns_rr_list *sigs, const ldns_rdf *signer, const ldns_rr_list *keys);
/* Whether NSECS (already verified) deny QNAME/QTYPE in P; for DS, *deleg
 * says whether QNAME is a delegation (RFC 5155 6). */
ldns_status dnsv_proof(const ldns_pkt *p, ldns_rr_list *nsecs,
    ldns_rr_list *sigs, const ldns_rdf *qname, ldns_rr_type qtype,
    const ldns_rdf *zone, bool *deleg);

#endif
