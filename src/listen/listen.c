/*
 * listen.c - the listener's event loop: bind, accept, and drive one SMTP
 * server machine per sender over its non-blocking socket (plaintext, then
 * OpenSSL directly over the fd after STARTTLS), with an idle limit per
 * step, a limit per session, a cap on concurrent sessions, --count,
 * --duration and a stop flag. One poll() loop, as in session.c, over the
 * same connection driver (conn.c): a slow or hostile sender only ever
 * holds up its own session.
 *
 * One session's steps are in listen_session.c.
 *
 * It owns the listening sockets, the sessions and the history of finished
 * sessions (for related_sessions); it prints nothing.
 */
#include "listen_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cJSON.h>

#include "bind_addr.h"
#include "clock.h"
#include "conn.h"

#include "banned.h"

enum st_err
listen_new(const struct listen_params *p, struct listen **out, char *errmsg,
    size_t errlen)
{
	struct listen *l;
	enum st_err err = ST_OK;
	size_t i;

	*out = NULL;
	if (p->nbinds == 0 || p->nbinds > LISTEN_BINDS_MAX) {
		snprintf(errmsg, errlen, "between 1 and %d --bind addresses",
		    LISTEN_BINDS_MAX);
		return ST_ERR_PARSE;
	}
	if ((l = calloc(1, sizeof(*l))) == NULL ||
	    (l->hist = calloc(LISTEN_HISTORY_MAX, sizeof(*l->hist))) == NULL) {
		free(l);
		snprintf(errmsg, errlen, "out of memory");
		return ST_ERR_NOMEM;
	}
	l->p = *p;
	for (i = 0; i < LISTEN_BINDS_MAX; i++)
		l->lfd[i] = -1;
	if (p->hostname == NULL || strlen(p->hostname) == 0 ||
	    strlen(p->hostname) >= sizeof(l->hostname) ||
	    strpbrk(p->hostname, " \t\r\n") != NULL) {
		snprintf(errmsg, errlen, "invalid --hostname");
		err = ST_ERR_INVAL;
		goto out;
	}
	snprintf(l->hostname, sizeof(l->hostname), "%s", p->hostname);
	l->p.hostname = l->hostname;
	if (l->p.step_timeout_ms == 0)
		l->p.step_timeout_ms = LISTEN_STEP_MS_DEFAULT;
	if (l->p.session_timeout_ms == 0)
		l->p.session_timeout_ms = LISTEN_SESSION_MS_DEFAULT;
	if ((l->ctx = listen_tls_ctx(p, l->hostname, &l->server_cert, errmsg,
	         errlen)) == NULL) {
		err = p->cert_file != NULL ? ST_ERR_PARSE : ST_ERR_TLS;
		goto out;
	}
	for (i = 0; i < p->nbinds; i++) {
		struct bind_addr ba;

		if (!bind_addr_parse(p->binds[i], 25, &ba)) {
			snprintf(errmsg, errlen,
			    "invalid --bind '%s': want "
			    "ADDR[:PORT] with a numeric address",
			    p->binds[i]);
			err = ST_ERR_PARSE;
			goto out;
		}
		if ((l->binds[i] = strdup(ba.text)) == NULL) {
			err = ST_ERR_NOMEM;
			goto out;
		}
		l->nl = i + 1;
		if ((l->lfd[i] = bind_addr_open(&ba, SOCK_STREAM, errmsg,
		         errlen)) < 0) {
			err = ST_ERR_IO;
			goto out;
		}
	}
	clock_rfc3339_now(l->started, sizeof(l->started));
	*out = l;
	l = NULL;
out:
	listen_free(l);
	return err;
}

void
listen_free(struct listen *l)
{
	size_t i;

	if (l == NULL)
		return;
	for (i = 0; i < LISTEN_SESSIONS_MAX; i++)
		listen_sess_free(l->sess[i]);
	for (i = 0; i < l->nl; i++) {
		if (l->lfd[i] >= 0)
			close(l->lfd[i]);
		free(l->binds[i]);
	}
	listen_sni_free(l);
	SSL_CTX_free(l->ctx);
	cert_summary_release(&l->server_cert);
	free(l->hist);
	free(l);
}

enum listen_reason
listen_reason(const struct listen *l)
{
	return l->reason;
}

unsigned
listen_sessions(const struct listen *l)
{
	return l->finished;
}

unsigned
listen_sessions_complete(const struct listen *l)
{
	return l->complete;
}

