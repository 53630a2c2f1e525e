/*
 * badsmtp - a scripted misbehaving SMTP server for the hostile-peer tests
 * (tests/integration/40-hostile.sh).
 *
 *   badsmtp --listen ADDR:PORT --mode NAME [--lifetime SECONDS] [--chain N]
 *           [--log FILE] [--log-open] [--max-conns N] [--hold-ms MS]
 *           [--workers N]
 *
 * Listens on one 127.10.x.x address (never a wildcard), plays the scenario
 * NAME for every connection it accepts (one forked child per connection)
 * and exits by itself after --lifetime seconds (default 60); children die
 * with the parent (PR_SET_PDEATHSIG) and by their own alarm, so no peer
 * outlives the test that started it. `badsmtp --help` lists the modes.
 *
 * TLS modes use a key and certificates generated in memory at startup: no
 * key material on disk. --chain N sets how many certificates the bigchain
 * mode presents (default 100: a leaf and 99 intermediates, each issuing
 * the one before it, the last self-signed).
 *
 * --log FILE appends one line per connection accepted ("accept", or "421"
 * when the ratelimit mode turned it away): the count at the server that
 * the sharing test and bench/scale.sh read. The ratelimit mode serves as
 * "good" does while fewer than --max-conns (default 1) of its sessions
 * are open, and greets every further connection with 421 and closes;
 * --hold-ms makes each served session wait that long before its banner,
 * so that a test knows the slot is taken while the client tries again.
 * The refuse mode counts its sessions the same way but, with --max-conns
 * open, closes its listening socket: further connections are refused
 * (RST to the SYN) until a session ends and it listens again.
 * --log-open adds to each "accept" line the sessions open with it (the
 * counting modes only): the concurrency a politeness test bounds.
 *
 * --workers N (not with the counting modes) forks N processes at start that
 * each accept and serve one connection after another, as a pre-forked MTA
 * (Postfix's smtpd) does, instead of a child per connection: for
 * bench/scale.sh, where the fork was the dearest part of a session. A
 * forked child's first writes copy the pages it shares with its parent
 * (OpenSSL's tables, the heap): 7.4 ms of CPU per connection on the bench's
 * 2-core VM (50 sessions, /proc/stat against the client's own CPU), about
 * a quarter of the machine in a 10,000-domain run. A worker pays that
 * once. Its alarm is set again for each session; a worker that dies (its
 * alarm, a signal) is not replaced: the others go on accepting.
 *
 * This is test code: it trusts its command line, keeps no state between
 * connections and reads client input only to find command lines, with a
 * fixed-size buffer that drops what does not fit.
 */
#include <sys/types.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#define PEER_NAME "badsmtp"
#include "peer_util.h"
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#define BAD_HOST "badsmtp.lab.test"
#define BAD_LINE_MAX 4096               /* client command lines we keep */
#define BAD_LONGLINE (100 * 1024)       /* longline, longehlo: one line */
#define BAD_FLOOD (10 * 1024 * 1024)    /* flood, manylines: bytes sent */
#define BAD_CHAIN_DEFAULT 100
#define BAD_CHAIN_MAX 2000
#define BAD_LIFETIME_DEFAULT 60

/* What the server does at each step of the dialogue. */
enum banner_kind {
	BANNER_OK,        /* 220 BAD_HOST ESMTP */
	BANNER_NONE,      /* never greets */
	BANNER_SLOW,      /* the 220 line at one byte per second */
	BANNER_LONGLINE,  /* one 100 KiB line, then the dialogue goes on */
	BANNER_ENDLESS,   /* "220 " and octets without a line end, forever */
	BANNER_421,       /* 421 and close */
	BANNER_HTTP,      /* an HTTP response */
	BANNER_FLOOD,     /* 10 MiB of random octets */
	BANNER_MANYLINES, /* 10 MiB of 220- continuation lines */
	BANNER_MARKUP,    /* 220 with HTML, quotes, controls, bad UTF-8 */
};

enum ehlo_kind {
	EHLO_PLAIN,    /* 250 without STARTTLS */
	EHLO_STARTTLS, /* 250 with STARTTLS */
	EHLO_ENDLESS,  /* 250- lines until the client goes away */
	EHLO_LONGLINE, /* 250 with STARTTLS and one 100 KiB line */
	EHLO_MARKUP,   /* 250 with STARTTLS and HTML in its lines */
};

enum starttls_kind {
	STARTTLS_NONE,    /* 502: not offered */
	STARTTLS_454,     /* 454 TLS not available */
	STARTTLS_GARBAGE, /* 220, then garbage instead of a ServerHello */
	STARTTLS_CLOSE,   /* 220, then close */
	STARTTLS_STALL,   /* 220, read the ClientHello, never answer */
	STARTTLS_TLS,     /* 220, then a real handshake */
	STARTTLS_INJECT,  /* 220 plus plaintext in the same write, then TLS */
};

struct mode {
	const char *name;
	enum banner_kind banner;
	enum ehlo_kind ehlo;
	enum starttls_kind starttls;
	const char *help;
};

