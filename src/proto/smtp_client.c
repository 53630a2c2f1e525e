/*
 * smtp_client.c - the probe's SMTP client dialogue as a byte-fed state
 * machine (see smtp_client.h).
 *
 * Owns its copies of the params, the reply parser, the queued command
 * bytes, the transcript and every reply received. It never touches a
 * socket, a clock or OpenSSL and never prints: the driver feeds what the
 * server sent, writes what smtp_client_output() offers, and reports EOF,
 * timeouts and the outcome of the TLS handshake. Every state change goes
 * through client_set_state(), which leaves a trace line in the transcript
 * (smtp_client_transcript.c).
 */
#include "smtp_client.h"

#include <assert.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smtp_client_int.h"
#include "st_limits.h"
#include "banned.h"

#define EHLO_NAME_MAX SMTP_EHLO_NAME_MAX
#define PATH_MAX_OCTETS (SMTP_MAILBOX_MAX + 2)
#define QUOTE_TEXT 160

/* client_set_state - the one place where the state changes */
static void
client_set_state(struct smtp_client *sc, enum smtp_state next)
{
	smtpc_transcript_trace(sc, "%s -> %s", smtp_state_name(sc->state),
	    smtp_state_name(next));
	sc->state = next;
}

/* state_event - what a state means to the driver when nothing happens */
static enum smtp_event
state_event(const struct smtp_client *sc)
{
	if (sc->state == SMTP_ST_DONE)
		return SMTP_EV_DONE;
	if (sc->state == SMTP_ST_FAILED)
		return SMTP_EV_FAILED;
	return SMTP_EV_NONE;
}

/* client_fail - end the dialogue; a refusal already recorded is kept */
static enum smtp_event __attribute__((format(printf, 3, 4)))
client_fail(struct smtp_client *sc, enum st_err err, const char *fmt, ...)
{
	va_list ap;

	if (!sc->failing) {
		sc->fail_state = sc->state;
		sc->err = err;
		va_start(ap, fmt);
		/* A cut message is still a useful message. */
		(void)vsnprintf(sc->errmsg, sizeof(sc->errmsg), fmt, ap);
		va_end(ap);
	}
	client_set_state(sc, SMTP_ST_FAILED);
	return SMTP_EV_FAILED;
}

/* client_send - queue one command (CRLF added) and enter state next */
static enum smtp_event __attribute__((format(printf, 3, 4)))
client_send(struct smtp_client *sc, enum smtp_state next, const char *fmt, ...)
{
	char cmd[EHLO_NAME_MAX + PATH_MAX_OCTETS + 32];
	va_list ap;
	int n;
	enum st_err err;

	va_start(ap, fmt);
	n = vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	/* Params are checked in smtp_client_init(), so a command that does
	 * not fit is a broken invariant. */
	if (n < 0 || (size_t)n >= sizeof(cmd))
		return client_fail(sc, ST_ERR_INTERNAL,
		    "cannot format the command for %s", smtp_state_name(next));
	if ((err = buf_add(&sc->out, cmd, (size_t)n)) != ST_OK ||
	    (err = buf_add(&sc->out, "\r\n", 2)) != ST_OK)
		return client_fail(sc, err,
		    "cannot queue the command for %s: %s",
		    smtp_state_name(next), st_strerror(err));
	client_set_state(sc, next);
	smtpc_transcript_add(sc, "> ", cmd, (size_t)n);
	return SMTP_EV_NONE;
}

/* reply_quote - "DDD text" of the first line, escaped and cut */
static void
reply_quote(const struct smtp_reply *r, char *out, size_t outlen)
{
	const char *text = r->nlines > 0 ? r->lines[0] : "";
	size_t n = strlen(text), shown;
	int k;

	k = snprintf(out, outlen, "%03d ", r->code);
	if (k < 0 || (size_t)k + 4 > outlen)
		return;
	shown = smtp_reply_escape(out + k, outlen - (size_t)k - 3, text,
	    n < QUOTE_MAX ? n : QUOTE_MAX);
	if (shown < n)
		memcpy(out + strlen(out), "...", 4);
}

/* client_refused - the server refused a step the dialogue needs */
static enum smtp_event
client_refused(struct smtp_client *sc, const struct smtp_reply *r,
    const char *what)
{
	char q[QUOTE_TEXT];

	reply_quote(r, q, sizeof(q));
	/* RFC 5321 3.8: 421 means the server is closing the channel; a QUIT
	 * would only meet a closed connection. */
	if (r->code == 421)
		return client_fail(sc, ST_OK, "server refused %s: '%s'", what,
		    q);
	sc->fail_state = sc->state;
	sc->err = ST_OK;
	/* A cut message is still a useful message. */
	(void)snprintf(sc->errmsg, sizeof(sc->errmsg),
	    "server refused %s: '%s'", what, q);
	sc->failing = true;
	return client_send(sc, SMTP_ST_QUIT, "QUIT");
}

