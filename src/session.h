/*
 * session.h - run the SMTP sessions of a probe, all at once.
 *
 * Why one poll() loop and not threads: a probe holds at most a few dozen
 * connections that each spend nearly all their time waiting; one loop over
 * non-blocking sockets costs no stacks, needs no locks around the shared
 * SSL_CTX and result structs, and lets one place enforce every step timeout
 * and the run deadline (style.md 6). OpenSSL runs directly over each
 * non-blocking socket; WANT_READ/WANT_WRITE map onto poll events.
 */
#ifndef SMTPTLS_SESSION_H
#define SMTPTLS_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <openssl/ssl.h>

#include "probe_result.h"
#include "smtptls/err.h"

struct session_params {
	SSL_CTX *ctx;
	X509_STORE *store;       /* PKIX trust store */
	const char *ehlo;
	const char *mail_from;   /* "" = null path */
	const char *rcpt;        /* recipient for addresses with want_rcpt */
	const char *domain;      /* reference for cert.name.nexthop, or NULL */
	bool exact_domain;       /* --tls-domain given */
	uint16_t port;
	unsigned timeout_ms;     /* per step */
	long long deadline;      /* clock_ms() value ending the run */
	time_t now;              /* wall clock for certificate dates */
};

/*
 * Connect to every address in addrs and run the dialogue of checks.md 1.9
 * on each, concurrently; want_rcpt[i] says whether address i runs the
 * address test (may be NULL: none). Fills each probe_addr. Returns ST_OK
 * unless the loop itself failed (out of memory, poll error).
 */
enum st_err session_run_all(struct probe_addr **addrs, const bool *want_rcpt,
    size_t n, const struct session_params *p);

#endif
