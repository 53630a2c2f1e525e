/*
 * report_json.c - the probe document of report.md 4: run settings, DNS,
 * MX hosts, checks, verdicts and summary. Addresses are rendered by
 * report_json_addr.c. Only rendering: every value was measured before.
 */
#include "report_json.h"
#include "json_arena.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "judge.h"

#include <curl/curl.h>
#include <openssl/crypto.h>
#include <ldns/ldns.h>

#include "buf.h"
#include "check_data_json.h"
#include "mtasts_check.h"
#include "profile_report.h"
#include "verdict.h"

#include "banned.h"

/* cJSON_Version prints into a static buffer on every call: batch
 * workers rendering at once read it half written (a document's
 * tool.cjson came out ""). Printed once here, then only read. */
static char cjson_version[32];
static pthread_once_t cjson_version_once = PTHREAD_ONCE_INIT;

static void
cjson_version_keep(void)
{
	snprintf(cjson_version, sizeof(cjson_version), "%s", cJSON_Version());
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
	(void)pthread_once(&cjson_version_once, cjson_version_keep);
	cJSON_AddStringToObject(t, "cjson", cjson_version);
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

/* pkix_store_json - the CA file and directory PKIX used, and why those */
static cJSON *
pkix_store_json(const struct trust_store *ts)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "source", trust_source_name(ts->source));
	report_json_str(o, "file", ts->file[0] ? ts->file : NULL);
	report_json_str(o, "dir", ts->dir[0] ? ts->dir : NULL);
	return o;
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
	cJSON_AddStringToObject(x, "min_tls",
	    report_json_tls_version(o->min_tls));
	cJSON_AddNumberToObject(x, "warn_days", o->warn_days);
	cJSON_AddNumberToObject(x, "timeout_ms", o->timeout_ms);
	cJSON_AddNumberToObject(x, "deadline_ms", o->deadline_ms);
	cJSON_AddStringToObject(x, "trust_store",
	    r->trust.file[0] ? r->trust.file : r->trust.dir);
	cJSON_AddItemToObject(x, "pkix_store", pkix_store_json(&r->trust));
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
	/* The anchor in use: local validation only. */
	report_json_str(res, "trust_anchor",
	    r->dnscfg.source == DNS_SRC_LOCAL ? r->dnscfg.trust_anchor : NULL);
	cJSON_AddBoolToObject(res, "validating", r->validating);
	cJSON_AddStringToObject(res, "dnssec_reason", r->dnssec_reason);
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
	    any ? report_json_cname_chain(any) : cJSON_CreateArray());
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
		cJSON *o = cJSON_CreateObject(), *s, *d;

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
		if (c->status != CHECK_SKIP && (d = check_data_json(c)) != NULL)
			cJSON_AddItemToObject(o, "data", d);
		if (c->tlsrpt != NULL &&
		    (c->status == CHECK_WARN || c->status == CHECK_FAIL))
			cJSON_AddStringToObject(o, "tlsrpt", c->tlsrpt);
		if (c->waived)
			cJSON_AddBoolToObject(o, "waived", true);
	}
	return a;
}

static cJSON *
summary_json(const struct probe_result *r)
{
	cJSON *s = cJSON_CreateObject(), *c, *a;
	size_t counts[CHECK__COUNT], total = 0, measured = 0, err = 0,
	                             skipped = 0, waived = 0;

	check_list_count(&r->checks, counts);
	c = cJSON_AddObjectToObject(s, "checks");
	for (int i = CHECK_PASS; i < CHECK__COUNT; i++)
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
 * returned (NULL, as out of memory), rather than read as a smaller report.
 * XXX: a failed allocation of a leaf inside a part still drops only that
 * member.
 */
cJSON *
report_json_doc(const struct probe_result *r)
{
	cJSON *doc = cJSON_CreateObject();

	if (doc == NULL)
		return NULL;
	if (cJSON_AddStringToObject(doc, "schema_version", "1.0") != NULL &&
	    cJSON_AddStringToObject(doc, "type", "probe") != NULL &&
	    report_json_section(doc, "tool", tool_json()) &&
	    report_json_section(doc, "target", target_json(r)) &&
	    cJSON_AddStringToObject(doc, "started", r->started) != NULL &&
	    cJSON_AddStringToObject(doc, "finished", r->finished) != NULL &&
	    cJSON_AddNumberToObject(doc, "duration_ms",
	        (double)r->duration_ms) != NULL &&
	    report_json_section(doc, "timings_ms", timings_json(r)) &&
	    report_json_section(doc, "run", run_json(r)) &&
	    report_json_section(doc, "dns", dns_json(r)) &&
	    report_json_section(doc, "mx", mx_list_json(r)) &&
	    report_json_section(doc, "mta_sts", report_json_mta_sts(r)) &&
	    report_json_section(doc, "tls_rpt", report_json_tls_rpt(r)) &&
	    report_json_section(doc, "address_tests", address_tests_json(r)) &&
	    report_json_section(doc, "checks", checks_json(r)) &&
	    report_json_section(doc, "verdicts", report_json_verdicts(r)) &&
	    (r->nprofiles == 0 ||
	        report_json_section(doc, "profiles", profiles_json(r))) &&
	    report_json_section(doc, "summary", summary_json(r)) &&
	    report_json_section(doc, "errors", errors_json(r)))
		return doc;
	cJSON_Delete(doc);
	return NULL;
}

enum st_err
report_json_append(const struct probe_result *r, struct buf *out)
{
	struct json_arena arena;
	/* built, printed and gone at once: its items from one arena */
	bool in_arena = json_arena_open(&arena);
	cJSON *doc;
	enum st_err err = ST_ERR_NOMEM;

	if ((doc = report_json_doc(r)) != NULL)
		err = report_json_print(doc, out);
	if (!in_arena)
		cJSON_Delete(doc);
	json_arena_close(&arena); /* doc with it */
	return err;
}

char *
report_json_render(const struct probe_result *r)
{
	cJSON *doc = report_json_doc(r);
	char *out;

	if (doc == NULL)
		return NULL;
	out = cJSON_PrintUnformatted(doc);
	cJSON_Delete(doc);
	return out;
}
