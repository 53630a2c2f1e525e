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

#include "dns.h"
#include "smtptls/err.h"

struct tls_facts;

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
