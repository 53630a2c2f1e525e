/*
 * conn.c - the connection driver of the probe's and the listener's event
 * loops (see conn.h): non-blocking connect or accept, plain and TLS reads
 * and writes classified per style.md 5, the handshake step, the poll
 * events and deadlines. It owns the fd and the SSL of each conn; it never
 * looks at the bytes it carries.
 */
#include "conn.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>

#include "ascii.h"
#include "tls_client.h"

#include "banned.h"

static const char *const phase_names[] = {
	[CONN_NONE] = "none",
	[CONN_CONNECTING] = "connecting",
	[CONN_PLAIN] = "plain",
	[CONN_HANDSHAKE] = "handshake",
	[CONN_TLS] = "tls",
	[CONN_CLOSED] = "closed",
};
_Static_assert(sizeof(phase_names) / sizeof(phase_names[0]) == CONN__COUNT,
    "a name for every conn phase");

const char *
conn_phase_name(enum conn_phase p)
{
	return (unsigned)p < CONN__COUNT ? phase_names[p] : "?";
}

void
conn_init(struct conn *c)
{
	memset(c, 0, sizeof(*c));
	c->fd = -1;
	c->phase = CONN_NONE;
}

void
conn_set_deadline(struct conn *c, long long at)
{
	c->deadline = at;
}

