/*
 * test_dns.c - the pure parts of src/dns.c: resolver address parsing and
 * the names of rcodes, types and DNSSEC statuses, and how TXT records become
 * text and octets (dns_rr.c). Lookups themselves are tested against the
 * lab (tests/integration/20-dns.sh).
 */
#include "dns.h"

#include <stdio.h>
#include <string.h>

#include <ldns/ldns.h>

#include "dns_int.h"
#include "unit.h"

#include "banned.h"

static const struct {
	const char *name;
	const char *spec;
	enum st_err err;
	const char *addr; /* expected canonical address */
	unsigned port;
} servers[] = {
    {"v4", "127.10.0.2", ST_OK, "127.10.0.2", 53},
    {"v4 port", "127.10.0.2:5353", ST_OK, "127.10.0.2", 5353},
    {"v6 bare", "::1", ST_OK, "::1", 53},
    {"v6 bracket", "[2001:DB8:0:0::53]", ST_OK, "2001:db8::53", 53},
    {"v6 bracket port", "[2001:db8::53]:5300", ST_OK, "2001:db8::53", 5300},
    {"name", "localhost", ST_ERR_INVAL, NULL, 0},
    {"v4 bad octet", "300.1.1.1", ST_ERR_INVAL, NULL, 0},
    {"empty port", "127.0.0.1:", ST_ERR_INVAL, NULL, 0},
    {"port zero", "127.0.0.1:0", ST_ERR_INVAL, NULL, 0},
    {"port too big", "127.0.0.1:65536", ST_ERR_INVAL, NULL, 0},
    {"port sign", "127.0.0.1:+53", ST_ERR_INVAL, NULL, 0},
    {"port junk", "127.0.0.1:53x", ST_ERR_INVAL, NULL, 0},
    {"bracket open", "[::1", ST_ERR_INVAL, NULL, 0},
    {"bracket junk", "[::1]x", ST_ERR_INVAL, NULL, 0},
    {"bracket v4", "[127.0.0.1]:53", ST_ERR_INVAL, NULL, 0},
    {"empty", "", ST_ERR_INVAL, NULL, 0},
};

static void
test_servers(void)
{
	struct dns_config cfg;
	char errmsg[160], name[80], want[200];
	const char *spec;
	enum st_err err;
	size_t i;

	for (i = 0; i < sizeof(servers) / sizeof(servers[0]); i++) {
		spec = servers[i].spec;
		err = dns_config_init(&cfg, &spec, 1, NULL, 1000, NULL, errmsg,
		                      sizeof(errmsg));
		snprintf(name, sizeof(name), "dns server %s", servers[i].name);
		unit_eq_long(name, servers[i].err, err);
		if (err == ST_OK && servers[i].err == ST_OK) {
			snprintf(name, sizeof(name), "dns server %s addr",
			         servers[i].name);
			unit_eq_str(name, servers[i].addr, cfg.servers[0].addr);
			snprintf(name, sizeof(name), "dns server %s port",
			         servers[i].name);
			unit_eq_long(name, servers[i].port,
			             cfg.servers[0].port);
		} else if (err != ST_OK) {
			snprintf(name, sizeof(name), "dns server %s message",
			         servers[i].name);
			snprintf(want, sizeof(want),
			         "invalid resolver address '%s'", spec);
			unit_eq_str(name, want, errmsg);
		}
		dns_config_release(&cfg);
	}
}

static void
test_limits(void)
{
	const char *five[] = {"127.0.0.1", "127.0.0.2", "127.0.0.3",
	                      "127.0.0.4", "127.0.0.5"};
	struct dns_config cfg;
	char errmsg[160];

	unit_eq_long(
	    "dns five servers refused", ST_ERR_INVAL,
	    dns_config_init(&cfg, five, 5, NULL, 1000, NULL, errmsg, sizeof(errmsg)));
	unit_eq_long(
	    "dns four servers", ST_OK,
	    dns_config_init(&cfg, five, 4, NULL, 1000, NULL, errmsg, sizeof(errmsg)));
	unit_eq_long("dns four servers count", 4, (long)cfg.nservers);
	unit_eq_long("dns no anchor means resolver ad", DNS_SRC_RESOLVER_AD,
	             cfg.source);
	dns_config_release(&cfg);
	unit_eq_long("dns missing anchor", ST_ERR_IO,
	             dns_config_init(&cfg, five, 1, NULL, 1000,
	                             "/nonexistent/anchor.ds", errmsg,
	                             sizeof(errmsg)));
	dns_config_release(&cfg);
}

static void
test_names(void)
{
	unit_eq_str("dns rcode 0", "NOERROR", dns_rcode_name(0));
	unit_eq_str("dns rcode 2", "SERVFAIL", dns_rcode_name(2));
	unit_eq_str("dns rcode 3", "NXDOMAIN", dns_rcode_name(3));
	unit_eq_str("dns rcode 5", "REFUSED", dns_rcode_name(5));
	unit_eq_str("dns rcode none", NULL, dns_rcode_name(-1));
	unit_eq_str("dns type mx", "MX", dns_type_name(15));
	unit_eq_str("dns type tlsa", "TLSA", dns_type_name(52));
	unit_eq_str("dns type aaaa", "AAAA", dns_type_name(28));
	unit_eq_str("dns dnssec secure", "secure",
	            dns_dnssec_name(DNSSEC_SECURE));
	unit_eq_str("dns dnssec unchecked", "unchecked",
	            dns_dnssec_name(DNSSEC_UNCHECKED));
	unit_eq_str("dns dnssec indeterminate", "indeterminate",
	            dns_dnssec_name(DNSSEC_INDETERMINATE));
}

