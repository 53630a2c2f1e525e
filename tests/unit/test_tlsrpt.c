/*
 * test_tlsrpt.c - table tests of the TLS-RPT record parser (RFC 8460 3).
 */
#include "tlsrpt.h"

#include <stdlib.h>
#include <string.h>

#include "unit.h"

#include "banned.h"

/* A literal with its length, so that embedded NULs count. */
#define S(s) s, sizeof(s) - 1
#define NOPROB (-1)

struct rec_case {
	const char *name;
	struct {
		const char *p;
		size_t len;
	} rec[3];
	size_t n;
	enum tlsrpt_status status;
	size_t nuris;
	size_t nvalid;
	int prob;        /* a problem that must be present, or NOPROB */
};

#define M "mailto:tlsrpt@example.com"

static const struct rec_case rec_cases[] = {
	{ "record mailto", { { S("v=TLSRPTv1; rua=" M) } }, 1,
	    TLSRPT_VALID, 1, 1, NOPROB },
	{ "record https", { { S("v=TLSRPTv1;rua=https://r.example.com/x") } },
	    1, TLSRPT_VALID, 1, 1, NOPROB },
	{ "record two URIs", { { S("v=TLSRPTv1; rua=" M
	    " , https://r.example.com/v1;") } }, 1, TLSRPT_VALID, 2, 2,
	    NOPROB },
	{ "record trailing semicolon spaces",
	    { { S("v=TLSRPTv1 ;rua=" M ";  ") } }, 1, TLSRPT_VALID, 1, 1,
	    TLSRPT_P_WS_BEFORE_SEMI },
	{ "record extension", { { S("v=TLSRPTv1; rua=" M "; ext=1") } }, 1,
	    TLSRPT_VALID, 1, 1, NOPROB },
	{ "record http scheme", { { S("v=TLSRPTv1; rua=http://r.example/") } },
	    1, TLSRPT_VALID, 1, 0, NOPROB },
	{ "record mixed validity", { { S("v=TLSRPTv1; rua=" M
	    ",ftp://x.example") } }, 1, TLSRPT_VALID, 2, 1, NOPROB },
	{ "record no rua", { { S("v=TLSRPTv1; ext=1") } }, 1,
	    TLSRPT_INVALID, 0, 0, TLSRPT_P_RUA_MISSING },
	{ "record rua upper case", { { S("v=TLSRPTv1; RUA=" M) } }, 1,
	    TLSRPT_INVALID, 0, 0, TLSRPT_P_RUA_MISSING },
	{ "record version only", { { S("v=TLSRPTv1") } }, 1,
	    TLSRPT_INVALID, 0, 0, TLSRPT_P_NO_FIELDS },
	{ "record version and semicolon", { { S("v=TLSRPTv1;") } }, 1,
	    TLSRPT_INVALID, 0, 0, TLSRPT_P_NO_FIELDS },
	{ "record empty rua", { { S("v=TLSRPTv1; rua=") } }, 1,
	    TLSRPT_INVALID, 0, 0, TLSRPT_P_EMPTY_URI },
	{ "record empty list item", { { S("v=TLSRPTv1; rua=" M ",,"
	    "https://a.example") } }, 1, TLSRPT_INVALID, 2, 2,
	    TLSRPT_P_EMPTY_URI },
	{ "record trailing comma", { { S("v=TLSRPTv1; rua=" M ",") } }, 1,
	    TLSRPT_INVALID, 1, 1, TLSRPT_P_EMPTY_URI },
	{ "record empty field", { { S("v=TLSRPTv1;;rua=" M) } }, 1,
	    TLSRPT_INVALID, 1, 1, TLSRPT_P_EMPTY_FIELD },
	{ "record field without equals", { { S("v=TLSRPTv1; rua=" M
	    "; junk") } }, 1, TLSRPT_INVALID, 1, 1, TLSRPT_P_NO_EQUALS },
	{ "record bad ext name", { { S("v=TLSRPTv1; rua=" M "; -x=1") } }, 1,
	    TLSRPT_INVALID, 1, 1, TLSRPT_P_BAD_NAME },
	{ "record bad ext value", { { S("v=TLSRPTv1; rua=" M "; x=a b") } },
	    1, TLSRPT_INVALID, 1, 1, TLSRPT_P_BAD_VALUE },
	{ "record rua twice", { { S("v=TLSRPTv1; rua=" M "; rua="
	    "https://a.example") } }, 1, TLSRPT_VALID, 2, 2,
	    TLSRPT_P_RUA_DUPLICATE },
	/* RFC 8460 3 field-delim is *WSP ";" *WSP, WSP = SP / HTAB */
	{ "record valid: tab after semicolon",
	    { { S("v=TLSRPTv1;\trua=" M) } }, 1, TLSRPT_VALID, 1, 1, NOPROB },
	{ "record valid: tabs around comma and semicolon",
	    { { S("v=TLSRPTv1;\trua=" M "\t,\thttps://a.example\t;\tx=1;") } },
	    1, TLSRPT_VALID, 2, 2, NOPROB },
	{ "record valid: space after final semicolon",
	    { { S("v=TLSRPTv1; rua=" M "; ") } }, 1, TLSRPT_VALID, 1, 1,
	    NOPROB },
	/* a field-delim must end the last field: nothing else may follow */
	{ "record invalid: trailing space", { { S("v=TLSRPTv1; rua=" M " ") } },
	    1, TLSRPT_INVALID, 1, 1, TLSRPT_P_TRAILING_WS },
	{ "record invalid: trailing tab", { { S("v=TLSRPTv1; rua=" M "\t") } },
	    1, TLSRPT_INVALID, 1, 1, TLSRPT_P_TRAILING_WS },
	/* tlsrpt-ext-name: (ALPHA / DIGIT) *31(ALPHA / DIGIT / "_" / "-" /
	 * ".") */
	{ "record valid: ext name with dot", { { S("v=TLSRPTv1; rua=" M
	    "; a.b=1") } }, 1, TLSRPT_VALID, 1, 1, NOPROB },
	{ "record valid: ext name with hyphen", { { S("v=TLSRPTv1; rua=" M
	    "; a-b=1") } }, 1, TLSRPT_VALID, 1, 1, NOPROB },
	{ "record valid: ext name with underscore", { { S("v=TLSRPTv1; rua="
	    M "; a_b=1") } }, 1, TLSRPT_VALID, 1, 1, NOPROB },
	{ "record invalid: ext name 33 chars", { { S("v=TLSRPTv1; rua=" M
	    "; abcdefghijklmnopqrstuvwxyz0123456=1") } }, 1, TLSRPT_INVALID,
	    1, 1, TLSRPT_P_BAD_NAME },
	/* tlsrpt-ext-value: 1*(%x21-3A / %x3C / %x3E-7E) */
	{ "record invalid: ext value non-ASCII", { { S("v=TLSRPTv1; rua=" M
	    "; x=\xc3\xa9") } }, 1, TLSRPT_INVALID, 1, 1, TLSRPT_P_BAD_VALUE },
	{ "record invalid: ext value with equals", { { S("v=TLSRPTv1; rua=" M
	    "; x=a=b") } }, 1, TLSRPT_INVALID, 1, 1, TLSRPT_P_BAD_VALUE },
	/* tlsrpt-version first */
	{ "record none: version not first", { { S("rua=" M "; v=TLSRPTv1") } },
	    1, TLSRPT_NONE, 0, 0, NOPROB },
	/* RFC 8460 3: with several records, those not beginning
	 * "v=TLSRPTv1;" are discarded before the records are counted */
	{ "record several: space before semicolon discarded",
	    { { S("v=TLSRPTv1 ;rua=mailto:a@a.example") },
	    { S("v=TLSRPTv1; rua=" M) } }, 2, TLSRPT_VALID, 1, 1,
	    TLSRPT_P_LOOKALIKE },
	{ "record several: bare version discarded",
	    { { S("v=TLSRPTv1") }, { S("v=TLSRPTv1; rua=" M) } }, 2,
	    TLSRPT_VALID, 1, 1, TLSRPT_P_LOOKALIKE },
	{ "record several: tab before semicolon discarded, none left",
	    { { S("v=TLSRPTv1\t; rua=" M) }, { S("v=spf1 -all") } }, 2,
	    TLSRPT_NONE, 0, 0, TLSRPT_P_LOOKALIKE },
	{ "record several: v=TLSRPTv10 discarded",
	    { { S("v=TLSRPTv1;rua=" M) }, { S("v=TLSRPTv10;rua=" M) } }, 2,
	    TLSRPT_VALID, 1, 1, TLSRPT_P_LOOKALIKE },
	{ "record several: invalid v=TLSRPTv1; still counts",
	    { { S("v=TLSRPTv1;") }, { S("v=TLSRPTv1; rua=" M) } }, 2,
	    TLSRPT_MULTIPLE, 0, 0, TLSRPT_P_MULTIPLE },
	{ "record two candidates", { { S("v=TLSRPTv1; rua=" M) },
	    { S("v=TLSRPTv1; rua=https://a.example") } }, 2,
	    TLSRPT_MULTIPLE, 0, 0, TLSRPT_P_MULTIPLE },
	{ "record one among others", { { S("v=spf1 -all") },
	    { S("v=TLSRPTv1; rua=" M) }, { S("google-site-verification=x") } },
	    3, TLSRPT_VALID, 1, 1, NOPROB },
	{ "record none", { { S("v=spf1 -all") } }, 1, TLSRPT_NONE, 0, 0,
	    NOPROB },
	{ "record no records", { { NULL, 0 } }, 0, TLSRPT_NONE, 0, 0, NOPROB },
	{ "record empty string", { { S("") } }, 1, TLSRPT_NONE, 0, 0, NOPROB },
	{ "record lower case version", { { S("v=tlsrptv1; rua=" M) } }, 1,
	    TLSRPT_NONE, 0, 0, TLSRPT_P_LOOKALIKE },
	{ "record version without semicolon", { { S("v=TLSRPTv1 rua=" M) } },
	    1, TLSRPT_NONE, 0, 0, TLSRPT_P_LOOKALIKE },
	{ "record v=TLSRPTv2", { { S("v=TLSRPTv2; rua=" M) } }, 1,
	    TLSRPT_NONE, 0, 0, TLSRPT_P_LOOKALIKE },
	{ "record NUL in URI", { { S("v=TLSRPTv1; rua=mailto:a\0@b.example") } },
	    1, TLSRPT_VALID, 1, 0, NOPROB },
	{ "record NUL in ext", { { S("v=TLSRPTv1; rua=" M "; x=\0") } }, 1,
	    TLSRPT_INVALID, 1, 1, TLSRPT_P_BAD_VALUE },
};

