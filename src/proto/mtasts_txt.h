/*
 * mtasts_txt.h - parse the _mta-sts TXT record (RFC 8461 3.1).
 *
 * Pure parser: takes the TXT records found at _mta-sts.<domain> (each
 * record's strings already concatenated) and fills a struct mtasts_txt with
 * everything the mtasts.txt check (checks.md 7) and the "txt" object of
 * report.md 5.6 need. No I/O, no DNS, no printing; nothing is escaped here
 * (the report layer escapes), but every stored field is bounded.
 *
 * Grammar applied (RFC 8461 3.1, case-sensitive; the record frame, the
 * field walk and the extension rule are txt_record.h's, shared with
 * TLS-RPT):
 *
 *   sts-text-record = sts-version 1*(sts-field-delim sts-field)
 *                     [sts-field-delim]
 *   sts-field-delim = *WSP ";" *WSP
 *   sts-version     = "v=STSv1"
 *   sts-id          = "id=" 1*32(ALPHA / DIGIT)            ; required
 *   sts-extension   = (ALPHA / DIGIT) *31(ALPHA / DIGIT / "_" / "-" / ".")
 *                     "=" 1*(%x21-3A / %x3C / %x3E-7E)
 *
 * The input is the records' octets (a tab is a tab), not their escaped
 * presentation. Candidates (RFC 8461 3.1): among several TXT records,
 * those beginning "v=STSv1;" (the others are discarded, as senders do);
 * a lone record when it begins "v=STSv1" *WSP ";" (checks.md 7).
 *
 * Use:
 *	struct mtasts_txt t;
 *	mtasts_txt_init(&t);
 *	if (mtasts_txt_parse(&t, texts, lens, n) != ST_OK) ...tool error...
 *	...t.status, t.id, t.fields, t.problems...
 *	mtasts_txt_release(&t);
 */
#ifndef SMTPTLS_MTASTS_TXT_H
#define SMTPTLS_MTASTS_TXT_H

#include <stdbool.h>
#include <stddef.h>

#include "smtptls/err.h"
#include "st_limits.h"

/* How the record set looks to a sender; maps onto mtasts.txt verdicts. */
enum mtasts_txt_status {
	MTASTS_TXT_NONE = 0, /* no candidate: info (no MTA-STS) */
	MTASTS_TXT_VALID,    /* one candidate, valid: pass (warn if
	                        ws_before_semicolon) */
	MTASTS_TXT_INVALID,  /* one candidate, invalid: fail */
	MTASTS_TXT_MULTIPLE, /* more than one candidate: fail */
	MTASTS_TXT__COUNT
};

/* What went wrong; names from mtasts_txt_prob_name(). */
enum mtasts_txt_prob {
	MTASTS_TXT_P_MULTIPLE = 0,    /* more than one v=STSv1 record */
	MTASTS_TXT_P_NO_FIELDS,       /* nothing after "v=STSv1;" */
	MTASTS_TXT_P_ID_MISSING,      /* no id= field */
	MTASTS_TXT_P_ID_EMPTY,        /* "id=" with no value */
	MTASTS_TXT_P_ID_TOO_LONG,     /* id longer than 32 */
	MTASTS_TXT_P_ID_BAD_CHAR,     /* id not letters and digits only */
	MTASTS_TXT_P_ID_DUPLICATE,    /* second id= (first used; not fatal) */
	MTASTS_TXT_P_EMPTY_FIELD,     /* ";;" or a field of only spaces */
	MTASTS_TXT_P_BAD_NAME,        /* field name not per sts-ext-name */
	MTASTS_TXT_P_NO_EQUALS,       /* field without "=" */
	MTASTS_TXT_P_BAD_VALUE,       /* empty value or octet outside
	                                 %x21-3A / %x3C / %x3E-7E */
	MTASTS_TXT_P_WS_BEFORE_SEMI,  /* "v=STSv1 ;" (not fatal: warn) */
	MTASTS_TXT_P_TRAILING_WS,     /* whitespace after the last field
	                                 without ";" (not in the grammar) */
	MTASTS_TXT_P_LOOKALIKE,       /* a discarded record that looks like
	                                 an attempt (bad case, no ";", or
	                                 "v=STSv1 ;" among several records);
	                                 not fatal */
	MTASTS_TXT_P_TOO_MANY_FIELDS, /* over MTASTS_TXT_FIELDS_MAX extension
	                                 fields; rest dropped (not fatal) */
	MTASTS_TXT_P__COUNT
};

struct mtasts_txt_problem {
	enum mtasts_txt_prob code;
	bool fatal;    /* makes the candidate invalid (fail) */
	size_t record; /* index into the input list */
	/* Raw peer bytes (may hold any octet, NUL included; escape before
	 * output), NUL-terminated for convenience, evidence_len counts. */
	char evidence[MTASTS_TXT_EVIDENCE_MAX + 1];
	size_t evidence_len;
};

struct mtasts_txt_field {
	char name[MTASTS_TXT_NAME_MAX + 1];   /* validated, NUL-terminated */
	char value[MTASTS_TXT_VALUE_MAX + 1]; /* validated printable ASCII */
	bool value_cut; /* value was longer than MTASTS_TXT_VALUE_MAX */
};

/*
 * The parse result. All arrays are inside the struct: nothing to free,
 * but release it anyway (future fields may allocate).
 */
struct mtasts_txt {
	enum mtasts_txt_status status;
	size_t candidates; /* report.md "candidates" */
	size_t record;     /* index of the one candidate into the input
	                      list (report.md "record"); valid only when
	                      candidates == 1 */
	size_t discarded;  /* records resembling one that senders discard
	                      (each also a MTASTS_TXT_P_LOOKALIKE) */
	bool has_id;
	char id[MTASTS_TXT_ID_MAX + 1]; /* first valid id=, "" if none */
	/* The lone candidate is "v=STSv1" then whitespace then ";": valid,
	 * but RFC 8461 3.1 has senders discard records not beginning
	 * "v=STSv1;" when there are several, and some do it always (warn). */
	bool ws_before_semicolon;
	struct mtasts_txt_field fields[MTASTS_TXT_FIELDS_MAX]; /* extensions */
	size_t nfields;
	size_t fields_dropped;
	struct mtasts_txt_problem problems[MTASTS_TXT_PROBLEMS_MAX];
	size_t nproblems;
	size_t problems_dropped; /* problems beyond the cap, not kept */
	bool fatal;              /* some fatal problem, kept or dropped */
};

/* Prepare *t (all zero, status MTASTS_TXT_NONE). */
void mtasts_txt_init(struct mtasts_txt *t);
/* Free what *t holds and leave it initialised; accepts NULL. */
void mtasts_txt_release(struct mtasts_txt *t);

/*
 * Parse the n TXT records text[0..n-1]. With len != NULL, record i is
 * (text[i], len[i]) and may hold any octet; with len == NULL each text[i]
 * is a NUL-terminated string (as in struct dns_answer). text may be NULL
 * when n == 0. *t must be initialised; it is reset first.
 *
 * Returns ST_OK whenever the input was judged (also for an invalid or
 * absent record: that is t->status), ST_ERR_INVAL for NULL arguments.
 */
enum st_err mtasts_txt_parse(struct mtasts_txt *t, const char *const *text,
    const size_t *len, size_t n) __attribute__((warn_unused_result));

/* Short constant names; never NULL ("invalid" for out-of-range values). */
const char *mtasts_txt_status_name(enum mtasts_txt_status s);
const char *mtasts_txt_prob_name(enum mtasts_txt_prob p);

#endif
