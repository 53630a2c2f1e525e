/*
 * report_json.c - the probe document of report.md 4: run settings, DNS,
 * MX hosts, checks, verdicts and summary. Addresses are rendered by
 * report_json_addr.c. Only rendering: every value was measured before.
 */
#include "report_json.h"
#include "judge.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <ldns/ldns.h>
#include <openssl/crypto.h>
#include <openssl/ssl.h>

#include "mtasts_check.h"
#include "clock.h"
#include "text.h"
#include "tlsrpt.h"
#include "verdict.h"

#include "banned.h"

/* section - add a part of the document; false, with the part freed, when
 * it or its key could not be stored */
static bool
section(cJSON *doc, const char *key, cJSON *item)
{
	if (item != NULL && cJSON_AddItemToObject(doc, key, item))
		return true;
	cJSON_Delete(item);
	return false;
}

static int
str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static const char *
dns_error_code(const struct dns_answer *a)
{
	if (a->err == ST_ERR_TIMEOUT)
		return "dns-timeout";
	if (a->rcode == LDNS_RCODE_SERVFAIL)
		return a->dnssec == DNSSEC_BOGUS ? "dns-bogus" : "dns-servfail";
	if (a->rcode == LDNS_RCODE_REFUSED)
		return "dns-refused";
	if (a->rcode == LDNS_RCODE_FORMERR)
		return "dns-formerr";
	return "dns-servfail";
}

cJSON *
report_json_lookup(const struct probe_result *r, const struct dns_answer *a)
{
	cJSON *o = cJSON_CreateObject(), *ans, *e;
	const char *rc = dns_rcode_name(a->rcode);

	cJSON_AddStringToObject(o, "name", a->name ? a->name : "");
	cJSON_AddStringToObject(o, "type", dns_type_name(a->type));
	report_json_str(o, "rcode", rc);
	cJSON_AddStringToObject(o, "dnssec",
	    dns_dnssec_name(r->validating || a->dnssec == DNSSEC_BOGUS
	                        ? a->dnssec
	                        : DNSSEC_UNCHECKED));
	report_json_num(o, "ttl", a->ttl);
	ans = cJSON_AddArrayToObject(o, "answers");
	if (a->type == LDNS_RR_TYPE_MX) {
		for (size_t i = 0; i < a->nmx; i++) {
			cJSON *m = cJSON_CreateObject();

			cJSON_AddNumberToObject(m, "preference",
			    a->mx[i].preference);
			cJSON_AddStringToObject(m, "exchange",
			    a->mx[i].exchange[0] ? a->mx[i].exchange : ".");
			cJSON_AddItemToArray(ans, m);
		}
	} else if (a->type == LDNS_RR_TYPE_TLSA) {
		for (size_t i = 0; i < a->ntlsa; i++) {
			const struct dns_tlsa *t = &a->tlsa[i];
			cJSON *m = cJSON_CreateObject();
			char *hex = malloc(t->len * 2 + 1);
			bool usable = (t->usage == 2 || t->usage == 3) &&
			              t->selector <= 1 && t->mtype <= 2;

			for (size_t k = 0; hex != NULL && k < t->len; k++)
				snprintf(hex + 2 * k, 3, "%02x", t->data[k]);
			if (hex != NULL)
				hex[t->len * 2] = '\0';
			cJSON_AddNumberToObject(m, "usage", t->usage);
			cJSON_AddNumberToObject(m, "selector", t->selector);
			cJSON_AddNumberToObject(m, "mtype", t->mtype);
			cJSON_AddStringToObject(m, "data", hex ? hex : "");
			cJSON_AddBoolToObject(m, "usable", usable);
			report_json_str(m, "reason",
			    usable ? NULL
			    : t->usage < 2
			        ? "usages 0 and 1 are unusable for SMTP (RFC 7672 3.1.3)"
			        : "unknown usage, selector or matching type");
			free(hex);
			cJSON_AddItemToArray(ans, m);
		}
	} else {
		char **sorted = calloc(a->ntext + 1, sizeof(*sorted));

		if (sorted != NULL) {
			if (a->ntext > 0)
				memcpy(sorted, a->text,
				    a->ntext * sizeof(*sorted));
			/* Addresses arrive sorted from dns.c; TXT by text. */
			if (a->type == LDNS_RR_TYPE_TXT)
				qsort(sorted, a->ntext, sizeof(*sorted),
				    str_cmp);
			for (size_t i = 0; i < a->ntext; i++)
				cJSON_AddItemToArray(ans,
				    cJSON_CreateString(sorted[i]));
			free(sorted);
		}
	}
	cJSON_AddItemToObject(o, "cname_chain", check_dns_cname_json(a));
	cJSON_AddNumberToObject(o, "ms", a->ms);
	if (a->err != ST_OK || (a->rcode != LDNS_RCODE_NOERROR &&
	                           a->rcode != LDNS_RCODE_NXDOMAIN)) {
		e = cJSON_AddObjectToObject(o, "error");
		cJSON_AddStringToObject(e, "code", dns_error_code(a));
		cJSON_AddStringToObject(e, "phase", "dns");
		cJSON_AddStringToObject(e, "message",
		    a->errmsg[0] ? a->errmsg
		    : rc         ? rc
		                 : "no answer");
	} else
		cJSON_AddNullToObject(o, "error");
	return o;
}

