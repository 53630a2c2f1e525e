/*
 * check_tls.c - findings about the standard handshake (checks.md 4) and the
 * presented certificates (checks.md 5), judged from the facts session.c and
 * cert_check.c collected. PKIX-dependent results use checks.md 1.8.
 */
#include "judge.h"

#include <stdio.h>
#include <string.h>

#include <cJSON.h>
#include <openssl/ssl.h>

#include "clock.h"
#include "mtasts_check.h"

#include "banned.h"

static struct check_result *
add(struct probe_result *r, const struct probe_addr *pa, enum check_id id,
    enum check_status st, cJSON *data, const char *fmt_detail)
{
	return check_add(&r->checks, id, st, NULL, pa->mx->name, pa->address,
	    pa->order, data, "%s", fmt_detail);
}

bool
probe_pkix_expected(const struct probe_result *r, const struct probe_mx *mx)
{
	enum mtasts_mode mode = mtasts_mode_of(r);

	/* 1: a valid enforce or testing policy that names the host */
	if ((mode == MTASTS_MODE_ENFORCE || mode == MTASTS_MODE_TESTING) &&
	    mtasts_match(r, mx->name) != NULL)
		return true;
	/* 2 */
	if (r->opt.require & ((1u << LEVEL_VERIFY) | (1u << LEVEL_MTASTS)))
		return true;
	/* 3: XXX the DANE exemption needs the DANE state, which is judged
	 * after the certificate checks; --require secure counts in full. */
	return (r->opt.require & (1u << LEVEL_SECURE)) != 0;
}

/* tls_prereq - the first check on the way to a handshake that failed;
 * CK_NONE when the handshake completed */
static enum check_id
tls_prereq(const struct probe_addr *pa)
{
	const struct smtp_client *sc = &pa->sc;

	if (!pa->connected)
		return CK_SMTP_CONNECT;
	if (sc->banner.code != 220)
		return CK_SMTP_BANNER;
	if (sc->ehlo.code != 250 && !(sc->used_helo && sc->helo.code == 250))
		return CK_SMTP_EHLO;
	if (!sc->starttls_offered)
		return CK_SMTP_STARTTLS_OFFERED;
	if (sc->starttls.code != 220)
		return CK_SMTP_STARTTLS_RESPONSE;
	if (!pa->tls.established)
		return CK_TLS_HANDSHAKE;
	return CK_NONE;
}

static const enum check_id tls_ids[] = {
	CK_TLS_VERSION,
	CK_TLS_CIPHER,
	CK_TLS_KEX,
	CK_TLS_SIGALG,
	CK_CERT_CHAIN_TRUSTED,
	CK_CERT_CHAIN_COMPLETE,
	CK_CERT_EXPIRY,
	CK_CERT_NAME_MATCH,
	CK_CERT_NAME_NEXTHOP,
	CK_CERT_KEY,
	CK_CERT_SIGNATURE,
	CK_CERT_OCSP,
};

/* judged - whether check id applies in this run: cert.name.nexthop needs
 * a next-hop domain (the target's, or --tls-domain) */
static bool
judged(const struct probe_result *r, enum check_id id)
{
	return id != CK_CERT_NAME_NEXTHOP || r->domain != NULL ||
	       r->opt.tls_domain != NULL;
}

/* add_all - tls_ids from the first-th on, with one status and detail */
static void
add_all(struct probe_result *r, const struct probe_addr *pa, size_t first,
    enum check_status st, const char *detail)
{
	for (size_t i = first; i < sizeof(tls_ids) / sizeof(tls_ids[0]); i++)
		if (judged(r, tls_ids[i]))
			add(r, pa, tls_ids[i], st, NULL, detail);
}

static void
skip_all(struct probe_result *r, const struct probe_addr *pa, enum check_id why,
    bool with_handshake)
{
	char d[160];

	snprintf(d, sizeof(d), "not evaluated: %s did not pass",
	    check_id_name(why));
	if (with_handshake)
		add(r, pa, CK_TLS_HANDSHAKE, CHECK_SKIP, NULL, d);
	add_all(r, pa, 0, CHECK_SKIP, d);
}

