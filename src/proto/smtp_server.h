/*
 * smtp_server.h - the listener's SMTP server dialogue as a state machine.
 *
 * The mirror of smtp_client.h: fed the bytes a sender wrote, it queues the
 * replies for the driver to write and records what the sender did (EHLO
 * name, STARTTLS, envelope, the first command over TLS, how it ended). It
 * knows no socket, clock or OpenSSL: after the 220 to STARTTLS it returns
 * SMTPS_EV_START_TLS and waits for the driver to flush the reply, run the
 * handshake and call smtp_server_tls_done(); timeouts are the driver's and
 * reported with smtp_server_timeout().
 *
 * Dialogue: banner; EHLO/HELO; STARTTLS (when offered); EHLO again over
 * TLS; MAIL, RCPT, RSET, NOOP, VRFY, HELP, QUIT; DATA is answered 554
 * after it has been recorded unless accept_data (then the message is
 * read and discarded). It never relays or stores mail.
 *
 * Hostile input is bounded: a command line longer than SMTPS_LINE_MAX, more
 * than SMTPS_COMMANDS_MAX commands or SMTPS_BAD_MAX unrecognised ones end
 * the session with a reply and SMTPS_EV_CLOSE.
 */
#ifndef SMTPTLS_SMTP_SERVER_H
#define SMTPTLS_SMTP_SERVER_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "smtptls/err.h"
#include "st_limits.h"

/* RFC 5321 4.5.3.1.4: command lines are at most 512 octets with CRLF.
 * Longer ones are recorded; at our cap we answer 500 and close, because a
 * line without end is a memory attack, not a dialect. */
#define SMTPS_LINE_RFC 512

enum smtps_state {
	SMTPS_ST_CMD = 0, /* waiting for a command */
	SMTPS_ST_DATA,    /* reading message content (accept_data) */
	SMTPS_ST_TLS,     /* 220 to STARTTLS queued; driver handshakes */
	SMTPS_ST_CLOSING, /* last reply queued; driver flushes and closes */
	SMTPS_ST_DONE,    /* session over */
	SMTPS_ST__COUNT
};
/* "cmd", "data", ... for traces */
const char *smtps_state_name(enum smtps_state s);

enum smtps_event {
	SMTPS_EV_NONE = 0,  /* feed more; write pending output */
	SMTPS_EV_START_TLS, /* write pending output, then run the handshake */
	SMTPS_EV_CLOSE,     /* write pending output, then close */
};

enum smtps_end {
	SMTPS_END_NONE = 0,        /* still running */
	SMTPS_END_QUIT,            /* QUIT answered */
	SMTPS_END_CLIENT_CLOSED,   /* sender closed (or failed the handshake) */
	SMTPS_END_TIMEOUT,         /* a time limit ran out */
	SMTPS_END_LISTENER_CLOSED, /* we ended it (shutdown, --count reached) */
	SMTPS_END_ERROR,           /* a limit or protocol error ended it */
	SMTPS_END__COUNT
};
/* "quit", "client-closed", ... as in report.md 9.2 ("" for NONE) */
const char *smtps_end_name(enum smtps_end e);

enum smtps_flags {
	SMTPS_BARE_LF = 1 << 0,    /* a command line ended in LF alone */
	SMTPS_LONG_LINE = 1 << 1,  /* a command line over SMTPS_LINE_RFC */
	SMTPS_BAD_OCTETS = 1 << 2, /* NUL or 8-bit octets in a command */
	SMTPS_INJECTION = 1 << 3,  /* bytes followed STARTTLS in the same
	                              read (RFC 3207 5, CVE-2011-0411) */
	SMTPS_PIPELINED = 1 << 4,  /* commands arrived before our reply */
};

struct smtp_server_params {
	const char *hostname; /* banner and EHLO name; no SP/CR/LF, <= 255 */
	bool starttls;        /* offer STARTTLS */
	bool accept_data;     /* read and discard the message */
};

