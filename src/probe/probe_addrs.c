/*
 * probe_addrs.c - the address list of a probe: every address of every MX
 * host (IPv4 first, sorted), or the --host literal, as the sessions use it.
 */
#include "probe_internal.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

#include "st_limits.h"

#include "banned.h"

static int
addr_cmp(const void *a, const void *b)
{
	const struct probe_addr *x = a, *y = b;
	unsigned char bx[16], by[16];
	size_t len = x->family == AF_INET6 ? 16 : 4;

	if (x->family != y->family)
		return x->family == AF_INET ? -1 : 1;
	inet_pton(x->family, x->address, bx);
	inet_pton(y->family, y->address, by);
	return memcmp(bx, by, len);
}

/* literal_addr - the one address of an MX given as an address literal,
 * unless its family is turned off */
static enum st_err
literal_addr(const struct probe_result *r, struct probe_mx *m)
{
	unsigned char tmp[16];
	int fam = inet_pton(AF_INET, m->name, tmp) == 1 ? AF_INET : AF_INET6;

	if ((fam == AF_INET && !r->opt.ipv4) ||
	    (fam == AF_INET6 && !r->opt.ipv6))
		return ST_OK;
	if ((m->addrs = calloc(1, sizeof(*m->addrs))) == NULL)
		return ST_ERR_NOMEM;
	snprintf(m->addrs[0].address, sizeof(m->addrs[0].address), "%s",
	    m->name);
	m->addrs[0].family = fam;
	m->addrs[0].mx = m;
	m->naddrs = 1;
	return ST_OK;
}

/* resolved_addrs - an MX host's A and AAAA addresses, IPv4 first, sorted */
static enum st_err
resolved_addrs(struct probe_mx *m)
{
	size_t na = m->have_a ? m->a.ntext : 0;
	size_t n6 = m->have_aaaa ? m->aaaa.ntext : 0;

	/* Bogus address records are not used (a validating sender gets
	 * SERVFAIL); the caps bound hostile answers. */
	if (m->have_a && m->a.dnssec == DNSSEC_BOGUS)
		na = 0;
	if (m->have_aaaa && m->aaaa.dnssec == DNSSEC_BOGUS)
		n6 = 0;
	if (na > DNS_ADDR_MAX)
		na = DNS_ADDR_MAX;
	if (n6 > DNS_ADDR_MAX)
		n6 = DNS_ADDR_MAX;
	if (na + n6 == 0)
		return ST_OK;
	if ((m->addrs = calloc(na + n6, sizeof(*m->addrs))) == NULL)
		return ST_ERR_NOMEM;
	for (size_t k = 0; k < na; k++) {
		snprintf(m->addrs[k].address, sizeof(m->addrs[k].address), "%s",
		    m->a.text[k]);
		m->addrs[k].family = AF_INET;
		m->addrs[k].mx = m;
	}
	for (size_t k = 0; k < n6; k++) {
		struct probe_addr *pa = &m->addrs[na + k];

		snprintf(pa->address, sizeof(pa->address), "%s",
		    m->aaaa.text[k]);
		pa->family = AF_INET6;
		pa->mx = m;
	}
	m->naddrs = na + n6;
	qsort(m->addrs, m->naddrs, sizeof(*m->addrs), addr_cmp);
	return ST_OK;
}

/* build_addrs - the address list of every MX host, IPv4 first, sorted */
enum st_err
probe_build_addrs(struct probe_result *r)
{
	unsigned order = 0;
	enum st_err err;

	for (size_t i = 0; i < r->nmx; i++) {
		struct probe_mx *m = &r->mx[i];

		err = m->literal ? literal_addr(r, m) : resolved_addrs(m);
		if (err != ST_OK)
			return err;
	}
	for (size_t i = 0; i < r->nmx; i++)
		for (size_t k = 0; k < r->mx[i].naddrs; k++)
			r->mx[i].addrs[k].order = order++;
	return ST_OK;
}
