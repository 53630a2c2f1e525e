/*
 * tls_io.h - one read from a non-blocking connection that is either plain
 * or carries an OpenSSL session, classified the way the probe's and the
 * listener's event loops both need (style.md 5: clear the error queue,
 * then ask SSL_get_error()).
 */
#ifndef SMTPTLS_TLS_IO_H
#define SMTPTLS_TLS_IO_H

#include <stddef.h>
#include <sys/types.h>

#include <openssl/ssl.h>

/*
 * Read at most len bytes from ssl (when not NULL) or the socket fd.
 * Returns the bytes read (> 0); 0 at the end of the stream (a clean
 * close, EOF without close_notify, or an error: the peer is gone either
 * way); -1 when nothing can be read now. *want is set to
 * SSL_ERROR_WANT_READ or SSL_ERROR_WANT_WRITE when OpenSSL needs that
 * direction to progress, else 0.
 */
ssize_t tls_io_read(SSL *ssl, int fd, char *buf, size_t len, int *want);

#endif
