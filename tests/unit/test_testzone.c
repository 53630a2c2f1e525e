/*
 * test_testzone.c - the sender test's zone: the name rule, the records of
 * each scenario, the signing, and the answers, checked with ldns's own
 * verifier (signatures and NSEC denial) on the answers' wire form.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ldns/ldns.h>

#include "testzone.h"
#include "unit.h"

#define ZONE "st.lab.test"
#define LONG50 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define SPKI_A                                                                 \
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define SPKI_B                                                                 \
	"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"

static const char *const smtp[] = { "127.10.19.25", "::1" };
/* dane-ok (3) and dane-sts (9) show B, dane-lookup-fails (5) A */
static const char *const spki[] = { "", SPKI_B, SPKI_A, SPKI_B, SPKI_A, SPKI_A,
	SPKI_B, SPKI_A, SPKI_B, SPKI_B };
static const struct tz_params params = { ZONE, "127.10.19.53", "127.10.19.44",
	smtp, 2, spki, "20261206", NULL };

static void
names(void)
{
	static const struct {
		const char *name;
		int ok;
	} rows[] = {
		{ "st.lab.test", 1 },
		{ "a-b.example", 1 },
		{ "example", 0 },
		{ "st.lab.test.", 0 },
		{ "St.lab.test", 0 },
		{ "st..test", 0 },
		{ "-st.test", 1 }, /* ascii.h's rule allows it; so do MTAs */
		{ "st test.example", 0 },
		{ "", 0 },
	};
	char big[260];
	const char *why = NULL;

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		unit_eq_long(rows[i].name, rows[i].ok,
		    testzone_name_ok(rows[i].name, &why));
	memset(big, 'a', sizeof(big));
	for (size_t i = 60; i < 250; i += 61)
		big[i] = '.';
	big[250] = '\0';
	unit_eq_long("250 octets", 0, testzone_name_ok(big, &why));
}

static void
records(void)
{
	char *r = NULL;
	struct tz_params bad = params;

	unit_eq_long("records", ST_OK, testzone_records(&params, &r));
	unit_eq_long("MX of dane-ok", 1,
	    r && strstr(r, "dane-ok." ZONE ". 60 IN MX 10 mx-dane-ok." ZONE
	                   ".\n") != NULL);
	unit_eq_long("TLSA of dane-ok names the untrusted key", 1,
	    r && strstr(r, "_25._tcp.mx-dane-ok." ZONE
	                   ". 60 IN TLSA 3 1 1 " SPKI_B "\n") != NULL);
	unit_eq_long("no TLSA for valid", 1,
	    r && strstr(r, "_25._tcp.mx-valid.") == NULL);
	unit_eq_long("second scenario on the second address", 1,
	    r && strstr(r, "mx-untrusted." ZONE ". 60 IN AAAA ::1\n") != NULL);
	unit_eq_long("STS record", 1,
	    r && strstr(r, "_mta-sts.sts-testing." ZONE
	                   ". 60 IN TXT \"v=STSv1; id=20261206\"") != NULL);
	free(r);
	static const char *const badspki[] = { "", "", "", "AAAA", "", "", "",
		"", "", "" };

	bad.spki = badspki;
	unit_eq_long("bad SPKI refused", ST_ERR_INVAL,
	    testzone_records(&bad, &r));
	bad = params;
	bad.sts_id = "a;b";
	unit_eq_long("bad id refused", ST_ERR_INVAL,
	    testzone_records(&bad, &r));
}

static void
policies(void)
{
	char *p =
	    testzone_sts_policy(&params, testzone_scenario("sts-unlisted"));

	unit_eq_str("unlisted policy",
	    "version: STSv1\r\nmode: enforce\r\nmx: mx.elsewhere.invalid"
	    "\r\nmax_age: 86400\r\n",
	    p ? p : "(null)");
	free(p);
	p = testzone_sts_policy(&params, testzone_scenario("sts-testing"));
	unit_eq_long("testing policy lists its MX", 1,
	    p &&
	        strstr(p, "mode: testing\r\nmx: mx-sts-testing." ZONE) != NULL);
	free(p);
	unit_eq_long("no policy for valid", 1,
	    testzone_sts_policy(&params, testzone_scenario("valid")) == NULL);
}

