/*
 * testzone.h - the sender test's destinations (issue 16): one sub-domain
 * of the test zone per scenario, each with its own MX host, certificate,
 * TLSA and MTA-STS records, so that what a sending server does at each
 * one tells how it enforces DANE and MTA-STS.
 *
 * The scenario table is data (testzone_scen.c). testzone_records() turns
 * it and the listener's addresses into the zone's records as master-file
 * lines; testzone_sign.c signs them with ldns and testzone_answer.c answers
 * queries from the result. Nothing here does I/O.
 */
#ifndef SMTPTLS_TESTZONE_H
#define SMTPTLS_TESTZONE_H

#include <stdbool.h>
#include <stddef.h>

#include "smtptls/err.h"

/* The certificate the scenario's MX presents after STARTTLS. */
enum tz_cert {
	TZ_CERT_NONE = 0,  /* no STARTTLS offered */
	TZ_CERT_UNTRUSTED, /* self-signed, made by smtptls */
	TZ_CERT_VALID,     /* the user's --cert (a CA the sender trusts) */
};

/* The TLSA RRset at _25._tcp.<mx>. */
enum tz_tlsa {
	TZ_TLSA_NONE = 0,     /* none (NODATA, signed denial) */
	TZ_TLSA_MATCH,        /* 3 1 1 of the certificate presented */
	TZ_TLSA_MISMATCH,     /* 3 1 1 of a key the server never shows */
	TZ_TLSA_LOOKUP_FAILS, /* present, with a signature that fails */
};

enum tz_sts {
	TZ_STS_NONE = 0,
	TZ_STS_ENFORCE,
	TZ_STS_TESTING,
};

struct tz_scenario {
	const char *name; /* the sub-domain's first label */
	const char *what; /* one line for people */
	enum tz_cert cert;
	enum tz_tlsa tlsa;
	enum tz_sts sts;
	bool sts_lists_mx; /* the policy's mx: names this scenario's MX */
};

/* Room for every scenario (static_assert in testzone_scen.c). */
#define TZ_SCENARIOS_MAX 16

/* The scenarios, in report order; *n is set to their number. */
const struct tz_scenario *testzone_scenarios(size_t *n);
/* The scenario called name, or NULL. */
const struct tz_scenario *testzone_scenario(const char *name);

struct tz_params {
	const char *zone;       /* lower-case, no final dot, checked */
	const char *dns_addr;   /* the zone's name server address */
	const char *https_addr; /* where mta-sts.<scenario> points */
	/* SMTP addresses: scenario i gets smtp_addrs[i % nsmtp] */
	const char *const *smtp_addrs;
	size_t nsmtp;
	/* Per scenario (in table order): SHA-256 of the SubjectPublicKeyInfo
	 * of the certificate its MX presents, 64 lower-case hex digits, for
	 * its TLSA record; ignored for scenarios without TLSA. */
	const char *const *spki;
	const char *sts_id;   /* the _mta-sts TXT id= value */
	const char *key_file; /* see sendtest_params.zone_key_file */
};

/*
 * Whether name is usable as the test zone: a host name (ascii.h's rule)
 * of two labels or more, lower case, no final dot, at most 200 octets
 * (room for the scenario names). On false, *why says which rule fails.
 */
bool testzone_name_ok(const char *name, const char **why);

/*
 * The zone's records as master-file lines ("owner TTL IN TYPE rdata",
 * absolute owners), newline-separated, in one malloc'd string the caller
 * frees: SOA, NS and its address, then per scenario MX, the MX host's
 * address, TLSA, _mta-sts TXT and the mta-sts host's address. ST_OK,
 * ST_ERR_INVAL (a parameter), ST_ERR_NOMEM.
 */
enum st_err testzone_records(const struct tz_params *p, char **out)
    __attribute__((warn_unused_result));

/* The MTA-STS policy body served for scenario s (malloc'd), or NULL when
 * the scenario has none or memory ran out. */
char *testzone_sts_policy(const struct tz_params *p,
    const struct tz_scenario *s);

/* The address scenario index i is served on. */
const char *testzone_smtp_addr(const struct tz_params *p, size_t i);

/* The signed zone (testzone_sign.c), read-only once made: the DNS
 * server's threads share it. */
struct tz_signed;

/*
 * Build and sign the zone for p at time now_s (seconds since the epoch).
 * ST_OK, ST_ERR_INVAL (p), ST_ERR_NOMEM, ST_ERR_INTERNAL (ldns refused a
 * record or the signing); errmsg says why.
 */
enum st_err testzone_sign(const struct tz_params *p, long long now_s,
    struct tz_signed **out, char *errmsg, size_t errlen)
    __attribute__((warn_unused_result));
void testzone_signed_free(struct tz_signed *z);
/* The DS record (SHA-256) for the parent zone, and the DNSKEY, as
 * master-file text with a final newline. */
const char *testzone_ds(const struct tz_signed *z);
const char *testzone_dnskey(const struct tz_signed *z);

/*
 * Answer the DNS query (q, qlen) from z (testzone_answer.c): authoritative,
 * with RRSIGs and NSEC denial when the query has the DO bit; REFUSED
 * outside the zone and for zone transfers; FORMERR for a query that
 * parses but is not one question; TC set when a UDP answer exceeds the
 * query's EDNS size (at most 1232) or 512. On ST_OK *out (malloc'd,
 * *outlen octets) is the answer; ST_ERR_PARSE means drop the packet (not
 * a query, or too short to answer); ST_ERR_NOMEM.
 */
enum st_err testzone_answer(const struct tz_signed *z, const unsigned char *q,
    size_t qlen, bool tcp, unsigned char **out, size_t *outlen)
    __attribute__((warn_unused_result));

#endif
