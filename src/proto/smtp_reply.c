/*
 * smtp_reply.c - incremental parser of SMTP replies (RFC 5321 4.2, 4.5.3).
 *
 * Owns the line being assembled and the reply being built, and moves each
 * complete reply to the caller. Fed any split of the byte stream, it gives
 * the same result. It never touches a socket and never prints: deviations
 * that servers get away with become flags on the reply; broken syntax and
 * our own caps become errors whose message quotes the first octets of the
 * offending line, escaped.
 */
#include "smtp_reply.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "st_limits.h"
#include "banned.h"

/* Their escaped form is cut shorter so that the whole message fits in
 * errmsg (the longest prefix is about 40 characters). */
#define EVIDENCE_TEXT 100

static const char hexdigits[] = "0123456789abcdef";

void
smtp_reply_parser_init(struct smtp_reply_parser *p)
{
	/* One octet more than the cap: room for the CR before the LF. */
	buf_init(&p->line, SMTP_REPLY_LINE_MAX + 1);
	p->line_skipped = 0;
	p->skipped_last = '\0';
	p->reply_octets = 0;
	p->cur.code = 0;
	p->cur.lines = NULL;
	p->cur.nlines = 0;
	p->cur.flags = 0;
	p->cur.longest = 0;
	p->line_flags = 0;
	p->err = ST_OK;
	p->errmsg[0] = '\0';
	p->line_cb = NULL;
	p->line_cb_arg = NULL;
}

void
smtp_reply_parser_release(struct smtp_reply_parser *p)
{
	if (p == NULL)
		return;
	buf_release(&p->line);
	smtp_reply_release(&p->cur);
}

void
smtp_reply_release(struct smtp_reply *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->nlines; i++)
		free(r->lines[i]);
	free(r->lines);
	r->lines = NULL;
	r->nlines = 0;
	r->code = 0;
	r->flags = 0;
	r->longest = 0;
}

size_t
smtp_reply_escape(char *out, size_t outlen, const char *s, size_t n)
{
	size_t i, o = 0;

	if (outlen == 0)
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x20 && c < 0x7f && c != '\\') {
			if (o + 1 >= outlen)
				break;
			out[o++] = (char)c;
		} else {
			if (o + 4 >= outlen)
				break;
			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = hexdigits[c >> 4];
			out[o++] = hexdigits[c & 0xf];
		}
	}
	out[o] = '\0';
	return i;
}

/* parser_fail - record a failure; the parser refuses further input */
static enum st_err __attribute__((format(printf, 3, 4)))
parser_fail(struct smtp_reply_parser *p, enum st_err err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	/* A cut message is still a useful message: truncation is fine. */
	(void)vsnprintf(p->errmsg, sizeof(p->errmsg), fmt, ap);
	va_end(ap);
	p->err = err;
	return err;
}

/* parser_fail_line - fail, quoting the start of the current line */
static enum st_err
parser_fail_line(struct smtp_reply_parser *p, enum st_err err, const char *what,
    size_t n)
{
	char ev[EVIDENCE_TEXT];
	const char *s = p->line.data != NULL ? p->line.data : "";
	size_t shown, want = n < EVIDENCE_MAX ? n : EVIDENCE_MAX;

	shown = smtp_reply_escape(ev, sizeof(ev), s, want);
	return parser_fail(p, err, "%s: '%s%s'", what, ev,
	    shown < n ? "..." : "");
}

/*
 * parser_take - n octets of a line, then its LF when lf is 1: the start is
 * stored, the rest of an over-long line counted and discarded (RFC 5321
 * 4.5.3.1 asks us to cope, so only the evidence is capped). What one reply
 * may make us read is capped as a whole, so a line that never ends still
 * ends.
 */
