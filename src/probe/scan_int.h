/*
 * scan_int.h - what scan.c (the rounds and the offers), scan_result.c
 * (folding each session's outcome into the address's facts) and
 * scan_offers.c (the tables both read) share.
 */
#ifndef SMTPTLS_SCAN_INT_H
#define SMTPTLS_SCAN_INT_H

#include "scan.h"
#include "st_limits.h"

enum job_kind {
	J_CHAIN = 0, /* arg: scan_ver TLS1..TLS1_2; suite enumeration */
	J_V13,       /* TLS 1.3 alone */
	J_SUITE13,   /* arg: index into suites13 */
	J_ORDER,     /* arg: 0 best first, 1 reversed */
	J_GROUP,     /* arg: index into groups */
	J_SNI,       /* arg: SCAN_SNI_* */
	J_ALT,       /* arg: index into alt_sigalgs */
	J_INJECT,
	J_KEXHASH, /* arg: 0 SHA-1 only, 1 SHA-224 only (SCAN_EXTRA) */
	J_RENEG,   /* TLS 1.2, then ask to renegotiate (SCAN_EXTRA) */
};

extern const struct scan_alt_offer {
	const char *family;
	const char *list;
} scan_alt_sigalgs[SCAN_ALT_MAX];

#define SCAN_SLOTS_PER_ADDR 2 /* checks.md 1.9 */

struct job {
	enum job_kind kind;
	int arg;
	bool done;
	bool busy; /* in the current round */
};

struct plan {
	struct probe_addr *pa;
	unsigned extra; /* enum scan_extra_flags */
	struct scan_facts *f;
	struct job jobs[SCAN_JOBS_MAX];
	size_t njobs;
	char std_leaf[65]; /* leaf of the standard handshake or "" */
	char sni_leaf[SCAN_SNI__COUNT][65];
};

struct slot {
	struct plan *pl;
	struct job *job;
	struct probe_addr tmp; /* scratch address for the engine */
	bool setup_failed;
	int reneg, ems;     /* read in the done hook; -1 unknown */
	char dhe_group[24]; /* the done hook: RFC 7919 name of a DHE prime */
};

struct round {
	struct slot *slots;
	size_t n;
};

extern const int scan_ver_num[SCAN_VER__COUNT];

/* The two TLS 1.2 suites of the order test (indexes into the TLS 1.2
 * suites found). */
void scan_order_pair(const struct scan_facts *f, size_t *a, size_t *b);
/* Fold one finished session's outcome into its address's facts. */
void scan_slot_result(struct slot *sl);

#endif
