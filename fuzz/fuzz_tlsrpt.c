/*
 * fuzz_tlsrpt.c - libFuzzer target for the _smtp._tls TXT record parser
 * (src/tlsrpt.c). The input is split at 0xff octets into up to eight
 * records. Seeds: testdata/fuzz/tlsrpt/.
 */
#include "tlsrpt.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

#define RECS_MAX 8

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text[RECS_MAX], *p = (const char *)data, *sep;
	size_t len[RECS_MAX], n = 0, rest = size, i;
	struct tlsrpt *r = malloc(sizeof(*r));

	if (r == NULL)
		return 0;
	while (n < RECS_MAX) {
		sep = n + 1 < RECS_MAX && rest > 0 ? memchr(p, 0xff, rest) :
		    NULL;
		text[n] = p;
		len[n] = sep != NULL ? (size_t)(sep - p) : rest;
		n++;
		if (sep == NULL)
			break;
		rest -= len[n - 1] + 1;
		p = sep + 1;
	}
	tlsrpt_init(r);
	if (tlsrpt_parse(r, text, len, n) == ST_OK) {
		if (r->nuris > TLSRPT_URIS_MAX || r->nvalid > r->nuris)
			abort();
		for (i = 0; i < r->nuris; i++)
			if (r->uris[i].valid != (r->uris[i].err ==
			    TLSRPT_URI_OK) || r->uris[i].uri_len >
			    TLSRPT_URI_MAX)
				abort();
	}
	tlsrpt_release(r);
	free(r);
	return 0;
}
