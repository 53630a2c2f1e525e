/*
 * tlsrpt.h - parse the _smtp._tls TXT record of SMTP TLS Reporting
 * (RFC 8460 3).
 *
 * Pure parser: takes the TXT records found at _smtp._tls.<domain> (each
 * record's strings already concatenated) and fills a struct tlsrpt with
 * what the tlsrpt.record and tlsrpt.rua checks (checks.md 8) and report.md
 * 5.7 need. No I/O, no DNS (the null-MX test of a mailto domain is the
 * check layer's: it reads tlsrpt_uri.domain), no printing; nothing is
 * escaped here (the report layer escapes), but every stored field is
 * bounded.
 *
 * Grammar applied (RFC 8460 3, case-sensitive):
 *
 *   tlsrpt-record    = tlsrpt-version 1*(field-delim tlsrpt-field)
 *                      [field-delim]
 *   field-delim      = *WSP ";" *WSP
 *   tlsrpt-version   = "v=TLSRPTv1"
 *   tlsrpt-rua       = "rua=" tlsrpt-uri *(*WSP "," *WSP tlsrpt-uri)
 *   tlsrpt-uri       = URI (RFC 3986); ",", "!" and ";" MUST be encoded
 *   tlsrpt-extension = (ALPHA / DIGIT) *31(ALPHA / DIGIT / "_" / "-" / ".")
 *                      "=" 1*(%x21-3A / %x3C / %x3E-7E)
 *
 * Unlike DMARC, RFC 8460 has no "!size" suffix: an unencoded "!" makes the
 * URI invalid. rua may appear more than once (the ABNF allows it); the
 * URIs of every rua field are collected and a note is added.
 *
 * The record frame, the field walk and the extension rule are
 * txt_record.h's, shared with MTA-STS. The input is the records' octets
 * (a tab is a tab), not their escaped presentation.
 *
 * Candidates (RFC 8460 3): among several TXT records, those beginning
 * "v=TLSRPTv1;" (the others are discarded, as senders do); a lone record
 * when it begins "v=TLSRPTv1" followed by optional whitespace and then
 * ";" or the end of the record.
 *
 * Record validity (tlsrpt.record) and URI validity (tlsrpt.rua) are kept
 * apart: a record whose only URI is "http://..." is a valid record with no
 * valid URI.
 *
 * Use:
 *	struct tlsrpt r;
 *	tlsrpt_init(&r);
 *	if (tlsrpt_parse(&r, texts, lens, n) != ST_OK) ...tool error...
 *	...r.status, r.uris[i].scheme, r.uris[i].valid, r.nvalid...
 *	tlsrpt_release(&r);
 */
#ifndef SMTPTLS_TLSRPT_H
#define SMTPTLS_TLSRPT_H

#include <stdbool.h>
#include <stddef.h>

#include "smtptls/err.h"
#include "st_limits.h"

/* How the record set looks to a sender; maps onto tlsrpt.record. */
enum tlsrpt_status {
	TLSRPT_NONE = 0, /* no candidate: info (TLS-RPT not deployed) */
	TLSRPT_VALID,    /* one candidate, valid: pass */
	TLSRPT_INVALID,  /* one candidate, invalid: fail */
	TLSRPT_MULTIPLE, /* more than one candidate: fail */
	TLSRPT__COUNT
};

enum tlsrpt_scheme {
	TLSRPT_SCHEME_NONE = 0, /* no "scheme:" at all */
	TLSRPT_SCHEME_MAILTO,
	TLSRPT_SCHEME_HTTPS,
	TLSRPT_SCHEME_OTHER, /* e.g. http: (see tlsrpt_uri.scheme) */
	TLSRPT_SCHEME__COUNT
};

/* Why a URI is invalid; names from tlsrpt_uri_err_name(). */
enum tlsrpt_uri_err {
	TLSRPT_URI_OK = 0,
	TLSRPT_URI_NO_SCHEME,    /* no RFC 3986 "scheme:" prefix */
	TLSRPT_URI_BAD_SCHEME,   /* neither mailto nor https */
	TLSRPT_URI_BAD_CHAR,     /* octet not allowed unencoded (space,
	                            "!", control, non-ASCII, ...) */
	TLSRPT_URI_BAD_PCT,      /* "%" not followed by two hex digits */
	TLSRPT_URI_BAD_ADDRESS,  /* mailto: no "@" or bad local part */
	TLSRPT_URI_BAD_DOMAIN,   /* mailto: domain not a host name with
	                            a dot */
	TLSRPT_URI_NO_AUTHORITY, /* https: not "https://host..." */
	TLSRPT_URI_BAD_HOST,     /* https: host not a name or IP literal */
	TLSRPT_URI_BAD_PORT,     /* https: port not 0-65535 */
	TLSRPT_URI__COUNT
};

