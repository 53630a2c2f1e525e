/*
 * profile_ncsc_nl.c - the ncsc-nl profile: NCSC-NL "IT Security
 * Guidelines for Transport Layer Security (TLS)" v2.1 (2021), read as
 * internet.nl's mail test implemented it before its 2025 update: tiers
 * good / sufficient / phase-out / insufficient; phase-out passes with its
 * tier shown, insufficient fails. Data only (profile.h).
 */
#include "profile.h"

#include "banned.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define G TIER_GOOD
#define S TIER_SUFFICIENT
#define P TIER_PHASE_OUT
#define I TIER_INSUFFICIENT

#define DOC "NCSC-NL TLS guidelines v2.1"

static const struct prof_match versions[] = {
	{ "tls1_3", G },
	{ "tls1_2", S },
	{ "tls1_1", P },
	{ "tls1", P },
};

/* Appendix C; internet.nl counts the ECDHE AEAD suites and AES-CCM as
 * good (footnotes 31 and 52), CAMELLIA-CBC and DHE-CCM as sufficient. */
static const struct prof_match suites[] = {
	{ "TLS_AES_256_GCM_SHA384", G },
	{ "TLS_CHACHA20_POLY1305_SHA256", G },
	{ "TLS_AES_128_GCM_SHA256", G },
	{ "TLS_AES_128_CCM_SHA256", G },
	{ "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", G },
	{ "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", G },
	{ "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", G },
	{ "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", G },
	{ "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", G },
	{ "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", G },
	{ "TLS_ECDHE_ECDSA_WITH_AES_128_CCM", G },
	{ "TLS_ECDHE_ECDSA_WITH_AES_256_CCM", G },
	{ "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384", S },
	{ "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", S },
	{ "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", S },
	{ "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", S },
	{ "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384", S },
	{ "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", S },
	{ "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", S },
	{ "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", S },
	{ "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384", S },
	{ "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256", S },
	{ "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", S },
	{ "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256", S },
	{ "TLS_DHE_RSA_WITH_AES_256_CBC_SHA", S },
	{ "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256", S },
	{ "TLS_DHE_RSA_WITH_AES_128_CBC_SHA", S },
	{ "TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA", S },
	{ "TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA256", S },
	{ "TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA", S },
	{ "TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA256", S },
	{ "TLS_RSA_WITH_CAMELLIA_128_CBC_SHA", S },
	{ "TLS_RSA_WITH_CAMELLIA_128_CBC_SHA256", S },
	{ "TLS_RSA_WITH_CAMELLIA_256_CBC_SHA", S },
	{ "TLS_RSA_WITH_CAMELLIA_256_CBC_SHA256", S },
	{ "TLS_ECDHE_ECDSA_WITH_CAMELLIA_128_CBC_SHA256", S },
	{ "TLS_ECDHE_ECDSA_WITH_CAMELLIA_256_CBC_SHA384", S },
	{ "TLS_ECDHE_RSA_WITH_CAMELLIA_128_CBC_SHA256", S },
	{ "TLS_ECDHE_RSA_WITH_CAMELLIA_256_CBC_SHA384", S },
	{ "TLS_DHE_RSA_WITH_AES_128_CCM", S },
	{ "TLS_DHE_RSA_WITH_AES_256_CCM", S },
	{ "TLS_ECDHE_ECDSA_WITH_3DES_EDE_CBC_SHA", P },
	{ "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA", P },
	{ "TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA", P },
	{ "TLS_RSA_WITH_AES_256_GCM_SHA384", P },
	{ "TLS_RSA_WITH_AES_128_GCM_SHA256", P },
	{ "TLS_RSA_WITH_AES_256_CBC_SHA256", P },
	{ "TLS_RSA_WITH_AES_256_CBC_SHA", P },
	{ "TLS_RSA_WITH_AES_128_CBC_SHA256", P },
	{ "TLS_RSA_WITH_AES_128_CBC_SHA", P },
	{ "TLS_RSA_WITH_3DES_EDE_CBC_SHA", P },
};

static const struct prof_match order[] = {
	{ "server", G },
};

/* Table 9 (ECDHE) and table 10 (the RFC 7919 groups) */
static const struct prof_match groups[] = {
	{ "x25519", G },
	{ "x448", G },
	{ "secp256r1", G },
	{ "secp384r1", G },
	{ "secp521r1", G },
	{ "secp224r1", P },
	{ "ffdhe8192", S },
	{ "ffdhe6144", S },
	{ "ffdhe4096", S },
	{ "ffdhe3072", S },
	{ "ffdhe2048", P },
};

