/*
 * test_probe_share.c - the bound on a batch's finished sessions
 * (probe_share_table.c): past PROBE_SHARE_DONE_MAX the oldest finished
 * entry nobody holds is forgotten, and a later claim of its key runs the
 * session again; an entry a probe still holds is never forgotten; an
 * abandoned entry goes when its last user lets go; every claim is
 * released once.
 */
#include "probe_share_int.h"

#include <stdio.h>
#include <string.h>

#include "st_limits.h"

#include "unit.h"
#include "banned.h"

static void
key_of(char *buf, size_t len, const char *what, long i)
{
	snprintf(buf, len, "%s-%ld", what, i);
}

/* finish - claim key, run it (it must be new: OWN), publish, release */
static int
finish(struct probe_share *sh, const char *key)
{
	struct probe_addr pa = { 0 };
	struct share_entry *e;
	enum share_role role;

	if (probe_share_claim(sh, key, &e, &role) != ST_OK || role != SHARE_OWN)
		return -1;
	if (probe_share_publish(sh, e, &pa) != ST_OK)
		return -1;
	probe_share_release(sh, e);
	return 0;
}

/* role_of - the role a new claim of key gets (released again) */
static enum share_role
role_of(struct probe_share *sh, const char *key)
{
	struct share_entry *e;
	enum share_role role;

	if (probe_share_claim(sh, key, &e, &role) != ST_OK)
		return SHARE_NONE;
	if (role == SHARE_OWN)
		probe_share_abandon(sh, e);
	probe_share_release(sh, e);
	return role;
}

static size_t
forgotten(struct probe_share *sh)
{
	struct probe_share_stats st;

	probe_share_stats(sh, &st);
	return st.forgotten;
}

static void
test_bound(void)
{
	struct probe_options o = { .per_address = 2 };
	struct probe_share *sh = probe_share_new(&o, true);
	char key[64];
	long failed = 0;

	if (sh == NULL) {
		unit_report(0, "bound/new", "a share", "NULL");
		return;
	}
	for (long i = 0; i < PROBE_SHARE_DONE_MAX + 10; i++) {
		key_of(key, sizeof(key), "k", i);
		failed += finish(sh, key) != 0;
	}
	unit_eq_long("bound/all-ran", 0, failed);
	unit_eq_long("bound/forgotten", 10, (long)forgotten(sh));
	unit_eq_long("bound/kept", PROBE_SHARE_DONE_MAX, (long)sh->n);
	key_of(key, sizeof(key), "k", 0);
	unit_eq_long("bound/oldest-runs-again", SHARE_OWN, role_of(sh, key));
	key_of(key, sizeof(key), "k", 10);
	unit_eq_long("bound/eleventh-kept", SHARE_READY, role_of(sh, key));
	key_of(key, sizeof(key), "k", PROBE_SHARE_DONE_MAX + 9);
	unit_eq_long("bound/newest-kept", SHARE_READY, role_of(sh, key));
	probe_share_free(sh);
}

static void
test_held(void)
{
	struct probe_options o = { .per_address = 2 };
	struct probe_share *sh = probe_share_new(&o, true);
	struct probe_addr pa = { 0 }, copy = { 0 };
	struct share_entry *held, *again;
	enum share_role role = SHARE_NONE, role2 = SHARE_NONE;
	char key[64];

	if (sh == NULL ||
	    probe_share_claim(sh, "held", &held, &role) != ST_OK) {
		unit_report(0, "held/claim", "a share", "none");
		probe_share_free(sh);
		return;
	}
	unit_eq_long("held/own", SHARE_OWN, role);
	unit_eq_long("held/publish", ST_OK, probe_share_publish(sh, held, &pa));
	/* The oldest finished entry is held: the next oldest ones go. */
	for (long i = 0; i < PROBE_SHARE_DONE_MAX + 5; i++) {
		key_of(key, sizeof(key), "h", i);
		(void)finish(sh, key);
	}
	unit_eq_long("held/forgotten", 6, (long)forgotten(sh));
	if (probe_share_claim(sh, "held", &again, &role2) == ST_OK) {
		unit_eq_long("held/still-ready", SHARE_READY, role2);
		unit_eq_long("held/same-entry", 1, again == held);
		unit_eq_str("held/key", "held", again->key);
		unit_eq_long("held/copy", ST_OK,
		    probe_share_copy(sh, again, &copy));
		probe_share_release(sh, again);
	}
	probe_share_release(sh, held);
	/* Let go of by both: now the oldest, and over the bound. */
	(void)finish(sh, "one-more");
	unit_eq_long("held/gone-when-free", SHARE_OWN, role_of(sh, "held"));
	probe_share_free(sh);
}

static void
test_abandoned(void)
{
	struct probe_options o = { .per_address = 2 };
	struct probe_share *sh = probe_share_new(&o, true);
	struct share_entry *own, *follower;
	enum share_role r1 = SHARE_NONE, r2 = SHARE_NONE;

	if (sh == NULL || probe_share_claim(sh, "cut", &own, &r1) != ST_OK ||
	    probe_share_claim(sh, "cut", &follower, &r2) != ST_OK) {
		unit_report(0, "abandoned/claims", "two claims", "failed");
		probe_share_free(sh);
		return;
	}
	unit_eq_long("abandoned/follow", SHARE_FOLLOW, r2);
	probe_share_abandon(sh, own);
	probe_share_release(sh, own);
	unit_eq_long("abandoned/kept-while-followed", 1, (long)sh->n);
	/* The follower takes it over, then gives up as well. */
	unit_eq_long("abandoned/taken-over", SHARE_OWN,
	    probe_share_poll(sh, follower));
	probe_share_abandon(sh, follower);
	probe_share_release(sh, follower);
	unit_eq_long("abandoned/gone", 0, (long)sh->n);
	unit_eq_long("abandoned/not-counted", 0, (long)forgotten(sh));
	probe_share_free(sh);
}

int
main(void)
{
	test_bound();
	test_held();
	test_abandoned();
	return unit_exit();
}
