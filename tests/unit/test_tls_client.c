/*
 * test_tls_client.c - the probe's TLS client (tls_client.c) against an
 * OpenSSL server in the same process, over a socketpair: what OpenSSL's
 * DANE verifier concludes for the records and certificates of each row,
 * read back through tls_client_collect(). The certificates are made at
 * test time; the point is the date rules of RFC 7672: DANE-EE(3) ignores
 * the validity period (3.1.1), DANE-TA(2) does not (3.1.2), while PKIX
 * (cert_check.c, with time checks) calls the same expired chain untrusted.
 */
#include "tls_client.h"

#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509v3.h>

#include "cert_check.h"
#include "probe_result.h"
#include "unit.h"

#include "banned.h"

#define DAY 86400L
#define HOST "mx1.lab.test"

enum cid { C_CA, C_GOOD, C_EXPIRED, C__COUNT };

struct fixture {
	time_t now;
	EVP_PKEY *ca_key, *leaf_key;
	X509 *cert[C__COUNT];
	unsigned char ee_spki[32];   /* 3 1 1 data of the leaf key */
	unsigned char ta_cert[32];   /* 2 0 1 data of the CA */
	X509_STORE *store;           /* trusts the CA */
};

/* setup_failed - a fixture that cannot be built is one failure; stop */
static void
setup_failed(const char *what)
{
	unit_report(0, "fixture", "built", what);
	exit(unit_exit());
}

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

/* make_cert - a CA (issuer NULL: self-signed) or a leaf for HOST, valid
 * from now+nb to now+na */
static X509 *
make_cert(const struct fixture *fx, X509 *issuer, EVP_PKEY *key, long nb,
    long na, long serial)
{
	X509 *x = X509_new();
	X509_NAME *name = X509_NAME_new();
	const char *cn = issuer == NULL ? "smtptls Test CA" : HOST;

	if (x == NULL || name == NULL ||
	    X509_set_version(x, X509_VERSION_3) != 1 ||
	    ASN1_INTEGER_set(X509_get_serialNumber(x), serial) != 1 ||
	    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
	    (const unsigned char *)cn, -1, -1, 0) != 1 ||
	    X509_set_subject_name(x, name) != 1 ||
	    X509_set_pubkey(x, key) != 1 ||
	    ASN1_TIME_set(X509_getm_notBefore(x), fx->now + nb) == NULL ||
	    ASN1_TIME_set(X509_getm_notAfter(x), fx->now + na) == NULL)
		setup_failed("certificate fields");
	X509_NAME_free(name);
	if (issuer == NULL)
		issuer = x;
	if (X509_set_issuer_name(x, X509_get_subject_name(issuer)) != 1)
		setup_failed("issuer name");
	if (issuer == x) {
		add_ext(x, x, NID_basic_constraints, "critical,CA:TRUE");
		add_ext(x, x, NID_key_usage, "critical,keyCertSign");
	} else {
		add_ext(x, issuer, NID_basic_constraints, "critical,CA:FALSE");
		add_ext(x, issuer, NID_ext_key_usage, "serverAuth");
		add_ext(x, issuer, NID_subject_alt_name, "DNS:" HOST);
	}
	if (X509_sign(x, issuer == x ? key : fx->ca_key, EVP_sha256()) <= 0)
		setup_failed("X509_sign");
	return x;
}

static void
sha256(const unsigned char *p, int n, unsigned char out[32])
{
	unsigned int len = 0;

	if (n <= 0 || EVP_Digest(p, (size_t)n, out, &len, EVP_sha256(),
	    NULL) != 1 || len != 32)
		setup_failed("EVP_Digest");
}

