/*
 * test_tls_class.c - tables for tls_class.c: cipher suites looked up in
 * the linked OpenSSL by name, groups, certificate keys, signature hashes.
 */
#include "tls_class.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/ssl.h>

#include "unit.h"

#include "banned.h"

/* Everything the linked OpenSSL can negotiate, anonymous and NULL
 * suites included, so that every row below can be found. */
static const char all_ciphers[] = "ALL:COMPLEMENTOFALL:@SECLEVEL=0";

/* Debian builds OpenSSL with no-weak-ssl-ciphers: no 3DES, RC4 or DES
 * suites exist to look up (nor to negotiate). Rows marked "legacy" must
 * then be absent, and are classed where they exist. */
#ifdef OPENSSL_NO_WEAK_SSL_CIPHERS
static const bool have_legacy = false;
#else
static const bool have_legacy = true;
#endif

static const struct {
	const char *name;     /* OpenSSL name */
	const char *iana;     /* NULL: not checked */
	enum tls_class cls;
	int bits;
	bool aead, fs, anon, why;  /* why: a reason text is expected */
	bool legacy;               /* needs weak-ssl-ciphers */
} cipher_cases[] = {
	{ "TLS_AES_128_GCM_SHA256", "TLS_AES_128_GCM_SHA256",
	    TLS_CLASS_GOOD, 128, true, true, false, false, false },
	{ "TLS_AES_256_GCM_SHA384", NULL,
	    TLS_CLASS_GOOD, 256, true, true, false, false, false },
	{ "TLS_CHACHA20_POLY1305_SHA256", NULL,
	    TLS_CLASS_GOOD, 256, true, true, false, false, false },
	{ "ECDHE-RSA-AES128-GCM-SHA256",
	    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
	    TLS_CLASS_GOOD, 128, true, true, false, false, false },
	{ "ECDHE-ECDSA-CHACHA20-POLY1305", NULL,
	    TLS_CLASS_GOOD, 256, true, true, false, false, false },
	{ "ECDHE-ECDSA-AES128-CCM", NULL,
	    TLS_CLASS_GOOD, 128, true, true, false, false, false },
	{ "ECDHE-RSA-AES128-SHA", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
	    TLS_CLASS_ACCEPTABLE, 128, false, true, false, true, false },
	{ "ECDHE-RSA-AES256-SHA384", NULL,
	    TLS_CLASS_ACCEPTABLE, 256, false, true, false, true, false },
	{ "ECDHE-RSA-CAMELLIA128-SHA256", NULL,
	    TLS_CLASS_ACCEPTABLE, 128, false, true, false, true, false },
	{ "DHE-RSA-AES128-GCM-SHA256", NULL,
	    TLS_CLASS_ACCEPTABLE, 128, true, true, false, true, false },
	{ "DHE-RSA-AES256-SHA", NULL,
	    TLS_CLASS_ACCEPTABLE, 256, false, true, false, true, false },
	{ "DHE-RSA-ARIA128-GCM-SHA256", NULL,
	    TLS_CLASS_ACCEPTABLE, 128, true, true, false, true, false },
	{ "AES128-GCM-SHA256", "TLS_RSA_WITH_AES_128_GCM_SHA256",
	    TLS_CLASS_WEAK, 128, true, false, false, true, false },
	{ "AES256-SHA", NULL,
	    TLS_CLASS_WEAK, 256, false, false, false, true, false },
	{ "DES-CBC3-SHA", "TLS_RSA_WITH_3DES_EDE_CBC_SHA",
	    TLS_CLASS_WEAK, 112, false, false, false, true, true },
	{ "ECDHE-RSA-DES-CBC3-SHA", NULL,
	    TLS_CLASS_WEAK, 112, false, true, false, true, true },
	{ "RC4-SHA", NULL,
	    TLS_CLASS_BROKEN, 128, false, false, false, true, true },
	{ "PSK-AES128-GCM-SHA256", NULL,
	    TLS_CLASS_WEAK, 128, true, false, false, true, false },
	{ "ADH-AES128-GCM-SHA256", NULL,
	    TLS_CLASS_WEAK, 128, true, true, true, true, false },
	{ "NULL-SHA256", "TLS_RSA_WITH_NULL_SHA256",
	    TLS_CLASS_BROKEN, 0, false, false, false, true, false },
	{ "ECDHE-RSA-NULL-SHA", NULL,
	    TLS_CLASS_BROKEN, 0, false, true, false, true, false },
};

/* find_cipher - an SSL_CIPHER by OpenSSL name from the ssl's list */
static const SSL_CIPHER *
find_cipher(SSL *ssl, const char *name)
{
	STACK_OF(SSL_CIPHER) *sk = SSL_get_ciphers(ssl);
	int i;

	for (i = 0; i < sk_SSL_CIPHER_num(sk); i++)
		if (strcmp(SSL_CIPHER_get_name(sk_SSL_CIPHER_value(sk, i)),
		    name) == 0)
			return sk_SSL_CIPHER_value(sk, i);
	return NULL;
}

