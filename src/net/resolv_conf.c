/*
 * resolv_conf.c - resolv.conf(5) text to struct resolv_conf (see the
 * header for the grammar and where it differs from glibc).
 *
 * Owns nothing; does no I/O (dns_config.c reads the file). Bytes are taken
 * as they come: a line is everything up to '\n', fields are bounded, and
 * nothing past the given length is read.
 */
#include "resolv_conf.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "banned.h"

struct span {
	const char *p;
	size_t len;
};

static bool
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* next_token - the next run of non-blanks in *line, consumed from it */
static struct span
next_token(struct span *line)
{
	struct span t;

	while (line->len > 0 && is_blank(*line->p)) {
		line->p++;
		line->len--;
	}
	t.p = line->p;
	while (line->len > 0 && !is_blank(*line->p)) {
		line->p++;
		line->len--;
	}
	t.len = (size_t)(line->p - t.p);
	return t;
}

/* keyword - the line starts with KW followed by a blank (glibc MATCH);
 * on a match *line is what follows the keyword */
static bool
keyword(struct span *line, const char *kw)
{
	size_t n = strlen(kw);

	if (line->len <= n || memcmp(line->p, kw, n) != 0 ||
	    !is_blank(line->p[n]))
		return false;
	line->p += n;
	line->len -= n;
	return true;
}

enum ns_kind { NS_BAD, NS_OK, NS_ZONED };

/* ns_address - a nameserver token to canonical text in out: IPv4 as
 * inet_aton reads it (glibc's __inet_aton_exact), or IPv6 with an optional
 * "%zone" (ignored for addresses that do not need one) */
static enum ns_kind
ns_address(struct span tok, char *out, size_t outlen)
{
	char s[INET6_ADDRSTRLEN + 64];
	unsigned char b6[16];
	struct in_addr a4;
	char *zone;

	if (tok.len == 0 || tok.len >= sizeof(s) ||
	    memchr(tok.p, '\0', tok.len) != NULL)
		return NS_BAD;
	memcpy(s, tok.p, tok.len);
	s[tok.len] = '\0';
	if (inet_aton(s, &a4) != 0)
		return inet_ntop(AF_INET, &a4, out, (socklen_t)outlen) != NULL
		           ? NS_OK
		           : NS_BAD;
	if ((zone = strchr(s, '%')) != NULL)
		*zone = '\0';
	if (inet_pton(AF_INET6, s, b6) != 1 ||
	    inet_ntop(AF_INET6, b6, out, (socklen_t)outlen) == NULL)
		return NS_BAD;
	/* fe80::/10: the zone says which link; ldns cannot carry it. */
	if (zone != NULL && b6[0] == 0xfe && (b6[1] & 0xc0) == 0x80)
		return NS_ZONED;
	return NS_OK;
}

static void
add_nameserver(struct resolv_conf *rc, struct span rest)
{
	char addr[sizeof(rc->servers[0].addr)];
	enum ns_kind k = ns_address(next_token(&rest), addr, sizeof(addr));

	if (k == NS_BAD) {
		rc->nbad++;
		return;
	}
	if (rc->nservers + rc->nzoned >= RESOLV_CONF_NS_MAX) {
		rc->nextra++;
		return;
	}
	if (k == NS_ZONED) {
		rc->nzoned++;
		return;
	}
	snprintf(rc->servers[rc->nservers].addr,
	    sizeof(rc->servers[rc->nservers].addr), "%s", addr);
	rc->servers[rc->nservers].port = 53;
	rc->nservers++;
}

/* option_value - N of "NAME:N" (leading digits, as atoi reads them),
 * 0 stands for 1, values above max are max; false when tok is not NAME:
 * or has no digit */
static bool
option_value(struct span tok, const char *name, unsigned max, unsigned *v)
{
	size_t n = strlen(name), i;
	unsigned x = 0;

	if (tok.len <= n || memcmp(tok.p, name, n) != 0 || tok.p[n] < '0' ||
	    tok.p[n] > '9')
		return false;
	for (i = n; i < tok.len && tok.p[i] >= '0' && tok.p[i] <= '9'; i++)
		if ((x = x * 10 + (unsigned)(tok.p[i] - '0')) > max)
			x = max + 1; /* saturate: no overflow on long runs */
	*v = x == 0 ? 1 : x > max ? max : x;
	return true;
}

static void
add_options(struct resolv_conf *rc, struct span rest)
{
	struct span tok;

	while ((tok = next_token(&rest)).len > 0) {
		unsigned v;

		if (option_value(tok, "timeout:", RESOLV_CONF_TIMEOUT_MAX, &v))
			rc->timeout_s = v;
		else if (option_value(tok,
		             "attempts:", RESOLV_CONF_ATTEMPTS_MAX, &v))
			rc->attempts = v;
	}
}

void
resolv_conf_parse(const char *text, size_t len, struct resolv_conf *rc)
{
	const char *end = text + len;

	memset(rc, 0, sizeof(*rc));
	while (text < end) {
		const char *nl = memchr(text, '\n', (size_t)(end - text));
		struct span line = { text, (size_t)((nl ? nl : end) - text) };

		text = nl ? nl + 1 : end;
		if (line.len == 0 || line.p[0] == '#' || line.p[0] == ';')
			continue;
		if (keyword(&line, "nameserver"))
			add_nameserver(rc, line);
		else if (keyword(&line, "options"))
			add_options(rc, line);
		/* search, domain, sortlist and anything else: not ours */
	}
}
