/*
 * batch_line.c - one line of a --domains list (batch.h): comment and blanks
 * off, then a domain, an address or an invalid entry, with the key that
 * identifies it. No I/O: the reader in cmd/ hands each line over.
 */
#include "smtptls/batch.h"

#include <stdio.h>
#include <string.h>

#include "ascii.h"
#include "domain_name.h"
#include "smtp_reply.h"

#include "banned.h"

/* How much of an over-long line its key and report quote. */
#define BATCH_LONG_QUOTE 64

static const char *const kind_names[] = {
	[BATCH_LINE_SKIP] = "skip",
	[BATCH_LINE_DOMAIN] = "domain",
	[BATCH_LINE_ADDRESS] = "address",
	[BATCH_LINE_INVALID] = "invalid",
};
_Static_assert(sizeof(kind_names) / sizeof(kind_names[0]) == BATCH_LINE__COUNT,
    "a name for every line kind");

const char *
batch_line_kind_name(enum batch_line_kind k)
{
	return k < BATCH_LINE__COUNT ? kind_names[k] : "?";
}

/* trim - the entry of a line: up to '#', without blanks, CR and LF around
 * it (a list written on Windows ends its lines in CR LF) */
static void
trim(const char **p, size_t *len)
{
	const char *s = *p, *hash = memchr(s, '#', *len);
	size_t n = hash != NULL ? (size_t)(hash - s) : *len;

	while (n > 0 &&
	       (ascii_is_wsp((unsigned char)*s) || *s == '\r' || *s == '\n')) {
		s++;
		n--;
	}
	while (n > 0 && (ascii_is_wsp((unsigned char)s[n - 1]) ||
	                    s[n - 1] == '\r' || s[n - 1] == '\n'))
		n--;
	*p = s;
	*len = n;
}

/* invalid - out becomes an INVALID entry: its key is the entry escaped
 * (cut, with its length, when the line was too long) */
static void
invalid(struct batch_line *out, const char *p, size_t len, size_t full_len,
    const char *why)
{
	out->kind = BATCH_LINE_INVALID;
	out->domain[0] = '\0';
	snprintf(out->why, sizeof(out->why), "%s", why);
	if (full_len > len || len > BATCH_LINE_MAX) {
		size_t n = smtp_reply_escape(out->key, sizeof(out->key) - 48, p,
		    len < BATCH_LONG_QUOTE ? len : BATCH_LONG_QUOTE);
		size_t k = strlen(out->key);

		(void)n; /* the cut is marked by the length below */
		snprintf(out->key + k, sizeof(out->key) - k, "... (%zu octets)",
		    full_len);
		return;
	}
	(void)smtp_reply_escape(out->key, sizeof(out->key), p, len);
}

/* classify_name - a domain, or the domain part of an address */
static enum st_err
classify_name(struct batch_line *out)
{
	const char *at = memchr(out->entry, '@', out->entry_len);
	const char *d = at != NULL ? at + 1 : out->entry;
	size_t dlen = out->entry_len - (size_t)(d - out->entry);
	char why[300];
	enum st_err err;

	if (at == out->entry) {
		invalid(out, out->entry, out->entry_len, out->entry_len,
		    "an address without a local part");
		return ST_OK;
	}
	err = domain_name_normalize(d, dlen, out->domain, why, sizeof(why));
	if (err == ST_ERR_NOMEM)
		return err;
	if (err != ST_OK) {
		/* the reason without the quote of the name: the caller
		 * quotes the whole entry, escaped */
		const char *r = strstr(why, "': ");

		invalid(out, out->entry, out->entry_len, out->entry_len,
		    r != NULL ? r + 3 : why);
		return ST_OK;
	}
	out->kind = at != NULL ? BATCH_LINE_ADDRESS : BATCH_LINE_DOMAIN;
	snprintf(out->key, sizeof(out->key), "%s",
	    at != NULL ? out->entry : out->domain);
	return ST_OK;
}

enum st_err
batch_line_classify(const char *p, size_t len, size_t full_len,
    struct batch_line *out)
{
	out->kind = BATCH_LINE_SKIP;
	out->entry[0] = out->domain[0] = out->key[0] = out->why[0] = '\0';
	out->entry_len = 0;
	if (full_len > len) {
		/* Too long to be a name, unless a comment or blanks: the
		 * first octets say which line. */
		trim(&p, &len);
		if (len == 0)
			return ST_OK;
		invalid(out, p, len, full_len,
		    "a line longer than 1024 octets");
		return ST_OK;
	}
	trim(&p, &len);
	if (len == 0)
		return ST_OK;
	if (len > BATCH_LINE_MAX) {
		invalid(out, p, len, len, "a line longer than 1024 octets");
		return ST_OK;
	}
	memcpy(out->entry, p, len);
	out->entry[len] = '\0';
	out->entry_len = len;
	if (memchr(p, '\0', len) != NULL) {
		invalid(out, p, len, len, "a NUL octet");
		return ST_OK;
	}
	return classify_name(out);
}
