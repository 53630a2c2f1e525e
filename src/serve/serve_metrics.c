/*
 * serve_metrics.c - the metrics of one probe (GET /probe), made from its
 * JSON report (report.md) rather than from the measurement structs: the
 * report is the stable contract, so the exporter says exactly what
 * "smtptls probe --json" says, and a test can compare the two. Pure: text
 * in, text out.
 */
#include "smtptls/serve.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cJSON.h>

#include "json_read.h"
#include "serve_om.h"

#include "banned.h"

/* report.md 5.9: the closed set of check statuses */
static const char *const statuses[] = { "pass", "warn", "fail", "info", "skip",
	"error" };
#define NSTATUS (sizeof(statuses) / sizeof(statuses[0]))

/* summary_part - success, duration and exit code of the run */
static void
summary_part(struct serve_om *m, const cJSON *doc)
{
	const cJSON *code = json_get(json_get(doc, "summary"), "exit_code");
	const cJSON *ms = json_get(doc, "duration_ms");
	int exit_code = cJSON_IsNumber(code) ? code->valueint : 4;

	serve_om_family(m, "smtptls_probe_success", SERVE_OM_GAUGE, NULL,
	    "Whether the probe passed: exit code 0 (no check failed, every "
	    "level of &level= delivers).");
	serve_om_sample(m, NULL, 0, exit_code == 0);
	serve_om_family(m, "smtptls_probe_duration_seconds", SERVE_OM_GAUGE,
	    "seconds", "How long the probe took.");
	serve_om_sample(m, NULL, 0,
	    cJSON_IsNumber(ms) ? ms->valuedouble / 1000 : 0);
	serve_om_family(m, "smtptls_probe_exit_code", SERVE_OM_GAUGE, NULL,
	    "The exit code smtptls probe would return (report.md 8).");
	serve_om_sample(m, NULL, 0, exit_code);
}

/* levels_part - per level and rule (the strict rule, then its variants):
 * does a sender at that level deliver; is the domain outcome unknown */
static void
levels_part(struct serve_om *m, const cJSON *levels)
{
	const cJSON *lv, *var;

	serve_om_family(m, "smtptls_level_deliver", SERVE_OM_GAUGE, NULL,
	    "Whether a sender at this level delivers (1) or not (0), by the "
	    "strict rule (variant=\"strict\") and by each variant.");
	cJSON_ArrayForEach(lv, levels)
	{
		const char *out = json_str(lv, "outcome");
		const char *l[] = { "level", lv->string, "variant", "strict" };

		serve_om_sample(m, l, 2, out && strcmp(out, "deliver") == 0);
		cJSON_ArrayForEach(var, json_get(lv, "variants"))
		{
			out = json_str(var, "outcome");
			l[3] = var->string;
			serve_om_sample(m, l, 2,
			    out && strcmp(out, "deliver") == 0);
		}
	}
	serve_om_family(m, "smtptls_level_unknown", SERVE_OM_GAUGE, NULL,
	    "Whether the outcome at this level is unknown (not measured).");
	cJSON_ArrayForEach(lv, levels)
	{
		const char *out = json_str(lv, "outcome");
		const char *l[] = { "level", lv->string };

		serve_om_sample(m, l, 1, out && strcmp(out, "unknown") == 0);
	}
}

/* checks_part - how many results each check id has in each status; every
 * status of an id that occurs, zeros included, so that an alert on
 * status="fail" sees the change to 0 */
static enum st_err
checks_part(struct serve_om *m, const cJSON *checks)
{
	int n = cJSON_GetArraySize(checks);
	const char **ids = calloc((size_t)n + 1, sizeof(*ids));
	size_t(*cnt)[NSTATUS] = calloc((size_t)n + 1, sizeof(*cnt));
	size_t nids = 0;
	const cJSON *c;

	if (ids == NULL || cnt == NULL) {
		free(ids);
		free(cnt);
		return ST_ERR_NOMEM;
	}
	cJSON_ArrayForEach(c, checks)
	{
		const char *id = json_str(c, "id"), *st = json_str(c, "status");
		size_t i, s;

		if (id == NULL || st == NULL)
			continue;
		for (i = 0; i < nids && strcmp(ids[i], id) != 0; i++)
			;
		if (i == nids)
			ids[nids++] = id;
		for (s = 0; s < NSTATUS && strcmp(statuses[s], st) != 0; s++)
			;
		if (s < NSTATUS)
			cnt[i][s]++;
	}
	serve_om_family(m, "smtptls_check_status", SERVE_OM_GAUGE, NULL,
	    "How many results of this check id have this status.");
	for (size_t i = 0; i < nids; i++)
		for (size_t s = 0; s < NSTATUS; s++) {
			const char *l[] = { "id", ids[i], "status",
				statuses[s] };

			serve_om_sample(m, l, 2, (double)cnt[i][s]);
		}
	free(ids);
	free(cnt);
	return ST_OK;
}

