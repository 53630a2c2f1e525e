/*
 * dns.h - DNS lookups through ldns with DNSSEC status.
 *
 * One blocking lookup per call (ldns is synchronous); the probe runs several
 * in threads at once, so everything here is re-entrant: no globals, and each
 * query makes its own ldns resolver from the shared, read-only dns_config.
 *
 * DNSSEC status comes from the resolver's AD bit (dnssec_source
 * DNS_SRC_RESOLVER_AD) or, when a trust anchor is configured, from local
 * validation by ldns (DNS_SRC_LOCAL).
 *
 * Resolver AD: every query has RD and DO set (EDNS buffer 1232; truncated
 * answers are repeated over TCP). NOERROR/NXDOMAIN with AD is
 * secure, without AD insecure. SERVFAIL is asked again with CD set; when
 * that gives NOERROR or NXDOMAIN the lookup keeps rcode SERVFAIL (what a
 * validating sender sees), fills the answers from the CD response and says
 * DNSSEC_BOGUS, with err ST_OK. A SERVFAIL that CD does not explain is
 * err ST_ERR_DNS with dnssec DNSSEC_INDETERMINATE.
 *
 * Local: every query has RD, DO and CD set (the resolver hands over data it
 * may judge bogus itself). An answer that validates as bogus gets rcode
 * SERVFAIL (what a validating sender sees, as on the resolver path) and
 * keeps its records; else rcode is what the resolver sent. Validation
 * walks down from the anchor zone:
 * DNSKEY matched against the anchor, DS signed by the parent, DNSKEY
 * matched against the DS; a signed NSEC/NSEC3 proof of no DS at a
 * delegation makes the zone below insecure. Names outside the anchor's
 * zone are indeterminate. Limits (XXX): the proof that no closer name
 * exists is not checked for wildcard-expanded answers; NSEC3 NODATA for
 * wildcards and DNAME are not supported (DNAME-synthesised CNAMEs come out
 * bogus); NSEC3 with more than 150 iterations (RFC 9276) is indeterminate.
 * Validated keys are cached per lookup only, so each lookup asks the
 * resolver again for the DS and DNSKEY RRsets on its path (cheap: cached
 * there).
 */
#ifndef SMTPTLS_DNS_H
#define SMTPTLS_DNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "smtptls/err.h"

struct ldns_struct_rr_list;

enum dns_dnssec {
	DNSSEC_UNCHECKED = 0, /* no working validation */
	DNSSEC_SECURE,
	DNSSEC_INSECURE,
	DNSSEC_BOGUS,
	DNSSEC_INDETERMINATE,
	DNSSEC__COUNT
};
/* "secure", "insecure", "bogus", "indeterminate", "unchecked" */
const char *dns_dnssec_name(enum dns_dnssec s);

enum dns_source { DNS_SRC_RESOLVER_AD = 0, DNS_SRC_LOCAL };

struct dns_server {
	char addr[64]; /* numeric IPv4 or IPv6, no brackets */
	uint16_t port;
};

/* Read-only after dns_config_init(); shared by all lookups of a run. */
struct dns_config {
	struct dns_server servers[4];
	size_t nservers;
	/* Limit for one dns_lookup(): all its queries (CNAME re-queries, the CD
	 * retry, validation), every server, UDP retries and the TCP fallback.
	 */
	unsigned timeout_ms;
	/* Servers from resolv.conf: rounds over the list (options attempts:N,
	 * default 2) and the most one try may wait (options timeout:N in ms,
	 * 0: no cap); each try waits at most an equal share of what is left
	 * for the tries still to come. Both 0 with --resolver: one round,
	 * DNS_UDP_TRIES tries per server within its share. */
	unsigned rounds, try_ms;
	char *trust_anchor;     /* file with DS/DNSKEY records, or NULL */
	enum dns_source source; /* DNS_SRC_LOCAL iff trust_anchor */
	/* The parsed anchor (ldns_rr_list of DS/DNSKEY, one owner), or NULL;
	 * owned, only read by lookups. */
	struct ldns_struct_rr_list *anchor;
};

/*
 * Fill cfg from servers given as "ADDR", "ADDR:PORT", "[V6]:PORT" or a bare
 * IPv6 address (port 53 by default), at most 4; with nspecs == 0, from the
 * resolv.conf file resolv_conf (NULL: /etc/resolv.conf) as resolv_conf.h
 * reads it: its first three nameservers and its timeout and attempts
 * options (rounds, try_ms above). trust_anchor may be
 * NULL; else it is read and parsed here (source becomes DNS_SRC_LOCAL).
 * Errors: ST_ERR_INVAL (bad address, too many), ST_ERR_IO (resolv.conf or
 * anchor unreadable, no nameserver), ST_ERR_PARSE (bad anchor),
 * ST_ERR_NOMEM. On error cfg holds nothing to release and errmsg (size
 * errlen) holds one line saying what was wrong.
 */
enum st_err dns_config_init(struct dns_config *cfg, const char *const *specs,
    size_t nspecs, const char *resolv_conf, unsigned timeout_ms,
    const char *trust_anchor, char *errmsg, size_t errlen);
void dns_config_release(struct dns_config *cfg);
/* A deep copy of src into dst (which holds nothing): what a batch's probes
 * take instead of reading resolv.conf and the anchor again. ST_ERR_NOMEM
 * leaves dst holding nothing. */
enum st_err dns_config_copy(struct dns_config *dst,
    const struct dns_config *src) __attribute__((warn_unused_result));

struct dns_mx {
	uint16_t preference;
	char *exchange; /* lowercase, no trailing dot; "" for the null MX "." */
};

