/*
 * test_dnssec_path.c - the pure parts of --dnssec: mode names, the one line
 * that says which path validates and why, the names of what the validation
 * probe found, and trust-anchor files in the formats users have (Debian's
 * root.key with comments, a DS file) or must be told about.
 */
#include "probe_internal.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ldns/ldns.h>

#include "unit.h"

static void
test_modes(void)
{
	static const struct {
		const char *name;
		int mode;
	} rows[] = {
		{ "auto", PROBE_DNSSEC_AUTO },
		{ "resolver", PROBE_DNSSEC_RESOLVER },
		{ "local", PROBE_DNSSEC_LOCAL },
		{ "Auto", -1 },
		{ "", -1 },
		{ "localx", -1 },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char name[64];

		snprintf(name, sizeof(name), "dnssec parse '%s'", rows[i].name);
		unit_eq_long(name, rows[i].mode,
		    probe_dnssec_parse(rows[i].name));
		if (rows[i].mode >= 0) {
			snprintf(name, sizeof(name), "dnssec name %d",
			    rows[i].mode);
			unit_eq_str(name, rows[i].name,
			    probe_dnssec_name(rows[i].mode));
		}
	}
	unit_eq_str("dnssec name out of range", "?", probe_dnssec_name(7));
}

static void
test_reasons(void)
{
	static const struct {
		const char *name;
		enum probe_dnssec mode;
		enum dns_source src;
		const char *want;
	} rows[] = {
		{ "auto, the resolver validates", PROBE_DNSSEC_AUTO,
		    DNS_SRC_RESOLVER_AD,
		    "resolver 192.0.2.53 validates: its AD bit is used "
		    "(--dnssec auto)" },
		{ "auto, local", PROBE_DNSSEC_AUTO, DNS_SRC_LOCAL,
		    "validated locally from /a/root.key: resolver 192.0.2.53 "
		    "does not validate (no AD bit) (--dnssec auto)" },
		{ "resolver", PROBE_DNSSEC_RESOLVER, DNS_SRC_RESOLVER_AD,
		    "the AD bit of resolver 192.0.2.53 is used (--dnssec "
		    "resolver)" },
		{ "local", PROBE_DNSSEC_LOCAL, DNS_SRC_LOCAL,
		    "validated locally from /a/root.key (--dnssec local)" },
	};
	char out[400], small[24];

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		/* Only auto says why it did not keep the resolver. */
		bool local_auto = rows[i].mode == PROBE_DNSSEC_AUTO &&
		                  rows[i].src == DNS_SRC_LOCAL;

		probe_dnssec_reason(out, sizeof(out), rows[i].mode,
		    rows[i].src, "192.0.2.53", "/a/root.key",
		    local_auto ? "no AD bit" : "");
		unit_eq_str(rows[i].name, rows[i].want, out);
	}
	/* auto, and the resolver never answered: nothing to switch to. */
	probe_dnssec_reason(out, sizeof(out), PROBE_DNSSEC_AUTO,
	    DNS_SRC_RESOLVER_AD, "192.0.2.53", "/a/root.key", "timed out");
	unit_eq_str("auto, no answer",
	    "resolver 192.0.2.53 did not answer (timed out): nothing "
	    "validates (--dnssec auto)",
	    out);
	/* A short buffer truncates, terminated. */
	probe_dnssec_reason(small, sizeof(small), PROBE_DNSSEC_LOCAL,
	    DNS_SRC_LOCAL, "192.0.2.53", "/a/root.key", "");
	unit_eq_str("reason truncated", "validated locally from ", small);
}

static void
test_validation_names(void)
{
	unit_eq_str("validation ok", "ok", dns_validation_name(DNS_VALIDATION_OK));
	unit_eq_str("validation no-ad", "no-ad",
	    dns_validation_name(DNS_VALIDATION_NO_AD));
	unit_eq_str("validation no-rrsig", "no-rrsig",
	    dns_validation_name(DNS_VALIDATION_NO_RRSIG));
	unit_eq_str("validation failed", "failed",
	    dns_validation_name(DNS_VALIDATION_FAILED));
	unit_eq_str("validation out of range", "failed",
	    dns_validation_name(DNS_VALIDATION__COUNT));
}

