/*
 * report_html.h - the probe report as one self-contained HTML page (inline
 * CSS, no external assets, no script): the domain summary, the verdict
 * matrix, the certificate chains, the findings by severity and a timeline
 * of each address's SMTP steps. Used by "probe --html FILE" and by the
 * exporter's GET /report. Only rendering into a buffer: no I/O here.
 *
 * Every string that reaches the page (from the network or the command
 * line) goes through report_html_escape().
 */
#ifndef SMTPTLS_REPORT_HTML_H
#define SMTPTLS_REPORT_HTML_H

#include <stddef.h>

#include "smtptls/err.h"

struct buf;
struct cJSON;
struct probe_result;

/*
 * Append len octets of s to out as HTML text, safe in element content and
 * in a quoted attribute value: & < > " ' become character references,
 * control characters other than TAB and LF and every octet that is not
 * valid UTF-8 become U+FFFD, DEL too. Returns ST_OK or buf_add's error
 * (ST_ERR_NOMEM, ST_ERR_LIMIT); out may then hold part of the text.
 */
enum st_err report_html_escape(struct buf *out, const char *s, size_t len)
    __attribute__((warn_unused_result));

/*
 * Append the page for r to out (a complete document, <!DOCTYPE> to
 * </html>). Returns ST_OK, ST_ERR_NOMEM, or ST_ERR_LIMIT when out's limit
 * is too small; on an error out holds a partial page to be discarded.
 */
enum st_err report_html_render(const struct probe_result *r, struct buf *out)
    __attribute__((warn_unused_result));

/* The same from a probe document of report.md 4 (report_json_doc, or a
 * saved report read back); fields missing from doc are shown as absent. */
enum st_err report_html_render_doc(const struct cJSON *doc, struct buf *out)
    __attribute__((warn_unused_result));

#endif