/* ask - the parsed answer to (name, type), with EDNS size edns (0: no
 * EDNS) and DO */
static ldns_pkt *
ask(const struct tz_signed *z, const char *name, ldns_rr_type type,
    unsigned edns, bool dnssec)
{
	ldns_pkt *q = NULL, *a = NULL;
	uint8_t *w = NULL;
	unsigned char *out = NULL;
	size_t n = 0, outlen = 0;

	if (ldns_pkt_query_new_frm_str(&q, name, type, LDNS_RR_CLASS_IN,
	        LDNS_RD) != LDNS_STATUS_OK)
		return NULL;
	if (edns) {
		ldns_pkt_set_edns_udp_size(q, (uint16_t)edns);
		ldns_pkt_set_edns_do(q, dnssec);
	}
	if (ldns_pkt2wire(&w, q, &n) == LDNS_STATUS_OK &&
	    testzone_answer(z, w, n, false, &out, &outlen) == ST_OK)
		(void)ldns_wire2pkt(&a, out, outlen);
	free(w);
	free(out);
	ldns_pkt_free(q);
	return a;
}

/* rcode - the answer's rcode, -1 without an answer */
static long
rcode(const ldns_pkt *a)
{
	return a != NULL ? (long)ldns_pkt_get_rcode(a) : -1;
}

/* verified - whether every RRset of type t in section s verifies with
 * the zone's key */
static bool
verified(const ldns_pkt *a, ldns_pkt_section s, ldns_rr_type t,
    const ldns_rr_list *keys)
{
	ldns_rr_list *set = ldns_pkt_rr_list_by_type(a, t, s);
	ldns_rr_list *sig = ldns_pkt_rr_list_by_type(a, LDNS_RR_TYPE_RRSIG, s);
	ldns_rr_list *mine = ldns_rr_list_new();
	bool ok = false;

	/* Only the signatures over type t. */
	for (size_t i = 0; sig && i < ldns_rr_list_rr_count(sig); i++) {
		ldns_rr *r = ldns_rr_list_rr(sig, i);

		if (ldns_rdf2rr_type(ldns_rr_rrsig_typecovered(r)) == t)
			ldns_rr_list_push_rr(mine, r);
	}
	if (set != NULL && ldns_rr_list_rr_count(mine) > 0)
		ok = ldns_verify(set, mine, keys, NULL) == LDNS_STATUS_OK;
	ldns_rr_list_deep_free(set);
	ldns_rr_list_deep_free(sig);
	ldns_rr_list_free(mine);
	return ok;
}

/* denied - ldns's own check that the NSEC records prove (name, type)
 * absent */
static bool
denied(const ldns_pkt *a, const char *name, ldns_rr_type type)
{
	ldns_rr_list *nsec = ldns_pkt_rr_list_by_type(a, LDNS_RR_TYPE_NSEC,
	    LDNS_SECTION_AUTHORITY);
	ldns_rr_list *sig = ldns_pkt_rr_list_by_type(a, LDNS_RR_TYPE_RRSIG,
	    LDNS_SECTION_AUTHORITY);
	ldns_rr *q = ldns_rr_new();
	ldns_rdf *d = NULL;
	bool ok = false;

	if (q != NULL && nsec != NULL && sig != NULL &&
	    ldns_str2rdf_dname(&d, name) == LDNS_STATUS_OK) {
		ldns_rr_set_owner(q, d);
		ldns_rr_set_type(q, type);
		ok = ldns_dnssec_verify_denial(q, nsec, sig) == LDNS_STATUS_OK;
	}
	ldns_rr_free(q);
	ldns_rr_list_deep_free(nsec);
	ldns_rr_list_deep_free(sig);
	return ok;
}

