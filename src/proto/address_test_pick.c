/*
 * address_test_pick.c - choose the session of the address test (see
 * address_test_pick.h). No I/O, no allocation.
 */
#include "address_test_pick.h"

#include <stdbool.h>

#include "banned.h"

/* pick_group - the orders for the candidates of group g */
static void
pick_group(const enum atp_state *st, const unsigned *group, size_t n,
    unsigned g, enum atp_order *out)
{
	size_t i, winner = n, first_clear = n;
	bool chosen = false, running_before = false, running = false;

	for (i = 0; i < n; i++) {
		if (group[i] != g)
			continue;
		switch (st[i]) {
		case ATP_CHOSEN:
			chosen = true;
			break;
		case ATP_RUNNING:
			running = running_before = true;
			break;
		case ATP_HELD_TLS:
			/* A more preferred one still running may yet
			 * complete TLS: wait for it. */
			if (winner == n && !running_before)
				winner = i;
			break;
		case ATP_HELD_CLEAR:
			if (first_clear == n)
				first_clear = i;
			break;
		default:
			break;
		}
	}
	if (!chosen && winner == n && !running)
		winner = first_clear;
	if (!chosen && winner == n)
		return;
	for (i = 0; i < n; i++)
		if (group[i] == g &&
		    (st[i] == ATP_HELD_TLS || st[i] == ATP_HELD_CLEAR))
			out[i] = !chosen && i == winner ? ATP_RUN : ATP_RELEASE;
}

void
address_test_pick(const enum atp_state *st, const unsigned *group, size_t n,
    enum atp_order *out)
{
	size_t i, k;

	for (i = 0; i < n; i++)
		out[i] = ATP_WAIT;
	for (i = 0; i < n; i++) {
		bool seen = false;

		if (st[i] == ATP_NONE)
			continue;
		/* each group once: at its first candidate */
		for (k = 0; k < i && !seen; k++)
			seen = st[k] != ATP_NONE && group[k] == group[i];
		if (!seen)
			pick_group(st, group, n, group[i], out);
	}
}
