/*
 * serve_cmd.h - "smtptls serve": the options (cmd/serve.c) and the HTTP
 * side (cmd/serve_http.c, libmicrohttpd), which answers with what the
 * library's serve layer (include/smtptls/serve.h) decides and renders.
 */
#ifndef SMTPTLS_SERVE_CMD_H
#define SMTPTLS_SERVE_CMD_H

#include <stdbool.h>
#include <sys/socket.h>

#include "bind_addr.h"
#include "cmd.h"
#include "smtptls/probe.h"
#include "smtptls/serve.h"

/* --allow-from given at most this often */
#define SERVE_ALLOW_MAX 32

struct serve_opts {
	struct bind_addr bind; /* --bind, default 127.0.0.1:9725 */
	struct serve_cidr allow[SERVE_ALLOW_MAX];
	size_t nallow;
	unsigned max_probes;        /* --max-probes, default 4 */
	unsigned client_rate;       /* --client-rate per minute, default 600 */
	long long duration_ms;      /* --duration; 0: until a signal */
	struct probe_options probe; /* the probe options every probe gets */
};

struct serve_http;

/* Start answering on the listening socket fd (owned from now on, also on
 * failure). NULL with errmsg when the HTTP library refuses. */
struct serve_http *serve_http_start(int fd, const struct serve_opts *o,
    struct serve_gate *gate, const struct global_opts *g, char *errmsg,
    size_t errlen);
/* Stop: no new connections; waits for the requests in flight (each probe
 * ends by its --deadline). NULL is fine. */
void serve_http_stop(struct serve_http *h);

#endif
