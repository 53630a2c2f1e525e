/*
 * fuzz_mtasts_txt.c - libFuzzer target for the _mta-sts TXT record parser
 * (src/mtasts_txt.c). The input is split at 0xff octets into up to eight
 * records so that record sets (duplicates, candidates among others) are
 * reached. Seeds: testdata/fuzz/mtasts_txt/.
 */
#include "mtasts_txt.h"

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
	size_t len[RECS_MAX], n = 0, rest = size;
	struct mtasts_txt t;

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
	mtasts_txt_init(&t);
	if (mtasts_txt_parse(&t, text, len, n) == ST_OK) {
		if (t.nproblems > MTASTS_TXT_PROBLEMS_MAX ||
		    t.nfields > MTASTS_TXT_FIELDS_MAX ||
		    strlen(t.id) > MTASTS_TXT_ID_MAX)
			abort();
		if (t.status == MTASTS_TXT_VALID && !t.has_id)
			abort();
	}
	mtasts_txt_release(&t);
	return 0;
}
