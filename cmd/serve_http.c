/*
 * serve_http.c - the HTTP side of "smtptls serve" on libmicrohttpd: one
 * thread per connection (a probe blocks its thread for up to --deadline),
 * the request limits of the library (connections, per client, idle time,
 * memory per connection), and the routes. What to answer is decided by
 * the serve layer (admission, parameters, metrics); this file only moves
 * it into HTTP responses. No request text is ever put into an answer.
 */
#include "serve_cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <microhttpd.h>

#include "buf.h"
#include "clock.h"
#include "mhd_lib.h"
#include "report_html.h"

#include "banned.h"

/* Request limits (libmicrohttpd options). A connection holds a thread:
 * room for every probe, the scrapes of /metrics and a few strays. */
#define HTTP_CONN_SLACK 16
/* connections from one address beyond the probes: Prometheus asks for
 * every target from one */
#define HTTP_PER_CLIENT 4
#define HTTP_IDLE_S 10          /* a client that sends nothing for this long */
#define HTTP_MEMORY (16 * 1024) /* request line and headers, per connection */
/* a report page is a few hundred KiB; this only stops a runaway renderer */
#define HTTP_PAGE_MAX (16u * 1024 * 1024)

struct serve_http {
	struct MHD_Daemon *d;
	const struct serve_opts *o;
	struct serve_gate *gate;
	const struct global_opts *g;
};

static const char form_html[] =
    "<!DOCTYPE html>\n"
    "<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
    "<title>smtptls</title></head>\n"
    "<body>\n"
    "<h1>smtptls</h1>\n"
    "<form action=\"/report\" method=\"get\">\n"
    "<label>Domain <input name=\"target\" required maxlength=\"253\" "
    "pattern=\"[A-Za-z0-9._-]+\"></label>\n"
    "<button type=\"submit\">Report</button>\n"
    "<button type=\"submit\" formaction=\"/probe\">Metrics</button>\n"
    "</form>\n"
    "<p><a href=\"/metrics\">Server metrics</a></p>\n"
    "</body></html>\n";

/* answer - queue body (copied) with its type, count it; the headers every
 * answer carries keep a browser from guessing types or running anything */
static enum MHD_Result
answer(struct serve_http *h, struct MHD_Connection *c, enum serve_path p,
    unsigned code, const char *type, const char *body, size_t len)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len,
	    (void *)body, MHD_RESPMEM_MUST_COPY);
	enum MHD_Result ok;

	if (r == NULL)
		return MHD_NO;
	if (MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type) ==
	        MHD_NO ||
	    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff") ==
	        MHD_NO ||
	    MHD_add_response_header(r, "Content-Security-Policy",
	        "default-src 'none'; style-src 'unsafe-inline'; "
	        "form-action 'self'") == MHD_NO ||
	    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL,
	        "no-store") == MHD_NO ||
	    ((code == 429 || code == 503) &&
	        MHD_add_response_header(r, MHD_HTTP_HEADER_RETRY_AFTER, "1") ==
	            MHD_NO)) {
		MHD_destroy_response(r);
		return MHD_NO;
	}
	ok = MHD_queue_response(c, code, r);
	MHD_destroy_response(r);
	serve_gate_count(h->gate, p, code);
	return ok;
}

/* text - a one-line text answer (constant text: never the request's) */
static enum MHD_Result
text(struct serve_http *h, struct MHD_Connection *c, enum serve_path p,
    unsigned code, const char *line)
{
	char body[300];
	int n = snprintf(body, sizeof(body), "%s\n", line);

	return answer(h, c, p, code, "text/plain; charset=utf-8", body,
	    n > 0 && (size_t)n < sizeof(body) ? (size_t)n : 0);
}

/* refuse - a refusal counted by its reason */
static enum MHD_Result
refuse(struct serve_http *h, struct MHD_Connection *c, enum serve_path p,
    enum serve_reject why, unsigned code, const char *line)
{
	serve_gate_reject(h->gate, why);
	return text(h, c, p, code, line);
}

static const struct sockaddr *
client(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);

	return ci != NULL ? ci->client_addr : NULL;
}

static const char *
arg(struct MHD_Connection *c, const char *name)
{
	return MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, name);
}

/* metrics_answer - rendered text as its format's type; 500 when NULL */
static enum MHD_Result
metrics_answer(struct serve_http *h, struct MHD_Connection *c,
    enum serve_path p, enum serve_format f, char *text_owned)
{
	enum MHD_Result ok;

	if (text_owned == NULL)
		return text(h, c, p, 500, "out of memory");
	ok = answer(h, c, p, 200, serve_format_content_type(f), text_owned,
	    strlen(text_owned));
	free(text_owned);
	return ok;
}

