/*
 * tls_class.h - classes of negotiated TLS parameters per checks.md
 * Appendix A (cipher suites) and Appendix B (groups, keys, signature
 * hashes). Pure functions over names and sizes, so that both the probe and
 * the listener classify the same way.
 */
#ifndef SMTPTLS_TLS_CLASS_H
#define SMTPTLS_TLS_CLASS_H

#include <stdbool.h>

#include <openssl/ssl.h>

enum tls_class {
	TLS_CLASS_GOOD = 0,
	TLS_CLASS_ACCEPTABLE,
	TLS_CLASS_WEAK,
	TLS_CLASS_BROKEN,
	TLS_CLASS__COUNT
};
/* "good", "acceptable", "weak", "broken"; "unknown" out of range */
const char *tls_class_name(enum tls_class c);

struct tls_cipher_info {
	char iana[96];    /* IANA name (SSL_CIPHER_standard_name) */
	char openssl[64]; /* OpenSSL name */
	enum tls_class cls;
	int bits; /* symmetric strength */
	bool aead;
	bool forward_secrecy; /* ephemeral (EC)DHE or TLS 1.3 */
	bool anonymous;
	char why[96]; /* why not good, for the detail text; "" if good */
};

/*
 * Class of c (not NULL) per Appendix A, from OpenSSL's key exchange,
 * authentication and cipher NIDs. DHE suites are "acceptable" whatever
 * the group; the group size is tls.kex's business. An anonymous suite is
 * flagged and held at "weak" at best. Suites that this OpenSSL build
 * lacks (Debian: no 3DES, RC4, DES) have no SSL_CIPHER to classify.
 */
void tls_cipher_classify(const SSL_CIPHER *c, struct tls_cipher_info *out);

/* Key exchange group by name ("X25519", "secp256r1"/"P-256", "ffdhe2048",
 * "X25519MLKEM768"; case-insensitive) and size in bits; for TLS 1.2
 * finite-field DHE, name is NULL and bits is the DH size. A name not in
 * the table is judged as an EC group by bits; an unknown size (bits <= 0)
 * without a known name is "weak". */
enum tls_class tls_group_classify(const char *name, int bits);

/* Certificate key strength per Appendix B. key_type as in cert_summary
 * ("RSA-PSS" counts as RSA); types Appendix B does not name are "weak". */
enum tls_class tls_key_classify(const char *key_type, int bits);

/* Signature hash per Appendix B: "SHA256"... good, "SHA1" weak, "MD5"/"MD2"
 * broken, "" (EdDSA) good; "SHA224", "unknown" and other names weak. */
enum tls_class tls_sighash_classify(const char *hash);

#endif
