/*
 * listen_json.c - the listener's JSON Lines records of report.md 9: one
 * per session, the start record and the end record with the per-peer
 * summary. Reads judged session records; does no I/O.
 */
#include "listen_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "clock.h"
#include "text.h"
#include "smtptls/probe.h"

#include "check_data_json.h"
#include "report_json.h"
#include "banned.h"

/* str_or_null - escaped peer text, or null when empty */
static void
add_peer_text(cJSON *o, const char *key, const char *s)
{
	char t[1100];

	if (s == NULL || s[0] == '\0') {
		cJSON_AddNullToObject(o, key);
		return;
	}
	text_escape(s, strlen(s), t, sizeof(t));
	cJSON_AddStringToObject(o, key, t);
}

/* cert_json - the certificate object of report.md 5.5.1, shared with the
 * probe's report */
static cJSON *
cert_json(const struct cert_summary *c)
{
	return report_json_cert(c, 0, true);
}

static cJSON *
tls_json(const struct listen_session *s)
{
	const struct listen_tls_facts *t = &s->tls;
	cJSON *o;

	if (!s->tls_attempted)
		return cJSON_CreateNull();
	o = cJSON_CreateObject();
	add_peer_text(o, "version", t->version);
	add_peer_text(o, "cipher", t->have_cipher ? t->cipher.iana : NULL);
	add_peer_text(o, "cipher_openssl",
	    t->have_cipher ? t->cipher.openssl : NULL);
	add_peer_text(o, "cipher_class",
	    t->have_cipher ? tls_class_name(t->cipher.cls) : NULL);
	add_peer_text(o, "kex_group", t->group);
	if (t->kex_bits > 0)
		cJSON_AddNumberToObject(o, "kex_bits", t->kex_bits);
	else
		cJSON_AddNullToObject(o, "kex_bits");
	add_peer_text(o, "sni", t->sni);
	add_peer_text(o, "alpn", t->alpn);
	add_peer_text(o, "handshake", listen_hs_name(t->handshake));
	add_peer_text(o, "alert", t->alert);
	cJSON_AddItemToObject(o, "client_hello",
	    t->client_hello != NULL ? cJSON_Duplicate(t->client_hello, 1)
	                            : cJSON_CreateNull());
	if (t->have_client_cert) {
		cJSON *c = cert_json(&t->client_cert);

		/* XXX: not validated against a trust store yet. */
		cJSON_AddNullToObject(c, "trusted");
		cJSON_AddItemToObject(o, "client_certificate", c);
	} else
		cJSON_AddNullToObject(o, "client_certificate");
	add_peer_text(o, "first_command_after_tls", s->sm.first_tls_cmd);
	return o;
}

static cJSON *
checks_json(const struct listen_session *s)
{
	cJSON *a = cJSON_CreateArray();

	for (size_t i = 0; i < s->checks.n; i++) {
		const struct check_result *c = &s->checks.v[i];
		cJSON *o = cJSON_CreateObject(), *sub, *d;

		cJSON_AddStringToObject(o, "id", check_id_name(c->id));
		cJSON_AddStringToObject(o, "status",
		    check_status_name(c->status));
		cJSON_AddStringToObject(o, "severity", check_severity(c->id));
		sub = cJSON_AddObjectToObject(o, "subject");
		cJSON_AddStringToObject(sub, "session", s->id);
		cJSON_AddStringToObject(o, "detail",
		    c->detail ? c->detail : "");
		if ((d = check_data_json(c)) != NULL)
			cJSON_AddItemToObject(o, "data", d);
		cJSON_AddItemToArray(a, o);
	}
	return a;
}

