/*
 * jobs.c - a tiny thread pool over an array of jobs (see jobs.h).
 */
#include "jobs.h"

#include <pthread.h>
#include <stdbool.h>
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

/* One started job of a set; on the done list once its thread is through. */
struct jobset_node {
	struct jobset *set;
	struct job *job;
	pthread_t tid;
	bool threaded;
	struct jobset_node *next;
};

struct jobset {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct jobset_node *done; /* finished, not yet collected */
	size_t running;           /* started, not yet collected */
};

struct jobset *
jobset_new(void)
{
	struct jobset *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	if (pthread_mutex_init(&s->lock, NULL) != 0) {
		free(s);
		return NULL;
	}
	if (pthread_cond_init(&s->cond, NULL) != 0) {
		pthread_mutex_destroy(&s->lock);
		free(s);
		return NULL;
	}
	return s;
}

/* jobset_finished - put a node on the done list and wake the waiter */
static void
jobset_finished(struct jobset_node *n)
{
	struct jobset *s = n->set;

	pthread_mutex_lock(&s->lock);
	n->next = s->done;
	s->done = n;
	pthread_cond_signal(&s->cond);
	pthread_mutex_unlock(&s->lock);
}

static void *
jobset_thread(void *arg)
{
	struct jobset_node *n = arg;

	n->job->fn(n->job->arg);
	jobset_finished(n);
	return NULL;
}

void
jobset_start(struct jobset *s, struct job *j)
{
	struct jobset_node *n = calloc(1, sizeof(*n));
	pthread_attr_t attr;

	if (n == NULL) {
		/* No node, no tracking: the job still runs, here and now;
		 * jobset_wait will not return it. */
		j->fn(j->arg);
		return;
	}
	n->set = s;
	n->job = j;
	s->running++;
	if (pthread_attr_init(&attr) == 0) {
		/* As in jobs_run: small stacks, the default when refused. */
		(void)pthread_attr_setstacksize(&attr, 512 * 1024);
		n->threaded =
		    pthread_create(&n->tid, &attr, jobset_thread, n) == 0;
		pthread_attr_destroy(&attr);
	}
	if (!n->threaded)
		jobset_thread(n);
}

struct job *
jobset_wait(struct jobset *s)
{
	struct jobset_node *n;
	struct job *j;

	if (s == NULL || s->running == 0)
		return NULL;
	pthread_mutex_lock(&s->lock);
	while (s->done == NULL)
		pthread_cond_wait(&s->cond, &s->lock);
	n = s->done;
	s->done = n->next;
	pthread_mutex_unlock(&s->lock);
	if (n->threaded)
		pthread_join(n->tid, NULL);
	s->running--;
	j = n->job;
	free(n);
	return j;
}

void
jobset_free(struct jobset *s)
{
	if (s == NULL)
		return;
	while (jobset_wait(s) != NULL)
		;
	pthread_cond_destroy(&s->cond);
	pthread_mutex_destroy(&s->lock);
	free(s);
}
