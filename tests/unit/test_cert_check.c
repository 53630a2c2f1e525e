/*
 * test_cert_check.c - cert_check.c and cert_summary.c swept over a matrix
 * of certificates made at test time with the OpenSSL API: a root and an
 * intermediate CA, an unrelated CA pair, and leaves that differ in one way
 * each (names, dates, keys, signature hash, purpose). No key files.
 */
#include "cert_check.h"

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "tls_class.h"
#include "unit.h"

#include "banned.h"

#define DAY 86400L

/*
 * Allocation failure injection for OpenSSL: when alloc_countdown reaches
 * 0 one allocation fails. Sweeping it over every allocation of a call
 * walks every error path OpenSSL can take inside our code; ASan then
 * reports a leak or a bad free on any of them.
 */
static long alloc_countdown = -1;   /* -1: never fail */
static bool alloc_failed;

/* alloc_fail_now - count an allocation down; true when it must fail */
static bool
alloc_fail_now(void)
{
	if (alloc_countdown < 0)
		return false;
	if (alloc_countdown-- > 0)
		return false;
	alloc_failed = true;
	return true;
}

static void *
t_malloc(size_t n, const char *file, int line)
{
	(void)file;
	(void)line;
	return alloc_fail_now() ? NULL : malloc(n);
}

static void *
t_realloc(void *p, size_t n, const char *file, int line)
{
	(void)file;
	(void)line;
	return alloc_fail_now() ? NULL : realloc(p, n);
}

static void
t_free(void *p, const char *file, int line)
{
	(void)file;
	(void)line;
	free(p);
}

/* Certificates of the fixture; rows name them by these ids. */
enum cid {
	C_ROOT, C_INT, C_INT_EXPIRED, C_OROOT, C_OINT,
	C_GOOD, C_MX1, C_WILD, C_PARTIAL, C_CNONLY, C_CNWILD, C_CN_SAN,
	C_EXPIRED, C_FUTURE, C_EDGE, C_SELF, C_WRONG, C_RSA1024, C_RSA2048,
	C_P384, C_P224, C_SHA1, C_ED25519, C_MD5, C_OLEAF, C_CLIENT,
	C__COUNT,
	C_END = -1
};

enum kid { K_ROOT, K_INT, K_LEAF, K_OTHER, K_RSA1024, K_RSA2048, K_P384,
	K_P224, K_ED25519, K__COUNT };

enum sid { S_ROOT, S_ROOT_INT, S_EMPTY, S__COUNT };

struct fixture {
	time_t now;
	EVP_PKEY *key[K__COUNT];
	X509 *cert[C__COUNT];
	X509_STORE *store[S__COUNT];
};

/* How to make one certificate. */
struct spec {
	enum cid id;
	const char *cn;     /* subject CN, or NULL for none */
	const char *san;    /* subjectAltName value, or NULL */
	enum kid key;
	enum cid issuer;    /* C_END: self-signed */
	enum kid ikey;
	long nb, na;        /* notBefore, notAfter: seconds from now */
	bool ca;
	const char *eku;    /* extendedKeyUsage, or NULL for CAs */
	const char *md;     /* signature digest name, NULL for EdDSA */
	long serial;
};

