/*
 * check.c - the catalogue of check ids (checks.md Appendix D) and the list
 * of results. Only data handling: no check logic lives here.
 */
#include "smtptls/check.h"

#include <assert.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_data.h"

#include "banned.h"

struct catalogue_entry {
	const char *id;
	const char *severity;
};

/* In the order of checks.md Appendix D, which is also report order.
 * Indexed by the enum, so an entry cannot drift from its name; test_check
 * checks that every entry is filled and every name is distinct. */
static const struct catalogue_entry catalogue[] = {
	[CK_NONE] = { NULL, NULL },
	[CK_DNS_RESOLVER_DNSSEC] = { "dns.resolver.dnssec", "high" },
	[CK_DNS_MX_LOOKUP] = { "dns.mx.lookup", "critical" },
	[CK_DNS_MX_DNSSEC] = { "dns.mx.dnssec", "medium" },
	[CK_DNS_MX_NULL] = { "dns.mx.null", "critical" },
	[CK_DNS_MX_TARGET_SYNTAX] = { "dns.mx.target.syntax", "critical" },
	[CK_DNS_MX_TARGET_CNAME] = { "dns.mx.target.cname", "low" },
	[CK_DNS_MX_TARGET_RESOLVES] = { "dns.mx.target.resolves", "critical" },
	[CK_DNS_MX_ADDR_DNSSEC] = { "dns.mx.addr.dnssec", "medium" },
	[CK_DNS_MX_ADDR_ROUTABLE] = { "dns.mx.addr.routable", "high" },
	[CK_SMTP_CONNECT] = { "smtp.connect", "critical" },
	[CK_SMTP_BANNER] = { "smtp.banner", "critical" },
	[CK_SMTP_EHLO] = { "smtp.ehlo", "high" },
	[CK_SMTP_STARTTLS_OFFERED] = { "smtp.starttls.offered", "high" },
	[CK_SMTP_STARTTLS_RESPONSE] = { "smtp.starttls.response", "high" },
	[CK_SMTP_EHLO_AFTER_TLS] = { "smtp.ehlo.after_tls", "high" },
	[CK_SMTP_STARTTLS_READVERTISED] = { "smtp.starttls.readvertised",
	    "low" },
	[CK_SMTP_REQUIRETLS] = { "smtp.requiretls", "info" },
	[CK_TLS_HANDSHAKE] = { "tls.handshake", "high" },
	[CK_TLS_VERSION] = { "tls.version", "high" },
	[CK_TLS_CIPHER] = { "tls.cipher", "medium" },
	[CK_TLS_KEX] = { "tls.kex", "medium" },
	[CK_TLS_SIGALG] = { "tls.sigalg", "low" },
	[CK_CERT_CHAIN_TRUSTED] = { "cert.chain.trusted", "high" },
	[CK_CERT_CHAIN_COMPLETE] = { "cert.chain.complete", "medium" },
	[CK_CERT_EXPIRY] = { "cert.expiry", "high" },
	[CK_CERT_NAME_MATCH] = { "cert.name.match", "high" },
	[CK_CERT_NAME_NEXTHOP] = { "cert.name.nexthop", "low" },
	[CK_CERT_KEY] = { "cert.key", "medium" },
	[CK_CERT_SIGNATURE] = { "cert.signature", "medium" },
	[CK_CERT_OCSP] = { "cert.ocsp", "low" },
	[CK_CERT_CONSISTENCY] = { "cert.consistency", "medium" },
	[CK_DANE_TLSA_LOOKUP] = { "dane.tlsa.lookup", "critical" },
	[CK_DANE_TLSA_USABLE] = { "dane.tlsa.usable", "high" },
	[CK_DANE_TLSA_PARAMS] = { "dane.tlsa.params", "low" },
	[CK_DANE_TLSA_MATCH] = { "dane.tlsa.match", "critical" },
	[CK_DANE_TA_PRESENTED] = { "dane.ta.presented", "medium" },
	[CK_DANE_ROLLOVER] = { "dane.rollover", "low" },
	[CK_DANE_MX_CONSISTENCY] = { "dane.mx.consistency", "low" },
	[CK_MTASTS_TXT] = { "mtasts.txt", "high" },
	[CK_MTASTS_POLICY_FETCH] = { "mtasts.policy.fetch", "high" },
	[CK_MTASTS_POLICY_CERT] = { "mtasts.policy.cert", "high" },
	[CK_MTASTS_POLICY_SYNTAX] = { "mtasts.policy.syntax", "high" },
	[CK_MTASTS_POLICY_MODE] = { "mtasts.policy.mode", "info" },
	[CK_MTASTS_POLICY_MAX_AGE] = { "mtasts.policy.max_age", "low" },
	[CK_MTASTS_MX_MATCH] = { "mtasts.mx.match", "critical" },
	[CK_MTASTS_MX_CERT] = { "mtasts.mx.cert", "critical" },
	[CK_TLSRPT_RECORD] = { "tlsrpt.record", "medium" },
	[CK_TLSRPT_RUA] = { "tlsrpt.rua", "medium" },
	[CK_TLSRPT_RECOMMENDED] = { "tlsrpt.recommended", "low" },
	[CK_RCPT_MAIL_FROM] = { "rcpt.mail_from", "high" },
	[CK_RCPT_ACCEPTED] = { "rcpt.accepted", "high" },
	[CK_RCPT_CATCHALL] = { "rcpt.catchall", "info" },
	[CK_RCPT_CLEARTEXT] = { "rcpt.cleartext", "low" },
	[CK_SMTP_STARTTLS_INJECTION] = { "smtp.starttls.injection", "high" },
	[CK_TLS_VERSION_MIN] = { "tls.version.min", "medium" },
	[CK_TLS_VERSION_TLS12] = { "tls.version.tls12", "medium" },
	[CK_TLS_CIPHERS_WEAK] = { "tls.ciphers.weak", "medium" },
	[CK_TLS_CIPHERS_ORDER] = { "tls.ciphers.order", "low" },
	[CK_TLS_GROUPS] = { "tls.groups", "low" },
	[CK_TLS_RENEGOTIATION_SECURE] = { "tls.renegotiation.secure",
	    "medium" },
	[CK_TLS_RENEGOTIATION_CLIENT] = { "tls.renegotiation.client", "low" },
	[CK_TLS_COMPRESSION] = { "tls.compression", "high" },
	[CK_TLS_EMS] = { "tls.ems", "low" },
	[CK_TLS_SNI] = { "tls.sni", "high" },
	[CK_CERT_ALTERNATES] = { "cert.alternates", "high" },
	[CK_POLICY_OPPORTUNISTIC] = { "policy.opportunistic", "critical" },
	[CK_POLICY_ENCRYPT] = { "policy.encrypt", "critical" },
	[CK_POLICY_VERIFY] = { "policy.verify", "critical" },
	[CK_POLICY_DANE] = { "policy.dane", "critical" },
	[CK_POLICY_MTASTS] = { "policy.mtasts", "critical" },
	[CK_POLICY_SECURE] = { "policy.secure", "critical" },
	[CK_SENDER_STARTTLS_USED] = { "sender.starttls.used", "high" },
	[CK_SENDER_EHLO_AFTER_TLS] = { "sender.ehlo.after_tls", "low" },
	[CK_SENDER_TLS_VERSION] = { "sender.tls.version", "high" },
	[CK_SENDER_TLS_CIPHER] = { "sender.tls.cipher", "medium" },
	[CK_SENDER_TLS_CLIENT_HELLO] = { "sender.tls.client_hello", "low" },
	[CK_SENDER_SNI] = { "sender.sni", "medium" },
	[CK_SENDER_CLIENT_CERT] = { "sender.client_cert", "info" },
	[CK_SENDER_CERT_ENFORCED] = { "sender.cert.enforced", "high" },
	[CK_SENDER_FALLBACK_CLEARTEXT] = { "sender.fallback.cleartext",
	    "medium" },
};
static_assert(sizeof(catalogue) / sizeof(catalogue[0]) == CK__COUNT,
    "one catalogue entry per enum check_id");

