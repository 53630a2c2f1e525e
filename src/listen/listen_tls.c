/*
 * listen_tls.c - the listener's TLS server adapter: the SSL_CTX with the
 * certificate to present (from files, or a fresh self-signed one made in
 * memory, or with --untrusted-cert one for a wrong name), the callbacks
 * that record what the sender did during the handshake (alerts, the
 * ClientHello, its certificate) and the facts read after it.
 *
 * It accepts TLS 1.0-1.3 and any client certificate so that it can
 * observe; it judges nothing (listen_judge.c does).
 */
#include "listen_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include "text.h"

#include "banned.h"

/* The name of an untrusted certificate: under .invalid (RFC 6761 6.4),
 * so that no sender can ever have a reason to accept it. */
#define UNTRUSTED_NAME "untrusted.smtptls.invalid"

static int sess_index = -1;

/* make_cert - a self-signed P-256 certificate for name, valid 30 days */
static X509 *
make_cert(EVP_PKEY *key, const char *name)
{
	X509 *x = X509_new();
	X509_NAME *n;
	X509_EXTENSION *ext = NULL;
	X509V3_CTX v3;
	unsigned char rnd[8];
	char san[300];
	uint64_t serial = 0;
	bool ok = false;

	if (x == NULL || RAND_bytes(rnd, sizeof(rnd)) != 1)
		goto out;
	for (size_t i = 0; i < sizeof(rnd); i++)
		serial = serial << 8 | rnd[i];
	serial &= 0x7fffffffffffffffULL;
	n = X509_get_subject_name(x);
	snprintf(san, sizeof(san), "DNS:%s", name);
	/* RFC 5280 ub-common-name: a CN holds at most 64 characters; a longer
	 * host name lives in the subjectAltName alone (which is what TLS
	 * clients match, RFC 6125), with a fixed CN beside it. */
	if (X509_set_version(x, 2) != 1 ||
	    ASN1_INTEGER_set_uint64(X509_get_serialNumber(x), serial) != 1 ||
	    X509_gmtime_adj(X509_getm_notBefore(x), -3600) == NULL ||
	    X509_gmtime_adj(X509_getm_notAfter(x), 30L * 86400) == NULL ||
	    X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_UTF8,
	        (const unsigned char *)(strlen(name) <= 64 ? name
	                                                   : "smtptls listen"),
	        -1, -1, 0) != 1 ||
	    X509_set_issuer_name(x, n) != 1 || X509_set_pubkey(x, key) != 1)
		goto out;
	X509V3_set_ctx_nodb(&v3);
	X509V3_set_ctx(&v3, x, x, NULL, NULL, 0);
	if ((ext = X509V3_EXT_conf_nid(NULL, &v3, NID_subject_alt_name, san)) ==
	        NULL ||
	    X509_add_ext(x, ext, -1) != 1)
		goto out;
	X509_EXTENSION_free(ext);
	if ((ext = X509V3_EXT_conf_nid(NULL, &v3, NID_basic_constraints,
	         "critical,CA:FALSE")) == NULL ||
	    X509_add_ext(x, ext, -1) != 1)
		goto out;
	if (X509_sign(x, key, EVP_sha256()) <= 0)
		goto out;
	ok = true;
out:
	X509_EXTENSION_free(ext);
	if (!ok) {
		X509_free(x);
		x = NULL;
	}
	return x;
}

