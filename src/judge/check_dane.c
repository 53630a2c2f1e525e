/*
 * check_dane.c - DANE findings (checks.md 6) from the TLSA lookups and the
 * outcome of OpenSSL's DANE verifier that session.c read after each
 * handshake. Nothing here matches records by hand.
 */
#include "judge.h"

#include <stdio.h>
#include <string.h>

#include <ldns/ldns.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "check_data.h"

#include "banned.h"

/* tlsa_usable - RFC 7672 3.1.3 and the data form of checks.md 6 */
static const char *
tlsa_unusable_reason(const struct dns_tlsa *t)
{
	if (t->usage < 2)
		return "usages 0 and 1 are unusable for SMTP (RFC 7672 3.1.3)";
	if (t->usage > 3)
		return "unknown usage";
	if (t->selector > 1)
		return "unknown selector";
	if (t->mtype > 2)
		return "unknown matching type";
	if (t->mtype == 1 && t->len != 32)
		return "SHA2-256 data is not 32 octets";
	if (t->mtype == 2 && t->len != 64)
		return "SHA2-512 data is not 64 octets";
	return NULL;
}

static enum check_status
addr_status(const struct probe_result *r, const struct probe_mx *m)
{
	const struct check_result *c =
	    check_find(&r->checks, CK_DNS_MX_ADDR_DNSSEC, m->name, NULL);

	return c != NULL ? c->status : CHECK_SKIP;
}

static void
mx_skip(struct probe_result *r, const struct probe_mx *m, enum check_id id,
    const char *why)
{
	check_add(&r->checks, id, CHECK_SKIP, NULL, m->name, NULL, m->order,
	    NULL, "not evaluated: %s", why);
}

/* The DNSSEC facts that decide whether the TLSA lookup counts at all. */
enum dane_gate {
	GATE_ADDR,    /* the address records are secure */
	GATE_ALIAS,   /* insecure, but the MX host name's CNAME is secure */
	GATE_CLOSED,  /* DANE does not apply (skip) */
	GATE_UNKNOWN, /* the CNAME query timed out or was indeterminate */
	GATE_BROKEN,  /* the CNAME query failed otherwise (fail) */
};

/*
 * dane_gate - RFC 7672 2.2.2: TLSA records are looked for when the address
 * records are secure, and also ("Insecure CNAME") when they are insecure
 * at the end of a CNAME chain whose first CNAME is secure; the MX host name
 * then stays the TLSA base domain. Like a failed TLSA lookup, a failed
 * query for that CNAME makes DANE senders defer (Postfix does).
 */
static enum dane_gate
dane_gate(const struct probe_result *r, const struct probe_mx *m)
{
	const struct dns_answer *c = &m->alias;
	enum check_status st = addr_status(r, m);

	if (st == CHECK_PASS)
		return GATE_ADDR;
	if (st != CHECK_WARN)
		return GATE_CLOSED;
	if (probe_mx_secure_cname(m))
		return GATE_ALIAS;
	if (!m->have_alias)
		return GATE_CLOSED;
	if (c->err == ST_ERR_TIMEOUT ||
	    (c->err == ST_OK && c->dnssec == DNSSEC_INDETERMINATE))
		return GATE_UNKNOWN;
	if (c->err != ST_OK || c->dnssec == DNSSEC_BOGUS || c->ntext == 0)
		return GATE_BROKEN;
	return GATE_CLOSED;
}

/* gate_failed - dane.tlsa.lookup when the alias's own status is unknown */
static void
gate_failed(struct probe_result *r, const struct probe_mx *m, enum dane_gate g)
{
	const struct dns_answer *c = &m->alias;
	const char *rc = dns_rcode_name(c->rcode);
	struct check_result *cr;

	cr = check_add(&r->checks, CK_DANE_TLSA_LOOKUP,
	    g == GATE_UNKNOWN ? CHECK_ERROR : CHECK_FAIL, NULL, m->name, NULL,
	    m->order, NULL,
	    "the address records of %s are insecure and the DNSSEC status of "
	    "its CNAME is unknown (%s): %s",
	    m->name,
	    c->err == ST_ERR_TIMEOUT ? "timeout"
	    : c->err != ST_OK        ? (rc ? rc : "no answer")
	    : c->dnssec != DNSSEC_SECURE && c->dnssec != DNSSEC_INSECURE
	        ? dns_dnssec_name(c->dnssec)
	        : "no longer a CNAME",
	    g == GATE_UNKNOWN ? "whether DANE applies is not known"
	                      : "DANE senders defer mail to "
	                        "this host (RFC 7672 2.1.1)");
	if (cr && g == GATE_BROKEN)
		cr->tlsrpt = "dnssec-invalid";
}

