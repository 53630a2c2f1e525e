/*
 * test_smtp_server.c - scripted sender dialogues against the SMTP server
 * machine.
 *
 * A dialogue is a list of steps (sender bytes, EOF, timeout, handshake
 * outcome), each with the event and the reply bytes expected after it, and
 * a summary of what the machine recorded. Every dialogue is replayed with
 * each step's bytes fed at once, split in two at every byte boundary, and
 * fed one byte at a time: TCP splits commands anywhere.
 */
#include "smtp_server.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "banned.h"

#define STEPS_MAX 8
#define TEXT_MAX 4096

enum op { END = 0, RECV, EOF_, TIMEOUT, TLS_OK, TLS_FAIL };

struct step {
	enum op op;
	const char *data;     /* RECV: sender bytes */
	enum smtps_event ev;  /* event after the step */
	const char *out;      /* reply bytes queued by the step */
};

struct dialogue {
	const char *name;
	struct smtp_server_params params;
	struct step steps[STEPS_MAX];
	const char *expect;   /* summary (see summarise()) */
};

#define HOST "mx.test"
#define P_TLS {HOST, true, false}
#define P_PLAIN {HOST, false, false}
#define P_DATA {HOST, true, true}

#define BANNER "220 mx.test ESMTP smtptls test listener\r\n"
#define EHLO_R "250-mx.test\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n" \
    "250-STARTTLS\r\n250-ENHANCEDSTATUSCODES\r\n250 8BITMIME\r\n"
#define EHLO_R_TLS "250-mx.test\r\n250-PIPELINING\r\n" \
    "250-SIZE 10240000\r\n250-REQUIRETLS\r\n250-ENHANCEDSTATUSCODES\r\n" \
    "250 8BITMIME\r\n"
#define EHLO_R_PLAIN "250-mx.test\r\n250-PIPELINING\r\n" \
    "250-SIZE 10240000\r\n250-ENHANCEDSTATUSCODES\r\n250 8BITMIME\r\n"
#define READY "220 2.0.0 Ready to start TLS\r\n"
#define OK_MAIL "250 2.1.0 Ok\r\n"
#define OK_RCPT "250 2.1.5 Ok\r\n"
#define REJ_DATA "554 5.7.0 smtptls test listener: message not accepted\r\n"
#define BYE "221 2.0.0 Bye\r\n"
#define UNREC "500 5.5.2 Error: command not recognized\r\n"

