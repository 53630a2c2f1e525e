/*
 * check.c - the catalogue of check ids (checks.md Appendix D) and the list
 * of results. Only data handling: no check logic lives here.
 */
#include "smtptls/check.h"

#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "banned.h"

struct catalogue_entry {
	const char *id;
	const char *severity;
};

/* In the order of checks.md Appendix D, which is also report order. */
static const struct catalogue_entry catalogue[] = {
	{ "dns.resolver.dnssec", "high" },
	{ "dns.mx.lookup", "critical" },
	{ "dns.mx.dnssec", "medium" },
	{ "dns.mx.null", "critical" },
	{ "dns.mx.target.syntax", "critical" },
	{ "dns.mx.target.cname", "low" },
	{ "dns.mx.target.resolves", "critical" },
	{ "dns.mx.addr.dnssec", "medium" },
	{ "dns.mx.addr.routable", "high" },
	{ "smtp.connect", "critical" },
	{ "smtp.banner", "critical" },
	{ "smtp.ehlo", "high" },
	{ "smtp.starttls.offered", "high" },
	{ "smtp.starttls.response", "high" },
	{ "smtp.ehlo.after_tls", "high" },
	{ "smtp.starttls.readvertised", "low" },
	{ "smtp.requiretls", "info" },
	{ "tls.handshake", "high" },
	{ "tls.version", "high" },
	{ "tls.cipher", "medium" },
	{ "tls.kex", "medium" },
	{ "tls.sigalg", "low" },
	{ "cert.chain.trusted", "high" },
	{ "cert.chain.complete", "medium" },
	{ "cert.expiry", "high" },
	{ "cert.name.match", "high" },
	{ "cert.name.nexthop", "low" },
	{ "cert.key", "medium" },
	{ "cert.signature", "medium" },
	{ "cert.ocsp", "low" },
	{ "cert.consistency", "medium" },
	{ "dane.tlsa.lookup", "critical" },
	{ "dane.tlsa.usable", "high" },
	{ "dane.tlsa.params", "low" },
	{ "dane.tlsa.match", "critical" },
	{ "dane.ta.presented", "medium" },
	{ "dane.rollover", "low" },
	{ "dane.mx.consistency", "low" },
	{ "mtasts.txt", "high" },
	{ "mtasts.policy.fetch", "high" },
	{ "mtasts.policy.cert", "high" },
	{ "mtasts.policy.syntax", "high" },
	{ "mtasts.policy.mode", "info" },
	{ "mtasts.policy.max_age", "low" },
	{ "mtasts.mx.match", "critical" },
	{ "mtasts.mx.cert", "critical" },
	{ "tlsrpt.record", "medium" },
	{ "tlsrpt.rua", "medium" },
	{ "tlsrpt.recommended", "low" },
	{ "rcpt.mail_from", "high" },
	{ "rcpt.accepted", "high" },
	{ "rcpt.catchall", "info" },
	{ "rcpt.cleartext", "low" },
	{ "smtp.starttls.injection", "high" },
	{ "tls.version.min", "medium" },
	{ "tls.version.tls12", "medium" },
	{ "tls.ciphers.weak", "medium" },
	{ "tls.ciphers.order", "low" },
	{ "tls.groups", "low" },
	{ "tls.renegotiation.secure", "medium" },
	{ "tls.renegotiation.client", "low" },
	{ "tls.compression", "high" },
	{ "tls.ems", "low" },
	{ "tls.sni", "high" },
	{ "cert.alternates", "high" },
	{ "policy.opportunistic", "critical" },
	{ "policy.encrypt", "critical" },
	{ "policy.verify", "critical" },
	{ "policy.dane", "critical" },
	{ "policy.mtasts", "critical" },
	{ "policy.secure", "critical" },
	{ "sender.starttls.used", "high" },
	{ "sender.ehlo.after_tls", "low" },
	{ "sender.tls.version", "high" },
	{ "sender.tls.cipher", "medium" },
	{ "sender.tls.client_hello", "low" },
	{ "sender.sni", "medium" },
	{ "sender.client_cert", "info" },
	{ "sender.cert.enforced", "high" },
	{ "sender.fallback.cleartext", "medium" },
};

static const char *const status_names[CHECK__COUNT] = {
	"pass",
	"warn",
	"fail",
	"info",
	"skip",
	"error",
};

const char *
check_status_name(enum check_status s)
{
	if ((int)s < 0 || s >= CHECK__COUNT)
		return "error";
	return status_names[s];
}

