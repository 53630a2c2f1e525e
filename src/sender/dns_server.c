/*
 * dns_server.c - UDP and TCP front of the test zone's DNS (see
 * dns_server.h). One thread, one poll() over the UDP socket, the TCP
 * listener, the TCP clients and a pipe that says stop. A TCP client
 * sends 2-octet length-prefixed queries (RFC 1035 4.2.2) and may send
 * several; its answer is written before the next query is read.
 */
#include "dns_server.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bind_addr.h"
#include "clock.h"
#include "testzone.h"

#include "banned.h"

#define DNS_TCP_MAX 16
#define DNS_TCP_IDLE_MS 5000
#define DNS_MSG_MAX 65535

struct tcp_client {
	int fd; /* -1: free slot */
	/* ms: DNS_TCP_IDLE_MS after the connection or the last answer
	 * written; not moved by the bytes of a query or an answer in
	 * between, so a client that trickles them cannot keep its slot */
	long long deadline;
	unsigned char in[2 + DNS_MSG_MAX];
	size_t inlen;
	unsigned char *out; /* length-prefixed answer being written */
	size_t outlen, outoff;
};

struct dns_server_run {
	const struct tz_signed *z;
	struct bind_addr addr;
	int udp, tcp;
	int stop[2]; /* pipe: the thread ends when [0] is readable */
	pthread_t thread;
	struct tcp_client cl[DNS_TCP_MAX];
	struct dns_server_stats st;
};

static void
count(struct dns_server_run *d, enum st_err e, const unsigned char *ans,
    size_t alen, unsigned long *ok)
{
	if (e != ST_OK)
		d->st.dropped++;
	else if (alen > 3 && (ans[3] & 0x0f) == 5) /* rcode REFUSED */
		d->st.refused++;
	else
		(*ok)++;
}

static void
udp_ready(struct dns_server_run *d)
{
	unsigned char q[DNS_MSG_MAX], *ans = NULL;
	struct sockaddr_storage from;
	socklen_t fl = sizeof(from);
	size_t alen = 0;
	ssize_t n;
	enum st_err e;

	n = recvfrom(d->udp, q, sizeof(q), MSG_DONTWAIT,
	    (struct sockaddr *)&from, &fl);
	if (n <= 0)
		return;
	e = testzone_answer(d->z, q, (size_t)n, false, &ans, &alen);
	count(d, e, ans, alen, &d->st.udp);
	if (e == ST_OK)
		/* (void): UDP is best effort; the client asks again. */
		(void)sendto(d->udp, ans, alen, MSG_DONTWAIT | MSG_NOSIGNAL,
		    (struct sockaddr *)&from, fl);
	free(ans);
}

static void
client_close(struct tcp_client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	free(c->out);
	c->fd = -1;
	c->out = NULL;
	c->inlen = c->outlen = c->outoff = 0;
}

static bool
nonblock_cloexec(int fd)
{
	return fcntl(fd, F_SETFL, O_NONBLOCK) == 0 &&
	       fcntl(fd, F_SETFD, FD_CLOEXEC) == 0;
}

/* slot_for - a free slot, or else the slot of the client idle longest,
 * closed: a table full of idle clients must not lock everyone else out
 * until the idle limit (RFC 7766 6.2.3: a server under pressure may close
 * idle connections; a real client sends its query at once) */
static struct tcp_client *
slot_for(struct dns_server_run *d)
{
	struct tcp_client *old = &d->cl[0];

	for (size_t i = 0; i < DNS_TCP_MAX; i++) {
		if (d->cl[i].fd < 0)
			return &d->cl[i];
		if (d->cl[i].deadline < old->deadline)
			old = &d->cl[i];
	}
	d->st.dropped += old->inlen > 0;
	client_close(old);
	return old;
}

static void
tcp_accept(struct dns_server_run *d)
{
	int fd = accept(d->tcp, NULL, NULL);
	struct tcp_client *c;

	if (fd < 0)
		return;
	if (!nonblock_cloexec(fd)) {
		close(fd);
		return;
	}
	c = slot_for(d);
	c->fd = fd;
	c->deadline = clock_ms() + DNS_TCP_IDLE_MS;
}

/* tcp_answer - a whole query is in c->in: make the framed answer */
static void
tcp_answer(struct dns_server_run *d, struct tcp_client *c, size_t qlen)
{
	unsigned char *ans = NULL;
	size_t alen = 0;
	enum st_err e =
	    testzone_answer(d->z, c->in + 2, qlen, true, &ans, &alen);

	count(d, e, ans, alen, &d->st.tcp);
	c->inlen = 0;
	if (e != ST_OK || alen > DNS_MSG_MAX ||
	    (c->out = malloc(alen + 2)) == NULL) {
		free(ans);
		client_close(c);
		return;
	}
	c->out[0] = (unsigned char)(alen >> 8);
	c->out[1] = (unsigned char)alen;
	memcpy(c->out + 2, ans, alen);
	c->outlen = alen + 2;
	c->outoff = 0;
	free(ans);
}

static void
tcp_read(struct dns_server_run *d, struct tcp_client *c)
{
	size_t want = c->inlen < 2 ? 2 : 2 + ((size_t)c->in[0] << 8 | c->in[1]);
	ssize_t n = recv(c->fd, c->in + c->inlen, want - c->inlen, 0);

	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
		client_close(c);
		return;
	}
	if (n < 0)
		return;
	c->inlen += (size_t)n;
	if (c->inlen == 2 && c->in[0] == 0 && c->in[1] == 0) {
		d->st.dropped++;
		client_close(c);
	} else if (c->inlen > 2 && c->inlen == want)
		tcp_answer(d, c, want - 2);
}

