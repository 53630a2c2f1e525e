/*
 * sendtest_run.c - run the sender test's listeners, one thread each, and
 * fold each finished session into its scenario's result. The callback,
 * the counters and the stop flag are under one mutex, so the caller's
 * callback runs in one thread at a time.
 */
#include "sendtest_int.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "banned.h"

static const char *const result_names[] = {
	[SENDTEST_NOT_REACHED] = "not-reached",
	[SENDTEST_DELIVERED_TLS] = "delivered-tls",
	[SENDTEST_DELIVERED_CLEAR] = "delivered-cleartext",
	[SENDTEST_DEFERRED] = "deferred",
	[SENDTEST_NOT_SERVED] = "not-served",
};

const char *
sendtest_result_name(enum sendtest_result r)
{
	return (unsigned)r < sizeof(result_names) / sizeof(result_names[0])
	           ? result_names[r]
	           : "not-reached";
}

/* peer_of - the sender's record, made on its first session; NULL past
 * the cap */
static struct sendtest_peer *
peer_of(struct sendtest *t, const char *addr)
{
	for (size_t i = 0; i < t->npeers; i++)
		if (strcmp(t->peer[i].addr, addr) == 0)
			return &t->peer[i];
	if (t->npeers == SENDTEST_PEERS_MAX)
		return NULL;
	snprintf(t->peer[t->npeers].addr, sizeof(t->peer[0].addr), "%s", addr);
	return &t->peer[t->npeers++];
}

/* scenario_of - the scenario a session belongs to: its listener's, or in
 * SNI mode the one whose MX host it named (nscen when none) */
static size_t
scenario_of(const struct sendtest *t, size_t listener,
    const struct listen_outcome *o)
{
	size_t zl = strlen(t->p.zone);

	if (!t->sni_mode)
		return listener;
	for (size_t i = 0; i < t->nscen; i++) {
		size_t nl = strlen(t->scen[i].name);
		const char *n = o->sni;

		/* "mx-" NAME "." ZONE, in any case (RFC 4343) */
		if (t->served[i] && strlen(n) == 3 + nl + 1 + zl &&
		    strncasecmp(n, "mx-", 3) == 0 &&
		    strncasecmp(n + 3, t->scen[i].name, nl) == 0 &&
		    n[3 + nl] == '.' &&
		    strcasecmp(n + 3 + nl + 1, t->p.zone) == 0)
			return i;
	}
	return t->nscen;
}

static void
on_session(void *arg, const struct listen_session *s)
{
	struct sendtest_scen_run *r = arg;
	struct sendtest *t = r->t;
	struct listen_outcome o;
	struct sendtest_peer *p;
	size_t sc;

	listen_session_outcome(s, &o);
	sc = scenario_of(t, r->index, &o);
	pthread_mutex_lock(&t->mu);
	if (sc == t->nscen)
		t->unattributed++;
	else if ((p = peer_of(t, o.peer)) != NULL) {
		struct sendtest_seen *e = &p->seen[sc];

		e->sessions++;
		e->tls_tried |= o.starttls;
		e->delivered_tls |= o.delivered && o.tls;
		e->delivered_clear |= o.delivered && !o.starttls;
	} else
		t->peers_dropped++;
	t->sessions++;
	if (t->cb != NULL)
		t->cb(t->arg, sc < t->nscen ? t->scen[sc].name : "unattributed",
		    s);
	if (t->p.count > 0 && t->sessions >= t->p.count)
		t->halt = 1;
	pthread_mutex_unlock(&t->mu);
}

static void *
serve(void *arg)
{
	struct sendtest_scen_run *r = arg;

	r->err = listen_run(r->l, on_session, r, &r->t->halt);
	r->done = 1;
	return NULL;
}

/* result_of - one scenario's result from its sessions */
static enum sendtest_result
result_of(const struct sendtest_seen *r, bool served)
{
	if (!served)
		return SENDTEST_NOT_SERVED;
	if (r->delivered_tls)
		return SENDTEST_DELIVERED_TLS;
	if (r->delivered_clear)
		return SENDTEST_DELIVERED_CLEAR;
	return r->sessions > 0 ? SENDTEST_DEFERRED : SENDTEST_NOT_REACHED;
}

/* wait_for_stop - until the caller's stop, --count, or every listener's
 * own end (--duration) */
static void
wait_for_stop(struct sendtest *t, volatile sig_atomic_t *stop)
{
	const struct timespec tick = { 0, 50 * 1000 * 1000 };

	for (;;) {
		bool any = false;

		if (stop != NULL && *stop)
			t->halt = 1;
		if (t->halt)
			return;
		for (size_t i = 0; i < t->nscen; i++)
			any |= t->run[i].started && !t->run[i].done;
		if (!any)
			return;
		nanosleep(&tick, NULL);
	}
}

enum st_err
sendtest_run(struct sendtest *t, sendtest_session_cb cb, void *arg,
    volatile sig_atomic_t *stop)
{
	enum st_err err = ST_OK;

	t->cb = cb;
	t->arg = arg;
	for (size_t i = 0; i < t->nscen; i++) {
		struct sendtest_scen_run *r = &t->run[i];

		r->t = t;
		r->index = i;
		if (r->l == NULL)
			continue;
		if (pthread_create(&r->thread, NULL, serve, r) != 0) {
			t->halt = 1;
			err = ST_ERR_INTERNAL;
			break;
		}
		r->started = true;
	}
	if (err == ST_OK)
		wait_for_stop(t, stop);
	t->halt = 1;
	for (size_t i = 0; i < t->nscen; i++) {
		struct sendtest_scen_run *r = &t->run[i];

		if (r->started)
			pthread_join(r->thread, NULL);
		if (err == ST_OK && r->err != ST_OK)
			err = r->err;
	}
	for (size_t k = 0; k < t->npeers; k++)
		for (size_t i = 0; i < t->nscen; i++)
			t->peer[k].result[i] = result_of(&t->peer[k].seen[i],
			    !t->sni_mode || t->served[i]);
	return err;
}

size_t
sendtest_senders(const struct sendtest *t)
{
	return t->npeers;
}

const enum sendtest_result *
sendtest_results(const struct sendtest *t, size_t sender, const char **addr,
    size_t *n)
{
	*n = t->nscen;
	if (sender >= t->npeers)
		return NULL;
	*addr = t->peer[sender].addr;
	return t->peer[sender].result;
}
