/*
 * tls_class.c - classes of negotiated TLS parameters (checks.md Appendix A
 * for cipher suites, Appendix B for groups, keys and signature hashes).
 *
 * Owns nothing and keeps no state: every function maps names, sizes or an
 * OpenSSL SSL_CIPHER to an enum tls_class. The cipher suite is taken apart
 * with OpenSSL's own accessors (key exchange, authentication and cipher
 * NIDs), never by parsing its name. Never prints, never allocates.
 */
#include "tls_class.h"

#include <assert.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/objects.h>

#include "ascii.h"
#include "banned.h"

static const char *const class_names[] = {
	[TLS_CLASS_GOOD] = "good",
	[TLS_CLASS_ACCEPTABLE] = "acceptable",
	[TLS_CLASS_WEAK] = "weak",
	[TLS_CLASS_BROKEN] = "broken",
};
static_assert(sizeof(class_names) / sizeof(class_names[0]) == TLS_CLASS__COUNT,
    "class_names must name every enum tls_class value");

const char *
tls_class_name(enum tls_class c)
{
	if ((unsigned)c >= TLS_CLASS__COUNT)
		return "unknown";
	return class_names[c];
}

/* Families of bulk ciphers, in the terms Appendix A uses. */
enum cipher_family {
	FAM_OTHER = 0, /* not named by Appendix A (GOST, ...) */
	FAM_NULL,      /* no encryption */
	FAM_BROKEN,    /* RC4, DES, RC2 */
	FAM_LEGACY,    /* 3DES, IDEA, SEED */
	FAM_AES_CBC,
	FAM_MODERN_AEAD, /* AES-GCM, AES-CCM, ChaCha20-Poly1305 */
	FAM_CAM_ARIA,    /* Camellia, ARIA in any mode */
};

static const struct {
	int nid;
	enum cipher_family fam;
	const char *why;
} cipher_families[] = {
	{ NID_undef, FAM_NULL, "NULL encryption" },
	{ NID_rc4, FAM_BROKEN, "RC4 (RFC 7465)" },
	{ NID_des_cbc, FAM_BROKEN, "single DES" },
	{ NID_rc2_cbc, FAM_BROKEN, "RC2" },
	{ NID_des_ede3_cbc, FAM_LEGACY, "3DES (64-bit block, Sweet32)" },
	{ NID_idea_cbc, FAM_LEGACY, "IDEA (64-bit block)" },
	{ NID_seed_cbc, FAM_LEGACY, "SEED" },
	{ NID_aes_128_cbc, FAM_AES_CBC, "CBC mode, no AEAD" },
	{ NID_aes_256_cbc, FAM_AES_CBC, "CBC mode, no AEAD" },
	{ NID_aes_128_gcm, FAM_MODERN_AEAD, "" },
	{ NID_aes_256_gcm, FAM_MODERN_AEAD, "" },
	{ NID_aes_128_ccm, FAM_MODERN_AEAD, "" },
	{ NID_aes_256_ccm, FAM_MODERN_AEAD, "" },
	{ NID_chacha20_poly1305, FAM_MODERN_AEAD, "" },
	{ NID_camellia_128_cbc, FAM_CAM_ARIA, "Camellia" },
	{ NID_camellia_256_cbc, FAM_CAM_ARIA, "Camellia" },
	{ NID_camellia_128_gcm, FAM_CAM_ARIA, "Camellia" },
	{ NID_camellia_256_gcm, FAM_CAM_ARIA, "Camellia" },
	{ NID_aria_128_gcm, FAM_CAM_ARIA, "ARIA" },
	{ NID_aria_256_gcm, FAM_CAM_ARIA, "ARIA" },
	{ NID_aria_128_cbc, FAM_CAM_ARIA, "ARIA" },
	{ NID_aria_256_cbc, FAM_CAM_ARIA, "ARIA" },
};

/* Kinds of key exchange. */
enum kx_kind {
	KX_OTHER = 0, /* SRP, GOST: not named by Appendix A */
	KX_TLS13,     /* TLS 1.3 suites name no key exchange */
	KX_ECDHE,
	KX_DHE,
	KX_STATIC, /* RSA key transport, plain PSK: no forward secrecy */
};

static const struct {
	int nid;
	enum kx_kind kind;
} kx_kinds[] = {
	{ NID_kx_any, KX_TLS13 },
	{ NID_kx_ecdhe, KX_ECDHE },
	{ NID_kx_ecdhe_psk, KX_ECDHE },
	{ NID_kx_dhe, KX_DHE },
	{ NID_kx_dhe_psk, KX_DHE },
	{ NID_kx_rsa, KX_STATIC },
	{ NID_kx_rsa_psk, KX_STATIC },
	{ NID_kx_psk, KX_STATIC },
};

/* worse - record a reason when it makes the class worse than it was */
static void
worse(struct tls_cipher_info *out, enum tls_class cls, const char *why)
{
	if (cls <= out->cls)
		return;
	out->cls = cls;
	ascii_copy(out->why, sizeof(out->why), why);
}