/* info_cb - record the first fatal alert either side sent */
static void
info_cb(const SSL *ssl, int where, int ret)
{
	struct listen_session *s = SSL_get_ex_data(ssl, sess_index);
	bool rd = (where & SSL_CB_READ_ALERT) != 0;

	if (s == NULL || !(where & SSL_CB_ALERT) || (ret >> 8) != SSL3_AL_FATAL)
		return;
	if (s->tls.alert[0] != '\0')
		return;
	snprintf(s->tls.alert, sizeof(s->tls.alert), "%s",
	    SSL_alert_desc_string_long(ret));
	/* "unknown CA" -> "unknown_ca", the RFC 8446 6.2 name */
	for (char *c = s->tls.alert; *c != '\0'; c++)
		*c = *c == ' ' ? '_'
		               : (char)(*c >= 'A' && *c <= 'Z' ? *c + 32 : *c);
	if (SSL_is_init_finished(ssl) || s->tls.handshake == LISTEN_HS_OK)
		return;
	s->tls.handshake = rd ? LISTEN_HS_ALERT_RECEIVED : LISTEN_HS_ALERT_SENT;
}

/* verify_cb - accept whatever client certificate comes: we record it */
static int
verify_cb(int ok, X509_STORE_CTX *ctx)
{
	(void)ok;
	(void)ctx;
	return 1;
}

static const struct {
	unsigned id;
	const char *name;
} group_names[] = {
	{0x0017, "secp256r1"}, {0x0018, "secp384r1"}, {0x0019, "secp521r1"},
	{0x001d, "x25519"}, {0x001e, "x448"}, {0x0100, "ffdhe2048"},
	{0x0101, "ffdhe3072"}, {0x0102, "ffdhe4096"}, {0x0103, "ffdhe6144"},
	{0x0104, "ffdhe8192"}, {0x11ec, "X25519MLKEM768"},
}, sigalg_names[] = {
	{0x0201, "rsa_pkcs1_sha1"}, {0x0203, "ecdsa_sha1"},
	{0x0401, "rsa_pkcs1_sha256"}, {0x0403, "ecdsa_secp256r1_sha256"},
	{0x0501, "rsa_pkcs1_sha384"}, {0x0503, "ecdsa_secp384r1_sha384"},
	{0x0601, "rsa_pkcs1_sha512"}, {0x0603, "ecdsa_secp521r1_sha512"},
	{0x0804, "rsa_pss_rsae_sha256"}, {0x0805, "rsa_pss_rsae_sha384"},
	{0x0806, "rsa_pss_rsae_sha512"}, {0x0807, "ed25519"},
	{0x0808, "ed448"}, {0x0809, "rsa_pss_pss_sha256"},
	{0x080a, "rsa_pss_pss_sha384"}, {0x080b, "rsa_pss_pss_sha512"},
}, version_names[] = {
	{0x0300, "SSLv3"}, {0x0301, "TLSv1"}, {0x0302, "TLSv1.1"},
	{0x0303, "TLSv1.2"}, {0x0304, "TLSv1.3"},
};

#define NAME_OF(tab, v, buf)                                                   \
	name_of(tab, sizeof(tab) / sizeof(tab[0]), v, buf, sizeof(buf))

/* name_of - table name of v, or "0x" and four hex digits */
static const char *
name_of(const void *tab, size_t n, unsigned v, char *buf, size_t len)
{
	const struct {
		unsigned id;
		const char *name;
	} *t = tab;

	for (size_t i = 0; i < n; i++)
		if (t[i].id == v)
			return t[i].name;
	snprintf(buf, len, "0x%04x", v);
	return buf;
}

/* add_u16_list - a list of 16-bit ids at p (n octets) as names */
static void
add_u16_list(cJSON *arr, const unsigned char *p, size_t n, const void *tab,
    size_t ntab)
{
	char b[8];

	for (size_t i = 0; i + 1 < n; i += 2)
		cJSON_AddItemToArray(arr,
		    cJSON_CreateString(name_of(tab, ntab,
		        (unsigned)(p[i] << 8 | p[i + 1]), b, sizeof(b))));
}

/* hello_sni - the server_name extension (list length, type 0, name
 * length, name) into the hello record, and into the session's SNI: kept
 * when the handshake then fails, as the sender test tells its scenarios
 * apart by it */
