/*
 * mtasts_fetch.h - fetch an MTA-STS policy over HTTPS with libcurl
 * (RFC 8461 3.3; checks.md 7 "mtasts.policy.fetch", "mtasts.policy.cert").
 *
 * GET https://mta-sts.<domain>/.well-known/mta-sts.txt with:
 *   - the policy host's addresses from smtptls's own DNS, handed to libcurl
 *     with CURLOPT_RESOLVE: libcurl never asks the system resolver;
 *   - https only, redirects not followed (a 3xx and its Location are
 *     recorded), no proxy from the environment, no cookies, no .netrc, no
 *     content decoding (CURLOPT_ACCEPT_ENCODING is never set), HTTP/1.1;
 *   - PKIX verification for mta-sts.<domain> against the caller's CA file
 *     and/or directory, or the system store when both are NULL;
 *   - connect and total timeouts of params->timeout_ms, so a server that
 *     trickles its answer is stopped by the total budget;
 *   - at most MTASTS_POLICY_MAX body octets, counted while reading (libcurl
 *     7.88's CURLOPT_MAXFILESIZE only acts on Content-Length).
 *
 * Whether the certificate validated is kept apart from whether a response
 * arrived: the fetch runs with verification on, and when that fails the
 * result says authenticated=false with the verification error. The body of
 * an unauthenticated server never counts, so it is not fetched again.
 *
 * Threads: mtasts_fetch_global_init() opens libcurl (net/curl_lib.h) and
 * runs its global init once per process, from any thread; it also checks
 * that libcurl has https over OpenSSL. mtasts_fetch() may run in any number
 * of threads at once (each call uses its own easy handle and sets
 * CURLOPT_NOSIGNAL). Never prints, never exits.
 *
 * Use:
 *	if (mtasts_fetch_global_init(msg, sizeof(msg)) != ST_OK) ...
 *	struct mtasts_fetch_result res;
 *	err = mtasts_fetch(&params, &res);   (always fills res)
 *	...res.fetched, res.authenticated, res.http_status, res.body...
 *	mtasts_fetch_result_release(&res);
 *	mtasts_fetch_global_cleanup();        (after the last thread ended)
 */
#ifndef SMTPTLS_MTASTS_FETCH_H
#define SMTPTLS_MTASTS_FETCH_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include <openssl/types.h>

#include "smtptls/err.h"
#include "st_limits.h"

/* What to fetch. Nothing here is kept by mtasts_fetch(). */
struct mtasts_fetch_params {
	const char *domain;       /* policy domain, e.g. "example.org"; one
	                             trailing dot allowed; LDH and dots only
	                             (A-labels), else ST_ERR_INVAL */
	const char *const *addrs; /* addresses of mta-sts.<domain> as text
	                             (IPv4 dotted or IPv6, no brackets) */
	size_t naddrs;            /* 1..MTASTS_FETCH_ADDRS_MAX */
	const char *ca_file;      /* PEM trust store file, or NULL */
	const char *ca_path;      /* hashed CA directory, or NULL; both NULL:
	                             libcurl's system store */
	X509_STORE *store;        /* or NULL; when set, the trust store the
	                             fetch uses instead of ca_file/ca_path (the
	                             run's one store: no second load of the
	                             CA files), shared by up-reference */
	unsigned timeout_ms;      /* connect and total budget, > 0 */
};

/*
 * The policy object of report.md 5.6 as far as the fetch knows it (parsed
 * and unused_patterns are the parser's and the checks' business).
 *
 * Ownership: the caller allocates the struct; mtasts_fetch() fills it and
 * mtasts_fetch_result_release() frees url, host_addresses and body. Every
 * other field is inside the struct. Peer text (content_type, location,
 * body, verify_error when it quotes the peer) is raw: escape before output.
 */
struct mtasts_fetch_result {
	char *url;             /* the URL fetched; NULL only when the
	                          domain was invalid or memory ran out */
	char **host_addresses; /* copies of params->addrs, in order */
	size_t nhost_addresses;
	char connected_addr[48]; /* address libcurl connected to, or "" */

