/*
 * check_rcpt.c - the address test's findings (checks.md 9): MAIL FROM,
 * RCPT TO, the catch-all probe and the cleartext session, judged once per
 * group from the session that ran the test.
 */
#include "judge.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

#include "check_data.h"

#include "banned.h"

static enum check_status
reply_status(const struct smtp_reply *rep)
{
	return rep->code / 100 == 2   ? CHECK_PASS
	       : rep->code / 100 == 4 ? CHECK_WARN
	                              : CHECK_FAIL;
}

/* reply_data - the code and enhanced code of rep as data */
static struct check_data *
reply_data(struct probe_result *r, const struct smtp_reply *rep)
{
	return check_data_reply(&r->checks, CD_SMTP_REPLY, rep);
}

static struct check_result *
mbox_add(struct probe_result *r, const struct probe_addr *pa, enum check_id id,
    enum check_status st, struct check_data *data, const char *detail)
{
	struct check_result *cr = check_add(&r->checks, id, st, NULL,
	    pa->mx->name, pa->address, pa->order, data, "%s", detail);

	if (cr != NULL && (cr->mailbox = strdup(r->mailbox)) == NULL)
		check_list_set_error(&r->checks, ST_ERR_NOMEM);
	return cr;
}

static void
check_address_test(struct probe_result *r, const struct probe_addr *pa)
{
	const struct smtp_client *sc = &pa->sc;
	char line[300], detail[600];
	const struct smtp_reply *m = &sc->mail, *t = &sc->rcpt;
	enum check_status st;

	if (m->code == 0) {
		/* No reply to MAIL: timeout or closed connection is an error;
		 * a session that never reached EHLO skips (checks.md 9). */
		st = sc->banner.code == 220 &&
		             (sc->ehlo.code == 250 || sc->helo.code == 250)
		         ? CHECK_ERROR
		         : CHECK_SKIP;
		snprintf(detail, sizeof(detail),
		    st == CHECK_SKIP
		        ? "not evaluated: the session did not complete EHLO (%s)"
		        : "no reply to MAIL FROM: %s",
		    sc->errmsg);
		mbox_add(r, pa, CK_RCPT_MAIL_FROM, st, NULL, detail);
		mbox_add(r, pa, CK_RCPT_ACCEPTED, CHECK_SKIP, NULL,
		    "not evaluated: rcpt.mail_from did not pass");
		if (r->opt.catchall)
			mbox_add(r, pa, CK_RCPT_CATCHALL, CHECK_SKIP, NULL,
			    "not evaluated: rcpt.accepted did not pass");
		return;
	}
	text_reply_line(m, 0, line, sizeof(line));
	st = reply_status(m);
	snprintf(detail, sizeof(detail), "MAIL FROM:<%s> %s: %s%s",
	    r->opt.mail_from,
	    st == CHECK_PASS   ? "accepted"
	    : st == CHECK_WARN ? "deferred (inconclusive)"
	                       : "refused",
	    line,
	    st == CHECK_FAIL && r->opt.mail_from[0] == '\0'
	        ? " (the null path is refused: try --mail-from)"
	        : "");
	mbox_add(r, pa, CK_RCPT_MAIL_FROM, st, reply_data(r, m), detail);
	if (t->code == 0) {
		snprintf(detail, sizeof(detail),
		    st == CHECK_PASS
		        ? "no reply to RCPT TO: %s"
		        : "not evaluated: rcpt.mail_from did not pass",
		    sc->errmsg);
		mbox_add(r, pa, CK_RCPT_ACCEPTED,
		    st == CHECK_PASS ? CHECK_ERROR : CHECK_SKIP, NULL, detail);
	} else {
		text_reply_line(t, 0, line, sizeof(line));
		st = reply_status(t);
		snprintf(detail, sizeof(detail), "RCPT TO:<%s> %s: %s%s",
		    r->mailbox,
		    st == CHECK_PASS   ? "accepted"
		    : st == CHECK_WARN ? "deferred (inconclusive)"
		                       : "refused",
		    line, st == CHECK_WARN ? "; retry later" : "");
		mbox_add(r, pa, CK_RCPT_ACCEPTED, st, reply_data(r, t), detail);
	}
	if (!r->opt.catchall)
		return;
	if (sc->rcpt2.code == 0) {
		mbox_add(r, pa, CK_RCPT_CATCHALL, CHECK_SKIP, NULL,
		    "not evaluated: rcpt.accepted did not pass");
		return;
	}
	text_reply_line(&sc->rcpt2, 0, line, sizeof(line));
	snprintf(detail, sizeof(detail), "random mailbox <%.260s>: %.300s",
	    r->catchall_rcpt, line);
	mbox_add(r, pa, CK_RCPT_CATCHALL,
	    sc->rcpt2.code / 100 == 5   ? CHECK_PASS
	    : sc->rcpt2.code / 100 == 4 ? CHECK_WARN
	                                : CHECK_INFO,
	    reply_data(r, &sc->rcpt2), detail);
}

