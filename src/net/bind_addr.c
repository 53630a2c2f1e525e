/*
 * bind_addr.c - parse and open the addresses our servers listen on (see
 * bind_addr.h).
 */
#include "bind_addr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "banned.h"

/* split - host and port text of spec; false when it cannot be split */
static bool
split(const char *spec, char *host, size_t hostlen, const char **port)
{
	const char *colon = strrchr(spec, ':');
	size_t hl;

	*port = NULL;
	if (spec[0] == '[') {
		const char *rb = strchr(spec, ']');

		if (rb == NULL || (rb[1] != '\0' && rb[1] != ':'))
			return false;
		hl = (size_t)(rb - spec - 1);
		*port = rb[1] == ':' ? rb + 2 : NULL;
	} else if (colon != NULL && strchr(spec, ':') == colon) {
		hl = (size_t)(colon - spec);
		*port = colon + 1;
	} else {
		/* No colon, or a bare IPv6 address. */
		hl = strlen(spec);
	}
	if (hl >= hostlen)
		return false;
	memcpy(host, spec + (spec[0] == '['), hl);
	host[hl] = '\0';
	return true;
}

bool
bind_addr_parse(const char *spec, unsigned default_port, struct bind_addr *out)
{
	char host[INET6_ADDRSTRLEN + 2];
	const char *port;
	unsigned long pn = default_port;
	struct sockaddr_in *v4 = (struct sockaddr_in *)&out->ss;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&out->ss;

	if (!split(spec, host, sizeof(host), &port))
		return false;
	if (port != NULL) {
		char *end;

		errno = 0;
		pn = strtoul(port, &end, 10);
		if (*port == '\0' || *end != '\0' || errno != 0 || pn > 65535)
			return false;
	}
	memset(out, 0, sizeof(*out));
	snprintf(out->host, sizeof(out->host), "%s", host);
	if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons((uint16_t)pn);
		out->len = sizeof(*v4);
		snprintf(out->text, sizeof(out->text), "%s:%lu", host, pn);
		return true;
	}
	if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons((uint16_t)pn);
		out->len = sizeof(*v6);
		snprintf(out->text, sizeof(out->text), "[%s]:%lu", host, pn);
		return true;
	}
	return false;
}

int
bind_addr_open(const struct bind_addr *a, int type, char *errmsg, size_t errlen)
{
	int fd, one = 1;

	fd = socket(a->ss.ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(errmsg, errlen, "cannot listen on '%s': %s", a->text,
		    strerror(errno));
		return -1;
	}
	/* (void): both are best effort; bind reports what matters. */
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (a->ss.ss_family == AF_INET6)
		(void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one,
		    sizeof(one));
	if (bind(fd, (const struct sockaddr *)&a->ss, a->len) < 0 ||
	    (type == SOCK_STREAM && listen(fd, 128) < 0)) {
		int e = errno;

		close(fd);
		snprintf(errmsg, errlen, "cannot listen on '%s': %s", a->text,
		    strerror(e));
		return -1;
	}
	return fd;
}
