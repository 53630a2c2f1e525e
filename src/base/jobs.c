/*
 * jobs.c - jobs on a pool of threads that outlive them (see jobs.h).
 *
 * A batch probe runs about fifteen DNS lookups per domain, each a job of
 * its own; a thread made and ended per job cost a fifth of the batch's
 * CPU (clone, the stack's first touches, and the madvise and TLB
 * shootdown when it ends). So a job goes to an idle pool thread when one
 * is waiting, or to a new thread that stays in the pool when the job is
 * done; a thread idle for POOL_IDLE_SEC ends, so a long-lived process
 * (serve) gives back what a burst made.
 */
#include "jobs.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "banned.h"

/* Seconds an idle pool thread waits for work before it ends. */
#define POOL_IDLE_SEC 2
/* Idle threads kept at most: each holds the stack pages its jobs touched
 * (a batch's 500 lookups in flight kept 11 MiB more resident). */
#define POOL_IDLE_MAX 64
/* Stack of a pool thread: jobs only call ldns and libcurl. If the size
 * is refused, the default is merely larger. */
#define POOL_STACK (512 * 1024)

/* One started job of a set; on the done list once it has run. */
struct jobset_node {
	struct jobset *set;
	struct job *job;
	struct jobset_node *next;
};

struct jobset {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct jobset_node *done; /* finished, not yet collected */
	size_t running;           /* started, not yet collected */
	int efd; /* jobset_fd's eventfd, or -1 until asked for */
};

/*
 * The pool: nodes handed over wait on a FIFO for an idle thread. A node
 * is queued only when an idle thread is there to take it (idle > queued),
 * and an idle thread ends only when the queue is empty, so every queued
 * node runs without waiting for a busy thread.
 */
static struct {
	pthread_mutex_t lock;
	pthread_cond_t work;
	pthread_cond_t gone; /* a leaving thread is done (jobs_pool_stop) */
	struct jobset_node *head, *tail;
	size_t idle, queued, threads, cap;
	/* Threads handed a job whose function has not returned yet: the
	 * others (idle, between jobs, leaving) end soon when the pool stops. */
	size_t busy;
	bool stopping;
	void (*on_end)(void);
} pool = { .lock = PTHREAD_MUTEX_INITIALIZER,
	.work = PTHREAD_COND_INITIALIZER,
	.gone = PTHREAD_COND_INITIALIZER,
	.cap = SIZE_MAX };

void
jobs_pool_cap(size_t max_threads)
{
	pthread_mutex_lock(&pool.lock);
	pool.cap = max_threads;
	pthread_mutex_unlock(&pool.lock);
}

void
jobs_pool_on_thread_end(void (*fn)(void))
{
	pthread_mutex_lock(&pool.lock);
	pool.on_end = fn;
	pthread_mutex_unlock(&pool.lock);
}

void
jobs_pool_stop(void)
{
	pthread_mutex_lock(&pool.lock);
	pool.stopping = true;
	pthread_cond_broadcast(&pool.work);
	while (pool.threads > pool.busy)
		pthread_cond_wait(&pool.gone, &pool.lock);
	pthread_mutex_unlock(&pool.lock);
}

size_t
jobs_pool_threads(void)
{
	size_t n;

	pthread_mutex_lock(&pool.lock);
	n = pool.threads;
	pthread_mutex_unlock(&pool.lock);
	return n;
}

/* node_done - put a node whose job ran on its set's done list and wake
 * the waiter, through the set's eventfd too when it has one and the job
 * ran on a pool thread (on the waiter's own thread the waiter looks
 * before it polls); the node and the set are the waiter's afterwards */
static void
node_done(struct jobset_node *n, bool elsewhere)
{
	struct jobset *s = n->set;

	pthread_mutex_lock(&s->lock);
	n->next = s->done;
	s->done = n;
	/* Under the lock: once it is released the waiter may collect the
	 * node, free the set and close the descriptor, and the number may
	 * already name another file (a socket of the probe's). */
	if (elsewhere && s->efd >= 0)
		(void)eventfd_write(s->efd, 1);
	pthread_cond_signal(&s->cond);
	pthread_mutex_unlock(&s->lock);
}