static bool
check_handshake(struct probe_result *r, const struct probe_addr *pa)
{
	const struct tls_facts *t = &pa->tls;
	struct check_result *cr;
	char detail[300];
	cJSON *d = cJSON_CreateObject();

	if (t->alert[0])
		cJSON_AddStringToObject(d, "alert", t->alert);
	else
		cJSON_AddNullToObject(d, "alert");
	cJSON_AddNumberToObject(d, "ms", (double)pa->t[T_TLS]);
	if (t->established) {
		snprintf(detail, sizeof(detail), "%s with %s in %ld ms",
		    t->version, t->cipher.iana, pa->t[T_TLS]);
		add(r, pa, CK_TLS_HANDSHAKE, CHECK_PASS, d, detail);
		return true;
	}
	snprintf(detail, sizeof(detail), "handshake failed: %s",
	    t->errmsg[0] ? t->errmsg : "no reason given");
	cr = add(r, pa, CK_TLS_HANDSHAKE, t->timeout ? CHECK_ERROR : CHECK_FAIL,
	    d, detail);
	if (cr && !t->timeout)
		cr->tlsrpt = "validation-failure";
	return false;
}

static void
check_version(struct probe_result *r, const struct probe_addr *pa)
{
	const struct tls_facts *t = &pa->tls;
	cJSON *d = cJSON_CreateObject();
	char detail[200];
	enum check_status st =
	    t->version_num >= TLS1_2_VERSION ? CHECK_PASS : CHECK_FAIL;

	cJSON_AddStringToObject(d, "version", t->version);
	snprintf(detail, sizeof(detail), "%s%s", t->version,
	    t->version_num == TLS1_2_VERSION ? " (TLS 1.3 is recommended)"
	    : st == CHECK_FAIL
	        ? ": senders with a TLS 1.2 floor cannot use TLS here"
	        : "");
	add(r, pa, CK_TLS_VERSION, st, d, detail);
}

static void
check_cipher(struct probe_result *r, const struct probe_addr *pa)
{
	const struct tls_cipher_info *c = &pa->tls.cipher;
	cJSON *d = cJSON_CreateObject();
	char detail[300];
	static const enum check_status map[TLS_CLASS__COUNT] = {
		CHECK_PASS,
		CHECK_PASS,
		CHECK_WARN,
		CHECK_FAIL,
	};

	cJSON_AddStringToObject(d, "cipher", c->iana);
	cJSON_AddStringToObject(d, "class", tls_class_name(c->cls));
	cJSON_AddNumberToObject(d, "bits", c->bits);
	cJSON_AddBoolToObject(d, "aead", c->aead);
	snprintf(detail, sizeof(detail), "%s (%s%s%s)", c->iana,
	    tls_class_name(c->cls), c->why[0] ? ": " : "", c->why);
	add(r, pa, CK_TLS_CIPHER, map[c->cls], d, detail);
}

static void
check_kex(struct probe_result *r, const struct probe_addr *pa)
{
	const struct tls_facts *t = &pa->tls;
	cJSON *d = cJSON_CreateObject();
	char detail[200];
	enum check_status st;
	enum tls_class cls;

	if (t->group[0])
		cJSON_AddStringToObject(d, "group", t->group);
	else
		cJSON_AddNullToObject(d, "group");
	if (t->kex_bits >= 0)
		cJSON_AddNumberToObject(d, "bits", t->kex_bits);
	else
		cJSON_AddNullToObject(d, "bits");
	cJSON_AddBoolToObject(d, "forward_secrecy", t->cipher.forward_secrecy);
	if (!t->cipher.forward_secrecy) {
		add(r, pa, CK_TLS_KEX, CHECK_WARN, d,
		    "RSA key transport: no forward secrecy");
		return;
	}
	cls = tls_group_classify(t->group[0] ? t->group : NULL, t->kex_bits);
	st = cls == TLS_CLASS_BROKEN ? CHECK_FAIL
	     : cls == TLS_CLASS_WEAK ? CHECK_WARN
	                             : CHECK_PASS;
	snprintf(detail, sizeof(detail), "%s%s%d bits (%s)",
	    t->group[0] ? t->group : "DHE", ", ", t->kex_bits,
	    tls_class_name(cls));
	add(r, pa, CK_TLS_KEX, st, d, detail);
}

