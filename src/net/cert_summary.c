/*
 * cert_summary.c - the report's view of one certificate (see cert_check.h):
 * names, dates, key and signature algorithms, fingerprints and PEM text,
 * all read through OpenSSL accessors.
 *
 * Owns the strings it puts into a struct cert_summary until
 * cert_summary_release(). Never judges a certificate (that is
 * cert_check.c and tls_class.c), never prints, does no I/O.
 */
#include "cert_check.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "ascii.h"
#include "banned.h"

/* ossl_reason - text of the newest OpenSSL error, for errmsg */
static const char *
ossl_reason(void)
{
	const char *r = ERR_reason_error_string(ERR_peek_last_error());

	return r != NULL ? r : "unknown OpenSSL error";
}

/* hex_lower - lowercase hex of n bytes into out (2n + 1 bytes) */
static void
hex_lower(char *out, const unsigned char *p, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 0x0f];
	}
	out[2 * n] = '\0';
}

/*
 * peer_text - heap copy of n bytes of certificate text: NULs (which would
 * cut the C string short and hide the rest) become '?', and ASCII letters
 * are folded to lowercase when lower is set.
 */
static char *
peer_text(const unsigned char *p, size_t n, bool lower)
{
	char *s;
	size_t i;

	if (n == SIZE_MAX)
		return NULL;
	s = malloc(n + 1);
	if (s == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		s[i] = (char)p[i];
		if (p[i] == '\0')
			s[i] = '?';
		else if (lower && p[i] >= 'A' && p[i] <= 'Z')
			s[i] = (char)(p[i] - 'A' + 'a');
	}
	s[n] = '\0';
	return s;
}

/* bio_text - the contents of a memory BIO as a heap string */
static char *
bio_text(BIO *bio)
{
	char *p = NULL;
	long n;

	n = BIO_get_mem_data(bio, &p);
	if (n < 0)
		return NULL;
	return peer_text((const unsigned char *)p, (size_t)n, false);
}

/* name_text - RFC 2253 text of a distinguished name, UTF-8 kept as is */
static char *
name_text(const X509_NAME *name)
{
	BIO *bio;
	char *s = NULL;

	bio = BIO_new(BIO_s_mem());
	if (bio == NULL)
		return NULL;
	/* Without ESC_MSB the text stays UTF-8 instead of \XX escapes;
	 * control characters are still escaped by ESC_CTRL. */
	if (X509_NAME_print_ex(bio, name, 0,
	        XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) >= 0)
		s = bio_text(bio);
	BIO_free(bio);
	return s;
}

/* serial_text - serial number as lowercase hex without separators */
static char *
serial_text(const X509 *x)
{
	BIGNUM *bn;
	char *hex = NULL, *s = NULL;

	bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);
	if (bn != NULL)
		hex = BN_bn2hex(bn);
	if (hex != NULL)
		s = peer_text((const unsigned char *)hex, strlen(hex), true);
	OPENSSL_free(hex);
	BN_free(bn);
	return s;
}

/* first_cn - the first commonName of the subject, UTF-8; *out NULL if
 * there is none or it cannot be converted */
static enum st_err
first_cn(const X509 *x, char **out)
{
	const X509_NAME *subj = X509_get_subject_name(x);
	X509_NAME_ENTRY *e;
	unsigned char *utf8 = NULL;
	int i, n;

	*out = NULL;
	i = X509_NAME_get_index_by_NID(subj, NID_commonName, -1);
	if (i < 0)
		return ST_OK;
	e = X509_NAME_get_entry(subj, i);
	n = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(e));
	if (n < 0)
		return ST_OK; /* undecodable string: a peer oddity */
	*out = peer_text(utf8, (size_t)n, false);
	OPENSSL_free(utf8);
	return *out == NULL ? ST_ERR_NOMEM : ST_OK;
}