static void
answers(const struct tz_signed *z, const ldns_rr_list *keys)
{
	ldns_pkt *a;

	a = ask(z, "valid." ZONE, LDNS_RR_TYPE_MX, 1232, true);
	unit_eq_long("MX: answered", 1, a != NULL);
	unit_eq_long("MX: NOERROR", LDNS_RCODE_NOERROR, rcode(a));
	unit_eq_long("MX: authoritative", 1, a && ldns_pkt_aa(a));
	unit_eq_long("MX: no AD from an authority", 0, a && ldns_pkt_ad(a));
	unit_eq_long("MX: signed", 1,
	    a && verified(a, LDNS_SECTION_ANSWER, LDNS_RR_TYPE_MX, keys));
	ldns_pkt_free(a);

	a = ask(z, "valid." ZONE, LDNS_RR_TYPE_MX, 1232, false);
	unit_eq_long("MX without DO: no RRSIG", 1,
	    a && ldns_pkt_ancount(a) == 1);
	ldns_pkt_free(a);

	a = ask(z, "_25._tcp.mx-dane-ok." ZONE, LDNS_RR_TYPE_TLSA, 1232, true);
	unit_eq_long("TLSA dane-ok: signed", 1,
	    a && verified(a, LDNS_SECTION_ANSWER, LDNS_RR_TYPE_TLSA, keys));
	ldns_pkt_free(a);

	a = ask(z, "_25._tcp.mx-dane-lookup-fails." ZONE, LDNS_RR_TYPE_TLSA,
	    1232, true);
	unit_eq_long("TLSA lookup-fails: present", 1,
	    a && ldns_pkt_ancount(a) == 2);
	unit_eq_long("TLSA lookup-fails: signature fails", 0,
	    a && verified(a, LDNS_SECTION_ANSWER, LDNS_RR_TYPE_TLSA, keys));
	ldns_pkt_free(a);

	a = ask(z, "nosuch.valid." ZONE, LDNS_RR_TYPE_A, 1232, true);
	unit_eq_long("NXDOMAIN", LDNS_RCODE_NXDOMAIN, rcode(a));
	unit_eq_long("NXDOMAIN: NSEC signed", 1,
	    a && verified(a, LDNS_SECTION_AUTHORITY, LDNS_RR_TYPE_NSEC, keys));
	unit_eq_long("NXDOMAIN: proven", 1,
	    a && denied(a, "nosuch.valid." ZONE ".", LDNS_RR_TYPE_A));
	ldns_pkt_free(a);

	a = ask(z, "_25._tcp.mx-valid." ZONE, LDNS_RR_TYPE_TLSA, 1232, true);
	unit_eq_long("no TLSA: NXDOMAIN", LDNS_RCODE_NXDOMAIN, rcode(a));
	unit_eq_long("no TLSA: proven", 1,
	    a && denied(a, "_25._tcp.mx-valid." ZONE ".", LDNS_RR_TYPE_TLSA));
	ldns_pkt_free(a);

	a = ask(z, "mx-valid." ZONE, LDNS_RR_TYPE_AAAA, 1232, true);
	unit_eq_long("NODATA: NOERROR", LDNS_RCODE_NOERROR, rcode(a));
	unit_eq_long("NODATA: no answer", 0,
	    a ? (long)ldns_pkt_ancount(a) : -1);
	unit_eq_long("NODATA: proven", 1,
	    a && denied(a, "mx-valid." ZONE ".", LDNS_RR_TYPE_AAAA));
	ldns_pkt_free(a);

	a = ask(z, "_tcp.mx-dane-ok." ZONE, LDNS_RR_TYPE_A, 1232, true);
	unit_eq_long("empty non-terminal: NOERROR", LDNS_RCODE_NOERROR,
	    rcode(a));
	unit_eq_long("empty non-terminal: proven", 1,
	    a && denied(a, "_tcp.mx-dane-ok." ZONE ".", LDNS_RR_TYPE_A));
	ldns_pkt_free(a);

	a = ask(z, "example.org", LDNS_RR_TYPE_A, 1232, true);
	unit_eq_long("outside: REFUSED", LDNS_RCODE_REFUSED, rcode(a));
	unit_eq_long("outside: not authoritative", 0, a && ldns_pkt_aa(a));
	ldns_pkt_free(a);

	a = ask(z, ZONE, LDNS_RR_TYPE_AXFR, 1232, false);
	unit_eq_long("AXFR: REFUSED", LDNS_RCODE_REFUSED, rcode(a));
	ldns_pkt_free(a);

	/* Two NSECs: zzz sorts last, "*" before the apex's children. */
	a = ask(z, "zzz." ZONE, LDNS_RR_TYPE_A, 1232, true);
	unit_eq_long("two NSECs: proven", 1,
	    a && denied(a, "zzz." ZONE ".", LDNS_RR_TYPE_A));
	unit_eq_long("two NSECs: 6 records", 6,
	    a ? (long)ldns_pkt_nscount(a) : -1);
	ldns_pkt_free(a);

	/* A long name makes the same denial pass 512 octets. */
	a = ask(z, LONG50 "." LONG50 "." LONG50 ".zzz." ZONE, LDNS_RR_TYPE_A,
	    512, true);
	unit_eq_long("over 512 with DO: TC", 1, a && ldns_pkt_tc(a));
	unit_eq_long("TC: no records", 0, a ? (long)ldns_pkt_nscount(a) : -1);
	ldns_pkt_free(a);
}

