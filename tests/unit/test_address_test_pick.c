/*
 * test_address_test_pick.c - the choice of the address test's session
 * (checks.md 9) as a table: candidates' states and groups in preference
 * order -> the order for each.
 *
 * Letters: states  - none, R running, T held after TLS, C held in
 * cleartext, G gone, X chosen, Q released; orders . wait, r run, q quit.
 */
#include "address_test_pick.h"

#include <stdio.h>
#include <string.h>

#include "unit.h"
#include "banned.h"

#define N_MAX 8

struct pick_case {
	const char *name;
	const char *states;  /* one letter per candidate */
	const char *groups;  /* one digit per candidate; NULL: all 0 */
	const char *orders;  /* expected, one letter per candidate */
};

static const struct pick_case cases[] = {
	/* checks.md 9: "the most preferred address that completed TLS" */
	{"first completes TLS", "TR", NULL, "r."},
	{"first still running, second held: wait", "RT", NULL, ".."},
	{"first gone, second TLS", "GT", NULL, ".r"},
	{"cleartext before TLS: TLS wins", "CT", NULL, "qr"},
	{"cleartext before a running one: wait", "CR", NULL, ".."},
	{"two TLS: the first", "TT", NULL, "rq"},
	{"TLS behind cleartext and a gone one", "CGT", NULL, "q.r"},
	/* "or, if no address offers TLS, the most preferred reachable one" */
	{"no TLS anywhere: first cleartext", "GCC", NULL, ".rq"},
	{"all gone: nothing to run", "GGG", NULL, "..."},
	{"nothing held yet", "RRR", NULL, "..."},
	/* once chosen, later holders quit */
	{"already chosen: the rest quit", "XTC", NULL, ".qq"},
	{"already chosen, others running", "XR", NULL, ".."},
	{"released stays released", "QXT", NULL, "..q"},
	/* not a candidate: never ordered, never waited for */
	{"non-candidates ignored", " T ", NULL, ".r."},
	/* --rcpt-all: once per MX host (group) */
	{"groups decide apart", "TTCC", "0011", "rqrq"},
	{"one group waits, the other runs", "RTTR", "0011", "..r."},
	{"groups interleaved", "TCTG", "0101", "rrq."},
	{"cleartext group, TLS group", "CGCT", "0011", "r.qr"},
};

static enum atp_state
state_of(char c)
{
	switch (c) {
	case 'R': return ATP_RUNNING;
	case 'T': return ATP_HELD_TLS;
	case 'C': return ATP_HELD_CLEAR;
	case 'G': return ATP_GONE;
	case 'X': return ATP_CHOSEN;
	case 'Q': return ATP_RELEASED;
	default: return ATP_NONE;
	}
}

static char
order_letter(enum atp_order o)
{
	return o == ATP_RUN ? 'r' : o == ATP_RELEASE ? 'q' : '.';
}

int
main(void)
{
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		const struct pick_case *pc = &cases[c];
		enum atp_state st[N_MAX];
		unsigned group[N_MAX];
		enum atp_order out[N_MAX];
		char seen[N_MAX + 1], name[96];
		size_t n = strlen(pc->states);

		snprintf(name, sizeof(name), "table row: %s", pc->name);
		unit_eq_long(name, (long)n, (long)strlen(pc->orders));
		if (n > N_MAX || strlen(pc->orders) != n)
			continue;
		for (size_t i = 0; i < n; i++) {
			st[i] = state_of(pc->states[i]);
			group[i] = pc->groups != NULL ?
			    (unsigned)(pc->groups[i] - '0') : 0;
		}
		address_test_pick(st, group, n, out);
		for (size_t i = 0; i < n; i++)
			seen[i] = order_letter(out[i]);
		seen[n] = '\0';
		snprintf(name, sizeof(name), "pick: %s", pc->name);
		unit_eq_str(name, pc->orders, seen);
	}
	return unit_exit();
}
