/*
 * profile_bsi.c - the bsi-tr-03108 profile: BSI TR-03108-1 "Secure E-Mail
 * Transport" v1.0.1, whose technical requirements (DNSSEC, DANE, TLS)
 * take their cryptography from BSI TR-02102-2 (version 2023-01). No
 * tiers: a name is allowed or not. Data only (profile.h).
 */
#include "profile.h"

#include "banned.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define G TIER_GOOD
#define I TIER_INSUFFICIENT

#define TR08 "BSI TR-03108-1 v1.0.1, section 3.2, table 1"
#define TR02 "BSI TR-02102-2 (2023-01)"

static const struct prof_match versions[] = {
	{ "tls1_3", G },
	{ "tls1_2", G },
};

/* TR-02102-2: TLS 1.3 suites, and the TLS 1.2 suites with ephemeral key
 * agreement and AES in GCM, CCM or CBC with SHA-2 (no ChaCha20, no
 * CCM_8, no SHA-1 MACs). */
static const struct prof_match suites[] = {
	{ "TLS_AES_128_GCM_SHA256", G },
	{ "TLS_AES_256_GCM_SHA384", G },
	{ "TLS_AES_128_CCM_SHA256", G },
	{ "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", G },
	{ "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384", G },
	{ "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", G },
	{ "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", G },
	{ "TLS_ECDHE_ECDSA_WITH_AES_128_CCM", G },
	{ "TLS_ECDHE_ECDSA_WITH_AES_256_CCM", G },
	{ "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", G },
	{ "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384", G },
	{ "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", G },
	{ "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", G },
	{ "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256", G },
	{ "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256", G },
	{ "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", G },
	{ "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384", G },
	{ "TLS_DHE_RSA_WITH_AES_128_CCM", G },
	{ "TLS_DHE_RSA_WITH_AES_256_CCM", G },
};

/* NIST and Brainpool curves, RFC 7919 groups of 3072 bits or more;
 * X25519 and X448 are not in TR-02102-2 (2023-01). */
static const struct prof_match groups[] = {
	{ "secp256r1", G },
	{ "secp384r1", G },
	{ "secp521r1", G },
	{ "brainpoolP256r1*", G },
	{ "brainpoolP384r1*", G },
	{ "brainpoolP512r1*", G },
	{ "ffdhe3072", G },
	{ "ffdhe4096", G },
	{ "ffdhe6144", G },
	{ "ffdhe8192", G },
};

static const struct prof_match cert_key[] = {
	{ "P-256", G },
	{ "P-384", G },
	{ "P-521", G },
	{ "prime256v1", G },
	{ "secp384r1", G },
	{ "secp521r1", G },
	{ "brainpoolP256r1", G },
	{ "brainpoolP384r1", G },
	{ "brainpoolP512r1", G },
};

static const struct prof_match cert_sig[] = {
	{ "SHA256", G },
	{ "SHA384", G },
	{ "SHA512", G },
};

static const struct prof_match yes[] = { { "yes", G } };
static const struct prof_match no_anon[] = { { "none", G } };
static const struct prof_match off[] = { { "off", G } };

