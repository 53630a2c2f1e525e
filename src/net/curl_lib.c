/*
 * curl_lib.c - libcurl's functions as smtptls uses them, forwarded to the
 * library opened on first use (curl_lib.h).
 *
 * The forwarders are plain C functions named like libcurl's. They are not
 * exported (the executable has no --export-dynamic), and libcurl is opened
 * RTLD_LOCAL, so libcurl's own calls never land here.
 */
#define CURL_DISABLE_TYPECHECK /* the forwarders' own names, not macros */
#include "curl_lib.h"

#include <curl/curl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

#include "lib_load.h"

#include "banned.h"

#ifndef SMTPTLS_CURL_SONAME
#error "SMTPTLS_CURL_SONAME (libcurl's SONAME) comes from the Makefile"
#endif

static struct {
	__typeof__(curl_global_init) *global_init;
	__typeof__(curl_global_cleanup) *global_cleanup;
	__typeof__(curl_version_info) *version_info;
	__typeof__(curl_easy_init) *easy_init;
	__typeof__(curl_easy_setopt) *easy_setopt;
	__typeof__(curl_easy_perform) *easy_perform;
	__typeof__(curl_easy_getinfo) *easy_getinfo;
	__typeof__(curl_easy_cleanup) *easy_cleanup;
	__typeof__(curl_easy_strerror) *easy_strerror;
	__typeof__(curl_slist_append) *slist_append;
	__typeof__(curl_slist_free_all) *slist_free_all;
} fn;

/* after_load - under lib_open's lock: no libcurl call can run beside it
 * (libcurl before 7.84 required that) */
static enum st_err
after_load(char *errmsg, size_t errlen)
{
	if (fn.global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK)
		return ST_OK;
	(void)snprintf(errmsg, errlen, "cannot initialise libcurl");
	return ST_ERR_INTERNAL;
}

static const struct lib_sym syms[] = {
	{ "curl_global_init", (void **)&fn.global_init },
	{ "curl_global_cleanup", (void **)&fn.global_cleanup },
	{ "curl_version_info", (void **)&fn.version_info },
	{ "curl_easy_init", (void **)&fn.easy_init },
	{ "curl_easy_setopt", (void **)&fn.easy_setopt },
	{ "curl_easy_perform", (void **)&fn.easy_perform },
	{ "curl_easy_getinfo", (void **)&fn.easy_getinfo },
	{ "curl_easy_cleanup", (void **)&fn.easy_cleanup },
	{ "curl_easy_strerror", (void **)&fn.easy_strerror },
	{ "curl_slist_append", (void **)&fn.slist_append },
	{ "curl_slist_free_all", (void **)&fn.slist_free_all },
};
static struct lib_handle lib =
    LIB_HANDLE_INIT(SMTPTLS_CURL_SONAME, syms, after_load);

enum st_err
curl_lib_load(char *errmsg, size_t errlen)
{
	return lib_open(&lib, errmsg, errlen);
}

void
curl_global_cleanup(void)
{
	if (lib_ready(&lib))
		fn.global_cleanup();
}

curl_version_info_data *
curl_version_info(CURLversion age)
{
	static curl_version_info_data none = { .version = "unavailable" };

	return lib_ready(&lib) ? fn.version_info(age) : &none;
}

CURL *
curl_easy_init(void)
{
	return lib_ready(&lib) ? fn.easy_init() : NULL;
}

/*
 * curl_easy_setopt - the one argument after the option is read as the type
 * the option's number says (curl.h: CURLOPTTYPE_* are steps of 10000), as
 * libcurl itself reads it.
 */
CURLcode
curl_easy_setopt(CURL *h, CURLoption opt, ...)
{
	CURLcode rc = CURLE_FAILED_INIT;
	va_list ap;

	if (!lib_ready(&lib))
		return rc;
	/* Pointers to data and to functions are read as void * and as one
	 * function pointer type, as libcurl reads them too: one size and
	 * representation on every platform libcurl supports. */
	va_start(ap, opt);
	if (opt < CURLOPTTYPE_OBJECTPOINT)
		rc = fn.easy_setopt(h, opt, va_arg(ap, long));
	else if (opt < CURLOPTTYPE_FUNCTIONPOINT)
		rc = fn.easy_setopt(h, opt, va_arg(ap, void *));
	else if (opt < CURLOPTTYPE_OFF_T)
		rc = fn.easy_setopt(h, opt, va_arg(ap, void (*)(void)));
	else if (opt < CURLOPTTYPE_BLOB)
		rc = fn.easy_setopt(h, opt, va_arg(ap, curl_off_t));
	else
		rc = fn.easy_setopt(h, opt, va_arg(ap, void *));
	va_end(ap);
	return rc;
}

CURLcode
curl_easy_perform(CURL *h)
{
	return lib_ready(&lib) ? fn.easy_perform(h) : CURLE_FAILED_INIT;
}

/* curl_easy_getinfo - every CURLINFO_* takes a pointer to the result. */
CURLcode
curl_easy_getinfo(CURL *h, CURLINFO info, ...)
{
	CURLcode rc = CURLE_FAILED_INIT;
	va_list ap;

	if (!lib_ready(&lib))
		return rc;
	va_start(ap, info);
	rc = fn.easy_getinfo(h, info, va_arg(ap, void *));
	va_end(ap);
	return rc;
}

void
curl_easy_cleanup(CURL *h)
{
	if (h != NULL && lib_ready(&lib))
		fn.easy_cleanup(h);
}

const char *
curl_easy_strerror(CURLcode rc)
{
	return lib_ready(&lib) ? fn.easy_strerror(rc) : "libcurl unavailable";
}

struct curl_slist *
curl_slist_append(struct curl_slist *l, const char *s)
{
	return lib_ready(&lib) ? fn.slist_append(l, s) : NULL;
}

void
curl_slist_free_all(struct curl_slist *l)
{
	if (l != NULL && lib_ready(&lib))
		fn.slist_free_all(l);
}
