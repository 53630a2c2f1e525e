/*
 * dns_int.h - internals shared by the dns*.c files; not for other modules.
 *
 * dns.c drives a lookup (CNAMEs, AD/CD logic, result object); dns_config.c
 * reads the servers and the trust anchor; dns_query.c sends one question
 * within a deadline; dns_rr.c turns records into the presentation text and
 * typed arrays of struct dns_answer; dns_validate.c validates DNSSEC
 * locally against the trust anchor.
 */
#ifndef SMTPTLS_DNS_INT_H
#define SMTPTLS_DNS_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include <ldns/ldns.h>

#include "dns.h"
#include "st_limits.h"

/* EDNS(0) UDP payload size: the DNS flag day 2020 value, small enough to
 * avoid IP fragmentation; larger answers come over TCP. */
#define DNS_EDNS_SIZE 1232
/* UDP tries per server within its share of the deadline. */
#define DNS_UDP_TRIES 2

struct dns_val_zone {
	ldns_rdf *zone;
	ldns_rr_list *keys; /* validated DNSKEY RRset when secure */
	enum dns_dnssec status;
};

/* State of one dns_lookup() or dns_probe_validation() call. */
struct dns_ctx {
	const struct dns_config *cfg;
	long long deadline; /* clock_ms() value ending the lookup */
	unsigned nqueries;
	struct dns_val_zone zones[DNS_VAL_ZONES_MAX];
	size_t nzones;
	char why[120]; /* first reason for bogus/indeterminate */
	bool no_rrsig; /* the anchor zone's DNSKEY RRset came unsigned */
	/* dns_pending.c: the response to the lookup's first question, already
	 * received (dns_query hands it over instead of asking; owned until
	 * then); no_wait: any other question is not sent but fails at once,
	 * setting blocked (the lookup then goes on in a thread). */
	ldns_pkt *primed;
	bool no_wait, blocked;
	/* dns_pending.c's question went unanswered: it was the first try
	 * of the first server's share, and dns_query, asked that question
	 * again, goes on from the next try (once: later questions of the
	 * lookup get the whole schedule). */
	bool first_try_spent;
};

void dns_ctx_init(struct dns_ctx *c, const struct dns_config *cfg);
void dns_ctx_release(struct dns_ctx *c);

/*
 * Send NAME/TYPE (RD, DO, and CD when cd) to the configured servers in
 * order, within c->deadline; truncated UDP answers are repeated over TCP.
 * On success *out is the response (caller frees with ldns_pkt_free).
 */
enum st_err dns_query(struct dns_ctx *c, const ldns_rdf *name,
    ldns_rr_type type, bool cd, ldns_pkt **out, char *errmsg, size_t errlen)
    __attribute__((warn_unused_result));

/* A lookup as dns_lookup makes it, on a context the caller set up (its
 * deadline, primed, no_wait; see dns_pending.c); t0 (clock_ms) is when
 * the lookup began, for ans->ms. */
enum st_err dns_lookup_ctx(struct dns_ctx *c, const char *name, uint16_t type,
    struct dns_answer *ans, long long t0);

/* The question (RD, DO, CD when cd, a random ID) as *q and in wire form
 * as *wire; ST_ERR_NOMEM leaves both NULL. */
enum st_err dns_question_new(const ldns_rdf *name, ldns_rr_type type, bool cd,
    ldns_pkt **q, ldns_buffer **wire) __attribute__((warn_unused_result));
/* The response answers question q (ID, QR, the question; RFC 5452 9.1). */
bool dns_answer_matches(const ldns_pkt *q, const ldns_pkt *a);
/* How many servers a question may go to in turn (rounds over the list),
 * and the time the k-th of them gets of left ms, split into *tries UDP
 * tries (dns.h). */
size_t dns_server_tries(const struct dns_config *cfg);
long dns_server_share(const struct dns_config *cfg, long left, size_t k,
    unsigned *tries);

