/*
 * mtasts_fetch_outcome.c - after an MTA-STS policy transfer: the
 * certificate facts libcurl kept (CURLINFO_SSL_VERIFYRESULT for the chain,
 * its error buffer for the name check; the leaf the handshake left),
 * and the outcome classified as report.md 7.1's code and phase. Never
 * prints.
 */
#include "mtasts_fetch_int.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "cert_check.h"
#include "conn.h"
#include "st_limits.h"

#include "ascii.h"
#include "banned.h"

void
mtasts_fetch_set_error(struct mtasts_fetch_result *res, enum st_err err,
    const char *code, const char *phase, const char *fmt, ...)
{
	va_list ap;

	res->err = err;
	res->error_code = code;
	res->error_phase = phase;
	va_start(ap, fmt);
	(void)vsnprintf(res->errmsg, sizeof(res->errmsg), fmt, ap);
	va_end(ap);
}

/* leaf_facts - SHA-256, notAfter and name match of the leaf kept at the
 * end of the handshake (also after a failed name check) */
static void
leaf_facts(struct fetch_ctx *ctx, const char *host)
{
	struct mtasts_fetch_result *res = ctx->res;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0, i;
	time_t nb;
	X509 *x = ctx->leaf;

	if (x == NULL)
		return;
	if (X509_digest(x, EVP_sha256(), md, &mdlen) != 1 || mdlen != 32)
		return;
	for (i = 0; i < mdlen; i++)
		(void)snprintf(res->leaf_sha256 + 2 * i, 3, "%02x", md[i]);
	/* Unreadable dates leave not_after 0, as the header says. */
	(void)cert_summary_dates(x, &nb, &res->not_after);
	res->leaf_known = true;
	/* RFC 8461 3.3 defers to RFC 6125; OpenSSL checks it, no partial
	 * wildcards. */
	res->name_match = X509_check_host(x, host, strlen(host),
	                      X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS, NULL) == 1;
}

/* note_cert - certificate verdicts after the transfer */
static void
note_cert(struct fetch_ctx *ctx, CURLcode rc, const char *host)
{
	struct mtasts_fetch_result *res = ctx->res;
	curl_off_t appconnect = 0;
	long vr = -1;

	if (curl_easy_getinfo(ctx->h, CURLINFO_APPCONNECT_TIME_T,
	        &appconnect) != CURLE_OK)
		appconnect = 0;
	if (curl_easy_getinfo(ctx->h, CURLINFO_SSL_VERIFYRESULT, &vr) !=
	    CURLE_OK)
		vr = -1;
	/* With VERIFYPEER and VERIFYHOST on, a completed handshake is a
	 * verified one. */
	res->authenticated = appconnect > 0;
	res->tls_checked =
	    res->authenticated || rc == CURLE_PEER_FAILED_VERIFICATION;
	if (!res->tls_checked)
		return;
	/* The leaf is kept only once the handshake completed, i.e. OpenSSL
	 * accepted the chain, before libcurl's own name check. */
	leaf_facts(ctx, host);
	if (res->authenticated) {
		res->trusted = res->name_match = true;
		res->verify_code = X509_V_OK;
		ascii_copy(res->verify_error, sizeof(res->verify_error), "ok");
	} else if (vr == X509_V_OK || (vr == 1 && res->leaf_known)) {
		/* The chain verified, libcurl's name check failed. 7.88 leaves
		 * the verify result at its initial !X509_V_OK (1, which is
		 * also X509_V_ERR_UNSPECIFIED) then; the recorded chain shows
		 * that OpenSSL's verification passed. */
		res->trusted = true;
		res->name_match = false;
		res->verify_code = X509_V_ERR_HOSTNAME_MISMATCH;
		ascii_copy(res->verify_error, sizeof(res->verify_error),
		    ctx->errbuf[0] ? ctx->errbuf : "hostname mismatch");
	} else {
		/* OpenSSL rejected the chain; the name was not checked. */
		res->trusted = false;
		res->verify_code = vr;
		ascii_copy(res->verify_error, sizeof(res->verify_error),
		    vr > 0           ? X509_verify_cert_error_string(vr)
		    : ctx->errbuf[0] ? ctx->errbuf
		                     : curl_easy_strerror(rc));
	}
}

/* stage - report.md 7.1 phase a transfer failure happened in */
static const char *
stage(struct fetch_ctx *ctx)
{
	curl_off_t c = 0, a = 0;

	if (ctx->res->fetched)
		return "https";
	if (curl_easy_getinfo(ctx->h, CURLINFO_APPCONNECT_TIME_T, &a) ==
	        CURLE_OK &&
	    a > 0)
		return "https";
	/* 7.88 leaves CONNECT_TIME at 0 while the TLS handshake is under
	 * way; the primary address is set once TCP has connected. */
	if ((curl_easy_getinfo(ctx->h, CURLINFO_CONNECT_TIME_T, &c) ==
	            CURLE_OK &&
	        c > 0) ||
	    ctx->res->connected_addr[0] != '\0')
		return "tls";
	return "connect";
}

/* classify_transfer - the outcome of a curl_easy_perform() that did not
 * end in a complete response */
