/*
 * test_mtasts_fetch.c - the pure parts of src/mtasts_fetch.c: the media
 * type check (RFC 8461 3.2) and argument validation that fails before any
 * network I/O. The fetch itself is tested against the lab
 * (tests/integration/25-mtasts-fetch.sh).
 */
#include "mtasts_fetch.h"

#include <stdio.h>
#include <string.h>

#include "unit.h"

#include "banned.h"

struct ct_case {
	const char *name;
	const char *in;
	size_t len;     /* 0: strlen(in) */
	int ok;
};

static const struct ct_case ct_cases[] = {
	{"plain", "text/plain", 0, 1},
	{"upper case", "TEXT/PLAIN", 0, 1},
	{"mixed case", "Text/Plain", 0, 1},
	{"charset", "text/plain; charset=utf-8", 0, 1},
	{"charset no space", "text/plain;charset=US-ASCII", 0, 1},
	{"space before semicolon", "text/plain ; charset=utf-8", 0, 1},
	{"leading and trailing ws", " \ttext/plain\t ", 0, 1},
	{"empty parameters", "text/plain;", 0, 1},
	{"html", "text/html", 0, 0},
	{"prefix only", "text/plai", 0, 0},
	{"longer subtype", "text/plainx", 0, 0},
	{"longer subtype param", "text/plain2; charset=utf-8", 0, 0},
	{"space in type", "text / plain", 0, 0},
	{"octet-stream", "application/octet-stream", 0, 0},
	{"empty", "", 0, 0},
	{"comma list", "text/plain, text/html", 0, 0},
	{"embedded nul", "text/plain\0junk", 15, 0},
	{"nul after param", "text/plain; a=b\0", 16, 0},
	{"cr in value", "text/plain\r", 0, 0},
	{"del octet", "text/plain;\x7f", 0, 0},
	{"high octet param", "text/plain; x=\xc3\xa9", 0, 1},
};

static void
test_content_type(void)
{
	char name[96];
	size_t i, len;

	for (i = 0; i < sizeof(ct_cases) / sizeof(ct_cases[0]); i++) {
		const struct ct_case *c = &ct_cases[i];

		len = c->len ? c->len : strlen(c->in);
		snprintf(name, sizeof(name), "content_type_ok %s", c->name);
		unit_eq_long(name, c->ok,
		    mtasts_fetch_content_type_ok(c->in, len));
	}
	unit_eq_long("content_type_ok NULL", 0,
	    mtasts_fetch_content_type_ok(NULL, 0));
}

struct arg_case {
	const char *name;
	const char *domain;
	const char *addr;
	size_t naddrs;
	unsigned timeout_ms;
	const char *ca_path;
	enum st_err want;
	const char *code;
};

/* Every row fails before libcurl is touched. */
static const struct arg_case arg_cases[] = {
	{"no domain", NULL, "192.0.2.1", 1, 1000, NULL, ST_ERR_INVAL, "usage"},
	{"empty domain", "", "192.0.2.1", 1, 1000, NULL, ST_ERR_INVAL, "usage"},
	{"only a dot", ".", "192.0.2.1", 1, 1000, NULL, ST_ERR_INVAL, "usage"},
	{"empty label", "a..example", "192.0.2.1", 1, 1000, NULL,
	    ST_ERR_INVAL, "usage"},
	{"slash in domain", "example.org/x", "192.0.2.1", 1, 1000, NULL,
	    ST_ERR_INVAL, "usage"},
	{"colon in domain", "example.org:80", "192.0.2.1", 1, 1000, NULL,
	    ST_ERR_INVAL, "usage"},
	{"label of 64", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    ".example", "192.0.2.1", 1, 1000, NULL, ST_ERR_INVAL, "usage"},
	{"no address", "example.org", NULL, 0, 1000, NULL, ST_ERR_INVAL,
	    "usage"},
	{"name as address", "example.org", "mta-sts.example.org", 1, 1000,
	    NULL, ST_ERR_INVAL, "usage"},
	{"list as address", "example.org", "192.0.2.1,192.0.2.2", 1, 1000,
	    NULL, ST_ERR_INVAL, "usage"},
	{"bracketed v6", "example.org", "[2001:db8::1]", 1, 1000, NULL,
	    ST_ERR_INVAL, "usage"},
	{"no timeout", "example.org", "192.0.2.1", 1, 0, NULL, ST_ERR_INVAL,
	    "usage"},
	{"missing ca dir", "example.org", "192.0.2.1", 1, 1000,
	    "/nonexistent/smtptls-ca", ST_ERR_IO, "config"},
	{"ca dir is a file", "example.org", "2001:db8::1", 1, 1000,
	    "/dev/null", ST_ERR_IO, "config"},
};

static void
test_arguments(void)
{
	struct mtasts_fetch_params p;
	struct mtasts_fetch_result res;
	const char *addrs[1];
	char name[96];
	size_t i;
	enum st_err err;

	for (i = 0; i < sizeof(arg_cases) / sizeof(arg_cases[0]); i++) {
		const struct arg_case *c = &arg_cases[i];

		memset(&p, 0, sizeof(p));
		addrs[0] = c->addr;
		p.domain = c->domain;
		p.addrs = c->naddrs ? addrs : NULL;
		p.naddrs = c->naddrs;
		p.timeout_ms = c->timeout_ms;
		p.ca_path = c->ca_path;
		err = mtasts_fetch(&p, &res);
		snprintf(name, sizeof(name), "fetch args %s: err", c->name);
		unit_eq_long(name, c->want, err);
		snprintf(name, sizeof(name), "fetch args %s: res.err", c->name);
		unit_eq_long(name, c->want, res.err);
		snprintf(name, sizeof(name), "fetch args %s: code", c->name);
		unit_eq_str(name, c->code, res.error_code);
		snprintf(name, sizeof(name), "fetch args %s: not fetched",
		    c->name);
		unit_eq_long(name, 0, res.fetched || res.body != NULL);
		mtasts_fetch_result_release(&res);
	}
	/* The URL is built before the addresses are judged. */
	memset(&p, 0, sizeof(p));
	p.domain = "Example.ORG.";
	p.timeout_ms = 1000;
	err = mtasts_fetch(&p, &res);
	unit_eq_long("fetch without address", ST_ERR_INVAL, err);
	unit_eq_str("fetch url keeps case, drops the root dot",
	    "https://mta-sts.Example.ORG/.well-known/mta-sts.txt", res.url);
	mtasts_fetch_result_release(&res);
	mtasts_fetch_result_release(NULL);
}

int
main(void)
{
	test_content_type();
	test_arguments();
	return unit_exit();
}
