/*
 * report_json_addr.c - the address object of the JSON report (report.md
 * 5.3-5.5): timings, SMTP replies, TLS facts and the presented chain.
 */
#include "report_json.h"

#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "scan.h"
#include "st_limits.h"
#include "text.h"

#include "check_data.h"
#include "check_data_json.h"
#include "judge.h"
#include "banned.h"

static void
add_ehlo_fields(cJSON *o, const struct smtp_reply *rep, const char *verb)
{
	char host[256], kw[1100];
	cJSON *a;

	cJSON_AddStringToObject(o, "verb", verb);
	text_reply_host(rep, host, sizeof(host));
	report_json_str(o, "host", host);
	a = cJSON_AddArrayToObject(o, "keywords");
	for (size_t i = 1; i < rep->nlines && strcmp(verb, "EHLO") == 0; i++) {
		text_escape(rep->lines[i], strlen(rep->lines[i]), kw,
		    sizeof(kw));
		cJSON_AddItemToArray(a, cJSON_CreateString(kw));
	}
}

static cJSON *
smtp_json(const struct probe_addr *pa)
{
	const struct smtp_client *sc = &pa->sc;
	cJSON *o = cJSON_CreateObject(), *x;
	char host[256];

	x = report_json_reply(&sc->banner);
	if (cJSON_IsObject(x)) {
		text_reply_host(&sc->banner, host, sizeof(host));
		report_json_str(x, "host", host);
	}
	cJSON_AddItemToObject(o, "banner", x);
	x = report_json_reply(sc->used_helo ? &sc->helo : &sc->ehlo);
	if (cJSON_IsObject(x))
		add_ehlo_fields(x, sc->used_helo ? &sc->helo : &sc->ehlo,
		    sc->used_helo ? "HELO" : "EHLO");
	cJSON_AddItemToObject(o, "ehlo", x);
	if (sc->starttls.code != 0)
		x = report_json_reply(&sc->starttls);
	else {
		x = cJSON_CreateObject();
		cJSON_AddNullToObject(x, "code");
		cJSON_AddNullToObject(x, "enhanced");
		cJSON_AddNullToObject(x, "lines");
	}
	cJSON_AddBoolToObject(x, "offered", sc->starttls_offered);
	cJSON_AddItemToObject(o, "starttls", x);
	x = report_json_reply(&sc->ehlo_tls);
	if (cJSON_IsObject(x))
		add_ehlo_fields(x, &sc->ehlo_tls, "EHLO");
	cJSON_AddItemToObject(o, "ehlo_tls", x);
	cJSON_AddItemToObject(o, "quit", report_json_reply(&sc->quit));
	return o;
}

static const char *
via_name(enum cert_name_via v)
{
	return v == CERT_NAME_SAN ? "san" : v == CERT_NAME_CN ? "cn" : "none";
}

