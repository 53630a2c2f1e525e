/*
 * probe_internal.h - the probe's measurement layer (src/probe/): target
 * parsing, the DNS phases, the TLS context job, enum names. The judging
 * layer above it (src/judge/judge.h) reads what these fill.
 */
#ifndef SMTPTLS_PROBE_INTERNAL_H
#define SMTPTLS_PROBE_INTERNAL_H

#include "probe_result.h"

#include <openssl/ssl.h>

/* The trust store and TLS context are built while the first DNS answers
 * are on their way (loading a CA bundle and OpenSSL's configuration takes
 * milliseconds that need not be waited for in turn). */
struct tls_init_job {
	const char *ca_file, *ca_path;
	X509_STORE *store;
	SSL_CTX *ctx;
	enum st_err err;
	char errmsg[300];
};
void tls_init_job_fn(void *arg);

/* probe_target.c: r->domain, r->mailbox, r->host from the options */
enum st_err probe_parse_target(struct probe_result *r, char *errmsg,
    size_t errlen) __attribute__((warn_unused_result));
void probe_pick_ehlo(struct probe_result *r);

/* probe_dns.c: the two DNS phases and the address list */
enum st_err probe_dns_mx(struct probe_result *r, struct tls_init_job *tj)
    __attribute__((warn_unused_result));
enum st_err probe_dns_hosts(struct probe_result *r)
    __attribute__((warn_unused_result));
enum st_err probe_build_addrs(struct probe_result *r)
    __attribute__((warn_unused_result));
/* Whether the MX host name is an alias whose own CNAME record is
 * DNSSEC-secure (RFC 7672 2.2.2: then DANE applies at the MX host name even
 * when the address records at the end of the chain are insecure). */
bool probe_mx_secure_cname(const struct probe_mx *m);

/* "ipv4" / "ipv6" (report.md 5.3 family); probe_names.c */
const char *probe_addr_family_name(int family);

#endif