int
conn_connect(struct conn *c, const struct sockaddr *sa, socklen_t len)
{
	c->phase = CONN_CONNECTING;
	c->fd = socket(sa->sa_family,
	    SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		return errno;
	if (connect(c->fd, sa, len) < 0 && errno != EINPROGRESS)
		return errno;
	return 0;
}

int
conn_route_check(const struct sockaddr *sa, socklen_t len)
{
	int fd, err = 0;

	if ((fd = socket(sa->sa_family, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0)
		return errno;
	if (connect(fd, sa, len) < 0)
		err = errno;
	close(fd);
	return err;
}

bool
conn_no_route(int err)
{
	return err == ENETUNREACH || err == EHOSTUNREACH || err == ENETDOWN ||
	       err == EADDRNOTAVAIL || err == EAFNOSUPPORT || err == EACCES;
}

const char *
conn_error_code(int err, bool route_checked)
{
	switch (err) {
	case ECONNREFUSED:
		return "refused";
	case ETIMEDOUT:
		return "timeout";
	case ECONNRESET:
		return "reset";
	default:
		break;
	}
	return !route_checked && conn_no_route(err) ? "no-route"
	                                            : "unreachable";
}

int
conn_connect_done(struct conn *c)
{
	int err = 0;
	socklen_t len = sizeof(err);

	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		err = errno;
	if (err == 0)
		c->phase = CONN_PLAIN;
	return err;
}

int
conn_accept(struct conn *c, int lfd, struct sockaddr *sa, socklen_t *len)
{
	int fd = accept(lfd, sa, len);

	if (fd < 0)
		return errno;
	if (fcntl(fd, F_SETFL, O_NONBLOCK) < 0 ||
	    fcntl(fd, F_SETFD, FD_CLOEXEC) < 0) {
		int e = errno;

		close(fd);
		return e;
	}
	c->fd = fd;
	c->phase = CONN_PLAIN;
	return 0;
}

/* conn_wait - OpenSSL asked for direction e during operation op */
static void
conn_wait(struct conn *c, int e, enum conn_op op)
{
	c->want = e;
	c->want_op = op;
}

/*
 * conn_ack_now - have the kernel acknowledge what arrives next at once
 * (TCP_QUICKACK; Linux leaves quick-ACK mode again by itself, hence after
 * every read). A peer with Nagle on that writes one reply in two pieces
 * (a multi-line reply line by line, a TLS flight record by record) holds
 * the second until the first is acknowledged, and a delayed ACK of ours
 * kept it back up to 40 ms: the scale lab's scripted peers' sessions took
 * 170 ms each on loopback, EHLO 44 ms of it (bench/scale.sh, README).
 * A failure changes nothing but the timing, so it is ignored.
 */
static void
conn_ack_now(const struct conn *c)
{
#ifdef TCP_QUICKACK
	int one = 1;

	(void)setsockopt(c->fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof(one));
#else
	(void)c;
#endif
}

ssize_t
conn_read(struct conn *c, char *buf, size_t len, struct tls_io_close *end)
{
	ssize_t n;
	int want = 0;

	n = tls_io_read(c->phase == CONN_TLS ? c->ssl : NULL, c->fd, buf, len,
	    &want, end);
	conn_wait(c, want, want != 0 ? CONN_OP_READ : CONN_OP_NONE);
	conn_ack_now(c);
	return n;
}

ssize_t
conn_write(struct conn *c, const void *buf, size_t len)
{
	if (c->phase == CONN_TLS) {
		int r, e;

		ERR_clear_error();
		r = SSL_write(c->ssl, buf, len > INT_MAX ? INT_MAX : (int)len);
		if (r > 0) {
			conn_wait(c, 0, CONN_OP_NONE);
			return r;
		}
		e = SSL_get_error(c->ssl, r);
		if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
			conn_wait(c, e, CONN_OP_WRITE);
			return 0;
		}
		ERR_clear_error();
		return -1;
	}
	ssize_t r = send(c->fd, buf, len, MSG_NOSIGNAL);

	if (r >= 0)
		return r;
	return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? 0
	                                                                 : -1;
}

void
conn_start_tls(struct conn *c, SSL *ssl)
{
	c->ssl = ssl;
	c->phase = CONN_HANDSHAKE;
	conn_wait(c, 0, CONN_OP_NONE);
}

enum conn_hs
conn_handshake(struct conn *c, struct conn_tls_fail *fail)
{
	const char *reason;
	int r, e, sys;

	ERR_clear_error();
	errno = 0;
	r = SSL_do_handshake(c->ssl);
	sys = errno;
	if (r == 1) {
		conn_wait(c, 0, CONN_OP_NONE);
		c->phase = CONN_TLS;
		return CONN_HS_DONE;
	}
	e = SSL_get_error(c->ssl, r);
	if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
		conn_wait(c, e, CONN_OP_HANDSHAKE);
		conn_ack_now(c);
		return CONN_HS_AGAIN;
	}
	memset(fail, 0, sizeof(*fail));
	fail->ssl_error = e;
	tls_io_classify(e, sys, &fail->end);
	reason = ERR_reason_error_string(ERR_peek_last_error());
	ascii_copy(fail->reason, sizeof(fail->reason), reason ? reason : "");
	tls_client_errors(fail->errmsg, sizeof(fail->errmsg));
	conn_wait(c, 0, CONN_OP_NONE);
	return CONN_HS_FAILED;
}

bool
conn_live(const struct conn *c)
{
	return c->phase != CONN_NONE && c->phase != CONN_CLOSED && c->fd >= 0;
}

short
conn_poll_events(const struct conn *c, unsigned io)
{
	if (!conn_live(c))
		return 0;
	if (c->phase == CONN_CONNECTING)
		return POLLOUT;
	if (c->want == SSL_ERROR_WANT_WRITE)
		return POLLOUT;
	if (c->phase == CONN_HANDSHAKE ||
	    (c->want == SSL_ERROR_WANT_READ && c->want_op == CONN_OP_WRITE))
		return POLLIN;
	return (short)(((io & CONN_IO_READ) ? POLLIN : 0) |
	               ((io & CONN_IO_WRITE) ? POLLOUT : 0));
}

void
conn_pollfd(const struct conn *c, unsigned io, struct pollfd *pfd)
{
	pfd->fd = c->fd;
	pfd->events = conn_poll_events(c, io);
	pfd->revents = 0;
}

bool
conn_read_ready(const struct conn *c, short revents)
{
	if (revents & (POLLIN | POLLHUP | POLLERR))
		return true;
	return (revents & POLLOUT) && c->want == SSL_ERROR_WANT_WRITE &&
	       c->want_op == CONN_OP_READ;
}

bool
conn_write_ready(const struct conn *c, short revents)
{
	if (revents & POLLOUT)
		return true;
	return (revents & (POLLIN | POLLHUP | POLLERR)) &&
	       c->want == SSL_ERROR_WANT_READ && c->want_op == CONN_OP_WRITE;
}

bool
conn_pending(const struct conn *c)
{
	return c->phase == CONN_TLS && c->ssl != NULL &&
	       SSL_pending(c->ssl) > 0;
}

long long
conn_wake(const struct conn *c, long long wake)
{
	return conn_live(c) && c->deadline < wake ? c->deadline : wake;
}

int
conn_poll_timeout(long long wake, long long now)
{
	if (wake <= now)
		return 0;
	return wake - now > INT_MAX ? INT_MAX : (int)(wake - now);
}

bool
conn_expired(const struct conn *c, long long now)
{
	return conn_live(c) && now >= c->deadline;
}

void
conn_close(struct conn *c, bool notify)
{
	if (c->ssl != NULL) {
		if (notify && c->phase == CONN_TLS) {
			ERR_clear_error();
			/* (void): close_notify is a courtesy, not waited for */
			(void)SSL_shutdown(c->ssl);
		}
		ERR_clear_error();
		SSL_free(c->ssl);
		c->ssl = NULL;
	}
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->phase = CONN_CLOSED;
	conn_wait(c, 0, CONN_OP_NONE);
}
