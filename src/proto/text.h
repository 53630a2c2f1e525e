/*
 * text.h - peer text made safe for reports and terminals (report.md 2):
 * valid UTF-8 is kept, invalid octets and control characters other than
 * TAB become U+FFFD, and long text is cut with "…".
 */
#ifndef SMTPTLS_TEXT_H
#define SMTPTLS_TEXT_H

#include <stddef.h>

#include "smtp_reply.h"

/* Length of the valid UTF-8 sequence at p (n > 0 octets available): 1-4,
 * or 0 when the octets there are no valid UTF-8 (overlong forms and
 * surrogates included). Shared with the HTML escaper. */
size_t text_utf8_len(const unsigned char *p, size_t n);
/* Escape len octets of in into out (size outlen, always NUL-terminated). */
void text_escape(const char *in, size_t len, char *out, size_t outlen);
/* As text_escape, but keeps LF (and TAB): for multi-line bodies. */
void text_escape_lines(const char *in, size_t len, char *out, size_t outlen);
/* Line i of a reply as sent: "250-text" (continuation) or "250 text". */
void text_reply_line(const struct smtp_reply *r, size_t i, char *out,
    size_t outlen);
/* The first word of the first line (the host name of a greeting or EHLO
 * reply), escaped; "" if none. */
void text_reply_host(const struct smtp_reply *r, char *out, size_t outlen);

#endif