static const struct mode modes[] = {
	{"silent", BANNER_NONE, EHLO_STARTTLS, STARTTLS_TLS,
	    "never sends a banner"},
	{"slowbanner", BANNER_SLOW, EHLO_STARTTLS, STARTTLS_TLS,
	    "banner at one byte per second"},
	{"endless250", BANNER_OK, EHLO_ENDLESS, STARTTLS_NONE,
	    "answers EHLO with an endless 250- reply"},
	{"longline", BANNER_LONGLINE, EHLO_STARTTLS, STARTTLS_TLS,
	    "a 100 KiB banner line, then EHLO, STARTTLS and TLS"},
	{"endlessline", BANNER_ENDLESS, EHLO_STARTTLS, STARTTLS_TLS,
	    "a banner line that never ends"},
	{"longehlo", BANNER_OK, EHLO_LONGLINE, STARTTLS_TLS,
	    "a 100 KiB line in the EHLO reply, then STARTTLS and TLS"},
	{"starttls454", BANNER_OK, EHLO_STARTTLS, STARTTLS_454,
	    "offers STARTTLS, answers 454"},
	{"garbagetls", BANNER_OK, EHLO_STARTTLS, STARTTLS_GARBAGE,
	    "220 to STARTTLS, then garbage instead of a ServerHello"},
	{"closeafterstarttls", BANNER_OK, EHLO_STARTTLS, STARTTLS_CLOSE,
	    "closes right after the 220 to STARTTLS"},
	{"banner421", BANNER_421, EHLO_STARTTLS, STARTTLS_TLS,
	    "greets with 421 and closes"},
	{"http", BANNER_HTTP, EHLO_STARTTLS, STARTTLS_TLS,
	    "greets with an HTTP response"},
	{"stalltls", BANNER_OK, EHLO_STARTTLS, STARTTLS_STALL,
	    "220 to STARTTLS, reads the ClientHello, never answers"},
	{"bigchain", BANNER_OK, EHLO_STARTTLS, STARTTLS_TLS,
	    "real TLS with a --chain N certificate chain"},
	{"injection", BANNER_OK, EHLO_STARTTLS, STARTTLS_INJECT,
	    "plaintext after the 220 to STARTTLS, then real TLS"},
	{"flood", BANNER_FLOOD, EHLO_STARTTLS, STARTTLS_TLS,
	    "10 MiB of random octets as the banner"},
	{"manylines", BANNER_MANYLINES, EHLO_STARTTLS, STARTTLS_TLS,
	    "10 MiB of 220- banner continuation lines"},
	{"markup", BANNER_MARKUP, EHLO_MARKUP, STARTTLS_TLS,
	    "HTML, quotes, control octets and invalid UTF-8 in banner and "
	    "EHLO, then real TLS"},
	{"good", BANNER_OK, EHLO_STARTTLS, STARTTLS_TLS,
	    "a well-behaved server (control case)"},
	{"ratelimit", BANNER_OK, EHLO_STARTTLS, STARTTLS_TLS,
	    "as good, but 421 beyond --max-conns open sessions"},
	{"refuse", BANNER_OK, EHLO_STARTTLS, STARTTLS_TLS,
	    "as good, but refuses connections while --max-conns are open"},
	{"renegotiate", BANNER_OK, EHLO_STARTTLS, STARTTLS_TLS,
	    "real TLS that accepts client-initiated renegotiation"},
	/* How a TLS session ends: see tls_ends[] */
	{"tlsnotify", BANNER_OK, EHLO_STARTTLS, STARTTLS_TLS,
	    "after the handshake: close_notify and close instead of a reply"},
	{"tlseof", BANNER_OK, EHLO_STARTTLS, STARTTLS_TLS,
	    "after the handshake: close without close_notify"},
	{"tlsalert", BANNER_OK, EHLO_STARTTLS, STARTTLS_TLS,
	    "after the handshake: a fatal bad_record_mac alert"},
};

/* The modes that end a TLS session early, right after the handshake,
 * each in its own way; the probe must say which (style.md 5). */
enum tls_end { TLS_END_NONE = 0, TLS_END_NOTIFY, TLS_END_EOF, TLS_END_ALERT };
static const struct {
	const char *mode;
	enum tls_end end;
} tls_ends[] = {
	{"tlsnotify", TLS_END_NOTIFY},
	{"tlseof", TLS_END_EOF},
	{"tlsalert", TLS_END_ALERT},
};

#define MODES_COUNT (sizeof(modes) / sizeof(modes[0]))

/* One client connection, plaintext or TLS. */
struct conn {
	int fd;
	SSL *ssl;
	char in[BAD_LINE_MAX];
	size_t inlen;
};

struct opts {
	struct sockaddr_in addr;
	const struct mode *mode;
	long lifetime; /* seconds */
	long chain;    /* certificates in the bigchain chain */
	const char *log; /* --log FILE or NULL */
	long max_conns;  /* ratelimit: sessions served at once */
	long hold_ms;    /* ratelimit: wait before the banner */
	long workers;    /* --workers N; 0: a child per connection */
	bool log_open;   /* --log-open: "accept N", N sessions open */
};