/* node_run - a node's job on the caller's thread */
static void
node_run(struct jobset_node *n)
{
	n->job->fn(n->job->arg);
	node_done(n, false);
}

/* pool_take - the next queued node, or NULL when none came for
 * POOL_IDLE_SEC or the pool stops (the thread then leaves the pool,
 * pool_leave); a node taken counts the thread as busy */
static struct jobset_node *
pool_take(void)
{
	struct jobset_node *n = NULL;
	struct timespec until;
	bool timed = clock_gettime(CLOCK_REALTIME, &until) == 0;

	until.tv_sec += POOL_IDLE_SEC;
	pthread_mutex_lock(&pool.lock);
	if ((pool.idle >= POOL_IDLE_MAX || pool.stopping) &&
	    pool.head == NULL) {
		pthread_mutex_unlock(&pool.lock);
		return NULL;
	}
	pool.idle++;
	while (pool.head == NULL && !pool.stopping) {
		/* Without a clock an idle thread ends at once. */
		if (!timed ||
		    pthread_cond_timedwait(&pool.work, &pool.lock, &until) != 0)
			if (pool.head == NULL)
				break;
	}
	pool.idle--;
	if ((n = pool.head) != NULL) {
		if ((pool.head = n->next) == NULL)
			pool.tail = NULL;
		pool.queued--;
		pool.busy++;
	}
	pthread_mutex_unlock(&pool.lock);
	return n;
}

/* pool_leave - a thread's last act: the end hook, then out of the count */
static void
pool_leave(void)
{
	void (*fn)(void);

	pthread_mutex_lock(&pool.lock);
	fn = pool.on_end;
	pthread_mutex_unlock(&pool.lock);
	if (fn != NULL)
		fn();
	pthread_mutex_lock(&pool.lock);
	pool.threads--;
	pthread_cond_broadcast(&pool.gone);
	pthread_mutex_unlock(&pool.lock);
}

static void *
pool_thread(void *arg)
{
	struct jobset_node *n = arg;

	do {
		n->job->fn(n->job->arg);
		/* Not busy before the waiter learns the job is done: a stop
		 * that follows waits for this thread to leave. */
		pthread_mutex_lock(&pool.lock);
		pool.busy--;
		pthread_mutex_unlock(&pool.lock);
		node_done(n, true);
	} while ((n = pool_take()) != NULL);
	pool_leave();
	return NULL;
}

/* pool_spawn - a new pool thread whose first job is n; false when none
 * can be started */
static bool
pool_spawn(struct jobset_node *n)
{
	pthread_attr_t attr;
	pthread_t tid;
	bool ok = false;

	if (pthread_attr_init(&attr) == 0) {
		(void)pthread_attr_setstacksize(&attr, POOL_STACK);
		ok = pthread_attr_setdetachstate(&attr,
		         PTHREAD_CREATE_DETACHED) == 0 &&
		     pthread_create(&tid, &attr, pool_thread, n) == 0;
		pthread_attr_destroy(&attr);
	}
	return ok;
}

/* pool_hand - give n to an idle pool thread or a new one; false when
 * neither is possible (the caller then runs it) */
static bool
pool_hand(struct jobset_node *n)
{
	pthread_mutex_lock(&pool.lock);
	if (pool.stopping) {
		pthread_mutex_unlock(&pool.lock);
		return false;
	}
	if (pool.cap > 0 && pool.idle > pool.queued) {
		n->next = NULL;
		if (pool.tail != NULL)
			pool.tail->next = n;
		else
			pool.head = n;
		pool.tail = n;
		pool.queued++;
		pthread_cond_signal(&pool.work);
		pthread_mutex_unlock(&pool.lock);
		return true;
	}
	if (pool.threads >= pool.cap) {
		pthread_mutex_unlock(&pool.lock);
		return false;
	}
	pool.threads++;
	pool.busy++;
	pthread_mutex_unlock(&pool.lock);
	if (pool_spawn(n))
		return true;
	pthread_mutex_lock(&pool.lock);
	pool.threads--;
	pool.busy--;
	pthread_mutex_unlock(&pool.lock);
	return false;
}

