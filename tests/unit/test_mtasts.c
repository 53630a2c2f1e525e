/*
 * test_mtasts.c - table tests of the MTA-STS TXT record parser, the policy
 * body parser and MX pattern matching (RFC 8461 3.1, 3.2, 4.1).
 */
#include "mtasts_txt.h"
#include "mtasts_policy.h"

#include <stdlib.h>
#include <string.h>

#include "unit.h"

#include "banned.h"

/* A literal with its length, so that embedded NULs count. */
#define S(s) s, sizeof(s) - 1
#define NOPROB (-1)

/* ---- _mta-sts TXT record ---------------------------------------------- */

struct txt_case {
	const char *name;
	struct {
		const char *p;
		size_t len;
	} rec[3];
	size_t n;
	enum mtasts_txt_status status;
	const char *id;       /* expected t.id */
	bool ws;              /* ws_before_semicolon */
	size_t nfields;
	int prob;             /* a problem code that must be present, or
	                         NOPROB: no problem at all */
};

static const struct txt_case txt_cases[] = {
	{ "txt valid", { { S("v=STSv1; id=20190429T010101;") } }, 1,
	    MTASTS_TXT_VALID, "20190429T010101", false, 0, NOPROB },
	{ "txt valid no trailing semicolon", { { S("v=STSv1;id=abc") } }, 1,
	    MTASTS_TXT_VALID, "abc", false, 0, NOPROB },
	{ "txt valid spaces around semicolons",
	    { { S("v=STSv1;  id=abc \t; ext=1 ;") } }, 1,
	    MTASTS_TXT_VALID, "abc", false, 1, NOPROB },
	{ "txt id 32 chars", { { S("v=STSv1; id=0123456789abcdef0123456789ABCDEF") } },
	    1, MTASTS_TXT_VALID, "0123456789abcdef0123456789ABCDEF", false, 0,
	    NOPROB },
	{ "txt id 33 chars",
	    { { S("v=STSv1; id=0123456789abcdef0123456789ABCDEFx") } }, 1,
	    MTASTS_TXT_INVALID, "", false, 0, MTASTS_TXT_P_ID_TOO_LONG },
	{ "txt id bad char", { { S("v=STSv1; id=2019-04-29") } }, 1,
	    MTASTS_TXT_INVALID, "", false, 0, MTASTS_TXT_P_ID_BAD_CHAR },
	{ "txt id empty", { { S("v=STSv1; id=;") } }, 1,
	    MTASTS_TXT_INVALID, "", false, 0, MTASTS_TXT_P_ID_EMPTY },
	{ "txt id missing", { { S("v=STSv1; foo=bar") } }, 1,
	    MTASTS_TXT_INVALID, "", false, 1, MTASTS_TXT_P_ID_MISSING },
	{ "txt id upper case key is an extension", { { S("v=STSv1; ID=abc") } },
	    1, MTASTS_TXT_INVALID, "", false, 1, MTASTS_TXT_P_ID_MISSING },
	{ "txt id duplicate first used", { { S("v=STSv1; id=one; id=two") } }, 1,
	    MTASTS_TXT_VALID, "one", false, 0, MTASTS_TXT_P_ID_DUPLICATE },
	{ "txt id duplicate invalid", { { S("v=STSv1; id=one; id=t-o") } }, 1,
	    MTASTS_TXT_INVALID, "one", false, 0, MTASTS_TXT_P_ID_BAD_CHAR },
	{ "txt no fields", { { S("v=STSv1;") } }, 1,
	    MTASTS_TXT_INVALID, "", false, 0, MTASTS_TXT_P_NO_FIELDS },
	{ "txt no fields spaces", { { S("v=STSv1;   ") } }, 1,
	    MTASTS_TXT_INVALID, "", false, 0, MTASTS_TXT_P_NO_FIELDS },
	{ "txt empty field", { { S("v=STSv1;;id=abc") } }, 1,
	    MTASTS_TXT_INVALID, "abc", false, 0, MTASTS_TXT_P_EMPTY_FIELD },
	{ "txt double trailing semicolon", { { S("v=STSv1;id=abc;;") } }, 1,
	    MTASTS_TXT_INVALID, "abc", false, 0, MTASTS_TXT_P_EMPTY_FIELD },
	{ "txt field without equals", { { S("v=STSv1; id=abc; foo") } }, 1,
	    MTASTS_TXT_INVALID, "abc", false, 0, MTASTS_TXT_P_NO_EQUALS },
	{ "txt space inside value", { { S("v=STSv1; id=abc def") } }, 1,
	    MTASTS_TXT_INVALID, "", false, 0, MTASTS_TXT_P_ID_BAD_CHAR },
	{ "txt bad ext name", { { S("v=STSv1; id=abc; _x=1") } }, 1,
	    MTASTS_TXT_INVALID, "abc", false, 0, MTASTS_TXT_P_BAD_NAME },
	{ "txt ext name 33 chars",
	    { { S("v=STSv1; id=a; abcdefghijklmnopqrstuvwxyz0123456=1") } }, 1,
	    MTASTS_TXT_INVALID, "a", false, 0, MTASTS_TXT_P_BAD_NAME },
	{ "txt ext value with equals", { { S("v=STSv1; id=abc; x=a=b") } }, 1,
	    MTASTS_TXT_INVALID, "abc", false, 0, MTASTS_TXT_P_BAD_VALUE },
	{ "txt ext value empty", { { S("v=STSv1; id=abc; x=") } }, 1,
	    MTASTS_TXT_INVALID, "abc", false, 0, MTASTS_TXT_P_BAD_VALUE },
	{ "txt ext fields kept", { { S("v=STSv1; id=abc; a.b-c_d=x:y; z=1") } }, 1,
	    MTASTS_TXT_VALID, "abc", false, 2, NOPROB },
	{ "txt ws before first semicolon", { { S("v=STSv1 ; id=abc") } }, 1,
	    MTASTS_TXT_VALID, "abc", true, 0, MTASTS_TXT_P_WS_BEFORE_SEMI },
	/* RFC 8461 3.1 field-delim is *WSP ";" *WSP, WSP = SP / HTAB */
	{ "txt valid: tab after semicolon", { { S("v=STSv1;\tid=abc") } }, 1,
	    MTASTS_TXT_VALID, "abc", false, 0, NOPROB },
	{ "txt valid: tabs around inner semicolon",
	    { { S("v=STSv1; id=abc\t;\tx=1") } }, 1,
	    MTASTS_TXT_VALID, "abc", false, 1, NOPROB },
	{ "txt valid: tab after final semicolon",
	    { { S("v=STSv1; id=abc;\t") } }, 1,
	    MTASTS_TXT_VALID, "abc", false, 0, NOPROB },
	{ "txt valid, warn: tab before first semicolon",
	    { { S("v=STSv1\t;id=abc") } }, 1,
	    MTASTS_TXT_VALID, "abc", true, 0, MTASTS_TXT_P_WS_BEFORE_SEMI },
	/* the sts-field-delim must end a field: nothing else may follow it */
	{ "txt invalid: trailing space without semicolon",
	    { { S("v=STSv1; id=abc  ") } }, 1,
	    MTASTS_TXT_INVALID, "abc", false, 0, MTASTS_TXT_P_TRAILING_WS },
	{ "txt invalid: trailing tab without semicolon",
	    { { S("v=STSv1; id=abc; x=1\t") } }, 1,
	    MTASTS_TXT_INVALID, "abc", false, 1, MTASTS_TXT_P_TRAILING_WS },
	/* sts-ext-name = (ALPHA / DIGIT) *31(ALPHA / DIGIT / "_" / "-" / ".") */
	{ "txt valid: ext name with dot", { { S("v=STSv1; id=abc; a.b=1") } },
	    1, MTASTS_TXT_VALID, "abc", false, 1, NOPROB },
	{ "txt valid: ext name with hyphen", { { S("v=STSv1; id=abc; a-b=1") } },
	    1, MTASTS_TXT_VALID, "abc", false, 1, NOPROB },
	{ "txt valid: ext name with underscore",
	    { { S("v=STSv1; id=abc; a_b=1") } }, 1,
	    MTASTS_TXT_VALID, "abc", false, 1, NOPROB },
	{ "txt valid: ext name of a digit then 31 more",
	    { { S("v=STSv1; id=a; 0bcdefghijklmnopqrstuvwxyz._-.._=1") } }, 1,
	    MTASTS_TXT_VALID, "a", false, 1, NOPROB },
	{ "txt invalid: ext name starting with dot",
	    { { S("v=STSv1; id=abc; .a=1") } }, 1,
	    MTASTS_TXT_INVALID, "abc", false, 0, MTASTS_TXT_P_BAD_NAME },
	{ "txt invalid: ext name with plus", { { S("v=STSv1; id=abc; a+b=1") } },
	    1, MTASTS_TXT_INVALID, "abc", false, 0, MTASTS_TXT_P_BAD_NAME },
	{ "txt invalid: ext name non-ASCII",
	    { { S("v=STSv1; id=abc; \xc3\xa9=1") } }, 1,
	    MTASTS_TXT_INVALID, "abc", false, 0, MTASTS_TXT_P_BAD_NAME },
	/* sts-ext-value = 1*(%x21-3A / %x3C / %x3E-7E) */
	{ "txt invalid: ext value DEL", { { S("v=STSv1; id=abc; x=a\x7f") } },
	    1, MTASTS_TXT_INVALID, "abc", false, 0, MTASTS_TXT_P_BAD_VALUE },
	{ "txt invalid: ext value control", { { S("v=STSv1; id=abc; x=\x01") } },
	    1, MTASTS_TXT_INVALID, "abc", false, 0, MTASTS_TXT_P_BAD_VALUE },
	{ "txt invalid: ext value with tab", { { S("v=STSv1; id=abc; x=a\tb") } },
	    1, MTASTS_TXT_INVALID, "abc", false, 0, MTASTS_TXT_P_BAD_VALUE },
	/* sts-version first: other records are not MTA-STS at all */
	{ "txt none: version not first", { { S("id=abc; v=STSv1") } }, 1,
	    MTASTS_TXT_NONE, "", false, 0, NOPROB },
	{ "txt none: space before version", { { S(" v=STSv1; id=abc") } }, 1,
	    MTASTS_TXT_NONE, "", false, 0, MTASTS_TXT_P_LOOKALIKE },
	{ "txt none: version and space only", { { S("v=STSv1 ") } }, 1,
	    MTASTS_TXT_NONE, "", false, 0, MTASTS_TXT_P_LOOKALIKE },
	/* RFC 8461 3.1: with several records, those not beginning "v=STSv1;"
	 * are discarded before the records are counted */
	{ "txt several: space before semicolon discarded",
	    { { S("v=STSv1 ; id=a") }, { S("v=STSv1; id=b") } }, 2,
	    MTASTS_TXT_VALID, "b", false, 0, MTASTS_TXT_P_LOOKALIKE },
	{ "txt several: tab before semicolon discarded, none left",
	    { { S("v=spf1 -all") }, { S("v=STSv1\t; id=a") } }, 2,
	    MTASTS_TXT_NONE, "", false, 0, MTASTS_TXT_P_LOOKALIKE },
	{ "txt several: both with space discarded",
	    { { S("v=STSv1 ; id=a") }, { S("v=STSv1 ;id=b") } }, 2,
	    MTASTS_TXT_NONE, "", false, 0, MTASTS_TXT_P_LOOKALIKE },
	{ "txt several: v=STSv10 discarded",
	    { { S("v=STSv10; id=a") }, { S("v=STSv1; id=b") } }, 2,
	    MTASTS_TXT_VALID, "b", false, 0, MTASTS_TXT_P_LOOKALIKE },
	{ "txt several: invalid v=STSv1; still counts",
	    { { S("v=STSv1;") }, { S("v=STSv1; id=b") } }, 2,
	    MTASTS_TXT_MULTIPLE, "", false, 0, MTASTS_TXT_P_MULTIPLE },
	{ "txt none", { { S("v=spf1 -all") }, { S("hello") } }, 2,
	    MTASTS_TXT_NONE, "", false, 0, NOPROB },
	{ "txt no records", { { NULL, 0 } }, 0, MTASTS_TXT_NONE, "", false, 0,
	    NOPROB },
	{ "txt empty record", { { S("") } }, 1, MTASTS_TXT_NONE, "", false, 0,
	    NOPROB },
	{ "txt version only is no candidate", { { S("v=STSv1") } }, 1,
	    MTASTS_TXT_NONE, "", false, 0, MTASTS_TXT_P_LOOKALIKE },
	{ "txt lower case version is no candidate", { { S("v=stsv1; id=abc") } },
	    1, MTASTS_TXT_NONE, "", false, 0, MTASTS_TXT_P_LOOKALIKE },
	{ "txt v=STSv10 is no candidate", { { S("v=STSv10; id=abc") } }, 1,
	    MTASTS_TXT_NONE, "", false, 0, MTASTS_TXT_P_LOOKALIKE },
	{ "txt one candidate among others",
	    { { S("v=spf1 -all") }, { S("v=STSv1; id=x1") } }, 2,
	    MTASTS_TXT_VALID, "x1", false, 0, NOPROB },
	{ "txt two candidates", { { S("v=STSv1; id=a") }, { S("v=STSv1; id=b") } }, 2,
	    MTASTS_TXT_MULTIPLE, "", false, 0, MTASTS_TXT_P_MULTIPLE },
	{ "txt two identical candidates",
	    { { S("v=STSv1; id=a") }, { S("v=STSv1; id=a") }, { S("x") } }, 3,
	    MTASTS_TXT_MULTIPLE, "", false, 0, MTASTS_TXT_P_MULTIPLE },
	{ "txt NUL in id", { { S("v=STSv1; id=ab\0c") } }, 1,
	    MTASTS_TXT_INVALID, "", false, 0, MTASTS_TXT_P_ID_BAD_CHAR },
	{ "txt NUL in ext value", { { S("v=STSv1; id=abc; x=\0") } }, 1,
	    MTASTS_TXT_INVALID, "abc", false, 0, MTASTS_TXT_P_BAD_VALUE },
	{ "txt non-ASCII in ext value", { { S("v=STSv1; id=abc; x=\xc3\xa9") } },
	    1, MTASTS_TXT_INVALID, "abc", false, 0, MTASTS_TXT_P_BAD_VALUE },
};

