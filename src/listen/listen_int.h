/*
 * listen_int.h - what the listener's modules share: the session record
 * (filled by the driver in listen.c and the TLS adapter in listen_tls.c,
 * judged by listen_judge.c, rendered by listen_json.c and listen_human.c)
 * and the listener itself.
 */
#ifndef SMTPTLS_LISTEN_INT_H
#define SMTPTLS_LISTEN_INT_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>

#include <openssl/ssl.h>

#include "cert_check.h"
#include "conn.h"
#include "smtp_server.h"
#include "smtptls/check.h"
#include "smtptls/listen.h"
#include "st_limits.h"
#include "tls_class.h"

struct cJSON;

/* RFC 5321 4.5.3.2 lets servers wait 5 minutes per command; a test
 * listener need not wait so long. */
#define LISTEN_STEP_MS_DEFAULT 60000
#define LISTEN_SESSION_MS_DEFAULT 300000
/* Time to write the last reply before closing. */
#define LISTEN_LINGER_MS 2000

enum listen_hs {
	LISTEN_HS_NONE = 0,
	LISTEN_HS_OK,
	LISTEN_HS_ALERT_RECEIVED,
	LISTEN_HS_ALERT_SENT,
	LISTEN_HS_CLOSED,
	LISTEN_HS_TIMEOUT,
};

enum listen_refusal {
	LISTEN_REFUSAL_NONE = 0,
	LISTEN_REFUSAL_ALERT,
	LISTEN_REFUSAL_QUIT,
	LISTEN_REFUSAL_CLOSE,
	LISTEN_REFUSAL_PROCEEDED,
};

enum listen_verdict {
	LISTEN_V_UNKNOWN = 0,
	LISTEN_V_NO_TLS,
	LISTEN_V_TLS,
	LISTEN_V_OPPORTUNISTIC,
	LISTEN_V_REQUIRES_TLS,
	LISTEN_V_VERIFIES,
	LISTEN_V__COUNT
};

/* LPH_CLOSING: the last reply (or the 220 to STARTTLS) is being written
 * before the close (or the handshake); nothing more is read. */
enum listen_phase {
	LPH_NONE = 0,
	LPH_SMTP,
	LPH_HANDSHAKE,
	LPH_CLOSING,
	LPH_DONE
};

struct listen_tls_facts {
	enum listen_hs handshake;
	char alert[64]; /* fatal alert received or sent, long name */
	char version[16];
	struct tls_cipher_info cipher;
	bool have_cipher;
	char group[32];
	int kex_bits;
	char sni[256]; /* "" when none */
	char alpn[64];
	bool have_client_cert;
	struct cert_summary client_cert;
	struct cJSON *client_hello; /* owned or NULL */
	int hello_max_version;      /* highest offered, TLS1_x_VERSION */
	size_t hello_broken;        /* offered suites of class broken */
};

struct listen_session {
	struct listen *l;
	unsigned seq;
	char id[16]; /* "s-000001" */
	char peer[INET6_ADDRSTRLEN];
	unsigned peer_port;
	bool peer_v6;
	char local[INET6_ADDRSTRLEN];
	unsigned local_port;
	char started[32], finished[32];
	long long t_start, t_end;
	struct smtp_server sm;
	bool sm_ready;
	bool tls_attempted;
	struct listen_tls_facts tls;
	unsigned related[LISTEN_RELATED_MAX];
	size_t nrelated;
	enum listen_refusal refusal;
	enum listen_verdict verdict;
	struct check_list checks;
	char errmsg[200];

	/* driver: the connection (fd, SSL, step deadline) is conn.c's */
	struct conn c;
	enum listen_phase phase;
	long long session_deadline;
};

struct listen_peer {
	char addr[INET6_ADDRSTRLEN];
	unsigned seq;
	enum listen_verdict verdict;
	bool cleartext_mail; /* the session sent MAIL without TLS */
	bool tls_ok;
};

/* Another certificate, for the sessions that ask for name by SNI. */
struct listen_alt {
	char name[256];
	SSL_CTX *ctx;
	struct cert_summary cert;
};
#define LISTEN_SNI_MAX 16

struct listen {
	struct listen_params p;
	char hostname[256];
	char *binds[LISTEN_BINDS_MAX]; /* "addr:port" as bound */
	int lfd[LISTEN_BINDS_MAX];
	size_t nl;
	SSL_CTX *ctx;
	struct cert_summary server_cert;
	char started[32];
	struct listen_session *sess[LISTEN_SESSIONS_MAX];
	unsigned next_seq;
	unsigned finished;
	unsigned complete; /* finished without the listener ending them */
	struct listen_peer *hist; /* LISTEN_HISTORY_MAX, ring */
	size_t nhist;
	size_t counts[CHECK__COUNT];
	bool any_fail;
	enum listen_reason reason;
	enum st_err err; /* first session that could not be judged */
	char *expect[4];
	size_t nexpect;
	struct listen_alt alt[LISTEN_SNI_MAX]; /* listen_sni.c */
	size_t nalt;
};

/* listen_sni.c: the other certificates' contexts */
void listen_sni_free(struct listen *l);

/* listen_tls.c */
SSL_CTX *listen_tls_ctx(const struct listen_params *p, const char *hostname,
    struct cert_summary *cert, char *errmsg, size_t errlen);
/* A new server SSL on s->c.fd that records into s; NULL on failure. */
SSL *listen_tls_new(SSL_CTX *ctx, struct listen_session *s);
/* After a successful handshake: version, cipher, group, SNI, client cert. */
void listen_tls_collect(struct listen_session *s);

/* listen_session.c: one session's steps, called by listen.c's poll loop */
void listen_sess_free(struct listen_session *s);
/* Accept one sender on the listening socket lfd into a free slot. */
void listen_sess_accept(struct listen *l, int lfd, long long now);
/* The poll events the session waits for now. */
unsigned listen_sess_io(const struct listen_session *s);
void listen_sess_ready(struct listen_session *s, short rev, long long now);
/* Feed what the sender wrote (or TLS holds) to the SMTP machine. */
void listen_sess_read(struct listen_session *s, long long now);
/* End the session on its step or session limit, or because the listener
 * stops (listener true). */
void listen_sess_timeout(struct listen_session *s, bool listener,
    long long now);
/* Judge and report a finished session, keep its history, free the slot. */
void listen_sess_finish(struct listen *l, size_t slot, listen_session_cb cb,
    void *arg);

/* listen_judge.c */
const char *listen_verdict_name(enum listen_verdict v);
/* Names of report.md 9, or NULL for the zero ("not yet") values. */
const char *listen_refusal_name(enum listen_refusal r);
const char *listen_hs_name(enum listen_hs h);
/* Refusal, verdict and checks of a finished session. ST_OK, or the error
 * that kept a check result out of s->checks (check_list_error). */
enum st_err listen_session_judge(struct listen_session *s)
    __attribute__((warn_unused_result));

#endif