/* level_left_out - a level the server's own options leave out (as for
 * probe --require: a usage error, here a bad request) */
static bool
level_left_out(const struct probe_options *o, int lv)
{
	return (lv == LEVEL_DANE && o->no_dane) ||
	       (lv == LEVEL_MTASTS && o->no_mta_sts) ||
	       (lv == LEVEL_SECURE && (o->no_dane || o->no_mta_sts));
}

/* run_probe - one probe with the request's parameters (checked): the
 * result (caller frees) or NULL with *line saying why not (answer 500) */
static struct probe_result *
run_probe(struct serve_http *h, struct MHD_Connection *c, const char **line)
{
	struct probe_options o = h->o->probe;
	struct probe_result *r = NULL;
	const char *level = arg(c, "level");
	char errmsg[300];
	enum st_err err;

	o.target = arg(c, "target");
	if (arg(c, "rcpt") != NULL)
		o.rcpt = arg(c, "rcpt");
	if (level != NULL)
		o.require |= 1u << probe_level_parse(level);
	err = probe_run(&o, &r, errmsg, sizeof(errmsg));
	*line = err == ST_ERR_NOMEM ? "probe failed: out of memory"
	                            : "probe failed";
	return err == ST_OK ? r : NULL;
}

/* guarded - whether the target may be probed (special-purpose addresses,
 * unless --allow-private); false with the answer queued */
static bool
guarded(struct serve_http *h, struct MHD_Connection *c, enum serve_path p,
    enum MHD_Result *res)
{
	char errmsg[300];
	bool special = false;
	enum st_err err;

	if (h->o->probe.allow_private)
		return true;
	err = serve_target_guard(&h->o->probe, arg(c, "target"), &special,
	    errmsg, sizeof(errmsg));
	if (err == ST_OK && !special)
		return true;
	if (err == ST_OK)
		*res = refuse(h, c, p, SERVE_REJECT_PRIVATE, 403,
		    "refused: the target's mail or MTA-STS servers resolve to "
		    "special-purpose addresses (see --allow-private)");
	else
		*res = text(h, c, p, err == ST_ERR_NOMEM ? 500 : 502,
		    "refused: the target's addresses could not be looked up");
	return false;
}

/* admitted_probe - GET /probe and /report: parameters, admission, guard,
 * probe; the result (caller frees), or NULL with the answer queued */
static struct probe_result *
admitted_probe(struct serve_http *h, struct MHD_Connection *c,
    enum serve_path p, enum MHD_Result *res)
{
	const char *why = serve_params_problem(arg(c, "target"),
	    arg(c, "level"), arg(c, "rcpt"));
	const char *level = arg(c, "level"), *line;
	struct probe_result *r;
	enum serve_reject rej;

	if (why == NULL && level != NULL &&
	    level_left_out(&h->o->probe, probe_level_parse(level)))
		why = "invalid level: left out by the server's --no-dane or "
		      "--no-mta-sts";
	if (why != NULL) {
		*res = refuse(h, c, p, SERVE_REJECT_INVALID, 400, why);
		return NULL;
	}
	if (serve_gate_probe_begin(h->gate, client(c), clock_ms(), &rej) !=
	    ST_OK) {
		*res =
		    rej == SERVE_REJECT_BUSY
		        ? refuse(h, c, p, rej, 503,
		              "busy: too many probes in flight (--max-probes)")
		        : refuse(h, c, p, rej, 429,
		              "too many requests from this client "
		              "(--client-rate)");
		return NULL;
	}
	if (!guarded(h, c, p, res)) {
		serve_gate_probe_done(h->gate, false, false);
		return NULL;
	}
	r = run_probe(h, c, &line);
	serve_gate_probe_done(h->gate, r != NULL, r == NULL);
	if (r == NULL)
		*res = text(h, c, p, 500, line);
	return r;
}

/* probe_route - GET /probe: the probe's metrics */
static enum MHD_Result
probe_route(struct serve_http *h, struct MHD_Connection *c)
{
	enum serve_format f = serve_format_accept(MHD_lookup_connection_value(c,
	    MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT));
	struct probe_result *r;
	enum MHD_Result res;
	char *json, *out = NULL;

	if ((r = admitted_probe(h, c, SERVE_PATH_PROBE, &res)) == NULL)
		return res;
	json = report_json_render(r);
	probe_result_free(r);
	if (json != NULL &&
	    serve_metrics_probe(json, strlen(json), f, &out) != ST_OK)
		out = NULL;
	free(json);
	return metrics_answer(h, c, SERVE_PATH_PROBE, f, out);
}

