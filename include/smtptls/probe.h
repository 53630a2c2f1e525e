/*
 * probe.h - the probe of a mail domain: the library API that cmd/probe.c
 * uses. probe_run() does every lookup and SMTP session of one target and
 * returns a result that the report modules render; it never prints.
 */
#ifndef SMTPTLS_PROBE_H
#define SMTPTLS_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "smtptls/err.h"

enum probe_level {
	LEVEL_OPPORTUNISTIC = 0,
	LEVEL_ENCRYPT,
	LEVEL_VERIFY,
	LEVEL_DANE,
	LEVEL_MTASTS,
	LEVEL_SECURE,
	LEVEL__COUNT
};
/* "opportunistic", ..., "mta-sts", "secure" */
const char *probe_level_name(enum probe_level l);
/* -1 when name is not a level */
int probe_level_parse(const char *name);

enum target_kind { TARGET_DOMAIN = 0, TARGET_ADDRESS, TARGET_HOST };

/* --dnssec: who validates. AUTO uses the resolver's AD bit when the
 * resolver validates, else validates locally from the trust anchor. */
enum probe_dnssec {
	PROBE_DNSSEC_AUTO = 0,
	PROBE_DNSSEC_RESOLVER,
	PROBE_DNSSEC_LOCAL,
	PROBE_DNSSEC__COUNT
};
/* "auto", "resolver", "local" */
const char *probe_dnssec_name(enum probe_dnssec m);
/* -1 when name is not a mode */
int probe_dnssec_parse(const char *name);
/* The anchor of --dnssec auto|local without --trust-anchor: the root's
 * DNSKEY as Debian's dns-root-data ships it. */
#define PROBE_ROOT_ANCHOR "/usr/share/dns/root.key"

#define PROBE_MAX_RESOLVERS 4
#define PROBE_MAX_IGNORE 32
#define PROBE_MAX_PROFILES 8

/* Options of one probe run; strings are borrowed from the caller and must
 * outlive probe_run(). probe_options_init() sets the cli.md defaults. */
struct probe_options {
	const char *target; /* as given: domain, user@domain or NULL */
	const char *host;   /* --host HOST[:PORT], or NULL */
	const char *resolvers[PROBE_MAX_RESOLVERS];
	size_t nresolvers;
	/* resolv.conf read when nresolvers is 0; NULL: /etc/resolv.conf
	 * (cmd/ sets it from SMTPTLS_RESOLV_CONF) */
	const char *resolv_conf;
	const char *trust_anchor; /* --trust-anchor FILE or NULL */
	enum probe_dnssec dnssec; /* --dnssec (default auto); the anchor is
	                             trust_anchor, else PROBE_ROOT_ANCHOR, read
	                             at the start unless RESOLVER */
	const char *ca_file, *ca_path;
	/* SSL_CERT_FILE, SSL_CERT_DIR (cmd/ reads the environment), or NULL:
	 * the trust store without --ca-file/--ca-path (trust_store.h) */
	const char *ca_env_file, *ca_env_dir;
	unsigned timeout_ms, deadline_ms;
	bool ipv4, ipv6; /* families to use (both by default) */
	uint16_t port;
	const char *ehlo;      /* NULL: the machine's FQDN or localhost */
	const char *rcpt;      /* --rcpt or the address target */
	const char *mail_from; /* "" = null path */
	unsigned require;      /* 1 << enum probe_level */
	bool transcript, no_pem, no_mta_sts, no_dane, allow_private;
	bool catchall;  /* --catchall: a random second recipient */
	bool cleartext; /* --cleartext: the address test without TLS */
	bool strict, rcpt_all;
	bool scan; /* --scan: deep TLS scan (checks.md 10) */
	int warn_days;
	int min_tls;            /* TLS1_2_VERSION etc. */
	const char *tls_domain; /* --tls-domain or NULL */
	const char *ignore[PROBE_MAX_IGNORE];
	size_t nignore;
	/* Politeness (issue 14): connections open at once per address
	 * (--per-address, default 2; 0 = no limit), new connections per
	 * second overall (--max-rate, 0 = no limit). */
	unsigned per_address, max_rate;
	/* Sessions and limits shared with the other probes of a batch
	 * (probe_share_new), or NULL: this probe has its own limits. */
	struct probe_share *share;
	/* --profile NAME (implies scan) and --require profile:NAME: bit i
	 * of require_profiles makes profiles[i] decide the exit code */
	const char *profiles[PROBE_MAX_PROFILES];
	size_t nprofiles;
	unsigned require_profiles;
};

