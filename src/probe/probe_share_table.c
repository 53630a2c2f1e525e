/*
 * probe_share_table.c - the sessions a batch shares (probe_share.h): a
 * hash table by key, each entry either running in one probe or finished
 * with its facts kept for the others, and the parsed chains of the
 * entries copied last.
 *
 * Memory: a probe holds an entry from claim to release (users); the
 * finished ones wait in the order they finished, and past
 * PROBE_SHARE_DONE_MAX the oldest one nobody holds is forgotten; an
 * abandoned one (no facts) goes when its last user lets go. So the table
 * is bounded by the sessions in flight plus that number, whatever the
 * length of the list.
 */
#include "probe_share_int.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "session_target.h"
#include "st_limits.h"

#include "banned.h"

static void
facts_release(struct probe_addr *pa)
{
	if (pa->sc_ready)
		smtp_client_release(&pa->sc);
	pa->sc_ready = false;
	session_chain_drop(pa);
}

static void
entry_free(struct share_entry *e)
{
	facts_release(&e->facts);
	free(e->der);
	free(e->key);
	free(e);
}

void
share_table_free(struct probe_share *sh)
{
	for (size_t i = 0; i < sh->nbuckets; i++) {
		struct share_entry *e = sh->bucket[i], *next;

		for (; e != NULL; e = next) {
			next = e->next;
			entry_free(e);
		}
	}
	for (size_t i = 0; i < SHARE_HOT; i++)
		sk_X509_pop_free(sh->hot[i].chain, X509_free);
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

/* share_forget - take e out of the table and free it (locked; nobody
 * holds it) */
static void
share_forget(struct probe_share *sh, struct share_entry *e)
{
	struct share_entry **pp =
	    &sh->bucket[(size_t)(key_hash(e->key) % sh->nbuckets)];

	while (*pp != e)
		pp = &(*pp)->next;
	*pp = e->next;
	if (e->state == ENTRY_DONE) {
		*(e->older != NULL ? &e->older->newer : &sh->oldest) = e->newer;
		*(e->newer != NULL ? &e->newer->older : &sh->newest) = e->older;
		sh->ndone--;
		sh->st.forgotten++;
	}
	/* A parsed chain kept for e must not be taken for a later entry
	 * that gets e's address. */
	for (size_t i = 0; i < SHARE_HOT; i++)
		if (sh->hot[i].e == e) {
			sk_X509_pop_free(sh->hot[i].chain, X509_free);
			sh->hot[i].e = NULL;
			sh->hot[i].chain = NULL;
		}
	sh->n--;
	entry_free(e);
}

/* share_trim - past PROBE_SHARE_DONE_MAX finished entries, forget the
 * oldest ones nobody holds (locked) */
static void
share_trim(struct probe_share *sh)
{
	struct share_entry *e = sh->oldest, *newer;

	for (; e != NULL && sh->ndone > PROBE_SHARE_DONE_MAX; e = newer) {
		newer = e->newer;
		if (e->users == 0)
			share_forget(sh, e);
	}
}

enum st_err
probe_share_claim(struct probe_share *sh, const char *key,
    struct share_entry **e, enum share_role *role)
{
	*role = SHARE_NONE;
	pthread_mutex_lock(&sh->lock);
	if ((*e = share_find_or_add(sh, key)) != NULL) {
		(*e)->users++;
		*role = entry_role(*e);
	}
	pthread_mutex_unlock(&sh->lock);
	return *e != NULL ? ST_OK : ST_ERR_NOMEM;
}

void
probe_share_release(struct probe_share *sh, struct share_entry *e)
{
	pthread_mutex_lock(&sh->lock);
	if (--e->users == 0 && e->state == ENTRY_FREE)
		share_forget(sh, e); /* abandoned: nothing to keep */
	else
		share_trim(sh);
	pthread_mutex_unlock(&sh->lock);
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
	e->older = sh->newest;
	*(sh->newest != NULL ? &sh->newest->newer : &sh->oldest) = e;
	sh->newest = e;
	sh->ndone++;
	share_trim(sh);
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
