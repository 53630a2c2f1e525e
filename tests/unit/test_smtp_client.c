/*
 * test_smtp_client.c - scripted dialogues against the SMTP client machine.
 *
 * A dialogue is a list of steps (server bytes, EOF, timeout, handshake
 * outcome), each with the event and the command bytes expected after it,
 * and a summary of the machine at the end. Every dialogue is run with each
 * step's bytes fed at once and fed one byte at a time.
 */
#include "smtp_client.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "st_limits.h"
#include "unit.h"
#include "banned.h"

#define STEPS_MAX 12
#define TEXT_MAX 2048

enum op { END = 0, RECV, EOF_, TIMEOUT, TLS_OK, TLS_FAIL, GO_TEST, GO_QUIT,
	CLOSED_ALERT };

struct step {
	enum op op;
	const char *data;   /* RECV: server bytes; TLS_FAIL: errmsg */
	enum smtp_event ev; /* event after the step */
	const char *out;    /* command bytes queued by the step */
};

struct dialogue {
	const char *name;
	struct smtp_client_params params;
	struct step steps[STEPS_MAX];
	const char *expect;       /* summary at the end (see summarise()) */
	const char *expect_bytes; /* the same fed byte by byte; NULL: same */
	const char *errmsg;       /* "" when none */
};

#define NAME "probe.example"
#define P_TLS {NAME, true, "", NULL, NULL, false}
#define P_PLAIN {NAME, false, "", NULL, NULL, false}
#define P_ADDR {NAME, true, "probe@example.org", "postmaster@example.net", NULL, \
	false}
#define P_HOLD {NAME, true, "probe@example.org", "postmaster@example.net", NULL, \
	true}
#define P_CATCH {NAME, true, "probe@example.org", "postmaster@example.net", \
	"smtptls-0123456789abcdef@example.net", false}

#define BANNER "220 mx.example ESMTP Postfix\r\n"
#define EHLO "EHLO " NAME "\r\n"
#define EHLO_TLS_OFFERED "250-mx.example\r\n250-PIPELINING\r\n" \
    "250-SIZE 10240000\r\n250-STARTTLS\r\n250-ENHANCEDSTATUSCODES\r\n" \
    "250-8BITMIME\r\n250 CHUNKING\r\n"
#define EHLO_IN_TLS "250-mx.example\r\n250-PIPELINING\r\n" \
    "250-SIZE 10240000\r\n250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n" \
    "250-REQUIRETLS\r\n250 CHUNKING\r\n"
#define EHLO_PLAIN "250-mx.example\r\n250 PIPELINING\r\n"
#define READY "220 2.0.0 Ready to start TLS\r\n"
#define BYE "221 2.0.0 Bye\r\n"
#define MAIL "MAIL FROM:<probe@example.org>\r\n"
#define RCPT "RCPT TO:<postmaster@example.net>\r\n"

#define S_BANNER {RECV, BANNER, SMTP_EV_NONE, EHLO}
#define S_EHLO_STARTTLS {RECV, EHLO_TLS_OFFERED, SMTP_EV_NONE, "STARTTLS\r\n"}
#define S_READY {RECV, READY, SMTP_EV_START_TLS, ""}
#define S_TLS_OK {TLS_OK, NULL, SMTP_EV_NONE, EHLO}
#define S_BYE {RECV, BYE, SMTP_EV_DONE, ""}

/* Over-long lines, made at run time (main): a 100 KiB greeting line, an
 * EHLO reply with a 100 KiB line, and a greeting line that never ends. */
#define LONG_LINE (100 * 1024)
static char long_banner[LONG_LINE + 8];
static char long_ehlo[LONG_LINE + 64];
static char endless_banner[SMTP_REPLY_OCTETS_MAX + 16];

