/*
 * ascii.h - character classes of the protocols' ASCII grammars and a
 * bounded copy into fixed text fields. Locale-independent on purpose:
 * <ctype.h> answers by the locale, the RFC grammars do not.
 */
#ifndef SMTPTLS_ASCII_H
#define SMTPTLS_ASCII_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

static inline bool
ascii_is_wsp(unsigned char c)
{
	return c == ' ' || c == '\t';
}

static inline bool
ascii_is_alpha(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static inline bool
ascii_is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static inline bool
ascii_is_alnum(unsigned char c)
{
	return ascii_is_alpha(c) || ascii_is_digit(c);
}

static inline bool
ascii_is_hex(unsigned char c)
{
	return ascii_is_digit(c) || (c >= 'a' && c <= 'f') ||
	       (c >= 'A' && c <= 'F');
}

static inline unsigned char
ascii_to_lower(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') ? (unsigned char)(c - 'A' + 'a') : c;
}

/* ascii_is_hostname - a DNS host name as a command line or EHLO carries it:
 * dot-separated labels of 1-63 letters, digits, '-' or '_' (seen in real
 * names), at most 253 octets, one trailing dot allowed */
static inline bool
ascii_is_hostname(const char *s)
{
	size_t label = 0, len = strlen(s);

	if (s[0] == '.' || len == 0 || len > 254 ||
	    (len == 254 && s[len - 1] != '.'))
		return false;
	for (const char *p = s; *p != '\0'; p++) {
		if (*p == '.') {
			if (label == 0)
				return false;
			label = 0;
		} else if (ascii_is_alnum((unsigned char)*p) || *p == '-' ||
		           *p == '_') {
			if (++label > 63)
				return false;
		} else
			return false;
	}
	return true;
}

/* ascii_copy - copy src into the fixed field dst (size octets), cut to fit,
 * always NUL-terminated; size must be at least 1 */
static inline void
ascii_copy(char *dst, size_t size, const char *src)
{
	size_t n = strlen(src);

	if (n >= size)
		n = size - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

#endif
