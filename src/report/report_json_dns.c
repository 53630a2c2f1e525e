/*
 * report_json_dns.c - one DNS answer as the JSON report shows it (report.md
 * 5.2 lookup object: name, type, rcode, DNSSEC status, answers, CNAME chain,
 * error); the document, the MX hosts, MTA-STS and TLS-RPT all use it.
 */
#include "report_json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

#include "check_data_json.h"
#include "judge.h"

#include "banned.h"

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

/* tlsa_json - one TLSA record, and whether SMTP can use it */
static cJSON *
tlsa_json(const struct dns_tlsa *t)
{
	cJSON *m = cJSON_CreateObject();
	char *hex = malloc(t->len * 2 + 1);
	bool usable = (t->usage == 2 || t->usage == 3) && t->selector <= 1 &&
	              t->mtype <= 2;

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
	return m;
}

/* text_answers - an answer's records as text into ans: addresses as they
 * arrive (sorted by dns.c), TXT sorted by text */
static void
text_answers(cJSON *ans, const struct dns_answer *a)
{
	char **sorted = calloc(a->ntext + 1, sizeof(*sorted));

	if (sorted == NULL)
		return;
	if (a->ntext > 0)
		memcpy(sorted, a->text, a->ntext * sizeof(*sorted));
	if (a->type == LDNS_RR_TYPE_TXT)
		qsort(sorted, a->ntext, sizeof(*sorted), str_cmp);
	for (size_t i = 0; i < a->ntext; i++)
		cJSON_AddItemToArray(ans, cJSON_CreateString(sorted[i]));
	free(sorted);
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
		for (size_t i = 0; i < a->ntlsa; i++)
			cJSON_AddItemToArray(ans, tlsa_json(&a->tlsa[i]));
	} else
		text_answers(ans, a);
	cJSON_AddItemToObject(o, "cname_chain", report_json_cname_chain(a));
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
