/*
 * listen_report.c - judge a finished listener session (refusal class,
 * sender verdict, the sender.* checks of checks.md 11) and render it:
 * JSON Lines records of report.md 9 and a short human block. It reads the
 * session record; it does no I/O.
 */
#include "listen_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "buf.h"
#include "clock.h"
#include "text.h"
#include "smtptls/probe.h"

#include "report_json.h"
#include "banned.h"

static const char *const verdict_names[LISTEN_V__COUNT] = {
	"unknown",
	"no-tls",
	"tls",
	"opportunistic",
	"requires-tls",
	"verifies-certificates",
};

const char *
listen_verdict_name(enum listen_verdict v)
{
	return (unsigned)v < LISTEN_V__COUNT ? verdict_names[v] : "unknown";
}

static const char *
refusal_name(enum listen_refusal r)
{
	static const char *const n[] = { NULL, "handshake-alert",
		"quit-after-tls", "close-after-tls", "proceeded" };

	return (unsigned)r < sizeof(n) / sizeof(n[0]) ? n[r] : NULL;
}

static const char *
hs_name(enum listen_hs h)
{
	static const char *const n[] = { NULL, "ok", "alert-received",
		"alert-sent", "closed", "timeout" };

	return (unsigned)h < sizeof(n) / sizeof(n[0]) ? n[h] : NULL;
}

/* classify - refusal and verdict from what the session recorded */
static void
classify(struct listen_session *s)
{
	const struct listen_params *p = &s->l->p;
	const struct smtp_server *sm = &s->sm;

	s->refusal = LISTEN_REFUSAL_NONE;
	if (p->untrusted_cert && s->tls_attempted) {
		if (s->tls.handshake == LISTEN_HS_ALERT_RECEIVED)
			s->refusal = LISTEN_REFUSAL_ALERT;
		else if (s->tls.handshake == LISTEN_HS_OK) {
			if (strcmp(sm->first_tls_cmd, "QUIT") == 0)
				s->refusal = LISTEN_REFUSAL_QUIT;
			else if (sm->first_tls_cmd[0] != '\0')
				s->refusal = LISTEN_REFUSAL_PROCEEDED;
			else if (sm->end == SMTPS_END_CLIENT_CLOSED)
				s->refusal = LISTEN_REFUSAL_CLOSE;
		}
	}
	switch (s->refusal) {
	case LISTEN_REFUSAL_ALERT:
	case LISTEN_REFUSAL_QUIT:
	case LISTEN_REFUSAL_CLOSE:
		s->verdict = LISTEN_V_VERIFIES;
		return;
	case LISTEN_REFUSAL_PROCEEDED:
		s->verdict = LISTEN_V_OPPORTUNISTIC;
		return;
	default:
		break;
	}
	if (s->tls.handshake == LISTEN_HS_OK)
		s->verdict = LISTEN_V_TLS;
	else if (s->tls_attempted)
		s->verdict = LISTEN_V_UNKNOWN;
	else if (!p->starttls && !sm->have_mail && sm->helo_verb[0] != '\0' &&
	         (sm->end == SMTPS_END_QUIT ||
	             sm->end == SMTPS_END_CLIENT_CLOSED))
		s->verdict = LISTEN_V_REQUIRES_TLS;
	else if (sm->have_mail ||
	         (sm->helo_verb[0] != '\0' && sm->end == SMTPS_END_QUIT))
		s->verdict = LISTEN_V_NO_TLS;
	else
		s->verdict = LISTEN_V_UNKNOWN;
}

#define ADD(id, st, ...)                                                       \
	check_add(&s->checks, id, st, NULL, NULL, NULL, 0, NULL, __VA_ARGS__)

