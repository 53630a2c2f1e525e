/*
 * profile.h - compliance profiles (issue 18): a named standard as a table
 * of requirements, and a pure evaluator that grades one address's facts
 * against it.
 *
 * Each profile lives in its own file (profile_ncsc_nl.c, profile_bsi.c,
 * profile_rfc9325.c) as const data: a row per requirement with its id, its
 * text (our words), the source document and section, the requirement
 * level, the fact it reads and how names found in that fact map to the
 * standard's tiers. profile_eval.c knows the fact kinds, never a standard.
 * profile_facts.c turns a probe's measurements into struct prof_facts;
 * the evaluator never sees a probe_result, so unit tests feed it
 * hand-made facts.
 */
#ifndef SMTPTLS_PROFILE_H
#define SMTPTLS_PROFILE_H

#include <stdbool.h>
#include <stddef.h>

/* Tiers in the NCSC-NL sense; untiered standards use GOOD (allowed) and
 * INSUFFICIENT (not allowed) only. Ordered best to worst. */
enum prof_tier {
	TIER_NONE = 0, /* no tier: not applicable, not testable */
	TIER_GOOD,
	TIER_SUFFICIENT,
	TIER_PHASE_OUT,
	TIER_INSUFFICIENT,
	TIER__COUNT
};
/* "good", "sufficient", "phase-out", "insufficient"; NULL for NONE */
const char *prof_tier_name(enum prof_tier t);

/* Per requirement and address. NA and UNTESTABLE are kept apart: "not
 * testable" means we could not measure, never that something is missing. */
enum prof_res { PR_PASS = 0, PR_FAIL, PR_NA, PR_UNTESTABLE, PR__COUNT };
/* "pass", "fail", "not-applicable", "not-testable" */
const char *prof_res_name(enum prof_res r);

/* How much the standard asks; only REQUIRED rows decide the overall
 * result (internet.nl: "optional" and "recommended" do not fail). */
enum prof_level { PL_REQUIRED = 0, PL_RECOMMENDED, PL_OPTIONAL };
const char *prof_level_name(enum prof_level l);

/* The fact a requirement reads, and the names it yields (classified by
 * the row's match table):
 * VERSIONS        accepted versions: "ssl2" "ssl3" "tls1" "tls1_1"
 *                 "tls1_2" "tls1_3"
 * TLS12, TLS13    "yes" / "no": that version accepted
 * SUITES          IANA names of every accepted authenticated suite
 * SUITES_ANON     IANA names of accepted anonymous suites, or "none"
 * ORDER           "server" / "client": TLS 1.2 server preference; not
 *                 applicable when all accepted TLS 1.2 suites share the
 *                 best tier of the row's ref table
 * GROUPS          accepted group names ("x25519", "secp256r1", ...)
 * DHE             "ffdheNNNN" (an RFC 7919 group) or "dh" (another
 *                 prime) with the size in bits
 * KEX_HASH        hashes the server signs its key exchange with: that of
 *                 the standard handshake ("sha256"), and "sha1",
 *                 "sha224" when it accepted them offered alone
 * COMPRESSION     "on" / "off"
 * RENEG_SECURE    "yes" / "no" (RFC 5746 renegotiation_info)
 * RENEG_CLIENT    "on" / "off" (client-initiated renegotiation accepted)
 * EMS             "yes" / "no" (RFC 7627)
 * SNI             "ok" / "fail": handshakes with and without SNI
 * CERT_KEY        per certificate: "rsa" or "dsa" (sized by bits),
 *                 "ec:CURVE" (NIST or SEC name), "ed25519", "ed448"
 * CERT_SIG        per certificate: "sha256", "sha1", "md5", ... ("" for
 *                 EdDSA, which hashes internally: reported "eddsa")
 * DANE_EXISTS     "yes" / "no": usable TLSA records, DNSSEC-signed
 * DANE_VALID      "yes" / "no": the certificate matches them
 * DANE_ROLLOVER   "yes" / "no": a rollover scheme (two records)
 * DNSSEC_MX       "yes" / "no": the MX host's address records signed
 */
enum prof_fact {
	PF_VERSIONS = 0,
	PF_TLS12,
	PF_TLS13,
	PF_SUITES,
	PF_SUITES_ANON,
	PF_ORDER,
	PF_GROUPS,
	PF_DHE,
	PF_KEX_HASH,
	PF_COMPRESSION,
	PF_RENEG_SECURE,
	PF_RENEG_CLIENT,
	PF_EMS,
	PF_SNI,
	PF_CERT_KEY,
	PF_CERT_SIG,
	PF_DANE_EXISTS,
	PF_DANE_VALID,
	PF_DANE_ROLLOVER,
	PF_DNSSEC_MX,
	PF__COUNT
};
/* the fact's name for tables and JSON ("versions", "suites", ...) */
const char *prof_fact_name(enum prof_fact f);

/* One name pattern and its tier. A pattern is an exact name, "x*" (a
 * prefix) or "*x*" (a substring); case-insensitive. */
struct prof_match {
	const char *pattern;
	enum prof_tier tier;
};

/* Sizes for "rsa", "dsa" and "dh" names: bits >= good gives GOOD, bits >=
 * ok gives the ok_tier, less gives INSUFFICIENT. */
struct prof_bits {
	int good, ok;
	enum prof_tier ok_tier;
};