/* check_cleartext - checks.md rcpt.cleartext: the extra session that
 * never issued STARTTLS */
static void
check_cleartext(struct probe_result *r, const struct probe_addr *pa)
{
	const struct probe_addr *x = pa->clear;
	const struct smtp_client *sc;
	const struct smtp_reply *bad = NULL;
	char line[300], detail[600];

	if (x == NULL || !x->connected || x->sc.banner.code != 220 ||
	    (x->sc.ehlo.code != 250 && x->sc.helo.code != 250)) {
		mbox_add(r, pa, CK_RCPT_CLEARTEXT,
		    x == NULL ? CHECK_SKIP : CHECK_ERROR, NULL,
		    x == NULL
		        ? "not evaluated: no address completed EHLO"
		        : "the cleartext session did not get through EHLO");
		return;
	}
	sc = &x->sc;
	if (sc->mail.code == 0 ||
	    (sc->mail.code / 100 == 2 && sc->rcpt.code == 0)) {
		mbox_add(r, pa, CK_RCPT_CLEARTEXT, CHECK_ERROR, NULL,
		    sc->errmsg[0] ? sc->errmsg
		                  : "no reply in the cleartext session");
		return;
	}
	if (sc->mail.code / 100 != 2)
		bad = &sc->mail;
	else if (sc->rcpt.code / 100 != 2)
		bad = &sc->rcpt;
	if (bad == NULL) {
		mbox_add(r, pa, CK_RCPT_CLEARTEXT, CHECK_INFO,
		    reply_data(r, &sc->rcpt),
		    "accepted in cleartext (RFC 3207 4: a public MX must not require "
		    "STARTTLS)");
		return;
	}
	text_reply_line(bad, 0, line, sizeof(line));
	snprintf(detail, sizeof(detail), "refused without TLS: %s%s", line,
	    bad->code == 530 ? " (senders without TLS lose mail)" : "");
	mbox_add(r, pa, CK_RCPT_CLEARTEXT,
	    bad->code == 530 || bad->code / 100 == 5 ? CHECK_WARN : CHECK_INFO,
	    reply_data(r, bad), detail);
}

/* no_address_test - checks.md 9: no address of the group got through
 * EHLO, so the test never ran; the subject is the group's first address */
static void
no_address_test(struct probe_result *r, const struct probe_addr *pa)
{
	mbox_add(r, pa, CK_RCPT_MAIL_FROM, CHECK_SKIP, NULL,
	    r->opt.rcpt_all
	        ? "not evaluated: no address of this MX host completed EHLO"
	        : "not evaluated: no address of any MX host completed EHLO");
	mbox_add(r, pa, CK_RCPT_ACCEPTED, CHECK_SKIP, NULL,
	    "not evaluated: rcpt.mail_from did not pass");
	if (r->opt.catchall)
		mbox_add(r, pa, CK_RCPT_CATCHALL, CHECK_SKIP, NULL,
		    "not evaluated: rcpt.accepted did not pass");
	if (r->opt.cleartext)
		mbox_add(r, pa, CK_RCPT_CLEARTEXT, CHECK_SKIP, NULL,
		    "not evaluated: no address completed EHLO");
}

/* check_rcpt_run - the checks of the address test: once per group (the
 * domain, or each MX host with --rcpt-all), from the session that ran it */
void
check_rcpt_run(struct probe_result *r)
{
	const struct probe_addr *first = NULL, *ran = NULL;

	for (size_t i = 0; i < r->nmx; i++) {
		for (size_t k = 0; k < r->mx[i].naddrs; k++) {
			const struct probe_addr *pa = &r->mx[i].addrs[k];

			if (first == NULL)
				first = pa;
			if (ran == NULL && pa->sc_ready && pa->sc.address_test)
				ran = pa;
		}
		if (!r->opt.rcpt_all && i + 1 < r->nmx)
			continue;
		if (ran != NULL) {
			check_address_test(r, ran);
			if (r->opt.cleartext)
				check_cleartext(r, ran);
		} else if (first != NULL)
			no_address_test(r, first);
		first = ran = NULL;
	}
}