static bool
has_prob(const struct tlsrpt *r, int code)
{
	size_t i;

	for (i = 0; i < r->nproblems; i++)
		if ((int)r->problems[i].code == code)
			return true;
	return false;
}

static void
test_record_table(void)
{
	char name[200];
	size_t i;

	for (i = 0; i < sizeof(rec_cases) / sizeof(rec_cases[0]); i++) {
		const struct rec_case *c = &rec_cases[i];
		const char *text[3];
		size_t len[3], j;
		struct tlsrpt r;
		enum st_err err;

		for (j = 0; j < 3; j++) {
			text[j] = c->rec[j].p;
			len[j] = c->rec[j].len;
		}
		tlsrpt_init(&r);
		err = tlsrpt_parse(&r, text, len, c->n);
		snprintf(name, sizeof(name), "%s: return", c->name);
		unit_eq_long(name, ST_OK, err);
		snprintf(name, sizeof(name), "%s: status", c->name);
		unit_eq_str(name, tlsrpt_status_name(c->status),
		    tlsrpt_status_name(r.status));
		snprintf(name, sizeof(name), "%s: uris", c->name);
		unit_eq_long(name, (long)c->nuris, (long)r.nuris);
		snprintf(name, sizeof(name), "%s: valid uris", c->name);
		unit_eq_long(name, (long)c->nvalid, (long)r.nvalid);
		snprintf(name, sizeof(name), "%s: problem", c->name);
		if (c->prob == NOPROB)
			unit_eq_long(name, 0, (long)r.nproblems);
		else
			unit_report(has_prob(&r, c->prob), name,
			    tlsrpt_prob_name(c->prob), r.nproblems > 0 ?
			    tlsrpt_prob_name(r.problems[0].code) : "(none)");
		tlsrpt_release(&r);
	}
}