static bool
txt_has_prob(const struct mtasts_txt *t, int code)
{
	size_t i;

	for (i = 0; i < t->nproblems; i++)
		if ((int)t->problems[i].code == code)
			return true;
	return false;
}

static void
test_txt_table(void)
{
	char name[200];
	size_t i;

	for (i = 0; i < sizeof(txt_cases) / sizeof(txt_cases[0]); i++) {
		const struct txt_case *c = &txt_cases[i];
		const char *text[3];
		size_t len[3], j;
		struct mtasts_txt t;
		enum st_err err;

		for (j = 0; j < 3; j++) {
			text[j] = c->rec[j].p;
			len[j] = c->rec[j].len;
		}
		mtasts_txt_init(&t);
		err = mtasts_txt_parse(&t, text, len, c->n);
		snprintf(name, sizeof(name), "%s: return", c->name);
		unit_eq_long(name, ST_OK, err);
		snprintf(name, sizeof(name), "%s: status", c->name);
		unit_eq_str(name, mtasts_txt_status_name(c->status),
		    mtasts_txt_status_name(t.status));
		snprintf(name, sizeof(name), "%s: id", c->name);
		unit_eq_str(name, c->id, t.id);
		snprintf(name, sizeof(name), "%s: ws before semicolon",
		    c->name);
		unit_eq_long(name, c->ws, t.ws_before_semicolon);
		snprintf(name, sizeof(name), "%s: fields", c->name);
		unit_eq_long(name, (long)c->nfields, (long)t.nfields);
		snprintf(name, sizeof(name), "%s: problem", c->name);
		if (c->prob == NOPROB)
			unit_eq_long(name, 0, (long)t.nproblems);
		else
			unit_report(txt_has_prob(&t, c->prob), name,
			    mtasts_txt_prob_name(c->prob),
			    t.nproblems > 0 ?
			    mtasts_txt_prob_name(t.problems[0].code) :
			    "(none)");
		mtasts_txt_release(&t);
	}
}

