/*
 * test_batch.c - table tests of the pieces of a --domains run that are
 * not I/O (batch.h): the line classifier (comments, blanks, CR LF, IDN,
 * invalid names, over-long lines, keys), the shard hash against SHA-256
 * values computed independently (Python's hashlib), the I/N syntax, and
 * the key set.
 */
#include "smtptls/batch.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain_name.h"
#include "unit.h"

#include "banned.h"

/* A literal with its length, so that embedded NULs count. */
#define S(s) s, sizeof(s) - 1

static const struct {
	const char *name;
	const char *p;
	size_t len;
	enum batch_line_kind kind;
	const char *domain; /* expected domain (DOMAIN, ADDRESS) */
	const char *key;
} lines[] = {
    {"empty", S(""), BATCH_LINE_SKIP, "", ""},
    {"blanks", S(" \t "), BATCH_LINE_SKIP, "", ""},
    {"comment", S("# a list"), BATCH_LINE_SKIP, "", ""},
    {"blank comment", S("   # x.example"), BATCH_LINE_SKIP, "", ""},
    {"CR alone", S("\r"), BATCH_LINE_SKIP, "", ""},
    {"domain", S("example.com"), BATCH_LINE_DOMAIN, "example.com", "example.com"},
    {"domain LF", S("example.com\n"), BATCH_LINE_DOMAIN, "example.com", "example.com"},
    {"domain CR LF", S("example.com\r\n"), BATCH_LINE_DOMAIN, "example.com", "example.com"},
    {"upper case, dot", S("  EXAMPLE.Com.  "), BATCH_LINE_DOMAIN, "example.com", "example.com"},
    {"trailing comment", S("example.com # mine\r"), BATCH_LINE_DOMAIN, "example.com", "example.com"},
    {"service label", S("_mta-sts.example.com"), BATCH_LINE_DOMAIN, "_mta-sts.example.com", "_mta-sts.example.com"},
    {"U-label", S("b\xc3\xbc" "cher.example"), BATCH_LINE_DOMAIN, "xn--bcher-kva.example", "xn--bcher-kva.example"},
    {"U-label upper", S("B\xc3\x9c" "CHER.example"), BATCH_LINE_DOMAIN, "xn--bcher-kva.example", "xn--bcher-kva.example"},
    {"A-label", S("xn--bcher-kva.example"), BATCH_LINE_DOMAIN, "xn--bcher-kva.example", "xn--bcher-kva.example"},
    {"address", S("Postmaster@Example.COM"), BATCH_LINE_ADDRESS, "example.com", "Postmaster@Example.COM"},
    {"address IDN", S("a@b\xc3\xbc" "cher.example"), BATCH_LINE_ADDRESS, "xn--bcher-kva.example", "a@b\xc3\xbc" "cher.example"},
    {"no local part", S("@example.com"), BATCH_LINE_INVALID, "", "@example.com"},
    {"bang", S("bad!name"), BATCH_LINE_INVALID, "", "bad!name"},
    {"inner blank", S("a b.example"), BATCH_LINE_INVALID, "", "a b.example"},
    {"empty label", S("a..example"), BATCH_LINE_INVALID, "", "a..example"},
    {"dot alone", S("."), BATCH_LINE_INVALID, "", "."},
    {"NUL", S("a\0b.example"), BATCH_LINE_INVALID, "", "a\\x00b.example"},
    {"control", S("a\001b"), BATCH_LINE_INVALID, "", "a\\x01b"},
    {"not UTF-8", S("\xff\xfe.example"), BATCH_LINE_INVALID, "", "\\xff\\xfe.example"},
    {"IDNA2008 symbol", S("\xe2\x98\x83.example"), BATCH_LINE_INVALID, "", "\\xe2\\x98\\x83.example"},
    {"backslash", S("a\\b"), BATCH_LINE_INVALID, "", "a\\x5cb"},
    {"label of 64", S("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.example"), BATCH_LINE_INVALID, "", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.example"},
};

static void
test_lines(void)
{
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		struct batch_line *l = malloc(sizeof(*l));
		char n[128];
		enum st_err err;

		if (l == NULL)
			abort();
		err = batch_line_classify(lines[i].p, lines[i].len, lines[i].len, l);
		snprintf(n, sizeof(n), "line/%s/ok", lines[i].name);
		unit_eq_long(n, ST_OK, err);
		snprintf(n, sizeof(n), "line/%s/kind", lines[i].name);
		unit_eq_str(n, batch_line_kind_name(lines[i].kind),
		    batch_line_kind_name(l->kind));
		snprintf(n, sizeof(n), "line/%s/domain", lines[i].name);
		unit_eq_str(n, lines[i].domain, l->domain);
		snprintf(n, sizeof(n), "line/%s/key", lines[i].name);
		unit_eq_str(n, lines[i].key, l->key);
		snprintf(n, sizeof(n), "line/%s/why", lines[i].name);
		unit_eq_long(n, lines[i].kind == BATCH_LINE_INVALID, l->why[0] != '\0');
		free(l);
	}
}

