/*
 * dns_config.c - the resolver configuration of a run: server addresses
 * (given, or from resolv.conf, see resolv_conf.h) and the parsed trust anchor.
 *
 * Owns the strings and ldns records in struct dns_config until
 * dns_config_release(). Reads files only here, at start-up; never prints.
 */
#include "dns.h"

#include <arpa/inet.h>
#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

#include "resolv_conf.h"

#include "banned.h"

#define DNS_SERVERS_MAX                                                        \
	(sizeof(((struct dns_config *)0)->servers) /                           \
	    sizeof(((struct dns_config *)0)->servers[0]))

/* anchor_read - a trust-anchor file: DS/DNSKEY records in zone-file
 * syntax, all of one owner (the anchor zone). */
static enum st_err
anchor_read(const char *path, ldns_rr_list **out, char *errmsg, size_t errlen)
{
	ldns_rr_list *l = NULL;
	ldns_rdf *origin = NULL, *prev = NULL;
	ldns_rr *rr = NULL;
	uint32_t ttl = 3600;
	ldns_status s;
	enum st_err err = ST_ERR_PARSE;
	FILE *fp;
	int line = 0; /* ldns counts the lines it has read */

	*out = NULL;
	if ((fp = fopen(path, "r")) == NULL) {
		snprintf(errmsg, errlen, "cannot open trust anchor '%s': %s",
		    path, strerror(errno));
		return ST_ERR_IO;
	}
	if ((l = ldns_rr_list_new()) == NULL) {
		err = ST_ERR_NOMEM;
		snprintf(errmsg, errlen, "out of memory");
		goto out;
	}
	while (!feof(fp)) {
		s = ldns_rr_new_frm_fp_l(&rr, fp, &ttl, &origin, &prev, &line);
		if (s == LDNS_STATUS_SYNTAX_EMPTY ||
		    s == LDNS_STATUS_SYNTAX_TTL ||
		    s == LDNS_STATUS_SYNTAX_ORIGIN)
			continue;
		if (s != LDNS_STATUS_OK) {
			snprintf(errmsg, errlen,
			    "trust anchor '%s' line %d: %s", path, line,
			    ldns_get_errorstr_by_id(s));
			goto out;
		}
		if ((ldns_rr_get_type(rr) != LDNS_RR_TYPE_DS &&
		        ldns_rr_get_type(rr) != LDNS_RR_TYPE_DNSKEY) ||
		    (ldns_rr_list_rr_count(l) > 0 &&
		        ldns_dname_compare(ldns_rr_owner(rr),
		            ldns_rr_owner(ldns_rr_list_rr(l, 0))) != 0)) {
			snprintf(errmsg, errlen,
			    "trust anchor '%s' line %d: "
			    "not a ds or dnskey record of the first record's "
			    "zone",
			    path, line);
			goto out;
		}
		if (!ldns_rr_list_push_rr(l, rr)) {
			err = ST_ERR_NOMEM;
			snprintf(errmsg, errlen, "out of memory");
			goto out;
		}
		rr = NULL;
	}
	if (ferror(fp) || ldns_rr_list_rr_count(l) == 0) {
		snprintf(errmsg, errlen, "trust anchor '%s': %s", path,
		    ferror(fp) ? "read error" : "no ds or dnskey record");
		goto out;
	}
	*out = l;
	l = NULL;
	err = ST_OK;
out:
	ldns_rr_free(rr);
	ldns_rr_list_deep_free(l);
	ldns_rdf_deep_free(origin);
	ldns_rdf_deep_free(prev);
	fclose(fp);
	return err;
}

/* parse_server - "ADDR", "ADDR:PORT", "[V6]:PORT", "[V6]" or bare V6. */
static bool
parse_server(const char *spec, struct dns_server *srv)
{
	char host[sizeof(srv->addr)];
	const char *h = spec, *port = NULL, *end;
	unsigned char bin[16];
	unsigned long p = 53;
	char *e;
	int af;

	if (*spec == '[') {
		h = spec + 1;
		if ((end = strchr(h, ']')) == NULL)
			return false;
		if (end[1] == ':')
			port = end + 2;
		else if (end[1] != '\0')
			return false;
		af = AF_INET6;
	} else if ((end = strchr(spec, ':')) != NULL &&
	           strchr(end + 1, ':') == NULL) {
		port = end + 1;
		af = AF_INET;
	} else {
		end = spec + strlen(spec);
		af = end != strchr(spec, ':') && strchr(spec, ':') != NULL
		         ? AF_INET6
		         : AF_INET;
	}
	if ((size_t)(end - h) >= sizeof(host) || end == h)
		return false;
	memcpy(host, h, (size_t)(end - h));
	host[end - h] = '\0';
	if (inet_pton(af, host, bin) != 1 ||
	    inet_ntop(af, bin, srv->addr, sizeof(srv->addr)) == NULL)
		return false;
	if (port != NULL) {
		if (*port < '0' || *port > '9')
			return false;
		p = strtoul(port, &e, 10);
		if (*e != '\0' || p == 0 || p > 65535)
			return false;
	}
	srv->port = (uint16_t)p;
	return true;
}

static_assert(RESOLV_CONF_NS_MAX <= DNS_SERVERS_MAX,
    "the servers of resolv.conf fit in dns_config");

