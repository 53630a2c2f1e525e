/*
 * check_data.h - the typed data of a check result (report.md 6, "data"):
 * what a check measured, as C values, so that checks never build JSON.
 * The report layer renders it (check_data_json.c), in the member order
 * of the schema.
 *
 * Ownership: the struct is owned by its check_result. A string or array
 * declared `const` points into the facts the check read (the probe_result
 * or listen session that also holds the check list) and is valid while
 * they are; a char array holds a value the check computed, and what
 * `own` points to (a copy of facts that die with the check) is freed with
 * the struct.
 */
#ifndef SMTPTLS_CHECK_DATA_H
#define SMTPTLS_CHECK_DATA_H

#include <stdbool.h>
#include <stddef.h>

#include "smtptls/check.h"

#include "cert_check.h"
#include "dns.h"
#include "mtasts_fetch.h"
#include "mtasts_policy.h"
#include "tls_client.h"
#include "scan.h"
#include "smtp_reply.h"
#include "st_limits.h"
#include "tlsrpt.h"

/* The shapes of data, zero for "none yet"; named by shape, not by check,
 * since several checks share one. */
enum cd_kind {
	CD_NONE = 0,
	CD_DNS_RESOLVER,    /* dns.resolver.dnssec */
	CD_DNS_MX_LOOKUP,   /* dns.mx.lookup */
	CD_DNS_EXCHANGE,    /* dns.mx.target.syntax */
	CD_DNS_ADDRS,       /* dns.mx.target.resolves */
	CD_TLSRPT_URIS,     /* tlsrpt.rua */
	CD_SMTP_CONNECT,    /* smtp.connect */
	CD_SMTP_REPLY,      /* code and enhanced code: rcpt.* */
	CD_SMTP_BANNER,     /* the reply, host, lines, ms: smtp.banner */
	CD_SMTP_EHLO,       /* the reply, verb, host, keywords: smtp.ehlo */
	CD_SMTP_STARTTLS,   /* the reply and its text: smtp.starttls.response */
	CD_SMTP_KEYWORDS,   /* keywords only: smtp.ehlo.after_tls */
	CD_SMTP_REQUIRETLS, /* smtp.requiretls */
	CD_TLS_HANDSHAKE,   /* alert, ms: tls.handshake */
	CD_TLS_VERSION,     /* tls.version */
	CD_TLS_CIPHER,      /* tls.cipher */
	CD_TLS_KEX,         /* tls.kex */
	CD_TLS_SIGALG,      /* tls.sigalg */
	CD_CERT_VERIFY,     /* path validation: cert.chain.trusted */
	CD_CERT_COMPLETE,   /* presented, issues: cert.chain.complete */
	CD_CERT_EXPIRY,     /* cert.expiry */
	CD_CERT_NAMES,      /* cert.name.match, cert.name.nexthop */
	CD_CERT_KEY,        /* cert.key */
	CD_CERT_SIGNATURE,  /* cert.signature */
	CD_DANE_LOOKUP,     /* dane.tlsa.lookup */
	CD_DANE_MATCH,      /* dane.tlsa.match */
	CD_MTASTS_TXT,      /* records, id: mtasts.txt */
	CD_MTASTS_FETCH,    /* the HTTPS transfer: mtasts.policy.fetch */
	CD_MTASTS_POLICY,   /* the parsed policy: mtasts.policy.syntax */
	CD_MTASTS_PATTERN,  /* the mx pattern matched: mtasts.mx.match */
	CD_SCAN_VERSIONS,   /* the versions tried: tls.version.min */
	CD_SCAN_CIPHERS,    /* the suites accepted: tls.ciphers.weak */
	CD_SENDER_VERB,     /* sender.starttls.used */
	CD_SENDER_CERT,     /* sender.cert.enforced */
	CD__COUNT
};

struct cd_dns_resolver {
	bool local;        /* validated locally, not through the AD bit */
	char resolver[80]; /* "addr:port" of the first server */
	enum dns_validation state;
};

struct cd_dns_mx_lookup {
	const char *rcode; /* dns_rcode_name(), NULL when none */
	enum dns_dnssec dnssec;
	size_t count;
	bool implicit;
	const struct dns_answer *chain; /* its CNAME chain */
};

