/*
 * smtp_params.c - the rules of smtp_params.h. Pure: no I/O, no allocation.
 */
#include "smtp_params.h"

#include <string.h>

#include "ascii.h"

#include "banned.h"

const char *
smtp_mailbox_problem(const char *s)
{
	const char *at = strrchr(s, '@');
	size_t n = strlen(s);

	if (n > SMTP_MAILBOX_MAX)
		return "longer than 254 octets (RFC 5321 4.5.3.1.3)";
	if (at == NULL || at == s || at[1] == '\0')
		return "not of the form local-part@domain";
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == 0x7f)
			return "contains a control character";
		/* RFC 5321 paths are ASCII; UTF-8 ones need SMTPUTF8 (RFC
		 * 6531), which the probe does not send. */
		if (c >= 0x80)
			return "contains octets outside ASCII (SMTPUTF8 addresses "
			       "are not supported)";
		if (c == ' ' || c == '<' || c == '>')
			return "contains a space, '<' or '>'";
	}
	return NULL;
}

const char *
smtp_ehlo_name_problem(const char *s)
{
	size_t len = strlen(s);

	if (len > 2 && s[0] == '[' && s[len - 1] == ']') {
		/* RFC 5321 4.1.3 address literal: the text is checked for
		 * syntax only; it may name any address. */
		if (len <= 2 + 45 + 5 &&
		    strspn(s + 1, "0123456789abcdefABCDEF.:Iv6") == len - 2)
			return NULL;
		return "not an address literal ([192.0.2.1], [IPv6:2001:db8::1])";
	}
	if (!ascii_is_hostname(s))
		return "not a host name (letters, digits, '-' and '_' in "
		       "dot-separated labels)";
	return NULL;
}
