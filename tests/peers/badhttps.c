/*
 * badhttps - a scripted misbehaving MTA-STS policy host (HTTPS) for the
 * hostile-policy tests (tests/integration/37-hostile-mtasts.sh).
 *
 *   badhttps --listen ADDR:PORT --cert FILE --key FILE --mode NAME
 *            [--lifetime SECONDS]
 *
 * Listens on one 127.10.x.x address (never a wildcard), answers every
 * request it accepts with the scenario NAME (one forked child per
 * connection) and exits by itself after --lifetime seconds (default 60);
 * children die with the parent (PR_SET_PDEATHSIG) and by their own alarm,
 * so no peer outlives the test that started it. `badhttps --help` lists
 * the modes. The certificate chain and key are PEM files the test issued;
 * the peer makes no key material of its own.
 *
 * The gzip bombs are written here, without zlib (the peers link only
 * OpenSSL, libcurl, ldns and cJSON): one fixed-Huffman deflate block
 * (RFC 1951 3.2.6) of a literal zero and then matches of 258 octets at
 * distance 1 inflates 1 GiB of zeros from 6.8 MB; compressing that output
 * once more (it repeats every 13 octets) gives 49 KB that inflate through
 * "Content-Encoding: gzip, gzip" to the same gigabyte. Both are complete,
 * valid gzip members (RFC 1952) with correct CRC-32 and size, built once
 * at startup and sent chunked, without Content-Length. The peer prints the
 * body size to stderr so that the test can compare it with what the
 * client says it read.
 *
 * This is test code: it trusts its command line, keeps no state between
 * connections and reads only the request head, into a fixed-size buffer.
 */
#include <sys/types.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
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
#include <openssl/ssl.h>
#define PEER_NAME "badhttps"
#include "peer_util.h"

#define BAD_HEAD_MAX 8192               /* request head we read */
#define BAD_LIFETIME_DEFAULT 60
#define BAD_TRICKLE_MS 500              /* trickle: pause between octets */
#define BAD_CHUNK 16384                 /* octets per chunk we send */
#define BAD_BOMB_SIZE (1024ULL * 1024 * 1024) /* what a bomb inflates to */
#define BAD_MX_LINES 10000              /* mx10k: mx lines in the policy */

/* A policy every MTA-STS parser accepts: mx1.lab.test is the MX of every
 * lab domain this peer serves. */
#define GOOD_POLICY "version: STSv1\nmode: enforce\nmx: mx1.lab.test\n" \
                    "max_age: 86400\n"

enum reply_kind {
	REPLY_GOOD,       /* 200, the policy with Content-Length */
	REPLY_ENDLESS,    /* 200, chunked, never ends */
	REPLY_TRICKLE,    /* 200, the policy at one octet per BAD_TRICKLE_MS */
	REPLY_LOOP,       /* 301 to the URL that was asked for */
	REPLY_GZIP,       /* 200, Content-Encoding: gzip, chunked bomb */
	REPLY_GZIP2,      /* 200, Content-Encoding: gzip, gzip, chunked bomb */
	REPLY_MX10K,      /* 200, a policy of BAD_MX_LINES mx lines */
	REPLY_MX10K_LAST, /* the same with the matching pattern last */
};

struct mode {
	const char *name;
	enum reply_kind kind;
	const char *help;
};

static const struct mode modes[] = {
	{"good", REPLY_GOOD, "a valid policy (control case)"},
	{"endless", REPLY_ENDLESS, "200 text/plain, chunked, a body without end"},
	{"trickle", REPLY_TRICKLE,
	    "200 text/plain, a valid policy at one octet per 500 ms"},
	{"loop", REPLY_LOOP, "301 with Location: the URL asked for"},
	{"gzipbomb", REPLY_GZIP,
	    "200 text/plain, Content-Encoding: gzip, 6.8 MB inflating to 1 GiB"},
	{"gzipbomb2", REPLY_GZIP2,
	    "200 text/plain, Content-Encoding: gzip, gzip, 49 KB inflating "
	    "to 1 GiB"},
	{"mx10k", REPLY_MX10K,
	    "200 text/plain, a valid policy with 10000 mx lines (under 64 KiB)"},
	{"mx10klast", REPLY_MX10K_LAST,
	    "as mx10k, but mx1.lab.test is the last of the 10000 mx lines"},
};