/* cipher_family_of - Appendix A family and reason text of a cipher NID */
static enum cipher_family
cipher_family_of(int nid, const char **why)
{
	size_t i;

	for (i = 0; i < sizeof(cipher_families) / sizeof(cipher_families[0]);
	     i++) {
		if (cipher_families[i].nid == nid) {
			*why = cipher_families[i].why;
			return cipher_families[i].fam;
		}
	}
	*why = "cipher not classed by RFC 9325";
	return FAM_OTHER;
}

/* kx_kind_of - kind of key exchange of a kx NID */
static enum kx_kind
kx_kind_of(int nid)
{
	size_t i;

	for (i = 0; i < sizeof(kx_kinds) / sizeof(kx_kinds[0]); i++)
		if (kx_kinds[i].nid == nid)
			return kx_kinds[i].kind;
	return KX_OTHER;
}

/*
 * classify_kx_cipher - class from key exchange and bulk cipher together;
 * the absolute floors (broken and weak ciphers, no forward secrecy) have
 * already been applied by the caller.
 */
static void
classify_kx_cipher(struct tls_cipher_info *out, enum kx_kind kx,
    enum cipher_family fam, const char *fam_why)
{
	switch (kx) {
	case KX_TLS13:
		/* Appendix A: all TLS 1.3 suites are good. */
		return;
	case KX_ECDHE:
		if (fam == FAM_MODERN_AEAD)
			return;
		if (fam == FAM_AES_CBC || fam == FAM_CAM_ARIA)
			worse(out, TLS_CLASS_ACCEPTABLE, fam_why);
		else
			worse(out, TLS_CLASS_WEAK, fam_why);
		return;
	case KX_DHE:
		if (fam == FAM_MODERN_AEAD || fam == FAM_AES_CBC ||
		    fam == FAM_CAM_ARIA)
			worse(out, TLS_CLASS_ACCEPTABLE,
			    "finite-field DHE, discouraged by RFC 9325 4.1");
		else
			worse(out, TLS_CLASS_WEAK, fam_why);
		return;
	case KX_STATIC:
		worse(out, TLS_CLASS_WEAK,
		    "no forward secrecy (static key exchange)");
		return;
	case KX_OTHER:
		break;
	}
	worse(out, TLS_CLASS_WEAK, "key exchange not classed by RFC 9325");
}

void
tls_cipher_classify(const SSL_CIPHER *c, struct tls_cipher_info *out)
{
	enum cipher_family fam;
	enum kx_kind kx;
	const char *fam_why;

	memset(out, 0, sizeof(*out));
	out->cls = TLS_CLASS_GOOD;
	ascii_copy(out->iana, sizeof(out->iana), SSL_CIPHER_standard_name(c));
	ascii_copy(out->openssl, sizeof(out->openssl), SSL_CIPHER_get_name(c));
	out->bits = SSL_CIPHER_get_bits(c, NULL);
	out->aead = SSL_CIPHER_is_aead(c) != 0;
	out->anonymous = SSL_CIPHER_get_auth_nid(c) == NID_auth_null;

	kx = kx_kind_of(SSL_CIPHER_get_kx_nid(c));
	out->forward_secrecy = kx == KX_TLS13 || kx == KX_ECDHE || kx == KX_DHE;
	fam = cipher_family_of(SSL_CIPHER_get_cipher_nid(c), &fam_why);

	/* Broken first: the worst reason is the one worth reporting. */
	if (fam == FAM_NULL || fam == FAM_BROKEN)
		worse(out, TLS_CLASS_BROKEN, fam_why);
	else if (out->bits < 112)
		worse(out, TLS_CLASS_BROKEN, "under 112-bit strength");
	if (fam == FAM_LEGACY || fam == FAM_OTHER)
		worse(out, TLS_CLASS_WEAK, fam_why);
	/*
	 * XXX: Appendix A makes "anonymous" a flag, not a class. A suite
	 * without server authentication is open to an active attacker, so
	 * we hold it at weak at best; the flag still tells the reason.
	 */
	if (out->anonymous)
		worse(out, TLS_CLASS_WEAK,
		    "anonymous: no server authentication");
	classify_kx_cipher(out, kx, fam, fam_why);
}

