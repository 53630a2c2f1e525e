/*
 * check_smtp.c - SMTP findings per address (checks.md 3), judged from the
 * replies the client machine kept; the address test's findings are in
 * check_rcpt.c.
 */
#include "judge.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "st_limits.h"
#include "text.h"

#include "check_data.h"

#include "banned.h"

static struct check_result *
add(struct probe_result *r, const struct probe_addr *pa, enum check_id id,
    enum check_status st, struct check_data *data, const char *detail)
{
	return check_add(&r->checks, id, st, NULL, pa->mx->name, pa->address,
	    pa->order, data, "%s", detail);
}

static void
skip(struct probe_result *r, const struct probe_addr *pa, enum check_id id,
    enum check_id prereq)
{
	char d[160];

	snprintf(d, sizeof(d), "not evaluated: %s did not pass",
	    check_id_name(prereq));
	add(r, pa, id, CHECK_SKIP, NULL, d);
}

/* family_reached - whether any address of this family was connected */
static bool
family_reached(const struct probe_result *r, int family)
{
	for (size_t i = 0; i < r->nmx; i++)
		for (size_t k = 0; k < r->mx[i].naddrs; k++)
			if (r->mx[i].addrs[k].family == family &&
			    r->mx[i].addrs[k].connected)
				return true;
	return false;
}

static enum check_status
check_connect(struct probe_result *r, const struct probe_addr *pa)
{
	struct check_data *d;
	char detail[300];
	enum check_status st;
	bool limited;

	if (pa->connected) {
		if ((d = check_data_new(&r->checks, CD_SMTP_CONNECT)) != NULL) {
			d->u.connect.connected = true;
			d->u.connect.ms = pa->t[T_CONNECT];
		}
		snprintf(detail, sizeof(detail), "connected in %ld ms",
		    pa->t[T_CONNECT]);
		add(r, pa, CK_SMTP_CONNECT, CHECK_PASS, d, detail);
		return CHECK_PASS;
	}
	if (pa->state == ADDR_CUT || pa->state == ADDR_NONE) {
		add(r, pa, CK_SMTP_CONNECT, CHECK_SKIP, NULL,
		    pa->conn_errmsg[0] ? pa->conn_errmsg : "not probed");
		return CHECK_SKIP;
	}
	if (probe_addr_no_route(pa)) {
		snprintf(detail, sizeof(detail),
		    "not testable from here: no local route for %s (%s)",
		    probe_addr_family_name(pa->family), pa->conn_errmsg);
		add(r, pa, CK_SMTP_CONNECT, CHECK_SKIP, NULL, detail);
		return CHECK_SKIP;
	}
	if ((d = check_data_new(&r->checks, CD_SMTP_CONNECT)) != NULL)
		d->u.connect.error =
		    pa->conn_error[0] ? pa->conn_error : "unreachable";
	/* checks.md 13.6: a failure only when the network demonstrably
	 * reaches port 25 elsewhere, else it may be a local block. Rate
	 * limiting (issue 14) says the probe asked too much, not that the
	 * server is broken: always an error. */
	limited = strcmp(pa->conn_error, "rate-limited") == 0;
	st = !pa->deadline && !limited && family_reached(r, pa->family)
	         ? CHECK_FAIL
	         : CHECK_ERROR;
	snprintf(detail, sizeof(detail), "%s%s",
	    pa->conn_errmsg[0] ? pa->conn_errmsg : "no connection",
	    st == CHECK_ERROR && !pa->deadline && !limited
	        ? " (no other address of this family was reached either)"
	        : "");
	add(r, pa, CK_SMTP_CONNECT, st, d, detail);
	return st;
}

static bool
malformed(const struct smtp_reply *rep)
{
	return (rep->flags & (SMTP_REPLY_BARE_LF | SMTP_REPLY_LONG_LINE |
	                         SMTP_REPLY_MIXED_CODES | SMTP_REPLY_NO_SEP)) !=
	       0;
}

/*
 * malformed_why - what makes a reply malformed (checks.md smtp.banner
 * warn), as "; "-separated phrases; "" when nothing. An over-long line is
 * read to its end and only its start kept (RFC 5321 4.5.3.1 asks
 * receivers to cope), but senders with a line limit may give up on it.
 */
