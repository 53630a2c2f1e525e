/*
 * cmd_args.c - the small pieces of option parsing that the hand-parsed
 * subcommands (listen, listen --test-zone) share; probe has its table
 * (probe_opts.c).
 */
#include "cmd.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smtptls/err.h"

#include "banned.h"

/* opt_value - "--opt VALUE" or "--opt=VALUE"; NULL when not this option,
 * or (with *missing set) when it is and its value is missing */
const char *
cmd_opt_value(int argc, char **argv, int *i, const char *name, bool *missing)
{
	size_t n = strlen(name);

	if (strncmp(argv[*i], name, n) != 0)
		return NULL;
	if (argv[*i][n] == '=')
		return argv[*i] + n + 1;
	if (argv[*i][n] != '\0')
		return NULL;
	if (*i + 1 >= argc) {
		*missing = true;
		return NULL;
	}
	return argv[++*i];
}

bool
cmd_parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(s, &end, 10);
	return *s >= '0' && *s <= '9' && *end == '\0' && errno == 0 &&
	       *out <= max;
}

int
cmd_listen_limit(int argc, char **argv, int *i, struct global_opts *g,
    struct listen_limits *l, bool *missing)
{
	static const struct {
		const char *name;
		unsigned long max;
		const char *hint;
	} opts[] = {
		{ "--count", 1000000, "" },
		{ "--duration", 31536000, "" },
		{ "--timeout", 3600, " (whole seconds, 1-3600)" },
	};
	unsigned long n;

	for (size_t k = 0; k < sizeof(opts) / sizeof(opts[0]); k++) {
		const char *v =
		    cmd_opt_value(argc, argv, i, opts[k].name, missing);

		if (v == NULL) {
			if (*missing)
				return 1;
			continue;
		}
		if (!cmd_parse_uint(v, opts[k].max, &n) || n == 0)
			return 2 + cmd_error(g, EXIT_USAGE, "usage", "options",
			               "listen: invalid %s '%s'%s",
			               opts[k].name, v, opts[k].hint);
		if (k == 0)
			l->count = (unsigned)n;
		else if (k == 1)
			l->duration_ms = (long long)n * 1000;
		else
			l->step_timeout_ms = (unsigned)n * 1000;
		return 0;
	}
	return 1;
}

volatile sig_atomic_t cmd_stop_flag;

static void
on_stop_signal(int sig)
{
	(void)sig;
	cmd_stop_flag = 1;
}

void
cmd_catch_stop_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop_signal;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: poll() must return EINTR. */
	if (sigaction(SIGINT, &sa, NULL) != 0 ||
	    sigaction(SIGTERM, &sa, NULL) != 0)
		fprintf(stderr, "smtptls: cannot catch signals: %s\n",
		    strerror(errno));
}
