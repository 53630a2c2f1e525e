/*
 * dns_pending.c - a lookup's first question sent without blocking, its
 * answer read when the caller's poll says so (dns_pending.h).
 *
 * The answer is handed to dns.c's lookup driver as the response it would
 * have received (dns_ctx.primed), with every further question refused
 * (no_wait): a lookup that needs none ends there. One that does is run
 * again by dns_pending_finish from the same response, kept in wire form,
 * this time free to ask. The question goes to the first server and has
 * the first UDP try's share of the time, as dns_query would give it;
 * when no answer came in that time, dns_pending_finish goes on with the
 * schedule's next try (dns_ctx.first_try_spent).
 * Datagrams from other addresses or ports are dropped (dns_udp_recv); a
 * response that does not match the question, or is truncated, is left
 * to dns_pending_finish too, which asks again as dns_lookup would.
 * Never prints.
 */
#include "dns_pending.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bind_addr.h"
#include "clock.h"
#include "dns_int.h"

#include "banned.h"

struct dns_pending {
	const struct dns_config *cfg;
	char *name;
	uint16_t type;
	long long t0, until; /* the lookup's start, the first try's end */
	int fd;              /* -1 once the try is over */
	struct bind_addr to;
	ldns_pkt *q;     /* the question, to match the response against */
	uint8_t *answer; /* the response for dns_pending_finish, or NULL */
	size_t answer_len;
	bool timed_out; /* no response within the first try */
};

enum st_err
dns_pending_start(const struct dns_config *cfg, const char *name, uint16_t type,
    struct dns_pending **out)
{
	struct dns_pending *p;
	ldns_buffer *wire = NULL;
	ldns_rdf *qname = NULL;
	unsigned tries;
	long share;
	enum st_err err = ST_ERR_NOMEM;

	*out = NULL;
	if (cfg->nservers == 0)
		return ST_ERR_INVAL;
	if ((p = calloc(1, sizeof(*p))) == NULL)
		return ST_ERR_NOMEM;
	p->fd = -1;
	p->cfg = cfg;
	p->type = type;
	p->t0 = clock_ms();
	share = dns_server_share(cfg, (long)cfg->timeout_ms, 0, &tries);
	p->until = p->t0 + share / (long)tries;
	if ((p->name = strdup(name)) == NULL)
		goto out;
	err = ST_ERR_INVAL;
	if (!bind_addr_parse(cfg->servers[0].addr, cfg->servers[0].port,
	        &p->to) ||
	    ldns_str2rdf_dname(&qname, name) != LDNS_STATUS_OK || qname == NULL)
		goto out;
	if ((err = dns_question_new(qname, type, cfg->source == DNS_SRC_LOCAL,
	         &p->q, &wire)) != ST_OK)
		goto out;
	err = ST_ERR_IO;
	if ((p->fd = dns_udp_send(&p->to, ldns_buffer_begin(wire),
	         ldns_buffer_position(wire))) < 0)
		goto out;
	*out = p;
	p = NULL;
	err = ST_OK;
out:
	ldns_buffer_free(wire);
	ldns_rdf_deep_free(qname);
	dns_pending_free(p);
	return err;
}

int
dns_pending_fd(const struct dns_pending *p)
{
	return p->fd;
}

long long
dns_pending_until(const struct dns_pending *p)
{
	return p->until;
}

/* try_over - the first try has ended; its socket goes */
static void
try_over(struct dns_pending *p)
{
	if (p->fd >= 0)
		close(p->fd);
	p->fd = -1;
}

/* keep - the response in wire form for dns_pending_finish; false when
 * out of memory (it then asks again) */
static bool
keep(struct dns_pending *p, const uint8_t *buf, size_t n)
{
	if ((p->answer = malloc(n)) == NULL)
		return false;
	memcpy(p->answer, buf, n);
	p->answer_len = n;
	return true;
}

/* run - dns.c's lookup from the response a (taken over, or NULL: none
 * came), asking nothing more when no_wait, going on from the schedule's
 * second try when spent; true when it needed nothing more */
static bool
run(struct dns_pending *p, ldns_pkt *a, bool no_wait, bool spent,
    struct dns_answer *ans)
{
	struct dns_ctx c;
	bool blocked;

	dns_ctx_init(&c, p->cfg);
	c.deadline = p->t0 + (long long)p->cfg->timeout_ms;
	c.nqueries = 1; /* the question dns_pending_start sent */
	c.primed = a;
	c.no_wait = no_wait;
	c.first_try_spent = spent;
	(void)dns_lookup_ctx(&c, p->name, p->type, ans, p->t0);
	blocked = c.blocked;
	dns_ctx_release(&c);
	return !blocked;
}

enum dns_pending_state
dns_pending_read(struct dns_pending *p, struct dns_answer *ans)
{
	uint8_t buf[DNS_UDP_RECV_MAX];
	ldns_pkt *a = NULL;
	ssize_t n = 0;

	if (p->fd >= 0)
		n = dns_udp_recv(p->fd, &p->to, buf);
	if (n == 0 && p->fd >= 0 && clock_ms() < p->until)
		return DNS_PENDING_WAIT;
	try_over(p);
	p->timed_out = n == 0;
	if (n <= 0 || ldns_wire2pkt(&a, buf, (size_t)n) != LDNS_STATUS_OK)
		return DNS_PENDING_BLOCKS;
	if (!dns_answer_matches(p->q, a) || ldns_pkt_tc(a)) {
		ldns_pkt_free(a);
		return DNS_PENDING_BLOCKS;
	}
	if (run(p, a, true, false, ans))
		return DNS_PENDING_DONE;
	dns_answer_release(ans);
	(void)keep(p, buf, (size_t)n);
	return DNS_PENDING_BLOCKS;
}

enum st_err
dns_pending_finish(struct dns_pending *p, struct dns_answer *ans)
{
	ldns_pkt *a = NULL;

	try_over(p);
	if (p->answer != NULL &&
	    ldns_wire2pkt(&a, p->answer, p->answer_len) != LDNS_STATUS_OK)
		a = NULL;
	(void)run(p, a, false, p->timed_out, ans);
	return ans->err;
}

void
dns_pending_free(struct dns_pending *p)
{
	if (p == NULL)
		return;
	try_over(p);
	ldns_pkt_free(p->q);
	free(p->answer);
	free(p->name);
	free(p);
}