	bool fetched;       /* an HTTP response (status line and
	                       headers) arrived; the transfer may still
	                       have failed later (error tells) */
	bool authenticated; /* a TLS session was set up with the
	                       certificate verified for the mta-sts
	                       name (RFC 8461 3.3) */
	/* Certificate facts. tls_checked says whether the handshake got as far
	 * as verification; without it trusted and name_match mean nothing. */
	bool tls_checked;
	bool trusted;           /* chain verified to the trust store,
	                           within its dates */
	bool name_match;        /* the leaf names mta-sts.<domain>; false
	                           also when the chain failed and the leaf
	                           was not seen */
	long verify_code;       /* X509_V_OK; the X509_V_* error of the
	                           chain; X509_V_ERR_HOSTNAME_MISMATCH when
	                           only the name failed; -1 unknown */
	char verify_error[200]; /* "ok", OpenSSL's text for verify_code,
	                           or libcurl's name-check message; "" when
	                           tls_checked is false */
	char tls_version[16];   /* "TLSv1.3", ...; "" unknown (always when
	                           verification failed: libcurl drops the
	                           session before any callback runs) */
	bool leaf_known;        /* the two fields below are set; false
	                           when OpenSSL rejected the chain (libcurl
	                           records no chain then) */
	char leaf_sha256[65];   /* SHA-256 of the DER leaf, lowercase hex */
	time_t not_after;       /* the leaf's notAfter; 0 unreadable */

	long http_status;                               /* 0: no response */
	char content_type[MTASTS_FETCH_HEADER_MAX + 1]; /* raw value, OWS
	                              trimmed, "" when absent; may hold NULs
	                              (content_type_len counts) */
	size_t content_type_len;
	bool has_content_type;
	bool content_type_cut; /* longer than MTASTS_FETCH_HEADER_MAX */
	char location[MTASTS_FETCH_HEADER_MAX + 1]; /* Location header, raw */
	size_t location_len;
	bool has_location;
	bool location_cut;
	long long content_length; /* Content-Length announced; -1 none or
	                             malformed */

	size_t bytes;   /* body octets read, at most
	                   MTASTS_POLICY_MAX (too_large tells when
	                   there were more) */
	bool too_large; /* the body exceeded MTASTS_POLICY_MAX
	                   (by Content-Length or while reading) */
	char *body;     /* status 200, authenticated, complete and
	                   within the limit: a NUL-terminated copy
	                   of the bytes octets (may hold NULs);
	                   otherwise NULL */
	unsigned ms;    /* wall time of the fetch (monotonic) */

	/* Outcome. err is ST_OK only for a complete 200 response within the
	 * limit; the media type is not judged here (see content_type_ok). */
	enum st_err err;
	const char *error_code;  /* report.md 7.1 code, static text; NULL
	                            when err == ST_OK */
	const char *error_phase; /* report.md 7.1 phase ("connect", "tls",
	                            "https", ...); NULL when err == ST_OK */
	char errmsg[256];        /* one line when err != ST_OK */
};

/*
 * Open and initialise libcurl for the whole process (curl_lib_load) and
 * check that it can do what mtasts_fetch() needs (https with OpenSSL). Any
 * thread, any number of times. ST_ERR_INTERNAL with errmsg (size errlen)
 * on failure.
 */
enum st_err mtasts_fetch_global_init(char *errmsg, size_t errlen)
    __attribute__((warn_unused_result));
/* curl_global_cleanup(); once, after every fetch and thread has ended. */
void mtasts_fetch_global_cleanup(void);

/*
 * Fetch the policy of params->domain. Always fills *res (release it with
 * mtasts_fetch_result_release, also on failure).
 *
 * Returns ST_OK when the server was judged, whatever it did: res->err,
 * error_code and errmsg then describe the peer's failure, if any
 * (ST_ERR_TIMEOUT "timeout"; ST_ERR_IO "refused", "unreachable",
 * "no-route", "reset", "closed"; ST_ERR_TLS "tls-alert", "tls-protocol"
 * (also for a certificate that did not validate: authenticated false,
 * verify_error set); ST_ERR_HTTP "http-redirect", "http-status",
 * "protocol"; ST_ERR_LIMIT "http-too-large").
 * Returns a tool error otherwise, also copied into res->err:
 * ST_ERR_INVAL "usage" (bad domain, address or timeout), ST_ERR_IO
 * "config" (trust store unreadable), ST_ERR_NOMEM "out-of-memory",
 * ST_ERR_INTERNAL "internal" (libcurl refused an option).
 */
enum st_err mtasts_fetch(const struct mtasts_fetch_params *params,
    struct mtasts_fetch_result *res) __attribute__((warn_unused_result));

/* Free what *res holds and zero it; accepts NULL. */
void mtasts_fetch_result_release(struct mtasts_fetch_result *res);

/*
 * Whether a Content-Type value (p, len) names the media type text/plain
 * (RFC 8461 3.2; RFC 9110 8.3.1): type and subtype case-insensitive,
 * optional whitespace around it, then nothing or ";" and parameters
 * (charset=... and others allowed, not judged). Control octets other than
 * HTAB anywhere make it false. NULL only with len 0 (false).
 */
bool mtasts_fetch_content_type_ok(const char *p, size_t len);

#endif
