/*
 * testzone_answer.c - authoritative answers from the signed test zone.
 * Wire format in and out by ldns (ldns_wire2pkt, ldns_pkt2wire); this
 * file only chooses the records (RFC 1034 4.3.2 for a zone with no
 * delegations below its apex and no wildcards, RFC 4035 3.1 for the
 * RRSIGs and NSEC records a DO query gets):
 *
 *   name and type exist   the RRset (+ RRSIGs)
 *   name exists, no type  NODATA: SOA + the name's NSEC (+ RRSIGs)
 *   empty non-terminal    NODATA: SOA + the NSEC that covers the name
 *   no name               NXDOMAIN: SOA + the NSEC that covers the name
 *                         + the NSEC that covers the wildcard at the
 *                         closest encloser
 *
 * Pure: no I/O; the zone is only read, so threads may share it.
 */
#include "testzone_int.h"

#include <stdlib.h>
#include <string.h>

#include "banned.h"

/* The largest UDP answer (the DNS flag day 2020 figure). */
#define TZ_UDP_MAX 1232

struct answer {
	const struct tz_signed *z;
	ldns_pkt *resp;
	bool dnssec; /* the query's DO bit */
	bool ok;     /* false once a push failed (out of memory) */
};

static void
push(struct answer *a, ldns_pkt_section sec, const ldns_rr *rr)
{
	ldns_rr *c = rr != NULL ? ldns_rr_clone(rr) : NULL;

	if (rr == NULL)
		return;
	if (c == NULL || !ldns_pkt_push_rr(a->resp, sec, c)) {
		ldns_rr_free(c);
		a->ok = false;
	}
}

static void
push_rrs(struct answer *a, ldns_pkt_section sec, const ldns_dnssec_rrs *r)
{
	for (; r != NULL; r = r->next)
		push(a, sec, r->rr);
}

/* push_set - an RRset and, for DO, its signatures */
static void
push_set(struct answer *a, ldns_pkt_section sec, const ldns_dnssec_rrsets *s)
{
	push_rrs(a, sec, s->rrs);
	if (a->dnssec)
		push_rrs(a, sec, s->signatures);
}

/* push_nsec - the NSEC of a name node and its signatures, for DO */
static void
push_nsec(struct answer *a, const ldns_rbnode_t *node)
{
	const ldns_dnssec_name *n;

	if (!a->dnssec || node == NULL || node == LDNS_RBTREE_NULL)
		return;
	n = node->data;
	if (n->nsec == NULL)
		return;
	/* The wildcard's NSEC is often the one already pushed. */
	for (size_t i = 0;
	     i < ldns_rr_list_rr_count(ldns_pkt_authority(a->resp)); i++)
		if (ldns_rr_compare(ldns_rr_list_rr(ldns_pkt_authority(a->resp),
		                        i),
		        n->nsec) == 0)
			return;
	push(a, LDNS_SECTION_AUTHORITY, n->nsec);
	push_rrs(a, LDNS_SECTION_AUTHORITY, n->nsec_signatures);
}

static void
push_soa(struct answer *a)
{
	const ldns_dnssec_rrsets *soa =
	    ldns_dnssec_name_find_rrset(a->z->zone->soa, LDNS_RR_TYPE_SOA);

	if (soa != NULL)
		push_set(a, LDNS_SECTION_AUTHORITY, soa);
}

/* covering - the node of the name that precedes (or is) name */
static ldns_rbnode_t *
covering(const struct tz_signed *z, const ldns_rdf *name)
{
	ldns_rbnode_t *n = NULL;

	(void)ldns_rbtree_find_less_equal(z->zone->names, name, &n);
	return n;
}

/* is_empty_nonterminal - a name with no records that has names below */
static bool
is_empty_nonterminal(const struct tz_signed *z, const ldns_rdf *qname)
{
	ldns_rbnode_t *n = covering(z, qname);

	n = n != NULL && n != LDNS_RBTREE_NULL ? ldns_rbtree_next(n) : NULL;
	return n != NULL && n != LDNS_RBTREE_NULL &&
	       ldns_dname_is_subdomain(((ldns_dnssec_name *)n->data)->name,
	           qname);
}

/* deny_wildcard - the NSEC covering *.<closest encloser of qname> */
static void
deny_wildcard(struct answer *a, const ldns_rdf *qname)
{
	ldns_rdf *ce = ldns_dname_left_chop(qname), *star = NULL, *wc;

	while (ce != NULL &&
	       ldns_rbtree_search(a->z->zone->names, ce) == NULL &&
	       !is_empty_nonterminal(a->z, ce)) {
		ldns_rdf *up = ldns_dname_left_chop(ce);

		ldns_rdf_deep_free(ce);
		ce = up;
	}
	if (ce == NULL || ldns_str2rdf_dname(&star, "*") != LDNS_STATUS_OK) {
		a->ok = ce != NULL ? false : a->ok;
		ldns_rdf_deep_free(ce);
		return;
	}
	wc = ldns_dname_cat_clone(star, ce);
	if (wc != NULL)
		push_nsec(a, covering(a->z, wc));
	else
		a->ok = false;
	ldns_rdf_deep_free(wc);
	ldns_rdf_deep_free(star);
	ldns_rdf_deep_free(ce);
}