static void
usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: badsmtp --listen 127.10.X.Y:PORT --mode NAME "
	           "[--lifetime SECONDS] [--chain N]\n"
	           "       [--log FILE] [--log-open] [--max-conns N] "
	           "[--hold-ms MS] [--workers N]\n"
	           "modes:\n");
	for (i = 0; i < MODES_COUNT; i++)
		fprintf(f, "  %-20s %s\n", modes[i].name, modes[i].help);
}

static void
parse_args(int argc, char **argv, struct opts *o)
{
	bool have_listen = false;
	size_t m;
	int i;

	o->mode = NULL;
	o->lifetime = BAD_LIFETIME_DEFAULT;
	o->chain = BAD_CHAIN_DEFAULT;
	o->log = NULL;
	o->max_conns = 1;
	o->hold_ms = 0;
	o->workers = 0;
	o->log_open = false;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(a, "--help") == 0) {
			usage(stdout);
			exit(0);
		}
		if (strcmp(a, "--log-open") == 0) {
			o->log_open = true;
			continue;
		}
		if (v == NULL)
			goto bad;
		i++;
		if (strcmp(a, "--listen") == 0) {
			if (!parse_listen(v, &o->addr))
				goto bad;
			have_listen = true;
		} else if (strcmp(a, "--mode") == 0) {
			for (m = 0; m < MODES_COUNT; m++)
				if (strcmp(v, modes[m].name) == 0)
					o->mode = &modes[m];
			if (o->mode == NULL)
				goto bad;
		} else if (strcmp(a, "--lifetime") == 0) {
			if (!parse_long(v, 1, 3600, &o->lifetime))
				goto bad;
		} else if (strcmp(a, "--chain") == 0) {
			if (!parse_long(v, 1, BAD_CHAIN_MAX, &o->chain))
				goto bad;
		} else if (strcmp(a, "--log") == 0) {
			o->log = v;
		} else if (strcmp(a, "--max-conns") == 0) {
			if (!parse_long(v, 1, 1000, &o->max_conns))
				goto bad;
		} else if (strcmp(a, "--hold-ms") == 0) {
			if (!parse_long(v, 0, 60000, &o->hold_ms))
				goto bad;
		} else if (strcmp(a, "--workers") == 0) {
			if (!parse_long(v, 1, 64, &o->workers))
				goto bad;
		} else
			goto bad;
	}
	if (have_listen && o->mode != NULL)
		return;
bad:
	usage(stderr);
	exit(2);
}

/* --- certificates, made in memory at startup --- */

/* cert_make - a certificate for key, named cn, signed by issuer (NULL:
 * self-signed); ca marks it as a CA. */
static X509 *
cert_make(EVP_PKEY *key, const char *cn, X509 *issuer, EVP_PKEY *ikey,
    bool ca, long serial)
{
	X509V3_CTX v3;
	X509_EXTENSION *ext;
	X509_NAME *name;
	X509 *x;

	if ((x = X509_new()) == NULL || !X509_set_version(x, 2) ||
	    !ASN1_INTEGER_set(X509_get_serialNumber(x), serial) ||
	    X509_gmtime_adj(X509_getm_notBefore(x), -3600) == NULL ||
	    X509_gmtime_adj(X509_getm_notAfter(x), 30L * 86400) == NULL ||
	    !X509_set_pubkey(x, key))
		ssl_die("X509 setup");
	name = X509_get_subject_name(x);
	if (!X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
	    (const unsigned char *)cn, -1, -1, 0))
		ssl_die("X509_NAME_add_entry_by_txt");
	if (!X509_set_issuer_name(x, issuer != NULL ?
	    X509_get_subject_name(issuer) : name))
		ssl_die("X509_set_issuer_name");
	X509V3_set_ctx(&v3, issuer != NULL ? issuer : x, x, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &v3, NID_basic_constraints,
	    ca ? "critical,CA:TRUE" : "critical,CA:FALSE");
	if (ext == NULL || !X509_add_ext(x, ext, -1))
		ssl_die("basicConstraints");
	X509_EXTENSION_free(ext);
	if (!ca) {
		ext = X509V3_EXT_conf_nid(NULL, &v3, NID_subject_alt_name,
		    "DNS:" BAD_HOST);
		if (ext == NULL || !X509_add_ext(x, ext, -1))
			ssl_die("subjectAltName");
		X509_EXTENSION_free(ext);
	}
	if (!X509_sign(x, issuer != NULL ? ikey : key, EVP_sha256()))
		ssl_die("X509_sign");
	return x;
}

/* tls_ctx_new - server context presenting a chain of n certificates: a
 * leaf and n - 1 CA certificates, each issuing the one before it. */
