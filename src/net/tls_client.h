/*
 * tls_client.h - the probe's TLS side: a deliberately permissive client
 * context (checks.md 1.9: TLS 1.0-1.3, security level 0, every suite but
 * anonymous and NULL ones, OCSP status request, verification that never
 * aborts the handshake) and the facts read off an established session.
 *
 * The SSL object runs directly over the session's non-blocking socket
 * (style.md 0); the caller drives SSL_do_handshake and reads and writes.
 */
#ifndef SMTPTLS_TLS_CLIENT_H
#define SMTPTLS_TLS_CLIENT_H

#include <stdbool.h>
#include <stddef.h>

#include <openssl/ssl.h>

#include "cert_check.h"
#include "dns.h"
#include "smtptls/err.h"
#include "tls_class.h"
#include "tls_io.h"

/* What one handshake presented and negotiated, and what OpenSSL's
 * verifiers made of it: filled by tls_client_collect() and the session's
 * driver, judged by the checks. */
struct tls_facts {
	bool attempted; /* a handshake was started */
	bool established;
	char version[16]; /* "TLSv1.3" or "" */
	int version_num;  /* TLS1_3_VERSION ... or 0 */
	struct tls_cipher_info cipher;
	char group[48];       /* "" when none named */
	int kex_bits;         /* -1 unknown */
	char sigalg[48];      /* IANA SignatureScheme name or "" */
	char sigalg_hash[16]; /* hash of the handshake signature or "" */
	char sni[256];
	char alert[64];      /* alert ending a failed handshake or "" */
	enum tls_io_end end; /* how the server ended the stream, if it did */
	char end_alert[48];  /* the alert of TLS_IO_END_ALERT */
	char errmsg[200];    /* why the handshake failed */
	bool timeout;
	bool ocsp_stapled;
	bool have_chain; /* chain analysed (res valid) */
	struct cert_chain_result chain;
	/* DANE (OpenSSL's verifier) */
	bool dane_checked;
	bool dane_verified;
	int dane_depth; /* depth of the matched certificate */
	int dane_usage, dane_selector, dane_mtype;
	int dane_verify_code;
	/* Deep scan, injection test: bytes arrived inside TLS before the
	 * client spoke (-1 not watched, 0 none, 1 some). */
	int unsolicited;
	/* Deep scan, client-initiated renegotiation (session_hooks.reneg):
	 * -1 not asked, 0 refused or unanswered, 1 completed. */
	int renegotiated;
};

/* The shared context of a run. NULL on failure with errmsg set. */
SSL_CTX *tls_client_ctx_new(char *errmsg, size_t errlen);

/*
 * A new SSL for socket fd with SNI set to sni and, when usable TLSA
 * records are given (usages 2 and 3 only, RFC 7672 3.1.3), OpenSSL's DANE
 * verifier enabled for base_domain. Alerts are recorded into facts.
 */
SSL *tls_client_new(SSL_CTX *ctx, int fd, const char *sni,
    const struct dns_tlsa *tlsa, size_t ntlsa, struct tls_facts *facts);

/* Read version, cipher, group, signature scheme, OCSP staple and DANE
 * outcome of an established session into facts. */
void tls_client_collect(SSL *ssl, struct tls_facts *facts);

/* Drain OpenSSL's error queue into buf as one line ("" if empty). */
void tls_client_errors(char *buf, size_t len);

#endif
