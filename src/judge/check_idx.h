/*
 * check_idx.h - typed handles on the check results of one probe, for the
 * verdicts: built once after the check modules ran, then every lookup is
 * an array index by enum check_id and subject (the domain, an MX host of
 * r->mx, or one of its addresses) instead of a scan of the list.
 */
#ifndef SMTPTLS_CHECK_IDX_H
#define SMTPTLS_CHECK_IDX_H

#include "smtptls/check.h"

#include "probe_result.h"

/* The first result of each id for one subject; NULL when none. */
struct check_slots {
	const struct check_result *v[CK__COUNT];
};

/*
 * The slots of one probe_result. The pointers point into r->checks.v,
 * which check_add() may move: nothing may be added to r->checks while an
 * index lives (verdict_run releases it before the policy.* checks).
 */
struct check_idx {
	const struct probe_result *r;
	struct check_slots any;    /* first result of each id, any subject */
	struct check_slots *host;  /* one per r->mx[i] */
	struct check_slots **addr; /* addr[i][k]: r->mx[i].addrs[k] */
	struct check_slots *pool;  /* owns the address slots */
};

/*
 * Build x over the results in r->checks; each slot holds the first
 * result in list order, as check_find() would answer. Returns
 * ST_ERR_NOMEM (x then needs no release, but accepts one).
 */
enum st_err check_idx_build(struct check_idx *x, const struct probe_result *r)
    __attribute__((warn_unused_result));
void check_idx_release(struct check_idx *x);

/* Result id for address pa of x->r (check_find(id, mx, address)). */
const struct check_result *check_get(const struct check_idx *x,
    enum check_id id, const struct probe_addr *pa);
/* Result id naming host m of x->r, any address (check_find(id, mx, NULL)). */
const struct check_result *check_get_mx(const struct check_idx *x,
    enum check_id id, const struct probe_mx *m);
/* Result id of any subject, the domain's for a domain-scope id
 * (check_find(id, NULL, NULL)). */
const struct check_result *check_get_any(const struct check_idx *x,
    enum check_id id);

#endif