static void
check_sigalg(struct probe_result *r, const struct probe_addr *pa)
{
	const struct tls_facts *t = &pa->tls;
	cJSON *d;
	enum check_status st;
	char detail[200];

	if (!t->cipher.forward_secrecy) {
		add(r, pa, CK_TLS_SIGALG, CHECK_SKIP, NULL,
		    "not evaluated: RSA key transport has no handshake signature");
		return;
	}
	d = cJSON_CreateObject();
	if (t->sigalg[0])
		cJSON_AddStringToObject(d, "sigalg", t->sigalg);
	else
		cJSON_AddNullToObject(d, "sigalg");
	if (t->version_num < TLS1_2_VERSION) {
		st = CHECK_WARN;
		snprintf(detail, sizeof(detail),
		    "%s negotiates no signature scheme "
		    "(MD5+SHA-1 or SHA-1)",
		    t->version);
	} else if (strcmp(t->sigalg_hash, "md5") == 0) {
		st = CHECK_FAIL;
		snprintf(detail, sizeof(detail), "%s", t->sigalg);
	} else if (strcmp(t->sigalg_hash, "sha1") == 0) {
		st = CHECK_WARN;
		snprintf(detail, sizeof(detail), "%s: SHA-1 (RFC 9155)",
		    t->sigalg);
	} else {
		st = CHECK_PASS;
		snprintf(detail, sizeof(detail), "%s",
		    t->sigalg[0] ? t->sigalg : "unnamed scheme");
	}
	add(r, pa, CK_TLS_SIGALG, st, d, detail);
}

static void
check_chain(struct probe_result *r, const struct probe_addr *pa, bool pkix)
{
	const struct cert_chain_result *c = &pa->tls.chain;
	struct check_result *cr;
	cJSON *d = cJSON_CreateObject(), *iss;
	char detail[300];

	/* checks.md 5: this check ignores dates (cert.expiry judges them),
	 * so its data is the validation without time checks; the report's
	 * tls.pkix carries OpenSSL's verdict with them. */
	cJSON_AddNumberToObject(d, "verify_code", c->path_verify_code);
	cJSON_AddStringToObject(d, "verify_error", c->path_verify_error);
	cJSON_AddNumberToObject(d, "depth", c->path_verify_depth);
	if (c->path_trusted && c->trusted) {
		snprintf(detail, sizeof(detail),
		    "chains to the trust store (%zu certificates on the path)",
		    c->path_len);
		add(r, pa, CK_CERT_CHAIN_TRUSTED, CHECK_PASS, d, detail);
	} else if (c->path_trusted) {
		snprintf(detail, sizeof(detail),
		    "chains to the trust store (%zu certificates "
		    "on the path) but for the dates: %s (error %d at depth %d), see cert.expiry",
		    c->path_len, c->verify_error, c->verify_code,
		    c->verify_depth);
		add(r, pa, CK_CERT_CHAIN_TRUSTED, CHECK_PASS, d, detail);
	} else {
		snprintf(detail, sizeof(detail),
		    "no trusted path: %s (error %d at depth %d)%s",
		    c->path_verify_error, c->path_verify_code,
		    c->path_verify_depth,
		    pkix ? "" : "; PKIX is not expected for this host");
		cr = add(r, pa, CK_CERT_CHAIN_TRUSTED,
		    pkix ? CHECK_FAIL : CHECK_WARN, d, detail);
		if (cr)
			cr->tlsrpt = "certificate-not-trusted";
	}
	d = cJSON_CreateObject();
	cJSON_AddNumberToObject(d, "presented", (double)c->ncerts);
	iss = cJSON_AddArrayToObject(d, "issues");
	if (c->issues & CERT_ISSUE_MISSING_INTERMEDIATE)
		cJSON_AddItemToArray(iss,
		    cJSON_CreateString("missing-intermediate"));
	if (c->issues & CERT_ISSUE_ORDER)
		cJSON_AddItemToArray(iss, cJSON_CreateString("order"));
	if (c->issues & CERT_ISSUE_DUPLICATE)
		cJSON_AddItemToArray(iss, cJSON_CreateString("duplicate"));
	if (c->issues & CERT_ISSUE_UNRELATED)
		cJSON_AddItemToArray(iss, cJSON_CreateString("unrelated"));
	snprintf(detail, sizeof(detail), "%zu certificate%s presented%s%s",
	    c->ncerts, c->ncerts == 1 ? "" : "s", c->issues ? "; " : "",
	    c->issues & CERT_ISSUE_MISSING_INTERMEDIATE
	        ? "an intermediate is missing"
	    : c->issues ? "wrong order, duplicates or unrelated certificates"
	                : "");
	add(r, pa, CK_CERT_CHAIN_COMPLETE, c->issues ? CHECK_WARN : CHECK_PASS,
	    d, detail);
}

