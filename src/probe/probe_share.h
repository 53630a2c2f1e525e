/*
 * probe_share.h - what the probes of one batch run share (issue 14): a
 * table of SMTP sessions by key (session_key.h), each run once and copied
 * into every domain's result that needs it, and the politeness gate
 * (conn_gate.h) that every connection of the run passes. The public side
 * (probe_share_new/free/stats) is in smtptls/probe.h.
 *
 * Threads: every function here may be called from any probe's thread; one
 * mutex guards the table, the gate and the counters. A session's owner
 * never waits for anything while it holds an unfinished session, and a
 * follower only polls, so no thread can wait on itself.
 */
#ifndef SMTPTLS_PROBE_SHARE_H
#define SMTPTLS_PROBE_SHARE_H

#include <stdbool.h>

#include <openssl/ssl.h>

#include "conn_gate.h"
#include "dns.h"
#include "trust_store.h"
#include "probe_result.h"
#include "smtptls/err.h"
#include "smtptls/probe.h"

struct share_entry;

enum share_role {
	SHARE_NONE = 0, /* not shared (zero: "not yet") */
	SHARE_OWN,      /* the caller runs the session, then publishes or
	                   abandons it */
	SHARE_FOLLOW,   /* another probe runs it: poll again later */
	SHARE_READY     /* its facts are there: copy them */
};

/* The run's shared DNS answers (dns_cache.h: the MX hosts' A, AAAA and
 * TLSA, the validation probe and the ancestors' SOA), or NULL (sh NULL or
 * not sharing sessions): what the probe's host lookups go through. */
struct dns_cache *probe_share_dns(struct probe_share *sh);

/* Whether sh shares sessions at all (false: the limits only). */
bool probe_share_sessions(const struct probe_share *sh);

/*
 * Find or create the entry of key (copied) and say the caller's role in
 * *role; *e is valid until the caller's probe_share_release(). ST_ERR_NOMEM.
 */
enum st_err probe_share_claim(struct probe_share *sh, const char *key,
    struct share_entry **e, enum share_role *role)
    __attribute__((warn_unused_result));

/* The caller is done with e (it copied, published or gave up): each
 * claim is released once, after which e may be freed. */
void probe_share_release(struct probe_share *sh, struct share_entry *e);

/* A follower's poll: FOLLOW (still running), READY, or OWN when the owner
 * abandoned it and the caller now runs it. */
enum share_role probe_share_poll(struct probe_share *sh, struct share_entry *e);

/* The owner's session ended: its facts (src's session fields) are copied
 * into the entry for the followers. ST_ERR_NOMEM abandons the entry. */
enum st_err probe_share_publish(struct probe_share *sh, struct share_entry *e,
    const struct probe_addr *src) __attribute__((warn_unused_result));

/* The owner gives up (run deadline, loop failure): the next poller or
 * claimer owns it. */
void probe_share_abandon(struct probe_share *sh, struct share_entry *e);

/* A READY entry's facts into dst's session fields (dst's own sc released
 * first when sc_ready). ST_ERR_NOMEM. */
enum st_err probe_share_copy(struct probe_share *sh,
    const struct share_entry *e, struct probe_addr *dst)
    __attribute__((warn_unused_result));

/* The gate, under the share's lock; *load receives the open connections
 * to a after the call (for the "under load" test). */
enum conn_gate_answer probe_share_gate(struct probe_share *sh,
    const struct conn_gate_addr *a, long long now_ms, long long *retry_ms);
void probe_share_ungate(struct probe_share *sh, const struct conn_gate_addr *a);
unsigned probe_share_load(struct probe_share *sh,
    const struct conn_gate_addr *a);

/* a accepted a connection in this run; was_served: whether it did (a
 * refusal from an address that never accepted one is just a refusal). */
void probe_share_note_served(struct probe_share *sh,
    const struct conn_gate_addr *a);
bool probe_share_was_served(struct probe_share *sh,
    const struct conn_gate_addr *a);

/* One retry after a sign of rate limiting (statistics). */
void probe_share_note_retry(struct probe_share *sh);

/*
 * The trust store of ca_file/ca_path (cert_check.h) and a TLS client
 * context (tls_client.h), built by the first probe that asks and shared
 * by the others: each caller receives references of its own (free them).
 * false when none could be built, or when they were built for another
 * pair: the caller then builds its own, as a lone probe does, and meets
 * any failure the way it always has.
 */
bool probe_share_tls(struct probe_share *sh, const char *ca_file,
    const char *ca_path, X509_STORE **store, SSL_CTX **ctx);

/*
 * The probe set-up that depends on the batch's options alone (resolvers,
 * the parsed trust anchor: dns_config_init; the trust store's files:
 * trust_store_pick), made by the first probe that succeeds and put here,
 * copied by the others instead of reading the files again. get: *found
 * false when none is there yet (cfg untouched), else a deep copy in cfg
 * (ST_ERR_NOMEM) and *ts. put: keeps a copy unless one is there.
 */
enum st_err probe_share_setup_get(struct probe_share *sh,
    struct dns_config *cfg, struct trust_store *ts, bool *found)
    __attribute__((warn_unused_result));
void probe_share_setup_put(struct probe_share *sh, const struct dns_config *cfg,
    const struct trust_store *ts);

/* probe_addr_facts_copy - the session fields of src (state, timings,
 * connection error, SMTP record, TLS facts, the unchecked peer chain)
 * into dst, whose sc must not be initialised; address, family, mx and
 * order stay dst's. ST_ERR_NOMEM. */
enum st_err probe_addr_facts_copy(struct probe_addr *dst,
    const struct probe_addr *src) __attribute__((warn_unused_result));

#endif