/* client_start_test - the address test, or QUIT */
static enum smtp_event
client_start_test(struct smtp_client *sc, bool address_test)
{
	if (address_test && sc->params.rcpt != NULL) {
		sc->address_test = true;
		return client_send(sc, SMTP_ST_MAIL, "MAIL FROM:<%s>",
		    sc->params.mail_from);
	}
	return client_send(sc, SMTP_ST_QUIT, "QUIT");
}

/* client_after_hello - address test if wanted (or hold for the driver's
 * choice), else QUIT */
static enum smtp_event
client_after_hello(struct smtp_client *sc)
{
	if (sc->params.rcpt != NULL && sc->params.hold_before_mail) {
		client_set_state(sc, SMTP_ST_READY);
		return SMTP_EV_READY;
	}
	return client_start_test(sc, true);
}

enum smtp_event
smtp_client_go(struct smtp_client *sc, bool address_test)
{
	if (sc->state != SMTP_ST_READY)
		return state_event(sc);
	return client_start_test(sc, address_test);
}

/* on_unsolicited - a reply while held, before any command was sent: a 421
 * (idle timeout, shutdown) ends the session; anything else breaks the
 * lock-step of RFC 5321 4.3 */
static enum smtp_event
on_unsolicited(struct smtp_client *sc, const struct smtp_reply *r)
{
	char q[QUOTE_TEXT];

	if (r->code == 421)
		return client_refused(sc, r, "the session while idle");
	reply_quote(r, q, sizeof(q));
	return client_fail(sc, ST_ERR_PROTO, "reply nobody asked for: '%s'", q);
}

/* EHLO keywords recorded as enum smtp_ext flags. */
static const struct {
	const char *kw;
	unsigned flag;
} exts[] = {
	{ "STARTTLS", SMTP_EXT_STARTTLS },
	{ "SIZE", SMTP_EXT_SIZE },
	{ "PIPELINING", SMTP_EXT_PIPELINING },
	{ "8BITMIME", SMTP_EXT_8BITMIME },
	{ "SMTPUTF8", SMTP_EXT_SMTPUTF8 },
	{ "REQUIRETLS", SMTP_EXT_REQUIRETLS },
	{ "CHUNKING", SMTP_EXT_CHUNKING },
	{ "ENHANCEDSTATUSCODES", SMTP_EXT_ENHANCEDSTATUSCODES },
	{ "DSN", SMTP_EXT_DSN },
	{ "AUTH", SMTP_EXT_AUTH },
};

/* ehlo_exts - the enum smtp_ext flags of an EHLO reply */
static unsigned
ehlo_exts(const struct smtp_reply *r)
{
	unsigned flags = 0;
	size_t i;

	for (i = 0; i < sizeof(exts) / sizeof(exts[0]); i++)
		if (smtp_reply_has_keyword(r, exts[i].kw))
			flags |= exts[i].flag;
	return flags;
}

static enum smtp_event
on_banner(struct smtp_client *sc, const struct smtp_reply *r)
{
	if (r->code == 220)
		return client_send(sc, SMTP_ST_EHLO, "EHLO %s",
		    sc->params.ehlo_name);
	return client_refused(sc, r, "the session");
}

static enum smtp_event
on_ehlo(struct smtp_client *sc, const struct smtp_reply *r)
{
	if (r->code / 100 == 2) {
		sc->ext = ehlo_exts(r);
		sc->starttls_offered = (sc->ext & SMTP_EXT_STARTTLS) != 0;
		if (sc->starttls_offered && sc->params.starttls)
			return client_send(sc, SMTP_ST_STARTTLS, "STARTTLS");
		return client_after_hello(sc);
	}
	/* RFC 5321 4.1.4: a server that does not speak ESMTP refuses EHLO
	 * with 5xx; the client falls back to HELO. */
	if (r->code / 100 == 5) {
		sc->used_helo = true;
		return client_send(sc, SMTP_ST_HELO, "HELO %s",
		    sc->params.ehlo_name);
	}
	return client_refused(sc, r, "EHLO");
}

static enum smtp_event
on_helo(struct smtp_client *sc, const struct smtp_reply *r)
{
	if (r->code / 100 == 2)
		return client_after_hello(sc);
	return client_refused(sc, r, "HELO");
}

