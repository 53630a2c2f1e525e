/*
 * lib_load.h - open a shared library when it is first needed and find the
 * functions a caller uses in it.
 *
 * Why: every process start paid for libcurl and libmicrohttpd and the 27
 * objects they bring (Kerberos, LDAP, SSH, GnuTLS, ...), about half of
 * smtptls's start-up, also for the commands that never fetch a policy or
 * serve HTTP. Their users (net/curl_lib.c, net/mhd_lib.c) open them here
 * instead, once, from the first thread that asks.
 *
 * All or nothing: the library is kept open only when every symbol was
 * found. Never prints.
 */
#ifndef SMTPTLS_LIB_LOAD_H
#define SMTPTLS_LIB_LOAD_H

#include <stddef.h>

#include "smtptls/err.h"

struct lib_sym {
	const char *name;
	/* where dlsym's answer goes: the address of a function pointer, as
	 * POSIX's dlsym page writes it (*(void **)&fn = dlsym(...)) */
	void **slot;
};

/*
 * lib_load - dlopen(soname) and fill every slot of syms[0..n). ST_OK, or
 * ST_ERR_INTERNAL with errmsg saying which library or symbol is missing
 * (the slots are then all NULL and the library closed again). Not
 * thread-safe by itself: callers run it under their own pthread_once.
 */
enum st_err lib_load(const char *soname, const struct lib_sym *syms, size_t n,
    char *errmsg, size_t errlen) __attribute__((warn_unused_result));

#endif
