/*
 * session_admit.c - what happens to a session slot before and after its
 * connection when the probe runs inside a batch (probe_share.h): find the
 * same session in the share (run it, follow another probe's run, or copy
 * its facts), pass the politeness gate, and after the connection give the
 * gate back, retry when the server showed rate limiting, publish.
 *
 * Rate limiting (issue 14): a 421 reply before TLS, or a connection
 * refused by an address that accepted one earlier in the run (one still
 * open counts: it is noted as soon as it is connected), while
 * another of the run's connections to the same address was open is taken
 * for a server shedding load, not for a broken server. The
 * slot backs off (SESS_BACKOFF_MS, doubling) and tries again within the
 * run deadline; when the tries run out the address reports the error code
 * "rate-limited", never a TLS or banner failure. A refusal beside a
 * connection whose acceptance is not yet known is tried again the same
 * way (the order two connections' events are read in is no evidence),
 * and stays "refused" when the tries run out.
 */
#include "session_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe_share.h"
#include "session_key.h"

#include "banned.h"

/* A follower looks again this often; the owner's session takes tens of
 * milliseconds at least, so a finer poll buys nothing. */
#define SESS_FOLLOW_POLL_MS 10
/* A slot held by the per-address or per-network limit looks again after
 * this long (a release elsewhere cannot wake it). */
#define SESS_GATE_POLL_MS 5
/* Rate limiting: the first back-off, doubled per try, and the tries. */
#define SESS_BACKOFF_MS 200
#define SESS_RETRY_MAX 5

static void
wake_at(long long *wake, long long at)
{
	if (at < *wake)
		*wake = at;
}

/* sess_shareable - a session whose facts do not depend on the domain:
 * not an address test candidate (its recipient is the domain's), not a
 * scan or cleartext session */
static bool
sess_shareable(const struct sess *s, const struct session_params *p)
{
	return p->share != NULL && probe_share_sessions(p->share) &&
	       p->hooks == NULL && !p->no_starttls && s->atp == ATP_NONE;
}

static enum st_err
sess_key(const struct sess *s, const struct session_params *p, char **key)
{
	const struct session_target *t =
	    p->targets != NULL ? &p->targets[s->idx] : NULL;
	struct session_key_in in = {
		.address = s->pa->address,
		.port = p->port,
		.sni = t != NULL ? t->sni : NULL,
		.tlsa = t != NULL ? t->tlsa : NULL,
		.ntlsa = t != NULL ? t->ntlsa : 0,
		.ehlo = p->ehlo,
		.mail_from = p->mail_from,
		.starttls = !p->no_starttls,
	};

	return session_key_make(&in, key);
}

/* sess_role - act on the role the share gave this slot */
static enum st_err
sess_role(struct sess *s, const struct session_params *p, enum share_role role,
    long long now)
{
	enum st_err err;

	switch (role) {
	case SHARE_READY:
		err = probe_share_copy(p->share, s->entry, s->pa);
		s->slot = SLOT_ENDED;
		return err;
	case SHARE_FOLLOW:
		s->slot = SLOT_FOLLOW;
		return ST_OK;
	case SHARE_OWN:
	case SHARE_NONE:
	default:
		s->owner = role == SHARE_OWN;
		s->slot = SLOT_GATE;
		s->retry_at = now;
		return ST_OK;
	}
}

/* sess_claim - SLOT_NEW: look the session up in the share */
static enum st_err
sess_claim(struct sess *s, const struct session_params *p, long long now)
{
	enum share_role role = SHARE_NONE;
	enum st_err err;
	char *key = NULL;

	if (!sess_shareable(s, p))
		return sess_role(s, p, SHARE_NONE, now);
	err = sess_key(s, p, &key);
	if (err == ST_ERR_LIMIT) /* an absurd TLSA set: run it unshared */
		return sess_role(s, p, SHARE_NONE, now);
	if (err == ST_OK)
		err = probe_share_claim(p->share, key, &s->entry, &role);
	free(key);
	return err == ST_OK ? sess_role(s, p, role, now) : err;
}

/* sess_try_gate - SLOT_GATE, SLOT_BACKOFF: connect when the time has come
 * and the gate lets the connection through */
