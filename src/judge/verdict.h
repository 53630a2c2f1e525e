/*
 * verdict.h - policy verdicts (checks.md 12): would a sender at each level
 * deliver to this domain, per address and for the domain, with variants.
 */
#ifndef SMTPTLS_VERDICT_H
#define SMTPTLS_VERDICT_H

#include <stdbool.h>
#include <stddef.h>

#include "probe_result.h"

enum vout { V_DELIVER = 0, V_DEFER, V_UNKNOWN, V_PARTIAL, V_NOMAIL };
const char *verdict_outcome_name(enum vout v);

struct verdict_addr {
	const struct probe_addr *pa;
	enum vout outcome;     /* deliver, defer or unknown */
	const char *transport; /* "tls", "cleartext" or NULL */
	const char *auth;      /* "none", "pkix", "dane" or NULL */
	const char *rule;      /* rule that decided */
	const char *reason;    /* check id when not deliver */
	bool has_would_fail;   /* judged under an MTA-STS testing policy */
	bool would_fail;       /* the strict rule, read as enforce, defers */
};

struct verdict_set {
	const char *name;  /* variant name; NULL for the strict rule */
	enum vout outcome; /* domain outcome */
	size_t deliver, defer, unknown;
	struct verdict_addr *addrs;
	size_t n;
};

#define VERDICT_VARIANTS_MAX 2

struct verdict_level {
	bool present; /* judged in this run */
	struct verdict_set strict;
	struct verdict_set variants[VERDICT_VARIANTS_MAX];
	size_t nvariants;
	bool required;
	const char *expectation;  /* "required", "always", "published", NULL */
	const char *judged_on;    /* "strict" or a variant name */
	enum check_status status; /* of the policy.* check */
};

void verdict_release(struct verdict_level *levels);
/* The DANE state of an MX host (checks.md 12.2): "dane-auth", ... */
const char *verdict_dane_state_name(const struct probe_result *r,
    const struct probe_mx *m);

#endif