static void
test_ciphers(void)
{
	struct tls_cipher_info info;
	const SSL_CIPHER *c;
	SSL_CTX *ctx;
	SSL *ssl = NULL;
	char n[160];
	size_t i;

	ctx = SSL_CTX_new(TLS_method());
	if (ctx == NULL || SSL_CTX_set_cipher_list(ctx, all_ciphers) != 1 ||
	    (ssl = SSL_new(ctx)) == NULL) {
		unit_report(0, "cipher setup", "SSL_CTX", "failed");
		goto out;
	}
	for (i = 0; i < sizeof(cipher_cases) / sizeof(cipher_cases[0]); i++) {
		c = find_cipher(ssl, cipher_cases[i].name);
		if (cipher_cases[i].legacy && !have_legacy) {
			snprintf(n, sizeof(n), "cipher %s absent "
			    "(no-weak-ssl-ciphers)", cipher_cases[i].name);
			unit_report(c == NULL, n, "absent", "present");
			continue;
		}
		snprintf(n, sizeof(n), "cipher %s found", cipher_cases[i].name);
		unit_report(c != NULL, n, "in SSL_get_ciphers", "missing");
		if (c == NULL)
			continue;
		tls_cipher_classify(c, &info);
		snprintf(n, sizeof(n), "cipher %s class", cipher_cases[i].name);
		unit_eq_str(n, tls_class_name(cipher_cases[i].cls),
		    tls_class_name(info.cls));
		snprintf(n, sizeof(n), "cipher %s openssl", info.openssl);
		unit_eq_str(n, cipher_cases[i].name, info.openssl);
		if (cipher_cases[i].iana != NULL) {
			snprintf(n, sizeof(n), "cipher %s iana", info.openssl);
			unit_eq_str(n, cipher_cases[i].iana, info.iana);
		}
		snprintf(n, sizeof(n), "cipher %s bits", info.openssl);
		unit_eq_long(n, cipher_cases[i].bits, info.bits);
		snprintf(n, sizeof(n), "cipher %s aead", info.openssl);
		unit_eq_long(n, cipher_cases[i].aead, info.aead);
		snprintf(n, sizeof(n), "cipher %s forward_secrecy",
		    info.openssl);
		unit_eq_long(n, cipher_cases[i].fs, info.forward_secrecy);
		snprintf(n, sizeof(n), "cipher %s anonymous", info.openssl);
		unit_eq_long(n, cipher_cases[i].anon, info.anonymous);
		snprintf(n, sizeof(n), "cipher %s why", info.openssl);
		unit_report(cipher_cases[i].why == (info.why[0] != '\0'), n,
		    cipher_cases[i].why ? "a reason" : "\"\"", info.why);
	}
out:
	SSL_free(ssl);
	SSL_CTX_free(ctx);
}

/* test_cipher_by_id - SSL_CIPHER_find with the 2-byte IANA id */
static void
test_cipher_by_id(void)
{
	static const struct {
		unsigned char id[2];
		const char *iana;
		enum tls_class cls;
		bool legacy;
	} cases[] = {
		{ { 0x13, 0x01 }, "TLS_AES_128_GCM_SHA256", TLS_CLASS_GOOD,
		    false },
		{ { 0xc0, 0x2f }, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
		    TLS_CLASS_GOOD, false },
		{ { 0x00, 0x9c }, "TLS_RSA_WITH_AES_128_GCM_SHA256",
		    TLS_CLASS_WEAK, false },
		{ { 0x00, 0x0a }, "TLS_RSA_WITH_3DES_EDE_CBC_SHA",
		    TLS_CLASS_WEAK, true },
	};
	struct tls_cipher_info info;
	const SSL_CIPHER *c;
	SSL_CTX *ctx;
	SSL *ssl = NULL;
	char n[160];
	size_t i;

	ctx = SSL_CTX_new(TLS_method());
	if (ctx == NULL || (ssl = SSL_new(ctx)) == NULL) {
		unit_report(0, "cipher id setup", "SSL", "failed");
		goto out;
	}
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(n, sizeof(n), "cipher id %s", cases[i].iana);
		c = SSL_CIPHER_find(ssl, cases[i].id);
		if (cases[i].legacy && !have_legacy) {
			unit_report(c == NULL, n, "absent", "present");
			continue;
		}
		if (c == NULL) {
			unit_report(0, n, "found", "missing");
			continue;
		}
		tls_cipher_classify(c, &info);
		unit_eq_str(n, cases[i].iana, info.iana);
		snprintf(n, sizeof(n), "cipher id %s class", cases[i].iana);
		unit_eq_str(n, tls_class_name(cases[i].cls),
		    tls_class_name(info.cls));
	}
out:
	SSL_free(ssl);
	SSL_CTX_free(ctx);
}

