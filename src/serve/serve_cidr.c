/*
 * serve_cidr.c - the networks of --allow-from: parse ADDR[/BITS] and test
 * a client address against one. Pure; inet_pton does the address syntax.
 */
#include "smtptls/serve.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "banned.h"

/* longest text: "[" IPv6 "]/128" */
#define CIDR_TEXT_MAX (INET6_ADDRSTRLEN + 8)

/* parse_bits - "/N" with 0 <= N <= max, or "" for a host route */
static bool
parse_bits(const char *s, unsigned max, unsigned *bits)
{
	unsigned long v;
	char *end;

	if (*s == '\0') {
		*bits = max;
		return true;
	}
	if (s[0] != '/' || s[1] < '0' || s[1] > '9' || strlen(s) > 4)
		return false;
	v = strtoul(s + 1, &end, 10);
	if (*end != '\0' || v > max)
		return false;
	*bits = (unsigned)v;
	return true;
}

enum st_err
serve_cidr_parse(const char *s, struct serve_cidr *c, char *why, size_t whylen)
{
	char text[CIDR_TEXT_MAX];
	const char *slash = strchr(s, '/'), *a = text;
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);

	memset(c, 0, sizeof(*c));
	if (alen == 0 || alen >= sizeof(text)) {
		snprintf(why, whylen, "expected ADDRESS[/BITS]");
		return ST_ERR_PARSE;
	}
	memcpy(text, s, alen);
	text[alen] = '\0';
	if (text[0] == '[' && text[alen - 1] == ']') {
		text[alen - 1] = '\0';
		a = text + 1;
	}
	if (inet_pton(AF_INET, a, c->addr) == 1 && a == text)
		c->family = AF_INET;
	else if (inet_pton(AF_INET6, a, c->addr) == 1)
		c->family = AF_INET6;
	else {
		snprintf(why, whylen, "not an IPv4 or IPv6 address");
		return ST_ERR_PARSE;
	}
	if (!parse_bits(slash ? slash : "", c->family == AF_INET ? 32 : 128,
	        &c->bits)) {
		snprintf(why, whylen, "prefix length must be /0-/%d",
		    c->family == AF_INET ? 32 : 128);
		return ST_ERR_PARSE;
	}
	for (unsigned i = c->bits; i < (c->family == AF_INET ? 32u : 128u); i++)
		if (c->addr[i / 8] & (0x80 >> (i % 8))) {
			snprintf(why, whylen,
			    "address has bits set past the prefix length");
			return ST_ERR_PARSE;
		}
	return ST_OK;
}

bool
serve_cidr_match(const struct serve_cidr *c, const struct sockaddr *sa)
{
	static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		0xff, 0xff };
	const unsigned char *a;
	int family = sa->sa_family;
	unsigned i;

	if (family == AF_INET)
		a = (const unsigned char *)&((const struct sockaddr_in *)sa)
		        ->sin_addr;
	else if (family == AF_INET6) {
		a = ((const struct sockaddr_in6 *)sa)->sin6_addr.s6_addr;
		/* A dual-stack socket shows IPv4 clients as ::ffff:a.b.c.d. */
		if (c->family == AF_INET && memcmp(a, mapped, 12) == 0) {
			a += 12;
			family = AF_INET;
		}
	} else
		return false;
	if (family != c->family)
		return false;
	for (i = 0; i + 8 <= c->bits; i += 8)
		if (a[i / 8] != c->addr[i / 8])
			return false;
	return i == c->bits ||
	       ((a[i / 8] ^ c->addr[i / 8]) & (0xff00 >> (c->bits - i))) == 0;
}
