/*
 * listen.c - "smtptls listen": not built yet. The command exists so that
 * scripts get a clear message and a documented exit code instead of
 * "unknown command".
 */
#include "cmd.h"

#include <stdio.h>
#include <string.h>

#include "banned.h"

int
cmd_listen(int argc, char **argv, struct global_opts *g)
{
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			puts("usage: smtptls listen [options]\n\n"
			    "Not implemented in this version: the listener that tests a\n"
			    "sending server is planned (see smtptls(1), DEVIATIONS).");
			return EXIT_PASS;
		}
	return cmd_error(g, EXIT_USAGE, "usage", "options",
	    "listen: not implemented in this version (see smtptls(1), DEVIATIONS)");
}