static void
hello_sni(SSL *ssl, struct listen_session *s, cJSON *h)
{
	const unsigned char *p;
	size_t n;

	if (SSL_client_hello_get0_ext(ssl, 0, &p, &n) == 1 && n >= 5 &&
	    p[2] == 0 && (size_t)(p[3] << 8 | p[4]) <= n - 5) {
		text_escape((const char *)p + 5, (size_t)(p[3] << 8 | p[4]),
		    s->tls.sni, sizeof(s->tls.sni));
		cJSON_AddStringToObject(h, "sni", s->tls.sni);
	} else
		cJSON_AddNullToObject(h, "sni");
}

/* hello_ciphers - the offered suites; counts broken ones */
static void
hello_ciphers(SSL *ssl, struct listen_session *s, cJSON *h)
{
	const unsigned char *p;
	size_t n = SSL_client_hello_get0_ciphers(ssl, &p);
	cJSON *a = cJSON_AddArrayToObject(h, "ciphers");
	char b[8];

	for (size_t i = 0; i + 1 < n; i += 2) {
		const SSL_CIPHER *c = SSL_CIPHER_find(ssl, p + i);
		struct tls_cipher_info ci;

		unsigned id = (unsigned)(p[i] << 8 | p[i + 1]);

		/* Signalling values (RFC 5746, RFC 7507) are no suites. */
		if (c != NULL && id != 0x00ff && id != 0x5600) {
			tls_cipher_classify(c, &ci);
			if (ci.cls == TLS_CLASS_BROKEN)
				s->tls.hello_broken++;
			cJSON_AddItemToArray(a, cJSON_CreateString(ci.iana));
			continue;
		}
		snprintf(b, sizeof(b), "0x%04x", id);
		cJSON_AddItemToArray(a,
		    cJSON_CreateString(
		        c != NULL ? SSL_CIPHER_standard_name(c) : b));
	}
}

static int
cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

/* hello_cb - record the ClientHello (report.md 9.2 client_hello) */
static int
hello_cb(SSL *ssl, int *al, void *arg)
{
	struct listen_session *s = SSL_get_ex_data(ssl, sess_index);
	const unsigned char *p;
	size_t n;
	int *ext = NULL;
	char b[8];
	cJSON *h, *a;
	unsigned lv;
	const char *lvname;

	(void)al;
	(void)arg;
	if (s == NULL || s->tls.client_hello != NULL ||
	    (h = cJSON_CreateObject()) == NULL)
		return SSL_CLIENT_HELLO_SUCCESS;
	lv = SSL_client_hello_get0_legacy_version(ssl);
	lvname = NAME_OF(version_names, lv, b);
	cJSON_AddStringToObject(h, "legacy_version", lvname);
	s->tls.hello_max_version = (int)lv;
	a = cJSON_AddArrayToObject(h, "versions");
	if (SSL_client_hello_get0_ext(ssl, 43, &p, &n) == 1 && n >= 1) {
		add_u16_list(a, p + 1, n - 1 < p[0] ? n - 1 : p[0],
		    version_names,
		    sizeof(version_names) / sizeof(version_names[0]));
		for (size_t i = 1; i + 1 < n; i += 2)
			if ((p[i] << 8 | p[i + 1]) > s->tls.hello_max_version &&
			    (p[i] << 8 | p[i + 1]) <= TLS1_3_VERSION)
				s->tls.hello_max_version = p[i] << 8 | p[i + 1];
	} else
		cJSON_AddItemToArray(a, cJSON_CreateString(lvname));
	hello_ciphers(ssl, s, h);
	a = cJSON_AddArrayToObject(h, "groups");
	if (SSL_client_hello_get0_ext(ssl, 10, &p, &n) == 1 && n >= 2)
		add_u16_list(a, p + 2, n - 2, group_names,
		    sizeof(group_names) / sizeof(group_names[0]));
	a = cJSON_AddArrayToObject(h, "sigalgs");
	if (SSL_client_hello_get0_ext(ssl, 13, &p, &n) == 1 && n >= 2)
		add_u16_list(a, p + 2, n - 2, sigalg_names,
		    sizeof(sigalg_names) / sizeof(sigalg_names[0]));
	hello_sni(ssl, s, h);
	a = cJSON_AddArrayToObject(h, "alpn");
	if (SSL_client_hello_get0_ext(ssl, 16, &p, &n) == 1 && n >= 2) {
		for (size_t i = 2; i < n && i + 1 + p[i] <= n; i += 1 + p[i]) {
			char v[256];

			text_escape((const char *)p + i + 1, p[i], v,
			    sizeof(v));
			cJSON_AddItemToArray(a, cJSON_CreateString(v));
		}
	}
	/* XXX: OpenSSL 3.0 leaves out extension types it does not know
	 * (GREASE among them); report.md 9.2 wants the raw list, which
	 * needs SSL_set_msg_callback. */
	a = cJSON_AddArrayToObject(h, "extensions");
	if (SSL_client_hello_get1_extensions_present(ssl, &ext, &n) == 1) {
		qsort(ext, n, sizeof(*ext), cmp_int);
		for (size_t i = 0; i < n; i++)
			cJSON_AddItemToArray(a, cJSON_CreateNumber(ext[i]));
		OPENSSL_free(ext);
	}
	a = cJSON_AddArrayToObject(h, "compression");
	n = SSL_client_hello_get0_compression_methods(ssl, &p);
	for (size_t i = 0; i < n; i++) {
		snprintf(b, sizeof(b), "0x%02x", p[i]);
		cJSON_AddItemToArray(a,
		    cJSON_CreateString(p[i] == 0   ? "null"
		                       : p[i] == 1 ? "deflate"
		                                   : b));
	}
	s->tls.client_hello = h;
	return SSL_CLIENT_HELLO_SUCCESS;
}

