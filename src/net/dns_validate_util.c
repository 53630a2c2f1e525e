/*
 * dns_validate_util.c - what the DNSSEC validator's steps share: the first
 * failure's reason, names for messages, the name-below-ancestor test and
 * the RRSIGs of one signer (dns_validate.c, dns_validate_nsec.c).
 */
#include "dns_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns_validate_int.h"

#include "banned.h"
#include "st_limits.h"

/* dnsv_why - keep the first reason a validation failed */
void
dnsv_why(struct dns_ctx *c, const char *fmt, ...)
{
	va_list ap;

	if (c->why[0] != '\0')
		return;
	va_start(ap, fmt);
	vsnprintf(c->why, sizeof(c->why), fmt, ap);
	va_end(ap);
}

/* dnsv_dname - a name for messages ("" becomes "."); never NULL. */
const char *
dnsv_dname(const ldns_rdf *d, char *out, size_t len)
{
	char *s = dns_dname_str(d);

	snprintf(out, len, "%s", s == NULL ? "?" : s[0] ? s : ".");
	free(s);
	return out;
}

/* dnsv_under - NAME is ANC or below it (strictly below when proper). */
bool
dnsv_under(const ldns_rdf *name, const ldns_rdf *anc, bool proper)
{
	if (ldns_dname_compare(name, anc) == 0)
		return !proper;
	return ldns_dname_label_count(name) > ldns_dname_label_count(anc) &&
	       ldns_dname_is_subdomain(name, anc);
}

/* dnsv_signed_by - SIGS made by the zone SIGNER, as a shallow list. */
ldns_rr_list *
dnsv_signed_by(const ldns_rr_list *sigs, const ldns_rdf *signer)
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
