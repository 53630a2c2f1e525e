/*
 * report_transcript.c - the SMTP dialogue of every address as text, for
 * -v on standard error: "mx1.example.org[192.0.2.25]:25 > EHLO ...".
 * Peer text is escaped by the client machine when it records it.
 */
#include "smtptls/probe.h"

#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "probe_result.h"
#include "text.h"

#include "banned.h"
#include "st_limits.h"

char *
report_transcript_render(const struct probe_result *r)
{
	struct buf b;
	char line[1100];

	buf_init(&b, TRANSCRIPT_TEXT_MAX);
	for (size_t i = 0; i < r->nmx; i++)
		for (size_t k = 0; k < r->mx[i].naddrs; k++) {
			const struct probe_addr *pa = &r->mx[i].addrs[k];
			const struct buf *t = &pa->sc.transcript;
			size_t off = 0;

			if (!pa->sc_ready || t->data == NULL)
				continue;
			while (off < t->len) {
				const char *nl =
				    memchr(t->data + off, '\n', t->len - off);
				size_t n = nl ? (size_t)(nl - (t->data + off))
				              : t->len - off;

				text_escape(t->data + off, n, line,
				    sizeof(line));
				if (buf_printf(&b, "%s[%s]:%u %s\n",
				        r->mx[i].name, pa->address,
				        (unsigned)r->opt.port, line) != ST_OK) {
					buf_release(&b);
					return NULL;
				}
				off += n + 1;
			}
		}
	return buf_take(&b);
}
