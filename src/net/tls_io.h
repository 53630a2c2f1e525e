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

/* How a stream ended (style.md 5: the cases are findings, not one "closed"). */
enum tls_io_end {
	TLS_IO_END_NONE = 0, /* not ended */
	TLS_IO_END_CLOSE,    /* FIN on a plain connection */
	TLS_IO_END_NOTIFY,   /* TLS close_notify, then the end */
	TLS_IO_END_EOF,      /* TLS: FIN without close_notify (truncation) */
	TLS_IO_END_ALERT,    /* TLS: a fatal alert from the peer */
	TLS_IO_END_RESET,    /* connection reset (RST) */
	TLS_IO_END_ERROR,    /* TLS: another error (bad record, ...) */
	TLS_IO_END__COUNT
};

struct tls_io_close {
	enum tls_io_end how;
	char alert[48];   /* TLS_IO_END_ALERT: OpenSSL's long name */
	char detail[120]; /* TLS_IO_END_ERROR: OpenSSL's reason */
};

/*
 * Read at most len bytes from ssl (when not NULL) or the socket fd.
 * Returns the bytes read (> 0); 0 at the end of the stream, with *end
 * saying how it ended (the peer is gone either way); -1 when nothing can
 * be read now. *want is set to SSL_ERROR_WANT_READ or SSL_ERROR_WANT_WRITE
 * when OpenSSL needs that direction to progress, else 0.
 */
ssize_t tls_io_read(SSL *ssl, int fd, char *buf, size_t len, int *want,
    struct tls_io_close *end);

/*
 * tls_io_classify - fill *end from SSL_get_error() value e, the errno
 * seen after the call and the (not yet cleared) error queue; used for
 * reads and for failed handshakes. Leaves the queue as it is.
 */
void tls_io_classify(int e, int sys_errno, struct tls_io_close *end);

/*
 * tls_io_end_phrase - the end as words for a message, e.g. "TLS alert
 * 'bad record mac' from the peer", written to out (always terminated).
 */
void tls_io_end_phrase(const struct tls_io_close *end, char *out,
    size_t outlen);

#endif