static void
test_txt_misc(void)
{
	const char *strs[] = { "v=spf1 -all", "v=STSv1; id=abc; x=y" };
	char big[70000];
	const char *bp[1] = { big };
	size_t blen[1];
	struct mtasts_txt t;
	size_t i, n;

	/* NUL-terminated input (len == NULL), as struct dns_answer has it. */
	mtasts_txt_init(&t);
	unit_eq_long("txt strings: return", ST_OK,
	    mtasts_txt_parse(&t, strs, NULL, 2));
	unit_eq_long("txt strings: record index", 1, (long)t.record);
	unit_eq_str("txt strings: field name", "x", t.fields[0].name);
	unit_eq_str("txt strings: field value", "y", t.fields[0].value);
	mtasts_txt_release(&t);

	/* Discarded records are counted apart from the candidates. */
	{
		const char *disc[] = { "v=STSv1 ; id=a", "v=STSv1; id=b",
		    "V=STSv1; id=c", "v=spf1 -all" };

		mtasts_txt_init(&t);
		unit_eq_long("txt discarded: return", ST_OK,
		    mtasts_txt_parse(&t, disc, NULL, 4));
		unit_eq_long("txt discarded: candidates", 1,
		    (long)t.candidates);
		unit_eq_long("txt discarded: record index", 1, (long)t.record);
		unit_eq_long("txt discarded: count", 2, (long)t.discarded);
		mtasts_txt_release(&t);
	}

	unit_eq_long("txt NULL result", ST_ERR_INVAL,
	    mtasts_txt_parse(NULL, strs, NULL, 2));
	unit_eq_long("txt NULL text", ST_ERR_INVAL,
	    mtasts_txt_parse(&t, NULL, NULL, 1));

	/* Many fields and a huge value: bounded. */
	n = (size_t)snprintf(big, sizeof(big), "v=STSv1; id=abc");
	for (i = 0; i < 40; i++)
		n += (size_t)snprintf(big + n, sizeof(big) - n, "; f%zu=v", i);
	n += (size_t)snprintf(big + n, sizeof(big) - n, "; long=");
	memset(big + n, 'x', 60000);
	n += 60000;
	blen[0] = n;
	mtasts_txt_init(&t);
	unit_eq_long("txt many fields: return", ST_OK,
	    mtasts_txt_parse(&t, bp, blen, 1));
	unit_eq_str("txt many fields: status", "valid",
	    mtasts_txt_status_name(t.status));
	unit_eq_long("txt many fields: kept", MTASTS_TXT_FIELDS_MAX,
	    (long)t.nfields);
	unit_eq_long("txt many fields: dropped", 41 - MTASTS_TXT_FIELDS_MAX,
	    (long)t.fields_dropped);
	unit_eq_long("txt many fields: flagged", 1,
	    txt_has_prob(&t, MTASTS_TXT_P_TOO_MANY_FIELDS));
	mtasts_txt_release(&t);

	/* Many bad fields: problems are capped, verdict still fatal. */
	n = (size_t)snprintf(big, sizeof(big), "v=STSv1; id=abc");
	for (i = 0; i < 100; i++)
		n += (size_t)snprintf(big + n, sizeof(big) - n, "; bad");
	blen[0] = n;
	mtasts_txt_init(&t);
	unit_eq_long("txt many problems: return", ST_OK,
	    mtasts_txt_parse(&t, bp, blen, 1));
	unit_eq_long("txt many problems: kept", MTASTS_TXT_PROBLEMS_MAX,
	    (long)t.nproblems);
	unit_eq_long("txt many problems: dropped",
	    100 - MTASTS_TXT_PROBLEMS_MAX, (long)t.problems_dropped);
	unit_eq_str("txt many problems: status", "invalid",
	    mtasts_txt_status_name(t.status));
	unit_eq_long("txt many problems: evidence bounded",
	    1, t.problems[0].evidence_len <= MTASTS_TXT_EVIDENCE_MAX);
	mtasts_txt_release(&t);
	mtasts_txt_release(NULL);
}