struct uri_case {
	const char *uri;
	size_t len;
	bool valid;
	enum tlsrpt_scheme kind;
	const char *scheme;
	enum tlsrpt_uri_err err;
	const char *host;
};

static const struct uri_case uri_cases[] = {
	{ S(M), true, TLSRPT_SCHEME_MAILTO, "mailto", TLSRPT_URI_OK,
	    "example.com" },
	{ S("MAILTO:a@Example.COM"), true, TLSRPT_SCHEME_MAILTO, "mailto",
	    TLSRPT_URI_OK, "Example.COM" },
	{ S("mailto:first.last+tag@sub.example.org?subject=tlsrpt"), true,
	    TLSRPT_SCHEME_MAILTO, "mailto", TLSRPT_URI_OK, "sub.example.org" },
	{ S("mailto:a%20b@example.com"), true, TLSRPT_SCHEME_MAILTO, "mailto",
	    TLSRPT_URI_OK, "example.com" },
	{ S("mailto:tlsrpt@example.com!10m"), false, TLSRPT_SCHEME_MAILTO,
	    "mailto", TLSRPT_URI_BAD_CHAR, "" },
	{ S("mailto:tlsrpt@example.com%2110m"), false, TLSRPT_SCHEME_MAILTO,
	    "mailto", TLSRPT_URI_BAD_DOMAIN, "" },
	{ S("mailto:example.com"), false, TLSRPT_SCHEME_MAILTO, "mailto",
	    TLSRPT_URI_BAD_ADDRESS, "" },
	{ S("mailto:@example.com"), false, TLSRPT_SCHEME_MAILTO, "mailto",
	    TLSRPT_URI_BAD_ADDRESS, "" },
	{ S("mailto:a..b@example.com"), false, TLSRPT_SCHEME_MAILTO, "mailto",
	    TLSRPT_URI_BAD_ADDRESS, "" },
	{ S("mailto:.a@example.com"), false, TLSRPT_SCHEME_MAILTO, "mailto",
	    TLSRPT_URI_BAD_ADDRESS, "" },
	{ S("mailto:a@localhost"), false, TLSRPT_SCHEME_MAILTO, "mailto",
	    TLSRPT_URI_BAD_DOMAIN, "" },
	{ S("mailto:a@"), false, TLSRPT_SCHEME_MAILTO, "mailto",
	    TLSRPT_URI_BAD_DOMAIN, "" },
	{ S("mailto:a@exa_mple.com"), false, TLSRPT_SCHEME_MAILTO, "mailto",
	    TLSRPT_URI_BAD_DOMAIN, "" },
	{ S("mailto:a@example.com."), false, TLSRPT_SCHEME_MAILTO, "mailto",
	    TLSRPT_URI_BAD_DOMAIN, "" },
	{ S("mailto:a b@example.com"), false, TLSRPT_SCHEME_MAILTO, "mailto",
	    TLSRPT_URI_BAD_CHAR, "" },
	{ S("mailto:a@b\xc3\xbc.example"), false, TLSRPT_SCHEME_MAILTO,
	    "mailto", TLSRPT_URI_BAD_CHAR, "" },
	{ S("mailto:a%2@example.com"), false, TLSRPT_SCHEME_MAILTO, "mailto",
	    TLSRPT_URI_BAD_PCT, "" },
	{ S("mailto:a@example.com%"), false, TLSRPT_SCHEME_MAILTO, "mailto",
	    TLSRPT_URI_BAD_PCT, "" },
	{ S("https://reports.example.com/tlsrpt"), true, TLSRPT_SCHEME_HTTPS,
	    "https", TLSRPT_URI_OK, "reports.example.com" },
	{ S("HTTPS://r.example:8443/a?b=c#d"), true, TLSRPT_SCHEME_HTTPS,
	    "https", TLSRPT_URI_OK, "r.example" },
	{ S("https://user@r.example/"), true, TLSRPT_SCHEME_HTTPS, "https",
	    TLSRPT_URI_OK, "r.example" },
	{ S("https://[2001:db8::1]:443/"), true, TLSRPT_SCHEME_HTTPS, "https",
	    TLSRPT_URI_OK, "[2001:db8::1]" },
	{ S("https://192.0.2.1/x"), true, TLSRPT_SCHEME_HTTPS, "https",
	    TLSRPT_URI_OK, "192.0.2.1" },
	{ S("https:/r.example/"), false, TLSRPT_SCHEME_HTTPS, "https",
	    TLSRPT_URI_NO_AUTHORITY, "" },
	{ S("https://"), false, TLSRPT_SCHEME_HTTPS, "https",
	    TLSRPT_URI_NO_AUTHORITY, "" },
	{ S("https:///path"), false, TLSRPT_SCHEME_HTTPS, "https",
	    TLSRPT_URI_NO_AUTHORITY, "" },
	{ S("https://r.example:99999/"), false, TLSRPT_SCHEME_HTTPS, "https",
	    TLSRPT_URI_BAD_PORT, "" },
	{ S("https://r.example:8x/"), false, TLSRPT_SCHEME_HTTPS, "https",
	    TLSRPT_URI_BAD_PORT, "" },
	{ S("https://r_x.example/"), false, TLSRPT_SCHEME_HTTPS, "https",
	    TLSRPT_URI_BAD_HOST, "" },
	{ S("https://[zz]/"), false, TLSRPT_SCHEME_HTTPS, "https",
	    TLSRPT_URI_BAD_HOST, "" },
	{ S("https://r.example/a b"), false, TLSRPT_SCHEME_HTTPS, "https",
	    TLSRPT_URI_BAD_CHAR, "" },
	{ S("https://r.example/a!b"), false, TLSRPT_SCHEME_HTTPS, "https",
	    TLSRPT_URI_BAD_CHAR, "" },
	{ S("http://r.example/"), false, TLSRPT_SCHEME_OTHER, "http",
	    TLSRPT_URI_BAD_SCHEME, "" },
	{ S("ftp://r.example/"), false, TLSRPT_SCHEME_OTHER, "ftp",
	    TLSRPT_URI_BAD_SCHEME, "" },
	{ S("tlsrpt@example.com"), false, TLSRPT_SCHEME_NONE, "",
	    TLSRPT_URI_NO_SCHEME, "" },
	{ S("1http://x"), false, TLSRPT_SCHEME_NONE, "",
	    TLSRPT_URI_NO_SCHEME, "" },
	{ S(":x"), false, TLSRPT_SCHEME_NONE, "", TLSRPT_URI_NO_SCHEME, "" },
	{ S("mailto"), false, TLSRPT_SCHEME_NONE, "", TLSRPT_URI_NO_SCHEME,
	    "" },
	{ S("abcdefghijklmnopqrstuvwxyz:x"), false, TLSRPT_SCHEME_OTHER,
	    "abcdefghijklmnop", TLSRPT_URI_BAD_SCHEME, "" },
	{ S(""), false, TLSRPT_SCHEME_NONE, "", TLSRPT_URI_NO_SCHEME, "" },
};

