/*
 * tls_client.c - permissive TLS client context and session facts for the
 * probe (see tls_client.h). OpenSSL verifies; this file only asks it and
 * writes down the answers.
 */
#include "tls_client.h"

#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/ocsp.h>
#include <openssl/x509v3.h>

#include "banned.h"

void
tls_client_errors(char *buf, size_t len)
{
	unsigned long e;
	size_t used = 0;

	if (len == 0)
		return;
	buf[0] = '\0';
	while ((e = ERR_get_error()) != 0) {
		const char *r = ERR_reason_error_string(e);
		int n;

		if (used + 3 >= len)
			continue;
		n = snprintf(buf + used, len - used, "%s%s", used ? "; " : "",
		    r ? r : "unknown TLS error");
		if (n > 0)
			used +=
			    (size_t)n < len - used ? (size_t)n : len - used - 1;
	}
}

/* info_cb - remember the alert that ends a failed handshake */
static void
info_cb(const SSL *ssl, int where, int ret)
{
	struct tls_facts *f;

	if (!(where & SSL_CB_ALERT))
		return;
	f = SSL_get_app_data(ssl);
	if (f == NULL || f->alert[0] != '\0')
		return;
	/* Warning-level close_notify is not a failure. */
	if ((ret >> 8) != SSL3_AL_FATAL)
		return;
	snprintf(f->alert, sizeof(f->alert), "%s",
	    SSL_alert_desc_string_long(ret));
	/* Long names use spaces ("handshake failure"); the report uses the
	 * protocol's underscore names. */
	for (char *p = f->alert; *p; p++)
		if (*p == ' ')
			*p = '_';
}

SSL_CTX *
tls_client_ctx_new(char *errmsg, size_t errlen)
{
	SSL_CTX *ctx;

	if ((ctx = SSL_CTX_new(TLS_client_method())) == NULL)
		goto fail;
	/* Observe weak servers instead of refusing them (checks.md 1.9). */
	SSL_CTX_set_security_level(ctx, 0);
	if (!SSL_CTX_set_min_proto_version(ctx, TLS1_VERSION) ||
	    !SSL_CTX_set_max_proto_version(ctx, 0) ||
	    !SSL_CTX_set_cipher_list(ctx, "ALL:!aNULL:!eNULL:@SECLEVEL=0"))
		goto fail;
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	SSL_CTX_set_info_callback(ctx, info_cb);
	/* No session cache: every probe is a fresh full handshake. */
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
	if (SSL_CTX_dane_enable(ctx) <= 0)
		goto fail;
	return ctx;
fail:
	tls_client_errors(errmsg, errlen);
	SSL_CTX_free(ctx);
	return NULL;
}

SSL *
tls_client_new(SSL_CTX *ctx, int fd, const char *sni,
    const struct dns_tlsa *tlsa, size_t ntlsa, struct tls_facts *facts)
{
	SSL *ssl;
	size_t i, added = 0;

	if ((ssl = SSL_new(ctx)) == NULL)
		return NULL;
	SSL_set_app_data(ssl, facts);
	if (!SSL_set_fd(ssl, fd) || (sni != NULL && *sni != '\0' &&
	                                !SSL_set_tlsext_host_name(ssl, sni)))
		goto fail;
	SSL_set_tlsext_status_type(ssl, TLSEXT_STATUSTYPE_ocsp);
	if (ntlsa > 0 && sni != NULL) {
		if (SSL_dane_enable(ssl, sni) <= 0)
			goto fail;
		/* RFC 7672 3.1.1: no name checks for DANE-EE(3). */
		SSL_dane_set_flags(ssl, DANE_FLAG_NO_DANE_EE_NAMECHECKS);
		for (i = 0; i < ntlsa; i++) {
			if (tlsa[i].usage != 2 && tlsa[i].usage != 3)
				continue;
			if (SSL_dane_tlsa_add(ssl, tlsa[i].usage,
			        tlsa[i].selector, tlsa[i].mtype, tlsa[i].data,
			        tlsa[i].len) > 0)
				added++;
		}
		facts->dane_checked = added > 0;
		ERR_clear_error();
	}
	SSL_set_connect_state(ssl);
	return ssl;
fail:
	SSL_free(ssl);
	return NULL;
}

/* hash_name - the hash's name as in an IANA SignatureScheme, "" if none */
static const char *
hash_name(int nid)
{
	static const struct {
		int nid;
		const char *name;
	} names[] = {
		{ NID_sha1, "sha1" },
		{ NID_sha224, "sha224" },
		{ NID_sha256, "sha256" },
		{ NID_sha384, "sha384" },
		{ NID_sha512, "sha512" },
		{ NID_md5, "md5" },
		{ NID_md5_sha1, "md5_sha1" },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].nid == nid)
			return names[i].name;
	return "";
}