/* check_tls - sender.tls.version, .cipher, .client_hello, .sni */
static void
check_tls(struct listen_session *s)
{
	const struct listen_params *p = &s->l->p;
	bool tls = s->tls.handshake == LISTEN_HS_OK;
	const struct tls_cipher_info *c = &s->tls.cipher;

	if (!tls)
		ADD(CK_SENDER_TLS_VERSION, CHECK_SKIP, "not evaluated: no TLS");
	else
		ADD(CK_SENDER_TLS_VERSION,
		    strcmp(s->tls.version, "TLSv1.2") == 0 ||
		            strcmp(s->tls.version, "TLSv1.3") == 0
		        ? CHECK_PASS
		        : CHECK_FAIL,
		    "%s", s->tls.version);
	if (!tls || !s->tls.have_cipher)
		ADD(CK_SENDER_TLS_CIPHER, CHECK_SKIP, "not evaluated: no TLS");
	else
		ADD(CK_SENDER_TLS_CIPHER,
		    c->cls == TLS_CLASS_BROKEN ? CHECK_FAIL
		    : c->cls == TLS_CLASS_WEAK ? CHECK_WARN
		                               : CHECK_PASS,
		    "%s (%s)", c->iana, tls_class_name(c->cls));
	if (s->tls.client_hello == NULL)
		ADD(CK_SENDER_TLS_CLIENT_HELLO, CHECK_SKIP,
		    "not evaluated: no ClientHello");
	else if (s->tls.hello_max_version < TLS1_2_VERSION)
		ADD(CK_SENDER_TLS_CLIENT_HELLO, CHECK_WARN,
		    "highest offered version is below TLS 1.2");
	else if (s->tls.hello_broken > 0)
		ADD(CK_SENDER_TLS_CLIENT_HELLO, CHECK_WARN,
		    "offers %zu broken cipher suites", s->tls.hello_broken);
	else
		ADD(CK_SENDER_TLS_CLIENT_HELLO, CHECK_PASS,
		    "offers TLS 1.2 or newer, no broken suites");
	if (!tls)
		ADD(CK_SENDER_SNI, CHECK_SKIP, "not evaluated: no TLS");
	else if (p->expect_sni != NULL)
		ADD(CK_SENDER_SNI,
		    strcasecmp(s->tls.sni, p->expect_sni) == 0 ? CHECK_PASS
		                                               : CHECK_FAIL,
		    "SNI '%s', expected '%s'", s->tls.sni, p->expect_sni);
	else if (s->tls.sni[0] == '\0')
		ADD(CK_SENDER_SNI, CHECK_INFO,
		    "no SNI sent (usual for "
		    "opportunistic senders; DANE and MTA-STS senders send the "
		    "MX name)");
	else
		ADD(CK_SENDER_SNI, CHECK_INFO, "SNI '%s'", s->tls.sni);
}

/* check_policy - sender.client_cert, .cert.enforced, .fallback.cleartext */
static void
check_policy(struct listen_session *s)
{
	const struct listen_params *p = &s->l->p;
	const struct smtp_server *sm = &s->sm;
	bool tls = s->tls.handshake == LISTEN_HS_OK;
	const char *rn = refusal_name(s->refusal);

	if (!p->request_client_cert)
		ADD(CK_SENDER_CLIENT_CERT, CHECK_SKIP,
		    "not evaluated: --request-client-cert not given");
	else if (!tls)
		ADD(CK_SENDER_CLIENT_CERT, CHECK_SKIP, "not evaluated: no TLS");
	else
		ADD(CK_SENDER_CLIENT_CERT,
		    !p->expect_client_cert    ? CHECK_INFO
		    : s->tls.have_client_cert ? CHECK_PASS
		                              : CHECK_FAIL,
		    s->tls.have_client_cert ? "client certificate sent: %s"
		                            : "no client certificate sent%s",
		    s->tls.have_client_cert && s->tls.client_cert.subject
		        ? s->tls.client_cert.subject
		        : "");
	if (!p->untrusted_cert)
		ADD(CK_SENDER_CERT_ENFORCED, CHECK_SKIP,
		    "not evaluated: --untrusted-cert not given");
	else if (rn == NULL)
		ADD(CK_SENDER_CERT_ENFORCED, CHECK_SKIP, "not evaluated: %s",
		    s->tls_attempted ? "the handshake ended without a verdict"
		                     : "STARTTLS not used");
	else {
		/* checks.md: Data: outcome, alert. */
		cJSON *data = cJSON_CreateObject();

		cJSON_AddStringToObject(data, "outcome", rn);
		if (s->tls.alert[0] != '\0')
			cJSON_AddStringToObject(data, "alert", s->tls.alert);
		else
			cJSON_AddNullToObject(data, "alert");
		check_add(&s->checks, CK_SENDER_CERT_ENFORCED,
		    !p->expect_verify                        ? CHECK_INFO
		    : s->refusal == LISTEN_REFUSAL_PROCEEDED ? CHECK_FAIL
		                                             : CHECK_PASS,
		    NULL, NULL, NULL, 0, data, "%s%s%s: the sender %s", rn,
		    s->tls.alert[0] ? " " : "", s->tls.alert,
		    s->refusal == LISTEN_REFUSAL_PROCEEDED
		        ? "accepts an unverified server"
		        : "verifies certificates for this destination");
	}
	if (p->starttls)
		ADD(CK_SENDER_FALLBACK_CLEARTEXT, CHECK_SKIP,
		    "not evaluated: STARTTLS was offered");
	else if (sm->have_mail)
		ADD(CK_SENDER_FALLBACK_CLEARTEXT,
		    p->expect_no_cleartext ? CHECK_FAIL : CHECK_INFO,
		    "proceeded to MAIL FROM without TLS");
	else if (s->verdict == LISTEN_V_REQUIRES_TLS)
		ADD(CK_SENDER_FALLBACK_CLEARTEXT,
		    p->expect_no_cleartext ? CHECK_PASS : CHECK_INFO,
		    "ended before MAIL FROM: it requires TLS here");
	else
		ADD(CK_SENDER_FALLBACK_CLEARTEXT, CHECK_SKIP,
		    "not evaluated: the session ended early");
}