#define MODES_COUNT (sizeof(modes) / sizeof(modes[0]))

struct opts {
	struct sockaddr_in addr;
	const struct mode *mode;
	const char *cert; /* PEM chain, leaf first */
	const char *key;  /* PEM private key */
	long lifetime;    /* seconds */
};

/* A growable byte string with a bit writer for deflate (LSB first). */
struct out {
	unsigned char *p;
	size_t len, cap;
	uint64_t acc;  /* bits not yet written */
	unsigned nacc; /* how many */
};

static void
usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: badhttps --listen 127.10.X.Y:PORT --cert FILE "
	           "--key FILE --mode NAME [--lifetime SECONDS]\nmodes:\n");
	for (i = 0; i < MODES_COUNT; i++)
		fprintf(f, "  %-10s %s\n", modes[i].name, modes[i].help);
}

static void
parse_args(int argc, char **argv, struct opts *o)
{
	bool have_listen = false;
	size_t m;
	int i;

	memset(o, 0, sizeof(*o));
	o->lifetime = BAD_LIFETIME_DEFAULT;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(a, "--help") == 0) {
			usage(stdout);
			exit(0);
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
		} else if (strcmp(a, "--cert") == 0) {
			o->cert = v;
		} else if (strcmp(a, "--key") == 0) {
			o->key = v;
		} else if (strcmp(a, "--lifetime") == 0) {
			if (!parse_long(v, 1, 3600, &o->lifetime))
				goto bad;
		} else
			goto bad;
	}
	if (have_listen && o->mode != NULL && o->cert != NULL && o->key != NULL)
		return;
bad:
	usage(stderr);
	exit(2);
}

/* --- bodies, made once at startup --- */

static void
out_byte(struct out *o, unsigned char c)
{
	if (o->len == o->cap) {
		size_t cap = o->cap ? o->cap * 2 : 65536;
		unsigned char *p = realloc(o->p, cap);

		if (p == NULL) {
			fprintf(stderr, "badhttps: out of memory\n");
			exit(1);
		}
		o->p = p;
		o->cap = cap;
	}
	o->p[o->len++] = c;
}

static void
out_mem(struct out *o, const void *p, size_t n)
{
	const unsigned char *s = p;

	while (n-- > 0)
		out_byte(o, *s++);
}

/* out_bits - n (<= 32) bits of v, least significant first (RFC 1951 3.1.1) */
static void
out_bits(struct out *o, uint32_t v, unsigned n)
{
	o->acc |= (uint64_t)v << o->nacc;
	o->nacc += n;
	while (o->nacc >= 8) {
		out_byte(o, (unsigned char)(o->acc & 0xff));
		o->acc >>= 8;
		o->nacc -= 8;
	}
}

/* out_flush - pad the last partial byte with zero bits */
static void
out_flush(struct out *o)
{
	if (o->nacc > 0)
		out_byte(o, (unsigned char)(o->acc & 0xff));
	o->acc = 0;
	o->nacc = 0;
}

/* out_huff - a Huffman code, which is packed most significant bit first */
static void
out_huff(struct out *o, uint32_t code, unsigned len)
{
	uint32_t r = 0;
	unsigned i;

	for (i = 0; i < len; i++)
		r = (r << 1) | ((code >> i) & 1u);
	out_bits(o, r, len);
}

/* fixed_sym - a literal/length symbol in the fixed code (RFC 1951 3.2.6) */
static void
fixed_sym(struct out *o, unsigned sym)
{
	if (sym < 144)
		out_huff(o, 0x30 + sym, 8);
	else if (sym < 256)
		out_huff(o, 0x190 + sym - 144, 9);
	else if (sym < 280)
		out_huff(o, sym - 256, 7);
	else
		out_huff(o, 0xc0 + sym - 280, 8);
}

