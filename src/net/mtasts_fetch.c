/*
 * mtasts_fetch.c - fetch an MTA-STS policy over HTTPS with libcurl (see
 * mtasts_fetch.h).
 *
 * Owns one easy handle per call and the strings of the caller's result.
 * Never prints, never exits, never asks the system resolver (addresses
 * come in through CURLOPT_RESOLVE), never follows a redirect, never reads
 * more than MTASTS_POLICY_MAX body octets. The TLS version comes from
 * the OpenSSL session (CURLINFO_TLS_SSL_PTR, valid inside callbacks);
 * what the transfer left (certificate facts, the classified outcome) is
 * read in mtasts_fetch_outcome.c.
 */
#include "mtasts_fetch_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <curl/curl.h>
#include <openssl/ssl.h>

#include "buf.h"
#include "clock.h"
#include "curl_lib.h"
#include "smtptls/probe.h"
#include "st_limits.h"

#include "ascii.h"
#include "banned.h"

#define WELL_KNOWN "/.well-known/mta-sts.txt"

/* Messages in this file are cut at their field's size by snprintf; a
 * shortened message is still a correct one, so results are not checked. */

/* domain_ok - LDH labels of 1-63 octets; strips one trailing dot */
static bool
domain_ok(const char *d, size_t *lenp)
{
	size_t len = strlen(d), i, label = 0;

	if (len > 0 && d[len - 1] == '.')
		len--;
	if (len == 0 || len > MTASTS_FETCH_DOMAIN_MAX)
		return false;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)d[i];

		if (c == '.') {
			if (label == 0)
				return false;
			label = 0;
			continue;
		}
		if (!(c >= 'a' && c <= 'z') && !(c >= 'A' && c <= 'Z') &&
		    !(c >= '0' && c <= '9') && c != '-')
			return false;
		if (++label > 63)
			return false;
	}
	*lenp = len;
	return label > 0;
}

/* addr_family - AF_INET or AF_INET6 for a textual address, else 0 */
static int
addr_family(const char *a)
{
	unsigned char tmp[16];

	if (inet_pton(AF_INET, a, tmp) == 1)
		return AF_INET;
	if (inet_pton(AF_INET6, a, tmp) == 1)
		return AF_INET6;
	return 0;
}

/* copy_addrs - keep the caller's addresses and build the RESOLVE entry */
static enum st_err
copy_addrs(const struct mtasts_fetch_params *p, const char *host,
    struct mtasts_fetch_result *res, struct buf *resolve)
{
	size_t i;
	int af;

	res->host_addresses = calloc(p->naddrs, sizeof(char *));
	if (res->host_addresses == NULL)
		return ST_ERR_NOMEM;
	if (buf_printf(resolve, "%s:443:", host) != ST_OK)
		return ST_ERR_NOMEM;
	for (i = 0; i < p->naddrs; i++) {
		if (p->addrs[i] == NULL || (af = addr_family(p->addrs[i])) == 0)
			return ST_ERR_INVAL;
		if ((res->host_addresses[i] = strdup(p->addrs[i])) == NULL)
			return ST_ERR_NOMEM;
		res->nhost_addresses = i + 1;
		if (buf_printf(resolve, af == AF_INET6 ? "%s[%s]" : "%s%s",
		        i > 0 ? "," : "", p->addrs[i]) != ST_OK)
			return ST_ERR_NOMEM;
	}
	return ST_OK;
}

/* keep_header - store a header value, OWS trimmed, cut at the cap */
static void
keep_header(const char *v, size_t n, char *dst, size_t *dst_len, bool *has,
    bool *cut)
{
	while (n > 0 && (*v == ' ' || *v == '\t'))
		v++, n--;
	while (n > 0 && (v[n - 1] == '\r' || v[n - 1] == '\n' ||
	                    v[n - 1] == ' ' || v[n - 1] == '\t'))
		n--;
	*cut = n > MTASTS_FETCH_HEADER_MAX;
	if (*cut)
		n = MTASTS_FETCH_HEADER_MAX;
	memcpy(dst, v, n);
	dst[n] = '\0';
	*dst_len = n;
	*has = true;
}

