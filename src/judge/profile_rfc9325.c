/*
 * profile_rfc9325.c - the rfc9325 profile: RFC 9325 (BCP 195, November
 * 2022), "Recommendations for Secure Use of TLS and DTLS", applied to an
 * SMTP server. MUST rows are required, SHOULD rows recommended. No tiers.
 * Data only (profile.h).
 */
#include "profile.h"

#include "banned.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define G TIER_GOOD
#define I TIER_INSUFFICIENT

static const struct prof_match versions[] = {
	{ "tls1_3", G },
	{ "tls1_2", G },
};

static const struct prof_match yes[] = { { "yes", G } };
static const struct prof_match off[] = { { "off", G } };
static const struct prof_match ok[] = { { "ok", G } };

/* Section 4.1, MUST NOT: NULL encryption, RC4, less than 112 bits
 * (export, single DES), static (EC)DH */
static const struct prof_match must_not[] = {
	{ "*_WITH_NULL_*", I },
	{ "*RC4*", I },
	{ "*EXPORT*", I },
	{ "*_DES_CBC_*", I },
	{ "*_DES40_*", I },
	{ "TLS_DH_*", I },
	{ "TLS_ECDH_*", I },
};

/* Section 4.1, SHOULD NOT: less than 128 bits (3DES, IDEA-64), RSA key
 * transport */
static const struct prof_match should_not[] = {
	{ "*3DES*", I },
	{ "TLS_RSA_*", I },
};

static const struct prof_req reqs[] = {
	{ .id = "rfc9325.version",
	    .text = "SSL 2.0, SSL 3.0, TLS 1.0 and TLS 1.1 are not negotiated",
	    .source = "RFC 9325 section 3.1.1; RFC 8996",
	    .level = PL_REQUIRED,
	    .fact = PF_VERSIONS,
	    .match = versions,
	    .nmatch = N(versions),
	    .other = I,
	    .worst_ok = G },
	{ .id = "rfc9325.version.tls12",
	    .text = "TLS 1.2 is supported",
	    .source = "RFC 9325 section 3.1.1",
	    .level = PL_REQUIRED,
	    .fact = PF_TLS12,
	    .match = yes,
	    .nmatch = N(yes),
	    .other = I,
	    .worst_ok = G },
	{ .id = "rfc9325.version.tls13",
	    .text = "TLS 1.3 is supported",
	    .source = "RFC 9325 section 3.1.1",
	    .level = PL_RECOMMENDED,
	    .fact = PF_TLS13,
	    .match = yes,
	    .nmatch = N(yes),
	    .other = I,
	    .worst_ok = G },
	{ .id = "rfc9325.compression",
	    .text = "TLS-level compression is disabled",
	    .source = "RFC 9325 section 3.3",
	    .level = PL_RECOMMENDED,
	    .fact = PF_COMPRESSION,
	    .match = off,
	    .nmatch = N(off),
	    .other = I,
	    .worst_ok = G },
	{ .id = "rfc9325.renegotiation",
	    .text = "renegotiation_info (RFC 5746) is supported in TLS 1.2",
	    .source = "RFC 9325 section 3.5",
	    .level = PL_REQUIRED,
	    .fact = PF_RENEG_SECURE,
	    .match = yes,
	    .nmatch = N(yes),
	    .other = I,
	    .worst_ok = G },
	{ .id = "rfc9325.ems",
	    .text = "the extended master secret extension (RFC 7627) is "
	            "supported in TLS 1.2",
	    .source = "RFC 9325 section 3.5",
	    .level = PL_RECOMMENDED,
	    .fact = PF_EMS,
	    .match = yes,
	    .nmatch = N(yes),
	    .other = I,
	    .worst_ok = G },
	{ .id = "rfc9325.sni",
	    .text = "handshakes with and without SNI both complete",
	    .source = "RFC 9325 section 3.7; RFC 6066 section 3",
	    .level = PL_RECOMMENDED,
	    .fact = PF_SNI,
	    .match = ok,
	    .nmatch = N(ok),
	    .other = I,
	    .worst_ok = G },
	{ .id = "rfc9325.ciphers.must-not",
	    .text = "no suite with NULL encryption, RC4, less than 112 bits "
	            "of security, or static (EC)DH is accepted",
	    .source = "RFC 9325 section 4.1",
	    .level = PL_REQUIRED,
	    .fact = PF_SUITES,
	    .match = must_not,
	    .nmatch = N(must_not),
	    .other = G,
	    .worst_ok = G },
	{ .id = "rfc9325.ciphers.should-not",
	    .text = "no suite with less than 128 bits of security or RSA key "
	            "transport is accepted",
	    .source = "RFC 9325 section 4.1",
	    .level = PL_RECOMMENDED,
	    .fact = PF_SUITES,
	    .match = should_not,
	    .nmatch = N(should_not),
	    .other = G,
	    .worst_ok = G },
	{ .id = "rfc9325.dhe",
	    .text = "finite-field DHE uses at least 2048 bits",
	    .source = "RFC 9325 section 4.5",
	    .level = PL_REQUIRED,
	    .fact = PF_DHE,
	    .other = I,
	    .bits = { 2048, 2048, TIER_GOOD },
	    .worst_ok = G },
	{ .id = "rfc9325.cert-key",
	    .text = "an RSA certificate key has at least 2048 bits; an ECDSA "
	            "key at least 224",
	    .source = "RFC 9325 section 4.5",
	    .level = PL_RECOMMENDED,
	    .fact = PF_CERT_KEY,
	    .match = NULL,
	    .nmatch = 0,
	    .other = G,
	    .bits = { 2048, 2048, TIER_GOOD },
	    .worst_ok = G },
};

const struct profile profile_rfc9325 = {
	.name = "rfc9325",
	.title = "RFC 9325 (BCP 195) recommendations, for an SMTP server",
	.document = "RFC 9325, Recommendations for Secure Use of TLS and "
	            "DTLS (BCP 195), November 2022",
	.note = "MUST rows are required, SHOULD rows recommended",
	.tiered = false,
	.reqs = reqs,
	.nreqs = N(reqs),
};
