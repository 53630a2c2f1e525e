/*
 * smtp_server_cmd.c - the commands of the listener's SMTP server machine
 * (smtp_server.h): argument parsing and one handler per verb, dispatched
 * through one table (verb, handler), as smtpd's smtp_session.c
 * commands[] does. Lines arrive whole from smtp_server.c.
 */
#include "smtp_server.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "smtp_server_int.h"

#include "banned.h"

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
		smtps_reply(ss, "501 5.5.4 Syntax: %s hostname", verb);
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
		smtps_reply(ss, "250 %s", ss->params.hostname);
		return;
	}
	smtps_reply(ss, "250-%s", ss->params.hostname);
	smtps_reply(ss, "250-PIPELINING");
	smtps_reply(ss, "250-SIZE %d", SMTPS_DATA_MAX);
	if (ss->params.starttls && !ss->tls_active) {
		smtps_reply(ss, "250-STARTTLS");
		ss->starttls_offered = true;
	}
	/* RFC 8689 2: REQUIRETLS is offered only over TLS. */
	if (ss->tls_active)
		smtps_reply(ss, "250-REQUIRETLS");
	smtps_reply(ss, "250-ENHANCEDSTATUSCODES");
	smtps_reply(ss, "250 8BITMIME");
}

static void
cmd_starttls(struct smtp_server *ss, const char *verb, const char *a,
    size_t len)
{
	(void)verb;
	(void)a;
	if (!ss->params.starttls || ss->tls_active) {
		smtps_reply(ss, "502 5.5.1 STARTTLS not available");
		ss->nbad++;
		return;
	}
	if (len != 0) {
		smtps_reply(ss, "501 5.5.4 Syntax: STARTTLS");
		return;
	}
	smtps_reply(ss, "220 2.0.0 Ready to start TLS");
	ss->starttls_used = true;
	smtps_set_state(ss, SMTPS_ST_TLS);
}

static void
cmd_mail(struct smtp_server *ss, const char *verb, const char *a, size_t len)
{
	size_t ps, pn, i, rest;

	(void)verb;
	if (!ss->helo_seen) {
		smtps_reply(ss, "503 5.5.1 Error: send HELO/EHLO first");
		ss->nbad++;
		return;
	}
	if (ss->in_tx) {
		smtps_reply(ss, "503 5.5.1 Error: nested MAIL command");
		ss->nbad++;
		return;
	}
	if (!parse_path(a, len, "FROM:", &ps, &pn, &rest)) {
		smtps_reply(ss, "501 5.5.4 Syntax: MAIL FROM:<address>");
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
	smtps_reply(ss, "250 2.1.0 Ok");
}

static void
cmd_rcpt(struct smtp_server *ss, const char *verb, const char *a, size_t len)
{
	size_t ps, pn, rest;

	(void)verb;
	if (!ss->in_tx) {
		smtps_reply(ss, "503 5.5.1 Error: need MAIL command");
		ss->nbad++;
		return;
	}
	if (!parse_path(a, len, "TO:", &ps, &pn, &rest) || pn == 0) {
		smtps_reply(ss, "501 5.5.4 Syntax: RCPT TO:<address>");
		ss->nbad++;
		return;
	}
	if (ss->nrcpt >= SMTPS_RCPT_MAX) {
		smtps_reply(ss, "452 4.5.3 Error: too many recipients");
		return;
	}
	if ((ss->rcpt_to[ss->nrcpt] = strndup(a + ps,
	         pn < SMTPS_PATH_MAX ? pn : SMTPS_PATH_MAX)) == NULL) {
		smtps_reply(ss, "451 4.3.0 Error: out of memory");
		return;
	}
	ss->nrcpt++;
	smtps_reply(ss, "250 2.1.5 Ok");
}

static void
cmd_data(struct smtp_server *ss, const char *verb, const char *a, size_t len)
{
	(void)a;
	(void)len;
	if (!ss->in_tx || ss->nrcpt == 0) {
		smtps_reply(ss, "503 5.5.1 Error: need RCPT command");
		ss->nbad++;
		return;
	}
	ss->data_reached = true;
	if (strcmp(verb, "BDAT") == 0) {
		/* CHUNKING is not offered; the chunk that follows cannot be
		 * told from commands, so the session ends here. */
		smtps_data_reply(ss, 554,
		    "5.5.1 BDAT not supported by this listener");
		smtps_close_with(ss, SMTPS_END_ERROR, "421 4.3.0 closing");
		snprintf(ss->errmsg, sizeof(ss->errmsg),
		    "BDAT without CHUNKING");
		return;
	}
	if (!ss->params.accept_data) {
		smtps_data_reply(ss, 554,
		    "5.7.0 smtptls test listener: message not accepted");
		ss->in_tx = false;
		return;
	}
	smtps_reply(ss, "354 End data with <CR><LF>.<CR><LF>");
	ss->data_code = 354;
	ss->data_match = 2; /* DATA's own CRLF starts the first line */
	smtps_set_state(ss, SMTPS_ST_DATA);
}

static void
cmd_rset(struct smtp_server *ss, const char *verb, const char *a, size_t len)
{
	(void)verb;
	(void)a;
	(void)len;
	ss->in_tx = false;
	smtps_reply(ss, "250 2.0.0 Ok");
}

static void
cmd_noop(struct smtp_server *ss, const char *verb, const char *a, size_t len)
{
	(void)verb;
	(void)a;
	(void)len;
	smtps_reply(ss, "250 2.0.0 Ok");
}

static void
cmd_vrfy(struct smtp_server *ss, const char *verb, const char *a, size_t len)
{
	(void)verb;
	(void)a;
	(void)len;
	smtps_reply(ss, "252 2.5.0 Cannot VRFY user");
}

static void
cmd_help(struct smtp_server *ss, const char *verb, const char *a, size_t len)
{
	(void)verb;
	(void)a;
	(void)len;
	smtps_reply(ss, "214 2.0.0 smtptls test listener; see smtptls(1)");
}

static void
cmd_quit(struct smtp_server *ss, const char *verb, const char *a, size_t len)
{
	(void)verb;
	(void)a;
	(void)len;
	smtps_close_with(ss, SMTPS_END_QUIT, "221 2.0.0 Bye");
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
void
smtps_do_command(struct smtp_server *ss, const char *l, size_t len)
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
		smtps_close_with(ss, SMTPS_END_ERROR,
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
	smtps_reply(ss, "500 5.5.2 Error: command not recognized");
	ss->nbad++;
counted:
	if (ss->nbad >= SMTPS_BAD_MAX && ss->state == SMTPS_ST_CMD) {
		snprintf(ss->errmsg, sizeof(ss->errmsg), "%d bad commands",
		    SMTPS_BAD_MAX);
		smtps_close_with(ss, SMTPS_END_ERROR,
		    "421 4.7.0 too many errors, closing");
	}
}

/* feed_data - message content up to "CRLF.CRLF"; returns bytes used */
