/*
 * judge.h - the judging layer (src/judge/): checks that turn the finished
 * measurements of a probe into findings (checks.md 2-10), the verdicts of
 * the policy levels (checks.md 12) and the exit code (report.md 8). It
 * reads the measurement layer (probe_internal.h) and never measures.
 */
#ifndef SMTPTLS_JUDGE_H
#define SMTPTLS_JUDGE_H

#include "probe_internal.h"

/*
 * The check modules below add their results to r->checks without testing
 * each addition: a failure stays in the list (check_list_error), which
 * verdict_run() reads before it judges anything.
 */
/* Findings of scope domain and mx about DNS (checks.md 2). */
void check_dns_run(struct probe_result *r);
/* Findings of scope address about SMTP (checks.md 3, 9). */
void check_smtp_run(struct probe_result *r);
/* The address test's findings (checks.md 9), in check_rcpt.c; called by
 * check_smtp_run when a mailbox is given. */
void check_rcpt_run(struct probe_result *r);
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
struct dane_unmatched;
/* The usable TLSA records of a that match nothing the session t saw,
 * into *out (check_dane.c). */
void dane_unmatched(const struct dns_answer *a, const struct tls_facts *t,
    struct dane_unmatched *out);
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
bool probe_pkix_expected(const struct probe_result *r,
    const struct probe_mx *mx);

#endif
