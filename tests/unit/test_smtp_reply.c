/*
 * test_smtp_reply.c - table tests of the SMTP reply parser.
 *
 * Every parser row is replayed fed whole, split in two at every byte
 * boundary, and one byte at a time (TCP splits replies anywhere); the
 * outcome, summarised as one string, must be the same each time.
 */
#include "smtp_reply.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "st_limits.h"
#include "unit.h"
#include "banned.h"

#define SUM_MAX 512

/*
 * Input = prefix + rep * count + tail (len: octets of prefix when it
 * holds a NUL, else 0). Expected summary: "CODE [line|line] {flags}
 * used=N", "error NAME: errmsg", or "incomplete used=N".
 */
struct reply_case {
	const char *name;
	const char *prefix;
	size_t len;
	const char *rep;
	size_t count;
	const char *tail;
	const char *expect;
};

#define LMAX SMTP_REPLY_LINE_MAX
#define A36 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

static const struct reply_case reply_cases[] = {
	{"single line", "250 ok\r\n", 0, NULL, 0, "",
	    "250 [ok] {} used=8"},
	{"multi-line EHLO", "250-mx.example\r\n250-STARTTLS\r\n"
	    "250 SIZE 10240000\r\n", 0, NULL, 0, "",
	    "250 [mx.example|STARTTLS|SIZE 10240000] {} used=49"},
	{"bare code as last line", "220\r\n", 0, NULL, 0, "",
	    "220 [] {no_sep} used=5"},
	{"bare code ends multi-line", "220-a\r\n220\r\n", 0, NULL, 0, "",
	    "220 [a|] {no_sep} used=12"},
	{"code and SP, no text", "250 \r\n", 0, NULL, 0, "",
	    "250 [] {} used=6"},
	{"bare LF", "250-a\n250 b\r\n", 0, NULL, 0, "",
	    "250 [a|b] {bare_lf} used=13"},
	{"bare LF everywhere", "220 hi\n", 0, NULL, 0, "",
	    "220 [hi] {bare_lf} used=7"},
	{"mixed codes", "250-a\r\n251 b\r\n", 0, NULL, 0, "",
	    "250 [a|b] {mixed} used=14"},
	{"two replies in one buffer", "250 a\r\n251 b\r\n", 0, NULL, 0, "",
	    "250 [a] {} used=7"},
	{"multi-line then next", "220-a\r\n220 b\r\n250 c\r\n", 0, NULL, 0,
	    "", "220 [a|b] {} used=14"},
	{"reply then garbage", "221 bye\r\nHTTP/1.1", 0, NULL, 0, "",
	    "221 [bye] {} used=9"},
	{"tab is text", "250 a\tb\r\n", 0, NULL, 0, "",
	    "250 [a\\x09b] {} used=9"},
	{"NUL octet", "250 a\0b\r\n", 9, NULL, 0, "",
	    "250 [a] {bad_octets} used=9"},
	{"8-bit octets", "250 caf\xc3\xa9\r\n", 0, NULL, 0, "",
	    "250 [caf\\xc3\\xa9] {bad_octets} used=11"},
	{"CR inside a line", "250 a\rb\r\n", 0, NULL, 0, "",
	    "250 [a\\x0db] {bad_octets} used=9"},
	{"two CRs at the end", "250 a\r\r\n", 0, NULL, 0, "",
	    "250 [a\\x0d] {bad_octets} used=8"},
	{"1yz code", "199 x\r\n", 0, NULL, 0, "", "199 [x] {} used=7"},
	{"incomplete line", "250 ok", 0, NULL, 0, "", "incomplete used=6"},
	{"incomplete multi-line", "250-a\r\n250 b", 0, NULL, 0, "",
	    "incomplete used=12"},
	{"bad code 2x0", "2x0 nope\r\n", 0, NULL, 0, "",
	    "error protocol error: malformed reply code: '2x0 nope'"},
	{"HTTP response", "HTTP/1.1 200 OK\r\nServer: x\r\n", 0, NULL, 0, "",
	    "error protocol error: malformed reply code: 'HTTP/1.1 200 OK'"},
	{"HTTP 400", "HTTP/1.1 400 Bad Request\r\n", 0, NULL, 0, "",
	    "error protocol error: malformed reply code: "
	    "'HTTP/1.1 400 Bad Request'"},
	{"empty line", "\r\n", 0, NULL, 0, "",
	    "error protocol error: empty reply line"},
	{"empty bare LF line", "\n", 0, NULL, 0, "",
	    "error protocol error: empty reply line"},
	{"empty line in multi-line", "250-a\r\n\r\n250 b\r\n", 0, NULL, 0, "",
	    "error protocol error: empty reply line"},
	{"two digits", "25\r\n", 0, NULL, 0, "",
	    "error protocol error: malformed reply code: '25'"},
	{"code 600", "600 x\r\n", 0, NULL, 0, "",
	    "error protocol error: malformed reply code: '600 x'"},
	{"code 099", "099 x\r\n", 0, NULL, 0, "",
	    "error protocol error: malformed reply code: '099 x'"},
	{"bad separator", "250x\r\n", 0, NULL, 0, "",
	    "error protocol error: malformed reply line: '250x'"},
	{"tab separator", "250\tok\r\n", 0, NULL, 0, "",
	    "error protocol error: malformed reply line: '250\\x09ok'"},
	{"bad code escaped", "\x16\x03\x01\x02\x00\r\n", 7, NULL, 0, "",
	    "error protocol error: malformed reply code: "
	    "'\\x16\\x03\\x01\\x02\\x00'"},
	{"line of 512 octets", "250 ", 0, "a", 506, "\r\n",
	    "250 [#506] {} used=512"},
	{"line of 513 octets", "250 ", 0, "a", 507, "\r\n",
	    "250 [#507] {long} used=513"},
	{"bare-LF line of 512 octets", "250 ", 0, "a", 507, "\n",
	    "250 [#507] {bare_lf} used=512"},
	{"line at the cap", "250 ", 0, "a", LMAX - 4, "\r\n",
	    "250 [#4092] {long} used=4098"},
	{"bare-LF line at the cap", "250 ", 0, "a", LMAX - 4, "\n",
	    "250 [#4092] {bare_lf,long} used=4097"},
	/* Over the cap the start of the line is stored, the rest counted
	 * and discarded, and the reply goes on (RFC 5321 4.5.3.1). The CR
	 * lands just inside, just outside and far outside the stored part. */
	{"line over the cap", "250 ", 0, "a", LMAX - 3, "\r\n",
	    "250 [#4092] {long,cut} used=4099 longest=4097"},
	{"line two over the cap", "250 ", 0, "a", LMAX - 2, "\r\n",
	    "250 [#4092] {long,cut} used=4100 longest=4098"},
	{"bare-LF line over the cap", "250 ", 0, "a", LMAX - 3, "\n",
	    "250 [#4092] {bare_lf,long,cut} used=4098 longest=4097"},
	{"bare-LF line two over the cap", "250 ", 0, "a", LMAX - 2, "\n",
	    "250 [#4092] {bare_lf,long,cut} used=4099 longest=4098"},
	{"line of twice the cap", "250 ", 0, "a", 2 * LMAX, "\r\n",
	    "250 [#4092] {long,cut} used=8198 longest=8196"},
	{"CR inside the discarded part", "250 ", 0, "a\r", LMAX, "\r\n",
	    "250 [#4092] {long,bad_octets,cut} used=8198 longest=8196"},
	{"long line inside a reply", "250-mx\r\n250-", 0, "b", 2 * LMAX,
	    "\r\n250 SIZE 1\r\n",
	    "250 [mx|#4092|SIZE 1] {long,cut} used=8218 longest=8196"},
	{"long line then the next reply", "220 ", 0, "c", 2 * LMAX,
	    "\r\n250 next\r\n",
	    "220 [#4092] {long,cut} used=8198 longest=8196"},
	{"long line, malformed code", "2x0 ", 0, "d", 2 * LMAX, "\r\n",
	    "error protocol error: malformed reply code: "
	    "'2x0 dddddddddddddddddddddddddddddddddddd...'"},
	{"endless line", "250-", 0, "\x01", 2 * LMAX, "",
	    "incomplete used=8196"},
	{"100 lines", "", 0, "250-x\r\n", SMTP_REPLY_LINES_MAX - 1,
	    "250 y\r\n", "250 [x|...(100 lines)|y] {} used=700"},
	{"101 lines", "", 0, "250-x\r\n", SMTP_REPLY_LINES_MAX, "250 y\r\n",
	    "error size limit reached: reply of more than 100 lines: "
	    "'250 y'"},
	{"endless reply", "", 0, "250-x\r\n", 1000, "",
	    "error size limit reached: reply of more than 100 lines: "
	    "'250-x'"},
};

