/*
 * test_trust_store.c - trust_store_pick() against files and directories
 * made in a temporary directory: one row per case, with the options and
 * environment values given, and the file, directory and source (or the
 * error) expected. OpenSSL's own defaults are machine-dependent, so every
 * row names both environment values or an option.
 */
#include "trust_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unit.h"

static char top[64];

/* at - "TOP/name" in one of four rotating buffers ("" stays NULL) */
static const char *
at(const char *name)
{
	static char b[4][256];
	static int i;

	if (name == NULL)
		return NULL;
	i = (i + 1) % 4;
	snprintf(b[i], sizeof(b[i]), "%s/%s", top, name);
	return b[i];
}

static void
touch(const char *name, const char *content)
{
	FILE *fp = fopen(at(name), "w");

	if (fp == NULL || fputs(content, fp) < 0 || fclose(fp) != 0)
		abort();
}

static void
setup(void)
{
	snprintf(top, sizeof(top), "/tmp/smtptls-trust-XXXXXX");
	if (mkdtemp(top) == NULL)
		abort();
	if (mkdir(at("certs"), 0700) || mkdir(at("empty"), 0700) ||
	    mkdir(at("crlonly"), 0700) || mkdir(at("upper"), 0700) ||
	    mkdir(at("junk"), 0700))
		abort();
	touch("ca.pem", "-----BEGIN CERTIFICATE-----\n");
	touch("zero.pem", "");
	touch("certs/0123abcd.0", "x");
	touch("crlonly/0123abcd.r0", "x");
	touch("upper/0123ABCD.0", "x");
	touch("junk/0123abcd.0x", "x");
	touch("junk/0123abc.0", "x");
	touch("junk/README", "x");
}

struct row {
	const char *name;
	const char *ca_file, *ca_path, *env_file, *env_dir; /* under top */
	enum st_err err;
	const char *file, *dir; /* expected, under top; NULL = "" */
	enum trust_source source;
};

static const struct row rows[] = {
	{ "option file", "ca.pem", NULL, NULL, NULL, ST_OK, "ca.pem", NULL,
	    TRUST_SRC_OPTIONS },
	{ "option file wins over env", "ca.pem", NULL, "zero.pem", "empty",
	    ST_OK, "ca.pem", NULL, TRUST_SRC_OPTIONS },
	{ "option dir", NULL, "certs", NULL, NULL, ST_OK, NULL, "certs",
	    TRUST_SRC_OPTIONS },
	{ "option dir empty", NULL, "empty", NULL, NULL, ST_ERR_INVAL, NULL,
	    NULL, TRUST_SRC_OPTIONS },
	{ "option dir crl only", NULL, "crlonly", NULL, NULL, ST_ERR_INVAL,
	    NULL, NULL, TRUST_SRC_OPTIONS },
	{ "option dir upper-case hash", NULL, "upper", NULL, NULL,
	    ST_ERR_INVAL, NULL, NULL, TRUST_SRC_OPTIONS },
	{ "option dir junk names", NULL, "junk", NULL, NULL, ST_ERR_INVAL,
	    NULL, NULL, TRUST_SRC_OPTIONS },
	{ "option dir missing", NULL, "nonexistent", NULL, NULL,
	    ST_ERR_INVAL, NULL, NULL, TRUST_SRC_OPTIONS },
	{ "env file and dir", NULL, NULL, "ca.pem", "certs", ST_OK, "ca.pem",
	    "certs", TRUST_SRC_ENV },
	{ "env file empty", NULL, NULL, "zero.pem", "certs", ST_ERR_INVAL,
	    NULL, NULL, TRUST_SRC_ENV },
	{ "env file missing", NULL, NULL, "nonexistent", "certs",
	    ST_ERR_INVAL, NULL, NULL, TRUST_SRC_ENV },
	{ "env file is a directory", NULL, NULL, "certs", "certs",
	    ST_ERR_INVAL, NULL, NULL, TRUST_SRC_ENV },
	{ "env dir empty", NULL, NULL, "ca.pem", "empty", ST_ERR_INVAL, NULL,
	    NULL, TRUST_SRC_ENV },
};

static void
test_rows(void)
{
	char name[160], errmsg[300];

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *w = &rows[i];
		struct trust_store ts;
		enum st_err err;

		err = trust_store_pick(&ts, at(w->ca_file), at(w->ca_path),
		    at(w->env_file), at(w->env_dir), errmsg, sizeof(errmsg));
		snprintf(name, sizeof(name), "trust store %s: result", w->name);
		unit_eq_long(name, w->err, err);
		if (err != ST_OK) {
			snprintf(name, sizeof(name),
			    "trust store %s: one line of why", w->name);
			unit_eq_long(name, 1,
			    errmsg[0] != '\0' && strchr(errmsg, '\n') == NULL);
			continue;
		}
		snprintf(name, sizeof(name), "trust store %s: file", w->name);
		unit_eq_str(name, w->file ? at(w->file) : "", ts.file);
		snprintf(name, sizeof(name), "trust store %s: dir", w->name);
		unit_eq_str(name, w->dir ? at(w->dir) : "", ts.dir);
		snprintf(name, sizeof(name), "trust store %s: source", w->name);
		unit_eq_str(name, trust_source_name(w->source),
		    trust_source_name(ts.source));
	}
}

/* test_dir_list - SSL_CERT_DIR may list directories, ':' between */
static void
test_dir_list(void)
{
	char list[600], errmsg[300];
	struct trust_store ts;

	snprintf(list, sizeof(list), "%s:%s", at("empty"), at("certs"));
	unit_eq_long("trust store env dir list: second has certs", ST_OK,
	    trust_store_pick(&ts, NULL, NULL, at("ca.pem"), list, errmsg,
	        sizeof(errmsg)));
	unit_eq_str("trust store env dir list: kept as given", list, ts.dir);
	snprintf(list, sizeof(list), "%s::%s", at("empty"), at("junk"));
	unit_eq_long("trust store env dir list: none has certs",
	    ST_ERR_INVAL,
	    trust_store_pick(&ts, NULL, NULL, at("ca.pem"), list, errmsg,
	        sizeof(errmsg)));
}

static void
cleanup(void)
{
	static const char *const files[] = { "ca.pem", "zero.pem",
		"certs/0123abcd.0", "crlonly/0123abcd.r0", "upper/0123ABCD.0",
		"junk/0123abcd.0x", "junk/0123abc.0", "junk/README" };
	static const char *const dirs[] = { "certs", "empty", "crlonly",
		"upper", "junk" };

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		(void)unlink(at(files[i])); /* best effort: a temp dir */
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		(void)rmdir(at(dirs[i]));
	(void)rmdir(top);
}

int
main(void)
{
	setup();
	test_rows();
	test_dir_list();
	cleanup();
	return unit_exit();
}
