/*
 * verdict_int.h - what the two files of the verdict module share: the
 * rules of checks.md 12.3-12.5, and the judging of one address by one
 * rule (verdict_rule.c) for the sets that verdict.c builds.
 */
#ifndef SMTPTLS_VERDICT_INT_H
#define SMTPTLS_VERDICT_INT_H

#include "check_idx.h"
#include "probe_result.h"
#include "verdict.h"

/* A level's strict rule or one of its variants (checks.md 12.3, 12.4);
 * R_MTASTS_AS_ENFORCE reads a testing policy as enforced (would_fail). */
enum verdict_rule {
	R_OPPORTUNISTIC,
	R_CLEARTEXT_RETRY,
	R_ENCRYPT,
	R_VERIFY,
	R_VERIFY_CHAIN,
	R_VERIFY_DOMAIN,
	R_DANE,
	R_DANE_OPP,
	R_MTASTS,
	R_MTASTS_SENDER,
	R_SECURE,
	R_SECURE_SENDER,
	R_MTASTS_AS_ENFORCE,
};

/*
 * Judge address pa of x->r by rule into *v: outcome, transport, auth, the
 * rule that decided and the reason (checks.md 12.3). Reads only the check
 * results of x->r->checks, through the index x, and the measured facts of
 * pa; a result missing from the list reads as error (verdict_run checks
 * they are there). Leaves has_would_fail and would_fail to the caller.
 */
void verdict_judge(const struct check_idx *x, const struct probe_addr *pa,
    enum verdict_rule rule, struct verdict_addr *v);

#endif
