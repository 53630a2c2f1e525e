/*
 * dns_query.c - send one DNS question to the configured servers within the
 * lookup's deadline.
 *
 * Owns nothing beyond one call. Over UDP the question goes out through
 * dns_udp.c (a socket per try); a truncated answer is asked again over
 * TCP through a fresh ldns resolver (ldns keeps one port per resolver and
 * marks failed servers unreachable in it, so sharing one would leak state
 * between queries and threads). Never prints.
 *
 * Time: each server gets an equal share of what is left of the deadline
 * (capped by resolv.conf's timeout:N; rounds and tries as dns.h says),
 * split evenly between its UDP tries; the TCP fallback has what is left
 * of that share, with ldns's retrans 0 (ldns would sleep() that many
 * seconds before the next server). XXX: ldns reads a TCP answer with the
 * timeout applied per read, so a peer trickling bytes can overrun the
 * share; acceptable for the resolvers we talk to (loopback or configured
 * by the user).
 */
#include "dns_int.h"
#include "clock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "banned.h"

long
dns_ms_left(long long deadline)
{
	return (long)(deadline - clock_ms());
}

static struct timeval
ms_tv(long ms)
{
	struct timeval tv;

	if (ms < 1)
		ms = 1;
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	return tv;
}

/* resolver_new - a resolver for one server, all knobs set explicitly. */
static ldns_resolver *
resolver_new(const struct dns_server *srv, bool cd, unsigned tries)
{
	ldns_resolver *res;
	ldns_rdf *ns;

	ns = ldns_rdf_new_frm_str(strchr(srv->addr, ':') != NULL
	                              ? LDNS_RDF_TYPE_AAAA
	                              : LDNS_RDF_TYPE_A,
	    srv->addr);
	if (ns == NULL)
		return NULL;
	if ((res = ldns_resolver_new()) == NULL ||
	    ldns_resolver_push_nameserver(res, ns) != LDNS_STATUS_OK) {
		ldns_resolver_deep_free(res);
		ldns_rdf_deep_free(ns);
		return NULL;
	}
	ldns_rdf_deep_free(ns);
	ldns_resolver_set_port(res, srv->port);
	ldns_resolver_set_recursive(res, true);
	ldns_resolver_set_dnssec(res, true);
	ldns_resolver_set_dnssec_cd(res, cd);
	ldns_resolver_set_edns_udp_size(res, DNS_EDNS_SIZE);
	ldns_resolver_set_retry(res, (uint8_t)tries);
	ldns_resolver_set_retrans(res, 0);
	/* We fall back to TCP ourselves, within the deadline. */
	ldns_resolver_set_fallback(res, false);
	ldns_resolver_set_random(res, false);
	ldns_resolver_set_fail(res, false);
	ldns_resolver_set_usevc(res, false);
	ldns_resolver_set_defnames(res, false);
	ldns_resolver_set_dnsrch(res, false);
	return res;
}

/*
 * query_new - the question as ldns_resolver_prepare_query_pkt would build
 * it from resolver_new's settings (RD, DO, CD when cd, EDNS size), with
 * the ID from getrandom(2). ldns draws the ID with RAND_bytes, and OpenSSL
 * 3 sets up a random generator for every thread that first asks: measured
 * with callgrind, that was as many instructions as the rest of the lookup,
 * in every lookup thread. The ID stays unpredictable (RFC 5452 9.2).
 */
static ldns_pkt *
query_new(const ldns_rdf *name, ldns_rr_type type, bool cd)
{
	/* The packet takes the clone; it is ours again when none is made. */
	ldns_rdf *qname = ldns_rdf_clone(name);
	ldns_pkt *q;
	uint16_t id;

	if (qname == NULL)
		return NULL;
	if ((q = ldns_pkt_query_new(qname, type, LDNS_RR_CLASS_IN,
	         LDNS_RD | (cd ? LDNS_CD : 0))) == NULL) {
		ldns_rdf_deep_free(qname);
		return NULL;
	}
	ldns_pkt_set_edns_do(q, true);
	ldns_pkt_set_edns_udp_size(q, DNS_EDNS_SIZE);
	if (getrandom(&id, sizeof(id), 0) == (ssize_t)sizeof(id))
		ldns_pkt_set_id(q, id);
	else
		ldns_pkt_set_random_id(q); /* ldns's own way, slower */
	return q;
}