static cJSON *
tool_json(void)
{
	cJSON *t = cJSON_CreateObject();

	cJSON_AddStringToObject(t, "name", "smtptls");
	cJSON_AddStringToObject(t, "version", smtptls_version());
	cJSON_AddStringToObject(t, "openssl", OpenSSL_version(OPENSSL_VERSION));
	cJSON_AddStringToObject(t, "libcurl",
	    curl_version_info(CURLVERSION_NOW)->version);
	cJSON_AddStringToObject(t, "ldns", ldns_version());
	cJSON_AddStringToObject(t, "cjson", cJSON_Version());
	return t;
}

static cJSON *
target_json(const struct probe_result *r)
{
	cJSON *t = cJSON_CreateObject();
	static const char *const kinds[] = { "domain", "address", "host" };

	cJSON_AddStringToObject(t, "input", r->input);
	cJSON_AddStringToObject(t, "kind", kinds[r->kind]);
	report_json_str(t, "domain", r->domain);
	report_json_str(t, "mailbox", r->mailbox);
	report_json_str(t, "host", r->kind == TARGET_HOST ? r->opt.host : NULL);
	return t;
}

static const char *
tls_version_name(int v)
{
	switch (v) {
	case TLS1_VERSION:
		return "TLSv1";
	case TLS1_1_VERSION:
		return "TLSv1.1";
	case TLS1_3_VERSION:
		return "TLSv1.3";
	default:
		return "TLSv1.2";
	}
}

static cJSON *
run_json(const struct probe_result *r)
{
	const struct probe_options *o = &r->opt;
	cJSON *x = cJSON_CreateObject(), *a;

	cJSON_AddStringToObject(x, "command", "probe");
	a = cJSON_AddArrayToObject(x, "modes");
	cJSON_AddItemToArray(a, cJSON_CreateString("standard"));
	if (o->scan)
		cJSON_AddItemToArray(a, cJSON_CreateString("scan"));
	if (r->mailbox)
		cJSON_AddItemToArray(a, cJSON_CreateString("rcpt"));
	if (r->mailbox && o->catchall)
		cJSON_AddItemToArray(a, cJSON_CreateString("rcpt.catchall"));
	if (r->mailbox && o->cleartext)
		cJSON_AddItemToArray(a, cJSON_CreateString("rcpt.cleartext"));
	a = cJSON_AddArrayToObject(x, "require");
	for (int i = 0; i < LEVEL__COUNT; i++)
		if (o->require & (1u << i))
			cJSON_AddItemToArray(a,
			    cJSON_CreateString(probe_level_name(i)));
	cJSON_AddBoolToObject(x, "strict", o->strict);
	a = cJSON_AddArrayToObject(x, "ignore");
	for (size_t i = 0; i < o->nignore; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(o->ignore[i]));
	cJSON_AddNumberToObject(x, "port", o->port);
	a = cJSON_AddArrayToObject(x, "families");
	if (o->ipv4)
		cJSON_AddItemToArray(a, cJSON_CreateString("ipv4"));
	if (o->ipv6)
		cJSON_AddItemToArray(a, cJSON_CreateString("ipv6"));
	cJSON_AddStringToObject(x, "ehlo", r->ehlo);
	cJSON_AddStringToObject(x, "mail_from", o->mail_from);
	cJSON_AddStringToObject(x, "min_tls", tls_version_name(o->min_tls));
	cJSON_AddNumberToObject(x, "warn_days", o->warn_days);
	cJSON_AddNumberToObject(x, "timeout_ms", o->timeout_ms);
	cJSON_AddNumberToObject(x, "deadline_ms", o->deadline_ms);
	cJSON_AddStringToObject(x, "trust_store", r->trust_store);
	cJSON_AddBoolToObject(x, "dane", !o->no_dane);
	cJSON_AddBoolToObject(x, "mta_sts", !o->no_mta_sts);
	return x;
}

