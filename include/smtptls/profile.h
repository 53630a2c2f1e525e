/*
 * profile.h - the compliance profiles as cmd/ sees them: their names for
 * option checking, and the text of "smtptls profiles [NAME]". The tables
 * themselves are library data (src/judge/profile_*.c).
 */
#ifndef SMTPTLS_PUBLIC_PROFILE_H
#define SMTPTLS_PUBLIC_PROFILE_H

#include <stdbool.h>
#include <stddef.h>

/* The name of profile i in listing order ("ncsc-nl"), NULL past the end. */
const char *smtptls_profile_name(size_t i);
/* Whether name is a profile (case-insensitive). */
bool smtptls_profile_known(const char *name);

/*
 * "smtptls profiles" (name NULL: one line per profile) or "smtptls
 * profiles NAME" (the requirement table), as human text or JSON. Returns
 * text the caller frees, or NULL: *unknown is set when name is not a
 * profile, else out of memory.
 */
char *smtptls_profiles_render(const char *name, bool json, bool *unknown);

#endif