enum st_err
dns_question_new(const ldns_rdf *name, ldns_rr_type type, bool cd, ldns_pkt **q,
    ldns_buffer **wire)
{
	/* Not ldns_pkt2wire: it starts from 64 KiB (see dns_rdf_str). */
	*wire = ldns_buffer_new(DNS_QUERY_WIRE_MIN);
	*q = NULL;
	if (*wire == NULL || (*q = query_new(name, type, cd)) == NULL ||
	    ldns_pkt2buffer_wire(*wire, *q) != LDNS_STATUS_OK) {
		ldns_pkt_free(*q);
		ldns_buffer_free(*wire);
		*q = NULL;
		*wire = NULL;
		return ST_ERR_NOMEM;
	}
	return ST_OK;
}

bool
dns_answer_matches(const ldns_pkt *q, const ldns_pkt *a)
{
	const ldns_rr_list *qq = ldns_pkt_question(q);
	const ldns_rr_list *aq = ldns_pkt_question(a);
	const ldns_rr *qr, *ar;

	if (ldns_pkt_id(q) != ldns_pkt_id(a) || !ldns_pkt_qr(a))
		return false;
	if (ldns_rr_list_rr_count(aq) == 0)
		/* FORMERR and friends may come without a question. */
		return ldns_pkt_get_rcode(a) != LDNS_RCODE_NOERROR &&
		       ldns_pkt_get_rcode(a) != LDNS_RCODE_NXDOMAIN;
	qr = ldns_rr_list_rr(qq, 0);
	ar = ldns_rr_list_rr(aq, 0);
	return ldns_rr_list_rr_count(aq) == 1 &&
	       ldns_rr_get_type(qr) == ldns_rr_get_type(ar) &&
	       ldns_rr_get_class(qr) == ldns_rr_get_class(ar) &&
	       ldns_dname_compare(ldns_rr_owner(qr), ldns_rr_owner(ar)) == 0;
}

/* send_failed - classify a failed send: ldns says NETWORK_ERR both for a
 * timeout and for a failed read; a try that used up its share timed out. */
static enum st_err
send_failed(const struct dns_server *srv, ldns_status st, long long end,
    long share_ms, char *errmsg, size_t errlen)
{
	if (dns_ms_left(end) <= share_ms / (2 * DNS_UDP_TRIES)) {
		snprintf(errmsg, errlen,
		    "no response from '%s' port %u within %ld ms", srv->addr,
		    (unsigned)srv->port, share_ms);
		return ST_ERR_TIMEOUT;
	}
	snprintf(errmsg, errlen, "cannot query '%s' port %u: %s", srv->addr,
	    (unsigned)srv->port, ldns_get_errorstr_by_id(st));
	return ST_ERR_IO;
}

/* query_tcp - the question again over TCP (RFC 7766 5: a truncated UDP
 * answer is repeated over TCP), through an ldns resolver, within ms */
static enum st_err
query_tcp(const struct dns_server *srv, const ldns_pkt *q, bool cd, long ms,
    ldns_pkt **out, char *errmsg, size_t errlen)
{
	long long end = clock_ms() + ms;
	ldns_resolver *res;
	ldns_status st;
	enum st_err err = ST_OK;

	if ((res = resolver_new(srv, cd, 1)) == NULL) {
		snprintf(errmsg, errlen, "cannot set up a resolver for '%s'",
		    srv->addr);
		return ST_ERR_NOMEM;
	}
	ldns_resolver_set_usevc(res, true);
	ldns_resolver_set_timeout(res, ms_tv(ms));
	if ((st = ldns_resolver_send_pkt(out, res, (ldns_pkt *)q)) !=
	    LDNS_STATUS_OK) {
		*out = NULL;
		err = send_failed(srv, st, end, ms, errmsg, errlen);
	}
	ldns_resolver_deep_free(res);
	return err;
}

/* query_server - one question to one server within share_ms: over UDP
 * (dns_udp.c), and over TCP when the answer came truncated */
