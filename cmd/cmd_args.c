/*
 * cmd_args.c - the small pieces of option parsing that the hand-parsed
 * subcommands (listen, listen --test-zone) share; probe has its table
 * (probe_opts.c).
 */
#include "cmd.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

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
