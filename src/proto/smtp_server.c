/*
 * smtp_server.c - the listener's SMTP server machine (see smtp_server.h).
 *
 * Owns the command line buffer, the reply queue and the recorded facts of
 * one session. It never touches a socket, a clock or OpenSSL; the driver
 * in listen_session.c moves the bytes. Commands are dispatched through
 * one table (verb, handler), as smtpd's smtp_session.c commands[] does.
 */
#include "smtp_server.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "banned.h"

static const char *const state_names[SMTPS_ST__COUNT] = {
	"cmd",
	"data",
	"tls",
	"closing",
	"done",
};
static_assert(sizeof(state_names) / sizeof(state_names[0]) == SMTPS_ST__COUNT,
    "state names");

static const char *const end_names[SMTPS_END__COUNT] = {
	"",
	"quit",
	"client-closed",
	"timeout",
	"listener-closed",
	"error",
};
static_assert(sizeof(end_names) / sizeof(end_names[0]) == SMTPS_END__COUNT,
    "end names");

const char *
smtps_state_name(enum smtps_state s)
{
	return (unsigned)s < SMTPS_ST__COUNT ? state_names[s] : "unknown";
}

const char *
smtps_end_name(enum smtps_end e)
{
	return (unsigned)e < SMTPS_END__COUNT ? end_names[e] : "unknown";
}

/* set_state - the one place states change */
static void
set_state(struct smtp_server *ss, enum smtps_state st)
{
	ss->state = st;
}

/* reply - queue one reply line; a full queue ends the session */
static void reply(struct smtp_server *ss, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
reply(struct smtp_server *ss, const char *fmt, ...)
{
	char line[600];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(line) - 2)
		n = (int)sizeof(line) - 3;
	memcpy(line + n, "\r\n", 3);
	if (buf_add(&ss->out, line, (size_t)n + 2) != ST_OK &&
	    ss->state != SMTPS_ST_DONE) {
		/* The sender pipelines without reading: stop here. */
		ss->end = SMTPS_END_ERROR;
		snprintf(ss->errmsg, sizeof(ss->errmsg),
		    "more than %d octets of replies unread by the sender",
		    SMTPS_OUTPUT_MAX);
		set_state(ss, SMTPS_ST_CLOSING);
	}
}

/* close_with - queue a last reply and end the session */
static void
close_with(struct smtp_server *ss, enum smtps_end end, const char *text)
{
	reply(ss, "%s", text);
	if (ss->end == SMTPS_END_NONE)
		ss->end = end;
	set_state(ss, SMTPS_ST_CLOSING);
}

enum st_err
smtp_server_init(struct smtp_server *ss, const struct smtp_server_params *p)
{
	size_t i, n;

	memset(ss, 0, sizeof(*ss));
	buf_init(&ss->line, SMTPS_LINE_MAX);
	buf_init(&ss->out, SMTPS_OUTPUT_MAX);
	if (p->hostname == NULL || (n = strlen(p->hostname)) == 0 || n > 255)
		return ST_ERR_INVAL;
	for (i = 0; i < n; i++)
		if (p->hostname[i] <= ' ' || p->hostname[i] == 0x7f)
			return ST_ERR_INVAL;
	ss->params = *p;
	if ((ss->params.hostname = strdup(p->hostname)) == NULL)
		return ST_ERR_NOMEM;
	set_state(ss, SMTPS_ST_CMD);
	reply(ss, "220 %s ESMTP smtptls test listener", ss->params.hostname);
	return ST_OK;
}

void
smtp_server_release(struct smtp_server *ss)
{
	size_t i;

	if (ss == NULL)
		return;
	free((char *)ss->params.hostname);
	ss->params.hostname = NULL;
	for (i = 0; i < ss->nmail_params; i++)
		free(ss->mail_params[i]);
	for (i = 0; i < ss->nrcpt; i++)
		free(ss->rcpt_to[i]);
	ss->nmail_params = ss->nrcpt = 0;
	buf_release(&ss->line);
	buf_release(&ss->out);
}

/* copy_text - n octets into a fixed field, cut to fit, NUL-terminated */
static void
copy_text(char *dst, size_t dstlen, const char *s, size_t n)
{
	if (n >= dstlen)
		n = dstlen - 1;
	memcpy(dst, s, n);
	dst[n] = '\0';
}

