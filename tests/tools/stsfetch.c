/*
 * stsfetch - drive src/mtasts_fetch.c from the command line for
 * integration tests.
 *
 *   stsfetch [--ca-file F] [--ca-path D] [--timeout S] DOMAIN ADDR...
 *
 * Fetches https://mta-sts.DOMAIN/.well-known/mta-sts.txt from ADDR (the
 * addresses of mta-sts.DOMAIN) and prints the policy object of report.md
 * 5.6 (without parsed and unused_patterns) as one line of JSON, plus
 * content_type_ok, connected_address, content_length and too_large. Peer
 * text is escaped as report.md 2 says. S is seconds (fractions allowed;
 * default 10).
 * Exit 0 when the fetch ended without error (error null), 1 when the
 * server failed (error set), 2 on bad usage or a tool error.
 */
#include "mtasts_fetch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "buf.h"
#include "clock.h"
#include "text.h"

#include "banned.h"

static void
usage(void)
{
	fprintf(stderr, "usage: stsfetch [--ca-file F] [--ca-path D]"
	                " [--timeout S] DOMAIN ADDR...\n");
}

/* add_text - peer text (p, len), escaped, or null when absent */
static void
add_text(cJSON *o, const char *key, bool has, const char *p, size_t len)
{
	size_t outlen;
	char *s;

	if (!has) {
		cJSON_AddNullToObject(o, key);
		return;
	}
	outlen = 3 * len + 8; /* U+FFFD is 3 octets; room for the cut mark */
	if ((s = malloc(outlen)) == NULL) {
		cJSON_AddNullToObject(o, key);
		return;
	}
	text_escape(p, len, s, outlen);
	cJSON_AddStringToObject(o, key, s);
	free(s);
}

/* add_body - the body as JSON text: ASCII kept (cJSON escapes CR, LF and
 * other controls), NUL and octets >= 0x80 shown as U+FFFD */
static void
add_body(cJSON *o, const struct mtasts_fetch_result *r)
{
	struct buf b;
	size_t i;
	unsigned char c;
	bool ok = true;

	if (r->body == NULL) {
		cJSON_AddNullToObject(o, "body");
		return;
	}
	buf_init(&b, 3 * r->bytes + 1);
	for (i = 0; ok && i < r->bytes; i++) {
		c = (unsigned char)r->body[i];
		ok = (c != 0 && c < 0x80 ? buf_add(&b, &r->body[i], 1) :
		    buf_addstr(&b, "\xef\xbf\xbd")) == ST_OK;
	}
	if (ok && b.data == NULL)
		ok = buf_addstr(&b, "") == ST_OK;
	if (ok)
		cJSON_AddStringToObject(o, "body", b.data);
	else
		cJSON_AddNullToObject(o, "body");
	buf_release(&b);
}

static cJSON *
tls_json(const struct mtasts_fetch_result *r)
{
	cJSON *t = cJSON_CreateObject();
	char na[32];

	if (r->tls_version[0] != '\0')
		cJSON_AddStringToObject(t, "version", r->tls_version);
	else
		cJSON_AddNullToObject(t, "version");
	if (r->tls_checked) {
		cJSON_AddBoolToObject(t, "trusted", r->trusted);
		cJSON_AddBoolToObject(t, "name_match", r->name_match);
		cJSON_AddNumberToObject(t, "verify_code", (double)r->verify_code);
		add_text(t, "verify_error", true, r->verify_error,
		    strlen(r->verify_error));
	} else {
		cJSON_AddNullToObject(t, "trusted");
		cJSON_AddNullToObject(t, "name_match");
		cJSON_AddNullToObject(t, "verify_code");
		cJSON_AddNullToObject(t, "verify_error");
	}
	if (r->leaf_known) {
		cJSON_AddStringToObject(t, "leaf_sha256", r->leaf_sha256);
		clock_rfc3339(r->not_after, na, sizeof(na));
		cJSON_AddStringToObject(t, "not_after", na);
	} else {
		cJSON_AddNullToObject(t, "leaf_sha256");
		cJSON_AddNullToObject(t, "not_after");
	}
	return t;
}

