/*
 * test_lib_load.c - opening a library on first use (lib_load.h) against
 * real shared objects: libz (present wherever libcurl is, its dependency)
 * for a library that opens, a name no system has for one that does not,
 * and a function libz lacks for all-or-nothing.
 */
#include "lib_load.h"

#include <stdio.h>
#include <string.h>

#include "unit.h"
#include "banned.h"

static const char *(*z_version)(void);
static void *z_other;
static const char *(*z_missing)(void);

static int after_calls;
static enum st_err
count_after(char *errmsg, size_t errlen)
{
	(void)errmsg;
	(void)errlen;
	after_calls++;
	return ST_OK;
}

static enum st_err
refuse_after(char *errmsg, size_t errlen)
{
	(void)snprintf(errmsg, errlen, "set-up refused");
	return ST_ERR_INTERNAL;
}

int
main(void)
{
	static const struct lib_sym good[] = {
		{ "zlibVersion", (void **)&z_version },
		{ "deflate", &z_other },
	};
	static const struct lib_sym bad[] = {
		{ "zlibVersion", (void **)&z_version },
		{ "no_such_function_in_zlib", (void **)&z_missing },
	};
	static struct lib_handle ok = LIB_HANDLE_INIT("libz.so.1", good,
	    count_after);
	static struct lib_handle nolib =
	    LIB_HANDLE_INIT("libsmtptls-none.so.0", good, NULL);
	static struct lib_handle nosym = LIB_HANDLE_INIT("libz.so.1", bad, NULL);
	static struct lib_handle refused =
	    LIB_HANDLE_INIT("libz.so.1", good, refuse_after);
	char msg[300] = "";

	unit_eq_long("lib_load/opens", ST_OK, lib_open(&ok, msg, sizeof(msg)));
	unit_eq_long("lib_load/symbol-found", 1,
	    z_version != NULL && z_version()[0] == '1');
	unit_eq_long("lib_load/again-same", ST_OK, lib_open(&ok, NULL, 0));
	unit_eq_long("lib_load/after-runs-once", 1, (long)after_calls);

	unit_eq_long("lib_load/no-library", ST_ERR_INTERNAL,
	    lib_open(&nolib, msg, sizeof(msg)));
	unit_eq_long("lib_load/no-library-says",
	    1, strncmp(msg, "cannot load libsmtptls-none.so.0: ", 34) == 0);
	msg[0] = '\0';
	unit_eq_long("lib_load/no-library-again", ST_ERR_INTERNAL,
	    lib_open(&nolib, msg, sizeof(msg)));
	unit_eq_long("lib_load/no-library-again-says", 1, msg[0] != '\0');

	z_version = NULL;
	unit_eq_long("lib_load/no-symbol", ST_ERR_INTERNAL,
	    lib_open(&nosym, msg, sizeof(msg)));
	unit_eq_str("lib_load/no-symbol-says",
	    "libz.so.1 has no function no_such_function_in_zlib", msg);
	unit_eq_long("lib_load/no-symbol-all-or-nothing", 1,
	    z_version == NULL && z_missing == NULL);

	unit_eq_long("lib_load/after-refuses", ST_ERR_INTERNAL,
	    lib_open(&refused, msg, sizeof(msg)));
	unit_eq_str("lib_load/after-says", "set-up refused", msg);
	return unit_exit();
}
