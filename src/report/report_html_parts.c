/*
 * report_html_parts.c - the lower sections of the HTML page: findings by
 * severity, the certificate chain of each address, and the timeline of
 * each address's SMTP steps drawn as CSS bars (no script, no image).
 */
#include <stdio.h>
#include <string.h>

#include "report_html_int.h"

#include "banned.h"

/* The steps of report.md 5.3 timings_ms, in the order a session runs. */
static const char *const steps[] = { "connect", "banner", "ehlo", "starttls",
	"tls", "ehlo_tls", "address_test", "quit" };
#define NSTEPS (sizeof(steps) / sizeof(steps[0]))

/* Catalogue severities, most serious first (checks.md). */
static const char *const severities[] = { "critical", "high", "medium", "low",
	"info" };
#define NSEV (sizeof(severities) / sizeof(severities[0]))

/* is_finding - a result worth a reader's attention: not pass/info/skip */
static bool
is_finding(const cJSON *c)
{
	const char *st = json_str(c, "status");

	return st != NULL &&
	       (strcmp(st, "fail") == 0 || strcmp(st, "warn") == 0 ||
	           strcmp(st, "error") == 0);
}

/* status_class - the CSS class of a check status (a literal) */
static const char *
status_class(const char *st)
{
	static const char *const names[] = { "pass", "warn", "fail", "info",
		"skip", "error" };
	static const char *const cls[] = { "s-pass", "s-warn", "s-fail",
		"s-info", "s-skip", "s-error" };

	for (size_t i = 0; st != NULL && i < sizeof(names) / sizeof(names[0]);
	     i++)
		if (strcmp(st, names[i]) == 0)
			return cls[i];
	return NULL;
}

/* check_row - one result: status, id, subject, detail */
static void
check_row(struct html *h, const cJSON *c)
{
	const cJSON *subj = json_get(c, "subject");
	const char *st = json_str(c, "status");
	const char *parts[] = { "domain", "mx", "address", "mailbox",
		"session" };
	bool any = false;

	html_open_k(h, "tr", NULL, "check", json_str(c, "id"),
	    (const char *)NULL);
	html_open_k(h, "td", status_class(st), "status", (const char *)NULL);
	html_text(h, st);
	if (cJSON_IsTrue(json_get(c, "waived")))
		html_raw(h, " (waived)");
	html_raw(h, "</td><td><code>");
	html_text(h, json_str(c, "id"));
	html_raw(h, "</code></td><td>");
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		const char *v = json_str(subj, parts[i]);

		if (v == NULL)
			continue;
		if (any)
			html_raw(h, " ");
		html_text(h, v);
		any = true;
	}
	html_raw(h, "</td><td>");
	html_text(h, json_str(c, "detail"));
	html_raw(h, "</td></tr>\n");
}

/* severity_group - the findings of one severity, with their count */
static void
severity_group(struct html *h, const cJSON *checks, const char *sev)
{
	const cJSON *c;
	long n = 0;

	cJSON_ArrayForEach(c, checks)
	{
		const char *s = json_str(c, "severity");

		if (is_finding(c) && s != NULL && strcmp(s, sev) == 0)
			n++;
	}
	html_fmt(h, "<h3>%s: ", sev);
	html_open_k(h, "span", NULL, "findings", sev, (const char *)NULL);
	html_fmt(h, "%ld</span></h3>\n", n);
	if (n == 0)
		return;
	html_raw(h, "<table>\n");
	cJSON_ArrayForEach(c, checks)
	{
		const char *s = json_str(c, "severity");

		if (is_finding(c) && s != NULL && strcmp(s, sev) == 0)
			check_row(h, c);
	}
	html_raw(h, "</table>\n");
}

void
html_findings(struct html *h, const cJSON *doc)
{
	const cJSON *checks = json_get(doc, "checks"), *c;

	html_raw(h, "<h2 id=\"findings\">Findings</h2>\n"
	            "<p>Results with status fail, warn or error, by the "
	            "catalogue's severity.</p>\n");
	for (size_t i = 0; i < NSEV; i++)
		severity_group(h, checks, severities[i]);
	html_fmt(h, "<details><summary>All %d results</summary>\n<table>\n",
	    cJSON_GetArraySize(checks));
	cJSON_ArrayForEach(c, checks) check_row(h, c);
	html_raw(h, "</table>\n</details>\n");
}