static cJSON *
policy_json(const struct mtasts_fetch_result *r)
{
	cJSON *o = cJSON_CreateObject(), *a, *e;
	size_t i;

	if (r->url != NULL)
		cJSON_AddStringToObject(o, "url", r->url);
	else
		cJSON_AddNullToObject(o, "url");
	a = cJSON_AddArrayToObject(o, "host_addresses");
	for (i = 0; i < r->nhost_addresses; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(r->host_addresses[i]));
	if (r->connected_addr[0] != '\0')
		cJSON_AddStringToObject(o, "connected_address", r->connected_addr);
	else
		cJSON_AddNullToObject(o, "connected_address");
	cJSON_AddBoolToObject(o, "fetched", r->fetched);
	cJSON_AddBoolToObject(o, "authenticated", r->authenticated);
	if (r->fetched)
		cJSON_AddNumberToObject(o, "http_status", (double)r->http_status);
	else
		cJSON_AddNullToObject(o, "http_status");
	add_text(o, "content_type", r->has_content_type, r->content_type,
	    r->content_type_len);
	cJSON_AddBoolToObject(o, "content_type_ok",
	    r->has_content_type && mtasts_fetch_content_type_ok(
	    r->content_type, r->content_type_len));
	add_text(o, "location", r->has_location, r->location, r->location_len);
	if (r->content_length >= 0)
		cJSON_AddNumberToObject(o, "content_length",
		    (double)r->content_length);
	else
		cJSON_AddNullToObject(o, "content_length");
	cJSON_AddNumberToObject(o, "bytes", (double)r->bytes);
	cJSON_AddBoolToObject(o, "too_large", r->too_large);
	cJSON_AddNumberToObject(o, "ms", r->ms);
	cJSON_AddItemToObject(o, "tls", tls_json(r));
	add_body(o, r);
	if (r->err == ST_OK)
		cJSON_AddNullToObject(o, "error");
	else {
		e = cJSON_AddObjectToObject(o, "error");
		cJSON_AddStringToObject(e, "code", r->error_code);
		cJSON_AddStringToObject(e, "phase", r->error_phase);
		add_text(e, "message", true, r->errmsg, strlen(r->errmsg));
	}
	return o;
}

int
main(int argc, char **argv)
{
	struct mtasts_fetch_params p = {0};
	struct mtasts_fetch_result res;
	char msg[256], *end, *s;
	double secs = 10;
	enum st_err err;
	cJSON *o;
	int i, rc;

	for (i = 1; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
		if (i + 1 >= argc) {
			usage();
			return 2;
		}
		if (strcmp(argv[i], "--ca-file") == 0)
			p.ca_file = argv[++i];
		else if (strcmp(argv[i], "--ca-path") == 0)
			p.ca_path = argv[++i];
		else if (strcmp(argv[i], "--timeout") == 0) {
			secs = strtod(argv[++i], &end);
			if (*end != '\0' || !(secs > 0 && secs <= 600)) {
				usage();
				return 2;
			}
		} else {
			usage();
			return 2;
		}
	}
	if (argc - i < 2) {
		usage();
		return 2;
	}
	p.domain = argv[i];
	p.addrs = (const char *const *)&argv[i + 1];
	p.naddrs = (size_t)(argc - i - 1);
	p.timeout_ms = (unsigned)(secs * 1000);
	if (p.timeout_ms == 0)
		p.timeout_ms = 1;
	if (mtasts_fetch_global_init(msg, sizeof(msg)) != ST_OK) {
		fprintf(stderr, "stsfetch: %s\n", msg);
		return 2;
	}
	err = mtasts_fetch(&p, &res);
	rc = err != ST_OK ? 2 : res.err != ST_OK ? 1 : 0;
	if (err != ST_OK)
		fprintf(stderr, "stsfetch: %s\n", res.errmsg);
	o = policy_json(&res);
	s = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	if (s == NULL) {
		fprintf(stderr, "stsfetch: out of memory\n");
		rc = 2;
	} else {
		printf("%s\n", s);
		free(s);
	}
	mtasts_fetch_result_release(&res);
	mtasts_fetch_global_cleanup();
	return rc;
}
