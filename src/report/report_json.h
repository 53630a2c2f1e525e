/*
 * report_json.h - pieces of the JSON report (report.md) shared by
 * report_json.c (document, DNS, checks, verdicts), report_json_addr.c
 * (addresses: SMTP replies, TLS), scan_report.c and report_json_parts.c
 * (the small builders they all use).
 */
#ifndef SMTPTLS_REPORT_JSON_H
#define SMTPTLS_REPORT_JSON_H

#include <cJSON.h>

#include "probe_result.h"

/* The whole probe document of report.md 4 (report_json_render and
 * report_json_append print it;
 * report_html.c renders a page from it); NULL when out of memory. The
 * caller frees it with cJSON_Delete. */
cJSON *report_json_doc(const struct probe_result *r);
cJSON *report_json_lookup(const struct probe_result *r,
    const struct dns_answer *a);
cJSON *report_json_address(const struct probe_result *r,
    const struct probe_addr *pa);
cJSON *report_json_reply(const struct smtp_reply *rep);
/* One certificate of a chain (report.md 5.5.1); pem: include the PEM. */
cJSON *report_json_cert(const struct cert_summary *c, size_t depth, bool pem);
/* Adds key with value s, or null when s is NULL or "". */
void report_json_str(cJSON *o, const char *key, const char *s);
/* Adds key with value n, or null when n < 0. */
void report_json_num(cJSON *o, const char *key, long n);

/* doc printed without spaces (cJSON_PrintUnformatted's text) and appended
 * to out, growing it as needed: ST_ERR_LIMIT past out's limit. */
struct buf;
enum st_err report_json_print(const cJSON *doc, struct buf *out)
    __attribute__((warn_unused_result));
/* Adds item under key; false, with item freed, when it or the key could
 * not be stored (report_json_render then fails: no partial document). */
bool report_json_section(cJSON *doc, const char *key, cJSON *item);
/* "TLSv1" ... "TLSv1.3" for a protocol version number. */
const char *report_json_tls_version(int v);
/* report.md 5.6, 5.7: the MTA-STS and TLS-RPT objects (report_json_policy.c) */
cJSON *report_json_mta_sts(const struct probe_result *r);
cJSON *report_json_tls_rpt(const struct probe_result *r);
/* report.md 5.10: the verdicts object (report_json_verdict.c) */
cJSON *report_json_verdicts(const struct probe_result *r);

#endif