/* lookup_failed - a TLSA lookup that timed out, or failed (bogus, an
 * error, an rcode but NOERROR and NXDOMAIN: DANE senders defer), as the
 * lookup check; false when there is an answer to judge */
static bool
lookup_failed(struct probe_result *r, const struct probe_mx *m,
    struct check_data *d)
{
	const struct dns_answer *a = &m->tlsa;
	const char *rc = dns_rcode_name(a->rcode);
	struct check_result *cr;

	if (a->err == ST_ERR_TIMEOUT) {
		check_add(&r->checks, CK_DANE_TLSA_LOOKUP, CHECK_ERROR, NULL,
		    m->name, NULL, m->order, d, "TLSA lookup timed out");
		return true;
	}
	if (a->dnssec != DNSSEC_BOGUS && a->err == ST_OK &&
	    (a->rcode == LDNS_RCODE_NOERROR || a->rcode == LDNS_RCODE_NXDOMAIN))
		return false;
	cr = check_add(&r->checks, CK_DANE_TLSA_LOOKUP, CHECK_FAIL, NULL,
	    m->name, NULL, m->order, d,
	    "TLSA lookup for %s failed (%s%s%s): DANE senders "
	    "defer mail to this host",
	    a->name,
	    a->dnssec == DNSSEC_BOGUS ? "bogus"
	    : rc                      ? rc
	                              : "no answer",
	    a->errmsg[0] ? ", " : "", a->errmsg);
	if (cr)
		cr->tlsrpt = "dnssec-invalid";
	return true;
}

/* check_lookup - returns the number of usable records (0 if none) */
static size_t
check_lookup(struct probe_result *r, struct probe_mx *m, bool *secure)
{
	const struct dns_answer *a = &m->tlsa;
	struct check_data *d;
	size_t usable = 0, i;
	enum dane_gate g = dane_gate(r, m);

	*secure = false;
	if (g == GATE_CLOSED) {
		mx_skip(r, m, CK_DANE_TLSA_LOOKUP,
		    "dns.mx.addr.dnssec did not pass "
		    "and the host name is not a secure alias");
		return 0;
	}
	if (g == GATE_UNKNOWN || g == GATE_BROKEN) {
		gate_failed(r, m, g);
		return 0;
	}
	if ((d = check_data_new(&r->checks, CD_DANE_LOOKUP)) != NULL) {
		d->u.dane_lookup.a = a;
		d->u.dane_lookup.base = m->tlsa_base ? m->tlsa_base : m->name;
	}
	if (lookup_failed(r, m, d))
		return 0;
	if (a->ntlsa == 0) {
		check_add(&r->checks, CK_DANE_TLSA_LOOKUP, CHECK_INFO, NULL,
		    m->name, NULL, m->order, d,
		    "no TLSA records at %s: the host does not use DANE",
		    a->name);
		return 0;
	}
	if (a->dnssec != DNSSEC_SECURE) {
		check_add(&r->checks, CK_DANE_TLSA_LOOKUP, CHECK_WARN, NULL,
		    m->name, NULL, m->order, d,
		    "%zu TLSA record%s at %s, but the answer is %s: senders "
		    "ignore them",
		    a->ntlsa, a->ntlsa == 1 ? "" : "s", a->name,
		    dns_dnssec_name(a->dnssec));
		return 0;
	}
	*secure = true;
	check_add(&r->checks, CK_DANE_TLSA_LOOKUP, CHECK_PASS, NULL, m->name,
	    NULL, m->order, d, "%zu secure TLSA record%s at %s%s", a->ntlsa,
	    a->ntlsa == 1 ? "" : "s", a->name,
	    g == GATE_ALIAS
	        ? " (the address "
	          "records are insecure, the CNAME of the MX host name is secure: "
	          "RFC 7672 2.2.2)"
	        : "");
	for (i = 0; i < a->ntlsa; i++)
		usable += tlsa_unusable_reason(&a->tlsa[i]) == NULL;
	return usable;
}