struct prof_req {
	const char *id;     /* "ncsc-nl.version" */
	const char *text;   /* the requirement, in our words */
	const char *source; /* document and section */
	enum prof_level level;
	enum prof_fact fact;
	const struct prof_match *match; /* first match wins */
	size_t nmatch;
	enum prof_tier other; /* tier of names no pattern matches */
	struct prof_bits bits;
	enum prof_tier worst_ok;      /* worst tier that still passes */
	bool no_tier;                 /* a yes/no requirement: report no tier */
	const struct prof_match *ref; /* ORDER: the suite table */
	size_t nref;
	enum prof_tier ref_other;
};

struct profile {
	const char *name;     /* "ncsc-nl" */
	const char *title;    /* one line */
	const char *document; /* the source document and its version */
	const char *note;     /* how we read it, or NULL */
	bool tiered;          /* the standard grades in tiers */
	const struct prof_req *reqs;
	size_t nreqs;
};

/* One per file: profile_ncsc_nl.c, profile_bsi.c, profile_rfc9325.c */
extern const struct profile profile_ncsc_nl, profile_bsi, profile_rfc9325;

/* The profiles, in listing order; NULL past the end. */
const struct profile *profile_at(size_t i);
/* NULL when name is not a profile. */
const struct profile *profile_find(const char *name);

enum prof_tri { PT_UNKNOWN = 0, PT_YES, PT_NO };

#define PROF_SUITES_MAX 192
#define PROF_GROUPS_MAX 16
#define PROF_CERTS_MAX 4

struct prof_cert {
	const char *key_type; /* "RSA", "EC", "ED25519", "ED448", "DSA" */
	int key_bits;
	const char *curve;    /* "P-256", "secp256r1", ... or NULL */
	const char *sig_hash; /* "SHA256", ... ; "" for EdDSA; NULL unknown */
};

/*
 * What one address offered, as the evaluator reads it. Strings are
 * borrowed. PT_UNKNOWN marks what was not measured (not testable).
 * versions[] follows enum scan_ver: ssl2, ssl3, tls1, tls1_1, tls1_2,
 * tls1_3.
 */
struct prof_facts {
	bool scanned; /* the deep scan ran on this address */
	/* The server's EHLO reply offered no STARTTLS: there is no TLS to
	 * grade, so the version rows fail and the other TLS rows do not
	 * apply; the DNS rows (DANE, DNSSEC) are graded as usual. */
	bool no_starttls;
	enum prof_tri versions[6];
	const char *suites[PROF_SUITES_MAX]; /* authenticated, TLS <= 1.2 */
	int suite_ver[PROF_SUITES_MAX];      /* index into versions[] */
	size_t nsuites;
	const char *anon[PROF_SUITES_MAX];
	size_t nanon;
	enum prof_tri server_order; /* TLS 1.2 */
	const char *groups[PROF_GROUPS_MAX];
	size_t ngroups;
	bool groups_tested;
	const char *dhe_group; /* "ffdhe3072", or NULL for another prime */
	int dhe_bits;          /* -1: no DHE suite accepted */
	/* the hash of the standard handshake's key-exchange signature
	 * ("sha256"; NULL: none seen), and whether SHA-1 and SHA-224 were
	 * accepted when offered alone (TLS 1.2) */
	const char *kex_hash;
	enum prof_tri kex_sha1, kex_sha224;
	enum prof_tri compression, reneg_secure, reneg_client, ems, sni;
	struct prof_cert certs[PROF_CERTS_MAX];
	size_t ncerts;
	enum prof_tri dane_exists, dane_valid, dane_rollover, dnssec_mx;
};

void prof_facts_init(struct prof_facts *f);

#define PROF_EVIDENCE_MAX 240

struct prof_outcome {
	enum prof_res res;
	enum prof_tier tier; /* worst tier found; NONE when not graded */
	char evidence[PROF_EVIDENCE_MAX];
};

/* Grade facts against one requirement. Pure: no I/O, no allocation. */
void prof_eval(const struct prof_req *q, const struct prof_facts *f,
    struct prof_outcome *out);

/* Overall result of many outcomes of required rows: FAIL when one
 * failed, UNTESTABLE when none failed but one could not be measured,
 * else PASS (NA rows count as met). */
enum prof_res prof_overall(enum prof_res acc, enum prof_level level,
    enum prof_res r);

/*
 * A profile graded over every scanned address of a probe (filled by
 * profile_run_all() in profile_facts.c, rendered by profile_report.c).
 * out[a * p->nreqs + k] is requirement k at address addrs[a].
 */
struct probe_addr;
struct probe_result;
struct profile_run {
	const struct profile *p;
	bool required; /* --require profile:NAME */
	enum prof_res overall;
	const struct probe_addr **addrs; /* borrowed from the result */
	size_t naddrs;
	struct prof_outcome *out; /* owned */
};

/* Grade r against every profile its options name; r->profiles is owned
 * by r (profile_runs_free). ST_ERR_NOMEM, or ST_ERR_INVAL for an unknown
 * profile name (cmd/ checks names first). */
#include "smtptls/err.h"
enum st_err profile_run_all(struct probe_result *r)
    __attribute__((warn_unused_result));
void profile_runs_free(struct profile_run *runs, size_t n);

#endif
