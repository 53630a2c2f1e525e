/*
 * ipaddr.h - what kind of IP address a binary address is. Shared by the
 * check dns.mx.addr.routable and by serve, which refuses to connect to
 * such addresses on a stranger's request.
 */
#ifndef SMTPTLS_IPADDR_H
#define SMTPTLS_IPADDR_H

#include <stdbool.h>

/* Whether a (4 octets for AF_INET, 16 for AF_INET6, network order) is a
 * special-purpose address of RFC 6890 and its successors: not globally
 * reachable. Any other family counts as special. */
bool ipaddr_special(int family, const unsigned char *a);

#endif