static cJSON *
tls_json(const struct probe_result *r, const struct probe_addr *pa)
{
	const struct tls_facts *t = &pa->tls;
	cJSON *o, *x, *chain;

	if (!t->attempted)
		return cJSON_CreateNull();
	o = cJSON_CreateObject();
	cJSON_AddBoolToObject(o, "established", t->established);
	report_json_str(o, "version", t->version);
	report_json_str(o, "cipher", t->established ? t->cipher.iana : NULL);
	report_json_str(o, "cipher_openssl",
	    t->established ? t->cipher.openssl : NULL);
	report_json_num(o, "cipher_bits", t->established ? t->cipher.bits : -1);
	report_json_str(o, "cipher_class",
	    t->established ? tls_class_name(t->cipher.cls) : NULL);
	if (t->established) {
		cJSON_AddBoolToObject(o, "aead", t->cipher.aead);
		cJSON_AddBoolToObject(o, "forward_secrecy",
		    t->cipher.forward_secrecy);
	} else {
		cJSON_AddNullToObject(o, "aead");
		cJSON_AddNullToObject(o, "forward_secrecy");
	}
	report_json_str(o, "kex_group", t->group);
	report_json_num(o, "kex_bits", t->established ? t->kex_bits : -1);
	report_json_str(o, "server_sigalg", t->sigalg);
	report_json_str(o, "sni", t->sni);
	report_json_str(o, "alert", t->alert);
	x = cJSON_AddObjectToObject(o, "ocsp");
	cJSON_AddBoolToObject(x, "stapled", t->ocsp_stapled);
	cJSON_AddNullToObject(x, "status");
	cJSON_AddNullToObject(x, "this_update");
	cJSON_AddNullToObject(x, "next_update");
	if (t->have_chain) {
		x = cJSON_AddObjectToObject(o, "pkix");
		cJSON_AddBoolToObject(x, "trusted", t->chain.trusted);
		cJSON_AddNumberToObject(x, "verify_code", t->chain.verify_code);
		cJSON_AddStringToObject(x, "verify_error",
		    t->chain.verify_error);
		cJSON_AddBoolToObject(x, "in_validity",
		    t->chain.path_in_validity);
		x = cJSON_AddObjectToObject(o, "names");
		cJSON_AddStringToObject(x, "mx",
		    via_name(t->chain.name_mx.via));
		cJSON_AddStringToObject(x, "nexthop",
		    via_name(t->chain.name_dom.via));
	} else {
		cJSON_AddNullToObject(o, "pkix");
		cJSON_AddNullToObject(o, "names");
	}
	chain = cJSON_AddArrayToObject(o, "chain");
	/* A hostile server may present hundreds of certificates; the report
	 * keeps the first TLS_CHAIN_MAX (st_limits.h). */
	for (size_t i = 0;
	     t->have_chain && i < t->chain.ncerts && i < TLS_CHAIN_MAX; i++)
		cJSON_AddItemToArray(chain,
		    report_json_cert(&t->chain.certs[i], i, !r->opt.no_pem));
	return o;
}

static cJSON *
dane_json(const struct probe_result *r, const struct probe_addr *pa)
{
	const struct tls_facts *t = &pa->tls;
	struct dane_unmatched u;
	cJSON *o, *m;

	if (r->opt.no_dane || !pa->connected)
		return cJSON_CreateNull();
	o = cJSON_CreateObject();
	cJSON_AddBoolToObject(o, "checked", t->dane_checked && t->established);
	if (t->dane_checked && t->established)
		cJSON_AddBoolToObject(o, "verified", t->dane_verified);
	else
		cJSON_AddNullToObject(o, "verified");
	if (t->dane_verified && t->dane_usage >= 0) {
		m = cJSON_AddObjectToObject(o, "matched");
		cJSON_AddNumberToObject(m, "usage", t->dane_usage);
		cJSON_AddNumberToObject(m, "selector", t->dane_selector);
		cJSON_AddNumberToObject(m, "mtype", t->dane_mtype);
		cJSON_AddNumberToObject(m, "depth", t->dane_depth);
	} else
		cJSON_AddNullToObject(o, "matched");
	if (t->dane_checked && t->established) {
		dane_unmatched(&pa->mx->tlsa, t, &u);
		cJSON_AddItemToObject(o, "unmatched",
		    report_json_dane_unmatched(&u));
	} else
		cJSON_AddArrayToObject(o, "unmatched");
	if (t->dane_checked && t->established && !t->dane_verified)
		cJSON_AddStringToObject(o, "reason", "no-match");
	else
		cJSON_AddNullToObject(o, "reason");
	/* The one reference identifier OpenSSL gets (SSL_dane_enable): the
	 * TLSA base domain, also sent as SNI (session.c). */
	m = cJSON_AddArrayToObject(o, "names_checked");
	if (t->dane_checked)
		cJSON_AddItemToArray(m,
		    cJSON_CreateString(
		        pa->mx->tlsa_base ? pa->mx->tlsa_base : pa->mx->name));
	return o;
}

static cJSON *
transcript_json(const struct probe_addr *pa)
{
	const struct buf *b = &pa->sc.transcript;
	cJSON *a = cJSON_CreateArray();
	size_t i = 0;
	char line[1100];

	while (b->data != NULL && i < b->len) {
		const char *nl = memchr(b->data + i, '\n', b->len - i);
		size_t n = nl ? (size_t)(nl - (b->data + i)) : b->len - i;

		text_escape(b->data + i, n, line, sizeof(line));
		cJSON_AddItemToArray(a, cJSON_CreateString(line));
		i += n + 1;
	}
	return a;
}

/* error_phase - report.md 7.1 phase of a dialogue that ended early: the
 * fixed list names steps, not every state of the machine */