static enum smtp_event
on_starttls(struct smtp_client *sc, const struct smtp_reply *r)
{
	if (r->code == 220) {
		client_set_state(sc, SMTP_ST_TLS);
		return SMTP_EV_START_TLS;
	}
	if (r->code == 421)
		return client_refused(sc, r, "STARTTLS");
	/* RFC 3207 4: after 454 or 501 an opportunistic sender goes on in
	 * cleartext; checks.md judges the refusal, we keep talking. */
	return client_after_hello(sc);
}

static enum smtp_event
on_ehlo_tls(struct smtp_client *sc, const struct smtp_reply *r)
{
	if (r->code / 100 == 2) {
		sc->ext_tls = ehlo_exts(r);
		return client_after_hello(sc);
	}
	return client_refused(sc, r, "EHLO over TLS");
}

static enum smtp_event
on_mail(struct smtp_client *sc, const struct smtp_reply *r)
{
	if (r->code == 421)
		return client_refused(sc, r, "MAIL FROM");
	if (r->code / 100 == 2)
		return client_send(sc, SMTP_ST_RCPT, "RCPT TO:<%s>",
		    sc->params.rcpt);
	/* A rejected sender: nothing to test RCPT with, but reset. */
	return client_send(sc, SMTP_ST_RSET, "RSET");
}

static enum smtp_event
on_rcpt(struct smtp_client *sc, const struct smtp_reply *r)
{
	if (r->code == 421)
		return client_refused(sc, r, "RCPT TO");
	/* checks.md rcpt.catchall: only an accepted mailbox makes the random
	 * one worth asking about. */
	if (sc->params.rcpt2 != NULL && r->code / 100 == 2)
		return client_send(sc, SMTP_ST_RCPT2, "RCPT TO:<%s>",
		    sc->params.rcpt2);
	return client_send(sc, SMTP_ST_RSET, "RSET");
}

static enum smtp_event
on_rcpt2(struct smtp_client *sc, const struct smtp_reply *r)
{
	if (r->code == 421)
		return client_refused(sc, r, "RCPT TO");
	return client_send(sc, SMTP_ST_RSET, "RSET");
}

static enum smtp_event
on_rset(struct smtp_client *sc, const struct smtp_reply *r)
{
	if (r->code == 421)
		return client_refused(sc, r, "RSET");
	return client_send(sc, SMTP_ST_QUIT, "QUIT");
}

static enum smtp_event
on_quit(struct smtp_client *sc, const struct smtp_reply *r)
{
	(void)r; /* any answer to QUIT ends the dialogue; it is kept */
	if (sc->failing) {
		client_set_state(sc, SMTP_ST_FAILED);
		return SMTP_EV_FAILED;
	}
	client_set_state(sc, SMTP_ST_DONE);
	return SMTP_EV_DONE;
}

/*
 * One row per state: its name for traces, what it waits for (for
 * messages), where its reply is kept and what to do with it.
 */
static const struct state_info {
	const char *name;
	const char *awaiting;
	size_t slot; /* offsetof the reply in struct smtp_client */
	/* what to do with the reply; NULL: none expected in this state */
	enum smtp_event (
	    *on_reply)(struct smtp_client *, const struct smtp_reply *);
} states[] = {
	[SMTP_ST_NONE] = { "none", "nothing", 0, NULL },
	[SMTP_ST_BANNER] = { "banner", "the greeting",
	    offsetof(struct smtp_client, banner), on_banner },
	[SMTP_ST_EHLO] = { "ehlo", "the reply to EHLO",
	    offsetof(struct smtp_client, ehlo), on_ehlo },
	[SMTP_ST_HELO] = { "helo", "the reply to HELO",
	    offsetof(struct smtp_client, helo), on_helo },
	[SMTP_ST_STARTTLS] = { "starttls", "the reply to STARTTLS",
	    offsetof(struct smtp_client, starttls), on_starttls },
	[SMTP_ST_TLS] = { "tls", "the TLS handshake", 0, NULL },
	[SMTP_ST_EHLO_TLS] = { "ehlo_tls", "the reply to EHLO over TLS",
	    offsetof(struct smtp_client, ehlo_tls), on_ehlo_tls },
	[SMTP_ST_READY] = { "ready", "the choice of the address test",
	    offsetof(struct smtp_client, unsolicited), on_unsolicited },
	[SMTP_ST_MAIL] = { "mail", "the reply to MAIL FROM",
	    offsetof(struct smtp_client, mail), on_mail },
	[SMTP_ST_RCPT] = { "rcpt", "the reply to RCPT TO",
	    offsetof(struct smtp_client, rcpt), on_rcpt },
	[SMTP_ST_RCPT2] = { "rcpt2", "the reply to the second RCPT TO",
	    offsetof(struct smtp_client, rcpt2), on_rcpt2 },
	[SMTP_ST_RSET] = { "rset", "the reply to RSET",
	    offsetof(struct smtp_client, rset), on_rset },
	[SMTP_ST_QUIT] = { "quit", "the reply to QUIT",
	    offsetof(struct smtp_client, quit), on_quit },
	[SMTP_ST_DONE] = { "done", "nothing", 0, NULL },
	[SMTP_ST_FAILED] = { "failed", "nothing", 0, NULL },
};
static_assert(sizeof(states) / sizeof(states[0]) == SMTP_ST__COUNT,
    "states[] must describe every enum smtp_state value");