/* build - the input of a row, in a malloc'd buffer */
static char *
build(const struct reply_case *c, size_t *len)
{
	size_t plen = c->len ? c->len : strlen(c->prefix);
	size_t rlen = c->rep ? strlen(c->rep) : 0;
	size_t tlen = strlen(c->tail), i, n = 0;
	char *in = malloc(plen + rlen * c->count + tlen + 1);

	if (in == NULL)
		abort();
	memcpy(in, c->prefix, plen);
	n = plen;
	for (i = 0; i < c->count; i++, n += rlen)
		memcpy(in + n, c->rep, rlen);
	memcpy(in + n, c->tail, tlen);
	*len = n + tlen;
	return in;
}

/* cat - append a string to a summary, cutting at the end */
static void
cat(char *sum, size_t max, const char *s)
{
	size_t n = strlen(sum), k = strlen(s);

	if (n + k >= max)
		k = max - n - 1;
	memcpy(sum + n, s, k);
	sum[n + k] = '\0';
}

/* cat_line - append one reply line, escaped, or "#len" when long */
static void
cat_line(char *sum, size_t max, const char *line)
{
	char esc[200];

	if (strlen(line) > 32) {
		snprintf(esc, sizeof(esc), "#%zu", strlen(line));
	} else {
		smtp_reply_escape(esc, sizeof(esc), line, strlen(line));
	}
	cat(sum, max, esc);
}