static void
malformed_why(const struct smtp_reply *rep, char *out, size_t outlen)
{
	size_t n;

	out[0] = '\0';
	if (rep->flags & SMTP_REPLY_LONG_LINE) {
		n = strlen(out);
		snprintf(out + n, outlen - n,
		    "%sa line of %zu octets, over the "
		    "%d of RFC 5321 4.5.3.1.5%s",
		    n ? "; " : "", rep->longest, SMTP_REPLY_LINE_RFC,
		    rep->flags & SMTP_REPLY_CUT_LINE
		        ? ", which senders with a line limit may give up on"
		        : "");
	}
	if (rep->flags & SMTP_REPLY_BARE_LF) {
		n = strlen(out);
		snprintf(out + n, outlen - n, "%sbare LF line ends",
		    n ? "; " : "");
	}
	if (rep->flags & SMTP_REPLY_MIXED_CODES) {
		n = strlen(out);
		snprintf(out + n, outlen - n,
		    "%scontinuation lines change the "
		    "code",
		    n ? "; " : "");
	}
	if (rep->flags & SMTP_REPLY_NO_SEP) {
		n = strlen(out);
		snprintf(out + n, outlen - n, "%sa line of a bare code",
		    n ? "; " : "");
	}
}

static enum check_status
check_banner(struct probe_result *r, const struct probe_addr *pa)
{
	const struct smtp_client *sc = &pa->sc;
	const struct smtp_reply *b = &sc->banner;
	char line[300], detail[700], host[256], why[300];
	enum check_status st;
	struct check_data *d;

	if (b->code == 0) {
		st = sc->err == ST_ERR_TIMEOUT ? CHECK_ERROR : CHECK_FAIL;
		snprintf(detail, sizeof(detail), "no greeting: %s", sc->errmsg);
		add(r, pa, CK_SMTP_BANNER, st,
		    check_data_reply(&r->checks, CD_SMTP_BANNER, NULL), detail);
		return st;
	}
	text_reply_line(b, 0, line, sizeof(line));
	text_reply_host(b, host, sizeof(host));
	if ((d = check_data_reply(&r->checks, CD_SMTP_BANNER, b)) != NULL) {
		snprintf(d->u.reply.host, sizeof(d->u.reply.host), "%s", host);
		d->u.reply.ms = pa->t[T_BANNER];
	}
	if (b->code == 220) {
		st = malformed(b) || host[0] == '\0' ? CHECK_WARN : CHECK_PASS;
		malformed_why(b, why, sizeof(why));
		if (st == CHECK_WARN)
			snprintf(detail, sizeof(detail),
			    "%s (malformed greeting: %s%s%s)", line,
			    host[0] ? "" : "no host name",
			    host[0] || !why[0] ? "" : "; ", why);
		else
			snprintf(detail, sizeof(detail), "%s", line);
	} else if (b->code == 421) {
		st = CHECK_ERROR;
		snprintf(detail, sizeof(detail), "temporary refusal: %s", line);
	} else {
		st = CHECK_FAIL;
		snprintf(detail, sizeof(detail),
		    "greeting refuses the session: %s", line);
	}
	add(r, pa, CK_SMTP_BANNER, st, d, detail);
	return st;
}