struct dns_tlsa {
	uint8_t usage, selector, mtype;
	uint8_t *data; /* certificate association data, len bytes */
	size_t len;
};

struct dns_cname_link {
	char *from, *to;
	enum dns_dnssec dnssec;
};

/* The lookup object of report.md 5.1. */
struct dns_answer {
	char *name;             /* query name, lowercase, no trailing dot */
	uint16_t type;          /* LDNS_RR_TYPE_* value */
	int rcode;              /* LDNS_RCODE_* value; -1: no response */
	enum dns_dnssec dnssec; /* of the answer RRset or of the denial, not of
	                           the CNAMEs before it (see cname[].dnssec) */
	char dnssec_why[120];   /* why bogus or indeterminate, else "" */
	bool ad;                /* AD bit of the final response */
	long ttl;               /* min TTL of the answer RRset, or for NXDOMAIN
	                           and NODATA min(SOA TTL, SOA MINIMUM) of the
	                           authority SOA; -1 unknown */
	/* Answer records of the queried type at the end of the CNAME chain,
	 * sorted as report.md 2 says (addresses numerically, MX by preference
	 * then exchange, others by this text). */
	char **text; /* presentation rdata, one per record:
	                A/AAAA canonical address (RFC 5952),
	                TXT character-strings concatenated with
	                bytes outside 0x20-0x7e as \DDD and "\" as
	                "\\", MX "pref exchange" ("0 ." for the
	                null MX), TLSA "u s m hex" (lowercase hex),
	                other types their rdata fields joined by
	                spaces as ldns prints them */
	size_t ntext;
	/* TXT only, in the order of text: each record's character-strings
	 * concatenated as raw octets (any value, NUL included); txt[i] holds
	 * txt_len[i] octets plus a terminating NUL. Parsers of TXT records
	 * read these, not the escaped text. NULL for other types. */
	char **txt;
	size_t *txt_len;
	struct dns_mx *mx; /* MX only, sorted by preference then name */
	size_t nmx;
	struct dns_tlsa *tlsa; /* TLSA only, in the order of text */
	size_t ntlsa;
	struct dns_cname_link *cname; /* CNAMEs followed, in order */
	size_t ncname;
	bool truncated_list; /* more than DNS_RR_MAX (MX: DNS_MX_MAX)
	                        records; the first ones in order are kept */
	unsigned ms;         /* wall time of the lookup (monotonic clock) */
	unsigned queries;    /* DNS queries sent, validation included */
	enum st_err err;     /* ST_OK, ST_ERR_TIMEOUT, ST_ERR_DNS, ... */
	char errmsg[160];    /* one line when err != ST_OK */
};

/*
 * Look up NAME/TYPE (class IN), following CNAMEs (at most DNS_CNAME_MAX
 * links; more, or a loop, is ST_ERR_DNS), re-querying the last target when
 * a response ends in a CNAME without the target's data or denial. Always
 * fills *ans (release with dns_answer_release), also on failure. The
 * return value equals ans->err. NXDOMAIN and NODATA are not errors: rcode
 * and ntext tell them apart. SERVFAIL (unless explained as bogus, see
 * above), REFUSED and other rcodes are ST_ERR_DNS with rcode set; no
 * response within cfg->timeout_ms is ST_ERR_TIMEOUT with rcode -1 and
 * dnssec DNSSEC_INDETERMINATE; a response that does not match the query
 * is ST_ERR_PROTO; a NAME ldns cannot parse is ST_ERR_INVAL.
 */
enum st_err dns_lookup(const struct dns_config *cfg, const char *name,
    uint16_t type, struct dns_answer *ans);
void dns_answer_release(struct dns_answer *ans);
/* A deep copy of src into dst; false when out of memory (dst then holds
 * what was copied so far: release it). */
bool dns_answer_copy(struct dns_answer *dst, const struct dns_answer *src)
    __attribute__((warn_unused_result));

/* What dns_probe_validation() learned about the path to DNSSEC status. */
enum dns_validation {
	DNS_VALIDATION_OK = 0,   /* AD set (resolver) / anchor zone secure */
	DNS_VALIDATION_NO_AD,    /* the resolver did not set AD */
	DNS_VALIDATION_NO_RRSIG, /* signed data came without RRSIGs: the
	                            resolver strips them (no DO support) */
	DNS_VALIDATION_FAILED,   /* local: the anchor zone does not validate
	                            (or no answer) */
	DNS_VALIDATION__COUNT
};
/* "ok", "no-ad", "no-rrsig", "failed" */
const char *dns_validation_name(enum dns_validation v);

/*
 * Whether DNSSEC status can be learned (check dns.resolver.dnssec): with
 * source DNS_SRC_LOCAL, validate the anchor zone's DNSKEY locally; else ask
 * for the root SOA with DO and look at AD (and, without AD, whether the
 * signed root's SOA came with its RRSIG). *state says what was found; when
 * not DNS_VALIDATION_OK, errmsg explains. Returns ST_OK when the question
 * was answered either way, else the error of the query (*state
 * DNS_VALIDATION_NO_AD or _FAILED, errmsg says why).
 */
enum st_err dns_probe_validation(const struct dns_config *cfg,
    enum dns_validation *state, char *errmsg, size_t errlen);

/* "NOERROR", "NXDOMAIN", ...; NULL for rcode -1, "RCODE" above 10 */
const char *dns_rcode_name(int rcode);
/* "MX", "A", "AAAA", "TXT", "TLSA", "CNAME", ...; "TYPE" when ldns does
 * not know the type */
const char *dns_type_name(uint16_t type);

#endif