static const struct prof_req reqs[] = {
	{ .id = "bsi.dnssec",
	    .text = "the MX host's address records are DNSSEC-signed",
	    .source = TR08 " (DNSSEC)",
	    .level = PL_REQUIRED,
	    .fact = PF_DNSSEC_MX,
	    .match = yes,
	    .nmatch = N(yes),
	    .other = I,
	    .worst_ok = G },
	{ .id = "bsi.dane.exists",
	    .text = "the MX host publishes DNSSEC-signed TLSA records usable "
	            "for SMTP",
	    .source = TR08 " (DANE); RFC 7672",
	    .level = PL_REQUIRED,
	    .fact = PF_DANE_EXISTS,
	    .match = yes,
	    .nmatch = N(yes),
	    .other = I,
	    .worst_ok = G },
	{ .id = "bsi.dane.valid",
	    .text = "the certificate the server presents matches its TLSA "
	            "records",
	    .source = TR08 " (DANE); RFC 7672 section 3",
	    .level = PL_REQUIRED,
	    .fact = PF_DANE_VALID,
	    .match = yes,
	    .nmatch = N(yes),
	    .other = I,
	    .worst_ok = G },
	{ .id = "bsi.version",
	    .text = "only TLS 1.2 and TLS 1.3 are accepted",
	    .source = TR08 " (TLS); " TR02 ", chapter 3 (versions)",
	    .level = PL_REQUIRED,
	    .fact = PF_VERSIONS,
	    .match = versions,
	    .nmatch = N(versions),
	    .other = I,
	    .worst_ok = G },
	{ .id = "bsi.version.tls12",
	    .text = "TLS 1.2 is accepted",
	    .source = TR08 " (TLS); " TR02 ", chapter 3 (versions)",
	    .level = PL_REQUIRED,
	    .fact = PF_TLS12,
	    .match = yes,
	    .nmatch = N(yes),
	    .other = I,
	    .worst_ok = G },
	{ .id = "bsi.ciphers",
	    .text = "every accepted suite is in the TR-02102-2 list (forward "
	            "secrecy, AES-GCM/CCM/CBC with SHA-2)",
	    .source = TR02 ", chapter 3 (cipher suites)",
	    .level = PL_REQUIRED,
	    .fact = PF_SUITES,
	    .match = suites,
	    .nmatch = N(suites),
	    .other = I,
	    .worst_ok = G },
	{ .id = "bsi.ciphers.anonymous",
	    .text = "no suite without server authentication is accepted",
	    .source = TR02 ", chapter 3 (cipher suites)",
	    .level = PL_REQUIRED,
	    .fact = PF_SUITES_ANON,
	    .match = no_anon,
	    .nmatch = N(no_anon),
	    .other = I,
	    .worst_ok = G },
	{ .id = "bsi.groups",
	    .text = "key exchange groups: secp256r1, secp384r1, secp521r1, "
	            "Brainpool, or ffdhe3072 and larger",
	    .source = TR02 ", chapter 3 (domain parameters)",
	    .level = PL_REQUIRED,
	    .fact = PF_GROUPS,
	    .match = groups,
	    .nmatch = N(groups),
	    .other = I,
	    .worst_ok = G },
	{ .id = "bsi.dhe",
	    .text = "finite-field DHE uses at least 3000 bits",
	    .source = TR02 ", chapter 3; BSI TR-02102-1 (key lengths)",
	    .level = PL_REQUIRED,
	    .fact = PF_DHE,
	    .other = I,
	    .bits = { 3000, 3000, TIER_GOOD },
	    .worst_ok = G },
	{ .id = "bsi.cert-key",
	    .text = "certificate key: RSA or DSA of at least 3000 bits, or "
	            "ECDSA on a NIST or Brainpool curve of 256 bits or more",
	    .source = TR02 ", chapter 3; BSI TR-02102-1 (key lengths)",
	    .level = PL_REQUIRED,
	    .fact = PF_CERT_KEY,
	    .match = cert_key,
	    .nmatch = N(cert_key),
	    .other = I,
	    .bits = { 3000, 3000, TIER_GOOD },
	    .worst_ok = G },
	{ .id = "bsi.cert-signature",
	    .text = "certificates are signed with SHA-256, SHA-384 or SHA-512",
	    .source = TR02 ", chapter 3; BSI TR-02102-1 (hash functions)",
	    .level = PL_REQUIRED,
	    .fact = PF_CERT_SIG,
	    .match = cert_sig,
	    .nmatch = N(cert_sig),
	    .other = I,
	    .worst_ok = G },
	{ .id = "bsi.renegotiation.secure",
	    .text = "renegotiation only with RFC 5746 renegotiation_info",
	    .source = TR02 ", chapter 3 (renegotiation)",
	    .level = PL_REQUIRED,
	    .fact = PF_RENEG_SECURE,
	    .match = yes,
	    .nmatch = N(yes),
	    .other = I,
	    .worst_ok = G },
	{ .id = "bsi.compression",
	    .text = "no TLS compression",
	    .source = TR02 ", chapter 3 (compression)",
	    .level = PL_REQUIRED,
	    .fact = PF_COMPRESSION,
	    .match = off,
	    .nmatch = N(off),
	    .other = I,
	    .worst_ok = G },
	{ .id = "bsi.ems",
	    .text = "the extended master secret extension (RFC 7627)",
	    .source = TR02 ", chapter 3 (extensions)",
	    .level = PL_RECOMMENDED,
	    .fact = PF_EMS,
	    .match = yes,
	    .nmatch = N(yes),
	    .other = I,
	    .worst_ok = G },
};

const struct profile profile_bsi = {
	.name = "bsi-tr-03108",
	.title = "BSI TR-03108-1 secure e-mail transport (DANE, TLS 1.2+, "
	         "TR-02102-2 cryptography)",
	.document = "BSI TR-03108-1 Secure E-Mail Transport, version 1.0.1; "
	            "BSI TR-02102-2, version 2023-01",
	.note = NULL,
	.tiered = false,
	.reqs = reqs,
	.nreqs = N(reqs),
};