static void
check_expiry(struct probe_result *r, const struct probe_addr *pa, bool pkix)
{
	const struct cert_chain_result *c = &pa->tls.chain;
	struct check_result *cr;
	cJSON *d = cJSON_CreateObject();
	char nb[32], na[32], detail[300];
	enum check_status st;

	clock_rfc3339(c->ncerts ? c->certs[0].not_before : 0, nb, sizeof(nb));
	clock_rfc3339(c->ncerts ? c->certs[0].not_after : 0, na, sizeof(na));
	cJSON_AddStringToObject(d, "not_before", nb);
	cJSON_AddStringToObject(d, "not_after", na);
	cJSON_AddNumberToObject(d, "days_left", (double)c->days_left);
	if (!c->path_in_validity) {
		st = pkix ? CHECK_FAIL : CHECK_WARN;
		snprintf(detail, sizeof(detail), "%s (not after %s)%s",
		    c->leaf_not_yet_valid ? "the certificate is not yet valid"
		    : c->leaf_expired
		        ? "the server certificate has expired"
		        : "a certificate on the path is outside its validity",
		    na, pkix ? "" : "; PKIX is not expected for this host");
		cr = add(r, pa, CK_CERT_EXPIRY, st, d, detail);
		if (cr)
			cr->tlsrpt = "certificate-expired";
		return;
	}
	st = c->days_left < r->opt.warn_days ? CHECK_WARN : CHECK_PASS;
	snprintf(detail, sizeof(detail), "valid until %s (%ld days left)%s", na,
	    c->days_left,
	    st == CHECK_WARN ? ", within the warning window" : "");
	add(r, pa, CK_CERT_EXPIRY, st, d, detail);
}

static cJSON *
names_json(const struct cert_chain_result *c, const struct cert_name_result *n)
{
	cJSON *d = cJSON_CreateObject(),
	      *a = cJSON_AddArrayToObject(d, "names");

	if (c->ncerts)
		for (size_t i = 0; i < c->certs[0].ndns; i++)
			cJSON_AddItemToArray(a,
			    cJSON_CreateString(c->certs[0].dns_names[i]));
	if (n->matched)
		cJSON_AddStringToObject(d, "matched", n->matched);
	else
		cJSON_AddNullToObject(d, "matched");
	cJSON_AddStringToObject(d, "via",
	    n->via == CERT_NAME_SAN  ? "san"
	    : n->via == CERT_NAME_CN ? "cn"
	                             : "none");
	return d;
}

static void
check_names(struct probe_result *r, const struct probe_addr *pa, bool pkix)
{
	const struct cert_chain_result *c = &pa->tls.chain;
	const struct cert_name_result *n = &c->name_mx;
	struct check_result *cr;
	char detail[300];
	enum check_status st;

	if (pa->mx->literal) {
		add(r, pa, CK_CERT_NAME_MATCH, CHECK_SKIP, NULL,
		    "not evaluated: the host is an address literal");
	} else {
		if (n->via == CERT_NAME_SAN)
			st = CHECK_PASS;
		else
			st = pkix ? CHECK_FAIL : CHECK_WARN;
		snprintf(detail, sizeof(detail),
		    n->via == CERT_NAME_SAN ? "subjectAltName %s matches %s"
		    : n->via == CERT_NAME_CN
		        ? "only the subject CN %s matches %s (legacy form)"
		        : "%sno certificate name matches %s",
		    n->matched ? n->matched : "", pa->mx->name);
		cr = add(r, pa, CK_CERT_NAME_MATCH, st, names_json(c, n),
		    detail);
		if (cr && st != CHECK_PASS)
			cr->tlsrpt = "certificate-host-mismatch";
	}
	if (!judged(r, CK_CERT_NAME_NEXTHOP))
		return;
	n = &c->name_dom;
	snprintf(detail, sizeof(detail),
	    n->via != CERT_NAME_NONE ? "%s matches the next-hop domain %s"
	                             : "%sno certificate name matches the "
	                               "next-hop domain %s",
	    n->matched ? n->matched : "",
	    r->opt.tls_domain ? r->opt.tls_domain : r->domain);
	add(r, pa, CK_CERT_NAME_NEXTHOP,
	    n->via != CERT_NAME_NONE ? CHECK_PASS : CHECK_WARN,
	    names_json(c, n), detail);
}

