/*
 * test_report_html.c - the HTML escaper (one table of hostile strings,
 * each also cut at every byte boundary: no cut may leave markup behind)
 * and the page rendered from a probe document full of markup.
 */
#include "report_html.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "buf.h"
#include "unit.h"

#include "banned.h"

/* A literal with its length, so that embedded NULs count. */
#define S(s) s, sizeof(s) - 1
#define FFFD "\xef\xbf\xbd"

struct esc_case {
	const char *name;
	const char *in;
	size_t len;
	const char *want;
};

static const struct esc_case esc_cases[] = {
	{ "plain", S("mx1.lab.test"), "mx1.lab.test" },
	{ "empty", S(""), "" },
	{ "script", S("<script>alert(1)</script>"),
	    "&lt;script&gt;alert(1)&lt;/script&gt;" },
	{ "quotes", S("a\"b'c"), "a&quot;b&#39;c" },
	{ "attribute breakout", S("\" onmouseover=\"x"),
	    "&quot; onmouseover=&quot;x" },
	{ "ampersand", S("&amp; &"), "&amp;amp; &amp;" },
	{ "entity-looking", S("&#60;"), "&amp;#60;" },
	{ "nul", S("a\0b"), "a" FFFD "b" },
	{ "esc and bel", S("\x1b[31m\x07"), FFFD "[31m" FFFD },
	{ "cr kept out", S("a\r\nb"), "a" FFFD "\nb" },
	{ "tab kept", S("a\tb"), "a\tb" },
	{ "del", S("\x7f"), FFFD },
	{ "utf-8 kept", S("gr\xc3\xbc\xc3\x9f \xe2\x9c\x93"),
	    "gr\xc3\xbc\xc3\x9f \xe2\x9c\x93" },
	{ "lone continuation", S("\x80<"), FFFD "&lt;" },
	{ "overlong slash", S("\xc0\xaf"), FFFD FFFD },
	{ "overlong lt", S("\xc0\xbc"), FFFD FFFD },
	{ "truncated sequence", S("\xe2\x9c"), FFFD FFFD },
	{ "surrogate", S("\xed\xa0\x80"), FFFD FFFD FFFD },
	{ "past U+10FFFF", S("\xf4\x90\x80\x80"), FFFD FFFD FFFD FFFD },
	{ "latin-1 byte", S("caf\xe9"), "caf" FFFD },
};

/* has_markup - a '<', '>', '"' or '\'' left in escaped text */
static int
has_markup(const char *s, size_t len)
{
	return memchr(s, '<', len) != NULL || memchr(s, '>', len) != NULL ||
	       memchr(s, '"', len) != NULL || memchr(s, '\'', len) != NULL;
}

static void
test_escape(void)
{
	for (size_t i = 0; i < sizeof(esc_cases) / sizeof(esc_cases[0]); i++) {
		const struct esc_case *c = &esc_cases[i];
		struct buf b;
		int clean = 1;

		buf_init(&b, 4096);
		unit_eq_long(c->name, ST_OK,
		    report_html_escape(&b, c->in, c->len));
		unit_eq_str(c->name, c->want, b.data ? b.data : "");
		/* every prefix too: a cut inside a sequence or an entity
		 * must not leave markup or invalid UTF-8 behind */
		for (size_t cut = 0; cut <= c->len; cut++) {
			buf_reset(&b);
			if (report_html_escape(&b, c->in, cut) != ST_OK ||
			    has_markup(b.data ? b.data : "", b.len))
				clean = 0;
		}
		unit_eq_long("every prefix clean", 1, clean);
		buf_release(&b);
	}
}

/* The limit of the buffer is an error, never a cut page. */
static void
test_escape_limit(void)
{
	struct buf b;

	buf_init(&b, 8);
	unit_eq_long("limit reached", ST_ERR_LIMIT,
	    report_html_escape(&b, S("<<<<<<<<")));
	buf_release(&b);
}

/* A probe document whose every string is markup: the page must carry
 * none of it unescaped. */
static const char hostile_doc[] =
    "{\"schema_version\":\"1.0\",\"type\":\"probe\","
    "\"tool\":{\"name\":\"smtptls\",\"version\":\"<b>\"},"
    "\"target\":{\"input\":\"<script>alert(1)</script>\","
    "\"domain\":\"\\\"><img src=x>\"},"
    "\"mx\":[{\"name\":\"<i>mx</i>\",\"addresses\":[{\"address\":"
    "\"'onload='x\",\"timings_ms\":{\"connect\":1,\"total\":2},"
    "\"state\":\"<st>\",\"error\":{\"message\":\"<em>\"},"
    "\"smtp\":{\"banner\":{\"lines\":[\"220 <u>x</u>\"]},"
    "\"ehlo\":{\"lines\":[\"250-<q>\",\"250 <a href=x>\"]}},"
    "\"tls\":{\"version\":\"<tls>\",\"chain\":[{\"depth\":0,"
    "\"subject\":\"CN=<svg onload=x>\",\"issuer\":\"&\","
    "\"not_after\":\"</td>\"}]}}]}],"
    "\"checks\":[{\"id\":\"<id>\",\"status\":\"fail\","
    "\"severity\":\"high\",\"subject\":{\"domain\":\"<d>\"},"
    "\"detail\":\"<script>x</script>\"}],"
    "\"verdicts\":{\"min_tls\":\"<v>\",\"levels\":{\"opportunistic\":"
    "{\"outcome\":\"<o>\",\"status\":\"\\\" x=\\\"\",\"addresses\":[]}}},"
    "\"summary\":{\"exit_reason\":\"<r>\"}}";

static void
test_page(void)
{
	cJSON *doc = cJSON_Parse(hostile_doc);
	struct buf b;
	enum st_err err;

	buf_init(&b, 1u << 20);
	err = doc ? report_html_render_doc(doc, &b) : ST_ERR_PARSE;
	unit_eq_long("hostile page rendered", ST_OK, err);
	if (err == ST_OK) {
		const char *bad[] = { "<script", "<img", "<svg", "<i>", "<b>",
			"<tls>", "<id>", "<d>", "<o>", "<r>", "<v>",
			"'onload", "\" x=\"", "</td>\"", "<st>", "<em>", "<u>",
			"<q>", "<a " };

		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
			unit_eq_long(bad[i], 0,
			    strstr(b.data, bad[i]) != NULL);
		unit_eq_long("escaped title present", 1,
		    strstr(b.data, "&lt;script&gt;alert(1)&lt;/script&gt;") !=
		        NULL);
		unit_eq_long("escaped banner present", 1,
		    strstr(b.data, "220 &lt;u&gt;x&lt;/u&gt;") != NULL);
		unit_eq_long("page complete", 1,
		    strstr(b.data, "</html>\n") != NULL);
	}
	/* A limit too small for the page is an error, not a cut page. */
	buf_release(&b);
	buf_init(&b, 1000);
	unit_eq_long("page over the limit", ST_ERR_LIMIT,
	    doc ? report_html_render_doc(doc, &b) : ST_ERR_PARSE);
	buf_release(&b);
	cJSON_Delete(doc);
}

int
main(void)
{
	test_escape();
	test_escape_limit();
	test_page();
	return unit_exit();
}
