/*
 * profile_report.c - render the compliance profiles: the "profiles"
 * object of a probe report (report.md, issue 18) and its compact human
 * table, and the text of "smtptls profiles [NAME]". Grades nothing.
 */
#include "profile_report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "buf.h"
#include "profile.h"
#include "smtptls/profile.h"

#include "banned.h"

#define PROFILE_TEXT_MAX (1024 * 1024)

static const char *
tier_of(const struct profile *p, const struct prof_req *q,
    const struct prof_outcome *o)
{
	return p->tiered && !q->no_tier ? prof_tier_name(o->tier) : NULL;
}

static cJSON *
outcome_json(const struct profile *p, const struct prof_req *q,
    const struct prof_outcome *o)
{
	cJSON *x = cJSON_CreateObject();
	const char *tier = tier_of(p, q, o);

	if (x == NULL || cJSON_AddStringToObject(x, "id", q->id) == NULL ||
	    cJSON_AddStringToObject(x, "level", prof_level_name(q->level)) ==
	        NULL ||
	    cJSON_AddStringToObject(x, "result", prof_res_name(o->res)) ==
	        NULL ||
	    (tier != NULL ? cJSON_AddStringToObject(x, "tier", tier)
	                  : cJSON_AddNullToObject(x, "tier")) == NULL ||
	    cJSON_AddStringToObject(x, "evidence", o->evidence) == NULL) {
		cJSON_Delete(x);
		return NULL;
	}
	return x;
}

static cJSON *
address_json(const struct profile_run *pr, size_t a)
{
	const struct probe_addr *pa = pr->addrs[a];
	cJSON *x = cJSON_CreateObject(), *res;

	if (x == NULL ||
	    cJSON_AddStringToObject(x, "mx", pa->mx->name) == NULL ||
	    cJSON_AddStringToObject(x, "address", pa->address) == NULL ||
	    (res = cJSON_AddArrayToObject(x, "requirements")) == NULL) {
		cJSON_Delete(x);
		return NULL;
	}
	for (size_t q = 0; q < pr->p->nreqs; q++) {
		cJSON *o = outcome_json(pr->p, &pr->p->reqs[q],
		    &pr->out[a * pr->p->nreqs + q]);

		if (o == NULL || !cJSON_AddItemToArray(res, o)) {
			cJSON_Delete(o);
			cJSON_Delete(x);
			return NULL;
		}
	}
	return x;
}

static cJSON *
run_json(const struct profile_run *pr)
{
	cJSON *x = cJSON_CreateObject(), *addrs;

	if (x == NULL ||
	    cJSON_AddStringToObject(x, "document", pr->p->document) == NULL ||
	    cJSON_AddBoolToObject(x, "required", pr->required) == NULL ||
	    cJSON_AddStringToObject(x, "result", prof_res_name(pr->overall)) ==
	        NULL ||
	    (addrs = cJSON_AddArrayToObject(x, "addresses")) == NULL) {
		cJSON_Delete(x);
		return NULL;
	}
	for (size_t a = 0; a < pr->naddrs; a++) {
		cJSON *o = address_json(pr, a);

		if (o == NULL || !cJSON_AddItemToArray(addrs, o)) {
			cJSON_Delete(o);
			cJSON_Delete(x);
			return NULL;
		}
	}
	return x;
}

cJSON *
profiles_json(const struct probe_result *r)
{
	cJSON *x = cJSON_CreateObject();

	if (x == NULL)
		return NULL;
	for (size_t i = 0; i < r->nprofiles; i++) {
		cJSON *o = run_json(&r->profiles[i]);

		if (o == NULL ||
		    !cJSON_AddItemToObject(x, r->profiles[i].p->name, o)) {
			cJSON_Delete(o);
			cJSON_Delete(x);
			return NULL;
		}
	}
	return x;
}

/* human_run - "profile NAME: RESULT" and a line per requirement and
 * address that is not a plain pass */
static bool
human_run(struct buf *b, const struct profile_run *pr)
{
	const struct profile *p = pr->p;
	bool ok = buf_printf(b, "\nprofile %s: %s%s\n", p->name,
	              prof_res_name(pr->overall),
	              pr->required ? " (required)" : "") == ST_OK;

	for (size_t a = 0; ok && a < pr->naddrs; a++) {
		ok = buf_printf(b, "  %s[%s]\n", pr->addrs[a]->mx->name,
		         pr->addrs[a]->address) == ST_OK;
		for (size_t q = 0; ok && q < p->nreqs; q++) {
			const struct prof_req *rq = &p->reqs[q];
			const struct prof_outcome *o =
			    &pr->out[a * p->nreqs + q];
			const char *tier = tier_of(p, rq, o);

			ok = buf_printf(b, "    %-14s %-13s %-30s %.90s\n",
			         prof_res_name(o->res), tier ? tier : "-",
			         rq->id, o->evidence) == ST_OK;
		}
	}
	return ok;
}

