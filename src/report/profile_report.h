/*
 * profile_report.h - the compliance profiles in the probe reports
 * (profile_report.c): the JSON "profiles" object and the human block.
 */
#ifndef SMTPTLS_PROFILE_REPORT_H
#define SMTPTLS_PROFILE_REPORT_H

#include "probe_result.h"

struct cJSON;
/* {"NAME": {document, required, result, addresses: [...]}} or NULL (out
 * of memory). */
struct cJSON *profiles_json(const struct probe_result *r);
/* One block per profile; text the caller frees, NULL out of memory. */
char *profiles_human(const struct probe_result *r);

#endif