/* fixed_match - a <length 3..258, distance 1..32768> pair (RFC 1951 3.2.5) */
static void
fixed_match(struct out *o, unsigned len, unsigned dist)
{
	static const unsigned short lbase[29] = {3, 4, 5, 6, 7, 8, 9, 10, 11,
	    13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131,
	    163, 195, 227, 258};
	static const unsigned char lextra[29] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1,
	    1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
	static const unsigned short dbase[30] = {1, 2, 3, 4, 5, 7, 9, 13, 17,
	    25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049,
	    3073, 4097, 6145, 8193, 12289, 16385, 24577};
	static const unsigned char dextra[30] = {0, 0, 0, 0, 1, 1, 2, 2, 3, 3,
	    4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13};
	unsigned i = 28, j = 29;

	/* From the top, so that 258 is code 285 and never 284 plus 31. */
	while (lbase[i] > len)
		i--;
	fixed_sym(o, 257 + i);
	out_bits(o, len - lbase[i], lextra[i]);
	while (dbase[j] > dist)
		j--;
	out_huff(o, j, 5);
	out_bits(o, dist - dbase[j], dextra[j]);
}

/* crc32_buf - CRC-32 of ISO 3309 as gzip uses it (RFC 1952 8) */
static uint32_t
crc32_buf(const unsigned char *p, size_t n)
{
	uint32_t table[256], c, crc = 0xffffffffu;
	unsigned i, k;

	for (i = 0; i < 256; i++) {
		c = i;
		for (k = 0; k < 8; k++)
			c = c & 1u ? 0xedb88320u ^ (c >> 1) : c >> 1;
		table[i] = c;
	}
	while (n-- > 0)
		crc = table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return crc ^ 0xffffffffu;
}

/* gf2_mulmod - a * b modulo the CRC-32 polynomial, bit-reflected (the
 * arithmetic of zlib's crc32_combine) */
static uint32_t
gf2_mulmod(uint32_t a, uint32_t b)
{
	uint32_t m = 1u << 31, p = 0;

	for (;;) {
		if (a & m) {
			p ^= b;
			if ((a & (m - 1)) == 0)
				break;
		}
		m >>= 1;
		b = b & 1u ? (b >> 1) ^ 0xedb88320u : b >> 1;
	}
	return p;
}

/* crc32_zeros - CRC-32 of n zero octets without reading them: a zero
 * octet multiplies the register by x^8, so n of them by x^(8n) */
static uint32_t
crc32_zeros(uint64_t n)
{
	uint32_t p = 1u << 31, x = 1u << 30; /* x^0, x^1 */
	uint64_t e = 8 * n;

	while (e > 0) {
		if (e & 1)
			p = gf2_mulmod(x, p);
		x = gf2_mulmod(x, x);
		e >>= 1;
	}
	return gf2_mulmod(p, 0xffffffffu) ^ 0xffffffffu;
}

/* gzip_begin - member header (RFC 1952 2.3), then one final fixed block */
static void
gzip_begin(struct out *o)
{
	static const unsigned char head[10] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0,
	    3};

	out_mem(o, head, sizeof(head));
	out_bits(o, 1, 1); /* BFINAL */
	out_bits(o, 1, 2); /* BTYPE 01: fixed Huffman codes */
}

/* gzip_end - end of block, then CRC-32 and size modulo 2^32, both LE */
static void
gzip_end(struct out *o, uint32_t crc, uint64_t size)
{
	unsigned i;

	fixed_sym(o, 256);
	out_flush(o);
	for (i = 0; i < 4; i++)
		out_byte(o, (unsigned char)(crc >> (8 * i)));
	for (i = 0; i < 4; i++)
		out_byte(o, (unsigned char)(size >> (8 * i)));
}

/* gzip_zeros - a gzip member of n (>= 1) zero octets */
static void
gzip_zeros(struct out *o, uint64_t n)
{
	uint64_t rem = n - 1;
	unsigned l;

	gzip_begin(o);
	fixed_sym(o, 0);
	while (rem >= 3) {
		l = rem > 258 ? 258 : (unsigned)rem;
		if (rem - l > 0 && rem - l < 3)
			l -= 3; /* leave a match, not one or two literals */
		fixed_match(o, l, 1);
		rem -= l;
	}
	for (; rem > 0; rem--)
		fixed_sym(o, 0);
	gzip_end(o, crc32_zeros(n), n);
}

/* match_len - how far in[pos...] repeats in[pos - dist...], up to max */
static unsigned
match_len(const unsigned char *in, size_t pos, size_t dist, unsigned max)
{
	unsigned l = 0;

	while (l < max && in[pos + l] == in[pos - dist + l])
		l++;
	return l;
}

