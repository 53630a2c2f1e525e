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
#include "conn_gate.h"
#include "session.h"

struct share_entry;

/* Where a slot stands before and after its connection (session_admit.c);
 * without a share every slot goes NEW -> RUN -> ENDED at once. */
enum sess_slot {
	SLOT_NEW = 0, /* not looked at yet */
	SLOT_FOLLOW,  /* another probe runs the same session: poll */
	SLOT_GATE,    /* waiting for the politeness gate */
	SLOT_BACKOFF, /* rate limited: waiting until retry_at */
	SLOT_RUN,     /* connection started */
	SLOT_ENDED,   /* facts final (own, or copied) */
	SLOT__COUNT
};

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
	/* Sharing and politeness (session_admit.c) */
	enum sess_slot slot;
	struct share_entry *entry; /* the shared session, or NULL */
	bool owner;                /* this slot runs entry's session */
	bool gated;                /* holds a gate count for gaddr */
	struct conn_gate_addr gaddr;
	unsigned load;      /* most connections to the address seen open
	                     * during this attempt, ours included */
	unsigned tries;     /* attempts that met rate limiting */
	bool served;        /* its connection was noted in the share as
	                     * accepted (probe_share_note_served) */
	long long retry_at; /* SLOT_GATE / SLOT_BACKOFF: next try */
};

/* One session's steps (session.c), driven by session_loop.c: start,
 * readiness, events of the SMTP machine, timeouts, close. */
void sess_event(struct sess *s, const struct session_params *p,
    enum smtp_event ev, long long now);
/* The machine moved on: charge the time of the previous state to its
 * step and restart the step timeout (session_timing.c). */
void sess_note_state(struct sess *s, const struct session_params *p,
    long long now);
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

/* session_admit.c: move a slot that has no connection yet towards one
 * (or its copied facts), lowering *wake to its next step; *pending says
 * whether it still waits. NOMEM only. */
enum st_err sess_admit(struct sess *s, const struct session_params *p,
    long long now, long long *wake, bool *pending)
    __attribute__((warn_unused_result));
/* A RUN slot whose connection has ended: release the gate, retry after a
 * sign of rate limiting, publish a shared session. NOMEM only. */
enum st_err sess_finish(struct sess *s, const struct session_params *p,
    long long now) __attribute__((warn_unused_result));
/* Loop teardown: give back the gate and any unpublished session. */
void sess_let_go(struct sess *s, const struct session_params *p);

#endif
