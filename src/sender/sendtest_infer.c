/*
 * sendtest_infer.c - the policy table (see sendtest_infer.h).
 *
 * One letter per scenario of testzone_scen.c, in its order:
 *   notls untrusted valid dane-ok dane-mismatch dane-lookup-fails
 *   sts-badcert sts-unlisted sts-testing dane-sts
 * C delivered in cleartext, T delivered over TLS, X deferred; a scenario
 * not served (notls in SNI mode) is compared with nothing.
 *
 * Why each row reads as it does:
 * - verify needs a certificate a public CA chain and the MX name verify:
 *   the self-signed ones (untrusted, dane-ok, sts-badcert, sts-testing,
 *   dane-sts) defer; it reads no TLSA and no MTA-STS.
 * - dane (RFC 7672 2.2): a secure TLSA RRset must match (dane-mismatch
 *   defers; dane-ok delivers with a self-signed key), a TLSA lookup that
 *   fails defers ("bogus": 2.1.1), no TLSA falls back to the sender's
 *   opportunistic TLS.
 * - mta-sts (RFC 8461 4, 5): in enforce mode the MX must be listed
 *   (sts-unlisted defers) and pass PKIX (sts-badcert, dane-sts defer);
 *   testing mode delivers.
 * - dane+mta-sts: DANE wins where TLSA records exist (RFC 8461 2), so
 *   dane-sts delivers; elsewhere each rule as above.
 * The ESA rows follow Cisco's "DANE and MTA-STS Scenarios" tables. Exim
 * (hosts_try_dane, hosts_require_dane) fits the dane rows as Postfix does,
 * except that it bounces at once where hosts_require_dane finds no TLSA
 * (Postfix dane-only defers): it never connects, the same 'X' either way.
 */
#include "sendtest_infer.h"

#include <stdio.h>
#include <string.h>

#include "testzone.h"

#include "banned.h"

struct row {
	struct sendtest_policy pol;
	const char *expect; /* one letter per scenario */
};

static const struct row rows[] = {
	{ { "none", "Postfix none; Cisco ESA TLS No" }, "CCCCCCCCCC" },
	{ { "opportunistic",
	      "Postfix may; Exchange default (opportunistic TLS); Cisco ESA "
	      "TLS Preferred" },
	    "CTTTTTTTTT" },
	{ { "encrypt",
	      "Postfix encrypt; Exchange RequireTLS without certificate "
	      "validation; Cisco ESA TLS Required" },
	    "XTTTTTTTTT" },
	{ { "verify",
	      "Postfix verify or secure; Exim tls_verify_hosts and "
	      "hosts_require_tls (hosts_try_dane empty); Exchange RequireTLS "
	      "with TlsAuthLevel CertificateValidation or DomainValidation; "
	      "Cisco ESA TLS Required (Verify)" },
	    "XXTXTTXTXX" },
	{ { "dane", "Postfix dane; Exim hosts_try_dane; Cisco ESA DANE "
	            "Opportunistic (MTA-STS off)" },
	    "CTTTXXTTTT" },
	{ { "dane-only",
	      "Postfix dane-only; Exim hosts_require_dane; Cisco ESA DANE "
	      "Mandatory" },
	    "XXXTXXXXXT" },
	{ { "mta-sts",
	      "Postfix may with an MTA-STS policy service "
	      "(postfix-mta-sts-resolver); Cisco ESA MTA-STS on, DANE none" },
	    "CTTTTTXXTX" },
	{ { "dane+mta-sts",
	      "Postfix dane with an MTA-STS policy service; Cisco ESA DANE "
	      "Opportunistic and MTA-STS on" },
	    "CTTTXXXXTT" },
};

const struct sendtest_policy *
sendtest_policy_at(size_t i)
{
	return i < sizeof(rows) / sizeof(rows[0]) ? &rows[i].pol : NULL;
}

static const struct row *
row_of(const struct sendtest_policy *pol)
{
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		if (&rows[i].pol == pol)
			return &rows[i];
	return NULL;
}

const struct sendtest_policy *
sendtest_policy(const char *name)
{
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		if (strcmp(rows[i].pol.name, name) == 0)
			return &rows[i].pol;
	return NULL;
}

static char
letter(enum sendtest_result r)
{
	switch (r) {
	case SENDTEST_DELIVERED_TLS:
		return 'T';
	case SENDTEST_DELIVERED_CLEAR:
		return 'C';
	case SENDTEST_NOT_SERVED:
		return '?';
	default:
		/* Deferred; or never connected, which is how a sender defers
		 * on a failed TLSA lookup or a missing TLSA record (dane-only):
		 * the user sends one message to every scenario. */
		return 'X';
	}
}

bool
sendtest_policy_fits(const struct sendtest_policy *pol,
    const enum sendtest_result *results, size_t n, size_t *reached)
{
	const struct row *r = row_of(pol);
	bool fits = r != NULL && strlen(r->expect) == n;

	*reached = 0;
	for (size_t i = 0; i < n; i++) {
		char c = letter(results[i]);

		*reached += results[i] != SENDTEST_NOT_REACHED &&
		            results[i] != SENDTEST_NOT_SERVED;
		if (r == NULL || i >= strlen(r->expect) ||
		    (c != '?' && r->expect[i] != c))
			fits = false;
	}
	/* Nothing reached proves nothing. */
	return fits && *reached > 0;
}

void
sendtest_policy_breaks(const struct sendtest_policy *pol,
    const enum sendtest_result *results, size_t n, char *out, size_t outlen)
{
	const struct row *r = row_of(pol);
	size_t nscen, o = 0;
	const struct tz_scenario *sc = testzone_scenarios(&nscen);

	out[0] = '\0';
	for (size_t i = 0;
	     r != NULL && i < n && i < nscen && i < strlen(r->expect); i++) {
		int k;

		if (r->expect[i] == letter(results[i]) ||
		    letter(results[i]) == '?')
			continue;
		k = snprintf(out + o, outlen - o, "%s%s", o ? "," : "",
		    sc[i].name);
		if (k < 0 || (size_t)k >= outlen - o)
			break;
		o += (size_t)k;
	}
}