/* skip_sp - advance over spaces */
static size_t
skip_sp(const char *s, size_t len, size_t i)
{
	while (i < len && s[i] == ' ')
		i++;
	return i;
}

/*
 * parse_path - "FROM:<path> params" or "TO:<path> params" (RFC 5321
 * 4.1.1.2-3). Sets the path span and where the parameters begin; false
 * when the syntax is wrong. Lenient like real servers: spaces after the
 * colon and a path without brackets are accepted.
 */
static bool
parse_path(const char *a, size_t len, const char *kw, size_t *ps, size_t *pn,
    size_t *rest)
{
	size_t k = strlen(kw), i, end;

	if (len < k || strncasecmp(a, kw, k) != 0)
		return false;
	i = skip_sp(a, len, k);
	if (i < len && a[i] == '<') {
		const char *gt = memchr(a + i, '>', len - i);

		if (gt == NULL)
			return false;
		end = (size_t)(gt - a);
		*ps = i + 1;
		*pn = end - i - 1;
		*rest = end + 1;
	} else {
		end = i;
		while (end < len && a[end] != ' ')
			end++;
		if (end == i)
			return false;
		*ps = i;
		*pn = end - i;
		*rest = end;
	}
	return true;
}

static void
cmd_helo(struct smtp_server *ss, const char *verb, const char *a, size_t len)
{
	bool ehlo = strcmp(verb, "EHLO") == 0;

	if (len == 0) {
		reply(ss, "501 5.5.4 Syntax: %s hostname", verb);
		ss->nbad++;
		return;
	}
	if (ss->tls_active)
		copy_text(ss->helo_tls_name, sizeof(ss->helo_tls_name), a, len);
	else if (ss->helo_verb[0] == '\0') {
		copy_text(ss->helo_verb, sizeof(ss->helo_verb), verb, 4);
		copy_text(ss->helo_name, sizeof(ss->helo_name), a, len);
	}
	ss->helo_seen = true;
	ss->in_tx = false;
	if (!ehlo) {
		reply(ss, "250 %s", ss->params.hostname);
		return;
	}
	reply(ss, "250-%s", ss->params.hostname);
	reply(ss, "250-PIPELINING");
	reply(ss, "250-SIZE %d", SMTPS_DATA_MAX);
	if (ss->params.starttls && !ss->tls_active) {
		reply(ss, "250-STARTTLS");
		ss->starttls_offered = true;
	}
	/* RFC 8689 2: REQUIRETLS is offered only over TLS. */
	if (ss->tls_active)
		reply(ss, "250-REQUIRETLS");
	reply(ss, "250-ENHANCEDSTATUSCODES");
	reply(ss, "250 8BITMIME");
}

static void
cmd_starttls(struct smtp_server *ss, const char *verb, const char *a,
    size_t len)
{
	(void)verb;
	(void)a;
	if (!ss->params.starttls || ss->tls_active) {
		reply(ss, "502 5.5.1 STARTTLS not available");
		ss->nbad++;
		return;
	}
	if (len != 0) {
		reply(ss, "501 5.5.4 Syntax: STARTTLS");
		return;
	}
	reply(ss, "220 2.0.0 Ready to start TLS");
	ss->starttls_used = true;
	set_state(ss, SMTPS_ST_TLS);
}

static void
cmd_mail(struct smtp_server *ss, const char *verb, const char *a, size_t len)
{
	size_t ps, pn, i, rest;

	(void)verb;
	if (!ss->helo_seen) {
		reply(ss, "503 5.5.1 Error: send HELO/EHLO first");
		ss->nbad++;
		return;
	}
	if (ss->in_tx) {
		reply(ss, "503 5.5.1 Error: nested MAIL command");
		ss->nbad++;
		return;
	}
	if (!parse_path(a, len, "FROM:", &ps, &pn, &rest)) {
		reply(ss, "501 5.5.4 Syntax: MAIL FROM:<address>");
		ss->nbad++;
		return;
	}
	copy_text(ss->mail_from, sizeof(ss->mail_from), a + ps, pn);
	ss->have_mail = true;
	if (!ss->tls_active)
		ss->mail_cleartext = true;
	for (i = 0; i < ss->nmail_params; i++)
		free(ss->mail_params[i]);
	ss->nmail_params = 0;
	ss->requiretls = false;
	for (i = skip_sp(a, len, rest); i < len; i = skip_sp(a, len, i)) {
		size_t s = i;

		while (i < len && a[i] != ' ')
			i++;
		if (i - s == 10 && strncasecmp(a + s, "REQUIRETLS", 10) == 0)
			ss->requiretls = true;
		if (ss->nmail_params < SMTPS_PARAMS_MAX &&
		    (ss->mail_params[ss->nmail_params] = strndup(a + s,
		         i - s < SMTPS_PATH_MAX ? i - s : SMTPS_PATH_MAX)) !=
		        NULL)
			ss->nmail_params++;
	}
	ss->in_tx = true;
	reply(ss, "250 2.1.0 Ok");
}

