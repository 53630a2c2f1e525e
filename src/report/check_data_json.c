/*
 * check_data_json.c - renders the typed data of check results as the
 * "data" members of report.md 6: the one place that turns what a check
 * measured into JSON. Member order follows the schema's examples, and
 * must stay as it is (testdata/golden/).
 */
#include "check_data_json.h"

#include <stdio.h>
#include <string.h>

#include "check_data.h"
#include "clock.h"
#include "text.h"

#include "banned.h"

cJSON *
report_json_cname_chain(const struct dns_answer *a)
{
	cJSON *arr = cJSON_CreateArray();

	for (size_t i = 0; i < a->ncname; i++) {
		cJSON *o = cJSON_CreateObject();

		cJSON_AddStringToObject(o, "from", a->cname[i].from);
		cJSON_AddStringToObject(o, "to", a->cname[i].to);
		cJSON_AddStringToObject(o, "dnssec",
		    dns_dnssec_name(a->cname[i].dnssec));
		cJSON_AddItemToArray(arr, o);
	}
	return arr;
}

/* str_or_null - a string member, null for NULL */
static void
str_or_null(cJSON *o, const char *key, const char *s)
{
	if (s != NULL)
		cJSON_AddStringToObject(o, key, s);
	else
		cJSON_AddNullToObject(o, key);
}

static cJSON *
strings(char *const *v, size_t n)
{
	cJSON *a = cJSON_CreateArray();

	for (size_t i = 0; i < n; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(v[i]));
	return a;
}

static void
dns_data(cJSON *d, const struct check_data *cd)
{
	switch (cd->kind) {
	case CD_DNS_RESOLVER:
		cJSON_AddStringToObject(d, "source",
		    cd->u.resolver.local ? "local" : "resolver-ad");
		cJSON_AddStringToObject(d, "resolver", cd->u.resolver.resolver);
		cJSON_AddStringToObject(d, "state",
		    dns_validation_name(cd->u.resolver.state));
		break;
	case CD_DNS_MX_LOOKUP:
		str_or_null(d, "rcode", cd->u.mx_lookup.rcode);
		cJSON_AddStringToObject(d, "dnssec",
		    dns_dnssec_name(cd->u.mx_lookup.dnssec));
		cJSON_AddNumberToObject(d, "count",
		    (double)cd->u.mx_lookup.count);
		cJSON_AddBoolToObject(d, "implicit", cd->u.mx_lookup.implicit);
		cJSON_AddItemToObject(d, "cname_chain",
		    report_json_cname_chain(cd->u.mx_lookup.chain));
		break;
	case CD_DNS_EXCHANGE:
		cJSON_AddStringToObject(d, "exchange", cd->u.exchange);
		break;
	case CD_DNS_ADDRS:
		cJSON_AddItemToObject(d, "a",
		    strings(cd->u.addrs.a, cd->u.addrs.na));
		cJSON_AddItemToObject(d, "aaaa",
		    strings(cd->u.addrs.aaaa, cd->u.addrs.naaaa));
		break;
	default:
		break;
	}
}

static void
tlsrpt_uris(cJSON *d, const struct check_data *cd)
{
	const struct cd_tlsrpt_uris *u = &cd->u.uris;
	cJSON *a = cJSON_AddArrayToObject(d, "uris");
	char esc[600];

	for (size_t i = 0; i < u->n; i++) {
		cJSON *o = cJSON_CreateObject();

		text_escape(u->v[i].uri, u->v[i].uri_len, esc, sizeof(esc));
		cJSON_AddStringToObject(o, "uri", esc);
		cJSON_AddStringToObject(o, "scheme", u->v[i].scheme);
		cJSON_AddBoolToObject(o, "valid", u->v[i].valid);
		cJSON_AddItemToArray(a, o);
	}
}

