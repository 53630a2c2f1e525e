/*
 * smtp_server_reply.c - the reply queue and state changes of the
 * listener's SMTP server machine (smtp_server.h), shared by the line
 * assembly (smtp_server.c) and the commands (smtp_server_cmd.c).
 */
#include "smtp_server.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "smtp_server_int.h"

#include "banned.h"

/* smtps_set_state - the one place states change */
void
smtps_set_state(struct smtp_server *ss, enum smtps_state st)
{
	ss->state = st;
}

/* smtps_reply - queue one reply line; a full queue ends the session */
void
smtps_reply(struct smtp_server *ss, const char *fmt, ...)
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
		smtps_set_state(ss, SMTPS_ST_CLOSING);
	}
}

/* smtps_close_with - queue a last reply and end the session */
void
smtps_close_with(struct smtp_server *ss, enum smtps_end end, const char *text)
{
	smtps_reply(ss, "%s", text);
	if (ss->end == SMTPS_END_NONE)
		ss->end = end;
	smtps_set_state(ss, SMTPS_ST_CLOSING);
}

/* smtps_data_reply - queue the reply to DATA/BDAT or end of data, keep a copy
 */
void
smtps_data_reply(struct smtp_server *ss, int code, const char *text)
{
	ss->data_code = code;
	snprintf(ss->data_reply, sizeof(ss->data_reply), "%d %s", code, text);
	smtps_reply(ss, "%s", ss->data_reply);
}