/* lookup - the answer for (qname, qtype) within the zone */
static void
lookup(struct answer *a, const ldns_rdf *qname, ldns_rr_type qtype)
{
	ldns_rbnode_t *node = ldns_rbtree_search(a->z->zone->names, qname);
	const ldns_dnssec_name *n = node != NULL ? node->data : NULL;

	if (n != NULL && n->rrsets != NULL) {
		const ldns_dnssec_rrsets *s =
		    ldns_dnssec_name_find_rrset(n, qtype);

		if (s != NULL) {
			push_set(a, LDNS_SECTION_ANSWER, s);
			return;
		}
		push_soa(a);
		push_nsec(a, node);
		return;
	}
	push_soa(a);
	push_nsec(a, covering(a->z, qname));
	if (is_empty_nonterminal(a->z, qname))
		return;
	ldns_pkt_set_rcode(a->resp, LDNS_RCODE_NXDOMAIN);
	deny_wildcard(a, qname);
}

/* respond - fill a->resp for the query q */
static void
respond(struct answer *a, const ldns_pkt *q)
{
	const ldns_rr *qrr;
	ldns_rdf *qname;

	ldns_pkt_set_opcode(a->resp, ldns_pkt_get_opcode(q));
	if (ldns_pkt_get_opcode(q) != LDNS_PACKET_QUERY) {
		ldns_pkt_set_rcode(a->resp, LDNS_RCODE_NOTIMPL);
		return;
	}
	if (ldns_pkt_qdcount(q) != 1 || ldns_pkt_ancount(q) != 0) {
		ldns_pkt_set_rcode(a->resp, LDNS_RCODE_FORMERR);
		return;
	}
	qrr = ldns_rr_list_rr(ldns_pkt_question(q), 0);
	push(a, LDNS_SECTION_QUESTION, qrr);
	qname = ldns_rdf_clone(ldns_rr_owner(qrr));
	if (qname == NULL) {
		a->ok = false;
		return;
	}
	ldns_dname2canonical(qname);
	if (ldns_rr_get_class(qrr) != LDNS_RR_CLASS_IN ||
	    (ldns_dname_compare(qname, a->z->apex) != 0 &&
	        !ldns_dname_is_subdomain(qname, a->z->apex)) ||
	    ldns_rr_get_type(qrr) == LDNS_RR_TYPE_AXFR ||
	    ldns_rr_get_type(qrr) == LDNS_RR_TYPE_IXFR ||
	    ldns_rr_get_type(qrr) == LDNS_RR_TYPE_ANY)
		ldns_pkt_set_rcode(a->resp, LDNS_RCODE_REFUSED);
	else {
		ldns_pkt_set_aa(a->resp, true);
		lookup(a, qname, ldns_rr_get_type(qrr));
	}
	ldns_rdf_deep_free(qname);
}

/* fit - the wire form; over the UDP limit, the header and question with
 * TC set (RFC 2181 9: the client asks again over TCP) */
static enum st_err
fit(ldns_pkt *resp, size_t max, unsigned char **out, size_t *outlen)
{
	uint8_t *w = NULL;
	size_t n = 0;

	if (ldns_pkt2wire(&w, resp, &n) != LDNS_STATUS_OK)
		return ST_ERR_NOMEM;
	if (n > max) {
		free(w);
		w = NULL;
		ldns_rr_list_deep_free(ldns_pkt_answer(resp));
		ldns_rr_list_deep_free(ldns_pkt_authority(resp));
		ldns_rr_list_deep_free(ldns_pkt_additional(resp));
		ldns_pkt_set_answer(resp, ldns_rr_list_new());
		ldns_pkt_set_authority(resp, ldns_rr_list_new());
		ldns_pkt_set_additional(resp, ldns_rr_list_new());
		ldns_pkt_set_ancount(resp, 0);
		ldns_pkt_set_nscount(resp, 0);
		ldns_pkt_set_arcount(resp, 0);
		ldns_pkt_set_tc(resp, true);
		if (ldns_pkt2wire(&w, resp, &n) != LDNS_STATUS_OK)
			return ST_ERR_NOMEM;
	}
	*out = w;
	*outlen = n;
	return ST_OK;
}

static size_t
udp_limit(const ldns_pkt *q)
{
	size_t edns = ldns_pkt_edns_udp_size(q);

	if (!ldns_pkt_edns(q))
		return 512;
	return edns < 512 ? 512 : edns > TZ_UDP_MAX ? TZ_UDP_MAX : edns;
}

enum st_err
testzone_answer(const struct tz_signed *z, const unsigned char *q, size_t qlen,
    bool tcp, unsigned char **out, size_t *outlen)
{
	ldns_pkt *qp = NULL;
	struct answer a = { z, NULL, false, true };
	enum st_err err;

	*out = NULL;
	*outlen = 0;
	if (qlen < LDNS_HEADER_SIZE || qlen > LDNS_MAX_PACKETLEN ||
	    ldns_wire2pkt(&qp, q, qlen) != LDNS_STATUS_OK || ldns_pkt_qr(qp)) {
		/* Not a query we can name in an answer: drop it. */
		ldns_pkt_free(qp);
		return ST_ERR_PARSE;
	}
	if ((a.resp = ldns_pkt_new()) == NULL) {
		ldns_pkt_free(qp);
		return ST_ERR_NOMEM;
	}
	ldns_pkt_set_id(a.resp, ldns_pkt_id(qp));
	ldns_pkt_set_qr(a.resp, true);
	ldns_pkt_set_rd(a.resp, ldns_pkt_rd(qp));
	if (ldns_pkt_edns(qp)) {
		a.dnssec = ldns_pkt_edns_do(qp);
		ldns_pkt_set_edns_udp_size(a.resp, TZ_UDP_MAX);
		ldns_pkt_set_edns_do(a.resp, a.dnssec);
	}
	respond(&a, qp);
	err = a.ok ? fit(a.resp, tcp ? LDNS_MAX_PACKETLEN : udp_limit(qp), out,
	                 outlen)
	           : ST_ERR_NOMEM;
	ldns_pkt_free(a.resp);
	ldns_pkt_free(qp);
	return err;
}