/* summarise - one string for the outcome of a parse */
static void
summarise(char *sum, size_t max, const struct smtp_reply *r, size_t used)
{
	static const struct {
		unsigned flag;
		const char *name;
	} names[] = {
		{SMTP_REPLY_BARE_LF, "bare_lf"},
		{SMTP_REPLY_LONG_LINE, "long"},
		{SMTP_REPLY_MIXED_CODES, "mixed"},
		{SMTP_REPLY_BAD_OCTETS, "bad_octets"},
		{SMTP_REPLY_NO_SEP, "no_sep"},
		{SMTP_REPLY_CUT_LINE, "cut"},
	};
	char tmp[64];
	size_t i;
	bool first = true;

	snprintf(sum, max, "%d [", r->code);
	for (i = 0; i < r->nlines; i++) {
		if (r->nlines > 4 && i > 0 && i < r->nlines - 1) {
			if (i == 1) {
				snprintf(tmp, sizeof(tmp), "|...(%zu lines)",
				    r->nlines);
				cat(sum, max, tmp);
			}
			continue;
		}
		if (i > 0)
			cat(sum, max, "|");
		cat_line(sum, max, r->lines[i]);
	}
	cat(sum, max, "] {");
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (r->flags & names[i].flag) {
			if (!first)
				cat(sum, max, ",");
			cat(sum, max, names[i].name);
			first = false;
		}
	}
	snprintf(tmp, sizeof(tmp), "} used=%zu", used);
	cat(sum, max, tmp);
	if (r->flags & SMTP_REPLY_CUT_LINE) {
		snprintf(tmp, sizeof(tmp), " longest=%zu", r->longest);
		cat(sum, max, tmp);
	}
}

/*
 * parse - feed in[0..len) as a first chunk of `first` octets, then chunks
 * of `step`, until a reply is complete or an error; summarise the outcome.
 */
static void
parse(const char *in, size_t len, size_t first, size_t step, char *sum,
    size_t max)
{
	struct smtp_reply_parser p;
	struct smtp_reply r;
	size_t off = 0, end = first, total = 0, used, clen;
	bool done = false;
	enum st_err err = ST_OK;

	smtp_reply_parser_init(&p);
	snprintf(sum, max, "incomplete used=%zu", len);
	while (off < len) {
		clen = (end < len ? end : len) - off;
		err = smtp_reply_feed(&p, in + off, clen, &used, &r, &done);
		total += used;
		if (err != ST_OK) {
			snprintf(sum, max, "error %s: %s", st_strerror(err),
			    p.errmsg);
			break;
		}
		if (done) {
			summarise(sum, max, &r, total);
			smtp_reply_release(&r);
			break;
		}
		if (used != clen) {
			snprintf(sum, max, "bug: used %zu of %zu", used, clen);
			break;
		}
		off += clen;
		end = off + step;
	}
	smtp_reply_parser_release(&p);
}

