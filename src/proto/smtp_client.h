/*
 * smtp_client.h - the probe's SMTP client dialogue as a state machine.
 *
 * Fed the bytes the server sent, it decides what to say next and queues the
 * command bytes for the driver to write. It knows no socket, clock or
 * OpenSSL: when the server accepts STARTTLS it returns SMTP_EV_START_TLS and
 * waits for the driver to run the handshake and call smtp_client_tls_done();
 * timeouts are the driver's and reported with smtp_client_timeout().
 *
 * Dialogue (checks.md 1.9): banner; EHLO (HELO when EHLO is refused);
 * STARTTLS when offered and wanted; EHLO again over TLS; when a recipient is
 * given MAIL FROM, RCPT TO, RSET; QUIT. Never DATA or BDAT.
 *
 * A refusal ends the dialogue early: a 421 at once (the server is closing);
 * any other refusal of the greeting, EHLO+HELO or EHLO over TLS after a QUIT
 * and its reply (or EOF). A STARTTLS refusal is not one: the dialogue goes on
 * in cleartext, as an opportunistic sender would. A rejected MAIL skips RCPT
 * but still sends RSET and QUIT.
 */
#ifndef SMTPTLS_SMTP_CLIENT_H
#define SMTPTLS_SMTP_CLIENT_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "smtp_params.h"
#include "smtp_reply.h"
#include "smtptls/err.h"
#include "st_limits.h"

enum smtp_state {
	SMTP_ST_NONE = 0, /* not initialised (smtp_client_init sets BANNER) */
	SMTP_ST_BANNER,   /* waiting for the greeting */
	SMTP_ST_EHLO,     /* EHLO sent */
	SMTP_ST_HELO,     /* EHLO refused, HELO sent */
	SMTP_ST_STARTTLS, /* STARTTLS sent */
	SMTP_ST_TLS,      /* 220 received; the driver runs the handshake */
	SMTP_ST_EHLO_TLS, /* EHLO sent over TLS */
	SMTP_ST_READY,    /* hello done, held: the driver decides whether
	                     this session runs the address test */
	SMTP_ST_MAIL,     /* MAIL FROM sent */
	SMTP_ST_RCPT,     /* RCPT TO sent */
	SMTP_ST_RCPT2,    /* second RCPT TO (the catch-all test) sent */
	SMTP_ST_RSET,     /* RSET sent */
	SMTP_ST_QUIT,     /* QUIT sent */
	SMTP_ST_DONE,     /* dialogue complete */
	SMTP_ST_FAILED,   /* dialogue ended early; see fail_state, err */
	SMTP_ST__COUNT
};
/* "banner", "ehlo", ... for traces and reports */
const char *smtp_state_name(enum smtp_state s);

enum smtp_event {
	SMTP_EV_NONE = 0,  /* nothing new: feed more, or send pending output */
	SMTP_EV_START_TLS, /* run the TLS handshake now */
	SMTP_EV_DONE,      /* dialogue complete; close the connection */
	SMTP_EV_FAILED,    /* dialogue ended early; close the connection */
	SMTP_EV_READY,     /* held before MAIL (hold_before_mail): call
	                      smtp_client_go() when the choice is made */
};

/* EHLO keywords the checks look at (RFC 5321 4.1.1.1, 2.2.2). */
enum smtp_ext {
	SMTP_EXT_STARTTLS = 1 << 0,            /* RFC 3207 */
	SMTP_EXT_SIZE = 1 << 1,                /* RFC 1870 */
	SMTP_EXT_PIPELINING = 1 << 2,          /* RFC 2920 */
	SMTP_EXT_8BITMIME = 1 << 3,            /* RFC 6152 */
	SMTP_EXT_SMTPUTF8 = 1 << 4,            /* RFC 6531 */
	SMTP_EXT_REQUIRETLS = 1 << 5,          /* RFC 8689 */
	SMTP_EXT_CHUNKING = 1 << 6,            /* RFC 3030 */
	SMTP_EXT_ENHANCEDSTATUSCODES = 1 << 7, /* RFC 2034 */
	SMTP_EXT_DSN = 1 << 8,                 /* RFC 3461 */
	SMTP_EXT_AUTH = 1 << 9,                /* RFC 4954 */
};

struct smtp_client_params {
	const char *ehlo_name; /* name sent in EHLO/HELO; see
	                          smtp_ehlo_name_problem() */
	bool starttls;         /* issue STARTTLS when offered */
	const char *mail_from; /* reverse path without <>; "" or NULL = null
	                          path; else see smtp_mailbox_problem() */
	const char *rcpt;      /* recipient to test, or NULL: no address test;
	                          see smtp_mailbox_problem() */
	const char *rcpt2;     /* a second recipient in the same transaction
	                          when the first is accepted (--catchall), or
	                          NULL; same limits */
	bool hold_before_mail; /* with rcpt: stop in SMTP_ST_READY after the
	                          last hello and wait for smtp_client_go() */
};

