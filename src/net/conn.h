/*
 * conn.h - one non-blocking connection, plain and then TLS, as the probe's
 * and the listener's poll() loops drive it: the fd, the SSL, the phase,
 * which direction OpenSSL waits for, and the step deadline.
 *
 * The driver moves bytes; it knows no SMTP and no policy. Its caller owns
 * the protocol machine (feeds it what conn_read() returns, writes what it
 * offers with conn_write()), builds the SSL object (client or server, with
 * whatever SNI, DANE or callbacks it chose) and decides what a failure
 * means. A loop over many conns is: conn_pollfd() for each, poll() with
 * conn_poll_timeout() of the earliest conn_wake(), then per conn
 * conn_read_ready() / conn_write_ready() / conn_expired().
 */
#ifndef SMTPTLS_CONN_H
#define SMTPTLS_CONN_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <openssl/ssl.h>

#include "tls_io.h"

enum conn_phase {
	CONN_NONE = 0,   /* not started (zero means "not yet") */
	CONN_CONNECTING, /* connect() in progress */
	CONN_PLAIN,      /* connected, no TLS */
	CONN_HANDSHAKE,  /* an SSL is attached, handshake running */
	CONN_TLS,        /* handshake done: reads and writes go via SSL */
	CONN_CLOSED,
	CONN__COUNT
};

/* Which operation last got WANT_READ/WANT_WRITE from OpenSSL. */
enum conn_op {
	CONN_OP_NONE = 0,
	CONN_OP_READ,
	CONN_OP_WRITE,
	CONN_OP_HANDSHAKE
};

/* What the caller would do next on a connected conn (conn_poll_events). */
enum conn_io_flags { CONN_IO_READ = 1 << 0, CONN_IO_WRITE = 1 << 1 };

struct conn {
	int fd;   /* -1 when none */
	SSL *ssl; /* owned; NULL before conn_start_tls() */
	enum conn_phase phase;
	int want;             /* SSL_ERROR_WANT_READ/WRITE or 0 */
	enum conn_op want_op; /* the operation that set want */
	long long deadline;   /* clock_ms() end of the current step */
};

/* Why a handshake failed (style.md 5), read before the queue is drained. */
struct conn_tls_fail {
	int ssl_error;           /* SSL_get_error() */
	struct tls_io_close end; /* the classified end: alert, EOF, reset */
	char reason[120];        /* reason of the last queued error or "" */
	char errmsg[200];        /* the whole error queue as one line or "" */
};

enum conn_hs { CONN_HS_AGAIN = 0, CONN_HS_DONE, CONN_HS_FAILED };

/* A conn before anything can fail: CONN_NONE, no fd, no SSL. */
void conn_init(struct conn *c);

/* conn_set_deadline - the current step ends at clock_ms() value at */
void conn_set_deadline(struct conn *c, long long at);

/*
 * Start a non-blocking connect() to sa. Returns 0 (CONN_CONNECTING, wait
 * for POLLOUT, then conn_connect_done()) or the errno of the failure; the
 * conn is then CONN_CONNECTING with fd -1 when socket() failed, and the
 * caller closes it.
 */
int conn_connect(struct conn *c, const struct sockaddr *sa, socklen_t len);

/*
 * Whether this machine has a route to sa: a UDP socket of sa's family is
 * connect()ed to it, which asks the kernel's routing table and sends
 * nothing. Returns 0, or the errno when the route lookup (or the socket of
 * the family) failed. conn_no_route() says which errnos mean "no route
 * from here" (ENETUNREACH, EHOSTUNREACH, ENETDOWN, EADDRNOTAVAIL,
 * EAFNOSUPPORT, EACCES for a "prohibit" route), as opposed to a server or path
 * failure seen later through SO_ERROR.
 */
int conn_route_check(const struct sockaddr *sa, socklen_t len);
bool conn_no_route(int err);

/*
 * The report.md 7.1 error code of a connect() that failed with errno err:
 * "refused", "timeout", "reset", "no-route" or "unreachable". A caller
 * that asked conn_route_check() first passes route_checked: an unreachable
 * error after that came from the network (an ICMP unreachable) and is
 * "unreachable"; without the check (libcurl connects by itself) the
 * conn_no_route() errors are taken as "no-route".
 */
const char *conn_error_code(int err, bool route_checked);

/* After POLLOUT in CONN_CONNECTING: 0 (CONN_PLAIN) or the socket's error
 * (SO_ERROR); the caller closes the conn on failure. */
int conn_connect_done(struct conn *c);

/*
 * Accept one connection from the listening socket lfd into c (CONN_PLAIN,
 * non-blocking, close-on-exec); sa/len receive the peer's address.
 * Returns 0 or the errno of the failure (EAGAIN: nobody waiting); c stays
 * CONN_NONE on failure.
 */
int conn_accept(struct conn *c, int lfd, struct sockaddr *sa, socklen_t *len);

/*
 * Read at most len bytes (plain or TLS): as tls_io_read(), > 0 bytes,
 * 0 at the end of the stream with *end classified, -1 nothing now.
 */
ssize_t conn_read(struct conn *c, char *buf, size_t len,
    struct tls_io_close *end);

/* Write at most len bytes: the count written (> 0), 0 when the socket or
 * OpenSSL must wait (poll again), -1 when the connection failed. */
ssize_t conn_write(struct conn *c, const void *buf, size_t len);

/*
 * Take ownership of ssl, already bound to c->fd and set to connect or
 * accept state by the caller: CONN_HANDSHAKE. Then call conn_handshake()
 * now and on every poll event until it returns DONE (CONN_TLS) or FAILED
 * (*fail filled, the OpenSSL error queue drained; the caller closes).
 */
void conn_start_tls(struct conn *c, SSL *ssl);
enum conn_hs conn_handshake(struct conn *c, struct conn_tls_fail *fail);

/* The poll events c waits for, given what its caller would do next
 * (enum conn_io_flags); 0 when it is not live. */
short conn_poll_events(const struct conn *c, unsigned io);

/* Fill pfd for c (see conn_poll_events). */
void conn_pollfd(const struct conn *c, unsigned io, struct pollfd *pfd);

/* Whether revents let a read (resp. a write) progress: the plain case,
 * or OpenSSL waiting for the other direction (e.g. a KeyUpdate answer
 * that blocked SSL_read on a full socket). */
bool conn_read_ready(const struct conn *c, short revents);
bool conn_write_ready(const struct conn *c, short revents);

/* TLS holds decrypted bytes that poll() cannot see. */
bool conn_pending(const struct conn *c);

/* The earlier of wake and c's deadline (c live), for the poll timeout. */
long long conn_wake(const struct conn *c, long long wake);
/* poll()'s timeout from an absolute wake time. */
int conn_poll_timeout(long long wake, long long now);
/* c is live and its step deadline has passed. */
bool conn_expired(const struct conn *c, long long now);

/* Whether c has a socket that poll() should watch. */
bool conn_live(const struct conn *c);

/*
 * Close: SSL freed, fd closed, CONN_CLOSED (also from CONN_NONE). With
 * notify, a TLS conn first sends close_notify (not waited for).
 */
void conn_close(struct conn *c, bool notify);

/* The phase's name for trace output. */
const char *conn_phase_name(enum conn_phase p);

#endif
