/*
 * test_resolv_conf.c - resolv.conf text to servers and options, one row per
 * case: what glibc would use, hostile input included. Every row is also
 * parsed cut at each byte (a file read while it is being written) and the
 * result checked for sanity, and random bytes are fed in (ASan finds any
 * read past the end).
 */
#include "resolv_conf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"

#define L(s) s, sizeof(s) - 1

struct row {
	const char *name;
	const char *text;
	size_t len;
	const char *servers; /* addresses joined by ',' */
	size_t nextra, nzoned, nbad;
	unsigned timeout_s, attempts;
};

static const struct row rows[] = {
	{ "empty", L(""), "", 0, 0, 0, 0, 0 },
	{ "one", L("nameserver 192.0.2.53\n"), "192.0.2.53", 0, 0, 0, 0, 0 },
	{ "no final newline", L("nameserver 192.0.2.53"), "192.0.2.53", 0, 0,
	    0, 0, 0 },
	{ "order kept", L("nameserver 192.0.2.2\nnameserver 192.0.2.1\n"),
	    "192.0.2.2,192.0.2.1", 0, 0, 0, 0, 0 },
	{ "tab after keyword", L("nameserver\t192.0.2.1\n"), "192.0.2.1", 0, 0,
	    0, 0, 0 },
	{ "many blanks", L("nameserver  \t  192.0.2.1   \n"), "192.0.2.1", 0,
	    0, 0, 0, 0 },
	{ "crlf", L("nameserver 192.0.2.1\r\noptions timeout:2\r\n"),
	    "192.0.2.1", 0, 0, 0, 2, 0 },
	{ "trailing text ignored", L("nameserver 192.0.2.1 # office\n"),
	    "192.0.2.1", 0, 0, 0, 0, 0 },
	{ "comment hash", L("# nameserver 192.0.2.9\nnameserver 192.0.2.1\n"),
	    "192.0.2.1", 0, 0, 0, 0, 0 },
	{ "comment semicolon", L("; nameserver 192.0.2.9\n"), "", 0, 0, 0, 0,
	    0 },
	{ "hash glued to address", L("nameserver 192.0.2.1#53\n"), "", 0, 0,
	    1, 0, 0 },
	{ "port not allowed", L("nameserver 192.0.2.1:5353\n"), "", 0, 0, 1,
	    0, 0 },
	{ "leading blank: not a keyword", L(" nameserver 192.0.2.1\n"), "", 0,
	    0, 0, 0, 0 },
	{ "upper case: not a keyword", L("NAMESERVER 192.0.2.1\n"), "", 0, 0,
	    0, 0, 0 },
	{ "keyword glued", L("nameserver192.0.2.1\n"), "", 0, 0, 0, 0, 0 },
	{ "keyword longer", L("nameservers 192.0.2.1\n"), "", 0, 0, 0, 0, 0 },
	{ "keyword alone", L("nameserver\n"), "", 0, 0, 0, 0, 0 },
	{ "keyword and blank only", L("nameserver \n"), "", 0, 0, 1, 0, 0 },
	{ "name not address", L("nameserver dns.example.\n"), "", 0, 0, 1, 0,
	    0 },
	{ "bad octet", L("nameserver 192.0.2.256\n"), "", 0, 0, 1, 0, 0 },
	{ "inet_aton short form", L("nameserver 127.1\n"), "127.0.0.1", 0, 0,
	    0, 0, 0 },
	{ "ipv6", L("nameserver 2001:DB8::53\n"), "2001:db8::53", 0, 0, 0, 0,
	    0 },
	{ "ipv6 loopback", L("nameserver ::1\n"), "::1", 0, 0, 0, 0, 0 },
	{ "ipv6 link-local with zone", L("nameserver fe80::1%eth0\n"), "", 0,
	    1, 0, 0, 0 },
	{ "ipv6 link-local numeric zone", L("nameserver fe80::1%2\n"), "", 0,
	    1, 0, 0, 0 },
	{ "ipv6 global with zone", L("nameserver 2001:db8::1%eth0\n"),
	    "2001:db8::1", 0, 0, 0, 0, 0 },
	{ "ipv6 link-local without zone", L("nameserver fe80::1\n"),
	    "fe80::1", 0, 0, 0, 0, 0 },
	{ "ipv6 brackets", L("nameserver [2001:db8::1]\n"), "", 0, 0, 1, 0,
	    0 },
	{ "zone alone", L("nameserver %eth0\n"), "", 0, 0, 1, 0, 0 },
	{ "ipv4 with zone", L("nameserver 192.0.2.1%eth0\n"), "", 0, 0, 1, 0,
	    0 },
	{ "zoned server takes a place",
	    L("nameserver fe80::1%eth0\nnameserver 192.0.2.1\n"
	      "nameserver 192.0.2.2\nnameserver 192.0.2.3\n"),
	    "192.0.2.1,192.0.2.2", 1, 1, 0, 0, 0 },
	{ "four: the fourth ignored",
	    L("nameserver 192.0.2.1\nnameserver 192.0.2.2\n"
	      "nameserver 192.0.2.3\nnameserver 192.0.2.4\n"),
	    "192.0.2.1,192.0.2.2,192.0.2.3", 1, 0, 0, 0, 0 },
	{ "bad lines take no place",
	    L("nameserver x\nnameserver 192.0.2.1\nnameserver y\n"
	      "nameserver 192.0.2.2\nnameserver 192.0.2.3\n"),
	    "192.0.2.1,192.0.2.2,192.0.2.3", 0, 0, 2, 0, 0 },
	{ "duplicates kept as listed",
	    L("nameserver 192.0.2.1\nnameserver 192.0.2.1\n"),
	    "192.0.2.1,192.0.2.1", 0, 0, 0, 0, 0 },
	{ "search and domain ignored",
	    L("search example.com example.net\ndomain example.com\n"
	      "nameserver 192.0.2.1\nsortlist 130.155.160.0/255.255.240.0\n"),
	    "192.0.2.1", 0, 0, 0, 0, 0 },
	{ "search before the servers",
	    L("search a b c d e f g h\nnameserver 192.0.2.1\n"), "192.0.2.1",
	    0, 0, 0, 0, 0 },
	{ "options", L("options timeout:3 attempts:4\n"), "", 0, 0, 0, 3, 4 },
	{ "options unknown among known",
	    L("options ndots:5 rotate timeout:1 trust-ad edns0 attempts:1\n"),
	    "", 0, 0, 0, 1, 1 },
	{ "options later wins", L("options timeout:2\noptions timeout:7\n"),
	    "", 0, 0, 0, 7, 0 },
	{ "options same line later wins", L("options timeout:2 timeout:9\n"),
	    "", 0, 0, 0, 9, 0 },
	{ "timeout capped", L("options timeout:31 attempts:6\n"), "", 0, 0, 0,
	    30, 5 },
	{ "timeout huge", L("options timeout:99999999999999999999999\n"), "",
	    0, 0, 0, 30, 0 },
	{ "timeout zero is one", L("options timeout:0 attempts:0\n"), "", 0, 0,
	    0, 1, 1 },
	{ "timeout digits then junk", L("options timeout:4s\n"), "", 0, 0, 0,
	    4, 0 },
	{ "timeout no digits", L("options timeout:x attempts:\n"), "", 0, 0, 0,
	    0, 0 },
	{ "timeout negative", L("options timeout:-1\n"), "", 0, 0, 0, 0, 0 },
	{ "timeout upper case", L("options TIMEOUT:3\n"), "", 0, 0, 0, 0, 0 },
	{ "options glued", L("options:timeout:3\n"), "", 0, 0, 0, 0, 0 },
	{ "options tabs", L("options\ttimeout:2\tattempts:3\n"), "", 0, 0, 0,
	    2, 3 },
	{ "blank lines", L("\n\n\nnameserver 192.0.2.1\n\n"), "192.0.2.1", 0,
	    0, 0, 0, 0 },
	{ "only newlines", L("\n\n\n\n"), "", 0, 0, 0, 0, 0 },
	{ "junk lines",
	    L("}{%$#@!\nxx\x01\x02\x7f\xff\nnameserver 192.0.2.1\n==\n"),
	    "192.0.2.1", 0, 0, 0, 0, 0 },
	{ "nul in address", L("nameserver 192.0.2.1\0x\nnameserver 192.0.2.2\n"),
	    "192.0.2.2", 0, 0, 1, 0, 0 },
	{ "nul in keyword", L("name\0server 192.0.2.1\n"), "", 0, 0, 0, 0, 0 },
	{ "nul after blank", L("nameserver 192.0.2.1 \0junk\n"), "192.0.2.1",
	    0, 0, 0, 0, 0 },
	{ "long address token",
	    L("nameserver "
	      "1111111111111111111111111111111111111111111111111111111111111111"
	      "1111111111111111111111111111111111111111111111111111111111111111"
	      "\nnameserver 192.0.2.1\n"),
	    "192.0.2.1", 0, 0, 1, 0, 0 },
	{ "ipv4-mapped ipv6", L("nameserver ::ffff:192.0.2.1\n"),
	    "::ffff:192.0.2.1", 0, 0, 0, 0, 0 },
	{ "cr alone", L("nameserver 192.0.2.1\roptions timeout:2"),
	    "192.0.2.1", 0, 0, 0, 0, 0 },
	{ "systemd-resolved stub",
	    L("# This is /run/systemd/resolve/stub-resolv.conf managed by "
	      "man:systemd-resolved(8).\n# Do not edit.\n\nnameserver "
	      "127.0.0.53\noptions edns0 trust-ad\nsearch .\n"),
	    "127.0.0.53", 0, 0, 0, 0, 0 },
	{ "docker style",
	    L("search corp.example\nnameserver 192.0.2.1\nnameserver "
	      "2001:db8::1\noptions ndots:0 timeout:1 attempts:2\n"),
	    "192.0.2.1,2001:db8::1", 0, 0, 0, 1, 2 },
};