static enum st_err
classify_transfer(struct fetch_ctx *ctx, CURLcode rc)
{
	struct mtasts_fetch_result *res = ctx->res;
	const char *why = ctx->errbuf[0] ? ctx->errbuf : curl_easy_strerror(rc);
	const char *ph = stage(ctx);
	long oserr = 0;

	if (curl_easy_getinfo(ctx->h, CURLINFO_OS_ERRNO, &oserr) != CURLE_OK)
		oserr = 0;
	switch (rc) {
	case CURLE_OUT_OF_MEMORY:
		mtasts_fetch_set_error(res, ST_ERR_NOMEM, "out-of-memory",
		    "internal", "out of memory fetching '%s'", res->url);
		return ST_ERR_NOMEM;
	case CURLE_SSL_CACERT_BADFILE:
		mtasts_fetch_set_error(res, ST_ERR_IO, "config", "options",
		    "cannot use the trust store: %s", why);
		return ST_ERR_IO;
	case CURLE_OPERATION_TIMEDOUT:
		mtasts_fetch_set_error(res, ST_ERR_TIMEOUT, "timeout", ph,
		    "cannot fetch '%s': no complete answer within %u ms "
		    "(stuck in %s)",
		    res->url, ctx->timeout_ms, ph);
		return ST_OK;
	case CURLE_COULDNT_CONNECT:
		if (res->nhost_addresses == 1)
			mtasts_fetch_set_error(res, ST_ERR_IO,
			    conn_error_code((int)oserr, false), "connect",
			    "cannot connect to '%s' at %s port 443: "
			    "%s",
			    ctx->host, res->host_addresses[0],
			    oserr ? strerror((int)oserr) : why);
		else
			mtasts_fetch_set_error(res, ST_ERR_IO,
			    conn_error_code((int)oserr, false), "connect",
			    "cannot connect to '%s' at any of %zu "
			    "addresses, port 443 (last: %s)",
			    ctx->host, res->nhost_addresses,
			    oserr ? strerror((int)oserr) : why);
		return ST_OK;
	case CURLE_PEER_FAILED_VERIFICATION:
		/* XXX: report.md 7.1 has no code for a certificate we reject;
		 * tls-protocol is the nearest, verify_error says the rest. */
		mtasts_fetch_set_error(res, ST_ERR_TLS, "tls-protocol", "tls",
		    "certificate of '%s' not valid: %s", res->url,
		    res->verify_error);
		return ST_OK;
	case CURLE_SSL_CONNECT_ERROR:
		mtasts_fetch_set_error(res, ST_ERR_TLS,
		    strstr(why, "alert") != NULL ? "tls-alert" : "tls-protocol",
		    "tls", "TLS handshake with '%s' failed: %s", res->url, why);
		return ST_OK;
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
		mtasts_fetch_set_error(res, ST_ERR_IO,
		    oserr == ECONNRESET ? "reset" : "closed", ph,
		    "'%s' broke off the answer: %s", res->url, why);
		return ST_OK;
	default:
		mtasts_fetch_set_error(res, ST_ERR_HTTP, "protocol", ph,
		    "cannot fetch '%s': %s", res->url, why);
		return ST_OK;
	}
}

/* mtasts_fetch_classify - the outcome of the fetch; tool errors are
 * returned */
enum st_err
mtasts_fetch_classify(struct fetch_ctx *ctx, CURLcode rc)
{
	struct mtasts_fetch_result *res = ctx->res;
	long st = res->http_status;

	if (ctx->nomem) {
		mtasts_fetch_set_error(res, ST_ERR_NOMEM, "out-of-memory",
		    "internal", "out of memory reading '%s'", res->url);
		return ST_ERR_NOMEM;
	}
	if (rc == CURLE_FILESIZE_EXCEEDED)
		res->too_large = true;
	/* A status other than 200 is the finding, whatever came after. */
	if (res->fetched && st >= 300 && st < 400) {
		mtasts_fetch_set_error(res, ST_ERR_HTTP, "http-redirect",
		    "https", "'%s' answered %ld, a redirect (not followed)",
		    res->url, st);
		return ST_OK;
	}
	if (res->fetched && st != 200) {
		mtasts_fetch_set_error(res, ST_ERR_HTTP, "http-status", "https",
		    "'%s' answered %ld, not 200", res->url, st);
		return ST_OK;
	}
	if (res->too_large) {
		if (res->content_length > MTASTS_POLICY_MAX)
			mtasts_fetch_set_error(res, ST_ERR_LIMIT,
			    "http-too-large", "https",
			    "policy of %lld octets exceeds the limit of %d",
			    res->content_length, MTASTS_POLICY_MAX);
		else
			mtasts_fetch_set_error(res, ST_ERR_LIMIT,
			    "http-too-large", "https",
			    "policy exceeds the limit of %d octets",
			    MTASTS_POLICY_MAX);
		return ST_OK;
	}
	if (rc != CURLE_OK)
		return classify_transfer(ctx, rc);
	return ST_OK;
}

/* mtasts_fetch_collect - what libcurl knows after the transfer */
void
mtasts_fetch_collect(struct fetch_ctx *ctx, CURLcode rc, const char *host)
{
	struct mtasts_fetch_result *res = ctx->res;
	char *ip = NULL;
	long st = 0;

	if (curl_easy_getinfo(ctx->h, CURLINFO_RESPONSE_CODE, &st) != CURLE_OK)
		st = 0;
	res->http_status = st;
	res->fetched = st > 0;
	if (curl_easy_getinfo(ctx->h, CURLINFO_PRIMARY_IP, &ip) == CURLE_OK &&
	    ip != NULL)
		ascii_copy(res->connected_addr, sizeof(res->connected_addr),
		    ip);
	res->bytes = ctx->body.len;
	note_cert(ctx, rc, host);
}
