/*
 * tls_io.c - a read step shared by the probe's and the listener's event
 * loops (see tls_io.h).
 */
#include "tls_io.h"

#include <errno.h>
#include <limits.h>
#include <sys/socket.h>

#include <openssl/err.h>

#include "banned.h"

ssize_t
tls_io_read(SSL *ssl, int fd, char *buf, size_t len, int *want)
{
	ssize_t n;

	*want = 0;
	if (ssl != NULL) {
		int r, e;

		ERR_clear_error();
		r = SSL_read(ssl, buf, len > INT_MAX ? INT_MAX : (int)len);
		if (r > 0)
			return r;
		e = SSL_get_error(ssl, r);
		if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
			*want = e;
			return -1;
		}
		return 0;
	}
	n = recv(fd, buf, len, 0);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return -1;
	return n < 0 ? 0 : n;
}
