/*
 * serve_rate.c - token buckets per client address (serve_rate.h). Pure:
 * the time comes in as an argument, so the unit test runs the clock.
 */
#include "serve_rate.h"

#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "banned.h"

void
serve_rate_init(struct serve_rate *r, unsigned per_minute)
{
	memset(r, 0, sizeof(*r));
	r->burst = per_minute;
	r->per_ms = per_minute / 60000.0;
}

/* client_key - family and address of sa; IPv4-mapped IPv6 is IPv4, so
 * that one client has one bucket whatever the socket family */
static int
client_key(const struct sockaddr *sa, unsigned char key[16])
{
	static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		0xff, 0xff };

	memset(key, 0, 16);
	if (sa->sa_family == AF_INET) {
		memcpy(key, &((const struct sockaddr_in *)sa)->sin_addr, 4);
		return AF_INET;
	}
	if (sa->sa_family != AF_INET6)
		return AF_UNSPEC;
	memcpy(key, ((const struct sockaddr_in6 *)sa)->sin6_addr.s6_addr, 16);
	if (memcmp(key, mapped, 12) == 0) {
		memmove(key, key + 12, 4);
		memset(key + 4, 0, 12);
		return AF_INET;
	}
	return AF_INET6;
}

/* find - the client's slot, else a free one, else the least recent */
static struct serve_rate_slot *
find(struct serve_rate *r, int family, const unsigned char key[16])
{
	struct serve_rate_slot *free_slot = NULL, *oldest = &r->slot[0];

	for (size_t i = 0; i < SERVE_RATE_CLIENTS; i++) {
		struct serve_rate_slot *s = &r->slot[i];

		if (s->family == family && memcmp(s->addr, key, 16) == 0)
			return s;
		if (s->family == 0 && free_slot == NULL)
			free_slot = s;
		if (s->last_ms < oldest->last_ms)
			oldest = s;
	}
	return free_slot != NULL ? free_slot : oldest;
}

bool
serve_rate_take(struct serve_rate *r, const struct sockaddr *sa,
    long long now_ms)
{
	unsigned char key[16];
	int family = client_key(sa, key);
	struct serve_rate_slot *s = find(r, family, key);

	if (s->family != family || memcmp(s->addr, key, 16) != 0) {
		s->family = family;
		memcpy(s->addr, key, 16);
		s->tokens = r->burst;
	} else if (now_ms > s->last_ms) {
		s->tokens += (double)(now_ms - s->last_ms) * r->per_ms;
		if (s->tokens > r->burst)
			s->tokens = r->burst;
	}
	s->last_ms = now_ms;
	if (s->tokens < 1)
		return false;
	s->tokens -= 1;
	return true;
}
