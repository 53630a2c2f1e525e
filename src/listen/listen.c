/*
 * listen.c - the listener's event loop: bind, accept, and drive one SMTP
 * server machine per sender over its non-blocking socket (plaintext, then
 * OpenSSL directly over the fd after STARTTLS), with an idle limit per
 * step, a limit per session, a cap on concurrent sessions, --count,
 * --duration and a stop flag. One poll() loop, as in session.c, over the
 * same connection driver (conn.c): a slow or hostile sender only ever
 * holds up its own session.
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

#include "clock.h"
#include "conn.h"

#include "banned.h"

/* parse_bind - "ADDR:PORT", "[V6]:PORT", "ADDR", "V6" into ss */
static bool
parse_bind(const char *spec, struct sockaddr_storage *ss, socklen_t *slen,
    char *canon, size_t clen)
{
	char host[INET6_ADDRSTRLEN + 2];
	const char *port = NULL, *colon = strrchr(spec, ':');
	unsigned long pn = 25;
	size_t hl;

	if (spec[0] == '[') {
		const char *rb = strchr(spec, ']');

		if (rb == NULL || (rb[1] != '\0' && rb[1] != ':'))
			return false;
		hl = (size_t)(rb - spec - 1);
		if (hl >= sizeof(host))
			return false;
		memcpy(host, spec + 1, hl);
		host[hl] = '\0';
		port = rb[1] == ':' ? rb + 2 : NULL;
	} else if (colon != NULL && strchr(spec, ':') == colon) {
		hl = (size_t)(colon - spec);
		if (hl >= sizeof(host))
			return false;
		memcpy(host, spec, hl);
		host[hl] = '\0';
		port = colon + 1;
	} else {
		if (strlen(spec) >= sizeof(host))
			return false;
		memcpy(host, spec, strlen(spec) + 1);
	}
	if (port != NULL) {
		char *end;

		errno = 0;
		pn = strtoul(port, &end, 10);
		if (*port == '\0' || *end != '\0' || errno != 0 || pn > 65535)
			return false;
	}
	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, host, &((struct sockaddr_in *)ss)->sin_addr) ==
	    1) {
		((struct sockaddr_in *)ss)->sin_family = AF_INET;
		((struct sockaddr_in *)ss)->sin_port = htons((uint16_t)pn);
		*slen = sizeof(struct sockaddr_in);
		snprintf(canon, clen, "%s:%lu", host, pn);
		return true;
	}
	if (inet_pton(AF_INET6, host,
	        &((struct sockaddr_in6 *)ss)->sin6_addr) == 1) {
		((struct sockaddr_in6 *)ss)->sin6_family = AF_INET6;
		((struct sockaddr_in6 *)ss)->sin6_port = htons((uint16_t)pn);
		*slen = sizeof(struct sockaddr_in6);
		snprintf(canon, clen, "[%s]:%lu", host, pn);
		return true;
	}
	return false;
}