static enum check_status
check_ehlo(struct probe_result *r, const struct probe_addr *pa)
{
	const struct smtp_client *sc = &pa->sc;
	const struct smtp_reply *e = sc->used_helo ? &sc->helo : &sc->ehlo;
	char line[300], detail[700], host[256], why[300];
	enum check_status st;
	struct check_data *d;

	if (e->code == 0) {
		st = sc->err == ST_ERR_TIMEOUT ? CHECK_ERROR : CHECK_FAIL;
		snprintf(detail, sizeof(detail), "no reply to %s: %s",
		    sc->used_helo ? "HELO" : "EHLO", sc->errmsg);
		add(r, pa, CK_SMTP_EHLO, st, NULL, detail);
		return st;
	}
	text_reply_line(e, 0, line, sizeof(line));
	text_reply_host(e, host, sizeof(host));
	if ((d = check_data_reply(&r->checks, CD_SMTP_EHLO, e)) != NULL) {
		snprintf(d->u.reply.host, sizeof(d->u.reply.host), "%s", host);
		d->u.reply.helo = sc->used_helo;
	}
	if (e->code == 250 && !sc->used_helo) {
		st = malformed(e) ? CHECK_WARN : CHECK_PASS;
		malformed_why(e, why, sizeof(why));
		snprintf(detail, sizeof(detail), "EHLO accepted: %s%s%s%s",
		    line, st == CHECK_WARN ? " (malformed reply: " : "",
		    st == CHECK_WARN ? why : "", st == CHECK_WARN ? ")" : "");
	} else if (e->code == 250) {
		st = CHECK_WARN;
		snprintf(detail, sizeof(detail),
		    "EHLO refused, HELO accepted: the "
		    "server does not speak ESMTP and cannot offer STARTTLS");
	} else if (e->code == 421) {
		st = CHECK_ERROR;
		snprintf(detail, sizeof(detail), "temporary refusal: %s", line);
	} else {
		st = CHECK_FAIL;
		snprintf(detail, sizeof(detail), "EHLO and HELO refused: %s",
		    line);
	}
	add(r, pa, CK_SMTP_EHLO, st, d, detail);
	return st;
}

static enum check_status
check_starttls(struct probe_result *r, const struct probe_addr *pa)
{
	const struct smtp_client *sc = &pa->sc;
	struct check_result *cr;
	char line[300], detail[400];
	enum check_status st;
	struct check_data *d;

	if (sc->starttls_offered)
		add(r, pa, CK_SMTP_STARTTLS_OFFERED, CHECK_PASS, NULL,
		    "STARTTLS offered");
	else {
		cr = add(r, pa, CK_SMTP_STARTTLS_OFFERED, CHECK_FAIL, NULL,
		    "STARTTLS not offered: this address only takes mail in cleartext");
		if (cr)
			cr->tlsrpt = "starttls-not-supported";
		skip(r, pa, CK_SMTP_STARTTLS_RESPONSE,
		    CK_SMTP_STARTTLS_OFFERED);
		return CHECK_FAIL;
	}
	if (sc->starttls.code == 0) {
		st = sc->err == ST_ERR_TIMEOUT ? CHECK_ERROR : CHECK_FAIL;
		snprintf(detail, sizeof(detail), "no reply to STARTTLS: %s",
		    sc->errmsg);
		add(r, pa, CK_SMTP_STARTTLS_RESPONSE, st, NULL, detail);
		return st;
	}
	text_reply_line(&sc->starttls, 0, line, sizeof(line));
	if ((d = check_data_reply(&r->checks, CD_SMTP_STARTTLS,
	         &sc->starttls)) != NULL)
		snprintf(d->u.reply.text, sizeof(d->u.reply.text), "%s", line);
	st = sc->starttls.code == 220 ? CHECK_PASS : CHECK_FAIL;
	snprintf(detail, sizeof(detail), "%s%s", line,
	    st == CHECK_FAIL
	        ? " (senders that require TLS defer; opportunistic ones send in cleartext)"
	        : "");
	add(r, pa, CK_SMTP_STARTTLS_RESPONSE, st, d, detail);
	return st;
}