static enum st_err
query_server(struct dns_ctx *c, const struct dns_server *srv,
    const ldns_rdf *name, ldns_rr_type type, bool cd, long share_ms,
    unsigned tries, ldns_pkt **out, char *errmsg, size_t errlen)
{
	long long end = clock_ms() + share_ms;
	ldns_pkt *q = NULL, *a = NULL;
	ldns_buffer *wire = NULL;
	enum st_err err;
	long left;

	*out = NULL;
	if ((err = dns_question_new(name, type, cd, &q, &wire)) != ST_OK) {
		snprintf(errmsg, errlen, "cannot build a query");
		goto out;
	}
	c->nqueries++;
	err = dns_udp_exchange(srv, ldns_buffer_begin(wire),
	    ldns_buffer_position(wire), tries, share_ms, &a, errmsg, errlen);
	if (err == ST_OK && ldns_pkt_tc(a) && (left = dns_ms_left(end)) > 0) {
		ldns_pkt_free(a);
		a = NULL;
		c->nqueries++;
		err = query_tcp(srv, q, cd, left, &a, errmsg, errlen);
	}
	if (err != ST_OK)
		goto out;
	if (ldns_pkt_tc(a)) {
		err = ST_ERR_TIMEOUT;
		snprintf(errmsg, errlen,
		    "truncated answer from '%s' and no "
		    "time left for tcp",
		    srv->addr);
		goto out;
	}
	if (!dns_answer_matches(q, a)) {
		err = ST_ERR_PROTO;
		snprintf(errmsg, errlen,
		    "response from '%s' does not match "
		    "the query",
		    srv->addr);
		goto out;
	}
	*out = a;
	a = NULL;
	err = ST_OK;
out:
	ldns_buffer_free(wire);
	ldns_pkt_free(a);
	ldns_pkt_free(q);
	return err;
}

size_t
dns_server_tries(const struct dns_config *cfg)
{
	return (cfg->rounds ? cfg->rounds : 1) * cfg->nservers;
}

long
dns_server_share(const struct dns_config *cfg, long left, size_t k,
    unsigned *tries)
{
	/* --resolver: one round, DNS_UDP_TRIES per server; resolv.conf: its
	 * attempts as rounds, one try per server per round (dns.h). */
	long share = left / (long)(dns_server_tries(cfg) - k);

	*tries = cfg->rounds ? 1 : DNS_UDP_TRIES;
	if (cfg->try_ms > 0 && share > (long)cfg->try_ms * *tries)
		share = (long)cfg->try_ms * *tries;
	return share;
}

/* primed_answers - the response dns_pending.c received is for this
 * question: it always is for a lookup's first one, the only one that
 * finds it there (not the CD bit: a response need not echo it) */
static bool
primed_answers(const ldns_pkt *p, const ldns_rdf *name, ldns_rr_type type)
{
	const ldns_rr *qr = ldns_rr_list_rr(ldns_pkt_question(p), 0);

	return qr != NULL && ldns_rr_get_type(qr) == type &&
	       ldns_dname_compare(ldns_rr_owner(qr), name) == 0;
}

enum st_err
dns_query(struct dns_ctx *c, const ldns_rdf *name, ldns_rr_type type, bool cd,
    ldns_pkt **out, char *errmsg, size_t errlen)
{
	const struct dns_config *cfg = c->cfg;
	enum st_err err = ST_ERR_TIMEOUT;
	size_t ntries = dns_server_tries(cfg), k;
	unsigned tries;
	long left, share;
	/* for the first question of the lookup only */
	bool spent = c->first_try_spent;

	*out = NULL;
	if (c->primed != NULL && primed_answers(c->primed, name, type)) {
		/* dns_pending.c received it already: no question goes out. */
		*out = c->primed;
		c->primed = NULL;
		return ST_OK;
	}
	if (c->no_wait) {
		c->blocked = true;
		snprintf(errmsg, errlen, "a query would wait");
		return ST_ERR_TIMEOUT;
	}
	c->first_try_spent = false;
	snprintf(errmsg, errlen, "no time left for the query");
	for (k = 0; k < ntries; k++) {
		if ((left = dns_ms_left(c->deadline)) <= 0)
			break;
		share = dns_server_share(cfg, left, k, &tries);
		if (k == 0 && spent) {
			/* what the schedule left of this share after its
			 * first try (dns_pending.c) */
			share = dns_server_share(cfg, (long)cfg->timeout_ms, 0,
			    &tries);
			share -= share / (long)tries;
			if (--tries == 0)
				continue;
			if (share > left)
				share = left;
		}
		err = query_server(c, &cfg->servers[k % cfg->nservers], name,
		    type, cd, share, tries, out, errmsg, errlen);
		if (err == ST_OK || err == ST_ERR_NOMEM)
			break;
	}
	/* An answer leaves no error text: a lookup that ends in error after
	 * it (SERVFAIL, bogus data under CD) says so itself. */
	if (err == ST_OK)
		errmsg[0] = '\0';
	return err;
}
