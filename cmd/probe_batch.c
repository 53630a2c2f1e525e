/*
 * probe_batch.c - "smtptls probe --domains FILE": probe every domain of a
 * list, at most --parallel at a time, and print each report as it
 * finishes (JSON Lines with --json). The exit code is the highest-ranking
 * one over all domains (report.md 8: 4, 2, 1, 3, 0).
 */
#include "probe_cmd.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smtptls/probe.h"

#include "banned.h"

/* A list is read whole; these bound what a hostile or mistaken file costs. */
#define BATCH_FILE_MAX (4 * 1024 * 1024)
#define BATCH_LINE_MAX 512
#define BATCH_DOMAINS_MAX 100000

struct batch {
	char **targets;
	size_t n, next;
	const struct probe_options *base;
	struct global_opts *g;
	pthread_mutex_t lock; /* guards next, worst and stdout */
	int worst;
};

/* exit_rank - report.md 8 precedence: 4, then 2, 1, 3, 0 */
static int
exit_rank(int code)
{
	static const int
	    rank[] = { [0] = 0, [3] = 1, [1] = 2, [2] = 3, [4] = 4 };

	return code >= 0 && code <= 4 ? rank[code] : 4;
}

static void
batch_note(struct batch *b, int code)
{
	if (exit_rank(code) > exit_rank(b->worst))
		b->worst = code;
}

static void *
batch_worker(void *arg)
{
	struct batch *b = arg;

	for (;;) {
		struct probe_options o;
		struct probe_result *r = NULL;
		char errmsg[300];
		enum st_err err;
		size_t i;
		int code;

		pthread_mutex_lock(&b->lock);
		i = b->next < b->n ? b->next++ : b->n;
		pthread_mutex_unlock(&b->lock);
		if (i >= b->n)
			return NULL;
		o = *b->base;
		o.target = b->targets[i];
		err = probe_run(&o, &r, errmsg, sizeof(errmsg));
		pthread_mutex_lock(&b->lock);
		if (err == ST_ERR_INVAL)
			code = cmd_error(b->g, EXIT_USAGE, "usage", "options",
			    "%s: %s", b->targets[i], errmsg);
		else if (err != ST_OK)
			code = cmd_error(b->g, EXIT_INTERNAL,
			    err == ST_ERR_NOMEM ? "out-of-memory" : "internal",
			    "internal", "%s: probe failed: %s%s%s",
			    b->targets[i], st_strerror(err),
			    errmsg[0] ? ": " : "", errmsg);
		else
			code = cmd_probe_report(r, b->g);
		fflush(stdout);
		batch_note(b, code);
		pthread_mutex_unlock(&b->lock);
		probe_result_free(r);
	}
}

/* batch_read - the targets of FILE: one per line, '#' starts a comment */
static int
batch_read(struct batch *b, const char *file)
{
	FILE *f = fopen(file, "r");
	char line[BATCH_LINE_MAX + 2];

	if (f == NULL)
		return cmd_error(b->g, EXIT_USAGE, "config", "options",
		    "--domains: cannot read '%s'", file);
	while (fgets(line, sizeof(line), f) != NULL) {
		char *p = line, *e;
		size_t len = strlen(line);

		if (len == sizeof(line) - 1 && line[len - 1] != '\n') {
			fclose(f);
			return cmd_error(b->g, EXIT_USAGE, "config", "options",
			    "--domains: line %zu of '%s' is longer than %d octets",
			    b->n + 1, file, BATCH_LINE_MAX);
		}
		if ((e = strchr(p, '#')) != NULL)
			*e = '\0';
		while (*p == ' ' || *p == '\t')
			p++;
		e = p + strlen(p);
		while (e > p && (e[-1] == '\n' || e[-1] == '\r' ||
		                    e[-1] == ' ' || e[-1] == '\t'))
			*--e = '\0';
		if (*p == '\0')
			continue;
		if (b->n >= BATCH_DOMAINS_MAX) {
			fclose(f);
			return cmd_error(b->g, EXIT_USAGE, "config", "options",
			    "--domains: more than %d domains in '%s'",
			    BATCH_DOMAINS_MAX, file);
		}
		if (b->n % 64 == 0) {
			char **t =
			    realloc(b->targets, (b->n + 64) * sizeof(*t));

			if (t == NULL) {
				fclose(f);
				return cmd_error(b->g, EXIT_INTERNAL,
				    "out-of-memory", "internal",
				    "out of memory reading '%s'", file);
			}
			b->targets = t;
		}
		if ((b->targets[b->n] = strdup(p)) == NULL) {
			fclose(f);
			return cmd_error(b->g, EXIT_INTERNAL, "out-of-memory",
			    "internal", "out of memory reading '%s'", file);
		}
		b->n++;
	}
	fclose(f);
	return -1;
}

int
cmd_probe_batch(const char *file, unsigned parallel,
    const struct probe_options *base, struct global_opts *g)
{
	struct batch b = { .base = base, .g = g, .worst = EXIT_PASS };
	pthread_t *tids = NULL;
	char errmsg[200];
	size_t nt, started = 0, i;
	int rc;

	if ((rc = batch_read(&b, file)) >= 0)
		goto out;
	if (b.n == 0) {
		rc = cmd_error(g, EXIT_USAGE, "config", "options",
		    "--domains: no domain in '%s'", file);
		goto out;
	}
	if (probe_global_init(errmsg, sizeof(errmsg)) != ST_OK) {
		rc = cmd_error(g, EXIT_INTERNAL, "internal", "internal", "%s",
		    errmsg);
		goto out;
	}
	pthread_mutex_init(&b.lock, NULL);
	nt = parallel < b.n ? parallel : b.n;
	if ((tids = calloc(nt, sizeof(*tids))) != NULL)
		for (i = 0; i < nt; i++)
			if (pthread_create(&tids[started], NULL, batch_worker,
			        &b) == 0)
				started++;
	if (started == 0)
		batch_worker(&b);
	for (i = 0; i < started; i++)
		pthread_join(tids[i], NULL);
	pthread_mutex_destroy(&b.lock);
	rc = b.worst;
out:
	for (i = 0; i < b.n; i++)
		free(b.targets[i]);
	free(b.targets);
	free(tids);
	return rc;
}