static cJSON *
dns_json(const struct probe_result *r)
{
	cJSON *d = cJSON_CreateObject(), *res, *s, *mx;
	char srv[96];

	res = cJSON_AddObjectToObject(d, "resolver");
	s = cJSON_AddArrayToObject(res, "servers");
	for (size_t i = 0; i < r->dnscfg.nservers; i++) {
		const struct dns_server *sv = &r->dnscfg.servers[i];

		snprintf(srv, sizeof(srv),
		    strchr(sv->addr, ':') ? "[%s]:%u" : "%s:%u", sv->addr,
		    (unsigned)sv->port);
		cJSON_AddItemToArray(s, cJSON_CreateString(srv));
	}
	cJSON_AddStringToObject(res, "dnssec_source",
	    r->dnscfg.source == DNS_SRC_LOCAL ? "local" : "resolver-ad");
	report_json_str(res, "trust_anchor", r->opt.trust_anchor);
	cJSON_AddBoolToObject(res, "validating", r->validating);
	if (r->have_mxans) {
		mx = cJSON_AddObjectToObject(d, "mx");
		cJSON_AddItemToObject(mx, "lookup",
		    report_json_lookup(r, &r->mxans));
		cJSON_AddBoolToObject(mx, "null_mx", r->null_mx);
		cJSON_AddBoolToObject(mx, "implicit", r->implicit);
	} else
		cJSON_AddNullToObject(d, "mx");
	cJSON_AddNumberToObject(d, "queries", r->dns_queries);
	cJSON_AddNumberToObject(d, "ms", (double)r->dns_ms);
	return d;
}

static cJSON *
mx_json(const struct probe_result *r, const struct probe_mx *m)
{
	cJSON *o = cJSON_CreateObject(), *a, *d;
	const struct dns_answer *any = m->have_a      ? &m->a
	                               : m->have_aaaa ? &m->aaaa
	                                              : NULL;

	cJSON_AddStringToObject(o, "name", m->name);
	report_json_num(o, "preference", m->preference);
	cJSON_AddStringToObject(o, "source", m->source);
	cJSON_AddItemToObject(o, "cname_chain",
	    any ? check_dns_cname_json(any) : cJSON_CreateArray());
	cJSON_AddItemToObject(o, "a",
	    m->have_a ? report_json_lookup(r, &m->a) : cJSON_CreateNull());
	cJSON_AddItemToObject(o, "aaaa",
	    m->have_aaaa ? report_json_lookup(r, &m->aaaa)
	                 : cJSON_CreateNull());
	if (r->opt.no_dane || m->literal)
		cJSON_AddNullToObject(o, "dane");
	else {
		d = cJSON_AddObjectToObject(o, "dane");
		cJSON_AddStringToObject(d, "state",
		    verdict_dane_state_name(r, m));
		cJSON_AddStringToObject(d, "base_domain",
		    m->tlsa_base ? m->tlsa_base : m->name);
		cJSON_AddItemToObject(d, "tlsa",
		    m->have_tlsa ? report_json_lookup(r, &m->tlsa)
		                 : cJSON_CreateNull());
	}
	if (mtasts_mode_of(r) != MTASTS_MODE_UNSET) {
		const char *pat = mtasts_match(r, m->name);

		d = cJSON_AddObjectToObject(o, "mta_sts");
		cJSON_AddBoolToObject(d, "matched", pat != NULL);
		report_json_str(d, "pattern", pat);
	} else
		cJSON_AddNullToObject(o, "mta_sts");
	a = cJSON_AddArrayToObject(o, "addresses");
	for (size_t k = 0; k < m->naddrs; k++)
		cJSON_AddItemToArray(a, report_json_address(r, &m->addrs[k]));
	return o;
}