/* open_listener - bind one address; -1 with errmsg on failure */
static int
open_listener(const struct sockaddr_storage *ss, socklen_t slen,
    const char *canon, char *errmsg, size_t errlen)
{
	int fd, one = 1;

	fd = socket(ss->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (fd < 0) {
		snprintf(errmsg, errlen, "cannot listen on '%s': %s", canon,
		    strerror(errno));
		return -1;
	}
	/* (void): both are best effort; bind reports what matters. */
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ss->ss_family == AF_INET6)
		(void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one,
		    sizeof(one));
	if (bind(fd, (const struct sockaddr *)ss, slen) < 0 ||
	    listen(fd, 128) < 0) {
		int e = errno;

		close(fd);
		snprintf(errmsg, errlen, "cannot listen on '%s': %s", canon,
		    strerror(e));
		return -1;
	}
	return fd;
}

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
		struct sockaddr_storage ss;
		socklen_t slen;
		char canon[INET6_ADDRSTRLEN + 16];

		if (!parse_bind(p->binds[i], &ss, &slen, canon,
		        sizeof(canon))) {
			snprintf(errmsg, errlen,
			    "invalid --bind '%s': want "
			    "ADDR[:PORT] with a numeric address",
			    p->binds[i]);
			err = ST_ERR_PARSE;
			goto out;
		}
		if ((l->binds[i] = strdup(canon)) == NULL) {
			err = ST_ERR_NOMEM;
			goto out;
		}
		l->nl = i + 1;
		if ((l->lfd[i] = open_listener(&ss, slen, canon, errmsg,
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

static void sess_free(struct listen_session *s);

void
listen_free(struct listen *l)
{
	size_t i;

	if (l == NULL)
		return;
	for (i = 0; i < LISTEN_SESSIONS_MAX; i++)
		sess_free(l->sess[i]);
	for (i = 0; i < l->nl; i++) {
		if (l->lfd[i] >= 0)
			close(l->lfd[i]);
		free(l->binds[i]);
	}
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

static void
sess_free(struct listen_session *s)
{
	if (s == NULL)
		return;
	conn_close(&s->c, false);
	if (s->sm_ready)
		smtp_server_release(&s->sm);
	cert_summary_release(&s->tls.client_cert);
	cJSON_Delete(s->tls.client_hello);
	check_list_release(&s->checks);
	free(s);
}

/* addr_text - numeric address and port of a socket address */
static void
addr_text(const struct sockaddr_storage *ss, char *out, size_t len,
    unsigned *port, bool *v6)
{
	out[0] = '\0';
	*port = 0;
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *in = (const void *)ss;

		inet_ntop(AF_INET, &in->sin_addr, out, (socklen_t)len);
		*port = ntohs(in->sin_port);
		*v6 = false;
	} else if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const void *)ss;

		inet_ntop(AF_INET6, &in6->sin6_addr, out, (socklen_t)len);
		*port = ntohs(in6->sin6_port);
		*v6 = true;
	}
}

/* sess_finish - the session is over: judge, report, remember, free */
static void
sess_finish(struct listen *l, size_t slot, listen_session_cb cb, void *arg)
{
	struct listen_session *s = l->sess[slot];
	struct listen_peer *h;
	enum st_err err;
	size_t i, n;

	conn_close(&s->c, false);
	s->phase = LPH_DONE;
	s->t_end = clock_ms();
	clock_rfc3339_now(s->finished, sizeof(s->finished));
	if (s->sm.end == SMTPS_END_NONE)
		smtp_server_eof(&s->sm);
	n = l->nhist < LISTEN_HISTORY_MAX ? l->nhist : LISTEN_HISTORY_MAX;
	for (i = 0; i < n && s->nrelated < LISTEN_RELATED_MAX; i++)
		if (strcmp(l->hist[i].addr, s->peer) == 0)
			s->related[s->nrelated++] = l->hist[i].seq;
	if ((err = listen_session_judge(s)) != ST_OK) {
		/* A session report with results missing would blame the
		 * sender for our failure: report none, and end the run. */
		if (l->err == ST_OK)
			l->err = err;
		sess_free(s);
		l->sess[slot] = NULL;
		return;
	}
	for (i = 0; i < s->checks.n; i++) {
		l->counts[s->checks.v[i].status]++;
		if (s->checks.v[i].status == CHECK_FAIL)
			l->any_fail = true;
	}
	h = &l->hist[l->nhist++ % LISTEN_HISTORY_MAX];
	snprintf(h->addr, sizeof(h->addr), "%s", s->peer);
	h->seq = s->seq;
	h->verdict = s->verdict;
	h->cleartext_mail = s->sm.mail_cleartext;
	h->tls_ok = s->tls.handshake == LISTEN_HS_OK;
	l->finished++;
	if (s->sm.end != SMTPS_END_LISTENER_CLOSED)
		l->complete++;
	if (cb != NULL)
		cb(arg, s);
	sess_free(s);
	l->sess[slot] = NULL;
}

/* sess_accept - take one waiting connection into a free slot */
static void
sess_accept(struct listen *l, int lfd, long long now)
{
	struct sockaddr_storage ss;
	socklen_t slen = sizeof(ss);
	struct listen_session *s;
	struct smtp_server_params sp;
	struct conn c;
	size_t slot;
	bool v6;

	for (slot = 0; slot < LISTEN_SESSIONS_MAX && l->sess[slot]; slot++)
		;
	if (slot == LISTEN_SESSIONS_MAX)
		return;
	conn_init(&c);
	if (conn_accept(&c, lfd, (struct sockaddr *)&ss, &slen) != 0)
		return; /* EAGAIN, or the peer left: nothing to record */
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		conn_close(&c, false);
		return;
	}
	s->l = l;
	s->c = c;
	s->seq = ++l->next_seq;
	snprintf(s->id, sizeof(s->id), "s-%06u", s->seq % 1000000);
	addr_text(&ss, s->peer, sizeof(s->peer), &s->peer_port, &s->peer_v6);
	slen = sizeof(ss);
	if (getsockname(s->c.fd, (struct sockaddr *)&ss, &slen) == 0)
		addr_text(&ss, s->local, sizeof(s->local), &s->local_port, &v6);
	s->t_start = now;
	clock_rfc3339_now(s->started, sizeof(s->started));
	conn_set_deadline(&s->c, now + l->p.step_timeout_ms);
	s->session_deadline = now + l->p.session_timeout_ms;
	check_list_init(&s->checks);
	sp.hostname = l->hostname;
	sp.starttls = l->p.starttls;
	sp.accept_data = l->p.accept_data;
	if (smtp_server_init(&s->sm, &sp) != ST_OK) {
		smtp_server_release(&s->sm);
		sess_free(s);
		return;
	}
	s->sm_ready = true;
	s->phase = LPH_SMTP;
	l->sess[slot] = s;
}

