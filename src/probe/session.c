/*
 * session.c - one SMTP session of the probe: non-blocking connect, the SMTP
 * client machine fed from the socket or from TLS, the STARTTLS handshake,
 * step timeouts, the scan's hooks. session_loop.c drives all of them in one
 * poll() loop (session.h says why).
 */
#include "session_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <openssl/err.h>

#include "address_test_pick.h"
#include "ascii.h"
#include "clock.h"
#include "conn.h"
#include "tls_client.h"

#include "banned.h"

/* sess_smtp - the SMTP machine is reading and writing on the conn */
bool
sess_smtp(const struct sess *s)
{
	return s->c.phase == CONN_PLAIN ||
	       (s->c.phase == CONN_TLS && !s->watch);
}

void
sess_close(struct sess *s, long long now)
{
	struct probe_addr *pa = s->pa;

	if (s->c.phase == CONN_NONE || s->c.phase == CONN_CLOSED)
		return;
	if (s->atp != ATP_NONE && s->atp != ATP_CHOSEN &&
	    s->atp != ATP_RELEASED)
		s->atp = ATP_GONE;
	/* A scan session is only ever established right before it stops:
	 * it says close_notify (not waited for). */
	conn_close(&s->c, s->scan);
	pa->t[T_TOTAL] = (long)(now - s->t_start);
	if (!pa->connected) {
		if (pa->state != ADDR_SKIPPED)
			pa->state = ADDR_ERROR;
	} else
		pa->state =
		    pa->sc.state == SMTP_ST_DONE ? ADDR_COMPLETE : ADDR_ABORTED;
}

void
sess_start(struct sess *s, const struct session_params *p, long long now)
{
	struct probe_addr *pa = s->pa;
	struct sockaddr_storage ss;
	socklen_t slen;
	int e;

	memset(&ss, 0, sizeof(ss));
	s->t_start = s->step_start = now;
	conn_set_deadline(&s->c, now + p->timeout_ms);
	if (pa->family == AF_INET6) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(p->port);
		inet_pton(AF_INET6, pa->address, &sin6->sin6_addr);
		slen = sizeof(*sin6);
	} else {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(p->port);
		inet_pton(AF_INET, pa->address, &sin->sin_addr);
		slen = sizeof(*sin);
	}
	/* Ask the routing table first (nothing is sent): an address this
	 * machine cannot reach is not testable from here, which says nothing
	 * about the server (checks.md smtp.connect skip). */
	if ((e = conn_route_check((struct sockaddr *)&ss, slen)) == 0 &&
	    (e = conn_connect(&s->c, (struct sockaddr *)&ss, slen)) == 0)
		return;
	s->c.phase = CONN_CONNECTING; /* so that sess_close() finishes it */
	if (conn_no_route(e)) {
		pa->state = ADDR_SKIPPED;
		snprintf(pa->conn_error, sizeof(pa->conn_error), "no-route");
		snprintf(pa->conn_errmsg, sizeof(pa->conn_errmsg),
		    "no route from this machine to '%s': %s", pa->address,
		    strerror(e));
	} else {
		pa->state = ADDR_ERROR;
		snprintf(pa->conn_error, sizeof(pa->conn_error), "%s",
		    conn_error_code(e, true));
		snprintf(pa->conn_errmsg, sizeof(pa->conn_errmsg),
		    "%s '%s' port %u: %s",
		    s->c.fd < 0 ? "cannot create a socket for"
		                : "cannot connect to",
		    pa->address, (unsigned)p->port, strerror(e));
	}
	sess_close(s, now);
}

/* sess_flush - write pending commands (plain or TLS) */
static bool
sess_flush(struct sess *s)
{
	size_t len;
	const char *out;

	while (
	    (out = smtp_client_output(&s->pa->sc, &len)) != NULL && len > 0) {
		char two[64];
		ssize_t r;

		/* checks.md 10 smtp.starttls.injection: one write */
		if (s->inject && s->c.phase == CONN_PLAIN &&
		    s->pa->sc.state == SMTP_ST_STARTTLS &&
		    len + 6 <= sizeof(two)) {
			memcpy(two, out, len);
			memcpy(two + len, "NOOP\r\n", 6);
			s->inject = false;
			r = conn_write(&s->c, two, len + 6);
			if (r > (ssize_t)len)
				r = (ssize_t)len;
		} else
			r = conn_write(&s->c, out, len);
		if (r <= 0)
			return r == 0;
		smtp_client_output_done(&s->pa->sc, (size_t)r);
	}
	return true;
}

static void sess_handshake(struct sess *s, const struct session_params *p,
    long long now);