struct smtp_server {
	enum smtps_state state;
	struct smtp_server_params params; /* hostname copied, owned */
	struct buf line;                  /* the command line being assembled */
	struct buf out;                   /* replies not yet written */

	/* What the sender did. Strings are NUL-terminated raw peer octets
	 * (callers escape before display), "" when not seen. */
	char helo_verb[5]; /* "EHLO" or "HELO" of the first greeting */
	char helo_name[256];
	char helo_tls_name[256];        /* the greeting over TLS, if any */
	bool starttls_offered;          /* an EHLO reply listed STARTTLS */
	bool starttls_used;             /* STARTTLS answered 220 */
	bool tls_active;                /* handshake reported done */
	bool mail_cleartext;            /* MAIL FROM came before TLS */
	char first_tls_cmd[16];         /* verb of the first command over TLS,
	                                   upper-cased; "" when none */
	bool have_mail;                 /* a MAIL FROM was accepted */
	char mail_from[SMTPS_PATH_MAX]; /* reverse path without <> */
	char *mail_params[SMTPS_PARAMS_MAX]; /* owned */
	size_t nmail_params;
	bool requiretls;               /* MAIL carried REQUIRETLS (RFC 8689) */
	char *rcpt_to[SMTPS_RCPT_MAX]; /* forward paths without <>, owned */
	size_t nrcpt;
	bool data_reached;    /* DATA or BDAT issued */
	int data_code;        /* reply we sent to it, 0 = none */
	char data_reply[128]; /* that reply line without CRLF */
	size_t data_bytes;    /* message octets read (accept_data) */
	unsigned flags;       /* enum smtps_flags */
	size_t injected;      /* octets dropped after STARTTLS */
	size_t ncommands;
	size_t nbad;

	enum smtps_end end;
	char errmsg[160]; /* why it ended with SMTPS_END_ERROR */

	/* private */
	bool in_tx;             /* MAIL accepted, not yet reset */
	bool helo_seen;         /* greeting since start or TLS */
	bool tls_first_pending; /* next command is the first over TLS */
	int data_match;         /* position in the "\r\n.\r\n" matcher */
};

/* Copies params->hostname and queues the 220 banner. ST_ERR_INVAL for a
 * hostname that would break the reply syntax, ST_ERR_NOMEM; either way
 * the struct is safe to release. */
enum st_err smtp_server_init(struct smtp_server *ss,
    const struct smtp_server_params *params)
    __attribute__((warn_unused_result));
void smtp_server_release(struct smtp_server *ss);

/*
 * Feed bytes received from the sender (plaintext, or decrypted TLS data).
 * *used tells how many were consumed. After SMTPS_EV_START_TLS every
 * byte of this call was consumed: what followed the STARTTLS line was
 * dropped and counted in injected (style.md 3); the driver must also
 * drop anything else it read before the handshake. In SMTPS_ST_TLS
 * further bytes are counted the same way. In CLOSING and DONE nothing is
 * consumed and SMTPS_EV_CLOSE is returned.
 */
enum smtps_event smtp_server_feed(struct smtp_server *ss, const char *buf,
    size_t len, size_t *used);

/* The handshake finished (ok: commands are read over TLS from now on,
 * RFC 3207 4.2: the earlier greeting is forgotten) or failed (the session
 * is DONE, end client-closed). Outside SMTPS_ST_TLS it changes nothing. */
enum smtps_event smtp_server_tls_done(struct smtp_server *ss, bool ok);

/* The sender closed the connection: DONE, end client-closed unless it
 * had already ended. */
void smtp_server_eof(struct smtp_server *ss);

/* A time limit ran out: queue 421 and close (end timeout); end is
 * listener-closed instead when listener is true (shutdown). */
enum smtps_event smtp_server_timeout(struct smtp_server *ss, bool listener);

/* Bytes waiting to be sent (NULL/0 when none), and how many were sent. */
const char *smtp_server_output(const struct smtp_server *ss, size_t *len);
void smtp_server_output_done(struct smtp_server *ss, size_t n);

#endif
