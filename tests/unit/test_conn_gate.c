/*
 * test_conn_gate.c - the politeness gate (conn_gate.h) as a table: each
 * case is a script of steps against one gate, with the time passed in.
 *
 * A step: 'a' acquire ADDR at T ms, expecting GO (g) or WAIT (w) and, for
 * a wait on --max-rate, the time to try again; 'r' release ADDR.
 */
#include "conn_gate.h"

#include <stdio.h>
#include <string.h>

#include "unit.h"
#include "banned.h"

struct step {
	char op;          /* 'a' acquire, 'r' release, 0 end */
	const char *addr;
	long long t;      /* ms */
	char want;        /* 'g' GO, 'w' WAIT */
	long long retry;  /* expected *retry_ms on WAIT; 0: not checked */
};

struct gate_case {
	const char *name;
	unsigned per_addr, per_net, rate;
	struct step steps[12];
};

static const struct gate_case cases[] = {
	{"two per address, the third waits", 2, 8, 0, {
		{'a', "192.0.2.1", 0, 'g', 0}, {'a', "192.0.2.1", 0, 'g', 0},
		{'a', "192.0.2.1", 0, 'w', 0}, {'r', "192.0.2.1", 0, 0, 0},
		{'a', "192.0.2.1", 1, 'g', 0}, {0}}},
	{"another address is not held back", 1, 8, 0, {
		{'a', "192.0.2.1", 0, 'g', 0}, {'a', "192.0.2.2", 0, 'g', 0},
		{'a', "192.0.2.1", 0, 'w', 0}, {0}}},
	{"eight per /24", 2, 8, 0, {
		{'a', "192.0.2.1", 0, 'g', 0}, {'a', "192.0.2.2", 0, 'g', 0},
		{'a', "192.0.2.3", 0, 'g', 0}, {'a', "192.0.2.4", 0, 'g', 0},
		{'a', "192.0.2.5", 0, 'g', 0}, {'a', "192.0.2.6", 0, 'g', 0},
		{'a', "192.0.2.7", 0, 'g', 0}, {'a', "192.0.2.8", 0, 'g', 0},
		{'a', "192.0.2.9", 0, 'w', 0}, {'a', "198.51.100.9", 0, 'g', 0},
		{'r', "192.0.2.4", 0, 0, 0}, {'a', "192.0.2.9", 0, 'g', 0}}},
	{"IPv6: a /48 is one network", 4, 2, 0, {
		{'a', "2001:db8:1:1::25", 0, 'g', 0},
		{'a', "2001:db8:1:2::25", 0, 'g', 0},
		{'a', "2001:db8:1:3::25", 0, 'w', 0},
		{'a', "2001:db8:2::25", 0, 'g', 0}, {0}}},
	{"IPv4 and IPv6 never mix", 1, 8, 0, {
		{'a', "0.0.0.1", 0, 'g', 0}, {'a', "::1", 0, 'g', 0}, {0}}},
	{"max-rate 4: one every 250 ms", 0, 0, 4, {
		{'a', "192.0.2.1", 1000, 'g', 0},
		{'a', "192.0.2.2", 1000, 'w', 1250},
		{'a', "192.0.2.2", 1249, 'w', 1250},
		{'a', "192.0.2.2", 1250, 'g', 0},
		{'a', "192.0.2.3", 1300, 'w', 1500}, {0}}},
	{"max-rate: no burst after a quiet spell", 0, 0, 10, {
		{'a', "192.0.2.1", 0, 'g', 0}, {'a', "192.0.2.1", 5000, 'g', 0},
		{'a', "192.0.2.1", 5000, 'w', 5100}, {0}}},
	{"max-rate 3: never more than 3 in a second", 0, 0, 3, {
		{'a', "192.0.2.1", 0, 'g', 0}, {'a', "192.0.2.1", 333, 'w', 334},
		{'a', "192.0.2.1", 334, 'g', 0}, {'a', "192.0.2.1", 667, 'w', 668},
		{'a', "192.0.2.1", 668, 'g', 0},
		{'a', "192.0.2.1", 999, 'w', 1002}, {0}}},
	{"a held limit does not spend the rate", 1, 8, 2, {
		{'a', "192.0.2.1", 0, 'g', 0}, {'a', "192.0.2.1", 600, 'w', 0},
		{'r', "192.0.2.1", 700, 0, 0}, {'a', "192.0.2.1", 700, 'g', 0},
		{0}}},
	{"no limits at all", 0, 0, 0, {
		{'a', "192.0.2.1", 0, 'g', 0}, {'a', "192.0.2.1", 0, 'g', 0},
		{'a', "192.0.2.1", 0, 'g', 0}, {0}}},
	{"release of what was never counted is harmless", 1, 8, 0, {
		{'r', "192.0.2.1", 0, 0, 0}, {'a', "192.0.2.1", 0, 'g', 0},
		{'a', "192.0.2.1", 0, 'w', 0}, {0}}},
};