/* header_is - whether line (p, n) is header name followed by ":" */
static bool
header_is(const char *p, size_t n, const char *name, size_t name_len)
{
	return n > name_len && p[name_len] == ':' &&
	       strncasecmp(p, name, name_len) == 0;
}

/* parse_length - a Content-Length value; -1 when malformed, saturated
 * at LLONG_MAX (only compared with MTASTS_POLICY_MAX) */
static long long
parse_length(const char *v, size_t n)
{
	long long x = 0;
	bool digits = false;

	while (n > 0 && (*v == ' ' || *v == '\t'))
		v++, n--;
	for (; n > 0 && *v >= '0' && *v <= '9'; v++, n--) {
		digits = true;
		x = x > (LLONG_MAX - 9) / 10 ? LLONG_MAX : x * 10 + (*v - '0');
	}
	while (n > 0 && (*v == ' ' || *v == '\t' || *v == '\r' || *v == '\n'))
		v++, n--;
	return digits && n == 0 ? x : -1;
}

/* note_tls - TLS version from the live OpenSSL session (the handshake is
 * complete once headers arrive) */
static void
note_tls(struct fetch_ctx *ctx)
{
	struct curl_tlssessioninfo *ti = NULL;

	if (ctx->res->tls_version[0] != '\0')
		return;
	if (curl_easy_getinfo(ctx->h, CURLINFO_TLS_SSL_PTR, &ti) != CURLE_OK ||
	    ti == NULL || ti->backend != CURLSSLBACKEND_OPENSSL ||
	    ti->internals == NULL)
		return;
	ascii_copy(ctx->res->tls_version, sizeof(ctx->res->tls_version),
	    SSL_get_version(ti->internals));
}

/* on_header - libcurl header callback: one header line at a time */
static size_t
on_header(char *p, size_t size, size_t nitems, void *arg)
{
	struct fetch_ctx *ctx = arg;
	struct mtasts_fetch_result *res = ctx->res;
	size_t n = size * nitems; /* libcurl: size is always 1 */

	note_tls(ctx);
	if (ctx->in_body)
		return n; /* trailers of a chunked body: not the response's */
	if (n >= 5 && memcmp(p, "HTTP/", 5) == 0) {
		/* A new status line (after an interim 1xx): start over. */
		res->has_content_type = res->has_location = false;
		res->content_type[0] = res->location[0] = '\0';
		res->content_type_len = res->location_len = 0;
		res->content_length = -1;
		return n;
	}
	/* The first of repeated fields is kept. */
	if (!res->has_content_type && header_is(p, n, "content-type", 12))
		keep_header(p + 13, n - 13, res->content_type,
		    &res->content_type_len, &res->has_content_type,
		    &res->content_type_cut);
	else if (!res->has_location && header_is(p, n, "location", 8))
		keep_header(p + 9, n - 9, res->location, &res->location_len,
		    &res->has_location, &res->location_cut);
	else if (header_is(p, n, "content-length", 14))
		res->content_length = parse_length(p + 15, n - 15);
	return n;
}

/* on_body - libcurl write callback: keep at most MTASTS_POLICY_MAX octets;
 * a short count makes libcurl stop the transfer (CURLE_WRITE_ERROR) */
static size_t
on_body(char *p, size_t size, size_t nmemb, void *arg)
{
	struct fetch_ctx *ctx = arg;
	size_t n = size * nmemb, room;
	enum st_err err;

	ctx->in_body = true;
	note_tls(ctx);
	room = ctx->body.max - ctx->body.len;
	if (n > room) {
		ctx->res->too_large = true;
		if (room > 0 && buf_add(&ctx->body, p, room) != ST_OK)
			ctx->nomem = true;
		return 0;
	}
	if ((err = buf_add(&ctx->body, p, n)) != ST_OK) {
		ctx->nomem = err == ST_ERR_NOMEM;
		ctx->res->too_large = err == ST_ERR_LIMIT;
		return 0;
	}
	return n;
}

/* on_tls_info - keep the server's leaf once the handshake is done: the
 * facts of mtasts_fetch_outcome.c come from it, also when libcurl's name
 * check fails next (libcurl rejects the name only after a completed
 * handshake). Taken from the live session, so the certificate is not
 * printed by libcurl (CURLOPT_CERTINFO) and decoded again by us. */
