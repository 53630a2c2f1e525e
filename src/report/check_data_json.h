/*
 * check_data_json.h - the "data" member of a check in the JSON report
 * (report.md 6), rendered from the check's typed data (check_data.h).
 */
#ifndef SMTPTLS_CHECK_DATA_JSON_H
#define SMTPTLS_CHECK_DATA_JSON_H

#include <cJSON.h>

#include "smtptls/check.h"

#include "dns.h"

/* The data of c as a new JSON value; NULL when c has none (or out of
 * memory, which cJSON gives no other way to tell). */
cJSON *check_data_json(const struct check_result *c);
struct dane_unmatched;
/* TLSA records that matched nothing, as "u s m" strings (report.md 5.4). */
cJSON *report_json_dane_unmatched(const struct dane_unmatched *u);
/* The CNAME chain of an answer (report.md 5.2), as a new array. */
cJSON *report_json_cname_chain(const struct dns_answer *a);

#endif