/* sess_event - act on what the SMTP machine asked for */
void
sess_event(struct sess *s, const struct session_params *p, enum smtp_event ev,
    long long now)
{
	struct probe_addr *pa = s->pa;
	const struct session_target *t =
	    p->targets != NULL ? &p->targets[s->idx] : NULL;
	const char *sni = t != NULL ? t->sni : NULL;
	SSL *ssl;

	sess_note_state(s, p, now);
	switch (ev) {
	case SMTP_EV_START_TLS:
		pa->tls.attempted = true;
		if (sni != NULL)
			snprintf(pa->tls.sni, sizeof(pa->tls.sni), "%s", sni);
		ssl = tls_client_new(p->ctx, s->c.fd, sni, t ? t->tlsa : NULL,
		    t ? t->ntlsa : 0, &pa->tls);
		if (ssl != NULL && p->hooks != NULL &&
		    p->hooks->setup != NULL &&
		    !p->hooks->setup(p->hooks->arg, s->idx, ssl)) {
			SSL_free(ssl);
			ssl = NULL;
		}
		if (ssl == NULL) {
			tls_client_errors(pa->tls.errmsg,
			    sizeof(pa->tls.errmsg));
			smtp_client_tls_done(&pa->sc, false, pa->tls.errmsg);
			sess_close(s, now);
			return;
		}
		conn_start_tls(&s->c, ssl);
		conn_set_deadline(&s->c, now + p->timeout_ms);
		sess_handshake(s, p, now);
		return;
	case SMTP_EV_DONE:
	case SMTP_EV_FAILED:
		sess_close(s, now);
		return;
	case SMTP_EV_READY:
		/* Held until address_test_pick() decides; the wait is bounded
		 * by the other sessions' steps and the run deadline. */
		s->atp = pa->sc.tls_active ? ATP_HELD_TLS : ATP_HELD_CLEAR;
		conn_set_deadline(&s->c, p->deadline);
		return;
	case SMTP_EV_NONE:
	default:
		if (!sess_flush(s)) {
			smtp_client_eof(&pa->sc);
			sess_close(s, now);
		}
		return;
	}
}

/* sess_tls_facts - what the handshake gave, and the peer's chain kept for
 * session_chains_check() (NULL when it cannot be kept: then, as when the
 * analysis fails, there is no chain result) */
static void
sess_tls_facts(struct sess *s)
{
	struct probe_addr *pa = s->pa;
	STACK_OF(X509) * chain;

	tls_client_collect(s->c.ssl, &pa->tls);
	chain = SSL_get_peer_cert_chain(s->c.ssl);
	if (chain != NULL && sk_X509_num(chain) > 0 && pa->peer_chain == NULL)
		pa->peer_chain = X509_chain_up_ref(chain);
}

/* sess_reneg_start - ask a TLS 1.2 server to renegotiate: the ClientHello
 * leaves now, the answer is read by sess_watch(); false when there is
 * nothing to watch (outcome already in tls.renegotiated) */
static bool
sess_reneg_start(struct sess *s, long long now)
{
	SSL *ssl = s->c.ssl;
	int r, e;

	s->pa->tls.renegotiated = -1;
	ERR_clear_error();
	if (SSL_version(ssl) != TLS1_2_VERSION || SSL_renegotiate(ssl) != 1) {
		ERR_clear_error();
		return false;
	}
	r = SSL_do_handshake(ssl);
	e = SSL_get_error(ssl, r);
	ERR_clear_error();
	if (r == 1 || (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE)) {
		s->pa->tls.renegotiated = r == 1;
		return false;
	}
	s->pa->tls.renegotiated = 0; /* until the server completes it */
	s->watch = s->reneg = true;
	conn_set_deadline(&s->c, now + SESSION_RENEG_WAIT_MS);
	return true;
}

static void
sess_scan_done(struct sess *s, const struct session_params *p, long long now)
{
	if (p->hooks->done != NULL)
		p->hooks->done(p->hooks->arg, s->idx, s->c.ssl);
	if (p->hooks->inject != NULL &&
	    p->hooks->inject(p->hooks->arg, s->idx)) {
		s->pa->tls.unsolicited = 0;
		s->watch = true;
		conn_set_deadline(&s->c, now + SESSION_INJECT_WAIT_MS);
		return;
	}
	if (p->hooks->reneg != NULL && p->hooks->reneg(p->hooks->arg, s->idx) &&
	    sess_reneg_start(s, now))
		return;
	sess_close(s, now);
}

/* sess_watch - anything readable inside TLS before we spoke? Or, with
 * reneg, did the renegotiation we asked for complete? */