enum st_err
listen_session_judge(struct listen_session *s)
{
	const struct smtp_server *sm = &s->sm;
	struct check_result *r;

	classify(s);
	if (!s->l->p.starttls)
		ADD(CK_SENDER_STARTTLS_USED, CHECK_SKIP,
		    "not evaluated: --no-starttls");
	else if (sm->starttls_used)
		r = ADD(CK_SENDER_STARTTLS_USED, CHECK_PASS,
		    "STARTTLS used before MAIL FROM");
	else if (sm->mail_cleartext)
		ADD(CK_SENDER_STARTTLS_USED, CHECK_FAIL,
		    "MAIL FROM sent in cleartext %s",
		    sm->starttls_offered
		        ? "although STARTTLS was offered"
		        : "after HELO (never saw the STARTTLS offer)");
	else
		ADD(CK_SENDER_STARTTLS_USED,
		    sm->helo_verb[0] ? CHECK_INFO : CHECK_SKIP, "%s",
		    sm->helo_verb[0] ? "STARTTLS not used, no MAIL FROM sent"
		                     : "not evaluated: no EHLO or HELO");
	if ((r = (struct check_result *)check_find(&s->checks,
	         CK_SENDER_STARTTLS_USED, NULL, NULL)) != NULL &&
	    sm->helo_verb[0]) {
		r->data = cJSON_CreateObject();
		cJSON_AddStringToObject(r->data, "verb", sm->helo_verb);
	}
	if (s->tls.handshake != LISTEN_HS_OK)
		ADD(CK_SENDER_EHLO_AFTER_TLS, CHECK_SKIP,
		    "not evaluated: no TLS");
	else if (strcmp(sm->first_tls_cmd, "EHLO") == 0)
		ADD(CK_SENDER_EHLO_AFTER_TLS, CHECK_PASS,
		    "EHLO sent first after the handshake");
	else if (sm->first_tls_cmd[0] == '\0')
		ADD(CK_SENDER_EHLO_AFTER_TLS, CHECK_SKIP,
		    "not evaluated: no command after the handshake");
	else
		ADD(CK_SENDER_EHLO_AFTER_TLS, CHECK_WARN,
		    "first command after the handshake: %s", sm->first_tls_cmd);
	check_tls(s);
	check_policy(s);
	check_list_sort(&s->checks);
	/* The ADD()s above leave their failures in the list. */
	return check_list_error(&s->checks);
}

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
	add_peer_text(o, "handshake", hs_name(t->handshake));
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
		cJSON *o = cJSON_CreateObject(), *sub;

		cJSON_AddStringToObject(o, "id", check_id_name(c->id));
		cJSON_AddStringToObject(o, "status",
		    check_status_name(c->status));
		cJSON_AddStringToObject(o, "severity", check_severity(c->id));
		sub = cJSON_AddObjectToObject(o, "subject");
		cJSON_AddStringToObject(sub, "session", s->id);
		cJSON_AddStringToObject(o, "detail",
		    c->detail ? c->detail : "");
		if (c->data != NULL)
			cJSON_AddItemToObject(o, "data",
			    cJSON_Duplicate(c->data, 1));
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