static void
test_reply_table(void)
{
	char name[128], sum[SUM_MAX], bad[SUM_MAX + 64];
	size_t i, k, len;
	char *in;

	for (i = 0; i < sizeof(reply_cases) / sizeof(reply_cases[0]); i++) {
		const struct reply_case *c = &reply_cases[i];

		in = build(c, &len);
		parse(in, len, len, len, sum, sizeof(sum));
		snprintf(name, sizeof(name), "reply %s: whole", c->name);
		unit_eq_str(name, c->expect, sum);

		/* Split in two at every boundary: one verdict per row. */
		bad[0] = '\0';
		for (k = 1; k < len && bad[0] == '\0'; k++) {
			parse(in, len, k, len, sum, sizeof(sum));
			if (strcmp(sum, c->expect) != 0)
				snprintf(bad, sizeof(bad), "split at %zu: %s",
				    k, sum);
		}
		snprintf(name, sizeof(name), "reply %s: split in two",
		    c->name);
		unit_report(bad[0] == '\0', name, c->expect, bad);

		parse(in, len, 1, 1, sum, sizeof(sum));
		snprintf(name, sizeof(name), "reply %s: byte by byte",
		    c->name);
		unit_eq_str(name, c->expect, sum);
		free(in);
	}
}

/*
 * Rows too big to split at every boundary: a 100 KiB line (what the issue
 * saw a server send, and Postfix 3.7 accept) and the cap on one reply.
 * Fed whole, byte by byte, and in chunks that straddle the stored part.
 */
static char long_rep[20005]; /* "250-" 19998 x CRLF, made at run time */

static const struct reply_case big_cases[] = {
	{"100 KiB greeting line", "220 ", 0, "A", 100 * 1024,
	    "\r\n250 next\r\n",
	    "220 [#4092] {long,cut} used=102406 longest=102404"},
	{"100 KiB line in an EHLO reply", "250-mx\r\n250-X-", 0, "B",
	    100 * 1024, "\r\n250 STARTTLS\r\n",
	    "250 [mx|#4092|STARTTLS] {long,cut} used=102430 longest=102406"},
	{"reply at the octet cap", "250 ", 0, "a",
	    SMTP_REPLY_OCTETS_MAX - 6, "\r\n",
	    "250 [#4092] {long,cut} used=1048576 longest=1048574"},
	{"reply one octet over the cap", "250 ", 0, "a",
	    SMTP_REPLY_OCTETS_MAX - 5, "\r\n",
	    "error size limit reached: reply longer than 1048576 octets: "
	    "'250 " A36 "...'"},
	/* 99 lines of 20004 octets: under the line count, over the octets;
	 * the 53rd line crosses 1 MiB. */
	{"long lines over the octet cap", "", 0, long_rep, 99,
	    "250 end\r\n",
	    "error size limit reached: reply longer than 1048576 octets: "
	    "'250-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...'"},
	{"endless line", "250-", 0, "A", SMTP_REPLY_OCTETS_MAX, "",
	    "error size limit reached: reply longer than 1048576 octets: "
	    "'250-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA...'"},
};

static void
test_big_table(void)
{
	static const size_t chunks[] = {1, 1000, LMAX + 1, 65536};
	char name[128], sum[SUM_MAX];
	size_t i, k, len;
	char *in;

	memcpy(long_rep, "250-", 4);
	memset(long_rep + 4, 'x', sizeof(long_rep) - 7);
	memcpy(long_rep + sizeof(long_rep) - 3, "\r\n", 3);
	for (i = 0; i < sizeof(big_cases) / sizeof(big_cases[0]); i++) {
		const struct reply_case *c = &big_cases[i];

		in = build(c, &len);
		parse(in, len, len, len, sum, sizeof(sum));
		snprintf(name, sizeof(name), "big %s: whole", c->name);
		unit_eq_str(name, c->expect, sum);
		for (k = 0; k < sizeof(chunks) / sizeof(chunks[0]); k++) {
			parse(in, len, chunks[k], chunks[k], sum, sizeof(sum));
			snprintf(name, sizeof(name), "big %s: chunks of %zu",
			    c->name, chunks[k]);
			unit_eq_str(name, c->expect, sum);
		}
		free(in);
	}
}

