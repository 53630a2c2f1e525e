/*
 * testzone_scen.c - the sender test's scenarios and the zone records that
 * make them (see testzone.h).
 *
 * Names, for scenario S of zone Z:
 *   S.Z             the mail domain: MX 10 mx-S.Z
 *   mx-S.Z          its MX host, one label below Z so that a certificate
 *                   for *.Z covers every MX host
 *   _25._tcp.mx-S.Z the TLSA RRset (RFC 7672 3)
 *   _mta-sts.S.Z    the MTA-STS TXT record (RFC 8461 3.1)
 *   mta-sts.S.Z     the policy host (RFC 8461 3.2; not covered by *.Z:
 *                   the valid certificate must name it)
 * plus Z's SOA and NS (ns.Z). TTLs are short so that a rerun's records
 * are not hidden by a sender's cache.
 */
#include "testzone.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ascii.h"
#include "buf.h"

#include "banned.h"

#define TZ_TTL 60
/* A SPKI hash no server of the test shows (TZ_TLSA_MISMATCH). */
#define TZ_FOREIGN_SPKI                                                        \
	"0000000000000000000000000000000000000000000000000000000000000001"

static const struct tz_scenario scenarios[] = {
	{ "notls", "no STARTTLS offered", TZ_CERT_NONE, TZ_TLSA_NONE,
	    TZ_STS_NONE, false },
	{ "untrusted", "STARTTLS with a self-signed certificate",
	    TZ_CERT_UNTRUSTED, TZ_TLSA_NONE, TZ_STS_NONE, false },
	{ "valid", "STARTTLS with the valid certificate", TZ_CERT_VALID,
	    TZ_TLSA_NONE, TZ_STS_NONE, false },
	{ "dane-ok", "TLSA 3 1 1 matches a self-signed certificate",
	    TZ_CERT_UNTRUSTED, TZ_TLSA_MATCH, TZ_STS_NONE, false },
	{ "dane-mismatch", "TLSA does not match; the certificate is valid",
	    TZ_CERT_VALID, TZ_TLSA_MISMATCH, TZ_STS_NONE, false },
	{ "dane-lookup-fails", "the TLSA RRset's signature fails (bogus)",
	    TZ_CERT_VALID, TZ_TLSA_LOOKUP_FAILS, TZ_STS_NONE, false },
	{ "sts-badcert", "MTA-STS enforce; the MX certificate is self-signed",
	    TZ_CERT_UNTRUSTED, TZ_TLSA_NONE, TZ_STS_ENFORCE, true },
	{ "sts-unlisted", "MTA-STS enforce; the policy does not list the MX",
	    TZ_CERT_VALID, TZ_TLSA_NONE, TZ_STS_ENFORCE, false },
	{ "sts-testing", "MTA-STS testing; the MX certificate is self-signed",
	    TZ_CERT_UNTRUSTED, TZ_TLSA_NONE, TZ_STS_TESTING, true },
	{ "dane-sts", "DANE matches, MTA-STS enforce fails: DANE wins",
	    TZ_CERT_UNTRUSTED, TZ_TLSA_MATCH, TZ_STS_ENFORCE, true },
};

static_assert(sizeof(scenarios) / sizeof(scenarios[0]) <= TZ_SCENARIOS_MAX,
    "TZ_SCENARIOS_MAX holds every scenario");

const struct tz_scenario *
testzone_scenarios(size_t *n)
{
	*n = sizeof(scenarios) / sizeof(scenarios[0]);
	return scenarios;
}

const struct tz_scenario *
testzone_scenario(const char *name)
{
	for (size_t i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++)
		if (strcmp(scenarios[i].name, name) == 0)
			return &scenarios[i];
	return NULL;
}

bool
testzone_name_ok(const char *name, const char **why)
{
	size_t len = strlen(name);

	if (!ascii_is_hostname(name) || name[len - 1] == '.')
		return *why = "is not a host name (no final dot)", false;
	if (len > 200)
		return *why = "is over 200 octets (room for the scenario "
		              "names)",
		       false;
	if (strchr(name, '.') == NULL)
		return *why = "needs at least two labels (a zone delegated to "
		              "this host)",
		       false;
	for (size_t i = 0; i < len; i++)
		if (name[i] >= 'A' && name[i] <= 'Z')
			return *why = "must be lower case", false;
	return true;
}

const char *
testzone_smtp_addr(const struct tz_params *p, size_t i)
{
	return p->smtp_addrs[i % p->nsmtp];
}

/* addr_rr - an A or AAAA line for owner */
static bool
addr_rr(struct buf *b, const char *owner, const char *addr)
{
	return buf_printf(b, "%s. %d IN %s %s\n", owner, TZ_TTL,
	           strchr(addr, ':') != NULL ? "AAAA" : "A", addr) == ST_OK;
}

