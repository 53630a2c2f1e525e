/*
 * sendtest.h - the sender policy test ("smtptls listen --test-zone",
 * issue 16): serve a signed test zone, and one SMTP listener per scenario
 * of src/sender/testzone.h, each on its own address with its own
 * certificate and TLSA records; record what a sending server does at
 * each, and infer the policy it enforces.
 *
 * sendtest_new() makes every listener (and so every certificate), signs
 * the zone with their keys and starts the DNS server; sendtest_run()
 * serves until --count sessions, --duration or *stop, calling back with
 * each finished session from one thread at a time. Never prints.
 */
#ifndef SMTPTLS_SENDTEST_H
#define SMTPTLS_SENDTEST_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "smtptls/err.h"
#include "smtptls/listen.h"

struct sendtest;

struct sendtest_params {
	const char *zone; /* lower case, checked by sendtest_new */
	/* One SMTP address per scenario, in table order ("ADDR[:PORT]",
	 * port 25 by default); with scenario set, one address; one address
	 * without scenario: every scenario but notls on it, told apart by
	 * the MX host the sender names by SNI. */
	const char *const *smtp_binds;
	size_t nsmtp;
	const char *dns_bind;   /* "ADDR[:PORT]", port 53 by default */
	const char *https_addr; /* the mta-sts hosts' address */
	const char *cert_file;  /* the valid certificate (chain) and key */
	const char *key_file;
	const char *scenario; /* serve only this one, or NULL */
	/* The zone's signing key in ldns's private-key file format: read
	 * when the file exists, else made and written there (mode 0600), so
	 * that the parent's DS stays valid across runs; NULL: a fresh key
	 * each run. */
	const char *zone_key_file;
	unsigned count; /* stop after this many sessions; 0: no */
	long long duration_ms;
	unsigned step_timeout_ms, session_timeout_ms; /* 0: listen's */
	long long now_s; /* signing time, seconds since the epoch */
};

enum st_err sendtest_new(const struct sendtest_params *p, struct sendtest **out,
    char *errmsg, size_t errlen) __attribute__((warn_unused_result));
void sendtest_free(struct sendtest *t);

/* The DS record for the parent zone, and the zone's DNSKEY (a trust
 * anchor for a resolver that tests offline). */
const char *sendtest_ds(const struct sendtest *t);
const char *sendtest_dnskey(const struct sendtest *t);

/* Scenario i's name and a line about it (i = 0, 1, ...; NULL past the
 * last). */
const char *sendtest_scenario_name(size_t i);
const char *sendtest_scenario_what(size_t i);
/* Whether name is a policy of the inference table (--expect). */
bool sendtest_policy_known(const char *name);
/* After sendtest_run(): whether every sender's results fit policy name
 * (false when no sender came). */
bool sendtest_expect_met(const struct sendtest *t, const char *name);

/* Called with each finished session and the scenario it belongs to. */
typedef void (*sendtest_session_cb)(void *arg, const char *scenario,
    const struct listen_session *s);

enum st_err sendtest_run(struct sendtest *t, sendtest_session_cb cb, void *arg,
    volatile sig_atomic_t *stop) __attribute__((warn_unused_result));

/* How a sender did at one scenario, over all its sessions there. */
enum sendtest_result {
	SENDTEST_NOT_REACHED = 0, /* no session */
	SENDTEST_DELIVERED_TLS,   /* a message accepted over TLS */
	SENDTEST_DELIVERED_CLEAR, /* a message accepted without TLS */
	SENDTEST_DEFERRED,        /* sessions, but no message */
	SENDTEST_NOT_SERVED,      /* SNI mode: notls (no STARTTLS, no SNI) */
};
const char *sendtest_result_name(enum sendtest_result r);

/* Senders are told apart by address (at most 16; later ones are counted
 * in the summary, not judged). After sendtest_run(): how many were seen,
 * and sender i's address and results, one per scenario in table order
 * (*n of them); NULL past the last sender. */
size_t sendtest_senders(const struct sendtest *t);
const enum sendtest_result *sendtest_results(const struct sendtest *t,
    size_t sender, const char **addr, size_t *n);

/* The start record (JSON, one line, caller frees): the zone, its DS and
 * DNSKEY, the DNS server's address, each scenario's MX host and address;
 * NULL when out of memory. */
char *sendtest_start_json(const struct sendtest *t);

/*
 * The summary record (JSON, one line, caller frees): per sender, per
 * scenario its result, and the policies whose expected results
 * (src/sender/sendtest_infer.c) agree with every scenario it reached,
 * with the MTA settings that name them; expect, when not NULL, is the
 * policy the senders claim, checked against each. NULL when out of
 * memory.
 */
char *sendtest_summary_json(const struct sendtest *t, const char *expect);

#endif
