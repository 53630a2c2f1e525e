/*
 * domain_name.h - a domain name as a user gives it (a command-line target,
 * a line of a --domains list) made into the one form the probe uses: one
 * trailing dot dropped, U-labels converted to A-labels (IDNA2008 with the
 * UTS #46 non-transitional mapping, by libidn2), lower case, letters,
 * digits, '-' and '_' only (service labels such as _mta-sts), labels of
 * 1-63 octets, at most 253 octets (RFC 1035 2.3.4). No I/O.
 */
#ifndef SMTPTLS_DOMAIN_NAME_H
#define SMTPTLS_DOMAIN_NAME_H

#include <stddef.h>

#include "smtptls/err.h"

/* RFC 1035 2.3.4: 255 octets on the wire = 253 in text, without the root. */
#define DOMAIN_NAME_MAX 253

/*
 * Normalise len octets of in into out (DOMAIN_NAME_MAX + 1 octets, always
 * NUL-terminated, "" on failure). ST_ERR_INVAL when in is no valid name
 * (errmsg says why, quoting at most 100 octets of in, unescaped: the caller
 * escapes before printing); ST_ERR_NOMEM when libidn2 ran out of memory.
 */
enum st_err domain_name_normalize(const char *in, size_t len, char *out,
    char *errmsg, size_t errlen) __attribute__((warn_unused_result));

#endif