/* Issuers come before what they issue. */
static const struct spec specs[] = {
	{ C_ROOT, "smtptls Test Root", NULL, K_ROOT, C_END, K_ROOT,
	    -DAY, 3650 * DAY, true, NULL, "SHA256", 1 },
	{ C_INT, "smtptls Test Intermediate", NULL, K_INT, C_ROOT, K_ROOT,
	    -DAY, 1000 * DAY, true, NULL, "SHA256", 2 },
	/* Same name and key as C_INT: either one issues the leaves. */
	{ C_INT_EXPIRED, "smtptls Test Intermediate", NULL, K_INT, C_ROOT,
	    K_ROOT, -400 * DAY, -10 * DAY, true, NULL, "SHA256", 3 },
	{ C_OROOT, "Other Root", NULL, K_OTHER, C_END, K_OTHER,
	    -DAY, 3650 * DAY, true, NULL, "SHA256", 4 },
	{ C_OINT, "Other Intermediate", NULL, K_OTHER, C_OROOT, K_OTHER,
	    -DAY, 1000 * DAY, true, NULL, "SHA256", 5 },
	{ C_GOOD, "mx1.lab.test", "DNS:mx1.lab.test,DNS:lab.test", K_LEAF,
	    C_INT, K_INT, -DAY, 90 * DAY + 3600, false, "serverAuth",
	    "SHA256", 0x1234abcdL },
	{ C_MX1, "mx1.lab.test", "DNS:mx1.lab.test", K_LEAF, C_INT, K_INT,
	    -DAY, 10 * DAY + 100, false, "serverAuth", "SHA256", 11 },
	{ C_WILD, "wild", "DNS:*.lab.test", K_LEAF, C_INT, K_INT,
	    -DAY, 90 * DAY, false, "serverAuth", "SHA256", 12 },
	{ C_PARTIAL, "partial", "DNS:mx*.lab.test", K_LEAF, C_INT, K_INT,
	    -DAY, 90 * DAY, false, "serverAuth", "SHA256", 13 },
	{ C_CNONLY, "mx1.lab.test", NULL, K_LEAF, C_INT, K_INT,
	    -DAY, 90 * DAY, false, "serverAuth", "SHA256", 14 },
	{ C_CNWILD, "*.lab.test", NULL, K_LEAF, C_INT, K_INT,
	    -DAY, 90 * DAY, false, "serverAuth", "SHA256", 15 },
	{ C_CN_SAN, "mx1.lab.test", "DNS:other.test,IP:192.0.2.1", K_LEAF,
	    C_INT, K_INT, -DAY, 90 * DAY, false, "serverAuth", "SHA256", 16 },
	{ C_EXPIRED, "mx1.lab.test", "DNS:mx1.lab.test", K_LEAF, C_INT,
	    K_INT, -30 * DAY, -3600, false, "serverAuth", "SHA256", 17 },
	{ C_FUTURE, "mx1.lab.test", "DNS:mx1.lab.test", K_LEAF, C_INT,
	    K_INT, DAY, 91 * DAY, false, "serverAuth", "SHA256", 18 },
	{ C_EDGE, "mx1.lab.test", "DNS:mx1.lab.test", K_LEAF, C_INT, K_INT,
	    -DAY, 0, false, "serverAuth", "SHA256", 19 },
	{ C_SELF, "mx1.lab.test", "DNS:mx1.lab.test", K_LEAF, C_END, K_LEAF,
	    -DAY, 90 * DAY, false, "serverAuth", "SHA256", 20 },
	{ C_WRONG, "Wrong.Example", "DNS:Wrong.Example", K_LEAF, C_INT,
	    K_INT, -DAY, 90 * DAY, false, "serverAuth", "SHA256", 21 },
	{ C_RSA1024, "mx1.lab.test", "DNS:mx1.lab.test", K_RSA1024, C_INT,
	    K_INT, -DAY, 90 * DAY, false, "serverAuth", "SHA256", 22 },
	{ C_RSA2048, "mx1.lab.test", "DNS:mx1.lab.test", K_RSA2048, C_INT,
	    K_INT, -DAY, 90 * DAY, false, "serverAuth", "SHA256", 23 },
	{ C_P384, "mx1.lab.test", "DNS:mx1.lab.test", K_P384, C_INT, K_INT,
	    -DAY, 90 * DAY, false, "serverAuth", "SHA384", 24 },
	{ C_P224, "mx1.lab.test", "DNS:mx1.lab.test", K_P224, C_INT, K_INT,
	    -DAY, 90 * DAY, false, "serverAuth", "SHA256", 25 },
	{ C_SHA1, "mx1.lab.test", "DNS:mx1.lab.test", K_LEAF, C_INT, K_INT,
	    -DAY, 90 * DAY, false, "serverAuth", "SHA1", 26 },
	{ C_ED25519, "mx1.lab.test", "DNS:mx1.lab.test", K_ED25519, C_END,
	    K_ED25519, -DAY, 90 * DAY, false, "serverAuth", NULL, 27 },
	{ C_MD5, "mx1.lab.test", "DNS:mx1.lab.test", K_RSA1024, C_END,
	    K_RSA1024, -DAY, 90 * DAY, false, "serverAuth", "MD5", 28 },
	{ C_OLEAF, "mx1.lab.test", "DNS:mx1.lab.test", K_LEAF, C_OINT,
	    K_OTHER, -DAY, 90 * DAY, false, "serverAuth", "SHA256", 29 },
	{ C_CLIENT, "mx1.lab.test", "DNS:mx1.lab.test", K_LEAF, C_INT,
	    K_INT, -DAY, 90 * DAY, false, "clientAuth", "SHA256", 30 },
};

/* setup_failed - a fixture that cannot be built is one failure; stop */
static void
setup_failed(const char *what)
{
	unit_report(0, "fixture", "built", what);
	exit(unit_exit());
}

/* add_ext - one X.509v3 extension from its config text */
static void
add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX v3;
	X509_EXTENSION *ext;

	X509V3_set_ctx(&v3, issuer, x, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &v3, nid, value);
	if (ext == NULL || X509_add_ext(x, ext, -1) != 1)
		setup_failed(value);
	X509_EXTENSION_free(ext);
}

static X509 *
make_cert(const struct fixture *fx, const struct spec *sp)
{
	X509 *x, *issuer;
	X509_NAME *name;
	EVP_PKEY *key = fx->key[sp->key];
	const EVP_MD *md = NULL;

	x = X509_new();
	name = X509_NAME_new();
	if (x == NULL || name == NULL ||
	    X509_set_version(x, X509_VERSION_3) != 1 ||
	    ASN1_INTEGER_set(X509_get_serialNumber(x), sp->serial) != 1 ||
	    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
	    (const unsigned char *)"smtptls test", -1, -1, 0) != 1 ||
	    (sp->cn != NULL && X509_NAME_add_entry_by_txt(name, "CN",
	    MBSTRING_ASC, (const unsigned char *)sp->cn, -1, -1, 0) != 1) ||
	    X509_set_subject_name(x, name) != 1 ||
	    X509_set_pubkey(x, key) != 1 ||
	    ASN1_TIME_set(X509_getm_notBefore(x), fx->now + sp->nb) == NULL ||
	    ASN1_TIME_set(X509_getm_notAfter(x), fx->now + sp->na) == NULL)
		setup_failed("certificate fields");
	X509_NAME_free(name);
	issuer = sp->issuer == C_END ? x : fx->cert[sp->issuer];
	if (X509_set_issuer_name(x, X509_get_subject_name(issuer)) != 1)
		setup_failed("issuer name");
	add_ext(x, issuer, NID_subject_key_identifier, "hash");
	add_ext(x, issuer, NID_authority_key_identifier, "keyid:always");
	if (sp->ca) {
		add_ext(x, issuer, NID_basic_constraints, "critical,CA:TRUE");
		add_ext(x, issuer, NID_key_usage,
		    "critical,keyCertSign,cRLSign");
	} else {
		add_ext(x, issuer, NID_basic_constraints, "critical,CA:FALSE");
		add_ext(x, issuer, NID_ext_key_usage, sp->eku);
	}
	if (sp->san != NULL)
		add_ext(x, issuer, NID_subject_alt_name, sp->san);
	if (sp->md != NULL && (md = EVP_get_digestbyname(sp->md)) == NULL)
		setup_failed(sp->md);
	if (X509_sign(x, fx->key[sp->ikey], md) <= 0)
		setup_failed("X509_sign");
	return x;
}

