/*
 * smtp_reply.h - incremental parser of SMTP replies (RFC 5321 4.2, 4.5.3).
 *
 * Fed arbitrary chunks of bytes (TCP splits replies anywhere); yields one
 * complete, possibly multi-line reply at a time. It never touches a socket.
 * Of a line longer than SMTP_REPLY_LINE_MAX only the first
 * SMTP_REPLY_LINE_MAX octets are stored; the rest is counted and discarded
 * while the parser looks for the line end, and the reply goes on (flags
 * LONG_LINE and CUT_LINE, RFC 5321 4.5.3.1). Replies of more than
 * SMTP_REPLY_LINES_MAX lines or SMTP_REPLY_OCTETS_MAX octets stop the parser
 * with ST_ERR_LIMIT; anything that is not "DDD" followed by SP, "-" or the
 * line end stops it with ST_ERR_PROTO. Deviations that real servers get away
 * with are recorded as flags on the reply instead of failing.
 */
#ifndef SMTPTLS_SMTP_REPLY_H
#define SMTPTLS_SMTP_REPLY_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "smtptls/err.h"

enum smtp_reply_flags {
	SMTP_REPLY_BARE_LF = 1 << 0,     /* a line ended in LF without CR */
	SMTP_REPLY_LONG_LINE = 1 << 1,   /* a line over 512 octets (RFC) */
	SMTP_REPLY_MIXED_CODES = 1 << 2, /* continuation lines changed code */
	SMTP_REPLY_BAD_OCTETS = 1 << 3,  /* NUL, controls or 8-bit octets */
	SMTP_REPLY_NO_SEP = 1 << 4,   /* "220" alone, no SP/text (tolerated) */
	SMTP_REPLY_CUT_LINE = 1 << 5, /* a line over SMTP_REPLY_LINE_MAX:
	                                 only its start is stored */
};

struct smtp_reply {
	int code;     /* 100..599, from the first line */
	char **lines; /* text after "DDD-"/"DDD ", NUL-terminated; raw
	                 octets (callers escape before display); at most
	                 SMTP_REPLY_LINE_MAX octets of a line, code
	                 included, are kept (CUT_LINE) */
	size_t nlines;
	unsigned flags; /* enum smtp_reply_flags */
	size_t longest; /* octets of the longest line as received, code
	                   included, line end excluded (also what was
	                   discarded) */
};

struct smtp_reply_parser {
	struct buf line;       /* the stored start of the line */
	size_t line_skipped;   /* octets of the line past the stored start,
	                          discarded */
	char skipped_last;     /* the last of them (CR of a CRLF?) */
	size_t reply_octets;   /* read for the current reply, line ends and
	                          discarded octets included */
	struct smtp_reply cur; /* the reply being assembled */
	unsigned line_flags;   /* flags of the last line checked */
	enum st_err err;       /* sticky once feed has failed */
	char errmsg[160];      /* set when feed fails */
	/*
	 * Optional (NULL after init): called with every complete line, without
	 * its line end, before it is checked, so that a transcript also shows
	 * the line that broke the protocol. The octets are raw peer input.
	 */
	void (*line_cb)(void *arg, const char *line, size_t len);
	void *line_cb_arg;
};

void smtp_reply_parser_init(struct smtp_reply_parser *p);
void smtp_reply_parser_release(struct smtp_reply_parser *p);

/*
 * Consume bytes from buf until one reply is complete or the input is used
 * up. *used is set to the bytes consumed. When a reply is complete, it is
 * moved into *out (which the caller releases) and *done is true; bytes after
 * it are left unconsumed for the next call. *out is written only when *done
 * is true (its previous content is overwritten, not released). On error the
 * parser must not be fed again (it returns the same error if it is);
 * p->errmsg says why (with the first bytes as evidence).
 */
enum st_err smtp_reply_feed(struct smtp_reply_parser *p, const char *buf,
    size_t len, size_t *used, struct smtp_reply *out, bool *done);

void smtp_reply_release(struct smtp_reply *r);
/* Whether some line of the reply, after the first, starts with keyword
 * (case-insensitive, followed by SP or end); the EHLO keyword test. */
bool smtp_reply_has_keyword(const struct smtp_reply *r, const char *kw);
/* The same test, returning the parameters after the keyword and its SP
 * ("" when none; points into r) or NULL when the keyword is absent. */
const char *smtp_reply_keyword(const struct smtp_reply *r, const char *kw);
/* "2.1.5"-style enhanced status code at the start of the first line
 * (RFC 3463) copied into out (size outlen), or "" when absent. */
void smtp_reply_enhanced(const struct smtp_reply *r, char *out, size_t outlen);

/*
 * Escape n octets of peer text for display: printable ASCII is copied,
 * everything else and the backslash become \xNN. Writes at most outlen - 1
 * characters and a NUL into out (outlen > 0) and never splits an escape;
 * returns how many of the n octets were written, so a caller can loop or
 * mark the cut.
 */
size_t smtp_reply_escape(char *out, size_t outlen, const char *s, size_t n);

#endif