struct smtp_client {
	enum smtp_state state;
	struct smtp_client_params params; /* strings copied, owned */
	struct smtp_reply_parser parser;
	struct buf out;        /* commands not yet handed out */
	struct buf transcript; /* "< 220 ..." / "> EHLO ..." lines,
	                          capped at SMTP_TRANSCRIPT_MAX */
	/* Transcript format: one line per event, each ending in "\n":
	 * "< " a line the server sent (line end removed), "> " a command we
	 * queued (CRLF removed), "* " a trace line ("* banner -> ehlo",
	 * "* tls handshake done"). Non-printable octets and the backslash
	 * appear as \xNN. When the cap is reached it ends in
	 * "[transcript truncated]\n" and nothing more is added; the dialogue
	 * goes on. */
	bool transcript_cut; /* the transcript was truncated */

	/* Replies as received; code 0 = not received. Owned. */
	struct smtp_reply banner;
	struct smtp_reply ehlo; /* reply to the first EHLO */
	struct smtp_reply helo; /* reply to HELO, when sent */
	struct smtp_reply starttls;
	struct smtp_reply ehlo_tls;
	struct smtp_reply mail, rcpt, rcpt2, rset, quit;
	struct smtp_reply unsolicited; /* a reply nobody asked for, received
	                                  while held in SMTP_ST_READY */
	bool address_test;             /* MAIL FROM was (or is to be) sent */

	bool used_helo;        /* EHLO refused, HELO sent */
	bool starttls_offered; /* STARTTLS keyword in the first EHLO */
	unsigned ext;          /* enum smtp_ext of the first EHLO reply */
	unsigned ext_tls;      /* enum smtp_ext of the EHLO over TLS */
	bool tls_active;       /* handshake reported done */
	bool tls_injection;    /* bytes followed the 220 to STARTTLS in
	                          the same read (RFC 3207 5, CVE-2011-0411) */

	bool failing; /* QUIT sent after a refusal: the dialogue
	                 ends FAILED once QUIT is answered */
	enum smtp_state
	    fail_state;   /* state in which the dialogue ended early */
	enum st_err err;  /* why: ST_ERR_CLOSED, _TIMEOUT, _PROTO,
	                     _LIMIT, _TLS (_NOMEM, _INTERNAL: tool
	                     errors); ST_OK when a reply code
	                     ended it (see the reply of fail_state) */
	char errmsg[200]; /* one line saying why it ended early */
};

/* Copies the params strings; on ST_ERR_NOMEM or ST_ERR_INVAL (a param that
 * would break the command syntax, see above) the struct is safe to
 * release. */
enum st_err smtp_client_init(struct smtp_client *sc,
    const struct smtp_client_params *params);
void smtp_client_release(struct smtp_client *sc);

/*
 * dst (uninitialised) becomes a deep copy of src's record of a dialogue:
 * parameters, replies, transcript and flags; its parser and output start
 * empty (a copy is for judging, not for driving). ST_ERR_NOMEM leaves dst
 * released.
 */
enum st_err smtp_client_copy(struct smtp_client *dst,
    const struct smtp_client *src) __attribute__((warn_unused_result));

/*
 * Feed bytes received from the server (plaintext, or decrypted TLS data).
 * *used tells how many were consumed; after SMTP_EV_START_TLS, unconsumed
 * bytes were sent before the handshake and must be discarded by the driver
 * (tls_injection records the fact). With SMTP_EV_NONE all bytes are
 * consumed. After DONE or FAILED, and while the handshake runs (state
 * SMTP_ST_TLS), nothing is consumed and the event of the state is returned
 * again (NONE for SMTP_ST_TLS). Returns what the driver must do next.
 */
enum smtp_event smtp_client_feed(struct smtp_client *sc, const char *buf,
    size_t len, size_t *used);

/* The handshake finished (ok) or failed (!ok, errmsg says why; may be
 * NULL). Queues EHLO on success (dropping any cleartext output still
 * queued). Returns SMTP_EV_NONE or SMTP_EV_FAILED; outside SMTP_ST_TLS it
 * changes nothing and returns the event of the current state. */
enum smtp_event smtp_client_tls_done(struct smtp_client *sc, bool ok,
    const char *errmsg);

/* The server closed the connection. DONE when it came after QUIT (FAILED
 * when that QUIT followed a refusal). */
enum smtp_event smtp_client_eof(struct smtp_client *sc);
/* As smtp_client_eof(), with the driver's words for how the stream ended
 * ("TLS alert 'x' from the peer") and the code to record (ST_ERR_CLOSED,
 * or ST_ERR_TLS for a TLS alert or error) when the dialogue was not done. */
enum smtp_event smtp_client_closed(struct smtp_client *sc, enum st_err err,
    const char *how);

/* The current step ran past its time limit. SMTP_EV_FAILED, unless the
 * dialogue had already ended (then its event, unchanged). */
enum smtp_event smtp_client_timeout(struct smtp_client *sc);

/*
 * Leave SMTP_ST_READY: run the address test (MAIL FROM, RCPT TO, RSET,
 * QUIT) or just QUIT. Outside SMTP_ST_READY it changes nothing and returns
 * the event of the current state.
 */
enum smtp_event smtp_client_go(struct smtp_client *sc, bool address_test);

/* Bytes waiting to be sent (NULL/0 when none), and how many were sent. */
const char *smtp_client_output(const struct smtp_client *sc, size_t *len);
void smtp_client_output_done(struct smtp_client *sc, size_t n);

#endif
