/*
 * serve_rate.h - the per-client rate of probe requests: one token bucket
 * per client address, in a table of fixed size. Not locked: serve_gate.c
 * holds its mutex around every call.
 */
#ifndef SMTPTLS_SERVE_RATE_H
#define SMTPTLS_SERVE_RATE_H

#include <stdbool.h>

struct sockaddr;

/* Clients remembered at once. When the table is full the client seen
 * least recently is forgotten (it comes back with a full bucket): a
 * client needs more than this many addresses to profit from that. */
#define SERVE_RATE_CLIENTS 1024

struct serve_rate_slot {
	int family; /* 0: free */
	unsigned char addr[16];
	double tokens;
	long long last_ms;
};

struct serve_rate {
	double per_ms, burst; /* refill per ms; capacity (one minute's) */
	struct serve_rate_slot slot[SERVE_RATE_CLIENTS];
};

/* per_minute requests a minute, up to per_minute at once. */
void serve_rate_init(struct serve_rate *r, unsigned per_minute);
/* Whether the client at sa may send one more request at now_ms
 * (monotonic); when it may, that request is counted. */
bool serve_rate_take(struct serve_rate *r, const struct sockaddr *sa,
    long long now_ms);

#endif
