/*
 * lib_load.c - a shared library opened when first needed (lib_load.h).
 */
#include "lib_load.h"

#include <dlfcn.h>
#include <stdio.h>

#include "banned.h"

enum st_err
lib_load(const char *soname, const struct lib_sym *syms, size_t n, char *errmsg,
    size_t errlen)
{
	const char *why;
	void *h;
	size_t k;

	/* RTLD_NOW: a missing symbol of the library's own dependencies shows
	 * here, not as a crash in the middle of a fetch. RTLD_LOCAL: nothing
	 * of it joins the global namespace (curl_lib.c defines functions of
	 * the same names). */
	if ((h = dlopen(soname, RTLD_NOW | RTLD_LOCAL)) == NULL) {
		why = dlerror();
		(void)snprintf(errmsg, errlen, "cannot load %s: %s", soname,
		    why != NULL ? why : "unknown error");
		return ST_ERR_INTERNAL;
	}
	for (k = 0; k < n; k++) {
		(void)dlerror();
		if ((*syms[k].slot = dlsym(h, syms[k].name)) == NULL) {
			(void)snprintf(errmsg, errlen, "%s has no function %s",
			    soname, syms[k].name);
			while (k > 0)
				*syms[--k].slot = NULL;
			(void)dlclose(h);
			return ST_ERR_INTERNAL;
		}
	}
	/* Kept open for the life of the process: its functions stay valid
	 * in every thread without reference counting. */
	return ST_OK;
}
