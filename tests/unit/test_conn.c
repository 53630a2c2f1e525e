/*
 * test_conn.c - the connection driver (conn.c) over a real loopback TCP
 * pair (127.10.2.200, an ephemeral port) and an OpenSSL server in the same
 * process: non-blocking connect and accept, refused connects, plain and
 * TLS reads and writes, the classified ends (FIN, close_notify, truncation),
 * a failed handshake with its alert, and the poll helpers' table.
 */
#include "conn.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "unit.h"

#include "banned.h"

#define PEER "127.10.2.200"

static void
setup_failed(const char *what)
{
	unit_report(0, "fixture", "built", what);
	exit(unit_exit());
}

/* listener - a listening socket on PEER with an ephemeral port */
static int
listener(struct sockaddr_in *sin)
{
	socklen_t len = sizeof(*sin);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);

	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	if (fd < 0 || inet_pton(AF_INET, PEER, &sin->sin_addr) != 1 ||
	    bind(fd, (struct sockaddr *)sin, sizeof(*sin)) < 0 ||
	    listen(fd, 4) < 0 ||
	    getsockname(fd, (struct sockaddr *)sin, &len) < 0)
		setup_failed("listener on " PEER);
	return fd;
}

/* wait1 - poll one conn for ev, at most 2 s (the test never hangs) */
static short
wait1(const struct conn *c, short ev)
{
	struct pollfd pfd = { .fd = c->fd, .events = ev };

	return poll(&pfd, 1, 2000) == 1 ? pfd.revents : 0;
}

/* read_wait - conn_read until it has bytes or an end (TLS 1.3 tickets
 * arrive first and read as nothing), at most 50 polls */
static ssize_t
read_wait(struct conn *c, char *buf, size_t len, struct tls_io_close *end)
{
	ssize_t n = -1;

	for (int i = 0; i < 50 && n < 0; i++) {
		if ((n = conn_read(c, buf, len, end)) < 0 &&
		    wait1(c, conn_poll_events(c, CONN_IO_READ)) == 0)
			break;
	}
	return n;
}

/* tcp_pair - a connected client conn and the accepted server conn */
static void
tcp_pair(struct conn *cl, struct conn *sv)
{
	struct sockaddr_in sin, peer;
	socklen_t plen = sizeof(peer);
	int lfd = listener(&sin), e;

	conn_init(cl);
	conn_init(sv);
	e = conn_connect(cl, (struct sockaddr *)&sin, sizeof(sin));
	unit_eq_long("tcp/connect-started", 0, e);
	unit_eq_str("tcp/connecting", "connecting", conn_phase_name(cl->phase));
	unit_eq_long("tcp/connecting-polls-out", POLLOUT,
	    conn_poll_events(cl, CONN_IO_READ));
	(void)wait1(cl, POLLOUT); /* (void): connect_done tells */
	unit_eq_long("tcp/connect-done", 0, conn_connect_done(cl));
	unit_eq_str("tcp/plain", "plain", conn_phase_name(cl->phase));
	struct pollfd lp = { .fd = lfd, .events = POLLIN };
	(void)poll(&lp, 1, 2000); /* (void): accept tells */
	e = conn_accept(sv, lfd, (struct sockaddr *)&peer, &plen);
	unit_eq_long("tcp/accept", 0, e);
	unit_eq_str("tcp/accepted-plain", "plain", conn_phase_name(sv->phase));
	close(lfd);
}

/* test_no_route - which errnos mean "no route from here" (the address is
 * not testable) and which are about the server or the path; a loopback
 * address always has a route, and asking sends nothing */
static void
test_no_route(void)
{
	static const struct {
		int err;
		bool no_route;
	} rows[] = {
		{ ENETUNREACH, true },
		{ EHOSTUNREACH, true },
		{ ENETDOWN, true },
		{ EADDRNOTAVAIL, true },
		{ EAFNOSUPPORT, true },
		{ EACCES, true },
		{ ECONNREFUSED, false },
		{ ETIMEDOUT, false },
		{ ECONNRESET, false },
		{ 0, false },
	};
	struct sockaddr_in sin;
	char name[80];

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		snprintf(name, sizeof(name), "conn no route: %s",
		    rows[i].err ? strerror(rows[i].err) : "0");
		unit_eq_long(name, rows[i].no_route,
		    conn_no_route(rows[i].err));
	}
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(25);
	inet_pton(AF_INET, "127.10.10.1", &sin.sin_addr);
	unit_eq_long("conn route check: loopback has a route", 0,
	    conn_route_check((struct sockaddr *)&sin, sizeof(sin)));
}

/* conn_error_code: the same errno reads as "no-route" only when the
 * route was not asked first (libcurl's connects). */
