/*
 * listen_human.c - a judged listener session as a short human block.
 */
#include "listen_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "text.h"

#include "banned.h"

/* tls_lines - the session's TLS, SNI and client certificate lines */
static bool
tls_lines(struct buf *b, const struct listen_session *s)
{
	const struct listen_tls_facts *t = &s->tls;
	bool ok = true;

#define P(...) (ok = ok && buf_printf(b, __VA_ARGS__) == ST_OK)
	if (t->handshake == LISTEN_HS_OK)
		P("  %-12s %s %s (%s)%s%s\n", "TLS", t->version, t->cipher.iana,
		    tls_class_name(t->cipher.cls),
		    t->group[0] ? ", group " : "", t->group);
	else if (s->tls_attempted)
		P("  %-12s handshake %s%s%s\n", "TLS",
		    listen_hs_name(t->handshake) ? listen_hs_name(t->handshake)
		                                 : "not finished",
		    t->alert[0] ? ", alert " : "", t->alert);
	if (s->tls_attempted) {
		P("  %-12s %s\n", "SNI", t->sni[0] ? t->sni : "none");
		P("  %-12s %s\n", "client cert",
		    t->have_client_cert && t->client_cert.subject
		        ? t->client_cert.subject
		        : "none");
	}
#undef P
	return ok;
}

char *
listen_session_human(const struct listen_session *s, bool verbose)
{
	const struct smtp_server *sm = &s->sm;
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
	ok = ok && tls_lines(&b, s);
	if (sm->have_mail) {
		text_escape(sm->mail_from, strlen(sm->mail_from), e, sizeof(e));
		P("  %-12s <%s>, %zu recipient%s\n", "MAIL FROM", e, sm->nrcpt,
		    sm->nrcpt == 1 ? "" : "s");
	}
	if (s->refusal != LISTEN_REFUSAL_NONE)
		P("  %-12s %s\n", "refusal", listen_refusal_name(s->refusal));
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