/* cert_time - report.md 2 certificate date "2025-05-11T23:59:59Z" as Unix
 * seconds; false when it is not one */
static bool
cert_time(const char *s, double *out)
{
	struct tm tm;
	char z = 0;
	int n = 0;

	memset(&tm, 0, sizeof(tm));
	if (s == NULL || strlen(s) != 20 ||
	    sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%c%n", &tm.tm_year, &tm.tm_mon,
	        &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &z,
	        &n) != 7 ||
	    z != 'Z' || n != 20)
		return false;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	*out = (double)timegm(&tm);
	return true;
}

enum addr_metric { AM_NOT_AFTER = 0, AM_TLS, AM_DANE };

/* addr_sample - one address's sample of family k, when it has one */
static void
addr_sample(struct serve_om *m, enum addr_metric k, const char *mx,
    const cJSON *a)
{
	const cJSON *tls = json_get(a, "tls"), *dane = json_get(a, "dane"), *v;
	const char *l[] = { "mx", mx, "address", json_str(a, "address"),
		"version", json_str(tls, "version"), "cipher",
		json_str(tls, "cipher") };
	double t;

	if (l[3] == NULL)
		return;
	if (k == AM_NOT_AFTER &&
	    cert_time(json_str(cJSON_GetArrayItem(json_get(tls, "chain"), 0),
	                  "not_after"),
	        &t))
		serve_om_sample(m, l, 2, t);
	else if (k == AM_TLS && cJSON_IsTrue(json_get(tls, "established")) &&
	         l[5] != NULL && l[7] != NULL)
		serve_om_sample(m, l, 4, 1);
	else if (k == AM_DANE && cJSON_IsTrue(json_get(dane, "checked")) &&
	         cJSON_IsBool(v = json_get(dane, "verified")))
		serve_om_sample(m, l, 2, cJSON_IsTrue(v));
}

/* addresses_part - per MX address: leaf certificate expiry, TLS version
 * and cipher, DANE */
static void
addresses_part(struct serve_om *m, const cJSON *mxs)
{
	static const struct {
		const char *name, *unit, *help;
	} fam[] = {
		[AM_NOT_AFTER] = { "smtptls_cert_not_after_timestamp_seconds",
		    "seconds",
		    "When the server certificate (depth 0) expires, Unix "
		    "time." },
		[AM_TLS] = { "smtptls_tls_version_info", NULL,
		    "The TLS version and cipher suite the handshake "
		    "agreed (always 1)." },
		[AM_DANE] = { "smtptls_dane_match", NULL,
		    "Whether a usable TLSA record matched what the server "
		    "presented (1) or none did (0); absent without TLSA "
		    "records." },
	};
	const cJSON *mx, *a;

	for (size_t k = 0; k < sizeof(fam) / sizeof(fam[0]); k++) {
		serve_om_family(m, fam[k].name, SERVE_OM_GAUGE, fam[k].unit,
		    fam[k].help);
		cJSON_ArrayForEach(mx, mxs)
		{
			const char *name = json_str(mx, "name");

			cJSON_ArrayForEach(a, json_get(mx, "addresses"))
			{
				if (name != NULL)
					addr_sample(m, (enum addr_metric)k,
					    name, a);
			}
		}
	}
}

/* mtasts_part - the mode of the MTA-STS policy in force; all 0 when there
 * is no usable policy */
static void
mtasts_part(struct serve_om *m, const cJSON *sts)
{
	static const char *const modes[] = { "enforce", "testing", "none" };
	const char *mode =
	    json_str(json_get(json_get(sts, "policy"), "parsed"), "mode");

	serve_om_family(m, "smtptls_mtasts_mode", SERVE_OM_GAUGE, NULL,
	    "The mode of the domain's MTA-STS policy (1 for the mode in "
	    "force; all 0 without a usable policy).");
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		const char *l[] = { "mode", modes[i] };

		serve_om_sample(m, l, 1,
		    mode != NULL && strcmp(mode, modes[i]) == 0);
	}
}

enum st_err
serve_metrics_probe(const char *json, size_t len, enum serve_format f,
    char **out)
{
	cJSON *doc = cJSON_ParseWithLength(json, len);
	const char *type = json_str(doc, "type");
	struct serve_om m;
	enum st_err err;

	*out = NULL;
	if (doc == NULL || type == NULL || strcmp(type, "probe") != 0) {
		cJSON_Delete(doc);
		return ST_ERR_PARSE;
	}
	serve_om_init(&m, f);
	summary_part(&m, doc);
	levels_part(&m, json_get(json_get(doc, "verdicts"), "levels"));
	err = checks_part(&m, json_get(doc, "checks"));
	addresses_part(&m, json_get(doc, "mx"));
	mtasts_part(&m, json_get(doc, "mta_sts"));
	if (err != ST_OK && m.err == ST_OK)
		m.err = err;
	cJSON_Delete(doc);
	return serve_om_finish(&m, out);
}
