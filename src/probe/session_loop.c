/*
 * session_loop.c - session_run_all(): one poll() loop over every session of
 * a run (session.h says why one loop), and the address test's choice
 * (address_test_pick.h) carried out between polls.
 */
#include "session_int.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>

#include "clock.h"

#include "banned.h"

/* sess_pick - carry out address_test_pick()'s orders */
static void
sess_pick(struct sess *ss, size_t n, const struct session_params *p,
    enum atp_state *st, unsigned *group, enum atp_order *order)
{
	size_t i;
	bool held = false;

	for (i = 0; i < n; i++) {
		st[i] = ss[i].atp;
		group[i] = ss[i].group;
		held |= st[i] == ATP_HELD_TLS || st[i] == ATP_HELD_CLEAR;
	}
	if (!held)
		return;
	address_test_pick(st, group, n, order);
	for (i = 0; i < n; i++) {
		struct sess *s = &ss[i];
		long long now = clock_ms();

		if (order[i] == ATP_WAIT)
			continue;
		s->atp = order[i] == ATP_RUN ? ATP_CHOSEN : ATP_RELEASED;
		conn_set_deadline(&s->c, now + p->timeout_ms);
		s->step_start = now;
		sess_event(s, p,
		    smtp_client_go(&s->pa->sc, order[i] == ATP_RUN), now);
	}
}

/* sess_poll_set - the pollfd of every live session; returns how many and
 * lowers *wake to the earliest step deadline */
static size_t
sess_poll_set(struct sess *ss, size_t n, const struct session_params *p,
    struct pollfd *pfd, size_t *map, long long *wake)
{
	size_t i, np = 0;

	for (i = 0; i < n; i++) {
		struct sess *s = &ss[i];

		if (!conn_live(&s->c))
			continue;
		/* TLS may hold decrypted bytes that poll cannot see. */
		if (sess_smtp(s) && conn_pending(&s->c)) {
			sess_read(s, p, clock_ms());
			if (!conn_live(&s->c))
				continue;
		}
		conn_pollfd(&s->c, sess_io(s), &pfd[np]);
		map[np++] = i;
		*wake = conn_wake(&s->c, *wake);
	}
	return np;
}

/* sess_dispatch - after poll(): events first, then the deadlines */
static void
sess_dispatch(struct sess *ss, const struct pollfd *pfd, const size_t *map,
    size_t np, bool any, const struct session_params *p, long long now)
{
	for (size_t k = 0; k < np; k++) {
		struct sess *s = &ss[map[k]];

		if (!conn_live(&s->c))
			continue;
		if (any && pfd[k].revents != 0)
			sess_ready(s, p, pfd[k].revents, now);
		if (!conn_live(&s->c))
			continue;
		if (now >= p->deadline)
			sess_timeout(s, p, now, true);
		else if (conn_expired(&s->c, now))
			sess_timeout(s, p, now, false);
	}
}

/* The run's working arrays, one slot per address. */
struct sess_set {
	struct sess *ss;
	struct pollfd *pfd;
	size_t *map;
	enum atp_state *st;
	unsigned *group;
	enum atp_order *order;
};

static void
sess_set_free(struct sess_set *w)
{
	free(w->ss);
	free(w->pfd);
	free(w->map);
	free(w->st);
	free(w->group);
	free(w->order);
}

static enum st_err
sess_set_new(struct sess_set *w, size_t n)
{
	w->ss = calloc(n, sizeof(*w->ss));
	w->pfd = calloc(n, sizeof(*w->pfd));
	w->map = calloc(n, sizeof(*w->map));
	w->st = calloc(n, sizeof(*w->st));
	w->group = calloc(n, sizeof(*w->group));
	w->order = calloc(n, sizeof(*w->order));
	if (w->ss == NULL || w->pfd == NULL || w->map == NULL ||
	    w->st == NULL || w->group == NULL || w->order == NULL)
		return ST_ERR_NOMEM;
	return ST_OK;
}

/* sess_admit_all - finish the slots whose connection ended, move the
 * waiting ones on (session_admit.c); *pending: some still wait */
static enum st_err
sess_admit_all(struct sess *ss, size_t n, const struct session_params *p,
    long long *wake, bool *pending)
{
	long long now = clock_ms();
	enum st_err err = ST_OK;

	*pending = false;
	for (size_t i = 0; i < n && err == ST_OK; i++) {
		struct sess *s = &ss[i];
		bool wait = false;

		if (s->slot == SLOT_RUN && !conn_live(&s->c))
			err = sess_finish(s, p, now);
		if (err == ST_OK)
			err = sess_admit(s, p, now, wake, &wait);
		*pending |= wait;
	}
	return err;
}

/* sess_loop - poll until every session has ended */
static enum st_err
sess_loop(struct sess_set *w, size_t n, const struct session_params *p)
{
	for (;;) {
		long long wake = p->deadline;
		bool pending;
		enum st_err err;
		size_t np;
		int r;

		err = sess_admit_all(w->ss, n, p, &wake, &pending);
		if (err != ST_OK)
			return err;
		sess_pick(w->ss, n, p, w->st, w->group, w->order);
		np = sess_poll_set(w->ss, n, p, w->pfd, w->map, &wake);
		/* With none live but some waiting (the gate, a back-off,
		 * another probe's run of the same session), poll() just sleeps.
		 */
		if (np == 0 && !pending)
			return ST_OK;
		r = poll(w->pfd, np, conn_poll_timeout(wake, clock_ms()));
		if (r < 0 && errno != EINTR)
			return ST_ERR_IO;
		sess_dispatch(w->ss, w->pfd, w->map, np, r > 0, p, clock_ms());
	}
}

enum st_err
session_run_all(struct probe_addr **addrs, const int *rcpt_group, size_t n,
    const struct session_params *p)
{
	struct sess_set w = { 0 };
	enum st_err err;
	size_t i;

	if (n == 0)
		return ST_OK;
	if ((err = sess_set_new(&w, n)) != ST_OK)
		goto out;
	/* Every slot is valid before the first goto out (style.md 2). */
	for (i = 0; i < n; i++)
		sess_init(&w.ss[i], addrs[i], i, p, rcpt_group);
	for (i = 0; i < n; i++)
		if ((err = sess_client_init(&w.ss[i], p)) != ST_OK)
			goto out;
	err = sess_loop(&w, n, p);
out:
	if (w.ss != NULL)
		for (i = 0; i < n; i++) {
			sess_close(&w.ss[i], clock_ms());
			sess_let_go(&w.ss[i], p);
		}
	sess_set_free(&w);
	return err;
}