static const struct dialogue dialogues[] = {
	/* RFC 5321 4.5.3.1: cope with long lines. The start is kept, the
	 * rest discarded, and the dialogue goes on to TLS. */
	{"100 KiB lines in greeting and EHLO", P_TLS, {
	    {RECV, long_banner, SMTP_EV_NONE, EHLO},
	    {RECV, long_ehlo, SMTP_EV_NONE, "STARTTLS\r\n"},
	    S_READY, S_TLS_OK,
	    {RECV, EHLO_IN_TLS, SMTP_EV_NONE, "QUIT\r\n"},
	    S_BYE},
	    "done codes=220/250/-/220/250/-/-/-/221 ext=0x1/0xee "
	    "{offered,tls}", NULL, ""},
	/* What one reply may make us read is capped: a line without end
	 * ends the dialogue at that cap (or at the step timeout). */
	{"endless greeting line", P_TLS, {
	    {RECV, endless_banner, SMTP_EV_FAILED, ""}},
	    "failed@banner (size limit reached) codes=-/-/-/-/-/-/-/-/- "
	    "ext=0/0 {}", NULL, "cannot read the greeting: reply longer "
	    "than 1048576 octets: '220 AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA...'"},
	{"EHLO, STARTTLS, EHLO, QUIT", P_TLS, {
	    S_BANNER, S_EHLO_STARTTLS, S_READY, S_TLS_OK,
	    {RECV, EHLO_IN_TLS, SMTP_EV_NONE, "QUIT\r\n"},
	    S_BYE},
	    "done codes=220/250/-/220/250/-/-/-/221 ext=0xcf/0xee "
	    "{offered,tls}", NULL, ""},
	{"HELO fallback", P_TLS, {
	    S_BANNER,
	    {RECV, "502 5.5.2 Error: command not recognized\r\n",
	    SMTP_EV_NONE, "HELO " NAME "\r\n"},
	    {RECV, "250 mx.example\r\n", SMTP_EV_NONE, "QUIT\r\n"},
	    S_BYE},
	    "done codes=220/502/250/-/-/-/-/-/221 ext=0/0 {helo}", NULL, ""},
	{"EHLO and HELO refused", P_TLS, {
	    S_BANNER,
	    {RECV, "500 what\r\n", SMTP_EV_NONE, "HELO " NAME "\r\n"},
	    {RECV, "501 5.5.4 go away\r\n", SMTP_EV_NONE, "QUIT\r\n"},
	    {RECV, BYE, SMTP_EV_FAILED, ""}},
	    "failed@helo (success) codes=220/500/501/-/-/-/-/-/221 ext=0/0 "
	    "{helo}", NULL, "server refused HELO: '501 5.5.4 go away'"},
	{"EHLO 4xx", P_TLS, {
	    S_BANNER,
	    {RECV, "450 later\r\n", SMTP_EV_NONE, "QUIT\r\n"},
	    {EOF_, NULL, SMTP_EV_FAILED, ""}},
	    "failed@ehlo (success) codes=220/450/-/-/-/-/-/-/- ext=0/0 {}",
	    NULL, "server refused EHLO: '450 later'"},
	{"no STARTTLS offered", P_TLS, {
	    S_BANNER,
	    {RECV, EHLO_PLAIN, SMTP_EV_NONE, "QUIT\r\n"},
	    S_BYE},
	    "done codes=220/250/-/-/-/-/-/-/221 ext=0x4/0 {}", NULL, ""},
	{"STARTTLS offered, not wanted", P_PLAIN, {
	    S_BANNER,
	    {RECV, EHLO_TLS_OFFERED, SMTP_EV_NONE, "QUIT\r\n"},
	    S_BYE},
	    "done codes=220/250/-/-/-/-/-/-/221 ext=0xcf/0 {offered}", NULL,
	    ""},
	{"STARTTLS 454", P_TLS, {
	    S_BANNER, S_EHLO_STARTTLS,
	    {RECV, "454 4.7.0 TLS not available due to local problem\r\n",
	    SMTP_EV_NONE, "QUIT\r\n"},
	    S_BYE},
	    "done codes=220/250/-/454/-/-/-/-/221 ext=0xcf/0 {offered}", NULL,
	    ""},
	{"STARTTLS 454, address test in cleartext", P_ADDR, {
	    S_BANNER, S_EHLO_STARTTLS,
	    {RECV, "454 4.7.0 TLS not available\r\n", SMTP_EV_NONE, MAIL},
	    {RECV, "250 2.1.0 Ok\r\n", SMTP_EV_NONE, RCPT},
	    {RECV, "250 2.1.5 Ok\r\n", SMTP_EV_NONE, "RSET\r\n"},
	    {RECV, "250 2.0.0 Ok\r\n", SMTP_EV_NONE, "QUIT\r\n"},
	    S_BYE},
	    "done codes=220/250/-/454/-/250/250/250/221 ext=0xcf/0 "
	    "{offered}", NULL, ""},
	{"STARTTLS 421", P_TLS, {
	    S_BANNER, S_EHLO_STARTTLS,
	    {RECV, "421 4.3.2 closing\r\n", SMTP_EV_FAILED, ""}},
	    "failed@starttls (success) codes=220/250/-/421/-/-/-/-/- "
	    "ext=0xcf/0 {offered}", NULL,
	    "server refused STARTTLS: '421 4.3.2 closing'"},
	{"banner 421", P_TLS, {
	    {RECV, "421 4.3.2 Service shutting down\r\n", SMTP_EV_FAILED,
	    ""}},
	    "failed@banner (success) codes=421/-/-/-/-/-/-/-/- ext=0/0 {}",
	    NULL, "server refused the session: "
	    "'421 4.3.2 Service shutting down'"},
	{"banner 554", P_TLS, {
	    {RECV, "554 5.7.1 No SMTP service here\r\n", SMTP_EV_NONE,
	    "QUIT\r\n"},
	    {RECV, BYE, SMTP_EV_FAILED, ""}},
	    "failed@banner (success) codes=554/-/-/-/-/-/-/-/221 ext=0/0 {}",
	    NULL, "server refused the session: "
	    "'554 5.7.1 No SMTP service here'"},
	{"banner 554, EOF after QUIT", P_TLS, {
	    {RECV, "554-mx.example\r\n554 go away\r\n", SMTP_EV_NONE,
	    "QUIT\r\n"},
	    {EOF_, NULL, SMTP_EV_FAILED, ""}},
	    "failed@banner (success) codes=554/-/-/-/-/-/-/-/- ext=0/0 {}",
	    NULL, "server refused the session: '554 mx.example'"},
	{"banner 554, timeout after QUIT", P_TLS, {
	    {RECV, "554 no\r\n", SMTP_EV_NONE, "QUIT\r\n"},
	    {TIMEOUT, NULL, SMTP_EV_FAILED, ""}},
	    "failed@banner (success) codes=554/-/-/-/-/-/-/-/- ext=0/0 {}",
	    NULL, "server refused the session: '554 no'"},
	{"banner 250", P_TLS, {
	    {RECV, "250 hello?\r\n", SMTP_EV_NONE, "QUIT\r\n"},
	    {RECV, BYE, SMTP_EV_FAILED, ""}},
	    "failed@banner (success) codes=250/-/-/-/-/-/-/-/221 ext=0/0 {}",
	    NULL, "server refused the session: '250 hello?'"},
	{"multi-line banner", P_TLS, {
	    {RECV, "220-mx.example ESMTP\r\n", SMTP_EV_NONE, ""},
	    {RECV, "220-please wait\r\n", SMTP_EV_NONE, ""},
	    {RECV, "220 go ahead\r\n", SMTP_EV_NONE, EHLO},
	    {RECV, EHLO_PLAIN, SMTP_EV_NONE, "QUIT\r\n"},
	    S_BYE},
	    "done codes=220/250/-/-/-/-/-/-/221 ext=0x4/0 {}", NULL, ""},
	{"injection after 220 to STARTTLS", P_TLS, {
	    S_BANNER, S_EHLO_STARTTLS,
	    {RECV, READY "250-injected\r\n250 PIPELINING\r\n",
	    SMTP_EV_START_TLS, ""},
	    S_TLS_OK,
	    {RECV, EHLO_IN_TLS, SMTP_EV_NONE, "QUIT\r\n"},
	    S_BYE},
	    "done codes=220/250/-/220/250/-/-/-/221 ext=0xcf/0xee "
	    "{offered,tls,injection}",
	    "done codes=220/250/-/220/250/-/-/-/221 ext=0xcf/0xee "
	    "{offered,tls}", ""},
	{"address test, RCPT accepted", P_ADDR, {
	    S_BANNER, S_EHLO_STARTTLS, S_READY, S_TLS_OK,
	    {RECV, EHLO_IN_TLS, SMTP_EV_NONE, MAIL},
	    {RECV, "250 2.1.0 Ok\r\n", SMTP_EV_NONE, RCPT},
	    {RECV, "250 2.1.5 Ok\r\n", SMTP_EV_NONE, "RSET\r\n"},
	    {RECV, "250 2.0.0 Ok\r\n", SMTP_EV_NONE, "QUIT\r\n"},
	    S_BYE},
	    "done codes=220/250/-/220/250/250/250/250/221 ext=0xcf/0xee "
	    "{offered,tls}", NULL, ""},
	/* --catchall: a second RCPT for a random mailbox after an accepted
	 * one; its reply is kept apart (rcpt2, not in the summary). */
	{"catch-all test after an accepted RCPT", P_CATCH, {
	    S_BANNER, S_EHLO_STARTTLS, S_READY, S_TLS_OK,
	    {RECV, EHLO_IN_TLS, SMTP_EV_NONE, MAIL},
	    {RECV, "250 2.1.0 Ok\r\n", SMTP_EV_NONE, RCPT},
	    {RECV, "250 2.1.5 Ok\r\n", SMTP_EV_NONE,
	    "RCPT TO:<smtptls-0123456789abcdef@example.net>\r\n"},
	    {RECV, "550 5.1.1 unknown\r\n", SMTP_EV_NONE, "RSET\r\n"},
	    {RECV, "250 2.0.0 Ok\r\n", SMTP_EV_NONE, "QUIT\r\n"},
	    S_BYE},
	    "done codes=220/250/-/220/250/250/250/250/221 ext=0xcf/0xee "
	    "{offered,tls}", NULL, ""},
	{"no catch-all test after a rejected RCPT", P_CATCH, {
	    S_BANNER, S_EHLO_STARTTLS, S_READY, S_TLS_OK,
	    {RECV, EHLO_IN_TLS, SMTP_EV_NONE, MAIL},
	    {RECV, "250 2.1.0 Ok\r\n", SMTP_EV_NONE, RCPT},
	    {RECV, "550 5.1.1 unknown\r\n", SMTP_EV_NONE, "RSET\r\n"},
	    {RECV, "250 2.0.0 Ok\r\n", SMTP_EV_NONE, "QUIT\r\n"},
	    S_BYE},
	    "done codes=220/250/-/220/250/250/550/250/221 ext=0xcf/0xee "
	    "{offered,tls}", NULL, ""},
	{"address test, RCPT rejected", P_ADDR, {
	    S_BANNER, S_EHLO_STARTTLS, S_READY, S_TLS_OK,
	    {RECV, EHLO_IN_TLS, SMTP_EV_NONE, MAIL},
	    {RECV, "250 2.1.0 Ok\r\n", SMTP_EV_NONE, RCPT},
	    {RECV, "550 5.1.1 <postmaster@example.net>: Recipient address "
	    "rejected: User unknown in virtual mailbox table\r\n",
	    SMTP_EV_NONE, "RSET\r\n"},
	    {RECV, "250 2.0.0 Ok\r\n", SMTP_EV_NONE, "QUIT\r\n"},
	    S_BYE},
	    "done codes=220/250/-/220/250/250/550/250/221 ext=0xcf/0xee "
	    "{offered,tls}", NULL, ""},
	{"address test, MAIL rejected", P_ADDR, {
	    S_BANNER,
	    {RECV, EHLO_PLAIN, SMTP_EV_NONE, MAIL},
	    {RECV, "553 5.7.1 Sender address rejected\r\n", SMTP_EV_NONE,
	    "RSET\r\n"},
	    {RECV, "250 2.0.0 Ok\r\n", SMTP_EV_NONE, "QUIT\r\n"},
	    S_BYE},
	    "done codes=220/250/-/-/-/553/-/250/221 ext=0x4/0 {}", NULL, ""},
	{"address test, null sender", {NAME, false, NULL, "a@example.net", NULL,
	    false}, {
	    S_BANNER,
	    {RECV, EHLO_PLAIN, SMTP_EV_NONE, "MAIL FROM:<>\r\n"},
	    {RECV, "250 ok\r\n", SMTP_EV_NONE, "RCPT TO:<a@example.net>\r\n"},
	    {RECV, "421 4.4.2 timeout\r\n", SMTP_EV_FAILED, ""}},
	    "failed@rcpt (success) codes=220/250/-/-/-/250/421/-/- ext=0x4/0 "
	    "{}", NULL, "server refused RCPT TO: '421 4.4.2 timeout'"},
	{"EHLO over TLS refused", P_TLS, {
	    S_BANNER, S_EHLO_STARTTLS, S_READY, S_TLS_OK,
	    {RECV, "554 5.7.0 nope\r\n", SMTP_EV_NONE, "QUIT\r\n"},
	    {RECV, BYE, SMTP_EV_FAILED, ""}},
	    "failed@ehlo_tls (success) codes=220/250/-/220/554/-/-/-/221 "
	    "ext=0xcf/0 {offered,tls}", NULL,
	    "server refused EHLO over TLS: '554 5.7.0 nope'"},
	{"TLS handshake failed", P_TLS, {
	    S_BANNER, S_EHLO_STARTTLS, S_READY,
	    {TLS_FAIL, "sslv3 alert handshake failure", SMTP_EV_FAILED, ""}},
	    "failed@tls (TLS error) codes=220/250/-/220/-/-/-/-/- "
	    "ext=0xcf/0 {offered}", NULL,
	    "TLS handshake failed: sslv3 alert handshake failure"},
	{"HTTP server", P_TLS, {
	    {RECV, "HTTP/1.1 400 Bad Request\r\n", SMTP_EV_FAILED, ""}},
	    "failed@banner (protocol error) codes=-/-/-/-/-/-/-/-/- ext=0/0 "
	    "{}", NULL, "cannot read the greeting: malformed reply code: "
	    "'HTTP/1.1 400 Bad Request'"},
	{"TLS server", P_TLS, {
	    {RECV, "\x16\x03\x01\x02\x05\x01\n", SMTP_EV_FAILED, ""}},
	    "failed@banner (protocol error) codes=-/-/-/-/-/-/-/-/- ext=0/0 "
	    "{}", NULL, "cannot read the greeting: malformed reply code: "
	    "'\\x16\\x03\\x01\\x02\\x05\\x01'"},
	{"421 to EHLO", P_TLS, {
	    S_BANNER,
	    {RECV, "421 4.7.0 mx.example Error: too many connections\r\n",
	    SMTP_EV_FAILED, ""}},
	    "failed@ehlo (success) codes=220/421/-/-/-/-/-/-/- ext=0/0 {}",
	    NULL, "server refused EHLO: "
	    "'421 4.7.0 mx.example Error: too many connections'"},
	{"held after EHLO over TLS, chosen for the test", P_HOLD, {
	    S_BANNER, S_EHLO_STARTTLS, S_READY, S_TLS_OK,
	    {RECV, EHLO_IN_TLS, SMTP_EV_READY, ""},
	    {GO_TEST, NULL, SMTP_EV_NONE, MAIL},
	    {RECV, "250 2.1.0 Ok\r\n", SMTP_EV_NONE, RCPT},
	    {RECV, "250 2.1.5 Ok\r\n", SMTP_EV_NONE, "RSET\r\n"},
	    {RECV, "250 2.0.0 Ok\r\n", SMTP_EV_NONE, "QUIT\r\n"},
	    S_BYE},
	    "done codes=220/250/-/220/250/250/250/250/221 ext=0xcf/0xee "
	    "{offered,tls}", NULL, ""},
	{"held in cleartext, released", P_HOLD, {
	    S_BANNER,
	    {RECV, EHLO_PLAIN, SMTP_EV_READY, ""},
	    {GO_QUIT, NULL, SMTP_EV_NONE, "QUIT\r\n"},
	    {GO_TEST, NULL, SMTP_EV_NONE, ""},
	    S_BYE},
	    "done codes=220/250/-/-/-/-/-/-/221 ext=0x4/0 {}", NULL, ""},
	{"held, 421 nobody asked for", P_HOLD, {
	    S_BANNER,
	    {RECV, EHLO_PLAIN, SMTP_EV_READY, ""},
	    {RECV, "421 4.4.2 idle timeout\r\n", SMTP_EV_FAILED, ""}},
	    "failed@ready (success) codes=220/250/-/-/-/-/-/-/- ext=0x4/0 {}",
	    NULL, "server refused the session while idle: '421 4.4.2 idle "
	    "timeout'"},
	{"held, 250 nobody asked for", P_HOLD, {
	    S_BANNER,
	    {RECV, EHLO_PLAIN, SMTP_EV_READY, ""},
	    {RECV, "250 surprise\r\n", SMTP_EV_FAILED, ""}},
	    "failed@ready (protocol error) codes=220/250/-/-/-/-/-/-/- "
	    "ext=0x4/0 {}", NULL, "reply nobody asked for: '250 surprise'"},
	{"held, closed", P_HOLD, {
	    S_BANNER,
	    {RECV, EHLO_PLAIN, SMTP_EV_READY, ""},
	    {EOF_, NULL, SMTP_EV_FAILED, ""}},
	    "failed@ready (connection closed by peer) codes=220/250/-/-/-/-/-/-/- "
	    "ext=0x4/0 {}", NULL, "connection closed while waiting for the "
	    "choice of the address test"},
	{"TLS alert after the handshake", P_TLS, {
	    S_BANNER, S_EHLO_STARTTLS, S_READY, S_TLS_OK,
	    {CLOSED_ALERT, "TLS alert 'bad record mac' from the peer",
	    SMTP_EV_FAILED, ""}},
	    "failed@ehlo_tls (TLS error) codes=220/250/-/220/-/-/-/-/- "
	    "ext=0xcf/0 {offered,tls}", NULL, "TLS alert 'bad record mac' from "
	    "the peer while waiting for the reply to EHLO over TLS"},
	{"EOF in the middle of a reply", P_TLS, {
	    S_BANNER,
	    {RECV, "250-mx.example\r\n250-PIPE", SMTP_EV_NONE, ""},
	    {EOF_, NULL, SMTP_EV_FAILED, ""}},
	    "failed@ehlo (connection closed by peer) "
	    "codes=220/-/-/-/-/-/-/-/- ext=0/0 {}", NULL,
	    "connection closed in the middle of the reply to EHLO"},
	{"EOF instead of 221", P_TLS, {
	    S_BANNER,
	    {RECV, EHLO_PLAIN, SMTP_EV_NONE, "QUIT\r\n"},
	    {EOF_, NULL, SMTP_EV_DONE, ""}},
	    "done codes=220/250/-/-/-/-/-/-/- ext=0x4/0 {}", NULL, ""},
	{"timeout waiting for EHLO", P_TLS, {
	    S_BANNER,
	    {TIMEOUT, NULL, SMTP_EV_FAILED, ""}},
	    "failed@ehlo (timed out) codes=220/-/-/-/-/-/-/-/- ext=0/0 {}",
	    NULL, "timed out waiting for the reply to EHLO"},
	{"bytes after the end are left", P_TLS, {
	    S_BANNER,
	    {RECV, EHLO_PLAIN, SMTP_EV_NONE, "QUIT\r\n"},
	    {RECV, BYE "250 more\r\n", SMTP_EV_DONE, ""},
	    {RECV, "250 more\r\n", SMTP_EV_DONE, ""},
	    {EOF_, NULL, SMTP_EV_DONE, ""},
	    {TIMEOUT, NULL, SMTP_EV_DONE, ""}},
	    "done codes=220/250/-/-/-/-/-/-/221 ext=0x4/0 {}", NULL, ""},
};