/* gzip_bytes - a gzip member of (in, n): greedy matches at the last
 * distance that worked or at distances 1..64 (enough for periodic input
 * such as another bomb) */
static void
gzip_bytes(struct out *o, const unsigned char *in, size_t n)
{
	size_t pos = 0, last = 0, d, best_d;
	unsigned max, l, best;

	gzip_begin(o);
	while (pos < n) {
		max = n - pos > 258 ? 258 : (unsigned)(n - pos);
		best = 0;
		best_d = 0;
		if (last > 0 && last <= pos &&
		    (best = match_len(in, pos, last, max)) >= 3)
			best_d = last;
		for (d = 1; d <= 64 && d <= pos && best < max; d++)
			if ((l = match_len(in, pos, d, max)) > best) {
				best = l;
				best_d = d;
			}
		if (best >= 3) {
			fixed_match(o, best, (unsigned)best_d);
			pos += best;
			last = best_d;
		} else
			fixed_sym(o, in[pos++]);
	}
	gzip_end(o, crc32_buf(in, n), n);
}

/* body_mx10k - a valid policy whose mx lines are BAD_MX_LINES: the one
 * that matters (first, or last), and short patterns ("mx:a0"), so that all
 * of them fit under the 64 KiB policy limit and reach the parser */
static void
body_mx10k(struct out *o, bool last)
{
	static const char alnum[] = "abcdefghijklmnopqrstuvwxyz0123456789";
	static const char head[] = "version: STSv1\nmode: enforce\n"
	                           "max_age: 86400\n";
	static const char mx1[] = "mx: mx1.lab.test\n";
	char line[8];
	unsigned i;

	out_mem(o, head, sizeof(head) - 1);
	if (!last)
		out_mem(o, mx1, sizeof(mx1) - 1);
	for (i = 1; i < BAD_MX_LINES; i++) {
		memcpy(line, "mx:", 3);
		line[3] = alnum[(i / 36) % 26];
		line[4] = alnum[i % 36];
		line[5] = '\n';
		out_mem(o, line, 6);
	}
	if (last)
		out_mem(o, mx1, sizeof(mx1) - 1);
}

/* body_make - the body a mode serves from memory (empty for the others) */
static void
body_make(const struct mode *m, struct out *o)
{
	struct out inner = {0};

	switch (m->kind) {
	case REPLY_GZIP:
		gzip_zeros(o, BAD_BOMB_SIZE);
		break;
	case REPLY_GZIP2:
		gzip_zeros(&inner, BAD_BOMB_SIZE);
		gzip_bytes(o, inner.p, inner.len);
		free(inner.p);
		break;
	case REPLY_MX10K:
	case REPLY_MX10K_LAST:
		body_mx10k(o, m->kind == REPLY_MX10K_LAST);
		break;
	case REPLY_GOOD:
	case REPLY_TRICKLE:
		out_mem(o, GOOD_POLICY, sizeof(GOOD_POLICY) - 1);
		break;
	case REPLY_ENDLESS:
	case REPLY_LOOP:
		break;
	}
}

/* --- connection I/O (blocking; the child's alarm bounds it) --- */

static bool
tls_write(SSL *ssl, const void *buf, size_t len)
{
	const char *p = buf;
	int r;

	while (len > 0) {
		ERR_clear_error();
		r = SSL_write(ssl, p, len > INT_MAX ? INT_MAX : (int)len);
		if (r <= 0)
			return false;
		p += r;
		len -= (size_t)r;
	}
	return true;
}

static bool
tls_puts(SSL *ssl, const char *s)
{
	return tls_write(ssl, s, strlen(s));
}

/* write_chunk - one chunk of a chunked body (RFC 9112 7.1) */
static bool
write_chunk(SSL *ssl, const void *p, size_t n)
{
	char size[32];

	snprintf(size, sizeof(size), "%zx\r\n", n);
	return tls_puts(ssl, size) && tls_write(ssl, p, n) &&
	    tls_puts(ssl, "\r\n");
}

/* write_chunked - the whole of (p, n) in chunks, then the last chunk */
static bool
write_chunked(SSL *ssl, const unsigned char *p, size_t n)
{
	size_t k;

	while (n > 0) {
		k = n > BAD_CHUNK ? BAD_CHUNK : n;
		if (!write_chunk(ssl, p, k))
			return false;
		p += k;
		n -= k;
	}
	return tls_puts(ssl, "0\r\n\r\n");
}

