/*
 * profile_list.c - the compliance profiles smtptls knows, in listing
 * order: adding a profile means adding its file and a line here.
 */
#include "profile.h"

#include <strings.h>

#include "banned.h"

static const struct profile *const all[] = {
	&profile_ncsc_nl,
	&profile_bsi,
	&profile_rfc9325,
};

const struct profile *
profile_at(size_t i)
{
	return i < sizeof(all) / sizeof(all[0]) ? all[i] : NULL;
}

const struct profile *
profile_find(const char *name)
{
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (strcasecmp(all[i]->name, name) == 0)
			return all[i];
	return NULL;
}