/* load_cert - the certificate to present into ctx, summarised in *cert */
static bool
load_cert(SSL_CTX *ctx, const struct listen_params *p, const char *hostname,
    struct cert_summary *cert, char *errmsg, size_t errlen)
{
	EVP_PKEY *key = NULL;
	X509 *x = NULL;
	bool ok = false;

	if (p->cert_file != NULL && !p->untrusted_cert) {
		const char *kf =
		    p->key_file != NULL ? p->key_file : p->cert_file;

		if (SSL_CTX_use_certificate_chain_file(ctx, p->cert_file) !=
		        1 ||
		    SSL_CTX_use_PrivateKey_file(ctx, kf, SSL_FILETYPE_PEM) !=
		        1 ||
		    SSL_CTX_check_private_key(ctx) != 1) {
			snprintf(errmsg, errlen,
			    "cannot use certificate '%s' "
			    "with key '%s': %s",
			    p->cert_file, kf,
			    ERR_reason_error_string(ERR_peek_last_error()));
			return false;
		}
		x = SSL_CTX_get0_certificate(ctx);
		return x != NULL &&
		       cert_summary_fill(x, cert, errmsg, errlen) == ST_OK;
	}
	if ((key = EVP_EC_gen("P-256")) == NULL ||
	    (x = make_cert(key,
	         p->untrusted_cert ? UNTRUSTED_NAME : hostname)) == NULL ||
	    SSL_CTX_use_certificate(ctx, x) != 1 ||
	    SSL_CTX_use_PrivateKey(ctx, key) != 1) {
		snprintf(errmsg, errlen, "cannot make a certificate: %s",
		    ERR_reason_error_string(ERR_peek_last_error()));
		goto out;
	}
	ok = cert_summary_fill(x, cert, errmsg, errlen) == ST_OK;
out:
	X509_free(x);
	EVP_PKEY_free(key);
	return ok;
}

SSL_CTX *
listen_tls_ctx(const struct listen_params *p, const char *hostname,
    struct cert_summary *cert, char *errmsg, size_t errlen)
{
	SSL_CTX *ctx;