/* cert_row - one certificate of a presented chain */
static void
cert_row(struct html *h, const char *addr, const cJSON *cert)
{
	const cJSON *key = json_get(cert, "key");
	char depth[24];

	/* depth is a small integer: %ld of it always fits */
	(void)snprintf(depth, sizeof(depth), "%ld", json_count(cert, "depth"));
	html_raw(h, "<tr>");
	html_cell_num(h, json_count(cert, "depth"), "cert", addr, depth);
	html_raw(h, "<td>");
	html_text(h, json_str(cert, "subject"));
	html_raw(h, "</td><td>");
	html_text(h, json_str(cert, "issuer"));
	html_raw(h, "</td><td>");
	html_text(h, json_str(key, "type"));
	if (json_count(key, "bits") >= 0)
		html_fmt(h, " %ld", json_count(key, "bits"));
	if (json_str(key, "curve") != NULL) {
		html_raw(h, " ");
		html_text(h, json_str(key, "curve"));
	}
	html_raw(h, "</td><td>");
	html_text(h, json_str(cert, "not_before"));
	html_raw(h, "</td>");
	html_open_k(h, "td", NULL, "not_after", addr, depth,
	    (const char *)NULL);
	html_text(h, json_str(cert, "not_after"));
	html_raw(h, "</td><td class=\"hex\">SHA-256 ");
	html_text(h, json_str(cert, "sha256"));
	html_raw(h, "<br>SPKI ");
	html_text(h, json_str(cert, "spki_sha256"));
	html_raw(h, "</td></tr>\n");
}

/* reply_lines - the lines of one SMTP reply as the server sent them */
static void
reply_lines(struct html *h, const char *label, const char *addr,
    const cJSON *reply)
{
	const cJSON *l;

	if (cJSON_GetArraySize(json_get(reply, "lines")) == 0)
		return;
	html_fmt(h, "<tr><th>%s</th>", label);
	html_open_k(h, "td", NULL, "reply", addr, label, (const char *)NULL);
	html_raw(h, "<code>");
	cJSON_ArrayForEach(l, json_get(reply, "lines"))
	{
		html_text(h, cJSON_IsString(l) ? l->valuestring : NULL);
		html_raw(h, "<br>");
	}
	html_raw(h, "</code></td></tr>\n");
}

/* smtp_block - the state of one address and what its server said */
static void
smtp_block(struct html *h, const cJSON *a)
{
	const cJSON *smtp = json_get(a, "smtp");
	const char *addr = json_str(a, "address");

	html_raw(h, "<table>\n<tr><th>state</th>");
	html_cell(h, json_str(a, "state"), "state", addr, NULL);
	html_raw(h, "</tr>\n");
	if (json_str(json_get(a, "error"), "message") != NULL) {
		html_raw(h, "<tr><th>error</th>");
		html_cell(h, json_str(json_get(a, "error"), "message"), "error",
		    addr, NULL);
		html_raw(h, "</tr>\n");
	}
	reply_lines(h, "banner", addr, json_get(smtp, "banner"));
	reply_lines(h, "ehlo", addr, json_get(smtp, "ehlo"));
	reply_lines(h, "starttls", addr, json_get(smtp, "starttls"));
	reply_lines(h, "ehlo_tls", addr, json_get(smtp, "ehlo_tls"));
	html_raw(h, "</table>\n");
}