static X509_STORE *
make_store(X509 *a, X509 *b)
{
	X509_STORE *st = X509_STORE_new();

	if (st == NULL || (a != NULL && X509_STORE_add_cert(st, a) != 1) ||
	    (b != NULL && X509_STORE_add_cert(st, b) != 1))
		setup_failed("X509_STORE");
	return st;
}

static void
fixture_init(struct fixture *fx)
{
	size_t i;

	memset(fx, 0, sizeof(*fx));
	fx->now = time(NULL);
	fx->key[K_ROOT] = EVP_EC_gen("P-256");
	fx->key[K_INT] = EVP_EC_gen("P-256");
	fx->key[K_LEAF] = EVP_EC_gen("P-256");
	fx->key[K_OTHER] = EVP_EC_gen("P-256");
	fx->key[K_RSA1024] = EVP_RSA_gen(1024);
	fx->key[K_RSA2048] = EVP_RSA_gen(2048);
	fx->key[K_P384] = EVP_EC_gen("P-384");
	fx->key[K_P224] = EVP_EC_gen("P-224");
	fx->key[K_ED25519] = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	for (i = 0; i < K__COUNT; i++)
		if (fx->key[i] == NULL)
			setup_failed("key generation");
	for (i = 0; i < sizeof(specs) / sizeof(specs[0]); i++)
		fx->cert[specs[i].id] = make_cert(fx, &specs[i]);
	for (i = 0; i < C__COUNT; i++)
		if (fx->cert[i] == NULL)
			setup_failed("a certificate has no spec");
	fx->store[S_ROOT] = make_store(fx->cert[C_ROOT], NULL);
	fx->store[S_ROOT_INT] = make_store(fx->cert[C_ROOT], fx->cert[C_INT]);
	fx->store[S_EMPTY] = make_store(NULL, NULL);
}

static void
fixture_release(struct fixture *fx)
{
	size_t i;

	for (i = 0; i < C__COUNT; i++)
		X509_free(fx->cert[i]);
	for (i = 0; i < K__COUNT; i++)
		EVP_PKEY_free(fx->key[i]);
	for (i = 0; i < S__COUNT; i++)
		X509_STORE_free(fx->store[i]);
}

/* chain_of - a stack of borrowed certificates, ids ending with C_END */
static STACK_OF(X509) *
chain_of(const struct fixture *fx, const enum cid *ids)
{
	STACK_OF(X509) *sk = sk_X509_new_null();
	size_t i;

	if (sk == NULL)
		setup_failed("stack");
	for (i = 0; ids[i] != C_END; i++)
		if (sk_X509_push(sk, fx->cert[ids[i]]) <= 0)
			setup_failed("stack push");
	return sk;
}

/* check - cert_chain_check on a chain of ids; false (and a FAIL line)
 * when it does not return ST_OK */
static bool
check(const struct fixture *fx, const char *name, const enum cid *ids,
    enum sid store, const char *mx, const char *dom, bool exact,
    struct cert_chain_result *res)
{
	STACK_OF(X509) *sk = chain_of(fx, ids);
	char errmsg[256], n[160];
	enum st_err err;

	err = cert_chain_check(sk, fx->store[store], fx->now, mx, dom, exact,
	    res, errmsg, sizeof(errmsg));
	sk_X509_free(sk);
	if (err != ST_OK) {
		snprintf(n, sizeof(n), "%s returns ok", name);
		unit_report(0, n, "ST_OK", errmsg);
		return false;
	}
	return true;
}

static const char *
issues_text(unsigned issues, char *buf, size_t size)
{
	snprintf(buf, size, "%s%s%s%s-",
	    issues & CERT_ISSUE_MISSING_INTERMEDIATE ? "missing," : "",
	    issues & CERT_ISSUE_ORDER ? "order," : "",
	    issues & CERT_ISSUE_DUPLICATE ? "duplicate," : "",
	    issues & CERT_ISSUE_UNRELATED ? "unrelated," : "");
	return buf;
}

#define CH(...) { __VA_ARGS__, C_END }
#define MISSING CERT_ISSUE_MISSING_INTERMEDIATE
#define ORDER CERT_ISSUE_ORDER
#define DUP CERT_ISSUE_DUPLICATE
#define UNREL CERT_ISSUE_UNRELATED

/*
 * test_paths - both validations of one chain: without time checks (the
 * path_* fields, cert.chain.trusted) and with them at the fixture's now
 * (trusted, verify_*: tls.pkix, what `openssl verify` says). A row gives
 * the code and depth of each; 0 means trusted, and the depth is then the
 * anchor's.
 */