static void
servers_text(const struct resolv_conf *rc, char *out, size_t len)
{
	size_t off = 0;

	out[0] = '\0';
	for (size_t i = 0; i < rc->nservers && off < len; i++)
		off += (size_t)snprintf(out + off, len - off, "%s%s",
		    i ? "," : "", rc->servers[i].addr);
}

static void
test_rows(void)
{
	char name[160], seen[400];

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *w = &rows[i];
		struct resolv_conf rc;
		bool port53 = true;

		resolv_conf_parse(w->text, w->len, &rc);
		servers_text(&rc, seen, sizeof(seen));
		snprintf(name, sizeof(name), "resolv.conf %s servers", w->name);
		unit_eq_str(name, w->servers, seen);
		for (size_t k = 0; k < rc.nservers; k++)
			port53 = port53 && rc.servers[k].port == 53;
		snprintf(name, sizeof(name), "resolv.conf %s port 53", w->name);
		unit_eq_long(name, 1, port53);
		snprintf(name, sizeof(name), "resolv.conf %s counts", w->name);
		snprintf(seen, sizeof(seen), "extra %zu zoned %zu bad %zu",
		    rc.nextra, rc.nzoned, rc.nbad);
		char want[80];
		snprintf(want, sizeof(want), "extra %zu zoned %zu bad %zu",
		    w->nextra, w->nzoned, w->nbad);
		unit_eq_str(name, want, seen);
		snprintf(name, sizeof(name), "resolv.conf %s timeout", w->name);
		unit_eq_long(name, w->timeout_s, rc.timeout_s);
		snprintf(name, sizeof(name), "resolv.conf %s attempts",
		    w->name);
		unit_eq_long(name, w->attempts, rc.attempts);
	}
}

