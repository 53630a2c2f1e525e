/*
 * check.h - check results: the data every finding becomes.
 *
 * A check fills a result (id, status, subject, detail, optional data);
 * report modules render results, and the exit code is computed from them.
 * Ids are the enum check_id; their names and severities come from the
 * catalogue in check.c, which mirrors checks.md Appendix D in order.
 */
#ifndef SMTPTLS_CHECK_H
#define SMTPTLS_CHECK_H

#include <stdbool.h>
#include <stddef.h>

#include "smtptls/err.h"

struct check_data;

/*
 * Every check id of checks.md Appendix D, in its order (which is report
 * order). The names ("dns.mx.lookup", ...) come from check_id_name().
 */
enum check_id {
	CK_NONE = 0, /* no check: not set yet, or none decided */
	CK_DNS_RESOLVER_DNSSEC,
	CK_DNS_MX_LOOKUP,
	CK_DNS_MX_DNSSEC,
	CK_DNS_MX_NULL,
	CK_DNS_MX_TARGET_SYNTAX,
	CK_DNS_MX_TARGET_CNAME,
	CK_DNS_MX_TARGET_RESOLVES,
	CK_DNS_MX_ADDR_DNSSEC,
	CK_DNS_MX_ADDR_ROUTABLE,
	CK_SMTP_CONNECT,
	CK_SMTP_BANNER,
	CK_SMTP_EHLO,
	CK_SMTP_STARTTLS_OFFERED,
	CK_SMTP_STARTTLS_RESPONSE,
	CK_SMTP_EHLO_AFTER_TLS,
	CK_SMTP_STARTTLS_READVERTISED,
	CK_SMTP_REQUIRETLS,
	CK_TLS_HANDSHAKE,
	CK_TLS_VERSION,
	CK_TLS_CIPHER,
	CK_TLS_KEX,
	CK_TLS_SIGALG,
	CK_CERT_CHAIN_TRUSTED,
	CK_CERT_CHAIN_COMPLETE,
	CK_CERT_EXPIRY,
	CK_CERT_NAME_MATCH,
	CK_CERT_NAME_NEXTHOP,
	CK_CERT_KEY,
	CK_CERT_SIGNATURE,
	CK_CERT_OCSP,
	CK_CERT_CONSISTENCY,
	CK_DANE_TLSA_LOOKUP,
	CK_DANE_TLSA_USABLE,
	CK_DANE_TLSA_PARAMS,
	CK_DANE_TLSA_MATCH,
	CK_DANE_TA_PRESENTED,
	CK_DANE_ROLLOVER,
	CK_DANE_MX_CONSISTENCY,
	CK_MTASTS_TXT,
	CK_MTASTS_POLICY_FETCH,
	CK_MTASTS_POLICY_CERT,
	CK_MTASTS_POLICY_SYNTAX,
	CK_MTASTS_POLICY_MODE,
	CK_MTASTS_POLICY_MAX_AGE,
	CK_MTASTS_MX_MATCH,
	CK_MTASTS_MX_CERT,
	CK_TLSRPT_RECORD,
	CK_TLSRPT_RUA,
	CK_TLSRPT_RECOMMENDED,
	CK_RCPT_MAIL_FROM,
	CK_RCPT_ACCEPTED,
	CK_RCPT_CATCHALL,
	CK_RCPT_CLEARTEXT,
	CK_SMTP_STARTTLS_INJECTION,
	CK_TLS_VERSION_MIN,
	CK_TLS_VERSION_TLS12,
	CK_TLS_CIPHERS_WEAK,
	CK_TLS_CIPHERS_ORDER,
	CK_TLS_GROUPS,
	CK_TLS_RENEGOTIATION_SECURE,
	CK_TLS_RENEGOTIATION_CLIENT,
	CK_TLS_COMPRESSION,
	CK_TLS_EMS,
	CK_TLS_SNI,
	CK_CERT_ALTERNATES,
	CK_POLICY_OPPORTUNISTIC,
	CK_POLICY_ENCRYPT,
	CK_POLICY_VERIFY,
	CK_POLICY_DANE,
	CK_POLICY_MTASTS,
	CK_POLICY_SECURE,
	CK_SENDER_STARTTLS_USED,
	CK_SENDER_EHLO_AFTER_TLS,
	CK_SENDER_TLS_VERSION,
	CK_SENDER_TLS_CIPHER,
	CK_SENDER_TLS_CLIENT_HELLO,
	CK_SENDER_SNI,
	CK_SENDER_CLIENT_CERT,
	CK_SENDER_CERT_ENFORCED,
	CK_SENDER_FALLBACK_CLEARTEXT,
	CK__COUNT
};

