/*
 * jobs.h - run independent blocking jobs (DNS lookups, the MTA-STS fetch)
 * on a small pool of threads and wait for all of them, or one by one as
 * they finish.
 *
 * ldns and libcurl's easy interface block; threads let a probe ask every
 * question at once, so DNS costs one round trip per dependency level
 * instead of one per query. Jobs share nothing writable with each other.
 */
#ifndef SMTPTLS_JOBS_H
#define SMTPTLS_JOBS_H

#include <stdbool.h>
#include <stddef.h>

struct job {
	void (*fn)(void *arg);
	void *arg;
};

/* Run all jobs with at most max_threads at once (the caller's thread
 * among them); returns when all are done. It cannot fail: without
 * threads (or without the lock that shares the work out) the caller runs
 * the jobs itself, one after the other. */
void jobs_run(struct job *jobs, size_t n, size_t max_threads);

/*
 * A job set: jobs started one by one, each on a thread of the pool, and
 * collected in the order they finish, so that a caller can start what
 * depends on one answer as soon as that answer is there (the address
 * lookups of the MX hosts while the TXT lookups are still out).
 *
 * jobset_start runs the job on a thread of the process's pool: an idle
 * one, or a new one that joins the pool (threads idle for two seconds
 * end); when none is idle and none can be started it runs the job itself
 * before returning (the job still comes back from jobset_wait).
 * jobset_wait blocks until a started job has finished and returns it, or
 * NULL when none is left. jobset_free waits for every job still running,
 * then frees the set; accepts NULL. The set and its jobs belong to the
 * caller's thread: only one thread starts and waits.
 */
struct jobset;
struct jobset *jobset_new(void);
void jobset_start(struct jobset *s, struct job *j);
/* Run j on the caller's thread before returning; it comes back from
 * jobset_wait like a started one. For a job known not to block (an answer
 * already at hand): handing it to a thread would cost more than it does. */
void jobset_run_here(struct jobset *s, struct job *j);
struct job *jobset_wait(struct jobset *s);
void jobset_free(struct jobset *s);

/*
 * For a caller that waits on other descriptors too (the probe's DNS
 * sockets). jobset_poll: jobset_wait without waiting (NULL also when none
 * has finished yet); jobset_running: started jobs not yet collected.
 * jobset_fd: a descriptor (an eventfd) that polls readable once a job
 * finishes on a pool thread, made on the first call, or -1 when none can
 * be made (use jobset_wait). Each call resets it: call it, then collect
 * with jobset_poll until NULL, then poll it with the others.
 */
struct job *jobset_poll(struct jobset *s);
size_t jobset_running(const struct jobset *s);
int jobset_fd(struct jobset *s);

/* The pool's limit of threads (default: none); with 0 every job started
 * from then on runs on its caller's thread. For tests and for callers that must
 * not make threads. jobs_pool_threads: how many the pool holds now. */
void jobs_pool_cap(size_t max_threads);
size_t jobs_pool_threads(void);

/*
 * A function every pool thread calls as it ends (set once, before the
 * first job): what frees a library's per-thread state, e.g. OpenSSL's
 * error queue, which its own thread-exit handler frees only when the
 * thread ends before the process does.
 */
void jobs_pool_on_thread_end(void (*fn)(void));

/*
 * Before the process ends: every pool thread not inside a job's function
 * (idle, or just past a job whose set was told it is done) ends, each
 * calling the function above, and jobs started from then on run on their
 * caller's thread. Threads still running a job are not waited for (a lookup
 * past the run's deadline must not hold the exit); they end as their
 * job does.
 */
void jobs_pool_stop(void);

#endif