static void
test_error_code(void)
{
	static const struct {
		int err;
		const char *checked, *unchecked;
	} rows[] = {
		{ ECONNREFUSED, "refused", "refused" },
		{ ETIMEDOUT, "timeout", "timeout" },
		{ ECONNRESET, "reset", "reset" },
		{ EHOSTUNREACH, "unreachable", "no-route" },
		{ ENETUNREACH, "unreachable", "no-route" },
		{ EACCES, "unreachable", "no-route" },
		{ EPIPE, "unreachable", "unreachable" },
		{ 0, "unreachable", "unreachable" },
	};
	char name[80];

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		snprintf(name, sizeof(name), "conn error code: %s, route asked",
		    rows[i].err ? strerror(rows[i].err) : "0");
		unit_eq_str(name, rows[i].checked,
		    conn_error_code(rows[i].err, true));
		snprintf(name, sizeof(name), "conn error code: %s, not asked",
		    rows[i].err ? strerror(rows[i].err) : "0");
		unit_eq_str(name, rows[i].unchecked,
		    conn_error_code(rows[i].err, false));
	}
}

static void
test_refused(void)
{
	struct sockaddr_in sin;
	struct conn c;
	int lfd = listener(&sin), e;

	close(lfd); /* nothing listens on that port any more */
	conn_init(&c);
	e = conn_connect(&c, (struct sockaddr *)&sin, sizeof(sin));
	if (e == 0) {
		(void)wait1(&c, POLLOUT);
		e = conn_connect_done(&c);
	}
	unit_eq_long("refused/errno", ECONNREFUSED, e);
	unit_eq_str("refused/code", "refused", conn_error_code(e, true));
	conn_close(&c, false);
	unit_eq_str("refused/closed", "closed", conn_phase_name(c.phase));
	unit_eq_long("refused/fd", -1, c.fd);
	unit_eq_long("refused/no-events", 0, conn_poll_events(&c, CONN_IO_READ));
}

static void
test_accept_nobody(void)
{
	struct sockaddr_in sin, peer;
	socklen_t plen = sizeof(peer);
	struct conn c;
	int lfd = listener(&sin);

	conn_init(&c);
	unit_eq_long("accept/nobody-eagain", EAGAIN,
	    conn_accept(&c, lfd, (struct sockaddr *)&peer, &plen));
	unit_eq_str("accept/stays-none", "none", conn_phase_name(c.phase));
	close(lfd);
}

static void
test_plain(void)
{
	struct conn cl, sv;
	struct tls_io_close end;
	char buf[64];
	ssize_t n;

	tcp_pair(&cl, &sv);
	unit_eq_long("plain/write", 5, conn_write(&cl, "hello", 5));
	(void)wait1(&sv, POLLIN);
	n = conn_read(&sv, buf, sizeof(buf), &end);
	unit_eq_long("plain/read", 5, n);
	unit_report(n == 5 && memcmp(buf, "hello", 5) == 0, "plain/bytes",
	    "hello", "other bytes");
	unit_eq_long("plain/nothing-more", -1,
	    conn_read(&sv, buf, sizeof(buf), &end));
	conn_close(&cl, true); /* notify is a no-op without TLS */
	(void)wait1(&sv, POLLIN);
	unit_eq_long("plain/eof", 0, conn_read(&sv, buf, sizeof(buf), &end));
	unit_eq_long("plain/eof-is-close", TLS_IO_END_CLOSE, end.how);
	conn_close(&sv, false);
}

struct tls_fx {
	EVP_PKEY *key;
	X509 *cert;
};

static void
tls_fx_init(struct tls_fx *fx)
{
	X509_NAME *n;

	fx->key = EVP_EC_gen("P-256");
	fx->cert = X509_new();
	if (fx->key == NULL || fx->cert == NULL ||
	    ASN1_INTEGER_set(X509_get_serialNumber(fx->cert), 1) != 1 ||
	    X509_gmtime_adj(X509_getm_notBefore(fx->cert), -3600) == NULL ||
	    X509_gmtime_adj(X509_getm_notAfter(fx->cert), 3600) == NULL ||
	    (n = X509_get_subject_name(fx->cert)) == NULL ||
	    X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC,
	    (const unsigned char *)"conn.test", -1, -1, 0) != 1 ||
	    X509_set_issuer_name(fx->cert, n) != 1 ||
	    X509_set_pubkey(fx->cert, fx->key) != 1 ||
	    X509_sign(fx->cert, fx->key, EVP_sha256()) <= 0)
		setup_failed("self-signed certificate");
}

