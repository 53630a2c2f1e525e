/*
 * fuzz_smtp_server.c - libFuzzer target for the listener's SMTP server
 * machine.
 *
 * The input is what a sender says. Its first octet sets the driver: bits
 * 0-5 a chunk size (0 = the whole rest), bit 6 accept_data, bit 7 makes
 * the TLS handshake fail. The rest is fed in chunks as the driver in
 * listen_session.c would: replies drained after every call, the handshake
 * reported on SMTPS_EV_START_TLS, EOF or a timeout at the end. Nothing may
 * leak, crash or grow past the limits of smtp_server.h.
 */
#include "smtp_server.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* drain - take the queued replies, checking their form */
static void
drain(struct smtp_server *ss)
{
	const char *p;
	size_t len;

	p = smtp_server_output(ss, &len);
	if (p == NULL)
		return;
	if (len < 5 || p[len - 2] != '\r' || p[len - 1] != '\n' ||
	    len > SMTPS_OUTPUT_MAX || p[0] < '2' || p[0] > '5')
		__builtin_trap();
	smtp_server_output_done(ss, len);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct smtp_server_params params = {"mx.fuzz.example", true, false};
	struct smtp_server ss;
	const char *in = (const char *)data;
	size_t chunk, off = 1, n, used;
	enum smtps_event ev = SMTPS_EV_NONE;

	if (size == 0)
		return 0;
	chunk = (data[0] & 0x3f) != 0 ? (size_t)(data[0] & 0x3f) : size;
	params.accept_data = (data[0] & 0x40) != 0;
	if (smtp_server_init(&ss, &params) != ST_OK)
		__builtin_trap();
	drain(&ss);
	while (off < size && ev != SMTPS_EV_CLOSE) {
		n = size - off < chunk ? size - off : chunk;
		ev = smtp_server_feed(&ss, in + off, n, &used);
		if (used > n || (ev != SMTPS_EV_CLOSE && used != n))
			__builtin_trap();
		drain(&ss);
		off += used;
		if (ev == SMTPS_EV_START_TLS)
			ev = smtp_server_tls_done(&ss, !(data[0] & 0x80));
	}
	if (ev != SMTPS_EV_CLOSE) {
		if (size & 1)
			smtp_server_eof(&ss);
		else
			(void)smtp_server_timeout(&ss, false); /* always CLOSE */
	}
	drain(&ss);
	if (ss.end == SMTPS_END_NONE || ss.line.len > SMTPS_LINE_MAX ||
	    ss.nrcpt > SMTPS_RCPT_MAX || ss.ncommands > SMTPS_COMMANDS_MAX + 1 ||
	    strlen(ss.errmsg) >= sizeof(ss.errmsg))
		__builtin_trap();
	smtp_server_release(&ss);
	return 0;
}