/* verdict_evidence - the checks the verdict rests on */
static cJSON *
verdict_json(const struct listen_session *s)
{
	cJSON *o = cJSON_CreateObject(), *e;

	cJSON_AddStringToObject(o, "value", listen_verdict_name(s->verdict));
	e = cJSON_AddArrayToObject(o, "evidence");
	switch (s->verdict) {
	case LISTEN_V_VERIFIES:
	case LISTEN_V_OPPORTUNISTIC:
		cJSON_AddItemToArray(e,
		    cJSON_CreateString(check_id_name(CK_SENDER_CERT_ENFORCED)));
		break;
	case LISTEN_V_REQUIRES_TLS:
		cJSON_AddItemToArray(e, cJSON_CreateString(check_id_name(
		                            CK_SENDER_FALLBACK_CLEARTEXT)));
		break;
	case LISTEN_V_TLS:
		cJSON_AddItemToArray(e,
		    cJSON_CreateString(check_id_name(CK_SENDER_STARTTLS_USED)));
		cJSON_AddItemToArray(e,
		    cJSON_CreateString(check_id_name(CK_SENDER_TLS_VERSION)));
		break;
	case LISTEN_V_NO_TLS:
		cJSON_AddItemToArray(e,
		    cJSON_CreateString(check_id_name(
		        s->l->p.starttls ? CK_SENDER_STARTTLS_USED
		                         : CK_SENDER_FALLBACK_CLEARTEXT)));
		break;
	default:
		break;
	}
	return o;
}

static char *
print_line(cJSON *d)
{
	char *s = d != NULL ? cJSON_PrintUnformatted(d) : NULL;

	cJSON_Delete(d);
	return s;
}

/* escaped_array - peer texts as an array of escaped strings */
static cJSON *
escaped_array(char *const *v, size_t n)
{
	cJSON *a = cJSON_CreateArray();
	char t[SMTPS_PATH_MAX * 3];

	for (size_t i = 0; i < n; i++) {
		text_escape(v[i], strlen(v[i]), t, sizeof(t));
		cJSON_AddItemToArray(a, cJSON_CreateString(t));
	}
	return a;
}

/* envelope_json - MAIL FROM with its parameters, RCPT TO, REQUIRETLS */
static cJSON *
envelope_json(const struct smtp_server *sm)
{
	cJSON *o = cJSON_CreateObject();

	if (sm->have_mail) {
		char t[SMTPS_PATH_MAX * 3];

		text_escape(sm->mail_from, strlen(sm->mail_from), t, sizeof(t));
		cJSON_AddStringToObject(o, "mail_from", t);
	} else
		cJSON_AddNullToObject(o, "mail_from");
	cJSON_AddItemToObject(o, "mail_params",
	    escaped_array(sm->mail_params, sm->nmail_params));
	cJSON_AddItemToObject(o, "rcpt_to",
	    escaped_array(sm->rcpt_to, sm->nrcpt));
	cJSON_AddBoolToObject(o, "requiretls", sm->requiretls);
	return o;
}

/* data_json - whether DATA was reached, and the listener's final reply to
 * it (none after 354 alone) */
static cJSON *
data_json(const struct smtp_server *sm)
{
	cJSON *o = cJSON_CreateObject(), *r, *l;
	char enh[16] = "";

	cJSON_AddBoolToObject(o, "reached", sm->data_reached);
	if (sm->data_code == 0 || sm->data_code == 354) {
		cJSON_AddNullToObject(o, "reply");
		return o;
	}
	r = cJSON_AddObjectToObject(o, "reply");
	cJSON_AddNumberToObject(r, "code", sm->data_code);
	sscanf(sm->data_reply, "%*d %15[0-9.]", enh);
	add_peer_text(r, "enhanced", enh);
	l = cJSON_AddArrayToObject(r, "lines");
	cJSON_AddItemToArray(l, cJSON_CreateString(sm->data_reply));
	return o;
}

