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

/*
 * What a session is told about its target, chosen before the loop by the
 * caller (session_targets_new() in session_target.h): the transport
 * applies it and decides nothing.
 */
struct session_target {
	const char *sni;             /* SNI to send, or NULL */
	const struct dns_tlsa *tlsa; /* records for DANE, or NULL */
	size_t ntlsa;
	const char *ref_name; /* reference for cert.name (the MX
	                       * host name), NULL for a literal */
};

struct session_params {
	SSL_CTX *ctx;
	/* One per addrs[i] of session_run_all(), or NULL: no SNI, no DANE. */
	const struct session_target *targets;
	/* For session_chains_check() after the loop, not the loop: */
	X509_STORE *store; /* PKIX trust store */
	const char *ehlo;
	const char *mail_from; /* "" = null path */
	const char *rcpt;      /* recipient for addresses with want_rcpt */
	const char *rcpt2;     /* second recipient (--catchall) or NULL */
	bool no_starttls;      /* never issue STARTTLS (--cleartext session) */
	const char *domain;    /* reference for cert.name.nexthop, or NULL */
	bool exact_domain;     /* --tls-domain given */
	time_t now;            /* wall clock for certificate dates */
	/* The loop: */
	uint16_t port;
	unsigned timeout_ms; /* per step */
	long long deadline;  /* clock_ms() value ending the run */
	/* Deep scan only (scan.c); NULL for the standard sessions, which
	 * then run the whole dialogue as before. */
	const struct session_hooks *hooks;
	/* The batch's shared sessions and politeness gate (probe_share.h),
	 * or NULL: every session connects at once, as before. */
	struct probe_share *share;
};

/*
 * A scan session (checks.md 10) stops right after the handshake: no EHLO
 * over TLS, no QUIT; the driver sends close_notify and closes. Its facts
 * go to addrs[i]->tls as for a standard session.
 */
struct session_hooks {
	/* Restrict session i's offer before its handshake (versions,
	 * suites, groups, sigalgs, SNI). false: do not attempt it. */
	bool (*setup)(void *arg, size_t i, SSL *ssl);
	/* Session i completed its handshake: read further facts. */
	void (*done)(void *arg, size_t i, SSL *ssl);
	/* Session i sends "STARTTLS\r\nNOOP\r\n" in one write and, after
	 * the handshake, waits SESSION_INJECT_WAIT_MS for a reply nobody
	 * asked for (recorded in tls.unsolicited). */
	bool (*inject)(void *arg, size_t i);
	/* Session i (TLS 1.2) asks to renegotiate after its handshake and
	 * waits at most SESSION_RENEG_WAIT_MS for the server to complete
	 * the new handshake (recorded in tls.renegotiated). May be NULL. */
	bool (*reneg)(void *arg, size_t i);
	void *arg;
};

/* A server that will renegotiate answers the ClientHello at once; one
 * that will not sends an alert, closes, or ignores it. */
#define SESSION_RENEG_WAIT_MS 2000

/* checks.md 10 smtp.starttls.injection: "waits one second" */
#define SESSION_INJECT_WAIT_MS 1000

/*
 * Connect to every address in addrs and run the dialogue of checks.md 1.9
 * on each, concurrently. addrs come in preference order; rcpt_group[i] >= 0
 * makes address i a candidate for the address test in that group (may be
 * NULL: none): one candidate per group runs it (address_test_pick.h), and
 * its machine records sc.address_test. Fills each probe_addr; a TLS
 * session keeps the peer's chain in peer_chain for session_chains_check()
 * (the loop judges no certificate). Returns
 * ST_OK unless the loop itself failed (out of memory, poll error) or a
 * param broke an SMTP machine's rule (ST_ERR_INVAL).
 */
enum st_err session_run_all(struct probe_addr **addrs, const int *rcpt_group,
    size_t n, const struct session_params *p)
    __attribute__((warn_unused_result));

#endif
