/*
 * report_diff_list.c - the list of changes between two reports
 * (report_diff.h): its lifecycle and the one function that adds to it.
 */
#include "report_diff_int.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

const char *
diff_dir_name(enum diff_dir d)
{
	static const char *const names[] = { "changed", "worse", "better" };

	_Static_assert(sizeof(names) / sizeof(names[0]) == DIFF__COUNT,
	    "a name for every direction");
	return (unsigned)d < DIFF__COUNT ? names[d] : "unknown";
}

void
diff_list_init(struct diff_list *l)
{
	memset(l, 0, sizeof(*l));
}

static void
change_release(struct diff_change *c)
{
	free(c->mx);
	free(c->address);
	free(c->level);
	free(c->old_value);
	free(c->new_value);
	free(c->detail);
}

void
diff_list_release(struct diff_list *l)
{
	if (l == NULL)
		return;
	for (size_t i = 0; i < l->n; i++)
		change_release(&l->v[i]);
	free(l->v);
	diff_list_init(l);
}

/* dup - a copy of s, or NULL for NULL; *ok false when out of memory */
static char *
dup(const char *s, bool *ok)
{
	char *d;

	if (s == NULL)
		return NULL;
	if ((d = strdup(s)) == NULL)
		*ok = false;
	return d;
}

/* grow - room for one more change */
static bool
grow(struct diff_list *l)
{
	struct diff_change *v;
	size_t cap;

	if (l->n < l->cap)
		return true;
	cap = l->cap ? l->cap * 2 : 16;
	if (cap > SIZE_MAX / sizeof(*v) ||
	    (v = realloc(l->v, cap * sizeof(*v))) == NULL)
		return false;
	l->v = v;
	l->cap = cap;
	return true;
}

void
diff_add(struct diff_list *l, const char *rule, enum diff_dir dir,
    const char *mx, const char *address, const char *level,
    const char *old_value, const char *new_value, const char *fmt, ...)
{
	struct diff_change c = { rule, dir, NULL, NULL, NULL, NULL, NULL,
		NULL };
	bool ok = true;
	char detail[512];
	va_list ap;

	if (l->err != ST_OK)
		return;
	va_start(ap, fmt);
	/* a detail longer than the buffer is cut: it is one sentence for
	 * people, and the values it quotes are in old_value/new_value */
	(void)vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	c.mx = dup(mx, &ok);
	c.address = dup(address, &ok);
	c.level = dup(level, &ok);
	c.old_value = dup(old_value, &ok);
	c.new_value = dup(new_value, &ok);
	c.detail = dup(detail, &ok);
	if (!ok || !grow(l)) {
		change_release(&c);
		l->err = ST_ERR_NOMEM;
		return;
	}
	l->v[l->n++] = c;
	if (dir == DIFF_WORSE && strcmp(rule, "level") == 0)
		l->level_worse = true;
}