char *
listen_session_json(const struct listen_session *s)
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
	o = cJSON_AddObjectToObject(d, "envelope");
	if (sm->have_mail) {
		char t[SMTPS_PATH_MAX * 3];

		text_escape(sm->mail_from, strlen(sm->mail_from), t, sizeof(t));
		cJSON_AddStringToObject(o, "mail_from", t);
	} else
		cJSON_AddNullToObject(o, "mail_from");
	a = cJSON_AddArrayToObject(o, "mail_params");
	for (size_t i = 0; i < sm->nmail_params; i++) {
		char t[SMTPS_PATH_MAX * 3];

		text_escape(sm->mail_params[i], strlen(sm->mail_params[i]), t,
		    sizeof(t));
		cJSON_AddItemToArray(a, cJSON_CreateString(t));
	}
	a = cJSON_AddArrayToObject(o, "rcpt_to");
	for (size_t i = 0; i < sm->nrcpt; i++) {
		char t[SMTPS_PATH_MAX * 3];

		text_escape(sm->rcpt_to[i], strlen(sm->rcpt_to[i]), t,
		    sizeof(t));
		cJSON_AddItemToArray(a, cJSON_CreateString(t));
	}
	cJSON_AddBoolToObject(o, "requiretls", sm->requiretls);
	o = cJSON_AddObjectToObject(d, "data");
	cJSON_AddBoolToObject(o, "reached", sm->data_reached);
	if (sm->data_code != 0 && sm->data_code != 354) {
		cJSON *r = cJSON_AddObjectToObject(o, "reply"), *l;
		char enh[16] = "";

		cJSON_AddNumberToObject(r, "code", sm->data_code);
		sscanf(sm->data_reply, "%*d %15[0-9.]", enh);
		add_peer_text(r, "enhanced", enh);
		l = cJSON_AddArrayToObject(r, "lines");
		cJSON_AddItemToArray(l, cJSON_CreateString(sm->data_reply));
	} else
		cJSON_AddNullToObject(o, "reply");
	cJSON_AddStringToObject(d, "end", smtps_end_name(sm->end));
	a = cJSON_AddArrayToObject(d, "related_sessions");
	for (size_t i = 0; i < s->nrelated; i++) {
		char id[16];

		snprintf(id, sizeof(id), "s-%06u", s->related[i] % 1000000);
		cJSON_AddItemToArray(a, cJSON_CreateString(id));
	}
	add_peer_text(d, "refusal", refusal_name(s->refusal));
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
	for (int i = 0; i < CHECK__COUNT; i++)
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

char *
listen_session_human(const struct listen_session *s, bool verbose)
{
	const struct smtp_server *sm = &s->sm;
	const struct listen_tls_facts *t = &s->tls;
	struct buf b;
	char e[600];
	bool ok = true;

	buf_init(&b, 1 << 20);
#define P(...) (ok = ok && buf_printf(&b, __VA_ARGS__) == ST_OK)
	P("session %s from %s port %u: %s, %lld ms\n", s->id, s->peer,
	    s->peer_port, smtps_end_name(sm->end), s->t_end - s->t_start);
	text_escape(sm->helo_name, strlen(sm->helo_name), e, sizeof(e));
	P("  %-12s %s\n", sm->helo_verb[0] ? sm->helo_verb : "greeting",
	    sm->helo_verb[0] ? e : "none");
	P("  %-12s %s, %s\n", "STARTTLS",
	    sm->starttls_offered ? "offered" : "not offered",
	    sm->starttls_used ? "used" : "not used");
	if (t->handshake == LISTEN_HS_OK)
		P("  %-12s %s %s (%s)%s%s\n", "TLS", t->version, t->cipher.iana,
		    tls_class_name(t->cipher.cls),
		    t->group[0] ? ", group " : "", t->group);
	else if (s->tls_attempted)
		P("  %-12s handshake %s%s%s\n", "TLS",
		    hs_name(t->handshake) ? hs_name(t->handshake)
		                          : "not finished",
		    t->alert[0] ? ", alert " : "", t->alert);
	if (s->tls_attempted) {
		P("  %-12s %s\n", "SNI", t->sni[0] ? t->sni : "none");
		P("  %-12s %s\n", "client cert",
		    t->have_client_cert && t->client_cert.subject
		        ? t->client_cert.subject
		        : "none");
	}
	if (sm->have_mail) {
		text_escape(sm->mail_from, strlen(sm->mail_from), e, sizeof(e));
		P("  %-12s <%s>, %zu recipient%s\n", "MAIL FROM", e, sm->nrcpt,
		    sm->nrcpt == 1 ? "" : "s");
	}
	if (s->refusal != LISTEN_REFUSAL_NONE)
		P("  %-12s %s\n", "refusal", refusal_name(s->refusal));
	if (sm->flags & SMTPS_INJECTION)
		P("  %-12s %zu octets after STARTTLS dropped\n", "injection",
		    sm->injected);
	P("  %-12s %s\n", "verdict", listen_verdict_name(s->verdict));
	for (size_t i = 0; i < s->checks.n; i++) {
		const struct check_result *c = &s->checks.v[i];

		if (!verbose &&
		    (c->status == CHECK_SKIP || c->status == CHECK_PASS))
			continue;
		P("  %-5s %s: %s\n", check_status_name(c->status),
		    check_id_name(c->id), c->detail ? c->detail : "");
	}
#undef P
	if (!ok) {
		buf_release(&b);
		return NULL;
	}
	return buf_take(&b);
}