static SSL_CTX *
tls_ctx_new(long n)
{
	EVP_PKEY **keys;
	X509 **certs;
	SSL_CTX *ctx;
	char cn[64];
	long i;

	keys = calloc((size_t)n, sizeof(*keys));
	certs = calloc((size_t)n, sizeof(*certs));
	if (keys == NULL || certs == NULL) {
		fprintf(stderr, "badsmtp: out of memory\n");
		exit(1);
	}
	for (i = 0; i < n; i++)
		if ((keys[i] = EVP_EC_gen("P-256")) == NULL)
			ssl_die("EVP_EC_gen");
	/* Build from the top: certs[n - 1] is self-signed. */
	for (i = n - 1; i >= 0; i--) {
		if (i == 0)
			snprintf(cn, sizeof(cn), "%s", BAD_HOST);
		else
			snprintf(cn, sizeof(cn), "badsmtp CA %ld", i);
		certs[i] = cert_make(keys[i], cn, i == n - 1 ? NULL :
		    certs[i + 1], i == n - 1 ? NULL : keys[i + 1], i > 0,
		    i + 1);
	}
	if ((ctx = SSL_CTX_new(TLS_server_method())) == NULL)
		ssl_die("SSL_CTX_new");
	SSL_CTX_set_security_level(ctx, 0);
	SSL_CTX_set_mode(ctx, SSL_MODE_NO_AUTO_CHAIN);
	if (!SSL_CTX_use_certificate(ctx, certs[0]) ||
	    !SSL_CTX_use_PrivateKey(ctx, keys[0]))
		ssl_die("SSL_CTX_use_certificate");
	for (i = 1; i < n; i++)
		if (!SSL_CTX_add1_chain_cert(ctx, certs[i]))
			ssl_die("SSL_CTX_add1_chain_cert");
	for (i = 0; i < n; i++) {
		X509_free(certs[i]);
		EVP_PKEY_free(keys[i]);
	}
	free(certs);
	free(keys);
	return ctx;
}

/* --- connection I/O (blocking; the child's alarm bounds it) --- */

static bool
conn_write(struct conn *c, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t n;
	int r;

	while (len > 0) {
		if (c->ssl != NULL) {
			r = SSL_write(c->ssl, p, len > INT_MAX ? INT_MAX :
			    (int)len);
			if (r <= 0)
				return false;
			n = r;
		} else {
			n = send(c->fd, p, len, MSG_NOSIGNAL);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				return false;
		}
		p += n;
		len -= (size_t)n;
	}
	return true;
}

static bool
conn_puts(struct conn *c, const char *s)
{
	return conn_write(c, s, strlen(s));
}

/* conn_fill - read more input; false at EOF or on an error. */
static bool
conn_fill(struct conn *c)
{
	ssize_t n;
	int r;

	if (c->inlen == sizeof(c->in))
		c->inlen = 0; /* an over-long line: drop what we have */
	if (c->ssl != NULL) {
		r = SSL_read(c->ssl, c->in + c->inlen,
		    (int)(sizeof(c->in) - c->inlen));
		if (r <= 0)
			return false;
		n = r;
	} else {
		do
			n = recv(c->fd, c->in + c->inlen,
			    sizeof(c->in) - c->inlen, 0);
		while (n < 0 && errno == EINTR);
		if (n <= 0)
			return false;
	}
	c->inlen += (size_t)n;
	return true;
}

/* conn_readline - next command line without CR LF into line (cut to
 * size - 1 octets); false when the client went away. */
static bool
conn_readline(struct conn *c, char *line, size_t size)
{
	char *nl;
	size_t n, k;

	while ((nl = memchr(c->in, '\n', c->inlen)) == NULL)
		if (!conn_fill(c))
			return false;
	n = (size_t)(nl - c->in);
	k = n > 0 && c->in[n - 1] == '\r' ? n - 1 : n;
	if (k >= size)
		k = size - 1;
	memcpy(line, c->in, k);
	line[k] = '\0';
	memmove(c->in, nl + 1, c->inlen - n - 1);
	c->inlen -= n + 1;
	return true;
}

/* conn_drain - read and discard until the client goes away. */
static void
conn_drain(struct conn *c)
{
	while (conn_fill(c))
		c->inlen = 0;
}

/* --- the scenario --- */

/* send_flood - total octets of random garbage, or of 220- lines. */
static bool
send_flood(struct conn *c, size_t total, bool lines)
{
	char buf[16384];
	size_t sent = 0, n, i;
	unsigned long k = 0;

	while (sent < total) {
		n = 0;
		if (lines) {
			while (n + 64 < sizeof(buf)) {
				int w = snprintf(buf + n, sizeof(buf) - n,
				    "220-%s line %lu of a very long greeting\r\n",
				    BAD_HOST, k++);
				n += (size_t)w;
			}
		} else {
			if (RAND_bytes((unsigned char *)buf, sizeof(buf)) != 1)
				return false;
			/* Keep NUL out now and then: garbage, not silence. */
			for (i = 0; i < sizeof(buf); i++)
				if (buf[i] == '\0')
					buf[i] = 'x';
			/* A line end as the very first octet would make an
			 * empty line, a different finding than garbage: the
			 * test must see the same case every run. */
			if (sent == 0 && (buf[0] == '\r' || buf[0] == '\n'))
				buf[0] = 'x';
			n = sizeof(buf);
		}
		if (!conn_write(c, buf, n))
			return false;
		sent += n;
	}
	return true;
}

/* send_long - prefix, count octets of fill (SIZE_MAX: until the client
 * goes away), then end; false when a write fails. */