/* A line longer than BATCH_LINE_MAX: the reader hands over its first
 * octets and its whole length; it is invalid unless a comment. */
static void
test_long_lines(void)
{
	static char buf[BATCH_LINE_MAX + 1];
	struct batch_line *l = malloc(sizeof(*l));

	if (l == NULL)
		abort();
	memset(buf, 'a', sizeof(buf));
	unit_eq_long("long/ok", ST_OK,
	    batch_line_classify(buf, sizeof(buf), 10 * 1024 * 1024, l));
	unit_eq_str("long/kind", "invalid", batch_line_kind_name(l->kind));
	unit_eq_str("long/key",
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "... (10485760 octets)",
	    l->key);
	buf[3] = '#';
	unit_eq_long("long-comment/ok", ST_OK,
	    batch_line_classify(buf, sizeof(buf), 10 * 1024 * 1024, l));
	unit_eq_str("long-comment/kind", "invalid",
	    batch_line_kind_name(l->kind)); /* "aaa" before the '#' */
	memset(buf, ' ', 3);
	unit_eq_long("long-comment-only/ok", ST_OK,
	    batch_line_classify(buf, sizeof(buf), 10 * 1024 * 1024, l));
	unit_eq_str("long-comment-only/kind", "skip",
	    batch_line_kind_name(l->kind));
	/* exactly BATCH_LINE_MAX octets and a CR: still a line to judge */
	memset(buf, 'a', sizeof(buf));
	buf[BATCH_LINE_MAX] = '\r';
	unit_eq_long("max-with-cr/ok", ST_OK,
	    batch_line_classify(buf, sizeof(buf), sizeof(buf), l));
	unit_eq_str("max-with-cr/why", "longer than 253 octets", l->why);
	free(l);
}

/* Python: int.from_bytes(hashlib.sha256(s).digest()[:8], 'big') */
static const struct {
	const char *s;
	uint64_t h;
	unsigned mod3, mod7, mod1e6;
} hashes[] = {
    {"", 0xe3b0c44298fc1c14ull, 1, 1, 261652},
    {"good.lab.test", 0xcd63f08ebeaccd06ull, 2, 2, 599814},
    {"example.com", 0xa379a6f6eeafb9a5ull, 1, 5, 902309},
    {"xn--bcher-kva.example", 0x970ca6b73eaf2630ull, 1, 3, 538160},
};

static void
test_hash(void)
{
	for (size_t i = 0; i < sizeof(hashes) / sizeof(hashes[0]); i++) {
		char n[96];
		uint64_t h = 0;

		snprintf(n, sizeof(n), "hash/'%s'", hashes[i].s);
		unit_eq_long(n, ST_OK,
		    batch_hash(hashes[i].s, strlen(hashes[i].s), &h));
		snprintf(n, sizeof(n), "hash/'%s'/value", hashes[i].s);
		unit_report(h == hashes[i].h, n, "the digest's first 8 octets",
		    "another value");
		snprintf(n, sizeof(n), "hash/'%s'/mod", hashes[i].s);
		unit_eq_long(n,
		    (long)(hashes[i].mod3 * 10000000 + hashes[i].mod7 * 1000000 +
		           hashes[i].mod1e6),
		    (long)(h % 3 * 10000000 + h % 7 * 1000000 + h % 1000000));
	}
}

