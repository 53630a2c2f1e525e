/*
 * report_human.c - the terminal report: a domain summary table, the details
 * of each address, the findings that are not pass, and the verdicts with
 * the MTA settings they correspond to. Peer text is escaped before it gets
 * here (text.c); colour only when the caller asks for it.
 */
#include "smtptls/probe.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "buf.h"
#include "probe_result.h"
#include "profile_report.h"
#include "scan.h"
#include "text.h"
#include "verdict.h"

#include "banned.h"
#include "st_limits.h"

struct hr {
	struct buf b;
	bool color;
	bool failed;
};

static void put(struct hr *h, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
put(struct hr *h, const char *fmt, ...)
{
	char tmp[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (buf_addstr(&h->b, tmp) != ST_OK)
		h->failed = true;
}

static const char *
status_color(const struct hr *h, enum check_status s)
{
	if (!h->color)
		return "";
	switch (s) {
	case CHECK_PASS:
		return "\033[32m";
	case CHECK_WARN:
		return "\033[33m";
	case CHECK_FAIL:
		return "\033[31m";
	case CHECK_ERROR:
		return "\033[35m";
	default:
		return "\033[2m";
	}
}

static const char *
reset(const struct hr *h)
{
	return h->color ? "\033[0m" : "";
}

static const char *
cert_status(const struct probe_addr *pa)
{
	const struct cert_chain_result *c = &pa->tls.chain;

	if (!pa->tls.have_chain)
		return "-";
	if (!c->path_trusted)
		return "untrusted";
	if (!c->path_in_validity)
		return "expired";
	if (c->name_mx.via == CERT_NAME_NONE && !pa->mx->literal)
		return "wrong name";
	return "valid";
}

/* verify_line - OpenSSL's verdict with time checks; when only the dates
 * failed it, say that the chain itself is trusted */
static void
verify_line(struct hr *h, const struct cert_chain_result *c)
{
	if (c->trusted) {
		put(h, "  verify    trusted\n");
		return;
	}
	put(h, "  verify    untrusted: %s (error %d at depth %d)%s\n",
	    c->verify_error, c->verify_code, c->verify_depth,
	    c->path_trusted ? "; the chain is trusted but for the dates" : "");
}

static void
summary_table(struct hr *h, const struct probe_result *r)
{
	put(h, "%-4s %-28s %-16s %-9s %-8s %-32s %s\n", "PREF", "MX HOST",
	    "ADDRESS", "STARTTLS", "TLS", "CIPHER", "CERTIFICATE");
	for (size_t i = 0; i < r->nmx; i++) {
		const struct probe_mx *m = &r->mx[i];
		char pref[12];

		snprintf(pref, sizeof(pref), "%d", m->preference);
		if (m->naddrs == 0)
			put(h, "%-4s %-28s %-16s %-9s %-8s %-32s %s\n",
			    m->preference < 0 ? "-" : pref, m->name, "(none)",
			    "-", "-", "-", "-");
		for (size_t k = 0; k < m->naddrs; k++) {
			const struct probe_addr *pa = &m->addrs[k];
			const char *st = probe_addr_no_route(pa)    ? "no route"
			                 : !pa->connected           ? "no conn"
			                 : !pa->sc.starttls_offered ? "no"
			                 : pa->sc.starttls.code == 220
			                     ? "yes"
			                     : "refused";

			put(h, "%-4s %-28s %-16s %-9s %-8s %-32s %s\n",
			    m->preference < 0 ? "-" : pref, m->name,
			    pa->address, st,
			    pa->tls.established ? pa->tls.version : "-",
			    pa->tls.established ? pa->tls.cipher.iana : "-",
			    cert_status(pa));
		}
	}
}

/* family_notes - a family this machine has no route for, said once:
 * its addresses were not tested and count as unknown, not as failures */
static void
family_notes(struct hr *h, const struct probe_result *r)
{
	static const int fams[] = { AF_INET, AF_INET6 };

	for (size_t f = 0; f < sizeof(fams) / sizeof(fams[0]); f++) {
		const char *name = fams[f] == AF_INET6 ? "IPv6" : "IPv4";
		size_t n = 0, none = 0;

		for (size_t i = 0; i < r->nmx; i++)
			for (size_t k = 0; k < r->mx[i].naddrs; k++) {
				const struct probe_addr *pa =
				    &r->mx[i].addrs[k];

				n += pa->family == fams[f];
				none += pa->family == fams[f] &&
				        probe_addr_no_route(pa);
			}
		if (none == 0)
			continue;
		if (none == n)
			put(h,
			    "\nno %s route from this machine: the %zu %s "
			    "address%s of the MX hosts %s not tested here "
			    "(unknown in the verdicts, not a server failure)\n",
			    name, n, name, n == 1 ? "" : "es",
			    n == 1 ? "was" : "were");
		else
			put(h,
			    "\n%zu of %zu %s addresses have no route from this "
			    "machine and were not tested here (unknown in the "
			    "verdicts, not a server failure)\n",
			    none, n, name);
	}
}

/* state_word - how an address's session ended, in the heading */
static const char *
state_word(const struct probe_addr *pa)
{
	return pa->state == ADDR_COMPLETE  ? "complete"
	       : pa->state == ADDR_ABORTED ? "aborted"
	       : pa->state == ADDR_ERROR   ? "no connection"
	       : probe_addr_no_route(pa)   ? "not testable from here"
	       : pa->state == ADDR_SKIPPED ? "skipped"
	                                   : "not probed";
}

/* address_test_line - checks.md 9: the session that ran the address test
 * says so, with the replies it got */
static void
address_test_line(struct hr *h, const struct probe_result *r,
    const struct probe_addr *pa)
{
	const struct smtp_client *sc = &pa->sc;
	char mail[300], rcpt[300];

	if (sc->mail.code != 0)
		text_reply_line(&sc->mail, 0, mail, sizeof(mail));
	else
		snprintf(mail, sizeof(mail), "no reply");
	if (sc->rcpt.code != 0)
		text_reply_line(&sc->rcpt, 0, rcpt, sizeof(rcpt));
	else
		snprintf(rcpt, sizeof(rcpt), "-");
	put(h, "  rcpt      <%s> over %s: MAIL %s; RCPT %s\n", r->mailbox,
	    sc->tls_active ? "TLS" : "cleartext", mail, rcpt);
}

/* timings_line - the steps' milliseconds; "-" for a step not reached */
static void
timings_line(struct hr *h, const struct probe_addr *pa)
{
	static const struct {
		const char *name;
		int slot;
	} steps[] = {
		{ "connect", T_CONNECT },
		{ "banner", T_BANNER },
		{ "ehlo", T_EHLO },
		{ "starttls", T_STARTTLS },
		{ "tls", T_TLS },
	};
	char buf[200];
	size_t off = 0;

	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		long v = pa->t[steps[i].slot];
		int n = v < 0 ? snprintf(buf + off, sizeof(buf) - off, "%s -, ",
		                    steps[i].name)
		              : snprintf(buf + off, sizeof(buf) - off,
		                    "%s %ld, ", steps[i].name, v);

		if (n < 0 || (size_t)n >= sizeof(buf) - off)
			break;
		off += (size_t)n;
	}
	put(h, "  timings   %stotal %ld ms\n", buf, pa->t[T_TOTAL]);
}

/* tls_lines - the session's TLS, leaf certificate, chain and DANE lines */
static void
tls_lines(struct hr *h, const struct tls_facts *t)
{
	if (!t->established) {
		if (t->attempted)
			put(h, "  TLS       failed: %s\n", t->errmsg);
		return;
	}
	put(h, "  TLS       %s %s, %s %d bits, signature %s\n", t->version,
	    t->cipher.iana, t->group[0] ? t->group : "DHE", t->kex_bits,
	    t->sigalg[0] ? t->sigalg : "-");
	if (t->have_chain && t->chain.ncerts > 0) {
		const struct cert_summary *c = &t->chain.certs[0];

		put(h, "  cert      %s, %s %d, %ld days left, %zu in chain\n",
		    c->subject ? c->subject : "?", c->key_type, c->key_bits,
		    t->chain.days_left, t->chain.ncerts);
		verify_line(h, &t->chain);
	}
	if (t->dane_checked)
		put(h, "  DANE      %s\n",
		    t->dane_verified ? "verified" : "no TLSA record matched");
}

static void
address_details(struct hr *h, const struct probe_result *r,
    const struct probe_addr *pa)
{
	char line[1100];

	put(h, "\n%s[%s]:%u  %s\n", pa->mx->name, pa->address,
	    (unsigned)r->opt.port, state_word(pa));
	if (!pa->connected) {
		put(h, "  %s\n", pa->conn_errmsg);
		return;
	}
	if (pa->sc.banner.code) {
		text_reply_line(&pa->sc.banner, 0, line, sizeof(line));
		put(h, "  banner    %s\n", line);
	}
	if (pa->sc.used_helo)
		put(h, "  HELO      (EHLO refused)\n");
	tls_lines(h, &pa->tls);
	if (pa->scan != NULL) {
		char sb[1200];

		scan_human_text(pa->scan, sb, sizeof(sb));
		put(h, "%s", sb);
	}
	if (pa->sc.address_test)
		address_test_line(h, r, pa);
	timings_line(h, pa);
	if (r->opt.transcript && pa->sc.transcript.data != NULL) {
		const struct buf *b = &pa->sc.transcript;
		size_t i = 0;

		while (i < b->len) {
			const char *nl = memchr(b->data + i, '\n', b->len - i);
			size_t n =
			    nl ? (size_t)(nl - (b->data + i)) : b->len - i;

			text_escape(b->data + i, n, line, sizeof(line));
			put(h, "    %s\n", line);
			i += n + 1;
		}
	}
}

static void
findings(struct hr *h, const struct probe_result *r)
{
	bool any = false;

	put(h, "\nFindings\n");
	for (size_t i = 0; i < r->checks.n; i++) {
		const struct check_result *c = &r->checks.v[i];
		char subj[400];

		if (c->status == CHECK_PASS || c->status == CHECK_SKIP)
			continue;
		if (strncmp(check_id_name(c->id), "policy.", 7) == 0)
			continue;
		any = true;
		if (c->address)
			snprintf(subj, sizeof(subj), "%s[%s]", c->mx,
			    c->address);
		else
			snprintf(subj, sizeof(subj), "%s",
			    c->mx       ? c->mx
			    : c->domain ? c->domain
			                : "");
		put(h, "  %s%-5s%s %-26s %s: %s%s\n",
		    status_color(h, c->status), check_status_name(c->status),
		    reset(h), check_id_name(c->id), subj, c->detail,
		    c->waived ? " (waived)" : "");
	}
	if (!any)
		put(h, "  none: every check passed\n");
}

/* Postfix, Exchange and Cisco ESA settings per level (checks.md 12.8). */
static const char *const mapping[LEVEL__COUNT] = {
	"Postfix may; Exchange default; ESA TLS Preferred",
	"Postfix encrypt; Exchange RequireTLS; ESA TLS Required",
	"Postfix verify; ESA Required (Verify)",
	"Postfix dane-only; ESA DANE Mandatory",
	"MTA-STS sender (policy service)",
	"DANE where usable, else MTA-STS enforce",
};

static void
verdicts(struct hr *h, const struct probe_result *r)
{
	put(h, "\nWould a sender deliver?\n");
	for (int i = 0; r->levels != NULL && i < LEVEL__COUNT; i++) {
		const struct verdict_level *L = &r->levels[i];

		if (!L->present)
			continue;
		put(h,
		    "  %s%-14s %-8s%s %zu deliver, %zu defer, %zu unknown  (%s)\n",
		    status_color(h, L->status), probe_level_name(i),
		    verdict_outcome_name(L->strict.outcome), reset(h),
		    L->strict.deliver, L->strict.defer, L->strict.unknown,
		    mapping[i]);
		for (size_t k = 0; k < L->nvariants; k++)
			put(h, "    variant %-16s %s\n", L->variants[k].name,
			    verdict_outcome_name(L->variants[k].outcome));
	}
}

char *
report_human_render(const struct probe_result *r, bool color)
{
	struct hr h = { .color = color };

	buf_init(&h.b, HUMAN_MAX);
	put(&h, "smtptls probe %s\n", r->input);
	put(&h, "DNSSEC %s\n", r->dnssec_reason);
	if (r->null_mx)
		put(&h,
		    "\n%s publishes a null MX (RFC 7505): this domain accepts no mail.\n",
		    r->domain);
	else if (r->nmx == 0)
		put(&h, "\nno MX host to probe\n");
	else {
		put(&h, "\n");
		summary_table(&h, r);
		family_notes(&h, r);
		for (size_t i = 0; i < r->nmx; i++)
			for (size_t k = 0; k < r->mx[i].naddrs; k++)
				address_details(&h, r, &r->mx[i].addrs[k]);
	}
	findings(&h, r);
	verdicts(&h, r);
	if (r->nprofiles > 0) {
		char *t = profiles_human(r);

		/* a block can be longer than put()'s line buffer */
		if (t == NULL || buf_addstr(&h.b, t) != ST_OK)
			h.failed = true;
		free(t);
	}
	put(&h, "\nresult: exit %d, %s (%ld ms)\n", r->exit_code,
	    r->exit_reason, r->duration_ms);
	if (h.failed) {
		buf_release(&h.b);
		return NULL;
	}
	return buf_take(&h.b);
}
