/*
 * serve.h - the parts of "smtptls serve" that need no HTTP (src/serve/):
 * the probe's OpenMetrics text made from its JSON report, the admission
 * gate (--allow-from, the per-client rate, the cap on probes in flight)
 * with the server's own counters, and the checks of a request's
 * parameters. cmd/serve.c carries them over HTTP (libmicrohttpd); nothing
 * here prints, exits or touches a socket.
 */
#ifndef SMTPTLS_SERVE_H
#define SMTPTLS_SERVE_H

#include <stdbool.h>
#include <stddef.h>

#include "smtptls/err.h"

struct sockaddr;
struct probe_options;

/* The exposition format: OpenMetrics 1.0.0 (what Prometheus asks for), or
 * the older Prometheus text format 0.0.4 (what promtool and a plain curl
 * read). They differ in counter names, # UNIT and # EOF. */
enum serve_format { SERVE_OPENMETRICS = 0, SERVE_PROMETHEUS_TEXT };

/* The Content-Type of f. */
const char *serve_format_content_type(enum serve_format f);
/* The format an Accept header asks for (NULL: the text format). */
enum serve_format serve_format_accept(const char *accept);

/*
 * The metrics of one probe (README "Monitoring", man page SERVE) from its
 * JSON report (report.md) of len octets. *out (NUL-terminated, the
 * caller frees it) on ST_OK; ST_ERR_PARSE when json is not a probe
 * document, ST_ERR_LIMIT past SERVE_METRICS_MAX, ST_ERR_NOMEM.
 */
enum st_err serve_metrics_probe(const char *json, size_t len,
    enum serve_format f, char **out) __attribute__((warn_unused_result));

/* A network of --allow-from: ADDR/BITS, or one address. */
struct serve_cidr {
	int family; /* AF_INET or AF_INET6 */
	unsigned char addr[16];
	unsigned bits;
};

/* Parse "127.10.17.0/24", "::1", "[::1]/128" (host bits must be zero).
 * ST_ERR_PARSE with a one-line reason in why. */
enum st_err serve_cidr_parse(const char *s, struct serve_cidr *c, char *why,
    size_t whylen) __attribute__((warn_unused_result));
/* Whether sa (AF_INET, AF_INET6; IPv4-mapped IPv6 is read as IPv4) lies
 * in c. */
bool serve_cidr_match(const struct serve_cidr *c, const struct sockaddr *sa);

/* The paths the counters know; any other is SERVE_PATH_OTHER. */
enum serve_path {
	SERVE_PATH_ROOT = 0,
	SERVE_PATH_METRICS,
	SERVE_PATH_PROBE,
	SERVE_PATH_REPORT,
	SERVE_PATH_OTHER,
	SERVE_PATH__COUNT
};
enum serve_path serve_path_of(const char *url);

/* Why a request got no probe (the label of smtptls_serve_rejected). */
enum serve_reject {
	SERVE_REJECT_FORBIDDEN = 0, /* client outside --allow-from: 403 */
	SERVE_REJECT_RATE,          /* client over --client-rate: 429 */
	SERVE_REJECT_BUSY,          /* --max-probes in flight: 503 */
	SERVE_REJECT_INVALID,       /* bad parameter: 400 */
	SERVE_REJECT_PRIVATE,       /* special-purpose addresses: 403 */
	SERVE_REJECT_METHOD,        /* not GET or HEAD: 405 */
	SERVE_REJECT_NOT_FOUND,     /* unknown path: 404 */
	SERVE_REJECT__COUNT
};

struct serve_gate_params {
	const struct serve_cidr *allow; /* NULL/0: every client */
	size_t nallow;
	unsigned max_probes;  /* probes in flight at once, >= 1 */
	unsigned client_rate; /* probe requests per minute per client, >= 1 */
};

struct serve_gate;

/* A gate for p (copied; allow is copied too). ST_ERR_NOMEM, ST_ERR_INVAL
 * for a zero limit. Thread-safe after creation. */
enum st_err serve_gate_new(const struct serve_gate_params *p,
    struct serve_gate **out) __attribute__((warn_unused_result));
void serve_gate_free(struct serve_gate *g);

/* Whether the client may ask anything (--allow-from). */
bool serve_gate_allowed(const struct serve_gate *g, const struct sockaddr *sa);
/*
 * Admit one probe for the client at now_ms (monotonic): ST_OK and a slot
 * taken (give it back with serve_gate_probe_done), or the reason it is
 * refused in *why: SERVE_REJECT_RATE or SERVE_REJECT_BUSY (returns
 * ST_ERR_LIMIT). A refused request does not use up the client's rate.
 */
enum st_err serve_gate_probe_begin(struct serve_gate *g,
    const struct sockaddr *sa, long long now_ms, enum serve_reject *why);
/* Give the slot back: ran, the probe ran (counted); failed, it could
 * not run (counted as an error). Neither: refused after admission. */
void serve_gate_probe_done(struct serve_gate *g, bool ran, bool failed);
/* Count a request by its path and answer code, and a refusal. */
void serve_gate_count(struct serve_gate *g, enum serve_path p, unsigned code);
void serve_gate_reject(struct serve_gate *g, enum serve_reject why);
/* The server's own metrics (smtptls_serve_*), NULL on out of memory. */
char *serve_gate_metrics(struct serve_gate *g, enum serve_format f);

/*
 * Parameters of GET /probe and /report: target (a domain name, required),
 * level (a level name of cli.md, or NULL) and rcpt (a mailbox, or NULL).
 * NULL when they are fine, else a constant one-line reason that quotes
 * none of the input (it is answered to whoever sent it).
 */
const char *serve_params_problem(const char *target, const char *level,
    const char *rcpt);

/*
 * Refuse a target whose mail servers or MTA-STS policy host resolve to a
 * special-purpose address (RFC 6890: loopback, private, link-local, ...),
 * so that the server cannot be made to connect into the network it sits
 * in. Looks up the MX hosts (or the domain itself, RFC 5321 5.1) and
 * mta-sts.DOMAIN through the resolvers of o. ST_OK: *special tells;
 * ST_ERR_INVAL (resolver configuration), ST_ERR_DNS, ST_ERR_TIMEOUT when
 * a lookup failed (the caller refuses too: nothing was checked);
 * errmsg says what happened.
 * XXX: the probe looks the names up again; a name server that answers
 * differently the second time (DNS rebinding) is not stopped by this.
 */
enum st_err serve_target_guard(const struct probe_options *o,
    const char *domain, bool *special, char *errmsg, size_t errlen)
    __attribute__((warn_unused_result));

/* What would make every probe fail alike: the resolvers, the trust
 * anchor and the trust store of o. ST_ERR_INVAL with errmsg, or
 * ST_ERR_NOMEM. */
enum st_err serve_config_check(const struct probe_options *o, char *errmsg,
    size_t errlen) __attribute__((warn_unused_result));

#endif
