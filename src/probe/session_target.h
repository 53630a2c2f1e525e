/*
 * session_target.h - the policy around the probe's sessions, kept out of
 * the event loop (review 2(g)4): before it, what each session is told
 * (SNI, TLSA records, the reference name); after it, the PKIX analysis of
 * the chains the servers presented.
 */
#ifndef SMTPTLS_SESSION_TARGET_H
#define SMTPTLS_SESSION_TARGET_H

#include <stddef.h>

#include "probe_result.h"
#include "session.h"

/* The target of a session to an address of mx (checks.md 1.9). */
void session_target_of(const struct probe_mx *mx, struct session_target *t);

/* One target per addrs[i] (the array is the caller's to free; it borrows
 * from the MX records); NULL when out of memory. */
struct session_target *session_targets_new(struct probe_addr **addrs, size_t n);

/*
 * Analyse the chain each session kept (addrs[i]->peer_chain) with
 * cert_chain_check() against p's store, time and names and targets[i]'s
 * reference name, into addrs[i]->tls.chain; every kept chain is released.
 */
void session_chains_check(struct probe_addr **addrs,
    const struct session_target *targets, size_t n,
    const struct session_params *p);

/* Release a chain that was kept but never checked (error paths). */
void session_chain_drop(struct probe_addr *pa);

#endif
