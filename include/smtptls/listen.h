/*
 * listen.h - the listener: accept SMTP sessions from sending servers and
 * record how each sender does TLS (checks.md 11, report.md 9).
 *
 * listen_new() binds every address and prepares the TLS server; it never
 * binds a wildcard address unless the caller names one. listen_run()
 * serves any number of senders at once in one poll() loop and calls back
 * with each finished session; the callback renders it (listen_session_json
 * or listen_session_human) and may print, which the library never does.
 */
#ifndef SMTPTLS_LISTEN_H
#define SMTPTLS_LISTEN_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "smtptls/err.h"

struct listen;
struct listen_session;

struct listen_params {
	const char *const *binds; /* "ADDR:PORT", "[V6]:PORT", "ADDR" (25) */
	size_t nbinds;
	const char *hostname;  /* banner, EHLO reply, generated cert */
	const char *cert_file; /* PEM chain, or NULL: generate one */
	const char *key_file;  /* PEM key (NULL: in cert_file) */
	bool untrusted_cert;   /* self-signed for a wrong name */
	bool request_client_cert;
	bool starttls; /* offer STARTTLS */
	bool accept_data;
	unsigned count;        /* stop after this many sessions; 0: no */
	long long duration_ms; /* stop after this long; 0: no limit */
	bool expect_verify, expect_no_cleartext, expect_client_cert;
	const char *expect_sni;      /* or NULL */
	unsigned step_timeout_ms;    /* idle limit per command/handshake */
	unsigned session_timeout_ms; /* whole-session limit */
};

/* Called for each finished session, in the order they finish. The
 * session is borrowed for the call. */
typedef void (*listen_session_cb)(void *arg, const struct listen_session *s);

/*
 * Bind and prepare. On failure *out is NULL, errmsg says why and the
 * code tells the class: ST_ERR_IO (bind or listen failed), ST_ERR_PARSE
 * (a bind address, certificate or key that cannot be used), ST_ERR_INVAL
 * (hostname), ST_ERR_NOMEM, ST_ERR_TLS.
 */
enum st_err listen_new(const struct listen_params *p, struct listen **out,
    char *errmsg, size_t errlen) __attribute__((warn_unused_result));
void listen_free(struct listen *l);

/*
 * Serve until --count sessions finished, --duration ran out or *stop
 * became non-zero (set it from a SIGINT/SIGTERM handler); sessions still
 * open then end as listener-closed and are reported too. ST_OK unless the
 * loop itself failed (ST_ERR_NOMEM, ST_ERR_IO) or a session could not be
 * judged (ST_ERR_NOMEM: that session is not reported, and the run ends).
 */
enum st_err listen_run(struct listen *l, listen_session_cb cb, void *arg,
    volatile sig_atomic_t *stop) __attribute__((warn_unused_result));

enum listen_reason {
	LISTEN_REASON_NONE = 0,
	LISTEN_REASON_COUNT,
	LISTEN_REASON_DURATION,
	LISTEN_REASON_SIGNAL,
	LISTEN_REASON_ERROR,
};
enum listen_reason listen_reason(const struct listen *l);
/* Sessions finished so far, and of those the ones that ended on their
 * own (not cut off by the listener's end): --count counts these. */
unsigned listen_sessions(const struct listen *l);
unsigned listen_sessions_complete(const struct listen *l);
/* Whether any session had a check with status fail. */
bool listen_any_fail(const struct listen *l);

/* JSON Lines records (report.md 9), one line without the final newline;
 * the caller frees. NULL when out of memory. */
char *listen_start_json(const struct listen *l);
char *listen_session_json(const struct listen_session *s);
/* The same record with one more string member key (a caller that groups
 * sessions: the sender test tags each with its scenario). */
char *listen_session_json_tagged(const struct listen_session *s,
    const char *key, const char *value);
char *listen_end_json(const struct listen *l, int exit_code);
/* A short human block for one session, ending in a newline; verbose adds
 * every check. The caller frees; NULL when out of memory. */
char *listen_session_human(const struct listen_session *s, bool verbose);

/* What a finished session did, for callers that judge senders across
 * sessions (the sender test). Strings point into the session. */
struct listen_outcome {
	const char *peer;  /* numeric address of the sender */
	const char *local; /* our address it connected to */
	const char *sni;   /* "" when none (or no TLS) */
	bool starttls;     /* STARTTLS answered 220 */
	bool tls;          /* the handshake completed */
	bool mail;         /* a MAIL FROM was accepted */
	bool delivered;    /* a message was accepted (250 after DATA) */
};
void listen_session_outcome(const struct listen_session *s,
    struct listen_outcome *o);
/* SHA-256 of the SubjectPublicKeyInfo of the certificate presented, as 64
 * lower-case hex digits (a TLSA 3 1 1 value); "" before one is made. */
const char *listen_cert_spki(const struct listen *l);

/* Present another certificate to senders that ask for name by SNI (at
 * most 16 names; before listen_run): cert_file and key_file as in
 * listen_params, or NULL for one made at start (self-signed for name, or
 * with untrusted for a wrong name). ST_ERR_PARSE: the files are not
 * usable; ST_ERR_INVAL: too many names. */
enum st_err listen_add_sni(struct listen *l, const char *name,
    const char *cert_file, const char *key_file, bool untrusted, char *errmsg,
    size_t errlen) __attribute__((warn_unused_result));
/* The SPKI hash (as listen_cert_spki) of name's certificate; "" if none. */
const char *listen_sni_spki(const struct listen *l, const char *name);

#endif