static void
sess_watch(struct sess *s, long long now)
{
	char buf[512];
	struct tls_io_close end;
	ssize_t r;

	r = conn_read(&s->c, buf, sizeof(buf), &end);
	if (s->reneg) {
		/* OpenSSL runs the new handshake inside SSL_read; an alert
		 * (no_renegotiation) or a close ends the read with 0 */
		if (r != 0 && SSL_renegotiate_pending(s->c.ssl))
			return;
		s->pa->tls.renegotiated = r != 0;
		sess_close(s, now);
		return;
	}
	if (r < 0)
		return;
	if (r > 0)
		s->pa->tls.unsolicited = 1;
	/* else closed or failed: nothing was carried across */
	sess_close(s, now);
}

static void
sess_handshake(struct sess *s, const struct session_params *p, long long now)
{
	struct probe_addr *pa = s->pa;
	struct conn_tls_fail fail;
	enum smtp_event ev;

	switch (conn_handshake(&s->c, &fail)) {
	case CONN_HS_AGAIN:
		return;
	case CONN_HS_DONE:
		sess_tls_facts(s);
		if (p->hooks != NULL) {
			sess_scan_done(s, p, now);
			return;
		}
		ev = smtp_client_tls_done(&pa->sc, true, NULL);
		sess_event(s, p, ev, now);
		return;
	case CONN_HS_FAILED:
	default:
		break;
	}
	ascii_copy(pa->tls.errmsg, sizeof(pa->tls.errmsg), fail.errmsg);
	if (pa->tls.errmsg[0] == '\0')
		snprintf(pa->tls.errmsg, sizeof(pa->tls.errmsg), "%s",
		    fail.ssl_error == SSL_ERROR_SYSCALL ||
		            fail.ssl_error == SSL_ERROR_ZERO_RETURN
		        ? "connection closed during the TLS handshake"
		        : "TLS handshake failed");
	if (pa->tls.alert[0] != '\0') {
		char m[200];

		snprintf(m, sizeof(m), "%.120s (alert %.60s)", pa->tls.errmsg,
		    pa->tls.alert);
		snprintf(pa->tls.errmsg, sizeof(pa->tls.errmsg), "%s", m);
	}
	smtp_client_tls_done(&pa->sc, false, pa->tls.errmsg);
	sess_note_state(s, p, now);
	sess_close(s, now);
}

/* sess_ended - the server ended the stream: say how (style.md 5) */
static void
sess_ended(struct sess *s, const struct session_params *p,
    const struct tls_io_close *end, long long now)
{
	struct probe_addr *pa = s->pa;
	char how[200];

	pa->tls.end = end->how;
	ascii_copy(pa->tls.end_alert, sizeof(pa->tls.end_alert), end->alert);
	tls_io_end_phrase(end, how, sizeof(how));
	sess_event(s, p,
	    smtp_client_closed(&pa->sc,
	        end->how == TLS_IO_END_ALERT || end->how == TLS_IO_END_ERROR
	            ? ST_ERR_TLS
	            : ST_ERR_CLOSED,
	        how),
	    now);
}

/* sess_read - read what is available and feed it to the machine */
void
sess_read(struct sess *s, const struct session_params *p, long long now)
{
	struct probe_addr *pa = s->pa;
	char buf[4096];

	for (;;) {
		ssize_t n;
		size_t off = 0;
		struct tls_io_close end;

		n = conn_read(&s->c, buf, sizeof(buf), &end);
		if (n < 0)
			return;
		if (n == 0) {
			sess_ended(s, p, &end, now);
			return;
		}
		while (off < (size_t)n && sess_smtp(s)) {
			size_t used = 0;
			enum smtp_event ev;

			ev = smtp_client_feed(&pa->sc, buf + off,
			    (size_t)n - off, &used);
			off += used;
			if (ev == SMTP_EV_START_TLS) {
				/* Bytes after the 220 are dropped before the
				 * handshake (style.md 3): the machine recorded
				 * the injection. */
				sess_event(s, p, ev, now);
				return;
			}
			sess_event(s, p, ev, now);
			if (used == 0 && ev == SMTP_EV_NONE)
				break;
		}
		if (!sess_smtp(s))
			return;
	}
}

static void
sess_connected(struct sess *s, const struct session_params *p, long long now)
{
	struct probe_addr *pa = s->pa;
	int err = conn_connect_done(&s->c);

	if (err != 0) {
		snprintf(pa->conn_error, sizeof(pa->conn_error), "%s",
		    conn_error_code(err, true));
		snprintf(pa->conn_errmsg, sizeof(pa->conn_errmsg),
		    "cannot connect to '%s' port %u: %s", pa->address,
		    (unsigned)p->port, strerror(err));
		/* An error that arrives later came from the network (an ICMP
		 * unreachable, no neighbour answer): the path or the server,
		 * not this machine's routes. */
		sess_close(s, now);
		return;
	}
	pa->connected = true;
	pa->t[T_CONNECT] = (long)(now - s->t_start);
	s->last_state = pa->sc.state;
	s->step_start = now;
	conn_set_deadline(&s->c, now + p->timeout_ms);
}

