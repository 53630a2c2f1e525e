/*
 * probe_print.c - one probe's report as the global options ask: human,
 * JSON, --quiet or --nagios (report.md 8), as text for a single target and
 * for each target of a batch, printed or written to --output.
 */
#include "probe_cmd.h"

#include <stdio.h>
#include <stdlib.h>

#include "smtptls/probe.h"

#include "banned.h"

/* nagios_line - report.md 8: one status line with performance data (not
 * with --json), and the monitoring-plugin code */
static int
nagios_line(const struct probe_result *r, const struct global_opts *g, FILE *f)
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
		fprintf(f,
		    "SMTPTLS %s - %s: %zu fail, %zu warn, %zu error | time=%ldms;;;; "
		    "fail=%zu warn=%zu\n",
		    names[code], s.target, s.fail, s.warn, s.error,
		    s.duration_ms, s.fail, s.warn);
	return code;
}

/* report_into - the report of r into f; its exit code */
static int
report_into(const struct probe_result *r, const struct global_opts *g, FILE *f)
{
	char *out;
	int code = probe_result_exit_code(r);

	if (g->nagios && !g->json)
		return nagios_line(r, g, f);
	if (g->quiet && !g->json) {
		struct probe_summary s;

		probe_result_summary(r, &s);
		fprintf(f, "%s: exit %d, %zu fail, %zu warn, %zu error\n",
		    s.target, code, s.fail, s.warn, s.error);
		return code;
	}
	out = g->json ? report_json_render(r)
	              : report_human_render(r, cmd_use_color(g));
	if (out == NULL)
		return -1;
	fputs(out, f);
	if (g->json)
		fputc('\n', f);
	free(out);
	return g->nagios ? nagios_line(r, g, f) : code;
}

char *
cmd_probe_report_text(const struct probe_result *r, const struct global_opts *g,
    size_t *len, int *code)
{
	char *text = NULL;
	FILE *f;

	*len = 0;
	if ((f = open_memstream(&text, len)) == NULL)
		return NULL;
	*code = report_into(r, g, f);
	if (fclose(f) != 0 || *code < 0) {
		free(text);
		*len = 0;
		return NULL;
	}
	return text;
}

int
cmd_probe_report(const struct probe_result *r, const struct global_opts *g)
{
	size_t len;
	int code;
	char *text = cmd_probe_report_text(r, g, &len, &code);

	if (text == NULL)
		return cmd_error(g, EXIT_INTERNAL, "out-of-memory", "internal",
		    "out of memory while rendering the report");
	fwrite(text, 1, len, stdout);
	free(text);
	fflush(stdout);
	return code;
}
