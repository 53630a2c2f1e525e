/*
 * ipaddr.c - classify IP addresses (RFC 6890 special-purpose registries).
 * Pure: no lookups, no sockets.
 */
#include "ipaddr.h"

#include <sys/socket.h>

#include "banned.h"

bool
ipaddr_special(int family, const unsigned char *a)
{
	if (family == AF_INET)
		return a[0] == 0 || a[0] == 10 || a[0] == 127 ||
		       (a[0] == 100 && (a[1] & 0xc0) == 64) ||
		       (a[0] == 169 && a[1] == 254) ||
		       (a[0] == 172 && (a[1] & 0xf0) == 16) ||
		       (a[0] == 192 && a[1] == 0 && a[2] == 0) ||
		       (a[0] == 192 && a[1] == 0 && a[2] == 2) ||
		       (a[0] == 192 && a[1] == 168) ||
		       (a[0] == 198 && (a[1] & 0xfe) == 18) ||
		       (a[0] == 198 && a[1] == 51 && a[2] == 100) ||
		       (a[0] == 203 && a[1] == 0 && a[2] == 113) || a[0] >= 224;
	if (family != AF_INET6)
		return true;
	/* IPv6: only 2000::/3 is global unicast, minus documentation. */
	if ((a[0] & 0xe0) != 0x20)
		return true;
	return a[0] == 0x20 && a[1] == 0x01 && a[2] == 0x0d && a[3] == 0xb8;
}