/* dns_names - the subjectAltName dNSName entries, lowercase */
static enum st_err
dns_names(const X509 *x, struct cert_summary *s)
{
	GENERAL_NAMES *gens;
	const GENERAL_NAME *g;
	const ASN1_STRING *a;
	enum st_err err = ST_OK;
	int i, n;

	/* NULL when absent, undecodable or present twice: no DNS names. */
	gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	if (gens == NULL)
		return ST_OK;
	n = sk_GENERAL_NAME_num(gens);
	s->dns_names = calloc(n > 0 ? (size_t)n : 1, sizeof(*s->dns_names));
	if (s->dns_names == NULL) {
		err = ST_ERR_NOMEM;
		goto out;
	}
	for (i = 0; i < n; i++) {
		g = sk_GENERAL_NAME_value(gens, i);
		if (g->type != GEN_DNS)
			continue;
		a = g->d.dNSName;
		s->dns_names[s->ndns] = peer_text(ASN1_STRING_get0_data(a),
		    (size_t)ASN1_STRING_length(a), true);
		if (s->dns_names[s->ndns] == NULL) {
			err = ST_ERR_NOMEM;
			goto out;
		}
		s->ndns++;
	}
out:
	GENERAL_NAMES_free(gens);
	return err;
}

/* key_facts - type, size and curve of the subject public key */
static void
key_facts(const X509 *x, struct cert_summary *s)
{
	static const struct {
		int id;
		const char *name;
	} types[] = {
		{ EVP_PKEY_RSA, "RSA" },
		{ EVP_PKEY_RSA_PSS, "RSA-PSS" },
		{ EVP_PKEY_EC, "EC" },
		{ EVP_PKEY_ED25519, "Ed25519" },
		{ EVP_PKEY_ED448, "Ed448" },
		{ EVP_PKEY_DSA, "DSA" },
	};
	EVP_PKEY *pkey;
	ASN1_OBJECT *alg = NULL;
	const char *name = NULL;
	size_t i;
	int id;

	s->curve[0] = '\0';
	pkey = X509_get0_pubkey(x);
	if (pkey == NULL) {
		/* A key OpenSSL cannot decode: name its algorithm. */
		ascii_copy(s->key_type, sizeof(s->key_type), "unknown");
		if (X509_PUBKEY_get0_param(&alg, NULL, NULL, NULL,
		        X509_get_X509_PUBKEY(x)) == 1 &&
		    alg != NULL)
			OBJ_obj2txt(s->key_type, sizeof(s->key_type), alg, 0);
		s->key_bits = 0;
		return;
	}
	id = EVP_PKEY_get_base_id(pkey);
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (types[i].id == id)
			name = types[i].name;
	if (name == NULL)
		name = EVP_PKEY_get0_type_name(pkey);
	ascii_copy(s->key_type, sizeof(s->key_type),
	    name != NULL ? name : "unknown");
	s->key_bits = EVP_PKEY_get_bits(pkey);
	if (id == EVP_PKEY_EC &&
	    EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME,
	        s->curve, sizeof(s->curve), NULL) != 1)
		s->curve[0] = '\0'; /* explicit parameters: no name */
}

/* sig_facts - signature algorithm and its hash */
static void
sig_facts(X509 *x, struct cert_summary *s)
{
	const X509_ALGOR *alg = NULL;
	const ASN1_OBJECT *obj = NULL;
	int mdnid = NID_undef, pknid = NID_undef;

	X509_get0_signature(NULL, &alg, x);
	X509_ALGOR_get0(&obj, NULL, NULL, alg);
	s->sig_alg[0] = '\0';
	if (obj != NULL)
		OBJ_obj2txt(s->sig_alg, sizeof(s->sig_alg), obj, 0);

	/* X509_get_signature_info also reads the hash out of RSA-PSS
	 * parameters; the sigid table is the fallback. */
	if (X509_get_signature_info(x, &mdnid, NULL, NULL, NULL) != 1 &&
	    OBJ_find_sigid_algs(X509_get_signature_nid(x), &mdnid, &pknid) !=
	        1) {
		ascii_copy(s->sig_hash, sizeof(s->sig_hash), "unknown");
		return;
	}
	if (mdnid == NID_undef)
		s->sig_hash[0] = '\0'; /* EdDSA: no separate hash */
	else
		ascii_copy(s->sig_hash, sizeof(s->sig_hash), OBJ_nid2sn(mdnid));
}

/* fingerprints - SHA-256 of the DER certificate and of its DER SPKI */
static enum st_err
fingerprints(const X509 *x, struct cert_summary *s)
{
	unsigned char md[EVP_MAX_MD_SIZE], *der = NULL;
	unsigned int mdlen = 0;
	enum st_err err = ST_ERR_TLS;
	int n;

	if (X509_digest(x, EVP_sha256(), md, &mdlen) != 1 || mdlen != 32)
		goto out;
	hex_lower(s->sha256_hex, md, mdlen);
	/* Not X509_pubkey_digest(): that hashes the key bits only, while
	 * TLSA selector 1 (RFC 6698 2.1.3) is the whole
	 * SubjectPublicKeyInfo. */
	n = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x), &der);
	if (n <= 0)
		goto out;
	if (EVP_Digest(der, (size_t)n, md, &mdlen, EVP_sha256(), NULL) != 1 ||
	    mdlen != 32)
		goto out;
	hex_lower(s->spki_sha256_hex, md, mdlen);
	err = ST_OK;