/* ---- policy body ------------------------------------------------------ */

struct pol_case {
	const char *name;
	const char *body;
	size_t len;
	bool valid;
	bool warn;
	enum mtasts_mode mode;
	long max_age;        /* -1: has_max_age false */
	size_t nmx;
	int prob;            /* a problem that must be present, or NOPROB */
};

#define GOOD "version: STSv1\nmode: enforce\nmx: mx1.example.com\n" \
    "max_age: 604800\n"

static const struct pol_case pol_cases[] = {
	{ "policy valid LF", S(GOOD), true, false, MTASTS_MODE_ENFORCE,
	    604800, 1, NOPROB },
	{ "policy valid CRLF", S("version: STSv1\r\nmode: testing\r\n"
	    "mx: mx1.example.com\r\nmx: *.example.net\r\nmax_age: 86400\r\n"),
	    true, false, MTASTS_MODE_TESTING, 86400, 2, NOPROB },
	{ "policy valid mixed terminators, no final",
	    S("version: STSv1\r\nmode: enforce\nmx: a.example\r\nmax_age: 1"),
	    true, false, MTASTS_MODE_ENFORCE, 1, 1, NOPROB },
	{ "policy version not first", S("mode: enforce\nmx: a.example\n"
	    "max_age: 604800\nversion: STSv1\n"), true, false,
	    MTASTS_MODE_ENFORCE, 604800, 1, NOPROB },
	{ "policy no space after colon", S("version:STSv1\nmode:none\n"
	    "max_age:0\n"), true, false, MTASTS_MODE_NONE, 0, 0, NOPROB },
	{ "policy tabs and trailing spaces", S("version:\tSTSv1 \nmode: none\t"
	    "\nmax_age: 5 \n"), true, false, MTASTS_MODE_NONE, 5, 0,
	    NOPROB },
	{ "policy mode none without mx", S("version: STSv1\nmode: none\n"
	    "max_age: 86400\n"), true, false, MTASTS_MODE_NONE, 86400, 0,
	    NOPROB },
	{ "policy missing version", S("mode: enforce\nmx: a.example\n"
	    "max_age: 604800\n"), false, false, MTASTS_MODE_ENFORCE, 604800,
	    1, MTASTS_P_VERSION_MISSING },
	{ "policy bad version", S("version: STSv2\nmode: enforce\n"
	    "mx: a.example\nmax_age: 604800\n"), false, false,
	    MTASTS_MODE_ENFORCE, 604800, 1, MTASTS_P_VERSION_INVALID },
	{ "policy version case", S("version: stsv1\nmode: enforce\n"
	    "mx: a.example\nmax_age: 604800\n"), false, false,
	    MTASTS_MODE_ENFORCE, 604800, 1, MTASTS_P_VERSION_INVALID },
	{ "policy duplicate version", S(GOOD "version: STSv1\n"), true, true,
	    MTASTS_MODE_ENFORCE, 604800, 1, MTASTS_P_VERSION_DUP },
	{ "policy missing mode", S("version: STSv1\nmx: a.example\n"
	    "max_age: 604800\n"), false, false, MTASTS_MODE_UNSET, 604800, 1,
	    MTASTS_P_MODE_MISSING },
	{ "policy bad mode", S("version: STSv1\nmode: enforcing\n"
	    "mx: a.example\nmax_age: 604800\n"), false, false,
	    MTASTS_MODE_INVALID, 604800, 1, MTASTS_P_MODE_INVALID },
	{ "policy mode upper case", S("version: STSv1\nmode: Enforce\n"
	    "mx: a.example\nmax_age: 604800\n"), false, false,
	    MTASTS_MODE_INVALID, 604800, 1, MTASTS_P_MODE_INVALID },
	{ "policy old mode report", S("version: STSv1\nmode: report\n"
	    "mx: a.example\nmax_age: 604800\n"), false, false,
	    MTASTS_MODE_INVALID, 604800, 1, MTASTS_P_MODE_INVALID },
	{ "policy empty mode", S("version: STSv1\nmode:\n"
	    "mx: a.example\nmax_age: 604800\n"), false, false,
	    MTASTS_MODE_INVALID, 604800, 1, MTASTS_P_MODE_INVALID },
	{ "policy duplicate mode first used", S(GOOD "mode: none\n"), true,
	    true, MTASTS_MODE_ENFORCE, 604800, 1, MTASTS_P_MODE_DUP },
	{ "policy missing max_age", S("version: STSv1\nmode: enforce\n"
	    "mx: a.example\n"), false, false, MTASTS_MODE_ENFORCE, -1, 1,
	    MTASTS_P_MAX_AGE_MISSING },
	{ "policy max_age 0", S("version: STSv1\nmode: testing\n"
	    "mx: a.example\nmax_age: 0\n"), true, false, MTASTS_MODE_TESTING,
	    0, 1, NOPROB },
	{ "policy max_age at limit", S("version: STSv1\nmode: enforce\n"
	    "mx: a.example\nmax_age: 31557600\n"), true, false,
	    MTASTS_MODE_ENFORCE, 31557600, 1, NOPROB },
	{ "policy max_age above limit", S("version: STSv1\nmode: enforce\n"
	    "mx: a.example\nmax_age: 31557601\n"), true, false,
	    MTASTS_MODE_ENFORCE, 31557601, 1, NOPROB },
	{ "policy max_age 10 digits", S("version: STSv1\nmode: enforce\n"
	    "mx: a.example\nmax_age: 9999999999\n"), true, false,
	    MTASTS_MODE_ENFORCE, 9999999999L, 1, NOPROB },
	{ "policy max_age 11 digits", S("version: STSv1\nmode: enforce\n"
	    "mx: a.example\nmax_age: 10000000000\n"), false, false,
	    MTASTS_MODE_ENFORCE, -1, 1, MTASTS_P_MAX_AGE_INVALID },
	{ "policy max_age negative", S("version: STSv1\nmode: enforce\n"
	    "mx: a.example\nmax_age: -1\n"), false, false,
	    MTASTS_MODE_ENFORCE, -1, 1, MTASTS_P_MAX_AGE_INVALID },
	{ "policy max_age garbage", S("version: STSv1\nmode: enforce\n"
	    "mx: a.example\nmax_age: 1w\n"), false, false,
	    MTASTS_MODE_ENFORCE, -1, 1, MTASTS_P_MAX_AGE_INVALID },
	{ "policy max_age plus", S("version: STSv1\nmode: enforce\n"
	    "mx: a.example\nmax_age: +86400\n"), false, false,
	    MTASTS_MODE_ENFORCE, -1, 1, MTASTS_P_MAX_AGE_INVALID },
	{ "policy max_age empty", S("version: STSv1\nmode: enforce\n"
	    "mx: a.example\nmax_age:\n"), false, false,
	    MTASTS_MODE_ENFORCE, -1, 1, MTASTS_P_MAX_AGE_INVALID },
	{ "policy max_age duplicate", S(GOOD "max_age: 1\n"), true, true,
	    MTASTS_MODE_ENFORCE, 604800, 1, MTASTS_P_MAX_AGE_DUP },
	{ "policy enforce without mx", S("version: STSv1\nmode: enforce\n"
	    "max_age: 604800\n"), false, false, MTASTS_MODE_ENFORCE, 604800,
	    0, MTASTS_P_MX_MISSING },
	{ "policy testing without mx", S("version: STSv1\nmode: testing\n"
	    "max_age: 604800\n"), false, false, MTASTS_MODE_TESTING, 604800,
	    0, MTASTS_P_MX_MISSING },
	{ "policy mx wildcard inside", S("version: STSv1\nmode: enforce\n"
	    "mx: mx.*.example\nmax_age: 604800\n"), false, false,
	    MTASTS_MODE_ENFORCE, 604800, 0, MTASTS_P_MX_INVALID },
	{ "policy mx partial wildcard", S("version: STSv1\nmode: enforce\n"
	    "mx: mx*.example.com\nmax_age: 604800\n"), false, false,
	    MTASTS_MODE_ENFORCE, 604800, 0, MTASTS_P_MX_INVALID },
	{ "policy mx bare star", S("version: STSv1\nmode: enforce\n"
	    "mx: *\nmax_age: 604800\n"), false, false,
	    MTASTS_MODE_ENFORCE, 604800, 0, MTASTS_P_MX_INVALID },
	{ "policy mx double wildcard", S("version: STSv1\nmode: enforce\n"
	    "mx: *.*.example.com\nmax_age: 604800\n"), false, false,
	    MTASTS_MODE_ENFORCE, 604800, 0, MTASTS_P_MX_INVALID },
	{ "policy mx leading dot", S("version: STSv1\nmode: enforce\n"
	    "mx: .example.com\nmax_age: 604800\n"), false, false,
	    MTASTS_MODE_ENFORCE, 604800, 0, MTASTS_P_MX_INVALID },
	{ "policy mx trailing dot", S("version: STSv1\nmode: enforce\n"
	    "mx: mx.example.com.\nmax_age: 604800\n"), false, false,
	    MTASTS_MODE_ENFORCE, 604800, 0, MTASTS_P_MX_INVALID },
	{ "policy mx two patterns on a line", S("version: STSv1\n"
	    "mode: enforce\nmx: a.example b.example\nmax_age: 604800\n"),
	    false, false, MTASTS_MODE_ENFORCE, 604800, 0,
	    MTASTS_P_MX_INVALID },
	{ "policy mx U-label", S("version: STSv1\nmode: enforce\n"
	    "mx: mx.b\xc3\xbc" "cher.example\nmax_age: 604800\n"), false, false,
	    MTASTS_MODE_ENFORCE, 604800, 0, MTASTS_P_NON_ASCII },
	{ "policy mx A-label", S("version: STSv1\nmode: enforce\n"
	    "mx: mx.xn--bcher-kva.example\nmax_age: 604800\n"), true, false,
	    MTASTS_MODE_ENFORCE, 604800, 1, NOPROB },
	{ "policy mx hyphen edge", S("version: STSv1\nmode: enforce\n"
	    "mx: -mx.example.com\nmax_age: 604800\n"), false, false,
	    MTASTS_MODE_ENFORCE, 604800, 0, MTASTS_P_MX_INVALID },
	{ "policy mx empty", S("version: STSv1\nmode: enforce\n"
	    "mx:\nmax_age: 604800\n"), false, false,
	    MTASTS_MODE_ENFORCE, 604800, 0, MTASTS_P_MX_INVALID },
	{ "policy unknown key kept", S(GOOD "foo: bar baz\n"), true, false,
	    MTASTS_MODE_ENFORCE, 604800, 1, NOPROB },
	{ "policy key typo case", S(GOOD "Mode: testing\n"), true, true,
	    MTASTS_MODE_ENFORCE, 604800, 1, MTASTS_P_KEY_TYPO },
	{ "policy key typo hyphen", S("version: STSv1\nmode: enforce\n"
	    "mx: a.example\nmax-age: 604800\n"), false, true,
	    MTASTS_MODE_ENFORCE, -1, 1, MTASTS_P_KEY_TYPO },
	{ "policy unknown key empty value", S(GOOD "foo:\n"), false, false,
	    MTASTS_MODE_ENFORCE, 604800, 1, MTASTS_P_BAD_VALUE },
	{ "policy space before colon", S("version: STSv1\nmode : enforce\n"
	    "mx: a.example\nmax_age: 604800\n"), false, false,
	    MTASTS_MODE_UNSET, 604800, 1, MTASTS_P_BAD_KEY },
	{ "policy leading space", S("version: STSv1\n mode: enforce\n"
	    "mx: a.example\nmax_age: 604800\n"), false, false,
	    MTASTS_MODE_UNSET, 604800, 1, MTASTS_P_BAD_KEY },
	{ "policy line without colon", S(GOOD "garbage\n"), false, false,
	    MTASTS_MODE_ENFORCE, 604800, 1, MTASTS_P_NO_COLON },
	{ "policy empty line between", S("version: STSv1\n\nmode: enforce\n"
	    "mx: a.example\nmax_age: 604800\n"), true, false,
	    MTASTS_MODE_ENFORCE, 604800, 1, MTASTS_P_EMPTY_LINE },
	{ "policy trailing blank line", S(GOOD "\n"), true, false,
	    MTASTS_MODE_ENFORCE, 604800, 1, MTASTS_P_EMPTY_LINE },
	{ "policy bare CR joins lines", S("version: STSv1\rmode: enforce\n"
	    "mx: a.example\nmax_age: 604800\n"), false, false,
	    MTASTS_MODE_UNSET, 604800, 1, MTASTS_P_CONTROL },
	{ "policy CR only terminators", S("version: STSv1\rmode: enforce\r"
	    "mx: a.example\rmax_age: 604800\r"), false, false,
	    MTASTS_MODE_UNSET, -1, 0, MTASTS_P_CONTROL },
	{ "policy NUL in value", S("version: STSv1\nmode: enforce\0\n"
	    "mx: a.example\nmax_age: 604800\n"), false, false,
	    MTASTS_MODE_INVALID, 604800, 1, MTASTS_P_CONTROL },
	{ "policy NUL byte line", S(GOOD "\0\n"), false, false,
	    MTASTS_MODE_ENFORCE, 604800, 1, MTASTS_P_CONTROL },
	{ "policy non-ASCII unknown value", S(GOOD "x: caf\xc3\xa9\n"), false,
	    false, MTASTS_MODE_ENFORCE, 604800, 1, MTASTS_P_NON_ASCII },
	{ "policy empty body", "", 0, false, false, MTASTS_MODE_UNSET, -1,
	    0, MTASTS_P_EMPTY },
	{ "policy only newline", S("\n"), false, false, MTASTS_MODE_UNSET, -1,
	    0, MTASTS_P_VERSION_MISSING },
	{ "policy html error page", S("<html><body>404</body></html>\n"),
	    false, false, MTASTS_MODE_UNSET, -1, 0, MTASTS_P_NO_COLON },
};