static cJSON *
checks_json(const struct probe_result *r)
{
	cJSON *a = cJSON_CreateArray();

	for (size_t i = 0; a != NULL && i < r->checks.n; i++) {
		const struct check_result *c = &r->checks.v[i];
		cJSON *o = cJSON_CreateObject(), *s;

		if (!cJSON_AddItemToArray(a, o)) {
			/* a check left out would read as not run */
			cJSON_Delete(a);
			return NULL;
		}

		cJSON_AddStringToObject(o, "id", check_id_name(c->id));
		cJSON_AddStringToObject(o, "status",
		    check_status_name(c->status));
		cJSON_AddStringToObject(o, "severity",
		    check_severity(c->id) ? check_severity(c->id) : "info");
		s = cJSON_AddObjectToObject(o, "subject");
		if (c->mailbox)
			cJSON_AddStringToObject(s, "mailbox", c->mailbox);
		if (c->domain)
			cJSON_AddStringToObject(s, "domain", c->domain);
		if (c->mx)
			cJSON_AddStringToObject(s, "mx", c->mx);
		if (c->address)
			cJSON_AddStringToObject(s, "address", c->address);
		cJSON_AddStringToObject(o, "detail", c->detail);
		if (c->data != NULL && c->status != CHECK_SKIP)
			cJSON_AddItemToObject(o, "data",
			    cJSON_Duplicate(c->data, 1));
		if (c->tlsrpt != NULL &&
		    (c->status == CHECK_WARN || c->status == CHECK_FAIL))
			cJSON_AddStringToObject(o, "tlsrpt", c->tlsrpt);
		if (c->waived)
			cJSON_AddBoolToObject(o, "waived", true);
	}
	return a;
}

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

static cJSON *
verdicts_json(const struct probe_result *r)
{
	cJSON *v = cJSON_CreateObject(), *levels;
	bool ok;

	cJSON_AddStringToObject(v, "min_tls", tls_version_name(r->opt.min_tls));
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
		ok = section(o, "addresses", vset_addrs(&L->strict));
		vars = cJSON_AddObjectToObject(o, "variants");
		for (size_t k = 0; ok && k < L->nvariants; k++) {
			const struct verdict_set *s = &L->variants[k];
			cJSON *x = cJSON_AddObjectToObject(vars, s->name);

			cJSON_AddStringToObject(x, "outcome",
			    verdict_outcome_name(s->outcome));
			cJSON_AddItemToObject(x, "counts", counts_json(s));
			ok =
			    x != NULL && section(x, "addresses", vset_addrs(s));
		}
		if (!ok) {
			/* a level without its addresses is no verdict */
			cJSON_Delete(v);
			return NULL;
		}
	}
	return v;
}

static cJSON *
summary_json(const struct probe_result *r)
{
	cJSON *s = cJSON_CreateObject(), *c, *a;
	size_t counts[CHECK__COUNT], total = 0, measured = 0, err = 0,
	                             skipped = 0, waived = 0;

	check_list_count(&r->checks, counts);
	c = cJSON_AddObjectToObject(s, "checks");
	for (int i = 0; i < CHECK__COUNT; i++)
		cJSON_AddNumberToObject(c, check_status_name(i),
		    (double)counts[i]);
	for (size_t i = 0; i < r->checks.n; i++)
		waived += r->checks.v[i].waived;
	if (waived)
		cJSON_AddNumberToObject(c, "waived", (double)waived);
	for (size_t i = 0; i < r->nmx; i++)
		for (size_t k = 0; k < r->mx[i].naddrs; k++) {
			const struct probe_addr *pa = &r->mx[i].addrs[k];

			total++;
			measured += pa->connected;
			err += pa->state == ADDR_ERROR;
			skipped += pa->state == ADDR_SKIPPED ||
			           pa->state == ADDR_CUT ||
			           pa->state == ADDR_NONE;
		}
	a = cJSON_AddObjectToObject(s, "addresses");
	cJSON_AddNumberToObject(a, "total", (double)total);
	cJSON_AddNumberToObject(a, "measured", (double)measured);
	cJSON_AddNumberToObject(a, "error", (double)err);
	cJSON_AddNumberToObject(a, "skipped", (double)skipped);
	cJSON_AddBoolToObject(s, "complete",
	    counts[CHECK_ERROR] == 0 && r->run_error[0] == '\0' &&
	        !r->deadline_hit);
	cJSON_AddNumberToObject(s, "exit_code", r->exit_code);
	cJSON_AddStringToObject(s, "exit_reason", r->exit_reason);
	return s;
}