static void
fixture_init(struct fixture *fx)
{
	unsigned char *der = NULL;
	int n;

	memset(fx, 0, sizeof(*fx));
	fx->now = time(NULL);
	fx->ca_key = EVP_EC_gen("P-256");
	fx->leaf_key = EVP_EC_gen("P-256");
	if (fx->ca_key == NULL || fx->leaf_key == NULL)
		setup_failed("key generation");
	fx->cert[C_CA] = make_cert(fx, NULL, fx->ca_key, -DAY, 3650 * DAY, 1);
	fx->cert[C_GOOD] = make_cert(fx, fx->cert[C_CA], fx->leaf_key, -DAY,
	    90 * DAY, 2);
	/* The lab's mx-expired: a year-long validity that ended long ago. */
	fx->cert[C_EXPIRED] = make_cert(fx, fx->cert[C_CA], fx->leaf_key,
	    -800 * DAY, -435 * DAY, 3);
	n = i2d_PUBKEY(fx->leaf_key, &der);
	sha256(der, n, fx->ee_spki);
	OPENSSL_free(der);
	der = NULL;
	n = i2d_X509(fx->cert[C_CA], &der);
	sha256(der, n, fx->ta_cert);
	OPENSSL_free(der);
	fx->store = X509_STORE_new();
	if (fx->store == NULL ||
	    X509_STORE_add_cert(fx->store, fx->cert[C_CA]) != 1)
		setup_failed("X509_STORE");
}

static void
fixture_release(struct fixture *fx)
{
	for (size_t i = 0; i < C__COUNT; i++)
		X509_free(fx->cert[i]);
	EVP_PKEY_free(fx->ca_key);
	EVP_PKEY_free(fx->leaf_key);
	X509_STORE_free(fx->store);
}

/* server_ctx - presents leaf + CA (DANE-TA needs the anchor sent) */
static SSL_CTX *
server_ctx(const struct fixture *fx, enum cid leaf)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());

	if (ctx == NULL || SSL_CTX_use_certificate(ctx, fx->cert[leaf]) != 1 ||
	    SSL_CTX_use_PrivateKey(ctx, fx->leaf_key) != 1 ||
	    SSL_CTX_add1_chain_cert(ctx, fx->cert[C_CA]) != 1)
		setup_failed("server context");
	return ctx;
}

/* step - one handshake step; true when this side is done or failed */
static bool
step(SSL *ssl, bool *failed)
{
	int rv, e;

	ERR_clear_error();
	rv = SSL_do_handshake(ssl);
	if (rv == 1)
		return true;
	e = SSL_get_error(ssl, rv);
	if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
		return false;
	*failed = true;
	return true;
}

/*
 * handshake - the probe's client (tls_client_new with the rows' TLSA
 * records) against a server presenting leaf; fills *f as session.c does.
 * Both ends are non-blocking on one socketpair and take turns.
 */
static bool
handshake(const struct fixture *fx, enum cid leaf, const struct dns_tlsa *tlsa,
    size_t ntlsa, struct tls_facts *f)
{
	SSL_CTX *cctx = NULL, *sctx = server_ctx(fx, leaf);
	SSL *c = NULL, *s = NULL;
	char errmsg[200];
	bool cdone = false, sdone = false, failed = false;
	int sv[2];

	memset(f, 0, sizeof(*f));
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0 ||
	    fcntl(sv[0], F_SETFL, O_NONBLOCK) != 0 ||
	    fcntl(sv[1], F_SETFL, O_NONBLOCK) != 0)
		setup_failed("socketpair");
	if ((cctx = tls_client_ctx_new(errmsg, sizeof(errmsg))) == NULL)
		setup_failed(errmsg);
	c = tls_client_new(cctx, sv[0], HOST, tlsa, ntlsa, f);
	s = SSL_new(sctx);
	if (c == NULL || s == NULL || SSL_set_fd(s, sv[1]) != 1)
		setup_failed("SSL objects");
	SSL_set_accept_state(s);
	for (int i = 0; i < 1000 && !(cdone && sdone) && !failed; i++) {
		if (!cdone)
			cdone = step(c, &failed);
		if (!sdone)
			sdone = step(s, &failed);
	}
	if (cdone && sdone && !failed)
		tls_client_collect(c, f);
	SSL_free(c);
	SSL_free(s);
	SSL_CTX_free(cctx);
	SSL_CTX_free(sctx);
	close(sv[0]);
	close(sv[1]);
	return f->established;
}

