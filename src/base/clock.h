/*
 * clock.h - monotonic milliseconds for deadlines and timings. Wall-clock
 * time is only for certificate dates and report timestamps.
 */
#ifndef SMTPTLS_CLOCK_H
#define SMTPTLS_CLOCK_H

#include <stddef.h>
#include <time.h>

/* Milliseconds on CLOCK_MONOTONIC. */
long long clock_ms(void);
/* RFC 3339 UTC with milliseconds of the current wall-clock time. */
void clock_rfc3339_now(char *out, size_t len);
/* RFC 3339 UTC with seconds of t. */
void clock_rfc3339(time_t t, char *out, size_t len);

#endif