static void
cmd_rcpt(struct smtp_server *ss, const char *verb, const char *a, size_t len)
{
	size_t ps, pn, rest;

	(void)verb;
	if (!ss->in_tx) {
		reply(ss, "503 5.5.1 Error: need MAIL command");
		ss->nbad++;
		return;
	}
	if (!parse_path(a, len, "TO:", &ps, &pn, &rest) || pn == 0) {
		reply(ss, "501 5.5.4 Syntax: RCPT TO:<address>");
		ss->nbad++;
		return;
	}
	if (ss->nrcpt >= SMTPS_RCPT_MAX) {
		reply(ss, "452 4.5.3 Error: too many recipients");
		return;
	}
	if ((ss->rcpt_to[ss->nrcpt] = strndup(a + ps,
	         pn < SMTPS_PATH_MAX ? pn : SMTPS_PATH_MAX)) == NULL) {
		reply(ss, "451 4.3.0 Error: out of memory");
		return;
	}
	ss->nrcpt++;
	reply(ss, "250 2.1.5 Ok");
}

/* data_reply - queue the reply to DATA/BDAT or end of data, keep a copy */
static void
data_reply(struct smtp_server *ss, int code, const char *text)
{
	ss->data_code = code;
	snprintf(ss->data_reply, sizeof(ss->data_reply), "%d %s", code, text);
	reply(ss, "%s", ss->data_reply);
}

static void
cmd_data(struct smtp_server *ss, const char *verb, const char *a, size_t len)
{
	(void)a;
	(void)len;
	if (!ss->in_tx || ss->nrcpt == 0) {
		reply(ss, "503 5.5.1 Error: need RCPT command");
		ss->nbad++;
		return;
	}
	ss->data_reached = true;
	if (strcmp(verb, "BDAT") == 0) {
		/* CHUNKING is not offered; the chunk that follows cannot be
		 * told from commands, so the session ends here. */
		data_reply(ss, 554,
		    "5.5.1 BDAT not supported by this listener");
		close_with(ss, SMTPS_END_ERROR, "421 4.3.0 closing");
		snprintf(ss->errmsg, sizeof(ss->errmsg),
		    "BDAT without CHUNKING");
		return;
	}
	if (!ss->params.accept_data) {
		data_reply(ss, 554,
		    "5.7.0 smtptls test listener: message not accepted");
		ss->in_tx = false;
		return;
	}
	reply(ss, "354 End data with <CR><LF>.<CR><LF>");
	ss->data_code = 354;
	ss->data_match = 2; /* DATA's own CRLF starts the first line */
	set_state(ss, SMTPS_ST_DATA);
}

static void
cmd_rset(struct smtp_server *ss, const char *verb, const char *a, size_t len)
{
	(void)verb;
	(void)a;
	(void)len;
	ss->in_tx = false;
	reply(ss, "250 2.0.0 Ok");
}

static void
cmd_noop(struct smtp_server *ss, const char *verb, const char *a, size_t len)
{
	(void)verb;
	(void)a;
	(void)len;
	reply(ss, "250 2.0.0 Ok");
}

static void
cmd_vrfy(struct smtp_server *ss, const char *verb, const char *a, size_t len)
{
	(void)verb;
	(void)a;
	(void)len;
	reply(ss, "252 2.5.0 Cannot VRFY user");
}

static void
cmd_help(struct smtp_server *ss, const char *verb, const char *a, size_t len)
{
	(void)verb;
	(void)a;
	(void)len;
	reply(ss, "214 2.0.0 smtptls test listener; see smtptls(1)");
}

static void
cmd_quit(struct smtp_server *ss, const char *verb, const char *a, size_t len)
{
	(void)verb;
	(void)a;
	(void)len;
	close_with(ss, SMTPS_END_QUIT, "221 2.0.0 Bye");
}

