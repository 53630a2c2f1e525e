/*
 * dns_server.h - the sender test's authoritative DNS server: UDP and TCP
 * (RFC 7766) on one address, answering from a signed test zone
 * (testzone_answer) in a thread of its own, so that the SMTP listener's
 * loop and the HTTPS server never wait for it.
 *
 * Bounded: at most DNS_TCP_MAX TCP clients at once (more wait in the
 * backlog), each with DNS_TCP_IDLE_MS to send a query and 65,535 octets
 * per message; a UDP datagram is answered or dropped, never queued.
 */
#ifndef SMTPTLS_DNS_SERVER_H
#define SMTPTLS_DNS_SERVER_H

#include <stddef.h>

#include "smtptls/err.h"

struct tz_signed;
struct dns_server_run;

struct dns_server_stats {
	unsigned long udp, tcp; /* queries answered */
	unsigned long dropped;  /* not a query, or a client cut off */
	unsigned long refused;  /* outside the zone, or a transfer */
};

/*
 * Bind bind_spec ("ADDR[:PORT]", port 53 by default) for UDP and TCP and
 * start answering from z, which must outlive the server. ST_OK,
 * ST_ERR_PARSE (the address), ST_ERR_IO (bind; errmsg says why),
 * ST_ERR_NOMEM, ST_ERR_INTERNAL (the thread).
 */
enum st_err dns_server_start(const struct tz_signed *z, const char *bind_spec,
    struct dns_server_run **out, char *errmsg, size_t errlen)
    __attribute__((warn_unused_result));
/* The bound address as text ("127.10.19.53:53"). */
const char *dns_server_addr(const struct dns_server_run *d);
/* Stop the thread, close every socket, fill *stats if not NULL, free. */
void dns_server_stop(struct dns_server_run *d, struct dns_server_stats *stats);

#endif
