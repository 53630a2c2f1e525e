/*
 * mhd_lib.h - libmicrohttpd, opened when first used (base/lib_load.h says
 * why; net/curl_lib.h is the same for libcurl).
 *
 * The binary does not link libmicrohttpd. mhd_lib.c defines the MHD_*
 * functions smtptls calls under their own names; each opens the library
 * once, in whichever thread calls first, and forwards the call. When it
 * cannot be opened they fail as MHD's own do (NULL, MHD_NO);
 * mhd_lib_load() says why, so callers ask it first.
 */
#ifndef SMTPTLS_MHD_LIB_H
#define SMTPTLS_MHD_LIB_H

#include <stddef.h>

#include "smtptls/err.h"

/* Open libmicrohttpd once per process (thread-safe). ST_OK, or
 * ST_ERR_INTERNAL with the reason in errmsg (errmsg may be NULL). */
enum st_err mhd_lib_load(char *errmsg, size_t errlen)
    __attribute__((warn_unused_result));

#endif
