/*
 * conn_gate.c - the politeness limits on new connections (conn_gate.h):
 * open-connection counts per address and per network, and the spacing of
 * new connections under --max-rate. Bookkeeping only; the caller waits.
 */
#include "conn_gate.h"

#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "banned.h"

void
conn_gate_init(struct conn_gate *g, unsigned per_addr, unsigned per_net,
    unsigned max_rate)
{
	memset(g, 0, sizeof(*g));
	g->per_addr = per_addr;
	g->per_net = per_net;
	g->max_rate = max_rate;
}

void
conn_gate_release_all(struct conn_gate *g)
{
	free(g->slots);
	g->slots = NULL;
	g->nslots = g->cap = 0;
}

bool
conn_gate_addr_parse(const char *text, struct conn_gate_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, text, a->b) == 1) {
		a->family = AF_INET;
		return true;
	}
	if (inet_pton(AF_INET6, text, a->b) == 1) {
		a->family = AF_INET6;
		return true;
	}
	return false;
}

/* gate_net - the network of a: /24 for IPv4, /48 for IPv6 (a provider's
 * usual allocation to one site) */
static void
gate_net(const struct conn_gate_addr *a, struct conn_gate_addr *net)
{
	size_t keep = a->family == AF_INET ? 3 : 6;

	memset(net, 0, sizeof(*net));
	net->family = a->family;
	memcpy(net->b, a->b, keep);
}

static struct conn_gate_slot *
gate_find(const struct conn_gate *g, bool net, const struct conn_gate_addr *a)
{
	for (size_t i = 0; i < g->nslots; i++) {
		struct conn_gate_slot *s = &g->slots[i];

		if (s->net == net && s->addr.family == a->family &&
		    memcmp(s->addr.b, a->b, sizeof(a->b)) == 0)
			return s;
	}
	return NULL;
}

static unsigned
gate_count(const struct conn_gate *g, bool net, const struct conn_gate_addr *a)
{
	const struct conn_gate_slot *s = gate_find(g, net, a);

	return s != NULL ? s->count : 0;
}

/* gate_add - count one more connection to a; false when the table is full
 * or out of memory */
static bool
gate_add(struct conn_gate *g, bool net, const struct conn_gate_addr *a)
{
	struct conn_gate_slot *s = gate_find(g, net, a);

	if (s != NULL) {
		s->count++;
		return true;
	}
	if (g->nslots == g->cap) {
		size_t cap = g->cap ? g->cap * 2 : 16;

		if (cap > CONN_GATE_SLOTS_MAX ||
		    (s = realloc(g->slots, cap * sizeof(*s))) == NULL)
			return false;
		g->slots = s;
		g->cap = cap;
	}
	s = &g->slots[g->nslots++];
	s->net = net;
	s->addr = *a;
	s->count = 1;
	return true;
}

/* gate_sub - one connection less; a slot at zero is dropped (the table
 * holds open destinations only) */
static void
gate_sub(struct conn_gate *g, bool net, const struct conn_gate_addr *a)
{
	struct conn_gate_slot *s = gate_find(g, net, a);

	if (s == NULL || s->count == 0)
		return;
	if (--s->count == 0)
		*s = g->slots[--g->nslots];
}

enum conn_gate_answer
conn_gate_acquire(struct conn_gate *g, const struct conn_gate_addr *a,
    long long now_ms, long long *retry_ms)
{
	struct conn_gate_addr net;
	long long now_us = now_ms * 1000;

	*retry_ms = now_ms + 1;
	gate_net(a, &net);
	if ((g->per_addr > 0 && gate_count(g, false, a) >= g->per_addr) ||
	    (g->per_net > 0 && gate_count(g, true, &net) >= g->per_net))
		return CONN_GATE_WAIT;
	if (g->max_rate > 0 && now_us < g->next_us) {
		*retry_ms = (g->next_us + 999) / 1000;
		return CONN_GATE_WAIT;
	}
	if (!gate_add(g, false, a))
		return CONN_GATE_FULL;
	if (!gate_add(g, true, &net)) {
		gate_sub(g, false, a);
		return CONN_GATE_FULL;
	}
	/* One connection every 1/max_rate seconds: never more than max_rate
	 * in any second, and no burst after a quiet spell. */
	if (g->max_rate > 0)
		g->next_us = (now_us > g->next_us ? now_us : g->next_us) +
		             1000000LL / g->max_rate;
	return CONN_GATE_GO;
}

void
conn_gate_release(struct conn_gate *g, const struct conn_gate_addr *a)
{
	struct conn_gate_addr net;

	gate_net(a, &net);
	gate_sub(g, false, a);
	gate_sub(g, true, &net);
}

unsigned
conn_gate_load(const struct conn_gate *g, const struct conn_gate_addr *a)
{
	return gate_count(g, false, a);
}

/* set_slot - where a is in tab, or where it would go */
static struct conn_gate_addr *
set_slot(struct conn_gate_addr *tab, size_t cap, const struct conn_gate_addr *a)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */
	size_t i;

	for (i = 0; i < sizeof(a->b); i++)
		h = (h ^ a->b[i]) * 1099511628211ULL;
	for (i = (size_t)(h % cap);; i = (i + 1) % cap)
		if (tab[i].family == 0 ||
		    (tab[i].family == a->family &&
		        memcmp(tab[i].b, a->b, sizeof(a->b)) == 0))
			return &tab[i];
}

/* set_grow - room for one more with the table at most half full */
static bool
set_grow(struct conn_gate_set *s)
{
	size_t cap = s->cap ? s->cap * 2 : 256;
	struct conn_gate_addr *t;

	if (2 * (s->n + 1) <= s->cap)
		return true;
	if ((t = calloc(cap, sizeof(*t))) == NULL)
		return false;
	for (size_t i = 0; i < s->cap; i++)
		if (s->tab[i].family != 0)
			*set_slot(t, cap, &s->tab[i]) = s->tab[i];
	free(s->tab);
	s->tab = t;
	s->cap = cap;
	return true;
}

bool
conn_gate_set_add(struct conn_gate_set *s, const struct conn_gate_addr *a)
{
	struct conn_gate_addr *slot;

	if (!set_grow(s))
		return false;
	if ((slot = set_slot(s->tab, s->cap, a))->family == 0) {
		*slot = *a;
		s->n++;
	}
	return true;
}

bool
conn_gate_set_has(const struct conn_gate_set *s, const struct conn_gate_addr *a)
{
	return s->cap > 0 && set_slot(s->tab, s->cap, a)->family != 0;
}

void
conn_gate_set_release(struct conn_gate_set *s)
{
	free(s->tab);
	memset(s, 0, sizeof(*s));
}
