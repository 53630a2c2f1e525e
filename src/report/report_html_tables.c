/*
 * report_html_tables.c - the two tables at the top of the HTML page: the
 * domain summary and the verdict matrix (levels x MX addresses).
 */
#include <string.h>

#include "report_html_int.h"
#include "smtptls/probe.h"

#include "banned.h"

/* The level names of report.md 5.10, in their order: the probe's own. */
#define NLEVELS ((size_t)LEVEL__COUNT)
#define LEVEL(i) probe_level_name((enum probe_level)(i))

/* outcome_class - the CSS class of an outcome or status: a literal from
 * this table, never text of the document */
static const char *
outcome_class(const char *v)
{
	static const char *const known[][2] = {
		{ "deliver", "o-deliver" },
		{ "partial", "o-partial" },
		{ "defer", "o-defer" },
		{ "unknown", "o-unknown" },
		{ "no-mail", "o-no-mail" },
		{ "pass", "s-pass" },
		{ "warn", "s-warn" },
		{ "fail", "s-fail" },
		{ "info", "s-info" },
		{ "skip", "s-skip" },
		{ "error", "s-error" },
	};

	for (size_t i = 0; v != NULL && i < sizeof(known) / sizeof(known[0]);
	     i++)
		if (strcmp(v, known[i][0]) == 0)
			return known[i][1];
	return NULL;
}

/* row - one line of the summary table: a header and a keyed cell */
static void
row(struct html *h, const char *label, const char *key, const char *text)
{
	html_fmt(h, "<tr><th>%s</th>", label);
	html_cell(h, text, key, NULL, NULL);
	html_raw(h, "</tr>\n");
}

static void
row_num(struct html *h, const char *label, const char *key, long n)
{
	html_fmt(h, "<tr><th>%s</th>", label);
	html_cell_num(h, n, key, NULL, NULL);
	html_raw(h, "</tr>\n");
}

/* delivering - how many levels of the document have outcome deliver, and
 * (in *n) how many levels it has */
static long
delivering(const cJSON *lv, long *n)
{
	long d = 0;

	*n = 0;
	for (size_t i = 0; i < NLEVELS; i++) {
		const cJSON *l = json_get(lv, LEVEL(i));

		if (l == NULL)
			continue;
		(*n)++;
		if (strcmp(json_str(l, "outcome") ? json_str(l, "outcome") : "",
		        "deliver") == 0)
			d++;
	}
	return d;
}

/* policy_rows - MTA-STS and TLS-RPT as the domain publishes them */
static void
policy_rows(struct html *h, const cJSON *doc)
{
	const cJSON *sts = json_get(doc, "mta_sts");
	const cJSON *parsed = json_get(json_get(sts, "policy"), "parsed");

	row(h, "MTA-STS mode", "mta_sts.mode", json_str(parsed, "mode"));
	row(h, "MTA-STS id", "mta_sts.id",
	    json_str(json_get(sts, "txt"), "id"));
	row(h, "TLS-RPT record", "tls_rpt.record",
	    json_str(json_get(doc, "tls_rpt"), "record"));
}

void
html_summary(struct html *h, const cJSON *doc)
{
	const cJSON *target = json_get(doc, "target");
	const cJSON *sum = json_get(doc, "summary");
	const cJSON *addrs = json_get(sum, "addresses");
	const cJSON *mx = json_get(doc, "mx");
	long nlev,
	    ndel = delivering(json_get(json_get(doc, "verdicts"), "levels"),
	        &nlev);

	html_raw(h, "<h2 id=\"summary\">Summary</h2>\n<table>\n");
	row(h, "Target", "target.input", json_str(target, "input"));
	row(h, "Domain", "target.domain", json_str(target, "domain"));
	row(h, "MX lookup DNSSEC", "dns.mx.dnssec",
	    json_str(json_get(json_get(json_get(doc, "dns"), "mx"), "lookup"),
	        "dnssec"));
	row_num(h, "MX hosts", "mx.count",
	    cJSON_IsArray(mx) ? cJSON_GetArraySize(mx) : -1);
	row_num(h, "Addresses", "addresses.total", json_count(addrs, "total"));
	row_num(h, "Addresses measured", "addresses.measured",
	    json_count(addrs, "measured"));
	row_num(h, "Addresses not reached", "addresses.error",
	    json_count(addrs, "error"));
	row_num(h, "Levels delivering", "levels.deliver", ndel);
	row_num(h, "Levels judged", "levels.count", nlev);
	policy_rows(h, doc);
	row_num(h, "Duration (ms)", "duration_ms",
	    json_count(doc, "duration_ms"));
	row(h, "Complete", "summary.complete",
	    cJSON_IsTrue(json_get(sum, "complete")) ? "yes" : "no");
	row_num(h, "Exit code", "summary.exit_code",
	    json_count(sum, "exit_code"));
	row(h, "Exit reason", "summary.exit_reason",
	    json_str(sum, "exit_reason"));
	html_raw(h, "</table>\n");
}