/* sess_flush - write pending replies; false when the socket failed */
static bool
sess_flush(struct listen_session *s)
{
	const char *out;
	size_t len;

	while ((out = smtp_server_output(&s->sm, &len)) != NULL) {
		ssize_t r = conn_write(&s->c, out, len);

		if (r <= 0)
			return r == 0;
		smtp_server_output_done(&s->sm, (size_t)r);
	}
	return true;
}

static void
sess_handshake(struct listen_session *s, long long now)
{
	struct conn_tls_fail fail;

	switch (conn_handshake(&s->c, &fail)) {
	case CONN_HS_AGAIN:
		return;
	case CONN_HS_DONE:
		listen_tls_collect(s);
		(void)smtp_server_tls_done(&s->sm, true); /* NONE */
		s->phase = LPH_SMTP;
		conn_set_deadline(&s->c, now + s->l->p.step_timeout_ms);
		return;
	case CONN_HS_FAILED:
	default:
		break;
	}
	if (s->tls.handshake == LISTEN_HS_NONE)
		s->tls.handshake = LISTEN_HS_CLOSED;
	snprintf(s->errmsg, sizeof(s->errmsg), "TLS handshake failed: %s",
	    fail.ssl_error != SSL_ERROR_SSL ? "connection closed"
	    : fail.reason[0] != '\0'        ? fail.reason
	                                    : "unknown TLS error");
	(void)smtp_server_tls_done(&s->sm, false); /* CLOSE */
	s->phase = LPH_DONE;
}

/* sess_start_tls - the 220 is out: hand the socket to OpenSSL */
static void
sess_start_tls(struct listen_session *s, long long now)
{
	SSL *ssl;

	s->tls_attempted = true;
	if ((ssl = listen_tls_new(s->l->ctx, s)) == NULL) {
		snprintf(s->errmsg, sizeof(s->errmsg), "cannot start TLS");
		s->sm.end = SMTPS_END_ERROR;
		s->phase = LPH_DONE;
		return;
	}
	conn_start_tls(&s->c, ssl);
	s->phase = LPH_HANDSHAKE;
	conn_set_deadline(&s->c, now + s->l->p.step_timeout_ms);
	sess_handshake(s, now);
}

/* sess_event - act on what the machine asked for */
static void
sess_event(struct listen_session *s, enum smtps_event ev, long long now)
{
	if (!sess_flush(s)) {
		smtp_server_eof(&s->sm);
		s->phase = LPH_DONE;
		return;
	}
	if (ev == SMTPS_EV_CLOSE) {
		s->phase = LPH_CLOSING;
		conn_set_deadline(&s->c, now + LISTEN_LINGER_MS);
	} else if (ev == SMTPS_EV_START_TLS) {
		/* Bytes after STARTTLS were dropped by the machine; we do
		 * not read the socket again before the handshake. */
		s->phase = LPH_CLOSING; /* reused: drain the 220 first */
		s->tls_attempted = true;
		conn_set_deadline(&s->c, now + s->l->p.step_timeout_ms);
	}
	if (s->phase == LPH_CLOSING) {
		size_t len;

		smtp_server_output(&s->sm, &len);
		if (len == 0 && s->sm.state == SMTPS_ST_TLS)
			sess_start_tls(s, now);
		else if (len == 0)
			s->phase = LPH_DONE;
	}
}

