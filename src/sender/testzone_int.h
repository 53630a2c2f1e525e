/*
 * testzone_int.h - what testzone_sign.c and testzone_answer.c share: the
 * signed zone's representation.
 */
#ifndef SMTPTLS_TESTZONE_INT_H
#define SMTPTLS_TESTZONE_INT_H

#include <ldns/ldns.h>

#include "testzone.h"

struct tz_signed {
	ldns_dnssec_zone *zone; /* names in canonical order, signed */
	ldns_rdf *apex;         /* canonical (lower case) */
	ldns_rr *dnskey;
	char *ds_text;
	char *dnskey_text;
};

#endif