struct jobset *
jobset_new(void)
{
	struct jobset *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	s->efd = -1;
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

/* set_node - a tracked node of s for j; NULL when out of memory (the job
 * then runs here and now, and jobset_wait will not return it) */
static struct jobset_node *
set_node(struct jobset *s, struct job *j)
{
	struct jobset_node *n = calloc(1, sizeof(*n));

	if (n == NULL) {
		j->fn(j->arg);
		return NULL;
	}
	n->set = s;
	n->job = j;
	s->running++;
	return n;
}

void
jobset_start(struct jobset *s, struct job *j)
{
	struct jobset_node *n = set_node(s, j);

	if (n != NULL && !pool_hand(n))
		node_run(n);
}

void
jobset_run_here(struct jobset *s, struct job *j)
{
	struct jobset_node *n = set_node(s, j);

	if (n != NULL)
		node_run(n);
}

/* collect - the next finished job, waiting for one when wait; NULL when
 * none is left, or (not wait) none has finished yet */
static struct job *
collect(struct jobset *s, bool wait)
{
	struct jobset_node *n;
	struct job *j;

	if (s == NULL || s->running == 0)
		return NULL;
	pthread_mutex_lock(&s->lock);
	while (s->done == NULL && wait)
		pthread_cond_wait(&s->cond, &s->lock);
	if ((n = s->done) != NULL)
		s->done = n->next;
	pthread_mutex_unlock(&s->lock);
	if (n == NULL)
		return NULL;
	s->running--;
	j = n->job;
	free(n);
	return j;
}

struct job *
jobset_wait(struct jobset *s)
{
	return collect(s, true);
}

struct job *
jobset_poll(struct jobset *s)
{
	return collect(s, false);
}

size_t
jobset_running(const struct jobset *s)
{
	return s != NULL ? s->running : 0;
}

int
jobset_fd(struct jobset *s)
{
	eventfd_t v;

	pthread_mutex_lock(&s->lock);
	if (s->efd < 0)
		s->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	pthread_mutex_unlock(&s->lock);
	/* Reset before the caller collects: a job that finishes after
	 * this writes again. */
	if (s->efd >= 0)
		(void)eventfd_read(s->efd, &v);
	return s->efd;
}

void
jobset_free(struct jobset *s)
{
	if (s == NULL)
		return;
	while (jobset_wait(s) != NULL)
		;
	if (s->efd >= 0)
		close(s->efd);
	pthread_cond_destroy(&s->cond);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

/* An array of jobs shared out by index (jobs_run). */
struct share {
	struct job *jobs;
	size_t n, next;
	pthread_mutex_t lock;
};

/* share_worker - take the next job until none is left */
static void
share_worker(void *arg)
{
	struct share *p = arg;

	for (;;) {
		size_t i;

		pthread_mutex_lock(&p->lock);
		i = p->next < p->n ? p->next++ : p->n;
		pthread_mutex_unlock(&p->lock);
		if (i >= p->n)
			return;
		p->jobs[i].fn(p->jobs[i].arg);
	}
}

void
jobs_run(struct job *jobs, size_t n, size_t max_threads)
{
	struct share p = { .jobs = jobs, .n = n, .next = 0 };
	struct job helper = { share_worker, &p };
	struct jobset *s;
	size_t nt, i;

	if (n == 0)
		return;
	if (pthread_mutex_init(&p.lock, NULL) != 0) {
		/* No lock, no sharing: the jobs still run, in turn. */
		for (i = 0; i < n; i++)
			jobs[i].fn(jobs[i].arg);
		return;
	}
	nt = n < max_threads ? n : max_threads;
	/* The caller is one of the nt; the others are pool threads. With
	 * no set (no memory) the caller does all the work. */
	if ((s = jobset_new()) != NULL)
		for (i = 1; i < nt; i++)
			jobset_start(s, &helper);
	share_worker(&p);
	jobset_free(s);
	pthread_mutex_destroy(&p.lock);
}