static void
test_groups(void)
{
	static const struct {
		const char *name;
		int bits;
		enum tls_class cls;
	} cases[] = {
		{ "X25519", 253, TLS_CLASS_GOOD },
		{ "x25519", 0, TLS_CLASS_GOOD },
		{ "X448", 448, TLS_CLASS_GOOD },
		{ "secp256r1", 256, TLS_CLASS_GOOD },
		{ "P-256", 256, TLS_CLASS_GOOD },
		{ "prime256v1", 256, TLS_CLASS_GOOD },
		{ "secp384r1", 384, TLS_CLASS_GOOD },
		{ "secp521r1", 521, TLS_CLASS_GOOD },
		{ "brainpoolP256r1", 256, TLS_CLASS_GOOD },
		{ "X25519MLKEM768", 0, TLS_CLASS_GOOD },
		{ "secp224r1", 224, TLS_CLASS_WEAK },
		{ "secp192r1", 192, TLS_CLASS_BROKEN },
		{ "sect163k1", 163, TLS_CLASS_BROKEN },
		{ "sect571r1", 570, TLS_CLASS_GOOD },
		{ "unknown-group", 0, TLS_CLASS_WEAK },
		{ "ffdhe2048", 2048, TLS_CLASS_ACCEPTABLE },
		{ "ffdhe2048", 0, TLS_CLASS_ACCEPTABLE },
		{ "ffdhe3072", 3072, TLS_CLASS_GOOD },
		{ "ffdhe8192", 8192, TLS_CLASS_GOOD },
		{ NULL, 1024, TLS_CLASS_BROKEN },
		{ NULL, 1536, TLS_CLASS_BROKEN },
		{ NULL, 2048, TLS_CLASS_ACCEPTABLE },
		{ NULL, 3072, TLS_CLASS_GOOD },
		{ NULL, 4096, TLS_CLASS_GOOD },
		{ NULL, 0, TLS_CLASS_WEAK },
	};
	char n[96];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(n, sizeof(n), "group %s/%d",
		    cases[i].name ? cases[i].name : "DH", cases[i].bits);
		unit_eq_str(n, tls_class_name(cases[i].cls),
		    tls_class_name(tls_group_classify(cases[i].name,
		    cases[i].bits)));
	}
}

static void
test_keys(void)
{
	static const struct {
		const char *type;
		int bits;
		enum tls_class cls;
	} cases[] = {
		{ "RSA", 1024, TLS_CLASS_BROKEN },
		{ "RSA", 2047, TLS_CLASS_BROKEN },
		{ "RSA", 2048, TLS_CLASS_ACCEPTABLE },
		{ "RSA", 3072, TLS_CLASS_GOOD },
		{ "RSA", 4096, TLS_CLASS_GOOD },
		{ "RSA-PSS", 2048, TLS_CLASS_ACCEPTABLE },
		{ "EC", 192, TLS_CLASS_BROKEN },
		{ "EC", 224, TLS_CLASS_WEAK },
		{ "EC", 255, TLS_CLASS_WEAK },
		{ "EC", 256, TLS_CLASS_GOOD },
		{ "EC", 521, TLS_CLASS_GOOD },
		{ "Ed25519", 256, TLS_CLASS_GOOD },
		{ "Ed448", 456, TLS_CLASS_GOOD },
		{ "DSA", 2048, TLS_CLASS_WEAK },
		{ "GOST", 256, TLS_CLASS_WEAK },
	};
	char n[96];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(n, sizeof(n), "key %s/%d", cases[i].type,
		    cases[i].bits);
		unit_eq_str(n, tls_class_name(cases[i].cls),
		    tls_class_name(tls_key_classify(cases[i].type,
		    cases[i].bits)));
	}
}

static void
test_hashes(void)
{
	static const struct {
		const char *hash;
		enum tls_class cls;
	} cases[] = {
		{ "SHA256", TLS_CLASS_GOOD },
		{ "SHA384", TLS_CLASS_GOOD },
		{ "SHA512", TLS_CLASS_GOOD },
		{ "", TLS_CLASS_GOOD },
		{ "SHA1", TLS_CLASS_WEAK },
		{ "SHA224", TLS_CLASS_WEAK },
		{ "unknown", TLS_CLASS_WEAK },
		{ "MD5", TLS_CLASS_BROKEN },
		{ "MD2", TLS_CLASS_BROKEN },
	};
	char n[96];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(n, sizeof(n), "sighash '%s'", cases[i].hash);
		unit_eq_str(n, tls_class_name(cases[i].cls),
		    tls_class_name(tls_sighash_classify(cases[i].hash)));
	}
}

static void
test_names(void)
{
	unit_eq_str("class name good", "good", tls_class_name(TLS_CLASS_GOOD));
	unit_eq_str("class name acceptable", "acceptable",
	    tls_class_name(TLS_CLASS_ACCEPTABLE));
	unit_eq_str("class name weak", "weak", tls_class_name(TLS_CLASS_WEAK));
	unit_eq_str("class name broken", "broken",
	    tls_class_name(TLS_CLASS_BROKEN));
	unit_eq_str("class name out of range", "unknown",
	    tls_class_name(TLS_CLASS__COUNT));
}

int
main(void)
{
	test_names();
	test_ciphers();
	test_cipher_by_id();
	test_groups();
	test_keys();
	test_hashes();
	return unit_exit();
}
