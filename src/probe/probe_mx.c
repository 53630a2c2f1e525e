/*
 * probe_mx.c - the probe's MX host list: from the MX answer (a null MX
 * ends it, "." among other records is skipped), the implicit MX, or the
 * --host target, in the answer's order.
 */
#include "probe_internal.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

#include "banned.h"

static enum st_err
mx_add(struct probe_result *r, const char *name, int pref, const char *source,
    bool literal)
{
	struct probe_mx *m;

	m = &r->mx[r->nmx];
	memset(m, 0, sizeof(*m));
	if ((m->name = strdup(name)) == NULL)
		return ST_ERR_NOMEM;
	m->preference = pref;
	m->source = source;
	m->literal = literal;
	m->order = (unsigned)r->nmx;
	r->nmx++;
	return ST_OK;
}

/* probe_mx_hosts - the MX hosts of the answer (or the --host, or the
 * implicit MX of RFC 5321 5.1) into r->mx */
enum st_err
probe_mx_hosts(struct probe_result *r)
{
	if (r->kind == TARGET_HOST) {
		unsigned char tmp[16];
		bool lit = inet_pton(AF_INET, r->host, tmp) == 1 ||
		           inet_pton(AF_INET6, r->host, tmp) == 1;

		if ((r->mx = calloc(1, sizeof(*r->mx))) == NULL)
			return ST_ERR_NOMEM;
		return mx_add(r, r->host, -1, "host", lit);
	}
	r->have_mxans = true;
	if (r->mxans.err != ST_OK || r->mxans.rcode != LDNS_RCODE_NOERROR ||
	    r->mxans.dnssec == DNSSEC_BOGUS)
		return ST_OK;
	if (r->mxans.nmx == 1 && r->mxans.mx[0].exchange[0] == '\0') {
		r->null_mx = true;
		return ST_OK;
	}
	r->mx = calloc(r->mxans.nmx ? r->mxans.nmx : 1, sizeof(*r->mx));
	if (r->mx == NULL)
		return ST_ERR_NOMEM;
	if (r->mxans.nmx == 0) {
		r->implicit = true;
		return mx_add(r, r->domain, 0, "implicit", false);
	}
	for (size_t i = 0; i < r->mxans.nmx; i++) {
		/* A "." among other records (RFC 7505 3) is no host. */
		if (r->mxans.mx[i].exchange[0] == '\0')
			continue;
		if (mx_add(r, r->mxans.mx[i].exchange,
		        r->mxans.mx[i].preference, "mx", false) != ST_OK)
			return ST_ERR_NOMEM;
	}
	return ST_OK;
}