/* esc - escaped copy of n octets into out */
static void
esc(char *out, size_t outlen, const char *s, size_t n)
{
	smtp_reply_escape(out, outlen, s, n);
}

static const char *
ev_name(enum smtp_event ev)
{
	static const char *const names[] = {"none", "start_tls", "done",
	    "failed", "ready"};

	return (unsigned)ev < 5 ? names[ev] : "?";
}

/* drain - move queued output to the end of got */
static void
drain(struct smtp_client *sc, char *got, size_t max)
{
	size_t len, n = strlen(got);
	const char *p = smtp_client_output(sc, &len);

	if (p == NULL)
		return;
	if (n + len >= max)
		len = max - n - 1;
	memcpy(got + n, p, len);
	got[n + len] = '\0';
	smtp_client_output_done(sc, len);
}

/*
 * run_step - perform one step as a driver would; bytewise feeds RECV data
 * one octet per call. Returns the event; got collects the output.
 */
static enum smtp_event
run_step(struct smtp_client *sc, const struct step *st, bool bytewise,
    char *got, size_t max, char *problem, size_t plen)
{
	enum smtp_event ev = SMTP_EV_NONE;
	size_t len, off = 0, chunk, used;

	switch (st->op) {
	case RECV:
		len = strlen(st->data);
		while (off < len) {
			chunk = bytewise ? 1 : len - off;
			ev = smtp_client_feed(sc, st->data + off, chunk, &used);
			drain(sc, got, max);
			if (ev != SMTP_EV_NONE)
				break; /* the rest is discarded */
			if (used != chunk)
				snprintf(problem, plen, "used %zu of %zu", used,
				    chunk);
			off += chunk;
		}
		return ev;
	case EOF_:
		ev = smtp_client_eof(sc);
		break;
	case TIMEOUT:
		ev = smtp_client_timeout(sc);
		break;
	case TLS_OK:
		ev = smtp_client_tls_done(sc, true, NULL);
		break;
	case TLS_FAIL:
		ev = smtp_client_tls_done(sc, false, st->data);
		break;
	case GO_TEST:
	case GO_QUIT:
		ev = smtp_client_go(sc, st->op == GO_TEST);
		break;
	case CLOSED_ALERT:
		ev = smtp_client_closed(sc, ST_ERR_TLS, st->data);
		break;
	case END:
		break;
	}
	drain(sc, got, max);
	return ev;
}

