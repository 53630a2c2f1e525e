/*
 * report_json_policy.c - the domain's published policies in the JSON
 * report: the MTA-STS record and policy (report.md 5.6) and the TLS-RPT
 * record (5.7). Only rendering: the lookups and the fetch ran before.
 */
#include "report_json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mtasts_check.h"
#include "clock.h"
#include "text.h"
#include "tlsrpt.h"

#include "banned.h"

/* fetch_tls_json - the policy host's TLS as the fetch saw it, or null */
static cJSON *
fetch_tls_json(const struct mtasts_fetch_result *f)
{
	cJSON *t;
	char date[32];

	if (!f->tls_checked)
		return cJSON_CreateNull();
	t = cJSON_CreateObject();
	report_json_str(t, "version", f->tls_version);
	cJSON_AddBoolToObject(t, "trusted", f->trusted);
	cJSON_AddBoolToObject(t, "name_match", f->name_match);
	report_json_str(t, "verify_error", f->verify_error);
	report_json_str(t, "leaf_sha256",
	    f->leaf_known ? f->leaf_sha256 : NULL);
	if (f->leaf_known && f->not_after) {
		clock_rfc3339(f->not_after, date, sizeof(date));
		cJSON_AddStringToObject(t, "not_after", date);
	} else
		cJSON_AddNullToObject(t, "not_after");
	return t;
}

/* body_json - the body kept whole (report.md 2), escaped like all peer
 * text (65536 octets at most), or null */
static cJSON *
body_json(const struct mtasts_fetch_result *f)
{
	size_t cap = f->bytes * 3 + 8;
	char *b;
	cJSON *j;

	if (f->body == NULL || (b = malloc(cap)) == NULL)
		return cJSON_CreateNull();
	text_escape_lines(f->body, f->bytes, b, cap);
	j = cJSON_CreateString(b);
	free(b);
	return j;
}

/* parsed_json - the policy's fields, or null when it did not parse */
static cJSON *
parsed_json(const struct mtasts_state *s)
{
	cJSON *x, *a;

	if (!s->policy_parsed)
		return cJSON_CreateNull();
	x = cJSON_CreateObject();
	cJSON_AddStringToObject(x, "version",
	    s->policy.has_version ? "STSv1" : "");
	cJSON_AddStringToObject(x, "mode", mtasts_mode_name(s->policy.mode));
	cJSON_AddNumberToObject(x, "max_age", (double)s->policy.max_age);
	a = cJSON_AddArrayToObject(x, "mx");
	for (size_t i = 0; i < s->policy.nmx; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(s->policy.mx[i]));
	a = cJSON_AddArrayToObject(x, "unknown_keys");
	for (size_t i = 0; i < s->policy.nunknown; i++)
		cJSON_AddItemToArray(a,
		    cJSON_CreateString(s->policy.unknown[i].key));
	return x;
}

/* unused_json - the policy's mx patterns that match no MX host */
static cJSON *
unused_json(const struct probe_result *r, const struct mtasts_state *s)
{
	cJSON *a = cJSON_CreateArray();

	for (size_t i = 0; s->policy_parsed && i < s->policy.nmx; i++) {
		bool used = false;

		for (size_t k = 0; k < r->nmx && !used; k++)
			used = mtasts_mx_match(s->policy.mx[i],
			    strlen(s->policy.mx[i]), r->mx[k].name,
			    strlen(r->mx[k].name));
		if (!used)
			cJSON_AddItemToArray(a,
			    cJSON_CreateString(s->policy.mx[i]));
	}
	return a;
}

