/*
 * dns_pending.h - a lookup whose first question goes out without
 * blocking, so that one thread can have many out at once and wait on all
 * their sockets in one poll(2) (the probe's DNS, probe_dns.c).
 *
 * Most lookups are one question and one answer; those end in
 * dns_pending_read on the caller's thread. One that needs more (a CNAME
 * target to ask for, the CD retry of a SERVFAIL, TCP for a truncated
 * answer, local validation, the next try after no answer) says so, and
 * dns_pending_finish goes on from the answer in hand, blocking, on a
 * thread of the caller's choice. Either way the answer is the one
 * dns_lookup (dns.h) gives, with the same time limit.
 */
#ifndef SMTPTLS_DNS_PENDING_H
#define SMTPTLS_DNS_PENDING_H

#include <stdint.h>

#include "dns.h"

struct dns_pending;

enum dns_pending_state {
	DNS_PENDING_WAIT = 0, /* nothing for the lookup yet: poll again */
	DNS_PENDING_DONE,     /* *ans is the lookup's answer */
	DNS_PENDING_BLOCKS    /* the rest needs dns_pending_finish */
};

/*
 * Send the first question of the lookup NAME/TYPE to the first server,
 * the lookup's time limit (cfg->timeout_ms) starting now; cfg must
 * outlive *out. ST_OK with *out set; else *out is NULL (ST_ERR_NOMEM, or
 * ST_ERR_INVAL/ST_ERR_IO when the question cannot be built or sent) and
 * dns_lookup is the way to the answer and its error.
 */
enum st_err dns_pending_start(const struct dns_config *cfg, const char *name,
    uint16_t type, struct dns_pending **out)
    __attribute__((warn_unused_result));
/* The socket to poll for POLLIN; -1 once the try is over. */
int dns_pending_fd(const struct dns_pending *p);
/* The clock_ms() time the first try ends: call dns_pending_read then,
 * readable or not. */
long long dns_pending_until(const struct dns_pending *p);
/* Read what came (see the states); ans is filled only for DONE (release
 * it with dns_answer_release). */
enum dns_pending_state dns_pending_read(struct dns_pending *p,
    struct dns_answer *ans);
/* After BLOCKS: the rest of the lookup, blocking, from the answer that
 * came, or asked anew within the time left when none came. Fills *ans
 * and returns ans->err as dns_lookup does. */
enum st_err dns_pending_finish(struct dns_pending *p, struct dns_answer *ans);
/* Accepts NULL. */
void dns_pending_free(struct dns_pending *p);

#endif