/* Table 5 */
static const struct prof_match kex_hash[] = {
	{ "sha256", G },
	{ "sha384", G },
	{ "sha512", G },
	{ "sha224", P },
	{ "sha1", P },
};

static const struct prof_match off[] = { { "off", G } };
static const struct prof_match yes[] = { { "yes", G } };
static const struct prof_match no_anon[] = { { "none", G } };
/* Table 13: client-initiated renegotiation is "sufficient", never worse */
static const struct prof_match reneg_client[] = {
	{ "off", G },
	{ "on", S },
};

/* Table 9 for ECDSA and EdDSA keys, table 8 for RSA and DSA (sized) */
static const struct prof_match cert_key[] = {
	{ "P-256", G },
	{ "P-384", G },
	{ "prime256v1", G },
	{ "secp256r1", G },
	{ "secp384r1", G },
	{ "ED25519", G },
	{ "ED448", G },
	{ "P-224", P },
	{ "secp224r1", P },
};

/* Table 3 */
static const struct prof_match cert_sig[] = {
	{ "SHA256", G },
	{ "SHA384", G },
	{ "SHA512", G },
	{ "eddsa", G },
};

static const struct prof_req reqs[] = {
	{ .id = "ncsc-nl.version",
	    .text = "only TLS 1.3 (good), TLS 1.2 (sufficient) or TLS 1.1 "
	            "and 1.0 (phase out); never SSL",
	    .source = DOC ", B1-1, table 1",
	    .level = PL_REQUIRED,
	    .fact = PF_VERSIONS,
	    .match = versions,
	    .nmatch = N(versions),
	    .other = I,
	    .worst_ok = P },
	{ .id = "ncsc-nl.ciphers",
	    .text = "every accepted suite is good, sufficient or phase out "
	            "in the guideline's list",
	    .source = DOC ", B2-1 to B2-4, tables 2, 4, 6, 7, appendix C",
	    .level = PL_REQUIRED,
	    .fact = PF_SUITES,
	    .match = suites,
	    .nmatch = N(suites),
	    .other = I,
	    .worst_ok = P },
	{ .id = "ncsc-nl.ciphers.anonymous",
	    .text = "no suite without server authentication (anonymous "
	            "DH/ECDH) is accepted",
	    .source = DOC ", B2-1, appendix C",
	    .level = PL_REQUIRED,
	    .fact = PF_SUITES_ANON,
	    .match = no_anon,
	    .nmatch = N(no_anon),
	    .other = I,
	    .worst_ok = P },
	{ .id = "ncsc-nl.cipher-order",
	    .text = "the server enforces its own suite preference (good "
	            "before sufficient before phase out)",
	    .source = DOC ", B2-5",
	    .level = PL_REQUIRED,
	    .fact = PF_ORDER,
	    .match = order,
	    .nmatch = N(order),
	    .other = I,
	    .worst_ok = P,
	    .no_tier = true,
	    .ref = suites,
	    .nref = N(suites),
	    .ref_other = I },
	{ .id = "ncsc-nl.kex-groups",
	    .text = "ECDHE curves secp384r1, secp256r1, x448, x25519 (good; "
	            "secp521r1 too, footnote 38), secp224r1 (phase out); FFDHE "
	            "groups ffdhe3072 or larger (sufficient), ffdhe2048 (phase "
	            "out)",
	    .source = DOC ", B5-1 table 9 and footnote 38, B6-1 table 10",
	    .level = PL_REQUIRED,
	    .fact = PF_GROUPS,
	    .match = groups,
	    .nmatch = N(groups),
	    .other = I,
	    .worst_ok = P },
	{ .id = "ncsc-nl.kex-dhe",
	    .text = "finite-field DHE in TLS 1.2 uses an RFC 7919 group: "
	            "ffdhe3072 or larger (sufficient), ffdhe2048 (phase out); "
	            "other primes are insufficient",
	    .source = DOC ", B6-1, table 10",
	    .level = PL_REQUIRED,
	    .fact = PF_DHE,
	    .match = groups,
	    .nmatch = N(groups),
	    .other = I,
	    .worst_ok = P },
	{ .id = "ncsc-nl.kex-hash",
	    .text = "the key exchange is signed with SHA-256, SHA-384 or "
	            "SHA-512 (good); SHA-224 or SHA-1 still accepted when "
	            "offered alone is phase out",
	    .source = DOC ", table 5",
	    .level = PL_RECOMMENDED,
	    .fact = PF_KEX_HASH,
	    .match = kex_hash,
	    .nmatch = N(kex_hash),
	    .other = I,
	    .worst_ok = P },
	{ .id = "ncsc-nl.compression",
	    .text = "no TLS compression",
	    .source = DOC ", B7-1, table 11",
	    .level = PL_REQUIRED,
	    .fact = PF_COMPRESSION,
	    .match = off,
	    .nmatch = N(off),
	    .other = I,
	    .worst_ok = P },
	{ .id = "ncsc-nl.renegotiation.secure",
	    .text = "secure renegotiation (RFC 5746) when TLS 1.2 or older "
	            "is offered; insecure renegotiation is insufficient",
	    .source = DOC ", B8-1, table 12",
	    .level = PL_REQUIRED,
	    .fact = PF_RENEG_SECURE,
	    .match = yes,
	    .nmatch = N(yes),
	    .other = I,
	    .worst_ok = P },
	{ .id = "ncsc-nl.renegotiation.client",
	    .text = "the server refuses client-initiated renegotiation "
	            "(good); accepting it is sufficient",
	    .source = DOC ", B8-1, table 13",
	    .level = PL_OPTIONAL,
	    .fact = PF_RENEG_CLIENT,
	    .match = reneg_client,
	    .nmatch = N(reneg_client),
	    .other = I,
	    .worst_ok = P },
	{ .id = "ncsc-nl.cert-key",
	    .text = "certificate key: RSA or DSA of 3072 bits or more "
	            "(good), 2048-3071 (sufficient); ECDSA on secp384r1 or "
	            "secp256r1, or EdDSA (good), secp224r1 (phase out)",
	    .source = DOC ", B5-1, tables 8 and 9",
	    .level = PL_REQUIRED,
	    .fact = PF_CERT_KEY,
	    .match = cert_key,
	    .nmatch = N(cert_key),
	    .other = I,
	    .bits = { 3072, 2048, S },
	    .worst_ok = P },
	{ .id = "ncsc-nl.cert-signature",
	    .text = "certificates are signed with SHA-256, SHA-384 or "
	            "SHA-512 (SHA-1 and MD5 are insufficient)",
	    .source = DOC ", B3-2, table 3",
	    .level = PL_REQUIRED,
	    .fact = PF_CERT_SIG,
	    .match = cert_sig,
	    .nmatch = N(cert_sig),
	    .other = I,
	    .worst_ok = P },
	{ .id = "ncsc-nl.dane.exists",
	    .text = "the MX host publishes DNSSEC-signed TLSA records usable "
	            "for SMTP (DANE-TA or DANE-EE)",
	    .source = DOC ", appendix A (certificate pinning and DANE); "
	                  "RFC 7672",
	    .level = PL_REQUIRED,
	    .fact = PF_DANE_EXISTS,
	    .match = yes,
	    .nmatch = N(yes),
	    .other = I,
	    .worst_ok = P,
	    .no_tier = true },
	{ .id = "ncsc-nl.dane.valid",
	    .text = "the certificate the server presents matches its TLSA "
	            "records",
	    .source = DOC ", appendix A; RFC 7672 section 3",
	    .level = PL_REQUIRED,
	    .fact = PF_DANE_VALID,
	    .match = yes,
	    .nmatch = N(yes),
	    .other = I,
	    .worst_ok = P,
	    .no_tier = true },
	{ .id = "ncsc-nl.dane.rollover",
	    .text = "a rollover scheme: a second TLSA record (next key, or "
	            "the issuing CA) beside the current one, or DANE-TA "
	            "records alone (a new server key needs no new record)",
	    .source = DOC ", appendix A; RFC 7671 section 8",
	    .level = PL_OPTIONAL,
	    .fact = PF_DANE_ROLLOVER,
	    .match = yes,
	    .nmatch = N(yes),
	    .other = I,
	    .worst_ok = P,
	    .no_tier = true },
};

const struct profile profile_ncsc_nl = {
	.name = "ncsc-nl",
	.title = "NCSC-NL IT Security Guidelines for TLS v2.1, as internet.nl "
	         "tests mail servers",
	.document = "NCSC-NL, IT Security Guidelines for Transport Layer "
	            "Security (TLS), version 2.1, January 2021",
	.note = "phase-out passes with its tier shown; insufficient fails",
	.tiered = true,
	.reqs = reqs,
	.nreqs = N(reqs),
};
