/*
 * report_html_int.h - what the parts of the HTML page share: a writer
 * with a sticky error (as check_list's) and typed reads of the probe
 * document. report_html.c owns the page, report_html_write.c this
 * writer, report_html_tables.c the summary and the verdict matrix,
 * report_html_parts.c the certificates, findings and timeline.
 */
#ifndef SMTPTLS_REPORT_HTML_INT_H
#define SMTPTLS_REPORT_HTML_INT_H

#include <stdbool.h>

#include <cJSON.h>

#include "buf.h"
#include "json_read.h"

/* The page being written. The first failed append stays in err; later
 * appends do nothing, so a part writes without testing every call and the
 * caller reads err once at the end. */
struct html {
	struct buf *b;
	enum st_err err;
};

/* Markup from a literal of the renderer: appended as it is. */
void html_raw(struct html *h, const char *markup);
/* Text (any origin): escaped by report_html_escape; NULL shows "—". */
void html_text(struct html *h, const char *s);
/* Numbers and other values formatted here; a %s argument must be a
 * literal of the renderer, never data (html_text is for data). */
void html_fmt(struct html *h, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* <TAG class="CLS" data-k="P1.P2...">: an element the tests read back by
 * its key (tests/integration/57-html.sh). tag and cls (may be NULL) are
 * literals; the key parts, NULL-terminated, may come from the document
 * and are escaped. The caller closes the element. */
void html_open_k(struct html *h, const char *tag, const char *cls, ...)
    __attribute__((sentinel));
/* <td data-k="P1.P2...">TEXT</td>, TEXT escaped ("—" for NULL). */
void html_cell(struct html *h, const char *text, const char *k1, const char *k2,
    const char *k3);
/* The same with a number, "—" when n < 0. */
void html_cell_num(struct html *h, long n, const char *k1, const char *k2,
    const char *k3);

void html_summary(struct html *h, const cJSON *doc);
void html_verdicts(struct html *h, const cJSON *doc);
void html_certs(struct html *h, const cJSON *doc);
void html_findings(struct html *h, const cJSON *doc);
void html_timeline(struct html *h, const cJSON *doc);

#endif
