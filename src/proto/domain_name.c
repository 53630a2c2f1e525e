/*
 * domain_name.c - a user's domain name into the probe's form
 * (domain_name.h): IDN conversion by libidn2, then the LDH rule and the
 * length limits. Owns nothing past a call.
 */
#include "domain_name.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <idn2.h>

#include "ascii.h"

#include "banned.h"

/* ldh_check - lower-case out in place and check every label; NULL when
 * fine, else why not */
static const char *
ldh_check(char *s, size_t len)
{
	size_t label = 0;

	if (len == 0)
		return "empty name";
	if (len > DOMAIN_NAME_MAX)
		return "longer than 253 octets";
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '.') {
			if (label == 0)
				return "empty label";
			label = 0;
			continue;
		}
		if (!ascii_is_alnum(c) && c != '-' && c != '_')
			return "a character other than a letter, digit, '-' or '_'";
		if (++label > 63)
			return "a label longer than 63 octets";
		if (c >= 'A' && c <= 'Z')
			s[i] = (char)(c - 'A' + 'a');
	}
	return label == 0 ? "empty label" : NULL;
}

/* to_alabels - libidn2's A-label form of the UTF-8 name in (NUL-terminated)
 * into out; a name it rejects is ST_ERR_INVAL with its reason */
static enum st_err
to_alabels(const char *in, char *out, const char **why)
{
	char *a = NULL;
	int rc;

	/* Non-transitional UTS #46 processing maps upper case and full-width
	 * forms as browsers and MTAs do (ß stays ß: IDNA2008). */
	rc = idn2_to_ascii_8z(in, &a, IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL);
	if (rc == IDN2_MALLOC)
		return ST_ERR_NOMEM;
	if (rc != IDN2_OK) {
		*why = rc == IDN2_ENCODING_ERROR ? "not UTF-8"
		                                 : "not a valid IDN (IDNA2008)";
		return ST_ERR_INVAL;
	}
	if (strlen(a) > DOMAIN_NAME_MAX) {
		*why = "longer than 253 octets as A-labels";
		idn2_free(a);
		return ST_ERR_INVAL;
	}
	memcpy(out, a, strlen(a) + 1);
	idn2_free(a);
	return ST_OK;
}

enum st_err
domain_name_normalize(const char *in, size_t len, char *out, char *errmsg,
    size_t errlen)
{
	char u[4 * DOMAIN_NAME_MAX + 2];
	const char *why = NULL;
	bool ascii = true;
	enum st_err err = ST_ERR_INVAL;

	out[0] = '\0';
	if (len > 0 && in[len - 1] == '.')
		len--;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)in[i] >= 0x80)
			ascii = false;
		else if (in[i] == '\0')
			why = "a NUL octet";
	/* A U-label takes up to 4 octets a character where its A-label
	 * may be shorter: allow what could still fit in 253 octets. */
	if (why == NULL && len >= sizeof(u))
		why = "longer than 253 octets";
	if (why == NULL) {
		memcpy(u, in, len);
		u[len] = '\0';
		if (!ascii && (err = to_alabels(u, out, &why)) == ST_ERR_NOMEM)
			return err;
		if (ascii)
			memcpy(out, u, len + 1);
		if (why == NULL && (why = ldh_check(out, strlen(out))) == NULL)
			return ST_OK;
	}
	snprintf(errmsg, errlen, "invalid domain '%.*s': %s",
	    len > 100 ? 100 : (int)len, in, why);
	out[0] = '\0';
	return ST_ERR_INVAL;
}