/* pkix_code - cert_check.c's verdict with time checks on the same chain */
static int
pkix_code(const struct fixture *fx, enum cid leaf, bool *path_trusted)
{
	STACK_OF(X509) *sk = sk_X509_new_null();
	struct cert_chain_result r;
	char errmsg[200];
	int code = -1;

	*path_trusted = false;
	if (sk == NULL || sk_X509_push(sk, fx->cert[leaf]) <= 0 ||
	    sk_X509_push(sk, fx->cert[C_CA]) <= 0)
		setup_failed("stack");
	if (cert_chain_check(sk, fx->store, fx->now, HOST, NULL, false, &r,
	    errmsg, sizeof(errmsg)) == ST_OK) {
		code = r.verify_code;
		*path_trusted = r.path_trusted;
		cert_chain_result_release(&r);
	}
	sk_X509_free(sk);
	return code;
}

static void
test_dane_dates(struct fixture *fx)
{
	static unsigned char wrong[32] = { 1, 2, 3 };
	const struct {
		const char *name;
		enum cid leaf;
		struct dns_tlsa rec;
		bool verified;
		int code, depth;   /* depth: -1 unless verified */
		int pkix;          /* cert_check.c with time checks */
	} cases[] = {
		{ "DANE-EE, valid leaf", C_GOOD, { 3, 1, 1, fx->ee_spki, 32 },
		    true, X509_V_OK, 0, X509_V_OK },
		/* RFC 7672 3.1.1: DANE-EE ignores the validity period, so a
		 * DANE sender delivers where a PKIX sender defers. */
		{ "DANE-EE, expired leaf", C_EXPIRED,
		    { 3, 1, 1, fx->ee_spki, 32 }, true, X509_V_OK, 0,
		    X509_V_ERR_CERT_HAS_EXPIRED },
		{ "DANE-EE, no match", C_EXPIRED, { 3, 1, 1, wrong, 32 },
		    false, X509_V_ERR_DANE_NO_MATCH, -1,
		    X509_V_ERR_CERT_HAS_EXPIRED },
		{ "DANE-TA, valid leaf", C_GOOD, { 2, 0, 1, fx->ta_cert, 32 },
		    true, X509_V_OK, 1, X509_V_OK },
		/* RFC 7672 3.1.2: below a DANE-TA anchor the dates count
		 * (checks.md dane.tlsa.match "ta-expired"). OpenSSL names
		 * no matched depth for a failed verification. */
		{ "DANE-TA, expired leaf", C_EXPIRED,
		    { 2, 0, 1, fx->ta_cert, 32 }, false,
		    X509_V_ERR_CERT_HAS_EXPIRED, -1,
		    X509_V_ERR_CERT_HAS_EXPIRED },
	};
	struct tls_facts f;
	char n[160];
	bool path_trusted;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(n, sizeof(n), "%s: handshake", cases[i].name);
		unit_eq_long(n, 1, handshake(fx, cases[i].leaf, &cases[i].rec,
		    1, &f));
		snprintf(n, sizeof(n), "%s: dane_checked", cases[i].name);
		unit_eq_long(n, 1, f.dane_checked);
		snprintf(n, sizeof(n), "%s: dane_verified", cases[i].name);
		unit_eq_long(n, cases[i].verified, f.dane_verified);
		snprintf(n, sizeof(n), "%s: dane_verify_code", cases[i].name);
		unit_eq_str(n, X509_verify_cert_error_string(cases[i].code),
		    X509_verify_cert_error_string(f.dane_verify_code));
		snprintf(n, sizeof(n), "%s: dane_depth", cases[i].name);
		unit_eq_long(n, cases[i].depth, f.dane_depth);
		snprintf(n, sizeof(n), "%s: pkix verify_code", cases[i].name);
		unit_eq_long(n, cases[i].pkix, pkix_code(fx, cases[i].leaf,
		    &path_trusted));
		snprintf(n, sizeof(n), "%s: pkix path trusted", cases[i].name);
		unit_eq_long(n, 1, path_trusted);
	}
}

int
main(void)
{
	struct fixture fx;

	fixture_init(&fx);
	test_dane_dates(&fx);
	fixture_release(&fx);
	return unit_exit();
}
