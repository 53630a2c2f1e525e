/*
 * probe_result.h - what one probe measured: the data the checks judge and
 * the reports render. Filled by probe.c (DNS), session.c (SMTP and TLS) and
 * the check modules; owned by struct probe_result and freed as a whole.
 */
#ifndef SMTPTLS_PROBE_RESULT_H
#define SMTPTLS_PROBE_RESULT_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "cert_check.h"
#include "dns.h"
#include "smtp_client.h"
#include "trust_store.h"
#include "smtptls/check.h"
#include "smtptls/probe.h"
#include "tls_class.h"
#include "tls_client.h"
#include "tls_io.h"

enum addr_state {
	ADDR_NONE = 0, /* not probed (yet) */
	ADDR_COMPLETE, /* the planned dialogue reached QUIT */
	ADDR_ABORTED,  /* connected, ended early */
	ADDR_ERROR,    /* no connection */
	ADDR_SKIPPED,  /* no route for the family, or past the deadline */
	ADDR_CUT,      /* never contacted: past PROBE_SESSIONS_MAX */
	ADDR__COUNT
};
/* report.md 5.3 "state": cut addresses read "skipped" */
const char *probe_addr_state_name(enum addr_state s);

/* Step timings in ms; -1 = not reached (null in JSON). */
enum step_timing {
	T_CONNECT = 0,
	T_BANNER,
	T_EHLO,
	T_STARTTLS,
	T_TLS,
	T_EHLO_TLS,
	T_ADDRESS_TEST,
	T_QUIT,
	T_TOTAL,
	T__COUNT
};

struct probe_mx;
struct scan_facts;
struct profile_run;

struct probe_addr {
	char address[64];    /* canonical text */
	int family;          /* AF_INET / AF_INET6 */
	struct probe_mx *mx; /* back pointer */
	enum addr_state state;
	long t[T__COUNT];
	bool connected;
	char conn_error[24]; /* "refused", "timeout", "unreachable", ... */
	char conn_errmsg[200];
	bool deadline;         /* ended by the run deadline */
	struct smtp_client sc; /* dialogue and every reply */
	bool sc_ready;
	struct tls_facts tls;
	/* The chain the server presented (up-ref'd, owned) from the
	 * handshake until session_chains_check() analyses it into
	 * tls.chain; NULL otherwise. */
	STACK_OF(X509) * peer_chain;
	struct scan_facts *scan; /* --scan (scan.h), owned; NULL without */
	unsigned order;          /* subject order for checks */
	/* --cleartext: the extra session without STARTTLS on this address
	 * (the one that ran the address test), or NULL. Owned. */
	struct probe_addr *clear;
};

/* The address was not tried: this machine has no route to it (state
 * ADDR_SKIPPED, conn_error "no-route"); not a finding about the server. */
bool probe_addr_no_route(const struct probe_addr *pa);

struct probe_mx {
	char *name;
	int preference;     /* -1 for --host */
	const char *source; /* "mx", "implicit", "host" */
	bool literal;       /* --host with an address literal */
	struct dns_answer a, aaaa;
	bool have_a, have_aaaa;
	struct dns_answer tlsa;
	bool have_tlsa;
	/* TLSA base domain (checks.md 1.1, RFC 7672 2.2): the CNAME target
	 * when the MX host is an alias reached over a secure chain and the
	 * target has TLSA records, else NULL (the MX host name). Owned. */
	char *tlsa_base;
	/* RFC 7672 2.2.2 "Insecure CNAME": for an alias whose address records
	 * are insecure, the CNAME query for the MX host name itself (only its
	 * own DNSSEC status says whether DANE still applies, with the MX host
	 * name as TLSA base domain). Owned; have_alias false when not asked. */
	struct dns_answer alias;
	bool have_alias;
	struct probe_addr *addrs;
	size_t naddrs;
	unsigned order;
};

struct probe_result {
	struct probe_options opt; /* copy; strings borrowed */
	char *input;
	enum target_kind kind;
	char *domain; /* NULL for --host */
	char *mailbox;
	char *host;
	char ehlo[256];
	char catchall_rcpt[300];  /* --catchall: smtptls-<16 hex>@domain */
	struct trust_store trust; /* the PKIX store in use */
	struct timespec t0;       /* monotonic start */
	char started[32], finished[32];
	long duration_ms;
	long dns_ms, smtp_ms, mta_sts_ms;
	long scan_ms; /* -1 without --scan */

	struct dns_config dnscfg;
	bool validating; /* resolver AD seen / local validation */
	char validating_detail[200];
	enum dns_validation validation; /* what the validation probe found */
	bool validation_known;          /* probe_dnssec_finish settled it */
	char dnssec_reason[400];        /* which path validates, and why */
	unsigned dns_queries;

	struct dns_answer mxans;
	bool have_mxans;
	bool null_mx, implicit;
	struct probe_mx *mx;
	size_t nmx;

	/* MTA-STS and TLS-RPT (NULL/false with --no-mta-sts or --host) */
	bool have_sts_dns;         /* the four lookups below were made */
	struct dns_answer sts_txt; /* _mta-sts.<domain> TXT */
	struct dns_answer sts_a, sts_aaaa; /* mta-sts.<domain> */
	bool have_rpt_dns;
	struct dns_answer rpt_txt; /* _smtp._tls.<domain> TXT */
	struct mtasts_state *sts;  /* fetch and policy, mtasts_check.c */

	struct check_list checks;
	bool deadline_hit;
	char run_error[200]; /* run-level error text or "" */
	char run_error_code[24];
	int exit_code;
	char exit_reason[200];
	/* verdicts, filled by verdict.c */
	struct verdict_level *levels;
	/* --profile: one per profile named (profile.h), owned */
	struct profile_run *profiles;
	size_t nprofiles;
};

#endif
