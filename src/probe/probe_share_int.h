/*
 * probe_share_int.h - the insides of a batch's share, for probe_share.c
 * (set-up, limits, counters) and probe_share_table.c (the sessions by
 * key); not for other modules.
 */
#ifndef SMTPTLS_PROBE_SHARE_INT_H
#define SMTPTLS_PROBE_SHARE_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "conn_gate.h"
#include "dns.h"
#include "probe_result.h"
#include "probe_share.h"
#include "trust_store.h"

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
	size_t users;   /* probes between claim and release */
	/* ENTRY_DONE: the list of finished entries, oldest first */
	struct share_entry *older, *newer;
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
	struct share_entry *oldest, *newest; /* finished entries */
	size_t ndone;
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

/* Every entry and kept chain of the table (probe_share_table.c); the
 * caller frees the rest. */
void share_table_free(struct probe_share *sh);

#endif