/* The shard of an entry is that of its normalised domain. */
static void
test_line_shard(void)
{
	static const char *const same[] = { "Example.COM.", "example.com",
		"user@example.com", " example.com # x" };
	struct batch_line *l = malloc(sizeof(*l));
	unsigned shard;

	if (l == NULL)
		abort();
	for (size_t i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
		char n[80];

		if (batch_line_classify(same[i], strlen(same[i]), strlen(same[i]),
		        l) != ST_OK ||
		    batch_line_shard(l, 7, &shard) != ST_OK)
			shard = 99;
		snprintf(n, sizeof(n), "shard/'%s'", same[i]);
		unit_eq_long(n, 5, shard); /* example.com mod 7 */
	}
	unit_eq_long("shard/n=0", ST_ERR_INVAL, batch_line_shard(l, 0, &shard));
	free(l);
}

static const struct {
	const char *s;
	int ok;
	unsigned i, n;
} shards[] = {
    {"0/1", 1, 0, 1},
    {"2/3", 1, 2, 3},
    {"999999/1000000", 1, 999999, 1000000},
    {"0/1000001", 0, 0, 0},
    {"3/3", 0, 0, 0},
    {"0/0", 0, 0, 0},
    {"1", 0, 0, 0},
    {"1/", 0, 0, 0},
    {"/2", 0, 0, 0},
    {"-1/2", 0, 0, 0},
    {"1/-2", 0, 0, 0},
    {"+1/2", 0, 0, 0},
    {" 1/2", 0, 0, 0},
    {"1/2 ", 0, 0, 0},
    {"1/2/3", 0, 0, 0},
    {"00000001/2", 0, 0, 0},
    {"99999999999999999999/2", 0, 0, 0},
    {"", 0, 0, 0},
};

static void
test_shard_parse(void)
{
	for (size_t i = 0; i < sizeof(shards) / sizeof(shards[0]); i++) {
		unsigned a = 0, b = 0;
		char n[80];
		bool ok = batch_shard_parse(shards[i].s, &a, &b);

		snprintf(n, sizeof(n), "shard-parse/'%s'", shards[i].s);
		unit_eq_long(n, shards[i].ok, ok);
		if (ok) {
			snprintf(n, sizeof(n), "shard-parse/'%s'/values",
			    shards[i].s);
			unit_eq_long(n, (long)(shards[i].i * 10000000ul + shards[i].n),
			    (long)(a * 10000000ul + b));
		}
	}
}

/* Enough keys to grow the table several times; each is new once. */
static void
test_keyset(void)
{
	struct batch_keyset *s = batch_keyset_new();
	size_t fresh = 0, again = 0;
	bool added;

	if (s == NULL)
		abort();
	for (uint64_t k = 0; k < 20000; k++)
		if (batch_keyset_add(s, k * 0x9e3779b97f4a7c15ull, &added) ==
		        ST_OK &&
		    added)
			fresh++;
	for (uint64_t k = 0; k < 20000; k++)
		if (batch_keyset_add(s, k * 0x9e3779b97f4a7c15ull, &added) ==
		        ST_OK &&
		    !added && batch_keyset_has(s, k * 0x9e3779b97f4a7c15ull))
			again++;
	unit_eq_long("keyset/fresh", 20000, (long)fresh);
	unit_eq_long("keyset/again", 20000, (long)again);
	unit_eq_long("keyset/count", 20000, (long)batch_keyset_count(s));
	unit_eq_long("keyset/absent", 0, batch_keyset_has(s, 12345));
	batch_keyset_free(s);
	batch_keyset_free(NULL);
}

int
main(void)
{
	test_lines();
	test_long_lines();
	test_hash();
	test_line_shard();
	test_shard_parse();
	test_keyset();
	return unit_exit();
}