static enum st_err
parser_take(struct smtp_reply_parser *p, const char *s, size_t n, size_t lf)
{
	size_t room = p->line.max - p->line.len, keep = n < room ? n : room;
	char what[64];
	enum st_err err;

	/* Store first: the start of the line is the evidence quoted. */
	if (keep > 0 && (err = buf_add(&p->line, s, keep)) != ST_OK)
		return parser_fail(p, err, "out of memory");
	if (n + lf > SMTP_REPLY_OCTETS_MAX - p->reply_octets) {
		(void)snprintf(what, sizeof(what),
		    "reply longer than %d octets", SMTP_REPLY_OCTETS_MAX);
		return parser_fail_line(p, ST_ERR_LIMIT, what,
		    p->line.len + p->line_skipped + (n - keep));
	}
	p->reply_octets += n + lf;
	if (n > keep) {
		p->line_skipped += n - keep;
		p->skipped_last = s[n - 1];
	}
	return ST_OK;
}

/* line_flags - deviations of one line of full octets (line end removed)
 * whose first n octets are at s; octets past them are not looked at */
static unsigned
line_flags(const char *s, size_t n, size_t full, bool bare_lf)
{
	unsigned flags = bare_lf ? SMTP_REPLY_BARE_LF : 0;
	size_t i;

	/* RFC 5321 4.5.3.1.5 counts the code and the CRLF in the 512. */
	if (full + (bare_lf ? 1 : 2) > SMTP_REPLY_LINE_RFC)
		flags |= SMTP_REPLY_LONG_LINE;
	if (full > n)
		flags |= SMTP_REPLY_CUT_LINE;
	/* RFC 5321 4.2: textstring is HT and printable US-ASCII. */
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c < 0x20 && c != '\t') || c >= 0x7f) {
			flags |= SMTP_REPLY_BAD_OCTETS;
			break;
		}
	}
	return flags;
}

/* reply_add_line - append a copy of n octets of text to the reply */
static enum st_err
reply_add_line(struct smtp_reply *r, const char *s, size_t n)
{
	char **lines;
	char *copy;

	lines = realloc(r->lines, (r->nlines + 1) * sizeof(*lines));
	if (lines == NULL)
		return ST_ERR_NOMEM;
	r->lines = lines;
	if ((copy = malloc(n + 1)) == NULL)
		return ST_ERR_NOMEM;
	if (n > 0)
		memcpy(copy, s, n);
	copy[n] = '\0';
	r->lines[r->nlines++] = copy;
	return ST_OK;
}

/* is_digit - ASCII digit, independent of the locale */
static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* line_extent - the octets of the line as received (*full, line end
 * removed), how many of them are stored (*n, at most SMTP_REPLY_LINE_MAX)
 * and whether the line ended in a bare LF */
static void
line_extent(const struct smtp_reply_parser *p, size_t *n, size_t *full,
    bool *bare_lf)
{
	const char *s = p->line.data;
	size_t stored = p->line.len;

	if (p->line_skipped > 0) {
		*bare_lf = p->skipped_last != '\r';
		*full = stored + p->line_skipped - (*bare_lf ? 0 : 1);
	} else {
		*bare_lf = !(stored > 0 && s[stored - 1] == '\r');
		if (!*bare_lf)
			stored--;
		*full = stored;
	}
	/* The buffer keeps one octet more, for the CR before the LF. */
	*n = stored < SMTP_REPLY_LINE_MAX ? stored : SMTP_REPLY_LINE_MAX;
}