/* matrix_head - the header row: one column per MX address */
static void
matrix_head(struct html *h, const cJSON *mx)
{
	const cJSON *m, *a;

	html_raw(h, "<tr><th>level</th><th>domain</th><th>status</th>");
	cJSON_ArrayForEach(m, mx)
	{
		cJSON_ArrayForEach(a, json_get(m, "addresses"))
		{
			html_raw(h, "<th>");
			html_text(h, json_str(m, "name"));
			html_raw(h, "<br><code>");
			html_text(h, json_str(a, "address"));
			html_raw(h, "</code></th>");
		}
	}
	html_raw(h, "</tr>\n");
}

/* level_addr - the verdict of one address at one level, or NULL */
static const cJSON *
level_addr(const cJSON *lv, const char *mx, const char *addr)
{
	const cJSON *a;

	cJSON_ArrayForEach(a, json_get(lv, "addresses"))
	{
		const char *m = json_str(a, "mx"), *ad = json_str(a, "address");

		if (m != NULL && ad != NULL && mx != NULL && addr != NULL &&
		    strcmp(m, mx) == 0 && strcmp(ad, addr) == 0)
			return a;
	}
	return NULL;
}

/* matrix_cell - one address at one level: outcome, with auth and reason */
static void
matrix_cell(struct html *h, const char *level, const cJSON *lv, const cJSON *m,
    const cJSON *a)
{
	const char *addr = json_str(a, "address");
	const cJSON *v = level_addr(lv, json_str(m, "name"), addr);
	const char *out = json_str(v, "outcome");

	html_open_k(h, "td", outcome_class(out), "level", level, addr,
	    (const char *)NULL);
	html_text(h, out);
	if (json_str(v, "auth") != NULL &&
	    strcmp(json_str(v, "auth"), "none") != 0) {
		html_raw(h, " <small>(");
		html_text(h, json_str(v, "auth"));
		html_raw(h, ")</small>");
	}
	if (json_str(v, "reason") != NULL) {
		html_raw(h, "<br><small>");
		html_text(h, json_str(v, "reason"));
		html_raw(h, "</small>");
	}
	html_raw(h, "</td>");
}

void
html_verdicts(struct html *h, const cJSON *doc)
{
	const cJSON *lvs = json_get(json_get(doc, "verdicts"), "levels");
	const cJSON *mx = json_get(doc, "mx"), *m, *a;

	html_raw(h, "<h2 id=\"verdicts\">Verdicts</h2>\n<p>Minimum TLS "
	            "version for the verdicts: ");
	html_text(h, json_str(json_get(doc, "verdicts"), "min_tls"));
	html_raw(h, "</p>\n<table>\n");
	matrix_head(h, mx);
	for (size_t i = 0; i < NLEVELS; i++) {
		const cJSON *lv = json_get(lvs, LEVEL(i));
		const char *out = json_str(lv, "outcome");

		if (lv == NULL)
			continue;
		html_fmt(h, "<tr><th>%s</th>", LEVEL(i));
		html_open_k(h, "td", outcome_class(out), "level", LEVEL(i),
		    (const char *)NULL);
		html_text(h, out);
		html_raw(h, "</td>");
		html_open_k(h, "td", outcome_class(json_str(lv, "status")),
		    "status", LEVEL(i), (const char *)NULL);
		html_text(h, json_str(lv, "status"));
		html_raw(h, "</td>");
		cJSON_ArrayForEach(m, mx)
		{
			cJSON_ArrayForEach(a, json_get(m, "addresses"))
			    matrix_cell(h, LEVEL(i), lv, m, a);
		}
		html_raw(h, "</tr>\n");
	}
	html_raw(h, "</table>\n");
}
