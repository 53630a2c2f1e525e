/*
 * smtp_server.c - the listener's SMTP server machine (see smtp_server.h).
 *
 * Owns the command line buffer, the reply queue and the recorded facts of
 * one session. It never touches a socket, a clock or OpenSSL; the driver
 * in listen_session.c moves the bytes. This file assembles lines, takes
 * DATA and queues replies; the commands are in smtp_server_cmd.c.
 */
#include "smtp_server.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "smtp_server_int.h"

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
	smtps_set_state(ss, SMTPS_ST_CMD);
	smtps_reply(ss, "220 %s ESMTP smtptls test listener",
	    ss->params.hostname);
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
			smtps_set_state(ss, SMTPS_ST_CMD);
			if (ss->data_bytes > SMTPS_DATA_MAX)
				smtps_data_reply(ss, 552,
				    "5.3.4 message too big");
			else
				smtps_data_reply(ss, 250,
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
		smtps_close_with(ss, SMTPS_END_ERROR,
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
		smtps_do_command(ss, ss->line.data, n);
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
		smtps_set_state(ss, SMTPS_ST_DONE);
		return SMTPS_EV_CLOSE;
	}
	/* RFC 3207 4.2: discard what the cleartext dialogue established. */
	ss->tls_active = true;
	ss->helo_seen = false;
	ss->in_tx = false;
	ss->tls_first_pending = true;
	smtps_set_state(ss, SMTPS_ST_CMD);
	return SMTPS_EV_NONE;
}

void
smtp_server_eof(struct smtp_server *ss)
{
	if (ss->end == SMTPS_END_NONE)
		ss->end = SMTPS_END_CLIENT_CLOSED;
	smtps_set_state(ss, SMTPS_ST_DONE);
}

enum smtps_event
smtp_server_timeout(struct smtp_server *ss, bool listener)
{
	enum smtps_end end =
	    listener ? SMTPS_END_LISTENER_CLOSED : SMTPS_END_TIMEOUT;

	if (ss->state == SMTPS_ST_DONE || ss->state == SMTPS_ST_CLOSING) {
		if (ss->end == SMTPS_END_NONE)
			ss->end = end;
		smtps_set_state(ss, SMTPS_ST_DONE);
		return SMTPS_EV_CLOSE;
	}
	if (ss->state == SMTPS_ST_TLS && ss->out.len == 0) {
		/* The 220 went out; the handshake is the driver's. */
		ss->end = end;
		smtps_set_state(ss, SMTPS_ST_DONE);
		return SMTPS_EV_CLOSE;
	}
	smtps_close_with(ss, end,
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
