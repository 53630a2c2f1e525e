/*
 * probe_share.c - the sessions and the politeness gate the probes of one
 * batch share (probe_share.h): a hash table of sessions by key, each
 * either running in one probe or finished with its facts kept for the
 * others, and the counters bench/scale.sh reports.
 */
#include "probe_share.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/x509.h>

#include "cert_check.h"
#include "dns_cache.h"
#include "st_limits.h"
#include "session_target.h"
#include "tls_client.h"

#include "banned.h"

enum entry_state {
	ENTRY_FREE = 0, /* nobody runs it (new, or abandoned) */
	ENTRY_RUNNING,  /* its owner's session is under way */
	ENTRY_DONE      /* facts published */
};

struct share_entry {
	struct share_entry *next; /* hash chain */
	char *key;
	enum entry_state state;
	struct probe_addr facts; /* ENTRY_DONE: session fields only; its
	                            peer_chain NULL, the chain is in der */
	/* The peer chain as the certificates' DER one after the other,
	 * parsed again for each follower: the finished entries stay for
	 * the whole run, and a parsed X509 costs several times its
	 * encoding (10,000 domains: peak RSS 49.3 -> 46.0 MiB). */
	unsigned char *der;
	size_t der_len;
	bool has_chain; /* the owner had a chain (it may be empty) */
};

/* Parsed chains of the entries copied last (chain_get): a shared
 * session's followers come close together, and parsing a certificate
 * costs more than the rest of a copy (OpenSSL 3 decodes the public key
 * through its provider decoders); SHARE_HOT bounds the memory kept. */
#define SHARE_HOT 16

struct probe_share {
	pthread_mutex_t lock;
	struct {
		const struct share_entry *e;
		STACK_OF(X509) * chain;
	} hot[SHARE_HOT];
	size_t hot_next; /* the slot to fill next (the oldest) */
	bool sessions;
	struct conn_gate gate;
	/* Addresses that accepted a connection in this run: a later refusal
	 * from one of them may be rate limiting; from any other it is just a
	 * refusal (when out of memory an address is not remembered). */
	struct conn_gate_set served;
	struct share_entry **bucket;
	size_t nbuckets, n;
	struct probe_share_stats st;
	/* The run's trust store and TLS context (probe_share_tls), under
	 * tls_lock: loading a CA bundle is tens of milliseconds of PEM
	 * decoding, which a batch must not pay for every domain. */
	pthread_mutex_t tls_lock;
	bool tls_tried;
	char *tls_file, *tls_dir;
	X509_STORE *store;
	SSL_CTX *ctx;
	/* The set-up of the first probe that made it (probe_share_setup),
	 * under lock: the resolvers, the parsed trust anchor, the store. */
	bool have_setup;
	struct dns_config dnscfg;
	struct trust_store trust;
	/* The MX hosts' A, AAAA and TLSA answers (dns_cache.h), when
	 * sessions are shared: a domain's hosts are asked for once a run. */
	struct dns_cache *dns;
};

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

static void
facts_release(struct probe_addr *pa)
{
	if (pa->sc_ready)
		smtp_client_release(&pa->sc);
	pa->sc_ready = false;
	session_chain_drop(pa);
}

void
probe_share_free(struct probe_share *sh)
{
	if (sh == NULL)
		return;
	for (size_t i = 0; i < sh->nbuckets; i++) {
		struct share_entry *e = sh->bucket[i], *next;

		for (; e != NULL; e = next) {
			next = e->next;
			facts_release(&e->facts);
			free(e->der);
			free(e->key);
			free(e);
		}
	}
	for (size_t i = 0; i < SHARE_HOT; i++)
		sk_X509_pop_free(sh->hot[i].chain, X509_free);
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

/* key_hash - FNV-1a: the keys are ours, not an attacker's choice of
 * collisions beyond what a zone can already cost us */
static uint64_t
key_hash(const char *k)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *k != '\0'; k++)
		h = (h ^ (unsigned char)*k) * 1099511628211ULL;
	return h;
}

/* share_grow - double the buckets when the chains grow long; on failure
 * the table just stays slower */