static void
test_paths(const struct fixture *fx)
{
	static const struct {
		const char *name;
		enum cid chain[6];
		enum sid store;
		int code;          /* without time checks */
		long path_len, depth;
		unsigned issues;
		int tcode;         /* with time checks */
		long tdepth;
	} cases[] = {
		{ "leaf+int", CH(C_GOOD, C_INT), S_ROOT, 0, 3, 2, 0, 0, 2 },
		{ "leaf+int+root", CH(C_GOOD, C_INT, C_ROOT), S_ROOT,
		    0, 3, 2, 0, 0, 2 },
		{ "leaf only", CH(C_GOOD), S_ROOT,
		    X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY, 1, 0,
		    MISSING, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY, 0 },
		{ "leaf only, store has int", CH(C_GOOD), S_ROOT_INT, 0,
		    3, 2, MISSING, 0, 2 },
		{ "leaf+int, store has int", CH(C_GOOD, C_INT), S_ROOT_INT,
		    0, 3, 2, 0, 0, 2 },
		{ "wrong order", CH(C_GOOD, C_ROOT, C_INT), S_ROOT, 0,
		    3, 2, ORDER, 0, 2 },
		{ "duplicate int", CH(C_GOOD, C_INT, C_INT), S_ROOT, 0,
		    3, 2, DUP, 0, 2 },
		{ "duplicate leaf", CH(C_GOOD, C_GOOD, C_INT), S_ROOT, 0,
		    3, 2, DUP, 0, 2 },
		{ "unrelated root at end", CH(C_GOOD, C_INT, C_OROOT), S_ROOT,
		    0, 3, 2, UNREL, 0, 2 },
		{ "unrelated int in middle", CH(C_GOOD, C_OINT, C_INT), S_ROOT,
		    0, 3, 2, UNREL, 0, 2 },
		{ "unrelated and no int", CH(C_GOOD, C_OINT), S_ROOT,
		    X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY, 1, 0,
		    MISSING | UNREL,
		    X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY, 0 },
		{ "self-signed leaf", CH(C_SELF), S_ROOT,
		    X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT, 1, 0, 0,
		    X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT, 0 },
		{ "self-signed leaf+root", CH(C_SELF, C_ROOT), S_ROOT,
		    X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT, 1, 0, UNREL,
		    X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT, 0 },
		/* The intermediate is there; only the anchor is unknown. */
		{ "unknown CA", CH(C_OLEAF, C_OINT), S_ROOT,
		    X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY, 2, 1, 0,
		    X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY, 1 },
		{ "unknown CA with root", CH(C_OLEAF, C_OINT, C_OROOT), S_ROOT,
		    X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN, 3, 2, 0,
		    X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN, 2 },
		{ "empty store", CH(C_GOOD, C_INT, C_ROOT), S_EMPTY,
		    X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN, 3, 2, 0,
		    X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN, 2 },
		{ "clientAuth only", CH(C_CLIENT, C_INT), S_ROOT,
		    X509_V_ERR_INVALID_PURPOSE, 3, 0, 0,
		    X509_V_ERR_INVALID_PURPOSE, 0 },
		/* Only the dates fail: a trusted path, not trusted. */
		{ "expired leaf", CH(C_EXPIRED, C_INT), S_ROOT, 0, 3, 2, 0,
		    X509_V_ERR_CERT_HAS_EXPIRED, 0 },
		{ "future leaf", CH(C_FUTURE, C_INT), S_ROOT, 0, 3, 2, 0,
		    X509_V_ERR_CERT_NOT_YET_VALID, 0 },
		{ "expired int", CH(C_GOOD, C_INT_EXPIRED), S_ROOT, 0, 3, 2,
		    0, X509_V_ERR_CERT_HAS_EXPIRED, 1 },
		/* A missing issuer is found before the dates are looked at. */
		{ "expired leaf only", CH(C_EXPIRED), S_ROOT,
		    X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY, 1, 0,
		    MISSING, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY, 0 },
		{ "rsa1024 leaf", CH(C_RSA1024, C_INT), S_ROOT, 0, 3, 2, 0,
		    0, 2 },
		{ "sha1 leaf", CH(C_SHA1, C_INT), S_ROOT, 0, 3, 2, 0, 0, 2 },
	};
	struct cert_chain_result r;
	char n[160], e[64], s[64];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (!check(fx, cases[i].name, cases[i].chain, cases[i].store,
		    NULL, NULL, false, &r))
			continue;
		snprintf(n, sizeof(n), "path %s: path_trusted", cases[i].name);
		unit_eq_long(n, cases[i].code == 0, r.path_trusted);
		snprintf(n, sizeof(n), "path %s: path_verify_code",
		    cases[i].name);
		unit_eq_long(n, cases[i].code, r.path_verify_code);
		snprintf(n, sizeof(n), "path %s: path_verify_error",
		    cases[i].name);
		unit_eq_str(n, X509_verify_cert_error_string(cases[i].code),
		    r.path_verify_error);
		snprintf(n, sizeof(n), "path %s: path_len", cases[i].name);
		unit_eq_long(n, cases[i].path_len, (long)r.path_len);
		snprintf(n, sizeof(n), "path %s: path depth", cases[i].name);
		unit_eq_long(n, cases[i].depth, r.path_verify_depth);
		snprintf(n, sizeof(n), "path %s: issues", cases[i].name);
		unit_eq_str(n, issues_text(cases[i].issues, e, sizeof(e)),
		    issues_text(r.issues, s, sizeof(s)));
		snprintf(n, sizeof(n), "path %s: trusted", cases[i].name);
		unit_eq_long(n, cases[i].tcode == 0, r.trusted);
		snprintf(n, sizeof(n), "path %s: verify_code", cases[i].name);
		unit_eq_long(n, cases[i].tcode, r.verify_code);
		snprintf(n, sizeof(n), "path %s: verify_error", cases[i].name);
		unit_eq_str(n, X509_verify_cert_error_string(cases[i].tcode),
		    r.verify_error);
		snprintf(n, sizeof(n), "path %s: verify_depth", cases[i].name);
		unit_eq_long(n, cases[i].tdepth, r.verify_depth);
		cert_chain_result_release(&r);
	}
}