/* anchor_case - write TEXT to a file, read it as a trust anchor */
static void
anchor_case(const char *name, const char *text, long want_err,
    long want_records)
{
	char path[] = "/tmp/smtptls-anchor-XXXXXX", msg[200], n[120];
	const char *srv[] = { "127.0.0.1" };
	struct dns_config cfg;
	long err;
	int fd = mkstemp(path);
	FILE *fp = fd >= 0 ? fdopen(fd, "w") : NULL;

	if (fp == NULL) {
		unit_report(0, name, "a temporary file", "mkstemp failed");
		return;
	}
	fputs(text, fp);
	fclose(fp);
	err = dns_config_init(&cfg, srv, 1, NULL, 1000, path, msg, sizeof(msg));
	unlink(path);
	unit_eq_long(name, want_err, err);
	snprintf(n, sizeof(n), "%s: records", name);
	unit_eq_long(n, want_records,
	    err == ST_OK ? (long)ldns_rr_list_rr_count(cfg.anchor) : 0);
	snprintf(n, sizeof(n), "%s: source", name);
	unit_eq_long(n, err == ST_OK ? DNS_SRC_LOCAL : DNS_SRC_RESOLVER_AD,
	    cfg.source);
	if (err == ST_OK)
		dns_config_release(&cfg);
}

static void
test_anchors(void)
{
	/* Debian's dns-root-data root.key: DNSKEY lines with a comment. */
	anchor_case("anchor root.key format",
	    ". IN DNSKEY 257 3 13 mQvEMyiCKzzv7cIUvz0FIo/MpGm4D7vZeL+LWsjD7HjR6z"
	    "Np/02MYM7lr/Z+072c8yvDZEMRM0R8dUIlY7ujdg== ;{id = 52199 (ksk)}\n"
	    ". IN DNSKEY 257 3 13 mQvEMyiCKzzv7cIUvz0FIo/MpGm4D7vZeL+LWsjD7HjR6z"
	    "Np/02MYM7lr/Z+072c8yvDZEMRM0R8dUIlY7ujdg== ; keytag 52199\n",
	    ST_OK, 2);
	anchor_case("anchor ds with comment lines",
	    "; the lab\n\nlab.test. 3600 IN DS 52883 13 2 "
	    "b7bd623dbb430adb73f980c1943d92d2e95e1d4240d7e71d929b0f4e9f68ee12\n",
	    ST_OK, 1);
	anchor_case("anchor empty", "; nothing here\n", ST_ERR_PARSE, 0);
	anchor_case("anchor garbage", "this is not a dnskey\n", ST_ERR_PARSE,
	    0);
	anchor_case("anchor two zones",
	    ". IN DS 20326 8 2 "
	    "e06d44b80b8f1d39a95c0b0d7c65d08458e880409bbc683457104237c7f8ec8d\n"
	    "test. IN DS 1 13 2 "
	    "e06d44b80b8f1d39a95c0b0d7c65d08458e880409bbc683457104237c7f8ec8d\n",
	    ST_ERR_PARSE, 0);
	anchor_case("anchor not ds or dnskey", ". IN NS a.root-servers.net.\n",
	    ST_ERR_PARSE, 0);
}

/* --dnssec auto settles early only on what the final answer will say
 * whatever the lookups still out return (probe_dnssec_finish's rule). */
static void
test_validates_early(void)
{
	struct probe_validation v;
	bool none[PROBE_VALIDATION_ANCESTORS] = { false, false, false };
	bool first[PROBE_VALIDATION_ANCESTORS] = { true, false, false };
	bool second[PROBE_VALIDATION_ANCESTORS] = { false, true, false };

	memset(&v, 0, sizeof(v));
	v.nanc = 2;
	v.answered = true;
	v.state = DNS_VALIDATION_OK;
	unit_eq_long("early: probe not back", 0,
	    probe_dnssec_validates(&v, false, none));
	unit_eq_long("early: probe back and validating", 1,
	    probe_dnssec_validates(&v, true, none));
	v.state = DNS_VALIDATION_NO_AD;
	unit_eq_long("early: no AD, ancestors out", 0,
	    probe_dnssec_validates(&v, true, none));
	v.anc[1].ad = true;
	unit_eq_long("early: AD on an ancestor still out", 0,
	    probe_dnssec_validates(&v, true, first));
	unit_eq_long("early: AD on an ancestor back", 1,
	    probe_dnssec_validates(&v, true, second));
	v.anc[1].err = ST_ERR_TIMEOUT;
	unit_eq_long("early: ancestor failed", 0,
	    probe_dnssec_validates(&v, true, second));
	v.anc[1].err = ST_OK;
	v.answered = false;
	unit_eq_long("early: resolver did not answer the probe", 0,
	    probe_dnssec_validates(&v, true, second));
	v.answered = true;
	unit_eq_long("early: AD on the probe not back", 0,
	    probe_dnssec_validates(&v, false, second));
}

int
main(void)
{
	test_modes();
	test_reasons();
	test_validation_names();
	test_anchors();
	test_validates_early();
	return unit_exit();
}