/* parser_end_line - check the assembled line and add it to the reply */
static enum st_err
parser_end_line(struct smtp_reply_parser *p, bool *last)
{
	const char *s = p->line.data != NULL ? p->line.data : "";
	size_t n, full, skip;
	bool bare_lf;
	int code;
	char what[64];

	line_extent(p, &n, &full, &bare_lf);
	if (p->line_cb != NULL)
		p->line_cb(p->line_cb_arg, s, n);
	if (full == 0)
		return parser_fail(p, ST_ERR_PROTO, "empty reply line");
	/* RFC 5321 4.2: Reply-code = %x32-35 %x30-35 %x30-39; we also take
	 * 1yz and any second digit, as the header promises 100..599. */
	if (n < 3 || s[0] < '1' || s[0] > '5' || !is_digit(s[1]) ||
	    !is_digit(s[2]))
		return parser_fail_line(p, ST_ERR_PROTO, "malformed reply code",
		    full);
	code = (s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0');
	p->line_flags = line_flags(s, n, full, bare_lf);
	if (full == 3) {
		*last = true;
		p->line_flags |= SMTP_REPLY_NO_SEP;
		skip = 3;
	} else if (s[3] == '-' || s[3] == ' ') {
		*last = s[3] == ' ';
		skip = 4;
	} else {
		return parser_fail_line(p, ST_ERR_PROTO, "malformed reply line",
		    full);
	}
	if (p->cur.nlines >= SMTP_REPLY_LINES_MAX) {
		(void)snprintf(what, sizeof(what),
		    "reply of more than %d lines", SMTP_REPLY_LINES_MAX);
		return parser_fail_line(p, ST_ERR_LIMIT, what, full);
	}
	if (p->cur.nlines == 0)
		p->cur.code = code;
	else if (code != p->cur.code)
		p->line_flags |= SMTP_REPLY_MIXED_CODES;
	if (reply_add_line(&p->cur, s + skip, n - skip) != ST_OK)
		return parser_fail(p, ST_ERR_NOMEM, "out of memory");
	p->cur.flags |= p->line_flags;
	if (full > p->cur.longest)
		p->cur.longest = full;
	buf_reset(&p->line);
	p->line_skipped = 0;
	return ST_OK;
}

enum st_err
smtp_reply_feed(struct smtp_reply_parser *p, const char *buf, size_t len,
    size_t *used, struct smtp_reply *out, bool *done)
{
	size_t off = 0, n;
	const char *lf;
	bool last = false;
	enum st_err err = p->err;

	*used = 0;
	*done = false;
	if (err != ST_OK)
		return err;
	while (off < len) {
		lf = memchr(buf + off, '\n', len - off);
		n = lf != NULL ? (size_t)(lf - (buf + off)) : len - off;
		if ((err = parser_take(p, buf + off, n, lf != NULL)) != ST_OK)
			break;
		off += n;
		if (lf == NULL)
			break;
		off++;
		if ((err = parser_end_line(p, &last)) != ST_OK)
			break;
		if (last) {
			*out = p->cur;
			p->cur.code = 0;
			p->cur.lines = NULL;
			p->cur.nlines = 0;
			p->cur.flags = 0;
			p->cur.longest = 0;
			p->reply_octets = 0;
			*done = true;
			break;
		}
	}
	*used = off;
	return err;
}

/* ascii_lower - fold A-Z only, so the locale cannot change a keyword */
static char
ascii_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

const char *
smtp_reply_keyword(const struct smtp_reply *r, const char *kw)
{
	size_t i, k, kwlen = strlen(kw);

	if (kwlen == 0)
		return NULL;
	for (i = 1; i < r->nlines; i++) {
		const char *s = r->lines[i];

		for (k = 0; k < kwlen; k++)
			if (s[k] == '\0' ||
			    ascii_lower(s[k]) != ascii_lower(kw[k]))
				break;
		if (k < kwlen)
			continue;
		if (s[k] == '\0')
			return s + k;
		if (s[k] == ' ')
			return s + k + 1;
	}
	return NULL;
}

bool
smtp_reply_has_keyword(const struct smtp_reply *r, const char *kw)
{
	return smtp_reply_keyword(r, kw) != NULL;
}

/* digits_span - count 1..3 digits at s, 0 when there are none or more */
static size_t
digits_span(const char *s)
{
	size_t n = 0;

	while (n < 4 && is_digit(s[n]))
		n++;
	return n <= 3 ? n : 0;
}

void
smtp_reply_enhanced(const struct smtp_reply *r, char *out, size_t outlen)
{
	const char *s;
	size_t n, k;

	if (outlen == 0)
		return;
	out[0] = '\0';
	if (r->nlines == 0)
		return;
	s = r->lines[0];
	/* RFC 3463 2: class "." subject "." detail; class is 2, 4 or 5,
	 * subject and detail 1*3digit. */
	if (s[0] != '2' && s[0] != '4' && s[0] != '5')
		return;
	if (s[1] != '.' || (k = digits_span(s + 2)) == 0)
		return;
	n = 2 + k;
	if (s[n] != '.' || (k = digits_span(s + n + 1)) == 0)
		return;
	n += 1 + k;
	if (s[n] != '\0' && s[n] != ' ')
		return;
	if (n + 1 > outlen)
		return;
	memcpy(out, s, n);
	out[n] = '\0';
}
