/*
 * cert_check.h - facts about a presented certificate chain, measured with
 * OpenSSL (never by hand): PKIX path validation with time checks and,
 * apart, without them, chain completeness, validity dates, name matching
 * against the MX host name and the next-hop domain, key and signature
 * strength, and a per-certificate summary with PEM text and fingerprints
 * for the report.
 *
 * Input is the chain as the server presented it (leaf first) and a trust
 * store; nothing here does I/O beyond reading the trust store files.
 * Results are plain data; the check layer turns them into statuses.
 */
#ifndef SMTPTLS_CERT_CHECK_H
#define SMTPTLS_CERT_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "smtptls/err.h"

struct cert_summary {
	char *subject; /* RFC 2253 text, UTF-8 */
	char *issuer;
	char *serial_hex;             /* lowercase, no separators */
	time_t not_before, not_after; /* 0 (long expired) when unreadable */
	char **dns_names; /* subjectAltName dNSName entries, lowercase;
	                   * an embedded NUL shows as '?' */
	size_t ndns;
	char *cn;          /* first subject CN (UTF-8) or NULL */
	char key_type[16]; /* "RSA", "EC", "Ed25519", "Ed448", "DSA", ... */
	int key_bits;
	char curve[32];           /* EC curve short name or "" */
	char sig_alg[48];         /* e.g. "sha256WithRSAEncryption" */
	char sig_hash[16];        /* "SHA256", "SHA1", "MD5", "" (EdDSA),
	                           * "unknown" when OpenSSL cannot tell */
	char sha256_hex[65];      /* fingerprint of the DER certificate */
	char spki_sha256_hex[65]; /* TLSA x 1 1 value */
	bool self_issued;         /* subject and issuer names are equal */
	bool is_ca;               /* basicConstraints cA is TRUE */
	char *pem;                /* PEM text, NUL-terminated */
};

/*
 * Fill *s from x (all fields; strings are heap copies owned by *s, release
 * with cert_summary_release). Clears *s first, leaves it released on
 * failure: ST_ERR_NOMEM, or ST_ERR_TLS when OpenSSL cannot encode x;
 * errmsg says which. Peer oddities (odd names, unknown algorithms,
 * unreadable dates) are not errors; they show in the fields.
 */
enum st_err cert_summary_fill(X509 *x, struct cert_summary *s, char *errmsg,
    size_t errlen);
/* Free the contents of *s; accepts NULL and a zeroed summary. */
void cert_summary_release(struct cert_summary *s);
/* notBefore and notAfter of x as POSIX time; false (and 0) when either
 * date cannot be read. */
bool cert_summary_dates(const X509 *x, time_t *not_before, time_t *not_after);

enum cert_chain_issue {
	CERT_ISSUE_MISSING_INTERMEDIATE = 1 << 0,
	CERT_ISSUE_ORDER = 1 << 1,
	CERT_ISSUE_DUPLICATE = 1 << 2,
	CERT_ISSUE_UNRELATED = 1 << 3,
};

enum cert_name_via { CERT_NAME_NONE = 0, CERT_NAME_SAN, CERT_NAME_CN };

struct cert_name_result {
	enum cert_name_via via;
	char *matched; /* the certificate name that matched, or NULL */
};

struct cert_chain_result {
	struct cert_summary *certs; /* presented chain, in order sent */
	size_t ncerts;

	/* PKIX as a verifying sender sees it (and `openssl verify`): purpose
	 * sslserver, time checks at the given time, untrusted = the
	 * presented chain only (no AIA), no revocation. The report's
	 * tls.pkix.trusted and verify_code. An expired certificate makes
	 * this false (X509_V_ERR_CERT_HAS_EXPIRED). */
	bool trusted;
	int verify_code;        /* X509_V_OK or the first error OpenSSL met */
	char verify_error[128]; /* X509_verify_cert_error_string() */
	int verify_depth; /* depth of the error; on success of the anchor */

	/* The same validation with X509_V_FLAG_NO_CHECK_TIME: whether a path
	 * to the store exists at all, dates aside (cert.chain.trusted;
	 * dates are cert.expiry's job, checks.md 5). path_trusted and not
	 * trusted means only dates failed. The store may supply
	 * intermediates; that shows as MISSING_INTERMEDIATE. */
	bool path_trusted;
	int path_verify_code;
	char path_verify_error[128];
	int path_verify_depth;
	size_t path_len; /* certificates in this path; when not
	                  * path_trusted, in the partial path OpenSSL
	                  * built before it gave up */

	unsigned issues; /* enum cert_chain_issue */

	/* Validity at the given time of every certificate on the path of
	 * the check without time, the trust anchor included (or on the
	 * partial path when not path_trusted, or of the presented chain
	 * when no path was built); notBefore and notAfter both count as
	 * inside (RFC 5280 4.1.2.5). */
	bool path_in_validity;
	bool leaf_expired, leaf_not_yet_valid;
	long days_left; /* whole days to the leaf's notAfter (floor);
	                 * negative once expired */

	struct cert_name_result name_mx;  /* cert.name.match */
	struct cert_name_result name_dom; /* cert.name.nexthop */
};

/*
 * Analyse chain (leaf first) against store at time now. mx_host is the
 * reference name for cert.name.match; domain (and dot-domain sub-hosts,
 * unless exact_domain) for cert.name.nexthop. Name rules: RFC 6125 with
 * wildcards only as the whole leftmost label, CN only when the certificate
 * has no DNS names (X509_check_host with NO_PARTIAL_WILDCARDS and
 * NEVER_CHECK_SUBJECT, then the CN fallback). A dot-domain sub-host match
 * is OpenSSL's (as in Postfix): any name below the domain, a wildcard
 * "*.domain" included. mx_host and domain may be NULL (that result is then
 * CERT_NAME_NONE); one trailing dot on them is ignored.
 *
 * Findings about the chain (untrusted, expired, no name) are data in *res,
 * never errors. Returns ST_OK and fills *res (release with
 * cert_chain_result_release); on failure *res is zeroed and errmsg says
 * why: ST_ERR_INVAL (chain NULL or empty, store NULL), ST_ERR_NOMEM,
 * ST_ERR_TLS (OpenSSL failed for a reason of its own). The chain and the
 * store are borrowed (OpenSSL may cache certificates it reads from a CA
 * directory in the store).
 */
enum st_err cert_chain_check(STACK_OF(X509) * chain, X509_STORE *store,
    time_t now, const char *mx_host, const char *domain, bool exact_domain,
    struct cert_chain_result *res, char *errmsg, size_t errlen);
/* Free the contents of *res; accepts NULL and a zeroed result. */
void cert_chain_result_release(struct cert_chain_result *res);

/* A trust store from a CA file and/or directory; both NULL = system
 * default paths. The caller owns the store (X509_STORE_free). NULL on
 * failure (file unreadable or without certificates, directory missing,
 * out of memory) with errmsg set. */
X509_STORE *cert_store_load(const char *ca_file, const char *ca_path,
    char *errmsg, size_t errlen);

#endif
