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

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "smtptls/err.h"

struct lib_sym {
	const char *name;
	/* where dlsym's answer goes: the address of a function pointer, as
	 * POSIX's dlsym page writes it (*(void **)&fn = dlsym(...)) */
	void **slot;
};

/* One library, opened at most once (a static object of its user). */
struct lib_handle {
	const char *soname;
	const struct lib_sym *syms;
	size_t nsyms;
	/* run once after every symbol was found, under the lock, so that no
	 * forwarded call can run beside it (libcurl's global init); NULL
	 * for none */
	enum st_err (*after)(char *errmsg, size_t errlen);
	pthread_mutex_t lock;
	atomic_bool done;
	enum st_err err;
	char msg[256];
};

#define LIB_HANDLE_INIT(soname, syms, after)                                   \
	{                                                                      \
		(soname), (syms), sizeof(syms) / sizeof((syms)[0]), (after),   \
		    PTHREAD_MUTEX_INITIALIZER, false, ST_OK, ""                \
	}

/*
 * lib_open - the first call dlopen()s the library and fills every slot;
 * every call returns that outcome: ST_OK, or ST_ERR_INTERNAL with errmsg
 * (may be NULL) saying which library or symbol is missing (the slots are
 * then all NULL and the library closed again). Thread-safe: concurrent
 * first callers wait for one another.
 */
enum st_err lib_open(struct lib_handle *l, char *errmsg, size_t errlen)
    __attribute__((warn_unused_result));

/* lib_ready - lib_open without the message: whether the library's
 * functions can be called (a forwarder's first question) */
bool lib_ready(struct lib_handle *l);

#endif
