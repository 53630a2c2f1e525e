/*
 * mtasts_fetch_int.h - what the two halves of the MTA-STS fetch share:
 * mtasts_fetch.c sets up and runs the libcurl transfer,
 * mtasts_fetch_outcome.c reads what it left (certificate facts, the
 * classified outcome). Private to src/net/.
 */
#ifndef SMTPTLS_MTASTS_FETCH_INT_H
#define SMTPTLS_MTASTS_FETCH_INT_H

#include <stdbool.h>

#include <curl/curl.h>
#include <openssl/x509.h>

#include "buf.h"
#include "mtasts_fetch.h"

/* State shared with libcurl's callbacks during one transfer. */
struct fetch_ctx {
	CURL *h;
	struct mtasts_fetch_result *res;
	const char *host; /* mta-sts.<domain> */
	unsigned timeout_ms;
	X509_STORE *store; /* borrowed: the run's trust store, or NULL */
	X509 *leaf;        /* the server's leaf once the handshake is done */
	struct buf body;   /* capped at MTASTS_POLICY_MAX */
	bool in_body;      /* the write callback ran: later header lines
	                      are trailers and are ignored */
	bool nomem;        /* a callback ran out of memory */
	char errbuf[CURL_ERROR_SIZE];
};

/* Record the outcome: class, report.md 7.1 code and phase. */
void mtasts_fetch_set_error(struct mtasts_fetch_result *res, enum st_err err,
    const char *code, const char *phase, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* What libcurl knows after the transfer: status, address, size, the
 * certificate facts. */
void mtasts_fetch_collect(struct fetch_ctx *ctx, CURLcode rc, const char *host);
/* The outcome of the fetch into ctx->res; tool errors are returned. */
enum st_err mtasts_fetch_classify(struct fetch_ctx *ctx, CURLcode rc)
    __attribute__((warn_unused_result));

#endif
