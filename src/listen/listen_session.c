/*
 * listen_session.c - one sender's session on the listener: accept it, feed
 * the SMTP server machine what the sender writes, flush its replies, turn
 * to TLS after STARTTLS, end it on a timeout, and hand the finished record
 * to the callback. listen.c's poll loop calls these when the session's
 * socket is ready or its time is up.
 */
#include "listen_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cJSON.h>

#include "clock.h"
#include "conn.h"

#include "banned.h"

void
listen_sess_free(struct listen_session *s)
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
void
listen_sess_finish(struct listen *l, size_t slot, listen_session_cb cb,
    void *arg)
{
	struct listen_session *s = l->sess[slot];
	struct listen_peer *h;
	enum st_err err;
	size_t i, n;

	/* After QUIT the session closes cleanly: a TLS peer is owed a
	 * close_notify (RFC 8446 6.1; Exim logs its absence as an error). */
	conn_close(&s->c, s->sm.end == SMTPS_END_QUIT);
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
		listen_sess_free(s);
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
	listen_sess_free(s);
	l->sess[slot] = NULL;
}

/* sess_accept - take one waiting connection into a free slot */
void
listen_sess_accept(struct listen *l, int lfd, long long now)
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
		listen_sess_free(s);
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
void
listen_sess_read(struct listen_session *s, long long now)
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
unsigned
listen_sess_io(const struct listen_session *s)
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

void
listen_sess_ready(struct listen_session *s, short rev, long long now)
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
			listen_sess_read(s, now);
		return;
	default:
		return;
	}
}

/* sess_timeout - a limit ran out (or the listener stops) */
void
listen_sess_timeout(struct listen_session *s, bool listener, long long now)
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