/* cert_block - what one address said, its TLS outcome and chain */
static void
cert_block(struct html *h, const cJSON *m, const cJSON *a)
{
	const cJSON *tls = json_get(a, "tls"), *c;
	const cJSON *dane = json_get(a, "dane");
	const char *addr = json_str(a, "address");

	html_raw(h, "<h3>");
	html_text(h, json_str(m, "name"));
	html_raw(h, " [");
	html_text(h, addr);
	html_raw(h, "]</h3>\n");
	smtp_block(h, a);
	if (tls == NULL || cJSON_IsNull(tls))
		return;
	html_raw(h, "<p>");
	html_text(h, json_str(tls, "version"));
	html_raw(h, " ");
	html_text(h, json_str(tls, "cipher"));
	html_raw(h, "; PKIX: ");
	html_text(h, cJSON_IsTrue(json_get(json_get(tls, "pkix"), "trusted"))
	                 ? "trusted"
	                 : "not trusted");
	html_raw(h, " (");
	html_text(h, json_str(json_get(tls, "pkix"), "verify_error"));
	html_raw(h, "); DANE: ");
	html_text(h, cJSON_IsTrue(json_get(dane, "verified")) ? "verified"
	             : cJSON_IsFalse(json_get(dane, "verified"))
	                 ? "no match"
	                 : "not checked");
	html_raw(h, "</p>\n<table>\n<tr><th>depth</th><th>subject</th>"
	            "<th>issuer</th><th>key</th><th>not before</th>"
	            "<th>not after</th><th>fingerprints</th></tr>\n");
	cJSON_ArrayForEach(c, json_get(tls, "chain")) cert_row(h, addr, c);
	html_raw(h, "</table>\n");
}

void
html_certs(struct html *h, const cJSON *doc)
{
	const cJSON *m, *a;
	bool any = false;

	html_raw(h, "<h2 id=\"addresses\">Addresses and certificates</h2>\n");
	cJSON_ArrayForEach(m, json_get(doc, "mx"))
	{
		cJSON_ArrayForEach(a, json_get(m, "addresses"))
		{
			cert_block(h, m, a);
			any = true;
		}
	}
	if (!any)
		html_raw(h, "<p>No MX address.</p>\n");
}

/* longest - the largest total of any address: the timeline's scale */
static long
longest(const cJSON *doc)
{
	const cJSON *m, *a;
	long max = 1;

	cJSON_ArrayForEach(m, json_get(doc, "mx"))
	{
		cJSON_ArrayForEach(a, json_get(m, "addresses"))
		{
			long t = json_count(json_get(a, "timings_ms"), "total");

			if (t > max)
				max = t;
		}
	}
	return max;
}

/* timeline_row - one address: its bar (each step a span as wide as its
 * share of the longest session) and its numbers */
static void
timeline_row(struct html *h, const cJSON *m, const cJSON *a, long scale)
{
	const cJSON *t = json_get(a, "timings_ms");
	const char *addr = json_str(a, "address");

	html_raw(h, "<tr><td>");
	html_text(h, json_str(m, "name"));
	html_raw(h, "<br><code>");
	html_text(h, addr);
	html_raw(h, "</code></td><td style=\"width:40%\"><div class=\"bar\">");
	for (size_t i = 0; i < NSTEPS; i++) {
		long ms = json_count(t, steps[i]);

		if (ms <= 0)
			continue;
		html_fmt(h,
		    "<span class=\"t-%s\" style=\"width:%.2f%%\" "
		    "title=\"%s %ld ms\"></span>",
		    steps[i], 100.0 * (double)ms / (double)scale, steps[i], ms);
	}
	html_raw(h, "</div></td>");
	for (size_t i = 0; i < NSTEPS; i++)
		html_cell_num(h, json_count(t, steps[i]), "timing", addr,
		    steps[i]);
	html_cell_num(h, json_count(t, "total"), "timing", addr, "total");
	html_raw(h, "</tr>\n");
}

void
html_timeline(struct html *h, const cJSON *doc)
{
	const cJSON *m, *a;
	long scale = longest(doc);

	html_raw(h, "<h2 id=\"timeline\">Timeline</h2>\n<p class=\"legend\">");
	for (size_t i = 0; i < NSTEPS; i++)
		html_fmt(h, "<span class=\"t-%s\">%s</span>", steps[i],
		    steps[i]);
	html_fmt(h,
	    "</p>\n<p>Bar length: share of the longest session "
	    "(%ld ms). Times in milliseconds.</p>\n<table>\n"
	    "<tr><th>address</th><th>steps</th>",
	    scale);
	for (size_t i = 0; i < NSTEPS; i++)
		html_fmt(h, "<th>%s</th>", steps[i]);
	html_raw(h, "<th>total</th></tr>\n");
	cJSON_ArrayForEach(m, json_get(doc, "mx"))
	{
		cJSON_ArrayForEach(a, json_get(m, "addresses"))
		    timeline_row(h, m, a, scale);
	}
	html_raw(h, "</table>\n");
}
