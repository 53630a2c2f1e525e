/*
 * profiles.c - "smtptls profiles [NAME]": list the compliance profiles,
 * or print one profile's requirement table (id, level, fact, text,
 * source). Unknown NAME is a usage error (exit 2).
 */
#include "cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smtptls/profile.h"

#include "banned.h"

static const char profiles_usage[] =
    "usage: smtptls profiles [NAME]\n"
    "\n"
    "  NAME                     print this profile's requirements\n"
    "  --json                   as JSON\n"
    "  --help                   this text\n"
    "\n"
    "See smtptls(1), section PROFILES.\n";

int
cmd_profiles(int argc, char **argv, struct global_opts *g)
{
	const char *name = NULL;
	bool unknown;
	char *out;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-h") == 0) {
			fputs(profiles_usage, stdout);
			return EXIT_PASS;
		} else if (strcmp(argv[i], "--json") == 0)
			g->json = true;
		else if (argv[i][0] == '-' || name != NULL)
			return cmd_error(g, EXIT_USAGE, "usage", "options",
			    "profiles: unexpected argument '%s' (usage: smtptls "
			    "profiles [NAME])",
			    argv[i]);
		else
			name = argv[i];
	}
	if ((out = smtptls_profiles_render(name, g->json, &unknown)) == NULL)
		return unknown
		           ? cmd_error(g, EXIT_USAGE, "usage", "options",
		                 "unknown profile '%s' (see smtptls profiles)",
		                 name)
		           : cmd_error(g, EXIT_INTERNAL, "internal", "report",
		                 "out of memory");
	fputs(out, stdout);
	if (g->json)
		fputc('\n', stdout);
	free(out);
	return EXIT_PASS;
}
