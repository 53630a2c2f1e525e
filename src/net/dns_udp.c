/*
 * dns_udp.c - one question over UDP and its answer within a time limit
 * (dns_udp_exchange, dns_int.h), without an ldns resolver: ldns_send reads
 * every answer into a new buffer of LDNS_MAX_PACKETLEN (64 KiB) and
 * shrinks it after, and a malloc that large makes glibc consolidate its
 * fast bins on every query (perf, a 3,000-domain batch: ~5 % of its CPU in
 * that read); it also builds a resolver object per query. The messages
 * stay ldns's work (ldns_pkt2buffer_wire by the caller, ldns_wire2pkt
 * here), and the server's address is read by bind_addr_parse.
 *
 * A socket per try, so that each try leaves from a port of its own (RFC
 * 5452 9.2). Not connect()ed, as ldns's are not: a closed port on the
 * server gives no error here (no ICMP error reaches an unconnected
 * socket), the try runs out its time and the next server is asked.
 * Datagrams from any other address or port are read and dropped (RFC
 * 5452 9.1); the first one from the server is the answer, which the
 * caller matches against the question. Never prints.
 */
#include "dns_int.h"
#include "bind_addr.h"
#include "clock.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "banned.h"

/* same_peer - a datagram's source is the server */
static bool
same_peer(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET) {
		const struct sockaddr_in *x = (const void *)a,
		                         *y = (const void *)b;

		return x->sin_port == y->sin_port &&
		       x->sin_addr.s_addr == y->sin_addr.s_addr;
	}
	const struct sockaddr_in6 *x = (const void *)a, *y = (const void *)b;

	return x->sin6_port == y->sin6_port &&
	       memcmp(&x->sin6_addr, &y->sin6_addr, sizeof(x->sin6_addr)) == 0;
}

int
dns_udp_send(const struct bind_addr *to, const uint8_t *q, size_t qlen)
{
	int fd = socket(to->ss.ss_family,
	    SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

	if (fd < 0)
		return -1;
	if (sendto(fd, q, qlen, 0, (const struct sockaddr *)&to->ss, to->len) !=
	    (ssize_t)qlen) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

ssize_t
dns_udp_recv(int fd, const struct bind_addr *from_srv, uint8_t *buf)
{
	struct sockaddr_storage from;
	socklen_t fromlen;
	ssize_t n;

	/* A flood from elsewhere must not hold the caller past its
	 * deadline: after so many strays it looks at the clock again. */
	for (unsigned strays = 0; strays < DNS_UDP_STRAYS_MAX;) {
		fromlen = sizeof(from);
		n = recvfrom(fd, buf, DNS_UDP_RECV_MAX, 0,
		    (struct sockaddr *)&from, &fromlen);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
		if (same_peer(&from, &from_srv->ss))
			return n;
		strays++; /* someone else's: not the answer; read on */
	}
	return 0;
}

/* udp_try - send the question on a new socket and wait until end for a
 * datagram from the server into buf; its length, 0 when none came, -1 on
 * a socket error (errno) */
static ssize_t
udp_try(const struct bind_addr *to, const uint8_t *q, size_t qlen,
    long long end, uint8_t *buf)
{
	struct pollfd pfd = { .events = POLLIN };
	ssize_t n = 0;
	long left;

	if ((pfd.fd = dns_udp_send(to, q, qlen)) < 0)
		return -1;
	while (n == 0) {
		if ((left = (long)(end - clock_ms())) <= 0)
			break;
		if (poll(&pfd, 1, (int)left) < 0) {
			if (errno == EINTR)
				continue;
			n = -1;
			break;
		}
		n = dns_udp_recv(pfd.fd, to, buf);
	}
	if (n < 0) {
		int e = errno;

		close(pfd.fd);
		errno = e;
		return -1;
	}
	close(pfd.fd);
	return n;
}

enum st_err
dns_udp_exchange(const struct dns_server *srv, const uint8_t *q, size_t qlen,
    unsigned tries, long ms, ldns_pkt **out, char *errmsg, size_t errlen)
{
	uint8_t buf[DNS_UDP_RECV_MAX];
	struct bind_addr to;
	long long end = clock_ms() + ms;
	ldns_status st;
	ssize_t n = 0;

	*out = NULL;
	/* A bare address, IPv6 too (dns_config_init took the port off). */
	if (!bind_addr_parse(srv->addr, srv->port, &to)) {
		snprintf(errmsg, errlen, "'%s' is not an address", srv->addr);
		return ST_ERR_INVAL;
	}
	for (unsigned t = 0; t < tries && n == 0; t++) {
		/* each try an equal share of what is left */
		long share = (long)(end - clock_ms()) / (long)(tries - t);

		if (share <= 0)
			break;
		n = udp_try(&to, q, qlen, clock_ms() + share, buf);
	}
	if (n < 0) {
		snprintf(errmsg, errlen, "cannot query '%s' port %u: %s",
		    srv->addr, (unsigned)srv->port, strerror(errno));
		return ST_ERR_IO;
	}
	if (n == 0) {
		snprintf(errmsg, errlen,
		    "no response from '%s' port %u within %ld ms", srv->addr,
		    (unsigned)srv->port, ms);
		return ST_ERR_TIMEOUT;
	}
	if ((st = ldns_wire2pkt(out, buf, (size_t)n)) != LDNS_STATUS_OK) {
		*out = NULL;
		snprintf(errmsg, errlen, "cannot query '%s' port %u: %s",
		    srv->addr, (unsigned)srv->port,
		    ldns_get_errorstr_by_id(st));
		return st == LDNS_STATUS_MEM_ERR ? ST_ERR_NOMEM : ST_ERR_IO;
	}
	return ST_OK;
}
