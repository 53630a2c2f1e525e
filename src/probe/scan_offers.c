/*
 * scan_offers.c - the tables and choices that both halves of the deep scan
 * read: scan.c when it makes an offer, scan_result.c when it folds in what
 * the offer got. Kept apart so that neither half calls back into the other.
 */
#include "scan_int.h"

#include <openssl/ssl.h>

#include "banned.h"

const struct scan_alt_offer scan_alt_sigalgs[SCAN_ALT_MAX] = {
	{ "rsa", "rsa_pss_rsae_sha256:rsa_pss_rsae_sha384:rsa_pss_rsae_sha512:"
	         "rsa_pss_pss_sha256:rsa_pss_pss_sha384:rsa_pss_pss_sha512:"
	         "RSA+SHA256:RSA+SHA384:RSA+SHA512:RSA+SHA1" },
	{ "ecdsa", "ECDSA+SHA256:ECDSA+SHA384:ECDSA+SHA512:ECDSA+SHA1" },
	{ "eddsa", "ed25519:ed448" },
};

const int scan_ver_num[SCAN_VER__COUNT] = {
	SSL2_VERSION,
	SSL3_VERSION,
	TLS1_VERSION,
	TLS1_1_VERSION,
	TLS1_2_VERSION,
	TLS1_3_VERSION,
};

/* scan_order_pair - the two TLS 1.2 suites of the order test: the server's
 * first choice and the first later choice of another class, if any */
void
scan_order_pair(const struct scan_facts *f, size_t *a, size_t *b)
{
	const struct scan_suite *s = f->suites[SCAN_TLS1_2];

	*a = 0;
	*b = 1;
	for (size_t i = 1; i < f->nsuites[SCAN_TLS1_2]; i++)
		if (s[i].cls != s[0].cls) {
			*b = i;
			return;
		}
}