static void
code(char *sum, size_t max, const struct smtp_reply *r, bool last)
{
	size_t n = strlen(sum);

	if (r->code)
		snprintf(sum + n, max - n, "%d%s", r->code, last ? "" : "/");
	else
		snprintf(sum + n, max - n, "-%s", last ? "" : "/");
}

/* summarise - the end state of a dialogue as one line */
static void
summarise(const struct smtp_client *sc, char *sum, size_t max)
{
	size_t n;

	if (sc->state == SMTP_ST_FAILED)
		snprintf(sum, max, "failed@%s (%s) codes=",
		    smtp_state_name(sc->fail_state), st_strerror(sc->err));
	else
		snprintf(sum, max, "%s codes=", smtp_state_name(sc->state));
	code(sum, max, &sc->banner, false);
	code(sum, max, &sc->ehlo, false);
	code(sum, max, &sc->helo, false);
	code(sum, max, &sc->starttls, false);
	code(sum, max, &sc->ehlo_tls, false);
	code(sum, max, &sc->mail, false);
	code(sum, max, &sc->rcpt, false);
	code(sum, max, &sc->rset, false);
	code(sum, max, &sc->quit, true);
	n = strlen(sum);
	snprintf(sum + n, max - n, " ext=%#x/%#x {%s%s%s%s}", sc->ext,
	    sc->ext_tls, sc->used_helo ? "helo," : "",
	    sc->starttls_offered ? "offered," : "",
	    sc->tls_active ? "tls," : "",
	    sc->tls_injection ? "injection," : "");
	n = strlen(sum);
	if (sum[n - 2] == ',')
		memmove(sum + n - 2, sum + n - 1, 2);
}

