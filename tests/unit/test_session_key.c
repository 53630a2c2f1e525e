/*
 * test_session_key.c - what makes two sessions the same (session_key.h),
 * as a table of pairs: equal keys share one connection, different keys
 * must not; and the deep copy of an SMTP dialogue's record
 * (smtp_client_copy) that carries a shared session into each domain.
 */
#include "session_key.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smtp_client.h"
#include "unit.h"
#include "banned.h"

static uint8_t h1[32] = { 0x85, 0x1a, 0x24 }, h2[32] = { 0x10, 0x3b };
static const struct dns_tlsa t_ab[] = { { 3, 1, 1, h1, 32 },
	{ 2, 1, 1, h2, 32 } };
static const struct dns_tlsa t_ba[] = { { 2, 1, 1, h2, 32 },
	{ 3, 1, 1, h1, 32 } };
static const struct dns_tlsa t_a[] = { { 3, 1, 1, h1, 32 } };
static const struct dns_tlsa t_a_sel0[] = { { 3, 0, 1, h1, 32 } };

#define BASE "192.0.2.25", 25, "mx.example.net"
#define TAIL "probe.example", "", true

struct key_case {
	const char *name;
	struct session_key_in a, b;
	bool same;
};

static const struct key_case cases[] = {
	{ "identical", { BASE, t_ab, 2, TAIL }, { BASE, t_ab, 2, TAIL },
	    true },
	{ "TLSA order does not matter", { BASE, t_ab, 2, TAIL },
	    { BASE, t_ba, 2, TAIL }, true },
	{ "another address", { BASE, NULL, 0, TAIL },
	    { "192.0.2.26", 25, "mx.example.net", NULL, 0, TAIL }, false },
	{ "another port", { BASE, NULL, 0, TAIL },
	    { "192.0.2.25", 587, "mx.example.net", NULL, 0, TAIL }, false },
	{ "another SNI", { BASE, NULL, 0, TAIL },
	    { "192.0.2.25", 25, "mx2.example.net", NULL, 0, TAIL }, false },
	{ "no SNI is not an empty SNI", { "192.0.2.25", 25, NULL, NULL, 0,
	    TAIL }, { "192.0.2.25", 25, "", NULL, 0, TAIL }, false },
	{ "a TLSA record more", { BASE, t_a, 1, TAIL },
	    { BASE, t_ab, 2, TAIL }, false },
	{ "TLSA vs none", { BASE, t_a, 1, TAIL }, { BASE, NULL, 0, TAIL },
	    false },
	{ "TLSA selector differs", { BASE, t_a, 1, TAIL },
	    { BASE, t_a_sel0, 1, TAIL }, false },
	{ "another EHLO name", { BASE, NULL, 0, TAIL },
	    { BASE, NULL, 0, "other.example", "", true }, false },
	{ "another reverse path", { BASE, NULL, 0, TAIL },
	    { BASE, NULL, 0, "probe.example", "a@example.org", true },
	    false },
	{ "null path given two ways", { BASE, NULL, 0, TAIL },
	    { BASE, NULL, 0, "probe.example", NULL, true }, true },
	{ "without STARTTLS", { BASE, NULL, 0, TAIL },
	    { BASE, NULL, 0, "probe.example", "", false }, false },
};

static void
key_cases(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct key_case *c = &cases[i];
		char *ka = NULL, *kb = NULL;

		if (session_key_make(&c->a, &ka) != ST_OK ||
		    session_key_make(&c->b, &kb) != ST_OK)
			unit_report(0, c->name, "keys", "an error");
		else
			unit_eq_str(c->name, c->same ? "same" : "different",
			    strcmp(ka, kb) == 0 ? "same" : "different");
		free(ka);
		free(kb);
	}
}

/* The exact form: one field per line, then the sorted records. */
static void
key_form(void)
{
	static uint8_t d[2] = { 0xab, 0x01 };
	const struct dns_tlsa t[] = { { 3, 1, 1, d, 2 }, { 2, 0, 1, d, 1 } };
	struct session_key_in in = { "192.0.2.25", 25, "mx.example.net", t, 2,
		"probe.example", NULL, true };
	char *k = NULL;

	unit_eq_long("form: made", ST_OK, session_key_make(&in, &k));
	unit_eq_str("form",
	    "192.0.2.25\n25\nmx.example.net\nstarttls\nprobe.example\n<>\n"
	    "tlsa 2 0 1 ab\ntlsa 3 1 1 ab01\n",
	    k);
	free(k);
}

/* feed - the server's side of a plain dialogue, all at once */
static void
feed(struct smtp_client *sc, const char *s)
{
	size_t len = strlen(s), off = 0, used;

	while (off < len) {
		used = 0;
		(void)smtp_client_feed(sc, s + off, len - off, &used);
		if (used == 0)
			break;
		off += used;
	}
}

static void
copy_case(void)
{
	struct smtp_client_params p = { "probe.example", false, "", NULL,
		NULL, false };
	struct smtp_client a, b;
	size_t len;

	if (smtp_client_init(&a, &p) != ST_OK) {
		unit_report(0, "copy: init", "ST_OK", "error");
		return;
	}
	feed(&a, "220-mx.example ESMTP\r\n220 hi\r\n");
	feed(&a, "250-mx.example\r\n250 PIPELINING\r\n");
	(void)smtp_client_output(&a, &len);
	smtp_client_output_done(&a, len);
	feed(&a, "221 bye\r\n");
	unit_eq_long("copy: made", ST_OK, smtp_client_copy(&b, &a));
	unit_eq_long("copy: state", a.state, b.state);
	unit_eq_long("copy: banner lines", 2, (long)b.banner.nlines);
	unit_eq_str("copy: banner text", a.banner.lines[1], b.banner.lines[1]);
	unit_eq_long("copy: own lines", 1, a.banner.lines[1] != b.banner.lines[1]);
	unit_eq_long("copy: ehlo code", 250, b.ehlo.code);
	unit_eq_long("copy: transcript length", (long)a.transcript.len,
	    (long)b.transcript.len);
	unit_eq_long("copy: transcript", 0,
	    memcmp(a.transcript.data, b.transcript.data, a.transcript.len));
	unit_eq_str("copy: ehlo name", "probe.example", b.params.ehlo_name);
	unit_eq_long("copy: nothing to send", 0, (long)b.out.len);
	/* each releases only its own: ASan would see a double free */
	smtp_client_release(&a);
	unit_eq_str("copy: outlives the original", "hi", b.banner.lines[1]);
	smtp_client_release(&b);
}

int
main(void)
{
	key_cases();
	key_form();
	copy_case();
	return unit_exit();
}
