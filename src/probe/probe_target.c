/*
 * probe_target.c - what a probe is pointed at: the domain, the address
 * (user@domain) or the --host value, checked and normalised, and the name
 * sent in EHLO.
 */
#include "probe_internal.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "domain_name.h"

#include "banned.h"

/* normalize_domain - domain_name_normalize() into a new string: NULL with
 * errmsg set for a bad name, NULL with errmsg empty when out of memory */
static char *
normalize_domain(const char *in, char *errmsg, size_t errlen)
{
	char d[DOMAIN_NAME_MAX + 1];
	char *s;

	errmsg[0] = '\0';
	if (domain_name_normalize(in, strlen(in), d, errmsg, errlen) != ST_OK)
		return NULL;
	if ((s = strdup(d)) == NULL)
		errmsg[0] = '\0';
	return s;
}

/* parse_host - "name", "name:port", "[addr]", "[addr]:port", "addr" */
static enum st_err
parse_host(struct probe_result *r, const char *spec, char *errmsg,
    size_t errlen)
{
	char host[300];
	const char *p;
	unsigned char tmp[16];

	if (spec[0] == '[') {
		p = strchr(spec, ']');
		if (p == NULL || (size_t)(p - spec - 1) >= sizeof(host))
			goto bad;
		memcpy(host, spec + 1, (size_t)(p - spec - 1));
		host[p - spec - 1] = '\0';
		p++;
	} else {
		const char *colon = strrchr(spec, ':');

		if (colon != NULL && strchr(spec, ':') != colon)
			colon = NULL; /* bare IPv6 literal */
		p = colon != NULL ? colon : spec + strlen(spec);
		if ((size_t)(p - spec) >= sizeof(host))
			goto bad;
		memcpy(host, spec, (size_t)(p - spec));
		host[p - spec] = '\0';
	}
	if (*p == ':') {
		char *end;
		unsigned long port = strtoul(p + 1, &end, 10);

		if (*end != '\0' || port == 0 || port > 65535 || p[1] == '\0')
			goto bad;
		r->opt.port = (uint16_t)port;
	} else if (*p != '\0')
		goto bad;
	if (inet_pton(AF_INET, host, tmp) == 1 ||
	    inet_pton(AF_INET6, host, tmp) == 1) {
		if ((r->host = strdup(host)) == NULL)
			return ST_ERR_NOMEM;
		return ST_OK;
	}
	if ((r->host = normalize_domain(host, errmsg, errlen)) == NULL)
		return errmsg[0] ? ST_ERR_INVAL : ST_ERR_NOMEM;
	return ST_OK;
bad:
	snprintf(errmsg, errlen, "invalid --host value '%.100s'", spec);
	return ST_ERR_INVAL;
}

/* CATCHALL_LOCAL_LEN - "smtptls-" and 16 hex digits (checks.md
 * rcpt.catchall), which replace the local part of the tested mailbox */
#define CATCHALL_LOCAL_LEN 24

/* check_mailbox - the mailbox to test, by the SMTP machine's own rule
 * (smtp_mailbox_problem); with --catchall its random twin must fit too */
static enum st_err
check_mailbox(const struct probe_result *r, char *errmsg, size_t errlen)
{
	const char *why = smtp_mailbox_problem(r->mailbox);

	if (why == NULL && r->opt.catchall &&
	    CATCHALL_LOCAL_LEN + strlen(strrchr(r->mailbox, '@')) >
	        SMTP_MAILBOX_MAX)
		why =
		    "its domain is too long for the random address of --catchall";
	if (why == NULL)
		return ST_OK;
	snprintf(errmsg, errlen, "invalid address to test: %s", why);
	return ST_ERR_INVAL;
}

/* target_host - --host: one server, no MX lookup; --rcpt runs there */
static enum st_err
target_host(struct probe_result *r, char *errmsg, size_t errlen)
{
	enum st_err err;

	r->kind = TARGET_HOST;
	if ((r->input = strdup(r->opt.host)) == NULL)
		return ST_ERR_NOMEM;
	if ((err = parse_host(r, r->opt.host, errmsg, errlen)) != ST_OK)
		return err;
	if (r->opt.rcpt == NULL)
		return ST_OK;
	if ((r->mailbox = strdup(r->opt.rcpt)) == NULL)
		return ST_ERR_NOMEM;
	return check_mailbox(r, errmsg, errlen);
}

enum st_err
probe_parse_target(struct probe_result *r, char *errmsg, size_t errlen)
{
	const struct probe_options *o = &r->opt;
	const char *at;

	errmsg[0] = '\0';
	if (o->host != NULL)
		return target_host(r, errmsg, errlen);
	if (o->target == NULL) {
		snprintf(errmsg, errlen, "no target given");
		return ST_ERR_INVAL;
	}
	if ((r->input = strdup(o->target)) == NULL)
		return ST_ERR_NOMEM;
	at = strrchr(o->target, '@');
	if (at != NULL) {
		r->kind = TARGET_ADDRESS;
		if (at == o->target) {
			snprintf(errmsg, errlen, "invalid address '%.100s'",
			    o->target);
			return ST_ERR_INVAL;
		}
		if ((r->mailbox = strdup(o->target)) == NULL)
			return ST_ERR_NOMEM;
		r->domain = normalize_domain(at + 1, errmsg, errlen);
	} else {
		r->kind = TARGET_DOMAIN;
		r->domain = normalize_domain(o->target, errmsg, errlen);
	}
	if (r->domain == NULL)
		return errmsg[0] ? ST_ERR_INVAL : ST_ERR_NOMEM;
	if (r->mailbox == NULL && o->rcpt != NULL &&
	    (r->mailbox = strdup(o->rcpt)) == NULL)
		return ST_ERR_NOMEM;
	return r->mailbox == NULL ? ST_OK : check_mailbox(r, errmsg, errlen);
}

/*
 * pick_ehlo - --ehlo, else the host name when it is fully qualified, else
 * "localhost". No resolver is asked: getaddrinfo() for a canonical name may
 * send the machine's name to the system's DNS, and a probe talks only to
 * the resolvers it was given.
 */
void
probe_pick_ehlo(struct probe_result *r)
{
	char host[256];

	if (r->opt.ehlo != NULL) {
		snprintf(r->ehlo, sizeof(r->ehlo), "%s", r->opt.ehlo);
		return;
	}
	snprintf(r->ehlo, sizeof(r->ehlo), "localhost");
	if (gethostname(host, sizeof(host)) != 0)
		return;
	host[sizeof(host) - 1] = '\0';
	/* Only a fully qualified name the SMTP machine accepts. */
	if (strchr(host, '.') != NULL && smtp_ehlo_name_problem(host) == NULL)
		snprintf(r->ehlo, sizeof(r->ehlo), "%s", host);
}
