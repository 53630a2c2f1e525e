/*
 * trust_store.c - choose the PKIX trust store (see trust_store.h). Looks at
 * the file system (stat, directory listings); loads nothing: cert_check.c
 * cert_store_load() reads the certificates. Never prints.
 */
#include "trust_store.h"

#include <assert.h>
#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/x509.h>

#include "banned.h"

static const char *const source_names[] = {
	[TRUST_SRC_OPTIONS] = "options",
	[TRUST_SRC_ENV] = "environment",
	[TRUST_SRC_SYSTEM] = "system",
};
static_assert(sizeof(source_names) / sizeof(source_names[0]) ==
                  TRUST_SRC__COUNT,
    "a name for every trust source");

const char *
trust_source_name(enum trust_source s)
{
	return (unsigned)s < TRUST_SRC__COUNT ? source_names[s] : "?";
}

/* hashed_name - "8 hex digits.N": a certificate link made by openssl
 * rehash (CRLs are ".rN" and do not count) */
static bool
hashed_name(const char *n)
{
	size_t i;

	for (i = 0; i < 8; i++)
		if (!((n[i] >= '0' && n[i] <= '9') ||
		        (n[i] >= 'a' && n[i] <= 'f')))
			return false;
	if (n[8] != '.' || n[9] < '0' || n[9] > '9')
		return false;
	for (i = 10; n[i] != '\0'; i++)
		if (n[i] < '0' || n[i] > '9')
			return false;
	return true;
}

/* dir_has_cert - DIR (len bytes of a ':' list) holds a hashed name */
static bool
dir_has_cert(const char *dir, size_t len)
{
	char path[512];
	struct dirent *e;
	bool found = false;
	DIR *d;

	if (len == 0 || len >= sizeof(path))
		return false;
	memcpy(path, dir, len);
	path[len] = '\0';
	if ((d = opendir(path)) == NULL)
		return false;
	while (!found && (e = readdir(d)) != NULL)
		found = hashed_name(e->d_name);
	closedir(d);
	return found;
}

/* dirs_have_cert - some directory of the ':' list holds a certificate, as
 * X509_LOOKUP_add_dir() splits such a list */
static bool
dirs_have_cert(const char *list)
{
	const char *p = list, *colon;

	for (;;) {
		colon = strchr(p, ':');
		if (dir_has_cert(p, colon ? (size_t)(colon - p) : strlen(p)))
			return true;
		if (colon == NULL)
			return false;
		p = colon + 1;
	}
}

static bool
file_nonempty(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0;
}

/* copy - into a fixed field; false when it does not fit */
static bool
copy(char *dst, size_t len, const char *src, char *errmsg, size_t errlen)
{
	if (strlen(src) >= len) {
		snprintf(errmsg, errlen,
		    "trust store path too long: '%.80s...'", src);
		return false;
	}
	memcpy(dst, src, strlen(src) + 1);
	return true;
}

/* pick_named - the options: taken as given, a directory must hold a
 * certificate (OpenSSL reads it lazily and would say nothing) */
static enum st_err
pick_named(struct trust_store *ts, const char *ca_file, const char *ca_path,
    char *errmsg, size_t errlen)
{
	ts->source = TRUST_SRC_OPTIONS;
	if (ca_file != NULL &&
	    !copy(ts->file, sizeof(ts->file), ca_file, errmsg, errlen))
		return ST_ERR_INVAL;
	if (ca_path == NULL)
		return ST_OK;
	if (!dirs_have_cert(ca_path)) {
		snprintf(errmsg, errlen,
		    "--ca-path: '%s' holds no hashed certificate (see openssl "
		    "rehash)",
		    ca_path);
		return ST_ERR_INVAL;
	}
	return copy(ts->dir, sizeof(ts->dir), ca_path, errmsg, errlen)
	           ? ST_OK
	           : ST_ERR_INVAL;
}

/* check_env - a location the environment names must hold certificates:
 * the user chose it, so an empty one is a mistake to report */
static enum st_err
check_env(const char *env_file, const char *env_dir, char *errmsg,
    size_t errlen)
{
	if (env_file != NULL && !file_nonempty(env_file)) {
		snprintf(errmsg, errlen,
		    "SSL_CERT_FILE: '%s' is missing or empty: no trust store",
		    env_file);
		return ST_ERR_INVAL;
	}
	if (env_dir != NULL && !dirs_have_cert(env_dir)) {
		snprintf(errmsg, errlen,
		    "SSL_CERT_DIR: '%s' holds no hashed certificate: no trust "
		    "store",
		    env_dir);
		return ST_ERR_INVAL;
	}
	return ST_OK;
}

enum st_err
trust_store_pick(struct trust_store *ts, const char *ca_file,
    const char *ca_path, const char *env_file, const char *env_dir,
    char *errmsg, size_t errlen)
{
	const char *file, *dir;
	enum st_err err;

	memset(ts, 0, sizeof(*ts));
	if (errlen > 0)
		errmsg[0] = '\0';
	if (ca_file != NULL || ca_path != NULL)
		return pick_named(ts, ca_file, ca_path, errmsg, errlen);
	if ((err = check_env(env_file, env_dir, errmsg, errlen)) != ST_OK)
		return err;
	ts->source = env_file || env_dir ? TRUST_SRC_ENV : TRUST_SRC_SYSTEM;
	file = env_file ? env_file : X509_get_default_cert_file();
	dir = env_dir ? env_dir : X509_get_default_cert_dir();
	if (file_nonempty(file) &&
	    !copy(ts->file, sizeof(ts->file), file, errmsg, errlen))
		return ST_ERR_INVAL;
	if (dirs_have_cert(dir) &&
	    !copy(ts->dir, sizeof(ts->dir), dir, errmsg, errlen))
		return ST_ERR_INVAL;
	if (ts->file[0] == '\0' && ts->dir[0] == '\0') {
		snprintf(errmsg, errlen,
		    "no trust store: '%s' is missing or empty and '%s' holds "
		    "no hashed certificate (name one with --ca-file or "
		    "--ca-path)",
		    file, dir);
		return ST_ERR_INVAL;
	}
	return ST_OK;
}