static void
test_dates(const struct fixture *fx)
{
	static const struct {
		const char *name;
		enum cid chain[4];
		bool in_validity, expired, not_yet;
		long days;
		int code;       /* OpenSSL's verdict with time checks */
	} cases[] = {
		{ "valid", CH(C_GOOD, C_INT), true, false, false, 90, 0 },
		{ "ten days", CH(C_MX1, C_INT), true, false, false, 10, 0 },
		{ "expired an hour ago", CH(C_EXPIRED, C_INT), false, true,
		    false, -1, X509_V_ERR_CERT_HAS_EXPIRED },
		{ "not yet valid", CH(C_FUTURE, C_INT), false, false, true,
		    91, X509_V_ERR_CERT_NOT_YET_VALID },
		/* RFC 5280 counts notAfter itself as inside; OpenSSL's
		 * X509_cmp_time counts it as past. One second apart. */
		{ "notAfter is now", CH(C_EDGE, C_INT), true, false, false, 0,
		    X509_V_ERR_CERT_HAS_EXPIRED },
		{ "expired intermediate", CH(C_GOOD, C_INT_EXPIRED), false,
		    false, false, 90, X509_V_ERR_CERT_HAS_EXPIRED },
		{ "partial path", CH(C_OLEAF, C_OINT), true, false, false, 90,
		    X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY },
	};
	struct cert_chain_result r;
	char n[160];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (!check(fx, cases[i].name, cases[i].chain, S_ROOT, NULL,
		    NULL, false, &r))
			continue;
		snprintf(n, sizeof(n), "dates %s: path_in_validity",
		    cases[i].name);
		unit_eq_long(n, cases[i].in_validity, r.path_in_validity);
		snprintf(n, sizeof(n), "dates %s: leaf_expired", cases[i].name);
		unit_eq_long(n, cases[i].expired, r.leaf_expired);
		snprintf(n, sizeof(n), "dates %s: leaf_not_yet_valid",
		    cases[i].name);
		unit_eq_long(n, cases[i].not_yet, r.leaf_not_yet_valid);
		snprintf(n, sizeof(n), "dates %s: days_left", cases[i].name);
		unit_eq_long(n, cases[i].days, r.days_left);
		snprintf(n, sizeof(n), "dates %s: verify_code", cases[i].name);
		unit_eq_long(n, cases[i].code, r.verify_code);
		cert_chain_result_release(&r);
	}
}

static const char *const via_names[] = { "none", "san", "cn" };

static void
test_names(const struct fixture *fx)
{
	static const struct {
		enum cid leaf;
		const char *mx, *dom;
		bool exact;
		enum cert_name_via mx_via;
		const char *mx_match;
		enum cert_name_via dom_via;
		const char *dom_match;
	} cases[] = {
		{ C_GOOD, "mx1.lab.test", "lab.test", false,
		    CERT_NAME_SAN, "mx1.lab.test", CERT_NAME_SAN, "lab.test" },
		{ C_GOOD, "MX1.Lab.Test.", "lab.test.", true,
		    CERT_NAME_SAN, "mx1.lab.test", CERT_NAME_SAN, "lab.test" },
		{ C_GOOD, "mx2.lab.test", NULL, false,
		    CERT_NAME_NONE, NULL, CERT_NAME_NONE, NULL },
		{ C_MX1, "mx1.lab.test", "lab.test", false,
		    CERT_NAME_SAN, "mx1.lab.test", CERT_NAME_SAN,
		    "mx1.lab.test" },
		{ C_MX1, "mx1.lab.test", "lab.test", true,
		    CERT_NAME_SAN, "mx1.lab.test", CERT_NAME_NONE, NULL },
		{ C_MX1, NULL, "ab.test", false,
		    CERT_NAME_NONE, NULL, CERT_NAME_NONE, NULL },
		{ C_MX1, NULL, "test", false,
		    CERT_NAME_NONE, NULL, CERT_NAME_SAN, "mx1.lab.test" },
		{ C_MX1, NULL, "mx1.lab.test", false,
		    CERT_NAME_NONE, NULL, CERT_NAME_SAN, "mx1.lab.test" },
		{ C_WILD, "mx1.lab.test", "lab.test", false,
		    CERT_NAME_SAN, "*.lab.test", CERT_NAME_SAN, "*.lab.test" },
		{ C_WILD, "a.mx1.lab.test", "lab.test", true,
		    CERT_NAME_NONE, NULL, CERT_NAME_NONE, NULL },
		{ C_WILD, "lab.test", NULL, false,
		    CERT_NAME_NONE, NULL, CERT_NAME_NONE, NULL },
		{ C_PARTIAL, "mx1.lab.test", "lab.test", true,
		    CERT_NAME_NONE, NULL, CERT_NAME_NONE, NULL },
		/* OpenSSL's dot-domain match is a suffix match; Postfix's
		 * dot-nexthop accepts this name as well. */
		{ C_PARTIAL, NULL, "lab.test", false,
		    CERT_NAME_NONE, NULL, CERT_NAME_SAN, "mx*.lab.test" },
		{ C_CNONLY, "mx1.lab.test", "lab.test", false,
		    CERT_NAME_CN, "mx1.lab.test", CERT_NAME_CN,
		    "mx1.lab.test" },
		{ C_CNONLY, "mx1.lab.test", "lab.test", true,
		    CERT_NAME_CN, "mx1.lab.test", CERT_NAME_NONE, NULL },
		{ C_CNWILD, "mx1.lab.test", NULL, false,
		    CERT_NAME_CN, "*.lab.test", CERT_NAME_NONE, NULL },
		{ C_CN_SAN, "mx1.lab.test", "lab.test", false,
		    CERT_NAME_NONE, NULL, CERT_NAME_NONE, NULL },
		{ C_CN_SAN, "other.test", NULL, false,
		    CERT_NAME_SAN, "other.test", CERT_NAME_NONE, NULL },
		{ C_WRONG, "mx1.lab.test", "lab.test", false,
		    CERT_NAME_NONE, NULL, CERT_NAME_NONE, NULL },
		{ C_WRONG, "wrong.example", NULL, false,
		    CERT_NAME_SAN, "Wrong.Example", CERT_NAME_NONE, NULL },
		{ C_SELF, "mx1.lab.test", "", false,
		    CERT_NAME_SAN, "mx1.lab.test", CERT_NAME_NONE, NULL },
	};
	struct cert_chain_result r;
	enum cid chain[2];
	char n[200];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		chain[0] = cases[i].leaf;
		chain[1] = C_END;
		snprintf(n, sizeof(n), "name %s/%s%s [%zu]",
		    cases[i].mx ? cases[i].mx : "-",
		    cases[i].dom ? cases[i].dom : "-",
		    cases[i].exact ? " exact" : "", i);
		if (!check(fx, n, chain, S_ROOT, cases[i].mx, cases[i].dom,
		    cases[i].exact, &r))
			continue;
		snprintf(n, sizeof(n), "name %zu %s: mx via", i,
		    cases[i].mx ? cases[i].mx : "-");
		unit_eq_str(n, via_names[cases[i].mx_via],
		    via_names[r.name_mx.via]);
		snprintf(n, sizeof(n), "name %zu %s: mx matched", i,
		    cases[i].mx ? cases[i].mx : "-");
		unit_eq_str(n, cases[i].mx_match, r.name_mx.matched);
		snprintf(n, sizeof(n), "name %zu %s%s: domain via", i,
		    cases[i].dom ? cases[i].dom : "-",
		    cases[i].exact ? " exact" : "");
		unit_eq_str(n, via_names[cases[i].dom_via],
		    via_names[r.name_dom.via]);
		snprintf(n, sizeof(n), "name %zu %s%s: domain matched", i,
		    cases[i].dom ? cases[i].dom : "-",
		    cases[i].exact ? " exact" : "");
		unit_eq_str(n, cases[i].dom_match, r.name_dom.matched);
		cert_chain_result_release(&r);
	}
}