static cJSON *
keywords(const struct smtp_reply *rep)
{
	cJSON *a = cJSON_CreateArray();
	char kw[300];

	for (size_t i = 1; i < rep->nlines; i++) {
		text_escape(rep->lines[i], strlen(rep->lines[i]), kw,
		    sizeof(kw));
		cJSON_AddItemToArray(a, cJSON_CreateString(kw));
	}
	return a;
}

/* reply_code - "code" and "enhanced" of a reply, "code": null for none */
static void
reply_code(cJSON *d, const struct smtp_reply *rep)
{
	char enh[16];

	if (rep == NULL) {
		cJSON_AddNullToObject(d, "code");
		return;
	}
	cJSON_AddNumberToObject(d, "code", rep->code);
	smtp_reply_enhanced(rep, enh, sizeof(enh));
	str_or_null(d, "enhanced", enh[0] ? enh : NULL);
}

static void
smtp_data(cJSON *d, const struct check_data *cd)
{
	const struct cd_smtp_reply *r = &cd->u.reply;

	if (cd->kind == CD_SMTP_CONNECT) {
		if (cd->u.connect.connected)
			cJSON_AddNumberToObject(d, "ms",
			    (double)cd->u.connect.ms);
		else
			cJSON_AddNullToObject(d, "ms");
		str_or_null(d, "error", cd->u.connect.error);
		return;
	}
	if (cd->kind == CD_SMTP_REQUIRETLS) {
		cJSON_AddBoolToObject(d, "pre_tls", cd->u.requiretls.pre_tls);
		cJSON_AddBoolToObject(d, "post_tls", cd->u.requiretls.post_tls);
		return;
	}
	if (cd->kind == CD_SMTP_KEYWORDS) {
		cJSON_AddItemToObject(d, "keywords", keywords(r->rep));
		return;
	}
	reply_code(d, r->rep);
	if (r->rep == NULL)
		return;
	if (cd->kind == CD_SMTP_BANNER) {
		cJSON_AddStringToObject(d, "host", r->host);
		cJSON_AddNumberToObject(d, "lines", (double)r->rep->nlines);
		cJSON_AddNumberToObject(d, "ms", (double)r->ms);
	} else if (cd->kind == CD_SMTP_EHLO) {
		cJSON_AddStringToObject(d, "verb", r->helo ? "HELO" : "EHLO");
		cJSON_AddStringToObject(d, "host", r->host);
		cJSON_AddItemToObject(d, "keywords",
		    r->helo ? cJSON_CreateArray() : keywords(r->rep));
	} else if (cd->kind == CD_SMTP_STARTTLS)
		cJSON_AddStringToObject(d, "text", r->text);
}

static void
tls_data(cJSON *d, const struct check_data *cd)
{
	enum cd_kind k = cd->kind;
	const struct tls_facts *t = cd->u.tls.t;
	const struct tls_cipher_info *c = &t->cipher;

	if (k == CD_TLS_VERSION)
		cJSON_AddStringToObject(d, "version", t->version);
	else if (k == CD_TLS_CIPHER) {
		cJSON_AddStringToObject(d, "cipher", c->iana);
		cJSON_AddStringToObject(d, "class", tls_class_name(c->cls));
		cJSON_AddNumberToObject(d, "bits", c->bits);
		cJSON_AddBoolToObject(d, "aead", c->aead);
	} else if (k == CD_TLS_KEX) {
		str_or_null(d, "group", t->group[0] ? t->group : NULL);
		if (t->kex_bits >= 0)
			cJSON_AddNumberToObject(d, "bits", t->kex_bits);
		else
			cJSON_AddNullToObject(d, "bits");
		cJSON_AddBoolToObject(d, "forward_secrecy", c->forward_secrecy);
	} else if (k == CD_TLS_SIGALG)
		str_or_null(d, "sigalg", t->sigalg[0] ? t->sigalg : NULL);
	else if (k == CD_TLS_HANDSHAKE) {
		str_or_null(d, "alert", t->alert[0] ? t->alert : NULL);
		cJSON_AddNumberToObject(d, "ms", (double)cd->u.tls.ms);
	}
}