static const char *
error_phase(const struct smtp_client *sc)
{
	switch (sc->fail_state) {
	case SMTP_ST_NONE:
	case SMTP_ST_BANNER:
		return "banner";
	case SMTP_ST_EHLO:
	case SMTP_ST_HELO:
		return "ehlo";
	case SMTP_ST_STARTTLS:
		return "starttls";
	case SMTP_ST_TLS:
		return "tls";
	case SMTP_ST_EHLO_TLS:
		return "ehlo_tls";
	case SMTP_ST_MAIL:
	case SMTP_ST_RCPT:
	case SMTP_ST_RCPT2:
	case SMTP_ST_RSET:
		return "address_test";
	case SMTP_ST_READY:
	case SMTP_ST_QUIT:
	default:
		/* after the last step that ran */
		return sc->address_test ? "address_test"
		       : sc->tls_active ? "ehlo_tls"
		                        : "ehlo";
	}
}

/* abort_code - report.md's error code of a session aborted after it
 * connected: the TLS handshake's failure, else how the SMTP step ended */
static const char *
abort_code(const struct probe_addr *pa)
{
	if (pa->tls.attempted && !pa->tls.established)
		return pa->tls.timeout    ? "timeout"
		       : pa->tls.alert[0] ? "tls-alert"
		                          : "tls-protocol";
	switch (pa->sc.err) {
	case ST_ERR_TIMEOUT:
		return "timeout";
	case ST_ERR_CLOSED:
		return pa->tls.end == TLS_IO_END_RESET ? "reset" : "closed";
	case ST_ERR_TLS:
		return pa->tls.end == TLS_IO_END_ALERT ? "tls-alert"
		                                       : "tls-protocol";
	case ST_ERR_LIMIT:
		return "limit";
	default:
		return "protocol";
	}
}

/* error_json - why the session ended early: its connection failed, or it
 * was aborted in a step; null when neither */
static cJSON *
error_json(const struct probe_addr *pa)
{
	cJSON *e;

	if (!pa->connected && pa->conn_error[0]) {
		e = cJSON_CreateObject();
		cJSON_AddStringToObject(e, "code", pa->conn_error);
		cJSON_AddStringToObject(e, "phase", "connect");
		cJSON_AddStringToObject(e, "message", pa->conn_errmsg);
		return e;
	}
	if (pa->state != ADDR_ABORTED)
		return cJSON_CreateNull();
	e = cJSON_CreateObject();
	cJSON_AddStringToObject(e, "code", abort_code(pa));
	cJSON_AddStringToObject(e, "phase", error_phase(&pa->sc));
	cJSON_AddStringToObject(e, "message",
	    pa->tls.attempted && !pa->tls.established ? pa->tls.errmsg
	                                              : pa->sc.errmsg);
	return e;
}

cJSON *
report_json_address(const struct probe_result *r, const struct probe_addr *pa)
{
	static const char *const tnames[T__COUNT] = {
		"connect",
		"banner",
		"ehlo",
		"starttls",
		"tls",
		"ehlo_tls",
		"address_test",
		"quit",
		"total",
	};
	cJSON *o = cJSON_CreateObject(), *t;

	cJSON_AddStringToObject(o, "address", pa->address);
	cJSON_AddStringToObject(o, "family",
	    pa->family == AF_INET6 ? "ipv6" : "ipv4");
	cJSON_AddNumberToObject(o, "port", r->opt.port);
	cJSON_AddStringToObject(o, "state", probe_addr_state_name(pa->state));
	t = cJSON_AddObjectToObject(o, "timings_ms");
	for (int i = 0; i < T__COUNT; i++)
		report_json_num(t, tnames[i], pa->t[i]);
	cJSON_AddItemToObject(o, "smtp",
	    pa->connected ? smtp_json(pa) : cJSON_CreateNull());
	cJSON_AddItemToObject(o, "tls", tls_json(r, pa));
	cJSON_AddItemToObject(o, "dane", dane_json(r, pa));
	/* report.md 5.3: present only with --scan */
	if (r->opt.scan)
		cJSON_AddItemToObject(o, "scan", scan_json(r, pa));
	if (r->opt.transcript)
		cJSON_AddItemToObject(o, "transcript", transcript_json(pa));
	else
		cJSON_AddNullToObject(o, "transcript");
	cJSON_AddItemToObject(o, "error", error_json(pa));
	return o;
}