static void
test_keys(const struct fixture *fx)
{
	static const struct {
		enum cid leaf;
		const char *type;
		int bits;
		const char *curve, *sig_alg, *hash;
		enum tls_class key_cls, hash_cls;
	} cases[] = {
		{ C_GOOD, "EC", 256, "prime256v1", "ecdsa-with-SHA256",
		    "SHA256", TLS_CLASS_GOOD, TLS_CLASS_GOOD },
		{ C_RSA1024, "RSA", 1024, "", "ecdsa-with-SHA256", "SHA256",
		    TLS_CLASS_BROKEN, TLS_CLASS_GOOD },
		{ C_RSA2048, "RSA", 2048, "", "ecdsa-with-SHA256", "SHA256",
		    TLS_CLASS_ACCEPTABLE, TLS_CLASS_GOOD },
		{ C_P384, "EC", 384, "secp384r1", "ecdsa-with-SHA384",
		    "SHA384", TLS_CLASS_GOOD, TLS_CLASS_GOOD },
		{ C_P224, "EC", 224, "secp224r1", "ecdsa-with-SHA256",
		    "SHA256", TLS_CLASS_WEAK, TLS_CLASS_GOOD },
		{ C_SHA1, "EC", 256, "prime256v1", "ecdsa-with-SHA1", "SHA1",
		    TLS_CLASS_GOOD, TLS_CLASS_WEAK },
		{ C_ED25519, "Ed25519", 256, "", "ED25519", "",
		    TLS_CLASS_GOOD, TLS_CLASS_GOOD },
		{ C_MD5, "RSA", 1024, "", "md5WithRSAEncryption", "MD5",
		    TLS_CLASS_BROKEN, TLS_CLASS_BROKEN },
	};
	const struct cert_summary *s;
	struct cert_chain_result r;
	enum cid chain[2];
	char n[160];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		chain[0] = cases[i].leaf;
		chain[1] = C_END;
		snprintf(n, sizeof(n), "key %zu", i);
		if (!check(fx, n, chain, S_ROOT, NULL, NULL, false, &r))
			continue;
		s = &r.certs[0];
		snprintf(n, sizeof(n), "key %zu %s: type", i, cases[i].type);
		unit_eq_str(n, cases[i].type, s->key_type);
		snprintf(n, sizeof(n), "key %zu %s: bits", i, cases[i].type);
		unit_eq_long(n, cases[i].bits, s->key_bits);
		snprintf(n, sizeof(n), "key %zu %s: curve", i, cases[i].type);
		unit_eq_str(n, cases[i].curve, s->curve);
		snprintf(n, sizeof(n), "key %zu %s: sig_alg", i,
		    cases[i].sig_alg);
		unit_eq_str(n, cases[i].sig_alg, s->sig_alg);
		snprintf(n, sizeof(n), "key %zu %s: sig_hash", i,
		    cases[i].sig_alg);
		unit_eq_str(n, cases[i].hash, s->sig_hash);
		snprintf(n, sizeof(n), "key %zu %s/%d: class", i,
		    cases[i].type, cases[i].bits);
		unit_eq_str(n, tls_class_name(cases[i].key_cls),
		    tls_class_name(tls_key_classify(s->key_type,
		    s->key_bits)));
		snprintf(n, sizeof(n), "key %zu %s: hash class", i,
		    cases[i].sig_alg);
		unit_eq_str(n, tls_class_name(cases[i].hash_cls),
		    tls_class_name(tls_sighash_classify(s->sig_hash)));
		cert_chain_result_release(&r);
	}
}

