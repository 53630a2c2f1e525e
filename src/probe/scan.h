/*
 * scan.h - the deep TLS scan of probe --scan (checks.md 10, report.md
 * 5.5.2): what the extra handshakes with restricted offers found out about
 * one address. Filled by scan.c after the standard sessions, judged by
 * check_scan.c, rendered by the report modules.
 */
#ifndef SMTPTLS_SCAN_H
#define SMTPTLS_SCAN_H

#include <stdbool.h>
#include <stddef.h>

#include <openssl/ssl.h>

#include "cert_check.h"
#include "probe_result.h"
#include "smtptls/err.h"
#include "tls_class.h"
#include "st_limits.h"

enum scan_ver {
	SCAN_SSL2 = 0,
	SCAN_SSL3,
	SCAN_TLS1,
	SCAN_TLS1_1,
	SCAN_TLS1_2,
	SCAN_TLS1_3,
	SCAN_VER__COUNT
};
/* report.md 5.5.2 keys: "ssl2", "ssl3", "tls1", "tls1_1", ... */
const char *scan_ver_key(enum scan_ver v);

enum scan_state { SCAN_UNTESTED = 0, SCAN_ACCEPTED, SCAN_REFUSED };
/* "untested", "accepted", "refused" */
const char *scan_state_name(enum scan_state s);

/* SNI outcomes (report.md 5.5.2 sni) */
enum scan_sni { SNI_UNTESTED = 0, SNI_OK, SNI_ALERT, SNI_CLOSED, SNI_ERROR };
enum {
	SCAN_SNI_WITHOUT = 0,
	SCAN_SNI_WITH,
	SCAN_SNI_UNRELATED,
	SCAN_SNI__COUNT
};

struct scan_suite {
	char iana[96];
	char openssl[64];
	enum tls_class cls;
	bool anonymous;
};

struct scan_alt {
	const char *family; /* "rsa", "ecdsa", "eddsa" (static) */
	char leaf_sha256[65];
	bool have_chain;
	struct cert_chain_result chain; /* owned */
	bool dane_checked, dane_verified;
};

struct scan_facts {
	bool ran;        /* the scan was attempted */
	bool incomplete; /* the deadline cut it short */
	long ms;
	unsigned handshakes; /* sessions opened */
	enum scan_state versions[SCAN_VER__COUNT];
	struct scan_suite suites[SCAN_VER__COUNT][SCAN_SUITES_MAX];
	size_t nsuites[SCAN_VER__COUNT]; /* in the order the server chose */
	int server_order; /* TLS 1.2: 1 server's, 0 client's, -1 unknown */
	struct {
		char name[48];
		enum tls_class cls;
	} groups[SCAN_GROUPS_MAX];
	size_t ngroups;
	bool groups_tested;
	int dhe_bits;     /* -1 unknown */
	int reneg_secure; /* -1 unknown, 0/1 */
	int ems;          /* -1 unknown, 0/1 */
	enum scan_sni sni[SCAN_SNI__COUNT];
	char sni_alert[SCAN_SNI__COUNT][64];
	int sni_same_cert; /* without vs with: -1 unknown, 0/1 */
	int injection;     /* -1 untested, 0 clean, 1 vulnerable */
	struct scan_alt alt[SCAN_ALT_MAX];
	size_t nalt; /* distinct certificates found */
	bool alt_tested;
	/* Extra probes for compliance profiles (SCAN_EXTRA): -1 untested,
	 * 0 refused, 1 accepted */
	int kex_sha1, kex_sha224;  /* TLS 1.2, only that signature hash */
	int reneg_client;          /* client-initiated renegotiation */
	bool compression_testable; /* the linked OpenSSL can offer it */
	char dhe_group[24];        /* RFC 7919 name of the DHE prime, or "" */
};

/* What scan_run_all() measures beyond checks.md 10 (compliance profiles
 * ask for it; --scan alone does not). */
enum scan_extra_flags { SCAN_EXTRA = 1 << 0 };

void scan_facts_free(struct scan_facts *f);

struct cJSON;
/* The address's "scan" object (report.md 5.5.2); null when pa has no
 * scan facts. In scan_report.c. */
struct cJSON *scan_json(const struct probe_result *r,
    const struct probe_addr *pa);
/* The human report's scan block (lines start with two spaces, end in
 * newlines), cut at len. */
void scan_human_text(const struct scan_facts *f, char *buf, size_t len);

struct session_params;

/*
 * Scan every address in addrs that completed the standard handshake,
 * all addresses at once, at most two sessions at a time per address
 * (checks.md 1.9). Each address gets a scan_facts (addrs[i]->scan, owned
 * by the address). p gives the engine settings (context, store, EHLO
 * name, timeouts, deadline); extra (enum scan_extra_flags) adds the
 * profiles' probes. Returns ST_OK unless out of memory or the
 * event loop failed.
 */
enum st_err scan_run_all(struct probe_addr **addrs, size_t n,
    const struct session_params *p, unsigned extra);

#endif