/* check_params - whether the records take the forms RFC 7672 recommends */
static void
check_params(struct probe_result *r, const struct probe_mx *m)
{
	const struct dns_answer *a = &m->tlsa;
	size_t pkix = 0, odd = 0;

	for (size_t i = 0; i < a->ntlsa; i++) {
		const struct dns_tlsa *t = &a->tlsa[i];

		if (t->usage < 2)
			pkix++;
		if (tlsa_unusable_reason(t) != NULL)
			continue;
		if (!((t->usage == 3 && t->selector == 1 &&
		          (t->mtype == 1 || t->mtype == 2)) ||
		        (t->usage == 3 && t->selector == 0 && t->mtype == 1) ||
		        (t->usage == 2 && t->selector == 0 &&
		            (t->mtype == 1 || t->mtype == 2))))
			odd++;
	}
	check_add(&r->checks, CK_DANE_TLSA_PARAMS,
	    pkix  ? CHECK_WARN
	    : odd ? CHECK_INFO
	          : CHECK_PASS,
	    NULL, m->name, NULL, m->order, NULL,
	    pkix
	        ? "PKIX-TA(0) or PKIX-EE(1) records published (RFC 7672 3.1.3 says not to)"
	    : odd
	        ? "usable records in less common forms (e.g. 2 1 x or Full data)"
	        : "every usable record has a recommended form");
}

/* check_rollover - whether the usable records survive a server key
 * change: two different DANE-EE records, or DANE-TA ones */
static void
check_rollover(struct probe_result *r, const struct probe_mx *m)
{
	const struct dns_answer *a = &m->tlsa;
	const struct dns_tlsa *first_ee = NULL;
	size_t ee = 0, ta = 0;
	bool ee_differ = false;

	for (size_t i = 0; i < a->ntlsa; i++) {
		const struct dns_tlsa *t = &a->tlsa[i];

		if (tlsa_unusable_reason(t) != NULL)
			continue;
		if (t->usage != 3) {
			ta++;
			continue;
		}
		ee++;
		if (first_ee == NULL)
			first_ee = t;
		else if (first_ee->len != t->len ||
		         memcmp(first_ee->data, t->data, t->len) != 0)
			ee_differ = true;
	}
	check_add(&r->checks, CK_DANE_ROLLOVER,
	    (ee >= 2 && ee_differ) || (ee && ta) || (ta && !ee) ? CHECK_PASS
	                                                        : CHECK_WARN,
	    NULL, m->name, NULL, m->order, NULL,
	    (ee >= 2 && ee_differ) ? "current and next DANE-EE keys published"
	    : (ee && ta)           ? "DANE-EE and DANE-TA records published"
	    : (ta && !ee)
	        ? "only DANE-TA records: a server key change keeps working"
	        : "a lone DANE-EE record: a key change breaks DANE delivery unless a new "
	          "TLSA record is published first");
}

static void
check_usable_params(struct probe_result *r, struct probe_mx *m, size_t usable)
{
	const struct dns_answer *a = &m->tlsa;
	struct check_result *cr;

	cr = check_add(&r->checks, CK_DANE_TLSA_USABLE,
	    usable == a->ntlsa ? CHECK_PASS
	    : usable           ? CHECK_WARN
	                       : CHECK_FAIL,
	    NULL, m->name, NULL, m->order, NULL,
	    "%zu of %zu TLSA records usable%s", usable, a->ntlsa,
	    usable ? ""
	           : ": DANE senders insist on TLS but authenticate nothing");
	if (cr && usable < a->ntlsa)
		cr->tlsrpt = "tlsa-invalid";
	check_params(r, m);
	if (usable == 0)
		mx_skip(r, m, CK_DANE_ROLLOVER, "no usable records");
	else
		check_rollover(r, m);
}

/* digest_matches - a SHA-256 TLSA record (x 0 1, x 1 1) against the
 * summary's lowercase hex digests */
static bool
digest_matches(const struct dns_tlsa *t, const struct cert_summary *c)
{
	const char *hex = t->selector == 0 ? c->sha256_hex : c->spki_sha256_hex;
	static const char digits[] = "0123456789abcdef";

	if (t->len != 32 || strlen(hex) != 64)
		return false;
	for (size_t i = 0; i < 32; i++)
		if (hex[2 * i] != digits[t->data[i] >> 4] ||
		    hex[2 * i + 1] != digits[t->data[i] & 0x0f])
			return false;
	return true;
}

