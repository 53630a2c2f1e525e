/*
 * sts_server.c - the MTA-STS policy host of the sender test (see
 * sts_server.h). The request is libmicrohttpd's to parse; this file only
 * picks the answer from the Host header and the path.
 */
#include "sts_server.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <microhttpd.h>

#include "ascii.h"
#include "bind_addr.h"
#include "mhd_lib.h"
#include "testzone.h"

#include "banned.h"

#define STS_FILE_MAX (64 * 1024)
#define STS_CONNS 64
#define STS_PER_CLIENT 16
#define STS_IDLE_S 10
#define STS_MEMORY (16 * 1024)
#define STS_PATH "/.well-known/mta-sts.txt"

struct sts_server {
	struct MHD_Daemon *d;
	struct sts_site site[TZ_SCENARIOS_MAX];
	size_t n;
	char *cert, *key; /* PEM text, what the library reads */
	atomic_ulong served;
};

/* read_pem - a whole PEM file up to STS_FILE_MAX, NUL-terminated */
static char *
read_pem(const char *path, char *errmsg, size_t errlen)
{
	FILE *f = fopen(path, "r");
	char *buf = f != NULL ? malloc(STS_FILE_MAX + 1) : NULL;
	size_t n = buf != NULL ? fread(buf, 1, STS_FILE_MAX + 1, f) : 0;

	if (f == NULL || buf == NULL || ferror(f) || n == 0 ||
	    n > STS_FILE_MAX) {
		snprintf(errmsg, errlen,
		    "cannot read '%s' for the MTA-STS policy host (a PEM file "
		    "of at most 64 KiB)",
		    path);
		free(buf);
		buf = NULL;
	} else
		buf[n] = '\0';
	if (f != NULL)
		fclose(f);
	return buf;
}

/* site_of - the site whose host the Host header names ("host[:port]",
 * any case), or NULL */
static const struct sts_site *
site_of(const struct sts_server *s, const char *host)
{
	size_t len;

	if (host == NULL)
		return NULL;
	len = strcspn(host, ":");
	for (size_t i = 0; i < s->n; i++) {
		const char *h = s->site[i].host;
		size_t k = 0;

		while (k < len && h[k] != '\0' &&
		       ascii_to_lower((unsigned char)host[k]) ==
		           (unsigned char)h[k])
			k++;
		if (k == len && h[k] == '\0')
			return &s->site[i];
	}
	return NULL;
}

static enum MHD_Result
answer(struct MHD_Connection *c, unsigned code, const char *body)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(strlen(body),
	    (void *)(uintptr_t)body, MHD_RESPMEM_MUST_COPY);
	enum MHD_Result ok;

	if (r == NULL)
		return MHD_NO;
	/* RFC 8461 3.3: the policy is text/plain. */
	(void)MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
	    "text/plain");
	(void)MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL,
	    "no-store");
	ok = MHD_queue_response(c, code, r);
	MHD_destroy_response(r);
	return ok;
}

static enum MHD_Result
route(void *arg, struct MHD_Connection *c, const char *url, const char *method,
    const char *version, const char *upload, size_t *upload_len, void **state)
{
	struct sts_server *s = arg;
	const struct sts_site *site;

	(void)version;
	(void)upload;
	/* The first call has the headers only: refuse a body unread. */
	if (*state == NULL) {
		*state = s;
		if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
			return answer(c, MHD_HTTP_METHOD_NOT_ALLOWED,
			    "method not allowed\n");
		return MHD_YES;
	}
	if (*upload_len != 0)
		return answer(c, MHD_HTTP_BAD_REQUEST, "no body expected\n");
	site =
	    site_of(s, MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Host"));
	if (site == NULL || strcmp(url, STS_PATH) != 0)
		return answer(c, MHD_HTTP_NOT_FOUND, "not found\n");
	atomic_fetch_add(&s->served, 1);
	return answer(c, MHD_HTTP_OK, site->policy);
}

static void
server_free(struct sts_server *s)
{
	if (s == NULL)
		return;
	if (s->d != NULL)
		MHD_stop_daemon(s->d);
	for (size_t i = 0; i < s->n; i++) {
		free((char *)s->site[i].host);
		free((char *)s->site[i].policy);
	}
	free(s->cert);
	free(s->key);
	free(s);
}

static enum st_err
copy_sites(struct sts_server *s, const struct sts_site *sites, size_t n)
{
	for (size_t i = 0; i < n && i < TZ_SCENARIOS_MAX; i++) {
		s->site[i].host = strdup(sites[i].host);
		s->site[i].policy = strdup(sites[i].policy);
		s->n = i + 1;
		if (s->site[i].host == NULL || s->site[i].policy == NULL)
			return ST_ERR_NOMEM;
	}
	return ST_OK;
}

enum st_err
sts_server_start(const char *bind_spec, const char *cert_file,
    const char *key_file, const struct sts_site *sites, size_t n,
    struct sts_server **out, char *errmsg, size_t errlen)
{
	struct sts_server *s = calloc(1, sizeof(*s));
	struct bind_addr a;
	int fd;

	*out = NULL;
	if (s == NULL || copy_sites(s, sites, n) != ST_OK) {
		server_free(s);
		return ST_ERR_NOMEM;
	}
	if (!bind_addr_parse(bind_spec, 443, &a)) {
		snprintf(errmsg, errlen,
		    "invalid --https-bind '%s': want ADDR[:PORT] with a numeric "
		    "address",
		    bind_spec);
		server_free(s);
		return ST_ERR_PARSE;
	}
	if ((s->cert = read_pem(cert_file, errmsg, errlen)) == NULL ||
	    (s->key = read_pem(key_file != NULL ? key_file : cert_file, errmsg,
	         errlen)) == NULL) {
		server_free(s);
		return ST_ERR_PARSE;
	}
	if (mhd_lib_load(errmsg, errlen) != ST_OK) {
		server_free(s);
		return ST_ERR_INTERNAL;
	}
	if ((fd = bind_addr_open(&a, SOCK_STREAM, errmsg, errlen)) < 0) {
		server_free(s);
		return ST_ERR_IO;
	}
	s->d = MHD_start_daemon(MHD_USE_TLS | MHD_USE_INTERNAL_POLLING_THREAD |
	                            (a.ss.ss_family == AF_INET6 ? MHD_USE_IPv6
	                                                        : 0),
	    0, NULL, NULL, route, s, MHD_OPTION_LISTEN_SOCKET, fd,
	    MHD_OPTION_HTTPS_MEM_CERT, s->cert, MHD_OPTION_HTTPS_MEM_KEY,
	    s->key, MHD_OPTION_CONNECTION_LIMIT, (unsigned)STS_CONNS,
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)STS_PER_CLIENT,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)STS_IDLE_S,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)STS_MEMORY,
	    MHD_OPTION_END);
	if (s->d == NULL) {
		close(fd);
		snprintf(errmsg, errlen,
		    "the MTA-STS policy host would not start on '%s' (is the "
		    "certificate and key a PEM pair?)",
		    a.text);
		server_free(s);
		return ST_ERR_TLS;
	}
	*out = s;
	return ST_OK;
}

unsigned long
sts_server_served(const struct sts_server *s)
{
	return atomic_load(&s->served);
}

void
sts_server_stop(struct sts_server *s)
{
	server_free(s);
}
