/*
 * probe_internal.h - functions shared by the probe's modules: the checks
 * (check_dns.c, check_smtp.c, check_tls.c), the verdicts (verdict.c) and
 * the summary (summary.c), each fed the finished measurements.
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

/*
 * The check modules below add their results to r->checks without testing
 * each addition: a failure stays in the list (check_list_error), which
 * verdict_run() reads before it judges anything.
 */
/* Findings of scope domain and mx about DNS (checks.md 2). */
void check_dns_run(struct probe_result *r);
/* Findings of scope address about SMTP (checks.md 3, 9). */
void check_smtp_run(struct probe_result *r);
/* Findings of scope address about TLS and certificates (checks.md 4, 5). */
void check_tls_run(struct probe_result *r);
/* Deep scan findings (checks.md 10), only with --scan. */
void check_scan_run(struct probe_result *r);
/* DANE findings (checks.md 6). */
void check_dane_run(struct probe_result *r);
/* MTA-STS findings (checks.md 7), in mtasts_check.c. */
void check_mtasts_run(struct probe_result *r);
/* TLS-RPT findings (checks.md 8). */
void check_tlsrpt_run(struct probe_result *r);
/* The usable TLSA records of a that match nothing the session t saw, as
 * a JSON array of "u s m" strings (check_dane.c). */
struct cJSON *dane_unmatched(const struct dns_answer *a, const struct tls_facts *t);
/*
 * Verdicts and policy.* checks (checks.md 12). Returns the error recorded
 * in r->checks when the check modules could not record every result (the
 * list is incomplete and nothing is judged), ST_ERR_INTERNAL with errmsg
 * when a result the rules read is missing (a bug in a check module, never
 * read as skip), ST_ERR_NOMEM.
 */
enum st_err verdict_run(struct probe_result *r, char *errmsg, size_t errlen)
    __attribute__((warn_unused_result));
/* Exit code and reason (report.md 8). */
void summary_run(struct probe_result *r);

/* Whether PKIX is expected for an MX host (checks.md 1.8). */
bool probe_pkix_expected(const struct probe_result *r, const struct probe_mx *mx);

/* Subject text "mx[address]" helpers for details. */
const char *probe_addr_family_name(int family);

#endif