/* cert_matches - whether TLSA record t matches certificate c. SHA-256
 * records (nearly all) compare with the summary's digests; the others
 * decode the PEM again (the summary keeps SHA-256 digests only): decoding
 * a certificate in OpenSSL 3.0 costs more than a handshake's signature
 * check, and the report asks this once per record and certificate. */
static bool
cert_matches(const struct dns_tlsa *t, const struct cert_summary *c)
{
	unsigned char md[EVP_MAX_MD_SIZE], *der = NULL;
	unsigned int mdlen = 0;
	int len = -1;
	bool ok = false;
	X509 *x = NULL;
	BIO *bio;

	if (t->mtype == 1 && t->selector <= 1)
		return digest_matches(t, c);
	if (c->pem == NULL || (bio = BIO_new_mem_buf(c->pem, -1)) == NULL)
		return false;
	x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	BIO_free(bio);
	if (x == NULL)
		return false;
	len = t->selector == 0 ? i2d_X509(x, &der)
	                       : i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x), &der);
	if (len <= 0)
		goto out;
	if (t->mtype == 0)
		ok = (size_t)len == t->len && memcmp(der, t->data, t->len) == 0;
	else if (EVP_Digest(der, (size_t)len, md, &mdlen,
	             t->mtype == 1 ? EVP_sha256() : EVP_sha512(), NULL))
		ok = mdlen == t->len && memcmp(md, t->data, t->len) == 0;
out:
	OPENSSL_free(der);
	X509_free(x);
	return ok;
}

/* dane_unmatched - the usable records that match nothing the server
 * presented: a DANE-EE record against the server certificate, a DANE-TA
 * record against any certificate sent (normal for a pre-published next
 * key, worth a look otherwise) */
void
dane_unmatched(const struct dns_answer *a, const struct tls_facts *t,
    struct dane_unmatched *out)
{
	out->n = 0;

	for (size_t i = 0; t->have_chain && i < a->ntlsa; i++) {
		const struct dns_tlsa *d = &a->tlsa[i];
		bool found = false;
		size_t top = d->usage == 3 ? 1 : t->chain.ncerts;

		if (tlsa_unusable_reason(d) != NULL)
			continue;
		for (size_t k = 0; k < top && k < t->chain.ncerts && !found;
		     k++)
			found = cert_matches(d, &t->chain.certs[k]);
		/* Answers keep at most DNS_RR_MAX records: out has room. */
		if (!found && out->n < DNS_RR_MAX) {
			out->v[out->n].usage = d->usage;
			out->v[out->n].selector = d->selector;
			out->v[out->n].mtype = d->mtype;
			out->n++;
		}
	}
}

static void
check_match(struct probe_result *r, const struct probe_addr *pa, size_t usable)
{
	const struct tls_facts *t = &pa->tls;
	struct check_result *cr;
	struct check_data *d;

	if (usable == 0) {
		check_add(&r->checks, CK_DANE_TLSA_MATCH, CHECK_SKIP, NULL,
		    pa->mx->name, pa->address, pa->order, NULL,
		    "not evaluated: no usable secure TLSA records for the host");
		return;
	}
	if (!t->established || !t->dane_checked) {
		check_add(&r->checks, CK_DANE_TLSA_MATCH, CHECK_SKIP, NULL,
		    pa->mx->name, pa->address, pa->order, NULL,
		    "not evaluated: no handshake");
		return;
	}
	if ((d = check_data_new(&r->checks, CD_DANE_MATCH)) != NULL) {
		d->u.dane_match.t = t;
		dane_unmatched(&pa->mx->tlsa, t, &d->u.dane_match.unmatched);
	}
	if (t->dane_verified) {
		check_add(&r->checks, CK_DANE_TLSA_MATCH, CHECK_PASS, NULL,
		    pa->mx->name, pa->address, pa->order, d,
		    "TLSA %d %d %d matched at depth %d", t->dane_usage,
		    t->dane_selector, t->dane_mtype, t->dane_depth);
		return;
	}
	cr = check_add(&r->checks, CK_DANE_TLSA_MATCH, CHECK_FAIL, NULL,
	    pa->mx->name, pa->address, pa->order, d,
	    "no usable TLSA record authenticates the "
	    "server (verify error %d: %s): DANE senders defer mail to this address",
	    t->dane_verify_code,
	    X509_verify_cert_error_string(t->dane_verify_code));
	if (cr)
		cr->tlsrpt = "validation-failure";
}