static void
share_grow(struct probe_share *sh)
{
	size_t nb = sh->nbuckets * 2;
	struct share_entry **b;

	if (sh->n < sh->nbuckets || (b = calloc(nb, sizeof(*b))) == NULL)
		return;
	for (size_t i = 0; i < sh->nbuckets; i++) {
		struct share_entry *e = sh->bucket[i], *next;

		for (; e != NULL; e = next) {
			size_t h = (size_t)(key_hash(e->key) % nb);

			next = e->next;
			e->next = b[h];
			b[h] = e;
		}
	}
	free(sh->bucket);
	sh->bucket = b;
	sh->nbuckets = nb;
}

/* share_find_or_add - the entry of key, created FREE when new (locked) */
static struct share_entry *
share_find_or_add(struct probe_share *sh, const char *key)
{
	size_t h = (size_t)(key_hash(key) % sh->nbuckets);
	struct share_entry *e;

	for (e = sh->bucket[h]; e != NULL; e = e->next)
		if (strcmp(e->key, key) == 0)
			return e;
	if ((e = calloc(1, sizeof(*e))) == NULL)
		return NULL;
	if ((e->key = strdup(key)) == NULL) {
		free(e);
		return NULL;
	}
	e->next = sh->bucket[h];
	sh->bucket[h] = e;
	sh->n++;
	share_grow(sh);
	return e;
}

/* entry_role - the caller's role for e (locked); a FREE entry becomes the
 * caller's */
static enum share_role
entry_role(struct share_entry *e)
{
	switch (e->state) {
	case ENTRY_DONE:
		return SHARE_READY;
	case ENTRY_RUNNING:
		return SHARE_FOLLOW;
	case ENTRY_FREE:
	default:
		e->state = ENTRY_RUNNING;
		return SHARE_OWN;
	}
}

enum st_err
probe_share_claim(struct probe_share *sh, const char *key,
    struct share_entry **e, enum share_role *role)
{
	*role = SHARE_NONE;
	pthread_mutex_lock(&sh->lock);
	if ((*e = share_find_or_add(sh, key)) != NULL)
		*role = entry_role(*e);
	pthread_mutex_unlock(&sh->lock);
	return *e != NULL ? ST_OK : ST_ERR_NOMEM;
}

enum share_role
probe_share_poll(struct probe_share *sh, struct share_entry *e)
{
	enum share_role r;

	pthread_mutex_lock(&sh->lock);
	r = entry_role(e);
	pthread_mutex_unlock(&sh->lock);
	return r;
}

void
probe_share_abandon(struct probe_share *sh, struct share_entry *e)
{
	pthread_mutex_lock(&sh->lock);
	if (e->state == ENTRY_RUNNING)
		e->state = ENTRY_FREE;
	pthread_mutex_unlock(&sh->lock);
}

/* chain_encode - chain (may be NULL) as DER into e->der; ST_ERR_NOMEM */
static enum st_err
chain_encode(struct share_entry *e, const STACK_OF(X509) * chain)
{
	size_t len = 0;
	unsigned char *p;

	/* An earlier owner that failed here and abandoned the entry. */
	free(e->der);
	e->der = NULL;
	e->der_len = 0;
	if ((e->has_chain = chain != NULL) == false)
		return ST_OK;
	for (int i = 0; i < sk_X509_num(chain); i++) {
		int n = i2d_X509(sk_X509_value(chain, i), NULL);

		if (n <= 0)
			return ST_ERR_NOMEM;
		len += (size_t)n;
	}
	if (len > 0 && (e->der = malloc(len)) == NULL)
		return ST_ERR_NOMEM;
	p = e->der;
	for (int i = 0; i < sk_X509_num(chain); i++)
		if (i2d_X509(sk_X509_value(chain, i), &p) <= 0)
			return ST_ERR_NOMEM;
	e->der_len = len;
	return ST_OK;
}

/* chain_decode - e's chain, parsed again, into dst->peer_chain (NULL on
 * entry); the DER is our own encoding, so a failure is memory */
static enum st_err
chain_decode(const struct share_entry *e, struct probe_addr *dst)
{
	const unsigned char *p = e->der, *end = e->der + e->der_len;

	if (!e->has_chain)
		return ST_OK;
	if ((dst->peer_chain = sk_X509_new_null()) == NULL)
		return ST_ERR_NOMEM;
	while (p < end) {
		X509 *x = d2i_X509(NULL, &p, (long)(end - p));

		if (x == NULL || !sk_X509_push(dst->peer_chain, x)) {
			X509_free(x);
			return ST_ERR_NOMEM;
		}
	}
	return ST_OK;
}

