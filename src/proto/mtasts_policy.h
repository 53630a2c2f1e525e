/*
 * mtasts_policy.h - parse an MTA-STS policy body (RFC 8461 3.2) and match
 * MX host names against its patterns (RFC 8461 4.1).
 *
 * Pure parser: the caller has fetched the body (at most MTASTS_POLICY_MAX
 * octets); this module never does I/O, never prints, and escapes nothing
 * (the report layer escapes), but every stored field is bounded and the
 * memory used is bounded whatever the body holds (a body of 10,000 mx
 * lines keeps MTASTS_MX_MAX patterns and counts the rest).
 *
 * Grammar applied (checks.md 7 "mtasts.policy.syntax", after RFC 8461 3.2;
 * keys and the values STSv1, enforce, testing, none are case-sensitive):
 *
 *   body  = line *(term line) [term]      term = LF / CRLF
 *   line  = key ":" *WSP value *WSP
 *   key   = (ALPHA / DIGIT) *31(ALPHA / DIGIT / "_" / "-" / ".")
 *   version: STSv1                        required
 *   mode:    enforce / testing / none     required
 *   max_age: 1*10DIGIT                    required (seconds)
 *   mx:      ["*."] host                  repeatable; one or more unless
 *                                         mode is none
 *   other keys: value of printable ASCII and SP, kept as unknown_keys
 *
 * The version line need not come first: RFC 8461 3.2's ABNF lets fields
 * appear in any order. The first version, mode and max_age line is used
 * (RFC 8461 3.2); later ones are a warn-level problem.
 *
 * Use:
 *	struct mtasts_policy pol;
 *	mtasts_policy_init(&pol);
 *	if (mtasts_policy_parse(&pol, body, len) != ST_OK) ...tool error...
 *	...pol.valid, pol.mode, pol.max_age, pol.mx, pol.problems...
 *	pat = mtasts_policy_match(&pol, mxhost, strlen(mxhost));
 *	mtasts_policy_release(&pol);
 */
#ifndef SMTPTLS_MTASTS_POLICY_H
#define SMTPTLS_MTASTS_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "smtptls/err.h"
#include "st_limits.h"

#define MTASTS_MAX_AGE_SHORT 86400u

enum mtasts_mode {
	MTASTS_MODE_UNSET = 0, /* no mode line */
	MTASTS_MODE_INVALID,   /* first mode line has another value */
	MTASTS_MODE_ENFORCE,
	MTASTS_MODE_TESTING,
	MTASTS_MODE_NONE,
	MTASTS_MODE__COUNT
};

/* What went wrong; names from mtasts_policy_prob_name(). */
enum mtasts_policy_prob {
	/* fatal: mtasts.policy.syntax fail */
	MTASTS_P_TOO_LARGE = 0, /* body over MTASTS_POLICY_MAX: not parsed */
	MTASTS_P_EMPTY,         /* empty body */
	MTASTS_P_NON_ASCII,     /* octet >= 0x80 (U-labels included) */
	MTASTS_P_CONTROL,       /* control octet (NUL, bare CR, ...) */
	MTASTS_P_NO_COLON,      /* line without ":" */
	MTASTS_P_BAD_KEY,       /* key not per the grammar (e.g. "mode ") */
	MTASTS_P_BAD_VALUE,     /* empty value of an unknown key */
	MTASTS_P_VERSION_MISSING,
	MTASTS_P_VERSION_INVALID, /* not exactly "STSv1" */
	MTASTS_P_MODE_MISSING,
	MTASTS_P_MODE_INVALID, /* not enforce, testing or none */
	MTASTS_P_MAX_AGE_MISSING,
	MTASTS_P_MAX_AGE_INVALID, /* not 1-10 digits */
	MTASTS_P_MX_INVALID,      /* pattern not ["*."] host name */
	MTASTS_P_MX_MISSING,      /* no mx with mode enforce or testing */
	/* not fatal: warn (sets warn) */
	MTASTS_P_VERSION_DUP, /* second version line, first used: warn */
	MTASTS_P_MODE_DUP,    /* second mode line: warn */
	MTASTS_P_MAX_AGE_DUP, /* second max_age line: warn */
	MTASTS_P_KEY_TYPO,    /* unknown key like a known one ("Mode",
	                         "max-age"): warn */
	/* not fatal: notes */
	MTASTS_P_EMPTY_LINE,       /* blank line; XXX: the ABNF has none, but
	                              senders skip them, so only a note */
	MTASTS_P_MX_TOO_MANY,      /* over MTASTS_MX_MAX patterns: rest counted
	                              only (our limit, a note) */
	MTASTS_P_UNKNOWN_TOO_MANY, /* over MTASTS_UNKNOWN_MAX unknown keys */
	MTASTS_P__COUNT
};

