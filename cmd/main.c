/*
 * main.c - smtptls entry point: global options, then one row of the
 * command table per subcommand (cmd/probe.c, cmd/listen.c).
 */
#include "cmd.h"
#include "json_arena.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "smtptls/probe.h"

#include "banned.h"

struct command {
	const char *name;
	int (*fn)(int argc, char **argv, struct global_opts *g);
	const char *help;
};

static const struct command commands[] = {
	{ "probe", cmd_probe, "test the TLS of a domain's mail servers" },
	{ "listen", cmd_listen,
	    "accept SMTP from a sending server and report its TLS" },
	{ "diff", cmd_diff, "what changed that matters between two reports" },
	{ "profiles", cmd_profiles,
	    "list the compliance profiles, or print one's requirements" },
	{ "serve", cmd_serve, "answer probes over HTTP as Prometheus metrics" },
};

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: smtptls [--json] [--color=WHEN] [-v] [-q] COMMAND [options]\n"
	    "\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].help);
	fprintf(f,
	    "\nglobal options:\n"
	    "  --version             print versions of smtptls and its libraries\n"
	    "  --json                machine report on stdout\n"
	    "  --color=WHEN          auto, always or never\n"
	    "  -v, --verbose         more detail on stderr (repeatable)\n"
	    "  -q, --quiet           only the verdict\n"
	    "  -h, --help            this text; 'smtptls COMMAND --help' for a command\n"
	    "\nSee smtptls(1).\n");
}

/* run_command - argv[0] is the command's name; its exit status, once the
 * probes' idle threads ended (probe_global_end) */
static int
run_command(int argc, char **argv, struct global_opts *g)
{
	for (size_t k = 0; k < sizeof(commands) / sizeof(commands[0]); k++)
		if (strcmp(argv[0], commands[k].name) == 0) {
			int rc = commands[k].fn(argc, argv, g);

			probe_global_end();
			return rc;
		}
	return cmd_error(g, EXIT_USAGE, "usage", "options",
	    "unknown command '%s' (see smtptls --help)", argv[0]);
}

/* Open files a run may want at most: 256 probes at once (--parallel),
 * each with a socket per DNS question in flight and per SMTP session,
 * and serve's and listen's clients. */
#define NOFILE_WANTED 65536

/* raise_nofile - the soft limit of open files up to the hard one (at
 * most NOFILE_WANTED): Debian's soft default, 1024, is spent by about a
 * hundred probes at once (ulimit -Sn 1024, --parallel 256: 169 of 3,000
 * domains failed with EMFILE). A hard limit below stays the limit. */
static void
raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= NOFILE_WANTED)
		return;
	rl.rlim_cur = rl.rlim_max < NOFILE_WANTED ? rl.rlim_max : NOFILE_WANTED;
	(void)setrlimit(RLIMIT_NOFILE, &rl);
}

/* parse_color - "--color" or "--color=WHEN" into g; a usage error (said)
 * for an unknown WHEN */
static int
parse_color(const char *a, struct global_opts *g)
{
	const char *v = a[7] == '=' ? a + 8 : "always";

	if (strcmp(v, "auto") == 0)
		g->color = COLOR_AUTO;
	else if (strcmp(v, "always") == 0)
		g->color = COLOR_ALWAYS;
	else if (strcmp(v, "never") == 0)
		g->color = COLOR_NEVER;
	else
		return cmd_error(g, EXIT_USAGE, "usage", "options",
		    "--color: unknown value '%s' (expected auto, always or never)",
		    v);
	return EXIT_PASS;
}

int
main(int argc, char **argv)
{
	struct global_opts g = { .json = cmd_wants_json(argc, argv) };
	int i, rc;

	/* A peer that closes while OpenSSL writes to its socket must give an
	 * error return, not kill the process (OpenSSL's socket BIO does not
	 * pass MSG_NOSIGNAL). */
	signal(SIGPIPE, SIG_IGN);
	raise_nofile();
	/* cJSON's allocator hooks, once, before any thread uses cJSON: a
	 * report document is then built in an arena (json_arena.h). */
	json_arena_install();

	/* Global options before the command. */
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--version") == 0) {
			char *v = smtptls_version_text();

			if (v == NULL)
				return EXIT_INTERNAL;
			fputs(v, stdout);
			free(v);
			return EXIT_PASS;
		} else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			usage(stdout);
			return EXIT_PASS;
		} else if (strcmp(a, "--json") == 0) {
			g.json = true;
		} else if (strncmp(a, "--color=", 8) == 0 ||
		           strcmp(a, "--color") == 0) {
			if ((rc = parse_color(a, &g)) != EXIT_PASS)
				return rc;
		} else if (strcmp(a, "-v") == 0 ||
		           strcmp(a, "--verbose") == 0) {
			g.verbose++;
		} else if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) {
			g.quiet = true;
		} else
			return cmd_error(&g, EXIT_USAGE, "usage", "options",
			    "unknown option '%s' (see smtptls --help)", a);
	}
	if (i >= argc) {
		usage(stderr);
		return cmd_error(&g, EXIT_USAGE, "usage", "options",
		    "no command given");
	}
	return run_command(argc - i, argv + i, &g);
}