/* run_dialogue - play a dialogue; check steps, summary and errmsg */
static void
run_dialogue(const struct dialogue *d, bool bytewise)
{
	struct smtp_client sc;
	char name[160], got[TEXT_MAX], seen[TEXT_MAX], exp[TEXT_MAX];
	char a[512], problem[64] = "";
	const char *expect;
	size_t i, n;
	enum smtp_event ev;
	enum st_err err;

	snprintf(name, sizeof(name), "%s (%s): init", d->name,
	    bytewise ? "byte by byte" : "whole");
	if ((err = smtp_client_init(&sc, &d->params)) != ST_OK) {
		unit_eq_long(name, ST_OK, err);
		smtp_client_release(&sc);
		return;
	}
	seen[0] = exp[0] = '\0';
	for (i = 0; i < STEPS_MAX && d->steps[i].op != END; i++) {
		got[0] = '\0';
		ev = run_step(&sc, &d->steps[i], bytewise, got, sizeof(got),
		    problem, sizeof(problem));
		esc(a, sizeof(a), got, strlen(got));
		n = strlen(seen);
		snprintf(seen + n, sizeof(seen) - n, "%zu:%s:'%s' ", i,
		    ev_name(ev), a);
		esc(a, sizeof(a), d->steps[i].out, strlen(d->steps[i].out));
		n = strlen(exp);
		snprintf(exp + n, sizeof(exp) - n, "%zu:%s:'%s' ", i,
		    ev_name(d->steps[i].ev), a);
	}
	if (problem[0] != '\0') {
		n = strlen(seen);
		snprintf(seen + n, sizeof(seen) - n, "(%s)", problem);
	}
	snprintf(name, sizeof(name), "%s (%s): steps", d->name,
	    bytewise ? "byte by byte" : "whole");
	unit_eq_str(name, exp, seen);

	summarise(&sc, seen, sizeof(seen));
	expect = bytewise && d->expect_bytes ? d->expect_bytes : d->expect;
	snprintf(name, sizeof(name), "%s (%s): end", d->name,
	    bytewise ? "byte by byte" : "whole");
	unit_eq_str(name, expect, seen);
	snprintf(name, sizeof(name), "%s (%s): errmsg", d->name,
	    bytewise ? "byte by byte" : "whole");
	unit_eq_str(name, d->errmsg, sc.state == SMTP_ST_FAILED ? sc.errmsg :
	    "");
	smtp_client_release(&sc);
}

