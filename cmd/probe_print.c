/*
 * probe_print.c - print one probe's report as the global options ask:
 * human, JSON, --quiet or --nagios (report.md 8), for a single target and
 * for each target of a batch.
 */
#include "probe_cmd.h"

#include <stdio.h>
#include <stdlib.h>

#include "smtptls/probe.h"

#include "banned.h"

/* nagios_line - report.md 8: one status line with performance data, and
 * the monitoring-plugin code */
static int
nagios_line(const struct probe_result *r, const struct global_opts *g)
{
	static const char *const names[] = { "OK", "WARNING", "CRITICAL",
		"UNKNOWN" };
	struct probe_summary s;
	int code;

	probe_result_summary(r, &s);
	if (s.exit_code == 1)
		code = 2;
	else if (s.exit_code != 0)
		code = 3;
	else
		code = s.warn || s.error ? 1 : 0;
	if (!g->json)
		printf(
		    "SMTPTLS %s - %s: %zu fail, %zu warn, %zu error | time=%ldms;;;; "
		    "fail=%zu warn=%zu\n",
		    names[code], s.target, s.fail, s.warn, s.error,
		    s.duration_ms, s.fail, s.warn);
	return code;
}

int
cmd_probe_report(const struct probe_result *r, const struct global_opts *g)
{
	char *out;
	int code = probe_result_exit_code(r);

	if (g->nagios && !g->json)
		return nagios_line(r, g);
	if (g->json)
		out = report_json_render(r);
	else if (g->quiet) {
		struct probe_summary s;

		probe_result_summary(r, &s);
		printf("%s: exit %d, %zu fail, %zu warn, %zu error\n", s.target,
		    code, s.fail, s.warn, s.error);
		return code;
	} else
		out = report_human_render(r, cmd_use_color(g));
	if (out == NULL)
		return cmd_error(g, EXIT_INTERNAL, "out-of-memory", "internal",
		    "out of memory while rendering the report");
	fputs(out, stdout);
	if (g->json)
		fputc('\n', stdout);
	free(out);
	fflush(stdout);
	return g->nagios ? nagios_line(r, g) : code;
}