static bool
send_long(struct conn *c, const char *prefix, size_t count, char fill,
    const char *end)
{
	char buf[16384];
	size_t n;

	memset(buf, fill, sizeof(buf));
	if (!conn_puts(c, prefix))
		return false;
	while (count > 0) {
		n = count < sizeof(buf) ? count : sizeof(buf);
		if (!conn_write(c, buf, n))
			return false;
		if (count != SIZE_MAX)
			count -= n;
	}
	return conn_puts(c, end);
}

/* banner - send the greeting; false when the dialogue is over. */
static bool
banner(struct conn *c, const struct mode *m)
{
	static const char greeting[] = "220 " BAD_HOST " ESMTP badsmtp\r\n";
	static const char http[] =
	    "HTTP/1.1 400 Bad Request\r\n"
	    "Server: nginx\r\n"
	    "Content-Type: text/html\r\n"
	    "Content-Length: 50\r\n"
	    "Connection: close\r\n"
	    "\r\n"
	    "<html><body><h1>400 Bad Request</h1></body></html>";
	size_t i;

	switch (m->banner) {
	case BANNER_OK:
		return conn_puts(c, greeting);
	case BANNER_NONE:
		conn_drain(c);
		return false;
	case BANNER_SLOW:
		for (i = 0; i < sizeof(greeting) - 1; i++) {
			if (!conn_write(c, greeting + i, 1))
				return false;
			pause_ms(1000);
		}
		return true;
	case BANNER_LONGLINE:
		return send_long(c, "220 " BAD_HOST " ", BAD_LONGLINE, 'A',
		    "\r\n");
	case BANNER_ENDLESS:
		(void)send_long(c, "220 ", SIZE_MAX, 'A', ""); /* never ends */
		return false;
	case BANNER_421:
		(void)conn_puts(c, "421 4.3.2 " BAD_HOST
		                   " too busy, try later\r\n"); /* closing */
		return false;
	case BANNER_HTTP:
		if (conn_puts(c, http))
			conn_drain(c);
		return false;
	case BANNER_MARKUP:
		return conn_puts(c, "220-<script>alert('banner')</script>"
		                    " ESMTP \"q\" 'a' & b\r\n"
		                    "220 <img src=x onerror=alert(2)>"
		                    " \x01\x1b[31m \xc0\xbc\xff end\r\n");
	case BANNER_FLOOD:
	case BANNER_MANYLINES:
		if (send_flood(c, BAD_FLOOD, m->banner == BANNER_MANYLINES))
			conn_drain(c);
		return false;
	}
	return false;
}

/* ehlo - answer EHLO; false when the dialogue is over. */
static bool
ehlo(struct conn *c, const struct mode *m, bool tls)
{
	char line[128];
	unsigned long k;

	if (m->ehlo == EHLO_MARKUP && !conn_puts(c,
	    "250-<b>" BAD_HOST "</b> hello\r\n"
	    "250-X-<svg onload=alert(3)> \"x\" &amp;\r\n"))
		return false;
	if (m->ehlo != EHLO_MARKUP && !conn_puts(c, "250-" BAD_HOST " hello"
	    "\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n"))
		return false;
	if (m->ehlo == EHLO_ENDLESS) {
		for (k = 0;; k++) {
			snprintf(line, sizeof(line),
			    "250-X-ENDLESS-%lu keeps going\r\n", k);
			if (!conn_puts(c, line))
				return false;
		}
	}
	if (m->ehlo == EHLO_LONGLINE && !send_long(c, "250-X-LONG ",
	    BAD_LONGLINE, 'B', "\r\n"))
		return false;
	if ((m->ehlo == EHLO_STARTTLS || m->ehlo == EHLO_LONGLINE ||
	    m->ehlo == EHLO_MARKUP) && !tls)
		return conn_puts(c, "250-STARTTLS\r\n250 8BITMIME\r\n");
	return conn_puts(c, "250 8BITMIME\r\n");
}

/* tls_start - handshake as the server; false on failure. */
static bool
tls_start(struct conn *c, SSL_CTX *ctx)
{
	if (ctx == NULL || (c->ssl = SSL_new(ctx)) == NULL ||
	    !SSL_set_fd(c->ssl, c->fd))
		return false;
	c->inlen = 0; /* plaintext from the client before TLS is dropped */
	ERR_clear_error();
	if (SSL_accept(c->ssl) != 1) {
		fprintf(stderr, "badsmtp: TLS handshake failed\n");
		ERR_print_errors_fp(stderr);
		return false;
	}
	return true;
}

