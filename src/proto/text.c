/*
 * text.c - escaping of peer text (see text.h).
 */
#include "text.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "banned.h"

size_t
text_utf8_len(const unsigned char *p, size_t n)
{
	size_t len, i;
	unsigned int cp;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		len = 2, cp = p[0] & 0x1f;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		len = 3, cp = p[0] & 0x0f;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		len = 4, cp = p[0] & 0x07;
	else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	/* Overlong forms, surrogates and code points past U+10FFFF. */
	if ((len == 3 && cp < 0x800) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

static void text_escape_flags(const char *in, size_t len, char *out,
    size_t outlen, bool keep_lf);

void
text_escape(const char *in, size_t len, char *out, size_t outlen)
{
	text_escape_flags(in, len, out, outlen, false);
}

void
text_escape_lines(const char *in, size_t len, char *out, size_t outlen)
{
	text_escape_flags(in, len, out, outlen, true);
}

static void
text_escape_flags(const char *in, size_t len, char *out, size_t outlen,
    bool keep_lf)
{
	static const char repl[] = "\xef\xbf\xbd"; /* U+FFFD */
	static const char ell[] = "\xe2\x80\xa6";  /* … */
	const unsigned char *p = (const unsigned char *)in;
	size_t i = 0, o = 0;

	if (outlen == 0)
		return;
	while (i < len) {
		size_t l = text_utf8_len(p + i, len - i);
		const char *src;
		size_t slen;

		if (l == 0 ||
		    (l == 1 && p[i] < 0x20 && p[i] != '\t' &&
		        !(keep_lf && (p[i] == '\n' || p[i] == '\r'))) ||
		    p[i] == 0x7f) {
			src = repl;
			slen = 3;
			l = l ? l : 1;
		} else {
			src = (const char *)p + i;
			slen = l;
		}
		/* Keep room for the ellipsis and the NUL. */
		if (o + slen + 4 > outlen) {
			if (o + 4 <= outlen) {
				memcpy(out + o, ell, 3);
				o += 3;
			}
			break;
		}
		memcpy(out + o, src, slen);
		o += slen;
		i += l;
	}
	out[o] = '\0';
}

void
text_reply_line(const struct smtp_reply *r, size_t i, char *out, size_t outlen)
{
	char prefix[8];
	size_t plen;

	if (i >= r->nlines) {
		snprintf(out, outlen, "%d", r->code);
		return;
	}
	snprintf(prefix, sizeof(prefix), "%03d%c", r->code,
	    i + 1 < r->nlines ? '-' : ' ');
	plen = strlen(prefix);
	if (outlen <= plen + 1) {
		out[0] = '\0';
		return;
	}
	memcpy(out, prefix, plen);
	text_escape(r->lines[i], strlen(r->lines[i]), out + plen,
	    outlen - plen);
}

void
text_reply_host(const struct smtp_reply *r, char *out, size_t outlen)
{
	const char *s;
	size_t n = 0;

	out[0] = '\0';
	if (r->nlines == 0)
		return;
	s = r->lines[0];
	while (s[n] != '\0' && s[n] != ' ' && s[n] != '\t')
		n++;
	text_escape(s, n, out, outlen);
}