	if (sess_index < 0)
		sess_index = SSL_get_ex_new_index(0, NULL, NULL, NULL, NULL);
	ERR_clear_error();
	if ((ctx = SSL_CTX_new(TLS_server_method())) == NULL) {
		snprintf(errmsg, errlen, "cannot create TLS context");
		return NULL;
	}
	/* Observe old senders too (checks.md sender.tls.version): TLS 1.0
	 * and SHA-1 need security level 0. Our order wins, so a weak
	 * result means the sender offered nothing better. */
	SSL_CTX_set_security_level(ctx, 0);
	SSL_CTX_set_min_proto_version(ctx, TLS1_VERSION);
	SSL_CTX_set_options(ctx,
	    SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_RENEGOTIATION);
	if (SSL_CTX_set_cipher_list(ctx, "DEFAULT:@SECLEVEL=0") != 1)
		goto fail;
	SSL_CTX_set_info_callback(ctx, info_cb);
	SSL_CTX_set_client_hello_cb(ctx, hello_cb, NULL);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_num_tickets(ctx, 0);
	if (p->request_client_cert)
		SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, verify_cb);
	if (!load_cert(ctx, p, hostname, cert, errmsg, errlen)) {
		SSL_CTX_free(ctx);
		return NULL;
	}
	return ctx;
fail:
	snprintf(errmsg, errlen, "cannot set up TLS: %s",
	    ERR_reason_error_string(ERR_peek_last_error()));
	SSL_CTX_free(ctx);
	return NULL;
}

SSL *
listen_tls_new(SSL_CTX *ctx, struct listen_session *s)
{
	SSL *ssl = SSL_new(ctx);

	if (ssl == NULL)
		return NULL;
	if (SSL_set_fd(ssl, s->c.fd) != 1 ||
	    SSL_set_ex_data(ssl, sess_index, s) != 1) {
		SSL_free(ssl);
		return NULL;
	}
	SSL_set_accept_state(ssl);
	return ssl;
}

void
listen_tls_collect(struct listen_session *s)
{
	SSL *ssl = s->c.ssl;
	const SSL_CIPHER *c = SSL_get_current_cipher(ssl);
	const char *sni = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
	const unsigned char *alpn = NULL;
	unsigned alen = 0;
	int nid;
	X509 *peer;
	char err[160];

	s->tls.handshake = LISTEN_HS_OK;
	snprintf(s->tls.version, sizeof(s->tls.version), "%s",
	    SSL_get_version(ssl));
	if (c != NULL) {
		tls_cipher_classify(c, &s->tls.cipher);
		s->tls.have_cipher = true;
	}
	nid = SSL_get_negotiated_group(ssl);
	if (nid > 0) {
		const char *g = SSL_group_to_name(ssl, nid);

		snprintf(s->tls.group, sizeof(s->tls.group), "%s",
		    g != NULL ? g : OBJ_nid2sn(nid & ~TLSEXT_nid_unknown));
	}
	{
		EVP_PKEY *tk = NULL;

		if (SSL_get_peer_tmp_key(ssl, &tk) == 1) {
			s->tls.kex_bits = EVP_PKEY_get_bits(tk);
			EVP_PKEY_free(tk);
		}
	}
	if (sni != NULL)
		text_escape(sni, strlen(sni), s->tls.sni, sizeof(s->tls.sni));
	SSL_get0_alpn_selected(ssl, &alpn, &alen);
	if (alpn != NULL && alen > 0)
		text_escape((const char *)alpn, alen, s->tls.alpn,
		    sizeof(s->tls.alpn));
	if ((peer = SSL_get1_peer_certificate(ssl)) != NULL) {
		if (cert_summary_fill(peer, &s->tls.client_cert, err,
		        sizeof(err)) == ST_OK)
			s->tls.have_client_cert = true;
		X509_free(peer);
	}
}
