/*
 * probe_progress.c - the progress line of a --domains run on standard
 * error, when standard error is a terminal (and only then: a log file or
 * a pipe gets nothing). One line, redrawn at most five times a second:
 * entries done of the total when the list is a regular file, domains per
 * second, failures, and the time left at that rate.
 */
#include "probe_cmd.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock.h"

#include "banned.h"

#define PROGRESS_EVERY_MS 200

/* count_lines - the lines of a regular file (the total the ETA needs), or
 * 0 when it is no regular file or cannot be read: a pipe is read once */
static size_t
count_lines(const char *path)
{
	char buf[65536];
	size_t n = 0, got;
	FILE *f = fopen(path, "r");
	int last = '\n';

	if (f == NULL)
		return 0;
	while ((got = fread(buf, 1, sizeof(buf), f)) > 0) {
		for (const char *p = buf;
		     (p = memchr(p, '\n', got - (size_t)(p - buf))) != NULL;
		     p++)
			n++;
		last = buf[got - 1];
	}
	fclose(f);
	return n + (last != '\n');
}

void
probe_progress_init(struct probe_progress *p, const char *list, bool on)
{
	struct stat st;

	memset(p, 0, sizeof(*p));
	p->on = on && isatty(STDERR_FILENO);
	p->t0 = clock_ms();
	if (p->on && stat(list, &st) == 0 && S_ISREG(st.st_mode))
		p->total = count_lines(list);
}

/* eta - "1h02m", "3m04s", "12s" into out */
static void
eta(long long ms, char *out, size_t len)
{
	long long s = ms / 1000;

	if (s >= 3600)
		snprintf(out, len, "%lldh%02lldm", s / 3600, s / 60 % 60);
	else if (s >= 60)
		snprintf(out, len, "%lldm%02llds", s / 60, s % 60);
	else
		snprintf(out, len, "%llds", s);
}

void
probe_progress_draw(struct probe_progress *p, bool final)
{
	long long now = clock_ms(), el = now - p->t0;
	double rate;
	char left[32] = "";

	if (!p->on || (!final && now - p->drawn < PROGRESS_EVERY_MS))
		return;
	p->drawn = now;
	rate = el > 0 ? (double)p->done * 1000.0 / (double)el : 0;
	if (p->total > 0 && p->lines > 0 && p->lines < p->total)
		eta((long long)((double)el * (double)(p->total - p->lines) /
		                (double)p->lines),
		    left, sizeof(left));
	fprintf(stderr, "\r\033[K%zu done", p->done);
	if (p->total > 0)
		fprintf(stderr, " (line %zu of %zu)", p->lines, p->total);
	fprintf(stderr, ", %.1f domains/s, %zu failed", rate, p->failed);
	if (left[0] != '\0')
		fprintf(stderr, ", ETA %s", left);
	fputs(final ? "\n" : "", stderr);
	fflush(stderr);
}

void
probe_progress_clear(const struct probe_progress *p)
{
	if (p->on)
		fputs("\r\033[K", stderr);
}