static void
check_key_sig(struct probe_result *r, const struct probe_addr *pa)
{
	const struct cert_chain_result *c = &pa->tls.chain;
	const struct cert_summary *leaf;
	enum tls_class k, s = TLS_CLASS_GOOD;
	char detail[200];
	cJSON *d;

	if (c->ncerts == 0)
		return;
	leaf = &c->certs[0];
	k = tls_key_classify(leaf->key_type, leaf->key_bits);
	d = cJSON_CreateObject();
	cJSON_AddStringToObject(d, "type", leaf->key_type);
	cJSON_AddNumberToObject(d, "bits", leaf->key_bits);
	snprintf(detail, sizeof(detail), "%s %d bits (%s)", leaf->key_type,
	    leaf->key_bits, tls_class_name(k));
	add(r, pa, CK_CERT_KEY,
	    k == TLS_CLASS_BROKEN ? CHECK_FAIL
	    : k == TLS_CLASS_WEAK ? CHECK_WARN
	                          : CHECK_PASS,
	    d, detail);
	for (size_t i = 0; i < c->ncerts; i++) {
		enum tls_class x;

		/* A trust anchor's own signature is not checked by anyone;
		 * a self-signed server certificate's is all there is. */
		if (c->certs[i].self_issued && i > 0)
			continue;
		x = tls_sighash_classify(c->certs[i].sig_hash);
		if (x > s)
			s = x;
	}
	d = cJSON_CreateObject();
	cJSON_AddStringToObject(d, "sig_alg", leaf->sig_alg);
	snprintf(detail, sizeof(detail), "%s (%s)", leaf->sig_alg,
	    tls_class_name(s));
	add(r, pa, CK_CERT_SIGNATURE,
	    s == TLS_CLASS_BROKEN ? CHECK_FAIL
	    : s == TLS_CLASS_WEAK ? CHECK_WARN
	                          : CHECK_PASS,
	    d, detail);
}

static void
check_addr(struct probe_result *r, const struct probe_addr *pa)
{
	enum check_id why = tls_prereq(pa);
	bool pkix = probe_pkix_expected(r, pa->mx);

	if (why != CK_NONE && why != CK_TLS_HANDSHAKE) {
		skip_all(r, pa, why, true);
		return;
	}
	if (!check_handshake(r, pa)) {
		skip_all(r, pa, CK_TLS_HANDSHAKE, false);
		return;
	}
	check_version(r, pa);
	check_cipher(r, pa);
	check_kex(r, pa);
	check_sigalg(r, pa);
	if (!pa->tls.have_chain) {
		/* from cert.chain.trusted on */
		add_all(r, pa, 4, CHECK_ERROR,
		    "the presented chain could not be analysed");
		return;
	}
	check_chain(r, pa, pkix);
	check_expiry(r, pa, pkix);
	check_names(r, pa, pkix);
	check_key_sig(r, pa);
	add(r, pa, CK_CERT_OCSP, CHECK_INFO, NULL,
	    pa->tls.ocsp_stapled ? "OCSP response stapled"
	                         : "no OCSP response stapled");
}

/* check_consistency - the same certificate on every address of a host */
static void
check_consistency(struct probe_result *r, const struct probe_mx *m)
{
	const char *first = NULL;
	size_t seen = 0;
	bool differ = false;

	for (size_t k = 0; k < m->naddrs; k++) {
		const struct tls_facts *t = &m->addrs[k].tls;

		if (!t->have_chain || t->chain.ncerts == 0)
			continue;
		seen++;
		if (first == NULL)
			first = t->chain.certs[0].sha256_hex;
		else if (strcmp(first, t->chain.certs[0].sha256_hex) != 0)
			differ = true;
	}
	if (seen < 2)
		check_add(&r->checks, CK_CERT_CONSISTENCY,
		    seen ? CHECK_PASS : CHECK_SKIP, NULL, m->name, NULL,
		    m->order, NULL,
		    seen ? "one address presented a certificate"
		         : "not evaluated: no address completed a handshake");
	else
		check_add(&r->checks, CK_CERT_CONSISTENCY,
		    differ ? CHECK_INFO : CHECK_PASS, NULL, m->name, NULL,
		    m->order, NULL,
		    differ
		        ? "the addresses of %s present different certificates"
		        : "every address of %s presents the same certificate",
		    m->name);
}

void
check_tls_run(struct probe_result *r)
{
	for (size_t i = 0; i < r->nmx; i++) {
		for (size_t k = 0; k < r->mx[i].naddrs; k++)
			check_addr(r, &r->mx[i].addrs[k]);
		if (r->mx[i].naddrs > 0)
			check_consistency(r, &r->mx[i]);
	}
}