static void
cert_complete(cJSON *d, const struct cert_chain_result *c)
{
	cJSON *iss;

	cJSON_AddNumberToObject(d, "presented", (double)c->ncerts);
	iss = cJSON_AddArrayToObject(d, "issues");
	if (c->issues & CERT_ISSUE_MISSING_INTERMEDIATE)
		cJSON_AddItemToArray(iss,
		    cJSON_CreateString("missing-intermediate"));
	if (c->issues & CERT_ISSUE_ORDER)
		cJSON_AddItemToArray(iss, cJSON_CreateString("order"));
	if (c->issues & CERT_ISSUE_DUPLICATE)
		cJSON_AddItemToArray(iss, cJSON_CreateString("duplicate"));
	if (c->issues & CERT_ISSUE_UNRELATED)
		cJSON_AddItemToArray(iss, cJSON_CreateString("unrelated"));
}

static void
cert_names(cJSON *d, const struct cert_chain_result *c,
    const struct cert_name_result *n)
{
	cJSON *a = cJSON_AddArrayToObject(d, "names");

	if (c->ncerts)
		for (size_t i = 0; i < c->certs[0].ndns; i++)
			cJSON_AddItemToArray(a,
			    cJSON_CreateString(c->certs[0].dns_names[i]));
	str_or_null(d, "matched", n->matched);
	cJSON_AddStringToObject(d, "via",
	    n->via == CERT_NAME_SAN  ? "san"
	    : n->via == CERT_NAME_CN ? "cn"
	                             : "none");
}

static void
cert_data(cJSON *d, const struct check_data *cd)
{
	const struct cert_chain_result *c = &cd->u.tls.t->chain;
	char nb[32], na[32];

	if (cd->kind == CD_CERT_VERIFY) {
		/* The validation without time checks (checks.md 5). */
		cJSON_AddNumberToObject(d, "verify_code", c->path_verify_code);
		cJSON_AddStringToObject(d, "verify_error",
		    c->path_verify_error);
		cJSON_AddNumberToObject(d, "depth", c->path_verify_depth);
	} else if (cd->kind == CD_CERT_COMPLETE)
		cert_complete(d, c);
	else if (cd->kind == CD_CERT_EXPIRY) {
		clock_rfc3339(c->ncerts ? c->certs[0].not_before : 0, nb,
		    sizeof(nb));
		clock_rfc3339(c->ncerts ? c->certs[0].not_after : 0, na,
		    sizeof(na));
		cJSON_AddStringToObject(d, "not_before", nb);
		cJSON_AddStringToObject(d, "not_after", na);
		cJSON_AddNumberToObject(d, "days_left", (double)c->days_left);
	} else if (cd->kind == CD_CERT_NAMES)
		cert_names(d, c, cd->u.tls.name);
	else if (cd->kind == CD_CERT_KEY) {
		cJSON_AddStringToObject(d, "type", c->certs[0].key_type);
		cJSON_AddNumberToObject(d, "bits", c->certs[0].key_bits);
	} else if (cd->kind == CD_CERT_SIGNATURE)
		cJSON_AddStringToObject(d, "sig_alg", c->certs[0].sig_alg);
}

cJSON *
report_json_dane_unmatched(const struct dane_unmatched *u)
{
	cJSON *arr = cJSON_CreateArray();
	char rec[16];

	for (size_t i = 0; i < u->n; i++) {
		snprintf(rec, sizeof(rec), "%u %u %u", (unsigned)u->v[i].usage,
		    (unsigned)u->v[i].selector, (unsigned)u->v[i].mtype);
		cJSON_AddItemToArray(arr, cJSON_CreateString(rec));
	}
	return arr;
}