static void
on_tls_info(const SSL *ssl, int where, int ret)
{
	struct fetch_ctx *ctx;

	(void)ret; /* HANDSHAKE_DONE carries no status */
	if (!(where & SSL_CB_HANDSHAKE_DONE))
		return;
	ctx = SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl));
	/* TLS 1.3 signals it again after each session ticket. */
	if (ctx != NULL && ctx->leaf == NULL)
		ctx->leaf = SSL_get1_peer_certificate(ssl);
}

/* on_ssl_ctx - libcurl's SSL_CTX for this transfer: it trusts the run's
 * store (loaded once per run, shared with the SMTP sessions) when there
 * is one, and reports the end of the handshake to on_tls_info. libcurl
 * 7.88 uses neither the SSL_CTX's app data nor its info callback. */
static CURLcode
on_ssl_ctx(CURL *h, void *sslctx, void *arg)
{
	struct fetch_ctx *ctx = arg;

	(void)h; /* ctx is all it needs */
	if (ctx->store != NULL)
		SSL_CTX_set1_cert_store(sslctx, ctx->store);
	if (!SSL_CTX_set_app_data(sslctx, ctx))
		return CURLE_SSL_CONNECT_ERROR;
	SSL_CTX_set_info_callback(sslctx, on_tls_info);
	return CURLE_OK;
}

/* set_options - every option of the fetch; false when libcurl refuses one */
static bool
set_options(struct fetch_ctx *ctx, const struct mtasts_fetch_params *p,
    struct curl_slist *resolve, const char *ua)
{
	CURL *h = ctx->h;
	long t = (long)p->timeout_ms;
	bool ok = true;

#define SET(opt, val) ok = ok && curl_easy_setopt(h, opt, val) == CURLE_OK
	SET(CURLOPT_URL, ctx->res->url);
	SET(CURLOPT_RESOLVE, resolve);
	SET(CURLOPT_PROTOCOLS_STR, "https");
	SET(CURLOPT_REDIR_PROTOCOLS_STR, "https");
	SET(CURLOPT_FOLLOWLOCATION, 0L);
	SET(CURLOPT_MAXREDIRS, 0L);
	SET(CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
	SET(CURLOPT_USERAGENT, ua);
	/* No proxy from http(s)_proxy/ALL_PROXY, no .netrc; cookies are off
	 * while no cookie option is set. */
	SET(CURLOPT_PROXY, "");
	SET(CURLOPT_NOPROXY, "*");
	SET(CURLOPT_NETRC, (long)CURL_NETRC_IGNORED);
	SET(CURLOPT_NOSIGNAL, 1L);
	SET(CURLOPT_FRESH_CONNECT, 1L);
	SET(CURLOPT_FORBID_REUSE, 1L);
	SET(CURLOPT_CONNECTTIMEOUT_MS, t);
	SET(CURLOPT_TIMEOUT_MS, t); /* total: stops a trickling server */
	/* Early stop on an announced Content-Length; on_body counts the rest
	 * (7.88 ignores this option for chunked and close-delimited bodies). */
	SET(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)MTASTS_POLICY_MAX);
	SET(CURLOPT_SSL_VERIFYPEER, 1L);
	SET(CURLOPT_SSL_VERIFYHOST, 2L);
	SET(CURLOPT_ERRORBUFFER, ctx->errbuf);
	SET(CURLOPT_HEADERFUNCTION, on_header);
	SET(CURLOPT_HEADERDATA, ctx);
	SET(CURLOPT_WRITEFUNCTION, on_body);
	SET(CURLOPT_WRITEDATA, ctx);
	SET(CURLOPT_SSL_CTX_FUNCTION, on_ssl_ctx);
	SET(CURLOPT_SSL_CTX_DATA, ctx);
	/* A trust store given replaces the system one entirely; the run's
	 * own store needs no file loaded at all (7.88 loads no default
	 * paths when CAINFO and CAPATH are unset). */
	ctx->store = p->store;
	if (p->store != NULL) {
		SET(CURLOPT_CAINFO, NULL);
		SET(CURLOPT_CAPATH, NULL);
	} else if (p->ca_file != NULL || p->ca_path != NULL) {
		SET(CURLOPT_CAINFO, p->ca_file);
		SET(CURLOPT_CAPATH, p->ca_path);
	}
#undef SET
	return ok;
}