/* chain_get - e's chain into dst->peer_chain (NULL on entry): shared
 * with the hot list, or parsed again and put there in place of the
 * oldest; ST_ERR_NOMEM */
static enum st_err
chain_get(struct probe_share *sh, const struct share_entry *e,
    struct probe_addr *dst)
{
	STACK_OF(X509) *keep = NULL, *old;
	bool hit = false;
	enum st_err err;

	if (!e->has_chain)
		return ST_OK;
	pthread_mutex_lock(&sh->lock);
	for (size_t i = 0; i < SHARE_HOT && !hit; i++)
		if ((hit = sh->hot[i].e == e))
			dst->peer_chain = X509_chain_up_ref(sh->hot[i].chain);
	pthread_mutex_unlock(&sh->lock);
	if (hit)
		return dst->peer_chain != NULL ? ST_OK : ST_ERR_NOMEM;
	if ((err = chain_decode(e, dst)) != ST_OK ||
	    (keep = X509_chain_up_ref(dst->peer_chain)) == NULL)
		return err; /* not kept: the next follower parses again */
	pthread_mutex_lock(&sh->lock);
	old = sh->hot[sh->hot_next].chain;
	sh->hot[sh->hot_next].e = e;
	sh->hot[sh->hot_next].chain = keep;
	sh->hot_next = (sh->hot_next + 1) % SHARE_HOT;
	pthread_mutex_unlock(&sh->lock);
	sk_X509_pop_free(old, X509_free);
	return ST_OK;
}

enum st_err
probe_share_publish(struct probe_share *sh, struct share_entry *e,
    const struct probe_addr *src)
{
	struct probe_addr f = { 0 };
	enum st_err err;

	/* The copy is made outside the lock: it may be large. Only the
	 * owner writes der before the entry is DONE. */
	if ((err = probe_addr_facts_copy(&f, src)) != ST_OK ||
	    (err = chain_encode(e, f.peer_chain)) != ST_OK) {
		facts_release(&f);
		probe_share_abandon(sh, e);
		return err;
	}
	session_chain_drop(&f);
	pthread_mutex_lock(&sh->lock);
	e->facts = f;
	e->state = ENTRY_DONE;
	pthread_mutex_unlock(&sh->lock);
	return ST_OK;
}

enum st_err
probe_share_copy(struct probe_share *sh, const struct share_entry *e,
    struct probe_addr *dst)
{
	enum st_err err;

	/* A DONE entry never changes again: no lock for the copy. */
	if (dst->sc_ready)
		smtp_client_release(&dst->sc);
	dst->sc_ready = false;
	session_chain_drop(dst);
	if ((err = probe_addr_facts_copy(dst, &e->facts)) == ST_OK)
		err = chain_get(sh, e, dst);
	pthread_mutex_lock(&sh->lock);
	sh->st.copies += err == ST_OK;
	pthread_mutex_unlock(&sh->lock);
	return err;
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

enum st_err
probe_addr_facts_copy(struct probe_addr *dst, const struct probe_addr *src)
{
	dst->state = src->state;
	memcpy(dst->t, src->t, sizeof(dst->t));
	dst->connected = src->connected;
	memcpy(dst->conn_error, src->conn_error, sizeof(dst->conn_error));
	memcpy(dst->conn_errmsg, src->conn_errmsg, sizeof(dst->conn_errmsg));
	dst->deadline = src->deadline;
	/* The chain is analysed per domain (its names), after the loop. */
	dst->tls = src->tls;
	dst->tls.have_chain = false;
	memset(&dst->tls.chain, 0, sizeof(dst->tls.chain));
	dst->sc_ready = false;
	dst->peer_chain = NULL;
	if (src->peer_chain != NULL &&
	    (dst->peer_chain = X509_chain_up_ref(src->peer_chain)) == NULL)
		return ST_ERR_NOMEM;
	if (src->sc_ready) {
		enum st_err err = smtp_client_copy(&dst->sc, &src->sc);

		if (err != ST_OK)
			return err;
		dst->sc_ready = true;
	}
	return ST_OK;
}
