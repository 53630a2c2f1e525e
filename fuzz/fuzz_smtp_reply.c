/*
 * fuzz_smtp_reply.c - libFuzzer target for the SMTP reply parser.
 *
 * The first input octet picks a chunk size (1..255; 0 = the whole rest);
 * the rest is fed in chunks of that size, reply after reply, until the
 * input ends or the parser fails. Each complete reply goes through the
 * keyword and enhanced-code helpers and is released; broken invariants
 * trap so that the fuzzer reports them.
 */
#include "smtp_reply.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "st_limits.h"
#include "banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* escape_line - line callback: escape the line as a transcript would */
static void
escape_line(void *arg, const char *line, size_t len)
{
	char out[256];
	size_t done = 0, k;

	(void)arg; /* no state needed */
	while (done < len) {
		k = smtp_reply_escape(out, sizeof(out), line + done,
		    len - done);
		if (k == 0 || strlen(out) >= sizeof(out))
			__builtin_trap();
		done += k;
	}
}

/* check_reply - invariants of a complete reply */
static void
check_reply(const struct smtp_reply *r)
{
	char enh[16];
	size_t i;

	if (r->code < 100 || r->code > 599 || r->nlines == 0 ||
	    r->nlines > SMTP_REPLY_LINES_MAX)
		__builtin_trap();
	for (i = 0; i < r->nlines; i++)
		if (strlen(r->lines[i]) > SMTP_REPLY_LINE_MAX ||
		    strlen(r->lines[i]) > r->longest)
			__builtin_trap();
	/* A cut line was longer than what is stored of it. */
	if ((r->flags & SMTP_REPLY_CUT_LINE) &&
	    r->longest <= SMTP_REPLY_LINE_MAX)
		__builtin_trap();
	(void)smtp_reply_has_keyword(r, "STARTTLS"); /* exercised only */
	(void)smtp_reply_keyword(r, "SIZE");         /* exercised only */
	smtp_reply_enhanced(r, enh, sizeof(enh));
	if (strlen(enh) >= sizeof(enh))
		__builtin_trap();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct smtp_reply_parser p;
	struct smtp_reply r;
	const char *in = (const char *)data;
	size_t chunk, off = 1, n, used;
	bool done;

	if (size == 0)
		return 0;
	chunk = data[0] != 0 ? data[0] : size;
	smtp_reply_parser_init(&p);
	p.line_cb = escape_line;
	while (off < size) {
		n = size - off < chunk ? size - off : chunk;
		if (smtp_reply_feed(&p, in + off, n, &used, &r, &done) != ST_OK)
			break;
		if (used > n)
			__builtin_trap();
		if (done) {
			check_reply(&r);
			smtp_reply_release(&r);
		} else if (used != n) {
			__builtin_trap(); /* unfinished yet not all taken */
		}
		off += used;
	}
	smtp_reply_parser_release(&p);
	return 0;
}
