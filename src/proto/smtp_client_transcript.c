/*
 * smtp_client_transcript.c - the transcript of the probe's SMTP client
 * machine (smtp_client.h): every line sent and received, and a trace line
 * per state change, escaped and capped at SMTP_TRANSCRIPT_MAX with a
 * marker. A transcript never fails the dialogue.
 */
#include "smtp_client.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "smtp_client_int.h"
#include "st_limits.h"

#include "banned.h"

static const char transcript_cut_line[] = "[transcript truncated]\n";

void
smtpc_transcript_init(struct smtp_client *sc)
{
	/* Keep room for the truncation marker (smtpc_transcript_add()). */
	buf_init(&sc->transcript,
	    SMTP_TRANSCRIPT_MAX - (sizeof(transcript_cut_line) - 1));
}

/* smtpc_transcript_add - append prefix and n escaped octets as one line */
void
smtpc_transcript_add(struct smtp_client *sc, const char *prefix, const char *s,
    size_t n)
{
	struct buf *t = &sc->transcript;
	size_t mark = t->len, done = 0, k;
	char esc[256];

	if (sc->transcript_cut)
		return;
	if (buf_addstr(t, prefix) != ST_OK)
		goto cut;
	while (done < n) {
		k = smtp_reply_escape(esc, sizeof(esc), s + done, n - done);
		if (buf_add(t, esc, strlen(esc)) != ST_OK)
			goto cut;
		done += k;
	}
	if (buf_add(t, "\n", 1) != ST_OK)
		goto cut;
	return;
cut:
	/* Drop the partial line; the room for the marker was kept back by
	 * the smaller limit set in smtpc_transcript_init(). */
	t->len = mark;
	if (t->data != NULL)
		t->data[mark] = '\0';
	t->max = SMTP_TRANSCRIPT_MAX;
	sc->transcript_cut = true;
	/* Only out of memory can refuse the marker; the transcript then
	 * simply ends, since a transcript never fails the dialogue. */
	if (buf_addstr(t, transcript_cut_line) != ST_OK)
		return;
}

/* smtpc_transcript_trace - append a "* " trace line */
void
smtpc_transcript_trace(struct smtp_client *sc, const char *fmt, ...)
{
	char line[160];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line))
		n = sizeof(line) - 1;
	smtpc_transcript_add(sc, "* ", line, (size_t)n);
}

/* smtpc_transcript_line - parser callback: each server line into the
 * transcript */
void
smtpc_transcript_line(void *arg, const char *line, size_t len)
{
	smtpc_transcript_add(arg, "< ", line, len);
}