struct cd_dns_addrs {
	char *const *a; /* presentation text of the A records */
	size_t na;
	char *const *aaaa;
	size_t naaaa;
};

struct cd_smtp_connect {
	bool connected;
	long ms;           /* connected */
	const char *error; /* not connected: the error code */
};

/* The reply shapes of the SMTP checks; which members render depends on
 * the kind (check_data_json.c). */
struct cd_smtp_reply {
	const struct smtp_reply *rep; /* NULL: no reply ("code": null) */
	char host[256];               /* BANNER, EHLO: escaped host name */
	char text[300];               /* STARTTLS: the escaped first line */
	long ms;                      /* BANNER */
	bool helo;                    /* EHLO: HELO was used, no keywords */
};

struct cd_smtp_requiretls {
	bool pre_tls, post_tls;
};

/* The TLS shapes: which facts of the handshake and chain each kind
 * renders is up to check_data_json.c; the check says which it judged. */
struct cd_tls {
	const struct tls_facts *t;
	const struct cert_name_result *name; /* CD_CERT_NAMES */
	long ms;                             /* CD_TLS_HANDSHAKE */
};

/* The usable TLSA records that match nothing the server presented, by
 * their parameters (dane_unmatched() in check_dane.c). */
struct dane_unmatched {
	size_t n;
	struct {
		unsigned char usage, selector, mtype;
	} v[DNS_RR_MAX];
};

struct cd_dane_lookup {
	const struct dns_answer *a; /* the TLSA answer */
	const char *base;           /* the name the TLSA name was built on */
};

struct cd_dane_match {
	const struct tls_facts *t; /* the DANE outcome of the handshake */
	struct dane_unmatched unmatched;
};

struct cd_mtasts_txt {
	const struct dns_answer *txt; /* the _mta-sts TXT answer */
	const char *id;               /* the candidate's id=, NULL if none */
};

struct cd_mtasts_fetch {
	const struct mtasts_fetch_result *f;
	const char *reason; /* static; NULL when the fetch succeeded */
};

/* The listener's checks (sender.*): copies, since a listen session's
 * facts may move before its record is written. */
struct cd_sender {
	char verb[8];        /* SENDER_VERB: "EHLO" or "HELO" */
	const char *outcome; /* SENDER_CERT: static refusal name */
	char alert[64];      /* SENDER_CERT: the TLS alert, "" for none */
};

struct cd_tlsrpt_uris {
	const struct tlsrpt_uri *v; /* in record order */
	size_t n;
};

struct check_data {
	enum cd_kind kind;
	void *own; /* owned memory the members below may point into */
	union {
		struct cd_dns_resolver resolver;
		struct cd_dns_mx_lookup mx_lookup;
		const char *exchange; /* CD_DNS_EXCHANGE: the MX host name */
		struct cd_dns_addrs addrs;
		struct cd_tlsrpt_uris uris;
		struct cd_smtp_connect connect;
		struct cd_tls tls;
		struct cd_sender sender;
		const struct scan_facts *scan; /* CD_SCAN_* */
		struct cd_mtasts_txt sts_txt;
		struct cd_mtasts_fetch fetch;
		const struct mtasts_policy *policy; /* CD_MTASTS_POLICY */
		const char *pattern; /* CD_MTASTS_PATTERN, NULL: none */
		struct cd_dane_lookup dane_lookup;
		struct cd_dane_match dane_match;
		struct cd_smtp_reply reply;
		struct cd_smtp_requiretls requiretls;
	} u;
};

/*
 * A zeroed check_data of kind k, to fill and hand to check_add(); NULL
 * when out of memory, and then ST_ERR_NOMEM is recorded in l (the result
 * is still added, without data, and the list reads as incomplete).
 */
struct check_data *check_data_new(struct check_list *l, enum cd_kind k);
void check_data_free(struct check_data *d);
/* check_data_new for a cd_smtp_reply kind k, about rep (may be NULL). */
struct check_data *check_data_reply(struct check_list *l, enum cd_kind k,
    const struct smtp_reply *rep);

#endif