void
sess_timeout(struct sess *s, const struct session_params *p, long long now,
    bool deadline)
{
	struct probe_addr *pa = s->pa;

	pa->deadline = deadline;
	switch (s->c.phase) {
	case CONN_CONNECTING:
		snprintf(pa->conn_error, sizeof(pa->conn_error), "%s",
		    deadline ? "deadline" : "timeout");
		snprintf(pa->conn_errmsg, sizeof(pa->conn_errmsg),
		    "cannot connect to '%s' port %u: %s", pa->address,
		    (unsigned)p->port,
		    deadline ? "run deadline reached" : "timed out");
		break;
	case CONN_HANDSHAKE:
		pa->tls.timeout = true;
		snprintf(pa->tls.errmsg, sizeof(pa->tls.errmsg),
		    "TLS handshake timed out");
		smtp_client_tls_done(&pa->sc, false, pa->tls.errmsg);
		break;
	case CONN_PLAIN:
	case CONN_TLS:
		if (s->watch) {
			/* the wait is the plan, not a failure */
			sess_close(s, now);
			return;
		}
		smtp_client_timeout(&pa->sc);
		break;
	default:
		return;
	}
	sess_note_state(s, p, now);
	sess_close(s, now);
}

/* sess_io - what the session would do next on its conn */
unsigned
sess_io(const struct sess *s)
{
	size_t len = 0;

	if (!sess_smtp(s))
		return CONN_IO_READ; /* a scan session watching */
	smtp_client_output(&s->pa->sc, &len);
	return CONN_IO_READ | (len > 0 ? CONN_IO_WRITE : 0);
}

void
sess_ready(struct sess *s, const struct session_params *p, short rev,
    long long now)
{
	bool rd;

	switch (s->c.phase) {
	case CONN_CONNECTING:
		sess_connected(s, p, now);
		return;
	case CONN_HANDSHAKE:
		sess_handshake(s, p, now);
		return;
	case CONN_PLAIN:
	case CONN_TLS:
		if (s->watch) {
			sess_watch(s, now);
			return;
		}
		/* Asked before the flush changes what OpenSSL waits for: a
		 * read may wait for writability (a KeyUpdate answer that did
		 * not fit the socket), a write for readability. */
		rd = conn_read_ready(&s->c, rev);
		if (conn_write_ready(&s->c, rev) && !sess_flush(s)) {
			sess_event(s, p, smtp_client_eof(&s->pa->sc), now);
			return;
		}
		if (rd && sess_smtp(s))
			sess_read(s, p, now);
		return;
	default:
		return;
	}
}

/* sess_init - slot i before anything can fail: CONN_NONE, no fd */
void
sess_init(struct sess *s, struct probe_addr *pa, size_t i,
    const struct session_params *p, const int *rcpt_group)
{
	s->pa = pa;
	s->idx = i;
	conn_init(&s->c);
	s->scan = p->hooks != NULL;
	s->inject = p->hooks != NULL && p->hooks->inject != NULL &&
	            p->hooks->inject(p->hooks->arg, i);
	if (rcpt_group != NULL && rcpt_group[i] >= 0 && p->rcpt != NULL) {
		s->atp = ATP_RUNNING;
		s->group = (unsigned)rcpt_group[i];
	}
	pa->tls.unsolicited = -1;
	pa->tls.renegotiated = -1;
	for (int t = 0; t < T__COUNT; t++)
		pa->t[t] = -1;
}

/* sess_client_init - the SMTP machine of a slot (tool errors only: the
 * params were checked by their owner, smtp_mailbox_problem()) */
enum st_err
sess_client_init(struct sess *s, const struct session_params *p)
{
	bool test = s->atp != ATP_NONE;
	struct smtp_client_params cp = {
		.ehlo_name = p->ehlo,
		.starttls = !p->no_starttls,
		.mail_from = p->mail_from,
		.rcpt = test ? p->rcpt : NULL,
		.rcpt2 = test ? p->rcpt2 : NULL,
		.hold_before_mail = test,
	};
	enum st_err err;

	if ((err = smtp_client_init(&s->pa->sc, &cp)) != ST_OK) {
		smtp_client_release(&s->pa->sc);
		return err;
	}
	s->pa->sc_ready = true;
	return ST_OK;
}
