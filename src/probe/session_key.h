/*
 * session_key.h - the identity of an SMTP session for sharing (issue 14):
 * everything that changes what the probe sends or what OpenSSL judges on
 * the wire. Two sessions with equal keys give the same facts, so a batch
 * runs one and copies it to every domain that needs it.
 */
#ifndef SMTPTLS_SESSION_KEY_H
#define SMTPTLS_SESSION_KEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dns.h"
#include "smtptls/err.h"

/* What goes into a key. TLSA records count as a set: their order in the
 * DNS answer does not matter (OpenSSL's DANE matching does not depend on
 * it). Strings may be NULL (no SNI, the null reverse path). */
struct session_key_in {
	const char *address; /* canonical text */
	uint16_t port;
	const char *sni;
	const struct dns_tlsa *tlsa;
	size_t ntlsa;
	const char *ehlo;
	const char *mail_from;
	bool starttls; /* STARTTLS is issued when offered */
};

/*
 * The key of in as a NUL-terminated string (*out, the caller frees):
 * equal keys mean equal sessions. ST_ERR_NOMEM, or ST_ERR_LIMIT when the
 * key would exceed SESSION_KEY_MAX (a TLSA set bigger than any real one:
 * such a session is simply not shared).
 */
enum st_err session_key_make(const struct session_key_in *in, char **out)
    __attribute__((warn_unused_result));

/* A key is a few hundred octets; 64 KiB holds a TLSA set of hundreds of
 * SHA-512 records, far past what a zone publishes per name. */
#define SESSION_KEY_MAX (64 * 1024)

#endif
