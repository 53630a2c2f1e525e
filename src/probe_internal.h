/*
 * probe_internal.h - functions shared by the probe's modules: the checks
 * (check_dns.c, check_smtp.c, check_tls.c), the verdicts (verdict.c) and
 * the summary (summary.c), each fed the finished measurements.
 */
#ifndef SMTPTLS_PROBE_INTERNAL_H
#define SMTPTLS_PROBE_INTERNAL_H

#include "probe_result.h"

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
/* Verdicts and policy.* checks (checks.md 12). */
void verdict_run(struct probe_result *r);
/* Exit code and reason (report.md 8). */
void summary_run(struct probe_result *r);

/* Whether PKIX is expected for an MX host (checks.md 1.8). */
bool probe_pkix_expected(const struct probe_result *r, const struct probe_mx *mx);

/* Subject text "mx[address]" helpers for details. */
const char *probe_addr_family_name(int family);

#endif
