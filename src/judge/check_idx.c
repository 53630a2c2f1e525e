/*
 * check_idx.c - the index of check results by id and subject that the
 * verdicts read (check_idx.h). Results name their subject by text (MX
 * host name, address text); the index matches that text to r->mx once,
 * so the rules look a result up by position.
 */
#include "check_idx.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

/* put - keep the first result of an id: check_find's answer */
static void
put(struct check_slots *s, const struct check_result *c)
{
	if (s->v[c->id] == NULL)
		s->v[c->id] = c;
}

/* place - c in the slots of every subject it names; an MX host can be
 * listed twice, and check_find would give each the same result */
static void
place(struct check_idx *x, const struct check_result *c)
{
	const struct probe_result *r = x->r;

	put(&x->any, c);
	if (c->mx == NULL)
		return;
	for (size_t i = 0; i < r->nmx; i++) {
		const struct probe_mx *m = &r->mx[i];

		if (m->name == NULL || strcmp(m->name, c->mx) != 0)
			continue;
		put(&x->host[i], c);
		for (size_t k = 0; c->address != NULL && k < m->naddrs; k++)
			if (strcmp(m->addrs[k].address, c->address) == 0)
				put(&x->addr[i][k], c);
	}
}

enum st_err
check_idx_build(struct check_idx *x, const struct probe_result *r)
{
	size_t naddrs = 0, used = 0;

	memset(x, 0, sizeof(*x));
	x->r = r;
	for (size_t i = 0; i < r->nmx; i++)
		naddrs += r->mx[i].naddrs;
	/* calloc: a NULL slot is "not recorded". One more element than
	 * needed keeps the sizes non-zero. */
	x->host = calloc(r->nmx + 1, sizeof(*x->host));
	x->addr = calloc(r->nmx + 1, sizeof(*x->addr));
	x->pool = calloc(naddrs + 1, sizeof(*x->pool));
	if (x->host == NULL || x->addr == NULL || x->pool == NULL) {
		check_idx_release(x);
		return ST_ERR_NOMEM;
	}
	for (size_t i = 0; i < r->nmx; i++) {
		x->addr[i] = &x->pool[used];
		used += r->mx[i].naddrs;
	}
	for (size_t j = 0; j < r->checks.n; j++)
		place(x, &r->checks.v[j]);
	return ST_OK;
}

void
check_idx_release(struct check_idx *x)
{
	if (x == NULL)
		return;
	free(x->host);
	free(x->addr);
	free(x->pool);
	x->host = x->pool = NULL;
	x->addr = NULL;
}

/*
 * pos - the position of element p in array base[0..n) of elements of
 * size sz, in constant time; false for an element of another array (a
 * bug of the caller, answered with "not recorded"). The addresses are
 * compared as integers: pointers into different arrays cannot be
 * subtracted in C.
 */
static bool
pos(const void *base, size_t n, size_t sz, const void *p, size_t *i)
{
	uintptr_t b = (uintptr_t)base, q = (uintptr_t)p;

	if (base == NULL || q < b || (q - b) % sz != 0 || (q - b) / sz >= n)
		return false;
	*i = (q - b) / sz;
	return true;
}

static bool
mx_pos(const struct check_idx *x, const struct probe_mx *m, size_t *i)
{
	return pos(x->r->mx, x->r->nmx, sizeof(*m), m, i);
}

const struct check_result *
check_get(const struct check_idx *x, enum check_id id,
    const struct probe_addr *pa)
{
	size_t i, k;

	if ((unsigned)id >= CK__COUNT || !mx_pos(x, pa->mx, &i) ||
	    !pos(pa->mx->addrs, pa->mx->naddrs, sizeof(*pa), pa, &k))
		return NULL;
	return x->addr[i][k].v[id];
}

const struct check_result *
check_get_mx(const struct check_idx *x, enum check_id id,
    const struct probe_mx *m)
{
	size_t i;

	if ((unsigned)id >= CK__COUNT || !mx_pos(x, m, &i))
		return NULL;
	return x->host[i].v[id];
}

const struct check_result *
check_get_any(const struct check_idx *x, enum check_id id)
{
	if ((unsigned)id >= CK__COUNT)
		return NULL;
	return x->any.v[id];
}
