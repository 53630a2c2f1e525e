/*
 * summary.c - the exit code and its reason (report.md 8), from the check
 * results, the verdicts and the run-level errors. Precedence 4, 2, 1, 3, 0;
 * 2 never arises here (usage errors stop before a result exists).
 */
#include "judge.h"

#include <stdio.h>
#include <string.h>

#include "profile.h"
#include "verdict.h"

#include "banned.h"

/* unreachable - no address of any MX host could be reached; *noroute
 * counts those this machine has no route to */
static bool
unreachable(const struct probe_result *r, size_t *total, size_t *noroute)
{
	size_t n = 0;
	bool reached = false;

	*noroute = 0;
	for (size_t i = 0; i < r->nmx; i++)
		for (size_t k = 0; k < r->mx[i].naddrs; k++) {
			n++;
			if (r->mx[i].addrs[k].connected)
				reached = true;
			*noroute += probe_addr_no_route(&r->mx[i].addrs[k]);
		}
	*total = n;
	return n > 0 && !reached;
}

/* profile_of - the first required profile (--require profile:NAME) whose
 * overall result is res, or NULL */
static const struct profile_run *
profile_of(const struct probe_result *r, enum prof_res res)
{
	for (size_t i = 0; i < r->nprofiles; i++)
		if (r->profiles[i].required && r->profiles[i].overall == res)
			return &r->profiles[i];
	return NULL;
}

/* profile_failed - exit 1 for a required profile not met */
static bool
profile_failed(struct probe_result *r)
{
	const struct profile_run *pr = profile_of(r, PR_FAIL);

	if (pr == NULL)
		return false;
	r->exit_code = 1;
	snprintf(r->exit_reason, sizeof(r->exit_reason),
	    "required profile %s not met", pr->p->name);
	return true;
}

/* required_unknown - why a required level or profile leaves the run
 * incomplete (exit 3), or NULL */
static const char *
required_unknown(const struct probe_result *r)
{
	for (size_t i = 0; r->levels != NULL && i < LEVEL__COUNT; i++)
		if (r->levels[i].present && r->levels[i].required &&
		    r->levels[i].strict.outcome == V_UNKNOWN)
			return "a required level could not be judged";
	if (profile_of(r, PR_UNTESTABLE) != NULL)
		return "a required profile could not be fully tested";
	return NULL;
}

void
summary_run(struct probe_result *r)
{
	size_t fails = 0, warns = 0, errors = 0, total = 0, noroute = 0, i;
	const struct check_result *lookup;
	const char *why3 = NULL;

	for (i = 0; i < r->checks.n; i++) {
		const struct check_result *c = &r->checks.v[i];

		if (c->waived)
			continue;
		fails += c->status == CHECK_FAIL;
		warns += c->status == CHECK_WARN;
		errors += c->status == CHECK_ERROR;
	}
	lookup = check_find(&r->checks, CK_DNS_MX_LOOKUP, NULL, NULL);
	if (r->run_error_code[0] &&
	    (strcmp(r->run_error_code, "out-of-memory") == 0 ||
	        strcmp(r->run_error_code, "internal") == 0)) {
		r->exit_code = 4;
		snprintf(r->exit_reason, sizeof(r->exit_reason),
		    "internal error: %.150s", r->run_error);
		return;
	}
	if (profile_failed(r))
		return;
	if (fails > 0 || (r->opt.strict && warns > 0)) {
		r->exit_code = 1;
		snprintf(r->exit_reason, sizeof(r->exit_reason),
		    "%zu check%s failed%s", fails, fails == 1 ? "" : "s",
		    r->opt.strict && warns ? " or warned (--strict)" : "");
		return;
	}
	if (lookup != NULL && lookup->status == CHECK_ERROR && !lookup->waived)
		why3 = "the MX lookup could not be completed";
	else if (unreachable(r, &total, &noroute))
		why3 =
		    noroute == total
		        ? "no address of any MX host can be reached from this "
		          "machine (no route)"
		        : "no address of any MX host could be reached";
	else if (r->deadline_hit)
		why3 = "the run deadline was reached";
	else if (r->opt.strict && errors > 0)
		why3 = "some checks could not be measured (--strict)";
	if (why3 == NULL)
		why3 = required_unknown(r);
	if (why3 != NULL) {
		r->exit_code = 3;
		snprintf(r->exit_reason, sizeof(r->exit_reason), "%s", why3);
		return;
	}
	r->exit_code = 0;
	snprintf(r->exit_reason, sizeof(r->exit_reason), "no check failed%s",
	    errors ? "; some checks could not be measured" : "");
}

void
probe_result_summary(const struct probe_result *r, struct probe_summary *s)
{
	memset(s, 0, sizeof(*s));
	s->target = r->input;
	s->exit_code = r->exit_code;
	s->duration_ms = r->duration_ms;
	for (size_t i = 0; i < r->checks.n; i++) {
		const struct check_result *c = &r->checks.v[i];

		if (c->waived)
			continue;
		s->fail += c->status == CHECK_FAIL;
		s->warn += c->status == CHECK_WARN;
		s->error += c->status == CHECK_ERROR;
	}
}