void probe_options_init(struct probe_options *o);

/* Process-wide set-up (the lookup pool's thread-end hook, libcurl opened
 * and checked); safe to call from several threads, runs once. A caller
 * that starts many probes (a batch, serve) calls it first, to fail before
 * any; probe_run() does the same parts itself, libcurl once its first
 * lookups are out. */
enum st_err probe_global_init(char *errmsg, size_t errlen);
/* Before the process ends, after its last probe: the idle threads that
 * ran the probes' lookups end, freeing their per-thread state (a sanitizer
 * would report it as leaked otherwise); later probes still work, without
 * threads. Safe without any probe having run. */
void probe_global_end(void);

struct probe_result;

/*
 * What the probes of one batch share (issue 14): each SMTP session (same
 * address, port, SNI, TLSA set, EHLO name, reverse path) runs once and its
 * facts are judged for every domain that uses it; every connection obeys
 * the limits of o (per_address, max_rate) and at most
 * PROBE_SHARE_PER_NET connections to one IPv4 /24 or IPv6 /48. With
 * sessions false, only the limits are shared (a bench and debug knob).
 * With sessions, some DNS answers are shared too (the MX hosts' A, AAAA
 * and TLSA, whether the resolver validates, the parent zones' SOA): each
 * is asked once a run (a domain's dns.queries still counts them).
 * Thread-safe. NULL when out of memory. Free after the last probe_run().
 */
struct probe_share *probe_share_new(const struct probe_options *o,
    bool sessions);
void probe_share_free(struct probe_share *sh);
#define PROBE_SHARE_PER_NET 8

struct probe_share_stats {
	size_t sessions;    /* sessions run (connections that got through the
	                       gate, retries included) */
	size_t copies;      /* results filled from another probe's session */
	size_t retries;     /* retries after a sign of rate limiting */
	size_t forgotten;   /* finished sessions dropped past the bound
	                       (PROBE_SHARE_DONE_MAX): a later domain on one
	                       connects again */
	size_t dns_lookups; /* shareable lookups sent (dns_cache.h) */
	size_t dns_shared;  /* answers taken from another probe's */
};
void probe_share_stats(struct probe_share *sh, struct probe_share_stats *st);

/*
 * Run the probe. Returns ST_OK with *out set (free with probe_result_free)
 * when a report exists, even if nothing could be measured; another code
 * when the run could not start (bad trust store, bad resolver spec: errmsg
 * says why; that is a configuration error, exit 2) or ran out of memory.
 */
enum st_err probe_run(const struct probe_options *o, struct probe_result **out,
    char *errmsg, size_t errlen);
void probe_result_free(struct probe_result *r);

/* The exit code of report.md 8 for this result. */
int probe_result_exit_code(const struct probe_result *r);

/* Counts for one-line summaries (--nagios, batch mode). */
struct probe_summary {
	const char *target; /* the input as given */
	int exit_code;
	size_t fail, warn, error; /* results not waived by --ignore */
	long duration_ms;
};
void probe_result_summary(const struct probe_result *r,
    struct probe_summary *s);

/* Reports, as NUL-terminated text the caller frees. NULL = out of memory. */
char *report_json_render(const struct probe_result *r);
/* The JSON document appended to out (src/base/buf.h), whose allocation a
 * caller that prints many (a batch) keeps from one to the next: the same
 * text as report_json_render, without allocating it anew each time. */
struct buf;
enum st_err report_json_append(const struct probe_result *r, struct buf *out)
    __attribute__((warn_unused_result));
char *report_human_render(const struct probe_result *r, bool color);
/* The SMTP dialogue of every address, one line each, prefixed with
 * "host[address]:port" (for -v on standard error). */
char *report_transcript_render(const struct probe_result *r);

/* "smtptls X.Y.Z", where the build comes from ("Build: release X.Y.Z" or
 * "Build: built from git 1a2b3c4"), library versions, one per line, for
 * --version. */
const char *smtptls_version(void);
char *smtptls_version_text(void);

#endif
