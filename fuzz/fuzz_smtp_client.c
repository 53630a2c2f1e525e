/*
 * fuzz_smtp_client.c - libFuzzer target for the SMTP client machine.
 *
 * The input is what a server says. Its first octet sets the driver: bits
 * 0-5 a chunk size (0 = the whole rest), bit 6 asks for an address test,
 * bit 7 makes the TLS handshake fail. The rest is fed in chunks the way a
 * driver would: output drained after every call, the handshake reported
 * done on SMTP_EV_START_TLS, EOF or a timeout at the end of input. Unlike
 * a real driver, bytes left after START_TLS are fed on as if they came
 * over TLS, so that one input reaches the later states. Nothing may leak,
 * crash or break the invariants below.
 */
#include "smtp_client.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "st_limits.h"
#include "banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* drain - take the queued commands, checking their form */
static void
drain(struct smtp_client *sc)
{
	const char *p;
	size_t len, i;

	p = smtp_client_output(sc, &len);
	if (p == NULL)
		return;
	if (len < 2 || p[len - 2] != '\r' || p[len - 1] != '\n' ||
	    len > SMTP_OUTPUT_MAX)
		__builtin_trap();
	/* Never DATA or BDAT (checks.md 1.9): look at each command. */
	for (i = 0; i < len; i++) {
		if (i > 0 && p[i - 1] != '\n')
			continue;
		if (len - i >= 4 && (memcmp(p + i, "DATA", 4) == 0 ||
		    memcmp(p + i, "BDAT", 4) == 0))
			__builtin_trap();
	}
	smtp_client_output_done(sc, len);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct smtp_client_params params = {"probe.example", true,
	    "probe@example.org", NULL, NULL, false};
	struct smtp_client sc;
	const char *in = (const char *)data;
	size_t chunk, off = 1, n, used;
	enum smtp_event ev = SMTP_EV_NONE;

	if (size == 0)
		return 0;
	chunk = (data[0] & 0x3f) != 0 ? (size_t)(data[0] & 0x3f) : size;
	if (data[0] & 0x40) {
		params.rcpt = "postmaster@example.net";
		/* the probe's address test choice (address_test_pick.h) */
		params.hold_before_mail = (size & 2) != 0;
	}
	if (smtp_client_init(&sc, &params) != ST_OK)
		__builtin_trap();
	while (off < size && ev != SMTP_EV_DONE && ev != SMTP_EV_FAILED) {
		n = size - off < chunk ? size - off : chunk;
		ev = smtp_client_feed(&sc, in + off, n, &used);
		if (used > n || (ev == SMTP_EV_NONE && used != n))
			__builtin_trap();
		drain(&sc);
		off += used;
		if (ev == SMTP_EV_READY) {
			ev = smtp_client_go(&sc, (size & 4) != 0);
			drain(&sc);
		}
		if (ev == SMTP_EV_START_TLS) {
			ev = smtp_client_tls_done(&sc, !(data[0] & 0x80),
			    "handshake failure");
			drain(&sc);
		}
	}
	if (ev != SMTP_EV_DONE && ev != SMTP_EV_FAILED)
		ev = (size & 1) ? smtp_client_eof(&sc) :
		    smtp_client_timeout(&sc);
	if (ev != SMTP_EV_DONE && ev != SMTP_EV_FAILED)
		__builtin_trap();
	if ((ev == SMTP_EV_DONE) != (sc.state == SMTP_ST_DONE) ||
	    sc.transcript.len > SMTP_TRANSCRIPT_MAX ||
	    strlen(sc.errmsg) >= sizeof(sc.errmsg) ||
	    (ev == SMTP_EV_FAILED && sc.errmsg[0] == '\0'))
		__builtin_trap();
	smtp_client_release(&sc);
	return 0;
}