/* starttls - answer STARTTLS; false when the dialogue is over. */
static bool
starttls(struct conn *c, const struct mode *m, SSL_CTX *ctx)
{
	static const char ready[] = "220 2.0.0 ready to start TLS\r\n";
	static const char injected[] = "220 2.0.0 ready to start TLS\r\n"
	                               "250-injected plaintext\r\n"
	                               "250 STARTTLS\r\n";
	char garbage[65536];
	size_t i;

	switch (m->starttls) {
	case STARTTLS_NONE:
		return conn_puts(c, "502 5.5.1 not implemented\r\n");
	case STARTTLS_454:
		return conn_puts(c, "454 4.7.0 TLS not available\r\n");
	case STARTTLS_CLOSE:
		(void)conn_puts(c, ready); /* we close either way */
		return false;
	case STARTTLS_STALL:
		if (conn_puts(c, ready))
			conn_drain(c);
		return false;
	case STARTTLS_GARBAGE:
		/* Wait for the ClientHello, then answer with text. */
		if (!conn_puts(c, ready) || !conn_fill(c))
			return false;
		for (i = 0; i < sizeof(garbage); i++)
			garbage[i] = "this is not a ServerHello\r\n"[i % 27];
		if (conn_write(c, garbage, sizeof(garbage)))
			conn_drain(c);
		return false;
	case STARTTLS_TLS:
		return conn_puts(c, ready) && tls_start(c, ctx);
	case STARTTLS_INJECT:
		/* One write: the extra lines reach the client with the 220. */
		return conn_puts(c, injected) && tls_start(c, ctx);
	}
	return false;
}

static enum tls_end
tls_end_of(const struct mode *m)
{
	for (size_t i = 0; i < sizeof(tls_ends) / sizeof(tls_ends[0]); i++)
		if (strcmp(m->name, tls_ends[i].mode) == 0)
			return tls_ends[i].end;
	return TLS_END_NONE;
}

/* recv_all - exactly len octets from fd (blocking); false on EOF/error */
static bool
recv_all(int fd, unsigned char *p, size_t len)
{
	while (len > 0) {
		ssize_t n = recv(fd, p, len, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		p += n;
		len -= (size_t)n;
	}
	return true;
}

/*
 * tls_alert - make OpenSSL send a real fatal alert: read the client's next
 * record (its EHLO) off the socket ourselves, flip one octet of its AEAD
 * tag, and hand it to OpenSSL through a memory BIO. Decryption fails and
 * OpenSSL answers with bad_record_mac on the socket, as any TLS stack would.
 */
static void
tls_alert(struct conn *c)
{
	unsigned char rec[5 + 16384 + 256];
	size_t len;
	BIO *mem;
	char dummy[64];

	if (!recv_all(c->fd, rec, 5))
		return;
	len = ((size_t)rec[3] << 8) | rec[4];
	if (len == 0 || len > sizeof(rec) - 5 || !recv_all(c->fd, rec + 5, len))
		return;
	rec[5 + len - 1] ^= 0x01;
	if ((mem = BIO_new(BIO_s_mem())) == NULL ||
	    BIO_write(mem, rec, (int)(5 + len)) != (int)(5 + len)) {
		BIO_free(mem);
		return;
	}
	SSL_set0_rbio(c->ssl, mem); /* takes mem; the socket stays the wbio */
	ERR_clear_error();
	if (SSL_read(c->ssl, dummy, sizeof(dummy)) > 0)
		fprintf(stderr, "badsmtp: a corrupted record was accepted\n");
}

/* tls_end_now - end the session right after the handshake as mode says;
 * true when it did (the caller then closes without close_notify) */
static bool
tls_end_now(struct conn *c, const struct mode *m)
{
	switch (tls_end_of(m)) {
	case TLS_END_NOTIFY:
		(void)SSL_shutdown(c->ssl);
		return true;
	case TLS_END_EOF:
		return true;
	case TLS_END_ALERT:
		tls_alert(c);
		return true;
	case TLS_END_NONE:
	default:
		return false;
	}
}

/* The ratelimit mode's child side of the notify pipe, or -1. */
static int notify_wr = -1;

/* notify_quit - tell the parent this session is over, before the 221: a
 * client that got the 221 and connects again is then always counted as
 * gone (the parent reads the pipe before it decides). */
static void
notify_quit(void)
{
	pid_t me = getpid();

	if (notify_wr >= 0 && write(notify_wr, &me, sizeof(me)) != sizeof(me))
		perror("badsmtp: notify");
}

/* session - one connection from greeting to QUIT. */
static void
session(int fd, const struct mode *m, SSL_CTX *ctx)
{
	struct conn c = {.fd = fd};
	char line[BAD_LINE_MAX];

	if (!banner(&c, m))
		goto out;
	while (conn_readline(&c, line, sizeof(line))) {
		bool ok;

		if (strncasecmp(line, "EHLO", 4) == 0)
			ok = ehlo(&c, m, c.ssl != NULL);
		else if (strncasecmp(line, "HELO", 4) == 0)
			ok = conn_puts(&c, "250 " BAD_HOST "\r\n");
		else if (strncasecmp(line, "STARTTLS", 8) == 0 && c.ssl == NULL) {
			ok = starttls(&c, m, ctx);
			if (ok && c.ssl != NULL && tls_end_now(&c, m)) {
				SSL_free(c.ssl); /* no (further) close_notify */
				c.ssl = NULL;
				/* FIN, then wait for the client to go: closing
				 * with its EHLO unread would send a RST instead
				 * of the end the mode is about. */
				(void)shutdown(fd, SHUT_WR);
				c.inlen = 0;
				conn_drain(&c);
				break;
			}
		}
		else if (strncasecmp(line, "QUIT", 4) == 0) {
			notify_quit();
			(void)conn_puts(&c, "221 2.0.0 bye\r\n"); /* closing */
			break;
		} else if (strncasecmp(line, "MAIL", 4) == 0 ||
		    strncasecmp(line, "RCPT", 4) == 0 ||
		    strncasecmp(line, "RSET", 4) == 0 ||
		    strncasecmp(line, "NOOP", 4) == 0)
			ok = conn_puts(&c, "250 2.0.0 ok\r\n");
		else
			ok = conn_puts(&c, "500 5.5.2 unrecognised command\r\n");
		if (!ok)
			break;
	}
out:
	if (c.ssl != NULL) {
		(void)SSL_shutdown(c.ssl); /* best effort close_notify */
		SSL_free(c.ssl);
	}
	close(fd);
}

/* die_with - a forked process ends with its parent (or now, when the
 * parent is already gone) */
static void
die_with(pid_t parent)
{
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent)
		_exit(1);
}

