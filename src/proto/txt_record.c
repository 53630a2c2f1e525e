/*
 * txt_record.c - the record grammar shared by the _mta-sts and _smtp._tls
 * TXT records (RFC 8461 3.1, RFC 8460 3): candidate selection, the field
 * walk and the extension rule.
 *
 * Owns nothing; reads the caller's octets within the given lengths and
 * points into them. Never allocates, never prints.
 */
#include "txt_record.h"

#include <string.h>

#include "ascii.h"
#include "banned.h"

/*
 * resembles - after optional WSP, the tag without its version digit in
 * any case ("v=stsv", "v=TLSRPTV"): an attempt at a record that senders
 * will not take for one
 */
static bool
resembles(const char *p, size_t len, const char *tag, size_t tlen)
{
	size_t i, j;

	for (i = 0; i < len && ascii_is_wsp((unsigned char)p[i]); i++)
		;
	if (len - i < tlen - 1)
		return false;
	for (j = 0; j + 1 < tlen; j++)
		if (ascii_to_lower((unsigned char)p[i + j]) !=
		    ascii_to_lower((unsigned char)tag[j]))
			return false;
	return true;
}

enum txt_record_start
txt_record_start(const char *p, size_t len, const char *tag)
{
	size_t tlen = strlen(tag), i;

	if (p == NULL || tlen == 0)
		return TXT_START_OTHER;
	if (len >= tlen && memcmp(p, tag, tlen) == 0) {
		for (i = tlen; i < len && ascii_is_wsp((unsigned char)p[i]);
		     i++)
			;
		if (i == len)
			return TXT_START_BARE;
		if (p[i] == ';')
			return i == tlen ? TXT_START_EXACT : TXT_START_WS;
		/* "v=STSv10;", "v=STSv1 id=...": not the tag and a delimiter */
		return TXT_START_LOOKALIKE;
	}
	return resembles(p, len, tag, tlen) ? TXT_START_LOOKALIKE
	                                    : TXT_START_OTHER;
}

bool
txt_record_counts(enum txt_record_start s, size_t nrecords, bool bare_counts)
{
	if (s == TXT_START_EXACT)
		return true;
	/* Several records: the discard rule keeps only "<tag>;". */
	if (nrecords != 1)
		return false;
	return s == TXT_START_WS || (bare_counts && s == TXT_START_BARE);
}

void
txt_record_walk_init(struct txt_record_walk *w, const char *p, size_t len,
    size_t tag_len)
{
	size_t i;

	memset(w, 0, sizeof(*w));
	if (p == NULL || tag_len > len)
		return;
	w->p = p;
	w->len = len;
	for (i = tag_len; i < len && ascii_is_wsp((unsigned char)p[i]); i++)
		;
	if (i < len && p[i] != ';') {
		/* not a candidate shape: nothing to walk */
		w->pos = len;
		return;
	}
	w->ws_before_semi = i < len && i > tag_len;
	w->pos = i;
}

bool
txt_record_next(struct txt_record_walk *w, struct txt_record_field *f)
{
	const char *p = w->p, *semi, *eq;
	size_t i = w->pos, end, fend;

	memset(f, 0, sizeof(*f));
	if (i >= w->len)
		return false;
	/* p[i] is the ";" of a field-delim: skip it and its WSP */
	for (i++; i < w->len && ascii_is_wsp((unsigned char)p[i]); i++)
		;
	if (i == w->len) {
		/* the optional field-delim that ends the record */
		w->pos = i;
		return false;
	}
	semi = memchr(p + i, ';', w->len - i);
	end = semi != NULL ? (size_t)(semi - p) : w->len;
	for (fend = end; fend > i && ascii_is_wsp((unsigned char)p[fend - 1]);
	     fend--)
		;
	f->p = p + i;
	f->len = fend - i;
	f->raw_len = end - i;
	eq = memchr(f->p, '=', f->len);
	f->name_len = eq != NULL ? (size_t)(eq - f->p) : f->len;
	if (eq != NULL) {
		f->value = eq + 1;
		f->value_len = f->len - f->name_len - 1;
	}
	f->trailing_ws = end == w->len && fend < end;
	w->pos = end;
	w->nfields++;
	return true;
}

bool
txt_record_ext_name_ok(const char *p, size_t len)
{
	size_t i;

	if (len == 0 || len > TXT_RECORD_NAME_MAX ||
	    !ascii_is_alnum((unsigned char)p[0]))
		return false;
	for (i = 1; i < len; i++) {
		unsigned char c = (unsigned char)p[i];

		if (!ascii_is_alnum(c) && c != '_' && c != '-' && c != '.')
			return false;
	}
	return true;
}

bool
txt_record_ext_value_ok(const char *p, size_t len)
{
	size_t i;

	if (len == 0)
		return false;
	/* printable ASCII except "=" (0x3d) and ";" (0x3b) */
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c < 0x21 || c > 0x7e || c == 0x3b || c == 0x3d)
			return false;
	}
	return true;
}

size_t
txt_record_len(const char *const *text, const size_t *len, size_t i)
{
	if (text[i] == NULL)
		return 0;
	return len != NULL ? len[i] : strlen(text[i]);
}