static cJSON *
policy_json(const struct probe_result *r, const struct mtasts_state *s)
{
	const struct mtasts_fetch_result *f = &s->fetch;
	cJSON *p = cJSON_CreateObject(), *a, *t, *x;
	char esc[600], date[32];

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
	if (f->tls_checked) {
		t = cJSON_AddObjectToObject(p, "tls");
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
	} else
		cJSON_AddNullToObject(p, "tls");
	if (f->body != NULL) {
		/* The body is kept whole (report.md 2), escaped like all peer
		 * text; 65536 octets at most. */
		size_t cap = f->bytes * 3 + 8;
		char *b = malloc(cap);

		if (b != NULL) {
			text_escape_lines(f->body, f->bytes, b, cap);
			cJSON_AddStringToObject(p, "body", b);
			free(b);
		} else
			cJSON_AddNullToObject(p, "body");
	} else
		cJSON_AddNullToObject(p, "body");
	if (s->policy_parsed) {
		x = cJSON_AddObjectToObject(p, "parsed");
		cJSON_AddStringToObject(x, "version",
		    s->policy.has_version ? "STSv1" : "");
		cJSON_AddStringToObject(x, "mode",
		    mtasts_mode_name(s->policy.mode));
		cJSON_AddNumberToObject(x, "max_age",
		    (double)s->policy.max_age);
		a = cJSON_AddArrayToObject(x, "mx");
		for (size_t i = 0; i < s->policy.nmx; i++)
			cJSON_AddItemToArray(a,
			    cJSON_CreateString(s->policy.mx[i]));
		a = cJSON_AddArrayToObject(x, "unknown_keys");
		for (size_t i = 0; i < s->policy.nunknown; i++)
			cJSON_AddItemToArray(a,
			    cJSON_CreateString(s->policy.unknown[i].key));
		a = cJSON_AddArrayToObject(p, "unused_patterns");
		for (size_t i = 0; i < s->policy.nmx; i++) {
			bool used = false;

			for (size_t k = 0; k < r->nmx && !used; k++)
				used = mtasts_mx_match(s->policy.mx[i],
				    strlen(s->policy.mx[i]), r->mx[k].name,
				    strlen(r->mx[k].name));
			if (!used)
				cJSON_AddItemToArray(a,
				    cJSON_CreateString(s->policy.mx[i]));
		}
	} else {
		cJSON_AddNullToObject(p, "parsed");
		cJSON_AddArrayToObject(p, "unused_patterns");
	}
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

static cJSON *
mta_sts_json(const struct probe_result *r)
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

static cJSON *
tls_rpt_json(const struct probe_result *r)
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

/* address_tests_json - report.md 5.8: one object per address that ran
 * the address test; null when no mailbox is tested */
static cJSON *
address_tests_json(const struct probe_result *r)
{
	cJSON *a;

	if (r->mailbox == NULL)
		return cJSON_CreateNull();
	a = cJSON_CreateArray();
	for (size_t i = 0; i < r->nmx; i++)
		for (size_t k = 0; k < r->mx[i].naddrs; k++) {
			const struct probe_addr *pa = &r->mx[i].addrs[k];
			cJSON *o;

			if (!pa->sc_ready || !pa->sc.address_test)
				continue;
			o = cJSON_CreateObject();
			cJSON_AddStringToObject(o, "mailbox", r->mailbox);
			cJSON_AddStringToObject(o, "mail_from",
			    r->opt.mail_from);
			cJSON_AddStringToObject(o, "mx", r->mx[i].name);
			cJSON_AddStringToObject(o, "address", pa->address);
			report_json_str(o, "transport",
			    pa->sc.mail.code == 0 ? NULL
			    : pa->sc.tls_active   ? "tls"
			                          : "cleartext");
			cJSON_AddItemToObject(o, "mail",
			    report_json_reply(&pa->sc.mail));
			cJSON_AddItemToObject(o, "rcpt",
			    report_json_reply(&pa->sc.rcpt));
			cJSON_AddItemToObject(o, "rset",
			    report_json_reply(&pa->sc.rset));
			cJSON_AddItemToObject(o, "catchall",
			    r->opt.catchall ? report_json_reply(&pa->sc.rcpt2)
			                    : cJSON_CreateNull());
			if (pa->clear != NULL && pa->clear->sc_ready) {
				cJSON *c =
				    cJSON_AddObjectToObject(o, "cleartext");

				cJSON_AddItemToObject(c, "mail",
				    report_json_reply(&pa->clear->sc.mail));
				cJSON_AddItemToObject(c, "rcpt",
				    report_json_reply(&pa->clear->sc.rcpt));
			} else
				cJSON_AddNullToObject(o, "cleartext");
			cJSON_AddItemToArray(a, o);
		}
	return a;
}

/* timings_json - report.md 4 timings_ms */
static cJSON *
timings_json(const struct probe_result *r)
{
	cJSON *t = cJSON_CreateObject();

	cJSON_AddNumberToObject(t, "dns", (double)r->dns_ms);
	report_json_num(t, "mta_sts", r->mta_sts_ms);
	report_json_num(t, "smtp", r->smtp_ms);
	report_json_num(t, "scan", r->scan_ms);
	cJSON_AddNumberToObject(t, "total", (double)r->duration_ms);
	return t;
}

static cJSON *
mx_list_json(const struct probe_result *r)
{
	cJSON *mx = cJSON_CreateArray();

	for (size_t i = 0; mx != NULL && i < r->nmx; i++)
		if (!cJSON_AddItemToArray(mx, mx_json(r, &r->mx[i]))) {
			cJSON_Delete(mx);
			return NULL;
		}
	return mx;
}

static cJSON *
error_json(const char *code, const char *phase, const char *message)
{
	cJSON *e = cJSON_CreateObject();

	cJSON_AddStringToObject(e, "code", code);
	cJSON_AddStringToObject(e, "phase", phase);
	cJSON_AddStringToObject(e, "message", message);
	return e;
}

/* errors_json - report.md 7.1: the run-level errors */
static cJSON *
errors_json(const struct probe_result *r)
{
	cJSON *errs = cJSON_CreateArray();
	bool ok = errs != NULL;

	if (ok && r->run_error[0])
		ok = cJSON_AddItemToArray(errs,
		    error_json(r->run_error_code, "internal", r->run_error));
	if (ok && r->deadline_hit)
		ok = cJSON_AddItemToArray(errs,
		    error_json("deadline", "connect",
		        "the run deadline was reached"));
	if (!ok) {
		cJSON_Delete(errs);
		return NULL;
	}
	return errs;
}

/*
 * Every part of the document, the checks and the verdicts of each address
 * are checked as they are added: a document that lost one of them is not
 * printed (NULL, as out of memory), rather than read as a smaller report.
 * XXX: a failed allocation of a leaf inside a part still drops only that
 * member.
 */
char *
report_json_render(const struct probe_result *r)
{
	cJSON *doc = cJSON_CreateObject();
	char *out = NULL;

	if (doc == NULL)
		return NULL;
	if (cJSON_AddStringToObject(doc, "schema_version", "1.0") != NULL &&
	    cJSON_AddStringToObject(doc, "type", "probe") != NULL &&
	    section(doc, "tool", tool_json()) &&
	    section(doc, "target", target_json(r)) &&
	    cJSON_AddStringToObject(doc, "started", r->started) != NULL &&
	    cJSON_AddStringToObject(doc, "finished", r->finished) != NULL &&
	    cJSON_AddNumberToObject(doc, "duration_ms",
	        (double)r->duration_ms) != NULL &&
	    section(doc, "timings_ms", timings_json(r)) &&
	    section(doc, "run", run_json(r)) &&
	    section(doc, "dns", dns_json(r)) &&
	    section(doc, "mx", mx_list_json(r)) &&
	    section(doc, "mta_sts", mta_sts_json(r)) &&
	    section(doc, "tls_rpt", tls_rpt_json(r)) &&
	    section(doc, "address_tests", address_tests_json(r)) &&
	    section(doc, "checks", checks_json(r)) &&
	    section(doc, "verdicts", verdicts_json(r)) &&
	    section(doc, "summary", summary_json(r)) &&
	    section(doc, "errors", errors_json(r)))
		out = cJSON_PrintUnformatted(doc);
	cJSON_Delete(doc);
	return out;
}