/* tls_pair - SSLs on both ends of a TCP pair; server limited to smax */
static void
tls_pair(const struct tls_fx *fx, struct conn *cl, struct conn *sv,
    int cmin, int smax)
{
	SSL_CTX *cctx = SSL_CTX_new(TLS_client_method());
	SSL_CTX *sctx = SSL_CTX_new(TLS_server_method());
	SSL *c, *s;

	tcp_pair(cl, sv);
	if (cctx == NULL || sctx == NULL ||
	    SSL_CTX_use_certificate(sctx, fx->cert) != 1 ||
	    SSL_CTX_use_PrivateKey(sctx, fx->key) != 1 ||
	    SSL_CTX_set_min_proto_version(cctx, cmin) != 1 ||
	    SSL_CTX_set_max_proto_version(sctx, smax) != 1 ||
	    (c = SSL_new(cctx)) == NULL || (s = SSL_new(sctx)) == NULL ||
	    SSL_set_fd(c, cl->fd) != 1 || SSL_set_fd(s, sv->fd) != 1)
		setup_failed("TLS contexts");
	SSL_set_connect_state(c);
	SSL_set_accept_state(s);
	SSL_CTX_free(cctx); /* the SSLs hold references */
	SSL_CTX_free(sctx);
	conn_start_tls(cl, c);
	conn_start_tls(sv, s);
}

/* handshake - both sides by the conns' own poll events until each is
 * done or failed (bounded by 200 rounds of at most 2 s) */
static void
handshake(struct conn *cl, struct conn *sv, enum conn_hs *rc,
    enum conn_hs *rs, struct conn_tls_fail *fc, struct conn_tls_fail *fs)
{
	*rc = *rs = CONN_HS_AGAIN;
	for (int i = 0; i < 200; i++) {
		struct pollfd pfd[2];

		if (*rc == CONN_HS_AGAIN)
			*rc = conn_handshake(cl, fc);
		if (*rs == CONN_HS_AGAIN)
			*rs = conn_handshake(sv, fs);
		if (*rc != CONN_HS_AGAIN && *rs != CONN_HS_AGAIN)
			return;
		conn_pollfd(cl, 0, &pfd[0]);
		conn_pollfd(sv, 0, &pfd[1]);
		if (*rc != CONN_HS_AGAIN)
			pfd[0].fd = -1;
		if (*rs != CONN_HS_AGAIN)
			pfd[1].fd = -1;
		if (poll(pfd, 2, 2000) <= 0)
			return;
	}
}

static void
test_tls(const struct tls_fx *fx, bool notify)
{
	const char *name = notify ? "tls/notify" : "tls/truncated";
	struct conn cl, sv;
	struct conn_tls_fail fc, fs;
	enum conn_hs rc, rs;
	struct tls_io_close end;
	char buf[64], t[64];
	ssize_t n;

	tls_pair(fx, &cl, &sv, TLS1_2_VERSION, TLS1_3_VERSION);
	unit_eq_long("tls/handshake-polls-in", POLLIN,
	    conn_poll_events(&cl, CONN_IO_WRITE));
	handshake(&cl, &sv, &rc, &rs, &fc, &fs);
	unit_eq_long("tls/client-done", CONN_HS_DONE, rc);
	unit_eq_long("tls/server-done", CONN_HS_DONE, rs);
	unit_eq_str("tls/phase", "tls", conn_phase_name(cl.phase));
	unit_eq_long("tls/write", 4, conn_write(&sv, "220 ", 4));
	n = read_wait(&cl, buf, sizeof(buf), &end);
	unit_report(n == 4 && memcmp(buf, "220 ", 4) == 0, "tls/read", "220 ",
	    "other");
	unit_eq_long("tls/nothing-pending", 0, conn_pending(&cl));
	if (notify)
		conn_close(&sv, true);
	else {
		/* the peer's socket goes, its SSL says nothing */
		shutdown(sv.fd, SHUT_RDWR);
	}
	n = read_wait(&cl, buf, sizeof(buf), &end);
	snprintf(t, sizeof(t), "%s/ends", name);
	unit_eq_long(t, 0, n);
	snprintf(t, sizeof(t), "%s/how", name);
	unit_eq_long(t, notify ? TLS_IO_END_NOTIFY : TLS_IO_END_EOF, end.how);
	conn_close(&cl, false);
	conn_close(&sv, false);
}

static void
test_tls_fail(const struct tls_fx *fx)
{
	struct conn cl, sv;
	struct conn_tls_fail fc, fs;
	enum conn_hs rc, rs;

	/* client wants 1.3 only, server offers at most 1.2 */
	tls_pair(fx, &cl, &sv, TLS1_3_VERSION, TLS1_2_VERSION);
	handshake(&cl, &sv, &rc, &rs, &fc, &fs);
	unit_eq_long("tls-fail/client", CONN_HS_FAILED, rc);
	unit_eq_long("tls-fail/server", CONN_HS_FAILED, rs);
	/* the server cannot speak 1.3: it sends the alert, the client
	 * receives it */
	unit_eq_long("tls-fail/client-ssl-error", SSL_ERROR_SSL, fc.ssl_error);
	unit_eq_long("tls-fail/client-got-alert", TLS_IO_END_ALERT, fc.end.how);
	unit_eq_str("tls-fail/alert-name", "protocol version", fc.end.alert);
	unit_eq_long("tls-fail/server-error", TLS_IO_END_ERROR, fs.end.how);
	unit_report(fs.errmsg[0] != '\0' && fc.errmsg[0] != '\0',
	    "tls-fail/errmsg", "both sides say why", "an empty errmsg");
	unit_report(ERR_peek_error() == 0, "tls-fail/queue-drained", "empty",
	    "errors left");
	conn_close(&cl, true);
	conn_close(&sv, true);
}