/* sane - the invariants any input must leave */
static bool
sane(const struct resolv_conf *rc)
{
	if (rc->nservers + rc->nzoned > RESOLV_CONF_NS_MAX ||
	    rc->timeout_s > RESOLV_CONF_TIMEOUT_MAX ||
	    rc->attempts > RESOLV_CONF_ATTEMPTS_MAX)
		return false;
	for (size_t i = 0; i < rc->nservers; i++)
		if (memchr(rc->servers[i].addr, '\0',
		        sizeof(rc->servers[i].addr)) == NULL ||
		    rc->servers[i].addr[0] == '\0')
			return false;
	return true;
}

/* test_cut - every row cut at every byte, in a buffer of exactly that size
 * (heap, so ASan sees a read past the end) */
static void
test_cut(void)
{
	size_t bad = 0, runs = 0;

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		for (size_t n = 0; n <= rows[i].len; n++) {
			char *b = malloc(n ? n : 1);
			struct resolv_conf rc;

			if (b == NULL)
				abort();
			memcpy(b, rows[i].text, n);
			resolv_conf_parse(b, n, &rc);
			bad += !sane(&rc);
			runs++;
			free(b);
		}
	printf("# %zu cut inputs\n", runs);
	unit_eq_long("resolv.conf every row cut at every byte: sane", 0,
	    (long)bad);
}

/* test_random - lines built from a small alphabet of keywords and bytes */
static void
test_random(void)
{
	static const char *const parts[] = { "nameserver", "options", " ",
		"\t", "\n", "\r", "#", "timeout:", "attempts:", "9", "0",
		"192.0.2.1", "fe80::1", "%", "eth0", ":", ".", "\xff", "search",
		"ffff" };
	uint32_t x = 2463534242u; /* xorshift32: fixed, so runs repeat */
	size_t bad = 0;

	for (int run = 0; run < 2000; run++) {
		char buf[512];
		size_t len = 0;
		struct resolv_conf rc;

		for (int k = 0; k < 40; k++) {
			const char *p;
			size_t n;

			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			p = parts[x % (sizeof(parts) / sizeof(parts[0]))];
			n = strlen(p);
			if (len + n > sizeof(buf))
				break;
			memcpy(buf + len, p, n);
			len += n;
		}
		char *b = malloc(len ? len : 1);
		if (b == NULL)
			abort();
		memcpy(b, buf, len);
		resolv_conf_parse(b, len, &rc);
		bad += !sane(&rc);
		free(b);
	}
	unit_eq_long("resolv.conf 2000 random inputs: sane", 0, (long)bad);
}

int
main(void)
{
	test_rows();
	test_cut();
	test_random();
	return unit_exit();
}
