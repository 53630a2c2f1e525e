/*
 * curl_lib.h - libcurl, opened when first used (base/lib_load.h says why).
 *
 * The binary does not link libcurl. curl_lib.c defines the libcurl
 * functions smtptls calls (curl_easy_init, curl_easy_setopt, ...) under
 * their own names; each opens libcurl and runs curl_global_init() once,
 * in whichever thread calls first, then forwards the call. Call sites stay
 * as libcurl documents them, with curl.h's type checks of setopt.
 *
 * When libcurl cannot be opened, curl_lib_load() says why, the forwarders
 * fail as libcurl's own functions fail (CURLE_FAILED_INIT, NULL), and
 * curl_version_info() answers a version of "unavailable".
 */
#ifndef SMTPTLS_CURL_LIB_H
#define SMTPTLS_CURL_LIB_H

#include <stddef.h>

#include "smtptls/err.h"

/* Open libcurl and run its global init, once per process (thread-safe:
 * concurrent callers wait for the first). ST_OK, or ST_ERR_INTERNAL with
 * the reason in errmsg (errmsg may be NULL). */
enum st_err curl_lib_load(char *errmsg, size_t errlen)
    __attribute__((warn_unused_result));

#endif
