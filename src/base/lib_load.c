/*
 * lib_load.c - a shared library opened when first needed (lib_load.h).
 */
#include "lib_load.h"

#include <dlfcn.h>
#include <stdio.h>

#include "banned.h"

/* load - dlopen and dlsym every symbol; all or nothing */
static enum st_err
load(struct lib_handle *l)
{
	const char *why;
	void *h;
	size_t k;

	/* RTLD_NOW: a missing symbol of the library's own dependencies shows
	 * here, not as a crash in the middle of a fetch. RTLD_LOCAL: nothing
	 * of it joins the global namespace (curl_lib.c defines functions of
	 * the same names). */
	if ((h = dlopen(l->soname, RTLD_NOW | RTLD_LOCAL)) == NULL) {
		why = dlerror();
		(void)snprintf(l->msg, sizeof(l->msg), "cannot load %s: %s",
		    l->soname, why != NULL ? why : "unknown error");
		return ST_ERR_INTERNAL;
	}
	for (k = 0; k < l->nsyms; k++) {
		(void)dlerror();
		if ((*l->syms[k].slot = dlsym(h, l->syms[k].name)) == NULL) {
			(void)snprintf(l->msg, sizeof(l->msg),
			    "%s has no function %s", l->soname,
			    l->syms[k].name);
			while (k > 0)
				*l->syms[--k].slot = NULL;
			(void)dlclose(h);
			return ST_ERR_INTERNAL;
		}
	}
	/* Kept open for the life of the process: its functions stay valid
	 * in every thread without reference counting. */
	return l->after != NULL ? l->after(l->msg, sizeof(l->msg)) : ST_OK;
}

enum st_err
lib_open(struct lib_handle *l, char *errmsg, size_t errlen)
{
	if (!atomic_load_explicit(&l->done, memory_order_acquire)) {
		pthread_mutex_lock(&l->lock);
		if (!atomic_load_explicit(&l->done, memory_order_relaxed)) {
			l->err = load(l);
			atomic_store_explicit(&l->done, true,
			    memory_order_release);
		}
		pthread_mutex_unlock(&l->lock);
	}
	if (l->err != ST_OK && errmsg != NULL)
		(void)snprintf(errmsg, errlen, "%s", l->msg);
	return l->err;
}

bool
lib_ready(struct lib_handle *l)
{
	return lib_open(l, NULL, 0) == ST_OK;
}