/* sha256_hex - reference fingerprint of DER bytes */
static void
sha256_hex(const unsigned char *p, size_t n, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0, i;

	if (EVP_Digest(p, n, md, &len, EVP_sha256(), NULL) != 1)
		setup_failed("EVP_Digest");
	for (i = 0; i < len; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

/* test_fingerprints - against i2d_X509 and i2d_PUBKEY, which are other
 * roads to the same DER */
static void
test_fingerprints(const struct fixture *fx, const struct cert_summary *s,
    X509 *x)
{
	unsigned char *der = NULL;
	char hex[65] = "";
	int n;

	n = i2d_X509(x, &der);
	if (n > 0)
		sha256_hex(der, (size_t)n, hex);
	OPENSSL_free(der);
	unit_eq_str("summary sha256", hex, s->sha256_hex);
	der = NULL;
	hex[0] = '\0';
	n = i2d_PUBKEY(fx->key[K_LEAF], &der);
	if (n > 0)
		sha256_hex(der, (size_t)n, hex);
	OPENSSL_free(der);
	unit_eq_str("summary spki sha256", hex, s->spki_sha256_hex);
}

static void
test_pem(const struct cert_summary *s, X509 *x)
{
	BIO *bio;
	X509 *y = NULL;

	unit_report(strncmp(s->pem, "-----BEGIN CERTIFICATE-----\n", 28) == 0,
	    "summary pem header", "-----BEGIN CERTIFICATE-----", s->pem);
	bio = BIO_new_mem_buf(s->pem, -1);
	if (bio != NULL)
		y = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	unit_report(y != NULL && X509_cmp(x, y) == 0, "summary pem round trip",
	    "same certificate", y != NULL ? "different" : "unreadable");
	X509_free(y);
	BIO_free(bio);
}

static void
test_summary(const struct fixture *fx)
{
	static const enum cid chain[] = CH(C_GOOD, C_INT, C_ROOT);
	const struct cert_summary *s;
	struct cert_chain_result r;

	if (!check(fx, "summary", chain, S_ROOT, NULL, NULL, false, &r))
		return;
	unit_eq_long("summary ncerts", 3, (long)r.ncerts);
	s = &r.certs[0];
	unit_eq_str("summary subject", "CN=mx1.lab.test,O=smtptls test",
	    s->subject);
	unit_eq_str("summary issuer",
	    "CN=smtptls Test Intermediate,O=smtptls test", s->issuer);
	unit_eq_str("summary serial", "1234abcd", s->serial_hex);
	unit_eq_long("summary not_before", (long)(fx->now - DAY),
	    (long)s->not_before);
	unit_eq_long("summary not_after", (long)(fx->now + 90 * DAY + 3600),
	    (long)s->not_after);
	unit_eq_long("summary ndns", 2, (long)s->ndns);
	unit_eq_str("summary dns 0", "mx1.lab.test",
	    s->ndns > 0 ? s->dns_names[0] : NULL);
	unit_eq_str("summary dns 1", "lab.test",
	    s->ndns > 1 ? s->dns_names[1] : NULL);
	unit_eq_str("summary cn", "mx1.lab.test", s->cn);
	unit_eq_long("summary leaf is_ca", 0, s->is_ca);
	unit_eq_long("summary leaf self_issued", 0, s->self_issued);
	unit_eq_long("summary int is_ca", 1, r.certs[1].is_ca);
	unit_eq_long("summary int self_issued", 0, r.certs[1].self_issued);
	unit_eq_long("summary root is_ca", 1, r.certs[2].is_ca);
	unit_eq_long("summary root self_issued", 1, r.certs[2].self_issued);
	unit_eq_str("summary root subject",
	    "CN=smtptls Test Root,O=smtptls test", r.certs[2].subject);
	test_fingerprints(fx, s, fx->cert[C_GOOD]);
	test_pem(s, fx->cert[C_GOOD]);
	cert_chain_result_release(&r);
}

/* test_summary_odd - names the matcher never sees */
static void
test_summary_odd(const struct fixture *fx)
{
	static const enum cid wrong[] = CH(C_WRONG);
	static const enum cid cnonly[] = CH(C_CNONLY);
	struct cert_chain_result r;

	if (check(fx, "summary wrong", wrong, S_ROOT, NULL, NULL, false,
	    &r)) {
		unit_eq_str("summary dns lowercased", "wrong.example",
		    r.ncerts > 0 && r.certs[0].ndns > 0 ?
		    r.certs[0].dns_names[0] : NULL);
		unit_eq_str("summary cn case kept", "Wrong.Example",
		    r.certs[0].cn);
		cert_chain_result_release(&r);
	}
	if (check(fx, "summary cn only", cnonly, S_ROOT, NULL, NULL, false,
	    &r)) {
		unit_eq_long("summary no san", 0, (long)r.certs[0].ndns);
		cert_chain_result_release(&r);
	}
}

static void
test_bad_args(const struct fixture *fx)
{
	STACK_OF(X509) *empty = sk_X509_new_null();
	static const enum cid good[] = CH(C_GOOD, C_INT);
	STACK_OF(X509) *sk = chain_of(fx, good);
	struct cert_chain_result r;
	char errmsg[128];

	memset(&r, 0xff, sizeof(r));
	unit_eq_long("empty chain", ST_ERR_INVAL, cert_chain_check(empty,
	    fx->store[S_ROOT], fx->now, NULL, NULL, false, &r, errmsg,
	    sizeof(errmsg)));
	unit_eq_long("empty chain leaves result zeroed", 0, (long)r.ncerts);
	unit_report(errmsg[0] != '\0', "empty chain errmsg", "a message",
	    errmsg);
	unit_eq_long("null store", ST_ERR_INVAL, cert_chain_check(sk, NULL,
	    fx->now, NULL, NULL, false, &r, errmsg, sizeof(errmsg)));
	cert_chain_result_release(&r);
	cert_chain_result_release(NULL);
	cert_summary_release(NULL);
	sk_X509_free(sk);
	sk_X509_free(empty);
}

/* write_pem - the root into a temporary file; its name into path */
static bool
write_pem(X509 *x, char *path, size_t size)
{
	FILE *f;
	int fd;

	snprintf(path, size, "/tmp/smtptls-test-ca.XXXXXX");
	fd = mkstemp(path);
	if (fd < 0)
		return false;
	f = fdopen(fd, "w");
	if (f == NULL) {
		close(fd);
		return false;
	}
	if (PEM_write_X509(f, x) != 1) {
		fclose(f);
		return false;
	}
	return fclose(f) == 0;
}

static void
test_store_load(const struct fixture *fx)
{
	static const enum cid good[] = CH(C_GOOD, C_INT);
	STACK_OF(X509) *sk = chain_of(fx, good);
	struct cert_chain_result r;
	X509_STORE *st;
	char path[64], errmsg[256];

	if (!write_pem(fx->cert[C_ROOT], path, sizeof(path)))
		setup_failed("temporary CA file");
	st = cert_store_load(path, NULL, errmsg, sizeof(errmsg));
	unit_report(st != NULL, "store from CA file", "a store", errmsg);
	if (st != NULL && cert_chain_check(sk, st, fx->now, NULL, NULL, false,
	    &r, errmsg, sizeof(errmsg)) == ST_OK) {
		unit_eq_long("store from CA file trusts the chain", 1,
		    r.trusted);
		cert_chain_result_release(&r);
	}
	X509_STORE_free(st);
	unlink(path);

	st = cert_store_load("/nonexistent/ca.pem", NULL, errmsg,
	    sizeof(errmsg));
	unit_report(st == NULL && strstr(errmsg, "/nonexistent/ca.pem") !=
	    NULL, "store from missing file", "NULL and a message", errmsg);
	X509_STORE_free(st);
	st = cert_store_load(NULL, "/nonexistent-dir", errmsg,
	    sizeof(errmsg));
	unit_report(st == NULL && errmsg[0] != '\0', "store from missing dir",
	    "NULL and a message", errmsg);
	X509_STORE_free(st);

	/* A directory without hashed links: a store that trusts nothing. */
	st = cert_store_load(NULL, "/", errmsg, sizeof(errmsg));
	unit_report(st != NULL, "store from empty dir", "a store", errmsg);
	if (st != NULL && cert_chain_check(sk, st, fx->now, NULL, NULL, false,
	    &r, errmsg, sizeof(errmsg)) == ST_OK) {
		unit_eq_long("store from empty dir trusts nothing",
		    X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY,
		    r.verify_code);
		cert_chain_result_release(&r);
	}
	X509_STORE_free(st);
	st = cert_store_load(NULL, NULL, errmsg, sizeof(errmsg));
	unit_report(st != NULL, "store from default paths", "a store", errmsg);
	X509_STORE_free(st);
	sk_X509_free(sk);
}

/*
 * test_alloc_failures - cert_chain_check with the k-th OpenSSL allocation
 * failing, for every k until a run needs no failure: it must return ST_OK
 * or a tool error, never crash, and (under ASan) leak nothing.
 */
static void
test_alloc_failures(const struct fixture *fx)
{
	static const enum cid good[] = CH(C_GOOD, C_INT, C_ROOT);
	STACK_OF(X509) *sk = chain_of(fx, good);
	struct cert_chain_result r;
	char errmsg[256], seen[64];
	long k, bad = 0, errors = 0;
	enum st_err err;

	for (k = 0; k < 100000; k++) {
		alloc_failed = false;
		alloc_countdown = k;
		err = cert_chain_check(sk, fx->store[S_ROOT_INT], fx->now,
		    "mx1.lab.test", "example.org", false, &r, errmsg,
		    sizeof(errmsg));
		alloc_countdown = -1;
		if (err == ST_OK)
			cert_chain_result_release(&r);
		else if (err == ST_ERR_NOMEM || err == ST_ERR_TLS)
			errors++;
		else
			bad++;
		if (!alloc_failed)
			break;
	}
	sk_X509_free(sk);
	snprintf(seen, sizeof(seen), "%ld other errors", bad);
	unit_report(bad == 0, "alloc failures give only tool errors",
	    "0 other errors", seen);
	snprintf(seen, sizeof(seen), "%ld runs, %ld errors", k, errors);
	printf("# alloc sweep: %s\n", seen);
	unit_report(k > 50 && k < 100000 && errors > 0,
	    "alloc failure sweep covers the call", "> 50 runs, errors", seen);
}

int
main(void)
{
	struct fixture fx;

	/* Before anything allocates: OpenSSL refuses it later. */
	if (CRYPTO_set_mem_functions(t_malloc, t_realloc, t_free) != 1)
		setup_failed("CRYPTO_set_mem_functions");
	fixture_init(&fx);
	test_paths(&fx);
	test_dates(&fx);
	test_names(&fx);
	test_keys(&fx);
	test_summary(&fx);
	test_summary_odd(&fx);
	test_bad_args(&fx);
	test_store_load(&fx);
	test_alloc_failures(&fx);
	fixture_release(&fx);
	return unit_exit();
}