/* odd - input that is not one well-formed query */
static void
odd(const struct tz_signed *z)
{
	static const unsigned char junk[] = { 1, 2, 3, 4, 5 };
	/* id 7, QR set (a response), one question "." A IN */
	static const unsigned char resp[] = { 0, 7, 0x80, 0, 0, 1, 0, 0, 0, 0,
		0, 0, 0, 0, 1, 0, 1 };
	/* id 8, a query with no question */
	static const unsigned char none[] = { 0, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		0 };
	unsigned char *out = NULL;
	size_t n = 0;
	ldns_pkt *a = NULL;

	unit_eq_long("junk dropped", ST_ERR_PARSE,
	    testzone_answer(z, junk, sizeof(junk), false, &out, &n));
	unit_eq_long("response dropped", ST_ERR_PARSE,
	    testzone_answer(z, resp, sizeof(resp), false, &out, &n));
	unit_eq_long("no question answered", ST_OK,
	    testzone_answer(z, none, sizeof(none), false, &out, &n));
	if (out != NULL)
		(void)ldns_wire2pkt(&a, out, n);
	unit_eq_long("no question: FORMERR", LDNS_RCODE_FORMERR, rcode(a));
	unit_eq_long("no question: same id", 8, a ? ldns_pkt_id(a) : -1);
	ldns_pkt_free(a);
	free(out);
}

/* sign_with PATH: the DS of the zone signed with key file path, or the
 * error message (err) and NULL */
static char *
sign_with(const char *path, enum st_err *err, char *msg, size_t len)
{
	struct tz_params p = params;
	struct tz_signed *z = NULL;
	char *ds = NULL;

	p.key_file = path;
	msg[0] = '\0';
	*err = testzone_sign(&p, time(NULL), &z, msg, len);
	if (z != NULL)
		ds = strdup(testzone_ds(z));
	testzone_signed_free(z);
	return ds;
}

/* read_key_signs - a zone signed with the key read back from path has
 * answers whose signatures verify against its DNSKEY */