static const struct {
	const char *verb;
	void (*fn)(struct smtp_server *, const char *verb, const char *arg,
	    size_t arglen);
} commands[] = {
	{ "EHLO", cmd_helo },
	{ "HELO", cmd_helo },
	{ "STARTTLS", cmd_starttls },
	{ "MAIL", cmd_mail },
	{ "RCPT", cmd_rcpt },
	{ "DATA", cmd_data },
	{ "BDAT", cmd_data },
	{ "RSET", cmd_rset },
	{ "NOOP", cmd_noop },
	{ "VRFY", cmd_vrfy },
	{ "HELP", cmd_help },
	{ "QUIT", cmd_quit },
};

/* do_command - one complete command line, line end removed */
static void
do_command(struct smtp_server *ss, const char *l, size_t len)
{
	char verb[16];
	size_t vn = 0, i, a;

	while (vn < len && l[vn] != ' ' && vn < sizeof(verb) - 1) {
		char c = l[vn];

		verb[vn++] = (c >= 'a' && c <= 'z') ? (char)(c - 32) : c;
	}
	verb[vn] = '\0';
	for (i = 0; i < len; i++)
		if (l[i] == '\0' || (unsigned char)l[i] >= 0x80)
			ss->flags |= SMTPS_BAD_OCTETS;
	if (ss->tls_first_pending) {
		ss->tls_first_pending = false;
		copy_text(ss->first_tls_cmd, sizeof(ss->first_tls_cmd), verb,
		    vn);
	}
	if (++ss->ncommands > SMTPS_COMMANDS_MAX) {
		snprintf(ss->errmsg, sizeof(ss->errmsg),
		    "more than %d commands", SMTPS_COMMANDS_MAX);
		close_with(ss, SMTPS_END_ERROR,
		    "421 4.7.0 too many commands, closing");
		return;
	}
	a = vn < len ? skip_sp(l, len, vn) : len;
	if (vn < len && l[vn] != ' ')
		a = len + 1; /* verb longer than any we know */
	for (i = 0; a <= len && i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(verb, commands[i].verb) == 0) {
			commands[i].fn(ss, commands[i].verb, l + a, len - a);
			goto counted;
		}
	reply(ss, "500 5.5.2 Error: command not recognized");
	ss->nbad++;
counted:
	if (ss->nbad >= SMTPS_BAD_MAX && ss->state == SMTPS_ST_CMD) {
		snprintf(ss->errmsg, sizeof(ss->errmsg), "%d bad commands",
		    SMTPS_BAD_MAX);
		close_with(ss, SMTPS_END_ERROR,
		    "421 4.7.0 too many errors, closing");
	}
}

/* feed_data - message content up to "CRLF.CRLF"; returns bytes used */
static size_t
feed_data(struct smtp_server *ss, const char *buf, size_t len)
{
	static const char end[] = "\r\n.\r\n";
	size_t i;

	for (i = 0; i < len; i++) {
		char c = buf[i];

		if (c == end[ss->data_match])
			ss->data_match++;
		else
			ss->data_match = c == '\r' ? 1 : 0;
		if (ss->data_bytes < (size_t)SMTPS_DATA_MAX + 1)
			ss->data_bytes++;
		if (ss->data_match == 5) {
			i++;
			ss->data_match = 0;
			ss->in_tx = false;
			set_state(ss, SMTPS_ST_CMD);
			if (ss->data_bytes > SMTPS_DATA_MAX)
				data_reply(ss, 552, "5.3.4 message too big");
			else
				data_reply(ss, 250,
				    "2.0.0 Ok: message discarded by smtptls");
			return i;
		}
	}
	return len;
}

/* take_line - the next complete line of the input; false when the input
 * ends before a line end (the bytes are kept in ss->line) */
static bool
take_line(struct smtp_server *ss, const char *buf, size_t len, size_t *used)
{
	const char *lf = memchr(buf, '\n', len);
	size_t n = lf != NULL ? (size_t)(lf - buf) + 1 : len;

	if (buf_add(&ss->line, buf, n) != ST_OK) {
		*used = n;
		snprintf(ss->errmsg, sizeof(ss->errmsg),
		    "command line longer than %d octets", SMTPS_LINE_MAX);
		close_with(ss, SMTPS_END_ERROR,
		    "500 5.5.2 Error: line too long");
		return false;
	}
	*used = n;
	return lf != NULL;
}

