/*
 * listen_sni.c - other certificates by SNI (see listen_add_sni in
 * smtptls/listen.h): the sender test serves every scenario from one
 * address and tells them apart by the name the sender asks for.
 *
 * Each name gets a whole SSL_CTX made like the listener's own
 * (listen_tls_ctx), and OpenSSL's servername callback moves the
 * connection to it (SSL_set_SSL_CTX swaps the certificate and key; the
 * client-hello and info callbacks stay those of the listener's context,
 * which record into the session as before).
 */
#include "listen_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "banned.h"

static int
servername_cb(SSL *ssl, int *alert, void *arg)
{
	const struct listen *l = arg;
	const char *name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);

	(void)alert;
	if (name == NULL)
		return SSL_TLSEXT_ERR_OK;
	for (size_t i = 0; i < l->nalt; i++)
		if (strcasecmp(l->alt[i].name, name) == 0) {
			/* NULL only when out of memory: keep the default. */
			(void)SSL_set_SSL_CTX(ssl, l->alt[i].ctx);
			break;
		}
	return SSL_TLSEXT_ERR_OK;
}

enum st_err
listen_add_sni(struct listen *l, const char *name, const char *cert_file,
    const char *key_file, bool untrusted, char *errmsg, size_t errlen)
{
	struct listen_params p = l->p;
	struct listen_alt *a;

	if (l->nalt == LISTEN_SNI_MAX || name == NULL ||
	    strlen(name) >= sizeof(a->name)) {
		snprintf(errmsg, errlen, "at most %d SNI names of < 256 octets",
		    LISTEN_SNI_MAX);
		return ST_ERR_INVAL;
	}
	a = &l->alt[l->nalt];
	memset(a, 0, sizeof(*a));
	snprintf(a->name, sizeof(a->name), "%s", name);
	p.cert_file = cert_file;
	p.key_file = key_file;
	p.untrusted_cert = untrusted;
	if ((a->ctx = listen_tls_ctx(&p, a->name, &a->cert, errmsg, errlen)) ==
	    NULL)
		return cert_file != NULL ? ST_ERR_PARSE : ST_ERR_TLS;
	if (l->nalt++ == 0) {
		SSL_CTX_set_tlsext_servername_callback(l->ctx, servername_cb);
		SSL_CTX_set_tlsext_servername_arg(l->ctx, l);
	}
	return ST_OK;
}

const char *
listen_sni_spki(const struct listen *l, const char *name)
{
	for (size_t i = 0; i < l->nalt; i++)
		if (strcasecmp(l->alt[i].name, name) == 0)
			return l->alt[i].cert.spki_sha256_hex;
	return "";
}

void
listen_sni_free(struct listen *l)
{
	for (size_t i = 0; i < l->nalt; i++) {
		SSL_CTX_free(l->alt[i].ctx);
		cert_summary_release(&l->alt[i].cert);
	}
	l->nalt = 0;
}
