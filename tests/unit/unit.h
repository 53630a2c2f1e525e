/*
 * unit.h - the smallest table-test helper that prints the suite's format.
 *
 * Each assertion prints "PASS name" or "FAIL name" followed by indented
 * "expected:" and "seen:" lines; unit_exit() returns 1 when any failed.
 */
#ifndef SMTPTLS_UNIT_H
#define SMTPTLS_UNIT_H

#include <stdio.h>
#include <string.h>

static int unit_failures;

static void
unit_report(int ok, const char *name, const char *exp, const char *seen)
{
	if (ok) {
		printf("PASS %s\n", name);
		return;
	}
	unit_failures++;
	printf("FAIL %s\n  expected: %s\n  seen: %s\n", name, exp, seen);
}

static void
unit_eq_long(const char *name, long exp, long seen)
{
	char e[32], s[32];

	snprintf(e, sizeof(e), "%ld", exp);
	snprintf(s, sizeof(s), "%ld", seen);
	unit_report(exp == seen, name, e, s);
}

static void
unit_eq_str(const char *name, const char *exp, const char *seen)
{
	int ok = (exp == NULL && seen == NULL) ||
	    (exp != NULL && seen != NULL && strcmp(exp, seen) == 0);

	unit_report(ok, name, exp ? exp : "(null)", seen ? seen : "(null)");
}

static int
unit_exit(void)
{
	return unit_failures ? 1 : 0;
}

#endif
