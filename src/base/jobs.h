/*
 * jobs.h - run independent blocking jobs (DNS lookups, the MTA-STS fetch)
 * on a small pool of threads and wait for all of them.
 *
 * ldns and libcurl's easy interface block; threads let a probe ask every
 * question at once, so DNS costs one round trip per dependency level
 * instead of one per query. Jobs share nothing writable with each other.
 */
#ifndef SMTPTLS_JOBS_H
#define SMTPTLS_JOBS_H

#include <stddef.h>

struct job {
	void (*fn)(void *arg);
	void *arg;
};

/* Run all jobs with at most max_threads at once; returns when all are
 * done. It cannot fail: without threads (or without the lock that shares
 * the work out) the caller runs the jobs itself, one after the other. */
void jobs_run(struct job *jobs, size_t n, size_t max_threads);

#endif