char *
profiles_human(const struct probe_result *r)
{
	struct buf b;

	buf_init(&b, PROFILE_TEXT_MAX);
	for (size_t i = 0; i < r->nprofiles; i++)
		if (!human_run(&b, &r->profiles[i])) {
			buf_release(&b);
			return NULL;
		}
	if (buf_addstr(&b, "") != ST_OK) {
		buf_release(&b);
		return NULL;
	}
	return buf_take(&b);
}

const char *
smtptls_profile_name(size_t i)
{
	const struct profile *p = profile_at(i);

	return p != NULL ? p->name : NULL;
}

bool
smtptls_profile_known(const char *name)
{
	return profile_find(name) != NULL;
}

static cJSON *
req_json(const struct profile *p, const struct prof_req *q)
{
	cJSON *x = cJSON_CreateObject();

	if (x == NULL || cJSON_AddStringToObject(x, "id", q->id) == NULL ||
	    cJSON_AddStringToObject(x, "level", prof_level_name(q->level)) ==
	        NULL ||
	    cJSON_AddStringToObject(x, "fact", prof_fact_name(q->fact)) ==
	        NULL ||
	    cJSON_AddBoolToObject(x, "tiered", p->tiered && !q->no_tier) ==
	        NULL ||
	    cJSON_AddStringToObject(x, "text", q->text) == NULL ||
	    cJSON_AddStringToObject(x, "source", q->source) == NULL) {
		cJSON_Delete(x);
		return NULL;
	}
	return x;
}

static cJSON *
profile_json(const struct profile *p, bool with_reqs)
{
	cJSON *x = cJSON_CreateObject(), *reqs;

	if (x == NULL || cJSON_AddStringToObject(x, "name", p->name) == NULL ||
	    cJSON_AddStringToObject(x, "title", p->title) == NULL ||
	    cJSON_AddStringToObject(x, "document", p->document) == NULL ||
	    cJSON_AddBoolToObject(x, "tiered", p->tiered) == NULL ||
	    (with_reqs &&
	        (p->note ? cJSON_AddStringToObject(x, "note", p->note)
	                 : cJSON_AddNullToObject(x, "note")) == NULL)) {
		cJSON_Delete(x);
		return NULL;
	}
	if (!with_reqs)
		return x;
	if ((reqs = cJSON_AddArrayToObject(x, "requirements")) == NULL) {
		cJSON_Delete(x);
		return NULL;
	}
	for (size_t i = 0; i < p->nreqs; i++) {
		cJSON *o = req_json(p, &p->reqs[i]);

		if (o == NULL || !cJSON_AddItemToArray(reqs, o)) {
			cJSON_Delete(o);
			cJSON_Delete(x);
			return NULL;
		}
	}
	return x;
}

static char *
list_json(const struct profile *one)
{
	cJSON *doc = cJSON_CreateObject(), *arr = NULL, *o;
	const struct profile *p;
	char *out = NULL;

	if (doc == NULL)
		return NULL;
	if (one != NULL) {
		if ((o = profile_json(one, true)) != NULL &&
		    cJSON_AddItemToObject(doc, "profile", o))
			out = cJSON_PrintUnformatted(doc);
		else
			cJSON_Delete(o);
		cJSON_Delete(doc);
		return out;
	}
	if ((arr = cJSON_AddArrayToObject(doc, "profiles")) == NULL)
		goto out;
	for (size_t i = 0; (p = profile_at(i)) != NULL; i++)
		if ((o = profile_json(p, false)) == NULL ||
		    !cJSON_AddItemToArray(arr, o)) {
			cJSON_Delete(o);
			goto out;
		}
	out = cJSON_PrintUnformatted(doc);
out:
	cJSON_Delete(doc);
	return out;
}

static bool
table_text(struct buf *b, const struct profile *p)
{
	bool ok = buf_printf(b, "%s - %s\nsource: %s\n%s%s%s", p->name,
	              p->title, p->document, p->note ? "note: " : "",
	              p->note ? p->note : "", p->note ? "\n" : "") == ST_OK;

	for (size_t i = 0; ok && i < p->nreqs; i++) {
		const struct prof_req *q = &p->reqs[i];

		ok = buf_printf(b, "\n%s (%s, reads %s)\n  %s\n  source: %s\n",
		         q->id, prof_level_name(q->level),
		         prof_fact_name(q->fact), q->text, q->source) == ST_OK;
	}
	return ok;
}

char *
smtptls_profiles_render(const char *name, bool json, bool *unknown)
{
	const struct profile *p = NULL;
	struct buf b;
	bool ok = true;

	*unknown = false;
	if (name != NULL && (p = profile_find(name)) == NULL) {
		*unknown = true;
		return NULL;
	}
	if (json)
		return list_json(p);
	buf_init(&b, PROFILE_TEXT_MAX);
	if (p != NULL)
		ok = table_text(&b, p);
	for (size_t i = 0; ok && p == NULL && profile_at(i) != NULL; i++)
		ok = buf_printf(&b, "%-14s %s\n", profile_at(i)->name,
		         profile_at(i)->title) == ST_OK;
	if (!ok || buf_addstr(&b, "") != ST_OK) {
		buf_release(&b);
		return NULL;
	}
	return buf_take(&b);
}