static void
check_after_tls(struct probe_result *r, const struct probe_addr *pa)
{
	const struct smtp_client *sc = &pa->sc;
	char line[300], detail[400];
	enum check_status st;
	struct check_data *d;

	if (!pa->tls.established) {
		skip(r, pa, CK_SMTP_EHLO_AFTER_TLS, CK_TLS_HANDSHAKE);
		skip(r, pa, CK_SMTP_STARTTLS_READVERTISED,
		    CK_SMTP_EHLO_AFTER_TLS);
		return;
	}
	if (sc->ehlo_tls.code == 0) {
		st = sc->err == ST_ERR_TIMEOUT ? CHECK_ERROR : CHECK_FAIL;
		snprintf(detail, sizeof(detail),
		    "no reply to EHLO over TLS: %s", sc->errmsg);
		add(r, pa, CK_SMTP_EHLO_AFTER_TLS, st, NULL, detail);
		skip(r, pa, CK_SMTP_STARTTLS_READVERTISED,
		    CK_SMTP_EHLO_AFTER_TLS);
		return;
	}
	text_reply_line(&sc->ehlo_tls, 0, line, sizeof(line));
	d = check_data_reply(&r->checks, CD_SMTP_KEYWORDS, &sc->ehlo_tls);
	st = sc->ehlo_tls.code == 250 ? CHECK_PASS : CHECK_FAIL;
	snprintf(detail, sizeof(detail), "EHLO over TLS: %s", line);
	add(r, pa, CK_SMTP_EHLO_AFTER_TLS, st, d, detail);
	if (st != CHECK_PASS)
		skip(r, pa, CK_SMTP_STARTTLS_READVERTISED,
		    CK_SMTP_EHLO_AFTER_TLS);
	else if (smtp_reply_has_keyword(&sc->ehlo_tls, "STARTTLS"))
		add(r, pa, CK_SMTP_STARTTLS_READVERTISED, CHECK_WARN, NULL,
		    "STARTTLS offered again inside TLS (RFC 3207 4.2)");
	else
		add(r, pa, CK_SMTP_STARTTLS_READVERTISED, CHECK_PASS, NULL,
		    "STARTTLS not offered again inside TLS");
}

static void
check_requiretls(struct probe_result *r, const struct probe_addr *pa)
{
	const struct smtp_client *sc = &pa->sc;
	bool pre = sc->ehlo.code == 250 &&
	           smtp_reply_has_keyword(&sc->ehlo, "REQUIRETLS");
	bool post = sc->ehlo_tls.code == 250 &&
	            smtp_reply_has_keyword(&sc->ehlo_tls, "REQUIRETLS");
	struct check_data *d = check_data_new(&r->checks, CD_SMTP_REQUIRETLS);

	if (d != NULL) {
		d->u.requiretls.pre_tls = pre;
		d->u.requiretls.post_tls = post;
	}
	add(r, pa, CK_SMTP_REQUIRETLS, CHECK_INFO, d,
	    post ? "REQUIRETLS advertised over TLS"
	    : pre
	        ? "REQUIRETLS advertised only before TLS, where senders cannot use it"
	        : "REQUIRETLS not advertised");
}

/* reply_status - checks.md 9: 2xx pass, 4xx warn (inconclusive), 5xx fail */
static void
check_addr(struct probe_result *r, const struct probe_addr *pa)
{
	static const enum check_id after_connect[] = {
		CK_SMTP_BANNER,
		CK_SMTP_EHLO,
		CK_SMTP_STARTTLS_OFFERED,
		CK_SMTP_STARTTLS_RESPONSE,
		CK_SMTP_EHLO_AFTER_TLS,
		CK_SMTP_STARTTLS_READVERTISED,
		CK_SMTP_REQUIRETLS,
	};
	enum check_status st;
	size_t i;

	st = check_connect(r, pa);
	if (st != CHECK_PASS) {
		for (i = 0;
		     i < sizeof(after_connect) / sizeof(after_connect[0]); i++)
			skip(r, pa, after_connect[i], CK_SMTP_CONNECT);
		return;
	}
	st = check_banner(r, pa);
	if (st != CHECK_PASS && st != CHECK_WARN) {
		for (i = 1;
		     i < sizeof(after_connect) / sizeof(after_connect[0]); i++)
			skip(r, pa, after_connect[i], CK_SMTP_BANNER);
		return;
	}
	st = check_ehlo(r, pa);
	if (st != CHECK_PASS && st != CHECK_WARN) {
		for (i = 2;
		     i < sizeof(after_connect) / sizeof(after_connect[0]); i++)
			skip(r, pa, after_connect[i], CK_SMTP_EHLO);
		return;
	}
	check_starttls(r, pa);
	check_after_tls(r, pa);
	check_requiretls(r, pa);
}

void
check_smtp_run(struct probe_result *r)
{
	for (size_t i = 0; i < r->nmx; i++)
		for (size_t k = 0; k < r->mx[i].naddrs; k++)
			check_addr(r, &r->mx[i].addrs[k]);
	if (r->mailbox != NULL)
		check_rcpt_run(r);
}
