/*
 * test_jobs.c - the job pool (jobs.h): jobs run once each and come back
 * from jobset_wait in the order they finish; many sets in a row reuse the
 * pool's threads instead of making one per job; with no thread to be had
 * (jobs_pool_cap(0)) every job runs on the caller's thread and still
 * comes back; jobs_run keeps to its thread limit; a caller that polls
 * the set's descriptor gets every job back.
 */
#include "jobs.h"

#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "unit.h"
#include "banned.h"

static atomic_int ran, inflight, peak;
static pthread_t main_thread;

/* A job that counts itself and notes whether it ran on the caller. */
struct tally {
	atomic_int runs;
	bool on_caller;
};

static void
tally_fn(void *arg)
{
	struct tally *t = arg;
	struct timespec ms = { 0, 1000000 };
	int now = atomic_fetch_add(&inflight, 1) + 1, p = atomic_load(&peak);

	while (now > p && !atomic_compare_exchange_weak(&peak, &p, now))
		;
	t->on_caller = pthread_equal(pthread_self(), main_thread);
	nanosleep(&ms, NULL);
	atomic_fetch_add(&t->runs, 1);
	atomic_fetch_sub(&inflight, 1);
	atomic_fetch_add(&ran, 1);
}

/* run_set - start n tally jobs on a set, collect them; how many came
 * back, each once */
static int
run_set(struct tally *t, struct job *j, int n)
{
	struct jobset *s = jobset_new();
	struct job *got;
	int back = 0;

	if (s == NULL)
		return -1;
	for (int i = 0; i < n; i++) {
		j[i] = (struct job){ tally_fn, &t[i] };
		atomic_store(&t[i].runs, 0);
		jobset_start(s, &j[i]);
	}
	while ((got = jobset_wait(s)) != NULL)
		back += got >= j && got < j + n &&
		        atomic_load(&((struct tally *)got->arg)->runs) == 1;
	jobset_free(s);
	return back;
}

static void
test_no_threads(void)
{
	struct tally t[5];
	struct job j[5];
	int caller = 0;

	jobs_pool_cap(0);
	unit_eq_long("no threads: every job comes back once", 5,
	    run_set(t, j, 5));
	for (int i = 0; i < 5; i++)
		caller += t[i].on_caller;
	unit_eq_long("no threads: every job ran on the caller", 5, caller);
	unit_eq_long("no threads: the pool made none", 0,
	    (long)jobs_pool_threads());
	atomic_store(&peak, 0);
	for (int i = 0; i < 5; i++)
		j[i] = (struct job){ tally_fn, &t[i] };
	atomic_store(&ran, 0);
	jobs_run(j, 5, 4);
	unit_eq_long("no threads: jobs_run runs them all", 5,
	    atomic_load(&ran));
	jobs_pool_cap(SIZE_MAX);
}

static void
test_many_sets(void)
{
	struct tally t[8];
	struct job j[8];
	int ok = 0;

	atomic_store(&ran, 0);
	for (int round = 0; round < 300; round++)
		ok += run_set(t, j, 8) == 8;
	unit_eq_long("300 sets of 8: each job back once", 300, ok);
	unit_eq_long("300 sets of 8: 2400 runs", 2400, atomic_load(&ran));
	/* A thread per job would have made 2400; the pool keeps about one
	 * per job in flight (a few more when a set starts before the last
	 * one's threads are idle again). */
	unit_report(jobs_pool_threads() >= 1 && jobs_pool_threads() <= 32,
	    "300 sets of 8: threads reused (1..32 in the pool)", "1..32",
	    jobs_pool_threads() >= 1 ? "in range or more" : "0");
}

/* The order test: "slow" waits until "fast" has been collected. */
static pthread_mutex_t gate_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t gate_cond = PTHREAD_COND_INITIALIZER;
static bool gate_open, slow_saw_open;

static void
slow_fn(void *arg)
{
	struct timespec until;

	(void)arg;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 10; /* the test must stop by itself */
	pthread_mutex_lock(&gate_lock);
	while (!gate_open &&
	       pthread_cond_timedwait(&gate_cond, &gate_lock, &until) == 0)
		;
	slow_saw_open = gate_open;
	pthread_mutex_unlock(&gate_lock);
}

static void
fast_fn(void *arg)
{
	(void)arg;
}

static const char *
job_name(const struct job *j, const struct job *slow, const struct job *fast)
{
	return j == slow ? "slow" : j == fast ? "fast" : "other";
}

static void
test_order(void)
{
	struct jobset *s = jobset_new();
	struct job slow = { slow_fn, NULL }, fast = { fast_fn, NULL };
	struct job *first, *second;

	if (s == NULL) {
		unit_report(0, "order: a set", "a set", "NULL");
		return;
	}
	jobset_start(s, &slow);
	jobset_start(s, &fast);
	first = jobset_wait(s);
	pthread_mutex_lock(&gate_lock);
	gate_open = true;
	pthread_cond_broadcast(&gate_cond);
	pthread_mutex_unlock(&gate_lock);
	second = jobset_wait(s);
	unit_eq_str("order: the job that finished first", "fast",
	    job_name(first, &slow, &fast));
	unit_eq_str("order: then the slow one", "slow",
	    job_name(second, &slow, &fast));
	unit_report(slow_saw_open, "order: slow ran beside the caller",
	    "released by the caller", "timed out");
	unit_report(jobset_wait(s) == NULL, "order: then none", "NULL",
	    "a job");
	jobset_free(s);
}