/* read_head - the request head up to the empty line into head (cut at
 * size - 1); false when the client went away first */
static bool
read_head(SSL *ssl, char *head, size_t size)
{
	size_t len = 0;
	int r;

	while (len < size - 1) {
		ERR_clear_error();
		r = SSL_read(ssl, head + len, (int)(size - 1 - len));
		if (r <= 0)
			return false;
		len += (size_t)r;
		head[len] = '\0';
		if (strstr(head, "\r\n\r\n") != NULL)
			return true;
	}
	return true; /* an over-long head: answer what we have */
}

/* head_field - copy the value of header name (or, with name NULL, the
 * request target) into v; "" when absent */
static void
head_field(const char *head, const char *name, char *v, size_t size)
{
	const char *p = head, *e;
	size_t n = name ? strlen(name) : 0;

	v[0] = '\0';
	if (name == NULL) {
		if ((p = strchr(head, ' ')) == NULL)
			return;
		p++;
		e = p + strcspn(p, " \r\n");
	} else {
		for (;;) {
			if ((p = strstr(p, "\r\n")) == NULL)
				return;
			p += 2;
			if (strncasecmp(p, name, n) == 0 && p[n] == ':')
				break;
		}
		p += n + 1;
		p += strspn(p, " \t");
		e = p + strcspn(p, "\r\n");
	}
	n = (size_t)(e - p) < size - 1 ? (size_t)(e - p) : size - 1;
	memcpy(v, p, n);
	v[n] = '\0';
}

/* reply_endless - chunks of policy-like lines until the client leaves */
static void
reply_endless(SSL *ssl)
{
	static const char line[] = "mx: mx-endless.lab.test\n";
	char buf[BAD_CHUNK];
	size_t i;

	if (!write_chunk(ssl, GOOD_POLICY, sizeof(GOOD_POLICY) - 1))
		return;
	for (i = 0; i + sizeof(line) - 1 <= sizeof(buf); i += sizeof(line) - 1)
		memcpy(buf + i, line, sizeof(line) - 1);
	while (write_chunk(ssl, buf, i))
		;
}

/* reply_trickle - the body one octet at a time */
static void
reply_trickle(SSL *ssl, const struct out *body)
{
	size_t i;

	for (i = 0; i < body->len; i++) {
		if (!tls_write(ssl, body->p + i, 1))
			return;
		pause_ms(BAD_TRICKLE_MS);
	}
}

/* reply - answer one request according to the mode */
static void
reply(SSL *ssl, const struct mode *m, const struct out *body)
{
	static const char ok[] = "HTTP/1.1 200 OK\r\nServer: badhttps\r\n"
	                         "Content-Type: text/plain\r\n"
	                         "Connection: close\r\n";
	char head[BAD_HEAD_MAX], host[256], target[1024], buf[2048];

	if (!read_head(ssl, head, sizeof(head)))
		return;
	/* One line per request: the test counts them (a redirect followed or
	 * a fetch repeated would show). */
	head_field(head, NULL, target, sizeof(target));
	fprintf(stderr, "badhttps: request %.*s\n", 200, target);
	switch (m->kind) {
	case REPLY_GOOD:
	case REPLY_TRICKLE:
		snprintf(buf, sizeof(buf), "%sContent-Length: %zu\r\n\r\n", ok,
		    body->len);
		if (!tls_puts(ssl, buf))
			return;
		if (m->kind == REPLY_GOOD)
			(void)tls_write(ssl, body->p, body->len); /* closing */
		else
			reply_trickle(ssl, body);
		return;
	case REPLY_ENDLESS:
		snprintf(buf, sizeof(buf), "%sTransfer-Encoding: chunked\r\n\r\n",
		    ok);
		if (tls_puts(ssl, buf))
			reply_endless(ssl);
		return;
	case REPLY_LOOP:
		head_field(head, "Host", host, sizeof(host));
		snprintf(buf, sizeof(buf), "HTTP/1.1 301 Moved Permanently\r\n"
		    "Server: badhttps\r\nLocation: https://%s%s\r\n"
		    "Content-Type: text/html\r\nContent-Length: 0\r\n"
		    "Connection: close\r\n\r\n", host, target);
		(void)tls_puts(ssl, buf); /* closing either way */
		return;
	case REPLY_GZIP:
	case REPLY_GZIP2:
		snprintf(buf, sizeof(buf), "%sContent-Encoding: %s\r\n"
		    "Transfer-Encoding: chunked\r\n\r\n", ok,
		    m->kind == REPLY_GZIP ? "gzip" : "gzip, gzip");
		if (tls_puts(ssl, buf))
			(void)write_chunked(ssl, body->p, body->len); /* closing */
		return;
	case REPLY_MX10K:
	case REPLY_MX10K_LAST:
		snprintf(buf, sizeof(buf), "%sTransfer-Encoding: chunked\r\n\r\n",
		    ok);
		if (tls_puts(ssl, buf))
			(void)write_chunked(ssl, body->p, body->len); /* closing */
		return;
	}
}