/* report_route - GET /report: the probe's report as an HTML page
 * (report_html.c, the page of probe --html) */
static enum MHD_Result
report_route(struct serve_http *h, struct MHD_Connection *c)
{
	struct probe_result *r;
	enum MHD_Result res;
	struct buf page;
	enum st_err err;

	if ((r = admitted_probe(h, c, SERVE_PATH_REPORT, &res)) == NULL)
		return res;
	buf_init(&page, HTTP_PAGE_MAX);
	err = report_html_render(r, &page);
	probe_result_free(r);
	res = err != ST_OK ? text(h, c, SERVE_PATH_REPORT, 500,
	                         "out of memory while rendering the report")
	                   : answer(h, c, SERVE_PATH_REPORT, 200,
	                         "text/html; charset=utf-8",
	                         page.data ? page.data : "", page.len);
	buf_release(&page);
	return res;
}

static enum MHD_Result
route(void *cls, struct MHD_Connection *c, const char *url, const char *method,
    const char *version, const char *upload_data, size_t *upload_size,
    void **req)
{
	static int seen;
	struct serve_http *h = cls;
	enum serve_path p = serve_path_of(url);

	(void)version;
	(void)upload_data;
	/* First call: headers only. A body is never wanted; refusing here
	 * means it is never read. */
	if (*req == NULL) {
		*req = &seen;
		if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
			return refuse(h, c, p, SERVE_REJECT_METHOD, 405,
			    "method not allowed: GET only");
		if (MHD_lookup_connection_value(c, MHD_HEADER_KIND,
		        MHD_HTTP_HEADER_CONTENT_LENGTH) != NULL ||
		    MHD_lookup_connection_value(c, MHD_HEADER_KIND,
		        MHD_HTTP_HEADER_TRANSFER_ENCODING) != NULL)
			return refuse(h, c, p, SERVE_REJECT_INVALID, 400,
			    "bad request: a GET has no body");
		return MHD_YES;
	}
	*upload_size = 0;
	if (client(c) == NULL || !serve_gate_allowed(h->gate, client(c)))
		return refuse(h, c, p, SERVE_REJECT_FORBIDDEN, 403,
		    "forbidden: this client is not in --allow-from");
	switch (p) {
	case SERVE_PATH_ROOT:
		return answer(h, c, p, 200, "text/html; charset=utf-8",
		    form_html, sizeof(form_html) - 1);
	case SERVE_PATH_METRICS: {
		enum serve_format f =
		    serve_format_accept(MHD_lookup_connection_value(c,
		        MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT));

		return metrics_answer(h, c, p, f,
		    serve_gate_metrics(h->gate, f));
	}
	case SERVE_PATH_PROBE:
		return probe_route(h, c);
	case SERVE_PATH_REPORT:
		return report_route(h, c);
	case SERVE_PATH_OTHER:
	case SERVE_PATH__COUNT:
	default:
		return refuse(h, c, p, SERVE_REJECT_NOT_FOUND, 404,
		    "not found: try /probe?target=DOMAIN, /metrics or /");
	}
}

struct serve_http *
serve_http_start(int fd, const struct serve_opts *o, struct serve_gate *gate,
    const struct global_opts *g, char *errmsg, size_t errlen)
{
	struct serve_http *h = calloc(1, sizeof(*h));
	unsigned flags =
	    MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD;

	if (h == NULL) {
		snprintf(errmsg, errlen, "out of memory");
		close(fd);
		return NULL;
	}
	*h = (struct serve_http){ NULL, o, gate, g };
	if (mhd_lib_load(errmsg, errlen) != ST_OK) {
		close(fd);
		free(h);
		return NULL;
	}
	if (o->bind.ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	h->d = MHD_start_daemon(flags, 0, NULL, NULL, route, h,
	    MHD_OPTION_LISTEN_SOCKET, fd, MHD_OPTION_CONNECTION_LIMIT,
	    (unsigned)(o->max_probes + HTTP_CONN_SLACK),
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT,
	    (unsigned)(o->max_probes + HTTP_PER_CLIENT),
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)HTTP_IDLE_S,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)HTTP_MEMORY,
	    MHD_OPTION_END);
	if (h->d == NULL) {
		snprintf(errmsg, errlen, "the HTTP library would not start");
		close(fd);
		free(h);
		return NULL;
	}
	return h;
}

void
serve_http_stop(struct serve_http *h)
{
	if (h == NULL)
		return;
	MHD_stop_daemon(h->d);
	free(h);
}