int
check_index(const char *id)
{
	size_t i;

	for (i = 0; i < sizeof(catalogue) / sizeof(catalogue[0]); i++)
		if (strcmp(catalogue[i].id, id) == 0)
			return (int)i;
	return -1;
}

const char *
check_severity(const char *id)
{
	int i = check_index(id);

	return i < 0 ? NULL : catalogue[i].severity;
}

void
check_list_init(struct check_list *l)
{
	l->v = NULL;
	l->n = l->cap = 0;
	l->err = ST_OK;
}

enum st_err
check_list_error(const struct check_list *l)
{
	return l->err;
}

void
check_list_set_error(struct check_list *l, enum st_err err)
{
	/* The first error is the cause; later ones are its consequences. */
	if (l->err == ST_OK)
		l->err = err;
}

static void
check_result_release(struct check_result *r)
{
	free(r->domain);
	free(r->mx);
	free(r->address);
	free(r->mailbox);
	free(r->detail);
	cJSON_Delete(r->data);
}

void
check_list_release(struct check_list *l)
{
	size_t i;

	if (l == NULL)
		return;
	for (i = 0; i < l->n; i++)
		check_result_release(&l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
	l->err = ST_OK;
}

static char *
dup_or_null(const char *s, bool *fail)
{
	char *p;

	if (s == NULL)
		return NULL;
	if ((p = strdup(s)) == NULL)
		*fail = true;
	return p;
}

struct check_result *
check_add(struct check_list *l, const char *id, enum check_status st,
    const char *domain, const char *mx, const char *address,
    unsigned subject_order, struct cJSON *data, const char *fmt, ...)
{
	struct check_result *r;
	va_list ap;
	bool fail = false;
	int n;
	int idx = check_index(id);

	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		struct check_result *v = realloc(l->v, cap * sizeof(*v));

		if (v == NULL) {
			cJSON_Delete(data);
			check_list_set_error(l, ST_ERR_NOMEM);
			return NULL;
		}
		l->v = v;
		l->cap = cap;
	}
	r = &l->v[l->n];
	memset(r, 0, sizeof(*r));
	r->id = id;
	r->status = st;
	r->order = idx >= 0 ? (unsigned)idx : 9999;
	r->subject_order = subject_order;
	r->domain = dup_or_null(domain, &fail);
	r->mx = dup_or_null(mx, &fail);
	r->address = dup_or_null(address, &fail);
	r->data = data;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		/* Only a format the C library cannot render fails here:
		 * our bug, not a lack of memory. */
		check_result_release(r);
		check_list_set_error(l, ST_ERR_INTERNAL);
		return NULL;
	}
	if ((r->detail = malloc((size_t)n + 1)) != NULL) {
		va_start(ap, fmt);
		vsnprintf(r->detail, (size_t)n + 1, fmt, ap);
		va_end(ap);
	} else
		fail = true;
	if (fail) {
		check_result_release(r);
		check_list_set_error(l, ST_ERR_NOMEM);
		return NULL;
	}
	l->n++;
	return r;
}

static int
check_cmp(const void *a, const void *b)
{
	const struct check_result *x = a, *y = b;

	if (x->order != y->order)
		return x->order < y->order ? -1 : 1;
	if (x->subject_order != y->subject_order)
		return x->subject_order < y->subject_order ? -1 : 1;
	return 0;
}

void
check_list_sort(struct check_list *l)
{
	/* qsort is not stable; subject_order makes keys unique enough for
	 * the report, and equal keys are the same check and subject. */
	if (l->n > 1)
		qsort(l->v, l->n, sizeof(l->v[0]), check_cmp);
}

void
check_list_waive(struct check_list *l, const char *const *patterns,
    size_t npatterns)
{
	size_t i, j;

	for (i = 0; i < l->n; i++)
		for (j = 0; j < npatterns; j++)
			if (fnmatch(patterns[j], l->v[i].id, 0) == 0)
				l->v[i].waived = true;
}

static bool
same(const char *a, const char *b)
{
	if (b == NULL)
		return true;
	return a != NULL && strcmp(a, b) == 0;
}

const struct check_result *
check_find(const struct check_list *l, const char *id, const char *mx,
    const char *address)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i].id, id) == 0 && same(l->v[i].mx, mx) &&
		    same(l->v[i].address, address))
			return &l->v[i];
	return NULL;
}

void
check_list_count(const struct check_list *l, size_t *counts)
{
	size_t i;

	for (i = 0; i < CHECK__COUNT; i++)
		counts[i] = 0;
	for (i = 0; i < l->n; i++)
		counts[l->v[i].status]++;
}