/* session - one connection: handshake, one request, one answer */
static void
session(int fd, SSL_CTX *ctx, const struct mode *m, const struct out *body)
{
	SSL *ssl;

	if ((ssl = SSL_new(ctx)) == NULL || !SSL_set_fd(ssl, fd)) {
		SSL_free(ssl);
		close(fd);
		return;
	}
	ERR_clear_error();
	if (SSL_accept(ssl) == 1) {
		reply(ssl, m, body);
		(void)SSL_shutdown(ssl); /* best effort close_notify */
	} else {
		fprintf(stderr, "badhttps: TLS handshake failed\n");
		ERR_print_errors_fp(stderr);
	}
	SSL_free(ssl);
	close(fd);
}

/* child - serve one connection; dies with the parent and at the end of
 * the lifetime */
static void
child(int fd, pid_t parent, long left, SSL_CTX *ctx, const struct mode *m,
    const struct out *body)
{
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent)
		_exit(1);
	alarm((unsigned)left + 1);
	session(fd, ctx, m, body);
	_exit(0);
}

static SSL_CTX *
tls_ctx_new(const struct opts *o)
{
	SSL_CTX *ctx;

	if ((ctx = SSL_CTX_new(TLS_server_method())) == NULL)
		ssl_die("SSL_CTX_new");
	if (SSL_CTX_use_certificate_chain_file(ctx, o->cert) != 1)
		ssl_die("loading the certificate chain");
	if (SSL_CTX_use_PrivateKey_file(ctx, o->key, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_check_private_key(ctx) != 1)
		ssl_die("loading the private key");
	return ctx;
}

int
main(int argc, char **argv)
{
	struct opts o;
	struct out body = {0};
	SSL_CTX *ctx;
	struct pollfd pfd;
	long end, left;
	pid_t parent = getpid(), pid;
	int lfd, cfd, on = 1;
	char addr[INET_ADDRSTRLEN];

	parse_args(argc, argv, &o);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGCHLD, SIG_IGN); /* children are reaped automatically */
	ctx = tls_ctx_new(&o);
	body_make(o.mode, &body);

	if ((lfd = socket(AF_INET, SOCK_STREAM, 0)) < 0 ||
	    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) < 0 ||
	    bind(lfd, (struct sockaddr *)&o.addr, sizeof(o.addr)) < 0 ||
	    listen(lfd, 16) < 0) {
		perror("badhttps: cannot listen");
		SSL_CTX_free(ctx);
		free(body.p);
		return 1;
	}
	inet_ntop(AF_INET, &o.addr.sin_addr, addr, sizeof(addr));
	fprintf(stderr, "badhttps: %s:%u mode %s for %lds, body %zu octets\n",
	    addr, ntohs(o.addr.sin_port), o.mode->name, o.lifetime, body.len);

	end = now_s() + o.lifetime;
	while ((left = end - now_s()) > 0) {
		pfd.fd = lfd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, (int)(left * 1000)) <= 0)
			continue; /* timeout or EINTR: the loop rechecks */
		if ((cfd = accept(lfd, NULL, NULL)) < 0)
			continue;
		if ((pid = fork()) == 0) {
			close(lfd);
			child(cfd, parent, left, ctx, o.mode, &body);
		}
		if (pid < 0)
			perror("badhttps: fork");
		close(cfd);
	}
	close(lfd);
	SSL_CTX_free(ctx);
	free(body.p);
	return 0;
}