static const char *const status_names[CHECK__COUNT] = {
	[CHECK_NONE] = "error", /* reported only by a bug: say so */
	[CHECK_PASS] = "pass",
	[CHECK_WARN] = "warn",
	[CHECK_FAIL] = "fail",
	[CHECK_INFO] = "info",
	[CHECK_SKIP] = "skip",
	[CHECK_ERROR] = "error",
};

const char *
check_status_name(enum check_status s)
{
	if ((int)s < 0 || s >= CHECK__COUNT)
		return "error";
	return status_names[s];
}

const char *
check_id_name(enum check_id id)
{
	if ((int)id <= CK_NONE || id >= CK__COUNT)
		return "unknown";
	return catalogue[id].id;
}

bool
check_id_parse(const char *name, enum check_id *id)
{
	for (int i = CK_NONE + 1; i < CK__COUNT; i++)
		if (strcmp(catalogue[i].id, name) == 0) {
			*id = (enum check_id)i;
			return true;
		}
	return false;
}

const char *
check_severity(enum check_id id)
{
	if ((int)id <= CK_NONE || id >= CK__COUNT)
		return NULL;
	return catalogue[id].severity;
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
	check_data_free(r->data);
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

/* list_room - room for one more result, or the list's error is set */
static bool
list_room(struct check_list *l)
{
	size_t cap;
	struct check_result *v;

	if (l->n < l->cap)
		return true;
	cap = l->cap ? l->cap * 2 : 64;
	if ((v = realloc(l->v, cap * sizeof(*v))) == NULL) {
		check_list_set_error(l, ST_ERR_NOMEM);
		return false;
	}
	l->v = v;
	l->cap = cap;
	return true;
}

struct check_result *
check_add(struct check_list *l, enum check_id id, enum check_status st,
    const char *domain, const char *mx, const char *address,
    unsigned subject_order, struct check_data *data, const char *fmt, ...)
{
	struct check_result *r;
	va_list ap;
	bool fail = false;
	int n;

	/* An unset id or status would be reported as a real finding. */
	if (id <= CK_NONE || id >= CK__COUNT || st <= CHECK_NONE ||
	    st >= CHECK__COUNT) {
		check_data_free(data);
		check_list_set_error(l, ST_ERR_INVAL);
		return NULL;
	}
	if (!list_room(l)) {
		check_data_free(data);
		return NULL;
	}
	r = &l->v[l->n];
	memset(r, 0, sizeof(*r));
	r->id = id;
	r->status = st;
	r->order = (unsigned)id;
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

struct check_data *
check_data_new(struct check_list *l, enum cd_kind k)
{
	struct check_data *d = calloc(1, sizeof(*d));

	if (d == NULL) {
		check_list_set_error(l, ST_ERR_NOMEM);
		return NULL;
	}
	d->kind = k;
	return d;
}

struct check_data *
check_data_reply(struct check_list *l, enum cd_kind k,
    const struct smtp_reply *rep)
{
	struct check_data *d = check_data_new(l, k);

	if (d != NULL)
		d->u.reply.rep = rep;
	return d;
}

void
check_data_free(struct check_data *d)
{
	/* Only own is: the rest are borrowed pointers and arrays. */
	if (d != NULL)
		free(d->own);
	free(d);
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
			if (fnmatch(patterns[j], check_id_name(l->v[i].id),
			        0) == 0)
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
check_find(const struct check_list *l, enum check_id id, const char *mx,
    const char *address)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (l->v[i].id == id && same(l->v[i].mx, mx) &&
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