static const struct dialogue dialogues[] = {
	{"starttls_full", P_TLS, {
		{RECV, "EHLO client.example\r\n", SMTPS_EV_NONE, EHLO_R},
		{RECV, "STARTTLS\r\n", SMTPS_EV_START_TLS, READY},
		{TLS_OK, NULL, SMTPS_EV_NONE, ""},
		{RECV, "EHLO client.example\r\n", SMTPS_EV_NONE, EHLO_R_TLS},
		{RECV, "MAIL FROM:<a@sender.example> SIZE=100 REQUIRETLS\r\n"
		    "RCPT TO:<b@rcpt.example>\r\nDATA\r\n", SMTPS_EV_NONE,
		    OK_MAIL OK_RCPT REJ_DATA},
		{RECV, "QUIT\r\n", SMTPS_EV_CLOSE, BYE},
	}, "end=quit helo=EHLO:client.example offered=1 used=1 tls=1 "
	    "first=EHLO mail=a@sender.example params=SIZE=100,REQUIRETLS "
	    "rtls=1 rcpt=b@rcpt.example data=554 clear=0 inj=0 flags=0"},
	{"plain_no_starttls", P_PLAIN, {
		{RECV, "EHLO c\r\n", SMTPS_EV_NONE, EHLO_R_PLAIN},
		{RECV, "STARTTLS\r\n", SMTPS_EV_NONE,
		    "502 5.5.1 STARTTLS not available\r\n"},
		{RECV, "MAIL FROM:<>\r\n", SMTPS_EV_NONE, OK_MAIL},
		{RECV, "QUIT\r\n", SMTPS_EV_CLOSE, BYE},
	}, "end=quit helo=EHLO:c offered=0 used=0 tls=0 first= mail= "
	    "params= rtls=0 rcpt= data=0 clear=1 inj=0 flags=0"},
	{"helo_cleartext_mail", P_TLS, {
		{RECV, "HELO old.example\r\n", SMTPS_EV_NONE, "250 mx.test\r\n"},
		{RECV, "mail from: <x@y>\r\nrcpt to:<z@w>\r\n", SMTPS_EV_NONE,
		    OK_MAIL OK_RCPT},
		{EOF_, NULL, SMTPS_EV_CLOSE, ""},
	}, "end=client-closed helo=HELO:old.example offered=0 used=0 tls=0 "
	    "first= mail=x@y params= rtls=0 rcpt=z@w data=0 clear=1 inj=0 "
	    "flags=0"},
	{"injection_after_starttls", P_TLS, {
		{RECV, "EHLO c\r\n", SMTPS_EV_NONE, EHLO_R},
		{RECV, "STARTTLS\r\nMAIL FROM:<evil@x>\r\n",
		    SMTPS_EV_START_TLS, READY},
		{TLS_OK, NULL, SMTPS_EV_NONE, ""},
		{RECV, "QUIT\r\n", SMTPS_EV_CLOSE, BYE},
	}, "end=quit helo=EHLO:c offered=1 used=1 tls=1 first=QUIT mail= "
	    "params= rtls=0 rcpt= data=0 clear=0 inj=20 flags=8"},
	{"close_after_tls", P_TLS, {
		{RECV, "EHLO c\r\nSTARTTLS\r\n", SMTPS_EV_START_TLS,
		    EHLO_R READY},
		{TLS_OK, NULL, SMTPS_EV_NONE, ""},
		{EOF_, NULL, SMTPS_EV_CLOSE, ""},
	}, "end=client-closed helo=EHLO:c offered=1 used=1 tls=1 first= "
	    "mail= params= rtls=0 rcpt= data=0 clear=0 inj=0 flags=0"},
	{"handshake_fails", P_TLS, {
		{RECV, "EHLO c\r\nSTARTTLS\r\n", SMTPS_EV_START_TLS,
		    EHLO_R READY},
		{TLS_FAIL, NULL, SMTPS_EV_CLOSE, ""},
	}, "end=client-closed helo=EHLO:c offered=1 used=1 tls=0 first= "
	    "mail= params= rtls=0 rcpt= data=0 clear=0 inj=0 flags=0"},
	{"sequence_errors", P_TLS, {
		{RECV, "MAIL FROM:<a@b>\r\n", SMTPS_EV_NONE,
		    "503 5.5.1 Error: send HELO/EHLO first\r\n"},
		{RECV, "EHLO c\r\nRCPT TO:<a@b>\r\nDATA\r\n", SMTPS_EV_NONE,
		    EHLO_R "503 5.5.1 Error: need MAIL command\r\n"
		    "503 5.5.1 Error: need RCPT command\r\n"},
		{RECV, "NOOP\r\nRSET\r\nVRFY x\r\nHELP\r\n", SMTPS_EV_NONE,
		    "250 2.0.0 Ok\r\n250 2.0.0 Ok\r\n"
		    "252 2.5.0 Cannot VRFY user\r\n"
		    "214 2.0.0 smtptls test listener; see smtptls(1)\r\n"},
		{TIMEOUT, NULL, SMTPS_EV_CLOSE,
		    "421 4.4.2 timeout exceeded, closing\r\n"},
	}, "end=timeout helo=EHLO:c offered=1 used=0 tls=0 first= mail= "
	    "params= rtls=0 rcpt= data=0 clear=0 inj=0 flags=0"},
	{"garbage_limit", P_TLS, {
		{RECV, "GET / HTTP/1.1\r\nHost: x\r\n\r\nx\r\ny\r\nz\r\n"
		    "a\r\nb\r\nc\r\nd\r\n", SMTPS_EV_CLOSE,
		    UNREC UNREC UNREC UNREC UNREC UNREC UNREC UNREC UNREC UNREC
		    "421 4.7.0 too many errors, closing\r\n"},
	}, "end=error helo=: offered=0 used=0 tls=0 first= mail= params= "
	    "rtls=0 rcpt= data=0 clear=0 inj=0 flags=0"},
	{"accept_data", P_DATA, {
		{RECV, "EHLO c\r\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\n"
		    "DATA\r\n", SMTPS_EV_NONE, EHLO_R OK_MAIL OK_RCPT
		    "354 End data with <CR><LF>.<CR><LF>\r\n"},
		{RECV, "Subject: x\r\n\r\n..dot\r\n.\r\nQUIT\r\n",
		    SMTPS_EV_CLOSE,
		    "250 2.0.0 Ok: message discarded by smtptls\r\n" BYE},
	}, "end=quit helo=EHLO:c offered=1 used=0 tls=0 first= mail=a@b "
	    "params= rtls=0 rcpt=c@d data=250 clear=1 inj=0 flags=0"},
	{"bare_lf_and_bdat", P_TLS, {
		{RECV, "EHLO c\nMAIL FROM:<a@b>\nRCPT TO:<c@d>\nBDAT 10\n",
		    SMTPS_EV_CLOSE, EHLO_R OK_MAIL OK_RCPT
		    "554 5.5.1 BDAT not supported by this listener\r\n"
		    "421 4.3.0 closing\r\n"},
	}, "end=error helo=EHLO:c offered=1 used=0 tls=0 first= mail=a@b "
	    "params= rtls=0 rcpt=c@d data=554 clear=1 inj=0 flags=1"},
	{"listener_shutdown", P_TLS, {
		{RECV, "EHLO c\r\n", SMTPS_EV_NONE, EHLO_R},
		{TIMEOUT, "listener", SMTPS_EV_CLOSE,
		    "421 4.3.2 listener shutting down, closing\r\n"},
	}, "end=listener-closed helo=EHLO:c offered=1 used=0 tls=0 first= "
	    "mail= params= rtls=0 rcpt= data=0 clear=0 inj=0 flags=0"},
};

