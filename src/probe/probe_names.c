/*
 * probe_names.c - the names of the probe's enums as report.md spells them:
 * policy levels, address states, address families. A leaf: the checks, the
 * renderers and the orchestrator all use it, and it uses none of them.
 */
#include "probe_internal.h"

#include <assert.h>
#include <string.h>
#include <sys/socket.h>

#include "banned.h"

static const char *const level_names[LEVEL__COUNT] = {
	"opportunistic",
	"encrypt",
	"verify",
	"dane",
	"mta-sts",
	"secure",
};

const char *
probe_level_name(enum probe_level l)
{
	return (int)l >= 0 && l < LEVEL__COUNT ? level_names[l] : "?";
}

int
probe_level_parse(const char *name)
{
	for (int i = 0; i < LEVEL__COUNT; i++)
		if (strcmp(level_names[i], name) == 0)
			return i;
	return -1;
}

const char *
probe_addr_state_name(enum addr_state s)
{
	static const char *const names[] = {
		[ADDR_NONE] = "skipped",
		[ADDR_COMPLETE] = "complete",
		[ADDR_ABORTED] = "aborted",
		[ADDR_ERROR] = "error",
		[ADDR_SKIPPED] = "skipped",
		[ADDR_CUT] = "skipped",
	};
	static_assert(sizeof(names) / sizeof(names[0]) == ADDR__COUNT,
	    "names[] must name every enum addr_state value");

	return (unsigned)s < ADDR__COUNT ? names[s] : "skipped";
}

const char *
probe_addr_family_name(int family)
{
	return family == AF_INET6 ? "ipv6" : "ipv4";
}

bool
probe_addr_no_route(const struct probe_addr *pa)
{
	return pa->state == ADDR_SKIPPED && !pa->deadline &&
	       strcmp(pa->conn_error, "no-route") == 0;
}
