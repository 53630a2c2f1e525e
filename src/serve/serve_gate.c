/*
 * serve_gate.c - who may ask serve for what (serve.h): the --allow-from
 * networks, the per-client rate (serve_rate.c), the cap on probes in
 * flight, and the counters of GET /metrics. One mutex guards all of it:
 * the HTTP library answers each connection in its own thread.
 */
#include "smtptls/serve.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "serve_om.h"
#include "serve_rate.h"

#include "banned.h"

/* The answer codes serve gives; any other is counted as "other". */
static const unsigned codes[] = { 200, 400, 403, 404, 405, 429, 500, 501, 502,
	503 };
#define NCODES (sizeof(codes) / sizeof(codes[0]))

static const char *const path_names[SERVE_PATH__COUNT] = {
	[SERVE_PATH_ROOT] = "/",
	[SERVE_PATH_METRICS] = "/metrics",
	[SERVE_PATH_PROBE] = "/probe",
	[SERVE_PATH_REPORT] = "/report",
	[SERVE_PATH_OTHER] = "other",
};

static const char *const reject_names[SERVE_REJECT__COUNT] = {
	[SERVE_REJECT_FORBIDDEN] = "forbidden",
	[SERVE_REJECT_RATE] = "rate_limited",
	[SERVE_REJECT_BUSY] = "busy",
	[SERVE_REJECT_INVALID] = "invalid",
	[SERVE_REJECT_PRIVATE] = "special_purpose",
	[SERVE_REJECT_METHOD] = "method",
	[SERVE_REJECT_NOT_FOUND] = "not_found",
};

struct serve_gate {
	pthread_mutex_t lock;
	struct serve_cidr *allow;
	size_t nallow;
	unsigned max_probes;
	unsigned in_flight;
	unsigned long long requests[SERVE_PATH__COUNT][NCODES + 1];
	unsigned long long rejected[SERVE_REJECT__COUNT];
	unsigned long long probes, probe_errors;
	struct serve_rate rate;
};

enum serve_path
serve_path_of(const char *url)
{
	for (int p = 0; p < SERVE_PATH_OTHER; p++)
		if (strcmp(url, path_names[p]) == 0)
			return (enum serve_path)p;
	return SERVE_PATH_OTHER;
}

enum st_err
serve_gate_new(const struct serve_gate_params *p, struct serve_gate **out)
{
	struct serve_gate *g;

	*out = NULL;
	if (p->max_probes == 0 || p->client_rate == 0)
		return ST_ERR_INVAL;
	if ((g = calloc(1, sizeof(*g))) == NULL)
		return ST_ERR_NOMEM;
	if (p->nallow > 0) {
		if ((g->allow = calloc(p->nallow, sizeof(*g->allow))) == NULL) {
			free(g);
			return ST_ERR_NOMEM;
		}
		memcpy(g->allow, p->allow, p->nallow * sizeof(*g->allow));
		g->nallow = p->nallow;
	}
	if (pthread_mutex_init(&g->lock, NULL) != 0) {
		free(g->allow);
		free(g);
		return ST_ERR_NOMEM;
	}
	g->max_probes = p->max_probes;
	serve_rate_init(&g->rate, p->client_rate);
	*out = g;
	return ST_OK;
}

void
serve_gate_free(struct serve_gate *g)
{
	if (g == NULL)
		return;
	pthread_mutex_destroy(&g->lock);
	free(g->allow);
	free(g);
}

bool
serve_gate_allowed(const struct serve_gate *g, const struct sockaddr *sa)
{
	if (g->nallow == 0)
		return true;
	for (size_t i = 0; i < g->nallow; i++)
		if (serve_cidr_match(&g->allow[i], sa))
			return true;
	return false;
}

