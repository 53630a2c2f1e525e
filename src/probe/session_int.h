/*
 * session_int.h - what session.c (one session's steps) and session_loop.c
 * (the poll loop over all of them, the address test's choice) share.
 */
#ifndef SMTPTLS_SESSION_INT_H
#define SMTPTLS_SESSION_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "address_test_pick.h"
#include "conn.h"
#include "session.h"

/* The connection (fd, SSL, phase, step deadline) is conn.c's; a session
 * adds the SMTP machine's side and the facts it fills. */
struct sess {
	struct probe_addr *pa;
	size_t idx;  /* position in session_run_all's addrs */
	bool inject; /* scan: STARTTLS and NOOP in one write */
	bool scan;   /* scan: stops after the handshake */
	bool watch;  /* scan, after its handshake: listening for
	              * a reply it did not ask for (inject) */
	bool reneg;  /* watching: the renegotiation it asked for */
	struct conn c;
	long long t_start; /* session start */
	long long step_start;
	enum smtp_state last_state;
	enum atp_state atp; /* address test candidate (checks.md 9) */
	unsigned group;     /* its group for address_test_pick() */
};

/* One session's steps (session.c), driven by session_loop.c: start,
 * readiness, events of the SMTP machine, timeouts, close. */
void sess_event(struct sess *s, const struct session_params *p,
    enum smtp_event ev, long long now);
bool sess_smtp(const struct sess *s);
void sess_read(struct sess *s, const struct session_params *p, long long now);
unsigned sess_io(const struct sess *s);
void sess_ready(struct sess *s, const struct session_params *p, short rev,
    long long now);
void sess_timeout(struct sess *s, const struct session_params *p, long long now,
    bool deadline);
void sess_close(struct sess *s, long long now);
void sess_init(struct sess *s, struct probe_addr *pa, size_t i,
    const struct session_params *p, const int *rcpt_group);
enum st_err sess_client_init(struct sess *s, const struct session_params *p)
    __attribute__((warn_unused_result));
void sess_start(struct sess *s, const struct session_params *p, long long now);

#endif
