/*
 * fuzz_testzone_answer.c - libFuzzer target for the sender test's DNS
 * answers (src/sender/testzone_answer.c): the input is one DNS message as
 * it arrives over UDP; the first octet's low bit says TCP instead (no
 * size limit). The zone is built and signed once. Any answer must parse
 * back with ldns, keep the query's id and be a response. Seeds:
 * testdata/fuzz/testzone_answer/.
 */
#include "testzone.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

#include "banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const smtp[] = { "127.10.19.25" };
#define SPKI "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
static const char *const spki[] = { "", SPKI, SPKI, SPKI, SPKI, SPKI, SPKI,
	SPKI, SPKI, SPKI };
static const struct tz_params params = { "st.lab.test", "127.10.19.53",
	"127.10.19.44", smtp, 1, spki, "1", NULL };

static struct tz_signed *
zone(void)
{
	static struct tz_signed *z;
	char err[256];

	/* A fixed time: the same input gives the same answer. */
	if (z == NULL &&
	    testzone_sign(&params, 1796600000, &z, err, sizeof(err)) != ST_OK)
		abort();
	return z;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char *out = NULL;
	size_t outlen = 0;
	ldns_pkt *a = NULL;
	bool tcp = size > 0 && (data[0] & 1);

	if (size < 1)
		return 0;
	if (testzone_answer(zone(), data + 1, size - 1, tcp, &out, &outlen) !=
	    ST_OK)
		return 0;
	if (ldns_wire2pkt(&a, out, outlen) != LDNS_STATUS_OK ||
	    !ldns_pkt_qr(a) || size < 3 ||
	    ldns_pkt_id(a) != (uint16_t)(data[1] << 8 | data[2]) ||
	    (!tcp && outlen > 1232))
		abort();
	ldns_pkt_free(a);
	free(out);
	return 0;
}
