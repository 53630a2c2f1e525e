/*
 * address_test_pick.h - which session runs the address test (checks.md 9).
 *
 * The test runs in the standard connection of the most preferred address
 * that completed TLS or, when no address of the group offers TLS, of the
 * most preferred one that got through EHLO; once per group (the whole
 * probe, or each MX host with --rcpt-all). Sessions run at once, so the
 * choice waits: each candidate holds after its last EHLO until every more
 * preferred candidate of its group has either held or ended. Pure: the
 * event loop passes the candidates' states and carries out the orders.
 */
#ifndef SMTPTLS_ADDRESS_TEST_PICK_H
#define SMTPTLS_ADDRESS_TEST_PICK_H

#include <stddef.h>

enum atp_state {
	ATP_NONE = 0,   /* not a candidate (no address test here) */
	ATP_RUNNING,    /* before its last EHLO */
	ATP_HELD_TLS,   /* holding after EHLO over TLS */
	ATP_HELD_CLEAR, /* holding after EHLO in cleartext */
	ATP_GONE,       /* ended without holding */
	ATP_CHOSEN,     /* runs (or ran) the test */
	ATP_RELEASED,   /* told to QUIT */
};

enum atp_order {
	ATP_WAIT = 0, /* nothing to do (yet) */
	ATP_RUN,      /* run the address test */
	ATP_RELEASE,  /* QUIT without the test */
};

/*
 * Candidates come in preference order (MX preference, then address
 * order); group[i] is the group of candidate i. out[i] gets the order for
 * each candidate that holds, ATP_WAIT for every other.
 */
void address_test_pick(const enum atp_state *st, const unsigned *group,
    size_t n, enum atp_order *out);

#endif
