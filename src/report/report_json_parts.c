/*
 * report_json_parts.c - the small JSON builders every part of the report
 * shares (report.md 5): optional strings and numbers, an SMTP reply, one
 * certificate. A leaf of the report layer: the address, scan and document
 * renderers call it; it calls none of them.
 */
#include "report_json.h"

#include <limits.h>
#include <string.h>

#include <openssl/ssl.h>

#include "buf.h"
#include "clock.h"
#include "text.h"

#include "banned.h"

void
report_json_str(cJSON *o, const char *key, const char *s)
{
	if (s == NULL || *s == '\0')
		cJSON_AddNullToObject(o, key);
	else
		cJSON_AddStringToObject(o, key, s);
}

void
report_json_num(cJSON *o, const char *key, long n)
{
	if (n < 0)
		cJSON_AddNullToObject(o, key);
	else
		cJSON_AddNumberToObject(o, key, (double)n);
}

cJSON *
report_json_reply(const struct smtp_reply *rep)
{
	cJSON *o, *lines;
	char enh[16], line[1100];

	if (rep->code == 0)
		return cJSON_CreateNull();
	o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "code", rep->code);
	smtp_reply_enhanced(rep, enh, sizeof(enh));
	report_json_str(o, "enhanced", enh);
	lines = cJSON_AddArrayToObject(o, "lines");
	for (size_t i = 0; i < rep->nlines; i++) {
		text_reply_line(rep, i, line, sizeof(line));
		cJSON_AddItemToArray(lines, cJSON_CreateString(line));
	}
	return o;
}

cJSON *
report_json_cert(const struct cert_summary *c, size_t depth, bool pem)
{
	cJSON *o = cJSON_CreateObject(), *a, *k;
	char t[32];

	cJSON_AddNumberToObject(o, "depth", (double)depth);
	cJSON_AddStringToObject(o, "subject", c->subject ? c->subject : "");
	cJSON_AddStringToObject(o, "issuer", c->issuer ? c->issuer : "");
	cJSON_AddStringToObject(o, "serial",
	    c->serial_hex ? c->serial_hex : "");
	clock_rfc3339(c->not_before, t, sizeof(t));
	cJSON_AddStringToObject(o, "not_before", t);
	clock_rfc3339(c->not_after, t, sizeof(t));
	cJSON_AddStringToObject(o, "not_after", t);
	a = cJSON_AddArrayToObject(o, "san_dns");
	for (size_t i = 0; i < c->ndns; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(c->dns_names[i]));
	cJSON_AddArrayToObject(o, "san_ip");
	k = cJSON_AddObjectToObject(o, "key");
	cJSON_AddStringToObject(k, "type", c->key_type);
	cJSON_AddNumberToObject(k, "bits", c->key_bits);
	/* report.md 5.5.1 names NIST curves P-256, P-384, P-521. */
	report_json_str(k, "curve",
	    strcmp(c->curve, "prime256v1") == 0  ? "P-256"
	    : strcmp(c->curve, "secp384r1") == 0 ? "P-384"
	    : strcmp(c->curve, "secp521r1") == 0 ? "P-521"
	                                         : c->curve);
	cJSON_AddStringToObject(o, "sig_alg", c->sig_alg);
	cJSON_AddBoolToObject(o, "ca", c->is_ca);
	cJSON_AddBoolToObject(o, "self_signed", c->self_issued);
	cJSON_AddStringToObject(o, "sha256", c->sha256_hex);
	cJSON_AddStringToObject(o, "spki_sha256", c->spki_sha256_hex);
	if (pem)
		cJSON_AddStringToObject(o, "pem", c->pem ? c->pem : "");
	return o;
}

/* section - add a part of the document; false, with the part freed, when
 * it or its key could not be stored */
bool
report_json_section(cJSON *doc, const char *key, cJSON *item)
{
	if (item != NULL && cJSON_AddItemToObject(doc, key, item))
		return true;
	cJSON_Delete(item);
	return false;
}

/* report_json_tls_version - OpenSSL's name of a protocol version (the
 * default for --min-tls is TLS 1.2) */
const char *
report_json_tls_version(int v)
{
	switch (v) {
	case TLS1_VERSION:
		return "TLSv1";
	case TLS1_1_VERSION:
		return "TLSv1.1";
	case TLS1_3_VERSION:
		return "TLSv1.3";
	default:
		return "TLSv1.2";
	}
}

/* The first room report_json_print makes when out has less: the document
 * of a probe of one MX host with its chain fits. */
#define REPORT_JSON_FIRST (32 * 1024)

enum st_err
report_json_print(const cJSON *doc, struct buf *out)
{
	size_t room = REPORT_JSON_FIRST;
	enum st_err err;

	if (out->cap > out->len + 1 && out->cap - out->len - 1 > room)
		room = out->cap - out->len - 1;
	/* cJSON_PrintPreallocated stops when the room is short (it wants a
	 * few bytes to spare): twice the room, and print again. */
	while ((err = buf_reserve(out, room)) == ST_OK) {
		size_t avail = out->cap - out->len;

		if (cJSON_PrintPreallocated((cJSON *)doc, out->data + out->len,
		        (int)(avail < INT_MAX ? avail : INT_MAX), false)) {
			out->len += strlen(out->data + out->len);
			break;
		}
		out->data[out->len] = '\0';
		room = avail * 2;
	}
	return err;
}
