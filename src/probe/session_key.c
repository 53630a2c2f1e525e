/*
 * session_key.c - the sharing identity of a session (session_key.h): the
 * fields that shape the dialogue and the handshake, one per line, then the
 * TLSA records sorted so that the set, not its order, counts.
 */
#include "session_key.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

#include "banned.h"

/* tlsa_text - one record as "usage selector mtype hex" (malloc'd) */
static char *
tlsa_text(const struct dns_tlsa *t)
{
	size_t len = 16 + 2 * t->len;
	char *s = malloc(len), *p;

	if (s == NULL)
		return NULL;
	p = s + snprintf(s, len, "%u %u %u ", (unsigned)t->usage,
	            (unsigned)t->selector, (unsigned)t->mtype);
	for (size_t i = 0; i < t->len; i++, p += 2)
		snprintf(p, 3, "%02x", t->data[i]);
	*p = '\0';
	return s;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* key_tlsa - the records of in, sorted, one line each */
static enum st_err
key_tlsa(const struct session_key_in *in, struct buf *b)
{
	char **v = calloc(in->ntlsa + 1, sizeof(*v));
	enum st_err err = ST_ERR_NOMEM;
	size_t i;

	if (v == NULL)
		return ST_ERR_NOMEM;
	for (i = 0; i < in->ntlsa; i++)
		if ((v[i] = tlsa_text(&in->tlsa[i])) == NULL)
			goto out;
	qsort(v, in->ntlsa, sizeof(*v), cmp_str);
	err = ST_OK;
	for (i = 0; i < in->ntlsa && err == ST_OK; i++)
		err = buf_printf(b, "tlsa %s\n", v[i]);
out:
	for (i = 0; i < in->ntlsa; i++)
		free(v[i]);
	free(v);
	return err;
}

enum st_err
session_key_make(const struct session_key_in *in, char **out)
{
	struct buf b;
	enum st_err err;

	*out = NULL;
	buf_init(&b, SESSION_KEY_MAX);
	/* "-" stands for an absent string: no value can be empty and
	 * present at once (an empty SNI is never sent). */
	err = buf_printf(&b, "%s\n%u\n%s\n%s\n%s\n<%s>\n",
	    in->address ? in->address : "-", (unsigned)in->port,
	    in->sni ? in->sni : "-", in->starttls ? "starttls" : "plain",
	    in->ehlo ? in->ehlo : "-", in->mail_from ? in->mail_from : "");
	if (err == ST_OK)
		err = key_tlsa(in, &b);
	if (err == ST_OK && (*out = buf_take(&b)) == NULL)
		err = ST_ERR_NOMEM;
	buf_release(&b);
	return err;
}