/* summarise - the recorded facts as one comparable line */
static void
summarise(const struct smtp_server *ss, char *out, size_t outlen)
{
	char params[256] = "", rcpt[256] = "";
	size_t i, n = 0;

	for (i = 0; i < ss->nmail_params; i++)
		n += (size_t)snprintf(params + n, sizeof(params) - n, "%s%s",
		    i ? "," : "", ss->mail_params[i]);
	for (i = 0, n = 0; i < ss->nrcpt; i++)
		n += (size_t)snprintf(rcpt + n, sizeof(rcpt) - n, "%s%s",
		    i ? "," : "", ss->rcpt_to[i]);
	snprintf(out, outlen, "end=%s helo=%s:%s offered=%d used=%d tls=%d "
	    "first=%s mail=%s params=%s rtls=%d rcpt=%s data=%d clear=%d "
	    "inj=%zu flags=%u", smtps_end_name(ss->end), ss->helo_verb,
	    ss->helo_name, ss->starttls_offered, ss->starttls_used,
	    ss->tls_active, ss->first_tls_cmd, ss->mail_from, params, ss->requiretls,
	    rcpt, ss->data_code, ss->mail_cleartext, ss->injected,
	    ss->flags & ~(unsigned)(SMTPS_LONG_LINE | SMTPS_PIPELINED));
}

/* take_output - move queued replies into out */
static void
take_output(struct smtp_server *ss, char *out, size_t outlen)
{
	size_t len, have = strlen(out);
	const char *p = smtp_server_output(ss, &len);

	if (p != NULL && have + len < outlen) {
		memcpy(out + have, p, len);
		out[have + len] = '\0';
	}
	smtp_server_output_done(ss, len);
}

/*
 * run - replay d; split: 0 = each step at once, 1 = byte by byte, k > 1 =
 * RECV data cut in two at offset k - 1. Returns false when an expectation
 * failed (reported under name).
 */
static bool
run(const struct dialogue *d, size_t split, const char *name)
{
	struct smtp_server ss;
	char out[TEXT_MAX], sum[2048], tn[160];
	bool ok = true;
	size_t i;

	if (smtp_server_init(&ss, &d->params) != ST_OK) {
		unit_report(0, name, "init ok", "init failed");
		return false;
	}
	out[0] = '\0';
	take_output(&ss, out, sizeof(out));
	if (strcmp(out, BANNER) != 0) {
		unit_eq_str(name, BANNER, out);
		ok = false;
	}
	for (i = 0; i < STEPS_MAX && d->steps[i].op != END; i++) {
		const struct step *st = &d->steps[i];
		enum smtps_event ev = SMTPS_EV_NONE;
		size_t len, off = 0, used, chunk;

		out[0] = '\0';
		switch (st->op) {
		case RECV:
			len = strlen(st->data);
			while (off < len) {
				chunk = len - off;
				if (split == 1)
					chunk = 1;
				else if (split > 1 && off < split - 1 &&
				    split - 1 - off < chunk)
					chunk = split - 1 - off;
				ev = smtp_server_feed(&ss, st->data + off,
				    chunk, &used);
				if (used == 0)
					break;
				off += used;
			}
			break;
		case EOF_:
			smtp_server_eof(&ss);
			ev = SMTPS_EV_CLOSE;
			break;
		case TIMEOUT:
			ev = smtp_server_timeout(&ss, st->data != NULL);
			break;
		case TLS_OK:
		case TLS_FAIL:
			ev = smtp_server_tls_done(&ss, st->op == TLS_OK);
			break;
		default:
			break;
		}
		take_output(&ss, out, sizeof(out));
		snprintf(tn, sizeof(tn), "%s step %zu", name, i + 1);
		if (ev != st->ev || strcmp(out, st->out) != 0) {
			char e[TEXT_MAX + 16], s[TEXT_MAX + 16];

			snprintf(e, sizeof(e), "ev %d: %s", (int)st->ev, st->out);
			snprintf(s, sizeof(s), "ev %d: %s", (int)ev, out);
			unit_report(0, tn, e, s);
			ok = false;
		}
	}
	summarise(&ss, sum, sizeof(sum));
	if (strcmp(sum, d->expect) != 0) {
		unit_eq_str(name, d->expect, sum);
		ok = false;
	}
	smtp_server_release(&ss);
	return ok;
}

