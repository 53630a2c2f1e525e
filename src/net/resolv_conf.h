/*
 * resolv_conf.h - the part of resolv.conf(5) a stub resolver needs: the
 * nameserver lines and "options timeout:N attempts:N". Pure: the text of
 * the file in, a struct out; dns_config.c reads the file.
 *
 * Read as glibc 2.36 res_init() reads it, so that smtptls asks the servers
 * the system asks: a keyword starts its line and is followed by a blank;
 * lines starting with '#' or ';' are comments; unknown keywords (search,
 * domain, sortlist, ...) and unknown options (ndots:, rotate, trust-ad,
 * ...) are ignored; the first RESOLV_CONF_NS_MAX nameserver lines with a
 * numeric address count, later ones are ignored; text after the address is
 * ignored. Where we differ: a CR before the line end is taken as a blank
 * (glibc would drop the nameserver of a CRLF file), and a link-local IPv6
 * server with a zone ("fe80::1%eth0") is not used, because ldns cannot
 * send to a zone (it still takes one of the three places, as in glibc).
 */
#ifndef SMTPTLS_RESOLV_CONF_H
#define SMTPTLS_RESOLV_CONF_H

#include <stddef.h>

#include "dns.h"

/* glibc MAXNS (resolv.h): nameserver lines after the third are ignored. */
#define RESOLV_CONF_NS_MAX 3
/* glibc RES_MAXRETRANS and RES_MAXRETRY: larger values are cut to these. */
#define RESOLV_CONF_TIMEOUT_MAX 30
#define RESOLV_CONF_ATTEMPTS_MAX 5
/* glibc RES_DFLRETRY: rounds over the servers without attempts:N. */
#define RESOLV_CONF_ATTEMPTS_DEFAULT 2
/* Bytes of the file read: real files are a few hundred bytes; glibc reads
 * any size, we stop here and parse what we have. */
#define RESOLV_CONF_FILE_MAX (64 * 1024)

struct resolv_conf {
	struct dns_server servers[RESOLV_CONF_NS_MAX]; /* port 53 */
	size_t nservers;
	size_t nextra; /* valid nameserver lines after the third: ignored */
	size_t nzoned; /* link-local servers with a zone: not used */
	size_t nbad;   /* nameserver lines without a numeric address */
	unsigned timeout_s; /* options timeout:N (1-30); 0: not given */
	unsigned attempts;  /* options attempts:N (1-5); 0: not given */
};

/*
 * Parse LEN bytes of resolv.conf text (any bytes, NUL included; the last
 * line needs no newline) into *rc. Never fails: what is not understood is
 * ignored or counted as above. timeout:0 and attempts:0 count as 1 (glibc
 * would wait 1 s, or send nothing at all).
 */
void resolv_conf_parse(const char *text, size_t len, struct resolv_conf *rc);

#endif