static void
run_case(const struct gate_case *c)
{
	struct conn_gate g;
	char name[200], seen[64], want[64];

	conn_gate_init(&g, c->per_addr, c->per_net, c->rate);
	for (size_t i = 0; i < 12 && c->steps[i].op != 0; i++) {
		const struct step *s = &c->steps[i];
		struct conn_gate_addr a;
		long long retry = -1;
		enum conn_gate_answer ans;

		snprintf(name, sizeof(name), "%s: step %zu", c->name, i + 1);
		if (!conn_gate_addr_parse(s->addr, &a)) {
			unit_report(0, name, "an address", s->addr);
			break;
		}
		if (s->op == 'r') {
			conn_gate_release(&g, &a);
			continue;
		}
		ans = conn_gate_acquire(&g, &a, s->t, &retry);
		snprintf(want, sizeof(want), "%c %lld", s->want,
		    s->want == 'w' && s->retry ? s->retry : 0LL);
		snprintf(seen, sizeof(seen), "%c %lld",
		    ans == CONN_GATE_GO ? 'g' : ans == CONN_GATE_WAIT ? 'w' : 'f',
		    ans == CONN_GATE_WAIT && s->retry ? retry : 0LL);
		unit_eq_str(name, want, seen);
	}
	conn_gate_release_all(&g);
}

/* The set of served addresses: members across growth (past 256 slots),
 * an IPv6 non-member, and an empty set that has nothing. */
static void
test_set(void)
{
	struct conn_gate_set s = { 0 };
	struct conn_gate_addr a, v6;
	char text[64];
	size_t found = 0;

	conn_gate_addr_parse("192.0.2.1", &a);
	unit_eq_long("set: empty has nothing", 0, conn_gate_set_has(&s, &a));
	for (unsigned i = 0; i < 600; i++) {
		snprintf(text, sizeof(text), "198.51.%u.%u", i / 256, i % 256);
		conn_gate_addr_parse(text, &a);
		(void)conn_gate_set_add(&s, &a);
		(void)conn_gate_set_add(&s, &a); /* twice: still one */
	}
	for (unsigned i = 0; i < 600; i++) {
		snprintf(text, sizeof(text), "198.51.%u.%u", i / 256, i % 256);
		conn_gate_addr_parse(text, &a);
		found += conn_gate_set_has(&s, &a);
	}
	unit_eq_long("set: every member found after growing", 600, (long)found);
	unit_eq_long("set: each counted once", 600, (long)s.n);
	conn_gate_addr_parse("192.0.2.1", &a);
	unit_eq_long("set: a non-member", 0, conn_gate_set_has(&s, &a));
	conn_gate_addr_parse("::c633:1", &v6);
	unit_eq_long("set: an IPv6 non-member", 0, conn_gate_set_has(&s, &v6));
	conn_gate_set_release(&s);
	unit_eq_long("set: released is empty", 0, (long)s.cap);
}

int
main(void)
{
	struct conn_gate_addr a;
	struct conn_gate g;
	long long retry;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_case(&cases[i]);
	test_set();
	unit_eq_long("not an address", 0,
	    conn_gate_addr_parse("mx.example", &a));
	/* the load counts the address itself, not its network */
	conn_gate_init(&g, 4, 8, 0);
	conn_gate_addr_parse("192.0.2.7", &a);
	(void)conn_gate_acquire(&g, &a, 0, &retry); /* GO: checked above */
	(void)conn_gate_acquire(&g, &a, 0, &retry);
	unit_eq_long("load after two", 2, conn_gate_load(&g, &a));
	conn_gate_release(&g, &a);
	unit_eq_long("load after a release", 1, conn_gate_load(&g, &a));
	conn_gate_addr_parse("192.0.2.8", &a);
	unit_eq_long("load of a neighbour", 0, conn_gate_load(&g, &a));
	conn_gate_release_all(&g);
	return unit_exit();
}