enum check_status {
	CHECK_NONE = 0, /* not judged yet; never reported */
	CHECK_PASS,
	CHECK_WARN,
	CHECK_FAIL,
	CHECK_INFO,
	CHECK_SKIP,
	CHECK_ERROR,
	CHECK__COUNT
};
/* "pass", "warn", ... */
const char *check_status_name(enum check_status s);

struct check_result {
	enum check_id id; /* name: check_id_name(id) */
	enum check_status status;
	char *domain; /* subject fields, owned, NULL when absent */
	char *mx;
	char *address;
	char *mailbox;
	char *detail;            /* one sentence, owned */
	struct check_data *data; /* typed data (check_data.h), owned or NULL */
	const char *tlsrpt;      /* RFC 8460 result type or NULL (static) */
	bool waived;
	unsigned order;         /* catalogue position, for sorting */
	unsigned subject_order; /* position of the subject in the report */
};

/*
 * A list of results with a sticky error: the first failure to record a
 * result (or one a check module reports with check_list_set_error) stays
 * in err, and later results are still recorded where memory allows. The
 * checks add results without testing each call; whoever judges or
 * renders the list reads check_list_error() once first, as a stdio
 * writer reads ferror() after its last fprintf. A list with an error is
 * incomplete: a result missing from it says nothing about the target.
 */
struct check_list {
	struct check_result *v;
	size_t n, cap;
	enum st_err err; /* first failure, ST_OK if none */
};

/* The name of id ("dns.mx.lookup", ...); "unknown" outside the enum. */
const char *check_id_name(enum check_id id);
/* The id named name; false (and *id untouched) if no check has it. */
bool check_id_parse(const char *name, enum check_id *id);
/* Severity text of id ("critical", ...); NULL outside the enum. */
const char *check_severity(enum check_id id);

void check_list_init(struct check_list *l);
void check_list_release(struct check_list *l);

/*
 * Append a result. Subject strings are copied (may be NULL); data is taken
 * over (freed on failure too). The detail is printf-formatted. Returns the
 * new result, to set optional fields; NULL when out of memory, and then
 * ST_ERR_NOMEM is recorded in the list (check_list_error), so a caller
 * that needs no field may ignore the return value.
 */
struct check_result *check_add(struct check_list *l, enum check_id id,
    enum check_status st, const char *domain, const char *mx,
    const char *address, unsigned subject_order, struct check_data *data,
    const char *fmt, ...) __attribute__((format(printf, 9, 10)));

/* The list's sticky error: ST_OK, or the first failure recorded. */
enum st_err check_list_error(const struct check_list *l)
    __attribute__((warn_unused_result));
/* Record err (not ST_OK) as the list's error unless one is recorded: for a
 * check module that could not produce its results. */
void check_list_set_error(struct check_list *l, enum st_err err);

/* Sort into report order: catalogue order, then subject order. */
void check_list_sort(struct check_list *l);

/* Mark results whose id name matches a shell pattern (fnmatch) as
 * waived. */
void check_list_waive(struct check_list *l, const char *const *patterns,
    size_t npatterns);

/*
 * The first result with this id and subject (mx/address may be NULL: any),
 * by a scan of the list; the verdicts read results through an index
 * instead (check_idx.h).
 */
const struct check_result *check_find(const struct check_list *l,
    enum check_id id, const char *mx, const char *address);

/* Count results per status (waived included); counts has CHECK__COUNT. */
void check_list_count(const struct check_list *l, size_t *counts);

#endif