static cJSON *
policy_json(const struct probe_result *r, const struct mtasts_state *s)
{
	const struct mtasts_fetch_result *f = &s->fetch;
	cJSON *p = cJSON_CreateObject(), *a, *x;
	char esc[600];

	report_json_str(p, "url", f->url);
	a = cJSON_AddArrayToObject(p, "host_addresses");
	for (size_t i = 0; i < s->params.naddrs; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(s->addrs[i]));
	cJSON_AddBoolToObject(p, "fetched", f->fetched);
	cJSON_AddBoolToObject(p, "authenticated", f->authenticated);
	report_json_num(p, "http_status", f->http_status ? f->http_status : -1);
	if (f->has_content_type) {
		text_escape(f->content_type, f->content_type_len, esc,
		    sizeof(esc));
		cJSON_AddStringToObject(p, "content_type", esc);
	} else
		cJSON_AddNullToObject(p, "content_type");
	if (f->has_location) {
		text_escape(f->location, f->location_len, esc, sizeof(esc));
		cJSON_AddStringToObject(p, "location", esc);
	} else
		cJSON_AddNullToObject(p, "location");
	cJSON_AddNumberToObject(p, "bytes", (double)f->bytes);
	cJSON_AddNumberToObject(p, "ms", f->ms);
	cJSON_AddItemToObject(p, "tls", fetch_tls_json(f));
	cJSON_AddItemToObject(p, "body", body_json(f));
	cJSON_AddItemToObject(p, "parsed", parsed_json(s));
	cJSON_AddItemToObject(p, "unused_patterns", unused_json(r, s));
	if (f->err != ST_OK && f->error_code != NULL) {
		x = cJSON_AddObjectToObject(p, "error");
		cJSON_AddStringToObject(x, "code", f->error_code);
		cJSON_AddStringToObject(x, "phase",
		    f->error_phase ? f->error_phase : "https");
		cJSON_AddStringToObject(x, "message", f->errmsg);
	} else
		cJSON_AddNullToObject(p, "error");
	return p;
}

cJSON *
report_json_mta_sts(const struct probe_result *r)
{
	const struct mtasts_state *s = r->sts;
	cJSON *o, *t, *fl;
	char esc[600];

	if (!r->have_sts_dns || s == NULL)
		return cJSON_CreateNull();
	o = cJSON_CreateObject();
	t = cJSON_AddObjectToObject(o, "txt");
	cJSON_AddItemToObject(t, "lookup", report_json_lookup(r, &r->sts_txt));
	cJSON_AddNumberToObject(t, "candidates", (double)s->txt.candidates);
	if (s->txt.candidates == 1) {
		const char *rec = r->sts_txt.text[s->txt.record];

		text_escape(rec, strlen(rec), esc, sizeof(esc));
		cJSON_AddStringToObject(t, "record", esc);
	} else
		cJSON_AddNullToObject(t, "record");
	report_json_str(t, "id", s->txt.has_id ? s->txt.id : NULL);
	fl = cJSON_AddObjectToObject(t, "fields");
	for (size_t i = 0; i < s->txt.nfields; i++)
		cJSON_AddStringToObject(fl, s->txt.fields[i].name,
		    s->txt.fields[i].value);
	cJSON_AddItemToObject(o, "policy", policy_json(r, s));
	return o;
}

cJSON *
report_json_tls_rpt(const struct probe_result *r)
{
	cJSON *o, *a;
	struct tlsrpt t;
	char esc[600];

	if (!r->have_rpt_dns)
		return cJSON_CreateNull();
	o = cJSON_CreateObject();
	cJSON_AddItemToObject(o, "lookup", report_json_lookup(r, &r->rpt_txt));
	tlsrpt_init(&t);
	if (tlsrpt_parse(&t, (const char *const *)r->rpt_txt.txt,
	        r->rpt_txt.txt_len, r->rpt_txt.ntext) != ST_OK) {
		/* not "no record": the part is lost, and with it the render */
		tlsrpt_release(&t);
		cJSON_Delete(o);
		return NULL;
	}
	cJSON_AddNumberToObject(o, "candidates", (double)t.candidates);
	if (t.candidates == 1) {
		const char *rec = r->rpt_txt.text[t.record];

		text_escape(rec, strlen(rec), esc, sizeof(esc));
		cJSON_AddStringToObject(o, "record", esc);
	} else
		cJSON_AddNullToObject(o, "record");
	a = cJSON_AddArrayToObject(o, "rua");
	for (size_t i = 0; t.candidates == 1 && i < t.nuris; i++) {
		cJSON *u = cJSON_CreateObject();

		text_escape(t.uris[i].uri, t.uris[i].uri_len, esc, sizeof(esc));
		cJSON_AddStringToObject(u, "uri", esc);
		cJSON_AddStringToObject(u, "scheme", t.uris[i].scheme);
		cJSON_AddBoolToObject(u, "valid", t.uris[i].valid);
		cJSON_AddItemToArray(a, u);
	}
	tlsrpt_release(&t);
	return o;
}
