/*
 * conn_gate.h - politeness limits on new connections (issue 14): at most
 * per_addr connections open at once to one address, at most per_net to one
 * network (an IPv4 /24 or an IPv6 /48: one provider's server farm), and at
 * most max_rate new connections per second overall.
 *
 * Pure bookkeeping: the caller passes the time and does the waiting; no
 * clock, no lock, no I/O here (a gate shared by threads sits behind its
 * owner's mutex, probe_share.c). Counts are kept only for destinations with
 * a connection open, so the table is bounded by the connections in flight,
 * not by the number of addresses a run ever contacts.
 */
#ifndef SMTPTLS_CONN_GATE_H
#define SMTPTLS_CONN_GATE_H

#include <stdbool.h>
#include <stddef.h>

#include "smtptls/err.h"

/* Defaults: a careful MTA's per-destination concurrency (Postfix's
 * default_destination_concurrency_limit is 20 per domain; per address we
 * are far more modest) and a provider's network. */
#define CONN_GATE_PER_ADDR_DEFAULT 2
#define CONN_GATE_PER_NET_DEFAULT 8
/* At most this many destinations with open connections are tracked: the
 * probes of one process never hold more connections than this at once. */
#define CONN_GATE_SLOTS_MAX 4096

/* A destination: family and the address's bytes (4 or 16). */
struct conn_gate_addr {
	int family; /* AF_INET or AF_INET6 */
	unsigned char b[16];
};

struct conn_gate_slot {
	bool net;                   /* a /24 or /48 rather than one address */
	struct conn_gate_addr addr; /* the prefix, host bits zero, for net */
	unsigned count;             /* connections open */
};

struct conn_gate {
	unsigned per_addr, per_net;   /* 0: no limit */
	unsigned max_rate;            /* new connections per second; 0: none */
	long long next_us;            /* earliest time of the next connection
	                                 under max_rate (microseconds) */
	struct conn_gate_slot *slots; /* owned, nslots used */
	size_t nslots, cap;
};

enum conn_gate_answer {
	CONN_GATE_WAIT = 0, /* a limit holds: try again at *retry_ms */
	CONN_GATE_GO,       /* counted: connect now, conn_gate_release()
	                       when the connection is closed */
	CONN_GATE_FULL      /* out of memory for the table: tool error */
};

void conn_gate_init(struct conn_gate *g, unsigned per_addr, unsigned per_net,
    unsigned max_rate);
void conn_gate_release_all(struct conn_gate *g);

/* Parse text (an IPv4 or IPv6 address) into a; false when it is not one. */
bool conn_gate_addr_parse(const char *text, struct conn_gate_addr *a);

/*
 * May a new connection to a start at now_ms? GO counts it; WAIT leaves
 * *retry_ms at the time a rate limit lifts (now_ms + 1 or later when the
 * per-address or per-network limit holds: those lift when some
 * connection is released, which the caller cannot know in advance).
 */
enum conn_gate_answer conn_gate_acquire(struct conn_gate *g,
    const struct conn_gate_addr *a, long long now_ms, long long *retry_ms);

/* A connection counted by conn_gate_acquire() was closed. */
void conn_gate_release(struct conn_gate *g, const struct conn_gate_addr *a);

/* How many connections to a (the address itself) are open now. */
unsigned conn_gate_load(const struct conn_gate *g,
    const struct conn_gate_addr *a);

/*
 * A set of addresses (open addressing, family 0 = empty slot, kept at
 * most half full): the addresses that accepted a connection in a run, so
 * that a later refusal from one of them may be read as rate limiting.
 * Zero-initialised it is empty. add returns false when out of memory (a
 * is then not in the set).
 */
struct conn_gate_set {
	struct conn_gate_addr *tab;
	size_t n, cap;
};
bool conn_gate_set_add(struct conn_gate_set *s, const struct conn_gate_addr *a);
bool conn_gate_set_has(const struct conn_gate_set *s,
    const struct conn_gate_addr *a);
void conn_gate_set_release(struct conn_gate_set *s);

#endif