static void
test_uri_table(void)
{
	char name[200];
	size_t i;

	for (i = 0; i < sizeof(uri_cases) / sizeof(uri_cases[0]); i++) {
		const struct uri_case *c = &uri_cases[i];
		struct tlsrpt_uri u;

		tlsrpt_uri_parse(&u, c->uri, c->len);
		snprintf(name, sizeof(name), "uri '%s': valid", c->uri);
		unit_eq_long(name, c->valid, u.valid);
		snprintf(name, sizeof(name), "uri '%s': kind", c->uri);
		unit_eq_str(name, tlsrpt_scheme_name(c->kind),
		    tlsrpt_scheme_name(u.kind));
		snprintf(name, sizeof(name), "uri '%s': scheme", c->uri);
		unit_eq_str(name, c->scheme, u.scheme);
		snprintf(name, sizeof(name), "uri '%s': err", c->uri);
		unit_eq_str(name, tlsrpt_uri_err_name(c->err),
		    tlsrpt_uri_err_name(u.err));
		snprintf(name, sizeof(name), "uri '%s': host", c->uri);
		unit_eq_str(name, c->host, u.host);
		snprintf(name, sizeof(name), "uri '%s': kept", c->uri);
		unit_eq_long(name, (long)c->len, (long)u.uri_len);
	}
}