/*
 * TXT rdata in zone-file syntax; the raw octets the record parsers get
 * (tab, non-ASCII, backslash, NUL kept as they are on the wire) and the
 * escaped text the report shows. The second string of a record follows
 * the first without a separator (RFC 7208 3.3 style concatenation).
 */
static const struct {
	const char *name;
	const char *rdata;
	const char *raw;
	size_t raw_len;
	const char *text;
} txts[] = {
    {"tab", "\"v=STSv1;\\009id=a\"", "v=STSv1;\tid=a", 13,
     "v=STSv1;\\009id=a"},
    {"non-ASCII", "\"v=STSv1; id=a; x=\\195\\169\"",
     "v=STSv1; id=a; x=\xc3\xa9", 19, "v=STSv1; id=a; x=\\195\\169"},
    {"backslash", "\"x=a\\\\b\"", "x=a\\b", 5, "x=a\\\\b"},
    {"NUL", "\"a\\000b\"", "a\0b", 3, "a\\000b"},
    {"strings joined", "\"v=TLSRPTv1; \" \"rua=mailto:a@b.example\"",
     "v=TLSRPTv1; rua=mailto:a@b.example", 34,
     "v=TLSRPTv1; rua=mailto:a@b.example"},
    {"empty string", "\"\"", "", 0, ""},
};

static void
test_txt(void)
{
	char name[120], rr[200];
	size_t i;

	for (i = 0; i < sizeof(txts) / sizeof(txts[0]); i++) {
		struct dns_answer ans = {.type = LDNS_RR_TYPE_TXT, .ttl = -1};
		ldns_rr_list *l = ldns_rr_list_new();
		ldns_rr *r = NULL;
		bool ok;

		snprintf(rr, sizeof(rr), "t.test. 300 IN TXT %s", txts[i].rdata);
		ok = l != NULL &&
		    ldns_rr_new_frm_str(&r, rr, 0, NULL, NULL) == LDNS_STATUS_OK &&
		    ldns_rr_list_push_rr(l, r);
		snprintf(name, sizeof(name), "dns txt %s: fill", txts[i].name);
		unit_eq_long(name, ST_OK, ok ? (long)dns_rr_fill(&ans, l) : -1);
		snprintf(name, sizeof(name), "dns txt %s: text", txts[i].name);
		unit_eq_str(name, txts[i].text, ans.ntext ? ans.text[0] : NULL);
		snprintf(name, sizeof(name), "dns txt %s: octets", txts[i].name);
		unit_eq_long(name, 1, ans.ntext == 1 && ans.txt != NULL &&
		    ans.txt_len[0] == txts[i].raw_len &&
		    memcmp(ans.txt[0], txts[i].raw, txts[i].raw_len + 1) == 0);
		dns_answer_release(&ans);
		if (l != NULL)
			ldns_rr_list_deep_free(l);
		else
			ldns_rr_free(r);
	}
}

/* Records sorted by their text keep their octets beside them. */
static void
test_txt_order(void)
{
	static const char *const in[] = {
	    "t.test. 300 IN TXT \"v=STSv1;\\009id=b\"",
	    "t.test. 300 IN TXT \"v=STSv1; id=a\"",
	};
	struct dns_answer ans = {.type = LDNS_RR_TYPE_TXT, .ttl = -1};
	ldns_rr_list *l = ldns_rr_list_new();
	ldns_rr *r;
	bool ok = l != NULL;
	size_t i;

	for (i = 0; ok && i < 2; i++) {
		r = NULL;
		ok = ldns_rr_new_frm_str(&r, in[i], 0, NULL, NULL) ==
		    LDNS_STATUS_OK && ldns_rr_list_push_rr(l, r);
		if (!ok)
			ldns_rr_free(r);
	}
	unit_eq_long("dns txt order: fill", ST_OK,
	    ok ? (long)dns_rr_fill(&ans, l) : -1);
	unit_eq_long("dns txt order: count", 2, (long)ans.ntext);
	if (ans.ntext == 2) {
		unit_eq_str("dns txt order: first text", "v=STSv1; id=a",
		    ans.text[0]);
		unit_eq_str("dns txt order: first octets", "v=STSv1; id=a",
		    ans.txt[0]);
		unit_eq_str("dns txt order: second octets", "v=STSv1;\tid=b",
		    ans.txt[1]);
	}
	dns_answer_release(&ans);
	ldns_rr_list_deep_free(l);
}

int
main(void)
{
	test_servers();
	test_limits();
	test_names();
	test_txt();
	test_txt_order();
	return unit_exit();
}
