/*
 * probe_print.c - one probe's report as the global options ask: human,
 * JSON, --quiet or --nagios (report.md 8), as text for a single target and
 * for each target of a batch, printed or written to --output.
 */
#include "probe_cmd.h"

#include <stdio.h>
#include <stdlib.h>

#include "buf.h"
#include "smtptls/probe.h"
#include "st_limits.h"

#include "banned.h"

/* nagios_code - report.md 8: the monitoring-plugin code of r, and its
 * summary in *s */
static int
nagios_code(const struct probe_result *r, struct probe_summary *s)
{
	probe_result_summary(r, s);
	if (s->exit_code == 1)
		return 2;
	if (s->exit_code != 0)
		return 3;
	return s->warn || s->error ? 1 : 0;
}

/* nagios_line - report.md 8: one status line with performance data (the
 * line without --json), and the monitoring-plugin code */
static int
nagios_line(const struct probe_result *r, FILE *f)
{
	static const char *const names[] = { "OK", "WARNING", "CRITICAL",
		"UNKNOWN" };
	struct probe_summary s;
	int code = nagios_code(r, &s);

	fprintf(f,
	    "SMTPTLS %s - %s: %zu fail, %zu warn, %zu error | time=%ldms;;;; "
	    "fail=%zu warn=%zu\n",
	    names[code], s.target, s.fail, s.warn, s.error, s.duration_ms,
	    s.fail, s.warn);
	return code;
}

/* report_into - the report of r into f, not JSON; its exit code */
static int
report_into(const struct probe_result *r, const struct global_opts *g, FILE *f)
{
	char *out;
	int code = probe_result_exit_code(r);

	if (g->nagios)
		return nagios_line(r, f);
	if (g->quiet) {
		struct probe_summary s;

		probe_result_summary(r, &s);
		fprintf(f, "%s: exit %d, %zu fail, %zu warn, %zu error\n",
		    s.target, code, s.fail, s.warn, s.error);
		return code;
	}
	if ((out = report_human_render(r, cmd_use_color(g))) == NULL)
		return -1;
	fputs(out, f);
	free(out);
	return code;
}

int
cmd_probe_report_text(const struct probe_result *r, const struct global_opts *g,
    struct buf *out)
{
	struct probe_summary sum;
	char *text = NULL;
	size_t len = 0;
	FILE *f;
	int code;

	/* JSON (and with --nagios only its code): printed straight into out,
	 * whose allocation a batch keeps for the next of its thousands. */
	if (g->json) {
		if (report_json_append(r, out) != ST_OK ||
		    buf_add(out, "\n", 1) != ST_OK)
			return -1;
		return g->nagios ? nagios_code(r, &sum)
		                 : probe_result_exit_code(r);
	}
	if ((f = open_memstream(&text, &len)) == NULL)
		return -1;
	code = report_into(r, g, f);
	if (fclose(f) != 0 || (code >= 0 && buf_add(out, text, len) != ST_OK))
		code = -1;
	free(text);
	return code;
}

int
cmd_probe_report(const struct probe_result *r, const struct global_opts *g)
{
	struct buf out;
	int code;

	buf_init(&out, REPORT_TEXT_MAX);
	if ((code = cmd_probe_report_text(r, g, &out)) < 0) {
		buf_release(&out);
		return cmd_error(g, EXIT_INTERNAL, "out-of-memory", "internal",
		    "out of memory while rendering the report");
	}
	fwrite(out.data, 1, out.len, stdout);
	buf_release(&out);
	fflush(stdout);
	return code;
}