/* serve_bounded - one session that the alarm ends at the end of the
 * lifetime (left seconds away), after the --hold-ms wait */
static void
serve_bounded(int fd, long left, const struct mode *m, SSL_CTX *ctx,
    long hold_ms)
{
	alarm((unsigned)left + 1);
	if (hold_ms > 0)
		pause_ms(hold_ms);
	session(fd, m, ctx);
}

/* child - run one session; dies with the parent and at the end of the
 * lifetime. */
static void
child(int fd, pid_t parent, long left, const struct mode *m, SSL_CTX *ctx,
    long hold_ms)
{
	die_with(parent);
	serve_bounded(fd, left, m, ctx, hold_ms);
	_exit(0);
}

/* log_line - one line per connection into --log (O_APPEND: whole lines
 * even from several peers sharing a file) */
static void
log_line(int logfd, const char *what)
{
	char line[16];
	int n = snprintf(line, sizeof(line), "%s\n", what);

	if (logfd >= 0 && write(logfd, line, (size_t)n) != n)
		perror("badsmtp: log");
}

/* The ratelimit mode's open sessions, by child pid: one leaves when its
 * child reports QUIT on the pipe or is reaped, whichever comes first. */
#define BAD_LIVE_MAX 1024
struct live {
	pid_t pid[BAD_LIVE_MAX];
	size_t n;
	int rd; /* the pipe's read end, non-blocking */
};

static void
live_drop(struct live *l, pid_t p)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->pid[i] == p) {
			l->pid[i] = l->pid[--l->n];
			return;
		}
}

static void
live_update(struct live *l)
{
	pid_t p;

	while ((p = waitpid(-1, NULL, WNOHANG)) > 0)
		live_drop(l, p);
	while (read(l->rd, &p, sizeof(p)) == sizeof(p))
		live_drop(l, p);
}

/* log_accept - an "accept" line; with --log-open and a count, the
 * sessions open with this one */
static void
log_accept(int logfd, const struct opts *o, const struct live *live)
{
	char what[32];

	if (o->log_open && live != NULL)
		snprintf(what, sizeof(what), "accept %zu", live->n + 1);
	else
		snprintf(what, sizeof(what), "accept");
	log_line(logfd, what);
}

/* serve - one accepted connection: a child session, or 421 when the
 * ratelimit mode has --max-conns sessions open (the refuse mode stopped
 * listening before that) */
static void
serve(int cfd, int lfd, const struct opts *o, SSL_CTX *ctx, pid_t parent,
    long left, struct live *live, int logfd)
{
	static const char busy[] =
	    "421 4.7.0 " BAD_HOST " too many connections, try later\r\n";
	bool limit = live != NULL;
	pid_t pid;

	if (limit)
		live_update(live);
	if (limit && strcmp(o->mode->name, "ratelimit") == 0 && (live->n >= (size_t)o->max_conns ||
	                 live->n == BAD_LIVE_MAX)) {
		log_line(logfd, "421");
		(void)send(cfd, busy, sizeof(busy) - 1, MSG_NOSIGNAL);
		close(cfd);
		return;
	}
	log_accept(logfd, o, live);
	if ((pid = fork()) == 0) {
		if (lfd >= 0)
			close(lfd);
		if (logfd >= 0)
			close(logfd);
		if (limit)
			close(live->rd);
		child(cfd, parent, left, o->mode, ctx, o->hold_ms);
	}
	if (pid < 0)
		perror("badsmtp: fork");
	else if (limit)
		live->pid[live->n++] = pid;
	close(cfd);
}

/* worker - --workers: accept and serve one connection after another until
 * the lifetime ends; dies with the parent */
static void
worker(int lfd, pid_t parent, long end, const struct opts *o, SSL_CTX *ctx,
    int logfd)
{
	struct pollfd pfd = { .fd = lfd, .events = POLLIN };
	long left;
	int cfd;

	die_with(parent);
	while ((left = end - now_s()) > 0) {
		if (poll(&pfd, 1, (int)(left * 1000)) <= 0)
			continue;
		if ((cfd = accept(lfd, NULL, NULL)) < 0)
			continue;
		log_accept(logfd, o, NULL);
		serve_bounded(cfd, left, o->mode, ctx, o->hold_ms);
		alarm(0);
	}
	_exit(0);
}