static void
test_dialogues(void)
{
	size_t i;

	for (i = 0; i < sizeof(dialogues) / sizeof(dialogues[0]); i++) {
		run_dialogue(&dialogues[i], false);
		run_dialogue(&dialogues[i], true);
	}
}

/*
 * EOF and timeout in every state: play the first `prefix` steps of the
 * full address-test dialogue, then end it.
 */
struct end_case {
	size_t prefix;
	const char *state;
	const char *eof;     /* summary start and errmsg after EOF */
	const char *timeout; /* errmsg after a timeout */
};

static void
test_end_everywhere(void)
{
	static const struct end_case cases[] = {
		{0, "banner", "connection closed while waiting for the "
		    "greeting", "timed out waiting for the greeting"},
		{1, "ehlo", "connection closed while waiting for the reply "
		    "to EHLO", "timed out waiting for the reply to EHLO"},
		{2, "starttls", "connection closed while waiting for the "
		    "reply to STARTTLS", "timed out waiting for the reply to "
		    "STARTTLS"},
		{3, "tls", "connection closed while waiting for the TLS "
		    "handshake", "timed out waiting for the TLS handshake"},
		{4, "ehlo_tls", "connection closed while waiting for the "
		    "reply to EHLO over TLS", "timed out waiting for the "
		    "reply to EHLO over TLS"},
		{5, "mail", "connection closed while waiting for the reply "
		    "to MAIL FROM", "timed out waiting for the reply to MAIL "
		    "FROM"},
		{6, "rcpt", "connection closed while waiting for the reply "
		    "to RCPT TO", "timed out waiting for the reply to RCPT "
		    "TO"},
		{7, "rset", "connection closed while waiting for the reply "
		    "to RSET", "timed out waiting for the reply to RSET"},
		{8, "quit", NULL, "timed out waiting for the reply to QUIT"},
	};
	const struct dialogue *d = NULL;
	struct smtp_client sc;
	char name[128], got[TEXT_MAX], problem[64], seen[256], exp[256];
	size_t i, k, m;
	enum smtp_event ev;

	for (i = 0; i < sizeof(dialogues) / sizeof(dialogues[0]); i++)
		if (strcmp(dialogues[i].name, "address test, RCPT accepted") ==
		    0)
			d = &dialogues[i];
	if (d == NULL) {
		unit_report(0, "end everywhere: dialogue", "found", "missing");
		return;
	}
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		for (m = 0; m < 2; m++) {
			if (smtp_client_init(&sc, &d->params) != ST_OK)
				abort();
			for (k = 0; k < cases[i].prefix; k++) {
				got[0] = '\0';
				(void)run_step(&sc, &d->steps[k], false, got,
				    sizeof(got), problem, sizeof(problem));
			}
			snprintf(name, sizeof(name), "%s in state %s",
			    m == 0 ? "EOF" : "timeout", cases[i].state);
			if (strcmp(smtp_state_name(sc.state), cases[i].state)) {
				unit_eq_str(name, cases[i].state,
				    smtp_state_name(sc.state));
				smtp_client_release(&sc);
				continue;
			}
			ev = m == 0 ? smtp_client_eof(&sc) :
			    smtp_client_timeout(&sc);
			if (m == 0 && cases[i].eof == NULL) {
				snprintf(exp, sizeof(exp), "done");
				snprintf(seen, sizeof(seen), "%s",
				    ev_name(ev));
			} else {
				snprintf(exp, sizeof(exp),
				    "failed %s %s: %s", cases[i].state,
				    m == 0 ? "connection closed by peer" :
				    "timed out",
				    m == 0 ? cases[i].eof : cases[i].timeout);
				snprintf(seen, sizeof(seen), "%s %s %s: %s",
				    ev_name(ev),
				    smtp_state_name(sc.fail_state),
				    st_strerror(sc.err), sc.errmsg);
			}
			unit_eq_str(name, exp, seen);
			smtp_client_release(&sc);
		}
	}
}

/* The transcript of a short dialogue, trace lines included. */
static void
test_transcript(void)
{
	static const struct smtp_client_params params = P_TLS;
	static const char *const in[] = {
	    "220 caf\xc3\xa9 \\ mx\r\n",
	    "502 5.5.2 Error: command not recognized\r\n",
	    "250 mx.example\n",
	    "221 Bye\r\n",
	};
	static const char expect[] =
	    "< 220 caf\\xc3\\xa9 \\x5c mx\n"
	    "* banner -> ehlo\n"
	    "> EHLO probe.example\n"
	    "< 502 5.5.2 Error: command not recognized\n"
	    "* ehlo -> helo\n"
	    "> HELO probe.example\n"
	    "< 250 mx.example\n"
	    "* helo -> quit\n"
	    "> QUIT\n"
	    "< 221 Bye\n"
	    "* quit -> done\n";
	struct smtp_client sc;
	size_t i, used, len;

	if (smtp_client_init(&sc, &params) != ST_OK)
		abort();
	for (i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		(void)smtp_client_feed(&sc, in[i], strlen(in[i]), &used);
		(void)smtp_client_output(&sc, &len);
		smtp_client_output_done(&sc, len);
	}
	unit_eq_str("transcript: dialogue", expect,
	    sc.transcript.data ? sc.transcript.data : "");
	smtp_client_release(&sc);
}