static bool
pol_has_prob(const struct mtasts_policy *pol, int code)
{
	size_t i;

	for (i = 0; i < pol->nproblems; i++)
		if ((int)pol->problems[i].code == code)
			return true;
	return false;
}

static void
test_policy_table(void)
{
	struct mtasts_policy *pol = malloc(sizeof(*pol));
	char name[200];
	size_t i;

	if (pol == NULL) {
		unit_report(0, "policy table: malloc", "memory", "none");
		return;
	}
	mtasts_policy_init(pol);
	for (i = 0; i < sizeof(pol_cases) / sizeof(pol_cases[0]); i++) {
		const struct pol_case *c = &pol_cases[i];
		enum st_err err;

		/* Reparse into the same struct: parse must reset it. */
		err = mtasts_policy_parse(pol, c->body, c->len);
		snprintf(name, sizeof(name), "%s: return", c->name);
		unit_eq_long(name, ST_OK, err);
		snprintf(name, sizeof(name), "%s: valid", c->name);
		unit_eq_long(name, c->valid, pol->valid);
		snprintf(name, sizeof(name), "%s: warn", c->name);
		unit_eq_long(name, c->warn, pol->warn);
		snprintf(name, sizeof(name), "%s: mode", c->name);
		unit_eq_str(name, mtasts_mode_name(c->mode),
		    mtasts_mode_name(pol->mode));
		snprintf(name, sizeof(name), "%s: max_age", c->name);
		unit_eq_long(name, c->max_age,
		    pol->has_max_age ? (long)pol->max_age : -1);
		snprintf(name, sizeof(name), "%s: mx count", c->name);
		unit_eq_long(name, (long)c->nmx, (long)pol->nmx);
		snprintf(name, sizeof(name), "%s: problem", c->name);
		if (c->prob == NOPROB)
			unit_eq_long(name, 0, (long)pol->nproblems);
		else
			unit_report(pol_has_prob(pol, c->prob), name,
			    mtasts_policy_prob_name(c->prob),
			    pol->nproblems > 0 ? mtasts_policy_prob_name(
			    pol->problems[0].code) : "(none)");
	}
	mtasts_policy_release(pol);
	free(pol);
}