static enum st_err
sess_try_gate(struct sess *s, const struct session_params *p, long long now,
    long long *wake)
{
	long long retry;

	if (now < s->retry_at) {
		wake_at(wake, s->retry_at);
		return ST_OK;
	}
	if (p->share != NULL &&
	    conn_gate_addr_parse(s->pa->address, &s->gaddr)) {
		switch (probe_share_gate(p->share, &s->gaddr, now, &retry)) {
		case CONN_GATE_GO:
			s->gated = true;
			s->load = probe_share_load(p->share, &s->gaddr);
			break;
		case CONN_GATE_FULL:
			return ST_ERR_NOMEM;
		case CONN_GATE_WAIT:
		default:
			s->slot = SLOT_GATE;
			s->retry_at = retry > now + SESS_GATE_POLL_MS
			                  ? retry
			                  : now + SESS_GATE_POLL_MS;
			wake_at(wake, s->retry_at);
			return ST_OK;
		}
	}
	s->slot = SLOT_RUN;
	sess_start(s, p, now);
	return ST_OK;
}

/* sess_skip - the run deadline came before the connection */
static void
sess_skip(struct sess *s, const struct session_params *p)
{
	struct probe_addr *pa = s->pa;

	pa->state = ADDR_SKIPPED;
	pa->deadline = true;
	snprintf(pa->conn_error, sizeof(pa->conn_error), "deadline");
	conn_close(&s->c, false);
	s->slot = SLOT_ENDED;
	sess_let_go(s, p);
}

/* sess_note_served - the address accepted this connection: say so at
 * once, not when the session ends, so that a refusal it gives another
 * connection meanwhile is known for rate limiting */
static void
sess_note_served(struct sess *s, const struct session_params *p)
{
	if (s->gated && !s->served && s->pa->connected) {
		probe_share_note_served(p->share, &s->gaddr);
		s->served = true;
	}
}

enum st_err
sess_admit(struct sess *s, const struct session_params *p, long long now,
    long long *wake, bool *pending)
{
	enum st_err err = ST_OK;

	*pending = false;
	if (s->slot == SLOT_RUN)
		sess_note_served(s, p);
	if (s->slot == SLOT_RUN || s->slot == SLOT_ENDED)
		return ST_OK;
	if (now >= p->deadline) {
		sess_skip(s, p);
		return ST_OK;
	}
	if (s->slot == SLOT_NEW)
		err = sess_claim(s, p, now);
	if (err == ST_OK && s->slot == SLOT_FOLLOW) {
		enum share_role role = probe_share_poll(p->share, s->entry);

		if (role == SHARE_FOLLOW)
			wake_at(wake, now + SESS_FOLLOW_POLL_MS);
		else
			err = sess_role(s, p, role, now);
	}
	if (err == ST_OK && (s->slot == SLOT_GATE || s->slot == SLOT_BACKOFF))
		err = sess_try_gate(s, p, now, wake);
	*pending = s->slot != SLOT_RUN && s->slot != SLOT_ENDED;
	return err;
}

/* sess_reset_early - the connection was reset before any greeting: a
 * server that sheds load by closing its listener resets the connections
 * its kernel had queued */
static bool
sess_reset_early(const struct probe_addr *pa)
{
	return pa->connected && pa->sc_ready && !pa->tls.attempted &&
	       pa->sc.err == ST_ERR_CLOSED && pa->tls.end == TLS_IO_END_RESET &&
	       pa->sc.banner.code == 0;
}

/* sess_rate_limited - the server answered 421, or refused (or reset before
 * its greeting) although it accepted us before in this run, while another
 * of our connections to it was open (a dead host refuses every
 * connection: that is no limit) */
static bool
sess_rate_limited(const struct sess *s, const struct session_params *p)
{
	const struct probe_addr *pa = s->pa;
	const struct smtp_client *sc = &pa->sc;

	if (s->load < 2)
		return false;
	if (!pa->connected || sess_reset_early(pa))
		return (sess_reset_early(pa) ||
		           strcmp(pa->conn_error, "refused") == 0) &&
		       probe_share_was_served(p->share, &s->gaddr);
	return pa->sc_ready && !pa->tls.attempted &&
	       (sc->banner.code == 421 || sc->ehlo.code == 421 ||
	           sc->helo.code == 421);
}