/* check_ta_presented - checks.md dane.ta.presented: the server must send
 * the certificate a DANE-TA record names (RFC 7672 3.1.2) */
static void
check_ta_presented(struct probe_result *r, const struct probe_addr *pa,
    const struct dns_answer *a, bool secure)
{
	const struct tls_facts *t = &pa->tls;
	size_t nta = 0, unmatched = 0, at_leaf = 0;

	for (size_t i = 0; secure && i < a->ntlsa; i++) {
		const struct dns_tlsa *rec = &a->tlsa[i];
		bool found = false;

		if (rec->usage != 2 || tlsa_unusable_reason(rec) != NULL)
			continue;
		nta++;
		for (size_t k = 0;
		     t->have_chain && k < t->chain.ncerts && !found; k++)
			if (cert_matches(rec, &t->chain.certs[k])) {
				found = true;
				at_leaf += k == 0;
			}
		unmatched += !found;
	}
	if (nta == 0 || !t->established || !t->have_chain) {
		check_add(&r->checks, CK_DANE_TA_PRESENTED, CHECK_SKIP, NULL,
		    pa->mx->name, pa->address, pa->order, NULL,
		    "not evaluated: %s",
		    nta == 0 ? "no usable DANE-TA records" : "no handshake");
		return;
	}
	check_add(&r->checks, CK_DANE_TA_PRESENTED,
	    unmatched ? CHECK_WARN
	    : at_leaf ? CHECK_INFO
	              : CHECK_PASS,
	    NULL, pa->mx->name, pa->address, pa->order, NULL,
	    unmatched
	        ? "%zu of %zu DANE-TA records match no certificate the server "
	          "sends: they can never authenticate it"
	    : at_leaf
	        ? "a DANE-TA record "
	          "matches the server certificate itself (a DANE-EE record says that more "
	          "directly)"
	        : "every DANE-TA record matches a certificate the server sends",
	    unmatched, nta);
}

void
check_dane_run(struct probe_result *r)
{
	size_t with = 0, without = 0, unknown = 0;

	for (size_t i = 0; i < r->nmx; i++) {
		struct probe_mx *m = &r->mx[i];
		bool secure = false;
		size_t usable;

		if (m->literal || !m->have_tlsa)
			continue;
		usable = check_lookup(r, m, &secure);
		if (!secure) {
			mx_skip(r, m, CK_DANE_TLSA_USABLE,
			    "dane.tlsa.lookup did not pass");
			mx_skip(r, m, CK_DANE_TLSA_PARAMS,
			    "dane.tlsa.lookup did not pass");
			mx_skip(r, m, CK_DANE_ROLLOVER,
			    "dane.tlsa.lookup did not pass");
		} else
			check_usable_params(r, m, usable);
		for (size_t k = 0; k < m->naddrs; k++) {
			check_match(r, &m->addrs[k], secure ? usable : 0);
			check_ta_presented(r, &m->addrs[k], &m->tlsa, secure);
		}
		if (secure && usable)
			with++;
		else if (m->tlsa.err == ST_ERR_TIMEOUT ||
		         dane_gate(r, m) == GATE_UNKNOWN)
			unknown++;
		else
			without++;
	}
	if (r->nmx == 0 || r->kind == TARGET_HOST)
		return;
	if (unknown)
		check_add(&r->checks, CK_DANE_MX_CONSISTENCY, CHECK_SKIP,
		    r->domain, NULL, NULL, 0, NULL,
		    "not evaluated: the DANE state of some host is unknown");
	else
		check_add(&r->checks, CK_DANE_MX_CONSISTENCY,
		    with && without ? CHECK_WARN : CHECK_PASS, r->domain, NULL,
		    NULL, 0, NULL,
		    with && without
		        ? "%zu of %zu MX hosts have usable secure TLSA records"
		    : with ? "every MX host has usable secure TLSA records"
		           : "no MX host has usable secure TLSA records",
		    with, with + without);
}
