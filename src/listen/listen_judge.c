/*
 * listen_judge.c - judge a finished listener session: the refusal class,
 * the sender verdict and the sender.* checks of checks.md 11, from the
 * session record alone (no I/O, no rendering).
 */
#include "listen_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_data.h"
#include "clock.h"
#include "smtptls/probe.h"

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

const char *
listen_refusal_name(enum listen_refusal r)
{
	static const char *const n[] = { NULL, "handshake-alert",
		"quit-after-tls", "close-after-tls", "proceeded" };

	return (unsigned)r < sizeof(n) / sizeof(n[0]) ? n[r] : NULL;
}

const char *
listen_hs_name(enum listen_hs h)
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
/* cert_data - sender.cert.enforced's data (checks.md: outcome, alert) */
static struct check_data *
cert_data(struct listen_session *s, const char *outcome)
{
	struct check_data *d = check_data_new(&s->checks, CD_SENDER_CERT);

	if (d != NULL) {
		d->u.sender.outcome = outcome;
		snprintf(d->u.sender.alert, sizeof(d->u.sender.alert), "%s",
		    s->tls.alert);
	}
	return d;
}

static void
check_policy(struct listen_session *s)
{
	const struct listen_params *p = &s->l->p;
	const struct smtp_server *sm = &s->sm;
	bool tls = s->tls.handshake == LISTEN_HS_OK;
	const char *rn = listen_refusal_name(s->refusal);

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
		check_add(&s->checks, CK_SENDER_CERT_ENFORCED,
		    !p->expect_verify                        ? CHECK_INFO
		    : s->refusal == LISTEN_REFUSAL_PROCEEDED ? CHECK_FAIL
		                                             : CHECK_PASS,
		    NULL, NULL, NULL, 0, cert_data(s, rn),
		    "%s%s%s: the sender %s", rn, s->tls.alert[0] ? " " : "",
		    s->tls.alert,
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
	/* The greeting's verb, where the check was evaluated (report.md: a
	 * skipped check carries no data). */
	if ((r = (struct check_result *)check_find(&s->checks,
	         CK_SENDER_STARTTLS_USED, NULL, NULL)) != NULL &&
	    r->status != CHECK_SKIP && sm->helo_verb[0]) {
		if ((r->data = check_data_new(&s->checks, CD_SENDER_VERB)) !=
		    NULL)
			snprintf(r->data->u.sender.verb,
			    sizeof(r->data->u.sender.verb), "%s",
			    sm->helo_verb);
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

void
listen_session_outcome(const struct listen_session *s, struct listen_outcome *o)
{
	o->peer = s->peer;
	o->local = s->local;
	o->sni = s->tls.sni;
	o->starttls = s->sm.starttls_used;
	o->tls = s->tls.handshake == LISTEN_HS_OK;
	o->mail = s->sm.have_mail;
	o->delivered = s->sm.data_code == 250;
}

const char *
listen_cert_spki(const struct listen *l)
{
	return l->server_cert.spki_sha256_hex;
}