static void
test_policy_misc(void)
{
	struct mtasts_policy *pol = malloc(sizeof(*pol));
	char *body = malloc(MTASTS_POLICY_MAX + 2);
	size_t n, i;

	if (pol == NULL || body == NULL) {
		unit_report(0, "policy misc: malloc", "memory", "none");
		goto out;
	}
	mtasts_policy_init(pol);

	/* Fields as the report wants them. */
	unit_eq_long("policy fields: return", ST_OK, mtasts_policy_parse(pol,
	    S("version: STSv1\nmode: testing\nmx: MX1.Example.COM\n"
	    "mx: *.example.net\nmax_age: 3600\next.x-y: some value  \n")));
	unit_eq_str("policy fields: mx[0] as written", "MX1.Example.COM",
	    pol->nmx > 0 ? pol->mx[0] : NULL);
	unit_eq_str("policy fields: mx[1]", "*.example.net",
	    pol->nmx > 1 ? pol->mx[1] : NULL);
	unit_eq_long("policy fields: max_age short", 1, pol->max_age_short);
	unit_eq_long("policy fields: max_age long", 0, pol->max_age_long);
	unit_eq_long("policy fields: unknown count", 1, (long)pol->nunknown);
	unit_eq_str("policy fields: unknown key", "ext.x-y",
	    pol->unknown[0].key);
	unit_eq_str("policy fields: unknown value", "some value",
	    pol->unknown[0].value);
	unit_eq_long("policy fields: unknown line", 6,
	    (long)pol->unknown[0].line);
	unit_eq_long("policy fields: lines", 6, (long)pol->lines);
	unit_eq_str("policy match: exact, case", "MX1.Example.COM",
	    mtasts_policy_match(pol, S("mx1.example.com")));
	unit_eq_str("policy match: wildcard", "*.example.net",
	    mtasts_policy_match(pol, S("mx9.EXAMPLE.net.")));
	unit_eq_str("policy match: none", NULL,
	    mtasts_policy_match(pol, S("example.net")));
	unit_eq_str("policy match: NULL policy", NULL,
	    mtasts_policy_match(NULL, S("example.net")));

	/* max_age above the RFC limit is flagged long. */
	unit_eq_long("policy long: return", ST_OK, mtasts_policy_parse(pol,
	    S("version: STSv1\nmode: enforce\nmx: a.example\n"
	    "max_age: 31557601\n")));
	unit_eq_long("policy long: long", 1, pol->max_age_long);
	unit_eq_long("policy long: short", 0, pol->max_age_short);

	/* 10,000 mx lines: all kept (a sender honours every one), the last
	 * one matches, still valid; memory bounded by the 64 KiB body. */
	n = (size_t)snprintf(body, MTASTS_POLICY_MAX,
	    "version: STSv1\nmode: enforce\nmax_age: 604800\n");
	for (i = 0; i < 10000 && n + 5 <= MTASTS_POLICY_MAX; i++) {
		memcpy(body + n, "mx:a\n", 5);
		n += 5;
	}
	unit_eq_long("policy 10000 mx: lines fit", 10000, (long)i);
	unit_eq_long("policy 10000 mx: return", ST_OK,
	    mtasts_policy_parse(pol, body, n));
	unit_eq_long("policy 10000 mx: valid", 1, pol->valid);
	unit_eq_long("policy 10000 mx: kept", 10000, (long)pol->nmx);
	unit_eq_long("policy 10000 mx: lines", 10000, (long)pol->mx_lines);
	unit_eq_long("policy 10000 mx: dropped", 0, (long)pol->mx_dropped);
	unit_eq_long("policy 10000 mx: not flagged", 0,
	    pol_has_prob(pol, MTASTS_P_MX_TOO_MANY));
	/* the last of 10,000 patterns takes part in matching */
	n = (size_t)snprintf(body, MTASTS_POLICY_MAX,
	    "version: STSv1\nmode: enforce\nmax_age: 604800\n");
	for (i = 0; i < 9999; i++) {
		memcpy(body + n, "mx:a\n", 5);
		n += 5;
	}
	memcpy(body + n, "mx:mx1.example\n", 15);
	n += 15;
	unit_eq_long("policy 10000 mx, match last: return", ST_OK,
	    mtasts_policy_parse(pol, body, n));
	unit_eq_str("policy 10000 mx, match last", "mx1.example",
	    mtasts_policy_match(pol, "mx1.example", 11));

	/* 10,000 bad lines: problems capped. */
	n = 0;
	for (i = 0; i < 10000; i++) {
		memcpy(body + n, "bad\n", 4);
		n += 4;
	}
	unit_eq_long("policy 10000 bad lines: return", ST_OK,
	    mtasts_policy_parse(pol, body, n));
	unit_eq_long("policy 10000 bad lines: kept", MTASTS_PROBLEMS_MAX,
	    (long)pol->nproblems);
	unit_eq_long("policy 10000 bad lines: counted",
	    10000 + 3 - MTASTS_PROBLEMS_MAX, (long)pol->problems_dropped);
	unit_eq_long("policy 10000 bad lines: invalid", 0, pol->valid);

	/* Many unknown keys: capped. */
	n = (size_t)snprintf(body, MTASTS_POLICY_MAX, GOOD);
	for (i = 0; i < 100; i++)
		n += (size_t)snprintf(body + n, MTASTS_POLICY_MAX - n,
		    "k%zu: v\n", i);
	unit_eq_long("policy many unknown: return", ST_OK,
	    mtasts_policy_parse(pol, body, n));
	unit_eq_long("policy many unknown: kept", MTASTS_UNKNOWN_MAX,
	    (long)pol->nunknown);
	unit_eq_long("policy many unknown: dropped", 100 - MTASTS_UNKNOWN_MAX,
	    (long)pol->unknown_dropped);
	unit_eq_long("policy many unknown: valid", 1, pol->valid);

	/* Long unknown value: cut. */
	n = (size_t)snprintf(body, MTASTS_POLICY_MAX, GOOD "x: ");
	memset(body + n, 'v', 1000);
	n += 1000;
	unit_eq_long("policy long value: return", ST_OK,
	    mtasts_policy_parse(pol, body, n));
	unit_eq_long("policy long value: cut", 1, pol->unknown[0].value_cut);
	unit_eq_long("policy long value: kept", MTASTS_VALUE_MAX,
	    (long)strlen(pol->unknown[0].value));

	/* Body at and over the limit. */
	memset(body, 'x', MTASTS_POLICY_MAX + 1);
	unit_eq_long("policy at limit: return", ST_OK,
	    mtasts_policy_parse(pol, body, MTASTS_POLICY_MAX));
	unit_eq_long("policy at limit: parsed", 0,
	    pol_has_prob(pol, MTASTS_P_TOO_LARGE));
	unit_eq_long("policy oversized: return", ST_OK,
	    mtasts_policy_parse(pol, body, MTASTS_POLICY_MAX + 1));
	unit_eq_long("policy oversized: flagged", 1,
	    pol_has_prob(pol, MTASTS_P_TOO_LARGE));
	unit_eq_long("policy oversized: invalid", 0, pol->valid);
	unit_eq_long("policy oversized: evidence bounded",
	    MTASTS_EVIDENCE_MAX, (long)pol->problems[0].evidence_len);

	/* Long mx pattern: 254 octets is no host name. */
	n = (size_t)snprintf(body, MTASTS_POLICY_MAX,
	    "version: STSv1\nmode: enforce\nmax_age: 1\nmx: ");
	for (i = 0; i < 4; i++) {
		memset(body + n, 'a', 63);
		n += 63;
		body[n++] = '.';
	}
	body[n++] = 'b';
	body[n++] = 'c';
	unit_eq_long("policy 258-octet mx: return", ST_OK,
	    mtasts_policy_parse(pol, body, n));
	unit_eq_long("policy 258-octet mx: invalid", 1,
	    pol_has_prob(pol, MTASTS_P_MX_INVALID));

	unit_eq_long("policy NULL result", ST_ERR_INVAL,
	    mtasts_policy_parse(NULL, S("x")));
	unit_eq_long("policy NULL body", ST_ERR_INVAL,
	    mtasts_policy_parse(pol, NULL, 3));
	mtasts_policy_release(pol);
	mtasts_policy_release(NULL);
out:
	free(body);
	free(pol);
}