struct mtasts_policy_problem {
	enum mtasts_policy_prob code;
	bool fatal;  /* the policy is invalid (mtasts.policy.syntax fail) */
	size_t line; /* 1-based line number; 0: the body as a whole */
	/* Raw peer bytes of the line (may hold any octet, NUL included;
	 * escape before output), NUL-terminated, evidence_len counts. */
	char evidence[MTASTS_EVIDENCE_MAX + 1];
	size_t evidence_len;
};

/* An unknown key (report.md 5.6 "unknown_keys"). */
struct mtasts_policy_kv {
	char key[MTASTS_KEY_MAX + 1];     /* validated, NUL-terminated */
	char value[MTASTS_VALUE_MAX + 1]; /* printable ASCII and SP */
	bool value_cut;                   /* longer than MTASTS_VALUE_MAX */
	size_t line;                      /* 1-based */
};

/*
 * The parse result (about 8 KiB). Caller allocates; mtasts_policy_init()
 * prepares it and mtasts_policy_release() frees the mx patterns.
 */
struct mtasts_policy {
	/* No fatal problem: mtasts.policy.syntax pass or warn, and the other
	 * mtasts.policy checks may use the fields below. */
	bool valid;
	/* A *_DUP or KEY_TYPO problem: mtasts.policy.syntax warn. The other
	 * non-fatal problems (EMPTY_LINE, *_TOO_MANY) are notes only. */
	bool warn;

	bool has_version; /* first version line was "STSv1" */
	enum mtasts_mode mode;
	bool has_max_age;   /* first max_age line was 1-10 digits */
	uint64_t max_age;   /* seconds, as written (up to 9999999999) */
	bool max_age_short; /* has_max_age and below MTASTS_MAX_AGE_SHORT */
	bool max_age_long;  /* has_max_age and above MTASTS_MAX_AGE_LIMIT */

	/* Valid mx patterns, in body order, as written (case kept): nmx
	 * NUL-terminated strings of at most MTASTS_PATTERN_MAX octets,
	 * owned by the struct (NULL while nmx == 0). */
	char **mx;
	size_t nmx;
	size_t mx_lines;   /* every mx line, valid or not */
	size_t mx_dropped; /* valid patterns beyond MTASTS_MX_MAX */

	struct mtasts_policy_kv unknown[MTASTS_UNKNOWN_MAX];
	size_t nunknown;
	size_t unknown_dropped;

	size_t lines; /* lines in the body */
	struct mtasts_policy_problem problems[MTASTS_PROBLEMS_MAX];
	size_t nproblems;
	size_t problems_dropped; /* problems beyond the cap, not kept */
};

/* Prepare *pol: no fields, no problems, valid false. */
void mtasts_policy_init(struct mtasts_policy *pol);
/* Free what *pol holds and leave it initialised; accepts NULL. */
void mtasts_policy_release(struct mtasts_policy *pol);

/*
 * Parse the body (p, len), which may hold any octet. *pol must be
 * initialised; it is reset first. A body over MTASTS_POLICY_MAX is not
 * parsed (problem MTASTS_P_TOO_LARGE).
 *
 * Returns ST_OK whenever the body was judged (pol->valid tells the
 * verdict), ST_ERR_NOMEM when a pattern could not be stored (*pol is
 * then released), ST_ERR_INVAL for a NULL pol or NULL p with len > 0.
 */
enum st_err mtasts_policy_parse(struct mtasts_policy *pol, const char *p,
    size_t len) __attribute__((warn_unused_result));

/*
 * RFC 8461 4.1: whether host matches pattern. ASCII case-insensitive;
 * equal names match; "*.parent" matches a host of exactly one more label
 * than parent ("*.example.com" matches "mx.example.com", not
 * "example.com" nor "a.b.example.com"). A "*" anywhere else, an empty
 * label or an empty input never matches. One trailing "." on host is
 * ignored. Both are (pointer, length); NULL only with length 0.
 */
bool mtasts_mx_match(const char *pattern, size_t pattern_len, const char *host,
    size_t host_len);

/*
 * The first of pol's patterns that host matches, or NULL. The result
 * points into pol (valid until it is released or reparsed).
 */
const char *mtasts_policy_match(const struct mtasts_policy *pol,
    const char *host, size_t host_len);

/* "unset", "invalid", "enforce", "testing", "none"; never NULL. */
const char *mtasts_mode_name(enum mtasts_mode mode);
/* Short constant text for a problem; never NULL. */
const char *mtasts_policy_prob_name(enum mtasts_policy_prob p);

#endif
