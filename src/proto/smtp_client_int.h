/*
 * smtp_client_int.h - the transcript of the SMTP client machine
 * (smtp_client_transcript.c), as the machine in smtp_client.c uses it.
 */
#ifndef SMTPTLS_SMTP_CLIENT_INT_H
#define SMTPTLS_SMTP_CLIENT_INT_H

#include <stddef.h>

#include "smtp_client.h"

/* Set up an empty transcript, with room kept for the truncation marker. */
void smtpc_transcript_init(struct smtp_client *sc);
/* Append prefix and n escaped octets as one line. */
void smtpc_transcript_add(struct smtp_client *sc, const char *prefix,
    const char *s, size_t n);
/* Append a "* " trace line. */
void smtpc_transcript_trace(struct smtp_client *sc, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* The reply parser's line callback: each server line, arg the client. */
void smtpc_transcript_line(void *arg, const char *line, size_t len);

#endif