const char *
smtp_state_name(enum smtp_state s)
{
	if ((int)s < 0 || s >= SMTP_ST__COUNT || states[s].name == NULL)
		return "unknown";
	return states[s].name;
}

/* dup_param - a copy of s into *dst */
static enum st_err
dup_param(const char **dst, const char *s)
{
	char *copy;
	size_t n = strlen(s);

	if ((copy = malloc(n + 1)) == NULL)
		return ST_ERR_NOMEM;
	memcpy(copy, s, n + 1);
	*dst = copy;
	return ST_OK;
}

enum st_err
smtp_client_init(struct smtp_client *sc,
    const struct smtp_client_params *params)
{
	const char *from = params->mail_from != NULL ? params->mail_from : "";
	enum st_err err;

	memset(sc, 0, sizeof(*sc));
	sc->state = SMTP_ST_BANNER;
	sc->fail_state = SMTP_ST_BANNER;
	sc->err = ST_OK;
	smtp_reply_parser_init(&sc->parser);
	sc->parser.line_cb = smtpc_transcript_line;
	sc->parser.line_cb_arg = sc;
	buf_init(&sc->out, SMTP_OUTPUT_MAX);
	smtpc_transcript_init(sc);

	if (params->ehlo_name == NULL ||
	    smtp_ehlo_name_problem(params->ehlo_name) != NULL ||
	    (from[0] != '\0' && smtp_mailbox_problem(from) != NULL) ||
	    (params->rcpt != NULL &&
	        smtp_mailbox_problem(params->rcpt) != NULL) ||
	    (params->rcpt2 != NULL &&
	        smtp_mailbox_problem(params->rcpt2) != NULL))
		return ST_ERR_INVAL;
	sc->params.starttls = params->starttls;
	sc->params.hold_before_mail = params->hold_before_mail;
	if ((err = dup_param(&sc->params.ehlo_name, params->ehlo_name)) !=
	        ST_OK ||
	    (err = dup_param(&sc->params.mail_from, from)) != ST_OK)
		return err;
	if (params->rcpt != NULL &&
	    (err = dup_param(&sc->params.rcpt, params->rcpt)) != ST_OK)
		return err;
	if (params->rcpt2 != NULL &&
	    (err = dup_param(&sc->params.rcpt2, params->rcpt2)) != ST_OK)
		return err;
	return ST_OK;
}

void
smtp_client_release(struct smtp_client *sc)
{
	if (sc == NULL)
		return;
	/* The params strings are our own copies (smtp_client_init()). */
	free((void *)sc->params.ehlo_name);
	free((void *)sc->params.mail_from);
	free((void *)sc->params.rcpt);
	free((void *)sc->params.rcpt2);
	sc->params.ehlo_name = sc->params.mail_from = sc->params.rcpt = NULL;
	sc->params.rcpt2 = NULL;
	smtp_reply_parser_release(&sc->parser);
	buf_release(&sc->out);
	buf_release(&sc->transcript);
	smtp_reply_release(&sc->banner);
	smtp_reply_release(&sc->ehlo);
	smtp_reply_release(&sc->helo);
	smtp_reply_release(&sc->starttls);
	smtp_reply_release(&sc->ehlo_tls);
	smtp_reply_release(&sc->mail);
	smtp_reply_release(&sc->rcpt);
	smtp_reply_release(&sc->rcpt2);
	smtp_reply_release(&sc->rset);
	smtp_reply_release(&sc->quit);
	smtp_reply_release(&sc->unsolicited);
}

