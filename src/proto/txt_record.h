/*
 * txt_record.h - the grammar that the _mta-sts TXT record (RFC 8461 3.1)
 * and the _smtp._tls TXT record (RFC 8460 3) share, judged once for both:
 * which records of a TXT RRset count, the walk over the fields, and the
 * extension rule.
 *
 *   record      = tag 1*(field-delim field) [field-delim]
 *   field-delim = *WSP ";" *WSP                  ; WSP is SP / HTAB
 *   extension   = ext-name "=" ext-value
 *   ext-name    = (ALPHA / DIGIT) *31(ALPHA / DIGIT / "_" / "-" / ".")
 *   ext-value   = 1*(%x21-3A / %x3C / %x3E-7E)
 *
 * with tag "v=STSv1" or "v=TLSRPTv1". What each field means (id=, rua=)
 * is the protocol module's: mtasts_txt.c, tlsrpt.c.
 *
 * Pure: (pointer, length) in, records may hold any octet; no I/O, no
 * allocation, no printing.
 *
 * Use:
 *	if (txt_record_counts(txt_record_start(p, len, "v=STSv1"), n, false))
 *		...a candidate...
 *	txt_record_walk_init(&w, p, len, strlen("v=STSv1"));
 *	while (txt_record_next(&w, &f))
 *		...f.len == 0: empty field; else f.p, f.name_len, f.value...
 */
#ifndef SMTPTLS_TXT_RECORD_H
#define SMTPTLS_TXT_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include "st_limits.h"

/* How a record begins, measured against the version tag. */
enum txt_record_start {
	TXT_START_OTHER = 0, /* unrelated (or empty) */
	TXT_START_EXACT,     /* "<tag>;": what every sender keeps */
	TXT_START_WS,        /* "<tag>" 1*WSP ";": grammatical, but not
	                        "<tag>;" */
	TXT_START_BARE,      /* "<tag>" *WSP and nothing else: no field */
	TXT_START_LOOKALIKE, /* after optional WSP, the tag in another case
	                        or version, or followed by other octets */
	TXT_START__COUNT
};

/* Classify the record (p, len) against tag (NUL-terminated, non-empty). */
enum txt_record_start txt_record_start(const char *p, size_t len,
    const char *tag);

/*
 * Whether a record that begins as s counts as a candidate among nrecords
 * TXT records at the name. RFC 8461 3.1 and RFC 8460 3: "If multiple TXT
 * records ... are returned by the resolver, records that do not begin with
 * "<tag>;" are discarded" - so with several records only TXT_START_EXACT
 * counts. A lone record is not discarded but judged by the grammar: then
 * TXT_START_WS counts too, and TXT_START_BARE when bare_counts.
 */
bool txt_record_counts(enum txt_record_start s, size_t nrecords,
    bool bare_counts);

/* One field of a record, as txt_record_next() finds it. */
struct txt_record_field {
	const char *p;     /* the field without the WSP around it */
	size_t len;        /* 0: an empty field (";;", "; ;") */
	size_t raw_len;    /* p up to the next ";" or the record's end:
	                      the field and the WSP after it (evidence) */
	size_t name_len;   /* octets before the first "=" (len if none) */
	const char *value; /* after the first "=", NULL without "=" */
	size_t value_len;
	/* WSP after the last field with no ";" to end it: the grammar has
	 * no place for it (only a field-delim may follow a field). */
	bool trailing_ws;
};

/* A walk over the fields of one candidate record. */
struct txt_record_walk {
	const char *p;
	size_t len;
	size_t pos;          /* at a ";" or at len between steps */
	size_t nfields;      /* fields returned so far, empty ones too */
	bool ws_before_semi; /* "<tag>" 1*WSP ";" */
};

/*
 * Start a walk over (p, len), whose first tag_len octets are the tag; the
 * record must be a candidate shape (TXT_START_EXACT, _WS or _BARE). Any
 * other shape walks as a record without fields.
 */
void txt_record_walk_init(struct txt_record_walk *w, const char *p, size_t len,
    size_t tag_len);

/* Fill *f with the next field; false at the end of the record. */
bool txt_record_next(struct txt_record_walk *w, struct txt_record_field *f);

/* ext-name and ext-value of the extension rule above. */
bool txt_record_ext_name_ok(const char *p, size_t len);
bool txt_record_ext_value_ok(const char *p, size_t len);

/* Length of record i: len[i], or strlen(text[i]) when len is NULL;
 * 0 for a NULL text[i]. */
size_t txt_record_len(const char *const *text, const size_t *len, size_t i);

#endif
