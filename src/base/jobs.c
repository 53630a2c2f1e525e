/*
 * jobs.c - a tiny thread pool over an array of jobs (see jobs.h).
 */
#include "jobs.h"

#include <pthread.h>
#include <stdlib.h>

#include "banned.h"

struct pool {
	struct job *jobs;
	size_t n, next;
	pthread_mutex_t lock;
};

/* worker - take the next job until none is left */
static void *
worker(void *arg)
{
	struct pool *p = arg;

	for (;;) {
		size_t i;

		pthread_mutex_lock(&p->lock);
		i = p->next < p->n ? p->next++ : p->n;
		pthread_mutex_unlock(&p->lock);
		if (i >= p->n)
			return NULL;
		p->jobs[i].fn(p->jobs[i].arg);
	}
}

void
jobs_run(struct job *jobs, size_t n, size_t max_threads)
{
	struct pool p = { .jobs = jobs, .n = n, .next = 0 };
	pthread_t *tids;
	size_t nt, started = 0, i;

	if (n == 0)
		return;
	nt = n < max_threads ? n : max_threads;
	if (nt == 0)
		nt = 1;
	if (pthread_mutex_init(&p.lock, NULL) != 0) {
		/* No lock, no sharing: the jobs still run, in turn. */
		for (i = 0; i < n; i++)
			jobs[i].fn(jobs[i].arg);
		return;
	}
	tids = calloc(nt, sizeof(*tids));
	if (tids != NULL)
		for (i = 0; i < nt; i++) {
			pthread_attr_t attr;

			if (pthread_attr_init(&attr) != 0)
				break;
			/* Small stacks: jobs only call ldns and libcurl. If
			 * the size is refused, the default is merely larger. */
			(void)pthread_attr_setstacksize(&attr, 512 * 1024);
			if (pthread_create(&tids[started], &attr, worker, &p) ==
			    0)
				started++;
			pthread_attr_destroy(&attr);
		}
	/* The caller helps too; with no threads it does all the work. */
	worker(&p);
	for (i = 0; i < started; i++)
		pthread_join(tids[i], NULL);
	free(tids);
	pthread_mutex_destroy(&p.lock);
}
