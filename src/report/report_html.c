/*
 * report_html.c - the HTML page of a probe (report_html.h): the document
 * skeleton, its inline style sheet and the order of the sections. The
 * page is built from the probe document of report.md 4, so that what it
 * shows is by construction what --json says.
 */
#include "report_html.h"

#include "report_html_int.h"
#include "report_json.h"

#include "banned.h"

/* The style sheet: the page carries it, so that the file is all there is
 * (no fonts, images or scripts to fetch; it reads the same offline). */
static const char style[] =
    "body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#1d2330;"
    "background:#f7f8fa}\n"
    "h1{font-size:1.5em;margin:0 0 .2em}h2{font-size:1.2em;margin:1.6em 0 "
    ".5em;border-bottom:2px solid #c9d1e0}h3{font-size:1em;margin:1em 0 "
    ".3em}\n"
    "table{border-collapse:collapse;background:#fff;margin:.3em 0}\n"
    "th,td{border:1px solid #d5dbe6;padding:.25em .6em;text-align:left;"
    "vertical-align:top}th{background:#e8ecf3}\n"
    "td.num{text-align:right;font-variant-numeric:tabular-nums}\n"
    "code,.hex{font-family:ui-monospace,monospace;font-size:.9em;"
    "word-break:break-all}\n"
    ".o-deliver,.s-pass{background:#c8ecc9}.o-partial,.s-warn{background:"
    "#ffe3a3}.o-defer,.s-fail{background:#f8b4b4}.o-unknown,.s-error{"
    "background:#dcc6f0}.o-no-mail,.s-info{background:#c9def5}.s-skip{"
    "background:#e4e6ea}\n"
    ".bar{display:flex;height:18px;width:100%;background:#eef1f6;border:"
    "1px solid #c9d1e0;margin:.2em 0}.bar span{display:block;height:100%}\n"
    ".t-connect{background:#6c8ebf}.t-banner{background:#82b366}.t-ehlo{"
    "background:#d6b656}.t-starttls{background:#b85450}.t-tls{background:"
    "#9673a6}.t-ehlo_tls{background:#d79b00}.t-address_test{background:"
    "#10739e}.t-quit{background:#999}\n"
    ".legend span{display:inline-block;padding:0 .5em;margin-right:.4em;"
    "color:#fff}\n"
    "details{margin:.5em 0}summary{cursor:pointer}\n"
    "footer{margin-top:2em;color:#667;font-size:.9em}\n";

/* head - the document up to <body>, titled after the target */
static void
head(struct html *h, const cJSON *doc)
{
	html_raw(h, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	            "<meta charset=\"utf-8\">\n"
	            "<meta name=\"viewport\" content=\"width=device-width\">\n"
	            "<title>smtptls report: ");
	html_text(h, json_str(json_get(doc, "target"), "input"));
	html_raw(h, "</title>\n<style>\n");
	html_raw(h, style);
	html_raw(h, "</style>\n</head>\n<body>\n<h1>smtptls report: ");
	html_text(h, json_str(json_get(doc, "target"), "input"));
	html_raw(h, "</h1>\n");
}

/* foot - the tool's version and the report's times */
static void
foot(struct html *h, const cJSON *doc)
{
	const cJSON *tool = json_get(doc, "tool");

	html_raw(h, "<footer>");
	html_text(h, json_str(tool, "name"));
	html_raw(h, " ");
	html_text(h, json_str(tool, "version"));
	html_raw(h, " (");
	html_text(h, json_str(tool, "openssl"));
	html_raw(h, "), schema ");
	html_text(h, json_str(doc, "schema_version"));
	html_raw(h, "; started ");
	html_text(h, json_str(doc, "started"));
	html_raw(h, ", finished ");
	html_text(h, json_str(doc, "finished"));
	html_raw(h, "</footer>\n</body>\n</html>\n");
}

enum st_err
report_html_render_doc(const cJSON *doc, struct buf *out)
{
	struct html h = { out, ST_OK };

	head(&h, doc);
	html_summary(&h, doc);
	html_verdicts(&h, doc);
	html_findings(&h, doc);
	html_certs(&h, doc);
	html_timeline(&h, doc);
	foot(&h, doc);
	return h.err;
}

enum st_err
report_html_render(const struct probe_result *r, struct buf *out)
{
	cJSON *doc = report_json_doc(r);
	enum st_err err;

	if (doc == NULL)
		return ST_ERR_NOMEM;
	err = report_html_render_doc(doc, out);
	cJSON_Delete(doc);
	return err;
}