/* sess_read - read what is there and feed it to the machine */
static void
sess_read(struct listen_session *s, long long now)
{
	char buf[4096];
	ssize_t n;
	size_t used;
	struct tls_io_close end;

	/* How a sender went away is not judged (yet): any end is EOF. */
	n = conn_read(&s->c, buf, sizeof(buf), &end);
	if (n < 0)
		return;
	if (n == 0) {
		smtp_server_eof(&s->sm);
		s->phase = LPH_DONE;
		return;
	}
	conn_set_deadline(&s->c, now + s->l->p.step_timeout_ms);
	sess_event(s, smtp_server_feed(&s->sm, buf, (size_t)n, &used), now);
}

/* sess_io - what the session would do next on its conn */
static unsigned
sess_io(const struct listen_session *s)
{
	size_t len = 0;

	switch (s->phase) {
	case LPH_CLOSING:
		return CONN_IO_WRITE;
	case LPH_SMTP:
		smtp_server_output(&s->sm, &len);
		return CONN_IO_READ | (len > 0 ? CONN_IO_WRITE : 0);
	default:
		return 0; /* the handshake: the conn knows */
	}
}

static void
sess_ready(struct listen_session *s, short rev, long long now)
{
	/* Asked before a write changes what OpenSSL waits for. */
	bool rd = conn_read_ready(&s->c, rev);

	switch (s->phase) {
	case LPH_HANDSHAKE:
		sess_handshake(s, now);
		return;
	case LPH_CLOSING:
		sess_event(s,
		    s->sm.state == SMTPS_ST_TLS ? SMTPS_EV_START_TLS
		                                : SMTPS_EV_CLOSE,
		    now);
		return;
	case LPH_SMTP:
		if (conn_write_ready(&s->c, rev))
			sess_event(s, SMTPS_EV_NONE, now);
		if (s->phase == LPH_SMTP && rd)
			sess_read(s, now);
		return;
	default:
		return;
	}
}

/* sess_timeout - a limit ran out (or the listener stops) */
static void
sess_timeout(struct listen_session *s, bool listener, long long now)
{
	if (s->phase == LPH_HANDSHAKE) {
		if (!listener)
			s->tls.handshake = LISTEN_HS_TIMEOUT;
		s->sm.end =
		    listener ? SMTPS_END_LISTENER_CLOSED : SMTPS_END_TIMEOUT;
		s->phase = LPH_DONE;
		return;
	}
	if (s->phase == LPH_CLOSING && s->sm.state != SMTPS_ST_TLS) {
		s->phase = LPH_DONE; /* the sender does not read */
		return;
	}
	(void)smtp_server_timeout(&s->sm, listener); /* CLOSE */
	sess_event(s, SMTPS_EV_CLOSE, now);
	if (listener)
		s->phase = LPH_DONE; /* one try to say 421, no waiting */
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
		conn_pollfd(&s->c, sess_io(s), &pfd[np]);
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
					sess_accept(l, pfd[k].fd, now);
				continue;
			}
			s = l->sess[map[k]];
			if (r > 0 && pfd[k].revents != 0)
				sess_ready(s, pfd[k].revents, now);
			else if (s->phase == LPH_SMTP && conn_pending(&s->c))
				sess_read(s, now);
			if (s->phase != LPH_DONE &&
			    (conn_expired(&s->c, now) ||
			        now >= s->session_deadline))
				sess_timeout(s, false, now);
			if (s->phase == LPH_DONE)
				sess_finish(l, map[k], cb, arg);
		}
	}
	/* Sessions still open end now and are reported. */
	for (i = 0; i < LISTEN_SESSIONS_MAX; i++)
		if (l->sess[i] != NULL) {
			sess_timeout(l->sess[i], true, clock_ms());
			l->sess[i]->phase = LPH_DONE;
			sess_finish(l, i, cb, arg);
		}
	return err != ST_OK ? err : l->err;
}