/* A failed parser keeps failing, and consumes nothing more. */
static void
test_sticky_error(void)
{
	struct smtp_reply_parser p;
	struct smtp_reply r;
	size_t used = 99;
	bool done = true;
	enum st_err err;

	smtp_reply_parser_init(&p);
	err = smtp_reply_feed(&p, "xyz\r\n", 5, &used, &r, &done);
	unit_eq_long("sticky: first error", ST_ERR_PROTO, err);
	err = smtp_reply_feed(&p, "250 ok\r\n", 8, &used, &r, &done);
	unit_eq_long("sticky: same error again", ST_ERR_PROTO, err);
	unit_eq_long("sticky: nothing used", 0, (long)used);
	unit_eq_long("sticky: not done", 0, done);
	smtp_reply_parser_release(&p);
}

/* Consecutive replies come out one per call, in order. */
static void
test_reply_sequence(void)
{
	static const char in[] = "220-a\r\n220 b\r\n250-c\n250 d\r\n221 e\r\n";
	const char *exp[] = {"220 [a|b] {} used=14",
	    "250 [c|d] {bare_lf} used=13", "221 [e] {} used=7"};
	struct smtp_reply_parser p;
	struct smtp_reply r;
	size_t off = 0, used, i;
	bool done;
	char name[64], sum[SUM_MAX];

	smtp_reply_parser_init(&p);
	for (i = 0; i < 3; i++) {
		if (smtp_reply_feed(&p, in + off, sizeof(in) - 1 - off, &used,
		    &r, &done) != ST_OK || !done) {
			snprintf(sum, sizeof(sum), "error or not done");
		} else {
			summarise(sum, sizeof(sum), &r, used);
			smtp_reply_release(&r);
		}
		off += used;
		snprintf(name, sizeof(name), "sequence: reply %zu", i + 1);
		unit_eq_str(name, exp[i], sum);
	}
	unit_eq_long("sequence: all used", sizeof(in) - 1, (long)off);
	smtp_reply_parser_release(&p);
}

/* The line callback sees every complete line, even the one that fails. */
static void
collect_line(void *arg, const char *line, size_t len)
{
	char esc[200];

	smtp_reply_escape(esc, sizeof(esc), line, len);
	cat(arg, SUM_MAX, esc);
	cat(arg, SUM_MAX, "/");
}

static void
test_line_callback(void)
{
	static const char in[] = "250-a\r\n250-b\n\r\n";
	struct smtp_reply_parser p;
	struct smtp_reply r;
	size_t used;
	bool done;
	char seen[SUM_MAX] = "";

	smtp_reply_parser_init(&p);
	p.line_cb = collect_line;
	p.line_cb_arg = seen;
	unit_eq_long("callback: feed fails", ST_ERR_PROTO,
	    smtp_reply_feed(&p, in, sizeof(in) - 1, &used, &r, &done));
	unit_eq_str("callback: lines seen", "250-a/250-b//", seen);
	smtp_reply_parser_release(&p);
}

struct keyword_case {
	const char *kw;
	const char *params; /* NULL: absent */
};

static void
test_keywords(void)
{
	static const char ehlo[] = "250-mx.example\r\n250-PIPELINING\r\n"
	    "250-SIZE 10240000\r\n250-starttls\r\n250-AUTH=LOGIN\r\n"
	    "250-AUTH PLAIN LOGIN\r\n250 8BITMIME\r\n";
	static const struct keyword_case cases[] = {
		{"STARTTLS", ""},
		{"StartTLS", ""},
		{"SIZE", "10240000"},
		{"PIPELINING", ""},
		{"PIPE", NULL},
		{"PIPELININGS", NULL},
		{"AUTH", "PLAIN LOGIN"},
		{"AUTH=LOGIN", ""},
		{"8BITMIME", ""},
		{"mx.example", NULL},
		{"SMTPUTF8", NULL},
		{"", NULL},
	};
	struct smtp_reply_parser p;
	struct smtp_reply r;
	size_t used, i;
	bool done;
	char name[64];
	const char *got;

	smtp_reply_parser_init(&p);
	if (smtp_reply_feed(&p, ehlo, sizeof(ehlo) - 1, &used, &r, &done) !=
	    ST_OK || !done) {
		unit_report(0, "keyword: parse EHLO reply", "done", p.errmsg);
		smtp_reply_parser_release(&p);
		return;
	}
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		got = smtp_reply_keyword(&r, cases[i].kw);
		snprintf(name, sizeof(name), "keyword '%s'", cases[i].kw);
		unit_eq_str(name, cases[i].params, got);
		snprintf(name, sizeof(name), "has_keyword '%s'", cases[i].kw);
		unit_eq_long(name, cases[i].params != NULL,
		    smtp_reply_has_keyword(&r, cases[i].kw));
	}
	smtp_reply_release(&r);
	smtp_reply_parser_release(&p);
}

