/*
 * serve_om.c - the exposition text writer (serve_om.h). It only formats:
 * which metrics exist is serve_metrics.c's and serve_gate.c's business.
 */
#include "serve_om.h"

#include <stdio.h>
#include <string.h>

#include "banned.h"

void
serve_om_init(struct serve_om *m, enum serve_format f)
{
	memset(m, 0, sizeof(*m));
	buf_init(&m->b, SERVE_METRICS_MAX);
	m->f = f;
}

static void
put(struct serve_om *m, enum st_err err)
{
	if (m->err == ST_OK)
		m->err = err;
}

void
serve_om_family(struct serve_om *m, const char *name, enum serve_om_type type,
    const char *unit, const char *help)
{
	bool om = m->f == SERVE_OPENMETRICS;
	/* OpenMetrics names the counter family without "_total", the 0.0.4
	 * format names it as its samples are named. */
	const char *tot = type == SERVE_OM_COUNTER && !om ? "_total" : "";

	m->family = name;
	m->type = type;
	if (m->err != ST_OK)
		return;
	put(m, buf_printf(&m->b, "# TYPE %s%s %s\n", name, tot,
	           type == SERVE_OM_COUNTER ? "counter" : "gauge"));
	if (om && unit != NULL && m->err == ST_OK)
		put(m, buf_printf(&m->b, "# UNIT %s %s\n", name, unit));
	if (m->err == ST_OK)
		put(m, buf_printf(&m->b, "# HELP %s%s %s\n", name, tot, help));
}

/* label_value - v between double quotes, escaped (OpenMetrics "Escaping":
 * \\, \" and \n; the 0.0.4 format is the same) */
static enum st_err
label_value(struct buf *b, const char *v)
{
	enum st_err err = buf_addstr(b, "\"");

	for (const char *p = v; err == ST_OK && *p != '\0'; p++) {
		if (*p == '\\')
			err = buf_addstr(b, "\\\\");
		else if (*p == '"')
			err = buf_addstr(b, "\\\"");
		else if (*p == '\n')
			err = buf_addstr(b, "\\n");
		else
			err = buf_add(b, p, 1);
	}
	return err == ST_OK ? buf_addstr(b, "\"") : err;
}

/* number - integers as integers, else the shortest exact-enough form */
static enum st_err
number(struct buf *b, double v)
{
	if (v != v)
		return buf_addstr(b, "NaN");
	if (v > -1e15 && v < 1e15 && v == (double)(long long)v)
		return buf_printf(b, "%lld", (long long)v);
	return buf_printf(b, "%.15g", v);
}

void
serve_om_sample(struct serve_om *m, const char *const *labels, size_t nlabels,
    double value)
{
	struct buf *b = &m->b;

	if (m->err != ST_OK)
		return;
	put(m, buf_printf(b, "%s%s", m->family,
	           m->type == SERVE_OM_COUNTER ? "_total" : ""));
	for (size_t i = 0; i < nlabels && m->err == ST_OK; i++) {
		put(m,
		    buf_printf(b, "%s%s=", i == 0 ? "{" : ",", labels[2 * i]));
		if (m->err == ST_OK)
			put(m, label_value(b, labels[2 * i + 1]));
	}
	if (nlabels > 0 && m->err == ST_OK)
		put(m, buf_addstr(b, "}"));
	if (m->err == ST_OK)
		put(m, buf_addstr(b, " "));
	if (m->err == ST_OK)
		put(m, number(b, value));
	if (m->err == ST_OK)
		put(m, buf_addstr(b, "\n"));
}

enum st_err
serve_om_finish(struct serve_om *m, char **out)
{
	*out = NULL;
	if (m->f == SERVE_OPENMETRICS && m->err == ST_OK)
		put(m, buf_addstr(&m->b, "# EOF\n"));
	if (m->err == ST_OK && (*out = buf_take(&m->b)) == NULL)
		m->err = ST_ERR_NOMEM;
	buf_release(&m->b);
	return m->err;
}

const char *
serve_format_content_type(enum serve_format f)
{
	return f == SERVE_OPENMETRICS
	           ? "application/openmetrics-text; version=1.0.0; charset=utf-8"
	           : "text/plain; version=0.0.4; charset=utf-8";
}

enum serve_format
serve_format_accept(const char *accept)
{
	/* Prometheus lists OpenMetrics first and the 0.0.4 format with a
	 * lower q; a client that names OpenMetrics at all can read it. */
	return accept != NULL && strstr(accept, "application/openmetrics-text")
	           ? SERVE_OPENMETRICS
	           : SERVE_PROMETHEUS_TEXT;
}