/* resolv_conf_read - at most RESOLV_CONF_FILE_MAX bytes of PATH into buf
 * (size RESOLV_CONF_FILE_MAX); *len says how many */
static enum st_err
resolv_conf_read(const char *path, char *buf, size_t *len, char *errmsg,
    size_t errlen)
{
	FILE *fp;

	*len = 0;
	if ((fp = fopen(path, "r")) == NULL) {
		snprintf(errmsg, errlen,
		    "cannot read nameservers from '%s': %s", path,
		    strerror(errno));
		return ST_ERR_IO;
	}
	*len = fread(buf, 1, RESOLV_CONF_FILE_MAX, fp);
	if (ferror(fp)) {
		snprintf(errmsg, errlen,
		    "cannot read nameservers from '%s': "
		    "read error",
		    path);
		fclose(fp);
		return ST_ERR_IO;
	}
	fclose(fp);
	return ST_OK;
}

/* servers_from_resolv_conf - the nameservers and options of PATH */
static enum st_err
servers_from_resolv_conf(struct dns_config *cfg, const char *path, char *errmsg,
    size_t errlen)
{
	struct resolv_conf rc;
	enum st_err err;
	char *buf;
	size_t len;

	if ((buf = malloc(RESOLV_CONF_FILE_MAX)) == NULL) {
		snprintf(errmsg, errlen, "out of memory");
		return ST_ERR_NOMEM;
	}
	err = resolv_conf_read(path, buf, &len, errmsg, errlen);
	if (err == ST_OK)
		resolv_conf_parse(buf, len, &rc);
	free(buf);
	if (err != ST_OK)
		return err;
	memcpy(cfg->servers, rc.servers, rc.nservers * sizeof(rc.servers[0]));
	cfg->nservers = rc.nservers;
	cfg->rounds = rc.attempts ? rc.attempts : RESOLV_CONF_ATTEMPTS_DEFAULT;
	cfg->try_ms = rc.timeout_s * 1000u;
	if (cfg->nservers == 0) {
		snprintf(errmsg, errlen, "no usable nameserver in '%s'%s", path,
		    rc.nzoned ? " (link-local servers with a zone are not "
		                "supported)"
		              : "");
		return ST_ERR_IO;
	}
	return ST_OK;
}

enum st_err
dns_config_init(struct dns_config *cfg, const char *const *specs, size_t nspecs,
    const char *resolv_conf, unsigned timeout_ms, const char *trust_anchor,
    char *errmsg, size_t errlen)
{
	ldns_rr_list *anchor = NULL;
	enum st_err err;
	size_t i;

	memset(cfg, 0, sizeof(*cfg));
	if (errlen > 0)
		errmsg[0] = '\0';
	cfg->timeout_ms = timeout_ms;
	if (nspecs > DNS_SERVERS_MAX) {
		snprintf(errmsg, errlen,
		    "too many resolvers: %zu (at most %zu)", nspecs,
		    DNS_SERVERS_MAX);
		return ST_ERR_INVAL;
	}
	for (i = 0; i < nspecs; i++) {
		if (!parse_server(specs[i], &cfg->servers[i])) {
			snprintf(errmsg, errlen,
			    "invalid resolver address '%s'", specs[i]);
			memset(cfg, 0, sizeof(*cfg));
			return ST_ERR_INVAL;
		}
	}
	cfg->nservers = nspecs;
	if (nspecs == 0 && (err = servers_from_resolv_conf(cfg,
	                        resolv_conf ? resolv_conf : "/etc/resolv.conf",
	                        errmsg, errlen)) != ST_OK) {
		memset(cfg, 0, sizeof(*cfg));
		return err;
	}
	if (trust_anchor == NULL)
		return ST_OK;
	if ((err = anchor_read(trust_anchor, &anchor, errmsg, errlen)) !=
	    ST_OK) {
		memset(cfg, 0, sizeof(*cfg));
		return err;
	}
	if ((cfg->trust_anchor = strdup(trust_anchor)) == NULL) {
		ldns_rr_list_deep_free(anchor);
		memset(cfg, 0, sizeof(*cfg));
		snprintf(errmsg, errlen, "out of memory");
		return ST_ERR_NOMEM;
	}
	cfg->anchor = anchor;
	cfg->source = DNS_SRC_LOCAL;
	return ST_OK;
}

void
dns_config_release(struct dns_config *cfg)
{
	if (cfg == NULL)
		return;
	free(cfg->trust_anchor);
	ldns_rr_list_deep_free(cfg->anchor);
	memset(cfg, 0, sizeof(*cfg));
}

enum st_err
dns_config_copy(struct dns_config *dst, const struct dns_config *src)
{
	*dst = *src;
	dst->trust_anchor = NULL;
	dst->anchor = NULL;
	if (src->trust_anchor != NULL &&
	    (dst->trust_anchor = strdup(src->trust_anchor)) == NULL)
		goto nomem;
	if (src->anchor != NULL &&
	    (dst->anchor = ldns_rr_list_clone(src->anchor)) == NULL)
		goto nomem;
	return ST_OK;
nomem:
	dns_config_release(dst);
	return ST_ERR_NOMEM;
}
