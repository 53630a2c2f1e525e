/*
 * bind_addr.h - the addresses our servers listen on: the listener's SMTP,
 * and the sender test's DNS and HTTPS. One parser for "ADDR:PORT",
 * "[V6]:PORT", "ADDR" and a bare IPv6 address, one way to open the socket
 * (non-blocking, close-on-exec, IPv6-only for IPv6: never a wildcard the
 * caller did not name).
 */
#ifndef SMTPTLS_BIND_ADDR_H
#define SMTPTLS_BIND_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

struct bind_addr {
	struct sockaddr_storage ss;
	socklen_t len;
	char text[64]; /* "127.10.0.1:25", "[::1]:25" */
	char host[48]; /* the address alone: "127.10.0.1", "::1" */
};

/* Parse spec (port default_port when it names none); false when it is
 * not a numeric address with an optional port 0-65535. */
bool bind_addr_parse(const char *spec, unsigned default_port,
    struct bind_addr *out);

/* A socket of type SOCK_STREAM (listening, backlog 128) or SOCK_DGRAM
 * bound to a; -1 with errmsg ("cannot listen on 'A': why") on failure. */
int bind_addr_open(const struct bind_addr *a, int type, char *errmsg,
    size_t errlen);

#endif