/* session_doc - the session record of report.md 9 */
static cJSON *
session_doc(const struct listen_session *s)
{
	const struct smtp_server *sm = &s->sm;
	cJSON *d = cJSON_CreateObject(), *o, *a;

	cJSON_AddStringToObject(d, "schema_version", "1.0");
	cJSON_AddStringToObject(d, "type", "session");
	cJSON_AddStringToObject(d, "session", s->id);
	cJSON_AddStringToObject(d, "started", s->started);
	cJSON_AddStringToObject(d, "finished", s->finished);
	cJSON_AddNumberToObject(d, "duration_ms",
	    (double)(s->t_end - s->t_start));
	o = cJSON_AddObjectToObject(d, "peer");
	cJSON_AddStringToObject(o, "address", s->peer);
	cJSON_AddNumberToObject(o, "port", s->peer_port);
	cJSON_AddStringToObject(o, "family", s->peer_v6 ? "ipv6" : "ipv4");
	/* XXX: no reverse lookup yet (report.md wants ptr and fcrdns). */
	cJSON_AddNullToObject(o, "ptr");
	cJSON_AddNullToObject(o, "fcrdns");
	o = cJSON_AddObjectToObject(d, "local");
	cJSON_AddStringToObject(o, "address", s->local);
	cJSON_AddNumberToObject(o, "port", s->local_port);
	if (sm->helo_verb[0] != '\0') {
		o = cJSON_AddObjectToObject(d, "helo");
		cJSON_AddStringToObject(o, "verb", sm->helo_verb);
		add_peer_text(o, "name", sm->helo_name);
	} else
		cJSON_AddNullToObject(d, "helo");
	o = cJSON_AddObjectToObject(d, "starttls");
	cJSON_AddBoolToObject(o, "offered", sm->starttls_offered);
	cJSON_AddBoolToObject(o, "used", sm->starttls_used);
	cJSON_AddItemToObject(d, "tls", tls_json(s));
	cJSON_AddItemToObject(d, "envelope", envelope_json(sm));
	cJSON_AddItemToObject(d, "data", data_json(sm));
	cJSON_AddStringToObject(d, "end", smtps_end_name(sm->end));
	a = cJSON_AddArrayToObject(d, "related_sessions");
	for (size_t i = 0; i < s->nrelated; i++) {
		char id[16];

		snprintf(id, sizeof(id), "s-%06u", s->related[i] % 1000000);
		cJSON_AddItemToArray(a, cJSON_CreateString(id));
	}
	add_peer_text(d, "refusal", listen_refusal_name(s->refusal));
	cJSON_AddItemToObject(d, "sender_verdict", verdict_json(s));
	cJSON_AddNullToObject(d, "transcript");
	cJSON_AddItemToObject(d, "checks", checks_json(s));
	if (sm->end == SMTPS_END_ERROR || s->errmsg[0] != '\0') {
		o = cJSON_AddObjectToObject(d, "error");
		cJSON_AddStringToObject(o, "message",
		    s->errmsg[0] ? s->errmsg : sm->errmsg);
	} else
		cJSON_AddNullToObject(d, "error");
	if (sm->flags & SMTPS_INJECTION)
		cJSON_AddNumberToObject(d, "injected_octets",
		    (double)sm->injected);
	return d;
}

char *
listen_session_json(const struct listen_session *s)
{
	return print_line(session_doc(s));
}

char *
listen_session_json_tagged(const struct listen_session *s, const char *key,
    const char *value)
{
	cJSON *d = session_doc(s);

	if (d != NULL)
		cJSON_AddStringToObject(d, key, value);
	return print_line(d);
}

char *
listen_start_json(const struct listen *l)
{
	cJSON *d = cJSON_CreateObject(), *o, *a;

	cJSON_AddStringToObject(d, "schema_version", "1.0");
	cJSON_AddStringToObject(d, "type", "listen.start");
	o = cJSON_AddObjectToObject(d, "tool");
	cJSON_AddStringToObject(o, "name", "smtptls");
	cJSON_AddStringToObject(o, "version", smtptls_version());
	cJSON_AddStringToObject(d, "started", l->started);
	a = cJSON_AddArrayToObject(d, "bind");
	for (size_t i = 0; i < l->nl; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(l->binds[i]));
	cJSON_AddStringToObject(d, "hostname", l->hostname);
	o = cert_json(&l->server_cert);
	cJSON_AddBoolToObject(o, "untrusted", l->p.untrusted_cert);
	cJSON_AddItemToObject(d, "server_certificate", o);
	o = cJSON_AddObjectToObject(d, "options");
	cJSON_AddBoolToObject(o, "starttls", l->p.starttls);
	cJSON_AddBoolToObject(o, "request_client_cert",
	    l->p.request_client_cert);
	cJSON_AddBoolToObject(o, "accept_data", l->p.accept_data);
	if (l->p.count > 0)
		cJSON_AddNumberToObject(o, "count", l->p.count);
	else
		cJSON_AddNullToObject(o, "count");
	if (l->p.duration_ms > 0)
		cJSON_AddNumberToObject(o, "duration_ms",
		    (double)l->p.duration_ms);
	else
		cJSON_AddNullToObject(o, "duration_ms");
	a = cJSON_AddArrayToObject(o, "expect");
	if (l->p.expect_verify)
		cJSON_AddItemToArray(a, cJSON_CreateString("verify"));
	if (l->p.expect_no_cleartext)
		cJSON_AddItemToArray(a, cJSON_CreateString("no-cleartext"));
	if (l->p.expect_client_cert)
		cJSON_AddItemToArray(a, cJSON_CreateString("client-cert"));
	if (l->p.expect_sni != NULL) {
		char t[300];

		snprintf(t, sizeof(t), "sni=%s", l->p.expect_sni);
		cJSON_AddItemToArray(a, cJSON_CreateString(t));
	}
	return print_line(d);
}