/* ---- mx pattern matching (RFC 8461 4.1) ------------------------------- */

struct match_case {
	const char *pattern;
	const char *host;
	bool match;
};

static const struct match_case match_cases[] = {
	{ "mx.example.com", "mx.example.com", true },
	{ "mx.example.com", "MX.Example.Com", true },
	{ "MX.EXAMPLE.COM", "mx.example.com", true },
	{ "mx.example.com", "mx.example.com.", true },
	{ "mx.example.com", "mx2.example.com", false },
	{ "mx.example.com", "x.mx.example.com", false },
	{ "mx.example.com", "example.com", false },
	{ "*.example.com", "mx.example.com", true },
	{ "*.example.com", "MX.EXAMPLE.COM", true },
	{ "*.Example.com", "mx.example.COM", true },
	{ "*.example.com", "example.com", false },
	{ "*.example.com", "a.b.example.com", false },
	{ "*.example.com", ".example.com", false },
	{ "*.example.com", "mx.example.org", false },
	{ "*.example.com", "mxexample.com", false },
	{ "*.example.com", "*.example.com", false },
	{ "*.com", "example.com", true },
	{ "*", "example", false },
	{ "*.", "example.", false },
	{ "mx*.example.com", "mx1.example.com", false },
	{ "mx.*.com", "mx.example.com", false },
	{ "*.*.example.com", "a.b.example.com", false },
	{ "", "mx.example.com", false },
	{ "mx.example.com", "", false },
	{ "mx.example.com", ".", false },
	{ "a..b", "a..b", false },
	{ "*.a..b", "x.a..b", false },
};

static void
test_match_table(void)
{
	char name[200];
	size_t i;

	for (i = 0; i < sizeof(match_cases) / sizeof(match_cases[0]); i++) {
		const struct match_case *c = &match_cases[i];

		snprintf(name, sizeof(name), "match '%s' '%s'", c->pattern,
		    c->host);
		unit_eq_long(name, c->match, mtasts_mx_match(c->pattern,
		    strlen(c->pattern), c->host, strlen(c->host)));
	}
	unit_eq_long("match NULL pattern", 0,
	    mtasts_mx_match(NULL, 0, S("a.b")));
	unit_eq_long("match NULL host", 0, mtasts_mx_match(S("a.b"), NULL, 0));
	/* Length, not NUL, ends the input. */
	unit_eq_long("match embedded NUL", 0,
	    mtasts_mx_match(S("a.b"), S("a.b\0x")));
	unit_eq_long("match prefix by length", 1,
	    mtasts_mx_match(S("a.b"), "a.bcd", 3));
}

int
main(void)
{
	test_txt_table();
	test_txt_misc();
	test_policy_table();
	test_policy_misc();
	test_match_table();
	return unit_exit();
}