static void
tcp_write(struct tcp_client *c)
{
	ssize_t n = send(c->fd, c->out + c->outoff, c->outlen - c->outoff,
	    MSG_NOSIGNAL);

	if (n < 0 && errno != EAGAIN && errno != EINTR) {
		client_close(c);
		return;
	}
	if (n > 0)
		c->outoff += (size_t)n;
	if (c->outoff == c->outlen) {
		c->deadline = clock_ms() + DNS_TCP_IDLE_MS;
		free(c->out);
		c->out = NULL;
		c->outlen = c->outoff = 0;
	}
}

/* poll_set - the stop pipe, UDP, the listener and the clients; map[k]
 * is the client of pfd[k], or -1 */
static size_t
poll_set(struct dns_server_run *d, struct pollfd *pfd, int *map)
{
	size_t n = 0;

	pfd[n] = (struct pollfd){ d->stop[0], POLLIN, 0 };
	map[n++] = -1;
	pfd[n] = (struct pollfd){ d->udp, POLLIN, 0 };
	map[n++] = -1;
	for (size_t i = 0; i < DNS_TCP_MAX; i++) {
		if (d->cl[i].fd < 0)
			continue;
		pfd[n] = (struct pollfd){ d->cl[i].fd,
			d->cl[i].out != NULL ? POLLOUT : POLLIN, 0 };
		map[n++] = (int)i;
	}
	pfd[n] = (struct pollfd){ d->tcp, POLLIN, 0 };
	map[n++] = -1;
	return n;
}

static void *
serve(void *arg)
{
	struct dns_server_run *d = arg;
	struct pollfd pfd[3 + DNS_TCP_MAX];
	int map[3 + DNS_TCP_MAX];

	for (;;) {
		size_t n = poll_set(d, pfd, map);
		long long now;

		if (poll(pfd, n, 250) < 0 && errno != EINTR)
			break;
		if (pfd[0].revents != 0)
			break;
		if (pfd[1].revents & POLLIN)
			udp_ready(d);
		now = clock_ms();
		for (size_t k = 2; k + 1 < n; k++) {
			struct tcp_client *c = &d->cl[map[k]];

			if (pfd[k].revents & (POLLERR | POLLHUP | POLLNVAL) &&
			    !(pfd[k].revents & POLLIN))
				client_close(c);
			else if (pfd[k].revents & POLLOUT)
				tcp_write(c);
			else if (pfd[k].revents & POLLIN)
				tcp_read(d, c);
			if (c->fd >= 0 && now >= c->deadline) {
				d->st.dropped += c->inlen > 0;
				client_close(c);
			}
		}
		/* After the clients: the slot it frees was polled above. */
		if (pfd[n - 1].revents & POLLIN)
			tcp_accept(d);
	}
	return NULL;
}

static void
run_free(struct dns_server_run *d)
{
	for (size_t i = 0; i < DNS_TCP_MAX; i++)
		client_close(&d->cl[i]);
	if (d->udp >= 0)
		close(d->udp);
	if (d->tcp >= 0)
		close(d->tcp);
	if (d->stop[0] >= 0)
		close(d->stop[0]);
	if (d->stop[1] >= 0)
		close(d->stop[1]);
	free(d);
}

enum st_err
dns_server_start(const struct tz_signed *z, const char *bind_spec,
    struct dns_server_run **out, char *errmsg, size_t errlen)
{
	struct dns_server_run *d = calloc(1, sizeof(*d));

	*out = NULL;
	if (d == NULL)
		return ST_ERR_NOMEM;
	d->z = z;
	d->udp = d->tcp = d->stop[0] = d->stop[1] = -1;
	for (size_t i = 0; i < DNS_TCP_MAX; i++)
		d->cl[i].fd = -1;
	if (!bind_addr_parse(bind_spec, 53, &d->addr)) {
		snprintf(errmsg, errlen,
		    "invalid DNS address '%s': want ADDR[:PORT] with a numeric "
		    "address",
		    bind_spec);
		run_free(d);
		return ST_ERR_PARSE;
	}
	if ((d->udp = bind_addr_open(&d->addr, SOCK_DGRAM, errmsg, errlen)) <
	        0 ||
	    (d->tcp = bind_addr_open(&d->addr, SOCK_STREAM, errmsg, errlen)) <
	        0) {
		run_free(d);
		return ST_ERR_IO;
	}
	if (pipe(d->stop) != 0 || !nonblock_cloexec(d->stop[0]) ||
	    !nonblock_cloexec(d->stop[1]) ||
	    pthread_create(&d->thread, NULL, serve, d) != 0) {
		snprintf(errmsg, errlen, "cannot start the DNS server: %s",
		    strerror(errno));
		run_free(d);
		return ST_ERR_INTERNAL;
	}
	*out = d;
	return ST_OK;
}

const char *
dns_server_addr(const struct dns_server_run *d)
{
	return d->addr.text;
}

void
dns_server_stop(struct dns_server_run *d, struct dns_server_stats *stats)
{
	if (d == NULL)
		return;
	/* The pipe is empty, so only a signal can fail the write. */
	while (write(d->stop[1], "x", 1) < 0 && errno == EINTR)
		;
	pthread_join(d->thread, NULL);
	if (stats != NULL)
		*stats = d->st;
	run_free(d);
}