/* Named groups and how Appendix B classes them. */
static const struct {
	const char *name;
	enum tls_class cls;
} group_classes[] = {
	{ "X25519", TLS_CLASS_GOOD },
	{ "X448", TLS_CLASS_GOOD },
	{ "secp256r1", TLS_CLASS_GOOD },
	{ "prime256v1", TLS_CLASS_GOOD },
	{ "P-256", TLS_CLASS_GOOD },
	{ "secp384r1", TLS_CLASS_GOOD },
	{ "P-384", TLS_CLASS_GOOD },
	{ "secp521r1", TLS_CLASS_GOOD },
	{ "P-521", TLS_CLASS_GOOD },
	{ "brainpoolP256r1", TLS_CLASS_GOOD },
	{ "brainpoolP384r1", TLS_CLASS_GOOD },
	{ "brainpoolP512r1", TLS_CLASS_GOOD },
	{ "brainpoolP256r1tls13", TLS_CLASS_GOOD },
	{ "brainpoolP384r1tls13", TLS_CLASS_GOOD },
	{ "brainpoolP512r1tls13", TLS_CLASS_GOOD },
	/* Hybrids built on good groups (draft-ietf-tls-ecdhe-mlkem). */
	{ "X25519MLKEM768", TLS_CLASS_GOOD },
	{ "SecP256r1MLKEM768", TLS_CLASS_GOOD },
	{ "SecP384r1MLKEM1024", TLS_CLASS_GOOD },
	{ "X25519Kyber768Draft00", TLS_CLASS_GOOD },
	{ "secp224r1", TLS_CLASS_WEAK },
	{ "P-224", TLS_CLASS_WEAK },
	{ "brainpoolP224r1", TLS_CLASS_WEAK },
	{ "secp192r1", TLS_CLASS_BROKEN },
	{ "prime192v1", TLS_CLASS_BROKEN },
	{ "P-192", TLS_CLASS_BROKEN },
	{ "secp160r1", TLS_CLASS_BROKEN },
	{ "brainpoolP160r1", TLS_CLASS_BROKEN },
	{ "brainpoolP192r1", TLS_CLASS_BROKEN },
};

/* ffdh_classify - finite-field DH by modulus size (Appendix B) */
static enum tls_class
ffdh_classify(int bits)
{
	if (bits <= 0)
		return TLS_CLASS_WEAK; /* size unknown: cannot vouch for it */
	if (bits < 2048)
		return TLS_CLASS_BROKEN;
	if (bits < 3072)
		return TLS_CLASS_ACCEPTABLE;
	return TLS_CLASS_GOOD;
}

/* ec_classify - elliptic curve by order size (Appendix B) */
static enum tls_class
ec_classify(int bits, int weak_below)
{
	if (bits < 224)
		return TLS_CLASS_BROKEN;
	if (bits < weak_below)
		return TLS_CLASS_WEAK;
	return TLS_CLASS_GOOD;
}

enum tls_class
tls_group_classify(const char *name, int bits)
{
	size_t i;
	char *end;
	long n;

	if (name == NULL)
		return ffdh_classify(bits);
	for (i = 0; i < sizeof(group_classes) / sizeof(group_classes[0]); i++)
		if (strcasecmp(name, group_classes[i].name) == 0)
			return group_classes[i].cls;
	if (strncasecmp(name, "ffdhe", 5) == 0) {
		n = strtol(name + 5, &end, 10);
		if (end != name + 5 && *end == '\0' && n > 0 && n < 65536)
			return ffdh_classify((int)n);
		return ffdh_classify(bits);
	}
	/* Unknown names are judged as EC groups by their size. */
	if (bits <= 0)
		return TLS_CLASS_WEAK;
	return ec_classify(bits, 255);
}

enum tls_class
tls_key_classify(const char *key_type, int bits)
{
	if (key_type == NULL)
		return TLS_CLASS_WEAK;
	if (strcasecmp(key_type, "RSA") == 0 ||
	    strcasecmp(key_type, "RSA-PSS") == 0) {
		if (bits < 2048)
			return TLS_CLASS_BROKEN;
		if (bits < 3072)
			return TLS_CLASS_ACCEPTABLE;
		return TLS_CLASS_GOOD;
	}
	if (strcasecmp(key_type, "EC") == 0)
		return ec_classify(bits, 256);
	if (strcasecmp(key_type, "Ed25519") == 0 ||
	    strcasecmp(key_type, "Ed448") == 0)
		return TLS_CLASS_GOOD;
	/* DSA, and any type Appendix B does not name. */
	return TLS_CLASS_WEAK;
}

static const struct {
	const char *name;
	enum tls_class cls;
} hash_classes[] = {
	{ "", TLS_CLASS_GOOD }, /* EdDSA: the hash is part of the scheme */
	{ "SHA256", TLS_CLASS_GOOD },
	{ "SHA384", TLS_CLASS_GOOD },
	{ "SHA512", TLS_CLASS_GOOD },
	{ "SHA3-256", TLS_CLASS_GOOD },
	{ "SHA3-384", TLS_CLASS_GOOD },
	{ "SHA3-512", TLS_CLASS_GOOD },
	{ "SHA1", TLS_CLASS_WEAK },
	{ "MD5", TLS_CLASS_BROKEN },
	{ "MD2", TLS_CLASS_BROKEN },
	{ "MD4", TLS_CLASS_BROKEN },
	/* TLS 1.0/1.1 handshake signatures: judged as SHA-1 (tls.sigalg). */
	{ "MD5-SHA1", TLS_CLASS_WEAK },
};

enum tls_class
tls_sighash_classify(const char *hash)
{
	size_t i;

	if (hash == NULL)
		return TLS_CLASS_WEAK;
	for (i = 0; i < sizeof(hash_classes) / sizeof(hash_classes[0]); i++)
		if (strcasecmp(hash, hash_classes[i].name) == 0)
			return hash_classes[i].cls;
	/* SHA224 and hashes we do not know are below "SHA-256 or stronger". */
	return TLS_CLASS_WEAK;
}
