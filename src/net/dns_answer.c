/*
 * dns_answer.c - the memory of a lookup object (struct dns_answer, dns.h):
 * its release, and the deep copy that a run's shared answers
 * (dns_cache.c) hand to each probe. Both here so that a field added to
 * the struct is freed and copied alike.
 */
#include "dns.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

void
dns_answer_release(struct dns_answer *ans)
{
	size_t i;

	if (ans == NULL)
		return;
	free(ans->name);
	for (i = 0; i < ans->ntext; i++)
		free(ans->text[i]);
	free(ans->text);
	for (i = 0; i < ans->ntext && ans->txt != NULL; i++)
		free(ans->txt[i]);
	free(ans->txt);
	free(ans->txt_len);
	for (i = 0; i < ans->nmx; i++)
		free(ans->mx[i].exchange);
	free(ans->mx);
	for (i = 0; i < ans->ntlsa; i++)
		free(ans->tlsa[i].data);
	free(ans->tlsa);
	for (i = 0; i < ans->ncname; i++) {
		free(ans->cname[i].from);
		free(ans->cname[i].to);
	}
	free(ans->cname);
	memset(ans, 0, sizeof(*ans));
	ans->rcode = -1;
	ans->ttl = -1;
}

static char *
dup_or_null(const char *s, bool *ok)
{
	char *d;

	if (s == NULL)
		return NULL;
	if ((d = strdup(s)) == NULL)
		*ok = false;
	return d;
}

static void *
dup_mem(const void *p, size_t len, bool *ok)
{
	void *d;

	if (p == NULL || len == 0)
		return NULL;
	if ((d = malloc(len)) == NULL) {
		*ok = false;
		return NULL;
	}
	memcpy(d, p, len);
	return d;
}

/* dup_strings - n strings, each copied; lens NULL: NUL-terminated, else
 * lens[i] octets and a NUL */
static char **
dup_strings(char *const *v, const size_t *lens, size_t n, bool *ok)
{
	char **d;

	if (v == NULL || n == 0 || (d = calloc(n, sizeof(*d))) == NULL) {
		*ok = *ok && (v == NULL || n == 0);
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		d[i] = lens != NULL ? dup_mem(v[i], lens[i] + 1, ok)
		                    : dup_or_null(v[i], ok);
	return d;
}

bool
dns_answer_copy(struct dns_answer *dst, const struct dns_answer *src)
{
	bool ok = true;

	*dst = *src;
	dst->name = dup_or_null(src->name, &ok);
	dst->text = dup_strings(src->text, NULL, src->ntext, &ok);
	dst->txt = src->txt == NULL
	               ? NULL
	               : dup_strings(src->txt, src->txt_len, src->ntext, &ok);
	dst->txt_len =
	    dup_mem(src->txt_len, src->ntext * sizeof(*src->txt_len), &ok);
	dst->mx = dup_mem(src->mx, src->nmx * sizeof(*src->mx), &ok);
	for (size_t i = 0; dst->mx != NULL && i < src->nmx; i++)
		dst->mx[i].exchange = dup_or_null(src->mx[i].exchange, &ok);
	dst->tlsa = dup_mem(src->tlsa, src->ntlsa * sizeof(*src->tlsa), &ok);
	for (size_t i = 0; dst->tlsa != NULL && i < src->ntlsa; i++)
		dst->tlsa[i].data =
		    dup_mem(src->tlsa[i].data, src->tlsa[i].len, &ok);
	dst->cname =
	    dup_mem(src->cname, src->ncname * sizeof(*src->cname), &ok);
	for (size_t i = 0; dst->cname != NULL && i < src->ncname; i++) {
		dst->cname[i].from = dup_or_null(src->cname[i].from, &ok);
		dst->cname[i].to = dup_or_null(src->cname[i].to, &ok);
	}
	/* The counts must match what was copied, for the release. */
	if (dst->text == NULL)
		dst->ntext = 0;
	if (dst->mx == NULL)
		dst->nmx = 0;
	if (dst->tlsa == NULL)
		dst->ntlsa = 0;
	if (dst->cname == NULL)
		dst->ncname = 0;
	return ok;
}
