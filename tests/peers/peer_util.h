/*
 * peer_util.h - what the scripted misbehaving servers (badsmtp.c,
 * badhttps.c) share: argument parsing that only accepts the lab's
 * loopback range, a sleep that survives signals, a monotonic clock in
 * seconds and a fatal OpenSSL error. Static functions: each peer is one
 * standalone program. Define PEER_NAME before including.
 */
#ifndef SMTPTLS_PEER_UTIL_H
#define SMTPTLS_PEER_UTIL_H

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/err.h>

static void
ssl_die(const char *what)
{
	fprintf(stderr, "%s: %s failed\n", PEER_NAME, what);
	ERR_print_errors_fp(stderr);
	exit(1);
}

/* parse_long - a whole decimal number within [min, max]. */
static bool
parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < min || v > max)
		return false;
	*out = v;
	return true;
}

/* parse_listen - ADDR:PORT with ADDR inside 127.10.0.0/16. */
static bool
parse_listen(const char *s, struct sockaddr_in *sin)
{
	const char *colon = strrchr(s, ':');
	char host[INET_ADDRSTRLEN];
	size_t n;
	long port;

	if (colon == NULL || (n = (size_t)(colon - s)) >= sizeof(host))
		return false;
	memcpy(host, s, n);
	host[n] = '\0';
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	if (inet_pton(AF_INET, host, &sin->sin_addr) != 1)
		return false;
	/* Only the lab's loopback range: never a wildcard or a real address. */
	if ((ntohl(sin->sin_addr.s_addr) >> 16) != ((127u << 8) | 10u))
		return false;
	if (!parse_long(colon + 1, 1, 65535, &port))
		return false;
	sin->sin_port = htons((unsigned short)port);
	return true;
}

static void
pause_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static long
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec;
}

#endif