enum st_err
serve_gate_probe_begin(struct serve_gate *g, const struct sockaddr *sa,
    long long now_ms, enum serve_reject *why)
{
	enum st_err err = ST_OK;

	pthread_mutex_lock(&g->lock);
	/* Busy first: a request the server has no room for must not cost
	 * the client its rate. */
	if (g->in_flight >= g->max_probes) {
		*why = SERVE_REJECT_BUSY;
		err = ST_ERR_LIMIT;
	} else if (!serve_rate_take(&g->rate, sa, now_ms)) {
		*why = SERVE_REJECT_RATE;
		err = ST_ERR_LIMIT;
	} else
		g->in_flight++;
	pthread_mutex_unlock(&g->lock);
	return err;
}

void
serve_gate_probe_done(struct serve_gate *g, bool ran, bool failed)
{
	pthread_mutex_lock(&g->lock);
	g->in_flight--;
	if (ran)
		g->probes++;
	if (failed)
		g->probe_errors++;
	pthread_mutex_unlock(&g->lock);
}

void
serve_gate_count(struct serve_gate *g, enum serve_path p, unsigned code)
{
	size_t i;

	for (i = 0; i < NCODES && codes[i] != code; i++)
		;
	pthread_mutex_lock(&g->lock);
	g->requests[p < SERVE_PATH__COUNT ? p : SERVE_PATH_OTHER][i]++;
	pthread_mutex_unlock(&g->lock);
}

void
serve_gate_reject(struct serve_gate *g, enum serve_reject why)
{
	if (why >= SERVE_REJECT__COUNT)
		return;
	pthread_mutex_lock(&g->lock);
	g->rejected[why]++;
	pthread_mutex_unlock(&g->lock);
}

/* render - the counters of snapshot s (taken under the lock) */
static void
render(struct serve_om *m, const struct serve_gate *s)
{
	char code[16];

	serve_om_family(m, "smtptls_serve_requests", SERVE_OM_COUNTER, NULL,
	    "HTTP requests answered, by path and status code.");
	for (size_t p = 0; p < SERVE_PATH__COUNT; p++)
		for (size_t c = 0; c <= NCODES; c++) {
			const char *l[] = { "path", path_names[p], "code",
				code };

			if (s->requests[p][c] == 0)
				continue;
			if (c < NCODES)
				snprintf(code, sizeof(code), "%u", codes[c]);
			else
				snprintf(code, sizeof(code), "other");
			serve_om_sample(m, l, 2, (double)s->requests[p][c]);
		}
	serve_om_family(m, "smtptls_serve_rejected", SERVE_OM_COUNTER, NULL,
	    "Requests refused before any probe, by reason.");
	for (size_t r = 0; r < SERVE_REJECT__COUNT; r++) {
		const char *l[] = { "reason", reject_names[r] };

		serve_om_sample(m, l, 1, (double)s->rejected[r]);
	}
	serve_om_family(m, "smtptls_serve_probes", SERVE_OM_COUNTER, NULL,
	    "Probes run to their end.");
	serve_om_sample(m, NULL, 0, (double)s->probes);
	serve_om_family(m, "smtptls_serve_probe_errors", SERVE_OM_COUNTER, NULL,
	    "Probes that could not run (HTTP 500: configuration, memory).");
	serve_om_sample(m, NULL, 0, (double)s->probe_errors);
	serve_om_family(m, "smtptls_serve_probes_in_flight", SERVE_OM_GAUGE,
	    NULL, "Probes running now.");
	serve_om_sample(m, NULL, 0, s->in_flight);
	serve_om_family(m, "smtptls_serve_max_probes", SERVE_OM_GAUGE, NULL,
	    "The cap on probes in flight (--max-probes).");
	serve_om_sample(m, NULL, 0, s->max_probes);
}

char *
serve_gate_metrics(struct serve_gate *g, enum serve_format f)
{
	struct serve_gate *snap = malloc(sizeof(*snap));
	struct serve_om m;
	char *out = NULL;

	if (snap == NULL)
		return NULL;
	pthread_mutex_lock(&g->lock);
	memcpy(snap, g, sizeof(*snap));
	pthread_mutex_unlock(&g->lock);
	serve_om_init(&m, f);
	render(&m, snap);
	free(snap);
	if (serve_om_finish(&m, &out) != ST_OK)
		return NULL;
	return out;
}
