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

#endif
