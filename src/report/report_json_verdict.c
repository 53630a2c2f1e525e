/*
 * report_json_verdict.c - the verdicts of the policy levels in the JSON
 * report (report.md 5.10): per level its outcome, counts, variants and the
 * outcome of every address. Only rendering: verdict.c judged them.
 */
#include "report_json.h"

#include "verdict.h"

#include "banned.h"

static cJSON *
vset_addrs(const struct verdict_set *s)
{
	cJSON *a = cJSON_CreateArray();

	for (size_t i = 0; a != NULL && i < s->n; i++) {
		const struct verdict_addr *v = &s->addrs[i];
		cJSON *o = cJSON_CreateObject();

		if (!cJSON_AddItemToArray(a, o)) {
			cJSON_Delete(a);
			return NULL;
		}

		cJSON_AddStringToObject(o, "mx", v->pa->mx->name);
		cJSON_AddStringToObject(o, "address", v->pa->address);
		cJSON_AddStringToObject(o, "outcome",
		    verdict_outcome_name(v->outcome));
		report_json_str(o, "transport", v->transport);
		report_json_str(o, "auth", v->auth);
		cJSON_AddStringToObject(o, "rule", v->rule);
		report_json_str(o, "reason", v->reason);
		if (v->has_would_fail)
			cJSON_AddBoolToObject(o, "would_fail", v->would_fail);
	}
	return a;
}

static cJSON *
counts_json(const struct verdict_set *s)
{
	cJSON *c = cJSON_CreateObject();

	cJSON_AddNumberToObject(c, "deliver", (double)s->deliver);
	cJSON_AddNumberToObject(c, "defer", (double)s->defer);
	cJSON_AddNumberToObject(c, "unknown", (double)s->unknown);
	return c;
}

cJSON *
report_json_verdicts(const struct probe_result *r)
{
	cJSON *v = cJSON_CreateObject(), *levels;
	bool ok;

	cJSON_AddStringToObject(v, "min_tls",
	    report_json_tls_version(r->opt.min_tls));
	levels = cJSON_AddObjectToObject(v, "levels");
	for (int i = 0; r->levels != NULL && i < LEVEL__COUNT; i++) {
		const struct verdict_level *L = &r->levels[i];
		cJSON *o, *vars;

		if (!L->present)
			continue;
		o = cJSON_AddObjectToObject(levels, probe_level_name(i));
		cJSON_AddStringToObject(o, "outcome",
		    verdict_outcome_name(L->strict.outcome));
		cJSON_AddBoolToObject(o, "required", L->required);
		report_json_str(o, "expectation", L->expectation);
		cJSON_AddStringToObject(o, "judged_on",
		    L->judged_on ? L->judged_on : "strict");
		cJSON_AddStringToObject(o, "status",
		    check_status_name(L->status));
		cJSON_AddItemToObject(o, "counts", counts_json(&L->strict));
		ok =
		    report_json_section(o, "addresses", vset_addrs(&L->strict));
		vars = cJSON_AddObjectToObject(o, "variants");
		for (size_t k = 0; ok && k < L->nvariants; k++) {
			const struct verdict_set *s = &L->variants[k];
			cJSON *x = cJSON_AddObjectToObject(vars, s->name);

			cJSON_AddStringToObject(x, "outcome",
			    verdict_outcome_name(s->outcome));
			cJSON_AddItemToObject(x, "counts", counts_json(s));
			ok = x != NULL &&
			     report_json_section(x, "addresses", vset_addrs(s));
		}
		if (!ok) {
			/* a level without its addresses is no verdict */
			cJSON_Delete(v);
			return NULL;
		}
	}
	return v;
}
