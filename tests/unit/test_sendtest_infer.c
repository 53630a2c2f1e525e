/*
 * test_sendtest_infer.c - the sender policy table: each policy's own
 * results fit it and no other policy (so a sender's policy is told
 * uniquely), a scenario never reached reads as deferred, a sender that
 * reached nothing fits nothing, and the scenarios where a claimed policy
 * breaks are named.
 */
#include <stdio.h>
#include <string.h>

#include "sendtest_infer.h"
#include "testzone.h"
#include "unit.h"

/* Written out again here from RFC 7672, RFC 8461 and the MTA manuals,
 * not copied from the table: C cleartext, T TLS, X deferred, - never
 * connected (and in sni_mode() ? not served). Scenario order: notls untrusted
 * valid dane-ok dane-mismatch dane-lookup-fails sts-badcert sts-unlisted
 * sts-testing dane-sts. */
static const struct {
	const char *policy, *seen;
} rows[] = {
	{ "none", "CCCCCCCCCC" },
	{ "opportunistic", "CTTTTTTTTT" },
	{ "encrypt", "XTTTTTTTTT" },
	{ "verify", "XXTXTTXTXX" },
	{ "dane", "CTTTX-TTTT" },
	{ "dane-only", "---TX----T" },
	{ "mta-sts", "CTTTTTXXTX" },
	{ "dane+mta-sts", "CTTTX-XXTT" },
};

static void
parse(const char *seen, enum sendtest_result *r)
{
	for (size_t i = 0; seen[i] != '\0'; i++)
		r[i] = seen[i] == 'C'   ? SENDTEST_DELIVERED_CLEAR
		       : seen[i] == 'T' ? SENDTEST_DELIVERED_TLS
		       : seen[i] == 'X' ? SENDTEST_DEFERRED
		       : seen[i] == '?' ? SENDTEST_NOT_SERVED
		                        : SENDTEST_NOT_REACHED;
}

/* sni_mode - notls is not served with one address: it matches every
 * policy, counts as not reached, and is never where a policy breaks */
static void
sni_mode(size_t nscen)
{
	enum sendtest_result r[TZ_SCENARIOS_MAX];
	const struct sendtest_policy *pol;
	char fits[200] = "", breaks[256];
	size_t reached, o = 0;

	parse("?TTTX-TTTT", r);
	for (size_t i = 0; (pol = sendtest_policy_at(i)) != NULL; i++)
		if (sendtest_policy_fits(pol, r, nscen, &reached))
			o += (size_t)snprintf(fits + o, sizeof(fits) - o, "%s ",
			    pol->name);
	unit_eq_str("sni mode: a dane sender is dane only", "dane ", fits);
	(void)sendtest_policy_fits(sendtest_policy("dane"), r, nscen, &reached);
	unit_eq_long("sni mode: notls not counted as reached", 8,
	    (long)reached);
	sendtest_policy_breaks(sendtest_policy("opportunistic"), r, nscen,
	    breaks, sizeof(breaks));
	unit_eq_str("sni mode: breaks skip notls",
	    "dane-mismatch,dane-lookup-fails", breaks);
	parse("??????????", r);
	unit_eq_long("sni mode: nothing served proves nothing", 0,
	    sendtest_policy_fits(sendtest_policy("none"), r, nscen, &reached));
}

int
main(void)
{
	enum sendtest_result r[TZ_SCENARIOS_MAX];
	const struct sendtest_policy *pol;
	size_t nscen, reached, npol = 0;
	char name[160], breaks[256];

	(void)testzone_scenarios(&nscen);
	unit_eq_long("ten scenarios", 10, (long)nscen);
	while (sendtest_policy_at(npol) != NULL)
		npol++;
	unit_eq_long("every policy has a row here", (long)npol,
	    (long)(sizeof(rows) / sizeof(rows[0])));
	for (size_t k = 0; k < sizeof(rows) / sizeof(rows[0]); k++) {
		parse(rows[k].seen, r);
		for (size_t i = 0; (pol = sendtest_policy_at(i)) != NULL; i++) {
			snprintf(name, sizeof(name), "%s results fit %s: %s",
			    rows[k].policy, pol->name,
			    strcmp(pol->name, rows[k].policy) == 0 ? "yes"
			                                           : "no");
			unit_eq_long(name,
			    strcmp(pol->name, rows[k].policy) == 0,
			    sendtest_policy_fits(pol, r, nscen, &reached));
		}
		snprintf(name, sizeof(name), "%s: settings named",
		    rows[k].policy);
		pol = sendtest_policy(rows[k].policy);
		unit_eq_long(name, 1, pol != NULL && pol->settings[0] != '\0');
	}
	/* Nothing reached: every scenario "deferred", yet no policy fits. */
	parse("----------", r);
	for (size_t i = 0; (pol = sendtest_policy_at(i)) != NULL; i++) {
		snprintf(name, sizeof(name), "nothing reached fits no %s",
		    pol->name);
		unit_eq_long(name, 0,
		    sendtest_policy_fits(pol, r, nscen, &reached));
	}
	unit_eq_long("nothing reached: 0", 0, (long)reached);
	/* A dane sender claimed as dane-only breaks where it fell back. */
	parse("CTTTX-TTTT", r);
	sendtest_policy_breaks(sendtest_policy("dane-only"), r, nscen, breaks,
	    sizeof(breaks));
	unit_eq_str("dane claimed dane-only: where it breaks",
	    "notls,untrusted,valid,sts-badcert,sts-unlisted,sts-testing",
	    breaks);
	sendtest_policy_breaks(sendtest_policy("dane"), r, nscen, breaks,
	    sizeof(breaks));
	unit_eq_str("dane claimed dane: no break", "", breaks);
	unit_eq_long("unknown policy", 1, sendtest_policy("secure") == NULL);
	unit_eq_long("past the table", 1, sendtest_policy_at(npol) == NULL);
	sni_mode(nscen);
	return unit_exit();
}
