/*
 * report_diff_int.h - the change list's builder (report_diff_list.c),
 * used by the rules in report_diff.c.
 */
#ifndef SMTPTLS_REPORT_DIFF_INT_H
#define SMTPTLS_REPORT_DIFF_INT_H

#include "report_diff.h"

/*
 * Append a change: subject strings and values are copied (may be NULL),
 * the detail is printf-formatted. A failure is recorded in l->err (sticky)
 * and later calls do nothing. A DIFF_WORSE change of rule "level" sets
 * l->level_worse.
 */
void diff_add(struct diff_list *l, const char *rule, enum diff_dir dir,
    const char *mx, const char *address, const char *level,
    const char *old_value, const char *new_value, const char *fmt, ...)
    __attribute__((format(printf, 9, 10)));

#endif
