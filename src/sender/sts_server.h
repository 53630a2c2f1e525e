/*
 * sts_server.h - the sender test's HTTPS server for the MTA-STS policies
 * (RFC 8461 3.3): GET https://mta-sts.SCENARIO.ZONE/.well-known/mta-sts.txt
 * answers that scenario's policy; anything else is 404 (a wrong path or
 * host) or 405 (a method other than GET and HEAD). HTTP and TLS are
 * libmicrohttpd's (its TLS is GnuTLS: smtptls(1), DEVIATIONS), in its own
 * thread; the certificate is the --cert one, which must name the mta-sts
 * hosts.
 *
 * Bounded: 64 connections, 16 per client, 10 s idle, 16 KiB per
 * connection; the certificate and key files are read up to 64 KiB each.
 */
#ifndef SMTPTLS_STS_SERVER_H
#define SMTPTLS_STS_SERVER_H

#include <stddef.h>

#include "smtptls/err.h"

struct sts_server;

/* One host and the policy it serves (both copied). */
struct sts_site {
	const char *host; /* "mta-sts.sts-badcert.st.example", lower case */
	const char *policy;
};

/*
 * Bind bind_spec ("ADDR[:PORT]", port 443 by default) and serve the n
 * sites with the certificate chain and key of cert_file and key_file
 * (PEM; key_file NULL: in cert_file). ST_OK, ST_ERR_PARSE (the address,
 * an unreadable or oversized file), ST_ERR_IO (bind), ST_ERR_TLS (the
 * library would not start: a certificate or key it refuses), ST_ERR_NOMEM.
 */
enum st_err sts_server_start(const char *bind_spec, const char *cert_file,
    const char *key_file, const struct sts_site *sites, size_t n,
    struct sts_server **out, char *errmsg, size_t errlen)
    __attribute__((warn_unused_result));
/* Policies served so far (200 answers). */
unsigned long sts_server_served(const struct sts_server *s);
void sts_server_stop(struct sts_server *s);

#endif
