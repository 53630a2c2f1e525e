/*
 * smtp_client_copy.c - a deep copy of an SMTP client machine's record: the
 * replies, the transcript and the parameters of a finished dialogue, so
 * that one session's facts can be judged for several domains (issue 14).
 * The copy owns everything it points to; its parser starts empty.
 */
#include "smtp_client.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

/* reply_copy - *dst (zeroed or released) becomes a copy of src */
static enum st_err
reply_copy(struct smtp_reply *dst, const struct smtp_reply *src)
{
	*dst = *src;
	dst->lines = NULL;
	dst->nlines = 0;
	if (src->nlines == 0)
		return ST_OK;
	if ((dst->lines = calloc(src->nlines, sizeof(*dst->lines))) == NULL)
		return ST_ERR_NOMEM;
	for (size_t i = 0; i < src->nlines; i++) {
		if ((dst->lines[i] = strdup(src->lines[i])) == NULL)
			return ST_ERR_NOMEM;
		dst->nlines = i + 1;
	}
	return ST_OK;
}

static enum st_err
param_copy(const char **dst, const char *src)
{
	*dst = NULL;
	if (src != NULL && (*dst = strdup(src)) == NULL)
		return ST_ERR_NOMEM;
	return ST_OK;
}

/* The replies a machine keeps, as offsets for the copy. */
static const size_t reply_off[] = {
	offsetof(struct smtp_client, banner),
	offsetof(struct smtp_client, ehlo),
	offsetof(struct smtp_client, helo),
	offsetof(struct smtp_client, starttls),
	offsetof(struct smtp_client, ehlo_tls),
	offsetof(struct smtp_client, mail),
	offsetof(struct smtp_client, rcpt),
	offsetof(struct smtp_client, rcpt2),
	offsetof(struct smtp_client, rset),
	offsetof(struct smtp_client, quit),
	offsetof(struct smtp_client, unsolicited),
};
#define NREPLIES (sizeof(reply_off) / sizeof(reply_off[0]))

static struct smtp_reply *
reply_at(struct smtp_client *sc, size_t i)
{
	return (struct smtp_reply *)((char *)sc + reply_off[i]);
}

static const struct smtp_reply *
reply_at_const(const struct smtp_client *sc, size_t i)
{
	return (const struct smtp_reply *)((const char *)sc + reply_off[i]);
}

/* client_clear_owned - forget every pointer the shallow copy took from
 * src, so that a failure part-way can release dst safely */
static void
client_clear_owned(struct smtp_client *dst, const struct smtp_client *src)
{
	memset(&dst->params, 0, sizeof(dst->params));
	dst->params.starttls = src->params.starttls;
	dst->params.hold_before_mail = src->params.hold_before_mail;
	smtp_reply_parser_init(&dst->parser);
	dst->parser.line_cb = src->parser.line_cb;
	dst->parser.line_cb_arg = dst;
	buf_init(&dst->out, src->out.max);
	buf_init(&dst->transcript, src->transcript.max);
	for (size_t i = 0; i < NREPLIES; i++) {
		reply_at(dst, i)->lines = NULL;
		reply_at(dst, i)->nlines = 0;
	}
}

enum st_err
smtp_client_copy(struct smtp_client *dst, const struct smtp_client *src)
{
	enum st_err err;

	*dst = *src;
	client_clear_owned(dst, src);
	if ((err = param_copy(&dst->params.ehlo_name, src->params.ehlo_name)) !=
	        ST_OK ||
	    (err = param_copy(&dst->params.mail_from, src->params.mail_from)) !=
	        ST_OK ||
	    (err = param_copy(&dst->params.rcpt, src->params.rcpt)) != ST_OK ||
	    (err = param_copy(&dst->params.rcpt2, src->params.rcpt2)) !=
	        ST_OK ||
	    (src->transcript.len > 0 &&
	        (err = buf_add(&dst->transcript, src->transcript.data,
	             src->transcript.len)) != ST_OK))
		goto fail;
	for (size_t i = 0; i < NREPLIES; i++)
		if ((err = reply_copy(reply_at(dst, i),
		         reply_at_const(src, i))) != ST_OK)
			goto fail;
	return ST_OK;
fail:
	smtp_client_release(dst);
	return err;
}