enum st_err
mtasts_fetch_global_init(char *errmsg, size_t errlen)
{
	const curl_version_info_data *v;
	const char *const *pr;
	bool https = false;

	if (errlen > 0)
		errmsg[0] = '\0';
	/* opens libcurl and runs its global init, once per process */
	if (curl_lib_load(errmsg, errlen) != ST_OK)
		return ST_ERR_INTERNAL;
	v = curl_version_info(CURLVERSION_NOW);
	for (pr = v->protocols; pr != NULL && *pr != NULL; pr++)
		if (strcmp(*pr, "https") == 0)
			https = true;
	/* CURLINFO_TLS_SSL_PTR and the verify result are read as OpenSSL's. */
	if (!https || v->ssl_version == NULL ||
	    strncmp(v->ssl_version, "OpenSSL", 7) != 0) {
		(void)snprintf(errmsg, errlen,
		    "libcurl %s lacks https with OpenSSL (TLS: %s)", v->version,
		    v->ssl_version ? v->ssl_version : "none");
		return ST_ERR_INTERNAL;
	}
	return ST_OK;
}

void
mtasts_fetch_global_cleanup(void)
{
	curl_global_cleanup();
}

/* fetch_prepare - validate params, fill url and addresses, build RESOLVE */
static enum st_err
fetch_prepare(const struct mtasts_fetch_params *p,
    struct mtasts_fetch_result *res, char *host, size_t hostlen,
    struct buf *resolve)
{
	size_t dlen;
	struct buf u;
	enum st_err err;
	struct stat st;

	if (p->domain == NULL || !domain_ok(p->domain, &dlen)) {
		mtasts_fetch_set_error(res, ST_ERR_INVAL, "usage", "options",
		    "invalid policy domain");
		return ST_ERR_INVAL;
	}
	(void)snprintf(host, hostlen, "mta-sts.%.*s", (int)dlen, p->domain);
	buf_init(&u, 8 + 8 + MTASTS_FETCH_DOMAIN_MAX + sizeof(WELL_KNOWN));
	if (buf_printf(&u, "https://%s" WELL_KNOWN, host) != ST_OK) {
		buf_release(&u);
		mtasts_fetch_set_error(res, ST_ERR_NOMEM, "out-of-memory",
		    "internal", "out of memory");
		return ST_ERR_NOMEM;
	}
	res->url = buf_take(&u);
	if (p->naddrs == 0 || p->naddrs > MTASTS_FETCH_ADDRS_MAX ||
	    p->addrs == NULL || p->timeout_ms == 0) {
		mtasts_fetch_set_error(res, ST_ERR_INVAL, "usage", "options",
		    "no address, too many addresses or no timeout for '%s'",
		    host);
		return ST_ERR_INVAL;
	}
	if ((err = copy_addrs(p, host, res, resolve)) != ST_OK) {
		mtasts_fetch_set_error(res, err,
		    err == ST_ERR_NOMEM ? "out-of-memory" : "usage", "options",
		    err == ST_ERR_NOMEM ? "out of memory"
		                        : "invalid address for '%s'",
		    host);
		return err;
	}
	/* OpenSSL accepts a missing CA directory silently; every verify
	 * would then fail and be blamed on the server. */
	if (p->ca_path != NULL && stat(p->ca_path, &st) != 0) {
		mtasts_fetch_set_error(res, ST_ERR_IO, "config", "options",
		    "cannot use CA directory '%s': %s", p->ca_path,
		    strerror(errno));
		return ST_ERR_IO;
	}
	if (p->ca_path != NULL && !S_ISDIR(st.st_mode)) {
		mtasts_fetch_set_error(res, ST_ERR_IO, "config", "options",
		    "cannot use CA directory '%s': not a directory",
		    p->ca_path);
		return ST_ERR_IO;
	}
	return ST_OK;
}

/* fetch_ctx_release - what one transfer held */
static void
fetch_ctx_release(struct fetch_ctx *ctx)
{
	curl_easy_cleanup(ctx->h);
	X509_free(ctx->leaf);
	buf_release(&ctx->body);
}