/* The poll table: what each state waits for. */
static void
test_poll_table(void)
{
	static const struct {
		const char *name;
		enum conn_phase phase;
		int want;
		enum conn_op op;
		unsigned io;
		short events;
	} rows[] = {
		{ "none", CONN_NONE, 0, CONN_OP_NONE, CONN_IO_READ, 0 },
		{ "closed", CONN_CLOSED, 0, CONN_OP_NONE, CONN_IO_READ, 0 },
		{ "connecting", CONN_CONNECTING, 0, CONN_OP_NONE, CONN_IO_READ,
		  POLLOUT },
		{ "plain-idle", CONN_PLAIN, 0, CONN_OP_NONE, CONN_IO_READ,
		  POLLIN },
		{ "plain-output", CONN_PLAIN, 0, CONN_OP_NONE,
		  CONN_IO_READ | CONN_IO_WRITE, POLLIN | POLLOUT },
		{ "drain-only", CONN_PLAIN, 0, CONN_OP_NONE, CONN_IO_WRITE,
		  POLLOUT },
		{ "handshake-read", CONN_HANDSHAKE, SSL_ERROR_WANT_READ,
		  CONN_OP_HANDSHAKE, CONN_IO_WRITE, POLLIN },
		{ "handshake-write", CONN_HANDSHAKE, SSL_ERROR_WANT_WRITE,
		  CONN_OP_HANDSHAKE, CONN_IO_READ, POLLOUT },
		{ "tls-read-idle-output", CONN_TLS, SSL_ERROR_WANT_READ,
		  CONN_OP_READ, CONN_IO_READ | CONN_IO_WRITE, POLLIN | POLLOUT },
		{ "tls-read-wants-write", CONN_TLS, SSL_ERROR_WANT_WRITE,
		  CONN_OP_READ, CONN_IO_READ, POLLOUT },
		{ "tls-write-wants-read", CONN_TLS, SSL_ERROR_WANT_READ,
		  CONN_OP_WRITE, CONN_IO_READ | CONN_IO_WRITE, POLLIN },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct conn c;
		char t[64];

		conn_init(&c);
		c.fd = 0; /* never used: only looked at */
		c.phase = rows[i].phase;
		c.want = rows[i].want;
		c.want_op = rows[i].op;
		snprintf(t, sizeof(t), "poll/%s", rows[i].name);
		unit_eq_long(t, rows[i].events, conn_poll_events(&c, rows[i].io));
		if (rows[i].op == CONN_OP_READ && rows[i].want ==
		    SSL_ERROR_WANT_WRITE)
			unit_eq_long("poll/read-resumes-on-pollout", 1,
			    conn_read_ready(&c, POLLOUT));
		if (rows[i].op == CONN_OP_WRITE)
			unit_eq_long("poll/write-resumes-on-pollin", 1,
			    conn_write_ready(&c, POLLIN));
	}
}

static void
test_deadlines(void)
{
	struct conn c;

	conn_init(&c);
	unit_eq_long("deadline/none-not-expired", 0, conn_expired(&c, 1000));
	unit_eq_long("deadline/none-no-wake", 500, conn_wake(&c, 500));
	c.fd = 0;
	c.phase = CONN_PLAIN;
	conn_set_deadline(&c, 300);
	unit_eq_long("deadline/wake-earliest", 300, conn_wake(&c, 500));
	unit_eq_long("deadline/wake-keeps-earlier", 200, conn_wake(&c, 200));
	unit_eq_long("deadline/not-yet", 0, conn_expired(&c, 299));
	unit_eq_long("deadline/expired", 1, conn_expired(&c, 300));
	unit_eq_long("deadline/timeout", 250, conn_poll_timeout(300, 50));
	unit_eq_long("deadline/timeout-past", 0, conn_poll_timeout(300, 400));
}

int
main(void)
{
	struct tls_fx fx;

	test_poll_table();
	test_deadlines();
	test_no_route();
	test_error_code();
	test_refused();
	test_accept_nobody();
	test_plain();
	tls_fx_init(&fx);
	test_tls(&fx, true);
	test_tls(&fx, false);
	test_tls_fail(&fx);
	X509_free(fx.cert);
	EVP_PKEY_free(fx.key);
	return unit_exit();
}