static void
test_jobs_run(void)
{
	struct tally t[40];
	struct job j[40];
	int once = 0;

	for (int i = 0; i < 40; i++) {
		atomic_store(&t[i].runs, 0);
		j[i] = (struct job){ tally_fn, &t[i] };
	}
	atomic_store(&peak, 0);
	jobs_run(j, 40, 4);
	for (int i = 0; i < 40; i++)
		once += atomic_load(&t[i].runs) == 1;
	unit_eq_long("jobs_run: 40 jobs, each once", 40, once);
	unit_report(atomic_load(&peak) >= 1 && atomic_load(&peak) <= 4,
	    "jobs_run: at most 4 at once", "1..4",
	    atomic_load(&peak) > 4 ? "more" : "0");
}

static atomic_int ended;

static void
count_end(void)
{
	atomic_fetch_add(&ended, 1);
}

/* jobs_pool_stop: the idle threads end, each through the end hook, and
 * later jobs run on the caller */
static void
test_stop(void)
{
	struct tally t[8];
	struct job j[8];
	size_t before = jobs_pool_threads();
	int caller = 0, ended_before = atomic_load(&ended);

	unit_report(before > 0, "stop: the pool has threads first", "> 0",
	    "0");
	jobs_pool_stop();
	unit_eq_long("stop: every idle thread ended", 0,
	    (long)jobs_pool_threads());
	unit_eq_long("stop: each through the end hook", (long)before,
	    atomic_load(&ended) - ended_before);
	unit_eq_long("stop: jobs still come back", 8, run_set(t, j, 8));
	for (int i = 0; i < 8; i++)
		caller += t[i].on_caller;
	unit_eq_long("stop: on the caller's thread", 8, caller);
}

/* test_run_here - a job run here is done on return, on the caller's
 * thread, and comes back from jobset_wait once, beside started ones */
static void
test_run_here(void)
{
	struct tally t[3];
	struct job j[3];
	struct jobset *s = jobset_new();
	struct job *got;
	int back = 0, here_back = 0;

	if (s == NULL) {
		unit_report(0, "run here: a set", "a set", "out of memory");
		return;
	}
	for (int i = 0; i < 3; i++) {
		j[i] = (struct job){ tally_fn, &t[i] };
		atomic_store(&t[i].runs, 0);
		t[i].on_caller = false;
	}
	jobset_start(s, &j[0]);
	jobset_run_here(s, &j[1]);
	unit_eq_long("run here: done on return", 1, atomic_load(&t[1].runs));
	unit_eq_long("run here: on the caller's thread", 1, t[1].on_caller);
	jobset_start(s, &j[2]);
	while ((got = jobset_wait(s)) != NULL) {
		back++;
		here_back += got == &j[1];
	}
	jobset_free(s);
	unit_eq_long("run here: every job comes back", 3, back);
	unit_eq_long("run here: it comes back once", 1, here_back);
}

/* test_fd - a caller that polls: jobs that end on pool threads make the
 * set's descriptor readable, and jobset_poll hands each back once; one
 * run here comes back without it; an empty set gives NULL at once */
static void
test_fd(void)
{
	struct jobset *s = jobset_new();
	struct tally t[4];
	struct job j[4];
	int back = 0, polls = 0, fd;

	if (s == NULL) {
		unit_report(0, "fd: a set", "a set", "NULL");
		return;
	}
	for (int i = 0; i < 4; i++) {
		atomic_store(&t[i].runs, 0);
		j[i] = (struct job){ tally_fn, &t[i] };
	}
	fd = jobset_fd(s);
	unit_report(fd >= 0, "fd: an eventfd", ">= 0", "-1");
	jobset_run_here(s, &j[3]);
	unit_report(jobset_poll(s) == &j[3], "fd: run here, collected at once",
	    "the job", "another");
	for (int i = 0; i < 3; i++)
		jobset_start(s, &j[i]);
	while (jobset_running(s) > 0 && polls < 50) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		struct job *got;

		polls++;
		if (poll(&pfd, 1, 1000) != 1)
			break;
		(void)jobset_fd(s); /* reset, then collect */
		while ((got = jobset_poll(s)) != NULL)
			back += atomic_load(&((struct tally *)got->arg)->runs);
	}
	unit_eq_long("fd: three jobs back through poll, each once", 3, back);
	unit_report(jobset_poll(s) == NULL, "fd: then none", "NULL", "a job");
	jobset_free(s);
}

int
main(void)
{
	main_thread = pthread_self();
	jobs_pool_on_thread_end(count_end);
	test_no_threads(); /* first: before the pool has any thread */
	test_many_sets();
	test_order();
	test_jobs_run();
	test_run_here();
	test_fd();
	test_stop(); /* last: the pool takes no thread after it */
	return unit_exit();
}