/* test_limits - hostile input ends the session with bounded memory */
static void
test_limits(void)
{
	struct smtp_server_params p = P_TLS;
	struct smtp_server ss;
	char chunk[1000];
	size_t used, i, len;
	enum smtps_event ev = SMTPS_EV_NONE;

	/* An endless line: 500 and close at SMTPS_LINE_MAX. */
	if (smtp_server_init(&ss, &p) != ST_OK)
		return;
	memset(chunk, 'A', sizeof(chunk));
	for (i = 0; i < 100 && ev == SMTPS_EV_NONE; i++)
		ev = smtp_server_feed(&ss, chunk, sizeof(chunk), &used);
	unit_eq_long("endless_line closes", SMTPS_EV_CLOSE, ev);
	unit_eq_str("endless_line end", "error", smtps_end_name(ss.end));
	unit_report(ss.line.len <= SMTPS_LINE_MAX, "endless_line bounded",
	    "<= cap", "over cap");
	smtp_server_output(&ss, &len);
	unit_report(len > 0 && len < 200, "endless_line reply", "500 queued",
	    "no reply");
	smtp_server_release(&ss);

	/* Endless NOOPs: 421 after SMTPS_COMMANDS_MAX. */
	if (smtp_server_init(&ss, &p) != ST_OK)
		return;
	ev = SMTPS_EV_NONE;
	for (i = 0; i < 1000 && ev == SMTPS_EV_NONE; i++)
		ev = smtp_server_feed(&ss, "NOOP\r\n", 6, &used);
	unit_eq_long("noop_flood commands", SMTPS_COMMANDS_MAX + 1,
	    (long)ss.ncommands);
	unit_eq_long("noop_flood closes", SMTPS_EV_CLOSE, ev);
	smtp_server_output(&ss, &len);
	unit_report(len <= SMTPS_OUTPUT_MAX, "noop_flood output bounded",
	    "<= cap", "over cap");
	smtp_server_release(&ss);

	/* A bad hostname is refused. */
	p.hostname = "bad name";
	unit_eq_long("bad_hostname", ST_ERR_INVAL, smtp_server_init(&ss, &p));
	smtp_server_release(&ss);
}

int
main(void)
{
	size_t i, k;

	for (i = 0; i < sizeof(dialogues) / sizeof(dialogues[0]); i++) {
		const struct dialogue *d = &dialogues[i];
		char name[128];
		size_t maxlen = 0, j;
		bool ok = true;

		snprintf(name, sizeof(name), "smtp_server %s", d->name);
		if (run(d, 0, name))
			unit_report(1, name, "", "");
		snprintf(name, sizeof(name), "smtp_server %s bytewise", d->name);
		if (run(d, 1, name))
			unit_report(1, name, "", "");
		for (j = 0; j < STEPS_MAX && d->steps[j].op != END; j++)
			if (d->steps[j].op == RECV &&
			    strlen(d->steps[j].data) > maxlen)
				maxlen = strlen(d->steps[j].data);
		for (k = 2; k <= maxlen && ok; k++) {
			snprintf(name, sizeof(name), "smtp_server %s split@%zu",
			    d->name, k - 1);
			ok = run(d, k, name);
		}
		snprintf(name, sizeof(name), "smtp_server %s splits", d->name);
		if (ok)
			unit_report(1, name, "", "");
	}
	test_limits();
	return unit_exit();
}
