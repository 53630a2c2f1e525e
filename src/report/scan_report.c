/*
 * scan_report.c - the deep scan's facts as report pieces: the address's
 * "scan" object of the JSON report (report.md 5.5.2) and the short block
 * of the human report. No judgement here (check_scan.c does that).
 */
#include "scan.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "report_json.h"
#include "st_limits.h"

#include "banned.h"

static void
add_tristate(cJSON *o, const char *key, int v)
{
	if (v < 0)
		cJSON_AddNullToObject(o, key);
	else
		cJSON_AddBoolToObject(o, key, v > 0);
}

static void
add_sni(cJSON *o, const char *key, const struct scan_facts *f, int m)
{
	char t[80];

	switch (f->sni[m]) {
	case SNI_OK:
		cJSON_AddStringToObject(o, key, "ok");
		break;
	case SNI_ALERT:
		snprintf(t, sizeof(t), "alert:%s", f->sni_alert[m]);
		cJSON_AddStringToObject(o, key, t);
		break;
	case SNI_CLOSED:
		cJSON_AddStringToObject(o, key, "closed");
		break;
	case SNI_ERROR:
		cJSON_AddStringToObject(o, key, "error");
		break;
	default:
		cJSON_AddNullToObject(o, key);
		break;
	}
}

/* reneg_json - report.md 5.5.2 renegotiation; client_initiated is
 * measured only with --profile */
static void
reneg_json(cJSON *x, const struct scan_facts *f)
{
	add_tristate(x, "secure", f->reneg_secure);
	if (f->reneg_client < 0)
		cJSON_AddNullToObject(x, "client_initiated");
	else
		cJSON_AddStringToObject(x, "client_initiated",
		    f->reneg_client ? "accepted" : "refused");
}

cJSON *
scan_json(const struct probe_result *r, const struct probe_addr *pa)
{
	const struct scan_facts *f = pa->scan;
	cJSON *o, *x, *a, *s;

	if (f == NULL)
		return cJSON_CreateNull();
	o = cJSON_CreateObject();
	x = cJSON_AddObjectToObject(o, "versions");
	for (int v = 0; v < SCAN_VER__COUNT; v++)
		cJSON_AddStringToObject(x, scan_ver_key(v),
		    scan_state_name(f->versions[v]));
	x = cJSON_AddObjectToObject(o, "ciphers");
	for (int v = 0; v < SCAN_VER__COUNT; v++) {
		a = cJSON_AddArrayToObject(x, scan_ver_key(v));
		for (size_t i = 0; i < f->nsuites[v]; i++) {
			s = cJSON_CreateObject();
			cJSON_AddStringToObject(s, "name",
			    f->suites[v][i].iana);
			cJSON_AddStringToObject(s, "class",
			    tls_class_name(f->suites[v][i].cls));
			cJSON_AddBoolToObject(s, "anonymous",
			    f->suites[v][i].anonymous);
			cJSON_AddItemToArray(a, s);
		}
	}
	add_tristate(o, "server_order", f->server_order);
	a = cJSON_AddArrayToObject(o, "groups");
	for (size_t i = 0; i < f->ngroups; i++) {
		s = cJSON_CreateObject();
		cJSON_AddStringToObject(s, "name", f->groups[i].name);
		cJSON_AddStringToObject(s, "class",
		    tls_class_name(f->groups[i].cls));
		cJSON_AddItemToArray(a, s);
	}
	report_json_num(o, "dhe_bits", f->dhe_bits);
	reneg_json(cJSON_AddObjectToObject(o, "renegotiation"), f);
	cJSON_AddStringToObject(o, "compression", "untested");
	add_tristate(o, "ems", f->ems);
	x = cJSON_AddObjectToObject(o, "sni");
	add_sni(x, "without", f, SCAN_SNI_WITHOUT);
	add_sni(x, "with", f, SCAN_SNI_WITH);
	add_sni(x, "unrelated", f, SCAN_SNI_UNRELATED);
	add_tristate(x, "same_certificate", f->sni_same_cert);
	cJSON_AddStringToObject(o, "injection",
	    f->injection == 1   ? "vulnerable"
	    : f->injection == 0 ? "clean"
	                        : "untested");
	a = cJSON_AddArrayToObject(o, "alternates");
	for (size_t i = 0; i < f->nalt; i++) {
		cJSON *chain;

		s = cJSON_CreateObject();
		cJSON_AddStringToObject(s, "sigalg_family", f->alt[i].family);
		chain = cJSON_AddArrayToObject(s, "chain");
		for (size_t k = 0;
		     f->alt[i].have_chain && k < f->alt[i].chain.ncerts &&
		     k < TLS_CHAIN_MAX;
		     k++)
			cJSON_AddItemToArray(chain,
			    report_json_cert(&f->alt[i].chain.certs[k], k,
			        !r->opt.no_pem));
		cJSON_AddItemToArray(a, s);
	}
	cJSON_AddNumberToObject(o, "ms", (double)f->ms);
	return o;
}

/* cat - append to buf; text past len is cut (the block is short) */
static void cat(char *buf, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
cat(char *buf, size_t len, const char *fmt, ...)
{
	size_t l = strlen(buf);
	va_list ap;

	if (l + 1 >= len)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + l, len - l, fmt, ap);
	va_end(ap);
}

void
scan_human_text(const struct scan_facts *f, char *buf, size_t len)
{
	if (len == 0)
		return;
	buf[0] = '\0';
	cat(buf, len, "  scan      ");
	for (int v = SCAN_TLS1; v < SCAN_VER__COUNT; v++)
		cat(buf, len, "%s%s %s", v > SCAN_TLS1 ? ", " : "",
		    scan_ver_key(v), scan_state_name(f->versions[v]));
	cat(buf, len, " (ssl2, ssl3 untested)\n  suites    ");
	for (int v = SCAN_TLS1; v < SCAN_VER__COUNT; v++) {
		size_t cnt[TLS_CLASS__COUNT] = { 0 };

		for (size_t i = 0; i < f->nsuites[v]; i++)
			cnt[f->suites[v][i].cls]++;
		cat(buf, len,
		    "%s%s %zu (good %zu, acceptable %zu, weak %zu, broken %zu)",
		    v > SCAN_TLS1 ? "; " : "", scan_ver_key(v), f->nsuites[v],
		    cnt[TLS_CLASS_GOOD], cnt[TLS_CLASS_ACCEPTABLE],
		    cnt[TLS_CLASS_WEAK], cnt[TLS_CLASS_BROKEN]);
	}
	cat(buf, len, "\n  order     TLS 1.2 %s order\n  groups    ",
	    f->server_order == 1   ? "server"
	    : f->server_order == 0 ? "client"
	                           : "unknown");
	for (size_t i = 0; i < f->ngroups; i++)
		cat(buf, len, "%s%s", i ? ", " : "", f->groups[i].name);
	if (f->ngroups == 0)
		cat(buf, len, "none");
	if (f->dhe_bits > 0)
		cat(buf, len, "; DHE %d bits", f->dhe_bits);
	cat(buf, len, "\n  scan took %ld ms, %u handshakes%s\n", f->ms,
	    f->handshakes, f->incomplete ? " (incomplete)" : "");
}
