/*
 * test_txt_record.c - table tests of the record grammar shared by the
 * _mta-sts and _smtp._tls TXT records (RFC 8461 3.1, RFC 8460 3): how a
 * record begins, which records count, the field walk and the extension
 * rule. The protocol parsers' own tables are in test_mtasts.c and
 * test_tlsrpt.c.
 */
#include "txt_record.h"

#include <stdio.h>
#include <string.h>

#include "unit.h"

#include "banned.h"

/* A literal with its length, so that embedded NULs count. */
#define S(s) s, sizeof(s) - 1

static const char *const start_names[] = {
    [TXT_START_OTHER] = "other",
    [TXT_START_EXACT] = "exact",
    [TXT_START_WS] = "ws",
    [TXT_START_BARE] = "bare",
    [TXT_START_LOOKALIKE] = "lookalike",
};

static const struct {
	const char *name;
	const char *p;
	size_t len;
	enum txt_record_start start;
} starts[] = {
    {"tag and semicolon", S("v=STSv1;id=a"), TXT_START_EXACT},
    {"tag, semicolon, nothing else", S("v=STSv1;"), TXT_START_EXACT},
    {"space before semicolon", S("v=STSv1 ;id=a"), TXT_START_WS},
    {"tab before semicolon", S("v=STSv1\t;id=a"), TXT_START_WS},
    {"tag alone", S("v=STSv1"), TXT_START_BARE},
    {"tag and tab", S("v=STSv1\t"), TXT_START_BARE},
    {"tag then a field without delimiter", S("v=STSv1 id=a"),
     TXT_START_LOOKALIKE},
    {"other version", S("v=STSv2;id=a"), TXT_START_LOOKALIKE},
    {"longer version", S("v=STSv10;id=a"), TXT_START_LOOKALIKE},
    {"lower case", S("v=stsv1;id=a"), TXT_START_LOOKALIKE},
    {"space before tag", S(" v=STSv1;id=a"), TXT_START_LOOKALIKE},
    {"tag cut short", S("v=STS"), TXT_START_OTHER},
    {"field before tag", S("id=a; v=STSv1"), TXT_START_OTHER},
    {"spf", S("v=spf1 -all"), TXT_START_OTHER},
    {"empty", S(""), TXT_START_OTHER},
    {"NUL after tag", S("v=STSv1\0;"), TXT_START_LOOKALIKE},
};

static void
test_start(void)
{
	char name[160];
	size_t i;

	for (i = 0; i < sizeof(starts) / sizeof(starts[0]); i++) {
		snprintf(name, sizeof(name), "start %s", starts[i].name);
		unit_eq_str(name, start_names[starts[i].start],
		            start_names[txt_record_start(
		                starts[i].p, starts[i].len, "v=STSv1")]);
	}
	unit_eq_str("start NULL", "other",
	            start_names[txt_record_start(NULL, 0, "v=STSv1")]);
	unit_eq_str(
	    "start tlsrpt tag", "exact",
	    start_names[txt_record_start(S("v=TLSRPTv1;rua=x"), "v=TLSRPTv1")]);
}

/* RFC 8461 3.1 / RFC 8460 3: the discard rule applies to several records. */
static const struct {
	enum txt_record_start start;
	size_t n;
	bool bare;
	bool counts;
} counts[] = {
    {TXT_START_EXACT, 1, false, true}, {TXT_START_EXACT, 3, false, true},
    {TXT_START_WS, 1, false, true},    {TXT_START_WS, 2, false, false},
    {TXT_START_BARE, 1, false, false}, {TXT_START_BARE, 1, true, true},
    {TXT_START_BARE, 2, true, false},  {TXT_START_LOOKALIKE, 1, true, false},
    {TXT_START_OTHER, 1, true, false},
};

static void
test_counts(void)
{
	char name[160];
	size_t i;

	for (i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
		snprintf(name, sizeof(name), "counts %s of %zu%s",
		         start_names[counts[i].start], counts[i].n,
		         counts[i].bare ? " (bare counts)" : "");
		unit_eq_long(name, counts[i].counts,
		             txt_record_counts(counts[i].start, counts[i].n,
		                               counts[i].bare));
	}
}

/*
 * Walk rows: the fields seen, written as "name=value" or "!" for a field
 * without "=", "<>" for an empty one, then "+ws" when trailing WSP
 * follows the last one, joined by "|".
 */