/* sigalg_name - IANA SignatureScheme name from OpenSSL's nids (3.0 has no
 * SSL_get0_peer_signature_name) */
static void
sigalg_name(SSL *ssl, struct tls_facts *f)
{
	int type = NID_undef, hash = NID_undef;
	const char *h;
	X509 *peer;

	f->sigalg[0] = '\0';
	f->sigalg_hash[0] = '\0';
	if (!SSL_get_peer_signature_type_nid(ssl, &type))
		return;
	SSL_get_peer_signature_nid(ssl, &hash);
	h = hash_name(hash);
	snprintf(f->sigalg_hash, sizeof(f->sigalg_hash), "%s", h);
	switch (type) {
	case EVP_PKEY_RSA:
		snprintf(f->sigalg, sizeof(f->sigalg), "rsa_pkcs1_%s", h);
		break;
	case EVP_PKEY_RSA_PSS:
		/* rsaEncryption keys sign with rsa_pss_rsae_*, RSA-PSS keys
		 * with rsa_pss_pss_*. */
		peer = SSL_get1_peer_certificate(ssl);
		snprintf(f->sigalg, sizeof(f->sigalg), "rsa_pss_%s_%s",
		    peer && X509_get0_pubkey(peer) &&
		            EVP_PKEY_get_id(X509_get0_pubkey(peer)) ==
		                EVP_PKEY_RSA_PSS
		        ? "pss"
		        : "rsae",
		    h);
		X509_free(peer);
		break;
	case EVP_PKEY_EC: {
		const char *curve = "";

		if (hash == NID_sha256)
			curve = "secp256r1_";
		else if (hash == NID_sha384)
			curve = "secp384r1_";
		else if (hash == NID_sha512)
			curve = "secp521r1_";
		snprintf(f->sigalg, sizeof(f->sigalg), "ecdsa_%s%s", curve, h);
		break;
	}
	case EVP_PKEY_ED25519:
		snprintf(f->sigalg, sizeof(f->sigalg), "ed25519");
		break;
	case EVP_PKEY_ED448:
		snprintf(f->sigalg, sizeof(f->sigalg), "ed448");
		break;
	default:
		break;
	}
}

void
tls_client_collect(SSL *ssl, struct tls_facts *f)
{
	const SSL_CIPHER *c;
	EVP_PKEY *tmp = NULL;
	int nid;
	const unsigned char *ocsp = NULL;
	long ocsplen;

	f->established = true;
	f->version_num = SSL_version(ssl);
	snprintf(f->version, sizeof(f->version), "%s", SSL_get_version(ssl));
	if ((c = SSL_get_current_cipher(ssl)) != NULL)
		tls_cipher_classify(c, &f->cipher);
	f->kex_bits = -1;
	nid = SSL_get_negotiated_group(ssl);
	if (nid != 0 && nid != NID_undef) {
		const char *g = SSL_group_to_name(ssl, nid);

		if (g != NULL)
			snprintf(f->group, sizeof(f->group), "%s", g);
	}
	if (SSL_get_peer_tmp_key(ssl, &tmp) && tmp != NULL) {
		f->kex_bits = EVP_PKEY_get_bits(tmp);
		/* TLS 1.2 finite-field DHE names no group (report.md 5.5). */
		if (EVP_PKEY_get_base_id(tmp) == EVP_PKEY_DH &&
		    f->version_num < TLS1_3_VERSION)
			f->group[0] = '\0';
		EVP_PKEY_free(tmp);
	}
	sigalg_name(ssl, f);
	ocsplen = SSL_get_tlsext_status_ocsp_resp(ssl, &ocsp);
	f->ocsp_stapled = ocsplen > 0 && ocsp != NULL;

	if (f->dane_checked) {
		EVP_PKEY *mspki = NULL;
		X509 *mcert = NULL;
		uint8_t u, s, m;
		const unsigned char *data;
		size_t dlen;
		int depth;

		f->dane_verify_code = (int)SSL_get_verify_result(ssl);
		depth = SSL_get0_dane_authority(ssl, &mcert, &mspki);
		f->dane_verified =
		    depth >= 0 && f->dane_verify_code == X509_V_OK;
		f->dane_depth = depth;
		f->dane_usage = f->dane_selector = f->dane_mtype = -1;
		if (SSL_get0_dane_tlsa(ssl, &u, &s, &m, &data, &dlen) >= 0) {
			f->dane_usage = u;
			f->dane_selector = s;
			f->dane_mtype = m;
		}
	}
	ERR_clear_error();
}
