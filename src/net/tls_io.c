/*
 * tls_io.c - a read step shared by the probe's and the listener's event
 * loops (see tls_io.h).
 */
#include "tls_io.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <limits.h>
#include <sys/socket.h>

#include <openssl/err.h>

#include "ascii.h"
#include "banned.h"

/* tls_io_classify - what SSL_get_error() e and the error queue say about
 * an ended TLS stream (pfx tls_bio_ops.c maps the same cases) */
void
tls_io_classify(int e, int sys_errno, struct tls_io_close *end)
{
	unsigned long code = ERR_peek_last_error();
	int reason = ERR_GET_REASON(code);

	if (e == SSL_ERROR_ZERO_RETURN) {
		end->how = TLS_IO_END_NOTIFY;
		return;
	}
	if (e == SSL_ERROR_SYSCALL) {
		/* OpenSSL 3 reports a bare EOF as SSL_ERROR_SSL (below); a
		 * SYSCALL with errno 0 is the same truncation. */
		end->how =
		    sys_errno == ECONNRESET ? TLS_IO_END_RESET : TLS_IO_END_EOF;
		return;
	}
	if (code != 0 && ERR_GET_LIB(code) == ERR_LIB_SSL &&
	    reason == SSL_R_UNEXPECTED_EOF_WHILE_READING) {
		end->how = TLS_IO_END_EOF;
		return;
	}
	/* A received alert arrives as reason SSL_AD_REASON_OFFSET + its
	 * description code (ssl.h). */
	if (code != 0 && ERR_GET_LIB(code) == ERR_LIB_SSL &&
	    reason > SSL_AD_REASON_OFFSET &&
	    reason < SSL_AD_REASON_OFFSET + 256) {
		end->how = TLS_IO_END_ALERT;
		ascii_copy(end->alert, sizeof(end->alert),
		    SSL_alert_desc_string_long(reason - SSL_AD_REASON_OFFSET));
		return;
	}
	end->how = TLS_IO_END_ERROR;
	ascii_copy(end->detail, sizeof(end->detail),
	    code != 0 && ERR_reason_error_string(code) != NULL
	        ? ERR_reason_error_string(code)
	        : "unknown TLS error");
}

ssize_t
tls_io_read(SSL *ssl, int fd, char *buf, size_t len, int *want,
    struct tls_io_close *end)
{
	ssize_t n;

	*want = 0;
	memset(end, 0, sizeof(*end));
	if (ssl != NULL) {
		int r, e;

		ERR_clear_error();
		errno = 0;
		r = SSL_read(ssl, buf, len > INT_MAX ? INT_MAX : (int)len);
		if (r > 0)
			return r;
		e = SSL_get_error(ssl, r);
		if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
			*want = e;
			return -1;
		}
		tls_io_classify(e, errno, end);
		ERR_clear_error();
		return 0;
	}
	n = recv(fd, buf, len, 0);
	if (n < 0 &&
	    (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return -1;
	if (n <= 0)
		end->how = n < 0 && errno == ECONNRESET ? TLS_IO_END_RESET
		                                        : TLS_IO_END_CLOSE;
	return n < 0 ? 0 : n;
}

void
tls_io_end_phrase(const struct tls_io_close *end, char *out, size_t outlen)
{
	switch (end->how) {
	case TLS_IO_END_NOTIFY:
		snprintf(out, outlen, "connection closed (TLS close_notify)");
		return;
	case TLS_IO_END_EOF:
		snprintf(out, outlen,
		    "connection closed without TLS close_notify");
		return;
	case TLS_IO_END_ALERT:
		snprintf(out, outlen, "TLS alert '%s' from the peer",
		    end->alert);
		return;
	case TLS_IO_END_RESET:
		snprintf(out, outlen, "connection reset");
		return;
	case TLS_IO_END_ERROR:
		snprintf(out, outlen, "TLS error '%s'", end->detail);
		return;
	case TLS_IO_END_CLOSE:
	case TLS_IO_END_NONE:
	default:
		snprintf(out, outlen, "connection closed");
		return;
	}
}