/* workers_start - fork the --workers processes; false when none started */
static bool
workers_start(int lfd, long end, const struct opts *o, SSL_CTX *ctx,
    int logfd)
{
	pid_t parent = getpid(), pid;
	long i, started = 0;

	for (i = 0; i < o->workers; i++) {
		if ((pid = fork()) == 0)
			worker(lfd, parent, end, o, ctx, logfd);
		if (pid < 0)
			perror("badsmtp: fork");
		else
			started++;
	}
	return started > 0;
}

/* listen_open - the listening socket, or -1 (errno says why); a backlog
 * for a batch's burst of connections (bench/scale.sh) */
static int
listen_open(const struct opts *o)
{
	int fd, on = 1;

	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return -1;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) < 0 ||
	    bind(fd, (const struct sockaddr *)&o->addr, sizeof(o->addr)) < 0 ||
	    listen(fd, 256) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* refuse_gate - the refuse mode: not listening while --max-conns sessions
 * are open (connections are refused), listening again below that */
static void
refuse_gate(int *lfd, const struct opts *o, const struct live *live)
{
	if (*lfd >= 0 && live->n >= (size_t)o->max_conns) {
		close(*lfd);
		*lfd = -1;
	} else if (*lfd < 0 && live->n < (size_t)o->max_conns &&
	    (*lfd = listen_open(o)) < 0)
		perror("badsmtp: cannot listen again");
}

int
main(int argc, char **argv)
{
	struct opts o;
	SSL_CTX *ctx = NULL;
	struct pollfd pfd;
	long end, left;
	static struct live live;
	pid_t parent = getpid();
	int lfd, cfd, logfd = -1;
	char addr[INET_ADDRSTRLEN];
	bool limit, refuse;

	parse_args(argc, argv, &o);
	refuse = strcmp(o.mode->name, "refuse") == 0;
	limit = refuse || strcmp(o.mode->name, "ratelimit") == 0;
	if (limit && o.workers > 0) {
		fprintf(stderr, "badsmtp: --workers: not with mode %s (it "
		                "counts its children)\n", o.mode->name);
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	/* Children are reaped automatically, except where they are counted. */
	signal(SIGCHLD, limit ? SIG_DFL : SIG_IGN);
	if (o.mode->starttls == STARTTLS_TLS ||
	    o.mode->starttls == STARTTLS_INJECT)
		ctx = tls_ctx_new(strcmp(o.mode->name, "bigchain") == 0 ?
		    o.chain : 1);
	/* OpenSSL 3 servers refuse a client's renegotiation unless told */
	if (ctx != NULL && strcmp(o.mode->name, "renegotiate") == 0)
		SSL_CTX_set_options(ctx, SSL_OP_ALLOW_CLIENT_RENEGOTIATION);
	if (limit) {
		int fds[2];

		if (pipe(fds) != 0 ||
		    fcntl(fds[0], F_SETFL, O_NONBLOCK) != 0) {
			perror("badsmtp: pipe");
			return 1;
		}
		live.rd = fds[0];
		notify_wr = fds[1]; /* for the children; the parent never writes */
	}
	if (o.log != NULL &&
	    (logfd = open(o.log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
	         0644)) < 0) {
		perror("badsmtp: cannot open the log");
		SSL_CTX_free(ctx);
		return 1;
	}

	if ((lfd = listen_open(&o)) < 0) {
		perror("badsmtp: cannot listen");
		SSL_CTX_free(ctx);
		return 1;
	}
	inet_ntop(AF_INET, &o.addr.sin_addr, addr, sizeof(addr));
	fprintf(stderr, "badsmtp: %s:%u mode %s for %lds\n", addr,
	    ntohs(o.addr.sin_port), o.mode->name, o.lifetime);

	end = now_s() + o.lifetime;
	if (o.workers > 0) {
		/* The workers accept; the parent waits out the lifetime. */
		if (!workers_start(lfd, end, &o, ctx, logfd))
			end = 0;
		while ((left = end - now_s()) > 0)
			(void)poll(NULL, 0, (int)(left * 1000));
	}
	while ((left = end - now_s()) > 0) {
		if (limit)
			live_update(&live);
		if (refuse)
			refuse_gate(&lfd, &o, &live);
		pfd.fd = lfd; /* -1: poll just waits */
		pfd.events = POLLIN;
		/* counting modes: wake often enough to notice ended sessions */
		if (poll(&pfd, 1, limit ? (refuse ? 5 : 20) : (int)(left * 1000)) <= 0)
			continue; /* timeout or EINTR: the loop rechecks */
		if ((cfd = accept(lfd, NULL, NULL)) < 0)
			continue;
		serve(cfd, lfd, &o, ctx, parent, left, limit ? &live : NULL,
		    logfd);
	}
	if (lfd >= 0)
		close(lfd);
	if (logfd >= 0)
		close(logfd);
	SSL_CTX_free(ctx);
	return 0;
}