struct enhanced_case {
	const char *in;
	size_t outlen;
	const char *expect;
};

static void
test_enhanced(void)
{
	static const struct enhanced_case cases[] = {
		{"250 2.1.5 Ok\r\n", 32, "2.1.5"},
		{"550 5.7.1 <x@example.net>: Relay access denied\r\n", 32,
		    "5.7.1"},
		{"421 4.3.2 \r\n", 32, "4.3.2"},
		{"250 2.0.0\r\n", 32, "2.0.0"},
		{"250 2.100.100 long fields\r\n", 32, "2.100.100"},
		{"250-2.1.5 first\r\n250 3.0.0 last\r\n", 32, "2.1.5"},
		{"250 ok\r\n", 32, ""},
		{"250 2.1 short\r\n", 32, ""},
		{"250 3.1.5 bad class\r\n", 32, ""},
		{"250 2.1.5x glued\r\n", 32, ""},
		{"550 5.1234.1 long subject\r\n", 32, ""},
		{"550 5..1 empty subject\r\n", 32, ""},
		{"250\r\n", 32, ""},
		{"250 2.1.5 Ok\r\n", 6, "2.1.5"},
		{"250 2.1.5 Ok\r\n", 5, ""},
	};
	struct smtp_reply_parser p;
	struct smtp_reply r;
	size_t used, i;
	bool done;
	char name[96], out[32];

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		smtp_reply_parser_init(&p);
		snprintf(name, sizeof(name), "enhanced %zu (outlen %zu)", i,
		    cases[i].outlen);
		if (smtp_reply_feed(&p, cases[i].in, strlen(cases[i].in),
		    &used, &r, &done) != ST_OK || !done) {
			unit_report(0, name, cases[i].expect, p.errmsg);
		} else {
			memset(out, 'X', sizeof(out));
			smtp_reply_enhanced(&r, out, cases[i].outlen);
			unit_eq_str(name, cases[i].expect, out);
			smtp_reply_release(&r);
		}
		smtp_reply_parser_release(&p);
	}
}

struct escape_case {
	const char *in;
	size_t len;
	size_t outlen;
	const char *expect;
	size_t ret;
};

static void
test_escape(void)
{
	static const struct escape_case cases[] = {
		{"plain text", 10, 64, "plain text", 10},
		{"a\\b", 3, 64, "a\\x5cb", 3},
		{"\r\n", 2, 64, "\\x0d\\x0a", 2},
		{"\0\x7f\xff", 3, 64, "\\x00\\x7f\\xff", 3},
		{"abc", 3, 3, "ab", 2},
		{"a\x01", 2, 5, "a", 1},
		{"a\x01", 2, 6, "a\\x01", 2},
		{"abc", 3, 1, "", 0},
	};
	char out[64], name[64];
	size_t i, ret;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ret = smtp_reply_escape(out, cases[i].outlen, cases[i].in,
		    cases[i].len);
		snprintf(name, sizeof(name), "escape %zu: text", i);
		unit_eq_str(name, cases[i].expect, out);
		snprintf(name, sizeof(name), "escape %zu: octets taken", i);
		unit_eq_long(name, (long)cases[i].ret, (long)ret);
	}
}

int
main(void)
{
	test_reply_table();
	test_big_table();
	test_sticky_error();
	test_reply_sequence();
	test_line_callback();
	test_keywords();
	test_enhanced();
	test_escape();
	return unit_exit();
}
