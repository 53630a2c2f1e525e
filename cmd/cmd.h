/*
 * cmd.h - what the subcommands share: the global options of cli.md and the
 * usage-error path (one line on stderr, exit 2, and with --json an error
 * document on stdout, report.md 7.2).
 */
#ifndef SMTPTLS_CMD_H
#define SMTPTLS_CMD_H

#include <stdbool.h>

enum color_mode { COLOR_AUTO = 0, COLOR_ALWAYS, COLOR_NEVER };

struct global_opts {
	bool json;
	enum color_mode color;
	int verbose;
	bool quiet;
	bool nagios; /* probe --nagios: monitoring-plugin codes */
	/* probe --html FILE: also write the report as a page there */
	const char *html;
};

/* Exit codes of report.md 8. */
enum exit_code {
	EXIT_PASS = 0,
	EXIT_FAIL = 1,
	EXIT_USAGE = 2,
	EXIT_INCOMPLETE = 3,
	EXIT_INTERNAL = 4,
};

/* Print "smtptls: MESSAGE" (and the JSON error document when json) and
 * return the exit code to use. code is the report.md error code. */
int cmd_error(const struct global_opts *g, int exit_code, const char *code,
    const char *phase, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* Whether the report should be coloured. */
bool cmd_use_color(const struct global_opts *g);

/* Scan argv for --json before parsing, so that even the first usage error
 * is reported as JSON when asked. */
bool cmd_wants_json(int argc, char **argv);

int cmd_probe(int argc, char **argv, struct global_opts *g);
int cmd_listen(int argc, char **argv, struct global_opts *g);
int cmd_diff(int argc, char **argv, struct global_opts *g);
int cmd_profiles(int argc, char **argv, struct global_opts *g);

#endif