enum st_err
mtasts_fetch(const struct mtasts_fetch_params *p,
    struct mtasts_fetch_result *res)
{
	struct fetch_ctx ctx;
	struct curl_slist *resolve = NULL;
	struct buf rs, ua;
	char host[8 + MTASTS_FETCH_DOMAIN_MAX + 1];
	long long t0;
	CURLcode rc;
	enum st_err err;

	memset(res, 0, sizeof(*res));
	res->verify_code = -1;
	res->content_length = -1;
	memset(&ctx, 0, sizeof(ctx));
	host[0] = '\0';
	ctx.res = res;
	ctx.host = host;
	buf_init(&ctx.body, MTASTS_POLICY_MAX);
	buf_init(&rs, sizeof(host) + 4 + MTASTS_FETCH_ADDRS_MAX * 48);
	buf_init(&ua, 64);
	if (p == NULL) {
		mtasts_fetch_set_error(res, ST_ERR_INVAL, "usage", "options",
		    "no parameters");
		err = ST_ERR_INVAL;
		goto out;
	}
	if ((err = fetch_prepare(p, res, host, sizeof(host), &rs)) != ST_OK)
		goto out;
	ctx.timeout_ms = p->timeout_ms;
	err = ST_ERR_NOMEM;
	if (buf_printf(&ua, "smtptls/%s", smtptls_version()) != ST_OK ||
	    (resolve = curl_slist_append(NULL, rs.data)) == NULL ||
	    (ctx.h = curl_easy_init()) == NULL) {
		mtasts_fetch_set_error(res, err, "out-of-memory", "internal",
		    "cannot set up the fetch of '%s'", res->url);
		goto out;
	}
	if (!set_options(&ctx, p, resolve, ua.data)) {
		err = ST_ERR_INTERNAL;
		mtasts_fetch_set_error(res, err, "internal", "internal",
		    "libcurl refused an option for '%s'", res->url);
		goto out;
	}
	t0 = clock_ms();
	rc = curl_easy_perform(ctx.h);
	res->ms = (unsigned)(clock_ms() - t0);
	mtasts_fetch_collect(&ctx, rc, host);
	if ((err = mtasts_fetch_classify(&ctx, rc)) != ST_OK)
		goto out;
	if (res->err == ST_OK && res->http_status == 200 &&
	    res->authenticated) {
		if (ctx.body.data == NULL &&
		    buf_add(&ctx.body, "", 0) != ST_OK) {
			err = ST_ERR_NOMEM;
			mtasts_fetch_set_error(res, err, "out-of-memory",
			    "internal", "out of memory");
			goto out;
		}
		res->body = buf_take(&ctx.body);
	}
	err = ST_OK;
out:
	if (err != ST_OK)
		res->err = err;
	fetch_ctx_release(&ctx);
	curl_slist_free_all(resolve);
	buf_release(&rs);
	buf_release(&ua);
	return err;
}

void
mtasts_fetch_result_release(struct mtasts_fetch_result *res)
{
	size_t i;

	if (res == NULL)
		return;
	free(res->url);
	for (i = 0; i < res->nhost_addresses; i++)
		free(res->host_addresses[i]);
	free(res->host_addresses);
	free(res->body);
	memset(res, 0, sizeof(*res));
}

bool
mtasts_fetch_content_type_ok(const char *p, size_t len)
{
	static const char want[] = "text/plain";
	const size_t wlen = sizeof(want) - 1;
	size_t i;

	if (p == NULL)
		return false;
	for (i = 0; i < len; i++)
		if (((unsigned char)p[i] < 0x20 && p[i] != '\t') ||
		    p[i] == 0x7f)
			return false;
	while (len > 0 && (*p == ' ' || *p == '\t'))
		p++, len--;
	if (len < wlen || strncasecmp(p, want, wlen) != 0)
		return false;
	p += wlen;
	len -= wlen;
	while (len > 0 && (*p == ' ' || *p == '\t'))
		p++, len--;
	/* RFC 9110 8.3.1: media-type = type "/" subtype parameters */
	return len == 0 || *p == ';';
}
