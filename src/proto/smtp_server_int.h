/*
 * smtp_server_int.h - what the files of the SMTP server machine share:
 * the reply queue and state changes (smtp_server_reply.c) and the command
 * dispatch (smtp_server_cmd.c), both used by the line assembly in
 * smtp_server.c.
 */
#ifndef SMTPTLS_SMTP_SERVER_INT_H
#define SMTPTLS_SMTP_SERVER_INT_H

#include <stddef.h>

#include "smtp_server.h"

void smtps_set_state(struct smtp_server *ss, enum smtps_state st);
/* Queue one reply line; a full queue ends the session. */
void smtps_reply(struct smtp_server *ss, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Queue a last reply and end the session. */
void smtps_close_with(struct smtp_server *ss, enum smtps_end end,
    const char *text);
/* Queue the reply to DATA/BDAT or end of data, keep a copy. */
void smtps_data_reply(struct smtp_server *ss, int code, const char *text);
/* Handle one command line (without CRLF). */
void smtps_do_command(struct smtp_server *ss, const char *l, size_t len);

#endif
