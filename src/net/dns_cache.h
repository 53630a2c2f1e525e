/*
 * dns_cache.h - answers shared by the probes of one run (issue 14).
 *
 * The domains of a batch point at a few MX hosts and sit below a few
 * parent zones: without sharing, each probe asks the resolver again for
 * the same hosts' A, AAAA and TLSA records, the same parents' SOA and
 * whether the resolver validates. A dns_cache keeps each such answer for
 * the rest of the run.
 * Only answers that arrived are kept (a time-out may be the
 * asking probe's short deadline, so it is never handed to another probe).
 * Thread-safe: the probes' lookups run on threads (jobs.h).
 */
#ifndef SMTPTLS_DNS_CACHE_H
#define SMTPTLS_DNS_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dns.h"

struct dns_cache;

/* A cache that holds at most max_answers answers (more are looked up
 * but not kept); NULL when out of memory. */
struct dns_cache *dns_cache_new(size_t max_answers);
void dns_cache_free(struct dns_cache *c);

/*
 * dns_lookup() (dns.h) through the cache: the answer for (cfg->source,
 * name, type) as the run first received it, or a new lookup (also while
 * the same lookup of another caller is still out). A copy from the cache
 * has ms (the time the copy took) and queries 0 (nothing was sent for it).
 * Returns ans->err. c NULL is a plain dns_lookup().
 */
enum st_err dns_cache_lookup(struct dns_cache *c, const struct dns_config *cfg,
    const char *name, uint16_t type, struct dns_answer *ans);

/* dns_cache_lookup in halves, for a caller that makes the lookup itself
 * (dns_pending.h): dns_cache_get fills *ans from the cache and returns
 * true, or returns false (counted as a miss); dns_cache_offer keeps a
 * copy of the answer the caller then received, unless the cache is full
 * or has one already. c NULL: false, and nothing kept. */
bool dns_cache_get(struct dns_cache *c, const struct dns_config *cfg,
    const char *name, uint16_t type, struct dns_answer *ans);
void dns_cache_offer(struct dns_cache *c, const struct dns_config *cfg,
    const char *name, uint16_t type, const struct dns_answer *ans);

/* Whether dns_cache_lookup would answer (cfg->source, name, type) from the
 * cache, without waiting for the resolver (an arrived answer is kept for
 * the rest of the run). False for c NULL. */
bool dns_cache_has(struct dns_cache *c, const struct dns_config *cfg,
    const char *name, uint16_t type);

/*
 * dns_probe_validation() (dns.h) through the cache: whether the resolver
 * validates (or local validation works) is the same for every probe of a
 * run, so the first answer that arrived is handed to the others (state
 * and errmsg as that probe received them). c NULL asks every time.
 */
enum st_err dns_cache_probe_validation(struct dns_cache *c,
    const struct dns_config *cfg, enum dns_validation *state, char *errmsg,
    size_t errlen);

/* Whether dns_cache_probe_validation would answer from the cache. */
bool dns_cache_has_validation(struct dns_cache *c,
    const struct dns_config *cfg);

struct dns_cache_stats {
	size_t hits;   /* answers given from the cache */
	size_t misses; /* lookups made */
	size_t kept;   /* answers in the cache */
};
void dns_cache_stats(struct dns_cache *c, struct dns_cache_stats *st);

#endif
