/*
 * session_timing.c - where a session's time goes: each SMTP state's time
 * charged to its step of the report (probe_addr.t[]), and the step
 * timeout restarted whenever the machine moves on (style.md 6). Never
 * prints.
 */
#include "session_int.h"

#include "conn.h"

#include "banned.h"

static int
timing_slot(enum smtp_state s)
{
	switch (s) {
	case SMTP_ST_BANNER:
		return T_BANNER;
	case SMTP_ST_EHLO:
	case SMTP_ST_HELO:
		return T_EHLO;
	case SMTP_ST_STARTTLS:
		return T_STARTTLS;
	case SMTP_ST_TLS:
		return T_TLS;
	case SMTP_ST_EHLO_TLS:
		return T_EHLO_TLS;
	case SMTP_ST_MAIL:
	case SMTP_ST_RCPT:
	case SMTP_ST_RCPT2:
	case SMTP_ST_RSET:
		return T_ADDRESS_TEST;
	case SMTP_ST_QUIT:
		return T_QUIT;
	default:
		return -1;
	}
}

/* sess_note_state - charge the time spent in the previous state and start
 * the next step's timeout when the machine moved on */
void
sess_note_state(struct sess *s, const struct session_params *p, long long now)
{
	enum smtp_state st = s->pa->sc.state;
	int slot;

	if (st == s->last_state)
		return;
	slot = timing_slot(s->last_state);
	if (slot >= 0) {
		long add = (long)(now - s->step_start);

		s->pa->t[slot] =
		    s->pa->t[slot] < 0 ? add : s->pa->t[slot] + add;
	}
	s->last_state = st;
	s->step_start = now;
	conn_set_deadline(&s->c, now + p->timeout_ms);
}