static int
verdict_rank(enum listen_verdict v)
{
	static const int rank[LISTEN_V__COUNT] = { 0, 1, 3, 2, 4, 5 };

	return (unsigned)v < LISTEN_V__COUNT ? rank[v] : 0;
}

/* peer_json - one peer of listen.end from the history */
static cJSON *
peer_json(const struct listen *l, size_t first, size_t n)
{
	const struct listen_peer *h0 = &l->hist[first];
	cJSON *o = cJSON_CreateObject(), *a;
	enum listen_verdict best = LISTEN_V_UNKNOWN;
	const char *after = NULL;
	char id[16];

	cJSON_AddStringToObject(o, "address", h0->addr);
	a = cJSON_AddArrayToObject(o, "sessions");
	for (size_t i = first; i < n; i++) {
		const struct listen_peer *h = &l->hist[i];

		if (strcmp(h->addr, h0->addr) != 0)
			continue;
		snprintf(id, sizeof(id), "s-%06u", h->seq % 1000000);
		cJSON_AddItemToArray(a, cJSON_CreateString(id));
		if (verdict_rank(h->verdict) > verdict_rank(best))
			best = h->verdict;
		if (after != NULL && strcmp(after, "none-seen") == 0)
			after = h->cleartext_mail ? "reconnected-cleartext"
			        : h->tls_ok       ? "retried-tls"
			                          : after;
		if (after == NULL && (h->verdict == LISTEN_V_VERIFIES ||
		                         h->verdict == LISTEN_V_REQUIRES_TLS))
			after = "none-seen";
	}
	cJSON_AddStringToObject(o, "verdict", listen_verdict_name(best));
	if (after != NULL)
		cJSON_AddStringToObject(o, "after_refusal", after);
	else
		cJSON_AddNullToObject(o, "after_refusal");
	return o;
}

char *
listen_end_json(const struct listen *l, int exit_code)
{
	static const char *const reasons[] = { "error", "count", "duration",
		"signal", "error" };
	cJSON *d = cJSON_CreateObject(), *o, *a;
	size_t n =
	    l->nhist < LISTEN_HISTORY_MAX ? l->nhist : LISTEN_HISTORY_MAX;
	char t[32];

	cJSON_AddStringToObject(d, "schema_version", "1.0");
	cJSON_AddStringToObject(d, "type", "listen.end");
	clock_rfc3339_now(t, sizeof(t));
	cJSON_AddStringToObject(d, "finished", t);
	cJSON_AddNumberToObject(d, "sessions", l->finished);
	o = cJSON_AddObjectToObject(d, "checks");
	for (int i = CHECK_PASS; i < CHECK__COUNT; i++)
		cJSON_AddNumberToObject(o, check_status_name(i),
		    (double)l->counts[i]);
	a = cJSON_AddArrayToObject(d, "peers");
	for (size_t i = 0; i < n; i++) {
		size_t j;

		for (j = 0; j < i; j++)
			if (strcmp(l->hist[j].addr, l->hist[i].addr) == 0)
				break;
		if (j == i)
			cJSON_AddItemToArray(a, peer_json(l, i, n));
	}
	cJSON_AddStringToObject(d, "reason", reasons[l->reason]);
	cJSON_AddNumberToObject(d, "exit_code", exit_code);
	cJSON_AddArrayToObject(d, "errors");
	return print_line(d);
}