bool
listen_any_fail(const struct listen *l)
{
	return l->any_fail;
}

/* should_stop - the run's end conditions */
static bool
should_stop(struct listen *l, volatile sig_atomic_t *stop, long long now,
    long long end_at)
{
	if (l->err != ST_OK) {
		l->reason = LISTEN_REASON_ERROR;
		return true;
	}
	if (stop != NULL && *stop) {
		l->reason = LISTEN_REASON_SIGNAL;
		return true;
	}
	if (l->p.count > 0 && l->complete >= l->p.count) {
		l->reason = LISTEN_REASON_COUNT;
		return true;
	}
	if (end_at > 0 && now >= end_at) {
		l->reason = LISTEN_REASON_DURATION;
		return true;
	}
	return false;
}

/* listen_poll_set - a pollfd per session, then the listening sockets while
 * there is room; lowers *wake to the earliest limit; returns how many */
static size_t
listen_poll_set(struct listen *l, struct pollfd *pfd, size_t *map,
    long long *wake, long long now)
{
	size_t i, np = 0, nsess = 0;

	for (i = 0; i < LISTEN_SESSIONS_MAX; i++) {
		struct listen_session *s = l->sess[i];

		if (s == NULL)
			continue;
		nsess++;
		/* TLS may hold decrypted bytes poll cannot see. */
		if (s->phase == LPH_SMTP && conn_pending(&s->c))
			*wake = now;
		conn_pollfd(&s->c, listen_sess_io(s), &pfd[np]);
		map[np++] = i;
		*wake = conn_wake(&s->c, *wake);
		if (s->session_deadline < *wake)
			*wake = s->session_deadline;
	}
	for (i = 0; i < l->nl && nsess < LISTEN_SESSIONS_MAX; i++) {
		pfd[np].fd = l->lfd[i];
		pfd[np].events = POLLIN;
		pfd[np].revents = 0;
		map[np++] = LISTEN_SESSIONS_MAX + i;
	}
	return np;
}

enum st_err
listen_run(struct listen *l, listen_session_cb cb, void *arg,
    volatile sig_atomic_t *stop)
{
	struct pollfd pfd[LISTEN_BINDS_MAX + LISTEN_SESSIONS_MAX];
	size_t map[LISTEN_BINDS_MAX + LISTEN_SESSIONS_MAX];
	long long now = clock_ms();
	long long end_at = l->p.duration_ms > 0 ? now + l->p.duration_ms : 0;
	enum st_err err = ST_OK;
	size_t i, np;

	for (;;) {
		long long wake;
		int r;

		now = clock_ms();
		if (should_stop(l, stop, now, end_at))
			break;
		/* Backstop for a signal that lands just before poll(). */
		wake = now + 500;
		if (end_at > 0 && end_at < wake)
			wake = end_at;
		np = listen_poll_set(l, pfd, map, &wake, now);
		r = poll(pfd, np, conn_poll_timeout(wake, now));
		if (r < 0 && errno != EINTR) {
			err = ST_ERR_IO;
			l->reason = LISTEN_REASON_ERROR;
			break;
		}
		now = clock_ms();
		for (size_t k = 0; k < np; k++) {
			struct listen_session *s;

			if (map[k] >= LISTEN_SESSIONS_MAX) {
				if (r > 0 && (pfd[k].revents & POLLIN))
					listen_sess_accept(l, pfd[k].fd, now);
				continue;
			}
			s = l->sess[map[k]];
			if (r > 0 && pfd[k].revents != 0)
				listen_sess_ready(s, pfd[k].revents, now);
			else if (s->phase == LPH_SMTP && conn_pending(&s->c))
				listen_sess_read(s, now);
			if (s->phase != LPH_DONE &&
			    (conn_expired(&s->c, now) ||
			        now >= s->session_deadline))
				listen_sess_timeout(s, false, now);
			if (s->phase == LPH_DONE)
				listen_sess_finish(l, map[k], cb, arg);
		}
	}
	/* Sessions still open end now and are reported. */
	for (i = 0; i < LISTEN_SESSIONS_MAX; i++)
		if (l->sess[i] != NULL) {
			listen_sess_timeout(l->sess[i], true, clock_ms());
			l->sess[i]->phase = LPH_DONE;
			listen_sess_finish(l, i, cb, arg);
		}
	return err != ST_OK ? err : l->err;
}