static void
test_misc(void)
{
	const char *strs[] = { "v=spf1 -all", "v=TLSRPTv1; rua=" M };
	char *big = malloc(70000);
	const char *bp[1];
	size_t blen[1], n, i;
	struct tlsrpt r;

	/* NUL-terminated input (len == NULL), as struct dns_answer has it. */
	tlsrpt_init(&r);
	unit_eq_long("strings: return", ST_OK, tlsrpt_parse(&r, strs, NULL,
	    2));
	unit_eq_long("strings: record index", 1, (long)r.record);
	unit_eq_str("strings: uri", M, r.uris[0].uri);
	unit_eq_str("strings: scheme", "mailto", r.uris[0].scheme);
	tlsrpt_release(&r);
	tlsrpt_release(NULL);
	/* Discarded records are counted apart from the candidates. */
	{
		const char *disc[] = { "v=TLSRPTv1", "v=TLSRPTv1 ;rua=" M,
		    "v=TLSRPTv1;rua=" M };

		unit_eq_long("discarded: return", ST_OK, tlsrpt_parse(&r, disc,
		    NULL, 3));
		unit_eq_long("discarded: candidates", 1, (long)r.candidates);
		unit_eq_long("discarded: record index", 2, (long)r.record);
		unit_eq_long("discarded: count", 2, (long)r.discarded);
		tlsrpt_release(&r);
	}
	unit_eq_long("NULL result", ST_ERR_INVAL, tlsrpt_parse(NULL, strs,
	    NULL, 2));
	unit_eq_long("NULL text", ST_ERR_INVAL, tlsrpt_parse(&r, NULL, NULL,
	    1));
	if (big == NULL) {
		unit_report(0, "misc: malloc", "memory", "none");
		return;
	}
	bp[0] = big;

	/* 1000 URIs: 16 kept, the rest counted. */
	n = (size_t)snprintf(big, 70000, "v=TLSRPTv1; rua=" M);
	for (i = 1; i < 1000; i++)
		n += (size_t)snprintf(big + n, 70000 - n, ",https://h%zu.example",
		    i);
	blen[0] = n;
	unit_eq_long("many uris: return", ST_OK, tlsrpt_parse(&r, bp, blen,
	    1));
	unit_eq_str("many uris: status", "valid", tlsrpt_status_name(r.status));
	unit_eq_long("many uris: kept", TLSRPT_URIS_MAX, (long)r.nuris);
	unit_eq_long("many uris: dropped", 1000 - TLSRPT_URIS_MAX,
	    (long)r.uris_dropped);
	unit_eq_long("many uris: flagged", 1,
	    has_prob(&r, TLSRPT_P_TOO_MANY_URIS));

	/* One 60000-octet URI: judged whole, kept cut. */
	n = (size_t)snprintf(big, 70000, "v=TLSRPTv1; rua=https://r.example/");
	memset(big + n, 'a', 60000);
	n += 60000;
	blen[0] = n;
	unit_eq_long("long uri: return", ST_OK, tlsrpt_parse(&r, bp, blen, 1));
	unit_eq_long("long uri: valid", 1, r.uris[0].valid);
	unit_eq_long("long uri: cut", 1, r.uris[0].uri_cut);
	unit_eq_long("long uri: kept", TLSRPT_URI_MAX, (long)r.uris[0].uri_len);

	/* Many bad fields: problems capped. */
	n = (size_t)snprintf(big, 70000, "v=TLSRPTv1; rua=" M);
	for (i = 0; i < 500; i++)
		n += (size_t)snprintf(big + n, 70000 - n, "; x");
	blen[0] = n;
	unit_eq_long("many problems: return", ST_OK, tlsrpt_parse(&r, bp,
	    blen, 1));
	unit_eq_long("many problems: kept", TLSRPT_PROBLEMS_MAX,
	    (long)r.nproblems);
	unit_eq_long("many problems: dropped", 500 - TLSRPT_PROBLEMS_MAX,
	    (long)r.problems_dropped);
	unit_eq_str("many problems: status", "invalid",
	    tlsrpt_status_name(r.status));
	tlsrpt_release(&r);
	free(big);
}

int
main(void)
{
	test_record_table();
	test_uri_table();
	test_misc();
	return unit_exit();
}
