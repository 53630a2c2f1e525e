/*
 * serve_params.c - what a request may ask a probe for: the parameters of
 * GET /probe and /report, and the refusal of targets that would make the
 * server connect into its own network (special-purpose addresses). The
 * lookups go through the probe's DNS adapter (dns.h); nothing here opens
 * an SMTP or HTTPS connection.
 */
#include "smtptls/serve.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <ldns/ldns.h>

#include "smtptls/probe.h"
#include "ascii.h"
#include "dns.h"
#include "ipaddr.h"
#include "smtp_params.h"
#include "st_limits.h"
#include "trust_store.h"

#include "banned.h"

const char *
serve_params_problem(const char *target, const char *level, const char *rcpt)
{
	if (target == NULL || *target == '\0')
		return "missing parameter: target=DOMAIN";
	/* A domain only: the server never takes --host, so a stranger
	 * cannot point it at an address and port of their choice. */
	if (!ascii_is_hostname(target))
		return "invalid target: expected a domain name";
	if (level != NULL && probe_level_parse(level) < 0)
		return "invalid level: expected opportunistic, encrypt, verify, "
		       "dane, mta-sts or secure";
	if (rcpt != NULL && smtp_mailbox_problem(rcpt) != NULL)
		return "invalid rcpt: expected a mailbox (user@domain)";
	return NULL;
}

/* host_special - whether NAME has an address record (of the families the
 * probe uses) in a special-purpose range */
static enum st_err
host_special(const struct dns_config *cfg, const struct probe_options *o,
    const char *name, bool *special, char *errmsg, size_t errlen)
{
	static const struct {
		uint16_t type;
		int family;
	} fam[] = { { LDNS_RR_TYPE_A, AF_INET },
		{ LDNS_RR_TYPE_AAAA, AF_INET6 } };

	for (size_t f = 0; f < 2 && !*special; f++) {
		struct dns_answer a;
		enum st_err err;

		if ((fam[f].family == AF_INET && !o->ipv4) ||
		    (fam[f].family == AF_INET6 && !o->ipv6))
			continue;
		if ((err = dns_lookup(cfg, name, fam[f].type, &a)) != ST_OK) {
			snprintf(errmsg, errlen, "%s", a.errmsg);
			dns_answer_release(&a);
			return err;
		}
		for (size_t i = 0; i < a.ntext && !*special; i++) {
			unsigned char bin[16];

			*special =
			    inet_pton(fam[f].family, a.text[i], bin) != 1 ||
			    ipaddr_special(fam[f].family, bin);
		}
		dns_answer_release(&a);
	}
	return ST_OK;
}

/* mx_special - the MX hosts of domain, or the domain itself when it has
 * no MX records (RFC 5321 5.1); nothing for a null MX (RFC 7505) */
static enum st_err
mx_special(const struct dns_config *cfg, const struct probe_options *o,
    const char *domain, bool *special, char *errmsg, size_t errlen)
{
	struct dns_answer mx;
	enum st_err err = dns_lookup(cfg, domain, LDNS_RR_TYPE_MX, &mx);

	if (err != ST_OK)
		snprintf(errmsg, errlen, "%s", mx.errmsg);
	else if (mx.nmx == 0)
		err = host_special(cfg, o, domain, special, errmsg, errlen);
	for (size_t i = 0;
	     err == ST_OK && i < mx.nmx && i < DNS_MX_MAX && !*special; i++)
		if (mx.mx[i].exchange[0] != '\0')
			err = host_special(cfg, o, mx.mx[i].exchange, special,
			    errmsg, errlen);
	dns_answer_release(&mx);
	return err;
}

enum st_err
serve_target_guard(const struct probe_options *o, const char *domain,
    bool *special, char *errmsg, size_t errlen)
{
	struct dns_config cfg;
	char sts[300];
	enum st_err err;

	*special = false;
	errmsg[0] = '\0';
	/* Addresses only: DNSSEC does not matter here, so no trust anchor. */
	err = dns_config_init(&cfg, o->resolvers, o->nresolvers, o->resolv_conf,
	    o->timeout_ms, NULL, errmsg, errlen);
	if (err != ST_OK)
		return err == ST_ERR_NOMEM ? err : ST_ERR_INVAL;
	err = mx_special(&cfg, o, domain, special, errmsg, errlen);
	/* The MTA-STS policy fetch connects to mta-sts.DOMAIN (RFC 8461
	 * 3.3): the same rule. */
	if (err == ST_OK && !*special && !o->no_mta_sts) {
		snprintf(sts, sizeof(sts), "mta-sts.%s", domain);
		err = host_special(&cfg, o, sts, special, errmsg, errlen);
	}
	dns_config_release(&cfg);
	return err;
}

enum st_err
serve_config_check(const struct probe_options *o, char *errmsg, size_t errlen)
{
	struct trust_store ts;
	struct dns_config cfg;
	enum st_err err;

	errmsg[0] = '\0';
	err = dns_config_init(&cfg, o->resolvers, o->nresolvers, o->resolv_conf,
	    o->timeout_ms, o->trust_anchor, errmsg, errlen);
	if (err != ST_OK)
		return err == ST_ERR_NOMEM ? err : ST_ERR_INVAL;
	dns_config_release(&cfg);
	return trust_store_pick(&ts, o->ca_file, o->ca_path, o->ca_env_file,
	    o->ca_env_dir, errmsg, errlen);
}