enum smtps_event
smtp_server_feed(struct smtp_server *ss, const char *buf, size_t len,
    size_t *used)
{
	size_t off = 0, n;

	*used = 0;
	while (off < len) {
		switch (ss->state) {
		case SMTPS_ST_CLOSING:
		case SMTPS_ST_DONE:
			*used = off;
			return SMTPS_EV_CLOSE;
		case SMTPS_ST_TLS:
			/* Plaintext after STARTTLS: dropped, recorded. */
			ss->injected += len - off;
			ss->flags |= SMTPS_INJECTION;
			*used = len;
			return SMTPS_EV_START_TLS;
		case SMTPS_ST_DATA:
			off += feed_data(ss, buf + off, len - off);
			continue;
		case SMTPS_ST_CMD:
		default:
			break;
		}
		if (!take_line(ss, buf + off, len - off, &n)) {
			off += n;
			continue;
		}
		off += n;
		n = ss->line.len - 1;
		if (n > 0 && ss->line.data[n - 1] == '\r')
			n--;
		else
			ss->flags |= SMTPS_BARE_LF;
		if (n > SMTPS_LINE_RFC - 2)
			ss->flags |= SMTPS_LONG_LINE;
		if (off < len)
			ss->flags |= SMTPS_PIPELINED;
		do_command(ss, ss->line.data, n);
		buf_reset(&ss->line);
	}
	*used = len;
	switch (ss->state) {
	case SMTPS_ST_TLS:
		return SMTPS_EV_START_TLS;
	case SMTPS_ST_CLOSING:
	case SMTPS_ST_DONE:
		return SMTPS_EV_CLOSE;
	default:
		return SMTPS_EV_NONE;
	}
}

enum smtps_event
smtp_server_tls_done(struct smtp_server *ss, bool ok)
{
	if (ss->state != SMTPS_ST_TLS)
		return ss->state >= SMTPS_ST_CLOSING ? SMTPS_EV_CLOSE
		                                     : SMTPS_EV_NONE;
	buf_reset(&ss->line);
	buf_reset(&ss->out);
	if (!ok) {
		if (ss->end == SMTPS_END_NONE)
			ss->end = SMTPS_END_CLIENT_CLOSED;
		set_state(ss, SMTPS_ST_DONE);
		return SMTPS_EV_CLOSE;
	}
	/* RFC 3207 4.2: discard what the cleartext dialogue established. */
	ss->tls_active = true;
	ss->helo_seen = false;
	ss->in_tx = false;
	ss->tls_first_pending = true;
	set_state(ss, SMTPS_ST_CMD);
	return SMTPS_EV_NONE;
}

void
smtp_server_eof(struct smtp_server *ss)
{
	if (ss->end == SMTPS_END_NONE)
		ss->end = SMTPS_END_CLIENT_CLOSED;
	set_state(ss, SMTPS_ST_DONE);
}

enum smtps_event
smtp_server_timeout(struct smtp_server *ss, bool listener)
{
	enum smtps_end end =
	    listener ? SMTPS_END_LISTENER_CLOSED : SMTPS_END_TIMEOUT;

	if (ss->state == SMTPS_ST_DONE || ss->state == SMTPS_ST_CLOSING) {
		if (ss->end == SMTPS_END_NONE)
			ss->end = end;
		set_state(ss, SMTPS_ST_DONE);
		return SMTPS_EV_CLOSE;
	}
	if (ss->state == SMTPS_ST_TLS && ss->out.len == 0) {
		/* The 220 went out; the handshake is the driver's. */
		ss->end = end;
		set_state(ss, SMTPS_ST_DONE);
		return SMTPS_EV_CLOSE;
	}
	close_with(ss, end,
	    listener ? "421 4.3.2 listener shutting down, closing"
	             : "421 4.4.2 timeout exceeded, closing");
	return SMTPS_EV_CLOSE;
}

const char *
smtp_server_output(const struct smtp_server *ss, size_t *len)
{
	*len = ss->out.len;
	return ss->out.len > 0 ? ss->out.data : NULL;
}

void
smtp_server_output_done(struct smtp_server *ss, size_t n)
{
	buf_consume(&ss->out, n <= ss->out.len ? n : ss->out.len);
}
