/*
 * test_check_idx.c - the verdicts' index of check results (check_idx.h)
 * answers what a scan of the list (check_find) answers, for every id and
 * every subject: the domain, each MX host, each address. The results
 * are spread over hosts that share a name and an address text, repeat an
 * id for one subject (the first counts) and name a host that is not in
 * r->mx; a subject of another probe_result is not found.
 */
#include "check_idx.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"

#include "banned.h"

#define NMX 3
#define NADDR 2

static const char *const hosts[NMX] = { "mx1.example", "mx2.example",
	"mx1.example" };
static const char *const addrs[NADDR] = { "192.0.2.1", "2001:db8::1" };

/* status_at - the statuses in turn, for n = 0, 1, ... */
static enum check_status
status_at(int n)
{
	return (enum check_status)(CHECK_PASS + n % (CHECK__COUNT - CHECK_PASS));
}

/* fill - results over the subjects: a spread of ids and statuses, with
 * repeats (a later one must not win) and a host not in r->mx; n counts
 * the ids from 0 */
static void
fill(struct probe_result *r)
{
	for (int id = CK_NONE + 1; id < CK__COUNT; id++) {
		int n = id - (CK_NONE + 1);
		enum check_status st = status_at(n);

		switch (n % 4) {
		case 0: /* domain */
			check_add(&r->checks, id, st, "example.org", NULL,
			    NULL, 0, NULL, "domain %d", id);
			break;
		case 1: /* host, then again with another status */
			check_add(&r->checks, id, st, NULL, hosts[n % NMX],
			    NULL, 0, NULL, "host %d", id);
			check_add(&r->checks, id, CHECK_ERROR, NULL,
			    hosts[n % NMX], NULL, 0, NULL, "again");
			break;
		case 2: /* every address of every host */
			for (int i = 0; i < NMX; i++)
				for (int k = 0; k < NADDR; k++)
					check_add(&r->checks, id,
					    status_at(n + i + k), NULL,
					    hosts[i], addrs[k], 0, NULL,
					    "addr %d %d", i, k);
			break;
		default: /* a host the probe does not have */
			check_add(&r->checks, id, st, NULL, "other.example",
			    addrs[0], 0, NULL, "other");
		}
	}
}

static struct probe_result *
make(void)
{
	struct probe_result *r = calloc(1, sizeof(*r));

	if (r == NULL || (r->mx = calloc(NMX, sizeof(*r->mx))) == NULL)
		return NULL;
	r->nmx = NMX;
	check_list_init(&r->checks);
	for (size_t i = 0; i < NMX; i++) {
		struct probe_mx *m = &r->mx[i];

		m->name = (char *)hosts[i];
		if ((m->addrs = calloc(NADDR, sizeof(*m->addrs))) == NULL)
			return NULL;
		m->naddrs = NADDR;
		for (size_t k = 0; k < NADDR; k++) {
			snprintf(m->addrs[k].address,
			    sizeof(m->addrs[k].address), "%s", addrs[k]);
			m->addrs[k].mx = m;
		}
	}
	fill(r);
	return r;
}

static void
unmake(struct probe_result *r)
{
	for (size_t i = 0; r != NULL && r->mx != NULL && i < r->nmx; i++)
		free(r->mx[i].addrs);
	if (r != NULL) {
		free(r->mx);
		check_list_release(&r->checks);
	}
	free(r);
}

/* same - the index and the scan give the same result (by position) */
static void
same(const char *name, const struct check_result *idx,
    const struct check_result *scan)
{
	unit_eq_long(name, 1, idx == scan);
}

int
main(void)
{
	struct probe_result *r = make(), *other = make();
	struct check_idx x;
	char name[160];
	long found = 0;

	if (r == NULL || other == NULL) {
		unit_eq_long("setup", 0, 1);
		return unit_exit();
	}
	unit_eq_long("build", ST_OK, check_idx_build(&x, r));
	for (int id = CK_NONE + 1; id < CK__COUNT; id++) {
		const char *n = check_id_name((enum check_id)id);

		snprintf(name, sizeof(name), "%s: any", n);
		same(name, check_get_any(&x, id),
		    check_find(&r->checks, id, NULL, NULL));
		for (size_t i = 0; i < NMX; i++) {
			const struct probe_mx *m = &r->mx[i];

			snprintf(name, sizeof(name), "%s: host %zu", n, i);
			same(name, check_get_mx(&x, id, m),
			    check_find(&r->checks, id, m->name, NULL));
			for (size_t k = 0; k < NADDR; k++) {
				const struct check_result *c =
				    check_get(&x, id, &m->addrs[k]);

				snprintf(name, sizeof(name), "%s: addr %zu %zu",
				    n, i, k);
				same(name, c,
				    check_find(&r->checks, id, m->name,
				        m->addrs[k].address));
				found += c != NULL;
			}
		}
		snprintf(name, sizeof(name), "%s: another probe's address", n);
		unit_eq_long(name, 1,
		    check_get(&x, id, &other->mx[0].addrs[0]) == NULL);
	}
	/* Not a vacuous agreement: the address ids (n % 4 == 2 in fill())
	 * each have a result for all NMX * NADDR addresses. */
	long want = 0;
	for (int n = 0; n < CK__COUNT - (CK_NONE + 1); n++)
		want += n % 4 == 2 ? NMX * NADDR : 0;
	unit_eq_long("address results found", want, found);
	/* dns.mx.lookup (n = 1) went to hosts[1] as warn, then again as error. */
	unit_eq_str("first result wins", "warn",
	    check_status_name(
	        check_get_mx(&x, CK_DNS_MX_LOOKUP, &r->mx[1])->status));
	unit_eq_long("outside the enum", 1,
	    check_get_any(&x, CK__COUNT) == NULL);
	check_idx_release(&x);
	check_idx_release(&x);
	unmake(r);
	unmake(other);
	return unit_exit();
}
