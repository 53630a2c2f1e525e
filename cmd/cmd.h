/*
 * cmd.h - what the subcommands share: the global options of cli.md and the
 * usage-error path (one line on stderr, exit 2, and with --json an error
 * document on stdout, report.md 7.2).
 */
#ifndef SMTPTLS_CMD_H
#define SMTPTLS_CMD_H

#include <signal.h>
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

/* "--opt VALUE" or "--opt=VALUE" at argv[*i] (advancing *i past VALUE);
 * NULL when argv[*i] is not this option, or (with *missing set) when it
 * is and its value is missing. */
const char *cmd_opt_value(int argc, char **argv, int *i, const char *name,
    bool *missing);
/* A decimal number 0..max, nothing else. */
bool cmd_parse_uint(const char *s, unsigned long max, unsigned long *out);

/* Set by SIGINT or SIGTERM once cmd_catch_stop_signals() ran: the
 * listeners' stop flag. */
extern volatile sig_atomic_t cmd_stop_flag;
void cmd_catch_stop_signals(void);

/* The session limits both listen parsers take. */
struct listen_limits {
	unsigned count;           /* --count N */
	long long duration_ms;    /* --duration SECONDS */
	unsigned step_timeout_ms; /* --timeout SECONDS */
};
/* --count, --duration or --timeout at argv[*i]: 0 when it was one (l
 * set), 1 when not (or its value is missing: *missing), or an exit code
 * + 2 after a usage error. */
int cmd_listen_limit(int argc, char **argv, int *i, struct global_opts *g,
    struct listen_limits *l, bool *missing);

int cmd_probe(int argc, char **argv, struct global_opts *g);
int cmd_listen(int argc, char **argv, struct global_opts *g);
int cmd_diff(int argc, char **argv, struct global_opts *g);
int cmd_profiles(int argc, char **argv, struct global_opts *g);
/* listen --test-zone (cmd/listen_testzone.c): whether argv asks for it */
bool cmd_listen_testzone_wanted(int argc, char **argv);
int cmd_listen_testzone(int argc, char **argv, struct global_opts *g);
int cmd_serve(int argc, char **argv, struct global_opts *g);

#endif