/* The largest UDP payload: an answer is read whole, whatever it says. */
#define DNS_UDP_RECV_MAX 65535
struct bind_addr;
/* The question (q, qlen) to the server on a new non-blocking UDP socket
 * of its own; the socket, or -1 (errno). */
int dns_udp_send(const struct bind_addr *to, const uint8_t *q, size_t qlen);
/* The next datagram from the server on fd into buf (DNS_UDP_RECV_MAX
 * octets), dropping those from any other address or port: its length, 0
 * when none is there yet (or DNS_UDP_STRAYS_MAX others were read: look
 * at the clock, then call again), -1 on a socket error (errno). */
ssize_t dns_udp_recv(int fd, const struct bind_addr *from_srv, uint8_t *buf);

/* One question in wire form (q, qlen) to srv over UDP: tries tries, each
 * an equal share of ms and a socket of its own; the first datagram from
 * the server, parsed, into *out (caller frees). ST_ERR_TIMEOUT when none
 * came, ST_ERR_IO on a socket error or a datagram ldns cannot parse,
 * ST_ERR_INVAL, ST_ERR_NOMEM; errmsg says which (dns_udp.c). */
enum st_err dns_udp_exchange(const struct dns_server *srv, const uint8_t *q,
    size_t qlen, unsigned tries, long ms, ldns_pkt **out, char *errmsg,
    size_t errlen) __attribute__((warn_unused_result));

/* Records of SECTION owned by OWNER of TYPE (RRSIGs: covering COVERED);
 * a shallow list borrowing from the section, or NULL on allocation
 * failure. Free with ldns_rr_list_free. */
ldns_rr_list *dns_rr_select(const ldns_rr_list *section, const ldns_rdf *owner,
    ldns_rr_type type, ldns_rr_type covered);
/* First sizes of ldns buffers that grow as needed: a record field's
 * text, and a question's wire form (12 octets of header, the name, at
 * most 255, 4 of type and class, 11 of EDNS OPT). */
#define DNS_RDF_TEXT_MIN 128
#define DNS_QUERY_WIRE_MIN 512
/* ldns_rdf2str without its scratch buffer of LDNS_MAX_PACKETLEN: ldns
 * starts every conversion with 64 KiB and shrinks it after, and a malloc
 * that large makes glibc consolidate its fast bins each time (perf, a
 * 3,000-domain batch: 5.6 % of the CPU in malloc_consolidate, half of it
 * from these conversions). NULL on allocation failure. */
char *dns_rdf_str(const ldns_rdf *rdf);
/* Lowercase presentation of a name without the trailing dot ("" for the
 * root); NULL on allocation failure. */
char *dns_dname_str(const ldns_rdf *dname);
/* Fill ans->text, mx, tlsa, ttl from RRS (records of ans->type). */
enum st_err dns_rr_fill(struct dns_answer *ans, const ldns_rr_list *rrs)
    __attribute__((warn_unused_result));
/* RFC 2308 5: negative TTL = min(SOA TTL, SOA MINIMUM) of the authority
 * SOA; -1 without one. */
long dns_rr_negative_ttl(const ldns_pkt *p);

/* Status of the RRset OWNER/TYPE in the answer section of P. */
enum dns_dnssec dns_validate_rrset(struct dns_ctx *c, const ldns_pkt *p,
    const ldns_rdf *owner, ldns_rr_type type);
/* Status of the NXDOMAIN/NODATA answer P gave for QNAME/QTYPE. */
enum dns_dnssec dns_validate_denial(struct dns_ctx *c, const ldns_pkt *p,
    const ldns_rdf *qname, ldns_rr_type qtype);
/* Status of the DNSKEY RRset of ZONE (used by dns_probe_validation). */
enum dns_dnssec dns_validate_zone(struct dns_ctx *c, const ldns_rdf *zone);

/* Milliseconds until deadline (a clock_ms() value), <= 0 when passed. */
long dns_ms_left(long long deadline);

#endif
