/*
 * dns_cache.c - answers shared by the probes of one run (dns_cache.h).
 *
 * An ldns red-black tree keyed by "source/type/name". An entry is made
 * when the first answer of its key arrives. A probe that asks while
 * another's lookup of the same key is still out looks up for itself
 * rather than wait: its deadline may be shorter than the first asker's,
 * and only the first wave of a batch meets this; the answer that comes
 * back first is kept. An answer that did not arrive (no rcode) is not
 * kept, and the next asker looks up again.
 */
#include "dns_cache.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

#include "clock.h"

#include "banned.h"

struct cache_entry {
	ldns_rbnode_t node; /* first: the tree hands back this pointer */
	char *key;
	struct dns_answer ans;
};

struct dns_cache {
	pthread_mutex_t lock;
	ldns_rbtree_t *tree;
	size_t max, kept;
	/* dns_cache_probe_validation's first answer, by dns_source */
	struct {
		bool have;
		enum dns_validation state;
		char msg[200];
	} val[2];
	struct dns_cache_stats st;
};

static int
key_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

struct dns_cache *
dns_cache_new(size_t max_answers)
{
	struct dns_cache *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	if ((c->tree = ldns_rbtree_create(key_cmp)) == NULL) {
		free(c);
		return NULL;
	}
	if (pthread_mutex_init(&c->lock, NULL) != 0) {
		ldns_rbtree_free(c->tree);
		free(c);
		return NULL;
	}
	c->max = max_answers;
	return c;
}

static void
entry_free(ldns_rbnode_t *n, void *arg)
{
	struct cache_entry *e = (struct cache_entry *)n;

	(void)arg;
	dns_answer_release(&e->ans);
	free(e->key);
	free(e);
}

void
dns_cache_free(struct dns_cache *c)
{
	if (c == NULL)
		return;
	ldns_traverse_postorder(c->tree, entry_free, NULL);
	ldns_rbtree_free(c->tree);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

void
dns_cache_stats(struct dns_cache *c, struct dns_cache_stats *st)
{
	memset(st, 0, sizeof(*st));
	if (c == NULL)
		return;
	pthread_mutex_lock(&c->lock);
	*st = c->st;
	st->kept = c->kept;
	pthread_mutex_unlock(&c->lock);
}

/* from_cache - ans from the finished entry e (lock held) */
static enum st_err
from_cache(struct dns_cache *c, const struct cache_entry *e,
    struct dns_answer *ans, long long t0)
{
	c->st.hits++;
	if (!dns_answer_copy(ans, &e->ans)) {
		dns_answer_release(ans);
		ans->err = ST_ERR_NOMEM;
		snprintf(ans->errmsg, sizeof(ans->errmsg), "out of memory");
		return ST_ERR_NOMEM;
	}
	ans->ms = (unsigned)(clock_ms() - t0);
	ans->queries = 0;
	return ans->err;
}

/* cache_key - the key of (cfg->source, type, name); false when it does not
 * fit (such a lookup bypasses the cache) */
static bool
cache_key(char *key, size_t size, const struct dns_config *cfg, uint16_t type,
    const char *name)
{
	return (size_t)snprintf(key, size, "%d/%u/%s", (int)cfg->source,
	           (unsigned)type, name) < size;
}

bool
dns_cache_has(struct dns_cache *c, const struct dns_config *cfg,
    const char *name, uint16_t type)
{
	char key[320];
	const struct cache_entry *e;
	bool has;

	if (c == NULL || !cache_key(key, sizeof(key), cfg, type, name))
		return false;
	pthread_mutex_lock(&c->lock);
	e = (const struct cache_entry *)ldns_rbtree_search(c->tree, key);
	has = e != NULL;
	pthread_mutex_unlock(&c->lock);
	return has;
}

bool
dns_cache_get(struct dns_cache *c, const struct dns_config *cfg,
    const char *name, uint16_t type, struct dns_answer *ans)
{
	long long t0 = clock_ms();
	char key[320];
	struct cache_entry *e;

	if (c == NULL || !cache_key(key, sizeof(key), cfg, type, name))
		return false;
	pthread_mutex_lock(&c->lock);
	e = (struct cache_entry *)ldns_rbtree_search(c->tree, key);
	if (e != NULL) {
		(void)from_cache(c, e, ans, t0);
		pthread_mutex_unlock(&c->lock);
		return true;
	}
	c->st.misses++;
	pthread_mutex_unlock(&c->lock);
	return false;
}

void
dns_cache_offer(struct dns_cache *c, const struct dns_config *cfg,
    const char *name, uint16_t type, const struct dns_answer *ans)
{
	char key[320];
	struct cache_entry *e;

	/* An answer that did not arrive is not kept (dns_cache.h). */
	if (c == NULL || ans->rcode < 0 || ans->err == ST_ERR_NOMEM ||
	    !cache_key(key, sizeof(key), cfg, type, name))
		return;
	pthread_mutex_lock(&c->lock);
	/* Full, or another caller's answer came first. */
	if (c->kept >= c->max || ldns_rbtree_search(c->tree, key) != NULL)
		goto out;
	if ((e = calloc(1, sizeof(*e))) == NULL)
		goto out;
	if ((e->key = strdup(key)) == NULL || !dns_answer_copy(&e->ans, ans)) {
		entry_free(&e->node, NULL);
		goto out;
	}
	e->node.key = e->key;
	(void)ldns_rbtree_insert(c->tree, &e->node);
	c->kept++;
out:
	pthread_mutex_unlock(&c->lock);
}

enum st_err
dns_cache_lookup(struct dns_cache *c, const struct dns_config *cfg,
    const char *name, uint16_t type, struct dns_answer *ans)
{
	enum st_err err;

	if (dns_cache_get(c, cfg, name, type, ans))
		return ans->err;
	err = dns_lookup(cfg, name, type, ans);
	dns_cache_offer(c, cfg, name, type, ans);
	return err;
}

bool
dns_cache_has_validation(struct dns_cache *c, const struct dns_config *cfg)
{
	bool has;

	if (c == NULL)
		return false;
	pthread_mutex_lock(&c->lock);
	has = c->val[cfg->source == DNS_SRC_LOCAL].have;
	pthread_mutex_unlock(&c->lock);
	return has;
}

enum st_err
dns_cache_probe_validation(struct dns_cache *c, const struct dns_config *cfg,
    enum dns_validation *state, char *errmsg, size_t errlen)
{
	size_t i = cfg->source == DNS_SRC_LOCAL;
	enum st_err err;

	if (c == NULL)
		return dns_probe_validation(cfg, state, errmsg, errlen);
	pthread_mutex_lock(&c->lock);
	if (c->val[i].have) {
		c->st.hits++;
		*state = c->val[i].state;
		snprintf(errmsg, errlen, "%s", c->val[i].msg);
		pthread_mutex_unlock(&c->lock);
		return ST_OK;
	}
	c->st.misses++;
	pthread_mutex_unlock(&c->lock);
	if ((err = dns_probe_validation(cfg, state, errmsg, errlen)) != ST_OK)
		return err; /* no answer: the next probe asks again */
	pthread_mutex_lock(&c->lock);
	if (!c->val[i].have) {
		c->val[i].have = true;
		c->val[i].state = *state;
		snprintf(c->val[i].msg, sizeof(c->val[i].msg), "%s", errmsg);
	}
	pthread_mutex_unlock(&c->lock);
	return ST_OK;
}
