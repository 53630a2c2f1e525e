/*
 * trust_store.h - which CA file and directory the PKIX checks trust: the
 * ones the user named, else those SSL_CERT_FILE / SSL_CERT_DIR name, else
 * OpenSSL's built-in defaults (Debian: /usr/lib/ssl/cert.pem, a link to
 * /etc/ssl/certs/ca-certificates.crt, and /usr/lib/ssl/certs). Decided
 * once before the run, so that the SMTP sessions and the MTA-STS fetch use
 * the same store and the report can say which it was.
 *
 * OpenSSL's X509_STORE_set_default_paths() skips a default file or
 * directory that is missing, silently; an empty store then makes every
 * certificate "untrusted", which reads like a finding about the server.
 * Here a store with nothing in it is a configuration error instead.
 */
#ifndef SMTPTLS_TRUST_STORE_H
#define SMTPTLS_TRUST_STORE_H

#include <stddef.h>

#include "smtptls/err.h"

enum trust_source {
	TRUST_SRC_OPTIONS = 0, /* --ca-file / --ca-path */
	TRUST_SRC_ENV,         /* SSL_CERT_FILE / SSL_CERT_DIR */
	TRUST_SRC_SYSTEM,      /* OpenSSL's compiled-in default paths */
	TRUST_SRC__COUNT
};
/* "options", "environment", "system" */
const char *trust_source_name(enum trust_source s);

struct trust_store {
	char file[512]; /* CA file (PEM) to load, "" for none */
	char dir[512];  /* hashed CA directory ("A:B" lists allowed), "" for
	                   none */
	enum trust_source source;
};

/*
 * Pick the store. ca_file/ca_path (the options, either may be NULL) win
 * and are taken as given (loading checks them). Otherwise env_file and
 * env_dir (the values of SSL_CERT_FILE and SSL_CERT_DIR, read by cmd/;
 * NULL when unset) replace OpenSSL's default file and directory one by
 * one, and of these a file that is missing or empty and a directory that
 * holds no hashed certificate ("8 hex digits.N", as openssl rehash names
 * them) are left out. A named directory (option or environment) must hold
 * a hashed certificate too. Errors (ST_ERR_INVAL, errmsg one line): no
 * file and no directory left, or a directory without certificates.
 */
enum st_err trust_store_pick(struct trust_store *ts, const char *ca_file,
    const char *ca_path, const char *env_file, const char *env_dir,
    char *errmsg, size_t errlen) __attribute__((warn_unused_result));

#endif