out:
	OPENSSL_free(der);
	return err;
}

/* pem_text - the certificate in PEM */
static char *
pem_text(const X509 *x)
{
	BIO *bio;
	char *s = NULL;

	bio = BIO_new(BIO_s_mem());
	if (bio == NULL)
		return NULL;
	if (PEM_write_bio_X509(bio, x) == 1)
		s = bio_text(bio);
	BIO_free(bio);
	return s;
}

/* days_from_civil - days since 1970-01-01 of a proleptic Gregorian date
 * (H. Hinnant's algorithm; no time zone, unlike mktime) */
static long long
days_from_civil(long long y, unsigned m, unsigned d)
{
	long long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* asn1_posix - an ASN1_TIME as POSIX time */
static bool
asn1_posix(const ASN1_TIME *t, time_t *out)
{
	struct tm tm;
	long long days;

	*out = 0;
	if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1)
		return false;
	days = days_from_civil((long long)tm.tm_year + 1900,
	    (unsigned)tm.tm_mon + 1, (unsigned)tm.tm_mday);
	*out = (time_t)(days * 86400 + tm.tm_hour * 3600 + tm.tm_min * 60 +
	                tm.tm_sec);
	return true;
}

bool
cert_summary_dates(const X509 *x, time_t *not_before, time_t *not_after)
{
	if (asn1_posix(X509_get0_notBefore(x), not_before) &&
	    asn1_posix(X509_get0_notAfter(x), not_after))
		return true;
	*not_before = *not_after = 0;
	return false;
}

/* fill_strings - the heap-allocated text fields */
static enum st_err
fill_strings(X509 *x, struct cert_summary *s, char *errmsg, size_t errlen)
{
	enum st_err err;

	s->subject = name_text(X509_get_subject_name(x));
	s->issuer = name_text(X509_get_issuer_name(x));
	s->serial_hex = serial_text(x);
	s->pem = pem_text(x);
	if (s->subject == NULL || s->issuer == NULL || s->serial_hex == NULL ||
	    s->pem == NULL) {
		/* Each is a memory BIO or a copy: only memory can fail. */
		snprintf(errmsg, errlen, "cannot convert certificate to text");
		return ST_ERR_NOMEM;
	}
	if ((err = first_cn(x, &s->cn)) != ST_OK ||
	    (err = dns_names(x, s)) != ST_OK) {
		snprintf(errmsg, errlen, "cannot copy certificate names");
		return err;
	}
	return ST_OK;
}

enum st_err
cert_summary_fill(X509 *x, struct cert_summary *s, char *errmsg, size_t errlen)
{
	enum st_err err;

	memset(s, 0, sizeof(*s));
	if (errlen > 0)
		errmsg[0] = '\0';
	if ((err = fill_strings(x, s, errmsg, errlen)) != ST_OK)
		goto out;
	/* Unreadable dates stay 0: the certificate then counts as expired. */
	(void)cert_summary_dates(x, &s->not_before, &s->not_after);
	key_facts(x, s);
	sig_facts(x, s);
	if ((err = fingerprints(x, s)) != ST_OK) {
		snprintf(errmsg, errlen,
		    "cannot compute certificate fingerprints: %s",
		    ossl_reason());
		goto out;
	}
	s->self_issued = X509_NAME_cmp(X509_get_subject_name(x),
	                     X509_get_issuer_name(x)) == 0;
	s->is_ca = (X509_get_extension_flags(x) & EXFLAG_CA) != 0;
out:
	if (err != ST_OK)
		cert_summary_release(s);
	return err;
}

void
cert_summary_release(struct cert_summary *s)
{
	size_t i;

	if (s == NULL)
		return;
	free(s->subject);
	free(s->issuer);
	free(s->serial_hex);
	for (i = 0; i < s->ndns; i++)
		free(s->dns_names[i]);
	free(s->dns_names);
	free(s->cn);
	free(s->pem);
	memset(s, 0, sizeof(*s));
}