/* client_reply - keep a complete reply and act on it */
static enum smtp_event
client_reply(struct smtp_client *sc, struct smtp_reply *r)
{
	const struct state_info *si = &states[sc->state];
	struct smtp_reply *slot;

	if (si->on_reply == NULL) {
		smtp_reply_release(r);
		return client_fail(sc, ST_ERR_INTERNAL, "reply in state %s",
		    si->name);
	}
	/* The transcript shows what was stored; say what was not. */
	if (r->flags & SMTP_REPLY_CUT_LINE)
		smtpc_transcript_trace(sc,
		    "a reply line of %zu octets: the first "
		    "%d kept, the rest read and discarded",
		    r->longest, SMTP_REPLY_LINE_MAX);
	slot = (struct smtp_reply *)((char *)sc + si->slot);
	smtp_reply_release(slot);
	*slot = *r;
	return si->on_reply(sc, slot);
}

enum smtp_event
smtp_client_feed(struct smtp_client *sc, const char *buf, size_t len,
    size_t *used)
{
	enum smtp_event ev = SMTP_EV_NONE;
	struct smtp_reply r;
	size_t off = 0, n;
	bool done;
	enum st_err err;

	*used = 0;
	if (sc->state == SMTP_ST_DONE || sc->state == SMTP_ST_FAILED ||
	    sc->state == SMTP_ST_TLS)
		return state_event(sc);
	/* The struct may have moved since init; the callback follows it. */
	sc->parser.line_cb_arg = sc;
	while (off < len && ev == SMTP_EV_NONE) {
		err = smtp_reply_feed(&sc->parser, buf + off, len - off, &n, &r,
		    &done);
		off += n;
		if (err != ST_OK) {
			ev = client_fail(sc, err, "cannot read %s: %s",
			    states[sc->state].awaiting, sc->parser.errmsg);
			break;
		}
		if (!done)
			break;
		ev = client_reply(sc, &r);
	}
	if (ev == SMTP_EV_START_TLS && off < len) {
		/* RFC 3207 5: nothing may follow the 220 before the
		 * handshake; a server that sends more invites injection. */
		sc->tls_injection = true;
		smtpc_transcript_trace(sc,
		    "%zu octets after the 220 to STARTTLS "
		    "in the same read, discarded",
		    len - off);
	}
	*used = off;
	return ev;
}

enum smtp_event
smtp_client_tls_done(struct smtp_client *sc, bool ok, const char *errmsg)
{
	if (sc->state != SMTP_ST_TLS)
		return state_event(sc);
	if (!ok)
		return client_fail(sc, ST_ERR_TLS, "TLS handshake failed: %s",
		    errmsg != NULL ? errmsg : "no detail");
	sc->tls_active = true;
	smtpc_transcript_trace(sc, "tls handshake done");
	/* Nothing queued in cleartext may leak into the TLS session. */
	buf_reset(&sc->out);
	return client_send(sc, SMTP_ST_EHLO_TLS, "EHLO %s",
	    sc->params.ehlo_name);
}

/* parser_busy - whether part of a reply has been received */
static bool
parser_busy(const struct smtp_client *sc)
{
	return sc->parser.line.len > 0 || sc->parser.cur.nlines > 0;
}

enum smtp_event
smtp_client_closed(struct smtp_client *sc, enum st_err err, const char *how)
{
	if (sc->state == SMTP_ST_DONE || sc->state == SMTP_ST_FAILED)
		return state_event(sc);
	if (sc->state == SMTP_ST_QUIT) {
		/* RFC 5321 4.1.1.10 wants a 221 first; closing without it is
		 * rude but ends the dialogue all the same. */
		smtpc_transcript_trace(sc, "%s", how);
		if (sc->failing) {
			client_set_state(sc, SMTP_ST_FAILED);
			return SMTP_EV_FAILED;
		}
		client_set_state(sc, SMTP_ST_DONE);
		return SMTP_EV_DONE;
	}
	if (parser_busy(sc))
		return client_fail(sc, err, "%s in the middle of %s", how,
		    states[sc->state].awaiting);
	return client_fail(sc, err, "%s while waiting for %s", how,
	    states[sc->state].awaiting);
}

enum smtp_event
smtp_client_eof(struct smtp_client *sc)
{
	return smtp_client_closed(sc, ST_ERR_CLOSED, "connection closed");
}

enum smtp_event
smtp_client_timeout(struct smtp_client *sc)
{
	if (sc->state == SMTP_ST_DONE || sc->state == SMTP_ST_FAILED)
		return state_event(sc);
	return client_fail(sc, ST_ERR_TIMEOUT, "timed out waiting for %s",
	    states[sc->state].awaiting);
}

const char *
smtp_client_output(const struct smtp_client *sc, size_t *len)
{
	*len = sc->out.len;
	return sc->out.len > 0 ? sc->out.data : NULL;
}

void
smtp_client_output_done(struct smtp_client *sc, size_t n)
{
	buf_consume(&sc->out, n);
}
