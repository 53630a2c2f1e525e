/*
 * report_html_escape.c - the one function that turns text into HTML text
 * (report_html.h). Everything on a report page that did not come from a
 * literal in report_html*.c passes through it: SMTP replies, certificate
 * names, DNS data, the target as typed, check details.
 */
#include "report_html.h"

#include <stdbool.h>

#include "buf.h"
#include "text.h"

#include "banned.h"

/* entity - the character reference for an octet that is markup in text
 * or in a quoted attribute value, or NULL. The single quote is escaped
 * too, so that the text is safe whichever quote an attribute uses. */
static const char *
entity(unsigned char c)
{
	switch (c) {
	case '&':
		return "&amp;";
	case '<':
		return "&lt;";
	case '>':
		return "&gt;";
	case '"':
		return "&quot;";
	case '\'':
		return "&#39;";
	default:
		return NULL;
	}
}

/* replaced - an octet shown as U+FFFD: C0 controls other than TAB and LF
 * (a NUL or an ESC has no business on a page), and DEL */
static bool
replaced(unsigned char c)
{
	return (c < 0x20 && c != '\t' && c != '\n') || c == 0x7f;
}

enum st_err
report_html_escape(struct buf *out, const char *s, size_t len)
{
	static const char repl[] = "\xef\xbf\xbd"; /* U+FFFD */
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, run = 0; /* run: octets at i kept as they are */
	enum st_err err = ST_OK;

	while (err == ST_OK && i + run < len) {
		size_t at = i + run, l = text_utf8_len(p + at, len - at);
		const char *ent = l == 1 ? entity(p[at]) : NULL;

		if (l > 1 || (l == 1 && ent == NULL && !replaced(p[at]))) {
			run += l;
			continue;
		}
		/* Flush the kept run, then the replacement of one octet (an
		 * invalid sequence is replaced octet by octet, as text.c). */
		if (run > 0)
			err = buf_add(out, s + i, run);
		if (err == ST_OK)
			err = buf_addstr(out, ent != NULL ? ent : repl);
		i = at + 1;
		run = 0;
	}
	if (err == ST_OK && run > 0)
		err = buf_add(out, s + i, run);
	return err;
}