static const struct {
	const char *name;
	const char *p;
	size_t len;
	const char *fields;
	bool ws_before_semi;
} walks[] = {
    {"one field", S("v=STSv1;id=a"), "id=a", false},
    {"tab after semicolon", S("v=STSv1;\tid=a"), "id=a", false},
    {"tabs and spaces around semicolons", S("v=STSv1 \t; \tid=a\t ;\tx=1"),
     "id=a|x=1", true},
    {"final field-delim", S("v=STSv1; id=a; \t"), "id=a", false},
    {"trailing space", S("v=STSv1; id=a "), "id=a+ws", false},
    {"trailing tab", S("v=STSv1; id=a\t"), "id=a+ws", false},
    {"empty field", S("v=STSv1;;id=a"), "<>|id=a", false},
    {"empty field of spaces", S("v=STSv1; ; id=a"), "<>|id=a", false},
    {"two final semicolons", S("v=STSv1;id=a;;"), "id=a|<>", false},
    {"no equals", S("v=STSv1; junk"), "!", false},
    {"value with inner space", S("v=STSv1; rua=a , b"), "rua=a , b", false},
    {"first equals splits", S("v=STSv1; x=a=b"), "x=a=b", false},
    {"no fields", S("v=STSv1;"), "", false},
    {"bare tag", S("v=STSv1"), "", false},
    {"not a candidate", S("v=STSv1 id=a"), "", false},
};

/* walk_render - the fields of (p, len) in the rows' notation */
static void
walk_render(const char *p, size_t len, char *out, size_t outlen)
{
	struct txt_record_walk w;
	struct txt_record_field f;
	char one[100];

	out[0] = '\0';
	txt_record_walk_init(&w, p, len, strlen("v=STSv1"));
	while (txt_record_next(&w, &f)) {
		if (f.len == 0)
			snprintf(one, sizeof(one), "<>");
		else if (f.value == NULL)
			snprintf(one, sizeof(one), "!");
		else
			snprintf(one, sizeof(one), "%.*s=%.*s", (int)f.name_len,
			         f.p, (int)f.value_len, f.value);
		if (out[0] != '\0' && strlen(out) + 1 < outlen)
			memcpy(out + strlen(out), "|", 2);
		if (strlen(out) + strlen(one) < outlen)
			memcpy(out + strlen(out), one, strlen(one) + 1);
		if (f.trailing_ws && strlen(out) + 3 < outlen)
			memcpy(out + strlen(out), "+ws", 4);
	}
}

static void
test_walk(void)
{
	char name[160], seen[200];
	struct txt_record_walk w;
	size_t i;

	for (i = 0; i < sizeof(walks) / sizeof(walks[0]); i++) {
		walk_render(walks[i].p, walks[i].len, seen, sizeof(seen));
		snprintf(name, sizeof(name), "walk %s: fields", walks[i].name);
		unit_eq_str(name, walks[i].fields, seen);
		txt_record_walk_init(&w, walks[i].p, walks[i].len, 7);
		snprintf(name, sizeof(name), "walk %s: ws before semicolon",
		         walks[i].name);
		unit_eq_long(name, walks[i].ws_before_semi, w.ws_before_semi);
	}
}

static const struct {
	const char *label;
	const char *p;
	size_t len;
	bool name_ok;
	bool value_ok;
} exts[] = {
    {"a", S("a"), true, true},
    {"a.b", S("a.b"), true, true},
    {"a-b", S("a-b"), true, true},
    {"a_b", S("a_b"), true, true},
    {"9._-", S("9._-"), true, true},
    {"32 octets", S("abcdefghijklmnopqrstuvwxyz012345"), true, true},
    {"33 octets", S("abcdefghijklmnopqrstuvwxyz0123456"), false, true},
    {".a", S(".a"), false, true},
    {"_a", S("_a"), false, true},
    {"-a", S("-a"), false, true},
    {"a+b", S("a+b"), false, true},
    {"a SP b", S("a b"), false, false},
    {"a HTAB b", S("a\tb"), false, false},
    {"a=b", S("a=b"), false, false},
    {"a;b", S("a;b"), false, false},
    {"!:<>~", S("!:<>~"), false, true},
    {"non-ASCII", S("\xc3\xa9"), false, false},
    {"DEL", S("a\x7f"), false, false},
    {"NUL", S("a\0"), false, false},
    {"empty", S(""), false, false},
};

static void
test_ext(void)
{
	char name[160];
	size_t i;

	for (i = 0; i < sizeof(exts) / sizeof(exts[0]); i++) {
		snprintf(name, sizeof(name), "ext name %s", exts[i].label);
		unit_eq_long(name, exts[i].name_ok,
		             txt_record_ext_name_ok(exts[i].p, exts[i].len));
		snprintf(name, sizeof(name), "ext value %s", exts[i].label);
		unit_eq_long(name, exts[i].value_ok,
		             txt_record_ext_value_ok(exts[i].p, exts[i].len));
	}
}

int
main(void)
{
	test_start();
	test_counts();
	test_walk();
	test_ext();
	return unit_exit();
}
