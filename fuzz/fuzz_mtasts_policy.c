/*
 * fuzz_mtasts_policy.c - libFuzzer target for the MTA-STS policy parser
 * and pattern matcher (src/mtasts_policy.c). Seeds: testdata/fuzz/
 * mtasts_policy/.
 */
#include "mtasts_policy.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mtasts_policy *pol = malloc(sizeof(*pol));
	const char *p = (const char *)data;
	size_t i;

	if (pol == NULL)
		return 0;
	mtasts_policy_init(pol);
	if (mtasts_policy_parse(pol, p, size) == ST_OK) {
		/* Match every kept pattern against itself and against the
		 * input's last line, as the mx.match check would. */
		const char *nl = size > 0 ? memchr(p, '\n', size) : NULL;
		size_t tail = nl != NULL ? (size_t)(nl - p) : size;

		for (i = 0; i < pol->nmx; i++)
			(void)mtasts_mx_match(pol->mx[i], strlen(pol->mx[i]),
			    p, tail); /* result unused: only memory safety */
		(void)mtasts_policy_match(pol, p, tail); /* likewise */
		for (i = 0; i < pol->nproblems; i++)
			if (pol->problems[i].evidence_len >
			    MTASTS_EVIDENCE_MAX)
				abort();
		if (pol->nmx > MTASTS_MX_MAX)
			abort();
	}
	mtasts_policy_release(pol);
	free(pol);
	return 0;
}