/* sess_refused_beside - refused (or reset before its greeting) while
 * another of our connections to the address was open or connecting, but
 * before that one was seen accepted: whether the server sheds load or is
 * down is not known yet, so the refusal is tried again (after a back-off,
 * when the other's fate is known) rather than taken as final */
static bool
sess_refused_beside(const struct sess *s, const struct session_params *p)
{
	const struct probe_addr *pa = s->pa;

	return s->load >= 2 && (!pa->connected || sess_reset_early(pa)) &&
	       (sess_reset_early(pa) ||
	           strcmp(pa->conn_error, "refused") == 0) &&
	       !probe_share_was_served(p->share, &s->gaddr);
}

/* sess_reset - a slot back to before its connection, for a retry */
static enum st_err
sess_reset(struct sess *s, const struct session_params *p)
{
	struct probe_addr *pa = s->pa;

	if (pa->sc_ready)
		smtp_client_release(&pa->sc);
	pa->sc_ready = false;
	memset(&pa->tls, 0, sizeof(pa->tls));
	pa->tls.unsolicited = -1;
	pa->connected = pa->deadline = false;
	pa->state = ADDR_NONE;
	pa->conn_error[0] = pa->conn_errmsg[0] = '\0';
	for (int t = 0; t < T__COUNT; t++)
		pa->t[t] = -1;
	conn_init(&s->c);
	s->last_state = SMTP_ST_NONE;
	s->load = 0;
	s->served = false;
	return sess_client_init(s, p);
}

/* sess_mark_limited - the tries ran out: say so, as an error about our
 * scanning rather than a finding about the server's TLS */
static void
sess_mark_limited(struct sess *s, const struct session_params *p)
{
	struct probe_addr *pa = s->pa;

	snprintf(pa->conn_errmsg, sizeof(pa->conn_errmsg),
	    "'%s' port %u %s %u times while other connections to it were "
	    "open: rate limited",
	    pa->address, (unsigned)p->port,
	    sess_reset_early(pa) ? "reset the connection before its greeting"
	    : pa->connected      ? "answered 421"
	                         : "refused the connection",
	    s->tries + 1);
	snprintf(pa->conn_error, sizeof(pa->conn_error), "rate-limited");
	pa->connected = false;
	pa->state = ADDR_ERROR;
}

enum st_err
sess_finish(struct sess *s, const struct session_params *p, long long now)
{
	long long backoff = (long long)SESS_BACKOFF_MS << s->tries;
	enum st_err err = ST_OK;
	bool limited;

	if (s->gated) {
		unsigned load = probe_share_load(p->share, &s->gaddr);

		s->load = load > s->load ? load : s->load;
		sess_note_served(s, p);
		probe_share_ungate(p->share, &s->gaddr);
		s->gated = false;
	}
	limited = sess_rate_limited(s, p);
	if (limited || sess_refused_beside(s, p)) {
		if (s->tries < SESS_RETRY_MAX && now + backoff < p->deadline) {
			s->tries++;
			s->slot = SLOT_BACKOFF;
			s->retry_at = now + backoff;
			probe_share_note_retry(p->share);
			return sess_reset(s, p);
		}
		if (limited)
			sess_mark_limited(s, p);
	}
	s->slot = SLOT_ENDED;
	if (s->owner) {
		s->owner = false;
		/* A session cut by this probe's deadline is no answer for a
		 * probe that started later: let it run its own. */
		if (s->pa->deadline)
			probe_share_abandon(p->share, s->entry);
		else
			err = probe_share_publish(p->share, s->entry, s->pa);
	}
	return err;
}

void
sess_let_go(struct sess *s, const struct session_params *p)
{
	if (s->gated)
		probe_share_ungate(p->share, &s->gaddr);
	s->gated = false;
	if (s->owner)
		probe_share_abandon(p->share, s->entry);
	s->owner = false;
	if (s->entry != NULL)
		probe_share_release(p->share, s->entry);
	s->entry = NULL;
}