/* make_long_lines - the over-long inputs of the dialogues table */
static void
make_long_lines(void)
{
	size_t n;

	memcpy(long_banner, "220 ", 4);
	memset(long_banner + 4, 'A', LONG_LINE);
	memcpy(long_banner + 4 + LONG_LINE, "\r\n", 3);
	n = (size_t)snprintf(long_ehlo, sizeof(long_ehlo),
	    "250-mx.example\r\n250-X-");
	memset(long_ehlo + n, 'B', LONG_LINE);
	memcpy(long_ehlo + n + LONG_LINE, "\r\n250 STARTTLS\r\n", 17);
	memcpy(endless_banner, "220 ", 4);
	memset(endless_banner + 4, 'A', sizeof(endless_banner) - 5);
	endless_banner[sizeof(endless_banner) - 1] = '\0';
}

/* A long line in the transcript: its stored start, and a trace line
 * that says how long it was. */
static void
test_transcript_long_line(void)
{
	static const struct smtp_client_params params = P_PLAIN;
	static const char trace[] = "* a reply line of 102404 octets: the "
	    "first 4096 kept, the rest read and discarded\n"
	    "* banner -> ehlo\n";
	struct smtp_client sc;
	size_t used;
	const char *t, *nl;

	if (smtp_client_init(&sc, &params) != ST_OK)
		abort();
	(void)smtp_client_feed(&sc, long_banner, strlen(long_banner), &used);
	t = sc.transcript.data ? sc.transcript.data : "";
	nl = strchr(t, '\n');
	/* "< " and the 4096 octets kept, all printable here */
	unit_eq_long("transcript long line: first line", 2 + 4096,
	    nl != NULL ? (long)(nl - t) : -1);
	unit_eq_long("transcript long line: trace", 0, nl == NULL ||
	    strncmp(nl + 1, trace, sizeof(trace) - 1) != 0);
	unit_eq_str("transcript long line: dialogue goes on", "ehlo",
	    smtp_state_name(sc.state));
	smtp_client_release(&sc);
}

/*
 * A server that talks too much: the transcript stops at its cap with a
 * final marker; the dialogue itself is unaffected.
 */
struct cut_case {
	const char *name;
	char fill;     /* octet repeated in each EHLO line */
	size_t lines;  /* EHLO lines of 4000 octets */
	bool cut;
};

static void
test_transcript_cut(void)
{
	static const struct smtp_client_params params = P_PLAIN;
	static const struct cut_case cases[] = {
		{"plain lines, fits", 'a', 15, false},
		{"plain lines, cut", 'a', 17, true},
		{"escaped lines, cut", '\x01', 5, true},
		{"escaped lines, longest reply", '\x01', 98, true},
	};
	static const char marker[] = "[transcript truncated]\n";
	struct smtp_client sc;
	struct buf in;
	size_t i, k, used, len;
	enum smtp_event ev = SMTP_EV_NONE;
	char name[96], line[4000];
	const char *t;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (smtp_client_init(&sc, &params) != ST_OK)
			abort();
		buf_init(&in, 1 << 20);
		memset(line, cases[i].fill, sizeof(line));
		if (buf_addstr(&in, BANNER "250-mx.example\r\n") != ST_OK)
			abort();
		for (k = 0; k < cases[i].lines; k++)
			if (buf_add(&in, "250-", 4) != ST_OK ||
			    buf_add(&in, line, sizeof(line)) != ST_OK ||
			    buf_add(&in, "\r\n", 2) != ST_OK)
				abort();
		if (buf_addstr(&in, "250 8BITMIME\r\n" BYE) != ST_OK)
			abort();
		/* Several feeds, as the driver would after each reply. */
		ev = SMTP_EV_NONE;
		for (k = 0; k < in.len && ev != SMTP_EV_DONE; k += used) {
			ev = smtp_client_feed(&sc, in.data + k, in.len - k,
			    &used);
			(void)smtp_client_output(&sc, &len);
			smtp_client_output_done(&sc, len);
			if (ev == SMTP_EV_FAILED)
				break;
		}
		t = sc.transcript.data ? sc.transcript.data : "";
		len = sc.transcript.len;
		snprintf(name, sizeof(name), "transcript %s: dialogue done",
		    cases[i].name);
		unit_eq_str(name, "done", ev_name(ev));
		snprintf(name, sizeof(name), "transcript %s: within cap",
		    cases[i].name);
		unit_eq_long(name, 1, len <= SMTP_TRANSCRIPT_MAX);
		snprintf(name, sizeof(name), "transcript %s: marker",
		    cases[i].name);
		unit_eq_long(name, cases[i].cut, len >= sizeof(marker) - 1 &&
		    strcmp(t + len - (sizeof(marker) - 1), marker) == 0);
		snprintf(name, sizeof(name), "transcript %s: flag",
		    cases[i].name);
		unit_eq_long(name, cases[i].cut, sc.transcript_cut);
		snprintf(name, sizeof(name), "transcript %s: ends with done",
		    cases[i].name);
		unit_eq_long(name, !cases[i].cut,
		    len > 15 && strcmp(t + len - 15, "* quit -> done\n") == 0);
		snprintf(name, sizeof(name), "transcript %s: whole lines",
		    cases[i].name);
		unit_eq_long(name, 1, len == 0 || t[len - 1] == '\n');
		buf_release(&in);
		smtp_client_release(&sc);
	}
}

/*
 * The line that does not fit leaves less room than the marker needs: the
 * marker must still be written, ending exactly at the cap or below.
 */
