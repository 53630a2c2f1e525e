/*
 * sendtest_infer.h - which sending policy explains what a sender did at
 * the test zone's scenarios. The expectations are a table (one row per
 * policy, one column per scenario), drawn from RFC 7672 (DANE for SMTP),
 * RFC 8461 (MTA-STS, with DANE winning where both apply: 2), and the TLS
 * levels of Postfix, Exchange and Cisco ESA. Pure.
 */
#ifndef SMTPTLS_SENDTEST_INFER_H
#define SMTPTLS_SENDTEST_INFER_H

#include <stdbool.h>
#include <stddef.h>

#include "smtptls/sendtest.h"

struct sendtest_policy {
	const char *name;     /* "opportunistic", "dane-only", ... */
	const char *settings; /* the MTA settings that mean it */
};

/* Policy i of the table (0, 1, ...), NULL past the last. */
const struct sendtest_policy *sendtest_policy_at(size_t i);
const struct sendtest_policy *sendtest_policy(const char *name);

/*
 * Whether policy pol explains results (one per scenario, table order, n
 * of them): every scenario has the expected result, where a scenario the
 * sender never connected to counts as deferred (a sender defers before
 * connecting when the TLSA lookup fails, or under dane-only when there
 * is no TLSA record). *reached is set to the number of scenarios the
 * sender connected to; with none, no policy fits.
 */
bool sendtest_policy_fits(const struct sendtest_policy *pol,
    const enum sendtest_result *results, size_t n, size_t *reached);

/* The scenarios where pol and results disagree, as "name,name" into out
 * ("" when none). */
void sendtest_policy_breaks(const struct sendtest_policy *pol,
    const enum sendtest_result *results, size_t n, char *out, size_t outlen);

#endif
