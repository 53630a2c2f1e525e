/*
 * mtasts_check.h - the MTA-STS part of a probe: the policy fetch (run in a
 * thread while the SMTP sessions run), the facts the other checks need
 * (checks.md 1.8 "PKIX expected", 12.1 sts and sts_mx) and the mtasts.*
 * findings (checks.md 7).
 */
#ifndef SMTPTLS_MTASTS_CHECK_H
#define SMTPTLS_MTASTS_CHECK_H

#include <pthread.h>
#include <stdbool.h>

#include "mtasts_fetch.h"
#include "mtasts_policy.h"
#include "mtasts_txt.h"
#include "probe_result.h"

struct mtasts_state {
	struct mtasts_txt txt;
	bool txt_error;     /* the TXT lookup failed (SERVFAIL...) */
	bool host_resolves; /* mta-sts.<domain> has addresses */
	bool host_error;    /* its lookup failed */
	bool fetch_started;
	pthread_t thread;
	struct mtasts_fetch_params params;
	const char *addrs[8];
	struct mtasts_fetch_result fetch;
	bool fetch_done;
	bool fetch_failed; /* mtasts_fetch returned an error */
	struct mtasts_policy policy;
	bool policy_parsed; /* an authenticated body was parsed */
	bool ctype_ok;
	bool valid; /* fact sts: a valid policy (1.1) */
};

/* Parse the TXT record and start the fetch in a thread, trusting store
 * (the run's one trust store, up-referenced by the fetch; NULL: the
 * --ca-file/--ca-path files or libcurl's default). Returns NULL when out
 * of memory. */
struct mtasts_state *mtasts_start(struct probe_result *r, X509_STORE *store);
/* Wait for the fetch and judge the policy (fills the facts). ST_OK, or
 * ST_ERR_NOMEM when the policy could not be parsed for lack of memory. */
enum st_err mtasts_finish(struct probe_result *r)
    __attribute__((warn_unused_result));
void mtasts_state_free(struct mtasts_state *s);

/* Facts for other modules; false/NULL without a valid policy. */
enum mtasts_mode mtasts_mode_of(const struct probe_result *r);
/* The pattern matching host, or NULL. */
const char *mtasts_match(const struct probe_result *r, const char *host);

/* mtasts.* findings. */
void check_mtasts_run(struct probe_result *r);

#endif
