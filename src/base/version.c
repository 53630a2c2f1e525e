/*
 * version.c - the tool's version and the versions of the libraries in use.
 */
#include "smtptls/probe.h"

#include <stdio.h>
#include <stdlib.h>

#include <cJSON.h>
#include <curl/curl.h>
#include <ldns/ldns.h>
#include <openssl/crypto.h>

#include "buf.h"

#include "banned.h"

#define SMTPTLS_VERSION "0.1.0"

/* Where the build comes from ("release 0.1.0", "built from git 1a2b3c4"):
 * the Makefile passes what scripts/build-info.sh says. Builds that bypass
 * the Makefile (the fuzz targets' one-line compile) say they cannot tell. */
#ifndef SMTPTLS_BUILD_INFO
#define SMTPTLS_BUILD_INFO "built from unknown source"
#endif

const char *
smtptls_version(void)
{
	return SMTPTLS_VERSION;
}

char *
smtptls_version_text(void)
{
	struct buf b;

	buf_init(&b, 1024);
	if (buf_printf(&b,
	        "smtptls %s\nBuild: %s\n"
	        "OpenSSL: %s\nlibcurl: %s\nldns: %s\ncJSON: %s\n",
	        SMTPTLS_VERSION, SMTPTLS_BUILD_INFO,
	        OpenSSL_version(OPENSSL_VERSION),
	        curl_version_info(CURLVERSION_NOW)->version, ldns_version(),
	        cJSON_Version()) != ST_OK) {
		buf_release(&b);
		return NULL;
	}
	return buf_take(&b);
}