static void
dane_data(cJSON *d, const struct check_data *cd)
{
	const struct dns_answer *a = cd->u.dane_lookup.a;
	const struct tls_facts *t = cd->u.dane_match.t;
	cJSON *m;

	if (cd->kind == CD_DANE_LOOKUP) {
		cJSON_AddStringToObject(d, "qname", a->name ? a->name : "");
		cJSON_AddStringToObject(d, "base_domain",
		    cd->u.dane_lookup.base);
		str_or_null(d, "rcode", dns_rcode_name(a->rcode));
		cJSON_AddStringToObject(d, "dnssec",
		    dns_dnssec_name(a->dnssec));
		cJSON_AddNumberToObject(d, "records", (double)a->ntlsa);
		return;
	}
	cJSON_AddItemToObject(d, "unmatched",
	    report_json_dane_unmatched(&cd->u.dane_match.unmatched));
	if (t->dane_verified) {
		m = cJSON_AddObjectToObject(d, "matched");
		cJSON_AddNumberToObject(m, "usage", t->dane_usage);
		cJSON_AddNumberToObject(m, "selector", t->dane_selector);
		cJSON_AddNumberToObject(m, "mtype", t->dane_mtype);
		cJSON_AddNumberToObject(m, "depth", t->dane_depth);
		cJSON_AddNullToObject(d, "reason");
	} else {
		cJSON_AddNullToObject(d, "matched");
		cJSON_AddStringToObject(d, "reason", "no-match");
	}
}

static void
sts_txt(cJSON *d, const struct check_data *cd)
{
	const struct cd_mtasts_txt *x = &cd->u.sts_txt;
	cJSON *a = cJSON_AddArrayToObject(d, "records");
	char rec[400];

	for (size_t i = 0; i < x->txt->ntext; i++) {
		text_escape(x->txt->text[i], strlen(x->txt->text[i]), rec,
		    sizeof(rec));
		cJSON_AddItemToArray(a, cJSON_CreateString(rec));
	}
	str_or_null(d, "id", x->id);
}

static void
sts_fetch(cJSON *d, const struct check_data *cd)
{
	const struct cd_mtasts_fetch *x = &cd->u.fetch;
	const struct mtasts_fetch_result *f = x->f;
	char esc[600];

	cJSON_AddStringToObject(d, "url", f->url ? f->url : "");
	if (f->http_status)
		cJSON_AddNumberToObject(d, "http_status", f->http_status);
	else
		cJSON_AddNullToObject(d, "http_status");
	if (f->has_content_type) {
		text_escape(f->content_type, f->content_type_len, esc,
		    sizeof(esc));
		cJSON_AddStringToObject(d, "content_type", esc);
	} else
		cJSON_AddNullToObject(d, "content_type");
	cJSON_AddNumberToObject(d, "bytes", (double)f->bytes);
	if (f->has_location) {
		text_escape(f->location, f->location_len, esc, sizeof(esc));
		cJSON_AddStringToObject(d, "location", esc);
	} else
		cJSON_AddNullToObject(d, "location");
	cJSON_AddNumberToObject(d, "ms", f->ms);
	if (x->reason)
		cJSON_AddStringToObject(d, "reason", x->reason);
}

static void
sts_policy(cJSON *d, const struct check_data *cd)
{
	const struct mtasts_policy *p = cd->u.policy;
	cJSON *a;

	if (cd->kind == CD_MTASTS_PATTERN) {
		str_or_null(d, "pattern", cd->u.pattern);
		return;
	}

	cJSON_AddStringToObject(d, "version", p->has_version ? "STSv1" : "");
	cJSON_AddStringToObject(d, "mode", mtasts_mode_name(p->mode));
	cJSON_AddNumberToObject(d, "max_age", (double)p->max_age);
	a = cJSON_AddArrayToObject(d, "mx");
	for (size_t i = 0; i < p->nmx; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(p->mx[i]));
	a = cJSON_AddArrayToObject(d, "unknown_keys");
	for (size_t i = 0; i < p->nunknown; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(p->unknown[i].key));
}