/* One URI of rua (report.md 5.7 {uri, scheme, valid}). */
struct tlsrpt_uri {
	/* The URI as written: raw peer bytes, any octet but "," and ";"
	 * (NUL included: escape before output), cut at TLSRPT_URI_MAX,
	 * NUL-terminated; uri_len counts the bytes kept. */
	char uri[TLSRPT_URI_MAX + 1];
	size_t uri_len;
	bool uri_cut; /* longer than TLSRPT_URI_MAX */
	enum tlsrpt_scheme kind;
	/* Scheme lower-cased ("mailto", "https", "http", ...), cut at
	 * TLSRPT_SCHEME_MAX; "" with TLSRPT_SCHEME_NONE. */
	char scheme[TLSRPT_SCHEME_MAX + 1];
	bool valid;              /* mailto with a valid address or https
	                            with a valid authority */
	enum tlsrpt_uri_err err; /* TLSRPT_URI_OK when valid */
	/* When valid: the mailto address's domain or the https host, as
	 * written, NUL-terminated ("" otherwise). For an https IP literal,
	 * the literal with its brackets. */
	char host[TLSRPT_HOST_MAX + 3];
};

/* Record-level problems; names from tlsrpt_prob_name(). */
enum tlsrpt_prob {
	TLSRPT_P_MULTIPLE = 0,   /* more than one v=TLSRPTv1 record */
	TLSRPT_P_NO_FIELDS,      /* nothing after v=TLSRPTv1 */
	TLSRPT_P_RUA_MISSING,    /* no rua= field */
	TLSRPT_P_EMPTY_URI,      /* "rua=" or ",," : an empty list item */
	TLSRPT_P_EMPTY_FIELD,    /* ";;" */
	TLSRPT_P_BAD_NAME,       /* field name not per the grammar */
	TLSRPT_P_NO_EQUALS,      /* field without "=" */
	TLSRPT_P_BAD_VALUE,      /* extension value empty or with octets
	                            outside %x21-3A / %x3C / %x3E-7E */
	TLSRPT_P_RUA_DUPLICATE,  /* second rua= (not fatal) */
	TLSRPT_P_WS_BEFORE_SEMI, /* "v=TLSRPTv1 ;" (not fatal: RFC 8460 3
	                            says senders discard records not
	                            beginning "v=TLSRPTv1;") */
	TLSRPT_P_TRAILING_WS,    /* whitespace after the last field without
	                            ";" (not in the grammar) */
	TLSRPT_P_LOOKALIKE,      /* discarded record resembling one, such as
	                            "v=TLSRPTv1 ;" among several (not
	                            fatal) */
	TLSRPT_P_TOO_MANY_URIS,  /* over TLSRPT_URIS_MAX (not fatal) */
	TLSRPT_P__COUNT
};

struct tlsrpt_problem {
	enum tlsrpt_prob code;
	bool fatal;    /* makes the candidate invalid */
	size_t record; /* index into the input list */
	/* Raw peer bytes (any octet; escape before output), NUL-terminated,
	 * evidence_len counts. */
	char evidence[TLSRPT_EVIDENCE_MAX + 1];
	size_t evidence_len;
};

/*
 * The parse result (about 15 KiB; all arrays inside, nothing allocated,
 * but release it anyway).
 */
struct tlsrpt {
	enum tlsrpt_status status;
	size_t candidates; /* report.md "candidates" */
	size_t record;     /* index of the one candidate into the input
	                      list; valid only when candidates == 1 */
	size_t discarded;  /* records resembling one that senders discard
	                      (each also a TLSRPT_P_LOOKALIKE) */
	bool ws_before_semicolon;
	struct tlsrpt_uri uris[TLSRPT_URIS_MAX]; /* in record order */
	size_t nuris;
	size_t uris_dropped; /* URIs beyond TLSRPT_URIS_MAX, not judged */
	size_t nvalid;       /* kept URIs with valid set */
	struct tlsrpt_problem problems[TLSRPT_PROBLEMS_MAX];
	size_t nproblems;
	size_t problems_dropped;
	bool fatal; /* some fatal problem, kept or dropped */
};

/* Prepare *r (all zero, status TLSRPT_NONE). */
void tlsrpt_init(struct tlsrpt *r);
/* Free what *r holds and leave it initialised; accepts NULL. */
void tlsrpt_release(struct tlsrpt *r);

/*
 * Parse the n TXT records text[0..n-1]. With len != NULL, record i is
 * (text[i], len[i]) and may hold any octet; with len == NULL each text[i]
 * is a NUL-terminated string (as in struct dns_answer). text may be NULL
 * when n == 0. *r must be initialised; it is reset first. URIs are parsed
 * only when there is exactly one candidate.
 *
 * Returns ST_OK whenever the input was judged (r->status tells the
 * verdict), ST_ERR_INVAL for NULL arguments.
 */
enum st_err tlsrpt_parse(struct tlsrpt *r, const char *const *text,
    const size_t *len, size_t n) __attribute__((warn_unused_result));

/*
 * Judge one URI (p, len) as tlsrpt.rua does and fill *u (overwritten).
 * Exposed for tests and for callers holding a URI from elsewhere.
 */
void tlsrpt_uri_parse(struct tlsrpt_uri *u, const char *p, size_t len);

/* Short constant names; never NULL ("invalid" for out-of-range values). */
const char *tlsrpt_status_name(enum tlsrpt_status s);
const char *tlsrpt_scheme_name(enum tlsrpt_scheme s); /* "", "mailto",
                                                         "https", "other" */
const char *tlsrpt_uri_err_name(enum tlsrpt_uri_err e);
const char *tlsrpt_prob_name(enum tlsrpt_prob p);

#endif