static void
read_key_signs(const char *path)
{
	struct tz_params p = params;
	struct tz_signed *z = NULL;
	ldns_rr_list *keys = ldns_rr_list_new();
	ldns_rr *k = NULL;
	ldns_pkt *a = NULL;
	char msg[256];

	p.key_file = path;
	if (testzone_sign(&p, time(NULL), &z, msg, sizeof(msg)) == ST_OK &&
	    ldns_rr_new_frm_str(&k, testzone_dnskey(z), 0, NULL, NULL) ==
	        LDNS_STATUS_OK)
		ldns_rr_list_push_rr(keys, k);
	if (z != NULL)
		a = ask(z, "valid." ZONE, LDNS_RR_TYPE_MX, 1232, true);
	unit_eq_long("key: read back, the answers verify", 1,
	    a != NULL &&
	        verified(a, LDNS_SECTION_ANSWER, LDNS_RR_TYPE_MX, keys));
	ldns_pkt_free(a);
	ldns_rr_list_deep_free(keys);
	testzone_signed_free(z);
}

/* key_file - a key file is made at the first run and read at the next
 * (the same DS); a file that holds no key, or cannot be made, is an
 * error that names it; a key is never written over */
static void
key_file(void)
{
	char dir[] = "/tmp/test_testzone.XXXXXX", path[64], msg[256];
	enum st_err err;
	char *ds1, *ds2, *ds3;
	struct stat st;
	FILE *f;

	if (mkdtemp(dir) == NULL) {
		unit_eq_str("key: mkdtemp", "", strerror(errno));
		return;
	}
	snprintf(path, sizeof(path), "%s/zone.key", dir);
	ds1 = sign_with(path, &err, msg, sizeof(msg));
	unit_eq_long("key: made", ST_OK, err);
	unit_eq_long("key: mode 0600", 0600,
	    stat(path, &st) == 0 ? (long)(st.st_mode & 0777) : -1L);
	ds2 = sign_with(path, &err, msg, sizeof(msg));
	unit_eq_long("key: read", ST_OK, err);
	read_key_signs(path);
	unit_eq_long("key: same DS at the next run", 1,
	    ds1 != NULL && ds2 != NULL && strcmp(ds1, ds2) == 0);
	ds3 = sign_with(NULL, &err, msg, sizeof(msg));
	unit_eq_long("key: none given, a fresh key", 1,
	    ds1 != NULL && ds3 != NULL && strcmp(ds1, ds3) != 0);
	if ((f = fopen(path, "w")) != NULL) {
		fputs(
		    "Private-key-format: v1.2\nAlgorithm: 13 (ECDSAP256SHA256)\n"
		    "PrivateKey: !!!!\n",
		    f);
		fclose(f);
	}
	free(sign_with(path, &err, msg, sizeof(msg)));
	unit_eq_long("key: garbage is a parse error", ST_ERR_PARSE, err);
	unit_eq_long("key: the message names the file", 1,
	    strstr(msg, path) != NULL);
	unlink(path);
	snprintf(path, sizeof(path), "%s/no/such/dir", dir);
	free(sign_with(path, &err, msg, sizeof(msg)));
	unit_eq_long("key: cannot be made: IO", ST_ERR_IO, err);
	rmdir(dir);
	free(ds1);
	free(ds2);
	free(ds3);
}

int
main(void)
{
	struct tz_signed *z = NULL;
	char err[256] = "";
	ldns_rr_list *keys = ldns_rr_list_new();
	ldns_rr *k = NULL;

	names();
	records();
	policies();
	key_file();
	unit_eq_long("sign", ST_OK,
	    testzone_sign(&params, time(NULL), &z, err, sizeof(err)));
	if (z == NULL) {
		unit_eq_str("sign error", "", err);
		return unit_exit();
	}
	unit_eq_long("DS names the zone", 1,
	    strncmp(testzone_ds(z), ZONE ".\t", strlen(ZONE) + 2) == 0 &&
	        strstr(testzone_ds(z), "\tDS\t") != NULL);
	if (ldns_rr_new_frm_str(&k, testzone_dnskey(z), 0, NULL, NULL) ==
	    LDNS_STATUS_OK)
		ldns_rr_list_push_rr(keys, k);
	unit_eq_long("DNSKEY parses", 1, ldns_rr_list_rr_count(keys));
	answers(z, keys);
	odd(z);
	ldns_rr_list_deep_free(keys);
	testzone_signed_free(z);
	return unit_exit();
}
