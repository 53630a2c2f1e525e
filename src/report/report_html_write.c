/*
 * report_html_write.c - the writer every part of the HTML page uses
 * (report_html_int.h): literal markup, escaped text, numbers, keyed cells,
 *. Below the parts, so that they do
 * not depend on one another.
 */
#include "report_html_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "report_html.h"

#include "banned.h"

void
html_raw(struct html *h, const char *markup)
{
	if (h->err == ST_OK)
		h->err = buf_addstr(h->b, markup);
}

void
html_text(struct html *h, const char *s)
{
	if (s == NULL)
		s = "\xe2\x80\x94"; /* — */
	if (h->err == ST_OK)
		h->err = report_html_escape(h->b, s, strlen(s));
}

void
html_fmt(struct html *h, const char *fmt, ...)
{
	char tmp[256];
	va_list ap;
	int n;

	if (h->err != ST_OK)
		return;
	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	/* Formats here print numbers and short literals: a longer result is
	 * a bug of the renderer, reported as a limit rather than cut. */
	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		h->err = ST_ERR_LIMIT;
		return;
	}
	h->err = buf_add(h->b, tmp, (size_t)n);
}

void
html_open_k(struct html *h, const char *tag, const char *cls, ...)
{
	const char *part;
	bool first = true;
	va_list ap;

	html_fmt(h, "<%s", tag);
	if (cls != NULL)
		html_fmt(h, " class=\"%s\"", cls);
	html_raw(h, " data-k=\"");
	va_start(ap, cls);
	while ((part = va_arg(ap, const char *)) != NULL) {
		if (!first)
			html_raw(h, ".");
		html_text(h, part);
		first = false;
	}
	va_end(ap);
	html_raw(h, "\">");
}

void
html_cell(struct html *h, const char *text, const char *k1, const char *k2,
    const char *k3)
{
	html_open_k(h, "td", NULL, k1, k2, k3, (const char *)NULL);
	html_text(h, text);
	html_raw(h, "</td>");
}

void
html_cell_num(struct html *h, long n, const char *k1, const char *k2,
    const char *k3)
{
	html_open_k(h, "td", "num", k1, k2, k3, (const char *)NULL);
	if (n < 0)
		html_text(h, NULL);
	else
		html_fmt(h, "%ld", n);
	html_raw(h, "</td>");
}