static bool
scenario_rrs(struct buf *b, const struct tz_params *p,
    const struct tz_scenario *s, size_t i)
{
	const char *z = p->zone, *n = s->name, *spki = NULL;
	char mx[300];
	bool ok = true;

	snprintf(mx, sizeof(mx), "mx-%s.%s", n, z);
	ok = ok && buf_printf(b, "%s.%s. %d IN MX 10 %s.\n", n, z, TZ_TTL,
	               mx) == ST_OK;
	ok = ok && addr_rr(b, mx, testzone_smtp_addr(p, i));
	if (s->tlsa == TZ_TLSA_MISMATCH)
		spki = TZ_FOREIGN_SPKI;
	else if (s->tlsa != TZ_TLSA_NONE)
		spki = p->spki[i];
	if (spki != NULL)
		ok = ok && buf_printf(b, "_25._tcp.%s. %d IN TLSA 3 1 1 %s\n",
		               mx, TZ_TTL, spki) == ST_OK;
	if (s->sts != TZ_STS_NONE) {
		ok = ok && buf_printf(b,
		               "_mta-sts.%s.%s. %d IN TXT \"v=STSv1; id=%s\"\n",
		               n, z, TZ_TTL, p->sts_id) == ST_OK;
		snprintf(mx, sizeof(mx), "mta-sts.%s.%s", n, z);
		ok = ok && addr_rr(b, mx, p->https_addr);
	}
	return ok;
}

static bool
hex64_ok(const char *h)
{
	if (h == NULL || strlen(h) != 64)
		return false;
	for (size_t i = 0; i < 64; i++)
		if (!ascii_is_hex((unsigned char)h[i]) ||
		    (h[i] >= 'A' && h[i] <= 'F'))
			return false;
	return true;
}

static bool
params_ok(const struct tz_params *p)
{
	const char *why;

	if (p->zone == NULL || !testzone_name_ok(p->zone, &why) ||
	    p->dns_addr == NULL || p->https_addr == NULL || p->nsmtp == 0 ||
	    p->smtp_addrs == NULL || p->spki == NULL || p->sts_id == NULL ||
	    p->sts_id[0] == '\0' || strlen(p->sts_id) > 32)
		return false;
	for (size_t i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++)
		if (scenarios[i].tlsa != TZ_TLSA_NONE &&
		    scenarios[i].tlsa != TZ_TLSA_MISMATCH &&
		    !hex64_ok(p->spki[i]))
			return false;
	for (size_t i = 0; p->sts_id[i] != '\0'; i++)
		if (!ascii_is_alnum((unsigned char)p->sts_id[i]))
			return false;
	return true;
}

enum st_err
testzone_records(const struct tz_params *p, char **out)
{
	const char *z = p->zone;
	struct buf b;
	bool ok;

	*out = NULL;
	if (!params_ok(p))
		return ST_ERR_INVAL;
	buf_init(&b, 1 << 20);
	ok = buf_printf(&b,
	         "%s. %d IN SOA ns.%s. hostmaster.%s. 1 3600 600 86400 %d\n", z,
	         TZ_TTL, z, z, TZ_TTL) == ST_OK &&
	     buf_printf(&b, "%s. %d IN NS ns.%s.\n", z, TZ_TTL, z) == ST_OK;
	{
		char ns[300];

		snprintf(ns, sizeof(ns), "ns.%s", z);
		ok = ok && addr_rr(&b, ns, p->dns_addr);
	}
	for (size_t i = 0; ok && i < sizeof(scenarios) / sizeof(scenarios[0]);
	     i++)
		ok = scenario_rrs(&b, p, &scenarios[i], i);
	if (!ok) {
		buf_release(&b);
		return ST_ERR_NOMEM;
	}
	*out = buf_take(&b);
	return *out != NULL ? ST_OK : ST_ERR_NOMEM;
}

char *
testzone_sts_policy(const struct tz_params *p, const struct tz_scenario *s)
{
	struct buf b;
	bool ok;

	if (s->sts == TZ_STS_NONE)
		return NULL;
	buf_init(&b, 4096);
	ok = buf_printf(&b, "version: STSv1\r\nmode: %s\r\n",
	         s->sts == TZ_STS_ENFORCE ? "enforce" : "testing") == ST_OK;
	/* The MX a policy lists instead of the scenario's own lies outside
	 * every name the valid certificate may hold (RFC 6761 .invalid):
	 * Postfix with postfix-mta-sts-resolver checks the certificate
	 * against the policy's mx patterns rather than the MX name against
	 * them, so a listed mx-elsewhere.ZONE under the certificate's *.ZONE
	 * let it deliver where RFC 8461 4.1 says defer. */
	if (s->sts_lists_mx)
		ok = ok && buf_printf(&b, "mx: mx-%s.%s\r\n", s->name,
		               p->zone) == ST_OK;
	else
		ok = ok &&
		     buf_printf(&b, "mx: mx.elsewhere.invalid\r\n") == ST_OK;
	ok = ok && buf_printf(&b, "max_age: 86400\r\n") == ST_OK;
	if (!ok) {
		buf_release(&b);
		return NULL;
	}
	return buf_take(&b);
}
