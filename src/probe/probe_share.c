/*
 * probe_share.c - what the probes of one batch share (probe_share.h):
 * the run's set-up and trust store, the politeness gate, the DNS answers
 * and the counters bench/scale.sh reports; the sessions by key are in
 * probe_share_table.c.
 */
#include "probe_share_int.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/x509.h>

#include "cert_check.h"
#include "dns_cache.h"
#include "st_limits.h"
#include "tls_client.h"

#include "banned.h"

#define SHARE_BUCKETS_MIN 1024

struct probe_share *
probe_share_new(const struct probe_options *o, bool sessions)
{
	struct probe_share *sh = calloc(1, sizeof(*sh));

	if (sh == NULL)
		return NULL;
	if ((sh->bucket = calloc(SHARE_BUCKETS_MIN, sizeof(*sh->bucket))) ==
	        NULL ||
	    pthread_mutex_init(&sh->lock, NULL) != 0) {
		free(sh->bucket);
		free(sh);
		return NULL;
	}
	if (pthread_mutex_init(&sh->tls_lock, NULL) != 0) {
		pthread_mutex_destroy(&sh->lock);
		free(sh->bucket);
		free(sh);
		return NULL;
	}
	if (sessions &&
	    (sh->dns = dns_cache_new(PROBE_SHARE_DNS_MAX)) == NULL) {
		pthread_mutex_destroy(&sh->tls_lock);
		pthread_mutex_destroy(&sh->lock);
		free(sh->bucket);
		free(sh);
		return NULL;
	}
	sh->nbuckets = SHARE_BUCKETS_MIN;
	sh->sessions = sessions;
	conn_gate_init(&sh->gate, o->per_address, PROBE_SHARE_PER_NET,
	    o->max_rate);
	return sh;
}

void
probe_share_free(struct probe_share *sh)
{
	if (sh == NULL)
		return;
	share_table_free(sh);
	free(sh->bucket);
	conn_gate_set_release(&sh->served);
	dns_cache_free(sh->dns);
	conn_gate_release_all(&sh->gate);
	X509_STORE_free(sh->store);
	SSL_CTX_free(sh->ctx);
	if (sh->have_setup)
		dns_config_release(&sh->dnscfg);
	free(sh->tls_file);
	free(sh->tls_dir);
	pthread_mutex_destroy(&sh->tls_lock);
	pthread_mutex_destroy(&sh->lock);
	free(sh);
}

void
probe_share_stats(struct probe_share *sh, struct probe_share_stats *st)
{
	struct dns_cache_stats ds;

	pthread_mutex_lock(&sh->lock);
	*st = sh->st;
	pthread_mutex_unlock(&sh->lock);
	dns_cache_stats(sh->dns, &ds);
	st->dns_lookups = ds.misses;
	st->dns_shared = ds.hits;
}

struct dns_cache *
probe_share_dns(struct probe_share *sh)
{
	return sh != NULL ? sh->dns : NULL;
}

bool
probe_share_sessions(const struct probe_share *sh)
{
	return sh->sessions;
}

/* same_path - two optional path names are equal */
static bool
same_path(const char *a, const char *b)
{
	return a == NULL || b == NULL ? a == b : strcmp(a, b) == 0;
}

/* share_tls_load - the first caller's store and context (tls_lock held);
 * a failure leaves none, and each probe then meets it on its own */
static void
share_tls_load(struct probe_share *sh, const char *ca_file, const char *ca_path)
{
	char errmsg[300];

	sh->tls_tried = true;
	if ((ca_file != NULL && (sh->tls_file = strdup(ca_file)) == NULL) ||
	    (ca_path != NULL && (sh->tls_dir = strdup(ca_path)) == NULL))
		return;
	if ((sh->store = cert_store_load(ca_file, ca_path, errmsg,
	         sizeof(errmsg))) == NULL)
		return;
	if ((sh->ctx = tls_client_ctx_new(errmsg, sizeof(errmsg))) == NULL) {
		X509_STORE_free(sh->store);
		sh->store = NULL;
	}
}

bool
probe_share_tls(struct probe_share *sh, const char *ca_file,
    const char *ca_path, X509_STORE **store, SSL_CTX **ctx)
{
	bool ok = false;

	*store = NULL;
	*ctx = NULL;
	pthread_mutex_lock(&sh->tls_lock);
	if (!sh->tls_tried)
		share_tls_load(sh, ca_file, ca_path);
	if (sh->store != NULL && same_path(sh->tls_file, ca_file) &&
	    same_path(sh->tls_dir, ca_path) && X509_STORE_up_ref(sh->store)) {
		if (SSL_CTX_up_ref(sh->ctx)) {
			*store = sh->store;
			*ctx = sh->ctx;
			ok = true;
		} else
			X509_STORE_free(sh->store);
	}
	pthread_mutex_unlock(&sh->tls_lock);
	return ok;
}

enum st_err
probe_share_setup_get(struct probe_share *sh, struct dns_config *cfg,
    struct trust_store *ts, bool *found)
{
	enum st_err err = ST_OK;

	pthread_mutex_lock(&sh->lock);
	if ((*found = sh->have_setup)) {
		err = dns_config_copy(cfg, &sh->dnscfg);
		*ts = sh->trust;
	}
	pthread_mutex_unlock(&sh->lock);
	return err;
}

void
probe_share_setup_put(struct probe_share *sh, const struct dns_config *cfg,
    const struct trust_store *ts)
{
	pthread_mutex_lock(&sh->lock);
	if (!sh->have_setup && dns_config_copy(&sh->dnscfg, cfg) == ST_OK) {
		sh->trust = *ts;
		sh->have_setup = true;
	}
	pthread_mutex_unlock(&sh->lock);
}

enum conn_gate_answer
probe_share_gate(struct probe_share *sh, const struct conn_gate_addr *a,
    long long now_ms, long long *retry_ms)
{
	enum conn_gate_answer ans;

	pthread_mutex_lock(&sh->lock);
	ans = conn_gate_acquire(&sh->gate, a, now_ms, retry_ms);
	sh->st.sessions += ans == CONN_GATE_GO;
	pthread_mutex_unlock(&sh->lock);
	return ans;
}

void
probe_share_ungate(struct probe_share *sh, const struct conn_gate_addr *a)
{
	pthread_mutex_lock(&sh->lock);
	conn_gate_release(&sh->gate, a);
	pthread_mutex_unlock(&sh->lock);
}

unsigned
probe_share_load(struct probe_share *sh, const struct conn_gate_addr *a)
{
	unsigned n;

	pthread_mutex_lock(&sh->lock);
	n = conn_gate_load(&sh->gate, a);
	pthread_mutex_unlock(&sh->lock);
	return n;
}

void
probe_share_note_served(struct probe_share *sh, const struct conn_gate_addr *a)
{
	pthread_mutex_lock(&sh->lock);
	(void)conn_gate_set_add(&sh->served, a); /* unremembered: a refusal */
	pthread_mutex_unlock(&sh->lock);
}

bool
probe_share_was_served(struct probe_share *sh, const struct conn_gate_addr *a)
{
	bool yes;

	pthread_mutex_lock(&sh->lock);
	yes = conn_gate_set_has(&sh->served, a);
	pthread_mutex_unlock(&sh->lock);
	return yes;
}

void
probe_share_note_retry(struct probe_share *sh)
{
	pthread_mutex_lock(&sh->lock);
	sh->st.retries++;
	pthread_mutex_unlock(&sh->lock);
}