static void
scan_data(cJSON *d, const struct check_data *cd)
{
	const struct scan_facts *f = cd->u.scan;
	cJSON *o, *a, *s;

	if (cd->kind == CD_SCAN_VERSIONS) {
		o = cJSON_AddObjectToObject(d, "versions");
		for (int i = 0; i < SCAN_VER__COUNT; i++)
			cJSON_AddStringToObject(o, scan_ver_key(i),
			    scan_state_name(f->versions[i]));
		return;
	}
	o = cJSON_AddObjectToObject(d, "accepted");
	for (int v = SCAN_TLS1; v < SCAN_VER__COUNT; v++) {
		a = cJSON_AddArrayToObject(o, scan_ver_key(v));
		for (size_t i = 0; i < f->nsuites[v]; i++) {
			const struct scan_suite *x = &f->suites[v][i];

			s = cJSON_CreateObject();
			cJSON_AddStringToObject(s, "name", x->iana);
			cJSON_AddStringToObject(s, "class",
			    tls_class_name(x->cls));
			cJSON_AddBoolToObject(s, "anonymous", x->anonymous);
			cJSON_AddItemToArray(a, s);
		}
	}
}

static void
sender_data(cJSON *d, const struct check_data *cd)
{
	if (cd->kind == CD_SENDER_VERB) {
		cJSON_AddStringToObject(d, "verb", cd->u.sender.verb);
		return;
	}
	cJSON_AddStringToObject(d, "outcome", cd->u.sender.outcome);
	str_or_null(d, "alert",
	    cd->u.sender.alert[0] ? cd->u.sender.alert : NULL);
}

/* The renderer of each kind: one per family, which tells kinds apart. */
static void (*const render[CD__COUNT])(cJSON *, const struct check_data *) = {
	[CD_DNS_RESOLVER] = dns_data,
	[CD_DNS_MX_LOOKUP] = dns_data,
	[CD_DNS_EXCHANGE] = dns_data,
	[CD_DNS_ADDRS] = dns_data,
	[CD_TLSRPT_URIS] = tlsrpt_uris,
	[CD_SMTP_CONNECT] = smtp_data,
	[CD_SMTP_REPLY] = smtp_data,
	[CD_SMTP_BANNER] = smtp_data,
	[CD_SMTP_EHLO] = smtp_data,
	[CD_SMTP_STARTTLS] = smtp_data,
	[CD_SMTP_KEYWORDS] = smtp_data,
	[CD_SMTP_REQUIRETLS] = smtp_data,
	[CD_TLS_HANDSHAKE] = tls_data,
	[CD_TLS_VERSION] = tls_data,
	[CD_TLS_CIPHER] = tls_data,
	[CD_TLS_KEX] = tls_data,
	[CD_TLS_SIGALG] = tls_data,
	[CD_CERT_VERIFY] = cert_data,
	[CD_CERT_COMPLETE] = cert_data,
	[CD_CERT_EXPIRY] = cert_data,
	[CD_CERT_NAMES] = cert_data,
	[CD_CERT_KEY] = cert_data,
	[CD_CERT_SIGNATURE] = cert_data,
	[CD_DANE_LOOKUP] = dane_data,
	[CD_DANE_MATCH] = dane_data,
	[CD_MTASTS_TXT] = sts_txt,
	[CD_MTASTS_FETCH] = sts_fetch,
	[CD_MTASTS_POLICY] = sts_policy,
	[CD_MTASTS_PATTERN] = sts_policy,
	[CD_SCAN_VERSIONS] = scan_data,
	[CD_SCAN_CIPHERS] = scan_data,
	[CD_SENDER_VERB] = sender_data,
	[CD_SENDER_CERT] = sender_data,
};

cJSON *
check_data_json(const struct check_result *c)
{
	const struct check_data *cd = c->data;
	cJSON *d;

	/* A kind without a renderer is a bug: render nothing rather than
	 * an empty object that would read as data. */
	if (cd == NULL || (unsigned)cd->kind >= CD__COUNT ||
	    render[cd->kind] == NULL)
		return NULL;
	if ((d = cJSON_CreateObject()) != NULL)
		render[cd->kind](d, cd);
	return d;
}
