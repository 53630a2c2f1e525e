/*
 * sendtest_int.h - what the sender test's files share: the run itself.
 */
#ifndef SMTPTLS_SENDTEST_INT_H
#define SMTPTLS_SENDTEST_INT_H

#include <pthread.h>
#include <signal.h>

#include "dns_server.h"
#include "sts_server.h"
#include "smtptls/sendtest.h"
#include "testzone.h"

struct sendtest;

/* Senders told apart, by address; later ones are counted, not kept. */
#define SENDTEST_PEERS_MAX 16

/* One scenario's listener. */
struct sendtest_scen_run {
	struct sendtest *t;
	size_t index;
	struct listen *l; /* NULL when the scenario is not served */
	pthread_t thread;
	bool started;
	volatile sig_atomic_t done; /* its listen_run() returned */
	enum st_err err;            /* listen_run's */
};

/* What one sender's sessions at one scenario showed. */
struct sendtest_seen {
	unsigned sessions;
	bool tls_tried;       /* a session began STARTTLS */
	bool delivered_tls;   /* a message accepted over TLS */
	bool delivered_clear; /* a message accepted without TLS */
};

struct sendtest_peer {
	char addr[64];
	struct sendtest_seen seen[TZ_SCENARIOS_MAX];
	enum sendtest_result result[TZ_SCENARIOS_MAX]; /* after the run */
};

struct sendtest {
	struct sendtest_params p;
	const struct tz_scenario *scen;
	size_t nscen, nrun;
	struct sendtest_scen_run run[TZ_SCENARIOS_MAX];
	char addr[TZ_SCENARIOS_MAX][80]; /* each MX host's address */
	struct sendtest_peer peer[SENDTEST_PEERS_MAX];
	size_t npeers;
	unsigned peers_dropped; /* sessions from senders past the cap */
	/* SNI mode (one --bind, no --scenario): one listener, in run[sni_at],
	 * serves every scenario with STARTTLS; a session belongs to the
	 * scenario whose MX host it named by SNI. */
	bool sni_mode;
	size_t sni_at;
	bool served[TZ_SCENARIOS_MAX];
	unsigned unattributed; /* SNI mode: sessions naming no MX host */
	struct tz_signed *zone;
	struct dns_server_run *dns;
	struct sts_server *sts; /* the MTA-STS policy host */
	pthread_mutex_t mu;     /* the callback, the counters, halt */
	bool mu_ready;
	unsigned sessions;
	volatile sig_atomic_t halt; /* every listener's stop flag */
	sendtest_session_cb cb;
	void *arg;
};

#endif