static void
test_transcript_edge(void)
{
	static const struct smtp_client_params params = P_PLAIN;
	static const char marker[] = "[transcript truncated]\n";
	const size_t line = 4000, full = 16; /* "< 250-" line "\n" = 4007 */
	size_t room, first, k, used, len, gap;
	struct smtp_client sc;
	struct buf in;
	char fill[4000], name[64];
	const char *t;

	for (gap = 0; gap < sizeof(marker) - 1; gap += 7) {
		if (smtp_client_init(&sc, &params) != ST_OK)
			abort();
		(void)smtp_client_feed(&sc, BANNER, strlen(BANNER), &used);
		(void)smtp_client_output(&sc, &len);
		smtp_client_output_done(&sc, len);
		/* Room left before the marker's reserve; size the first EHLO
		 * line so that `full` lines fit and `gap` octets remain. */
		room = SMTP_TRANSCRIPT_MAX - (sizeof(marker) - 1) -
		    sc.transcript.len;
		first = room - gap - full * (line + 7) - 7;
		if (first > sizeof(fill))
			abort(); /* the arithmetic above is wrong */
		buf_init(&in, 1 << 20);
		memset(fill, 'g', sizeof(fill));
		if (buf_add(&in, "250-", 4) != ST_OK ||
		    buf_add(&in, fill, first) != ST_OK ||
		    buf_add(&in, "\r\n", 2) != ST_OK)
			abort();
		memset(fill, 'a', sizeof(fill));
		for (k = 0; k < full + 1; k++)
			if (buf_add(&in, "250-", 4) != ST_OK ||
			    buf_add(&in, fill, line) != ST_OK ||
			    buf_add(&in, "\r\n", 2) != ST_OK)
				abort();
		if (buf_addstr(&in, "250 8BITMIME\r\n") != ST_OK)
			abort();
		(void)smtp_client_feed(&sc, in.data, in.len, &used);
		t = sc.transcript.data;
		len = sc.transcript.len;
		snprintf(name, sizeof(name), "transcript edge %zu: marker", gap);
		unit_eq_long(name, 1, len >= sizeof(marker) - 1 &&
		    strcmp(t + len - (sizeof(marker) - 1), marker) == 0);
		snprintf(name, sizeof(name), "transcript edge %zu: size", gap);
		unit_eq_long(name, SMTP_TRANSCRIPT_MAX - gap, (long)len);
		buf_release(&in);
		smtp_client_release(&sc);
	}
}

struct param_case {
	const char *name;
	struct smtp_client_params params;
	enum st_err err;
};

#define L64 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define L252 L64 L64 L64 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define L63 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
/* three labels of 63 and one of 61: 253 octets */
#define H253 L63 "." L63 "." L63 "." \
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

static void
test_params(void)
{
	static const struct param_case cases[] = {
		{"ok", P_ADDR, ST_OK},
		{"NULL EHLO name", {NULL, true, "", NULL, NULL, false}, ST_ERR_INVAL},
		{"empty EHLO name", {"", true, "", NULL, NULL, false}, ST_ERR_INVAL},
		{"CRLF in EHLO name", {"a\r\nDATA", true, "", NULL, NULL, false},
		    ST_ERR_INVAL},
		{"SP in EHLO name", {"a b", true, "", NULL, NULL, false}, ST_ERR_INVAL},
		{"address literal", {"[192.0.2.1]", true, "", NULL, NULL, false},
		    ST_OK},
		{"LF in sender", {NAME, true, "a\n@x", "b@x", NULL, false},
		    ST_ERR_INVAL},
		{"CR in recipient", {NAME, true, "a@x", "b\rc@x", NULL, false},
		    ST_ERR_INVAL},
		{"SOH in recipient", {NAME, true, "a@x", "b\001@x", NULL, false},
		    ST_ERR_INVAL},
		{"'>' in recipient", {NAME, true, "a@x", "b>@x", NULL, false},
		    ST_ERR_INVAL},
		{"recipient without @", {NAME, true, "a@x", "b", NULL, false},
		    ST_ERR_INVAL},
		{"LF in second recipient", {NAME, true, "a@x", "b@x", "c\nDATA@x",
		    false}, ST_ERR_INVAL},
		{"recipient of 254", {NAME, true, "a@x", L252 "@x", NULL, false},
		    ST_OK},
		{"recipient of 255", {NAME, true, "a@x", L252 "a@x", NULL, false},
		    ST_ERR_INVAL},
		{"sender of 255", {NAME, true, L252 "a@x", "b@x", NULL, false},
		    ST_ERR_INVAL},
		{"EHLO name of 253", {H253, true, "", NULL, NULL, false}, ST_OK},
		{"EHLO name of 254, no dot", {H253 "a", true, "", NULL, NULL,
		    false}, ST_ERR_INVAL},
		{"EHLO label of 64", {L64 ".x", true, "", NULL, NULL, false},
		    ST_ERR_INVAL},
	};
	struct smtp_client sc;
	char name[64];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(name, sizeof(name), "params: %s", cases[i].name);
		unit_eq_long(name, cases[i].err,
		    smtp_client_init(&sc, &cases[i].params));
		smtp_client_release(&sc);
	}
}

static void
test_state_names(void)
{
	static const char *const names[] = {"none", "banner", "ehlo", "helo",
	    "starttls", "tls", "ehlo_tls", "ready", "mail", "rcpt", "rcpt2",
	    "rset", "quit", "done", "failed", "unknown"};
	char name[64];
	int i;

	for (i = 0; i <= SMTP_ST__COUNT; i++) {
		snprintf(name, sizeof(name), "state name %d", i);
		unit_eq_str(name, names[i], smtp_state_name(i));
	}
}

/* Feeding while the handshake runs consumes nothing. */
static void
test_feed_during_tls(void)
{
	static const struct smtp_client_params params = P_TLS;
	static const char in[] = BANNER EHLO_TLS_OFFERED READY;
	struct smtp_client sc;
	size_t used;
	enum smtp_event ev;

	if (smtp_client_init(&sc, &params) != ST_OK)
		abort();
	ev = smtp_client_feed(&sc, in, sizeof(in) - 1, &used);
	unit_eq_str("during tls: start", "start_tls", ev_name(ev));
	unit_eq_long("during tls: all used", sizeof(in) - 1, (long)used);
	ev = smtp_client_feed(&sc, "250 x\r\n", 7, &used);
	unit_eq_str("during tls: feed ignored", "none", ev_name(ev));
	unit_eq_long("during tls: nothing used", 0, (long)used);
	unit_eq_str("during tls: state", "tls", smtp_state_name(sc.state));
	smtp_client_release(&sc);
}

int
main(void)
{
	make_long_lines();
	test_dialogues();
	test_end_everywhere();
	test_transcript();
	test_transcript_long_line();
	test_transcript_cut();
	test_transcript_edge();
	test_params();
	test_state_names();
	test_feed_during_tls();
	return unit_exit();
}
